// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwdctl: snapshots of the contexts and lines netlink shows, and the
 * LINE argument of show and stats.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static int ctl_grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t cap2 = *cap ? *cap * 2 : 16;
	void *v2;

	if (n < *cap)
		return 0;
	v2 = realloc(*v, cap2 * size);
	if (!v2)
		return -ENOMEM;
	*v = v2;
	*cap = cap2;
	return 0;
}

static int ctl_add_ctx(const struct irqfwd_nl_ctx *ctx, void *arg)
{
	struct ctl_ctxs *ctxs = arg;
	int ret;

	ret = ctl_grow((void **)&ctxs->v, &ctxs->cap, ctxs->n, sizeof(*ctx));
	if (ret)
		return ret;
	ctxs->v[ctxs->n++] = *ctx;
	return 0;
}

static int ctl_add_line(const struct irqfwd_nl_line *line, void *arg)
{
	struct ctl_lines *lines = arg;
	int ret;

	ret = ctl_grow((void **)&lines->v, &lines->cap, lines->n,
		       sizeof(*line));
	if (ret)
		return ret;
	lines->v[lines->n++] = *line;
	return 0;
}

int ctl_dump_ctxs(struct irqfwd_nl *nl, struct ctl_ctxs *ctxs)
{
	memset(ctxs, 0, sizeof(*ctxs));
	return irqfwd_nl_ctx_dump(nl, ctl_add_ctx, ctxs);
}

int ctl_dump_lines(struct irqfwd_nl *nl, uint32_t ctx_id,
		   struct ctl_lines *lines)
{
	memset(lines, 0, sizeof(*lines));
	return irqfwd_nl_line_dump(nl, ctx_id, ctl_add_line, lines);
}

const struct irqfwd_nl_ctx *ctl_find_ctx(const struct ctl_ctxs *ctxs,
					 uint32_t id)
{
	size_t i;

	for (i = 0; i < ctxs->n; i++)
		if (ctxs->v[i].id == id)
			return &ctxs->v[i];
	return NULL;
}

void ctl_ctxs_free(struct ctl_ctxs *ctxs)
{
	free(ctxs->v);
	memset(ctxs, 0, sizeof(*ctxs));
}

void ctl_lines_free(struct ctl_lines *lines)
{
	free(lines->v);
	memset(lines, 0, sizeof(*lines));
}

bool ctl_parse_line_ref(const char *s, struct ctl_line_ref *ref)
{
	const char *colon = strchr(s, ':');
	char ctx[16];

	if (!colon) {
		ref->ctx_id = 0;
		return ctl_parse_u32(s, &ref->id) && ref->id;
	}
	if ((size_t)(colon - s) >= sizeof(ctx))
		return false;
	memcpy(ctx, s, colon - s);
	ctx[colon - s] = '\0';
	return ctl_parse_u32(ctx, &ref->ctx_id) && ref->ctx_id &&
	       ctl_parse_u32(colon + 1, &ref->id) && ref->id;
}

int ctl_resolve_line(struct irqfwd_nl *nl, const char *arg,
		     const struct ctl_line_ref *ref,
		     struct irqfwd_nl_line *line)
{
	struct ctl_lines lines;
	size_t i, found = 0;
	int ret;

	if (ref->ctx_id) {
		ret = irqfwd_nl_line_get(nl, ref->ctx_id, ref->id, line);
		if (ret)
			return ctl_fail(nl, ret, true, "line %s", arg);
		return 0;
	}

	ret = ctl_dump_lines(nl, 0, &lines);
	if (ret) {
		ctl_lines_free(&lines);
		return ctl_fail(nl, ret, false, "dumping lines");
	}
	for (i = 0; i < lines.n; i++) {
		if (lines.v[i].id != ref->id)
			continue;
		if (!found++)
			*line = lines.v[i];
	}
	ctl_lines_free(&lines);
	if (found == 1)
		return 0;
	if (!found) {
		ctl_warn("line %s: no such line", arg);
		return CTL_EXIT_NOT_FOUND;
	}
	ctl_warn("line %s is ambiguous: %zu contexts have a line %u, name one as CTX:%u",
		 arg, found, ref->id, ref->id);
	return CTL_EXIT_USAGE;
}

const char *ctl_name(const char *name, uint32_t value, char *buf, size_t size)
{
	if (name)
		return name;
	snprintf(buf, size, "%u", value);
	return buf;
}

void ctl_mode_text(const struct irqfwd_nl_line *line, char *buf, size_t size)
{
	char m[16], e[16], r[16];
	const char *mode = ctl_name(irqfwd_mode_name(line->mode), line->mode,
				    m, sizeof(m));
	const char *eff = ctl_name(irqfwd_mode_name(line->effective_mode),
				   line->effective_mode, e, sizeof(e));
	const char *reason = ctl_name(irqfwd_reason_name(line->reason),
				      line->reason, r, sizeof(r));

	if (line->mode == line->effective_mode &&
	    line->reason == IRQFWD_REASON_NONE)
		snprintf(buf, size, "%s", mode);
	else if (line->mode == line->effective_mode)
		snprintf(buf, size, "%s (%s)", mode, reason);
	else
		snprintf(buf, size, "%s->%s (%s)", mode, eff, reason);
}
