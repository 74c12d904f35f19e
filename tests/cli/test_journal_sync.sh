#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# A journal records a slab only once its bytes are on disk. The test hook ZS_TEST_FAIL_SYNC=N makes
# the Nth slab sync fail: the run exits 1 naming the output, the slab whose sync failed (and every
# later one) is not recorded, `zslab status` says the output is incomplete, and --resume redoes it
# into the bytes of a plain run. A part that loses the race to rename OUT.partial still ends complete.
. "$(dirname "$0")/common.sh"

run create "$WORK/in.npy" --shape 16x12x20 --dtype uint16 --pattern noise --seed 5
expect_rc 0 "create the input"
OPS=(--op median:size=3 --slab 2 --threads 1 -q)
run filter "$WORK/in.npy" "$WORK/ref.npy" "${OPS[@]}"
expect_rc 0 "a plain run"

# recorded SLABS...: the journal's records are exactly these slabs
recorded() {
    CHECKS=$((CHECKS + 1))
    local got want
    got=$(cat "$WORK/out.npy.zsjournal"/part-* 2>/dev/null | awk '$1 == "slab" {print $2}' | sort -n | tr '\n' ' ')
    want=$(for s in "$@"; do printf '%s ' "$s"; done)
    [ "$got" = "$want" ] || fail "slabs recorded: '$got', expected '$want'"
}

for n in 1 3 6; do
    rm -rf "$WORK/out.npy" "$WORK/out.npy.partial" "$WORK/out.npy.zsjournal"
    LAST_CMD="ZS_TEST_FAIL_SYNC=$n zslab filter ... --journal"
    ZS_TEST_FAIL_SYNC=$n "$ZSLAB" filter "$WORK/in.npy" "$WORK/out.npy" "${OPS[@]}" --journal \
        >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    expect_rc 1 "sync $n fails"
    expect_err "out.npy"
    expect_err "cannot flush"
    # slabs 0 .. n-2 were synced and recorded; slab n-1's sync failed: it is not recorded
    recorded $(seq 0 $((n - 2)))
    expect_no_file "$WORK/out.npy"
    run status "$WORK/out.npy"
    expect_rc 3 "status of an incomplete output"
    expect_out "$((n - 1)) of 10 slabs"
    run filter "$WORK/in.npy" "$WORK/out.npy" "${OPS[@]}" --resume
    expect_rc 0 "resume after sync $n failed"
    CHECKS=$((CHECKS + 1))
    cmp -s "$WORK/out.npy" "$WORK/ref.npy" || fail "the resumed output differs from the plain run's (sync $n)"
done

# Parts (or MPI ranks) that finish together race to rename OUT.partial; the hook ZS_TEST_RENAME_RACE
# makes another part win between this part's check and its rename: the job is still complete.
rm -rf "$WORK/out.npy" "$WORK/out.npy.zsjournal"
LAST_CMD="ZS_TEST_RENAME_RACE=1 zslab filter ... --journal"
ZS_TEST_RENAME_RACE=1 "$ZSLAB" filter "$WORK/in.npy" "$WORK/out.npy" "${OPS[@]}" --journal >"$WORK/.out" 2>"$WORK/.err"
RC=$?
expect_rc 0 "another part renamed OUT.partial first"
run status "$WORK/out.npy"
expect_rc 0 "status after the race"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/out.npy" "$WORK/ref.npy" || fail "the output after the race differs from the plain run's"

done_ok
