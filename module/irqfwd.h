/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqfwd internals: contexts (one per open file) and lines.
 *
 * Where an interrupt goes:
 *   irqfwd_source_wakeup()  - the source eventfd was signalled (line.c)
 *   irqfwd_line_fire()      - the line decides: deliver, latch or coalesce
 *   irqfwd_line_work()      - irq_work: signals the sink (and the unmask
 *                             eventfd after a completion)
 *   irqfwd_resample_wakeup() / IRQFWD_LINE_EOI -> irqfwd_line_complete()
 */
#ifndef _IRQFWD_H
#define _IRQFWD_H

#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/irqbypass.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/irqfwd.h>

/**
 * struct irqfwd_ctx - a forwarding context, one per open /dev/irqfwd
 * @ref: held by the file and by each line
 * @id: the context's id in irqfwd_contexts, for netlink and tracing
 * @pid: the thread group that opened the file
 * @comm: its name then
 * @lock: serialises line configuration (create, destroy, teardown)
 * @lines: id -> struct irqfwd_line; writers hold @lock, readers may use RCU
 * @next_id: cursor for cyclic id allocation, so that ids are not reused
 *	soon after a line goes away
 * @nr_lines: number of lines in @lines, under @lock
 */
struct irqfwd_ctx {
	struct kref ref;
	u32 id;
	struct pid *pid;
	char comm[TASK_COMM_LEN];
	struct mutex lock;		/* see above */
	struct xarray lines;
	u32 next_id;
	unsigned int nr_lines;
};

/**
 * struct irqfwd_hook - a wait queue entry of a line on one eventfd
 * @eventfd: the eventfd, referenced
 * @wqh: the eventfd's wait queue, valid while @eventfd is referenced
 * @wait: our entry on @wqh
 */
struct irqfwd_hook {
	struct eventfd_ctx *eventfd;
	wait_queue_head_t *wqh;
	wait_queue_entry_t wait;
};

/**
 * struct irqfwd_fwd - what a line needs for forwarded mode (bypass.c)
 * @line: the line
 * @lock: serialises irqfwd_fwd_reconcile(), which (un)registers @consumer
 * @consumer: on the source eventfd: meets VFIO's producer
 * @registered: @consumer is registered; under @lock
 * @consumer_err: error of the last registration of @consumer; under @lock
 *	and line->lock
 * @host_irq: the IRQ of the producer @consumer met, 0 if none; under
 *	line->lock
 */
struct irqfwd_fwd {
	struct irqfwd_line *line;
	struct mutex lock;		/* see above */
	struct irq_bypass_consumer consumer;
	bool registered;
	int consumer_err;
	int host_irq;
};

/**
 * struct irqfwd_storm - a line's storm guard (IRQFWD_LINE_SET_STORM)
 * @line: the line
 * @timer: ends a hold
 * @rate: the limit, interrupts per second; 0: off
 * @backoff_ms: how long a hold lasts
 * @count: interrupts in the current window
 * @window_end: when the current window ends, in jiffies
 *
 * All but @line and @timer are under line->lock.
 */
struct irqfwd_storm {
	struct irqfwd_line *line;
	struct timer_list timer;
	u32 rate;
	u32 backoff_ms;
	u64 count;
	unsigned long window_end;
};

/* struct irqfwd_line todo bits: what the next irq_work run signals */
#define IRQFWD_TODO_DELIVER	BIT(0)
#define IRQFWD_TODO_UNMASK	BIT(1)

/**
 * struct irqfwd_line - one source connected to one sink
 * @ctx: the owning context, referenced
 * @id: the id in @ctx->lines
 * @flags: IRQFWD_LINE_* creation flags
 * @trigger: enum irqfwd_trigger
 * @mode: requested enum irqfwd_mode; under @lock
 * @effective_mode: enum irqfwd_mode the line runs in; under @lock
 * @reason: enum irqfwd_reason for @effective_mode; under @lock
 * @lock: protects everything below it up to @stats; taken from eventfd
 *	wakeups, which run with interrupts disabled, so always irq-safe
 * @todo: IRQFWD_TODO_* bits for @work
 * @pending: an interrupt is latched: it waits for an unmask, or for the
 *	completion of the one in service
 * @in_service: a level interrupt was delivered and not completed yet
 * @masked: the VMM masked the line (IRQFWD_LINE_MASK)
 * @dead: the line is being torn down: nothing may queue @work any more
 * @hung_up: @hangup was queued: it is never queued twice
 * @changed: @mode, @effective_mode or @reason changed since the last
 *	event that reported them (see irqfwd_line_changed())
 * @storm: the storm guard holds the line until its timer fires
 * @stats: counters, see struct irqfwd_line_stats
 * @work: signals the sink and unmask eventfds, which cannot be signalled
 *	from inside the source or resample eventfd's wakeup
 * @bh: the same as @work, when the wakeup comes from a hard interrupt
 *	handler (VFIO's): a tasklet runs as the interrupt returns, where an
 *	irq_work would take another interrupt
 * @source: hook on the source eventfd: interrupts
 * @sink: hook on the sink eventfd: hang-up only
 * @fwd: forwarded mode, allocated when it is first requested; stable
 *	once set
 * @hangup: tears the line down after one of its eventfds was released
 * @notify: reports a change of @changed from process context
 * @guard: the storm guard, allocated when it is first turned on; stable
 *	once set
 * @source_node: entry in the global table of source eventfds
 * @sink_node: entry in the global table of sink eventfds
 * @rcu: frees the line after RCU readers (IRQFWD_LINE_EOI) are done
 * @resample: hook on the resample eventfd: completions
 * @unmask: hook on the unmask eventfd: hang-up only
 *
 * Only level lines have @resample and @unmask: edge lines, the many, are
 * allocated without them (irqfwd_line_size()), which keeps a line within
 * 512 bytes of slab.
 */
struct irqfwd_line {
	struct irqfwd_ctx *ctx;
	u32 id;
	u32 flags;
	u32 trigger;
	u32 mode;
	u32 effective_mode;
	u32 reason;

	spinlock_t lock;		/* see above */
	unsigned int todo;
	bool pending;
	bool in_service;
	bool masked;
	bool dead;
	bool hung_up;
	bool changed;
	bool storm;
	struct irqfwd_line_stats stats;

	struct irq_work work;
	struct tasklet_struct bh;
	struct irqfwd_hook source;
	struct irqfwd_hook sink;
	struct irqfwd_fwd *fwd;
	struct work_struct hangup;
	struct work_struct notify;
	struct irqfwd_storm *guard;
	struct hlist_node source_node;
	struct hlist_node sink_node;
	struct rcu_head rcu;

	/* Level lines only: see above. */
	struct irqfwd_hook resample;
	struct irqfwd_hook unmask;
};

/* Delivery waits: the VMM masked the line, or the storm guard holds it. */
static inline bool irqfwd_line_held(const struct irqfwd_line *line)
{
	return line->masked || line->storm;
}

static inline bool irqfwd_mode_valid(u32 mode)
{
	return mode == IRQFWD_MODE_MASKED || mode == IRQFWD_MODE_FORWARDED;
}

/* module parameters and live-object counts, main.c */
extern unsigned int irqfwd_max_lines;
extern unsigned int irqfwd_storm_rate;
extern unsigned int irqfwd_storm_backoff_ms;
u32 irqfwd_storm_default_backoff_ms(void);
extern atomic_t irqfwd_live_lines;
extern atomic_t irqfwd_live_contexts;

void irqfwd_ctx_put(struct irqfwd_ctx *ctx);
struct irqfwd_ctx *irqfwd_ctx_find(unsigned long *id);
bool irqfwd_ctx_visible(const struct irqfwd_ctx *ctx, bool admin);

/* line.c */
int irqfwd_line_create(struct irqfwd_ctx *ctx, struct irqfwd_line_create *args);
int irqfwd_line_destroy(struct irqfwd_ctx *ctx, u32 id);
int irqfwd_line_query(struct irqfwd_ctx *ctx, struct irqfwd_line_info *info);
void irqfwd_line_snapshot(struct irqfwd_line *line,
			  struct irqfwd_line_info *info);
void irqfwd_line_changed(struct irqfwd_line *line);
int irqfwd_line_eoi(struct irqfwd_ctx *ctx, u32 id);
int irqfwd_line_mask(struct irqfwd_ctx *ctx, u32 id, u32 flags, u32 *state);
int irqfwd_line_set_mode(struct irqfwd_ctx *ctx, struct irqfwd_line_mode *args);
int irqfwd_line_set_storm(struct irqfwd_ctx *ctx, u32 id, u32 rate,
			  u32 backoff_ms);
void irqfwd_ctx_destroy_lines(struct irqfwd_ctx *ctx);
int irqfwd_lines_init(void);
void irqfwd_lines_exit(void);

/* netlink.c */
void irqfwd_nl_line_event(struct irqfwd_line *line, u8 cmd, u32 cause);
int irqfwd_nl_init(void);
void irqfwd_nl_exit(void);

/* bypass.c */
void irqfwd_line_update_mode(struct irqfwd_line *line);
void irqfwd_line_request_mode(struct irqfwd_line *line, u32 mode);
u32 irqfwd_line_bypass_state(const struct irqfwd_line *line);
int irqfwd_line_host_irq(const struct irqfwd_line *line);
void irqfwd_fwd_reconcile(struct irqfwd_line *line);
int irqfwd_fwd_alloc(struct irqfwd_line *line);
void irqfwd_fwd_shutdown(struct irqfwd_line *line);
void irqfwd_fwd_free(struct irqfwd_line *line);

#endif /* _IRQFWD_H */
