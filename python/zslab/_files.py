# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Files: zslab.open, zslab.filter (the CLI's op strings, file to file) and zslab.kernels."""
import os

import numpy as np

from . import _core, _lib
from ._lib import lib


class File:
    """A volume file as zslab reads it (any format `zslab info` reads). Axes are zslab's: shape is
    (nx, ny, nz) or (nx, ny, nz, nt), x fastest on disk for F order, as `zslab info` prints."""

    def __init__(self, path):
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

    def array(self, mode="r"):
        """The voxels as a read-only np.memmap (mode 'r+' to write them) indexed [x, y, z] (t), where
        the file holds them as one byte range (.npy, NIfTI, raw, MetaImage, NRRD, uncompressed TIFF
        written end to end). Stored values: apply `scaling` (slope, inter) yourself. Decoded files
        (compressed TIFF, plane series) raise ValueError: filter or convert them instead."""
        if self.decoded:
            raise ValueError(f"{self.path}: its voxels are decoded plane by plane ({self.format}), not one byte "
                             "range: it cannot be mapped as an array (zslab.filter converts it)")
        if self.nbytes == 0:
            return np.zeros(self.shape, self.dtype, order=self.order)
        return np.memmap(self.data_path, dtype=self.dtype, mode=mode, offset=self.offset, shape=self.shape,
                         order=self.order)

    def close(self):
        self._vol.free()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        vs = "x".join(f"{v:g}" for v in self.voxel_size)
        return (f"<zslab.File {self.path!r} {self.format} shape={self.shape} dtype={self.dtype} order={self.order} "
                f"voxel={vs}{self.unit}>")


def open(path):  # noqa: A001 (zslab.open, as the issue names it)
    """Opens a volume file: its shape, dtype, voxel size, and .array() where the file maps."""
    return File(path)


def filter(src, dst, ops, dtype=None, threads=None, mem_budget=None, progress=None, *, force=False):  # noqa: A001
    """Filters file `src` into file `dst` out of core, as `zslab filter SRC DST --op ...` does.

    ops: one op string or a list ("gaussian:sigma=2", "median:size=3"; `zslab list` or
    zslab.kernels() describe them), applied in order. dtype: the output's (default: the input's).
    threads, mem_budget ('512M', or bytes): as the CLI's --threads and --mem-budget. progress: called
    on this thread with the fraction done. force: replace an existing dst. dst is written as
    dst.partial and renamed when complete; an error or Ctrl-C removes it. Returns zslab.open(dst)."""
    if isinstance(ops, str):
        ops = [ops]
    ops = list(ops)
    for op in ops:
        if not isinstance(op, str):
            raise ValueError(f"ops: expected op strings such as 'gaussian:sigma=2', got {op!r}")
    vin = _core.open_volume(src)
    plan = out = None
    try:
        info = vin.info
        voxel = (tuple(info.voxel), info.unit) if info.unit else None
        whole = lib.zs_path_writes_whole_planes(os.fsencode(dst), None)
        plan = _core.Plan(info, ops, out_dtype=dtype, threads=threads, mem_budget=mem_budget,
                          whole_plane_output=whole, voxel=voxel,
                          z_align=lib.zs_path_write_z_align(os.fsencode(dst), None))
        out = _core.create_volume(dst, plan.output_spec(), force=force)
        _core.execute(plan, vin, out, progress)
        _core.check(lib.zs_volume_commit(out.handle))
    finally:
        if out is not None:
            out.free()  # uncommitted (an error, Ctrl-C): its partial file is removed
        if plan is not None:
            plan.free()
        vin.free()
    return File(dst)


def kernels():
    """The library's kernel registry: {name: {"summary", "version", "params": {name: {"type",
    "default", "min", "max", "choices", "help"}}}}, as `zslab list` prints it."""
    out = {}
    for i in range(lib.zs_kernel_count()):
        k = lib.zs_kernel_get(i).contents
        if k.abi != _lib.KERNEL_ABI:
            raise _core.ZslabError(f"kernel {i}: ABI {k.abi}, this package reads ABI {_lib.KERNEL_ABI}")
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


def version():
    return lib.zs_version_string().decode()

