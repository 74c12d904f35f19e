#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Windows far larger than the volume (size=10001, sigma=1000 on a 5x6x7 array) against scipy.ndimage in
every boundary mode, wrap and constant included: uniform and gaussian within 1e-5 of the largest |input|,
the selections (minimum, maximum, opening, the tophats) exactly, median and percentile exactly against
their definition (rank_line); the output is
bit-identical over threads, slab and band heights; each run costs what the volume costs (a few tenths
of a second), not what the window would (a minute for uniform:size=10001 before the halo work was
bounded by the volume). Exit 1 on any failure."""
import os
import subprocess
import sys
import time

import numpy as np
from scipy import ndimage as ndi

from zstest import ZSLAB, fail, finish, workdir

MODES = ["reflect", "nearest", "mirror", "constant", "wrap"]
RTOL = 1e-5
# seconds: a run this long works on the window, not on the volume (the sanitizers' tool is about 8x
# slower, and on 2 shared cores a --band 1 run took over 20 s there)
SLOW = 5.0 * (8 if os.environ.get("ZS_SANITIZED") else 1)


NP_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant"}


def rank_line(a, axis, rank, m, cv, size=10001):
    """Element `rank` of each sorted window of `size` along `axis`, on the line extended by mode m (numpy's
    pad and sort: scipy's rank filters, as defined, computed independently; scipy's own answer for a
    footprint 1400 times the line was once seen to differ between two calls)."""
    pw = [(0, 0)] * 3
    pw[axis] = (size // 2, size - 1 - size // 2)
    e = np.pad(a, pw, mode=NP_PAD[m], **(dict(constant_values=cv) if m == "constant" else {}))
    return np.sort(np.lib.stride_tricks.sliding_window_view(e, size, axis=axis), axis=-1)[..., rank]


def cases(m, cv):
    kw = dict(mode=m, cval=cv)
    big = 10001
    return [
        ("uniform:size=10001", lambda a: ndi.uniform_filter(a, big, **kw), 0),
        ("uniform:size=10001x3x1000", lambda a: ndi.uniform_filter(a, (big, 3, 1000), **kw), 0),
        ("gaussian:sigma=1000", lambda a: ndi.gaussian_filter(a, 1000, **kw), 0),
        ("gaussian:sigma=2x1000x1.5:order=0x1x0", lambda a: ndi.gaussian_filter(a, (2, 1000, 1.5), order=(0, 1, 0),
                                                                                  **kw), 0),
        ("minimum:size=10001", lambda a: ndi.minimum_filter(a, big, **kw), 1),
        ("maximum:size=10001x2x10000", lambda a: ndi.maximum_filter(a, (big, 2, 10000), **kw), 1),
        ("median:size=10001x1x1", lambda a: rank_line(a, 0, big // 2, m, cv), 1),
        ("percentile:percentile=20:size=1x1x10001", lambda a: rank_line(a, 2, big * 20 // 100, m, cv), 1),
        ("opening:size=10001", lambda a: ndi.grey_opening(a, size=(big,) * 3, **kw), 1),
        ("white_tophat:size=10001x3x10000", lambda a: ndi.white_tophat(a, size=(big, 3, 10000), **kw), 1),
        ("black_tophat:size=4x10001x2", lambda a: ndi.black_tophat(a, size=(4, big, 2), **kw), 1),
    ]


def filt(src, dst, spec, *extra):
    """`zslab filter`: (CompletedProcess, seconds); a run past 4 x SLOW is killed (exit -9)."""
    t = time.monotonic()
    try:
        p = subprocess.run([ZSLAB, "filter", src, dst, "--op", spec, "--force", "-q", *extra], capture_output=True,
                           text=True, timeout=4 * SLOW)
    except subprocess.TimeoutExpired:
        p = subprocess.CompletedProcess([], -9, "", f"killed after {4 * SLOW:.0f} s")
    return p, time.monotonic() - t


def main():
    d = workdir("xval-huge")
    rng = np.random.default_rng(17)
    a = np.asfortranarray((rng.random((5, 6, 7)) * 10 - 3).astype(np.float32))
    src = os.path.join(d, "in.npy")
    np.save(src, a)
    total = 0
    for m in MODES:
        cv = 2.5 if m == "constant" else 0.0
        for op, expect, exact in cases(m, cv):
            spec = f"{op}:mode={m}:cval={cv}"
            total += 1
            ref = os.path.join(d, "ref.npy")
            p, secs = filt(src, ref, spec, "--threads", "1")
            if p.returncode != 0:
                fail(f"{spec}: exit {p.returncode}: {p.stderr.strip()}")
                continue
            if secs > SLOW:
                fail(f"{spec}: {secs:.1f} s on a 5x6x7 volume")
            got, want = np.load(ref).astype(np.float64), expect(a).astype(np.float64)
            err = np.abs(got - want)
            bad = err.max() > 0 if exact else err.max() > RTOL * float(np.abs(a).max())
            if bad:
                i = np.unravel_index(np.argmax(err), err.shape)
                fail(f"{spec}: at {i} zslab {got[i]!r}, scipy {want[i]!r}")
            out = os.path.join(d, "out.npy")
            extra = ["--threads", "3", "--slab", "2", "--band", "1" if total % 2 else "4"]
            p, _ = filt(src, out, spec, *extra)
            if p.returncode != 0 or np.load(out).tobytes() != np.load(ref).tobytes():
                fail(f"{spec} {' '.join(extra)}: not bit-identical to one thread ({p.stderr.strip()})")
    finish(f"{total} huge-window cases agree with scipy.ndimage, over threads, slabs and bands", d)


if __name__ == "__main__":
    main()
