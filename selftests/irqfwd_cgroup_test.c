// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel memory of lines is charged to the memory cgroup of the
 * process that creates them, and given back when they go.
 */
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"

#define CGROOT	"/sys/fs/cgroup"
#define CG	CGROOT "/irqfwd-test"
#define NLINES	10000

/* The "slab" line of the test cgroup's memory.stat, in bytes, or -1. */
static long long cg_slab(void)
{
	char line[256];
	long long v = -1;
	FILE *f;

	f = fopen(CG "/memory.stat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "slab %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

FIXTURE(cg) {
	int dev;
	int sink;
	int *sources;
};

FIXTURE_SETUP(cg)
{
	struct rlimit rl = { NLINES + 256, NLINES + 256 };
	char pid[32];
	int i;

	if (access(CGROOT "/cgroup.controllers", F_OK))
		ASSERT_EQ(0, mount("cgroup2", CGROOT, "cgroup2", 0, NULL));
	ASSERT_EQ(0, file_write(CGROOT "/cgroup.subtree_control", "+memory"));
	ASSERT_TRUE(!mkdir(CG, 0755) || errno == EEXIST);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, file_write(CG "/cgroup.procs", pid));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));

	self->dev = irqfwd_open();
	ASSERT_LE(0, self->dev);
	self->sink = new_eventfd();
	ASSERT_LE(0, self->sink);
	self->sources = calloc(NLINES, sizeof(int));
	ASSERT_NE(NULL, self->sources);
	/* The eventfds are the caller's; only the lines are measured. */
	for (i = 0; i < NLINES; i++) {
		self->sources[i] = new_eventfd();
		ASSERT_LE(0, self->sources[i]);
	}
}

FIXTURE_TEARDOWN(cg)
{
	int i;

	for (i = 0; i < NLINES; i++)
		close(self->sources[i]);
	free(self->sources);
	close(self->sink);
	close(self->dev);
	file_write(CGROOT "/cgroup.procs", "0");
}

/* 10,000 lines and eventfds take a while under KASAN and lockdep. */
TEST_F_TIMEOUT(cg, lines_are_charged, 300)
{
	struct irqfwd_line_create c;
	long long before, with, after, per_line;
	int i;

	before = cg_slab();
	ASSERT_LE(0, before);
	for (i = 0; i < NLINES; i++) {
		line_create_init(&c, self->sources[i], self->sink,
				 IRQFWD_TRIGGER_EDGE);
		ASSERT_LT(0, line_create(self->dev, &c));
	}
	with = cg_slab();
	close(self->dev);
	ASSERT_EQ(0, irqfwd_live_wait("lines", 0, 5000));
	/* Freed lines wait for an RCU grace period, and slabs for reuse. */
	usleep(200 * 1000);
	self->dev = irqfwd_open();
	after = cg_slab();

	per_line = (with - before) / NLINES;
	TH_LOG("slab charged to the cgroup: %lld bytes before, %lld with %d lines (%lld per line), %lld after",
	       before, with, NLINES, per_line, after);
	/* A line is several hundred bytes, and it is all charged. */
	EXPECT_LE(256, per_line);
	EXPECT_GE(1024, per_line);
	/* Given back: most of it at least (slab pages may stay partly used). */
	EXPECT_GT(before + (with - before) / 4, after);
}

TEST_HARNESS_MAIN
