/* SPDX-License-Identifier: GPL-2.0 */
/* The one version number of irqfwd: the Makefile and dkms.conf follow it. */
#ifndef _IRQFWD_VERSION_H
#define _IRQFWD_VERSION_H

#define IRQFWD_VERSION "0.1.0"

#endif /* _IRQFWD_VERSION_H */
