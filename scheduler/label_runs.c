/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A slab's foreground as runs along x, labelled within the slab.
 *
 * Each row (y, z) of the slab is cut into runs of foreground voxels. A run touches the runs of
 * the rows before it in the scan (x fastest, then y, then z) that share a neighbour offset of the
 * structuring element: scipy's generate_binary_structure(3, c) holds the offsets with at most c
 * non-zero coordinates, so the rows (y-1, z) and (y, z-1) touch with |dx| <= 1 from 18 on (dx = 0
 * at 6), and (y-1, z-1), (y+1, z-1) touch from 18 on, with dx = 0 at 18 and |dx| <= 1 at 26.
 * Two runs [a0, a1) and [b0, b1) with |dx| <= d touch when a0 < b1 + d and b0 < a1 + d.
 * A union-find over the runs keeps the lowest run index as each set's root, so fragments are
 * numbered by their first run in the scan: the same numbers for the same slab, in every pass. */
#include "label_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint32_t find(uint32_t *parent, uint32_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static void unite(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = find(parent, a);
    b = find(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

static zs_status push_run(zs_lslab *l, int32_t xa, int32_t xb, uint32_t row)
{
    if (l->nruns == l->cap) {
        const uint64_t cap = l->cap ? l->cap * 2 : 4096;
        ZS_RETURN_IF(cap >= UINT32_MAX, ZS_EUNSUPPORTED,
                     "a slab with more than 2^32 runs of foreground: use thinner slabs");
        zs_lrun *r = realloc(l->runs, (size_t)cap * sizeof *r);
        ZS_RETURN_IF(!r, ZS_ENOMEM, "out of memory for %llu runs of foreground", (unsigned long long)cap);
        l->runs = r;
        l->cap = cap;
    }
    l->runs[l->nruns++] = (zs_lrun){xa, xb, row, 0};
    return ZS_OK;
}

/* The foreground of one row as bits (bit b of word w: voxel 64 w + b), for each element type:
 * v > t, or v != 0. Branch-free, so random foreground costs no mispredictions. */
#define ROW_MASK(T, FG)                                                                                                \
    do {                                                                                                               \
        const T *v = (const T *)row;                                                                                   \
        for (int64_t w = 0; w < nw; w++) {                                                                             \
            const int64_t x0 = w * 64, n = nx - x0 < 64 ? nx - x0 : 64;                                                \
            uint64_t m = 0;                                                                                            \
            for (int64_t b = 0; b < n; b++) {                                                                          \
                const int64_t x = x0 + b;                                                                              \
                m |= (uint64_t)(FG) << b;                                                                              \
            }                                                                                                          \
            mask[w] = m;                                                                                               \
        }                                                                                                              \
    } while (0)

static void row_mask(const void *row, int64_t nx, zs_reduce_type type, zs_lrule rule, uint64_t *mask)
{
    const int64_t nw = (nx + 63) / 64;
    const double t = rule.threshold;
    if (rule.has_threshold) {
        switch (type) {
        case ZS_REDUCE_F32:
            ROW_MASK(float, (double)v[x] > t);
            break;
        case ZS_REDUCE_F64:
            ROW_MASK(double, v[x] > t);
            break;
        case ZS_REDUCE_I64:
            ROW_MASK(int64_t, (double)v[x] > t);
            break;
        case ZS_REDUCE_U64:
            ROW_MASK(uint64_t, (double)v[x] > t);
            break;
        }
    } else {
        switch (type) {
        case ZS_REDUCE_F32:
            ROW_MASK(float, v[x] != 0);
            break;
        case ZS_REDUCE_F64:
            ROW_MASK(double, v[x] != 0);
            break;
        case ZS_REDUCE_I64:
            ROW_MASK(int64_t, v[x] != 0);
            break;
        case ZS_REDUCE_U64:
            ROW_MASK(uint64_t, v[x] != 0);
            break;
        }
    }
}

/* The runs of row r from its bits: starts and ends of runs are the bits that differ from the bit
 * before them; they alternate, so each end closes the run the last start opened. */
static zs_status row_runs(zs_lslab *l, const uint64_t *mask, uint32_t r)
{
    const int64_t nx = l->nx, nw = (nx + 63) / 64;
    uint64_t carry = 0;
    int64_t open = -1;
    for (int64_t w = 0; w < nw; w++) {
        const uint64_t m = mask[w], before = (m << 1) | carry;
        uint64_t ev = m ^ before;
        carry = m >> 63;
        while (ev) {
            const int64_t x = w * 64 + __builtin_ctzll(ev);
            ev &= ev - 1;
            if (open < 0) {
                open = x;
            } else {
                ZS_FORWARD(push_run(l, (int32_t)open, (int32_t)x, r));
                open = -1;
            }
        }
    }
    if (open >= 0) ZS_FORWARD(push_run(l, (int32_t)open, (int32_t)nx, r));
    return ZS_OK;
}

/* Unites the touching runs of rows a (the current one) and b (before it in the scan). */
static void join_rows(zs_lslab *l, uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1, int d)
{
    const zs_lrun *R = l->runs;
    uint64_t i = a0, j = b0;
    while (i < a1 && j < b1) {
        if (R[i].xa < R[j].xb + d && R[j].xa < R[i].xb + d) unite(l->parent, (uint32_t)i, (uint32_t)j);
        if (R[i].xb < R[j].xb)
            i++;
        else
            j++;
    }
}

/* Unites each row's runs with those of the rows before it that its neighbourhood reaches. */
static void join_slab(zs_lslab *l, int connectivity)
{
    const int64_t ny = l->ny;
    const uint64_t *rs = l->row_start;
    const int d1 = connectivity >= 18, d2 = connectivity == 26;
    for (int64_t z = 0; z < l->h; z++)
        for (int64_t y = 0; y < ny; y++) {
            const int64_t r = y + ny * z;
            const uint64_t a0 = rs[r], a1 = rs[r + 1];
            if (a0 == a1) continue;
            if (y > 0) join_rows(l, a0, a1, rs[r - 1], rs[r], d1);
            if (z > 0) join_rows(l, a0, a1, rs[r - ny], rs[r - ny + 1], d1);
            if (z > 0 && connectivity >= 18) {
                if (y > 0) join_rows(l, a0, a1, rs[r - ny - 1], rs[r - ny], d2);
                if (y + 1 < ny) join_rows(l, a0, a1, rs[r - ny + 1], rs[r - ny + 2], d2);
            }
        }
}

/* Grows *p to hold n elements of `size` bytes (keeping what it holds). */
static zs_status reserve(void **p, uint64_t *cap, uint64_t n, size_t size)
{
    if (n <= *cap) return ZS_OK;
    void *q = realloc(*p, (size_t)n * size);
    ZS_RETURN_IF(!q, ZS_ENOMEM, "out of memory for %llu elements of a slab's runs", (unsigned long long)n);
    *p = q;
    *cap = n;
    return ZS_OK;
}

zs_status zs__lslab_build(const zs_reduce_slab *s, zs_lrule rule, int connectivity, zs_lslab *l)
{
    l->nx = s->nx;
    l->ny = s->ny;
    l->h = s->z1 - s->z0;
    l->nruns = 0;
    l->nlab = 0;
    const int64_t rows = l->ny * l->h;
    const size_t es = s->type == ZS_REDUCE_F32 ? 4 : 8;
    ZS_RETURN_IF(rows >= UINT32_MAX || s->nx >= INT32_MAX, ZS_EUNSUPPORTED,
                 "a slab of %lld rows of %lld voxels: too large to label (use thinner slabs)", (long long)rows,
                 (long long)s->nx);
    ZS_FORWARD(reserve((void **)&l->row_start, &l->row_cap, (uint64_t)rows + 1, sizeof *l->row_start));
    ZS_FORWARD(reserve((void **)&l->mask, &l->mask_cap, (uint64_t)(s->nx + 63) / 64, sizeof *l->mask));
    for (int64_t r = 0; r < rows; r++) {
        l->row_start[r] = l->nruns;
        row_mask((const unsigned char *)s->data + (size_t)r * (size_t)s->nx * es, s->nx, s->type, rule, l->mask);
        ZS_FORWARD(row_runs(l, l->mask, (uint32_t)r));
    }
    l->row_start[rows] = l->nruns;
    ZS_FORWARD(reserve((void **)&l->parent, &l->parent_cap, l->nruns ? l->nruns : 1, sizeof *l->parent));
    for (uint64_t i = 0; i < l->nruns; i++) l->parent[i] = (uint32_t)i;
    join_slab(l, connectivity);
    uint32_t n = 0;
    for (uint64_t i = 0; i < l->nruns; i++) {
        const uint32_t root = find(l->parent, (uint32_t)i);
        l->runs[i].lab = root == i ? ++n : l->runs[root].lab;
    }
    l->nlab = n;
    return ZS_OK;
}

void zs__lslab_free(zs_lslab *l)
{
    free(l->runs);
    free(l->row_start);
    free(l->parent);
    free(l->mask);
    memset(l, 0, sizeof *l);
}

/* The runs of face rows [a0, a1) of `cur` against rows of `prev` with |dy| <= 1, as join_rows. */
static zs_status join_face_rows(const zs_lrun *P, uint64_t b0, uint64_t b1, const zs_lrun *C, uint64_t a0, uint64_t a1,
                                int d, zs_ljoin_fn join, void *user)
{
    uint64_t i = a0, j = b0;
    while (i < a1 && j < b1) {
        if (C[i].xa < P[j].xb + d && P[j].xa < C[i].xb + d) ZS_FORWARD(join(user, j, i));
        if (C[i].xb < P[j].xb)
            i++;
        else
            j++;
    }
    return ZS_OK;
}

/* First run of row y at or after index i of a face (rows ascending). */
static uint64_t row_from(const zs_lrun *R, uint64_t n, uint64_t i, int64_t y)
{
    while (i < n && (int64_t)R[i].row < y) i++;
    return i;
}

zs_status zs__lface_join(const zs_lrun *prev, uint64_t np, const zs_lrun *cur, uint64_t nc, int64_t ny,
                         int connectivity, zs_ljoin_fn join, void *user)
{
    (void)ny;
    const int d0 = connectivity >= 18, d1 = connectivity == 26;
    uint64_t pm = 0; /* prev's first run of row y - 1 */
    for (uint64_t a0 = 0; a0 < nc;) {
        const int64_t y = cur[a0].row;
        uint64_t a1 = a0;
        while (a1 < nc && cur[a1].row == cur[a0].row) a1++;
        pm = row_from(prev, np, pm, y - 1);
        const uint64_t p0 = row_from(prev, np, pm, y), p1 = row_from(prev, np, p0, y + 1);
        const uint64_t p2 = row_from(prev, np, p1, y + 2);
        ZS_FORWARD(join_face_rows(prev, p0, p1, cur, a0, a1, d0, join, user)); /* dy = 0 */
        if (connectivity >= 18) {
            ZS_FORWARD(join_face_rows(prev, pm, p0, cur, a0, a1, d1, join, user)); /* dy = -1 */
            ZS_FORWARD(join_face_rows(prev, p1, p2, cur, a0, a1, d1, join, user)); /* dy = +1 */
        }
        a0 = a1;
    }
    return ZS_OK;
}
