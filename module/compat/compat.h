/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shims for older kernels, selected by the feature probes in compat.mk.
 * This header is included before every source file of the module (see
 * Kbuild), so the rest of the module is written against the newest kernel
 * interfaces.  Where an interface changed its meaning rather than only
 * appearing, the module calls an irqfwd_* wrapper defined here; nothing
 * here redefines a kernel symbol that exists.
 */
#ifndef _IRQFWD_COMPAT_H
#define _IRQFWD_COMPAT_H

#include <linux/eventfd.h>
#include <linux/irqbypass.h>
#include <linux/timer.h>

/* Signal @ctx once; before 6.8, eventfd_signal() took a count. */
static inline void irqfwd_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef IRQFWD_COMPAT_EVENTFD_SIGNAL_COUNT
	eventfd_signal(ctx, 1);
#else
	eventfd_signal(ctx);
#endif
}

/*
 * Register @cons on @eventfd.  Since 6.17 the manager takes the eventfd
 * as an argument and keeps it in cons->eventfd itself; before, the caller
 * set cons->token, and a consumer whose registration failed must not keep
 * it (unregistration matches by token).
 */
static inline int irqfwd_bypass_register_consumer(struct irq_bypass_consumer *cons,
						  struct eventfd_ctx *eventfd)
{
#ifdef IRQFWD_COMPAT_IRQ_BYPASS_TOKEN
	int ret;

	cons->token = eventfd;
	ret = irq_bypass_register_consumer(cons);
	if (ret)
		cons->token = NULL;
	return ret;
#else
	return irq_bypass_register_consumer(cons, eventfd);
#endif
}

/* 6.16 renamed from_timer(). */
#ifdef IRQFWD_COMPAT_FROM_TIMER
#define timer_container_of(var, timer, field) from_timer(var, timer, field)
#endif

/* 6.2 added timer_shutdown_sync() (Debian's 6.1 has it backported). */
#ifdef IRQFWD_COMPAT_NO_TIMER_SHUTDOWN
static inline int timer_shutdown_sync(struct timer_list *timer)
{
	return del_timer_sync(timer);
}
#endif

/*
 * The netlink family's op table, generated as split ops, or before 6.2 as
 * struct genl_ops (see compat.mk).
 */
#ifdef IRQFWD_COMPAT_GENL_OPS
#define IRQFWD_GENL_OPS \
	.ops = irqfwd_nl_ops, .n_ops = ARRAY_SIZE(irqfwd_nl_ops)
#else
#define IRQFWD_GENL_OPS \
	.split_ops = irqfwd_nl_ops, .n_split_ops = ARRAY_SIZE(irqfwd_nl_ops)
#endif

/* The attributes of a dump request; 6.6 gave dumps a struct genl_info. */
#ifdef IRQFWD_COMPAT_GENL_DUMPIT_INFO
#define irqfwd_genl_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#else
#define irqfwd_genl_dump_attrs(cb) (genl_info_dump(cb)->attrs)
#endif

#endif /* _IRQFWD_COMPAT_H */
