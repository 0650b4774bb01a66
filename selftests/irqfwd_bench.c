// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwd benchmark: the cost of each interrupt path, measured side by side
 * in one boot with QEMU's edu device through vfio-pci.  Variants run
 * interleaved in blocks, round after round, after a warm-up; the headline
 * is the ratio of medians, since absolute times on an emulated CPU mean
 * nothing across runs.
 *
 * Edge (MSI), time from the device raise to the read that sees it:
 *   floor     the VFIO trigger eventfd read directly (what a KVM irqfd on
 *             the trigger would see)
 *   irqfwd    trigger -> irqfwd edge line -> sink eventfd
 *   userspace trigger -> a relay thread (read, write) -> sink eventfd
 *
 * Level (INTx), one full round trip: raise, see it, acknowledge the
 * device, complete, and the line unmasked again (the next raise is seen):
 *   vfio-unmask  the trigger read directly; completion writes VFIO's
 *                unmask eventfd (VFIO's in-kernel unmask, as with KVM's
 *                resamplefd handed to VFIO)
 *   irqfwd       irqfwd level line; completion writes its resample eventfd
 *   irqfwd-eoi   irqfwd level line; completion by IRQFWD_LINE_EOI
 *   ioctl-unmask the trigger read directly; completion by the
 *                VFIO_DEVICE_SET_IRQS ACTION_UNMASK ioctl
 *
 *   irqfwd_bench [rounds [block]]      (default 3 rounds of 1000)
 */
#include <pthread.h>
#include <stdatomic.h>

#include "irqfwd_util.h"
#include "vfio_edu.h"

#define WARMUP		200
#define MAX_VARIANTS	4

struct variant {
	const char *name;
	int (*setup)(struct variant *v);
	int (*sample)(struct variant *v, uint64_t *ns);
	void (*teardown)(struct variant *v);
	int src, sink, unmask, resample;
	__u32 id;
	pthread_t relay;
	atomic_bool stop;
	uint64_t *samples;
	size_t n;
};

static struct edu edu;
static int dev;

static void die(const char *what, int err)
{
	fprintf(stderr, "irqfwd_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static int wait_read(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t v;

	for (;;) {
		if (read(fd, &v, sizeof(v)) == sizeof(v))
			return 0;
		if (errno != EAGAIN)
			return -errno;
		if (poll(&pfd, 1, 2000) <= 0)
			return -ETIMEDOUT;
	}
}

/* --- edge ---------------------------------------------------------------- */

static int edge_sample(struct variant *v, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	edu_raise(&edu);
	ret = wait_read(v->sink);
	*ns = now_ns() - t0;
	edu_ack(&edu);
	return ret;
}

static int floor_setup(struct variant *v)
{
	v->src = new_eventfd();
	v->sink = v->src;
	return edu_set_msi(&edu, v->src);
}

static void *relay_fn(void *arg)
{
	struct variant *v = arg;
	struct pollfd pfd = { .fd = v->src, .events = POLLIN };
	uint64_t n;

	while (!atomic_load(&v->stop)) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(v->src, &n, sizeof(n)) == sizeof(n))
			efd_signal(v->sink);
	}
	return NULL;
}

static int relay_setup(struct variant *v)
{
	v->src = new_eventfd();
	v->sink = new_eventfd();
	atomic_store(&v->stop, false);
	if (pthread_create(&v->relay, NULL, relay_fn, v))
		return -EAGAIN;
	return edu_set_msi(&edu, v->src);
}

static int edge_line_setup(struct variant *v)
{
	struct irqfwd_line_create c;
	int ret;

	v->src = new_eventfd();
	v->sink = new_eventfd();
	ret = edu_set_msi(&edu, v->src);
	if (ret)
		return ret;
	line_create_init(&c, v->src, v->sink, IRQFWD_TRIGGER_EDGE);
	ret = line_create(dev, &c);
	if (ret < 0)
		return ret;
	v->id = ret;
	return 0;
}

static void edge_teardown(struct variant *v)
{
	edu_set_msi(&edu, -1);
	if (v->relay) {
		atomic_store(&v->stop, true);
		pthread_join(v->relay, NULL);
		v->relay = 0;
	}
	if (v->id)
		line_destroy(dev, v->id);
	v->id = 0;
	if (v->sink != v->src)
		close(v->sink);
	close(v->src);
}

/* --- level --------------------------------------------------------------- */

static int level_sample(struct variant *v, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int ret;

	edu_raise(&edu);
	ret = wait_read(v->sink);
	edu_ack(&edu);
	if (!ret) {
		if (v->resample >= 0)
			ret = efd_signal(v->resample);
		else if (v->id)
			ret = line_eoi(dev, v->id);
		else if (v->unmask >= 0)
			ret = efd_signal(v->unmask);
		else
			ret = edu_intx_unmask(&edu);
	}
	*ns = now_ns() - t0;
	return ret;
}

static int level_direct_setup(struct variant *v, bool unmask_fd)
{
	v->src = new_eventfd();
	v->sink = v->src;
	v->unmask = unmask_fd ? new_eventfd() : -1;
	v->resample = -1;
	return edu_set_intx(&edu, v->src, v->unmask);
}

static int vfio_unmask_setup(struct variant *v)
{
	return level_direct_setup(v, true);
}

static int ioctl_unmask_setup(struct variant *v)
{
	return level_direct_setup(v, false);
}

static int level_line_setup(struct variant *v, bool resample)
{
	struct irqfwd_line_create c;
	int ret;

	v->src = new_eventfd();
	v->sink = new_eventfd();
	v->unmask = new_eventfd();
	v->resample = resample ? new_eventfd() : -1;
	ret = edu_set_intx(&edu, v->src, v->unmask);
	if (ret)
		return ret;
	line_create_level(&c, v->src, v->sink, v->unmask, v->resample);
	ret = line_create(dev, &c);
	if (ret < 0)
		return ret;
	v->id = ret;
	return 0;
}

static int level_resample_setup(struct variant *v)
{
	return level_line_setup(v, true);
}

static int level_eoi_setup(struct variant *v)
{
	return level_line_setup(v, false);
}

static void level_teardown(struct variant *v)
{
	edu_set_intx(&edu, -1, -1);
	if (v->id)
		line_destroy(dev, v->id);
	v->id = 0;
	if (v->resample >= 0)
		close(v->resample);
	if (v->unmask >= 0)
		close(v->unmask);
	if (v->sink != v->src)
		close(v->sink);
	close(v->src);
}

/* --- statistics ---------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t percentile(uint64_t *s, size_t n, unsigned int pct)
{
	size_t i = (n * pct) / 100;

	return s[i < n ? i : n - 1];
}

static void run_group(const char *title, struct variant *vs, int nv,
		      int rounds, int block, FILE *json)
{
	uint64_t med[MAX_VARIANTS], ns;
	int r, i, k;

	for (i = 0; i < nv; i++) {
		vs[i].samples = calloc((size_t)rounds * block, sizeof(uint64_t));
		vs[i].n = 0;
		if (!vs[i].samples)
			die("calloc", ENOMEM);
	}
	/* Interleaved blocks: A B C A B C ..., each after its own warm-up. */
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nv; i++) {
			struct variant *v = &vs[i];
			int ret = v->setup(v);

			if (ret)
				die(v->name, -ret);
			for (k = 0; k < WARMUP + block; k++) {
				ret = v->sample(v, &ns);
				if (ret)
					die(v->name, -ret);
				if (k >= WARMUP)
					v->samples[v->n++] = ns;
			}
			v->teardown(v);
		}
	}

	printf("\n%s (%d rounds x %d, interleaved, medians)\n", title, rounds,
	       block);
	printf("  %-14s %10s %10s %8s\n", "path", "median us", "p90 us",
	       "ratio");
	for (i = 0; i < nv; i++) {
		qsort(vs[i].samples, vs[i].n, sizeof(uint64_t), cmp_u64);
		med[i] = percentile(vs[i].samples, vs[i].n, 50);
	}
	for (i = 0; i < nv; i++) {
		printf("  %-14s %10.1f %10.1f %7.2fx\n", vs[i].name,
		       med[i] / 1000.0,
		       percentile(vs[i].samples, vs[i].n, 90) / 1000.0,
		       (double)med[i] / med[0]);
		if (json) {
			size_t j;

			fprintf(json, "%s{\"group\":\"%s\",\"path\":\"%s\",\"median_ns\":%llu,\"ratio\":%.4f,\"samples_ns\":[",
				i ? "," : "", title, vs[i].name,
				(unsigned long long)med[i],
				(double)med[i] / med[0]);
			for (j = 0; j < vs[i].n; j++)
				fprintf(json, "%s%llu", j ? "," : "",
					(unsigned long long)vs[i].samples[j]);
			fprintf(json, "]}\n");
		}
		free(vs[i].samples);
	}
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	int block = argc > 2 ? atoi(argv[2]) : 1000;
	struct variant edge[] = {
		{ .name = "floor", .setup = floor_setup,
		  .sample = edge_sample, .teardown = edge_teardown },
		{ .name = "irqfwd", .setup = edge_line_setup,
		  .sample = edge_sample, .teardown = edge_teardown },
		{ .name = "userspace", .setup = relay_setup,
		  .sample = edge_sample, .teardown = edge_teardown },
	};
	struct variant level[] = {
		{ .name = "vfio-unmask", .setup = vfio_unmask_setup,
		  .sample = level_sample, .teardown = level_teardown },
		{ .name = "irqfwd", .setup = level_resample_setup,
		  .sample = level_sample, .teardown = level_teardown },
		{ .name = "irqfwd-eoi", .setup = level_eoi_setup,
		  .sample = level_sample, .teardown = level_teardown },
		{ .name = "ioctl-unmask", .setup = ioctl_unmask_setup,
		  .sample = level_sample, .teardown = level_teardown },
	};
	FILE *json = fopen("/tmp/irqfwd-bench.json", "w");
	int ret;

	if (rounds <= 0 || block <= 0)
		die("usage: irqfwd_bench [rounds [block]]", EINVAL);
	ret = edu_open(&edu);
	if (ret)
		die("edu via vfio-pci", -ret);
	dev = irqfwd_open();
	if (dev < 0)
		die(IRQFWD_DEV, errno);

	printf("irqfwd bench: edu %s, %ld CPU(s); ratios to the first path of each group\n",
	       edu.bdf, sysconf(_SC_NPROCESSORS_ONLN));
	if (json)
		fprintf(json, "[\n");
	run_group("edge: MSI raise -> seen", edge, 3, rounds, block, json);
	if (json)
		fprintf(json, ",");
	run_group("level: INTx raise -> seen -> completed", level, 4, rounds,
		  block, json);
	if (json) {
		fprintf(json, "]\n");
		fclose(json);
	}
	close(dev);
	edu_close(&edu);
	return 0;
}
