/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the irqfwd selftests: the device, lines, eventfds and
 * the module's live-object counts.  Header-only, like the harness.
 */
#ifndef IRQFWD_UTIL_H
#define IRQFWD_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/irqfwd.h>

/*
 * enum irqfwd_reason's names as the netlink spec and the tracepoint spell
 * them, written down again here: not taken from libirqfwd, which the
 * tests check against them.
 */
static const char *const spec_reason_names[] = {
	[IRQFWD_REASON_NONE]		= "none",
	[IRQFWD_REASON_NO_PRODUCER]	= "no-producer",
	[IRQFWD_REASON_NO_CONSUMER]	= "no-consumer",
	[IRQFWD_REASON_NO_POSTING]	= "no-posting",
	[IRQFWD_REASON_NOT_POSTED]	= "not-posted",
	[IRQFWD_REASON_LINE_MASKED]	= "line-masked",
	[IRQFWD_REASON_LEVEL]		= "level",
	[IRQFWD_REASON_SOURCE_BUSY]	= "source-busy",
	[IRQFWD_REASON_SINK_BUSY]	= "sink-busy",
	[IRQFWD_REASON_REFUSED]		= "refused",
	[IRQFWD_REASON_STORM]		= "storm",
	[IRQFWD_REASON_NO_HANDOVER]	= "no-handover",
};

#define IRQFWD_DEV		"/dev/irqfwd"
#define IRQFWD_DEBUGFS		"/sys/kernel/debug/irqfwd"

/* What the tests poison output buffers with. */
#define POISON			0xcc

static inline int irqfwd_open(void)
{
	return open(IRQFWD_DEV, O_RDWR | O_CLOEXEC);
}

/* ioctl() that returns -errno, for ASSERT_EQ(-EINVAL, ...) style checks. */
static inline int irqfwd_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int new_eventfd(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

/* /dev/irqfwd and the eventfds of a line, as most fixtures want them. */
struct line_fds {
	int dev;
	int source;
	int sink;
	int unmask;
	int resample;
};

/* Returns 0, or -errno with everything closed again. */
static inline int line_fds_open(struct line_fds *f)
{
	int *fds[] = { &f->source, &f->sink, &f->unmask, &f->resample };
	unsigned int i;

	f->dev = irqfwd_open();
	for (i = 0; i < 4; i++)
		*fds[i] = new_eventfd();
	if (f->dev >= 0 && f->source >= 0 && f->sink >= 0 &&
	    f->unmask >= 0 && f->resample >= 0)
		return 0;
	return -errno;
}

static inline void line_fds_close(struct line_fds *f)
{
	int fds[] = { f->dev, f->source, f->sink, f->unmask, f->resample };
	unsigned int i;

	for (i = 0; i < 5; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static inline void line_create_init(struct irqfwd_line_create *c,
				    int source, int sink, __u32 trigger)
{
	memset(c, 0, sizeof(*c));
	c->argsz = sizeof(*c);
	c->source_fd = source;
	c->sink_fd = sink;
	c->unmask_fd = -1;
	c->resample_fd = -1;
	c->trigger = trigger;
	c->mode = IRQFWD_MODE_MASKED;
}

static inline void line_create_level(struct irqfwd_line_create *c,
				     int source, int sink, int unmask,
				     int resample)
{
	line_create_init(c, source, sink, IRQFWD_TRIGGER_LEVEL);
	if (unmask >= 0) {
		c->flags |= IRQFWD_LINE_UNMASK_FD;
		c->unmask_fd = unmask;
	}
	if (resample >= 0) {
		c->flags |= IRQFWD_LINE_RESAMPLE_FD;
		c->resample_fd = resample;
	}
}

/* Create a line; returns its id, or -errno. */
static inline int line_create(int dev, struct irqfwd_line_create *c)
{
	int ret = irqfwd_ioctl(dev, IRQFWD_LINE_CREATE, c);

	return ret ? ret : (int)c->id;
}

static inline int line_destroy(int dev, __u32 id)
{
	struct irqfwd_line_destroy d = { .argsz = sizeof(d), .id = id };

	return irqfwd_ioctl(dev, IRQFWD_LINE_DESTROY, &d);
}

static inline int line_eoi(int dev, __u32 id)
{
	struct irqfwd_line_eoi e = { .argsz = sizeof(e), .id = id };

	return irqfwd_ioctl(dev, IRQFWD_LINE_EOI, &e);
}

/* IRQFWD_LINE_MASK; returns the state after it, or -errno. */
static inline int line_mask(int dev, __u32 id, __u32 flags)
{
	struct irqfwd_line_mask m = { .argsz = sizeof(m), .flags = flags,
				      .id = id, .state = ~0u };
	int ret = irqfwd_ioctl(dev, IRQFWD_LINE_MASK, &m);

	return ret ? ret : (int)m.state;
}

/* IRQFWD_LINE_SET_MODE; returns the reason, or -errno. */
static inline int line_set_mode(int dev, __u32 id, __u32 mode)
{
	struct irqfwd_line_mode m = { .argsz = sizeof(m), .id = id,
				      .mode = mode };
	int ret = irqfwd_ioctl(dev, IRQFWD_LINE_SET_MODE, &m);

	return ret ? ret : (int)m.reason;
}

static inline int line_query(int dev, __u32 id, struct irqfwd_line_info *info)
{
	memset(info, POISON, sizeof(*info));
	info->argsz = sizeof(*info);
	info->flags = 0;
	info->id = id;
	return irqfwd_ioctl(dev, IRQFWD_LINE_QUERY, info);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Wait up to @timeout_ms for the eventfd to count, and read it: returns
 * the count, 0 on time-out, -errno on error.
 */
static inline int64_t efd_wait(int efd, int timeout_ms)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	uint64_t v;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return errno == EAGAIN ? 0 : -errno;
	return (int64_t)v;
}

/* Read a non-blocking eventfd: the count, or 0 if it had nothing. */
static inline int64_t efd_take(int efd)
{
	uint64_t v;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return errno == EAGAIN ? 0 : -errno;
	return (int64_t)v;
}

/* How long "nothing more came" is watched for: efd_wait(efd, EFD_QUIET_MS). */
#define EFD_QUIET_MS		50

/*
 * Read an eventfd until it has counted @want in all, or @timeout_ms
 * passed, then watch it EFD_QUIET_MS more: returns all it counted, more
 * than @want if more came, or -errno.  What the receiver saw, exactly.
 */
static inline int64_t efd_count(int efd, int64_t want, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000ull, now;
	int64_t total = 0, n;

	while (total < want && (now = now_ns()) < end) {
		n = efd_wait(efd, (int)((end - now) / 1000000ull) + 1);
		if (n < 0)
			return n;
		total += n;
	}
	n = efd_wait(efd, EFD_QUIET_MS);
	return n < 0 ? n : total + n;
}

static inline int efd_signal(int efd)
{
	uint64_t one = 1;

	return write(efd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

/* Write @what to the file @path (sysfs, cgroupfs, tracefs): 0 or -errno. */
static inline int file_write_flags(const char *path, const char *what,
				   int flags)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	if (write(fd, what, strlen(what)) != (ssize_t)strlen(what))
		ret = -errno;
	close(fd);
	return ret;
}

static inline int file_write(const char *path, const char *what)
{
	return file_write_flags(path, what, 0);
}

/* A live-object count of the module (debugfs), or -1. */
static inline long irqfwd_live(const char *what)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), IRQFWD_DEBUGFS "/%s", what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* Wait up to @timeout_ms for a live-object count to reach @want. */
static inline long irqfwd_live_wait(const char *what, long want,
				    int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000ull;
	long n;

	for (;;) {
		n = irqfwd_live(what);
		if (n == want || now_ns() > end)
			return n;
		usleep(1000);
	}
}

/* Wait up to @timeout_ms for a line to go away on its own. */
static inline int line_wait_gone(int dev, __u32 id, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000ull;
	struct irqfwd_line_info info;
	int ret;

	for (;;) {
		ret = line_query(dev, id, &info);
		if (ret || now_ns() > end)
			return ret;
		usleep(1000);
	}
}

/*
 * Wait up to @timeout_ms until a line's counter @field reaches @want; the
 * last query is left in @info.
 */
#define line_wait_stat(dev, id, field, want, timeout_ms, info)		\
({									\
	uint64_t __end = now_ns() + (uint64_t)(timeout_ms) * 1000000ull; \
	int __ret;							\
	for (;;) {							\
		__ret = line_query(dev, id, info);			\
		if (__ret || (info)->stats.field >= (want) ||		\
		    now_ns() > __end)					\
			break;						\
		usleep(200);						\
	}								\
	__ret;								\
})

/* Switches modes and masks/unmasks a line as fast as it can. */
struct toggler {
	int dev;
	__u32 id;
	bool forwarding;
	atomic_bool stop;
	atomic_int errors;
	unsigned long toggles;
	unsigned long masks;
	pthread_t thread;
};

static inline void *toggler_fn(void *arg)
{
	struct toggler *t = arg;
	unsigned int seed = 1;
	int ret;

	while (!atomic_load(&t->stop)) {
		if (t->forwarding) {
			ret = line_set_mode(t->dev, t->id, t->toggles & 1 ?
					    IRQFWD_MODE_MASKED :
					    IRQFWD_MODE_FORWARDED);
			if (ret < 0)
				atomic_fetch_add(&t->errors, 1);
			t->toggles++;
		}
		if (line_mask(t->dev, t->id, IRQFWD_LINE_MASK_MASK) < 0)
			atomic_fetch_add(&t->errors, 1);
		usleep(rand_r(&seed) % 100);
		if (line_mask(t->dev, t->id, IRQFWD_LINE_MASK_UNMASK) < 0)
			atomic_fetch_add(&t->errors, 1);
		t->masks++;
		usleep(rand_r(&seed) % 100);
	}
	return NULL;
}

static inline void toggler_start(struct toggler *t, int dev, __u32 id,
			  bool forwarding)
{
	memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->id = id;
	t->forwarding = forwarding;
	pthread_create(&t->thread, NULL, toggler_fn, t);
}

static inline void toggler_stop(struct toggler *t)
{
	atomic_store(&t->stop, true);
	pthread_join(t->thread, NULL);
}

#endif /* IRQFWD_UTIL_H */
