// SPDX-License-Identifier: GPL-2.0
/*
 * The irqfwd generic netlink family and the tracepoints: the family as the
 * spec describes it, dumps equal to IRQFWD_LINE_QUERY field by field, the
 * order of events, visibility without CAP_NET_ADMIN, and the trace events
 * of the interrupt path.
 */
#include <linux/capability.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"
#include "irqfwd_genl.h"

/* A line as netlink tells it. */
struct nl_line {
	uint8_t cmd;
	uint32_t ctx_id;
	struct irqfwd_line_info info;	/* id and the query's fields */
	uint32_t cause;
	bool has_cause;
};

/* Every attribute of the line set but cause must be there. */
static int nl_line_parse(const struct nlmsghdr *nlh, struct nl_line *l)
{
	static const int want[] = {
		IRQFWD_A_LINE_CTX_ID, IRQFWD_A_LINE_ID, IRQFWD_A_LINE_FLAGS,
		IRQFWD_A_LINE_TRIGGER, IRQFWD_A_LINE_MODE,
		IRQFWD_A_LINE_EFFECTIVE_MODE, IRQFWD_A_LINE_REASON,
		IRQFWD_A_LINE_STATE, IRQFWD_A_LINE_HOST_IRQ,
		IRQFWD_A_LINE_BYPASS, IRQFWD_A_LINE_STATS,
		IRQFWD_A_LINE_STORM_RATE, IRQFWD_A_LINE_STORM_BACKOFF_MS,
	};
	static const int stats[] = {
		IRQFWD_A_STATS_FIRED, IRQFWD_A_STATS_DELIVERED,
		IRQFWD_A_STATS_COALESCED, IRQFWD_A_STATS_COMPLETED,
		IRQFWD_A_STATS_UNMASKED, IRQFWD_A_STATS_SPURIOUS,
		IRQFWD_A_STATS_CLEARED, IRQFWD_A_STATS_STORMS,
	};
	const struct nlattr *tb[GENL_MAX_ATTR + 1], *st[GENL_MAX_ATTR + 1];
	struct irqfwd_line_info *i = &l->info;
	unsigned int k;

	memset(l, 0, sizeof(*l));
	l->cmd = genl_cmd_of(nlh);
	genl_parse_msg(tb, nlh);
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		if (!tb[want[k]])
			return -1;
	genl_parse_nest(st, tb[IRQFWD_A_LINE_STATS]);
	for (k = 0; k < sizeof(stats) / sizeof(stats[0]); k++)
		if (!st[stats[k]])
			return -1;

	l->ctx_id = nla_u32_of(tb[IRQFWD_A_LINE_CTX_ID]);
	i->id = nla_u32_of(tb[IRQFWD_A_LINE_ID]);
	i->line_flags = nla_u32_of(tb[IRQFWD_A_LINE_FLAGS]);
	i->trigger = nla_u32_of(tb[IRQFWD_A_LINE_TRIGGER]);
	i->mode = nla_u32_of(tb[IRQFWD_A_LINE_MODE]);
	i->effective_mode = nla_u32_of(tb[IRQFWD_A_LINE_EFFECTIVE_MODE]);
	i->reason = nla_u32_of(tb[IRQFWD_A_LINE_REASON]);
	i->state = nla_u32_of(tb[IRQFWD_A_LINE_STATE]);
	i->host_irq = nla_u32_of(tb[IRQFWD_A_LINE_HOST_IRQ]);
	i->bypass = nla_u32_of(tb[IRQFWD_A_LINE_BYPASS]);
	i->stats.fired = nla_u64_of(st[IRQFWD_A_STATS_FIRED]);
	i->stats.delivered = nla_u64_of(st[IRQFWD_A_STATS_DELIVERED]);
	i->stats.coalesced = nla_u64_of(st[IRQFWD_A_STATS_COALESCED]);
	i->stats.completed = nla_u64_of(st[IRQFWD_A_STATS_COMPLETED]);
	i->stats.unmasked = nla_u64_of(st[IRQFWD_A_STATS_UNMASKED]);
	i->stats.spurious = nla_u64_of(st[IRQFWD_A_STATS_SPURIOUS]);
	i->stats.cleared = nla_u64_of(st[IRQFWD_A_STATS_CLEARED]);
	i->stats.storms = nla_u64_of(st[IRQFWD_A_STATS_STORMS]);
	i->storm_rate = nla_u32_of(tb[IRQFWD_A_LINE_STORM_RATE]);
	i->storm_backoff_ms = nla_u32_of(tb[IRQFWD_A_LINE_STORM_BACKOFF_MS]);
	if (tb[IRQFWD_A_LINE_CAUSE]) {
		l->has_cause = true;
		l->cause = nla_u32_of(tb[IRQFWD_A_LINE_CAUSE]);
	}
	return 0;
}

/* The lines of a dump. */
struct nl_lines {
	int n;
	int bad;		/* messages with an attribute missing */
	struct nl_line l[1024];
};

static int nl_lines_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_lines *ls = arg;

	if (ls->n == 1024 || nl_line_parse(nlh, &ls->l[ls->n]))
		ls->bad++;
	else
		ls->n++;
	return 0;
}

/* Dump the lines of context @ctx_id, or of every visible context if 0. */
static int nl_dump_lines(struct genl *g, uint32_t ctx_id, struct nl_lines *ls)
{
	struct genl_msg m;

	ls->n = 0;
	ls->bad = 0;
	genl_msg_init(&m, g->family, IRQFWD_CMD_LINE_GET, NLM_F_DUMP);
	if (ctx_id)
		genl_msg_put_u32(&m, IRQFWD_A_LINE_CTX_ID, ctx_id);
	return genl_call(g, &m, nl_lines_cb, ls);
}

static int nl_get_line(struct genl *g, uint32_t ctx_id, uint32_t id,
		       struct nl_line *l)
{
	struct nl_lines *ls = calloc(1, sizeof(*ls));
	struct genl_msg m;
	int ret;

	genl_msg_init(&m, g->family, IRQFWD_CMD_LINE_GET, 0);
	genl_msg_put_u32(&m, IRQFWD_A_LINE_CTX_ID, ctx_id);
	genl_msg_put_u32(&m, IRQFWD_A_LINE_ID, id);
	ret = genl_call(g, &m, nl_lines_cb, ls);
	if (!ret && (ls->n != 1 || ls->bad))
		ret = -EPROTO;
	if (!ret)
		*l = ls->l[0];
	free(ls);
	return ret;
}

struct nl_ctx {
	uint32_t id, pid, nr_lines;
	char comm[16];
};

struct nl_ctxs {
	int n;
	int bad;
	struct nl_ctx c[64];
};

static int nl_ctxs_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[GENL_MAX_ATTR + 1];
	struct nl_ctxs *cs = arg;
	struct nl_ctx *c;

	genl_parse_msg(tb, nlh);
	if (cs->n == 64 || !tb[IRQFWD_A_CTX_ID] || !tb[IRQFWD_A_CTX_PID] ||
	    !tb[IRQFWD_A_CTX_COMM] || !tb[IRQFWD_A_CTX_NR_LINES]) {
		cs->bad++;
		return 0;
	}
	c = &cs->c[cs->n++];
	c->id = nla_u32_of(tb[IRQFWD_A_CTX_ID]);
	c->pid = nla_u32_of(tb[IRQFWD_A_CTX_PID]);
	c->nr_lines = nla_u32_of(tb[IRQFWD_A_CTX_NR_LINES]);
	snprintf(c->comm, sizeof(c->comm), "%s",
		 (const char *)nla_data_of(tb[IRQFWD_A_CTX_COMM]));
	return 0;
}

/* Get context @id, or dump the visible contexts if 0. */
static int nl_ctxs(struct genl *g, uint32_t id, struct nl_ctxs *cs)
{
	struct genl_msg m;

	cs->n = 0;
	cs->bad = 0;
	genl_msg_init(&m, g->family, IRQFWD_CMD_CTX_GET, id ? 0 : NLM_F_DUMP);
	if (id)
		genl_msg_put_u32(&m, IRQFWD_A_CTX_ID, id);
	return genl_call(g, &m, nl_ctxs_cb, cs);
}

static const struct nl_ctx *nl_ctx_find(const struct nl_ctxs *cs, uint32_t id)
{
	int i;

	for (i = 0; i < cs->n; i++)
		if (cs->c[i].id == id)
			return &cs->c[i];
	return NULL;
}

/* The next event within @timeout_ms: 0, -ETIMEDOUT, or -errno. */
static int nl_next_event(struct genl *g, struct nl_line *l, int timeout_ms)
{
	static char buf[GENL_BUF_SIZE];
	struct pollfd p = { .fd = g->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	/* One event per datagram. */
	n = recv(g->fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	nlh = (void *)buf;
	if (!NLMSG_OK(nlh, n) || nlh->nlmsg_type != g->family)
		return -EPROTO;
	return nl_line_parse(nlh, l) ? -EPROTO : 0;
}

static uint32_t ctx_id_of(int dev)
{
	struct irqfwd_info info = { .argsz = sizeof(info) };

	if (irqfwd_ioctl(dev, IRQFWD_GET_INFO, &info))
		return 0;
	return info.ctx_id;
}

#define EXPECT_LINE_EQ(_nl, _q) do {					\
	EXPECT_EQ((_q).id, (_nl).id);					\
	EXPECT_EQ((_q).line_flags, (_nl).line_flags);			\
	EXPECT_EQ((_q).trigger, (_nl).trigger);				\
	EXPECT_EQ((_q).mode, (_nl).mode);				\
	EXPECT_EQ((_q).effective_mode, (_nl).effective_mode);		\
	EXPECT_EQ((_q).reason, (_nl).reason);				\
	EXPECT_EQ((_q).state, (_nl).state);				\
	EXPECT_EQ((_q).host_irq, (_nl).host_irq);			\
	EXPECT_EQ((_q).bypass, (_nl).bypass);				\
	EXPECT_EQ(0, memcmp(&(_q).stats, &(_nl).stats,			\
			    sizeof((_q).stats)));			\
	EXPECT_EQ((_q).storm_rate, (_nl).storm_rate);			\
	EXPECT_EQ((_q).storm_backoff_ms, (_nl).storm_backoff_ms);	\
} while (0)

FIXTURE(nl) {
	struct line_fds f;
	struct genl g;
	uint32_t ctx;
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, line_fds_open(&self->f));
	ASSERT_EQ(0, genl_open(&self->g));
	self->ctx = ctx_id_of(self->f.dev);
	ASSERT_LT(0, self->ctx);
}

FIXTURE_TEARDOWN(nl)
{
	genl_close(&self->g);
	line_fds_close(&self->f);
}

/* The family the kernel registered is the one the spec describes. */
TEST_F(nl, family_matches_spec)
{
	const uint32_t both = GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP |
			      GENL_CMD_CAP_HASPOL;
	struct genl_family_info fi;
	int cmd;

	ASSERT_EQ(0, genl_family(&self->g, &fi));
	EXPECT_EQ(IRQFWD_FAMILY_VERSION, fi.version);
	EXPECT_NE(0, fi.events_group);
	EXPECT_EQ(both, fi.op_flags[IRQFWD_CMD_CTX_GET] & both);
	EXPECT_EQ(both, fi.op_flags[IRQFWD_CMD_LINE_GET] & both);
	/* Notifications are not requests, and there is nothing else. */
	for (cmd = 0; cmd <= GENL_MAX_ATTR; cmd++)
		if (cmd != IRQFWD_CMD_CTX_GET && cmd != IRQFWD_CMD_LINE_GET)
			EXPECT_EQ(0, fi.op_flags[cmd]);
	/* Anyone may ask: what a caller sees depends on the context. */
	EXPECT_EQ(0, fi.op_flags[IRQFWD_CMD_CTX_GET] & GENL_ADMIN_PERM);
	EXPECT_EQ(0, fi.op_flags[IRQFWD_CMD_LINE_GET] & GENL_ADMIN_PERM);
}

/* Three kinds of lines, 300 of them: dump, get and query agree. */
TEST_F(nl, dump_equals_query)
{
	enum { N = 300 };
	struct nl_lines *ls = calloc(1, sizeof(*ls));
	int sources[N], ids[N], i, j;
	struct irqfwd_line_create c;
	__u64 delivered;
	struct irqfwd_line_info q;
	struct nl_line one;

	ASSERT_NE(NULL, ls);
	for (i = 0; i < N; i++) {
		sources[i] = new_eventfd();
		ASSERT_LE(0, sources[i]);
		if (i % 3 == 1)
			line_create_level(&c, sources[i], self->f.sink,
					  i == 1 ? self->f.unmask : -1,
					  i == 1 ? self->f.resample : -1);
		else
			line_create_init(&c, sources[i], self->f.sink,
					 IRQFWD_TRIGGER_EDGE);
		if (i % 3 == 2)
			c.mode = IRQFWD_MODE_FORWARDED;
		ids[i] = line_create(self->f.dev, &c);
		ASSERT_LT(0, ids[i]);
	}
	/* Counters and states that differ from line to line. */
	for (i = 0; i < N; i += 7)
		ASSERT_EQ(0, efd_signal(sources[i]));
	ASSERT_EQ(IRQFWD_LINE_STATE_MASKED,
		  line_mask(self->f.dev, ids[3], IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, efd_signal(sources[3]));
	ASSERT_EQ(0, efd_signal(sources[1]));
	/*
	 * The shared sink counts one for each line signalled (every
	 * seventh, of all three kinds, and the level line 1) but the
	 * masked line 3: 44, no more.
	 */
	EXPECT_EQ(N / 7 + 1 + 1, efd_count(self->f.sink, N / 7 + 1 + 1, 5000));

	ASSERT_EQ(0, nl_dump_lines(&self->g, self->ctx, ls));
	EXPECT_EQ(0, ls->bad);
	ASSERT_EQ(N, ls->n);
	for (i = 0, delivered = 0; i < N; i++) {
		struct nl_line *l = NULL;

		for (j = 0; j < ls->n; j++)
			if (ls->l[j].info.id == (uint32_t)ids[i])
				l = &ls->l[j];
		ASSERT_NE(NULL, l);
		EXPECT_EQ(IRQFWD_CMD_LINE_GET, l->cmd);
		EXPECT_EQ(self->ctx, l->ctx_id);
		EXPECT_FALSE(l->has_cause);
		ASSERT_EQ(0, line_query(self->f.dev, ids[i], &q));
		EXPECT_LINE_EQ(l->info, q);
		EXPECT_EQ(i % 7 == 0 || i == 1, q.stats.delivered);
		delivered += q.stats.delivered;
	}
	EXPECT_EQ(N / 7 + 1 + 1, delivered);
	/* Not trivially equal: the fields do differ between lines. */
	ASSERT_EQ(0, line_query(self->f.dev, ids[3], &q));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_PENDING,
		  q.state);
	ASSERT_EQ(0, line_query(self->f.dev, ids[1], &q));
	EXPECT_EQ(IRQFWD_LINE_UNMASK_FD | IRQFWD_LINE_RESAMPLE_FD,
		  q.line_flags);
	EXPECT_EQ(IRQFWD_LINE_STATE_IN_SERVICE, q.state);
	ASSERT_EQ(0, line_query(self->f.dev, ids[2], &q));
	EXPECT_EQ(IRQFWD_MODE_FORWARDED, q.mode);
	EXPECT_EQ(IRQFWD_REASON_NO_PRODUCER, q.reason);

	/* line-get of one line says the same. */
	ASSERT_EQ(0, nl_get_line(&self->g, self->ctx, ids[1], &one));
	ASSERT_EQ(0, line_query(self->f.dev, ids[1], &q));
	EXPECT_LINE_EQ(one.info, q);

	/* The unfiltered dump holds them too. */
	ASSERT_EQ(0, nl_dump_lines(&self->g, 0, ls));
	for (i = 0, j = 0; j < ls->n; j++)
		i += ls->l[j].ctx_id == self->ctx;
	EXPECT_EQ(N, i);

	for (i = 0; i < N; i++)
		close(sources[i]);
	free(ls);
}

TEST_F(nl, ctx_dump)
{
	struct irqfwd_line_create c;
	const struct nl_ctx *mine;
	struct nl_ctxs cs;
	char comm[16] = "";
	FILE *f;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	ASSERT_LT(0, line_create(self->f.dev, &c));
	f = fopen("/proc/self/comm", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;

	ASSERT_EQ(0, nl_ctxs(&self->g, 0, &cs));
	EXPECT_EQ(0, cs.bad);
	mine = nl_ctx_find(&cs, self->ctx);
	ASSERT_NE(NULL, mine);
	EXPECT_EQ((uint32_t)getpid(), mine->pid);
	EXPECT_STREQ(comm, mine->comm);
	EXPECT_EQ(1, mine->nr_lines);

	ASSERT_EQ(0, nl_ctxs(&self->g, self->ctx, &cs));
	ASSERT_EQ(1, cs.n);
	EXPECT_EQ(self->ctx, cs.c[0].id);
	EXPECT_EQ(1, cs.c[0].nr_lines);
}

/* Each error has its errno, and the kernel says what was wrong. */
TEST_F(nl, get_errors)
{
	struct genl_msg m;
	struct nl_line l;
	struct nl_ctxs cs;

	EXPECT_EQ(-ENOENT, nl_get_line(&self->g, self->ctx, 12345, &l));
	EXPECT_NE(0, self->g.extack[0]);
	EXPECT_EQ(-ENOENT, nl_get_line(&self->g, 0x7ffffff0, 1, &l));
	EXPECT_EQ(-ENOENT, nl_ctxs(&self->g, 0x7ffffff0, &cs));
	/* Policies: ids start at 1 (ERANGE), and both are required. */
	EXPECT_EQ(-ERANGE, nl_get_line(&self->g, 0, 1, &l));
	genl_msg_init(&m, self->g.family, IRQFWD_CMD_LINE_GET, 0);
	genl_msg_put_u32(&m, IRQFWD_A_LINE_CTX_ID, self->ctx);
	EXPECT_EQ(-EINVAL, genl_call(&self->g, &m, NULL, NULL));
	genl_msg_init(&m, self->g.family, IRQFWD_CMD_CTX_GET, 0);
	EXPECT_EQ(-EINVAL, genl_call(&self->g, &m, NULL, NULL));
	/* Strict validation: an unknown attribute is refused. */
	genl_msg_init(&m, self->g.family, IRQFWD_CMD_CTX_GET, 0);
	genl_msg_put_u32(&m, IRQFWD_A_CTX_ID, self->ctx);
	genl_msg_put_u32(&m, IRQFWD_A_CTX_MAX + 1, 1);
	EXPECT_EQ(-EINVAL, genl_call(&self->g, &m, NULL, NULL));
	/* A filter on a context that does not exist. */
	genl_msg_init(&m, self->g.family, IRQFWD_CMD_LINE_GET, NLM_F_DUMP);
	genl_msg_put_u32(&m, IRQFWD_A_LINE_CTX_ID, 0x7ffffff0);
	EXPECT_EQ(-ENOENT, genl_call(&self->g, &m, NULL, NULL));
	/* An unknown command. */
	genl_msg_init(&m, self->g.family, IRQFWD_CMD_LINE_DEL_NTF, 0);
	EXPECT_EQ(-EOPNOTSUPP, genl_call(&self->g, &m, NULL, NULL));
}

/* Create -> mode change -> destroy, in that order, one event each. */
TEST_F(nl, events_order)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info q;
	struct nl_line e;
	int id;

	ASSERT_EQ(0, genl_join_events(&self->g));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(1, efd_wait(self->f.sink, 1000));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(IRQFWD_REASON_NO_PRODUCER,
		  line_set_mode(self->f.dev, id, IRQFWD_MODE_FORWARDED));
	ASSERT_EQ(IRQFWD_REASON_NONE,
		  line_set_mode(self->f.dev, id, IRQFWD_MODE_MASKED));
	/* The same mode again is no change. */
	ASSERT_EQ(IRQFWD_REASON_NONE,
		  line_set_mode(self->f.dev, id, IRQFWD_MODE_MASKED));
	ASSERT_EQ(0, line_query(self->f.dev, id, &q));
	ASSERT_EQ(0, line_destroy(self->f.dev, id));

	ASSERT_EQ(0, nl_next_event(&self->g, &e, 1000));
	EXPECT_EQ(IRQFWD_CMD_LINE_ADD_NTF, e.cmd);
	EXPECT_EQ(self->ctx, e.ctx_id);
	EXPECT_EQ(id, e.info.id);
	EXPECT_EQ(IRQFWD_MODE_MASKED, e.info.mode);
	EXPECT_EQ(0, e.info.stats.fired);
	EXPECT_FALSE(e.has_cause);

	ASSERT_EQ(0, nl_next_event(&self->g, &e, 1000));
	EXPECT_EQ(IRQFWD_CMD_LINE_CHANGE_NTF, e.cmd);
	EXPECT_EQ(id, e.info.id);
	EXPECT_EQ(IRQFWD_MODE_FORWARDED, e.info.mode);
	EXPECT_EQ(IRQFWD_MODE_MASKED, e.info.effective_mode);
	EXPECT_EQ(IRQFWD_REASON_NO_PRODUCER, e.info.reason);

	ASSERT_EQ(0, nl_next_event(&self->g, &e, 1000));
	EXPECT_EQ(IRQFWD_CMD_LINE_CHANGE_NTF, e.cmd);
	EXPECT_EQ(IRQFWD_MODE_MASKED, e.info.mode);
	EXPECT_EQ(IRQFWD_REASON_NONE, e.info.reason);

	ASSERT_EQ(0, nl_next_event(&self->g, &e, 1000));
	EXPECT_EQ(IRQFWD_CMD_LINE_DEL_NTF, e.cmd);
	EXPECT_EQ(self->ctx, e.ctx_id);
	EXPECT_EQ(id, e.info.id);
	ASSERT_TRUE(e.has_cause);
	EXPECT_EQ(IRQFWD_DESTROY_CAUSE_IOCTL, e.cause);
	/* The final counters. */
	EXPECT_EQ(1, e.info.stats.fired);
	EXPECT_EQ(1, e.info.stats.delivered);
	EXPECT_LINE_EQ(e.info, q);

	EXPECT_EQ(-ETIMEDOUT, nl_next_event(&self->g, &e, 200));
}

/* Lines torn down by a closed eventfd and by the closed file say so. */
TEST_F(nl, events_teardown)
{
	struct irqfwd_line_create c;
	struct nl_line e;
	int id, dev2, src2;

	ASSERT_EQ(0, genl_join_events(&self->g));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	close(self->f.source);
	self->f.source = -1;

	ASSERT_EQ(0, nl_next_event(&self->g, &e, 1000));
	EXPECT_EQ(IRQFWD_CMD_LINE_ADD_NTF, e.cmd);
	ASSERT_EQ(0, nl_next_event(&self->g, &e, 2000));
	EXPECT_EQ(IRQFWD_CMD_LINE_DEL_NTF, e.cmd);
	EXPECT_EQ(id, e.info.id);
	EXPECT_EQ(IRQFWD_DESTROY_CAUSE_EVENTFD_CLOSED, e.cause);

	dev2 = irqfwd_open();
	ASSERT_LE(0, dev2);
	src2 = new_eventfd();
	line_create_init(&c, src2, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(dev2, &c);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, nl_next_event(&self->g, &e, 1000));
	EXPECT_EQ(IRQFWD_CMD_LINE_ADD_NTF, e.cmd);
	EXPECT_EQ(ctx_id_of(dev2), e.ctx_id);
	close(dev2);
	ASSERT_EQ(0, nl_next_event(&self->g, &e, 2000));
	EXPECT_EQ(IRQFWD_CMD_LINE_DEL_NTF, e.cmd);
	EXPECT_EQ(id, e.info.id);
	EXPECT_EQ(IRQFWD_DESTROY_CAUSE_FILE_CLOSED, e.cause);
	close(src2);
}

static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	d[cap / 32].inheritable &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/*
 * The checks of a process without CAP_NET_ADMIN against the context
 * @other of another process; the exit code is the first that failed.
 */
static int unprivileged_child(uint32_t other, uint32_t other_line, int report)
{
	struct nl_lines *ls = calloc(1, sizeof(*ls));
	struct irqfwd_line_create c;
	struct line_fds f;
	struct nl_ctxs cs;
	struct genl_msg m;
	struct nl_line l;
	struct genl g;
	uint32_t mine;
	int i, id;

	if (drop_cap(CAP_NET_ADMIN))
		return 10;
	/* Root-only /dev/irqfwd still opens: the uid is root's. */
	if (line_fds_open(&f) || genl_open(&g) || !ls)
		return 11;
	mine = ctx_id_of(f.dev);
	line_create_init(&c, f.source, f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(f.dev, &c);
	if (!mine || id <= 0)
		return 12;

	/* The dump shows this process's context, not the other. */
	if (nl_ctxs(&g, 0, &cs) || !nl_ctx_find(&cs, mine) ||
	    nl_ctx_find(&cs, other))
		return 13;
	if (nl_ctxs(&g, mine, &cs) || cs.n != 1)
		return 14;
	if (nl_ctxs(&g, other, &cs) != -EPERM ||
	    !strstr(g.extack, "CAP_NET_ADMIN"))
		return 15;
	if (nl_get_line(&g, other, other_line, &l) != -EPERM)
		return 16;
	genl_msg_init(&m, g.family, IRQFWD_CMD_LINE_GET, NLM_F_DUMP);
	genl_msg_put_u32(&m, IRQFWD_A_LINE_CTX_ID, other);
	if (genl_call(&g, &m, NULL, NULL) != -EPERM)
		return 17;
	if (nl_dump_lines(&g, 0, ls) || ls->n != 1 || ls->l[0].ctx_id != mine)
		return 18;
	for (i = 0; i < ls->n; i++)
		if (ls->l[i].ctx_id == other)
			return 19;
	if (genl_join_events(&g) != -EPERM)
		return 20;

	/* Tell the parent our context, and wait until it looked. */
	if (write(report, &mine, sizeof(mine)) != sizeof(mine))
		return 21;
	if (read(report, &mine, sizeof(mine)) != sizeof(mine))
		return 22;
	return 0;
}

TEST_F(nl, unprivileged)
{
	struct irqfwd_line_create c;
	struct nl_ctxs cs;
	int sv[2], id, status;
	uint32_t theirs;
	pid_t pid;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sv[0]);
		_exit(unprivileged_child(self->ctx, id, sv[1]));
	}
	close(sv[1]);
	/* An administrator sees the other process's context. */
	if (read(sv[0], &theirs, sizeof(theirs)) == sizeof(theirs)) {
		EXPECT_EQ(0, nl_ctxs(&self->g, theirs, &cs));
		EXPECT_EQ(1, cs.n);
		EXPECT_EQ((uint32_t)pid, cs.c[0].pid);
		EXPECT_EQ(1, cs.c[0].nr_lines);
		EXPECT_EQ(sizeof(theirs), write(sv[0], &theirs, sizeof(theirs)));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(sv[0]);
}

#define TRACEFS "/sys/kernel/tracing"

static int tracefs_write(const char *file, const char *what)
{
	char path[128];

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	return file_write_flags(path, what, O_TRUNC);
}

static char *tracefs_read(void)
{
	size_t size = 1 << 20, len = 0;
	char *buf = malloc(size);
	ssize_t n;
	int fd;

	fd = open(TRACEFS "/trace", O_RDONLY);
	if (fd < 0 || !buf) {
		free(buf);
		return NULL;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	close(fd);
	return buf;
}

/* The interrupt path and the mode changes, as tracefs shows them. */
TEST_F(nl, tracepoints)
{
	struct irqfwd_line_create c;
	char want[160], *trace;
	int edge, level, src2;

	if (access(TRACEFS "/events", F_OK))
		ASSERT_EQ(0, mount("tracefs", TRACEFS, "tracefs", 0, NULL));
	ASSERT_EQ(0, tracefs_write("events/irqfwd/enable", "1"));
	ASSERT_EQ(0, tracefs_write("trace", ""));

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	edge = line_create(self->f.dev, &c);
	ASSERT_LT(0, edge);
	src2 = new_eventfd();
	line_create_level(&c, src2, self->f.sink, self->f.unmask, -1);
	level = line_create(self->f.dev, &c);
	ASSERT_LT(0, level);

	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(1, efd_wait(self->f.sink, 1000));
	ASSERT_EQ(0, efd_signal(src2));
	ASSERT_EQ(1, efd_wait(self->f.sink, 1000));
	/* In service, and the source should be masked in VFIO: merged. */
	ASSERT_EQ(0, efd_signal(src2));
	ASSERT_EQ(0, line_eoi(self->f.dev, level));
	ASSERT_EQ(1, efd_wait(self->f.unmask, 1000));
	ASSERT_EQ(IRQFWD_LINE_STATE_MASKED,
		  line_mask(self->f.dev, edge, IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, efd_signal(self->f.source));
	ASSERT_EQ(IRQFWD_REASON_NO_PRODUCER,
		  line_set_mode(self->f.dev, edge, IRQFWD_MODE_FORWARDED));
	/* Two deliveries, one unmask, each counted once; the latch held. */
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	EXPECT_EQ(0, efd_take(self->f.unmask));

	ASSERT_EQ(0, tracefs_write("events/irqfwd/enable", "0"));
	trace = tracefs_read();
	ASSERT_NE(NULL, trace);

#define EXPECT_TRACE(fmt, ...) do {					\
	snprintf(want, sizeof(want), fmt, ##__VA_ARGS__);		\
	EXPECT_NE(NULL, strstr(trace, want)) TH_LOG("no '%s'", want);	\
} while (0)
	EXPECT_TRACE("irqfwd_line_fire: line=%u:%d count=1 action=deliver",
		     self->ctx, edge);
	EXPECT_TRACE("irqfwd_line_deliver: line=%u:%d", self->ctx, edge);
	EXPECT_TRACE("irqfwd_line_fire: line=%u:%d count=1 action=coalesce",
		     self->ctx, level);
	EXPECT_TRACE("irqfwd_line_fire: line=%u:%d count=1 action=latch",
		     self->ctx, edge);
	EXPECT_TRACE("irqfwd_line_complete: line=%u:%d", self->ctx, level);
	EXPECT_TRACE("irqfwd_line_unmask: line=%u:%d", self->ctx, level);
	EXPECT_TRACE("irqfwd_line_mode: line=%u:%d mode=forwarded effective=masked reason=no-producer",
		     self->ctx, edge);
#undef EXPECT_TRACE
	free(trace);
	close(src2);
}

/*
 * The mode tracepoint names every reason, as the spec does: its print
 * format maps each value to its name.
 */
TEST_F(nl, mode_tracepoint_names_every_reason)
{
	char fmt[8192], want[64], *reasons;
	unsigned int i;
	ssize_t n;
	int fd;

	if (access(TRACEFS "/events", F_OK))
		ASSERT_EQ(0, mount("tracefs", TRACEFS, "tracefs", 0, NULL));
	fd = open(TRACEFS "/events/irqfwd/irqfwd_line_mode/format", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, fmt, sizeof(fmt) - 1);
	close(fd);
	ASSERT_LT(0, n);
	fmt[n] = 0;
	reasons = strstr(fmt, "REC->reason");
	ASSERT_NE(NULL, reasons) TH_LOG("%s", fmt);
	for (i = 0; i < ARRAY_SIZE(spec_reason_names); i++) {
		snprintf(want, sizeof(want), "\"%s\" }",
			 spec_reason_names[i]);
		EXPECT_NE(NULL, strstr(reasons, want)) TH_LOG("no %s", want);
	}
}

TEST_HARNESS_MAIN
