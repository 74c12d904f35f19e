# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Resampling (zslab_resample.h): scipy.ndimage.zoom's signature and result for order 0 and 1 with
mode='nearest' and grid_mode=True, on arrays, and zslab.resample for files (any voxel size, shape or
zoom factor; area, linear, nearest or antialias), streamed through z-slabs."""
from __future__ import annotations

import ctypes
import os
from typing import Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

from . import _core, _lib
from ._lib import lib
from ._ndimage import Budget, _perm


def _opts(method, target, values, unit=""):
    ro = _lib.default_opts(_lib.ResampleOpts)
    m = ctypes.c_int()
    if not isinstance(method, str) or lib.zs_resample_method_parse(method.encode(), ctypes.byref(m)) != 0:
        raise ValueError(f"method: expected 'area', 'linear', 'nearest' or 'antialias', got {method!r}")
    ro.method = m.value
    ro.target = target
    field = {_lib.TARGET_VOXEL: ro.voxel, _lib.TARGET_SHAPE: ro.shape, _lib.TARGET_FACTOR: ro.factor}[target]
    for k in range(3):
        if target == _lib.TARGET_SHAPE and values[k] != int(values[k]):
            raise ValueError(f"shape: extents are integers, got {values[k]!r}")
        field[k] = int(values[k]) if target == _lib.TARGET_SHAPE else values[k]
    ro.unit = unit.encode()
    return ro


def _run(plan_in, vin, ro, vout, ops=(), threads=None, mem_budget=None):
    """Plans vin (info plan_in) with the ops and resamples it into vout."""
    stop = ctypes.c_int(0)
    ro.stop = ctypes.pointer(stop)
    po = _core.plan_opts(None, threads, mem_budget)
    plan = ctypes.c_void_p()
    pipe = _core.pipeline(list(ops), (tuple(plan_in.voxel), plan_in.unit))
    try:
        _core.check(lib.zs_resample_plan(ctypes.byref(plan_in), pipe, ctypes.byref(po), ctypes.byref(ro),
                                         ctypes.byref(plan)))
        _core.run_stoppable(lambda: lib.zs_resample_run(plan, vin.handle, ctypes.byref(ro), vout.handle, None),
                            stop, [None])
    finally:
        lib.zs_pipeline_free(pipe)
        if plan:
            lib.zs_plan_free(plan)


def _per_axis(value, nd, what):
    v = list(value) if np.ndim(value) else [value] * nd
    if len(v) != nd:
        raise ValueError(f"{what}: {len(v)} values for an input of {nd} dimensions")
    return [float(x) for x in v]


def zoom(input: npt.ArrayLike, zoom: Union[float, Sequence[float]], output: Union[None, npt.DTypeLike,
         np.ndarray] = None, order: int = 1, mode: str = "nearest", cval: float = 0.0, prefilter: bool = True, *,
         grid_mode: bool = True, threads: Optional[int] = None, mem_budget: Budget = None) -> Optional[np.ndarray]:
    """scipy.ndimage.zoom(input, zoom, output, order, mode='nearest', grid_mode=True) for order 0
    (exact for every dtype) and 1 (sums in double): the same shape (round(extent * zoom)) and values;
    integer outputs round half to even (scipy rounds half up). Other orders, modes or grid_mode=False
    raise ValueError naming them. cval and prefilter do not matter to these (as in scipy)."""
    if order not in (0, 1) or isinstance(order, bool):
        raise ValueError(f"order: zslab.zoom takes order 0 or 1, got {order!r}")
    if mode != "nearest":
        raise ValueError(f"mode: zslab.zoom takes mode='nearest', got {mode!r}")
    if grid_mode is not True:
        raise ValueError("grid_mode: zslab.zoom takes grid_mode=True (pixel centres at +0.5, as OpenCV and skimage)")
    a = _core.array_input(input, "zslab.zoom takes")
    f = _per_axis(zoom, a.ndim, "zoom")
    shape = tuple(int(round(n * z)) for n, z in zip(a.shape, f))
    perm = _perm(a)
    out = output if isinstance(output, np.ndarray) else None
    if out is not None and out.shape != shape:
        raise ValueError(f"output: shape {out.shape}, the zoom's is {shape}")
    if out is None:
        dt = np.dtype(a.dtype if output is None else output)
        inv = list(np.argsort(perm))
        out = np.empty(tuple(shape[ax] for ax in perm), dt, order="F").transpose(inv)
    operm = [perm[k] for k in range(a.ndim)]
    vin = _core.wrap(a, perm, "input", writable=False)
    vout = _core.wrap(out, operm, "output", writable=True)
    try:
        zs_f = [f[perm[k]] if k < a.ndim else 1.0 for k in range(3)]
        ro = _opts("nearest" if order == 0 else "linear", _lib.TARGET_FACTOR, zs_f)
        _run(vin.info, vin, ro, vout, threads=threads, mem_budget=mem_budget)
    finally:
        vout.free()
        vin.free()
    return None if isinstance(output, np.ndarray) else out


def resample(src: Union[str, os.PathLike], dst: Union[str, os.PathLike], *,
             voxel_size: Union[None, float, Sequence[float]] = None, unit: str = "",
             shape: Optional[Sequence[int]] = None, factor: Union[None, float, Sequence[float]] = None,
             method: str = "auto", ops: Sequence[str] = (),
             dtype: Optional[npt.DTypeLike] = None, threads: Optional[int] = None, mem_budget: Budget = None,
             force: bool = False) -> None:
    """`zslab resample src dst`: one of voxel_size (a number or (x, y, z), in `unit` or the input's),
    shape (x, y, z) or factor (a zoom, or (x, y, z)); method 'auto' (area when no axis grows, else
    linear), 'area', 'linear', 'nearest' or 'antialias'; ops run before resampling, in the same pass.
    Axes are zslab's x, y, z (zslab info's shape). dst carries the true voxel size."""
    given = [(n, v) for n, v in (("voxel_size", voxel_size), ("shape", shape), ("factor", factor)) if v is not None]
    if len(given) != 1:
        raise ValueError("give one of voxel_size, shape and factor")
    name, value = given[0]
    target = {"voxel_size": _lib.TARGET_VOXEL, "shape": _lib.TARGET_SHAPE, "factor": _lib.TARGET_FACTOR}[name]
    ro = _opts(method, target, _per_axis(value, 3, name), unit)
    vin = _core.open_volume(src)
    vout = None
    try:
        info = vin.info
        spec = _lib.VolumeInfo()
        ctypes.memmove(ctypes.byref(spec), ctypes.byref(info), ctypes.sizeof(spec))
        if dtype is not None:
            spec.dtype = _core.zs_dtype(np.dtype(dtype), "dtype")
        _core.check(lib.zs_resample_spec(ctypes.byref(info), ctypes.byref(ro), ctypes.byref(spec)))
        spec.slope, spec.inter = 1.0, 0.0
        vout = _core.create_volume(dst, spec, force=force)
        _run(info, vin, ro, vout, ops, threads, mem_budget)
        _core.check(lib.zs_volume_commit(vout.handle))
    finally:
        if vout is not None:
            vout.free()
        vin.free()
