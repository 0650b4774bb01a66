// SPDX-License-Identifier: GPL-2.0
/*
 * Real KVM behind the sink: the edu device's interrupts go VFIO -> irqfwd
 * -> KVM irqfd (with a resamplefd for INTx) into a VM with an in-kernel
 * irqchip (x86: PIC and IOAPIC; arm64: a vGICv3 and a vITS).  Mostly there
 * is no guest to complete the interrupts here (that comes with the guest
 * end-to-end tests); what is visible from outside the VM is asserted: KVM
 * consumes the sink, the interrupt controller latches the interrupt, and
 * completing the level line unmasks it in VFIO.  On arm64 an MSI route
 * leads to the vITS, which translates only what a guest has mapped: there
 * the guest of kvm_guest_arm64.h runs and counts.
 */
#include <sched.h>
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
#define ROUNDS		200
#define LEGACY_GSI	5
#define MSI_GSI		24
#define MSI_VECTOR	0x31

#if defined(__aarch64__)
#define LEGACY_SPI	(LEGACY_GSI + 32)	/* KVM's default routing */
#define MSI_LPI		GUEST_LPI_BASE
#define MSI_DEVID	0x10
#define MSI_EVENT	0
#endif

FIXTURE(kvm) {
	struct edu edu;
	struct line_fds f;
#if defined(__aarch64__)
	struct kvm_guest guest;	/* runs only for the MSI route */
#else
	int kvm;
#endif
	int vm;
};

FIXTURE_SETUP(kvm)
{
	int ret;

#if defined(__aarch64__)
	struct guest_arm64_params p = {
		.lpi = MSI_LPI,
		.devid = MSI_DEVID,
		.event = MSI_EVENT,
	};

	ret = kvm_guest_create(&self->guest, &p);
	ASSERT_EQ(0, ret) TH_LOG("KVM VM with a vGICv3: %s", strerror(-ret));
	self->vm = self->guest.vm;
#else
	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kvm) TH_LOG("/dev/kvm: %s", strerror(errno));
	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm) TH_LOG("KVM_CREATE_VM: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->vm, KVM_CREATE_IRQCHIP, 0));
#endif

	ret = edu_open(&self->edu);
	ASSERT_EQ(0, ret) TH_LOG("edu device via vfio-pci: %s", strerror(-ret));
	ASSERT_EQ(0, line_fds_open(&self->f));
	ASSERT_LE(0, self->f.unmask);
	ASSERT_LE(0, self->f.resample);
}

FIXTURE_TEARDOWN(kvm)
{
	line_fds_close(&self->f);
	edu_close(&self->edu);
#if defined(__aarch64__)
	kvm_guest_close(&self->guest);
#else
	close(self->vm);
	close(self->kvm);
#endif
}

static int kvm_irqfd(int vm, int fd, unsigned int gsi, int resamplefd)
{
	struct kvm_irqfd irqfd = {
		.fd = fd,
		.gsi = gsi,
	};

	if (resamplefd >= 0) {
		irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = resamplefd;
	}
	return ioctl(vm, KVM_IRQFD, &irqfd) ? -errno : 0;
}

/*
 * Whether the interrupt controller has LEGACY_GSI asserted: 1, 0 or
 * -errno.  x86: the master PIC's interrupt request register.  arm64: SPI
 * LEGACY_SPI, edge (@level false: its pending latch) or level (its line).
 */
static int legacy_latched(FIXTURE_DATA(kvm) *self, bool level)
{
#if defined(__aarch64__)
	return level ? kvm_gic_spi_level(&self->guest, LEGACY_SPI) :
		       kvm_gic_spi_pending(&self->guest, LEGACY_SPI);
#else
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };

	if (ioctl(self->vm, KVM_GET_IRQCHIP, &chip))
		return -errno;
	return !!(chip.chip.pic.irr & (1 << LEGACY_GSI));
#endif
}

/* Wait up to WAIT_MS for the interrupt controller to latch LEGACY_GSI. */
static int legacy_latched_wait(FIXTURE_DATA(kvm) *self, bool level)
{
	uint64_t end = now_ns() + WAIT_MS * 1000000ull;
	int ret;

	for (;;) {
		ret = legacy_latched(self, level);
		if (ret || now_ns() > end)
			return ret;
		usleep(1000);
	}
}

/*
 * Run this thread on the CPU that takes the edu device's INTx: then an
 * assertion VFIO has not masked interrupts this thread right after the
 * write that raised it, and its VFIO handler and irqfwd's fire have run
 * before the thread's next instruction.  So "nothing fired" can be read
 * at once, without waiting for something that must not come.
 */
static int pin_to_intx_cpu(struct edu *edu)
{
	int cpu = edu_irq_cpu(edu, "intx");
	cpu_set_t set;

	if (cpu < 0)
		return cpu;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

#if !defined(__aarch64__)
/*
 * 1 if the master PIC latched LEGACY_GSI (and clear the latch, so that the
 * next interrupt latches it again), 0 if not, -errno.
 */
static int pic_irr_take(int vm)
{
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };

	if (ioctl(vm, KVM_GET_IRQCHIP, &chip))
		return -errno;
	if (!(chip.chip.pic.irr & (1 << LEGACY_GSI)))
		return 0;
	/*
	 * KVM pulses the line (1, then 0) for each signal of an irqfd on an
	 * edge GSI, from a work item; this read may fall between the two.
	 * Writing the line's level back as high would eat the next edge:
	 * write it low, as the pulse leaves it.
	 */
	chip.chip.pic.irr &= ~(1 << LEGACY_GSI);
	chip.chip.pic.last_irr &= ~(1 << LEGACY_GSI);
	return ioctl(vm, KVM_SET_IRQCHIP, &chip) ? -errno : 1;
}
#endif

/*
 * What KVM latched, taken: 1 if it latched an interrupt (the latch is
 * cleared, so that the next one latches again), 0 if not, -errno.  x86:
 * the master PIC's request for LEGACY_GSI (vcpu -1) or vCPU 0's local APIC
 * vector MSI_VECTOR; arm64: the vGIC's edge SPI LEGACY_SPI.
 */
struct latch {
#if defined(__aarch64__)
	struct kvm_guest *guest;
#else
	int vm;
	int vcpu;		/* -1: the PIC */
#endif
};

static int latch_take(const struct latch *l)
{
#if defined(__aarch64__)
	return kvm_gic_spi_pending_take(l->guest, LEGACY_SPI);
#else
	return l->vcpu < 0 ? pic_irr_take(l->vm) :
	       kvm_lapic_irr_take(l->vcpu, MSI_VECTOR);
#endif
}

/* Wait up to WAIT_MS for KVM to latch an interrupt, and take it. */
static int latch_wait(const struct latch *l)
{
	uint64_t end = now_ns() + WAIT_MS * 1000000ull;
	int ret;

	for (;;) {
		ret = latch_take(l);
		if (ret || now_ns() > end)
			return ret;
		usleep(200);
	}
}

/*
 * An edge line from the edu device's MSI to the sink, which a KVM irqfd
 * consumes; ROUNDS raises, counted on KVM's side: after each raise KVM
 * must have latched the interrupt (the latch is then cleared), and
 * nothing may be latched before a raise.  An interrupt irqfwd counts but
 * never signals fails here.
 */
static void msi_rounds(struct __test_metadata *_metadata,
		       FIXTURE_DATA(kvm) *self, const struct latch *l)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id, i, latched = 0;

	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	for (i = 1; i <= ROUNDS; i++) {
		ASSERT_EQ(0, latch_take(l)) TH_LOG("round %d", i);
		edu_raise(&self->edu);
		ASSERT_EQ(1, latch_wait(l))
			TH_LOG("round %d: KVM received nothing", i);
		latched++;
		ASSERT_EQ(0, line_wait_stat(self->f.dev, id, delivered, i,
					    WAIT_MS, &info));
		edu_ack(&self->edu);
	}
	/* Nothing latched after the last one either. */
	usleep(EFD_QUIET_MS * 1000);
	EXPECT_EQ(0, latch_take(l));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(ROUNDS, latched);
	EXPECT_EQ(ROUNDS, info.stats.fired);
	EXPECT_EQ(ROUNDS, info.stats.delivered);
	EXPECT_EQ(0, info.stats.coalesced);
	/* KVM consumed every signal of the sink. */
	EXPECT_EQ(0, efd_take(self->f.sink));
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

#if defined(__aarch64__)
/* MSI -> irqfwd -> KVM irqfd on a legacy SPI: the vGIC latches each one. */
TEST_F(kvm, msi_into_irqfd)
{
	struct latch l = { .guest = &self->guest };

	/* An edge SPI latches what the irqfd raises. */
	ASSERT_EQ(0, kvm_gic_spi_configure(&self->guest, LEGACY_SPI, false));
	ASSERT_EQ(0, kvm_irqfd(self->vm, self->f.sink, LEGACY_GSI, -1));
	msi_rounds(_metadata, self, &l);
}

static void guest_ack(void *arg)
{
	edu_ack(arg);
}

/*
 * MSI -> irqfwd -> KVM irqfd on an MSI route into the vITS, which the
 * guest has told to turn (MSI_DEVID, MSI_EVENT) into MSI_LPI: its handler
 * counts each one, and has the device acknowledged.
 */
TEST_F(kvm, msi_into_msi_route)
{
	struct kvm_guest *g = &self->guest;
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	uint64_t end;
	int i, id;

	ASSERT_EQ(0, kvm_its_msi_route(self->vm, MSI_GSI, MSI_DEVID,
				       MSI_EVENT));
	ASSERT_EQ(0, kvm_irqfd(self->vm, self->f.sink, MSI_GSI, -1));
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	ASSERT_EQ(0, kvm_guest_start(g, guest_ack, &self->edu));
	end = now_ns() + 5000 * 1000000ull;
	while (!atomic_load(&g->ready) && !atomic_load(&g->error) &&
	       now_ns() < end)
		usleep(1000);
	ASSERT_TRUE(atomic_load(&g->ready))
		TH_LOG("guest not ready, error %d", atomic_load(&g->error));
	for (i = 1; i <= ROUNDS; i++) {
		edu_raise(&self->edu);
		end = now_ns() + WAIT_MS * 1000000ull;
		while (atomic_load(&g->handled) < (unsigned long)i &&
		       !atomic_load(&g->error) && now_ns() < end)
			usleep(20);
		ASSERT_EQ(i, atomic_load(&g->handled))
			TH_LOG("guest error %d, other %lu",
			       atomic_load(&g->error), atomic_load(&g->other));
	}
	kvm_guest_stop(g);
	EXPECT_EQ(0, atomic_load(&g->error));
	EXPECT_EQ(0, atomic_load(&g->other));
	EXPECT_EQ(ROUNDS, atomic_load(&g->handled));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(ROUNDS, info.stats.fired);
	EXPECT_EQ(ROUNDS, info.stats.delivered);
	EXPECT_EQ(0, efd_take(self->f.sink));
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}
#else
/* MSI -> irqfwd -> KVM irqfd on a legacy GSI: the PIC latches each one. */
TEST_F(kvm, msi_into_irqfd)
{
	struct latch l = { .vm = self->vm, .vcpu = -1 };

	ASSERT_EQ(0, kvm_irqfd(self->vm, self->f.sink, LEGACY_GSI, -1));
	msi_rounds(_metadata, self, &l);
}

/*
 * MSI -> irqfwd -> KVM irqfd on an MSI route: vCPU 0's local APIC latches
 * the vector.
 */
TEST_F(kvm, msi_into_msi_route)
{
	struct latch l = { .vm = self->vm };

	ASSERT_EQ(0, kvm_msi_route(self->vm, MSI_GSI, MSI_VECTOR));
	l.vcpu = kvm_lapic_probe(self->vm);
	ASSERT_LE(0, l.vcpu) TH_LOG("vCPU: %s", strerror(-l.vcpu));
	ASSERT_EQ(0, kvm_irqfd(self->vm, self->f.sink, MSI_GSI, -1));
	msi_rounds(_metadata, self, &l);
	close(l.vcpu);
}
#endif

/*
 * INTx -> irqfwd -> KVM resample irqfd.  KVM holds the GSI asserted until
 * the guest completes it; without a guest, the VMM completes it with EOI,
 * and irqfwd unmasks the line in VFIO.
 */
TEST_F(kvm, intx_into_resample_irqfd)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

#if defined(__aarch64__)
	/* A level SPI holds the line until the resampler lowers it. */
	ASSERT_EQ(0, kvm_gic_spi_configure(&self->guest, LEGACY_SPI, true));
#endif
	ASSERT_EQ(0, kvm_irqfd(self->vm, self->f.sink, LEGACY_GSI,
			       self->f.resample));
	ASSERT_EQ(0, edu_set_intx(&self->edu, self->f.source, self->f.unmask));
	line_create_level(&c, self->f.source, self->f.sink, self->f.unmask,
			  self->f.resample);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	edu_raise(&self->edu);
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, delivered, 1, WAIT_MS,
				    &info));
	EXPECT_EQ(1, info.stats.delivered);
	EXPECT_EQ(IRQFWD_LINE_STATE_IN_SERVICE, info.state);
	/* KVM injects level irqfds from a work item. */
	EXPECT_EQ(1, legacy_latched_wait(self, true));
	EXPECT_EQ(0, efd_take(self->f.sink));

	/*
	 * No guest EOI, so no resample: the line stays masked.  The device
	 * asserts it again, and on this CPU an unmasked line would have
	 * fired already.
	 */
	ASSERT_EQ(0, pin_to_intx_cpu(&self->edu));
	edu_ack(&self->edu);
	edu_raise(&self->edu);
	ASSERT_NE(0, edu_irq_status(&self->edu));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(1, info.stats.fired);
	EXPECT_EQ(0, info.stats.completed);

	/* Completing unmasks; the device still asserts, so it fires again. */
	ASSERT_EQ(0, line_eoi(self->f.dev, id));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, delivered, 2, WAIT_MS,
				    &info));
	EXPECT_EQ(2, info.stats.fired);
	EXPECT_EQ(1, info.stats.unmasked);

	edu_ack(&self->edu);
	ASSERT_EQ(0, line_eoi(self->f.dev, id));
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, unmasked, 2, WAIT_MS,
				    &info));
	/* Acknowledged: the unmask finds nothing asserted. */
	EXPECT_EQ(0, edu_irq_status(&self->edu));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(2, info.stats.fired);
	EXPECT_EQ(2, info.stats.delivered);
	EXPECT_EQ(2, info.stats.completed);
	EXPECT_EQ(0, info.state);
	ASSERT_EQ(0, edu_set_intx(&self->edu, -1, -1));
}

/* KVM's irqfd going away (deassign) leaves the line working. */
TEST_F(kvm, irqfd_deassign_keeps_line)
{
	struct kvm_irqfd irqfd = {
		.fd = self->f.sink,
		.gsi = LEGACY_GSI,
		.flags = KVM_IRQFD_FLAG_DEASSIGN,
	};
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	int id;

#if defined(__aarch64__)
	ASSERT_EQ(0, kvm_gic_spi_configure(&self->guest, LEGACY_SPI, false));
#endif
	ASSERT_EQ(0, kvm_irqfd(self->vm, self->f.sink, LEGACY_GSI, -1));
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	edu_raise(&self->edu);
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, delivered, 1, WAIT_MS,
				    &info));
	/* KVM took it: the interrupt controller latched it. */
	EXPECT_EQ(1, legacy_latched_wait(self, false));
	edu_ack(&self->edu);
	EXPECT_EQ(0, efd_take(self->f.sink));

	ASSERT_EQ(0, ioctl(self->vm, KVM_IRQFD, &irqfd));
	edu_raise(&self->edu);
	/* Now nobody consumes the sink but us: one signal, no more. */
	EXPECT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	edu_ack(&self->edu);
	EXPECT_EQ(0, efd_wait(self->f.sink, EFD_QUIET_MS));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(2, info.stats.fired);
	EXPECT_EQ(2, info.stats.delivered);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

TEST_HARNESS_MAIN
