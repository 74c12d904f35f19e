#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""The NaN rule (docs/cli.md, "NaN and Inf"), for every kernel, against a numpy/scipy reference of it.

The rule: an output voxel whose window holds a NaN is NaN; +-Inf are ordinary values (ordered
for the selection kernels, IEEE arithmetic for the sums, so a window with both +Inf and -Inf
gives NaN in a mean). Composite kernels (opening, closing, the top-hats) apply the rule at each
step, as they compose their steps.

References:
- selection kernels (minimum, maximum, median, percentile): scipy on the input with NaN replaced
  by 0, then NaN wherever the window holds a NaN (scipy.ndimage.maximum_filter of isnan under
  the same mode and size);
- morphology: that reference for grey_erosion and grey_dilation, composed as scipy composes them;
- uniform: scipy.ndimage.correlate with a box of 1/n (direct sums, IEEE, no running sum; with a mode per
  axis, correlate1d along each axis with its mode);
- gaussian, log, gradient_magnitude, dog: scipy itself (direct sums);
- pointwise: numpy, NaN staying NaN (threshold too).
Modes: each mode, and mode lists (one per axis) for the kernels that take them. Cases run with
several slab heights, bands and thread counts (the NaN-free tiles and those with a NaN take
different paths); all must give the reference. Exit 1 on any failure.
"""
import os
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import fail, finish, workdir, zs

MODES = ["reflect", "nearest", "mirror", "constant", "wrap"]
# a mode per axis x y z, for the kernels whose scipy filter takes one (not median, percentile, log,
# gradient_magnitude)
MODE_LISTS = ["wrap,constant,nearest", "constant,mirror,reflect"]
LIST_KERNELS = ("minimum", "maximum", "opening", "closing", "white_tophat", "black_tophat", "uniform", "gaussian",
                "dog")


def nanrule(f, a, mask_size, kw, dilation=False):
    """f on a with NaN as 0, then NaN where the window (size mask_size, scipy's placement of f) holds a NaN."""
    n = np.isnan(a)
    a0 = np.where(n, np.float32(0), a)
    out = f(a0).astype(np.float32)
    m = n.astype(np.float32)
    kwm = dict(kw, cval=0.0)
    hit = (ndi.grey_dilation(m, mask_size, **kwm) if dilation else ndi.maximum_filter(m, mask_size, **kwm)) > 0
    out[hit] = np.nan
    return out


def erosion(a, s, kw):
    return nanrule(lambda x: ndi.grey_erosion(x, s, **kw), a, s, kw)


def dilation(a, s, kw):
    return nanrule(lambda x: ndi.grey_dilation(x, s, **kw), a, s, kw, dilation=True)


def uniform_ref(a, s, kw):
    s = (s,) * 3 if np.isscalar(s) else s
    if not isinstance(kw["mode"], str):  # correlate takes one mode: per axis, with correlate1d (direct sums too)
        out = a.astype(np.float64)
        for ax in range(3):
            out = ndi.correlate1d(out, np.ones(s[ax]) / s[ax], axis=ax, mode=kw["mode"][ax], cval=kw["cval"])
        return out
    w = np.ones(s, np.float64) / np.prod(s)
    return ndi.correlate(a.astype(np.float64), w, **kw)


def cases(m):
    cv = 2.5 if "constant" in m else 0.0
    nb = f":mode={m}:cval={cv}"
    kw = dict(mode=m.split(",") if "," in m else m, cval=cv)
    sel = [
        ("minimum:size=3", lambda a: nanrule(lambda x: ndi.minimum_filter(x, 3, **kw), a, 3, kw), 0),
        ("maximum:size=4x2x5", lambda a: nanrule(lambda x: ndi.maximum_filter(x, (4, 2, 5), **kw), a, (4, 2, 5), kw), 0),
        ("maximum:size=9x1x6", lambda a: nanrule(lambda x: ndi.maximum_filter(x, (9, 1, 6), **kw), a, (9, 1, 6), kw), 0),
        ("median:size=3", lambda a: nanrule(lambda x: ndi.median_filter(x, 3, **kw), a, 3, kw), 0),
        ("median:size=4x3x2", lambda a: nanrule(lambda x: ndi.median_filter(x, (4, 3, 2), **kw), a, (4, 3, 2), kw), 0),
        ("median:size=9x9x3", lambda a: nanrule(lambda x: ndi.median_filter(x, (9, 9, 3), **kw), a, (9, 9, 3), kw), 0),
        ("percentile:size=3x3x2:percentile=30",
         lambda a: nanrule(lambda x: ndi.percentile_filter(x, 30, (3, 3, 2), **kw), a, (3, 3, 2), kw), 0),
        ("percentile:size=3:percentile=100",
         lambda a: nanrule(lambda x: ndi.percentile_filter(x, 100, 3, **kw), a, 3, kw), 0),
        ("opening:size=4x3x2", lambda a: dilation(erosion(a, (4, 3, 2), kw), (4, 3, 2), kw), 0),
        ("closing:size=3", lambda a: erosion(dilation(a, 3, kw), 3, kw), 0),
        ("white_tophat:size=5x2x3", lambda a: a - dilation(erosion(a, (5, 2, 3), kw), (5, 2, 3), kw), 0),
        ("black_tophat:size=2", lambda a: erosion(dilation(a, 2, kw), 2, kw) - a, 0),
        ("uniform:size=3", lambda a: uniform_ref(a, 3, kw), 1e-5),
        ("uniform:size=4x2x5", lambda a: uniform_ref(a, (4, 2, 5), kw), 1e-5),
        ("uniform:size=19x3x1", lambda a: uniform_ref(a, (19, 3, 1), kw), 1e-5),  # running sums along x
        ("gaussian:sigma=1.5x1x0.8", lambda a: ndi.gaussian_filter(a, (1.5, 1, 0.8), **kw), 1e-5),
        ("gaussian:sigma=1:order=1x0x2", lambda a: ndi.gaussian_filter(a, 1, order=(1, 0, 2), **kw), 1e-5),
        ("log:sigma=1.2", lambda a: ndi.gaussian_laplace(a, 1.2, **kw), 1e-5),
        ("gradient_magnitude:sigma=1", lambda a: ndi.gaussian_gradient_magnitude(a, 1, **kw), 1e-5),
        ("dog:sigma1=1:sigma2=2", lambda a: ndi.gaussian_filter(a, 1, **kw) - ndi.gaussian_filter(a, 2, **kw), 1e-5),
    ]
    return [(s + nb, f, t) for s, f, t in sel]


POINTWISE = [
    ("scale:a=2.5:b=-1", lambda a: a * np.float32(2.5) + np.float32(-1)),
    ("clip:lo=0:hi=3.5", lambda a: np.clip(a, np.float32(0), np.float32(3.5))),
    ("threshold:value=1.25", lambda a: np.where(np.isnan(a), a, (a > np.float32(1.25)).astype(np.float32))),
    ("threshold:value=1.25:keep=1", lambda a: np.where(np.isnan(a) | (a > np.float32(1.25)), a, np.float32(0))),
]

RUNS = [(), ("--slab", "1"), ("--slab", "3", "--threads", "2"), ("--band", "2"), ("--band", "3", "--slab", "2")]


def compare(d, src, a, spec, want, tol, extra, env=None):
    dst = os.path.join(d, "out.npy")
    p = zs("filter", src, dst, "--op", spec, "--dtype", "float32", "--quiet", "--force", *extra, env=env)
    if p.returncode != 0:
        fail(f"{spec}: exit {p.returncode}: {p.stderr.strip()}")
        return
    got = np.load(dst)
    want = np.asarray(want)
    gn, wn = np.isnan(got), np.isnan(want)
    bad = gn != wn
    fin = ~gn & ~wn
    if tol == 0:
        bad |= fin & (got != want.astype(np.float32))
    else:
        with np.errstate(invalid="ignore"):
            diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
            inf = np.isinf(got) | np.isinf(want)
            bad |= fin & ((inf & (got != want)) | (~inf & (diff > tol * 40)))
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        fail(f"{spec} {' '.join(extra)}: {int(bad.sum())} voxels break the rule, first at {i}: "
             f"zslab {got[i]!r}, reference {want[i]!r}")


def volume(rng, shape, inf):
    a = np.round(rng.random(shape) * 40 - 10, 1).astype(np.float32)
    flat = a.reshape(-1)
    idx = rng.choice(flat.size, size=max(2, flat.size // 60), replace=False)
    flat[idx[: len(idx) // 2]] = np.nan
    if inf:
        flat[idx[len(idx) // 2:: 2]] = np.inf
        flat[idx[len(idx) // 2 + 1:: 2]] = -np.inf
    return np.asfortranarray(a)


def main():
    d = workdir("xval-nan")
    rng = np.random.default_rng(13)
    vols = {
        "nan_17x13x9": volume(rng, (17, 13, 9), False),
        "naninf_23x11x8": volume(rng, (23, 11, 8), True),
        "nan_row_40x3x4": volume(rng, (40, 3, 4), True),
    }
    # a volume without NaN whose NaN appear in one plane only (the NaN-free tiles take the fast path)
    b = np.asfortranarray(np.round(rng.random((14, 12, 10)) * 40 - 10, 1).astype(np.float32))
    b[3, 4, 7] = np.nan
    b[10, 0, 7] = np.inf
    vols["oneplane_14x12x10"] = b
    n = 0
    with np.errstate(invalid="ignore", over="ignore"):
        for name, a in vols.items():
            src = os.path.join(d, f"{name}.npy")
            np.save(src, a)
            for m in (MODES + MODE_LISTS if name.startswith("naninf") else ["reflect"]):
                for spec, expect, tol in cases(m):
                    if "," in m and not spec.startswith(LIST_KERNELS):
                        continue
                    want = expect(a)
                    for extra in (RUNS if m == "reflect" else RUNS[:1]):
                        compare(d, src, a, spec, want, tol, extra)
                        n += 1
            if name.startswith("naninf"):  # windows past the networks' size: gathered and selected
                kw = dict(mode="mirror", cval=0.0)
                want = nanrule(lambda x: ndi.median_filter(x, (21, 21, 19), **kw), a, (21, 21, 19), kw)
                for extra in RUNS[:3]:
                    compare(d, src, a, "median:size=21x21x19:mode=mirror", want, 0, extra)
                    n += 1
            for spec, expect in POINTWISE:
                compare(d, src, a, spec, expect(a), 0, ())
                n += 1
    finish(f"{n} cases follow the NaN rule", d)


if __name__ == "__main__":
    sys.exit(main())
