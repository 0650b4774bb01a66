/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqfwd tracepoints: the interrupt path of a line and its mode changes.
 * perf list 'irqfwd:*', or /sys/kernel/tracing/events/irqfwd/.
 * Lines are named by context id and line id, as netlink names them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM irqfwd

#if !defined(_IRQFWD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IRQFWD_TRACE_H

#include <linux/tracepoint.h>

#include "irqfwd.h"

/* What irqfwd_line_fire() did with an interrupt. */
#define IRQFWD_FIRE_DELIVER	0	/* queued for the sink */
#define IRQFWD_FIRE_LATCH	1	/* latched: masked or one in service */
#define IRQFWD_FIRE_COALESCE	2	/* merged into one waiting already */

TRACE_EVENT(irqfwd_line_fire,
	    TP_PROTO(const struct irqfwd_line *line, u64 count, int action),
	    TP_ARGS(line, count, action),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u32, line)
			     __field(u64, count)
			     __field(int, action)),
	    TP_fast_assign(__entry->ctx = line->ctx->id;
			   __entry->line = line->id;
			   __entry->count = count;
			   __entry->action = action;),
	    TP_printk("line=%u:%u count=%llu action=%s",
		      __entry->ctx, __entry->line, __entry->count,
		      __print_symbolic(__entry->action,
				       { IRQFWD_FIRE_DELIVER, "deliver" },
				       { IRQFWD_FIRE_LATCH, "latch" },
				       { IRQFWD_FIRE_COALESCE, "coalesce" }))
);

DECLARE_EVENT_CLASS(irqfwd_line_signal,
		    TP_PROTO(const struct irqfwd_line *line),
		    TP_ARGS(line),
		    TP_STRUCT__entry(__field(u32, ctx)
				     __field(u32, line)),
		    TP_fast_assign(__entry->ctx = line->ctx->id;
				   __entry->line = line->id;),
		    TP_printk("line=%u:%u", __entry->ctx, __entry->line)
);

/* The sink is signalled. */
DEFINE_EVENT(irqfwd_line_signal, irqfwd_line_deliver,
	     TP_PROTO(const struct irqfwd_line *line),
	     TP_ARGS(line)
);

/* The guest completed a level interrupt (resample eventfd or EOI). */
DEFINE_EVENT(irqfwd_line_signal, irqfwd_line_complete,
	     TP_PROTO(const struct irqfwd_line *line),
	     TP_ARGS(line)
);

/* The unmask eventfd is signalled. */
DEFINE_EVENT(irqfwd_line_signal, irqfwd_line_unmask,
	     TP_PROTO(const struct irqfwd_line *line),
	     TP_ARGS(line)
);

/* The requested mode, the effective mode or the reason changed. */
TRACE_EVENT(irqfwd_line_mode,
	    TP_PROTO(const struct irqfwd_line *line),
	    TP_ARGS(line),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u32, line)
			     __field(u32, mode)
			     __field(u32, effective_mode)
			     __field(u32, reason)),
	    TP_fast_assign(__entry->ctx = line->ctx->id;
			   __entry->line = line->id;
			   __entry->mode = line->mode;
			   __entry->effective_mode = line->effective_mode;
			   __entry->reason = line->reason;),
	    TP_printk("line=%u:%u mode=%s effective=%s reason=%s",
		      __entry->ctx, __entry->line,
		      __entry->mode ? "forwarded" : "masked",
		      __entry->effective_mode ? "forwarded" : "masked",
		      __print_symbolic(__entry->reason,
				       { IRQFWD_REASON_NONE, "none" },
				       { IRQFWD_REASON_NO_PRODUCER, "no-producer" },
				       { IRQFWD_REASON_NO_CONSUMER, "no-consumer" },
				       { IRQFWD_REASON_NO_POSTING, "no-posting" },
				       { IRQFWD_REASON_NOT_POSTED, "not-posted" },
				       { IRQFWD_REASON_LINE_MASKED, "line-masked" },
				       { IRQFWD_REASON_LEVEL, "level" },
				       { IRQFWD_REASON_SOURCE_BUSY, "source-busy" },
				       { IRQFWD_REASON_SINK_BUSY, "sink-busy" },
				       { IRQFWD_REASON_REFUSED, "refused" },
				       { IRQFWD_REASON_STORM, "storm" },
				       { IRQFWD_REASON_NO_HANDOVER, "no-handover" }))
);

#endif /* _IRQFWD_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
