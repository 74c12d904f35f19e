# SPDX-License-Identifier: BSD-3-Clause
"""zslab detect against scipy: the cells equal the components of
label((f == maximum_filter(f, S, mode='nearest')) & (f > T), ones((3, 3, 3))) at their
center_of_mass, in the order of their first voxel (z, y, x), for slab heights 1, 3, 8 and the
planner's, threads 1 and 2, on stacks with cells and equal-valued plateaus across every slab seam;
with --op stages (white_tophat, exact in float32 as scipy computes it; gaussian through zslab
filter's float32 output); --min-size, --max-size, --min-intensity, --intensity; the .npy (ClearMap2's
field names), .xml (one Cell Counter marker a cell) and napari points tables; zslab preview --cells
marks every cell; recall and precision
on `zslab create --pattern cells` with docs/cells.md's pipeline; --part i/3 in a shuffled order and
a run killed with kill -9 then --resume give one run's table; bad parameters refused before the
volume is read. Prints its seed; --seed N repeats a run."""
import os
import sys
import xml.etree.ElementTree as ET

import numpy as np
import scipy.ndimage as ndi

sys.path.insert(0, os.path.dirname(__file__))
import zstest  # noqa: E402
from zstest import fail, zs  # noqa: E402

SEED = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 23
SHAPE = (26, 30, 34)  # z, y, x
PIPELINE = ["--op", "white_tophat:size=11", "--op", "dog:sigma1=1.5:sigma2=3", "--maxima", "size=5:threshold=50"]


def save_zyx(path, a):
    """a (z, y, x) as a .npy whose zslab axes are x, y, z (np.load gives (x, y, z))."""
    np.save(path, np.ascontiguousarray(a.transpose(2, 1, 0)))


def reference(f, size, t, inten):
    """scipy's cells of f (z, y, x): a structured-like dict of columns, in label order."""
    box = [size[2], size[1], size[0]]
    m = f == ndi.maximum_filter(f, box, mode="nearest")
    if t is not None:
        m &= f > f.dtype.type(t)
    lab, n = ndi.label(m, np.ones((3, 3, 3)))
    idx = np.arange(1, n + 1)
    com = np.array(ndi.center_of_mass(m, lab, idx)).reshape(-1, 3)
    return {"x": com[:, 2], "y": com[:, 1], "z": com[:, 0], "size": ndi.sum_labels(m, lab, idx),
            "value": ndi.maximum(f, lab, idx), "intensity": ndi.maximum(inten, lab, idx)}


def read_csv(path):
    t = np.genfromtxt(path, delimiter=",", names=True)
    return np.atleast_1d(t)


def compare(what, got, ref, keep=None):
    """got (the CSV) against ref's columns (rows `keep` of them)."""
    if keep is not None:
        ref = {k: v[keep] for k, v in ref.items()}
    n = len(ref["x"])
    if got is None or len(got) != n:
        fail(f"{what}: {None if got is None else len(got)} cells, scipy {n}")
        return
    for k in ("x", "y", "z"):
        if n and np.abs(got[k] - ref[k]).max() > 1e-9 * max(1.0, np.abs(ref[k]).max()):
            fail(f"{what}: {k} differs from center_of_mass by {np.abs(got[k] - ref[k]).max()}")
    for k in ("size", "value", "intensity"):
        if not np.array_equal(got[k], ref[k].astype(np.float64)):
            fail(f"{what}: column {k} differs from scipy's ({int((got[k] != ref[k]).sum())} cells)")


def detect(src, out, *args):
    r = zs("detect", src, out, "--force", "-q", *args)
    if r.returncode:
        fail(f"detect {src} {' '.join(map(str, args))}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return read_csv(out)


def stacks(rng):
    """(name, float32 (z, y, x)): blobs on every seam of slabs of 1, 3 and 8 planes, and rounded
    smooth noise (plateaus of equal values, many crossing seams)."""
    z, y, x = np.indices(SHAPE, dtype=np.float32)
    blobs = np.zeros(SHAPE, np.float32)
    for k, zc in enumerate((2.5, 3.0, 7.5, 8.0, 15.5, 16.0, 23.5)):  # on and beside seams
        yc, xc = 4 + (k * 7) % 22, 4 + (k * 11) % 26
        blobs += (100 + 10 * k) * np.exp(-((z - zc) ** 2 + (y - yc) ** 2 + (x - xc) ** 2) / 4.0)
    blobs[7:9, 20:23, 20:23] = 300.0  # a plateau across the seam of slabs of 8
    blobs[2:4, 10:12, 28:31] = 250.0  # and one of slabs of 1 and 3
    blobs = np.round(blobs + rng.random(SHAPE, dtype=np.float32) * 3)
    noisy = np.round(ndi.gaussian_filter(rng.random(SHAPE), 1.2) * 40).astype(np.float32)
    return [("blobs", blobs.astype(np.float32)), ("plateaus", noisy)]


def sweep(w, rng):
    src, out = os.path.join(w, "in.npy"), os.path.join(w, "cells.csv")
    runs = 0
    for name, a in stacks(rng):
        save_zyx(src, a)
        for size, t in (((3, 3, 3), None), ((5, 5, 5), float(np.percentile(a, 60))), ((2, 3, 4), 1.0)):
            ref = reference(a, size, t, a)
            spec = "size=%dx%dx%d" % size + ("" if t is None else f":threshold={t!r}")
            for i, slab in enumerate((1, 3, 8, 0)):
                for threads in (1, 2):
                    args = ["--maxima", spec, "--threads", threads] + (["--slab", slab] if slab else [])
                    compare(f"{name} {spec} slab {slab} threads {threads}", detect(src, out, *args), ref)
                    runs += 1
    return runs


def with_ops(w, rng):
    """f = white_tophat (scipy's, float32: exact), and f = zslab filter's gaussian output."""
    src, out, g = os.path.join(w, "ops.npy"), os.path.join(w, "ops.csv"), os.path.join(w, "ops-g.npy")
    a = np.round(ndi.gaussian_filter(rng.random(SHAPE), 1.5) * 1000).astype(np.float32)
    save_zyx(src, a)
    f = ndi.white_tophat(a, size=5)
    ref = reference(f, (3, 3, 3), 5.0, a)
    for slab in (1, 3, 8):
        compare(f"--op white_tophat slab {slab}",
                detect(src, out, "--op", "white_tophat:size=5", "--maxima", "size=3:threshold=5", "--slab", slab), ref)
    zstest.run("filter", src, g, "--op", "gaussian:sigma=1", "--dtype", "float32", "--force", "-q")
    f = np.load(g).transpose(2, 1, 0)
    ref = reference(f, (3, 3, 3), None, a)
    compare("--op gaussian (zslab filter's f)", detect(src, out, "--op", "gaussian:sigma=1", "--maxima", "size=3",
                                                        "--slab", 3), ref)


def filters(w, rng):
    """--min-size, --max-size, --min-intensity, --intensity IN2."""
    src, src2, out = os.path.join(w, "f.npy"), os.path.join(w, "f2.npy"), os.path.join(w, "f.csv")
    a = np.round(ndi.gaussian_filter(rng.random(SHAPE), 1.0) * 30).astype(np.float32)
    b = (rng.random(SHAPE) * 1000).astype(np.float32)
    save_zyx(src, a)
    save_zyx(src2, b)
    ref = reference(a, (3, 3, 3), None, b)
    got = detect(src, out, "--maxima", "size=3", "--intensity", src2, "--slab", 4)
    compare("--intensity IN2", got, ref)
    keep = (ref["size"] >= 2) & (ref["size"] <= 4)
    if keep.sum() == 0 or keep.all():
        fail(f"sizes: a case that cannot tell ({keep.sum()} of {len(keep)} kept)")
    compare("--min-size 2 --max-size 4", detect(src, out, "--maxima", "size=3", "--intensity", src2,
                                                   "--min-size", 2, "--max-size", 4), ref, keep)
    v = float(np.median(ref["intensity"]))
    compare("--min-intensity", detect(src, out, "--maxima", "size=3", "--intensity", src2, "--min-intensity", v),
            ref, ref["intensity"] >= v)


def tables(w, rng):
    """.npy (ClearMap2's fields), .xml (Cell Counter), .points.csv (napari: z, y, x)."""
    src = os.path.join(w, "tin.npy")
    a = np.round(ndi.gaussian_filter(rng.random(SHAPE), 1.5) * 100).astype(np.float32)
    save_zyx(src, a)
    csv = detect(src, os.path.join(w, "t.csv"), "--maxima", "size=3")
    if csv is None or len(csv) == 0:
        fail("tables: no cells")
        return
    n = len(csv)
    for ext in ("npy", "xml", "points.csv"):
        r = zs("detect", src, os.path.join(w, "t." + ext), "--maxima", "size=3", "--force", "-q")
        if r.returncode:
            fail(f".{ext}: exit {r.returncode}: {r.stderr.strip()}")
            return
    c = np.load(os.path.join(w, "t.npy"))
    want = ["x", "y", "z", "size", "source", "value"]
    if list(c.dtype.names or []) != want or len(c) != n:
        fail(f".npy: fields {c.dtype.names}, {len(c)} cells; want {want}, {n}")
    elif c["x"].dtype != np.int64 or not np.array_equal(c["x"], np.round(csv["x"]).astype(np.int64)) \
            or not np.array_equal(c["size"], csv["size"].astype(np.int64)) \
            or not np.array_equal(c["source"], csv["intensity"]):
        fail(".npy: x, size or source differ from the CSV's")
    root = ET.parse(os.path.join(w, "t.xml")).getroot()
    marks = root.findall("./Marker_Data/Marker_Type/Marker")
    if root.tag != "CellCounter_Marker_File" or len(marks) != n:
        fail(f".xml: root {root.tag}, {len(marks)} markers for {n} cells")
    elif [int(m.find("MarkerZ").text) for m in marks] != list(np.round(csv["z"]).astype(int)):
        fail(".xml: MarkerZ differs from the rounded z")
    p = np.genfromtxt(os.path.join(w, "t.points.csv"), delimiter=",", names=True)
    if list(p.dtype.names) != ["index", "axis0", "axis1", "axis2"] or len(np.atleast_1d(p)) != n:
        fail(f".points.csv: columns {p.dtype.names}")  # genfromtxt drops the '-' of axis-0
    elif not (np.array_equal(p["axis0"], csv["z"]) and np.array_equal(p["axis2"], csv["x"])):
        fail(".points.csv: axis-0 is not z or axis-2 not x")
    with open(os.path.join(w, "t.points.csv")) as fh:
        if fh.readline().strip() != "index,axis-0,axis-1,axis-2":
            fail(".points.csv: not napari's header")


def preview(w):
    """zslab preview --cells marks every cell of a small stack on its MIP, and nothing without cells."""
    import pngread
    src, cells, png = os.path.join(w, "tin.npy"), os.path.join(w, "t.csv"), os.path.join(w, "t.png")
    csv = read_csv(cells)
    nx, ny = SHAPE[2], SHAPE[1]
    for marks in (True, False):
        args = ["--cells", cells] if marks else []
        r = zs("preview", src, png, "--size", 4 * max(nx, ny), "--cmap", "grey", "--force", *args)
        if r.returncode:
            fail(f"preview {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
            return
        with open(png, "rb") as f:
            img = pngread.decode(f.read())
        if not marks:
            if img.ndim != 2:
                fail("preview without --cells: not a grey image")
            continue
        red = (img[..., 0] == 255) & (img[..., 1] == 0) & (img[..., 2] == 0)
        h, wd = red.shape
        missed = 0
        for x, y in zip(csv["x"], csv["y"]):
            u, v = int((x + 0.5) * wd / nx), int((y + 0.5) * h / ny)
            ring = red[max(v - 2, 0):v + 3, max(u - 2, 0):u + 3]
            missed += not ring.any()
        if missed or len(csv) == 0:
            fail(f"preview --cells: {missed} of {len(csv)} cells without a mark")
        if red.mean() > 0.5:
            fail(f"preview --cells: {red.mean():.0%} of the pixels are marks")


def pattern(w):
    """Recall and precision >= 0.95 (a match within 2 voxels) on --pattern cells, and the _um columns."""
    from scipy.spatial import cKDTree
    src, out = os.path.join(w, "cells.tif"), os.path.join(w, "found.csv")
    zstest.run("create", src, "--shape", "192x160x48", "--dtype", "uint16", "--pattern", "cells", "--seed", 5,
               "--voxel-size", "0.5x0.5x2", "--unit", "um", "-q")
    truth = read_csv(src + ".cells.csv")
    got = detect(src, out, *PIPELINE)
    if got is None:
        return
    if len(truth) < 100:
        fail(f"--pattern cells: only {len(truth)} true cells")
    T = np.c_[truth["x"], truth["y"], truth["z"]]
    D = np.c_[got["x"], got["y"], got["z"]]
    d, j = cKDTree(D).query(T, distance_upper_bound=2)
    matched = len(set(j[np.isfinite(d)]))
    recall, precision = matched / len(T), matched / max(len(D), 1)
    print(f"--pattern cells: {len(T)} true, {len(D)} found, recall {recall:.4f}, precision {precision:.4f}")
    if recall < 0.95 or precision < 0.95:
        fail(f"--pattern cells: recall {recall:.4f}, precision {precision:.4f} (want >= 0.95)")
    if not np.allclose(got["x_um"], got["x"] * 0.5) or not np.allclose(got["z_um"], got["z"] * 2):
        fail("--pattern cells: x_um / z_um are not the voxel size times x / z")


def parts(w, rng):
    """--part i/3 in a shuffled order, and a run killed with kill -9 then --resume: the table of one
    run, byte for byte; a part with another threshold is refused."""
    src = os.path.join(w, "parts.npy")
    save_zyx(src, np.round(ndi.gaussian_filter(rng.random(SHAPE), 1.2) * 40).astype(np.float32))
    spec = ["--maxima", "size=3:threshold=18"]
    one, out, killed = (os.path.join(w, n) for n in ("one.csv", "parts.csv", "killed.csv"))
    if detect(src, one, *spec, "--slab", 2) is None:
        return
    with open(one, "rb") as f:
        want = f.read()
    for i in (2, 0, 1):
        r = zs("detect", src, out, *spec, "--part", f"{i}/3", "-q")
        if r.returncode:
            fail(f"--part {i}/3: exit {r.returncode}: {r.stderr.strip()}")
    if not os.path.exists(out) or open(out, "rb").read() != want or os.path.exists(out + ".zsjournal"):
        fail("--part i/3: the table differs from one run's, or the journal is left")
    if not zstest.killed(["detect", src, killed, *spec, "--journal", "--slab", 2, "--threads", 1], 4):
        fail("kill -9: the run did not stop at slab 4")
    recs = sorted(n for n in os.listdir(killed + ".zsjournal") if n.startswith("slab-"))
    if recs != ["slab-0", "slab-1", "slab-2", "slab-3"] or os.path.exists(killed):
        fail(f"killed before slab 4: records {recs}, CELLS {'exists' if os.path.exists(killed) else 'absent'}")
    r = zs("detect", src, killed, "--maxima", "size=3:threshold=19", "--resume", "-q")
    if r.returncode != 1 or "threshold" not in r.stderr or os.path.exists(killed):
        fail(f"--resume with another threshold: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    r = zs("detect", src, killed, *spec, "--resume", "-q")
    if r.returncode or not os.path.exists(killed) or open(killed, "rb").read() != want:
        fail(f"--resume after kill -9: exit {r.returncode} {r.stderr.strip()}, or the table differs from one run's")


def bad_parameters(w):
    """Refused with exit 1 naming the parameter, before IN is read (IN may not even exist), CELLS not made."""
    src, other, out = os.path.join(w, "b.npy"), os.path.join(w, "b2.npy"), os.path.join(w, "b.csv")
    np.save(src, np.zeros((8, 9, 10), np.float32))
    np.save(other, np.zeros((8, 9, 11), np.float32))
    missing = os.path.join(w, "missing.npy")
    cases = [([missing, out, "--maxima", "size=0"], "size"),
             ([missing, out, "--maxima", "size=3x0x3"], "size"),
             ([missing, out, "--maxima", "size=3x"], "one box size or three"),
             ([missing, out, "--maxima", "size=1e400"], "at least 1 voxel"),  # not cast to int64 (undefined)
             ([missing, out, "--maxima", "size=3:threshold=" + "9" * 300], "longer than"),
             ([missing, out, "--maxima", "size=3:threshold=abc"], "threshold"),
             ([missing, os.path.join(w, "b.txt"), "--maxima", "size=3"], "suffix"),
             ([missing, out], "--maxima"),
             ([src, out, "--maxima", "size=3", "--intensity", other], "intensity"),
             ([src, out, "--maxima", "size=3", "--min-size", 5, "--max-size", 2], "min-size")]
    for args, text in cases:
        r = zs("detect", *args)
        if r.returncode != 1 or text not in r.stderr:
            fail(f"detect {' '.join(map(str, args[1:]))}: exit {r.returncode} (want 1), stderr {r.stderr.strip()!r}")
        if os.path.exists(args[1]) or os.path.exists(args[1] + ".partial"):
            fail(f"detect {' '.join(map(str, args[1:]))}: left {args[1]} behind")


def main():
    print(f"seed {SEED}")
    rng = np.random.default_rng(SEED)
    w = zstest.workdir("detect")
    runs = sweep(w, rng)
    with_ops(w, rng)
    filters(w, rng)
    tables(w, rng)
    preview(w)
    pattern(w)
    parts(w, rng)
    bad_parameters(w)
    zstest.finish(f"detect: {runs} runs equal scipy's label + center_of_mass (slab heights 1, 3, 8, the planner's; "
                  "threads 1 and 2); --op, sizes, intensities, the four tables, preview --cells, --pattern cells, --part i/3, kill -9 and "
                  "--resume, bad parameters", w)


main()
