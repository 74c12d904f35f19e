#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Limits and lying inputs: a file-size limit (ulimit -f) is an error naming the limit, exit 1,
# nothing left, in every output format; a TIFF whose header declares pages larger than the
# file is refused at open naming the page, with no allocation sized from the header; a
# ZS_THREADS that is not a number is refused; a voxel size of zero (or negative, or NaN)
# refuses sizes in physical units instead of taking 1 um.
. "$(dirname "$0")/common.sh"

IN="$WORK/in.npy"
run create "$IN" --shape 128x128x32 --dtype uint16 --pattern noise --seed 2
expect_rc 0 "create the input"

# ulimit -f counts 1024-byte blocks here (bash); 64 KiB is less than each output file.
# limited OUT [ARGS...]: zslab filter in.npy OUT under the limit: exit 1 naming it, nothing left.
limited() {
    local out=$1
    shift
    LAST_CMD="(ulimit -f 64; zslab filter in.npy $out --op median:size=3 $*)"
    (
        ulimit -f 64
        exec "$ZSLAB" filter "$IN" "$WORK/$out" --op median:size=3 "$@"
    ) >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    expect_rc 1 "file size limit, $out $*"
    expect_err "the file size limit, ulimit -f, was reached"
    CHECKS=$((CHECKS + 1))
    left=$(cd "$WORK" && ls | grep -v '^in\.npy$')
    [ -z "$left" ] || fail "files left after the failed run for $out $*: $left"
}
limited out.npy
limited out.nii
limited out.tif
limited out.mhd
limited out.nrrd
limited ctif.tif --compress zlib
limited series/ --dtype float64
limited 'p_%03d.npy' --dtype float64
# with a journal (OUT.partial is created by the journal), plain and in parts, with direct writes (from
# I/O threads, and through io_uring), and with the mmap engine
limited out.npy --journal
limited out.npy --part 0/2
limited out.npy --journal --engine direct
limited out.npy --journal --engine uring
limited out.npy --engine uring
limited out.npy --engine mmap

# TIFF stacks built by hand: PAGES pages of W x H BITS-bit samples, uncompressed, one strip each,
# whose StripByteCounts say COUNT; DATA bytes of samples follow the pages.
tiff() {
    /usr/bin/python3 - "$@" <<'EOF' || fail "could not write $1"
import struct, sys
path, pages, w, h, bits, count, data = sys.argv[1], *map(int, sys.argv[2:])
ifd = 2 + 10 * 12 + 4
first = 8 + pages * ifd
out = bytearray(b"II*\0" + struct.pack("<I", 8))
for k in range(pages):
    t = [(256, 4, w), (257, 4, h), (258, 3, bits), (259, 3, 1), (262, 3, 1), (273, 4, first + k * (data // pages)),
         (277, 3, 1), (278, 4, h), (279, 4, count), (284, 3, 1)]
    out += struct.pack("<H", len(t))
    for tag, typ, val in t:
        out += struct.pack("<HHI", tag, typ, 1) + (struct.pack("<HH", val, 0) if typ == 3 else struct.pack("<I", val))
    out += struct.pack("<I", 8 + (k + 1) * ifd if k < pages - 1 else 0)
out += bytes(data)
open(path, "wb").write(out)
EOF
}

# a 520-byte TIFF whose four pages declare 65535 x 65535 uint8 samples
tiff "$WORK/lie.tif" 4 65535 65535 8 8 8
CHECKS=$((CHECKS + 1))
[ "$(stat -c %s "$WORK/lie.tif")" -eq 520 ] || fail "lie.tif is not 520 bytes"
for cmd in info filter; do
    if [ $cmd = info ]; then args=("$WORK/lie.tif"); else args=("$WORK/lie.tif" "$WORK/lie.npy" --op median:size=3); fi
    LAST_CMD="zslab $cmd ${args[*]} (peak memory measured)"
    /usr/bin/time -f '%M' -o "$WORK/rss" "$ZSLAB" $cmd "${args[@]}" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    expect_rc 1 "the lying TIFF, $cmd"
    expect_err "lie.tif: page 0: "
    expect_err "the file is truncated or its header is corrupt"
    expect_no_file "$WORK/lie.npy"
    CHECKS=$((CHECKS + 1))
    [ "$(tail -n1 "$WORK/rss")" -lt 65536 ] || fail "$cmd of a 520-byte TIFF took $(tail -n1 "$WORK/rss") KiB"
done

# ZS_THREADS
LAST_CMD="ZS_THREADS=abc zslab filter"
ZS_THREADS=abc "$ZSLAB" filter "$IN" "$WORK/t.npy" --op gaussian:sigma=1 >"$WORK/.out" 2>"$WORK/.err"
RC=$?
expect_rc 2 "ZS_THREADS=abc"
expect_err "ZS_THREADS='abc' is not a thread count"
expect_no_file "$WORK/t.npy"
LAST_CMD="ZS_THREADS=abc zslab filter --threads 1"
ZS_THREADS=abc "$ZSLAB" filter "$IN" "$WORK/t.npy" --op gaussian:sigma=1 --threads 1 -q >"$WORK/.out" 2>"$WORK/.err"
RC=$?
expect_rc 0 "--threads given: ZS_THREADS is not read"

# a zero voxel size: sizes in um are refused, naming the file
/usr/bin/python3 -c "
import nibabel as nb, numpy as np, sys
img = nb.Nifti1Image(np.ones((16, 16, 8), np.uint8), np.eye(4))
img.header.set_xyzt_units('mm'); img.header['pixdim'][1:4] = [0.5, 0.0, 2.0]
nb.save(img, sys.argv[1])" "$WORK/zero.nii" || fail "could not write zero.nii"
run filter "$WORK/zero.nii" "$WORK/z.nii" --op gaussian:sigma=2um
expect_rc 2 "a size in um with a zero voxel size"
expect_err "zero.nii: --op 'gaussian:sigma=2um': gaussian: parameter 'sigma=2um' is in physical units but the input has no voxel size with a unit"
run filter "$WORK/zero.nii" "$WORK/z.nii" --op gaussian:sigma=2
expect_rc 0 "a size in voxels with a zero voxel size"

done_ok
