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
# Then builds, once, the QEMU of the x86 lanes (scripts/qemu-x86.sh: 10 to
# 25 minutes the first time, nothing afterwards).
# Environment: IRQFWD_ARM64=1 also installs the arm64 cross toolchain and
# enables the arm64 architecture in dpkg (for arm64 kernels and busybox).

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(
	qemu-system-x86 qemu-system-arm busybox-static cpio xz-utils zstd
	kmod sparse dkms gcc make libc6-dev pkg-config libnl-genl-3-dev
	python3 python3-yaml python3-jsonschema
	linux-headers-amd64 linux-headers-6.12-amd64
	# scripts/qemu-x86.sh: Debian's QEMU rebuilt with a fix
	dpkg-dev meson ninja-build flex bison libglib2.0-dev libpixman-1-dev
	libfdt-dev zlib1g-dev
)
if [ "${IRQFWD_ARM64:-0}" = 1 ]; then
	PACKAGES+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross libnl-genl-3-dev:arm64)
fi

# Metapackages whose current dependency (the headers of today's ABI) must
# be installed too.
HEADER_METAS=(linux-headers-amd64 linux-headers-6.12-amd64)

# missing_of PKG...: print those of the packages that are not installed.
missing_of() {
	dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
		awk '$2 == "installed" { print $1 }' | sort |
		comm -13 - <(printf '%s\n' "$@" | sort)
}

mapfile -t missing < <(missing_of "${PACKAGES[@]}")
foreign=0
if [ "${IRQFWD_ARM64:-0}" = 1 ] && [ "$(host_debarch)" != arm64 ] &&
	! dpkg --print-foreign-architectures | grep -qx arm64; then
	foreign=1
fi
mapfile -t heads < <(apt-cache depends "${HEADER_METAS[@]}" 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-headers-/ { print $2 }')
if [ "${#heads[@]}" -gt 0 ] && [ -n "$(missing_of "${heads[@]}")" ]; then
	missing+=("${HEADER_METAS[@]}")
fi

install_missing() {
	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	if [ "$foreign" = 1 ]; then
		log "enabling the arm64 architecture in dpkg"
		dpkg --add-architecture arm64
	fi
	export DEBIAN_FRONTEND=noninteractive
	run_quiet apt-get update -q || die "apt-get update failed"
	if [ "${#missing[@]}" -gt 0 ]; then
		log "installing: ${missing[*]}"
		run_quiet apt-get install -y -q --no-install-recommends "${missing[@]}" ||
			die "apt-get install failed"
	fi
}

if [ "${#missing[@]}" -eq 0 ] && [ "$foreign" = 0 ]; then
	log "all host packages present"
else
	install_missing
fi

# The x86 lanes' QEMU, built once here rather than inside a lane (where
# it would hold a VM slot for the length of the build).
"$IRQFWD_SCRIPTS/qemu-x86.sh" >/dev/null ||
	die "building the x86 lanes' qemu-system-x86_64 failed"
