#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check `make install` into a staging tree: every artefact lands where it
# should, irqfwd.pc points into the tree, and a program compiles and links
# against what was installed, shared and static, and runs.  Host only, no
# VM; it builds the module for the newest kernel headers installed.
#
#   scripts/check-install.sh
#
# Environment: PREFIX (default /usr/local), as for make install.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_cmd make pkg-config cc readelf nm
cd "$IRQFWD_REPO"

PREFIX=${PREFIX:-/usr/local}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/irqfwd-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
DEST="$tmp/inst"
P="$DEST$PREFIX"
fails=0

ok() {
	echo "ok: $*"
}

bad() {
	echo "FAILED: $*"
	fails=$((fails + 1))
}

run_quiet make install DESTDIR="$DEST" PREFIX="$PREFIX" ||
	die "make install DESTDIR=$DEST failed"

# --- every artefact -------------------------------------------------------------

version=$(sed -n 's/^#define IRQFWD_VERSION[[:space:]]*"\(.*\)"/\1/p' module/version.h)
for f in "lib/libirqfwd.so.$version" lib/libirqfwd.a \
	include/irqfwd/irqfwd.h include/linux/irqfwd.h \
	include/linux/irqfwd_netlink.h lib/pkgconfig/irqfwd.pc \
	share/man/man3/libirqfwd.3 share/man/man4/irqfwd.4 \
	share/man/man8/irqfwdctl.8; do
	if [ -f "$P/$f" ] && [ ! -L "$P/$f" ]; then
		ok "$PREFIX/$f"
	else
		bad "$PREFIX/$f missing"
	fi
done
for link in libirqfwd.so.0:"libirqfwd.so.$version" libirqfwd.so:libirqfwd.so.0; do
	name=${link%%:*}
	if [ "$(readlink "$P/lib/$name" 2>/dev/null)" = "${link#*:}" ]; then
		ok "$PREFIX/lib/$name -> ${link#*:}"
	else
		bad "$PREFIX/lib/$name is not a link to ${link#*:}"
	fi
done
if [ -x "$P/sbin/irqfwdctl" ] &&
	! readelf -l "$P/sbin/irqfwdctl" | grep -q 'program interpreter'; then
	ok "$PREFIX/sbin/irqfwdctl (static)"
else
	bad "$PREFIX/sbin/irqfwdctl missing or not static"
fi
if "$P/sbin/irqfwdctl" version | grep -qx "irqfwdctl $version"; then
	ok "irqfwdctl version says $version"
else
	bad "irqfwdctl version does not say $version"
fi
rules=$(find "$DEST" -path '*/udev/rules.d/60-irqfwd.rules')
if [ -n "$rules" ] && grep -q '^SUBSYSTEM=="misc", KERNEL=="irqfwd",.*MODE="0600"' "$rules"; then
	ok "${rules#"$DEST"}"
else
	bad "no udev rule 60-irqfwd.rules with MODE=\"0600\""
fi
ko=$(find "$DEST/lib/modules" -name 'irqfwd.ko*' 2>/dev/null | head -n 1)
if [ -n "$ko" ] && grep -q 'extra/irqfwd.ko' "$(dirname "$ko")/../modules.dep"; then
	ok "${ko#"$DEST"} (in modules.dep)"
else
	bad "no irqfwd.ko under /lib/modules, or depmod did not list it"
fi

# --- the shared library: soname, exports --------------------------------------

soname=$(readelf -d "$P/lib/libirqfwd.so.$version" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" = libirqfwd.so.0 ]; then
	ok "soname $soname"
else
	bad "soname '$soname'"
fi
exported=$(nm -D --defined-only "$P/lib/libirqfwd.so.$version" |
	awk '$2 == "T" { print $3 }' | sort)
listed=$(sed -n 's/^[[:space:]]*\(irqfwd_[a-z_]*\);/\1@@IRQFWD_0.1/p' lib/libirqfwd.map | sort)
if [ "$exported" = "$listed" ]; then
	ok "exports exactly the $(echo "$listed" | wc -l) functions of libirqfwd.map, at IRQFWD_0.1"
else
	bad "exports differ from libirqfwd.map:"
	diff <(echo "$listed") <(echo "$exported") || true
fi

# --- pkg-config, and a program against the installed tree ---------------------

export PKG_CONFIG_SYSROOT_DIR="$DEST" PKG_CONFIG_PATH="$P/lib/pkgconfig"
flags=$(pkg-config --cflags --libs irqfwd) || die "pkg-config irqfwd failed"
echo "pkg-config --cflags --libs irqfwd: $flags"
if [ "$(pkg-config --modversion irqfwd)" = "$version" ]; then
	ok "irqfwd.pc version $version"
else
	bad "irqfwd.pc version is not $version"
fi
case " $flags " in
*" -I$P/include "*"-L$P/lib -lirqfwd "*) ok "irqfwd.pc points into the tree" ;;
*) bad "irqfwd.pc flags '$flags' do not point into $P" ;;
esac
static_flags=$(pkg-config --static --libs irqfwd)
case " $static_flags " in
*" -lnl-genl-3 "*) ok "pkg-config --static adds libnl-genl-3" ;;
*) bad "pkg-config --static --libs: '$static_flags'" ;;
esac

cat >"$tmp/prog.c" <<'PROG'
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <irqfwd/irqfwd.h>

int main(void)
{
	struct irqfwd_nl *nl = NULL;
	int fd, ret;

	if (strcmp(irqfwd_mode_name(IRQFWD_MODE_FORWARDED), "forwarded") ||
	    irqfwd_reason_name(IRQFWD_REASON_REFUSED) == NULL)
		return 1;
	/* No module on a build host: -ENOENT, which is fine here. */
	ret = irqfwd_open(&fd);
	if (!ret)
		irqfwd_close(fd);
	else if (ret >= 0)
		return 2;
	printf("irqfwd_open: %s\n", ret ? strerror(-ret) : "ok");
	ret = irqfwd_nl_open(&nl);
	printf("irqfwd_nl_open: %s\n", ret ? strerror(-ret) : "ok");
	irqfwd_nl_close(nl);
	return 0;
}
PROG
read -ra cflags <<<"$(pkg-config --cflags irqfwd)"
read -ra libs <<<"$(pkg-config --libs irqfwd)"
read -ra static_libs <<<"$static_flags"
if cc -Wall -Werror "${cflags[@]}" -o "$tmp/prog" "$tmp/prog.c" "${libs[@]}" \
	2>"$tmp/cc.log"; then
	if lib=$(LD_LIBRARY_PATH="$P/lib" ldd "$tmp/prog" | grep libirqfwd.so.0) &&
		case "$lib" in *"$P/lib/libirqfwd.so.0"*) true ;; *) false ;; esac &&
		LD_LIBRARY_PATH="$P/lib" "$tmp/prog" >"$tmp/run.log"; then
		ok "a program built with pkg-config links libirqfwd.so.0 from the tree and runs: $(tr '\n' ' ' <"$tmp/run.log")"
	else
		bad "the shared program did not run against $P/lib/libirqfwd.so.0"
		cat "$tmp/run.log" 2>/dev/null || true
	fi
else
	bad "a program does not compile and link with pkg-config --cflags --libs irqfwd"
	cat "$tmp/cc.log"
fi
if cc -static -Wall -Werror "${cflags[@]}" -o "$tmp/prog-static" "$tmp/prog.c" \
	"${static_libs[@]}" >"$tmp/cc.log" 2>&1 &&
	"$tmp/prog-static" >/dev/null; then
	ok "the same program links statically with pkg-config --static and runs"
else
	bad "static link with pkg-config --static --libs irqfwd"
	cat "$tmp/cc.log"
fi

# --- the man pages ---------------------------------------------------------------

if command -v man >/dev/null; then
	for page in man3/libirqfwd.3 man4/irqfwd.4 man8/irqfwdctl.8; do
		warn=$(MANWIDTH=80 man --warnings -l "$P/share/man/$page" 2>&1 >/dev/null || true)
		if [ -z "$warn" ]; then
			ok "man $page renders without warnings"
		else
			bad "man $page: $warn"
		fi
	done
fi

if [ "$fails" -gt 0 ]; then
	echo "check-install: $fails FAILED"
	exit 1
fi
echo "check-install: everything installed"
