// SPDX-License-Identifier: GPL-2.0
/*
 * Counting under concurrency.  Threads work one line at once: one fires
 * its source in a tight loop, one reads the sink and, on a level line,
 * completes each interrupt as soon as the sink shows it (resample eventfd
 * or IRQFWD_LINE_EOI), one masks, unmasks and clears the pending latch and
 * asks for forwarded and masked mode in turn (a forwarded line runs
 * masked: nothing may change in the counts), and one counts what the
 * unmask eventfd gets.  At least FIRES fires per variant, and on level lines of plain
 * eventfds, where most fires find the line in service, also COMPLETIONS
 * completions.  Afterwards every interrupt is accounted for:
 *
 *   fired == delivered + coalesced + cleared + pending
 *   what the sink counted == delivered
 *   what the unmask eventfd counted == unmasked
 *   completed == the completions sent, nothing spurious
 *
 * and the line is not wedged: its state returns to 0 and one more raise
 * is delivered (and completed, and unmasked).  Plain eventfds stand in for
 * VFIO and KVM in some variants, in addition to the edu device through
 * vfio-pci (MSI and INTx with VFIO's unmask eventfd) in others.
 */
#include <sched.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"
#include "vfio_edu.h"

#define FIRES		100000
#define COMPLETIONS	20000	/* level lines on plain eventfds */
/*
 * A bound per variant, not an expectation: MAX_SECONDS where a test program
 * has its 300 s, scaled up where the lane gives it more (the debug lane's
 * kernel, with KASAN and lockdep, fires the edu device's INTx several times
 * slower, and gives 1,200 s).  The harness's own limit stays above it.
 */
#define MAX_SECONDS	150
#define HARNESS_SECONDS	700
#define WAIT_MS		5000

struct run {
	int dev;
	__u32 id;
	int source, sink, unmask, resample;
	bool level;
	bool use_unmask;	/* level: the line has an unmask eventfd */
	bool by_resample;	/* level: complete by resample, else by EOI */
	struct edu *edu;	/* the device raises, else source writes */
	int home;		/* the firer's CPU (and the completer's) */
	int away;		/* the masker's CPU */

	atomic_bool stop_firing;	/* firer and masker */
	atomic_bool stop_reading;	/* completer and unmask reader */
	atomic_ulong fires;		/* source writes, or device raises */
	atomic_ulong fired_seen;	/* the line's fired, now and then */
	atomic_ulong sink_reads;	/* the sum of what the sink counted */
	atomic_ulong completions;	/* completions sent */
	atomic_ulong unmask_reads;	/* the sum of the unmask eventfd's */
	atomic_ulong masks, unmasks, clears, switches;
	atomic_ulong errors;
	atomic_int last_error;
};

static void run_error(struct run *r, int err)
{
	atomic_fetch_add(&r->errors, 1);
	atomic_store(&r->last_error, err);
}

/*
 * The firer and the completer share a CPU (the one that takes the edu
 * device's interrupt, or CPU 0), the masker works from another: under the
 * lanes' emulator (one host thread for every vCPU) a wake-up from another
 * vCPU may wait for that vCPU's next timer tick, which would leave a
 * completer elsewhere a few hundred completions a second.  Where vCPUs
 * really run at once (a multi-threaded emulator, real hardware),
 * IRQFWD_COUNT_SPREAD=1 puts the completer on the masker's CPU, so that
 * completions race with fires on another CPU.
 */
static int completer_cpu(struct run *r)
{
	const char *spread = getenv("IRQFWD_COUNT_SPREAD");

	return spread && !strcmp(spread, "1") ? r->away : r->home;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Fire until FIRES fires reached the line (and at least FIRES raises). */
static void *firer(void *arg)
{
	struct irqfwd_line_info info;
	struct run *r = arg;
	unsigned long n = 0;

	pin_to_cpu(r->home);
	while (!atomic_load(&r->stop_firing)) {
		if (r->edu && r->level) {
			/*
			 * Asserted until the completer acknowledges it; raise
			 * again once it did (the completer shares the CPU).
			 */
			while (edu_irq_status(r->edu) &&
			       !atomic_load(&r->stop_firing))
				sched_yield();
			edu_raise(r->edu);
		} else if (r->edu) {
			edu_raise(r->edu);
			edu_ack(r->edu);
			/*
			 * Not flat out, but no sleep either: a 20 us sleep
			 * costs about a millisecond of a TCG guest's time
			 * (100,000 fires took 150 s on arm64).  VFIO frees
			 * no IRQ while this runs (irqfwd_edu_test.c's
			 * raiser says why that would matter).
			 */
			sched_yield();
		} else if (efd_signal(r->source)) {
			run_error(r, -errno);
			break;
		}
		atomic_fetch_add(&r->fires, 1);
		if (++n % 1000)
			continue;
		if (line_query(r->dev, r->id, &info)) {
			run_error(r, -errno);
			break;
		}
		atomic_store(&r->fired_seen, info.stats.fired);
		if (n >= FIRES && info.stats.fired >= FIRES &&
		    (!r->level || r->edu ||
		     atomic_load(&r->completions) >= COMPLETIONS))
			break;
	}
	return NULL;
}

/* Enough fires, and on a level line of plain eventfds enough rounds. */
static bool done_firing(struct run *r)
{
	return atomic_load(&r->fired_seen) >= FIRES &&
	       (!r->level || r->edu ||
		atomic_load(&r->completions) >= COMPLETIONS);
}

/*
 * Read the sink; on a level line complete each interrupt at once (the
 * device acknowledged first, as a guest's handler does).
 */
static void *completer(void *arg)
{
	struct run *r = arg;
	int64_t n;

	pin_to_cpu(completer_cpu(r));
	while (!atomic_load(&r->stop_reading)) {
		n = efd_wait(r->sink, 100);
		if (n < 0) {
			run_error(r, (int)n);
			break;
		}
		if (!n)
			continue;
		atomic_fetch_add(&r->sink_reads, n);
		if (!r->level)
			continue;
		if (n != 1)
			run_error(r, -EPROTO);	/* two in service at once */
		if (r->edu)
			edu_ack(r->edu);
		if (r->by_resample ? efd_signal(r->resample) :
		    line_eoi(r->dev, r->id)) {
			run_error(r, -errno);
			break;
		}
		atomic_fetch_add(&r->completions, 1);
	}
	return NULL;
}

static void *unmask_reader(void *arg)
{
	struct run *r = arg;
	int64_t n;

	while (!atomic_load(&r->stop_reading)) {
		n = efd_wait(r->unmask, 100);
		if (n < 0) {
			run_error(r, (int)n);
			break;
		}
		atomic_fetch_add(&r->unmask_reads, n);
	}
	return NULL;
}

/* Mask, clear, unmask, switch modes, in a random rhythm. */
static void *masker(void *arg)
{
	struct run *r = arg;
	unsigned int seed = 7;
	int ret;

	pin_to_cpu(r->away);
	while (!atomic_load(&r->stop_firing)) {
		ret = line_mask(r->dev, r->id, IRQFWD_LINE_MASK_MASK);
		if (ret < 0)
			run_error(r, ret);
		atomic_fetch_add(&r->masks, 1);
		if (rand_r(&seed) % 2)
			usleep(rand_r(&seed) % 50);
		if (!(rand_r(&seed) % 4)) {
			ret = line_mask(r->dev, r->id,
					IRQFWD_LINE_MASK_CLEAR_PENDING);
			if (ret < 0)
				run_error(r, ret);
			atomic_fetch_add(&r->clears, 1);
		}
		ret = line_mask(r->dev, r->id, IRQFWD_LINE_MASK_UNMASK);
		if (ret < 0)
			run_error(r, ret);
		atomic_fetch_add(&r->unmasks, 1);
		if (!(rand_r(&seed) % 4)) {
			ret = line_set_mode(r->dev, r->id,
					    atomic_load(&r->switches) % 2 ?
					    IRQFWD_MODE_MASKED :
					    IRQFWD_MODE_FORWARDED);
			if (ret < 0)
				run_error(r, ret);
			atomic_fetch_add(&r->switches, 1);
		}
		usleep(rand_r(&seed) % 200);
	}
	return NULL;
}

/*
 * Everything that was on its way arrived: nothing in service, pending or
 * queued, and the readers counted what the line says it signalled.
 */
static bool quiet(struct run *r, struct irqfwd_line_info *info)
{
	if (line_query(r->dev, r->id, info))
		return false;
	return info->state == 0 &&
	       atomic_load(&r->sink_reads) == info->stats.delivered &&
	       (!r->use_unmask || r->edu ||
		atomic_load(&r->unmask_reads) == info->stats.unmasked);
}

static void log_counts(struct __test_metadata *_metadata, const char *what,
		       struct run *r, const struct irqfwd_line_info *info)
{
	TH_LOG("%s: fires %lu; fired %llu delivered %llu coalesced %llu cleared %llu completed %llu unmasked %llu spurious %llu state %#x; sink %lu, completions %lu, unmask %lu; masks %lu clears %lu switches %lu; errors %lu (last %d)",
	       what, atomic_load(&r->fires),
	       (unsigned long long)info->stats.fired,
	       (unsigned long long)info->stats.delivered,
	       (unsigned long long)info->stats.coalesced,
	       (unsigned long long)info->stats.cleared,
	       (unsigned long long)info->stats.completed,
	       (unsigned long long)info->stats.unmasked,
	       (unsigned long long)info->stats.spurious, info->state,
	       atomic_load(&r->sink_reads), atomic_load(&r->completions),
	       atomic_load(&r->unmask_reads), atomic_load(&r->masks),
	       atomic_load(&r->clears), atomic_load(&r->switches),
	       atomic_load(&r->errors), atomic_load(&r->last_error));
}

/* One more interrupt, alone: delivered (completed and unmasked) once. */
static void one_more(struct __test_metadata *_metadata, struct run *r)
{
	struct irqfwd_line_info before, after;

	ASSERT_EQ(0, line_query(r->dev, r->id, &before));
	if (r->edu)
		edu_raise(r->edu);
	else
		ASSERT_EQ(0, efd_signal(r->source));
	ASSERT_EQ(1, efd_wait(r->sink, WAIT_MS))
		TH_LOG("one more raise was not delivered: the line is wedged");
	if (r->level) {
		if (r->edu)
			edu_ack(r->edu);
		ASSERT_EQ(0, r->by_resample ? efd_signal(r->resample) :
			  line_eoi(r->dev, r->id));
		if (r->use_unmask && !r->edu)
			ASSERT_EQ(1, efd_wait(r->unmask, WAIT_MS));
		ASSERT_EQ(0, line_wait_stat(r->dev, r->id, completed,
					    before.stats.completed + 1,
					    WAIT_MS, &after));
		if (r->use_unmask)
			ASSERT_EQ(0, line_wait_stat(r->dev, r->id, unmasked,
						    before.stats.unmasked + 1,
						    WAIT_MS, &after));
	} else if (r->edu) {
		edu_ack(r->edu);
	}
	/* Once: nothing more at the sink, nor at the unmask eventfd. */
	EXPECT_EQ(0, efd_wait(r->sink, EFD_QUIET_MS));
	if (r->use_unmask && !r->edu)
		EXPECT_EQ(0, efd_take(r->unmask));
	ASSERT_EQ(0, line_query(r->dev, r->id, &after));
	EXPECT_EQ(0, after.state);
	EXPECT_EQ(before.stats.delivered + 1, after.stats.delivered);
	EXPECT_EQ(before.stats.fired + 1, after.stats.fired);
	EXPECT_EQ(before.stats.completed + r->level, after.stats.completed);
	EXPECT_EQ(before.stats.unmasked + (r->level && r->use_unmask),
		  after.stats.unmasked);
}

FIXTURE(count) {
	struct line_fds f;
	struct edu edu;
};

FIXTURE_VARIANT(count) {
	bool level;
	bool unmask;
	bool resample;
	bool edu;
};

/* Plain eventfds. */
FIXTURE_VARIANT_ADD(count, edge) {
	.level = false,
};

FIXTURE_VARIANT_ADD(count, level_unmask_resample) {
	.level = true, .unmask = true, .resample = true,
};

FIXTURE_VARIANT_ADD(count, level_unmask_eoi) {
	.level = true, .unmask = true,
};

FIXTURE_VARIANT_ADD(count, level_latch_resample) {
	.level = true, .resample = true,
};

FIXTURE_VARIANT_ADD(count, level_latch_eoi) {
	.level = true,
};

/* The edu device: MSI, and INTx with VFIO's unmask eventfd. */
FIXTURE_VARIANT_ADD(count, edu_msi) {
	.edu = true,
};

FIXTURE_VARIANT_ADD(count, edu_intx_resample) {
	.edu = true, .level = true, .unmask = true, .resample = true,
};

FIXTURE_VARIANT_ADD(count, edu_intx_eoi) {
	.edu = true, .level = true, .unmask = true,
};

FIXTURE_SETUP(count)
{
	int ret;

	ASSERT_EQ(0, line_fds_open(&self->f));
	self->edu.device = -1;
	if (variant->edu) {
		ret = edu_open(&self->edu);
		ASSERT_EQ(0, ret) TH_LOG("edu device via vfio-pci: %s",
					 strerror(-ret));
		/*
		 * Not left raised by a variant that failed before: the INTx
		 * firer waits for the device's status to clear.
		 */
		ASSERT_EQ(0, edu_reset(&self->edu));
		if (variant->level) {
			ASSERT_EQ(0, edu_set_intx(&self->edu, self->f.source,
						  self->f.unmask));
		} else {
			ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
		}
	}
}

FIXTURE_TEARDOWN(count)
{
	if (self->edu.device >= 0) {
		if (variant->level)
			edu_set_intx(&self->edu, -1, -1);
		else
			edu_set_msi(&self->edu, -1);
		edu_close(&self->edu);
	}
	line_fds_close(&self->f);
}

static uint64_t max_ns(void)
{
	const char *t = getenv("IRQFWD_TEST_TIMEOUT");
	long lane = t ? strtol(t, NULL, 10) : 0;
	long s = MAX_SECONDS;

	if (lane > 300)
		s = MAX_SECONDS * lane / 300;
	if (s > HARNESS_SECONDS - 100)
		s = HARNESS_SECONDS - 100;
	return s * 1000000000ull;
}

TEST_F_TIMEOUT(count, everything_accounted_for, HARNESS_SECONDS)
{
	pthread_t fire_t, complete_t, mask_t, unmask_t;
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	struct run *r;
	uint64_t t0, end;
	int id;

	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	if (variant->level)
		line_create_level(&c, self->f.source, self->f.sink,
				  variant->unmask ? self->f.unmask : -1,
				  variant->resample ? self->f.resample : -1);
	else
		line_create_init(&c, self->f.source, self->f.sink,
				 IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	r->dev = self->f.dev;
	r->id = id;
	r->source = self->f.source;
	r->sink = self->f.sink;
	r->unmask = self->f.unmask;
	r->resample = self->f.resample;
	r->level = variant->level;
	r->use_unmask = variant->unmask;
	r->by_resample = variant->resample;
	r->edu = variant->edu ? &self->edu : NULL;
	r->home = 0;
	if (r->edu) {
		r->home = edu_irq_cpu(r->edu, variant->level ? "intx" : "msi[0]");
		ASSERT_LE(0, r->home) TH_LOG("the device's IRQ: %s",
					     strerror(-r->home));
	}
	r->away = r->home ? 0 : 1;

	t0 = now_ns();
	ASSERT_EQ(0, pthread_create(&complete_t, NULL, completer, r));
	if (variant->unmask && !variant->edu) {
		ASSERT_EQ(0, pthread_create(&unmask_t, NULL, unmask_reader, r));
	}
	ASSERT_EQ(0, pthread_create(&mask_t, NULL, masker, r));
	ASSERT_EQ(0, pthread_create(&fire_t, NULL, firer, r));

	/* The firer stops by itself after FIRES; the clock stops it too. */
	end = t0 + max_ns();
	while (!done_firing(r) && !atomic_load(&r->errors) && now_ns() < end)
		usleep(10000);
	atomic_store(&r->stop_firing, true);
	pthread_join(fire_t, NULL);
	pthread_join(mask_t, NULL);

	/* Let everything on its way arrive, with the line unmasked. */
	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK));
	end = now_ns() + WAIT_MS * 1000000ull;
	while (!quiet(r, &info) && now_ns() < end)
		usleep(1000);
	atomic_store(&r->stop_reading, true);
	pthread_join(complete_t, NULL);
	if (variant->unmask && !variant->edu)
		pthread_join(unmask_t, NULL);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	log_counts(_metadata, "after", r, &info);
	TH_LOG("%.1f s", (now_ns() - t0) / 1e9);

	EXPECT_EQ(0, atomic_load(&r->errors));
	EXPECT_LE(FIRES, info.stats.fired);
	if (variant->level && !variant->edu)
		EXPECT_LE(COMPLETIONS, info.stats.completed);
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(info.stats.fired, info.stats.delivered +
		  info.stats.coalesced + info.stats.cleared +
		  !!(info.state & IRQFWD_LINE_STATE_PENDING));
	EXPECT_EQ(atomic_load(&r->sink_reads), info.stats.delivered);
	EXPECT_LT(0, atomic_load(&r->masks));
	EXPECT_LT(0, atomic_load(&r->clears));
	EXPECT_LT(0, atomic_load(&r->switches));
	if (!variant->edu) {
		/* Every write reached the line, and nothing is left. */
		EXPECT_EQ(atomic_load(&r->fires), info.stats.fired);
		EXPECT_EQ(0, efd_take(self->f.source));
	}
	if (variant->level) {
		EXPECT_EQ(atomic_load(&r->completions), info.stats.completed);
		EXPECT_EQ(info.stats.delivered, info.stats.completed);
		EXPECT_EQ(0, info.stats.spurious);
	} else {
		EXPECT_EQ(0, info.stats.completed);
		EXPECT_EQ(0, info.stats.unmasked);
	}
	if (variant->unmask && !variant->edu)
		EXPECT_EQ(atomic_load(&r->unmask_reads), info.stats.unmasked);
	if (!variant->unmask)
		EXPECT_EQ(0, info.stats.unmasked);
	EXPECT_EQ(0, efd_take(self->f.sink));

	one_more(_metadata, r);
	free(r);
}

TEST_HARNESS_MAIN
