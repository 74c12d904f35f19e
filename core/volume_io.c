/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Volume I/O: the one door to a volume's bytes for the scheduler, the journal and the preview.
 *
 * A request names rows [y0, y1) of planes [z0, z1) of volume t; the bytes travel in the
 * volume's dtype and byte order, x fastest, the planes' rows one after the other. How they get
 * there is the volume's business:
 *  - one byte range in Fortran order (.npy, .nii, raw, MetaImage, NRRD, an uncompressed TIFF
 *    stack): pread / pwrite at the planes' offsets, or a view (a mapping of the rows in place,
 *    zero-copy) when the caller prefers; ranged sync and page-cache drops at those offsets;
 *  - Fortran order it is not (a C-order .npy): planes are gathered from a mapping of their span;
 *  - planes decoded or encoded by the format (v->io: compressed TIFF, plane series, and
 *    chunked formats to come): its read_planes / write_planes, its sync and drop when it has
 *    them;
 *  - a caller's buffer (volume_memory.c), which has no file: in F order without gaps (v->mem)
 *    its views are the buffer itself and reads and writes copy rows to and from it; in any other
 *    layout it is one more set of hooks, gathered and scattered by planes with the strided copy
 *    C-order files use. It has no fd: nothing to sync, drop or read ahead. */
#include "volume_internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* One Fortran-order byte range in a file: mapped, pread and pwritten at the planes' offsets. */
static int file_range(const zs_volume *v)
{
    return !v->io && !v->mem && v->fd >= 0 && v->info.order == ZS_ORDER_F && !v->info.decoded;
}

int zs__volume_maps(const zs_volume *v) { return v && (v->mem || file_range(v)); }

int zs__volume_is_buffer(const zs_volume *v) { return v && v->mem; }

static size_t row_bytes(const zs_volume_info *i) { return (size_t)i->shape[0] * zs_dtype_size(i->dtype); }

static uint64_t rows_offset(const zs_volume_info *i, int64_t t, int64_t z, int64_t y)
{
    return zs__plane_offset(i, t, z) + (uint64_t)y * row_bytes(i);
}

static zs_status check_rows(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1)
{
    const zs_volume_info *i = &v->info;
    ZS_RETURN_IF(t < 0 || t >= i->shape[3] || z0 < 0 || z1 > i->shape[2] || z0 >= z1 || y0 < 0 || y1 > i->shape[1] ||
                     y0 >= y1,
                 ZS_EINVAL, "%s: rows [%lld,%lld) of planes [%lld,%lld) of volume %lld are outside the volume", i->path,
                 (long long)y0, (long long)y1, (long long)z0, (long long)z1, (long long)t);
    return ZS_OK;
}

zs_status zs__volume_view(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1, int write,
                          zs_view *out)
{
    memset(out, 0, sizeof *out);
    ZS_FORWARD(check_rows(v, t, z0, z1, y0, y1));
    ZS_RETURN_IF(!zs__volume_maps(v), ZS_EUNSUPPORTED, "%s: its voxels are not one byte range: they cannot be mapped",
                 v->info.path);
    const int whole = y0 == 0 && y1 == v->info.shape[1];
    ZS_RETURN_IF(!whole && z1 - z0 > 1, ZS_EINVAL, "%s: a view of part of the rows holds one plane", v->info.path);
    ZS_RETURN_IF(write && v->mode == ZS_MODE_R, ZS_EINVAL, "%s: not open for writing", v->info.path);
    if (v->mem) { /* the caller's buffer: nothing to map or release */
        out->data = v->mem + rows_offset(&v->info, t, z0, y0);
        return ZS_OK;
    }
    const uint64_t len = (uint64_t)(z1 - z0) * (uint64_t)(y1 - y0) * row_bytes(&v->info);
    return zs__map_range(v->fd, v->info.path, rows_offset(&v->info, t, z0, y0), len, write ? v->mode : ZS_MODE_R,
                         &out->base, &out->length, &out->data);
}

zs_status zs__volume_window(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int write, zs_view *out)
{
    memset(out, 0, sizeof *out);
    ZS_FORWARD(check_rows(v, t, z0, z1, 0, v->info.shape[1]));
    ZS_RETURN_IF(!zs__volume_maps(v), ZS_EUNSUPPORTED, "%s: its voxels are not one byte range: they cannot be mapped",
                 v->info.path);
    ZS_RETURN_IF(write && !zs_volume_writable(v), ZS_EINVAL, "%s: not open for writing", v->info.path);
    const uint64_t off = rows_offset(&v->info, t, z0, 0);
    if (v->mem) {
        out->data = v->mem + off;
        return ZS_OK;
    }
    const uint64_t page = zs_sys_page_size(), start = off - off % page;
    const uint64_t n = (uint64_t)(z1 - z0) * (uint64_t)v->info.shape[1] * row_bytes(&v->info) + (off - start);
    ZS_RETURN_IF(n > SIZE_MAX, ZS_EOVERFLOW, "%s: a window of %llu bytes does not fit the address space", v->info.path,
                 (unsigned long long)n);
    void *b = mmap(NULL, (size_t)n, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, v->fd, (off_t)start);
    if (b == MAP_FAILED)
        return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot map %llu bytes at offset %llu", v->info.path,
                          (unsigned long long)n, (unsigned long long)start);
    if (!write) (void)madvise(b, (size_t)n, MADV_WILLNEED); /* read ahead, without waiting for it */
    out->base = b;
    out->length = (size_t)n;
    out->data = (unsigned char *)b + (off - start);
    return ZS_OK;
}

void zs__volume_unview(zs_view *view)
{
    if (view->base) munmap(view->base, view->length);
    memset(view, 0, sizeof *view);
}

static zs_status pread_all(const zs_volume *v, void *buf, size_t n, uint64_t off)
{
    size_t done;
    const int e = zs__read_full(v->fd, buf, n, (int64_t)off, 1, &done);
    const unsigned long long at = (unsigned long long)(off + done);
    if (e) return ZS_ERR_SYS(ZS_EIO, e, "%s: read failed at offset %llu", v->info.path, at);
    if (done < n && zs__volume_check_size(v) < 0) return ZS_EIO; /* "changed size during the run" */
    ZS_RETURN_IF(done < n, ZS_EFORMAT, "%s: file ended at offset %llu (truncated while in use?)", v->info.path, at);
    return ZS_OK;
}

/* Rows of a caller's F-order buffer (v->mem) copied out of it into buf (`out`), or from buf into
 * it: the staging path of a volume whose views are free (the scheduler views it instead). */
static zs_status mem_rows(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1,
                          unsigned char *buf, int out)
{
    const size_t nrow = (size_t)(y1 - y0) * row_bytes(&v->info);
    const int whole = y0 == 0 && y1 == v->info.shape[1];
    for (int64_t z = z0; z < z1; z += whole ? z1 - z0 : 1) {
        unsigned char *m = v->mem + rows_offset(&v->info, t, z, y0), *b = buf + (size_t)(z - z0) * nrow;
        const size_t n = whole ? (size_t)(z1 - z0) * nrow : nrow;
        out ? memcpy(b, m, n) : memcpy(m, b, n);
    }
    return ZS_OK;
}

/* C order: voxel (x,y,z,t) at (((x*ny + y)*nz + z)*nt + t) elements (nt = 1 for a 3-D array).
 * Copies planes [lo,hi) of volume t to or from an F-order buffer; `span` points at element
 * (0,0,lo,t). */
static void c_order_copy(const zs_volume_info *i, unsigned char *span, int64_t lo, int64_t hi, unsigned char *f,
                         int to_f)
{
    const int64_t ny = i->shape[1], nz = i->shape[2], nt = i->shape[3], es = (int64_t)zs_dtype_size(i->dtype);
    const int64_t stride[3] = {ny * nz * nt * es, nz * nt * es, nt * es};
    zs__strided_copy(span, stride, i->shape[0], ny, hi - lo, (size_t)es, f, to_f);
}

typedef struct gather_job {
    const zs_volume_info *i;
    unsigned char *span;
    int64_t lo, hi;
    unsigned char *f;
} gather_job;

static void gather(void *arg)
{
    const gather_job *g = arg;
    c_order_copy(g->i, g->span, g->lo, g->hi, g->f, 1);
}

static void scatter(void *arg)
{
    const gather_job *g = arg;
    c_order_copy(g->i, g->span, g->lo, g->hi, g->f, 0);
}

/* The byte offset of element (0,0,lo,t) of a C-order volume, and the bytes from there to
 * element (nx-1,ny-1,hi-1,t) inclusive. */
static void c_order_span(const zs_volume_info *i, int64_t t, int64_t lo, int64_t hi, uint64_t *first, uint64_t *span)
{
    const uint64_t es = zs_dtype_size(i->dtype), rows = (uint64_t)i->shape[0] * (uint64_t)i->shape[1];
    const uint64_t nz = (uint64_t)i->shape[2], nt = (uint64_t)i->shape[3];
    *first = i->offset + ((uint64_t)lo * nt + (uint64_t)t) * es;
    *span = (((rows - 1) * nz + (uint64_t)(hi - 1 - lo)) * nt + 1) * es;
}

/* Gathers planes [z0,z1) of a C-order volume t into an F-order buffer, or (write) scatters the
 * buffer into them, through a mapping of their span (a file that shrinks under it is reported,
 * not a crash). */
static zs_status move_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, unsigned char *buf, int write)
{
    const zs_volume_info *i = &v->info;
    uint64_t first, span;
    c_order_span(i, t, z0, z1, &first, &span);
    void *base = NULL, *ptr = NULL;
    size_t maplen = 0;
    ZS_FORWARD(zs__map_range(v->fd, i->path, first, span, write ? ZS_MODE_RW : ZS_MODE_R, &base, &maplen, &ptr));
    gather_job g = {i, ptr, z0, z1, buf};
    const int faulted = zs__call_guarded(write ? scatter : gather, &g);
    munmap(base, maplen);
    return faulted ? zs__fault_error(v, write ? "write" : "read") : ZS_OK; /* the file shrank under us */
}

/* Whole planes of a volume that is not one Fortran-order byte range. */
static zs_status read_whole_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, void *dst)
{
    if (v->io) {
        ZS_RETURN_IF(!v->io->read_planes, ZS_EUNSUPPORTED, "%s: is being written: its planes cannot be read back",
                     v->info.path);
        return v->io->read_planes(v, t, z0, z1, dst);
    }
    return move_planes(v, t, z0, z1, dst, 0);
}

zs_status zs__volume_read(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1, void *dst)
{
    ZS_FORWARD(check_rows(v, t, z0, z1, y0, y1));
    const zs_volume_info *i = &v->info;
    const size_t rb = row_bytes(i), nrow = (size_t)(y1 - y0) * rb, plane = (size_t)i->shape[1] * rb;
    const int whole = y0 == 0 && y1 == i->shape[1];
    if (v->io || i->order != ZS_ORDER_F) {
        if (whole) return read_whole_planes(v, t, z0, z1, dst);
        /* part of the rows of planes that come whole: one plane at a time through a buffer (the
         * planner reads such volumes by whole planes, so this is not the fast path) */
        unsigned char *tmp = zs__alloc(plane);
        ZS_RETURN_IF(!tmp, ZS_ENOMEM, "%s: out of memory for a plane", i->path);
        zs_status st = ZS_OK;
        for (int64_t z = z0; z < z1 && st == ZS_OK; z++) {
            st = read_whole_planes(v, t, z, z + 1, tmp);
            if (st == ZS_OK) memcpy((unsigned char *)dst + (size_t)(z - z0) * nrow, tmp + (size_t)y0 * rb, nrow);
        }
        zs__free(tmp);
        return st;
    }
    if (v->mem) return mem_rows(v, t, z0, z1, y0, y1, dst, 1);
    if (whole) return pread_all(v, dst, (size_t)(z1 - z0) * plane, rows_offset(i, t, z0, 0));
    for (int64_t z = z0; z < z1; z++)
        ZS_FORWARD(pread_all(v, (unsigned char *)dst + (size_t)(z - z0) * nrow, nrow, rows_offset(i, t, z, y0)));
    return ZS_OK;
}

zs_status zs__volume_write(zs_volume *v, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1, const void *src)
{
    ZS_FORWARD(check_rows(v, t, z0, z1, y0, y1));
    const zs_volume_info *i = &v->info;
    ZS_RETURN_IF(!zs_volume_writable(v), ZS_EINVAL, "%s: not open for writing", i->path);
    const size_t rb = row_bytes(i), nrow = (size_t)(y1 - y0) * rb, plane = (size_t)i->shape[1] * rb;
    const int whole = y0 == 0 && y1 == i->shape[1];
    if (v->io) {
        ZS_RETURN_IF(!v->io->write_planes || !whole, ZS_EUNSUPPORTED,
                     "%s: this format encodes whole planes: rows cannot be written on their own", i->path);
        return v->io->write_planes(v, t, z0, z1, src);
    }
    if (i->order != ZS_ORDER_F) {
        ZS_RETURN_IF(!whole, ZS_EUNSUPPORTED, "%s: a C-order volume's rows are written by whole planes", i->path);
        return move_planes(v, t, z0, z1, (unsigned char *)(uintptr_t)src, 1);
    }
    if (v->mem) return mem_rows(v, t, z0, z1, y0, y1, (void *)(uintptr_t)src, 0);
    if (whole) return zs__pwrite_full(v->fd, i->path, src, (size_t)(z1 - z0) * plane, rows_offset(i, t, z0, 0));
    for (int64_t z = z0; z < z1; z++)
        ZS_FORWARD(zs__pwrite_full(v->fd, i->path, (const unsigned char *)src + (size_t)(z - z0) * nrow, nrow,
                                   rows_offset(i, t, z, y0)));
    return ZS_OK;
}

/* The byte range in the file of planes [z0, z1) of volume t, when the volume is one. */
static int planes_range(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, uint64_t *off, uint64_t *len)
{
    if (!file_range(v) || z0 >= z1) return 0;
    *off = zs__plane_offset(&v->info, t, z0);
    *len = (uint64_t)(z1 - z0) * (uint64_t)v->info.shape[1] * row_bytes(&v->info);
    return *len > 0;
}

/* A ranged data sync: msync(MS_SYNC) of a shared mapping of the range is vfs_fsync_range on
 * Linux (the only ranged data-integrity sync it has), whether the bytes were stored through a
 * mapping or with pwrite. */
zs_status zs__volume_sync(const zs_volume *v, int64_t t, int64_t z0, int64_t z1)
{
    if (v->io) return v->io->sync ? v->io->sync(v, t, z0, z1) : ZS_OK;
    uint64_t off, len;
    if (!planes_range(v, t, z0, z1, &off, &len)) return ZS_OK;
    void *base, *ptr;
    size_t n;
    ZS_FORWARD(zs__map_range(v->fd, v->info.path, off, len, ZS_MODE_RW, &base, &n, &ptr));
    int e = msync(base, n, MS_SYNC) == 0 ? 0 : errno;
    munmap(base, n);
    if (e)
        return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: cannot flush %llu bytes at offset %llu to disk",
                          v->info.path, (unsigned long long)len, (unsigned long long)off);
    return ZS_OK;
}

void zs__volume_drop(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int flush)
{
    if (v->io) {
        if (v->io->drop) v->io->drop(v, t, z0, z1, flush);
        return;
    }
    uint64_t off, len;
    if (!planes_range(v, t, z0, z1, &off, &len)) return;
    if (flush)
        (void)sync_file_range(v->fd, (off_t)off, (off_t)len,
                              SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    (void)posix_fadvise(v->fd, (off_t)off, (off_t)len, POSIX_FADV_DONTNEED);
}

void zs__volume_decode_cost(const zs_volume *v, int64_t planes, zs_decode_cost *out)
{
    memset(out, 0, sizeof *out);
    if (v->io && v->io->decode_cost) v->io->decode_cost(v, planes, out);
}

void zs__volume_willneed(const zs_volume *v, int64_t t, int64_t z0, int64_t z1)
{
    uint64_t off, len;
    if (!v->io && planes_range(v, t, z0, z1, &off, &len))
        (void)posix_fadvise(v->fd, (off_t)off, (off_t)len, POSIX_FADV_WILLNEED);
}

zs_status zs__volume_flush(const zs_volume *v)
{
    if (v->io) return v->io->sync ? v->io->sync(v, 0, 0, v->info.shape[2]) : ZS_OK;
    if (v->fd >= 0 && fsync(v->fd) != 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot sync", v->info.path);
    if (v->claim_fd >= 0 && v->claim_fd != v->fd && fsync(v->claim_fd) != 0)
        return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot sync", v->info.path);
    return ZS_OK;
}

int zs__volume_share(const zs_volume *v, int nonblock)
{
    const int fd = v->claim_fd >= 0 ? v->claim_fd : v->fd;
    if (fd < 0) return 0;
    return flock(fd, LOCK_SH | (nonblock ? LOCK_NB : 0)) == 0 ? 0 : errno;
}

int zs__volume_claimed(const zs_volume *v) { return v && v->claimed; }

/* A file that shrank under a run: named with its size at open and now. */
zs_status zs__fault_error(const zs_volume *v, const char *what)
{
    struct stat st;
    const char *path = v->info.data_path[0] ? v->info.data_path : v->info.path;
    if (v->fd >= 0 && fstat(v->fd, &st) == 0 && (uint64_t)st.st_size < v->file_size)
        return ZS_ERR(ZS_EIO, "%s: changed size during the run (%llu bytes at open, %llu now): a %s failed", path,
                      (unsigned long long)v->file_size, (unsigned long long)st.st_size, what);
    return ZS_ERR(ZS_EIO,
                  "%s: a %s through its mapping failed (bus error: the file changed under the run, or its "
                  "storage failed)",
                  path, what);
}

zs_status zs__volume_check_size(const zs_volume *v)
{
    struct stat st;
    if (!v || v->fd < 0 || v->file_size == 0) return ZS_OK;
    const char *path = v->info.data_path[0] ? v->info.data_path : v->info.path;
    if (fstat(v->fd, &st) != 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot stat", path);
    ZS_RETURN_IF((uint64_t)st.st_size < v->file_size, ZS_EIO,
                 "%s: changed size during the run (%llu bytes at open, %llu now)", path,
                 (unsigned long long)v->file_size, (unsigned long long)st.st_size);
    return ZS_OK;
}

int zs__volume_created(const zs_volume *v) { return v && v->mode == ZS_MODE_CREATE; }

int zs__volume_read_only(const zs_volume *v) { return !v || v->mode == ZS_MODE_R; }
