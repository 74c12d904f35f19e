#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# SIGINT/SIGTERM never leave a partial output: filter stops at the next slab (or layer of a
# pyramid level) and exits 1, with pwrite or io_uring writes under way; create removes its partial file and dies of the signal. The
# signal is sent only once the tool has its handler (SigCgt in /proc/PID/status) and its
# OUT.partial, while it is stopped (SIGSTOP), so it always lands mid-run; filter is also slowed
# by the test hook ZS_TEST_SLAB_DELAY_MS (a sleep before each slab and each layer of a pyramid
# level), so that slabs are left to stop.
# A run that ends before the signal fails the test.
. "$(dirname "$0")/common.sh"

# caught PID SIGNUM: true when the process has a handler for the signal.
caught() {
    local mask
    mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$mask" ] && (((0x$mask >> ($2 - 1)) & 1))
}

# signal_mid_run PID SIG SIGNUM PARTIAL: sends SIG once PID catches it and PARTIAL exists,
# checked again while PID is stopped; false when PID ends first.
signal_mid_run() {
    local pid=$1 sig=$2 num=$3 partial=$4
    for _ in $(seq 1 3000); do
        kill -0 "$pid" 2>/dev/null || return 1
        if caught "$pid" "$num" && [ -e "$partial" ]; then
            kill -STOP "$pid" 2>/dev/null || return 1
            if caught "$pid" "$num" && [ -e "$partial" ]; then
                kill "-$sig" "$pid"
                kill -CONT "$pid"
                return 0
            fi
            kill -CONT "$pid"
        fi
        sleep 0.01
    done
    return 1
}

[ -r /proc/self/status ] || fail "no /proc/self/status: this test needs Linux's /proc"

IN="$WORK/in.npy"
run create "$IN" --shape 128x128x64 --dtype uint16 --pattern noise
expect_rc 0 "create the input"

for engine in pread uring; do
    ZS_TEST_SLAB_DELAY_MS=50 "$ZSLAB" filter "$IN" "$WORK/out.npy" --op gaussian:sigma=2 --op gaussian:sigma=2 \
        --threads 1 --slab 1 --engine "$engine" >"$WORK/.out" 2>"$WORK/.err" &
    pid=$!
    signal_mid_run "$pid" INT 2 "$WORK/out.npy.partial"
    sent=$?
    wait "$pid"
    RC=$?
    LAST_CMD="zslab filter --engine $engine, 64 slabs of at least 50 ms (SIGINT once running)"
    CHECKS=$((CHECKS + 1))
    [ "$sent" -eq 0 ] || fail "filter --engine $engine ended before it could be interrupted"
    expect_rc 1 "filter --engine $engine interrupted"
    expect_err "$WORK/out.npy: interrupted"
    expect_no_file "$WORK/out.npy"
    expect_no_file "$WORK/out.npy.partial"
done

# The levels of a pyramid are part of the run, made as level 0 is written: a signal once level 1's
# array exists (each layer of a level sleeps ZS_TEST_SLAB_DELAY_MS too) stops it as at a slab,
# exit 1, nothing committed and OUT.partial/ removed.
ZS_TEST_SLAB_DELAY_MS=50 "$ZSLAB" filter "$IN" "$WORK/out.zarr" --op gaussian:sigma=1 --pyramid 2 --chunks 4x32x32 \
    --threads 1 --slab 16 >"$WORK/.out" 2>"$WORK/.err" &
pid=$!
signal_mid_run "$pid" TERM 15 "$WORK/out.zarr.partial/1/.zarray"
sent=$?
wait "$pid"
RC=$?
LAST_CMD="zslab filter --pyramid 2, layers of at least 50 ms (SIGTERM while level 1 is built)"
CHECKS=$((CHECKS + 1))
[ "$sent" -eq 0 ] || fail "filter ended before its pyramid levels could be interrupted"
expect_rc 1 "filter interrupted while building its pyramid"
expect_err "$WORK/out.zarr: interrupted"
expect_no_file "$WORK/out.zarr"
expect_no_file "$WORK/out.zarr.partial"

"$ZSLAB" create "$WORK/big.npy" --shape 1024x1024x128 --dtype uint16 --pattern phantom --threads 1 \
    >"$WORK/.out" 2>"$WORK/.err" &
pid=$!
signal_mid_run "$pid" TERM 15 "$WORK/big.npy.partial"
sent=$?
wait "$pid"
RC=$?
LAST_CMD="zslab create (SIGTERM while filling)"
CHECKS=$((CHECKS + 1))
[ "$sent" -eq 0 ] || fail "create ended before it could be interrupted"
expect_rc 143 "create killed by SIGTERM"
expect_no_file "$WORK/big.npy"
expect_no_file "$WORK/big.npy.partial"

done_ok
