/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/netlink/irqfwd.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_IRQFWD_GEN_H
#define _LINUX_IRQFWD_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/irqfwd_netlink.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>

/* Ops table for irqfwd */
extern const struct genl_split_ops irqfwd_nl_ops[4];

int irqfwd_nl_ctx_get_doit(struct sk_buff *skb, struct genl_info *info);
int irqfwd_nl_ctx_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int irqfwd_nl_line_get_doit(struct sk_buff *skb, struct genl_info *info);
int irqfwd_nl_line_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

enum {
	IRQFWD_NLGRP_EVENTS,
};

#endif /* _LINUX_IRQFWD_GEN_H */
