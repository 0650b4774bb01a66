# SPDX-License-Identifier: GPL-2.0
#
# Common helpers for the irqfwd test-bed scripts. Source it, don't run it:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Environment:
#   IRQFWD_CACHE   downloads and extracted kernels, outside the repository
#                  (default ${XDG_CACHE_HOME:-$HOME/.cache}/irqfwd)
#   IRQFWD_BUILD   build products (default build/ at the top of the repo)
#   V=1            verbose: log progress and stream tool output
#
# Nothing here writes into the repository except under $IRQFWD_BUILD
# (build/ at the top of the repository, which git ignores).

# shellcheck shell=bash

IRQFWD_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IRQFWD_REPO=$(cd "$IRQFWD_SCRIPTS/.." && pwd)
IRQFWD_BUILD=${IRQFWD_BUILD:-$IRQFWD_REPO/build}
IRQFWD_CACHE=${IRQFWD_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/irqfwd}
IRQFWD_PROG=$(basename "$0")
V=${V:-0}
export IRQFWD_CACHE

# Progress messages: only with V=1, on stderr.
log() {
	if [ "$V" = 1 ]; then
		printf '%s: %s\n' "$IRQFWD_PROG" "$*" >&2
	fi
}

warn() {
	printf '%s: warning: %s\n' "$IRQFWD_PROG" "$*" >&2
}

die() {
	printf '%s: error: %s\n' "$IRQFWD_PROG" "$*" >&2
	exit 1
}

# run_quiet CMD...: run CMD; its output is shown only if it fails (or V=1).
run_quiet() {
	local out rc=0

	if [ "$V" = 1 ]; then
		"$@" >&2
		return
	fi
	out=$(mktemp "${TMPDIR:-/tmp}/irqfwd-out.XXXXXX")
	"$@" >"$out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		printf '%s: command failed (exit %d): %s\n' "$IRQFWD_PROG" "$rc" "$*" >&2
		cat "$out" >&2
	fi
	rm -f "$out"
	return "$rc"
}

need_cmd() {
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found: run scripts/deps.sh"
	done
}

# --- architectures and lanes ------------------------------------------------

host_debarch() {
	dpkg --print-architecture
}

# Debian architecture and kernel flavour for a lane architecture.
arch_debarch() {
	case "$1" in
	x86_64) echo amd64 ;;
	arm64 | aarch64) echo arm64 ;;
	*) die "unsupported architecture '$1' (x86_64 or arm64)" ;;
	esac
}

arch_flavour() {
	arch_debarch "$1"
}

# apt package spec: plain name for the host architecture, name:arch otherwise.
arch_pkg() {
	local pkg=$1 debarch=$2

	if [ "$debarch" = "$(host_debarch)" ]; then
		echo "$pkg"
	else
		echo "$pkg:$debarch"
	fi
}

check_series() {
	case "$1" in
	6.1 | 6.12 | 7) ;;
	*) die "unsupported kernel series '$1' (6.1, 6.12 or 7)" ;;
	esac
}

# The Debian suite whose metapackages name a series' kernel, when it is not
# the host's (scripts/lib-suite.sh): series 7 is Debian's newest kernel,
# what linux-image-FLAVOUR in trixie-backports depends on.
kernel_suite() {
	case "$1" in
	7) echo trixie-backports ;;
	*) echo "" ;;
	esac
}

# Metapackage that always depends on the current image/headers of a series.
#   kernel_metapkg image|headers SERIES FLAVOUR
kernel_metapkg() {
	local kind=$1 series=$2 flavour=$3

	case "$series" in
	6.1 | 7) echo "linux-$kind-$flavour" ;;
	6.12) echo "linux-$kind-6.12-$flavour" ;;
	*) die "unsupported kernel series '$series'" ;;
	esac
}

# lane_parse LANE: sets LANE_ARCH, LANE_SERIES and LANE_VARIANT from
# "ARCH-SERIES[-VARIANT]". SERIES "debug" is scripts/debug-kernel.sh's
# kernel (x86_64 only). VARIANT "gicv4" (arm64 only): the machine has a
# GICv4 and KVM uses it (direct injection of vLPIs).
lane_parse() {
	local lane=$1 rest

	case "$lane" in
	*-*) ;;
	*) die "bad lane '$lane' (expected ARCH-SERIES, e.g. x86_64-6.1)" ;;
	esac
	LANE_ARCH=${lane%%-*}
	rest=${lane#*-}
	LANE_SERIES=${rest%%-*}
	LANE_VARIANT=
	[ "$rest" = "$LANE_SERIES" ] || LANE_VARIANT=${rest#*-}
	arch_debarch "$LANE_ARCH" >/dev/null
	case "$(arch_debarch "$LANE_ARCH"):$LANE_VARIANT" in
	*:) ;;
	arm64:gicv4) ;;
	*) die "bad lane '$lane': no variant '$LANE_VARIANT' for $LANE_ARCH (arm64 has gicv4)" ;;
	esac
	if [ "$LANE_SERIES" = debug ]; then
		[ "$LANE_ARCH" = x86_64 ] ||
			die "the debug kernel lane is x86_64-debug only, not '$lane'"
	else
		check_series "$LANE_SERIES"
	fi
	if [ "$LANE_ARCH" = aarch64 ]; then
		LANE_ARCH=arm64
	fi
}

# --- QEMU builds ------------------------------------------------------------

# qemu_firmware_links DIR: QEMU looks for its firmware relative to its
# executable (BINDIR/../share/qemu and so on, the paths of
# --firmwarepath); a QEMU built into DIR/VERSION/ finds Debian's through
# these links in DIR.
qemu_firmware_links() {
	local dir=$1 d

	for d in share/qemu share/seabios lib/ipxe/qemu; do
		if [ ! -L "$dir/$d" ]; then
			mkdir -p "$(dirname "$dir/$d")"
			rm -rf "${dir:?}/$d"
			ln -s "/usr/$d" "$dir/$d"
		fi
	done
}

# qemu_built OUT: if OUT/qemu-system-x86_64 was built, print its path and
# succeed (a build in progress leaves it absent until the end).
qemu_built() {
	[ -x "$1/qemu-system-x86_64" ] || return 1
	echo "$1/qemu-system-x86_64"
}

# --- apt --------------------------------------------------------------------

APT_UPDATED=0
# Options of every apt-get/apt-cache call here: none for the host's apt
# state, a private state for another architecture (apt_foreign_state).
APT_OPTS=()

apt_update_once() {
	[ "$APT_UPDATED" = 0 ] || return 0
	log "apt-get update"
	run_quiet apt-get "${APT_OPTS[@]}" update -q || die "apt-get update failed"
	APT_UPDATED=1
}

# apt_foreign_state DEBARCH: from here on, apt-get and apt-cache above use
# a private apt state in $IRQFWD_CACHE/apt-DEBARCH: a sources.list of the
# host's Debian release (main, -updates, -security) for DEBARCH only, its
# own lists and cache, an empty dpkg status, DEBARCH as apt's native
# architecture (plain package names are DEBARCH packages). The host's apt
# and dpkg are not touched: no 'dpkg --add-architecture'. The lists are
# refreshed when a day old; offline, older lists serve with a warning.
# The calling script holds the state's lock until it exits, so that lanes
# run side by side fetch and unpack one after the other.
# IRQFWD_DEBIAN_MIRROR, IRQFWD_DEBIAN_SECURITY: other archive URLs.
apt_foreign_state() {
	local debarch=$1 dir codename keyring mirror security lockfd

	dir="$IRQFWD_CACHE/apt-$debarch"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	mirror=${IRQFWD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	security=${IRQFWD_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true
	[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release: cannot tell which Debian release to fetch $debarch packages from"
	[ -f "$keyring" ] || die "no $keyring: install debian-archive-keyring"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	exec {lockfd}>"$dir/lock"
	flock -w 1800 "$lockfd" || die "$dir/lock still held after 30 minutes"
	touch "$dir/status"
	cat >"$dir/sources.list.tmp" <<-EOF
		deb [arch=$debarch signed-by=$keyring] $mirror $codename main
		deb [arch=$debarch signed-by=$keyring] $mirror $codename-updates main
		deb [arch=$debarch signed-by=$keyring] $security $codename-security main
	EOF
	mv "$dir/sources.list.tmp" "$dir/sources.list"
	APT_OPTS=(-o "Dir::Etc::sourcelist=$dir/sources.list"
		-o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$dir/lists"
		-o "Dir::Cache=$dir/cache" -o "Dir::State::status=$dir/status"
		-o "APT::Architecture=$debarch" -o "APT::Architectures=$debarch"
		-o APT::Sandbox::User=root)
	APT_UPDATED=0
	if [ -z "$(find "$dir/updated" -mmin -1440 2>/dev/null)" ] ||
		! cmp -s "$dir/sources.list" "$dir/updated"; then
		log "apt-get update ($debarch, private state in $dir)"
		if run_quiet apt-get "${APT_OPTS[@]}" update -q; then
			cp "$dir/sources.list" "$dir/updated"
		elif [ -e "$dir/updated" ]; then
			warn "apt-get update for $debarch failed: using the lists of $(date -r "$dir/updated" +%F)"
		else
			die "apt-get update for $debarch failed (private state in $dir)"
		fi
	fi
	APT_UPDATED=1
}

# apt_dep PKG: the first real package PKG depends on (resolves a metapackage).
apt_dep() {
	local pkg=$1 dep

	dep=$(apt-cache "${APT_OPTS[@]}" depends "$pkg" 2>/dev/null |
		awk '$1 == "Depends:" { print $2; exit }') || true
	if [ -z "$dep" ]; then
		apt_update_once
		dep=$(apt-cache "${APT_OPTS[@]}" depends "$pkg" 2>/dev/null |
			awk '$1 == "Depends:" { print $2; exit }') || true
	fi
	[ -n "$dep" ] || die "cannot resolve '$pkg' with apt-cache"
	# apt-cache prints foreign packages as name:arch, and <name> for
	# virtual ones; keep the bare name.
	dep=${dep#<}
	dep=${dep%>}
	echo "${dep%%:*}"
}

# apt_download DIR PKG: download PKG's .deb into DIR, print the file's path.
apt_download() {
	local dir=$1 pkg=$2 name deb

	name=${pkg%%:*}
	mkdir -p "$dir"
	deb=$(find "$dir" -maxdepth 1 -name "${name}_*.deb" | head -n 1)
	if [ -z "$deb" ]; then
		log "downloading $pkg"
		if ! (cd "$dir" && run_quiet apt-get "${APT_OPTS[@]}" download -q \
			-o APT::Sandbox::User=root "$pkg"); then
			# The archive may have moved on (new ABI): refresh and retry.
			APT_UPDATED=0
			apt_update_once
			(cd "$dir" && run_quiet apt-get "${APT_OPTS[@]}" download -q \
				-o APT::Sandbox::User=root "$pkg") ||
				die "cannot download $pkg"
		fi
		deb=$(find "$dir" -maxdepth 1 -name "${name}_*.deb" | head -n 1)
	fi
	[ -n "$deb" ] || die "download of $pkg left no .deb in $dir"
	echo "$deb"
}

# debs_unpack DIR DEB...: dpkg -x each DEB into DIR, made anew.
debs_unpack() {
	local dir=$1 deb

	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	for deb in "$@"; do
		log "unpacking $(basename "$deb")"
		run_quiet dpkg -x "$deb" "$dir" || die "dpkg -x $deb failed"
	done
}

# deb_extract DEB DEST: dpkg -x DEB into DEST atomically (DEST/.done stamp).
deb_extract() {
	local deb=$1 dest=$2 tmp

	[ -e "$dest/.done" ] && return 0
	rm -rf "$dest"
	tmp="$dest.tmp.$$"
	debs_unpack "$tmp" "$deb"
	touch "$tmp/.done"
	mv "$tmp" "$dest"
}
