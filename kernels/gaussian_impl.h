/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The gaussian engine's passes (gaussian.c), included once per work type with T (float or
 * double), TN(name) (name, or name_f64) and TSQRT (sqrtf or sqrt) defined. The weights, computed
 * in double (zs__gauss_weights) once per plan and rounded to float for float32 work, are the
 * prepared state's (zs_gstate); sums run in T. No include guard on purpose. */
#define OUT_PLANE(c, j) ((T *)(void *)(c)->out[j])

/* ---- the engine's per-call state, carved from scratch ------------------------------------------- */

typedef struct TN(grt) {
    const zs_kernel_call *c;
    const zs_gstate *st; /* the plan's tables (prepare): weights, x map, x edge weights, zeros */
    const zs_gspec *s;
    int64_t nx, ny;
    const T *zero;  /* st->zero as T */
    const T **ztab; /* tap planes: the driver's table (single) or plane j's */
    int64_t tab_rows;
    double *by[ZS_GMAX_TERMS], *sy[ZS_GMAX_TERMS];
    int64_t *ymap;
    T *ext, *row;
    const T **ptrs;
    T *plane[ZS_GMAX_TERMS]; /* z results of the terms owning a z kernel; [0]: the
                                    driver's spare plane for a single filter */
    size_t chunk;
    size_t zfrom, zto; /* voxels of a plane the y pass reads: the z pass computes only those */
} TN(grt);

/* The per-call part of the layout: what depends on the tile's rows (the y map and edge weights)
 * and the work buffers. The tables every call reads are the state's. */
static void TN(glayout)(TN(grt) * g, zs_bump *b, const zs_gstate *st, int64_t nx, int64_t ny, int64_t max_out)
{
    const zs_gspec *s = &st->s;
    const size_t plane = (size_t)nx * (size_t)ny;
    g->st = st;
    g->s = s;
    g->nx = nx;
    g->ny = ny;
    g->zero = st->zero;
    g->chunk = zs__sep_chunk(st->ztaps, plane);
    g->ymap = zs__bump_take(b, (size_t)(st->ylo + ny + st->ylo), sizeof(int64_t));
    g->ext = zs__bump_take(b, (size_t)(st->xlo + nx + st->xlo), sizeof(T));
    g->row = zs__bump_take(b, (size_t)nx, sizeof(T));
    g->ptrs = zs__bump_take(b, (size_t)st->maxtaps, sizeof(T *));
    /* the single filter's driver: a tap table and the lines of a chunk */
    g->tab_rows = s->nterms == 1 ? zs__sep_tab_rows(st->ztaps, max_out) : 0;
    g->ztab = zs__bump_take(b, (size_t)((g->tab_rows + 1) * st->ztaps), sizeof(T *));
    for (int t = 0; t < s->nterms; t++) {
        g->by[t] = st->cfix ? zs__bump_take(b, (size_t)ny, sizeof(double)) : NULL;
        g->sy[t] = st->cfix ? zs__bump_take(b, (size_t)ny, sizeof(double)) : NULL;
        g->plane[t] = NULL;
        if (axis_on(s, t, 2) && st->zu[t] == t) g->plane[t] = zs__bump_take(b, plane, sizeof(T));
    }
}

static void TN(gsetup)(TN(grt) * g)
{
    const zs_gstate *st = g->st;
    zs__tile_ymap(g->c, g->ymap, st->ylo, st->ylo, (zs_border)g->s->nb.mode[1]);
    /* The rows the y pass reads (TN(g_yx): ymap[y + d + ylo]): a tile much taller than the volume
     * (a radius of thousands over a few dozen rows) reads its few volume rows only. */
    int64_t r0 = g->ny, r1 = 0;
    for (int64_t i = g->c->row_lo; i < g->c->row_hi + 2 * st->ylo; i++)
        if (g->ymap[i] >= 0) r0 = g->ymap[i] < r0 ? g->ymap[i] : r0, r1 = g->ymap[i] + 1 > r1 ? g->ymap[i] + 1 : r1;
    g->zfrom = r0 < r1 ? (size_t)r0 * (size_t)g->nx : 0;
    g->zto = r0 < r1 ? (size_t)r1 * (size_t)g->nx : 0;
    if (!st->cfix) return;
    for (int t = 0; t < g->s->nterms; t++)
        edge_line(st->wd[t][1], st->k[t][1].lo, g->c->ny_vol, g->s->nb.mode[1] == ZS_BORDER_CONSTANT, g->c->y0, g->ny,
                  g->by[t], g->sy[t]);
}

/* ---- the y and x passes of one term into a plane --------------------------------------------- */

static void TN(apply_op)(T *restrict d, const T *restrict r, zs_gop op, size_t n)
{
    switch (op) {
    case ZS_GOP_SET:
        memcpy(d, r, n * sizeof *d);
        break;
    case ZS_GOP_ADD:
        for (size_t i = 0; i < n; i++) d[i] = d[i] + r[i];
        break;
    case ZS_GOP_SUB:
        for (size_t i = 0; i < n; i++) d[i] = d[i] - r[i];
        break;
    case ZS_GOP_SQSET:
        for (size_t i = 0; i < n; i++) d[i] = r[i] * r[i];
        break;
    case ZS_GOP_SQADD:
        for (size_t i = 0; i < n; i++) d[i] = d[i] + r[i] * r[i];
        break;
    }
}

/* row[x] += cval * (b_x s_y s_z + b_y s_z + b_z), the constant-mode border in scipy's order. */
static void TN(add_cval)(T *restrict row, const double *restrict bx, int64_t nx, double a, double c)
{
    for (int64_t x = 0; x < nx; x++) row[x] = row[x] + (T)(a * bx[x] + c);
}

static void TN(g_yx)(TN(grt) * g, int t, const T *src, T *dst, double sz, double bz)
{
    const zs_k1d *ky = &g->st->k[t][1], *kx = &g->st->k[t][0];
    const zs_gop op = g->s->t[t].op;
    const int64_t nx = g->nx;
    const double cval = g->s->nb.cval;
    T *mid = g->ext + g->st->xlo;
    for (int64_t y = g->c->row_lo; y < g->c->row_hi; y++) { /* only the rows that must be right */
        T *drow = dst + (size_t)y * (size_t)nx;
        for (int64_t d = -ky->lo; d <= ky->hi; d++) {
            const int64_t r = g->ymap[y + d + g->st->ylo];
            g->ptrs[d + ky->lo] = r < 0 ? g->zero : src + (size_t)r * (size_t)nx;
        }
        TN(zs__sep_combine)(mid, g->ptrs, ky, (size_t)nx);
        T *res = mid;
        if (!kx->identity) {
            TN(zs__extend_inplace)(g->ext, nx, g->st->xlo, kx->lo, kx->hi, g->st->xmap, 0.0f);
            for (int64_t d = -kx->lo; d <= kx->hi; d++) g->ptrs[d + kx->lo] = mid + d;
            res = op == ZS_GOP_SET && !g->st->cfix ? drow : g->row;
            TN(zs__sep_combine)(res, g->ptrs, kx, (size_t)nx);
        }
        if (g->st->cfix) TN(add_cval)(res, g->st->bx[t], nx, cval * g->sy[t][y] * sz, cval * (g->by[t][y] * sz + bz));
        if (res != drow) TN(apply_op)(drow, res, op, (size_t)nx);
    }
}

/* s_z and b_z of term t at output plane z. */
static void TN(zedge)(const TN(grt) * g, int t, int64_t z, double *sz, double *bz)
{
    *sz = 1.0;
    *bz = 0.0;
    if (g->st->cfix && g->st->wd[t][2])
        edge_line(g->st->wd[t][2], g->st->k[t][2].lo, g->c->nz, g->s->nb.mode[2] == ZS_BORDER_CONSTANT, z, 1, bz, sz);
}

/* ---- single filter: the slab driver --------------------------------------------------------- */

static void TN(single_z)(void *ctx, T *dst, const T *const *taps, size_t n)
{
    const TN(grt) *g = ctx;
    TN(zs__sep_combine)(dst, taps, &g->st->k[0][2], n);
}

static void TN(single_yx)(void *ctx, const T *src, T *dst, int64_t slot)
{
    TN(grt) *g = ctx;
    double sz, bz;
    TN(zedge)(g, 0, g->c->out_z[slot], &sz, &bz);
    TN(g_yx)(g, 0, src, dst, sz, bz);
}

static zs_status TN(run_single)(TN(grt) * g)
{
    const zs_k1d *kz = &g->st->k[0][2];
    TN(zs_sep_driver)
    d = {kz->lo,      kz->hi,       !kz->identity, (zs_border)g->s->nb.mode[2],
         g->zero,     g->chunk,     g->ztab,       g->tab_rows,
         g->plane[0], TN(single_z), TN(single_yx), g,
         g->zfrom,    g->zto};
    return TN(zs__sep_drive)(g->c, &d);
}

/* ---- sums of filters: plane by plane ---------------------------------------------------------- */

/* The z passes of output plane j for every distinct z kernel, chunk by chunk so that the
 * input chunks read for the first kernel are still in cache for the others. zres[t] is the
 * z result term t reads (the input plane itself when z is not filtered). */
static zs_status TN(multi_z)(TN(grt) * g, int64_t j, const T *zres[ZS_GMAX_TERMS])
{
    const zs_kernel_call *c = g->c;
    int64_t r = 0;
    for (int t = 0; t < g->s->nterms; t++) {
        zres[t] = g->plane[t];
        if (g->plane[t] && g->st->k[t][2].lo > r) r = g->st->k[t][2].lo;
        if (!g->st->k[t][2].identity) continue;
        zres[t] = TN(zs_kcall_plane)(c, c->out_z[j]);
        ZS_RETURN_IF(!zres[t], ZS_EINTERNAL, "plane %lld is not among the call's input planes", (long long)c->out_z[j]);
    }
    for (int64_t d = -r; d <= r; d++) {
        g->ztab[d + r] = TN(zs_kcall_tap)(c, j, d, (zs_border)g->s->nb.mode[2], g->zero);
        ZS_RETURN_IF(!g->ztab[d + r], ZS_EINTERNAL, "plane %lld%+lld is not among the call's input planes",
                     (long long)c->out_z[j], (long long)d);
    }
    for (size_t i0 = g->zfrom; i0 < g->zto; i0 += g->chunk) {
        const size_t n = g->zto - i0 < g->chunk ? g->zto - i0 : g->chunk;
        for (int64_t t = 0; t < 2 * r + 1; t++) g->ptrs[t] = g->ztab[t] == g->zero ? g->zero : g->ztab[t] + i0;
        for (int t = 0; t < g->s->nterms; t++)
            if (g->plane[t])
                TN(zs__sep_combine)(g->plane[t] + i0, g->ptrs + (r - g->st->k[t][2].lo), &g->st->k[t][2], n);
    }
    return ZS_OK;
}

static zs_status TN(run_multi)(TN(grt) * g)
{
    const zs_kernel_call *c = g->c;
    const size_t plane = (size_t)g->nx * (size_t)g->ny;
    for (int64_t j = 0; j < c->n_out; j++) {
        const T *zres[ZS_GMAX_TERMS];
        T *dst = OUT_PLANE(c, j);
        ZS_FORWARD(TN(multi_z)(g, j, zres));
        for (int t = 0; t < g->s->nterms; t++) {
            double sz, bz;
            TN(zedge)(g, t, c->out_z[j], &sz, &bz);
            TN(g_yx)(g, t, zres[g->st->zu[t]], dst, sz, bz);
        }
        if (g->s->sqrt_final)
            for (size_t i = 0; i < plane; i++) dst[i] = TSQRT(dst[i]);
    }
    return ZS_OK;
}

zs_status TN(zs__gauss_run)(const zs_kernel_call *c)
{
    const zs_gstate *st = c->state;
    ZS_RETURN_IF(!st || st->nx != c->nx, ZS_EINTERNAL,
                 "gaussian: called without the state prepare() makes for tiles of %lld columns", (long long)c->nx);
    TN(grt) g;
    zs_bump b = {c->scratch, 0, c->scratch_bytes, 0};
    TN(glayout)(&g, &b, st, c->nx, c->ny, c->n_out);
    ZS_RETURN_IF(b.overflow || !c->scratch, ZS_EINTERNAL, "gaussian: scratch of %zu bytes is too small",
                 c->scratch_bytes);
    g.c = c;
    TN(gsetup)(&g);
    return st->s.nterms == 1 ? TN(run_single)(&g) : TN(run_multi)(&g);
}

#undef OUT_PLANE
