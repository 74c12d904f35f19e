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
 * The networks are built once per plan, by prepare() (thousands of operations for 3..7,
 * compiled to a program over a pointer table with reused temporaries: rank_net.c), and every
 * call of the plan runs them from that state;
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

/* ---- the networks and the gather-and-select path, once per element type (rank_impl.h) ---- */
typedef struct sel_layout {
    int64_t rs;
    size_t rows, buf, taps, total;
} sel_layout;

#define ZS_WORK_IMPL "rank_impl.h"
#include "work_types.h"

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

/* What prepare() makes for a plan: the window, the rank and, for a rank other than the extremes
 * in a window small enough, the three compiled networks. Read-only in the calls. */
typedef struct rank_state {
    zs_kbox box;       /* the window, its one mode on every axis */
    rk_geom g;         /* with the wanted rank */
    int network;       /* pl holds the networks (else: minimum/maximum or gather-and-select) */
    rk_plan pl;        /* points into ws */
    unsigned char *ws; /* the programs (owner: this state) */
} rank_state;

static void rank_release(void *state)
{
    rank_state *st = state;
    if (!st) return;
    zs__free(st->ws);
    free(st);
}

static zs_status rank_prepare(const zs_kbox *box, int64_t rank, void **state)
{
    rank_state *st = calloc(1, sizeof *st);
    ZS_RETURN_IF(!st, ZS_ENOMEM, "rank: out of memory");
    st->box = *box;
    geom_of(box, rank, &st->g);
    zs_status e = rank < 0 || rank >= st->g.n
                      ? ZS_ERR(ZS_EINTERNAL, "rank %lld outside a window of %lld", (long long)rank, (long long)st->g.n)
                      : ZS_OK;
    rk_sizes s = {.network = 0};
    if (e == ZS_OK && rank > 0 && rank < st->g.n - 1) zs__rank_net_sizes(&st->g, &s);
    if (e == ZS_OK && s.network) {
        st->network = 1;
        st->ws = zs__alloc(s.ws);
        e = st->ws ? zs__rank_net_build(&st->pl, &st->g, &s, st->ws)
                   : ZS_ERR(ZS_ENOMEM, "rank: out of memory for networks of %zu bytes", s.ws);
    }
    if (e < 0) {
        rank_release(st);
        return e;
    }
    *state = st;
    return ZS_OK;
}

/* One call, in float32 or (f64) float64 work: the extremes through the minimum/maximum engine,
 * other ranks through the prepared networks or gather-and-select, then the NaN rule. */
static zs_status rank_run_any(const zs_kernel_call *c, int f64)
{
    const rank_state *st = c->state;
    ZS_RETURN_IF(!st, ZS_EINTERNAL, "rank: called without the state prepare() makes");
    const zs_border mode = (zs_border)st->box.nb.mode[0], mode3[3] = {mode, mode, mode};
    const double cval = st->box.nb.cval;
    zs_box b;
    zs__box_window(&st->box, 0, &b);
    if (st->g.rank == 0 || st->g.rank == st->g.n - 1) {
        const int is_max = st->g.rank != 0;
        return f64 ? zs__minmax_apply_f64(c, &b, is_max, mode3, cval, c->scratch, c->scratch_bytes, -1)
                   : zs__minmax_apply(c, &b, is_max, mode3, (float)cval, c->scratch, c->scratch_bytes, -1);
    }
    const size_t mb = zs__nan_mask_bytes(c->nx, c->ny);
    ZS_RETURN_IF(c->scratch_bytes < mb, ZS_EINTERNAL, "rank: scratch of %zu bytes, %zu needed", c->scratch_bytes, mb);
    zs_kernel_call cc = *c; /* the scratch without the NaN mask at its end */
    cc.scratch_bytes = c->scratch_bytes - mb;
    unsigned char *mask = (unsigned char *)c->scratch + cc.scratch_bytes;
    const rk_plan *net = st->network ? &st->pl : NULL;
    if (f64) {
        ZS_FORWARD(rank_select_or_net_f64(&cc, &st->g, net, mode, cval));
        return zs__call_has_nan_f64(c) ? zs__nan_mask_apply_f64(c, &b, mode3, mask) : ZS_OK;
    }
    ZS_FORWARD(rank_select_or_net(&cc, &st->g, net, mode, (float)cval));
    return zs__call_has_nan(c) ? zs__nan_mask_apply(c, &b, mode3, mask) : ZS_OK;
}

static zs_status rank_run(const zs_kernel_call *c) { return rank_run_any(c, 0); }
static zs_status rank_run_f64(const zs_kernel_call *c) { return rank_run_any(c, 1); }

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
    /* the networks live in the state prepare() makes; a call's buffers depend on their temporaries */
    unsigned char *ws = malloc(s.ws);
    rk_plan pl;
    rk_data d;
    size_t total = SIZE_MAX;
    if (ws && zs__rank_net_build(&pl, &g, &s, ws) == ZS_OK)
        total = zs__sat_add(zs__align64(data_layout(&pl, nx, ny, &d)), zs__nan_mask_bytes(nx, ny));
    free(ws);
    return total;
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

static zs_status median_prepare(const void *params, const zs_kernel_geom *geom, void **state)
{
    zs_kbox b = *(const zs_kbox *)params;
    (void)geom;
    zs__nbhd_one_mode(&b.nb);
    return rank_prepare(&b, box_voxels(&b) / 2, state);
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

static zs_status pct_prepare(const void *params, const zs_kernel_geom *geom, void **state)
{
    const zs_kbox b = pct_box(params);
    (void)geom;
    return rank_prepare(&b, pct_rank(params), state);
}

const zs_kernel_desc zs_kernel_median = {
    .abi = ZS_KERNEL_ABI,
    .name = "median",
    .summary = "median over a box (scipy.ndimage.median_filter; rank n//2)",
    .version = 1,
    .params = median_params,
    .nparams = (int)(sizeof median_params / sizeof median_params[0]),
    .params_size = sizeof(zs_kbox),
    .flags = ZS_KF_DETERMINISTIC,
    .validate = median_validate,
    .halo = median_halo,
    .scratch_bytes = median_scratch,
    .run = rank_run,
    .prepare = median_prepare,
    .release = rank_release,
    .run_f64 = rank_run_f64,
};

const zs_kernel_desc zs_kernel_percentile = {
    .abi = ZS_KERNEL_ABI,
    .name = "percentile",
    .summary = "percentile over a box (scipy.ndimage.percentile_filter)",
    .version = 1,
    .params = pct_params_desc,
    .nparams = (int)(sizeof pct_params_desc / sizeof pct_params_desc[0]),
    .params_size = sizeof(pct_params),
    .flags = ZS_KF_DETERMINISTIC,
    .validate = pct_validate,
    .halo = pct_halo,
    .scratch_bytes = pct_scratch,
    .run = rank_run,
    .prepare = pct_prepare,
    .release = rank_release,
    .run_f64 = rank_run_f64,
};
