# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""output= as scipy takes it (a dtype, an array to fill) and as a path: written out of core and
returned as an np.memmap in the caller's axis order."""
import os

import numpy as np
import pytest
from scipy import ndimage as ndi

import zslab


@pytest.fixture
def vol(rng):
    return (rng.random((24, 20, 18)) * 1000).astype(np.float32)


def test_output_dtype(vol):
    for out in (np.float64, np.dtype("int32"), "uint16", "f8"):
        got = zslab.uniform_filter(vol, (3, 5, 1), output=out)
        want = ndi.uniform_filter(vol.astype(np.float64), (3, 5, 1))
        assert got.dtype == np.dtype(out)
        if got.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=1e-4)
        else:
            assert np.abs(got.astype(np.int64) - np.rint(want)).max() <= 1


@pytest.mark.parametrize("order", ["C", "F", "strided"])
def test_output_array(vol, order):
    want = ndi.gaussian_filter(vol, (2, 1, 1.5))
    if order == "strided":
        big = np.zeros((24, 40, 18), np.float32)
        out = big[:, ::2, :]
    else:
        out = np.zeros(vol.shape, np.float32, order=order)
    got = zslab.gaussian_filter(vol, (2, 1, 1.5), output=out)
    assert got is out
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-3)
    if order == "strided":
        assert not big[:, 1::2, :].any()  # the voxels between the output's are untouched


def test_output_in_place(vol):
    want = ndi.maximum_filter(vol, 3)
    a = vol.copy()
    zslab.maximum_filter(a, 3, output=a)
    np.testing.assert_array_equal(a, want)


@pytest.mark.parametrize("order", ["C", "F"])
def test_output_npy_path(vol, order, tmp_path):
    a = np.asarray(vol, order=order)
    path = tmp_path / "out.npy"
    got = zslab.median_filter(a, (3, 1, 5), output=str(path))
    want = ndi.median_filter(a, (3, 1, 5))
    assert isinstance(got, np.memmap)
    assert got.shape == a.shape and got.dtype == a.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.load(path), want)  # the file says the caller's axis order
    assert not os.path.exists(str(path) + ".partial")
    with zslab.open(path) as f:  # and zslab reads it back as numpy does
        assert f.shape == a.shape
        np.testing.assert_array_equal(f.array(), want)


def test_output_tiff_path(vol, tmp_path):
    tifffile = pytest.importorskip("tifffile")
    path = tmp_path / "out.tif"
    got = zslab.gaussian_filter(vol, 1, output=path)
    want = ndi.gaussian_filter(vol, 1)
    assert isinstance(got, np.memmap)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(tifffile.imread(path), want, rtol=1e-4, atol=1e-3)  # the last axis as x


@pytest.mark.parametrize("suffix", [".tif", ".npy"])
def test_output_path_2d(vol, tmp_path, suffix):
    """A 2-D array to a file: the file holds a plane (formats reopen it as 3-D), the memmap returned
    has the array's two axes."""
    a = np.ascontiguousarray(vol[:, :, 3])
    got = zslab.gaussian_filter(a, 1, output=tmp_path / ("out2d" + suffix))
    assert isinstance(got, np.memmap) and got.shape == a.shape
    np.testing.assert_allclose(got, ndi.gaussian_filter(a, 1), rtol=1e-4, atol=1e-3)


def test_broadcast_input():
    """A broadcast view (stride 0 along axes longer than 1) is a valid input."""
    for a in (np.broadcast_to(np.arange(6, dtype=np.float32)[:, None, None], (6, 5, 4)),
              np.broadcast_to(np.float32(2.5), (6, 5, 4))):  # every stride 0
        np.testing.assert_allclose(zslab.uniform_filter(a, 3), ndi.uniform_filter(a, 3), rtol=1e-5, atol=1e-5)


def test_difference_of_gaussians_output(vol):
    got = zslab.difference_of_gaussians(vol.astype(np.uint16), 1, output=np.float32)
    assert got.dtype == np.float32
    f = vol.astype(np.uint16) / 65535.0
    want = ndi.gaussian_filter(f, 1, mode="nearest") - ndi.gaussian_filter(f, 1.6, mode="nearest")
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_memmap_input(vol, tmp_path):
    path = tmp_path / "in.npy"
    np.save(path, vol)
    m = np.load(path, mmap_mode="r")
    np.testing.assert_array_equal(zslab.minimum_filter(m, 3), ndi.minimum_filter(vol, 3))


def test_empty_array():
    a = np.zeros((0, 5, 4), np.float32)
    got = zslab.gaussian_filter(a, 1)
    assert got.shape == a.shape and got.dtype == a.dtype


def test_output_path_with_journal(vol, tmp_path):
    """An output path is written by a job, whose rules hold for arrays too: a journal left there
    by a run in parts (its OUT.partial half written) goes with the run over it (force), instead
    of staying beside a finished output as if that were still the journal's job."""
    src, dst = tmp_path / "src.npy", tmp_path / "out.npy"
    np.save(src, vol)
    assert zslab.filter(src, dst, "gaussian:sigma=1", part=(0, 2)) is None  # half done: a journal
    assert (tmp_path / "out.npy.zsjournal").is_dir()
    got = zslab.gaussian_filter(vol, 2, output=dst)
    np.testing.assert_allclose(np.asarray(got), ndi.gaussian_filter(vol, 2), rtol=1e-4, atol=1e-3)
    assert not (tmp_path / "out.npy.zsjournal").exists()
    assert not (tmp_path / "out.npy.partial").exists()
