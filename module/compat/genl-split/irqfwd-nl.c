// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	uapi/netlink/irqfwd.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "irqfwd-nl.h"

#include <uapi/linux/irqfwd_netlink.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>
#include <linux/irqfwd.h>

/* IRQFWD_CMD_CTX_GET - do */
static const struct nla_policy irqfwd_ctx_get_nl_policy[IRQFWD_A_CTX_ID + 1] = {
	[IRQFWD_A_CTX_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* IRQFWD_CMD_LINE_GET - do */
static const struct nla_policy irqfwd_line_get_do_nl_policy[IRQFWD_A_LINE_ID + 1] = {
	[IRQFWD_A_LINE_CTX_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[IRQFWD_A_LINE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* IRQFWD_CMD_LINE_GET - dump */
static const struct nla_policy irqfwd_line_get_dump_nl_policy[IRQFWD_A_LINE_CTX_ID + 1] = {
	[IRQFWD_A_LINE_CTX_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* Ops table for irqfwd */
const struct genl_split_ops irqfwd_nl_ops[4] = {
	{
		.cmd		= IRQFWD_CMD_CTX_GET,
		.doit		= irqfwd_nl_ctx_get_doit,
		.policy		= irqfwd_ctx_get_nl_policy,
		.maxattr	= IRQFWD_A_CTX_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= IRQFWD_CMD_CTX_GET,
		.dumpit	= irqfwd_nl_ctx_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= IRQFWD_CMD_LINE_GET,
		.doit		= irqfwd_nl_line_get_doit,
		.policy		= irqfwd_line_get_do_nl_policy,
		.maxattr	= IRQFWD_A_LINE_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IRQFWD_CMD_LINE_GET,
		.dumpit		= irqfwd_nl_line_get_dumpit,
		.policy		= irqfwd_line_get_dump_nl_policy,
		.maxattr	= IRQFWD_A_LINE_CTX_ID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
};

static const struct genl_multicast_group irqfwd_nl_mcgrps[] = {
	[IRQFWD_NLGRP_EVENTS] = { "events", },
};
