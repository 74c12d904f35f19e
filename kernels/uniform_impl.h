/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The uniform filter's passes (uniform.c), included once per work type with T (float or
 * double) and TN(name) (name, or name_f64) defined: values of type T, sums in double either way.
 * No include guard on purpose. */
typedef struct TN(urt) {
    const zs_kernel_call *c;
    int64_t nx, ny;
    int64_t lo[3], hi[3]; /* taps [-lo, hi] per axis */
    int on[3];            /* the axis is filtered */
    double inv[3];        /* 1 / size */
    T cval;
    int64_t *xmap, *ymap;
    T *ext;         /* 4 rows of lo[0] + nx + hi[0]: rows being filtered along x */
    double *acc;    /* max(nx, UBLOCK): the z pass's sums, then the y pass's running sum */
    double *xacc;   /* UBLOCK: the x pass's sums */
    T *fill;        /* nx floats of cval */
    int64_t band;   /* the band driver's output rows per band */
    T *rows;        /* its z results: (band + lo[1] + hi[1]) rows */
    const T **rowp; /* band + lo[1] + hi[1] */
    const T **taps; /* 2 * z taps */
} TN(urt);

static void TN(ulayout)(TN(urt) * u, zs_bump *b, const uniform_params *p, int64_t nx, int64_t ny)
{
    uniform_axes(p, u->lo, u->hi, u->on);
    u->nx = nx;
    u->ny = ny;
    const int64_t ztaps = u->lo[2] + u->hi[2] + 1, brows_extra = u->lo[1] + u->hi[1];
    u->band = zs__band_rows(nx, ny, ztaps, u->lo[1], u->hi[1]);
    u->xmap = zs__bump_take(b, (size_t)(u->lo[0] + nx + u->hi[0]), sizeof(int64_t));
    u->ymap = zs__bump_take(b, (size_t)(u->lo[1] + ny + u->hi[1]), sizeof(int64_t));
    u->ext = zs__bump_take(b, 4 * (size_t)(u->lo[0] + nx + u->hi[0]), sizeof(T));
    u->acc = zs__bump_take(b, nx > UBLOCK ? (size_t)nx : UBLOCK, sizeof(double));
    u->xacc = zs__bump_take(b, UBLOCK, sizeof(double));
    u->fill = zs__bump_take(b, (size_t)nx, sizeof(T));
    u->rows = u->on[2] ? zs__bump_take(b, (size_t)(u->band + brows_extra) * (size_t)nx, sizeof(T)) : NULL;
    u->rowp = zs__bump_take(b, (size_t)(u->band + brows_extra), sizeof(T *));
    u->taps = zs__bump_take(b, 2 * (size_t)ztaps, sizeof(T *));
}

/* ---- double accumulators ---------------------------------------------------------------------- */

ZS_LINE void TN(dacc_set)(double *restrict acc, const T *restrict a, size_t n)
{
    for (size_t i = 0; i < n; i++) acc[i] = (double)a[i];
}

ZS_LINE void TN(dacc_add1)(double *restrict acc, const T *restrict a, size_t n)
{
    for (size_t i = 0; i < n; i++) acc[i] = acc[i] + (double)a[i];
}

ZS_LINE void TN(dacc_add4)(double *restrict acc, const T *restrict a0, const T *restrict a1, const T *restrict a2,
                           const T *restrict a3, size_t n)
{
    for (size_t i = 0; i < n; i++) acc[i] = acc[i] + (double)a0[i] + (double)a1[i] + (double)a2[i] + (double)a3[i];
}

ZS_LINE void TN(dacc_store)(T *restrict dst, const double *restrict acc, double inv, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = (T)(acc[i] * inv);
}

/* dst[i] = mean of the nt lines p[t][i] (2 <= nt <= 5) in one sweep: the same additions in the
 * same order as TN(dacc_set) + TN(dacc_add4)/TN(dacc_add1) + TN(dacc_store), without the accumulator's round
 * trips through L1, so the bits are those of the general path. */
ZS_LINE void TN(box_small)(T *restrict dst, const T *const *p, int64_t nt, double inv, size_t n)
{
    const T *restrict a = p[0], *restrict b = p[1];
    const T *restrict c = nt > 2 ? p[2] : p[0], *restrict d = nt > 3 ? p[3] : p[0];
    const T *restrict e = nt > 4 ? p[4] : p[0];
    switch (nt) {
    case 2:
        for (size_t i = 0; i < n; i++) dst[i] = (T)(((double)a[i] + (double)b[i]) * inv);
        break;
    case 3:
        for (size_t i = 0; i < n; i++) dst[i] = (T)((((double)a[i] + (double)b[i]) + (double)c[i]) * inv);
        break;
    case 4:
        for (size_t i = 0; i < n; i++)
            dst[i] = (T)(((((double)a[i] + (double)b[i]) + (double)c[i]) + (double)d[i]) * inv);
        break;
    default:
        for (size_t i = 0; i < n; i++)
            dst[i] = (T)((((((double)a[i] + (double)b[i]) + (double)c[i]) + (double)d[i]) + (double)e[i]) * inv);
        break;
    }
}

/* out[x] = mean of e[x .. x + s - 1] for x < nx, summed left to right in double. */
ZS_LINE void TN(xdirect)(T *restrict out, const T *e, double *restrict acc, int64_t s, int64_t nx, double inv)
{
    if (s >= 2 && s <= 5) {
        const T *p[5] = {e, e + 1, e + (s > 2 ? 2 : 0), e + (s > 3 ? 3 : 0), e + (s > 4 ? 4 : 0)};
        TN(box_small)(out, p, s, inv, (size_t)nx);
        return;
    }
    for (int64_t x0 = 0; x0 < nx; x0 += UBLOCK) {
        const size_t m = (size_t)(nx - x0 < UBLOCK ? nx - x0 : UBLOCK);
        const T *b = e + x0;
        int64_t t = 1;
        TN(dacc_set)(acc, b, m);
        for (; t + 4 <= s; t += 4) TN(dacc_add4)(acc, b + t, b + t + 1, b + t + 2, b + t + 3, m);
        for (; t < s; t++) TN(dacc_add1)(acc, b + t, m);
        TN(dacc_store)(out + x0, acc, inv, m);
    }
}

/* 0 when a value of p[0..n) is NaN or +-Inf (x - x is 0 for every finite x). */
ZS_LINE int TN(row_finite)(const T *restrict p, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) bad |= (p[i] - p[i]) != 0.0f;
    return !bad;
}

/* Running means along four extended rows at once (four independent dependency chains):
 * out_q[x] = mean of e_q[x .. x + s - 1]. Each row's operations are those of a row alone. */
ZS_LINE void TN(xrun4)(T *const out[4], const T *const e[4], int64_t rows, int64_t s, int64_t nx, double inv)
{
    double acc[4] = {0.0, 0.0, 0.0, 0.0};
    if (rows < 4) {
        for (int64_t q = 0; q < rows; q++) {
            for (int64_t t = 0; t < s; t++) acc[q] += (double)e[q][t];
            out[q][0] = (T)(acc[q] * inv);
            for (int64_t x = 1; x < nx; x++) {
                acc[q] += (double)e[q][x + s - 1] - (double)e[q][x - 1];
                out[q][x] = (T)(acc[q] * inv);
            }
        }
        return;
    }
    const T *restrict e0 = e[0], *restrict e1 = e[1], *restrict e2 = e[2], *restrict e3 = e[3];
    T *restrict o0 = out[0], *restrict o1 = out[1], *restrict o2 = out[2], *restrict o3 = out[3];
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    for (int64_t t = 0; t < s; t++) {
        a0 += (double)e0[t];
        a1 += (double)e1[t];
        a2 += (double)e2[t];
        a3 += (double)e3[t];
    }
    o0[0] = (T)(a0 * inv);
    o1[0] = (T)(a1 * inv);
    o2[0] = (T)(a2 * inv);
    o3[0] = (T)(a3 * inv);
    for (int64_t x = 1; x < nx; x++) {
        a0 += (double)e0[x + s - 1] - (double)e0[x - 1];
        a1 += (double)e1[x + s - 1] - (double)e1[x - 1];
        a2 += (double)e2[x + s - 1] - (double)e2[x - 1];
        a3 += (double)e3[x + s - 1] - (double)e3[x - 1];
        o0[x] = (T)(a0 * inv);
        o1[x] = (T)(a1 * inv);
        o2[x] = (T)(a2 * inv);
        o3[x] = (T)(a3 * inv);
    }
}

/* ---- passes --------------------------------------------------------------------------------------- */

ZS_TARGET_CLONES_512 static void TN(u_zpass)(void *ctx, T *dst, const T *const *taps, size_t n)
{
    TN(urt) *u = ctx;
    const int64_t nt = u->lo[2] + u->hi[2] + 1;
    if (nt >= 2 && nt <= 5) {
        TN(box_small)(dst, taps, nt, u->inv[2], n);
        return;
    }
    for (size_t b0 = 0; b0 < n; b0 += UBLOCK) {
        const size_t m = n - b0 < UBLOCK ? n - b0 : UBLOCK;
        int64_t t = 1;
        TN(dacc_set)(u->acc, taps[0] + b0, m);
        for (; t + 4 <= nt; t += 4)
            TN(dacc_add4)(u->acc, taps[t] + b0, taps[t + 1] + b0, taps[t + 2] + b0, taps[t + 3] + b0, m);
        for (; t < nt; t++) TN(dacc_add1)(u->acc, taps[t] + b0, m);
        TN(dacc_store)(dst + b0, u->acc, u->inv[2], m);
    }
}

/* Output rows y0 .. y0+m-1 (dst is row y0): rowp[k] is the z result of row y0 - lo[1] + k. The y
 * pass sums each output row's sy rows directly, top to bottom, so a row's sum does not depend on
 * where its band or tile starts (tiles of any height give the same bits); rows go four at a
 * time to the x pass. */
ZS_TARGET_CLONES_512 static void TN(u_yx)(void *ctx, const T *const *rowp, T *dst, int64_t y0, int64_t m, int64_t slot)
{
    TN(urt) *u = ctx;
    const size_t nx = (size_t)u->nx, elen = (size_t)(u->lo[0] + u->nx + u->hi[0]);
    const int64_t sy = u->lo[1] + u->hi[1] + 1, sx = u->lo[0] + u->hi[0] + 1;
    (void)y0;
    (void)slot;
    for (int64_t q0 = 0; q0 < m; q0 += 4) {
        const int64_t rows = m - q0 < 4 ? m - q0 : 4;
        T *out[4];
        const T *ext[4];
        for (int64_t q = 0; q < rows; q++) {
            const int64_t k = q0 + q;
            T *e = u->ext + (size_t)q * elen, *mid = e + u->lo[0];
            out[q] = dst + (size_t)k * nx;
            ext[q] = e;
            if (u->on[1] && sy <= 5) {
                TN(box_small)(mid, rowp + k, sy, u->inv[1], nx);
            } else if (u->on[1]) {
                int64_t t = 1;
                TN(dacc_set)(u->acc, rowp[k], nx);
                for (; t + 4 <= sy; t += 4)
                    TN(dacc_add4)(u->acc, rowp[k + t], rowp[k + t + 1], rowp[k + t + 2], rowp[k + t + 3], nx);
                for (; t < sy; t++) TN(dacc_add1)(u->acc, rowp[k + t], nx);
                TN(dacc_store)(mid, u->acc, u->inv[1], nx);
            } else {
                memcpy(mid, rowp[k], nx * sizeof *mid);
            }
            if (!u->on[0]) {
                memcpy(out[q], mid, nx * sizeof *mid);
                continue;
            }
            TN(zs__extend_inplace)(e, u->nx, u->lo[0], u->lo[0], u->hi[0], u->xmap, u->cval);
            if (sx <= XDIRECT) TN(xdirect)(out[q], e, u->xacc, sx, u->nx, u->inv[0]);
        }
        if (u->on[0] && sx > XDIRECT) {
            TN(xrun4)(out, ext, rows, sx, u->nx, u->inv[0]);
            /* A NaN or Inf would stay in a running sum past its window (Inf - Inf): a row with a
             * value that is not finite is summed again directly (the NaN rule, docs/design.md). */
            for (int64_t q = 0; q < rows; q++)
                if (!TN(row_finite)(out[q], nx)) TN(xdirect)(out[q], ext[q], u->xacc, sx, u->nx, u->inv[0]);
        }
    }
}

static zs_status TN(uniform_go)(const zs_kernel_call *c)
{
    const uniform_params *p = c->params;
    TN(urt) u;
    zs_bump b = {c->scratch, 0, c->scratch_bytes, 0};
    TN(ulayout)(&u, &b, p, c->nx, c->ny);
    ZS_RETURN_IF(b.overflow || !c->scratch, ZS_EINTERNAL, "uniform: scratch of %zu bytes is too small",
                 c->scratch_bytes);
    u.c = c;
    u.cval = (T)p->nb.cval;
    for (int a = 0; a < 3; a++) u.inv[a] = 1.0 / (double)(u.lo[a] + u.hi[a] + 1);
    zs__border_map(u.xmap, u.nx, u.lo[0], u.hi[0], (zs_border)p->nb.mode[0]);
    zs__tile_ymap(c, u.ymap, u.lo[1], u.hi[1], (zs_border)p->nb.mode[1]);
    TN(zs__fill_plane)(u.fill, (size_t)u.nx, u.cval);
    TN(zs_band_driver)
    d = {u.lo[2],     u.hi[2],  u.on[2], (zs_border)p->nb.mode[2],
         u.lo[1],     u.hi[1],  u.ymap,  u.fill,
         u.band,      u.rows,   u.rowp,  u.taps,
         TN(u_zpass), TN(u_yx), &u};
    return TN(zs__band_drive)(c, &d);
}
