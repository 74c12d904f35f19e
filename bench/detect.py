#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab detect (a top-hat + DoG pipeline, then maxima and cells) against zslab filter of the same
pipeline to a float32 output, and against the scipy reference on the array in memory
(white_tophat, two gaussian_filter, maximum_filter, label, center_of_mass), on a `--pattern cells`
uint16 stack. Prints wall seconds (median of --repeat), CPU seconds, each zslab run's peak RSS
and the cells found. Not a timed test (the issue's acceptance 3: detect <= 1.1x filter, >= 20x
faster than scipy; peak RSS within --mem-budget). From the build tree:
  /usr/bin/python3 bench/detect.py --zslab build/zslab [--shape 1024x1024x256] [--threads 2]
      [--mem-budget 512M] [--no-scipy] [--dir /tmp]"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
from scipy import ndimage as ndi

OPS = ["white_tophat:size=11", "dog:sigma1=1.5:sigma2=3"]
MAXIMA = (5, 50.0)


def child(args):
    """(wall s, CPU s, peak RSS MiB) of one run of args."""
    t = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode()
    p.stderr.close()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(args)}: failed: {err.strip()}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def runs(args, repeat):
    r = [child(args) for _ in range(repeat)]
    return tuple(statistics.median(x[i] for x in r) for i in range(2)) + (max(x[2] for x in r),)


def scipy_cells(path):
    """The reference on the array in memory: (seconds, cells)."""
    a = np.load(path).astype(np.float32)
    t, c = time.perf_counter(), time.process_time()
    f = ndi.white_tophat(a, size=11)
    f = ndi.gaussian_filter(f, 1.5) - ndi.gaussian_filter(f, 3)
    m = (f == ndi.maximum_filter(f, MAXIMA[0], mode="nearest")) & (f > np.float32(MAXIMA[1]))
    lab, n = ndi.label(m, np.ones((3, 3, 3)))
    ndi.center_of_mass(m, lab, np.arange(1, n + 1))
    return time.perf_counter() - t, time.process_time() - c, n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zslab", default=os.environ.get("ZSLAB", "build/zslab"))
    ap.add_argument("--shape", default="512x512x128", help="x y z of the stack (the issue's: 1024x1024x256)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mem-budget", default=None, help="zslab's --mem-budget (e.g. 512M)")
    ap.add_argument("--no-scipy", action="store_true", help="skip the scipy reference (it holds the stack 5x)")
    ap.add_argument("--dir", default=None, help="where the files go (default: a temporary directory)")
    o = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=o.dir) as d:
        src = os.path.join(d, "stack.npy")
        subprocess.run([o.zslab, "create", src, "--shape", o.shape, "--dtype", "uint16", "--pattern", "cells", "-q"],
                       check=True)
        common = ["--threads", str(o.threads), "-f", "-q"] + (["--mem-budget", o.mem_budget] if o.mem_budget else [])
        ops = [x for op in OPS for x in ("--op", op)]
        mvox = np.prod([int(v) for v in o.shape.split("x")]) / 1e6
        print(f"{o.shape} uint16 --pattern cells ({mvox:.0f} Mvox), {' '.join(OPS)}, maxima size={MAXIMA[0]} "
              f"threshold={MAXIMA[1]:g}; --threads {o.threads}, medians of {o.repeat}; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        cells = os.path.join(d, "cells.csv")
        fw, fc, fr = runs([o.zslab, "filter", src, os.path.join(d, "f.npy"), *ops, "--dtype", "float32", *common],
                          o.repeat)
        dw, dc, dr = runs([o.zslab, "detect", src, cells, *ops, "--maxima", "size=%d:threshold=%g" % MAXIMA,
                           *common], o.repeat)
        n = sum(1 for _ in open(cells)) - 1
        print(f"zslab filter -> float32: {fw:7.2f} s {fc:7.2f} CPU s  peak RSS {fr:7.1f} MiB")
        print(f"zslab detect -> CSV:     {dw:7.2f} s {dc:7.2f} CPU s  peak RSS {dr:7.1f} MiB  {n} cells  "
              f"(detect / filter: {dw / fw:.2f}x)")
        if not o.no_scipy:
            sw, sc, sn = scipy_cells(src)
            print(f"scipy, in memory:        {sw:7.2f} s {sc:7.2f} CPU s  {sn} cells  (scipy / detect: {sw / dw:.1f}x)")


main()
