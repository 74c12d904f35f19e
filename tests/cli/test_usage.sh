#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Usage: --help and --version exit 0; bad commands, options and values exit 2 naming them.
. "$(dirname "$0")/common.sh"

run --version
expect_rc 0 "--version"
expect_out "zslab 0."
expect_no_err

for h in --help -h help; do
    run $h
    expect_rc 0 "$h"
    expect_out "usage: zslab COMMAND"
done
for cmd in info create filter convert list preview; do
    for h in --help -h; do
        run $cmd $h
        expect_rc 0 "$cmd $h"
        expect_out "usage: zslab $cmd"
        expect_no_err
    done
done
run help filter
expect_rc 0
expect_out "usage: zslab filter"

run
expect_rc 2 "no command"
expect_err "usage: zslab COMMAND"

run frobnicate
expect_rc 2 "unknown command"
expect_err "unknown command 'frobnicate'"
expect_err_prefixed

# every command is in the help
run --help
for c in info create filter convert list bench status preview; do
    grep -q "^  $c " "$WORK/.out" || fail "help does not list '$c'"
done
# ... and its environment lines name every variable the tool and the library read (test hooks aside)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
env_help=$(sed -n '/^environment:/,/^exit codes:/p' "$WORK/.out")
vars=$(grep -rhoE '(getenv|env_int|env_long)\("[A-Z_]+"' "$SRC/cli" "$SRC/core" "$SRC/scheduler" "$SRC/kernels" |
    grep -oE '[A-Z_]{3,}' | grep -v '^ZS_TEST_' | sort -u)
[ "$(printf '%s\n' "$vars" | grep -c .)" -ge 10 ] || fail "too few variables found in the sources: $vars"
for v in $vars; do
    printf '%s\n' "$env_help" | grep -qw -- "$v" || fail "the environment of zslab --help lacks $v, which the code reads"
done
# the unknown-command message names the commands --help lists
run frobnicate
for c in info create filter convert list bench status preview; do
    grep -qE "[ ,]$c[,;]" "$WORK/.err" || fail "the unknown-command message does not name '$c'"
done

# unknown options, missing values, stray arguments
run info --bogus x.npy
expect_rc 2
expect_err "unknown option '--bogus'"
run create "$WORK/a.npy" --shape
expect_rc 2
expect_err "--shape needs a value"
run list --names=yes
expect_rc 2
expect_err "takes no value"
run create "$WORK/a.npy" "$WORK/b.npy" --shape 4x4x4 --dtype uint8
expect_rc 2
expect_err "unexpected argument"
run filter "$WORK/in.npy" "$WORK/out.npy"
expect_rc 2 "filter without --op"
expect_err "no --op given"
run convert "$WORK/in.npy" "$WORK/out.npy" --op gaussian
expect_rc 2 "convert takes no --op"
expect_err "unknown option '--op'"
run create "$WORK/a.npy" --dtype uint8
expect_rc 2
expect_err "--shape is required"
run create --shape 4x4x4 --dtype uint8
expect_rc 2
expect_err "no OUT file given"

# values: each message names the option and the text
check_bad() { # expected-text args...
    local want=$1
    shift
    run "$@"
    expect_rc 2 "$*"
    expect_err "$want"
    expect_err_prefixed
    expect_no_file "$WORK/x.npy"
}
check_bad "--dtype: unknown dtype 'uint12'" create "$WORK/x.npy" --shape 4x4x4 --dtype uint12
check_bad "--dtype: unknown dtype 'float16'" create "$WORK/x.npy" --shape 4x4x4 --dtype float16
check_bad "--shape: cannot read '4x4x'" create "$WORK/x.npy" --shape 4x4x --dtype uint8
check_bad "--shape: cannot read '-1x4x4'" create "$WORK/x.npy" --shape -1x4x4 --dtype uint8
check_bad "--shape: cannot read 'axbxc'" create "$WORK/x.npy" --shape axbxc --dtype uint8
check_bad "more than 4 extents" create "$WORK/x.npy" --shape 2x2x2x2x2 --dtype uint8
check_bad "--shape: extent '99999999999999999999'" create "$WORK/x.npy" --shape 99999999999999999999x2x2 --dtype uint8
check_bad "--pattern: unknown pattern 'stripes'" create "$WORK/x.npy" --shape 4x4x4 --dtype uint8 --pattern stripes
check_bad "--seed: cannot read '-3'" create "$WORK/x.npy" --shape 4x4x4 --dtype uint8 --seed -3
check_bad "--voxel-size: cannot read '1x1'" create "$WORK/x.npy" --shape 4x4x4 --dtype uint8 --voxel-size 1x1
check_bad "--threads: cannot read 'many'" create "$WORK/x.npy" --shape 4x4x4 --dtype uint8 --threads many
check_bad "--threads: 5000 is out of range" filter "$WORK/i.npy" "$WORK/x.npy" --op gaussian --threads 5000
check_bad "--mem-budget: cannot read '2X'" filter "$WORK/i.npy" "$WORK/x.npy" --op gaussian --mem-budget 2X
check_bad "--mem-budget: 99999999999G does not fit" filter "$WORK/i.npy" "$WORK/x.npy" --op gaussian --mem-budget 99999999999G
check_bad "--slab: -1 is out of range" filter "$WORK/i.npy" "$WORK/x.npy" --op gaussian --slab -1
check_bad "--in-order: unknown order 'Z'" info "$WORK/i.raw" --in-order Z
check_bad "--in-dtype: unknown dtype 'u3'" info "$WORK/i.raw" --in-dtype u3
check_bad "--in-offset: cannot read '12q'" info "$WORK/i.raw" --in-offset 12q
check_bad "--dtype: unknown dtype 'int128'" convert "$WORK/i.npy" "$WORK/x.npy" --dtype int128

# accepted spellings (a valid volume makes them run)
run create "$WORK/ok.nii" --shape=8x8x8 --dtype '<u2' --voxel-size 0.5x0.5x2um --seed 0x10 -f
expect_rc 0 "--opt=value, numpy descr, hex seed"
expect_no_err
run info "$WORK/ok.nii"
expect_rc 0
expect_out "voxel size: 0.5 x 0.5 x 2 um"
run create "$WORK/ok.npy" --shape 8x8x8 --dtype uint16 --voxel-size 2 --unit mm
expect_rc 0 "a voxel size for .npy: a warning"
expect_err "warning: "
run filter "$WORK/ok.npy" "$WORK/x.npy" --op gaussian --mem-budget 1.5G --slab 2 --threads 2 --dry-run
expect_rc 0 "sizes with suffixes"
run filter "$WORK/ok.npy" "$WORK/x.npy" --op gaussian --mem-budget 512M --dry-run -- 
expect_rc 0 "-- ends the options"

# lists of values: too many and none are usage errors that say so (not a silent exit 2)
run bench "$WORK/ok.npy" --engine "$(printf 'pread,%.0s' $(seq 17))"
expect_rc 2 "17 engines"
expect_err "--engine: at most 16 values"
run bench "$WORK/ok.npy" --engine ,
expect_rc 2 "no engine"
expect_err "--engine: no value in ','"

done_ok
