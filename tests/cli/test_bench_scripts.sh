#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# bench/targets.sh runs end to end on a small volume (zslab's own phantom when the peers'
# make_volume.py is absent) and prints one complete row per workload. Only the shape of the
# table is checked: speed is measured by the benchmarks, not by tests. bench/claims.sh likewise:
# only its lines and its exit code are checked, not the figures.
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

# bench/claims.sh on tiny volumes: every claim gives one PASS, MISS or "not checked" line and the exit
# code follows the count of misses (the figures of tiny volumes mean nothing: only the logic is checked)
claims="$(dirname "$script")/claims.sh"
LAST_CMD="bench/claims.sh --size 64x48x16 --big 64x96x16 --repeat 1"
ZSLAB="$ZSLAB" bash "$claims" --size 64x48x16 --big 64x96x16 --repeat 1 --dir "$WORK/claims" >"$WORK/.out" 2>"$WORK/.err"
RC=$?
summary=$(grep '^claims.sh: ' "$WORK/.out") || fail "no summary line"
set -- $summary
checked=$2 missed=$4
[ "$(grep -cE '^(PASS|MISS) ' "$WORK/.out")" -eq "$checked" ] || fail "$checked checked, but not as many PASS/MISS lines"
[ "$(grep -c '^MISS ' "$WORK/.out")" -eq "$missed" ] || fail "$missed missed, but not as many MISS lines"
for claim in tiff deflate journal engines direct default bands rss; do
    grep -qE "^(PASS|MISS|not checked) +$claim " "$WORK/.out" || fail "no line for the claim $claim"
done
if [ "$missed" -eq 0 ]; then expect_rc 0 "no claim missed"; else expect_rc 1 "$missed claim(s) missed"; fi
done_ok
