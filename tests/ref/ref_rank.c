/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Naive box references: gather, sort, pick. No cleverness on purpose. */
#include "ref_rank.h"

#include <stdlib.h>
#include <string.h>

#include "ref_border.h"

void zs_ref_box_of(const int64_t size[3], int mirrored, zs_ref_box *b)
{
    for (int a = 0; a < 3; a++) {
        int64_t lo = size[a] / 2, hi = size[a] - 1 - size[a] / 2;
        b->lo[a] = mirrored ? hi : lo;
        b->hi[a] = mirrored ? lo : hi;
    }
}

/* The window of voxel (x,y,z) into w (x fastest within the window); @return its size. */
static int64_t gather(const float *in, int64_t nx, int64_t ny, int64_t nz, const zs_ref_box *b, const zs_border mode[3],
                      float cval, int64_t x, int64_t y, int64_t z, float *w)
{
    int64_t n = 0;
    for (int64_t dz = -b->lo[2]; dz <= b->hi[2]; dz++) {
        int64_t iz = ref_border_index(z + dz, nz, mode[2]);
        for (int64_t dy = -b->lo[1]; dy <= b->hi[1]; dy++) {
            int64_t iy = ref_border_index(y + dy, ny, mode[1]);
            for (int64_t dx = -b->lo[0]; dx <= b->hi[0]; dx++) {
                int64_t ix = ref_border_index(x + dx, nx, mode[0]);
                w[n++] = ix < 0 || iy < 0 || iz < 0 ? cval : in[(iz * ny + iy) * nx + ix];
            }
        }
    }
    return n;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static int64_t box_voxels(const zs_ref_box *b)
{
    return (b->lo[0] + b->hi[0] + 1) * (b->lo[1] + b->hi[1] + 1) * (b->lo[2] + b->hi[2] + 1);
}

void zs_ref_rank(const float *in, int64_t nx, int64_t ny, int64_t nz, const zs_ref_box *b, int64_t rank,
                 const zs_border mode[3], float cval, float *out)
{
    float *w = malloc(sizeof(float) * (size_t)box_voxels(b));
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                int64_t n = gather(in, nx, ny, nz, b, mode, cval, x, y, z, w);
                qsort(w, (size_t)n, sizeof *w, cmp_float);
                out[(z * ny + y) * nx + x] = w[rank];
            }
    free(w);
}

void zs_ref_minmax(const float *in, int64_t nx, int64_t ny, int64_t nz, const zs_ref_box *b, int is_max,
                   const zs_border mode[3], float cval, float *out)
{
    float *w = malloc(sizeof(float) * (size_t)box_voxels(b));
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                int64_t n = gather(in, nx, ny, nz, b, mode, cval, x, y, z, w);
                float v = w[0];
                for (int64_t i = 1; i < n; i++)
                    if (is_max ? w[i] > v : w[i] < v) v = w[i];
                out[(z * ny + y) * nx + x] = v;
            }
    free(w);
}

void zs_ref_morph(const float *in, int64_t nx, int64_t ny, int64_t nz, const int64_t size[3], zs_ref_morph_op op,
                  const zs_border mode[3], float cval, float *out)
{
    const size_t n = (size_t)(nx * ny * nz);
    float *t = malloc(sizeof(float) * n);
    zs_ref_box ero, dil;
    zs_ref_box_of(size, 0, &ero);
    zs_ref_box_of(size, 1, &dil);
    if (op == ZS_REF_OPENING || op == ZS_REF_WHITE_TOPHAT) {
        zs_ref_minmax(in, nx, ny, nz, &ero, 0, mode, cval, t);
        zs_ref_minmax(t, nx, ny, nz, &dil, 1, mode, cval, out);
    } else {
        zs_ref_minmax(in, nx, ny, nz, &dil, 1, mode, cval, t);
        zs_ref_minmax(t, nx, ny, nz, &ero, 0, mode, cval, out);
    }
    for (size_t i = 0; i < n; i++) {
        if (op == ZS_REF_WHITE_TOPHAT) out[i] = in[i] - out[i];
        if (op == ZS_REF_BLACK_TOPHAT) out[i] = out[i] - in[i];
    }
    free(t);
}

int64_t zs_ref_percentile_rank(double p, int64_t n)
{
    if (p < 0.0) p += 100.0;
    if (p == 100.0) return n - 1;
    return (int64_t)((double)n * p / 100.0);
}
