# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Files: zslab.open, zslab.filter (the CLI's op strings, file to file) and zslab.kernels."""
from __future__ import annotations

import ctypes
import os
import warnings
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _core, _lib
from ._lib import lib


class File:
    """A volume file as zslab reads it (any format `zslab info` reads). Axes are zslab's: shape is
    (nx, ny, nz) or (nx, ny, nz, nt), x fastest on disk for F order, as `zslab info` prints."""

    def __init__(self, path: Union[str, os.PathLike]) -> None:
        self._vol = _core.open_volume(path)
        i = self._vol.info
        self.path = os.fsdecode(i.path)
        self.format = lib.zs_format_name(i.format).decode()
        self.shape = tuple(int(i.shape[k]) for k in range(i.ndim))
        self.dtype = _core.np_dtype(i.dtype)
        self.order = "F" if i.order == _lib.ORDER_F else "C"
        self.voxel_size = tuple(float(v) for v in i.voxel)
        self.unit = i.unit.decode()
        self.scaling = (float(i.slope), float(i.inter))
        self.offset = int(i.offset)
        self.decoded = bool(i.decoded)
        self.data_path = os.fsdecode(i.data_path) or self.path
        self.nbytes = int(i.nbytes)

    def array(self, mode: str = "r") -> np.ndarray:
        """The voxels as a read-only np.memmap (mode 'r+' to write them) indexed [x, y, z] (t), where
        the file holds them as one byte range (.npy, NIfTI, raw, MetaImage, NRRD, uncompressed TIFF
        written end to end). Stored values: apply `scaling` (slope, inter) yourself. Decoded files
        (compressed TIFF, plane series) raise ValueError: filter or convert them instead. mode is
        np.memmap's 'r', 'r+' or 'c' (copy on write); 'w+' (which would recreate the file) is refused."""
        if mode not in ("r", "r+", "c"):
            raise ValueError(f"mode: {mode!r} is not 'r', 'r+' or 'c' (the file exists: zslab maps it, never "
                             "recreates it)")
        if self.decoded:
            raise ValueError(f"{self.path}: its voxels are decoded plane by plane ({self.format}), not one byte "
                             "range: it cannot be mapped as an array (zslab.filter converts it)")
        if self.nbytes == 0:
            return np.zeros(self.shape, self.dtype, order=self.order)
        return np.memmap(self.data_path, dtype=self.dtype, mode=mode, offset=self.offset, shape=self.shape,
                         order=self.order)

    def close(self) -> None:
        self._vol.free()

    def __enter__(self) -> File:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        vs = "x".join(f"{v:g}" for v in self.voxel_size)
        return (f"<zslab.File {self.path!r} {self.format} shape={self.shape} dtype={self.dtype} order={self.order} "
                f"voxel={vs}{self.unit}>")


def open(path: Union[str, os.PathLike]) -> File:  # noqa: A001 (zslab.open, as the issue names it)
    """Opens a volume file: its shape, dtype, voxel size, and .array() where the file maps."""
    return File(path)


def _op_list(ops):
    if isinstance(ops, str):
        ops = [ops]
    ops = list(ops)
    for op in ops:
        if not isinstance(op, str):
            raise ValueError(f"ops: expected op strings such as 'gaussian:sigma=2', got {op!r}")
    return ops


def halo(ops: Union[str, Sequence[str]]) -> Tuple[Tuple[int, int, int], Tuple[int, int, int]]:
    """The halo of a pipeline of ops as the library computes it: ((lo_x, lo_y, lo_z), (hi_x, hi_y,
    hi_z)), the voxels below and above along zslab's axes x, y, z that an output voxel reads
    (zslab.halo("gaussian:sigma=2") is ((8, 8, 8), (8, 8, 8))). A bad op raises ValueError."""
    return _core.halo(_op_list(ops))


def filter(src: Union[str, os.PathLike], dst: Union[str, os.PathLike], ops: Union[str, Sequence[str]],  # noqa: A001
           dtype: npt.DTypeLike = None, threads: Optional[int] = None, mem_budget: Union[int, str, None] = None,
           progress: Optional[Callable[[float], object]] = None, *, force: bool = False,
           compress: Optional[str] = None, chunks: Optional[Tuple[int, int, int]] = None, pyramid: int = 0,
           journal: bool = False, resume: bool = False, part: Optional[Tuple[int, int]] = None,
           engine: Optional[str] = None, precision: Optional[str] = None) -> Optional[File]:
    """Filters file `src` into file `dst` out of core, as `zslab filter SRC DST --op ...` does, through
    the library's job layer (the same rules, journal and refusals as the command line).

    ops: one op string or a list ("gaussian:sigma=2", "median:size=3"; `zslab list` or
    zslab.kernels() describe them), applied in order. dtype: the output's (default: the input's).
    threads, mem_budget ('512M', or bytes): as the CLI's --threads and --mem-budget. progress: called
    on this thread with the fraction done. force: replace an existing dst (with a journal: start
    over). compress: "deflate", "zstd", "blosc-lz4", ... where dst's format writes it. chunks:
    (z, y, x) chunk shape of a chunked dst, as zarr and h5py give chunk shapes. pyramid: this many
    more levels of an OME-Zarr dst, each the mean of the one before over the axes whose voxel is at
    most half the coarsest, all three when isotropic (plain runs).
    journal=True keeps a journal (dst.zsjournal/) so that an interrupted run can be resumed;
    resume=True continues dst's journal (or starts one); part=(i, n) runs part i of n of a job
    shared by n processes (implies a journal). engine: how bytes move, as the CLI's --engine: "auto"
    (default: pread, or O_DIRECT when the job moves more than half the available memory, or 256 MiB
    or more from an input that is not in the page cache), "pread", "mmap", "direct" or "uring"
    (direct's requests through io_uring); a direct or uring engine that falls back (a file system
    without O_DIRECT, a kernel that refuses io_uring) says so with a RuntimeWarning. precision: the
    type the stages compute in, as the CLI's --precision: "auto"
    (default: float64 for int32/uint32/int64/uint64 inputs when every stage has a float64 kernel),
    "float32" or "float64". dst is written as dst.partial and renamed when
    complete; without a journal an error or Ctrl-C removes it. Returns zslab.open(dst) when dst is
    complete, None when other parts have yet to finish."""
    ops = _op_list(ops)
    po = _core.plan_opts(dtype, threads, mem_budget, precision)
    jo = _lib.default_opts(_lib.JobOpts)
    op_array = (ctypes.c_char_p * max(len(ops), 1))(*[op.encode() for op in ops])
    jo.ops = op_array
    jo.nops = len(ops)
    jo.plan = ctypes.pointer(po)
    jo.force = 1 if force else 0
    if compress is not None:
        c = ctypes.c_int()
        _core.check(lib.zs_compression_parse(str(compress).encode(), ctypes.byref(c)))
        jo.compress = c.value
    if chunks is not None:
        chunks = tuple(chunks)
        if len(chunks) != 3:
            raise ValueError(f"chunks: expected (z, y, x) extents >= 1, got {chunks!r}")
        jo.chunk[0], jo.chunk[1], jo.chunk[2] = (_core.c_int("chunks", c) for c in chunks[::-1])
    jo.pyramid = _core.c_int("pyramid", pyramid)
    if engine is not None:
        e = ctypes.c_int()
        _core.check(lib.zs_engine_parse(str(engine).encode(), ctypes.byref(e)))
        po.read_engine = po.write_engine = e.value
    if part is not None:
        i, n = (_core.c_int("part", v) for v in part)
        if n < 1 or not 0 <= i < n:
            raise ValueError(f"part: expected (i, n) with 0 <= i < n, got {part!r}")
        jo.part, jo.nparts = i, n
    jo.journal = _lib.JOB_RESUME if resume else _lib.JOB_JOURNAL_NEW if journal else _lib.JOB_NO_JOURNAL
    stop = ctypes.c_int(0)
    seen = [None]

    def on_progress(user, fraction):  # a worker thread, under the GIL
        seen[0] = fraction
        return 0

    cb = _lib.JOB_PROGRESS_FN(on_progress) if progress is not None else _lib.JOB_PROGRESS_FN()
    jo.progress = cb
    jo.stop = ctypes.pointer(stop)
    job = ctypes.c_void_p()
    try:
        _core.check(lib.zs_job_open(os.fsencode(src), os.fsencode(dst), ctypes.byref(jo), ctypes.byref(job)))

        def run():  # planning may wait for the process that creates a shared job's journal
            for step in (lib.zs_job_plan, lib.zs_job_create, lib.zs_job_execute):
                st = step(job)
                if st < 0:
                    return st
            return 0

        _core.run_stoppable(run, stop, seen, progress)
        rs = _lib.RunStats()
        lib.zs_job_stats(job, ctypes.byref(rs))
        if rs.note:
            warnings.warn(f"zslab: {rs.note.decode(errors='replace')}", RuntimeWarning, stacklevel=2)
        _core.run_stoppable(lambda: lib.zs_job_commit(job), stop, seen)  # a pyramid's levels: Ctrl-C stops them
        complete = lib.zs_job_complete(job)
    finally:
        lib.zs_job_free(job)  # a plain run's uncommitted dst.partial is removed; a journal's stays
    return File(dst) if complete else None


def kernels() -> Dict[str, Dict[str, Any]]:
    """The library's kernel registry: {name: {"summary", "version", "params": {name: {"type",
    "default", "min", "max", "choices", "help"}}}}, as `zslab list` prints it."""
    out = {}
    for i in range(lib.zs_kernel_count()):
        k = lib.zs_kernel_get(i).contents
        if not _lib.KERNEL_ABI_MIN <= k.abi <= _lib.KERNEL_ABI:
            raise _core.ZslabError(f"kernel {i}: ABI {k.abi}, this package reads ABI {_lib.KERNEL_ABI_MIN} to "
                                   f"{_lib.KERNEL_ABI}")
        params = {}
        for j in range(k.nparams):
            p = k.params[j]
            choices = None
            if p.choices:
                choices, c = [], 0
                while p.choices[c]:
                    choices.append(p.choices[c].decode())
                    c += 1
            params[p.name.decode()] = {
                "type": _lib.PARAM_TYPES.get(p.type, "?"), "default": p.default.decode() if p.default else None,
                "min": p.min, "max": p.max, "choices": choices, "help": p.help.decode() if p.help else ""}
        out[k.name.decode()] = {"summary": k.summary.decode() if k.summary else "", "version": k.version,
                                "params": params}
    return out


def load_plugin(path: Union[str, os.PathLike]) -> None:
    """Loads a kernel plugin (a shared object exporting zslab_plugin_init, see examples/plugin):
    its kernels then appear in kernels() and run in filter() as the library's own. ZS_PLUGINS
    (colon-separated paths) loads plugins when the library is first used. Raises ZslabError
    naming the file: not found, not a plugin, a kernel ABI this library does not read, a name
    already taken."""
    _core.check(lib.zs_plugin_load(os.fsencode(path)))


def version() -> str:
    """libzslab's version, "major.minor.patch" (also zslab.__version__)."""
    return lib.zs_version_string().decode()

