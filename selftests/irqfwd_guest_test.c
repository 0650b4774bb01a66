// SPDX-License-Identifier: GPL-2.0
/*
 * End to end, into a real guest: the edu device asserts INTx, vfio-pci
 * masks it and signals its trigger, irqfwd delivers it to a KVM resample
 * irqfd, KVM's interrupt controller raises it in the guest (x86: IRQ 5 of
 * the PIC of a real-mode guest; arm64: SPI 35, level, of a vGICv3), whose
 * handler has the device acknowledged and EOIs; KVM's resampler signals
 * the resample eventfd, irqfwd completes the line and signals VFIO's
 * unmask eventfd, and VFIO unmasks the line.  MSIs the same way through
 * an edge line into an MSI route (x86: the local APIC; arm64: the vITS,
 * which the guest has told to turn (device, event) into an LPI).  Every
 * interrupt must reach the guest's handler exactly once.
 */
#include "kselftest_harness.h"
#include "irqfwd_util.h"
#if defined(__aarch64__)
#include "kvm_guest_arm64.h"
#else
#include "kvm_guest.h"
#endif
#include "vfio_edu.h"

#define WAIT_MS		2000
#define ROUNDS		1000
#define MSI_GSI		24

#if defined(__aarch64__)
#define INTX_SPI	35			/* INTID */
#define GUEST_GSI	GUEST_SPI_GSI(INTX_SPI)
#define MSI_LPI		GUEST_LPI_BASE
#define MSI_DEVID	0x10
#define MSI_EVENT	0

static int guest_create_intx(struct kvm_guest *g)
{
	struct guest_arm64_params p = { .spi = INTX_SPI };

	return kvm_guest_create(g, &p);
}

/* The guest maps (MSI_DEVID, MSI_EVENT) to MSI_LPI; MSI_GSI goes there. */
static int guest_create_msi(struct kvm_guest *g)
{
	struct guest_arm64_params p = {
		.lpi = MSI_LPI,
		.devid = MSI_DEVID,
		.event = MSI_EVENT,
	};
	int ret = kvm_guest_create(g, &p);

	if (ret)
		return ret;
	return kvm_its_msi_route(g->vm, MSI_GSI, MSI_DEVID, MSI_EVENT);
}
#else
#define GUEST_GSI	5

static int guest_create_intx(struct kvm_guest *g)
{
	return kvm_guest_create(g, guest_intx_start,
				guest_intx_end - guest_intx_start);
}

/* Vector 0x40 of the guest's local APIC. */
static int guest_create_msi(struct kvm_guest *g)
{
	int ret = kvm_guest_create(g, guest_msi_start,
				   guest_msi_end - guest_msi_start);

	if (ret)
		return ret;
	return kvm_msi_route(g->vm, MSI_GSI, 0x40);
}
#endif

FIXTURE(guest) {
	struct edu edu;
	struct line_fds f;
	struct kvm_guest guest;
	__u32 id;
};

FIXTURE_VARIANT(guest) {
	bool toggle;	/* another thread switches modes and masks */
};

FIXTURE_VARIANT_ADD(guest, steady) {
	.toggle = false,
};

FIXTURE_VARIANT_ADD(guest, toggling) {
	.toggle = true,
};

static void guest_ack(void *arg)
{
	edu_ack(arg);
}

FIXTURE_SETUP(guest)
{
	struct kvm_irqfd irqfd;
	struct irqfwd_line_create c;
	int ret, id;

	ret = edu_open(&self->edu);
	ASSERT_EQ(0, ret) TH_LOG("edu device via vfio-pci: %s", strerror(-ret));
	ASSERT_EQ(0, edu_reset(&self->edu));
	ASSERT_EQ(0, line_fds_open(&self->f));
	ASSERT_LE(0, self->f.unmask);
	ASSERT_LE(0, self->f.resample);

	ret = guest_create_intx(&self->guest);
	ASSERT_EQ(0, ret) TH_LOG("KVM guest: %s", strerror(-ret));
	irqfd = (struct kvm_irqfd){
		.fd = self->f.sink,
		.gsi = GUEST_GSI,
		.flags = KVM_IRQFD_FLAG_RESAMPLE,
		.resamplefd = self->f.resample,
	};
	ASSERT_EQ(0, ioctl(self->guest.vm, KVM_IRQFD, &irqfd));

	ASSERT_EQ(0, edu_set_intx(&self->edu, self->f.source, self->f.unmask));
	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  self->f.resample);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	self->id = id;
}

FIXTURE_TEARDOWN(guest)
{
	edu_set_intx(&self->edu, -1, -1);
	line_fds_close(&self->f);
	kvm_guest_close(&self->guest);
	edu_close(&self->edu);
}

/*
 * Wait up to @timeout_ms until the guest has handled @n interrupts;
 * returns what it has.
 */
static unsigned long wait_handled(struct kvm_guest *g, unsigned long n,
				  int timeout_ms)
{
	uint64_t end = now_ns() + timeout_ms * 1000000ull;
	unsigned long h;

	for (;;) {
		h = atomic_load(&g->handled);
		if (h >= n || atomic_load(&g->error) || now_ns() > end)
			return h;
		usleep(20);
	}
}

/* Why the guest missed an interrupt: the line and the interrupt controller. */
static void guest_explain(struct __test_metadata *_metadata,
			  struct kvm_guest *g, int dev, __u32 id)
{
	struct irqfwd_line_info info;
#if defined(__aarch64__)
	uint32_t pend = 0, act = 0;
#else
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct kvm_lapic_state lapic;
#endif

	line_query(dev, id, &info);
	TH_LOG("line fired %llu delivered %llu completed %llu unmasked %llu state %#x reason %u effective %u",
	       (unsigned long long)info.stats.fired,
	       (unsigned long long)info.stats.delivered,
	       (unsigned long long)info.stats.completed,
	       (unsigned long long)info.stats.unmasked, info.state,
	       info.reason, info.effective_mode);
#if defined(__aarch64__)
	/* SPIs 32-63: GICD_ISPENDR1, GICD_ISACTIVER1. */
	kvm_gicd_read(g, 0x204, &pend);
	kvm_gicd_read(g, 0x304, &act);
	TH_LOG("gic spi pending %#x active %#x; guest error %d exception %#llx spurious %lu other %lu",
	       pend, act, atomic_load(&g->error),
	       (unsigned long long)atomic_load(&g->exception),
	       atomic_load(&g->spurious), atomic_load(&g->other));
#else
	ioctl(g->vm, KVM_GET_IRQCHIP, &chip);
	ioctl(g->vcpu, KVM_GET_LAPIC, &lapic);
	TH_LOG("pic irr %#x isr %#x; apic isr[64] %#x irr[64] %#x; guest error %d spurious %lu phantom %lu",
	       chip.chip.pic.irr, chip.chip.pic.isr,
	       *(uint32_t *)&lapic.regs[0x120], *(uint32_t *)&lapic.regs[0x220],
	       atomic_load(&g->error), atomic_load(&g->spurious),
	       atomic_load(&g->phantom));
#endif
}

/*
 * Start the guest, raise ROUNDS interrupts one after the other, each
 * handled by the guest before the next, optionally while a toggler works
 * the line; returns the microseconds per round trip.  A lost (or extra)
 * interrupt ends the rounds at once: the toggler and the vCPU are
 * stopped, the counts logged, and the test fails.
 */
static double guest_rounds(struct __test_metadata *_metadata,
			   struct kvm_guest *g, struct edu *edu, int dev,
			   __u32 id, struct toggler *t, bool modes,
			   void (*ready)(struct __test_metadata *, int, __u32))
{
	unsigned long i, handled = 0, lost = 0;
	uint64_t t0, t1;

	ASSERT_EQ(0, kvm_guest_start(g, guest_ack, edu));
	for (i = 0; i < 5000 && !atomic_load(&g->ready); i++)
		usleep(1000);
	ASSERT_TRUE(atomic_load(&g->ready))
		TH_LOG("guest not ready, error %d", atomic_load(&g->error));
	if (ready)
		ready(_metadata, dev, id);
	if (t)
		toggler_start(t, dev, id, modes);

	t0 = now_ns();
	for (i = 1; i <= ROUNDS && !lost; i++) {
		edu_raise(edu);
		handled = wait_handled(g, i, WAIT_MS);
		if (handled != i)
			lost = i;
	}
	t1 = now_ns();
	/* Nothing after the last one, while the vCPU still runs. */
	if (!lost)
		handled = wait_handled(g, ROUNDS + 1, 100);
	if (t) {
		toggler_stop(t);
		TH_LOG("toggles %lu masks %lu", t->toggles, t->masks);
		EXPECT_EQ(0, atomic_load(&t->errors));
		EXPECT_LT(0, t->masks);
	}
	kvm_guest_stop(g);
	/*
	 * Explained with the vCPU out of KVM_RUN: KVM_GET_LAPIC (and the
	 * vGIC's registers) wait for that, and a halted vCPU that lost its
	 * interrupt never leaves it.
	 */
	if (lost)
		guest_explain(_metadata, g, dev, id);
	ASSERT_EQ(0, lost)
		TH_LOG("round %lu: the guest handled %lu", lost, handled);
	EXPECT_EQ(ROUNDS, handled)
		TH_LOG("the guest handled %lu after the last round", handled);
	if (t)
		ASSERT_LE(0, line_mask(dev, id, IRQFWD_LINE_MASK_UNMASK));
	/*
	 * Whatever irqfwd signalled more is in its delivered counter, which
	 * the caller checks; nothing else feeds the guest.
	 */
	EXPECT_EQ(0, atomic_load(&g->error));
	EXPECT_EQ(ROUNDS, atomic_load(&g->handled));
#if defined(__aarch64__)
	EXPECT_EQ(0, atomic_load(&g->other));
	TH_LOG("guest: %lu handled, %lu spurious, %lu of other INTIDs",
	       atomic_load(&g->handled), atomic_load(&g->spurious),
	       atomic_load(&g->other));
#else
	TH_LOG("guest: %lu handled, %lu spurious interrupts, %lu phantom entries",
	       atomic_load(&g->handled), atomic_load(&g->spurious),
	       atomic_load(&g->phantom));
	/*
	 * Other vectors (the PIC's IRQ 7 when a level line falls between its
	 * request and the acknowledge): none seen in the lanes.  Phantom
	 * entries, the emulated nested guest entering its handler again
	 * for an interrupt it acknowledged once: 23 to 521 per 1,000 seen
	 * (521 with two lanes side by side).  They are the emulator's, not
	 * irqfwd's (handled is exact above); bound them at one per
	 * interrupt.
	 */
	EXPECT_GE(ROUNDS / 100, atomic_load(&g->spurious));
	EXPECT_GE(ROUNDS, atomic_load(&g->phantom));
#endif
	return (t1 - t0) / 1000.0 / ROUNDS;
}

TEST_F_TIMEOUT(guest, intx_into_guest_handler, 300)
{
	struct irqfwd_line_info info;
	struct toggler t;
	double us;

	/* Level lines never pair with KVM: modes and masks both toggle. */
	us = guest_rounds(_metadata, &self->guest, &self->edu, self->f.dev,
			  self->id, variant->toggle ? &t : NULL, true, NULL);
	ASSERT_EQ(0, line_wait_stat(self->f.dev, self->id, unmasked, ROUNDS,
				    WAIT_MS, &info));
	TH_LOG("INTx raised %d: delivered %llu completed %llu unmasked %llu%s; %.0f us per round trip",
	       ROUNDS, (unsigned long long)info.stats.delivered,
	       (unsigned long long)info.stats.completed,
	       (unsigned long long)info.stats.unmasked,
	       variant->toggle ? ", while toggling" : "", us);
	EXPECT_EQ(ROUNDS, info.stats.fired);
	EXPECT_EQ(ROUNDS, info.stats.delivered);
	EXPECT_EQ(ROUNDS, info.stats.completed);
	EXPECT_EQ(ROUNDS, info.stats.unmasked);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_EQ(0, info.state);
}

/* MSI: VFIO trigger -> irqfwd edge line -> KVM irqfd on an MSI route. */
FIXTURE(msi_guest) {
	struct edu edu;
	struct line_fds f;
	struct kvm_guest guest;
	__u32 id;
};

FIXTURE_VARIANT(msi_guest) {
	bool toggle;	/* another thread masks and unmasks */
	bool modes;	/* and switches modes */
	bool forward;	/* forwarded mode once the guest is ready */
};

FIXTURE_VARIANT_ADD(msi_guest, steady) {
	.toggle = false,
};

FIXTURE_VARIANT_ADD(msi_guest, masking) {
	.toggle = true,
};

FIXTURE_VARIANT_ADD(msi_guest, toggling) {
	.toggle = true,
	.modes = true,
};

FIXTURE_VARIANT_ADD(msi_guest, forwarded) {
	.forward = true,
};

FIXTURE_SETUP(msi_guest)
{
	struct kvm_irqfd irqfd;
	struct irqfwd_line_create c;
	int ret, id;

	ret = edu_open(&self->edu);
	ASSERT_EQ(0, ret) TH_LOG("edu device via vfio-pci: %s", strerror(-ret));
	ASSERT_EQ(0, edu_reset(&self->edu));
	ASSERT_EQ(0, line_fds_open(&self->f));

	ret = guest_create_msi(&self->guest);
	ASSERT_EQ(0, ret) TH_LOG("KVM guest: %s", strerror(-ret));
	irqfd = (struct kvm_irqfd){ .fd = self->f.sink, .gsi = MSI_GSI };
	ASSERT_EQ(0, ioctl(self->guest.vm, KVM_IRQFD, &irqfd));

	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	self->id = id;
}

FIXTURE_TEARDOWN(msi_guest)
{
	edu_set_msi(&self->edu, -1);
	line_fds_close(&self->f);
	kvm_guest_close(&self->guest);
	edu_close(&self->edu);
}

/*
 * Forwarded mode, asked for once the guest has mapped the event (on arm64
 * the vITS must know it before KVM could take the IRQ).  irqfwd refuses
 * it on every kernel: the line meets VFIO's producer and runs masked,
 * reason no-handover, and the guest's count must be exact all the same.
 */
static void msi_forward(struct __test_metadata *_metadata, int dev, __u32 id)
{
	struct irqfwd_line_info info;
	int ret;

	ret = line_set_mode(dev, id, IRQFWD_MODE_FORWARDED);
	ASSERT_LE(0, ret);
	ASSERT_EQ(0, line_query(dev, id, &info));
	TH_LOG("forwarded asked: reason %d, effective mode %u, bypass %#x",
	       ret, info.effective_mode, info.bypass);
	EXPECT_EQ(IRQFWD_REASON_NO_HANDOVER, ret);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	EXPECT_EQ(IRQFWD_LINE_BYPASS_PRODUCER, info.bypass);
}

TEST_F_TIMEOUT(msi_guest, msi_into_guest_handler, 300)
{
	struct irqfwd_line_info info;
	long long host0, host;
	struct toggler t;
	double us;

	/*
	 * Forwarded mode is refused (it runs masked), so in every variant
	 * the host takes each MSI, the line fires and delivers it, and the
	 * guest handles it: exactly ROUNDS of each.
	 */
	host0 = edu_msi_host_count(&self->edu);
	ASSERT_LE(0, host0);
	us = guest_rounds(_metadata, &self->guest, &self->edu, self->f.dev,
			  self->id, variant->toggle ? &t : NULL, variant->modes,
			  variant->forward ? msi_forward : NULL);
	host = edu_msi_host_count(&self->edu) - host0;
	ASSERT_EQ(0, line_query(self->f.dev, self->id, &info));
	TH_LOG("MSI raised %d: host took %lld, line delivered %llu%s; %.0f us per round trip",
	       ROUNDS, host, (unsigned long long)info.stats.delivered,
	       variant->forward ? ", forwarded" :
	       !variant->toggle ? "" : variant->modes ? ", while toggling" :
	       ", while masking", us);
	EXPECT_EQ(ROUNDS, host);
	EXPECT_EQ(ROUNDS, info.stats.fired);
	EXPECT_EQ(ROUNDS, info.stats.delivered);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_EQ(0, info.state);
}

TEST_HARNESS_MAIN
