#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Plane series: one 2-D TIFF (or .npy) per z-plane is one volume.

A 200-plane series img_1.tif ... img_200.tif (written by tifffile), named as a directory, a
glob and a printf pattern, filters to the same bytes as the same data in one .npy; z follows
the numbers, not the lexical order of the names; removing img_57.tif makes it fail naming
img_57.tif; a plane of another size or dtype is named; zero-padded names are reported with
their padding. Outputs as a series (OUT/ and a printf pattern) read back plane by plane.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import json
import os
import shutil
import sys

import numpy as np
import tifffile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zstest  # noqa: E402
from zstest import fail, finish, same_files, workdir  # noqa: E402

W = workdir("series")


def zs(*args):
    return zstest.zs(*args, timeout=300)


def path(*names):
    return os.path.join(W, *names)


def make_series(folder, planes, name="img_{}.tif", start=1, **kw):
    os.makedirs(folder, exist_ok=True)
    for z, p in enumerate(planes):
        tifffile.imwrite(os.path.join(folder, name.format(z + start)), p, **kw)


def test_200_planes():
    rng = np.random.default_rng(7)
    vol = rng.integers(0, 4000, size=(200, 48, 64), dtype=np.uint16)  # tifffile's (z, y, x)
    folder = path("stack")
    make_series(folder, vol, resolution=(2.0, 2.0), imagej=True, metadata={"spacing": 2.0, "unit": "um"})
    ref = path("stack.npy")
    np.save(ref, np.asfortranarray(vol.transpose(2, 1, 0)))
    ops = ["--op", "gaussian:sigma=1.5", "--op", "median:size=3"]
    r = zs("filter", ref, path("want.npy"), *ops, "--force", "-q")
    if r.returncode:
        fail(f"filter of the .npy: {r.stderr}")
        return
    for name in (folder, folder + "/", os.path.join(folder, "*.tif"), os.path.join(folder, "img_%d.tif")):
        inf = json.loads(zs("info", name, "--json").stdout or "{}")
        if inf.get("shape") != [64, 48, 200] or inf.get("format") != "series":
            fail(f"{name}: info {inf}")
        if inf.get("voxel_size") != [0.5, 0.5, 2.0] or inf.get("unit") != "um":
            fail(f"{name}: voxel {inf.get('voxel_size')} {inf.get('unit')!r}")
        out = path("got.npy")
        r = zs("filter", name, out, *ops, "--force", "-q", "--threads", 2, "--slab", 7)
        if r.returncode:
            fail(f"filter {name}: exit {r.returncode}: {r.stderr.strip()}")
        elif not same_files(out, path("want.npy")):
            fail(f"filter {name}: output differs from the .npy's")
        else:
            print(f"ok: {name} filters to the same bytes as the .npy")
    # natural order: img_2 comes before img_10 (lexically it would not)
    r = zs("convert", folder, path("conv.npy"), "--force", "-q")
    if r.returncode or not np.array_equal(np.load(path("conv.npy")), np.load(ref)):
        fail("series convert: voxels or plane order differ")
    # a missing plane is named
    os.rename(os.path.join(folder, "img_57.tif"), path("img_57.tif.away"))
    for name in (folder, os.path.join(folder, "img_*.tif"), os.path.join(folder, "img_%d.tif")):
        r = zs("filter", name, path("x.npy"), *ops, "--force")
        if r.returncode != 1 or "img_57.tif" not in r.stderr:
            fail(f"{name} without plane 57: exit {r.returncode}, stderr {r.stderr.strip()!r}")
        else:
            print(f"ok: {name} without plane 57: {r.stderr.strip()}")
    os.rename(path("img_57.tif.away"), os.path.join(folder, "img_57.tif"))
    # a plane of another size, then of another dtype
    keep = path("img_100.keep")
    shutil.copy(os.path.join(folder, "img_100.tif"), keep)
    for bad, what in ((np.zeros((48, 65), np.uint16), "size"), (np.zeros((48, 64), np.uint8), "dtype")):
        tifffile.imwrite(os.path.join(folder, "img_100.tif"), bad)
        r = zs("info", folder)
        if r.returncode != 1 or "img_100.tif" not in r.stderr:
            fail(f"plane of another {what}: exit {r.returncode}, stderr {r.stderr.strip()!r}")
        else:
            print(f"ok: plane of another {what}: {r.stderr.strip()}")
    shutil.copy(keep, os.path.join(folder, "img_100.tif"))


def test_padded_and_npy_planes():
    rng = np.random.default_rng(8)
    vol = rng.standard_normal((12, 10, 9)).astype(np.float32)
    folder = path("padded")
    make_series(folder, vol, name="z{:03d}.tif", start=0, compression="zlib")
    np.save(path("padded.npy"), np.asfortranarray(vol.transpose(2, 1, 0)))
    r = zs("convert", path("padded", "z%03d.tif"), path("p.npy"), "--force", "-q")
    if r.returncode or not np.array_equal(np.load(path("p.npy")), np.load(path("padded.npy"))):
        fail(f"compressed padded series: {r.stderr}")
    os.remove(os.path.join(folder, "z004.tif"))
    r = zs("info", folder)
    if r.returncode != 1 or "z004.tif" not in r.stderr:
        fail(f"padded series without z004: {r.stderr.strip()!r}")
    # .npy planes, C order (numpy's default) and Fortran order
    folder = path("npys")
    os.makedirs(folder)
    want = np.load(path("padded.npy"))
    for z in range(want.shape[2]):
        plane = want[:, :, z]
        np.save(os.path.join(folder, f"p{z}.npy"), plane if z % 2 else np.asfortranarray(plane))
    r = zs("convert", folder, path("n.npy"), "--force", "-q")
    if r.returncode or not np.array_equal(np.load(path("n.npy")), want):
        fail(f".npy series: {r.stderr}")
    else:
        print("ok: zero-padded compressed TIFF planes and .npy planes (both orders)")


def test_series_outputs():
    rng = np.random.default_rng(9)
    vol = rng.integers(0, 255, size=(20, 16, 5), dtype=np.uint8)  # (x, y, z)
    np.save(path("small.npy"), np.asfortranarray(vol))
    r = zs("convert", path("small.npy"), path("outdir") + "/", "-q")
    if r.returncode:
        fail(f"series output OUT/: {r.stderr}")
        return
    names = sorted(os.listdir(path("outdir")))
    if names != [f"plane_{z:04d}.tif" for z in range(5)]:
        fail(f"OUT/ holds {names}")
    for z in range(5):
        if not np.array_equal(tifffile.imread(path("outdir", f"plane_{z:04d}.tif")), vol[:, :, z].T):
            fail(f"plane_{z:04d}.tif: other voxels")
    os.makedirs(path("existing"))
    r = zs("convert", path("small.npy"), path("existing") + "/", "-q")
    if r.returncode or len(os.listdir(path("existing"))) != 5:
        fail(f"series output into an existing directory: {r.stderr.strip()} {os.listdir(path('existing'))}")
    r = zs("convert", path("small.npy"), path("existing"), "-q", "--force")
    if r.returncode == 0 or "ending in '/'" not in r.stderr:
        fail(f"an existing directory without '/' as OUT: exit {r.returncode} {r.stderr.strip()!r}")
    r = zs("convert", path("small.npy"), path("o_%02d.tif"), "-q", "--compress", "deflate")
    r2 = zs("convert", path("o_%02d.tif"), path("back.npy"), "-q", "--force")
    if r.returncode or r2.returncode or not np.array_equal(np.load(path("back.npy")), vol):
        fail(f"pattern output round trip: {r.stderr} {r2.stderr}")
    r = zs("convert", path("small.npy"), path("o_%02d.tif"), "-q")
    if r.returncode != 1 or "exists" not in r.stderr:
        fail(f"series output over existing planes without --force: exit {r.returncode} {r.stderr!r}")
    if any(n.endswith(".partial") for n in os.listdir(W)):
        fail(f"partial planes left behind: {os.listdir(W)}")
    print("ok: series outputs (OUT/, printf pattern, compressed) read back")


def main():
    test_200_planes()
    test_padded_and_npy_planes()
    test_series_outputs()
    finish("all series checks passed", W)


if __name__ == "__main__":
    main()
