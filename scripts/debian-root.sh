#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A Debian userland newer than the host's, to build modules for kernels
# that Debian built with a newer toolchain (their linux-kbuild needs a newer
# glibc, their headers a newer gcc), and the selftests with the same one.
#
#   scripts/debian-root.sh RELEASE [PKG...]
#
#   RELEASE  trixie or sid
#   PKG      more packages the root must have (e.g. the gcc-N a kernel's
#            headers ask for); installed with the root's apt if missing
#
# Prints the root's path, $IRQFWD_CACHE/RELEASE-root. The first run
# debootstraps it (minbase plus the kernel build tools, sparse, the arm64
# cross compiler and libnl) into RELEASE-root.tmp and renames it when it is
# complete, with a .done stamp; later runs only install missing PKGs. One
# run at a time per root (flock). scripts/in-root.sh runs commands in it.
#
# Environment: IRQFWD_MIRROR (http://deb.debian.org/debian).

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 trixie|sid [PKG...]"
RELEASE=$1
shift
case "$RELEASE" in
trixie | sid) ;;
*) die "unsupported release '$RELEASE' (trixie or sid; bookworm is the host)" ;;
esac
MIRROR=${IRQFWD_MIRROR:-http://deb.debian.org/debian}
ROOT="$IRQFWD_CACHE/$RELEASE-root"
TMP="$ROOT.tmp"

# What the module build (kbuild: gcc, make, bc, kmod, libelf, libssl,
# pahole, bison, flex), `make C=2` (sparse), the arm64 cross builds and
# the statically linked selftests (libc6-dev, pkg-config, libnl) need.
PACKAGES=(gcc make libc6-dev bc kmod libelf-dev libssl-dev pahole bison
	flex sparse pkg-config libnl-3-dev libnl-genl-3-dev
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross)

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"
need_cmd flock dpkg-query

mkdir -p "$IRQFWD_CACHE"
exec 9>"$ROOT.lock"
flock 9 || die "cannot lock $ROOT.lock"

# missing ROOTDIR PKG...: those of the packages not installed in ROOTDIR.
missing() {
	local dir=$1

	shift
	# dpkg-query fails when it knows a package not at all: that is
	# "missing" too.
	{ dpkg-query --admindir="$dir/var/lib/dpkg" \
		-W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true; } |
		awk '$2 == "installed" { print $1 }' | sort |
		comm -13 - <(printf '%s\n' "$@" | sort)
}

# install ROOTDIR PKG...: apt-get install the missing ones inside ROOTDIR.
install_missing() {
	local dir=$1 need

	shift
	mapfile -t need < <(missing "$dir" "$@")
	[ "${#need[@]}" -gt 0 ] || return 0
	log "installing into $dir: ${need[*]}"
	IRQFWD_ROOT_UNFINISHED=1 DEBIAN_FRONTEND=noninteractive run_quiet \
		"$IRQFWD_SCRIPTS/in-root.sh" "$dir" sh -c \
		'apt-get update -q && apt-get install -y -q --no-install-recommends "$@"' \
		sh "${need[@]}" ||
		die "installing ${need[*]} into $dir failed"
	mapfile -t need < <(missing "$dir" "$@")
	[ "${#need[@]}" -eq 0 ] || die "still missing in $dir after apt-get install: ${need[*]}"
}

if [ ! -e "$ROOT/.done" ]; then
	need_cmd debootstrap
	[ ! -e "$ROOT" ] || rm -rf "$ROOT" || die "cannot remove the unfinished $ROOT"
	# A .tmp without the stamp of a finished debootstrap is a broken
	# attempt: start again.
	if [ -d "$TMP" ] && [ ! -e "$TMP/.debootstrap-done" ]; then
		rm -rf "$TMP" || die "cannot remove the broken $TMP"
	fi
	if [ ! -d "$TMP" ]; then
		start=$(date +%s)
		log "debootstrap $RELEASE into $TMP (a few minutes)"
		run_quiet debootstrap --variant=minbase \
			--include="$(
				IFS=,
				echo "${PACKAGES[*]}"
			)" \
			"$RELEASE" "$TMP" "$MIRROR" ||
			die "debootstrap of Debian $RELEASE into $TMP failed (log: $TMP/debootstrap/debootstrap.log)"
		touch "$TMP/.debootstrap-done"
		log "debootstrap took $(($(date +%s) - start)) s"
	fi
	install_missing "$TMP" "${PACKAGES[@]}"
	touch "$TMP/.done"
	mv "$TMP" "$ROOT" || die "cannot rename $TMP to $ROOT"
fi

if [ $# -gt 0 ]; then
	install_missing "$ROOT" "$@"
fi
echo "$ROOT"
