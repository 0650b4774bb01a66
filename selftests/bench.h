/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What irqfwd_bench reports with: series of samples, their medians and
 * ratios in a table, the raw samples in a JSON file, scalar results and
 * the targets of the benchmark (measured, never asserted).  Header-only,
 * like the other selftest helpers.
 */
#ifndef IRQFWD_BENCH_H
#define IRQFWD_BENCH_H

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_JSON	"/tmp/irqfwd-bench.json"

/* Options: "key=value,key=value" from argv[1] or irqfwd_bench= on the
 * kernel command line (scripts/vm-run.sh passes IRQFWD_BENCH_ARGS). */
struct bench_opts {
	int rounds;		/* interleaved rounds of every group */
	int block;		/* samples per variant and round (host paths) */
	int warmup;		/* samples thrown away before each block */
	int guest_block;	/* samples per variant and round (guest) */
	int guest_warmup;
	int lines;		/* the largest scale step */
	int toggles;		/* masked->forwarded->masked cycles per round */
	bool profile;		/* trace where the edge paths spend time */
	char only[128];		/* groups to run, ':' separated; "" all */
};

static inline void bench_die(const char *what, int err)
{
	fprintf(stderr, "irqfwd_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static inline void bench_opt(struct bench_opts *o, const char *kv)
{
	const char *eq = strchr(kv, '=');
	int v = eq ? atoi(eq + 1) : 1;
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);

#define KEY(k) (klen == strlen(k) && !strncmp(kv, k, klen))
	if (KEY("rounds"))
		o->rounds = v;
	else if (KEY("block"))
		o->block = v;
	else if (KEY("warmup"))
		o->warmup = v;
	else if (KEY("guest_block"))
		o->guest_block = v;
	else if (KEY("guest_warmup"))
		o->guest_warmup = v;
	else if (KEY("lines"))
		o->lines = v;
	else if (KEY("toggles"))
		o->toggles = v;
	else if (KEY("profile"))
		o->profile = v;
	else if (KEY("only") && eq)
		snprintf(o->only, sizeof(o->only), ":%s:", eq + 1);
	else
		fprintf(stderr, "irqfwd_bench: unknown option '%.*s'\n",
			(int)klen, kv);
#undef KEY
}

static inline void bench_parse(struct bench_opts *o, const char *s)
{
	char buf[512], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		bench_opt(o, tok);
}

/* irqfwd_bench=... of /proc/cmdline, if any. */
static inline void bench_parse_cmdline(struct bench_opts *o)
{
	char line[4096], *p, *end;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		p = strstr(line, "irqfwd_bench=");
		if (p) {
			p += strlen("irqfwd_bench=");
			end = p + strcspn(p, " \n");
			*end = '\0';
			bench_parse(o, p);
		}
	}
	fclose(f);
}

static inline bool bench_want(const struct bench_opts *o, const char *group)
{
	char key[32];

	if (!o->only[0])
		return true;
	snprintf(key, sizeof(key), ":%s:", group);
	return strstr(o->only, key) != NULL;
}

/* --- series --------------------------------------------------------------- */

struct series {
	const char *name;	/* short: the JSON, the plot */
	const char *what;	/* what the table says of it */
	uint64_t *v;		/* in the order measured */
	size_t n, cap;
	uint64_t med, p10, p90;
	uint64_t rmed[64];	/* the median of each round's block */
	int nr;
};

static inline void series_init(struct series *s, const char *name,
			       const char *what, size_t cap)
{
	s->name = name;
	s->what = what;
	s->n = 0;
	s->nr = 0;
	s->cap = cap ? cap : 1;
	s->v = calloc(s->cap, sizeof(uint64_t));
	if (!s->v)
		bench_die("calloc", ENOMEM);
}

static inline void series_add(struct series *s, uint64_t v)
{
	if (s->n == s->cap) {
		s->cap *= 2;
		s->v = realloc(s->v, s->cap * sizeof(uint64_t));
		if (!s->v)
			bench_die("realloc", ENOMEM);
	}
	s->v[s->n++] = v;
}

static inline void series_free(struct series *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline uint64_t sorted_pct(const uint64_t *s, size_t n, unsigned int pct)
{
	size_t i = (n * pct) / 100;

	if (!n)
		return 0;
	return s[i < n ? i : n - 1];
}

/* Medians and percentiles, from a sorted copy: v keeps the order. */
static inline void series_stats(struct series *s)
{
	uint64_t *c = malloc((s->n ? s->n : 1) * sizeof(uint64_t));

	if (!c)
		bench_die("malloc", ENOMEM);
	memcpy(c, s->v, s->n * sizeof(uint64_t));
	qsort(c, s->n, sizeof(uint64_t), bench_cmp_u64);
	s->med = sorted_pct(c, s->n, 50);
	s->p10 = sorted_pct(c, s->n, 10);
	s->p90 = sorted_pct(c, s->n, 90);
	free(c);
}

/* The samples from @start on were one round's block. */
static inline void series_round(struct series *s, size_t start)
{
	size_t n = s->n - start;
	uint64_t *c;

	if (!n || s->nr == (int)(sizeof(s->rmed) / sizeof(s->rmed[0])))
		return;
	c = malloc(n * sizeof(uint64_t));
	if (!c)
		bench_die("malloc", ENOMEM);
	memcpy(c, s->v + start, n * sizeof(uint64_t));
	qsort(c, n, sizeof(uint64_t), bench_cmp_u64);
	s->rmed[s->nr++] = sorted_pct(c, n, 50);
	free(c);
}

/*
 * The spread of the ratio of @s to @ref round by round (the blocks of one
 * round ran side by side): how far the headline ratio can be trusted.
 */
static inline bool series_round_ratios(const struct series *s,
				       const struct series *ref,
				       double *lo, double *hi)
{
	int i;

	if (s->nr < 2 || s->nr != ref->nr)
		return false;
	*lo = 1e30;
	*hi = 0;
	for (i = 0; i < s->nr; i++) {
		double r = ref->rmed[i] ? (double)s->rmed[i] / ref->rmed[i] : 0;

		*lo = r < *lo ? r : *lo;
		*hi = r > *hi ? r : *hi;
	}
	return true;
}

/* The median of the round-by-round ratios of @s to @ref, or 0. */
static inline double series_round_ratio_median(const struct series *s,
					       const struct series *ref)
{
	double r[64], t;
	int i, j, n = 0;

	if (s->nr < 1 || s->nr != ref->nr)
		return 0;
	for (i = 0; i < s->nr; i++)
		if (ref->rmed[i])
			r[n++] = (double)s->rmed[i] / ref->rmed[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && r[j - 1] > r[j]; j--) {
			t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	return n ? (n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2) : 0;
}

/* --- output ---------------------------------------------------------------- */

static FILE *bench_json;
static bool bench_json_first_group = true;

/* Scalar results and targets, printed and written at the end. */
#define MAX_RESULTS	64
#define MAX_TARGETS	16

static struct bench_result {
	char key[48];
	double value;
	char unit[12];
} bench_results[MAX_RESULTS];
static int bench_nresults;

static struct bench_target {
	char what[80];
	double value;
	char op[3];
	double limit;
	char unit[4];	/* "x" or "B" */
	bool met;
	char note[120];
} bench_targets[MAX_TARGETS];
static int bench_ntargets;

static inline void bench_result(const char *key, double value,
				const char *unit)
{
	struct bench_result *r;

	if (bench_nresults == MAX_RESULTS)
		return;
	r = &bench_results[bench_nresults++];
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->value = value;
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
}

static inline void bench_target(const char *what, double value,
				const char *op, double limit,
				const char *unit, const char *fmt, ...)
{
	struct bench_target *t;
	va_list ap;

	if (bench_ntargets == MAX_TARGETS)
		return;
	t = &bench_targets[bench_ntargets++];
	snprintf(t->what, sizeof(t->what), "%s", what);
	t->value = value;
	snprintf(t->op, sizeof(t->op), "%s", op);
	t->limit = limit;
	snprintf(t->unit, sizeof(t->unit), "%s", unit);
	t->met = op[0] == '<' ? value <= limit : value >= limit;
	t->note[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(t->note, sizeof(t->note), fmt, ap);
		va_end(ap);
	}
}

static inline void json_str(const char *s)
{
	fputc('"', bench_json);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', bench_json);
		fputc(*s, bench_json);
	}
	fputc('"', bench_json);
}

/* JSON has no inf or nan (a ratio to a zero count): null. */
static inline void json_num(double v)
{
	if (isfinite(v))
		fprintf(bench_json, "%.6g", v);
	else
		fprintf(bench_json, "null");
}

static inline void bench_json_open(const char *meta_fmt, ...)
{
	va_list ap;

	bench_json = fopen(BENCH_JSON, "w");
	if (!bench_json)
		return;
	fprintf(bench_json, "{\"meta\":{");
	va_start(ap, meta_fmt);
	vfprintf(bench_json, meta_fmt, ap);
	va_end(ap);
	fprintf(bench_json, "},\n\"groups\":[\n");
}

enum bench_kind {
	BENCH_NS,		/* latencies: table in us, plotted */
	BENCH_NS_TABLE,		/* costs: table in us, not plotted */
	BENCH_BYTES,		/* sizes: table in bytes, not plotted */
};

/*
 * Print a group of series as a table of medians and ratios to series
 * @ref, and write it with its raw samples to the JSON file.
 */
static inline void bench_group(const char *key, const char *title,
			       const char *how, struct series *s, int n,
			       int ref, enum bench_kind kind)
{
	const char *unit = kind == BENCH_BYTES ? "B" : "us";
	double unit_div = kind == BENCH_BYTES ? 1 : 1000;
	int i;
	size_t j;

	for (i = 0; i < n; i++)
		series_stats(&s[i]);
	printf("\n%s\n  (%s; ratios of medians to %s)\n", title, how,
	       s[ref].name);
	printf("  %-16s %9s %9s %8s %13s  %s\n", "path", "median", "p90",
	       "ratio", "rounds", "what");
	for (i = 0; i < n; i++) {
		double r = s[ref].med ? (double)s[i].med / s[ref].med : 0;
		double lo, hi;
		char spread[32] = "";

		if (series_round_ratios(&s[i], &s[ref], &lo, &hi))
			snprintf(spread, sizeof(spread), "%.2f-%.2fx", lo, hi);
		printf("  %-16s %7.1f%-2s %7.1f%-2s %7.2fx %13s  %s\n",
		       s[i].name, s[i].med / unit_div, unit,
		       s[i].p90 / unit_div, unit, r, spread, s[i].what);
	}
	fflush(stdout);
	if (!bench_json)
		return;
	fprintf(bench_json, "%s{\"key\":", bench_json_first_group ? "" : ",\n");
	bench_json_first_group = false;
	json_str(key);
	fprintf(bench_json, ",\"title\":");
	json_str(title);
	fprintf(bench_json, ",\"how\":");
	json_str(how);
	fprintf(bench_json, ",\"unit\":\"%s\",\"plot\":%s,\"reference\":",
		kind == BENCH_BYTES ? "B" : "ns",
		kind == BENCH_NS ? "true" : "false");
	json_str(s[ref].name);
	fprintf(bench_json, ",\"series\":[\n");
	for (i = 0; i < n; i++) {
		fprintf(bench_json, "%s{\"name\":", i ? ",\n" : "");
		json_str(s[i].name);
		fprintf(bench_json, ",\"what\":");
		json_str(s[i].what);
		fprintf(bench_json,
			",\"n\":%zu,\"median\":%llu,\"p10\":%llu,\"p90\":%llu,\"ratio\":%.4f",
			s[i].n, (unsigned long long)s[i].med,
			(unsigned long long)s[i].p10,
			(unsigned long long)s[i].p90,
			s[ref].med ? (double)s[i].med / s[ref].med : 0.0);
		fprintf(bench_json, ",\"round_medians\":[");
		for (j = 0; j < (size_t)s[i].nr; j++)
			fprintf(bench_json, "%s%llu", j ? "," : "",
				(unsigned long long)s[i].rmed[j]);
		fprintf(bench_json, "],\"samples\":[");
		/* Short lines: the console carries them. */
		for (j = 0; j < s[i].n; j++)
			fprintf(bench_json, "%s%llu%s", j ? "," : "",
				(unsigned long long)s[i].v[j],
				j % 16 == 15 ? "\n" : "");
		fprintf(bench_json, "]}");
	}
	fprintf(bench_json, "]}");
	fflush(bench_json);
}

/* The targets, then the file's end. */
static inline void bench_finish(void)
{
	int i, met = 0;

	printf("\ntargets (measured, not asserted)\n");
	for (i = 0; i < bench_ntargets; i++) {
		struct bench_target *t = &bench_targets[i];
		bool x = t->unit[0] == 'x';

		met += t->met;
		printf("  %-44s %8.*f%s  %s %.*f%s  %-6s %s\n", t->what,
		       x ? 2 : 0, t->value, t->unit, t->op, x ? 2 : 0,
		       t->limit, t->unit, t->met ? "met" : "MISSED", t->note);
	}
	printf("  %d of %d met\n", met, bench_ntargets);
	if (!bench_json)
		return;
	fprintf(bench_json, "],\n\"results\":{");
	for (i = 0; i < bench_nresults; i++) {
		fprintf(bench_json, "%s", i ? ",\n" : "\n");
		json_str(bench_results[i].key);
		fprintf(bench_json, ":{\"value\":");
		json_num(bench_results[i].value);
		fprintf(bench_json, ",\"unit\":");
		json_str(bench_results[i].unit);
		fprintf(bench_json, "}");
	}
	fprintf(bench_json, "},\n\"targets\":[");
	for (i = 0; i < bench_ntargets; i++) {
		struct bench_target *t = &bench_targets[i];

		fprintf(bench_json, "%s{\"what\":", i ? ",\n" : "\n");
		json_str(t->what);
		fprintf(bench_json, ",\"value\":");
		json_num(t->value);
		fprintf(bench_json, ",\"op\":\"%s\",\"limit\":%.6g,\"unit\":\"%s\",\"met\":%s,\"note\":",
			t->op, t->limit, t->unit, t->met ? "true" : "false");
		json_str(t->note);
		fprintf(bench_json, "}");
	}
	fprintf(bench_json, "]}\n");
	fclose(bench_json);
	bench_json = NULL;
}

#endif /* IRQFWD_BENCH_H */
