#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# A FIFO where a file is expected is refused at once, never opened for a read that waits for a
# writer: an .h5 or .ims input, a name without a known extension, a MetaImage's data file, a
# Zarr chunk, .zarray and .zattrs, a BigDataViewer XML, and a batch whose list names a FIFO
# (the other stacks are done). Every command runs under `timeout`: a hang fails the test.
. "$(dirname "$0")/common.sh"

PY=/usr/bin/python3
# timed ARGS...: run ARGS under a 20 s timeout (then SIGKILL: a thread blocked in open() outlives
# SIGTERM); a timeout is a failure
timed() {
    LAST_CMD="zslab $*"
    timeout -k 5 20 "$ZSLAB" "$@" >"$WORK/.out" 2>"$WORK/.err" </dev/null
    RC=$?
    [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] || fail "zslab $* hung on a FIFO (killed after 20 s)"
}
# refused WHAT FILE ARGS...: zslab ARGS exits 1 naming FILE as a FIFO
refused() {
    local what=$1 file=$2
    shift 2
    timed "$@"
    expect_rc 1 "$what"
    expect_err "$file: not a regular file (a FIFO)"
}

mkfifo "$WORK/in.h5" "$WORK/in.ims" "$WORK/stack"
refused ".h5 input" "$WORK/in.h5" info "$WORK/in.h5"
refused ".ims input" "$WORK/in.ims" filter "$WORK/in.ims" "$WORK/o.npy" --op median:size=3
expect_no_file "$WORK/o.npy"
refused "a name without an extension" "$WORK/stack" info "$WORK/stack"
refused "a name without an extension, filtered" "$WORK/stack" filter "$WORK/stack" "$WORK/o.npy" --op median:size=3

# a MetaImage header whose data file is a FIFO
mkfifo "$WORK/d.raw"
printf 'ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_UCHAR\nElementDataFile = d.raw\n' \
    >"$WORK/d.mhd"
refused "a MetaImage data file" "$WORK/d.raw" info "$WORK/d.mhd"

# Zarr: a chunk, the array's .zarray, the group's .zattrs
run create "$WORK/a.npy" --shape 8x8x8 --dtype uint16 --pattern noise --seed 1
expect_rc 0 "create an input"
for f in chunk zarray zattrs; do
    run convert "$WORK/a.npy" "$WORK/$f.zarr" --chunks 4x8x8
    expect_rc 0 "convert to Zarr"
done
rm "$WORK/chunk.zarr/0/1/0/0" && mkfifo "$WORK/chunk.zarr/0/1/0/0"
refused "a Zarr chunk" "$WORK/chunk.zarr/0/1/0/0" convert "$WORK/chunk.zarr" "$WORK/o.npy"
expect_no_file "$WORK/o.npy"
rm "$WORK/zarray.zarr/0/.zarray" && mkfifo "$WORK/zarray.zarr/0/.zarray"
refused ".zarray" "$WORK/zarray.zarr/0/.zarray" info "$WORK/zarray.zarr"
rm "$WORK/zattrs.zarr/.zattrs" && mkfifo "$WORK/zattrs.zarr/.zattrs"
refused ".zattrs" "$WORK/zattrs.zarr/.zattrs" info "$WORK/zattrs.zarr"

# a BigDataViewer file whose XML is a FIFO
"$PY" -c 'import h5py, numpy as np, sys
with h5py.File(sys.argv[1], "w") as h:
    h["t00000/s00/0/cells"] = np.zeros((4, 4, 4), "uint16")' "$WORK/bdv.h5" || fail "h5py could not write a file"
mkfifo "$WORK/bdv.xml"
refused "a BigDataViewer XML" "$WORK/bdv.xml" info "$WORK/bdv.h5"

# a batch whose list names a FIFO: that stack fails, the other is done
run create "$WORK/b.npy" --shape 8x8x8 --dtype uint16 --pattern noise --seed 2
printf '%s\n%s\n' "$WORK/stack" "$WORK/b.npy" >"$WORK/list.txt"
timed filter --batch "$WORK/list.txt" --out-dir "$WORK/out" --op median:size=3
expect_rc 1 "a batch naming a FIFO"
expect_err "not a regular file (a FIFO)"
expect_file "$WORK/out/b.npy"
done_ok
