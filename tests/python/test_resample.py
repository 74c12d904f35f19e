# SPDX-License-Identifier: BSD-3-Clause
"""zslab resample against scipy.ndimage.zoom(order=0|1, mode='nearest', grid_mode=True): shrinking and
growing factors, odd shapes, per-axis factors, uint8 / uint16 / float32 in C and F order, slab heights
1, 3 and the planner's, threads 1 and 2; nearest exact on a uint32 label volume above 2^24; area
against the block mean (dividing factors) and an independent reference (each voxel repeated n_out
times, then the block mean of n_in: the overlap-weighted mean); antialias against skimage's resize
when skimage is installed; --op before resampling; a Zarr output; the voxel size in `zslab info` and
nibabel's affine; a cell table carried to the grid (--like) and counted (--density, against
numpy.histogramdd); peak RSS within --mem-budget; the refusals (exit 1 naming the parameter, nothing written). Prints its seed."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import scipy.ndimage as ndi

sys.path.insert(0, os.path.dirname(__file__))
import zstest  # noqa: E402
from zstest import converted, fail, zs  # noqa: E402

SEED = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 24
RUNS = [0]


def resample(src, out, *args):
    """zslab resample src out args; the output as numpy reads it, or None after fail()."""
    RUNS[0] += 1
    r = zs("resample", src, out, "--force", "-q", *args)
    if r.returncode:
        fail(f"resample {os.path.basename(src)} {' '.join(map(str, args))}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return np.load(out) if out.endswith(".npy") else zstest.converted(out, out + ".npy", out)


def factors(f):
    v = [float(x) for x in f.split("x")]
    return v * 3 if len(v) == 1 else v


def compare(what, got, ref, exact):
    """Exact: equal. Else floats within float32 rounding of the range; integers equal to scipy's
    float64 result rounded half to even, except at ties (scipy's own integer output rounds half up)."""
    if got is None:
        return
    if got.shape != ref.shape:
        fail(f"{what}: shape {got.shape}, scipy's {ref.shape}")
        return
    if exact:
        if got.dtype != ref.dtype or not np.array_equal(got, ref):
            fail(f"{what}: {int((got != ref).sum())} voxels differ from scipy's (exact)")
        return
    if np.issubdtype(got.dtype, np.integer):
        info = np.iinfo(got.dtype)
        want = np.clip(np.rint(ref), info.min, info.max)
        tie = np.abs(ref - np.floor(ref) - 0.5) < 1e-6
        bad = (got != want) & ~(tie & (np.abs(got - want) <= 1))
        if bad.any():
            fail(f"{what}: {int(bad.sum())} voxels differ from scipy's rounded result")
        return
    span = float(ref.max() - ref.min()) or 1.0
    err = float(np.abs(got.astype(np.float64) - ref).max())
    if err > 2e-7 * span + 1e-30:
        fail(f"{what}: max error {err:g} (range {span:g})")


def inputs(rng):
    """(name, array): odd shapes, three dtypes, C and F order."""
    f = rng.random((23, 17, 13)).astype(np.float32)
    u16 = (rng.random((20, 15, 11)) * 65535).astype(np.uint16)
    u8 = (rng.random((9, 14, 19)) * 255).astype(np.uint8)
    return [("f32-C", np.ascontiguousarray(f)), ("f32-F", np.asfortranarray(f)),
            ("u16-F", np.asfortranarray(u16)), ("u8-C", np.ascontiguousarray(u8))]


def sweep(w, rng):
    """linear and nearest over factors, slab heights and threads."""
    runs = [("1", "1"), ("3", "2"), ("0", "2")]  # (slab, threads); 0: the planner's
    for name, a in inputs(rng):
        src = os.path.join(w, f"{name}.npy")
        np.save(src, a)
        for f in ("0.5", "2.3", "0.4x1.7x0.75"):
            for order, method in ((1, "linear"), (0, "nearest")):
                ref = ndi.zoom(a.astype(np.float64) if order else a, factors(f), order=order, mode="nearest",
                               grid_mode=True)
                for slab, threads in runs:
                    got = resample(src, os.path.join(w, "o.npy"), "--factor", f, "--method", method, "--slab", slab,
                                   "--threads", threads)
                    compare(f"{name} {method} factor {f} slab {slab} threads {threads}", got, ref, order == 0)


def labels(w, rng):
    """nearest on uint32 labels above 2^24 (a float32 would round them): exact, growing and shrinking."""
    a = rng.integers(2**24 + 1, 2**32 - 1, size=(15, 12, 10), dtype=np.uint32)
    a[::2] = 2**24 + 1  # odd neighbours of a value a float32 cannot hold
    src = os.path.join(w, "labels.npy")
    np.save(src, np.asfortranarray(a))
    for f in ("0.45", "2.2x1.5x3"):
        for slab in ("1", "3", "0"):
            got = resample(src, os.path.join(w, "o.npy"), "--factor", f, "--method", "nearest", "--slab", slab)
            compare(f"uint32 labels factor {f} slab {slab}", got,
                    ndi.zoom(a, factors(f), order=0, mode="nearest", grid_mode=True), True)


def area_reference(a, shape):
    """Each voxel repeated n_out times along each axis, then the mean of blocks of n_in: the
    overlap-weighted mean over each output voxel's footprint, without overlaps computed."""
    r = a.astype(np.float64)
    for ax, m in enumerate(shape):
        n = r.shape[ax]
        r = np.repeat(r, m, axis=ax)
        r = np.moveaxis(r, ax, 0).reshape((m, n) + tuple(np.delete(r.shape, ax))).mean(axis=1)
        r = np.moveaxis(r, 0, ax)
    return r


def area(w, rng):
    a = rng.random((24, 18, 20)).astype(np.float32)
    src = os.path.join(w, "area.npy")
    np.save(src, a)
    block = a.astype(np.float64).reshape(12, 2, 6, 3, 5, 4).mean(axis=(1, 3, 5))
    for slab in ("1", "3", "0"):
        got = resample(src, os.path.join(w, "o.npy"), "--shape", "12x6x5", "--slab", slab)  # area: the default
        compare(f"area block mean slab {slab}", got, block, False)
    for shape in ((7, 5, 9), (13, 17, 3)):
        ref = area_reference(a, shape)
        for slab in ("1", "3"):
            got = resample(src, os.path.join(w, "o.npy"), "--shape", "x".join(map(str, shape)), "--method", "area",
                           "--slab", slab, "--threads", "2")
            compare(f"area {shape} slab {slab}", got, ref, False)


def antialias(w, rng):
    try:
        from skimage.transform import resize
    except ImportError:
        print("antialias: skimage is not installed (python3-skimage): not checked")
        return
    a = ndi.gaussian_filter(rng.random((30, 26, 22)), 1.0).astype(np.float32)
    src = os.path.join(w, "aa.npy")
    np.save(src, a)
    for shape in ((10, 13, 7), (15, 26, 5)):
        ref = resize(a.astype(np.float64), shape, order=1, anti_aliasing=True, preserve_range=True)
        got = resample(src, os.path.join(w, "o.npy"), "--shape", "x".join(map(str, shape)), "--method", "antialias",
                       "--slab", "3")
        if got is not None and (got.shape != ref.shape or np.abs(got - ref).max() > 1e-3 * float(np.ptp(a))):
            fail(f"antialias {shape}: differs from skimage's resize by more than 1e-3 of the range")


def with_ops(w, rng):
    """--op runs before resampling, in the same pass."""
    a = rng.random((21, 16, 14)).astype(np.float32)
    src = os.path.join(w, "ops.npy")
    np.save(src, a)
    ref = ndi.zoom(ndi.gaussian_filter(a.astype(np.float64), 1.5), 0.6, order=1, mode="nearest", grid_mode=True)
    got = resample(src, os.path.join(w, "o.npy"), "--factor", "0.6", "--method", "linear", "--op",
                   "gaussian:sigma=1.5", "--slab", "3", "--precision", "float64")
    compare("gaussian then linear", got, ref, False)
    got = resample(src, os.path.join(w, "o.zarr"), "--factor", "0.6", "--method", "linear", "--slab", "1")
    compare("linear into a Zarr output", got,
            ndi.zoom(a.astype(np.float64), 0.6, order=1, mode="nearest", grid_mode=True), False)


def voxel_size(w):
    """The output's voxel size is the input's extent over its count; nibabel's affine agrees."""
    src, out = os.path.join(w, "v.nii"), os.path.join(w, "o.nii")
    r = zs("create", src, "--shape", "40x30x21", "--dtype", "uint16", "--pattern", "phantom", "--voxel-size",
           "0.5x0.5x2um", "--force")
    if r.returncode:
        fail(f"create: {r.stderr.strip()}")
        return
    RUNS[0] += 1
    r = zs("resample", src, out, "--voxel-size", "3um", "-q")
    if r.returncode:
        fail(f"--voxel-size 3um: exit {r.returncode}: {r.stderr.strip()}")
        return
    want = [40 * 0.5 / 7, 30 * 0.5 / 5, 21 * 2 / 14]  # round(40 / 6) = 7, round(5) = 5, round(14) = 14
    info = json.loads(zs("info", "--json", out).stdout)
    if info["shape"][:3] != [7, 5, 14] or not np.allclose(info["voxel_size"], want, rtol=1e-6) \
            or info["unit"] != "um":
        fail(f"info: shape {info['shape']}, voxel size {info['voxel_size']} {info['unit']}, want {want} um")
    try:
        import nibabel
    except ImportError:
        print("nibabel is not installed: the affine is not checked")
        return
    img = nibabel.load(out)
    if not np.allclose(np.diag(img.affine)[:3], want, rtol=1e-6) or img.header.get_xyzt_units()[0] != "micron":
        fail(f"nibabel: affine diagonal {np.diag(img.affine)[:3]}, units {img.header.get_xyzt_units()}")
    RUNS[0] += 1
    r = zs("resample", src, out, "--voxel-size", "0.004x0.004x0.006mm", "--force", "-q")
    info = json.loads(zs("info", "--json", out).stdout)
    if r.returncode or info["shape"][:3] != [5, 4, 7]:
        fail(f"--voxel-size in mm: exit {r.returncode}, shape {info['shape']} (want 5x4x7)")


def cells(w, rng):
    """A cell table's positions in the resampled grid (--like), counted per voxel (--density) as
    numpy.histogramdd with the output voxels' edges; a table of another volume is refused."""
    like, table, out, dens = (os.path.join(w, n) for n in ("like.nii", "cells.csv", "cells-out.csv", "dens.nii"))
    zs("create", like, "--shape", "40x30x21", "--dtype", "uint8", "--voxel-size", "0.5x0.5x2um", "--force")
    nin, n = np.array([40, 30, 21]), 400
    p = rng.uniform(-0.5, 1, (n, 3)) * nin
    p = np.clip(p, -0.5, nin - 0.5)
    p[0], p[1] = -0.5, nin - 0.5  # the extent's corners belong to the first and last voxels
    with open(table, "w") as f:
        f.write("label,centroid_x,centroid_y,centroid_z,mean\n")
        f.writelines(f"{i + 1},{x!r},{y!r},{z!r},{i / 4}\n" for i, (x, y, z) in enumerate(p))
    RUNS[0] += 1
    r = zs("resample", table, out, "--like", like, "--voxel-size", "3um", "--density", dens, "--force", "-q")
    if r.returncode:
        fail(f"cells: exit {r.returncode}: {r.stderr.strip()}")
        return
    shape = np.array([7, 5, 14])
    got = np.genfromtxt(out, delimiter=",", names=True)
    q = np.stack([got["centroid_x"], got["centroid_y"], got["centroid_z"]], 1)
    if np.abs(q - ((p + 0.5) * shape / nin - 0.5)).max() > 1e-6 or not np.array_equal(got["mean"], np.arange(n) / 4):
        fail("cells: positions differ from (p + 0.5) n_out / n_in - 0.5, or the other columns changed")
    ref, _ = np.histogramdd(p, bins=[np.arange(m + 1) * (k / m) - 0.5 for m, k in zip(shape, nin)])
    d = converted(dens, dens + ".npy", "density")
    if d is not None and (d.shape != ref.shape or not np.array_equal(d, ref)):
        fail(f"density: differs from numpy.histogramdd ({int(np.abs(d - ref).sum())} counts)")
    small = os.path.join(w, "small.nii")
    zs("create", small, "--shape", "20x30x21", "--dtype", "uint8", "--voxel-size", "0.5x0.5x2um", "--force")
    os.remove(out), os.remove(dens)
    r = zs("resample", table, out, "--like", small, "--voxel-size", "3um", "--density", dens)
    if r.returncode != 1 or "outside its extent" not in r.stderr or any(map(os.path.exists, (out, dens))):
        fail(f"cells of another volume: exit {r.returncode}, stderr {r.stderr.strip()!r}, or output written")
    r = zs("resample", table, out, "--voxel-size", "3um")
    if r.returncode != 2 or "--like" not in r.stderr:
        fail(f"cells without --like: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    # --dry-run writes nothing, even with --force over an existing OUT
    with open(out, "w") as f:
        f.write("kept\n")
    r = zs("resample", table, out, "--like", like, "--voxel-size", "3um", "--density", dens, "--dry-run", "--force")
    with open(out) as f:
        kept = f.read() == "kept\n"
    if r.returncode or not kept or os.path.exists(dens) or "400 positions" not in r.stdout:
        fail(f"cells --dry-run: exit {r.returncode}, OUT {'kept' if kept else 'overwritten'}, density "
             f"{'written' if os.path.exists(dens) else 'absent'}, stdout {r.stdout.strip()!r}")
    # OUT.partial planted as a link: refused, and the link's target untouched
    os.remove(out)
    victim = os.path.join(w, "victim.txt")
    with open(victim, "w") as f:
        f.write("victim\n")
    os.symlink(victim, out + ".partial")
    r = zs("resample", table, out, "--like", like, "--voxel-size", "3um")
    with open(victim) as f:
        intact = f.read() == "victim\n"
    if r.returncode != 1 or "symbolic link" not in r.stderr or not intact or os.path.exists(out):
        fail(f"cells over a linked OUT.partial: exit {r.returncode}, stderr {r.stderr.strip()!r}, victim "
             f"{'intact' if intact else 'overwritten'}")
    if os.path.lexists(out + ".partial"):
        os.remove(out + ".partial")
    # a row that is not a number is named by its line in the file, blank lines counted
    bad = os.path.join(w, "bad.csv")
    with open(bad, "w") as f:
        f.write("x,y,z\n\n1,2,3\n\n\n4,five,6\n")
    r = zs("resample", bad, out, "--like", like, "--voxel-size", "3um")
    if r.returncode != 1 or "line 6: column y is not a number" not in r.stderr:
        fail(f"a bad row: exit {r.returncode}, stderr {r.stderr.strip()!r} (want line 6, column y)")


# Runs argv[1:] and prints its peak RSS in KiB: from a small interpreter, since a child's peak counts
# what the process that forked it held (this script's arrays) until it execs.
PEAK = "import os, sys; p = os.fork() or os.execv(sys.argv[1], sys.argv[1:]); " \
       "_, st, ru = os.wait4(p, 0); print(os.waitstatus_to_exitcode(st), ru.ru_maxrss)"


def memory(w):
    """Peak RSS within --mem-budget on 1024x1024 planes (4 MiB of float32 work each)."""
    src, out = os.path.join(w, "m.nii"), os.path.join(w, "m-out.nii")
    zs("create", src, "--shape", "1024x1024x64", "--dtype", "uint16", "--pattern", "phantom", "--voxel-size",
       "0.5x0.5x2um", "--force")
    for method in ("area", "linear"):  # the planner may run fewer workers to keep within the budget
        RUNS[0] += 1
        r = subprocess.run([sys.executable, "-c", PEAK, zstest.ZSLAB, "resample", src, out, "--voxel-size", "7um",
                            "--method", method, "--mem-budget", "64M", "--force", "-q"], capture_output=True, text=True)
        code, kib = (int(v) for v in r.stdout.split()) if r.stdout else (r.returncode, 0)
        if code or kib > 64 * 1024:
            fail(f"{method} under --mem-budget 64M: exit {code}, peak RSS {kib / 1024:.0f} MiB")
    # workers given: when not even one plane each fits beside the plan, slabs of one plane (the least)
    r = zs("resample", src, out, "--voxel-size", "7um", "--mem-budget", "64M", "--threads", "2", "--dry-run")
    m = re.search(r"slabs: +\d+ of (\d+) plane", r.stdout)
    if r.returncode or not m or m.group(1) != "1":
        fail(f"--threads 2 --mem-budget 64M: the plan's slabs are not of one plane: {r.stdout.strip()[-300:]!r}")


def bad_input(w):
    """Refusals before anything is written: exit 1 naming the parameter (2: usage)."""
    src, out = os.path.join(w, "bad.npy"), os.path.join(w, "bad-out.npy")
    np.save(src, np.zeros((8, 8, 8), np.float32))  # a .npy has no voxel size
    cases = [(["--factor", "2", "--method", "area"], 1, "area"),
             (["--voxel-size", "0.5x0.5x0.5", "--method", "area"], 1, "finer than the input"),
             (["--voxel-size", "0"], 1, "voxel size 0"),
             (["--voxel-size", "-2x1x1"], 1, "voxel size -2"),
             (["--voxel-size", "25um"], 1, "no voxel size"),
             (["--shape", "0x4x4"], 1, "shape 0"),
             (["--shape", "4x-4x4"], 1, "shape -4"),
             (["--factor", "0.01"], 1, "factor"),
             (["--factor", "-1"], 1, "factor -1"),
             (["--factor", "0.5", "--shape", "4x4x4"], 2, "only one"),
             ([], 2, "--voxel-size"),
             (["--factor", "0.5", "--method", "cubic"], 2, "--method"),
             (["--factor", "0.5", "--part", "1/2"], 1, "--part"),
             (["--shape", "16x4x4", "--method", "antialias"], 1, "antialias only shrinks"),
             # upsampling in z to large planes: the seams' partial planes alone pass the budget
             (["--factor", "160x160x8", "--mem-budget", "96M", "--threads", "2"], 2, "memory budget")]
    for args, code, text in cases:
        r = zs("resample", src, out, *args)
        if r.returncode != code or text not in r.stderr:
            fail(f"{' '.join(args)}: exit {r.returncode} (want {code}), stderr {r.stderr.strip()!r}")
        if os.path.exists(out) or os.path.exists(out + ".partial"):
            fail(f"{' '.join(args)}: left {out} or its .partial behind")


def main():
    print(f"seed {SEED}")
    rng = np.random.default_rng(SEED)
    w = zstest.workdir("resample")
    sweep(w, rng)
    labels(w, rng)
    area(w, rng)
    antialias(w, rng)
    with_ops(w, rng)
    voxel_size(w)
    cells(w, rng)
    if not os.environ.get("ZS_SANITIZED"):  # the sanitizers' shadow memory is not the tool's
        memory(w)
    bad_input(w)
    zstest.finish(f"resample: {RUNS[0]} runs equal scipy.ndimage.zoom (linear, nearest; slab heights 1, 3, the "
                  "planner's; threads 1 and 2), the block mean and the overlap reference (area); voxel sizes; "
                  "cells and their density; refusals", w)


main()
