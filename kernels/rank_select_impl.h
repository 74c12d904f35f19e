/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Rank filters for large windows (rank.c): gather each window and select. Written once over the
 * work element type: rank.c includes it with T = float, TN(x) = x and with T = double,
 * TN(x) = x##_f64 (float64 plans, which take this path for every window size). No include guard. */
#ifndef TN
#error "rank_select_impl.h: define T and TN before including it"
#endif

#define OUT_PLANE(c, j) ((T *)(void *)(c)->out[j])
/* SEL_COLUMNS (defined by the includer): small windows take the sorted-columns path below. */

static size_t TN(sel_layout_of)(const rk_geom *g, int64_t nx, sel_layout *l)
{
    l->rs = (nx + g->s[0] - 1 + 15) / 16 * 16;
    l->rows = 0;
    l->buf = zs__align64(zs__sat_mul(sizeof(T), zs__sat_mul((size_t)l->rs, (size_t)g->m)));
    l->taps = zs__sat_add(l->buf, zs__align64(zs__sat_mul(sizeof(T), (size_t)g->n)));
    l->total = zs__sat_add(l->taps, zs__sat_mul(sizeof(T *), (size_t)g->s[2]));
    return l->total;
}

static void TN(heap_sift)(T *v, int64_t n, int64_t i)
{
    for (int64_t c = 2 * i + 1; c < n; i = c, c = 2 * i + 1) {
        if (c + 1 < n && v[c] < v[c + 1]) c++;
        if (!(v[i] < v[c])) return;
        T t = v[i];
        v[i] = v[c];
        v[c] = t;
    }
}

static void TN(heap_sort)(T *v, int64_t n)
{
    for (int64_t i = n / 2 - 1; i >= 0; i--) TN(heap_sift)(v, n, i);
    for (int64_t e = n - 1; e > 0; e--) {
        T t = v[0];
        v[0] = v[e];
        v[e] = t;
        TN(heap_sift)(v, e, 0);
    }
}

/* The k-th smallest of v[0..n) (v is permuted): three-way quickselect around a median of
 * three, falling back to heapsort after 2*log2(n) rounds. Every loop is bounded by indices,
 * so NaN (which compares unordered) cannot run it off the array. */
static T TN(select_rank)(T *v, int64_t n, int64_t k)
{
    int64_t lo = 0, hi = n - 1, budget = 8;
    for (int64_t t = n; t > 1; t >>= 1) budget += 2;
    while (lo < hi) {
        if (budget-- <= 0) {
            TN(heap_sort)(v + lo, hi - lo + 1);
            return v[k];
        }
        T a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
        T p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        int64_t lt = lo, i = lo, gt = hi;
        while (i <= gt) {
            T x = v[i];
            if (x < p) {
                v[i++] = v[lt];
                v[lt++] = x;
            } else if (p < x) {
                v[i] = v[gt];
                v[gt--] = x;
            } else
                i++;
        }
        if (k < lt)
            hi = lt - 1;
        else if (k > gt)
            lo = gt + 1;
        else
            return v[k];
    }
    return v[k];
}

/* Windows of short columns (float64 plans, SEL_COLUMNS): each column of the extended rows (its
 * m = sy*sz values) is sorted once in place, by insertion, and shared by the sx outputs that read
 * it; an output's rank is then taken from its sx sorted columns by merging their heads. Exact as
 * quickselect (the value of rank r); NaN windows are set afterwards by the NaN mask. */
#ifndef SEL_COL_MAX
#define SEL_COL_MAX 64
#endif

static int TN(sel_columns)(const rk_geom *g)
{
#ifdef SEL_COLUMNS
    return g->m <= SEL_COL_MAX && g->s[0] <= SEL_COL_MAX && (g->rank + 1) * g->s[0] <= 4 * g->n;
#else
    (void)g;
    return 0;
#endif
}

static void TN(sort_columns)(T *rows, int64_t rs, int64_t m, int64_t len)
{
    for (int64_t x = 0; x < len; x++)
        for (int64_t q = 1; q < m; q++) {
            const T v = rows[q * rs + x];
            int64_t j = q;
            for (; j > 0 && v < rows[(j - 1) * rs + x]; j--) rows[j * rs + x] = rows[(j - 1) * rs + x];
            rows[j * rs + x] = v;
        }
}

static T TN(merge_rank)(const T *rows, int64_t rs, int64_t m, int64_t sx, int64_t rank)
{
    int64_t head[SEL_COL_MAX];
    for (int64_t dx = 0; dx < sx; dx++) head[dx] = 0;
    T v = 0;
    for (int64_t k = 0; k <= rank; k++) {
        int64_t best = -1;
        for (int64_t dx = 0; dx < sx; dx++)
            if (head[dx] < m && (best < 0 || rows[head[dx] * rs + dx] < rows[head[best] * rs + best])) best = dx;
        v = rows[head[best] * rs + best];
        head[best]++;
    }
    return v;
}

/* One output row: rows[q] holds source row q = dz*sy + dy extended in x. */
static void TN(select_row)(const rk_geom *g, const sel_layout *l, T *rows, T *buf, int64_t nx, T *out)
{
    const int64_t sx = g->s[0], nq = g->m;
    if (TN(sel_columns)(g)) {
        TN(sort_columns)(rows, l->rs, nq, nx + sx - 1);
        for (int64_t x = 0; x < nx; x++) out[x] = TN(merge_rank)(rows + x, l->rs, nq, sx, g->rank);
        return;
    }
    for (int64_t x = 0; x < nx; x++) {
        int64_t k = 0;
        for (int64_t q = 0; q < nq; q++) {
            const T *src = rows + q * l->rs + x;
            for (int64_t dx = 0; dx < sx; dx++) buf[k++] = src[dx];
        }
        out[x] = TN(select_rank)(buf, g->n, g->rank);
    }
}

static zs_status TN(rank_select)(const zs_kernel_call *c, const rk_geom *g, zs_border mode, T cval)
{
    sel_layout l;
    const size_t need = TN(sel_layout_of)(g, c->nx, &l);
    ZS_RETURN_IF(!c->scratch || c->scratch_bytes < need, ZS_EINTERNAL, "rank: scratch of %zu bytes, %zu needed",
                 c->scratch_bytes, need);
    unsigned char *s = c->scratch;
    T *rows = zs__at(s, l.rows), *buf = zs__at(s, l.buf);
    const T **taps = zs__at(s, l.taps);
    const int64_t nx = c->nx, ny = c->ny, sy = g->s[1], sz = g->s[2];
    for (int64_t j = 0; j < c->n_out; j++) {
        for (int64_t dz = 0; dz < sz; dz++) {
            int64_t z = zs_border_index(c->out_z[j] + dz - g->lo[2], c->nz, mode);
            taps[dz] = z < 0 ? NULL : TN(zs_kcall_plane)(c, z);
            ZS_RETURN_IF(z >= 0 && !taps[dz], ZS_EINTERNAL, "rank: input plane %lld missing", (long long)z);
        }
        for (int64_t y = c->row_lo; y < c->row_hi; y++) {
            for (int64_t dz = 0; dz < sz; dz++)
                for (int64_t dy = 0; dy < sy; dy++) {
                    int64_t yy = zs_border_index(y + dy - g->lo[1], ny, mode);
                    T *dst = rows + (dz * sy + dy) * l.rs;
                    if (taps[dz] && yy >= 0)
                        TN(zs_border_extend_row)(taps[dz] + yy * nx, nx, g->lo[0], g->s[0] - 1 - g->lo[0], mode, cval, dst);
                    else
                        TN(zs__fill_plane)(dst, (size_t)(nx + g->s[0] - 1), cval);
                }
            TN(select_row)(g, &l, rows, buf, nx, OUT_PLANE(c, j) + (size_t)(y * nx));
        }
    }
    return ZS_OK;
}

#undef OUT_PLANE
