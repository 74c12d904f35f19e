# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Connected components: scipy.ndimage.label's signature and result over libzslab's streaming
labelling (zslab_reduce.h), for arrays, memory maps and files, and a regionprops_table-like
table of the components.

The numbering is scipy's: components are numbered by their first voxel in C index order of the
array the caller gives (of the array numpy opens, for a path). The array is wrapped in place when
its memory order is C or F (any layout whose axes are in order or reversed); other layouts are
copied to C order first."""
from __future__ import annotations

import ctypes
import os
from typing import Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _core, _lib
from ._lib import lib
from ._ndimage import Budget, _is_path, _npy_to_c_order, _perm


def _connectivity(structure, ndim):
    """6, 18 or 26 from scipy's structure (None: generate_binary_structure(ndim, 1))."""
    if structure is None:
        return 6
    s = np.asarray(structure).astype(bool)
    d2 = ((np.indices((3,) * ndim) - 1) ** 2).sum(0)
    for c, conn in ((1, 6), (2, 18), (3, 26)):
        if c <= ndim and s.shape == d2.shape and np.array_equal(s, d2 <= c):
            return conn
    raise ValueError("structure: zslab labels with scipy's generate_binary_structure(ndim, c) for c = 1, 2 or 3 "
                     "(6, 18 or 26 neighbours in 3-D); other structures are not supported")


def _numbering(shape, perm):
    """The library's numbering for an array whose numpy axis perm[k] is zslab axis k: scipy's C
    order is zslab's (x, y, z) or (z, y, x) order when the axes of length > 1 are in order or
    reversed; None otherwise."""
    inv = list(np.argsort(perm))
    seq = [int(inv[ax]) for ax in range(len(shape)) if shape[ax] > 1]
    if seq == sorted(seq):
        return _lib.NUMBER_XYZ
    if seq == sorted(seq, reverse=True):
        return _lib.NUMBER_ZYX
    return None


class _Labeling:
    """A counted labelling (pass 1) and what it was made of; free() releases everything."""

    def __init__(self):
        self.handle = ctypes.c_void_p()
        self.plan = self.vin = self.vint = None
        self.perm = None
        self.stop = ctypes.c_int(0)  # the library keeps a pointer to it until zs_label_free

    def free(self):
        if self.handle:
            lib.zs_label_free(self.handle)
            self.handle = ctypes.c_void_p()
        for v in (self.vint, self.vin):
            if v is not None:
                v.free()
        if self.plan is not None:
            lib.zs_plan_free(self.plan)
            self.plan = None


def _input(lab, input):
    """Wraps or opens the input: lab.vin, lab.perm (None for a file) and the numbering."""
    if isinstance(input, (str, os.PathLike)):
        lab.vin = _core.open_volume(input)
        return _lib.NUMBER_AUTO
    a = _core.array_input(input, "zslab labels")
    lab.perm = _perm(a)
    num = _numbering(a.shape, lab.perm)
    if num is None:  # axes in another order: scipy's C order is none of the library's orders
        a = np.ascontiguousarray(a)
        lab.perm = _perm(a)
        num = _numbering(a.shape, lab.perm)
    lab.vin = _core.wrap(a, lab.perm, "input", writable=False)
    return num


def _intensity(lab, intensity, input):
    """Opens or wraps the intensity volume (a path, or an array of the input's shape) as lab.vint."""
    if isinstance(intensity, (str, os.PathLike)):
        lab.vint = _core.open_volume(intensity)
    else:
        b = np.asarray(intensity)
        if lab.perm is None or b.shape != np.shape(input):
            raise ValueError(f"intensity: shape {b.shape} differs from the input's")
        lab.vint = _core.wrap(b, lab.perm, "intensity", writable=False)


def _count(input, structure, threshold=None, intensity=None, min_size=0, max_size=0, table=False, threads=None,
           mem_budget=None):
    """Pass 1 over `input` (an array or a path): a _Labeling the caller frees."""
    lab = _Labeling()
    try:
        num = _input(lab, input)
        info = lab.vin.info
        if intensity is not None:
            _intensity(lab, intensity, input)
        po = _core.plan_opts(None, threads, mem_budget)
        lab.plan = ctypes.c_void_p()
        pipe = _core.pipeline([])
        try:
            _core.check(lib.zs_label_plan(ctypes.byref(info), pipe, ctypes.byref(po), 1 if table else 0,
                                          ctypes.byref(lab.plan)))
        finally:
            lib.zs_pipeline_free(pipe)  # the plan holds its own reference
        lo = _lib.default_opts(_lib.LabelOpts)
        lo.connectivity = _connectivity(structure, np.ndim(input) if lab.perm is not None else 3)
        lo.numbering = num
        if threshold is not None:
            lo.has_threshold, lo.threshold = 1, float(threshold)
        for key, v in (("min_size", min_size), ("max_size", max_size)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"{key}: expected an integer >= 0, got {v!r}")
            setattr(lo, key, int(v))
        lo.intensity = lab.vint.handle if lab.vint is not None else None
        lo.table = 1 if table else 0
        lo.stop = ctypes.pointer(lab.stop)
        _core.run_stoppable(lambda: lib.zs_label_count(lab.plan, lab.vin.handle, ctypes.byref(lo),
                                                       ctypes.byref(lab.handle)), lab.stop, [None])
        return lab
    except BaseException:
        lab.free()
        raise


def _out_dtype(output, n):
    """scipy's: int32 (intp when more labels), or the dtype asked for; the bits the library writes."""
    if output is None:
        dt = np.dtype(np.int32) if n < 2**31 else np.dtype(np.intp)
    else:
        dt = np.dtype(output.dtype if isinstance(output, np.ndarray) else output)
    if dt.kind not in "iu" or dt.itemsize < 4 or (dt.kind == "i" and n >= 2 ** (8 * dt.itemsize - 1)) or \
            (dt.itemsize == 4 and n >= 2**32):
        raise ValueError(f"output: dtype {dt} cannot hold {n} labels (use an integer type of 4 or 8 bytes)")
    return dt, np.dtype(f"=u{dt.itemsize}")


def _write(lab, view, perm):
    """Pass 2 into the array `view` (unsigned, the library's axes through perm)."""
    vout = _core.wrap(view, perm, "output", writable=True)
    try:
        _core.run_stoppable(lambda: lib.zs_label_write(lab.handle, vout.handle, None), lab.stop, [None])
    finally:
        vout.free()


def _write_path(lab, path, bits, perm, shape):
    """Pass 2 into a new .npy at `path`, in the caller's axes (`shape`)."""
    if not str(path).lower().endswith(".npy"):
        raise ValueError(f"output: {os.fspath(path)}: zslab.label writes .npy files (zslab label writes any format)")
    spec = _lib.VolumeInfo()
    lib.zs_plan_output_spec(lab.plan, ctypes.byref(spec))
    spec.dtype = _core.zs_dtype(bits, "output")
    spec.slope, spec.inter = 1.0, 0.0
    vout = _core.create_volume(path, spec, force=True)
    try:
        _core.run_stoppable(lambda: lib.zs_label_write(lab.handle, vout.handle, None), lab.stop, [None])
        if perm != list(range(len(shape))):
            _npy_to_c_order(os.fsdecode(vout.info.path), shape)
        _core.check(lib.zs_volume_commit(vout.handle))
    finally:
        vout.free()


def _axes(lab, input):
    """(perm, shape): zslab axis k is numpy axis perm[k] of the caller's array, or of the array
    numpy opens from a file (numbered (x, y, z) or (z, y, x) by its format)."""
    if lab.perm is not None:
        return lab.perm, tuple(np.shape(input))
    zs = tuple(int(lab.vin.info.shape[k]) for k in range(3))
    if lib.zs_label_numbering_used(lab.handle) == _lib.NUMBER_ZYX:
        return [2, 1, 0], zs[::-1]
    return [0, 1, 2], zs


def label(input: Union[npt.ArrayLike, str, os.PathLike], structure: Optional[npt.ArrayLike] = None,
          output: Union[None, npt.DTypeLike, np.ndarray, str, os.PathLike] = None, *,
          threshold: Optional[float] = None, threads: Optional[int] = None,
          mem_budget: Budget = None) -> Union[Tuple[np.ndarray, int], int]:
    """scipy.ndimage.label: the connected components of input's nonzero voxels (NaN is nonzero),
    or of input > threshold, numbered 1, 2, ... by their first voxel in C order: equal to scipy's
    result, numbering included.

    input: an array (any memory order, a np.memmap) or the path of a volume file (numbered as the
    array numpy opens from it: np.load, tifffile, zarr, h5py, nibabel). structure: scipy's
    generate_binary_structure(ndim, 1 | 2 | 3) (None: 1). output: None (int32 as scipy), an integer
    dtype or array of 4 or 8 bytes (filled; then only n is returned, as scipy), or the path of a
    .npy file written out of core and returned as an np.memmap (read-only).
    Returns (labels, n)."""
    lab = _count(input, structure, threshold, threads=threads, mem_budget=mem_budget)
    try:
        n = int(lib.zs_label_components(lab.handle))
        perm, shape = _axes(lab, input)
        if _is_path(output):
            _dt, bits = _out_dtype(None, n)
            _write_path(lab, output, bits, perm, shape)
            return np.load(output, mmap_mode="r"), n
        dt, bits = _out_dtype(output, n)
        out = output if isinstance(output, np.ndarray) else None
        if out is not None and out.shape != shape:
            raise ValueError(f"output: shape {out.shape} differs from the input's {shape}")
        if out is None:
            inv = list(np.argsort(perm))
            out = np.empty(tuple(shape[ax] for ax in perm), dt, order="F").transpose(inv)
        _write(lab, out.view(bits), perm)
        return n if isinstance(output, np.ndarray) else (out, n)
    finally:
        lab.free()


_SKIMAGE = {"voxels": "area", "sum": "intensity_sum", "mean": "intensity_mean", "min": "intensity_min",
            "max": "intensity_max"}


def regionprops_table(input: npt.ArrayLike, intensity_image: Optional[npt.ArrayLike] = None, *,
                      structure: Optional[npt.ArrayLike] = None, threshold: Optional[float] = None,
                      min_size: int = 0, max_size: int = 0, threads: Optional[int] = None,
                      mem_budget: Budget = None) -> dict:
    """The components of input's foreground (labelled as zslab.label labels them; min_size /
    max_size keep those of that many voxels and renumber them) measured as skimage's
    regionprops_table names it: a dict of numpy arrays, one entry per label in label order:
    'label', 'area' (voxels), 'centroid-0'.. (per numpy axis of the input), 'bbox-0'.. (minimum
    per axis, then maximum + 1, as skimage), and of intensity_image (default: the input)
    'intensity_sum', 'intensity_mean', 'intensity_min', 'intensity_max'. An array input only."""
    if isinstance(input, (str, os.PathLike)):
        raise ValueError("input: regionprops_table takes an array; for files use zslab label --table")
    lab = _count(input, structure, threshold, intensity_image, min_size, max_size, True, threads, mem_budget)
    try:
        n = int(lib.zs_label_components(lab.handle))
        cols = {}
        for i in range(lib.zs_label_table_columns(lab.handle)):
            name = ctypes.c_char_p()
            buf = np.zeros(n, np.float64)
            _core.check(lib.zs_label_table_column(lab.handle, i, ctypes.byref(name),
                                                  buf.ctypes.data_as(ctypes.POINTER(ctypes.c_double))))
            cols[name.value.decode()] = buf
        nd = np.ndim(input)
        out = {"label": cols["label"].astype(np.int64), "area": cols["voxels"].astype(np.int64)}
        for ax in range(nd):  # numpy axis ax is zslab axis inv[ax]
            z = "xyz"[list(np.argsort(lab.perm))[ax]]
            out[f"centroid-{ax}"] = cols[f"centroid_{z}"]
            out[f"bbox-{ax}"] = cols[f"{z}_min"].astype(np.int64)
            out[f"bbox-{ax + nd}"] = cols[f"{z}_max"].astype(np.int64) + 1
        for k in ("sum", "mean", "min", "max"):
            out[_SKIMAGE[k]] = cols[k]
        return out
    finally:
        lab.free()
