// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded mode and the irq_bypass manager.
 *
 * Forwarded mode means: hand the host IRQ behind a line's source to the
 * hypervisor, so that the platform delivers the device's interrupts to the
 * guest directly (GICv4 vLPIs, x86 posted interrupts).  The kernel's
 * irq_bypass manager pairs one producer with one consumer per eventfd.
 * VFIO registers a producer, carrying the host IRQ, on the trigger eventfd
 * of each MSI/MSI-X vector; KVM registers a consumer on each irqfd's
 * eventfd.  A line's source and sink are two different eventfds, so the
 * manager never pairs VFIO with KVM on its own: irqfwd would have to lend
 * VFIO's IRQ to KVM with a producer of its own on the sink.
 *
 * irqfwd does not, on any kernel it supports, because it cannot take the
 * IRQ back in time:
 *
 * When the VMM disables a vector, VFIO unregisters its producer and frees
 * the IRQ as soon as that returns; disabling MSI-X frees the IRQ's
 * descriptor and ITS event (or IRTE) right after, in the same ioctl.
 * Unregistering VFIO's producer calls our consumer's del_producer() with
 * the manager's lock held.  KVM would still hold the IRQ through our
 * producer: a GICv4 vLPI mapping, or a posted IRTE, of an IRQ that is
 * about to be freed and reused.  The only way to make KVM let go is to
 * unregister our producer, which takes the manager's lock: impossible from
 * inside the callback.  Doing it later, from a work item, leaves KVM with
 * a freed IRQ for as long as the work takes: its del_producer() then
 * unmaps (arm64: its_unmap_vlpi(), x86: irq_set_vcpu_affinity()) an IRQ
 * number that may belong to another device by then, and on GICv4 the ITS
 * keeps the VM's vPE mapped.  Calling KVM's callbacks ourselves, or
 * changing the token of a registered producer so that the manager forgets
 * it, would break the manager's contract (irqfwd <= 0.1 did both).
 *
 * The kernels, by irq_bypass version:
 * - Linux 6.1 to 6.16: producers and consumers in lists, matched by
 *   token, one global mutex held across every callback.
 * - Linux 6.17 to 7.3: pairs in an xarray keyed by the eventfd, the
 *   manager keeps prod->consumer and cons->producer, the same global mutex
 *   held across every callback (guard(mutex)).
 * Neither lets a consumer withdraw a pairing it derived from a producer
 * while that producer is being unregistered, so both are in the same
 * group: no correct handover, forwarded mode refused.  What would make it
 * correct is a manager that ties a derived producer's lifetime to the
 * upstream one (unregistering both under the one lock), which is for
 * upstream to add.
 *
 * What irqfwd does instead, while forwarding is requested on an edge line:
 * it registers one irq_bypass consumer on the source eventfd.  It meets
 * VFIO's producer there (or any other producer: vhost-vdpa registers
 * some), and reports its IRQ (IRQFWD_LINE_QUERY's host_irq, the
 * IRQFWD_LINE_BYPASS_PRODUCER bit) and nothing more: the IRQ is handed to
 * no one, our callbacks never fail (a failed callback would fail VFIO's
 * registration for good: VFIO never retries), and the line relays every
 * interrupt exactly as in masked mode.  Its effective mode stays masked,
 * its reason says why (IRQFWD_REASON_NO_HANDOVER once the producer is
 * there), and IRQFWD_GET_INFO does not report IRQFWD_CAP_FORWARDED.
 * Since an interrupt takes the same path in both modes, a mode switch can
 * neither lose nor duplicate one.
 *
 * Registration runs in process context, from the line's ioctls and its
 * teardown, serialised by fwd->lock; the callbacks, under the manager's
 * lock, only record the producer's IRQ under line->lock.
 */
#include <linux/irqbypass.h>
#include <linux/slab.h>

#include "irqfwd.h"

/*
 * The mode the line runs in, and why it differs from the requested one;
 * true if either changed.  Called with line->lock held, whenever anything
 * below changes.  The first reason that applies is reported.
 */
static bool irqfwd_line_compute_mode(struct irqfwd_line *line)
{
	struct irqfwd_fwd *fwd = line->fwd;
	u32 reason;

	lockdep_assert_held(&line->lock);

	if (line->mode == IRQFWD_MODE_MASKED)
		reason = IRQFWD_REASON_NONE;
	else if (line->trigger == IRQFWD_TRIGGER_LEVEL)
		reason = IRQFWD_REASON_LEVEL;
	else if (fwd && fwd->consumer_err == -EBUSY)
		reason = IRQFWD_REASON_SOURCE_BUSY;
	else if (fwd && fwd->consumer_err)
		reason = IRQFWD_REASON_REFUSED;
	else if (!fwd || !fwd->host_irq)
		reason = IRQFWD_REASON_NO_PRODUCER;
	else
		reason = IRQFWD_REASON_NO_HANDOVER;

	/* No reason leaves the line forwarded: see the comment at the top. */
	if (line->reason == reason &&
	    line->effective_mode == IRQFWD_MODE_MASKED)
		return false;
	line->reason = reason;
	line->effective_mode = IRQFWD_MODE_MASKED;
	return true;
}

/* Recompute the effective mode; report it if it changed.  line->lock held. */
void irqfwd_line_update_mode(struct irqfwd_line *line)
{
	if (irqfwd_line_compute_mode(line))
		irqfwd_line_changed(line);
}

/* The VMM requests @mode.  Called with line->lock held. */
void irqfwd_line_request_mode(struct irqfwd_line *line, u32 mode)
{
	bool changed = line->mode != mode;

	lockdep_assert_held(&line->lock);

	line->mode = mode;
	if (irqfwd_line_compute_mode(line) || changed)
		irqfwd_line_changed(line);
}

/* The IRQFWD_LINE_BYPASS_* bits of the line.  line->lock held. */
u32 irqfwd_line_bypass_state(const struct irqfwd_line *line)
{
	const struct irqfwd_fwd *fwd = line->fwd;

	lockdep_assert_held(&line->lock);

	return fwd && fwd->host_irq ? IRQFWD_LINE_BYPASS_PRODUCER : 0;
}

/* The host IRQ of the producer on the source, 0 if none.  line->lock held. */
int irqfwd_line_host_irq(const struct irqfwd_line *line)
{
	lockdep_assert_held(&line->lock);

	return line->fwd ? line->fwd->host_irq : 0;
}

/*
 * Our consumer on the source eventfd met a producer (VFIO's).  Record its
 * IRQ, for the VMM to see.  Never fail: the producer's registration would
 * fail with us, and VFIO does not retry.
 */
static int irqfwd_fwd_add_producer(struct irq_bypass_consumer *cons,
				   struct irq_bypass_producer *prod)
{
	struct irqfwd_fwd *fwd = container_of(cons, struct irqfwd_fwd,
					      consumer);
	struct irqfwd_line *line = fwd->line;

	spin_lock_irq(&line->lock);
	fwd->host_irq = max(prod->irq, 0);
	irqfwd_line_update_mode(line);
	spin_unlock_irq(&line->lock);
	return 0;
}

/*
 * The producer goes away (VFIO disabled the vector).  Nobody else holds
 * its IRQ through us, so there is nothing to take back.
 */
static void irqfwd_fwd_del_producer(struct irq_bypass_consumer *cons,
				    struct irq_bypass_producer *prod)
{
	struct irqfwd_fwd *fwd = container_of(cons, struct irqfwd_fwd,
					      consumer);
	struct irqfwd_line *line = fwd->line;

	spin_lock_irq(&line->lock);
	fwd->host_irq = 0;
	irqfwd_line_update_mode(line);
	spin_unlock_irq(&line->lock);
}

/*
 * Make the registration what the line wants: a consumer on the source
 * while forwarding is requested on a live edge line.  Process context;
 * the caller holds ctx->lock or owns the dead line.
 */
void irqfwd_fwd_reconcile(struct irqfwd_line *line)
{
	struct irqfwd_fwd *fwd = line->fwd;
	bool want;
	int ret;

	if (!fwd)
		return;

	mutex_lock(&fwd->lock);
	spin_lock_irq(&line->lock);
	want = !line->dead && line->mode == IRQFWD_MODE_FORWARDED &&
	       line->trigger == IRQFWD_TRIGGER_EDGE;
	spin_unlock_irq(&line->lock);

	if (want && !fwd->registered) {
		ret = irqfwd_bypass_register_consumer(&fwd->consumer,
						      line->source.eventfd);
		fwd->registered = !ret;
		spin_lock_irq(&line->lock);
		fwd->consumer_err = ret;
		irqfwd_line_update_mode(line);
		spin_unlock_irq(&line->lock);
	} else if (!want && fwd->registered) {
		/* del_producer() has cleared host_irq if a producer was met. */
		irq_bypass_unregister_consumer(&fwd->consumer);
		fwd->registered = false;
	}

	if (!want) {
		spin_lock_irq(&line->lock);
		fwd->consumer_err = 0;
		irqfwd_line_update_mode(line);
		spin_unlock_irq(&line->lock);
	}
	mutex_unlock(&fwd->lock);
}

/* Give the line what forwarded mode needs, once; ctx->lock held. */
int irqfwd_fwd_alloc(struct irqfwd_line *line)
{
	struct irqfwd_fwd *fwd;

	if (line->fwd)
		return 0;

	fwd = kzalloc(sizeof(*fwd), GFP_KERNEL_ACCOUNT);
	if (!fwd)
		return -ENOMEM;

	fwd->line = line;
	mutex_init(&fwd->lock);
	fwd->consumer.add_producer = irqfwd_fwd_add_producer;
	fwd->consumer.del_producer = irqfwd_fwd_del_producer;

	spin_lock_irq(&line->lock);
	line->fwd = fwd;
	spin_unlock_irq(&line->lock);
	return 0;
}

/*
 * The line is dead: unregister.  After this, no callback runs for the
 * line.
 */
void irqfwd_fwd_shutdown(struct irqfwd_line *line)
{
	struct irqfwd_fwd *fwd = line->fwd;

	if (!fwd)
		return;
	irqfwd_fwd_reconcile(line);
	WARN_ON(fwd->registered);
}

void irqfwd_fwd_free(struct irqfwd_line *line)
{
	struct irqfwd_fwd *fwd = line->fwd;

	if (!fwd)
		return;
	mutex_destroy(&fwd->lock);
	kfree(fwd);
}
