# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab's scipy.ndimage functions on dask arrays: each block runs zslab.<function> with the
neighbours' voxels it reads, and the result equals zslab.<function> on the whole array.

    import dask.array as da, zslab.dask
    x = da.from_zarr("stack.zarr")                         # or da.from_array(a, chunks=...)
    y = zslab.dask.gaussian_filter(x, sigma=2)             # lazy; y.compute() or y.to_zarr(...)

Every function takes the arguments of its zslab (and scipy) namesake and returns a dask array
of the same shape, with the input's chunks where they hold the depth (see below). How it works:

- depth: the overlap each block takes from its neighbours is the halo of the function's ops
  as libzslab computes it (zslab.halo), per axis, not a rule of thumb from sigma or size.
- boundaries: dask.array.map_overlap(boundary='none') pads nothing at the array's edges, so
  a block on an edge is filtered with zslab's own mode there (scipy's reflect, nearest,
  mirror, constant, wrap; dask's padding modes differ from scipy's), and its inner edges see
  real neighbour data. Every output voxel is computed from the same input voxels by the same
  float32 (or float64) arithmetic as on the whole array: the results are equal, bit for bit, to
  zslab's on the whole array in C order (blocks are C order; zslab's passes follow the axes'
  strides, so for an F-order array they equal zslab on np.ascontiguousarray(a), and differ from
  zslab on the F-order array itself by float32 rounding).
- chunks smaller than the depth are merged with their neighbours along that axis (dask's
  map_overlap needs depth <= chunk), and so are chunks of one voxel (a block keeps every axis
  the whole array has, so zslab maps the block's axes as the whole array's); the result has
  the merged chunks.
- mode 'wrap' (or 'grid-wrap') on an axis reads the other end of the array: that axis is
  rechunked into one chunk, and the result keeps that chunking.
- threads: one worker thread per block by default (threads=1), as dask runs blocks in
  parallel itself; give threads=N to change it. output: None or a dtype (a new dask array is
  returned; arrays and paths are refused), progress is refused.

When to use it: the data is already a dask array (zarr, many files, a dask.distributed
cluster). For one large file on disk, `zslab filter` (or zslab.filter) streams it with less I/O,
and `zslab filter --part I/N` or MPI split it over nodes without a scheduler."""
import functools
import inspect

import dask.array as da
import numpy as np

from . import _core, _ndimage

__all__ = ["black_tophat", "depth", "difference_of_gaussians", "gaussian_filter", "gaussian_gradient_magnitude",
           "gaussian_laplace", "grey_closing", "grey_opening", "maximum_filter", "median_filter", "minimum_filter",
           "percentile_filter", "uniform_filter", "white_tophat"]

_WRAP = ("wrap", "grid-wrap")


def _arguments(fn, input, args, kwargs):
    """fn's arguments but the array, by name, with output checked and threads=1 by default."""
    sig = inspect.signature(fn)
    bound = sig.bind(input, *args, **kwargs)
    params = dict(bound.arguments)
    params.pop(next(iter(sig.parameters)))
    output = params.get("output")
    if output is not None and (isinstance(output, np.ndarray) or _ndimage._is_path(output)):
        raise ValueError(f"output: zslab.dask returns a new dask array; give None or a dtype, got {output!r}")
    if params.get("progress") is not None:
        raise ValueError("progress: not supported by zslab.dask (dask's diagnostics report progress)")
    if params.get("threads") is None:
        params["threads"] = 1
    return params


def _wrap_axes(ops, perm):
    """The numpy axes that some op wraps (mode=wrap for all axes, or in a mode per zslab axis)."""
    axes = set()
    for op in ops:
        for field in op.split(":")[1:]:
            if field.startswith("mode="):
                modes = field[len("mode="):].split(",")
                for k, ax in enumerate(perm):
                    if modes[k if len(modes) > 1 else 0] in _WRAP:
                        axes.add(ax)
    return axes


def _plan(fn, ndim, dtype, params):
    """(depth per numpy axis, numpy axes that wrap, output dtype) of fn with params on arrays of
    ndim dimensions: the ops are built by fn itself and their halo is asked from the library."""
    probe = fn(np.zeros((1,) * ndim, dtype), **dict(params, output=_ndimage.Probe()))
    lo, hi = _core.halo(probe.ops)
    depth = [0] * ndim
    for k, ax in enumerate(probe.perm):
        depth[ax] = max(lo[k], hi[k])
    out_dtype = fn(np.zeros((1,) * ndim, dtype), **params).dtype  # the function's own rule (dog: float)
    return depth, _wrap_axes(probe.ops, probe.perm), out_dtype


def depth(fn, ndim, *args, dtype=np.float32, **kwargs):
    """The overlap zslab.dask.<fn> takes per axis of an array of ndim dimensions, from the
    library's halo: depth("gaussian_filter", 3, sigma=2) is [8, 8, 8]."""
    f = getattr(_ndimage, fn)
    params = _arguments(f, None, args, kwargs)
    return _plan(f, ndim, dtype, params)[0]


def _merge(chunks, least):
    """Chunks along one axis, neighbours merged until each holds at least `least` voxels."""
    out = []
    for c in chunks:
        if out and out[-1] < least:
            out[-1] += c
        else:
            out.append(c)
    if len(out) > 1 and out[-1] < least:
        last = out.pop()
        out[-1] += last
    return tuple(out)


def _block(fn, params, block):
    # C order, as blocks that overlap are: zslab's float32 passes run in the order of the axes'
    # strides, so every block (and the whole array) must be laid out alike to round alike
    return fn(np.ascontiguousarray(block), **params)


def _filter(fn, input, args, kwargs):
    x = da.asarray(input)
    if x.ndim < 1 or x.ndim > 3:
        raise ValueError(f"input: {x.ndim} dimensions; zslab filters arrays of 1 to 3 dimensions")
    params = _arguments(fn, x, args, kwargs)
    depths, wraps, out_dtype = _plan(fn, x.ndim, x.dtype, params)
    chunks = []
    for ax in range(x.ndim):
        if ax in wraps:
            chunks.append((x.shape[ax],) if x.shape[ax] else x.chunks[ax])
        else:
            chunks.append(_merge(x.chunks[ax], max(depths[ax], 2)))
    x = x.rechunk(tuple(chunks))
    depths = {ax: (0 if len(x.chunks[ax]) <= 1 else d) for ax, d in enumerate(depths)}
    return x.map_overlap(functools.partial(_block, fn, params), depth=depths, boundary="none", trim=True,
                         dtype=out_dtype, meta=np.empty((0,) * x.ndim, out_dtype))


def _function(name):
    fn = getattr(_ndimage, name)

    def f(input, *args, **kwargs):
        return _filter(fn, input, args, kwargs)
    f.__name__ = f.__qualname__ = name
    f.__signature__ = inspect.signature(fn)
    f.__doc__ = (f"zslab.{name} on a dask array, equal to it on the whole array (see zslab.dask).\n\n"
                 f"{fn.__doc__}")
    return f


gaussian_filter = _function("gaussian_filter")
gaussian_laplace = _function("gaussian_laplace")
gaussian_gradient_magnitude = _function("gaussian_gradient_magnitude")
uniform_filter = _function("uniform_filter")
minimum_filter = _function("minimum_filter")
maximum_filter = _function("maximum_filter")
median_filter = _function("median_filter")
percentile_filter = _function("percentile_filter")
white_tophat = _function("white_tophat")
black_tophat = _function("black_tophat")
grey_opening = _function("grey_opening")
grey_closing = _function("grey_closing")
difference_of_gaussians = _function("difference_of_gaussians")
