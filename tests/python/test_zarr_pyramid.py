#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""OME-Zarr pyramids (`--pyramid N`), read back by zarr-python.

`zslab filter in.npy out.ome.zarr --pyramid N` writes arrays 0..N: level 0 is the filter's
result (the .npy result transposed to (z, y, x)); level k is the 2x2x2 mean of level k-1 (the
mean of the voxels a block covers where an axis is odd), rounded half to even for integers, as
numpy computes it in float64 and np.round rounds it (float32 arithmetic in zslab: equal, or within
one unit where a float32 sum lands on the other side of .5); the multiscales list every level,
with axes z, y, x and the voxel size times 2^k. A series gets a pyramid per volume. Threads do not
change a byte. A pyramid is refused for formats of one resolution and for jobs with a journal.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import json
import os
import subprocess
import sys

import numpy as np

try:
    import nibabel as nib
    import zarr
except ImportError as e:
    print(f"SKIP: zarr-python or nibabel is not installed ({e})")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import fail, finish, workdir, zs  # noqa: E402

W = workdir("zarr-pyramid")


def path(name):
    return os.path.join(W, name)


def run_ok(name, *args):
    r = zs(*args)
    if r.returncode != 0:
        fail(f"{name}: zslab {' '.join(map(str, args))}: exit {r.returncode}: {r.stderr.strip()}")
    return r.returncode == 0


def mean2(a):
    """The 2x2x2 block mean of a (z, y, x) array over the voxels each block covers, in float64."""
    shape = tuple((n + 1) // 2 for n in a.shape)
    total, count = np.zeros(shape), np.zeros(shape)
    for dz in range(2):
        for dy in range(2):
            for dx in range(2):
                s = a[dz::2, dy::2, dx::2].astype(np.float64)
                total[:s.shape[0], :s.shape[1], :s.shape[2]] += s
                count[:s.shape[0], :s.shape[1], :s.shape[2]] += 1
    return total / count


def check_level(name, got, below):
    want = mean2(below)
    if got.shape != want.shape:
        fail(f"{name}: shape {got.shape}, the 2x2x2 mean of {below.shape} is {want.shape}")
        return
    if np.issubdtype(got.dtype, np.integer):
        exact = np.round(want).astype(got.dtype)
        off = np.abs(got.astype(np.int64) - exact.astype(np.int64))
        if off.max() > 1 or np.count_nonzero(off) > got.size // 1000 + 1:
            fail(f"{name}: {np.count_nonzero(off)} voxels differ from np.round of the mean (max {off.max()})")
    elif not np.allclose(got, want, rtol=1e-6, atol=1e-6):
        fail(f"{name}: differs from the mean by up to {np.abs(got - want).max()}")


def multiscales(out):
    with open(os.path.join(out, ".zattrs")) as f:
        return json.load(f)["multiscales"][0]


# An odd shape (every level has an odd axis somewhere), uint16 and float32, anisotropic voxels.
rng = np.random.default_rng(7)
for dtype, op in (("uint16", "gaussian:sigma=1"), ("float32", "median:size=3")):
    src = path(f"in_{dtype}.nii")
    vol = (rng.random((45, 38, 29)) * 4000).astype(dtype)  # x, y, z
    img = nib.Nifti1Image(vol, np.diag([0.5, 0.5, 2.0, 1.0]))
    img.header.set_xyzt_units("micron")
    nib.save(img, src)
    ref, out = path(f"ref_{dtype}.npy"), path(f"out_{dtype}.ome.zarr")
    if not (run_ok("plain", "filter", src, ref, "--op", op)
            and run_ok("pyramid", "filter", src, out, "--op", op, "--pyramid", "3", "--chunks", "8x16x16")):
        continue
    g = zarr.open_group(out, mode="r")
    levels = [g[str(k)][:] for k in range(4)]
    if sorted(g.array_keys()) != ["0", "1", "2", "3"]:
        fail(f"{dtype}: arrays {sorted(g.array_keys())}, expected 0-3")
    if not np.array_equal(levels[0], np.load(ref).transpose(2, 1, 0)):
        fail(f"{dtype}: level 0 differs from the .npy result")
    for k in range(1, 4):
        check_level(f"{dtype} level {k}", levels[k], levels[k - 1])
    ms = multiscales(out)
    if [a["name"] for a in ms["axes"]] != ["z", "y", "x"]:
        fail(f"{dtype}: axes {ms['axes']}")
    for k, d in enumerate(ms["datasets"]):
        scale = d["coordinateTransformations"][0]["scale"]
        if d["path"] != str(k) or not np.allclose(scale, [2.0 * 2**k, 0.5 * 2**k, 0.5 * 2**k]):
            fail(f"{dtype}: dataset {k}: {d}")
    if len(ms["datasets"]) != 4:
        fail(f"{dtype}: {len(ms['datasets'])} datasets listed")
    # the same pyramid with one thread, byte for byte
    one = path(f"one_{dtype}.ome.zarr")
    if run_ok("one thread", "filter", src, one, "--op", op, "--pyramid", "3", "--chunks", "8x16x16", "--threads", "1"):
        if subprocess.run(["diff", "-r", out, one], capture_output=True).returncode != 0:
            fail(f"{dtype}: --threads 1 wrote other files than --threads 2")
    # zslab reads a level back with its voxel size
    r = zs("info", out + "/2", "--json")
    if r.returncode != 0:
        fail(f"info of level 2: {r.stderr.strip()}")
    else:
        i = json.loads(r.stdout)
        if i["shape"][:3] != [12, 10, 8] or not np.allclose(i["voxel_size"], [2.0, 2.0, 8.0]):
            fail(f"level 2 reads as {i['shape']} {i['voxel_size']}")

# a series: a pyramid per volume, t kept
series = (rng.random((3, 20, 18, 16)) * 200).astype("uint8")  # t, z, y, x
np.save(path("series.npy"), np.asfortranarray(series.transpose(3, 2, 1, 0)))  # x, y, z, t
if run_ok("series", "filter", path("series.npy"), path("series.ome.zarr"), "--op", "uniform:size=3", "--pyramid", "1"):
    g = zarr.open_group(path("series.ome.zarr"), mode="r")
    l0, l1 = g["0"][:], g["1"][:]
    if l1.shape != (3, 10, 9, 8):
        fail(f"series level 1 shape {l1.shape}")
    else:
        for t in range(3):
            check_level(f"series t={t}", l1[t], l0[t])
    if [a["name"] for a in multiscales(path("series.ome.zarr"))["axes"]] != ["t", "z", "y", "x"]:
        fail("series axes")

# refusals: one resolution, a journal, a count out of range; nothing is left behind
for args, what in ((["out.npy", "--pyramid", "1"], "pyramid"),
                   (["part.ome.zarr", "--pyramid", "1", "--part", "0/2"], "journal"),
                   (["big.ome.zarr", "--pyramid", "17"], "--pyramid")):
    r = zs("filter", path("in_uint16.nii"), path(args[0]), "--op", "gaussian:sigma=1", *args[1:])
    if r.returncode == 0 or what not in r.stderr:
        fail(f"{' '.join(args)}: exit {r.returncode}, stderr {r.stderr.strip()!r} (expected a refusal naming {what})")
    if os.path.exists(path(args[0])) or os.path.exists(path(args[0]) + ".partial"):
        fail(f"{args[0]}: left behind by a refused run")

finish("ok: OME-Zarr pyramids", W)
