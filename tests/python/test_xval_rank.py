#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""The box kernels against scipy.ndimage, through `zslab filter`.

minimum, maximum, median, percentile, opening, closing, white_tophat and black_tophat in every
boundary mode, with odd, even and anisotropic sizes, sizes larger than the volume, axes=xy
(scipy's size 1 along z), cval != 0, negative percentiles and several slab heights. Axis 0 of
the numpy array is x. Output is float32 and must be bitwise scipy's, except the top-hats,
which may differ by 1e-5 of the input's largest magnitude. A float64 volume with
`--precision float64` must give scipy's float64 result bitwise, top-hats included (the same
subtraction in double). Exit 1 on any failure.
"""
import os
import shutil
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import run, workdir

MODES = ["reflect", "nearest", "mirror", "constant", "wrap"]


def cases():
    """(op spec, expected(a), tolerance relative to max |a|, extra zslab arguments)."""
    out = []
    for m in MODES:
        cv = 2.5 if m == "constant" else 0.0
        nb = f":mode={m}:cval={cv}"
        kw = dict(mode=m, cval=cv)
        out += [
            (f"minimum:size=3{nb}", lambda a, kw=kw: ndi.minimum_filter(a, 3, **kw), 0, []),
            (f"maximum:size=4x2x5{nb}", lambda a, kw=kw: ndi.maximum_filter(a, (4, 2, 5), **kw), 0, ["--slab", "2"]),
            (f"maximum:size=9{nb}", lambda a, kw=kw: ndi.maximum_filter(a, 9, **kw), 0, []),
            (f"minimum:size=6:axes=xy{nb}", lambda a, kw=kw: ndi.minimum_filter(a, (6, 6, 1), **kw), 0, []),
            (f"median:size=3{nb}", lambda a, kw=kw: ndi.median_filter(a, 3, **kw), 0, ["--slab", "3"]),
            (f"median:size=4x3x2{nb}", lambda a, kw=kw: ndi.median_filter(a, (4, 3, 2), **kw), 0, []),
            (f"median:size=5:axes=xy{nb}", lambda a, kw=kw: ndi.median_filter(a, (5, 5, 1), **kw), 0, []),
            (f"median:size=11x11x11{nb}", lambda a, kw=kw: ndi.median_filter(a, 11, **kw), 0, []),
            (f"percentile:size=3x3x2:percentile=30{nb}",
             lambda a, kw=kw: ndi.percentile_filter(a, 30, (3, 3, 2), **kw), 0, []),
            (f"percentile:size=5x1x3:percentile=-10{nb}",
             lambda a, kw=kw: ndi.percentile_filter(a, -10, (5, 1, 3), **kw), 0, ["--slab", "1"]),
            (f"opening:size=4x3x2{nb}", lambda a, kw=kw: ndi.grey_opening(a, (4, 3, 2), **kw), 0, ["--slab", "2"]),
            (f"closing:size=3{nb}", lambda a, kw=kw: ndi.grey_closing(a, 3, **kw), 0, []),
            (f"closing:size=2x5x4{nb}", lambda a, kw=kw: ndi.grey_closing(a, (2, 5, 4), **kw), 0, ["--slab", "3"]),
            (f"white_tophat:size=5x2x3{nb}", lambda a, kw=kw: ndi.white_tophat(a, (5, 2, 3), **kw), 1e-5, []),
            (f"black_tophat:size=2{nb}", lambda a, kw=kw: ndi.black_tophat(a, 2, **kw), 1e-5, ["--slab", "1"]),
            (f"white_tophat:size=7:axes=xy{nb}",
             lambda a, kw=kw: ndi.white_tophat(a, (7, 7, 1), **kw), 1e-5, []),
        ]
    return out


def check(d, name, src, a, spec, expect, tol, extra):
    dst = os.path.join(d, "out.npy")
    f64 = a.dtype == np.float64
    if f64:
        extra = [*extra, "--precision", "float64"]
        tol = 0
    dt, bits = (np.float64, np.uint64) if f64 else (np.float32, np.uint32)
    run("filter", src, dst, "--op", spec, "--dtype", np.dtype(dt).name, "--quiet", "--force", *extra)
    got = np.load(dst)
    want = expect(a.astype(dt))
    if got.shape != want.shape or got.dtype != dt:
        print(f"FAIL: {name} {spec}: {got.dtype} {got.shape}, expected {np.dtype(dt).name} {want.shape}")
        return 1
    if tol == 0:
        bad = got.view(bits) != want.astype(dt).view(bits)
    else:
        bad = np.abs(got.astype(np.float64) - want.astype(np.float64)) > tol * float(np.abs(a).max())
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        print(f"FAIL: {name} {spec} {' '.join(extra)}: {int(bad.sum())} voxels differ, first at {i}: "
              f"zslab {got[i]!r}, scipy {want[i]!r}")
        return 1
    return 0


def main():
    d = workdir("xval-rank")
    rng = np.random.default_rng(23)

    def vol(shape, order):
        # a few repeated values, as real data has
        v = np.round(rng.random(shape) * 40 - 10, 1).astype(np.float32)
        return np.asfortranarray(v) if order == "F" else np.ascontiguousarray(v)

    vols = {
        "f32_F_13x11x9": vol((13, 11, 9), "F"),
        "f32_C_9x8x7": vol((9, 8, 7), "C"),
        "f32_F_6x1x1": vol((6, 1, 1), "F"),
        "f32_F_1x1x5": vol((1, 1, 5), "F"),
        "f32_F_4x5x1": vol((4, 5, 1), "F"),
        # float64 work: values a float32 rounds (1/3 steps, 1e9 offsets)
        "f64_F_12x10x9": np.asfortranarray(np.round(rng.random((12, 10, 9)) * 30, 0) / 3.0 + 1e9),
        "f64_C_7x9x6": np.ascontiguousarray(rng.standard_normal((7, 9, 6)) * 1e-3 + 12345.678901234),
    }
    failures = total = 0
    for name, a in vols.items():
        src = os.path.join(d, f"{name}.npy")
        np.save(src, a)
        for spec, expect, tol, extra in cases():
            total += 1
            failures += check(d, name, src, a, spec, expect, tol, extra)
    print(f"{total - failures}/{total} cases agree with scipy.ndimage")
    if failures:
        return 1
    shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
