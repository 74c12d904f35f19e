#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab resample (end to end, file to file) against `zslab convert` of the same input to .npy (the
reading-bound floor) and scipy.ndimage.zoom(order=1) on the array in memory: a light-sheet-like
uint16 stack (phantom pattern, NIfTI, voxel 0.5x0.5x2 um by default) brought to 25 um with
--mem-budget. Cold runs drop the input's pages first (posix_fadvise DONTNEED, this file only); hot
runs read it from the page cache. Prints seconds (median of --repeat), the peak RSS of each run
(wait4) against the budget, and the ratio resample / convert. Not a timed test. From the build tree:
  /usr/bin/python3 bench/resample.py --zslab build/zslab [--shape 2048x2048x512] [--dir /tmp]"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
from scipy import ndimage as ndi


def drop(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def run(args, cold_input=None):
    """(wall seconds, peak RSS in MiB) of one run of args."""
    if cold_input:
        drop(cold_input)
    t = time.perf_counter()
    p = subprocess.Popen(args)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)}: failed")
    return wall, ru.ru_maxrss / 1024.0


def median_run(args, repeat, cold_input):
    runs = [run(args, cold_input) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zslab", default=os.environ.get("ZSLAB", "build/zslab"))
    ap.add_argument("--shape", default="2048x2048x512", help="x, y, z of the input")
    ap.add_argument("--voxel", default="0.5x0.5x2um", help="the input's voxel size")
    ap.add_argument("--target", default="25um", help="resample --voxel-size")
    ap.add_argument("--method", default="area")
    ap.add_argument("--mem-budget", default="256M")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-scipy", action="store_true", help="skip scipy (it loads the whole array)")
    ap.add_argument("--dir", default=None, help="where the files go (default: a temporary directory)")
    o = ap.parse_args()
    z = o.zslab
    with tempfile.TemporaryDirectory(dir=o.dir) as d:
        src = os.path.join(d, "in.nii")
        subprocess.run([z, "create", src, "--shape", o.shape, "--dtype", "uint16", "--pattern", "phantom",
                        "--voxel-size", o.voxel, "--force", "-q"], check=True)
        gib = os.path.getsize(src) / 2**30
        print(f"input {o.shape} uint16 ({gib:.2f} GiB), voxel {o.voxel} -> {o.target} ({o.method}), "
              f"--mem-budget {o.mem_budget}, --threads {o.threads}, medians of {o.repeat}; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        conv = [z, "convert", src, os.path.join(d, "c.npy"), "--force", "-q", "--threads", str(o.threads)]
        res = [z, "resample", src, os.path.join(d, "r.nii"), "--voxel-size", o.target, "--method", o.method,
               "--mem-budget", o.mem_budget, "--force", "-q", "--threads", str(o.threads)]
        print(f"{'run':<28} {'s':>7} {'peak RSS MiB':>13}")
        for cache in ("cold", "hot"):
            cold = src if cache == "cold" else None
            tc, mc = median_run(conv, o.repeat, cold)
            tr, mr = median_run(res, o.repeat, cold)
            print(f"{'convert to .npy, ' + cache:<28} {tc:7.2f} {mc:13.0f}")
            print(f"{'resample, ' + cache:<28} {tr:7.2f} {mr:13.0f}   resample / convert = {tr / tc:.2f}")
        os.remove(os.path.join(d, "c.npy"))
        if o.no_scipy:
            return
        import nibabel
        t = time.perf_counter()
        a = np.array(nibabel.load(src).dataobj)  # read into memory (not a memory map)
        tl = time.perf_counter() - t
        vin = [float(v) for v in o.voxel.rstrip("um").split("x")]
        zoom = [v / float(o.target.rstrip("um")) for v in vin]
        t = time.perf_counter()
        ndi.zoom(a, zoom, order=1, mode="nearest", grid_mode=True)
        tz = time.perf_counter() - t
        print(f"{'scipy zoom(order=1), in memory':<28} {tz:7.2f}   (loading the array first: {tl:.2f} s more)")


main()
