#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style gates of the kernel module: checkpatch --strict (from Debian's
# linux-source-6.12), sparse (C=2) and a -Werror build against each kernel
# of the matrix, no LINUX_VERSION_CODE outside module/compat/, and the
# generated netlink code up to date with its spec (ynl-gen.sh --check).
#
#   scripts/check-style.sh [SERIES...]     (default: 6.1 6.12)

set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERIES=("$@")
[ ${#SERIES[@]} -gt 0 ] || SERIES=(6.1 6.12)
need_cmd perl sparse make
cd "$IRQFWD_REPO"
status=0

ksrc=$("$IRQFWD_SCRIPTS/linux-source.sh")
mapfile -t sources < <(find module uapi -name '*.[ch]' | sort)

out=$(perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --show-types \
	--terse -f "${sources[@]}" 2>&1) || true
if grep -v '^total: 0 errors, 0 warnings, 0 checks, ' <<<"$out" | grep -q .; then
	printf '%s\n' "$out"
	echo "checkpatch: FAILED"
	status=1
else
	echo "checkpatch --strict: clean (${#sources[@]} files)"
fi

if ! "$IRQFWD_SCRIPTS/ynl-gen.sh" --check; then
	echo "generated netlink code: FAILED"
	status=1
fi

if grep -rn LINUX_VERSION_CODE module uapi | grep -v '^module/compat/'; then
	echo "LINUX_VERSION_CODE outside module/compat/: FAILED"
	status=1
fi

for series in "${SERIES[@]}"; do
	kinfo=$("$IRQFWD_SCRIPTS/fetch-kernel.sh" x86_64 "$series")
	kdir=$(sed -n 's/^KDIR=//p' <<<"$kinfo")
	kver=$(sed -n 's/^KVER=//p' <<<"$kinfo")
	outdir="$IRQFWD_BUILD/style-$series"
	log_file="$outdir.log"
	mkdir -p "$IRQFWD_BUILD"
	rm -f "$log_file"
	# C=2: sparse on every file; its findings are warnings, not failures,
	# so they are looked for in the output.
	if ! V=1 "$IRQFWD_SCRIPTS/build-module.sh" "$kdir" "$outdir" C=2 \
		>"$log_file" 2>&1; then
		cat "$log_file"
		echo "build ($kver, -Werror, sparse): FAILED"
		status=1
	elif grep -E '(warning|error):' "$log_file"; then
		echo "sparse ($kver): FAILED"
		status=1
	elif ! grep -q 'CHECK ' "$log_file"; then
		cat "$log_file"
		echo "sparse ($kver) did not run: FAILED"
		status=1
	else
		echo "build -Werror + sparse C=2 against $kver: clean"
	fi
done
exit $status
