/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* uniform (scipy.ndimage.uniform_filter): the mean over a box of `size` voxels per axis. As in
 * scipy, output i averages input [i - size/2, i - size/2 + size - 1] (integer division), so an
 * even size reaches one voxel further down than up, and an axis of size 1 is left alone.
 *
 * Sums are in double, as scipy's. Along x each row is whole, so a running sum (O(1) per voxel,
 * for long boxes) sees the same row whatever the tile. Along y and z an output voxel's sum is
 * taken directly from its `size` taps in a fixed order, so it cannot depend on which rows or
 * planes happen to share the call: bitwise the same for every tile, band and slab height.
 *
 * The passes do a few additions per voxel, so the kernel is bound by memory traffic; it runs
 * on the band driver (separable.h), which keeps the z result of a band of rows in cache
 * instead of writing whole planes out and reading them back. */
#include "separable.h"

#include <string.h>

typedef struct uniform_params {
    zs_knbhd nb;
    int64_t size[3];
} uniform_params;

enum { UBLOCK = 1024 }; /* voxels per double accumulator block of the z pass */

typedef struct urt {
    const zs_kernel_call *c;
    int64_t nx, ny;
    int64_t lo[3], hi[3]; /* taps [-lo, hi] per axis */
    int on[3];            /* the axis is filtered */
    double inv[3];        /* 1 / size */
    float cval;
    int64_t *xmap, *ymap;
    float *ext;         /* 4 rows of lo[0] + nx + hi[0]: rows being filtered along x */
    double *acc;        /* max(nx, UBLOCK): the z pass's sums, then the y pass's running sum */
    double *xacc;       /* UBLOCK: the x pass's sums */
    float *fill;        /* nx floats of cval */
    int64_t band;       /* the band driver's output rows per band */
    float *rows;        /* its z results: (band + lo[1] + hi[1]) rows */
    const float **rowp; /* band + lo[1] + hi[1] */
    const float **taps; /* 2 * z taps */
} urt;

static void uniform_axes(const uniform_params *p, int64_t lo[3], int64_t hi[3], int on[3])
{
    for (int a = 0; a < 3; a++) {
        on[a] = p->size[a] > 1 && !(a == 2 && p->nb.axes == ZS_AXES_XY);
        lo[a] = on[a] ? p->size[a] / 2 : 0;
        hi[a] = on[a] ? p->size[a] - 1 - p->size[a] / 2 : 0;
    }
}

static void ulayout(urt *u, zs_bump *b, const uniform_params *p, int64_t nx, int64_t ny)
{
    uniform_axes(p, u->lo, u->hi, u->on);
    u->nx = nx;
    u->ny = ny;
    const int64_t ztaps = u->lo[2] + u->hi[2] + 1, brows_extra = u->lo[1] + u->hi[1];
    u->band = zs__band_rows(nx, ny, ztaps, u->lo[1], u->hi[1]);
    u->xmap = zs__bump_take(b, (size_t)(u->lo[0] + nx + u->hi[0]), sizeof(int64_t));
    u->ymap = zs__bump_take(b, (size_t)(u->lo[1] + ny + u->hi[1]), sizeof(int64_t));
    u->ext = zs__bump_take(b, 4 * (size_t)(u->lo[0] + nx + u->hi[0]), sizeof(float));
    u->acc = zs__bump_take(b, nx > UBLOCK ? (size_t)nx : UBLOCK, sizeof(double));
    u->xacc = zs__bump_take(b, UBLOCK, sizeof(double));
    u->fill = zs__bump_take(b, (size_t)nx, sizeof(float));
    u->rows = u->on[2] ? zs__bump_take(b, (size_t)(u->band + brows_extra) * (size_t)nx, sizeof(float)) : NULL;
    u->rowp = zs__bump_take(b, (size_t)(u->band + brows_extra), sizeof(float *));
    u->taps = zs__bump_take(b, 2 * (size_t)ztaps, sizeof(float *));
}

/* ---- double accumulators ---------------------------------------------------------------------- */

ZS_LINE void dacc_set(double *restrict acc, const float *restrict a, size_t n)
{
    for (size_t i = 0; i < n; i++) acc[i] = (double)a[i];
}

ZS_LINE void dacc_add1(double *restrict acc, const float *restrict a, size_t n)
{
    for (size_t i = 0; i < n; i++) acc[i] = acc[i] + (double)a[i];
}

ZS_LINE void dacc_add4(double *restrict acc, const float *restrict a0, const float *restrict a1,
                       const float *restrict a2, const float *restrict a3, size_t n)
{
    for (size_t i = 0; i < n; i++) acc[i] = acc[i] + (double)a0[i] + (double)a1[i] + (double)a2[i] + (double)a3[i];
}

ZS_LINE void dacc_store(float *restrict dst, const double *restrict acc, double inv, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = (float)(acc[i] * inv);
}

/* dst[i] = mean of the nt lines p[t][i] (2 <= nt <= 5) in one sweep: the same additions in the
 * same order as dacc_set + dacc_add4/dacc_add1 + dacc_store, without the accumulator's round
 * trips through L1, so the bits are those of the general path. */
ZS_LINE void box_small(float *restrict dst, const float *const *p, int64_t nt, double inv, size_t n)
{
    const float *restrict a = p[0], *restrict b = p[1];
    const float *restrict c = nt > 2 ? p[2] : p[0], *restrict d = nt > 3 ? p[3] : p[0];
    const float *restrict e = nt > 4 ? p[4] : p[0];
    switch (nt) {
    case 2:
        for (size_t i = 0; i < n; i++) dst[i] = (float)(((double)a[i] + (double)b[i]) * inv);
        break;
    case 3:
        for (size_t i = 0; i < n; i++) dst[i] = (float)((((double)a[i] + (double)b[i]) + (double)c[i]) * inv);
        break;
    case 4:
        for (size_t i = 0; i < n; i++)
            dst[i] = (float)(((((double)a[i] + (double)b[i]) + (double)c[i]) + (double)d[i]) * inv);
        break;
    default:
        for (size_t i = 0; i < n; i++)
            dst[i] = (float)((((((double)a[i] + (double)b[i]) + (double)c[i]) + (double)d[i]) + (double)e[i]) * inv);
        break;
    }
}

/* Boxes of up to XDIRECT voxels along x are summed directly, tap by tap along the whole row, so
 * the loops vectorise; longer boxes use running sums (O(1) per voxel but one dependency chain
 * per row). Either way a voxel's sum depends only on its row. */
enum { XDIRECT = 16 };

/* out[x] = mean of e[x .. x + s - 1] for x < nx, summed left to right in double. */
ZS_LINE void xdirect(float *restrict out, const float *e, double *restrict acc, int64_t s, int64_t nx, double inv)
{
    if (s >= 2 && s <= 5) {
        const float *p[5] = {e, e + 1, e + (s > 2 ? 2 : 0), e + (s > 3 ? 3 : 0), e + (s > 4 ? 4 : 0)};
        box_small(out, p, s, inv, (size_t)nx);
        return;
    }
    for (int64_t x0 = 0; x0 < nx; x0 += UBLOCK) {
        const size_t m = (size_t)(nx - x0 < UBLOCK ? nx - x0 : UBLOCK);
        const float *b = e + x0;
        int64_t t = 1;
        dacc_set(acc, b, m);
        for (; t + 4 <= s; t += 4) dacc_add4(acc, b + t, b + t + 1, b + t + 2, b + t + 3, m);
        for (; t < s; t++) dacc_add1(acc, b + t, m);
        dacc_store(out + x0, acc, inv, m);
    }
}

/* 0 when a value of p[0..n) is NaN or +-Inf (x - x is 0 for every finite x). */
ZS_LINE int row_finite(const float *restrict p, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) bad |= (p[i] - p[i]) != 0.0f;
    return !bad;
}

/* Running means along four extended rows at once (four independent dependency chains):
 * out_q[x] = mean of e_q[x .. x + s - 1]. Each row's operations are those of a row alone. */
ZS_LINE void xrun4(float *const out[4], const float *const e[4], int64_t rows, int64_t s, int64_t nx, double inv)
{
    double acc[4] = {0.0, 0.0, 0.0, 0.0};
    if (rows < 4) {
        for (int64_t q = 0; q < rows; q++) {
            for (int64_t t = 0; t < s; t++) acc[q] += (double)e[q][t];
            out[q][0] = (float)(acc[q] * inv);
            for (int64_t x = 1; x < nx; x++) {
                acc[q] += (double)e[q][x + s - 1] - (double)e[q][x - 1];
                out[q][x] = (float)(acc[q] * inv);
            }
        }
        return;
    }
    const float *restrict e0 = e[0], *restrict e1 = e[1], *restrict e2 = e[2], *restrict e3 = e[3];
    float *restrict o0 = out[0], *restrict o1 = out[1], *restrict o2 = out[2], *restrict o3 = out[3];
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    for (int64_t t = 0; t < s; t++) {
        a0 += (double)e0[t];
        a1 += (double)e1[t];
        a2 += (double)e2[t];
        a3 += (double)e3[t];
    }
    o0[0] = (float)(a0 * inv);
    o1[0] = (float)(a1 * inv);
    o2[0] = (float)(a2 * inv);
    o3[0] = (float)(a3 * inv);
    for (int64_t x = 1; x < nx; x++) {
        a0 += (double)e0[x + s - 1] - (double)e0[x - 1];
        a1 += (double)e1[x + s - 1] - (double)e1[x - 1];
        a2 += (double)e2[x + s - 1] - (double)e2[x - 1];
        a3 += (double)e3[x + s - 1] - (double)e3[x - 1];
        o0[x] = (float)(a0 * inv);
        o1[x] = (float)(a1 * inv);
        o2[x] = (float)(a2 * inv);
        o3[x] = (float)(a3 * inv);
    }
}

/* ---- passes --------------------------------------------------------------------------------------- */

ZS_TARGET_CLONES_512 static void u_zpass(void *ctx, float *dst, const float *const *taps, size_t n)
{
    urt *u = ctx;
    const int64_t nt = u->lo[2] + u->hi[2] + 1;
    if (nt >= 2 && nt <= 5) {
        box_small(dst, taps, nt, u->inv[2], n);
        return;
    }
    for (size_t b0 = 0; b0 < n; b0 += UBLOCK) {
        const size_t m = n - b0 < UBLOCK ? n - b0 : UBLOCK;
        int64_t t = 1;
        dacc_set(u->acc, taps[0] + b0, m);
        for (; t + 4 <= nt; t += 4)
            dacc_add4(u->acc, taps[t] + b0, taps[t + 1] + b0, taps[t + 2] + b0, taps[t + 3] + b0, m);
        for (; t < nt; t++) dacc_add1(u->acc, taps[t] + b0, m);
        dacc_store(dst + b0, u->acc, u->inv[2], m);
    }
}

/* Output rows y0 .. y0+m-1 (dst is row y0): rowp[k] is the z result of row y0 - lo[1] + k. The y
 * pass sums each output row's sy rows directly, top to bottom, so a row's sum does not depend on
 * where its band or tile starts (tiles of any height give the same bits); rows go four at a
 * time to the x pass. */
ZS_TARGET_CLONES_512 static void u_yx(void *ctx, const float *const *rowp, float *dst, int64_t y0, int64_t m,
                                      int64_t slot)
{
    urt *u = ctx;
    const size_t nx = (size_t)u->nx, elen = (size_t)(u->lo[0] + u->nx + u->hi[0]);
    const int64_t sy = u->lo[1] + u->hi[1] + 1, sx = u->lo[0] + u->hi[0] + 1;
    (void)y0;
    (void)slot;
    for (int64_t q0 = 0; q0 < m; q0 += 4) {
        const int64_t rows = m - q0 < 4 ? m - q0 : 4;
        float *out[4];
        const float *ext[4];
        for (int64_t q = 0; q < rows; q++) {
            const int64_t k = q0 + q;
            float *e = u->ext + (size_t)q * elen, *mid = e + u->lo[0];
            out[q] = dst + (size_t)k * nx;
            ext[q] = e;
            if (u->on[1] && sy <= 5) {
                box_small(mid, rowp + k, sy, u->inv[1], nx);
            } else if (u->on[1]) {
                int64_t t = 1;
                dacc_set(u->acc, rowp[k], nx);
                for (; t + 4 <= sy; t += 4)
                    dacc_add4(u->acc, rowp[k + t], rowp[k + t + 1], rowp[k + t + 2], rowp[k + t + 3], nx);
                for (; t < sy; t++) dacc_add1(u->acc, rowp[k + t], nx);
                dacc_store(mid, u->acc, u->inv[1], nx);
            } else {
                memcpy(mid, rowp[k], nx * sizeof *mid);
            }
            if (!u->on[0]) {
                memcpy(out[q], mid, nx * sizeof *mid);
                continue;
            }
            zs__extend_inplace(e, u->nx, u->lo[0], u->lo[0], u->hi[0], u->xmap, u->cval);
            if (sx <= XDIRECT) xdirect(out[q], e, u->xacc, sx, u->nx, u->inv[0]);
        }
        if (u->on[0] && sx > XDIRECT) {
            xrun4(out, ext, rows, sx, u->nx, u->inv[0]);
            /* A NaN or Inf would stay in a running sum past its window (Inf - Inf): a row with a
             * value that is not finite is summed again directly (the NaN rule, docs/design.md). */
            for (int64_t q = 0; q < rows; q++)
                if (!row_finite(out[q], nx)) xdirect(out[q], ext[q], u->xacc, sx, u->nx, u->inv[0]);
        }
    }
}

/* ---- descriptor hooks ------------------------------------------------------------------------------ */

static void uniform_halo(const void *params, zs_halo *h)
{
    const uniform_params *p = params;
    int on[3];
    uniform_axes(p, h->lo, h->hi, on);
    zs__nbhd_halo(&p->nb, h);
}

static size_t uniform_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    urt u;
    zs_bump b = {NULL, 0, 0, 0};
    (void)max_in;
    ulayout(&u, &b, params, nx, ny);
    return zs__bump_total(&b);
}

static zs_status uniform_run(const zs_kernel_call *c)
{
    const uniform_params *p = c->params;
    urt u;
    zs_bump b = {c->scratch, 0, c->scratch_bytes, 0};
    ulayout(&u, &b, p, c->nx, c->ny);
    ZS_RETURN_IF(b.overflow || !c->scratch, ZS_EINTERNAL, "uniform: scratch of %zu bytes is too small",
                 c->scratch_bytes);
    u.c = c;
    u.cval = (float)p->nb.cval;
    for (int a = 0; a < 3; a++) u.inv[a] = 1.0 / (double)(u.lo[a] + u.hi[a] + 1);
    zs__border_map(u.xmap, u.nx, u.lo[0], u.hi[0], (zs_border)p->nb.mode[0]);
    zs__tile_ymap(c, u.ymap, u.lo[1], u.hi[1], (zs_border)p->nb.mode[1]);
    zs__fill_plane(u.fill, (size_t)u.nx, u.cval);
    zs_band_driver d = {u.lo[2], u.hi[2], u.on[2], (zs_border)p->nb.mode[2],
                        u.lo[1], u.hi[1], u.ymap,  u.fill,
                        u.band,  u.rows,  u.rowp,  u.taps,
                        u_zpass, u_yx,    &u};
    return zs__band_drive(c, &d);
}

static const zs_param_desc uniform_param_list[] = {
    {"size", ZS_PARAM_INT3, offsetof(uniform_params, size), 0, 10001, "3",
     "box size per axis in voxels (x y z: 5 or 3x3x1); 0 or 1 leaves an axis unfiltered", NULL},
    ZS_NBHD_PARAMS(uniform_params),
};

const zs_kernel_desc zs_kernel_uniform = {
    ZS_KERNEL_ABI,
    "uniform",
    "mean over a box (scipy.ndimage.uniform_filter)",
    2, /* 2: y sums taken directly (were running sums per band): last-bit changes possible */
    uniform_param_list,
    (int)(sizeof uniform_param_list / sizeof uniform_param_list[0]),
    sizeof(uniform_params),
    ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    NULL,
    uniform_halo,
    uniform_scratch,
    uniform_run,
    NULL,
    NULL,
    NULL,
};
