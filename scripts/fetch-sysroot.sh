#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpack the target packages of a cross build into a sysroot.
#
#   scripts/fetch-sysroot.sh ARCH [SUITE]
#
#   ARCH    arm64 (any architecture but the host's)
#   SUITE   take the packages from the Debian release of SUITE (trixie,
#           trixie-backports: trixie's; see scripts/lib-suite.sh) instead
#           of the host's: what a kernel built in scripts/debian-root.sh's
#           root of that release needs its tests linked against
#
# Downloads Debian's packages of ARCH that the selftests and the guest
# need, and unpacks them with dpkg -x into $IRQFWD_CACHE/sysroot-DEBARCH/
# (the host's release: a private apt state, apt_foreign_state in lib.sh)
# or $IRQFWD_CACHE/sysroot-DEBARCH-RELEASE/ (another release: its private
# state of scripts/lib-suite.sh); 'dpkg --add-architecture' is not needed:
#
#   busybox-static                  the guest's /bin/busybox
#   libnl-3-dev, libnl-genl-3-dev   libnl's headers, static libraries and
#   libnl-3-200, libnl-genl-3-200   pkg-config files (irqfwdctl, the tests)
#
# Each package's version is resolved from the archive; the sysroot is
# unpacked again when one changes. Prints, one per line:
#
#   SYSROOT=<the sysroot>
#   BUSYBOX=<its static busybox>
#   PKG_CONFIG_LIBDIR=<its pkg-config directory>
#
# (pkg-config wants PKG_CONFIG_SYSROOT_DIR=SYSROOT with it.)

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || [ $# -eq 2 ] || die "usage: $0 ARCH [SUITE]"
DEBARCH=$(arch_debarch "$1")
SUITE=${2:-}
[ "$DEBARCH" != "$(host_debarch)" ] ||
	die "$1 is the host's architecture: its packages come from scripts/deps.sh"
PACKAGES=(busybox-static libnl-3-200 libnl-genl-3-200 libnl-3-dev
	libnl-genl-3-dev)

need_cmd apt-cache apt-get dpkg dpkg-architecture flock
TRIPLET=$(dpkg-architecture -a"$DEBARCH" -qDEB_HOST_MULTIARCH 2>/dev/null) ||
	die "dpkg-architecture does not know $DEBARCH"

if [ -n "$SUITE" ]; then
	# shellcheck source-path=SCRIPTDIR source=lib-suite.sh
	. "$IRQFWD_SCRIPTS/lib-suite.sh"
	suite_check "$SUITE"
	RELEASE=$(suite_release "$SUITE")
	SYSROOT="$IRQFWD_CACHE/sysroot-$DEBARCH-$RELEASE"
	# Lanes side by side unpack it one after the other.
	exec {lockfd}>"$SYSROOT.lock"
	flock -w 1800 "$lockfd" || die "$SYSROOT.lock still held after 30 minutes"
	wanted=
	for p in "${PACKAGES[@]}"; do
		ver=$(suite_field "$RELEASE" "$(suite_pkg "$p" "$DEBARCH")" Version)
		[ -n "$ver" ] || die "no $DEBARCH package $p in Debian $RELEASE"
		wanted+="$p=$ver"$'\n'
	done
	wanted=${wanted%$'\n'}
else
	apt_foreign_state "$DEBARCH"
	SYSROOT="$IRQFWD_CACHE/sysroot-$DEBARCH"
	# name=version of every package, as the archive has them today.
	wanted=$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "${PACKAGES[@]}" 2>/dev/null |
		awk '$1 == "Package:" { p = $2 } $1 == "Version:" { print p "=" $2 }') || true
	for p in "${PACKAGES[@]}"; do
		grep -q "^$p=" <<<"$wanted" || die "no $DEBARCH package $p in the archive"
	done
fi

if [ ! -e "$SYSROOT/.done" ] || [ "$(cat "$SYSROOT/.done")" != "$wanted" ]; then
	log "unpacking $DEBARCH sysroot: $(echo "$wanted" | tr '\n' ' ')"
	tmp="$SYSROOT.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp/debs"
	if [ -n "$SUITE" ]; then
		for p in "${PACKAGES[@]}"; do
			suite_download "$RELEASE" "$tmp/debs" "$(suite_pkg "$p" "$DEBARCH")" >/dev/null
		done
	else
		mapfile -t pkgs <<<"$wanted"
		(cd "$tmp/debs" && run_quiet apt-get "${APT_OPTS[@]}" download -q \
			"${pkgs[@]}") ||
			die "downloading the $DEBARCH packages failed: $(echo "$wanted" | tr '\n' ' ')"
	fi
	for deb in "$tmp"/debs/*.deb; do
		run_quiet dpkg -x "$deb" "$tmp" || die "dpkg -x $deb failed"
	done
	rm -rf "$tmp/debs"
	# Merge /lib, /bin and /sbin into /usr as the host does: the .pc
	# files say /usr/lib/TRIPLET, the packages put libraries in /lib.
	for d in lib bin sbin; do
		if [ -d "$tmp/$d" ] && [ ! -L "$tmp/$d" ]; then
			mkdir -p "$tmp/usr/$d"
			cp -a "$tmp/$d/." "$tmp/usr/$d/"
			rm -rf "${tmp:?}/$d"
		fi
		ln -sfn "usr/$d" "$tmp/$d"
	done
	[ -x "$tmp/bin/busybox" ] || die "busybox-static left no bin/busybox"
	[ -f "$tmp/usr/lib/$TRIPLET/pkgconfig/libnl-genl-3.0.pc" ] ||
		die "libnl-genl-3-dev left no usr/lib/$TRIPLET/pkgconfig/libnl-genl-3.0.pc"
	for a in libnl-3.a libnl-genl-3.a; do
		[ -f "$tmp/usr/lib/$TRIPLET/$a" ] ||
			die "libnl's -dev packages left no usr/lib/$TRIPLET/$a"
	done
	echo "$wanted" >"$tmp/.done"
	rm -rf "$SYSROOT"
	mv "$tmp" "$SYSROOT"
fi

busybox="$SYSROOT/bin/busybox"
pcdir="$SYSROOT/usr/lib/$TRIPLET/pkgconfig"
printf 'SYSROOT=%s\nBUSYBOX=%s\nPKG_CONFIG_LIBDIR=%s\n' "$SYSROOT" "$busybox" "$pcdir"
