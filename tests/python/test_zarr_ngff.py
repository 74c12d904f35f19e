#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""OME-Zarr (NGFF) images: read from zarr-python's groups, written by zslab, read back by zarr-python.

Reading: a group with NGFF 0.4 multiscales (axes z, y, x in micrometers, a scale per level)
reads with shape (x, y, z) and the voxel size of the scale; `gaussian:sigma=1um` is the
gaussian of sigma in voxels from that scale; `stack.ome.zarr/1` is level 1 with its own
scale; a (t, c, z, y, x) image is a series of t*c volumes, t = c + C*frame.
Writing: `zslab filter in.npy out.ome.zarr` is a group zarr-python opens, whose array "0"
holds the .npy result transposed to (z, y, x) (and (t, z, y, x) for a series), whose .zattrs
name the axes z, y, x with the input's voxel size, with the compression asked for; --force
replaces an existing output without a trace of the old one; a second run for an output whose
OUT.partial/.zgroup another run holds is refused and leaves it alone; --threads 1 and 2 write the
same chunk files. Bad inputs (a truncated or corrupt chunk, an unknown codec or filter, a .zarray
lying about the dtype, a missing chunk without fill_value) exit 1 naming the file and leave
no output.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import fcntl
import glob
import json
import os
import sys

import numpy as np

try:
    import numcodecs
    import zarr
except ImportError as e:
    print(f"SKIP: zarr-python is not installed ({e})")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import fail, finish, workdir, zs  # noqa: E402

W = workdir("zarr-ngff")


def path(name):
    return os.path.join(W, name)


def data(shape, seed):
    return np.random.default_rng(seed).integers(0, 60000, size=shape, endpoint=True).astype("<u2")


def run_ok(name, *args):
    r = zs(*args)
    if r.returncode != 0:
        fail(f"{name}: zslab {' '.join(map(str, args))}: exit {r.returncode}: {r.stderr.strip()}")
    return r.returncode == 0


def info(name, f):
    r = zs("info", f, "--json")
    if r.returncode != 0:
        fail(f"{name}: zslab info {f}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return json.loads(r.stdout)


def ngff_group(name, levels, axes, scales):
    """An NGFF 0.4 image written by zarr-python: arrays "0", "1", ... and their multiscales."""
    g = zarr.open_group(path(name), mode="w")
    for i, a in enumerate(levels):
        g.create_dataset(str(i), data=a, chunks=tuple(min(8, n) for n in a.shape),
                         compressor=numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE))
    g.attrs["multiscales"] = [{
        "version": "0.4", "name": "stack", "axes": axes,
        "datasets": [{"path": str(i), "coordinateTransformations": [{"type": "scale", "scale": s}]}
                     for i, s in enumerate(scales)]}]
    return path(name)


SPACE = [{"name": "z", "type": "space", "unit": "micrometer"}, {"name": "y", "type": "space", "unit": "micrometer"},
         {"name": "x", "type": "space", "unit": "micrometer"}]


def read_groups():
    a0 = data((12, 20, 24), 1)  # z, y, x
    a1 = a0[::2, ::2, ::2].copy()
    src = ngff_group("stack.ome.zarr", [a0, a1], SPACE, [[2.0, 0.5, 0.5], [4.0, 1.0, 1.0]])
    inf = info("group", src)
    if inf:
        if inf["shape"] != [24, 20, 12] or inf["format"] != "zarr":
            fail(f"group: zslab info shape {inf['shape']} format {inf['format']}, expected [24, 20, 12] zarr")
        if not np.allclose(inf["voxel_size"], [0.5, 0.5, 2.0]) or inf["unit"] != "um":
            fail(f"group: voxel size {inf['voxel_size']} {inf['unit']!r}, expected [0.5, 0.5, 2.0] um")
    out = path("g.npy")
    if run_ok("group", "convert", src, out, "-q") and not np.array_equal(np.load(out), a0.transpose(2, 1, 0)):
        fail("group: voxels differ from zarr's level 0 transposed to (x, y, z)")
    lvl = info("level 1", src + "/1")
    if lvl and (lvl["shape"] != [12, 10, 6] or not np.allclose(lvl["voxel_size"], [1.0, 1.0, 4.0])):
        fail(f"level 1: shape {lvl['shape']} voxel {lvl['voxel_size']}, expected [12, 10, 6] and [1, 1, 4]")
    if run_ok("level 1", "convert", src + "/1", out, "-q", "--force") and \
            not np.array_equal(np.load(out), a1.transpose(2, 1, 0)):
        fail("level 1: voxels differ from zarr's level 1")
    # sigma in micrometers: 1 um is 2 voxels along x and y, 0.5 along z
    um, vox, level0 = path("um.npy"), path("vox.npy"), path("level0.npy")
    np.save(level0, a0.transpose(2, 1, 0))
    if run_ok("sigma um", "filter", src, um, "--op", "gaussian:sigma=1um", "-q") and \
            run_ok("sigma voxels", "filter", level0, vox, "--op", "gaussian:sigma=2x2x0.5", "-q") and \
            np.load(um).tobytes() != np.load(vox).tobytes():
        fail("gaussian:sigma=1um on the group differs from sigma=2x2x0.5 voxels")
    # t and c: a series of t*c volumes, the channel fastest
    a5 = data((2, 3, 4, 6, 5), 2)
    src5 = ngff_group("tczyx.ome.zarr", [a5], [{"name": "t", "type": "time"}, {"name": "c", "type": "channel"}]
                      + SPACE, [[1.0, 1.0, 3.0, 0.4, 0.4]])
    out5 = path("tc.npy")
    if run_ok("tczyx", "convert", src5, out5, "-q"):
        got = np.load(out5)
        want = np.stack([a5[t, c].transpose(2, 1, 0) for t in range(2) for c in range(3)], axis=3)
        if got.shape != want.shape or not np.array_equal(got, want):
            fail(f"tczyx: zslab reads {got.shape}, expected {want.shape} with t = c + 3*frame")
    # an array of a plain group (zarr-python's .zgroup without .zattrs): no axis names, axis 0 is x
    g = zarr.open_group(path("plain.zarr"), mode="w")
    g.create_dataset("raw", data=a1, chunks=(4, 4, 4))
    outp = path("plain.npy")
    if run_ok("array of a plain group", "convert", path("plain.zarr/raw"), outp, "-q") and \
            not np.array_equal(np.load(outp), a1):
        fail("array of a plain group: voxels differ from zarr's (axis 0 is x)")
    # a dataset path of two parts ("s/0"), named as GROUP/s/0: the group's axes and scale apply
    g = zarr.open_group(path("nested.ome.zarr"), mode="w")
    g.create_dataset("s/0", data=a1, chunks=(4, 4, 4))
    g.attrs["multiscales"] = [{"version": "0.4", "axes": SPACE, "datasets": [
        {"path": "s/0", "coordinateTransformations": [{"type": "scale", "scale": [3.0, 1.0, 0.5]}]}]}]
    inf = info("nested dataset path", path("nested.ome.zarr/s/0"))
    if inf and (inf["shape"] != [12, 10, 6] or not np.allclose(inf["voxel_size"], [0.5, 1.0, 3.0])):
        fail(f"nested dataset path: shape {inf['shape']} voxel {inf['voxel_size']}, expected [12, 10, 6] and "
             "[0.5, 1, 3] (the group's axes z, y, x)")


def zarray(out):
    with open(os.path.join(out, "0", ".zarray")) as f:
        return json.load(f)


def write_outputs():
    a = np.asfortranarray(data((37, 29, 21), 3))  # x, y, z
    src = path("in.npy")
    np.save(src, a)
    ref = path("ref.npy")
    run_ok("write", "filter", src, ref, "--op", "median:size=3", "-q")
    for comp, cid in [("none", None), ("zstd", "zstd"), ("deflate", "zlib"), ("gzip", "gzip"), ("blosc-lz4", "blosc")]:
        out = path(f"out_{comp}.ome.zarr")
        if not run_ok(f"write {comp}", "filter", src, out, "--op", "median:size=3", "--compress", comp, "-q"):
            continue
        z = zarr.open(out + "/0", mode="r")
        if z.shape != (21, 29, 37) or not np.array_equal(z[...].transpose(2, 1, 0), np.load(ref)):
            fail(f"write {comp}: zarr-python reads {z.shape}, not the .npy result transposed to (z, y, x)")
        za = zarray(out)
        if (za["compressor"] or {}).get("id") != cid or za["order"] != "C" or za.get("dimension_separator") != "/":
            fail(f"write {comp}: .zarray says compressor {za['compressor']}, order {za['order']}")
        with open(os.path.join(out, ".zattrs")) as f:
            ms = json.load(f)["multiscales"][0]
        if [x["name"] for x in ms["axes"]] != ["z", "y", "x"] or ms["version"] != "0.4":
            fail(f"write {comp}: multiscales axes {ms['axes']} version {ms['version']}")
        if glob.glob(out + ".partial*"):
            fail(f"write {comp}: a .partial directory is left beside the output")
    # --chunks (z first) and blosc-zstd: bit shuffle; chunks that do not divide the shape
    out = path("chunked.ome.zarr")
    if run_ok("chunks", "filter", src, out, "--op", "median:size=3", "--chunks", "8x16x10", "--compress",
              "blosc-zstd", "--threads", "2", "-q"):
        za = zarray(out)
        comp = za["compressor"] or {}
        if za["chunks"] != [8, 16, 10] or comp.get("cname") != "zstd" or comp.get("shuffle") != 2:
            fail(f"chunks: .zarray says chunks {za['chunks']} compressor {comp}, expected [8, 16, 10] blosc zstd 2")
        if not np.array_equal(zarr.open(out + "/0", mode="r")[...].transpose(2, 1, 0), np.load(ref)):
            fail("chunks: zarr-python reads other voxels than the .npy result")
    # the voxel size and unit go to the scale of dataset 0; a zslab output reads back as written
    grp = ngff_group("scaled.ome.zarr", [data((6, 7, 8), 4)], SPACE, [[3.0, 0.25, 0.5]])
    out = path("scaled_out.ome.zarr")
    if run_ok("scale", "filter", grp, out, "--op", "median:size=3", "-q"):
        with open(os.path.join(out, ".zattrs")) as f:
            ms = json.load(f)["multiscales"][0]
        scale = ms["datasets"][0]["coordinateTransformations"][0]["scale"]
        if scale != [3.0, 0.25, 0.5] or ms["axes"][2].get("unit") != "micrometer":
            fail(f"scale: the output's scale is {scale} in {ms['axes'][2].get('unit')}, expected [3, 0.25, 0.5] um")
        back = info("scale", out)
        if back and (back["shape"] != [8, 7, 6] or not np.allclose(back["voxel_size"], [0.5, 0.25, 3.0])):
            fail(f"scale: zslab reads its own output as {back['shape']} {back['voxel_size']}")
    # a series: (t, z, y, x)
    a4 = np.asfortranarray(data((9, 8, 7, 3), 5))
    src4, out4 = path("in4.npy"), path("out4.zarr")
    np.save(src4, a4)
    if run_ok("series", "convert", src4, out4, "-q"):
        z = zarr.open(out4 + "/0", mode="r")
        if z.shape != (3, 7, 8, 9) or not np.array_equal(z[...].transpose(3, 2, 1, 0), a4):
            fail(f"series: zarr-python reads {z.shape}, expected (3, 7, 8, 9) holding the series")
    return src, ref


def force_and_threads(src):
    out = path("forced.ome.zarr")
    run_ok("first", "filter", src, out, "--op", "median:size=3", "-q")
    r = zs("filter", src, out, "--op", "median:size=3", "-q")
    if r.returncode == 0:
        fail("an existing output was written again without --force")
    open(os.path.join(out, "stale"), "w").close()
    if run_ok("force", "filter", src, out, "--op", "gaussian:sigma=1.5", "-q", "--force"):
        if os.path.exists(os.path.join(out, "stale")) or glob.glob(out + ".*"):
            fail("--force: the old output left a file in the new one, or a directory beside it")
    # a second run for the same output is refused while the first holds OUT.partial/.zgroup
    busy = path("busy.ome.zarr")
    os.makedirs(busy + ".partial")
    with open(os.path.join(busy + ".partial", ".zgroup"), "w") as claim:
        fcntl.flock(claim, fcntl.LOCK_EX)
        r = zs("filter", src, busy, "--op", "median:size=3", "-q")
        if r.returncode != 1 or "another run is writing it" not in r.stderr or os.path.exists(busy):
            fail(f"a claimed output: exit {r.returncode}, {r.stderr.strip()!r}: expected 1, another run named")
    if not os.path.isdir(busy + ".partial"):
        fail("a refused run removed the other run's partial output")
    outs = []
    for t in (1, 2):
        o = path(f"threads{t}.ome.zarr")
        run_ok(f"threads {t}", "filter", src, o, "--op", "gaussian:sigma=1.5", "--compress", "zstd", "--threads",
               str(t), "--mem-budget", "2M", "-q")
        outs.append(o)
    files = [sorted(os.path.relpath(p, o) for p in glob.glob(o + "/**/*", recursive=True) + glob.glob(o + "/.z*")
                    + glob.glob(o + "/0/.z*")) for o in outs]
    if files[0] != files[1] or not files[0]:
        fail(f"threads: the outputs hold different files ({len(files[0])} and {len(files[1])})")
    for rel in files[0]:
        a, b = os.path.join(outs[0], rel), os.path.join(outs[1], rel)
        if os.path.isfile(a) and open(a, "rb").read() != open(b, "rb").read():
            fail(f"threads: {rel} differs between --threads 1 and 2")
            break


def expect_error(name, src, needle):
    out = path(f"bad_{name}.npy")
    r = zs("convert", src, out, "-q")
    if r.returncode != 1:
        fail(f"{name}: exit {r.returncode} (expected 1): {r.stderr.strip()}")
    elif needle not in r.stderr:
        fail(f"{name}: the message does not name {needle}: {r.stderr.strip()}")
    if os.path.exists(out) or glob.glob(out + "*"):
        fail(f"{name}: an output was left")


def edit_zarray(src, **kv):
    with open(os.path.join(src, ".zarray")) as f:
        meta = json.load(f)
    meta.update(kv)
    with open(os.path.join(src, ".zarray"), "w") as f:
        json.dump(meta, f)


def bad_inputs():
    a = data((16, 16, 16), 6)

    def make(name, comp, fill=0):
        z = zarr.open(path(name), mode="w", shape=a.shape, chunks=(8, 8, 8), dtype=a.dtype, compressor=comp,
                      fill_value=fill)
        z[...] = a
        return path(name)

    src = make("trunc.zarr", numcodecs.Blosc("lz4", 5, 1))
    chunk = os.path.join(src, "1.0.1")
    with open(chunk, "r+b") as f:
        f.truncate(os.path.getsize(chunk) // 2)
    expect_error("truncated blosc", src, chunk)
    src = make("corrupt.zarr", numcodecs.Zstd())
    chunk = os.path.join(src, "0.1.0")
    with open(chunk, "wb") as f:
        f.write(np.random.default_rng(7).integers(0, 256, 300, dtype=np.uint8).tobytes())
    expect_error("corrupt zstd", src, chunk)
    src = make("corrupt_gzip.zarr", numcodecs.GZip())
    chunk = os.path.join(src, "1.1.1")
    b = bytearray(open(chunk, "rb").read())
    b[len(b) // 2] ^= 0xFF
    open(chunk, "wb").write(bytes(b))
    expect_error("corrupt gzip", src, chunk)
    src = make("codec.zarr", None)
    edit_zarray(src, compressor={"id": "lzma", "format": 1})
    expect_error("unknown codec", src, "lzma")
    src = make("filter.zarr", None)
    edit_zarray(src, filters=[{"id": "delta", "dtype": "<u2"}])
    expect_error("filter", src, "delta")
    src = make("dtype.zarr", numcodecs.Blosc("lz4", 5, 1))
    edit_zarray(src, dtype="<u4")
    expect_error("lying dtype", src, os.path.join(src, "0."))  # whichever chunk a worker decodes first
    src = make("chunks.zarr", None)
    edit_zarray(src, chunks=[8, 8, 4])
    expect_error("lying chunks", src, os.path.join(src, "0."))
    src = make("nofill.zarr", None, fill=None)
    os.remove(os.path.join(src, "0.1.1"))
    expect_error("missing chunk without fill_value", src, os.path.join(src, "0.1.1"))
    src = make("json.zarr", None)
    open(os.path.join(src, ".zarray"), "w").write("{\"zarr_format\": 2, \"shape\": [")
    expect_error("malformed .zarray", src, os.path.join(src, ".zarray"))


def main():
    read_groups()
    src, _ = write_outputs()
    force_and_threads(src)
    bad_inputs()
    finish("test_zarr_ngff: OME-Zarr images read, write and fail as zarr-python expects", W)


if __name__ == "__main__":
    main()
