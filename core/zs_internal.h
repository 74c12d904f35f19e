/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Internals shared across folders: error macros, tracked allocation, dtype conversion and the
 * functions through which everything but the volume and format files reaches a volume (its
 * body and the format interface are in volume_internal.h). Not installed. */
#ifndef ZS_INTERNAL_H
#define ZS_INTERNAL_H

#include "zslab.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* ---- errors --------------------------------------------------------------------------- */

/** Records `fmt` as this thread's last error and returns `code` (the detector's call). */
zs_status zs__error(zs_status code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/** Same, with ": strerror(err)" appended. */
zs_status zs__error_sys(zs_status code, int err, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/** Maps an errno value to a status (ENOSPC → ZS_ENOSPC, ENOMEM → ZS_ENOMEM, else ZS_EIO). */
zs_status zs__status_from_errno(int err);
/** Copies this thread's last error into buf (for handing a worker's error to the caller). */
void zs__error_copy(char *buf, size_t n);
/** Sets this thread's last error text verbatim (no trace). */
void zs__error_set(const char *msg);

#define ZS_ERR(code, ...)          zs__error((code), __FILE__, __LINE__, __VA_ARGS__)
#define ZS_ERR_SYS(code, err, ...) zs__error_sys((code), (err), __FILE__, __LINE__, __VA_ARGS__)
#define ZS_RETURN_IF(cond, code, ...)                                                                                  \
    do {                                                                                                               \
        if (cond) return ZS_ERR((code), __VA_ARGS__);                                                                  \
    } while (0)
/* ---- structs that can grow (core/sized.c) ---------------------------------------------
 * ZS_SIZED_IN(&local, given, type) fills `local` with type##_init()'s defaults and copies over
 * it the caller's struct_size bytes of `given` (NULL: the defaults alone), after checking that
 * struct_size lies between the struct's first released size (ZS__MIN_##type) and this library's
 * sizeof; local.struct_size is then this library's. */
#define ZS__END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
/* The first released layout of each struct ends at this field: a caller's struct_size is never
 * smaller. Fields are only appended; these lines never change. */
#define ZS__MIN_zs_open_opts    ZS__END(zs_open_opts, raw_order)
#define ZS__MIN_zs_create_opts  ZS__END(zs_create_opts, pyramid)
#define ZS__MIN_zs_plan_opts    ZS__END(zs_plan_opts, precision)
#define ZS__MIN_zs_exec_opts    ZS__END(zs_exec_opts, drop_cache)
#define ZS__MIN_zs_journal_opts ZS__END(zs_journal_opts, create)
#define ZS__MIN_zs_job_opts     ZS__END(zs_job_opts, record)
#define ZS__MIN_zs_bench_opts   ZS__END(zs_bench_opts, precision)
#define ZS__MIN_zs_preview_opts ZS__END(zs_preview_opts, threads)
/* sized since 0.4: 0.3's layouts are these from the second member on (core/abi_0_3.c) */
#define ZS__MIN_zs_volume_info     ZS__END(zs_volume_info, data_path)
#define ZS__MIN_zs_run_stats       ZS__END(zs_run_stats, note)
#define ZS__MIN_zs_sys_info        ZS__END(zs_sys_info, page_size)
#define ZS__MIN_zs_journal_summary ZS__END(zs_journal_summary, journal)

/* The structs of what is not yet stable (zslab_reduce.h) are not sized that way yet: their size
 * must be this library's. */
#define ZS_CHECK_UNSTABLE(o, name)                                                                                     \
    ZS_RETURN_IF((o)->struct_size != sizeof *(o), ZS_EINVAL,                                                           \
                 "%s: struct_size is %zu, this library's is %zu (not yet stable: build against this library's "        \
                 "zslab_reduce.h)",                                                                                    \
                 (name), (size_t)(o)->struct_size, sizeof *(o))
zs_status zs__sized_in(void *local, size_t local_size, const void *given, size_t min, const char *name);
#define ZS_SIZED_IN(local, given, type)                                                                                \
    (type##_init(local), zs__sized_in((local), sizeof *(local), (given), ZS__MIN_##type, #type))
/* ZS_SIZED_OUT(given, full, type) writes `full` into the caller's struct up to its struct_size, or
 * the first release's fields when struct_size is no size the struct ever had (never
 * initialised), and sets the caller's struct_size to the bytes written. */
void zs__sized_out(void *given, const void *full, size_t full_size, size_t min);
#define ZS_SIZED_OUT(given, full, type) zs__sized_out((given), (full), sizeof *(full), ZS__MIN_##type)
/* 0.3's zs_volume_info, zs_run_stats, zs_sys_info and zs_journal_summary are today's without
 * struct_size: the first release's fields from the second member on. ZS_FROM_0_3 fills `full`
 * from such a struct (defaults first), ZS_TO_0_3 writes one from `full`. ZS_V03(name) gives a
 * definition the plain symbol `name`, which 0.3's header links to (abi_0_3.c, abi_sched_0_3.c). */
void zs__from_0_3(void *full, const void *old, size_t min);
void zs__to_0_3(void *old, const void *full, size_t min);
void zs__volume_info_defaults_0_3(void *info);
#define ZS_FROM_0_3(full, old, type) (type##_init(full), zs__from_0_3((full), (old), ZS__MIN_##type))
#define ZS_TO_0_3(old, full, type)   zs__to_0_3((old), (full), ZS__MIN_##type)
#define ZS_V03(name)                 __asm__(ZS__STR(__USER_LABEL_PREFIX__) #name) ZS_API
/** Propagates a failure; the message stays the detector's. */
#define ZS_FORWARD(expr)                                                                                               \
    do {                                                                                                               \
        zs_status zs__st = (expr);                                                                                     \
        if (zs__st < 0) return zs__st;                                                                                 \
    } while (0)

/* ---- SIMD clones ---------------------------------------------------------------------------
 * Hot loops are compiled for AVX2 (ZS_TARGET_CLONES) or AVX-512 and AVX2 (ZS_TARGET_CLONES_512,
 * for exact operations: min/max, selection networks) besides the baseline, and the dynamic
 * loader picks one (GNU ifunc, glibc on x86-64), so a binary built anywhere runs on older
 * CPUs. The clones perform the same float operations in the same order ("avx2" does not enable
 * FMA and ISO C mode does not contract a*b+c), so results are identical on every machine.
 * -DZS_NO_CLONES builds the baseline only. Put the attribute on the definition only: on a
 * declaration, every caller's object emits its own resolver. */
#if defined(__clang__) && __clang_major__ < 16 && !defined(ZS_NO_CLONES)
/* clang before 16 emits a target_clones function's resolver only in objects that call it, so a
 * clone called from another file is an undefined symbol at link time: baseline code there. */
#define ZS_NO_CLONES 1
#endif
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__has_attribute) && !defined(ZS_NO_CLONES)
#if __has_attribute(target_clones)
#define ZS_TARGET_CLONES     __attribute__((target_clones("avx2", "default")))
#define ZS_TARGET_CLONES_512 __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef ZS_TARGET_CLONES
#define ZS_TARGET_CLONES
#define ZS_TARGET_CLONES_512
#endif

/* ---- overflow-checked arithmetic ----------------------------------------------------- */
static inline bool zs__mul_u64(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_mul_overflow(a, b, r); }
static inline bool zs__add_u64(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_add_overflow(a, b, r); }

/* ---- tracked allocation (64-byte aligned) --------------------------------------------- */
void *zs__alloc(size_t n); /* NULL on failure (no message: the caller names it) */
void *zs__calloc(size_t n);
void zs__free(void *p); /* NULL is a no-op */
uint64_t zs__alloc_current(void);
uint64_t zs__alloc_peak(void);
#define ZS_FREE(p)                                                                                                     \
    do {                                                                                                               \
        zs__free(p);                                                                                                   \
        (p) = NULL;                                                                                                    \
    } while (0)

/* ---- dtype conversion ----------------------------------------------------------------- */
/** dst[i] = slope * value(src[i]) + inter, byte order handled. slope 1 / inter 0 skip the FMA. */
void zs__to_f32(const void *src, zs_dtype dt, size_t n, double slope, double inter, float *dst);
/** dst[i] = convert(src[i]): round half to even, saturate, NaN → 0 for integer dtypes;
 *  written in dt's byte order. */
void zs__from_f32(const float *src, size_t n, zs_dtype dt, void *dst);
/** The same with float64 work buffers (same rounding, saturation and NaN rules). */
void zs__to_f64(const void *src, zs_dtype dt, size_t n, double slope, double inter, double *dst);
void zs__from_f64(const double *src, size_t n, zs_dtype dt, void *dst);
/** Integer work (a plan with no stages, int32/uint32/int64/uint64 input, no scaling): to_ widens
 *  signed input to int64 and unsigned to uint64 (native order); from_ stores exactly, saturating
 *  to integer dtypes, rounding once (to nearest) to float dtypes, nonzero -> 1 for bool. */
void zs__to_i64(const void *src, zs_dtype dt, size_t n, int64_t *dst);
void zs__to_u64(const void *src, zs_dtype dt, size_t n, uint64_t *dst);
void zs__from_i64(const int64_t *src, size_t n, zs_dtype dt, void *dst);
void zs__from_u64(const uint64_t *src, size_t n, zs_dtype dt, void *dst);
/** The largest magnitude up to which every integer is a double: 2^53. */
#define ZS_F64_EXACT 9007199254740992ULL
/** For int64 / uint64 src: the index of the first value beyond +-2^53 (which a double does not
 *  hold exactly), or n when there is none (always n for other dtypes). */
size_t zs__f64_inexact(const void *src, zs_dtype dt, size_t n);
/** Byte-swaps n elements of `size` bytes in place. */
void zs__bswap(void *p, size_t size, size_t n);
/** 1 if this machine is big-endian. */
int zs__host_big_endian(void);

/** Writes the head of a .npy (version 1) of n one-dimensional records (tables: labels, cells):
 *  `fields` is the inside of numpy's descr list ("('x', '<i8'), ('v', '<f8')"); the header is
 *  padded to a multiple of 64 bytes as numpy pads it. @return 0, or -1 (too long, or a write failed). */
int zs__npy_records_head(FILE *f, const char *fields, uint64_t n);
/* 1 when an opened Zarr / HDF5 volume's axes are named by the file (NGFF axes; dimension labels,
 * Imaris, BigDataViewer), so that a reader's array is (z, y, x); 0 when dimension k is axis k. */
int zs__zarr_axes_named(const zs_volume *v);
int zs__hdf5_axes_named(const zs_volume *v);

/* ---- format helpers (the format interface: volume_internal.h) ------------------------ */
/** 1 if `path` ends with one of the space-separated suffixes (ASCII case ignored). */
int zs__name_has_suffix(const char *path, const char *suffixes);

/** Data offset of formats that put the voxels at the end of the data file (MetaImage
 *  HeaderSize = -1, NRRD byte skip: -1): resolved once the data file's size is known. */
#define ZS_OFFSET_FROM_END UINT64_MAX

/** Format of a path from its name, through the registry: a format that claims it (a plane
 *  series: a directory, a glob, a printf pattern, a name ending in '/'), else the format of its
 *  suffix, else the fallback (raw); a refused suffix (.nii.gz) → ZS_EUNSUPPORTED with a message. */
zs_status zs__format_from_name(const char *path, zs_format *out);
/** 1 if path names a plane series rather than a file: ends with '/', holds a glob
 *  character (* ? [) or a printf integer conversion (%d, %04d, %i, %u). */
int zs__series_name(const char *path);
/** 1 if the first bytes are a TIFF or BigTIFF header (II*, MM*, II+, MM+). */
int zs__tiff_magic(const unsigned char *b, size_t n);
/** For detached headers (.mhd, .nhdr): the data file written beside `path` ("x.mhd" →
 *  "x.raw"), into out. */
void zs__detached_data_name(const char *path, char *out, size_t n);
/** Checks that info's data (offset + nbytes) fits in file_size; fills info->nbytes.
 *  Messages name info->path. Shared by all readers. */
zs_status zs__check_fits(zs_volume_info *info, uint64_t file_size, uint64_t header_bytes);
/* 1 when an axis has length 0: the volume holds no voxels (a valid .npy or raw file). */
static inline int zs__volume_empty(const zs_volume_info *i)
{
    return i->shape[0] == 0 || i->shape[1] == 0 || i->shape[2] == 0 || i->shape[3] == 0;
}

/* ---- text headers (text_header.c): MetaImage and NRRD ----------------------------------- */
/** One line of a text header: [b, e) without the line end, trimmed of spaces and '\r'. */
typedef struct zs_text_line {
    const char *b, *e;
    size_t next;  /* offset of the next line in the buffer */
    int complete; /* the line ended with '\n' within the buffer */
} zs_text_line;
/** The line starting at buf[at]; 0 at the end of the buffer. */
int zs__text_line(const unsigned char *buf, size_t n, size_t at, zs_text_line *l);
/** Splits "key<sep>value" at the first sep (trimmed); 0 if there is no sep. */
int zs__text_split(const zs_text_line *l, const char *sep, zs_text_line *key, zs_text_line *value);
/** 1 if [b,e) equals s, ignoring ASCII case. */
int zs__text_is(const zs_text_line *t, const char *s);
/** 1 if the n bytes at a equal the string b, ignoring case (tolower). */
int zs__text_ieq(const char *a, size_t n, const char *b);
/** 1 if [b,e) holds no control character (NUL included): usable as a file name. */
int zs__text_printable(const zs_text_line *t);
/** Parses up to max numbers separated by spaces (or commas); nan allowed when allow_nan.
 *  @return how many were read, or -1 on a malformed number. */
int zs__text_numbers(const zs_text_line *t, double *v, int max, int allow_nan);
/** The file `name` as seen from the header at `header_path` (relative names are beside it). */
void zs__text_sibling(const char *header_path, const char *name, size_t name_len, char *out, size_t n);
/** The last component of a path. */
const char *zs__text_basename(const char *path);
/** Normalises a length unit ("micron", "\\u00B5m", "µm", "&#181;m" → "um"; "pixel" → "").
 *  @return 1 if the unit is a known length (um, nm, mm, cm, m), 0 otherwise (out holds it
 *  verbatim, truncated). */
int zs__unit_normalize(const char *u, size_t n, char out[16]);
/** Micrometres per unit of a normalised unit ("um" 1, "mm" 1000, ...); 0 when unknown. */
double zs__unit_um(const char *unit);

/** Voxel sizes that are not finite and positive (inf, NaN, 0, negative: from any file's
 *  metadata or a caller's spec) are no voxel size: 1, and no unit (so that sizes in physical
 *  units are refused, as for NIfTI, NRRD and MetaImage headers). Every opened and created
 *  volume's info goes through it, so that no writer is given a size it cannot write. */
void zs__voxel_normalize(zs_volume_info *info);

/* ---- volume handle -------------------------------------------------------------------- */
typedef enum zs_mode { ZS_MODE_R = 0, ZS_MODE_RW, ZS_MODE_COW, ZS_MODE_CREATE } zs_mode;

/** What a format holds to decode planes, beyond the planes it returns (zs_volume_io.decode_cost). */
typedef struct zs_decode_cost {
    uint64_t worker; /* bytes each reading worker holds: a decoded chunk, a chunk file's bytes, a cached layer */
    uint64_t shared; /* bytes held once for all workers (libhdf5's chunk caches, its one decoded chunk) */
    char unit[112];  /* what they are made of, for messages: "chunks of 32x1024x1024 uint16 (z, y, x)" */
} zs_decode_cost;

/** The identity (st_dev, st_ino) of a claimed file or directory. */
typedef struct zs_file_id {
    uint64_t dev, ino;
} zs_file_id;

/** Byte offset in the file of plane z of volume t (overflow checked by open). */
static inline uint64_t zs__plane_offset(const zs_volume_info *i, int64_t t, int64_t z)
{
    uint64_t plane = (uint64_t)i->shape[0] * (uint64_t)i->shape[1] * zs_dtype_size(i->dtype);
    return i->offset + ((uint64_t)t * (uint64_t)i->shape[2] + (uint64_t)z) * plane;
}

/* ---- volume I/O: the one door to a volume's bytes (volume_io.c) ------------------------
 * The scheduler, the journal and the preview go through these, never through fd, io or an
 * offset. Rows [y0,y1) of planes [z0,z1) of volume t travel in the volume's dtype and byte
 * order, x fastest, the planes' rows one after the other. Workers call them concurrently for
 * disjoint planes. */
/** 1 when the volume's rows can be viewed in place: one Fortran-order byte range in a file, or
 *  a caller's buffer in F order (zs_volume.mem, whose views are the buffer itself). */
int zs__volume_maps(const zs_volume *v);
/** 1 when v is a caller's F-order buffer: the scheduler views it under any engine (no copy and
 *  no system call: its voxels are read and written where they lie). */
int zs__volume_is_buffer(const zs_volume *v);
/** A view: rows mapped in place (zero-copy). */
typedef struct zs_view {
    void *data;    /* the first byte of the rows */
    void *base;    /* the mapping (owner: the view) */
    size_t length; /* its length */
} zs_view;
/** Maps rows [y0,y1) of planes [z0,z1): whole planes, or part of one plane, so that they are
 *  one range; for writing when `write` (the volume must be writable, or copy-on-write: a private
 *  mapping then). ZS_EUNSUPPORTED when the
 *  volume does not map (zs__volume_maps). A file that shrinks under a view faults: touch it
 *  under zs__call_guarded. Release with zs__volume_unview. */
zs_status zs__volume_view(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1, int write,
                          zs_view *out);
void zs__volume_unview(zs_view *view);
/** A window: whole planes [z0,z1) of volume t mapped for many requests (an engine keeps it across a
 *  run). Not populated (pages fault in as they are touched); read ahead asked for (MADV_WILLNEED)
 *  when not `write`. Touch it under zs__call_guarded; release with zs__volume_unview. */
zs_status zs__volume_window(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int write, zs_view *out);
/** Reads rows [y0,y1) of planes [z0,z1) of volume t into dst: pread, gathered (C order) or
 *  decoded by the format. */
zs_status zs__volume_read(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1, void *dst);
/** Writes rows [y0,y1) of planes [z0,z1) of volume t from src; formats that encode planes take
 *  whole planes only (zs_volume_writes_whole_planes). */
zs_status zs__volume_write(zs_volume *v, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1, const void *src);
/** Makes planes [z0,z1) of volume t durable (a ranged data sync). */
zs_status zs__volume_sync(const zs_volume *v, int64_t t, int64_t z0, int64_t z1);
/** Drops planes [z0,z1) of volume t from the page cache, flushing them first when `flush`
 *  (an optimisation: no error; a volume without pages of its own does nothing). */
void zs__volume_drop(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int flush);
/** What reading `planes` planes at a time through the format costs beyond those planes (the
 *  format's decode_cost; all zero for volumes read as they lie). */
void zs__volume_decode_cost(const zs_volume *v, int64_t planes, zs_decode_cost *out);
/** Tells the kernel that planes [z0,z1) of volume t will be read soon (readahead). */
void zs__volume_willneed(const zs_volume *v, int64_t t, int64_t z0, int64_t z1);
/** fsync of the volume's files (a created output, before other processes open it). */
zs_status zs__volume_flush(const zs_volume *v);
/** Hands a created volume the run's stop flag (borrowed: it must outlive the commit): work the
 *  commit does (a pyramid's levels) stops with ZS_ECANCELED once it is set non-zero. */
void zs__volume_set_stop(zs_volume *v, volatile int *stop);
/** 1 when this process holds the claim of the created volume (its partial files are ours). */
int zs__volume_claimed(const zs_volume *v);
/** Holds the volume's claim shared (journal parts write one output together; a plain run needs
 *  it exclusively): 0, or the errno of flock (EWOULDBLOCK: another run holds it, with nonblock). */
int zs__volume_share(const zs_volume *v, int nonblock);
/** What the files of a volume add up to: count, bytes, the newest modification time, and a
 *  hash of every file's real path, size and modification time (zs_volume_files_stamp). */
typedef struct zs_files_sum {
    int64_t count;
    uint64_t bytes;
    int64_t newest_sec;
    long newest_nsec;
    uint64_t hash;
} zs_files_sum;
zs_status zs__volume_files_sum(const zs_volume *v, zs_files_sum *out);
/** The same for the volume `info` describes (a plan's input): its path and data file, or, when
 *  its format lists files itself (a plane series), the files of the volume opened again. */
zs_status zs__info_files_sum(const zs_volume_info *info, zs_files_sum *out);
/** 1 when v was created by this process (zs_volume_create), not opened. */
int zs__volume_created(const zs_volume *v);
/** 1 when v was opened read-only (mode r): its views are for reading; a copy-on-write volume's
 *  (mode c) are private mappings that may be written. */
int zs__volume_read_only(const zs_volume *v);

/** Copies planes between a strided array and an F-order buffer `f` (nx*ny*h elements of es
 *  bytes, x fastest). `base` is voxel (0,0,0) of the strided planes, stride[] the byte steps along
 *  x, y, z; to_f 1 gathers into f, 0 scatters f back (slab.c: C-order files, memory volumes). */
void zs__strided_copy(unsigned char *base, const int64_t stride[3], int64_t nx, int64_t ny, int64_t h, size_t es,
                      unsigned char *f, int to_f);

/* ---- memory mapping helpers --------------------------------------------------------- */
/** Maps [offset, offset+len) of fd with the offset aligned down to the page size.
 *  *base / *maplen receive what must be passed to munmap; @return the pointer to offset. */
/** Writes s as a JSON string literal (quotes, backslashes and control characters escaped, bytes
 *  that are not UTF-8 as \ufffd): the one JSON string writer (zs_json_quote for callers). */
void zs__json_string(FILE *f, const char *s);

zs_status zs__map_range(int fd, const char *path, uint64_t offset, uint64_t len, zs_mode mode, void **base,
                        size_t *maplen, void **ptr);

/* ---- whole transfers (transfer.c) ----------------------------------------------------------
 * The one loop that retries read/pread and write/pwrite after EINTR and short transfers. */
/** Moves n bytes between buf and fd at offset off (pread / pwrite), or at the file position when
 *  off < 0 (read / write). Stops early, with no error, at the end of the file (a read returns 0),
 *  when a write makes no progress, or, when align > 1 (O_DIRECT), after a short transfer that
 *  leaves the offset unaligned. @return 0, or the errno of the call that failed; *done: the bytes
 *  moved (n when the transfer is whole). */
int zs__read_full(int fd, void *buf, size_t n, int64_t off, size_t align, size_t *done);
int zs__write_full(int fd, const void *buf, size_t n, int64_t off, size_t align, size_t *done);
/** Exactly n bytes at off, or an error naming path and the offset where the transfer stopped: "read
 *  failed at offset N: strerror" (ZS_EIO), "the file ends at offset N, before the data it describes
 *  (truncated?)" (ZS_EFORMAT); "write failed at offset N: strerror", "write made no progress". */
zs_status zs__pread_full(int fd, const char *path, void *buf, size_t n, uint64_t off);
zs_status zs__pwrite_full(int fd, const char *path, const void *buf, size_t n, uint64_t off);

/* ---- opening inputs (regular_file.c) ---------------------------------------------------- */
/** Opens an input that must be a regular file (flags: O_RDONLY or O_RDWR) without blocking on a
 *  FIFO: anything else is refused, "PATH: not a regular file (a FIFO)". On an error the message
 *  names path and errno is open(2)'s (ENOENT for a missing file; 0 when the file is not regular).
 *  *fd_out: the caller closes it; *st_out (when not NULL): its fstat. */
struct stat;
zs_status zs__open_regular(const char *path, int flags, int *fd_out, struct stat *st_out);
/** "a FIFO", "a directory", ...: what a st_mode that is not a regular file is. */
const char *zs__file_kind(unsigned mode);

/* ---- the page cache (pagecache.c) ----------------------------------------------------- */
/** The fraction of [off, off + len) of path in the page cache, from 64 windows of 64 pages spread
 *  over it (constant cost at any size); -1 when it cannot be told (no such file, the range past
 *  its end). Sets no error. */
double zs__residency_sampled(const char *path, uint64_t off, uint64_t len);

/* ---- claims of outputs (claim.c) --------------------------------------------------------
 * Every file or directory a run writes as a partial output (OUT.partial, a plane's NAME.partial,
 * a journal's OUT.partial) is claimed here: created new, or taken over only when it is what a
 * killed run of this user leaves (never a symbolic link), and renamed into place only while its
 * name still holds what was claimed. */
/** Checks that the existing `path` (a partial output of `final`) may be taken over: a regular
 *  file with one name (dir: a directory) owned by this user, not a symbolic link; ZS_EEXIST
 *  naming `final` and `path` and saying why not. `id` (may be NULL) receives its identity. */
zs_status zs__partial_check(const char *path, const char *final, int dir, zs_file_id *id);
/** The identity of what `path` names (lstat; a symbolic link is an error): a claim just made. */
zs_status zs__path_id(const char *path, zs_file_id *id);
/** What a volume created at path with these options (NULL: defaults) for spec holds per worker
 *  besides the slab (zs_format_ops.worker_bytes); 0 for a format that holds nothing more. */
uint64_t zs__path_write_worker_bytes(const char *path, const zs_create_opts *opts, const zs_volume_info *spec);
/** The identity of an open file (fstat). */
zs_status zs__file_id(int fd, const char *path, zs_file_id *id);
/** Claims an output file for this run: creates `file` (O_EXCL, O_NOFOLLOW) or takes over an
 *  existing one that passes zs__partial_check, takes an exclusive lock held as long as the fd
 *  stays open, then truncates it. Another run's claim is refused with an error naming `final`
 *  and `file`. */
zs_status zs__claim_file(const char *file, const char *final, int *fd_out);
/** Creates the directory `dir` (*made = 1), or takes over an existing one that passes
 *  zs__partial_check; `id` receives its identity. */
zs_status zs__claim_dir(const char *dir, const char *final, int *made, zs_file_id *id);
/** Renames a finished file (or directory) into place once `from` is checked to be the claimed
 *  `id` (not a link, not swapped since); without `replace`, never over a file that appeared
 *  since (an error naming both). */
zs_status zs__rename_into_place(const char *from, const char *to, int replace, const zs_file_id *id);
/** 1 when `path` names the claimed `id` (not a link; an id of zeros claims nothing). */
int zs__is_claimed(const char *path, const zs_file_id *id);
/** Removes the file `path` only when it is the claimed `id`: a name planted or swapped in since
 *  stays as it is. */
void zs__remove_claimed(const char *path, const zs_file_id *id);

/* ---- parallel slabs (parallel.c) ---------------------------------------------------------
 * The one OpenMP region of work outside a plan (pattern fill, previews): run(arg, i, worker) for
 * every i in [0, n), on zs__slab_loop_workers() workers numbered from 0 (scratch indexed by
 * worker needs no lock), claimed one at a time. */
typedef struct zs_slab_loop {
    int64_t n;   /* items */
    int threads; /* workers wanted; <= 0: zs_sys_threads() (ZS_THREADS checked first) */
    int bind;    /* 1: worker k is bound to the k-th allowed core, as the executor binds its workers */
    zs_status (*run)(void *arg, int64_t i, int worker);
    void *arg;
} zs_slab_loop;
/** The workers zs__slab_loop_run starts: the threads wanted, at most n (at least 1). */
int zs__slab_loop_workers(const zs_slab_loop *l);
/** Runs the loop. The first error is kept, with its message (this thread's last error on
 *  return), and cancels the items not yet started; a worker never leaves an item mid-way.
 *  @return ZS_OK or that error. */
zs_status zs__slab_loop_run(const zs_slab_loop *l);

/* ---- system facts (topology.c) ------------------------------------------------------------ */
/** An error when ZS_THREADS is set but is not a thread count; callers that take their thread
 *  count from the environment check it first, so that a typo is not ignored. */
zs_status zs__check_env_threads(void);
typedef struct zs_topology_facts {
    int cores;       /* cores this process may use */
    int pus;         /* hardware threads this process may use */
    uint64_t l2, l3; /* bytes per core / shared (0 unknown) */
    int numa_nodes;
} zs_topology_facts;
void zs__topology_facts(zs_topology_facts *f);
/** Binds the calling thread to the i-th allowed core (no-op without hwloc). */
void zs__topology_bind_thread(int i);

/* ---- direct I/O (volume_direct.c) ----------------------------------------------------
 * O_DIRECT reads and writes of a volume that is one Fortran-order byte range in a file, for the
 * direct engine. A request is rows [y0,y1) of one plane, or whole planes [z0,z1): one byte
 * range. Its bytes sit in the caller's buffer `abuf` (aligned: zs__dio_aligned) from byte
 * zs__dio_place() on; the buffer holds zs__dio_buffer_bytes(len) bytes from its unaligned start. */
typedef struct zs_dio zs_dio;
/** 1 when v is one Fortran-order byte range in a file, the volumes direct I/O can take. */
int zs__dio_possible(const zs_volume *v);
/** Opens v's file again with O_DIRECT. ZS_EUNSUPPORTED (with a message naming the file) when v is
 *  not one byte range in a file or its file system refuses O_DIRECT: the caller falls back. */
zs_status zs__dio_open(const zs_volume *v, int write, zs_dio **out);
void zs__dio_close(zs_dio *d);
size_t zs__dio_align(const zs_dio *d);
/** The file the messages name (borrowed from the volume). */
const char *zs__dio_path(const zs_dio *d);
/** Where in an aligned buffer the bytes of the request starting at row y0 of plane z0 go. */
size_t zs__dio_place(const zs_dio *d, int64_t t, int64_t z0, int64_t y0);
/** Bytes to allocate for requests of up to len bytes (alignment slack included). */
size_t zs__dio_buffer_bytes(const zs_dio *d, size_t len);
/** The first aligned byte of a buffer allocated with zs__dio_buffer_bytes. */
unsigned char *zs__dio_aligned(const zs_dio *d, void *buf);
/** Reads the aligned superset of the rows into abuf; *data points at the requested bytes. */
zs_status zs__dio_read(const zs_dio *d, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1, unsigned char *abuf,
                       const unsigned char **data);
/** The part of a request that goes to the O_DIRECT descriptor, for a caller that issues it itself
 *  (the uring engine): reads, the aligned superset; writes, the aligned middle (len 0: none). */
typedef struct zs_dio_span {
    int fd;       /* the O_DIRECT descriptor (borrowed from the zs_dio) */
    uint64_t off; /* aligned file offset */
    size_t len;   /* aligned length */
    size_t at;    /* where in the aligned buffer they start */
    size_t need;  /* reads: the bytes that must come for the request to be whole */
} zs_dio_span;
zs_status zs__dio_span(const zs_dio *d, int write, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1,
                       zs_dio_span *out);
/** Writes the unaligned head and tail of the rows placed in abuf (all of them when there is no
 *  aligned middle) through the volume's ordinary descriptor. */
zs_status zs__dio_write_edges(const zs_dio *d, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1,
                              const unsigned char *abuf);
/** Writes the rows placed in abuf: the aligned middle directly, an unaligned head and tail through
 *  the volume's ordinary descriptor (synced with the volume). */
zs_status zs__dio_write(const zs_dio *d, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1,
                        const unsigned char *abuf);

/* ---- faults on mapped files (fault.c) ------------------------------------------------ */
/** Test hook: a crash in a third-party decoder (libhdf5 on a corrupt file). With
 *  ZS_TEST_CRASH_ON=NAME[@WHEN], raises SIGSEGV when `path`'s file name is NAME and `when` is
 *  WHEN ("open", the default: zs_volume_open; "run": zs_job_execute; "preview":
 *  zs_preview_make). */
void zs__test_crash_on(const char *path, const char *when);
/** Calls fn(arg) with SIGBUS on this thread turned into a return of 1 (fn abandoned mid-way:
 *  it must hold no lock or allocation of its own); 0 when fn returned. */
int zs__call_guarded(void (*fn)(void *), void *arg);
/** The error for a fault while `what` ("read", "write") went through v's mapping: names the
 *  file and, when it shrank, its size at open and now (volume_io.c). */
zs_status zs__fault_error(const zs_volume *v, const char *what);
/** An error naming v's data file when it is now shorter than at open (truncated under a run;
 *  volume_io.c). */
zs_status zs__volume_check_size(const zs_volume *v);

/* ---- describe functions (describe.c) --------------------------------------------------- */
/** Runs print(obj, flags, f) into memory and copies the text into buf as snprintf would.
 *  @return the length of the whole text (0 when out of memory). */
size_t zs__describe(void (*print)(const void *obj, int flags, FILE *f), const void *obj, int flags, char *buf,
                    size_t n);
/** Copies len bytes of text into buf (n bytes), truncated and NUL-terminated; buf may be NULL when n is 0. */
void zs__copy_text(const char *text, size_t len, char *buf, size_t n);
/** The printers behind zs_volume_info_describe (volume.c). */
void zs__volume_info_print_json(const zs_volume_info *info, FILE *f);
void zs__volume_info_print(const zs_volume_info *info, FILE *f);

#endif /* ZS_INTERNAL_H */
