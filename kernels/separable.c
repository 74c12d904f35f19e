/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The 1-D pass machinery of the separable kernels: line combination, border maps and the
 * slab driver (design in separable.h).
 *
 * Every pass is one primitive, zs__sep_combine: dst = sum over taps of w * line. A z tap's
 * line is a chunk of an input plane, a y tap's a row of the plane, an x tap's the extended row
 * shifted by d. The loops run along the line with the taps outside, so they vectorise without
 * reassociating anything (the build has no -ffast-math and C11 mode does not contract a*b+c
 * into an FMA): each voxel's sum is the same sequence of float operations on every machine
 * and for every SIMD width. Taps are applied in groups of up to four per sweep to keep the
 * loads and stores of dst low. */
#include "separable.h"

#include <string.h>

const zs_k1d zs__k1d_identity = {0, 0, 1, 1, (const float[]){1.0f}};

/* ---- line primitives ----------------------------------------------------------------------- */

ZS_LINE void line_set(float *restrict d, const float *restrict a, float w, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = w * a[i];
}

ZS_LINE void line_add1(float *restrict d, const float *restrict a, float w, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = d[i] + w * a[i];
}

ZS_LINE void line_add4(float *restrict d, const float *restrict a0, const float *restrict a1, const float *restrict a2,
                       const float *restrict a3, const float *restrict w, size_t n)
{
    const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
    for (size_t i = 0; i < n; i++) d[i] = d[i] + w0 * a0[i] + w1 * a1[i] + w2 * a2[i] + w3 * a3[i];
}

/* Pairs: sym adds a + b, antisym b - a (b is the tap at +d). The "first" forms start from the
 * centre tap c instead of d: the same operations in the same order as writing w_c * c to d
 * and adding, without the extra sweep. */
#define PAIR(W, A, B) ((W) * (anti ? (B)[i] - (A)[i] : (A)[i] + (B)[i]))

ZS_LINE void pair_first1(float *restrict d, const float *restrict c, const float *restrict a, const float *restrict b,
                         const float *restrict w, int anti, size_t n)
{
    const float wc = w[0], w1 = w[1];
    for (size_t i = 0; i < n; i++) d[i] = wc * c[i] + PAIR(w1, a, b);
}

ZS_LINE void pair_first2(float *restrict d, const float *restrict c, const float *restrict a0, const float *restrict b0,
                         const float *restrict a1, const float *restrict b1, const float *restrict w, int anti,
                         size_t n)
{
    const float wc = w[0], w1 = w[1], w2 = w[2];
    for (size_t i = 0; i < n; i++) d[i] = wc * c[i] + PAIR(w1, a0, b0) + PAIR(w2, a1, b1);
}

ZS_LINE void pair_first4(float *restrict d, const float *restrict c, const float *restrict a0, const float *restrict b0,
                         const float *restrict a1, const float *restrict b1, const float *restrict a2,
                         const float *restrict b2, const float *restrict a3, const float *restrict b3,
                         const float *restrict w, int anti, size_t n)
{
    const float wc = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4];
    for (size_t i = 0; i < n; i++)
        d[i] = wc * c[i] + PAIR(w1, a0, b0) + PAIR(w2, a1, b1) + PAIR(w3, a2, b2) + PAIR(w4, a3, b3);
}

ZS_LINE void pair_add1(float *restrict d, const float *restrict a, const float *restrict b, float w1, int anti,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = d[i] + PAIR(w1, a, b);
}

ZS_LINE void pair_add2(float *restrict d, const float *restrict a0, const float *restrict b0, const float *restrict a1,
                       const float *restrict b1, const float *restrict w, int anti, size_t n)
{
    const float w1 = w[0], w2 = w[1];
    for (size_t i = 0; i < n; i++) d[i] = d[i] + PAIR(w1, a0, b0) + PAIR(w2, a1, b1);
}

ZS_LINE void pair_add4(float *restrict d, const float *restrict a0, const float *restrict b0, const float *restrict a1,
                       const float *restrict b1, const float *restrict a2, const float *restrict b2,
                       const float *restrict a3, const float *restrict b3, const float *restrict w, int anti, size_t n)
{
    const float w1 = w[0], w2 = w[1], w3 = w[2], w4 = w[3];
    for (size_t i = 0; i < n; i++)
        d[i] = d[i] + PAIR(w1, a0, b0) + PAIR(w2, a1, b1) + PAIR(w3, a2, b2) + PAIR(w4, a3, b3);
}

/* Voxels per sweep block: the block of dst stays in L1 while the groups of taps are added. */
#define SWEEP 1024

/* Symmetric (anti = 0) or antisymmetric (anti = 1): d[i] for i < n from lines c[j] + o.
 * Centre first (scipy's order too), then pairs j = 1..r in groups. The centre of an
 * antisymmetric kernel weighs 0, kept so that inf/NaN propagate as in scipy. anti is a
 * constant at each call site, so each clone has loops without the test. */
ZS_LINE void combine_pairs(float *d, const float *const *c, const float *w, int64_t r, int anti, size_t o, size_t n)
{
#define A(J) (c[-(J)] + o)
#define B(J) (c[(J)] + o)
    int64_t j;
    if (r >= 4) {
        pair_first4(d, c[0] + o, A(1), B(1), A(2), B(2), A(3), B(3), A(4), B(4), w, anti, n);
        j = 5;
    } else if (r >= 2) {
        pair_first2(d, c[0] + o, A(1), B(1), A(2), B(2), w, anti, n);
        j = 3;
    } else if (r == 1) {
        pair_first1(d, c[0] + o, A(1), B(1), w, anti, n);
        j = 2;
    } else {
        line_set(d, c[0] + o, w[0], n);
        return;
    }
    for (; j + 3 <= r; j += 4)
        pair_add4(d, A(j), B(j), A(j + 1), B(j + 1), A(j + 2), B(j + 2), A(j + 3), B(j + 3), w + j, anti, n);
    if (j + 1 <= r) {
        pair_add2(d, A(j), B(j), A(j + 1), B(j + 1), w + j, anti, n);
        j += 2;
    }
    if (j <= r) pair_add1(d, A(j), B(j), w[j], anti, n);
#undef A
#undef B
}

/* A general kernel: taps in order. */
ZS_LINE void combine_taps(float *d, const float *const *p, const float *w, int64_t nt, size_t o, size_t n)
{
    int64_t t = 1;
    line_set(d, p[0] + o, w[0], n);
    for (; t + 4 <= nt; t += 4) line_add4(d, p[t] + o, p[t + 1] + o, p[t + 2] + o, p[t + 3] + o, w + t, n);
    for (; t < nt; t++) line_add1(d, p[t] + o, w[t], n);
}

ZS_CLONES void zs__sep_combine(float *dst, const float *const *p, const zs_k1d *k, size_t n)
{
    if (k->identity) {
        memcpy(dst, p[0], n * sizeof *dst);
        return;
    }
    const int pairs = k->sym && k->lo == k->hi;
    for (size_t i = 0; i < n; i += SWEEP) {
        const size_t m = n - i < SWEEP ? n - i : SWEEP;
        if (!pairs)
            combine_taps(dst + i, p, k->w, k->lo + k->hi + 1, i, m);
        else if (k->sym < 0)
            combine_pairs(dst + i, p + k->lo, k->w + k->lo, k->lo, 1, i, m);
        else
            combine_pairs(dst + i, p + k->lo, k->w + k->lo, k->lo, 0, i, m);
    }
}

/* ---- borders ---------------------------------------------------------------------------------- */

void zs__border_map(int64_t *map, int64_t n, int64_t lo, int64_t hi, zs_border mode)
{
    for (int64_t i = 0; i < lo + n + hi; i++) map[i] = zs_border_index(i - lo, n, mode);
}

void zs__tile_ymap(const zs_kernel_call *c, int64_t *map, int64_t lo, int64_t hi, zs_border mode)
{
    zs__border_map(map, c->ny, lo, hi, mode);
    if (c->y0 - lo >= 0 && c->y0 + c->ny + hi <= c->ny_vol) return;
    for (int64_t i = 0; i < lo + c->ny + hi; i++) {
        const int64_t v = c->y0 + i - lo;
        if (v >= 0 && v < c->ny_vol) continue;
        const int64_t src = zs_border_index(v, c->ny_vol, mode) - c->y0;
        if (mode == ZS_BORDER_CONSTANT)
            map[i] = -1;
        else if (src >= 0 && src < c->ny) /* the executor filled row v from row src: read src itself */
            map[i] = src;
    }
}

void zs__extend_inplace(float *e, int64_t n, int64_t lo, int64_t klo, int64_t khi, const int64_t *map, float fill)
{
    for (int64_t i = lo - klo; i < lo; i++) e[i] = map[i] < 0 ? fill : e[lo + map[i]];
    for (int64_t i = lo + n; i < lo + n + khi; i++) e[i] = map[i] < 0 ? fill : e[lo + map[i]];
}

/* ---- the slab driver ----------------------------------------------------------------------------- */

size_t zs__sep_chunk(int64_t ntaps, size_t plane)
{
    /* ntaps input chunks + the output chunk in about two thirds of a 48 KiB L1 */
    size_t c = (32u * 1024u) / ((size_t)(ntaps + 1) * sizeof(float));
    c = c < 256 ? 256 : c & ~(size_t)63u;
    return c < plane ? c : plane;
}

int64_t zs__sep_tab_rows(int64_t ntaps, int64_t max_out)
{
    const int64_t cap = ((int64_t)1 << 20) / ntaps; /* at most 8 MiB of pointers */
    if (max_out > cap) max_out = cap;
    return max_out < 1 ? 1 : max_out;
}

/* Tap planes of output plane j for z taps [-zlo, zhi] (fill for constant-mode taps outside
 * the volume). */
static zs_status tap_planes(const zs_kernel_call *c, int64_t zlo, int64_t zhi, zs_border zmode, const float *fill,
                            int64_t j, const float **taps)
{
    for (int64_t t = 0; t < zlo + zhi + 1; t++) {
        taps[t] = zs_kcall_tap(c, j, t - zlo, zmode, fill);
        ZS_RETURN_IF(!taps[t], ZS_EINTERNAL, "plane %lld%+lld is not among the call's input planes",
                     (long long)c->out_z[j], (long long)(t - zlo));
    }
    return ZS_OK;
}

static zs_status driver_taps(const zs_kernel_call *c, const zs_sep_driver *d, int64_t j, const float **taps)
{
    return tap_planes(c, d->zlo, d->zhi, d->zmode, d->fill, j, taps);
}

zs_status zs__sep_drive(const zs_kernel_call *c, const zs_sep_driver *d)
{
    const int64_t nt = d->zlo + d->zhi + 1;
    if (c->n_out <= 0) return ZS_OK;
    if (!d->has_z) {
        for (int64_t j = 0; j < c->n_out; j++) {
            const float *src = zs_kcall_plane(c, c->out_z[j]);
            ZS_RETURN_IF(!src, ZS_EINTERNAL, "plane %lld is not among the call's input planes", (long long)c->out_z[j]);
            d->yx(d->ctx, src, c->out[j], j);
        }
        return ZS_OK;
    }
    /* z pass: output plane j's result into slot j+1 (slot n_out = spare), chunk by chunk so
     * the window of input chunks stays in L1 as j advances. The fill line is only as long
     * as a chunk, so its taps are not offset. */
    const int tabled = c->n_out <= d->tab_rows;
    if (tabled)
        for (int64_t j = 0; j < c->n_out; j++) ZS_FORWARD(driver_taps(c, d, j, d->taps + (size_t)(j * nt)));
    const float **lines = d->taps + (size_t)(d->tab_rows * nt);
    for (size_t i0 = d->zfrom; i0 < d->zto; i0 += d->chunk) {
        const size_t n = d->zto - i0 < d->chunk ? d->zto - i0 : d->chunk;
        for (int64_t j = 0; j < c->n_out; j++) {
            const float **tp = d->taps + (size_t)(j * nt);
            if (!tabled) ZS_FORWARD(driver_taps(c, d, j, tp = d->taps));
            for (int64_t t = 0; t < nt; t++) lines[t] = tp[t] == d->fill ? d->fill : tp[t] + i0;
            float *slot = j + 1 < c->n_out ? c->out[j + 1] : d->spare;
            d->zpass(d->ctx, slot + i0, lines, n);
        }
    }
    /* y+x pass: slot j+1 into slot j, which step j-1 has finished reading. */
    for (int64_t j = 0; j < c->n_out; j++) {
        const float *src = j + 1 < c->n_out ? c->out[j + 1] : d->spare;
        d->yx(d->ctx, src, c->out[j], j);
    }
    return ZS_OK;
}

/* ---- the band driver ------------------------------------------------------------------------------ */

int64_t zs__band_rows(int64_t nx, int64_t ny, int64_t ntaps_z, int64_t ylo, int64_t yhi)
{
    const int64_t budget = ((int64_t)1 << 20) / (int64_t)sizeof(float); /* floats */
    const int64_t per_row = nx * (ntaps_z < 1 ? 1 : ntaps_z);
    int64_t b = budget / (per_row > 0 ? per_row : 1) - ylo - yhi;
    if (b < 4) b = 4;
    if (b > 256) b = 256;
    return b < ny ? b : (ny > 0 ? ny : 1);
}

zs_status zs__band_drive(const zs_kernel_call *c, const zs_band_driver *d)
{
    const size_t nx = (size_t)c->nx;
    const int64_t nt = d->zlo + d->zhi + 1;
    const float **tp = d->taps, **lines = d->taps + nt;
    for (int64_t y0 = c->row_lo; y0 < c->row_hi; y0 += d->band) { /* only the rows that must be right */
        const int64_t m = c->row_hi - y0 < d->band ? c->row_hi - y0 : d->band, nrows = m + d->ylo + d->yhi;
        for (int64_t j = 0; j < c->n_out; j++) {
            const float *src = NULL;
            if (d->has_z) {
                ZS_FORWARD(tap_planes(c, d->zlo, d->zhi, d->zmode, d->fill, j, tp));
            } else {
                src = zs_kcall_plane(c, c->out_z[j]);
                ZS_RETURN_IF(!src, ZS_EINTERNAL, "plane %lld is not among the call's input planes",
                             (long long)c->out_z[j]);
            }
            /* position k is row y0 - ylo + k; map index i is row i - ylo. Rows that map to
             * themselves first, then the others: a row outside the volume that maps to one of
             * this band's rows shares its z result (a window much taller than the volume maps
             * thousands of positions onto a few rows). */
            const int64_t top = y0 - d->ylo;
            for (int pass = 0; pass < 2; pass++)
                for (int64_t k = 0; k < nrows; k++) {
                    const int64_t r = d->ymap[y0 + k], kr = r - top;
                    if ((r == top + k) != (pass == 0)) continue;
                    if (r < 0) {
                        d->rowp[k] = d->fill;
                    } else if (!d->has_z) {
                        d->rowp[k] = src + (size_t)r * nx;
                    } else if (pass == 1 && kr >= 0 && kr < nrows && d->ymap[y0 + kr] == r) {
                        d->rowp[k] = d->rowp[kr];
                    } else {
                        float *row = d->rows + (size_t)k * nx;
                        for (int64_t t = 0; t < nt; t++) lines[t] = tp[t] == d->fill ? d->fill : tp[t] + (size_t)r * nx;
                        d->zpass(d->ctx, row, lines, nx);
                        d->rowp[k] = row;
                    }
                }
            d->yx(d->ctx, d->rowp, c->out[j] + (size_t)y0 * nx, y0, m, j);
        }
    }
    return ZS_OK;
}
