#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the busybox initramfs of the irqfwd test VM.
#
#   scripts/mkinitramfs.sh MODDIR KVER KO TESTDIR OUT MODE [ARCH]
#
#   MODDIR   lib/modules/KVER of the unpacked kernel image (fetch-kernel.sh)
#   KVER     kernel release
#   KO       irqfwd.ko built for KVER; lands at /lib/irqfwd/irqfwd.ko
#   TESTDIR  directory of statically linked test executables; every
#            executable file lands in /tests/ ("-" or an empty dir: none),
#            except irqfwdctl, which lands in /usr/sbin/
#   OUT      output, a gzip-compressed newc cpio
#   MODE     test: /init runs every test, then prints the sentinel
#            demo: /init runs /tests/irqfwd_demo
#            bench: /init runs /tests/irqfwd_bench
#   ARCH     x86_64 (default) or arm64
#
# The Debian modules the tests need (vfio, vfio_iommu_type1, vfio-pci,
# irqbypass, and KVM where it is modular) are copied with everything they
# depend on, per MODDIR/modules.dep, decompressed (busybox insmod takes
# plain .ko files) and listed in load order in /lib/modules/load-order.
# /init is selftests/init/init.sh; its settings are in /etc/irqfwd.conf.
#
# Environment:
#   IRQFWD_TEST_TIMEOUT    seconds each test may run in the guest (300)
#   IRQFWD_TESTS           names of the executables in TESTDIR that are tests,
#                          space separated; empty: /init runs every executable
#                          named *_test
#   IRQFWD_EXTRA_MODULES   more Debian modules to load, space separated
#
# Needs root (it creates /dev/console in the archive).

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -lt 6 ] || [ $# -gt 7 ]; then
	die "usage: $0 MODDIR KVER KO TESTDIR OUT test|demo|bench [ARCH]"
fi
MODDIR=$1
KVER=$2
KO=$3
TESTDIR=$4
OUT=$5
MODE=$6
ARCH=${7:-x86_64}
TEST_TIMEOUT=${IRQFWD_TEST_TIMEOUT:-300}
INIT_SRC="$IRQFWD_REPO/selftests/init/init.sh"

case "$MODE" in
test | demo | bench) ;;
*) die "mode must be test, demo or bench, not '$MODE'" ;;
esac
case "$TEST_TIMEOUT" in
'' | *[!0-9]*) die "IRQFWD_TEST_TIMEOUT must be a number of seconds" ;;
esac
case "${IRQFWD_TESTS:-}" in
*[!A-Za-z0-9_.\ -]*) die "IRQFWD_TESTS must be file names separated by spaces" ;;
esac
DEBARCH=$(arch_debarch "$ARCH")
[ -f "$MODDIR/modules.dep" ] || die "no modules.dep in $MODDIR"
[ -f "$KO" ] || die "no module $KO"
[ -f "$INIT_SRC" ] || die "no $INIT_SRC"
[ "$(id -u)" = 0 ] || die "must run as root (mknod /dev/console)"
need_cmd cpio gzip xz zstd find sort

case "$ARCH" in
x86_64) TOP_MODULES="vfio vfio_iommu_type1 vfio_pci irqbypass kvm kvm_amd" ;;
arm64) TOP_MODULES="arm_smmu_v3 vfio vfio_iommu_type1 vfio_pci irqbypass kvm" ;;
*) die "unsupported architecture $ARCH" ;;
esac
TOP_MODULES="$TOP_MODULES ${IRQFWD_EXTRA_MODULES:-}"

# --- busybox for the guest's architecture ----------------------------------

# The host's for the host's architecture, else the one of the target's
# sysroot (scripts/fetch-sysroot.sh).
busybox_binary() {
	local info

	if [ "$DEBARCH" = "$(host_debarch)" ]; then
		[ "$(dpkg-query -W -f='${db:Status-Status}' busybox-static 2>/dev/null)" = installed ] ||
			die "busybox-static is not installed: run scripts/deps.sh"
		command -v busybox
		return
	fi
	info=$("$IRQFWD_SCRIPTS/fetch-sysroot.sh" "$ARCH") ||
		die "fetching the $DEBARCH sysroot (busybox) failed"
	sed -n 's/^BUSYBOX=//p' <<<"$info"
}

# --- Debian modules in dependency order -------------------------------------

declare -A MOD_PATH MOD_DEPS LOADED
LOAD_ORDER=()

mod_name() {
	local n=${1##*/}

	n=${n%%.ko*}
	echo "${n//-/_}"
}

read_modules_dep() {
	local path deps n

	while IFS=: read -r path deps; do
		n=$(mod_name "$path")
		MOD_PATH[$n]=$path
		MOD_DEPS[$n]=$deps
	done <"$MODDIR/modules.dep"
}

is_builtin() {
	local n

	[ -f "$MODDIR/modules.builtin" ] || return 1
	while read -r n; do
		[ "$(mod_name "$n")" = "$1" ] && return 0
	done <"$MODDIR/modules.builtin"
	return 1
}

# Depth first: a module is listed after everything it depends on.
add_module() {
	local n=$1 dep

	[ -z "${LOADED[$n]:-}" ] || return 0
	LOADED[$n]=1
	for dep in ${MOD_DEPS[$n]}; do
		add_module "$(mod_name "$dep")"
	done
	LOAD_ORDER+=("$n")
}

# copy_module NAME DESTDIR: decompressed copy of a module as DESTDIR/NAME.ko
copy_module() {
	local src="$MODDIR/${MOD_PATH[$1]}" dst="$2/$1.ko"

	case "$src" in
	*.ko) cp "$src" "$dst" ;;
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -q -dc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) die "unknown module format: $src" ;;
	esac
}

static_check() {
	if command -v readelf >/dev/null &&
		readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'; then
		die "$1 is dynamically linked: the guest has no libc, link it statically"
	fi
}

# --- the archive --------------------------------------------------------------

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/irqfwd-initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc} \
	"$STAGE"/lib/{modules,irqfwd} "$STAGE/tests"
mknod -m 600 "$STAGE/dev/console" c 5 1
mknod -m 666 "$STAGE/dev/null" c 1 3

bb=$(busybox_binary)
[ -x "$bb" ] || die "no busybox for $ARCH ('$bb')"
cp "$bb" "$STAGE/bin/busybox"
static_check "$STAGE/bin/busybox"
# The applet list is the same for every architecture of one busybox version.
for applet in $(busybox --list-full); do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$STAGE/$(dirname "$applet")"
	ln -sf /bin/busybox "$STAGE/$applet"
done

read_modules_dep
for m in $TOP_MODULES; do
	if [ -n "${MOD_PATH[$m]:-}" ]; then
		add_module "$m"
	elif is_builtin "$m"; then
		log "$m is built into $KVER"
	else
		die "module $m not found in $MODDIR"
	fi
done
for m in "${LOAD_ORDER[@]}"; do
	copy_module "$m" "$STAGE/lib/modules"
	echo "$m.ko" >>"$STAGE/lib/modules/load-order"
done
touch "$STAGE/lib/modules/load-order"
log "modules: ${LOAD_ORDER[*]}"

cp "$KO" "$STAGE/lib/irqfwd/irqfwd.ko"

if [ "$TESTDIR" != - ]; then
	[ -d "$TESTDIR" ] || die "no test directory $TESTDIR"
	for t in "$TESTDIR"/*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		static_check "$t"
		case "${t##*/}" in
		irqfwdctl) cp "$t" "$STAGE/usr/sbin/" ;;
		*) cp "$t" "$STAGE/tests/" ;;
		esac
	done
fi

install -m 755 "$INIT_SRC" "$STAGE/init"
cat >"$STAGE/etc/irqfwd.conf" <<EOF
IRQFWD_MODE=$MODE
IRQFWD_KVER=$KVER
IRQFWD_ARCH=$ARCH
IRQFWD_TEST_TIMEOUT=$TEST_TIMEOUT
IRQFWD_TESTS="${IRQFWD_TESTS:-}"
EOF

mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc -R 0:0) | gzip -1 -n >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
