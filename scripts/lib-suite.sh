# SPDX-License-Identifier: GPL-2.0
#
# Debian suites beyond the host's own, through a private apt state: nothing
# in /etc/apt or /var/lib/apt is read or written. Source it after lib.sh:
#
#   . "$IRQFWD_SCRIPTS/lib-suite.sh"
#
# Each suite has its own sources.list, lists and cache under
# $IRQFWD_CACHE/apt/SUITE/ and an empty dpkg status, so that apt's
# candidate for a package is the suite's own version (a backports suite
# alone: its packages are the candidates). Indexes for amd64 and arm64.
#
# Suites: bookworm (with -updates and -security), bookworm-backports,
# trixie (with -updates and -security), trixie-backports, sid.
#
# SUITE+src (e.g. bookworm-backports+src) is the same suite's source
# packages (deb-src entries only), in a state of its own under
# $IRQFWD_CACHE/apt/SUITE+src/, so that the binary suites never fetch the
# large Sources indexes:
#
#   suite_apt bookworm-backports+src apt-get source --download-only qemu
#
# Environment:
#   IRQFWD_MIRROR           Debian archive (http://deb.debian.org/debian)
#   IRQFWD_SECURITY_MIRROR  security archive (http://deb.debian.org/debian-security)
#   IRQFWD_APT_MAX_AGE      seconds before a suite's indexes are refreshed
#                           (43200); a failed download refreshes them too

# shellcheck shell=bash

IRQFWD_MIRROR=${IRQFWD_MIRROR:-http://deb.debian.org/debian}
IRQFWD_SECURITY_MIRROR=${IRQFWD_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
IRQFWD_APT_MAX_AGE=${IRQFWD_APT_MAX_AGE:-43200}
IRQFWD_SUITES=(bookworm bookworm-backports trixie trixie-backports sid)
SUITE_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

declare -A SUITE_FRESH=()

suite_check() {
	case "${1%+src}" in
	bookworm | bookworm-backports | trixie | trixie-backports | sid) ;;
	*) die "unknown Debian suite '$1' (one of ${IRQFWD_SUITES[*]})" ;;
	esac
}

suite_dir() {
	echo "$IRQFWD_CACHE/apt/$1"
}

# The base release of a suite: bookworm, trixie or sid.
suite_release() {
	local suite=${1%+src}

	echo "${suite%-backports}"
}

suite_sources() {
	local suite=$1 type=deb opts

	opts="[arch=amd64,arm64 signed-by=$SUITE_KEYRING]"
	if [ "${suite%+src}" != "$suite" ]; then
		suite=${suite%+src}
		type="deb-src"
		opts="[signed-by=$SUITE_KEYRING]"
	fi
	echo "$type $opts $IRQFWD_MIRROR $suite main"
	case "$suite" in
	bookworm | trixie)
		echo "$type $opts $IRQFWD_MIRROR $suite-updates main"
		echo "$type $opts $IRQFWD_SECURITY_MIRROR $suite-security main"
		;;
	esac
}

# suite_apt SUITE apt-get|apt-cache ARGS...: run apt in SUITE's state.
suite_apt() {
	local suite=$1 tool=$2 dir

	shift 2
	dir=$(suite_dir "$suite")
	"$tool" -q -o Dir::Etc::sourcelist="$dir/sources.list" \
		-o Dir::Etc::sourceparts="$dir/none.d" -o Dir::State::Lists="$dir/lists" \
		-o Dir::State::status="$dir/status" -o Dir::Cache="$dir/cache" \
		-o Dir::Cache::pkgcache=pkgcache.bin \
		-o Dir::Cache::srcpkgcache= \
		-o Dir::Etc::preferences="$dir/preferences" \
		-o Dir::Etc::preferencesparts="$dir/none.d" \
		-o APT::Architectures::=amd64 -o APT::Architectures::=arm64 \
		-o APT::Sandbox::User=root "$@" </dev/null
}

# suite_update SUITE [force]: fetch SUITE's indexes unless they are fresh.
# One script at a time per suite (lanes run side by side): apt-get update
# fails at once on lists another one is updating.
suite_update() {
	local suite=$1 force=${2:-} dir stamp age fresh=0 lockfd

	suite_check "$suite"
	[ -n "$force" ] || [ -z "${SUITE_FRESH[$suite]:-}" ] || return 0
	[ -f "$SUITE_KEYRING" ] ||
		die "no $SUITE_KEYRING: install debian-archive-keyring (scripts/deps.sh)"
	dir=$(suite_dir "$suite")
	stamp="$dir/.updated"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/none.d"
	exec {lockfd}>"$dir/update.lock"
	flock -w 900 "$lockfd" || die "$dir/update.lock still held after 15 minutes"
	suite_sources "$suite" >"$dir/sources.list.new"
	if ! cmp -s "$dir/sources.list.new" "$dir/sources.list"; then
		mv "$dir/sources.list.new" "$dir/sources.list"
		rm -f "$stamp"
	else
		rm -f "$dir/sources.list.new"
	fi
	[ -e "$dir/status" ] || : >"$dir/status"
	[ -e "$dir/preferences" ] || : >"$dir/preferences"
	if [ -z "$force" ] && [ -e "$stamp" ]; then
		age=$(($(date +%s) - $(stat -c %Y "$stamp")))
		[ "$age" -ge "$IRQFWD_APT_MAX_AGE" ] || fresh=1
	fi
	if [ "$fresh" = 0 ]; then
		log "apt-get update ($suite, private state in $dir)"
		run_quiet suite_apt "$suite" apt-get update ||
			die "apt-get update of Debian $suite failed (sources: $dir/sources.list)"
		touch "$stamp"
	fi
	exec {lockfd}>&-
	SUITE_FRESH[$suite]=1
}

# suite_pkg PKG DEBARCH: PKG qualified with its architecture (apt-cache
# needs it for arm64 on an amd64 host).
suite_pkg() {
	local pkg=$1 debarch=$2

	case "$pkg" in
	*:*) echo "$pkg" ;;
	*) echo "$pkg:$debarch" ;;
	esac
}

# suite_field SUITE PKG FIELD: a field of PKG's candidate in SUITE.
suite_field() {
	local suite=$1 pkg=$2 field=$3

	suite_update "$suite"
	suite_apt "$suite" apt-cache show --no-all-versions "$pkg" 2>/dev/null |
		awk -v f="$field:" '$1 == f { sub(/^[^:]*: */, ""); print; exit }'
}

# suite_deps SUITE PKG REGEX: the dependencies of PKG's candidate in SUITE
# whose names match the extended REGEX, bare (no version, no :arch), one a
# line (alternatives count as dependencies).
suite_deps() {
	local suite=$1 pkg=$2 re=$3 deps

	deps=$(suite_field "$suite" "$pkg" Depends)
	[ -n "$deps" ] || die "Debian $suite has no package $pkg (or it depends on nothing)"
	deps=${deps//|/,}
	printf '%s\n' "${deps//,/$'\n'}" | sed -e 's/^ *//' -e 's/[ (:].*//' |
		grep -E "^($re)\$" || true
}

# suite_dep SUITE PKG REGEX: the first of suite_deps; fails if none.
suite_dep() {
	local dep

	dep=$(suite_deps "$@" | head -n 1)
	[ -n "$dep" ] || die "$2 in Debian $1 depends on nothing named like '$3'"
	echo "$dep"
}

# suite_download SUITE DIR PKG: download PKG (name or name:arch) from SUITE
# into DIR unless its candidate's .deb is there; print the file's path.
suite_download() {
	local suite=$1 dir=$2 pkg=$3 ver deb

	mkdir -p "$dir"
	ver=$(suite_field "$suite" "$pkg" Version)
	[ -n "$ver" ] || die "Debian $suite has no package $pkg"
	deb=$(suite_deb_in "$dir" "$pkg" "$ver")
	if [ -z "$deb" ]; then
		log "downloading $pkg $ver from Debian $suite"
		if ! (cd "$dir" && run_quiet suite_apt "$suite" apt-get download "$pkg=$ver"); then
			# The archive may have moved on (a new ABI): refresh, retry.
			suite_update "$suite" force
			ver=$(suite_field "$suite" "$pkg" Version)
			[ -n "$ver" ] || die "Debian $suite has no package $pkg any more"
			(cd "$dir" && run_quiet suite_apt "$suite" apt-get download "$pkg=$ver") ||
				die "cannot download $pkg $ver from Debian $suite"
		fi
		deb=$(suite_deb_in "$dir" "$pkg" "$ver")
		[ -n "$deb" ] || die "downloading $pkg $ver left no .deb in $dir"
	fi
	echo "$deb"
}

# suite_deb_in DIR PKG VERSION: the .deb of PKG VERSION in DIR, if any.
suite_deb_in() {
	local dir=$1 pkg=$2 ver=$3 name arch

	name=${pkg%%:*}
	arch=${pkg#*:}
	[ "$arch" != "$pkg" ] || arch='*'
	# apt-get download writes a version's epoch N: as N%3a; the archive's
	# own file names leave it out.
	{
		compgen -G "$dir/${name}_${ver/:/%3a}_$arch.deb" ||
			compgen -G "$dir/${name}_${ver#*:}_$arch.deb"
	} | head -n 1 || true
}

# suite_headers SUITE DEBARCH: the kernel headers SUITE's metapackages
# (linux-headers-FLAVOUR, linux-headers-SERIES-FLAVOUR) point at, one
# line each: "SERIES KVER VERSION METAPACKAGE", e.g.
# "7.3 7.3.4+deb13-amd64 7.3.4-1~bpo13+1 linux-headers-amd64".
suite_headers() {
	local suite=$1 debarch=$2 flavour metas meta hdr kver ver

	flavour=$debarch
	suite_update "$suite"
	# (apt-cache pkgnames would leave out foreign-only names.)
	metas=$(suite_apt "$suite" apt-cache search --names-only \
		"^linux-headers-([0-9]+\.[0-9]+-)?$flavour\$" | awk '{ print $1 }' |
		sort -u | grep .) ||
		die "Debian $suite has no linux-headers metapackage for $debarch"
	while read -r meta; do
		hdr=$(suite_dep "$suite" "$(suite_pkg "$meta" "$debarch")" \
			"linux-headers-[0-9].*-$flavour")
		kver=${hdr#linux-headers-}
		ver=$(suite_field "$suite" "$(suite_pkg "$hdr" "$debarch")" Version)
		echo "$(kver_series "$kver") $kver $ver $meta"
	done <<<"$metas"
}

# kver_series KVER: 7.3.4+deb13-amd64 -> 7.3, 6.1.0-57-amd64 -> 6.1
kver_series() {
	local v=${1%%[-+]*}

	echo "${v%.*}" | awk -F. '{ print $1 "." $2 }'
}
