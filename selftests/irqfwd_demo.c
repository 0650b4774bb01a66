// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwd demo: the edu device's MSIs and INTx assertions, through vfio-pci
 * and irqfwd lines into a KVM VM's irqfds, with the lines' counters printed
 * as they move.  Run by `make demo` inside the test VM.
 */
#include <linux/kvm.h>

#include "irqfwd_util.h"
#if defined(__aarch64__)
#include "kvm_guest_arm64.h"
#endif
#include "vfio_edu.h"

#define GSI	5

static void die(const char *what, int err)
{
	fprintf(stderr, "irqfwd_demo: %s: %s\n", what, strerror(err));
	exit(1);
}

static void print_line(int dev, __u32 id, const char *name)
{
	struct irqfwd_line_info info;
	int ret = line_query(dev, id, &info);

	if (ret)
		die("IRQFWD_LINE_QUERY", -ret);
	printf("  line %-2u %-5s %-5s %-6s fired %6llu delivered %6llu coalesced %4llu completed %6llu unmasked %6llu%s\n",
	       id, name,
	       info.trigger == IRQFWD_TRIGGER_LEVEL ? "level" : "edge",
	       info.effective_mode == IRQFWD_MODE_MASKED ? "masked" : "fwd",
	       (unsigned long long)info.stats.fired,
	       (unsigned long long)info.stats.delivered,
	       (unsigned long long)info.stats.coalesced,
	       (unsigned long long)info.stats.completed,
	       (unsigned long long)info.stats.unmasked,
	       info.state & IRQFWD_LINE_STATE_IN_SERVICE ? " in-service" : "");
}

/*
 * Run $IRQFWD_DEMO_HOOK while the lines exist: the test VM's init shows
 * them from outside with irqfwdctl.  Returns 0, or 1 if it failed.
 */
static int demo_hook(void)
{
	const char *hook = getenv("IRQFWD_DEMO_HOOK");

	if (!hook || !*hook)
		return 0;
	printf("irqfwd demo: $ %s\n", hook);
	fflush(stdout);
	if (system(hook)) {
		fprintf(stderr, "irqfwd_demo: '%s' failed\n", hook);
		return 1;
	}
	return 0;
}

/*
 * A VM with an in-kernel interrupt controller and an irqfd on GSI: x86's
 * PIC and IOAPIC; on arm64 a vGICv3 (KVM refuses KVM_CREATE_IRQCHIP's
 * GICv2 on a GICv3 host), from the tests' guest library, its vCPU never
 * run: GSI is SPI 37 there, edge for the MSI and level for INTx.
 */
struct demo_vm {
#if defined(__aarch64__)
	struct kvm_guest g;
#else
	int kvm;
#endif
	int vm;
};

static void kvm_vm_with_irqfd(struct demo_vm *v, int sink, int resample)
{
	struct kvm_irqfd irqfd = { .fd = sink, .gsi = GSI };
#if defined(__aarch64__)
	struct guest_arm64_params p = { 0 };
	int ret = kvm_guest_create(&v->g, &p);

	if (ret)
		die("KVM VM with a vGICv3", -ret);
	v->vm = v->g.vm;
	/* SPIs start edge-triggered: INTx is level, as a guest would set. */
	ret = kvm_gic_spi_configure(&v->g, GSI + 32, resample >= 0);
	if (ret)
		die("GICD_ICFGR", -ret);
#else
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		die("/dev/kvm", errno);
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0 || ioctl(v->vm, KVM_CREATE_IRQCHIP, 0))
		die("KVM VM", errno);
#endif
	if (resample >= 0) {
		irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = resample;
	}
	if (ioctl(v->vm, KVM_IRQFD, &irqfd))
		die("KVM_IRQFD", errno);
}

static void kvm_vm_close(struct demo_vm *v)
{
#if defined(__aarch64__)
	kvm_guest_close(&v->g);
#else
	close(v->vm);
	close(v->kvm);
#endif
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 500;
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int dev, src, sink, unmask, resample, i, ret, hook_failed;
	struct demo_vm vm;
	struct edu edu;
	__u32 id;

	ret = edu_open(&edu);
	if (ret)
		die("edu via vfio-pci", -ret);
	dev = irqfwd_open();
	if (dev < 0)
		die(IRQFWD_DEV, errno);
	printf("irqfwd demo: edu device %s via vfio-pci, %d interrupts per line\n",
	       edu.bdf, n);

	/* MSI: VFIO trigger -> irqfwd edge line -> KVM irqfd. */
	src = new_eventfd();
	sink = new_eventfd();
	kvm_vm_with_irqfd(&vm, sink, -1);
	if (edu_set_msi(&edu, src))
		die("VFIO MSI", errno);
	line_create_init(&c, src, sink, IRQFWD_TRIGGER_EDGE);
	ret = line_create(dev, &c);
	if (ret < 0)
		die("IRQFWD_LINE_CREATE", -ret);
	id = ret;
	for (i = 1; i <= n; i++) {
		edu_raise(&edu);
		line_wait_stat(dev, id, delivered, i, 2000, &info);
		edu_ack(&edu);
		if (i % (n / 5 ? n / 5 : 1) == 0)
			print_line(dev, id, "msi");
	}
	hook_failed = demo_hook();
	line_destroy(dev, id);
	edu_set_msi(&edu, -1);
	kvm_vm_close(&vm);
	close(sink);
	close(src);

	/*
	 * INTx: VFIO trigger (automasked) -> irqfwd level line -> KVM
	 * resample irqfd; completion (EOI here, there is no guest) ->
	 * VFIO unmask eventfd.
	 */
	src = new_eventfd();
	sink = new_eventfd();
	unmask = new_eventfd();
	resample = new_eventfd();
	kvm_vm_with_irqfd(&vm, sink, resample);
	if (edu_set_intx(&edu, src, unmask))
		die("VFIO INTx", errno);
	line_create_level(&c, src, sink, unmask, resample);
	ret = line_create(dev, &c);
	if (ret < 0)
		die("IRQFWD_LINE_CREATE", -ret);
	id = ret;
	for (i = 1; i <= n; i++) {
		edu_raise(&edu);
		line_wait_stat(dev, id, delivered, i, 2000, &info);
		edu_ack(&edu);
		line_eoi(dev, id);
		line_wait_stat(dev, id, unmasked, i, 2000, &info);
		if (i % (n / 5 ? n / 5 : 1) == 0)
			print_line(dev, id, "intx");
	}
	hook_failed |= demo_hook();
	ret = info.stats.delivered == (unsigned int)n &&
	      info.stats.unmasked == (unsigned int)n && !hook_failed ? 0 : 1;
	printf("irqfwd demo: %s\n", ret ? "FAILED" : "every interrupt forwarded");
	close(dev);
	kvm_vm_close(&vm);
	edu_close(&edu);
	return ret;
}
