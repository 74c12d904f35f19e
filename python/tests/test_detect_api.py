# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab.detect on arrays and files against scipy: the plateaus of
(f == maximum_filter(f, S, mode='nearest')) & (f > T), labelled with ones((3, 3, 3)), at their
center_of_mass, in the order of their first voxel; with stages, an intensity array and a table."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import zslab


def reference(f, size, t, inten):
    """scipy's cells of a (z, y, x) array: (x, y, z) centroids, sizes, values, intensities."""
    m = f == ndi.maximum_filter(f, size, mode="nearest")
    if t is not None:
        m &= f > f.dtype.type(t)
    lab, n = ndi.label(m, np.ones((3, 3, 3)))
    idx = np.arange(1, n + 1)
    com = np.array(ndi.center_of_mass(m, lab, idx)).reshape(-1, 3)[:, ::-1]
    return com, ndi.sum_labels(m, lab, idx), ndi.maximum(f, lab, idx), ndi.maximum(inten, lab, idx)


@pytest.fixture
def stack(rng):
    return np.round(ndi.gaussian_filter(rng.random((21, 24, 27)), 1.2) * 50).astype(np.float32)  # z, y, x


def check(cells, ref):
    com, size, value, inten = ref
    assert len(cells) == len(com) > 5
    np.testing.assert_allclose(np.c_[cells["x"], cells["y"], cells["z"]], com, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(cells["size"], size)
    np.testing.assert_array_equal(cells["value"], value)
    np.testing.assert_array_equal(cells["intensity"], inten)


@pytest.mark.parametrize("size,t", [(3, None), (5, 20.0)])
def test_detect_array(stack, size, t):
    check(zslab.detect(stack, maxima_size=size, threshold=t, threads=2), reference(stack, size, t, stack))


def test_detect_ops_intensity(stack, rng):
    inten = rng.random(stack.shape).astype(np.float32)
    f = ndi.white_tophat(stack, size=5)
    cells = zslab.detect(stack, 3, 2.0, ops=["white_tophat:size=5"], intensity=inten)
    check(cells, reference(f, 3, 2.0, inten))
    few = zslab.detect(stack, 3, 2.0, ops=["white_tophat:size=5"], intensity=inten, min_intensity=0.5)
    np.testing.assert_array_equal(few["x"], cells["x"][cells["intensity"] >= 0.5])


def test_detect_file(stack, tmp_path):
    src = tmp_path / "in.npy"
    np.save(src, stack.transpose(2, 1, 0))  # zslab's axes x, y, z
    out = tmp_path / "cells.npy"
    cells = zslab.detect(str(src), maxima_size=3, output=str(out))
    check(cells, reference(stack, 3, None, stack))
    assert np.load(out).dtype.names == ("x", "y", "z", "size", "source", "value")


def test_detect_bad(stack, tmp_path):
    with pytest.raises(ValueError, match="maxima_size"):
        zslab.detect(stack, maxima_size=0)
    with pytest.raises(zslab.ZslabError, match="suffix"):
        zslab.detect(stack, output=str(tmp_path / "cells.txt"))
    with pytest.raises(ValueError, match="intensity"):
        zslab.detect(stack, intensity=np.zeros((3, 3, 3), np.float32))
