# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Cell detection (zslab_detect.h, docs/cells.md): local maxima of a pipeline's output merged into
cells, for arrays and files, as a numpy structured array."""
from __future__ import annotations

import ctypes
import os
from typing import Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

from . import _core, _lib
from ._label import _input, _intensity, _Labeling
from ._lib import lib
from ._ndimage import Budget


def _opts(maxima_size, threshold, min_size, max_size, min_intensity, lab):
    o = _lib.default_opts(_lib.DetectOpts)
    size = np.broadcast_to(np.asarray(maxima_size), (3,))
    if size.dtype.kind not in "iu" or (size < 1).any():
        raise ValueError(f"maxima_size: whole numbers >= 1 (one, or x y z), got {maxima_size!r}")
    o.size = (ctypes.c_int64 * 3)(*(int(v) for v in size))
    if threshold is not None:
        o.has_threshold, o.threshold = 1, float(threshold)
    for key, v in (("min_size", min_size), ("max_size", max_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"{key}: expected an integer >= 0, got {v!r}")
        setattr(o, key, int(v))
    if min_intensity is not None:
        o.has_min_intensity, o.min_intensity = 1, float(min_intensity)
    o.intensity = lab.vint.handle if lab.vint is not None else None
    o.stop = ctypes.pointer(lab.stop)
    return o


def _table(cells):
    """The cells' columns as a structured array (size int64, the rest float64)."""
    n = int(lib.zs_cells_count(cells))
    cols = []
    for i in range(lib.zs_cells_columns(cells)):
        name = ctypes.c_char_p()
        buf = np.zeros(n, np.float64)
        _core.check(lib.zs_cells_column(cells, i, ctypes.byref(name),
                                        buf.ctypes.data_as(ctypes.POINTER(ctypes.c_double))))
        cols.append((name.value.decode(), buf))
    out = np.zeros(n, [(k, np.int64 if k == "size" else np.float64) for k, _ in cols])
    for k, v in cols:
        out[k] = v
    return out


def detect(input: Union[npt.ArrayLike, str, os.PathLike], maxima_size: Union[int, Sequence[int]] = 3,
           threshold: Optional[float] = None, *, ops: Sequence[str] = (),
           intensity: Union[None, npt.ArrayLike, str, os.PathLike] = None, min_size: int = 0, max_size: int = 0,
           min_intensity: Optional[float] = None, output: Union[None, str, os.PathLike] = None,
           threads: Optional[int] = None, mem_budget: Budget = None) -> np.ndarray:
    """Cells as `zslab detect` finds them: after the `ops` stages (e.g. "white_tophat:size=11",
    "dog:sigma1=1.5:sigma2=3") f, the 26-connected plateaus of f == maximum_filter(f, maxima_size,
    mode='nearest') and f > threshold, at their centroids, in the order of their first voxel (z, y, x).

    input: an array or the path of a volume file. Returns a structured array with the fields x, y, z
    (voxels on zslab's axes: for an array, x is the axis that varies fastest in memory, the last of a
    C-order array; for a file, as `zslab detect` writes them), x_um, y_um, z_um (files with a voxel
    size), size (plateau voxels), value (f there) and intensity (the largest of `intensity`, default
    the input, on the plateau). maxima_size: one box size or (x, y, z). output: also write the table
    (.csv, .npy, .xml or .points.csv, as the command does)."""
    lab = _Labeling()
    cells = ctypes.c_void_p()
    try:
        _input(lab, input)
        if intensity is not None:
            _intensity(lab, intensity, input)
        info = lab.vin.info
        o = _opts(maxima_size, threshold, min_size, max_size, min_intensity, lab)
        _core.check(lib.zs_detect_check(ctypes.byref(info), ctypes.byref(o),
                                        os.fsencode(output) if output is not None else None))
        po = _core.plan_opts(None, threads, mem_budget)
        lab.plan = ctypes.c_void_p()
        pipe = _core.pipeline(list(ops))
        try:
            _core.check(lib.zs_detect_plan(ctypes.byref(info), pipe, ctypes.byref(o), ctypes.byref(po),
                                           ctypes.byref(lab.plan)))
        finally:
            lib.zs_pipeline_free(pipe)  # the plan holds its own reference
        _core.run_stoppable(lambda: lib.zs_detect_run(lab.plan, lab.vin.handle, ctypes.byref(o),
                                                      ctypes.byref(cells)), lab.stop, [None])
        if output is not None:
            _core.check(lib.zs_cells_write(cells, os.fsencode(output)))
        return _table(cells)
    finally:
        if cells:
            lib.zs_cells_free(cells)
        lab.free()
