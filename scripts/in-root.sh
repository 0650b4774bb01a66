#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command inside a Debian root made by scripts/debian-root.sh, with
# the repository and the build directory visible at their own paths.
#
#   scripts/in-root.sh [-b DIR]... ROOT CMD [ARG...]
#
#   -b DIR  also make DIR (e.g. a kernel tree in the cache) visible at its
#           own path, writable
#   ROOT    the root directory (its .done stamp must exist)
#
# The repository is mounted read-only, $IRQFWD_BUILD writable, /proc
# fresh. Every mount is made in a private mount namespace (unshare), so
# none outlives the command, however it ends. The command gets a clean
# environment: PATH, HOME, LC_ALL=C, V, IRQFWD_CACHE, IRQFWD_BUILD and
# IRQFWD_TEST_TIMEOUT/IRQFWD_TESTS if set; it starts in the current
# directory if that is visible inside, else in /. Exit status: the
# command's.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

args=("$@")
binds=()
while [ $# -gt 0 ]; do
	case "$1" in
	-b)
		[ $# -ge 2 ] || die "-b needs a directory"
		[ -d "$2" ] || die "-b $2: no such directory"
		binds+=("$(cd "$2" && pwd)")
		shift 2
		;;
	--)
		shift
		break
		;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || die "usage: $0 [-b DIR]... ROOT CMD [ARG...]"
ROOT=$1
shift
[ -e "$ROOT/.done" ] || [ "${IRQFWD_ROOT_UNFINISHED:-0}" = 1 ] ||
	die "no finished Debian root at $ROOT (scripts/debian-root.sh makes it)"
[ "$(id -u)" = 0 ] || die "must run as root (chroot, mount)"

if [ "${IRQFWD_IN_ROOT_NS:-}" != 1 ]; then
	need_cmd unshare chroot mount
	# Re-run this script as the first process of a private mount
	# namespace: the kernel drops its mounts when it exits.
	exec unshare --mount --propagation private \
		env IRQFWD_IN_ROOT_NS=1 "$0" "${args[@]}"
fi

ROOT=$(cd "$ROOT" && pwd)

# bind SRC ro|rw: SRC at the same path inside the root.
bind() {
	local src=$1 mode=$2

	mkdir -p "$ROOT$src" || die "cannot create $ROOT$src"
	mount --bind "$src" "$ROOT$src" || die "bind mount of $src failed"
	if [ "$mode" = ro ]; then
		mount -o remount,bind,ro "$ROOT$src" ||
			die "read-only remount of $ROOT$src failed"
	fi
}

mkdir -p "$IRQFWD_BUILD"
bind "$IRQFWD_REPO" ro
bind "$(cd "$IRQFWD_BUILD" && pwd)" rw
for b in "${binds[@]}"; do
	bind "$b" rw
done
mount -t proc proc "$ROOT/proc" || die "mounting /proc in $ROOT failed"
if [ ! -c "$ROOT/dev/null" ]; then
	mount --bind /dev "$ROOT/dev" || die "bind mount of /dev failed"
fi

envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	HOME=/root LC_ALL=C TERM=dumb V="$V" TMPDIR=/tmp
	IRQFWD_CACHE="$IRQFWD_CACHE" IRQFWD_BUILD="$IRQFWD_BUILD")
for v in IRQFWD_TEST_TIMEOUT IRQFWD_TESTS DEBIAN_FRONTEND; do
	if [ -n "${!v:-}" ]; then
		envs+=("$v=${!v}")
	fi
done
# The current directory, if it is visible inside (e.g. the repository).
cwd=(-C /)
if [ -d "$ROOT$PWD" ]; then
	cwd=(-C "$PWD")
fi
exec chroot "$ROOT" /usr/bin/env -i "${cwd[@]}" "${envs[@]}" "$@"
