/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/** @file zslab.h
 * @brief The public API of zslab: volumes as memory-mapped files, slabs, pipelines, plans.
 *
 * Lifecycle: open/create volumes → build a pipeline → zs_plan_create (pure, printable)
 * → zs_plan_execute. Every function returns a zs_status (0 = ok, negative = ZS_E*);
 * the detail message of the last failure on the calling thread is zs_last_error().
 *
 * Options structs (zs_open_opts, zs_create_opts, zs_plan_opts, zs_exec_opts, zs_journal_opts,
 * zs_bench_opts, zs_preview_opts, zs_job_opts) begin with `struct_size`: initialise each with
 * its inline _init() function (zs_plan_opts_init), which sets the defaults and struct_size to the
 * sizeof this header gives, then change the fields you need. NULL options mean the defaults.
 * Structs can grow (see "Structs that can grow" below): a new release only appends fields, and
 * takes any struct_size from the struct's first released size to its own, copying the caller's
 * fields and giving the rest their defaults; a struct_size outside that range (options never
 * initialised, or a caller built against a newer zslab.h) is ZS_EINVAL naming the struct. Text
 * comes back in the caller's buffers, snprintf-style (see zs_volume_info_describe); no function
 * takes a FILE * except the benchmark's.
 */
#ifndef ZSLAB_H
#define ZSLAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ZS_BUILDING_LIB) && defined(__GNUC__)
#define ZS_API __attribute__((visibility("default")))
#else
#define ZS_API
#endif

#define ZS__STR_(x) #x
#define ZS__STR(x)  ZS__STR_(x)

/* The one place the version is written: CMake, setup.py and the library read it from here. */
#define ZS_VERSION_MAJOR  0
#define ZS_VERSION_MINOR  4
#define ZS_VERSION_PATCH  0
#define ZS_VERSION_STRING ZS__STR(ZS_VERSION_MAJOR) "." ZS__STR(ZS_VERSION_MINOR) "." ZS__STR(ZS_VERSION_PATCH)
#define ZS_VERSION_NUMBER (ZS_VERSION_MAJOR * 10000 + ZS_VERSION_MINOR * 100 + ZS_VERSION_PATCH)

/** \defgroup abi Structs that can grow
 * A struct the caller allocates and the library reads or writes begins with `size_t struct_size`,
 * set by the struct's inline _init() function to the sizeof the caller was compiled with. Each
 * release only appends fields. The library
 *  - reads a struct (options, a volume descriptor given to it) by copying the caller's
 *    struct_size bytes over its own defaults: a caller built against an older zslab.h gets the
 *    defaults for the fields it does not know. A struct_size smaller than the struct's first
 *    released size, or larger than the library's, is ZS_EINVAL naming the struct.
 *  - writes a struct (zs_run_stats, zs_volume_info, zs_sys_info, zs_journal_summary) only up to
 *    the caller's struct_size, or, when that is not a size this struct ever had (never
 *    initialised), only the fields of its first released size, and sets struct_size to the bytes
 *    written.
 * Structs the library owns and hands out by pointer (zs_volume_get_info, zs_format_desc,
 * zs_image) may likewise gain fields at their end; copy one by value and the copy's struct_size
 * still says the library's size: set it to sizeof before handing the copy back.
 * Kernel structs (include/zslab_kernel.h) are versioned by ZS_KERNEL_ABI instead. zs_dtype and
 * zs_slab are small values that never change; zs_mapping's library fields are reserved_. What is
 * not yet stable is declared only for programs that define ZSLAB_UNSTABLE_API (\ref unstable,
 * at the end). The soname is libzslab.so.0.MINOR until 1.0: a minor release may still change
 * what is not marked stable, and the loader then keeps programs built for another minor away.
 * @{ */
/** Zeroes the n bytes of a struct and sets its struct_size (its first member) to n: the start
 *  of every _init() function. */
static inline void zs_struct_init(void *p, size_t n)
{
    unsigned char *b = (unsigned char *)p;
    for (size_t i = 0; i < n; i++) b[i] = 0;
    *(size_t *)p = n;
}

/* zs_volume_info, zs_run_stats, zs_sys_info and zs_journal_summary gained struct_size in 0.4.
 * The functions that take them keep their names in C and link to entry points of their own
 * (NAME_v2): the plain symbols remain 0.3's functions, for programs built against 0.3's header,
 * whose structs are these without struct_size. */
#if defined(__GNUC__)
#define ZS_V2(name) __asm__(ZS__STR(__USER_LABEL_PREFIX__) #name "_v2")
#else
#error "zslab.h needs a compiler with GNU asm labels (gcc, clang, icx, nvc)"
#endif
/** @} */

/** @return ZS_VERSION_NUMBER of the library actually linked (the CLI warns on a mismatch). */
ZS_API int zs_version(void);
ZS_API const char *zs_version_string(void);

/** \defgroup errors Errors
 * Every function returns 0 or a negative code. The function that detects a problem writes
 * a message naming the file and what is wrong; callers only propagate. The message is kept
 * per thread and read back with zs_last_error(). Codes are frozen once released.
 * @{ */
typedef enum zs_status {
    ZS_OK = 0,
    ZS_EINVAL = -1,       /**< invalid argument or parameter (a usage error for the CLI) */
    ZS_ENOMEM = -2,       /**< out of memory */
    ZS_EIO = -3,          /**< system call failed (open, read, mmap, fallocate, ...) */
    ZS_EFORMAT = -4,      /**< file content is malformed, truncated or inconsistent */
    ZS_EUNSUPPORTED = -5, /**< well-formed but not supported (e.g. .nii.gz, compressed data) */
    ZS_EOVERFLOW = -6,    /**< a size computation overflows */
    ZS_EEXIST = -7,       /**< output exists and overwriting was not allowed */
    ZS_ECANCELED = -8,    /**< stopped by a signal, a progress callback or another worker's error */
    ZS_ENOSPC = -9,       /**< no space left on the device */
    ZS_EPARAM = -10,      /**< bad pipeline or kernel parameter (a usage error for the CLI) */
    ZS_EINTERNAL = -11    /**< a bug: an invariant did not hold */
} zs_status;

/** @return a short static description of a code; never NULL. */
ZS_API const char *zs_strerror(int code);
/** @return the detail message of the last failure on this thread (borrowed, valid until the
 *  next failing call on this thread); "" when there is none. */
ZS_API const char *zs_last_error(void);
/** Clears this thread's last error and its detail. */
ZS_API void zs_clear_error(void);

/** Why a call failed, for a caller that acts on it or names its own option for it (the CLI names
 *  its flags): set by the function that detects the problem, next to the message. */
typedef enum zs_error_reason {
    ZS_REASON_NONE = 0,               /**< nothing more than the message */
    ZS_REASON_BUDGET = 1,             /**< the memory budget cannot hold the work (needed: the bytes it takes) */
    ZS_REASON_OUTPUT_EXISTS = 2,      /**< the output exists and overwriting it was not asked (force) */
    ZS_REASON_OUTPUT_UNJOURNALED = 3, /**< the output exists without the journal a run in parts or resumed needs */
    ZS_REASON_JOURNAL_EXISTS = 4,     /**< the output has a journal: continue that job (resume) or start over (force) */
    ZS_REASON_JOURNAL_OTHER = 5,      /**< the output's journal is of another job (pipeline, output, kind) */
    ZS_REASON_INPUT_CHANGED = 6       /**< the output's journal is of this job, but the input changed since */
} zs_error_reason;

/** The structured part of this thread's last error (see \ref abi: the library writes it). */
typedef struct zs_error_detail {
    size_t struct_size;     /**< the caller's sizeof: set by zs_error_detail_init() */
    zs_error_reason reason; /**< ZS_REASON_NONE when the failure has no detail */
    /** The caller's parameters at fault, by their names in this API (zs_plan_opts.mem_budget is
     *  "mem_budget"; zs_job_opts.force "force", journal ZS_JOB_JOURNAL_ANY "resume"), comma-separated
     *  in the order to mention them ("mem_budget,band"); "" when none. */
    char params[64];
    uint64_t needed; /**< bytes the work needs (ZS_REASON_BUDGET), else 0 */
    /** Where the message's advice, which names `params` in the API's words, begins: a caller that
     *  names them its own way keeps zs_last_error()'s first `advice` bytes and gives its own
     *  advice. strlen(zs_last_error()) when the message has no advice. */
    size_t advice;
} zs_error_detail;

/** Zeroes the detail and sets struct_size. */
static inline void zs_error_detail_init(zs_error_detail *d) { zs_struct_init(d, sizeof *d); }
/** Fills `d` with the detail of this thread's last error, up to d->struct_size (see \ref abi);
 *  reason ZS_REASON_NONE when the last error has none or was cleared. Valid with zs_last_error(),
 *  until the next failing call on this thread.
 *  @return ZS_OK, or ZS_EINVAL when d is NULL. */
ZS_API zs_status zs_last_error_detail(zs_error_detail *d);
/** @} */

/** \defgroup dtype Data types
 * numpy's names: "uint16", "<u2", ">f4", "float32", "|u1". Byte order is part of the dtype.
 * @{ */
typedef enum zs_type {
    ZS_U8 = 0,
    ZS_I8,
    ZS_U16,
    ZS_I16,
    ZS_U32,
    ZS_I32,
    ZS_U64,
    ZS_I64,
    ZS_F32,
    ZS_F64,
    ZS_BOOL, /**< numpy's bool ("|b1"): one byte, 0 or 1; read as uint8, stored by truncation (see zs_dtype_parse) */
    ZS_TYPE_COUNT
} zs_type;

typedef struct zs_dtype {
    zs_type type;
    int big_endian; /**< 1 = stored big-endian; always 0 for 1-byte types */
} zs_dtype;

/** Parses a numpy dtype spelling ("uint16", "u2", "<u2", ">f4", "|u1", "float", "double",
 *  "bool", "|b1", "?"). A bool volume is read as uint8 (0 and 1); a result stored as bool is
 *  1 where its truncation toward zero is nonzero (|v| >= 1), as scipy.ndimage's C casts of a
 *  float result into a bool output do; NaN is stored as 0. */
ZS_API zs_status zs_dtype_parse(const char *s, zs_dtype *out);
/** @return bytes per element (1, 2, 4 or 8). */
ZS_API size_t zs_dtype_size(zs_dtype d);
/** @return the plain name ("uint16"), static. */
ZS_API const char *zs_dtype_name(zs_dtype d);
/** Writes numpy's descr ("<u2", ">f4", "|u1") into buf (at least 8 bytes). */
ZS_API void zs_dtype_descr(zs_dtype d, char *buf, size_t n);
/** @return 1 for float32/float64. */
ZS_API int zs_dtype_is_float(zs_dtype d);
/** @} */

/** \defgroup volume Volumes
 * A volume is a 3-D array in a file (4-D = a series of 3-D volumes). Axis 0 of the stored
 * array is x, axis 1 y, axis 2 z, axis 3 the series index t, whatever the memory order:
 * a numpy array of shape (a, b, c) has nx = a, ny = b, nz = c. In Fortran order (the
 * default) x is fastest and a z-slab is one contiguous byte range.
 * @{ */
typedef enum zs_format {
    ZS_FMT_AUTO = 0,
    ZS_FMT_RAW,
    ZS_FMT_NPY,
    ZS_FMT_NIFTI1,
    ZS_FMT_NIFTI2,
    ZS_FMT_TIFF,   /**< multi-page TIFF / BigTIFF, one page per z-plane (libtiff) */
    ZS_FMT_SERIES, /**< a plane series: one 2-D TIFF or .npy file per z-plane */
    ZS_FMT_MHD,    /**< MetaImage: .mhd header + data file, or .mha with the data attached */
    ZS_FMT_NRRD,   /**< NRRD: .nrrd (attached) or .nhdr + data file */
    ZS_FMT_MEMORY, /**< a caller's buffer (zs_volume_wrap): no file */
    ZS_FMT_ZARR,   /**< Zarr v2 array or OME-Zarr image: a directory of chunk files */
    ZS_FMT_HDF5    /**< an HDF5 dataset (plain, Imaris .ims, BigDataViewer .h5) through libhdf5 */
} zs_format;
/** @return "npy", "nifti1", "nifti2", "raw", "tiff", "series", "mhd", "nrrd", "memory", "zarr", "hdf5" (static). */
ZS_API const char *zs_format_name(zs_format f);

/** What a format can do (zs_format_desc.flags). */
enum {
    ZS_FORMAT_READ = 1u << 0,       /**< zs_volume_open reads it */
    ZS_FORMAT_WRITE = 1u << 1,      /**< zs_volume_create writes it */
    ZS_FORMAT_MAPPED = 1u << 2,     /**< its voxels can be one byte range, mapped in place */
    ZS_FORMAT_DECODED = 1u << 3,    /**< its planes can be decoded or encoded by the format */
    ZS_FORMAT_VOXEL_SIZE = 1u << 4, /**< it stores a voxel size */
    ZS_FORMAT_SHARED = 1u << 5,     /**< many processes write one output (parts, resumed runs, MPI) */
    ZS_FORMAT_COMPRESS = 1u << 6,   /**< written compressed with zs_create_opts.compress */
    ZS_FORMAT_EMPTY = 1u << 7,      /**< holds a volume with an axis of length 0 */
    ZS_FORMAT_FILES = 1u << 8,      /**< the format opens, claims and names its files itself: one volume is many
                                         files (named by a pattern or directory), or a name is more than a
                                         file's (an HDF5 dataset: FILE.h5:/path) */
    ZS_FORMAT_PYRAMID = 1u << 9     /**< writes a multiscale pyramid with the volume (zs_create_opts.pyramid) */
};
/** One entry of the format registry (static, never freed). */
typedef struct zs_format_desc {
    zs_format format;
    const char *name;         /**< as zs_format_name prints it */
    const char *suffixes;     /**< the names it takes, space-separated (".tif .tiff .btf .tf8"); "" none */
    const char *description;  /**< one line */
    unsigned flags;           /**< ZS_FORMAT_* */
    const char *compressions; /**< what zs_create_opts.compress may be for its outputs, as
                                   zs_compression_parse reads them, space-separated ("deflate lzw zstd");
                                   "" when it writes uncompressed data only */
} zs_format_desc;
/** The i-th format of the registry, in the order names are matched (i from 0); NULL past the end. */
ZS_API const zs_format_desc *zs_format_at(int i);
/** The registry's entry of format f; NULL for ZS_FMT_AUTO or an unknown value. */
ZS_API const zs_format_desc *zs_format_describe(zs_format f);
/** The names zslab reads, for messages and help: ".npy, .nii, .tif, ..., a plane series"
 *  (from the registry), into buf (always terminated). */
ZS_API void zs_format_names(char *buf, size_t n);

/** Compression of written pages or chunks (zs_create_opts.compress). Each format writes some of
 *  them (zs_format_desc.compressions); creating a volume with another is ZS_EUNSUPPORTED. */
typedef enum zs_compression {
    ZS_COMPRESS_NONE = 0,  /**< uncompressed: contiguous pages, mapped like .npy */
    ZS_COMPRESS_DEFLATE,   /**< TIFF: zlib/deflate with horizontal differencing */
    ZS_COMPRESS_LZW,       /**< TIFF: LZW with horizontal differencing */
    ZS_COMPRESS_ZSTD,      /**< Zstandard (TIFF where the linked libtiff has it; Zarr chunks) */
    ZS_COMPRESS_GZIP,      /**< gzip/deflate chunks (Zarr's gzip, HDF5's deflate filter) */
    ZS_COMPRESS_BLOSC_LZ4, /**< Blosc with LZ4 and byte shuffle (Zarr's default compressor) */
    ZS_COMPRESS_BLOSC_ZSTD /**< Blosc with Zstandard and bit shuffle */
} zs_compression;
/** Parses "none", "deflate" (or "zlib"), "lzw", "zstd", "gzip", "blosc-lz4", "blosc-zstd". */
ZS_API zs_status zs_compression_parse(const char *s, zs_compression *out);
/** The name zs_compression_parse reads ("blosc-lz4"); "?" for an unknown value. */
ZS_API const char *zs_compression_name(zs_compression c);
typedef enum zs_order { ZS_ORDER_F = 0, ZS_ORDER_C = 1 } zs_order;

#define ZS_PATH_MAX 4096

/** The virtual source: a plain descriptor of a volume in a file. No pointers, no handles:
 *  it can be copied to any worker, process or MPI rank. */
typedef struct zs_volume_info {
    size_t struct_size; /**< the caller's sizeof: set by zs_volume_info_init() */
    char path[ZS_PATH_MAX];
    zs_format format;
    int ndim;         /**< dimensions as stored in the file (1..4) */
    int64_t shape[4]; /**< nx, ny, nz, nt; 1 for absent dimensions */
    zs_dtype dtype;
    zs_order order;
    uint64_t offset;             /**< byte offset of the first voxel */
    double slope, inter;         /**< value = slope * stored + inter; (1, 0) means none */
    double voxel[3];             /**< voxel size along x, y, z (1 when unknown) */
    char unit[16];               /**< unit of voxel ("um", "mm", "" when unknown) */
    uint64_t nbytes;             /**< bytes of data (all voxels, all volumes of a series) */
    int version;                 /**< format version: npy 1/2/3, NIfTI 1/2, TIFF 42 (classic) / 43 (BigTIFF);
                                      0 for raw */
    int decoded;                 /**< 1: the voxels are not one byte range of one file (compressed or
                                      scattered TIFF pages, a plane series): slabs are read and written
                                      through the format, not mapped; offset is then meaningless */
    char data_path[ZS_PATH_MAX]; /**< the file holding the voxels: equals path for single-file
                              formats; the data file of a .mhd or .nhdr header */
} zs_volume_info;

/** Fills info with defaults: 3-D, shape 1, uint8, F order, slope 1, inter 0, voxel 1; struct_size set. */
static inline void zs_volume_info_init(zs_volume_info *info)
{
    zs_struct_init(info, sizeof *info);
    info->ndim = 3;
    for (int i = 0; i < 4; i++) info->shape[i] = 1;
    info->slope = 1.0;
    for (int i = 0; i < 3; i++) info->voxel[i] = 1.0;
}
/** Overflow-checked byte count of one z-plane / one 3-D volume of the series. */
ZS_API zs_status zs_volume_info_sizes(const zs_volume_info *info, uint64_t *plane_bytes, uint64_t *volume_bytes,
                                      uint64_t *total_bytes) ZS_V2(zs_volume_info_sizes);
/** Describe functions (zs_volume_info_describe, zs_plan_describe, zs_pipeline_describe,
 *  zs_journal_report) write their text into the caller's buffer `buf` of `n` bytes, as snprintf
 *  does: always NUL-terminated when n > 0, truncated when the text does not fit, and buf may be
 *  NULL when n is 0. They return the length of the whole text (without the NUL), so a result
 *  >= n means the buffer was too small: call again with that length + 1. */
#define ZS_DESCRIBE_JSON 1 /**< flag: one JSON object with stable keys, instead of lines for people */
/** Describes the descriptor: human-readable lines (zslab info), or with ZS_DESCRIBE_JSON one JSON
 *  object and a newline (zslab info --json). @return the text's length (0 when out of memory). */
ZS_API size_t zs_volume_info_describe(const zs_volume_info *info, int flags, char *buf, size_t n)
    ZS_V2(zs_volume_info_describe);
/** s as a JSON string literal, quotes included, into buf as snprintf does (see
 *  zs_volume_info_describe): quotes, backslashes and control characters escaped, and each byte
 *  that is not part of valid UTF-8 (a file name in another encoding) written as \ufffd, so that
 *  the text is valid JSON whatever s holds. The one JSON string writer of the library and tool. */
ZS_API size_t zs_json_quote(const char *s, char *buf, size_t n);

typedef struct zs_volume zs_volume;

typedef struct zs_open_opts {
    size_t struct_size; /**< the caller's sizeof: set by zs_open_opts_init() */
    const char *mode;   /**< "r" (default), "r+" or "c" (copy-on-write) */
    zs_format format;   /**< ZS_FMT_AUTO: from the file name and magic bytes */
    /* raw files: the caller describes the data */
    int64_t raw_shape[4];
    int raw_ndim;
    zs_dtype raw_dtype;
    uint64_t raw_offset;
    zs_order raw_order;
} zs_open_opts;
/** Defaults: mode "r", format from the file, raw layout 1x1x1x1 uint8 in F order. */
static inline void zs_open_opts_init(zs_open_opts *o)
{
    zs_struct_init(o, sizeof *o);
    o->mode = "r";
    for (int i = 0; i < 4; i++) o->raw_shape[i] = 1;
}
/** Deprecated (0.3's interface, kept for programs built against it): writes the fields of 0.3's
 *  zs_open_opts only and sets struct_size to their size, so fields added since keep their defaults
 *  whatever the caller sets. Use zs_open_opts_init(). */
ZS_API void zs_open_opts_default(zs_open_opts *o);

/** Opens an existing volume. A file that zslab cannot identify (by its name or magic bytes) is
 *  refused with ZS_EFORMAT unless the caller describes it as raw data (raw_ndim > 0, or a
 *  raw_shape other than the default 1x1x1x1).
 *  @param[out] out caller frees with zs_volume_free. */
ZS_API zs_status zs_volume_open(const char *path, const zs_open_opts *opts, zs_volume **out);
/** The format zs_volume_open would read `path` as: from its name, then its magic bytes;
 *  ZS_FMT_RAW when neither tells (zs_volume_open then needs the raw layout). */
ZS_API zs_status zs_volume_identify(const char *path, zs_format *out);

typedef struct zs_create_opts {
    size_t struct_size;      /**< the caller's sizeof: set by zs_create_opts_init() */
    zs_format format;        /**< ZS_FMT_AUTO: from the file name (.npy, .nii, .tif, .mhd, .mha, .nrrd,
                                  .nhdr, a plane series pattern; else raw) */
    int force;               /**< overwrite an existing file */
    int direct;              /**< 1: create `path` itself; 0 (default): create `path.partial` and
                                  rename it to `path` in zs_volume_commit, so an interrupted job
                                  never leaves a file that looks complete */
    zs_compression compress; /**< formats that compress (TIFF, a TIFF series, chunked formats): one of their
                                  zs_format_desc.compressions */
    int64_t chunk[3];        /**< chunked formats: the chunk's voxels along x, y, z; 0: the format's default
                                  (other formats refuse a chunk shape: ZS_EUNSUPPORTED) */
    int pyramid;             /**< formats with ZS_FORMAT_PYRAMID (OME-Zarr): this many more levels, made as the
                                  volume is written, each the mean of the one before over the axes whose
                                  voxel is at most half the coarsest (all three when none is); 0 (default):
                                  none; at most ZS_PYRAMID_MAX */
} zs_create_opts;
/** Most levels zs_create_opts.pyramid may ask for. */
#define ZS_PYRAMID_MAX 16
/** Defaults: format from the name, no force, through path.partial, uncompressed, the format's chunks. */
static inline void zs_create_opts_init(zs_create_opts *o) { zs_struct_init(o, sizeof *o); }
/** Deprecated (0.3's interface, kept for programs built against it): writes the fields of 0.3's
 *  zs_create_opts only and sets struct_size to their size, so fields added since keep their defaults
 *  whatever the caller sets. Use zs_create_opts_init(). */
ZS_API void zs_create_opts_default(zs_create_opts *o);

/** Creates a volume in mode w+: header written, data allocated at full size with
 *  posix_fallocate (a full disk is an error here, never a SIGBUS later), data zero.
 *  spec gives shape, ndim, dtype, voxel size, scaling; format, order (always F) and offset
 *  are set by the writer. @param[out] out caller frees with zs_volume_free. */
ZS_API zs_status zs_volume_create(const char *path, const zs_volume_info *spec, const zs_create_opts *opts,
                                  zs_volume **out) ZS_V2(zs_volume_create);
/** Makes a created volume final: flushes data to disk and renames path.partial to path. */
ZS_API zs_status zs_volume_commit(zs_volume *v);
/** Closes; a created volume that was never committed is removed. NULL is a no-op. */
ZS_API void zs_volume_free(zs_volume *v);
/** @return the descriptor (borrowed, valid until zs_volume_free); NULL for a NULL volume. Its
 *  struct_size is the library's: a copy handed back to the library needs struct_size = sizeof. */
ZS_API const zs_volume_info *zs_volume_get_info(const zs_volume *v) ZS_V2(zs_volume_get_info);
/** @return 1 if the volume's format encodes whole planes when written (compressed TIFF, plane
 *  series), so that a plan must be made with zs_plan_opts.whole_plane_output. */
ZS_API int zs_volume_writes_whole_planes(const zs_volume *v);
/** @return 1 if a volume created at `path` with these options (NULL: defaults) would be such a
 *  format (compressed TIFF, plane series). */
ZS_API int zs_path_writes_whole_planes(const char *path, const zs_create_opts *opts);
/** @return the planes a created volume writes at once (a chunked format: its chunks' z extent),
 *  so that a plan made with zs_plan_opts.z_align set to it never lets two workers or processes
 *  write one chunk; 1 for other volumes. */
ZS_API int64_t zs_volume_write_z_align(const zs_volume *v);
/** @return what zs_volume_write_z_align would say of a volume created at `path` with these
 *  options (NULL: defaults), before it exists. */
ZS_API int64_t zs_path_write_z_align(const char *path, const zs_create_opts *opts);
/** @return 1 if the volume may be written (modes r+ and w+; c writes privately). */
ZS_API int zs_volume_writable(const zs_volume *v);
/** @return how many files make up the volume (a header and its data file, every plane of a
 *  series; 0 for a volume held in memory), as its format lists them. */
ZS_API int64_t zs_volume_file_count(const zs_volume *v);
/** @return file i (0 <= i < zs_volume_file_count) of the volume (borrowed, valid until
 *  zs_volume_free); NULL out of range. */
ZS_API const char *zs_volume_file(const zs_volume *v, int64_t i);
/** A stamp of the volume's files: "files=N bytes=B newest=S.NS hash=H", H a hash of every
 *  file's name, size and modification time, so that a file replaced, touched, added or removed
 *  changes it. For journals and batch records. */
ZS_API zs_status zs_volume_files_stamp(const zs_volume *v, char *buf, size_t n);

/** A caller's buffer described as a volume (zs_volume_wrap): numpy's array interface in zslab's
 *  axes. Voxel (x,y,z,t) is at byte data + offset + x*strides[0] + y*strides[1] + z*strides[2] +
 *  t*strides[3]; strides all 0 mean contiguous in `order` (F: x fastest; C: the last axis
 *  fastest). Fill with zs_memory_desc_init, which sets `size`: a caller built against an older
 *  header passes a smaller struct, and the fields it lacks take their defaults. */
typedef struct zs_memory_desc {
    size_t size;        /**< sizeof(zs_memory_desc) as the caller was compiled (zs_memory_desc_init) */
    void *data;         /**< the buffer's first byte (borrowed: zslab never frees it) */
    size_t nbytes;      /**< bytes of the buffer from data; every voxel must lie inside */
    int64_t offset;     /**< byte offset of voxel (0,0,0,0) from data (non-zero with negative strides) */
    int ndim;           /**< 1 to 4; absent axes have length 1 */
    int64_t shape[4];   /**< nx, ny, nz, nt (a length 0 is an empty volume, as in numpy) */
    int64_t strides[4]; /**< bytes between neighbours along x, y, z, t (any sign, multiples of the
                             element size); all 0: contiguous in `order` */
    zs_order order;     /**< used when strides are all 0 */
    zs_dtype dtype;
    int writable;     /**< 1: the volume may be written (an output); its voxels must not overlap */
    const char *name; /**< what messages call it ("input", "output"); NULL: "memory". Copied. */
} zs_memory_desc;
/** Defaults: size set, no data, ndim 0 (the caller sets the shape), F order, uint8, read-only.
 *  Inline, so that `size` is the caller's sizeof whatever library version it runs with. */
static inline void zs_memory_desc_init(zs_memory_desc *d)
{
    unsigned char *b = (unsigned char *)d;
    for (size_t i = 0; i < sizeof *d; i++) b[i] = 0;
    d->size = sizeof *d;
}

/** Wraps a caller's buffer as a volume, read-only or (writable) an output for zs_plan_execute.
 *  No copy when the voxels are in zslab's own layout (F order, x fastest, no gaps: numpy's
 *  F-contiguous arrays, or the transpose of a C-contiguous one): workers read and write the
 *  buffer itself. Any other layout is gathered into (and scattered from) whole planes by the
 *  workers, like a C-order file; plan an output of that kind with whole_plane_output
 *  (zs_volume_writes_whole_planes says so).
 *  Lifetime: the volume borrows the buffer; it must stay valid and keep its layout until
 *  zs_volume_free, and nobody may write an input buffer while a plan executes on it. The volume
 *  never frees the buffer. A memory volume needs no zs_volume_commit (it refuses one).
 *  @return ZS_EINVAL for a NULL descriptor or buffer, a bad size field, ndim outside 1..4, a
 *  negative length, a stride that is not a multiple of the element size, a misaligned first
 *  voxel, voxels outside [data, data + nbytes), a writable volume whose voxels overlap;
 *  ZS_EOVERFLOW when the shape's byte count overflows. Messages start with d->name.
 *  @param[out] out caller frees with zs_volume_free. */
ZS_API zs_status zs_volume_wrap(const zs_memory_desc *d, zs_volume **out);

/** Synthetic contents for tests, benchmarks and the demo (core/pattern.c). */
typedef enum zs_pattern {
    ZS_PATTERN_ZEROS = 0, /**< all zero */
    ZS_PATTERN_RAMP,      /**< value = x + y + z, saturated to the dtype */
    ZS_PATTERN_NOISE,     /**< uniform noise over the dtype's range ([0,1) for floats) */
    ZS_PATTERN_PHANTOM,   /**< light-sheet-like: bright blobs on a smooth background, Poisson-like noise */
    ZS_PATTERN_CELLS      /**< the phantom with separated blobs (cells), listed by zs_pattern_cells_write */
} zs_pattern;
/** Parses "zeros", "ramp", "noise", "phantom", "cells". */
ZS_API zs_status zs_pattern_parse(const char *s, zs_pattern *out);
/** The true cells of ZS_PATTERN_CELLS for a volume of info's shape and dtype (its first volume)
 *  and `seed`: a CSV of x, y, z (voxels, the blob's centre), sigma and amplitude, in z, y, x order
 *  of their grid cells; written to path.partial, renamed when complete. */
ZS_API zs_status zs_pattern_cells_write(const zs_volume_info *info, uint64_t seed, const char *path);
/** Fills a writable volume slab by slab with `threads` OpenMP workers (0 = all usable cores).
 *  The contents depend only on (pattern, seed, shape, dtype), never on the thread count. */
ZS_API zs_status zs_volume_fill(zs_volume *v, zs_pattern pattern, uint64_t seed, int threads);
/** @} */

/** \defgroup slab Slabs
 * A slab is a plain descriptor of planes [z0,z1) of volume t of a series, plus the halo
 * planes [lo,z0) and [z1,hi) (clipped to the volume). Mapping a slab maps only the bytes of
 * planes [lo,hi), with the file offset aligned down to the page size. For a C-order volume
 * the planes are not contiguous: the mapping gathers them into an F-order buffer (slower;
 * and written back on unmap in mode r+).
 * @{ */
typedef struct zs_slab {
    int64_t t;      /**< index in the series (0 for a 3-D volume) */
    int64_t z0, z1; /**< core planes */
    int64_t lo, hi; /**< planes covered with the halo, lo <= z0 < z1 <= hi */
} zs_slab;

/** Describes planes [z0,z1) of volume t with `halo` planes on each side, clipped. */
ZS_API zs_status zs_slab_make(const zs_volume_info *info, int64_t t, int64_t z0, int64_t z1, int64_t halo, zs_slab *out)
    ZS_V2(zs_slab_make);

/** @} */

/** \defgroup pipeline Pipelines of kernels
 * @{ */
typedef struct zs_pipeline zs_pipeline;
/** @param[out] out caller frees with zs_pipeline_free. */
ZS_API zs_status zs_pipeline_new(zs_pipeline **out);
ZS_API void zs_pipeline_free(zs_pipeline *p);
/** Appends a stage written "name[:key=value...]" (e.g. "gaussian:sigma=1x1x3:mode=nearest").
 *  A bad name or parameter is ZS_EPARAM with a message naming it, its bounds and what was given. */
ZS_API zs_status zs_pipeline_add(zs_pipeline *p, const char *spec);
/** Appends a stage running a caller's kernel (include/zslab_kernel.h), with parameters written
 *  "key=value:key=value" (NULL or "" for the defaults) and checked against its declaration. The
 *  descriptor is borrowed: it must outlive the pipeline and every plan made from it. The kernel
 *  must be built for this library's ZS_KERNEL_ABI; its run() is called from many threads at once.
 *  examples/custom_kernel.c shows one. */
struct zs_kernel_desc;
ZS_API zs_status zs_pipeline_add_kernel(zs_pipeline *p, const struct zs_kernel_desc *k, const char *params);
/** Sets the voxel size used to convert physical units in later zs_pipeline_add calls. */
ZS_API void zs_pipeline_set_voxel(zs_pipeline *p, const double voxel[3], const char *unit);
ZS_API int zs_pipeline_length(const zs_pipeline *p);
/** Total halo of the pipeline (planes below and above, per axis x,y,z). */
ZS_API void zs_pipeline_halo(const zs_pipeline *p, int64_t lo[3], int64_t hi[3]);
/** Writes "gaussian:sigma=2x2x2:truncate=4:mode=reflect | ..." (normalised; "" for no stage) into
 *  buf as snprintf does. @return the text's length (see zs_volume_info_describe). */
ZS_API size_t zs_pipeline_describe(const zs_pipeline *p, char *buf, size_t n);
/** @} */

/** \defgroup plan Plans and execution
 * @{ */
typedef struct zs_plan zs_plan;

/** Called on a worker after each finished slab (serialised); return non-zero to cancel. */
typedef int (*zs_progress_fn)(void *user, int64_t done_slabs, int64_t total_slabs, uint64_t done_voxels,
                              uint64_t total_voxels);

/** How workers move bytes between the file and their buffers. */
typedef enum zs_engine {
    ZS_ENGINE_AUTO = 0, /**< pread, or direct when the job moves more bytes (input and output) than half
                             the memory available, when it moves 256 MiB or more from an input that
                             is not in the page cache, and for writes to a parallel file system;
                             zs_plan_describe says which and why */
    ZS_ENGINE_MMAP,     /**< map the slab's planes, convert from / into the mapping */
    ZS_ENGINE_PREAD,    /**< pread into / pwrite from a worker buffer (F-order volumes only) */
    ZS_ENGINE_DIRECT,   /**< O_DIRECT reads, and O_DIRECT writes queued to an I/O thread per worker, so
                             that they overlap compute: the bytes bypass the page cache. Files that are
                             not one byte range, and file systems that refuse O_DIRECT, fall back to
                             pread (zs_run_stats.note says so) */
    ZS_ENGINE_URING     /**< direct's O_DIRECT requests submitted to an io_uring ring per worker instead
                             of I/O threads. Where the kernel refuses io_uring (or zslab was built
                             without liburing) it falls back to direct, where O_DIRECT is refused to
                             pread (zs_run_stats.note says so). Never chosen by AUTO */
} zs_engine;
/** Parses "auto", "mmap", "pread" (or "pwrite"), "direct", "uring" (or "io_uring"). */
ZS_API zs_status zs_engine_parse(const char *s, zs_engine *out);
ZS_API const char *zs_engine_name(zs_engine e);

/** The type the stages compute in. */
typedef enum zs_precision {
    ZS_PRECISION_AUTO = 0, /**< float64 for int32/uint32/int64/uint64 inputs when every stage has a float64
                                kernel (selections stay exact: labels), else float32; zs_plan_describe says
                                which and why */
    ZS_PRECISION_FLOAT32,  /**< float32: the fastest; integers beyond 2^24 are rounded */
    ZS_PRECISION_FLOAT64   /**< float64: every stage must have a float64 kernel (else ZS_EINVAL naming it);
                                int64/uint64 values beyond +-2^53 make the run fail (ZS_EUNSUPPORTED) */
} zs_precision; /* a plan with no stages on 32/64-bit integers (no scaling) converts them exactly, as integers */
/** Parses "auto", "float32", "float64". */
ZS_API zs_status zs_precision_parse(const char *s, zs_precision *out);
ZS_API const char *zs_precision_name(zs_precision p);

typedef struct zs_plan_opts {
    size_t struct_size;     /**< the caller's sizeof: set by zs_plan_opts_init() */
    int threads;            /**< 0: cores this process may use (cpuset, OMP_NUM_THREADS, ZS_THREADS) */
    int64_t slab;           /**< planes per slab (the unit of the journal and of parts); 0: chosen */
    int64_t band;           /**< rows per tile band; 0: chosen from the cache sizes and mem_budget */
    int whole_plane_output; /**< the output format encodes whole planes (compressed TIFF, plane series):
                                 a worker assembles a slab's planes before writing them. Set it from
                                 zs_volume_writes_whole_planes() of the created output. */
    uint64_t mem_budget;    /**< bytes; 0: a share of available memory, under any cgroup limit */
    int bind;               /**< bind workers to cores through hwloc (default 1) */
    zs_dtype out_dtype;     /**< used when has_out_dtype */
    int has_out_dtype;
    zs_engine read_engine, write_engine;
    int64_t z_align;        /**< slabs start on multiples of this many planes (a chunked output's chunk
                                 depth: zs_path_write_z_align); 0 or 1: anywhere. A given slab height
                                 must be a multiple of it */
    int parallel_fs;        /**< the output lies on a parallel file system (zs_path_on_parallel_fs): the
                                 automatic write engine is direct */
    const zs_volume *input; /**< the volume `in` describes, or NULL (zs_job sets it; borrowed for the
                                 call only): the planner asks its format what a worker holds to decode
                                 planes (a chunk, its file's bytes, a cached layer; libhdf5's caches),
                                 counts it in the peak and the budget, and runs fewer workers, or
                                 refuses the plan (ZS_ENOMEM), when the budget cannot hold it */
    zs_precision precision; /**< the work type (default auto) */
    uint64_t writer_bytes;  /**< bytes each worker's writes hold in the output's format besides the slab
                                 (an OME-Zarr pyramid's layers in progress; zs_job sets it from the
                                 output's format), counted in the peak and the budget; 0: none */
} zs_plan_opts;
/** Defaults: everything chosen by the planner, workers bound to cores. */
static inline void zs_plan_opts_init(zs_plan_opts *o)
{
    zs_struct_init(o, sizeof *o);
    o->bind = 1;
}
/** Deprecated (0.3's interface, kept for programs built against it): writes the fields of 0.3's
 *  zs_plan_opts only and sets struct_size to their size, so fields added since keep their defaults
 *  whatever the caller sets. Use zs_plan_opts_init(). */
ZS_API void zs_plan_opts_default(zs_plan_opts *o);

/** Plans the pipeline over the input volume. Pure: touches no file. The plan holds a reference
 *  to the pipeline: the caller may free the pipeline at once (it lives until its last plan is
 *  freed), and a pipeline with plans refuses new stages (ZS_EINVAL).
 *  @param[out] out caller frees with zs_plan_free. */
ZS_API zs_status zs_plan_create(const zs_volume_info *in, const zs_pipeline *p, const zs_plan_opts *opts, zs_plan **out)
    ZS_V2(zs_plan_create);
ZS_API void zs_plan_free(zs_plan *plan);
/** Describes the plan in lines (zslab filter --dry-run): input, pipeline, slabs, halo, tiles,
 *  engines, memory per worker and the peak-memory estimate, into buf as snprintf does.
 *  @return the text's length (see zs_volume_info_describe; 0 when out of memory). */
ZS_API size_t zs_plan_describe(const zs_plan *plan, char *buf, size_t n);
/** The output descriptor the plan will produce (shape of the input, output dtype). */
ZS_API void zs_plan_output_spec(const zs_plan *plan, zs_volume_info *spec) ZS_V2(zs_plan_output_spec);
ZS_API int64_t zs_plan_slab_count(const zs_plan *plan);
ZS_API int zs_plan_threads(const zs_plan *plan);
ZS_API int64_t zs_plan_slab_height(const zs_plan *plan);
ZS_API uint64_t zs_plan_peak_bytes(const zs_plan *plan);
/** Rows per tile band (the whole plane height when planes are read whole). */
ZS_API int64_t zs_plan_band_height(const zs_plan *plan);
/** The engines the plan uses (never ZS_ENGINE_AUTO). */
ZS_API void zs_plan_engines(const zs_plan *plan, zs_engine *read, zs_engine *write);
/** The work type the plan computes in (never ZS_PRECISION_AUTO). */
ZS_API zs_precision zs_plan_precision(const zs_plan *plan);

typedef struct zs_run_stats {
    size_t struct_size;                                  /**< the caller's sizeof: set by zs_run_stats_init() */
    double seconds;                                      /**< wall time of the execution */
    double load_seconds, compute_seconds, store_seconds; /**< summed over workers */
    uint64_t voxels;                                     /**< voxels of the slabs processed */
    uint64_t bytes_read, bytes_written;                  /**< file bytes moved by the engines */
    int threads;
    zs_engine read_engine, write_engine; /**< the engines that ran (a planned direct engine may have
                                              fallen back to pread) */
    char note[512];                      /**< why an engine fell back ("" when none did): worth telling the user */
} zs_run_stats;
/** Zeroes the statistics and sets struct_size (the library writes only what it covers). */
static inline void zs_run_stats_init(zs_run_stats *s) { zs_struct_init(s, sizeof *s); }

/** Phases of the slab path. A run does all of them; the benchmark isolates some:
 *  READ alone touches every input byte through the engine without converting; READ|CONVERT
 *  loads to float32; COMPUTE alone runs the pipeline on planes already in memory (each
 *  worker loads one slab once, untimed); STORE alone converts and writes every output byte. */
enum zs_phase {
    ZS_PHASE_READ = 1u << 0,
    ZS_PHASE_CONVERT = 1u << 1,
    ZS_PHASE_COMPUTE = 1u << 2,
    ZS_PHASE_STORE = 1u << 3,
    ZS_PHASE_ALL = 0xFu
};

typedef struct zs_journal zs_journal; /* see \ref journal */

typedef struct zs_exec_opts {
    size_t struct_size; /**< the caller's sizeof: set by zs_exec_opts_init() */
    unsigned phases;    /**< 0 = ZS_PHASE_ALL */
    zs_progress_fn progress;
    void *user;
    int64_t first_slab, last_slab; /**< slab range [first,last) to run; last 0 = all */
    volatile int *stop;            /**< optional: set non-zero (e.g. from a signal handler or another thread)
                                        to stop (ZS_ECANCELED). With a journal the slabs in flight finish
                                        and are recorded; without one, workers stop at their next band of
                                        rows (within a fraction of a second) */
    zs_journal *journal;           /**< optional (\ref journal): slabs it records are skipped; each finished
                                        slab's output bytes are made durable, then recorded */
    int drop_cache;                /**< 1: after each slab, flush and drop the page-cache pages of its
                                        output planes and of the input planes no later slab reads */
    void *reducer;                 /**< internal: set by zs_plan_reduce (zslab_reduce.h); NULL otherwise */
} zs_exec_opts;
/** Defaults: every phase of every slab, no callback, no journal. */
static inline void zs_exec_opts_init(zs_exec_opts *o) { zs_struct_init(o, sizeof *o); }
/** Deprecated (0.3's interface, kept for programs built against it): writes the fields of 0.3's
 *  zs_exec_opts only and sets struct_size to their size, so fields added since keep their defaults
 *  whatever the caller sets. Use zs_exec_opts_init(). */
ZS_API void zs_exec_opts_default(zs_exec_opts *o);

/** Runs the plan: each worker maps its slab of `in`, runs the pipeline and writes the core
 *  into `out` (same shape and dtype as zs_plan_output_spec, writable; may be NULL when
 *  opts->phases leaves out ZS_PHASE_STORE). The first error cancels the others and is
 *  returned with its message. */
ZS_API zs_status zs_plan_execute(const zs_plan *plan, const zs_volume *in, zs_volume *out, const zs_exec_opts *opts,
                                 zs_run_stats *stats) ZS_V2(zs_plan_execute);
/** @} */

/** \defgroup system System facts
 * @{ */
/** Cores this process may use (cpuset/affinity, then OMP_NUM_THREADS and ZS_THREADS). */
ZS_API int zs_sys_threads(void);
/** Memory available to this process: MemAvailable, capped by a cgroup limit. */
ZS_API uint64_t zs_sys_available_memory(void);
/** The memory limit of this process's cgroup (v2 memory.max or v1 memory.limit_in_bytes of
 *  the cgroup in /proc/self/cgroup and its parents: a SLURM job, a container); 0 if none. */
ZS_API uint64_t zs_sys_memory_limit(void);
/** Page size in bytes. */
ZS_API size_t zs_sys_page_size(void);

typedef struct zs_sys_info {
    size_t struct_size;         /**< the caller's sizeof: set by zs_sys_info_init() */
    int cores, pus, numa_nodes; /**< usable by this process (cpuset) */
    uint64_t l2, l3;            /**< cache sizes in bytes seen from the first core (0 unknown) */
    uint64_t mem_available;     /**< zs_sys_available_memory() */
    size_t page_size;
} zs_sys_info;
static inline void zs_sys_info_init(zs_sys_info *info) { zs_struct_init(info, sizeof *info); }
/** Machine facts (hwloc when built with it), up to info->struct_size (see \ref abi). */
ZS_API void zs_sys_info_get(zs_sys_info *info) ZS_V2(zs_sys_info_get);
/** Flushes (fdatasync) and drops a file's pages from the page cache (posix_fadvise
 *  DONTNEED; no root needed), so the next read comes from storage. */
ZS_API zs_status zs_file_drop_cache(const char *path);
/** Fraction of a file's pages resident in the page cache (mincore). */
ZS_API zs_status zs_file_residency(const char *path, double *fraction);
/** 1 when `path` (or, when it does not exist yet, its directory) lies on a parallel file system
 *  (Lustre, GPFS / Spectrum Scale, BeeGFS, CephFS), whose servers reward large direct writes; its
 *  name is copied into `name` (n bytes; may be NULL). 0 otherwise or when it cannot be told. */
ZS_API int zs_path_on_parallel_fs(const char *path, char *name, size_t n);

/** A file written whole (a chart, a report page) as PATH.partial and renamed to PATH when
 *  complete, claimed as outputs are: PATH.partial is created new, and one that exists is taken
 *  over only when it is a regular file of this user that a killed run left (never through a
 *  symbolic link, never while another run holds it). */
typedef struct zs_partial_file zs_partial_file;
/** @param[out] out caller frees with zs_partial_file_free. @return ZS_EEXIST when PATH.partial
 *  is a link, not a regular file of this user, or held by another run (the message says which),
 *  ZS_EIO when it cannot be created. */
ZS_API zs_status zs_partial_file_new(const char *path, zs_partial_file **out);
/** The stream to write the contents to (borrowed until zs_partial_file_free). */
ZS_API FILE *zs_partial_file_stream(zs_partial_file *p);
/** Flushes the stream, syncs it to storage (fsync) and renames PATH.partial to PATH (replacing
 *  it); a write error (write-back errors included), or a PATH.partial that is no longer the file
 *  created, is an error naming it. */
ZS_API zs_status zs_partial_file_commit(zs_partial_file *p);
/** Closes; without a successful commit, PATH.partial is removed. NULL: no-op. */
ZS_API void zs_partial_file_free(zs_partial_file *p);
/** @} */

/** \defgroup journal Parts, journal, resume
 * One output can be written by many processes (job-array tasks, MPI ranks) and by runs
 * that continue an interrupted one. Beside the output OUT lives the directory
 * OUT.zsjournal/ holding:
 *  - `header`: the fingerprint of the job: input (real path, size, mtime, format, shape,
 *    dtype, order, offset, scaling), pipeline (zs_pipeline_describe), output dtype and
 *    shape, slab height and count, zslab version. Written once, atomically (temporary
 *    name, fsync, rename).
 *  - `part-I-of-N`: one file per part that ran, one line per finished slab. A line is
 *    appended only after that slab's output bytes are on disk (msync MS_SYNC of its
 *    byte range), so a recorded slab is never lost, and a slab in flight when a process
 *    died is simply redone. One file per part: no two nodes append to one file.
 * The data is written in place into OUT.partial, which becomes OUT (rename) when every
 * slab of the plan is recorded: OUT never exists incomplete.
 *
 * Part I of N runs slabs [floor(I*S/N), floor((I+1)*S/N)) of the plan's S slabs, less
 * those already recorded. Parts may start in any order or all at once: the process whose
 * mkdir(OUT.zsjournal) succeeds creates OUT.partial (header, posix_fallocate) and then
 * publishes the header; the others wait for the header, check that it describes their
 * job and open OUT.partial in mode r+. The slab height is the creator's and is read
 * from the header by everyone else, so all parts cut the volume the same way.
 *
 * Use: zs_journal_begin → zs_plan_create (slab = zs_journal_slab_height() when it is not
 * 0) → zs_journal_attach → zs_plan_execute with zs_exec_opts.journal and the part's
 * range (zs_journal_part_range) → zs_journal_finish → zs_journal_free.
 * @{ */

typedef struct zs_journal_summary {
    size_t struct_size; /**< the caller's sizeof: set by zs_journal_summary_init() */
    int64_t slabs;      /**< slabs of the plan (0 without a journal) */
    int64_t done;       /**< slabs recorded by any part */
    int complete;       /**< OUT exists, OUT.partial does not, and (with a journal) every slab is recorded */
    int journal;        /**< OUT has a journal */
} zs_journal_summary;
static inline void zs_journal_summary_init(zs_journal_summary *s) { zs_struct_init(s, sizeof *s); }
/** Describes the state of OUT from its journal alone (the input need not exist): complete
 *  or not, slabs done of total, the slabs each part recorded and the missing ones, as lines
 *  or (json) one JSON object, into buf as snprintf does (see zs_volume_info_describe). The
 *  state is read at each call: a journal that other processes write may grow between a call
 *  that measures and the next. ZS_EIO when there is neither OUT, OUT.partial nor a journal.
 *  @param[out] len the text's length (may be NULL). @param[out] sum may be NULL. */
ZS_API zs_status zs_journal_report(const char *out_path, int json, char *buf, size_t n, size_t *len,
                                   zs_journal_summary *sum) ZS_V2(zs_journal_report);
/** @} */

/** \defgroup job Jobs: one output made from one input, start to finish
 * A job runs the whole way of `zslab filter` as a state machine:
 *
 *     zs_job_open -> [zs_job_pipeline: add stages] -> zs_job_plan -> zs_job_create
 *                 -> zs_job_execute -> zs_job_commit -> zs_job_free
 *
 * Each step runs the ones before it that were not run yet (zs_job_create plans, zs_job_execute
 * creates), so a caller may call only the steps it wants to look between. The policies of a
 * run live here, not in the tools that call it:
 *  - plain run: OUT.partial is created at full size, filled, and renamed to OUT by the commit;
 *    a job freed before its commit removes OUT.partial. An OUT with a journal is refused
 *    unless `force` (which then removes the journal and its partial output).
 *  - journal (`journal`, `resume`, or `nparts` > 1): see \ref journal. zs_job_plan takes part in
 *    OUT's journal first (creating it or joining it), and plans with the journal's slab height
 *    when it joins one; zs_job_create binds the plan to it (creating OUT.partial or opening it);
 *    zs_job_execute runs this part's slabs not yet recorded; zs_job_commit records and renames
 *    OUT.partial to OUT when every slab of every part is recorded. An interrupted job (`stop`,
 *    or a progress callback returning nonzero) keeps what it recorded for the next run.
 *  - parts: part I of N runs slabs [floor(I*S/N), floor((I+1)*S/N)). The part that creates the
 *    journal lowers the planner's slab height so that the N parts together have two slabs per
 *    worker (unless `plan.slab` is given). Parts should not write with the mmap engine (it writes
 *    back whole pages shared with a neighbour's slab); the automatic engine never maps.
 *  - an empty input (an axis of length 0): part 0 writes the empty output as a plain run does,
 *    the other parts have nothing to do.
 * Errors name the files, the stages and the parameters; never an option of a tool.
 * @{ */
typedef struct zs_job zs_job;

/** The steps a job has passed. */
typedef enum zs_job_state {
    ZS_JOB_OPENED = 0, /**< input open, pipeline made */
    ZS_JOB_JOINED,     /**< took part in OUT's journal (created or joined it); not planned yet */
    ZS_JOB_PLANNED,
    ZS_JOB_CREATED,
    ZS_JOB_EXECUTED, /**< zs_job_execute ran (successfully or not) */
    ZS_JOB_COMMITTED
} zs_job_state;

/** Called after each finished slab with the fraction of the job's work done (0..1], from a
 *  worker thread (one call at a time); return nonzero to stop the job (ZS_ECANCELED). */
typedef int (*zs_job_progress_fn)(void *user, double fraction);

typedef enum zs_job_journal {
    ZS_JOB_NO_JOURNAL = 0, /**< a plain run (unless nparts > 1) */
    ZS_JOB_JOURNAL_NEW,    /**< keep a new journal; an existing one is ZS_EEXIST (unless force: start over) */
    ZS_JOB_RESUME          /**< continue OUT's journal, or start one */
} zs_job_journal;

typedef struct zs_job_opts {
    size_t struct_size;       /**< the caller's sizeof: set by zs_job_opts_init() */
    const zs_open_opts *open; /**< how zs_job_open opens the input (a raw layout); NULL: defaults */
    const char *const *ops;   /**< stages added by zs_job_open ("gaussian:sigma=2"), nops of them; may be NULL */
    int nops;
    const zs_plan_opts *plan;     /**< threads, slab, band, memory budget, output dtype, engines; NULL: defaults.
                                       whole_plane_output is set by the job from the output's format */
    zs_compression compress;      /**< outputs that compress (zs_create_opts.compress) */
    int64_t chunk[3];             /**< chunked outputs: chunk voxels along x, y, z (zs_create_opts.chunk) */
    int pyramid;                  /**< more levels of a multiscale output (zs_create_opts.pyramid); plain runs
                                       only (a job with a journal refuses it) */
    int force;                    /**< overwrite OUT; with a journal: remove it and start over */
    zs_job_journal journal;       /**< a journal (\ref journal) or not */
    int64_t part, nparts;         /**< this process runs part `part` of `nparts` (default 0 of 1); nparts > 1
                                       implies a journal (ZS_JOB_RESUME unless ZS_JOB_JOURNAL_NEW) */
    int join;                     /**< 1: never create the journal, wait for the process that does (MPI ranks > 0) */
    double wait_seconds;          /**< how long a joining part waits for the header (< 0: the journal's default) */
    int drop_cache;               /**< 1: drop finished slabs' pages from the page cache (zs_exec_opts.drop_cache) */
    volatile int *stop;           /**< optional: set nonzero (a signal handler) to stop at the next slab */
    zs_job_progress_fn progress;  /**< optional: fraction done; nonzero return stops the job */
    void *user;                   /**< passed to progress and slab_progress */
    zs_progress_fn slab_progress; /**< optional: the plan's per-slab counts (a tool's progress display) */
    int dry_run;                  /**< 1: plan only, never touch a journal or OUT (zs_job_create refuses) */
    const char *record;           /**< optional, plain runs: a file that records what OUT was made from (a batch's
                                       D/.zslab-batch/NAME.done): removed by zs_job_create, written by zs_job_commit,
                                       read by zs_job_up_to_date */
} zs_job_opts;
/** Defaults: a plain run, part 0 of 1, the journal's default wait. */
static inline void zs_job_opts_init(zs_job_opts *o)
{
    zs_struct_init(o, sizeof *o);
    o->nparts = 1;
    o->wait_seconds = -1.0;
}
/** Deprecated (0.3's interface, kept for programs built against it): writes the fields of 0.3's
 *  zs_job_opts only and sets struct_size to their size, so fields added since keep their defaults
 *  whatever the caller sets. Use zs_job_opts_init(). */
ZS_API void zs_job_opts_default(zs_job_opts *o);

/** Opens the input `in_path` (opts->open), makes a pipeline with the input's voxel size and adds
 *  opts->ops. Touches no output. The options are copied (ops, open, plan and record are read
 *  during the call); stop, user and the callbacks must stay valid while the job runs.
 *  @param[out] job caller frees with zs_job_free, also when this call fails after making the job
 *  (it is then set, and refuses the later steps; NULL when the options were refused).
 *  @return ZS_EINVAL for unsized or bad options, ZS_EPARAM naming the stage for a bad op, the
 *  input's errors (ZS_EIO, ZS_EFORMAT, ...). */
ZS_API zs_status zs_job_open(const char *in_path, const char *out_path, const zs_job_opts *opts, zs_job **job);
/** The same over an input the caller opened (borrowed: it must outlive the job). */
ZS_API zs_status zs_job_open_volume(const zs_volume *in, const char *out_path, const zs_job_opts *opts, zs_job **job);
/** Opens the job of `in` into `out`, a volume the caller opened for writing (a memory volume:
 *  zs_volume_wrap over a writable buffer) with the shape and dtype the job makes: the job's plan
 *  options and policies apply, as for a file; zs_job_create only checks `out` (ZS_EINVAL naming it
 *  when it is not writable or not the job's shape and dtype), zs_job_commit leaves it as it is,
 *  and zs_job_free does not free it. `in` and `out` must outlive the job. A plain run only: a
 *  journal, parts, a record or a pyramid is ZS_EINVAL. On failure the caller frees the job. */
ZS_API zs_status zs_job_open_into(const zs_volume *in, zs_volume *out, const zs_job_opts *opts, zs_job **job);
/** The job's pipeline (borrowed): add stages to it before zs_job_plan; afterwards it refuses them. */
ZS_API zs_pipeline *zs_job_pipeline(zs_job *job);
/** The job's input (borrowed). */
ZS_API const zs_volume *zs_job_input(const zs_job *job);
/** Plans (see the policies above); with a journal and not dry_run, takes part in OUT's journal
 *  first, which may wait for the process that creates it. @return the planner's errors (a
 *  memory budget too small is ZS_EINVAL naming it), the journal's (ZS_EEXIST: another job's
 *  journal, or a new one wanted where one exists; ZS_ECANCELED: stopped while waiting). */
ZS_API zs_status zs_job_plan(zs_job *job);
/** The plan (borrowed), or NULL before zs_job_plan. */
ZS_API const zs_plan *zs_job_get_plan(const zs_job *job);
/** Creates OUT.partial (or, with a journal, binds to it). ZS_EEXIST: OUT exists (without force),
 *  or has a journal and this job keeps none. ZS_EINVAL for a dry run. */
ZS_API zs_status zs_job_create(zs_job *job);
/** The output being written (borrowed; its path is OUT.partial), or NULL before zs_job_create and
 *  when there is nothing to write. */
ZS_API const zs_volume *zs_job_output(const zs_job *job);
/** Runs this part's slabs that are not recorded yet. @return ZS_ECANCELED when stopped. */
ZS_API zs_status zs_job_execute(zs_job *job);
/** Plain run: flushes and renames OUT.partial to OUT. Journal: syncs this part's records, reads
 *  every part's and renames OUT.partial to OUT when all slabs are recorded; may be called again
 *  (after other processes finished) and after a failed or stopped zs_job_execute. */
ZS_API zs_status zs_job_commit(zs_job *job);
/** Closes; a plain run's uncommitted OUT.partial is removed, a journal's stays. NULL: no-op. */
ZS_API void zs_job_free(zs_job *job);
/** A batch's stack whose job ended with its process killed by signal `sig` while it was checked,
 *  run or previewed (a crash in a third-party decoder, such as libhdf5 on a corrupt file; a kill;
 *  an interruption): the stack failed and the batch goes on with the others. Removes what the dead
 *  process may have left of OUT: the stack's record (`record`; NULL: none) and OUT.partial (NULL
 *  out_path: no output) when it is a regular file of this user that no live process holds (a
 *  directory or a link is left to the next run's claim). Writes why into `why`: "IN: crashed in
 *  its decoder (SIGSEGV)" for SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT; "IN: stopped (SIGINT)"
 *  for SIGINT, SIGTERM, SIGHUP; "IN: killed (SIGKILL)" otherwise.
 *  @return ZS_OK, or ZS_EIO naming a file that could not be removed (`why` is written all the same). */
ZS_API zs_status zs_job_crashed(const char *in_path, const char *out_path, const char *record, int sig, char *why,
                                size_t n);

/* The getters below take a NULL job (one whose open failed) and answer 0, an empty range or zeroed
 * statistics. */
/** This part's slab range [first, last) of the plan (all slabs without parts). */
ZS_API void zs_job_part_range(const zs_job *job, int64_t *first, int64_t *last);
/** Slabs of this part's range recorded before this run (0 without a journal). */
ZS_API int64_t zs_job_done_before(const zs_job *job);
/** Slabs recorded by every part, as read by the last zs_job_commit (without a journal: the
 *  plan's slab count once committed). */
ZS_API int64_t zs_job_done(const zs_job *job);
/** 1 when OUT is complete (after zs_job_create: it already was, nothing to do; after
 *  zs_job_commit: it is now). */
ZS_API int zs_job_complete(const zs_job *job);
/** The last step the job passed: after a failure of zs_job_plan, ZS_JOB_JOINED says the
 *  planning failed, ZS_JOB_OPENED that taking part in the journal did. */
ZS_API zs_job_state zs_job_get_state(const zs_job *job);
/** Whether OUT is up to date: it exists, the record (zs_job_opts.record) holds this job's
 *  fingerprint (the journal's: the input's real path, its files as its format lists them (each
 *  one's real path, size and modification time; a header's data file, every plane of a series),
 *  format, shape, dtype, order, offset and scaling, the pipeline, the output's dtype and shape,
 *  the zslab version; and the compression) and OUT's own size and modification time, and OUT's
 *  header has the shape and dtype this job makes. Plans the job first (zs_job_plan's errors).
 *  @param[out] up_to_date 1 or 0. @param[out] why when 0, the first reason ("" when there is
 *  neither OUT nor a record), as snprintf writes into a buffer of n bytes. */
ZS_API zs_status zs_job_up_to_date(zs_job *job, int *up_to_date, char *why, size_t n);
/** 1 if the job keeps a journal. */
ZS_API int zs_job_journaled(const zs_job *job);
/** Statistics of zs_job_execute (zeros before). */
ZS_API void zs_job_stats(const zs_job *job, zs_run_stats *stats) ZS_V2(zs_job_stats);
/** @} */

/** \defgroup preview Previews: projections, planes and three-views as 8-bit images
 * A preview streams a volume once, a few planes at a time through zs_slab_map (never more than
 * the memory budget), and reduces it to a maximum-intensity projection (MIP) along one axis,
 * one z-plane, or a three-view (the three MIPs). Images have x to the right and y down, as
 * Fiji shows a plane: the MIP along z (and a plane) is x right, y down; along y, x right and
 * z down; along x, z right and y down. The three-view puts the xy MIP top left, the MIP along
 * x (z right, y down) to its right and the MIP along y (x right, z down) below it, with gaps
 * of ZS_PREVIEW_GAP black pixels; the bottom-right square is black. Every view has square
 * pixels in physical units (the voxel size; 1 where the file has none), resampled by box
 * (area) averaging. NaN voxels are ignored by the projections (numpy's nanmax); a ray with no
 * number (all NaN, or -inf) is shown as 0. A value v becomes round(255 (v - lo) / (hi - lo)),
 * clipped to 0..255; with an automatic range, lo and hi are the plo and phi percentiles
 * (numpy's default, linear interpolation, NaN left out) of the full-resolution pixels shown
 * (the projections or the plane, pooled for a three-view): the stack is read once. A
 * constant image (hi <= lo) is black.
 * @{ */
#define ZS_PREVIEW_GAP 2
typedef enum zs_preview_view {
    ZS_VIEW_MIP = 0, /**< maximum-intensity projection along opts.axis */
    ZS_VIEW_PLANE,   /**< z-plane opts.z */
    ZS_VIEW_THREE    /**< the three MIPs, laid out as above */
} zs_preview_view;
/** Colour maps: grey (one channel), hot (black, red, yellow, white), green, magenta. */
typedef enum zs_cmap { ZS_CMAP_GREY = 0, ZS_CMAP_HOT, ZS_CMAP_GREEN, ZS_CMAP_MAGENTA } zs_cmap;
/** Parses "grey" (or "gray"), "hot", "green", "magenta". */
ZS_API zs_status zs_cmap_parse(const char *s, zs_cmap *out);
ZS_API const char *zs_cmap_name(zs_cmap c);

typedef struct zs_preview_opts {
    size_t struct_size; /**< the caller's sizeof: set by zs_preview_opts_init() */
    zs_preview_view view;
    int axis;            /**< ZS_VIEW_MIP: 0 (x), 1 (y) or 2 (z, default) */
    int64_t z;           /**< ZS_VIEW_PLANE: the plane */
    int64_t t;           /**< volume of a series (default 0) */
    int auto_range;      /**< 1 (default): lo and hi from the percentiles plo and phi */
    double plo, phi;     /**< default 0.1 and 99.9 */
    double lo, hi;       /**< auto_range 0: the values shown as 0 and 255 (hi > lo) */
    int64_t size;        /**< the image's long side in pixels; 0: one pixel per the finest voxel size shown */
    zs_cmap cmap;        /**< ZS_CMAP_GREY: one channel; others: RGB */
    uint64_t mem_budget; /**< bytes for everything the preview holds; 0: 256 MiB, or what the
                              projections need when that is more and under half the available memory */
    int threads;         /**< 0: zs_sys_threads() */
} zs_preview_opts;
/** Defaults: the MIP along z, range from the 0.1 and 99.9 percentiles, grey. */
static inline void zs_preview_opts_init(zs_preview_opts *o)
{
    zs_struct_init(o, sizeof *o);
    o->axis = 2;
    o->auto_range = 1;
    o->plo = 0.1;
    o->phi = 99.9;
}
/** Deprecated (0.3's interface, kept for programs built against it): writes the fields of 0.3's
 *  zs_preview_opts only and sets struct_size to their size, so fields added since keep their defaults
 *  whatever the caller sets. Use zs_preview_opts_init(). */
ZS_API void zs_preview_opts_default(zs_preview_opts *o);

/** An 8-bit image: rows top to bottom, `channels` bytes a pixel (1 grey, 3 RGB). */
typedef struct zs_image {
    int64_t width, height;
    int channels;
    unsigned char *pixels; /**< width * height * channels bytes (owner: the image) */
    double lo, hi;         /**< the values shown as 0 and 255 */
} zs_image;
/** Makes a preview of volume v. @param[out] out caller frees with zs_image_free.
 *  @return ZS_EINVAL for bad options or a budget too small for the projections (the message
 *  says how much is needed), else the volume's read errors. */
ZS_API zs_status zs_preview_make(const zs_volume *v, const zs_preview_opts *o, zs_image **out);
/** NULL is a no-op. */
ZS_API void zs_image_free(zs_image *img);
/** Encodes a PNG (libpng) in memory. @param[out] buf caller frees with free(). */
ZS_API zs_status zs_image_encode_png(const zs_image *img, unsigned char **buf, size_t *len);
/** Writes a PNG file: path.partial, renamed to path when complete. */
ZS_API zs_status zs_image_write_png(const zs_image *img, const char *path);
/** @} */

/** \defgroup unstable Not yet stable: ZSLAB_UNSTABLE_API
 * What follows may still change in a minor release, in its calls as well as its structs, and is
 * declared only for programs that define ZSLAB_UNSTABLE_API before including this header (as
 * zstd's ZSTD_STATIC_LINKING_ONLY): such a program is built for one minor release (the soname
 * libzslab.so.0.MINOR keeps it to that one). The library's own tool and tests define it.
 *  - slab mappings (zs_mapping, zs_slab_map): the volume I/O functions are becoming the one way
 *    into a volume's bytes, and a mapping will be one of their results;
 *  - the journal's steps (zs_journal_begin ... zs_journal_remove, zs_journal_opts): the job layer
 *    (\ref job) runs them, and the executor will report finished slabs through a hook instead
 *    of zs_exec_opts.journal; zs_journal_report stays;
 *  - the benchmark (zs_bench_opts, zs_bench_run): its phases and records follow the engines.
 * @{ */
#ifdef ZSLAB_UNSTABLE_API

/* ---- slab mappings (\ref slab) ---- */
/** A slab's planes in memory, filled by zs_slab_map. The fields after map_length are the library's
 *  (reserved_ to callers: never read or write them). */
typedef struct zs_mapping {
    void *data;        /**< voxel (0,0,lo) of planes [lo,hi), F order, stored dtype */
    int64_t lo, hi;    /**< planes held */
    size_t map_length; /**< bytes mapped (for checks and accounting) */
#ifdef ZS_BUILDING_LIB
    void *map_base;
    void *gather; /**< C order: F-order copy (owner: this mapping) */
    const zs_volume *vol;
    int64_t t;
    int writable;
#else
    uint64_t reserved_[5];
#endif
} zs_mapping;

/** Maps planes [s->lo, s->hi) of the volume in its mode. Release with zs_slab_unmap. */
ZS_API zs_status zs_slab_map(const zs_volume *v, const zs_slab *s, zs_mapping *out);
/** Unmaps (scattering a C-order gather back in mode r+). Safe on a zeroed mapping. */
ZS_API zs_status zs_slab_unmap(zs_mapping *m);

/* ---- the journal's steps (\ref journal) ---- */
/** How zs_journal_begin treats an existing journal. */
typedef enum zs_journal_role {
    ZS_JOURNAL_ANY = 0, /**< create it if nobody has, else join it (parts, --resume) */
    ZS_JOURNAL_NEW,     /**< create it; an existing journal is ZS_EEXIST (--journal) */
    ZS_JOURNAL_JOIN,    /**< never create: wait for another process's header (MPI ranks > 0) */
    ZS_JOURNAL_REPLACE  /**< as NEW, over an OUT that may exist (an earlier output, to be overwritten:
                             --journal --force): it stays in place until this job's output replaces it,
                             complete. The journal records which file it is (device, inode), so that
                             parts and resumed runs tell it from a finished output */
} zs_journal_role;

typedef struct zs_journal_opts {
    size_t struct_size;   /**< the caller's sizeof: set by zs_journal_opts_init() */
    int64_t part, nparts; /**< this process runs part `part` of `nparts` (default 0 of 1) */
    zs_journal_role role;
    double wait_seconds;          /**< how long to wait for another process to publish the header; < 0
                                       (default): ZS_JOURNAL_WAIT from the environment, else 600 */
    volatile int *stop;           /**< optional: non-zero stops the wait (ZS_ECANCELED) */
    const zs_create_opts *create; /**< how the creating process makes OUT.partial: its compression and chunks
                                       (format, force and direct are the journal's); NULL: defaults. Copied
                                       by zs_journal_begin */
} zs_journal_opts;
/** Defaults: part 0 of 1, create or join, the default wait. */
static inline void zs_journal_opts_init(zs_journal_opts *o)
{
    zs_struct_init(o, sizeof *o);
    o->nparts = 1;
    o->wait_seconds = -1.0;
}
/** Deprecated (0.3's interface, kept for programs built against it): writes the fields of 0.3's
 *  zs_journal_opts only and sets struct_size to their size, so fields added since keep their defaults
 *  whatever the caller sets. Use zs_journal_opts_init(). */
ZS_API void zs_journal_opts_default(zs_journal_opts *o);

/** Takes part in OUT's journal: either this process creates it (zs_journal_creating() is
 *  1; nobody else can until zs_journal_attach publishes the header or this process fails)
 *  or it reads the header another process published, waiting for it if needed.
 *  Refuses (ZS_EEXIST) an OUT that exists without a journal (unless ZS_JOURNAL_REPLACE), and with
 *  ZS_JOURNAL_NEW or ZS_JOURNAL_REPLACE an existing journal. @param[out] out caller frees with zs_journal_free. */
ZS_API zs_status zs_journal_begin(const char *out_path, const zs_journal_opts *opts, zs_journal **out);
/** @return 1 if this process creates the output (zs_journal_begin won the race). */
ZS_API int zs_journal_creating(const zs_journal *j);
/** 1 when OUT is still the file that existed when the journal was created with
 *  ZS_JOURNAL_REPLACE: the part that finishes the job writes its output over it. */
ZS_API int zs_journal_output_replaced(const zs_journal *j);
/** @return the slab height recorded in the header; 0 when this process creates it. */
ZS_API int64_t zs_journal_slab_height(const zs_journal *j);
/** Binds the plan. Creator: creates OUT.partial at full size and publishes the header.
 *  Others: compare the plan's fingerprint with the header — a difference is ZS_EEXIST
 *  with a message naming every field that differs — and open OUT.partial in mode r+ (a
 *  journal whose output is gone is ZS_EIO). Outputs must be .npy, .nii or raw.
 *  Then reads which slabs are recorded and opens this part's record file.
 *  @param[out] out the output to pass to zs_plan_execute (borrowed: owned by the journal),
 *  or NULL when OUT is already complete. */
ZS_API zs_status zs_journal_attach(zs_journal *j, const zs_plan *plan, zs_volume **out);
/** This part's slab range [first,last) of the plan (after zs_journal_attach). */
ZS_API void zs_journal_part_range(const zs_journal *j, int64_t *first, int64_t *last);
/** Slabs recorded (by any part) in [first,last), as read by attach or finish. */
ZS_API int64_t zs_journal_done_count(const zs_journal *j, int64_t first, int64_t last);
/** After zs_plan_execute (also after a failure or a stop): syncs this part's records, reads
 *  every part's records and, if every slab of the plan is recorded, renames OUT.partial to
 *  OUT. @param[out] done slabs recorded, all parts (may be NULL). @param[out] complete 1 if
 *  OUT is complete (may be NULL). */
ZS_API zs_status zs_journal_finish(zs_journal *j, int64_t *done, int *complete);
/** Closes. Never removes anything: OUT.partial and the journal stay for a resume; a
 *  creator that failed before publishing the header removes what it made. NULL: no-op. */
ZS_API void zs_journal_free(zs_journal *j);

/** @return 1 if OUT has a journal directory (OUT.zsjournal). */
ZS_API int zs_journal_exists(const char *out_path);
/** Removes OUT.zsjournal and OUT.partial (to start over: --force). */
ZS_API zs_status zs_journal_remove(const char *out_path);

/** \defgroup bench I/O versus compute (bench/)
 * Measures, for one input and one pipeline, the phases of the slab path, each the median of
 * `repeat` runs: read (touch every input byte through the engine), load (read + convert to
 * float32), compute (the pipeline on planes already in memory), store (create a fresh output
 * and convert + write every byte), end-to-end (the real filter path). Lists of threads, slab
 * heights and engines sweep a grid.
 * @{ */
typedef struct zs_bench_opts {
    size_t struct_size;       /**< the caller's sizeof: set by zs_bench_opts_init() */
    const char *input;        /**< input volume */
    const zs_open_opts *open; /**< raw description, or NULL */
    const char *const *ops;   /**< pipeline specs ("gaussian:sigma=2"); may be empty (copy) */
    int nops;
    zs_dtype out_dtype;
    int has_out_dtype;
    const int *threads; /**< sweep list; NULL = library default */
    int nthreads;
    const int64_t *slabs; /**< sweep list; NULL = planner's choice */
    int nslabs;
    const zs_engine *engines; /**< sweep list, the same engine for reads and writes; NULL = defaults */
    int nengines;
    int cold;   /**< drop input and output pages (fsync + POSIX_FADV_DONTNEED) before each run,
                     and include the output's fdatasync in store and end-to-end */
    int repeat; /**< runs per phase (median, min, max); default 5 */
    uint64_t mem_budget;
    const char *tmpdir;   /**< where outputs go; NULL = the input's directory */
    int progress;         /**< a progress line on stderr */
    const int64_t *bands; /**< sweep list of tile band heights (rows); NULL = planner's choice */
    int nbands;
    FILE *plot;             /**< an SVG chart of the phases per setting, the bound and the overlap (NULL: none) */
    zs_precision precision; /**< the plans' work type (default auto), as zs_plan_opts.precision */
} zs_bench_opts;
/** Defaults: one setting chosen by the planner, 5 runs a phase. */
static inline void zs_bench_opts_init(zs_bench_opts *o)
{
    zs_struct_init(o, sizeof *o);
    o->repeat = 5;
}
/** Deprecated (0.3's interface, kept for programs built against it): writes the fields of 0.3's
 *  zs_bench_opts only and sets struct_size to their size, so fields added since keep their defaults
 *  whatever the caller sets. Use zs_bench_opts_init(). */
ZS_API void zs_bench_opts_default(zs_bench_opts *o);
/** Runs the grid; prints a table to `table` (may be NULL) and one JSON record (schema in
 *  docs/bench.md) to `json` (may be NULL). */
ZS_API zs_status zs_bench_run(const zs_bench_opts *o, FILE *table, FILE *json);
/** @} */

#endif /* ZSLAB_UNSTABLE_API */
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* ZSLAB_H */
