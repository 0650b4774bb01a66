# SPDX-License-Identifier: GPL-2.0
#
# Kernel feature probes, included by the top-level Kbuild.  Each probe
# defines an IRQFWD_COMPAT_* macro that compat.h turns into a shim; the
# rest of the module is written for the newest kernel.

ifeq ($(shell test $(VERSION) -gt 6 -o \( $(VERSION) -eq 6 -a $(PATCHLEVEL) -ge 1 \) && echo ok),)
$(error irqfwd needs Linux 6.1 or newer, not $(VERSION).$(PATCHLEVEL))
endif

# $(call irqfwd_probe,REGEX,HEADER,IF-FOUND[,IF-NOT])
irqfwd_probe = $(shell grep -qsE '$(1)' $(srctree)/$(2) && echo $(3) || echo $(4))

# Linux 6.8 dropped the count argument of eventfd_signal().
ccflags-y += $(call irqfwd_probe,eventfd_signal\(struct eventfd_ctx \*ctx$(comma) __u64 n\),include/linux/eventfd.h,-DIRQFWD_COMPAT_EVENTFD_SIGNAL_COUNT)

# Linux 6.2 added split ops (struct genl_split_ops): separate do and dump
# policies.  Before, the ops of the netlink family are struct genl_ops; both
# tables are generated from the spec (scripts/ynl-gen.sh).
irqfwd_genl := $(call irqfwd_probe,struct genl_split_ops \{,include/net/genetlink.h,genl-split,genl-ops)
ccflags-y += -I$(src)/module/compat/$(irqfwd_genl)
ccflags-y += $(if $(filter genl-ops,$(irqfwd_genl)),-DIRQFWD_COMPAT_GENL_OPS)

# Linux 6.6 gave dumps a struct genl_info (genl_info_dump()).
ccflags-y += $(call irqfwd_probe,genl_info_dump.struct netlink_callback,include/net/genetlink.h,,-DIRQFWD_COMPAT_GENL_DUMPIT_INFO)
