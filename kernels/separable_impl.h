/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The typed passes and drivers of separable.c, included once per work type with T (float or
 * double), TN(name) (name, or name_f64) and KW (the zs_k1d weights of that type: w or wd)
 * defined. No include guard on purpose. */
#define OUT_PLANE(c, j) ((T *)(void *)(c)->out[j])
/* ---- line primitives ----------------------------------------------------------------------- */

ZS_LINE void TN(line_set)(T *restrict d, const T *restrict a, T w, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = w * a[i];
}

ZS_LINE void TN(line_add1)(T *restrict d, const T *restrict a, T w, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = d[i] + w * a[i];
}

ZS_LINE void TN(line_add4)(T *restrict d, const T *restrict a0, const T *restrict a1, const T *restrict a2,
                           const T *restrict a3, const T *restrict w, size_t n)
{
    const T w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
    for (size_t i = 0; i < n; i++) d[i] = d[i] + w0 * a0[i] + w1 * a1[i] + w2 * a2[i] + w3 * a3[i];
}

/* Pairs: sym adds a + b, antisym b - a (b is the tap at +d). The "first" forms start from the
 * centre tap c instead of d: the same operations in the same order as writing w_c * c to d
 * and adding, without the extra sweep. */
#define PAIR(W, A, B) ((W) * (anti ? (B)[i] - (A)[i] : (A)[i] + (B)[i]))

ZS_LINE void TN(pair_first1)(T *restrict d, const T *restrict c, const T *restrict a, const T *restrict b,
                             const T *restrict w, int anti, size_t n)
{
    const T wc = w[0], w1 = w[1];
    for (size_t i = 0; i < n; i++) d[i] = wc * c[i] + PAIR(w1, a, b);
}

ZS_LINE void TN(pair_first2)(T *restrict d, const T *restrict c, const T *restrict a0, const T *restrict b0,
                             const T *restrict a1, const T *restrict b1, const T *restrict w, int anti, size_t n)
{
    const T wc = w[0], w1 = w[1], w2 = w[2];
    for (size_t i = 0; i < n; i++) d[i] = wc * c[i] + PAIR(w1, a0, b0) + PAIR(w2, a1, b1);
}

ZS_LINE void TN(pair_first4)(T *restrict d, const T *restrict c, const T *restrict a0, const T *restrict b0,
                             const T *restrict a1, const T *restrict b1, const T *restrict a2, const T *restrict b2,
                             const T *restrict a3, const T *restrict b3, const T *restrict w, int anti, size_t n)
{
    const T wc = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4];
    for (size_t i = 0; i < n; i++)
        d[i] = wc * c[i] + PAIR(w1, a0, b0) + PAIR(w2, a1, b1) + PAIR(w3, a2, b2) + PAIR(w4, a3, b3);
}

ZS_LINE void TN(pair_add1)(T *restrict d, const T *restrict a, const T *restrict b, T w1, int anti, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = d[i] + PAIR(w1, a, b);
}

ZS_LINE void TN(pair_add2)(T *restrict d, const T *restrict a0, const T *restrict b0, const T *restrict a1,
                           const T *restrict b1, const T *restrict w, int anti, size_t n)
{
    const T w1 = w[0], w2 = w[1];
    for (size_t i = 0; i < n; i++) d[i] = d[i] + PAIR(w1, a0, b0) + PAIR(w2, a1, b1);
}

ZS_LINE void TN(pair_add4)(T *restrict d, const T *restrict a0, const T *restrict b0, const T *restrict a1,
                           const T *restrict b1, const T *restrict a2, const T *restrict b2, const T *restrict a3,
                           const T *restrict b3, const T *restrict w, int anti, size_t n)
{
    const T w1 = w[0], w2 = w[1], w3 = w[2], w4 = w[3];
    for (size_t i = 0; i < n; i++)
        d[i] = d[i] + PAIR(w1, a0, b0) + PAIR(w2, a1, b1) + PAIR(w3, a2, b2) + PAIR(w4, a3, b3);
}

/* Voxels per sweep block: the block of dst stays in L1 while the groups of taps are added. */
#define SWEEP 1024

/* Symmetric (anti = 0) or antisymmetric (anti = 1): d[i] for i < n from lines c[j] + o.
 * Centre first (scipy's order too), then pairs j = 1..r in groups. The centre of an
 * antisymmetric kernel weighs 0, kept so that inf/NaN propagate as in scipy. anti is a
 * constant at each call site, so each clone has loops without the test. */
ZS_LINE void TN(combine_pairs)(T *d, const T *const *c, const T *w, int64_t r, int anti, size_t o, size_t n)
{
#define A(J) (c[-(J)] + o)
#define B(J) (c[(J)] + o)
    int64_t j;
    if (r >= 4) {
        TN(pair_first4)(d, c[0] + o, A(1), B(1), A(2), B(2), A(3), B(3), A(4), B(4), w, anti, n);
        j = 5;
    } else if (r >= 2) {
        TN(pair_first2)(d, c[0] + o, A(1), B(1), A(2), B(2), w, anti, n);
        j = 3;
    } else if (r == 1) {
        TN(pair_first1)(d, c[0] + o, A(1), B(1), w, anti, n);
        j = 2;
    } else {
        TN(line_set)(d, c[0] + o, w[0], n);
        return;
    }
    for (; j + 3 <= r; j += 4)
        TN(pair_add4)(d, A(j), B(j), A(j + 1), B(j + 1), A(j + 2), B(j + 2), A(j + 3), B(j + 3), w + j, anti, n);
    if (j + 1 <= r) {
        TN(pair_add2)(d, A(j), B(j), A(j + 1), B(j + 1), w + j, anti, n);
        j += 2;
    }
    if (j <= r) TN(pair_add1)(d, A(j), B(j), w[j], anti, n);
#undef A
#undef B
}

/* A general kernel: taps in order. */
ZS_LINE void TN(combine_taps)(T *d, const T *const *p, const T *w, int64_t nt, size_t o, size_t n)
{
    int64_t t = 1;
    TN(line_set)(d, p[0] + o, w[0], n);
    for (; t + 4 <= nt; t += 4) TN(line_add4)(d, p[t] + o, p[t + 1] + o, p[t + 2] + o, p[t + 3] + o, w + t, n);
    for (; t < nt; t++) TN(line_add1)(d, p[t] + o, w[t], n);
}

ZS_CLONES void TN(zs__sep_combine)(T *dst, const T *const *p, const zs_k1d *k, size_t n)
{
    if (k->identity) {
        memcpy(dst, p[0], n * sizeof *dst);
        return;
    }
    const int pairs = k->sym && k->lo == k->hi;
    for (size_t i = 0; i < n; i += SWEEP) {
        const size_t m = n - i < SWEEP ? n - i : SWEEP;
        if (!pairs)
            TN(combine_taps)(dst + i, p, k->KW, k->lo + k->hi + 1, i, m);
        else if (k->sym < 0)
            TN(combine_pairs)(dst + i, p + k->lo, k->KW + k->lo, k->lo, 1, i, m);
        else
            TN(combine_pairs)(dst + i, p + k->lo, k->KW + k->lo, k->lo, 0, i, m);
    }
}

void TN(zs__extend_inplace)(T *e, int64_t n, int64_t lo, int64_t klo, int64_t khi, const int64_t *map, T fill)
{
    for (int64_t i = lo - klo; i < lo; i++) e[i] = map[i] < 0 ? fill : e[lo + map[i]];
    for (int64_t i = lo + n; i < lo + n + khi; i++) e[i] = map[i] < 0 ? fill : e[lo + map[i]];
}

/* Tap planes of output plane j for z taps [-zlo, zhi] (fill for constant-mode taps outside
 * the volume). */
static zs_status TN(tap_planes)(const zs_kernel_call *c, int64_t zlo, int64_t zhi, zs_border zmode, const T *fill,
                                int64_t j, const T **taps)
{
    for (int64_t t = 0; t < zlo + zhi + 1; t++) {
        taps[t] = TN(zs_kcall_tap)(c, j, t - zlo, zmode, fill);
        ZS_RETURN_IF(!taps[t], ZS_EINTERNAL, "plane %lld%+lld is not among the call's input planes",
                     (long long)c->out_z[j], (long long)(t - zlo));
    }
    return ZS_OK;
}

static zs_status TN(driver_taps)(const zs_kernel_call *c, const TN(zs_sep_driver) * d, int64_t j, const T **taps)
{
    return TN(tap_planes)(c, d->zlo, d->zhi, d->zmode, d->fill, j, taps);
}

zs_status TN(zs__sep_drive)(const zs_kernel_call *c, const TN(zs_sep_driver) * d)
{
    const int64_t nt = d->zlo + d->zhi + 1;
    if (c->n_out <= 0) return ZS_OK;
    if (!d->has_z) {
        for (int64_t j = 0; j < c->n_out; j++) {
            const T *src = TN(zs_kcall_plane)(c, c->out_z[j]);
            ZS_RETURN_IF(!src, ZS_EINTERNAL, "plane %lld is not among the call's input planes", (long long)c->out_z[j]);
            d->yx(d->ctx, src, OUT_PLANE(c, j), j);
        }
        return ZS_OK;
    }
    /* z pass: output plane j's result into slot j+1 (slot n_out = spare), chunk by chunk so
     * the window of input chunks stays in L1 as j advances. The fill line is only as long
     * as a chunk, so its taps are not offset. */
    const int tabled = c->n_out <= d->tab_rows;
    if (tabled)
        for (int64_t j = 0; j < c->n_out; j++) ZS_FORWARD(TN(driver_taps)(c, d, j, d->taps + (size_t)(j * nt)));
    const T **lines = d->taps + (size_t)(d->tab_rows * nt);
    for (size_t i0 = d->zfrom; i0 < d->zto; i0 += d->chunk) {
        const size_t n = d->zto - i0 < d->chunk ? d->zto - i0 : d->chunk;
        for (int64_t j = 0; j < c->n_out; j++) {
            const T **tp = d->taps + (size_t)(j * nt);
            if (!tabled) ZS_FORWARD(TN(driver_taps)(c, d, j, tp = d->taps));
            for (int64_t t = 0; t < nt; t++) lines[t] = tp[t] == d->fill ? d->fill : tp[t] + i0;
            T *slot = j + 1 < c->n_out ? OUT_PLANE(c, j + 1) : d->spare;
            d->zpass(d->ctx, slot + i0, lines, n);
        }
    }
    /* y+x pass: slot j+1 into slot j, which step j-1 has finished reading. */
    for (int64_t j = 0; j < c->n_out; j++) {
        const T *src = j + 1 < c->n_out ? OUT_PLANE(c, j + 1) : d->spare;
        d->yx(d->ctx, src, OUT_PLANE(c, j), j);
    }
    return ZS_OK;
}

zs_status TN(zs__band_drive)(const zs_kernel_call *c, const TN(zs_band_driver) * d)
{
    const size_t nx = (size_t)c->nx;
    const int64_t nt = d->zlo + d->zhi + 1;
    const T **tp = d->taps, **lines = d->taps + nt;
    for (int64_t y0 = c->row_lo; y0 < c->row_hi; y0 += d->band) { /* only the rows that must be right */
        const int64_t m = c->row_hi - y0 < d->band ? c->row_hi - y0 : d->band, nrows = m + d->ylo + d->yhi;
        for (int64_t j = 0; j < c->n_out; j++) {
            const T *src = NULL;
            if (d->has_z) {
                ZS_FORWARD(TN(tap_planes)(c, d->zlo, d->zhi, d->zmode, d->fill, j, tp));
            } else {
                src = TN(zs_kcall_plane)(c, c->out_z[j]);
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
                        T *row = d->rows + (size_t)k * nx;
                        for (int64_t t = 0; t < nt; t++) lines[t] = tp[t] == d->fill ? d->fill : tp[t] + (size_t)r * nx;
                        d->zpass(d->ctx, row, lines, nx);
                        d->rowp[k] = row;
                    }
                }
            d->yx(d->ctx, d->rowp, OUT_PLANE(c, j) + (size_t)y0 * nx, y0, m, j);
        }
    }
    return ZS_OK;
}

#undef PAIR
#undef OUT_PLANE
#undef SWEEP
