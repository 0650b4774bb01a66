// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libirqfwd: the names of irqfwd's values, as uapi/netlink/irqfwd.yaml
 * spells them (so that irqfwdctl, ynl and the tests agree).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "irqfwd.h"
#include "internal.h"

static const char *const trigger_names[] = {
	[IRQFWD_TRIGGER_EDGE]	= "edge",
	[IRQFWD_TRIGGER_LEVEL]	= "level",
};

static const char *const mode_names[] = {
	[IRQFWD_MODE_MASKED]	= "masked",
	[IRQFWD_MODE_FORWARDED]	= "forwarded",
};

static const char *const reason_names[] = {
	[IRQFWD_REASON_NONE]		= "none",
	[IRQFWD_REASON_NO_PRODUCER]	= "no-producer",
	[IRQFWD_REASON_NO_CONSUMER]	= "no-consumer",
	[IRQFWD_REASON_NO_POSTING]	= "no-posting",
	[IRQFWD_REASON_NOT_POSTED]	= "not-posted",
	[IRQFWD_REASON_LINE_MASKED]	= "line-masked",
	[IRQFWD_REASON_LEVEL]		= "level",
	[IRQFWD_REASON_SOURCE_BUSY]	= "source-busy",
	[IRQFWD_REASON_SINK_BUSY]	= "sink-busy",
	[IRQFWD_REASON_REFUSED]		= "refused",
	[IRQFWD_REASON_STORM]		= "storm",
	[IRQFWD_REASON_NO_HANDOVER]	= "no-handover",
};

static const char *const cause_names[] = {
	[IRQFWD_DESTROY_CAUSE_IOCTL]		= "ioctl",
	[IRQFWD_DESTROY_CAUSE_EVENTFD_CLOSED]	= "eventfd-closed",
	[IRQFWD_DESTROY_CAUSE_FILE_CLOSED]	= "file-closed",
};

static const char *const event_names[] = {
	[IRQFWD_NL_EVENT_ADD]		= "add",
	[IRQFWD_NL_EVENT_CHANGE]	= "change",
	[IRQFWD_NL_EVENT_DEL]		= "del",
};

/* Bit n of a value is named names[n]. */
_Static_assert(IRQFWD_LINE_STATE_IN_SERVICE == 1 << 0 &&
	       IRQFWD_LINE_STATE_PENDING == 1 << 1 &&
	       IRQFWD_LINE_STATE_MASKED == 1 << 2 &&
	       IRQFWD_LINE_STATE_STORM == 1 << 3, "state bits");
_Static_assert(IRQFWD_LINE_UNMASK_FD == 1 << 0 &&
	       IRQFWD_LINE_RESAMPLE_FD == 1 << 1, "line flags");
_Static_assert(IRQFWD_LINE_BYPASS_PRODUCER == 1 << 0 &&
	       IRQFWD_LINE_BYPASS_CONSUMER == 1 << 1, "bypass bits");
_Static_assert(IRQFWD_CAP_LEVEL == 1 << 0 && IRQFWD_CAP_EOI == 1 << 1 &&
	       IRQFWD_CAP_RESAMPLE == 1 << 2 && IRQFWD_CAP_MASK == 1 << 3 &&
	       IRQFWD_CAP_FORWARDED == 1 << 4 &&
	       IRQFWD_CAP_STORM == 1 << 5, "capabilities");

static const char *const state_names[] = {
	"in-service", "pending", "masked", "storm",
};

static const char *const flags_names[] = {
	"unmask-fd", "resample-fd",
};

static const char *const bypass_names[] = {
	"producer", "consumer",
};

static const char *const caps_names[] = {
	"level", "eoi", "resample", "mask", "forwarded", "storm",
};

static const char *name_of(const char *const *names, size_t n, uint32_t v)
{
	return v < n ? names[v] : NULL;
}

IRQFWD_EXPORT const char *irqfwd_trigger_name(uint32_t trigger)
{
	return name_of(trigger_names, ARRAY_SIZE(trigger_names), trigger);
}

IRQFWD_EXPORT const char *irqfwd_mode_name(uint32_t mode)
{
	return name_of(mode_names, ARRAY_SIZE(mode_names), mode);
}

IRQFWD_EXPORT const char *irqfwd_reason_name(uint32_t reason)
{
	return name_of(reason_names, ARRAY_SIZE(reason_names), reason);
}

IRQFWD_EXPORT const char *irqfwd_cause_name(uint32_t cause)
{
	return name_of(cause_names, ARRAY_SIZE(cause_names), cause);
}

IRQFWD_EXPORT const char *irqfwd_event_name(uint32_t event)
{
	return name_of(event_names, ARRAY_SIZE(event_names), event);
}

IRQFWD_EXPORT int irqfwd_mode_parse(const char *name, uint32_t *mode)
{
	uint32_t i;

	if (!name || !mode)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (!strcmp(name, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Append @s to @buf (of @size, holding @*len characters). */
static int append(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= size) {
		n = size - 1 - *len;
		memcpy(buf + *len, s, n);
		*len += n;
		buf[*len] = '\0';
		return -ENOSPC;
	}
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return 0;
}

static int bits_names(uint64_t bits, const char *const *names, size_t n,
		      const char *sep, char *buf, size_t size)
{
	char unknown[24];
	size_t len = 0;
	bool first = true;
	unsigned int i;
	int ret;

	if (!buf || !size)
		return -EINVAL;
	if (!sep)
		sep = ",";
	buf[0] = '\0';
	for (i = 0; i < 64; i++) {
		const char *name;

		if (!(bits & (1ull << i)))
			continue;
		if (i < n) {
			name = names[i];
		} else {
			/* The unknown bits at once, as one hex value. */
			snprintf(unknown, sizeof(unknown), "%#llx",
				 (unsigned long long)(bits & ~((1ull << i) - 1)));
			name = unknown;
		}
		if (!first) {
			ret = append(buf, size, &len, sep);
			if (ret)
				return ret;
		}
		ret = append(buf, size, &len, name);
		if (ret)
			return ret;
		first = false;
		if (i >= n)
			break;
	}
	return 0;
}

IRQFWD_EXPORT int irqfwd_state_names(uint32_t state, const char *sep,
				     char *buf, size_t size)
{
	return bits_names(state, state_names, ARRAY_SIZE(state_names), sep,
			  buf, size);
}

IRQFWD_EXPORT int irqfwd_flags_names(uint32_t flags, const char *sep,
				     char *buf, size_t size)
{
	return bits_names(flags, flags_names, ARRAY_SIZE(flags_names), sep,
			  buf, size);
}

IRQFWD_EXPORT int irqfwd_bypass_names(uint32_t bypass, const char *sep,
				      char *buf, size_t size)
{
	return bits_names(bypass, bypass_names, ARRAY_SIZE(bypass_names), sep,
			  buf, size);
}

IRQFWD_EXPORT int irqfwd_caps_names(uint64_t caps, const char *sep, char *buf,
				    size_t size)
{
	return bits_names(caps, caps_names, ARRAY_SIZE(caps_names), sep, buf,
			  size);
}
