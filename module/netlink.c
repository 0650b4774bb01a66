// SPDX-License-Identifier: GPL-2.0
/*
 * The irqfwd generic netlink family: contexts and lines for everyone to
 * see, and events as lines come, change and go.  The policies and the op
 * table are generated from uapi/netlink/irqfwd.yaml (irqfwd-nl.c).
 *
 * Visibility: an administrator (CAP_NET_ADMIN in the initial user
 * namespace) sees every context; anyone else only the contexts its own
 * process opened, and may not join the events group.
 */

#include <linux/pid_namespace.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "irqfwd.h"
#include "irqfwd-nl.h"

/* Dump cursors in netlink_callback.args[]. */
enum {
	IRQFWD_DUMP_CTX,	/* the context to resume at */
	IRQFWD_DUMP_LINE,	/* the line to resume at, in that context */
};

/*
 * The generator of Linux 6.12 leaves the group's admin-perm flag out of the
 * table it writes, so the family keeps its own.
 */
static const struct genl_multicast_group irqfwd_nl_groups[] = {
	[IRQFWD_NLGRP_EVENTS] = {
		.name	= IRQFWD_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family irqfwd_nl_family __ro_after_init = {
	.name		= IRQFWD_FAMILY_NAME,
	.version	= IRQFWD_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	IRQFWD_GENL_OPS,
	.mcgrps		= irqfwd_nl_groups,
	.n_mcgrps	= ARRAY_SIZE(irqfwd_nl_groups),
};

static bool irqfwd_nl_admin(struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_NET_ADMIN);
}

static int irqfwd_nl_fill_ctx(struct sk_buff *skb, struct irqfwd_ctx *ctx,
			      u32 portid, u32 seq, int flags)
{
	pid_t pid = pid_nr_ns(ctx->pid, task_active_pid_ns(current));
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &irqfwd_nl_family, flags,
			  IRQFWD_CMD_CTX_GET);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u32(skb, IRQFWD_A_CTX_ID, ctx->id) ||
	    nla_put_u32(skb, IRQFWD_A_CTX_PID, pid) ||
	    nla_put_string(skb, IRQFWD_A_CTX_COMM, ctx->comm) ||
	    nla_put_u32(skb, IRQFWD_A_CTX_NR_LINES, READ_ONCE(ctx->nr_lines))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int irqfwd_nl_put_stats(struct sk_buff *skb,
			       const struct irqfwd_line_stats *stats)
{
	static const struct {
		int type;
		size_t offset;
	} fields[] = {
#define IRQFWD_STAT(attr, field) \
	{ IRQFWD_A_STATS_##attr, offsetof(struct irqfwd_line_stats, field) }
		IRQFWD_STAT(FIRED, fired),
		IRQFWD_STAT(DELIVERED, delivered),
		IRQFWD_STAT(COALESCED, coalesced),
		IRQFWD_STAT(COMPLETED, completed),
		IRQFWD_STAT(UNMASKED, unmasked),
		IRQFWD_STAT(SPURIOUS, spurious),
		IRQFWD_STAT(CLEARED, cleared),
		IRQFWD_STAT(STORMS, storms),
#undef IRQFWD_STAT
	};
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, IRQFWD_A_LINE_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const u64 *value = (const void *)stats + fields[i].offset;

		if (nla_put_u64_64bit(skb, fields[i].type, *value,
				      IRQFWD_A_STATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * A message about @line: the reply to line-get (@cmd IRQFWD_CMD_LINE_GET)
 * or an event; @cause goes into IRQFWD_CMD_LINE_DEL_NTF only.
 */
static int irqfwd_nl_fill_line(struct sk_buff *skb, struct irqfwd_line *line,
			       u32 portid, u32 seq, int flags, u8 cmd,
			       u32 cause)
{
	struct irqfwd_line_info info;
	void *hdr;

	irqfwd_line_snapshot(line, &info);

	hdr = genlmsg_put(skb, portid, seq, &irqfwd_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u32(skb, IRQFWD_A_LINE_CTX_ID, line->ctx->id) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_ID, line->id) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_FLAGS, info.line_flags) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_TRIGGER, info.trigger) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_MODE, info.mode) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_EFFECTIVE_MODE,
			info.effective_mode) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_REASON, info.reason) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_STATE, info.state) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_HOST_IRQ, info.host_irq) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_BYPASS, info.bypass) ||
	    irqfwd_nl_put_stats(skb, &info.stats) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_STORM_RATE, info.storm_rate) ||
	    nla_put_u32(skb, IRQFWD_A_LINE_STORM_BACKOFF_MS,
			info.storm_backoff_ms) ||
	    (cmd == IRQFWD_CMD_LINE_DEL_NTF &&
	     nla_put_u32(skb, IRQFWD_A_LINE_CAUSE, cause))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Tell the events group about @line; see enum irqfwd_destroy_cause. */
void irqfwd_nl_line_event(struct irqfwd_line *line, u8 cmd, u32 cause)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&irqfwd_nl_family, &init_net,
				IRQFWD_NLGRP_EVENTS))
		return;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (irqfwd_nl_fill_line(skb, line, 0, 0, 0, cmd, cause)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast(&irqfwd_nl_family, skb, 0, IRQFWD_NLGRP_EVENTS,
			  GFP_KERNEL);
}

/*
 * The context @id, referenced, if the caller may see it; else NULL with
 * the error in @err and @extack.
 */
static struct irqfwd_ctx *irqfwd_nl_get_ctx(struct sk_buff *skb, u32 id,
					    const struct nlattr *attr,
					    struct netlink_ext_ack *extack,
					    int *err)
{
	unsigned long found = id;
	struct irqfwd_ctx *ctx;

	ctx = irqfwd_ctx_find(&found);
	if (ctx && found != id) {
		irqfwd_ctx_put(ctx);
		ctx = NULL;
	}
	if (!ctx) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such context");
		*err = -ENOENT;
		return NULL;
	}
	if (!irqfwd_ctx_visible(ctx, irqfwd_nl_admin(skb))) {
		irqfwd_ctx_put(ctx);
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "context of another process: needs CAP_NET_ADMIN");
		*err = -EPERM;
		return NULL;
	}
	return ctx;
}

int irqfwd_nl_ctx_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct irqfwd_ctx *ctx;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, IRQFWD_A_CTX_ID))
		return -EINVAL;

	ctx = irqfwd_nl_get_ctx(skb, nla_get_u32(info->attrs[IRQFWD_A_CTX_ID]),
				info->attrs[IRQFWD_A_CTX_ID], info->extack,
				&ret);
	if (!ctx)
		return ret;

	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (msg) {
		ret = irqfwd_nl_fill_ctx(msg, ctx, info->snd_portid,
					 info->snd_seq, 0);
		if (ret)
			nlmsg_free(msg);
	}
	irqfwd_ctx_put(ctx);
	return ret ?: genlmsg_reply(msg, info);
}

int irqfwd_nl_ctx_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long id = cb->args[IRQFWD_DUMP_CTX];
	bool admin = irqfwd_nl_admin(cb->skb);
	struct irqfwd_ctx *ctx;
	int ret = 0;

	for (; (ctx = irqfwd_ctx_find(&id)); id++) {
		if (irqfwd_ctx_visible(ctx, admin))
			ret = irqfwd_nl_fill_ctx(skb, ctx,
						 NETLINK_CB(cb->skb).portid,
						 cb->nlh->nlmsg_seq,
						 NLM_F_MULTI);
		irqfwd_ctx_put(ctx);
		if (ret)
			break;
	}
	cb->args[IRQFWD_DUMP_CTX] = id;
	/* A full message with something in it: come back for more. */
	return ret && skb->len ? skb->len : ret;
}

int irqfwd_nl_line_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct irqfwd_line *line;
	struct irqfwd_ctx *ctx;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, IRQFWD_A_LINE_CTX_ID) ||
	    GENL_REQ_ATTR_CHECK(info, IRQFWD_A_LINE_ID))
		return -EINVAL;

	ctx = irqfwd_nl_get_ctx(skb,
				nla_get_u32(info->attrs[IRQFWD_A_LINE_CTX_ID]),
				info->attrs[IRQFWD_A_LINE_CTX_ID], info->extack,
				&ret);
	if (!ctx)
		return ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		irqfwd_ctx_put(ctx);
		return -ENOMEM;
	}

	mutex_lock(&ctx->lock);
	line = xa_load(&ctx->lines,
		       nla_get_u32(info->attrs[IRQFWD_A_LINE_ID]));
	if (line) {
		ret = irqfwd_nl_fill_line(msg, line, info->snd_portid,
					  info->snd_seq, 0,
					  IRQFWD_CMD_LINE_GET, 0);
	} else {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[IRQFWD_A_LINE_ID],
				    "no such line");
		ret = -ENOENT;
	}
	mutex_unlock(&ctx->lock);
	irqfwd_ctx_put(ctx);

	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* Dump the lines of @ctx from cb->args[IRQFWD_DUMP_LINE] on. */
static int irqfwd_nl_dump_lines(struct sk_buff *skb,
				struct netlink_callback *cb,
				struct irqfwd_ctx *ctx)
{
	unsigned long id = cb->args[IRQFWD_DUMP_LINE];
	struct irqfwd_line *line;
	int ret = 0;

	mutex_lock(&ctx->lock);
	xa_for_each_start(&ctx->lines, id, line, id) {
		ret = irqfwd_nl_fill_line(skb, line,
					  NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI,
					  IRQFWD_CMD_LINE_GET, 0);
		if (ret)
			break;
	}
	mutex_unlock(&ctx->lock);
	cb->args[IRQFWD_DUMP_LINE] = ret ? id : 0;
	return ret;
}

int irqfwd_nl_line_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct nlattr *filter;
	unsigned long id = cb->args[IRQFWD_DUMP_CTX];
	bool admin = irqfwd_nl_admin(cb->skb);
	struct irqfwd_ctx *ctx;
	int ret = 0;

	filter = irqfwd_genl_dump_attrs(cb)[IRQFWD_A_LINE_CTX_ID];
	if (filter) {
		/* One context: it exists and the caller may see it. */
		if (id)
			return 0;	/* done already */
		ctx = irqfwd_nl_get_ctx(cb->skb, nla_get_u32(filter), filter,
					cb->extack, &ret);
		if (!ctx)
			return ret;
		ret = irqfwd_nl_dump_lines(skb, cb, ctx);
		if (!ret)
			cb->args[IRQFWD_DUMP_CTX] = ctx->id;
		irqfwd_ctx_put(ctx);
		return ret && skb->len ? skb->len : ret;
	}

	for (; (ctx = irqfwd_ctx_find(&id)); id++) {
		/* The context the line cursor was in may be gone. */
		if (id != cb->args[IRQFWD_DUMP_CTX])
			cb->args[IRQFWD_DUMP_LINE] = 0;
		cb->args[IRQFWD_DUMP_CTX] = id;
		if (irqfwd_ctx_visible(ctx, admin))
			ret = irqfwd_nl_dump_lines(skb, cb, ctx);
		irqfwd_ctx_put(ctx);
		if (ret)
			break;
	}
	cb->args[IRQFWD_DUMP_CTX] = id;
	return ret && skb->len ? skb->len : ret;
}

int irqfwd_nl_init(void)
{
	return genl_register_family(&irqfwd_nl_family);
}

void irqfwd_nl_exit(void)
{
	genl_unregister_family(&irqfwd_nl_family);
}
