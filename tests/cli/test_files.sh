#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Runtime errors on files exit 1 with a message naming the file and the problem; outputs
# are never left half-written; existing outputs need --force.
. "$(dirname "$0")/common.sh"

IN="$WORK/in.npy"
run create "$IN" --shape 16x12x10 --dtype uint16 --pattern ramp
expect_rc 0 "create the input"
expect_no_out
expect_no_err

# missing input
for cmd in info filter convert; do
    args=("$WORK/missing.npy")
    [ $cmd = info ] || args+=("$WORK/o.npy")
    [ $cmd = filter ] && args+=(--op gaussian)
    run $cmd "${args[@]}"
    expect_rc 1 "$cmd: missing input"
    expect_err "$WORK/missing.npy"
    expect_err "No such file"
    expect_err_prefixed
    expect_no_file "$WORK/o.npy"
done

# a directory as input
mkdir "$WORK/dir.npy"
run info "$WORK/dir.npy"
expect_rc 1 "directory as input"
expect_err "$WORK/dir.npy: is a directory"
run filter "$WORK/dir.npy" "$WORK/o.npy" --op gaussian
expect_rc 1 "directory as filter input"
expect_err "is a directory"

# an empty file
: >"$WORK/empty.npy"
run info "$WORK/empty.npy"
expect_rc 1 "empty file"
expect_err "$WORK/empty.npy: empty file"
: >"$WORK/empty.raw"
run info "$WORK/empty.raw" --in-shape 4x4x4 --in-dtype uint8
expect_rc 1 "empty raw file"
expect_err "empty"

# not a .npy
printf 'hello, this is not an array\n' >"$WORK/text.npy"
run info "$WORK/text.npy"
expect_rc 1 "garbage .npy"
expect_err "$WORK/text.npy"

# raw files: --in-shape and --in-dtype are required, and the data must fit
head -c 1000 /dev/zero >"$WORK/data.raw"
run info "$WORK/data.raw"
expect_rc 2 "raw without a description"
expect_err "--in-shape and --in-dtype"
run info "$WORK/data.raw" --in-shape 10x10x10
expect_rc 2 "raw without --in-dtype"
expect_err "--in-dtype"
run info "$WORK/data.raw" --in-shape 10x10x10 --in-dtype uint16
expect_rc 1 "raw too short"
expect_err "$WORK/data.raw"
expect_err "2000 bytes"
run info "$WORK/data.raw" --in-shape 10x10x10 --in-dtype uint8 --json
expect_rc 0 "raw described"
expect_out '"format": "raw"'
run info "$WORK/data.raw" --in-shape 10x10x9 --in-dtype uint8 --in-offset 100 --in-order C
expect_rc 0 "raw with offset and C order"
expect_out "offset:     100 bytes"
run convert "$WORK/data.raw" "$WORK/fromraw.npy" --in-shape 10x10x10 --in-dtype u1 -q
expect_rc 0 "convert raw to npy"
expect_file "$WORK/fromraw.npy"

# a file name that is not UTF-8 (byte 0xff, and a cut 3-byte sequence), with a quote and a
# backslash: info --json is still valid JSON, the bad bytes as U+FFFD, the rest kept as it is
BAD="$WORK/a"$'\xff'"b"$'\xe2\x82'"\"q\\é.npy"
cp "$IN" "$BAD"
run info "$BAD" --json
expect_rc 0 "info --json on a name that is not UTF-8"
CHECKS=$((CHECKS + 1))
/usr/bin/python3 -c 'import json, sys
p = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))["path"]
want = sys.argv[2] + "/a\ufffdb\ufffd\ufffd\"q\\\u00e9.npy"
sys.exit(0 if p == want else f"path {p!r}, expected {want!r}")' "$WORK/.out" "$WORK" || fail "info --json of $BAD is not valid JSON"
rm -f "$BAD"

# existing output: refused without --force (exit 1, names the file, leaves it alone)
cp "$IN" "$WORK/keep.npy"
sum_before=$(cksum <"$WORK/keep.npy")
run create "$WORK/keep.npy" --shape 4x4x4 --dtype uint8
expect_rc 1 "create over an existing file"
expect_err "$WORK/keep.npy: exists"
expect_err "--force"
run filter "$IN" "$WORK/keep.npy" --op gaussian
expect_rc 1 "filter over an existing file"
expect_err "$WORK/keep.npy: exists"
run convert "$IN" "$WORK/keep.npy"
expect_rc 1 "convert over an existing file"
expect_err "$WORK/keep.npy: exists"
[ "$(cksum <"$WORK/keep.npy")" = "$sum_before" ] || fail "keep.npy was modified"
run convert "$IN" "$WORK/keep.npy" --force --dtype float32 -q
expect_rc 0 "convert --force"
expect_no_err
run info "$WORK/keep.npy"
expect_out "float32"
run create "$WORK/keep.npy" --shape 4x4x4 --dtype uint8 -f
expect_rc 0 "create -f"
run filter "$IN" "$WORK/keep.npy" --op gaussian:sigma=1 --force -q
expect_rc 0 "filter --force"
expect_no_err
expect_no_file "$WORK/keep.npy.partial"

# an output that cannot be created: /proc refuses new files even to root; a path through
# a regular file is not a directory
for bad in /proc/zslab-test/out.npy /etc/hostname/out.npy "$IN/out.npy"; do
    run create "$bad" --shape 4x4x4 --dtype uint8
    expect_rc 1 "create $bad"
    expect_err "$bad"
    expect_err "cannot create"
    run filter "$IN" "$bad" --op gaussian
    expect_rc 1 "filter into $bad"
    expect_err "$bad"
    run convert "$IN" "$bad"
    expect_rc 1 "convert into $bad"
done
# an output name that is a directory
run create "$WORK/dir.npy" --shape 4x4x4 --dtype uint8 --force
expect_rc 1 "create over a directory"
expect_err "is a directory"

# compressed formats cannot be mapped
run convert "$IN" "$WORK/out.nii.gz"
expect_rc 1 ".nii.gz output"
expect_err "compressed"
expect_no_file "$WORK/out.nii.gz"
expect_no_file "$WORK/out.nii.gz.partial"

# a --mem-budget too small for one worker is a usage error
run filter "$IN" "$WORK/o.npy" --op gaussian --mem-budget 1K --threads 1
expect_rc 2 "tiny --mem-budget"
expect_err "--mem-budget"
expect_no_file "$WORK/o.npy"

# nothing but the expected files is left behind
left=$(find "$WORK" -name '*.partial')
[ -z "$left" ] || fail "partial files left: $left"

done_ok
