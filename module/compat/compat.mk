# SPDX-License-Identifier: GPL-2.0
#
# Kernel feature probes, included by the top-level Kbuild.  Each probe
# defines an IRQFWD_COMPAT_* macro that compat.h turns into a shim; the
# rest of the module is written for the newest kernel.

ifeq ($(shell test $(VERSION) -gt 6 -o \( $(VERSION) -eq 6 -a $(PATCHLEVEL) -ge 1 \) && echo ok),)
$(error irqfwd needs Linux 6.1 or newer, not $(VERSION).$(PATCHLEVEL))
endif

irqfwd_probe = $(shell grep -qsE '$(1)' $(srctree)/$(2) && echo $(3))

# Linux 6.8 dropped the count argument of eventfd_signal().
ccflags-y += $(call irqfwd_probe,eventfd_signal\(struct eventfd_ctx \*ctx$(comma) __u64 n\),include/linux/eventfd.h,-DIRQFWD_COMPAT_EVENTFD_SIGNAL_COUNT)
