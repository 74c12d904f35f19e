# SPDX-License-Identifier: BSD-3-Clause
"""A 4-D input (a series of 3-D volumes: NIfTI time points, a 4-D .npy in Fortran order or in numpy's
default C order) is filtered volume by volume: halos never cross from one volume of the series into the
next. Compared with scipy per volume; the C-order input gives the same bytes as the Fortran-order one."""
import os
import shutil
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage as ndi

from zstest import run, workdir


def main():
    d = workdir("series4d")
    rng = np.random.default_rng(5)
    # volumes with very different levels: any halo crossing between them would show at once
    vol = np.stack([rng.normal(100 * (t + 1) ** 2, 5, size=(15, 12, 9)) for t in range(4)], axis=3)
    vol = vol.astype(np.float32)
    failures = 0
    first = {}  # (spec, slab) -> the F-order .npy result
    for name, path in [("npy", os.path.join(d, "in.npy")), ("npy-C", os.path.join(d, "in_c.npy")),
                       ("nifti", os.path.join(d, "in.nii"))]:
        if name == "npy":
            np.save(path, np.asfortranarray(vol))
        elif name == "npy-C":
            np.save(path, np.ascontiguousarray(vol))  # numpy's default: fortran_order False
            info, _ = run("info", path, "--json")
            if '"order": "C"' not in info:
                print(f"FAIL {name}: info does not report C order: {info}")
                failures += 1
        else:
            nib.save(nib.Nifti1Image(vol, np.eye(4)), path)
        info, _ = run("info", path, "--json")
        if '"nt": 4' not in info:
            print(f"FAIL {name}: info does not report 4 volumes: {info}")
            failures += 1
        for spec, f in [("gaussian:sigma=1.5:mode=nearest", lambda a: ndi.gaussian_filter(a, 1.5, mode="nearest")),
                        ("maximum:size=3:mode=wrap", lambda a: ndi.maximum_filter(a, 3, mode="wrap")),
                        ("median:size=3", lambda a: ndi.median_filter(a, 3))]:
            for slab in (1, 4, 9):
                out = os.path.join(d, f"out.{'nii' if name == 'nifti' else 'npy'}")
                run("filter", path, out, "--op", spec, "--dtype", "float32", "--slab", slab, "--quiet", "--force")
                got = np.asarray(nib.load(out).dataobj) if name == "nifti" else np.load(out)
                if name == "npy":
                    first[spec, slab] = got
                elif name == "npy-C" and not np.array_equal(got, first[spec, slab]):
                    print(f"FAIL {name} {spec} slab={slab}: differs from the Fortran-order input's result")
                    failures += 1
                want = np.stack([f(vol[..., t].astype(np.float64)) for t in range(4)], axis=3)
                err = np.abs(got - want).max() / np.abs(want).max()
                if got.shape != vol.shape or err > 1e-5:
                    print(f"FAIL {name} {spec} slab={slab}: shape {got.shape}, max rel err {err:.2e}")
                    failures += 1
    shutil.rmtree(d)
    if failures:
        sys.exit(f"{failures} failure(s)")
    print("ok: 4-D series filtered volume by volume, as scipy per volume")


if __name__ == "__main__":
    main()
