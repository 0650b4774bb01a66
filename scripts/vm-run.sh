#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one lane of the irqfwd VM test bed: build irqfwd.ko and the selftests
# for a Debian kernel, boot that kernel in QEMU with them, judge the log.
#
#   scripts/vm-run.sh [--demo] LANE
#
#   LANE    ARCH-SERIES[-VARIANT]: x86_64-6.1, x86_64-6.12, arm64-6.1,
#           arm64-6.12 (GICv3 with an ITS), arm64-6.12-gicv4 (GICv4; the
#           lane fails unless the guest's KVM logs "GICv4 support enabled";
#           arm64 is cross-built: scripts/fetch-sysroot.sh fetches the
#           target's busybox and libnl), x86_64-7, arm64-7 and
#           arm64-7-gicv4: Debian's newest kernel (trixie-backports),
#           module and tests built in a trixie root (scripts/trixie-root.sh;
#           arm64: with trixie's cross compiler, the tests against trixie's
#           arm64 libnl), or x86_64-debug: Debian's 6.12 source
#           built with KASAN, lockdep, kmemleak and debug objects by
#           scripts/debug-kernel.sh (the first run builds it, about 25
#           minutes), 2 GB of guest memory, a kmemleak scan after the tests
#   --demo  run /tests/irqfwd_demo instead of the tests; print what it and
#           the guest's init print (V=1: stream the whole console)
#   --bench run /tests/irqfwd_bench in a one-vCPU guest (ratios between
#           paths are steadier there) without slab debugging (it would
#           change the memory and costs measured); the table is printed,
#           and build/bench-results/ gets table.txt, bench.json (the raw
#           samples, also in build/LANE/bench.json) and latency.svg
#
# Prints one line, "LANE: N passed, M failed, K skipped", and exits 0 iff
# the lane passed: the guest printed the sentinel, no test failed or was
# skipped, and the kernel log has no BUG/WARNING/Oops/panic, lockdep,
# hung-task, RCU-stall, GPF, UBSAN, KASAN, debug-objects or kmemleak report
# (the debug lane must also show that its kmemleak scan ran and lockdep was
# still on at the end). A lane that fails for another reason (build,
# timeout, panic, splat) counts at least 1 failed.
# Writes, under build/LANE/: module/ (irqfwd.ko), tests/, initramfs-MODE.cpio.gz,
# console.log (raw), console.clean (interleaving undone, escapes removed),
# and result ("passed=N failed=M skipped=K").
#
# Environment:
#   IRQFWD_VM_TIMEOUT    host-side limit of the VM run in seconds (900;
#                        x86_64-debug: 3600)
#   IRQFWD_TEST_TIMEOUT  per-test limit inside the guest in seconds (300;
#                        x86_64-debug: 1200)
#   IRQFWD_KO            use this irqfwd.ko instead of building module/
#   IRQFWD_KERNEL_ARGS   appended to the guest kernel command line
#                        (e.g. slub_debug=- to turn slab debugging off)
#   IRQFWD_QEMU_ARGS     appended to the QEMU command line (split on spaces)
#   IRQFWD_QEMU_X86      the qemu-system-x86_64 of the x86 lanes (default:
#                        Debian's, rebuilt once with the interrupt_request
#                        fix by scripts/qemu-x86.sh; /usr/bin/... for the
#                        stock one)
#   IRQFWD_BENCH_ARGS    options of irqfwd_bench, key=value,... (--bench;
#                        e.g. rounds=2,block=200,only=edge:level)
#   IRQFWD_BENCH_RESULTS where --bench writes its results
#                        (default build/bench-results)
#   IRQFWD_TESTDIR       use these test executables instead of building
#                        selftests/ (then the tests are the executables
#                        named *_test there, or those IRQFWD_TESTS names)
#   V=1                  stream the console and show build output

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODE="test"
case "${1:-}" in
--demo)
	MODE=demo
	shift
	;;
--bench)
	MODE=bench
	shift
	;;
esac
[ $# -eq 1 ] || die "usage: $0 [--demo|--bench] LANE (e.g. x86_64-6.1)"
LANE=$1
lane_parse "$LANE"
VM_MEM=1G
if [ "$LANE_SERIES" = debug ]; then
	# KASAN, lockdep, kmemleak and debug objects make the guest many times
	# slower under TCG, and KASAN's shadow takes an eighth of its memory.
	VM_TIMEOUT=${IRQFWD_VM_TIMEOUT:-3600}
	IRQFWD_TEST_TIMEOUT=${IRQFWD_TEST_TIMEOUT:-1200}
	export IRQFWD_TEST_TIMEOUT
	VM_MEM=2G
else
	VM_TIMEOUT=${IRQFWD_VM_TIMEOUT:-900}
fi
case "$VM_TIMEOUT" in
'' | *[!0-9]*) die "IRQFWD_VM_TIMEOUT must be a number of seconds" ;;
esac

LANE_DIR="$IRQFWD_BUILD/$LANE"
LOG="$LANE_DIR/console.log"
RESULT="$LANE_DIR/result"
SENTINEL=IRQFWD-SELFTESTS-COMPLETE
mkdir -p "$LANE_DIR"
rm -f "$RESULT"

finish() {
	local passed=$1 failed=$2 skipped=$3

	echo "passed=$passed failed=$failed skipped=$skipped" >"$RESULT"
	echo "$LANE: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ]
}

# A step before the boot failed: the lane fails with one failure.
lane_fail() {
	printf '%s: %s: %s\n' "$IRQFWD_PROG" "$LANE" "$*" >&2
	finish 0 1 0 || exit 1
}

# --- build ------------------------------------------------------------------

case "$LANE_ARCH" in
x86_64)
	KBUILD_ARGS=()
	SELFTEST_ARGS=()
	SYSROOT=
	if [ -n "${IRQFWD_QEMU_X86:-}" ]; then
		QEMU=$IRQFWD_QEMU_X86
	else
		# Debian's QEMU loses a vCPU's wake-up now and then while the
		# other vCPU runs a nested guest (see scripts/qemu-x86.sh).
		QEMU=$("$IRQFWD_SCRIPTS/qemu-x86.sh") ||
			lane_fail "building the fixed qemu-system-x86_64 failed"
	fi
	;;
arm64)
	KBUILD_ARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	QEMU=qemu-system-aarch64
	command -v aarch64-linux-gnu-gcc >/dev/null ||
		lane_fail "no aarch64-linux-gnu-gcc: run scripts/deps.sh"
	# A kernel of another suite (series 7) builds in that release's root
	# (fetch-kernel.sh below): its cross compiler links the tests against
	# that release's libnl.
	suite=$(kernel_suite "$LANE_SERIES")
	sysinfo=$("$IRQFWD_SCRIPTS/fetch-sysroot.sh" arm64 ${suite:+"$suite"}) ||
		lane_fail "fetching the arm64 sysroot (busybox, libnl) failed"
	SYSROOT=$(sed -n 's/^SYSROOT=//p' <<<"$sysinfo")
	[ -d "$SYSROOT" ] || lane_fail "fetch-sysroot.sh printed no sysroot"
	SELFTEST_ARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
		CC=aarch64-linux-gnu-gcc SYSROOT="$SYSROOT")
	;;
esac
command -v "$QEMU" >/dev/null || lane_fail "$QEMU not found: run scripts/deps.sh"

if [ "$LANE_SERIES" = debug ]; then
	kinfo=$("$IRQFWD_SCRIPTS/debug-kernel.sh") ||
		lane_fail "building the debug kernel failed"
else
	kinfo=$("$IRQFWD_SCRIPTS/fetch-kernel.sh" "$LANE_ARCH" "$LANE_SERIES") ||
		lane_fail "fetching the $LANE_SERIES kernel failed"
fi
KVER='' VMLINUZ='' MODDIR='' KDIR='' ROOT='' KTREE=''
while IFS='=' read -r key val; do
	case "$key" in
	KVER) KVER=$val ;;
	VMLINUZ) VMLINUZ=$val ;;
	MODDIR) MODDIR=$val ;;
	KDIR) KDIR=$val ;;
	ROOT) ROOT=$val ;;
	KTREE) KTREE=$val ;;
	esac
done <<<"$kinfo"
if [ -z "$KVER" ] || [ -z "$VMLINUZ" ] || [ -z "$MODDIR" ] || [ -z "$KDIR" ]; then
	lane_fail "fetch-kernel.sh printed no kernel"
fi
log "kernel $KVER"
# A kernel built with a newer toolchain than the host's (series 7): the
# module and the tests build in a Debian root of that toolchain.
IN_ROOT=()
if [ -n "$ROOT" ]; then
	IN_ROOT=("$IRQFWD_SCRIPTS/in-root.sh" -b "$KTREE")
	log "building in $ROOT"
fi

if [ -n "${IRQFWD_KO:-}" ]; then
	KO=$IRQFWD_KO
else
	BUILD_MODULE=("$IRQFWD_SCRIPTS/build-module.sh" "$KDIR" "$LANE_DIR/module"
		"${KBUILD_ARGS[@]}")
	if [ -n "$ROOT" ]; then
		BUILD_MODULE=("${IN_ROOT[@]}" "$ROOT" "${BUILD_MODULE[@]}")
	fi
	"${BUILD_MODULE[@]}" || lane_fail "building irqfwd.ko for $KVER failed"
	KO="$LANE_DIR/module/irqfwd.ko"
fi

if [ -n "${IRQFWD_TESTDIR:-}" ]; then
	TESTDIR=$IRQFWD_TESTDIR
else
	TESTDIR="$LANE_DIR/tests"
	ksrc=$("$IRQFWD_SCRIPTS/linux-source.sh") ||
		lane_fail "extracting the kselftest headers failed"
	rm -rf "$TESTDIR"
	mkdir -p "$TESTDIR"
	SELFTEST_MAKE=(make -C "$IRQFWD_REPO/selftests" OUTPUT="$TESTDIR"
		KSFT_DIR="$ksrc/tools/testing/selftests"
		KHDR_UAPI="$IRQFWD_REPO/uapi" "${SELFTEST_ARGS[@]}")
	if [ -n "$ROOT" ]; then
		run_quiet "${IN_ROOT[@]}" -b "$ksrc" ${SYSROOT:+-b "$SYSROOT"} \
			"$ROOT" "${SELFTEST_MAKE[@]}" ||
			lane_fail "building the selftests in $ROOT failed"
	else
		run_quiet "${SELFTEST_MAKE[@]}" ||
			lane_fail "building the selftests failed"
	fi
	# The tests are the Makefile's TEST_GEN_PROGS (kselftest convention);
	# the other programs it builds (demo, benchmarks) only ride along.
	# shellcheck disable=SC2016  # $(TEST_GEN_PROGS) is make's
	IRQFWD_TESTS=$("${SELFTEST_MAKE[@]}" -s --no-print-directory -f Makefile \
		-f <(printf 'irqfwd-print-tests:\n\t@echo $(TEST_GEN_PROGS)\n') \
		irqfwd-print-tests) ||
		lane_fail "cannot read TEST_GEN_PROGS from selftests/Makefile"
	[ -n "$IRQFWD_TESTS" ] ||
		lane_fail "selftests/Makefile names no tests (TEST_GEN_PROGS)"
	export IRQFWD_TESTS
	log "tests: $IRQFWD_TESTS"
fi

INITRD="$LANE_DIR/initramfs-$MODE.cpio.gz"
"$IRQFWD_SCRIPTS/mkinitramfs.sh" "$MODDIR" "$KVER" "$KO" "$TESTDIR" \
	"$INITRD" "$MODE" "$LANE_ARCH" ||
	lane_fail "building the initramfs failed"

# --- boot ---------------------------------------------------------------------

# Any kernel report fails the lane: panic on the ones that would otherwise
# leave the VM running until the host-side timeout. slub_debug (sanity
# checks, red zones, poisoning; Debian builds SLUB_DEBUG in, off by default)
# turns a use-after-free of slab memory into an oops instead of silence.
CMDLINE="panic=-1 panic_on_warn=1 oops=panic softlockup_panic=1"
CMDLINE+=" hung_task_panic=1 sysctl.kernel.panic_on_rcu_stall=1"
if [ "$MODE" = bench ]; then
	CMDLINE+=" printk.time=1${IRQFWD_BENCH_ARGS:+ irqfwd_bench=$IRQFWD_BENCH_ARGS}"
else
	CMDLINE+=" slub_debug=FZP printk.time=1"
fi
CMDLINE+=" ${IRQFWD_KERNEL_ARGS:-}"
case "$LANE_ARCH" in
x86_64)
	QEMU_ARGS=(-M "q35,kernel-irqchip=split" -cpu max
		-device "intel-iommu,intremap=on")
	# no_timer_check: at boot the kernel busy-waits about 70 ms of TSC
	# time for the PIT to tick through the IO-APIC; the PIT is QEMU's
	# main-loop thread, which a loaded host (two cores, two VMs and
	# builds) can starve that long, and with interrupt remapping on the
	# kernel then panics ("timer doesn't work through Interrupt-remapped
	# IO-APIC"). KVM guests skip this check for the same reason.
	CMDLINE="console=ttyS0 intel_iommu=on no_timer_check $CMDLINE"
	;;
arm64)
	# KVM at EL2 (VHE) with a vGICv3; the ITS turns MSIs into LPIs, and
	# on a GICv4 KVM maps them as vLPIs (direct injection) if asked to.
	GIC=3
	if [ "$LANE_VARIANT" = gicv4 ]; then
		GIC=4
		CMDLINE="kvm-arm.vgic_v4_enable=1 $CMDLINE"
	fi
	QEMU_ARGS=(-M "virt,gic-version=$GIC,its=on,virtualization=on,iommu=smmuv3"
		-cpu "max,pauth-impdef=on")
	CMDLINE="console=ttyAMA0 $CMDLINE"
	;;
esac
# One host thread runs every vCPU: QEMU 7.2's multi-threaded TCG races
# with the kernel's text patching (int3 oopses and RCU stalls seen at
# boot and at the first KVM_CREATE_VM), and the single thread keeps the
# SMP interleavings the tests want.
SMP=2
[ "$MODE" != bench ] || SMP=1
QEMU_ARGS+=(-accel "tcg,thread=single" -m "$VM_MEM" -smp "$SMP" -device edu
	-nographic -no-reboot -net none
	-kernel "$VMLINUZ" -initrd "$INITRD" -append "$CMDLINE")
# shellcheck disable=SC2206  # split on purpose
QEMU_ARGS+=(${IRQFWD_QEMU_ARGS:-})

log "booting $KVER ($MODE), console in $LOG"
if [ "$MODE" = demo ] && [ "$V" != 1 ]; then
	echo "booting Debian's $KVER in QEMU ($LANE) to run the demo; the console goes to $LOG (V=1 shows it)" >&2
fi
start=$(date +%s)
qemu_rc=0
if [ "$V" = 1 ]; then
	timeout -k 10 "$VM_TIMEOUT" "$QEMU" "${QEMU_ARGS[@]}" </dev/null 2>&1 |
		tee "$LOG" || qemu_rc=$?
else
	timeout -k 10 "$VM_TIMEOUT" "$QEMU" "${QEMU_ARGS[@]}" </dev/null \
		>"$LOG" 2>&1 || qemu_rc=$?
fi
elapsed=$(($(date +%s) - start))
log "VM ran ${elapsed}s (qemu exit $qemu_rc)"

# --- judge ------------------------------------------------------------------

# Undo the console's interleaving: once /init runs, a kernel message (it
# starts with a "[ seconds.micros] " stamp) printed in the middle of a line
# of userspace output is moved to a line of its own and the line rejoined.
# Terminal escapes (from the firmware) go.
CLEAN="$LANE_DIR/console.clean"
awk '
{
	gsub(/\r/, "")
	gsub(/\033(\[[0-9;?]*[A-Za-z]|c)/, "")
	line = carry $0
	carry = ""
	if (!started) {
		started = (line ~ /\] Run \/init as init process/)
		print line
		next
	}
	if (match(line, /\[ *[0-9]+\.[0-9]+\] /) && RSTART > 1) {
		print substr(line, RSTART)
		carry = substr(line, 1, RSTART - 1)
		next
	}
	print line
}
END { if (carry != "") print carry }
' "$LOG" >"$CLEAN"

# Kernel reports that fail a lane, looked for in kernel lines only (but
# not in the echo of the command line).
SPLATS='BUG:|WARNING:|Oops|Kernel panic|kernel BUG at|possible circular locking'
SPLATS+='|INFO: |hung_task_timeout_secs|blocked for more than'
SPLATS+='|general protection fault|Unable to handle kernel|UBSAN|KASAN'
SPLATS+='|\] BUG [^ :]+ \(|Poison overwritten|Redzone overwritten'
SPLATS+='|ODEBUG|kmemleak: '
# kmemleak's only messages that are no report.
BENIGN='kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning thread)'
splats=$(grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$CLEAN" |
	grep -v 'ommand line: ' | grep -E "$SPLATS" | grep -Ev "$BENIGN" || true)

passed=0 failed=0 skipped=0 leaks=0 why=()

# "irqfwd-init: result NAME rc=N # Totals: pass:P fail:F xfail:X xpass:Y
# skip:S error:E" per test (or "no totals"); before the summary exists,
# fall back to the tests' own Totals lines.
count_totals() {
	awk '
	function field(name,   re) {
		re = name ":[0-9]+"
		if (!match($0, re))
			return 0
		return substr($0, RSTART + length(name) + 1, RLENGTH - length(name) - 1) + 0
	}
	/^irqfwd-init: result / { summary = 1 }
	{
		is_result = ($0 ~ /^irqfwd-init: result /)
		is_totals = ($0 ~ /^# Totals: /)
		if (!is_result && !is_totals)
			next
		if (is_result) {
			name = $3
			rc = $4
			sub(/^rc=/, "", rc)
			if ($0 !~ /# Totals: /) {
				f++
				bad = bad " " name "(no totals, exit " rc ")"
				next
			}
		} else {
			name = "?"
			rc = 0
		}
		tp = field("pass") + field("xfail")
		tf = field("fail") + field("error") + field("xpass")
		ts = field("skip")
		# A crash, a timeout or a non-kselftest exit code is a failure
		# even if the harness did not get to count it.
		if (tf == 0 && rc != 0 && !(rc == 4 && ts > 0)) {
			tf = 1
			what = name "(exit " rc ")"
		} else {
			what = name
		}
		if (is_result) {
			p += tp; f += tf; s += ts
			if (tf > 0)
				bad = bad " " what
		} else {
			rp += tp; rf += tf; rs += ts
		}
	}
	END {
		if (!summary) { p = rp; f = rf; s = rs }
		printf "%d %d %d%s\n", p, f, s, bad
	}
	' "$CLEAN"
}

if [ "$MODE" = test ]; then
	read -r passed failed skipped bad <<<"$(count_totals)"
	[ -z "$bad" ] || why+=("failing tests: $bad")
	[ "$skipped" -eq 0 ] || why+=("$skipped skipped tests (the VM must provide everything)")
	if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ] &&
		grep -qx "$SENTINEL" "$CLEAN"; then
		why+=("no test ran")
	fi
	# The guest's /init prints kmemleak's suspects (userspace output,
	# so not among the kernel lines above) when the kernel has kmemleak.
	leaks=$(grep -c '^unreferenced object 0x' "$CLEAN" || true)
	[ "$leaks" -eq 0 ] || why+=("kmemleak: $leaks suspected leaks")
	if [ "$LANE_SERIES" = debug ] && grep -qx "$SENTINEL" "$CLEAN"; then
		grep -q '^irqfwd-init: kmemleak at the end: ' "$CLEAN" ||
			why+=("no kmemleak scan at the end of the run")
		grep -qx 'irqfwd-init: lockdep at the end: debug_locks=1' "$CLEAN" ||
			why+=("lockdep was not on at the end of the run")
	fi
	done_marker=$SENTINEL
else
	if [ "$MODE" = demo ] && [ "$V" != 1 ]; then
		# What the demo and the guest's init printed, without the
		# kernel's messages (they stay in the console log).
		sed -n '/^irqfwd-init: ready after /,/^IRQFWD-DEMO-COMPLETE rc=/p' "$CLEAN" |
			grep -Ev '^\[ *[0-9]+\.[0-9]+\] ' || true
	fi
	demo_rc=$(sed -n 's/^IRQFWD-DEMO-COMPLETE rc=\([0-9]*\).*/\1/p' "$CLEAN" | tail -n 1)
	if [ "$demo_rc" = 0 ]; then
		passed=1
	elif [ -n "$demo_rc" ]; then
		failed=1
		why+=("irqfwd_$MODE exited $demo_rc")
	fi
	done_marker="IRQFWD-DEMO-COMPLETE rc=$demo_rc"
	if [ "$MODE" = bench ]; then
		# The table, the raw samples and their histograms.
		RES=${IRQFWD_BENCH_RESULTS:-$IRQFWD_BUILD/bench-results}
		mkdir -p "$RES"
		sed -n '/^irqfwd bench:/,/^IRQFWD-BENCH-JSON-BEGIN$/p' "$CLEAN" |
			grep -v '^IRQFWD-BENCH-JSON-BEGIN$' |
			grep -v '^\[ *[0-9]' | tee "$RES/table.txt"
		sed -n '/^IRQFWD-BENCH-JSON-BEGIN$/,/^IRQFWD-BENCH-JSON-END$/p' "$CLEAN" |
			sed '1d;$d' | grep -Ev '^\[ *[0-9]+\.[0-9]+\] ' \
			>"$LANE_DIR/bench.json"
		cp "$LANE_DIR/bench.json" "$RES/bench.json"
		if [ -s "$RES/bench.json" ] &&
			! python3 "$IRQFWD_SCRIPTS/bench-plot.py" "$RES/bench.json" \
				"$RES/latency.svg"; then
			why+=("bench-plot.py could not draw $RES/bench.json")
		fi
		echo "results: $RES/ (table.txt, bench.json, latency.svg)"
	fi
fi

if ! grep -qx -- "$done_marker" "$CLEAN" || [ -z "$done_marker" ]; then
	setup=$(grep -m 1 '^irqfwd-init: FAILED:' "$CLEAN" || true)
	if [ -n "$setup" ]; then
		why+=("guest setup failed: ${setup#irqfwd-init: FAILED: }")
	elif grep -q 'Kernel panic' "$CLEAN"; then
		why+=("kernel panic before the end of the run")
	elif [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		why+=("timed out after ${VM_TIMEOUT}s (IRQFWD_VM_TIMEOUT)")
	elif [ "$qemu_rc" -ne 0 ]; then
		why+=("qemu exited with status $qemu_rc")
	else
		why+=("the guest stopped before the end of the run")
	fi
fi
[ -z "$splats" ] || why+=("kernel reports in the log")
# The GICv4 lane is one only if KVM really uses the GICv4.
if [ "$LANE_VARIANT" = gicv4 ] &&
	! grep -Eq '^\[ *[0-9]+\.[0-9]+\] kvm \[[0-9]+\]: GICv4 support enabled' "$CLEAN"; then
	why+=("the guest kernel did not log 'kvm: GICv4 support enabled' (gic-version=4, kvm-arm.vgic_v4_enable=1)")
fi

if [ "${#why[@]}" -gt 0 ]; then
	[ "$failed" -gt 0 ] || failed=1
	{
		for w in "${why[@]}"; do
			printf '%s: %s: %s\n' "$IRQFWD_PROG" "$LANE" "$w"
		done
		if [ -n "$splats" ]; then
			printf '%s\n' "$splats" | head -n 20
		fi
		if [ "$MODE" = test ] && [ "$leaks" -gt 0 ]; then
			grep -A 20 -m 3 '^unreferenced object 0x' "$CLEAN"
		fi
		if [ "$V" != 1 ] && [ "$MODE" = test ]; then
			echo "---- last 60 lines of $LOG ----"
			tail -n 60 "$CLEAN"
			echo "----"
		fi
	} >&2
fi
finish "$passed" "$failed" "$skipped"
