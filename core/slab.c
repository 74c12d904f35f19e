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
 * so the volume functions (volume_io.c) gather them from a mapping of the span from the first
 * row's plane lo to the last row's plane hi-1 into the mapping's F-order buffer; in mode r+ the
 * buffer is scattered back on unmap. Volumes that are not one byte range (compressed TIFF pages,
 * plane series) are read into such a buffer by their format, and a created one's is written on
 * unmap. The F-order path above stays a plain mmap (a view). zs_slab_map never touches a
 * volume's insides: everything goes through zs__volume_view, _read and _write. */
#include "zs_internal.h"

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

/* A slab's planes through the volume functions (volume_io.c): viewed in place when the volume is
 * one Fortran-order byte range or a caller's F-order buffer (a copy-on-write volume: a private
 * mapping), else read into a buffer of the mapping's own (decoded, or gathered from a C-order
 * file) and, for a volume open for writing, written back by zs_slab_unmap. A created volume whose
 * planes are encoded starts from zeros: nothing is on disk yet. */
zs_status zs_slab_map(const zs_volume *v, const zs_slab *s, zs_mapping *out)
{
    const zs_volume_info *i = zs_volume_get_info(v);
    memset(out, 0, sizeof *out);
    ZS_RETURN_IF(s->lo < 0 || s->hi > i->shape[2] || s->lo >= s->hi || s->t < 0 || s->t >= i->shape[3], ZS_EINVAL,
                 "%s: slab planes [%lld,%lld) of volume %lld are outside the volume", i->path, (long long)s->lo,
                 (long long)s->hi, (long long)s->t);
    uint64_t plane;
    ZS_FORWARD(zs_volume_info_sizes(i, &plane, NULL, NULL));
    const uint64_t bytes = (uint64_t)(s->hi - s->lo) * plane;
    out->lo = s->lo;
    out->hi = s->hi;
    out->vol = v;
    out->t = s->t;
    out->writable = !zs__volume_read_only(v);
    if (zs__volume_maps(v)) {
        zs_view view;
        ZS_FORWARD(zs__volume_view(v, s->t, s->lo, s->hi, 0, i->shape[1], out->writable, &view));
        out->data = view.data, out->map_base = view.base, out->map_length = view.length;
        return ZS_OK;
    }
    const int fresh = zs__volume_created(v) && zs_volume_writes_whole_planes(v);
    out->gather = fresh ? zs__calloc((size_t)bytes) : zs__alloc((size_t)bytes);
    ZS_RETURN_IF(!out->gather, ZS_ENOMEM, "%s: out of memory for %llu bytes of planes", i->path,
                 (unsigned long long)bytes);
    out->data = out->gather;
    const zs_status st = fresh ? ZS_OK : zs__volume_read(v, s->t, s->lo, s->hi, 0, i->shape[1], out->gather);
    if (st < 0) {
        ZS_FREE(out->gather);
        memset(out, 0, sizeof *out);
    }
    return st;
}

zs_status zs_slab_unmap(zs_mapping *m)
{
    zs_status st = ZS_OK;
    /* a buffer of planes goes back to a volume open for writing; to an encoding format only when
     * created (its planes are written once) */
    const zs_volume *v = m->vol;
    if (m->gather && v && zs_volume_writable(v) && (zs__volume_created(v) || !zs_volume_writes_whole_planes(v)))
        st = zs__volume_write((zs_volume *)(uintptr_t)v, m->t, m->lo, m->hi, 0, zs_volume_get_info(v)->shape[1],
                              m->gather);
    zs_view view = {m->data, m->map_base, m->map_length};
    zs__volume_unview(&view);
    ZS_FREE(m->gather);
    memset(m, 0, sizeof *m);
    return st;
}
