# SPDX-License-Identifier: BSD-3-Clause
"""zslab label against scipy.ndimage.label: labels byte-equal (numbering included) for random
binary volumes of several densities (one near the 3-D site percolation threshold 0.3116, so that a
component spans every slab) and blob volumes, in C and F order, uint8 / uint16 / float32 with
--threshold, connectivity 6, 18 and 26, slab heights 1, 2, 3, 7 and the planner's, threads 1 and 2;
TIFF (numbered in its (z, y, x) order) and Zarr inputs; other output formats read back by their
readers; the table (--table CSV and .npy, --intensity, the _um columns) against scipy's sum_labels,
mean, minimum, maximum, center_of_mass and find_objects; --min-size / --max-size; bad input. Prints its
seed; --seed N repeats a run."""
import os
import subprocess
import sys

import numpy as np
import scipy.ndimage as ndi

sys.path.insert(0, os.path.dirname(__file__))
import zstest  # noqa: E402
from zstest import fail, zs  # noqa: E402

SEED = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 22
STRUCT = {6: 1, 18: 2, 26: 3}
SHAPE = (40, 33, 29)


def structure(conn):
    return ndi.generate_binary_structure(3, STRUCT[conn])


def label(src, out, *args):
    """zslab label src out args; the labels as numpy reads them, or None after fail()."""
    r = zs("label", src, out, "--force", "-q", *args)
    if r.returncode:
        fail(f"label {src} {' '.join(map(str, args))}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return np.load(out)


def volumes(rng):
    """(name, array, threshold or None): random binaries and blobs, C and F order, several dtypes."""
    vols = []
    for d in (0.05, 0.3116, 0.6):
        a = (rng.random(SHAPE) < d).astype(np.uint8)
        vols.append((f"random{d}", a, None))
    blobs = ndi.gaussian_filter(rng.random(SHAPE), 2.0)
    blobs = ((blobs - blobs.min()) / (blobs.max() - blobs.min())).astype(np.float32)
    vols.append(("blob-f32", blobs, 0.55))
    vols.append(("blob-u16", (blobs * 60000).astype(np.uint16), 30000))
    near = rng.random(SHAPE).astype(np.float32)
    near[0, 0, :3] = np.nan  # NaN > T is false, as in numpy
    vols.append(("random-f32", near, 0.6884))
    out = []
    for name, a, t in vols:
        out.append((name + "-C", np.ascontiguousarray(a), t))
        out.append((name + "-F", np.asfortranarray(a), t))
    return out


def check_equal(what, got, ref):
    if got is None:
        return
    if got.shape != ref.shape or not np.array_equal(got, ref):
        bad = int((got != ref).sum()) if got.shape == ref.shape else -1
        fail(f"{what}: labels differ from scipy's ({bad} voxels; {got.max()} labels, scipy {ref.max()})")
    elif got.dtype != np.uint32:
        fail(f"{what}: dtype {got.dtype}, expected uint32")


def sweep(w, rng):
    """Every volume x connectivity x slab height, threads 1 and 2 alternating."""
    src, out = os.path.join(w, "in.npy"), os.path.join(w, "out.npy")
    runs = 0
    for name, a, t in volumes(rng):
        np.save(src, a)
        fg = a > t if t is not None else a != 0
        thr = ["--threshold", repr(float(t))] if t is not None else []
        for conn in (6, 18, 26):
            ref, _ = ndi.label(fg, structure(conn))
            for i, slab in enumerate((1, 2, 3, 7, 0)):
                args = ["--connectivity", conn, "--threads", 1 + (i + conn) % 2] + thr
                if slab:
                    args += ["--slab-height", slab]
                check_equal(f"{name} conn {conn} slab {slab or 'planner'}", label(src, out, *args), ref)
                runs += 1
    return runs


def zyx_inputs(w, rng):
    """TIFF gives a (z, y, x) array, scipy numbers in that order; a Zarr array without NGFF axes
    is (x, y, z) to zslab (dimension k is axis k), as a .npy."""
    import tifffile
    import zarr
    a = (rng.random((17, 21, 23)) < 0.3116).astype(np.uint8)
    tif, zar, out = os.path.join(w, "in.tif"), os.path.join(w, "in.zarr"), os.path.join(w, "out.npy")
    tifffile.imwrite(tif, a)
    z = zarr.open(zar, mode="w", shape=a.shape, chunks=(5, 21, 23), dtype=a.dtype)
    z[:] = a
    for conn in (6, 26):
        ref, _ = ndi.label(a, structure(conn))
        for src in (tif, zar):
            for slab in (1, 5):
                got = label(src, out, "--connectivity", conn, "--slab-height", slab)
                if got is not None:
                    got = got.transpose(2, 1, 0) if src == tif else got
                    check_equal(f"{os.path.basename(src)} conn {conn} slab {slab}", got, ref)


def read_zarr(p):
    import zarr
    z = zarr.open(p, mode="r")
    return (z["0"] if isinstance(z, zarr.hierarchy.Group) else z)[:]  # OME-Zarr: level 0


def read_h5(p):
    import h5py
    with h5py.File(p, "r") as f:
        name = []
        f.visititems(lambda n, o: name.append(n) if isinstance(o, h5py.Dataset) else None)
        return f[name[0]][:]


def with_ops(w, rng):
    """--op stages first: the threshold applies to what they compute (zslab filter's float32 output)."""
    src, g, out = os.path.join(w, "ops.npy"), os.path.join(w, "ops-g.npy"), os.path.join(w, "ops-out.npy")
    np.save(src, (rng.random(SHAPE) * 1000).astype(np.uint16))
    zstest.run("filter", src, g, "--op", "gaussian:sigma=1.5", "--dtype", "float32", "--force", "-q")
    smooth = np.load(g)
    t = float(np.percentile(smooth, 70))
    for conn in (6, 26):
        ref, n = ndi.label(smooth > t, structure(conn))
        for slab in (1, 5):
            got = label(src, out, "--op", "gaussian:sigma=1.5", "--threshold", repr(t), "--connectivity", conn,
                        "--slab-height", slab)
            check_equal(f"--op gaussian conn {conn} slab {slab} ({n} objects)", got, ref)
            got = label(src, out, "--op", "gaussian:sigma=1.5", "--threshold", repr(t), "--connectivity", conn,
                        "--slab-height", slab, "--band", 7)  # each slab computed band by band, then labelled
            check_equal(f"--op gaussian conn {conn} slab {slab} --band 7 ({n} objects)", got, ref)


def bands_when_planes_do_not_fit(w, rng):
    """A pipeline whose rings of whole planes pass the budget is planned in bands (a slab at a time)
    instead of refused, and labels the same."""
    src, out = os.path.join(w, "wide.npy"), os.path.join(w, "wide-out.npy")
    np.save(src, np.asfortranarray((rng.random((1024, 256, 16)) * 1000).astype(np.uint16)))
    ops = ["--op", "gaussian:sigma=1", "--threshold", "500"]  # whole planes: 33.5 MiB for one worker
    whole = label(src, out, *ops)
    r = zs("label", src, out, *ops, "--mem-budget", "4M", "--dry-run")
    if r.returncode or "runs:       up to 1 slabs" not in r.stdout or "bands of 256 of 256" in r.stdout:
        fail(f"--mem-budget 4M: want a plan in bands with runs of one slab: exit {r.returncode}\n{r.stdout}{r.stderr}")
    got = label(src, out, *ops, "--mem-budget", "4M")
    if whole is not None:
        check_equal(f"whole planes do not fit 4M: bands ({int(whole.max())} objects)", got, whole)


def output_formats(w, rng):
    """Labels written as TIFF, NIfTI, Zarr and HDF5 read back by tifffile, nibabel, zarr, h5py."""
    import nibabel
    import tifffile
    a = (rng.random((19, 18, 16)) < 0.3).astype(np.uint8)
    src = os.path.join(w, "fmt.npy")
    np.save(src, a)
    ref, _ = ndi.label(a)
    readers = {"o.tif": tifffile.imread,
               "o.nii": lambda p: np.asarray(nibabel.load(p).dataobj),
               "o.zarr": read_zarr,
               "o.h5": read_h5}
    for name, read in readers.items():
        for dt in ("uint32", "uint64"):
            p = os.path.join(w, dt + name)
            r = zs("label", src, p, "--dtype", dt, "-q")
            if r.returncode:
                fail(f"label to {name} {dt}: exit {r.returncode}: {r.stderr.strip()}")
                continue
            got = read(p)
            if got.shape == ref.shape[::-1]:  # a (z, y, x) array: TIFF, OME-Zarr, a labelled HDF5 dataset
                got = got.transpose(2, 1, 0)
            if got.dtype != np.dtype(dt) or not np.array_equal(got, ref):
                fail(f"label to {name} {dt}: read back {got.dtype}, equal {np.array_equal(got, ref)}")


def scipy_table(lab, n, inten, zyx=False):
    """scipy's measurements of labels 1..n, in zslab's axes (x, y, z)."""
    idx = np.arange(1, n + 1)
    ax = (2, 1, 0) if zyx else (0, 1, 2)
    com = np.array(ndi.center_of_mass(np.ones(lab.shape), lab, idx)).reshape(n, 3)
    objs = ndi.find_objects(lab)
    t = {"label": idx, "voxels": np.bincount(lab.ravel(), minlength=n + 1)[1:]}
    for k, name in enumerate("xyz"):
        t[f"centroid_{name}"] = com[:, ax[k]]
        t[f"{name}_min"] = np.array([o[ax[k]].start for o in objs])
        t[f"{name}_max"] = np.array([o[ax[k]].stop - 1 for o in objs])
    v = inten.astype(np.float64)
    t["sum"], t["mean"] = ndi.sum_labels(v, lab, idx), ndi.mean(v, lab, idx)
    t["min"], t["max"] = ndi.minimum(v, lab, idx), ndi.maximum(v, lab, idx)
    return t


def check_table(what, path, ref):
    """The table at path (.csv or .npy) against scipy's: counts and boxes exact, the rest to 1e-9."""
    if path.endswith(".npy"):
        got = np.load(path)
        cols = {k: got[k] for k in got.dtype.names}
    else:
        import csv
        with open(path) as f:
            rows = list(csv.DictReader(f))
        cols = {k: np.array([float(r[k]) for r in rows]) for k in (rows[0] if rows else ref)}
    for k, want in ref.items():
        have = cols.get(k)
        if have is None or len(have) != len(want):
            fail(f"{what}: column {k} missing or of {None if have is None else len(have)} rows, want {len(want)}")
        elif k.endswith(("_min", "_max")) or k in ("label", "voxels", "min", "max"):
            if not np.array_equal(have, want):
                fail(f"{what}: column {k} differs from scipy's")
        elif not np.allclose(have, want, rtol=1e-9, atol=1e-9):
            fail(f"{what}: column {k} differs from scipy's by {np.abs(have - want).max()}")
    return cols


def tables(w, rng):
    """--table (CSV, .npy), --intensity, --min-size / --max-size, _um columns, a TIFF's axes."""
    blobs = ndi.gaussian_filter(rng.random(SHAPE), 1.5).astype(np.float32)
    other = rng.integers(0, 4000, SHAPE).astype(np.uint16)
    src, ints, out = os.path.join(w, "tb.npy"), os.path.join(w, "ti.npy"), os.path.join(w, "tout.npy")
    np.save(ints, other)
    for order in "CF":
        np.save(src, np.asfortranarray(blobs) if order == "F" else blobs)
        lab, n = ndi.label(blobs > 0.53, structure(26))
        for ext in (".csv", ".npy"):
            tab = os.path.join(w, "t" + ext)
            got = label(src, out, "--threshold", "0.53", "--connectivity", 26, "--slab-height", 4, "--table", tab)
            check_equal(f"table run {order}{ext}", got, lab)
            check_table(f"table {order}{ext}", tab, scipy_table(lab, n, blobs))
        tab = os.path.join(w, "ti.csv")
        label(src, out, "--threshold", "0.53", "--connectivity", 26, "--intensity", ints, "--table", tab)
        check_table(f"--intensity {order}", tab, scipy_table(lab, n, other))
        sizes = np.bincount(lab.ravel())[1:]
        lo, hi = int(np.percentile(sizes, 30)), int(np.percentile(sizes, 90))
        keep = np.flatnonzero((sizes >= lo) & (sizes <= hi)) + 1
        relab = np.zeros(n + 1, np.int64)
        relab[keep] = np.arange(1, len(keep) + 1)
        want = relab[lab]
        got = label(src, out, "--threshold", "0.53", "--connectivity", 26, "--min-size", lo, "--max-size", hi,
                    "--table", tab, "--slab-height", 2)
        check_equal(f"--min-size {lo} --max-size {hi} {order} ({len(keep)} of {n} kept)", got, want)
        check_table(f"--min-size/--max-size {order}", tab, scipy_table(want, len(keep), blobs))
    import nibabel
    import tifffile
    a = (blobs > 0.53).astype(np.uint8)
    nii = os.path.join(w, "t.nii")
    img = nibabel.Nifti1Image(a, np.diag([0.5, 0.25, 2.0, 1.0]))
    img.header.set_xyzt_units("mm")
    nibabel.save(img, nii)
    tab = os.path.join(w, "tu.csv")
    label(nii, out, "--table", tab)
    lab, n = ndi.label(a)
    cols = check_table("NIfTI", tab, scipy_table(lab, n, a))
    for k, name in enumerate("xyz"):
        um = cols.get(f"centroid_{name}_um")
        if um is None or not np.allclose(um, cols[f"centroid_{name}"] * [500.0, 250.0, 2000.0][k]):
            fail(f"NIfTI with voxel size 0.5x0.25x2 mm: centroid_{name}_um missing or wrong")
    empty = os.path.join(w, "empty.npy")
    np.save(empty, np.zeros((5, 6, 7), np.uint8))
    for ext in (".csv", ".npy"):
        t = os.path.join(w, "empty" + ext)
        got = label(empty, out, "--table", t)
        if got is None or not os.path.exists(t):
            fail(f"an empty foreground: no labels or no {ext} table")
            continue
        with open(t, "rb") as f:
            rows = len(np.load(t)) if ext == ".npy" else len(f.read().splitlines()) - 1
        if got.any() or rows != 0:
            fail(f"an empty foreground: labels or a {ext} table ({rows} rows) that are not empty")
    tif = os.path.join(w, "t.tif")
    tifffile.imwrite(tif, a)
    label(tif, out, "--table", tab, "--slab-height", 3)
    lab, n = ndi.label(a)
    check_table("TIFF (z, y, x)", tab, scipy_table(lab, n, a, zyx=True))


def bad_input(w):
    """Clear errors, exit 1 or 2, nothing left at OUT."""
    src, out = os.path.join(w, "bad.npy"), os.path.join(w, "bad-out.npy")
    np.save(src, np.ones((4, 5, 6), np.uint8))
    four = os.path.join(w, "four.npy")
    np.save(four, np.ones((4, 5, 6, 2), np.uint8))
    cases = [(["label", four, out], 1, "series of 2 volumes"),
             (["label", src, out, "--dtype", "uint8"], 2, "uint32 or uint64"),
             (["label", src, out, "--connectivity", "8"], 2, "6, 18 or 26"),
             (["label", src, out, "--threshold", "x"], 2, "--threshold"),
             (["label", src, out, "--min-size", "5", "--max-size", "2"], 2, "min_size <= max_size")]
    for args, code, text in cases:
        r = zs(*args)
        if r.returncode != code or text not in r.stderr:
            fail(f"{' '.join(map(str, args[3:]))}: exit {r.returncode} (want {code}), stderr {r.stderr.strip()!r}")
        if os.path.exists(out) or os.path.exists(out + ".partial"):
            fail(f"{' '.join(map(str, args[3:]))}: left {out} or its .partial behind")
    with open(out, "wb") as f:
        f.write(b"keep")
    r = zs("label", src, out)
    if r.returncode != 1 or "--force" not in r.stderr or open(out, "rb").read() != b"keep":
        fail(f"existing OUT without --force: exit {r.returncode}, stderr {r.stderr.strip()!r}")


def main():
    print(f"seed {SEED}")
    rng = np.random.default_rng(SEED)
    w = zstest.workdir("label")
    runs = sweep(w, rng)
    zyx_inputs(w, rng)
    output_formats(w, rng)
    with_ops(w, rng)
    bands_when_planes_do_not_fit(w, rng)
    tables(w, rng)
    bad_input(w)
    zstest.finish(f"label: {runs} runs equal scipy.ndimage.label (connectivity 6/18/26, slab heights 1, 2, 3, 7, "
                  f"the planner's; threads 1 and 2); TIFF/Zarr numbering, output formats, tables equal scipy's", w)


main()
