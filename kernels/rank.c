/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Rank filters over a box: median and percentile, exactly as scipy.ndimage's median_filter
 * and percentile_filter (rank n//2, resp. int(n * p / 100), 100 -> n-1; ranks 0 and n-1
 * are the minimum and maximum, as scipy routes them).
 *
 * Algorithm (windows up to NET_MAX_N voxels): selection networks of min/max operations,
 * run on LANES voxels at once along x (so every operation is a vectorised loop), and
 * built from presorted columns so that work is shared between neighbouring outputs:
 *   stage 0, per source row:  sort each voxel's z-window (sz taps)           -> ZS[k]
 *   stage A, per output row:  merge the sy sorted z-lists of column x        -> SC[k]
 *   stage B, per output pair: x = 2j and 2j+1 share their sx-1 common columns: merge
 *                             those once, then select rank r with the one column each
 *                             has of its own (min over b of max(X[r-b], Y[b-1]))  -> out
 * Merges are Batcher's odd-even merges (any list lengths) in balanced trees. Every network
 * is pruned backwards from the values wanted: a comparator whose max is never read becomes
 * a single min, and so on; stage B's pruning says which column ranks stage A must
 * produce, and stage A's which z-ranks stage 0 must. Rows of ZS and SC are stored split
 * by the parity of x (B = 2 phases of H lanes), so the lanes of stage B are contiguous.
 * The networks are built at the start of a call, in the scratch (thousands of operations
 * for 3..7, compiled to a program over a pointer table with reused temporaries: rank_net.c);
 * the program's loops are compiled for AVX-512 / AVX2 too (ZS_SIMD_CLONES). median:size=3
 * costs 84 min/max per voxel, 5^3 about 650, 7^3 about 2500.
 *
 * Larger windows gather the window of each voxel and select the rank (quickselect with a
 * median-of-three pivot and a heapsort fallback, so O(n) expected and O(n log n) worst).
 *
 * Both paths are exact: the value of rank r, bitwise what a sort gives (signed zeros
 * aside, which compare equal); each voxel's arithmetic depends only on its window. */
#include "rank_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void geom_of(const zs_kbox *p, int64_t rank, rk_geom *g)
{
    zs_box b;
    zs__box_window(p, 0, &b);
    for (int a = 0; a < 3; a++) {
        g->s[a] = zs__box_extent(&b, a);
        g->lo[a] = b.lo[a];
    }
    g->m = g->s[1] * g->s[2];
    g->n = g->s[0] * g->m;
    g->rank = rank;
    g->B = g->s[0] > 1 ? 2 : 1;
}

/* Per-call buffers: ZS (sz ranks x sy row slots of split rows: stage 0 runs on the source
 * rows a window needs, just in time, so ZS stays in cache), SC (m split rows), row0
 * (natural rows of stage 0 before the split), three pointer tables, temporaries, stage-B
 * outputs, a cval row, the x-extension map, the sz taps, and the row-slot bookkeeping
 * (slot of each source row; row, use mark and window slot of each slot). */
typedef struct rk_data {
    int64_t H, RS, J, next;
    size_t zs, sc, row0, tab, tmp, obuf, cv, xsrc, taps, slots, total;
} rk_data;

static size_t data_layout(const rk_plan *pl, int64_t nx, int64_t ny, rk_data *d)
{
    const rk_geom *g = &pl->g;
    const int64_t lx = nx + g->s[0] - 1;
    d->H = (lx + g->B - 1) / g->B;
    d->RS = (g->B * d->H + 15) / 16 * 16;
    d->J = (nx + g->B - 1) / g->B;
    d->next = g->B * d->H - nx;
    const size_t row = sizeof(float) * (size_t)d->RS, ntab = (size_t)(pl->p0.ntab + pl->pa.ntab + pl->pb.ntab);
    size_t at = 0;
    d->zs = at;
    at = zs__sat_add(at, zs__sat_mul(row, zs__sat_mul((size_t)g->s[2], (size_t)g->s[1])));
    d->sc = at;
    at = zs__sat_add(at, zs__sat_mul(row, (size_t)g->m));
    d->row0 = at;
    at = zs__sat_add(at, g->B > 1 ? zs__sat_mul(row, (size_t)g->s[2]) : 0);
    d->tab = at;
    at = zs__sat_add(at, zs__align64(sizeof(float *) * ntab));
    d->tmp = at;
    at = zs__sat_add(at, sizeof(float) * LANES * (size_t)pl->ntmp);
    d->obuf = at;
    at = zs__sat_add(at, sizeof(float) * LANES * 2);
    d->cv = at;
    at = zs__sat_add(at, row);
    d->xsrc = at;
    at = zs__sat_add(at, zs__align64(sizeof(int64_t) * (size_t)(d->next + 1)));
    d->taps = at;
    at = zs__sat_add(at, zs__align64(sizeof(float *) * (size_t)g->s[2]));
    d->slots = at;
    d->total = zs__sat_add(at, sizeof(int64_t) * (size_t)(ny + 3 * g->s[1]));
    return d->total;
}

typedef struct rk_run {
    const zs_kernel_call *c;
    const rk_plan *pl;
    const rk_data *d;
    zs_border mode;
    float cval;
    float *zs, *sc, *row0, *tmp, *obuf, *cv;
    float **t0, **ta, **tb; /* pointer tables of the three programs */
    int64_t *xsrc;
    const float **taps;                  /* sz input planes of the current output plane (NULL: cval) */
    int64_t *row_slot;                   /* ny: ZS slot holding source row y, or -1 */
    int64_t *slot_row, *slot_used, *win; /* sy each: row in slot; in use by this window; window's slots */
} rk_run;

static void set_temps(const rk_prog *p, float **tab, float *tmp)
{
    for (int32_t t = p->nin + p->nout; t < p->ntab; t++) tab[t] = tmp + (size_t)(t - p->nin - p->nout) * LANES;
}

/* zsrow[j] = row[2j], zsrow[H+j] = row[2j+1]: a row split by the parity of x. */
ZS_SIMD_CLONES static void split_row(const float *restrict row, float *restrict zsrow, int64_t H)
{
    for (int64_t j = 0; j < H; j++) {
        zsrow[j] = row[2 * j];
        zsrow[H + j] = row[2 * j + 1];
    }
}

/* out[2i] = a[i], out[2i+1] = b[i] for i < n. */
ZS_SIMD_CLONES static void join_pairs(const float *restrict a, const float *restrict b, float *restrict out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        out[2 * i] = a[i];
        out[2 * i + 1] = b[i];
    }
}

/* Extends a natural row (real voxels at [lo, lo+nx)) to B*H lanes, then splits it by parity. */
static void stage0_finish_row(const rk_run *r, float *row, float *zsrow)
{
    const int64_t lo = r->pl->g.lo[0], nx = r->c->nx;
    for (int64_t i = 0; i < r->d->next; i++) {
        int64_t at = i < lo ? i : nx + i, s = r->xsrc[i];
        row[at] = s < 0 ? r->cval : row[lo + s];
    }
    if (r->pl->g.B > 1) split_row(row, zsrow, r->d->H);
}

/* Stage 0 for source row y of the current output plane, into ZS slot `slot`. */
static void stage0_row(const rk_run *r, int64_t y, int64_t slot)
{
    const rk_plan *pl = r->pl;
    const int64_t nx = r->c->nx, sy = pl->g.s[1], RS = r->d->RS, lo = pl->g.lo[0];
    const int32_t nin = pl->p0.nin, nout = pl->p0.nout;
    for (int64_t x0 = 0; x0 < nx; x0 += LANES) {
        for (int32_t i = 0; i < nin; i++) r->t0[i] = (float *)(r->taps[i] ? r->taps[i] + y * nx + x0 : r->cv + x0);
        for (int32_t o = 0; o < nout; o++)
            r->t0[nin + o] = (pl->g.B > 1 ? r->row0 + o * RS : r->zs + (pl->zr[o] * sy + slot) * RS) + lo + x0;
        zs__rank_net_run(&pl->p0, r->t0, nx - x0 < LANES ? nx - x0 : LANES);
    }
    for (int32_t o = 0; o < nout; o++) {
        float *zsrow = r->zs + (pl->zr[o] * sy + slot) * RS;
        stage0_finish_row(r, pl->g.B > 1 ? r->row0 + o * RS : zsrow, zsrow);
    }
}

/* Makes the ZS rows of output row y's window present (at most sy distinct rows, so sy
 * slots suffice; a slot is reused once its row leaves the window) and lists their slots
 * in r->win (-1 for constant-mode rows outside the plane). */
static void stage0_window(const rk_run *r, int64_t y)
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
            stage0_row(r, yy, s);
            r->row_slot[yy] = s;
            r->slot_row[s] = yy;
            r->slot_used[s] = 1;
        }
    }
    for (int64_t dy = 0; dy < sy; dy++) r->win[dy] = r->win[dy] < 0 ? -1 : r->row_slot[r->win[dy]];
}

static void stage_a(const rk_run *r, int64_t y)
{
    const rk_plan *pl = r->pl;
    const int64_t sy = pl->g.s[1], sz = pl->g.s[2], RS = r->d->RS, lanes = pl->g.B * r->d->H;
    stage0_window(r, y);
    for (int64_t x0 = 0; x0 < lanes; x0 += LANES) {
        for (int64_t dy = 0; dy < sy; dy++)
            for (int64_t k = 0; k < sz; k++)
                r->ta[dy * sz + k] = (r->win[dy] < 0 ? r->cv : r->zs + (k * sy + r->win[dy]) * RS) + x0;
        for (int32_t o = 0; o < pl->pa.nout; o++) r->ta[pl->pa.nin + o] = r->sc + pl->kr[o] * RS + x0;
        zs__rank_net_run(&pl->pa, r->ta, lanes - x0 < LANES ? lanes - x0 : LANES);
    }
}

static void stage_b(const rk_run *r, float *out)
{
    const rk_plan *pl = r->pl;
    const int64_t m = pl->g.m, B = pl->g.B, H = r->d->H, RS = r->d->RS, nx = r->c->nx, ncols = pl->g.s[0] + B - 1;
    for (int64_t x0 = 0; x0 < r->d->J; x0 += LANES) {
        const int64_t w = r->d->J - x0 < LANES ? r->d->J - x0 : LANES;
        for (int64_t col = 0; col < ncols; col++)
            for (int64_t k = 0; k < m; k++) r->tb[col * m + k] = r->sc + k * RS + (col % B) * H + col / B + x0;
        for (int64_t o = 0; o < B; o++) r->tb[pl->pb.nin + o] = B == 1 ? out + x0 : r->obuf + o * LANES;
        zs__rank_net_run(&pl->pb, r->tb, w);
        if (B == 1) continue;
        const int64_t pairs = 2 * (x0 + w) <= nx ? w : w - 1; /* odd nx: the last lane has one voxel */
        join_pairs(r->obuf, r->obuf + LANES, out + 2 * x0, pairs);
        if (pairs < w) out[nx - 1] = r->obuf[w - 1];
    }
}

static zs_status rank_network(const zs_kernel_call *c, const rk_plan *pl, unsigned char *base, zs_border mode,
                              float cval)
{
    rk_data d;
    const size_t need = data_layout(pl, c->nx, c->ny, &d);
    const size_t avail = c->scratch_bytes - (size_t)(base - (unsigned char *)c->scratch);
    ZS_RETURN_IF(need > avail, ZS_EINTERNAL, "rank: scratch of %zu bytes, %zu needed", avail, need);
    float **tabs = zs__at(base, d.tab);
    rk_run r = {c,
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
    const float **taps = r.taps;
    set_temps(&pl->p0, r.t0, r.tmp);
    set_temps(&pl->pa, r.ta, r.tmp);
    set_temps(&pl->pb, r.tb, r.tmp);
    zs__fill_plane(r.cv, (size_t)d.RS, cval);
    for (int64_t i = 0; i < d.next; i++) {
        int64_t lo = pl->g.lo[0], at = i < lo ? i - lo : c->nx + i - lo;
        r.xsrc[i] = zs_border_index(at, c->nx, mode);
    }
    for (int64_t j = 0; j < c->n_out; j++) {
        for (int64_t dz = 0; dz < pl->g.s[2]; dz++) {
            int64_t z = zs_border_index(c->out_z[j] + dz - pl->g.lo[2], c->nz, mode);
            taps[dz] = z < 0 ? NULL : zs_kcall_plane(c, z);
            ZS_RETURN_IF(z >= 0 && !taps[dz], ZS_EINTERNAL, "rank: input plane %lld missing", (long long)z);
        }
        for (int64_t y = 0; y < c->ny; y++) r.row_slot[y] = -1;
        for (int64_t s = 0; s < pl->g.s[1]; s++) r.slot_row[s] = -1;
        for (int64_t y = c->row_lo; y < c->row_hi; y++) { /* only the rows that must be right */
            stage_a(&r, y);
            stage_b(&r, c->out[j] + (size_t)(y * c->nx));
        }
    }
    return ZS_OK;
}

/* ---- large windows (and float64 plans): gather each window and select ---------------- */
typedef struct sel_layout {
    int64_t rs;
    size_t rows, buf, taps, total;
} sel_layout;

#define T     float
#define TN(x) x
#include "rank_select_impl.h"
#undef T
#undef TN
#define T           double
#define TN(x)       x##_f64
#define SEL_COLUMNS 1 /* float64 has no networks: small windows sort their columns once */
#include "rank_select_impl.h"
#undef T
#undef TN
#undef SEL_COLUMNS

/* ---- the two kernels ----------------------------------------------------------------- */
typedef struct pct_params {
    zs_knbhd nb;
    int64_t size[3];
    double percentile;
} pct_params;

static zs_kbox pct_box(const pct_params *p)
{
    zs_kbox b = {p->nb, {p->size[0], p->size[1], p->size[2]}};
    zs__nbhd_one_mode(&b.nb);
    return b;
}

static int64_t box_voxels(const zs_kbox *p)
{
    rk_geom g;
    geom_of(p, 0, &g);
    return g.n;
}

/* scipy's _rank_filter: p < 0 means 100 + p; 100 is the last rank, else int(n * p / 100). */
static int64_t pct_rank(const pct_params *p)
{
    zs_kbox b = pct_box(p);
    const int64_t n = box_voxels(&b);
    double pct = p->percentile < 0.0 ? p->percentile + 100.0 : p->percentile;
    return pct == 100.0 ? n - 1 : (int64_t)((double)n * pct / 100.0);
}

/* The NaN rule (docs/design.md): networks and quickselect do not order NaN, so when a call's input
 * holds one, the outputs whose window holds one are set to NaN afterwards (zs__nan_mask_apply, in
 * the mask's bytes at the end of the scratch). */
static zs_status rank_select_or_net(const zs_kernel_call *c, const rk_geom *g, const rk_sizes *s, zs_border mode,
                                    float cval)
{
    if (!s->network) return rank_select(c, g, mode, cval);
    ZS_RETURN_IF(!c->scratch || c->scratch_bytes < s->ws, ZS_EINTERNAL, "rank: scratch of %zu bytes, %zu needed",
                 c->scratch_bytes, s->ws);
    rk_plan pl;
    ZS_FORWARD(zs__rank_net_build(&pl, g, s, c->scratch));
    return rank_network(c, &pl, (unsigned char *)c->scratch + s->ws, mode, cval);
}

/* float64 plans: the gather-and-select path for every window (the selection networks are float
 * only; the scratch of a float64 call, twice rank_scratch(), holds the path's doubles). */
static zs_status rank_apply_f64(const zs_kernel_call *c, const zs_kbox *p, const rk_geom *g)
{
    const zs_border mode = (zs_border)p->nb.mode[0], mode3[3] = {mode, mode, mode};
    zs_box b;
    zs__box_window(p, 0, &b);
    if (g->rank == 0 || g->rank == g->n - 1)
        return zs__minmax_apply_f64(c, &b, g->rank != 0, mode3, p->nb.cval, c->scratch, c->scratch_bytes, -1);
    const size_t mb = zs__nan_mask_bytes(c->nx, c->ny);
    ZS_RETURN_IF(c->scratch_bytes < mb, ZS_EINTERNAL, "rank: scratch of %zu bytes, %zu needed", c->scratch_bytes, mb);
    zs_kernel_call cc = *c; /* the scratch without the NaN mask at its end */
    cc.scratch_bytes = c->scratch_bytes - mb;
    ZS_FORWARD(rank_select_f64(&cc, g, mode, p->nb.cval));
    if (!zs__call_has_nan_f64(c)) return ZS_OK;
    return zs__nan_mask_apply_f64(c, &b, mode3, (unsigned char *)c->scratch + cc.scratch_bytes);
}

static zs_status rank_apply(const zs_kernel_call *c, const zs_kbox *p, int64_t rank, int f64)
{
    rk_geom g;
    geom_of(p, rank, &g);
    const zs_border mode = (zs_border)p->nb.mode[0], mode3[3] = {mode, mode, mode};
    const float cval = (float)p->nb.cval;
    ZS_RETURN_IF(rank < 0 || rank >= g.n, ZS_EINTERNAL, "rank %lld outside a window of %lld", (long long)rank,
                 (long long)g.n);
    if (f64) return rank_apply_f64(c, p, &g);
    if (rank == 0 || rank == g.n - 1) {
        zs_box b;
        zs__box_window(p, 0, &b);
        return zs__minmax_apply(c, &b, rank != 0, mode3, cval, c->scratch, c->scratch_bytes, -1);
    }
    rk_sizes s;
    zs__rank_net_sizes(&g, &s);
    const size_t mb = zs__nan_mask_bytes(c->nx, c->ny);
    ZS_RETURN_IF(c->scratch_bytes < mb, ZS_EINTERNAL, "rank: scratch of %zu bytes, %zu needed", c->scratch_bytes, mb);
    zs_kernel_call cc = *c; /* the scratch without the NaN mask at its end */
    cc.scratch_bytes = c->scratch_bytes - mb;
    ZS_FORWARD(rank_select_or_net(&cc, &g, &s, mode, cval));
    if (!zs__call_has_nan(c)) return ZS_OK;
    zs_box b;
    zs__box_window(p, 0, &b);
    return zs__nan_mask_apply(c, &b, mode3, (unsigned char *)c->scratch + cc.scratch_bytes);
}

static size_t rank_scratch(const zs_kbox *p, int64_t rank, int64_t nx, int64_t ny, int64_t max_in)
{
    rk_geom g;
    geom_of(p, rank, &g);
    if (rank <= 0 || rank >= g.n - 1) {
        zs_box b;
        zs__box_window(p, 0, &b);
        return zs__minmax_scratch(&b, nx, ny, max_in);
    }
    rk_sizes s;
    zs__rank_net_sizes(&g, &s);
    sel_layout l;
    if (!s.network) return zs__sat_add(zs__align64(sel_layout_of(&g, nx, &l)), zs__nan_mask_bytes(nx, ny));
    unsigned char *ws = malloc(s.ws);
    rk_plan pl;
    rk_data d;
    size_t total = SIZE_MAX;
    if (ws && zs__rank_net_build(&pl, &g, &s, ws) == ZS_OK)
        total = zs__sat_add(zs__align64(zs__sat_add(s.ws, data_layout(&pl, nx, ny, &d))), zs__nan_mask_bytes(nx, ny));
    free(ws);
    /* at least the select path's floats, so that twice this holds its doubles (float64 plans) */
    const size_t sel = zs__sat_add(zs__align64(sel_layout_of(&g, nx, &l)), zs__nan_mask_bytes(nx, ny));
    return total > sel ? total : sel;
}

/* scipy's rank filters refuse a list of modes ("not supported by non-separable rank filters") */
#define RANK_ONE_MODE "one mode for all axes: scipy's rank filters refuse a list of modes too"

static const zs_param_desc median_params[] = {ZS_BOX_SIZE_PARAM(zs_kbox), ZS_NBHD_PARAMS_1MODE(zs_kbox, RANK_ONE_MODE)};

static zs_status median_validate(const void *params, char *msg, size_t msglen)
{
    return zs__box_refuse_zero(params, msg, msglen);
}

static void median_halo(const void *params, zs_halo *h)
{
    zs_kbox b = *(const zs_kbox *)params;
    zs__nbhd_one_mode(&b.nb);
    zs__box_halo(&b, h);
}

static size_t median_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    return rank_scratch(params, box_voxels(params) / 2, nx, ny, max_in);
}

static zs_status median_run(const zs_kernel_call *c) { return rank_apply(c, c->params, box_voxels(c->params) / 2, 0); }
static zs_status median_run_f64(const zs_kernel_call *c)
{
    return rank_apply(c, c->params, box_voxels(c->params) / 2, 1);
}

static const zs_param_desc pct_params_desc[] = {
    ZS_BOX_SIZE_PARAM(pct_params),
    {"percentile", ZS_PARAM_FLOAT, offsetof(pct_params, percentile), -100, 100, "50",
     "percentile as scipy: rank int(n*p/100) of the n window voxels, 100 the largest; p < 0 means 100+p", NULL},
    ZS_NBHD_PARAMS_1MODE(pct_params, RANK_ONE_MODE)};

static zs_status pct_validate(const void *params, char *msg, size_t msglen)
{
    const pct_params *p = params;
    zs_kbox b = pct_box(p);
    if (zs__box_refuse_zero(&b, msg, msglen) < 0) return ZS_EPARAM;
    int64_t rank = pct_rank(p), n = box_voxels(&b);
    if (rank >= 0 && rank < n) return ZS_OK;
    snprintf(msg, msglen, "percentile %g gives rank %lld, outside the %lld voxels of the window", p->percentile,
             (long long)rank, (long long)n);
    return ZS_EPARAM;
}

static void pct_halo(const void *params, zs_halo *h)
{
    zs_kbox b = pct_box(params);
    zs__box_halo(&b, h);
}

static size_t pct_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    zs_kbox b = pct_box(params);
    return rank_scratch(&b, pct_rank(params), nx, ny, max_in);
}

static zs_status pct_run_any(const zs_kernel_call *c, int f64)
{
    zs_kbox b = pct_box(c->params);
    return rank_apply(c, &b, pct_rank(c->params), f64);
}
static zs_status pct_run(const zs_kernel_call *c) { return pct_run_any(c, 0); }
static zs_status pct_run_f64(const zs_kernel_call *c) { return pct_run_any(c, 1); }

const zs_kernel_desc zs_kernel_median = {ZS_KERNEL_ABI,
                                         "median",
                                         "median over a box (scipy.ndimage.median_filter; rank n//2)",
                                         1,
                                         median_params,
                                         (int)(sizeof median_params / sizeof median_params[0]),
                                         sizeof(zs_kbox),
                                         ZS_KF_DETERMINISTIC,
                                         median_validate,
                                         median_halo,
                                         median_scratch,
                                         median_run,
                                         NULL,
                                         NULL,
                                         median_run_f64};

const zs_kernel_desc zs_kernel_percentile = {
    ZS_KERNEL_ABI,
    "percentile",
    "percentile over a box (scipy.ndimage.percentile_filter)",
    1,
    pct_params_desc,
    (int)(sizeof pct_params_desc / sizeof pct_params_desc[0]),
    sizeof(pct_params),
    ZS_KF_DETERMINISTIC,
    pct_validate,
    pct_halo,
    pct_scratch,
    pct_run,
    NULL,
    NULL,
    pct_run_f64,
};
