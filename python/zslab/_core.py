# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Volumes, plans and runs over libzslab: errors become exceptions, numpy arrays become memory
volumes, and a run executes on a thread of its own so that the caller's thread can take Ctrl-C,
call `progress` and let other Python threads run (ctypes releases the GIL during the call)."""
import ctypes
import math
import os
import threading

import numpy as np

from . import _lib
from ._lib import lib


class ZslabError(RuntimeError):
    """A failure reported by libzslab; `code` is its zs_status."""

    def __init__(self, message: str, code: int = _lib.EINTERNAL) -> None:
        super().__init__(message)
        self.code = code


class ZslabValueError(ZslabError, ValueError):
    """A bad argument or parameter (ZS_EINVAL, ZS_EPARAM, ZS_EOVERFLOW)."""


class ZslabFileNotFoundError(ZslabError, FileNotFoundError):
    """A file that does not exist."""


class ZslabFileExistsError(ZslabError, FileExistsError):
    """An output that exists, or that another run is writing."""


def _error(code, message=None):
    """The exception for a status, with the library's message (read on the failing thread)."""
    if message is None:
        message = lib.zs_last_error().decode(errors="replace")
    if not message:
        message = lib.zs_strerror(code).decode()
    if code in (_lib.EINVAL, _lib.EPARAM, _lib.EOVERFLOW, _lib.EUNSUPPORTED):
        return ZslabValueError(message, code)
    if code == _lib.EIO and "No such file or directory" in message:
        return ZslabFileNotFoundError(message, code)
    if code == _lib.EEXIST:
        return ZslabFileExistsError(message, code)
    if code == _lib.ENOMEM:
        return MemoryError(message)
    return ZslabError(message, code)


def check(code):
    if code < 0:
        raise _error(code)
    return code


# ---- dtypes ------------------------------------------------------------------------------------
def zs_dtype(dt, what):
    """numpy dtype -> zs_dtype, or ValueError naming `what`."""
    dt = np.dtype(dt)
    out = _lib.Dtype()
    if dt.kind not in "biuf" or lib.zs_dtype_parse(dt.str.encode(), ctypes.byref(out)) < 0:
        lib.zs_clear_error()
        raise ValueError(f"{what}: dtype {dt} is not supported by zslab (bool, integers of 8 to 64 bits, "
                         "float32, float64)")
    return out


def np_dtype(zd):
    buf = ctypes.create_string_buffer(16)
    lib.zs_dtype_descr(zd, buf, 16)
    return np.dtype(buf.value.decode())


# ---- keywords that fill integer fields of the library's structs --------------------------------
# keyword -> (the C field's type, the least value the package passes). Every such keyword goes
# through c_int(): a Python integer beyond the field's type would wrap in ctypes (2**32 + 1
# pyramid levels are 1 in a C int, a budget of 2**64 bytes is 0, the default), so it is refused
# with the keyword named. What the library itself bounds more tightly (ZS_PYRAMID_MAX) it refuses.
C_FIELDS = {
    "threads": (ctypes.c_int, 1),  # zs_plan_opts.threads
    "mem_budget": (ctypes.c_uint64, 0),  # zs_plan_opts.mem_budget
    "pyramid": (ctypes.c_int, 0),  # zs_job_opts.pyramid
    "chunks": (ctypes.c_int64, 1),  # zs_job_opts.chunk[3]
    "part": (ctypes.c_int64, 0),  # zs_job_opts.part, nparts
}


def c_range(ctype):
    """The values a ctypes integer type holds: (least, greatest)."""
    bits = 8 * ctypes.sizeof(ctype)
    if ctype(-1).value < 0:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def c_int(keyword, value, least=None):
    """value as an int for keyword's C field (C_FIELDS): ValueError naming the keyword for what
    is not an integer or is below the least value, OverflowError for what the field cannot hold."""
    ctype, floor = C_FIELDS[keyword]
    floor = floor if least is None else least
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{keyword}: expected an integer, got {value!r}")
    v = int(value)
    lo, hi = c_range(ctype)
    if v < max(lo, floor):
        raise ValueError(f"{keyword}: {v} is below {max(lo, floor)}")
    if v > hi:
        raise OverflowError(f"{keyword}: {v} is out of range (at most {hi})")
    return v


def parse_size(value, what="mem_budget"):
    """Bytes from an int or a string with a K, M, G or T suffix (powers of 1024), as the CLI reads."""
    if value is None:
        return 0
    if isinstance(value, str):
        s = value.strip()
        mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(s[-1:].upper(), 1)
        num = s[:-1] if mult > 1 else s
        num = num[:-1] if mult > 1 and num[-1:].upper() == "I" else num  # "64Mi"
        try:
            v = float(num) if mult > 1 else int(num)
        except ValueError:
            v = None
        if v is None or not math.isfinite(v):  # 'nanG', 'infM'
            raise ValueError(f"{what}: cannot read {value!r} (bytes, or with a suffix: 512M, 1.5G, 64K)")
        if v < 0:
            raise ValueError(f"{what}: {value!r} is negative")
        value = int(v * mult)
    elif isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{what}: expected bytes (an int) or a string such as '512M', got {value!r}")
    return c_int(what, value)


def thread_count(threads):
    return 0 if threads is None else c_int("threads", threads)


# ---- volumes -----------------------------------------------------------------------------------
class Volume:
    """An owned zs_volume handle (freed once). The object exists before the library call that fills
    its handle (`ctypes.byref(v.handle)`), so that a KeyboardInterrupt arriving just after the call
    returns still frees the volume (and removes an uncommitted output) when the object goes."""

    def __init__(self, handle, keep=None):
        self.handle = handle
        self.keep = keep  # the array a memory volume borrows: alive as long as the volume

    @property
    def info(self):
        return lib.zs_volume_get_info(self.handle).contents

    def free(self):
        if self.handle:
            lib.zs_volume_free(self.handle)
            self.handle = None
            self.keep = None

    def __del__(self):
        try:
            self.free()
        except Exception:  # noqa: BLE001 (interpreter shutdown: the library may be gone already)
            pass


def plain(a):
    """`a`, or one plain copy of it when it is misaligned or a broadcast view (a stride 0 repeats
    voxels): what zs_volume_wrap can view."""
    if not a.flags.aligned or any(st == 0 and n > 1 for n, st in zip(a.shape, a.strides)):
        return a.copy()
    return a


def array_input(input, who):
    """np.asarray(input), checked (1 to 3 dimensions, a dtype zslab reads; `who` names the caller in
    the message, e.g. "zslab labels") and made plain."""
    a = np.asarray(input)
    if a.ndim < 1 or a.ndim > 3:
        raise ValueError(f"input: {a.ndim} dimensions; {who} arrays of 1 to 3 dimensions")
    zs_dtype(a.dtype, "input")
    return plain(a)


def wrap(array, perm, name, writable):
    """A memory volume over `array`, whose numpy axis perm[k] is zslab's axis k."""
    a = array
    d = _lib.MemoryDesc()
    d.size = ctypes.sizeof(d)
    d.ndim = a.ndim
    d.dtype = zs_dtype(a.dtype, name)
    d.writable = 1 if writable else 0
    d.name = name.encode()
    lo = hi = 0
    for n, s in zip(a.shape, a.strides):
        if n > 1:
            lo += min(0, (n - 1) * s)
            hi += max(0, (n - 1) * s)
    for k, ax in enumerate(perm):
        d.shape[k] = a.shape[ax]
        d.strides[k] = a.strides[ax] if a.shape[ax] > 1 else 0
    if a.size:
        d.data = a.ctypes.data + lo
        d.nbytes = hi - lo + a.itemsize
        d.offset = -lo
    v = Volume(ctypes.c_void_p(), keep=a)
    check(lib.zs_volume_wrap(ctypes.byref(d), ctypes.byref(v.handle)))
    return v


def open_volume(path):
    v = Volume(ctypes.c_void_p())
    check(lib.zs_volume_open(os.fsencode(path), None, ctypes.byref(v.handle)))
    return v


def create_volume(path, spec, force=True):
    co = _lib.default_opts(_lib.CreateOpts)
    co.force = 1 if force else 0
    v = Volume(ctypes.c_void_p())
    check(lib.zs_volume_create(os.fsencode(path), ctypes.byref(spec), ctypes.byref(co), ctypes.byref(v.handle)))
    return v


# ---- plans and runs ----------------------------------------------------------------------------
def precision_of(precision):
    """zs_precision from None (auto), "auto", "float32" or "float64"."""
    if precision is None:
        return _lib.PRECISION_AUTO
    p = ctypes.c_int()
    if not isinstance(precision, str) or lib.zs_precision_parse(precision.encode(), ctypes.byref(p)) != 0:
        raise ValueError(f"precision: expected 'auto', 'float32' or 'float64', got {precision!r}")
    return p.value


def has_float64(ops):
    """True when every op's kernel has a float64 implementation (ABI 3 run_f64)."""
    for op in ops:
        k = lib.zs_kernel_find(op.split(":", 1)[0].encode())
        if not k or k.contents.abi < 3 or not k.contents.run_f64:
            return False
    return True


def plan_opts(out_dtype=None, threads=None, mem_budget=None, precision=None):
    """zs_plan_opts from the package's arguments (threads, mem_budget as '512M' or bytes, precision)."""
    po = _lib.default_opts(_lib.PlanOpts)
    po.precision = precision_of(precision)
    po.threads = thread_count(threads)
    po.mem_budget = parse_size(mem_budget)
    if out_dtype is not None:
        po.out_dtype = zs_dtype(out_dtype, "dtype")
        po.has_out_dtype = 1
    return po


def pipeline(ops, voxel=None):
    """A new zs_pipeline of the op strings (the caller frees it with zs_pipeline_free)."""
    pipe = ctypes.c_void_p()
    check(lib.zs_pipeline_new(ctypes.byref(pipe)))
    try:
        if voxel is not None:
            lib.zs_pipeline_set_voxel(pipe, (ctypes.c_double * 3)(*voxel[0]), voxel[1])
        for op in ops:
            check(lib.zs_pipeline_add(pipe, op.encode()))
    except BaseException:
        lib.zs_pipeline_free(pipe)
        raise
    return pipe


def halo(ops, voxel=None):
    """The library's halo of the pipeline of op strings: (lo, hi), planes below and above per
    axis x, y, z, that every output voxel reads."""
    pipe = pipeline(ops, voxel)
    lo, hi = (ctypes.c_int64 * 3)(), (ctypes.c_int64 * 3)()
    lib.zs_pipeline_halo(pipe, lo, hi)
    lib.zs_pipeline_free(pipe)
    return tuple(lo), tuple(hi)


class Job:
    """A filter job (zs_job) over an opened input `vin`: into `into`, a volume the caller opened
    (zs_job_open_into), or into the file `path`, which the job creates (over one that exists with
    `force`). The job's rules apply: its plan policies, threads, engines, budget and refusals.
    With `progress`, workers report the fraction done, which execute() hands to it. create(), then
    output_info() before the run, execute(), commit(); free() in any case."""

    def __init__(self, vin, ops, po, into=None, path=None, force=True, progress=None):
        self.op_array = (ctypes.c_char_p * max(len(ops), 1))(*[op.encode() for op in ops])
        self.po = po  # the job copies them at open; kept alive with the job anyway
        self.stop = ctypes.c_int(0)
        self.seen = [None]

        def on_progress(user, fraction):  # a worker thread, under the GIL
            self.seen[0] = fraction
            return 0

        self.progress = progress
        self.cb = _lib.JOB_PROGRESS_FN(on_progress) if progress is not None else _lib.JOB_PROGRESS_FN()
        jo = _lib.default_opts(_lib.JobOpts)
        jo.ops = self.op_array
        jo.nops = len(ops)
        jo.plan = ctypes.pointer(po)
        jo.force = 1 if force else 0
        jo.stop = ctypes.pointer(self.stop)
        jo.progress = self.cb
        self.handle = ctypes.c_void_p()  # before the call: see Volume
        try:
            if into is not None:
                check(lib.zs_job_open_into(vin.handle, into.handle, ctypes.byref(jo), ctypes.byref(self.handle)))
            else:
                check(lib.zs_job_open_volume(vin.handle, os.fsencode(path), ctypes.byref(jo),
                                             ctypes.byref(self.handle)))
        except BaseException:
            self.free()
            raise

    def create(self):
        """Plans and creates the output (checks the opened one)."""
        check(lib.zs_job_create(self.handle))

    def output_info(self):
        return lib.zs_volume_get_info(lib.zs_job_output(self.handle)).contents

    def execute(self):
        run_stoppable(lambda: lib.zs_job_execute(self.handle), self.stop, self.seen, self.progress)

    def commit(self):
        check(lib.zs_job_commit(self.handle))

    def free(self):
        if self.handle:
            lib.zs_job_free(self.handle)  # a file output that was not committed is removed
            self.handle = None

    def __del__(self):
        try:
            self.free()
        except Exception:  # noqa: BLE001
            pass


POLL_SECONDS = 0.05


def run_stoppable(call, stop, seen, progress=None):
    """Runs call() (library calls that return a zs_status and watch the flag `stop`) on a thread of
    its own while this thread waits, takes signals and calls progress(seen[0]) when a worker has
    moved seen[0] (the fraction done). KeyboardInterrupt (or any exception from `progress`) sets
    `stop`: the workers stop at their next batch of planes, the call returns, and the exception
    propagates. A failed call raises the error its thread read.

    The exception may arrive at any bytecode, also while the thread is being started (CPython
    checks for signals inside Thread.start). The caller frees what call() uses as soon as this
    returns or raises, so the thread may only touch it if it claims the call before this thread
    gives it up: `state` goes new -> running -> done, or new -> abandoned, under `lock`."""
    result = {}
    lock = threading.Lock()
    state = ["new"]
    finished = threading.Event()

    def work():
        with lock:
            if state[0] != "new":
                return  # given up before this thread ran: what call() uses may be freed already
            state[0] = "running"
        try:
            st = call()
            result["status"] = st
            if st < 0:
                result["message"] = lib.zs_last_error().decode(errors="replace")  # per thread: read it here
        finally:
            state[0] = "done"
            finished.set()

    def give_up_or_wait():
        """Until no thread runs call(): abandons a call that has not begun, waits for one that has.
        A second Ctrl-C only sets the stop flag again."""
        while True:
            try:
                stop.value = 1
                with lock:
                    if state[0] in ("new", "abandoned"):
                        state[0] = "abandoned"
                        return
                finished.wait()
                return
            except BaseException:  # noqa: BLE001 (keep going: the workers are stopping)
                continue

    reported = None
    try:
        threading.Thread(target=work, name="zslab-run", daemon=True).start()
        while not finished.wait(POLL_SECONDS):
            if progress is not None and seen[0] is not None and seen[0] != reported:
                reported = seen[0]
                progress(reported)
    except BaseException:
        give_up_or_wait()
        raise
    st = result.get("status", _lib.EINTERNAL)
    if st < 0:
        raise _error(st, result.get("message"))
    if progress is not None and reported != 1.0:
        progress(1.0)
