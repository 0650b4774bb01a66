// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwdctl stats [-i SECONDS] [LINE]: the counters of every line (or of
 * one); with an interval, two samples that far apart and the rates
 * between them, per second.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

struct ctl_stats_opts {
	double interval;	/* seconds; 0: one sample */
};

static int ctl_stats_opt(int c, const char *arg, void *data)
{
	struct ctl_stats_opts *o = data;
	char *end;

	if (c != 'i')
		return -EINVAL;
	errno = 0;
	o->interval = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(o->interval) ||
	    o->interval <= 0 || o->interval > 3600)
		return -EINVAL;
	return 0;
}

static double ctl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void ctl_sleep(double seconds)
{
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (time_t)seconds) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* One sample: every line, or the line @ref names. */
static int ctl_sample(struct irqfwd_nl *nl, const char *arg,
		      const struct ctl_line_ref *ref, struct ctl_lines *lines)
{
	struct irqfwd_nl_line line;
	int ret;

	if (!arg) {
		ret = ctl_dump_lines(nl, 0, lines);
		if (ret)
			return ctl_fail(nl, ret, false, "dumping lines");
		return 0;
	}
	memset(lines, 0, sizeof(*lines));
	ret = ctl_resolve_line(nl, arg, ref, &line);
	if (ret)
		return ret;
	lines->v = malloc(sizeof(line));
	if (!lines->v) {
		ctl_warn("out of memory");
		return CTL_EXIT_FAILURE;
	}
	lines->v[0] = line;
	lines->n = 1;
	lines->cap = 1;
	return 0;
}

static const struct irqfwd_nl_line *
ctl_find_line(const struct ctl_lines *lines, uint32_t ctx_id, uint32_t id)
{
	size_t i;

	for (i = 0; i < lines->n; i++)
		if (lines->v[i].ctx_id == ctx_id && lines->v[i].id == id)
			return &lines->v[i];
	return NULL;
}

#define CTL_NR_COUNTERS	8

static void ctl_counters(const struct irqfwd_counters *c, uint64_t *v)
{
	v[0] = c->fired;
	v[1] = c->delivered;
	v[2] = c->coalesced;
	v[3] = c->completed;
	v[4] = c->unmasked;
	v[5] = c->spurious;
	v[6] = c->cleared;
	v[7] = c->storms;
}

/* A counter's growth; a line id used again restarts its counters. */
static double ctl_delta(uint64_t now, uint64_t before)
{
	return (double)(now >= before ? now - before : now);
}

static const char *const ctl_counter_names[CTL_NR_COUNTERS] = {
	"fired", "delivered", "coalesced", "completed", "unmasked",
	"spurious", "cleared", "storms",
};

static void ctl_stats_header(bool rates)
{
	int i;

	printf("%-12s", "LINE");
	for (i = 0; i < CTL_NR_COUNTERS; i++) {
		char name[24];
		size_t k;

		snprintf(name, sizeof(name), "%s%s", ctl_counter_names[i],
			 rates ? "/s" : "");
		for (k = 0; name[k]; k++)
			name[k] = (char)(name[k] - (name[k] >= 'a' &&
						    name[k] <= 'z' ? 32 : 0));
		printf(" %12s", name);
	}
	printf("\n");
}

static void ctl_stats_print(struct ctl *ctl, const struct ctl_lines *now,
			    const struct ctl_lines *before, double seconds)
{
	uint64_t a[CTL_NR_COUNTERS], b[CTL_NR_COUNTERS];
	struct json j;
	size_t i;
	int k;

	if (!ctl->json && !now->n) {
		printf("no lines\n");
		return;
	}
	if (ctl->json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		if (before)
			json_double(&j, "interval", seconds);
		json_array_begin(&j, "lines");
	} else {
		ctl_stats_header(before);
	}

	for (i = 0; i < now->n; i++) {
		const struct irqfwd_nl_line *l = &now->v[i];
		const struct irqfwd_nl_line *old = NULL;
		char name[32];

		if (before) {
			old = ctl_find_line(before, l->ctx_id, l->id);
			if (!old)
				continue;	/* new since: no rate */
			ctl_counters(&old->stats, b);
		}
		ctl_counters(&l->stats, a);

		if (ctl->json) {
			json_object_begin(&j, NULL);
			json_u64(&j, "ctx_id", l->ctx_id);
			json_u64(&j, "id", l->id);
			json_counters(&j, "stats", &l->stats);
			if (old) {
				json_object_begin(&j, "rates");
				for (k = 0; k < CTL_NR_COUNTERS; k++)
					json_double(&j, ctl_counter_names[k],
						    ctl_delta(a[k], b[k]) /
						    seconds);
				json_object_end(&j);
			}
			json_object_end(&j);
			continue;
		}
		snprintf(name, sizeof(name), "%u:%u", l->ctx_id, l->id);
		printf("%-12s", name);
		for (k = 0; k < CTL_NR_COUNTERS; k++) {
			if (old)
				printf(" %12.1f",
				       ctl_delta(a[k], b[k]) / seconds);
			else
				printf(" %12llu", (unsigned long long)a[k]);
		}
		printf("\n");
	}

	if (ctl->json) {
		json_array_end(&j);
		json_object_end(&j);
		json_end(&j);
	}
}

int ctl_stats(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_stats_opts o = { 0 };
	struct ctl_lines before = { 0 }, now = { 0 };
	struct ctl_line_ref ref;
	const char *arg = NULL;
	struct irqfwd_nl *nl;
	double t0 = 0, t1;
	int ret;

	ret = ctl_getopt(ctl, argc, argv, "i:", opts, ctl_stats_opt, &o);
	if (ret <= 0)
		return -ret;
	if (ret < argc) {
		arg = argv[ret];
		if (ret + 1 < argc)
			return ctl_usage_error(argv[0],
					       "unexpected argument '%s'",
					       argv[ret + 1]);
		if (!ctl_parse_line_ref(arg, &ref))
			return ctl_usage_error(argv[0],
					       "bad line '%s': expected CTX:ID or ID",
					       arg);
	}

	ret = ctl_nl_open(&nl);
	if (ret)
		return ret;
	if (o.interval) {
		t0 = ctl_now();
		ret = ctl_sample(nl, arg, &ref, &before);
		if (ret)
			goto out;
		ctl_sleep(o.interval);
	}
	t1 = ctl_now();
	ret = ctl_sample(nl, arg, &ref, &now);
	if (ret)
		goto out;
	ctl_stats_print(ctl, &now, o.interval ? &before : NULL, t1 - t0);
	ret = CTL_EXIT_OK;
out:
	ctl_lines_free(&now);
	ctl_lines_free(&before);
	irqfwd_nl_close(nl);
	return ret;
}
