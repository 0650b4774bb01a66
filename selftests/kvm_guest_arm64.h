/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal arm64 KVM guest for the end-to-end tests, what kvm_guest.h is
 * for x86: one vCPU at EL1 with its MMU off, a vGICv3 and a vITS in the
 * kernel, and a few hundred bytes of code.  The guest sets its interrupt
 * controller up as a driver would: its vector table, the ICC system
 * registers, an SPI configured level in the distributor and, for MSIs, its
 * redistributor's LPI tables and the ITS (device and collection tables, a
 * command queue with MAPD, MAPC, MAPTI, INVALL and SYNC mapping (devid,
 * event) to an LPI).  Then it waits for interrupts.
 *
 * The guest talks to the test through MMIO exits: stores to an address no
 * memory slot covers, GUEST_MMIO + one of
 *
 *   GUEST_MMIO_READY       the guest has set its interrupt controller up
 *   GUEST_MMIO_ACK         its handler asks the VMM to acknowledge the
 *                          device (edu's interrupt acknowledge register),
 *                          before it EOIs, as a driver would; data: INTID
 *   GUEST_MMIO_HANDLED     its handler handled one interrupt (after EOI)
 *   GUEST_MMIO_SPURIOUS    ICC_IAR1_EL1 gave a special INTID (1020-1023)
 *   GUEST_MMIO_EXCEPTION   an exception other than IRQ: data is the vector
 *                          offset << 32 | ESR_EL1; the guest stops
 *
 * An INTID the test did not configure counts as "other" and is not
 * acknowledged.  The vCPU thread and struct kvm_guest are as on x86, so a
 * test can use either with few #ifdefs.
 *
 * Guest physical memory: 1 MiB of RAM at GUEST_RAM holding the code, the
 * parameters the guest reads (struct guest_arm64_params), the LPI
 * configuration and pending tables, the ITS tables and command queue, and
 * the stack; the GIC's distributor, ITS and redistributor where QEMU's virt
 * machine has them.
 */
#ifndef KVM_GUEST_ARM64_H
#define KVM_GUEST_ARM64_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#define GUEST_GICD		0x08000000	/* 64 KiB */
#define GUEST_ITS		0x08080000	/* 128 KiB */
#define GUEST_GICR		0x080a0000	/* 128 KiB for the one vCPU */
#define GUEST_MMIO		0x0a000000	/* no memory: exits */
#define GUEST_RAM		0x40000000
#define GUEST_MEM_SIZE		0x100000

/* Inside the RAM. */
#define GUEST_PARAMS		(GUEST_RAM + 0xf000)
#define GUEST_LPI_PROP		(GUEST_RAM + 0x10000)
#define GUEST_LPI_PEND		(GUEST_RAM + 0x20000)
#define GUEST_ITS_DEVICES	(GUEST_RAM + 0x30000)
#define GUEST_ITS_COLLECTIONS	(GUEST_RAM + 0x40000)
#define GUEST_ITS_CMDQ		(GUEST_RAM + 0x50000)
#define GUEST_ITS_ITT		(GUEST_RAM + 0x60000)
#define GUEST_STACK_TOP		(GUEST_RAM + 0x80000)

#define GUEST_MMIO_READY	0x00
#define GUEST_MMIO_ACK		0x08
#define GUEST_MMIO_HANDLED	0x10
#define GUEST_MMIO_SPURIOUS	0x18
#define GUEST_MMIO_EXCEPTION	0x20

/* The guest's redistributor has 14 interrupt ID bits: LPIs 8192-16383. */
#define GUEST_LPI_ID_BITS	14
#define GUEST_LPI_BASE		8192
/* The ITT the guest gives its device: 8 event ID bits. */
#define GUEST_ITS_EVENT_BITS	8
/* The vGIC's interrupts: SGIs, PPIs and 32 SPIs (INTIDs 32-63). */
#define GUEST_NR_IRQS		64
/* KVM's default routing: GSI n is SPI n, INTID 32 + n. */
#define GUEST_SPI_GSI(intid)	((intid) - 32)

/* What the guest sets up; written to GUEST_PARAMS before it starts. */
struct guest_arm64_params {
	uint32_t spi;		/* INTID 32..63 to enable, level; 0: none */
	uint32_t lpi;		/* INTID of the LPI to map; 0: no LPIs */
	uint32_t devid;		/* the ITS device ID the LPI is mapped for */
	uint32_t event;		/* and its event ID (< 256) */
};

#define GUEST_P_SPI		0
#define GUEST_P_LPI		4
#define GUEST_P_DEVID		8
#define GUEST_P_EVENT		12

#define GUEST_STR_(x)		#x
#define GUEST_STR(x)		GUEST_STR_(x)

/* ICC system registers, by encoding (any assembler takes these). */
#define GUEST_ICC_IAR1		"S3_0_C12_C12_0"
#define GUEST_ICC_EOIR1		"S3_0_C12_C12_1"
#define GUEST_ICC_SRE		"S3_0_C12_C12_5"
#define GUEST_ICC_IGRPEN1	"S3_0_C12_C12_7"
#define GUEST_ICC_PMR		"S3_0_C4_C6_0"

/*
 * The guest.  Its vector table comes first (VBAR_EL1 wants 2 KiB
 * alignment: the blob is copied to GUEST_RAM), the entry point at
 * guest_arm64_entry.  x19 holds the parameters, x20 the distributor, x21
 * the redistributor, x22 the ITS, x23 the command queue's write offset,
 * x24 the command queue.  With the MMU off every access is to Device
 * memory: aligned accesses only, no exclusives; every MMIO exit is a plain
 * str (no writeback), which KVM can decode.
 *
 * The labels C uses are global and hidden: the compiler (PIE) reaches
 * extern data through the GOT, where the assembler would turn local
 * labels into one entry for the section's start.
 */
#define GUEST_HIDDEN	__attribute__((visibility("hidden")))
extern const uint8_t guest_arm64_start[] GUEST_HIDDEN,
	guest_arm64_entry[] GUEST_HIDDEN, guest_arm64_end[] GUEST_HIDDEN;
asm(
"	.pushsection .rodata.irqfwd_guest_arm64, \"a\"\n"
"	.globl guest_arm64_start, guest_arm64_entry, guest_arm64_end\n"
"	.hidden guest_arm64_start, guest_arm64_entry, guest_arm64_end\n"
"	.balign 2048\n"
"guest_arm64_start:\n"
	/* Vectors: current EL with SP_EL0, then with SP_ELx, then lower
	 * ELs; each sync, IRQ, FIQ, SError.  Only IRQ with SP_ELx (0x280)
	 * is expected.
	 */
"	.irp vec, 0x000, 0x080, 0x100, 0x180, 0x200\n"
"	.balign 128\n"
"	mov x0, #\\vec\n"
"	b guest_arm64_exception\n"
"	.endr\n"
"	.balign 128\n"			/* 0x280: IRQ, current EL, SP_ELx */
"	b guest_arm64_irq\n"
"	.irp vec, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780\n"
"	.balign 128\n"
"	mov x0, #\\vec\n"
"	b guest_arm64_exception\n"
"	.endr\n"
"	.balign 128\n"

"guest_arm64_entry:\n"
"	ldr x0, =" GUEST_STR(GUEST_STACK_TOP) "\n"
"	mov sp, x0\n"
"	adr x0, guest_arm64_start\n"
"	msr vbar_el1, x0\n"
"	isb\n"
	/* CPU interface: system registers, every priority, group 1. */
"	mrs x0, " GUEST_ICC_SRE "\n"
"	orr x0, x0, #1\n"
"	msr " GUEST_ICC_SRE ", x0\n"
"	isb\n"
"	mov x0, #0xff\n"
"	msr " GUEST_ICC_PMR ", x0\n"
"	mov x0, #1\n"
"	msr " GUEST_ICC_IGRPEN1 ", x0\n"
"	isb\n"
"	ldr x19, =" GUEST_STR(GUEST_PARAMS) "\n"
"	ldr x20, =" GUEST_STR(GUEST_GICD) "\n"
"	ldr x21, =" GUEST_STR(GUEST_GICR) "\n"
"	ldr x22, =" GUEST_STR(GUEST_ITS) "\n"
	/* Distributor: affinity routing, group 1 enabled. */
"	mov w0, #0x12\n"
"	str w0, [x20]\n"			/* GICD_CTLR */
"1:	ldr w0, [x20]\n"
"	tbnz w0, #31, 1b\n"			/* RWP */
	/* Redistributor: awake. */
"	ldr w0, [x21, #0x14]\n"			/* GICR_WAKER */
"	bic w0, w0, #2\n"			/* ProcessorSleep */
"	str w0, [x21, #0x14]\n"
"1:	ldr w0, [x21, #0x14]\n"
"	tbnz w0, #2, 1b\n"			/* ChildrenAsleep */

	/* The SPI: group 1, priority 0xa0, level, to this CPU, enabled. */
"	ldr w1, [x19, #" GUEST_STR(GUEST_P_SPI) "]\n"
"	cbz w1, 2f\n"
"	lsr w2, w1, #5\n"			/* register of 32 bits */
"	and w3, w1, #31\n"
"	mov w4, #1\n"
"	lsl w4, w4, w3\n"			/* its bit */
"	add x5, x20, #0x80\n"			/* GICD_IGROUPR */
"	ldr w6, [x5, x2, lsl #2]\n"
"	orr w6, w6, w4\n"
"	str w6, [x5, x2, lsl #2]\n"
"	add x5, x20, #0x400\n"			/* GICD_IPRIORITYR */
"	mov w6, #0xa0\n"
"	strb w6, [x5, x1]\n"
"	lsr w2, w1, #4\n"			/* GICD_ICFGR: 2 bits each */
"	and w3, w1, #15\n"
"	lsl w3, w3, #1\n"
"	add w3, w3, #1\n"			/* the edge bit */
"	mov w6, #1\n"
"	lsl w6, w6, w3\n"
"	add x5, x20, #0xc00\n"
"	ldr w7, [x5, x2, lsl #2]\n"
"	bic w7, w7, w6\n"			/* level */
"	str w7, [x5, x2, lsl #2]\n"
"	add x5, x20, #0x6000\n"			/* GICD_IROUTER: Aff 0.0.0.0 */
"	str xzr, [x5, x1, lsl #3]\n"
"	lsr w2, w1, #5\n"
"	add x5, x20, #0x100\n"			/* GICD_ISENABLER */
"	str w4, [x5, x2, lsl #2]\n"
"1:	ldr w0, [x20]\n"
"	tbnz w0, #31, 1b\n"			/* RWP */

	/* LPIs: the configuration table entry, then the tables. */
"2:	ldr w1, [x19, #" GUEST_STR(GUEST_P_LPI) "]\n"
"	cbz w1, 3f\n"
"	ldr x5, =" GUEST_STR(GUEST_LPI_PROP) "\n"
"	sub w6, w1, #" GUEST_STR(GUEST_LPI_BASE) "\n"
"	mov w7, #0xa1\n"			/* priority 0xa0, enabled */
"	strb w7, [x5, x6]\n"
"	ldr x0, =" GUEST_STR(GUEST_LPI_PROP) " + " GUEST_STR(GUEST_LPI_ID_BITS) " - 1\n"
"	str x0, [x21, #0x70]\n"			/* GICR_PROPBASER */
"	ldr x0, =" GUEST_STR(GUEST_LPI_PEND) " | (1 << 62)\n" /* PTZ */
"	str x0, [x21, #0x78]\n"			/* GICR_PENDBASER */
"	dsb sy\n"
"	ldr w0, [x21]\n"
"	orr w0, w0, #1\n"			/* GICR_CTLR.EnableLPIs */
"	str w0, [x21]\n"
	/* The ITS: flat device (BASER0) and collection (BASER1) tables
	 * of one 64 KiB page each, a 4 KiB command queue, enabled.
	 */
"	ldr x0, =" GUEST_STR(GUEST_ITS_DEVICES) " | (1 << 63)\n"
"	str x0, [x22, #0x100]\n"		/* GITS_BASER0 */
"	ldr x0, =" GUEST_STR(GUEST_ITS_COLLECTIONS) " | (1 << 63)\n"
"	str x0, [x22, #0x108]\n"		/* GITS_BASER1 */
"	ldr x24, =" GUEST_STR(GUEST_ITS_CMDQ) "\n"
"	orr x0, x24, #(1 << 63)\n"
"	str x0, [x22, #0x80]\n"			/* GITS_CBASER */
"	mov x23, #0\n"
"	str x23, [x22, #0x88]\n"		/* GITS_CWRITER */
"	mov w0, #1\n"
"	str w0, [x22]\n"			/* GITS_CTLR.Enabled */
	/* MAPD: devid -> the ITT, valid. */
"	ldr w3, [x19, #" GUEST_STR(GUEST_P_DEVID) "]\n"
"	mov x0, #0x08\n"
"	orr x0, x0, x3, lsl #32\n"
"	mov x1, #(" GUEST_STR(GUEST_ITS_EVENT_BITS) " - 1)\n"
"	ldr x2, =" GUEST_STR(GUEST_ITS_ITT) " | (1 << 63)\n"
"	mov x3, #0\n"
"	bl guest_arm64_its_cmd\n"
	/* MAPC: collection 0 -> this CPU (processor number 0), valid. */
"	mov x0, #0x09\n"
"	mov x1, #0\n"
"	mov x2, #(1 << 63)\n"
"	mov x3, #0\n"
"	bl guest_arm64_its_cmd\n"
	/* MAPTI: (devid, event) -> the LPI, collection 0. */
"	ldr w3, [x19, #" GUEST_STR(GUEST_P_DEVID) "]\n"
"	mov x0, #0x0a\n"
"	orr x0, x0, x3, lsl #32\n"
"	ldr w1, [x19, #" GUEST_STR(GUEST_P_EVENT) "]\n"
"	ldr w2, [x19, #" GUEST_STR(GUEST_P_LPI) "]\n"
"	orr x1, x1, x2, lsl #32\n"
"	mov x2, #0\n"
"	mov x3, #0\n"
"	bl guest_arm64_its_cmd\n"
	/* INVALL: collection 0 reads its configuration again. */
"	mov x0, #0x0d\n"
"	mov x1, #0\n"
"	mov x2, #0\n"
"	mov x3, #0\n"
"	bl guest_arm64_its_cmd\n"
	/* SYNC: redistributor 0. */
"	mov x0, #0x05\n"
"	mov x1, #0\n"
"	mov x2, #0\n"
"	mov x3, #0\n"
"	bl guest_arm64_its_cmd\n"

"3:	ldr x1, =" GUEST_STR(GUEST_MMIO) "\n"
"	mov w0, #1\n"
"	str w0, [x1, #" GUEST_STR(GUEST_MMIO_READY) "]\n"
"	msr daifclr, #2\n"			/* IRQs on */
"4:	wfi\n"
"	b 4b\n"

	/* One ITS command (x0-x3) into the queue; wait until it is read. */
"guest_arm64_its_cmd:\n"
"	add x4, x24, x23\n"
"	str x0, [x4]\n"
"	str x1, [x4, #8]\n"
"	str x2, [x4, #16]\n"
"	str x3, [x4, #24]\n"
"	dsb sy\n"
"	add x23, x23, #32\n"
"	and x23, x23, #0xfff\n"			/* wrap: one 4 KiB page */
"	str x23, [x22, #0x88]\n"		/* GITS_CWRITER */
"1:	ldr x4, [x22, #0x90]\n"			/* GITS_CREADR */
"	cmp x4, x23\n"
"	b.ne 1b\n"
"	ret\n"

	/* IRQ: acknowledge, have the device acknowledged, EOI, report.
	 * INTIDs 1020-1023 are special (1023: nothing pending); LPIs are
	 * 8192 and up.
	 */
"guest_arm64_irq:\n"
"	stp x0, x1, [sp, #-32]!\n"
"	str x2, [sp, #16]\n"
"	ldr x1, =" GUEST_STR(GUEST_MMIO) "\n"
"	mrs x0, " GUEST_ICC_IAR1 "\n"
"	sub w2, w0, #1020\n"
"	cmp w2, #4\n"
"	b.lo 1f\n"
"	str w0, [x1, #" GUEST_STR(GUEST_MMIO_ACK) "]\n"
"	msr " GUEST_ICC_EOIR1 ", x0\n"
"	isb\n"
"	str w0, [x1, #" GUEST_STR(GUEST_MMIO_HANDLED) "]\n"
"	b 2f\n"
"1:	str w0, [x1, #" GUEST_STR(GUEST_MMIO_SPURIOUS) "]\n"
"2:	ldr x2, [sp, #16]\n"
"	ldp x0, x1, [sp], #32\n"
"	eret\n"

	/* Anything else: report the vector and ESR_EL1, stop. */
"guest_arm64_exception:\n"
"	mrs x1, esr_el1\n"
"	orr x0, x1, x0, lsl #32\n"
"	ldr x1, =" GUEST_STR(GUEST_MMIO) "\n"
"	str x0, [x1, #" GUEST_STR(GUEST_MMIO_EXCEPTION) "]\n"
"1:	wfi\n"
"	b 1b\n"
"	.ltorg\n"
"guest_arm64_end:\n"
"	.popsection\n"
);

struct kvm_guest {
	int kvm;
	int vm;
	int vcpu;
	int gic;		/* the vGICv3 device */
	int its;		/* the vITS device */
	void *mem;
	struct kvm_run *run;
	size_t run_size;
	struct guest_arm64_params params;
	pthread_t thread;
	atomic_bool stop;
	atomic_bool ready;
	atomic_ulong handled;	/* interrupts of the configured INTIDs */
	atomic_ulong spurious;	/* ICC_IAR1_EL1 gave 1020-1023 */
	atomic_ulong other;	/* an INTID that was not configured */
	atomic_ulong phantom;	/* x86's, always 0 here */
	atomic_int error;	/* unexpected exit reason, or -errno */
	atomic_ullong exception; /* GUEST_MMIO_EXCEPTION's data */
	void (*ack)(void *arg);	/* GUEST_MMIO_ACK */
	void *ack_arg;
};

static inline int kvm_dev_attr(int fd, bool set, uint32_t group,
			       uint64_t attr, void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uintptr_t)val,
	};

	return ioctl(fd, set ? KVM_SET_DEVICE_ATTR : KVM_GET_DEVICE_ATTR, &a) ?
		-errno : 0;
}

/* A 32-bit distributor register, as the guest would see it. */
static inline int kvm_gicd_read(struct kvm_guest *g, uint32_t off,
				uint32_t *val)
{
	return kvm_dev_attr(g->gic, false, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
			    off, val);
}

static inline int kvm_gicd_write(struct kvm_guest *g, uint32_t off,
				 uint32_t val)
{
	return kvm_dev_attr(g->gic, true, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
			    off, &val);
}

/*
 * SPI @intid of the vGIC, as the VMM sees it (every vCPU must be out of
 * KVM_RUN, else -EBUSY): its pending latch (an edge SPI that was raised),
 * and the level of its line (a level SPI held asserted).  1, 0 or -errno.
 */
static inline int kvm_gic_spi_pending(struct kvm_guest *g, unsigned int intid)
{
	uint32_t val;
	int ret;

	ret = kvm_gicd_read(g, 0x200 + intid / 32 * 4, &val); /* ISPENDR */
	return ret ? ret : !!(val & (1u << (intid % 32)));
}

/*
 * Take the pending latch of edge SPI @intid: 1 if it was set (and clear
 * it, so that the next edge latches again), 0 if not, -errno (-EIO: it
 * would not clear).  Every vCPU must be out of KVM_RUN.  How a VMM clears
 * a pending bit differs between kernels: some take a GICD_ICPENDR write,
 * others ignore it from userspace and set the latch to the GICD_ISPENDR
 * value written (a restore); do both, and check.
 */
static inline int kvm_gic_spi_pending_take(struct kvm_guest *g,
					   unsigned int intid)
{
	uint32_t off = intid / 32 * 4, bit = 1u << (intid % 32), val;
	int ret;

	ret = kvm_gicd_read(g, 0x200 + off, &val);		/* ISPENDR */
	if (ret || !(val & bit))
		return ret;
	ret = kvm_gicd_write(g, 0x280 + off, bit);		/* ICPENDR */
	if (!ret)
		ret = kvm_gicd_write(g, 0x200 + off, val & ~bit);
	if (!ret)
		ret = kvm_gicd_read(g, 0x200 + off, &val);
	if (ret)
		return ret;
	return val & bit ? -EIO : 1;
}

static inline int kvm_gic_spi_level(struct kvm_guest *g, unsigned int intid)
{
	uint32_t val;
	int ret;

	ret = kvm_dev_attr(g->gic, false, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
			   (uint64_t)VGIC_LEVEL_INFO_LINE_LEVEL <<
			   KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT |
			   (intid & ~31u), &val);
	return ret ? ret : !!(val & (1u << (intid % 32)));
}

/*
 * Configure SPI @intid edge- or level-triggered, as a guest would
 * (GICD_ICFGR).  KVM starts every SPI edge-triggered.
 */
static inline int kvm_gic_spi_configure(struct kvm_guest *g,
					unsigned int intid, bool level)
{
	uint32_t off = 0xc00 + intid / 16 * 4, edge = 2u << (intid % 16 * 2);
	uint32_t val;
	int ret;

	ret = kvm_gicd_read(g, off, &val);
	if (ret)
		return ret;
	return kvm_gicd_write(g, off, level ? val & ~edge : val | edge);
}

/*
 * Replace the VM's GSI routing with one MSI route: @gsi to the vITS's
 * GITS_TRANSLATER, device @devid, event @event.
 */
static inline int kvm_its_msi_route(int vm, unsigned int gsi, uint32_t devid,
				    uint32_t event)
{
	uint64_t translater = GUEST_ITS + 0x10040;
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} routing = {
		.r.nr = 1,
		.e[0] = {
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_MSI,
			.flags = KVM_MSI_VALID_DEVID,
			.u.msi = {
				.address_lo = (uint32_t)translater,
				.address_hi = (uint32_t)(translater >> 32),
				.data = event,
				.devid = devid,
			},
		},
	};

	return ioctl(vm, KVM_SET_GSI_ROUTING, &routing) ? -errno : 0;
}

static inline bool kvm_guest_configured(struct kvm_guest *g, uint32_t intid)
{
	return intid && (intid == g->params.spi || intid == g->params.lpi);
}

static inline void kvm_guest_mmio(struct kvm_guest *g, struct kvm_run *run)
{
	uint64_t off = run->mmio.phys_addr - GUEST_MMIO;
	uint64_t data = 0;

	if (!run->mmio.is_write || run->mmio.len > 8) {
		/* Nothing to read there. */
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		atomic_store(&g->error, 2000 + (int)off);
		return;
	}
	memcpy(&data, run->mmio.data, run->mmio.len);
	switch (off) {
	case GUEST_MMIO_READY:
		atomic_store(&g->ready, true);
		break;
	case GUEST_MMIO_ACK:
		if (kvm_guest_configured(g, data) && g->ack)
			g->ack(g->ack_arg);
		break;
	case GUEST_MMIO_HANDLED:
		if (kvm_guest_configured(g, data))
			atomic_fetch_add(&g->handled, 1);
		else
			atomic_fetch_add(&g->other, 1);
		break;
	case GUEST_MMIO_SPURIOUS:
		atomic_fetch_add(&g->spurious, 1);
		break;
	case GUEST_MMIO_EXCEPTION:
		atomic_store(&g->exception, data);
		atomic_store(&g->error, 3000 + (int)(data >> 32));
		break;
	default:
		atomic_store(&g->error, 2000 + (int)off);
		break;
	}
}

/*
 * One exit of the guest's vCPU, handled: false if it was none the guest
 * makes or the guest reported an error (g->error says which), and the
 * vCPU must stop.
 */
static inline bool kvm_guest_exit(struct kvm_guest *g, struct kvm_run *run)
{
	if (run->exit_reason != KVM_EXIT_MMIO ||
	    run->mmio.phys_addr < GUEST_MMIO ||
	    run->mmio.phys_addr >= GUEST_MMIO + 0x1000) {
		atomic_store(&g->error, (int)run->exit_reason);
		return false;
	}
	kvm_guest_mmio(g, run);
	return !atomic_load(&g->error);
}

static inline void kvm_guest_close(struct kvm_guest *g)
{
	if (g->run)
		munmap(g->run, g->run_size);
	if (g->its >= 0)
		close(g->its);
	if (g->gic >= 0)
		close(g->gic);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->vm >= 0)
		close(g->vm);
	if (g->kvm >= 0)
		close(g->kvm);
	if (g->mem)
		munmap(g->mem, GUEST_MEM_SIZE);
	g->run = NULL;
	g->mem = NULL;
	g->kvm = g->vm = g->vcpu = g->gic = g->its = -1;
}

/*
 * A VM with a vGICv3, a vITS and one vCPU that will run the guest above
 * with @params.  Returns 0 or -errno; the vCPU starts with
 * kvm_guest_start(), so that routes and irqfds can be set up first (the
 * vGIC is initialized already: KVM_IRQFD wants that).  A VM that never
 * runs serves as an interrupt controller for irqfds on its own.
 */
static inline int kvm_guest_create(struct kvm_guest *g,
				   const struct guest_arm64_params *params)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = GUEST_RAM,
		.memory_size = GUEST_MEM_SIZE,
	};
	struct kvm_create_device dev = { 0 };
	struct kvm_vcpu_init init;
	uint64_t addr, pc = GUEST_RAM + (guest_arm64_entry - guest_arm64_start);
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		      KVM_REG_ARM_CORE_REG(regs.pc),
		.addr = (uintptr_t)&pc,
	};
	uint32_t nr_irqs = GUEST_NR_IRQS;
	int ret, size, ipa, type = 0;

	memset(g, 0, sizeof(*g));
	g->kvm = g->vm = g->vcpu = g->gic = g->its = -1;
	g->params = *params;

	g->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm < 0)
		goto err;
	/* The default 40-bit IPA space, or what the host has if less. */
	ipa = ioctl(g->kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	if (ipa > 0)
		type = KVM_VM_TYPE_ARM_IPA_SIZE(ipa < 40 ? ipa : 40);
	g->vm = ioctl(g->kvm, KVM_CREATE_VM, type);
	if (g->vm < 0)
		goto err;

	g->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		goto err;
	}
	memcpy(g->mem, guest_arm64_start, guest_arm64_end - guest_arm64_start);
	memcpy((uint8_t *)g->mem + (GUEST_PARAMS - GUEST_RAM), params,
	       sizeof(*params));
	region.userspace_addr = (uintptr_t)g->mem;
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &region))
		goto err;

	/* The vGICv3: its frames, before the vCPU. */
	dev.type = KVM_DEV_TYPE_ARM_VGIC_V3;
	if (ioctl(g->vm, KVM_CREATE_DEVICE, &dev))
		goto err;
	g->gic = dev.fd;
	addr = GUEST_GICD;
	ret = kvm_dev_attr(g->gic, true, KVM_DEV_ARM_VGIC_GRP_ADDR,
			   KVM_VGIC_V3_ADDR_TYPE_DIST, &addr);
	if (ret)
		goto err_ret;
	addr = GUEST_GICR;
	ret = kvm_dev_attr(g->gic, true, KVM_DEV_ARM_VGIC_GRP_ADDR,
			   KVM_VGIC_V3_ADDR_TYPE_REDIST, &addr);
	if (ret)
		goto err_ret;

	g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0)
		goto err;
	memset(&init, 0, sizeof(init));
	if (ioctl(g->vm, KVM_ARM_PREFERRED_TARGET, &init))
		goto err;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(g->vcpu, KVM_ARM_VCPU_INIT, &init))
		goto err;
	if (ioctl(g->vcpu, KVM_SET_ONE_REG, &reg))
		goto err;
	size = ioctl(g->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		goto err;
	g->run_size = size;
	g->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->vcpu, 0);
	if (g->run == MAP_FAILED) {
		g->run = NULL;
		goto err;
	}

	/* Its interrupts, and the vGIC initialized, now that the vCPU is. */
	ret = kvm_dev_attr(g->gic, true, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0,
			   &nr_irqs);
	if (ret)
		goto err_ret;
	ret = kvm_dev_attr(g->gic, true, KVM_DEV_ARM_VGIC_GRP_CTRL,
			   KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (ret)
		goto err_ret;

	/* The vITS. */
	memset(&dev, 0, sizeof(dev));
	dev.type = KVM_DEV_TYPE_ARM_VGIC_ITS;
	if (ioctl(g->vm, KVM_CREATE_DEVICE, &dev))
		goto err;
	g->its = dev.fd;
	addr = GUEST_ITS;
	ret = kvm_dev_attr(g->its, true, KVM_DEV_ARM_VGIC_GRP_ADDR,
			   KVM_VGIC_ITS_ADDR_TYPE, &addr);
	if (ret)
		goto err_ret;
	ret = kvm_dev_attr(g->its, true, KVM_DEV_ARM_VGIC_GRP_CTRL,
			   KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (ret)
		goto err_ret;
	return 0;
err:
	ret = -errno;
err_ret:
	kvm_guest_close(g);
	return ret ? ret : -EIO;
}

#include "kvm_guest_run.h"

#endif /* KVM_GUEST_ARM64_H */
