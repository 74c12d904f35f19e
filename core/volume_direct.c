/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Direct I/O (O_DIRECT) on a volume that is one Fortran-order byte range in a file: the bytes
 * travel between the device and the caller's buffer without the page cache.
 *
 * O_DIRECT wants the file offset, the length and the buffer's address aligned (statx's
 * STATX_DIOALIGN, at least the page size here, so that no page holds both bytes written
 * directly and bytes written through the cache). A volume's rows seldom are: an .npy's data
 * starts at 128, a NIfTI's at 352, and a band's rows start anywhere. So a request is placed in
 * the caller's aligned buffer at its offset modulo the alignment (zs__dio_place):
 *  - a read takes the aligned superset of the range (a short read at the end of the file is
 *    fine as long as the requested bytes came);
 *  - a write sends the aligned middle directly and the unaligned head and tail (less than one
 *    alignment unit each) through the volume's ordinary descriptor, whose pages the next sync
 *    writes back. Bytes of one range are never written both ways, and two ranges that share a
 *    block only share its cached head or tail, so concurrent workers never overwrite each
 *    other's bytes.
 * The descriptor is a second open of the volume's file (through /proc/self/fd, so it is the same
 * file even when its name changed), opened once per run and shared by the workers: pread and
 * pwrite are thread-safe. A file system that refuses O_DIRECT is reported as ZS_EUNSUPPORTED;
 * the scheduler then falls back to pread/pwrite with a note. */
#include "volume_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h> /* statx and its STATX_DIOALIGN (glibc 2.28+ with Linux 6.1+ headers) */
#include <sys/vfs.h>
#include <unistd.h>

struct zs_dio {
    const zs_volume *v;
    int fd;       /* O_DIRECT descriptor (owner: this struct) */
    size_t align; /* offset, length and address alignment */
    const char *path;
};

/* The page size, the device's direct-I/O alignment (statx) and the file system's block size,
 * whichever is largest: a direct write of part of a block would make some file systems (XFS with
 * blocks larger than the page) rewrite the rest of the block, a neighbour's cached bytes. */
static size_t dio_alignment(int fd)
{
    size_t a = (size_t)zs_sys_page_size();
    struct statfs sf;
    if (fstatfs(fd, &sf) == 0 && sf.f_bsize > 0 && sf.f_bsize <= (1 << 20) && (sf.f_bsize & (sf.f_bsize - 1)) == 0 &&
        (size_t)sf.f_bsize > a)
        a = (size_t)sf.f_bsize;
#ifdef STATX_DIOALIGN
    struct statx sx;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN)) {
        if (sx.stx_dio_offset_align > a) a = sx.stx_dio_offset_align;
        if (sx.stx_dio_mem_align > a) a = sx.stx_dio_mem_align;
    }
#endif
    return a;
}

int zs__dio_possible(const zs_volume *v)
{
    return !v->io && !v->mem && v->fd >= 0 && v->info.order == ZS_ORDER_F && !v->info.decoded;
}

zs_status zs__dio_open(const zs_volume *v, int write, zs_dio **out)
{
    *out = NULL;
    const char *path = v->info.data_path[0] ? v->info.data_path : v->info.path;
    ZS_RETURN_IF(!zs__dio_possible(v), ZS_EUNSUPPORTED,
                 "%s: direct I/O needs a volume that is one byte range in a file (this one is %s)", path,
                 v->mem                        ? "in memory"
                 : v->info.order != ZS_ORDER_F ? "in C order"
                                               : "read or written by its format: compressed, chunked or a series");
    ZS_RETURN_IF(write && !zs_volume_writable(v), ZS_EINVAL, "%s: not open for writing", path);
    const char *test = getenv("ZS_TEST_NO_DIRECT"); /* test hook: a file system that refuses O_DIRECT */
    ZS_RETURN_IF(test && test[0] == '1', ZS_EUNSUPPORTED, "%s: its file system refuses direct I/O (O_DIRECT)", path);
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", v->fd);
    const int flags = (write ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC;
    int fd = open(self, flags);
    if (fd < 0 && errno == ENOENT) fd = open(path, flags); /* no /proc */
    if (fd < 0) { /* EINVAL: no O_DIRECT here; others (a /proc that refuses, EACCES): fall back too */
        const int e = errno;
        if (e == EINVAL || e == EOPNOTSUPP)
            return ZS_ERR(ZS_EUNSUPPORTED, "%s: its file system refuses direct I/O (O_DIRECT)", path);
        return ZS_ERR(ZS_EUNSUPPORTED, "%s: cannot open it again for direct I/O (%s)", path, strerror(e));
    }
    zs_dio *d = calloc(1, sizeof *d);
    if (!d) {
        close(fd);
        return ZS_ERR(ZS_ENOMEM, "out of memory");
    }
    d->v = v;
    d->fd = fd;
    d->align = dio_alignment(fd);
    d->path = path;
    *out = d;
    return ZS_OK;
}

void zs__dio_close(zs_dio *d)
{
    if (!d) return;
    close(d->fd);
    free(d);
}

size_t zs__dio_align(const zs_dio *d) { return d->align; }

const char *zs__dio_path(const zs_dio *d) { return d->path; }

/* The byte range of rows [y0,y1) of planes [z0,z1) of volume t: one plane, or whole planes. */
static zs_status dio_range(const zs_dio *d, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1, uint64_t *off,
                           size_t *len)
{
    const zs_volume_info *i = &d->v->info;
    ZS_RETURN_IF(t < 0 || t >= i->shape[3] || z0 < 0 || z1 > i->shape[2] || z0 >= z1 || y0 < 0 || y1 > i->shape[1] ||
                     y0 >= y1 || (z1 - z0 > 1 && (y0 != 0 || y1 != i->shape[1])),
                 ZS_EINVAL, "%s: rows [%lld,%lld) of planes [%lld,%lld) are not one byte range of the volume", d->path,
                 (long long)y0, (long long)y1, (long long)z0, (long long)z1);
    const size_t row = (size_t)i->shape[0] * zs_dtype_size(i->dtype);
    *off = zs__plane_offset(i, t, z0) + (uint64_t)y0 * row;
    *len = (size_t)(z1 - z0) * (size_t)(y1 - y0) * row;
    return ZS_OK;
}

size_t zs__dio_place(const zs_dio *d, int64_t t, int64_t z0, int64_t y0)
{
    const zs_volume_info *i = &d->v->info;
    const uint64_t off = zs__plane_offset(i, t, z0) + (uint64_t)y0 * (uint64_t)i->shape[0] * zs_dtype_size(i->dtype);
    return (size_t)(off % d->align);
}

size_t zs__dio_buffer_bytes(const zs_dio *d, size_t len) { return len + 3 * d->align; }

unsigned char *zs__dio_aligned(const zs_dio *d, void *buf)
{
    const uintptr_t a = (uintptr_t)d->align, p = (uintptr_t)buf;
    return (unsigned char *)((p + a - 1) / a * a);
}

zs_status zs__dio_span(const zs_dio *d, int write, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1,
                       zs_dio_span *out)
{
    uint64_t off = 0;
    size_t len = 0;
    ZS_FORWARD(dio_range(d, t, z0, z1, y0, y1, &off, &len));
    const size_t A = d->align, head = (size_t)(off % A);
    const uint64_t end = off + len;
    out->fd = d->fd;
    out->need = head + len;
    if (!write) { /* the aligned superset */
        out->off = off - head;
        out->at = 0;
        out->len = (size_t)((end - out->off + A - 1) / A * A);
        return ZS_OK;
    }
    const uint64_t a = (off + A - 1) / A * A, b = end / A * A; /* the aligned middle */
    out->off = a;
    out->at = head + (size_t)(a - off);
    out->len = a < b ? (size_t)(b - a) : 0;
    return ZS_OK;
}

zs_status zs__dio_read(const zs_dio *d, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1, unsigned char *abuf,
                       const unsigned char **data)
{
    zs_dio_span sp;
    ZS_FORWARD(zs__dio_span(d, 0, t, z0, z1, y0, y1, &sp));
    size_t got;
    /* stops at a short read that leaves the offset unaligned: the last block, or a file that shrank */
    const int e = zs__read_full(d->fd, abuf, sp.len, (int64_t)sp.off, d->align, &got);
    if (e)
        return ZS_ERR_SYS(ZS_EIO, e, "%s: direct read failed at offset %llu", d->path,
                          (unsigned long long)(sp.off + got));
    if (got < sp.need) {
        ZS_FORWARD(zs__volume_check_size(d->v)); /* "changed size during the run" */
        return ZS_ERR(ZS_EFORMAT, "%s: file ended at offset %llu (truncated while in use?)", d->path,
                      (unsigned long long)(sp.off + got));
    }
    *data = abuf + zs__dio_place(d, t, z0, y0);
    return ZS_OK;
}

static zs_status write_all(const zs_dio *d, int fd, const unsigned char *b, size_t n, uint64_t off)
{
    size_t done;
    const int e = zs__write_full(fd, b, n, (int64_t)off, 1, &done);
    if (e)
        return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: %swrite failed at offset %llu", d->path,
                          fd == d->fd ? "direct " : "", (unsigned long long)(off + done));
    ZS_RETURN_IF(done < n, ZS_EIO, "%s: write made no progress at offset %llu", d->path,
                 (unsigned long long)(off + done));
    return ZS_OK;
}

zs_status zs__dio_write_edges(const zs_dio *d, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1,
                              const unsigned char *abuf)
{
    uint64_t off = 0;
    size_t len = 0;
    zs_dio_span sp;
    ZS_FORWARD(dio_range(d, t, z0, z1, y0, y1, &off, &len));
    ZS_FORWARD(zs__dio_span(d, 1, t, z0, z1, y0, y1, &sp));
    const unsigned char *data = abuf + (off % d->align); /* zs__dio_place put the bytes here */
    if (sp.len == 0)                                     /* within one or two blocks: no aligned middle */
        return write_all(d, d->v->fd, data, len, off);
    if (sp.off > off) ZS_FORWARD(write_all(d, d->v->fd, data, (size_t)(sp.off - off), off));
    const uint64_t b = sp.off + sp.len, end = off + len;
    if (end > b) ZS_FORWARD(write_all(d, d->v->fd, data + (b - off), (size_t)(end - b), b));
    return ZS_OK;
}

zs_status zs__dio_write(const zs_dio *d, int64_t t, int64_t z0, int64_t z1, int64_t y0, int64_t y1,
                        const unsigned char *abuf)
{
    zs_dio_span sp;
    ZS_FORWARD(zs__dio_span(d, 1, t, z0, z1, y0, y1, &sp));
    ZS_FORWARD(zs__dio_write_edges(d, t, z0, z1, y0, y1, abuf));
    /* a short direct write would leave the rest unaligned: finish such a rest through the cache */
    const unsigned char *mid = abuf + sp.at;
    size_t done;
    const int e = zs__write_full(d->fd, mid, sp.len, (int64_t)sp.off, d->align, &done);
    if (e)
        return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: direct write failed at offset %llu", d->path,
                          (unsigned long long)(sp.off + done));
    ZS_RETURN_IF(done < sp.len && (sp.off + done) % d->align == 0, ZS_EIO, "%s: write made no progress at offset %llu",
                 d->path, (unsigned long long)(sp.off + done));
    if (done < sp.len) ZS_FORWARD(write_all(d, d->v->fd, mid + done, sp.len - done, sp.off + done));
    return ZS_OK;
}
