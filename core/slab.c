/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Slabs (virtual sources) and their mappings (as_real).
 *
 * A slab names planes [lo,hi) of volume t. In Fortran order those planes are one byte range
 * [offset + (t*nz + lo)*P, offset + (t*nz + hi)*P) with P = nx*ny*itemsize; the mapping
 * starts at that offset aligned down to the page size (numpy's memmap does the same), so it
 * covers the slab's bytes plus less than one page before them. In C order an (x,y) row holds
 * the z values of the volume contiguously (in a 4-D array, every nt-th element: t is the
 * fastest axis, numpy's default layout): the planes [lo,hi) are spread over the whole array,
 * so the mapping covers the span from the first row's plane lo to the last row's plane hi-1 and
 * gathers the voxels into an F-order buffer; in mode r+ the buffer is scattered back on unmap.
 * Volumes that are not one byte range (compressed TIFF pages, plane series) have format hooks
 * (zs_volume_io): the mapping is a buffer that read_planes fills and, for a created volume,
 * write_planes stores on unmap. The F-order path above stays a plain mmap. */
#include "volume_internal.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

size_t zs_sys_page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

zs_status zs__map_range(int fd, const char *path, uint64_t offset, uint64_t len, zs_mode mode, void **base,
                        size_t *maplen, void **ptr)
{
    uint64_t page = zs_sys_page_size();
    uint64_t start = offset - offset % page;
    uint64_t n = len + (offset - start);
    ZS_RETURN_IF(len == 0, ZS_EINVAL, "%s: empty mapping requested", path);
    ZS_RETURN_IF(n > SIZE_MAX, ZS_EOVERFLOW, "%s: mapping of %llu bytes does not fit the address space", path,
                 (unsigned long long)n);
    int prot = mode == ZS_MODE_R ? PROT_READ : PROT_READ | PROT_WRITE;
    /* Read-only windows are populated in one call: the kernel maps the pages in batches
     * instead of taking one fault per page (measured: fewer faults and less system time). */
    int flags = mode == ZS_MODE_COW ? MAP_PRIVATE : mode == ZS_MODE_R ? MAP_SHARED | MAP_POPULATE : MAP_SHARED;
    void *b = mmap(NULL, (size_t)n, prot, flags, fd, (off_t)start);
    if (b == MAP_FAILED)
        return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot map %llu bytes at offset %llu", path,
                          (unsigned long long)n, (unsigned long long)start);
    if (mode == ZS_MODE_R) (void)madvise(b, (size_t)n, MADV_SEQUENTIAL);
    *base = b;
    *maplen = (size_t)n;
    *ptr = (unsigned char *)b + (offset - start);
    return ZS_OK;
}

zs_status zs_slab_make(const zs_volume_info *given, int64_t t, int64_t z0, int64_t z1, int64_t halo, zs_slab *out)
{
    zs_volume_info local;
    ZS_FORWARD(ZS_SIZED_IN(&local, given, zs_volume_info));
    const zs_volume_info *info = &local;
    const int64_t nz = info->shape[2];
    ZS_RETURN_IF(t < 0 || t >= info->shape[3], ZS_EINVAL, "%s: volume %lld of a series of %lld", info->path,
                 (long long)t, (long long)info->shape[3]);
    ZS_RETURN_IF(z0 < 0 || z1 > nz || z0 >= z1, ZS_EINVAL, "%s: slab [%lld,%lld) outside planes [0,%lld)", info->path,
                 (long long)z0, (long long)z1, (long long)nz);
    ZS_RETURN_IF(halo < 0, ZS_EINVAL, "%s: negative halo %lld", info->path, (long long)halo);
    out->t = t;
    out->z0 = z0;
    out->z1 = z1;
    out->lo = z0 - halo > 0 ? z0 - halo : 0;
    out->hi = nz - z1 > halo ? z1 + halo : nz;
    return ZS_OK;
}

/* One element of es bytes (1, 2, 4 or 8: fixed-size copies the compiler inlines). */
static inline void copy_elem(unsigned char *d, const unsigned char *s, size_t es)
{
    switch (es) {
    case 1:
        *d = *s;
        break;
    case 2:
        memcpy(d, s, 2);
        break;
    case 4:
        memcpy(d, s, 4);
        break;
    default:
        memcpy(d, s, 8);
        break;
    }
}

/* The innermost loop runs along x or z, whichever the strided side steps through more closely
 * (z for a C-order file, whose rows hold z contiguously; x for an array in x-fastest layout). */
void zs__strided_copy(unsigned char *base, const int64_t stride[3], int64_t nx, int64_t ny, int64_t h, size_t es,
                      unsigned char *f, int to_f)
{
    const int64_t sx = stride[0], sy = stride[1], sz = stride[2];
    const int z_inner = (sz < 0 ? -sz : sz) < (sx < 0 ? -sx : sx);
    const size_t fz = (size_t)(nx * ny) * es, fy = (size_t)nx * es;
    if (z_inner) {
        for (int64_t x = 0; x < nx; x++)
            for (int64_t y = 0; y < ny; y++) {
                unsigned char *row = base + x * sx + y * sy, *fv = f + (size_t)y * fy + (size_t)x * es;
                for (int64_t z = 0; z < h; z++, row += sz, fv += fz)
                    to_f ? copy_elem(fv, row, es) : copy_elem(row, fv, es);
            }
        return;
    }
    for (int64_t z = 0; z < h; z++)
        for (int64_t y = 0; y < ny; y++) {
            unsigned char *row = base + z * sz + y * sy, *fv = f + (size_t)z * fz + (size_t)y * fy;
            for (int64_t x = 0; x < nx; x++, row += sx, fv += es)
                to_f ? copy_elem(fv, row, es) : copy_elem(row, fv, es);
        }
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

/* The byte offset of element (0,0,lo,t) of a C-order volume, and the bytes from there to
 * element (nx-1,ny-1,hi-1,t) inclusive. */
static void c_order_span(const zs_volume_info *i, int64_t t, int64_t lo, int64_t hi, uint64_t *first, uint64_t *span)
{
    const uint64_t es = zs_dtype_size(i->dtype), rows = (uint64_t)i->shape[0] * (uint64_t)i->shape[1];
    const uint64_t nz = (uint64_t)i->shape[2], nt = (uint64_t)i->shape[3];
    *first = i->offset + ((uint64_t)lo * nt + (uint64_t)t) * es;
    *span = (((rows - 1) * nz + (uint64_t)(hi - 1 - lo)) * nt + 1) * es;
}

zs_status zs__gather_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, void *dst)
{
    const zs_volume_info *i = &v->info;
    uint64_t first, span;
    c_order_span(i, t, z0, z1, &first, &span);
    void *base = NULL, *ptr = NULL;
    size_t maplen = 0;
    ZS_FORWARD(zs__map_range(v->fd, i->path, first, span, ZS_MODE_R, &base, &maplen, &ptr));
    gather_job g = {i, ptr, z0, z1, dst};
    const int faulted = zs__call_guarded(gather, &g);
    munmap(base, maplen);
    return faulted ? zs__fault_error(v, "read") : ZS_OK; /* the file shrank under us */
}

/* Volumes whose planes are decoded by their format: the mapping is a buffer filled through
 * read_planes (a created volume starts from zeros: nothing is on disk yet). */
static zs_status map_decoded(const zs_volume *v, const zs_slab *s, size_t bytes, zs_mapping *out)
{
    const int created = v->mode == ZS_MODE_CREATE;
    out->gather = created ? zs__calloc(bytes) : zs__alloc(bytes);
    ZS_RETURN_IF(!out->gather, ZS_ENOMEM, "%s: out of memory for %zu bytes of decoded planes", v->info.path, bytes);
    out->data = out->gather;
    if (created) return ZS_OK;
    zs_status st = v->io->read_planes(v, s->t, s->lo, s->hi, out->gather);
    if (st < 0) ZS_FREE(out->gather);
    return st;
}

zs_status zs_slab_map(const zs_volume *v, const zs_slab *s, zs_mapping *out)
{
    const zs_volume_info *i = &v->info;
    memset(out, 0, sizeof *out);
    ZS_RETURN_IF(s->lo < 0 || s->hi > i->shape[2] || s->lo >= s->hi || s->t < 0 || s->t >= i->shape[3], ZS_EINVAL,
                 "%s: slab planes [%lld,%lld) of volume %lld are outside the volume", i->path, (long long)s->lo,
                 (long long)s->hi, (long long)s->t);
    uint64_t plane;
    ZS_FORWARD(zs_volume_info_sizes(i, &plane, NULL, NULL));
    const uint64_t h = (uint64_t)(s->hi - s->lo);
    out->lo = s->lo;
    out->hi = s->hi;
    out->vol = v;
    out->t = s->t;
    out->writable = v->mode != ZS_MODE_R;
    if (v->io) return map_decoded(v, s, (size_t)(h * plane), out);
    void *ptr;
    if (v->mem) { /* a caller's buffer in F order (volume_memory.c): the planes themselves */
        out->data = v->mem + zs__plane_offset(i, s->t, s->lo);
        return ZS_OK;
    }
    if (i->order == ZS_ORDER_F) {
        ZS_FORWARD(zs__map_range(v->fd, i->path, zs__plane_offset(i, s->t, s->lo), h * plane, v->mode, &out->map_base,
                                 &out->map_length, &ptr));
        out->data = ptr;
        return ZS_OK;
    }
    uint64_t first, span;
    c_order_span(i, s->t, s->lo, s->hi, &first, &span);
    out->gather = zs__alloc((size_t)(h * plane));
    ZS_RETURN_IF(!out->gather, ZS_ENOMEM, "%s: out of memory for a %llu-byte C-order gather", i->path,
                 (unsigned long long)(h * plane));
    zs_status st = zs__map_range(v->fd, i->path, first, span, v->mode, &out->map_base, &out->map_length, &ptr);
    if (st < 0) {
        ZS_FREE(out->gather);
        return st;
    }
    gather_job g = {i, ptr, s->lo, s->hi, out->gather};
    if (zs__call_guarded(gather, &g)) { /* the file shrank under us */
        munmap(out->map_base, out->map_length);
        ZS_FREE(out->gather);
        memset(out, 0, sizeof *out);
        return zs__fault_error(v, "read");
    }
    out->data = out->gather;
    return ZS_OK;
}

zs_status zs_slab_unmap(zs_mapping *m)
{
    zs_status st = ZS_OK;
    if (m->gather && !m->map_base && m->vol && m->vol->io && m->vol->mode == ZS_MODE_CREATE)
        st = m->vol->io->write_planes(m->vol, m->t, m->lo, m->hi, m->gather);
    if (m->gather && m->map_base && m->vol && m->vol->mode != ZS_MODE_R && m->vol->mode != ZS_MODE_COW) {
        const zs_volume_info *i = &m->vol->info;
        size_t page = zs_sys_page_size();
        uint64_t first, span;
        c_order_span(i, m->t, m->lo, m->hi, &first, &span);
        c_order_copy(i, (unsigned char *)m->map_base + first % page, m->lo, m->hi, m->gather, 0);
    }
    if (m->map_base && munmap(m->map_base, m->map_length) != 0)
        st = ZS_ERR_SYS(ZS_EIO, errno, "%s: munmap failed", m->vol ? m->vol->info.path : "?");
    ZS_FREE(m->gather);
    memset(m, 0, sizeof *m);
    return st;
}
