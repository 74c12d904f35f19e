# SPDX-License-Identifier: BSD-3-Clause
"""Integer outputs against scipy.ndimage: uint8, uint16 and int16 inputs filtered to their own dtype
(the default output) equal scipy's result computed in float64, rounded and saturated, within +-1;
and the final conversion rounds half to even, saturates and sends NaN to 0."""
import os
import shutil
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import run, workdir

MODES = ["reflect", "nearest", "mirror", "constant", "wrap"]


def cases():
    """(zslab spec, scipy function of a float64 array) for every kernel."""
    for m in MODES:
        k = dict(mode=m, cval=7.0)
        sfx = f":mode={m}:cval=7"
        yield f"gaussian:sigma=1x1.5x2{sfx}", lambda a, k=k: ndi.gaussian_filter(a, (1, 1.5, 2), **k)
        yield f"uniform:size=3x4x2{sfx}", lambda a, k=k: ndi.uniform_filter(a, (3, 4, 2), **k)
        yield f"minimum:size=3{sfx}", lambda a, k=k: ndi.minimum_filter(a, 3, **k)
        yield f"maximum:size=4x3x2{sfx}", lambda a, k=k: ndi.maximum_filter(a, (4, 3, 2), **k)
        yield f"median:size=3{sfx}", lambda a, k=k: ndi.median_filter(a, 3, **k)
        yield f"percentile:percentile=25:size=3x2x3{sfx}", lambda a, k=k: ndi.percentile_filter(a, 25, (3, 2, 3), **k)
        yield f"white_tophat:size=5{sfx}", lambda a, k=k: ndi.white_tophat(a, 5, **k)
        yield f"black_tophat:size=3{sfx}", lambda a, k=k: ndi.black_tophat(a, 3, **k)
        yield f"opening:size=4{sfx}", lambda a, k=k: ndi.grey_opening(a, 4, **k)
        yield f"closing:size=3x2x4{sfx}", lambda a, k=k: ndi.grey_closing(a, (3, 2, 4), **k)
        yield (f"dog:sigma1=1:sigma2=2{sfx}",
               lambda a, k=k: ndi.gaussian_filter(a, 1, **k) - ndi.gaussian_filter(a, 2, **k))
        yield f"log:sigma=1.5{sfx}", lambda a, k=k: ndi.gaussian_laplace(a, 1.5, **k)
        yield f"gradient_magnitude:sigma=1{sfx}", lambda a, k=k: ndi.gaussian_gradient_magnitude(a, 1, **k)
    yield "scale:a=1.5:b=-20", lambda a: 1.5 * a - 20
    yield "clip:lo=30:hi=90", lambda a: np.clip(a, 30, 90)
    yield "threshold:value=50:keep=1", lambda a: np.where(a > 50, a, 0)


def expected(ref, dtype):
    info = np.iinfo(dtype)
    return np.clip(np.rint(ref), info.min, info.max).astype(dtype)


def main():
    d = workdir("xval-int")
    rng = np.random.default_rng(11)
    inputs = {
        "uint8": rng.integers(0, 256, size=(17, 13, 11)).astype(np.uint8),
        "uint16": rng.integers(0, 4000, size=(17, 13, 11)).astype(np.uint16),
        "int16": rng.integers(-3000, 3000, size=(17, 13, 11)).astype(np.int16),
    }
    failures = n = 0
    for name, vol in inputs.items():
        src = os.path.join(d, f"in_{name}.npy")
        np.save(src, np.asfortranarray(vol))
        a64 = vol.astype(np.float64)
        for spec, f in cases():
            dst = os.path.join(d, "out.npy")
            run("filter", src, dst, "--op", spec, "--quiet", "--force", "--slab", 4)
            got = np.load(dst)
            want = expected(f(a64), vol.dtype)
            n += 1
            if got.dtype != vol.dtype or got.shape != vol.shape:
                print(f"FAIL {name} {spec}: {got.dtype} {got.shape}")
                failures += 1
                continue
            diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
            if diff.max() > 1:
                i = np.unravel_index(diff.argmax(), diff.shape)
                print(f"FAIL {name} {spec}: max |diff| {diff.max()} at {i}: zslab {got[i]}, scipy {want[i]}")
                failures += 1
    # the final conversion: round half to even, saturate, NaN -> 0
    f32 = np.asfortranarray(np.array([0.5, 1.5, 2.5, -0.5, 254.5, 255.5, 300.0, -7.0, np.nan, 3.5,
                                      1e10, -1e10], np.float32).reshape(12, 1, 1))
    src = os.path.join(d, "conv.npy")
    np.save(src, f32)
    for dt, want in [("uint8", [0, 2, 2, 0, 254, 255, 255, 0, 0, 4, 255, 0]),
                     ("int16", [0, 2, 2, 0, 254, 256, 300, -7, 0, 4, 32767, -32768]),
                     ("int32", [0, 2, 2, 0, 254, 256, 300, -7, 0, 4, 2147483647, -2147483648])]:
        dst = os.path.join(d, f"conv_{dt}.npy")
        run("convert", src, dst, "--dtype", dt, "--quiet", "--force")
        got = np.load(dst).ravel().tolist()
        n += 1
        if got != want:
            print(f"FAIL convert float32 -> {dt}: {got}, expected {want}")
            failures += 1
    shutil.rmtree(d)
    print(f"{n - failures}/{n} cases within +-1 of scipy (float64, rounded, saturated)")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
