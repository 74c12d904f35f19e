# SPDX-License-Identifier: BSD-3-Clause
"""zslab preview against numpy: the PNG's pixels equal a numpy MIP (np.nanmax) or plane of the
same stack, contrast-scaled as documented (v -> round(255 (v - lo) / (hi - lo)) clipped, lo and
hi the 0.1 and 99.9 percentiles of the pixels shown, or --range LO:HI), within one grey level;
for uint8, uint16 and float32 (with NaN), every axis, --z, the three-view's layout, C order,
NIfTI scaling, deflate TIFF and plane series inputs; the three-view's aspect follows the voxel size (box resampling checked against a
resampling written here as matrices); the image does not depend on threads or chunking."""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from pngread import read as png_read  # noqa: E402
from zstest import fail, finish, run, workdir, zs  # noqa: E402

GAP = 2


def proj(a, view):
    """The image zslab shows: rows top to bottom, columns left to right."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rays
        if view == "z":
            return np.nanmax(a, axis=2).T  # y down, x right
        if view == "y":
            return np.nanmax(a, axis=1).T  # z down, x right
        if view == "x":
            return np.nanmax(a, axis=0)  # y down, z right
    raise ValueError(view)


def percentiles(imgs, lo=0.1, hi=99.9):
    pooled = np.concatenate([np.asarray(i, dtype=np.float64).ravel() for i in imgs])
    pooled = pooled[~np.isnan(pooled)]
    return np.percentile(pooled, [lo, hi])


def grey(img, lo, hi):
    with np.errstate(invalid="ignore"):
        t = 255.0 * (np.asarray(img, dtype=np.float64) - lo) / (hi - lo)
    t = np.where(np.isnan(t), 0, t)
    return np.clip(np.floor(t + 0.5), 0, 255)


def box_matrix(n, m):
    """Weights of box (area) resampling n samples to m: row i covers [i n/m, (i+1) n/m)."""
    s = n / m
    w = np.zeros((m, n))
    for i in range(m):
        a, b = i * s, (i + 1) * s
        for j in range(int(np.floor(a)), min(n, int(np.ceil(b)))):
            w[i, j] = max(0.0, min(b, j + 1) - max(a, j))
    return w / w.sum(axis=1, keepdims=True)


def resample(img, w, h):
    return box_matrix(img.shape[0], h) @ np.asarray(img, dtype=np.float64) @ box_matrix(img.shape[1], w).T


def compare(name, got, want):
    if got.shape != want.shape:
        fail(f"{name}: image {got.shape}, numpy {want.shape}")
        return
    d = np.abs(got.astype(np.int64) - want.astype(np.int64))
    if d.max() > 1:
        y, x = np.unravel_index(np.argmax(d), d.shape)
        fail(f"{name}: pixel (row {y}, col {x}) is {got[y, x]}, numpy says {want[y, x]} ({(d > 1).sum()} pixels off)")


def preview(d, src, *args):
    out = os.path.join(d, "p.png")
    run("preview", src, out, "--force", "--quiet", *args)
    return png_read(out)


def stacks(rng):
    nx, ny, nz = 37, 23, 11  # all different: a transposed axis cannot pass
    x, y, z = np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz), indexing="ij")
    smooth = np.sin(x / 5.0) + np.cos(y / 4.0) + z / 10.0
    u8 = (rng.integers(0, 120, (nx, ny, nz)) + 40 * (smooth + 2)).clip(0, 255).astype(np.uint8)
    u16 = (rng.integers(0, 4000, (nx, ny, nz)) + 9000 * (smooth + 2)).clip(0, 65535).astype(np.uint16)
    f32 = (rng.normal(0, 30, (nx, ny, nz)) + 100 * smooth).astype(np.float32)
    f32[3, 4, 5] = np.nan
    f32[5, 7, :] = np.nan  # an all-NaN ray along z: pixel 0
    f32[:, 2, 3] = np.nan  # an all-NaN ray along x
    return {"uint8": u8, "uint16": u16, "float32": f32}


def check_views(d, name, src, a, extra=()):
    for axis in "zyx":
        want = proj(a, axis)
        lo, hi = percentiles([want])
        compare(f"{name} MIP along {axis}", preview(d, src, "--axis", axis, *extra), grey(want, lo, hi))
    plane = np.asarray(a[:, :, 4], dtype=np.float64).T
    lo, hi = percentiles([plane])
    compare(f"{name} --z 4", preview(d, src, "--z", "4", *extra), grey(plane, lo, hi))
    # the three-view, isotropic voxels: xy | zy over xz, one range for all three
    xy, xz, zy = proj(a, "z"), proj(a, "y"), proj(a, "x")
    lo, hi = percentiles([xy, xz, zy])
    got = preview(d, src, "--three-view", *extra)
    nx, ny, nz = a.shape
    if got.shape != (ny + GAP + nz, nx + GAP + nz):
        fail(f"{name} three-view: {got.shape[1]} x {got.shape[0]} pixels, want {nx + GAP + nz} x {ny + GAP + nz}")
        return
    compare(f"{name} three-view xy", got[:ny, :nx], grey(xy, lo, hi))
    compare(f"{name} three-view zy", got[:ny, nx + GAP:], grey(zy, lo, hi))
    compare(f"{name} three-view xz", got[ny + GAP:, :nx], grey(xz, lo, hi))
    if got[ny:ny + GAP].any() or got[:, nx:nx + GAP].any() or got[ny + GAP:, nx + GAP:].any():
        fail(f"{name} three-view: the gaps or the bottom-right square are not black")


def check_dtypes(d, rng):
    for name, a in stacks(rng).items():
        src = os.path.join(d, f"{name}.npy")
        np.save(src, np.asfortranarray(a))
        check_views(d, name, src, a)
        # an explicit range: round(255 (v - LO) / (HI - LO)), clipped
        lo, hi = float(np.nanmin(a)) + 5, float(np.nanmax(a)) - 7
        compare(f"{name} --range", preview(d, src, "--range", f"{lo}:{hi}"), grey(proj(a, "z"), lo, hi))
        pl, ph = 5, 90
        want = proj(a, "y")
        lo, hi = percentiles([want], pl, ph)
        compare(f"{name} --range auto:{pl}:{ph}", preview(d, src, "--axis", "y", "--range", f"auto:{pl}:{ph}"),
                grey(want, lo, hi))
    # C order (numpy's default layout), read by gathering
    a = stacks(rng)["uint16"]
    src = os.path.join(d, "corder.npy")
    np.save(src, np.ascontiguousarray(a))
    check_views(d, "C-order uint16", src, a)


def check_nifti(d, rng):
    """Voxel size 0.5 x 0.5 x 2 and scaling (slope 2, intercept 10): the three-view's panels have
    the stack's physical aspect, resampled by box averaging, in the scaled values."""
    import nibabel as nib

    nx, ny, nz = 40, 30, 10
    raw = rng.integers(0, 3000, (nx, ny, nz)).astype(np.int16)
    img = nib.Nifti1Image(raw, np.diag([0.5, 0.5, 2.0, 1.0]))
    img.header.set_zooms((0.5, 0.5, 2.0))
    img.header.set_slope_inter(2.0, 10.0)
    src = os.path.join(d, "aniso.nii")
    nib.save(img, src)
    a = raw.astype(np.float64) * 2.0 + 10.0
    xy, xz, zy = proj(a, "z"), proj(a, "y"), proj(a, "x")
    lo, hi = percentiles([xy, xz, zy])
    # default size: one pixel per 0.5: x 40, y 30, z 10 planes of 2 = 40 pixels
    got = preview(d, src, "--three-view")
    wx, hy, dz = 40, 30, 40
    if got.shape != (hy + GAP + dz, wx + GAP + dz):
        fail(f"NIfTI three-view: {got.shape[1]} x {got.shape[0]}, want {wx + GAP + dz} x {hy + GAP + dz}")
    else:
        compare("NIfTI xy", got[:hy, :wx], grey(resample(xy, wx, hy), lo, hi))
        compare("NIfTI zy (z stretched 4x)", got[:hy, wx + GAP:], grey(resample(zy, dz, hy), lo, hi))
        compare("NIfTI xz (z stretched 4x)", got[hy + GAP:, :wx], grey(resample(xz, wx, dz), lo, hi))
    # --size 200: the long side is 200 pixels and the panels keep the physical aspect
    got = preview(d, src, "--three-view", "--size", "200")
    X, Y, Z = nx * 0.5, ny * 0.5, nz * 2.0
    if max(got.shape) != 200:
        fail(f"NIfTI --size 200: {got.shape[1]} x {got.shape[0]}")
    a_ = 200 - GAP
    wx, dz = round(a_ * X / (X + Z)), a_ - round(a_ * X / (X + Z))
    hy = round(Y / ((X + Z) / a_))
    if got.shape != (hy + GAP + dz, wx + GAP + dz):
        fail(f"NIfTI --size 200: {got.shape[1]} x {got.shape[0]}, want {wx + GAP + dz} x {hy + GAP + dz}")
    else:
        for nm, g, p, w, h in (("xy", got[:hy, :wx], xy, wx, hy), ("zy", got[:hy, wx + GAP:], zy, dz, hy),
                               ("xz", got[hy + GAP:, :wx], xz, wx, dz)):
            compare(f"NIfTI --size 200 {nm}", g, grey(resample(p, w, h), lo, hi))
            if abs(w / h - {"xy": X / Y, "zy": Z / Y, "xz": X / Z}[nm]) > 0.05 * max(w / h, 1):
                fail(f"NIfTI --size 200 {nm}: aspect {w}/{h}, physical {X}, {Y}, {Z}")
    # a single view: --size is the long side, the other follows the physical aspect (x 20, z 20)
    got = preview(d, src, "--axis", "y", "--size", "64")
    want = proj(a, "y")
    lo, hi = percentiles([want])
    compare("NIfTI MIP along y --size 64", got, grey(resample(want, 64, 64), lo, hi))


def check_invariance(d):
    """Threads and chunking (a small budget: many mappings) do not change a byte."""
    src = os.path.join(d, "inv.npy")
    run("create", src, "--shape", "256x256x200", "--dtype", "uint16", "--pattern", "phantom", "--seed", "4")
    ref = preview(d, src, "--three-view", "--threads", "1")
    for args in (("--threads", "2"), ("--threads", "3", "--mem-budget", "19M"), ("--mem-budget", "20M")):
        got = preview(d, src, "--three-view", *args)
        if got.shape != ref.shape or (got != ref).any():
            fail(f"three-view with {' '.join(args)} differs from --threads 1")
    # formats read through their own plane decoders: a deflate TIFF and a plane series
    tif, series = os.path.join(d, "inv.tif"), os.path.join(d, "inv_planes") + "/"
    run("convert", src, tif, "--compress", "deflate", "-q")
    run("convert", src, series, "-q")
    for other in (tif, series):
        got = preview(d, other, "--three-view", "--mem-budget", "20M")
        if got.shape != ref.shape or (got != ref).any():
            fail(f"three-view of {other} differs from the .npy's")
    a = np.load(src)
    want = proj(a, "z")
    lo, hi = percentiles([want])
    compare("phantom MIP, 19M budget", preview(d, src, "--mem-budget", "19M"), grey(want, lo, hi))


def check_errors(d):
    src = os.path.join(d, "uint8.npy")
    for args, code, words in ((("--z", "11"), 2, "outside"), (("--z", "1", "--axis", "x"), 2, "--axis"),
                              (("--view", "plane"), 2, "--z"), (("--range", "5:5"), 2, "LO < HI"),
                              (("--mem-budget", "16M"), 2, "too small"), (("--cmap", "jet"), 2, "jet"),
                              (("--three-view", "--size", "4"), 2, "at least")):
        p = zs("preview", src, os.path.join(d, "e.png"), *args)
        if p.returncode != code or words not in p.stderr:
            fail(f"preview {' '.join(args)}: exit {p.returncode}, stderr {p.stderr.strip()!r}")
    p = zs("preview", os.path.join(d, "missing.npy"), os.path.join(d, "e.png"))
    if p.returncode != 1 or "missing.npy" not in p.stderr:
        fail(f"preview of a missing file: exit {p.returncode}, {p.stderr.strip()!r}")
    out = os.path.join(d, "exists.png")
    open(out, "w").close()
    p = zs("preview", src, out)
    if p.returncode != 1 or "--force" not in p.stderr or os.path.getsize(out) != 0:
        fail(f"preview over an existing file without --force: exit {p.returncode}")
    if os.path.exists(os.path.join(d, "e.png")):
        fail("a failed preview left e.png")
    # a colour map: RGB, the grey level spread as documented (hot: red, then green, then blue)
    run("preview", src, out, "--force", "--cmap", "hot", "-q")
    rgb, g = png_read(out), preview(d, src)
    want = np.stack([np.clip(3 * g.astype(int) - 255 * k, 0, 255) for k in range(3)], axis=-1)
    compare("hot colour map", rgb.reshape(-1, 3), want.reshape(-1, 3))


def main():
    seed = int(os.environ.get("ZS_SEED", "14"))
    print(f"seed {seed}")
    rng = np.random.default_rng(seed)
    d = workdir("preview")
    check_dtypes(d, rng)
    check_nifti(d, rng)
    check_invariance(d)
    check_errors(d)
    finish("preview: pixels as numpy's MIPs and planes, three-view layout and aspect, invariance, errors", d)


if __name__ == "__main__":
    main()
