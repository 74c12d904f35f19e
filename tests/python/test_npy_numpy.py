#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab against numpy's own .npy reader and writer.

numpy → zslab: files written by np.save / open_memmap / write_array (versions 1.0, 2.0, 3.0)
for every dtype, byte order, memory order and a few odd shapes. `zslab info --json` must
agree with numpy's view of the header, and every voxel read through slab mappings
(tests/slabdump, several slab heights and halos) must equal numpy's value exactly.
zslab → numpy: files made by `zslab create` load with np.load(mmap_mode='r') with the right
values, and their header is byte for byte the one numpy writes.

Environment: ZSLAB (the zslab tool), ZS_TEST_DATA (tests/data), ZS_SLABDUMP (optional; else
searched upward from ZSLAB's directory as tests/slabdump). Exit 1 on any failure.
"""
import io
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import capture, fail, find_tools, finish  # noqa: E402

DTYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float32", "float64"]
SHAPES = [(7,), (5, 3), (9, 7, 5), (3, 4, 5, 2)]


def values(dtype, shape, rng):
    """Data spanning the dtype's range, exactly representable in float64."""
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    if dt.kind == "f":
        a = rng.standard_normal(n) * 1e3
        specials = [0.0, -0.0, np.inf, -np.inf, np.nan, np.finfo(dt).max, np.finfo(dt).tiny, 1.5]
        a[: min(n, len(specials))] = specials[: min(n, len(specials))]
        return a.astype(dt).reshape(shape)
    info = np.iinfo(dt)
    lo, hi = max(int(info.min), -(2 ** 53)), min(int(info.max), 2 ** 53)
    a = rng.integers(lo, hi, size=n, endpoint=True, dtype=np.int64 if dt.kind == "i" or hi < 2 ** 63 else np.uint64)
    a[: min(n, 2)] = [lo, hi][: min(n, 2)]
    return a.astype(dt).reshape(shape)


def header_of(path):
    """numpy's view: version, offset of the data, shape, fortran_order, dtype."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        shape, fortran, dtype = np.lib.format._read_array_header(f, version)
        return version, f.tell(), shape, fortran, dtype


def expected_info(path):
    version, offset, shape, fortran, dtype = header_of(path)
    full = list(shape) + [1] * (4 - len(shape))
    if dtype.itemsize == 1:
        bo = "none"
    elif dtype.byteorder == ">" or (dtype.byteorder == "=" and sys.byteorder == "big"):
        bo = "big"
    else:
        bo = "little"
    return {
        "path": path, "format": "npy", "version": version[0], "ndim": len(shape), "shape": list(shape),
        "nx": full[0], "ny": full[1], "nz": full[2], "nt": full[3], "dtype": dtype.name, "descr": dtype.str,
        "byte_order": bo, "order": "F" if fortran else "C", "offset": offset,
        "nbytes": int(np.prod(shape)) * dtype.itemsize, "slope": 1, "inter": 0, "voxel_size": [1, 1, 1],
        "unit": "", "slab_access": "contiguous" if fortran else "gather",
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
    want = expected_info(path)
    for k, v in want.items():
        if k not in got:
            fail(f"{path}: info --json has no key {k!r}")
        elif got[k] != v:
            fail(f"{path}: info {k} = {got[k]!r}, numpy says {v!r}")
    return got


def check_voxels(dump, path, a, slabs, halos, tmp):
    want = np.asarray(a).astype(np.float64).ravel(order="F")
    out = os.path.join(tmp, "dump.f64")
    for slab in slabs:
        for halo in halos:
            r = capture([dump, path, out, str(slab), str(halo)])
            if r.returncode != 0:
                fail(f"slabdump {path} slab {slab} halo {halo}: exit {r.returncode}: {r.stderr.strip()}")
                continue
            try:
                got = np.fromfile(out, dtype=np.float64)
            except OSError as e:
                fail(f"slabdump {path} slab {slab} halo {halo}: no output ({e})")
                continue
            if got.shape != want.shape:
                fail(f"slabdump {path} slab {slab} halo {halo}: {got.size} values, numpy has {want.size}")
            elif not np.array_equal(got, want, equal_nan=True):
                bad = np.flatnonzero(~((got == want) | (np.isnan(got) & np.isnan(want))))
                fail(f"slabdump {path} slab {slab} halo {halo}: {bad.size} voxels differ, first at F index "
                     f"{bad[0]}: {got[bad[0]]!r} vs numpy {want[bad[0]]!r}")


def write(path, a, how):
    if how == "save":
        np.save(path, a)
    elif how == "memmap":
        m = np.lib.format.open_memmap(path, mode="w+", dtype=a.dtype, shape=a.shape,
                                      fortran_order=a.flags.f_contiguous and a.ndim > 1)
        m[...] = a
        m.flush()
        del m
    else:  # version tuple
        with open(path, "wb") as f:
            np.lib.format.write_array(f, a, version=how)


def numpy_to_zslab(zslab, dump, tmp):
    rng = np.random.default_rng(20260101)
    count = 0
    for dtype in DTYPES:
        orders = ["|"] if np.dtype(dtype).itemsize == 1 else ["<", ">"]
        for bo in orders:
            dt = np.dtype(dtype).newbyteorder(bo) if bo != "|" else np.dtype(dtype)
            for order in ("F", "C"):
                for shape in SHAPES:
                    a = values(dt, shape, rng)
                    a = np.asfortranarray(a) if order == "F" else np.ascontiguousarray(a)
                    how = ["save", "memmap"][count % 2]
                    if count == 5:
                        how = (2, 0)
                    if count == 11:
                        how = (3, 0)
                    count += 1
                    path = os.path.join(tmp, f"{dtype}_{'be' if bo == '>' else 'le'}_{order}_{len(shape)}d.npy")
                    write(path, a, how)
                    if check_info(zslab, path) is None:
                        continue
                    nz = shape[2] if len(shape) > 2 else 1
                    slabs = [1, 2, 3, "whole"] if nz > 1 else ["whole"]
                    check_voxels(dump, path, np.load(path, mmap_mode="r"), slabs, [0, 2], tmp)
    return count


def numpy_header(descr, shape):
    b = io.BytesIO()
    np.lib.format.write_array_header_1_0(b, {"descr": descr, "fortran_order": True, "shape": tuple(shape)})
    return b.getvalue()


def zslab_to_numpy(zslab, tmp):
    ramp_shapes = [(9, 7, 5), (7, 1, 1), (1, 1, 1), (300, 2, 3), (12345, 1, 2)]
    for dtype in DTYPES:
        for shape in ramp_shapes:
            path = os.path.join(tmp, f"created_{dtype}_{'x'.join(map(str, shape))}.npy")
            r = capture([zslab, "create", path, "--shape", "x".join(map(str, shape)), "--dtype", dtype,
                        "--pattern", "ramp"])
            if r.returncode != 0:
                fail(f"zslab create {path}: exit {r.returncode}: {r.stderr.strip()}")
                continue
            a = np.load(path, mmap_mode="r")
            version, offset, hshape, fortran, hdtype = header_of(path)
            if offset % 64 != 0:
                fail(f"{path}: data offset {offset} is not a multiple of 64")
            if tuple(a.shape) != shape or a.dtype != np.dtype(dtype) or not fortran:
                fail(f"{path}: numpy sees shape {a.shape} {a.dtype.str} fortran={fortran}")
                continue
            with open(path, "rb") as f:
                head = f.read(offset)
            want_head = numpy_header(np.dtype(dtype).str, shape)
            if head != want_head:
                fail(f"{path}: header differs from numpy's:\n  zslab {head!r}\n  numpy {want_head!r}")
            x, y, z = np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")
            ramp = (x + y + z).astype(np.float64)
            if np.dtype(dtype).kind in "iu":
                ramp = np.minimum(ramp, np.iinfo(dtype).max)
            if not np.array_equal(np.asarray(a, dtype=np.float64), ramp):
                idx = np.argwhere(np.asarray(a, dtype=np.float64) != ramp)[0]
                fail(f"{path}: ramp value at {tuple(idx)} is {a[tuple(idx)]}, expected {ramp[tuple(idx)]}")
    # zeros, voxel size (dropped by .npy), refusing to overwrite, --force
    path = os.path.join(tmp, "zeros.npy")
    r = capture([zslab, "create", path, "--shape", "9x7x5", "--dtype", "float32", "--pattern", "zeros",
                "--voxel-size", "1x1x4"])
    if r.returncode != 0:
        fail(f"zslab create zeros --voxel-size: exit {r.returncode}: {r.stderr.strip()}")
    elif np.any(np.load(path)):
        fail(f"{path}: pattern zeros is not all zero")
    r = capture([zslab, "create", path, "--shape", "3x3x3", "--dtype", "uint8"])
    if r.returncode != 1 or "zeros.npy" not in r.stderr:
        fail(f"zslab create over an existing file: exit {r.returncode} (want 1 naming the file): {r.stderr.strip()!r}")
    if np.load(path).shape != (9, 7, 5):
        fail(f"{path}: overwritten without --force")
    r = capture([zslab, "create", path, "--shape", "3x3x3", "--dtype", "uint8", "--force"])
    if r.returncode != 0 or np.load(path).shape != (3, 3, 3):
        fail(f"zslab create --force: exit {r.returncode}: {r.stderr.strip()}")


def bad_files(zslab):
    d = os.path.join(os.environ.get("ZS_TEST_DATA", ""), "bad")
    if not os.path.isdir(d):
        fail(f"ZS_TEST_DATA/bad not found ({d})")
        return
    for name in sorted(os.listdir(d)):
        if not name.endswith(".npy"):
            continue
        r = capture([zslab, "info", os.path.join(d, name), "--json"])
        if r.returncode != 1 or name not in r.stderr:
            fail(f"zslab info bad/{name}: exit {r.returncode}, stderr {r.stderr.strip()!r} "
                 "(want exit 1 and a message naming the file)")


def main():
    zslab, dump = find_tools()
    print(f"zslab: {zslab}\nslabdump: {dump}\nnumpy {np.__version__}")
    with tempfile.TemporaryDirectory(prefix="zs_npy_", dir=os.getcwd()) as tmp:
        n = numpy_to_zslab(zslab, dump, tmp)
        print(f"numpy → zslab: {n} files checked")
        zslab_to_numpy(zslab, tmp)
        print("zslab → numpy: created files checked")
        bad_files(zslab)
    finish("all checks passed")


if __name__ == "__main__":
    sys.exit(main())
