# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab.label against scipy.ndimage.label (arrays in every layout, 1-D to 3-D, memory maps,
files, outputs as scipy takes them and .npy paths) and zslab.regionprops_table against scipy's
measurements."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import zslab


@pytest.fixture
def binary(rng):
    return rng.random((20, 17, 13)) < 0.3116  # near the percolation threshold: one large component


@pytest.mark.parametrize("layout", ["C", "F", "transposed", "strided-float"])
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_label_arrays(binary, layout, rank):
    a = {"C": binary, "F": np.asfortranarray(binary), "transposed": binary.transpose(1, 0, 2),
         "strided-float": binary.astype(np.float32)[::2]}[layout]
    st = ndi.generate_binary_structure(3, rank)
    want, n = ndi.label(a, st)
    got, m = zslab.label(a, st)
    assert m == n and got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("rank", [1, 2])
def test_label_2d_1d(rng, rank):
    b = rng.random((30, 40)) < 0.4
    st = ndi.generate_binary_structure(2, rank)
    np.testing.assert_array_equal(zslab.label(b, st)[0], ndi.label(b, st)[0])
    c = rng.random(50) < 0.5
    np.testing.assert_array_equal(zslab.label(c)[0], ndi.label(c)[0])


def test_label_outputs(binary, tmp_path):
    want, n = ndi.label(binary)
    out = np.zeros(binary.shape, np.int64)
    assert zslab.label(binary, None, out) == n  # an array is filled, n returned, as scipy
    np.testing.assert_array_equal(out, want)
    got, _ = zslab.label(binary, output=np.uint32)
    assert got.dtype == np.uint32
    np.testing.assert_array_equal(got, want)
    got, m = zslab.label(binary.astype(np.uint8), output=str(tmp_path / "lab.npy"))
    assert m == n and isinstance(got, np.memmap)
    np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="cannot hold"):
        zslab.label(binary, output=np.int16)
    with pytest.raises(ValueError, match="structure"):
        zslab.label(binary, np.ones((3, 3, 3))[:, :, :2])


def test_label_files(binary, tmp_path):
    import tifffile
    want, n = ndi.label(binary)
    src = str(tmp_path / "in.npy")
    np.save(src, binary.astype(np.uint8))
    for got, m in (zslab.label(np.load(src, mmap_mode="r")), zslab.label(src),
                   zslab.label(src, output=str(tmp_path / "a.npy"))):
        assert m == n
        np.testing.assert_array_equal(got, want)
    tif = str(tmp_path / "in.tif")
    tifffile.imwrite(tif, binary.astype(np.uint8))  # read as (z, y, x): numbered in that order
    for got, m in (zslab.label(tif), zslab.label(tif, output=str(tmp_path / "b.npy"))):
        np.testing.assert_array_equal(got, want)


def test_label_threshold_nan(rng):
    f = rng.random((16, 15, 14)).astype(np.float32)
    f[0, 0, 0] = np.nan
    np.testing.assert_array_equal(zslab.label(f, threshold=0.7)[0], ndi.label(f > 0.7)[0])
    g = np.where(f > 0.6, f, 0)
    np.testing.assert_array_equal(zslab.label(g)[0], ndi.label(g)[0])  # NaN is nonzero: foreground


@pytest.mark.parametrize("order", ["C", "F"])
def test_regionprops_table(rng, order):
    f = rng.random((22, 19, 17)).astype(np.float32)
    f = np.asfortranarray(f) if order == "F" else f
    inten = rng.integers(0, 1000, f.shape).astype(np.uint16)
    lab, n = ndi.label(f > 0.7)
    idx = np.arange(1, n + 1)
    t = zslab.regionprops_table(f, inten, threshold=0.7)
    np.testing.assert_array_equal(t["label"], idx)
    np.testing.assert_array_equal(t["area"], np.bincount(lab.ravel())[1:])
    com = np.array(ndi.center_of_mass(np.ones(f.shape), lab, idx))
    objs = ndi.find_objects(lab)
    for ax in range(3):
        np.testing.assert_allclose(t[f"centroid-{ax}"], com[:, ax], rtol=1e-12)
        np.testing.assert_array_equal(t[f"bbox-{ax}"], [o[ax].start for o in objs])
        np.testing.assert_array_equal(t[f"bbox-{ax + 3}"], [o[ax].stop for o in objs])
    v = inten.astype(np.float64)
    np.testing.assert_allclose(t["intensity_sum"], ndi.sum_labels(v, lab, idx), rtol=1e-12)
    np.testing.assert_allclose(t["intensity_mean"], ndi.mean(v, lab, idx), rtol=1e-12)
    np.testing.assert_array_equal(t["intensity_min"], ndi.minimum(v, lab, idx))
    np.testing.assert_array_equal(t["intensity_max"], ndi.maximum(v, lab, idx))
    small = zslab.regionprops_table(f, threshold=0.7, min_size=3)
    np.testing.assert_array_equal(small["area"], t["area"][t["area"] >= 3])
