#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build irqfwd.ko for one kernel, out of the source tree.
#
#   scripts/build-module.sh KDIR OUTDIR [MAKE_ARGS...]
#
#   KDIR       kernel headers (fetch-kernel.sh's KDIR)
#   OUTDIR     build directory; gets a fresh copy of Kbuild, module/ and
#              uapi/, the build products, and OUTDIR/irqfwd.ko
#   MAKE_ARGS  passed to kbuild, e.g. ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
#              or C=2 W=1
#
# Environment: IRQFWD_SRC, the tree holding Kbuild/module/uapi (default: the
# repository). Compiler output is shown only if the build fails (or V=1).

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 2 ] || die "usage: $0 KDIR OUTDIR [MAKE_ARGS...]"
KDIR=$1
OUTDIR=$2
shift 2
SRC=${IRQFWD_SRC:-$IRQFWD_REPO}

[ -f "$KDIR/Makefile" ] || die "no kernel headers in $KDIR: run scripts/deps.sh"
[ -f "$SRC/Kbuild" ] || die "no Kbuild in $SRC"
need_cmd make cp

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
case "$OUTDIR/" in
"$SRC"/build/*) ;;
"$SRC"/*) die "refusing to build inside the source tree ($OUTDIR): use build/ or a directory outside" ;;
esac

# A fresh copy each time: no stale sources or objects survive a rename.
find "$OUTDIR" -mindepth 1 -delete
cp -a "$SRC/Kbuild" "$OUTDIR/"
for d in module uapi; do
	if [ -d "$SRC/$d" ]; then
		cp -a "$SRC/$d" "$OUTDIR/"
	fi
done

log "building irqfwd.ko against $KDIR in $OUTDIR"
run_quiet make -C "$KDIR" M="$OUTDIR" "$@" modules ||
	die "module build against $KDIR failed"
[ -f "$OUTDIR/irqfwd.ko" ] || die "build left no $OUTDIR/irqfwd.ko"
