/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * irqfwd: forward device interrupts from VFIO to KVM guests.
 *
 * Opening /dev/irqfwd creates a forwarding context; the file descriptor is
 * the context (normally one per virtual machine).  A context holds lines.
 * A line connects a source eventfd (the trigger eventfd a VFIO device
 * signals, or any eventfd) to a sink eventfd (the eventfd of a KVM irqfd, or
 * any eventfd).  Everything a context holds is private to it and is torn
 * down when the last reference to the file goes away.  The context is the
 * open file, not a process: whoever holds a descriptor of it (inherited
 * across fork(), or passed with SCM_RIGHTS) uses the same lines.
 * /dev/irqfwd is created for root only (mode 0600).
 *
 * Edge lines (MSI, MSI-X) deliver every source signal to the sink.  Signals
 * that arrive before the previous one reached the sink are merged into it,
 * as an interrupt controller merges an interrupt that is already pending;
 * they are counted as coalesced.
 *
 * Level lines (PCI INTx, platform SPIs) follow VFIO's automask protocol.
 * The source fires once per assertion and VFIO masks the host line.  irqfwd
 * signals the sink and the line is "in service" until the guest completes
 * the interrupt, either through the resample eventfd (KVM's resamplefd, see
 * KVM_IRQFD_FLAG_RESAMPLE) or through IRQFWD_LINE_EOI.  Completion signals
 * the unmask eventfd (the eventfd given to VFIO_DEVICE_SET_IRQS with
 * VFIO_IRQ_SET_ACTION_UNMASK | VFIO_IRQ_SET_DATA_EVENTFD), and VFIO unmasks
 * the host line, triggering again if the device still asserts it.  A level
 * line without an unmask eventfd latches a source signal that arrives while
 * it is in service and delivers it again when the interrupt completes.
 *
 * irqfwd listens on the source and resample eventfds and only signals the
 * sink and unmask eventfds.  Do not also hand the source eventfd to
 * KVM_IRQFD: KVM consumes the signals of an irqfd eventfd exclusively.
 *
 * A line runs in masked-eventfd mode or in forwarded mode (enum
 * irqfwd_mode), switchable at any time with IRQFWD_LINE_SET_MODE, and can
 * be masked without losing an interrupt (IRQFWD_LINE_MASK).
 *
 * A line is destroyed by IRQFWD_LINE_DESTROY, when its context goes away,
 * or when one of its eventfds is closed by userspace (the eventfd file is
 * released): like a KVM irqfd, the line then goes away on its own shortly
 * afterwards, and its id becomes unknown (-ENOENT).
 *
 * Conventions of every command:
 *  - The argument starts with __u32 argsz (the size of the structure the
 *    caller knows, in bytes) and __u32 flags.  An argsz smaller than the
 *    first version of the structure fails with -EINVAL; a larger argsz is
 *    accepted when the bytes the kernel does not know are zero, otherwise
 *    it fails with -E2BIG (so does an argsz above 4096).  The kernel writes
 *    back at most argsz bytes.  The size encoded in a command's number is
 *    that of the first version of its structure and never changes: a
 *    structure grows at its end, and argsz tells which version is passed.
 *  - Unknown flags, unknown enumeration values and non-zero reserved fields
 *    fail with -EINVAL.
 *  - An unreadable or unwritable argument fails with -EFAULT.
 *  - An unknown command fails with -ENOTTY.
 */
#ifndef _UAPI_LINUX_IRQFWD_H
#define _UAPI_LINUX_IRQFWD_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define IRQFWD_API_VERSION	1

/* The ioctl magic of /dev/irqfwd. */
#define IRQFWD_TYPE		0xBF

/**
 * enum irqfwd_trigger - how the source signals an interrupt
 * @IRQFWD_TRIGGER_EDGE: one signal per interrupt (MSI, MSI-X).
 * @IRQFWD_TRIGGER_LEVEL: one signal per assertion; the source stays quiet
 *	until the line is unmasked (PCI INTx, platform level interrupts).
 */
enum irqfwd_trigger {
	IRQFWD_TRIGGER_EDGE	= 0,
	IRQFWD_TRIGGER_LEVEL	= 1,
};

/**
 * enum irqfwd_mode - how a line is delivered
 * @IRQFWD_MODE_MASKED: masked-eventfd mode: irqfwd relays the source to the
 *	sink in the kernel, and runs the mask/unmask protocol of level lines.
 * @IRQFWD_MODE_FORWARDED: HW-bit forwarding: hand the host IRQ behind the
 *	source (learnt from VFIO's irq_bypass producer on the source eventfd)
 *	to the irq_bypass consumer on the sink eventfd (KVM's irqfd), so that
 *	the platform delivers it to the guest directly (x86 posted
 *	interrupts, arm64 GICv4 vLPIs).  No kernel lets a module do that
 *	safely yet (see IRQFWD_REASON_NO_HANDOVER): a forwarded line runs in
 *	masked mode, with the reason, and IRQFWD_GET_INFO does not report
 *	IRQFWD_CAP_FORWARDED.  The request is kept, so that a VMM can ask
 *	for forwarding everywhere and read why it did not happen.
 *
 * A line reports the mode it was asked for and the mode it runs in; they
 * differ, with an enum irqfwd_reason, whenever forwarding cannot be
 * guaranteed to be correct.  In every mode irqfwd keeps listening on the
 * source eventfd and relays what it receives, so switching modes, at any
 * time, neither loses nor duplicates an interrupt.
 */
enum irqfwd_mode {
	IRQFWD_MODE_MASKED	= 0,
	IRQFWD_MODE_FORWARDED	= 1,
};

/**
 * enum irqfwd_reason - why a line's effective mode differs from its
 *	requested mode
 * @IRQFWD_REASON_NONE: it does not differ.
 * @IRQFWD_REASON_NO_PRODUCER: no irq_bypass producer on the source eventfd:
 *	it is not the trigger of an enabled VFIO MSI/MSI-X vector (VFIO INTx
 *	has no producer).
 * @IRQFWD_REASON_NO_CONSUMER: not reported since irqfwd 0.2 (see
 *	@IRQFWD_REASON_NO_HANDOVER).
 * @IRQFWD_REASON_NO_POSTING: not reported since irqfwd 0.2.
 * @IRQFWD_REASON_NOT_POSTED: not reported since irqfwd 0.2.
 * @IRQFWD_REASON_LINE_MASKED: not reported since irqfwd 0.2.
 * @IRQFWD_REASON_LEVEL: a level line: irq_bypass forwards MSIs only, and no
 *	supported irqchip can hand the completion of a level interrupt to the
 *	guest, so level lines keep the automask protocol.
 * @IRQFWD_REASON_SOURCE_BUSY: another irq_bypass consumer is registered on
 *	the source eventfd (is it also a KVM irqfd?).
 * @IRQFWD_REASON_SINK_BUSY: not reported since irqfwd 0.2.
 * @IRQFWD_REASON_REFUSED: the irq_bypass manager refused irqfwd's consumer
 *	on the source eventfd for another reason than @IRQFWD_REASON_SOURCE_BUSY
 *	(no memory).
 * @IRQFWD_REASON_STORM: not reported since irqfwd 0.2 (the storm guard
 *	shows in the line's state, IRQFWD_LINE_STATE_STORM).
 * @IRQFWD_REASON_NO_HANDOVER: VFIO's producer is there, but irqfwd does not
 *	hand its IRQ to KVM: when the VMM disables the vector, VFIO frees the
 *	IRQ as soon as its producer is unregistered, and no irq_bypass manager
 *	(Linux 6.1 to 7.3) lets irqfwd make KVM release the IRQ before that.
 *
 * When several reasons apply, the first of this order is reported:
 * @IRQFWD_REASON_LEVEL, @IRQFWD_REASON_SOURCE_BUSY, @IRQFWD_REASON_REFUSED,
 * @IRQFWD_REASON_NO_PRODUCER, @IRQFWD_REASON_NO_HANDOVER.  Values are
 * never reused.
 */
enum irqfwd_reason {
	IRQFWD_REASON_NONE		= 0,
	IRQFWD_REASON_NO_PRODUCER	= 1,
	IRQFWD_REASON_NO_CONSUMER	= 2,
	IRQFWD_REASON_NO_POSTING	= 3,
	IRQFWD_REASON_NOT_POSTED	= 4,
	IRQFWD_REASON_LINE_MASKED	= 5,
	IRQFWD_REASON_LEVEL		= 6,
	IRQFWD_REASON_SOURCE_BUSY	= 7,
	IRQFWD_REASON_SINK_BUSY		= 8,
	IRQFWD_REASON_REFUSED		= 9,
	IRQFWD_REASON_STORM		= 10,
	IRQFWD_REASON_NO_HANDOVER	= 11,
};

/* Capabilities reported by IRQFWD_GET_INFO. */
#define IRQFWD_CAP_LEVEL	_BITULL(0)	/* level lines */
#define IRQFWD_CAP_EOI		_BITULL(1)	/* IRQFWD_LINE_EOI */
#define IRQFWD_CAP_RESAMPLE	_BITULL(2)	/* resample eventfds */
#define IRQFWD_CAP_MASK		_BITULL(3)	/* IRQFWD_LINE_MASK */
#define IRQFWD_CAP_FORWARDED	_BITULL(4)	/* forwarded mode effective */
#define IRQFWD_CAP_STORM	_BITULL(5)	/* IRQFWD_LINE_SET_STORM */

/**
 * struct irqfwd_info - IRQFWD_GET_INFO argument
 * @argsz: sizeof(struct irqfwd_info)
 * @flags: must be 0
 * @api_version: out: IRQFWD_API_VERSION of the running module
 * @max_lines: out: how many lines one context may hold
 * @caps: out: IRQFWD_CAP_* bits
 * @nr_lines: out: how many lines this context holds now
 * @ctx_id: out: the id of this context (this open file), as the netlink
 *	family (linux/irqfwd_netlink.h) and the tracepoints name it; never 0
 */
struct irqfwd_info {
	__u32 argsz;
	__u32 flags;
	__u32 api_version;
	__u32 max_lines;
	__u64 caps;
	__u32 nr_lines;
	__u32 ctx_id;
};

/* struct irqfwd_line_create flags */
#define IRQFWD_LINE_UNMASK_FD	_BITUL(0)	/* @unmask_fd is valid */
#define IRQFWD_LINE_RESAMPLE_FD	_BITUL(1)	/* @resample_fd is valid */

/**
 * struct irqfwd_line_create - IRQFWD_LINE_CREATE argument
 * @argsz: sizeof(struct irqfwd_line_create)
 * @flags: IRQFWD_LINE_UNMASK_FD, IRQFWD_LINE_RESAMPLE_FD; both only for
 *	level lines
 * @source_fd: eventfd signalled by the interrupt source
 * @sink_fd: eventfd irqfwd signals to deliver the interrupt
 * @unmask_fd: eventfd irqfwd signals to unmask the source of a level line
 * @resample_fd: eventfd signalled when the guest completes a level
 *	interrupt
 * @trigger: enum irqfwd_trigger
 * @mode: enum irqfwd_mode, the requested mode
 * @id: out: the line's id, never 0, unique within the context
 * @__reserved: must be 0
 *
 * The fds are only used during the call: irqfwd keeps references to the
 * eventfds, not to the descriptors.  The source, sink and resample eventfds
 * must be three different eventfds.
 */
struct irqfwd_line_create {
	__u32 argsz;
	__u32 flags;
	__s32 source_fd;
	__s32 sink_fd;
	__s32 unmask_fd;
	__s32 resample_fd;
	__u32 trigger;
	__u32 mode;
	__u32 id;
	__u32 __reserved;
};

/**
 * struct irqfwd_line_destroy - IRQFWD_LINE_DESTROY argument
 * @argsz: sizeof(struct irqfwd_line_destroy)
 * @flags: must be 0
 * @id: the line
 * @__reserved: must be 0
 */
struct irqfwd_line_destroy {
	__u32 argsz;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
};

/**
 * struct irqfwd_line_eoi - IRQFWD_LINE_EOI argument
 * @argsz: sizeof(struct irqfwd_line_eoi)
 * @flags: must be 0
 * @id: the line
 * @__reserved: must be 0
 */
struct irqfwd_line_eoi {
	__u32 argsz;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
};

/* struct irqfwd_line_info state bits */
/*
 * IRQFWD_LINE_STATE_IN_SERVICE: a level interrupt was delivered and is not
 *	completed yet; its source stays masked until it is.
 * IRQFWD_LINE_STATE_PENDING: an interrupt waits to be delivered: it is on
 *	its way to the sink, or it is latched because the line is masked (or
 *	because a level line without unmask eventfd is in service).  However
 *	often the source fires meanwhile, one interrupt is delivered.  This is
 *	the bit a VMM reports in an MSI-X Pending Bit Array.
 * IRQFWD_LINE_STATE_MASKED: the line is masked by IRQFWD_LINE_MASK.
 * IRQFWD_LINE_STATE_STORM: the storm guard holds the line, as if masked,
 *	until its back-off ends (IRQFWD_LINE_SET_STORM).
 */
#define IRQFWD_LINE_STATE_IN_SERVICE	_BITUL(0)
#define IRQFWD_LINE_STATE_PENDING	_BITUL(1)
#define IRQFWD_LINE_STATE_MASKED	_BITUL(2)
#define IRQFWD_LINE_STATE_STORM		_BITUL(3)

/**
 * struct irqfwd_line_stats - a line's counters, since it was created
 * @fired: source signals received
 * @delivered: sink signals sent
 * @coalesced: source signals merged into a pending interrupt, or dropped
 *	because they arrived while a level interrupt was in service and an
 *	unmask eventfd will make the source trigger again
 * @completed: completions of an in-service level interrupt
 * @unmasked: unmask eventfd signals sent
 * @spurious: completions received while nothing was in service (a shared
 *	KVM resampler signals every line of its GSI)
 * @cleared: pending interrupts discarded by IRQFWD_LINE_MASK_CLEAR_PENDING
 * @storms: times the storm guard held the line (since API version 1 with
 *	IRQFWD_CAP_STORM; absent from a shorter argsz)
 */
struct irqfwd_line_stats {
	__u64 fired;
	__u64 delivered;
	__u64 coalesced;
	__u64 completed;
	__u64 unmasked;
	__u64 spurious;
	__u64 cleared;
	__u64 storms;
};

/* struct irqfwd_line_info bypass bits: irq_bypass pairings of the line */
#define IRQFWD_LINE_BYPASS_PRODUCER	_BITUL(0) /* VFIO's producer, source */
#define IRQFWD_LINE_BYPASS_CONSUMER	_BITUL(1) /* paired on the sink; never since 0.2 */

/**
 * struct irqfwd_line_info - IRQFWD_LINE_QUERY argument
 * @argsz: sizeof(struct irqfwd_line_info)
 * @flags: must be 0
 * @id: the line
 * @line_flags: out: the flags the line was created with
 * @trigger: out: enum irqfwd_trigger
 * @mode: out: the requested enum irqfwd_mode
 * @effective_mode: out: the enum irqfwd_mode the line runs in
 * @reason: out: enum irqfwd_reason, why @effective_mode differs from @mode
 * @state: out: IRQFWD_LINE_STATE_* bits
 * @host_irq: out: the host IRQ behind the source, learnt from its
 *	irq_bypass producer while the line is in forwarded mode; 0 if none
 * @bypass: out: IRQFWD_LINE_BYPASS_* bits
 * @__reserved: out: zero
 * @stats: out: the line's counters
 * @storm_rate: out: the storm guard's limit, interrupts per second; 0 if
 *	the guard is off
 * @storm_backoff_ms: out: how long the guard holds a line
 *
 * The first version of this structure ended with @stats.cleared (argsz
 * IRQFWD_LINE_INFO_SIZE_V1, the size IRQFWD_LINE_QUERY's number encodes);
 * an argsz that short is still accepted, and gets what fits.
 * State and counters are read at one instant, and
 * fired == delivered + coalesced + cleared +
 *	(1 if IRQFWD_LINE_STATE_PENDING else 0).
 * Interrupts the platform delivers directly to the guest while the line
 * is forwarded never reach irqfwd and are not counted.
 */
struct irqfwd_line_info {
	__u32 argsz;
	__u32 flags;
	__u32 id;
	__u32 line_flags;
	__u32 trigger;
	__u32 mode;
	__u32 effective_mode;
	__u32 reason;
	__u32 state;
	__u32 host_irq;
	__u32 bypass;
	__u32 __reserved;
	struct irqfwd_line_stats stats;
	__u32 storm_rate;
	__u32 storm_backoff_ms;
};

/* The size of the first version of struct irqfwd_line_info. */
#define IRQFWD_LINE_INFO_SIZE_V1	104

/**
 * struct irqfwd_line_mode - IRQFWD_LINE_SET_MODE argument
 * @argsz: sizeof(struct irqfwd_line_mode)
 * @flags: must be 0
 * @id: the line
 * @mode: the requested enum irqfwd_mode
 * @effective_mode: out: the enum irqfwd_mode the line runs in now
 * @reason: out: enum irqfwd_reason, why @effective_mode differs from @mode
 */
struct irqfwd_line_mode {
	__u32 argsz;
	__u32 flags;
	__u32 id;
	__u32 mode;
	__u32 effective_mode;
	__u32 reason;
};

/* struct irqfwd_line_mask flags */
/* struct irqfwd_line_storm flags */
#define IRQFWD_LINE_STORM_DEFAULT	_BITUL(0) /* the module's defaults */

/* The longest back-off IRQFWD_LINE_SET_STORM accepts. */
#define IRQFWD_STORM_BACKOFF_MAX_MS	60000

/**
 * struct irqfwd_line_storm - IRQFWD_LINE_SET_STORM argument
 * @argsz: sizeof(struct irqfwd_line_storm)
 * @flags: IRQFWD_LINE_STORM_DEFAULT, or 0
 * @id: the line
 * @rate: interrupts per second beyond which the line is held; 0 turns the
 *	guard off.  0 with IRQFWD_LINE_STORM_DEFAULT.
 * @backoff_ms: how long the line is held, 1 to IRQFWD_STORM_BACKOFF_MAX_MS
 *	when @rate is not 0; 0 with IRQFWD_LINE_STORM_DEFAULT or a @rate of 0
 * @__reserved: must be 0
 */
struct irqfwd_line_storm {
	__u32 argsz;
	__u32 flags;
	__u32 id;
	__u32 rate;
	__u32 backoff_ms;
	__u32 __reserved;
};

#define IRQFWD_LINE_MASK_MASK		_BITUL(0)
#define IRQFWD_LINE_MASK_UNMASK		_BITUL(1)
#define IRQFWD_LINE_MASK_CLEAR_PENDING	_BITUL(2)

/**
 * struct irqfwd_line_mask - IRQFWD_LINE_MASK argument
 * @argsz: sizeof(struct irqfwd_line_mask)
 * @flags: IRQFWD_LINE_MASK_* operations, applied in the order
 *	CLEAR_PENDING, UNMASK, MASK; none reads the state only.  MASK and
 *	UNMASK together are refused.
 * @id: the line
 * @state: out: IRQFWD_LINE_STATE_* bits after the operations
 */
struct irqfwd_line_mask {
	__u32 argsz;
	__u32 flags;
	__u32 id;
	__u32 state;
};

/*
 * IRQFWD_GET_INFO - the module's API version, capabilities and limits.
 *	Errors: EINVAL, E2BIG, EFAULT as for every command.
 */
#define IRQFWD_GET_INFO		_IOWR(IRQFWD_TYPE, 0x00, struct irqfwd_info)

/*
 * IRQFWD_LINE_CREATE - create a line; returns its id in @id.  A source
 * eventfd that was already signalled is delivered at once.  A line created
 * in IRQFWD_MODE_FORWARDED is as one switched to it by IRQFWD_LINE_SET_MODE
 * right after creation.
 *	EBADF	an fd that is used is not an open file descriptor
 *	EINVAL	an fd that is used is not an eventfd; unmask or resample fd
 *		on an edge line; the source, sink and resample eventfds are
 *		not three different eventfds; the source eventfd is the sink
 *		of a line or the sink eventfd the source of a line (in any
 *		context: lines feeding each other would loop); bad trigger
 *		or mode
 *	EBUSY	the source eventfd is the source of another line (in any
 *		context)
 *	ENOSPC	the context holds max_lines lines
 *	ENOMEM	out of memory
 */
#define IRQFWD_LINE_CREATE	_IOWR(IRQFWD_TYPE, 0x01, struct irqfwd_line_create)

/*
 * IRQFWD_LINE_DESTROY - destroy a line.  When it returns, the line signals
 * nothing any more and holds no eventfd.
 *	ENOENT	no line with this id in this context
 */
#define IRQFWD_LINE_DESTROY	_IOW(IRQFWD_TYPE, 0x02, struct irqfwd_line_destroy)

/*
 * IRQFWD_LINE_QUERY - read a line's configuration, state and counters.
 *	ENOENT	no line with this id in this context
 */
#define IRQFWD_LINE_QUERY	_IOC(_IOC_READ | _IOC_WRITE, IRQFWD_TYPE, 0x03, \
				     IRQFWD_LINE_INFO_SIZE_V1)

/*
 * IRQFWD_LINE_EOI - complete the in-service interrupt of a level line from
 * userspace, as the resample eventfd does: for a VMM whose interrupt
 * controller is not in the kernel.  Completing a line that has nothing in
 * service succeeds and counts as spurious.
 *	ENOENT	no line with this id in this context
 *	EINVAL	the line is an edge line
 */
#define IRQFWD_LINE_EOI		_IOW(IRQFWD_TYPE, 0x04, struct irqfwd_line_eoi)

/*
 * IRQFWD_LINE_MASK - mask or unmask a line's delivery, losslessly, as a
 * VMM needs for MSI-X vector masking.
 *
 * While a line is masked, nothing is delivered to its sink; an interrupt
 * that fires sets the line's pending latch (IRQFWD_LINE_STATE_PENDING),
 * once however often it fires (the others count as coalesced).  An
 * interrupt that was on its way to the sink when the mask came is taken
 * back into the latch; when IRQFWD_LINE_MASK returns, the sink sees nothing
 * more.  Unmasking delivers a pending interrupt exactly once; unmasking
 * with nothing pending delivers nothing.  CLEAR_PENDING discards a latched
 * interrupt (counted as cleared); on a level line with an unmask eventfd
 * the source is unmasked, so a line the device still asserts fires (and
 * is latched) again, as a level interrupt should.  A level line completes
 * its in-service interrupt whether masked or not.
 *	ENOENT	no line with this id in this context
 *	EINVAL	unknown flags; MASK and UNMASK together
 */
#define IRQFWD_LINE_MASK	_IOWR(IRQFWD_TYPE, 0x05, struct irqfwd_line_mask)

/*
 * IRQFWD_LINE_SET_MODE - switch a line between masked and forwarded mode,
 * at any time, also while its device raises interrupts: no interrupt is
 * lost or delivered twice.  Returns the effective mode and the reason it
 * differs, as IRQFWD_LINE_QUERY does.  The effective mode follows later
 * events on its own (a VFIO vector enabled or disabled, a KVM irqfd
 * assigned or deassigned, a mask, an interrupt that was not posted).
 *	ENOENT	no line with this id in this context
 *	EINVAL	bad mode
 */
#define IRQFWD_LINE_SET_MODE	_IOWR(IRQFWD_TYPE, 0x06, struct irqfwd_line_mode)

/*
 * IRQFWD_LINE_SET_STORM - configure a line's storm guard.  A line starts
 * with the module's defaults (parameters storm_rate, 0: off, and
 * storm_backoff_ms, 100).
 *
 * The guard counts the interrupts that reach irqfwd (not those the
 * platform posts to the guest directly) in windows of 100 ms.  When one
 * window holds more than @rate / 10 (at least 1), the line is held for
 * @backoff_ms as if masked: interrupts are latched, one pending however
 * often the source fires; a forwarded line leaves the bypass (reason
 * IRQFWD_REASON_STORM).  The state shows IRQFWD_LINE_STATE_STORM, the
 * storms counter counts it, and netlink sends line-change-ntf when the hold
 * starts and ends.  When it ends, a latched interrupt is delivered: the
 * last assertion is never lost.  A guard turned off ends a hold at once.
 *	ENOENT	no line with this id in this context
 *	EINVAL	unknown flags; non-zero @__reserved; IRQFWD_LINE_STORM_DEFAULT
 *		with a non-zero @rate or @backoff_ms; @backoff_ms out of range
 */
#define IRQFWD_LINE_SET_STORM	_IOW(IRQFWD_TYPE, 0x07, struct irqfwd_line_storm)

#endif /* _UAPI_LINUX_IRQFWD_H */
