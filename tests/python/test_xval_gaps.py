#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""scipy.ndimage's less common spellings, through `zslab filter`, against scipy itself.

- grid-mirror, grid-constant, grid-wrap: for filters scipy treats them as reflect, constant and
  wrap; every neighbourhood kernel must give scipy's result with the grid-* name.
- size=0 on an axis: the separable box filters (uniform, minimum, maximum, opening, closing,
  top-hats) leave the axis alone, as scipy does; median and percentile refuse it, as scipy
  does (exit 2, the kernel and the parameter named).
- a boundary mode per axis (mode=reflect,nearest,wrap, x y z = scipy's mode=[...] on axes 0 1 2):
  every kernel whose scipy filter applies a list of modes per axis gives scipy's result, for uint16
  (rounded once; exact for the selections) and float32, on a volume of several slabs, with
  threads, slab heights and bands; median and percentile refuse a list (scipy does), and so do log
  and gradient_magnitude (scipy applies mode[a] to its whole a-th derivative term, checked here), each
  naming the kernel and the parameter; a list of the wrong length names the length it takes.
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


# A mode per axis: (x, y, z) modes and cval. The lists put each mode on each axis at least once.
MODE_LISTS = [
    (("reflect", "nearest", "wrap"), 0),
    (("constant", "mirror", "reflect"), 7),
    (("wrap", "constant", "nearest"), 300),
    (("mirror", "wrap", "constant"), 1000),
    (("grid-wrap", "grid-constant", "grid-mirror"), 20),
]


def list_cases(modes, cv):
    nb = f":mode={','.join(modes)}:cval={cv}"
    kw = dict(mode=list(modes), cval=cv)
    g = ndi.gaussian_filter
    return [  # spec, scipy, exact (a selection: no rounding anywhere)
        (f"gaussian:sigma=1.5x1x2{nb}", lambda a: g(a, (1.5, 1, 2), **kw), False),
        (f"gaussian:sigma=1.2:order=1x0x2{nb}", lambda a: g(a, 1.2, order=(1, 0, 2), **kw), False),
        (f"uniform:size=4x3x5{nb}", lambda a: ndi.uniform_filter(a, (4, 3, 5), **kw), False),
        (f"dog:sigma1=1:sigma2=2x1x1.5{nb}", lambda a: g(a, 1, **kw) - g(a, (2, 1, 1.5), **kw), False),
        (f"minimum:size=3x4x5{nb}", lambda a: ndi.minimum_filter(a, (3, 4, 5), **kw), True),
        (f"maximum:size=4x3x2{nb}", lambda a: ndi.maximum_filter(a, (4, 3, 2), **kw), True),
        (f"opening:size=2x3x4{nb}", lambda a: ndi.grey_opening(a, (2, 3, 4), **kw), True),
        (f"closing:size=3x2x5{nb}", lambda a: ndi.grey_closing(a, (3, 2, 5), **kw), True),
        (f"white_tophat:size=4x3x4{nb}", lambda a: ndi.white_tophat(a, (4, 3, 4), **kw), True),
        (f"black_tophat:size=3{nb}", lambda a: ndi.black_tophat(a, 3, **kw), True),
    ]


def check(d, src, spec, got_dtype, want, exact, tol, extra):
    dst = os.path.join(d, "out.npy")
    p = zs("filter", src, dst, "--op", spec, "--dtype", got_dtype, "--quiet", "--force", *extra)
    if p.returncode != 0:
        fail(f"{spec} {' '.join(extra)}: exit {p.returncode}: {p.stderr.strip()}")
        return None
    got = np.load(dst)
    if exact:
        bad = got != want.astype(got.dtype)
    else:
        bad = np.abs(got.astype(np.float64) - want) > tol
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        fail(f"{spec} ({got_dtype}) {' '.join(extra)}: {int(bad.sum())} voxels differ, first at {i}: "
             f"zslab {got[i]!r}, scipy {want[i]!r}")
    return got


def mode_lists(d):
    """Mode lists against scipy, uint16 and float32, across slabs, threads and bands; refusals."""
    rng = np.random.default_rng(1616)
    u = np.asfortranarray(rng.integers(0, 4000, size=(13, 12, 23)).astype(np.uint16))
    f = np.asfortranarray((rng.random((13, 12, 23)) * 200 - 50).astype(np.float32))
    usrc, fsrc = os.path.join(d, "u16.npy"), os.path.join(d, "f32.npy")
    np.save(usrc, u)
    np.save(fsrc, f)
    # uint16 on the first run, float32 on both (test_invariance.py checks more slabs, bands, threads)
    runs = [("--slab", "4", "--band", "5", "--threads", "2"), ("--slab", "23", "--band", "12", "--threads", "1")]
    n = 0
    for modes, cv in MODE_LISTS:
        for spec, expect, exact in list_cases(modes, cv):
            # uint16: scipy in float64, rounded once (half to even) and saturated, as zslab stores
            want = expect(u.astype(np.float64))
            want_u = np.clip(np.rint(want), 0, 65535)
            wf = expect(f)
            check(d, usrc, spec, "uint16", want_u, exact, 1.0, runs[0])
            outs = [check(d, fsrc, spec, "float32", wf.astype(np.float64), exact, 1e-5 * float(np.abs(f).max()),
                          extra) for extra in runs]
            n += 3
            # the same bits whatever the threads, slab height and band
            if all(o is not None for o in outs) and outs[0].tobytes() != outs[1].tobytes():
                fail(f"{spec}: output differs across threads, slab heights or bands")
    # a list of three equal modes is the mode; the pipeline text (journal, batch records) too
    one = zs("filter", fsrc, os.path.join(d, "o1.npy"), "--op", "gaussian:sigma=1:mode=wrap", "--dry-run")
    three = zs("filter", fsrc, os.path.join(d, "o1.npy"), "--op", "gaussian:sigma=1:mode=wrap,grid-wrap,wrap",
               "--dry-run")
    mixed = zs("filter", fsrc, os.path.join(d, "o1.npy"), "--op", "gaussian:sigma=1:mode=wrap,reflect,wrap",
               "--dry-run")
    def pipeline_line(p):
        return [ln for ln in p.stdout.splitlines() if ln.startswith("pipeline:")]
    if one.returncode or pipeline_line(one) != pipeline_line(three) or "mode=wrap:" not in one.stdout:
        fail(f"mode=wrap,grid-wrap,wrap does not print as mode=wrap: {pipeline_line(three)} vs {pipeline_line(one)}")
    if "mode=wrap,reflect,wrap:" not in mixed.stdout:
        fail(f"a mixed list is not in the printed pipeline: {pipeline_line(mixed)}")
    n += 2
    # refused lists: scipy's rank filters refuse them; its gaussian_laplace and gaussian_gradient_magnitude
    # apply mode[a] to the whole a-th derivative term (all axes), which zslab does not copy
    a = f[:7, :6, :5].astype(np.float64)
    ml = ["reflect", "nearest", "wrap"]
    for fn in (lambda: ndi.median_filter(a, 3, mode=ml), lambda: ndi.percentile_filter(a, 30, 3, mode=ml)):
        try:
            fn()
            fail("scipy accepted a mode list for a rank filter: this test's premise is wrong")
        except RuntimeError:
            pass
    lap = sum(ndi.gaussian_filter(a, 1, order=[2 * (i == ax) for i in range(3)], mode=ml[ax]) for ax in range(3))
    if not np.allclose(ndi.gaussian_laplace(a, 1, mode=ml), lap, rtol=0, atol=1e-9):
        fail("scipy's gaussian_laplace no longer applies mode[a] to the a-th term: accept lists for log")
    refused = [("median:size=3:mode=reflect,nearest,wrap", "takes one boundary mode, got the list"),
               ("percentile:mode=wrap,wrap,wrap", "rank filters"),
               ("log:sigma=1:mode=reflect,nearest,wrap", "gaussian_laplace"),
               ("gradient_magnitude:mode=constant,wrap,wrap", "gaussian_gradient_magnitude"),
               ("uniform:mode=reflect,nearest", "takes 1 or 3 boundary modes"),
               ("maximum:mode=reflect,nearest,wrap,wrap", "takes 1 or 3 boundary modes"),
               ("dog:mode=reflect,nearst,wrap", "got 'nearst' in 'reflect,nearst,wrap'")]
    for spec, words in refused:
        p = zs("filter", fsrc, os.path.join(d, "bad.npy"), "--op", spec)
        kname = spec.split(":")[0]
        if p.returncode != 2 or f"{kname}: parameter 'mode'" not in p.stderr or words not in p.stderr:
            fail(f"{spec}: exit {p.returncode}, stderr {p.stderr.strip()!r}; expected 2 naming {kname}, "
                 f"'mode' and saying {words!r}")
        if os.path.exists(os.path.join(d, "bad.npy")):
            fail(f"{spec}: an output was left")
        n += 1
    return n


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
    n += mode_lists(d)
    finish(f"{n} cases agree with scipy.ndimage (grid modes, size=0, mode lists)", d)


if __name__ == "__main__":
    sys.exit(main())
