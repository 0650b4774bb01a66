// SPDX-License-Identifier: GPL-2.0
/*
 * The masked-eventfd relay with plain eventfds on both sides: edge and
 * level semantics, counters, hang-up and teardown.  Userspace plays VFIO
 * (signals the source, watches the unmask eventfd) and KVM (watches the
 * sink, signals the resample eventfd).  The edu and kvm tests do the same
 * with the real ones.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"

#define WAIT_MS	2000

FIXTURE(level) {
	struct line_fds f;
};

/*
 * The level tests complete through the resample eventfd, or by EOI; the
 * line asks for masked or forwarded mode (a level line runs masked, the
 * reason "level": the counts are the same).
 */
FIXTURE_VARIANT(level) {
	bool resample;
	__u32 mode;
};

FIXTURE_VARIANT_ADD(level, resample) {
	.resample = true,
	.mode = IRQFWD_MODE_MASKED,
};

FIXTURE_VARIANT_ADD(level, eoi) {
	.resample = false,
	.mode = IRQFWD_MODE_MASKED,
};

FIXTURE_VARIANT_ADD(level, resample_forwarded) {
	.resample = true,
	.mode = IRQFWD_MODE_FORWARDED,
};

FIXTURE_VARIANT_ADD(level, eoi_forwarded) {
	.resample = false,
	.mode = IRQFWD_MODE_FORWARDED,
};

FIXTURE_SETUP(level)
{
	ASSERT_EQ(0, line_fds_open(&self->f));
}

FIXTURE_TEARDOWN(level)
{
	line_fds_close(&self->f);
}

/*
 * Edge lines: the same eventfds, no completion variants; masked or
 * forwarded mode asked for (plain eventfds have no producer: the line
 * runs masked, the reason "no-producer").
 */
FIXTURE(edge) {
	struct line_fds f;
};

FIXTURE_VARIANT(edge) {
	__u32 mode;
};

FIXTURE_VARIANT_ADD(edge, masked) {
	.mode = IRQFWD_MODE_MASKED,
};

FIXTURE_VARIANT_ADD(edge, forwarded) {
	.mode = IRQFWD_MODE_FORWARDED,
};

FIXTURE_SETUP(edge)
{
	ASSERT_EQ(0, line_fds_open(&self->f));
}

FIXTURE_TEARDOWN(edge)
{
	line_fds_close(&self->f);
}

/* fired == delivered + coalesced + pending, at any instant. */
static bool stats_balance(const struct irqfwd_line_info *info)
{
	return info->stats.fired == info->stats.delivered +
		info->stats.coalesced + info->stats.cleared +
		!!(info->state & IRQFWD_LINE_STATE_PENDING);
}

/*
 * Create the line in @mode; whichever was asked for, it runs masked, and
 * says why.  Returns its id, or -errno.
 */
static int relay_line(struct __test_metadata *_metadata, int dev,
		      struct irqfwd_line_create *c, __u32 mode)
{
	struct irqfwd_line_info info;
	__u32 reason = IRQFWD_REASON_NONE;
	int id;

	c->mode = mode;
	id = line_create(dev, c);
	if (id <= 0)
		return id;
	if (mode == IRQFWD_MODE_FORWARDED)
		reason = c->trigger == IRQFWD_TRIGGER_LEVEL ?
			 IRQFWD_REASON_LEVEL : IRQFWD_REASON_NO_PRODUCER;
	EXPECT_EQ(0, line_query(dev, id, &info));
	EXPECT_EQ(mode, info.mode);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	EXPECT_EQ(reason, info.reason);
	return id;
}

TEST_F(edge, edge_each_signal_delivered)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int i, id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, efd_signal(self->f.source));
		ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS)) TH_LOG("i=%d", i);
	}
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	/* irqfwd consumed the source. */
	EXPECT_EQ(0, efd_take(self->f.source));

	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(1000, info.stats.fired);
	EXPECT_EQ(1000, info.stats.delivered);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_EQ(0, info.stats.completed);
	EXPECT_EQ(0, info.stats.unmasked);
	EXPECT_EQ(0, info.state);
}

/* Signals without waiting: the sink counts them all, merged or not. */
TEST_F(edge, edge_burst_balanced)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int64_t got = 0, n;
	int i, id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	for (i = 0; i < 10000; i++)
		ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, fired, 10000, WAIT_MS,
				    &info));
	do {
		n = efd_wait(self->f.sink, 100);
		ASSERT_LE(0, n);
		got += n;
	} while (n);

	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(10000, info.stats.fired);
	EXPECT_EQ(got, info.stats.delivered);
	EXPECT_EQ(10000, info.stats.delivered + info.stats.coalesced);
	EXPECT_EQ(0, info.state);
	TH_LOG("10000 signals: %llu delivered, %llu coalesced",
	       (unsigned long long)info.stats.delivered,
	       (unsigned long long)info.stats.coalesced);
}

/* What the source counted before the line existed is not lost. */
TEST_F(edge, edge_fired_before_create)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int i, id;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, efd_signal(self->f.source));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(5, info.stats.fired);
	EXPECT_EQ(1, info.stats.delivered);
	EXPECT_EQ(4, info.stats.coalesced);
	EXPECT_TRUE(stats_balance(&info));
}

static int complete(struct __test_metadata *_metadata,
		    FIXTURE_DATA(level) *self, bool resample, __u32 id)
{
	if (resample)
		return efd_signal(self->f.resample);
	return line_eoi(self->f.dev, id);
}

/*
 * The automask protocol: fire -> deliver -> (in service; further fires are
 * the masked source's business) -> complete -> unmask.
 */
TEST_F(level, level_automask_protocol)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int i, id;

	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  variant->resample ? self->f.resample : -1);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, efd_signal(self->f.source));
		ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS)) TH_LOG("i=%d", i);
		if (i == 0) {
			ASSERT_EQ(0, line_query(self->f.dev, id, &info));
			EXPECT_EQ(IRQFWD_LINE_STATE_IN_SERVICE, info.state);
			/* A source that ignores its mask is coalesced. */
			ASSERT_EQ(0, efd_signal(self->f.source));
			ASSERT_EQ(0, line_wait_stat(self->f.dev, id, fired, 2,
						    WAIT_MS, &info));
			EXPECT_EQ(1, info.stats.coalesced);
			EXPECT_EQ(IRQFWD_LINE_STATE_IN_SERVICE, info.state);
		}
		EXPECT_EQ(0, efd_take(self->f.unmask));
		ASSERT_EQ(0, complete(_metadata, self, variant->resample, id));
		ASSERT_EQ(1, efd_wait(self->f.unmask, WAIT_MS)) TH_LOG("i=%d", i);
	}
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	EXPECT_EQ(0, efd_take(self->f.unmask));

	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(1001, info.stats.fired);
	EXPECT_EQ(1000, info.stats.delivered);
	EXPECT_EQ(1, info.stats.coalesced);
	EXPECT_EQ(1000, info.stats.completed);
	EXPECT_EQ(1000, info.stats.unmasked);
	EXPECT_EQ(0, info.stats.spurious);
	EXPECT_EQ(0, info.state);
}

/* Without an unmask eventfd, a fire while in service is latched. */
TEST_F(level, level_latch_without_unmask)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_level(&c, self->f.source, self->f.sink, -1,
			  variant->resample ? self->f.resample : -1);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, fired, 3, WAIT_MS, &info));
	EXPECT_EQ(IRQFWD_LINE_STATE_IN_SERVICE | IRQFWD_LINE_STATE_PENDING,
		  info.state);
	EXPECT_EQ(1, info.stats.delivered);
	EXPECT_EQ(1, info.stats.coalesced);
	EXPECT_TRUE(stats_balance(&info));
	EXPECT_EQ(0, efd_take(self->f.sink));

	/* Completion delivers the latched one; the line stays in service. */
	ASSERT_EQ(0, complete(_metadata, self, variant->resample, id));
	ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, completed, 1, WAIT_MS,
				    &info));
	EXPECT_EQ(IRQFWD_LINE_STATE_IN_SERVICE, info.state);
	EXPECT_EQ(2, info.stats.delivered);
	EXPECT_TRUE(stats_balance(&info));

	ASSERT_EQ(0, complete(_metadata, self, variant->resample, id));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, completed, 2, WAIT_MS,
				    &info));
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(0, efd_wait(self->f.sink, 50));
	EXPECT_EQ(0, info.stats.unmasked);
	EXPECT_EQ(0, info.stats.spurious);
}

/* A completion with nothing in service changes nothing but a counter. */
TEST_F(level, level_spurious_completion)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  variant->resample ? self->f.resample : -1);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	ASSERT_EQ(0, complete(_metadata, self, variant->resample, id));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, spurious, 1, WAIT_MS,
				    &info));
	EXPECT_EQ(1, info.stats.spurious);
	EXPECT_EQ(0, info.stats.completed);
	EXPECT_EQ(0, info.stats.unmasked);
	EXPECT_EQ(0, efd_wait(self->f.unmask, 50));
	EXPECT_EQ(0, efd_take(self->f.sink));
}

/* Completions signalled before the line existed are not its own. */
TEST_F(level, level_stale_resample_ignored)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	ASSERT_EQ(0, efd_signal(self->f.resample));
	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  self->f.resample);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.stats.spurious);
	EXPECT_EQ(0, info.stats.completed);
	EXPECT_EQ(0, efd_take(self->f.unmask));
}

/* After destroy, the source's signals stay in the source. */
TEST_F(edge, destroy_stops_relay)
{
	struct irqfwd_line_create c;
	int id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, line_destroy(self->f.dev, id));
	ASSERT_EQ(0, efd_signal(self->f.source));
	EXPECT_EQ(0, efd_wait(self->f.sink, 50));
	EXPECT_EQ(1, efd_take(self->f.source));
}

/* Masked: every signal latched into one pending interrupt. */
TEST_F(edge, mask_latches_once)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int i, id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	ASSERT_EQ(IRQFWD_LINE_STATE_MASKED,
		  line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, fired, 5, WAIT_MS, &info));
	EXPECT_EQ(0, efd_wait(self->f.sink, 50));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_PENDING,
		  info.state);
	EXPECT_EQ(0, info.stats.delivered);
	EXPECT_EQ(4, info.stats.coalesced);
	EXPECT_TRUE(stats_balance(&info));

	/* Masking again changes nothing. */
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_PENDING,
		  line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK));

	ASSERT_EQ(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK) &
		  IRQFWD_LINE_STATE_MASKED);
	EXPECT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	EXPECT_EQ(0, efd_wait(self->f.sink, 50));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(1, info.stats.delivered);
	EXPECT_TRUE(stats_balance(&info));

	/* Unmasked again: each signal delivered. */
	ASSERT_EQ(0, efd_signal(self->f.source));
	EXPECT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(6, info.stats.fired);
	EXPECT_EQ(2, info.stats.delivered);
	EXPECT_TRUE(stats_balance(&info));
}

TEST_F(edge, mask_clear_pending)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, fired, 2, WAIT_MS, &info));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED,
		  line_mask(self->f.dev, id, IRQFWD_LINE_MASK_CLEAR_PENDING));
	/* Clearing twice is clearing once. */
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED,
		  line_mask(self->f.dev, id, IRQFWD_LINE_MASK_CLEAR_PENDING));
	EXPECT_EQ(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK));
	EXPECT_EQ(0, efd_wait(self->f.sink, 50));

	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(2, info.stats.fired);
	EXPECT_EQ(0, info.stats.delivered);
	EXPECT_EQ(1, info.stats.coalesced);
	EXPECT_EQ(1, info.stats.cleared);
	EXPECT_TRUE(stats_balance(&info));
}

TEST_F(edge, unmask_nothing_pending)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	EXPECT_EQ(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK));
	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK));
	EXPECT_EQ(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK));
	EXPECT_EQ(0, efd_wait(self->f.sink, 50));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.stats.fired);
	EXPECT_EQ(0, info.stats.delivered);
}

/* Masked level lines latch too; delivery puts the line in service. */
TEST_F(level, mask_latches_and_unmask_delivers)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  variant->resample ? self->f.resample : -1);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, fired, 1, WAIT_MS, &info));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_PENDING,
		  info.state);
	EXPECT_EQ(0, efd_wait(self->f.sink, 50));
	/* Not in service: a completion now is not this interrupt's. */
	ASSERT_EQ(0, complete(_metadata, self, variant->resample, id));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, spurious, 1, WAIT_MS,
				    &info));
	EXPECT_EQ(0, efd_take(self->f.unmask));

	EXPECT_EQ(IRQFWD_LINE_STATE_IN_SERVICE,
		  line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK) &
		  ~IRQFWD_LINE_STATE_PENDING);
	ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	ASSERT_EQ(0, complete(_metadata, self, variant->resample, id));
	ASSERT_EQ(1, efd_wait(self->f.unmask, WAIT_MS));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	EXPECT_EQ(0, efd_take(self->f.unmask));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(1, info.stats.delivered);
	EXPECT_EQ(1, info.stats.completed);
	EXPECT_EQ(1, info.stats.unmasked);
	EXPECT_TRUE(stats_balance(&info));
}

/* Clearing a level line's latch lets the source trigger again. */
TEST_F(level, clear_pending_unmasks_source)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  variant->resample ? self->f.resample : -1);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, fired, 1, WAIT_MS, &info));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED,
		  line_mask(self->f.dev, id, IRQFWD_LINE_MASK_CLEAR_PENDING));
	EXPECT_EQ(1, efd_wait(self->f.unmask, WAIT_MS));
	EXPECT_EQ(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK));
	EXPECT_EQ(0, efd_wait(self->f.sink, 50));
	EXPECT_EQ(0, efd_take(self->f.unmask));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.stats.delivered);
	EXPECT_EQ(1, info.stats.cleared);
	EXPECT_EQ(1, info.stats.unmasked);
	EXPECT_TRUE(stats_balance(&info));
}

/* A masked line still completes the interrupt it has in service. */
TEST_F(level, mask_while_in_service)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  variant->resample ? self->f.resample : -1);
	id = relay_line(_metadata, self->f.dev, &c, variant->mode);
	ASSERT_LT(0, id);

	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_IN_SERVICE,
		  line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, complete(_metadata, self, variant->resample, id));
	ASSERT_EQ(1, efd_wait(self->f.unmask, WAIT_MS));
	/* The source triggers again: latched, not delivered. */
	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, fired, 2, WAIT_MS, &info));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_PENDING,
		  info.state);
	EXPECT_EQ(0, efd_wait(self->f.sink, 50));
	EXPECT_EQ(0, efd_take(self->f.unmask));
	EXPECT_EQ(1, info.stats.delivered);
	EXPECT_EQ(1, info.stats.completed);
	EXPECT_EQ(1, info.stats.unmasked);

	/* Unmasked, the latched one is delivered once, and completes. */
	EXPECT_EQ(IRQFWD_LINE_STATE_IN_SERVICE,
		  line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK) &
		  ~IRQFWD_LINE_STATE_PENDING);
	ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	ASSERT_EQ(0, complete(_metadata, self, variant->resample, id));
	ASSERT_EQ(1, efd_wait(self->f.unmask, WAIT_MS));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	EXPECT_EQ(0, efd_take(self->f.unmask));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(2, info.stats.fired);
	EXPECT_EQ(2, info.stats.delivered);
	EXPECT_EQ(2, info.stats.completed);
	EXPECT_EQ(2, info.stats.unmasked);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_TRUE(stats_balance(&info));
}

/*
 * A hang-up queues irqfwd_line_hangup_work() from inside the close() that
 * released the eventfd.  With the workqueue_queue_work tracepoint on (in
 * a tracing instance of our own), a hang-up that happened is in the trace
 * when close() returns, and one that did not happen never will be.
 */
#define HANGUP_TRACE	"/sys/kernel/tracing/instances/irqfwd_relay_hangup"

static int hangup_trace_start(void)
{
	if (mkdir(HANGUP_TRACE, 0755) && errno != EEXIST)
		return -errno;
	return file_write(HANGUP_TRACE
			  "/events/workqueue/workqueue_queue_work/enable", "1") ?:
	       file_write_flags(HANGUP_TRACE "/trace", "", O_TRUNC);
}

/* Hang-ups queued since hangup_trace_start(), or -errno. */
static int hangup_trace_count(void)
{
	char buf[4096];
	int fd, n = 0;
	FILE *f;

	fd = open(HANGUP_TRACE "/trace", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	while (fgets(buf, sizeof(buf), f))
		if (strstr(buf, "function=irqfwd_line_hangup_work"))
			n++;
	fclose(f);
	return n;
}

static void hangup_trace_stop(void)
{
	file_write(HANGUP_TRACE "/events/workqueue/workqueue_queue_work/enable",
		   "0");
	rmdir(HANGUP_TRACE);
}

FIXTURE(hangup) {
	int dev;
	int fds[4];	/* source, sink, unmask, resample */
};

FIXTURE_VARIANT(hangup) {
	int close_idx;
};

FIXTURE_VARIANT_ADD(hangup, source) { .close_idx = 0 };
FIXTURE_VARIANT_ADD(hangup, sink) { .close_idx = 1 };
FIXTURE_VARIANT_ADD(hangup, unmask) { .close_idx = 2 };
FIXTURE_VARIANT_ADD(hangup, resample) { .close_idx = 3 };

FIXTURE_SETUP(hangup)
{
	int i;

	ASSERT_EQ(0, irqfwd_live_wait("lines", 0, WAIT_MS));
	self->dev = irqfwd_open();
	ASSERT_LE(0, self->dev);
	for (i = 0; i < 4; i++) {
		self->fds[i] = new_eventfd();
		ASSERT_LE(0, self->fds[i]);
	}
}

FIXTURE_TEARDOWN(hangup)
{
	int i;

	hangup_trace_stop();
	for (i = 0; i < 4; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	close(self->dev);
}

/* Closing any of a line's eventfds takes the line down, like KVM irqfd. */
TEST_F(hangup, close_eventfd)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id, alias;

	line_create_level(&c, self->fds[0], self->fds[1], self->fds[2],
			  self->fds[3]);
	id = line_create(self->dev, &c);
	ASSERT_LT(0, id);
	ASSERT_EQ(1, irqfwd_live("lines"));

	/* Closing one of two descriptors releases nothing: no hang-up. */
	ASSERT_EQ(0, hangup_trace_start());
	alias = dup(self->fds[variant->close_idx]);
	ASSERT_LE(0, alias);
	close(self->fds[variant->close_idx]);
	self->fds[variant->close_idx] = alias;
	EXPECT_EQ(0, hangup_trace_count());
	ASSERT_EQ(0, line_query(self->dev, id, &info));

	/* The last one does: one hang-up, and the line goes. */
	close(self->fds[variant->close_idx]);
	self->fds[variant->close_idx] = -1;
	EXPECT_EQ(1, hangup_trace_count());
	EXPECT_EQ(-ENOENT, line_wait_gone(self->dev, id, WAIT_MS));
	EXPECT_EQ(-ENOENT, line_destroy(self->dev, id));
	EXPECT_EQ(0, irqfwd_live_wait("lines", 0, WAIT_MS));

	/* The context lives on. */
	line_create_init(&c, self->fds[variant->close_idx < 2 ? 2 : 0],
			 self->fds[variant->close_idx < 2 ? 3 : 1],
			 IRQFWD_TRIGGER_EDGE);
	EXPECT_LT(0, line_create(self->dev, &c));
}

/* Closing the file takes every line and the context down. */
TEST(close_file_frees_everything)
{
	struct irqfwd_line_create c;
	int dev, i, sink, src[100];

	ASSERT_EQ(0, irqfwd_live_wait("lines", 0, WAIT_MS));
	ASSERT_EQ(0, irqfwd_live_wait("contexts", 0, WAIT_MS));
	dev = irqfwd_open();
	ASSERT_LE(0, dev);
	EXPECT_EQ(1, irqfwd_live("contexts"));
	sink = new_eventfd();
	ASSERT_LE(0, sink);
	for (i = 0; i < 100; i++) {
		src[i] = new_eventfd();
		ASSERT_LE(0, src[i]);
		line_create_init(&c, src[i], sink, IRQFWD_TRIGGER_EDGE);
		ASSERT_LT(0, line_create(dev, &c));
	}
	EXPECT_EQ(100, irqfwd_live("lines"));
	for (i = 0; i < 100; i += 7)
		ASSERT_EQ(0, efd_signal(src[i]));

	close(dev);
	EXPECT_EQ(0, irqfwd_live_wait("lines", 0, WAIT_MS));
	EXPECT_EQ(0, irqfwd_live_wait("contexts", 0, WAIT_MS));
	/* Some went out before the close, or none: at most one each. */
	EXPECT_GE(15, efd_take(sink));
	for (i = 0; i < 100; i++)
		close(src[i]);
	close(sink);
}

/* The module cannot go while a file is open. */
TEST(unload_refused_while_open)
{
	int dev;

	dev = irqfwd_open();
	ASSERT_LE(0, dev);
	EXPECT_EQ(-1, syscall(SYS_delete_module, "irqfwd", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, access("/sys/module/irqfwd", F_OK));
	close(dev);
}

TEST_HARNESS_MAIN
