// SPDX-License-Identifier: GPL-2.0
/*
 * The storm guard: a line whose source fires beyond its rate is held for
 * its back-off, counted, reported, and resumes with its last interrupt;
 * a normal line beside it keeps working.
 */
#include <linux/irqfwd_netlink.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"
#include "irqfwd_genl.h"
#include "vfio_edu.h"

#define PARAMS	"/sys/module/irqfwd/parameters/"

static int line_set_storm(int dev, __u32 id, __u32 rate, __u32 backoff_ms)
{
	struct irqfwd_line_storm s = {
		.argsz = sizeof(s), .id = id, .rate = rate,
		.backoff_ms = backoff_ms,
	};

	return irqfwd_ioctl(dev, IRQFWD_LINE_SET_STORM, &s);
}

static int param_write(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), PARAMS "%s", name);
	return file_write(path, value);
}

/* The next line-change-ntf's state, or -1. */
static int next_change_state(struct genl *g)
{
	static char buf[GENL_BUF_SIZE];
	const struct nlattr *tb[GENL_MAX_ATTR + 1];
	struct pollfd p = { .fd = g->fd, .events = POLLIN };
	struct nlmsghdr *nlh = (void *)buf;
	ssize_t n;

	while (poll(&p, 1, 10000) > 0) {
		n = recv(g->fd, buf, sizeof(buf), 0);
		if (n < 0 || !NLMSG_OK(nlh, n))
			return -1;
		if (genl_cmd_of(nlh) != IRQFWD_CMD_LINE_CHANGE_NTF)
			continue;
		genl_parse_msg(tb, nlh);
		return tb[IRQFWD_A_LINE_STATE] ?
		       (int)nla_u32_of(tb[IRQFWD_A_LINE_STATE]) : -1;
	}
	return -1;
}

/*
 * Wait up to 10 s (timers fire late on a loaded machine: a hold of 50 ms
 * may take much longer) until the line's state has none of @bits; the
 * last query is left in @info.
 */
static int wait_state_clear(int dev, __u32 id, __u32 bits,
			    struct irqfwd_line_info *info)
{
	uint64_t end = now_ns() + 10000 * 1000000ull;
	int ret;

	for (;;) {
		ret = line_query(dev, id, info);
		if (ret || !(info->state & bits) || now_ns() > end)
			return ret;
		usleep(1000);
	}
}

#define EXPECT_BALANCED(_i)						\
	EXPECT_EQ((_i).stats.fired, (_i).stats.delivered +		\
		  (_i).stats.coalesced + (_i).stats.cleared +		\
		  !!((_i).state & IRQFWD_LINE_STATE_PENDING))

FIXTURE(plain) {
	struct line_fds f;
	int id;
};

FIXTURE_SETUP(plain)
{
	struct irqfwd_line_create c;

	ASSERT_EQ(0, line_fds_open(&self->f));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	self->id = line_create(self->f.dev, &c);
	ASSERT_LT(0, self->id);
}

FIXTURE_TEARDOWN(plain)
{
	line_fds_close(&self->f);
}

/* Off by default; the module's parameters are the defaults of new lines. */
TEST_F(plain, defaults)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int src, id;

	ASSERT_EQ(0, line_query(self->f.dev, self->id, &info));
	EXPECT_EQ(0, info.storm_rate);
	EXPECT_EQ(100, info.storm_backoff_ms);

	ASSERT_EQ(0, param_write("storm_rate", "500"));
	ASSERT_EQ(0, param_write("storm_backoff_ms", "70000"));
	src = new_eventfd();
	line_create_init(&c, src, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_EQ(0, param_write("storm_rate", "0"));
	ASSERT_EQ(0, param_write("storm_backoff_ms", "100"));
	ASSERT_LT(0, id);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(500, info.storm_rate);
	/* Clamped to what the ABI allows. */
	EXPECT_EQ(IRQFWD_STORM_BACKOFF_MAX_MS, info.storm_backoff_ms);
	close(src);
}

/* 100 interrupts at 100/s: held, counted, reported, resumed with one. */
TEST_F(plain, holds_and_resumes)
{
	struct irqfwd_line_info info;
	struct genl g;
	int64_t seen;
	int i;

	ASSERT_EQ(0, genl_open(&g));
	ASSERT_EQ(0, genl_join_events(&g));
	ASSERT_EQ(0, line_set_storm(self->f.dev, self->id, 100, 1000));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, efd_signal(self->f.source));

	ASSERT_EQ(0, line_query(self->f.dev, self->id, &info));
	EXPECT_EQ(IRQFWD_LINE_STATE_STORM | IRQFWD_LINE_STATE_PENDING,
		  info.state);
	EXPECT_EQ(1, info.stats.storms);
	EXPECT_EQ(100, info.stats.fired);
	/* At most the share of a window (100 / 10), or of two. */
	EXPECT_GE(20, info.stats.delivered);
	EXPECT_BALANCED(info);
	EXPECT_EQ(IRQFWD_LINE_STATE_STORM | IRQFWD_LINE_STATE_PENDING,
		  next_change_state(&g));
	seen = efd_take(self->f.sink);
	EXPECT_EQ((int64_t)info.stats.delivered, seen);

	/* The back-off ends: the latched interrupt goes out, once. */
	EXPECT_EQ(0, next_change_state(&g));
	EXPECT_EQ(1, efd_wait(self->f.sink, 10000));
	ASSERT_EQ(0, line_query(self->f.dev, self->id, &info));
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(seen + 1, (int64_t)info.stats.delivered);
	EXPECT_BALANCED(info);

	/* And the line works as before. */
	ASSERT_EQ(0, efd_signal(self->f.source));
	EXPECT_EQ(1, efd_wait(self->f.sink, 10000));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(self->f.dev, self->id, &info));
	EXPECT_EQ(101, info.stats.fired);
	EXPECT_EQ(seen + 2, (int64_t)info.stats.delivered);
	EXPECT_BALANCED(info);
	genl_close(&g);
}

/* Turning the guard off ends a hold at once. */
TEST_F(plain, off_ends_hold)
{
	struct irqfwd_line_info info;
	int64_t seen;
	int i;

	ASSERT_EQ(0, line_set_storm(self->f.dev, self->id, 10, 60000));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, line_query(self->f.dev, self->id, &info));
	ASSERT_EQ(IRQFWD_LINE_STATE_STORM | IRQFWD_LINE_STATE_PENDING,
		  info.state);
	/* What went out before the hold, each once. */
	seen = efd_count(self->f.sink, info.stats.delivered, 10000);
	EXPECT_EQ((int64_t)info.stats.delivered, seen);

	ASSERT_EQ(0, line_set_storm(self->f.dev, self->id, 0, 0));
	EXPECT_EQ(1, efd_wait(self->f.sink, 10000));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(self->f.dev, self->id, &info));
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(10, info.stats.fired);
	EXPECT_EQ(seen + 1, (int64_t)info.stats.delivered);
	EXPECT_BALANCED(info);
}

/* A masked line stays masked when its hold ends; unmask delivers. */
TEST_F(plain, hold_and_mask)
{
	struct irqfwd_line_info info;
	int64_t seen;
	int i;

	ASSERT_EQ(0, line_set_storm(self->f.dev, self->id, 10, 1000));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(IRQFWD_LINE_STATE_STORM | IRQFWD_LINE_STATE_PENDING |
		  IRQFWD_LINE_STATE_MASKED,
		  line_mask(self->f.dev, self->id, IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, line_query(self->f.dev, self->id, &info));
	seen = efd_count(self->f.sink, info.stats.delivered, 10000);
	EXPECT_EQ((int64_t)info.stats.delivered, seen);
	/* The hold ends; the mask stays, and so does the latch. */
	ASSERT_EQ(0, wait_state_clear(self->f.dev, self->id,
				      IRQFWD_LINE_STATE_STORM, &info));
	EXPECT_EQ(IRQFWD_LINE_STATE_PENDING | IRQFWD_LINE_STATE_MASKED,
		  info.state);
	EXPECT_EQ(0, efd_take(self->f.sink));
	EXPECT_LE(0, line_mask(self->f.dev, self->id, IRQFWD_LINE_MASK_UNMASK));
	EXPECT_EQ(1, efd_wait(self->f.sink, 10000));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(self->f.dev, self->id, &info));
	EXPECT_EQ(5, info.stats.fired);
	EXPECT_EQ(seen + 1, (int64_t)info.stats.delivered);
	EXPECT_BALANCED(info);
}

/* The device raising flat out is held; a line beside it keeps working. */
TEST(edu_storm_spares_other_line)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info a, b;
	struct line_fds f;
	int stormy, normal, src2, sink2, i, ret;
	struct edu edu;
	pid_t pid;
	int pipefd[2];

	ret = edu_open(&edu);
	ASSERT_EQ(0, ret) TH_LOG("edu device via vfio-pci: %s", strerror(-ret));
	ASSERT_EQ(0, line_fds_open(&f));
	src2 = new_eventfd();
	sink2 = new_eventfd();
	ASSERT_EQ(0, edu_set_msi(&edu, f.source));

	line_create_init(&c, f.source, f.sink, IRQFWD_TRIGGER_EDGE);
	stormy = line_create(f.dev, &c);
	ASSERT_LT(0, stormy);
	ASSERT_EQ(0, line_set_storm(f.dev, stormy, 200, 100));
	line_create_init(&c, src2, sink2, IRQFWD_TRIGGER_EDGE);
	normal = line_create(f.dev, &c);
	ASSERT_LT(0, normal);
	ASSERT_EQ(0, line_set_storm(f.dev, normal, 1000000, 100));

	/* A child raises in a tight loop until the pipe closes. */
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };

		close(pipefd[1]);
		while (!poll(&p, 1, 0)) {
			edu_raise(&edu);
			edu_ack(&edu);
		}
		_exit(0);
	}
	close(pipefd[0]);

	/* The storm is on: the guard holds the line. */
	ASSERT_EQ(0, line_wait_stat(f.dev, stormy, storms, 1, 5000, &a));
	ASSERT_LE(1, a.stats.storms);

	/* Meanwhile the other line delivers each of 1,000 interrupts. */
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, efd_signal(src2));
		ASSERT_EQ(1, efd_wait(sink2, 2000)) TH_LOG("interrupt %d", i);
	}
	EXPECT_EQ(0, efd_wait(sink2, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(f.dev, stormy, &a));
	EXPECT_LT(a.stats.delivered, a.stats.fired);

	close(pipefd[1]);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	/* Every hold ends after its back-off; then nothing is pending. */
	ASSERT_EQ(0, wait_state_clear(f.dev, stormy, IRQFWD_LINE_STATE_STORM |
				      IRQFWD_LINE_STATE_PENDING, &a));
	ASSERT_EQ(0, line_query(f.dev, normal, &b));
	TH_LOG("stormy line: fired %llu delivered %llu coalesced %llu storms %llu",
	       (unsigned long long)a.stats.fired,
	       (unsigned long long)a.stats.delivered,
	       (unsigned long long)a.stats.coalesced,
	       (unsigned long long)a.stats.storms);
	EXPECT_EQ(0, a.state);
	EXPECT_LE(1, a.stats.storms);
	EXPECT_LT(a.stats.delivered, a.stats.fired);
	/* The last interrupt was delivered, not lost: nothing pending. */
	EXPECT_BALANCED(a);
	EXPECT_EQ(0, a.stats.cleared);
	EXPECT_EQ(0, b.state);
	EXPECT_EQ(0, b.stats.storms);
	EXPECT_EQ(1000, b.stats.delivered);
	/* The stormy line's sink saw each delivery once. */
	EXPECT_EQ((int64_t)a.stats.delivered,
		  efd_count(f.sink, a.stats.delivered, 5000));

	edu_set_msi(&edu, -1);
	close(src2);
	close(sink2);
	line_fds_close(&f);
	edu_close(&edu);
}

TEST_HARNESS_MAIN
