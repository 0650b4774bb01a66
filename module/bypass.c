// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded mode: the irq_bypass bridge between VFIO and KVM.
 *
 * VFIO registers an irq_bypass producer on the trigger eventfd of each
 * MSI/MSI-X vector, carrying the host IRQ; KVM registers a consumer on the
 * eventfd of each irqfd, where the platform can post interrupts.  The
 * manager pairs one producer with one consumer per token.  A forwarded line
 * sits in between: a consumer on its source eventfd meets VFIO's producer
 * and learns the host IRQ, and a producer on its sink eventfd hands that
 * IRQ to KVM's consumer, which then programs direct delivery.
 *
 * The line keeps waiting on its source eventfd the whole time: whatever
 * the platform does not deliver directly reaches the host, VFIO signals
 * the source, and the line relays it.  Each interrupt takes exactly one of
 * the two paths, so no pairing change loses or duplicates one, and the
 * stop/start hooks have nothing to quiesce.
 *
 * The manager holds one global mutex across registration and every
 * callback, so callbacks must not (un)register anything: they record what
 * changed, under line->lock, and queue irqfwd_fwd_work(), which reconciles
 * the registrations with what the line wants (irqfwd_fwd_reconcile()).
 * The one exception is VFIO's producer going away: VFIO frees the host IRQ
 * as soon as its unregistration returns, so KVM must let go of that IRQ
 * before then, inside the callback (irqfwd_fwd_del_producer()).
 */
#include <linux/irqbypass.h>
#include <linux/slab.h>

#ifdef CONFIG_X86
#include <asm/irq_remapping.h>
#endif

#include "irqfwd.h"

static struct workqueue_struct *irqfwd_fwd_wq;

/* Can the platform deliver a device interrupt to a guest directly? */
static bool irqfwd_platform_can_post(void)
{
#ifdef CONFIG_X86
	return irq_remapping_cap(IRQ_POSTING_CAP);
#else
	/*
	 * arm64 posts MSIs as GICv4 vLPIs; KVM keeps the GIC's version to
	 * itself.  Assume it can, and let an interrupt that still reaches
	 * the host say otherwise (IRQFWD_REASON_NOT_POSTED).
	 */
	return true;
#endif
}

/*
 * The mode the line runs in, and why it differs from the requested one;
 * true if either changed.  Called with line->lock held, whenever anything
 * below changes.
 */
static bool irqfwd_line_compute_mode(struct irqfwd_line *line)
{
	struct irqfwd_fwd *fwd = line->fwd;
	u32 reason, effective_mode;

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
	else if (line->masked)
		reason = IRQFWD_REASON_LINE_MASKED;
	else if (line->storm)
		reason = IRQFWD_REASON_STORM;
	else if (fwd->producer_err == -EBUSY)
		reason = IRQFWD_REASON_SINK_BUSY;
	else if (fwd->producer_err)
		reason = IRQFWD_REASON_REFUSED;
	else if (!fwd->kvm)
		reason = IRQFWD_REASON_NO_CONSUMER;
	else if (!irqfwd_platform_can_post())
		reason = IRQFWD_REASON_NO_POSTING;
	else if (fwd->not_posted)
		reason = IRQFWD_REASON_NOT_POSTED;
	else
		reason = IRQFWD_REASON_NONE;

	effective_mode = reason == IRQFWD_REASON_NONE ? line->mode :
			 IRQFWD_MODE_MASKED;
	if (line->reason == reason && line->effective_mode == effective_mode)
		return false;
	line->reason = reason;
	line->effective_mode = effective_mode;
	return true;
}

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

/*
 * An interrupt reached the host while the line was forwarded: it was not
 * posted.  Called from the source's wakeup, with line->lock held.
 */
void irqfwd_line_fired_forwarded(struct irqfwd_line *line)
{
	lockdep_assert_held(&line->lock);

	line->fwd->not_posted = true;
	irqfwd_line_update_mode(line);
}

u32 irqfwd_line_bypass_state(const struct irqfwd_line *line)
{
	const struct irqfwd_fwd *fwd = line->fwd;
	u32 bypass = 0;

	if (fwd && fwd->host_irq)
		bypass |= IRQFWD_LINE_BYPASS_PRODUCER;
	if (fwd && fwd->kvm)
		bypass |= IRQFWD_LINE_BYPASS_CONSUMER;
	return bypass;
}

static void irqfwd_fwd_changed(struct irqfwd_fwd *fwd)
{
	irqfwd_line_update_mode(fwd->line);
	queue_work(irqfwd_fwd_wq, &fwd->work);
}

/* Our consumer on the source token met VFIO's producer. */
static int irqfwd_fwd_add_producer(struct irq_bypass_consumer *cons,
				   struct irq_bypass_producer *prod)
{
	struct irqfwd_fwd *fwd = container_of(cons, struct irqfwd_fwd,
					      consumer);
	struct irqfwd_line *line = fwd->line;

	if (prod->irq <= 0)
		return -EINVAL;

	spin_lock_irq(&line->lock);
	fwd->host_irq = prod->irq;
	irqfwd_fwd_changed(fwd);
	spin_unlock_irq(&line->lock);
	return 0;
}

/*
 * VFIO's producer goes away: the VMM disabled the vector, and VFIO frees
 * the host IRQ right after this returns, so KVM must let go of it now.
 * We cannot unregister our producer from here: take it away from KVM's
 * consumer as the manager's disconnect would, and change its token so that
 * the manager never pairs it again (its unregistration, from the work,
 * then only unlinks it).  Our producer's pairing is stable here: it only
 * changes under the manager's mutex, which our caller holds.
 */
static void irqfwd_fwd_del_producer(struct irq_bypass_consumer *cons,
				    struct irq_bypass_producer *prod)
{
	struct irqfwd_fwd *fwd = container_of(cons, struct irqfwd_fwd,
					      consumer);
	struct irq_bypass_producer *ours = &fwd->producer;
	struct irq_bypass_consumer *kvm = fwd->kvm;
	struct irqfwd_line *line = fwd->line;

	if (kvm) {
		if (kvm->stop)
			kvm->stop(kvm);
		kvm->del_producer(kvm, ours);
		if (kvm->start)
			kvm->start(kvm);
	}

	spin_lock_irq(&line->lock);
	/* A token no consumer can have: the producer itself. */
	ours->token = ours;
	fwd->orphaned = true;
	fwd->host_irq = 0;
	fwd->kvm = NULL;
	irqfwd_fwd_changed(fwd);
	spin_unlock_irq(&line->lock);
}

/* Our producer on the sink token met KVM's consumer. */
static int irqfwd_fwd_add_consumer(struct irq_bypass_producer *prod,
				   struct irq_bypass_consumer *cons)
{
	struct irqfwd_fwd *fwd = container_of(prod, struct irqfwd_fwd,
					      producer);
	struct irqfwd_line *line = fwd->line;
	int ret = 0;

	spin_lock_irq(&line->lock);
	/* Never hand out an IRQ that VFIO took back meanwhile. */
	if (fwd->orphaned || fwd->host_irq != prod->irq) {
		ret = -EAGAIN;
		goto out;
	}
	fwd->kvm = cons;
	fwd->not_posted = false;
	irqfwd_line_update_mode(line);
out:
	spin_unlock_irq(&line->lock);
	return ret;
}

static void irqfwd_fwd_del_consumer(struct irq_bypass_producer *prod,
				    struct irq_bypass_consumer *cons)
{
	struct irqfwd_fwd *fwd = container_of(prod, struct irqfwd_fwd,
					      producer);
	struct irqfwd_line *line = fwd->line;

	spin_lock_irq(&line->lock);
	fwd->kvm = NULL;
	irqfwd_line_update_mode(line);
	spin_unlock_irq(&line->lock);
}

/*
 * Make the registrations what the line wants: a consumer on the source
 * while forwarding is requested, and a producer on the sink while the
 * consumer holds a host IRQ and the line is not held (masked, or by the
 * storm guard).
 */
void irqfwd_fwd_reconcile(struct irqfwd_line *line)
{
	struct irqfwd_fwd *fwd = line->fwd;
	bool want_consumer, want_producer, stale;
	int host_irq, ret;

	if (!fwd)
		return;

	mutex_lock(&fwd->lock);
	spin_lock_irq(&line->lock);
	want_consumer = !line->dead && line->mode == IRQFWD_MODE_FORWARDED &&
			line->trigger == IRQFWD_TRIGGER_EDGE;
	spin_unlock_irq(&line->lock);

	if (want_consumer && !fwd->consumer_registered) {
		fwd->consumer.token = line->source.eventfd;
		ret = irq_bypass_register_consumer(&fwd->consumer);
		spin_lock_irq(&line->lock);
		fwd->consumer_err = ret;
		fwd->consumer_registered = !ret;
		spin_unlock_irq(&line->lock);
	}

	spin_lock_irq(&line->lock);
	host_irq = fwd->host_irq;
	want_producer = want_consumer && fwd->consumer_registered &&
			host_irq && !irqfwd_line_held(line);
	stale = fwd->orphaned || fwd->producer.irq != host_irq;
	spin_unlock_irq(&line->lock);

	if (fwd->producer_registered && (!want_producer || stale)) {
		irq_bypass_unregister_producer(&fwd->producer);
		spin_lock_irq(&line->lock);
		fwd->producer_registered = false;
		fwd->orphaned = false;
		fwd->kvm = NULL;
		spin_unlock_irq(&line->lock);
	}
	if (want_producer && !fwd->producer_registered) {
		/*
		 * If VFIO's producer goes before we register, its callback
		 * orphans this one again, and the work unregisters it.
		 */
		spin_lock_irq(&line->lock);
		fwd->producer.token = line->sink.eventfd;
		fwd->producer.irq = host_irq;
		fwd->orphaned = false;
		spin_unlock_irq(&line->lock);
		ret = irq_bypass_register_producer(&fwd->producer);
		spin_lock_irq(&line->lock);
		/* -EAGAIN: the IRQ changed meanwhile; the work comes again. */
		fwd->producer_err = ret == -EAGAIN ? 0 : ret;
		fwd->producer_registered = !ret;
		spin_unlock_irq(&line->lock);
	}

	if (!want_consumer && fwd->consumer_registered) {
		irq_bypass_unregister_consumer(&fwd->consumer);
		spin_lock_irq(&line->lock);
		fwd->consumer_registered = false;
		fwd->host_irq = 0;
		spin_unlock_irq(&line->lock);
	}

	/* update_mode() reads the errors under line->lock: reset them there. */
	spin_lock_irq(&line->lock);
	if (!want_producer)
		fwd->producer_err = 0;
	if (!want_consumer)
		fwd->consumer_err = 0;
	irqfwd_line_update_mode(line);
	spin_unlock_irq(&line->lock);
	mutex_unlock(&fwd->lock);
}

/*
 * Reconcile the registrations soon: what the line wants changed in a
 * context that cannot (un)register.  Called with line->lock held.
 */
void irqfwd_fwd_kick(struct irqfwd_line *line)
{
	lockdep_assert_held(&line->lock);

	if (line->fwd && !line->dead)
		queue_work(irqfwd_fwd_wq, &line->fwd->work);
}

static void irqfwd_fwd_work(struct work_struct *work)
{
	struct irqfwd_fwd *fwd = container_of(work, struct irqfwd_fwd, work);

	irqfwd_fwd_reconcile(fwd->line);
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
	INIT_WORK(&fwd->work, irqfwd_fwd_work);
	fwd->consumer.add_producer = irqfwd_fwd_add_producer;
	fwd->consumer.del_producer = irqfwd_fwd_del_producer;
	fwd->producer.add_consumer = irqfwd_fwd_add_consumer;
	fwd->producer.del_consumer = irqfwd_fwd_del_consumer;

	spin_lock_irq(&line->lock);
	line->fwd = fwd;
	spin_unlock_irq(&line->lock);
	return 0;
}

/*
 * The line is dead: unregister everything and wait for the work.  After
 * this, no callback can run for the line.
 */
void irqfwd_fwd_shutdown(struct irqfwd_line *line)
{
	struct irqfwd_fwd *fwd = line->fwd;

	if (!fwd)
		return;
	irqfwd_fwd_reconcile(line);
	cancel_work_sync(&fwd->work);
	WARN_ON(fwd->consumer_registered || fwd->producer_registered);
}

void irqfwd_fwd_free(struct irqfwd_line *line)
{
	struct irqfwd_fwd *fwd = line->fwd;

	if (!fwd)
		return;
	mutex_destroy(&fwd->lock);
	kfree(fwd);
}

int irqfwd_fwd_init(void)
{
	irqfwd_fwd_wq = alloc_workqueue("irqfwd_fwd", WQ_UNBOUND, 0);
	return irqfwd_fwd_wq ? 0 : -ENOMEM;
}

void irqfwd_fwd_exit(void)
{
	destroy_workqueue(irqfwd_fwd_wq);
}
