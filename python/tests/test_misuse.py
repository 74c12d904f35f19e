# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""What zslab cannot do is refused with ValueError naming the parameter; files that are not there
are FileNotFoundError; the library's messages reach the caller."""
import os
import re

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


@pytest.mark.parametrize("kwargs,param,error", [
    ({"pyramid": 2**32 + 1}, "pyramid", OverflowError),  # a C int: would wrap to 1 level
    ({"pyramid": -1}, "pyramid", ValueError),
    ({"pyramid": 1.5}, "pyramid", ValueError),
    ({"mem_budget": 2**64}, "mem_budget", OverflowError),  # a uint64_t: would wrap to 0, the default
    ({"mem_budget": "nanG"}, "mem_budget", ValueError),
    ({"mem_budget": "infM"}, "mem_budget", ValueError),
    ({"mem_budget": "1e40G"}, "mem_budget", OverflowError),
    ({"threads": 2**32}, "threads", OverflowError),  # a C int: would wrap to 0, every core
    ({"threads": 2**31}, "threads", OverflowError),
    ({"chunks": (1, 1, 2**64 + 4)}, "chunks", OverflowError),
    ({"chunks": (1, 1, 0)}, "chunks", ValueError),
    ({"part": (0, 2**64 + 2)}, "part", OverflowError),
])
def test_keywords_out_of_their_fields_range(tmp_path, kwargs, param, error):
    """Every keyword that fills an integer field of the library's structs is refused by name
    when the field cannot hold it, before anything is written."""
    src = tmp_path / "in.npy"
    np.save(src, A)
    dst = tmp_path / "o.ome.zarr"
    with pytest.raises(error, match=f"^{param}: "):
        zslab.filter(src, dst, "gaussian", **kwargs)
    assert not os.path.exists(dst) and not os.path.exists(f"{dst}.partial")


@pytest.mark.parametrize("kwargs,param,error", [
    ({"mem_budget": 2**64}, "mem_budget", OverflowError),
    ({"mem_budget": "nanG"}, "mem_budget", ValueError),
    ({"threads": 2**32}, "threads", OverflowError),
])
def test_array_keywords_out_of_their_fields_range(kwargs, param, error):
    with pytest.raises(error, match=f"^{param}: "):
        zslab.gaussian_filter(A, 1, **kwargs)


def test_array_modes_that_would_recreate_the_file(tmp_path):
    """np.memmap's 'w+' creates the file anew: zeroing a volume's header and voxels."""
    p = tmp_path / "v.npy"
    data = np.arange(A.size, dtype=np.float32).reshape(A.shape)
    np.save(p, data)
    before = p.read_bytes()
    f = zslab.open(p)
    for mode in ("w+", "w", "readwrite", "x"):
        with pytest.raises(ValueError, match=re.escape(f"mode: {mode!r}")):
            f.array(mode)
    assert p.read_bytes() == before
    assert np.array_equal(f.array("r"), data) and np.array_equal(f.array("c"), data)
    f.array("r+")[0, 0, 0] = -1
    assert np.load(p)[0, 0, 0] == -1


def test_path_output_that_cannot_be_returned_is_refused_before_writing(tmp_path):
    """output='x.raw' would be written and committed, then fail to open again by its name."""
    old = tmp_path / "old.raw"
    old.write_bytes(b"keep me")
    for name in ("x.raw", "old.raw", "x.dat"):
        with pytest.raises(ValueError, match=f"output: .*{name}"):
            zslab.gaussian_filter(A, 1, output=str(tmp_path / name))
    assert sorted(os.listdir(tmp_path)) == ["old.raw"] and old.read_bytes() == b"keep me"
