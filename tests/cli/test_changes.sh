#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Files that change under a run. An input truncated mid-run (read through mappings, through
# pread, through O_DIRECT with threads or io_uring, as a mapped TIFF, or by a journaled run) is an
# error naming the input, exit 1, and no OUT.partial is left; a journaled run keeps its journal,
# and --resume finishes it once the input is whole again, with the output of an uninterrupted run. A Zarr input removed mid-run,
# or one of its chunk files, is the same error naming the file (never chunks read as
# fill_value), and its journaled run is not complete. Deterministic: the test hook
# ZS_TEST_STOP_AT_SLAB=N makes zslab stop itself (SIGSTOP) before slab N; the file is changed
# while it is stopped, then it is continued.
. "$(dirname "$0")/common.sh"

[ -r /proc/self/stat ] || fail "no /proc/self/stat: this test needs Linux's /proc"

# truncated_run NAME INPUT BYTES ARGS...: zslab filter ARGS stopped before slab 3, INPUT cut to
# BYTES, continued; sets RC and LAST_CMD, fails when the run never stopped.
truncated_run() {
    local name=$1 input=$2 bytes=$3
    shift 3
    ZS_TEST_STOP_AT_SLAB=3 "$ZSLAB" filter "$@" >"$WORK/.out" 2>"$WORK/.err" &
    local pid=$!
    wait_stopped "$pid" || fail "$name: zslab ended before the hook stopped it"
    truncate -s "$bytes" "$input"
    kill -CONT "$pid"
    wait "$pid"
    RC=$?
    LAST_CMD="ZS_TEST_STOP_AT_SLAB=3 zslab filter $* ($input cut to $bytes bytes at slab 3)"
}

OPS=(--op median:size=3 --op gaussian:sigma=1)
run create "$WORK/orig.npy" --shape 96x80x24 --dtype uint16 --pattern noise --seed 5
expect_rc 0 "create the input"
run filter "$WORK/orig.npy" "$WORK/ref.npy" "${OPS[@]}"
expect_rc 0 "the uninterrupted run"

for engine in mmap pread direct uring; do
    cp "$WORK/orig.npy" "$WORK/in.npy"
    truncated_run "$engine" "$WORK/in.npy" 100000 "$WORK/in.npy" "$WORK/out.npy" "${OPS[@]}" --slab 2 \
        --engine "$engine" --threads 2
    expect_rc 1 "input truncated under the $engine engine"
    expect_err "$WORK/in.npy: changed size during the run"
    expect_no_file "$WORK/out.npy"
    expect_no_file "$WORK/out.npy.partial"
done

# a C-order input is gathered through a mapping whatever the engine
cp "$WORK/orig.npy" "$WORK/c.npy"
/usr/bin/python3 -c "import numpy as n, sys; a = n.load(sys.argv[1]); n.save(sys.argv[1], n.ascontiguousarray(a))" \
    "$WORK/c.npy" || fail "numpy could not write a C-order copy"
truncated_run c-order "$WORK/c.npy" 50000 "$WORK/c.npy" "$WORK/out.npy" "${OPS[@]}" --slab 2 --threads 2
expect_rc 1 "C-order input truncated"
expect_err "$WORK/c.npy: changed size during the run"
expect_no_file "$WORK/out.npy.partial"

# an uncompressed TIFF stack is read in place
run convert "$WORK/orig.npy" "$WORK/in.tif"
expect_rc 0 "TIFF copy of the input"
truncated_run tiff "$WORK/in.tif" 120000 "$WORK/in.tif" "$WORK/out.npy" "${OPS[@]}" --slab 2 --engine mmap
expect_rc 1 "TIFF input truncated"
expect_err "$WORK/in.tif: "
expect_no_file "$WORK/out.npy"
expect_no_file "$WORK/out.npy.partial"

# a journaled run stops with its journal intact; --resume finishes it once the input is back
cp -p "$WORK/orig.npy" "$WORK/in.npy"
truncated_run journal "$WORK/in.npy" 100000 "$WORK/in.npy" "$WORK/out.npy" "${OPS[@]}" --slab 2 --journal \
    --engine mmap
expect_rc 1 "journaled run, input truncated"
expect_err "$WORK/in.npy: changed size during the run"
expect_no_file "$WORK/out.npy"
CHECKS=$((CHECKS + 1))
[ -d "$WORK/out.npy.zsjournal" ] || fail "the journal is gone"
# restored as it was, timestamp included (the journal's fingerprint holds size and mtime)
cp -p "$WORK/orig.npy" "$WORK/in.npy"
run filter "$WORK/in.npy" "$WORK/out.npy" "${OPS[@]}" --slab 2 --resume --engine mmap
expect_rc 0 "--resume once the input is whole"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/out.npy" "$WORK/ref.npy" || fail "the resumed output differs from an uninterrupted run's"
expect_no_file "$WORK/out.npy.partial"

# a Zarr input removed mid-run (rm -rf, as zarr-python's mode 'w' and --force replace arrays):
# its vanished chunks are an error naming the input, never read as fill_value; a journaled run
# is not complete
run convert "$WORK/orig.npy" "$WORK/orig.zarr" --chunks 2x80x96
expect_rc 0 "Zarr copy of the input"
for journal in "" --journal; do
    rm -rf "$WORK/in.zarr" "$WORK/out.npy" "$WORK/out.npy.zsjournal" "$WORK/out.npy.partial"
    cp -r "$WORK/orig.zarr" "$WORK/in.zarr"
    ZS_TEST_STOP_AT_SLAB=3 "$ZSLAB" filter "$WORK/in.zarr" "$WORK/out.npy" "${OPS[@]}" --slab 2 --threads 1 \
        $journal >"$WORK/.out" 2>"$WORK/.err" &
    pid=$!
    wait_stopped "$pid" || fail "zarr$journal: zslab ended before the hook stopped it"
    rm -rf "$WORK/in.zarr"
    kill -CONT "$pid"
    wait "$pid"
    RC=$?
    LAST_CMD="ZS_TEST_STOP_AT_SLAB=3 zslab filter in.zarr out.npy $journal (in.zarr removed at slab 3)"
    expect_rc 1 "Zarr input removed mid-run$journal"
    expect_err "$WORK/in.zarr"
    expect_err "changed during the run"
    expect_no_file "$WORK/out.npy"
    [ -n "$journal" ] || expect_no_file "$WORK/out.npy.partial" # a journal keeps it for --resume
done
run status "$WORK/out.npy"
expect_out "out.npy: incomplete, 3 of 12 slabs"

# one chunk file deleted mid-run: the error names it
rm -rf "$WORK/in.zarr" "$WORK/out.npy.zsjournal" "$WORK/out.npy.partial"
cp -r "$WORK/orig.zarr" "$WORK/in.zarr"
ZS_TEST_STOP_AT_SLAB=3 "$ZSLAB" filter "$WORK/in.zarr" "$WORK/out.npy" "${OPS[@]}" --slab 2 --threads 1 \
    >"$WORK/.out" 2>"$WORK/.err" &
pid=$!
wait_stopped "$pid" || fail "zarr chunk: zslab ended before the hook stopped it"
chunk=$(cd "$WORK/in.zarr" && find . -path '*/0/*' -type f -name '*' | grep -v '/\.z' | sort | tail -1)
rm -f "$WORK/in.zarr/$chunk"
kill -CONT "$pid"
wait "$pid"
RC=$?
LAST_CMD="ZS_TEST_STOP_AT_SLAB=3 zslab filter in.zarr out.npy (chunk $chunk deleted at slab 3)"
expect_rc 1 "a chunk deleted mid-run"
expect_err "${chunk#./}: the input changed during the run"
expect_no_file "$WORK/out.npy"
expect_no_file "$WORK/out.npy.partial"

done_ok
