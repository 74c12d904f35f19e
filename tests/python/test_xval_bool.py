# SPDX-License-Identifier: BSD-3-Clause
"""bool volumes (numpy's '|b1') against scipy.ndimage. A bool input is read as uint8 0/1 and, by default,
filtered to bool, as scipy returns bool for a bool input. scipy casts each float result into the bool
output with C's (npy_bool) cast, a truncation: 1 where |v| >= 1; zslab stores bool the same way. Kernels
that select a value (minimum, maximum, median, percentile, opening, closing, tophats), uniform and
gradient_magnitude equal scipy exactly, for both .npy orders and every mode.

gaussian: scipy truncates after each axis pass, zslab once at the end of its float32 computation. With
non-negative weights both give 1 only where every voxel of the support is 1, except where a 0 lies in a
corner of the support only: its weight is below float32's resolution at 1, and zslab's sum rounds to 1.
Those voxels, and only those, may differ: zslab says 1, and the exact (float64) value is within 1e-6 of 1.
(Kernels with negative weights, log and dog, are not compared: scipy's per-pass casts of negative values
into bool have no meaning to match.)

Also: `zslab info` names the dtype; `--dtype bool` stores a uint8 computation as bool; a bool input
filtered to uint8 or float32 equals scipy on the 0/1 values; `create --dtype bool` makes only 0 and 1;
a bool volume converted to TIFF, NIfTI, NRRD and MetaImage holds its 0/1 bytes as uint8."""
import os
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import fail, finish, run, workdir

MODES = ["reflect", "nearest", "mirror", "constant", "wrap"]


def exact_cases():
    for m in MODES:
        k = dict(mode=m, cval=1.0)
        sfx = f":mode={m}:cval=1"
        yield f"uniform:size=3x4x2{sfx}", lambda a, k=k: ndi.uniform_filter(a, (3, 4, 2), **k)
        yield f"minimum:size=3{sfx}", lambda a, k=k: ndi.minimum_filter(a, 3, **k)
        yield f"maximum:size=4x3x2{sfx}", lambda a, k=k: ndi.maximum_filter(a, (4, 3, 2), **k)
        yield f"median:size=3{sfx}", lambda a, k=k: ndi.median_filter(a, 3, **k)
        yield f"percentile:percentile=25:size=3x2x3{sfx}", lambda a, k=k: ndi.percentile_filter(a, 25, (3, 2, 3), **k)
        yield f"opening:size=3{sfx}", lambda a, k=k: ndi.grey_opening(a, 3, **k)
        yield f"closing:size=3x2x4{sfx}", lambda a, k=k: ndi.grey_closing(a, (3, 2, 4), **k)
        yield f"white_tophat:size=3{sfx}", lambda a, k=k: ndi.white_tophat(a, 3, **k)
        yield f"black_tophat:size=3{sfx}", lambda a, k=k: ndi.black_tophat(a, 3, **k)
        yield f"gradient_magnitude:sigma=1{sfx}", lambda a, k=k: ndi.gaussian_gradient_magnitude(a, 1, **k)


def volumes():
    rng = np.random.default_rng(16)
    rand = rng.random((17, 13, 11)) > 0.35
    blocks = np.zeros((24, 22, 20), bool)  # smoothing keeps some 1s inside the blocks
    blocks[3:20, 2:18, 4:17] = True
    blocks[8:10, 6:9, 8:10] = False
    return [("random", rand), ("blocks", blocks)]


def filt(d, src, spec, *extra):
    dst = os.path.join(d, "out.npy")
    run("filter", src, dst, "--op", spec, "--force", *extra)
    return np.load(dst)


def main():
    d = workdir("xval-bool")
    n = 0
    for name, vol in volumes():
        for order, arr in (("F", np.asfortranarray(vol)), ("C", np.ascontiguousarray(vol))):
            src = os.path.join(d, f"{name}_{order}.npy")
            np.save(src, arr)
            out, _ = run("info", src)
            if "bool (|b1" not in out:
                fail(f"zslab info {name} {order}: no 'bool (|b1' in:\n{out}")
            for spec, f in exact_cases():
                got, want = filt(d, src, spec), f(vol)
                n += 1
                if got.dtype != np.bool_ or want.dtype != np.bool_:
                    fail(f"{name} {order} {spec}: dtype {got.dtype}, scipy {want.dtype}")
                elif not np.array_equal(got, want):
                    fail(f"{name} {order} {spec}: {int((got != want).sum())} voxels differ from scipy")
            for sigma in ((1, 1, 1), (1, 1.5, 0.7)):
                for m in MODES:
                    spec = "gaussian:sigma=%gx%gx%g:mode=%s:cval=1" % (*sigma, m)
                    got, want = filt(d, src, spec), ndi.gaussian_filter(vol, sigma, mode=m, cval=1.0)
                    exact = ndi.gaussian_filter(vol.astype(np.float64), sigma, mode=m, cval=1.0)
                    diff = got != want
                    n += 1
                    if got.dtype != np.bool_:
                        fail(f"{name} {order} {spec}: dtype {got.dtype}")
                    elif diff.any() and not (got[diff].all() and (exact[diff] > 1 - 1e-6).all()):
                        fail(f"{name} {order} {spec}: {int(diff.sum())} voxels differ from scipy, not all at "
                             f"1 - 1e-6 (exact values {exact[diff].min()} .. {exact[diff].max()})")
                    if name == "blocks" and not want.any():
                        fail(f"{name} {spec}: scipy's result holds no 1: the case checks nothing")
    _, blocks = volumes()[1]
    src = os.path.join(d, "blocks_F.npy")
    # a bool input to other dtypes: the 0/1 values filtered as numbers
    got = filt(d, src, "median:size=3", "--dtype", "uint8")
    n += 1
    if got.dtype != np.uint8 or not np.array_equal(got, ndi.median_filter(blocks.astype(np.uint8), 3)):
        fail("bool -> uint8 median differs from scipy on uint8 0/1")
    got = filt(d, src, "gaussian:sigma=1.5", "--dtype", "float32")
    want = ndi.gaussian_filter(blocks.astype(np.float64), 1.5)
    n += 1
    if got.dtype != np.float32 or np.abs(got - want).max() > 1e-6:
        fail(f"bool -> float32 gaussian: max error {np.abs(got - want).max()}")
    # --dtype bool: a threshold of a uint16 volume stored as bool
    rng = np.random.default_rng(5)
    u = rng.integers(0, 1000, size=(19, 15, 9)).astype(np.uint16)
    usrc = os.path.join(d, "u16.npy")
    np.save(usrc, np.asfortranarray(u))
    for spec, want in (("threshold:value=500:keep=0", u > 500), ("minimum:size=3", ndi.minimum_filter(u, 3) != 0)):
        got = filt(d, usrc, spec, "--dtype", "bool")
        n += 1
        if got.dtype != np.bool_ or not np.array_equal(got, want):
            fail(f"uint16 {spec} --dtype bool: differs from numpy's bool")
    # create --dtype bool: only 0 and 1 bytes, as numpy requires of a bool array
    cre = os.path.join(d, "created.npy")
    run("create", cre, "--shape", "40x30x7", "--dtype", "bool", "--pattern", "noise", "--force")
    raw = np.load(cre).view(np.uint8)
    n += 1
    if np.load(cre).dtype != np.bool_ or not set(np.unique(raw)) <= {0, 1} or raw.min() == raw.max():
        fail(f"create --dtype bool --pattern noise: bytes {np.unique(raw)}")
    # other formats hold bool's 0/1 bytes as uint8
    for ext in ("tif", "nii", "nrrd", "mhd"):
        dst = os.path.join(d, "conv." + ext)
        run("convert", src, dst, "--force")
        back = os.path.join(d, "back.npy")
        run("convert", dst, back, "--force")
        got = np.load(back)
        n += 1
        if got.dtype != np.uint8 or not np.array_equal(got, blocks.astype(np.uint8)):
            fail(f"bool -> .{ext} -> npy: {got.dtype}, not the 0/1 bytes")
    finish(f"ok   {n} bool cases equal scipy.ndimage / numpy", d)


if __name__ == "__main__":
    sys.exit(main())
