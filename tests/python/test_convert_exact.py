# SPDX-License-Identifier: BSD-3-Clause
"""`zslab convert` (a plan with no stages) is exact for 64- and 32-bit integers: int64 and uint64
volumes holding 2^53+1, 2^63-1, -2^63, 2^64-1 among small values, little- and big-endian, convert to
their own dtype bit for bit, to the other integer dtypes saturated (numpy's clip then astype), to
float64 and float32 rounded once (numpy's astype), and to NIfTI, TIFF and Zarr (read back with
nibabel, tifffile and zarr); the same under --precision float32 and float64, which have no stage to
act on. --dry-run names the exact work. float64 volumes convert from float64 (rounded once), never
through float32."""
import os
import shutil
import sys

import numpy as np

from zstest import run, workdir

SHAPE = (6, 5, 4)
TARGETS = ["int64", "uint64", "int32", "uint32", "int16", "uint16", "int8", "uint8", "bool", "float64", "float32"]


def volume(dtype, rng):
    """Small values with the extremes of dtype and values beyond 2^53 mixed in."""
    info = np.iinfo(dtype)
    big = [2**53 + 1, 2**53 + 3, 2**63 - 1, 2**62 + 12345, info.max, info.max - 1, 70000, 255, 256, 0, 1]
    if info.min < 0:
        big += [-(2**53) - 1, -(2**63), -(2**63) + 1, -70000, -129, -1]
    flat = rng.integers(-50 if info.min < 0 else 0, 300, size=int(np.prod(SHAPE))).astype(object)
    flat[: len(big)] = big
    rng.shuffle(flat)
    return np.array(flat.tolist(), dtype=dtype).reshape(SHAPE)


def expected(vol, target):
    """numpy: saturate (in Python integers, exact) then cast; floats by astype (one rounding)."""
    t = np.dtype(target)
    if t.kind == "f":
        return vol.astype(t)
    if t.kind == "b":
        return vol != 0
    info = np.iinfo(t)
    return np.array([min(max(int(v), info.min), info.max) for v in vol.ravel()], dtype=t).reshape(vol.shape)


def same(got, want):
    return got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)


def check_npy(d, rng):
    """Every target dtype from int64, uint64 and big-endian inputs, under each precision."""
    n = failures = 0
    for src_dtype in ["<i8", "<u8", ">i8", ">u8"]:
        vol = volume(np.dtype(src_dtype), rng)
        src = os.path.join(d, "in.npy")
        np.save(src, vol)
        for target in TARGETS:
            want = expected(vol.astype(vol.dtype.newbyteorder("=")), target)
            for extra in ([], ["--precision", "float32"], ["--precision", "float64"]):
                dst = os.path.join(d, "out.npy")
                run("convert", src, dst, "--dtype", target, "--force", "--quiet", "--slab", 2, *extra)
                got = np.load(dst)
                n += 1
                if not same(got.astype(got.dtype.newbyteorder("=")), want):
                    bad = np.argwhere(got != want) if got.shape == want.shape else [[]]
                    i = tuple(int(v) for v in bad[0]) if len(bad) else ()
                    print(f"FAIL {src_dtype} -> {target} {' '.join(extra)}: {got.dtype}, {len(bad)} differ, "
                          f"first at {i}: input {vol[i] if i else '?'}, zslab {got[i] if i else '?'}, "
                          f"numpy {want[i] if i else '?'}")
                    failures += 1
        # without --dtype: the input's own dtype, byte order included, bit for bit
        dst = os.path.join(d, "same.npy")
        run("convert", src, dst, "--force", "--quiet")
        got = np.load(dst)
        n += 1
        if got.dtype != vol.dtype or got.tobytes() != vol.tobytes():
            print(f"FAIL {src_dtype} -> its own dtype: {got.dtype}, not the same values")
            failures += 1
    return n, failures


def check_formats(d, rng):
    """int64/uint64 into NIfTI, TIFF and Zarr, read back by their own readers."""
    readers = {"nii": lambda p: np.asanyarray(__import__("nibabel").load(p).dataobj),
               "tif": lambda p: __import__("tifffile").imread(p),
               "zarr": lambda p: __import__("zarr").open(p, mode="r")["0"][...]}  # OME-Zarr: level 0
    n = failures = 0
    for src_dtype in ["<i8", "<u8"]:
        vol = volume(np.dtype(src_dtype), rng)
        src = os.path.join(d, "fin.npy")
        np.save(src, vol)
        for ext, read in readers.items():
            dst = os.path.join(d, f"out.{ext}")
            run("convert", src, dst, "--force", "--quiet")
            got = read(dst)
            # TIFF and OME-Zarr read z first: compare the x-y-z volume
            if ext != "nii":
                got = np.transpose(got, (2, 1, 0))
            n += 1
            if got.dtype != vol.dtype or got.shape != vol.shape or not np.array_equal(got, vol):
                print(f"FAIL {src_dtype} -> .{ext}: {got.dtype} {got.shape}, values "
                      f"{'equal' if got.shape == vol.shape and np.array_equal(got, vol) else 'differ'}")
                failures += 1
    return n, failures


def check_float64(d, rng):
    """float64 values a float32 does not hold convert to float64 bit for bit, and to float32 and
    int32 rounded once from float64 (numpy's astype; int32 half to even and saturated)."""
    vol = rng.random(SHAPE) * 1e6 + np.pi
    vol.ravel()[:3] = [1 + 2.0**-40, -(2.0**40) - 0.5, 2.5]
    src = os.path.join(d, "f64.npy")
    np.save(src, np.asfortranarray(vol))
    n = failures = 0
    for target, want in (("float64", vol), ("float32", vol.astype(np.float32)),
                         ("int32", np.clip(np.rint(vol), -(2**31), 2**31 - 1).astype(np.int32))):
        out = os.path.join(d, f"f64-{target}.npy")
        run("convert", src, out, "--dtype", target, "--force")
        got = np.load(out)
        n += 1
        if got.dtype != want.dtype or not np.array_equal(got, want):
            print(f"FAIL float64 -> {target}: {np.count_nonzero(got != want)} values differ (rounded through float32?)")
            failures += 1
    return n, failures


def check_parts(d, rng):
    """The parts of one int64 conversion may give different precisions: the work is the integers
    either way, so the journal takes them as one job, and the output is exact."""
    vol = volume(np.int64, rng)
    src, out = os.path.join(d, "parts-in.npy"), os.path.join(d, "parts-out.npy")
    np.save(src, np.asfortranarray(vol))
    run("convert", src, out, "--part", "0/2", "--slab", "2", "--precision", "float32", "-q")
    run("convert", src, out, "--part", "1/2", "--slab", "2", "-q")
    got = np.load(out)
    if not np.array_equal(got, vol):
        print("FAIL an int64 conversion in two parts (float32, then auto) is not exact")
        return 1, 1
    return 1, 0


def main():
    d = workdir("convert-exact")
    rng = np.random.default_rng(64)
    n1, f1 = check_npy(d, rng)
    n2, f2 = check_formats(d, rng)
    # --dry-run names the work
    out, _ = run("convert", os.path.join(d, "fin.npy"), os.path.join(d, "dry.npy"), "--dry-run")
    n3, f3 = 1, 0
    if "precision:  exact" not in out:
        print(f"FAIL --dry-run of an int64 conversion does not say exact:\n{out}")
        f3 = 1
    n4, f4 = check_float64(d, rng)
    n5, f5 = check_parts(d, rng)
    n, failures = n1 + n2 + n3 + n4 + n5, f1 + f2 + f3 + f4 + f5
    shutil.rmtree(d)
    print(f"{n - failures}/{n} conversions exact")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
