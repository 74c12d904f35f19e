# SPDX-License-Identifier: BSD-3-Clause
"""A kernel written outside the library (examples/custom_kernel.c, public headers only) runs in a
pipeline with a library kernel: range (morphological gradient) then gaussian:sigma=1, against
scipy.ndimage for every boundary mode, with planes cut into bands of 1 to 7 rows or whole."""
import os
import shutil
import subprocess
import sys

import numpy as np
from scipy import ndimage as ndi

from zstest import workdir

EXE = os.environ.get("ZS_CUSTOM_KERNEL") or os.path.join(os.path.dirname(__file__), "..", "..", "build",
                                                          "custom_kernel")


def main():
    d = workdir("custom")
    rng = np.random.default_rng(5)
    vol = rng.normal(100, 20, size=(37, 29, 11)).astype(np.float32)
    src, dst = os.path.join(d, "in.npy"), os.path.join(d, "out.npy")
    np.save(src, np.asfortranarray(vol))
    failures = 0
    cases = [(3, "reflect", 0), (5, "nearest", 7), (3, "mirror", 1), (3, "constant", 4), (5, "wrap", 6),
             (1, "reflect", 3)]
    for size, mode, band in cases:
        p = subprocess.run([EXE, src, dst, str(size), mode, str(band)], capture_output=True, text=True)
        if p.returncode != 0:
            print(f"FAIL size={size} mode={mode}: exit {p.returncode}: {p.stderr}")
            failures += 1
            continue
        got = np.load(dst)
        ref = ndi.gaussian_filter(ndi.morphological_gradient(vol, size=size, mode=mode).astype(np.float32), 1.0,
                                  mode="reflect", truncate=4.0)
        err = float(np.max(np.abs(got - ref)))
        ok = err <= 1e-4 * float(np.max(np.abs(ref)))
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} range:size={size}:mode={mode} | gaussian:sigma=1, band {band or 'auto'}:"
              f" max |diff| {err:.2e}")
    # bad parameters are refused by the library (bounds) and by the kernel's validate(), with a
    # message naming the kernel and the parameter
    for bad in ("99", "4"):
        p = subprocess.run([EXE, src, dst, bad], capture_output=True, text=True)
        if p.returncode == 0 or "range" not in p.stderr or "size" not in p.stderr:
            print(f"FAIL: size={bad} was not refused with a message naming range and size: {p.stderr!r}")
            failures += 1
        else:
            print(f"ok   size={bad} refused: {p.stderr.strip()}")
    shutil.rmtree(d)
    if failures:
        sys.exit(f"FAIL: {failures} case(s)")


if __name__ == "__main__":
    main()
