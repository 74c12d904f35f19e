# SPDX-License-Identifier: BSD-3-Clause
"""The reduction example (examples/reduce_histogram.c, built outside the library on the public
headers) against numpy.histogram: uint8, int32 (integer work) and float32 volumes with NaN, slab
heights 1, 3 and the planner's, and after a gaussian stage (against the float32 volume zslab
filter writes). Usage: check_reduce_histogram.py PATH_OF_reduce_histogram"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import zstest  # noqa: E402

EXE = sys.argv[1]


def hist(path, bins, lo, hi, slab=0, op=None):
    args = [EXE, path, str(bins), repr(lo), repr(hi), str(slab)] + ([op] if op else [])
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if p.returncode:
        zstest.fail(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
        return None
    return np.array([int(v) for v in p.stdout.split()])


def main():
    w = zstest.workdir("reduce")
    rng = np.random.default_rng(22)
    vols = {"u8": rng.integers(0, 256, (23, 19, 17), dtype=np.uint8),
            "i32": rng.integers(-5000, 5000, (23, 19, 17)).astype(np.int32),
            "f32": rng.normal(0, 1, (23, 19, 17)).astype(np.float32)}
    vols["f32"][1, 2, 3] = np.nan
    for name, a in vols.items():
        path = os.path.join(w, name + ".npy")
        np.save(path, a)
        lo, hi = (float(np.nanmin(a)), float(np.nanmax(a)))
        ref = np.histogram(a[~np.isnan(a)] if a.dtype.kind == "f" else a, 37, (lo, hi))[0]
        for slab in (1, 3, 0):
            got = hist(path, 37, lo, hi, slab)
            if got is not None and not np.array_equal(got, ref):
                zstest.fail(f"{name} slab {slab}: {got.tolist()} != numpy's {ref.tolist()}")
    src = os.path.join(w, "f32.npy")
    out = os.path.join(w, "g.npy")
    zstest.run("filter", src, out, "--op", "gaussian:sigma=1", "--force", "-q")
    g = np.load(out)
    ref = np.histogram(g[~np.isnan(g)], 16, (-1.0, 1.0))[0]
    got = hist(src, 16, -1.0, 1.0, 2, "gaussian:sigma=1")
    if got is not None and not np.array_equal(got, ref):
        zstest.fail(f"after gaussian: {got.tolist()} != {ref.tolist()}")
    zstest.finish("reduce_histogram: histograms equal numpy's for every dtype and slab height", w)


main()
