#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A self-contained tree to build modules against one Debian kernel of any
# suite, and the toolchain environment Debian built that kernel in.
#
#   scripts/fetch-headers.sh SUITE KVER ARCH
#
#   SUITE  bookworm, bookworm-backports, trixie, trixie-backports or sid
#   KVER   kernel release, e.g. 7.3.4+deb13-amd64 (see scripts/lib-suite.sh,
#          suite_headers, for what a suite's metapackages point at)
#   ARCH   x86_64 (amd64) or arm64
#
# Downloads linux-headers-KVER, its -common and the host architecture's
# linux-kbuild of the same version from SUITE (private apt state, see
# lib-suite.sh) and unpacks them side by side into
# $IRQFWD_CACHE/kdirs/KVER/usr/{src,lib}; the headers' Makefile includes the
# -common one there instead of /usr/src. A second run downloads nothing.
# Prints, one per line:
#
#   KVER=<kernel release>
#   KDIR=<the headers to pass to make -C>
#   CC=<the compiler the headers call, e.g. x86_64-linux-gnu-gcc-14>
#   ROOT=<Debian root to build in (scripts/in-root.sh -b KTREE ROOT ...),
#         empty: build on the host>
#   KTREE=<the tree to make visible inside ROOT>
#
# The environment is the release the suite belongs to: bookworm's kernels
# build on the host, trixie's and sid's in scripts/debian-root.sh's root
# (their linux-kbuild needs that release's glibc, their headers its gcc),
# which gets the compiler the headers call if it lacks it.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib-suite.sh
. "$IRQFWD_SCRIPTS/lib-suite.sh"

[ $# -eq 3 ] || die "usage: $0 SUITE KVER x86_64|arm64"
SUITE=$1
KVER=$2
case "$3" in
amd64) DEBARCH=amd64 ;;
*) DEBARCH=$(arch_debarch "$3") ;;
esac
suite_check "$SUITE"
case "$KVER" in
*-"$DEBARCH") ;;
*) die "kernel release '$KVER' is not of the $DEBARCH flavour" ;;
esac
need_cmd apt-get apt-cache dpkg sed flock

HOSTARCH=$(host_debarch)
KTREE="$IRQFWD_CACHE/kdirs/$KVER"
KDIR="$KTREE/usr/src/linux-headers-$KVER"

mkdir -p "$IRQFWD_CACHE/kdirs"
exec 9>"$KTREE.lock"
flock 9 || die "cannot lock $KTREE.lock"
if [ ! -e "$KTREE/.done" ]; then
	hpkg=$(suite_pkg "linux-headers-$KVER" "$DEBARCH")
	common=$(suite_dep "$SUITE" "$hpkg" 'linux-headers-.*-common(-rt)?')
	kbuild=$(suite_dep "$SUITE" "$hpkg" 'linux-kbuild-.*')
	debs=()
	for p in "$hpkg" "$common" "$(suite_pkg "$kbuild" "$HOSTARCH")"; do
		debs+=("$(suite_download "$SUITE" "$IRQFWD_CACHE/debs" "$p")")
	done
	tmp="$KTREE.tmp.$$"
	debs_unpack "$tmp" "${debs[@]}"
	mk="$tmp/usr/src/linux-headers-$KVER/Makefile"
	[ -f "$mk" ] || die "linux-headers-$KVER has no Makefile"
	# Debian's headers name their -common half (and, since 6.13, their
	# own directory: KBUILD_OUTPUT) by absolute path.
	sed -i "s|\([ =]\)/usr/src/linux-headers-|\1$KTREE/usr/src/linux-headers-|g" "$mk" ||
		die "cannot edit $mk"
	grep -q "^include $KTREE/usr/src/.*/Makefile\$" "$mk" ||
		die "unexpected $mk (no 'include /usr/src/...-common/Makefile')"
	! grep -E "(^|[ =])/usr/src/" "$mk" ||
		die "$mk still names /usr/src"
	[ -d "$(readlink -f "$tmp/usr/src/linux-headers-$KVER/scripts")" ] ||
		die "the scripts of linux-headers-$KVER do not resolve to $kbuild"
	echo "$SUITE" >"$tmp/.suite"
	touch "$tmp/.done"
	rm -rf "$KTREE"
	mv "$tmp" "$KTREE"
	rm -f "${debs[@]}"
fi

# The compiler the headers call: CC = ... $(CROSS_COMPILE)gcc-N.
gccver=$(sed -n 's/^CC = .*)gcc-\([0-9][0-9]*\)$/\1/p' "$KDIR/.kernelvariables")
[ -n "$gccver" ] || die "cannot read the compiler from $KDIR/.kernelvariables"
case "$DEBARCH" in
amd64) triplet=x86_64-linux-gnu ;;
arm64) triplet=aarch64-linux-gnu ;;
esac
cc="$triplet-gcc-$gccver"
if [ "$DEBARCH" = "$HOSTARCH" ]; then
	ccpkg=gcc-$gccver
else
	ccpkg=gcc-$gccver-$triplet
fi

release=$(suite_release "$SUITE")
if [ "$release" = "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" ]; then
	root=
	command -v "$cc" >/dev/null ||
		die "$KVER is built with $cc, which the host lacks: install $ccpkg (scripts/deps.sh)"
else
	root=$("$IRQFWD_SCRIPTS/debian-root.sh" "$release" "$ccpkg") ||
		die "no Debian $release root with $ccpkg for $KVER"
fi

printf 'KVER=%s\nKDIR=%s\nCC=%s\nROOT=%s\nKTREE=%s\n' "$KVER" "$KDIR" "$cc" "$root" "$KTREE"
