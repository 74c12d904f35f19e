#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab against tifffile, the reference TIFF reader and writer of the Python world.

tifffile → zslab: stacks written by tifffile (plain, ImageJ stacks and hyperstacks, OME-TIFF,
BigTIFF, big-endian, tiled, deflate with predictor, LZW through libtiff's tiffcp; uint8,
uint16, int16, float32, float64) read to the same voxels (`zslab convert X.tif out.npy`):
tifffile returns (z, y, x) C-order arrays and zslab's axis 0 is x, so zslab's array is
tifffile's transposed to (x, y, z); ImageJ hyperstacks fold channels and frames into the
series axis t = c + C*frame. `zslab info --json` reports the voxel size tifffile reads from
the tags and the metadata.
zslab → tifffile: zslab's TIFF outputs (uncompressed, deflate, LZW, zstd; 3-D and series)
read back in tifffile with the same voxels and ImageJ metadata (images, slices, frames,
spacing, unit) and resolution. Pages of differing size are refused naming the page.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import tifffile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import fail, finish, workdir, zs  # noqa: E402

W = workdir("tiff")


def path(name):
    return os.path.join(W, name)


def data(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return (rng.standard_normal(shape) * 1000).astype(dt)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dt)


def info_of(f):
    r = zs("info", f, "--json")
    if r.returncode != 0:
        fail(f"zslab info {f}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return json.loads(r.stdout)


def zslab_array(f, name, *extra):
    """The volume as zslab reads it: converted to a Fortran-order .npy."""
    out = path("".join(c if c.isalnum() else "_" for c in name) + ".npy")
    r = zs("convert", f, out, "--force", "-q", *extra)
    if r.returncode != 0:
        fail(f"zslab convert {f}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return np.load(out)


def check_read(name, f, expect, voxel=None, unit=None, access=None):
    """zslab reads f as `expect` (x, y, z[, t]) with the given voxel size and access."""
    got = zslab_array(f, name)
    inf = info_of(f)
    if got is None or inf is None:
        return
    if got.shape != expect.shape or got.dtype != expect.dtype:
        fail(f"{name}: zslab reads {got.shape} {got.dtype}, tifffile {expect.shape} {expect.dtype}")
    elif not np.array_equal(got, expect, equal_nan=expect.dtype.kind == "f"):
        fail(f"{name}: voxels differ from tifffile's ({int(np.sum(got != expect))} of {got.size})")
    if voxel is not None and not np.allclose(inf["voxel_size"], voxel, rtol=1e-6):
        fail(f"{name}: voxel size {inf['voxel_size']}, tifffile says {voxel}")
    if unit is not None and inf["unit"] != unit:
        fail(f"{name}: unit {inf['unit']!r}, expected {unit!r}")
    if access is not None and inf["slab_access"] != access:
        fail(f"{name}: slab access {inf['slab_access']}, expected {access}")
    print(f"ok: {name}: {got.shape} {got.dtype} voxel {inf['voxel_size']} {inf['unit']!r} {inf['slab_access']}")


def tifffile_voxel(f):
    """The voxel size tifffile reads: 1/X/YResolution, ImageJ spacing or OME PhysicalSize."""
    with tifffile.TiffFile(f) as t:
        p = t.pages[0]
        xr, yr = p.tags["XResolution"].value, p.tags["YResolution"].value
        v = [xr[1] / xr[0], yr[1] / yr[0], 1.0]
        if t.imagej_metadata and "spacing" in t.imagej_metadata:
            v[2] = float(t.imagej_metadata["spacing"])
        return v


def zyx(a):
    """tifffile's (z, y, x) → zslab's (x, y, z)."""
    return np.ascontiguousarray(a.transpose(2, 1, 0))


def test_plain_dtypes():
    for i, dt in enumerate(["uint8", "uint16", "int16", "float32", "float64"]):
        a = data((7, 33, 45), dt, i)
        f = path(f"plain_{dt}.tif")
        tifffile.imwrite(f, a)
        want = zyx(tifffile.imread(f))  # float64 too: a conversion keeps every digit
        check_read(f"plain {dt}", f, want, voxel=tifffile_voxel(f), access="contiguous")


def test_imagej_stack():
    a = data((9, 40, 50), "uint16", 10)
    f = path("imagej.tif")
    tifffile.imwrite(f, a, imagej=True, resolution=(1 / 0.325, 1 / 0.325),
                     metadata={"spacing": 2.0, "unit": "um", "axes": "ZYX"})
    with tifffile.TiffFile(f) as t:
        assert t.imagej_metadata["slices"] == 9
    check_read("imagej stack", f, zyx(tifffile.imread(f)), voxel=tifffile_voxel(f), unit="um", access="contiguous")


def test_imagej_hyperstack():
    T, Z, C = 3, 5, 2
    a = data((T, Z, C, 24, 31), "uint16", 11)
    f = path("hyper.tif")
    tifffile.imwrite(f, a, imagej=True, resolution=(2.0, 2.0), metadata={"spacing": 3.0, "unit": "micron",
                                                                        "axes": "TZCYX"})
    ref = tifffile.imread(f)  # (T, Z, C, Y, X)
    want = np.empty((31, 24, Z, C * T), dtype=ref.dtype)
    for fr in range(T):
        for c in range(C):
            want[:, :, :, c + C * fr] = ref[fr, :, c].transpose(2, 1, 0)
    check_read("imagej hyperstack (t = c + C*frame)", f, want, voxel=[0.5, 0.5, 3.0], unit="um", access="decode")
    # frames only: the series axis is the frame, and the layout is plain
    b = data((2, 4, 20, 22), "uint8", 12)
    f = path("frames.tif")
    tifffile.imwrite(f, b, imagej=True, metadata={"axes": "TZYX"})
    check_read("imagej frames", f, np.ascontiguousarray(tifffile.imread(f).transpose(3, 2, 1, 0)),
               access="contiguous")


def test_ome():
    a = data((6, 28, 36), "uint16", 20)
    f = path("ome.ome.tif")
    tifffile.imwrite(f, a, ome=True, metadata={"axes": "ZYX", "PhysicalSizeX": 0.4, "PhysicalSizeY": 0.4,
                                               "PhysicalSizeZ": 1.5})
    check_read("OME-TIFF", f, zyx(tifffile.imread(f)), voxel=[0.4, 0.4, 1.5], unit="um", access="contiguous")
    b = data((2, 3, 16, 20), "float32", 21)
    f = path("ome_t.ome.tif")
    tifffile.imwrite(f, b, ome=True, metadata={"axes": "TZYX", "PhysicalSizeX": 250.0, "PhysicalSizeXUnit": "nm",
                                               "PhysicalSizeY": 250.0, "PhysicalSizeYUnit": "nm",
                                               "PhysicalSizeZ": 1.0, "PhysicalSizeZUnit": "µm"})
    check_read("OME-TIFF TZYX, mixed units", f, np.ascontiguousarray(tifffile.imread(f).transpose(3, 2, 1, 0)),
               voxel=[0.25, 0.25, 1.0], unit="um")


def test_bigtiff_byteorder_tiles_compression():
    a = data((8, 37, 41), "uint16", 30)
    f = path("big.tif")
    tifffile.imwrite(f, a, bigtiff=True)
    check_read("BigTIFF", f, zyx(tifffile.imread(f)), access="contiguous")
    if info_of(f)["version"] != 43:
        fail("BigTIFF: info version is not 43")
    f = path("bigendian.tif")
    tifffile.imwrite(f, a, byteorder=">")
    check_read("big-endian", f, zyx(tifffile.imread(f)).astype(">u2"), access="contiguous")
    f = path("tiled.tif")
    tifffile.imwrite(f, a, tile=(16, 16))
    check_read("tiled (tiles overhang the edges)", f, zyx(tifffile.imread(f)), access="decode")
    f = path("deflate.tif")
    tifffile.imwrite(f, a, compression="zlib", predictor=True)
    check_read("deflate + predictor", f, zyx(tifffile.imread(f)), access="decode")
    b = data((5, 30, 30), "float32", 31)
    f = path("deflate_f32.tif")
    tifffile.imwrite(f, b, compression="zlib", rowsperstrip=7)
    check_read("deflate float32, several strips", f, zyx(tifffile.imread(f)), access="decode")
    c = data((6, 29, 30), "uint8", 32)
    f = path("deflate_tiled_u8.tif")
    tifffile.imwrite(f, c, compression="zlib", tile=(16, 16))
    check_read("deflate tiled uint8", f, zyx(tifffile.imread(f)), access="decode")


def test_lzw():
    """tifffile cannot encode LZW without imagecodecs: its uncompressed stack is recompressed
    by libtiff's tiffcp, and the voxels compared with tifffile's reading of the source."""
    if not shutil.which("tiffcp"):
        fail("tiffcp not found (libtiff-tools; scripts/install-deps.sh installs it)")
        return
    for dt, seed in (("uint16", 40), ("uint8", 41), ("float32", 42)):
        a = data((6, 35, 40), dt, seed)
        src, f = path(f"src_{dt}.tif"), path(f"lzw_{dt}.tif")
        tifffile.imwrite(src, a, imagej=dt != "float32" or None, resolution=(2.0, 2.0),
                         metadata={"spacing": 1.5, "unit": "um", "axes": "ZYX"} if dt != "float32" else {})
        subprocess.run(["tiffcp", "-c", "lzw:2" if dt != "float32" else "lzw", src, f], check=True)
        check_read(f"LZW {dt} (tiffcp)", f, zyx(tifffile.imread(src)), access="decode")


def test_mixed_pages():
    f = path("mixed.tif")
    with tifffile.TiffWriter(f) as t:
        t.write(data((20, 20), "uint16", 50), contiguous=False)
        t.write(data((20, 20), "uint16", 51), contiguous=False)
        t.write(data((20, 24), "uint16", 52), contiguous=False)
    r = zs("convert", f, path("mixed.npy"))
    if r.returncode != 1 or "page 2" not in r.stderr or "mixed.tif" not in r.stderr:
        fail(f"pages of differing size: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    else:
        print("ok: differing pages refused:", r.stderr.strip())


def tifffile_view(f):
    """tifffile's array and metadata of f; LZW/zstd pages are decompressed by tiffcp first."""
    with tifffile.TiffFile(f) as t:
        comp = int(t.pages[0].compression)
    if comp in (5, 50000):
        plain = f + ".plain.tif"
        subprocess.run(["tiffcp", "-c", "none", f, plain], check=True)
        f = plain
    with tifffile.TiffFile(f) as t:
        return t.asarray(), t.imagej_metadata, t.pages[0].tags["XResolution"].value, t.series[0].axes


def test_zslab_writes():
    a = data((64, 48, 10), "uint16", 60)  # zslab's (x, y, z)
    src = path("w_src.npy")
    np.save(src, np.asfortranarray(a))
    mhd = path("w_src.mhd")  # carries the voxel size into the TIFF
    r = zs("convert", src, mhd, "--force", "-q")
    if r.returncode:
        fail(f"convert to mhd: {r.stderr}")
        return
    with open(mhd) as h:
        text = h.read().replace("ElementSpacing = 1 1 1", "ElementSpacing = 0.25 0.25 2")
    text = text.replace("ElementType", "DistanceUnits = um\nElementType")
    with open(mhd, "w") as h:
        h.write(text)
    for comp in ["none", "deflate", "lzw", "zstd"]:
        f = path(f"w_{comp}.tif")
        r = zs("convert", mhd, f, "--force", "-q", "--compress", comp, "--threads", 2, "--slab", 3)
        if r.returncode:
            fail(f"zslab convert --compress {comp}: {r.stderr.strip()}")
            continue
        arr, ij, xres, axes = tifffile_view(f)
        if not np.array_equal(arr, a.transpose(2, 1, 0)):
            fail(f"zslab TIFF ({comp}): tifffile reads other voxels")
        want = {"images": 10, "slices": 10, "spacing": 2.0}
        for k, v in want.items():
            if not ij or ij.get(k) != v:
                fail(f"zslab TIFF ({comp}): ImageJ {k} = {ij and ij.get(k)!r}, expected {v!r}")
        if not ij or ij.get("unit") not in ("micron", "um", "\\u00B5m"):
            fail(f"zslab TIFF ({comp}): ImageJ unit {ij and ij.get('unit')!r}")
        if abs(xres[0] / xres[1] - 4.0) > 1e-6:
            fail(f"zslab TIFF ({comp}): XResolution {xres}, expected 4 pixels per micron")
        if axes != "ZYX":
            fail(f"zslab TIFF ({comp}): tifffile sees axes {axes}")
        inf = info_of(f)
        if inf and (inf["voxel_size"] != [0.25, 0.25, 2.0] or inf["unit"] != "um"):
            fail(f"zslab TIFF ({comp}): reads back voxel {inf['voxel_size']} {inf['unit']!r}")
        access = "contiguous" if comp == "none" else "decode"
        if inf and inf["slab_access"] != access:
            fail(f"zslab TIFF ({comp}): access {inf['slab_access']}, expected {access}")
        print(f"ok: zslab writes {comp}: tifffile reads the voxels, ImageJ {ij}")
    # a series of volumes: frames
    b = data((20, 16, 3, 2), "float32", 61)
    np.save(path("w4.npy"), np.asfortranarray(b))
    f = path("w4.tif")
    r = zs("convert", path("w4.npy"), f, "--force", "-q")
    if r.returncode:
        fail(f"4-D to TIFF: {r.stderr}")
        return
    arr, ij, _, axes = tifffile_view(f)
    if not ij or ij.get("frames") != 2 or ij.get("slices") != 3:
        fail(f"4-D TIFF: ImageJ {ij}")
    if not np.array_equal(arr.reshape(2, 3, 16, 20), b.transpose(3, 2, 1, 0)):
        fail("4-D TIFF: tifffile reads other voxels")
    print(f"ok: 4-D output: ImageJ {ij}, axes {axes}")


def test_filter_threads_compressed():
    """A compressed input decoded by several workers (each with its own libtiff handle)
    filters to the same bytes as the same data in a .npy."""
    a = data((30, 64, 50), "uint16", 70)
    f = path("thr.tif")
    tifffile.imwrite(f, a, compression="zlib", predictor=True, rowsperstrip=5)
    np.save(path("thr.npy"), np.asfortranarray(zyx(a)))
    for thr, slab in ((1, 30), (2, 1), (2, 4), (3, 7)):
        r1 = zs("filter", f, path("o1.npy"), "--op", "gaussian:sigma=1.5", "--threads", thr, "--slab", slab,
                "--force", "-q")
        r2 = zs("filter", path("thr.npy"), path("o2.npy"), "--op", "gaussian:sigma=1.5", "--force", "-q")
        if r1.returncode or r2.returncode:
            fail(f"filter: {r1.stderr} {r2.stderr}")
            continue
        with open(path("o1.npy"), "rb") as x, open(path("o2.npy"), "rb") as y:
            if x.read() != y.read():
                fail(f"compressed TIFF, {thr} threads, slab {slab}: output differs from the .npy's")
    print("ok: compressed TIFF filtered by 1-3 threads equals the .npy path")


def main():
    for t in [test_plain_dtypes, test_imagej_stack, test_imagej_hyperstack, test_ome,
              test_bigtiff_byteorder_tiles_compression, test_lzw, test_mixed_pages, test_zslab_writes,
              test_filter_threads_compressed]:
        t()
    finish("all TIFF checks passed", W)


if __name__ == "__main__":
    main()
