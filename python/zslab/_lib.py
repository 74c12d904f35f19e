# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""libzslab through ctypes (ABI mode: nothing is compiled at install time).

The structures below mirror include/zslab.h and include/zslab_kernel.h field for field; the
library is found from ZSLAB_LIBRARY (a path), then beside this file (where a wheel built by
`pip install .` puts it), then the path `cmake --install` wrote into _libpath.py, then the system's
search path."""
import ctypes
import ctypes.util
import glob
import os

PATH_MAX = 4096

# zs_status codes (zslab.h, frozen once released)
OK, EINVAL, ENOMEM, EIO, EFORMAT, EUNSUPPORTED, EOVERFLOW, EEXIST, ECANCELED, ENOSPC, EPARAM, EINTERNAL = (
    0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11)
ORDER_F, ORDER_C = 0, 1
FMT_RAW, FMT_MEMORY = 1, 9


class Dtype(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("big_endian", ctypes.c_int)]


class Sized(ctypes.Structure):
    """A struct that begins with struct_size (include/zslab.h, "Structs that can grow"): one made
    here says this mirror's size, so the library reads and writes no more than the mirror holds.
    A view of the library's own struct (a pointer's .contents) keeps the library's size."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.struct_size = ctypes.sizeof(self)


class VolumeInfo(Sized):
    _fields_ = [("struct_size", ctypes.c_size_t), ("path", ctypes.c_char * PATH_MAX), ("format", ctypes.c_int), ("ndim", ctypes.c_int),
                ("shape", ctypes.c_int64 * 4), ("dtype", Dtype), ("order", ctypes.c_int),
                ("offset", ctypes.c_uint64), ("slope", ctypes.c_double), ("inter", ctypes.c_double),
                ("voxel", ctypes.c_double * 3), ("unit", ctypes.c_char * 16), ("nbytes", ctypes.c_uint64),
                ("version", ctypes.c_int), ("decoded", ctypes.c_int), ("data_path", ctypes.c_char * PATH_MAX)]


class CreateOpts(Sized):
    _fields_ = [("struct_size", ctypes.c_size_t), ("format", ctypes.c_int), ("force", ctypes.c_int), ("direct", ctypes.c_int),
                ("compress", ctypes.c_int), ("chunk", ctypes.c_int64 * 3), ("pyramid", ctypes.c_int)]


class PlanOpts(Sized):
    _fields_ = [("struct_size", ctypes.c_size_t), ("threads", ctypes.c_int), ("slab", ctypes.c_int64), ("band", ctypes.c_int64),
                ("whole_plane_output", ctypes.c_int), ("mem_budget", ctypes.c_uint64), ("bind", ctypes.c_int),
                ("out_dtype", Dtype), ("has_out_dtype", ctypes.c_int), ("read_engine", ctypes.c_int),
                ("write_engine", ctypes.c_int), ("z_align", ctypes.c_int64), ("parallel_fs", ctypes.c_int),
                ("input", ctypes.c_void_p), ("precision", ctypes.c_int)]


PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint64,
                               ctypes.c_uint64)


class ExecOpts(Sized):
    _fields_ = [("struct_size", ctypes.c_size_t), ("phases", ctypes.c_uint), ("progress", PROGRESS_FN), ("user", ctypes.c_void_p),
                ("first_slab", ctypes.c_int64), ("last_slab", ctypes.c_int64),
                ("stop", ctypes.POINTER(ctypes.c_int)), ("journal", ctypes.c_void_p), ("drop_cache", ctypes.c_int),
                ("reducer", ctypes.c_void_p)]


class LabelOpts(ctypes.Structure):  # zslab_reduce.h (not yet stable)
    _fields_ = [("struct_size", ctypes.c_size_t), ("connectivity", ctypes.c_int), ("has_threshold", ctypes.c_int),
                ("threshold", ctypes.c_double), ("numbering", ctypes.c_int), ("min_size", ctypes.c_int64),
                ("max_size", ctypes.c_int64), ("intensity", ctypes.c_void_p), ("table", ctypes.c_int),
                ("stop", ctypes.POINTER(ctypes.c_int))]


NUMBER_AUTO, NUMBER_XYZ, NUMBER_ZYX = 0, 1, 2


class DetectOpts(ctypes.Structure):  # zslab_detect.h (not yet stable)
    _fields_ = [("struct_size", ctypes.c_size_t), ("size", ctypes.c_int64 * 3), ("has_threshold", ctypes.c_int),
                ("threshold", ctypes.c_double), ("intensity", ctypes.c_void_p), ("min_size", ctypes.c_int64),
                ("max_size", ctypes.c_int64), ("has_min_intensity", ctypes.c_int), ("min_intensity", ctypes.c_double),
                ("stop", ctypes.POINTER(ctypes.c_int))]


class ResampleOpts(ctypes.Structure):  # zslab_resample.h (not yet stable)
    _fields_ = [("struct_size", ctypes.c_size_t), ("method", ctypes.c_int), ("target", ctypes.c_int),
                ("voxel", ctypes.c_double * 3), ("unit", ctypes.c_char * 16), ("shape", ctypes.c_int64 * 3),
                ("factor", ctypes.c_double * 3), ("stop", ctypes.POINTER(ctypes.c_int))]


TARGET_VOXEL, TARGET_SHAPE, TARGET_FACTOR = 0, 1, 2

JOB_PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_double)
JOB_NO_JOURNAL, JOB_JOURNAL_NEW, JOB_RESUME = 0, 1, 2


class JobOpts(Sized):
    _fields_ = [("struct_size", ctypes.c_size_t), ("open", ctypes.c_void_p),
                ("ops", ctypes.POINTER(ctypes.c_char_p)), ("nops", ctypes.c_int), ("plan", ctypes.POINTER(PlanOpts)),
                ("compress", ctypes.c_int), ("chunk", ctypes.c_int64 * 3), ("pyramid", ctypes.c_int),
                ("force", ctypes.c_int),
                ("journal", ctypes.c_int), ("part", ctypes.c_int64), ("nparts", ctypes.c_int64),
                ("join", ctypes.c_int), ("wait_seconds", ctypes.c_double), ("drop_cache", ctypes.c_int),
                ("stop", ctypes.POINTER(ctypes.c_int)), ("progress", JOB_PROGRESS_FN), ("user", ctypes.c_void_p),
                ("slab_progress", PROGRESS_FN), ("dry_run", ctypes.c_int), ("record", ctypes.c_char_p)]


class RunStats(Sized):
    _fields_ = [("struct_size", ctypes.c_size_t), ("seconds", ctypes.c_double), ("load_seconds", ctypes.c_double),
                ("compute_seconds", ctypes.c_double), ("store_seconds", ctypes.c_double),
                ("voxels", ctypes.c_uint64), ("bytes_read", ctypes.c_uint64), ("bytes_written", ctypes.c_uint64),
                ("threads", ctypes.c_int), ("read_engine", ctypes.c_int), ("write_engine", ctypes.c_int),
                ("note", ctypes.c_char * 512)]


class MemoryDesc(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("data", ctypes.c_void_p), ("nbytes", ctypes.c_size_t),
                ("offset", ctypes.c_int64), ("ndim", ctypes.c_int), ("shape", ctypes.c_int64 * 4),
                ("strides", ctypes.c_int64 * 4), ("order", ctypes.c_int), ("dtype", Dtype),
                ("writable", ctypes.c_int), ("name", ctypes.c_char_p)]


class ParamDesc(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("type", ctypes.c_int), ("offset", ctypes.c_size_t),
                ("min", ctypes.c_double), ("max", ctypes.c_double), ("default", ctypes.c_char_p),
                ("help", ctypes.c_char_p), ("choices", ctypes.POINTER(ctypes.c_char_p))]


class KernelDesc(ctypes.Structure):
    _fields_ = [("abi", ctypes.c_int), ("name", ctypes.c_char_p), ("summary", ctypes.c_char_p),
                ("version", ctypes.c_int), ("params", ctypes.POINTER(ParamDesc)), ("nparams", ctypes.c_int),
                ("params_size", ctypes.c_size_t), ("flags", ctypes.c_uint), ("validate", ctypes.c_void_p),
                ("halo", ctypes.c_void_p), ("scratch_bytes", ctypes.c_void_p), ("run", ctypes.c_void_p),
                ("prepare", ctypes.c_void_p), ("release", ctypes.c_void_p),
                ("run_f64", ctypes.c_void_p)]  # ABI 3: read only when abi >= 3


KERNEL_ABI = 3
KERNEL_ABI_MIN = 2  # descriptors of ABI 2 (a plugin built against an older header) end before run_f64
PRECISION_AUTO, PRECISION_FLOAT32, PRECISION_FLOAT64 = 0, 1, 2  # zs_precision
PARAM_TYPES = {0: "int", 1: "float", 2: "float3", 3: "int3", 4: "choice", 5: "bool", 6: "choice3"}

_P = ctypes.c_void_p
_SIGNATURES = {
    "zs_version": (ctypes.c_int, []),
    "zs_version_string": (ctypes.c_char_p, []),
    "zs_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "zs_last_error": (ctypes.c_char_p, []),
    "zs_clear_error": (None, []),
    "zs_dtype_parse": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(Dtype)]),
    "zs_dtype_descr": (None, [Dtype, ctypes.c_char_p, ctypes.c_size_t]),
    "zs_format_name": (ctypes.c_char_p, [ctypes.c_int]),
    "zs_volume_open": (ctypes.c_int, [ctypes.c_char_p, _P, ctypes.POINTER(_P)]),
    "zs_volume_create": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(VolumeInfo), ctypes.POINTER(CreateOpts),
                                        ctypes.POINTER(_P)]),
    "zs_volume_wrap": (ctypes.c_int, [ctypes.POINTER(MemoryDesc), ctypes.POINTER(_P)]),
    "zs_volume_commit": (ctypes.c_int, [_P]),
    "zs_volume_free": (None, [_P]),
    "zs_volume_get_info": (ctypes.POINTER(VolumeInfo), [_P]),
    "zs_volume_writes_whole_planes": (ctypes.c_int, [_P]),
    "zs_path_writes_whole_planes": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(CreateOpts)]),
    "zs_volume_write_z_align": (ctypes.c_int64, [_P]),
    "zs_path_write_z_align": (ctypes.c_int64, [ctypes.c_char_p, ctypes.POINTER(CreateOpts)]),
    "zs_create_opts_default": (None, [_P]),
    "zs_pipeline_new": (ctypes.c_int, [ctypes.POINTER(_P)]),
    "zs_pipeline_free": (None, [_P]),
    "zs_pipeline_add": (ctypes.c_int, [_P, ctypes.c_char_p]),
    "zs_pipeline_set_voxel": (None, [_P, ctypes.POINTER(ctypes.c_double), ctypes.c_char_p]),
    "zs_pipeline_describe": (ctypes.c_size_t, [_P, ctypes.c_char_p, ctypes.c_size_t]),
    "zs_pipeline_halo": (None, [_P, ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64)]),
    "zs_plan_opts_default": (None, [_P]),
    "zs_plan_create": (ctypes.c_int, [ctypes.POINTER(VolumeInfo), _P, ctypes.POINTER(PlanOpts),
                                      ctypes.POINTER(_P)]),
    "zs_plan_free": (None, [_P]),
    "zs_plan_output_spec": (None, [_P, ctypes.POINTER(VolumeInfo)]),
    "zs_plan_execute": (ctypes.c_int, [_P, _P, _P, ctypes.POINTER(ExecOpts), ctypes.POINTER(RunStats)]),
    "zs_exec_opts_default": (None, [_P]),
    "zs_compression_parse": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
    "zs_engine_parse": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
    "zs_precision_parse": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
    "zs_job_opts_default": (None, [_P]),
    "zs_job_open": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(JobOpts), ctypes.POINTER(_P)]),
    "zs_job_open_volume": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.POINTER(JobOpts), ctypes.POINTER(_P)]),
    "zs_job_open_into": (ctypes.c_int, [_P, _P, ctypes.POINTER(JobOpts), ctypes.POINTER(_P)]),
    "zs_job_output": (_P, [_P]),
    "zs_job_plan": (ctypes.c_int, [_P]),
    "zs_job_create": (ctypes.c_int, [_P]),
    "zs_job_execute": (ctypes.c_int, [_P]),
    "zs_job_commit": (ctypes.c_int, [_P]),
    "zs_job_free": (None, [_P]),
    "zs_job_complete": (ctypes.c_int, [_P]),
    "zs_job_stats": (None, [_P, ctypes.POINTER(RunStats)]),
    "zs_kernel_count": (ctypes.c_int, []),
    "zs_kernel_get": (ctypes.POINTER(KernelDesc), [ctypes.c_int]),
    "zs_kernel_find": (ctypes.POINTER(KernelDesc), [ctypes.c_char_p]),
    "zs_plugin_load": (ctypes.c_int, [ctypes.c_char_p]),
    "zs_sys_threads": (ctypes.c_int, []),
    "zs_label_opts_default": (None, [_P]),
    "zs_label_plan": (ctypes.c_int, [ctypes.POINTER(VolumeInfo), _P, ctypes.POINTER(PlanOpts), ctypes.c_int,
                                     ctypes.POINTER(_P)]),
    "zs_label_count": (ctypes.c_int, [_P, _P, ctypes.POINTER(LabelOpts), ctypes.POINTER(_P)]),
    "zs_label_components": (ctypes.c_uint64, [_P]),
    "zs_label_dtype": (Dtype, [_P]),
    "zs_label_numbering_used": (ctypes.c_int, [_P]),
    "zs_label_write": (ctypes.c_int, [_P, _P, _P]),
    "zs_label_table_columns": (ctypes.c_int, [_P]),
    "zs_label_table_column": (ctypes.c_int, [_P, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
                                             ctypes.POINTER(ctypes.c_double)]),
    "zs_label_free": (None, [_P]),
    "zs_detect_opts_default": (None, [_P]),
    "zs_detect_check": (ctypes.c_int, [ctypes.POINTER(VolumeInfo), ctypes.POINTER(DetectOpts), ctypes.c_char_p]),
    "zs_detect_plan": (ctypes.c_int, [ctypes.POINTER(VolumeInfo), _P, ctypes.POINTER(DetectOpts),
                                      ctypes.POINTER(PlanOpts), ctypes.POINTER(_P)]),
    "zs_detect_run": (ctypes.c_int, [_P, _P, ctypes.POINTER(DetectOpts), ctypes.POINTER(_P)]),
    "zs_cells_count": (ctypes.c_uint64, [_P]),
    "zs_cells_columns": (ctypes.c_int, [_P]),
    "zs_cells_column": (ctypes.c_int, [_P, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
                                       ctypes.POINTER(ctypes.c_double)]),
    "zs_cells_write": (ctypes.c_int, [_P, ctypes.c_char_p]),
    "zs_cells_free": (None, [_P]),
    "zs_resample_opts_default": (None, [_P]),
    "zs_resample_method_parse": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
    "zs_resample_spec": (ctypes.c_int, [ctypes.POINTER(VolumeInfo), _P, ctypes.POINTER(VolumeInfo)]),
    "zs_resample_plan": (ctypes.c_int, [ctypes.POINTER(VolumeInfo), _P, ctypes.POINTER(PlanOpts), _P,
                                        ctypes.POINTER(_P)]),
    "zs_resample_run": (ctypes.c_int, [_P, _P, _P, _P, _P]),
}


# Calls whose structs gained struct_size in 0.4 are the library's NAME_v2 symbols (the plain names
# stay 0.3's, whose structs had none); zslab.h binds C callers to them the same way.
_V2 = {"zs_volume_create", "zs_volume_get_info", "zs_plan_create", "zs_plan_output_spec", "zs_plan_execute",
       "zs_job_stats", "zs_volume_info_sizes", "zs_volume_info_describe", "zs_slab_make", "zs_sys_info_get",
       "zs_journal_report"}


# The release whose structures the mirrors above copy. A later minor release of the same major
# only appends fields to them (include/zslab.h, "Structs that can grow") and keeps these calls,
# so the package runs with it; an older minor may lack calls or fields, another major anything.
BUILT_FOR = (0, 4)


def check_version(number):
    """None when a library of version `number` (zs_version()) can run this package, else why not."""
    major, minor = number // 10000, number // 100 % 100
    if major == BUILT_FOR[0] and minor >= BUILT_FOR[1]:
        return None
    return (f"libzslab {major}.{minor}.{number % 100} cannot run this package, built for "
            f"{BUILT_FOR[0]}.{BUILT_FOR[1]}: it needs libzslab {BUILT_FOR[0]}.x with x >= {BUILT_FOR[1]}")


def _candidates():
    env = os.environ.get("ZSLAB_LIBRARY")
    if env:
        return [env]
    # a wheel (pip install .) carries the library beside this file, under its soname
    found = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libzslab.so.*")))
    try:
        from ._libpath import LIBRARY  # written by cmake --install
        found.append(LIBRARY)
    except ImportError:
        pass
    name = ctypes.util.find_library("zslab")
    found.append(name or "libzslab.so")
    return found


def _load():
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
            continue
        lib.zs_version.restype, lib.zs_version.argtypes = ctypes.c_int, []
        why = check_version(lib.zs_version())
        if why:  # before binding the calls, which an older library may lack
            errors.append(f"{path}: {why}")
            continue
        for name, (res, args) in _SIGNATURES.items():
            f = getattr(lib, name + "_v2" if name in _V2 else name)
            f.restype = res
            f.argtypes = args
            setattr(lib, name, f)
        return lib
    raise ImportError("zslab: cannot load libzslab (" + "; ".join(errors) +
                      "); set ZSLAB_LIBRARY to the path of libzslab.so")


lib = _load()


def _sized_default(cls, fill):
    """Options as the library's _default() function fills them: it writes the fields of the
    struct's first release only (never more than this mirror holds) and sets struct_size to
    their size; the mirror then claims its own size, so that the library reads every field the
    package sets and gives the fields the package does not know their defaults."""
    o = cls()
    o.struct_size = 0
    fill(ctypes.byref(o))
    first = o.struct_size
    if not 0 < first <= ctypes.sizeof(cls):  # never: the first release's size does not change
        raise ImportError(f"zslab: libzslab {lib.zs_version_string().decode()} wrote {first} bytes of "
                          f"{cls.__name__}, whose mirror has {ctypes.sizeof(cls)}")
    o.struct_size = ctypes.sizeof(cls)
    return o


# The room a struct not yet stable is filled in beyond its mirror: its _default() writes the
# library's sizeof, which a library the mirror does not match may make larger than the mirror.
_UNSTABLE_SLACK = 4096


def _unstable_default(cls, fill):
    """Options of a struct not yet stable (LabelOpts, DetectOpts, ResampleOpts), as its _default()
    fills them. The library takes them only at its own size (the struct may change in any minor
    release), so that size must be this mirror's: filled in a buffer with room to spare, checked,
    then copied; another size raises ImportError naming both, never a struct read past its end."""
    buf = ctypes.create_string_buffer(ctypes.sizeof(cls) + _UNSTABLE_SLACK)
    fill(buf)
    size = ctypes.c_size_t.from_buffer(buf).value
    if size != ctypes.sizeof(cls):
        raise ImportError(f"zslab: libzslab {lib.zs_version_string().decode()} has a {cls.__name__} of {size} "
                          f"bytes, this package's mirror {ctypes.sizeof(cls)}: the package does not match the "
                          "library (install both from one release)")
    return cls.from_buffer_copy(buf.raw[:size])


_DEFAULTS = {CreateOpts: lib.zs_create_opts_default, PlanOpts: lib.zs_plan_opts_default,
             ExecOpts: lib.zs_exec_opts_default, JobOpts: lib.zs_job_opts_default}
_UNSTABLE_DEFAULTS = {LabelOpts: lib.zs_label_opts_default, DetectOpts: lib.zs_detect_opts_default,
                      ResampleOpts: lib.zs_resample_opts_default}


def default_opts(cls):
    """A CreateOpts, PlanOpts, ExecOpts or JobOpts with the library's defaults and this mirror's
    size; a LabelOpts, DetectOpts or ResampleOpts with the library's defaults, checked to be the
    library's size."""
    if cls in _UNSTABLE_DEFAULTS:
        return _unstable_default(cls, _UNSTABLE_DEFAULTS[cls])
    return _sized_default(cls, _DEFAULTS[cls])
