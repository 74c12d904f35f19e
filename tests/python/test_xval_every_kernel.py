#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Every kernel of `zslab list`, through `zslab filter`, against scipy.ndimage and numpy.

Two phantoms of 64x48x40 (uint16 and float32), each kernel with its default parameters and with
one other set, in float32 work (float32 output) and, where the kernel has run_f64, in float64
work (float64 output). The order statistics (minimum ... closing, localmax) must equal scipy's;
the smoothing and top-hat kernels stay within 1e-5 (float32 work) or 1e-12 (float64 work) of
the largest magnitude. A kernel listed by `zslab list` without a case here fails the script, so
a new kernel comes with its cross-check.

With ZS_REFERENCE_ZSLAB set to another build's tool, every output must also be byte for byte
that tool's (a change that must not move a bit, e.g. how kernels prepare their tables, is
checked by pointing it at the build before the change); the script prints the count and the
sha256 of the outputs compared. Exit 1 on any failure.
"""
import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import ZSLAB, fail, workdir, FAILURES

SMOOTH, EXACT = 1e-5, 0.0


def gauss(sigma, **kw):
    return lambda a: ndi.gaussian_filter(a, sigma, **kw)


def localmax(size, threshold):
    def f(a):
        m = ndi.maximum_filter(a, size, mode="nearest")
        return np.where((a == m) & (a > threshold), a, np.nan)
    return f


def pct_rank_filter(size, p):
    return lambda a: ndi.percentile_filter(a, p, size)


# kernel -> [(params, expected(a), tolerance class)]: the defaults first, then one other set.
CASES = {
    "gaussian": [("", gauss(1), SMOOTH),
                 (":sigma=2x1x1.5:order=0x1x0:mode=nearest", gauss((2, 1, 1.5), order=(0, 1, 0), mode="nearest"),
                  SMOOTH)],
    "uniform": [("", lambda a: ndi.uniform_filter(a, 3), SMOOTH),
                (":size=4x2x5:mode=constant:cval=3", lambda a: ndi.uniform_filter(a, (4, 2, 5), mode="constant",
                                                                                  cval=3), SMOOTH)],
    "minimum": [("", lambda a: ndi.minimum_filter(a, 3), EXACT),
                (":size=5x3x2:mode=wrap", lambda a: ndi.minimum_filter(a, (5, 3, 2), mode="wrap"), EXACT)],
    "maximum": [("", lambda a: ndi.maximum_filter(a, 3), EXACT),
                (":size=2x4x3:mode=mirror", lambda a: ndi.maximum_filter(a, (2, 4, 3), mode="mirror"), EXACT)],
    "median": [("", lambda a: ndi.median_filter(a, 3), EXACT),
               (":size=5:mode=nearest", lambda a: ndi.median_filter(a, 5, mode="nearest"), EXACT)],
    "percentile": [("", pct_rank_filter(3, 50), EXACT),
                   (":size=4x3x2:percentile=20", pct_rank_filter((4, 3, 2), 20), EXACT)],
    "white_tophat": [("", lambda a: ndi.white_tophat(a, 3), SMOOTH),
                     (":size=5x2x3:mode=nearest", lambda a: ndi.white_tophat(a, (5, 2, 3), mode="nearest"), SMOOTH)],
    "black_tophat": [("", lambda a: ndi.black_tophat(a, 3), SMOOTH),
                     (":size=2x3x4", lambda a: ndi.black_tophat(a, (2, 3, 4)), SMOOTH)],
    "opening": [("", lambda a: ndi.grey_opening(a, 3), EXACT),
                (":size=4x3x2:mode=wrap", lambda a: ndi.grey_opening(a, (4, 3, 2), mode="wrap"), EXACT)],
    "closing": [("", lambda a: ndi.grey_closing(a, 3), EXACT),
                (":size=3x5x2:mode=mirror", lambda a: ndi.grey_closing(a, (3, 5, 2), mode="mirror"), EXACT)],
    "dog": [("", lambda a: ndi.gaussian_filter(a, 1) - ndi.gaussian_filter(a, 2), SMOOTH),
            (":sigma1=1x1x2:sigma2=3:mode=constant:cval=5",
             lambda a: (ndi.gaussian_filter(a, (1, 1, 2), mode="constant", cval=5)
                        - ndi.gaussian_filter(a, 3, mode="constant", cval=5)), SMOOTH)],
    "log": [("", lambda a: ndi.gaussian_laplace(a, 1), SMOOTH),
            (":sigma=1.5x1x2:mode=wrap:truncate=3", lambda a: ndi.gaussian_laplace(a, (1.5, 1, 2), mode="wrap",
                                                                                    truncate=3), SMOOTH)],
    "gradient_magnitude": [("", lambda a: ndi.gaussian_gradient_magnitude(a, 1), SMOOTH),
                           (":sigma=2x1.5x1:mode=mirror",
                            lambda a: ndi.gaussian_gradient_magnitude(a, (2, 1.5, 1), mode="mirror"), SMOOTH)],
    "scale": [("", lambda a: a, EXACT), (":a=2.5:b=-1", lambda a: a * a.dtype.type(2.5) + a.dtype.type(-1), EXACT)],
    "clip": [("", lambda a: a, EXACT), (":lo=100:hi=3000", lambda a: np.clip(a, 100, 3000), EXACT)],
    "threshold": [("", lambda a: (a > 0).astype(a.dtype), EXACT),
                  (":value=1500:keep=1", lambda a: np.where(a > 1500, a, 0).astype(a.dtype), EXACT)],
    "localmax": [("", localmax(3, -1e308), EXACT), (":size=5x5x3:threshold=2000", localmax((5, 5, 3), 2000), EXACT)],
}


def listed_kernels():
    """The names `zslab list` prints (a line that starts a kernel has no leading blank)."""
    p = subprocess.run([ZSLAB, "list"], capture_output=True, text=True, check=True)
    return [ln.split()[0] for ln in p.stdout.splitlines() if ln and not ln[0].isspace()]


def phantoms(rng):
    """uint16 and float32 volumes of 64x48x40: smooth blobs plus noise, and a few ties (flat runs)."""
    x, y, z = np.meshgrid(np.arange(64), np.arange(48), np.arange(40), indexing="ij")
    blobs = 2000 * np.exp(-((x - 20) ** 2 + (y - 30) ** 2 + (z - 12) ** 2) / 60.0)
    blobs += 1200 * np.exp(-((x - 45) ** 2 + (y - 10) ** 2 + (z - 30) ** 2) / 25.0)
    u16 = np.clip(blobs + rng.normal(300, 80, blobs.shape), 0, 65535).astype(np.uint16)
    u16[10:14, 5:9, 3:6] = 777
    f32 = (blobs / 100.0 + rng.normal(0, 1.5, blobs.shape)).astype(np.float32)
    return {"u16": np.asfortranarray(u16), "f32": np.asfortranarray(f32)}


def filtered(tool, src, dst, spec, precision):
    out = "float64" if precision == "float64" else "float32"
    p = subprocess.run([tool, "filter", src, dst, "--op", spec, "--precision", precision, "--dtype", out, "--quiet",
                        "--force"], capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"{tool} filter --op {spec} --precision {precision}: exit {p.returncode}: {p.stderr.strip()}")
        return None
    with open(dst, "rb") as f:
        return f.read()


def compare(what, got, want, tol, a):
    if got.shape != want.shape:
        return fail(f"{what}: shape {got.shape}, expected {want.shape}")
    nan_got, nan_want = np.isnan(got), np.isnan(want)
    if not np.array_equal(nan_got, nan_want):
        return fail(f"{what}: NaN at {int((nan_got != nan_want).sum())} voxel(s) where scipy has none (or the reverse)")
    g, w = got[~nan_got].astype(np.float64), want[~nan_want].astype(np.float64)
    if tol == EXACT:
        if not np.array_equal(g, w):
            fail(f"{what}: {int((g != w).sum())} voxel(s) differ from scipy (max {np.abs(g - w).max()!r})")
        return
    scale = max(float(np.abs(a).max()), float(np.abs(w).max()) if w.size else 0.0)
    limit = tol if got.dtype == np.float32 else 1e-12
    err = float(np.abs(g - w).max()) / scale if g.size else 0.0
    if not err <= limit:
        fail(f"{what}: {err:.2e} of the largest magnitude from scipy (allowed {limit:.0e})")


def main():
    reference = os.environ.get("ZS_REFERENCE_ZSLAB")
    names = listed_kernels()
    for n in names:
        if n not in CASES:
            fail(f"kernel {n} (zslab list) has no case in {os.path.basename(__file__)}")
    d = workdir("xval-every")
    hashes = []
    for vname, a in phantoms(np.random.default_rng(26)).items():
        src = os.path.join(d, f"{vname}.npy")
        np.save(src, a)
        for n in names:
            for params, expect, tol in CASES.get(n, []):
                for precision in ("float32", "float64"):
                    work = a.astype(np.float64 if precision == "float64" else np.float32)
                    spec, dst = n + params, os.path.join(d, "out.npy")
                    what = f"{vname} {spec} --precision {precision}"
                    got = filtered(ZSLAB, src, dst, spec, precision)
                    if got is None:
                        continue
                    compare(what, np.load(dst), expect(work), tol, work)
                    hashes.append(hashlib.sha256(got).hexdigest())
                    if reference and filtered(reference, src, dst, spec, precision) != got:
                        fail(f"{what}: the output differs from {reference}'s")
    summary = hashlib.sha256("".join(hashes).encode()).hexdigest()
    print(f"{len(hashes)} outputs of {len(names)} kernels checked against scipy"
          + (f" and byte for byte against {reference}" if reference else "") + f"; sha256 of their sha256s {summary}")
    if FAILURES:
        return 1
    shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
