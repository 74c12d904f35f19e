# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Every function against scipy.ndimage (skimage's rule for difference_of_gaussians), for uint16,
float32 and float64 input in C order, F order and a strided view, with per-axis sizes and sigmas
(so that a wrong axis mapping shows) and several boundary modes. Floats: within 1e-4 of the
result's scale. uint16: selection filters exactly equal scipy's uint16 result; sums equal scipy's
result on the float64 array, rounded half to even and saturated, within 1 (scipy's own uint16
path truncates after every 1-D pass, and wraps negative values of gaussian_laplace)."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import zslab

SHAPE = (24, 20, 18)


def img_as_float(a):
    """skimage 0.19's img_as_float (util/dtype.py): unsigned / max, signed / max clipped at -1."""
    if a.dtype.kind == "f":
        return a
    if a.dtype.kind == "b":
        return a.astype(np.float64)
    f = a.astype(np.float64) / np.iinfo(a.dtype).max
    return np.maximum(f, -1.0) if a.dtype.kind == "i" else f


def dog_ref(a, lo, hi, **k):
    f = img_as_float(a)
    return ndi.gaussian_filter(f, lo, mode="nearest", **k) - ndi.gaussian_filter(f, hi, mode="nearest", **k)


# (name, zslab call, scipy reference on the same array, kind): kind "select" is exact on integers
CASES = [
    ("gaussian", lambda a: zslab.gaussian_filter(a, (1.0, 1.5, 0.7)),
     lambda a: ndi.gaussian_filter(a, (1.0, 1.5, 0.7)), "sum"),
    ("gaussian_order", lambda a: zslab.gaussian_filter(a, 1.2, order=(0, 1, 0), mode="nearest"),
     lambda a: ndi.gaussian_filter(a, 1.2, order=(0, 1, 0), mode="nearest"), "sum"),
    ("uniform", lambda a: zslab.uniform_filter(a, (3, 4, 2), mode="constant", cval=5),
     lambda a: ndi.uniform_filter(a, (3, 4, 2), mode="constant", cval=5), "sum"),
    ("minimum", lambda a: zslab.minimum_filter(a, (3, 1, 5), mode="mirror"),
     lambda a: ndi.minimum_filter(a, (3, 1, 5), mode="mirror"), "select"),
    ("maximum", lambda a: zslab.maximum_filter(a, footprint=np.ones((2, 3, 4), bool), mode="wrap"),
     lambda a: ndi.maximum_filter(a, footprint=np.ones((2, 3, 4), bool), mode="wrap"), "select"),
    ("median", lambda a: zslab.median_filter(a, (3, 5, 1)),
     lambda a: ndi.median_filter(a, (3, 5, 1)), "select"),
    ("percentile", lambda a: zslab.percentile_filter(a, 25, (3, 2, 3), mode="nearest"),
     lambda a: ndi.percentile_filter(a, 25, (3, 2, 3), mode="nearest"), "select"),
    ("white_tophat", lambda a: zslab.white_tophat(a, (5, 3, 3)),
     lambda a: ndi.white_tophat(a, (5, 3, 3)), "select"),
    ("black_tophat", lambda a: zslab.black_tophat(a, (3, 3, 5)),
     lambda a: ndi.black_tophat(a, (3, 3, 5)), "select"),
    ("grey_opening", lambda a: zslab.grey_opening(a, (4, 3, 2)),
     lambda a: ndi.grey_opening(a, (4, 3, 2)), "select"),
    ("grey_closing", lambda a: zslab.grey_closing(a, (2, 3, 4), mode="nearest"),
     lambda a: ndi.grey_closing(a, (2, 3, 4), mode="nearest"), "select"),
    # a mode per numpy axis, as scipy takes it: reordered into zslab's x,y,z by the axis mapping
    ("gaussian_modes", lambda a: zslab.gaussian_filter(a, (1.2, 0.8, 1.5), mode=("wrap", "constant", "nearest"), cval=7),
     lambda a: ndi.gaussian_filter(a, (1.2, 0.8, 1.5), mode=("wrap", "constant", "nearest"), cval=7), "sum"),
    ("uniform_modes", lambda a: zslab.uniform_filter(a, (3, 4, 2), mode=["mirror", "reflect", "wrap"]),
     lambda a: ndi.uniform_filter(a, (3, 4, 2), mode=["mirror", "reflect", "wrap"]), "sum"),
    ("maximum_modes", lambda a: zslab.maximum_filter(a, (4, 3, 5), mode=["constant", "wrap", "mirror"], cval=9),
     lambda a: ndi.maximum_filter(a, (4, 3, 5), mode=["constant", "wrap", "mirror"], cval=9), "select"),
    ("gaussian_laplace", lambda a: zslab.gaussian_laplace(a, (1.5, 1.0, 1.2)),
     lambda a: ndi.gaussian_laplace(a, (1.5, 1.0, 1.2)), "sum"),
    ("gaussian_gradient_magnitude", lambda a: zslab.gaussian_gradient_magnitude(a, (1.0, 0.8, 1.4)),
     lambda a: ndi.gaussian_gradient_magnitude(a, (1.0, 0.8, 1.4)), "sum"),
    ("difference_of_gaussians", lambda a: zslab.difference_of_gaussians(a, (1.0, 0.6, 1.3), (2.0, 1.5, 2.6)),
     lambda a: dog_ref(a, (1.0, 0.6, 1.3), (2.0, 1.5, 2.6)), "float"),
]


def make(dtype, layout, rng):
    if dtype == np.uint16:
        base = rng.integers(0, 4000, size=(48, 40, 36)).astype(np.uint16)
    else:
        base = (rng.random((48, 40, 36)) * 100 - 20).astype(dtype)
    c = np.ascontiguousarray(base[:24, :20, :18])
    if layout == "C":
        return c
    if layout == "F":
        return np.asfortranarray(c)
    v = base[::2, 1::2, ::2]  # every other voxel: not contiguous in any order
    assert v.shape == SHAPE and not v.flags.c_contiguous and not v.flags.f_contiguous
    return v


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("dtype", [np.uint16, np.float32, np.float64], ids=["uint16", "float32", "float64"])
@pytest.mark.parametrize("name,ours,ref,kind", CASES, ids=[c[0] for c in CASES])
def test_equals_scipy(name, ours, ref, kind, dtype, layout, rng):
    a = make(dtype, layout, rng)
    got = ours(a)
    if kind == "float":
        want = ref(a)
        assert got.dtype == want.dtype == (np.float64 if dtype == np.uint16 else dtype)
    elif dtype == np.uint16 and kind == "sum":
        want = np.clip(np.rint(ref(a.astype(np.float64))), 0, 65535)
    else:
        want = ref(a)
        assert got.dtype == want.dtype == dtype
    assert got.shape == a.shape
    if dtype == np.uint16 and kind != "float":
        assert got.dtype == np.uint16
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        assert diff.max() <= (1 if kind == "sum" else 0), f"{name}: max |diff| {diff.max()}"
    else:
        scale = float(np.abs(want).max())
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * scale)


def test_lower_dimensions(rng):
    """2-D and 1-D arrays: the missing axes are left alone (also in constant mode)."""
    a2 = rng.random((30, 17)).astype(np.float32)
    np.testing.assert_allclose(zslab.gaussian_filter(a2, (2, 1), mode="constant", cval=3),
                               ndi.gaussian_filter(a2, (2, 1), mode="constant", cval=3), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(zslab.median_filter(a2.T, 3), ndi.median_filter(a2.T, 3))
    a1 = rng.random(50)
    np.testing.assert_allclose(zslab.uniform_filter(a1, 5), ndi.uniform_filter(a1, 5), rtol=1e-5, atol=1e-6)


def test_negative_strides_and_transposes(rng):
    a = rng.random((20, 16, 12)).astype(np.float32)
    for v in (a[::-1, :, ::-1], a.transpose(2, 0, 1), a[:, ::-2, :]):
        np.testing.assert_allclose(zslab.gaussian_filter(v, (1, 2, 0.5)), ndi.gaussian_filter(v, (1, 2, 0.5)),
                                   rtol=1e-4, atol=1e-5)
        np.testing.assert_array_equal(zslab.maximum_filter(v, (2, 3, 4)), ndi.maximum_filter(v, (2, 3, 4)))


def test_float64_and_wide_integers_exact(rng):
    """float64 arrays are filtered in float64 by the selections and morphology (bitwise scipy's, on
    values a float32 rounds), and uint32/int64 labels beyond 2^24 keep every digit; zslab.filter
    takes precision= as the CLI's --precision."""
    f = rng.integers(0, 40, SHAPE) / 3.0 + 1e9
    for zs_f, nd_f in ((zslab.median_filter, ndi.median_filter), (zslab.maximum_filter, ndi.maximum_filter),
                       (zslab.white_tophat, ndi.white_tophat)):
        got = zs_f(f, (3, 2, 4), mode="wrap")
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, nd_f(f, (3, 2, 4), mode="wrap"))
    labels = (rng.integers(0, 500, SHAPE) + 2**31 + 2**24).astype(np.uint32)
    np.testing.assert_array_equal(zslab.maximum_filter(labels, 3), ndi.maximum_filter(labels, 3))
    big = rng.integers(-(2**45), 2**45, SHAPE)
    np.testing.assert_array_equal(zslab.percentile_filter(big, 20, 3), ndi.percentile_filter(big, 20, 3))
    with pytest.raises(ValueError, match="precision"):
        zslab.filter("x.npy", "y.npy", "median:size=3", precision="float16")


def test_float64_smoothing_in_float64(rng):
    """float64 arrays are smoothed in float64, as scipy does: within 1e-12 of scipy's result (float32
    work is about 1e-7 off)."""
    f = rng.random(SHAPE) * 1e6 - 3e5
    for zs_f, nd_f, kw in ((zslab.gaussian_filter, ndi.gaussian_filter, dict(sigma=(1.5, 1, 2), mode="mirror")),
                           (zslab.gaussian_filter, ndi.gaussian_filter, dict(sigma=1, order=(0, 1, 2))),
                           (zslab.uniform_filter, ndi.uniform_filter, dict(size=(4, 3, 5), mode="constant", cval=7)),
                           (zslab.gaussian_laplace, ndi.gaussian_laplace, dict(sigma=1.2, mode="nearest")),
                           (zslab.gaussian_gradient_magnitude, ndi.gaussian_gradient_magnitude,
                            dict(sigma=1.2, mode="wrap"))):
        got, want = zs_f(f, **kw), nd_f(f, **kw)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * float(np.abs(want).max()))


def test_halo_from_the_library():
    """zslab.halo: the voxels below and above per axis x, y, z that a pipeline reads, summed over
    its stages; scipy's radius int(truncate * sigma + 0.5), and size // 2 below, (size - 1) // 2 above."""
    assert zslab.halo("gaussian:sigma=2") == ((8, 8, 8), (8, 8, 8))
    assert zslab.halo(["gaussian:sigma=1x0.5x0:truncate=3", "uniform:size=4x1x3"]) == ((5, 2, 1), (4, 2, 1))
    assert zslab.halo("opening:size=3x5x1") == ((2, 4, 0), (2, 4, 0))
    assert zslab.halo([]) == ((0, 0, 0), (0, 0, 0))
    with pytest.raises(ValueError, match="sigma"):
        zslab.halo("gaussian:sigma=-1")
