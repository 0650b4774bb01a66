# SPDX-License-Identifier: GPL-2.0
#
# irqfwd: forward device interrupts from VFIO to KVM guests.
#
#   make                 build irqfwd.ko for KVER (default: the running
#                        kernel, or else the newest kernel with headers
#                        installed under /lib/modules)
#   make KDIR=... | KVER=...
#   make lib             libirqfwd (.so, .a, irqfwd.pc) and irqfwdctl
#   make install         modules_install + depmod, the library, its header
#                        and the uapi headers, irqfwd.pc, irqfwdctl, the
#                        man pages and the udev rule (PREFIX=/usr/local;
#                        DESTDIR=... stages it all elsewhere)
#   make dkms-install    register, build and install with DKMS
#   make deps            install what the build and the tests need (Debian)
#   make check           style gates, builds, DKMS and install checks,
#                        the compile matrix, all VM lanes
#   make check-matrix    -Werror/W=1/sparse builds against every kernel
#                        series Debian ships, amd64 and arm64
#   make check-debug     the tests in a KASAN/lockdep/kmemleak kernel (slow:
#                        builds that kernel once, see README.md)
#   make demo            boot a VM and forward the edu device's interrupts
#   make bench           measure each interrupt path side by side in a VM
#                        (BENCH_LANE=x86_64-6.12 by default; any lane, e.g.
#                        BENCH_LANE=arm64-6.12-gicv4 for arm64 with a GICv4)
#   make clean

VERSION := $(shell sed -n 's/^\#define IRQFWD_VERSION[[:space:]]*"\(.*\)"/\1/p' module/version.h)

KVER ?= $(shell uname -r)
ifeq ($(wildcard /lib/modules/$(KVER)/build/Makefile),)
KVER := $(shell ls -d /lib/modules/*/build/Makefile 2>/dev/null | \
	  sed 's|/lib/modules/\(.*\)/build/Makefile|\1|' | sort -V | tail -n1)
endif
KDIR ?= /lib/modules/$(KVER)/build

# Where make install puts the userspace parts (the module goes where
# modules_install puts it, the udev rule where udev reads it).
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= /usr/lib/udev/rules.d
LIB_MAKE = $(MAKE) -C lib PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) \
	   INCLUDEDIR=$(INCLUDEDIR) SBINDIR=$(SBINDIR)

DEMO_LANE ?= x86_64-6.12
BENCH_LANE ?= x86_64-6.12
# arm64-7 and arm64-7-gicv4 are left out: KVM 7.3 on arm64 panics them in
# most runs (README.md, "The newest kernel"); make check-lanes LANES=... runs
# them.
LANES ?= x86_64-6.1 x86_64-6.12 x86_64-7 arm64-6.1 arm64-6.12 arm64-6.12-gicv4

all: module lib

module:
	@test -f "$(KDIR)/Makefile" || { echo "no kernel headers in '$(KDIR)': install linux-headers-<version> or set KDIR/KVER (make deps installs Debian's)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(LIB_MAKE)

# DESTDIR: install into a staging tree (packaging); depmod runs there.
install: install-module install-lib

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	depmod $(if $(DESTDIR),-b $(DESTDIR)) -a $(KVER)

install-lib: lib
	$(LIB_MAKE) install
	install -D -m 0644 uapi/linux/irqfwd.h $(DESTDIR)$(INCLUDEDIR)/linux/irqfwd.h
	install -D -m 0644 uapi/linux/irqfwd_netlink.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/irqfwd_netlink.h
	install -D -m 0644 lib/man/libirqfwd.3 $(DESTDIR)$(MANDIR)/man3/libirqfwd.3
	install -D -m 0644 lib/man/irqfwd.4 $(DESTDIR)$(MANDIR)/man4/irqfwd.4
	install -D -m 0644 lib/man/irqfwdctl.8 $(DESTDIR)$(MANDIR)/man8/irqfwdctl.8
	install -D -m 0644 lib/udev/60-irqfwd.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-irqfwd.rules

DKMS_SRC := /usr/src/irqfwd-$(VERSION)
dkms-install:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -a Kbuild Makefile dkms.conf module uapi $(DKMS_SRC)/
	dkms add -m irqfwd -v $(VERSION) || true
	dkms build -m irqfwd -v $(VERSION) -k $(KVER)
	dkms install -m irqfwd -v $(VERSION) -k $(KVER)

dkms-uninstall:
	dkms remove -m irqfwd -v $(VERSION) --all || true
	rm -rf $(DKMS_SRC)

deps:
	scripts/deps.sh

check-style:
	scripts/check-style.sh

check-dkms:
	scripts/dkms-check.sh

check-install:
	scripts/check-install.sh

check-matrix:
	scripts/check-matrix.sh

check-lanes:
	scripts/check-lanes.sh $(LANES)

# Style gates and builds first: they take seconds (the matrix a few
# minutes), the VM lanes minutes.
check: deps
	$(MAKE) check-style check-dkms check-install check-matrix check-lanes

# Not part of check: the debug kernel takes about an hour to build once,
# and the run is many times slower than a Debian lane's.
check-debug: deps
	scripts/vm-run.sh x86_64-debug

demo: deps
	scripts/vm-run.sh --demo $(DEMO_LANE)

bench: deps
	scripts/vm-run.sh --bench $(BENCH_LANE)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C lib clean
	rm -rf build selftests/build

.PHONY: all module lib install install-module install-lib dkms-install \
	dkms-uninstall deps check check-style check-dkms check-install \
	check-matrix check-lanes check-debug demo bench clean
