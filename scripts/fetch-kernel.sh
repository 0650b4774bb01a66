#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch and unpack the current Debian kernel image of a series.
#
#   scripts/fetch-kernel.sh ARCH SERIES
#
#   ARCH    x86_64 | arm64
#   SERIES  6.1 | 6.12 | 7 (Debian's newest kernel, from trixie-backports)
#
# Resolves the image package from the metapackage (linux-image-amd64,
# linux-image-6.12-amd64, ...), downloads it into $IRQFWD_CACHE/debs and
# unpacks it into $IRQFWD_CACHE/kernels/<package>/. Prints, one per line:
#
#   KVER=<kernel release>
#   VMLINUZ=<path of the kernel image>
#   MODDIR=<path of lib/modules/KVER inside the unpacked package>
#   KDIR=<kernel headers to build modules against>
#   ROOT=<Debian root to build in, empty for the host>
#   KTREE=<directory that holds KDIR, to make visible inside ROOT>
#
# A series of another suite (7) is resolved in that suite with a private apt
# state (scripts/lib-suite.sh); its image may be split into linux-image
# (empty), linux-binary (the kernel, in lib/modules/KVER/vmlinuz),
# linux-modules and linux-base (modules.builtin, config) packages, which
# are unpacked together. Its headers and the toolchain to build against them:
# scripts/fetch-headers.sh (a trixie root for trixie-backports' kernels).
#
# x86_64 (the host's architecture) uses the installed headers,
# /usr/src/linux-headers-KVER (scripts/deps.sh installs them). A foreign
# architecture's image and headers come through a private apt state
# (apt_foreign_state in lib.sh: no 'dpkg --add-architecture'); the headers
# are unpacked into the cache and use the host's linux-kbuild tools of the
# same version (scripts/deps.sh installs them). A second run downloads
# nothing.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 2 ] || die "usage: $0 ARCH SERIES"
ARCH=$1
SERIES=$2
check_series "$SERIES"
DEBARCH=$(arch_debarch "$ARCH")
FLAVOUR=$(arch_flavour "$ARCH")

need_cmd apt-cache apt-get dpkg
SUITE=$(kernel_suite "$SERIES")
if [ -z "$SUITE" ] && [ "$DEBARCH" != "$(host_debarch)" ]; then
	need_cmd flock
	apt_foreign_state "$DEBARCH"
fi

if [ -n "$SUITE" ]; then
	# shellcheck source-path=SCRIPTDIR source=lib-suite.sh
	. "$IRQFWD_SCRIPTS/lib-suite.sh"
	image_meta=$(suite_pkg "$(kernel_metapkg image "$SERIES" "$FLAVOUR")" "$DEBARCH")
	image_pkg=$(suite_dep "$SUITE" "$image_meta" "linux-image-[0-9].*-$FLAVOUR")
	case "${image_pkg#linux-image-}" in
	"$SERIES".*) ;;
	*) die "Debian's $SUITE kernel is now ${image_pkg#linux-image-}, not $SERIES.x: add a lane series for it" ;;
	esac
else
	image_meta=$(arch_pkg "$(kernel_metapkg image "$SERIES" "$FLAVOUR")" "$DEBARCH")
	image_pkg=$(apt_dep "$image_meta")
fi
kdest="$IRQFWD_CACHE/kernels/$image_pkg"
if [ -n "$SUITE" ]; then
	# Lanes side by side (arm64-7 and arm64-7-gicv4) fetch one kernel one
	# after the other; apt_foreign_state holds a lock of its own.
	need_cmd flock
	mkdir -p "$IRQFWD_CACHE/kernels"
	exec {lockfd}>"$kdest.lock"
	flock -w 1800 "$lockfd" || die "$kdest.lock still held after 30 minutes"
fi

fetched=0
[ -e "$kdest/.done" ] || fetched=1
if [ "$fetched" = 1 ] && [ -n "$SUITE" ]; then
	# The image and the packages it is split into, if it is.
	abi=${image_pkg#linux-image-}
	abi=${abi//./\\.}
	abi=${abi//+/\\+}
	mapfile -t parts < <(suite_deps "$SUITE" "$(suite_pkg "$image_pkg" "$DEBARCH")" \
		"linux-(binary|modules|base)-$abi")
	parts=("$image_pkg" "${parts[@]}")
	debs=()
	for p in "${parts[@]}"; do
		debs+=("$(suite_download "$SUITE" "$IRQFWD_CACHE/debs" "$(suite_pkg "$p" "$DEBARCH")")")
	done
	tmp="$kdest.tmp.$$"
	debs_unpack "$tmp" "${debs[@]}"
	touch "$tmp/.done"
	rm -rf "$kdest"
	mv "$tmp" "$kdest"
	rm -f "${debs[@]}"
elif [ "$fetched" = 1 ]; then
	deb=$(apt_download "$IRQFWD_CACHE/debs" "$(arch_pkg "$image_pkg" "$DEBARCH")")
	deb_extract "$deb" "$kdest"
	rm -f "$deb"
fi
if [ "$fetched" = 1 ]; then
	# Images of this series with an older ABI are of no more use.
	for old in "$IRQFWD_CACHE/kernels/linux-image-$SERIES".*-"$FLAVOUR"; do
		if [ -d "$old" ] && [ "$old" != "$kdest" ]; then
			rm -rf "$old"
		fi
	done
fi

# Debian's packages leave modules.dep to depmod in postinst: make it here.
moddir=
for d in "$kdest"/lib/modules/* "$kdest"/usr/lib/modules/*; do
	if [ -d "$d/kernel" ]; then
		if [ ! -s "$d/modules.dep" ]; then
			need_cmd depmod
			run_quiet depmod -b "${d%/lib/modules/*}" "$(basename "$d")" ||
				die "depmod failed for $d"
		fi
		moddir=$d
		break
	fi
done
[ -n "$moddir" ] || die "no lib/modules/<kver>/kernel in $kdest"
kver=$(basename "$moddir")
vmlinuz="$kdest/boot/vmlinuz-$kver"
[ -f "$vmlinuz" ] || vmlinuz="$moddir/vmlinuz"
[ -f "$vmlinuz" ] || die "no kernel image $kdest/boot/vmlinuz-$kver or $vmlinuz"

root='' ktree=''
if [ -n "$SUITE" ]; then
	hinfo=$("$IRQFWD_SCRIPTS/fetch-headers.sh" "$SUITE" "$kver" "$DEBARCH") ||
		die "no headers or toolchain for $kver"
	kdir=$(sed -n 's/^KDIR=//p' <<<"$hinfo")
	root=$(sed -n 's/^ROOT=//p' <<<"$hinfo")
	ktree=$(sed -n 's/^KTREE=//p' <<<"$hinfo")
elif [ "$DEBARCH" = "$(host_debarch)" ]; then
	kdir="/usr/src/linux-headers-$kver"
	[ -f "$kdir/Makefile" ] ||
		die "kernel headers $kdir missing: run scripts/deps.sh (installs linux-headers for $kver)"
else
	# Cross build: unpack the foreign headers and their -common package
	# side by side, and point their scripts/tools symlinks (relative,
	# into usr/lib/linux-kbuild-*) at the host's kbuild of the same
	# version.
	hroot="$IRQFWD_CACHE/headers/$kver"
	kdir="$hroot/usr/src/linux-headers-$kver"
	if [ ! -e "$hroot/.done" ]; then
		hpkg="linux-headers-$kver"
		hdeb=$(apt_download "$IRQFWD_CACHE/debs" "$(arch_pkg "$hpkg" "$DEBARCH")")
		common=$(apt-cache "${APT_OPTS[@]}" depends "$(arch_pkg "$hpkg" "$DEBARCH")" |
			awk '$1 == "Depends:" && $2 ~ /-common/ {
				gsub(/[<>]/, "", $2); sub(/:.*/, "", $2); print $2; exit }')
		[ -n "$common" ] || die "cannot resolve the -common headers of $hpkg"
		cdeb=$(apt_download "$IRQFWD_CACHE/debs" "$common")
		rm -rf "$hroot.tmp"
		mkdir -p "$hroot.tmp"
		run_quiet dpkg -x "$hdeb" "$hroot.tmp"
		run_quiet dpkg -x "$cdeb" "$hroot.tmp"
		rm -f "$hdeb" "$cdeb"
		link=$(readlink "$hroot.tmp/usr/src/linux-headers-$kver/scripts")
		kbuild=$(basename "$(dirname "$link")")
		[ -d "/usr/lib/$kbuild/scripts" ] ||
			die "host /usr/lib/$kbuild missing: install the host's headers of the same version (scripts/deps.sh)"
		mkdir -p "$hroot.tmp/usr/lib"
		ln -sfn "/usr/lib/$kbuild" "$hroot.tmp/usr/lib/$kbuild"
		touch "$hroot.tmp/.done"
		rm -rf "$hroot"
		mv "$hroot.tmp" "$hroot"
	fi
	[ -f "$kdir/Makefile" ] || die "no headers in $kdir"
fi

printf 'KVER=%s\nVMLINUZ=%s\nMODDIR=%s\nKDIR=%s\nROOT=%s\nKTREE=%s\n' \
	"$kver" "$vmlinuz" "$moddir" "$kdir" "$root" "$ktree"
