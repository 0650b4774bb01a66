#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run VM lanes one after the other and sum them up.
#
#   scripts/check-lanes.sh [LANE...]     (default: x86_64-6.1 x86_64-6.12)
#
# Runs scripts/vm-run.sh for each lane (a failing lane does not stop the
# others), then prints every lane's line again and
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

lines=()
total_p=0 total_f=0 total_s=0 rc=0
for lane in "$@"; do
	result="$IRQFWD_BUILD/$lane/result"
	rm -f "$result"
	"$IRQFWD_SCRIPTS/vm-run.sh" "$lane" || rc=1
	passed=0 failed=1 skipped=0
	if [ -f "$result" ]; then
		# result: passed=N failed=M skipped=K
		read -r p f s <"$result"
		passed=${p#passed=}
		failed=${f#failed=}
		skipped=${s#skipped=}
	else
		warn "$lane left no result"
		rc=1
	fi
	lines+=("$lane: $passed passed, $failed failed, $skipped skipped")
	total_p=$((total_p + passed))
	total_f=$((total_f + failed))
	total_s=$((total_s + skipped))
done

echo
printf '%s\n' "${lines[@]}"
echo "total: $total_p passed, $total_f failed, $total_s skipped"
[ "$rc" -eq 0 ] && [ "$total_f" -eq 0 ] && [ "$total_s" -eq 0 ]
