# SPDX-License-Identifier: GPL-2.0
#
# Kernel feature probes, included by the top-level Kbuild.  Each probe
# looks for one declaration in the kernel's headers and defines an
# IRQFWD_COMPAT_* macro that compat.h turns into a shim; the rest of the
# module is written for the newest kernel.  A kernel that lacks something
# irqfwd cannot do without is refused here, with the reason, before any
# file is compiled.

ifeq ($(shell test $(VERSION) -gt 6 -o \( $(VERSION) -eq 6 -a $(PATCHLEVEL) -ge 1 \) && echo ok),)
$(error irqfwd needs Linux 6.1 or newer, not $(VERSION).$(PATCHLEVEL))
endif

# $(call irqfwd_probe,REGEX,HEADER,IF-FOUND[,IF-NOT]): REGEX is an extended
# regular expression matched against HEADER with its line breaks and runs
# of blanks folded into single spaces, so that a declaration split over
# lines, or re-indented, still matches.
irqfwd_probe = $(shell tr -s '\n\t ' '   ' <$(srctree)/$(2) 2>/dev/null | \
		 grep -qsE '$(1)' && echo $(3) || echo $(4))

# An unbalanced parenthesis in a probe's REGEX, spelt so that make does not
# count it.
irqfwd_lp := \(

# $(call irqfwd_require,REGEX,HEADER,WHAT): refuse a kernel without it.
irqfwd_require = $(if $(call irqfwd_probe,$(1),$(2),ok),,$(error irqfwd cannot be built for this kernel ($(KERNELRELEASE)): $(3)))

# Events go to CAP_NET_ADMIN listeners only; without the flag (upstream
# 6.8, backported to Debian's 6.1) any user could watch every VM's lines.
$(call irqfwd_require,GENL_MCAST_CAP_NET_ADMIN,include/net/genetlink.h,its generic netlink has no GENL_MCAST_CAP_NET_ADMIN)
$(call irqfwd_require,irq_bypass_register_consumer,include/linux/irqbypass.h,it has no irq_bypass manager)

# Linux 6.8 dropped the count argument of eventfd_signal().
ccflags-y += $(call irqfwd_probe,eventfd_signal\(struct eventfd_ctx \*ctx$(comma) __u64 n\),include/linux/eventfd.h,-DIRQFWD_COMPAT_EVENTFD_SIGNAL_COUNT)

# Linux 6.17: irq_bypass pairs by eventfd, passed at registration, and the
# structures lost their token.
ccflags-y += $(call irqfwd_probe,int irq_bypass_register_consumer\(struct irq_bypass_consumer \*[a-z_]*\);,include/linux/irqbypass.h,-DIRQFWD_COMPAT_IRQ_BYPASS_TOKEN)

# Linux 6.16 renamed from_timer() to timer_container_of().
ccflags-y += $(call irqfwd_probe,define timer_container_of$(irqfwd_lp),include/linux/timer.h,,-DIRQFWD_COMPAT_FROM_TIMER)

# Linux 6.2 added timer_shutdown_sync().
ccflags-y += $(call irqfwd_probe,int timer_shutdown_sync$(irqfwd_lp)struct timer_list \*,include/linux/timer.h,,-DIRQFWD_COMPAT_NO_TIMER_SHUTDOWN)

# Linux 6.2 added split ops (struct genl_split_ops): separate do and dump
# policies.  Before, the ops of the netlink family are struct genl_ops; both
# tables are generated from the spec (scripts/ynl-gen.sh).
irqfwd_genl := $(call irqfwd_probe,struct genl_split_ops \{,include/net/genetlink.h,genl-split,genl-ops)
ccflags-y += -I$(src)/module/compat/$(irqfwd_genl)
ccflags-y += $(if $(filter genl-ops,$(irqfwd_genl)),-DIRQFWD_COMPAT_GENL_OPS)

# Linux 6.6 gave dumps a struct genl_info (genl_info_dump()).
ccflags-y += $(call irqfwd_probe,genl_info_dump.struct netlink_callback,include/net/genetlink.h,,-DIRQFWD_COMPAT_GENL_DUMPIT_INFO)
