#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab reading Zarr v2 arrays written by zarr-python, the reference Zarr implementation.

Each array (blosc lz4 + shuffle, blosc zstd + bitshuffle, blosc lz4hc / zlib / blosclz,
zstd, gzip, zlib, uncompressed; C and F order; "." and "/" dimension separators; chunks that
do not divide the shape; a missing chunk read as fill_value (int64 and uint64 fill values
beyond 2^53 exactly); big-endian dtypes; uint8, int16,
uint16, int32, float32, float64) is
 - converted to .npy and compared with the array zarr-python reads (an array without axis
   names keeps zslab's rule: dimension 0 is x, as for .npy), and
 - filtered (median:size=3, gaussian:sigma=1.5) and compared bit for bit with the same data
   filtered from a .npy file.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import os
import shutil
import subprocess
import sys

import numpy as np

try:
    import numcodecs
    import zarr
except ImportError as e:  # the test cannot check anything without zarr-python
    print(f"SKIP: zarr-python is not installed ({e})")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zstest  # noqa: E402
from zstest import fail, finish, workdir, zs  # noqa: E402

W = workdir("zarr-xval")
DUMP = zstest.find_tools()[1]
OPS = ["median:size=3", "gaussian:sigma=1.5"]


def path(name):
    return os.path.join(W, name)


def data(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return (rng.standard_normal(shape) * 1000).astype(dt)
    info = np.iinfo(dt)
    lo, hi = max(info.min, -30000), min(info.max, 60000)
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(dt)


def write_zarr(name, a, chunks, compressor, order="C", sep=".", fill=0):
    store = zarr.DirectoryStore(path(name), dimension_separator=sep)
    z = zarr.create(shape=a.shape, chunks=chunks, dtype=a.dtype, compressor=compressor, order=order, store=store,
                    fill_value=fill, overwrite=True)
    z[...] = a
    return path(name)


def converted(src, name):
    return zstest.converted(src, path(name + ".npy"), name)


def filtered(src, name, op, *extra):
    out = path(name + ".npy")
    r = zs("filter", src, out, "--op", op, "--force", "-q", *extra)
    if r.returncode != 0:
        fail(f"{name}: zslab filter {op}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return np.load(out)


def check(name, src, expect):
    """src (a Zarr array) reads as expect, and filters to the same bits as expect's .npy."""
    ref_in = path(name + "_ref_in.npy")
    np.save(ref_in, expect)
    got = converted(src, name + "_conv")
    # conversion goes through float32 (as from .npy): float64 compares with the .npy's conversion
    want = converted(ref_in, name + "_conv_ref") if expect.dtype == np.float64 else expect
    if got is not None and want is not None:
        if got.shape != expect.shape or got.dtype != expect.dtype:
            fail(f"{name}: zslab reads {got.shape} {got.dtype}, zarr {expect.shape} {expect.dtype}")
        elif not np.array_equal(got, want, equal_nan=True):
            fail(f"{name}: {int(np.sum(got != want))} of {got.size} voxels differ from zarr's")
    for k, op in enumerate(OPS):
        a = filtered(src, f"{name}_f{k}", op)
        b = filtered(ref_in, f"{name}_r{k}", op)
        if a is None or b is None:
            continue
        if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
            fail(f"{name}: {op} of the Zarr array differs from {op} of the same .npy")


def main():
    shape, chunks = (23, 19, 17), (7, 5, 6)  # no chunk size divides its axis
    cases = [
        ("blosc_lz4_shuffle", "<u2", numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE), "C", "."),
        ("blosc_zstd_bitshuffle", "<u2", numcodecs.Blosc("zstd", 3, numcodecs.Blosc.BITSHUFFLE), "F", "/"),
        ("blosc_lz4hc_f32", "<f4", numcodecs.Blosc("lz4hc", 5, numcodecs.Blosc.SHUFFLE), "C", "/"),
        ("blosc_zlib_i16", "<i2", numcodecs.Blosc("zlib", 5, numcodecs.Blosc.NOSHUFFLE), "F", "."),
        ("blosc_blosclz_u8", "|u1", numcodecs.Blosc("blosclz", 5, numcodecs.Blosc.SHUFFLE), "C", "."),
        ("zstd_c", "<u2", numcodecs.Zstd(level=3), "C", "."),
        ("zstd_f_i32", "<i4", numcodecs.Zstd(level=1), "F", "/"),
        ("gzip_f", "<u2", numcodecs.GZip(level=5), "F", "/"),
        ("zlib_f8", "<f8", numcodecs.Zlib(level=1), "C", "."),
        ("raw_c", "<u2", None, "C", "/"),
        ("raw_big_endian", ">u2", None, "F", "."),
        ("blosc_big_endian_f4", ">f4", numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE), "C", "."),
    ]
    for i, (name, dt, comp, order, sep) in enumerate(cases):
        a = data(shape, dt, i)
        check(name, write_zarr(name + ".zarr", a, chunks, comp, order, sep), a)

    # a chunk file that does not exist holds fill_value (zarr-python reads it so, too)
    a = data(shape, "<u2", 99)
    src = write_zarr("missing.zarr", a, chunks, numcodecs.Blosc("lz4", 5, 1), fill=7)
    os.remove(os.path.join(src, "1.2.1"))
    expect = zarr.open(src, mode="r")[...]
    if not np.all(expect[7:14, 10:15, 6:12] == 7):
        fail("missing chunk: zarr-python does not read fill_value where the chunk was (test data)")
    check("missing_chunk_fill", src, expect)

    # 64-bit fill values beyond 2^53 read exactly as zarr-python reads them (no chunk written)
    big = [("<i8", 2**53 + 1), ("<i8", -(2**53) - 1), ("<i8", 2**63 - 1), ("<i8", -(2**63)), ("<u8", 2**64 - 1),
           ("<u8", 2**63 + 1), (">u8", 2**53 + 3)]
    for k, (dt, fill) in enumerate(big):
        src = path(f"fill64_{k}.zarr")
        zarr.create(shape=(5, 4, 3), chunks=(2, 4, 3), dtype=dt, compressor=None, fill_value=fill,
                    store=zarr.DirectoryStore(src), overwrite=True)
        expect = zarr.open(src, mode="r")[...]
        if int(expect[0, 0, 0]) != fill:
            fail(f"fill {fill}: zarr-python reads {int(expect[0, 0, 0])} (test data)")
        out = path(f"fill64_{k}.bin")  # the stored elements (zslab's F order), exact
        r = subprocess.run([DUMP, src, out, "whole", "0", "--values", "stored"], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"{dt} fill_value {fill}: slabdump: exit {r.returncode}: {r.stderr.strip()}")
            continue
        got = np.fromfile(out, dtype=np.dtype(dt).newbyteorder("="))
        if got.size != expect.size or not np.all(got == expect.flat[0]):
            fail(f"{dt} fill_value {fill}: zslab reads {int(got.flat[0])}, zarr-python {int(expect.flat[0])}")

    # a directory named without .zarr (it holds .zarray), and a 2-D and a 4-D array
    plain = path("plain_dir")
    shutil.copytree(path("zstd_c.zarr"), plain)
    got = converted(plain, "plain_dir")
    if got is not None and not np.array_equal(got, data(shape, "<u2", 5)):
        fail("a directory holding .zarray: voxels differ")
    a4 = data((9, 8, 7, 3), "<u2", 40)
    got = converted(write_zarr("four.zarr", a4, (4, 3, 7, 2), numcodecs.Zstd()), "four")
    if got is not None and (got.shape != a4.shape or not np.array_equal(got, a4)):
        fail(f"4-D array: zslab reads {got.shape}, expected {a4.shape} and the same voxels")
    finish("test_xval_zarr: every Zarr array reads and filters like its .npy", W)


if __name__ == "__main__":
    main()
