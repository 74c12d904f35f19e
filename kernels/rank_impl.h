/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Rank filters (rank.c) over one element type: the selection networks' per-call buffers and
 * stages, and for large windows the gather-and-select path. Written once: rank.c includes it with
 * T = float, TN(x) = x (float32 plans) and with T = double, TN(x) = x##_f64 (float64). No include
 * guard. */
#ifndef TN
#error "rank_impl.h: define T and TN before including it"
#endif

#define OUT_PLANE(c, j) ((T *)(void *)(c)->out[j])

/* ---- windows up to NET_MAX_N: the selection networks ------------------------------------- */
static size_t TN(data_layout)(const rk_plan *pl, int64_t nx, int64_t ny, rk_data *d)
{
    const rk_geom *g = &pl->g;
    const int64_t lx = nx + g->s[0] - 1;
    d->H = (lx + g->B - 1) / g->B;
    d->RS = (g->B * d->H + 15) / 16 * 16;
    d->J = (nx + g->B - 1) / g->B;
    d->next = g->B * d->H - nx;
    const size_t row = sizeof(T) * (size_t)d->RS, ntab = (size_t)(pl->p0.ntab + pl->pa.ntab + pl->pb.ntab);
    size_t at = 0;
    d->zs = at;
    at = zs__sat_add(at, zs__sat_mul(row, zs__sat_mul((size_t)g->s[2], (size_t)g->s[1])));
    d->sc = at;
    at = zs__sat_add(at, zs__sat_mul(row, (size_t)g->m));
    d->row0 = at;
    at = zs__sat_add(at, g->B > 1 ? zs__sat_mul(row, (size_t)g->s[2]) : 0);
    d->tab = at;
    at = zs__sat_add(at, zs__align64(sizeof(T *) * ntab));
    d->tmp = at;
    at = zs__sat_add(at, sizeof(T) * LANES * (size_t)pl->ntmp);
    d->obuf = at;
    at = zs__sat_add(at, sizeof(T) * LANES * 2);
    d->cv = at;
    at = zs__sat_add(at, row);
    d->xsrc = at;
    at = zs__sat_add(at, zs__align64(sizeof(int64_t) * (size_t)(d->next + 1)));
    d->taps = at;
    at = zs__sat_add(at, zs__align64(sizeof(T *) * (size_t)g->s[2]));
    d->slots = at;
    d->total = zs__sat_add(at, sizeof(int64_t) * (size_t)(ny + 3 * g->s[1]));
    return d->total;
}

typedef struct TN(rk_run) {
    const zs_kernel_call *c;
    const rk_plan *pl;
    const rk_data *d;
    zs_border mode;
    T cval;
    T *zs, *sc, *row0, *tmp, *obuf, *cv;
    T **t0, **ta, **tb; /* pointer tables of the three programs */
    int64_t *xsrc;
    const T **taps;                      /* sz input planes of the current output plane (NULL: cval) */
    int64_t *row_slot;                   /* ny: ZS slot holding source row y, or -1 */
    int64_t *slot_row, *slot_used, *win; /* sy each: row in slot; in use by this window; window's slots */
} TN(rk_run);

static void TN(set_temps)(const rk_prog *p, T **tab, T *tmp)
{
    for (int32_t t = p->nin + p->nout; t < p->ntab; t++) tab[t] = tmp + (size_t)(t - p->nin - p->nout) * LANES;
}

/* zsrow[j] = row[2j], zsrow[H+j] = row[2j+1]: a row split by the parity of x. */
ZS_SIMD_CLONES static void TN(split_row)(const T *restrict row, T *restrict zsrow, int64_t H)
{
    for (int64_t j = 0; j < H; j++) {
        zsrow[j] = row[2 * j];
        zsrow[H + j] = row[2 * j + 1];
    }
}

/* out[2i] = a[i], out[2i+1] = b[i] for i < n. */
ZS_SIMD_CLONES static void TN(join_pairs)(const T *restrict a, const T *restrict b, T *restrict out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        out[2 * i] = a[i];
        out[2 * i + 1] = b[i];
    }
}

/* Extends a natural row (real voxels at [lo, lo+nx)) to B*H lanes, then splits it by parity. */
static void TN(stage0_finish_row)(const TN(rk_run) * r, T *row, T *zsrow)
{
    const int64_t lo = r->pl->g.lo[0], nx = r->c->nx;
    for (int64_t i = 0; i < r->d->next; i++) {
        int64_t at = i < lo ? i : nx + i, s = r->xsrc[i];
        row[at] = s < 0 ? r->cval : row[lo + s];
    }
    if (r->pl->g.B > 1) TN(split_row)(row, zsrow, r->d->H);
}

/* Stage 0 for source row y of the current output plane, into ZS slot `slot`. */
static void TN(stage0_row)(const TN(rk_run) * r, int64_t y, int64_t slot)
{
    const rk_plan *pl = r->pl;
    const int64_t nx = r->c->nx, sy = pl->g.s[1], RS = r->d->RS, lo = pl->g.lo[0];
    const int32_t nin = pl->p0.nin, nout = pl->p0.nout;
    for (int64_t x0 = 0; x0 < nx; x0 += LANES) {
        for (int32_t i = 0; i < nin; i++) r->t0[i] = (T *)(r->taps[i] ? r->taps[i] + y * nx + x0 : r->cv + x0);
        for (int32_t o = 0; o < nout; o++)
            r->t0[nin + o] = (pl->g.B > 1 ? r->row0 + o * RS : r->zs + (pl->zr[o] * sy + slot) * RS) + lo + x0;
        TN(zs__rank_net_run)(&pl->p0, r->t0, nx - x0 < LANES ? nx - x0 : LANES);
    }
    for (int32_t o = 0; o < nout; o++) {
        T *zsrow = r->zs + (pl->zr[o] * sy + slot) * RS;
        TN(stage0_finish_row)(r, pl->g.B > 1 ? r->row0 + o * RS : zsrow, zsrow);
    }
}

/* Makes the ZS rows of output row y's window present (at most sy distinct rows, so sy
 * slots suffice; a slot is reused once its row leaves the window) and lists their slots
 * in r->win (-1 for constant-mode rows outside the plane). */
static void TN(stage0_window)(const TN(rk_run) * r, int64_t y)
{
    const int64_t sy = r->pl->g.s[1];
    for (int64_t s = 0; s < sy; s++) r->slot_used[s] = 0;
    for (int64_t dy = 0; dy < sy; dy++) {
        r->win[dy] = zs_border_index(y + dy - r->pl->g.lo[1], r->c->ny, r->mode);
        if (r->win[dy] >= 0 && r->row_slot[r->win[dy]] >= 0) r->slot_used[r->row_slot[r->win[dy]]] = 1;
    }
    for (int64_t dy = 0; dy < sy; dy++) {
        const int64_t yy = r->win[dy];
        if (yy >= 0 && r->row_slot[yy] < 0) {
            int64_t s = 0;
            while (r->slot_used[s]) s++;
            if (r->slot_row[s] >= 0) r->row_slot[r->slot_row[s]] = -1;
            TN(stage0_row)(r, yy, s);
            r->row_slot[yy] = s;
            r->slot_row[s] = yy;
            r->slot_used[s] = 1;
        }
    }
    for (int64_t dy = 0; dy < sy; dy++) r->win[dy] = r->win[dy] < 0 ? -1 : r->row_slot[r->win[dy]];
}

static void TN(stage_a)(const TN(rk_run) * r, int64_t y)
{
    const rk_plan *pl = r->pl;
    const int64_t sy = pl->g.s[1], sz = pl->g.s[2], RS = r->d->RS, lanes = pl->g.B * r->d->H;
    TN(stage0_window)(r, y);
    for (int64_t x0 = 0; x0 < lanes; x0 += LANES) {
        for (int64_t dy = 0; dy < sy; dy++)
            for (int64_t k = 0; k < sz; k++)
                r->ta[dy * sz + k] = (r->win[dy] < 0 ? r->cv : r->zs + (k * sy + r->win[dy]) * RS) + x0;
        for (int32_t o = 0; o < pl->pa.nout; o++) r->ta[pl->pa.nin + o] = r->sc + pl->kr[o] * RS + x0;
        TN(zs__rank_net_run)(&pl->pa, r->ta, lanes - x0 < LANES ? lanes - x0 : LANES);
    }
}

static void TN(stage_b)(const TN(rk_run) * r, T *out)
{
    const rk_plan *pl = r->pl;
    const int64_t m = pl->g.m, B = pl->g.B, H = r->d->H, RS = r->d->RS, nx = r->c->nx, ncols = pl->g.s[0] + B - 1;
    for (int64_t x0 = 0; x0 < r->d->J; x0 += LANES) {
        const int64_t w = r->d->J - x0 < LANES ? r->d->J - x0 : LANES;
        for (int64_t col = 0; col < ncols; col++)
            for (int64_t k = 0; k < m; k++) r->tb[col * m + k] = r->sc + k * RS + (col % B) * H + col / B + x0;
        for (int64_t o = 0; o < B; o++) r->tb[pl->pb.nin + o] = B == 1 ? out + x0 : r->obuf + o * LANES;
        TN(zs__rank_net_run)(&pl->pb, r->tb, w);
        if (B == 1) continue;
        const int64_t pairs = 2 * (x0 + w) <= nx ? w : w - 1; /* odd nx: the last lane has one voxel */
        TN(join_pairs)(r->obuf, r->obuf + LANES, out + 2 * x0, pairs);
        if (pairs < w) out[nx - 1] = r->obuf[w - 1];
    }
}

static zs_status TN(rank_network)(const zs_kernel_call *c, const rk_plan *pl, unsigned char *base, zs_border mode,
                                  T cval)
{
    rk_data d;
    const size_t need = TN(data_layout)(pl, c->nx, c->ny, &d);
    const size_t avail = c->scratch_bytes - (size_t)(base - (unsigned char *)c->scratch);
    ZS_RETURN_IF(need > avail, ZS_EINTERNAL, "rank: scratch of %zu bytes, %zu needed", avail, need);
    T **tabs = zs__at(base, d.tab);
    TN(rk_run)
    r = {c,
         pl,
         &d,
         mode,
         cval,
         zs__at(base, d.zs),
         zs__at(base, d.sc),
         zs__at(base, d.row0),
         zs__at(base, d.tmp),
         zs__at(base, d.obuf),
         zs__at(base, d.cv),
         tabs,
         tabs + pl->p0.ntab,
         tabs + pl->p0.ntab + pl->pa.ntab,
         zs__at(base, d.xsrc),
         zs__at(base, d.taps),
         zs__at(base, d.slots),
         NULL,
         NULL,
         NULL};
    r.slot_row = r.row_slot + c->ny;
    r.slot_used = r.slot_row + pl->g.s[1];
    r.win = r.slot_used + pl->g.s[1];
    const T **taps = r.taps;
    TN(set_temps)(&pl->p0, r.t0, r.tmp);
    TN(set_temps)(&pl->pa, r.ta, r.tmp);
    TN(set_temps)(&pl->pb, r.tb, r.tmp);
    TN(zs__fill_plane)(r.cv, (size_t)d.RS, cval);
    for (int64_t i = 0; i < d.next; i++) {
        int64_t lo = pl->g.lo[0], at = i < lo ? i - lo : c->nx + i - lo;
        r.xsrc[i] = zs_border_index(at, c->nx, mode);
    }
    for (int64_t j = 0; j < c->n_out; j++) {
        for (int64_t dz = 0; dz < pl->g.s[2]; dz++) {
            int64_t z = zs_border_index(c->out_z[j] + dz - pl->g.lo[2], c->nz, mode);
            taps[dz] = z < 0 ? NULL : TN(zs_kcall_plane)(c, z);
            ZS_RETURN_IF(z >= 0 && !taps[dz], ZS_EINTERNAL, "rank: input plane %lld missing", (long long)z);
        }
        for (int64_t y = 0; y < c->ny; y++) r.row_slot[y] = -1;
        for (int64_t s = 0; s < pl->g.s[1]; s++) r.slot_row[s] = -1;
        for (int64_t y = c->row_lo; y < c->row_hi; y++) { /* only the rows that must be right */
            TN(stage_a)(&r, y);
            TN(stage_b)(&r, OUT_PLANE(c, j) + (size_t)(y * c->nx));
        }
    }
    return ZS_OK;
}

/* ---- large windows: gather each window and select --------------------------------------- */

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

/* One output row: rows[q] holds source row q = dz*sy + dy extended in x. */
static void TN(select_row)(const rk_geom *g, const sel_layout *l, const T *rows, T *buf, int64_t nx, T *out)
{
    const int64_t sx = g->s[0], nq = g->m;
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
                        TN(zs_border_extend_row)
                        (taps[dz] + yy * nx, nx, g->lo[0], g->s[0] - 1 - g->lo[0], mode, cval, dst);
                    else
                        TN(zs__fill_plane)(dst, (size_t)(nx + g->s[0] - 1), cval);
                }
            TN(select_row)(g, &l, rows, buf, nx, OUT_PLANE(c, j) + (size_t)(y * nx));
        }
    }
    return ZS_OK;
}

/* The NaN rule (docs/design.md): networks and quickselect do not order NaN, so when a call's input
 * holds one, the outputs whose window holds one are set to NaN afterwards (zs__nan_mask_apply, in
 * the mask's bytes at the end of the scratch). */
static zs_status TN(rank_select_or_net)(const zs_kernel_call *c, const rk_geom *g, const rk_plan *net, zs_border mode,
                                        T cval)
{
    if (!net) return TN(rank_select)(c, g, mode, cval);
    ZS_RETURN_IF(!c->scratch, ZS_EINTERNAL, "rank: no scratch given");
    return TN(rank_network)(c, net, c->scratch, mode, cval);
}

#undef OUT_PLANE
