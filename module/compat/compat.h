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

#endif /* _IRQFWD_COMPAT_H */
