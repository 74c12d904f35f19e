#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab against h5py, the reference HDF5 client of the Python world.

h5py → zslab: a contiguous dataset (mapped: `zslab info` reports its offset) and a chunked
gzip + shuffle one filter to the same voxels as the same data in a .npy (median and gaussian,
uint16 and float32, 1 and 2 threads); a dataset without axis names keeps zslab's rule that
axis 0 is x (h5py's array as it is), one labelled z, y, x (dimension scales) is read with x
last (h5py's array transposed); an Imaris-layout file (padded datasets, char-array attributes,
two channels → a series of 2, voxel size from ExtMin/ExtMax) and a BigDataViewer-layout file
(two setups, voxel size from its XML) read to their volumes. A missing dataset and a 2-D one are
refused naming the file and the dataset; a file with two volumes asks for one.
zslab → h5py: zslab's HDF5 outputs (plain and gzip, 3-D and series, at a chosen path) read in
h5py with the voxels of the .npy output (transposed: (z, y, x) against x, y, z), the labels and
element_size_um; --chunks and gzip as asked, other compressions refused. `--resume` and `--part`
run on an HDF5 input; parts refuse an HDF5 output.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import fail, finish, workdir, zs  # noqa: E402

W = workdir("hdf5")


def path(name):
    return os.path.join(W, name)


def data(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return (rng.standard_normal(shape) * 100).astype(dtype)
    return rng.integers(0, 4000, size=shape, dtype=dtype)


def ok(r, what):
    if r.returncode != 0:
        fail(f"{what}: exit {r.returncode}: {r.stderr.strip()}")
        return False
    return True


def info_of(f):
    r = zs("info", f, "--json")
    return json.loads(r.stdout) if ok(r, f"zslab info {f}") else None


def zslab_array(f, *extra):
    """The volume as zslab reads it, as a Fortran-order .npy (x, y, z[, t])."""
    out = path("read_" + "".join(c if c.isalnum() else "_" for c in f[len(W) :]) + ".npy")
    return np.load(out) if ok(zs("convert", f, out, "--force", "-q", *extra), f"zslab convert {f}") else None


def filtered(f, op, out, *extra):
    r = zs("filter", f, out, "--op", op, "--force", "-q", *extra)
    if not ok(r, f"zslab filter {f} --op {op} {' '.join(extra)}"):
        return None
    if out.endswith(".npy"):
        return np.load(out)
    with h5py.File(out.split(".h5:")[0] + ".h5" if ".h5:" in out else out, "r") as h:
        return h[out.split(".h5:")[1] if ".h5:" in out else "data"][()]


def same(name, got, want):
    if got is None or want is None:
        return
    if got.shape != want.shape or got.dtype != want.dtype:
        fail(f"{name}: {got.shape} {got.dtype}, expected {want.shape} {want.dtype}")
    elif not np.array_equal(got, want):
        fail(f"{name}: voxels differ ({int(np.sum(got != want))} of {got.size})")


def expect_error(args, words, what):
    r = zs(*args)
    if r.returncode != 1:
        fail(f"{what}: exit {r.returncode}, expected 1 ({r.stderr.strip()})")
    for w in words:
        if w not in r.stderr:
            fail(f"{what}: the message does not name {w!r}: {r.stderr.strip()}")


# ---- h5py → zslab: plain datasets -------------------------------------------------------------
for dtype in ("uint16", "float32"):
    a = data((23, 19, 17), dtype, 1)  # zslab's (x, y, z): axis 0 is x for a dataset without names
    npy = path(f"a_{dtype}.npy")
    np.save(npy, a)
    cont, chunked = path(f"contig_{dtype}.h5"), path(f"chunked_{dtype}.h5")
    with h5py.File(cont, "w") as h:
        h["vol"] = a
    with h5py.File(chunked, "w") as h:
        h.create_dataset("g/vol", data=a, chunks=(8, 8, 4), compression="gzip", shuffle=True)
    inf = info_of(cont)
    if inf and (inf["slab_access"] == "decode" or inf["offset"] == 0 or inf["order"] != "C"):
        fail(f"contiguous {dtype}: expected a mapped C-order dataset, zslab says {inf}")
    inf = info_of(chunked + ":/g/vol")
    if inf and inf["slab_access"] != "decode":
        fail(f"chunked {dtype}: expected decoded planes, zslab says {inf['slab_access']}")
    same(f"contiguous {dtype} read", zslab_array(cont), a)
    same(f"chunked {dtype} read", zslab_array(chunked + ":/g/vol"), a)
    for op in ("median:size=3", "gaussian:sigma=1.5"):
        ref = filtered(npy, op, path("ref.npy"))
        for src in (cont, chunked + ":/g/vol"):
            for threads in ("1", "2"):
                got = filtered(src, op, path("got.npy"), "--threads", threads, "--slab", "5")
                same(f"{op} of {src[len(W):]} ({threads} threads)", got, ref)

# --dataset PATH is IN:PATH
same("--dataset g/vol", zslab_array(path("chunked_uint16.h5"), "--dataset", "/g/vol"), np.load(path("a_uint16.npy")))

# labelled (z, y, x): h5py's array transposed is zslab's (x, y, z); element_size_um z, y, x
a = data((11, 13, 7), "uint16", 2)
lab = path("labelled.h5")
with h5py.File(lab, "w") as h:
    for name, kw in (("contig", {}), ("chunked", {"chunks": (4, 4, 4), "compression": "gzip"})):
        d = h.create_dataset(name, data=np.ascontiguousarray(a.T), **kw)
        for i, n in enumerate("zyx"):
            d.dims[i].label = n
        d.attrs["element_size_um"] = [3.0, 0.5, 0.25]
for name, access in (("contig", "contiguous"), ("chunked", "decode")):
    inf = info_of(f"{lab}:/{name}")
    if inf and (inf["slab_access"] != access or inf["shape"][:3] != [11, 13, 7]):
        fail(f"labelled {name}: access {inf['slab_access']} shape {inf['shape']}, expected {access} [11, 13, 7]")
    if inf and (inf["voxel_size"] != [0.25, 0.5, 3.0] or inf["unit"] != "um"):
        fail(f"labelled {name}: voxel size {inf['voxel_size']} {inf['unit']!r}, expected [0.25, 0.5, 3.0] um")
    same(f"labelled {name} read", zslab_array(f"{lab}:/{name}"), a)

# a user block before the superblock (h5py's userblock_size): the signature is at 512, 1024, ...;
# the contiguous dataset is mapped at its offset in the file, past the user block
a = data((9, 7, 5), "uint16", 3)
ub = path("userblock.h5")
with h5py.File(ub, "w", userblock_size=1024) as h:
    h["vol"] = a
inf = info_of(ub)
if inf and (inf["slab_access"] == "decode" or inf["offset"] <= 1024):
    fail(f"user block: expected a dataset mapped past the 1024-byte user block, zslab says {inf}")
same("user block read", zslab_array(ub), a)

# ---- Imaris: padded datasets, char-array attributes, two channels ------------------------------
X, Y, Z = 21, 14, 9
chans = [data((Z, Y, X), "uint16", 10 + c) for c in range(2)]
ims = path("img.ims")


def chars(s):
    return np.frombuffer(s.encode(), dtype="S1")


# Imaris writes one-character strings without room for their NUL (H5T_STR_NULLTERM of size 1), h5py
# writes them NUL-padded: the sizes take the first kind, the extents the second
imaris_char = h5py.h5t.C_S1.copy()
imaris_char.set_size(1)
imaris_char.set_strpad(h5py.h5t.STR_NULLTERM)
with h5py.File(ims, "w") as h:
    img = h.create_group("DataSetInfo/Image")
    for k, v in (("X", X), ("Y", Y), ("Z", Z)):  # written as stored, without h5py's conversion
        c = chars(str(v))
        h5py.h5a.create(img.id, k.encode(), imaris_char, h5py.h5s.create_simple(c.shape)).write(c, mtype=imaris_char)
    for k, v in (("ExtMin0", -1.0), ("ExtMin1", 0.0), ("ExtMin2", 0.0), ("ExtMax0", -1.0 + 0.5 * X),
                 ("ExtMax1", 0.75 * Y), ("ExtMax2", 2.0 * Z)):
        img.attrs[k] = chars(str(v))
    for c, vol in enumerate(chans):
        pad = np.zeros((16, 16, 32), "uint16")
        pad[:Z, :Y, :X] = vol
        pad[Z:, :, :] = 999  # padding zslab must not read
        h.create_dataset(f"DataSet/ResolutionLevel 0/TimePoint 0/Channel {c}/Data", data=pad, chunks=(8, 16, 32),
                         compression="gzip")
inf = info_of(ims)
if inf:
    if inf["shape"] != [X, Y, Z, 2]:
        fail(f"Imaris: shape {inf['shape']}, expected {[X, Y, Z, 2]}")
    if not np.allclose(inf["voxel_size"], [0.5, 0.75, 2.0]) or inf["unit"] != "um":
        fail(f"Imaris: voxel size {inf['voxel_size']} {inf['unit']!r}, expected [0.5, 0.75, 2.0] um")
    r = zs("info", ims)
    if "0.5 x 0.75 x 2 um" not in r.stdout or "an Imaris image" not in r.stdout:
        fail(f"Imaris: zslab info does not show the voxel size or the layout: {r.stdout}")
same("Imaris read", zslab_array(ims), np.stack([v.T for v in chans], axis=3))

# a longer series (6 time points x 2 channels: more datasets than are kept open at once), without
# DataSetInfo: the size is the datasets'
vols = [data((5, 6, 7), "uint16", 30 + k) for k in range(12)]
with h5py.File(path("series.ims"), "w") as h:
    for k, vol in enumerate(vols):
        h.create_dataset(f"DataSet/ResolutionLevel 0/TimePoint {k // 2}/Channel {k % 2}/Data", data=vol,
                         chunks=(2, 3, 7), compression="gzip")
np.save(path("series_ref.npy"), np.stack([v.T for v in vols], axis=3))
ref = filtered(path("series_ref.npy"), "median:size=3", path("series_want.npy"))
same("Imaris series of 12, 2 threads", filtered(path("series.ims"), "median:size=3", path("series_got.npy"), "--threads",
                                                "2"), ref)

# ---- BigDataViewer: two setups, one time point, voxel size in the XML -------------------------
bdv = path("bdv.h5")
views = [data((6, 10, 12), "int16", 20 + s) for s in range(2)]
with h5py.File(bdv, "w") as h:
    for s, vol in enumerate(views):
        h.create_dataset(f"t00000/s{s:02d}/0/cells", data=vol, chunks=(4, 4, 4), compression="gzip")
        h[f"s{s:02d}/resolutions"] = np.ones((1, 3))
with open(path("bdv.xml"), "w") as x:
    x.write('<?xml version="1.0"?><SpimData><SequenceDescription><ViewSetups><ViewSetup><id>0</id>'
            "<voxelSize><unit>µm</unit><size>0.4 0.4 1.6</size></voxelSize></ViewSetup></ViewSetups>"
            "</SequenceDescription></SpimData>")
inf = info_of(bdv)
if inf and (inf["shape"] != [12, 10, 6, 2] or not np.allclose(inf["voxel_size"], [0.4, 0.4, 1.6])
            or inf["unit"] != "um"):
    fail(f"BigDataViewer: shape {inf['shape']} voxel {inf['voxel_size']} {inf['unit']!r}")
if "a BigDataViewer image" not in zs("info", bdv).stdout:
    fail("BigDataViewer: zslab info does not name the layout")
same("BigDataViewer read", zslab_array(bdv), np.stack([v.T for v in views], axis=3))

# ---- refusals -------------------------------------------------------------------------------------
flat = path("flat.h5")
with h5py.File(flat, "w") as h:
    h["plane"] = np.zeros((4, 5), "uint8")
    h["a"] = np.zeros((3, 3, 3), "uint8")
    h["b"] = np.zeros((3, 3, 3), "uint8")
expect_error(("info", flat + ":/missing/path"), (flat, "/missing/path"), "a missing dataset")
expect_error(("filter", flat + ":/missing", path("x.npy"), "--op", "median:size=3"), (flat, "/missing"),
             "filter of a missing dataset")
expect_error(("info", flat + ":/plane"), (flat, "/plane", "2 dimensions"), "a 2-D dataset")
expect_error(("info", flat), (flat, "/a", "/b"), "a file with two volumes")
if os.path.exists(path("x.npy")):
    fail("a failed run left its output")

# bool (h5py's enum over int8), contiguous and chunked, in and out
b = np.random.default_rng(5).random((9, 8, 7)) > 0.6
np.save(path("b.npy"), b)
with h5py.File(path("b.h5"), "w") as h:
    h["b"] = b
    h.create_dataset("bg", data=b, chunks=(4, 4, 4), compression="gzip")
ref = filtered(path("b.npy"), "maximum:size=3", path("bref.npy"))
for d in ("b", "bg"):
    same(f"bool dataset {d}", filtered(path("b.h5") + ":/" + d, "maximum:size=3", path("bgot.npy")), ref)
got = filtered(path("b.npy"), "maximum:size=3", path("bout.h5"))
same("bool HDF5 output", got, None if ref is None else np.ascontiguousarray(ref.T))

# ---- zslab → h5py -------------------------------------------------------------------------------
a = data((23, 19, 17), "float32", 3)
npy = path("w.npy")
np.save(npy, a)
ok(zs("create", path("vox.nii"), "--shape", "23x19x17", "--dtype", "float32", "--pattern", "noise",
      "--voxel-size", "0.5x0.25x2", "--unit", "um", "--force"), "zslab create vox.nii")
for comp in ((), ("--compress", "deflate")):
    for threads in ("1", "2"):
        ref = filtered(npy, "gaussian:sigma=1.5", path("wref.npy"))
        out = path(f"out{len(comp)}_{threads}.h5")
        got = filtered(npy, "gaussian:sigma=1.5", out, "--threads", threads, *comp)
        same(f"HDF5 output {comp} {threads} threads", got, None if ref is None else np.ascontiguousarray(ref.T))
        with h5py.File(out, "r") as h:
            d = h["data"]
            if [x.label for x in d.dims] != ["z", "y", "x"]:
                fail(f"HDF5 output labels {[x.label for x in d.dims]}")
            if comp and (d.compression != "gzip" or not d.shuffle):
                fail(f"HDF5 output compression {d.compression} shuffle {d.shuffle}")
        if os.path.exists(out + ".partial"):
            fail(f"{out}.partial left after the run")
        same(f"HDF5 output read back {comp}", zslab_array(out), ref)
# the chunk shape (--chunks, z first) and gzip; a compression HDF5 outputs do not take is refused
out = path("chunks.h5")
got = filtered(npy, "gaussian:sigma=1.5", out, "--chunks", "5x8x16", "--compress", "gzip", "--threads", "2")
same("HDF5 output with --chunks 5x8x16", got, None if ref is None else np.ascontiguousarray(ref.T))
with h5py.File(out, "r") as h:
    if h["data"].chunks != (5, 8, 16) or h["data"].compression != "gzip":
        fail(f"--chunks 5x8x16 --compress gzip: chunks {h['data'].chunks}, compression {h['data'].compression}")
r = zs("filter", npy, path("blosc.h5"), "--op", "median:size=3", "--compress", "blosc-lz4", "-q")
if r.returncode == 0 or "blosc-lz4" not in r.stderr or os.path.exists(path("blosc.h5.partial")):
    fail(f"--compress blosc-lz4 to HDF5: exit {r.returncode}, expected a refusal: {r.stderr.strip()}")
# a chosen path and the voxel size
out = path("vox.h5") + ":/results/smooth"
if ok(zs("filter", path("vox.nii"), out, "--op", "gaussian:sigma=1", "--force", "-q"), "filter to a chosen path"):
    with h5py.File(path("vox.h5"), "r") as h:
        d = h["results/smooth"]
        if not np.allclose(d.attrs.get("element_size_um", []), [2.0, 0.25, 0.5]):
            fail(f"element_size_um {d.attrs.get('element_size_um')}, expected [2, 0.25, 0.5] (z, y, x)")
    inf = info_of(out)
    if inf and (not np.allclose(inf["voxel_size"], [0.5, 0.25, 2.0]) or inf["unit"] != "um"):
        fail(f"voxel size read back {inf['voxel_size']} {inf['unit']!r}")
# a series: (t, z, y, x)
s = data((9, 8, 7, 3), "uint16", 4)
np.save(path("s.npy"), s)
ref = filtered(path("s.npy"), "median:size=3", path("sref.npy"))
got = filtered(path("s.npy"), "median:size=3", path("s.h5"), "--threads", "2")
same("HDF5 series output", got, None if ref is None else np.ascontiguousarray(ref.transpose(3, 2, 1, 0)))
same("HDF5 series read back", zslab_array(path("s.h5")), ref)
# an existing output is kept without --force
r = zs("filter", npy, path("out0_1.h5"), "--op", "median:size=3", "-q")
if r.returncode == 0 or "exists" not in r.stderr:
    fail(f"an existing HDF5 output was not refused: exit {r.returncode} {r.stderr.strip()}")

# ---- journals: --part and --resume with an HDF5 input; parts refuse an HDF5 output --------------
src = path("chunked_uint16.h5") + ":/g/vol"
ref = filtered(path("a_uint16.npy"), "median:size=3", path("jref.npy"), "--slab", "4")
dst = path("journal.npy")
for extra in (("--part", "0/2"), ("--resume",)):
    ok(zs("filter", src, dst, "--op", "median:size=3", "--slab", "4", "-q", *extra), f"{extra} on an HDF5 input")
if ref is not None and os.path.exists(dst):
    same("--part then --resume on an HDF5 input", np.load(dst), ref)
else:
    fail("--part then --resume left no output")
# the journal's fingerprint is the HDF5 file's: a dataset changed between two parts is noticed
dst = path("changed.npy")
ok(zs("filter", src, dst, "--op", "median:size=3", "--slab", "4", "-q", "--part", "0/2"), "--part 0/2 before a change")
with h5py.File(path("chunked_uint16.h5"), "r+") as h:
    h["g/vol"][0, 0, 0] += 1
r = zs("filter", src, dst, "--op", "median:size=3", "--slab", "4", "-q", "--resume")
if r.returncode != 1 or "input-files" not in r.stderr:
    fail(f"--resume after the HDF5 input changed: exit {r.returncode}, expected 1 (input-files differ): "
         f"{r.stderr.strip()}")
r = zs("filter", npy, path("parts.h5"), "--op", "median:size=3", "--part", "0/2", "-q")
if r.returncode == 0 or "parts.h5" not in r.stderr:
    fail(f"--part to an HDF5 output: exit {r.returncode}, expected a refusal: {r.stderr.strip()}")

finish("hdf5: h5py reads zslab's HDF5 outputs and zslab reads h5py's datasets, Imaris and BigDataViewer files", W)
