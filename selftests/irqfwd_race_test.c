// SPDX-License-Identifier: GPL-2.0
/*
 * Races, in the spirit of KVM's irqfd_test: threads create, destroy,
 * switch, mask and complete lines of one context while another thread
 * replaces the eventfds underneath them (dup2() onto the same descriptor
 * numbers, so every release hangs lines up), the edu device raises MSIs
 * into one of them, and a netlink watcher dumps contexts and lines and
 * reads events while files come and go.  Every call must succeed or fail
 * with an errno the uapi header documents for it; afterwards nothing is
 * left alive.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"
#include "vfio_edu.h"
#include "irqfwd_genl.h"

#define SLOTS		8
#define IDS		64
#define MIN_OPS		10000
#define MIN_NETLINK	100
#define MAX_SECONDS	60

struct race {
	int dev;
	int slot[SLOTS];		/* eventfd descriptors, replaced */
	atomic_uint ids[IDS];		/* line ids seen, 0: none */
	atomic_bool stop;
	atomic_ulong ops;
	atomic_ulong bad;		/* undocumented errnos */
	atomic_int last_bad;
	atomic_ulong created, destroyed, replaced, raised, dumps, events;
	struct edu *edu;
};

static void bad(struct race *r, int err, const char *what)
{
	atomic_fetch_add(&r->bad, 1);
	atomic_store(&r->last_bad, err);
	fprintf(stderr, "# race: %s: undocumented %d (%s)\n", what, err,
		strerror(-err));
}

static __u32 pick_id(struct race *r, unsigned int *seed)
{
	__u32 id = atomic_load(&r->ids[rand_r(seed) % IDS]);

	return id ? id : 1 + rand_r(seed) % 1000;
}

static void *creator(void *arg)
{
	struct race *r = arg;
	struct irqfwd_line_create c;
	unsigned int seed = 1;
	int src, snk, ret;

	while (!atomic_load(&r->stop)) {
		src = rand_r(&seed) % SLOTS;
		snk = rand_r(&seed) % SLOTS;
		if (rand_r(&seed) % 2) {
			line_create_init(&c, r->slot[src], r->slot[snk],
					 IRQFWD_TRIGGER_EDGE);
		} else {
			line_create_level(&c, r->slot[src], r->slot[snk],
					  r->slot[(src + 1) % SLOTS],
					  rand_r(&seed) % 2 ?
					  r->slot[(src + 2) % SLOTS] : -1);
		}
		c.mode = rand_r(&seed) % 2;
		ret = line_create(r->dev, &c);
		if (ret > 0) {
			atomic_store(&r->ids[rand_r(&seed) % IDS], ret);
			atomic_fetch_add(&r->created, 1);
		} else if (ret != -EINVAL && ret != -EBUSY && ret != -ENOSPC) {
			/* EINVAL: same eventfd twice, or a loop. */
			bad(r, ret, "create");
		}
		atomic_fetch_add(&r->ops, 1);
	}
	return NULL;
}

static void *worker(void *arg)
{
	struct race *r = arg;
	struct irqfwd_line_info info;
	unsigned int seed = 2;
	int ret;
	__u32 id;

	while (!atomic_load(&r->stop)) {
		id = pick_id(r, &seed);
		switch (rand_r(&seed) % 6) {
		case 0:
			ret = line_destroy(r->dev, id);
			if (!ret)
				atomic_fetch_add(&r->destroyed, 1);
			else if (ret != -ENOENT)
				bad(r, ret, "destroy");
			break;
		case 1:
			ret = line_set_mode(r->dev, id, rand_r(&seed) % 2);
			if (ret < 0 && ret != -ENOENT)
				bad(r, ret, "set_mode");
			break;
		case 2:
			ret = line_mask(r->dev, id, 1u << (rand_r(&seed) % 3));
			if (ret < 0 && ret != -ENOENT)
				bad(r, ret, "mask");
			break;
		case 3:
			ret = line_eoi(r->dev, id);
			if (ret && ret != -ENOENT && ret != -EINVAL)
				bad(r, ret, "eoi");
			break;
		case 4: {
			struct irqfwd_line_storm st = {
				.argsz = sizeof(st), .id = id,
				.rate = rand_r(&seed) % 3 * 50,
			};

			st.backoff_ms = st.rate ? 1 + rand_r(&seed) % 20 : 0;
			ret = irqfwd_ioctl(r->dev, IRQFWD_LINE_SET_STORM, &st);
			if (ret && ret != -ENOENT)
				bad(r, ret, "set_storm");
			break;
		}
		default:
			ret = line_query(r->dev, id, &info);
			if (ret && ret != -ENOENT)
				bad(r, ret, "query");
			break;
		}
		atomic_fetch_add(&r->ops, 1);
	}
	return NULL;
}

/* Replace eventfds under the lines, and signal them. */
static void *replacer(void *arg)
{
	struct race *r = arg;
	unsigned int seed = 3;
	int i, fresh;

	while (!atomic_load(&r->stop)) {
		i = rand_r(&seed) % SLOTS;
		if (rand_r(&seed) % 4) {
			efd_signal(r->slot[i]);
			continue;
		}
		fresh = new_eventfd();
		if (fresh < 0 || dup2(fresh, r->slot[i]) < 0)
			bad(r, -errno, "dup2");
		close(fresh);
		atomic_fetch_add(&r->replaced, 1);
	}
	return NULL;
}

static int count_cb(const struct nlmsghdr *nlh, void *arg)
{
	(*(unsigned long *)arg)++;
	return 0;
}

/*
 * Dump contexts and lines, get lines, and read events, while another file
 * of its own comes and goes with a line in it.
 */
static void *watcher(void *arg)
{
	static char buf[GENL_BUF_SIZE];
	struct race *r = arg;
	struct irqfwd_line_create c;
	unsigned int seed = 4;
	unsigned long n;
	struct genl g, ev;
	struct genl_msg m;
	int ret, other, src;

	/*
	 * Events on a socket of their own: the events of this churn overrun
	 * it now and then (ENOBUFS, as netlink(7) says), which must not cost
	 * the requests their replies.
	 */
	if (genl_open(&g) || genl_open(&ev) || genl_join_events(&ev)) {
		bad(r, -errno, "netlink");
		return NULL;
	}
	while (!atomic_load(&r->stop)) {
		switch (rand_r(&seed) % 4) {
		case 0:
			genl_msg_init(&m, g.family, IRQFWD_CMD_CTX_GET,
				      NLM_F_DUMP);
			break;
		case 1:
			genl_msg_init(&m, g.family, IRQFWD_CMD_LINE_GET,
				      NLM_F_DUMP);
			break;
		case 2:
			genl_msg_init(&m, g.family, IRQFWD_CMD_LINE_GET, 0);
			genl_msg_put_u32(&m, IRQFWD_A_LINE_CTX_ID,
					 1 + rand_r(&seed) % 64);
			genl_msg_put_u32(&m, IRQFWD_A_LINE_ID,
					 pick_id(r, &seed));
			break;
		default:
			/* A file that lives for one round. */
			other = irqfwd_open();
			src = new_eventfd();
			line_create_init(&c, src, r->slot[rand_r(&seed) % SLOTS],
					 IRQFWD_TRIGGER_EDGE);
			ret = line_create(other, &c);
			if (ret < 0 && ret != -EINVAL)
				bad(r, ret, "create (other file)");
			close(other);
			close(src);
			continue;
		}
		n = 0;
		ret = genl_call(&g, &m, count_cb, &n);
		if (ret && ret != -ENOENT)
			bad(r, ret, "netlink");
		atomic_fetch_add(&r->dumps, 1);
		/* Drain the events that came meanwhile. */
		while ((ret = recv(ev.fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0 ||
		       (ret < 0 && errno == ENOBUFS))
			if (ret > 0)
				atomic_fetch_add(&r->events, 1);
		atomic_fetch_add(&r->ops, 1);
	}
	genl_close(&ev);
	genl_close(&g);
	return NULL;
}

/* The device raises MSIs into slot 0's eventfd of the moment. */
static void *raiser(void *arg)
{
	struct race *r = arg;
	unsigned long n = 0;

	while (!atomic_load(&r->stop)) {
		if (!(n++ % 64))
			edu_set_msi(r->edu, r->slot[0]);
		edu_raise(r->edu);
		edu_ack(r->edu);
		atomic_fetch_add(&r->raised, 1);
		usleep(20);	/* see irqfwd_edu_test.c's raiser */
	}
	edu_set_msi(r->edu, -1);
	return NULL;
}

FIXTURE(race) {
	struct edu edu;
};

FIXTURE_SETUP(race)
{
	ASSERT_EQ(0, irqfwd_live_wait("lines", 0, 2000));
	ASSERT_EQ(0, edu_open(&self->edu));
}

FIXTURE_TEARDOWN(race)
{
	edu_close(&self->edu);
}

TEST_F_TIMEOUT(race, everything_at_once, 180)
{
	void *(*fns[])(void *) = { creator, worker, worker, replacer, raiser,
				   watcher };
	pthread_t threads[6];
	struct race *r;
	uint64_t end;
	unsigned int i;

	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	r->edu = &self->edu;
	r->dev = irqfwd_open();
	ASSERT_LE(0, r->dev);
	for (i = 0; i < SLOTS; i++) {
		r->slot[i] = new_eventfd();
		ASSERT_LE(0, r->slot[i]);
	}

	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, fns[i], r));
	end = now_ns() + MAX_SECONDS * 1000000000ull;
	while ((atomic_load(&r->ops) < MIN_OPS ||
		atomic_load(&r->dumps) < MIN_NETLINK) && now_ns() < end)
		usleep(10000);
	/* At least a second of it, and MIN_OPS. */
	usleep(1000000);
	atomic_store(&r->stop, true);
	for (i = 0; i < 6; i++)
		pthread_join(threads[i], NULL);

	TH_LOG("%lu calls: %lu lines created, %lu destroyed, %lu eventfds replaced, %lu raises, %lu netlink requests, %lu events; %lu undocumented errnos",
	       atomic_load(&r->ops), atomic_load(&r->created),
	       atomic_load(&r->destroyed), atomic_load(&r->replaced),
	       atomic_load(&r->raised), atomic_load(&r->dumps),
	       atomic_load(&r->events), atomic_load(&r->bad));
	EXPECT_LE(MIN_OPS, atomic_load(&r->ops));
	EXPECT_EQ(0, atomic_load(&r->bad))
		TH_LOG("last undocumented errno %d", atomic_load(&r->last_bad));
	EXPECT_LT(0, atomic_load(&r->created));
	EXPECT_LT(0, atomic_load(&r->replaced));
	EXPECT_LE(MIN_NETLINK, atomic_load(&r->dumps));
	EXPECT_LT(0, atomic_load(&r->events));

	close(r->dev);
	for (i = 0; i < SLOTS; i++)
		close(r->slot[i]);
	EXPECT_EQ(0, irqfwd_live_wait("lines", 0, 5000));
	EXPECT_EQ(0, irqfwd_live_wait("contexts", 0, 5000));
	free(r);
}

TEST_HARNESS_MAIN
