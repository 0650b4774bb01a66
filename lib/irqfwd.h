/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libirqfwd: the C interface to irqfwd, which forwards device interrupts
 * from VFIO to KVM guests.  Installed as <irqfwd/irqfwd.h>; link with
 * `pkg-config --libs irqfwd`.
 *
 * Two halves:
 *  - typed wrappers over the ioctls of /dev/irqfwd (linux/irqfwd.h), for
 *    the VMM that owns the lines.  A context is an open file of
 *    /dev/irqfwd; the library keeps no state about it, it takes the file
 *    descriptor.
 *  - the generic netlink family "irqfwd" (linux/irqfwd_netlink.h), for
 *    anyone who observes lines: dumps of contexts and lines, one line, and
 *    events as lines come, change and go.  It goes through an opaque
 *    handle, struct irqfwd_nl.
 *
 * Conventions:
 *  - Every function that can fail returns a negative errno value on
 *    failure and 0 on success; errno is not part of the interface (it may
 *    be clobbered, it is never the way an error is reported).  Results
 *    come back through pointer arguments.
 *  - The library has no global state: one struct irqfwd_nl per thread, or
 *    lock around it; the ioctl wrappers are as thread-safe as the ioctls.
 *  - The errno values of the ioctl wrappers are the kernel's, documented
 *    per command in linux/irqfwd.h and irqfwd(4).
 *  - The enumerations and bits are those of linux/irqfwd.h (enum
 *    irqfwd_trigger, irqfwd_mode, irqfwd_reason, IRQFWD_LINE_*,
 *    IRQFWD_CAP_*) and linux/irqfwd_netlink.h (enum irqfwd_destroy_cause).
 *
 * The structures below are part of the library's ABI (symbol version
 * IRQFWD_0.1): they never change; new fields come with new functions.
 */
#ifndef IRQFWD_LIB_IRQFWD_H
#define IRQFWD_LIB_IRQFWD_H

#include <stddef.h>
#include <stdint.h>

#include <linux/irqfwd.h>
#include <linux/irqfwd_netlink.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library (and of irqfwdctl). */
#define IRQFWD_LIB_VERSION	"0.1.0"

/* The device a context is opened from. */
#define IRQFWD_DEVICE		"/dev/irqfwd"

/* Where the loaded module tells its version. */
#define IRQFWD_MODULE_VERSION_PATH	"/sys/module/irqfwd/version"

/* --- the device: /dev/irqfwd ------------------------------------------- */

/**
 * struct irqfwd_dev_info - what IRQFWD_GET_INFO reports
 * @api_version: IRQFWD_API_VERSION of the running module
 * @max_lines: how many lines one context may hold
 * @caps: IRQFWD_CAP_* bits
 * @nr_lines: how many lines the context holds now
 * @ctx_id: the context's id, as netlink (irqfwd_nl_*) names it; 0 from a
 *	module that does not tell
 */
struct irqfwd_dev_info {
	uint32_t api_version;
	uint32_t max_lines;
	uint64_t caps;
	uint32_t nr_lines;
	uint32_t ctx_id;
};

/**
 * struct irqfwd_line_config - a line to create (IRQFWD_LINE_CREATE)
 * @source_fd: eventfd signalled by the interrupt source (VFIO's trigger)
 * @sink_fd: eventfd irqfwd signals to deliver (a KVM irqfd's eventfd)
 * @unmask_fd: level lines: eventfd irqfwd signals to unmask the source
 *	(VFIO's unmask eventfd); used with IRQFWD_LINE_UNMASK_FD in @flags
 * @resample_fd: level lines: eventfd signalled when the guest completes
 *	the interrupt (KVM's resamplefd); used with IRQFWD_LINE_RESAMPLE_FD
 * @trigger: enum irqfwd_trigger
 * @mode: enum irqfwd_mode, the requested mode
 * @flags: IRQFWD_LINE_UNMASK_FD, IRQFWD_LINE_RESAMPLE_FD
 *
 * The descriptors are used during the call only.
 */
struct irqfwd_line_config {
	int source_fd;
	int sink_fd;
	int unmask_fd;
	int resample_fd;
	uint32_t trigger;
	uint32_t mode;
	uint32_t flags;
};

/**
 * struct irqfwd_counters - a line's counters, since it was created; see
 *	struct irqfwd_line_stats in linux/irqfwd.h for their meaning
 */
struct irqfwd_counters {
	uint64_t fired;
	uint64_t delivered;
	uint64_t coalesced;
	uint64_t completed;
	uint64_t unmasked;
	uint64_t spurious;
	uint64_t cleared;
	uint64_t storms;
};

/**
 * struct irqfwd_line_status - a line as IRQFWD_LINE_QUERY reads it
 * @id: the line's id in its context
 * @flags: the IRQFWD_LINE_* flags it was created with
 * @trigger: enum irqfwd_trigger
 * @mode: the requested enum irqfwd_mode
 * @effective_mode: the enum irqfwd_mode it runs in
 * @reason: enum irqfwd_reason, why @effective_mode differs from @mode
 * @state: IRQFWD_LINE_STATE_* bits
 * @host_irq: the host IRQ learnt from VFIO's irq_bypass producer, or 0
 * @bypass: IRQFWD_LINE_BYPASS_* bits
 * @stats: the counters, read at the same instant as @state
 * @storm_rate: the storm guard's limit, interrupts per second; 0: off
 * @storm_backoff_ms: how long the storm guard holds the line
 */
struct irqfwd_line_status {
	uint32_t id;
	uint32_t flags;
	uint32_t trigger;
	uint32_t mode;
	uint32_t effective_mode;
	uint32_t reason;
	uint32_t state;
	uint32_t host_irq;
	uint32_t bypass;
	struct irqfwd_counters stats;
	uint32_t storm_rate;
	uint32_t storm_backoff_ms;
};

/*
 * Open /dev/irqfwd: a new context.  Stores the file descriptor
 * (close-on-exec) in *@fd.  -ENOENT: the module is not loaded; -EACCES:
 * the device is not accessible to the caller (see 60-irqfwd.rules).
 */
int irqfwd_open(int *fd);

/* Close a context: every line it holds goes away. */
int irqfwd_close(int fd);

/* IRQFWD_GET_INFO.  -ENOTTY: @fd is not /dev/irqfwd. */
int irqfwd_get_info(int fd, struct irqfwd_dev_info *info);

/* IRQFWD_LINE_CREATE: stores the new line's id (never 0) in *@id. */
int irqfwd_line_create(int fd, const struct irqfwd_line_config *config,
		       uint32_t *id);

/* IRQFWD_LINE_DESTROY */
int irqfwd_line_destroy(int fd, uint32_t id);

/* IRQFWD_LINE_QUERY */
int irqfwd_line_query(int fd, uint32_t id, struct irqfwd_line_status *status);

/* IRQFWD_LINE_EOI: complete a level line's interrupt from userspace. */
int irqfwd_line_eoi(int fd, uint32_t id);

/*
 * IRQFWD_LINE_MASK with the IRQFWD_LINE_MASK_* operations @ops (0 reads
 * the state only).  If @state is not NULL, it gets the line's
 * IRQFWD_LINE_STATE_* bits after the operations.
 */
int irqfwd_line_mask_op(int fd, uint32_t id, uint32_t ops, uint32_t *state);

/* Shorthands of irqfwd_line_mask_op(): mask, unmask, drop what is pending. */
int irqfwd_line_mask(int fd, uint32_t id, uint32_t *state);
int irqfwd_line_unmask(int fd, uint32_t id, uint32_t *state);
int irqfwd_line_clear(int fd, uint32_t id, uint32_t *state);

/*
 * IRQFWD_LINE_SET_MODE: request @mode.  @effective_mode and @reason, if
 * not NULL, get the mode the line runs in now and why it differs.
 */
int irqfwd_line_set_mode(int fd, uint32_t id, uint32_t mode,
			 uint32_t *effective_mode, uint32_t *reason);

/*
 * IRQFWD_LINE_SET_STORM: hold the line for @backoff_ms (1 to
 * IRQFWD_STORM_BACKOFF_MAX_MS) whenever it fires beyond @rate interrupts
 * per second; a @rate of 0 (with a @backoff_ms of 0) turns the guard off.
 */
int irqfwd_line_set_storm(int fd, uint32_t id, uint32_t rate,
			  uint32_t backoff_ms);

/* IRQFWD_LINE_SET_STORM with the module's defaults (storm_rate &c.). */
int irqfwd_line_storm_default(int fd, uint32_t id);

/* --- names ------------------------------------------------------------ */

/*
 * The names netlink's YAML spec gives the values ("edge", "forwarded",
 * "no-consumer", "eventfd-closed", ...), or NULL for an unknown value.
 */
const char *irqfwd_trigger_name(uint32_t trigger);
const char *irqfwd_mode_name(uint32_t mode);
const char *irqfwd_reason_name(uint32_t reason);
const char *irqfwd_cause_name(uint32_t cause);

/*
 * The names of the bits set in @state (IRQFWD_LINE_STATE_*: "in-service",
 * "pending", "masked", "storm"), @flags (IRQFWD_LINE_*: "unmask-fd",
 * "resample-fd"), @bypass (IRQFWD_LINE_BYPASS_*: "producer", "consumer"),
 * or @caps (IRQFWD_CAP_*: "level", "eoi", "resample", "mask",
 * "forwarded", "storm"), joined by @sep into @buf; unknown bits as
 * "0x..."; "" if no bit is set.  -ENOSPC: @buf is too small (it holds a
 * truncated, terminated string).
 */
int irqfwd_state_names(uint32_t state, const char *sep, char *buf,
		       size_t size);
int irqfwd_flags_names(uint32_t flags, const char *sep, char *buf,
		       size_t size);
int irqfwd_bypass_names(uint32_t bypass, const char *sep, char *buf,
			size_t size);
int irqfwd_caps_names(uint64_t caps, const char *sep, char *buf, size_t size);

/* The value of a name irqfwd_mode_name() returns.  -EINVAL: unknown. */
int irqfwd_mode_parse(const char *name, uint32_t *mode);

/* --- netlink: the "irqfwd" generic netlink family ---------------------- */

struct irqfwd_nl;

/* The longest process name a context reports, plus the terminating NUL. */
#define IRQFWD_COMM_LEN		64

/**
 * struct irqfwd_nl_ctx - a context (an open file of /dev/irqfwd)
 * @id: its id, unique among the contexts alive
 * @pid: the process that opened it, in the caller's PID namespace; 0 if it
 *	is not visible there
 * @nr_lines: the number of lines it holds
 * @comm: the name of that process when it opened the file
 */
struct irqfwd_nl_ctx {
	uint32_t id;
	uint32_t pid;
	uint32_t nr_lines;
	char comm[IRQFWD_COMM_LEN];
};

/**
 * struct irqfwd_nl_line - a line as the netlink family reports it
 * @ctx_id: the id of its context
 * @id .. @stats: as in struct irqfwd_line_status
 * @cause: enum irqfwd_destroy_cause: why the line went away; in
 *	IRQFWD_NL_EVENT_DEL only (0 otherwise)
 */
struct irqfwd_nl_line {
	uint32_t ctx_id;
	uint32_t id;
	uint32_t flags;
	uint32_t trigger;
	uint32_t mode;
	uint32_t effective_mode;
	uint32_t reason;
	uint32_t state;
	uint32_t host_irq;
	uint32_t bypass;
	struct irqfwd_counters stats;
	uint32_t storm_rate;
	uint32_t storm_backoff_ms;
	uint32_t cause;
};

/**
 * enum irqfwd_nl_event - what happened to a line
 * @IRQFWD_NL_EVENT_ADD: it was created
 * @IRQFWD_NL_EVENT_CHANGE: its requested mode, effective mode or reason
 *	changed (quick successive changes may be reported once)
 * @IRQFWD_NL_EVENT_DEL: it went away; final state and counters, and cause
 */
enum irqfwd_nl_event {
	IRQFWD_NL_EVENT_ADD	= 1,
	IRQFWD_NL_EVENT_CHANGE	= 2,
	IRQFWD_NL_EVENT_DEL	= 3,
};

/* "add", "change", "del", or NULL. */
const char *irqfwd_event_name(uint32_t event);

/*
 * Callbacks.  Return 0 to go on; a negative errno stops the dump (or the
 * dispatch), and the function that called back returns it.  A callback
 * must not use the same struct irqfwd_nl.
 */
typedef int (*irqfwd_nl_ctx_cb)(const struct irqfwd_nl_ctx *ctx, void *arg);
typedef int (*irqfwd_nl_line_cb)(const struct irqfwd_nl_line *line,
				 void *arg);
typedef int (*irqfwd_nl_event_cb)(enum irqfwd_nl_event event,
				  const struct irqfwd_nl_line *line, void *arg);

/*
 * Connect to the family: stores a new handle in *@nl.  -ENOENT: the
 * family is not registered (the module is not loaded).
 */
int irqfwd_nl_open(struct irqfwd_nl **nl);

/* Free the handle and its sockets; NULL is fine. */
void irqfwd_nl_close(struct irqfwd_nl *nl);

/*
 * The message the kernel attached to the last failed request (netlink
 * extended ack, e.g. "no such line"), or NULL.  Valid until the next call
 * on @nl.
 */
const char *irqfwd_nl_error(const struct irqfwd_nl *nl);

/*
 * Dump the contexts the caller may see: all with CAP_NET_ADMIN, else those
 * its own process opened.
 */
int irqfwd_nl_ctx_dump(struct irqfwd_nl *nl, irqfwd_nl_ctx_cb cb, void *arg);

/*
 * Get one context.  -ENOENT: no such context; -EPERM: another process's
 * context and no CAP_NET_ADMIN.
 */
int irqfwd_nl_ctx_get(struct irqfwd_nl *nl, uint32_t ctx_id,
		      struct irqfwd_nl_ctx *ctx);

/*
 * Dump the lines of context @ctx_id, or of every visible context if
 * @ctx_id is 0.  Errors as irqfwd_nl_ctx_get() for a given context.
 */
int irqfwd_nl_line_dump(struct irqfwd_nl *nl, uint32_t ctx_id,
			irqfwd_nl_line_cb cb, void *arg);

/*
 * Get one line.  -ENOENT: no such context or line; -EPERM as
 * irqfwd_nl_ctx_get().
 */
int irqfwd_nl_line_get(struct irqfwd_nl *nl, uint32_t ctx_id, uint32_t id,
		       struct irqfwd_nl_line *line);

/*
 * Join the "events" multicast group: from now on irqfwd_nl_dispatch()
 * hands every event to @cb.  -EPERM: the caller lacks CAP_NET_ADMIN.
 * Events come from the initial network namespace only.
 */
int irqfwd_nl_subscribe(struct irqfwd_nl *nl, irqfwd_nl_event_cb cb,
			void *arg);

/*
 * The descriptor that becomes readable when events wait, for poll(2), or
 * -EINVAL before irqfwd_nl_subscribe().
 */
int irqfwd_nl_event_fd(const struct irqfwd_nl *nl);

/*
 * Wait up to @timeout_ms (-1: for ever, 0: not at all) for events, then
 * hand every event that waits to the callback.  Returns the number of
 * events handled (0 on time-out), or a negative errno: -EINTR if a signal
 * came while waiting, -ENOBUFS if the socket overflowed and events were
 * lost (the events after the loss are still dispatched by the next call),
 * or the callback's error.
 */
int irqfwd_nl_dispatch(struct irqfwd_nl *nl, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* IRQFWD_LIB_IRQFWD_H */
