# SPDX-License-Identifier: BSD-3-Clause
"""Integer outputs against scipy.ndimage: uint8, uint16 and int16 inputs filtered to their own dtype
(the default output), and a float32 input of quarter-integers filtered to uint8, int16 and int32, equal
scipy's result computed in float64, rounded half to even and saturated. Kernels that select a value
(minimum, maximum, median, percentile, opening, closing), differences of selected values (the tophats)
and pointwise kernels on exact values (scale by 1.5, clip, threshold) must match exactly: their float32
results are exact, so only the final rounding is left, and the float32 input puts ties (x.5) in front of
it. Kernels that sum weighted values (gaussian, uniform, dog, log, gradient_magnitude) round their float32
sums and may differ by 1. The final conversion also rounds half to even, saturates and sends NaN to 0.

Wide integers: int32, uint32, int64 and uint64 volumes with values beyond 2^24 (where float32 loses
digits: near 2^31, 2^32, 2^40, -2^45, 2^52) through every selection kernel and the top-hats, in every
mode, compared exactly with scipy on the integer values (top-hats saturated to the dtype), under the default precision (auto:
float64 work for these dtypes) and `--precision float64`; an int64 value beyond 2^53 fails the run
with the file named rather than be rounded. The pointwise kernels in float64 work: within float64
rounding of numpy on a float64 volume, and clip exact on int64 labels."""
import os
import shutil
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import run, workdir

MODES = ["reflect", "nearest", "mirror", "constant", "wrap"]


# Kernels whose float32 result is a rounded sum: these may be 1 off after rounding to an integer.
SUMS = ("gaussian", "uniform", "dog", "log", "gradient_magnitude")


def tolerance(spec):
    """0 (exact) unless the kernel sums weighted values in float32."""
    return 1 if spec.split(":", 1)[0] in SUMS else 0


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
    yield "threshold:value=50.25:keep=0", lambda a: np.where(a > 50.25, 1.0, 0.0)


def wide_cases(cval):
    """(zslab spec, scipy function of an integer array) for the selections and the top-hats."""
    for m in MODES:
        k = dict(mode=m, cval=cval)
        sfx = f":mode={m}:cval={cval}"
        yield f"minimum:size=3{sfx}", lambda a, k=k: ndi.minimum_filter(a, 3, **k)
        yield f"maximum:size=4x3x2{sfx}", lambda a, k=k: ndi.maximum_filter(a, (4, 3, 2), **k)
        yield f"median:size=3{sfx}", lambda a, k=k: ndi.median_filter(a, 3, **k)
        yield f"median:size=5x5x3{sfx}", lambda a, k=k: ndi.median_filter(a, (5, 5, 3), **k)
        yield f"percentile:percentile=25:size=3x2x3{sfx}", lambda a, k=k: ndi.percentile_filter(a, 25, (3, 2, 3), **k)
        yield f"white_tophat:size=5{sfx}", lambda a, k=k: ndi.white_tophat(a, 5, **k)
        yield f"black_tophat:size=3{sfx}", lambda a, k=k: ndi.black_tophat(a, 3, **k)
        yield f"opening:size=4{sfx}", lambda a, k=k: ndi.grey_opening(a, 4, **k)
        yield f"closing:size=3x2x4{sfx}", lambda a, k=k: ndi.grey_closing(a, (3, 2, 4), **k)


def wide_inputs(rng):
    """(name, volume): values a float32 cannot hold, a few thousand apart (repeats included)."""
    shape = (15, 12, 10)
    spread = rng.integers(0, 3000, size=shape)
    return [
        ("int32 near 2^31", (2**31 - 5 - spread).astype(np.int32)),
        ("int32 near -2^31", (-(2**31) + 3 + spread).astype(np.int32)),
        ("uint32 near 2^32", (2**32 - 1 - spread).astype(np.uint32)),
        ("int64 near 2^40", (2**40 + 7 + spread * 3).astype(np.int64)),
        ("int64 near -2^45", (-(2**45) - spread * 5).astype(np.int64)),
        ("uint64 near 2^52", (2**52 + 1 + spread).astype(np.uint64)),
    ]


def check_wide(d, rng):
    """The wide-integer cases; returns (cases, failures)."""
    n = failures = 0
    for name, vol in wide_inputs(rng):
        src = os.path.join(d, "wide.npy")
        np.save(src, np.asfortranarray(vol))
        cval = int(vol.min()) + 3
        for spec, f in wide_cases(cval):
            for extra in ([], ["--precision", "float64"]) if "median:size=3:" in spec + ":" else ([],):
                dst = os.path.join(d, "wide_out.npy")
                run("filter", src, dst, "--op", spec, "--quiet", "--force", "--slab", 3, *extra)
                # scipy on the values as int64 (exact here), saturated to the dtype as zslab stores
                # (scipy's own unsigned top-hats wrap around where the result is negative)
                info = np.iinfo(vol.dtype)
                got, want = np.load(dst), np.clip(f(vol.astype(np.int64)), info.min, info.max).astype(vol.dtype)
                n += 1
                if got.dtype != vol.dtype or not np.array_equal(got, want):
                    bad = np.argwhere(got != want) if got.shape == want.shape else [[]]
                    i = tuple(int(v) for v in bad[0])
                    print(f"FAIL {name} {spec} {' '.join(extra)}: {got.dtype}, {len(bad)} voxels differ, first "
                          f"at {i}: zslab {got[i] if i else '?'}, scipy {want[i] if i else '?'}")
                    failures += 1
    # beyond 2^53 a double cannot hold every int64: the run fails, naming the file and the limit
    big = np.full((6, 5, 4), 2**53 + 1, np.int64)
    src = os.path.join(d, "beyond53.npy")
    np.save(src, big)
    _, err = run("filter", src, os.path.join(d, "b.npy"), "--op", "maximum:size=3", "--force", expect=1)
    n += 1
    if "beyond53.npy" not in err or "2^53" not in err or os.path.exists(os.path.join(d, "b.npy")):
        print(f"FAIL int64 beyond 2^53: not refused with the file and the limit named: {err.strip()}")
        failures += 1
    return n, failures


def check_f64_pointwise(d, rng):
    """The pointwise kernels in float64 work: a float64 volume with --precision float64 within
    float64 rounding of numpy's float64 result (rtol 1e-12), and clip on int64 values beyond 2^24
    (auto) exactly. Returns (cases, failures)."""
    f = np.asfortranarray(rng.integers(0, 3000, size=(9, 8, 7)) / 3.0 + 1e9)
    src = os.path.join(d, "pw64.npy")
    np.save(src, f)
    lo, hi = 1e9 + 100 / 3.0, 1e9 + 2000 / 3.0
    cases = [("scale:a=1.5:b=-20", 1.5 * f - 20), (f"clip:lo={lo!r}:hi={hi!r}", np.clip(f, lo, hi)),
             (f"threshold:value={lo!r}:keep=1", np.where(f > lo, f, 0.0)),
             (f"threshold:value={lo!r}:keep=0", np.where(f > lo, 1.0, 0.0))]
    n = failures = 0
    for spec, want in cases:
        dst = os.path.join(d, "pw64_out.npy")
        run("filter", src, dst, "--op", spec, "--precision", "float64", "--quiet", "--force")
        got = np.load(dst)
        n += 1
        if got.dtype != np.float64 or not np.allclose(got, want, rtol=1e-12, atol=0):
            print(f"FAIL float64 {spec}: {got.dtype}, max |diff| {np.abs(got - want).max()}")
            failures += 1
    labels = np.asfortranarray(rng.integers(0, 3000, size=(9, 8, 7)) + 2**40)
    np.save(src, labels)
    run("filter", src, os.path.join(d, "pw64_out.npy"), "--op", f"clip:lo={2**40 + 1000}:hi={2**40 + 2000}",
        "--quiet", "--force")
    n += 1
    if not np.array_equal(np.load(os.path.join(d, "pw64_out.npy")), np.clip(labels, 2**40 + 1000, 2**40 + 2000)):
        print("FAIL int64 clip beyond 2^24: not exact")
        failures += 1
    return n, failures


def expected(ref, dtype):
    info = np.iinfo(dtype)
    return np.clip(np.rint(ref), info.min, info.max).astype(dtype)


def main():
    d = workdir("xval-int")
    rng = np.random.default_rng(11)
    # quarter-integers from -40 to 300: a quarter of them are ties (x.5) for the final rounding
    quarters = (rng.integers(-160, 1200, size=(17, 13, 11)) / 4.0).astype(np.float32)
    inputs = [  # (name, input, output dtype)
        ("uint8", rng.integers(0, 256, size=(17, 13, 11)).astype(np.uint8), np.uint8),
        ("uint16", rng.integers(0, 4000, size=(17, 13, 11)).astype(np.uint16), np.uint16),
        ("int16", rng.integers(-3000, 3000, size=(17, 13, 11)).astype(np.int16), np.int16),
        ("float32->uint8", quarters, np.uint8),
        ("float32->int16", quarters, np.int16),
        ("float32->int32", quarters, np.int32),
    ]
    failures = n = exact = 0
    for name, vol, out_dt in inputs:
        src = os.path.join(d, f"in_{vol.dtype.name}.npy")
        np.save(src, np.asfortranarray(vol))
        a64 = vol.astype(np.float64)
        for spec, f in cases():
            dst = os.path.join(d, "out.npy")
            # integer inputs keep their dtype by default; the float32 input is given one
            to = [] if out_dt == vol.dtype else ["--dtype", np.dtype(out_dt).name]
            run("filter", src, dst, "--op", spec, "--quiet", "--force", "--slab", 4, *to)
            got = np.load(dst)
            want = expected(f(a64), out_dt)
            tol = tolerance(spec)
            n += 1
            exact += tol == 0
            if got.dtype != out_dt or got.shape != vol.shape:
                print(f"FAIL {name} {spec}: {got.dtype} {got.shape}")
                failures += 1
                continue
            diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
            if diff.max() > tol:
                i = np.unravel_index(diff.argmax(), diff.shape)
                print(f"FAIL {name} {spec}: {np.count_nonzero(diff > tol)} voxels differ by more than {tol}, "
                      f"max |diff| {diff.max()} at {i}: zslab {got[i]}, scipy {want[i]} "
                      f"(float64 {f(a64)[i]!r})")
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
    wn, wf = check_wide(d, rng)
    pn, pf = check_f64_pointwise(d, rng)
    n += wn + pn
    failures += wf + pf
    exact += wn + pn
    shutil.rmtree(d)
    print(f"{n - failures}/{n} cases equal scipy (float64, rounded half to even, saturated): "
          f"{exact} exactly, the float sums within +-1")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
