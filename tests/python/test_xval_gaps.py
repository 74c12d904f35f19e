#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""scipy.ndimage's less common spellings, through `zslab filter`, against scipy itself.

- grid-mirror, grid-constant, grid-wrap: for filters scipy treats them as reflect, constant and
  wrap; every neighbourhood kernel must give scipy's result with the grid-* name.
- size=0 on an axis: the separable box filters (uniform, minimum, maximum, opening, closing,
  top-hats) leave the axis alone, as scipy does; median and percentile refuse it, as scipy
  does (exit 2, the kernel and the parameter named).
- a per-axis mode list (mode=reflect,nearest,wrap): refused with the kernel and the parameter named.
Axis 0 of the numpy array is x. Exit 1 on any failure.
"""
import os
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import fail, finish, workdir, zs

GRID = ["grid-mirror", "grid-constant", "grid-wrap"]


def box_cases(mode, cv):
    nb = f":mode={mode}:cval={cv}"
    kw = dict(mode=mode, cval=cv)
    return [
        (f"minimum:size=3x0x2{nb}", lambda a: ndi.minimum_filter(a, (3, 0, 2), **kw), 0),
        (f"maximum:size=4{nb}", lambda a: ndi.maximum_filter(a, 4, **kw), 0),
        (f"median:size=3x2x3{nb}", lambda a: ndi.median_filter(a, (3, 2, 3), **kw), 0),
        (f"percentile:size=3:percentile=20{nb}", lambda a: ndi.percentile_filter(a, 20, 3, **kw), 0),
        (f"opening:size=0x3x3{nb}", lambda a: ndi.grey_opening(a, (0, 3, 3), **kw), 0),
        (f"closing:size=3x2x0{nb}", lambda a: ndi.grey_closing(a, (3, 2, 0), **kw), 0),
        (f"white_tophat:size=2x0x3{nb}", lambda a: ndi.white_tophat(a, (2, 0, 3), **kw), 1e-5),
        (f"black_tophat:size=3{nb}", lambda a: ndi.black_tophat(a, 3, **kw), 1e-5),
        (f"uniform:size=5x0x3{nb}", lambda a: ndi.uniform_filter(a, (5, 0, 3), **kw), 1e-5),
        (f"uniform:size=0{nb}", lambda a: ndi.uniform_filter(a, 0, **kw), 0),
        (f"gaussian:sigma=1.5x1x0.7{nb}", lambda a: ndi.gaussian_filter(a, (1.5, 1, 0.7), **kw), 1e-5),
        (f"log:sigma=1.2{nb}", lambda a: ndi.gaussian_laplace(a, 1.2, **kw), 1e-5),
        (f"gradient_magnitude:sigma=1{nb}", lambda a: ndi.gaussian_gradient_magnitude(a, 1, **kw), 1e-5),
        (f"dog:sigma1=1:sigma2=2{nb}",
         lambda a: ndi.gaussian_filter(a, 1, **kw) - ndi.gaussian_filter(a, 2, **kw), 1e-5),
    ]


def compare(d, src, a, spec, want, tol, extra=()):
    dst = os.path.join(d, "out.npy")
    p = zs("filter", src, dst, "--op", spec, "--dtype", "float32", "--quiet", "--force", *extra)
    if p.returncode != 0:
        fail(f"{spec}: exit {p.returncode}: {p.stderr.strip()}")
        return
    got = np.load(dst)
    if got.shape != want.shape:
        fail(f"{spec}: shape {got.shape}, expected {want.shape}")
        return
    if tol == 0:
        bad = got.view(np.uint32) != want.astype(np.float32).view(np.uint32)
    else:
        bad = np.abs(got.astype(np.float64) - want) > tol * max(1.0, float(np.abs(a).max()))
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        fail(f"{spec} {' '.join(extra)}: {int(bad.sum())} voxels differ, first at {i}: "
             f"zslab {got[i]!r}, scipy {want[i]!r}")


def main():
    d = workdir("xval-gaps")
    rng = np.random.default_rng(16)
    a = np.asfortranarray(np.round(rng.random((11, 9, 8)) * 40 - 10, 1).astype(np.float32))
    src = os.path.join(d, "a.npy")
    np.save(src, a)
    n = 0
    for m in GRID:
        for spec, expect, tol in box_cases(m, 1.5):
            want = expect(a)
            # scipy itself: the grid-* name is the plain mode's result
            plain = {"grid-mirror": "reflect", "grid-constant": "constant", "grid-wrap": "wrap"}[m]
            for slab in ("0", "3"):
                extra = ("--slab", slab) if slab != "0" else ()
                compare(d, src, a, spec, want, tol, extra)
                compare(d, src, a, spec.replace(m, plain), want, tol, extra)
                n += 2
    # rank filters refuse size=0 as scipy does
    for spec in ("median:size=3x0x3", "percentile:size=0:percentile=30"):
        try:
            ndi.median_filter(a, (3, 0, 3)) if spec.startswith("median") else ndi.percentile_filter(a, 30, 0)
            fail(f"scipy accepted {spec}: this test's premise is wrong")
        except RuntimeError:
            pass
        p = zs("filter", src, os.path.join(d, "bad.npy"), "--op", spec)
        kname = spec.split(":")[0]
        if p.returncode != 2 or f"{kname}: parameter 'size' is 0" not in p.stderr:
            fail(f"{spec}: exit {p.returncode}, stderr {p.stderr.strip()!r}; expected 2 naming {kname} and 'size'")
        if os.path.exists(os.path.join(d, "bad.npy")):
            fail(f"{spec}: an output was left")
        n += 1
    # a per-axis mode list: refused with the kernel and the parameter named (scipy refuses it for
    # median and percentile; zslab has no per-axis modes for any kernel yet)
    for spec in ("median:size=3:mode=reflect,nearest,wrap", "percentile:mode=wrap,wrap,wrap",
                 "uniform:mode=reflect,nearest,wrap"):
        p = zs("filter", src, os.path.join(d, "bad.npy"), "--op", spec)
        kname = spec.split(":")[0]
        if p.returncode != 2 or f"{kname}: parameter 'mode' takes one boundary mode" not in p.stderr:
            fail(f"{spec}: exit {p.returncode}, stderr {p.stderr.strip()!r}; expected 2 naming {kname} and 'mode'")
        n += 1
    finish(f"{n} cases agree with scipy.ndimage (grid modes, size=0)", d)


if __name__ == "__main__":
    sys.exit(main())
