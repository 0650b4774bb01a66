/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libirqfwd internals: not installed. */
#ifndef IRQFWD_LIB_INTERNAL_H
#define IRQFWD_LIB_INTERNAL_H

/*
 * The library is built with -fvisibility=hidden; what it exports is marked
 * here and listed, with its symbol version, in libirqfwd.map.
 */
#define IRQFWD_EXPORT	__attribute__((visibility("default")))

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* IRQFWD_LIB_INTERNAL_H */
