/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The separable minimum / maximum engine of minmax.c, written once over the work element type:
 * minmax.c includes it with T = float, TN(x) = x (the float32 work type) and with T = double,
 * TN(x) = x##_f64 (float64). No include guard: it is meant to be included twice. */
#ifndef TN
#error "minmax_impl.h: define T and TN before including it"
#endif

#define IN_PLANE(c, s)  ((const T *)(const void *)(c)->in[s])
#define OUT_PLANE(c, j) ((T *)(void *)(c)->out[j])
#define OUT_PLANES(c)   ((T *const *)(const void *)(c)->out)

/* d = op(a, b), element-wise; the three do not overlap in written memory. */
ZS_SIMD_CLONES static void TN(v_op)(T *restrict d, const T *restrict a, const T *restrict b, int64_t w, int is_max)
{
    if (is_max)
        for (int64_t i = 0; i < w; i++) d[i] = OPMAX(a[i], b[i]);
    else
        for (int64_t i = 0; i < w; i++) d[i] = OPMIN(a[i], b[i]);
}

/* acc = op(acc, b) (acc_first) or acc = op(b, acc): the operand order is part of the result
 * for NaN and signed zeros, so every path keeps the same order. */
ZS_SIMD_CLONES static void TN(v_acc)(T *restrict acc, const T *restrict b, int64_t w, int is_max, int acc_first)
{
    if (is_max && acc_first)
        for (int64_t i = 0; i < w; i++) acc[i] = OPMAX(acc[i], b[i]);
    else if (is_max)
        for (int64_t i = 0; i < w; i++) acc[i] = OPMAX(b[i], acc[i]);
    else if (acc_first)
        for (int64_t i = 0; i < w; i++) acc[i] = OPMIN(acc[i], b[i]);
    else
        for (int64_t i = 0; i < w; i++) acc[i] = OPMIN(b[i], acc[i]);
}

/* A sliding op over a sequence of vectors: for r in [0,n), row r of dst (dst + r*ds) =
 * op over k in [0,s) of element r+k, element t being e[t] + off, or the cval vector cv
 * where e[t] is NULL. Blocks start where (t + phase) % s == 0. */
typedef struct TN(seq_job) {
    const T *const *e;
    const T *cv;
    int64_t off, n, s, phase, ds, w;
    T *dst, *suf, *pre; /* suf, pre: w floats each */
    int is_max;
    T *const *dp; /* non-NULL: output row r is dp[r] + doff (planes of a tile), not dst + r*ds */
    int64_t doff;
} TN(seq_job);

static T *TN(seq_dst)(const TN(seq_job) * j, int64_t r) { return j->dp ? j->dp[r] + j->doff : j->dst + r * j->ds; }

static const T *TN(seq_elem)(const TN(seq_job) * j, int64_t t) { return j->e[t] ? j->e[t] + j->off : j->cv; }

static void TN(seq_direct)(const TN(seq_job) * j)
{
    for (int64_t r = 0; r < j->n; r++) {
        T *d = TN(seq_dst)(j, r);
        if (j->s == 1) {
            memcpy(d, TN(seq_elem)(j, r), sizeof(T) * (size_t)j->w);
            continue;
        }
        TN(v_op)(d, TN(seq_elem)(j, r), TN(seq_elem)(j, r + 1), j->w, j->is_max);
        for (int64_t k = 2; k < j->s; k++) TN(v_acc)(d, TN(seq_elem)(j, r + k), j->w, j->is_max, 1);
    }
}

/* Suffixes of the block [bs, bs+s): S[t] = op(e[t], S[t+1]) into dst rows t < n (the
 * block's top lies at most at n+s-2; rows t >= n run in j->suf). */
static void TN(seq_suffix)(const TN(seq_job) * j, int64_t bs)
{
    const int64_t top = bs + j->s - 1, n = j->n, w = j->w;
    for (int64_t t = top; t >= (bs > 0 ? bs : 0); t--) {
        T *d = t < n ? TN(seq_dst)(j, t) : j->suf;
        if (t == top)
            memcpy(d, TN(seq_elem)(j, t), sizeof(T) * (size_t)w);
        else if (t >= n)
            TN(v_acc)(j->suf, TN(seq_elem)(j, t), w, j->is_max, 0);
        else
            TN(v_op)(d, TN(seq_elem)(j, t), t + 1 < n ? TN(seq_dst)(j, t + 1) : j->suf, w, j->is_max);
    }
}

static void TN(seq_vanherk)(const TN(seq_job) * j)
{
    const int64_t s = j->s, n = j->n, w = j->w;
    int64_t bs = -(((j->phase % s) + s) % s);
    for (; bs < n; bs += s) {
        TN(seq_suffix)(j, bs);
        /* Prefixes of the next block: P = op(P, e[bs+s+k-1]); output r = bs+k joins S[r], P. */
        const T *pp = NULL;
        for (int64_t k = 1; k < s && bs + k < n; k++) {
            const T *e = TN(seq_elem)(j, bs + s + k - 1);
            if (k == 1)
                pp = e;
            else if (pp == j->pre)
                TN(v_acc)(j->pre, e, w, j->is_max, 1);
            else {
                TN(v_op)(j->pre, pp, e, w, j->is_max);
                pp = j->pre;
            }
            if (bs + k >= 0) TN(v_acc)(TN(seq_dst)(j, bs + k), pp, w, j->is_max, 1);
        }
    }
}

static void TN(seq_filter)(const TN(seq_job) * j)
{
    if (j->s <= SMALL_SEQ)
        TN(seq_direct)(j);
    else
        TN(seq_vanherk)(j);
}

/* One row along x: dst[0..nx) from src extended by the mode. ext, a, b: nx+s-1 floats. */
typedef struct TN(row_job) {
    int64_t nx, lo, hi;
    zs_border mode;
    T cval;
    int is_max;
    T *ext, *a, *b;
} TN(row_job);

static void TN(row_doubling)(const TN(row_job) * j, T *dst, int64_t s, int64_t len)
{
    const T *m = j->ext;
    T *bufs[2] = {j->a, j->b};
    int64_t w = 1;
    for (int which = 0; 2 * w <= s; which ^= 1, w *= 2) {
        TN(v_op)(bufs[which], m, m + w, len - 2 * w + 1, j->is_max); /* op over [i, i+2w) */
        m = bufs[which];
    }
    if (w == s)
        memcpy(dst, m, sizeof(T) * (size_t)j->nx);
    else
        TN(v_op)(dst, m, m + (s - w), j->nx, j->is_max);
}

static void TN(row_vanherk)(const TN(row_job) * j, T *dst, int64_t s, int64_t len)
{
    const T *e = j->ext;
    T *g = j->a, *h = j->b;
    for (int64_t bs = 0; bs < len; bs += s) {
        int64_t be = bs + s < len ? bs + s : len;
        g[bs] = e[bs];
        h[be - 1] = e[be - 1];
        if (j->is_max) {
            for (int64_t t = bs + 1; t < be; t++) g[t] = OPMAX(g[t - 1], e[t]);
            for (int64_t t = be - 2; t >= bs; t--) h[t] = OPMAX(e[t], h[t + 1]);
        } else {
            for (int64_t t = bs + 1; t < be; t++) g[t] = OPMIN(g[t - 1], e[t]);
            for (int64_t t = be - 2; t >= bs; t--) h[t] = OPMIN(e[t], h[t + 1]);
        }
    }
    TN(v_op)(dst, h, g + s - 1, j->nx, j->is_max);
}

static void TN(row_filter)(const TN(row_job) * j, const T *src, T *dst)
{
    const int64_t s = j->lo + j->hi + 1, len = j->nx + s - 1;
    if (s == 1) {
        if (dst != src) memcpy(dst, src, sizeof(T) * (size_t)j->nx);
        return;
    }
    TN(zs_border_extend_row)(src, j->nx, j->lo, j->hi, j->mode, j->cval, j->ext);
    if (s <= SMALL_X)
        TN(row_doubling)(j, dst, s, len);
    else
        TN(row_vanherk)(j, dst, s, len);
}

/* ---- scratch layout ------------------------------------------------------------------ */

static void TN(mm_layout_of)(const zs_box *b, int64_t nx, int64_t ny, int64_t nplanes, mm_layout *l)
{
    const int64_t sx = zs__box_extent(b, 0), sy = zs__box_extent(b, 1), sz = zs__box_extent(b, 2);
    int64_t ne = nplanes + sz - 1 > ny + sy - 1 ? nplanes + sz - 1 : ny + sy - 1;
    size_t row = zs__sat_mul(sizeof(T), (size_t)(nx + sx - 1));
    l->neptr = ne;
    l->eptr = 0;
    l->q = zs__align64(zs__sat_mul(sizeof(const T *), (size_t)ne));
    l->rows = zs__sat_add(l->q, zs__align64(sy > 1 ? zs__sat_mul(sizeof(T), zs__sat_mul((size_t)nx, (size_t)ny)) : 0));
    l->tiles = zs__sat_add(l->rows, zs__align64(zs__sat_mul(3, zs__align64(row))));
    l->mask = zs__sat_add(l->tiles, 3 * sizeof(T) * TILE);
    l->total = zs__sat_add(l->mask, zs__nan_mask_bytes(nx, ny));
}

size_t TN(zs__minmax_scratch)(const zs_box *b, int64_t nx, int64_t ny, int64_t max_planes)
{
    mm_layout l;
    TN(mm_layout_of)(b, nx, ny, max_planes > 0 ? max_planes : 1, &l);
    return l.total;
}

/* ---- passes -------------------------------------------------------------------------- */
typedef struct TN(mm_ctx) {
    const zs_kernel_call *c;
    const zs_box *b;
    int is_max;
    const zs_border *mode; /* x y z */
    const T **eptr;
    T *q, *cv, *suf, *pre;
    TN(row_job) row;
} TN(mm_ctx);

static zs_status TN(z_pass)(const TN(mm_ctx) * m)
{
    const zs_kernel_call *c = m->c;
    const int64_t sz = zs__box_extent(m->b, 2), plane = c->nx * c->ny;
    for (int64_t r0 = 0, r1; r0 < c->n_out; r0 = r1) {
        for (r1 = r0 + 1; r1 < c->n_out && c->out_z[r1] == c->out_z[r1 - 1] + 1; r1++) continue;
        const int64_t z0 = c->out_z[r0] - m->b->lo[2];
        for (int64_t t = 0; t < r1 - r0 + sz - 1; t++) {
            int64_t z = zs_border_index(z0 + t, c->nz, m->mode[2]);
            m->eptr[t] = z < 0 ? NULL : TN(zs_kcall_plane)(c, z);
            ZS_RETURN_IF(z >= 0 && !m->eptr[t], ZS_EINTERNAL, "min/max: input plane %lld missing for output plane %lld",
                         (long long)z, (long long)c->out_z[r0]);
        }
        for (int64_t i0 = 0; i0 < plane; i0 += TILE) {
            TN(seq_job)
            j = {m->eptr,
                 m->cv,
                 i0,
                 r1 - r0,
                 sz,
                 z0,
                 plane,
                 plane - i0 < TILE ? plane - i0 : TILE,
                 NULL,
                 m->suf,
                 m->pre,
                 m->is_max,
                 OUT_PLANES(c) + r0,
                 i0};
            TN(seq_filter)(&j);
        }
    }
    return ZS_OK;
}

/* Output rows [r0, r1) of dst from src along y. */
static void TN(y_pass)(const TN(mm_ctx) * m, const T *src, T *dst, int64_t r0, int64_t r1)
{
    const zs_kernel_call *c = m->c;
    const int64_t sy = zs__box_extent(m->b, 1), lo = m->b->lo[1];
    for (int64_t t = 0; t < r1 - r0 + sy - 1; t++) {
        int64_t y = zs_border_index(r0 + t - lo, c->ny, m->mode[1]);
        m->eptr[t] = y < 0 ? NULL : src + y * c->nx;
    }
    for (int64_t x0 = 0; x0 < c->nx; x0 += TILE) {
        TN(seq_job)
        j = {m->eptr,
             m->cv,
             x0,
             r1 - r0,
             sy,
             r0 - lo,
             c->nx,
             c->nx - x0 < TILE ? c->nx - x0 : TILE,
             dst + r0 * c->nx + x0,
             m->suf,
             m->pre,
             m->is_max,
             NULL,
             0};
        TN(seq_filter)(&j);
    }
}

/* x then y on output plane `dst`, reading `src` (the z-pass result in dst, or an input plane). */
static void TN(xy_pass)(const TN(mm_ctx) * m, const T *src, T *dst)
{
    const zs_kernel_call *c = m->c;
    const int64_t sx = zs__box_extent(m->b, 0), sy = zs__box_extent(m->b, 1), nx = c->nx;
    const int64_t r0 = c->row_lo, r1 = c->row_hi; /* the rows that must be right */
    if (sy == 1) {
        for (int64_t y = r0; y < r1; y++) TN(row_filter)(&m->row, src + y * nx, dst + y * nx);
        return;
    }
    const T *ysrc = src;
    if (sx > 1 || src == dst) {
        /* the rows the y pass reads (all of them if its window crosses the tile's edge) */
        const int64_t a = r0 - m->b->lo[1], b = r1 + m->b->hi[1];
        const int64_t ya = a < 0 || b > c->ny ? 0 : a, yb = a < 0 || b > c->ny ? c->ny : b;
        for (int64_t y = ya; y < yb; y++) TN(row_filter)(&m->row, src + y * nx, m->q + y * nx);
        ysrc = m->q;
    }
    TN(y_pass)(m, ysrc, dst, r0, r1);
}

/* ---- the NaN rule (docs/design.md): a window that holds a NaN gives NaN ---------------------
 * The min/max selects above return their second operand when one is NaN (as minps), and the
 * selection networks and quickselect of rank.c do not order NaN either, so their result for such
 * a window depends on where the NaN sits. When a call's input holds a NaN (one vectorised scan),
 * the outputs whose window holds one are set to NaN afterwards: a separable OR of isnan over the
 * box (z taps, then y, then x, each extended by the mode as the filter extends its input; cval is
 * never NaN). +-Inf are ordered as any value and need nothing. */

ZS_SIMD_CLONES static int TN(plane_has_nan)(const T *restrict p, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) bad |= p[i] != p[i];
    return bad;
}

int TN(zs__call_has_nan)(const zs_kernel_call *c)
{
    for (int64_t s = 0; s < c->n_in; s++)
        if (TN(plane_has_nan)(IN_PLANE(c, s), (size_t)(c->nx * c->ny))) return 1;
    return 0;
}

ZS_SIMD_CLONES static void TN(or_isnan)(unsigned char *restrict m, const T *restrict p, size_t n)
{
    for (size_t i = 0; i < n; i++) m[i] |= p[i] != p[i];
}

/* NaN where the y-OR row `my` has a hit in x's box, in output row o. */
static void TN(nan_row)(const zs_kernel_call *c, const zs_box *b, zs_border xmode, const unsigned char *my, T *o)
{
    for (int64_t x = 0; x < c->nx; x++) {
        int hit = 0;
        for (int64_t d = -b->lo[0]; d <= b->hi[0] && !hit; d++) {
            const int64_t xi = zs_border_index(x + d, c->nx, xmode);
            hit = xi >= 0 && my[xi];
        }
        if (hit) o[x] = (T)NAN;
    }
}

zs_status TN(zs__nan_mask_apply)(const zs_kernel_call *c, const zs_box *b, const zs_border mode[3], unsigned char *m)
{
    const size_t nx = (size_t)c->nx, plane = nx * (size_t)c->ny;
    unsigned char *my = m + plane;
    for (int64_t j = 0; j < c->n_out; j++) {
        memset(m, 0, plane);
        for (int64_t d = -b->lo[2]; d <= b->hi[2]; d++) {
            const int64_t z = zs_border_index(c->out_z[j] + d, c->nz, mode[2]);
            const T *p = z < 0 ? NULL : TN(zs_kcall_plane)(c, z);
            ZS_RETURN_IF(z >= 0 && !p, ZS_EINTERNAL, "NaN mask: input plane %lld missing", (long long)z);
            if (p) TN(or_isnan)(m, p, plane);
        }
        for (int64_t r = c->row_lo; r < c->row_hi; r++) {
            unsigned char *row = my + (size_t)r * nx;
            memset(row, 0, nx);
            for (int64_t d = -b->lo[1]; d <= b->hi[1]; d++) {
                const int64_t y = zs_border_index(r + d, c->ny, mode[1]);
                if (y < 0) continue;
                for (size_t x = 0; x < nx; x++) row[x] |= m[(size_t)y * nx + x];
            }
            TN(nan_row)(c, b, mode[0], row, OUT_PLANE(c, j) + (size_t)r * nx);
        }
    }
    return ZS_OK;
}

zs_status TN(zs__minmax_apply)(const zs_kernel_call *c, const zs_box *box, int is_max, const zs_border mode[3], T cval,
                               void *scratch, size_t scratch_bytes, int has_nan)
{
    const zs_box clamped = box_clamped(c, box, mode), *b = &clamped;
    mm_layout l;
    TN(mm_layout_of)(b, c->nx, c->ny, c->n_out > 0 ? c->n_out : 1, &l);
    ZS_RETURN_IF(!scratch || scratch_bytes < l.total, ZS_EINTERNAL, "min/max: scratch of %zu bytes, %zu needed",
                 scratch_bytes, l.total);
    unsigned char *s = scratch;
    const int64_t sx = zs__box_extent(b, 0), rowlen = zs__align64(sizeof(T) * (size_t)(c->nx + sx - 1));
    T *tiles = zs__at(s, l.tiles);
    TN(mm_ctx)
    m = {c,
         b,
         is_max,
         mode,
         zs__at(s, l.eptr),
         zs__at(s, l.q),
         tiles,
         tiles + TILE,
         tiles + 2 * TILE,
         {c->nx, b->lo[0], b->hi[0], mode[0], cval, is_max, zs__at(s, l.rows), zs__at(s, l.rows + rowlen),
          zs__at(s, l.rows + 2 * rowlen)}};
    TN(zs__fill_plane)(m.cv, TILE, cval);
    const int zdone = zs__box_extent(b, 2) > 1;
    if (zdone) ZS_FORWARD(TN(z_pass)(&m));
    for (int64_t j = 0; j < c->n_out; j++) {
        T *dst = OUT_PLANE(c, j);
        const T *src = zdone ? dst : TN(zs_kcall_plane)(c, c->out_z[j]);
        ZS_RETURN_IF(!src, ZS_EINTERNAL, "min/max: input plane %lld missing", (long long)c->out_z[j]);
        TN(xy_pass)(&m, src, dst);
    }
    if (has_nan < 0) has_nan = TN(zs__call_has_nan)(c);
    return has_nan ? TN(zs__nan_mask_apply)(c, b, mode, zs__at(s, l.mask)) : ZS_OK;
}

#undef IN_PLANE
#undef OUT_PLANE
#undef OUT_PLANES
