#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# SIGINT/SIGTERM never leave a partial output: filter stops at the next slab and exits 1;
# create removes its partial file and dies of the signal. A run that ends before the
# signal arrives proves nothing and is skipped, not failed.
. "$(dirname "$0")/common.sh"

IN="$WORK/in.npy"
run create "$IN" --shape 512x512x192 --dtype uint16 --pattern noise
expect_rc 0 "create the input"

"$ZSLAB" filter "$IN" "$WORK/out.npy" --op gaussian:sigma=4 --op gaussian:sigma=4 --threads 1 --slab 4 \
    >"$WORK/.out" 2>"$WORK/.err" &
pid=$!
sleep 0.4
kill -INT "$pid" 2>/dev/null
wait "$pid"
RC=$?
LAST_CMD="zslab filter (SIGINT after 0.4 s)"
if [ "$RC" -eq 0 ]; then
    echo "skip [$TEST_NAME]: filter finished before SIGINT"
else
    expect_rc 1 "filter interrupted"
    expect_err "$WORK/out.npy: interrupted"
    expect_no_file "$WORK/out.npy"
    expect_no_file "$WORK/out.npy.partial"
fi

"$ZSLAB" create "$WORK/big.npy" --shape 1024x1024x384 --dtype uint16 --pattern phantom --threads 1 \
    >"$WORK/.out" 2>"$WORK/.err" &
pid=$!
sleep 0.4
kill -TERM "$pid" 2>/dev/null
wait "$pid"
RC=$?
LAST_CMD="zslab create (SIGTERM after 0.4 s)"
if [ "$RC" -eq 0 ]; then
    echo "skip [$TEST_NAME]: create finished before SIGTERM"
else
    expect_rc 143 "create killed by SIGTERM"
    expect_no_file "$WORK/big.npy"
    expect_no_file "$WORK/big.npy.partial"
fi

done_ok
