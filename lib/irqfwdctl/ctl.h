/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqfwdctl: what the subcommands share.  One file per subcommand, as in
 * batctl; irqfwdctl(8) is the manual.
 */
#ifndef IRQFWDCTL_CTL_H
#define IRQFWDCTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "irqfwd.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit codes, documented in irqfwdctl(8): they are an interface. */
enum {
	CTL_EXIT_OK		= 0,
	CTL_EXIT_FAILURE	= 1,	/* runtime failure */
	CTL_EXIT_USAGE		= 2,	/* unknown subcommand, bad arguments */
	CTL_EXIT_NOT_FOUND	= 3,	/* no such line or context */
	CTL_EXIT_PERMISSION	= 4,	/* permission denied */
};

struct ctl {
	bool json;
	const char *prog;
};

struct ctl_cmd {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv);
	const char *args;
	const char *help;
};

int ctl_list(struct ctl *ctl, int argc, char **argv);
int ctl_show(struct ctl *ctl, int argc, char **argv);
int ctl_stats(struct ctl *ctl, int argc, char **argv);
int ctl_monitor(struct ctl *ctl, int argc, char **argv);
int ctl_version(struct ctl *ctl, int argc, char **argv);

/* --- main.c: messages and options ---------------------------------------- */

void ctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report a failed library call (@err, a negative errno) about @what, with
 * the kernel's message if @nl has one; returns the exit code for it:
 * CTL_EXIT_PERMISSION for EPERM/EACCES, CTL_EXIT_NOT_FOUND for ENOENT if
 * @enoent_is_not_found, else CTL_EXIT_FAILURE.
 */
int ctl_fail(const struct irqfwd_nl *nl, int err, bool enoent_is_not_found,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A usage error: the message, the subcommand's synopsis, exit code 2. */
int ctl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parse a subcommand's options (argv[0] is the subcommand): --json/-j
 * and --help/-h for everyone, plus @extra (getopt_long's, may be NULL)
 * handled by @opt.  Returns the index of the first operand (at least 1),
 * 0 if the help was printed, or -CTL_EXIT_USAGE: callers return -ret if
 * ret <= 0.
 */
struct option;
int ctl_getopt(struct ctl *ctl, int argc, char **argv, const char *shortopts,
	       const struct option *extra,
	       int (*opt)(int c, const char *arg, void *data), void *data);

/* Open the netlink family, with a helpful message; returns an exit code. */
int ctl_nl_open(struct irqfwd_nl **nl);

/* Parse an unsigned 32-bit number; false if it is not one. */
bool ctl_parse_u32(const char *s, uint32_t *v);

/* --- lines.c: snapshots of contexts and lines ----------------------------- */

struct ctl_ctxs {
	struct irqfwd_nl_ctx *v;
	size_t n, cap;
};

struct ctl_lines {
	struct irqfwd_nl_line *v;
	size_t n, cap;
};

int ctl_dump_ctxs(struct irqfwd_nl *nl, struct ctl_ctxs *ctxs);
int ctl_dump_lines(struct irqfwd_nl *nl, uint32_t ctx_id,
		   struct ctl_lines *lines);
const struct irqfwd_nl_ctx *ctl_find_ctx(const struct ctl_ctxs *ctxs,
					 uint32_t id);
void ctl_ctxs_free(struct ctl_ctxs *ctxs);
void ctl_lines_free(struct ctl_lines *lines);

/*
 * LINE as the user wrote it: CTX:ID, or ID alone (any context).  Returns
 * false if it is neither.
 */
struct ctl_line_ref {
	uint32_t ctx_id;	/* 0: any */
	uint32_t id;
};

bool ctl_parse_line_ref(const char *s, struct ctl_line_ref *ref);

/*
 * Find the one line @ref names: 0 and *@line filled, or an exit code
 * with the message printed (not found, ambiguous, netlink error).
 */
int ctl_resolve_line(struct irqfwd_nl *nl, const char *arg,
		     const struct ctl_line_ref *ref,
		     struct irqfwd_nl_line *line);

/* "masked", "forwarded->masked (no-consumer)", ... */
void ctl_mode_text(const struct irqfwd_nl_line *line, char *buf, size_t size);

/* Names of a value, or its number if it has none. */
const char *ctl_name(const char *name, uint32_t value, char *buf, size_t size);

/* --- json.c: a small streaming JSON writer --------------------------------- */

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
/* @key is NULL inside arrays and at the top. */
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, uint64_t value);
void json_double(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* An enumeration: its name, or its number if it has no name. */
void json_enum(struct json *j, const char *key, const char *name,
	       uint32_t value);
/* Space-separated names (irqfwd_state_names() & co.) as an array. */
void json_words(struct json *j, const char *key, const char *words);
/* End the document: a newline. */
void json_end(struct json *j);

/* A line as JSON object members (into an object begun by the caller). */
void json_line_members(struct json *j, const struct irqfwd_nl_line *line,
		       const struct irqfwd_nl_ctx *ctx);
void json_counters(struct json *j, const char *key,
		   const struct irqfwd_counters *c);

#endif /* IRQFWDCTL_CTL_H */
