// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl fuzzer: random commands, sizes, flags, reserved fields, ids and
 * descriptors (eventfds, closed ones, non-eventfds, the device itself,
 * eventfds shared between lines, other contexts' line ids), a million
 * calls.  Every call must succeed or fail with an errno the uapi header
 * documents; the guest log must stay clean.  The run is reproducible:
 * IRQFWD_FUZZ_SEED=N replays the seed it prints.
 */
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"

#define CALLS		1000000
#define POOL		12
#define MAX_SECONDS	240

/* xorshift64*: fast, and the same sequence for the same seed. */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static unsigned int rnd_below(unsigned int n)
{
	return rnd() % n;
}

struct fuzz {
	int dev[2];		/* two contexts */
	int pool[POOL];		/* eventfds, some replaced along the way */
	int null;		/* not an eventfd */
	int closed;		/* a descriptor number that is not open */
	__u32 ids[16];
};

static const unsigned long cmds[] = {
	IRQFWD_GET_INFO, IRQFWD_LINE_CREATE, IRQFWD_LINE_DESTROY,
	IRQFWD_LINE_QUERY, IRQFWD_LINE_EOI, IRQFWD_LINE_MASK,
	IRQFWD_LINE_SET_MODE, IRQFWD_LINE_SET_STORM,
};

static int any_fd(struct fuzz *f)
{
	switch (rnd_below(16)) {
	case 0:
		return -1;
	case 1:
		return f->closed;
	case 2:
		return f->null;
	case 3:
		return f->dev[rnd_below(2)];
	case 4:
		return (int)rnd();
	default:
		return f->pool[rnd_below(POOL)];
	}
}

static __u32 any_u32(void)
{
	switch (rnd_below(8)) {
	case 0:
		return (__u32)rnd();
	case 1:
		return 1u << rnd_below(32);
	case 2:
	case 3:
		return rnd_below(3);
	default:
		return 0;
	}
}

/* An argument: mostly plausible, with one or two things wrong. */
static void fill(struct fuzz *f, unsigned long cmd, __u32 *buf, size_t len)
{
	size_t size = _IOC_SIZE(cmd), i;
	unsigned int words = size / 4;

	for (i = 0; i < len / 4; i++)
		buf[i] = rnd_below(8) ? 0 : (__u32)rnd();
	buf[0] = size;
	if (!rnd_below(4))
		buf[0] = rnd_below(4) ? size + 4 * (rnd_below(5) - 2) :
			 (__u32)rnd() % 8192;
	buf[1] = rnd_below(3) ? 0 : any_u32();		/* flags */
	for (i = 2; i < words; i++)
		buf[i] = any_u32();
	if (cmd == IRQFWD_LINE_CREATE) {
		buf[2] = any_fd(f);			/* source */
		buf[3] = any_fd(f);			/* sink */
		buf[4] = any_fd(f);			/* unmask */
		buf[5] = any_fd(f);			/* resample */
	} else if (words > 2) {
		buf[2] = rnd_below(4) ? f->ids[rnd_below(16)] : any_u32();
	}
}

/*
 * Commands the VFS answers itself before the driver sees them
 * (fs/ioctl.c): their errnos are the VFS's, not irqfwd's.  The fuzzer's
 * unknown commands steer clear of them (FS_IOC_FIEMAP, for one, fails
 * with -EOPNOTSUPP on a character device).
 */
static bool vfs_command(unsigned long cmd)
{
	static const unsigned long vfs[] = {
		FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIONREAD,
		FIFREEZE, FITHAW, FS_IOC_FIEMAP, FIGETBSZ, FICLONE,
		FICLONERANGE, FIDEDUPERANGE, FS_IOC_GETFLAGS,
		FS_IOC_SETFLAGS, FS_IOC_FSGETXATTR, FS_IOC_FSSETXATTR,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vfs); i++)
		if (cmd == vfs[i])
			return true;
	return false;
}

static bool documented(int err)
{
	switch (err) {
	case 0:
	case -EINVAL:
	case -E2BIG:
	case -EFAULT:
	case -ENOTTY:
	case -EBADF:
	case -EBUSY:
	case -ENOSPC:
	case -ENOENT:
	case -ENOMEM:
		return true;
	}
	return false;
}

FIXTURE(fuzz) {
	struct fuzz f;
};

FIXTURE_SETUP(fuzz)
{
	struct fuzz *f = &self->f;
	int i;

	ASSERT_EQ(0, irqfwd_live_wait("lines", 0, 2000));
	f->dev[0] = irqfwd_open();
	f->dev[1] = irqfwd_open();
	ASSERT_LE(0, f->dev[0]);
	ASSERT_LE(0, f->dev[1]);
	for (i = 0; i < POOL; i++) {
		f->pool[i] = new_eventfd();
		ASSERT_LE(0, f->pool[i]);
	}
	f->null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, f->null);
	f->closed = dup(f->null);
	ASSERT_LE(0, f->closed);
	close(f->closed);
}

FIXTURE_TEARDOWN(fuzz)
{
	struct fuzz *f = &self->f;
	int i;

	close(f->dev[0]);
	close(f->dev[1]);
	for (i = 0; i < POOL; i++)
		close(f->pool[i]);
	close(f->null);
}

TEST_F_TIMEOUT(fuzz, a_million_ioctls, 360)
{
	struct fuzz *f = &self->f;
	const char *env = getenv("IRQFWD_FUZZ_SEED");
	uint64_t seed, end, ok = 0, calls, bad = 0;
	__u32 buf[32];
	unsigned long cmd;
	void *arg;
	int dev, ret, fresh, i;

	seed = env ? strtoull(env, NULL, 0) : (now_ns() | 1);
	rnd_state = seed;
	TH_LOG("seed %llu (IRQFWD_FUZZ_SEED=%llu replays it)",
	       (unsigned long long)seed, (unsigned long long)seed);

	end = now_ns() + MAX_SECONDS * 1000000000ull;
	for (calls = 0; calls < CALLS && now_ns() < end; calls++) {
		/* Now and then, pull an eventfd or a context away. */
		if (!rnd_below(2000)) {
			i = rnd_below(POOL);
			fresh = new_eventfd();
			ASSERT_LE(0, fresh);
			ASSERT_LE(0, dup2(fresh, f->pool[i]));
			close(fresh);
		}
		if (!rnd_below(20000)) {
			i = rnd_below(2);
			close(f->dev[i]);
			f->dev[i] = irqfwd_open();
			ASSERT_LE(0, f->dev[i]);
		}
		if (!rnd_below(64))
			efd_signal(f->pool[rnd_below(POOL)]);

		if (rnd_below(16)) {
			cmd = cmds[rnd_below(ARRAY_SIZE(cmds))];
		} else {
			/* Unknown commands, and known ones of another shape. */
			do {
				cmd = _IOC(rnd_below(4), rnd_below(4) ?
					   IRQFWD_TYPE : rnd_below(256),
					   rnd_below(16), rnd_below(64));
			} while (vfs_command(cmd));
		}
		fill(f, cmd, buf, sizeof(buf));
		arg = buf;
		if (!rnd_below(200))
			arg = rnd_below(2) ? NULL : (void *)(uintptr_t)rnd();
		dev = f->dev[rnd_below(2)];
		ret = irqfwd_ioctl(dev, cmd, arg);
		if (!ret) {
			ok++;
			if (cmd == IRQFWD_LINE_CREATE)
				f->ids[rnd_below(16)] = buf[8];
		} else if (!documented(ret)) {
			if (bad++ < 10)
				TH_LOG("cmd %#lx: undocumented %d", cmd, ret);
		}
	}
	TH_LOG("%llu calls (%llu succeeded), %llu undocumented errnos, seed %llu",
	       (unsigned long long)calls, (unsigned long long)ok,
	       (unsigned long long)bad, (unsigned long long)seed);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(CALLS, calls);
	EXPECT_LT(0, ok);
}

TEST_HARNESS_MAIN
