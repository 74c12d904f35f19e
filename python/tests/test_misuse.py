# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""What zslab cannot do is refused with ValueError naming the parameter; files that are not there
are FileNotFoundError; the library's messages reach the caller."""
import numpy as np
import pytest

import zslab

A = np.zeros((8, 7, 6), np.float32)


@pytest.mark.parametrize("call,param", [
    (lambda: zslab.maximum_filter(A, footprint=np.eye(3, dtype=bool)[None].repeat(3, 0)), "footprint"),
    (lambda: zslab.grey_opening(A, structure=np.zeros((3, 3, 3))), "structure"),
    (lambda: zslab.median_filter(A), "size"),
    (lambda: zslab.gaussian_filter(A, 1, order=4), "order"),
    (lambda: zslab.gaussian_filter(A, -1), "sigma"),
    (lambda: zslab.gaussian_filter(A, 1, radius=3), "radius"),
    (lambda: zslab.gaussian_filter(A, (1, 2)), "sigma"),
    (lambda: zslab.uniform_filter(A, 3, mode=["reflect", "nearest"]), "mode"),
    (lambda: zslab.median_filter(A, 3, mode=["reflect", "nearest", "wrap"]), "mode"),
    (lambda: zslab.uniform_filter(A, 3, mode="sideways"), "mode"),
    (lambda: zslab.uniform_filter(A, 3, mode=None), "mode"),
    (lambda: zslab.uniform_filter(A, 3, mode=3), "mode"),
    (lambda: zslab.minimum_filter(A, 3, origin=1), "origin"),
    (lambda: zslab.percentile_filter(A, 150, 3), "percentile"),
    (lambda: zslab.gaussian_filter(np.zeros((2, 2, 2, 2)), 1), "input"),
    (lambda: zslab.gaussian_filter(A.astype(np.complex64), 1), "input"),
    (lambda: zslab.gaussian_filter(A, 1, output=np.zeros((8, 7, 5), np.float32)), "output"),
    (lambda: zslab.gaussian_filter(A, 1, output=np.float16), "output"),
    (lambda: zslab.difference_of_gaussians(A, 2, 1), "high_sigma"),
    (lambda: zslab.difference_of_gaussians(A, 1, channel_axis=0), "channel_axis"),
    (lambda: zslab.gaussian_filter(A, 1, threads=0), "threads"),
    (lambda: zslab.gaussian_filter(A, 1, mem_budget="lots"), "mem_budget"),
])
def test_refused_with_the_parameter(call, param):
    with pytest.raises(ValueError, match=param):
        call()


def test_read_only_output():
    out = np.zeros(A.shape, np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="output: the array is read-only"):
        zslab.gaussian_filter(A, 1, output=out)


def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npy"):
        zslab.open(tmp_path / "missing.npy")
    with pytest.raises(FileNotFoundError, match="missing.npy"):
        zslab.filter(tmp_path / "missing.npy", tmp_path / "out.npy", "gaussian")


def test_bad_op_and_existing_output(tmp_path):
    src = tmp_path / "in.npy"
    np.save(src, A)
    with pytest.raises(ValueError, match="gausian"):
        zslab.filter(src, tmp_path / "o.npy", "gausian:sigma=1")
    with pytest.raises(ValueError, match="sigma"):
        zslab.filter(src, tmp_path / "o.npy", ["gaussian:sigma=-2"])
    np.save(tmp_path / "o.npy", A)
    with pytest.raises(FileExistsError, match="o.npy"):
        zslab.filter(src, tmp_path / "o.npy", "gaussian")
    zslab.filter(src, tmp_path / "o.npy", "gaussian", force=True)


def test_unidentified_file(tmp_path):
    p = tmp_path / "junk.dat"
    p.write_bytes(bytes(range(100)))
    with pytest.raises(zslab.ZslabError, match="junk.dat"):
        zslab.open(p)
