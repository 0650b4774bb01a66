// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded mode with the real parts: VFIO's irq_bypass producer on the edu
 * device's MSI trigger, KVM's irqfd and its irq_bypass consumer, and the
 * irq_bypass manager between them.  irqfwd meets VFIO's producer and
 * hands its IRQ to no one (module/bypass.c says why).  Then the invariant
 * of the run-time toggle: whatever the mode switches and masks, every
 * interrupt the device raises is delivered exactly once.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/utsname.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"
#if defined(__aarch64__)
#include "kvm_guest_arm64.h"
#else
#include "kvm_guest.h"
#endif
#include "vfio_edu.h"

#define WAIT_MS		2000
#if defined(__aarch64__)
#define KVM_GSI		5
#define KVM_SPI		(KVM_GSI + 32)	/* KVM's default routing */
#else
#define KVM_GSI		24
#define MSI_VECTOR	0x31
#endif

/* The host IRQ /proc/interrupts shows for the edu device's MSI, or -1. */
static int proc_vfio_msi_irq(const char *bdf)
{
	char line[512], name[64];
	int irq = -1;
	FILE *f;

	snprintf(name, sizeof(name), "vfio-msi[0](%s)", bdf);
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, name)) {
			irq = atoi(line);
			break;
		}
	}
	fclose(f);
	return irq;
}

/*
 * Does KVM register an irq_bypass consumer for every irqfd on this host?
 * Linux 6.1 does on x86, and arm64 always does; newer x86 kernels only
 * with APICv and IRQ posting, which QEMU's emulation has not.
 */
static bool kvm_always_registers_consumer(void)
{
	struct utsname u;

	if (uname(&u))
		return false;
	return !strcmp(u.machine, "aarch64") || !strncmp(u.release, "6.1.", 4);
}

static int wait_info(int dev, __u32 id, struct irqfwd_line_info *info,
		     bool (*done)(const struct irqfwd_line_info *))
{
	uint64_t end = now_ns() + WAIT_MS * 1000000ull;
	int ret;

	for (;;) {
		ret = line_query(dev, id, info);
		if (ret || done(info))
			return ret;
		if (now_ns() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

static bool has_irq(const struct irqfwd_line_info *info)
{
	return info->host_irq != 0;
}

static bool has_no_irq(const struct irqfwd_line_info *info)
{
	return info->host_irq == 0;
}

FIXTURE(fwd) {
	struct edu edu;
	struct line_fds f;
#if defined(__aarch64__)
	struct kvm_guest guest;	/* never runs: its vGIC latches the irqfd */
#else
	int kvm;
	int vcpu;
#endif
	int vm;
};

FIXTURE_SETUP(fwd)
{
	int ret = edu_open(&self->edu);

	ASSERT_EQ(0, ret) TH_LOG("edu device via vfio-pci: %s", strerror(-ret));
	ASSERT_EQ(0, line_fds_open(&self->f));
	self->vm = -1;
#if !defined(__aarch64__)
	self->kvm = -1;
	self->vcpu = -1;
#endif
}

FIXTURE_TEARDOWN(fwd)
{
	line_fds_close(&self->f);
	edu_close(&self->edu);
#if defined(__aarch64__)
	if (self->vm >= 0)
		kvm_guest_close(&self->guest);
#else
	if (self->vcpu >= 0)
		close(self->vcpu);
	if (self->vm >= 0)
		close(self->vm);
	if (self->kvm >= 0)
		close(self->kvm);
#endif
}

/*
 * A VM whose in-kernel interrupt controller latches what KVM_GSI
 * receives, and an irqfd of @fd on KVM_GSI.  x86: an MSI route to vCPU
 * 0's local APIC (kvm_lapic_probe()), latched in its IRR.  arm64: a vGICv3
 * (kvm_guest_create(); the vCPU never runs), KVM_GSI its edge SPI KVM_SPI,
 * latched in the distributor's pending bits.
 */
static void kvm_irqfd(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fwd) *self, int fd)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = KVM_GSI };
#if defined(__aarch64__)
	struct guest_arm64_params params = { 0 };
	int ret;

	ret = kvm_guest_create(&self->guest, &params);
	ASSERT_EQ(0, ret) TH_LOG("KVM VM with a vGICv3: %s", strerror(-ret));
	self->vm = self->guest.vm;
	ASSERT_EQ(0, kvm_gic_spi_configure(&self->guest, KVM_SPI, false));
#else
	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kvm);
	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, ioctl(self->vm, KVM_CREATE_IRQCHIP, 0));
	ASSERT_EQ(0, kvm_msi_route(self->vm, KVM_GSI, MSI_VECTOR));
	self->vcpu = kvm_lapic_probe(self->vm);
	ASSERT_LE(0, self->vcpu);
#endif
	ASSERT_EQ(0, ioctl(self->vm, KVM_IRQFD, &irqfd));
}

/*
 * 1 if KVM latched an interrupt on KVM_GSI since the last take (the latch
 * is cleared, so that the next one latches again), 0 if not, -errno.
 */
static int kvm_take(FIXTURE_DATA(fwd) *self)
{
#if defined(__aarch64__)
	return kvm_gic_spi_pending_take(&self->guest, KVM_SPI);
#else
	return kvm_lapic_irr_take(self->vcpu, MSI_VECTOR);
#endif
}

/* Wait up to WAIT_MS for KVM to latch an interrupt, and take it. */
static int kvm_take_wait(FIXTURE_DATA(fwd) *self)
{
	uint64_t end = now_ns() + WAIT_MS * 1000000ull;
	int ret;

	for (;;) {
		ret = kvm_take(self);
		if (ret || now_ns() > end)
			return ret;
		usleep(200);
	}
}

/*
 * Raise @n interrupts, each received by KVM (latched by its interrupt
 * controller, then taken) before the next, with nothing latched before a
 * raise.
 */
static void raise_into_kvm(struct __test_metadata *_metadata,
			   FIXTURE_DATA(fwd) *self, int n)
{
	int i;

	for (i = 1; i <= n; i++) {
		ASSERT_EQ(0, kvm_take(self)) TH_LOG("raise %d", i);
		edu_raise(&self->edu);
		ASSERT_EQ(1, kvm_take_wait(self))
			TH_LOG("raise %d: KVM received nothing", i);
		edu_ack(&self->edu);
	}
}

static int fwd_line(FIXTURE_DATA(fwd) *self)
{
	struct irqfwd_line_create c;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	c.mode = IRQFWD_MODE_FORWARDED;
	return line_create(self->f.dev, &c);
}

/* Forwarded mode is not offered: the capability is off. */
TEST_F(fwd, no_forwarded_capability)
{
	struct irqfwd_info info = { .argsz = sizeof(info) };

	ASSERT_EQ(0, irqfwd_ioctl(self->f.dev, IRQFWD_GET_INFO, &info));
	EXPECT_EQ(0, info.caps & IRQFWD_CAP_FORWARDED);
}

/*
 * irqfwd learns the host IRQ from VFIO's producer (the vfio-msi IRQ) and
 * hands it to no one: the line stays masked, reason no-handover.
 */
TEST_F(fwd, host_irq_from_vfio_producer)
{
	struct irqfwd_line_info info;
	int id, irq;

	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	irq = proc_vfio_msi_irq(self->edu.bdf);
	ASSERT_LT(0, irq);
	id = fwd_line(self);
	ASSERT_LT(0, id);

	/* The consumer is registered before LINE_CREATE returns. */
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(irq, info.host_irq);
	EXPECT_EQ(IRQFWD_LINE_BYPASS_PRODUCER, info.bypass);
	EXPECT_EQ(IRQFWD_MODE_FORWARDED, info.mode);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	EXPECT_EQ(IRQFWD_REASON_NO_HANDOVER, info.reason);

	/* Relayed exactly as in masked mode. */
	edu_raise(&self->edu);
	ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	edu_ack(&self->edu);

	/* Back to masked mode: the consumer goes, the IRQ is forgotten. */
	EXPECT_EQ(IRQFWD_REASON_NONE,
		  line_set_mode(self->f.dev, id, IRQFWD_MODE_MASKED));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.host_irq);
	EXPECT_EQ(0, info.bypass);
	EXPECT_EQ(IRQFWD_REASON_NO_HANDOVER,
		  line_set_mode(self->f.dev, id, IRQFWD_MODE_FORWARDED));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(irq, info.host_irq);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

/*
 * VFIO's producer vanishes under a live forwarded line, again and again:
 * the VMM disables the vector (VFIO unregisters its producer and frees
 * the IRQ) and enables it again, with interrupts in between.  With @kvm,
 * a KVM irqfd consumes the sink, and where KVM registers an irq_bypass
 * consumer for it, that consumer is live all along; irqfwd never pairs
 * with it.  Each enabled round delivers exactly one interrupt.
 */
static void producer_vanishes(struct __test_metadata *_metadata,
			      FIXTURE_DATA(fwd) *self, bool kvm)
{
	struct irqfwd_line_info info;
	const int rounds = 100;
	int id, round, irq;

	if (kvm)
		kvm_irqfd(_metadata, self, self->f.sink);
	id = fwd_line(self);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(IRQFWD_REASON_NO_PRODUCER, info.reason);

	for (round = 0; round < rounds; round++) {
		ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
		irq = proc_vfio_msi_irq(self->edu.bdf);
		ASSERT_EQ(0, line_query(self->f.dev, id, &info));
		ASSERT_EQ(irq, info.host_irq) TH_LOG("round %d", round);
		ASSERT_EQ(IRQFWD_REASON_NO_HANDOVER, info.reason);
		ASSERT_EQ(IRQFWD_LINE_BYPASS_PRODUCER, info.bypass);

		if (kvm) {
			raise_into_kvm(_metadata, self, 1);
		} else {
			edu_raise(&self->edu);
			ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS))
				TH_LOG("round %d", round);
			edu_ack(&self->edu);
		}

		ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
		ASSERT_EQ(0, line_query(self->f.dev, id, &info));
		ASSERT_EQ(0, info.host_irq) TH_LOG("round %d", round);
		ASSERT_EQ(0, info.bypass);
		ASSERT_EQ(IRQFWD_REASON_NO_PRODUCER, info.reason);
	}
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(rounds, info.stats.fired);
	EXPECT_EQ(rounds, info.stats.delivered);
	if (!kvm)
		EXPECT_EQ(0, efd_take(self->f.sink));
}

TEST_F(fwd, producer_vanishes)
{
	producer_vanishes(_metadata, self, false);
}

TEST_F(fwd, producer_vanishes_kvm_sink)
{
	producer_vanishes(_metadata, self, true);
}

/*
 * A KVM irqfd behind the sink: whether or not KVM registered an
 * irq_bypass consumer on it, irqfwd does not pair with it, and relays.
 */
TEST_F(fwd, kvm_irqfd_consumer)
{
	struct irqfwd_line_info info;
	int id;

	kvm_irqfd(_metadata, self, self->f.sink);
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	id = fwd_line(self);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_NE(0, info.host_irq);
	EXPECT_EQ(IRQFWD_LINE_BYPASS_PRODUCER, info.bypass);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	EXPECT_EQ(IRQFWD_REASON_NO_HANDOVER, info.reason);

	/* KVM consumes the sink: it reads it before we can. */
	raise_into_kvm(_metadata, self, 100);
	EXPECT_EQ(0, efd_take(self->f.sink));

	/* Masking changes nothing about the reason. */
	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(IRQFWD_REASON_NO_HANDOVER, info.reason);
	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK));
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

/*
 * KVM's irqfd goes away: the sink is a plain eventfd again, and the
 * interrupts that KVM consumed before now reach its reader.
 */
TEST_F(fwd, kvm_irqfd_deassigned)
{
	struct kvm_irqfd irqfd = {
		.fd = self->f.sink,
		.gsi = KVM_GSI,
		.flags = KVM_IRQFD_FLAG_DEASSIGN,
	};
	struct irqfwd_line_info info;
	int id;

	kvm_irqfd(_metadata, self, self->f.sink);
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	id = fwd_line(self);
	ASSERT_LT(0, id);

	raise_into_kvm(_metadata, self, 1);
	EXPECT_EQ(0, efd_take(self->f.sink));

	ASSERT_EQ(0, ioctl(self->vm, KVM_IRQFD, &irqfd));
	edu_raise(&self->edu);
	EXPECT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	edu_ack(&self->edu);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(2, info.stats.delivered);
	EXPECT_EQ(IRQFWD_REASON_NO_HANDOVER, info.reason);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

/*
 * Another irq_bypass consumer on the source: the VMM made the VFIO
 * trigger a KVM irqfd as well (upstream's direct pairing).  Where KVM
 * registers a consumer for it, irqfwd's is refused: source-busy.
 * Elsewhere nothing is in the way.  Nothing fails for VFIO either way:
 * its producer registers, and the line still sees the host IRQ once
 * the other consumer is gone.
 */
TEST_F(fwd, source_busy)
{
	struct kvm_irqfd deassign = {
		.fd = self->f.source,
		.gsi = KVM_GSI,
		.flags = KVM_IRQFD_FLAG_DEASSIGN,
	};
	bool busy = kvm_always_registers_consumer();
	struct irqfwd_line_info info;
	int id;

	kvm_irqfd(_metadata, self, self->f.source);
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	id = fwd_line(self);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(busy ? IRQFWD_REASON_SOURCE_BUSY : IRQFWD_REASON_NO_HANDOVER,
		  info.reason);
	EXPECT_EQ(busy ? 0 : IRQFWD_LINE_BYPASS_PRODUCER, info.bypass);

	/* The other consumer goes; asking again registers ours. */
	ASSERT_EQ(0, ioctl(self->vm, KVM_IRQFD, &deassign));
	EXPECT_EQ(IRQFWD_REASON_NONE,
		  line_set_mode(self->f.dev, id, IRQFWD_MODE_MASKED));
	EXPECT_EQ(IRQFWD_REASON_NO_HANDOVER,
		  line_set_mode(self->f.dev, id, IRQFWD_MODE_FORWARDED));
	ASSERT_EQ(0, wait_info(self->f.dev, id, &info, has_irq));
	EXPECT_EQ(proc_vfio_msi_irq(self->edu.bdf), info.host_irq);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
	ASSERT_EQ(0, wait_info(self->f.dev, id, &info, has_no_irq));
}

/*
 * Each raise waits for its delivery before the next, so the device's
 * interrupts never merge: delivered must equal raised exactly, whatever
 * the toggler does meanwhile.  @kvm: KVM consumes the sink, and what it
 * received is counted at its interrupt controller (kvm_irqfd()); else
 * read the sink.
 */
static void toggle_stress(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fwd) *self, __u32 id, bool level,
			  unsigned long min_raises, bool kvm)
{
	struct irqfwd_line_info info;
	unsigned long raised = 0;
	uint64_t seen = 0;
	struct toggler t;
	int64_t n;

	toggler_start(&t, self->f.dev, id, true);
	while (raised < min_raises || t.toggles < 1000 || t.masks < 1000) {
		if (kvm)
			ASSERT_EQ(0, kvm_take(self))
				TH_LOG("KVM received an extra interrupt before raise %lu",
				       raised + 1);
		edu_raise(&self->edu);
		raised++;
		if (kvm) {
			n = kvm_take_wait(self);
			ASSERT_EQ(1, n) TH_LOG("raise %lu not received by KVM",
					       raised);
			ASSERT_EQ(0, line_wait_stat(self->f.dev, id, delivered,
						    raised, WAIT_MS, &info));
		} else {
			n = efd_wait(self->f.sink, WAIT_MS);
			ASSERT_LT(0, n) TH_LOG("raise %lu not delivered", raised);
		}
		seen += n;
		ASSERT_EQ(raised, seen);
		edu_ack(&self->edu);
		if (level)
			ASSERT_EQ(0, line_eoi(self->f.dev, id));
	}
	toggler_stop(&t);
	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK));
	if (level)
		ASSERT_EQ(0, line_wait_stat(self->f.dev, id, unmasked, raised,
					    WAIT_MS, &info));
	usleep(10000);
	if (!kvm)
		EXPECT_EQ(0, efd_take(self->f.sink));

	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	TH_LOG("%s: raised %lu delivered %llu pending %d fired %llu coalesced %llu toggles %lu masks %lu",
	       level ? "INTx" : kvm ? "MSI into KVM" : "MSI", raised,
	       (unsigned long long)info.stats.delivered,
	       !!(info.state & IRQFWD_LINE_STATE_PENDING),
	       (unsigned long long)info.stats.fired,
	       (unsigned long long)info.stats.coalesced, t.toggles, t.masks);
	EXPECT_EQ(raised, info.stats.delivered +
		  !!(info.state & IRQFWD_LINE_STATE_PENDING));
	EXPECT_EQ(raised, info.stats.fired);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_EQ(0, info.stats.cleared);
	EXPECT_EQ(0, atomic_load(&t.errors));
	EXPECT_LE(1000, t.toggles);
	EXPECT_LE(1000, t.masks);
}

TEST_F_TIMEOUT(fwd, toggle_stress_msi, 600)
{
	int id;

	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	id = fwd_line(self);
	ASSERT_LT(0, id);
	toggle_stress(_metadata, self, id, false, 100000, false);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

TEST_F_TIMEOUT(fwd, toggle_stress_msi_into_kvm, 600)
{
	int id;

	kvm_irqfd(_metadata, self, self->f.sink);
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	id = fwd_line(self);
	ASSERT_LT(0, id);
	toggle_stress(_metadata, self, id, false, 10000, true);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

TEST_F_TIMEOUT(fwd, toggle_stress_intx, 600)
{
	struct irqfwd_line_create c;
	int id;

	ASSERT_EQ(0, edu_set_intx(&self->edu, self->f.source, self->f.unmask));
	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask, -1);
	c.mode = IRQFWD_MODE_FORWARDED;
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);
	toggle_stress(_metadata, self, id, true, 20000, false);
	ASSERT_EQ(0, edu_set_intx(&self->edu, -1, -1));
}

TEST_HARNESS_MAIN
