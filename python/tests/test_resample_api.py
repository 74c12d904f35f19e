# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab.zoom against scipy.ndimage.zoom (order 0 and 1, mode 'nearest', grid_mode=True) and
zslab.resample on files."""
import numpy as np
import pytest
import scipy.ndimage as ndi

import zslab


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("factor", [0.5, 2.2, (1.7, 0.4, 0.9)])
@pytest.mark.parametrize("layout", ["C", "F", "2d", "1d"])
def test_zoom_equals_scipy(rng, order, factor, layout):
    a = rng.random((21, 13, 9)).astype(np.float32)
    a = {"C": a, "F": np.asfortranarray(a), "2d": a[:, :, 3], "1d": a[:, 2, 3]}[layout]
    f = factor if np.ndim(factor) == 0 else factor[:a.ndim]
    ref = ndi.zoom(a, f, order=order, mode="nearest", grid_mode=True)
    got = zslab.zoom(a, f, order=order, threads=2)
    assert got.shape == ref.shape and got.dtype == ref.dtype
    if order == 0:
        assert np.array_equal(got, ref)
    else:
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6)


def test_zoom_nearest_labels_exact(rng):
    a = rng.integers(2**24 + 1, 2**32 - 1, size=(11, 8, 7), dtype=np.uint32)
    for f in (0.6, 2.5):
        got = zslab.zoom(a, f, order=0)
        assert np.array_equal(got, ndi.zoom(a, f, order=0, mode="nearest", grid_mode=True))


def test_zoom_output(rng):
    a = rng.random((10, 12, 6))
    out = np.zeros((5, 6, 3), np.float32)
    assert zslab.zoom(a, 0.5, output=out) is None
    np.testing.assert_allclose(out, ndi.zoom(a, 0.5, order=1, mode="nearest", grid_mode=True), atol=1e-6)
    assert zslab.zoom(a, 0.5, output=np.float32).dtype == np.float32


@pytest.mark.parametrize("kwargs, name", [({"order": 3}, "order"), ({"mode": "reflect"}, "mode"),
                                          ({"grid_mode": False}, "grid_mode")])
def test_zoom_refuses(kwargs, name):
    with pytest.raises(ValueError, match=name):
        zslab.zoom(np.zeros((4, 4, 4)), 0.5, **kwargs)


def test_resample_files(tmp_path, rng):
    a = rng.random((24, 18, 12)).astype(np.float32)
    src, dst = tmp_path / "a.npy", tmp_path / "b.npy"
    np.save(src, a)
    zslab.resample(src, dst, shape=(12, 9, 6))  # area: the block mean
    np.testing.assert_allclose(np.load(dst), a.reshape(12, 2, 9, 2, 6, 2).mean(axis=(1, 3, 5)), atol=1e-6)
    zslab.resample(src, dst, factor=1.5, method="linear", force=True)
    np.testing.assert_allclose(np.load(dst), ndi.zoom(a, 1.5, order=1, mode="nearest", grid_mode=True), atol=1e-6)
    with pytest.raises(ValueError, match="one of"):
        zslab.resample(src, dst, factor=0.5, shape=(2, 2, 2), force=True)
    with pytest.raises(ValueError, match="area"):
        zslab.resample(src, tmp_path / "c.npy", factor=2, method="area")
    assert not (tmp_path / "c.npy").exists()
