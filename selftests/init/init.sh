#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the irqfwd test VM (busybox sh), put there by
# scripts/mkinitramfs.sh together with /etc/irqfwd.conf:
#   IRQFWD_MODE          test: run every /tests/* executable, then print
#                        the sentinel; demo: run /tests/irqfwd_demo with
#                        irqfwdctl monitor (and list) watching it;
#                        bench: run /tests/irqfwd_bench
#   IRQFWD_TEST_TIMEOUT  seconds each test may run
#   IRQFWD_TESTS         names of the tests in /tests/ (the selftests'
#                        TEST_GEN_PROGS); empty: every executable there
#                        named *_test
#
# Sets up the machine the tests expect: proc, sysfs, devtmpfs, debugfs,
# tracefs and /tmp mounted; the Debian modules of /lib/modules/load-order
# and /lib/irqfwd/irqfwd.ko loaded (/dev/irqfwd, /dev/kvm present); QEMU's
# edu device bound to vfio-pci with its /dev/vfio/<group> present. Tests
# get IRQFWD_EDU_BDF, IRQFWD_VFIO_GROUP, IRQFWD_MODULE and IRQFWD_TEST_TIMEOUT in their
# environment.
#
# The only pass signal is the sentinel line IRQFWD-SELFTESTS-COMPLETE,
# printed once every test has run. A failed setup step prints
# "irqfwd-init: FAILED: ..." and powers off without it.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

IRQFWD_MODE="test"
IRQFWD_TEST_TIMEOUT=300
IRQFWD_TESTS=""
# shellcheck source=/dev/null
. /etc/irqfwd.conf
# The tests may size their own bounds by it (irqfwd_count_test does).
export IRQFWD_TEST_TIMEOUT

SENTINEL=IRQFWD-SELFTESTS-COMPLETE
RESULTS=/tmp/irqfwd-results

say() {
	echo "irqfwd-init: $*"
}

# Let the console drain before the machine goes away.
shutdown() {
	sleep 1
	poweroff -f
	sleep 3600
}

fail() {
	echo "irqfwd-init: FAILED: $*"
	shutdown
}

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

setup_mounts() {
	mount -t proc proc /proc || fail "mount /proc"
	mount -t sysfs sysfs /sys || fail "mount /sys"
	mount -t devtmpfs devtmpfs /dev || fail "mount /dev"
	mount -t debugfs debugfs /sys/kernel/debug || fail "mount debugfs"
	if [ -d /sys/kernel/tracing ]; then
		mount -t tracefs tracefs /sys/kernel/tracing || fail "mount tracefs"
	fi
	mount -t tmpfs tmpfs /tmp || fail "mount /tmp"
	mkdir -p /dev/shm /dev/pts
	mount -t tmpfs tmpfs /dev/shm || fail "mount /dev/shm"
	mount -t devpts devpts /dev/pts || fail "mount /dev/pts"
}

load_modules() {
	while read -r ko; do
		insmod "/lib/modules/$ko" || fail "insmod $ko"
	done </lib/modules/load-order
	insmod /lib/irqfwd/irqfwd.ko || fail "insmod /lib/irqfwd/irqfwd.ko"
	[ -c /dev/irqfwd ] || fail "irqfwd.ko loaded but /dev/irqfwd is missing"
	[ -c /dev/kvm ] || fail "/dev/kvm is missing (no SVM/VHE in the guest CPU?)"
}

find_edu() {
	for dev in /sys/bus/pci/devices/*; do
		if [ "$(cat "$dev/vendor")" = 0x1234 ] &&
			[ "$(cat "$dev/device")" = 0x11e8 ]; then
			echo "${dev##*/}"
			return 0
		fi
	done
	return 1
}

bind_edu() {
	IRQFWD_EDU_BDF=$(find_edu) || fail "no edu device (1234:11e8) on the PCI bus"
	dev=/sys/bus/pci/devices/$IRQFWD_EDU_BDF
	echo 1234 11e8 >/sys/bus/pci/drivers/vfio-pci/new_id ||
		fail "vfio-pci new_id 1234 11e8"
	# With a device tree (arm64) the IOMMU group appears only when a
	# driver binds, so look for it afterwards.
	i=0
	while [ ! -e "$dev/driver" ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || fail "$IRQFWD_EDU_BDF did not bind to vfio-pci (no IOMMU group?)"
		sleep 0.1
	done
	drv=$(readlink "$dev/driver")
	[ "${drv##*/}" = vfio-pci ] || fail "$IRQFWD_EDU_BDF bound to ${drv##*/}, not vfio-pci"
	grp=$(readlink "$dev/iommu_group") ||
		fail "$IRQFWD_EDU_BDF has no IOMMU group (IOMMU off?)"
	IRQFWD_VFIO_GROUP=${grp##*/}
	i=0
	while [ ! -c "/dev/vfio/$IRQFWD_VFIO_GROUP" ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || fail "/dev/vfio/$IRQFWD_VFIO_GROUP did not appear"
		sleep 0.1
	done
	export IRQFWD_EDU_BDF IRQFWD_VFIO_GROUP
}

# On a kernel with kmemleak (the x86_64-debug lane), memory still allocated
# but referenced from nowhere is a leak. kmemleak_baseline, before irqfwd
# is loaded, sets aside what the boot left (printed, prefixed, for the
# record: the kernel's own, not irqfwd's); kmemleak_check prints every
# suspect since, which fails the lane (scripts/vm-run.sh).
KMEMLEAK=/sys/kernel/debug/kmemleak

kmemleak_baseline() {
	[ -e "$KMEMLEAK" ] || return 0
	echo scan >"$KMEMLEAK" || fail "kmemleak scan (kmemleak disabled itself?)"
	n=$(grep -c '^unreferenced object' "$KMEMLEAK")
	say "kmemleak: $n suspects left by the boot, set aside"
	sed 's/^/kmemleak-boot: /' "$KMEMLEAK"
	echo clear >"$KMEMLEAK" || fail "kmemleak clear"
}

# kmemleak_check WHEN: an object is reported once it is 5 s old and found
# unreferenced; what the second scan finds referenced again (in flight
# during the first) is not listed.
kmemleak_check() {
	[ -e "$KMEMLEAK" ] || return 0
	sleep 6
	echo scan >"$KMEMLEAK" || fail "kmemleak scan (kmemleak disabled itself?)"
	echo scan >"$KMEMLEAK" || fail "kmemleak scan (kmemleak disabled itself?)"
	n=$(grep -c '^unreferenced object' "$KMEMLEAK")
	say "kmemleak $1: $n suspected leaks"
	cat "$KMEMLEAK"
}

# kill_session SID: kill what is left of a test's session (the harness
# runs each case in a child; one that outlives the test would hold the
# output pipe open and stall the run).
kill_session() {
	for stat in /proc/[0-9]*/stat; do
		# pid (comm) state ppid pgrp session ...
		read -r pid _ _ _ _ sid _ <"$stat" 2>/dev/null || continue
		if [ "$sid" = "$1" ]; then
			kill -9 "$pid" 2>/dev/null
		fi
	done
}

# run_one PATH: run one test in its own session with a timeout (TERM, then
# KILL 10 s later); output to the console and to $RESULTS/NAME.log, exit
# status to $RESULTS/NAME.rc.
run_one() {
	name=${1##*/}
	if [ ! -f "$1" ] || [ ! -x "$1" ]; then
		say "$name: no such test in /tests"
		echo 127 >"$RESULTS/$name.rc"
		: >"$RESULTS/$name.log"
		return
	fi
	say "running $name (timeout ${IRQFWD_TEST_TIMEOUT}s)"
	{
		cd /tmp && timeout -k 10 "$IRQFWD_TEST_TIMEOUT" setsid "$1" </dev/null &
		pid=$!
		wait "$pid"
		echo $? >"$RESULTS/$name.rc"
		kill_session "$pid"
	} 2>&1 | tee "$RESULTS/$name.log"
}

# One summary line per test, after all ran, while the kernel is quiet:
#   irqfwd-init: result NAME rc=N # Totals: pass:... (or "no totals")
report() {
	for rcfile in "$RESULTS"/*.rc; do
		[ -f "$rcfile" ] || continue
		name=${rcfile##*/}
		name=${name%.rc}
		rc=$(cat "$rcfile")
		totals=$(grep '^# Totals:' "$RESULTS/$name.log" | tail -n 1)
		case "$rc" in
		124 | 137 | 143) say "$name: exit $rc (timed out or killed)" ;;
		127) say "$name: not found" ;;
		esac
		say "result $name rc=$rc ${totals:-no totals}"
	done
}

run_tests() {
	mkdir -p "$RESULTS"
	if [ -n "$IRQFWD_TESTS" ]; then
		# shellcheck disable=SC2086  # a list of names
		for name in $(printf '%s\n' $IRQFWD_TESTS | sort); do
			run_one "/tests/$name"
		done
	else
		for t in /tests/*; do
			if [ ! -f "$t" ] || [ ! -x "$t" ]; then
				continue
			fi
			# The demo and the benchmark are not tests.
			case "${t##*/}" in
			*_test) ;;
			*) continue ;;
			esac
			run_one "$t"
		done
	fi
	report
	# Everything the tests made must be gone once their files are closed.
	if [ -d /sys/module/irqfwd ]; then
		# While irqfwd is loaded, a leak's backtrace names its functions.
		kmemleak_check "with irqfwd loaded"
		rmmod irqfwd || fail "rmmod irqfwd after the tests (references leaked?)"
	fi
	kmemleak_check "at the end"
	# lockdep turns itself off after its first report: a quiet log means
	# something only if it was still on.
	if [ -e /proc/lockdep_stats ]; then
		say "lockdep at the end: debug_locks=$(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats)"
	fi
}

# monitor_start: irqfwdctl monitor in the background, its events on the
# console and in /tmp/monitor.log; returns once it listens.
monitor_start() {
	if ! command -v irqfwdctl >/dev/null; then
		say "no irqfwdctl in the initramfs"
		return 1
	fi
	{
		irqfwdctl monitor 2>&1 &
		echo $! >/tmp/monitor.pid
		wait
	} | tee /tmp/monitor.log &
	MONITOR_TEE=$!
	i=0
	until grep -q listening /tmp/monitor.log 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 100 ]; then
			say "irqfwdctl monitor did not start"
			return 1
		fi
		sleep 0.1
	done
}

# monitor_stop: SIGINT ends it; it must have seen the demo's two lines
# come and go.
monitor_stop() {
	[ -f /tmp/monitor.pid ] || return 1
	kill -INT "$(cat /tmp/monitor.pid)"
	wait "$MONITOR_TEE"
	adds=$(grep -c '^add ' /tmp/monitor.log)
	dels=$(grep -c '^del ' /tmp/monitor.log)
	say "irqfwdctl monitor saw $adds lines come and $dels go"
	[ "$adds" -ge 2 ] && [ "$dels" -ge 2 ]
}

# run_program NAME MARKER [AFTER]: run /tests/NAME (the demo or the
# benchmark), then the command AFTER if given (its failure fails the run),
# then print "MARKER rc=N".
run_program() {
	if [ ! -x "/tests/$1" ]; then
		say "no /tests/$1"
		echo "$2 rc=127"
		return
	fi
	(cd /tmp && exec timeout -k 10 "$IRQFWD_TEST_TIMEOUT" "/tests/$1" </dev/null)
	rc=$?
	if [ -n "${3:-}" ] && ! $3 && [ "$rc" = 0 ]; then
		rc=1
	fi
	if [ "$1" = irqfwd_bench ] && [ -f /tmp/irqfwd-bench.json ]; then
		echo "IRQFWD-BENCH-JSON-BEGIN"
		cat /tmp/irqfwd-bench.json
		echo "IRQFWD-BENCH-JSON-END"
	fi
	echo "$2 rc=$rc"
}

setup_mounts
kmemleak_baseline
load_modules
bind_edu
uname -r
say "ready after $(uptime_s)s: edu $IRQFWD_EDU_BDF on /dev/vfio/$IRQFWD_VFIO_GROUP"
export IRQFWD_MODULE=/lib/irqfwd/irqfwd.ko

case "$IRQFWD_MODE" in
test)
	run_tests
	say "done after $(uptime_s)s"
	echo "$SENTINEL"
	;;
demo)
	# irqfwdctl shows the demo's lines from outside: events as they come,
	# and the list while the lines exist (the demo runs the hook).
	if monitor_start; then
		export IRQFWD_DEMO_HOOK="irqfwdctl list"
		run_program irqfwd_demo IRQFWD-DEMO-COMPLETE monitor_stop
	else
		echo "IRQFWD-DEMO-COMPLETE rc=1"
	fi
	;;
bench)
	run_program irqfwd_bench IRQFWD-DEMO-COMPLETE
	;;
*)
	fail "unknown mode '$IRQFWD_MODE'"
	;;
esac
shutdown
