// SPDX-License-Identifier: GPL-2.0
/*
 * Real KVM behind the sink: the edu device's interrupts go VFIO -> irqfwd
 * -> KVM irqfd (with a resamplefd for INTx) into a VM with an in-kernel
 * irqchip.  There is no guest to complete the interrupts here (that comes
 * with the guest end-to-end tests); what is visible from outside the VM is
 * asserted: KVM consumes the sink, the interrupt controller latches the
 * interrupt, and completing the level line unmasks it in VFIO.
 */
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"
#include "kvm_guest.h"
#include "vfio_edu.h"

#define WAIT_MS		2000
#define ROUNDS		200
#define LEGACY_GSI	5
#define MSI_GSI		24
#define MSI_VECTOR	0x31

FIXTURE(kvm) {
	struct edu edu;
	struct line_fds f;
	int kvm;
	int vm;
};

FIXTURE_SETUP(kvm)
{
	int ret;

	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kvm) TH_LOG("/dev/kvm: %s", strerror(errno));
	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm) TH_LOG("KVM_CREATE_VM: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->vm, KVM_CREATE_IRQCHIP, 0));

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
	close(self->vm);
	close(self->kvm);
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

/* The master PIC's interrupt request register, from KVM. */
static int pic_irr(int vm, uint8_t *irr)
{
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };

	if (ioctl(vm, KVM_GET_IRQCHIP, &chip))
		return -errno;
	*irr = chip.chip.pic.irr;
	return 0;
}

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

/* Wait up to WAIT_MS for the PIC to latch LEGACY_GSI, and take it. */
static int pic_irr_take_wait(int vm)
{
	uint64_t end = now_ns() + WAIT_MS * 1000000ull;
	int ret;

	for (;;) {
		ret = pic_irr_take(vm);
		if (ret || now_ns() > end)
			return ret;
		usleep(200);
	}
}

/* Wait up to WAIT_MS for the PIC to latch LEGACY_GSI. */
static int pic_irr_wait(int vm, uint8_t *irr)
{
	uint64_t end = now_ns() + WAIT_MS * 1000000ull;
	int ret;

	for (;;) {
		ret = pic_irr(vm, irr);
		if (ret || (*irr & (1 << LEGACY_GSI)) || now_ns() > end)
			return ret;
		usleep(1000);
	}
}

/* What KVM latched: the PIC's request for LEGACY_GSI, or a vCPU's vector. */
struct latch {
	int vm;
	int vcpu;		/* -1: the PIC */
};

static int latch_take(const struct latch *l)
{
	return l->vcpu < 0 ? pic_irr_take(l->vm) :
	       kvm_lapic_irr_take(l->vcpu, MSI_VECTOR);
}

static int latch_wait(const struct latch *l)
{
	return l->vcpu < 0 ? pic_irr_take_wait(l->vm) :
	       kvm_lapic_irr_wait(l->vcpu, MSI_VECTOR, WAIT_MS);
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
	EXPECT_EQ(ROUNDS, latched);
	EXPECT_EQ(ROUNDS, info.stats.fired);
	EXPECT_EQ(ROUNDS, info.stats.delivered);
	EXPECT_EQ(0, info.stats.coalesced);
	/* KVM consumed every signal of the sink. */
	EXPECT_EQ(0, efd_take(self->f.sink));
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

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

/*
 * INTx -> irqfwd -> KVM resample irqfd.  KVM holds the GSI asserted until
 * the guest completes it; without a guest, the VMM completes it with EOI,
 * and irqfwd unmasks the line in VFIO.
 */
TEST_F(kvm, intx_into_resample_irqfd)
{
	struct irqfwd_line_create c;
	struct irqfwd_line_info info;
	uint8_t irr = 0;
	int id;

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
	ASSERT_EQ(0, pic_irr_wait(self->vm, &irr));
	EXPECT_NE(0, irr & (1 << LEGACY_GSI));
	EXPECT_EQ(0, efd_take(self->f.sink));

	/* No guest EOI, so no resample: the line stays masked. */
	edu_ack(&self->edu);
	edu_raise(&self->edu);
	usleep(50000);
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
	usleep(50000);
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

	ASSERT_EQ(0, kvm_irqfd(self->vm, self->f.sink, LEGACY_GSI, -1));
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	id = line_create(self->f.dev, &c);
	ASSERT_LT(0, id);

	edu_raise(&self->edu);
	ASSERT_EQ(0, line_wait_stat(self->f.dev, id, delivered, 1, WAIT_MS,
				    &info));
	edu_ack(&self->edu);
	EXPECT_EQ(0, efd_take(self->f.sink));

	ASSERT_EQ(0, ioctl(self->vm, KVM_IRQFD, &irqfd));
	edu_raise(&self->edu);
	/* Now nobody consumes the sink but us. */
	EXPECT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	edu_ack(&self->edu);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(2, info.stats.delivered);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

TEST_HARNESS_MAIN
