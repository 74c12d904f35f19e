#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Jobs with a journal on Zarr: an OME-Zarr output written by parts, resumed after kill -9, and
# a Zarr input resumed. Slabs start on the output's chunks, so the parts never write one chunk
# twice and the tree they leave is the tree of a plain run, file for file.
. "$(dirname "$0")/common.sh"

run create "$WORK/in.npy" --shape 40x36x50 --dtype uint16 --pattern noise --seed 3
expect_rc 0 "create the input"
OPS=(--op median:size=3 --op gaussian:sigma=1 --chunks 8x16x16 --compress blosc-lz4)
run filter "$WORK/in.npy" "$WORK/ref.ome.zarr" "${OPS[@]}" -q
expect_rc 0 "a plain run"

same_tree() { # the same files with the same bytes
    CHECKS=$((CHECKS + 1))
    diff -r "$1" "$2" >/dev/null || fail "$1 differs from $2"
}

# three parts, in any order: the last renames OUT.partial/ into place
for i in 2 0 1; do
    run filter "$WORK/in.npy" "$WORK/parts.ome.zarr" "${OPS[@]}" --part "$i/3" -q
    expect_rc 0 "part $i/3"
done
same_tree "$WORK/parts.ome.zarr" "$WORK/ref.ome.zarr"
expect_no_file "$WORK/parts.ome.zarr.partial"
run status "$WORK/parts.ome.zarr"
expect_rc 0 "status"
expect_out "complete, 7 of 7 slabs"

# a part given other chunks writes with the chunks of the output the first part created
run filter "$WORK/in.npy" "$WORK/mixed.ome.zarr" "${OPS[@]}" --part 0/2 -q
expect_rc 0 "part 0/2"
run filter "$WORK/in.npy" "$WORK/mixed.ome.zarr" --op median:size=3 --op gaussian:sigma=1 --chunks 4x16x16 \
    --compress blosc-lz4 --part 1/2 -q
expect_rc 0 "part 1/2 with chunks of 4 planes"
same_tree "$WORK/mixed.ome.zarr" "$WORK/ref.ome.zarr"

# a slab height that splits the chunks is refused, naming the chunk depth
run filter "$WORK/in.npy" "$WORK/slab.ome.zarr" "${OPS[@]}" --slab 12
expect_rc 2 "--slab 12 with chunks of 8 planes (a usage error)"
expect_err "multiple of 8"
expect_no_file "$WORK/slab.ome.zarr"

# kill -9 in the middle of a journaled run of 7 slabs of one chunk layer each (stopped by the
# test hook before slab 3): --resume writes what was not recorded, and the output is the plain
# run's
ZS_TEST_STOP_AT_SLAB=3 "$ZSLAB" filter "$WORK/in.npy" "$WORK/killed.ome.zarr" "${OPS[@]}" --slab 8 --threads 1 --journal -q \
    >"$WORK/.out" 2>"$WORK/.err" &
pid=$!
wait_stopped "$pid" || fail "zslab ended before the hook stopped it"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
[ -d "$WORK/killed.ome.zarr.partial" ] || fail "the killed run left no OUT.partial/ to resume"
run status "$WORK/killed.ome.zarr"
expect_out "3 of 7 slabs"
run filter "$WORK/in.npy" "$WORK/killed.ome.zarr" "${OPS[@]}" --resume
expect_rc 0 "--resume after kill -9"
expect_err "3 slabs of the range were done before"
same_tree "$WORK/killed.ome.zarr" "$WORK/ref.ome.zarr"

# a Zarr input: parts and --resume fingerprint its chunk files
run filter "$WORK/ref.ome.zarr" "$WORK/twice.npy" --op uniform:size=3 -q
expect_rc 0 "a plain run from Zarr"
run filter "$WORK/ref.ome.zarr" "$WORK/twice_parts.npy" --op uniform:size=3 --part 0/2 -q
expect_rc 0 "part 0/2 from Zarr"
run filter "$WORK/ref.ome.zarr" "$WORK/twice_parts.npy" --op uniform:size=3 --resume -q
expect_rc 0 "--resume from Zarr"
cmp -s "$WORK/twice.npy" "$WORK/twice_parts.npy" || fail "the resumed output from Zarr differs from a plain run's"
# a chunk of the input replaced between two parts: the job is refused
run filter "$WORK/ref.ome.zarr" "$WORK/changed.npy" --op uniform:size=3 --part 0/2 -q
expect_rc 0 "part 0/2 before the change"
cp "$WORK/ref.ome.zarr/0/1/0/0" "$WORK/chunk"
touch -d "2001-01-01" "$WORK/ref.ome.zarr/0/1/0/0"
run filter "$WORK/ref.ome.zarr" "$WORK/changed.npy" --op uniform:size=3 --resume
expect_rc 1 "--resume after a chunk changed"
expect_err "belongs to another job"
# every chunk is fingerprinted, those of the last, partial layer, row and column of chunks too
# (50x36x40 in chunks of 8x16x16: 7x3x3 chunks), and those of an axis shorter than its chunks
# (x of 10 in chunks of 16): a chunk changed between two parts is refused
changed_chunk() { # changed_chunk INPUT CHUNK: part 0/2, CHUNK touched, --resume refused
    rm -rf "$WORK/changed.npy" "$WORK/changed.npy.partial" "$WORK/changed.npy.zsjournal"
    run filter "$1" "$WORK/changed.npy" --op uniform:size=3 --part 0/2 -q
    expect_rc 0 "part 0/2 before $2 changed"
    [ -f "$1/0/$2" ] || fail "no chunk file $1/0/$2"
    touch -d "2001-01-02" "$1/0/$2"
    run filter "$1" "$WORK/changed.npy" --op uniform:size=3 --resume
    expect_rc 1 "--resume after chunk $2 changed"
    expect_err "belongs to another job"
}
changed_chunk "$WORK/ref.ome.zarr" 6/0/0
changed_chunk "$WORK/ref.ome.zarr" 0/2/0
changed_chunk "$WORK/ref.ome.zarr" 0/0/2
run create "$WORK/thin.npy" --shape 10x36x50 --dtype uint16 --pattern noise --seed 4
expect_rc 0 "create an input thinner than its chunks"
run convert "$WORK/thin.npy" "$WORK/thin.ome.zarr" --chunks 8x16x16
expect_rc 0 "convert it to Zarr in chunks of 16 along x"
changed_chunk "$WORK/thin.ome.zarr" 3/1/0
done_ok
