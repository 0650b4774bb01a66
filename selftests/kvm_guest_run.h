/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vCPU thread of the test guests, the same on every architecture:
 * kvm_guest.h (x86) and kvm_guest_arm64.h define struct kvm_guest (with
 * vcpu, run, thread, stop, error, ack and ack_arg) and kvm_guest_exit(),
 * which handles one exit of the guest (x86: port I/O; arm64: MMIO), then
 * include this: kvm_guest_vcpu_fn() runs the vCPU until g->stop and hands
 * it each exit.  A VMM with a loop of its own (irqfwd_bench) calls
 * kvm_guest_exit() the same way.
 */
#ifndef KVM_GUEST_RUN_H
#define KVM_GUEST_RUN_H

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

static void kvm_guest_sigusr1(int sig)
{
}

/* Run the vCPU until told to stop, or until an exit the guest never makes. */
static void *kvm_guest_vcpu_fn(void *arg)
{
	struct kvm_guest *g = arg;

	while (!atomic_load(&g->stop) && !atomic_load(&g->error)) {
		if (ioctl(g->vcpu, KVM_RUN, 0)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			atomic_store(&g->error, -errno);
			break;
		}
		if (!kvm_guest_exit(g, g->run))
			break;
	}
	return NULL;
}

/*
 * Run the vCPU in a thread; @ack is called when the guest's handler asks
 * the VMM to acknowledge the device.
 */
static inline int kvm_guest_start(struct kvm_guest *g,
				  void (*ack)(void *arg), void *ack_arg)
{
	struct sigaction sa = { .sa_handler = kvm_guest_sigusr1 };

	/* No SA_RESTART: the signal must make KVM_RUN return. */
	sigaction(SIGUSR1, &sa, NULL);
	g->ack = ack;
	g->ack_arg = ack_arg;
	return -pthread_create(&g->thread, NULL, kvm_guest_vcpu_fn, g);
}

/* Stop the vCPU thread: out of KVM_RUN at once, and joined. */
static inline void kvm_guest_stop(struct kvm_guest *g)
{
	atomic_store(&g->stop, true);
	g->run->immediate_exit = 1;
	pthread_kill(g->thread, SIGUSR1);
	pthread_join(g->thread, NULL);
}

#endif /* KVM_GUEST_RUN_H */
