#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build, once, a qemu-system-x86_64 that uses irqfwd: Debian's QEMU 10.0
# source (bookworm-backports) with the project's patch series
# (scripts/qemu-irqfwd/: a vfio-pci property "irqfwd" that carries MSI and
# MSI-X vectors through irqfwd lines), linked against libirqfwd built
# from this tree; print the binary's path.
#
#   scripts/qemu-vmm.sh
#
# The version is what the suite's Sources index names today (resolved in
# a private apt state with deb-src entries, scripts/lib-suite.sh: nothing
# in /etc/apt is touched); apt-get source downloads it. When the archive
# does not serve the suite's .dsc and .debian.tar.xz (seen for
# 1:10.0.2+ds-2+deb13u1~bpo12+1: 404 while its .orig.tar.xz is there),
# the script builds that version's .orig.tar.xz, checked against the
# Sources index, without Debian's own patches, and says so.
#
# The build: x86_64-softmmu only, KVM and vfio-pci, no optional features
# (no GUI, audio, block drivers, tools, docs), --enable-irqfwd against
# libirqfwd installed into a private prefix next to the binary and found
# with pkg-config (the binary's RUNPATH points there). Meson 1.5+ and
# pycotap, which QEMU 10.0's configure needs and bookworm lacks, come
# from bookworm-backports as .debs unpacked into the cache, not
# installed. Debian's .orig.tar.xz has no prebuilt firmware: the edk2
# images that the build would unpack are skipped (nothing here installs
# firmware; Debian's, from /usr/share, is found through links as in
# scripts/qemu-x86.sh). Every compile runs under nice -n 19 with
# IRQFWD_QEMU_JOBS jobs (default 2); the log is build.log in the build
# directory, kept when the build fails.
#
# The result, $IRQFWD_CACHE/qemu-vmm/VERSION-irqfwd-HASH/qemu-system-x86_64,
# is reused as long as the version and the patch series (HASH covers the
# series, the patches and REV below; bump REV with any change to the
# build options) stay the same.
#
# Environment:
#   IRQFWD_QEMU_JOBS        parallel compile jobs (2)
#   IRQFWD_QEMU_VMM_SUITE   Debian suite of the source (bookworm-backports)

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib-suite.sh
. "$IRQFWD_SCRIPTS/lib-suite.sh"

[ $# -eq 0 ] || die "usage: $0"

QD="$IRQFWD_CACHE/qemu-vmm"
SERIES_DIR="$IRQFWD_SCRIPTS/qemu-irqfwd"
REV=1
SUITE=${IRQFWD_QEMU_VMM_SUITE:-bookworm-backports}
JOBS=${IRQFWD_QEMU_JOBS:-2}
case "$JOBS" in
'' | *[!0-9]* | 0) die "IRQFWD_QEMU_JOBS must be a positive number" ;;
esac
suite_check "$SUITE"

say() {
	printf '%s: %s\n' "$IRQFWD_PROG" "$*" >&2
}

# --- build dependencies -------------------------------------------------------

# What the build runs and links (host packages); meson and pycotap come
# from bookworm-backports below.
PACKAGES=(
	apt dpkg-dev gcc make pkg-config python3 python3-venv ninja-build
	flex bison libglib2.0-dev libpixman-1-dev zlib1g-dev libnl-genl-3-dev
	xz-utils patch debian-archive-keyring
)

missing_of() {
	dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
		awk '$2 == "installed" { print $1 }' | sort |
		comm -13 - <(printf '%s\n' "$@" | sort)
}

mapfile -t missing < <(missing_of "${PACKAGES[@]}")
if [ "${#missing[@]}" -gt 0 ]; then
	say "missing build dependencies: ${missing[*]}"
	[ "$(id -u)" = 0 ] ||
		die "need root to install them (apt-get install ${missing[*]})"
	export DEBIAN_FRONTEND=noninteractive
	run_quiet apt-get update -q ||
		die "apt-get update failed (its output is above): cannot install ${missing[*]}"
	run_quiet apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed (its output is above)"
fi
need_cmd apt-get apt-cache dpkg-source dpkg-deb python3 ninja pkg-config \
	make gcc nice flock sha256sum patch

# --- what to build --------------------------------------------------------------

[ -f "$SERIES_DIR/series" ] || die "no $SERIES_DIR/series"
mapfile -t PATCHES < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' \
	"$SERIES_DIR/series" | grep -v '^$')
[ "${#PATCHES[@]}" -gt 0 ] || die "$SERIES_DIR/series lists no patch"
for p in "${PATCHES[@]}"; do
	[ -f "$SERIES_DIR/$p" ] || die "$SERIES_DIR/series lists $p, which is not there"
done
series_hash=$( (
	echo "rev $REV"
	cat "$SERIES_DIR/series"
	for p in "${PATCHES[@]}"; do cat "$SERIES_DIR/$p"; done
) | sha256sum | cut -c1-12)

suite_update "$SUITE+src"
# The newest qemu source the suite has.
version=
while read -r v; do
	if [ -z "$version" ] || dpkg --compare-versions "$v" gt "$version"; then
		version=$v
	fi
done < <(suite_apt "$SUITE+src" apt-cache showsrc --only-source qemu 2>/dev/null |
	awk '$1 == "Version:" { print $2 }')
[ -n "$version" ] || die "Debian $SUITE has no qemu source package"
out="$QD/${version//[:~]/_}-irqfwd-$series_hash"

mkdir -p "$QD"
qemu_firmware_links "$QD"
qemu_built "$out" && exit 0

exec 8>"$QD/.lock"
flock 8 || die "cannot lock $QD/.lock"
qemu_built "$out" && exit 0

start=$(date +%s)
WORK="$QD/work"
rm -rf "$WORK" "$out"
mkdir -p "$WORK/dl"

# --- meson and pycotap from bookworm-backports ------------------------------------

TOOLS="$QD/tools"
tools=()
for pkg in meson python3-pycotap; do
	tools+=("$(suite_download bookworm-backports "$QD/debs" "$pkg")")
done
tools_stamp=$(basename -a "${tools[@]}" | sha256sum | cut -c1-12)
if [ ! -e "$TOOLS/.done-$tools_stamp" ]; then
	debs_unpack "$TOOLS" "${tools[@]}"
	touch "$TOOLS/.done-$tools_stamp"
fi
PYTHONPATH="$TOOLS/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
python3 -c 'import mesonbuild, pycotap' 2>/dev/null ||
	die "the meson and pycotap unpacked in $TOOLS do not import"

# --- the source ---------------------------------------------------------------------

say "fetching the source of qemu $version (Debian $SUITE)"
# The files of the version and their SHA256, as the Sources index has them.
uris=$(cd "$WORK/dl" && suite_apt "$SUITE+src" apt-get source --print-uris \
	"qemu=$version" | grep "^'") ||
	die "apt-get source --print-uris qemu=$version failed"
if ! (cd "$WORK/dl" && suite_apt "$SUITE+src" apt-get source \
	--download-only "qemu=$version" >"$WORK/apt-source.log" 2>&1); then
	warn "apt-get source --download-only qemu=$version failed:"
	grep -E '^(E|Err):|404' "$WORK/apt-source.log" >&2 || cat "$WORK/apt-source.log" >&2
fi
dsc=$(awk '{ print $2 }' <<<"$uris" | grep '\.dsc$' || true)
orig=$(awk '{ print $2 }' <<<"$uris" | grep '\.orig\.tar\.' || true)
[ -n "$orig" ] || die "the qemu $version source package has no .orig tarball"
while read -r _ name _ sum; do
	[ -e "$WORK/dl/$name" ] || continue
	echo "${sum#SHA256:}  $WORK/dl/$name" | sha256sum -c --quiet - ||
		die "$name does not match Debian $SUITE's Sources index"
done <<<"$uris"
if [ -n "$dsc" ] && [ -e "$WORK/dl/$dsc" ] &&
	run_quiet dpkg-source -x "$WORK/dl/$dsc" "$WORK/src"; then
	source_kind="Debian source package $version (dpkg-source -x)"
else
	[ -e "$WORK/dl/$orig" ] || die "cannot download the source of qemu $version"
	warn "the archive does not serve ${dsc:-the .dsc} of qemu $version: building its $orig without Debian's patches"
	rm -rf "$WORK/src"
	mkdir -p "$WORK/src"
	tar -xf "$WORK/dl/$orig" -C "$WORK/src" --strip-components=1 --no-same-owner ||
		die "cannot unpack $orig"
	source_kind="$orig of Debian $SUITE's qemu $version, without Debian's patches"
fi
rm -rf "$WORK/dl"

# --- the patch series ---------------------------------------------------------------

for p in "${PATCHES[@]}"; do
	log "applying $p"
	run_quiet patch -d "$WORK/src" -p1 --batch --forward \
		--no-backup-if-mismatch -i "$SERIES_DIR/$p" ||
		die "$p does not apply to qemu $version"
done
if [ -x "$WORK/src/scripts/checkpatch.pl" ]; then
	for p in "${PATCHES[@]}"; do
		(cd "$WORK/src" && run_quiet ./scripts/checkpatch.pl \
			"$SERIES_DIR/$p") || warn "QEMU's checkpatch.pl complains about $p"
	done
fi

# Debian's .orig.tar.xz drops the prebuilt edk2 images the build would
# unpack: skip them, as Debian's own skip-unpack-edk2-blobs.patch does
# (already applied when dpkg-source unpacked the source package).
if [ ! -e "$WORK/src/pc-bios/edk2-x86_64-code.fd.bz2" ]; then
	python3 - "$WORK/src/pc-bios/meson.build" <<'EOF' || die "cannot skip the edk2 images in pc-bios/meson.build"
import sys
path = sys.argv[1]
text = open(path).read()
old, new = "\nif unpack_edk2_blobs\n", "\nif unpack_edk2_blobs and false\n"
if text.count(new) == 1:
    sys.exit(0)
if text.count(old) != 1:
    sys.exit("%s: expected '%s' once" % (path, old.strip()))
open(path, "w").write(text.replace(old, new))
EOF
fi

# --- libirqfwd ----------------------------------------------------------------------

PREFIX="$out/libirqfwd"
say "building libirqfwd into $PREFIX"
run_quiet nice -n 19 make -C "$IRQFWD_REPO/lib" -j "$JOBS" \
	OUTPUT="$WORK/libirqfwd" PREFIX="$PREFIX" install ||
	die "building or installing libirqfwd failed"
for h in irqfwd.h irqfwd_netlink.h; do
	install -D -m 0644 "$IRQFWD_REPO/uapi/linux/$h" "$PREFIX/include/linux/$h"
done
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
pkg-config --exists irqfwd || die "pkg-config does not find irqfwd in $PREFIX"

# --- the build ----------------------------------------------------------------------

say "building qemu-system-x86_64 $version with ${#PATCHES[@]} irqfwd patches ($JOBS jobs, nice 19; log: $WORK/build/build.log)"
mkdir -p "$WORK/build"
(cd "$WORK/build" &&
	echo "source: $source_kind" >build.log &&
	nice -n 19 ../src/configure --target-list=x86_64-softmmu --prefix=/usr \
		--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu \
		--without-default-features --enable-kvm --enable-irqfwd \
		--disable-docs --disable-werror --disable-tools \
		--disable-guest-agent --disable-install-blobs --disable-download \
		--extra-ldflags="-Wl,-rpath,$PREFIX/lib" \
		>>build.log 2>&1 &&
	nice -n 19 ninja -j "$JOBS" qemu-system-x86_64 >>build.log 2>&1) || {
	tail -n 30 "$WORK/build/build.log" >&2
	die "building qemu failed, see $WORK/build/build.log"
}
bin="$WORK/build/qemu-system-x86_64"
"$bin" -version >/dev/null || die "the built qemu-system-x86_64 does not run"
"$bin" -device vfio-pci,help 2>/dev/null | grep -q 'irqfwd=' ||
	die "the built qemu-system-x86_64 has no vfio-pci irqfwd property"

cp "$bin" "$out/qemu-system-x86_64.tmp"
mv "$out/qemu-system-x86_64.tmp" "$out/qemu-system-x86_64"
# Builds of another version or series are of no more use (nor what a
# failed build left behind), and neither is the tree.
for old in "$QD"/*-irqfwd-*/; do
	old=${old%/}
	[ -d "$old" ] || continue
	[ "$old" = "$out" ] || rm -rf "$old"
done
rm -rf "$WORK"
say "built in $(($(date +%s) - start)) s from the $source_kind"
echo "$out/qemu-system-x86_64"
