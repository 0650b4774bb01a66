#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the host packages the irqfwd build and VM test bed need.
#
#   scripts/deps.sh
#
# Idempotent: apt is not touched when everything is already installed,
# including the headers that the kernel metapackages currently point at
# (a Debian security update bumps the ABI: -56 today, -57 tomorrow).
# The arm64 lanes cross-build with the host's aarch64-linux-gnu toolchain;
# their kernels, headers, busybox and libnl come from a private apt state
# (scripts/fetch-kernel.sh, scripts/fetch-sysroot.sh), so the arm64
# architecture is not enabled in dpkg. The arm64 headers run the host's
# kbuild tools of the same version: the linux-kbuild package that the
# current arm64 headers depend on is installed here.
# Then it builds, once, the QEMU of the x86 lanes (scripts/qemu-x86.sh:
# 10 to 25 minutes the first time, nothing afterwards).

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# debootstrap, debian-archive-keyring and the arm64 cross compiler: the
# compile matrix (scripts/check-matrix.sh) and the x86_64-7 lane make
# Debian trixie/sid roots and fetch other suites' headers
# (scripts/debian-root.sh, scripts/lib-suite.sh), and cross-build arm64.
PACKAGES=(
	qemu-system-x86 qemu-system-arm busybox-static cpio xz-utils zstd
	kmod sparse dkms gcc make libc6-dev pkg-config libnl-genl-3-dev
	python3 python3-yaml python3-jsonschema
	linux-headers-amd64 linux-headers-6.12-amd64
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross debian-archive-keyring
	dpkg-dev debootstrap
	# scripts/qemu-x86.sh: Debian's QEMU rebuilt with a fix
	meson ninja-build flex bison libglib2.0-dev libpixman-1-dev
	libfdt-dev zlib1g-dev
)

# Metapackages whose current dependency (the headers of today's ABI) must
# be installed too.
HEADER_METAS=(linux-headers-amd64 linux-headers-6.12-amd64)

# missing_of PKG...: print those of the packages that are not installed.
missing_of() {
	dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
		awk '$2 == "installed" { print $1 }' | sort |
		comm -13 - <(printf '%s\n' "$@" | sort)
}

# apt_install PKG...: install the packages with apt (root), updating its lists
# first.
apt_install() {
	[ "$(id -u)" = 0 ] || die "need root to install: $*"
	export DEBIAN_FRONTEND=noninteractive
	run_quiet apt-get update -q || die "apt-get update failed"
	log "installing: $*"
	run_quiet apt-get install -y -q --no-install-recommends "$@" ||
		die "apt-get install failed"
}

mapfile -t missing < <(missing_of "${PACKAGES[@]}")
mapfile -t heads < <(apt-cache depends "${HEADER_METAS[@]}" 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-headers-/ { print $2 }')
if [ "${#heads[@]}" -gt 0 ] && [ -n "$(missing_of "${heads[@]}")" ]; then
	missing+=("${HEADER_METAS[@]}")
fi
[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"

# The linux-kbuild package of each arm64 lane's headers, resolved in the
# private arm64 apt state (in a subshell: its options must not reach the
# host's apt).
kbuild_names=$(
	apt_foreign_state arm64
	for meta in linux-headers-arm64 linux-headers-6.12-arm64; do
		hdr=$(apt_dep "$meta")
		apt-cache "${APT_OPTS[@]}" depends "$hdr" |
			awk '$1 == "Depends:" && $2 ~ /^linux-kbuild-/ {
				sub(/:.*/, "", $2); print $2; exit }'
	done
) || die "cannot resolve the linux-kbuild packages of the arm64 headers"
mapfile -t kbuilds < <(printf '%s\n' "$kbuild_names" | grep .)
[ "${#kbuilds[@]}" -eq 2 ] ||
	die "cannot resolve the linux-kbuild packages of the arm64 headers (got: ${kbuilds[*]:-none})"
mapfile -t missing < <(missing_of "${kbuilds[@]}")
[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"

# The x86 lanes' QEMU, built once here rather than inside a lane (where
# it would hold a VM slot for the length of the build).
"$IRQFWD_SCRIPTS/qemu-x86.sh" >/dev/null ||
	die "building the x86 lanes' qemu-system-x86_64 failed"
log "all host packages present"
