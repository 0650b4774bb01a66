/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader for the selftests (RFC 8259, no extensions): parses
 * one document into a tree, for checking irqfwdctl --json field by field.
 * Header-only, like the harness; no dependencies.
 */
#ifndef IRQFWD_JSON_READER_H
#define IRQFWD_JSON_READER_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum jtype { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

struct jval {
	enum jtype type;
	char *key;		/* the member's name, inside an object */
	char *str;		/* J_STRING */
	double num;		/* J_NUMBER */
	uint64_t u64;		/* J_NUMBER, if is_uint */
	bool is_uint;		/* a non-negative integer that fits */
	bool b;			/* J_BOOL */
	struct jval *child;	/* the first element or member */
	struct jval *next;	/* the next sibling */
};

struct jparser {
	const char *p;
	const char *err;
	int depth;
};

static inline void jfree(struct jval *v)
{
	while (v) {
		struct jval *next = v->next;

		jfree(v->child);
		free(v->key);
		free(v->str);
		free(v);
		v = next;
	}
}

static inline void jskip_ws(struct jparser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static inline struct jval *jfail(struct jparser *ps, const char *why)
{
	if (!ps->err)
		ps->err = why;
	return NULL;
}

static inline int jhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string at ps->p (on its opening quote), as a new C string. */
static inline char *jparse_string(struct jparser *ps)
{
	size_t cap = 16, len = 0;
	char *s = malloc(cap);

	if (!s || *ps->p != '"')
		goto err;
	ps->p++;
	for (;;) {
		unsigned int c = (unsigned char)*ps->p++;
		char enc[4];
		int n = 1, i;

		if (c == '"')
			break;
		if (c < 0x20)	/* also the end of the text */
			goto err;
		enc[0] = (char)c;
		if (c == '\\') {
			c = (unsigned char)*ps->p++;
			switch (c) {
			case '"': case '\\': case '/':
				enc[0] = (char)c; break;
			case 'b': enc[0] = '\b'; break;
			case 'f': enc[0] = '\f'; break;
			case 'n': enc[0] = '\n'; break;
			case 'r': enc[0] = '\r'; break;
			case 't': enc[0] = '\t'; break;
			case 'u': {
				unsigned int u = 0;

				for (i = 0; i < 4; i++) {
					int h = jhex(*ps->p++);

					if (h < 0)
						goto err;
					u = u << 4 | h;
				}
				/* The BMP only: enough for these tests. */
				if (u < 0x80) {
					enc[0] = (char)u;
				} else if (u < 0x800) {
					enc[0] = (char)(0xc0 | u >> 6);
					enc[1] = (char)(0x80 | (u & 0x3f));
					n = 2;
				} else {
					enc[0] = (char)(0xe0 | u >> 12);
					enc[1] = (char)(0x80 | (u >> 6 & 0x3f));
					enc[2] = (char)(0x80 | (u & 0x3f));
					n = 3;
				}
				break;
			}
			default:
				goto err;
			}
		}
		if (len + n + 1 > cap) {
			char *s2;

			cap = cap * 2 + n;
			s2 = realloc(s, cap);
			if (!s2)
				goto err;
			s = s2;
		}
		memcpy(s + len, enc, n);
		len += n;
	}
	s[len] = '\0';
	return s;
err:
	free(s);
	jfail(ps, "bad string");
	return NULL;
}

static inline struct jval *jparse_value(struct jparser *ps);

static inline struct jval *jnew(enum jtype type)
{
	struct jval *v = calloc(1, sizeof(*v));

	if (v)
		v->type = type;
	return v;
}

/* An array or an object; ps->p on its opening bracket. */
static inline struct jval *jparse_container(struct jparser *ps, bool object)
{
	struct jval *v = jnew(object ? J_OBJECT : J_ARRAY), **tail;
	char close = object ? '}' : ']';

	if (!v)
		return jfail(ps, "out of memory");
	if (++ps->depth > 64) {
		jfree(v);
		return jfail(ps, "too deep");
	}
	tail = &v->child;
	ps->p++;
	jskip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct jval *e;

		jskip_ws(ps);
		if (object) {
			key = jparse_string(ps);
			if (!key)
				goto err;
			jskip_ws(ps);
			if (*ps->p++ != ':') {
				free(key);
				jfail(ps, "expected ':'");
				goto err;
			}
		}
		e = jparse_value(ps);
		if (!e) {
			free(key);
			goto err;
		}
		e->key = key;
		*tail = e;
		tail = &e->next;
		jskip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			ps->depth--;
			return v;
		}
		jfail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
		goto err;
	}
err:
	jfree(v);
	return NULL;
}

static inline struct jval *jparse_number(struct jparser *ps)
{
	const char *start = ps->p;
	struct jval *v;
	bool integer = true;
	char *end;

	if (*ps->p == '-') {
		integer = false;
		ps->p++;
	}
	if (*ps->p == '0') {
		ps->p++;
	} else if (*ps->p >= '1' && *ps->p <= '9') {
		while (*ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	} else {
		return jfail(ps, "bad number");
	}
	if (*ps->p == '.') {
		integer = false;
		ps->p++;
		if (*ps->p < '0' || *ps->p > '9')
			return jfail(ps, "bad number");
		while (*ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (*ps->p == 'e' || *ps->p == 'E') {
		integer = false;
		ps->p++;
		if (*ps->p == '+' || *ps->p == '-')
			ps->p++;
		if (*ps->p < '0' || *ps->p > '9')
			return jfail(ps, "bad number");
		while (*ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	v = jnew(J_NUMBER);
	if (!v)
		return jfail(ps, "out of memory");
	v->num = strtod(start, NULL);
	if (integer) {
		errno = 0;
		v->u64 = strtoull(start, &end, 10);
		v->is_uint = !errno && end == ps->p;
	}
	return v;
}

static inline struct jval *jparse_value(struct jparser *ps)
{
	struct jval *v;

	jskip_ws(ps);
	switch (*ps->p) {
	case '{':
		return jparse_container(ps, true);
	case '[':
		return jparse_container(ps, false);
	case '"':
		v = jnew(J_STRING);
		if (!v)
			return jfail(ps, "out of memory");
		v->str = jparse_string(ps);
		if (!v->str) {
			jfree(v);
			return NULL;
		}
		return v;
	case 't':
	case 'f':
	case 'n': {
		static const char *const words[] = { "true", "false", "null" };
		int i;

		for (i = 0; i < 3; i++) {
			size_t n = strlen(words[i]);

			if (strncmp(ps->p, words[i], n))
				continue;
			ps->p += n;
			v = jnew(i == 2 ? J_NULL : J_BOOL);
			if (!v)
				return jfail(ps, "out of memory");
			v->b = i == 0;
			return v;
		}
		return jfail(ps, "bad literal");
	}
	default:
		return jparse_number(ps);
	}
}

/*
 * Parse @text, one JSON document (surrounding white space allowed): the
 * tree, or NULL with the reason in *@err.
 */
static inline struct jval *jparse(const char *text, const char **err)
{
	struct jparser ps = { .p = text };
	struct jval *v = jparse_value(&ps);

	if (v) {
		jskip_ws(&ps);
		if (*ps.p) {
			jfree(v);
			v = jfail(&ps, "trailing characters");
		}
	}
	if (err)
		*err = ps.err;
	return v;
}

/* The member @key of object @v, or NULL. */
static inline const struct jval *jget(const struct jval *v, const char *key)
{
	const struct jval *e;

	if (!v || v->type != J_OBJECT)
		return NULL;
	for (e = v->child; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

static inline size_t jlen(const struct jval *v)
{
	const struct jval *e;
	size_t n = 0;

	if (!v || (v->type != J_ARRAY && v->type != J_OBJECT))
		return 0;
	for (e = v->child; e; e = e->next)
		n++;
	return n;
}

/* The string member @key, or NULL. */
static inline const char *jstr(const struct jval *v, const char *key)
{
	const struct jval *e = jget(v, key);

	return e && e->type == J_STRING ? e->str : NULL;
}

/* The unsigned integer member @key, or @dflt if it is none. */
static inline uint64_t ju64(const struct jval *v, const char *key,
			    uint64_t dflt)
{
	const struct jval *e = jget(v, key);

	return e && e->type == J_NUMBER && e->is_uint ? e->u64 : dflt;
}

/* The number member @key, or @dflt. */
static inline double jnum(const struct jval *v, const char *key, double dflt)
{
	const struct jval *e = jget(v, key);

	return e && e->type == J_NUMBER ? e->num : dflt;
}

/*
 * An array of strings, joined with ',' into @buf ("" if empty), or false
 * if @v is not an array of strings.
 */
static inline bool jstrings(const struct jval *v, char *buf, size_t size)
{
	const struct jval *e;
	size_t len = 0;

	if (!v || v->type != J_ARRAY || !size)
		return false;
	buf[0] = '\0';
	for (e = v->child; e; e = e->next) {
		int n;

		if (e->type != J_STRING)
			return false;
		n = snprintf(buf + len, size - len, "%s%s", len ? "," : "",
			     e->str);
		if (n < 0 || (size_t)n >= size - len)
			return false;
		len += n;
	}
	return true;
}

#endif /* IRQFWD_JSON_READER_H */
