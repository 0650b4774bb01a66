// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwdctl and libirqfwd against the running module: what the tool and
 * the library report is what IRQFWD_LINE_QUERY reads, field by field; the
 * events a monitor sees; the exit codes; the library's errno values; who
 * may see what.  Plain eventfds stand in for VFIO and KVM here.
 *
 * irqfwdctl is found as $IRQFWD_CTL, /usr/sbin/irqfwdctl (where the test
 * VM's initramfs puts it) or next to this test.
 */
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

/* irqfwd_util.h's irqfwd_open() is not the library's. */
#define irqfwd_open irqfwd_util_open
#include "irqfwd_util.h"
#undef irqfwd_open

#include "irqfwd.h"
#include "json_reader.h"

#define NOBODY		65534
#define CTL_TIMEOUT_MS	20000
#define TEST_COMM	"irqfwd_ctl_test"
/* A context id nobody has: ids are small and allocated from 1 up. */
#define NO_CTX		0x7ffffff0u
#define NO_LINE		0x7ffffff0u

/* --- running irqfwdctl -------------------------------------------------- */

static const char *ctl_path(void)
{
	static char path[PATH_MAX];
	char self[PATH_MAX];
	const char *env = getenv("IRQFWD_CTL");
	ssize_t n;

	if (env && *env)
		return env;
	if (!access("/usr/sbin/irqfwdctl", X_OK))
		return "/usr/sbin/irqfwdctl";
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return "irqfwdctl";
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/irqfwdctl", dirname(self));
	return path;
}

/* A running irqfwdctl, its output collected. */
struct ctl_run {
	pid_t pid;
	int out, err;		/* pipes, -1 once at EOF */
	char *obuf, *ebuf;	/* what was read, NUL-terminated */
	size_t olen, elen;
	int status;
};

/* Start irqfwdctl with @args (NULL-terminated), as @uid unless it is 0. */
static int ctl_start(struct ctl_run *r, uid_t uid, const char *const *args)
{
	const char *argv[32];
	int out[2], err[2], i;

	memset(r, 0, sizeof(*r));
	r->obuf = calloc(1, 1);
	r->ebuf = calloc(1, 1);
	argv[0] = "irqfwdctl";
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -errno;
	r->pid = fork();
	if (r->pid < 0)
		return -errno;
	if (!r->pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		execv(ctl_path(), (char **)argv);
		dprintf(2, "exec %s: %s\n", ctl_path(), strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	r->out = out[0];
	r->err = err[0];
	return 0;
}

static void ctl_append(char **buf, size_t *len, const char *data, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/*
 * Read what the pipes have, up to @timeout_ms, until @done says so (or
 * both pipes are at EOF).  Returns false on time-out.
 */
static bool ctl_read(struct ctl_run *r, int timeout_ms,
		     bool (*done)(struct ctl_run *r, void *arg), void *arg)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000ull;

	while (!(done && done(r, arg))) {
		struct pollfd pfd[2] = {
			{ .fd = r->out, .events = POLLIN },
			{ .fd = r->err, .events = POLLIN },
		};
		char data[4096];
		int64_t left = (int64_t)(end - now_ns()) / 1000000;
		int i;

		if (r->out < 0 && r->err < 0)
			return !done;
		if (left <= 0)
			return false;
		if (poll(pfd, 2, (int)left) < 0 && errno != EINTR)
			return false;
		for (i = 0; i < 2; i++) {
			int *fd = i ? &r->err : &r->out;
			ssize_t n;

			if (*fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(*fd, data, sizeof(data));
			if (n <= 0) {
				close(*fd);
				*fd = -1;
			} else if (i) {
				ctl_append(&r->ebuf, &r->elen, data, n);
			} else {
				ctl_append(&r->obuf, &r->olen, data, n);
			}
		}
	}
	return true;
}

/* Wait for the exit; kill it after @timeout_ms.  Returns the exit code. */
static int ctl_finish(struct ctl_run *r, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000ull;
	int status;

	ctl_read(r, timeout_ms, NULL, NULL);
	for (;;) {
		pid_t p = waitpid(r->pid, &status, WNOHANG);

		if (p == r->pid)
			break;
		if (now_ns() > end) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &status, 0);
			status = -1;
			break;
		}
		usleep(1000);
	}
	if (r->out >= 0)
		close(r->out);
	if (r->err >= 0)
		close(r->err);
	r->out = r->err = -1;
	r->status = status;
	if (status == -1)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void ctl_free(struct ctl_run *r)
{
	free(r->obuf);
	free(r->ebuf);
}

/* Run irqfwdctl to its end: its exit code, output in @r (ctl_free it). */
static int ctl_run_as(struct ctl_run *r, uid_t uid, const char *const *args)
{
	int ret = ctl_start(r, uid, args);

	if (ret)
		return ret;
	return ctl_finish(r, CTL_TIMEOUT_MS);
}

#define CTL(r, ...) ctl_run_as(r, 0, (const char *const[]){ __VA_ARGS__, NULL })
#define CTL_AS(r, uid, ...) \
	ctl_run_as(r, uid, (const char *const[]){ __VA_ARGS__, NULL })

static bool ctl_stderr_has(struct ctl_run *r, void *arg)
{
	return strstr(r->ebuf, arg) != NULL;
}

static bool ctl_stdout_lines(struct ctl_run *r, void *arg)
{
	size_t want = *(size_t *)arg, n = 0;
	const char *p;

	for (p = r->obuf; (p = strchr(p, '\n')); p++)
		n++;
	return n >= want;
}

/* --- what the kernel says, the names irqfwdctl must use ----------------- */

/* The YAML spec's names, written down again: not taken from the library. */
static const char *const trigger_names[] = { "edge", "level" };
static const char *const mode_names[] = { "masked", "forwarded" };
static const char *const cause_names[] = {
	"ioctl", "eventfd-closed", "file-closed",
};
static const char *const state_bits[] = {
	"in-service", "pending", "masked", "storm",
};
static const char *const flag_bits[] = { "unmask-fd", "resample-fd" };
static const char *const bypass_bits[] = { "producer", "consumer" };

static const char *name_of(const char *const *names, size_t n, __u32 v)
{
	return v < n ? names[v] : "?";
}

#define NAME(names, v) name_of(names, sizeof(names) / sizeof(names[0]), v)

static void bits_of(const char *const *names, size_t n, __u32 v, char *buf,
		    size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < 32; i++) {
		if (!(v & (1u << i)))
			continue;
		len += snprintf(buf + len, size - len, "%s%s", len ? "," : "",
				i < n ? names[i] : "?");
	}
}

#define BITS(names, v, buf) \
	bits_of(names, sizeof(names) / sizeof(names[0]), v, buf, sizeof(buf))

static void check_json_stats(struct __test_metadata *_metadata,
			     const struct jval *o,
			     const struct irqfwd_line_info *info);

/*
 * Check a line object of irqfwdctl's JSON against IRQFWD_LINE_QUERY of
 * the same line, every field.  @o names where it came from, for the log.
 */
static void check_json_line(struct __test_metadata *_metadata,
			    const struct jval *o, int dev, __u32 ctx_id,
			    __u32 id, bool with_ctx)
{
	struct irqfwd_line_info info;
	char want[128], got[128];

	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, line_query(dev, id, &info));
	EXPECT_EQ(ctx_id, ju64(o, "ctx_id", 0));
	EXPECT_EQ(id, ju64(o, "id", 0));
	if (with_ctx) {
		EXPECT_EQ((uint64_t)getpid(), ju64(o, "pid", 0));
		EXPECT_STREQ(TEST_COMM, jstr(o, "comm") ?: "(none)");
	}
	EXPECT_STREQ(NAME(trigger_names, info.trigger),
		     jstr(o, "trigger") ?: "(none)");
	EXPECT_STREQ(NAME(mode_names, info.mode), jstr(o, "mode") ?: "(none)");
	EXPECT_STREQ(NAME(mode_names, info.effective_mode),
		     jstr(o, "effective_mode") ?: "(none)");
	EXPECT_STREQ(NAME(spec_reason_names, info.reason),
		     jstr(o, "reason") ?: "(none)");
	EXPECT_EQ(info.host_irq, ju64(o, "host_irq", ~0ull));
	EXPECT_EQ(info.storm_rate, ju64(o, "storm_rate", ~0ull));
	EXPECT_EQ(info.storm_backoff_ms, ju64(o, "storm_backoff_ms", ~0ull));

	BITS(flag_bits, info.line_flags, want);
	ASSERT_TRUE(jstrings(jget(o, "flags"), got, sizeof(got)));
	EXPECT_STREQ(want, got);
	BITS(state_bits, info.state, want);
	ASSERT_TRUE(jstrings(jget(o, "state"), got, sizeof(got)));
	EXPECT_STREQ(want, got);
	BITS(bypass_bits, info.bypass, want);
	ASSERT_TRUE(jstrings(jget(o, "bypass"), got, sizeof(got)));
	EXPECT_STREQ(want, got);

	check_json_stats(_metadata, o, &info);
}

/* The "stats" member of a line object against the query's. */
static void check_json_stats(struct __test_metadata *_metadata,
			     const struct jval *o,
			     const struct irqfwd_line_info *info)
{
	const struct jval *st = jget(o, "stats");

	ASSERT_NE(NULL, st);
	EXPECT_EQ(info->stats.fired, ju64(st, "fired", ~0ull));
	EXPECT_EQ(info->stats.delivered, ju64(st, "delivered", ~0ull));
	EXPECT_EQ(info->stats.coalesced, ju64(st, "coalesced", ~0ull));
	EXPECT_EQ(info->stats.completed, ju64(st, "completed", ~0ull));
	EXPECT_EQ(info->stats.unmasked, ju64(st, "unmasked", ~0ull));
	EXPECT_EQ(info->stats.spurious, ju64(st, "spurious", ~0ull));
	EXPECT_EQ(info->stats.cleared, ju64(st, "cleared", ~0ull));
	EXPECT_EQ(info->stats.storms, ju64(st, "storms", ~0ull));
}

/* A line netlink reported, against IRQFWD_LINE_QUERY. */
static void check_nl_line(struct __test_metadata *_metadata,
			  const struct irqfwd_nl_line *l, int dev,
			  __u32 ctx_id)
{
	struct irqfwd_line_info info;

	ASSERT_EQ(0, line_query(dev, l->id, &info));
	EXPECT_EQ(ctx_id, l->ctx_id);
	EXPECT_EQ(info.line_flags, l->flags);
	EXPECT_EQ(info.trigger, l->trigger);
	EXPECT_EQ(info.mode, l->mode);
	EXPECT_EQ(info.effective_mode, l->effective_mode);
	EXPECT_EQ(info.reason, l->reason);
	EXPECT_EQ(info.state, l->state);
	EXPECT_EQ(info.host_irq, l->host_irq);
	EXPECT_EQ(info.bypass, l->bypass);
	EXPECT_EQ(info.stats.fired, l->stats.fired);
	EXPECT_EQ(info.stats.delivered, l->stats.delivered);
	EXPECT_EQ(info.stats.coalesced, l->stats.coalesced);
	EXPECT_EQ(info.stats.completed, l->stats.completed);
	EXPECT_EQ(info.stats.unmasked, l->stats.unmasked);
	EXPECT_EQ(info.stats.spurious, l->stats.spurious);
	EXPECT_EQ(info.stats.cleared, l->stats.cleared);
	EXPECT_EQ(info.stats.storms, l->stats.storms);
	EXPECT_EQ(info.storm_rate, l->storm_rate);
	EXPECT_EQ(info.storm_backoff_ms, l->storm_backoff_ms);
	EXPECT_EQ(0, l->cause);
}

/* The ids of the contexts this process opened, by netlink. */
struct ctx_ids {
	__u32 id[8];
	int n;
	struct irqfwd_nl_ctx ctx[8];
};

static int collect_own_ctx(const struct irqfwd_nl_ctx *ctx, void *arg)
{
	struct ctx_ids *ids = arg;

	if (ctx->pid != (uint32_t)getpid() || ids->n >= 8)
		return 0;
	ids->ctx[ids->n] = *ctx;
	ids->id[ids->n++] = ctx->id;
	return 0;
}

static int own_ctx_ids(struct ctx_ids *ids)
{
	struct irqfwd_nl *nl;
	int ret;

	memset(ids, 0, sizeof(*ids));
	ret = irqfwd_nl_open(&nl);
	if (ret)
		return ret;
	ret = irqfwd_nl_ctx_dump(nl, collect_own_ctx, ids);
	irqfwd_nl_close(nl);
	return ret;
}

/* --- the fixture: one context, three lines in different states ---------- */

/*
 * edge:  edge, masked mode, 3 interrupts delivered, then masked with one
 *        pending;
 * level: level with unmask and resample eventfds, one interrupt in service,
 *        a storm guard of its own (1000/s, 250 ms);
 * fwd:   edge, created in forwarded mode: plain eventfds have no bypass
 *        partner, so it runs masked, with a reason.
 */
FIXTURE(ctl) {
	int dev;
	int efd[8];
	__u32 ctx_id;
	__u32 edge, level, fwd;
};

enum { E_SRC, E_SINK, L_SRC, L_SINK, L_UNMASK, L_RESAMPLE, F_SRC, F_SINK };

FIXTURE_SETUP(ctl)
{
	struct irqfwd_line_storm storm = {
		.argsz = sizeof(storm), .rate = 1000, .backoff_ms = 250,
	};
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	struct irqfwd_info dinfo;
	struct ctx_ids ids;
	int i, ret;

	ASSERT_EQ(0, access(ctl_path(), X_OK)) TH_LOG("no irqfwdctl at %s",
						       ctl_path());
	self->dev = irqfwd_util_open();
	ASSERT_LE(0, self->dev) TH_LOG("%s: %s", IRQFWD_DEV, strerror(errno));
	for (i = 0; i < 8; i++) {
		self->efd[i] = new_eventfd();
		ASSERT_LE(0, self->efd[i]);
	}

	line_create_init(&c, self->efd[E_SRC], self->efd[E_SINK],
			 IRQFWD_TRIGGER_EDGE);
	ret = line_create(self->dev, &c);
	ASSERT_LT(0, ret);
	self->edge = ret;
	for (i = 1; i <= 3; i++) {
		ASSERT_EQ(0, efd_signal(self->efd[E_SRC]));
		ASSERT_EQ(1, efd_wait(self->efd[E_SINK], 5000));
		ASSERT_EQ(0, line_query(self->dev, self->edge, &info));
		ASSERT_EQ(i, info.stats.delivered);
	}
	ASSERT_LE(0, line_mask(self->dev, self->edge, IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, efd_signal(self->efd[E_SRC]));
	ASSERT_EQ(0, line_wait_stat(self->dev, self->edge, fired, 4, 5000,
				    &info));
	ASSERT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_PENDING,
		  info.state);
	ASSERT_EQ(0, efd_take(self->efd[E_SINK]));

	line_create_level(&c, self->efd[L_SRC], self->efd[L_SINK],
			  self->efd[L_UNMASK], self->efd[L_RESAMPLE]);
	ret = line_create(self->dev, &c);
	ASSERT_LT(0, ret);
	self->level = ret;
	ASSERT_EQ(0, efd_signal(self->efd[L_SRC]));
	ASSERT_EQ(1, efd_wait(self->efd[L_SINK], 5000));
	ASSERT_EQ(0, line_query(self->dev, self->level, &info));
	ASSERT_EQ(1, info.stats.delivered);
	ASSERT_EQ(IRQFWD_LINE_STATE_IN_SERVICE, info.state);
	storm.id = self->level;
	ASSERT_EQ(0, irqfwd_ioctl(self->dev, IRQFWD_LINE_SET_STORM, &storm));
	ASSERT_EQ(0, line_query(self->dev, self->level, &info));
	ASSERT_EQ(1000, info.storm_rate);
	ASSERT_EQ(250, info.storm_backoff_ms);

	line_create_init(&c, self->efd[F_SRC], self->efd[F_SINK],
			 IRQFWD_TRIGGER_EDGE);
	c.mode = IRQFWD_MODE_FORWARDED;
	ret = line_create(self->dev, &c);
	ASSERT_LT(0, ret);
	self->fwd = ret;
	ASSERT_EQ(0, line_query(self->dev, self->fwd, &info));
	ASSERT_EQ(IRQFWD_MODE_FORWARDED, info.mode);
	ASSERT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	ASSERT_NE(IRQFWD_REASON_NONE, info.reason);

	memset(&dinfo, 0, sizeof(dinfo));
	dinfo.argsz = sizeof(dinfo);
	ASSERT_EQ(0, irqfwd_ioctl(self->dev, IRQFWD_GET_INFO, &dinfo));
	self->ctx_id = dinfo.ctx_id;
	ASSERT_NE(0, self->ctx_id);
	ASSERT_EQ(0, own_ctx_ids(&ids));
	ASSERT_EQ(1, ids.n);
	ASSERT_EQ(self->ctx_id, ids.id[0]);
}

FIXTURE_TEARDOWN(ctl)
{
	int i;

	for (i = 0; i < 8; i++)
		if (self->efd[i] >= 0)
			close(self->efd[i]);
	if (self->dev >= 0)
		close(self->dev);
}

/* The line object of @ctx_id:@id in the JSON array @lines, or NULL. */
static const struct jval *find_line(const struct jval *lines, __u32 ctx_id,
				    __u32 id)
{
	const struct jval *e;

	for (e = lines ? lines->child : NULL; e; e = e->next)
		if (ju64(e, "ctx_id", 0) == ctx_id && ju64(e, "id", 0) == id)
			return e;
	return NULL;
}

/* irqfwdctl list --json: our context and each of our lines, every field. */
TEST_F(ctl, list_json_matches_query)
{
	const struct jval *ctxs, *lines, *e, *ours = NULL;
	struct ctl_run r;
	struct jval *doc;
	const char *err;
	int n = 0;

	ASSERT_EQ(0, CTL(&r, "list", "--json")) TH_LOG("%s", r.ebuf);
	doc = jparse(r.obuf, &err);
	ASSERT_NE(NULL, doc) TH_LOG("bad JSON (%s): %s", err, r.obuf);

	ctxs = jget(doc, "contexts");
	ASSERT_NE(NULL, ctxs);
	for (e = ctxs->child; e; e = e->next)
		if (ju64(e, "id", 0) == self->ctx_id)
			ours = e;
	ASSERT_NE(NULL, ours);
	EXPECT_EQ((uint64_t)getpid(), ju64(ours, "pid", 0));
	EXPECT_STREQ(TEST_COMM, jstr(ours, "comm") ?: "(none)");
	EXPECT_EQ(3, ju64(ours, "nr_lines", 0));

	lines = jget(doc, "lines");
	ASSERT_NE(NULL, lines);
	ASSERT_EQ(J_ARRAY, lines->type);
	for (e = lines->child; e; e = e->next)
		if (ju64(e, "ctx_id", 0) == self->ctx_id)
			n++;
	EXPECT_EQ(3, n);
	check_json_line(_metadata, find_line(lines, self->ctx_id, self->edge),
			self->dev, self->ctx_id, self->edge, true);
	check_json_line(_metadata, find_line(lines, self->ctx_id, self->level),
			self->dev, self->ctx_id, self->level, true);
	check_json_line(_metadata, find_line(lines, self->ctx_id, self->fwd),
			self->dev, self->ctx_id, self->fwd, true);
	jfree(doc);
	ctl_free(&r);
}

/* irqfwdctl list: a row per line, with its context, process and mode. */
TEST_F(ctl, list_text)
{
	char prefix[64], *row;
	struct irqfwd_line_info info;
	struct ctl_run r;

	ASSERT_EQ(0, line_query(self->dev, self->fwd, &info));
	ASSERT_EQ(0, CTL(&r, "list")) TH_LOG("%s", r.ebuf);
	EXPECT_NE(NULL, strstr(r.obuf, "CTX"));
	snprintf(prefix, sizeof(prefix), "\n%-5u %-5u %-7d %-16s", self->ctx_id,
		 self->fwd, getpid(), TEST_COMM);
	row = strstr(r.obuf, prefix);
	ASSERT_NE(NULL, row) TH_LOG("no row '%s' in:\n%s", prefix + 1, r.obuf);
	snprintf(prefix, sizeof(prefix), "forwarded->masked (%s)",
		 NAME(spec_reason_names, info.reason));
	EXPECT_NE(NULL, strstr(row, prefix)) TH_LOG("%s", r.obuf);
	ctl_free(&r);
}

/* irqfwdctl show CTX:ID and ID: the same fields as the query. */
TEST_F(ctl, show)
{
	__u32 ids[] = { self->edge, self->level, self->fwd };
	char arg[32];
	struct ctl_run r;
	struct jval *doc;
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(arg, sizeof(arg), "%u:%u", self->ctx_id, ids[i]);
		ASSERT_EQ(0, CTL(&r, "show", arg, "--json")) TH_LOG("%s", r.ebuf);
		doc = jparse(r.obuf, NULL);
		ASSERT_NE(NULL, doc) TH_LOG("bad JSON: %s", r.obuf);
		check_json_line(_metadata, doc, self->dev, self->ctx_id, ids[i],
				true);
		jfree(doc);
		ctl_free(&r);
	}

	/* Only this context is alive: the id alone is unambiguous. */
	snprintf(arg, sizeof(arg), "%u", self->level);
	ASSERT_EQ(0, CTL(&r, "--json", "show", arg)) TH_LOG("%s", r.ebuf);
	doc = jparse(r.obuf, NULL);
	ASSERT_NE(NULL, doc) TH_LOG("bad JSON: %s", r.obuf);
	check_json_line(_metadata, doc, self->dev, self->ctx_id, self->level,
			true);
	jfree(doc);
	ctl_free(&r);

	snprintf(arg, sizeof(arg), "%u:%u", self->ctx_id, self->level);
	ASSERT_EQ(0, CTL(&r, "show", arg)) TH_LOG("%s", r.ebuf);
	snprintf(arg, sizeof(arg), "line %u:%u\n", self->ctx_id, self->level);
	EXPECT_EQ(0, strncmp(r.obuf, arg, strlen(arg))) TH_LOG("%s", r.obuf);
	EXPECT_NE(NULL, strstr(r.obuf, "unmask-fd,resample-fd"));
	EXPECT_NE(NULL, strstr(r.obuf, "in-service"));
	EXPECT_NE(NULL, strstr(r.obuf, TEST_COMM));
	ctl_free(&r);
}

/* A line that does not exist: exit code 3, whichever way it is named. */
TEST_F(ctl, show_missing)
{
	char arg[32];
	struct ctl_run r;

	snprintf(arg, sizeof(arg), "%u:%u", self->ctx_id, NO_LINE);
	EXPECT_EQ(3, CTL(&r, "show", arg));
	EXPECT_NE(NULL, strstr(r.ebuf, "no such line")) TH_LOG("%s", r.ebuf);
	EXPECT_EQ(0, r.olen);
	ctl_free(&r);

	snprintf(arg, sizeof(arg), "%u:1", NO_CTX);
	EXPECT_EQ(3, CTL(&r, "show", arg));
	EXPECT_NE(NULL, strstr(r.ebuf, "no such context")) TH_LOG("%s", r.ebuf);
	ctl_free(&r);

	snprintf(arg, sizeof(arg), "%u", NO_LINE);
	EXPECT_EQ(3, CTL(&r, "show", "--json", arg));
	EXPECT_EQ(0, r.olen);
	ctl_free(&r);

	/* A destroyed line is gone. */
	ASSERT_EQ(0, line_destroy(self->dev, self->fwd));
	snprintf(arg, sizeof(arg), "%u:%u", self->ctx_id, self->fwd);
	EXPECT_EQ(3, CTL(&r, "show", arg));
	ctl_free(&r);
	snprintf(arg, sizeof(arg), "%u:%u", self->ctx_id, self->edge);
	EXPECT_EQ(0, CTL(&r, "show", arg));
	ctl_free(&r);
}

/* Usage errors exit 2, with a message and nothing on stdout. */
TEST(usage_errors)
{
	static const char *const bad[][5] = {
		{ "frobnicate" },
		{ "--frobnicate" },
		{ "list", "extra" },
		{ "list", "--bogus" },
		{ "show" },
		{ "show", "abc" },
		{ "show", "1:" },
		{ "show", ":1" },
		{ "show", "0:1" },
		{ "show", "1:0" },
		{ "show", "1:2:3" },
		{ "show", "-1" },
		{ "show", "99999999999" },
		{ "show", "1:1", "2:2" },
		{ "stats", "-i" },
		{ "stats", "-i", "0" },
		{ "stats", "--interval", "abc" },
		{ "stats", "-i", "-1" },
		{ "stats", "1:x" },
		{ "monitor", "--count", "0" },
		{ "monitor", "--count", "x" },
		{ "monitor", "--count" },
		{ "monitor", "extra" },
		{ "version", "extra" },
	};
	struct ctl_run r;
	size_t i;

	/* No arguments at all. */
	ASSERT_EQ(0, ctl_start(&r, 0, (const char *const[]){ NULL }));
	EXPECT_EQ(2, ctl_finish(&r, CTL_TIMEOUT_MS));
	ctl_free(&r);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, ctl_start(&r, 0, bad[i]));
		EXPECT_EQ(2, ctl_finish(&r, CTL_TIMEOUT_MS))
			TH_LOG("irqfwdctl %s %s %s: %s", bad[i][0],
			       bad[i][1] ?: "", bad[i][2] ?: "", r.ebuf);
		EXPECT_NE(0, r.elen);
		EXPECT_EQ(0, r.olen);
		ctl_free(&r);
	}

	EXPECT_EQ(0, CTL(&r, "help"));
	EXPECT_NE(NULL, strstr(r.obuf, "monitor"));
	ctl_free(&r);
	EXPECT_EQ(0, CTL(&r, "show", "--help"));
	ctl_free(&r);
}

static void read_module_version(char *buf, size_t size)
{
	FILE *f = fopen("/sys/module/irqfwd/version", "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

/* irqfwdctl version: the module's version and API version. */
TEST(version)
{
	char module[64], want[96];
	struct ctl_run r;
	struct jval *doc;

	read_module_version(module, sizeof(module));
	ASSERT_NE(0, module[0]);

	ASSERT_EQ(0, CTL(&r, "version")) TH_LOG("%s", r.ebuf);
	snprintf(want, sizeof(want), "\nmodule    %s\n", module);
	EXPECT_NE(NULL, strstr(r.obuf, want)) TH_LOG("%s", r.obuf);
	snprintf(want, sizeof(want), "\napi       %d ", IRQFWD_API_VERSION);
	EXPECT_NE(NULL, strstr(r.obuf, want)) TH_LOG("%s", r.obuf);
	EXPECT_EQ(0, strncmp(r.obuf, "irqfwdctl ", 10));
	ctl_free(&r);

	ASSERT_EQ(0, CTL(&r, "version", "--json")) TH_LOG("%s", r.ebuf);
	doc = jparse(r.obuf, NULL);
	ASSERT_NE(NULL, doc) TH_LOG("bad JSON: %s", r.obuf);
	EXPECT_STREQ(module, jstr(doc, "module") ?: "(none)");
	EXPECT_EQ(IRQFWD_API_VERSION, ju64(doc, "api_version", 0));
	EXPECT_STREQ(IRQFWD_LIB_VERSION, jstr(doc, "irqfwdctl") ?: "(none)");
	jfree(doc);
	ctl_free(&r);

	/* Without access to /dev/irqfwd: the module still, the API unknown. */
	ASSERT_EQ(0, CTL_AS(&r, NOBODY, "version")) TH_LOG("%s", r.ebuf);
	snprintf(want, sizeof(want), "\nmodule    %s\n", module);
	EXPECT_NE(NULL, strstr(r.obuf, want)) TH_LOG("%s", r.obuf);
	EXPECT_NE(NULL, strstr(r.obuf, "api       unknown")) TH_LOG("%s", r.obuf);
	ctl_free(&r);
}

/* The @n-th line of @text (from 0), as a new string. */
static char *nth_line(const char *text, int n)
{
	const char *end;

	while (n-- > 0) {
		text = strchr(text, '\n');
		if (!text)
			return NULL;
		text++;
	}
	end = strchr(text, '\n');
	if (!end)
		return NULL;
	return strndup(text, end - text);
}

/* A monitor that runs until it has seen @count events; it says when. */
static int monitor_start(struct ctl_run *r, const char *count, bool json)
{
	int ret;

	if (json)
		ret = ctl_start(r, 0, (const char *const[]){
			"monitor", "--json", "--count", count, NULL });
	else
		ret = ctl_start(r, 0, (const char *const[]){
			"monitor", "--count", count, NULL });
	if (ret)
		return ret;
	if (!ctl_read(r, CTL_TIMEOUT_MS, ctl_stderr_has, "listening"))
		return -ETIMEDOUT;
	return 0;
}

/* One event of the monitor's JSON output, checked. */
static void check_event(struct __test_metadata *_metadata, const char *text,
			const char *event, __u32 ctx_id, __u32 id,
			const char *cause)
{
	struct jval *doc = jparse(text, NULL);

	ASSERT_NE(NULL, doc) TH_LOG("bad JSON: %s", text);
	EXPECT_STREQ(event, jstr(doc, "event") ?: "(none)") TH_LOG("%s", text);
	EXPECT_EQ(ctx_id, ju64(doc, "ctx_id", 0)) TH_LOG("%s", text);
	EXPECT_EQ(id, ju64(doc, "id", 0)) TH_LOG("%s", text);
	EXPECT_STREQ("edge", jstr(doc, "trigger") ?: "(none)");
	if (cause) {
		EXPECT_STREQ(cause, jstr(doc, "cause") ?: "(none)")
			TH_LOG("%s", text);
	} else {
		EXPECT_EQ(NULL, jget(doc, "cause")) TH_LOG("%s", text);
	}
	if (!strcmp(event, "change")) {
		EXPECT_STREQ("forwarded", jstr(doc, "mode") ?: "(none)");
		EXPECT_STREQ("masked", jstr(doc, "effective_mode") ?: "(none)");
		EXPECT_STRNE("none", jstr(doc, "reason") ?: "none");
	}
	jfree(doc);
}

/*
 * irqfwdctl monitor --json --count 7 in the background sees lines come,
 * change and go, with each cause of going: destroyed, an eventfd closed,
 * the context's file closed.  Then it exits 0 by itself.
 */
TEST_F_TIMEOUT(ctl, monitor_json, 60)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int dev2, src[3], sink[3], i;
	__u32 ctx2 = 0, id[3];
	struct ctx_ids ids;
	struct ctl_run r;
	size_t want = 7;
	char *ev;

	dev2 = irqfwd_util_open();
	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, own_ctx_ids(&ids));
	ASSERT_EQ(2, ids.n);
	for (i = 0; i < 2; i++)
		if (ids.id[i] != self->ctx_id)
			ctx2 = ids.id[i];
	ASSERT_NE(0, ctx2);
	for (i = 0; i < 3; i++) {
		src[i] = new_eventfd();
		sink[i] = new_eventfd();
	}

	ASSERT_EQ(0, monitor_start(&r, "7", true)) TH_LOG("%s", r.ebuf);

	/* add, change, del (ioctl) */
	line_create_init(&c, src[0], sink[0], IRQFWD_TRIGGER_EDGE);
	ASSERT_LT(0, line_create(dev2, &c));
	id[0] = c.id;
	ASSERT_LE(0, line_set_mode(dev2, id[0], IRQFWD_MODE_FORWARDED));
	/* Let the change be reported before the line goes. */
	ASSERT_TRUE(ctl_read(&r, CTL_TIMEOUT_MS, ctl_stdout_lines,
			     &(size_t){ 2 })) TH_LOG("%s", r.obuf);
	ASSERT_EQ(0, line_destroy(dev2, id[0]));

	/* add, del (eventfd-closed) */
	line_create_init(&c, src[1], sink[1], IRQFWD_TRIGGER_EDGE);
	ASSERT_LT(0, line_create(dev2, &c));
	id[1] = c.id;
	close(src[1]);
	ASSERT_EQ(-ENOENT, line_wait_gone(dev2, id[1], 5000));
	/* It leaves the context before it is reported gone: wait for that. */
	ASSERT_TRUE(ctl_read(&r, CTL_TIMEOUT_MS, ctl_stdout_lines,
			     &(size_t){ 5 })) TH_LOG("%s", r.obuf);

	/* add, del (file-closed) */
	line_create_init(&c, src[2], sink[2], IRQFWD_TRIGGER_EDGE);
	ASSERT_LT(0, line_create(dev2, &c));
	id[2] = c.id;
	ASSERT_EQ(0, line_query(dev2, id[2], &info));
	close(dev2);

	EXPECT_TRUE(ctl_read(&r, CTL_TIMEOUT_MS, ctl_stdout_lines, &want))
		TH_LOG("events: %s", r.obuf);
	EXPECT_EQ(0, ctl_finish(&r, CTL_TIMEOUT_MS)) TH_LOG("%s", r.ebuf);

	ev = nth_line(r.obuf, 0);
	ASSERT_NE(NULL, ev) TH_LOG("%s", r.obuf);
	check_event(_metadata, ev, "add", ctx2, id[0], NULL);
	free(ev);
	ev = nth_line(r.obuf, 1);
	ASSERT_NE(NULL, ev) TH_LOG("%s", r.obuf);
	check_event(_metadata, ev, "change", ctx2, id[0], NULL);
	free(ev);
	ev = nth_line(r.obuf, 2);
	ASSERT_NE(NULL, ev) TH_LOG("%s", r.obuf);
	check_event(_metadata, ev, "del", ctx2, id[0], "ioctl");
	free(ev);
	ev = nth_line(r.obuf, 3);
	ASSERT_NE(NULL, ev) TH_LOG("%s", r.obuf);
	check_event(_metadata, ev, "add", ctx2, id[1], NULL);
	free(ev);
	ev = nth_line(r.obuf, 4);
	ASSERT_NE(NULL, ev) TH_LOG("%s", r.obuf);
	check_event(_metadata, ev, "del", ctx2, id[1], "eventfd-closed");
	free(ev);
	ev = nth_line(r.obuf, 5);
	ASSERT_NE(NULL, ev) TH_LOG("%s", r.obuf);
	check_event(_metadata, ev, "add", ctx2, id[2], NULL);
	free(ev);
	ev = nth_line(r.obuf, 6);
	ASSERT_NE(NULL, ev) TH_LOG("%s", r.obuf);
	check_event(_metadata, ev, "del", ctx2, id[2], "file-closed");
	free(ev);
	EXPECT_EQ(NULL, nth_line(r.obuf, 7));

	for (i = 0; i < 3; i++) {
		if (i != 1)
			close(src[i]);
		close(sink[i]);
	}
	ctl_free(&r);
}

/* The human monitor: one line per event; SIGINT ends it with 0. */
TEST_F_TIMEOUT(ctl, monitor_text, 60)
{
	struct irqfwd_line_create c;
	char want[64], *ev;
	struct ctl_run r;
	int src, sink;

	src = new_eventfd();
	sink = new_eventfd();
	ASSERT_EQ(0, monitor_start(&r, "1000", false)) TH_LOG("%s", r.ebuf);
	line_create_init(&c, src, sink, IRQFWD_TRIGGER_EDGE);
	ASSERT_LT(0, line_create(self->dev, &c));
	ASSERT_EQ(0, line_destroy(self->dev, c.id));
	ASSERT_TRUE(ctl_read(&r, CTL_TIMEOUT_MS, ctl_stdout_lines,
			     &(size_t){ 2 })) TH_LOG("%s", r.obuf);
	ASSERT_EQ(0, kill(r.pid, SIGINT));
	EXPECT_EQ(0, ctl_finish(&r, CTL_TIMEOUT_MS)) TH_LOG("%s", r.ebuf);

	ev = nth_line(r.obuf, 0);
	ASSERT_NE(NULL, ev);
	snprintf(want, sizeof(want), "add    %u:%u edge masked", self->ctx_id,
		 c.id);
	EXPECT_EQ(0, strncmp(ev, want, strlen(want))) TH_LOG("%s", ev);
	free(ev);
	ev = nth_line(r.obuf, 1);
	ASSERT_NE(NULL, ev);
	snprintf(want, sizeof(want), "del    %u:%u edge masked cause ioctl",
		 self->ctx_id, c.id);
	EXPECT_EQ(0, strncmp(ev, want, strlen(want))) TH_LOG("%s", ev);
	free(ev);
	close(src);
	close(sink);
	ctl_free(&r);
}

/*
 * Without CAP_NET_ADMIN (as nobody): no events (4), another process's
 * line is not shown (4), and the list holds none of our lines.
 */
TEST_F(ctl, unprivileged)
{
	struct ctl_run r;
	char arg[32];
	struct jval *doc;

	EXPECT_EQ(4, CTL_AS(&r, NOBODY, "monitor", "--count", "1"))
		TH_LOG("%s", r.ebuf);
	EXPECT_NE(NULL, strstr(r.ebuf, "CAP_NET_ADMIN")) TH_LOG("%s", r.ebuf);
	ctl_free(&r);

	snprintf(arg, sizeof(arg), "%u:%u", self->ctx_id, self->edge);
	EXPECT_EQ(4, CTL_AS(&r, NOBODY, "show", arg)) TH_LOG("%s", r.ebuf);
	EXPECT_NE(NULL, strstr(r.ebuf, "CAP_NET_ADMIN")) TH_LOG("%s", r.ebuf);
	ctl_free(&r);

	snprintf(arg, sizeof(arg), "%u", self->edge);
	EXPECT_EQ(3, CTL_AS(&r, NOBODY, "show", arg)) TH_LOG("%s", r.ebuf);
	ctl_free(&r);

	ASSERT_EQ(0, CTL_AS(&r, NOBODY, "list", "--json")) TH_LOG("%s", r.ebuf);
	doc = jparse(r.obuf, NULL);
	ASSERT_NE(NULL, doc) TH_LOG("bad JSON: %s", r.obuf);
	EXPECT_EQ(0, jlen(jget(doc, "contexts"))) TH_LOG("%s", r.obuf);
	EXPECT_EQ(0, jlen(jget(doc, "lines"))) TH_LOG("%s", r.obuf);
	jfree(doc);
	ctl_free(&r);
}

/* Fires an edge line's source every 200 us until told to stop. */
struct firer {
	int efd;
	atomic_bool stop;
	pthread_t thread;
};

static void *firer_fn(void *arg)
{
	struct firer *f = arg;

	while (!atomic_load(&f->stop)) {
		efd_signal(f->efd);
		usleep(200);
	}
	return NULL;
}

/* irqfwdctl stats: the counters; with an interval, the rates. */
TEST_F_TIMEOUT(ctl, stats, 60)
{
	__u32 ids[] = { self->edge, self->level, self->fwd };
	const struct jval *lines, *o, *rates;
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	struct firer f = { 0 };
	int64_t seen;
	int i;
	int src, sink;
	struct ctl_run r;
	struct jval *doc;
	char arg[32];

	ASSERT_EQ(0, CTL(&r, "stats", "--json")) TH_LOG("%s", r.ebuf);
	doc = jparse(r.obuf, NULL);
	ASSERT_NE(NULL, doc) TH_LOG("bad JSON: %s", r.obuf);
	lines = jget(doc, "lines");
	EXPECT_EQ(NULL, jget(doc, "interval"));
	for (i = 0; i < 3; i++) {
		o = find_line(lines, self->ctx_id, ids[i]);
		ASSERT_NE(NULL, o) TH_LOG("%s", r.obuf);
		ASSERT_EQ(0, line_query(self->dev, ids[i], &info));
		check_json_stats(_metadata, o, &info);
		EXPECT_EQ(NULL, jget(o, "rates"));
	}
	jfree(doc);
	ctl_free(&r);

	/* An idle line: nothing per second. */
	snprintf(arg, sizeof(arg), "%u:%u", self->ctx_id, self->level);
	ASSERT_EQ(0, CTL(&r, "stats", "--json", "-i", "0.2", arg))
		TH_LOG("%s", r.ebuf);
	doc = jparse(r.obuf, NULL);
	ASSERT_NE(NULL, doc) TH_LOG("bad JSON: %s", r.obuf);
	EXPECT_LE(0.2, jnum(doc, "interval", 0));
	lines = jget(doc, "lines");
	EXPECT_EQ(1, jlen(lines));
	o = find_line(lines, self->ctx_id, self->level);
	ASSERT_NE(NULL, o) TH_LOG("%s", r.obuf);
	rates = jget(o, "rates");
	ASSERT_NE(NULL, rates) TH_LOG("%s", r.obuf);
	EXPECT_EQ(0, jnum(rates, "fired", -1));
	EXPECT_EQ(0, jnum(rates, "delivered", -1));
	EXPECT_EQ(1, ju64(jget(o, "stats"), "delivered", 0));
	jfree(doc);
	ctl_free(&r);

	/* A busy line: its rates are those of its counters. */
	src = new_eventfd();
	sink = new_eventfd();
	line_create_init(&c, src, sink, IRQFWD_TRIGGER_EDGE);
	ASSERT_LT(0, line_create(self->dev, &c));
	f.efd = src;
	ASSERT_EQ(0, pthread_create(&f.thread, NULL, firer_fn, &f));
	snprintf(arg, sizeof(arg), "%u:%u", self->ctx_id, c.id);
	EXPECT_EQ(0, CTL(&r, "stats", "-i", "1", "--json", arg))
		TH_LOG("%s", r.ebuf);
	atomic_store(&f.stop, true);
	pthread_join(f.thread, NULL);
	/* Everything the firer sent reached the sink once, merged or not. */
	ASSERT_EQ(0, line_query(self->dev, c.id, &info));
	seen = efd_count(sink, info.stats.delivered, 5000);
	ASSERT_EQ(0, line_query(self->dev, c.id, &info));
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(info.stats.fired, info.stats.delivered +
		  info.stats.coalesced);
	EXPECT_EQ((int64_t)info.stats.delivered, seen);
	doc = jparse(r.obuf, NULL);
	ASSERT_NE(NULL, doc) TH_LOG("bad JSON: %s", r.obuf);
	o = find_line(jget(doc, "lines"), self->ctx_id, c.id);
	ASSERT_NE(NULL, o) TH_LOG("%s", r.obuf);
	rates = jget(o, "rates");
	ASSERT_NE(NULL, rates);
	EXPECT_LT(0, jnum(rates, "fired", 0)) TH_LOG("%s", r.obuf);
	EXPECT_LT(0, jnum(rates, "delivered", 0)) TH_LOG("%s", r.obuf);
	/* Not more than the counters can explain. */
	EXPECT_GE((double)ju64(jget(o, "stats"), "fired", 0) /
		  jnum(doc, "interval", 1) + 1, jnum(rates, "fired", 0));
	jfree(doc);
	ctl_free(&r);

	/* The human tables. */
	EXPECT_EQ(0, CTL(&r, "stats"));
	EXPECT_NE(NULL, strstr(r.obuf, "DELIVERED")) TH_LOG("%s", r.obuf);
	ctl_free(&r);
	EXPECT_EQ(0, CTL(&r, "stats", "-i", "0.1", arg));
	EXPECT_NE(NULL, strstr(r.obuf, "FIRED/S")) TH_LOG("%s", r.obuf);
	ctl_free(&r);
	snprintf(arg, sizeof(arg), "%u:%u", self->ctx_id, NO_LINE);
	EXPECT_EQ(3, CTL(&r, "stats", arg));
	ctl_free(&r);
	close(src);
	close(sink);
}

/* --- libirqfwd ---------------------------------------------------------- */

/* Every wrapper returns the documented negative errno for a bad call. */
TEST_F(ctl, lib_errnos)
{
	struct irqfwd_line_status st;
	struct irqfwd_line_config cfg;
	struct irqfwd_dev_info info;
	uint32_t id = 0, v;
	int efd, fd;

	memset(&info, POISON, sizeof(info));
	ASSERT_EQ(0, irqfwd_get_info(self->dev, &info));
	EXPECT_EQ(IRQFWD_API_VERSION, info.api_version);
	EXPECT_EQ(3, info.nr_lines);
	EXPECT_LT(0, info.max_lines);
	EXPECT_EQ(IRQFWD_CAP_LEVEL | IRQFWD_CAP_EOI | IRQFWD_CAP_RESAMPLE |
		  IRQFWD_CAP_MASK | IRQFWD_CAP_STORM,
		  info.caps);
	EXPECT_EQ(self->ctx_id, info.ctx_id);

	efd = new_eventfd();
	ASSERT_LE(0, efd);
	EXPECT_EQ(-ENOTTY, irqfwd_get_info(efd, &info));
	EXPECT_EQ(-EBADF, irqfwd_get_info(-1, &info));
	EXPECT_EQ(-EINVAL, irqfwd_get_info(self->dev, NULL));
	EXPECT_EQ(-EBADF, irqfwd_close(-1));
	EXPECT_EQ(-EINVAL, irqfwd_open(NULL));
	ASSERT_EQ(0, irqfwd_open(&fd));
	EXPECT_LE(0, fd);
	EXPECT_EQ(0, irqfwd_close(fd));

	memset(&cfg, 0, sizeof(cfg));
	cfg.source_fd = self->efd[E_SRC];	/* already a line's source */
	cfg.sink_fd = efd;
	cfg.trigger = IRQFWD_TRIGGER_EDGE;
	EXPECT_EQ(-EBUSY, irqfwd_line_create(self->dev, &cfg, &id));
	cfg.source_fd = -1;
	EXPECT_EQ(-EBADF, irqfwd_line_create(self->dev, &cfg, &id));
	cfg.source_fd = efd;
	EXPECT_EQ(-EINVAL, irqfwd_line_create(self->dev, &cfg, &id));
	cfg.source_fd = self->dev;		/* not an eventfd */
	EXPECT_EQ(-EINVAL, irqfwd_line_create(self->dev, &cfg, &id));
	cfg.source_fd = self->efd[E_SINK];	/* a line's sink */
	EXPECT_EQ(-EINVAL, irqfwd_line_create(self->dev, &cfg, &id));
	cfg.source_fd = new_eventfd();
	cfg.trigger = 7;
	EXPECT_EQ(-EINVAL, irqfwd_line_create(self->dev, &cfg, &id));
	cfg.trigger = IRQFWD_TRIGGER_EDGE;
	cfg.mode = 9;
	EXPECT_EQ(-EINVAL, irqfwd_line_create(self->dev, &cfg, &id));
	cfg.mode = IRQFWD_MODE_MASKED;
	cfg.flags = IRQFWD_LINE_UNMASK_FD;	/* on an edge line */
	cfg.unmask_fd = new_eventfd();
	EXPECT_EQ(-EINVAL, irqfwd_line_create(self->dev, &cfg, &id));
	cfg.flags = 1u << 9;
	EXPECT_EQ(-EINVAL, irqfwd_line_create(self->dev, &cfg, &id));
	EXPECT_EQ(-EINVAL, irqfwd_line_create(self->dev, NULL, &id));
	EXPECT_EQ(-EINVAL, irqfwd_line_create(self->dev, &cfg, NULL));
	EXPECT_EQ(0, id);
	cfg.flags = 0;
	ASSERT_EQ(0, irqfwd_line_create(self->dev, &cfg, &id));
	EXPECT_NE(0, id);
	EXPECT_EQ(0, irqfwd_line_destroy(self->dev, id));
	EXPECT_EQ(-ENOENT, irqfwd_line_destroy(self->dev, id));
	close(cfg.source_fd);
	close(cfg.unmask_fd);

	EXPECT_EQ(-ENOENT, irqfwd_line_destroy(self->dev, NO_LINE));
	EXPECT_EQ(-ENOENT, irqfwd_line_query(self->dev, NO_LINE, &st));
	EXPECT_EQ(-EINVAL, irqfwd_line_query(self->dev, self->edge, NULL));
	EXPECT_EQ(-ENOENT, irqfwd_line_eoi(self->dev, NO_LINE));
	EXPECT_EQ(-EINVAL, irqfwd_line_eoi(self->dev, self->edge));
	EXPECT_EQ(-ENOENT, irqfwd_line_mask(self->dev, NO_LINE, &v));
	EXPECT_EQ(-ENOENT, irqfwd_line_unmask(self->dev, NO_LINE, &v));
	EXPECT_EQ(-ENOENT, irqfwd_line_clear(self->dev, NO_LINE, &v));
	EXPECT_EQ(-EINVAL, irqfwd_line_mask_op(self->dev, self->edge,
					       IRQFWD_LINE_MASK_MASK |
					       IRQFWD_LINE_MASK_UNMASK, &v));
	EXPECT_EQ(-EINVAL, irqfwd_line_mask_op(self->dev, self->edge,
					       1u << 7, &v));
	EXPECT_EQ(-EINVAL, irqfwd_line_set_mode(self->dev, self->edge, 5,
						NULL, NULL));
	EXPECT_EQ(-ENOENT, irqfwd_line_set_mode(self->dev, NO_LINE,
						IRQFWD_MODE_MASKED, NULL,
						NULL));
	EXPECT_EQ(-ENOENT, irqfwd_line_set_storm(self->dev, NO_LINE, 10, 10));
	EXPECT_EQ(-ENOENT, irqfwd_line_storm_default(self->dev, NO_LINE));
	EXPECT_EQ(-EINVAL, irqfwd_line_set_storm(self->dev, self->edge, 10, 0));
	EXPECT_EQ(-EINVAL, irqfwd_line_set_storm(self->dev, self->edge, 10,
						 IRQFWD_STORM_BACKOFF_MAX_MS + 1));
	EXPECT_EQ(-EINVAL, irqfwd_line_set_storm(self->dev, self->edge, 0, 5));
	EXPECT_EQ(-ENOTTY, irqfwd_line_query(efd, self->edge, &st));
	close(efd);

	/* Nothing changed on the way. */
	ASSERT_EQ(0, irqfwd_get_info(self->dev, &info));
	EXPECT_EQ(3, info.nr_lines);
}

/* A parameter of the loaded module, or -1. */
static long module_param(const char *name)
{
	char path[128], buf[32];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/irqfwd/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

/* The wrappers do what the ioctls do, and query reads what they did. */
TEST_F(ctl, lib_line_ops)
{
	struct irqfwd_line_status st;
	struct irqfwd_line_info info;
	uint32_t state = ~0u, eff = ~0u, reason = ~0u;

	/* The edge line is masked with one pending: clear it, unmask. */
	ASSERT_EQ(0, irqfwd_line_mask_op(self->dev, self->edge, 0, &state));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED | IRQFWD_LINE_STATE_PENDING, state);
	ASSERT_EQ(0, irqfwd_line_clear(self->dev, self->edge, &state));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED, state);
	ASSERT_EQ(0, irqfwd_line_unmask(self->dev, self->edge, &state));
	EXPECT_EQ(0, state);
	memset(&st, POISON, sizeof(st));
	ASSERT_EQ(0, irqfwd_line_query(self->dev, self->edge, &st));
	EXPECT_EQ(self->edge, st.id);
	EXPECT_EQ(0, st.state);
	EXPECT_EQ(4, st.stats.fired);
	EXPECT_EQ(3, st.stats.delivered);
	EXPECT_EQ(1, st.stats.cleared);
	ASSERT_EQ(0, irqfwd_line_mask(self->dev, self->edge, &state));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED, state);
	ASSERT_EQ(0, efd_signal(self->efd[E_SRC]));
	ASSERT_EQ(0, line_wait_stat(self->dev, self->edge, fired, 5, 5000,
				    &info));
	EXPECT_EQ(0, efd_take(self->efd[E_SINK]));
	ASSERT_EQ(0, irqfwd_line_unmask(self->dev, self->edge, NULL));
	ASSERT_EQ(1, efd_wait(self->efd[E_SINK], 5000));
	EXPECT_EQ(0, efd_wait(self->efd[E_SINK], EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(self->dev, self->edge, &info));
	EXPECT_EQ(4, info.stats.delivered);

	/* The level line's interrupt completed from userspace. */
	ASSERT_EQ(0, irqfwd_line_eoi(self->dev, self->level));
	ASSERT_EQ(0, irqfwd_line_query(self->dev, self->level, &st));
	EXPECT_EQ(0, st.state & IRQFWD_LINE_STATE_IN_SERVICE);
	EXPECT_EQ(1, st.stats.completed);
	EXPECT_EQ(1, st.stats.unmasked);
	EXPECT_EQ(1, efd_wait(self->efd[L_UNMASK], 5000));
	EXPECT_EQ(0, efd_wait(self->efd[L_UNMASK], EFD_QUIET_MS));
	EXPECT_EQ(0, efd_take(self->efd[L_SINK]));
	EXPECT_EQ(IRQFWD_LINE_UNMASK_FD | IRQFWD_LINE_RESAMPLE_FD, st.flags);
	EXPECT_EQ(IRQFWD_TRIGGER_LEVEL, st.trigger);

	/* Modes: what set_mode returns is what query reads. */
	ASSERT_EQ(0, irqfwd_line_set_mode(self->dev, self->edge,
					  IRQFWD_MODE_FORWARDED, &eff,
					  &reason));
	EXPECT_EQ(IRQFWD_MODE_MASKED, eff);
	EXPECT_NE(IRQFWD_REASON_NONE, reason);
	ASSERT_EQ(0, irqfwd_line_query(self->dev, self->edge, &st));
	EXPECT_EQ(IRQFWD_MODE_FORWARDED, st.mode);
	EXPECT_EQ(eff, st.effective_mode);
	EXPECT_EQ(reason, st.reason);
	ASSERT_EQ(0, irqfwd_line_set_mode(self->dev, self->fwd,
					  IRQFWD_MODE_MASKED, &eff, &reason));
	EXPECT_EQ(IRQFWD_MODE_MASKED, eff);
	EXPECT_EQ(IRQFWD_REASON_NONE, reason);

	/* The storm guard: set, off, the module's defaults. */
	ASSERT_EQ(0, irqfwd_line_set_storm(self->dev, self->fwd, 500, 50));
	ASSERT_EQ(0, irqfwd_line_query(self->dev, self->fwd, &st));
	EXPECT_EQ(500, st.storm_rate);
	EXPECT_EQ(50, st.storm_backoff_ms);
	ASSERT_EQ(0, irqfwd_line_set_storm(self->dev, self->fwd, 0, 0));
	ASSERT_EQ(0, irqfwd_line_query(self->dev, self->fwd, &st));
	EXPECT_EQ(0, st.storm_rate);
	ASSERT_EQ(0, irqfwd_line_storm_default(self->dev, self->level));
	ASSERT_EQ(0, irqfwd_line_query(self->dev, self->level, &st));
	EXPECT_EQ(module_param("storm_rate"), st.storm_rate);
	EXPECT_EQ(module_param("storm_backoff_ms"), st.storm_backoff_ms);
	EXPECT_EQ(0, st.stats.storms);
}

struct nl_lines {
	struct irqfwd_nl_line v[16];
	int n;
};

static int collect_line(const struct irqfwd_nl_line *line, void *arg)
{
	struct nl_lines *l = arg;

	if (l->n >= 16)
		return -ENOSPC;
	l->v[l->n++] = *line;
	return 0;
}

static int stop_at_first(const struct irqfwd_nl_line *line, void *arg)
{
	(void)line;
	++*(int *)arg;
	return -ECANCELED;
}

/* Netlink through the library reads what the ioctl reads. */
TEST_F(ctl, lib_netlink_matches_query)
{
	struct irqfwd_nl_line line;
	struct irqfwd_nl_ctx ctx;
	struct nl_lines all = { 0 }, ours = { 0 };
	struct irqfwd_nl *nl;
	struct ctx_ids ids;
	int i, n, calls = 0;

	ASSERT_EQ(0, irqfwd_nl_open(&nl));
	EXPECT_EQ(NULL, irqfwd_nl_error(nl));

	ASSERT_EQ(0, own_ctx_ids(&ids));
	ASSERT_EQ(1, ids.n);
	EXPECT_EQ(self->ctx_id, ids.ctx[0].id);
	EXPECT_EQ(3, ids.ctx[0].nr_lines);
	EXPECT_STREQ(TEST_COMM, ids.ctx[0].comm);
	memset(&ctx, POISON, sizeof(ctx));
	ASSERT_EQ(0, irqfwd_nl_ctx_get(nl, self->ctx_id, &ctx));
	EXPECT_EQ(self->ctx_id, ctx.id);
	EXPECT_EQ((uint32_t)getpid(), ctx.pid);
	EXPECT_EQ(3, ctx.nr_lines);
	EXPECT_STREQ(TEST_COMM, ctx.comm);

	ASSERT_EQ(0, irqfwd_nl_line_dump(nl, self->ctx_id, collect_line,
					 &ours));
	ASSERT_EQ(3, ours.n);
	EXPECT_EQ(self->edge, ours.v[0].id);
	EXPECT_EQ(self->level, ours.v[1].id);
	EXPECT_EQ(self->fwd, ours.v[2].id);
	for (i = 0; i < 3; i++)
		check_nl_line(_metadata, &ours.v[i], self->dev, self->ctx_id);

	/* Every context's lines: ours among them, the same. */
	ASSERT_EQ(0, irqfwd_nl_line_dump(nl, 0, collect_line, &all));
	for (i = n = 0; i < all.n; i++) {
		if (all.v[i].ctx_id != self->ctx_id)
			continue;
		check_nl_line(_metadata, &all.v[i], self->dev, self->ctx_id);
		n++;
	}
	EXPECT_EQ(3, n);

	memset(&line, POISON, sizeof(line));
	ASSERT_EQ(0, irqfwd_nl_line_get(nl, self->ctx_id, self->level, &line));
	EXPECT_EQ(self->level, line.id);
	check_nl_line(_metadata, &line, self->dev, self->ctx_id);

	/* A callback's error stops the dump and is returned; no leftovers. */
	EXPECT_EQ(-ECANCELED, irqfwd_nl_line_dump(nl, self->ctx_id,
						  stop_at_first, &calls));
	EXPECT_EQ(1, calls);
	ASSERT_EQ(0, irqfwd_nl_line_get(nl, self->ctx_id, self->edge, &line));
	EXPECT_EQ(self->edge, line.id);

	/* What does not exist, with the kernel's words for it. */
	EXPECT_EQ(-ENOENT, irqfwd_nl_line_get(nl, self->ctx_id, NO_LINE,
					      &line));
	ASSERT_NE(NULL, irqfwd_nl_error(nl));
	EXPECT_STREQ("no such line", irqfwd_nl_error(nl));
	EXPECT_EQ(-ENOENT, irqfwd_nl_line_get(nl, NO_CTX, 1, &line));
	ASSERT_NE(NULL, irqfwd_nl_error(nl));
	EXPECT_STREQ("no such context", irqfwd_nl_error(nl));
	EXPECT_EQ(-ENOENT, irqfwd_nl_ctx_get(nl, NO_CTX, &ctx));
	EXPECT_EQ(-ENOENT, irqfwd_nl_line_dump(nl, NO_CTX, collect_line,
					       &all));
	EXPECT_EQ(-EINVAL, irqfwd_nl_line_get(nl, self->ctx_id, self->edge,
					      NULL));
	EXPECT_EQ(-EINVAL, irqfwd_nl_event_fd(nl));
	EXPECT_EQ(-EINVAL, irqfwd_nl_dispatch(nl, 0));

	/* The handle still works after errors. */
	ASSERT_EQ(0, irqfwd_nl_line_get(nl, self->ctx_id, self->fwd, &line));
	EXPECT_EQ(NULL, irqfwd_nl_error(nl));
	check_nl_line(_metadata, &line, self->dev, self->ctx_id);
	irqfwd_nl_close(nl);
}

static int ignore_event(enum irqfwd_nl_event event,
			const struct irqfwd_nl_line *line, void *arg)
{
	return 0;
}

/* Without CAP_NET_ADMIN: another process's context is not ours to see. */
TEST_F(ctl, lib_netlink_unprivileged)
{
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct irqfwd_nl_line line;
		struct irqfwd_nl_ctx ctx;
		struct nl_lines all = { 0 };
		struct irqfwd_nl *nl;
		int i;

		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(10);
		if (irqfwd_nl_open(&nl))
			_exit(11);
		if (irqfwd_nl_line_get(nl, self->ctx_id, self->edge, &line) !=
		    -EPERM)
			_exit(12);
		if (!irqfwd_nl_error(nl))
			_exit(13);
		if (irqfwd_nl_ctx_get(nl, self->ctx_id, &ctx) != -EPERM)
			_exit(14);
		if (irqfwd_nl_line_dump(nl, self->ctx_id, collect_line,
					&all) != -EPERM)
			_exit(15);
		if (irqfwd_nl_line_dump(nl, 0, collect_line, &all))
			_exit(16);
		for (i = 0; i < all.n; i++)
			if (all.v[i].ctx_id == self->ctx_id)
				_exit(17);
		if (irqfwd_nl_subscribe(nl, ignore_event, NULL) != -EPERM)
			_exit(18);
		/* Nonexistent stays nonexistent. */
		if (irqfwd_nl_ctx_get(nl, NO_CTX, &ctx) != -ENOENT)
			_exit(19);
		irqfwd_nl_close(nl);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("check %d failed",
						 WEXITSTATUS(status));
}

struct events {
	int n;
	enum irqfwd_nl_event ev[16];
	struct irqfwd_nl_line line[16];
};

static int collect_event(enum irqfwd_nl_event event,
			 const struct irqfwd_nl_line *line, void *arg)
{
	struct events *e = arg;

	if (e->n >= 16)
		return -ENOSPC;
	e->ev[e->n] = event;
	e->line[e->n++] = *line;
	return 0;
}

static int wait_events(struct irqfwd_nl *nl, struct events *e, int want)
{
	uint64_t end = now_ns() + 10000000000ull;
	int ret;

	while (e->n < want && now_ns() < end) {
		ret = irqfwd_nl_dispatch(nl, 100);
		if (ret < 0)
			return ret;
	}
	return e->n;
}

/* Events through the library: add, change, del with each cause. */
TEST_F(ctl, lib_events)
{
	struct irqfwd_line_config cfg = { 0 };
	struct events e = { 0 };
	struct pollfd pfd;
	struct irqfwd_nl *nl;
	uint32_t id;
	int src, sink, fd;

	ASSERT_EQ(0, irqfwd_nl_open(&nl));
	ASSERT_EQ(0, irqfwd_nl_subscribe(nl, collect_event, &e));
	ASSERT_LE(0, irqfwd_nl_event_fd(nl));
	EXPECT_EQ(0, irqfwd_nl_dispatch(nl, 0));

	src = new_eventfd();
	sink = new_eventfd();
	cfg.source_fd = src;
	cfg.sink_fd = sink;
	cfg.trigger = IRQFWD_TRIGGER_EDGE;
	ASSERT_EQ(0, irqfwd_line_create(self->dev, &cfg, &id));

	/* The descriptor polls readable. */
	pfd.fd = irqfwd_nl_event_fd(nl);
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ(1, wait_events(nl, &e, 1));
	EXPECT_EQ(IRQFWD_NL_EVENT_ADD, e.ev[0]);
	EXPECT_EQ(self->ctx_id, e.line[0].ctx_id);
	EXPECT_EQ(id, e.line[0].id);
	EXPECT_EQ(IRQFWD_TRIGGER_EDGE, e.line[0].trigger);
	EXPECT_EQ(IRQFWD_MODE_MASKED, e.line[0].mode);

	ASSERT_EQ(0, irqfwd_line_set_mode(self->dev, id, IRQFWD_MODE_FORWARDED,
					  NULL, NULL));
	ASSERT_EQ(2, wait_events(nl, &e, 2));
	EXPECT_EQ(IRQFWD_NL_EVENT_CHANGE, e.ev[1]);
	EXPECT_EQ(id, e.line[1].id);
	EXPECT_EQ(IRQFWD_MODE_FORWARDED, e.line[1].mode);
	EXPECT_EQ(IRQFWD_MODE_MASKED, e.line[1].effective_mode);
	EXPECT_NE(IRQFWD_REASON_NONE, e.line[1].reason);

	/* Forwarded asked for, relayed as masked: once. */
	ASSERT_EQ(0, efd_signal(src));
	ASSERT_EQ(1, efd_wait(sink, 5000));
	EXPECT_EQ(0, efd_wait(sink, EFD_QUIET_MS));
	ASSERT_EQ(0, irqfwd_line_destroy(self->dev, id));
	ASSERT_EQ(3, wait_events(nl, &e, 3));
	EXPECT_EQ(IRQFWD_NL_EVENT_DEL, e.ev[2]);
	EXPECT_EQ(id, e.line[2].id);
	EXPECT_EQ(IRQFWD_DESTROY_CAUSE_IOCTL, e.line[2].cause);
	/* The final counters. */
	EXPECT_EQ(1, e.line[2].stats.fired);
	EXPECT_EQ(1, e.line[2].stats.delivered);

	/* An eventfd closed: the line goes by itself. */
	cfg.source_fd = new_eventfd();
	ASSERT_EQ(0, irqfwd_line_create(self->dev, &cfg, &id));
	ASSERT_EQ(4, wait_events(nl, &e, 4));
	EXPECT_EQ(IRQFWD_NL_EVENT_ADD, e.ev[3]);
	close(cfg.source_fd);
	ASSERT_EQ(5, wait_events(nl, &e, 5));
	EXPECT_EQ(IRQFWD_NL_EVENT_DEL, e.ev[4]);
	EXPECT_EQ(id, e.line[4].id);
	EXPECT_EQ(IRQFWD_DESTROY_CAUSE_EVENTFD_CLOSED, e.line[4].cause);

	/* Another context's file closed: its line goes with it. */
	ASSERT_EQ(0, irqfwd_open(&fd));
	cfg.source_fd = src;
	ASSERT_EQ(0, irqfwd_line_create(fd, &cfg, &id));
	ASSERT_EQ(6, wait_events(nl, &e, 6));
	EXPECT_EQ(IRQFWD_NL_EVENT_ADD, e.ev[5]);
	EXPECT_NE(self->ctx_id, e.line[5].ctx_id);
	ASSERT_EQ(0, irqfwd_close(fd));
	ASSERT_EQ(7, wait_events(nl, &e, 7));
	EXPECT_EQ(IRQFWD_NL_EVENT_DEL, e.ev[6]);
	EXPECT_EQ(e.line[5].ctx_id, e.line[6].ctx_id);
	EXPECT_EQ(id, e.line[6].id);
	EXPECT_EQ(IRQFWD_DESTROY_CAUSE_FILE_CLOSED, e.line[6].cause);

	/* Nothing more. */
	EXPECT_EQ(0, irqfwd_nl_dispatch(nl, 200));
	EXPECT_EQ(7, e.n);
	irqfwd_nl_close(nl);
	close(src);
	close(sink);
}

struct last_add {
	unsigned long events;
	__u32 last_add_id;
};

static int count_events(enum irqfwd_nl_event event,
			const struct irqfwd_nl_line *line, void *arg)
{
	struct last_add *l = arg;

	l->events++;
	if (event == IRQFWD_NL_EVENT_ADD)
		l->last_add_id = line->id;
	return 0;
}

/*
 * Events not read in time overflow the socket: dispatch says -ENOBUFS
 * once, and the events after it still come.
 */
TEST_F_TIMEOUT(ctl, lib_events_overflow, 120)
{
	struct irqfwd_line_config cfg = { 0 };
	struct last_add l = { 0 };
	struct irqfwd_nl *nl;
	int i, ret, enobufs = 0, rcvbuf = 65536;
	uint64_t end;
	uint32_t id;

	ASSERT_EQ(0, irqfwd_nl_open(&nl));
	ASSERT_EQ(0, irqfwd_nl_subscribe(nl, count_events, &l));
	/*
	 * The library asks for a 1 MiB buffer, which the kernel caps at
	 * net.core.rmem_max: 2000 events overflow that on 6.1 and 6.12, but
	 * not on 7.x, whose default cap is larger.  Make the buffer small,
	 * so that they overflow it everywhere.
	 */
	ASSERT_EQ(0, setsockopt(irqfwd_nl_event_fd(nl), SOL_SOCKET, SO_RCVBUF,
				&rcvbuf, sizeof(rcvbuf)));
	cfg.source_fd = new_eventfd();
	cfg.sink_fd = new_eventfd();
	cfg.trigger = IRQFWD_TRIGGER_EDGE;
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, irqfwd_line_create(self->dev, &cfg, &id));
		ASSERT_EQ(0, irqfwd_line_destroy(self->dev, id));
	}
	for (;;) {
		ret = irqfwd_nl_dispatch(nl, 0);
		if (ret == -ENOBUFS) {
			enobufs++;
			continue;
		}
		ASSERT_LE(0, ret);
		if (!ret)
			break;
	}
	EXPECT_EQ(1, enobufs);
	EXPECT_LT(0, l.events);
	EXPECT_GT(2000, l.events);

	/* Events flow again. */
	ASSERT_EQ(0, irqfwd_line_create(self->dev, &cfg, &id));
	end = now_ns() + 10000000000ull;
	while (l.last_add_id != id && now_ns() < end)
		ASSERT_LE(0, irqfwd_nl_dispatch(nl, 100));
	EXPECT_EQ(id, l.last_add_id);
	EXPECT_EQ(0, irqfwd_line_destroy(self->dev, id));
	irqfwd_nl_close(nl);
	close(cfg.source_fd);
	close(cfg.sink_fd);
}

/* The names are the YAML spec's; unknown values have none. */
TEST(lib_names)
{
	char buf[64];
	uint32_t v;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		EXPECT_STREQ(trigger_names[i], irqfwd_trigger_name(i));
		EXPECT_STREQ(mode_names[i], irqfwd_mode_name(i));
		ASSERT_EQ(0, irqfwd_mode_parse(mode_names[i], &v));
		EXPECT_EQ(i, v);
	}
	for (i = 0; i < ARRAY_SIZE(spec_reason_names); i++)
		EXPECT_STREQ(spec_reason_names[i], irqfwd_reason_name(i));
	for (i = 0; i < 3; i++)
		EXPECT_STREQ(cause_names[i], irqfwd_cause_name(i));
	EXPECT_EQ(NULL, irqfwd_trigger_name(2));
	EXPECT_EQ(NULL, irqfwd_mode_name(2));
	EXPECT_EQ(NULL, irqfwd_reason_name(ARRAY_SIZE(spec_reason_names)));
	EXPECT_EQ(NULL, irqfwd_cause_name(3));
	EXPECT_STREQ("add", irqfwd_event_name(IRQFWD_NL_EVENT_ADD));
	EXPECT_STREQ("change", irqfwd_event_name(IRQFWD_NL_EVENT_CHANGE));
	EXPECT_STREQ("del", irqfwd_event_name(IRQFWD_NL_EVENT_DEL));
	EXPECT_EQ(NULL, irqfwd_event_name(0));
	EXPECT_EQ(-EINVAL, irqfwd_mode_parse("posted", &v));

	ASSERT_EQ(0, irqfwd_state_names(15, ",", buf, sizeof(buf)));
	EXPECT_STREQ("in-service,pending,masked,storm", buf);
	ASSERT_EQ(0, irqfwd_state_names(0, ",", buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	ASSERT_EQ(0, irqfwd_state_names(IRQFWD_LINE_STATE_MASKED | 0x30, " ",
					buf, sizeof(buf)));
	EXPECT_STREQ("masked 0x30", buf);
	ASSERT_EQ(0, irqfwd_flags_names(3, "|", buf, sizeof(buf)));
	EXPECT_STREQ("unmask-fd|resample-fd", buf);
	ASSERT_EQ(0, irqfwd_bypass_names(2, ",", buf, sizeof(buf)));
	EXPECT_STREQ("consumer", buf);
	ASSERT_EQ(0, irqfwd_caps_names(0x3f, ",", buf, sizeof(buf)));
	EXPECT_STREQ("level,eoi,resample,mask,forwarded,storm", buf);
	EXPECT_EQ(-ENOSPC, irqfwd_state_names(7, ",", buf, 8));
	EXPECT_STREQ("in-serv", buf);
}

TEST_HARNESS_MAIN
