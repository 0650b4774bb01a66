// SPDX-License-Identifier: GPL-2.0
/*
 * The module's life cycle: load, open, create lines, raise interrupts,
 * close, unload, a hundred times.  Unloading is refused while a file is
 * open.  Every cycle ends with no line and no context alive before the
 * module goes; a leak would also make the unload fail (the module is still
 * referenced) or the kernel complain that the slab cache still has
 * objects, which fails the lane.  And the module may go at once after the
 * last file closed, while lines whose eventfds were closed are still
 * being torn down: each of them still reports its end.
 *
 * The test runs where /init put the module (IRQFWD_MODULE) and leaves it
 * loaded when it ends, whatever happened.
 */
#include <sys/socket.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"
#include "irqfwd_genl.h"
#include "vfio_edu.h"

#define CYCLES		100
#define LINES		16
#define WAIT_MS		2000

static const char *module_path(void)
{
	const char *path = getenv("IRQFWD_MODULE");

	return path ? path : "/lib/irqfwd/irqfwd.ko";
}

static int module_load(void)
{
	int fd, ret;

	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int module_unload(void)
{
	return syscall(SYS_delete_module, "irqfwd", O_NONBLOCK) ? -errno : 0;
}

static bool module_loaded(void)
{
	return access("/sys/module/irqfwd", F_OK) == 0;
}

FIXTURE(cycle) {
	struct edu edu;
};

FIXTURE_SETUP(cycle)
{
	ASSERT_TRUE(module_loaded());
	ASSERT_EQ(0, edu_open(&self->edu));
}

FIXTURE_TEARDOWN(cycle)
{
	edu_close(&self->edu);
	/* The tests after this one want the module. */
	if (!module_loaded())
		module_load();
}

/* One cycle's work: lines on plain eventfds and one on the edu MSI. */
static void one_cycle(struct __test_metadata *_metadata, struct edu *edu,
		      int cycle)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int dev, sink, msi, src[LINES], i;

	dev = irqfwd_open();
	ASSERT_LE(0, dev) TH_LOG("cycle %d: open: %s", cycle, strerror(errno));
	/* Open: the module must stay. */
	ASSERT_EQ(-EWOULDBLOCK, module_unload());

	sink = new_eventfd();
	msi = new_eventfd();
	ASSERT_LE(0, sink);
	ASSERT_LE(0, msi);
	for (i = 0; i < LINES; i++) {
		src[i] = new_eventfd();
		ASSERT_LE(0, src[i]);
		line_create_init(&c, src[i], sink, IRQFWD_TRIGGER_EDGE);
		c.mode = i % 2 ? IRQFWD_MODE_FORWARDED : IRQFWD_MODE_MASKED;
		ASSERT_LT(0, line_create(dev, &c));
		ASSERT_EQ(0, efd_signal(src[i]));
	}
	ASSERT_EQ(0, edu_set_msi(edu, msi));
	line_create_init(&c, msi, sink, IRQFWD_TRIGGER_EDGE);
	c.mode = IRQFWD_MODE_FORWARDED;
	ASSERT_LT(0, line_create(dev, &c));
	edu_raise(edu);
	edu_ack(edu);

	/*
	 * Each of the LINES + 1 lines delivers its one interrupt to the
	 * shared sink (forwarded or not), once.
	 */
	ASSERT_EQ(LINES + 1, efd_count(sink, LINES + 1, WAIT_MS))
		TH_LOG("cycle %d", cycle);
	ASSERT_EQ(0, line_query(dev, c.id, &info));
	ASSERT_EQ(1, info.stats.delivered);

	/* Close in a different order each cycle. */
	if (cycle % 2)
		close(dev);
	for (i = 0; i < LINES; i++)
		close(src[i]);
	if (!(cycle % 2))
		close(dev);
	ASSERT_EQ(0, edu_set_msi(edu, -1));
	close(msi);
	close(sink);
}

TEST_F_TIMEOUT(cycle, load_use_unload_100, 300)
{
	int cycle, tries, ret;

	for (cycle = 0; cycle < CYCLES; cycle++) {
		one_cycle(_metadata, &self->edu, cycle);
		/* Everything went with the file, before the module goes. */
		ASSERT_EQ(0, irqfwd_live_wait("lines", 0, WAIT_MS))
			TH_LOG("cycle %d: lines alive", cycle);
		ASSERT_EQ(0, irqfwd_live_wait("contexts", 0, WAIT_MS))
			TH_LOG("cycle %d: contexts alive", cycle);
		/* The last file reference may drop a moment after close(). */
		for (tries = 0; tries < 2000; tries++) {
			ret = module_unload();
			if (ret != -EWOULDBLOCK)
				break;
			usleep(1000);
		}
		ASSERT_EQ(0, ret) TH_LOG("cycle %d: unload: %s", cycle,
					 strerror(-ret));
		ASSERT_FALSE(module_loaded());
		ASSERT_EQ(-ENOENT, irqfwd_open() < 0 ? -errno : 0);
		ret = module_load();
		ASSERT_EQ(0, ret) TH_LOG("cycle %d: load: %s", cycle,
					 strerror(-ret));
	}
	TH_LOG("%d cycles of load, %d lines, interrupts, close, unload",
	       CYCLES, LINES + 1);
}

#define HANGUP_ROUNDS	50
#define HANGUP_LINES	64

/*
 * Read what the events socket holds: count line-add-ntf and line-del-ntf.
 * Returns 0, or -ENOBUFS if events were lost for want of room.
 */
static int count_events(int fd, int *adds, int *dels)
{
	static char buf[GENL_BUF_SIZE];
	struct nlmsghdr *nlh;
	int ret = 0;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			ret = -ENOBUFS;
			continue;
		}
		if (n <= 0)
			return ret;
		for (nlh = (void *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (genl_cmd_of(nlh) == IRQFWD_CMD_LINE_ADD_NTF)
				(*adds)++;
			else if (genl_cmd_of(nlh) == IRQFWD_CMD_LINE_DEL_NTF)
				(*dels)++;
		}
	}
}

/*
 * Close every line's source eventfd (the lines go away in a workqueue),
 * close the file and remove the module at once: every line still
 * reports its end (line-del-ntf) before the netlink family goes.
 */
TEST_F_TIMEOUT(cycle, unload_right_after_hangups, 180)
{
	int round, i, dev, sink, src[HANGUP_LINES], ret, tries;
	int rcvbuf = 8 << 20, adds, dels;
	struct irqfwd_line_create c;
	struct genl g;

	for (round = 0; round < HANGUP_ROUNDS; round++) {
		ASSERT_EQ(0, genl_open(&g));
		ASSERT_EQ(0, genl_join_events(&g));
		ASSERT_EQ(0, setsockopt(g.fd, SOL_SOCKET, SO_RCVBUFFORCE,
					&rcvbuf, sizeof(rcvbuf)));
		dev = irqfwd_open();
		ASSERT_LE(0, dev);
		sink = new_eventfd();
		ASSERT_LE(0, sink);
		for (i = 0; i < HANGUP_LINES; i++) {
			src[i] = new_eventfd();
			ASSERT_LE(0, src[i]);
			line_create_init(&c, src[i], sink, IRQFWD_TRIGGER_EDGE);
			ASSERT_LT(0, line_create(dev, &c));
		}
		adds = dels = 0;
		ASSERT_EQ(0, count_events(g.fd, &adds, &dels));
		ASSERT_EQ(HANGUP_LINES, adds);

		for (i = 0; i < HANGUP_LINES; i++)
			close(src[i]);
		close(dev);
		/* close() released the file: nothing holds the module. */
		for (tries = 0; tries < 1000; tries++) {
			ret = module_unload();
			if (ret != -EWOULDBLOCK)
				break;
			sched_yield();
		}
		ASSERT_EQ(0, ret) TH_LOG("round %d: unload: %s", round,
					 strerror(-ret));
		EXPECT_EQ(0, count_events(g.fd, &adds, &dels));
		EXPECT_EQ(HANGUP_LINES, dels)
			TH_LOG("round %d: %d line-del-ntf of %d lines", round,
			       dels, HANGUP_LINES);
		ret = module_load();
		ASSERT_EQ(0, ret) TH_LOG("round %d: load: %s", round,
					 strerror(-ret));
		close(sink);
		genl_close(&g);
		if (dels != HANGUP_LINES)
			break;
	}
}

TEST_HARNESS_MAIN
