#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Journals, parts and --resume on every input form of a plane series (a printf pattern, a quoted
# glob, a directory): the journal's fingerprint lists the volume's files through its format, so
# a series resumes like a single file, and a plane changed between the runs is noticed.
. "$(dirname "$0")/common.sh"

SER="$WORK/ser"
mkdir "$SER"
run create "$SER/plane_%04d.tif" --shape 24x20x12 --dtype uint16 --pattern ramp
expect_rc 0 "create the series"
OPS=(--op gaussian:sigma=1 --slab 2)
run filter "$SER/plane_%04d.tif" "$WORK/ref.npy" "${OPS[@]}" -q
expect_rc 0 "a plain run"

n=0
for IN in "$SER/plane_%04d.tif" "$SER/*.tif" "$SER"; do
    n=$((n + 1))
    DST="$WORK/out$n.npy"
    # a journaled run, then --resume on the finished output
    run filter "$IN" "$DST" "${OPS[@]}" --journal -q
    expect_rc 0 "--journal on $IN"
    cmp -s "$DST" "$WORK/ref.npy" || fail "the journaled output of $IN differs from a plain run's"
    run filter "$IN" "$DST" "${OPS[@]}" --resume
    expect_rc 0 "--resume of a finished job on $IN"
    expect_err "complete already"
    # part 0 of 2, then --resume does the rest
    DST="$WORK/part$n.npy"
    run filter "$IN" "$DST" "${OPS[@]}" --part 0/2 -q
    expect_rc 0 "--part 0/2 on $IN"
    expect_file "$DST.partial"
    run filter "$IN" "$DST" "${OPS[@]}" --resume -q
    expect_rc 0 "--resume after a part on $IN"
    cmp -s "$DST" "$WORK/ref.npy" || fail "the resumed output of $IN differs from a plain run's"
    expect_no_file "$DST.partial"
    run status "$DST"
    expect_rc 0 "status of $IN's output"
done

# a plane replaced between the parts: the job is refused, naming what differs
run filter "$SER" "$WORK/changed.npy" "${OPS[@]}" --part 0/2 -q
expect_rc 0 "--part 0/2 before the change"
cp -p "$SER/plane_0007.tif" "$WORK/keep.tif"
run create "$WORK/other_%04d.tif" --shape 24x20x1 --dtype uint16 --pattern noise --seed 5
expect_rc 0 "a plane of other values"
cp "$WORK/other_0000.tif" "$SER/plane_0007.tif"
run filter "$SER" "$WORK/changed.npy" "${OPS[@]}" --resume
expect_rc 1 "--resume after a plane changed"
expect_err "belongs to another job"
expect_err "input-files"
# the plane back as it was (bytes and modification time): the job continues
cp -p "$WORK/keep.tif" "$SER/plane_0007.tif"
run filter "$SER" "$WORK/changed.npy" "${OPS[@]}" --resume -q
expect_rc 0 "--resume once the plane is back"
cmp -s "$WORK/changed.npy" "$WORK/ref.npy" || fail "the output resumed after the plane came back differs"

# a batch's records of a series: a rerun skips it; a plane changed since makes it run again
echo "$SER/plane_%04d.tif" >"$WORK/list.txt"
run filter --batch "$WORK/list.txt" --out-dir "$WORK/bout" --out-format npy "${OPS[@]}"
expect_rc 0 "a batch of one series"
expect_err "1 done, 0 skipped"
run filter --batch "$WORK/list.txt" --out-dir "$WORK/bout" --out-format npy "${OPS[@]}"
expect_rc 0 "the batch again"
expect_err "0 done, 1 skipped"
cp "$WORK/other_0000.tif" "$SER/plane_0003.tif"
run filter --batch "$WORK/list.txt" --out-dir "$WORK/bout" --out-format npy "${OPS[@]}"
expect_rc 0 "the batch after a plane changed"
expect_err "1 done, 0 skipped"

done_ok
