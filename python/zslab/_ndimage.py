# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""scipy.ndimage's filters (and skimage's difference_of_gaussians) over libzslab.

Each function takes scipy's signature and gives scipy's result in the caller's axis order. The
array is wrapped, not copied: zslab's axis x is the numpy axis with the smallest stride, y the
next, z the largest (a C-order array's axis 0 is z; an F-order array's axis 0 is x), so that
both memory orders are read in place; per-axis sigmas and sizes are reordered to match. Other
layouts (strided views) are gathered plane by plane by the library. Arithmetic is float32 (float64
for float64 arrays, and for int32/uint32/int64/uint64 ones), with one rounding at the end (round
half to even, saturating): integer results of sums (gaussian, uniform, ...) can differ by 1 from
scipy's exact result, and scipy itself truncates its integer outputs after every 1-D pass. A mode per axis (scipy's mode=[...]) follows the caller's axes as
sigmas and sizes do. What zslab cannot compute (a footprint that is not a box, an origin, a mode
per axis in median, percentile, log or gradient magnitude, a radius) is refused with ValueError
naming the parameter.

output: None (the input's dtype, as scipy), a dtype, an array to fill, or a path (str or
os.PathLike; a str that numpy reads as a dtype name is a dtype, as in scipy). A path is written
out of core in its format (by its name: .npy, .tif, .nii, ...) and returned as an np.memmap in
the caller's axis order; a .npy holds the result in the caller's axis order (np.load gives it
back), other formats hold it with the caller's last axis as x (tifffile reads it back as the
array). Keyword-only extras: threads, mem_budget ('512M'), progress (called with the fraction
done, on the caller's thread)."""
from __future__ import annotations

import numbers
import os
from typing import Callable, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

from . import _core, _files, _lib
from ._doc import BOX, EXACT, FLOAT32, ONE_MODE, ORIGIN, SIGMA, STRUCTURE, TOPHAT, TRUNCATE, scipy_doc
from ._lib import lib

# the public functions' argument types (numpy-style: a value for every axis, or one per axis)
Floats = Union[float, Sequence[float]]
Ints = Union[int, Sequence[int]]
Modes = Union[str, Sequence[str]]
Output = Union[None, npt.DTypeLike, np.ndarray, str, os.PathLike]
Progress = Optional[Callable[[float], object]]
Budget = Union[int, str, None]

# ---- arguments ---------------------------------------------------------------------------------


def _per_axis(value, ndim, what, conv=float):
    """scipy's _normalize_sequence: a scalar for every axis, or one value per axis."""
    if isinstance(value, str) or not hasattr(value, "__len__"):
        try:
            return [conv(value)] * ndim
        except (TypeError, ValueError):
            raise ValueError(f"{what}: expected a number or one per axis, got {value!r}") from None
    vals = list(value)
    if len(vals) != ndim:
        raise ValueError(f"{what}: {len(vals)} values for an input of {ndim} dimensions")
    try:
        return [conv(v) for v in vals]
    except (TypeError, ValueError):
        raise ValueError(f"{what}: expected numbers, got {value!r}") from None


def _int(v):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        if isinstance(v, numbers.Real) and float(v).is_integer():
            return int(v)
        raise ValueError(f"not an integer: {v!r}")
    return int(v)


def _num(v):
    return format(float(v), ".17g")


def _zs3(values, perm, neutral, fmt=_num):
    """'AxBxC' in zslab's axes: zslab axis k is numpy axis perm[k]; absent axes take `neutral`."""
    return "x".join(fmt(values[perm[k]]) if k < len(perm) else fmt(neutral) for k in range(3))


def _mode(mode, perm, nd):
    """One mode, or scipy's one mode per axis as zslab's list in its axes x,y,z (zslab axis k is
    numpy axis perm[k]); an axis the array does not have (length 1) takes 'nearest', which leaves
    it as it is. Kernels that take one mode (median, percentile, log, gradient_magnitude) refuse a
    list in the library, as scipy's do or with scipy's reason."""
    if isinstance(mode, str):
        return mode
    modes = list(mode)
    if len(modes) != nd or not all(isinstance(m, str) for m in modes):
        raise ValueError(f"mode: one mode or one per axis ({nd} for this input), got {mode!r}")
    if all(m == modes[0] for m in modes):
        return modes[0]
    return ",".join(modes[perm[k]] if k < len(perm) else "nearest" for k in range(3))


def _common(mode, cval):
    """The ':mode=...:cval=...' tail of an op, as a function of the axis mapping (perm, nd)."""
    try:
        c = float(cval)
    except (TypeError, ValueError):
        raise ValueError(f"cval: expected a number, got {cval!r}") from None
    if not isinstance(mode, str) and not (isinstance(mode, (list, tuple)) and all(isinstance(m, str) for m in mode)):
        raise ValueError(f"mode: expected a mode name or one per axis, got {mode!r}")
    return lambda perm, nd: f":mode={_mode(mode, perm, nd)}:cval={_num(c)}"


def _no_origin(origin):
    if np.any(np.asarray(origin) != 0):
        raise ValueError(f"origin: zslab centres every window at size//2 (origin=0); got {origin!r}")


def _box(size, footprint, ndim, structure=None):
    """The box size per numpy axis from size= or an all-True footprint=."""
    if structure is not None:
        raise ValueError("structure: zslab's morphology uses flat boxes only (give size= or a footprint of ones)")
    if footprint is not None:
        fp = np.asarray(footprint)
        if fp.ndim != ndim:
            raise ValueError(f"footprint: {fp.ndim} dimensions for an input of {ndim}")
        if not fp.size or not np.all(fp):
            raise ValueError("footprint: zslab filters over boxes only; this footprint is not all ones "
                             "(give size= or a footprint of ones)")
        if size is not None:
            raise ValueError("size: give size or footprint, not both")
        return list(fp.shape)
    if size is None:
        raise ValueError("size: no size or footprint given")
    return _per_axis(size, ndim, "size", _int)


# ---- the array path ----------------------------------------------------------------------------


def _is_path(output):
    if isinstance(output, os.PathLike):
        return True
    if isinstance(output, str):
        try:
            np.dtype(output)
            return False
        except TypeError:
            return True
    return False


def _perm(a, path=None):
    """Numpy axes in zslab's order x, y, z: by increasing stride, axes of length 1 last. A path
    output takes an order its file can say: .npy files say F or C order, other formats hold the
    last axis as x."""
    if path is not None:
        nat = sorted(range(a.ndim), key=lambda ax: (a.shape[ax] <= 1, abs(a.strides[ax])))
        if str(path).lower().endswith(".npy") and nat and nat[0] == 0:
            return list(range(a.ndim))
        return list(range(a.ndim))[::-1]
    return sorted(range(a.ndim), key=lambda ax: (a.shape[ax] <= 1, abs(a.strides[ax]), -ax))


def _npy_to_c_order(path, shape):
    """Rewrites the header of a zslab-written .npy (F order, shape in zslab's axes) to describe
    the same bytes as C order in the caller's axes: x fastest is the last axis fastest."""
    with open(path, "r+b") as f:
        major, _minor = np.lib.format.read_magic(f)
        hsize = 2 if major == 1 else 4
        hlen = int.from_bytes(f.read(hsize), "little")
        old = f.read(hlen).decode("latin1")
        descr = old.split("'descr':", 1)[1].split("'")[1]
        shape_s = repr(tuple(int(n) for n in shape))
        for new in (f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_s}, }}",
                    f"{{'descr':'{descr}','fortran_order':False,'shape':{shape_s}}}"):
            if len(new) + 1 <= hlen:
                break
        else:
            raise _core.ZslabError(f"{path}: the header has no room to say C order")
        f.seek(8 + hsize)
        f.write((new + " " * (hlen - len(new) - 1) + "\n").encode("latin1"))


def _returnable(path, info):
    """Refuses a path output that the array path could write but not return: one zslab cannot
    open again by its name (raw data: its shape and dtype are in no header) or cannot map."""
    if info.format == _lib.FMT_RAW:
        raise ValueError(f"output: {os.fspath(path)} would be raw data, which zslab cannot open again by its name "
                         "to return it; name a format (.npy, .nii, .tif, .mhd, .nrrd) or use zslab.filter")
    if info.decoded:
        raise ValueError(f"output: {os.fspath(path)} is decoded plane by plane ({lib.zs_format_name(info.format).decode()}"
                         "): it cannot be returned as an array; use zslab.filter")


class Probe:
    """Given as `output`, makes a function record the ops it would run (.ops) and the axis mapping
    (.perm: zslab axis k is numpy axis perm[k]) instead of filtering: zslab.dask asks the library
    for their halo."""
    ops = perm = None


def _run(input, output, ops_of, threads=None, mem_budget=None, progress=None, default_dtype=None):
    """Filters array `input` through the ops that ops_of(perm, ndim) gives, into `output`."""
    a = np.asarray(input)
    if a.ndim < 1 or a.ndim > 3:
        raise ValueError(f"input: {a.ndim} dimensions; zslab filters arrays of 1 to 3 dimensions")
    if isinstance(output, Probe):
        output.perm = _perm(a)
        output.ops = ops_of(output.perm, a.ndim)
        return output
    _core.zs_dtype(a.dtype, "input")
    a = _core.plain(a)
    path = output if _is_path(output) else None
    out_arr = output if isinstance(output, np.ndarray) else None
    if out_arr is not None:
        if out_arr.shape != a.shape:
            raise ValueError(f"output: shape {out_arr.shape} differs from the input's {a.shape}")
        if not out_arr.flags.writeable:
            raise ValueError("output: the array is read-only")
        if np.may_share_memory(a, out_arr):  # in place: workers must not read what others wrote
            a = a.copy()
        dtype = out_arr.dtype
    elif path is not None or output is None:
        dtype = np.dtype(default_dtype) if default_dtype is not None else a.dtype
    else:
        try:
            dtype = np.dtype(output)
        except TypeError:
            raise ValueError(f"output: expected None, a dtype, an array or a path, got {output!r}") from None
    _core.zs_dtype(dtype, "output")
    perm = _perm(a, path)
    inv = list(np.argsort(perm))
    ops = ops_of(perm, a.ndim)
    vin = _core.wrap(a, perm, "input", writable=False)
    vout = job = None
    try:
        zshape = tuple(a.shape[ax] for ax in perm)
        if path is None:
            if out_arr is None:
                out_arr = np.empty(zshape, dtype, order="F").transpose(inv)
            vout = _core.wrap(out_arr, perm, "output", writable=True)
        elif lib.zs_path_writes_whole_planes(os.fsencode(path), None):
            raise ValueError(f"output: {os.fspath(path)} is written plane by plane (a plane series): it cannot "
                             "be returned as an array; use zslab.filter")
        # float64 arrays are computed in float64, as scipy does, where every kernel has a float64
        # implementation (every filter of this module has one)
        f64 = a.dtype == np.float64 and _core.has_float64(ops)
        po = _core.plan_opts(dtype, threads, mem_budget, "float64" if f64 else None)
        job = _core.Job(vin, ops, po, into=vout, path=path, progress=progress)
        job.create()
        if path is not None:
            _returnable(path, job.output_info())  # before the run: nothing is committed that then raises
        job.execute()
        if path is None:
            return out_arr
        if str(path).lower().endswith(".npy") and perm != list(range(a.ndim)):
            _npy_to_c_order(os.fsdecode(job.output_info().path), a.shape)
        job.commit()
    finally:
        if job is not None:
            job.free()  # a file output that was not committed is removed
        if vout is not None:
            vout.free()
        vin.free()
    if str(path).lower().endswith(".npy"):
        return np.load(path, mmap_mode="r+")
    with _files.File(path) as f:
        m = f.array("r+")  # formats reopen as 3-D: the array's own axes, then axes of length 1
        return m[(slice(None),) * len(zshape) + (0,) * (m.ndim - len(zshape))].transpose(inv)


# ---- scipy.ndimage's functions -----------------------------------------------------------------


@scipy_doc("scipy.ndimage.gaussian_filter: a Gaussian filter, as 1-D convolutions along each axis with a Gaussian "
           "of standard deviation sigma (or, with order > 0, its derivative).",
           SIGMA + """order : int or sequence of int, optional
    The derivative order (0 to 3; scipy: any), for every axis or per axis.
""" + TRUNCATE + """radius : None
    Not supported (scipy's alternative to truncate): a radius raises ValueError.
""", FLOAT32)
def gaussian_filter(input: npt.ArrayLike, sigma: Floats, order: Ints = 0, output: Output = None,
                    mode: Modes = "reflect", cval: float = 0.0, truncate: float = 4.0, *, radius: None = None,
                    threads: Optional[int] = None, mem_budget: Budget = None, progress: Progress = None
                    ) -> np.ndarray:
    if radius is not None:
        raise ValueError("radius: not supported by zslab; the radius is int(truncate * sigma + 0.5), give truncate")
    tail = _common(mode, cval)

    def ops(perm, nd):
        s = _per_axis(sigma, nd, "sigma")
        o = _per_axis(order, nd, "order", _int)
        o = [oi if si > 1e-15 else 0 for oi, si in zip(o, s)]  # scipy skips axes with sigma 0
        return [f"gaussian:sigma={_zs3(s, perm, 0)}:order={_zs3(o, perm, 0, str)}:truncate={_num(truncate)}{tail(perm, nd)}"]
    return _run(input, output, ops, threads, mem_budget, progress)


@scipy_doc("scipy.ndimage.gaussian_laplace: the Laplacian of Gaussian, the sum over the axes of the "
           "Gaussian's second derivative along each.",
           SIGMA + TRUNCATE.replace("optional", "optional, keyword only"),
           FLOAT32 + " truncate is a keyword (scipy passes it on to gaussian_filter through **kwargs). " + ONE_MODE)
def gaussian_laplace(input: npt.ArrayLike, sigma: Floats, output: Output = None, mode: Modes = "reflect",
                     cval: float = 0.0, *, truncate: float = 4.0, threads: Optional[int] = None,
                     mem_budget: Budget = None, progress: Progress = None) -> np.ndarray:
    tail = _common(mode, cval)
    return _run(input, output,
                lambda perm, nd: [f"log:sigma={_zs3(_per_axis(sigma, nd, 'sigma'), perm, 0)}"
                                  f":truncate={_num(truncate)}{tail(perm, nd)}"],
                threads, mem_budget, progress)


@scipy_doc("scipy.ndimage.gaussian_gradient_magnitude: the gradient's magnitude, the square root of the sum "
           "over the axes of the squared first Gaussian derivative along each.",
           SIGMA + TRUNCATE.replace("optional", "optional, keyword only"),
           FLOAT32 + " truncate is a keyword (scipy passes it on through **kwargs). " + ONE_MODE)
def gaussian_gradient_magnitude(input: npt.ArrayLike, sigma: Floats, output: Output = None, mode: Modes = "reflect",
                                cval: float = 0.0, *, truncate: float = 4.0, threads: Optional[int] = None,
                                mem_budget: Budget = None, progress: Progress = None) -> np.ndarray:
    tail = _common(mode, cval)
    return _run(input, output,
                lambda perm, nd: [f"gradient_magnitude:sigma={_zs3(_per_axis(sigma, nd, 'sigma'), perm, 0)}"
                                  f":truncate={_num(truncate)}{tail(perm, nd)}"],
                threads, mem_budget, progress)


@scipy_doc("scipy.ndimage.uniform_filter: the mean over a box of `size` voxels, as 1-D means along each axis.",
           """size : int or sequence of int, optional
    The box's extent, for every axis or per axis.
""" + ORIGIN, FLOAT32)
def uniform_filter(input: npt.ArrayLike, size: Ints = 3, output: Output = None, mode: Modes = "reflect",
                   cval: float = 0.0, origin: Ints = 0, *, threads: Optional[int] = None, mem_budget: Budget = None,
                   progress: Progress = None) -> np.ndarray:
    _no_origin(origin)
    tail = _common(mode, cval)
    return _run(input, output,
                lambda perm, nd: [f"uniform:size={_zs3(_per_axis(size, nd, 'size', _int), perm, 1, str)}{tail(perm, nd)}"],
                threads, mem_budget, progress)


def _box_filter(kernel, input, size, footprint, output, mode, cval, origin, threads, mem_budget, progress,
                structure=None, extra=""):
    _no_origin(origin)
    tail = _common(mode, cval)
    return _run(input, output,
                lambda perm, nd: [f"{kernel}:size={_zs3(_box(size, footprint, nd, structure), perm, 1, str)}"
                                  f"{extra}{tail(perm, nd)}"],
                threads, mem_budget, progress)


@scipy_doc("scipy.ndimage.minimum_filter: the minimum over a window (a box here).",
           BOX + ORIGIN, EXACT)
def minimum_filter(input: npt.ArrayLike, size: Optional[Ints] = None, footprint: Optional[npt.ArrayLike] = None,
                   output: Output = None, mode: Modes = "reflect", cval: float = 0.0, origin: Ints = 0, *,
                   threads: Optional[int] = None, mem_budget: Budget = None, progress: Progress = None) -> np.ndarray:
    return _box_filter("minimum", input, size, footprint, output, mode, cval, origin, threads, mem_budget, progress)


@scipy_doc("scipy.ndimage.maximum_filter: the maximum over a window (a box here).",
           BOX + ORIGIN, EXACT)
def maximum_filter(input: npt.ArrayLike, size: Optional[Ints] = None, footprint: Optional[npt.ArrayLike] = None,
                   output: Output = None, mode: Modes = "reflect", cval: float = 0.0, origin: Ints = 0, *,
                   threads: Optional[int] = None, mem_budget: Budget = None, progress: Progress = None) -> np.ndarray:
    return _box_filter("maximum", input, size, footprint, output, mode, cval, origin, threads, mem_budget, progress)


@scipy_doc("scipy.ndimage.median_filter: the median over a window (a box here).",
           BOX + ORIGIN, EXACT + " " + ONE_MODE + " (scipy refuses one too)")
def median_filter(input: npt.ArrayLike, size: Optional[Ints] = None, footprint: Optional[npt.ArrayLike] = None,
                  output: Output = None, mode: Modes = "reflect", cval: float = 0.0, origin: Ints = 0, *,
                  threads: Optional[int] = None, mem_budget: Budget = None, progress: Progress = None) -> np.ndarray:
    return _box_filter("median", input, size, footprint, output, mode, cval, origin, threads, mem_budget, progress)


@scipy_doc("scipy.ndimage.percentile_filter: the given percentile of the values in a window (a box here).",
           """percentile : float
    The percentile, -100 to 100 as scipy: rank int(n * p / 100) of the n window values; p < 0 is 100 + p.
""" + BOX + ORIGIN, EXACT + " " + ONE_MODE + " (scipy refuses one too)")
def percentile_filter(input: npt.ArrayLike, percentile: float, size: Optional[Ints] = None,
                      footprint: Optional[npt.ArrayLike] = None, output: Output = None, mode: Modes = "reflect",
                      cval: float = 0.0, origin: Ints = 0, *, threads: Optional[int] = None, mem_budget: Budget = None,
                      progress: Progress = None) -> np.ndarray:
    try:
        p = float(percentile)
    except (TypeError, ValueError):
        raise ValueError(f"percentile: expected a number, got {percentile!r}") from None
    return _box_filter("percentile", input, size, footprint, output, mode, cval, origin, threads, mem_budget,
                       progress, extra=f":percentile={_num(p)}")


@scipy_doc("scipy.ndimage.white_tophat: the input minus its grey opening (bright details smaller than the window).",
           BOX + STRUCTURE + ORIGIN, TOPHAT)
def white_tophat(input: npt.ArrayLike, size: Optional[Ints] = None, footprint: Optional[npt.ArrayLike] = None,
                 structure: None = None, output: Output = None, mode: Modes = "reflect", cval: float = 0.0,
                 origin: Ints = 0, *, threads: Optional[int] = None, mem_budget: Budget = None,
                 progress: Progress = None) -> np.ndarray:
    return _box_filter("white_tophat", input, size, footprint, output, mode, cval, origin, threads, mem_budget,
                       progress, structure)


@scipy_doc("scipy.ndimage.black_tophat: the grey closing minus the input (dark details smaller than the window).",
           BOX + STRUCTURE + ORIGIN, TOPHAT)
def black_tophat(input: npt.ArrayLike, size: Optional[Ints] = None, footprint: Optional[npt.ArrayLike] = None,
                 structure: None = None, output: Output = None, mode: Modes = "reflect", cval: float = 0.0,
                 origin: Ints = 0, *, threads: Optional[int] = None, mem_budget: Budget = None,
                 progress: Progress = None) -> np.ndarray:
    return _box_filter("black_tophat", input, size, footprint, output, mode, cval, origin, threads, mem_budget,
                       progress, structure)


@scipy_doc("scipy.ndimage.grey_opening: grey erosion (minimum) then grey dilation (maximum) over a flat window.",
           BOX + STRUCTURE + ORIGIN, EXACT)
def grey_opening(input: npt.ArrayLike, size: Optional[Ints] = None, footprint: Optional[npt.ArrayLike] = None,
                 structure: None = None, output: Output = None, mode: Modes = "reflect", cval: float = 0.0,
                 origin: Ints = 0, *, threads: Optional[int] = None, mem_budget: Budget = None,
                 progress: Progress = None) -> np.ndarray:
    return _box_filter("opening", input, size, footprint, output, mode, cval, origin, threads, mem_budget, progress,
                       structure)


@scipy_doc("scipy.ndimage.grey_closing: grey dilation (maximum) then grey erosion (minimum) over a flat window.",
           BOX + STRUCTURE + ORIGIN, EXACT)
def grey_closing(input: npt.ArrayLike, size: Optional[Ints] = None, footprint: Optional[npt.ArrayLike] = None,
                 structure: None = None, output: Output = None, mode: Modes = "reflect", cval: float = 0.0,
                 origin: Ints = 0, *, threads: Optional[int] = None, mem_budget: Budget = None,
                 progress: Progress = None) -> np.ndarray:
    return _box_filter("closing", input, size, footprint, output, mode, cval, origin, threads, mem_budget, progress,
                       structure)


def difference_of_gaussians(image: npt.ArrayLike, low_sigma: Floats, high_sigma: Optional[Floats] = None, *,
                            mode: Modes = "nearest", cval: float = 0, channel_axis: None = None, truncate: float = 4.0,
                            output: Output = None, threads: Optional[int] = None, mem_budget: Budget = None,
                            progress: Progress = None) -> np.ndarray:
    """skimage.filters.difference_of_gaussians: the image as img_as_float makes it (unsigned
    integers divided by their maximum, signed ones too and clipped at -1, bool as 0/1, floats as
    they are), filtered by gaussian(low_sigma) - gaussian(high_sigma); high_sigma defaults to
    1.6 * low_sigma and must not be below low_sigma. A float image (float64 for integer input,
    as skimage; float32 stays float32), unless output says otherwise."""
    if channel_axis is not None:
        raise ValueError("channel_axis: not supported by zslab; filter each channel on its own")
    a = np.asarray(image)
    lo = _per_axis(low_sigma, a.ndim, "low_sigma")
    hi = [1.6 * s for s in lo] if high_sigma is None else _per_axis(high_sigma, a.ndim, "high_sigma")
    if any(h < l for h, l in zip(hi, lo)):
        raise ValueError("high_sigma: must be equal to or larger than low_sigma for all axes")
    pre = []
    if a.dtype.kind in "ui":
        imax = np.iinfo(a.dtype).max
        pre = [f"scale:a={_num(1.0 / imax)}"]
        if a.dtype.kind == "i":
            pre.append("clip:lo=-1")
    out_dt = a.dtype if a.dtype.kind == "f" else np.float64
    tail = _common(mode, cval)
    return _run(a, output,
                lambda perm, nd: pre + [f"dog:sigma1={_zs3(lo, perm, 0)}:sigma2={_zs3(hi, perm, 0)}"
                                        f":truncate={_num(truncate)}{tail(perm, nd)}"],
                threads, mem_budget, progress, default_dtype=out_dt)
