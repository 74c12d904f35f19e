#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""MetaImage (.mhd + .raw, .mha) and NRRD (.nrrd, .nhdr + .raw) against their published
descriptions, and the voxel size travelling through every format.

The headers zslab writes are parsed here by small readers that follow the format
descriptions (ITK MetaIO: "Key = Value" lines ending with ElementDataFile; NRRD0004: magic,
"field: value" lines, an empty line before attached data), and the voxels are read with
numpy from where the header says they are. Headers written by hand after the descriptions
(big-endian, HeaderSize = -1, space directions, byte skip: -1, comments and key:=value
lines, a data file in a subdirectory) read to the right voxels and spacing; gzip encoding is
refused with a message. Round trips npy → mhd/mha/nrrd/nhdr → npy keep the voxels and
tif → mhd → nrrd → nii → tif keeps the voxel size. `gaussian:sigma=2um` on a stack of
0.5 x 0.5 x 2 um voxels gives the same bytes as `gaussian:sigma=4x4x1`, in every format that
stores a voxel size.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import fail, finish, workdir, zs  # noqa: E402

W = workdir("mhdnrrd")
MET = {"MET_UCHAR": "u1", "MET_CHAR": "i1", "MET_USHORT": "u2", "MET_SHORT": "i2", "MET_UINT": "u4",
       "MET_INT": "i4", "MET_ULONG_LONG": "u8", "MET_LONG_LONG": "i8", "MET_FLOAT": "f4", "MET_DOUBLE": "f8"}
NRRD = {"uint8": "u1", "int8": "i1", "uint16": "u2", "int16": "i2", "uint32": "u4", "int32": "i4",
        "uint64": "u8", "int64": "i8", "float": "f4", "double": "f8"}


def path(*n):
    return os.path.join(W, *n)


def info(f):
    r = zs("info", f, "--json")
    if r.returncode:
        fail(f"info {f}: {r.stderr.strip()}")
        return {}
    return json.loads(r.stdout)


def read_mhd(f):
    """A MetaImage reader after the MetaIO description: fields, then the voxels."""
    raw = open(f, "rb").read()
    fields, pos = {}, 0
    while True:
        end = raw.index(b"\n", pos)
        key, _, value = raw[pos:end].decode().partition("=")
        fields[key.strip()] = value.strip()
        pos = end + 1
        if key.strip() == "ElementDataFile":
            break
    nd = int(fields["NDims"])
    dims = [int(x) for x in fields["DimSize"].split()]
    assert len(dims) == nd, fields
    assert fields["ObjectType"] == "Image" and fields["BinaryData"] == "True" and fields["CompressedData"] == "False"
    bo = ">" if fields["BinaryDataByteOrderMSB"] == "True" else "<"
    dt = np.dtype(bo + MET[fields["ElementType"]])
    if fields["ElementDataFile"] == "LOCAL":
        buf, off = raw, pos
    else:
        buf, off = open(os.path.join(os.path.dirname(f), fields["ElementDataFile"]), "rb").read(), 0
    n = int(np.prod(dims))
    assert len(buf) - off == n * dt.itemsize, (len(buf), off, n)
    a = np.frombuffer(buf, dtype=dt, count=n, offset=off).reshape(dims, order="F")
    return a, [float(x) for x in fields["ElementSpacing"].split()], fields


def read_nrrd(f):
    """A NRRD reader after the NRRD0004 description."""
    raw = open(f, "rb").read()
    assert raw.startswith(b"NRRD0004\n"), raw[:10]
    fields, pos = {}, raw.index(b"\n") + 1
    while pos < len(raw):
        end = raw.index(b"\n", pos)
        line = raw[pos:end].decode()
        pos = end + 1
        if line == "":
            break
        if line.startswith("#"):
            continue
        key, sep, value = line.partition(": ")
        assert sep, line
        fields[key] = value
    dims = [int(x) for x in fields["sizes"].split()]
    assert len(dims) == int(fields["dimension"])
    assert fields["encoding"] == "raw"
    dt = np.dtype((">" if fields.get("endian") == "big" else "<") + NRRD[fields["type"]])
    buf, off = (raw, pos) if "data file" not in fields else (
        open(os.path.join(os.path.dirname(f), fields["data file"]), "rb").read(), 0)
    n = int(np.prod(dims))
    assert len(buf) - off == n * dt.itemsize
    a = np.frombuffer(buf, dtype=dt, count=n, offset=off).reshape(dims, order="F")
    return a, [float(x) for x in fields["spacings"].split()], fields


def test_written_headers():
    rng = np.random.default_rng(3)
    for dt in ["uint8", "int16", "uint16", "int32", "float32", "float64", ">u2", ">f4"]:
        a = rng.integers(-100, 30000, size=(13, 11, 7)).astype(dt)
        src = path(f"src_{dt.replace('>', 'be')}.npy")
        np.save(src, np.asfortranarray(a))
        r = zs("convert", src, path("s.nii"), "--force", "-q")  # no voxel size in .npy: go through create's
        for ext, reader in ((".mhd", read_mhd), (".mha", read_mhd), (".nrrd", read_nrrd), (".nhdr", read_nrrd)):
            out = path(f"o_{dt.replace('>', 'be')}{ext}")
            if ext == ".nhdr":  # .mhd and .nhdr would both write o_*.raw
                out = path(f"n_{dt.replace('>', 'be')}{ext}")
            r = zs("convert", src, out, "--force", "-q")
            if r.returncode:
                fail(f"convert to {ext} ({dt}): {r.stderr.strip()}")
                continue
            try:
                got, spacing, fields = reader(out)
            except Exception as e:  # noqa: BLE001 - a header that does not follow the description
                fail(f"{out}: does not follow the format description: {e!r}")
                continue
            if got.dtype != np.dtype(dt) or not np.array_equal(got, a):
                fail(f"{out}: voxels or dtype differ ({got.dtype} vs {dt})")
            back = zs("convert", out, path("back.npy"), "--force", "-q")
            if back.returncode or not np.array_equal(np.load(path("back.npy")), a):
                fail(f"{out}: zslab reads other voxels back: {back.stderr}")
    print("ok: headers follow MetaIO and NRRD0004; round trips keep the voxels (8 dtypes x 4 kinds)")


def test_voxel_size_travels():
    f = path("vox.tif")
    r = zs("create", f, "--shape", "24x20x8", "--dtype", "uint16", "--pattern", "phantom", "--voxel-size", "0.5x0.5x2um")
    if r.returncode:
        fail(f"create tif: {r.stderr}")
        return
    chain = [f, path("vox.mhd"), path("vox.nrrd"), path("vox.nii"), path("vox2.nhdr"), path("vox.mha"), path("vox2.tif"),
             path("vox_%02d.tif")]
    for a, b in zip(chain, chain[1:]):
        r = zs("convert", a, b, "--force", "-q")
        if r.returncode:
            fail(f"convert {a} -> {b}: {r.stderr.strip()}")
            return
        i = info(b)
        if i.get("voxel_size") != [0.5, 0.5, 2] or i.get("unit") != "um":
            fail(f"{b}: voxel size {i.get('voxel_size')} {i.get('unit')!r} after {a}")
        else:
            print(f"ok: voxel size 0.5 x 0.5 x 2 um kept: {os.path.basename(a)} -> {os.path.basename(b)}")
    _, spacing, fields = read_mhd(path("vox.mhd"))
    if spacing != [0.5, 0.5, 2.0] or fields.get("DistanceUnits") != "um":
        fail(f"vox.mhd: ElementSpacing {spacing} DistanceUnits {fields.get('DistanceUnits')}")
    _, spacing, fields = read_nrrd(path("vox.nrrd"))
    if spacing != [0.5, 0.5, 2.0] or fields.get("units") != '"um" "um" "um"':
        fail(f"vox.nrrd: spacings {spacing} units {fields.get('units')}")
    # create --voxel-size in every format that stores it
    for ext in (".tif", ".mhd", ".mha", ".nrrd", ".nhdr", ".nii"):
        out = path(f"c{ext}")
        r = zs("create", out, "--shape", "8x8x4", "--dtype", "float32", "--voxel-size", "0.25x0.25x1.5mm", "--force")
        i = info(out) if r.returncode == 0 else {}
        if r.returncode or i.get("voxel_size") != [0.25, 0.25, 1.5] or i.get("unit") != "mm" or r.stderr:
            fail(f"create {ext} --voxel-size: exit {r.returncode} {r.stderr.strip()!r} info {i}")
    print("ok: zslab create --voxel-size in .tif .mhd .mha .nrrd .nhdr .nii")


def test_sigma_in_um():
    """Acceptance 5: gaussian:sigma=2um on 0.5 x 0.5 x 2 um voxels equals gaussian:sigma=4x4x1."""
    for ext in (".tif", ".mhd", ".nrrd", ".nii"):
        src = path(f"s5{ext}")
        r = zs("create", src, "--shape", "40x36x24", "--dtype", "uint16", "--pattern", "phantom", "--seed", 5,
               "--voxel-size", "0.5x0.5x2um", "--force")
        if r.returncode:
            fail(f"create {src}: {r.stderr}")
            continue
        r1 = zs("filter", src, path("um.npy"), "--op", "gaussian:sigma=2um", "--force", "-q")
        r2 = zs("filter", src, path("vox.npy"), "--op", "gaussian:sigma=4x4x1", "--force", "-q")
        if r1.returncode or r2.returncode:
            fail(f"filter {src}: {r1.stderr} {r2.stderr}")
            continue
        same = open(path("um.npy"), "rb").read() == open(path("vox.npy"), "rb").read()
        if not same:
            fail(f"{src}: gaussian:sigma=2um differs from gaussian:sigma=4x4x1")
        else:
            print(f"ok: {ext}: gaussian:sigma=2um == gaussian:sigma=4x4x1 (bytes)")


def test_hand_headers():
    a = (np.arange(5 * 4 * 3) * 7 % 251).astype(">i2").reshape((5, 4, 3), order="F")
    os.makedirs(path("sub"), exist_ok=True)
    body = a.tobytes(order="F")
    with open(path("sub", "vol.bin"), "wb") as f:
        f.write(b"JUNKJUNK" + body)
    with open(path("hand.mhd"), "w") as f:  # HeaderSize -1: the data are the file's last bytes
        f.write("ObjectType = Image\nNDims = 3\nDimSize = 5 4 3\nElementType = MET_SHORT\n"
                "ElementByteOrderMSB = True\nHeaderSize = -1\nElementSpacing = 0.1 0.2 0.3\n"
                "TransformMatrix = 1 0 0 0 1 0 0 0 1\nOffset = 0 0 0\nElementDataFile = sub/vol.bin\n")
    with open(path("hand.nhdr"), "w") as f:
        f.write("NRRD0004\n# a comment\ntype: short\ndimension: 3\nspace: right-anterior-superior\n"
                "sizes: 5 4 3\nspace directions: (0.1,0,0) (0,0.2,0) (0,0,0.3)\nspace units: \"mm\" \"mm\" \"mm\"\n"
                "endian: big\nencoding: raw\nbyte skip: 8\nmodality:=test\ndata file: sub/vol.bin\n")
    with open(path("hand.nrrd"), "wb") as f:
        f.write(b"NRRD0005\ntype: int16\ndimension: 3\nsizes: 5 4 3\nspacings: 0.1 0.2 0.3\nendian: big\n"
                b"encoding: raw\n\n" + body)
    for h in ("hand.mhd", "hand.nhdr", "hand.nrrd"):
        r = zs("convert", path(h), path("h.npy"), "--force", "-q")
        i = info(path(h))
        if r.returncode or not np.array_equal(np.load(path("h.npy")), a):
            fail(f"{h}: {r.stderr.strip()} or voxels differ")
        elif not np.allclose(i.get("voxel_size"), [0.1, 0.2, 0.3]):
            fail(f"{h}: voxel size {i.get('voxel_size')}")
        else:
            print(f"ok: hand-written {h}: voxels, spacing {i['voxel_size']} {i['unit']!r}")
    with open(path("gz.nrrd"), "wb") as f:
        f.write(b"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: gzip\n\n" + b"\0" * 20)
    r = zs("info", path("gz.nrrd"))
    if r.returncode != 1 or "gzip" not in r.stderr:
        fail(f"gzip NRRD: exit {r.returncode} {r.stderr.strip()!r}")
    with open(path("short.mhd"), "w") as f:
        f.write("NDims = 3\nDimSize = 5 4 3\nElementType = MET_SHORT\nElementDataFile = sub/vol.bin\n")
    r = zs("info", path("short.mhd"))  # 128 bytes in the file: 120 needed, fits
    with open(path("toolong.mhd"), "w") as f:
        f.write("NDims = 3\nDimSize = 50 4 3\nElementType = MET_SHORT\nElementDataFile = sub/vol.bin\n")
    r = zs("info", path("toolong.mhd"))
    if r.returncode != 1 or "vol.bin" not in r.stderr:
        fail(f"MetaImage whose data file is too short: exit {r.returncode} {r.stderr.strip()!r}")
    print("ok: gzip NRRD refused, short data file named")


def main():
    test_written_headers()
    test_voxel_size_travels()
    test_sigma_in_um()
    test_hand_headers()
    finish("all MetaImage / NRRD checks passed", W)


if __name__ == "__main__":
    main()
