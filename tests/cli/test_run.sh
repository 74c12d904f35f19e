#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# The happy path: create → info → filter → convert; the summary line; quiet and verbose;
# the same bytes whatever the thread count.
. "$(dirname "$0")/common.sh"

IN="$WORK/ph.npy"
run create "$IN" --shape 96x80x40 --dtype uint16 --pattern phantom --seed 3
expect_rc 0 "create"
expect_no_out
expect_no_err
run create "$WORK/ph2.npy" --shape 96x80x40 --dtype uint16 --pattern phantom --seed 3 --threads 1 -v
expect_rc 0 "create -v"
expect_err "created $WORK/ph2.npy: 96x80x40 uint16, phantom (seed 3)"
cmp -s "$IN" "$WORK/ph2.npy" || fail "create: 1 thread and the default differ"

run info "$IN"
expect_rc 0
expect_out "shape:      96 x 80 x 40"
expect_out "uint16"
run info "$IN" --json
expect_rc 0
expect_out '"shape": [96, 80, 40]'
run info "$IN" "$WORK/ph2.npy" --json
expect_rc 0 "two files"
[ "$(grep -c '^{' "$WORK/.out")" -eq 2 ] || fail "expected one JSON object per file"

# filter: one summary line on stderr, nothing on stdout
run filter "$IN" "$WORK/f.npy" --op gaussian:sigma=1 --dtype float32 --threads 2 --slab 8
expect_rc 0 "filter"
expect_no_out
expect_err_re '^zslab: filtered .*/ph\.npy -> .*/f\.npy: 96x80x40 uint16 -> float32, [0-9.]+ Mvox in [0-9.]+ s \([0-9.]+ Mvox/s, [0-9.]+ GB/s in\), 2 threads, 5 slabs of 8 planes$'
[ "$(grep -vc '^zslab: filtered' "$WORK/.err")" -eq 0 ] || fail "more than the summary on stderr"
run info "$WORK/f.npy"
expect_out "float32"

# the same bytes with 1 thread and other slab heights
for opts in "--threads 1 --slab 40" "--threads 2 --slab 3" "--threads 3 --slab 1"; do
    run filter "$IN" "$WORK/g.npy" --op gaussian:sigma=1 --dtype float32 $opts -q -f
    expect_rc 0 "filter $opts"
    expect_no_err
    cmp -s "$WORK/f.npy" "$WORK/g.npy" || fail "filter $opts differs from --threads 2 --slab 8"
done
ZS_THREADS=1 "$ZSLAB" filter "$IN" "$WORK/h.npy" --op gaussian:sigma=1 --dtype float32 -q ||
    fail "filter with ZS_THREADS=1"
cmp -s "$WORK/f.npy" "$WORK/h.npy" || fail "ZS_THREADS=1 differs"

# -q: nothing at all; -v: the pipeline, normalised
run filter "$IN" "$WORK/q.npy" --op gaussian -q
expect_rc 0
expect_no_out
expect_no_err
run filter "$IN" "$WORK/v.npy" --op gaussian:sigma=2 -v
expect_rc 0
expect_err "pipeline: gaussian:sigma=2x2x2"

# dry run: the plan on stdout, nothing created
run filter "$IN" "$WORK/dry.npy" --op gaussian:sigma=1 --slab 10 --dry-run
expect_rc 0
expect_out "slabs:"
expect_out "4 of 10 planes"
expect_no_file "$WORK/dry.npy"

# convert: dtype and format; NIfTI round trip keeps the values of a ramp
run create "$WORK/r.npy" --shape 20x10x5 --dtype uint8 --pattern ramp
run convert "$WORK/r.npy" "$WORK/r.nii" --dtype int16
expect_rc 0 "convert to NIfTI"
expect_err_re '^zslab: converted .* 20x10x5 uint8 -> int16, '
run convert "$WORK/r.nii" "$WORK/r2.npy" --dtype uint8 -q
expect_rc 0 "convert back"
cmp -s "$WORK/r.npy" "$WORK/r2.npy" || fail "npy -> nii -> npy changed the ramp"
run convert "$WORK/r.npy" "$WORK/r.raw" -q
expect_rc 0 "convert to raw"
[ "$(stat -c %s "$WORK/r.raw")" -eq 1000 ] || fail "raw output is not 1000 bytes"
run convert "$WORK/r.raw" "$WORK/r3.npy" --in-shape 20x10x5 --in-dtype uint8 -q
expect_rc 0 "convert from raw"
cmp -s "$WORK/r.npy" "$WORK/r3.npy" || fail "npy -> raw -> npy changed the ramp"

# raw output is the F-order data without a header: read back with --in-order F
run create "$WORK/c.npy" --shape 6x5x4 --dtype uint16 --pattern noise
run convert "$WORK/c.npy" "$WORK/c.raw" -q
run convert "$WORK/c.raw" "$WORK/c2.npy" --in-shape 6x5x4 --in-dtype uint16 --in-order F -q
expect_rc 0
cmp -s "$WORK/c.npy" "$WORK/c2.npy" || fail "F-order raw round trip"

done_ok
