/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Memory volumes: a caller's buffer (a numpy array) as an input or output volume.
 *
 * A memory volume is one more entry of the format registry (zs__fmt_memory, never listed nor
 * matched against a name) and the scheduler reaches it through the volume functions
 * (volume_io.c) like any file. A buffer in zslab's own layout (F order, x fastest, no gaps) gets
 * v->mem: its views (zs__volume_view) are the buffer itself, so workers convert its rows where
 * they lie and store into it in place, as they would through a file mapping, and nothing is
 * copied. Any other layout (C order, a strided view) is a volume whose planes are read and
 * written through format hooks (zs_volume_io), as compressed TIFF pages are: a worker gathers
 * whole planes into its buffer and scatters output planes back, with the same strided copy that
 * gathers C-order files (zs__strided_copy in slab.c). The buffer is borrowed: no fd, nothing to
 * sync or drop, no files. */
#include "volume_internal.h"

#include <stdlib.h>
#include <string.h>

/* The first fields of every version of zs_memory_desc, up to `name`: a caller must give them. */
#define DESC_V1_SIZE (offsetof(zs_memory_desc, name) + sizeof(const char *))

typedef struct mem_state {
    unsigned char *base; /* voxel (0,0,0,0) */
    int64_t stride[4];   /* bytes along x, y, z, t */
} mem_state;

static zs_status mem_read_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, void *dst)
{
    const mem_state *m = v->fmt_state;
    const zs_volume_info *i = &v->info;
    zs__strided_copy(m->base + t * m->stride[3] + z0 * m->stride[2], m->stride, i->shape[0], i->shape[1], z1 - z0,
                     zs_dtype_size(i->dtype), dst, 1);
    return ZS_OK;
}

static zs_status mem_write_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, const void *src)
{
    const mem_state *m = v->fmt_state;
    const zs_volume_info *i = &v->info;
    /* to_f 0 only reads the F-order side */
    zs__strided_copy(m->base + t * m->stride[3] + z0 * m->stride[2], m->stride, i->shape[0], i->shape[1], z1 - z0,
                     zs_dtype_size(i->dtype), (unsigned char *)(uintptr_t)src, 0);
    return ZS_OK;
}

static void mem_close(zs_volume *v)
{
    free(v->fmt_state);
    v->fmt_state = NULL;
}

static const zs_volume_io mem_io = {
    .read_planes = mem_read_planes,
    .write_planes = mem_write_planes,
    .close = mem_close,
};

/* A caller's buffer is no file. */
static const char *mem_file(const zs_volume *v, int64_t i)
{
    (void)v, (void)i;
    return NULL;
}

const zs_format_ops zs__fmt_memory = {
    .desc = {ZS_FMT_MEMORY, "memory", "", "a caller's buffer (zs_volume_wrap): in place in F order, else by planes",
             ZS_FORMAT_MAPPED | ZS_FORMAT_DECODED | ZS_FORMAT_EMPTY, ""},
    .file = mem_file,
};

/* The next stride after an axis of `len` voxels. Only an empty volume (a length 0 elsewhere, so
 * its byte count fits whatever the other lengths) can overflow here; it never steps, and its
 * remaining strides become 0. */
static int64_t next_step(int64_t step, int64_t len)
{
    int64_t r;
    return __builtin_mul_overflow(step, len ? len : 1, &r) ? 0 : r;
}

/* Strides for a contiguous buffer in `order` (C: the last of the ndim axes fastest). */
static void contiguous_strides(const int64_t shape[4], int ndim, zs_order order, int64_t es, int64_t st[4])
{
    int64_t step = es;
    for (int k = 0; k < 4; k++) st[k] = 0;
    if (order == ZS_ORDER_F) {
        for (int k = 0; k < ndim; k++) st[k] = step, step = next_step(step, shape[k]);
    } else {
        for (int k = ndim - 1; k >= 0; k--) st[k] = step, step = next_step(step, shape[k]);
    }
}

static const char *axis_name(int k) { return k == 0 ? "x" : k == 1 ? "y" : k == 2 ? "z" : "t"; }

/* Every voxel lies in [data, data + nbytes): the lowest and highest byte any index reaches. */
static zs_status check_extent(const zs_memory_desc *d, const zs_volume_info *i, const int64_t st[4], int64_t es)
{
    const char *name = i->path;
    int64_t lo = d->offset, hi = d->offset;
    for (int k = 0; k < 4; k++) {
        int64_t reach;
        if (__builtin_mul_overflow(i->shape[k] - 1, st[k], &reach) ||
            __builtin_add_overflow(reach < 0 ? lo : hi, reach, reach < 0 ? &lo : &hi))
            return ZS_ERR(ZS_EOVERFLOW, "%s: the stride along %s (%lld bytes) reaches past 64-bit offsets", name,
                          axis_name(k), (long long)st[k]);
    }
    ZS_RETURN_IF(__builtin_add_overflow(hi, es, &hi), ZS_EOVERFLOW, "%s: byte offsets overflow", name);
    ZS_RETURN_IF(lo < 0, ZS_EINVAL, "%s: voxels reach %lld bytes before the start of the buffer (offset %lld)", name,
                 (long long)-lo, (long long)d->offset);
    ZS_RETURN_IF((uint64_t)hi > (uint64_t)d->nbytes, ZS_EINVAL,
                 "%s: the buffer holds %zu bytes but its voxels reach byte %lld (buffer too small for shape "
                 "%lldx%lldx%lldx%lld of %s)",
                 name, d->nbytes, (long long)hi, (long long)d->shape[0], (long long)d->shape[1], (long long)d->shape[2],
                 (long long)d->shape[3], zs_dtype_name(d->dtype));
    return ZS_OK;
}

/* A writable volume's voxels must be distinct: ordered by step, each axis must step over all of
 * the faster ones. A sufficient test (numpy's own layouts all pass it). */
static zs_status check_no_overlap(const zs_volume_info *i, const int64_t st[4], int64_t es)
{
    const char *name = i->path;
    int ax[4], n = 0;
    for (int k = 0; k < 4; k++)
        if (i->shape[k] > 1) ax[n++] = k;
    for (int a = 1; a < n; a++) /* insertion sort by |stride| */
        for (int b = a; b > 0 && llabs(st[ax[b]]) < llabs(st[ax[b - 1]]); b--) {
            int tmp = ax[b];
            ax[b] = ax[b - 1], ax[b - 1] = tmp;
        }
    int64_t span = es; /* bytes covered by the axes taken so far */
    for (int a = 0; a < n; a++) {
        const int64_t s = llabs(st[ax[a]]);
        ZS_RETURN_IF(s < span, ZS_EINVAL,
                     "%s: voxels overlap (the stride along %s, %lld bytes, is less than the %lld bytes the faster "
                     "axes span): an overlapping buffer cannot be written",
                     name, axis_name(ax[a]), (long long)st[ax[a]], (long long)span);
        if (__builtin_mul_overflow(s, i->shape[ax[a]], &span)) span = INT64_MAX;
    }
    return ZS_OK;
}

/* Checks the descriptor's size, rank, dtype, order and lengths. */
static zs_status check_desc(const zs_memory_desc *d, const char *name)
{
    ZS_RETURN_IF(d->size < DESC_V1_SIZE, ZS_EINVAL,
                 "%s: memory descriptor of %zu bytes (size not set? fill it with zs_memory_desc_init)", name, d->size);
    ZS_RETURN_IF(d->size > sizeof *d, ZS_EINVAL,
                 "%s: memory descriptor of %zu bytes, from a newer zslab than this library (%s, %zu bytes)", name,
                 d->size, ZS_VERSION_STRING, sizeof *d);
    ZS_RETURN_IF(d->ndim < 1 || d->ndim > 4, ZS_EINVAL, "%s: ndim %d (give 1 to 4 dimensions: x, y, z, t)", name,
                 d->ndim);
    ZS_RETURN_IF((unsigned)d->dtype.type >= ZS_TYPE_COUNT || (d->dtype.big_endian != 0 && d->dtype.big_endian != 1),
                 ZS_EINVAL, "%s: invalid dtype", name);
    ZS_RETURN_IF(d->order != ZS_ORDER_F && d->order != ZS_ORDER_C, ZS_EINVAL, "%s: invalid order %d", name,
                 (int)d->order);
    for (int k = 0; k < d->ndim; k++)
        ZS_RETURN_IF(d->shape[k] < 0, ZS_EINVAL, "%s: length %lld along %s (must be >= 0)", name,
                     (long long)d->shape[k], axis_name(k));
    return ZS_OK;
}

/* The strides in bytes (zero for axes of length 1), once the shape's byte count is known to fit. */
static zs_status desc_strides(const zs_memory_desc *d, const char *name, int64_t st[4])
{
    const int64_t es = (int64_t)zs_dtype_size(d->dtype);
    int given = 0;
    for (int k = 0; k < d->ndim; k++) given |= d->strides[k] != 0;
    if (!given) contiguous_strides(d->shape, d->ndim, d->order, es, st);
    for (int k = 0; k < 4; k++) {
        if (given) st[k] = k < d->ndim ? d->strides[k] : 0;
        if (k >= d->ndim || d->shape[k] <= 1) st[k] = 0; /* never stepped along */
        ZS_RETURN_IF(st[k] % es != 0, ZS_EINVAL,
                     "%s: the stride along %s is %lld bytes, not a multiple of the %lld-byte element size", name,
                     axis_name(k), (long long)st[k], (long long)es);
    }
    return ZS_OK;
}

zs_status zs_volume_wrap(const zs_memory_desc *d, zs_volume **out)
{
    ZS_RETURN_IF(!out, ZS_EINVAL, "zs_volume_wrap: no place for the volume (out is NULL)");
    *out = NULL;
    ZS_RETURN_IF(!d, ZS_EINVAL, "zs_volume_wrap: no memory descriptor given");
    const char *name = d->size >= DESC_V1_SIZE && d->name && *d->name ? d->name : "memory";
    ZS_FORWARD(check_desc(d, name));
    zs_volume_info info;
    zs_volume_info_init(&info);
    snprintf(info.path, sizeof info.path, "%s", name);
    info.format = ZS_FMT_MEMORY;
    info.ndim = d->ndim;
    for (int k = 0; k < d->ndim; k++) info.shape[k] = d->shape[k];
    info.dtype = d->dtype;
    uint64_t total;
    ZS_FORWARD(zs_volume_info_sizes(&info, NULL, NULL, &total));
    info.nbytes = total;
    int64_t st[4];
    ZS_FORWARD(desc_strides(d, name, st));
    const int64_t es = (int64_t)zs_dtype_size(d->dtype);
    if (total > 0) {
        ZS_RETURN_IF(!d->data, ZS_EINVAL, "%s: no buffer given (data is NULL) for %llu bytes of voxels", name,
                     (unsigned long long)total);
        ZS_RETURN_IF(((uintptr_t)d->data + (uintptr_t)d->offset) % (uintptr_t)es != 0, ZS_EINVAL,
                     "%s: the first voxel is not aligned to its %lld-byte element size", name, (long long)es);
        ZS_FORWARD(check_extent(d, &info, st, es));
        if (d->writable) ZS_FORWARD(check_no_overlap(&info, st, es));
    }
    int64_t f[4];
    contiguous_strides(info.shape, 4, ZS_ORDER_F, es, f);
    int in_place = 1;
    for (int k = 0; k < 4; k++) in_place &= info.shape[k] <= 1 || st[k] == f[k];

    zs_volume *v = calloc(1, sizeof *v);
    ZS_RETURN_IF(!v, ZS_ENOMEM, "%s: out of memory", name);
    v->info = info;
    v->fd = -1;
    v->claim_fd = -1;
    v->ops = &zs__fmt_memory;
    v->mode = d->writable ? ZS_MODE_RW : ZS_MODE_R;
    unsigned char *base = total ? (unsigned char *)d->data + d->offset : NULL;
    if (in_place || total == 0) {
        v->mem = base; /* NULL for an empty volume: a plan of it has no slabs */
    } else {
        mem_state *m = malloc(sizeof *m);
        if (!m) {
            free(v);
            return ZS_ERR(ZS_ENOMEM, "%s: out of memory", name);
        }
        m->base = base;
        memcpy(m->stride, st, sizeof m->stride);
        v->fmt_state = m;
        v->io = &mem_io;
        v->info.decoded = 1;
    }
    *out = v;
    return ZS_OK;
}
