/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal x86 KVM guest for the end-to-end tests: one vCPU in real mode
 * running a few bytes of code, with KVM's in-kernel interrupt controllers.
 * The guest talks to the test through port I/O exits:
 *
 *   port 0x10  the guest's ISR asks the VMM to acknowledge the device
 *              (edu's interrupt acknowledge register), as a driver would
 *   port 0x11  the guest's ISR handled one interrupt (after its EOI)
 *   port 0x12  the guest has set its interrupt controller up
 *   port 0x13  the guest took an interrupt on another vector (spurious)
 *   port 0x14  the guest's ISR was entered for an interrupt its PIC did not
 *              acknowledge (not in service): a phantom, left alone
 *
 * Guest memory is 64 KiB at guest physical 0; the code runs at 0x1000.
 * The vCPU gets the CPUID KVM supports.
 */
#ifndef KVM_GUEST_H
#define KVM_GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#define GUEST_MEM_SIZE		0x10000
#define GUEST_CODE		0x1000
#define GUEST_PORT_ACK		0x10
#define GUEST_PORT_HANDLED	0x11
#define GUEST_PORT_READY	0x12
#define GUEST_PORT_SPURIOUS	0x13
#define GUEST_PORT_PHANTOM	0x14

struct kvm_guest {
	int kvm;
	int vm;
	int vcpu;
	void *mem;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	atomic_bool stop;
	atomic_bool ready;
	atomic_ulong handled;
	atomic_ulong spurious;
	atomic_ulong phantom;
	atomic_int error;		/* unexpected exit reason, or -errno */
	void (*ack)(void *arg);		/* port 0x10 */
	void *ack_arg;
};

/*
 * The INTx guest: programs the master PIC (vectors 0x20-0x27, IRQ 5 level
 * triggered through the ELCR, every other IRQ masked), points vector 0x25
 * at its ISR and halts with interrupts on.  The ISR checks that the PIC
 * has IRQ 5 in service, has the device acknowledged, EOIs the PIC and
 * reports.  (Nested under QEMU's emulated SVM, a vector is now and then
 * delivered twice for one acknowledge; the second entry finds nothing in
 * service and is counted apart, as a phantom.)  The other vectors of the PIC
 * go to a handler that only reports: the PIC signals IRQ 7 when a level
 * line falls between its request and the CPU's acknowledge.
 */
extern const uint8_t guest_intx_start[], guest_intx_end[];
asm(
"	.pushsection .rodata.irqfwd_guest, \"a\"\n"
"	.code16\n"
"guest_intx_start:\n"
"	cli\n"
"	xorw %ax, %ax\n"
"	movw %ax, %ds\n"
"	movw %ax, %ss\n"
"	movw $0x8000, %sp\n"
"	movw $0x80, %di\n"		/* vectors 0x20-0x27: spurious */
"	movw $8, %cx\n"
"2:	movw $(guest_intx_spurious - guest_intx_start + 0x1000), (%di)\n"
"	movw $0, 2(%di)\n"
"	addw $4, %di\n"
"	loop 2b\n"
"	movw $(guest_intx_isr - guest_intx_start + 0x1000), 0x94\n"
"	movb $0x11, %al\n"		/* ICW1: edge/level per ELCR, ICW4 */
"	outb %al, $0x20\n"
"	movb $0x20, %al\n"		/* ICW2: vectors 0x20-0x27 */
"	outb %al, $0x21\n"
"	movb $0x04, %al\n"		/* ICW3: slave on IRQ 2 */
"	outb %al, $0x21\n"
"	movb $0x01, %al\n"		/* ICW4: 8086 mode */
"	outb %al, $0x21\n"
"	movb $0xdf, %al\n"		/* OCW1: only IRQ 5 */
"	outb %al, $0x21\n"
"	movw $0x4d0, %dx\n"		/* ELCR1: IRQ 5 level triggered */
"	movb $0x20, %al\n"
"	outb %al, %dx\n"
"	outb %al, $0x12\n"		/* ready */
"	sti\n"
"1:	hlt\n"
"	jmp 1b\n"
"guest_intx_isr:\n"
"	pushw %ax\n"
"	movb $0x0b, %al\n"		/* OCW3: read the in-service reg */
"	outb %al, $0x20\n"
"	inb $0x20, %al\n"
"	testb $0x20, %al\n"		/* IRQ 5 acknowledged by the PIC? */
"	jz 3f\n"
"	outb %al, $0x10\n"		/* acknowledge the device */
"	movb $0x20, %al\n"		/* non-specific EOI */
"	outb %al, $0x20\n"
"	outb %al, $0x11\n"		/* handled */
"	popw %ax\n"
"	iret\n"
"3:	outb %al, $0x14\n"		/* entered, but not acknowledged */
"	popw %ax\n"
"	iret\n"
"guest_intx_spurious:\n"		/* e.g. IRQ 7 of a PIC whose line fell */
"	outb %al, $0x13\n"
"	iret\n"
"guest_intx_end:\n"
"	.code64\n"
"	.popsection\n"
);

/*
 * The MSI guest: turns its local APIC to x2APIC mode (so that it can EOI
 * with wrmsr from real mode), points vector 0x40 at its ISR and halts.
 * The ISR checks that the APIC has 0x40 in service (ISR bit 64), has the
 * device acknowledged, EOIs and reports.
 */
extern const uint8_t guest_msi_start[], guest_msi_end[];
asm(
"	.pushsection .rodata.irqfwd_guest, \"a\"\n"
"	.code16\n"
"guest_msi_start:\n"
"	cli\n"
"	xorw %ax, %ax\n"
"	movw %ax, %ds\n"
"	movw %ax, %ss\n"
"	movw $0x8000, %sp\n"
"	movw $(guest_msi_isr - guest_msi_start + 0x1000), 0x100\n"
"	movw $0, 0x102\n"
"	movw $(guest_msi_spurious - guest_msi_start + 0x1000), 0x3fc\n"
"	movw $0, 0x3fe\n"
"	movl $0x1b, %ecx\n"		/* IA32_APIC_BASE: enable, x2APIC */
"	rdmsr\n"
"	orl $0xc00, %eax\n"
"	wrmsr\n"
"	movl $0x80f, %ecx\n"		/* SVR: APIC on, spurious 0xff */
"	movl $0x1ff, %eax\n"
"	xorl %edx, %edx\n"
"	wrmsr\n"
"	outb %al, $0x12\n"		/* ready */
"	sti\n"
"1:	hlt\n"
"	jmp 1b\n"
"guest_msi_isr:\n"
"	pushal\n"
"	movl $0x812, %ecx\n"		/* ISR bits 64-95 */
"	rdmsr\n"
"	testl $1, %eax\n"		/* vector 0x40 in service? */
"	jz 3f\n"
"	outb %al, $0x10\n"		/* acknowledge the device */
"	movl $0x80b, %ecx\n"		/* EOI */
"	xorl %eax, %eax\n"
"	xorl %edx, %edx\n"
"	wrmsr\n"
"	outb %al, $0x11\n"		/* handled */
"	popal\n"
"	iret\n"
"3:	outb %al, $0x14\n"		/* entered, but not in service */
"	popal\n"
"	iret\n"
"guest_msi_spurious:\n"
"	outb %al, $0x13\n"
"	iret\n"
"guest_msi_end:\n"
"	.code64\n"
"	.popsection\n"
);

/*
 * Replace the VM's GSI routing with one MSI route: @gsi to APIC 0, vector
 * @vector, fixed delivery, edge.
 */
static inline int kvm_msi_route(int vm, unsigned int gsi, unsigned int vector)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} routing = {
		.r.nr = 1,
		.e[0] = {
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = { .address_lo = 0xfee00000, .data = vector },
		},
	};

	return ioctl(vm, KVM_SET_GSI_ROUTING, &routing) ? -errno : 0;
}

/*
 * What KVM received, counted without a guest: vCPU 0 of a VM with the
 * in-kernel irqchip, created but never run, its local APIC software-enabled
 * (SVR bit 8), latches each fixed MSI to APIC 0 in its IRR.  The test
 * takes the vector's IRR bit (reads and clears it) after each interrupt,
 * so an interrupt that irqfwd counts but never signals, or signals twice,
 * shows up as a missing or an extra latch.
 */
#define KVM_LAPIC_SVR		0xf0
#define KVM_LAPIC_IRR		0x200

/* Create vCPU 0 and enable its local APIC; returns the vCPU fd or -errno. */
static inline int kvm_lapic_probe(int vm)
{
	struct kvm_lapic_state lapic;
	uint32_t svr;
	int vcpu;

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return -errno;
	if (ioctl(vcpu, KVM_GET_LAPIC, &lapic))
		goto err;
	memcpy(&svr, lapic.regs + KVM_LAPIC_SVR, sizeof(svr));
	svr |= 0x100;
	memcpy(lapic.regs + KVM_LAPIC_SVR, &svr, sizeof(svr));
	if (ioctl(vcpu, KVM_SET_LAPIC, &lapic))
		goto err;
	return vcpu;
err:
	svr = errno;
	close(vcpu);
	return -(int)svr;
}

/* 1 if @vector was latched in the IRR (and clear it), 0 if not, -errno. */
static inline int kvm_lapic_irr_take(int vcpu, unsigned int vector)
{
	struct kvm_lapic_state lapic;
	unsigned int off = KVM_LAPIC_IRR + (vector / 32) * 0x10;
	uint32_t irr, bit = 1u << (vector % 32);

	if (ioctl(vcpu, KVM_GET_LAPIC, &lapic))
		return -errno;
	memcpy(&irr, lapic.regs + off, sizeof(irr));
	if (!(irr & bit))
		return 0;
	irr &= ~bit;
	memcpy(lapic.regs + off, &irr, sizeof(irr));
	return ioctl(vcpu, KVM_SET_LAPIC, &lapic) ? -errno : 1;
}

/*
 * One exit of the guest's vCPU, handled: false if it was none the guest
 * makes (g->error says which), and the vCPU must stop.
 */
static inline bool kvm_guest_exit(struct kvm_guest *g, struct kvm_run *run)
{
	if (run->exit_reason != KVM_EXIT_IO ||
	    run->io.direction != KVM_EXIT_IO_OUT) {
		atomic_store(&g->error, (int)run->exit_reason);
		return false;
	}
	switch (run->io.port) {
	case GUEST_PORT_ACK:
		g->ack(g->ack_arg);
		break;
	case GUEST_PORT_HANDLED:
		atomic_fetch_add(&g->handled, 1);
		break;
	case GUEST_PORT_READY:
		atomic_store(&g->ready, true);
		break;
	case GUEST_PORT_SPURIOUS:
		atomic_fetch_add(&g->spurious, 1);
		break;
	case GUEST_PORT_PHANTOM:
		atomic_fetch_add(&g->phantom, 1);
		break;
	default:
		atomic_store(&g->error, 1000 + run->io.port);
		return false;
	}
	return true;
}

static inline void kvm_guest_close(struct kvm_guest *g)
{
	if (g->run)
		munmap(g->run, g->run_size);
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
	g->kvm = g->vm = g->vcpu = -1;
}

/*
 * A VM with in-kernel interrupt controllers and one vCPU that will run
 * @code from GUEST_CODE in real mode.  Returns 0 or -errno; the vCPU starts
 * with kvm_guest_start(), so that irqfds can be set up first.
 */
static inline int kvm_guest_create(struct kvm_guest *g, const uint8_t *code,
				   size_t len)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM_SIZE,
	};
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret, size;

	memset(g, 0, sizeof(*g));
	g->kvm = g->vm = g->vcpu = -1;

	g->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm < 0)
		goto err;
	g->vm = ioctl(g->kvm, KVM_CREATE_VM, 0);
	if (g->vm < 0 || ioctl(g->vm, KVM_CREATE_IRQCHIP, 0))
		goto err;

	g->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		goto err;
	}
	memcpy((uint8_t *)g->mem + GUEST_CODE, code, len);
	region.userspace_addr = (uintptr_t)g->mem;
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &region))
		goto err;

	g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0)
		goto err;
	/* What KVM supports, x2APIC among it. */
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	if (!cpuid)
		goto err;
	cpuid->nent = 256;
	if (ioctl(g->kvm, KVM_GET_SUPPORTED_CPUID, cpuid) ||
	    ioctl(g->vcpu, KVM_SET_CPUID2, cpuid)) {
		free(cpuid);
		goto err;
	}
	free(cpuid);
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

	if (ioctl(g->vcpu, KVM_GET_SREGS, &sregs))
		goto err;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(g->vcpu, KVM_SET_SREGS, &sregs))
		goto err;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE;
	regs.rflags = 0x2;
	if (ioctl(g->vcpu, KVM_SET_REGS, &regs))
		goto err;
	return 0;
err:
	ret = -errno;
	kvm_guest_close(g);
	return ret ? ret : -EIO;
}

#include "kvm_guest_run.h"

#endif /* KVM_GUEST_H */
