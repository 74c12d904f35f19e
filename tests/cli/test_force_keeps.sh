#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Starting a journaled job over an existing OUT with --force keeps that OUT in place until the new
# output replaces it, complete: a run killed (SIGKILL, the test hook ZS_TEST_STOP_AT_SLAB stops it
# first) or failing (ZS_TEST_FAIL_PART) leaves the earlier OUT byte for byte, `zslab status` calls
# the job incomplete, and --resume (which takes no --force) finishes it over the earlier OUT. For
# filter (an output written in place) and label and detect (slab records, OUT written at the end).
. "$(dirname "$0")/common.sh"

run create "$WORK/in.npy" --shape 64x48x40 --dtype uint16 --pattern cells --seed 5
expect_rc 0 "create the input"

sum() { sha256sum "$1" | cut -d' ' -f1; }
# same_as WHAT A B: A and B hold the same bytes
same_as() {
    CHECKS=$((CHECKS + 1))
    [ "$(sum "$2")" = "$(sum "$3")" ] || fail "$1: $2 differs from $3"
}
status_says() {
    run status "$1"
    CHECKS=$((CHECKS + 1))
    grep -q "$2" "$WORK/.out" || fail "zslab status $1: wanted '$2', got: $(cat "$WORK/.out" "$WORK/.err")"
}

# killed CMD ARGS...: runs zslab CMD ARGS... until it stops itself before slab 2, then kills it.
killed() {
    ZS_TEST_STOP_AT_SLAB=2 "$ZSLAB" "$@" --slab 8 --threads 1 >"$WORK/.out" 2>"$WORK/.err" &
    local pid=$!
    CHECKS=$((CHECKS + 1))
    wait_stopped "$pid" || fail "zslab $* did not stop at slab 2"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
}

# ---- filter --journal --force: killed, then resumed
run filter "$WORK/in.npy" "$WORK/f.npy" --op gaussian:sigma=1 --dtype float32
expect_rc 0 "the earlier output"
cp "$WORK/f.npy" "$WORK/f_old.npy"
run filter "$WORK/in.npy" "$WORK/f_ref.npy" --op gaussian:sigma=2 --dtype float32
expect_rc 0 "the new output, by a plain run"
killed filter "$WORK/in.npy" "$WORK/f.npy" --op gaussian:sigma=2 --dtype float32 --journal --force
same_as "filter --journal --force, killed" "$WORK/f.npy" "$WORK/f_old.npy"
status_says "$WORK/f.npy" "incomplete"
run filter "$WORK/in.npy" "$WORK/f.npy" --op gaussian:sigma=2 --dtype float32 --resume --slab 8
expect_rc 0 "filter --resume over the earlier output"
same_as "filter, resumed" "$WORK/f.npy" "$WORK/f_ref.npy"
status_says "$WORK/f.npy" "complete"

# ---- label --journal --force: a part that fails, then killed, then resumed
run label "$WORK/in.npy" "$WORK/l.npy" --threshold 100
expect_rc 0 "the earlier labels"
cp "$WORK/l.npy" "$WORK/l_old.npy"
run label "$WORK/in.npy" "$WORK/l_ref.npy" --threshold 300
expect_rc 0 "the new labels, by a plain run"
ZS_TEST_FAIL_PART=0 run label "$WORK/in.npy" "$WORK/l.npy" --threshold 300 --journal --force
expect_rc 1 "label --journal --force, failing on purpose"
same_as "label --journal --force, failed" "$WORK/l.npy" "$WORK/l_old.npy"
killed label "$WORK/in.npy" "$WORK/l.npy" --threshold 300 --journal --force
same_as "label --journal --force, killed" "$WORK/l.npy" "$WORK/l_old.npy"
status_says "$WORK/l.npy" "incomplete"
run label "$WORK/in.npy" "$WORK/l.npy" --threshold 300 --resume --slab 8
expect_rc 0 "label --resume over the earlier labels"
same_as "label, resumed" "$WORK/l.npy" "$WORK/l_ref.npy"
expect_no_file "$WORK/l.npy.zsjournal"

# ---- detect --journal --force: killed, then resumed
run detect "$WORK/in.npy" "$WORK/c.csv" --maxima size=3:threshold=100
expect_rc 0 "the earlier cells"
cp "$WORK/c.csv" "$WORK/c_old.csv"
run detect "$WORK/in.npy" "$WORK/c_ref.csv" --maxima size=5:threshold=300
expect_rc 0 "the new cells, by a plain run"
killed detect "$WORK/in.npy" "$WORK/c.csv" --maxima size=5:threshold=300 --journal --force
same_as "detect --journal --force, killed" "$WORK/c.csv" "$WORK/c_old.csv"
run detect "$WORK/in.npy" "$WORK/c.csv" --maxima size=5:threshold=300 --resume --slab 8
expect_rc 0 "detect --resume over the earlier cells"
same_as "detect, resumed" "$WORK/c.csv" "$WORK/c_ref.csv"

# ---- an OUT that is a symbolic link: the link is what the job replaces (its target is never written)
cp "$WORK/f_old.npy" "$WORK/target.npy"
ln -s target.npy "$WORK/s.npy"
killed filter "$WORK/in.npy" "$WORK/s.npy" --op gaussian:sigma=2 --dtype float32 --journal --force
status_says "$WORK/s.npy" "incomplete"
run filter "$WORK/in.npy" "$WORK/s.npy" --op gaussian:sigma=2 --dtype float32 --resume --slab 8
expect_rc 0 "filter --resume over a linked OUT"
CHECKS=$((CHECKS + 1))
[ -f "$WORK/s.npy" ] && [ ! -L "$WORK/s.npy" ] || fail "the finished output is not a file in place of the link"
same_as "filter over a link, resumed" "$WORK/s.npy" "$WORK/f_ref.npy"
same_as "the link's target" "$WORK/target.npy" "$WORK/f_old.npy"

cp "$WORK/l_old.npy" "$WORK/ltarget.npy"
ln -s ltarget.npy "$WORK/ls.npy"
killed label "$WORK/in.npy" "$WORK/ls.npy" --threshold 300 --journal --force
run label "$WORK/in.npy" "$WORK/ls.npy" --threshold 300 --resume --slab 8
expect_rc 0 "label --resume over a linked OUT"
CHECKS=$((CHECKS + 1))
[ -f "$WORK/ls.npy" ] && [ ! -L "$WORK/ls.npy" ] || fail "labels over a link: the link was taken for the finished output"
same_as "labels over a link, resumed" "$WORK/ls.npy" "$WORK/l_ref.npy"
same_as "the labels link's target" "$WORK/ltarget.npy" "$WORK/l_old.npy"

# ---- a directory OUT (a Zarr store) cannot be renamed over when the job finishes: refused at the start
run filter "$WORK/in.npy" "$WORK/z.zarr" --op gaussian:sigma=1 --dtype float32
expect_rc 0 "an earlier Zarr output"
before=$(cd "$WORK/z.zarr" && find . -type f -exec sha256sum {} + | sort)
run filter "$WORK/in.npy" "$WORK/z.zarr" --op gaussian:sigma=2 --dtype float32 --journal --force
expect_rc 1 "filter --journal --force over a Zarr directory"
CHECKS=$((CHECKS + 1))
grep -q "is a directory" "$WORK/.err" || fail "the refusal does not say the OUT is a directory: $(cat "$WORK/.err")"
CHECKS=$((CHECKS + 1))
[ -n "$before" ] && [ "$(cd "$WORK/z.zarr" && find . -type f -exec sha256sum {} + | sort)" = "$before" ] ||
    fail "the earlier Zarr output changed"

# ---- without --force the earlier output is still refused
run filter "$WORK/in.npy" "$WORK/f.npy" --op gaussian:sigma=2 --journal
expect_rc 1 "filter --journal over an output without a journal"
run label "$WORK/in.npy" "$WORK/l.npy" --threshold 300 --journal
expect_rc 1 "label --journal over an output without a journal"

done_ok
