// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwd: forward device interrupts from VFIO to KVM guests.
 *
 * /dev/irqfwd, its ioctls, and the module's life cycle.  Each open file is
 * a forwarding context; see uapi/linux/irqfwd.h for the ABI.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "irqfwd.h"
#include "irqfwd-nl.h"
#include "version.h"

/* The largest argsz any command accepts. */
#define IRQFWD_ARGSZ_MAX	4096

unsigned int irqfwd_max_lines = 65536;
module_param_named(max_lines, irqfwd_max_lines, uint, 0644);
MODULE_PARM_DESC(max_lines, "Maximum number of lines per open file (default 65536)");

unsigned int irqfwd_storm_rate;
module_param_named(storm_rate, irqfwd_storm_rate, uint, 0644);
MODULE_PARM_DESC(storm_rate, "Storm guard of new lines: interrupts per second beyond which a line is held (default 0: off)");

unsigned int irqfwd_storm_backoff_ms = 100;
module_param_named(storm_backoff_ms, irqfwd_storm_backoff_ms, uint, 0644);
MODULE_PARM_DESC(storm_backoff_ms, "Storm guard of new lines: how long a line is held, in ms (default 100, at most 60000)");

/* Objects alive now, for leak checks: debugfs irqfwd/{lines,contexts}. */
atomic_t irqfwd_live_lines = ATOMIC_INIT(0);
atomic_t irqfwd_live_contexts = ATOMIC_INIT(0);
static struct dentry *irqfwd_debugfs;

/* The storm guard's back-off for new lines, in the range the ABI allows. */
u32 irqfwd_storm_default_backoff_ms(void)
{
	return clamp(READ_ONCE(irqfwd_storm_backoff_ms), 1U,
		     (u32)IRQFWD_STORM_BACKOFF_MAX_MS);
}

/*
 * Every open file's context, by id, for netlink.  A context leaves when its
 * file is released, so each one found here still holds the file's
 * reference.
 */
static DEFINE_XARRAY_FLAGS(irqfwd_contexts, XA_FLAGS_ALLOC1);
static u32 irqfwd_next_ctx_id;

static void irqfwd_ctx_release(struct kref *ref)
{
	struct irqfwd_ctx *ctx = container_of(ref, struct irqfwd_ctx, ref);

	WARN_ON(!xa_empty(&ctx->lines));
	xa_destroy(&ctx->lines);
	mutex_destroy(&ctx->lock);
	put_pid(ctx->pid);
	kfree(ctx);
	atomic_dec(&irqfwd_live_contexts);
}

void irqfwd_ctx_put(struct irqfwd_ctx *ctx)
{
	kref_put(&ctx->ref, irqfwd_ctx_release);
}

/*
 * The first context with an id of at least *@id, referenced, or NULL; its
 * id is stored in *@id.
 */
struct irqfwd_ctx *irqfwd_ctx_find(unsigned long *id)
{
	struct irqfwd_ctx *ctx;

	xa_lock(&irqfwd_contexts);
	ctx = xa_find(&irqfwd_contexts, id, ULONG_MAX, XA_PRESENT);
	if (ctx)
		kref_get(&ctx->ref);
	xa_unlock(&irqfwd_contexts);
	return ctx;
}

/*
 * May the current task see @ctx?  An administrator (@admin) sees every
 * context; anyone else the contexts its own process opened.
 */
bool irqfwd_ctx_visible(const struct irqfwd_ctx *ctx, bool admin)
{
	return admin || ctx->pid == task_tgid(current);
}

static int irqfwd_open(struct inode *inode, struct file *file)
{
	struct irqfwd_ctx *ctx;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;

	kref_init(&ctx->ref);
	mutex_init(&ctx->lock);
	xa_init_flags(&ctx->lines, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	ctx->pid = get_task_pid(current, PIDTYPE_TGID);
	get_task_comm(ctx->comm, current);
	atomic_inc(&irqfwd_live_contexts);

	ret = xa_alloc_cyclic(&irqfwd_contexts, &ctx->id, ctx, xa_limit_31b,
			      &irqfwd_next_ctx_id, GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		irqfwd_ctx_put(ctx);
		return ret;
	}

	/* misc_open() left our struct miscdevice here: replace it. */
	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

static int irqfwd_release(struct inode *inode, struct file *file)
{
	struct irqfwd_ctx *ctx = file->private_data;

	xa_erase(&irqfwd_contexts, ctx->id);
	irqfwd_ctx_destroy_lines(ctx);
	irqfwd_ctx_put(ctx);
	return 0;
}

/*
 * Copy in a command's argument: @ksize is the structure this module knows,
 * @minsz the size of its first version.  See "Conventions" in the uapi
 * header.
 */
static int irqfwd_copy_args(void *karg, size_t ksize, size_t minsz,
			    const void __user *uarg)
{
	u32 argsz;

	if (get_user(argsz, (const u32 __user *)uarg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	if (argsz > IRQFWD_ARGSZ_MAX)
		return -E2BIG;
	return copy_struct_from_user(karg, ksize, uarg, argsz);
}

/* Copy out at most argsz bytes; argsz is at least the first version. */
static int irqfwd_copy_out(void __user *uarg, const void *karg, size_t ksize,
			   u32 argsz)
{
	if (copy_to_user(uarg, karg, min_t(size_t, ksize, argsz)))
		return -EFAULT;
	return 0;
}

/*
 * No IRQFWD_CAP_FORWARDED: forwarded mode is accepted but never effective,
 * because no kernel lets irqfwd take a host IRQ back from KVM in time
 * (bypass.c).
 */
#define IRQFWD_CAPS (IRQFWD_CAP_LEVEL | IRQFWD_CAP_EOI | IRQFWD_CAP_RESAMPLE | \
		     IRQFWD_CAP_MASK | IRQFWD_CAP_STORM)

static long irqfwd_ioctl_get_info(struct irqfwd_ctx *ctx, void __user *uarg)
{
	struct irqfwd_info info;
	int ret;

	ret = irqfwd_copy_args(&info, sizeof(info),
			       offsetofend(struct irqfwd_info, ctx_id), uarg);
	if (ret)
		return ret;
	if (info.flags)
		return -EINVAL;

	info.api_version = IRQFWD_API_VERSION;
	info.max_lines = READ_ONCE(irqfwd_max_lines);
	info.caps = IRQFWD_CAPS;
	info.nr_lines = READ_ONCE(ctx->nr_lines);
	info.ctx_id = ctx->id;
	return irqfwd_copy_out(uarg, &info, sizeof(info), info.argsz);
}

static long irqfwd_ioctl_line_create(struct irqfwd_ctx *ctx, void __user *uarg)
{
	struct irqfwd_line_create args;
	int ret;

	ret = irqfwd_copy_args(&args, sizeof(args),
			       offsetofend(struct irqfwd_line_create, __reserved),
			       uarg);
	if (ret)
		return ret;

	ret = irqfwd_line_create(ctx, &args);
	if (ret)
		return ret;

	if (put_user(args.id, (u32 __user *)(uarg +
			offsetof(struct irqfwd_line_create, id)))) {
		/* The caller cannot learn the id: undo. */
		irqfwd_line_destroy(ctx, args.id);
		return -EFAULT;
	}
	return 0;
}

static long irqfwd_ioctl_line_destroy(struct irqfwd_ctx *ctx, void __user *uarg)
{
	struct irqfwd_line_destroy args;
	int ret;

	ret = irqfwd_copy_args(&args, sizeof(args),
			       offsetofend(struct irqfwd_line_destroy, __reserved),
			       uarg);
	if (ret)
		return ret;
	if (args.flags || args.__reserved)
		return -EINVAL;

	return irqfwd_line_destroy(ctx, args.id);
}

static long irqfwd_ioctl_line_query(struct irqfwd_ctx *ctx, void __user *uarg)
{
	struct irqfwd_line_info info;
	int ret;

	BUILD_BUG_ON(offsetofend(struct irqfwd_line_info, stats.cleared) !=
		     IRQFWD_LINE_INFO_SIZE_V1);
	ret = irqfwd_copy_args(&info, sizeof(info), IRQFWD_LINE_INFO_SIZE_V1,
			       uarg);
	if (ret)
		return ret;
	if (info.flags)
		return -EINVAL;

	ret = irqfwd_line_query(ctx, &info);
	if (ret)
		return ret;
	info.__reserved = 0;
	return irqfwd_copy_out(uarg, &info, sizeof(info), info.argsz);
}

static long irqfwd_ioctl_line_eoi(struct irqfwd_ctx *ctx, void __user *uarg)
{
	struct irqfwd_line_eoi args;
	int ret;

	ret = irqfwd_copy_args(&args, sizeof(args),
			       offsetofend(struct irqfwd_line_eoi, __reserved),
			       uarg);
	if (ret)
		return ret;
	if (args.flags || args.__reserved)
		return -EINVAL;

	return irqfwd_line_eoi(ctx, args.id);
}

static long irqfwd_ioctl_line_mask(struct irqfwd_ctx *ctx, void __user *uarg)
{
	const u32 ops = IRQFWD_LINE_MASK_MASK | IRQFWD_LINE_MASK_UNMASK |
			IRQFWD_LINE_MASK_CLEAR_PENDING;
	struct irqfwd_line_mask args;
	int ret;

	ret = irqfwd_copy_args(&args, sizeof(args),
			       offsetofend(struct irqfwd_line_mask, state), uarg);
	if (ret)
		return ret;
	if (args.flags & ~ops)
		return -EINVAL;
	if ((args.flags & IRQFWD_LINE_MASK_MASK) &&
	    (args.flags & IRQFWD_LINE_MASK_UNMASK))
		return -EINVAL;

	ret = irqfwd_line_mask(ctx, args.id, args.flags, &args.state);
	if (ret)
		return ret;
	return irqfwd_copy_out(uarg, &args, sizeof(args), args.argsz);
}

static long irqfwd_ioctl_line_set_mode(struct irqfwd_ctx *ctx,
				       void __user *uarg)
{
	struct irqfwd_line_mode args;
	int ret;

	ret = irqfwd_copy_args(&args, sizeof(args),
			       offsetofend(struct irqfwd_line_mode, reason), uarg);
	if (ret)
		return ret;
	if (args.flags)
		return -EINVAL;
	if (!irqfwd_mode_valid(args.mode))
		return -EINVAL;

	ret = irqfwd_line_set_mode(ctx, &args);
	if (ret)
		return ret;
	return irqfwd_copy_out(uarg, &args, sizeof(args), args.argsz);
}

static long irqfwd_ioctl_line_set_storm(struct irqfwd_ctx *ctx,
					void __user *uarg)
{
	struct irqfwd_line_storm args;
	int ret;

	ret = irqfwd_copy_args(&args, sizeof(args),
			       offsetofend(struct irqfwd_line_storm, __reserved),
			       uarg);
	if (ret)
		return ret;
	if (args.flags & ~IRQFWD_LINE_STORM_DEFAULT || args.__reserved)
		return -EINVAL;
	if (args.flags & IRQFWD_LINE_STORM_DEFAULT) {
		if (args.rate || args.backoff_ms)
			return -EINVAL;
		args.rate = READ_ONCE(irqfwd_storm_rate);
		args.backoff_ms = irqfwd_storm_default_backoff_ms();
	} else if (args.rate ? !args.backoff_ms ||
		   args.backoff_ms > IRQFWD_STORM_BACKOFF_MAX_MS :
		   args.backoff_ms) {
		return -EINVAL;
	}

	return irqfwd_line_set_storm(ctx, args.id, args.rate, args.backoff_ms);
}

static long irqfwd_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct irqfwd_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case IRQFWD_GET_INFO:
		return irqfwd_ioctl_get_info(ctx, uarg);
	case IRQFWD_LINE_CREATE:
		return irqfwd_ioctl_line_create(ctx, uarg);
	case IRQFWD_LINE_DESTROY:
		return irqfwd_ioctl_line_destroy(ctx, uarg);
	case IRQFWD_LINE_QUERY:
		return irqfwd_ioctl_line_query(ctx, uarg);
	case IRQFWD_LINE_EOI:
		return irqfwd_ioctl_line_eoi(ctx, uarg);
	case IRQFWD_LINE_MASK:
		return irqfwd_ioctl_line_mask(ctx, uarg);
	case IRQFWD_LINE_SET_MODE:
		return irqfwd_ioctl_line_set_mode(ctx, uarg);
	case IRQFWD_LINE_SET_STORM:
		return irqfwd_ioctl_line_set_storm(ctx, uarg);
	}
	return -ENOTTY;
}

static const struct file_operations irqfwd_fops = {
	.owner		= THIS_MODULE,
	.open		= irqfwd_open,
	.release	= irqfwd_release,
	.unlocked_ioctl	= irqfwd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice irqfwd_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "irqfwd",
	.fops	= &irqfwd_fops,
	.mode	= 0600,
};

static int __init irqfwd_init(void)
{
	int ret;

	ret = irqfwd_lines_init();
	if (ret)
		return ret;

	ret = irqfwd_nl_init();
	if (ret)
		goto err_lines;

	ret = misc_register(&irqfwd_misc);
	if (ret)
		goto err_nl;

	irqfwd_debugfs = debugfs_create_dir("irqfwd", NULL);
	debugfs_create_atomic_t("lines", 0444, irqfwd_debugfs,
				&irqfwd_live_lines);
	debugfs_create_atomic_t("contexts", 0444, irqfwd_debugfs,
				&irqfwd_live_contexts);

	pr_info("version %s, API %d\n", IRQFWD_VERSION, IRQFWD_API_VERSION);
	return 0;

err_nl:
	irqfwd_nl_exit();
err_lines:
	irqfwd_lines_exit();
	return ret;
}

static void __exit irqfwd_exit(void)
{
	debugfs_remove_recursive(irqfwd_debugfs);
	misc_deregister(&irqfwd_misc);
	irqfwd_nl_exit();
	irqfwd_lines_exit();
}

module_init(irqfwd_init);
module_exit(irqfwd_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The irqfwd developers");
MODULE_DESCRIPTION("Forward device interrupts from VFIO to KVM guests");
MODULE_VERSION(IRQFWD_VERSION);
MODULE_ALIAS_GENL_FAMILY(IRQFWD_FAMILY_NAME);
