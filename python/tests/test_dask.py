# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab.dask: every function on a chunked dask array equals (bit for bit, same dtype) zslab's
function on the whole numpy array, for every boundary mode, for chunks smaller than the halo, of
one voxel and of uneven sizes, for 1-D to 3-D arrays and integer and float64 data, and on a
dask.distributed LocalCluster."""
import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask is not installed (Debian: python3-dask)")

import zslab  # noqa: E402
import zslab.dask as zd  # noqa: E402

MODES = ["reflect", "nearest", "mirror", "constant", "wrap"]
PER_AXIS = ["wrap", "reflect", "nearest"]  # a mode per axis, wrap on axis 0 only

# (function, positional args, keywords, takes a mode per axis)
KERNELS = [
    ("gaussian_filter", ((1.0, 1.5, 0.7),), {}, True),
    ("gaussian_filter", (1.2,), {"order": (0, 1, 0)}, True),
    ("gaussian_laplace", ((1.0, 0.8, 1.2),), {}, False),
    ("gaussian_gradient_magnitude", (1.0,), {}, False),
    ("uniform_filter", ((3, 4, 2),), {"cval": 5}, True),
    ("minimum_filter", (), {"size": (3, 1, 4)}, True),
    ("maximum_filter", (), {"size": 3}, True),
    ("median_filter", (), {"size": (3, 2, 3)}, False),
    ("percentile_filter", (30,), {"size": 3}, False),
    ("white_tophat", (), {"size": (3, 5, 3)}, True),
    ("black_tophat", (), {"size": 3}, True),
    ("grey_opening", (), {"size": (2, 3, 3)}, True),
    ("grey_closing", (), {"size": 3}, True),
    ("difference_of_gaussians", (0.8,), {}, True),
]
IDS = [f"{k[0]}{i}" for i, k in enumerate(KERNELS)]


def equal(name, a, chunks, *args, **kw):
    want = getattr(zslab, name)(a, *args, **kw)
    got = getattr(zd, name)(da.from_array(a, chunks=chunks), *args, **kw)
    assert got.dtype == want.dtype
    res = got.compute(scheduler="sync")
    assert res.dtype == want.dtype and res.shape == want.shape
    bad = np.argwhere(res != want)
    assert not len(bad), f"{name} {kw}: {len(bad)} voxels differ, first at {bad[0].tolist()}"
    return got


@pytest.fixture
def vol(rng):
    return rng.random((11, 12, 13)).astype(np.float32)


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_every_mode(vol, kernel):
    """Chunks of 4x5x6: smaller than the gaussians' halo (merged), larger than the boxes'."""
    name, args, kw, per_axis = kernel
    for mode in MODES + ([PER_AXIS] if per_axis else []):
        equal(name, vol, (4, 5, 6), *args, mode=mode, **kw)


@pytest.mark.parametrize("chunks", [(1, 1, 1), (2, 8, 3), ((1, 5, 1), (3, 5), (4, 1, 4)), (7, 8, 9)])
@pytest.mark.parametrize("kernel", [KERNELS[i] for i in (0, 4, 7, 11, 13)], ids=[IDS[i] for i in (0, 4, 7, 11, 13)])
def test_chunkings(rng, chunks, kernel):
    """One-voxel chunks, uneven chunks and a single chunk, in the default mode and in nearest."""
    name, args, kw, _ = kernel
    a = rng.random((7, 8, 9)).astype(np.float32)
    equal(name, a, chunks, *args, **kw)
    equal(name, a, chunks, *args, mode="nearest", **kw)


def test_chunks_kept_where_they_hold_the_depth(vol):
    """An axis whose chunks hold the depth keeps them; chunks below it are merged; a wrap axis
    becomes one chunk."""
    assert zd.depth("median_filter", 3, size=(3, 5, 1)) == [1, 2, 0]
    assert zd.depth("gaussian_filter", 3, 2.0) == [8, 8, 8]
    assert zd.depth("gaussian_filter", 3, (1.0, 0.5, 0.0)) == [4, 2, 0]
    y = equal("median_filter", vol, (4, 3, 5), size=(3, 5, 1))
    assert y.chunks == ((4, 4, 3), (3, 3, 3, 3), (5, 5, 3))
    y = equal("gaussian_filter", vol, (3, 1, 5), (1.0, 0.5, 0.0))
    assert y.chunks == ((6, 5), (2,) * 6, (5, 5, 3))  # at least the depth, and 2 voxels
    y = equal("maximum_filter", vol, (4, 6, 5), size=3, mode=["reflect", "reflect", "wrap"])
    assert y.chunks == ((4, 4, 3), (6, 6), (13,))


def test_dtypes_and_dimensions(rng):
    """uint16 (rounded sums), float64 (computed in float64 where zslab does), 1-D and 2-D."""
    u = rng.integers(0, 60000, (9, 10, 11)).astype(np.uint16)
    for name, args, kw, _ in (KERNELS[0], KERNELS[7], KERNELS[11], KERNELS[13]):
        equal(name, u, (3, 4, 5), *args, **kw)
    d = rng.random((9, 10, 11))
    for name, args, kw, _ in (KERNELS[0], KERNELS[5], KERNELS[9]):
        equal(name, d, (3, 4, 5), *args, **kw)
    line = rng.random(50).astype(np.float32)
    equal("gaussian_filter", line, 7, 2.0, mode="mirror")
    equal("median_filter", line, 3, size=5, mode="wrap")
    plane = rng.random((30, 17)).astype(np.float32)
    equal("gaussian_filter", plane, (8, 5), (2.0, 1.0), mode="constant", cval=0.5)
    equal("uniform_filter", plane, (4, 4), 3, output=np.float64)


def test_fortran_order_input(vol):
    """Every block is filtered in C order, the one unchanged chunk too: an F-order array gives
    zslab's result on the C-order array (zslab's float32 passes follow the strides)."""
    f = np.asfortranarray(vol)
    for chunks in ((11, 12, 13), (4, 12, 13)):
        got = zd.gaussian_filter(da.from_array(f, chunks=chunks), (1.0, 0.0, 2.0)).compute(scheduler="sync")
        assert np.array_equal(got, zslab.gaussian_filter(vol, (1.0, 0.0, 2.0)))


def test_refusals(vol):
    x = da.from_array(vol, chunks=5)
    with pytest.raises(ValueError, match="output"):
        zd.gaussian_filter(x, 1.0, output=np.empty_like(vol))
    with pytest.raises(ValueError, match="output"):
        zd.gaussian_filter(x, 1.0, output="out.npy")
    with pytest.raises(ValueError, match="progress"):
        zd.gaussian_filter(x, 1.0, progress=print)
    with pytest.raises(ValueError, match="sigma"):  # the library's message, when the graph is built
        zd.gaussian_filter(x, -1.0)
    with pytest.raises(ValueError, match="dimensions"):
        zd.gaussian_filter(da.zeros((2, 2, 2, 2), chunks=1), 1.0)


def test_local_cluster(vol):
    """Blocks run on dask.distributed's workers (two, of one thread each)."""
    distributed = pytest.importorskip("dask.distributed", reason="dask.distributed is not installed "
                                      "(Debian: python3-distributed)")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c, \
            distributed.Client(c) as client:
        a = np.concatenate([vol, vol[::-1]], axis=1)
        y = zd.gaussian_filter(da.from_array(a, chunks=(6, 8, 7)), 1.5, mode="mirror")
        z = zd.maximum_filter(y, size=3, mode=["nearest", "wrap", "reflect"])
        want = zslab.maximum_filter(zslab.gaussian_filter(a, 1.5, mode="mirror"), size=3,
                                    mode=["nearest", "wrap", "reflect"])
        got = client.compute(z).result()
        assert np.array_equal(got, want)
        assert len(client.scheduler_info()["workers"]) == 2
