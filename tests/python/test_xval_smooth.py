#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""The smoothing and pointwise kernels against scipy.ndimage and numpy, through `zslab filter`.

gaussian, uniform, dog, log, gradient_magnitude in every boundary mode, with anisotropic and
zero sigmas, derivative orders, even and odd sizes, axes=xy (scipy filters each z-plane on its
own), cval != 0 and kernels longer than the volume; scale, clip and threshold against numpy in
float32. Axis 0 of the numpy array is x (whatever the memory order, C order included).
Output is float32; |zslab - scipy| must stay within 1e-5 of the input's largest magnitude.
Every smoothing case also runs on float64 volumes with --precision float64 against scipy on the
float64 array: within 1e-12 of each value plus 1e-12 of the largest magnitude (float32 work is
about 1e-7 off). Exit 1 on any failure.
"""
import os
import shutil
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import run, workdir

RTOL = 1e-5
RTOL64 = 1e-12
MODES = ["reflect", "nearest", "mirror", "constant", "wrap"]


def per_plane(f, a, **kw):
    """scipy's 2-D filter on each z-plane: what axes=xy means."""
    return np.stack([f(a[:, :, k], **kw) for k in range(a.shape[2])], axis=2)


def cases():
    """(op spec, expected(a), extra zslab arguments)."""
    out = []
    for m in MODES:
        cv = 2.5 if m == "constant" else 0.0
        nb = f":mode={m}:cval={cv}"
        kw = dict(mode=m, cval=cv)
        out += [
            (f"gaussian:sigma=1.5x1x0.8{nb}", lambda a, kw=kw: ndi.gaussian_filter(a, (1.5, 1, 0.8), **kw), []),
            (f"gaussian:sigma=1x1x3:order=1x0x2{nb}",
             lambda a, kw=kw: ndi.gaussian_filter(a, (1, 1, 3), order=(1, 0, 2), **kw), ["--slab", "3"]),
            (f"gaussian:sigma=2x0x1:order=0x1x3{nb}",
             lambda a, kw=kw: ndi.gaussian_filter(a, (2, 0, 1), order=(0, 1, 3), **kw), []),
            (f"gaussian:sigma=1.3:axes=xy{nb}", lambda a, kw=kw: ndi.gaussian_filter(a, (1.3, 1.3, 0), **kw), []),
            (f"uniform:size=3{nb}", lambda a, kw=kw: ndi.uniform_filter(a, 3, **kw), ["--slab", "2"]),
            (f"uniform:size=4x2x5{nb}", lambda a, kw=kw: ndi.uniform_filter(a, (4, 2, 5), **kw), []),
            (f"uniform:size=6:axes=xy{nb}", lambda a, kw=kw: ndi.uniform_filter(a, (6, 6, 1), **kw), []),
            (f"dog:sigma1=1:sigma2=2{nb}",
             lambda a, kw=kw: ndi.gaussian_filter(a, 1, **kw) - ndi.gaussian_filter(a, 2, **kw), []),
            (f"log:sigma=1.2x1x1.5{nb}", lambda a, kw=kw: ndi.gaussian_laplace(a, (1.2, 1, 1.5), **kw),
             ["--slab", "5"]),
            (f"log:sigma=1x1x0{nb}", lambda a, kw=kw: ndi.gaussian_laplace(a, (1, 1, 0), **kw), []),
            (f"log:sigma=1.3:axes=xy{nb}", lambda a, kw=kw: per_plane(ndi.gaussian_laplace, a, sigma=1.3, **kw), []),
            (f"gradient_magnitude:sigma=1.2x1x1.5{nb}",
             lambda a, kw=kw: ndi.gaussian_gradient_magnitude(a, (1.2, 1, 1.5), **kw), []),
            (f"gradient_magnitude:sigma=1:axes=xy{nb}",
             lambda a, kw=kw: per_plane(ndi.gaussian_gradient_magnitude, a, sigma=1, **kw), []),
        ]
    out += [
        ("gaussian:sigma=4:truncate=3", lambda a: ndi.gaussian_filter(a, 4, truncate=3), []),  # longer than z
        ("gaussian:sigma=6:mode=wrap", lambda a: ndi.gaussian_filter(a, 6, mode="wrap"), []),
        ("uniform:size=40x3x25:mode=mirror", lambda a: ndi.uniform_filter(a, (40, 3, 25), mode="mirror"), []),
        ("scale:a=2.5:b=-1", lambda a: a * np.float32(2.5) + np.float32(-1), []),
        ("clip:lo=0:hi=3.5", lambda a: np.clip(a, np.float32(0), np.float32(3.5)), []),
        ("threshold:value=1.25", lambda a: (a > np.float32(1.25)).astype(np.float32), []),
        ("threshold:value=1.25:keep=1", lambda a: np.where(a > np.float32(1.25), a, np.float32(0)), []),
    ]
    return out


def check(d, name, src, a, spec, expect, extra):
    dst = os.path.join(d, "out.npy")
    run("filter", src, dst, "--op", spec, "--dtype", "float32", "--quiet", "--force", *extra)
    got = np.load(dst)
    want = expect(a.astype(np.float32)).astype(np.float64)
    scale = float(np.abs(a).max())
    if got.shape != want.shape:
        print(f"FAIL: {name} {spec}: shape {got.shape}, expected {want.shape}")
        return 1
    err = float(np.abs(got.astype(np.float64) - want).max()) / scale
    if not err <= RTOL:
        i = np.unravel_index(np.argmax(np.abs(got - want)), got.shape)
        print(f"FAIL: {name} {spec} {' '.join(extra)}: at {i} zslab {got[i]!r}, scipy {want[i]!r} "
              f"(error {err:.2e} of max |input|)")
        return 1
    return 0


def check64(d, name, src, a, spec, expect, extra):
    """A float64 volume in float64 work: scipy's float64 result within RTOL64."""
    dst = os.path.join(d, "out.npy")
    run("filter", src, dst, "--op", spec, "--precision", "float64", "--quiet", "--force", *extra)
    got = np.load(dst)
    want = expect(a)
    if got.dtype != np.float64 or got.shape != want.shape:
        print(f"FAIL: {name} {spec}: {got.dtype} {got.shape}, expected float64 {want.shape}")
        return 1
    atol = RTOL64 * max(float(np.abs(a).max()), float(np.abs(want).max()))
    err = np.abs(got - want) - RTOL64 * np.abs(want)
    if not err.max() <= atol:
        i = np.unravel_index(np.argmax(err), got.shape)
        print(f"FAIL: {name} {spec} {' '.join(extra)} (float64): at {i} zslab {got[i]!r}, scipy {want[i]!r}")
        return 1
    return 0


def main():
    d = workdir("xval-smooth")
    rng = np.random.default_rng(11)
    vols = {
        "f32_F_23x17x13": np.asfortranarray((rng.random((23, 17, 13)) * 10 - 3).astype(np.float32)),
        "f32_C_19x14x11": np.ascontiguousarray((rng.random((19, 14, 11)) * 10 - 3).astype(np.float32)),
        "f32_F_6x1x1": np.asfortranarray((rng.random((6, 1, 1)) * 10 - 3).astype(np.float32)),
        "f32_F_1x1x5": np.asfortranarray((rng.random((1, 1, 5)) * 10 - 3).astype(np.float32)),
        "f32_F_4x5x1": np.asfortranarray((rng.random((4, 5, 1)) * 10 - 3).astype(np.float32)),
    }
    failures = total = 0
    for name, a in vols.items():
        src = os.path.join(d, f"{name}.npy")
        np.save(src, a)
        for spec, expect, extra in cases():
            total += 1
            failures += check(d, name, src, a, spec, expect, extra)
    # float64 volumes in float64 work: every smoothing case (the pointwise ones are numpy's in float32 above)
    vols64 = {
        "f64_F_23x17x13": np.asfortranarray(rng.random((23, 17, 13)) * 10 - 3),
        "f64_C_9x14x11": np.ascontiguousarray(rng.random((9, 14, 11)) * 1e6 - 3e5),
    }
    for name, a in vols64.items():
        src = os.path.join(d, f"{name}.npy")
        np.save(src, a)
        for spec, expect, extra in cases():
            if spec.split(":")[0] in ("scale", "clip", "threshold"):
                continue
            total += 1
            failures += check64(d, name, src, a, spec, expect, extra)
    # uint16 input, float32 output: the load converts exactly
    u = np.asfortranarray(rng.integers(0, 4000, size=(21, 16, 12)).astype(np.uint16))
    src = os.path.join(d, "u16.npy")
    np.save(src, u)
    for spec, expect, extra in [
        ("gaussian:sigma=2", lambda a: ndi.gaussian_filter(a, 2), []),
        ("uniform:size=5:mode=nearest", lambda a: ndi.uniform_filter(a, 5, mode="nearest"), []),
    ]:
        total += 1
        failures += check(d, "u16_F_21x16x12", src, u, spec, expect, extra)
    print(f"{total - failures}/{total} cases agree with scipy.ndimage")
    if failures:
        return 1
    shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
