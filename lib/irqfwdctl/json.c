// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwdctl: a streaming JSON writer, compact (one document per line), for
 * --json.  Strings are escaped per RFC 8259, and every byte outside
 * printable ASCII is written as \u00XX: the output is ASCII and always
 * parses, whatever a process named itself.
 */
#include <math.h>
#include <string.h>

#include "ctl.h"

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

static void json_raw_string(struct json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', j->f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", j->f);
			break;
		case '\\':
			fputs("\\\\", j->f);
			break;
		case '\n':
			fputs("\\n", j->f);
			break;
		case '\t':
			fputs("\\t", j->f);
			break;
		case '\r':
			fputs("\\r", j->f);
			break;
		default:
			if (*p < 0x20 || *p >= 0x80)
				fprintf(j->f, "\\u%04x", *p);
			else
				fputc(*p, j->f);
		}
	}
	fputc('"', j->f);
}

/* The separator and the key of the next member or element. */
static void json_key(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		json_raw_string(j, key);
		fputc(':', j->f);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_object_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, ']');
}

void json_string(struct json *j, const char *key, const char *value)
{
	if (!value) {
		json_null(j, key);
		return;
	}
	json_key(j, key);
	json_raw_string(j, value);
}

void json_u64(struct json *j, const char *key, uint64_t value)
{
	json_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)value);
}

void json_double(struct json *j, const char *key, double value)
{
	if (!isfinite(value)) {
		json_null(j, key);
		return;
	}
	json_key(j, key);
	fprintf(j->f, "%.3f", value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	json_key(j, key);
	fputs(value ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void json_enum(struct json *j, const char *key, const char *name,
	       uint32_t value)
{
	if (name)
		json_string(j, key, name);
	else
		json_u64(j, key, value);
}

void json_words(struct json *j, const char *key, const char *words)
{
	char buf[256], *name, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", words);
	json_array_begin(j, key);
	for (name = strtok_r(buf, " ", &save); name;
	     name = strtok_r(NULL, " ", &save))
		json_string(j, NULL, name);
	json_array_end(j);
}

void json_end(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

void json_counters(struct json *j, const char *key,
		   const struct irqfwd_counters *c)
{
	json_object_begin(j, key);
	json_u64(j, "fired", c->fired);
	json_u64(j, "delivered", c->delivered);
	json_u64(j, "coalesced", c->coalesced);
	json_u64(j, "completed", c->completed);
	json_u64(j, "unmasked", c->unmasked);
	json_u64(j, "spurious", c->spurious);
	json_u64(j, "cleared", c->cleared);
	json_u64(j, "storms", c->storms);
	json_object_end(j);
}

void json_line_members(struct json *j, const struct irqfwd_nl_line *line,
		       const struct irqfwd_nl_ctx *ctx)
{
	char buf[256];

	json_u64(j, "ctx_id", line->ctx_id);
	json_u64(j, "id", line->id);
	if (ctx) {
		json_u64(j, "pid", ctx->pid);
		json_string(j, "comm", ctx->comm);
	}
	json_enum(j, "trigger", irqfwd_trigger_name(line->trigger),
		  line->trigger);
	irqfwd_flags_names(line->flags, " ", buf, sizeof(buf));
	json_words(j, "flags", buf);
	json_enum(j, "mode", irqfwd_mode_name(line->mode), line->mode);
	json_enum(j, "effective_mode", irqfwd_mode_name(line->effective_mode),
		  line->effective_mode);
	json_enum(j, "reason", irqfwd_reason_name(line->reason), line->reason);
	irqfwd_state_names(line->state, " ", buf, sizeof(buf));
	json_words(j, "state", buf);
	json_u64(j, "host_irq", line->host_irq);
	irqfwd_bypass_names(line->bypass, " ", buf, sizeof(buf));
	json_words(j, "bypass", buf);
	json_counters(j, "stats", &line->stats);
	json_u64(j, "storm_rate", line->storm_rate);
	json_u64(j, "storm_backoff_ms", line->storm_backoff_ms);
}
