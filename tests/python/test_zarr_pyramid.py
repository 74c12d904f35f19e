#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""OME-Zarr pyramids (`--pyramid N`), read back by zarr-python.

`zslab filter in.npy out.ome.zarr --pyramid N` writes arrays 0..N: level 0 is the filter's
result (the .npy result transposed to (z, y, x)); level k halves the axes whose voxel (at level
k-1) is at most half the coarsest, all three when none is (isotropic, or no voxel size), never an
axis of extent 1: 0.5x0.5x2 um gives 1x1x2, 2x2x2, 4x4x4. A halved axis of n voxels has
ceil(n/2); each voxel is the mean of the voxels it covers, rounded half to even for integers, as
numpy computes it in float64 and np.round rounds it, level by level from level 0 (float32
arithmetic in zslab: equal, or within one unit where a float32 sum lands on the other side of .5).
The multiscales list every level, with axes z, y, x, the voxel size of each level as its scale and
the centre of the level-0 voxels its first voxel covers as its translation. Every level is made as
level 0 is written: no level is read back (strace counts the opens of the output's files for
reading), and the input is read once; the planner counts what the levels hold per worker in its
peak estimate and the memory budget. A series gets a pyramid per volume. Threads do not change a
byte. A pyramid is refused for formats of one resolution and for jobs with a journal.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

try:
    import nibabel as nib
    import zarr
except ImportError as e:
    print(f"SKIP: zarr-python or nibabel is not installed ({e})")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import fail, finish, workdir, zs  # noqa: E402

W = workdir("zarr-pyramid")


def path(name):
    return os.path.join(W, name)


def run_ok(name, *args):
    r = zs(*args)
    if r.returncode != 0:
        fail(f"{name}: zslab {' '.join(map(str, args))}: exit {r.returncode}: {r.stderr.strip()}")
    return r.returncode == 0


def factors(shape, voxel):
    """The rule: per axis (z, y, x) of a level, 2 where the next level halves it, else 1."""
    live = [v for n, v in zip(shape, voxel) if n > 1]
    coarsest = max(live) if live else 0.0
    f = [2 if n > 1 and 2 * v <= coarsest * (1 + 1e-6) else 1 for n, v in zip(shape, voxel)]
    return f if 2 in f else [2 if n > 1 else 1 for n in shape]


def block_mean(a, f):
    """The mean of a (z, y, x) array over blocks of f voxels (fewer past an odd edge), in float64."""
    shape = tuple(-(-n // k) for n, k in zip(a.shape, f))
    total, count = np.zeros(shape), np.zeros(shape)
    for dz in range(f[0]):
        for dy in range(f[1]):
            for dx in range(f[2]):
                s = a[dz::f[0], dy::f[1], dx::f[2]].astype(np.float64)
                total[:s.shape[0], :s.shape[1], :s.shape[2]] += s
                count[:s.shape[0], :s.shape[1], :s.shape[2]] += 1
    return total / count


def reference(level0, voxel, n):
    """Levels 1..n from level 0 by the rule, each rounded to the dtype as written, with their voxel
    sizes and translations (z, y, x)."""
    out, a, v, t = [], level0, list(voxel), [0.0, 0.0, 0.0]
    for _ in range(n):
        f = factors(a.shape, v)
        m = block_mean(a, f)
        a = np.round(m).astype(level0.dtype) if np.issubdtype(level0.dtype, np.integer) else m.astype(level0.dtype)
        t = [ti + 0.5 * (fi - 1) * vi for ti, fi, vi in zip(t, f, v)]
        v = [vi * fi for vi, fi in zip(v, f)]
        out.append((a, m, list(v), list(t)))
    return out


def check_level(name, got, want, mean):
    """got (a level read back) against the reference level want (rounded) and its mean."""
    if got.shape != want.shape:
        fail(f"{name}: shape {got.shape}, the rule gives {want.shape}")
        return
    if np.issubdtype(got.dtype, np.integer):
        off = np.abs(got.astype(np.int64) - want.astype(np.int64))
        if off.max() > 1 or np.count_nonzero(off) > got.size // 1000 + 1:
            fail(f"{name}: {np.count_nonzero(off)} voxels differ from np.round of the mean (max {off.max()})")
    elif not np.allclose(got, mean, rtol=1e-5, atol=1e-5):
        fail(f"{name}: differs from the mean by up to {np.abs(got - mean).max()}")


def check_pyramid(name, out, voxel, n, tdim=False):
    """Every level of out against the reference from its level 0, the metadata against the shapes."""
    g = zarr.open_group(out, mode="r")
    if sorted(g.array_keys()) != [str(k) for k in range(n + 1)]:
        fail(f"{name}: arrays {sorted(g.array_keys())}, expected 0-{n}")
        return []
    l0 = g["0"][:]
    vols = [l0[i] for i in range(l0.shape[0])] if tdim else [l0]
    refs = [reference(v, voxel, n) for v in vols]
    ms = multiscales(out)
    if len(ms["datasets"]) != n + 1:
        fail(f"{name}: {len(ms['datasets'])} datasets listed")
    for k in range(1, n + 1):
        got = g[str(k)][:]
        for i, ref in enumerate(refs):
            check_level(f"{name} level {k}" + (f" t={i}" if tdim else ""), got[i] if tdim else got, *ref[k - 1][:2])
        d = ms["datasets"][k]
        ct = {c["type"]: c[c["type"]] for c in d["coordinateTransformations"]}
        want_scale, want_origin = refs[0][k - 1][2], refs[0][k - 1][3]
        if tdim:
            want_scale, want_origin = [1.0] + want_scale, [0.0] + want_origin
        if d["path"] != str(k) or len(ct.get("scale", [])) != len(want_scale) or len(ct.get("translation", [])) != \
                len(want_origin) or not np.allclose(ct["scale"], want_scale) \
                or not np.allclose(ct["translation"], want_origin):
            fail(f"{name}: dataset {k}: {d}, expected scale {want_scale}, translation {want_origin}")
    return [g[str(k)].shape for k in range(n + 1)]


def zslab_path():
    from zstest import ZSLAB
    return ZSLAB


def input_bytes(log, src):
    """Bytes returned by read and pread64 calls on src (an strace -f -y log; a call another
    thread interrupts is continued on a "resumed" line of the same process id)."""
    total, tag, waiting = 0, f"<{os.path.realpath(src)}>", {}
    for ln in open(log):
        pid, _, rest = ln.partition(" ")
        rest = rest.lstrip()  # the process id is padded
        if rest.startswith("<..."):
            ours, result = waiting.pop(pid, False), rest
        elif rest.startswith(("read(", "pread64(")):
            ours, result = tag in rest.split(",")[0], rest
            if "<unfinished" in rest:
                waiting[pid] = ours
                continue
        else:
            continue
        n = result.rsplit("= ", 1)[-1].split()[0]
        total += int(n) if ours and n.isdigit() else 0
    return total


def level_reads(log, out):
    """Opens for reading of the files of out's arrays (an strace -f -e trace=openat log)."""
    with open(log) as f:
        return [ln for ln in f if f"{out}.partial/" in ln and "O_RDONLY" in ln and "O_DIRECTORY" not in ln
                and "= -1" not in ln]


def multiscales(out):
    with open(os.path.join(out, ".zattrs")) as f:
        return json.load(f)["multiscales"][0]


def nifti(name, vol, voxel):
    img = nib.Nifti1Image(vol, np.diag(list(voxel) + [1.0]))
    img.header.set_xyzt_units("micron")
    nib.save(img, path(name))
    return path(name)


# An odd shape (every level has an odd axis somewhere), uint16 and float32, 0.5x0.5x2 um voxels:
# x and y are halved first, then all three.
rng = np.random.default_rng(7)
for dtype, op in (("uint16", "gaussian:sigma=1"), ("float32", "median:size=3")):
    src = nifti(f"in_{dtype}.nii", (rng.random((45, 38, 29)) * 4000).astype(dtype), (0.5, 0.5, 2.0))  # x, y, z
    ref, out = path(f"ref_{dtype}.npy"), path(f"out_{dtype}.ome.zarr")
    if not (run_ok("plain", "filter", src, ref, "--op", op)
            and run_ok("pyramid", "filter", src, out, "--op", op, "--pyramid", "3", "--chunks", "8x16x16")):
        continue
    if not np.array_equal(zarr.open_group(out, mode="r")["0"][:], np.load(ref).transpose(2, 1, 0)):
        fail(f"{dtype}: level 0 differs from the .npy result")
    shapes = check_pyramid(dtype, out, (2.0, 0.5, 0.5), 3)
    if shapes and shapes != [(29, 38, 45), (29, 19, 23), (29, 10, 12), (15, 5, 6)]:
        fail(f"{dtype}: level shapes {shapes}")
    ms = multiscales(out)
    if [a["name"] for a in ms["axes"]] != ["z", "y", "x"]:
        fail(f"{dtype}: axes {ms['axes']}")
    scales = [d["coordinateTransformations"][0]["scale"] for d in ms["datasets"]]
    if not np.allclose(scales, [[2, 0.5, 0.5], [2, 1, 1], [2, 2, 2], [4, 4, 4]]):
        fail(f"{dtype}: scales {scales}, expected (z, y, x) 2x0.5x0.5, 2x1x1, 2x2x2, 4x4x4")
    # the same pyramid with one thread, byte for byte
    one = path(f"one_{dtype}.ome.zarr")
    if run_ok("one thread", "filter", src, one, "--op", op, "--pyramid", "3", "--chunks", "8x16x16", "--threads", "1"):
        if subprocess.run(["diff", "-r", out, one], capture_output=True).returncode != 0:
            fail(f"{dtype}: --threads 1 wrote other files than --threads 2")
    # zslab reads a level back with its voxel size
    r = zs("info", out + "/2", "--json")
    if r.returncode != 0:
        fail(f"info of level 2: {r.stderr.strip()}")
    else:
        i = json.loads(r.stdout)
        if i["shape"][:3] != [12, 10, 29] or not np.allclose(i["voxel_size"], [2.0, 2.0, 2.0]):
            fail(f"level 2 reads as {i['shape']} {i['voxel_size']}")

# Isotropic voxels, and a volume without a voxel size: every level halves all three axes; chunks
# of an odd height (a level's plane made of planes of two layers of the level below).
iso = nifti("iso.nii", (rng.random((33, 30, 27)) * 250).astype("uint8"), (3.0, 3.0, 3.0))
plain = path("plain.npy")
np.save(plain, np.asfortranarray((rng.random((31, 20, 26)) * 60000).astype("uint16")))
for name, src, voxel, want in (("isotropic", iso, (3.0, 3.0, 3.0), [(27, 30, 33), (14, 15, 17), (7, 8, 9)]),
                               ("no voxel size", plain, (1.0, 1.0, 1.0), [(26, 20, 31), (13, 10, 16), (7, 5, 8)])):
    out = path(f"{name.replace(' ', '_')}.ome.zarr")
    if run_ok(name, "convert", src, out, "--pyramid", "2", "--chunks", "5x8x16"):
        shapes = check_pyramid(name, out, voxel, 2)
        if shapes and shapes != want:
            fail(f"{name}: level shapes {shapes}, expected {want}")

# One pass: the input is read once and no level is read back (a build that reads level k-1 to make
# level k opens its chunk files). Shown with strace where it is installed.
strace = shutil.which("strace")


def traced_convert(src, out, log, *more):
    """zslab convert src out (pread engine) under strace; the CompletedProcess."""
    return subprocess.run([strace, "-f", "-y", "-o", log, "-e", "trace=openat,read,pread64", zslab_path(), "convert",
                           src, out, "--chunks", "8x16x16", "--engine", "pread", *more],
                          capture_output=True, text=True, timeout=120, env=untraceable_leaks())


def untraceable_leaks():
    """The environment, with LeakSanitizer off (it cannot run under ptrace) for sanitizer builds."""
    asan = os.environ.get("ASAN_OPTIONS", "")
    return dict(os.environ, ASAN_OPTIONS=f"{asan}:detect_leaks=0" if asan else "detect_leaks=0")


if strace:
    src, out = path("in_uint16.nii"), path("traced.ome.zarr")
    r0 = traced_convert(src, path("untraced.ome.zarr"), path("plain.log"))
    r = traced_convert(src, out, path("pyramid.log"), "--pyramid", "3")
    if r0.returncode != 0 or r.returncode != 0:
        fail(f"traced convert: exit {r0.returncode}, {r.returncode}: {r0.stderr.strip()} {r.stderr.strip()}")
    else:
        reads = level_reads(path("pyramid.log"), out)
        if reads:
            fail(f"the levels were read back: {len(reads)} opens for reading, e.g. {reads[0].strip()}")
        plain_in, pyramid_in = input_bytes(path("plain.log"), src), input_bytes(path("pyramid.log"), src)
        if pyramid_in != plain_in or plain_in < os.path.getsize(src) - 352:
            fail(f"the input was read {pyramid_in} bytes with --pyramid 3, {plain_in} without")
        check_pyramid("traced", out, (2.0, 0.5, 0.5), 3)
else:
    print("note: strace is not installed; the one-pass check is skipped")

# The planner counts what the levels hold (per worker: a layer of each level in progress and one being
# written, and the fold's scratch planes) in the peak estimate and the budget: level 1 of a 512x512x64
# 0.5x0.5x2 um uint16 stack is 256x256 (x and y halved), 32 planes a layer: at least 2 x 8 MiB a worker.
def dry_run(*more):
    r = zs("convert", big, path("dry.ome.zarr"), "--dry-run", "--threads", "2", *more)
    worker = [ln for ln in r.stdout.splitlines() if ln.startswith("per worker:")]
    return r, float(worker[0].split()[2]) if worker else 0.0, worker[0] if worker else r.stdout


big = path("big.nii")
if run_ok("create", "create", big, "--shape", "512x512x64", "--dtype", "uint16", "--pattern", "phantom",
          "--voxel-size", "0.5x0.5x2um"):
    (_, plain_mib, _), (r, levels_mib, line) = dry_run(), dry_run("--pyramid", "3")
    if levels_mib - plain_mib < 2 * 32 * 256 * 256 * 2 / 2**20 or "output levels" not in line:
        fail(f"--dry-run with --pyramid 3: {line!r}, without: {plain_mib} MiB a worker")
    r = zs("convert", big, path("dry.ome.zarr"), "--dry-run", "--threads", "2", "--pyramid", "3", "--mem-budget",
           f"{int(levels_mib * 1.5)}M")
    if r.returncode != 0 or "threads:    1 " not in r.stdout:
        fail(f"a budget of 1.5 workers with their levels runs one: {r.stdout.strip()} {r.stderr.strip()}")

# a series: a pyramid per volume, t kept
series = (rng.random((3, 20, 18, 16)) * 200).astype("uint8")  # t, z, y, x
np.save(path("series.npy"), np.asfortranarray(series.transpose(3, 2, 1, 0)))  # x, y, z, t
if run_ok("series", "filter", path("series.npy"), path("series.ome.zarr"), "--op", "uniform:size=3", "--pyramid", "1"):
    shapes = check_pyramid("series", path("series.ome.zarr"), (1.0, 1.0, 1.0), 1, tdim=True)
    if shapes and shapes[1] != (3, 10, 9, 8):
        fail(f"series level 1 shape {shapes[1]}")
    if [a["name"] for a in multiscales(path("series.ome.zarr"))["axes"]] != ["t", "z", "y", "x"]:
        fail("series axes")

# refusals: one resolution, a journal, a count out of range; nothing is left behind
for args, what in ((["out.npy", "--pyramid", "1"], "pyramid"),
                   (["part.ome.zarr", "--pyramid", "1", "--part", "0/2"], "journal"),
                   (["big.ome.zarr", "--pyramid", "17"], "--pyramid")):
    r = zs("filter", path("in_uint16.nii"), path(args[0]), "--op", "gaussian:sigma=1", *args[1:])
    if r.returncode == 0 or what not in r.stderr:
        fail(f"{' '.join(args)}: exit {r.returncode}, stderr {r.stderr.strip()!r} (expected a refusal naming {what})")
    if os.path.exists(path(args[0])) or os.path.exists(path(args[0]) + ".partial"):
        fail(f"{args[0]}: left behind by a refused run")

finish("ok: OME-Zarr pyramids", W)
