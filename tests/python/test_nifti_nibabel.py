#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab against nibabel's NIfTI-1 and NIfTI-2 reader and writer.

nibabel → zslab: single-file images written by nibabel (every dtype, little- and big-endian,
scaled with scl_slope/scl_inter, NIfTI-2, 4-D series, voxel sizes and units): `zslab info
--json` must agree with nibabel's header, and every voxel read through slab mappings
(tests/slabdump) must equal nibabel's get_fdata() within float32 precision (exactly when
unscaled). zslab → nibabel: `zslab create out.nii ...` opens in nibabel without warnings or
header problems, with the right shape, zooms and values; a dimension over 32767 gives NIfTI-2.

Environment: ZSLAB (the zslab tool), ZS_TEST_DATA (tests/data), ZS_SLABDUMP (optional; else
searched upward from ZSLAB's directory as tests/slabdump). Exit 1 on any failure.
"""
import json
import os
import sys
import tempfile
import warnings

import numpy as np
import nibabel as nib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import capture, fail, find_tools, finish  # noqa: E402

DTYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float32", "float64"]
UNITS = {"mm": "mm", "micron": "um", "meter": "m", "unknown": ""}


def values(dtype, shape, rng):
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    if dt.kind == "f":
        a = rng.standard_normal(n) * 1e3
        a[:3] = [0.0, np.finfo(dt).max, -np.finfo(dt).tiny]
        return a.astype(dt).reshape(shape)
    info = np.iinfo(dt)
    lo, hi = max(int(info.min), -(2 ** 53)), min(int(info.max), 2 ** 53)
    a = rng.integers(lo, hi, size=n, endpoint=True, dtype=np.uint64 if hi >= 2 ** 63 else np.int64)
    a[:2] = [lo, hi]
    return a.astype(dt).reshape(shape)


def save(path, data, version=1, endian="<", dtype=None, zooms=(1.0, 1.0, 1.0), unit="mm"):
    """nibabel writes `data` as `dtype` (scaling it when dtype is an integer and data float)."""
    cls, hcls = (nib.Nifti1Image, nib.Nifti1Header) if version == 1 else (nib.Nifti2Image, nib.Nifti2Header)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nibabel warns about 64-bit integer images
        img = cls(data, np.diag(list(zooms) + [1.0]), header=hcls(endianness=endian))
        img.set_data_dtype(np.dtype(dtype or data.dtype).newbyteorder(endian))
        img.header.set_zooms((tuple(zooms) + (1.0,) * (data.ndim - 3))[: data.ndim])
        img.header.set_xyzt_units(xyz=unit)
        nib.save(img, path)


def expected_info(path):
    img = nib.load(path)
    hdr = img.header
    dt = hdr.get_data_dtype()
    shape = list(img.shape)
    full = shape + [1] * (4 - len(shape))
    bo = "none" if dt.itemsize == 1 else ("big" if hdr.endianness == ">" else "little")
    return img, {
        "path": path, "format": "nifti2" if isinstance(img, nib.Nifti2Image) else "nifti1",
        "version": 2 if isinstance(img, nib.Nifti2Image) else 1, "ndim": len(shape), "shape": shape,
        "nx": full[0], "ny": full[1], "nz": full[2], "nt": full[3], "dtype": dt.name, "descr": dt.str,
        "byte_order": bo, "order": "F", "offset": int(img.dataobj.offset),
        "nbytes": int(np.prod(shape)) * dt.itemsize, "slope": float(img.dataobj.slope),
        "inter": float(img.dataobj.inter), "voxel_size": ([float(z) for z in hdr.get_zooms()] + [1.0] * 3)[:3],
        "unit": UNITS[hdr.get_xyzt_units()[0]], "slab_access": "contiguous",
    }


def check_info(zslab, path):
    r = capture([zslab, "info", path, "--json"])
    if r.returncode != 0:
        fail(f"zslab info {path}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    try:
        got = json.loads(r.stdout)
    except ValueError as e:
        fail(f"zslab info {path} --json: not one JSON object ({e}): {r.stdout[:200]!r}")
        return None
    img, want = expected_info(path)
    for k, v in want.items():
        if k not in got:
            fail(f"{path}: info --json has no key {k!r}")
        elif got[k] != v:
            fail(f"{path}: info {k} = {got[k]!r}, nibabel says {v!r}")
    return img


def close(got, want, scaled):
    if not scaled:
        return np.array_equal(got, want, equal_nan=True)
    tol = 2.0 ** -22 * np.maximum(np.abs(want), np.max(np.abs(want)) * 2.0 ** -20 + 1e-30)
    return bool(np.all((got == want) | (np.abs(got - want) <= tol)))


def check_voxels(dump, path, img, tmp, slabs=(1, 2, "whole"), halos=(0, 2)):
    want = img.get_fdata().ravel(order="F")
    scaled = img.dataobj.slope != 1.0 or img.dataobj.inter != 0.0
    out = os.path.join(tmp, "dump.f64")
    for slab in slabs:
        for halo in halos:
            r = capture([dump, path, out, str(slab), str(halo)])
            if r.returncode != 0:
                fail(f"slabdump {path} slab {slab} halo {halo}: exit {r.returncode}: {r.stderr.strip()}")
                continue
            got = np.fromfile(out, dtype=np.float64)
            if got.shape != want.shape:
                fail(f"slabdump {path} slab {slab} halo {halo}: {got.size} values, nibabel has {want.size}")
            elif not close(got, want, scaled):
                i = int(np.argmax(np.abs(got - want)))
                fail(f"slabdump {path} slab {slab} halo {halo}: voxel {i} is {got[i]!r}, nibabel {want[i]!r}")


def nibabel_to_zslab(zslab, dump, tmp):
    rng = np.random.default_rng(20260102)
    cases = []
    for dtype in DTYPES:
        for endian in ("<", ">"):
            cases.append(dict(name=f"n1_{dtype}_{endian == '>' and 'be' or 'le'}", data=values(dtype, (9, 7, 5), rng),
                              endian=endian, zooms=(0.5, 0.75, 2.0), unit=["mm", "micron", "meter", "unknown"][len(cases) % 4]))
    smooth = np.linspace(-40.0, 3000.0, 9 * 7 * 5).reshape(9, 7, 5)
    for dtype in ("int16", "uint8", "int8", "uint16", "int32"):
        for endian in ("<", ">"):
            cases.append(dict(name=f"n1_scaled_{dtype}_{endian == '>' and 'be' or 'le'}", data=smooth, dtype=dtype,
                              endian=endian))
    cases += [
        dict(name="n2_uint16_le", data=values("uint16", (9, 7, 5), rng), version=2, zooms=(0.25, 0.25, 1.0), unit="micron"),
        dict(name="n2_float32_be", data=values("float32", (6, 5, 4), rng), version=2, endian=">"),
        dict(name="n2_scaled_int16_be", data=smooth, dtype="int16", version=2, endian=">"),
        dict(name="n2_int64_le", data=values("int64", (4, 3, 5), rng), version=2),
        dict(name="n1_4d_int16", data=values("int16", (5, 4, 3, 3), rng), zooms=(1.0, 2.0, 3.0)),
        dict(name="n1_4d_scaled_uint8_be", data=np.linspace(0, 1, 5 * 4 * 3 * 2).reshape(5, 4, 3, 2), dtype="uint8",
             endian=">"),
        dict(name="n2_4d_float64", data=values("float64", (4, 3, 3, 2), rng), version=2),
        dict(name="n1_2d_uint8", data=values("uint8", (9, 7), rng)),
    ]
    for c in cases:
        path = os.path.join(tmp, c["name"] + ".nii")
        data = c["data"]
        zooms = c.get("zooms", (1.0, 1.0, 1.0))
        save(path, data, version=c.get("version", 1), endian=c.get("endian", "<"), dtype=c.get("dtype"),
             zooms=zooms, unit=c.get("unit", "mm"))
        img = check_info(zslab, path)
        if img is None:
            continue
        if "scaled" in c["name"] and img.dataobj.slope == 1.0 and img.dataobj.inter == 0.0:
            fail(f"{path}: nibabel did not scale this file; the test does not test scaling")
        check_voxels(dump, path, img, tmp)
    return len(cases)


def load_clean(path):
    """nibabel load with warnings as errors and no header problems; returns the image."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        img = nib.load(path)
        data = img.get_fdata()
    hclass = nib.Nifti2Header if isinstance(img, nib.Nifti2Image) else nib.Nifti1Header
    with open(path, "rb") as f:
        problems = hclass.diagnose_binaryblock(f.read(hclass.template_dtype.itemsize))
    if problems:
        fail(f"{path}: nibabel reports header problems: {problems}")
    return img, data


def ramp(shape, dtype):
    grids = np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")
    r = sum(grids[:3]).astype(np.float64)
    if np.dtype(dtype).kind in "iu":
        r = np.minimum(r, np.iinfo(dtype).max)
    return r


def zslab_to_nibabel(zslab, tmp):
    for dtype in DTYPES:
        path = os.path.join(tmp, f"created_{dtype}.nii")
        r = capture([zslab, "create", path, "--shape", "9x7x5", "--dtype", dtype, "--voxel-size", "0.5x0.5x2",
                    "--pattern", "ramp"])
        if r.returncode != 0:
            fail(f"zslab create {path}: exit {r.returncode}: {r.stderr.strip()}")
            continue
        try:
            img, data = load_clean(path)
        except Exception as e:  # noqa: BLE001 - any nibabel complaint is a failure
            fail(f"{path}: nibabel cannot load it cleanly: {e!r}")
            continue
        if not isinstance(img, nib.Nifti1Image) or isinstance(img, nib.Nifti2Image):
            fail(f"{path}: expected NIfTI-1, nibabel loads {type(img).__name__}")
        if img.shape != (9, 7, 5) or img.get_data_dtype() != np.dtype(dtype):
            fail(f"{path}: nibabel sees {img.shape} {img.get_data_dtype()}")
            continue
        if tuple(float(z) for z in img.header.get_zooms()) != (0.5, 0.5, 2.0):
            fail(f"{path}: zooms {img.header.get_zooms()}, want (0.5, 0.5, 2.0)")
        if not np.allclose(np.diag(img.affine), [0.5, 0.5, 2.0, 1.0]):
            fail(f"{path}: affine {img.affine.tolist()}")
        if not np.array_equal(data, ramp((9, 7, 5), dtype)):
            fail(f"{path}: values differ from the ramp x+y+z")
    # A dimension over 32767: NIfTI-2.
    path = os.path.join(tmp, "wide.nii")
    r = capture([zslab, "create", path, "--shape", "40000x2x1", "--dtype", "uint8", "--pattern", "ramp"])
    if r.returncode != 0:
        fail(f"zslab create {path}: exit {r.returncode}: {r.stderr.strip()}")
    else:
        img, data = load_clean(path)
        if not isinstance(img, nib.Nifti2Image) or img.shape != (40000, 2, 1):
            fail(f"{path}: nibabel loads {type(img).__name__} {img.shape}, want Nifti2Image (40000, 2, 1)")
        elif not np.array_equal(data, ramp((40000, 2, 1), "uint8")):
            fail(f"{path}: values differ from the saturated ramp")
    # A 4-D series: every volume of the series holds the ramp x+y+z.
    path = os.path.join(tmp, "series.nii")
    r = capture([zslab, "create", path, "--shape", "5x4x3x2", "--dtype", "int16", "--pattern", "ramp"])
    if r.returncode != 0:
        fail(f"zslab create {path}: exit {r.returncode}: {r.stderr.strip()}")
    else:
        img, data = load_clean(path)
        if img.shape != (5, 4, 3, 2):
            fail(f"{path}: nibabel sees {img.shape}, want (5, 4, 3, 2)")
        elif not np.array_equal(data, ramp((5, 4, 3, 2), "int16")):
            fail(f"{path}: values differ from the ramp x+y+z in each volume")
    # Existing output.
    path = os.path.join(tmp, "created_int16.nii")
    r = capture([zslab, "create", path, "--shape", "3x3x3", "--dtype", "uint8"])
    if r.returncode != 1 or "created_int16.nii" not in r.stderr:
        fail(f"zslab create over an existing file: exit {r.returncode}: {r.stderr.strip()!r}")


def bad_files(zslab):
    d = os.path.join(os.environ.get("ZS_TEST_DATA", ""), "bad")
    if not os.path.isdir(d):
        fail(f"ZS_TEST_DATA/bad not found ({d})")
        return
    for name in sorted(os.listdir(d)):
        if ".nii" not in name:
            continue
        r = capture([zslab, "info", os.path.join(d, name), "--json"])
        if r.returncode != 1 or name not in r.stderr:
            fail(f"zslab info bad/{name}: exit {r.returncode}, stderr {r.stderr.strip()!r} "
                 "(want exit 1 and a message naming the file)")


def main():
    zslab, dump = find_tools()
    print(f"zslab: {zslab}\nslabdump: {dump}\nnibabel {nib.__version__}, numpy {np.__version__}")
    with tempfile.TemporaryDirectory(prefix="zs_nifti_", dir=os.getcwd()) as tmp:
        n = nibabel_to_zslab(zslab, dump, tmp)
        print(f"nibabel → zslab: {n} files checked")
        zslab_to_nibabel(zslab, tmp)
        print("zslab → nibabel: created files checked")
        bad_files(zslab)
    finish("all checks passed")


if __name__ == "__main__":
    sys.exit(main())
