/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shims for older kernels, selected by the feature probes in compat.mk.
 * This header is included before every source file of the module (see
 * Kbuild), so the rest of the module is written against the newest kernel
 * interfaces.
 */
#ifndef _IRQFWD_COMPAT_H
#define _IRQFWD_COMPAT_H

#ifdef IRQFWD_COMPAT_EVENTFD_SIGNAL_COUNT
#include <linux/eventfd.h>
/* Before 6.8, every caller passed the count: always 1. */
#define eventfd_signal(ctx) eventfd_signal((ctx), 1)
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
