# SPDX-License-Identifier: BSD-3-Clause
"""Volumes with an axis of length 0, as numpy and scipy.ndimage treat them: an empty array is valid, and
a filter of it returns an empty array of the same shape. `zslab info` shows the shape; filter and convert
(plain, --journal, --part, --dry-run) write an empty .npy of the same shape that numpy loads, with the dtype
scipy returns, and exit 0; `create --shape 0x5x5` makes one. TIFF, NIfTI, NRRD and MetaImage cannot
describe an empty axis: such outputs are refused with a message naming the file, and nothing is left."""
import glob
import os
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import fail, finish, workdir, zs

SHAPES = [(0, 5, 5), (5, 0, 5), (5, 5, 0), (0, 0, 0), (4, 0), (3, 4, 5, 0), (3, 4, 0, 2)]
OPS = [("gaussian:sigma=1", lambda a: ndi.gaussian_filter(a, 1.0)),
       ("median:size=3", lambda a: ndi.median_filter(a, 3)),
       ("uniform:size=3", lambda a: ndi.uniform_filter(a, 3))]


def check_run(p, what):
    if p.returncode != 0:
        fail(f"{what}: exit {p.returncode}: {p.stderr.strip()}")
        return False
    return True


def same_empty(path, want, what):
    try:
        got = np.load(path)
    except Exception as e:  # noqa: BLE001 - any failure to load is the finding
        fail(f"{what}: numpy cannot load {path}: {e}")
        return
    if got.shape != want.shape or got.dtype != want.dtype:
        fail(f"{what}: {got.shape} {got.dtype}, want {want.shape} {want.dtype}")


def main():
    d = workdir("empty")
    n = 0
    for shape in SHAPES:
        for dtype in (np.uint16, np.float32, np.bool_):
            for order in ("F", "C"):
                a = np.zeros(shape, dtype, order=order)
                src = os.path.join(d, "in.npy")
                np.save(src, a)
                tag = f"{shape} {np.dtype(dtype).name} {order}"
                p = zs("info", src)
                n += 1
                if check_run(p, f"info {tag}") and " x ".join(map(str, shape)) not in p.stdout:
                    fail(f"info {tag}: shape not shown:\n{p.stdout}")
                for spec, f in OPS if len(shape) <= 3 or order == "F" else OPS[:1]:
                    if len(shape) == 4:
                        want = np.stack([f(a[..., t]) for t in range(shape[3])], axis=-1) if shape[3] else a.copy()
                    else:
                        want = f(a)
                    if len(shape) < 3:
                        want = f(a.reshape(shape + (1,) * (3 - len(shape)))).reshape(shape)
                    for extra in ([], ["--journal"], ["--threads", "1", "--slab", "1"]):
                        out = os.path.join(d, "out.npy")
                        p = zs("filter", src, out, "--op", spec, "--force", *extra)
                        n += 1
                        if check_run(p, f"filter {tag} {spec} {extra}"):
                            same_empty(out, want, f"filter {tag} {spec} {extra}")
                            if "axis of length 0" not in p.stderr:
                                fail(f"filter {tag} {spec}: no note of the empty axis: {p.stderr.strip()}")
                            if glob.glob(out + ".*"):
                                fail(f"filter {tag} {spec} {extra}: left {glob.glob(out + '.*')}")
                out = os.path.join(d, "conv.npy")
                p = zs("convert", src, out, "--dtype", "float64", "--force")
                n += 1
                if check_run(p, f"convert {tag}"):
                    same_empty(out, a.astype(np.float64), f"convert {tag}")
    # parts: part 0 writes the output, the others have nothing to do
    src = os.path.join(d, "in.npy")
    np.save(src, np.zeros((6, 7, 0), np.int16, order="F"))
    out = os.path.join(d, "parts.npy")
    for part in ("1/2", "0/2"):
        p = zs("filter", src, out, "--op", "median:size=3", "--part", part)
        n += 1
        check_run(p, f"--part {part}")
    same_empty(out, np.zeros((6, 7, 0), np.int16), "--part 0/2 and 1/2")
    p = zs("filter", src, os.path.join(d, "dry.npy"), "--op", "median:size=3", "--dry-run")
    n += 1
    if check_run(p, "--dry-run") and "slabs:      none" not in p.stdout:
        fail(f"--dry-run: no 'slabs: none' in\n{p.stdout}")
    # create
    for spec, shape in (("0x5x5", (0, 5, 5)), ("5x5x0", (5, 5, 0)), ("3x0", (3, 0)), ("2x3x4x0", (2, 3, 4, 0))):
        out = os.path.join(d, "created.npy")
        p = zs("create", out, "--shape", spec, "--dtype", "uint8", "--pattern", "noise", "--force")
        n += 1
        if check_run(p, f"create --shape {spec}"):
            same_empty(out, np.zeros(shape, np.uint8), f"create --shape {spec}")
    # formats that cannot hold an empty axis: refused, nothing left
    for ext in ("tif", "nii", "nrrd", "mhd"):
        out = os.path.join(d, "empty." + ext)
        p = zs("convert", src, out)
        n += 1
        if p.returncode != 1 or out not in p.stderr or "axis of length 0" not in p.stderr:
            fail(f"convert to .{ext}: exit {p.returncode}, stderr {p.stderr.strip()!r} (want 1, naming {out})")
        left = glob.glob(os.path.join(d, "empty.*"))
        if left:
            fail(f"convert to .{ext}: left {left}")
    finish(f"ok   {n} empty-volume cases", d)


if __name__ == "__main__":
    sys.exit(main())
