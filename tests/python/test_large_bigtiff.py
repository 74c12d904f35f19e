# SPDX-License-Identifier: BSD-3-Clause
"""A TIFF output past 4 GiB is written as BigTIFF and tifffile reads it right, planes past the 4 GiB offset
included. The input is a sparse .npy (holes read as zeros) of 2048 x 2048 x 1040 uint8 (4160 MiB) with
distinct planes written at both ends; `zslab convert` copies it to an uncompressed TIFF of 4.07 GiB of
planes. tifffile must see a BigTIFF of 1040 pages whose first, middle and last pages equal the input's, and
whose last pages lie past 4 GiB. It needs about 4.4 GB of free disk (the output; the input is sparse) and
exits 77 (skipped) when there is less. Label: large."""
import os
import shutil
import sys
import time

import numpy as np

from zstest import fail, finish, workdir, zs

try:
    import tifffile
except ImportError:
    print("skip: tifffile is not installed (python3-tifffile)")
    sys.exit(77)

NX, NY, NZ = 2048, 2048, 1040
PLANE = NX * NY
ENDS = [0, 1, NZ // 2, NZ - 3, NZ - 2, NZ - 1]  # planes given distinct contents


def plane(z):
    y, x = np.mgrid[0:NY, 0:NX]
    return ((x * 7 + y * 3 + z * 11) % 251 + 1).astype(np.uint8)  # (y, x): the TIFF page's layout


def main():
    d = workdir("bigtiff")
    if shutil.disk_usage(d).free < NZ * PLANE + (1 << 30):
        print(f"skip: {d} has {shutil.disk_usage(d).free / 1e9:.1f} GB free; this test needs {NZ * PLANE / 1e9 + 1:.1f}")
        shutil.rmtree(d, ignore_errors=True)
        sys.exit(77)
    src, dst = os.path.join(d, "in.npy"), os.path.join(d, "out.tif")
    # a sparse Fortran-order .npy: numpy's header, then a file extended with holes, then the chosen planes
    with open(src, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "|u1", "fortran_order": True, "shape": (NX, NY, NZ)})
        off = f.tell()
        f.truncate(off + NZ * PLANE)
        for z in ENDS:
            f.seek(off + z * PLANE)
            f.write(np.ascontiguousarray(plane(z)).tobytes())  # F order: x fastest, as a (y, x) C array
    t0 = time.monotonic()
    p = zs("convert", src, dst, "-v", timeout=1200)
    secs = time.monotonic() - t0
    if p.returncode != 0:
        fail(f"convert to TIFF: exit {p.returncode}: {p.stderr.strip()}")
        finish("", None)
    size = os.path.getsize(dst)
    print(f"convert: {size / 2**30:.2f} GiB TIFF in {secs:.1f} s")
    if size <= 1 << 32:
        fail(f"the TIFF holds {size} bytes, not past 4 GiB: the test checks nothing")
    with tifffile.TiffFile(dst) as t:
        if not t.is_bigtiff:
            fail("a TIFF past 4 GiB is not a BigTIFF")
        if len(t.pages) != NZ:
            fail(f"{len(t.pages)} pages, want {NZ}")
        for z in ENDS + [2, NZ // 3, NZ - 4]:
            page = t.pages[z]
            got = page.asarray()
            want = plane(z) if z in ENDS else np.zeros((NY, NX), np.uint8)
            if got.shape != (NY, NX) or got.dtype != np.uint8 or not np.array_equal(got, want):
                fail(f"page {z}: differs from the input's plane (shape {got.shape}, dtype {got.dtype})")
        last = t.pages[NZ - 1].dataoffsets[0]
        if last < 1 << 32:
            fail(f"the last page starts at byte {last}, not past 4 GiB")
    finish(f"ok   BigTIFF of {size / 2**30:.2f} GiB, {NZ} pages, planes past 4 GiB read back by tifffile "
           f"({secs:.1f} s)", d)
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
