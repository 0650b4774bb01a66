#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate the netlink code of the irqfwd family from its spec,
# uapi/netlink/irqfwd.yaml, with the kernel's own generator (ynl-gen-c.py
# from linux-source-6.12, see linux-source.sh), and check the spec against
# the kernel's genetlink-c schema on the way.
#
#   scripts/ynl-gen.sh           regenerate the files below in the tree
#   scripts/ynl-gen.sh --check   regenerate into a scratch directory and
#                                fail if the tree differs (a stale file)
#
# Writes:
#   uapi/linux/irqfwd_netlink.h                   the family's uAPI
#   module/compat/genl-split/irqfwd-nl.{c,h}      policies and split ops
#                                                 (Linux 6.2 and newer)
#   module/compat/genl-ops/irqfwd-nl.{c,h}        the same as per-op
#                                                 genl_ops (Linux 6.1,
#                                                 which has no split ops)
# Kbuild builds one of the two (module/compat/compat.mk).

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SPEC=uapi/netlink/irqfwd.yaml
check=0
case "${1:-}" in
--check) check=1 ;;
'') ;;
*) die "usage: $0 [--check]" ;;
esac

need_cmd python3
python3 -c 'import yaml, jsonschema' 2>/dev/null ||
	die "python3 needs the yaml and jsonschema modules (scripts/deps.sh)"
SRC=$("$IRQFWD_SCRIPTS/linux-source.sh")
GEN="$SRC/tools/net/ynl/ynl-gen-c.py"

# The generator finds the schema two directories above the spec, and
# names the spec by its path below the nearest MAINTAINERS file: give it
# a scratch tree shaped like the repository.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/in/uapi/netlink" "$scratch/out"
touch "$scratch/in/MAINTAINERS"
ln -s "$SRC"/Documentation/netlink/genetlink-{c,legacy}.yaml "$scratch/in/uapi/"
cp "$IRQFWD_REPO/$SPEC" "$scratch/in/$SPEC"
# The per-op variant for Linux 6.1: struct genl_ops has one policy for
# both do and dump, the do request's (so a dump request may carry the
# do's attributes too); only the genetlink-legacy schema lets a spec
# choose its kernel policy.
python3 - "$IRQFWD_REPO/$SPEC" "$scratch/in/uapi/netlink/irqfwd-per-op.yaml" <<'PY'
import sys
import yaml

with open(sys.argv[1]) as f:
    spec = yaml.safe_load(f)
spec['protocol'] = 'genetlink-legacy'
spec['kernel-policy'] = 'per-op'
for op in spec['operations']['list']:
    if 'do' in op and 'dump' in op:
        op['dump'].pop('request', None)
with open(sys.argv[2], 'w') as f:
    f.write('# SPDX-License-Identifier: ' + spec.pop('license', '') +
            '((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)\n')
    yaml.safe_dump(spec, f, sort_keys=False)
PY

gen() { # MODE KIND SPEC OUT
	mkdir -p "$(dirname "$scratch/out/$4")"
	python3 "$GEN" --mode "$1" "--$2" --spec "$scratch/in/$3" \
		-o "$scratch/out/$4" >"$scratch/log" 2>&1 || {
		tail -n 5 "$scratch/log" >&2
		die "generating $4 failed"
	}
}

gen uapi header "$SPEC" uapi/linux/irqfwd_netlink.h
for v in split ops; do
	spec=$SPEC
	[ "$v" = ops ] && spec=uapi/netlink/irqfwd-per-op.yaml
	gen kernel header "$spec" "module/compat/genl-$v/irqfwd-nl.h"
	gen kernel source "$spec" "module/compat/genl-$v/irqfwd-nl.c"
done
# Both variants come from the one spec in the tree.
sed -i "s|uapi/netlink/irqfwd-per-op.yaml|$SPEC (kernel-policy: per-op)|" \
	"$scratch/out/module/compat/genl-ops/"*

files=$(cd "$scratch/out" && find . -type f | sed 's|^\./||' | sort)
if [ "$check" = 1 ]; then
	rc=0
	for f in $files; do
		if ! cmp -s "$scratch/out/$f" "$IRQFWD_REPO/$f"; then
			warn "$f is stale: run scripts/ynl-gen.sh"
			diff -u "$IRQFWD_REPO/$f" "$scratch/out/$f" >&2 || true
			rc=1
		fi
	done
	[ "$rc" = 0 ] && log "generated netlink code matches $SPEC"
	exit "$rc"
fi
for f in $files; do
	mkdir -p "$(dirname "$IRQFWD_REPO/$f")"
	cp "$scratch/out/$f" "$IRQFWD_REPO/$f"
	log "wrote $f"
done
