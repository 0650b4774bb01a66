#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian trixie root that kernels built with trixie's gcc (trixie's
# 6.12, trixie-backports' 7.x) need for out-of-tree builds:
#
#   scripts/trixie-root.sh [PKG...]
#
# is scripts/debian-root.sh trixie [PKG...]: prints the root's path,
# $IRQFWD_CACHE/trixie-root, and makes it on the first run.

set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/debian-root.sh" trixie "$@"
