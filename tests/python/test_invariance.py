# SPDX-License-Identifier: BSD-3-Clause
"""Output is bit-identical for threads {1,2,3,8} x slab heights {1,2,7,whole} and for tile band
heights {1,3,17 (the whole plane), the planner's} x threads {1,3}, for single kernels and pipelines
(constant and wrap modes at the volume's edges included, and a mode per axis), with NaN and +-Inf in
float input too, and `--op a --op b` equals b(a(volume)). The same in float64 work: uint32 labels
beyond 2^24 (auto precision) and a float64 volume with `--precision float64`."""
import os
import shutil
import sys

import numpy as np

from zstest import run, workdir

SPECS = [
    ["gaussian:sigma=1.5"],
    ["gaussian:sigma=1x1x2:mode=constant:cval=3"],
    ["uniform:size=4"],
    ["minimum:size=3x2x5:mode=wrap"],
    ["maximum:size=5:mode=mirror"],
    ["median:size=3"],
    ["percentile:percentile=30:size=4x3x2:mode=nearest"],
    ["white_tophat:size=5"],
    ["black_tophat:size=3:mode=constant:cval=100"],
    ["closing:size=4:mode=wrap"],
    ["dog:sigma1=1:sigma2=2"],
    ["log:sigma=1.2:mode=nearest"],
    ["gradient_magnitude:sigma=1:mode=wrap"],
    ["gaussian:sigma=1:mode=constant:cval=5", "maximum:size=3:mode=wrap", "scale:a=2:b=1"],
    ["white_tophat:size=5:mode=constant", "dog:sigma1=1:sigma2=3:mode=constant:cval=1", "clip:lo=0:hi=50"],
    ["median:size=3:axes=xy", "gaussian:sigma=2:axes=xy:mode=wrap", "threshold:value=100:keep=1"],
    # a mode per axis x y z: the y mode extends the tile's rows at the volume's edges, the z mode
    # decides the z-sets (wrap in y or z joins the two ends)
    ["gaussian:sigma=1.5:mode=reflect,nearest,wrap"],
    ["gaussian:sigma=1x2x1:order=0x1x1:mode=nearest,constant,mirror:cval=40"],
    ["uniform:size=4x5x3:mode=constant,wrap,mirror:cval=7"],
    ["maximum:size=3x5x4:mode=wrap,constant,nearest:cval=2000"],
    ["white_tophat:size=4:mode=nearest,wrap,constant:cval=500"],
    ["gaussian:sigma=1:mode=constant,mirror,reflect:cval=9", "opening:size=3:mode=wrap,reflect,constant",
     "dog:sigma1=1:sigma2=2:mode=mirror,wrap,nearest"],
]
# NaN and +-Inf in float32 input (the NaN rule has its own paths: a NaN-free tile skips the rank
# kernels' NaN mask, uniform's long rows fall back to direct sums)
NAN_SPECS = [
    ["median:size=3"],
    ["percentile:percentile=30:size=4x3x2:mode=wrap"],
    ["white_tophat:size=4x3x2:mode=constant:cval=2"],
    ["uniform:size=19x3x2"],
    ["median:size=3:mode=nearest", "gaussian:sigma=1", "threshold:value=500:keep=1"],
]
# float64 work (every stage has a float64 kernel): uint32 labels beyond 2^24 under auto, and a
# float64 volume with --precision float64 (the smoothing kernels alone: a stage's rounded integer
# output would not equal the pipeline's float64 intermediate)
F64_SPECS = [
    ["maximum:size=3x2x5:mode=wrap"],
    ["median:size=3:mode=constant:cval=16777300"],
    ["percentile:percentile=30:size=4x3x2:mode=nearest", "white_tophat:size=3:mode=mirror"],
    ["closing:size=4:mode=wrap,constant,reflect:cval=16777217", "minimum:size=2"],
    ["gaussian:sigma=1.5x1x2:mode=reflect,constant,wrap:cval=16777300"],
    ["gaussian:sigma=1x2x1:order=1x0x2:mode=mirror"],
    ["uniform:size=4x3x5:mode=nearest"],
    ["dog:sigma1=1:sigma2=2:mode=wrap"],
]
THREADS = [1, 2, 3, 8]
SLABS = [1, 2, 7, 0]  # 0: the whole volume in one slab
BANDS = [1, 3, 17, 0]  # rows per tile band; 17 = ny (whole planes); 0: the planner's choice


def filt(src, dst, ops, *extra, dtype="float32"):
    args = ["filter", src, dst, "--dtype", dtype, "--quiet", "--force"]
    for op in ops:
        args += ["--op", op]
    run(*args, *extra)
    return np.load(dst)


def main():
    d = workdir("invariance")
    rng = np.random.default_rng(7)
    vol = rng.integers(0, 1000, size=(21, 17, 19)).astype(np.uint16)
    src = os.path.join(d, "in.npy")
    np.save(src, np.asfortranarray(vol))
    fvol = vol.astype(np.float32)
    flat = fvol.reshape(-1)
    idx = rng.choice(flat.size, size=flat.size // 50, replace=False)
    flat[idx[0::3]], flat[idx[1::3]], flat[idx[2::3]] = np.nan, np.inf, -np.inf
    nsrc = os.path.join(d, "nan.npy")
    np.save(nsrc, np.asfortranarray(fvol))
    lsrc = os.path.join(d, "labels.npy")  # uint32 beyond 2^24: float64 work under auto
    np.save(lsrc, np.asfortranarray((vol.astype(np.uint32) + 2**24 + 1) * 3))
    dsrc = os.path.join(d, "f64.npy")
    np.save(dsrc, np.asfortranarray(vol / 7.0 + 1e9))
    f64 = {lsrc: ("uint32", []), dsrc: ("float64", ["--precision", "float64"])}
    failures = 0
    for src, ops in ([(src, o) for o in SPECS] + [(nsrc, o) for o in NAN_SPECS] + [(lsrc, o) for o in F64_SPECS] +
                     [(dsrc, o) for o in F64_SPECS]):
        dt, prec = f64.get(src, ("float32", []))
        ref = None
        for t in THREADS:
            for s in SLABS:
                slab = s if s else vol.shape[2]
                out = filt(src, os.path.join(d, "out.npy"), ops, "--threads", t, "--slab", slab, *prec, dtype=dt)
                if ref is None:
                    ref = out
                elif out.tobytes() != ref.tobytes():
                    diff = np.argwhere(out != ref)
                    print(f"FAIL {ops}: threads={t} slab={slab} differs at {len(diff)} voxels, first {diff[0]}")
                    failures += 1
        for t in (1, 3):
            for b in BANDS:
                out = filt(src, os.path.join(d, "out.npy"), ops, "--threads", t, "--slab", 7,
                           *(["--band", b] if b else []), *prec, dtype=dt)
                if out.tobytes() != ref.tobytes():
                    diff = np.argwhere(out != ref)
                    print(f"FAIL {ops}: threads={t} band={b or 'auto'} differs at {len(diff)} voxels, first {diff[0]}")
                    failures += 1
        if len(ops) > 1:  # a pipeline equals its stages run one after the other
            cur = src
            for i, op in enumerate(ops):
                nxt = os.path.join(d, f"stage{i}.npy")
                filt(cur, nxt, [op], "--slab", 5, *prec, dtype=dt)
                cur = nxt
            seq = np.load(cur)
            if seq.tobytes() != ref.tobytes():
                print(f"FAIL {ops}: pipeline differs from its stages run in sequence "
                      f"(max |diff| {np.abs(seq - ref).max()})")
                failures += 1
        print(f"ok   {' | '.join(ops)}{' (NaN, Inf input)' if src == nsrc else ''}"
              f"{' (' + dt + ', float64 work)' if src in f64 else ''}")
    shutil.rmtree(d)
    if failures:
        sys.exit(f"{failures} failure(s)")


if __name__ == "__main__":
    main()
