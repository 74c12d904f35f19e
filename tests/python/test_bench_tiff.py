#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""`zslab bench` on the same data as .npy, as an uncompressed TIFF (written by tifffile and by
zslab) and as a deflate TIFF: a smoke test of the TIFF read paths under the benchmark, and
the figures behind docs/performance.md's TIFF section (acceptance: uncompressed TIFF reads at the speed of
.npy). An uncompressed stack must be read through the same mapping as a .npy
(slab_access "contiguous"), so its read phase is the .npy's; the ratio of the medians is
printed, not asserted (a shared 2-core CI machine is too noisy for a 10% bound on a small
volume; docs/performance.md records a measurement on a larger one).

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import json
import os
import sys

import numpy as np
import tifffile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zstest  # noqa: E402
from zstest import fail, finish, workdir  # noqa: E402

W = workdir("benchtiff")


def zs(*args):
    return zstest.zs(*args, timeout=600)


def bench(f):
    r = zs("bench", f, "--repeat", 3, "--json", "--op", "gaussian:sigma=1")
    if r.returncode:
        fail(f"bench {f}: {r.stderr.strip()}")
        return None
    d = json.loads(r.stdout)
    return d["volume"]["slab_access"], {k: v["median_s"] for k, v in d["results"][0]["phases"].items()}


def main():
    vol = np.random.default_rng(1).integers(0, 4000, size=(64, 256, 256), dtype=np.uint16)  # (z, y, x)
    npy, tif, ztif, defl = (os.path.join(W, n) for n in ("v.npy", "v.tif", "z.tif", "d.tif"))
    np.save(npy, np.asfortranarray(vol.transpose(2, 1, 0)))
    tifffile.imwrite(tif, vol)
    tifffile.imwrite(defl, vol, compression="zlib", predictor=True)
    r = zs("convert", npy, ztif, "-q")
    if r.returncode:
        fail(f"convert: {r.stderr}")
    res = {name: bench(f) for name, f in (("npy", npy), ("tifffile tif", tif), ("zslab tif", ztif),
                                          ("deflate tif", defl))}
    for name, want in (("tifffile tif", "contiguous"), ("zslab tif", "contiguous"), ("deflate tif", "decode")):
        if res[name] and res[name][0] != want:
            fail(f"{name}: slab access {res[name][0]}, expected {want}")
    for name, v in res.items():
        if v:
            ph = v[1]
            ratio = ph["read"] / res["npy"][1]["read"] if res["npy"] else float("nan")
            print(f"{name:13s} read {ph['read']:.4f} s  load {ph['load']:.4f} s  end-to-end {ph['end-to-end']:.4f} s"
                  f"  read / npy read = {ratio:.2f}")
    finish("TIFF bench smoke passed", W)


if __name__ == "__main__":
    main()
