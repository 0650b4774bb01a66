// SPDX-License-Identifier: GPL-2.0
/*
 * Lines: the interrupt path of the masked-eventfd mode, and the life cycle
 * of a line.
 *
 * irqfwd waits on the source eventfd (and on the resample eventfd of level
 * lines) with a wait queue entry of its own, as KVM's irqfd does.  A wakeup
 * runs with the eventfd's wait queue lock held and interrupts disabled, and
 * the eventfd core refuses to signal another eventfd from there, so
 * delivery is deferred, with no thread wake-up on the path: when the
 * wakeup comes from a hard interrupt handler (VFIO's), to a tasklet that
 * runs as the interrupt returns; otherwise to an irq_work, which runs as
 * soon as interrupts are enabled again.  (Measured by make bench on 6.12:
 * an irq_work from the handler costs a second interrupt entry, and a BH
 * workqueue item costs more than that; the tasklet costs least.)
 */

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "irqfwd.h"
#include "irqfwd-nl.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/*
 * The source and sink eventfds of every line, in any context.  One eventfd
 * is the source of at most one line: the interrupts of one source cannot be
 * split between two sinks.  And no eventfd is both a source and a sink:
 * two lines feeding each other would relay one signal forever.  Sinks may
 * be shared (a VMM may merge lines into one irqfd).
 */
static DEFINE_MUTEX(irqfwd_eventfds_lock);
static DEFINE_HASHTABLE(irqfwd_sources, 10);
static DEFINE_HASHTABLE(irqfwd_sinks, 10);

/* Lines, by trigger: edge lines end before their level-only hooks. */
static struct kmem_cache *irqfwd_edge_cache;
static struct kmem_cache *irqfwd_level_cache;
static struct workqueue_struct *irqfwd_wq;

static bool irqfwd_line_is_level(const struct irqfwd_line *line)
{
	return line->trigger == IRQFWD_TRIGGER_LEVEL;
}

/* Called with line->lock held. */
static void irqfwd_line_kick(struct irqfwd_line *line, unsigned int todo)
{
	lockdep_assert_held(&line->lock);

	if (!line->todo) {
		if (in_hardirq())
			tasklet_schedule(&line->bh);
		else
			irq_work_queue(&line->work);
	}
	line->todo |= todo;
}

/*
 * The state of a line, under line->lock:
 *
 *   todo & DELIVER  an interrupt is queued for the sink (irq_work)
 *   pending         an interrupt is latched: it waits for an unmask, or
 *                   for the completion of the one in service
 *   in_service      a level interrupt was delivered, or is queued, and
 *                   not completed
 *   masked          the VMM masked the line
 *
 * and at every instant fired == delivered + coalesced + cleared + (one if
 * queued or latched).
 */

/* Queue the delivery of an interrupt to the sink. */
static void irqfwd_line_deliver(struct irqfwd_line *line)
{
	lockdep_assert_held(&line->lock);

	line->pending = false;
	line->in_service = irqfwd_line_is_level(line);
	irqfwd_line_kick(line, IRQFWD_TODO_DELIVER);
}

static bool irqfwd_line_queued(const struct irqfwd_line *line)
{
	return line->todo & IRQFWD_TODO_DELIVER;
}

/* IRQFWD_LINE_STATE_* bits. */
static u32 irqfwd_line_state(const struct irqfwd_line *line)
{
	u32 state = 0;

	lockdep_assert_held(&line->lock);

	if (line->in_service)
		state |= IRQFWD_LINE_STATE_IN_SERVICE;
	if (line->pending || irqfwd_line_queued(line))
		state |= IRQFWD_LINE_STATE_PENDING;
	if (line->masked)
		state |= IRQFWD_LINE_STATE_MASKED;
	if (line->storm)
		state |= IRQFWD_LINE_STATE_STORM;
	return state;
}

/* The storm guard counts in windows of 100 ms. */
#define IRQFWD_STORM_WINDOWS	10	/* a second */

static void irqfwd_storm_window(struct irqfwd_storm *guard, unsigned long now)
{
	guard->window_end = now + HZ / IRQFWD_STORM_WINDOWS;
	guard->count = 0;
}

/*
 * Count @count more interrupts against the storm guard's limit, and hold
 * the line for its back-off once they exceed it.  line->lock held.
 */
static void irqfwd_line_storm_check(struct irqfwd_line *line, u64 count)
{
	struct irqfwd_storm *guard = line->guard;
	u64 limit = max(guard->rate / IRQFWD_STORM_WINDOWS, 1U);
	unsigned long now = jiffies;

	if (time_after_eq(now, guard->window_end))
		irqfwd_storm_window(guard, now);
	guard->count += count;
	if (guard->count <= limit)
		return;

	line->storm = true;
	line->stats.storms++;
	mod_timer(&guard->timer, now + msecs_to_jiffies(guard->backoff_ms));
	irqfwd_line_changed(line);
}

/* End the storm guard's hold; a latched interrupt goes out. */
static void irqfwd_line_storm_stop(struct irqfwd_line *line)
{
	lockdep_assert_held(&line->lock);

	if (!line->storm || line->dead)
		return;
	line->storm = false;
	irqfwd_storm_window(line->guard, jiffies);
	if (line->pending && !line->masked && !line->in_service)
		irqfwd_line_deliver(line);
	irqfwd_line_changed(line);
}

static void irqfwd_line_storm_timer(struct timer_list *t)
{
	struct irqfwd_storm *guard = timer_container_of(guard, t, timer);
	struct irqfwd_line *line = guard->line;
	unsigned long flags;

	spin_lock_irqsave(&line->lock, flags);
	irqfwd_line_storm_stop(line);
	spin_unlock_irqrestore(&line->lock, flags);
}

/*
 * Give the line a storm guard, once, with the module's defaults; ctx->lock
 * held, or the line not published yet.
 */
static int irqfwd_storm_alloc(struct irqfwd_line *line)
{
	struct irqfwd_storm *guard;

	if (line->guard)
		return 0;

	guard = kzalloc(sizeof(*guard), GFP_KERNEL_ACCOUNT);
	if (!guard)
		return -ENOMEM;
	guard->line = line;
	timer_setup(&guard->timer, irqfwd_line_storm_timer, 0);
	guard->rate = READ_ONCE(irqfwd_storm_rate);
	guard->backoff_ms = irqfwd_storm_default_backoff_ms();

	spin_lock_irq(&line->lock);
	line->guard = guard;
	spin_unlock_irq(&line->lock);
	return 0;
}

/*
 * The source fired @count times since we last looked.  Called from the
 * source eventfd's wakeup, interrupts disabled.
 */
static void irqfwd_line_fire(struct irqfwd_line *line, u64 count)
{
	spin_lock(&line->lock);
	if (line->dead)
		goto out;

	line->stats.fired += count;
	if (line->guard && line->guard->rate && !line->storm)
		irqfwd_line_storm_check(line, count);
	if (line->pending || irqfwd_line_queued(line)) {
		/* Merged into the interrupt that waits already. */
		line->stats.coalesced += count;
		trace_irqfwd_line_fire(line, count, IRQFWD_FIRE_COALESCE);
		goto out;
	}
	if (line->in_service && (line->flags & IRQFWD_LINE_UNMASK_FD)) {
		/*
		 * A level source that should have stayed masked: its unmask
		 * will trigger it again if the device still asserts the
		 * line, so nothing is lost.
		 */
		line->stats.coalesced += count;
		trace_irqfwd_line_fire(line, count, IRQFWD_FIRE_COALESCE);
		goto out;
	}

	line->stats.coalesced += count - 1;
	if (irqfwd_line_held(line) || line->in_service) {
		line->pending = true;
		trace_irqfwd_line_fire(line, count, IRQFWD_FIRE_LATCH);
	} else {
		irqfwd_line_deliver(line);
		trace_irqfwd_line_fire(line, count, IRQFWD_FIRE_DELIVER);
	}
out:
	spin_unlock(&line->lock);
}

/* The guest completed the line's level interrupt. */
static void irqfwd_line_complete(struct irqfwd_line *line)
{
	unsigned long flags;

	spin_lock_irqsave(&line->lock, flags);
	if (line->dead)
		goto out;

	/*
	 * A completion while nothing is in service, or before the sink was
	 * signalled, is not ours: a KVM resampler signals every resample
	 * eventfd of a shared GSI.
	 */
	if (!line->in_service || irqfwd_line_queued(line)) {
		line->stats.spurious++;
		goto out;
	}

	line->stats.completed++;
	line->in_service = false;
	trace_irqfwd_line_complete(line);
	if (line->flags & IRQFWD_LINE_UNMASK_FD)
		irqfwd_line_kick(line, IRQFWD_TODO_UNMASK);
	if (line->pending && !irqfwd_line_held(line))
		irqfwd_line_deliver(line);
out:
	spin_unlock_irqrestore(&line->lock, flags);
}

/* Signal what the line's todo bits say: the irq_work and the tasklet. */
static void irqfwd_line_run(struct irqfwd_line *line)
{
	unsigned long flags;
	unsigned int todo;

	spin_lock_irqsave(&line->lock, flags);
	todo = line->todo;
	line->todo = 0;
	if (todo & IRQFWD_TODO_DELIVER)
		line->stats.delivered++;
	if (todo & IRQFWD_TODO_UNMASK)
		line->stats.unmasked++;
	spin_unlock_irqrestore(&line->lock, flags);

	if (todo & IRQFWD_TODO_DELIVER) {
		trace_irqfwd_line_deliver(line);
		irqfwd_eventfd_signal(line->sink.eventfd);
	}
	if (todo & IRQFWD_TODO_UNMASK) {
		trace_irqfwd_line_unmask(line);
		irqfwd_eventfd_signal(line->unmask.eventfd);
	}
}

static void irqfwd_line_work(struct irq_work *work)
{
	irqfwd_line_run(container_of(work, struct irqfwd_line, work));
}

static void irqfwd_line_bh(struct tasklet_struct *bh)
{
	irqfwd_line_run(container_of(bh, struct irqfwd_line, bh));
}

/*
 * One of the line's eventfds is being released.  Queue the teardown once:
 * the work frees the line, so a second hang-up (every eventfd of a line
 * may go at once) must not queue it again while it runs.
 */
static void irqfwd_line_hangup(struct irqfwd_line *line)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&line->lock, flags);
	first = !line->hung_up;
	line->hung_up = true;
	spin_unlock_irqrestore(&line->lock, flags);
	if (first)
		queue_work(irqfwd_wq, &line->hangup);
}

static int irqfwd_source_wakeup(wait_queue_entry_t *wait, unsigned int mode,
				int sync, void *key)
{
	struct irqfwd_line *line = container_of(wait, struct irqfwd_line,
						source.wait);
	__poll_t events = key_to_poll(key);
	u64 count;

	if (events & EPOLLIN) {
		eventfd_ctx_do_read(line->source.eventfd, &count);
		if (count)
			irqfwd_line_fire(line, count);
	}
	if (events & EPOLLHUP)
		irqfwd_line_hangup(line);
	return 0;
}

static int irqfwd_resample_wakeup(wait_queue_entry_t *wait, unsigned int mode,
				  int sync, void *key)
{
	struct irqfwd_line *line = container_of(wait, struct irqfwd_line,
						resample.wait);
	__poll_t events = key_to_poll(key);
	u64 count;

	if (events & EPOLLIN) {
		eventfd_ctx_do_read(line->resample.eventfd, &count);
		if (count)
			irqfwd_line_complete(line);
	}
	if (events & EPOLLHUP)
		irqfwd_line_hangup(line);
	return 0;
}

/* The sink and unmask eventfds are only watched for their release. */
static int irqfwd_sink_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			      int sync, void *key)
{
	struct irqfwd_line *line = container_of(wait, struct irqfwd_line,
						sink.wait);

	if (key_to_poll(key) & EPOLLHUP)
		irqfwd_line_hangup(line);
	return 0;
}

static int irqfwd_unmask_wakeup(wait_queue_entry_t *wait, unsigned int mode,
				int sync, void *key)
{
	struct irqfwd_line *line = container_of(wait, struct irqfwd_line,
						unmask.wait);

	if (key_to_poll(key) & EPOLLHUP)
		irqfwd_line_hangup(line);
	return 0;
}

/* Take a reference to the eventfd behind @fd. */
static int irqfwd_hook_get(struct irqfwd_hook *hook, int fd,
			   struct file **filep)
{
	struct eventfd_ctx *eventfd;
	struct file *file;

	file = fget(fd);
	if (!file)
		return -EBADF;
	eventfd = eventfd_ctx_fileget(file);
	if (IS_ERR(eventfd)) {
		fput(file);
		return PTR_ERR(eventfd);
	}
	hook->eventfd = eventfd;
	*filep = file;
	return 0;
}

struct irqfwd_poll {
	poll_table pt;
	struct irqfwd_hook *hook;
};

static void irqfwd_poll_queue(struct file *file, wait_queue_head_t *wqh,
			      poll_table *pt)
{
	struct irqfwd_poll *poll = container_of(pt, struct irqfwd_poll, pt);

	poll->hook->wqh = wqh;
	add_wait_queue(wqh, &poll->hook->wait);
}

/* Start waiting on the hook's eventfd; @file is the eventfd's file. */
static void irqfwd_hook_add(struct irqfwd_hook *hook, struct file *file,
			    wait_queue_func_t func)
{
	struct irqfwd_poll poll = { .hook = hook };

	init_waitqueue_func_entry(&hook->wait, func);
	init_poll_funcptr(&poll.pt, irqfwd_poll_queue);
	vfs_poll(file, &poll.pt);
}

static void irqfwd_hook_remove(struct irqfwd_hook *hook)
{
	if (hook->wqh)
		remove_wait_queue(hook->wqh, &hook->wait);
}

static void irqfwd_hook_put(struct irqfwd_hook *hook)
{
	if (hook->eventfd)
		eventfd_ctx_put(hook->eventfd);
}

/*
 * Consume what an eventfd counted before we waited on it: the wakeups we
 * missed.  The counter must be read under the wait queue lock.
 */
static u64 irqfwd_hook_drain(struct irqfwd_hook *hook)
{
	unsigned long flags;
	u64 count;

	spin_lock_irqsave(&hook->wqh->lock, flags);
	eventfd_ctx_do_read(hook->eventfd, &count);
	spin_unlock_irqrestore(&hook->wqh->lock, flags);
	return count;
}

static void irqfwd_line_fire_missed(struct irqfwd_line *line)
{
	unsigned long flags;
	u64 count;

	spin_lock_irqsave(&line->source.wqh->lock, flags);
	eventfd_ctx_do_read(line->source.eventfd, &count);
	if (count)
		irqfwd_line_fire(line, count);
	spin_unlock_irqrestore(&line->source.wqh->lock, flags);
}

static bool irqfwd_is_source(struct eventfd_ctx *eventfd)
{
	struct irqfwd_line *line;

	lockdep_assert_held(&irqfwd_eventfds_lock);
	hash_for_each_possible(irqfwd_sources, line, source_node,
			       (unsigned long)eventfd)
		if (line->source.eventfd == eventfd)
			return true;
	return false;
}

static bool irqfwd_is_sink(struct eventfd_ctx *eventfd)
{
	struct irqfwd_line *line;

	lockdep_assert_held(&irqfwd_eventfds_lock);
	hash_for_each_possible(irqfwd_sinks, line, sink_node,
			       (unsigned long)eventfd)
		if (line->sink.eventfd == eventfd)
			return true;
	return false;
}

/* Register the line's source and sink; see irqfwd_sources. */
static int irqfwd_eventfds_claim(struct irqfwd_line *line)
{
	struct eventfd_ctx *source = line->source.eventfd;
	struct eventfd_ctx *sink = line->sink.eventfd;
	int ret = 0;

	mutex_lock(&irqfwd_eventfds_lock);
	if (irqfwd_is_source(source)) {
		ret = -EBUSY;
	} else if (irqfwd_is_sink(source) || irqfwd_is_source(sink)) {
		ret = -EINVAL;
	} else {
		hash_add(irqfwd_sources, &line->source_node,
			 (unsigned long)source);
		hash_add(irqfwd_sinks, &line->sink_node, (unsigned long)sink);
	}
	mutex_unlock(&irqfwd_eventfds_lock);
	return ret;
}

static void irqfwd_eventfds_release(struct irqfwd_line *line)
{
	mutex_lock(&irqfwd_eventfds_lock);
	hash_del(&line->source_node);
	hash_del(&line->sink_node);
	mutex_unlock(&irqfwd_eventfds_lock);
}

static void irqfwd_line_hangup_work(struct work_struct *work);
static void irqfwd_line_notify_work(struct work_struct *work);

static struct irqfwd_line *irqfwd_line_alloc(struct irqfwd_ctx *ctx,
					     const struct irqfwd_line_create *args)
{
	struct irqfwd_line *line;

	line = kmem_cache_zalloc(args->trigger == IRQFWD_TRIGGER_LEVEL ?
				 irqfwd_level_cache : irqfwd_edge_cache,
				 GFP_KERNEL_ACCOUNT);
	if (!line)
		return NULL;

	line->flags = args->flags;
	line->trigger = args->trigger;
	line->mode = args->mode;
	line->effective_mode = IRQFWD_MODE_MASKED;
	spin_lock_init(&line->lock);
	init_irq_work(&line->work, irqfwd_line_work);
	tasklet_setup(&line->bh, irqfwd_line_bh);
	INIT_WORK(&line->hangup, irqfwd_line_hangup_work);
	INIT_WORK(&line->notify, irqfwd_line_notify_work);
	INIT_HLIST_NODE(&line->source_node);
	INIT_HLIST_NODE(&line->sink_node);
	kref_get(&ctx->ref);
	line->ctx = ctx;
	atomic_inc(&irqfwd_live_lines);
	return line;
}

static void irqfwd_line_free_rcu(struct rcu_head *rcu)
{
	struct irqfwd_line *line = container_of(rcu, struct irqfwd_line, rcu);

	kmem_cache_free(irqfwd_line_is_level(line) ? irqfwd_level_cache :
			irqfwd_edge_cache, line);
	atomic_dec(&irqfwd_live_lines);
}

static void irqfwd_line_free(struct irqfwd_line *line)
{
	irqfwd_hook_put(&line->source);
	irqfwd_hook_put(&line->sink);
	if (irqfwd_line_is_level(line)) {
		irqfwd_hook_put(&line->resample);
		irqfwd_hook_put(&line->unmask);
	}
	irqfwd_fwd_free(line);
	kfree(line->guard);
	irqfwd_ctx_put(line->ctx);
	call_rcu(&line->rcu, irqfwd_line_free_rcu);
}

/*
 * Stop the line: when this returns, nothing waits on its eventfds and
 * nothing will signal them any more.  The hang-up work may still be
 * queued; the caller cancels it unless it is that work.
 */
static void irqfwd_line_shutdown(struct irqfwd_line *line)
{
	unsigned long flags;

	irqfwd_hook_remove(&line->source);
	if (irqfwd_line_is_level(line))
		irqfwd_hook_remove(&line->resample);

	spin_lock_irqsave(&line->lock, flags);
	line->dead = true;
	spin_unlock_irqrestore(&line->lock, flags);
	if (line->guard)
		timer_shutdown_sync(&line->guard->timer);
	irq_work_sync(&line->work);
	tasklet_kill(&line->bh);
	irqfwd_fwd_shutdown(line);

	irqfwd_hook_remove(&line->sink);
	if (irqfwd_line_is_level(line))
		irqfwd_hook_remove(&line->unmask);
	if (!hlist_unhashed(&line->source_node))
		irqfwd_eventfds_release(line);
}

/* Remove @line from its context, if nobody else did; ctx->lock held. */
static bool irqfwd_line_unpublish(struct irqfwd_line *line)
{
	struct irqfwd_ctx *ctx = line->ctx;

	lockdep_assert_held(&ctx->lock);

	if (xa_load(&ctx->lines, line->id) != line)
		return false;
	xa_erase(&ctx->lines, line->id);
	ctx->nr_lines--;
	return true;
}

/*
 * The last of a stopped line: its last change is reported (or dropped, it
 * is not published any more), then its going away, and then it is freed.
 */
static void irqfwd_line_finish(struct irqfwd_line *line, u32 cause)
{
	cancel_work_sync(&line->notify);
	irqfwd_nl_line_event(line, IRQFWD_CMD_LINE_DEL_NTF, cause);
	irqfwd_line_free(line);
}

/* One of the line's eventfds was released: go away, as a KVM irqfd does. */
static void irqfwd_line_hangup_work(struct work_struct *work)
{
	struct irqfwd_line *line = container_of(work, struct irqfwd_line,
						hangup);
	struct irqfwd_ctx *ctx = line->ctx;
	bool mine;

	mutex_lock(&ctx->lock);
	mine = irqfwd_line_unpublish(line);
	mutex_unlock(&ctx->lock);
	if (!mine)
		return;	/* being destroyed by someone else, who waits for us */

	irqfwd_line_shutdown(line);
	irqfwd_line_finish(line, IRQFWD_DESTROY_CAUSE_EVENTFD_CLOSED);
}

/*
 * The line's mode, effective mode or reason changed: report it, unless an
 * event has reported it since.  ctx->lock held, so that no change is
 * reported before the line's creation or after its destruction.
 */
static void irqfwd_line_report_change(struct irqfwd_line *line)
{
	bool changed;

	lockdep_assert_held(&line->ctx->lock);

	spin_lock_irq(&line->lock);
	changed = line->changed;
	line->changed = false;
	spin_unlock_irq(&line->lock);
	if (changed)
		irqfwd_nl_line_event(line, IRQFWD_CMD_LINE_CHANGE_NTF, 0);
}

static void irqfwd_line_notify_work(struct work_struct *work)
{
	struct irqfwd_line *line = container_of(work, struct irqfwd_line,
						notify);
	struct irqfwd_ctx *ctx = line->ctx;

	mutex_lock(&ctx->lock);
	if (xa_load(&ctx->lines, line->id) == line)
		irqfwd_line_report_change(line);
	mutex_unlock(&ctx->lock);
}

/*
 * The line's mode, effective mode or reason changed, in any context:
 * report it from process context.  Called with line->lock held.
 */
void irqfwd_line_changed(struct irqfwd_line *line)
{
	lockdep_assert_held(&line->lock);

	trace_irqfwd_line_mode(line);
	if (line->changed || line->dead)
		return;
	line->changed = true;
	queue_work(irqfwd_wq, &line->notify);
}

static int irqfwd_line_check(const struct irqfwd_line_create *args)
{
	const u32 level_flags = IRQFWD_LINE_UNMASK_FD | IRQFWD_LINE_RESAMPLE_FD;

	if (args->flags & ~level_flags || args->__reserved)
		return -EINVAL;
	if (args->trigger != IRQFWD_TRIGGER_EDGE &&
	    args->trigger != IRQFWD_TRIGGER_LEVEL)
		return -EINVAL;
	if (args->trigger == IRQFWD_TRIGGER_EDGE && (args->flags & level_flags))
		return -EINVAL;
	if (!irqfwd_mode_valid(args->mode))
		return -EINVAL;
	return 0;
}

int irqfwd_line_create(struct irqfwd_ctx *ctx, struct irqfwd_line_create *args)
{
	struct file *source = NULL, *sink = NULL;
	struct file *unmask = NULL, *resample = NULL;
	struct irqfwd_line *line;
	int ret;

	ret = irqfwd_line_check(args);
	if (ret)
		return ret;

	line = irqfwd_line_alloc(ctx, args);
	if (!line)
		return -ENOMEM;
	if (args->mode == IRQFWD_MODE_FORWARDED) {
		ret = irqfwd_fwd_alloc(line);
		if (ret)
			goto err_free;
	}
	if (READ_ONCE(irqfwd_storm_rate)) {
		ret = irqfwd_storm_alloc(line);
		if (ret)
			goto err_free;
	}

	ret = irqfwd_hook_get(&line->source, args->source_fd, &source);
	if (ret)
		goto err_free;
	ret = irqfwd_hook_get(&line->sink, args->sink_fd, &sink);
	if (ret)
		goto err_free;
	if (args->flags & IRQFWD_LINE_UNMASK_FD) {
		ret = irqfwd_hook_get(&line->unmask, args->unmask_fd, &unmask);
		if (ret)
			goto err_free;
	}
	if (args->flags & IRQFWD_LINE_RESAMPLE_FD) {
		ret = irqfwd_hook_get(&line->resample, args->resample_fd,
				      &resample);
		if (ret)
			goto err_free;
	}

	ret = -EINVAL;
	if (line->source.eventfd == line->sink.eventfd ||
	    (resample && (line->source.eventfd == line->resample.eventfd ||
			  line->sink.eventfd == line->resample.eventfd)))
		goto err_free;

	ret = irqfwd_eventfds_claim(line);
	if (ret)
		goto err_free;

	/*
	 * Hold ctx->lock until the line is complete, so that a hang-up in
	 * the meantime finds it published and tears it down.
	 */
	mutex_lock(&ctx->lock);
	if (ctx->nr_lines >= READ_ONCE(irqfwd_max_lines)) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	ret = xa_alloc_cyclic(&ctx->lines, &line->id, line, xa_limit_31b,
			      &ctx->next_id, GFP_KERNEL_ACCOUNT);
	if (ret < 0)
		goto err_unlock;
	ctx->nr_lines++;

	irqfwd_hook_add(&line->sink, sink, irqfwd_sink_wakeup);
	if (unmask)
		irqfwd_hook_add(&line->unmask, unmask, irqfwd_unmask_wakeup);
	if (resample) {
		irqfwd_hook_add(&line->resample, resample,
				irqfwd_resample_wakeup);
		/* Completions from before the line existed are not ours. */
		irqfwd_hook_drain(&line->resample);
	}
	irqfwd_hook_add(&line->source, source, irqfwd_source_wakeup);
	/* A source that fired before we waited on it is delivered now. */
	irqfwd_line_fire_missed(line);
	irqfwd_fwd_reconcile(line);

	/* The creation event tells the line's state: no change since. */
	spin_lock_irq(&line->lock);
	line->changed = false;
	spin_unlock_irq(&line->lock);
	irqfwd_nl_line_event(line, IRQFWD_CMD_LINE_ADD_NTF, 0);

	args->id = line->id;
	mutex_unlock(&ctx->lock);
	ret = 0;
	goto out_put_files;

err_unlock:
	mutex_unlock(&ctx->lock);
	irqfwd_eventfds_release(line);
err_free:
	irqfwd_line_free(line);
out_put_files:
	if (resample)
		fput(resample);
	if (unmask)
		fput(unmask);
	if (sink)
		fput(sink);
	if (source)
		fput(source);
	return ret;
}

static void irqfwd_line_teardown(struct irqfwd_line *line, u32 cause)
{
	irqfwd_line_shutdown(line);
	cancel_work_sync(&line->hangup);
	irqfwd_line_finish(line, cause);
}

/* The line @id of @ctx, or NULL; ctx->lock held. */
static struct irqfwd_line *irqfwd_line_lookup(struct irqfwd_ctx *ctx, u32 id)
{
	lockdep_assert_held(&ctx->lock);
	return xa_load(&ctx->lines, id);
}

int irqfwd_line_destroy(struct irqfwd_ctx *ctx, u32 id)
{
	struct irqfwd_line *line;

	mutex_lock(&ctx->lock);
	line = irqfwd_line_lookup(ctx, id);
	if (line)
		irqfwd_line_unpublish(line);
	mutex_unlock(&ctx->lock);
	if (!line)
		return -ENOENT;

	irqfwd_line_teardown(line, IRQFWD_DESTROY_CAUSE_IOCTL);
	return 0;
}

/* The file is gone: tear down every line of the context. */
void irqfwd_ctx_destroy_lines(struct irqfwd_ctx *ctx)
{
	struct irqfwd_line *line;
	unsigned long id;

	for (;;) {
		id = 0;
		mutex_lock(&ctx->lock);
		line = xa_find(&ctx->lines, &id, ULONG_MAX, XA_PRESENT);
		if (line)
			irqfwd_line_unpublish(line);
		mutex_unlock(&ctx->lock);
		if (!line)
			break;
		irqfwd_line_teardown(line, IRQFWD_DESTROY_CAUSE_FILE_CLOSED);
		cond_resched();
	}
}

/*
 * What IRQFWD_LINE_QUERY and netlink tell of a line: everything in @info
 * after its id.
 */
void irqfwd_line_snapshot(struct irqfwd_line *line,
			  struct irqfwd_line_info *info)
{
	unsigned long flags;

	info->line_flags = line->flags;
	info->trigger = line->trigger;

	spin_lock_irqsave(&line->lock, flags);
	info->mode = line->mode;
	info->effective_mode = line->effective_mode;
	info->reason = line->reason;
	info->host_irq = irqfwd_line_host_irq(line);
	info->bypass = irqfwd_line_bypass_state(line);
	info->state = irqfwd_line_state(line);
	info->stats = line->stats;
	info->storm_rate = line->guard ? line->guard->rate : 0;
	info->storm_backoff_ms = line->guard ? line->guard->backoff_ms :
				 irqfwd_storm_default_backoff_ms();
	spin_unlock_irqrestore(&line->lock, flags);
}

int irqfwd_line_query(struct irqfwd_ctx *ctx, struct irqfwd_line_info *info)
{
	struct irqfwd_line *line;
	int ret = 0;

	mutex_lock(&ctx->lock);
	line = irqfwd_line_lookup(ctx, info->id);
	if (line)
		irqfwd_line_snapshot(line, info);
	else
		ret = -ENOENT;
	mutex_unlock(&ctx->lock);
	return ret;
}

/*
 * Mask, unmask and clear the pending latch (IRQFWD_LINE_MASK_* in @flags,
 * in the order clear, unmask, mask); returns the line's state in @state.
 */
int irqfwd_line_mask(struct irqfwd_ctx *ctx, u32 id, u32 flags, u32 *state)
{
	struct irqfwd_line *line;
	bool sync = false;
	int ret = 0;

	mutex_lock(&ctx->lock);
	line = irqfwd_line_lookup(ctx, id);
	if (!line) {
		ret = -ENOENT;
		goto out;
	}

	spin_lock_irq(&line->lock);
	if ((flags & IRQFWD_LINE_MASK_CLEAR_PENDING) && line->pending) {
		line->pending = false;
		line->stats.cleared++;
		/*
		 * A level source stays masked in VFIO until unmasked: let it
		 * trigger again if the device still asserts the line.
		 */
		if (!line->in_service && (line->flags & IRQFWD_LINE_UNMASK_FD))
			irqfwd_line_kick(line, IRQFWD_TODO_UNMASK);
	}
	if (flags & IRQFWD_LINE_MASK_UNMASK) {
		line->masked = false;
		if (line->pending && !line->in_service && !line->storm)
			irqfwd_line_deliver(line);
	}
	if (flags & IRQFWD_LINE_MASK_MASK) {
		line->masked = true;
		if (irqfwd_line_queued(line)) {
			/* Not delivered yet: take it back into the latch. */
			line->todo &= ~IRQFWD_TODO_DELIVER;
			line->pending = true;
			line->in_service = false;
		}
		sync = true;
	}
	*state = irqfwd_line_state(line);
	spin_unlock_irq(&line->lock);

	/* A delivery already under way completes before mask returns. */
	if (sync) {
		irq_work_sync(&line->work);
		tasklet_unlock_wait(&line->bh);
	}
	irqfwd_line_report_change(line);
out:
	mutex_unlock(&ctx->lock);
	return ret;
}

int irqfwd_line_set_mode(struct irqfwd_ctx *ctx, struct irqfwd_line_mode *args)
{
	struct irqfwd_line *line;
	int ret = 0;

	mutex_lock(&ctx->lock);
	line = irqfwd_line_lookup(ctx, args->id);
	if (!line) {
		ret = -ENOENT;
		goto out;
	}
	if (args->mode == IRQFWD_MODE_FORWARDED) {
		ret = irqfwd_fwd_alloc(line);
		if (ret)
			goto out;
	}

	spin_lock_irq(&line->lock);
	irqfwd_line_request_mode(line, args->mode);
	spin_unlock_irq(&line->lock);

	irqfwd_fwd_reconcile(line);

	spin_lock_irq(&line->lock);
	args->effective_mode = line->effective_mode;
	args->reason = line->reason;
	spin_unlock_irq(&line->lock);
	irqfwd_line_report_change(line);
out:
	mutex_unlock(&ctx->lock);
	return ret;
}

int irqfwd_line_set_storm(struct irqfwd_ctx *ctx, u32 id, u32 rate,
			  u32 backoff_ms)
{
	struct irqfwd_line *line;
	int ret = 0;

	mutex_lock(&ctx->lock);
	line = irqfwd_line_lookup(ctx, id);
	if (!line) {
		ret = -ENOENT;
		goto out;
	}

	if (!line->guard && !rate)
		goto out;	/* off, as it was */
	ret = irqfwd_storm_alloc(line);
	if (ret)
		goto out;

	spin_lock_irq(&line->lock);
	line->guard->rate = rate;
	line->guard->backoff_ms = backoff_ms;
	irqfwd_storm_window(line->guard, jiffies);
	if (!rate)
		irqfwd_line_storm_stop(line);
	spin_unlock_irq(&line->lock);
	irqfwd_line_report_change(line);
out:
	mutex_unlock(&ctx->lock);
	return ret;
}

int irqfwd_line_eoi(struct irqfwd_ctx *ctx, u32 id)
{
	struct irqfwd_line *line;
	int ret = 0;

	rcu_read_lock();
	line = xa_load(&ctx->lines, id);
	if (!line)
		ret = -ENOENT;
	else if (!irqfwd_line_is_level(line))
		ret = -EINVAL;
	else
		irqfwd_line_complete(line);
	rcu_read_unlock();
	return ret;
}

int irqfwd_lines_init(void)
{
	int ret;

	irqfwd_edge_cache = kmem_cache_create("irqfwd_line_edge",
					      offsetof(struct irqfwd_line,
						       resample),
					      __alignof__(struct irqfwd_line),
					      SLAB_ACCOUNT, NULL);
	irqfwd_level_cache = kmem_cache_create("irqfwd_line_level",
					       sizeof(struct irqfwd_line),
					       __alignof__(struct irqfwd_line),
					       SLAB_ACCOUNT, NULL);
	if (!irqfwd_edge_cache || !irqfwd_level_cache) {
		ret = -ENOMEM;
		goto err_caches;
	}

	/* Hang-ups may come in bursts (a VMM exiting closes everything). */
	irqfwd_wq = alloc_workqueue("irqfwd", WQ_UNBOUND, 0);
	if (!irqfwd_wq) {
		ret = -ENOMEM;
		goto err_caches;
	}
	return 0;

err_caches:
	kmem_cache_destroy(irqfwd_level_cache);
	kmem_cache_destroy(irqfwd_edge_cache);
	return ret;
}

void irqfwd_lines_exit(void)
{
	destroy_workqueue(irqfwd_wq);
	rcu_barrier();
	kmem_cache_destroy(irqfwd_level_cache);
	kmem_cache_destroy(irqfwd_edge_cache);
}
