#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that DKMS can add and build irqfwd for each kernel of the matrix,
# in a private DKMS tree (nothing is installed on the host), and that
# dkms.conf carries the version of module/version.h.
#
#   scripts/dkms-check.sh [SERIES...]      (default: 6.1 6.12)

set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERIES=("$@")
[ ${#SERIES[@]} -gt 0 ] || SERIES=(6.1 6.12)
need_cmd dkms make
cd "$IRQFWD_REPO"

version=$(sed -n 's/^#define IRQFWD_VERSION[[:space:]]*"\(.*\)"/\1/p' module/version.h)
conf_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
[ "$version" = "$conf_version" ] ||
	die "dkms.conf says $conf_version, module/version.h says $version"

tmp="$IRQFWD_BUILD/dkms"
rm -rf "$tmp"
mkdir -p "$tmp/src/irqfwd-$version" "$tmp/tree" "$tmp/install"
cp -a Kbuild Makefile dkms.conf module uapi "$tmp/src/irqfwd-$version/"
dkms_args=(-m irqfwd -v "$version" --sourcetree "$tmp/src"
	--dkmstree "$tmp/tree" --installtree "$tmp/install")

run_quiet dkms add "${dkms_args[@]}" || die "dkms add failed"
status=0
for series in "${SERIES[@]}"; do
	kver=$("$IRQFWD_SCRIPTS/fetch-kernel.sh" x86_64 "$series" |
		sed -n 's/^KVER=//p')
	# Debian's 6.12 has DKMS compress modules like its own (irqfwd.ko.xz).
	if run_quiet dkms build "${dkms_args[@]}" -k "$kver" &&
		compgen -G "$tmp/tree/irqfwd/$version/$kver/x86_64/module/irqfwd.ko*" >/dev/null; then
		echo "dkms add + build irqfwd/$version for $kver: ok"
	else
		echo "dkms build for $kver: FAILED"
		status=1
	fi
done
exit $status
