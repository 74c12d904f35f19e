#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Bad --op specs exit 2 before anything is written, naming the kernel or parameter, its
# bounds and what was given. Bounds come from the kernel descriptors, so they are read
# back from `zslab list` rather than written here.
. "$(dirname "$0")/common.sh"

IN="$WORK/in.npy"
OUTF="$WORK/out.npy"
run create "$IN" --shape 12x10x8 --dtype uint16 --pattern noise
expect_rc 0 "create the input"

# bad_op EXPECTED-TEXT... -- SPEC: exit 2, each text in the message, no output file
bad_op() {
    local wants=()
    while [ "$1" != "--" ]; do wants+=("$1"); shift; done
    shift
    run filter "$IN" "$OUTF" --op "$1"
    expect_rc 2 "--op $1"
    expect_err "--op '$1'"
    for w in "${wants[@]}"; do expect_err "$w"; done
    expect_err_prefixed
    expect_no_file "$OUTF"
    expect_no_file "$OUTF.partial"
}

bad_op "unknown kernel 'nosuch'" "zslab list" -- nosuch
bad_op "unknown kernel 'Gaussian'" -- Gaussian
bad_op "no kernel name" -- ":sigma=1"
bad_op "unknown parameter 'sigmaa'" "sigma" -- gaussian:sigmaa=2
bad_op "'sigma' must be" "[0, " "got '-1'" -- gaussian:sigma=-1
bad_op "'sigma'" "got '-0.5x1x1'" -- gaussian:sigma=-0.5x1x1
bad_op "'sigma'" "'3x'" -- gaussian:sigma=3x
bad_op "'sigma'" "'1x2'" -- gaussian:sigma=1x2
bad_op "'sigma'" "'abc'" -- gaussian:sigma=abc
bad_op "'sigma'" "'nan'" -- gaussian:sigma=nan
bad_op "'truncate'" "got '1e9'" -- gaussian:truncate=1e9
bad_op "'mode'" "'sideways'" -- gaussian:mode=sideways
bad_op "not key=value" -- gaussian:sigma
bad_op "'size'" "is 0 along x" -- median:size=0
bad_op "'size'" "got '2.5'" -- uniform:size=2.5
bad_op "'size'" "'3x'" -- uniform:size=3x
bad_op "'size'" "got '-3'" -- uniform:size=-3
bad_op "'size'" "'99999999999999999999999'" -- uniform:size=99999999999999999999999
# a physical size needs a voxel size with a unit in the input (.npy has none)
bad_op "'sigma=2um'" "voxel size" -- gaussian:sigma=2um

# the bounds printed match `zslab list`
run list gaussian
expect_rc 0
bounds=$(sed -n 's/^ *sigma .*\(\[[^]]*\]\).*/\1/p' "$WORK/.out" | head -n1)
[ -n "$bounds" ] || fail "zslab list gaussian shows no bounds for sigma"
run filter "$IN" "$OUTF" --op gaussian:sigma=-1
expect_err "$bounds"

# the second of several --op is named
run filter "$IN" "$OUTF" --op gaussian:sigma=1 --op uniform:size=-2
expect_rc 2 "bad second stage"
expect_err "--op 'uniform:size=-2'"

# good specs: a dry run prints the plan and writes nothing
run filter "$IN" "$OUTF" --op gaussian:sigma=1x1x2:mode=nearest --op uniform:size=3 --dry-run
expect_rc 0 "valid pipeline, dry run"
expect_out "gaussian"
expect_out "uniform"
expect_no_file "$OUTF"
expect_no_file "$OUTF.partial"

# a physical unit works where the input has a voxel size
run create "$WORK/vox.nii" --shape 12x10x8 --dtype uint16 --voxel-size 0.5x0.5x2um
expect_rc 0
run filter "$WORK/vox.nii" "$OUTF" --op gaussian:sigma=1um --dry-run
expect_rc 0 "sigma in um"
expect_out "sigma=2x2x0.5"

done_ok
