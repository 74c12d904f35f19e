#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# bench/targets.sh runs end to end on a small volume (zslab's own phantom when the peers'
# make_volume.py is absent) and prints one complete row per workload. Only the shape of the
# table is checked: speed is measured by the benchmarks, not by tests.
. "$(dirname "$0")/common.sh"

script="$(cd "$(dirname "$0")/../.." && pwd)/bench/targets.sh"
LAST_CMD="bench/targets.sh --size 64x48x40 --repeat 1 --ops 'gaussian2 max5 copy'"
ZSLAB="$ZSLAB" PEERS="$WORK/no-peers" bash "$script" --size 64x48x40 --repeat 1 --ops "gaussian2 max5 copy" \
    --budget 256M --dir "$WORK/vol" >"$WORK/.out" 2>"$WORK/.err"
RC=$?
expect_rc 0
[ -f "$WORK/vol/w1.npy" ] || fail "no test volume made"
for op in gaussian2 max5 copy; do
    row=$(grep "^$op " "$WORK/.out") || fail "no row for $op"
    # op bound r+s comp e2e overlap scaling rss/budget
    set -- $row
    [ $# -eq 8 ] || fail "row for $op has $# fields: $row"
    case $2 in I/O | compute) ;; *) fail "bound of $op is '$2'" ;; esac
    for v in "$3" "$4" "$5" "$6" "${7%x}"; do
        awk -v v="$v" 'BEGIN { exit !(v ~ /^[0-9]+(\.[0-9]+)?$/) }' || fail "non-numeric field '$v' in: $row"
    done
    if [ -x /usr/bin/time ]; then
        rss=${8%/*}
        [ "$rss" -gt 0 ] && [ "$rss" -lt 256 ] || fail "peak RSS of $op is '$8' MiB, budget 256"
    fi
    CHECKS=$((CHECKS + 1))
done
done_ok
