#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Compile matrix: irqfwd.ko with -Werror, W=1 and sparse (C=2) against the
# newest ABI of every kernel series Debian ships, amd64 and arm64 (headers
# only; arm64 cross-compiled with the amd64 linux-kbuild of the same
# version).
#
#   scripts/check-matrix.sh [--list]
#
#   --list  print the kernels the matrix would build, and stop
#
# The kernels are what the linux-headers metapackages of bookworm (with
# its updates and security), bookworm-backports, trixie, trixie-backports
# and sid point at today (scripts/lib-suite.sh: a private apt state);
# a series (6.1, 6.12, 7.3, ...) shipped by several suites is built once,
# for its newest version. Each builds with the toolchain Debian built it
# with: bookworm's on the host, trixie's and sid's in a debootstrapped root
# (scripts/fetch-headers.sh, scripts/debian-root.sh). Prints one line per
# kernel:
#
#   matrix: KVER ARCH: built
#   matrix: KVER ARCH: FAILED (first error)
#   matrix: KVER ARCH: refused: reason     (compat.mk refuses the kernel)
#
# and a summary; exits non-zero if any build failed. Sparse findings
# (any "warning:" or "error:" in the build output) are failures, as in
# scripts/check-style.sh. Logs: build/matrix/KVER.log. Headers are cached
# in $IRQFWD_CACHE/kdirs: a second run downloads nothing.
#
# Environment: IRQFWD_MATRIX_ARGS replaces the kbuild arguments
# ("W=1 C=2"; -Werror is the Kbuild's own).

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib-suite.sh
. "$IRQFWD_SCRIPTS/lib-suite.sh"

LIST=0
case "${1:-}" in
--list) LIST=1 ;;
'') ;;
*) die "usage: $0 [--list]" ;;
esac
need_cmd dpkg make
export LC_ALL=C
# shellcheck disable=SC2206  # split on purpose
KARGS=(${IRQFWD_MATRIX_ARGS:-W=1 C=2})
OUT="$IRQFWD_BUILD/matrix"
mkdir -p "$OUT"

# --- which kernels ----------------------------------------------------------

# "ARCH SERIES KVER VERSION SUITE" for every suite's metapackages.
all=()
for suite in "${IRQFWD_SUITES[@]}"; do
	for debarch in amd64 arm64; do
		lines=$(suite_headers "$suite" "$debarch") ||
			die "cannot list the kernels of Debian $suite ($debarch)"
		while read -r series kver ver _meta; do
			all+=("$debarch $series $kver $ver $suite")
		done <<<"$lines"
	done
done

# The newest version of each series, per architecture.
declare -A best=()
for k in "${all[@]}"; do
	read -r debarch series kver ver suite <<<"$k"
	key="$debarch $series"
	if [ -n "${best[$key]:-}" ]; then
		read -r _ _ _ bver _ <<<"${best[$key]}"
		dpkg --compare-versions "$ver" gt "$bver" || continue
	fi
	best[$key]=$k
done
[ "${#best[@]}" -gt 0 ] || die "Debian's metapackages name no kernel"
mapfile -t kernels < <(printf '%s\n' "${best[@]}" | sort -k1,1 -k2,2V)

if [ "$LIST" = 1 ]; then
	for k in "${kernels[@]}"; do
		read -r debarch series kver ver suite <<<"$k"
		echo "matrix: $kver $debarch: linux-headers $ver from $suite"
	done
	exit 0
fi

# --- build ------------------------------------------------------------------

# first_error LOG: the first compiler, sparse or make error in LOG.
first_error() {
	local e

	e=$(grep -E -m 1 '(error|warning):|\*\*\*' "$1" |
		sed -e "s|$OUT/[^/ ]*/||g" -e 's/^ *//' | cut -c1-200)
	echo "${e:-no error message, see $1}"
}

# Since 7.0 the kernel's Makefile runs sparse only if its
# scripts/checker-valid.sh accepts it: a sparse that knows
# __typeof_unqual__ (0.6.5; bookworm's and trixie's 0.6.4 do not). Debian's
# headers lack that script, so kbuild would skip sparse quietly. For those
# kernels the matrix takes sid's sparse (it needs only glibc >= 2.38: it
# runs in the trixie root too), unpacked into the cache, and sets
# KBUILD_CHECKSRC on the command line, which the gate cannot override.
new_sparse() {
	local dir deb ver

	ver=$(suite_field sid sparse:amd64 Version)
	[ -n "$ver" ] || die "Debian sid has no sparse"
	dir="$IRQFWD_CACHE/sparse-sid/$ver"
	if [ ! -e "$dir/.done" ]; then
		deb=$(suite_download sid "$IRQFWD_CACHE/debs" sparse:amd64)
		deb_extract "$deb" "$dir"
		rm -f "$deb"
	fi
	echo "$dir"
}
SPARSE_DIR=

built=0 failed=0 refused=0
for k in "${kernels[@]}"; do
	read -r debarch series kver ver suite <<<"$k"
	log="$OUT/$kver.log"
	outdir="$OUT/$kver"
	rm -f "$log"
	start=$(date +%s)
	if ! kinfo=$("$IRQFWD_SCRIPTS/fetch-headers.sh" "$suite" "$kver" "$debarch" 2>"$log"); then
		echo "matrix: $kver $debarch: FAILED (no headers: $(tail -n 1 "$log"))"
		failed=$((failed + 1))
		continue
	fi
	kdir=$(sed -n 's/^KDIR=//p' <<<"$kinfo")
	root=$(sed -n 's/^ROOT=//p' <<<"$kinfo")
	ktree=$(sed -n 's/^KTREE=//p' <<<"$kinfo")
	cc=$(sed -n 's/^CC=//p' <<<"$kinfo")
	args=("${KARGS[@]}" "-j$(nproc)")
	binds=(-b "$ktree")
	if [ "$debarch" = arm64 ]; then
		args+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	fi
	checker=
	if [[ " ${KARGS[*]} " == *" C=2 "* ]] &&
		grep -qs 'checker-valid\.sh' "$ktree"/usr/src/linux-headers-*-common/Makefile; then
		if [ -z "$root" ]; then
			echo "matrix: $kver $debarch: FAILED (sparse: the host's sparse is too old for it)"
			failed=$((failed + 1))
			continue
		fi
		if [ -z "$SPARSE_DIR" ] && ! SPARSE_DIR=$(new_sparse 2>>"$log"); then
			echo "matrix: $kver $debarch: FAILED (no sparse from sid: $(tail -n 1 "$log"))"
			failed=$((failed + 1))
			continue
		fi
		args+=(CHECK="$SPARSE_DIR/usr/bin/sparse" KBUILD_CHECKSRC=2)
		binds+=(-b "$SPARSE_DIR")
		checker=", sid's sparse ${SPARSE_DIR##*/}"
	fi
	build=("$IRQFWD_SCRIPTS/build-module.sh" "$kdir" "$outdir" "${args[@]}")
	if [ -n "$root" ]; then
		build=("$IRQFWD_SCRIPTS/in-root.sh" "${binds[@]}" "$root" "${build[@]}")
	fi
	rc=0
	V=1 "${build[@]}" >>"$log" 2>&1 || rc=$?
	where=${root:+ in $(basename "$root")}
	secs=$(($(date +%s) - start))
	echo "# $kver: $suite $ver, $cc${where:- on the host}$checker, ${secs}s, exit $rc" >>"$log"
	reason=$(sed -n 's/^.*compat\.mk:[0-9]*: \*\*\* \(.*\)\.  Stop\.$/\1/p' "$log" | head -n 1)
	if [ "$rc" -ne 0 ] && [ -n "$reason" ]; then
		echo "matrix: $kver $debarch: refused: $reason"
		refused=$((refused + 1))
	elif [ "$rc" -ne 0 ]; then
		echo "matrix: $kver $debarch: FAILED ($(first_error "$log"))"
		failed=$((failed + 1))
	elif grep -qE '(warning|error):' "$log"; then
		echo "matrix: $kver $debarch: FAILED (sparse: $(first_error "$log"))"
		failed=$((failed + 1))
	elif [[ " ${KARGS[*]} " == *" C=2 "* ]] && ! grep -q '  CHECK ' "$log"; then
		echo "matrix: $kver $debarch: FAILED (sparse did not run)"
		failed=$((failed + 1))
	else
		echo "matrix: $kver $debarch: built"
		built=$((built + 1))
	fi
done

echo "matrix: ${#kernels[@]} kernels: $built built, $failed failed, $refused refused"
[ "$failed" -eq 0 ]
