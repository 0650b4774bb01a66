// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libirqfwd: the "irqfwd" generic netlink family (uapi/netlink/irqfwd.yaml),
 * through libnl-genl-3.
 *
 * A handle holds two sockets: one for requests (do and dump, answered in
 * order, sequence numbers checked) and, once subscribed, one that only
 * receives the events group, so that an event never lands in the middle
 * of a dump.  Errors are the kernel's errno values, taken from the
 * NLMSG_ERROR or NLMSG_DONE message itself (libnl would translate them
 * into its own codes), with the extended ack message kept for the caller.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "irqfwd.h"
#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* Room for a burst of events: they are about 200 bytes each. */
#define IRQFWD_NL_EVENT_RCVBUF	(1 << 20)

struct irqfwd_nl {
	struct nl_sock *sk;		/* requests */
	int family;
	int events_group;
	int event_fd;			/* the events socket, or -1 */
	irqfwd_nl_event_cb event_cb;
	void *event_arg;
	bool has_error;
	char error[256];
	unsigned char buf[32768];	/* one datagram of events */
};

/* What a request waits for. */
enum irqfwd_nl_kind {
	IRQFWD_NL_CTX,
	IRQFWD_NL_LINE,
};

struct irqfwd_nl_request {
	struct irqfwd_nl *nl;
	enum irqfwd_nl_kind kind;
	irqfwd_nl_ctx_cb ctx_cb;
	irqfwd_nl_line_cb line_cb;
	void *arg;
	bool done;
	int error;		/* the kernel's -errno */
	int cb_error;		/* the callback's or the parser's -errno */
};

/* libnl's error codes, back to errno values. */
static int nle_errno(int nle)
{
	static const int map[] = {
		[NLE_INTR]		= EINTR,
		[NLE_BAD_SOCK]		= EBADF,
		[NLE_AGAIN]		= EAGAIN,
		[NLE_NOMEM]		= ENOMEM,
		[NLE_EXIST]		= EEXIST,
		[NLE_INVAL]		= EINVAL,
		[NLE_RANGE]		= ERANGE,
		[NLE_MSGSIZE]		= EMSGSIZE,
		[NLE_OPNOTSUPP]		= EOPNOTSUPP,
		[NLE_AF_NOSUPPORT]	= EAFNOSUPPORT,
		[NLE_OBJ_NOTFOUND]	= ENOENT,
		[NLE_NOATTR]		= EBADMSG,
		[NLE_MISSING_ATTR]	= EBADMSG,
		[NLE_AF_MISMATCH]	= EAFNOSUPPORT,
		[NLE_SEQ_MISMATCH]	= EPROTO,
		[NLE_MSG_OVERFLOW]	= EOVERFLOW,
		[NLE_MSG_TRUNC]		= EMSGSIZE,
		[NLE_NOADDR]		= EADDRNOTAVAIL,
		[NLE_MSG_TOOSHORT]	= EBADMSG,
		[NLE_MSGTYPE_NOSUPPORT]	= EOPNOTSUPP,
		[NLE_BUSY]		= EBUSY,
		[NLE_PROTO_MISMATCH]	= EPROTONOSUPPORT,
		[NLE_NOACCESS]		= EACCES,
		[NLE_PERM]		= EPERM,
		[NLE_NODEV]		= ENODEV,
		[NLE_DUMP_INTR]		= EAGAIN,
		[NLE_ATTRSIZE]		= EBADMSG,
	};

	if (nle < 0)
		nle = -nle;
	if (nle > 0 && (size_t)nle < ARRAY_SIZE(map) && map[nle])
		return -map[nle];
	return -EIO;
}

/* Keep the NLMSGERR_ATTR_MSG among the attributes at @tlvs. */
static void irqfwd_nl_keep_extack(struct irqfwd_nl *nl,
				  const struct nlmsghdr *nlh, size_t offset)
{
	struct nlattr *attr;
	int rem;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    offset > nlh->nlmsg_len - NLMSG_HDRLEN)
		return;
	nla_for_each_attr(attr, (struct nlattr *)((char *)nlmsg_data(nlh) +
						  offset),
			  nlh->nlmsg_len - NLMSG_HDRLEN - offset, rem) {
		if (nla_type(attr) == NLMSGERR_ATTR_MSG && nla_len(attr) > 0) {
			nla_strlcpy(nl->error, attr, sizeof(nl->error));
			/* The kernel's messages end without a newline. */
			nl->has_error = nl->error[0] != '\0';
		}
	}
}

static int irqfwd_nl_error_handler(struct sockaddr_nl *nla,
				   struct nlmsgerr *err, void *arg)
{
	struct irqfwd_nl_request *req = arg;
	const struct nlmsghdr *nlh;
	size_t offset = sizeof(*err);

	(void)nla;
	nlh = (const struct nlmsghdr *)((const char *)err - NLMSG_HDRLEN);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
	irqfwd_nl_keep_extack(req->nl, nlh, offset);
	req->error = err->error < 0 ? err->error : -EIO;
	req->done = true;
	return NL_STOP;
}

static int irqfwd_nl_ack_handler(struct nl_msg *msg, void *arg)
{
	struct irqfwd_nl_request *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

/* NLMSG_DONE: the end of a dump, with the dump's error if it failed. */
static int irqfwd_nl_finish_handler(struct nl_msg *msg, void *arg)
{
	struct irqfwd_nl_request *req = arg;
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int error;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(error)) {
		memcpy(&error, nlmsg_data(nlh), sizeof(error));
		if (error < 0) {
			req->error = error;
			irqfwd_nl_keep_extack(req->nl, nlh,
					      NLMSG_ALIGN(sizeof(error)));
		}
	}
	req->done = true;
	return NL_STOP;
}

static struct nla_policy irqfwd_nl_ctx_policy[IRQFWD_A_CTX_MAX + 1] = {
	[IRQFWD_A_CTX_ID]	= { .type = NLA_U32 },
	[IRQFWD_A_CTX_PID]	= { .type = NLA_U32 },
	[IRQFWD_A_CTX_COMM]	= { .type = NLA_STRING },
	[IRQFWD_A_CTX_NR_LINES]	= { .type = NLA_U32 },
};

static struct nla_policy irqfwd_nl_stats_policy[IRQFWD_A_STATS_MAX + 1] = {
	[IRQFWD_A_STATS_FIRED]		= { .type = NLA_U64 },
	[IRQFWD_A_STATS_DELIVERED]	= { .type = NLA_U64 },
	[IRQFWD_A_STATS_COALESCED]	= { .type = NLA_U64 },
	[IRQFWD_A_STATS_COMPLETED]	= { .type = NLA_U64 },
	[IRQFWD_A_STATS_UNMASKED]	= { .type = NLA_U64 },
	[IRQFWD_A_STATS_SPURIOUS]	= { .type = NLA_U64 },
	[IRQFWD_A_STATS_CLEARED]	= { .type = NLA_U64 },
	[IRQFWD_A_STATS_STORMS]		= { .type = NLA_U64 },
};

static struct nla_policy irqfwd_nl_line_policy[IRQFWD_A_LINE_MAX + 1] = {
	[IRQFWD_A_LINE_CTX_ID]		= { .type = NLA_U32 },
	[IRQFWD_A_LINE_ID]		= { .type = NLA_U32 },
	[IRQFWD_A_LINE_FLAGS]		= { .type = NLA_U32 },
	[IRQFWD_A_LINE_TRIGGER]		= { .type = NLA_U32 },
	[IRQFWD_A_LINE_MODE]		= { .type = NLA_U32 },
	[IRQFWD_A_LINE_EFFECTIVE_MODE]	= { .type = NLA_U32 },
	[IRQFWD_A_LINE_REASON]		= { .type = NLA_U32 },
	[IRQFWD_A_LINE_STATE]		= { .type = NLA_U32 },
	[IRQFWD_A_LINE_HOST_IRQ]	= { .type = NLA_U32 },
	[IRQFWD_A_LINE_BYPASS]		= { .type = NLA_U32 },
	[IRQFWD_A_LINE_STATS]		= { .type = NLA_NESTED },
	[IRQFWD_A_LINE_STORM_RATE]	= { .type = NLA_U32 },
	[IRQFWD_A_LINE_STORM_BACKOFF_MS] = { .type = NLA_U32 },
	[IRQFWD_A_LINE_CAUSE]		= { .type = NLA_U32 },
};

static uint32_t get_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

static uint64_t get_u64(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u64(tb[type]) : 0;
}

static int irqfwd_nl_parse_ctx(struct nlmsghdr *nlh, struct irqfwd_nl_ctx *ctx)
{
	struct nlattr *tb[IRQFWD_A_CTX_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, IRQFWD_A_CTX_MAX, irqfwd_nl_ctx_policy))
		return -EBADMSG;
	if (!tb[IRQFWD_A_CTX_ID])
		return -EBADMSG;
	memset(ctx, 0, sizeof(*ctx));
	ctx->id = get_u32(tb, IRQFWD_A_CTX_ID);
	ctx->pid = get_u32(tb, IRQFWD_A_CTX_PID);
	ctx->nr_lines = get_u32(tb, IRQFWD_A_CTX_NR_LINES);
	if (tb[IRQFWD_A_CTX_COMM])
		nla_strlcpy(ctx->comm, tb[IRQFWD_A_CTX_COMM],
			    sizeof(ctx->comm));
	return 0;
}

static int irqfwd_nl_parse_line(struct nlmsghdr *nlh,
				struct irqfwd_nl_line *line)
{
	struct nlattr *tb[IRQFWD_A_LINE_MAX + 1];
	struct nlattr *st[IRQFWD_A_STATS_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, IRQFWD_A_LINE_MAX,
			  irqfwd_nl_line_policy))
		return -EBADMSG;
	if (!tb[IRQFWD_A_LINE_CTX_ID] || !tb[IRQFWD_A_LINE_ID])
		return -EBADMSG;
	memset(line, 0, sizeof(*line));
	line->ctx_id = get_u32(tb, IRQFWD_A_LINE_CTX_ID);
	line->id = get_u32(tb, IRQFWD_A_LINE_ID);
	line->flags = get_u32(tb, IRQFWD_A_LINE_FLAGS);
	line->trigger = get_u32(tb, IRQFWD_A_LINE_TRIGGER);
	line->mode = get_u32(tb, IRQFWD_A_LINE_MODE);
	line->effective_mode = get_u32(tb, IRQFWD_A_LINE_EFFECTIVE_MODE);
	line->reason = get_u32(tb, IRQFWD_A_LINE_REASON);
	line->state = get_u32(tb, IRQFWD_A_LINE_STATE);
	line->host_irq = get_u32(tb, IRQFWD_A_LINE_HOST_IRQ);
	line->bypass = get_u32(tb, IRQFWD_A_LINE_BYPASS);
	line->storm_rate = get_u32(tb, IRQFWD_A_LINE_STORM_RATE);
	line->storm_backoff_ms = get_u32(tb, IRQFWD_A_LINE_STORM_BACKOFF_MS);
	line->cause = get_u32(tb, IRQFWD_A_LINE_CAUSE);
	if (tb[IRQFWD_A_LINE_STATS]) {
		if (nla_parse_nested(st, IRQFWD_A_STATS_MAX,
				     tb[IRQFWD_A_LINE_STATS],
				     irqfwd_nl_stats_policy))
			return -EBADMSG;
		line->stats.fired = get_u64(st, IRQFWD_A_STATS_FIRED);
		line->stats.delivered = get_u64(st, IRQFWD_A_STATS_DELIVERED);
		line->stats.coalesced = get_u64(st, IRQFWD_A_STATS_COALESCED);
		line->stats.completed = get_u64(st, IRQFWD_A_STATS_COMPLETED);
		line->stats.unmasked = get_u64(st, IRQFWD_A_STATS_UNMASKED);
		line->stats.spurious = get_u64(st, IRQFWD_A_STATS_SPURIOUS);
		line->stats.cleared = get_u64(st, IRQFWD_A_STATS_CLEARED);
		line->stats.storms = get_u64(st, IRQFWD_A_STATS_STORMS);
	}
	return 0;
}

/* A reply of a request: a context or a line, to the request's callback. */
static int irqfwd_nl_valid_handler(struct nl_msg *msg, void *arg)
{
	struct irqfwd_nl_request *req = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct irqfwd_nl_line line;
	struct irqfwd_nl_ctx ctx;
	int ret;

	/* After an error, read the rest of the dump without looking. */
	if (req->cb_error)
		return NL_SKIP;

	if (req->kind == IRQFWD_NL_CTX) {
		ret = irqfwd_nl_parse_ctx(nlh, &ctx);
		if (!ret)
			ret = req->ctx_cb(&ctx, req->arg);
	} else {
		ret = irqfwd_nl_parse_line(nlh, &line);
		if (!ret)
			ret = req->line_cb(&line, req->arg);
	}
	if (ret)
		req->cb_error = ret < 0 ? ret : -EINVAL;
	return NL_OK;
}

/* Send @msg (consumed) and hand its replies to @req until the end. */
static int irqfwd_nl_request(struct irqfwd_nl *nl, struct nl_msg *msg,
			     struct irqfwd_nl_request *req)
{
	struct nl_cb *cb;
	int ret;

	nl->has_error = false;
	nl->error[0] = '\0';
	req->nl = nl;

	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, irqfwd_nl_valid_handler, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, irqfwd_nl_finish_handler,
		  req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, irqfwd_nl_ack_handler, req);
	nl_cb_err(cb, NL_CB_CUSTOM, irqfwd_nl_error_handler, req);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return nle_errno(ret);
	}
	while (!req->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !req->done) {
			nl_cb_put(cb);
			return nle_errno(ret);
		}
	}
	nl_cb_put(cb);
	if (req->error)
		return req->error;
	return req->cb_error;
}

static struct nl_msg *irqfwd_nl_msg(struct irqfwd_nl *nl, uint8_t cmd,
				    int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, IRQFWD_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

IRQFWD_EXPORT int irqfwd_nl_open(struct irqfwd_nl **nlp)
{
	struct irqfwd_nl *nl;
	int one = 1;
	int ret;

	if (!nlp)
		return -EINVAL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->event_fd = -1;
	nl->events_group = -1;

	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		ret = nle_errno(ret);
		goto err_free;
	}
	/* Extended acks, without the request echoed back: best effort. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	ret = genl_ctrl_resolve(nl->sk, IRQFWD_FAMILY_NAME);
	if (ret < 0) {
		ret = nle_errno(ret);
		goto err_free;
	}
	nl->family = ret;
	*nlp = nl;
	return 0;

err_free:
	irqfwd_nl_close(nl);
	return ret;
}

IRQFWD_EXPORT void irqfwd_nl_close(struct irqfwd_nl *nl)
{
	if (!nl)
		return;
	if (nl->event_fd >= 0)
		close(nl->event_fd);
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl);
}

IRQFWD_EXPORT const char *irqfwd_nl_error(const struct irqfwd_nl *nl)
{
	return nl && nl->has_error ? nl->error : NULL;
}

IRQFWD_EXPORT int irqfwd_nl_ctx_dump(struct irqfwd_nl *nl, irqfwd_nl_ctx_cb cb,
				     void *arg)
{
	struct irqfwd_nl_request req = {
		.kind = IRQFWD_NL_CTX,
		.ctx_cb = cb,
		.arg = arg,
	};
	struct nl_msg *msg;

	if (!nl || !cb)
		return -EINVAL;
	msg = irqfwd_nl_msg(nl, IRQFWD_CMD_CTX_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	return irqfwd_nl_request(nl, msg, &req);
}

static int irqfwd_nl_copy_ctx(const struct irqfwd_nl_ctx *ctx, void *arg)
{
	memcpy(arg, ctx, sizeof(*ctx));
	return 0;
}

IRQFWD_EXPORT int irqfwd_nl_ctx_get(struct irqfwd_nl *nl, uint32_t ctx_id,
				    struct irqfwd_nl_ctx *ctx)
{
	struct irqfwd_nl_ctx found = { 0 };
	struct irqfwd_nl_request req = {
		.kind = IRQFWD_NL_CTX,
		.ctx_cb = irqfwd_nl_copy_ctx,
		.arg = &found,
	};
	struct nl_msg *msg;
	int ret;

	if (!nl || !ctx)
		return -EINVAL;
	msg = irqfwd_nl_msg(nl, IRQFWD_CMD_CTX_GET, 0);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, IRQFWD_A_CTX_ID, ctx_id)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = irqfwd_nl_request(nl, msg, &req);
	if (ret)
		return ret;
	if (!found.id)
		return -EBADMSG;	/* acknowledged without a reply */
	*ctx = found;
	return 0;
}

IRQFWD_EXPORT int irqfwd_nl_line_dump(struct irqfwd_nl *nl, uint32_t ctx_id,
				      irqfwd_nl_line_cb cb, void *arg)
{
	struct irqfwd_nl_request req = {
		.kind = IRQFWD_NL_LINE,
		.line_cb = cb,
		.arg = arg,
	};
	struct nl_msg *msg;

	if (!nl || !cb)
		return -EINVAL;
	msg = irqfwd_nl_msg(nl, IRQFWD_CMD_LINE_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if (ctx_id && nla_put_u32(msg, IRQFWD_A_LINE_CTX_ID, ctx_id)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return irqfwd_nl_request(nl, msg, &req);
}

static int irqfwd_nl_copy_line(const struct irqfwd_nl_line *line, void *arg)
{
	memcpy(arg, line, sizeof(*line));
	return 0;
}

IRQFWD_EXPORT int irqfwd_nl_line_get(struct irqfwd_nl *nl, uint32_t ctx_id,
				     uint32_t id, struct irqfwd_nl_line *line)
{
	struct irqfwd_nl_line found = { 0 };
	struct irqfwd_nl_request req = {
		.kind = IRQFWD_NL_LINE,
		.line_cb = irqfwd_nl_copy_line,
		.arg = &found,
	};
	struct nl_msg *msg;
	int ret;

	if (!nl || !line)
		return -EINVAL;
	msg = irqfwd_nl_msg(nl, IRQFWD_CMD_LINE_GET, 0);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, IRQFWD_A_LINE_CTX_ID, ctx_id) ||
	    nla_put_u32(msg, IRQFWD_A_LINE_ID, id)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = irqfwd_nl_request(nl, msg, &req);
	if (ret)
		return ret;
	if (!found.id)
		return -EBADMSG;
	*line = found;
	return 0;
}

IRQFWD_EXPORT int irqfwd_nl_subscribe(struct irqfwd_nl *nl,
				      irqfwd_nl_event_cb cb, void *arg)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int size = IRQFWD_NL_EVENT_RCVBUF;
	int fd, group, ret;

	if (!nl || !cb)
		return -EINVAL;
	if (nl->event_fd >= 0) {
		nl->event_cb = cb;
		nl->event_arg = arg;
		return 0;
	}

	nl->has_error = false;
	group = genl_ctrl_resolve_grp(nl->sk, IRQFWD_FAMILY_NAME,
				      IRQFWD_MCGRP_EVENTS);
	if (group < 0)
		return nle_errno(group);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto err_errno;
	/* Best effort: the default buffer holds a few hundred events. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group)) < 0)
		goto err_errno;

	nl->events_group = group;
	nl->event_fd = fd;
	nl->event_cb = cb;
	nl->event_arg = arg;
	return 0;

err_errno:
	ret = -errno;
	close(fd);
	return ret;
}

IRQFWD_EXPORT int irqfwd_nl_event_fd(const struct irqfwd_nl *nl)
{
	if (!nl || nl->event_fd < 0)
		return -EINVAL;
	return nl->event_fd;
}

static enum irqfwd_nl_event irqfwd_nl_event_of(uint8_t cmd)
{
	switch (cmd) {
	case IRQFWD_CMD_LINE_ADD_NTF:
		return IRQFWD_NL_EVENT_ADD;
	case IRQFWD_CMD_LINE_CHANGE_NTF:
		return IRQFWD_NL_EVENT_CHANGE;
	case IRQFWD_CMD_LINE_DEL_NTF:
		return IRQFWD_NL_EVENT_DEL;
	}
	return 0;
}

/* One datagram of @len bytes from the events socket. */
static int irqfwd_nl_dispatch_buf(struct irqfwd_nl *nl, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)nl->buf;
	int remaining = (int)len;
	struct irqfwd_nl_line line;
	enum irqfwd_nl_event event;
	int count = 0, ret;

	for (; nlmsg_ok(nlh, remaining); nlh = nlmsg_next(nlh, &remaining)) {
		if (nlh->nlmsg_type != nl->family ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		event = irqfwd_nl_event_of(((struct genlmsghdr *)
					    nlmsg_data(nlh))->cmd);
		if (!event)
			continue;
		ret = irqfwd_nl_parse_line(nlh, &line);
		if (ret)
			return ret;
		if (event != IRQFWD_NL_EVENT_DEL)
			line.cause = 0;
		ret = nl->event_cb(event, &line, nl->event_arg);
		if (ret)
			return ret < 0 ? ret : -EINVAL;
		count++;
	}
	return count;
}

IRQFWD_EXPORT int irqfwd_nl_dispatch(struct irqfwd_nl *nl, int timeout_ms)
{
	struct pollfd pfd;
	int count = 0, ret;
	ssize_t len;

	if (!nl || nl->event_fd < 0)
		return -EINVAL;

	if (timeout_ms) {
		pfd.fd = nl->event_fd;
		pfd.events = POLLIN;
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return 0;
	}
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof(from);

		len = recvfrom(nl->event_fd, nl->buf, sizeof(nl->buf),
			       MSG_DONTWAIT, (struct sockaddr *)&from,
			       &fromlen);
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* Only the kernel speaks on the group. */
		if (fromlen != sizeof(from) || from.nl_pid != 0)
			continue;
		ret = irqfwd_nl_dispatch_buf(nl, (size_t)len);
		if (ret < 0)
			return ret;
		count += ret;
	}
	return count;
}
