// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwd benchmark: the cost of each interrupt path, measured side by side
 * in one boot with QEMU's edu device through vfio-pci.  Variants run
 * interleaved in blocks, round after round, each block after its own
 * warm-up; the headline is the ratio of medians, since absolute times on
 * an emulated CPU mean nothing across runs.
 *
 * Edge (MSI), time from the device raise to the read that sees it:
 *   floor     the VFIO trigger eventfd read directly (what a KVM irqfd on
 *             the trigger would see)
 *   irqfwd    trigger -> irqfwd edge line -> sink eventfd
 *   userspace trigger -> a relay thread (read, write) -> sink eventfd
 *
 * Level (INTx), one full round trip: raise, see it, acknowledge the
 * device, complete; an unmask still under way when the next raise comes
 * delays that one, so its cost is counted too:
 *   vfio-unmask   the trigger read directly; completion writes VFIO's
 *                 unmask eventfd (VFIO's in-kernel unmask, as with KVM's
 *                 resamplefd handed to VFIO)
 *   irqfwd        irqfwd level line; completion writes its resample eventfd
 *   irqfwd-eoi    irqfwd level line; completion by IRQFWD_LINE_EOI
 *   ioctl-unmask  the trigger read directly; completion by the
 *                 VFIO_DEVICE_SET_IRQS ACTION_UNMASK ioctl, same thread
 *   thread-unmask the trigger read directly; completion writes an eventfd
 *                 a VMM thread waits on, which then does the unmask ioctl
 *                 (a VMM that completes INTx in userspace)
 *
 * Scale: the edu MSI line's edge latency in a file that holds 1, 100 and
 * 10,000 lines (the others on plain eventfds), the cost of creating and
 * destroying lines against KVM_IRQFD assign/deassign, and the kernel memory
 * per line from the memory cgroup's slab accounting.
 *
 * Toggle: IRQFWD_LINE_SET_MODE masked -> forwarded -> masked while the
 * device raises MSIs into a KVM irqfd, against IRQFWD_LINE_QUERY, and the
 * count of every interrupt.  The KVM irqfds here (and scale's KVM_IRQFD
 * reference) are on a VM whose vCPU never runs: x86 an in-kernel irqchip
 * and an MSI route, arm64 a vGICv3 and an SPI (KVM's default routing).
 *
 * Guest: device raise -> a nested KVM guest's interrupt handler (its first
 * exit, seen by the VMM's vCPU thread), for MSI and INTx, irqfwd against
 * KVM's irqfd on VFIO's trigger (the floor) and userspace relays.  x86:
 * the real-mode guest of kvm_guest.h (local APIC vector, PIC IRQ 5), port
 * I/O exits.  arm64: the guest of kvm_guest_arm64.h (an LPI it mapped
 * through its vITS, an SPI it configured level), MMIO exits.  For MSI,
 * the host's interrupts per guest interrupt too (the vfio-msi line of
 * /proc/interrupts): on a GICv4 KVM's irqfd on VFIO's trigger injects
 * directly, with none.
 *
 *   irqfwd_bench [key=value,...]   (also irqfwd_bench=... on the kernel
 *                                   command line)
 *   rounds=5 block=1000 warmup=200 guest_block=300 guest_warmup=50
 *   lines=10000 toggles=1000 profile=0 only=edge:level:scale:toggle:guest
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <linux/kvm.h>

#include "irqfwd_util.h"
#if defined(__aarch64__)
#include "kvm_guest_arm64.h"
#else
#include "kvm_guest.h"
#endif
#include "vfio_edu.h"
#include "bench.h"

#define MSI_GSI		24
#define INTX_GSI	5
#define WAIT_MS		2000

#if defined(__aarch64__)
/* KVM's default routing: GSI n is SPI n, INTID n + 32. */
#define INTX_SPI	(INTX_GSI + 32)
/* What the guest maps through its vITS: (device, event) -> LPI. */
#define MSI_LPI		GUEST_LPI_BASE
#define MSI_DEVID	0x10
#define MSI_EVENT	0
/* The reference VM's irqfds: an SPI, edge (KVM's default). */
#define REF_GSI		INTX_GSI
#else
/* The reference VM's irqfds: an MSI route to the local APIC. */
#define REF_GSI		MSI_GSI
#endif

struct variant {
	const char *name;
	const char *what;
	int (*setup)(struct variant *v);
	int (*sample)(struct variant *v, uint64_t *ns);
	void (*teardown)(struct variant *v);
	int src, sink, unmask, resample;
	__u32 id;
	__u32 mode;
	int nlines;		/* scale: lines in the file with this one */
	bool shared_sink;	/* scale: the bulk lines' sink */
	bool chain;		/* guest: raise again at each acknowledge */
	bool count_host;	/* guest MSI: count the host's interrupts */
	long long host_irqs;	/* ... the host took (vfio-msi) */
	unsigned long guest_irqs; /* ... while the guest handled these */
	pthread_t thread;
	atomic_bool stop;
	struct series s;
};

static struct bench_opts opt = {
	.rounds = 5, .block = 1000, .warmup = 200,
	.guest_block = 300, .guest_warmup = 50,
	.lines = 10000, .toggles = 1000,
};
static struct edu edu;
static int dev;
static char how[160];

static void die(const char *what, int err)
{
	bench_die(what, err);
}

/* profile=1: the trace_marker, written around each sample. */
static int mark_fd = -1;

static void mark(const char *m)
{
	if (mark_fd >= 0 && write(mark_fd, m, strlen(m)) < 0)
		mark_fd = -1;
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
		if (poll(&pfd, 1, WAIT_MS) <= 0)
			return -ETIMEDOUT;
	}
}

static unsigned long guest_handled(void);

static void run_block(struct variant *v, int warmup, int block)
{
	size_t start = v->s.n;
	unsigned long g0 = 0;
	long long h0 = 0;
	uint64_t ns;
	int k, ret;

	ret = v->setup(v);
	if (ret)
		die(v->name, -ret);
	if (v->count_host) {
		h0 = edu_msi_host_count(&edu);
		g0 = guest_handled();
	}
	for (k = 0; k < warmup + block; k++) {
		ret = v->sample(v, &ns);
		if (ret)
			die(v->name, -ret);
		if (k >= warmup)
			series_add(&v->s, ns);
	}
	if (v->count_host) {
		v->host_irqs += edu_msi_host_count(&edu) - h0;
		v->guest_irqs += guest_handled() - g0;
	}
	v->teardown(v);
	series_round(&v->s, start);
}

/* Interleaved blocks: A B C A B C ..., each after its own warm-up. */
static void run_variants(struct variant *vs, int nv, int rounds, int warmup,
			 int block)
{
	int r, i;

	for (i = 0; i < nv; i++)
		series_init(&vs[i].s, vs[i].name, vs[i].what,
			    (size_t)rounds * block);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < nv; i++)
			run_block(&vs[i], warmup, block);
}

static void report_variants(const char *key, const char *title,
			    struct variant *vs, int nv)
{
	struct series s[8];
	int i;

	for (i = 0; i < nv; i++)
		s[i] = vs[i].s;
	bench_group(key, title, how, s, nv, 0, BENCH_NS);
	for (i = 0; i < nv; i++)
		vs[i].s = s[i];
}

/* A thread that waits on an eventfd and, woken, does something. */
static void *waiter_fn(void *arg, int fd, void (*what)(struct variant *v))
{
	struct variant *v = arg;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t n;

	while (!atomic_load(&v->stop)) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(fd, &n, sizeof(n)) == sizeof(n) &&
		    !atomic_load(&v->stop))
			what(v);
	}
	return NULL;
}

static void thread_stop(struct variant *v, int wake_fd)
{
	if (!v->thread)
		return;
	atomic_store(&v->stop, true);
	efd_signal(wake_fd);
	pthread_join(v->thread, NULL);
	v->thread = 0;
}

/* --- edge ---------------------------------------------------------------- */

static int edge_sample(struct variant *v, uint64_t *ns)
{
	uint64_t t0;
	int ret;

	mark("R");
	t0 = now_ns();
	edu_raise(&edu);
	ret = wait_read(v->sink);
	*ns = now_ns() - t0;
	mark("S");
	edu_ack(&edu);
	return ret;
}

static int floor_setup(struct variant *v)
{
	v->src = new_eventfd();
	v->sink = v->src;
	return edu_set_msi(&edu, v->src);
}

static void relay_one(struct variant *v)
{
	efd_signal(v->sink);
}

static void *relay_fn(void *arg)
{
	struct variant *v = arg;

	return waiter_fn(arg, v->src, relay_one);
}

static int relay_setup(struct variant *v)
{
	v->src = new_eventfd();
	v->sink = new_eventfd();
	atomic_store(&v->stop, false);
	if (pthread_create(&v->thread, NULL, relay_fn, v))
		return -EAGAIN;
	return edu_set_msi(&edu, v->src);
}

/* The edu MSI into an irqfwd edge line from v->src to v->sink. */
static int edge_line_make(struct variant *v)
{
	struct irqfwd_line_create c;
	int ret;

	ret = edu_set_msi(&edu, v->src);
	if (ret)
		return ret;
	line_create_init(&c, v->src, v->sink, IRQFWD_TRIGGER_EDGE);
	c.mode = v->mode;
	ret = line_create(dev, &c);
	if (ret < 0)
		return ret;
	v->id = ret;
	return 0;
}

static int edge_line_setup(struct variant *v)
{
	v->src = new_eventfd();
	v->sink = new_eventfd();
	return edge_line_make(v);
}

static void edge_teardown(struct variant *v)
{
	edu_set_msi(&edu, -1);
	thread_stop(v, v->src);
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
	uint64_t t0;
	int ret;

	mark("R");
	t0 = now_ns();
	edu_raise(&edu);
	ret = wait_read(v->sink);
	mark("S");
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
	mark("E");
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

static void unmask_one(struct variant *v)
{
	edu_intx_unmask(&edu);
}

static void *unmask_fn(void *arg)
{
	struct variant *v = arg;

	return waiter_fn(arg, v->resample, unmask_one);
}

static int thread_unmask_setup(struct variant *v)
{
	int ret = level_direct_setup(v, false);

	v->resample = new_eventfd();
	atomic_store(&v->stop, false);
	if (pthread_create(&v->thread, NULL, unmask_fn, v))
		return -EAGAIN;
	return ret;
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
	thread_stop(v, v->resample);
	edu_ack(&edu);
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

static struct variant edge_vs[] = {
	{ .name = "floor", .what = "VFIO's trigger eventfd read directly",
	  .setup = floor_setup, .sample = edge_sample,
	  .teardown = edge_teardown },
	{ .name = "irqfwd", .what = "trigger -> irqfwd edge line -> sink",
	  .setup = edge_line_setup, .sample = edge_sample,
	  .teardown = edge_teardown },
	{ .name = "userspace", .what = "trigger -> relay thread -> sink",
	  .setup = relay_setup, .sample = edge_sample,
	  .teardown = edge_teardown },
};

static struct variant level_vs[] = {
	{ .name = "vfio-unmask", .what = "VFIO's unmask eventfd (in kernel)",
	  .setup = vfio_unmask_setup, .sample = level_sample,
	  .teardown = level_teardown },
	{ .name = "irqfwd", .what = "irqfwd line, resample eventfd",
	  .setup = level_resample_setup, .sample = level_sample,
	  .teardown = level_teardown },
	{ .name = "irqfwd-eoi", .what = "irqfwd line, IRQFWD_LINE_EOI",
	  .setup = level_eoi_setup, .sample = level_sample,
	  .teardown = level_teardown },
	{ .name = "ioctl-unmask", .what = "VFIO unmask ioctl, same thread",
	  .setup = ioctl_unmask_setup, .sample = level_sample,
	  .teardown = level_teardown },
	{ .name = "thread-unmask", .what = "VMM thread: eventfd -> unmask ioctl",
	  .setup = thread_unmask_setup, .sample = level_sample,
	  .teardown = level_teardown },
};

static void bench_edge_level(void)
{
	int n;

	if (bench_want(&opt, "edge")) {
		snprintf(how, sizeof(how),
			 "%d rounds x %d after %d warm-up, interleaved",
			 opt.rounds, opt.block, opt.warmup);
		run_variants(edge_vs, 3, opt.rounds, opt.warmup, opt.block);
		report_variants("edge", "edge: MSI raise -> seen", edge_vs, 3);
		bench_target("edge: irqfwd relay / floor",
			     (double)edge_vs[1].s.med / edge_vs[0].s.med, "<=",
			     1.10, "x", "by round %.2fx; userspace relay %.2fx",
			     series_round_ratio_median(&edge_vs[1].s,
						       &edge_vs[0].s),
			     (double)edge_vs[2].s.med / edge_vs[0].s.med);
	}
	if (bench_want(&opt, "level")) {
		n = sizeof(level_vs) / sizeof(level_vs[0]);
		snprintf(how, sizeof(how),
			 "%d rounds x %d after %d warm-up, interleaved",
			 opt.rounds, opt.block, opt.warmup);
		run_variants(level_vs, n, opt.rounds, opt.warmup, opt.block);
		report_variants("level",
				"level: INTx raise -> seen -> completed (-> unmasked)",
				level_vs, n);
		bench_target("level: irqfwd round trip / vfio-unmask",
			     (double)level_vs[1].s.med / level_vs[0].s.med,
			     "<=", 1.10, "x", "by round %.2fx; EOI ioctl %.2fx",
			     series_round_ratio_median(&level_vs[1].s,
						       &level_vs[0].s),
			     (double)level_vs[2].s.med / level_vs[0].s.med);
		bench_target("level: thread-unmask / irqfwd (speed-up)",
			     (double)level_vs[4].s.med / level_vs[1].s.med,
			     ">=", 2.0, "x", "by round %.2fx; same-thread ioctl %.2fx",
			     series_round_ratio_median(&level_vs[4].s,
						       &level_vs[1].s),
			     (double)level_vs[3].s.med / level_vs[1].s.med);
	}
}

/* --- scale ----------------------------------------------------------------- */

#define CGROOT	"/sys/fs/cgroup"
#define CG	CGROOT "/irqfwd-bench"

static int *bulk_src;		/* one source eventfd per bulk line */
static __u32 *bulk_id;
static int bulk_sink;		/* shared by every bulk line */
static bool cg_ok;
static struct series create_s[4], destroy_s[3], mem_s[2];

static long long file_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Into a memory cgroup of our own, whose slab counter we can read. */
static void cg_enter(void)
{
	char pid[32];

	if (access(CGROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CGROOT, "cgroup2", 0, NULL))
		return;
	if (file_write(CGROOT "/cgroup.subtree_control", "+memory"))
		return;
	if (mkdir(CG, 0755) && errno != EEXIST)
		return;
	snprintf(pid, sizeof(pid), "%d", getpid());
	cg_ok = !file_write(CG "/cgroup.procs", pid);
}

/* The "slab" line of our cgroup's memory.stat, in bytes, or -1. */
static long long cg_slab(void)
{
	char line[256];
	long long v = -1;
	FILE *f;

	if (!cg_ok)
		return -1;
	f = fopen(CG "/memory.stat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "slab %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Lines freed after an RCU grace period are all gone. */
static void lines_settle(long want)
{
	irqfwd_live_wait("lines", want, 5000);
	usleep(20000);
}

static void bulk_create(int n, struct series *cost, struct series *mem)
{
	struct irqfwd_line_create c;
	long long before = -1, after;
	uint64_t t0;
	int i, ret;

	if (n <= 0)
		return;
	if (mem) {
		lines_settle(0);
		before = cg_slab();
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		line_create_init(&c, bulk_src[i], bulk_sink,
				 IRQFWD_TRIGGER_EDGE);
		ret = line_create(dev, &c);
		if (ret < 0)
			die("creating the bulk lines", -ret);
		bulk_id[i] = ret;
	}
	if (cost) {
		series_add(cost, (now_ns() - t0) / n);
		series_round(cost, cost->n - 1);
	}
	if (mem && before >= 0) {
		after = cg_slab();
		if (after >= 0) {
			series_add(mem, (after - before) / n);
			series_round(mem, mem->n - 1);
		}
	}
}

static void bulk_destroy(int n, struct series *cost)
{
	uint64_t t0 = now_ns();
	int i, ret;

	if (n <= 0)
		return;
	for (i = 0; i < n; i++) {
		ret = line_destroy(dev, bulk_id[i]);
		if (ret)
			die("destroying the bulk lines", -ret);
	}
	if (cost) {
		series_add(cost, (now_ns() - t0) / n);
		series_round(cost, cost->n - 1);
	}
}

/* Series 0 of create_s/destroy_s is KVM_IRQFD's, 1 and 2 irqfwd's. */
static int scale_setup(struct variant *v)
{
	int k = v->nlines >= opt.lines ? 1 + v->shared_sink : -1;

	bulk_create(v->nlines - 1, k > 0 ? &create_s[k] : NULL,
		    k == 1 ? &mem_s[0] : NULL);
	v->src = new_eventfd();
	v->sink = v->shared_sink ? bulk_sink : new_eventfd();
	return edge_line_make(v);
}

static void scale_teardown(struct variant *v)
{
	int k = v->nlines >= opt.lines ? 1 + v->shared_sink : -1;

	edu_set_msi(&edu, -1);
	line_destroy(dev, v->id);
	v->id = 0;
	if (!v->shared_sink)
		close(v->sink);
	close(v->src);
	bulk_destroy(v->nlines - 1, k > 0 ? &destroy_s[k] : NULL);
}

/* KVM_IRQFD assign and deassign for as many eventfds: the reference. */
static void kvm_irqfd_reference(int vm, int n)
{
	struct kvm_irqfd irqfd = { .gsi = REF_GSI };
	long long before, after;
	uint64_t t0;
	int i;

	lines_settle(0);
	before = cg_slab();
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		irqfd.fd = bulk_src[i];
		irqfd.flags = 0;
		if (ioctl(vm, KVM_IRQFD, &irqfd))
			die("KVM_IRQFD", errno);
	}
	series_add(&create_s[0], (now_ns() - t0) / n);
	series_round(&create_s[0], create_s[0].n - 1);
	after = cg_slab();
	if (before >= 0 && after >= 0) {
		series_add(&mem_s[1], (after - before) / n);
		series_round(&mem_s[1], mem_s[1].n - 1);
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		irqfd.fd = bulk_src[i];
		irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
		if (ioctl(vm, KVM_IRQFD, &irqfd))
			die("KVM_IRQFD deassign", errno);
	}
	series_add(&destroy_s[0], (now_ns() - t0) / n);
	series_round(&destroy_s[0], destroy_s[0].n - 1);
}

/*
 * A VM whose interrupt controller takes irqfds on REF_GSI; its vCPU (if
 * any) never runs.  x86: the in-kernel irqchip, REF_GSI an MSI route to
 * the local APIC.  arm64: a vGICv3 (kvm_guest_create()), REF_GSI an edge
 * SPI.  Returns the VM's fd.
 */
static struct kvm_guest ref_vm;

static int ref_vm_open(void)
{
#if defined(__aarch64__)
	struct guest_arm64_params p = { 0 };
	int ret = kvm_guest_create(&ref_vm, &p);

	if (ret)
		die("KVM VM with a vGICv3", -ret);
#else
	memset(&ref_vm, 0, sizeof(ref_vm));
	ref_vm.vcpu = -1;
	ref_vm.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (ref_vm.kvm < 0)
		die("/dev/kvm", errno);
	ref_vm.vm = ioctl(ref_vm.kvm, KVM_CREATE_VM, 0);
	if (ref_vm.vm < 0 || ioctl(ref_vm.vm, KVM_CREATE_IRQCHIP, 0))
		die("KVM_CREATE_VM", errno);
	if (kvm_msi_route(ref_vm.vm, REF_GSI, 0x31))
		die("KVM_SET_GSI_ROUTING", errno);
#endif
	return ref_vm.vm;
}

static void ref_vm_close(void)
{
	kvm_guest_close(&ref_vm);
}

/* What the kernel says of the edge lines' cache (the lines measured). */
#define EDGE_SLAB	"/sys/kernel/slab/irqfwd_line_edge/"

static void slab_info(void)
{
	char line[512], name[64];
	long long objsize;
	FILE *f;

	bench_result("slab_irqfwd_line_edge_object_size",
		     file_ll(EDGE_SLAB "object_size"), "B");
	bench_result("slab_irqfwd_line_edge_slab_size",
		     file_ll(EDGE_SLAB "slab_size"), "B");
	printf("  " EDGE_SLAB ": object_size %lld B, slab_size %lld B, %lld objects per slab of order %lld\n",
	       file_ll(EDGE_SLAB "object_size"), file_ll(EDGE_SLAB "slab_size"),
	       file_ll(EDGE_SLAB "objs_per_slab"), file_ll(EDGE_SLAB "order"));
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %*d %*d %lld", name, &objsize) == 2 &&
		    !strncmp(name, "irqfwd_line", 11))
			printf("  /proc/slabinfo: %s objsize %lld B\n", name,
			       objsize);
	fclose(f);
}

static void bench_scale(void)
{
	char n1[32], n2[32], n3[32];
	struct variant vs[4] = {
		{ .name = "1 line", .nlines = 1 },
		{ .name = n1, .nlines = 100 },
		{ .name = n2, .nlines = opt.lines },
		{ .name = n3, .nlines = opt.lines, .shared_sink = true },
	};
	struct rlimit rl;
	int vm, i, r, rounds, block, nbulk = opt.lines - 1;
	uint64_t t0;

	snprintf(n1, sizeof(n1), "%d lines", vs[1].nlines);
	snprintf(n2, sizeof(n2), "%d lines", opt.lines);
	snprintf(n3, sizeof(n3), "%d shared", opt.lines);
	for (i = 0; i < 4; i++) {
		vs[i].setup = scale_setup;
		vs[i].sample = edge_sample;
		vs[i].teardown = scale_teardown;
		vs[i].what = i == 0 ? "the edu MSI line alone in its file" :
			     i == 3 ? "... and it shares the others' sink" :
				      "... among lines on plain eventfds";
	}

	rl.rlim_cur = rl.rlim_max = opt.lines + 1024;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("RLIMIT_NOFILE", errno);
	cg_enter();
	bulk_src = calloc(nbulk, sizeof(int));
	bulk_id = calloc(nbulk, sizeof(__u32));
	if (!bulk_src || !bulk_id)
		die("calloc", ENOMEM);
	bulk_sink = new_eventfd();
	t0 = now_ns();
	for (i = 0; i < nbulk; i++) {
		bulk_src[i] = new_eventfd();
		if (bulk_src[i] < 0)
			die("eventfd", errno);
	}
	series_init(&create_s[3], "eventfd", "eventfd(), for scale", 1);
	series_add(&create_s[3], (now_ns() - t0) / nbulk);
	bench_result("eventfd_create_ns", create_s[3].v[0], "ns");
	vm = ref_vm_open();

	for (i = 0; i < 3; i++) {
		series_init(&create_s[i], i ? (i == 1 ? "irqfwd" :
					       "irqfwd shared") : "kvm-irqfd",
			    i ? (i == 1 ? "IRQFWD_LINE_CREATE, own sinks" :
				 "IRQFWD_LINE_CREATE, one sink") :
				"KVM_IRQFD assign", 2 * opt.rounds);
		series_init(&destroy_s[i], create_s[i].name,
			    i ? "IRQFWD_LINE_DESTROY" :
				"KVM_IRQFD deassign", 2 * opt.rounds);
	}
	series_init(&mem_s[0], "irqfwd", "an irqfwd edge line", 2 * opt.rounds);
	series_init(&mem_s[1], "kvm-irqfd", "a KVM irqfd", 2 * opt.rounds);
	/*
	 * Twice the rounds, half the blocks: a block here is far from the
	 * next one (10,000 creations between), so pair more of them.  The
	 * shared sink costs milliseconds per sample: fewer of those.
	 */
	rounds = 2 * opt.rounds;
	block = (opt.block + 1) / 2;
	for (i = 0; i < 4; i++)
		series_init(&vs[i].s, vs[i].name, vs[i].what,
			    (size_t)rounds * block);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 4; i++)
			run_block(&vs[i], i == 3 ? opt.warmup / 10 : opt.warmup,
				  i == 3 ? (block + 9) / 10 : block);
		/* Once: KVM's assign walks all its irqfds, seconds at 10,000. */
		if (!r)
			kvm_irqfd_reference(vm, nbulk);
	}

	snprintf(how, sizeof(how),
		 "%d rounds x %d (shared: %d) after %d warm-up, interleaved; bulk lines on eventfds",
		 rounds, block, (block + 9) / 10, opt.warmup);
	report_variants("scale", "scale: MSI raise -> seen, with more lines in the file",
			vs, 4);
	bench_target("scale: per-interrupt, 10,000 lines / 1 line",
		     (double)vs[2].s.med / vs[0].s.med, "<=", 1.05, "x",
		     "by round %.2fx; one shared sink %.0fx",
		     series_round_ratio_median(&vs[2].s, &vs[0].s),
		     (double)vs[3].s.med / vs[0].s.med);

	snprintf(how, sizeof(how),
		 "%d lines created one by one, per line, %d rounds (KVM: 1)",
		 nbulk, rounds);
	bench_group("create", "create: cost per line", how, create_s, 4, 0,
		    BENCH_NS_TABLE);
	bench_group("destroy", "destroy: cost per line", how, destroy_s, 3, 0,
		    BENCH_NS_TABLE);
	bench_result("irqfwd_create_ns", create_s[1].med, "ns");
	bench_result("irqfwd_destroy_ns", destroy_s[1].med, "ns");

	if (cg_ok && mem_s[0].n) {
		snprintf(how, sizeof(how),
			 "\"slab\" of memory.stat, %d lines, %d rounds; bytes",
			 nbulk, rounds);
		bench_group("memory", "memory: kernel memory per line", how,
			    mem_s, 2, 0, BENCH_BYTES);
		bench_result("irqfwd_line_bytes", mem_s[0].med, "B");
		bench_target("memory: kernel memory per line", mem_s[0].med,
			     "<=", 512, "B", "a KVM irqfd: %llu B",
			     (unsigned long long)mem_s[1].med);
	} else {
		printf("\nmemory: no memory cgroup, not measured\n");
	}
	slab_info();

	for (i = 0; i < nbulk; i++)
		close(bulk_src[i]);
	close(bulk_sink);
	ref_vm_close();
	free(bulk_src);
	free(bulk_id);
	for (i = 0; i < 3; i++) {
		series_free(&create_s[i]);
		series_free(&destroy_s[i]);
	}
	series_free(&create_s[3]);
	for (i = 0; i < 2; i++)
		series_free(&mem_s[i]);
}

/* --- toggle ---------------------------------------------------------------- */

struct raiser {
	atomic_bool stop;
	atomic_ulong raised;
	pthread_t thread;
};

static void *raiser_fn(void *arg)
{
	struct raiser *r = arg;

	/* Not flat out: see irqfwd_edu_test.c. */
	while (!atomic_load(&r->stop)) {
		edu_raise(&edu);
		atomic_fetch_add(&r->raised, 1);
		edu_ack(&edu);
		usleep(20);
	}
	return NULL;
}

static const char *reason_name(__u32 r)
{
	static const char *const names[] = {
		"none", "no producer", "no consumer", "no posting",
		"not posted", "line masked", "level", "source busy",
		"sink busy", "refused", "storm", "no handover",
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

static void bench_toggle(void)
{
	struct series s[3];
	struct irqfwd_line_info info;
	struct irqfwd_line_create c;
	struct kvm_irqfd irqfd = { .gsi = REF_GSI };
	struct raiser rz = { 0 };
	unsigned long fired_quiet = 0, fired_toggling = 0, r0;
	uint64_t t0, t1, t2, t3, quiet_ns = 0, toggling_ns = 0, base;
	__u32 fwd_reason = 0, id;
	int vm, src, sink, r, k, ret;
	double tps, lost;

	series_init(&s[0], "query", "IRQFWD_LINE_QUERY (reference)",
		    (size_t)opt.rounds * opt.toggles);
	series_init(&s[1], "to-forwarded", "SET_MODE masked -> forwarded",
		    (size_t)opt.rounds * opt.toggles);
	series_init(&s[2], "to-masked", "SET_MODE forwarded -> masked",
		    (size_t)opt.rounds * opt.toggles);

	vm = ref_vm_open();
	src = new_eventfd();
	sink = new_eventfd();
	irqfd.fd = sink;
	if (ioctl(vm, KVM_IRQFD, &irqfd))
		die("KVM_IRQFD", errno);
	if (edu_set_msi(&edu, src))
		die("MSI", EIO);
	line_create_init(&c, src, sink, IRQFWD_TRIGGER_EDGE);
	ret = line_create(dev, &c);
	if (ret < 0)
		die("line", -ret);
	id = ret;

	atomic_store(&rz.stop, false);
	if (pthread_create(&rz.thread, NULL, raiser_fn, &rz))
		die("raiser", EAGAIN);
	for (r = 0; r < opt.rounds; r++) {
		/*
		 * The interrupt rate while this thread keeps the CPU as
		 * busy with plain queries (the raiser shares it)...
		 */
		line_query(dev, id, &info);
		base = info.stats.fired;
		t0 = now_ns();
		for (k = 0; k < 3 * opt.toggles; k++)
			line_query(dev, id, &info);
		quiet_ns += now_ns() - t0;
		fired_quiet += info.stats.fired - base;

		/* ... and while toggling, warm-up first. */
		for (k = 0; k < opt.warmup / 4; k++) {
			line_set_mode(dev, id, IRQFWD_MODE_FORWARDED);
			line_set_mode(dev, id, IRQFWD_MODE_MASKED);
		}
		line_query(dev, id, &info);
		base = info.stats.fired;
		t0 = now_ns();
		for (k = 0; k < opt.toggles; k++) {
			t1 = now_ns();
			if (line_query(dev, id, &info))
				die("IRQFWD_LINE_QUERY", errno);
			t2 = now_ns();
			ret = line_set_mode(dev, id, IRQFWD_MODE_FORWARDED);
			if (ret < 0)
				die("IRQFWD_LINE_SET_MODE", -ret);
			fwd_reason = ret;
			t3 = now_ns();
			ret = line_set_mode(dev, id, IRQFWD_MODE_MASKED);
			if (ret < 0)
				die("IRQFWD_LINE_SET_MODE", -ret);
			series_add(&s[0], t2 - t1);
			series_add(&s[1], t3 - t2);
			series_add(&s[2], now_ns() - t3);
		}
		line_query(dev, id, &info);
		toggling_ns += now_ns() - t0;
		fired_toggling += info.stats.fired - base;
	}
	atomic_store(&rz.stop, true);
	pthread_join(rz.thread, NULL);
	usleep(50000);
	line_query(dev, id, &info);

	snprintf(how, sizeof(how),
		 "%d rounds x %d cycles after a warm-up, edu raising MSIs into a KVM irqfd all along",
		 opt.rounds, opt.toggles);
	bench_group("toggle", "toggle: IRQFWD_LINE_SET_MODE while interrupts flow",
		    how, s, 3, 0, BENCH_NS);
	tps = 2.0 * opt.rounds * opt.toggles / (toggling_ns / 1e9);
	r0 = atomic_load(&rz.raised);
	lost = (double)r0 - (double)info.stats.fired;
	printf("  %.0f mode switches/s (forwarded: effective %s, reason \"%s\"); interrupts/s %.0f while toggling, %.0f while querying as often (%.2fx)\n",
	       tps, info.effective_mode ? "forwarded" : "masked",
	       reason_name(fwd_reason), fired_toggling / (toggling_ns / 1e9),
	       fired_quiet / (quiet_ns / 1e9),
	       (fired_toggling / (toggling_ns / 1e9)) /
		       (fired_quiet / (quiet_ns / 1e9)));
	printf("  raised %lu fired %llu = delivered %llu + coalesced %llu + cleared %llu + pending %d: %s\n",
	       r0, (unsigned long long)info.stats.fired,
	       (unsigned long long)info.stats.delivered,
	       (unsigned long long)info.stats.coalesced,
	       (unsigned long long)info.stats.cleared,
	       !!(info.state & IRQFWD_LINE_STATE_PENDING),
	       lost == 0 && info.stats.fired == info.stats.delivered +
			info.stats.coalesced + info.stats.cleared +
			!!(info.state & IRQFWD_LINE_STATE_PENDING) ?
		       "nothing lost" : "LOST INTERRUPTS");
	bench_result("toggle_switches_per_s", tps, "1/s");
	bench_result("toggle_irq_rate_ratio",
		     (fired_toggling / (toggling_ns / 1e9)) /
			     (fired_quiet / (quiet_ns / 1e9)), "x");
	bench_result("toggle_lost", lost, "");
	bench_result("toggle_forwarded_reason", fwd_reason, "");

	edu_set_msi(&edu, -1);
	line_destroy(dev, id);
	close(src);
	close(sink);
	ref_vm_close();
	for (k = 0; k < 3; k++)
		series_free(&s[k]);
}

/* --- guest ------------------------------------------------------------------ */

/*
 * A nested KVM guest from kvm_guest.h (x86) or kvm_guest_arm64.h, with a
 * vCPU loop of our own: the time of the handler's first exit (it asks the
 * VMM to acknowledge the device: x86 a port I/O, arm64 an MMIO store) is
 * the arrival, and the handled report wakes the measuring thread through
 * an eventfd instead of a polling loop.  kvm_guest_exit() decodes each
 * exit and calls bguest_ack() for the acknowledge.
 */
#define RING	1024

struct bguest {
	struct kvm_guest g;	/* g.handled counts what the guest handled */
	atomic_bool chain;	/* raise again at each acknowledge */
	atomic_ullong t_raise;	/* when the interrupt on its way was raised */
	uint64_t ring[RING];	/* samples, the vCPU thread's to push */
	atomic_uint head, tail;
	int done;		/* blocking eventfd: one count per handled */
};

/* The guest's handler asks for the device's acknowledge: it has arrived. */
static void bguest_ack(void *arg)
{
	struct bguest *b = arg;
	uint64_t t = now_ns(), r = atomic_exchange(&b->t_raise, 0);
	unsigned int h = atomic_load(&b->head);

	if (r && h - atomic_load(&b->tail) < RING) {
		b->ring[h % RING] = t - r;
		atomic_store(&b->head, h + 1);
	}
	edu_ack(&edu);
	if (atomic_load(&b->chain)) {
		atomic_store(&b->t_raise, now_ns());
		edu_raise(&edu);
	}
}

static void *bguest_vcpu_fn(void *arg)
{
	struct bguest *b = arg;
	struct kvm_guest *g = &b->g;
	unsigned long h;

	while (!atomic_load(&g->stop)) {
		if (ioctl(g->vcpu, KVM_RUN, 0)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			atomic_store(&g->error, -errno);
			break;
		}
		h = atomic_load(&g->handled);
		if (!kvm_guest_exit(g, g->run))
			break;
		if (atomic_load(&g->handled) != h)
			efd_signal(b->done);
	}
	return NULL;
}

/*
 * The guest, with MSI_GSI routed to its MSI handler (@msi) or its INTx
 * handler waiting for INTX_GSI.  x86: local APIC vector 0x40, PIC IRQ 5.
 * arm64: the LPI the guest maps for (MSI_DEVID, MSI_EVENT) in its vITS,
 * the route carrying that device ID; SPI INTX_SPI, which the guest
 * configures level.
 */
static int bguest_create(struct kvm_guest *g, bool msi)
{
#if defined(__aarch64__)
	struct guest_arm64_params p = { 0 };
	int ret;

	if (msi) {
		p.lpi = MSI_LPI;
		p.devid = MSI_DEVID;
		p.event = MSI_EVENT;
	} else {
		p.spi = INTX_SPI;
	}
	ret = kvm_guest_create(g, &p);
	if (!ret && msi)
		ret = kvm_its_msi_route(g->vm, MSI_GSI, MSI_DEVID, MSI_EVENT);
#else
	int ret = msi ? kvm_guest_create(g, guest_msi_start,
					 guest_msi_end - guest_msi_start) :
			kvm_guest_create(g, guest_intx_start,
					 guest_intx_end - guest_intx_start);

	if (!ret && msi)
		ret = kvm_msi_route(g->vm, MSI_GSI, 0x40);
#endif
	return ret;
}

static void bguest_start(struct bguest *b, bool msi)
{
	struct sigaction sa = { .sa_handler = kvm_guest_sigusr1 };
	int ret, i;

	ret = bguest_create(&b->g, msi);
	if (ret)
		die("KVM guest", -ret);
	b->g.ack = bguest_ack;
	b->g.ack_arg = b;
	b->done = eventfd(0, EFD_CLOEXEC);
	/* No SA_RESTART: the signal must make KVM_RUN return. */
	sigaction(SIGUSR1, &sa, NULL);
	if (pthread_create(&b->g.thread, NULL, bguest_vcpu_fn, b))
		die("vCPU thread", EAGAIN);
	for (i = 0; i < 5000 && !atomic_load(&b->g.ready) &&
	     !atomic_load(&b->g.error); i++)
		usleep(1000);
	if (!atomic_load(&b->g.ready))
		die("the guest did not start", atomic_load(&b->g.error));
}

static void bguest_stop(struct bguest *b)
{
	kvm_guest_stop(&b->g);
	close(b->done);
	kvm_guest_close(&b->g);
}

static struct bguest bg;
static __u32 guest_reason;

static unsigned long guest_handled(void)
{
	return atomic_load(&bg.g.handled);
}

/*
 * One interrupt into the guest: raised here with the guest idle, or, in a
 * chain (INTx), raised by the vCPU thread when the handler acknowledged
 * the previous one, so that it comes through the completion of that one:
 * the guest's EOI, the resample, the unmask, the trigger, the injection.
 * The vCPU thread times it from the raise to the handler's acknowledge.
 */
static int guest_sample(struct variant *v, uint64_t *ns)
{
	struct pollfd pfd = { .fd = bg.done, .events = POLLIN };
	unsigned long h = atomic_load(&bg.g.handled);
	unsigned int t;
	uint64_t n;

	if (!v->chain || !atomic_load(&bg.chain)) {
		atomic_store(&bg.t_raise, now_ns());
		atomic_store(&bg.chain, v->chain);
		edu_raise(&edu);
	}
	for (;;) {
		t = atomic_load(&bg.tail);
		/* Idle guest: the next raise waits for the handler's end. */
		if (t != atomic_load(&bg.head) &&
		    (v->chain || atomic_load(&bg.g.handled) > h))
			break;
		if (poll(&pfd, 1, WAIT_MS) <= 0) {
			fprintf(stderr, "irqfwd_bench: %s: the guest handled nothing (error %d, spurious %lu, phantom %lu)\n",
				v->name, atomic_load(&bg.g.error),
				atomic_load(&bg.g.spurious),
				atomic_load(&bg.g.phantom));
			return -ETIMEDOUT;
		}
		if (read(bg.done, &n, sizeof(n)) != sizeof(n))
			return -errno;
	}
	*ns = bg.ring[t % RING];
	atomic_store(&bg.tail, t + 1);
	return 0;
}

/* End a chain, and let its last interrupt be handled before teardown. */
static void guest_chain_end(void)
{
	struct pollfd pfd = { .fd = bg.done, .events = POLLIN };
	uint64_t n;

	atomic_store(&bg.chain, false);
	while (poll(&pfd, 1, 100) > 0 &&
	       read(bg.done, &n, sizeof(n)) == sizeof(n))
		;
	atomic_store(&bg.t_raise, 0);
	atomic_store(&bg.tail, atomic_load(&bg.head));
}

static int guest_irqfd(int fd, __u32 gsi, int resample, bool deassign)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi };

	if (deassign)
		irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
	else if (resample >= 0) {
		irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = resample;
	}
	return ioctl(bg.g.vm, KVM_IRQFD, &irqfd) ? -errno : 0;
}

/* MSI: v->sink is what KVM's irqfd consumes. */
static int gmsi_floor_setup(struct variant *v)
{
	v->src = new_eventfd();
	v->sink = v->src;
	if (guest_irqfd(v->sink, MSI_GSI, -1, false))
		return -errno;
	return edu_set_msi(&edu, v->src);
}

static int gmsi_line_setup(struct variant *v)
{
	struct irqfwd_line_info info;
	int ret;

	v->src = new_eventfd();
	v->sink = new_eventfd();
	ret = guest_irqfd(v->sink, MSI_GSI, -1, false);
	if (!ret)
		ret = edge_line_make(v);
	if (!ret && v->mode == IRQFWD_MODE_FORWARDED) {
		/* What forwarded mode settles to. */
		usleep(20000);
		line_query(dev, v->id, &info);
		guest_reason = info.reason;
	}
	return ret;
}

static int gmsi_relay_setup(struct variant *v)
{
	v->src = new_eventfd();
	v->sink = new_eventfd();
	if (guest_irqfd(v->sink, MSI_GSI, -1, false))
		return -errno;
	atomic_store(&v->stop, false);
	if (pthread_create(&v->thread, NULL, relay_fn, v))
		return -EAGAIN;
	return edu_set_msi(&edu, v->src);
}

static void gmsi_teardown(struct variant *v)
{
	guest_chain_end();
	edu_set_msi(&edu, -1);
	thread_stop(v, v->src);
	if (v->id)
		line_destroy(dev, v->id);
	v->id = 0;
	guest_irqfd(v->sink, MSI_GSI, -1, true);
	if (v->sink != v->src)
		close(v->sink);
	close(v->src);
}

/* INTx: v->sink with v->resample is KVM's resample irqfd. */
static int gintx_floor_setup(struct variant *v)
{
	v->src = new_eventfd();
	v->sink = v->src;
	v->resample = new_eventfd();
	v->unmask = -1;
	if (guest_irqfd(v->sink, INTX_GSI, v->resample, false))
		return -errno;
	return edu_set_intx(&edu, v->src, v->resample);
}

static int gintx_line_setup(struct variant *v)
{
	struct irqfwd_line_create c;
	int ret;

	v->src = new_eventfd();
	v->sink = new_eventfd();
	v->unmask = new_eventfd();
	v->resample = new_eventfd();
	ret = guest_irqfd(v->sink, INTX_GSI, v->resample, false);
	if (!ret)
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

static int gintx_thread_setup(struct variant *v)
{
	v->src = new_eventfd();
	v->sink = v->src;
	v->resample = new_eventfd();
	v->unmask = -1;
	if (guest_irqfd(v->sink, INTX_GSI, v->resample, false))
		return -errno;
	atomic_store(&v->stop, false);
	if (pthread_create(&v->thread, NULL, unmask_fn, v))
		return -EAGAIN;
	return edu_set_intx(&edu, v->src, -1);
}

static void gintx_teardown(struct variant *v)
{
	guest_chain_end();
	edu_set_intx(&edu, -1, -1);
	thread_stop(v, v->resample);
	edu_ack(&edu);
	if (v->id)
		line_destroy(dev, v->id);
	v->id = 0;
	guest_irqfd(v->sink, INTX_GSI, -1, true);
	if (v->unmask >= 0)
		close(v->unmask);
	close(v->resample);
	if (v->sink != v->src)
		close(v->sink);
	close(v->src);
}

/*
 * Host interrupts per guest interrupt of each guest MSI path: the
 * vfio-msi line of /proc/interrupts against the guest's handled count,
 * over every block (warm-ups too).  Where KVM's irqfd on VFIO's trigger
 * has the interrupt injected directly (arm64 with a GICv4: a vLPI), the
 * host takes none; irqfwd relays each one (forwarded mode is refused,
 * README.md), so it takes one.
 */
static void guest_host_irqs(struct variant *vs, int nv)
{
	char key[48];
	double per[8];
	int i;

	printf("  host interrupts per guest interrupt (vfio-msi in /proc/interrupts):");
	for (i = 0; i < nv; i++) {
		per[i] = vs[i].guest_irqs ?
			 (double)vs[i].host_irqs / vs[i].guest_irqs : -1;
		printf("%s %s %.2f (%lld/%lu)", i ? "," : "", vs[i].name,
		       per[i], vs[i].host_irqs, vs[i].guest_irqs);
		snprintf(key, sizeof(key), "guest_msi_host_per_irq_%.24s",
			 vs[i].name);
		bench_result(key, per[i], "");
	}
	printf("\n");
	printf("  %s; irqfwd-fwd: forwarded mode is refused (\"%s\"), the line relays as in masked mode\n",
	       per[0] == 0 ? "floor: direct injection (KVM paired its irqfd with VFIO's IRQ, the host took none)" :
			     "floor: no direct injection here (the host took the floor's interrupts too)",
	       reason_name(guest_reason));
}

static void bench_guest(void)
{
	struct variant msi[] = {
		{ .name = "floor", .what = "KVM irqfd on VFIO's trigger",
		  .setup = gmsi_floor_setup },
		{ .name = "irqfwd", .what = "irqfwd line, masked mode",
		  .setup = gmsi_line_setup, .mode = IRQFWD_MODE_MASKED },
		{ .name = "irqfwd-fwd", .what = "irqfwd line, forwarded requested",
		  .setup = gmsi_line_setup, .mode = IRQFWD_MODE_FORWARDED },
		{ .name = "userspace", .what = "VMM thread: trigger -> irqfd",
		  .setup = gmsi_relay_setup },
	};
	struct variant intx[] = {
		{ .name = "floor", .what = "KVM resample irqfd + VFIO unmask fd",
		  .setup = gintx_floor_setup },
		{ .name = "irqfwd", .what = "irqfwd level line, resample",
		  .setup = gintx_line_setup },
		{ .name = "thread-unmask", .what = "VMM thread: resamplefd -> ioctl",
		  .setup = gintx_thread_setup },
	};
	char title[160];
	int i;

	for (i = 0; i < 4; i++) {
		msi[i].sample = guest_sample;
		msi[i].teardown = gmsi_teardown;
		msi[i].count_host = true;
	}
	for (i = 0; i < 3; i++) {
		intx[i].sample = guest_sample;
		intx[i].teardown = gintx_teardown;
		intx[i].chain = true;
	}
	snprintf(how, sizeof(how),
		 "%d rounds x %d after %d warm-up, interleaved; arrival = the handler's first exit, timed by the VMM",
		 opt.rounds, opt.guest_block, opt.guest_warmup);

	bguest_start(&bg, true);
	run_variants(msi, 4, opt.rounds, opt.guest_warmup, opt.guest_block);
	bguest_stop(&bg);
	snprintf(title, sizeof(title),
		 "guest MSI: raise -> nested guest's handler (forwarded runs %s: \"%s\")",
		 guest_reason ? "masked" : "forwarded", reason_name(guest_reason));
	report_variants("guest-msi", title, msi, 4);
	guest_host_irqs(msi, 4);
	bench_target("guest MSI: irqfwd / floor",
		     (double)msi[1].s.med / msi[0].s.med, "<=", 1.10, "x",
		     "by round %.2fx; userspace %.2fx",
		     series_round_ratio_median(&msi[1].s, &msi[0].s),
		     (double)msi[3].s.med / msi[0].s.med);

	memset(&bg, 0, sizeof(bg));
	bguest_start(&bg, false);
	run_variants(intx, 3, opt.rounds, opt.guest_warmup, opt.guest_block);
	bguest_stop(&bg);
	report_variants("guest-intx",
			"guest INTx: raised in the handler -> its EOI, completion, unmask -> the handler again",
			intx, 3);
	bench_target("guest INTx: irqfwd / floor",
		     (double)intx[1].s.med / intx[0].s.med, "<=", 1.10, "x",
		     "by round %.2fx",
		     series_round_ratio_median(&intx[1].s, &intx[0].s));
	bench_target("guest INTx: thread-unmask / irqfwd (speed-up)",
		     (double)intx[2].s.med / intx[1].s.med, ">=", 2.0, "x",
		     "by round %.2fx",
		     series_round_ratio_median(&intx[2].s, &intx[1].s));
	bench_result("guest_msi_forwarded_reason", guest_reason, "");
}

/* --- profile ---------------------------------------------------------------- */

/*
 * Where the time of a sample goes, from the kernel's trace events: for
 * each event, its median time after the raise (the "R" mark), over the
 * samples that have it.  The trace clock is the TSC (the other clocks
 * print microseconds), calibrated here against CLOCK_MONOTONIC.
 */
#define TRACEFS		"/sys/kernel/tracing"
#define PROF_EVENTS	24

static const char *const prof_events[][2] = {
	{ "irq/irq_handler_entry", "name ~ \"vfio*\"" },
	{ "irq/irq_handler_exit", NULL },
	{ "irq_vectors/irq_work_entry", NULL },
	{ "irq_vectors/irq_work_exit", NULL },
	{ "irqfwd/irqfwd_line_fire", NULL },
	{ "irqfwd/irqfwd_line_deliver", NULL },
	{ "irqfwd/irqfwd_line_complete", NULL },
	{ "irqfwd/irqfwd_line_unmask", NULL },
	{ "sched/sched_waking", "comm == \"irqfwd_bench\"" },
	{ "sched/sched_switch", "next_comm == \"irqfwd_bench\"" },
	{ "irq/softirq_entry", NULL },
};

static int tracefs_write(const char *file, const char *what)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	return file_write(path, what);
}

static double tsc_per_ns;

static inline uint64_t rdtsc_now(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
#else
	return now_ns();
#endif
}

static bool prof_start(void)
{
	char path[128];
	uint64_t c0, t0;
	size_t i;

	if (access(TRACEFS "/trace", F_OK) ||
	    tracefs_write("trace_clock", "x86-tsc")) {
		printf("  profile: no tracefs or no x86-tsc trace clock\n");
		return false;
	}
	c0 = rdtsc_now();
	t0 = now_ns();
	usleep(200000);
	tsc_per_ns = (double)(rdtsc_now() - c0) / (now_ns() - t0);
	tracefs_write("tracing_on", "0");
	tracefs_write("buffer_size_kb", "16384");
	for (i = 0; i < sizeof(prof_events) / sizeof(prof_events[0]); i++) {
		snprintf(path, sizeof(path), "events/%s/enable",
			 prof_events[i][0]);
		tracefs_write(path, "1");
		if (prof_events[i][1]) {
			snprintf(path, sizeof(path), "events/%s/filter",
				 prof_events[i][0]);
			tracefs_write(path, prof_events[i][1]);
		}
	}
	mark_fd = open(TRACEFS "/trace_marker", O_WRONLY | O_CLOEXEC);
	return mark_fd >= 0;
}

static void prof_stop(void)
{
	tracefs_write("tracing_on", "0");
	tracefs_write("events/enable", "0");
	tracefs_write("trace_clock", "local");
	close(mark_fd);
	mark_fd = -1;
}

struct prof_ev {
	char name[48];
	uint64_t *off;
	size_t n;
	uint64_t med;
};

static int prof_cmp(const void *a, const void *b)
{
	const struct prof_ev *x = a, *y = b;

	return x->med < y->med ? -1 : x->med > y->med;
}

/* Run one block of @v with the events on, and print where time goes. */
static void prof_variant(struct variant *v, int block)
{
	struct prof_ev ev[PROF_EVENTS];
	bool seen[PROF_EVENTS];
	char line[1024], name[48], *p;
	unsigned long long ts, r = 0;
	int nev = 0, i, samples = 0;
	FILE *f;

	i = open(TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (i >= 0)
		close(i);
	series_init(&v->s, v->name, v->what, block);
	tracefs_write("tracing_on", "1");
	run_block(v, 20, block);
	tracefs_write("tracing_on", "0");
	series_stats(&v->s);

	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return;
	memset(seen, 0, sizeof(seen));
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		p = strstr(line, "] ");
		if (!p || sscanf(p + 2, "%*s %llu: %47[^:]:", &ts, name) != 2)
			continue;
		if (!strcmp(name, "tracing_mark_write")) {
			p = strstr(p, "tracing_mark_write: ");
			if (!p)
				continue;
			snprintf(name, sizeof(name), "mark %c",
				 p[strlen("tracing_mark_write: ")]);
			if (!strcmp(name, "mark R")) {
				r = ts;
				samples++;
				memset(seen, 0, sizeof(seen));
				continue;
			}
		}
		if (!r || ts < r)
			continue;
		for (i = 0; i < nev; i++)
			if (!strcmp(ev[i].name, name))
				break;
		if (i == nev) {
			if (nev == PROF_EVENTS)
				continue;
			snprintf(ev[nev].name, sizeof(ev[nev].name), "%s",
				 name);
			ev[nev].off = calloc(block + 64, sizeof(uint64_t));
			ev[nev].n = 0;
			nev++;
		}
		/* The first of each event after the raise. */
		if (seen[i] || ev[i].n >= (size_t)block + 64)
			continue;
		seen[i] = true;
		ev[i].off[ev[i].n++] = (uint64_t)((ts - r) / tsc_per_ns);
	}
	fclose(f);
	for (i = 0; i < nev; i++) {
		qsort(ev[i].off, ev[i].n, sizeof(uint64_t), bench_cmp_u64);
		ev[i].med = sorted_pct(ev[i].off, ev[i].n, 50);
	}
	qsort(ev, nev, sizeof(ev[0]), prof_cmp);
	printf("  %s (median %.1f us traced, %d samples): median time after the raise mark\n",
	       v->name, v->s.med / 1000.0, samples);
	for (i = 0; i < nev; i++) {
		printf("    %+8.2f us  %-22s in %zu samples\n",
		       ev[i].med / 1000.0, ev[i].name, ev[i].n);
		free(ev[i].off);
	}
	series_free(&v->s);
}

static void bench_profile(void)
{
	int i;

	printf("\nprofile: trace events, edge and level paths (tracing slows everything: compare offsets, not totals)\n");
	if (!prof_start())
		return;
	for (i = 0; i < 2; i++)
		prof_variant(&edge_vs[i], 300);
	for (i = 0; i < 3; i++)
		prof_variant(&level_vs[i], 300);
	prof_stop();
}

/* --- main ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	struct utsname u;
	int ret;

	bench_parse_cmdline(&opt);
	if (argc > 1)
		bench_parse(&opt, argv[1]);
	if (opt.rounds <= 0 || opt.block <= 0 || opt.guest_block <= 0 ||
	    opt.lines < 100 || opt.toggles <= 0 || opt.warmup < 0 ||
	    opt.guest_warmup < 0)
		die("bad options (rounds block warmup guest_block guest_warmup lines>=100 toggles)",
		    EINVAL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = edu_open(&edu);
	if (ret)
		die("edu via vfio-pci", -ret);
	dev = irqfwd_open();
	if (dev < 0)
		die(IRQFWD_DEV, errno);
	uname(&u);

	printf("irqfwd bench: Linux %s, edu %s, %ld CPU(s); medians, ratios to the first path of each group\n",
	       u.release, edu.bdf, sysconf(_SC_NPROCESSORS_ONLN));
	bench_json_open("\"kernel\":\"%s\",\"cpus\":%ld,\"rounds\":%d,\"block\":%d,\"warmup\":%d,\"guest_block\":%d,\"guest_warmup\":%d,\"lines\":%d,\"toggles\":%d",
			u.release, sysconf(_SC_NPROCESSORS_ONLN), opt.rounds,
			opt.block, opt.warmup, opt.guest_block,
			opt.guest_warmup, opt.lines, opt.toggles);

	bench_edge_level();
	if (bench_want(&opt, "scale"))
		bench_scale();
	if (bench_want(&opt, "toggle"))
		bench_toggle();
	if (bench_want(&opt, "guest"))
		bench_guest();
	if (opt.profile)
		bench_profile();
	bench_finish();

	close(dev);
	edu_close(&edu);
	return 0;
}
