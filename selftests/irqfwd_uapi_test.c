// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of /dev/irqfwd: every documented errno provoked, outputs
 * checked in poisoned buffers.  Plain eventfds stand in for VFIO and KVM
 * here; the real ones are in the edu and kvm tests.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

#include <assert.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

FIXTURE(dev) {
	struct line_fds f;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, line_fds_open(&self->f)) TH_LOG("%s: %s", IRQFWD_DEV,
						   strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	line_fds_close(&self->f);
}

/* An argument struct with room behind it, to test argsz. */
struct info_ext {
	struct irqfwd_info info;
	__u64 tail[2];
};

TEST_F(dev, get_info)
{
	struct info_ext ext;

	memset(&ext, POISON, sizeof(ext));
	ext.info.argsz = sizeof(ext.info);
	ext.info.flags = 0;
	ASSERT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &ext.info));
	EXPECT_EQ(sizeof(ext.info), ext.info.argsz);
	EXPECT_EQ(0, ext.info.flags);
	EXPECT_EQ(IRQFWD_API_VERSION, ext.info.api_version);
	EXPECT_LT(0, ext.info.max_lines);
	EXPECT_EQ(IRQFWD_CAP_LEVEL | IRQFWD_CAP_EOI | IRQFWD_CAP_RESAMPLE |
		  IRQFWD_CAP_MASK | IRQFWD_CAP_STORM,
		  ext.info.caps);
	EXPECT_EQ(0, ext.info.nr_lines);
	EXPECT_LT(0, ext.info.ctx_id);
	/* Nothing written behind argsz. */
	EXPECT_EQ(0xccccccccccccccccull, ext.tail[0]);
}

TEST_F(dev, get_info_counts_lines)
{
	struct irqfwd_line_create c;
	struct irqfwd_info info;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	ASSERT_LT(0, line_create(self->f.dev, &c));
	memset(&info, POISON, sizeof(info));
	info.argsz = sizeof(info);
	info.flags = 0;
	ASSERT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &info));
	EXPECT_EQ(1, info.nr_lines);
}

TEST_F(dev, argsz_short)
{
	struct irqfwd_info info = { .argsz = sizeof(info) - 1 };

	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &info));
	info.argsz = 0;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &info));
	info.argsz = 4;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &info));
}

TEST_F(dev, argsz_long_zero_tail)
{
	struct info_ext ext;

	memset(&ext, 0, sizeof(ext));
	ext.info.argsz = sizeof(ext);
	ASSERT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &ext.info));
	EXPECT_EQ(IRQFWD_API_VERSION, ext.info.api_version);
	EXPECT_EQ(0, ext.tail[0]);
	EXPECT_EQ(0, ext.tail[1]);
}

TEST_F(dev, argsz_long_nonzero_tail)
{
	struct info_ext ext;

	memset(&ext, 0, sizeof(ext));
	ext.info.argsz = sizeof(ext);
	ext.tail[1] = 1;
	EXPECT_EQ(-E2BIG, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &ext.info));
}

TEST_F(dev, argsz_too_big)
{
	static char page[8192];
	struct irqfwd_info *info = (struct irqfwd_info *)page;

	info->argsz = sizeof(page);
	EXPECT_EQ(-E2BIG, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, info));
	info->argsz = 4097;
	EXPECT_EQ(-E2BIG, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, info));
	/* The limit itself is fine while the tail is zero. */
	info->argsz = 4096;
	EXPECT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, info));
}

/*
 * A thread that changes argsz while the kernel reads the argument: the
 * argument ends on a page of its own that userfaultfd serves, and the
 * kernel reads that page (the tail beyond what it knows, checked for
 * zeros) before the structure itself.  While the kernel waits for the
 * page, argsz changes to @flip_to.
 */
struct argsz_flip {
	int uffd;
	__u32 *argsz;
	__u32 flip_to;
	long page_size;
	bool flipped;
};

static void *argsz_flipper(void *arg)
{
	struct argsz_flip *a = arg;
	struct pollfd p = { .fd = a->uffd, .events = POLLIN };
	struct uffdio_zeropage zero = { 0 };
	struct uffd_msg msg;

	if (poll(&p, 1, 5000) != 1 ||
	    read(a->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return NULL;
	*(volatile __u32 *)a->argsz = a->flip_to;
	a->flipped = true;
	zero.range.start = msg.arg.pagefault.address & ~(a->page_size - 1);
	zero.range.len = a->page_size;
	ioctl(a->uffd, UFFDIO_ZEROPAGE, &zero);
	return NULL;
}

/* argsz is read once: what was checked is what the copy out uses. */
TEST_F(dev, argsz_read_once)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct argsz_flip a = { 0 };
	struct irqfwd_info *info;
	pthread_t thread;
	char *mem;

	a.page_size = sysconf(_SC_PAGESIZE);
	mem = mmap(NULL, 2 * a.page_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	a.uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, a.uffd) TH_LOG("userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(a.uffd, UFFDIO_API, &api));
	reg.range.start = (uintptr_t)mem + a.page_size;
	reg.range.len = a.page_size;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(a.uffd, UFFDIO_REGISTER, &reg));

	/* The structure ends the first page; its zero tail is the second. */
	memset(mem, POISON, a.page_size);
	info = (struct irqfwd_info *)(mem + a.page_size - sizeof(*info));
	info->argsz = sizeof(*info) + 8;
	info->flags = 0;
	a.argsz = &info->argsz;
	a.flip_to = 8;
	ASSERT_EQ(0, pthread_create(&thread, NULL, argsz_flipper, &a));
	EXPECT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, info));
	pthread_join(thread, NULL);
	ASSERT_TRUE(a.flipped);

	/* Everything written, as the argsz that was checked asks. */
	EXPECT_EQ(sizeof(*info) + 8, info->argsz);
	EXPECT_EQ(IRQFWD_API_VERSION, info->api_version);
	EXPECT_LT(0, info->max_lines);
	EXPECT_LT(0, info->ctx_id);
	close(a.uffd);
	munmap(mem, 2 * a.page_size);
}

TEST_F(dev, get_info_flags)
{
	struct irqfwd_info info = { .argsz = sizeof(info), .flags = 1 };

	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &info));
	info.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &info));
}

TEST_F(dev, bad_pointer)
{
	EXPECT_EQ(-EFAULT, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, NULL));
	EXPECT_EQ(-EFAULT, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_CREATE,
					(void *)8));
	EXPECT_EQ(-EFAULT, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_QUERY, NULL));
	EXPECT_EQ(-EFAULT, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_DESTROY, NULL));
	EXPECT_EQ(-EFAULT, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_EOI, NULL));
	EXPECT_EQ(-EFAULT, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_MASK, NULL));
	EXPECT_EQ(-EFAULT, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_MODE, NULL));
}

TEST_F(dev, unknown_ioctl)
{
	__u64 buf[8] = { sizeof(buf) };

	EXPECT_EQ(-ENOTTY, irqfwd_ioctl(self->f.dev, _IO(IRQFWD_TYPE, 0x7f),
					buf));
	EXPECT_EQ(-ENOTTY, irqfwd_ioctl(self->f.dev,
					_IOWR(IRQFWD_TYPE, 0x05, __u64), buf));
	/* A known number with the wrong size or direction. */
	EXPECT_EQ(-ENOTTY, irqfwd_ioctl(self->f.dev,
					_IOWR(IRQFWD_TYPE, 0x00, __u64), buf));
	EXPECT_EQ(-ENOTTY, irqfwd_ioctl(self->f.dev,
					_IOR(IRQFWD_TYPE, 0x01,
					     struct irqfwd_line_create), buf));
	/* Another driver's magic. */
	EXPECT_EQ(-ENOTTY, irqfwd_ioctl(self->f.dev, _IO(0xAE, 0x00), buf));
}

TEST_F(dev, create_and_query_edge)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	c.id = 0xdeadbeef;	/* output only */
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(sizeof(info), info.argsz);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(id, info.id);
	EXPECT_EQ(0, info.line_flags);
	EXPECT_EQ(IRQFWD_TRIGGER_EDGE, info.trigger);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.mode);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	EXPECT_EQ(IRQFWD_REASON_NONE, info.reason);
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(0, info.host_irq);
	EXPECT_EQ(0, info.bypass);
	EXPECT_EQ(0, info.__reserved);
	EXPECT_EQ(0, info.stats.fired);
	EXPECT_EQ(0, info.stats.delivered);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_EQ(0, info.stats.completed);
	EXPECT_EQ(0, info.stats.unmasked);
	EXPECT_EQ(0, info.stats.spurious);
	EXPECT_EQ(0, info.stats.cleared);
}

TEST_F(dev, create_and_query_level)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  self->f.resample);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(IRQFWD_LINE_UNMASK_FD | IRQFWD_LINE_RESAMPLE_FD,
		  info.line_flags);
	EXPECT_EQ(IRQFWD_TRIGGER_LEVEL, info.trigger);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.mode);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(0, info.__reserved);
	EXPECT_EQ(0, info.stats.fired);
}

TEST_F(dev, create_bad_fd)
{
	struct irqfwd_line_create c;
	int closed = dup(self->f.sink);

	ASSERT_LE(0, closed);
	close(closed);

	line_create_init(&c, -1, self->f.sink, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EBADF, line_create(self->f.dev, &c));
	line_create_init(&c, closed, self->f.sink, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EBADF, line_create(self->f.dev, &c));
	line_create_init(&c, self->f.source, -1, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EBADF, line_create(self->f.dev, &c));
	line_create_init(&c, self->f.source, closed, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EBADF, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, closed, -1);
	EXPECT_EQ(-EBADF, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, -1, -1);
	c.flags = IRQFWD_LINE_RESAMPLE_FD;
	c.resample_fd = closed;
	EXPECT_EQ(-EBADF, line_create(self->f.dev, &c));
	EXPECT_EQ(0, irqfwd_live_wait("lines", 0, 1000));
}

TEST_F(dev, create_not_eventfd)
{
	struct irqfwd_line_create c;
	int null, pipefd[2];

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null);
	ASSERT_EQ(0, pipe(pipefd));

	line_create_init(&c, null, self->f.sink, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_init(&c, self->f.source, pipefd[1], IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_init(&c, self->f.dev, self->f.sink, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, pipefd[0], -1);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, -1, null);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));

	close(pipefd[0]);
	close(pipefd[1]);
	close(null);
}

TEST_F(dev, create_unknown_flags)
{
	struct irqfwd_line_create c;

	line_create_level(&c, self->f.source, self->f.sink, -1, -1);
	c.flags = 1u << 2;
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	c.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
}

TEST_F(dev, create_reserved)
{
	struct irqfwd_line_create c;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	c.__reserved = 1;
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
}

TEST_F(dev, create_bad_trigger)
{
	struct irqfwd_line_create c;

	line_create_init(&c, self->f.source, self->f.sink, 2);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	c.trigger = ~0u;
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
}

TEST_F(dev, create_bad_mode)
{
	struct irqfwd_line_create c;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	c.mode = 2;
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	c.mode = ~0u;
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
}

/*
 * Forwarded mode on plain eventfds: nothing to pair with, so the line runs
 * masked and says why.
 */
TEST_F(dev, create_forwarded_without_producer)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	c.mode = IRQFWD_MODE_FORWARDED;
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(IRQFWD_MODE_FORWARDED, info.mode);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	EXPECT_EQ(IRQFWD_REASON_NO_PRODUCER, info.reason);
	EXPECT_EQ(0, info.host_irq);
	EXPECT_EQ(0, info.bypass);

	/* Still relays, on the eventfd path: once. */
	ASSERT_EQ(0, efd_signal(self->f.source));
	EXPECT_EQ(1, efd_wait(self->f.sink, 2000));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(1, info.stats.fired);
	EXPECT_EQ(1, info.stats.delivered);
}

TEST_F(dev, forwarded_level_line)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_mode m;
	int id;

	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask, -1);
	c.mode = IRQFWD_MODE_FORWARDED;
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	memset(&m, POISON, sizeof(m));
	m.argsz = sizeof(m);
	m.flags = 0;
	m.id = id;
	m.mode = IRQFWD_MODE_FORWARDED;
	ASSERT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_MODE, &m));
	EXPECT_EQ(IRQFWD_MODE_MASKED, m.effective_mode);
	EXPECT_EQ(IRQFWD_REASON_LEVEL, m.reason);
	EXPECT_EQ(IRQFWD_MODE_FORWARDED, m.mode);
	EXPECT_EQ(id, m.id);
}

TEST_F(dev, set_mode)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	struct irqfwd_line_mode m;
	int id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	memset(&m, POISON, sizeof(m));
	m.argsz = sizeof(m);
	m.flags = 0;
	m.id = id;
	m.mode = IRQFWD_MODE_FORWARDED;
	ASSERT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_MODE, &m));
	EXPECT_EQ(IRQFWD_MODE_MASKED, m.effective_mode);
	EXPECT_EQ(IRQFWD_REASON_NO_PRODUCER, m.reason);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(IRQFWD_MODE_FORWARDED, info.mode);
	EXPECT_EQ(IRQFWD_REASON_NO_PRODUCER, info.reason);

	m.mode = IRQFWD_MODE_MASKED;
	ASSERT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_MODE, &m));
	EXPECT_EQ(IRQFWD_MODE_MASKED, m.effective_mode);
	EXPECT_EQ(IRQFWD_REASON_NONE, m.reason);
}

TEST_F(dev, set_mode_errors)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_mode m = { .argsz = sizeof(m), .id = 77 };
	int id;

	EXPECT_EQ(-ENOENT, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_MODE, &m));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	m.id = id;
	m.mode = 2;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_MODE, &m));
	m.mode = IRQFWD_MODE_FORWARDED;
	m.flags = 1;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_MODE, &m));
	m.flags = 0;
	m.argsz = offsetof(struct irqfwd_line_mode, reason);
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_MODE, &m));
}

TEST_F(dev, create_edge_level_flags)
{
	struct irqfwd_line_create c;

	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask, -1);
	c.trigger = IRQFWD_TRIGGER_EDGE;
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, -1, self->f.resample);
	c.trigger = IRQFWD_TRIGGER_EDGE;
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
}

TEST_F(dev, create_same_eventfd)
{
	struct irqfwd_line_create c;
	int alias = dup(self->f.source);

	ASSERT_LE(0, alias);
	line_create_init(&c, self->f.source, self->f.source, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	/* Another descriptor of the same eventfd is the same eventfd. */
	line_create_init(&c, self->f.source, alias, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, -1, alias);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, -1, self->f.sink);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	close(alias);
}

/*
 * The unmask eventfd is one of the line's eventfds too: as the source,
 * every completion would fire the line again, an endless train paced by
 * the guest's EOIs; as the sink or the resample eventfd it would deliver
 * or complete interrupts nobody raised.
 */
TEST_F(dev, create_unmask_same_eventfd)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int alias = dup(self->f.source);
	int id;

	ASSERT_LE(0, alias);
	line_create_level(&c, self->f.source, self->f.sink, self->f.source,
			  self->f.resample);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, alias, -1);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, self->f.sink,
			  self->f.resample);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	line_create_level(&c, self->f.source, self->f.sink, self->f.resample,
			  self->f.resample);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	close(alias);
	/* Refused, not half made: nothing holds the source. */
	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  self->f.resample);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(IRQFWD_LINE_UNMASK_FD | IRQFWD_LINE_RESAMPLE_FD,
		  info.line_flags);
}

TEST_F(dev, create_source_busy)
{
	struct irqfwd_line_create c;
	int other, sink2, id;

	sink2 = new_eventfd();
	ASSERT_LE(0, sink2);
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	line_create_init(&c, self->f.source, sink2, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EBUSY, line_create(self->f.dev, &c));

	/* In any context. */
	other = irqfwd_open();
	ASSERT_LE(0, other);
	EXPECT_EQ(-EBUSY, line_create(other, &c));

	/* Free again once the line is gone. */
	ASSERT_EQ(0, line_destroy(self->f.dev, id));
	EXPECT_LT(0, line_create(other, &c));
	close(other);
	close(sink2);
}

/* Lines may share a sink, but never feed each other. */
TEST_F(dev, create_loop)
{
	struct irqfwd_line_create c;
	int other, third;

	third = new_eventfd();
	ASSERT_LE(0, third);
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	ASSERT_LT(0, line_create(self->f.dev, &c));

	/* A sink as source, a source as sink: in any context. */
	other = irqfwd_open();
	ASSERT_LE(0, other);
	line_create_init(&c, self->f.sink, third, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	EXPECT_EQ(-EINVAL, line_create(other, &c));
	line_create_init(&c, third, self->f.source, IRQFWD_TRIGGER_EDGE);
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &c));
	EXPECT_EQ(-EINVAL, line_create(other, &c));

	/* A shared sink is fine. */
	line_create_init(&c, third, self->f.sink, IRQFWD_TRIGGER_EDGE);
	EXPECT_LT(0, line_create(other, &c));
	close(other);
	close(third);
}

TEST_F(dev, create_argsz)
{
	struct {
		struct irqfwd_line_create c;
		__u32 tail;
	} ext;

	line_create_init(&ext.c, self->f.source, self->f.sink,
			 IRQFWD_TRIGGER_EDGE);
	ext.c.argsz = sizeof(ext.c) - 4;
	EXPECT_EQ(-EINVAL, line_create(self->f.dev, &ext.c));
	ext.c.argsz = sizeof(ext);
	ext.tail = 7;
	EXPECT_EQ(-E2BIG, line_create(self->f.dev, &ext.c));
	ext.tail = 0;
	EXPECT_LT(0, line_create(self->f.dev, &ext.c));
}

TEST_F(dev, destroy_errors)
{
	struct irqfwd_line_destroy d;
	struct irqfwd_line_create c;
	int id;

	EXPECT_EQ(-ENOENT, line_destroy(self->f.dev, 0));
	EXPECT_EQ(-ENOENT, line_destroy(self->f.dev, 12345));

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	d = (struct irqfwd_line_destroy){ .argsz = sizeof(d), .id = id,
					  .flags = 1 };
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_DESTROY, &d));
	d.flags = 0;
	d.__reserved = 1;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_DESTROY, &d));
	d.__reserved = 0;
	d.argsz = sizeof(d) - 1;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_DESTROY, &d));

	EXPECT_EQ(0, line_destroy(self->f.dev, id));
	EXPECT_EQ(-ENOENT, line_destroy(self->f.dev, id));
}

/*
 * A command's number encodes the size of its structure's first version:
 * it never changes when the structure grows.  These are the numbers of
 * API version 1.
 */
TEST(command_numbers_are_frozen)
{
	static_assert(offsetofend(struct irqfwd_info, ctx_id) ==
		      IRQFWD_INFO_SIZE_V1, "");
	static_assert(offsetofend(struct irqfwd_line_create, __reserved) ==
		      IRQFWD_LINE_CREATE_SIZE_V1, "");
	static_assert(offsetofend(struct irqfwd_line_destroy, __reserved) ==
		      IRQFWD_LINE_DESTROY_SIZE_V1, "");
	static_assert(offsetofend(struct irqfwd_line_info, stats.cleared) ==
		      IRQFWD_LINE_INFO_SIZE_V1, "");
	static_assert(offsetofend(struct irqfwd_line_eoi, __reserved) ==
		      IRQFWD_LINE_EOI_SIZE_V1, "");
	static_assert(offsetofend(struct irqfwd_line_mask, state) ==
		      IRQFWD_LINE_MASK_SIZE_V1, "");
	static_assert(offsetofend(struct irqfwd_line_mode, reason) ==
		      IRQFWD_LINE_MODE_SIZE_V1, "");
	static_assert(offsetofend(struct irqfwd_line_storm, __reserved) ==
		      IRQFWD_LINE_STORM_SIZE_V1, "");
	/* Frozen: struct irqfwd_line_info holds it before other fields. */
	static_assert(sizeof(struct irqfwd_line_stats) == 64, "");

	EXPECT_EQ(0xc020bf00u, IRQFWD_GET_INFO);
	EXPECT_EQ(0xc028bf01u, IRQFWD_LINE_CREATE);
	EXPECT_EQ(0x4010bf02u, IRQFWD_LINE_DESTROY);
	EXPECT_EQ(0xc068bf03u, IRQFWD_LINE_QUERY);
	EXPECT_EQ(0x4010bf04u, IRQFWD_LINE_EOI);
	EXPECT_EQ(0xc010bf05u, IRQFWD_LINE_MASK);
	EXPECT_EQ(0xc018bf06u, IRQFWD_LINE_SET_MODE);
	EXPECT_EQ(0x4018bf07u, IRQFWD_LINE_SET_STORM);
	EXPECT_EQ(IRQFWD_INFO_SIZE_V1, _IOC_SIZE(IRQFWD_GET_INFO));
	EXPECT_EQ(IRQFWD_LINE_CREATE_SIZE_V1, _IOC_SIZE(IRQFWD_LINE_CREATE));
	EXPECT_EQ(IRQFWD_LINE_DESTROY_SIZE_V1, _IOC_SIZE(IRQFWD_LINE_DESTROY));
	EXPECT_EQ(IRQFWD_LINE_INFO_SIZE_V1, _IOC_SIZE(IRQFWD_LINE_QUERY));
	EXPECT_EQ(IRQFWD_LINE_EOI_SIZE_V1, _IOC_SIZE(IRQFWD_LINE_EOI));
	EXPECT_EQ(IRQFWD_LINE_MASK_SIZE_V1, _IOC_SIZE(IRQFWD_LINE_MASK));
	EXPECT_EQ(IRQFWD_LINE_MODE_SIZE_V1, _IOC_SIZE(IRQFWD_LINE_SET_MODE));
	EXPECT_EQ(IRQFWD_LINE_STORM_SIZE_V1, _IOC_SIZE(IRQFWD_LINE_SET_STORM));
}

TEST_F(dev, query_errors)
{
	struct irqfwd_line_info info;
	struct irqfwd_line_create c;
	int id;

	EXPECT_EQ(-ENOENT, line_query(self->f.dev, 1, &info));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.id = id;
	info.flags = 1;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_QUERY, &info));
	info.flags = 0;
	info.argsz = offsetof(struct irqfwd_line_info, stats);
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_QUERY, &info));
	/* The first version ended with stats.cleared: still served. */
	info.argsz = IRQFWD_LINE_INFO_SIZE_V1 - 1;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_QUERY, &info));
	memset(&info, POISON, sizeof(info));
	info.argsz = IRQFWD_LINE_INFO_SIZE_V1;
	info.flags = 0;
	info.id = id;
	EXPECT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_QUERY, &info));
	EXPECT_EQ(IRQFWD_TRIGGER_EDGE, info.trigger);
	EXPECT_EQ(0, info.stats.cleared);
	EXPECT_EQ(0xccccccccccccccccull, info.stats.storms);
	EXPECT_EQ(0xccccccccu, info.storm_rate);
	EXPECT_EQ(0, line_destroy(self->f.dev, id));
	EXPECT_EQ(-ENOENT, line_query(self->f.dev, id, &info));
}

static int line_set_storm(int dev, __u32 id, __u32 flags, __u32 rate,
			  __u32 backoff_ms)
{
	struct irqfwd_line_storm s = {
		.argsz = sizeof(s), .flags = flags, .id = id, .rate = rate,
		.backoff_ms = backoff_ms,
	};

	return irqfwd_ioctl(dev, IRQFWD_LINE_SET_STORM, &s);
}

TEST_F(dev, set_storm_errors)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_storm s;
	struct irqfwd_line_info info;
	int id;

	EXPECT_EQ(-ENOENT, line_set_storm(self->f.dev, 1, 0, 1000, 10));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	EXPECT_EQ(-EINVAL, line_set_storm(self->f.dev, id, 2, 1000, 10));
	EXPECT_EQ(-EINVAL, line_set_storm(self->f.dev, id,
					  IRQFWD_LINE_STORM_DEFAULT, 1000, 0));
	EXPECT_EQ(-EINVAL, line_set_storm(self->f.dev, id,
					  IRQFWD_LINE_STORM_DEFAULT, 0, 10));
	EXPECT_EQ(-EINVAL, line_set_storm(self->f.dev, id, 0, 1000, 0));
	EXPECT_EQ(-EINVAL, line_set_storm(self->f.dev, id, 0, 1000,
					  IRQFWD_STORM_BACKOFF_MAX_MS + 1));
	EXPECT_EQ(-EINVAL, line_set_storm(self->f.dev, id, 0, 0, 10));
	s = (struct irqfwd_line_storm){ .argsz = sizeof(s), .id = id,
					.__reserved = 1 };
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_STORM, &s));
	s.__reserved = 0;
	s.argsz = sizeof(s) - 1;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_SET_STORM, &s));

	/* Nothing was changed by the failures. */
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.storm_rate);
	EXPECT_EQ(100, info.storm_backoff_ms);

	EXPECT_EQ(0, line_set_storm(self->f.dev, id, 0, 1000,
				    IRQFWD_STORM_BACKOFF_MAX_MS));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(1000, info.storm_rate);
	EXPECT_EQ(IRQFWD_STORM_BACKOFF_MAX_MS, info.storm_backoff_ms);
	EXPECT_EQ(0, line_set_storm(self->f.dev, id,
				    IRQFWD_LINE_STORM_DEFAULT, 0, 0));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.storm_rate);
	EXPECT_EQ(100, info.storm_backoff_ms);
	EXPECT_EQ(0, line_set_storm(self->f.dev, id, 0, 0, 0));
}

TEST_F(dev, eoi_errors)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_eoi e;
	int id;

	EXPECT_EQ(-ENOENT, line_eoi(self->f.dev, 1));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	EXPECT_EQ(-EINVAL, line_eoi(self->f.dev, id));

	e = (struct irqfwd_line_eoi){ .argsz = sizeof(e), .id = id,
				      .flags = 2 };
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_EOI, &e));
	e.flags = 0;
	e.__reserved = 3;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_EOI, &e));
}

TEST_F(dev, mask_errors)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_mask m;
	int id;

	EXPECT_EQ(-ENOENT, line_mask(self->f.dev, 1, 0));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	EXPECT_EQ(-EINVAL, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK |
				     IRQFWD_LINE_MASK_UNMASK));
	EXPECT_EQ(-EINVAL, line_mask(self->f.dev, id, 1u << 3));
	EXPECT_EQ(-EINVAL, line_mask(self->f.dev, id, 1u << 31));
	/* Nothing changed by the refused calls. */
	EXPECT_EQ(0, line_mask(self->f.dev, id, 0));

	memset(&m, POISON, sizeof(m));
	m.argsz = sizeof(m) - 1;
	m.flags = 0;
	m.id = id;
	EXPECT_EQ(-EINVAL, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_MASK, &m));

	/* The state is written back, every bit of it. */
	m.argsz = sizeof(m);
	m.flags = IRQFWD_LINE_MASK_MASK;
	ASSERT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_LINE_MASK, &m));
	EXPECT_EQ(IRQFWD_LINE_STATE_MASKED, m.state);
	EXPECT_EQ(sizeof(m), m.argsz);
	EXPECT_EQ(id, m.id);
}

/* A line id means nothing in another context. */
TEST_F(dev, other_file_line_id)
{
	struct irqfwd_line_info info;
	struct irqfwd_line_create c;
	int other, id;

	line_create_level(&c, self->f.source, self->f.sink, -1, -1);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	other = irqfwd_open();
	ASSERT_LE(0, other);
	EXPECT_EQ(-ENOENT, line_query(other, id, &info));
	EXPECT_EQ(-ENOENT, line_eoi(other, id));
	EXPECT_EQ(-ENOENT, line_mask(other, id, IRQFWD_LINE_MASK_MASK));
	EXPECT_EQ(-ENOENT, line_set_mode(other, id, IRQFWD_MODE_FORWARDED));
	EXPECT_EQ(-ENOENT, line_destroy(other, id));
	close(other);

	EXPECT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, line_destroy(self->f.dev, id));
}

TEST_F(dev, ids_not_reused)
{
	struct irqfwd_line_create c;
	int id1, id2;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id1 = line_create(self->f.dev, &c);
	ASSERT_LT(0, id1);
	ASSERT_EQ(0, line_destroy(self->f.dev, id1));
	id2 = line_create(self->f.dev, &c);
	ASSERT_LT(0, id2);
	EXPECT_NE(id1, id2);
}

static int write_param(const char *name, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/irqfwd/parameters/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

TEST_F(dev, max_lines)
{
	struct irqfwd_line_create c;
	struct irqfwd_info info = { .argsz = sizeof(info) };
	int src[4], i;

	ASSERT_EQ(0, write_param("max_lines", "3"));
	ASSERT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &info));
	EXPECT_EQ(3, info.max_lines);

	for (i = 0; i < 4; i++) {
		src[i] = new_eventfd();
		ASSERT_LE(0, src[i]);
		line_create_init(&c, src[i], self->f.sink, IRQFWD_TRIGGER_EDGE);
		if (i < 3) {
			EXPECT_LT(0, line_create(self->f.dev, &c));
		} else {
			EXPECT_EQ(-ENOSPC, line_create(self->f.dev, &c));
		}
	}
	ASSERT_EQ(0, write_param("max_lines", "65536"));
	EXPECT_LT(0, line_create(self->f.dev, &c));
	for (i = 0; i < 4; i++)
		close(src[i]);
}

/* /dev/irqfwd is root's unless a udev rule says otherwise. */
TEST(device_root_only)
{
	struct stat st;
	int status;
	pid_t pid;

	ASSERT_EQ(0, stat(IRQFWD_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(irqfwd_open() < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * The context is the open file: a process that inherits it with fork()
 * uses the same lines, and they live until the last descriptor goes.
 */
TEST_F(dev, fork_shares_context)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int status, id;
	pid_t pid;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(line_create(self->f.dev, &c) == 1 ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	/* The child's exit closed its descriptor, not the context. */
	id = 1;
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	ASSERT_EQ(0, efd_signal(self->f.source));
	EXPECT_EQ(1, efd_wait(self->f.sink, 2000));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(1, info.stats.delivered);
}

/* A context passed with SCM_RIGHTS is the same context. */
TEST_F(dev, scm_rights_passes_context)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	struct cmsghdr *cmsg;
	int sv[2], passed, id;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &self->f.dev, sizeof(int));
	ASSERT_EQ(1, sendmsg(sv[0], &msg, 0));

	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_controllen = sizeof(cbuf);
	ASSERT_EQ(1, recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC));
	cmsg = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, cmsg);
	memcpy(&passed, CMSG_DATA(cmsg), sizeof(int));

	/* The line is there through the passed descriptor. */
	EXPECT_EQ(0, line_query(passed, id, &info));
	/* Closing the original leaves the context to the passed one. */
	close(self->f.dev);
	self->f.dev = passed;
	EXPECT_EQ(0, line_query(passed, id, &info));
	ASSERT_EQ(0, efd_signal(self->f.source));
	EXPECT_EQ(1, efd_wait(self->f.sink, 2000));
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	EXPECT_EQ(0, line_query(passed, id, &info));
	EXPECT_EQ(1, info.stats.delivered);
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
