#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build, once, the qemu-system-x86_64 the x86 lanes run: Debian's own QEMU
# (the source of the installed qemu-system-x86 package) with one fix, and
# print its path.
#
#   scripts/qemu-x86.sh
#
# The fix: QEMU's emulated VMRUN (target/i386/tcg/sysemu/svm_helper.c) sets
# CPU_INTERRUPT_VIRQ in the vCPU's interrupt_request with a plain
# read-modify-write, without the big QEMU lock, while the main-loop thread
# (under the lock) sets CPU_INTERRUPT_POLL there when that vCPU's local
# APIC timer fires. When both meet, the POLL is lost: the APIC holds the
# timer interrupt but QEMU never tells the vCPU, and once that vCPU halts
# (its task went to sleep) nothing wakes it until another interrupt
# happens to reach it. The guest's idle CPU then sits in safe_halt with
# its timer pending, the signature of the soft-lockup panics seen in
# irqfwd_guest_test, where the other vCPU runs the nested guest (every
# VMRUN that asks for an interrupt window is a chance). QEMU 10.2 made
# every update of interrupt_request atomic upstream; Debian's 7.2
# (bookworm), 10.0.2 (bookworm-backports) and 10.0.13 (trixie) still
# race. Here the three writers that can
# run concurrently (VMRUN's, tcg_handle_interrupt's and
# cpu_reset_interrupt's) become atomic OR/AND; each edit must apply
# exactly once or the build stops.
#
# The source comes through a private apt state under $IRQFWD_CACHE/qemu/
# (deb-src entries made from the system's own, /etc/apt untouched); the
# build (x86_64-softmmu only, no optional features; Debian's firmware
# through links under $IRQFWD_CACHE/qemu/) runs under nice -n 19 with
# IRQFWD_QEMU_JOBS jobs (default 2) and takes 10 to 25 minutes on two
# cores; its log is build.log in the build directory. The result,
# $IRQFWD_CACHE/qemu/VERSION-fixREV/qemu-system-x86_64, is reused until
# the installed QEMU changes or REV does (bump it with any change to the
# fix or to the build options). The build dependencies come from
# scripts/deps.sh.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 0 ] || die "usage: $0"

QD="$IRQFWD_CACHE/qemu"
REV=1
JOBS=${IRQFWD_QEMU_JOBS:-2}
case "$JOBS" in
'' | *[!0-9]* | 0) die "IRQFWD_QEMU_JOBS must be a positive number" ;;
esac
need_cmd apt-get dpkg-query dpkg-source meson ninja python3 pkg-config \
	nice flock

say() {
	printf '%s: %s\n' "$IRQFWD_PROG" "$*" >&2
}

# The source version of the installed emulator (without a binNMU suffix).
version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null) ||
	die "qemu-system-x86 is not installed: run scripts/deps.sh"
[ -n "$version" ] || die "cannot read the source version of qemu-system-x86"
out="$QD/${version//[:~]/_}-fix$REV"

mkdir -p "$QD"
qemu_firmware_links "$QD"
qemu_built "$out" && exit 0

exec 8>"$QD/.lock"
flock 8 || die "cannot lock $QD/.lock"
qemu_built "$out" && exit 0

# --- the source, through a private apt state --------------------------------

APT="$QD/apt"
rm -rf "$APT"
mkdir -p "$APT/sources.list.d" "$APT/lists/partial" "$APT/cache/archives/partial"
: >"$APT/sources.list"
if [ -f /etc/apt/sources.list ]; then
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list \
		>>"$APT/sources.list"
fi
for f in /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$APT/sources.list"
done
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed 's/^Types:.*/Types: deb-src/' "$f" >"$APT/sources.list.d/${f##*/}"
done
APT_OPTS=(-o "Dir::Etc::sourcelist=$APT/sources.list"
	-o "Dir::Etc::sourceparts=$APT/sources.list.d"
	-o "Dir::State::lists=$APT/lists" -o "Dir::Cache=$APT/cache"
	-o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
run_quiet apt-get "${APT_OPTS[@]}" update -q ||
	die "apt-get update of the deb-src entries failed"

WORK="$QD/work-fix$REV"
rm -rf "$WORK"
mkdir -p "$WORK"
say "fetching the source of qemu $version"
(cd "$WORK" && run_quiet apt-get "${APT_OPTS[@]}" source --download-only \
	"qemu=$version") || die "cannot download the source of qemu $version"
dsc=$(find "$WORK" -maxdepth 1 -name 'qemu_*.dsc' | head -n 1)
[ -n "$dsc" ] || die "no qemu .dsc in $WORK"
run_quiet dpkg-source -x "$dsc" "$WORK/src" || die "dpkg-source -x $dsc failed"
rm -f "$WORK"/qemu_*

# --- the fix -----------------------------------------------------------------

# fix FILE OLD NEW: replace the line OLD (exactly once) by NEW.
fix() {
	local file="$WORK/src/$1"

	[ -f "$file" ] || die "no $1 in the qemu source"
	python3 - "$file" "$2" "$3" <<'EOF' || die "cannot apply the fix to $1"
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
n = text.count(old)
if n != 1:
    sys.exit("%s: expected the line once, found it %d times: %s" % (path, n, old))
open(path, "w").write(text.replace(old, new))
EOF
}

fix target/i386/tcg/sysemu/svm_helper.c \
	'        cs->interrupt_request |= CPU_INTERRUPT_VIRQ;' \
	'        qatomic_or(&cs->interrupt_request, CPU_INTERRUPT_VIRQ);'
fix accel/tcg/tcg-accel-ops.c \
	'    cpu->interrupt_request |= mask;' \
	'    qatomic_or(&cpu->interrupt_request, mask);'
fix hw/core/cpu-common.c \
	'    cpu->interrupt_request &= ~mask;' \
	'    qatomic_and(&cpu->interrupt_request, ~mask);'

# --- the build ---------------------------------------------------------------

say "building qemu-system-x86_64 $version with the fix (10 to 25 minutes; log: $WORK/build/build.log)"
mkdir -p "$WORK/build"
(cd "$WORK/build" &&
	nice -n 19 ../src/configure --target-list=x86_64-softmmu --prefix=/usr \
		--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu \
		--without-default-features --disable-docs --disable-werror \
		--disable-tools --disable-guest-agent --disable-install-blobs \
		>build.log 2>&1 &&
	nice -n 19 ninja -j "$JOBS" qemu-system-x86_64 >>build.log 2>&1) || {
	tail -n 30 "$WORK/build/build.log" >&2
	die "building qemu failed, see $WORK/build/build.log"
}
"$WORK/build/qemu-system-x86_64" -version >/dev/null ||
	die "the built qemu-system-x86_64 does not run"

tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
cp "$WORK/build/qemu-system-x86_64" "$tmp/"
mv "$tmp" "$out"
# Builds of another version or of another state of this script are of no
# more use, and neither is the source tree.
for old in "$QD"/*/qemu-system-x86_64; do
	[ -e "$old" ] || continue
	[ "${old%/*}" = "$out" ] || rm -rf "${old%/*}"
done
rm -rf "$WORK" "$APT"
echo "$out/qemu-system-x86_64"
