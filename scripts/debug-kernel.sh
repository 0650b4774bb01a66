#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of the x86_64-debug lane (KASAN, lockdep, kmemleak,
# debug objects) from Debian's linux-source-6.12, once.
#
#   scripts/debug-kernel.sh
#
# The configuration is x86_64_defconfig with scripts/debug-kernel.config
# merged over it; every line of that fragment must hold in the final
# .config or the script fails. Everything the test VM needs (VFIO, KVM,
# the IOMMU) is built in. The source is extracted into
# $IRQFWD_CACHE/debug-kernel/src-VERSION and the kernel built out of tree
# in $IRQFWD_CACHE/debug-kernel/build-VERSION-HASH, HASH covering the
# fragment and the compiler: a second run builds nothing, an interrupted
# one carries on where it stopped. Older builds are removed after a
# successful one. Prints, one per line, as scripts/fetch-kernel.sh does:
#
#   KVER=<kernel release>
#   VMLINUZ=<path of bzImage>
#   MODDIR=<lib/modules/KVER of the installed modules (modules.builtin)>
#   KDIR=<the build tree, to build irqfwd.ko against>
#
# The build runs under nice -n 19 with IRQFWD_DEBUG_JOBS jobs (default 2)
# and takes about 25 minutes on two cores; its log is build.log in the build
# directory. Installs the kernel's build dependencies (flex, bison,
# libelf-dev, libssl-dev, bc) when they are missing (needs root then).

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 0 ] || die "usage: $0"

PKG=linux-source-6.12
BASE=x86_64_defconfig
FRAGMENT="$IRQFWD_SCRIPTS/debug-kernel.config"
DK="$IRQFWD_CACHE/debug-kernel"
JOBS=${IRQFWD_DEBUG_JOBS:-2}
BUILD_DEPS=(flex bison libelf-dev libssl-dev bc)

case "$JOBS" in
'' | *[!0-9]* | 0) die "IRQFWD_DEBUG_JOBS must be a positive number" ;;
esac
[ -f "$FRAGMENT" ] || die "no $FRAGMENT"
need_cmd apt-cache apt-get dpkg-deb dpkg-query tar xz make gcc nice flock \
	sha256sum depmod

# say MSG: progress a user waiting for an hour-long build should see.
say() {
	printf '%s: %s\n' "$IRQFWD_PROG" "$*" >&2
}

install_build_deps() {
	local missing=() pkg status

	for pkg in "${BUILD_DEPS[@]}"; do
		# dpkg-query fails for a package dpkg has never seen: that is
		# a missing one, not an error.
		status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) ||
			status=
		[ "$status" = installed ] || missing+=("$pkg")
	done
	[ "${#missing[@]}" -gt 0 ] || return 0
	[ "$(id -u)" = 0 ] ||
		die "the kernel build needs ${missing[*]}: install them (apt-get install ${missing[*]}) or run this as root"
	say "installing the kernel's build dependencies: ${missing[*]}"
	apt_update_once
	DEBIAN_FRONTEND=noninteractive run_quiet apt-get install -y -q \
		-o DPkg::Lock::Timeout=600 --no-install-recommends \
		"${missing[@]}" ||
		die "apt-get install ${missing[*]} failed (see above)"
}

# The version apt would download now: the one the 6.12 lane's image is
# built from while the archive is consistent.
source_version() {
	local v

	v=$(apt-cache policy "$PKG" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }') || v=
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		apt_update_once
		v=$(apt-cache policy "$PKG" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }') || v=
	fi
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		die "apt knows no $PKG"
	fi
	echo "$v"
}

# extract_source DEST: the whole tree of the package's tarball into DEST.
extract_source() {
	local dest=$1 dl tmp deb tarball

	[ -e "$dest/.done" ] && return 0
	dl="$DK/download.$$"
	tmp="$dest.tmp.$$"
	rm -rf "$dl" "$tmp"
	deb=$(apt_download "$dl" "$PKG")
	[ "$(dpkg-deb -f "$deb" Version)" = "$VERSION" ] ||
		die "apt downloaded $(basename "$deb"), not $PKG $VERSION"
	# One tarball, usr/src/linux-source-6.12.tar.xz, members under
	# linux-source-6.12/.
	tarball=$(dpkg-deb -c "$deb" | awk '$NF ~ /\.tar\.xz$/ { t = $NF } END { print t }') ||
		die "cannot list $deb"
	[ -n "$tarball" ] || die "no source tarball in $deb"
	say "extracting $PKG $VERSION into $dest"
	mkdir -p "$tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO -f - "$tarball" |
		tar -xJ -f - -C "$tmp" --strip-components=1 ||
		die "extracting $deb failed"
	if [ ! -f "$tmp/Makefile" ] || [ ! -f "$tmp/arch/x86/configs/$BASE" ]; then
		die "$deb holds no kernel tree"
	fi
	rm -rf "$dl"
	touch "$tmp/.done"
	rm -rf "$dest"
	mv "$tmp" "$dest"
}

# check_config CONFIG: every line of the fragment holds in CONFIG.
check_config() {
	local config=$1 line sym want bad=0

	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			sym=${line%%=*}
			want=${line#*=}
			if ! grep -qxF -- "$line" "$config"; then
				printf '%s: %s: wanted %s, got %s\n' "$IRQFWD_PROG" \
					"$sym" "$want" "$(grep -m1 "^$sym=" "$config" || echo 'not set')" >&2
				bad=1
			fi
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -q "^$sym=" "$config"; then
				printf '%s: %s: wanted not set, got %s\n' "$IRQFWD_PROG" \
					"$sym" "$(grep -m1 "^$sym=" "$config")" >&2
				bad=1
			fi
			;;
		esac
	done <"$FRAGMENT"
	[ "$bad" = 0 ] || die "$FRAGMENT does not hold in $config (see above)"
}

# kmake ARGS...: the kernel's make, out of tree, at the lowest priority.
kmake() {
	nice -n 19 make -C "$SRC" O="$OUT" -j"$JOBS" "$@"
}

build() {
	local start log=$OUT/build.log

	mkdir -p "$OUT"
	if [ ! -e "$OUT/.configured" ]; then
		log "configuring: $BASE + $FRAGMENT"
		run_quiet kmake "$BASE" || die "make $BASE failed"
		run_quiet "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" \
			"$OUT/.config" "$FRAGMENT" || die "merging $FRAGMENT failed"
		run_quiet kmake olddefconfig || die "make olddefconfig failed"
		check_config "$OUT/.config"
		touch "$OUT/.configured"
	fi
	check_config "$OUT/.config"

	say "building the debug kernel (about 25 minutes on two cores), log in $log"
	start=$(date +%s)
	if ! kmake bzImage modules >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "the debug kernel build failed (log: $log)"
	fi
	KVER=$(make -s --no-print-directory -C "$SRC" O="$OUT" kernelrelease) ||
		die "make kernelrelease failed in $OUT"
	[ -n "$KVER" ] || die "no kernel release from $OUT"
	rm -rf "$OUT/staging"
	run_quiet kmake INSTALL_MOD_PATH="$OUT/staging" INSTALL_MOD_STRIP=1 \
		modules_install || die "modules_install failed"
	# A resumed build adds its time to the earlier attempts'.
	echo "$(($(date +%s) - start))" >>"$OUT/build-seconds"
	echo "$KVER" >"$OUT/kernelrelease"
	touch "$OUT/.done"
	say "built $KVER in $(awk '{ s += $1 } END { print s }' "$OUT/build-seconds") s"
}

mkdir -p "$DK"
exec 9>"$DK/.lock"
flock 9

VERSION=$(source_version)
KEY=$({
	cat "$FRAGMENT"
	echo "$BASE"
	gcc --version | head -n 1
} | sha256sum | cut -c 1-12)
SRC="$DK/src-$VERSION"
OUT="$DK/build-$VERSION-$KEY"

if [ ! -e "$OUT/.done" ]; then
	install_build_deps
	extract_source "$SRC"
	build
	# Only the newest build and its source stay: each is gigabytes.
	for old in "$DK"/build-* "$DK"/src-*; do
		if [ -d "$old" ] && [ "$old" != "$OUT" ] && [ "$old" != "$SRC" ]; then
			rm -rf "$old"
		fi
	done
fi

[ -f "$OUT/kernelrelease" ] || die "no $OUT/kernelrelease: remove $OUT and build again"
KVER=$(cat "$OUT/kernelrelease")
VMLINUZ="$OUT/arch/x86/boot/bzImage"
MODDIR="$OUT/staging/lib/modules/$KVER"
[ -f "$VMLINUZ" ] || die "no $VMLINUZ"
[ -f "$MODDIR/modules.builtin" ] || die "no modules.builtin in $MODDIR"
[ -f "$OUT/Module.symvers" ] || die "no Module.symvers in $OUT"

printf 'KVER=%s\nVMLINUZ=%s\nMODDIR=%s\nKDIR=%s\n' "$KVER" "$VMLINUZ" "$MODDIR" "$OUT"
