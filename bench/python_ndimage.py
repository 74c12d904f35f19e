#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab's scipy.ndimage functions against scipy's on one array: a C-order, an F-order and a
strided view (every other z), medians of --repeat runs, seconds. From the build tree:
  PYTHONPATH=python ZSLAB_LIBRARY=build/libzslab.so /usr/bin/python3 bench/python_ndimage.py --size 256"""
import argparse
import statistics
import time

import numpy as np
from scipy import ndimage as ndi

import zslab


def median_time(f, repeat):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=256, help="edge of the cubic float32 array")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None)
    o = ap.parse_args()
    a = np.random.default_rng(0).random((o.size,) * 3, dtype=np.float32)
    views = {"C": a, "F": np.asfortranarray(a), "strided": a[:, :, ::2]}
    cases = [("gaussian_filter(a, 2)", lambda x: zslab.gaussian_filter(x, 2, threads=o.threads), ndi.gaussian_filter, 2),
             ("uniform_filter(a, 5)", lambda x: zslab.uniform_filter(x, 5, threads=o.threads), ndi.uniform_filter, 5),
             ("maximum_filter(a, 5)", lambda x: zslab.maximum_filter(x, 5, threads=o.threads), ndi.maximum_filter, 5),
             ("median_filter(a, 3)", lambda x: zslab.median_filter(x, 3, threads=o.threads), ndi.median_filter, 3)]
    print(f"{o.size}^3 float32, medians of {o.repeat}; zslab threads: {o.threads or 'all'}")
    for name, ours, theirs, arg in cases:
        t = {k: median_time(lambda v=v: ours(v), o.repeat) for k, v in views.items()}
        ts = median_time(lambda: theirs(a, arg), o.repeat)
        print(f"{name:24s} zslab C {t['C']:.3f} s, F {t['F']:.3f} s, strided {t['strided']:.3f} s (half the voxels); "
              f"scipy {ts:.3f} s: {ts / t['C']:.1f}x", flush=True)


if __name__ == "__main__":
    main()
