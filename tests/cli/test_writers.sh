#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# One output, one writer. Two runs started together for one output: exactly one succeeds, the
# other exits 1 naming the output, and the output is the successful run's, byte for byte (20
# times, both orders, and 4 more with --engine uring). --force replaces a finished output but
# never a run in progress; a killed run's OUT.partial is taken over by the next run; every format
# (and a plane series) is claimed the same way.
. "$(dirname "$0")/common.sh"

IN="$WORK/in.npy"
run create "$IN" --shape 64x48x16 --dtype uint16 --pattern noise --seed 3
expect_rc 0 "create the input"
A=(--op median:size=3)
B=(--op uniform:size=3)
run filter "$IN" "$WORK/ref_a.npy" "${A[@]}"
expect_rc 0 "reference A"
run filter "$IN" "$WORK/ref_b.npy" "${B[@]}"
expect_rc 0 "reference B"

# race I [ARGS...]: repetition I, two runs (A and B, in an order set by I) for one output.
race() {
    local i=$1
    shift
    out="$WORK/out.npy"
    rm -f "$out"
    if [ $((i % 2)) -eq 0 ]; then first=(a "${A[@]}") second=(b "${B[@]}"); else first=(b "${B[@]}") second=(a "${A[@]}"); fi
    "$ZSLAB" filter "$IN" "$out" "${first[@]:1}" --slab 2 --threads 1 "$@" >"$WORK/.out1" 2>"$WORK/.err1" &
    p1=$!
    "$ZSLAB" filter "$IN" "$out" "${second[@]:1}" --slab 2 --threads 1 "$@" >"$WORK/.out2" 2>"$WORK/.err2" &
    p2=$!
    wait "$p1"
    r1=$?
    wait "$p2"
    r2=$?
    LAST_CMD="repetition $i: two runs (${first[0]}, ${second[0]}) $* for $out: exit codes $r1 and $r2"
    RC="$r1 $r2"
    cat "$WORK/.err1" "$WORK/.err2" >"$WORK/.err"
    CHECKS=$((CHECKS + 1))
    if [ "$r1" -eq 0 ] && [ "$r2" -eq 1 ]; then
        winner=${first[0]} loser_err=$WORK/.err2
    elif [ "$r1" -eq 1 ] && [ "$r2" -eq 0 ]; then
        winner=${second[0]} loser_err=$WORK/.err1
    else
        fail "expected exactly one run to succeed and the other to exit 1"
    fi
    CHECKS=$((CHECKS + 1))
    grep -qE "out.npy: (another run is writing it|exists|appeared while this run wrote)" "$loser_err" ||
        fail "the refused run does not say why"
    CHECKS=$((CHECKS + 1))
    cmp -s "$out" "$WORK/ref_$winner.npy" || fail "out.npy is not the result of the run that succeeded ($winner)"
    expect_no_file "$out.partial"
}
# The runs last a few slabs of 20 ms (test hook), so they overlap whatever the scheduling.
export ZS_TEST_SLAB_DELAY_MS=20
for i in $(seq 1 20); do
    race "$i"
done
for i in 1 2 3 4; do # O_DIRECT writes through io_uring
    race "$i" --engine uring
done

# --force does not take an output from a run in progress: the first run stops itself (test hook
# ZS_TEST_STOP_AT_SLAB) with its claim held while the second one tries, then goes on.
unset ZS_TEST_SLAB_DELAY_MS
rm -f "$WORK/out.npy"
ZS_TEST_STOP_AT_SLAB=2 "$ZSLAB" filter "$IN" "$WORK/out.npy" "${A[@]}" --slab 2 --threads 1 >/dev/null 2>"$WORK/.err1" &
p1=$!
wait_stopped "$p1" || fail "the first run ended before the hook stopped it"
run filter "$IN" "$WORK/out.npy" "${B[@]}" --force
expect_rc 1 "--force while another run writes the output"
expect_err "out.npy: another run is writing it ($WORK/out.npy.partial is locked by that process)"
kill -CONT "$p1"
wait "$p1"
CHECKS=$((CHECKS + 1))
[ $? -eq 0 ] || fail "the first run failed: $(cat "$WORK/.err1")"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/out.npy" "$WORK/ref_a.npy" || fail "the first run's output was changed by the second"

# a journaled run (--resume) does not touch a plain run's OUT.partial, and a plain --force run does
# not take the output of a journaled run in progress
rm -f "$WORK/out.npy"
ZS_TEST_STOP_AT_SLAB=2 "$ZSLAB" filter "$IN" "$WORK/out.npy" "${A[@]}" --slab 2 --threads 1 >/dev/null 2>"$WORK/.err1" &
p1=$!
wait_stopped "$p1" || fail "the plain run ended before the hook stopped it"
run filter "$IN" "$WORK/out.npy" "${A[@]}" --resume
expect_rc 1 "--resume while a plain run writes the output"
expect_err "another run is writing it"
expect_file "$WORK/out.npy.partial"
kill -CONT "$p1"
wait "$p1"
CHECKS=$((CHECKS + 1))
[ $? -eq 0 ] || fail "the plain run failed after a refused --resume: $(cat "$WORK/.err1")"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/out.npy" "$WORK/ref_a.npy" || fail "the plain run's output was changed by the refused --resume"
rm -f "$WORK/out.npy"
ZS_TEST_STOP_AT_SLAB=2 "$ZSLAB" filter "$IN" "$WORK/out.npy" "${A[@]}" --slab 2 --threads 1 --journal >/dev/null \
    2>"$WORK/.err1" &
p1=$!
wait_stopped "$p1" || fail "the journaled run ended before the hook stopped it"
run filter "$IN" "$WORK/out.npy" "${B[@]}" --force
expect_rc 1 "--force while a journaled run writes the output"
expect_err "another run is writing it"
kill -CONT "$p1"
wait "$p1"
CHECKS=$((CHECKS + 1))
[ $? -eq 0 ] || fail "the journaled run failed after a refused --force: $(cat "$WORK/.err1")"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/out.npy" "$WORK/ref_a.npy" || fail "the journaled run's output was changed by the refused --force"

# ... but replaces a finished one
run filter "$IN" "$WORK/out.npy" "${B[@]}" --force
expect_rc 0 "--force over a finished output"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/out.npy" "$WORK/ref_b.npy" || fail "--force did not replace the finished output"

# a killed run's OUT.partial (no lock held) is taken over by the next run
rm -f "$WORK/out.npy"
head -c 12345 /dev/urandom >"$WORK/out.npy.partial"
run filter "$IN" "$WORK/out.npy" "${A[@]}"
expect_rc 0 "a stale OUT.partial"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/out.npy" "$WORK/ref_a.npy" || fail "the run over a stale OUT.partial wrote a wrong output"

# every format is claimed: a second writer of a .nii, a .tif, a .mhd or a plane series is refused
for out in out.nii out.tif out.mhd planes/; do
    ZS_TEST_STOP_AT_SLAB=2 "$ZSLAB" filter "$IN" "$WORK/$out" "${A[@]}" --slab 2 --threads 1 >/dev/null \
        2>"$WORK/.err1" &
    p1=$!
    wait_stopped "$p1" || fail "the first writer of $out ended before the hook stopped it"
    run filter "$IN" "$WORK/$out" "${B[@]}" --force
    expect_rc 1 "a second writer of $out"
    expect_err "another run is writing it"
    kill -CONT "$p1"
    wait "$p1"
    CHECKS=$((CHECKS + 1))
    [ $? -eq 0 ] || fail "the first writer of $out failed: $(cat "$WORK/.err1")"
done

done_ok
