#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run VM lanes, two at a time, and sum them up.
#
#   scripts/check-lanes.sh [LANE...]     (default: x86_64-6.1 x86_64-6.12)
#
# Runs scripts/vm-run.sh for each lane (a failing lane does not stop the
# others), IRQFWD_LANE_JOBS of them side by side (default 2: each guest's
# vCPUs run in one host thread, so two lanes use a 2-core machine's two
# cores), each lane's output going to build/LANE/vm-run.out.  When all
# are done it prints each lane's output in the order given, each lane's
# wall time, every lane's line again and
#   total: N passed, M failed, K skipped
# Exits non-zero if any lane failed. The environment of vm-run.sh applies.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -eq 0 ]; then
	set -- x86_64-6.1 x86_64-6.12
fi
for lane in "$@"; do
	(lane_parse "$lane")
done
JOBS=${IRQFWD_LANE_JOBS:-2}
case "$JOBS" in
'' | *[!0-9]* | 0) die "IRQFWD_LANE_JOBS must be a positive number" ;;
esac

# What every lane extracts into the same place, once, before they run side
# by side (the kernels, roots and sysroots they fetch are locked or their
# own).
"$IRQFWD_SCRIPTS/linux-source.sh" >/dev/null ||
	die "extracting the kselftest headers failed"

# run_lane LANE: vm-run.sh LANE, its output and wall time in build/LANE/.
run_lane() {
	local lane=$1 dir="$IRQFWD_BUILD/$1" start

	start=$(date +%s)
	"$IRQFWD_SCRIPTS/vm-run.sh" "$lane" >"$dir/vm-run.out" 2>&1 || true
	echo $(($(date +%s) - start)) >"$dir/seconds"
}

for lane in "$@"; do
	dir="$IRQFWD_BUILD/$lane"
	mkdir -p "$dir"
	rm -f "$dir/result" "$dir/seconds" "$dir/vm-run.out"
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n || true
	done
	run_lane "$lane" &
done
wait

lines=() times=()
total_p=0 total_f=0 total_s=0 rc=0
for lane in "$@"; do
	dir="$IRQFWD_BUILD/$lane"
	cat "$dir/vm-run.out" 2>/dev/null || warn "$lane printed nothing"
	passed=0 failed=1 skipped=0
	if [ -f "$dir/result" ]; then
		# result: passed=N failed=M skipped=K
		read -r p f s <"$dir/result"
		passed=${p#passed=}
		failed=${f#failed=}
		skipped=${s#skipped=}
	else
		warn "$lane left no result"
		rc=1
	fi
	lines+=("$lane: $passed passed, $failed failed, $skipped skipped")
	times+=("$lane $(cat "$dir/seconds" 2>/dev/null || echo '?')s")
	total_p=$((total_p + passed))
	total_f=$((total_f + failed))
	total_s=$((total_s + skipped))
done

echo
echo "lane wall times ($JOBS at a time): ${times[*]}"
printf '%s\n' "${lines[@]}"
echo "total: $total_p passed, $total_f failed, $total_s skipped"
[ "$rc" -eq 0 ] && [ "$total_f" -eq 0 ] && [ "$total_s" -eq 0 ]
