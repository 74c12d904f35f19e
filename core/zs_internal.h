/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Internals shared across folders: error macros, the volume handle, the format interface,
 * tracked allocation and dtype conversion. Not installed. */
#ifndef ZS_INTERNAL_H
#define ZS_INTERNAL_H

#include "zslab.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>

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

#define ZS_ERR(code, ...) zs__error((code), __FILE__, __LINE__, __VA_ARGS__)
#define ZS_ERR_SYS(code, err, ...) zs__error_sys((code), (err), __FILE__, __LINE__, __VA_ARGS__)
#define ZS_RETURN_IF(cond, code, ...)                                                        \
    do {                                                                                   \
        if (cond) return ZS_ERR((code), __VA_ARGS__);                                      \
    } while (0)
/** Propagates a failure; the message stays the detector's. */
#define ZS_FORWARD(expr)                                                                   \
    do {                                                                                   \
        zs_status zs__st = (expr);                                                         \
        if (zs__st < 0) return zs__st;                                                     \
    } while (0)

/* ---- overflow-checked arithmetic ----------------------------------------------------- */
static inline bool zs__mul_u64(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_mul_overflow(a, b, r); }
static inline bool zs__add_u64(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_add_overflow(a, b, r); }

/* ---- tracked allocation (64-byte aligned) --------------------------------------------- */
void *zs__alloc(size_t n);          /* NULL on failure (no message: the caller names it) */
void *zs__calloc(size_t n);
void zs__free(void *p);             /* NULL is a no-op */
uint64_t zs__alloc_current(void);
uint64_t zs__alloc_peak(void);
#define ZS_FREE(p) do { zs__free(p); (p) = NULL; } while (0)

/* ---- dtype conversion ----------------------------------------------------------------- */
/** dst[i] = slope * value(src[i]) + inter, byte order handled. slope 1 / inter 0 skip the FMA. */
void zs__to_f32(const void *src, zs_dtype dt, size_t n, double slope, double inter, float *dst);
/** dst[i] = convert(src[i]): round half to even, saturate, NaN → 0 for integer dtypes;
 *  written in dt's byte order. */
void zs__from_f32(const float *src, size_t n, zs_dtype dt, void *dst);
/** Byte-swaps n elements of `size` bytes in place. */
void zs__bswap(void *p, size_t size, size_t n);
/** 1 if this machine is big-endian. */
int zs__host_big_endian(void);

/* ---- formats: one file each (fmt_npy.c, fmt_nifti.c, fmt_raw.c) ------------------------ */
/** Largest header a reader accepts (npy v2/v3 may announce up to 4 GiB). */
#define ZS_MAX_HEADER (1u << 20)

typedef struct zs_format_ops {
    zs_format format;
    const char *name;   /* "npy", "nifti1", "nifti2", "raw" */
    /** Parses a header held in buf[0..n) (the first n bytes of the file; n may be shorter
     *  than the header if the file is short). file_size is the whole file's size. Fills
     *  info (path already set), checks the data fits in the file. Pure: no I/O, so it can
     *  be fuzzed. */
    zs_status (*parse)(const unsigned char *buf, size_t n, uint64_t file_size, zs_volume_info *info);
    /** Serialises a header for spec (shape, ndim, dtype, voxel, scaling) into buf (capacity
     *  cap); sets spec->offset, order, format, version. @return header bytes or an error. */
    int64_t (*write_header)(zs_volume_info *spec, unsigned char *buf, size_t cap);
} zs_format_ops;

extern const zs_format_ops zs__fmt_npy;
extern const zs_format_ops zs__fmt_nifti1;  /* reads NIfTI-1 and NIfTI-2; writes NIfTI-1 */
extern const zs_format_ops zs__fmt_nifti2;  /* writes NIfTI-2 */
extern const zs_format_ops zs__fmt_raw;     /* write_header: no header, offset 0 */

/** Format of a path from its name: .npy, .nii (.nii.gz → ZS_EUNSUPPORTED with a message). */
zs_status zs__format_from_name(const char *path, zs_format *out);
/** Checks that info's data (offset + nbytes) fits in file_size; fills info->nbytes.
 *  Messages name info->path. Shared by all readers. */
zs_status zs__check_fits(zs_volume_info *info, uint64_t file_size, uint64_t header_bytes);

/* ---- volume handle -------------------------------------------------------------------- */
typedef enum zs_mode { ZS_MODE_R = 0, ZS_MODE_RW, ZS_MODE_COW, ZS_MODE_CREATE } zs_mode;

struct zs_volume {
    zs_volume_info info;          /* the plain descriptor (read-only after open) */
    int fd;
    zs_mode mode;
    uint64_t file_size;
    char final_path[ZS_PATH_MAX]; /* create: path after commit; info.path is the .partial */
    int committed;                /* create: renamed into place */
};

/** Byte offset in the file of plane z of volume t (overflow checked by open). */
static inline uint64_t zs__plane_offset(const zs_volume_info *i, int64_t t, int64_t z)
{
    uint64_t plane = (uint64_t)i->shape[0] * (uint64_t)i->shape[1] * zs_dtype_size(i->dtype);
    return i->offset + ((uint64_t)t * (uint64_t)i->shape[2] + (uint64_t)z) * plane;
}

/* ---- memory mapping helpers --------------------------------------------------------- */
/** Maps [offset, offset+len) of fd with the offset aligned down to the page size.
 *  *base / *maplen receive what must be passed to munmap; @return the pointer to offset. */
zs_status zs__map_range(int fd, const char *path, uint64_t offset, uint64_t len, zs_mode mode,
                        void **base, size_t *maplen, void **ptr);

#endif /* ZS_INTERNAL_H */
