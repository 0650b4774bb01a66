// SPDX-License-Identifier: GPL-2.0
/*
 * End to end, into a real guest: the edu device asserts INTx, vfio-pci
 * masks it and signals its trigger, irqfwd delivers it to a KVM resample
 * irqfd, KVM's PIC raises IRQ 5 in a real-mode guest, whose ISR has the
 * device acknowledged and EOIs the PIC; KVM's resampler signals the
 * resample eventfd, irqfwd completes the line and signals VFIO's unmask
 * eventfd, and VFIO unmasks the line.  Every assertion must reach the
 * guest's handler exactly once.
 */
#include "kselftest_harness.h"
#include "irqfwd_util.h"
#include "kvm_guest.h"
#include "vfio_edu.h"

#define WAIT_MS		2000
#define ROUNDS		1000
#define GUEST_GSI	5

FIXTURE(guest) {
	struct edu edu;
	struct kvm_guest guest;
	int dev;
	int source;
	int sink;
	int unmask;
	int resample;
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
	self->dev = irqfwd_open();
	self->source = new_eventfd();
	self->sink = new_eventfd();
	self->unmask = new_eventfd();
	self->resample = new_eventfd();
	ASSERT_LE(0, self->dev);
	ASSERT_LE(0, self->source);
	ASSERT_LE(0, self->sink);
	ASSERT_LE(0, self->unmask);
	ASSERT_LE(0, self->resample);

	ret = kvm_guest_create(&self->guest, guest_intx_start,
			       guest_intx_end - guest_intx_start);
	ASSERT_EQ(0, ret) TH_LOG("KVM guest: %s", strerror(-ret));
	irqfd = (struct kvm_irqfd){
		.fd = self->sink,
		.gsi = GUEST_GSI,
		.flags = KVM_IRQFD_FLAG_RESAMPLE,
		.resamplefd = self->resample,
	};
	ASSERT_EQ(0, ioctl(self->guest.vm, KVM_IRQFD, &irqfd));

	ASSERT_EQ(0, edu_set_intx(&self->edu, self->source, self->unmask));
	line_create_level(&c, self->source, self->sink, self->unmask,
			  self->resample);
	id = line_create(self->dev, &c);
	ASSERT_LT(0, id);
	self->id = id;
}

FIXTURE_TEARDOWN(guest)
{
	edu_set_intx(&self->edu, -1, -1);
	close(self->dev);
	kvm_guest_close(&self->guest);
	edu_close(&self->edu);
	close(self->resample);
	close(self->unmask);
	close(self->sink);
	close(self->source);
}

/* Wait until the guest has handled @n interrupts; returns what it has. */
static unsigned long wait_handled(struct kvm_guest *g, unsigned long n)
{
	uint64_t end = now_ns() + WAIT_MS * 1000000ull;
	unsigned long h;

	for (;;) {
		h = atomic_load(&g->handled);
		if (h >= n || atomic_load(&g->error) || now_ns() > end)
			return h;
		usleep(20);
	}
}

TEST_F_TIMEOUT(guest, intx_into_guest_handler, 300)
{
	struct irqfwd_line_info info;
	struct toggler t;
	unsigned long i, handled = 0;
	uint64_t t0, t1;

	ASSERT_EQ(0, kvm_guest_start(&self->guest, guest_ack, &self->edu));
	for (i = 0; i < 5000 && !atomic_load(&self->guest.ready); i++)
		usleep(1000);
	ASSERT_TRUE(atomic_load(&self->guest.ready))
		TH_LOG("guest not ready, error %d",
		       atomic_load(&self->guest.error));
	if (variant->toggle)
		toggler_start(&t, self->dev, self->id, true);

	t0 = now_ns();
	for (i = 1; i <= ROUNDS; i++) {
		edu_raise(&self->edu);
		handled = wait_handled(&self->guest, i);
		if (handled != i) {
			struct kvm_irqchip chip = {
				.chip_id = KVM_IRQCHIP_PIC_MASTER };

			line_query(self->dev, self->id, &info);
			ioctl(self->guest.vm, KVM_GET_IRQCHIP, &chip);
			TH_LOG("pic irr %#x isr %#x imr %#x elcr %#x; spurious %lu phantom %lu",
			       chip.chip.pic.irr, chip.chip.pic.isr,
			       chip.chip.pic.imr, chip.chip.pic.elcr,
			       atomic_load(&self->guest.spurious),
			       atomic_load(&self->guest.phantom));
		}
		ASSERT_EQ(i, handled)
			TH_LOG("guest error %d; line fired %llu delivered %llu completed %llu unmasked %llu spurious %llu",
			       atomic_load(&self->guest.error),
			       (unsigned long long)info.stats.fired,
			       (unsigned long long)info.stats.delivered,
			       (unsigned long long)info.stats.completed,
			       (unsigned long long)info.stats.unmasked,
			       (unsigned long long)info.stats.spurious);
	}
	t1 = now_ns();
	if (variant->toggle) {
		toggler_stop(&t);
		ASSERT_LE(0, line_mask(self->dev, self->id,
				       IRQFWD_LINE_MASK_UNMASK));
	}
	ASSERT_EQ(0, line_wait_stat(self->dev, self->id, unmasked, ROUNDS,
				    WAIT_MS, &info));
	/* Nothing more comes. */
	usleep(50000);
	kvm_guest_stop(&self->guest);
	EXPECT_EQ(0, atomic_load(&self->guest.error));
	EXPECT_EQ(ROUNDS, atomic_load(&self->guest.handled));

	ASSERT_EQ(0, line_query(self->dev, self->id, &info));
	TH_LOG("guest: %lu spurious interrupts, %lu phantom entries",
	       atomic_load(&self->guest.spurious),
	       atomic_load(&self->guest.phantom));
	TH_LOG("raised %d, guest handled %lu, delivered %llu completed %llu unmasked %llu spurious %llu%s; %.0f us per round trip",
	       ROUNDS, atomic_load(&self->guest.handled),
	       (unsigned long long)info.stats.delivered,
	       (unsigned long long)info.stats.completed,
	       (unsigned long long)info.stats.unmasked,
	       (unsigned long long)info.stats.spurious,
	       variant->toggle ? ", while toggling" : "",
	       (t1 - t0) / 1000.0 / ROUNDS);
	if (variant->toggle)
		TH_LOG("toggles %lu masks %lu", t.toggles, t.masks);
	EXPECT_EQ(ROUNDS, info.stats.fired);
	EXPECT_EQ(ROUNDS, info.stats.delivered);
	EXPECT_EQ(ROUNDS, info.stats.completed);
	EXPECT_EQ(ROUNDS, info.stats.unmasked);
	EXPECT_EQ(0, info.stats.coalesced);
	EXPECT_EQ(0, info.state);
	if (variant->toggle) {
		EXPECT_EQ(0, atomic_load(&t.errors));
		EXPECT_LT(0, t.toggles);
	}
}

TEST_HARNESS_MAIN
