// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded mode with the real parts: VFIO's irq_bypass producer on the edu
 * device's MSI trigger, KVM's irq_bypass consumer on an irqfd, and the
 * irq_bypass manager between them.  Then the invariant of the run-time
 * toggle: whatever the mode switches and masks, every interrupt the device
 * raises is delivered exactly once.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/utsname.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "irqfwd_util.h"
#include "kvm_guest.h"
#include "vfio_edu.h"

#define WAIT_MS		2000
#define MSI_GSI		24

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

/* Linux 6.1 or 6.12 (or newer): KVM's irq_bypass differs between them. */
static bool kernel_is_6_1(void)
{
	struct utsname u;

	return !uname(&u) && !strncmp(u.release, "6.1.", 4);
}

static int wait_info(int dev, __u32 id, struct irqfwd_line_info *info,
		     bool (*done)(const struct irqfwd_line_info *))
{
	uint64_t end = now_ns() + WAIT_MS * 1000000ull;
	int ret;

	for (;;) {
		ret = line_query(dev, id, info);
		if (ret || done(info) || now_ns() > end)
			return ret;
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

/*
 * Wait until the line gives @reason, then check that it still does a
 * little later: after an irq_bypass callback the registrations are
 * reconciled by a work item.  Returns 0, -ETIMEDOUT if the line never
 * gave @reason, or a query's -errno; the last query is left in @info.
 */
static int wait_reason(int dev, __u32 id, struct irqfwd_line_info *info,
		       __u32 reason)
{
	uint64_t end = now_ns() + WAIT_MS * 1000000ull;
	int ret;

	for (;;) {
		ret = line_query(dev, id, info);
		if (ret || info->reason == reason || now_ns() > end)
			break;
		usleep(1000);
	}
	if (ret)
		return ret;
	if (info->reason != reason)
		return -ETIMEDOUT;
	usleep(20000);
	return line_query(dev, id, info);
}

FIXTURE(fwd) {
	struct edu edu;
	struct line_fds f;
	int kvm;
	int vm;
};

FIXTURE_SETUP(fwd)
{
	int ret = edu_open(&self->edu);

	ASSERT_EQ(0, ret) TH_LOG("edu device via vfio-pci: %s", strerror(-ret));
	ASSERT_EQ(0, line_fds_open(&self->f));
	self->kvm = -1;
	self->vm = -1;
}

FIXTURE_TEARDOWN(fwd)
{
	line_fds_close(&self->f);
	edu_close(&self->edu);
	if (self->vm >= 0)
		close(self->vm);
	if (self->kvm >= 0)
		close(self->kvm);
}

/* A VM whose irqfd on an MSI route consumes the sink. */
static void kvm_sink(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fwd) *self)
{
	struct kvm_irqfd irqfd = { .fd = self->f.sink, .gsi = MSI_GSI };

	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kvm);
	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, ioctl(self->vm, KVM_CREATE_IRQCHIP, 0));
	ASSERT_EQ(0, kvm_msi_route(self->vm, MSI_GSI, 0x31));
	ASSERT_EQ(0, ioctl(self->vm, KVM_IRQFD, &irqfd));
}

static int fwd_line(FIXTURE_DATA(fwd) *self)
{
	struct irqfwd_line_create c;

	line_create_init(&c, self->f.source, self->f.sink, IRQFWD_TRIGGER_EDGE);
	c.mode = IRQFWD_MODE_FORWARDED;
	return line_create(self->f.dev, &c);
}

/* irqfwd learns the host IRQ from VFIO's producer: the vfio-msi IRQ. */
TEST_F(fwd, host_irq_from_vfio_producer)
{
	struct irqfwd_line_info info;
	int id, irq;

	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	irq = proc_vfio_msi_irq(self->edu.bdf);
	ASSERT_LT(0, irq);
	id = fwd_line(self);
	ASSERT_LT(0, id);

	ASSERT_EQ(0, wait_info(self->f.dev, id, &info, has_irq));
	EXPECT_EQ(irq, info.host_irq);
	EXPECT_NE(0, info.bypass & IRQFWD_LINE_BYPASS_PRODUCER);
	/* A plain eventfd sink: nobody to hand the IRQ to. */
	EXPECT_EQ(0, info.bypass & IRQFWD_LINE_BYPASS_CONSUMER);
	EXPECT_EQ(IRQFWD_MODE_FORWARDED, info.mode);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	EXPECT_EQ(IRQFWD_REASON_NO_CONSUMER, info.reason);

	/* Back to masked mode: the bypass is left, the IRQ forgotten. */
	EXPECT_EQ(IRQFWD_REASON_NONE,
		  line_set_mode(self->f.dev, id, IRQFWD_MODE_MASKED));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(0, info.host_irq);
	EXPECT_EQ(0, info.bypass);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

/* The producer may come after the line, and go while it lives. */
TEST_F(fwd, producer_comes_and_goes)
{
	struct irqfwd_line_info info;
	int id, round;

	id = fwd_line(self);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(IRQFWD_REASON_NO_PRODUCER, info.reason);

	for (round = 0; round < 20; round++) {
		ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
		ASSERT_EQ(0, wait_reason(self->f.dev, id, &info,
					 IRQFWD_REASON_NO_CONSUMER));
		EXPECT_EQ(proc_vfio_msi_irq(self->edu.bdf), info.host_irq);
		EXPECT_EQ(IRQFWD_REASON_NO_CONSUMER, info.reason);

		edu_raise(&self->edu);
		ASSERT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
		edu_ack(&self->edu);

		ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
		ASSERT_EQ(0, wait_info(self->f.dev, id, &info, has_no_irq));
		EXPECT_EQ(0, info.host_irq);
		EXPECT_EQ(IRQFWD_REASON_NO_PRODUCER, info.reason);
	}
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(20, info.stats.delivered);
}

/*
 * A KVM irqfd behind the sink.  What KVM does with the IRQ depends on the
 * kernel: 6.1 registers an irq_bypass consumer for every irqfd on x86 and
 * takes the IRQ, although QEMU's IOMMU cannot post it; 6.12 registers none
 * without APICv and IRQ posting.
 */
TEST_F(fwd, kvm_irqfd_consumer)
{
	struct irqfwd_line_info info;
	bool v61 = kernel_is_6_1();
	int id;

	kvm_sink(_metadata, self);
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	id = fwd_line(self);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, wait_reason(self->f.dev, id, &info, v61 ?
				 IRQFWD_REASON_NO_POSTING :
				 IRQFWD_REASON_NO_CONSUMER));

	EXPECT_NE(0, info.host_irq);
	EXPECT_EQ(IRQFWD_MODE_MASKED, info.effective_mode);
	if (v61) {
		EXPECT_NE(0, info.bypass & IRQFWD_LINE_BYPASS_CONSUMER);
		EXPECT_EQ(IRQFWD_REASON_NO_POSTING, info.reason);
	} else {
		EXPECT_EQ(0, info.bypass & IRQFWD_LINE_BYPASS_CONSUMER);
		EXPECT_EQ(IRQFWD_REASON_NO_CONSUMER, info.reason);
	}
	TH_LOG("%s: bypass %#x reason %u", v61 ? "6.1" : "6.12", info.bypass,
	       info.reason);

	/* Not posted, so the eventfd path carries them, into KVM. */
	ASSERT_EQ(0, edu_raise_delivered(&self->edu, self->f.dev, id, 100,
					 &info));
	EXPECT_EQ(0, efd_take(self->f.sink));

	/* Masking leaves the bypass; unmasking comes back. */
	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_MASK));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(IRQFWD_REASON_LINE_MASKED, info.reason);
	EXPECT_EQ(0, info.bypass & IRQFWD_LINE_BYPASS_CONSUMER);
	ASSERT_LE(0, line_mask(self->f.dev, id, IRQFWD_LINE_MASK_UNMASK));
	ASSERT_EQ(0, line_query(self->f.dev, id, &info));
	EXPECT_EQ(v61 ? IRQFWD_REASON_NO_POSTING : IRQFWD_REASON_NO_CONSUMER,
		  info.reason);

	/*
	 * The vector goes while KVM holds the IRQ (6.1): irqfwd takes it
	 * from KVM before VFIO frees it, without a warning from KVM.
	 */
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
	ASSERT_EQ(0, wait_info(self->f.dev, id, &info, has_no_irq));
	EXPECT_EQ(0, info.bypass);
	EXPECT_EQ(IRQFWD_REASON_NO_PRODUCER, info.reason);
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	ASSERT_EQ(0, wait_reason(self->f.dev, id, &info, v61 ?
				 IRQFWD_REASON_NO_POSTING :
				 IRQFWD_REASON_NO_CONSUMER));
	EXPECT_EQ(v61 ? IRQFWD_REASON_NO_POSTING : IRQFWD_REASON_NO_CONSUMER,
		  info.reason);
	EXPECT_NE(0, info.host_irq);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

/* KVM's irqfd going away leaves the line forwarded-in-waiting. */
TEST_F(fwd, kvm_irqfd_deassigned)
{
	struct kvm_irqfd irqfd = {
		.fd = self->f.sink,
		.gsi = MSI_GSI,
		.flags = KVM_IRQFD_FLAG_DEASSIGN,
	};
	struct irqfwd_line_info info;
	int id;

	kvm_sink(_metadata, self);
	ASSERT_EQ(0, edu_set_msi(&self->edu, self->f.source));
	id = fwd_line(self);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, wait_info(self->f.dev, id, &info, has_irq));

	ASSERT_EQ(0, ioctl(self->vm, KVM_IRQFD, &irqfd));
	ASSERT_EQ(0, wait_reason(self->f.dev, id, &info,
				 IRQFWD_REASON_NO_CONSUMER));
	EXPECT_EQ(0, info.bypass & IRQFWD_LINE_BYPASS_CONSUMER);
	EXPECT_EQ(IRQFWD_REASON_NO_CONSUMER, info.reason);

	edu_raise(&self->edu);
	EXPECT_EQ(1, efd_wait(self->f.sink, WAIT_MS));
	edu_ack(&self->edu);
	ASSERT_EQ(0, edu_set_msi(&self->edu, -1));
}

/*
 * Each raise waits for its delivery before the next, so the device's
 * interrupts never merge: delivered must equal raised exactly, whatever
 * the toggler does meanwhile.  @kvm: KVM consumes the sink, count with
 * irqfwd's counter; else read the sink.
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
		edu_raise(&self->edu);
		raised++;
		if (kvm) {
			ASSERT_EQ(0, line_wait_stat(self->f.dev, id, delivered,
						    raised, WAIT_MS, &info));
			seen = info.stats.delivered;
		} else {
			n = efd_wait(self->f.sink, WAIT_MS);
			ASSERT_LT(0, n) TH_LOG("raise %lu not delivered", raised);
			seen += n;
		}
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

	kvm_sink(_metadata, self);
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
