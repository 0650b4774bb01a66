#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract the few kernel-source files the project needs from Debian's
# linux-source-6.12 package (linux-headers ship none of them).
#
#   scripts/linux-source.sh
#
# Prints the directory, $IRQFWD_CACHE/linux-source-6.12, which holds:
#   scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
#   tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h
#   tools/net/ynl/  Documentation/netlink/
#   Documentation/userspace-api/ioctl/ioctl-number.rst  .clang-format
# Downloads and extracts once (stamp file .done); later runs only print.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKG=linux-source-6.12
DEST="$IRQFWD_CACHE/$PKG"
MEMBERS=(
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	tools/net/ynl
	Documentation/netlink
	Documentation/userspace-api/ioctl/ioctl-number.rst
	.clang-format
)

if [ ! -e "$DEST/.done" ]; then
	need_cmd apt-get dpkg-deb tar xz
	deb=$(apt_download "$IRQFWD_CACHE/debs" "$PKG")
	tmp="$DEST.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# The package holds one tarball, usr/src/linux-source-6.12.tar.xz,
	# whose members start with linux-source-6.12/.
	tarball=$(dpkg-deb -c "$deb" | awk '$NF ~ /\.tar\.xz$/ { print $NF; exit }')
	[ -n "$tarball" ] || die "no source tarball in $deb"
	top=$(basename "$tarball" .tar.xz)
	log "extracting ${MEMBERS[*]} from $tarball"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO -f - "$tarball" |
		tar -xJ -f - -C "$tmp" --strip-components=1 "${MEMBERS[@]/#/$top/}" ||
		die "extracting from $deb failed"
	for m in "${MEMBERS[@]}"; do
		[ -e "$tmp/$m" ] || die "$m missing from $deb"
	done
	dpkg-deb -f "$deb" Version >"$tmp/.version"
	touch "$tmp/.done"
	rm -rf "$DEST"
	mv "$tmp" "$DEST"
	# The source package is large and everything needed is extracted.
	rm -f "$deb"
fi

echo "$DEST"
