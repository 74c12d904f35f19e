#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Hostile HDF5 metadata, made with h5py: voxel sizes and the files they come from.

 - Voxel sizes that are infinite, NaN, zero or negative in a plain dataset's element_size_um,
   an Imaris file's extents and a BigDataViewer XML are no voxel size (1 and no unit, as the
   other readers treat them): `zslab info --json` is valid JSON with finite sizes, and `convert` to OME-Zarr,
   NRRD and MetaImage writes metadata that is JSON (.zattrs) and that zslab reads back.
 - A BigDataViewer file named without an extension, in a directory whose name has a dot, takes
   its voxel size from NAME.xml beside it, never from an XML named after the directory.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import json
import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import fail, finish, workdir, zs  # noqa: E402

W = workdir("hdf5-meta")
VOL = np.arange(4 * 5 * 6, dtype="uint16").reshape(6, 5, 4)  # z, y, x


def path(name):
    return os.path.join(W, name)


def info_of(f):
    r = zs("info", f, "--json")
    if r.returncode != 0:
        fail(f"zslab info {f}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        fail(f"zslab info {f} --json is not JSON ({e}): {r.stdout[:300]}")
        return None


def finite_sizes(name, f, want):
    """f reads with voxel size `want` (x, y, z), and converts to files that keep it as numbers."""
    inf = info_of(f)
    if inf and not (all(isinstance(v, (int, float)) and math.isfinite(v) for v in inf["voxel_size"])
                    and np.allclose(inf["voxel_size"], want) and inf["unit"] == ""):
        fail(f"{name}: voxel size {inf['voxel_size']} {inf['unit']!r}, expected {want} without a unit")
    for ext in (".ome.zarr", ".nrrd", ".mhd"):
        out = path(name + ext)
        r = zs("convert", f, out, "--force", "-q")
        if r.returncode != 0:
            fail(f"{name}: convert to {ext}: exit {r.returncode}: {r.stderr.strip()}")
            continue
        if ext == ".ome.zarr":
            try:
                with open(os.path.join(out, ".zattrs")) as z:
                    json.load(z)
            except ValueError as e:
                fail(f"{name}: the .zattrs written is not JSON ({e})")
        back = info_of(out)
        if back and (None in back["voxel_size"] or not np.allclose(back["voxel_size"], want)):
            fail(f"{name}: {ext} reads back voxel size {back['voxel_size']}, expected {want}")


# a plain dataset: element_size_um is z, y, x
for k, bad in enumerate((math.inf, -math.inf, math.nan, 0.0, -2.0)):
    f = path(f"plain{k}.h5")
    with h5py.File(f, "w") as h:
        h["vol"] = VOL
        h["vol"].attrs["element_size_um"] = np.array([bad, 0.5, 0.25])
        h["vol"].dims[0].label, h["vol"].dims[1].label, h["vol"].dims[2].label = "z", "y", "x"
    finite_sizes(f"plain_{bad}", f, [0.25, 0.5, 1.0])

# Imaris: the voxel size is (ExtMax - ExtMin) / size; an infinite extent along x


def chars(s):
    return np.frombuffer(s.encode(), dtype="S1")


ims = path("inf.ims")
with h5py.File(ims, "w") as h:
    img = h.create_group("DataSetInfo/Image")
    for k, v in (("X", 4), ("Y", 5), ("Z", 6)):
        img.attrs[k] = chars(str(v))
    for k, v in (("ExtMin0", "0"), ("ExtMin1", "0"), ("ExtMin2", "0"), ("ExtMax0", "1e400"), ("ExtMax1", "2.5"),
                 ("ExtMax2", "inf")):
        img.attrs[k] = chars(v)
    h.create_dataset("DataSet/ResolutionLevel 0/TimePoint 0/Channel 0/Data", data=VOL)
finite_sizes("imaris_inf", ims, [1.0, 0.5, 1.0])

# BigDataViewer: the XML says inf


def bdv_file(f):
    with h5py.File(f, "w") as h:
        h.create_dataset("t00000/s00/0/cells", data=VOL)
        h["s00/resolutions"] = np.ones((1, 3))


def bdv_xml(f, sizes):
    with open(f, "w") as x:
        x.write('<?xml version="1.0"?><SpimData><SequenceDescription><ViewSetups><ViewSetup><id>0</id>'
                f"<voxelSize><unit>um</unit><size>{sizes}</size></voxelSize></ViewSetup></ViewSetups>"
                "</SequenceDescription></SpimData>")


bdv_file(path("bdv.h5"))
bdv_xml(path("bdv.xml"), "inf 0.4 nan")
finite_sizes("bdv_inf", path("bdv.h5"), [1.0, 0.4, 1.0])

# a BigDataViewer file without an extension in a directory named with a dot: its XML is
# NAME.xml; an XML named after the directory ("my.xml" beside "my.data/") is another file's
os.makedirs(path("my.data"), exist_ok=True)
bdv_file(path("my.data/stack"))
bdv_xml(path("my.xml"), "7 7 7")
inf = info_of(path("my.data/stack"))
if inf and not np.allclose(inf["voxel_size"], [1, 1, 1]):
    fail(f"a BigDataViewer file without an extension takes {inf['voxel_size']} from an unrelated XML (my.xml)")
bdv_xml(path("my.data/stack.xml"), "0.5 0.5 2")
inf = info_of(path("my.data/stack"))
if inf and not np.allclose(inf["voxel_size"], [0.5, 0.5, 2]):
    fail(f"a BigDataViewer file without an extension: voxel size {inf['voxel_size']}, expected its stack.xml's")

finish("hdf5-meta: non-finite voxel sizes are none, and a BigDataViewer file's XML is its own", W)
