/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The levels of an OME-Zarr pyramid: which axes a level halves (the rule, shared by the writer's
 * shapes and the multiscales' scales), and the folding of a level's layers of chunks into the next
 * level's while level 0 is written, so that no level is ever read back.
 *
 * The rule: level k halves each axis whose voxel (at level k-1) is at most half the coarsest
 * voxel, within a relative 1e-6; when no axis is that fine (isotropic voxels, or a volume without
 * a voxel size, read as 1 x 1 x 1), it halves all three. Axes of extent 1 take no part: they keep
 * their extent and voxel. So 0.5 x 0.5 x 2 um gives 1 x 1 x 2, then 2 x 2 x 2, then 4 x 4 x 4.
 * A halved axis of n voxels has ceil(n / 2); each voxel is the mean of the voxels of the level
 * below it covers (2 x 2 x 2, 2 x 2 x 1, ..., fewer past an odd edge), summed in float32 (each
 * plane's block sum, then the planes' sum) and stored rounded half to even and saturated.
 *
 * Folding: the writer hands over each layer of a level when it writes it (whole planes, in any
 * order, from several workers). Each plane of the next level is made, outside the lock, from the
 * planes of the layer it covers (their x/y block sums, added), divided and converted to the dtype,
 * then copied into its layer's buffer; a layer whose planes are all made is handed to the writer,
 * which writes it and folds it into the level after. A plane whose two planes below come with two
 * layers (an odd chunk height) keeps its first sum, in float32, until the second arrives. So a
 * level holds, at most, the layers that its pending layers below touch, in the dtype, and a few
 * half planes. */
#include "zarr_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RULE_TOLERANCE 1e-6

typedef struct pending {
    unsigned char *buf; /* the layer's planes in the dtype (owner: the fold), NULL before its first */
    float **half;       /* per plane of the layer: the sum of the one plane of the level below that
                           arrived while the other is awaited (owner: the fold), or NULL */
    int64_t made;       /* planes of buf made */
} pending;

struct zarr_fold {
    int64_t below[3]; /* the level below: x, y, z extents */
    int64_t shape[3]; /* this level's */
    int f[3];         /* 1 or 2 per axis */
    int64_t cz, nt, nlayers;
    zs_dtype dtype;
    pthread_mutex_t lock; /* pend */
    pending *pend;        /* nt * nlayers */
};

void zs__pyramid_step(const int64_t shape[3], const double voxel[3], int f[3])
{
    double coarsest = 0.0;
    for (int a = 0; a < 3; a++)
        if (shape[a] > 1 && voxel[a] > coarsest) coarsest = voxel[a];
    int any = 0;
    for (int a = 0; a < 3; a++) {
        f[a] = shape[a] > 1 && 2.0 * voxel[a] <= coarsest * (1.0 + RULE_TOLERANCE);
        any |= f[a];
    }
    for (int a = 0; a < 3; a++) f[a] = (any ? f[a] : shape[a] > 1) ? 2 : 1;
}

void zs__pyramid_level(const int64_t shape0[3], const double voxel0[3], int k, zs_pyramid_level *lv)
{
    for (int a = 0; a < 3; a++) lv->shape[a] = shape0[a], lv->voxel[a] = voxel0[a], lv->origin[a] = 0.0, lv->f[a] = 1;
    for (int i = 0; i < k; i++) {
        zs__pyramid_step(lv->shape, lv->voxel, lv->f);
        for (int a = 0; a < 3; a++) {
            lv->origin[a] += 0.5 * (lv->f[a] - 1) * lv->voxel[a]; /* the centre of the voxels it covers */
            lv->voxel[a] *= lv->f[a];
            lv->shape[a] = (lv->shape[a] + lv->f[a] - 1) / lv->f[a];
        }
    }
}

/* Planes of this level in layer L. */
static int64_t layer_planes(const zarr_fold *fo, int64_t L)
{
    return (L + 1) * fo->cz <= fo->shape[2] ? fo->cz : fo->shape[2] - L * fo->cz;
}

zs_status zs__zarr_fold_new(const int64_t below[3], const int64_t shape[3], const int f[3], int64_t cz, int64_t nt,
                            zs_dtype dtype, zarr_fold **out)
{
    zarr_fold *fo = calloc(1, sizeof *fo);
    ZS_RETURN_IF(!fo, ZS_ENOMEM, "out of memory for a pyramid level");
    for (int a = 0; a < 3; a++) fo->below[a] = below[a], fo->shape[a] = shape[a], fo->f[a] = f[a];
    fo->cz = cz, fo->nt = nt, fo->dtype = dtype;
    fo->nlayers = (shape[2] + cz - 1) / cz;
    fo->pend = calloc((size_t)(nt * fo->nlayers), sizeof *fo->pend);
    pthread_mutex_init(&fo->lock, NULL);
    *out = fo;
    ZS_RETURN_IF(!fo->pend, ZS_ENOMEM, "out of memory for a pyramid level");
    return ZS_OK;
}

void zs__zarr_fold_free(zarr_fold *fo)
{
    if (!fo) return;
    for (int64_t i = 0; fo->pend && i < fo->nt * fo->nlayers; i++) {
        for (int64_t j = 0; fo->pend[i].half && j < layer_planes(fo, i % fo->nlayers); j++) free(fo->pend[i].half[j]);
        free(fo->pend[i].half), free(fo->pend[i].buf);
    }
    free(fo->pend);
    pthread_mutex_destroy(&fo->lock);
    free(fo);
}

/* o[x] = the sum of row r0 (and r1, the next row, when not NULL) over the voxel pairs (fx 2) or
 * voxels (fx 1) of x; a last odd voxel alone. Sums in the order ((r0 + r0') + r1) + r1'. */
static void reduce_rows(const float *r0, const float *r1, int64_t px, int fx, float *o)
{
    const int64_t pairs = fx == 2 ? px / 2 : 0;
    if (fx == 1 && r1)
        for (int64_t x = 0; x < px; x++) o[x] = r0[x] + r1[x];
    else if (fx == 1)
        memcpy(o, r0, (size_t)px * sizeof *o);
    else if (r1)
        for (int64_t x = 0; x < pairs; x++) o[x] = r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1];
    else
        for (int64_t x = 0; x < pairs; x++) o[x] = r0[2 * x] + r0[2 * x + 1];
    if (fx == 2 && px % 2) o[pairs] = r1 ? r0[px - 1] + r1[px - 1] : r0[px - 1];
}

/* out[y][x] = the sum of the (up to f[1] x f[0]) voxels of plane src that voxel covers. */
static void reduce_plane(const zarr_fold *fo, const float *src, float *out)
{
    const int64_t px = fo->below[0], py = fo->below[1];
    for (int64_t y = 0; y < fo->shape[1]; y++) {
        const int64_t y0 = fo->f[1] * y;
        reduce_rows(src + y0 * px, fo->f[1] == 2 && y0 + 1 < py ? src + (y0 + 1) * px : NULL, px, fo->f[0],
                    out + y * fo->shape[0]);
    }
}

/* The means of plane z of this level from its sums (the planes of the level below it covers). */
static void plane_means(const zarr_fold *fo, int64_t z, float *p)
{
    const int64_t px = fo->below[0], py = fo->below[1], nx = fo->shape[0], ny = fo->shape[1];
    const int64_t b1 = fo->f[2] * (z + 1), nz = (b1 < fo->below[2] ? b1 : fo->below[2]) - fo->f[2] * z;
    for (int64_t y = 0; y < ny; y++) {
        const int64_t cy = fo->f[1] * (y + 1) <= py ? fo->f[1] : py - fo->f[1] * y;
        for (int64_t x = 0; x < nx; x++) {
            const int64_t cx = fo->f[0] * (x + 1) <= px ? fo->f[0] : px - fo->f[0] * x;
            p[y * nx + x] /= (float)(nz * cy * cx);
        }
    }
}

/* Plane z's sums `sum` of only one of its two planes of the level below: kept until the other's
 * arrive (*kept 1), or, when they are there, added to them and freed (*kept 0). */
static zs_status pair_half(zarr_fold *fo, int64_t t, int64_t z, float *sum, int *kept)
{
    const int64_t L = z / fo->cz, j = z - L * fo->cz;
    const size_t plane = (size_t)(fo->shape[0] * fo->shape[1]);
    pending *q = &fo->pend[t * fo->nlayers + L];
    float *other = NULL, *mine = NULL;
    pthread_mutex_lock(&fo->lock);
    if (!q->half) q->half = calloc((size_t)layer_planes(fo, L), sizeof *q->half);
    if (q->half && (other = q->half[j]))
        q->half[j] = NULL;
    else if (q->half && (mine = malloc(plane * sizeof *mine)))
        memcpy(mine, sum, plane * sizeof *mine), q->half[j] = mine;
    pthread_mutex_unlock(&fo->lock);
    ZS_RETURN_IF(!other && !mine, ZS_ENOMEM, "out of memory for a plane of a pyramid level");
    *kept = mine != NULL;
    if (mine) return ZS_OK;
    for (size_t i = 0; i < plane; i++) sum[i] = other[i] + sum[i]; /* either order: a + b == b + a */
    free(other);
    return ZS_OK;
}

/* Plane z (in the dtype) into its layer; a layer made complete is detached into *full (owner: the
 * caller), with its index in *L. */
static zs_status put_plane(zarr_fold *fo, int64_t t, int64_t z, const unsigned char *pl, unsigned char **full,
                           int64_t *L)
{
    *L = z / fo->cz;
    const size_t bytes = (size_t)(fo->shape[0] * fo->shape[1]) * zs_dtype_size(fo->dtype);
    const int64_t h = layer_planes(fo, *L);
    pending *q = &fo->pend[t * fo->nlayers + *L];
    pthread_mutex_lock(&fo->lock);
    if (!q->buf) q->buf = malloc((size_t)h * bytes);
    unsigned char *buf = q->buf;
    if (buf) {
        memcpy(buf + (size_t)(z - *L * fo->cz) * bytes, pl, bytes);
        if (++q->made == h) *full = buf, q->buf = NULL;
    }
    pthread_mutex_unlock(&fo->lock);
    ZS_RETURN_IF(!buf, ZS_ENOMEM, "out of memory for a layer of %zu bytes of a pyramid level", (size_t)h * bytes);
    return ZS_OK;
}

/* sum = the sums over x and y of planes [a, b) of the level below (from `planes`, which starts at
 * plane z0), added plane after plane; tmp: scratch. */
static void sum_planes(const zarr_fold *fo, const unsigned char *planes, int64_t z0, int64_t a, int64_t b, float *src,
                       float *tmp, float *sum)
{
    const size_t pplane = (size_t)(fo->below[0] * fo->below[1]), plane = (size_t)(fo->shape[0] * fo->shape[1]);
    const size_t es = zs_dtype_size(fo->dtype);
    for (int64_t p = a; p < b; p++) {
        zs__to_f32(planes + (size_t)(p - z0) * pplane * es, fo->dtype, pplane, 1.0, 0.0, src);
        reduce_plane(fo, src, p == a ? sum : tmp);
        for (size_t i = 0; p > a && i < plane; i++) sum[i] += tmp[i];
    }
}

/* Plane z of this level from planes [z0, z1) of the level below; when it is complete, into its layer,
 * and a layer so completed to done. */
static zs_status fold_plane(zarr_fold *fo, int64_t t, int64_t z, int64_t z0, int64_t z1, const unsigned char *planes,
                            float *scratch, unsigned char *pl, zs__zarr_layer_done done, void *user)
{
    const size_t pplane = (size_t)(fo->below[0] * fo->below[1]), plane = (size_t)(fo->shape[0] * fo->shape[1]);
    const int64_t s0 = fo->f[2] * z, s1 = s0 + fo->f[2] < fo->below[2] ? s0 + fo->f[2] : fo->below[2];
    const int64_t a = s0 > z0 ? s0 : z0, b = s1 < z1 ? s1 : z1;
    float *src = scratch, *tmp = src + pplane, *sum = tmp + plane;
    sum_planes(fo, planes, z0, a, b, src, tmp, sum);
    if (a > s0 || b < s1) { /* the other plane of the level below comes with another layer */
        int kept = 0;
        ZS_FORWARD(pair_half(fo, t, z, sum, &kept));
        if (kept) return ZS_OK;
    }
    plane_means(fo, z, sum);
    unsigned char *full = NULL;
    zs__from_f32(sum, plane, fo->dtype, pl);
    int64_t L = 0;
    ZS_FORWARD(put_plane(fo, t, z, pl, &full, &L));
    if (!full) return ZS_OK;
    const zs_status st = done(user, t, L, full);
    free(full);
    return st;
}

zs_status zs__zarr_fold_planes(zarr_fold *fo, int64_t t, int64_t z0, int64_t z1, const unsigned char *planes,
                               zs__zarr_layer_done done, void *user)
{
    const size_t pplane = (size_t)(fo->below[0] * fo->below[1]), plane = (size_t)(fo->shape[0] * fo->shape[1]);
    float *scratch = malloc((pplane + 2 * plane) * sizeof(float));
    unsigned char *pl = malloc(plane * zs_dtype_size(fo->dtype));
    zs_status st = scratch && pl ? ZS_OK : ZS_ERR(ZS_ENOMEM, "out of memory for a pyramid level");
    for (int64_t z = z0 / fo->f[2]; st == ZS_OK && z * fo->f[2] < z1; z++)
        st = fold_plane(fo, t, z, z0, z1, planes, scratch, pl, done, user);
    free(scratch), free(pl);
    return st;
}

uint64_t zs__zarr_worker_bytes(const zs_create_opts *o, const zs_volume_info *spec)
{
    if (!o || !spec || o->pyramid <= 0) return 0;
    const uint64_t es = zs_dtype_size(spec->dtype);
    const int64_t cz = zs__zarr_z_align(o);
    uint64_t total = 0;
    zs_pyramid_level below, lv;
    zs__pyramid_level(spec->shape, spec->voxel, 0, &below);
    for (int k = 1; k <= o->pyramid && k <= ZS_PYRAMID_MAX; k++, below = lv) {
        zs__pyramid_level(spec->shape, spec->voxel, k, &lv);
        const uint64_t plane = (uint64_t)lv.shape[0] * (uint64_t)lv.shape[1];
        const uint64_t pplane = (uint64_t)below.shape[0] * (uint64_t)below.shape[1];
        const uint64_t h = (uint64_t)(cz < lv.shape[2] ? cz : lv.shape[2]);
        total += 2 * h * plane * es + (pplane + 2 * plane) * sizeof(float) + plane * es;
    }
    return total;
}
