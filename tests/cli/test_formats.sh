#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# The format registry as the command line shows it: `zslab info --formats` (a table, or one JSON
# object per format), and the help texts, --out-format and batch directories that take their
# names from it.
. "$(dirname "$0")/common.sh"

run info --formats
expect_rc 0 "info --formats"
expect_no_err
for name in zarr npy nifti1 nifti2 tiff series mhd nrrd hdf5 raw; do
    grep -qE "^$name " "$WORK/.out" || fail "the table lacks $name"
done
expect_out ".tif .tiff .btf .tf8"
expect_out ".mhd .mha"
expect_out ".h5 .hdf5 .he5 .ims"

run info --formats --json
expect_rc 0 "info --formats --json"
[ "$(grep -c '^{' "$WORK/.out")" -eq 10 ] || fail "expected one JSON object per format (10)"
/usr/bin/python3 - "$WORK/.out" <<'PY' || fail "info --formats --json is not one JSON object per line with the fields"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
names = {r["format"]: r for r in rows}
assert set(names) == {"zarr", "npy", "nifti1", "nifti2", "tiff", "series", "mhd", "nrrd", "hdf5", "raw"}, names.keys()
assert names["zarr"]["suffixes"] == [".zarr"] and "many-files" in names["zarr"]["flags"]
assert names["npy"]["suffixes"] == [".npy"] and names["npy"]["read"] and names["npy"]["write"]
assert names["tiff"]["suffixes"] == [".tif", ".tiff", ".btf", ".tf8"]
assert "compress" in names["tiff"]["flags"] and "mapped" in names["tiff"]["flags"]
assert names["series"]["suffixes"] == [] and "many-files" in names["series"]["flags"]
assert "parts" in names["npy"]["flags"] and "parts" not in names["tiff"]["flags"]
assert "parts" in names["zarr"]["flags"]  # chunked, its slabs start on the chunks
assert "parts" not in names["hdf5"]["flags"] and "decoded" in names["hdf5"]["flags"]
assert all(r["description"] for r in rows)
PY

run info --formats "$WORK/x.npy"
expect_rc 2 "info --formats with a FILE"
expect_err "--formats"

# every suffix of the registry is in the help of the commands that read files
run info --formats --json
SUFFIXES=$(/usr/bin/python3 -c 'import json,sys
print(" ".join(s for l in open(sys.argv[1]) for s in json.loads(l)["suffixes"]))' "$WORK/.out")
[ -n "$SUFFIXES" ] || fail "no suffixes in the registry"
for cmd in info filter convert bench preview; do
    run $cmd --help
    expect_rc 0 "$cmd --help"
    for s in $SUFFIXES; do
        grep -qF -- "$s" "$WORK/.out" || fail "$cmd --help lacks $s"
    done
    expect_out "a plane series"
    expect_out "zslab info --formats"
done

# --out-format takes the registry's writable suffixes
run create "$WORK/in.npy" --shape 8x6x4 --dtype uint8 --pattern ramp
expect_rc 0
mkdir "$WORK/b"
cp "$WORK/in.npy" "$WORK/b/a.npy"
run convert --batch "$WORK/b" --out-dir "$WORK/o" --out-format btf
expect_rc 0 "--out-format btf (a TIFF suffix)"
expect_file "$WORK/o/a.btf"
run info "$WORK/o/a.btf"
expect_out "format:     tiff"
run convert --batch "$WORK/b" --out-dir "$WORK/o" --out-format png
expect_rc 2 "--out-format png"
expect_err "unknown format 'png'"
expect_err "npy, nii, tif"
run convert --batch "$WORK/b" --out-dir "$WORK/o2" --out-format mha --compress deflate
expect_rc 2 "--compress with a format that does not compress"
expect_err "--out-format mha writes uncompressed data only: drop --compress deflate"

# a batch directory without volume files names the suffixes it looked for
mkdir "$WORK/empty"
: >"$WORK/empty/notes.txt"
run convert --batch "$WORK/empty" --out-dir "$WORK/o3"
expect_rc 1 "a directory without volumes"
expect_err "no volume files in the directory (.npy, .nii, .tif"

# names the registry refuses, and a file no format takes
: >"$WORK/x.nii.gz"
run info "$WORK/x.nii.gz"
expect_rc 1 ".nii.gz"
expect_err "compressed files cannot be memory-mapped; decompress it first (gunzip -k for .nii.gz)"
head -c 64 /dev/zero >"$WORK/junk.dat"
run info "$WORK/junk.dat"
expect_rc 2 "an unknown name"
expect_err "not a known format (.npy, .nii, .tif"
expect_err "a plane series"

# An HDF5 output names a dataset after its ':' (or none at all: /data). "w.h5:/" was once taken for a
# directory of TIFF planes "w.h5:"; an empty dataset path, "/" or a group path is refused, naming it.
for out in 'w.h5:/' 'w.h5:' 'w.h5:/grp/'; do
    run convert "$WORK/in.npy" "$WORK/$out"
    expect_rc 1 "an HDF5 output named $out"
    expect_err "$WORK/$out: names no dataset to write in $WORK/w.h5"
    expect_no_file "$WORK/w.h5:"
    expect_no_file "$WORK/w.h5"
    expect_no_file "$WORK/w.h5.partial"
done
run convert "$WORK/in.npy" "$WORK/w.h5:/x"
expect_rc 0 "an HDF5 output with its dataset named"
run info "$WORK/w.h5:/"
expect_rc 0 "FILE.h5:/ read as the file"
expect_out "format:     hdf5"

done_ok
