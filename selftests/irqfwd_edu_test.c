// SPDX-License-Identifier: GPL-2.0
/*
 * Real device: QEMU's edu device bound to vfio-pci raises MSIs and INTx
 * assertions; irqfwd relays them from VFIO's trigger eventfd to a sink and,
 * for INTx, unmasks the line through VFIO's unmask eventfd.  The sink and
 * resample eventfds are plain here (userspace plays KVM); the kvm test
 * puts KVM behind them.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"
#include "vfio_edu.h"

#define WAIT_MS		2000
#define ROUNDS		1000

/* The device, /dev/irqfwd and the eventfds of one line. */
struct bed {
	struct edu edu;
	struct line_fds f;
};

static void bed_setup(struct __test_metadata *_metadata, struct bed *b)
{
	int ret = edu_open(&b->edu);

	ASSERT_EQ(0, ret) TH_LOG("edu device via vfio-pci: %s", strerror(-ret));
	/* Not left asserted by a case that failed before. */
	ASSERT_EQ(0, edu_reset(&b->edu));
	ASSERT_EQ(0, line_fds_open(&b->f));
	ASSERT_LE(0, b->f.unmask);
	ASSERT_LE(0, b->f.resample);
}

static void bed_teardown(struct bed *b)
{
	line_fds_close(&b->f);
	edu_close(&b->edu);
}

FIXTURE(msi) {
	struct bed b;
};

/*
 * Masked or forwarded mode asked for: forwarded finds VFIO's producer on
 * the trigger and still runs masked (reason "no-handover"), and every
 * count must be the same.
 */
FIXTURE_VARIANT(msi) {
	__u32 mode;
};

FIXTURE_VARIANT_ADD(msi, masked) {
	.mode = IRQFWD_MODE_MASKED,
};

FIXTURE_VARIANT_ADD(msi, forwarded) {
	.mode = IRQFWD_MODE_FORWARDED,
};

/*
 * Create the line in @mode: it runs masked, with @reason if forwarded
 * was asked for.  Returns its id, or -errno.
 */
static int bed_line(struct __test_metadata *_metadata, struct bed *b,
		    struct irqfwd_line_create *c, __u32 mode, __u32 reason)
{
	struct irqfwd_line_info info;
	int id;

	c->mode = mode;
	id = line_create(b->f.dev, c);
	if (id <= 0)
		return id;
	EXPECT_EQ(0, line_query(b->f.dev, id, &info));
	EXPECT_EQ(mode, info.mode);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	EXPECT_EQ(mode == IRQFWD_MODE_MASKED ? IRQFWD_REASON_NONE : reason,
		  info.reason);
	return id;
}

static int msi_line(struct __test_metadata *_metadata, struct bed *b,
		    __u32 mode)
{
	struct irqfwd_line_create c;

	line_create_init(&c, b->f.source, b->f.sink, IRQFWD_TRIGGER_EDGE);
	return bed_line(_metadata, b, &c, mode, IRQFWD_REASON_NO_HANDOVER);
}

FIXTURE_SETUP(msi)
{
	bed_setup(_metadata, &self->b);
	ASSERT_EQ(0, edu_set_msi(&self->b.edu, self->b.f.source));
}

FIXTURE_TEARDOWN(msi)
{
	edu_set_msi(&self->b.edu, -1);
	bed_teardown(&self->b);
}

TEST_F(msi, each_raise_delivered_once)
{
	struct bed *b = &self->b;
	struct irqfwd_line_info info;
	int i, id;

	id = msi_line(_metadata, b, variant->mode);
	ASSERT_LT(0, id);

	for (i = 0; i < ROUNDS; i++) {
		edu_raise(&b->edu);
		ASSERT_EQ(1, efd_wait(b->f.sink, WAIT_MS)) TH_LOG("i=%d", i);
		edu_ack(&b->edu);
	}
	/* Nothing extra, nothing left behind in the source. */
	EXPECT_EQ(0, efd_wait(b->f.sink, 100));
	EXPECT_EQ(0, efd_take(b->f.source));

	ASSERT_EQ(0, line_query(b->f.dev, id, &info));
	EXPECT_EQ(ROUNDS, info.stats.fired);
	EXPECT_EQ(ROUNDS, info.stats.delivered);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_EQ(0, info.state);
}

/*
 * MSIs the device sent before the line existed are delivered, merged into
 * one.  (The host may already merge MSIs that arrive back to back, so the
 * source counts one to three of them.)
 */
TEST_F(msi, raised_before_line)
{
	struct bed *b = &self->b;
	struct irqfwd_line_info info;
	struct pollfd pfd = { .fd = b->f.source, .events = POLLIN };
	int id;

	edu_raise(&b->edu);
	ASSERT_EQ(1, poll(&pfd, 1, WAIT_MS));
	edu_raise(&b->edu);
	edu_raise(&b->edu);
	usleep(20000);
	edu_ack(&b->edu);

	id = msi_line(_metadata, b, variant->mode);
	ASSERT_LT(0, id);
	ASSERT_EQ(1, efd_wait(b->f.sink, WAIT_MS));
	ASSERT_EQ(0, line_query(b->f.dev, id, &info));
	EXPECT_LE(1, info.stats.fired);
	EXPECT_GE(3, info.stats.fired);
	EXPECT_EQ(1, info.stats.delivered);
	EXPECT_EQ(info.stats.fired - 1, info.stats.coalesced);
	EXPECT_EQ(0, efd_wait(b->f.sink, 50));
	EXPECT_EQ(0, efd_take(b->f.source));
}

/*
 * MSI-X style masking on a real vector: raises while masked leave one
 * pending interrupt, delivered exactly once on unmask.  (Back-to-back MSIs
 * may already merge in the host, so the source counts 1 to 3 per round.)
 */
TEST_F(msi, mask_pending_unmask)
{
	struct bed *b = &self->b;
	struct irqfwd_line_info info;
	__u64 fired = 0;
	int round, id, i;

	id = msi_line(_metadata, b, variant->mode);
	ASSERT_LT(0, id);

	for (round = 0; round < 100; round++) {
		ASSERT_EQ(IRQFWD_LINE_STATE_MASKED,
			  line_mask(b->f.dev, id, IRQFWD_LINE_MASK_MASK));
		edu_raise(&b->edu);
		edu_ack(&b->edu);
		ASSERT_EQ(0, line_wait_stat(b->f.dev, id, fired, fired + 1,
					    WAIT_MS, &info));
		/* Each MSI lands before the next (or merges, in time). */
		for (i = 2; i <= 3; i++) {
			edu_raise(&b->edu);
			edu_ack(&b->edu);
			ASSERT_EQ(0, line_wait_stat(b->f.dev, id, fired,
						    fired + i, 100, &info));
		}
		ASSERT_EQ(0, line_query(b->f.dev, id, &info));
		ASSERT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_PENDING,
			  info.state);
		ASSERT_EQ(round, info.stats.delivered);
		ASSERT_EQ(0, efd_take(b->f.sink));
		fired = info.stats.fired;

		ASSERT_EQ(0, line_mask(b->f.dev, id, IRQFWD_LINE_MASK_UNMASK) &
			  IRQFWD_LINE_STATE_MASKED);
		ASSERT_EQ(1, efd_wait(b->f.sink, WAIT_MS)) TH_LOG("round %d", round);
	}
	EXPECT_EQ(0, efd_wait(b->f.sink, 50));
	ASSERT_EQ(0, line_query(b->f.dev, id, &info));
	TH_LOG("100 masked rounds of 3 raises: fired %llu delivered %llu coalesced %llu",
	       (unsigned long long)info.stats.fired,
	       (unsigned long long)info.stats.delivered,
	       (unsigned long long)info.stats.coalesced);
	EXPECT_EQ(100, info.stats.delivered);
	EXPECT_LE(100, info.stats.fired);
	EXPECT_EQ(info.stats.fired, info.stats.delivered +
		  info.stats.coalesced);
	EXPECT_EQ(0, info.state);
}

FIXTURE(intx) {
	struct bed b;
};

/* Masked or forwarded mode asked for: a level line runs masked. */
FIXTURE_VARIANT(intx) {
	bool resample;	/* complete through the resample eventfd, or EOI */
	__u32 mode;
};

FIXTURE_VARIANT_ADD(intx, resample) {
	.resample = true,
	.mode = IRQFWD_MODE_MASKED,
};

FIXTURE_VARIANT_ADD(intx, eoi) {
	.resample = false,
	.mode = IRQFWD_MODE_MASKED,
};

FIXTURE_VARIANT_ADD(intx, resample_forwarded) {
	.resample = true,
	.mode = IRQFWD_MODE_FORWARDED,
};

FIXTURE_VARIANT_ADD(intx, eoi_forwarded) {
	.resample = false,
	.mode = IRQFWD_MODE_FORWARDED,
};

FIXTURE_SETUP(intx)
{
	bed_setup(_metadata, &self->b);
	ASSERT_EQ(0, edu_set_intx(&self->b.edu, self->b.f.source,
				  self->b.f.unmask));
}

FIXTURE_TEARDOWN(intx)
{
	edu_set_intx(&self->b.edu, -1, -1);
	bed_teardown(&self->b);
}

static int intx_line(struct __test_metadata *_metadata, struct bed *b,
		     bool resample, __u32 mode)
{
	struct irqfwd_line_create c;

	line_create_level(&c, b->f.source, b->f.sink, b->f.unmask,
			  resample ? b->f.resample : -1);
	return bed_line(_metadata, b, &c, mode, IRQFWD_REASON_LEVEL);
}

static int intx_complete(struct bed *b, bool resample, __u32 id)
{
	return resample ? efd_signal(b->f.resample) : line_eoi(b->f.dev, id);
}

/*
 * Assert, deliver, acknowledge in the device, complete: VFIO unmasks the
 * line each time, so every assertion comes through exactly once.
 */
TEST_F(intx, each_assertion_delivered_and_unmasked)
{
	struct bed *b = &self->b;
	struct irqfwd_line_info info;
	int i, id;

	id = intx_line(_metadata, b, variant->resample, variant->mode);
	ASSERT_LT(0, id);

	for (i = 0; i < ROUNDS; i++) {
		edu_raise(&b->edu);
		ASSERT_EQ(1, efd_wait(b->f.sink, WAIT_MS)) TH_LOG("i=%d", i);
		edu_ack(&b->edu);
		ASSERT_EQ(0, intx_complete(b, variant->resample, id));
	}
	ASSERT_EQ(0, line_wait_stat(b->f.dev, id, unmasked, ROUNDS, WAIT_MS,
				    &info));
	EXPECT_EQ(0, efd_wait(b->f.sink, 100));

	ASSERT_EQ(0, line_query(b->f.dev, id, &info));
	TH_LOG("fired %llu delivered %llu completed %llu unmasked %llu",
	       (unsigned long long)info.stats.fired,
	       (unsigned long long)info.stats.delivered,
	       (unsigned long long)info.stats.completed,
	       (unsigned long long)info.stats.unmasked);
	EXPECT_EQ(ROUNDS, info.stats.fired);
	EXPECT_EQ(ROUNDS, info.stats.delivered);
	EXPECT_EQ(ROUNDS, info.stats.completed);
	EXPECT_EQ(ROUNDS, info.stats.unmasked);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_EQ(0, info.stats.spurious);
	EXPECT_EQ(0, info.state);
}

/*
 * Completing while the device still asserts the line: VFIO's unmask finds
 * it asserted and triggers again, so the guest sees it again.  Once the
 * device is acknowledged, a completion brings nothing more.
 */
TEST_F(intx, still_asserted_triggers_again)
{
	struct bed *b = &self->b;
	struct irqfwd_line_info info;
	int id;

	id = intx_line(_metadata, b, variant->resample, variant->mode);
	ASSERT_LT(0, id);

	edu_raise(&b->edu);
	ASSERT_EQ(1, efd_wait(b->f.sink, WAIT_MS));
	/* Masked by VFIO: raising again brings nothing until completion. */
	edu_raise(&b->edu);
	EXPECT_EQ(0, efd_wait(b->f.sink, 100));

	ASSERT_EQ(0, intx_complete(b, variant->resample, id));
	ASSERT_EQ(1, efd_wait(b->f.sink, WAIT_MS));

	edu_ack(&b->edu);
	ASSERT_EQ(0, intx_complete(b, variant->resample, id));
	ASSERT_EQ(0, line_wait_stat(b->f.dev, id, unmasked, 2, WAIT_MS, &info));
	EXPECT_EQ(0, efd_wait(b->f.sink, 100));

	ASSERT_EQ(0, line_query(b->f.dev, id, &info));
	EXPECT_EQ(2, info.stats.fired);
	EXPECT_EQ(2, info.stats.delivered);
	EXPECT_EQ(2, info.stats.completed);
	EXPECT_EQ(2, info.stats.unmasked);
	EXPECT_EQ(0, info.state);
}

/* An assertion VFIO reported before the line existed is not wedged. */
TEST_F(intx, asserted_before_line)
{
	struct bed *b = &self->b;
	struct irqfwd_line_info info;
	struct pollfd pfd = { .fd = b->f.source, .events = POLLIN };
	int id;

	edu_raise(&b->edu);
	ASSERT_EQ(1, poll(&pfd, 1, WAIT_MS));
	edu_ack(&b->edu);

	id = intx_line(_metadata, b, variant->resample, variant->mode);
	ASSERT_LT(0, id);
	ASSERT_EQ(1, efd_wait(b->f.sink, WAIT_MS));
	ASSERT_EQ(0, intx_complete(b, variant->resample, id));
	ASSERT_EQ(0, line_wait_stat(b->f.dev, id, unmasked, 1, WAIT_MS, &info));

	/* The line works on: the unmask reached VFIO. */
	edu_raise(&b->edu);
	ASSERT_EQ(1, efd_wait(b->f.sink, WAIT_MS));
	edu_ack(&b->edu);
	EXPECT_EQ(0, efd_wait(b->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(b->f.dev, id, &info));
	EXPECT_EQ(2, info.stats.fired);
	EXPECT_EQ(2, info.stats.delivered);
	EXPECT_EQ(1, info.stats.completed);
	EXPECT_EQ(1, info.stats.unmasked);
	EXPECT_EQ(IRQFWD_LINE_STATE_IN_SERVICE, info.state);
}

/* A masked INTx line latches the assertion; unmask delivers it. */
TEST_F(intx, mask_pending_unmask)
{
	struct bed *b = &self->b;
	struct irqfwd_line_info info;
	int i, id;

	id = intx_line(_metadata, b, variant->resample, variant->mode);
	ASSERT_LT(0, id);

	for (i = 0; i < 100; i++) {
		ASSERT_EQ(IRQFWD_LINE_STATE_MASKED,
			  line_mask(b->f.dev, id, IRQFWD_LINE_MASK_MASK));
		edu_raise(&b->edu);
		ASSERT_EQ(0, line_wait_stat(b->f.dev, id, fired, i + 1, WAIT_MS,
					    &info));
		ASSERT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_PENDING,
			  info.state);
		ASSERT_EQ(0, efd_wait(b->f.sink, 1));
		ASSERT_EQ(0, line_mask(b->f.dev, id, IRQFWD_LINE_MASK_UNMASK) &
			  IRQFWD_LINE_STATE_MASKED);
		ASSERT_EQ(1, efd_wait(b->f.sink, WAIT_MS));
		edu_ack(&b->edu);
		ASSERT_EQ(0, intx_complete(b, variant->resample, id));
	}
	ASSERT_EQ(0, line_wait_stat(b->f.dev, id, unmasked, 100, WAIT_MS, &info));
	EXPECT_EQ(0, efd_wait(b->f.sink, 50));
	ASSERT_EQ(0, line_query(b->f.dev, id, &info));
	EXPECT_EQ(100, info.stats.fired);
	EXPECT_EQ(100, info.stats.delivered);
	EXPECT_EQ(100, info.stats.completed);
	EXPECT_EQ(100, info.stats.unmasked);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_EQ(0, info.stats.spurious);
	EXPECT_EQ(0, info.state);
}

/* A thread that keeps the device raising interrupts. */
struct raiser {
	struct edu *edu;
	atomic_bool stop;
	unsigned long raised;
	pthread_t thread;
};

static void *raiser_fn(void *arg)
{
	struct raiser *r = arg;

	/*
	 * Not flat out: a device raising back to back starves a vCPU of
	 * the emulated test VM while VFIO frees the IRQ (an RCU stall seen
	 * once in the 6.1 lane, in free_irq() and the IRQ flow handler).
	 */
	while (!atomic_load(&r->stop)) {
		edu_raise(r->edu);
		r->raised++;
		edu_ack(r->edu);
		usleep(20);
	}
	return NULL;
}

/* Raises add up in @r->raised over every start and stop. */
static void raiser_start(struct raiser *r, struct edu *edu)
{
	r->edu = edu;
	atomic_store(&r->stop, false);
	pthread_create(&r->thread, NULL, raiser_fn, r);
}

static void raiser_stop(struct raiser *r)
{
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
}

/* Heap's algorithm, iteratively: the next permutation of @a[@n]. */
static bool next_permutation(int *a, int *c, int n)
{
	int i = 0, t;

	while (i < n) {
		if (c[i] < i) {
			if (i % 2 == 0) {
				t = a[0]; a[0] = a[i]; a[i] = t;
			} else {
				t = a[c[i]]; a[c[i]] = a[i]; a[i] = t;
			}
			c[i]++;
			return true;
		}
		c[i++] = 0;
	}
	return false;
}

/*
 * Close the file and each eventfd of a line, in every order, while the
 * device raises interrupts: no warning, no leak, nothing left behind.
 * fds: 0 source, 1 sink, 2 /dev/irqfwd, 3 unmask, 4 resample.
 *
 * The device is quiet while VFIO's interrupts are set up and torn down
 * (not irqfwd's business): on arm64, an MSI raised while VFIO disables
 * and enables MSI again now and then reaches the GIC as an LPI that no
 * longer has a mapping ("Unexpected interrupt (irqnr 8192)", a WARN),
 * with plain VFIO and no irqfwd line too.
 */
static void teardown_every_order(struct __test_metadata *_metadata,
				 struct edu *edu, bool level)
{
	int n = level ? 5 : 3, order[5] = { 0, 1, 2, 3, 4 }, c[5] = { 0 };
	struct irqfwd_line_create lc;
	struct raiser r = { .raised = 0 };
	int orders = 0, fds[5], i;

	do {
		for (i = 0; i < n; i++) {
			fds[i] = i == 2 ? irqfwd_open() : new_eventfd();
			ASSERT_LE(0, fds[i]);
		}
		if (level) {
			ASSERT_EQ(0, edu_set_intx(edu, fds[0], fds[3]));
			line_create_level(&lc, fds[0], fds[1], fds[3], fds[4]);
		} else {
			ASSERT_EQ(0, edu_set_msi(edu, fds[0]));
			line_create_init(&lc, fds[0], fds[1],
					 IRQFWD_TRIGGER_EDGE);
		}
		raiser_start(&r, edu);
		ASSERT_LT(0, line_create(fds[2], &lc));
		usleep(1000);
		if (level)
			line_eoi(fds[2], lc.id);

		for (i = 0; i < n; i++) {
			close(fds[order[i]]);
			if (i == 1)
				usleep(500);
		}
		ASSERT_EQ(0, irqfwd_live_wait("lines", 0, WAIT_MS))
			TH_LOG("order %d", orders);
		ASSERT_EQ(0, irqfwd_live_wait("contexts", 0, WAIT_MS));
		raiser_stop(&r);
		if (level) {
			ASSERT_EQ(0, edu_set_intx(edu, -1, -1));
		} else {
			ASSERT_EQ(0, edu_set_msi(edu, -1));
		}
		orders++;
	} while (next_permutation(order, c, n));
	TH_LOG("%d close orders, %lu raises", orders, r.raised);
	EXPECT_EQ(level ? 120 : 6, orders);
	EXPECT_LT(0, r.raised);
}

FIXTURE(teardown) {
	struct edu edu;
};

FIXTURE_SETUP(teardown)
{
	ASSERT_EQ(0, edu_open(&self->edu));
	ASSERT_EQ(0, irqfwd_live_wait("lines", 0, WAIT_MS));
}

FIXTURE_TEARDOWN(teardown)
{
	edu_close(&self->edu);
}

/* Busy machines run 120 orders slowly: more than the default 30 s. */
TEST_F_TIMEOUT(teardown, every_order_msi, 180)
{
	teardown_every_order(_metadata, &self->edu, false);
}

TEST_F_TIMEOUT(teardown, every_order_intx, 180)
{
	teardown_every_order(_metadata, &self->edu, true);
}

TEST_HARNESS_MAIN
