// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libirqfwd: typed wrappers over the ioctls of /dev/irqfwd.  Each fills the
 * command's structure (argsz of the version this library knows, flags and
 * reserved fields zero), and returns 0 or the kernel's -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "irqfwd.h"
#include "internal.h"

static int irqfwd_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (ioctl(fd, cmd, arg) < 0)
		return -errno;
	return 0;
}

IRQFWD_EXPORT int irqfwd_open(int *fd)
{
	int ret;

	if (!fd)
		return -EINVAL;
	ret = open(IRQFWD_DEVICE, O_RDWR | O_CLOEXEC);
	if (ret < 0)
		return -errno;
	*fd = ret;
	return 0;
}

IRQFWD_EXPORT int irqfwd_close(int fd)
{
	/* Linux releases the descriptor even if close() fails: no retry. */
	if (close(fd) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

IRQFWD_EXPORT int irqfwd_get_info(int fd, struct irqfwd_dev_info *info)
{
	struct irqfwd_info args;
	int ret;

	if (!info)
		return -EINVAL;
	memset(&args, 0, sizeof(args));
	args.argsz = sizeof(args);
	ret = irqfwd_ioctl(fd, IRQFWD_GET_INFO, &args);
	if (ret)
		return ret;
	info->api_version = args.api_version;
	info->max_lines = args.max_lines;
	info->caps = args.caps;
	info->nr_lines = args.nr_lines;
	info->ctx_id = args.ctx_id;
	return 0;
}

IRQFWD_EXPORT int irqfwd_line_create(int fd,
				     const struct irqfwd_line_config *config,
				     uint32_t *id)
{
	struct irqfwd_line_create args;
	int ret;

	if (!config || !id)
		return -EINVAL;
	memset(&args, 0, sizeof(args));
	args.argsz = sizeof(args);
	args.flags = config->flags;
	args.source_fd = config->source_fd;
	args.sink_fd = config->sink_fd;
	args.unmask_fd = config->flags & IRQFWD_LINE_UNMASK_FD ?
			 config->unmask_fd : -1;
	args.resample_fd = config->flags & IRQFWD_LINE_RESAMPLE_FD ?
			   config->resample_fd : -1;
	args.trigger = config->trigger;
	args.mode = config->mode;
	ret = irqfwd_ioctl(fd, IRQFWD_LINE_CREATE, &args);
	if (ret)
		return ret;
	*id = args.id;
	return 0;
}

IRQFWD_EXPORT int irqfwd_line_destroy(int fd, uint32_t id)
{
	struct irqfwd_line_destroy args = {
		.argsz = sizeof(args),
		.id = id,
	};

	return irqfwd_ioctl(fd, IRQFWD_LINE_DESTROY, &args);
}

IRQFWD_EXPORT int irqfwd_line_query(int fd, uint32_t id,
				    struct irqfwd_line_status *status)
{
	struct irqfwd_line_info args;
	int ret;

	if (!status)
		return -EINVAL;
	memset(&args, 0, sizeof(args));
	args.argsz = sizeof(args);
	args.id = id;
	ret = irqfwd_ioctl(fd, IRQFWD_LINE_QUERY, &args);
	if (ret)
		return ret;
	status->id = args.id;
	status->flags = args.line_flags;
	status->trigger = args.trigger;
	status->mode = args.mode;
	status->effective_mode = args.effective_mode;
	status->reason = args.reason;
	status->state = args.state;
	status->host_irq = args.host_irq;
	status->bypass = args.bypass;
	status->stats.fired = args.stats.fired;
	status->stats.delivered = args.stats.delivered;
	status->stats.coalesced = args.stats.coalesced;
	status->stats.completed = args.stats.completed;
	status->stats.unmasked = args.stats.unmasked;
	status->stats.spurious = args.stats.spurious;
	status->stats.cleared = args.stats.cleared;
	status->stats.storms = args.stats.storms;
	status->storm_rate = args.storm_rate;
	status->storm_backoff_ms = args.storm_backoff_ms;
	return 0;
}

IRQFWD_EXPORT int irqfwd_line_eoi(int fd, uint32_t id)
{
	struct irqfwd_line_eoi args = {
		.argsz = sizeof(args),
		.id = id,
	};

	return irqfwd_ioctl(fd, IRQFWD_LINE_EOI, &args);
}

IRQFWD_EXPORT int irqfwd_line_mask_op(int fd, uint32_t id, uint32_t ops,
				      uint32_t *state)
{
	struct irqfwd_line_mask args = {
		.argsz = sizeof(args),
		.flags = ops,
		.id = id,
	};
	int ret;

	ret = irqfwd_ioctl(fd, IRQFWD_LINE_MASK, &args);
	if (!ret && state)
		*state = args.state;
	return ret;
}

IRQFWD_EXPORT int irqfwd_line_mask(int fd, uint32_t id, uint32_t *state)
{
	return irqfwd_line_mask_op(fd, id, IRQFWD_LINE_MASK_MASK, state);
}

IRQFWD_EXPORT int irqfwd_line_unmask(int fd, uint32_t id, uint32_t *state)
{
	return irqfwd_line_mask_op(fd, id, IRQFWD_LINE_MASK_UNMASK, state);
}

IRQFWD_EXPORT int irqfwd_line_clear(int fd, uint32_t id, uint32_t *state)
{
	return irqfwd_line_mask_op(fd, id, IRQFWD_LINE_MASK_CLEAR_PENDING,
				   state);
}

IRQFWD_EXPORT int irqfwd_line_set_mode(int fd, uint32_t id, uint32_t mode,
				       uint32_t *effective_mode,
				       uint32_t *reason)
{
	struct irqfwd_line_mode args = {
		.argsz = sizeof(args),
		.id = id,
		.mode = mode,
	};
	int ret;

	ret = irqfwd_ioctl(fd, IRQFWD_LINE_SET_MODE, &args);
	if (ret)
		return ret;
	if (effective_mode)
		*effective_mode = args.effective_mode;
	if (reason)
		*reason = args.reason;
	return 0;
}

static int irqfwd_line_storm(int fd, uint32_t id, uint32_t flags,
			     uint32_t rate, uint32_t backoff_ms)
{
	struct irqfwd_line_storm args = {
		.argsz = sizeof(args),
		.flags = flags,
		.id = id,
		.rate = rate,
		.backoff_ms = backoff_ms,
	};

	return irqfwd_ioctl(fd, IRQFWD_LINE_SET_STORM, &args);
}

IRQFWD_EXPORT int irqfwd_line_set_storm(int fd, uint32_t id, uint32_t rate,
					uint32_t backoff_ms)
{
	return irqfwd_line_storm(fd, id, 0, rate, backoff_ms);
}

IRQFWD_EXPORT int irqfwd_line_storm_default(int fd, uint32_t id)
{
	return irqfwd_line_storm(fd, id, IRQFWD_LINE_STORM_DEFAULT, 0, 0);
}
