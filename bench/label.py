#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab label (end to end, file to file) against scipy.ndimage.label on the array already in
memory, on a SIZE^3 uint8 volume: blobs (a thresholded, upsampled random field: a few thousand
objects) and random voxels at the 3-D site percolation threshold 0.3116 (millions of objects,
one spanning the volume). Inputs are written as an F-order .npy (zslab's own layout: slabs are
byte ranges) and a C-order one (np.save's default: zslab gathers each slab's planes). Prints
seconds (median of --repeat), Mvox/s, CPU seconds (user + system: steadier than wall time on a
busy machine) and whether the labels are equal. Not a timed test. From the build tree:
  /usr/bin/python3 bench/label.py --zslab build/zslab [--size 512] [--threads 2] [--dir /tmp]"""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time

import numpy as np
from scipy import ndimage as ndi


def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def timed(f, repeat):
    """(median wall seconds, median CPU seconds, last result)."""
    walls, cpus, r = [], [], None
    for _ in range(repeat):
        c, t = cpu(), time.perf_counter()
        r = f()
        walls.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    return statistics.median(walls), statistics.median(cpus), r


def volumes(size, rng):
    n = max(2, size // 8)
    field = np.kron(rng.random((n, n, n), dtype=np.float32), np.ones((8, 8, 8), np.float32))[:size, :size, :size]
    yield "blobs", (ndi.uniform_filter(field, 5) > 0.62).astype(np.uint8)
    yield "random 0.3116", (rng.random((size,) * 3, dtype=np.float32) < 0.3116).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zslab", default=os.environ.get("ZSLAB", "build/zslab"))
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mem-budget", default=None, help="zslab's --mem-budget (e.g. 1G)")
    ap.add_argument("--dir", default=None, help="where the files go (default: a temporary directory)")
    o = ap.parse_args()
    rng = np.random.default_rng(0)
    mvox = o.size**3 / 1e6
    print(f"{o.size}^3 uint8 ({mvox:.1f} Mvox), zslab --threads {o.threads}, medians of {o.repeat}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'volume':<15} {'tool':<22} {'s':>7} {'Mvox/s':>8} {'CPU s':>7} {'objects':>9}  equal")
    with tempfile.TemporaryDirectory(dir=o.dir) as d:
        src, out = os.path.join(d, "in.npy"), os.path.join(d, "labels.npy")
        for name, a in volumes(o.size, rng):
            s, c, (ref, n) = timed(lambda: ndi.label(a), o.repeat)
            print(f"{name:<15} {'scipy (in memory)':<22} {s:7.2f} {mvox / s:8.1f} {c:7.2f} {n:9d}")
            for order in ("F", "C"):
                np.save(src, np.asfortranarray(a) if order == "F" else np.ascontiguousarray(a))
                args = [o.zslab, "label", src, out, "--force", "-q", "--threads", str(o.threads)]
                if o.mem_budget:
                    args += ["--mem-budget", o.mem_budget]
                s, c, _ = timed(lambda: subprocess.run(args, check=True), o.repeat)
                same = np.array_equal(np.load(out, mmap_mode="r"), ref)
                print(f"{name:<15} {'zslab label, ' + order + '-order':<22} {s:7.2f} {mvox / s:8.1f} {c:7.2f} "
                      f"{n:9d}  {same}")
            del ref


main()
