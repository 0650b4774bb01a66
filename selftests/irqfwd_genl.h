/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal generic netlink client for the irqfwd selftests, on raw
 * sockets: the tests check the kernel side byte for byte, so they do not
 * go through the library they also test.  Header-only.
 */
#ifndef IRQFWD_GENL_H
#define IRQFWD_GENL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/irqfwd_netlink.h>

#define GENL_BUF_SIZE	65536
#define GENL_MAX_ATTR	32

struct genl {
	int fd;
	uint16_t family;
	uint32_t events_group;
	uint32_t seq;
	/* The extack message of the last error, if the kernel sent one. */
	char extack[128];
};

/* A request under construction. */
struct genl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[1024];
	};
};

static inline void genl_msg_init(struct genl_msg *m, uint16_t type,
				 uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = 1;
}

static inline void genl_msg_put(struct genl_msg *m, uint16_t type,
				const void *data, uint16_t len)
{
	struct nlattr *nla = (void *)m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len);

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(nla->nla_len);
}

static inline void genl_msg_put_u32(struct genl_msg *m, uint16_t type,
				    uint32_t v)
{
	genl_msg_put(m, type, &v, sizeof(v));
}

/* Attributes of a message or a nest, by type; NULL where absent. */
static inline void genl_parse(const struct nlattr **tb, const void *data,
			      int len)
{
	const struct nlattr *nla = data;

	memset(tb, 0, sizeof(*tb) * (GENL_MAX_ATTR + 1));
	while (len >= (int)NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	       nla->nla_len <= len) {
		int type = nla->nla_type & NLA_TYPE_MASK;

		if (type <= GENL_MAX_ATTR)
			tb[type] = nla;
		len -= NLA_ALIGN(nla->nla_len);
		nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len));
	}
}

static inline void genl_parse_msg(const struct nlattr **tb,
				  const struct nlmsghdr *nlh)
{
	genl_parse(tb, (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		   nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
}

static inline void genl_parse_nest(const struct nlattr **tb,
				   const struct nlattr *nest)
{
	genl_parse(tb, (const char *)nest + NLA_HDRLEN,
		   nest->nla_len - NLA_HDRLEN);
}

static inline const void *nla_data_of(const struct nlattr *nla)
{
	return (const char *)nla + NLA_HDRLEN;
}

static inline uint32_t nla_u32_of(const struct nlattr *nla)
{
	uint32_t v;

	memcpy(&v, nla_data_of(nla), sizeof(v));
	return v;
}

static inline uint64_t nla_u64_of(const struct nlattr *nla)
{
	uint64_t v;

	memcpy(&v, nla_data_of(nla), sizeof(v));
	return v;
}

static inline uint8_t genl_cmd_of(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
}

/* Remember the extack message of an error. */
static inline void genl_extack(struct genl *g, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	const struct nlattr *tb[GENL_MAX_ATTR + 1];
	int off = sizeof(*err);

	g->extack[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	genl_parse(tb, (const char *)err + off,
		   (int)nlh->nlmsg_len - NLMSG_HDRLEN - off);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(g->extack, sizeof(g->extack), "%s",
			 (const char *)nla_data_of(tb[NLMSGERR_ATTR_MSG]));
}

typedef int (*genl_cb)(const struct nlmsghdr *nlh, void *arg);

/*
 * Receive the answer to the request @seq: @cb for each message, until the
 * ack or the end of the dump.  Returns 0 or the request's -errno (or @cb's
 * negative return).
 */
static inline int genl_recv(struct genl *g, uint32_t seq, genl_cb cb,
			    void *arg)
{
	static char buf[GENL_BUF_SIZE];

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t n;

		n = recv(g->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = NLMSG_DATA(nlh);

				genl_extack(g, nlh);
				return err->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int err;

				memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
				return err;
			}
			if (cb) {
				int ret = cb(nlh, arg);

				if (ret < 0)
					return ret;
			}
		}
	}
}

/* Send @m and receive its answer, as genl_recv(). */
static inline int genl_call(struct genl *g, struct genl_msg *m, genl_cb cb,
			    void *arg)
{
	m->nlh.nlmsg_seq = ++g->seq;
	if (send(g->fd, m, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	return genl_recv(g, m->nlh.nlmsg_seq, cb, arg);
}

struct genl_family_info {
	uint16_t id;
	uint32_t version;
	uint32_t events_group;
	/* GENL_CMD_CAP_* flags of each command; 0 if it has none. */
	uint32_t op_flags[GENL_MAX_ATTR + 1];
};

static inline int genl_family_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[GENL_MAX_ATTR + 1], *ntb[GENL_MAX_ATTR + 1];
	const struct nlattr *otb[GENL_MAX_ATTR + 1];
	struct genl_family_info *fi = arg;
	int i;

	genl_parse_msg(tb, nlh);
	if (tb[CTRL_ATTR_FAMILY_ID])
		memcpy(&fi->id, nla_data_of(tb[CTRL_ATTR_FAMILY_ID]), 2);
	if (tb[CTRL_ATTR_VERSION])
		fi->version = nla_u32_of(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_OPS]) {
		genl_parse_nest(ntb, tb[CTRL_ATTR_OPS]);
		for (i = 1; i <= GENL_MAX_ATTR; i++) {
			uint32_t cmd;

			if (!ntb[i])
				continue;
			genl_parse_nest(otb, ntb[i]);
			if (!otb[CTRL_ATTR_OP_ID])
				continue;
			cmd = nla_u32_of(otb[CTRL_ATTR_OP_ID]);
			if (cmd <= GENL_MAX_ATTR)
				fi->op_flags[cmd] = otb[CTRL_ATTR_OP_FLAGS] ?
					nla_u32_of(otb[CTRL_ATTR_OP_FLAGS]) : 0;
		}
	}
	if (tb[CTRL_ATTR_MCAST_GROUPS]) {
		genl_parse_nest(ntb, tb[CTRL_ATTR_MCAST_GROUPS]);
		for (i = 1; i <= GENL_MAX_ATTR; i++) {
			if (!ntb[i])
				continue;
			genl_parse_nest(otb, ntb[i]);
			if (otb[CTRL_ATTR_MCAST_GRP_NAME] &&
			    otb[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(nla_data_of(otb[CTRL_ATTR_MCAST_GRP_NAME]),
				    IRQFWD_MCGRP_EVENTS))
				fi->events_group =
					nla_u32_of(otb[CTRL_ATTR_MCAST_GRP_ID]);
		}
	}
	return 0;
}

/* Ask the controller about the irqfwd family. */
static inline int genl_family(struct genl *g, struct genl_family_info *fi)
{
	struct genl_msg m;

	memset(fi, 0, sizeof(*fi));
	genl_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	genl_msg_put(&m, CTRL_ATTR_FAMILY_NAME, IRQFWD_FAMILY_NAME,
		     sizeof(IRQFWD_FAMILY_NAME));
	return genl_call(g, &m, genl_family_cb, fi);
}

/* Open a socket on the irqfwd family; returns 0 or -errno. */
static inline int genl_open(struct genl *g)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct genl_family_info fi;
	int one = 1, ret;

	memset(g, 0, sizeof(*g));
	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (g->fd < 0)
		return -errno;
	if (bind(g->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto err;
	/* Extended acks, with the kernel's message on errors. */
	if (setsockopt(g->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) < 0 ||
	    setsockopt(g->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
		       sizeof(one)) < 0)
		goto err;
	ret = genl_family(g, &fi);
	if (ret) {
		close(g->fd);
		return ret;
	}
	g->family = fi.id;
	g->events_group = fi.events_group;
	return 0;
err:
	ret = -errno;
	close(g->fd);
	return ret;
}

static inline void genl_close(struct genl *g)
{
	close(g->fd);
}

/* Join the events group; returns 0 or -errno. */
static inline int genl_join_events(struct genl *g)
{
	if (setsockopt(g->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &g->events_group, sizeof(g->events_group)) < 0)
		return -errno;
	return 0;
}

#endif /* IRQFWD_GENL_H */
