/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Selection networks of the rank filters (rank.c explains the three stages): Batcher's
 * odd-even merges in balanced trees and the two-list select, built as comparators over value
 * ids, pruned backwards from the values wanted, compiled to programs over a pointer table
 * with reused temporaries, and run on LANES voxels per operation. */
#include "rank_internal.h"

#include <string.h>

/* ---- building networks ------------------------------------------------------------- */
typedef struct rk_net {
    int32_t nin, nops, cap;
    int32_t *a, *b; /* operands of comparator i; it makes values nin+2i (min), nin+2i+1 (max) */
    int32_t *stk;   /* lists of value ids, stack-allocated */
    int64_t top, stkcap;
    int failed;
} rk_net;

static int32_t net_cx(rk_net *n, int32_t a, int32_t b)
{
    if (n->nops >= n->cap) {
        n->failed = 1;
        return a;
    }
    n->a[n->nops] = a;
    n->b[n->nops] = b;
    return n->nin + 2 * n->nops++;
}

static int32_t *net_push(rk_net *n, int64_t len)
{
    if (n->top + len > n->stkcap) {
        n->failed = 1;
        return NULL;
    }
    n->top += len;
    return n->stk + n->top - len;
}

/* Batcher's odd-even merge of sorted lists a (p ids, stride as) and b (q, stride bs), for
 * any p and q: merge the even- and odd-indexed halves, interleave v0 w0 v1 w1 ..., and
 * compare each w[i] with v[i+1] (0-1 principle: at most one such pair is out of order).
 * @return the merged ids, left on the stack top. */
static int32_t *net_merge(rk_net *n, const int32_t *a, int64_t as, int64_t p, const int32_t *b, int64_t bs, int64_t q)
{
    const int64_t mark = n->top;
    int32_t *out = net_push(n, p + q);
    if (!out) return NULL;
    if (p == 0 || q == 0) {
        for (int64_t i = 0; i < p; i++) out[i] = a[i * as];
        for (int64_t i = 0; i < q; i++) out[i] = b[i * bs];
        return out;
    }
    if (p == 1 && q == 1) {
        out[0] = net_cx(n, a[0], b[0]);
        out[1] = out[0] + 1;
        return out;
    }
    const int32_t *v = net_merge(n, a, 2 * as, (p + 1) / 2, b, 2 * bs, (q + 1) / 2);
    const int32_t *w = net_merge(n, p > 1 ? a + as : a, 2 * as, p / 2, q > 1 ? b + bs : b, 2 * bs, q / 2);
    if (!v || !w) return NULL;
    const int64_t nv = (p + 1) / 2 + (q + 1) / 2, nw = p / 2 + q / 2;
    int64_t k = 0;
    out[k++] = v[0];
    for (int64_t i = 0; i < nw; i++) {
        if (i + 1 < nv) {
            out[k] = net_cx(n, w[i], v[i + 1]);
            out[k + 1] = out[k] + 1;
            k += 2;
        } else
            out[k++] = w[i];
    }
    for (int64_t i = nw + 1; i < nv; i++) out[k++] = v[i];
    n->top = mark + p + q;
    return out;
}

/* Merges input lists first .. first+count-1 (list c holds ids c*len + k) in a balanced tree. */
static int32_t *net_lists(rk_net *n, int64_t first, int64_t count, int64_t len)
{
    const int64_t mark = n->top, h = count / 2;
    if (count == 1) {
        int32_t *o = net_push(n, len);
        for (int64_t k = 0; o && k < len; k++) o[k] = (int32_t)(first * len + k);
        return o;
    }
    int32_t *l = net_lists(n, first, h, len), *r = net_lists(n, first + h, count - h, len);
    int32_t *o = l && r ? net_merge(n, l, 1, h * len, r, 1, (count - h) * len) : NULL;
    if (!o) return NULL;
    memmove(n->stk + mark, o, sizeof(int32_t) * (size_t)(count * len));
    n->top = mark + count * len;
    return n->stk + mark;
}

/* The value of rank k in the union of sorted lists x (p ids) and y (q ids):
 *   min over b of max(x[k-b], y[b-1])   (x[-1] = y[-1] = -inf),
 * since any b smallest of y with the k+1-b smallest of x hold k+1 values, whose largest is
 * at least the rank-k value, and the split that takes exactly the k+1 smallest reaches it.
 * Two single operations per term (pruning turns each comparator into a min or a max). */
static int32_t net_select2(rk_net *n, const int32_t *x, int64_t p, const int32_t *y, int64_t q, int64_t k)
{
    int32_t acc = -1;
    for (int64_t b = k + 1 - p > 0 ? k + 1 - p : 0; b <= (q < k + 1 ? q : k + 1); b++) {
        int32_t t = b == 0 ? x[k] : k - b < 0 ? y[b - 1] : net_cx(n, x[k - b], y[b - 1]) + 1;
        acc = acc < 0 ? t : net_cx(n, acc, t);
    }
    return acc;
}

static int64_t cnt_select2(int64_t p, int64_t q, int64_t k)
{
    int64_t b0 = k + 1 - p > 0 ? k + 1 - p : 0, b1 = q < k + 1 ? q : k + 1;
    return 2 * (b1 - b0 + 1);
}

/* Comparator counts of the same constructions (for sizing before building). */
static int64_t cnt_merge(int64_t p, int64_t q)
{
    if (p == 0 || q == 0) return 0;
    if (p == 1 && q == 1) return 1;
    int64_t nv = (p + 1) / 2 + (q + 1) / 2, nw = p / 2 + q / 2;
    return cnt_merge((p + 1) / 2, (q + 1) / 2) + cnt_merge(p / 2, q / 2) + (nw < nv - 1 ? nw : nv - 1);
}

static int64_t cnt_lists(int64_t count, int64_t len)
{
    if (count <= 1) return 0;
    int64_t h = count / 2;
    return cnt_lists(h, len) + cnt_lists(count - h, len) + cnt_merge(h * len, (count - h) * len);
}

/* ---- compiling: prune from the outputs, then allocate temporaries ------------------ */
typedef struct rk_ws {
    rk_net net;
    uint8_t *need;
    int32_t *last, *loc, *freel;
    rk_ins *ins; /* next free instruction slot */
} rk_ws;

static void compile_alloc(rk_ws *w, int32_t v, int32_t *ntmp, int32_t nfree_base, int32_t *nfree)
{
    if (w->loc[v] < 0) w->loc[v] = *nfree > 0 ? w->freel[--*nfree] : nfree_base + (*ntmp)++;
}

static rk_prog compile(rk_ws *w, const int32_t *outs, int32_t nout, int32_t *ntmp_max)
{
    const rk_net *n = &w->net;
    const int32_t nin = n->nin, nv = nin + 2 * n->nops, tbase = nin + nout;
    rk_prog pr = {w->ins, 0, nin, nout, 0};
    memset(w->need, 0, (size_t)nv);
    for (int32_t o = 0; o < nout; o++) w->need[outs[o]] = 1;
    for (int32_t i = n->nops - 1; i >= 0; i--)
        if (w->need[nin + 2 * i] | w->need[nin + 2 * i + 1]) w->need[n->a[i]] = w->need[n->b[i]] = 1;
    for (int32_t v = 0; v < nv; v++) {
        w->last[v] = -1;
        w->loc[v] = v < nin ? v : -1;
    }
    for (int32_t i = 0; i < n->nops; i++)
        if (w->need[nin + 2 * i] | w->need[nin + 2 * i + 1]) w->last[n->a[i]] = w->last[n->b[i]] = i;
    for (int32_t o = nout - 1; o >= 0; o--)
        if (outs[o] >= nin) w->loc[outs[o]] = nin + o; /* results land in their output directly */
    int32_t ntmp = 0, nfree = 0;
    for (int32_t i = 0; i < n->nops; i++) {
        const int32_t lo = nin + 2 * i, hi = lo + 1, a = n->a[i], b = n->b[i];
        if (!(w->need[lo] | w->need[hi])) continue;
        if (w->need[lo]) compile_alloc(w, lo, &ntmp, tbase, &nfree);
        if (w->need[hi]) compile_alloc(w, hi, &ntmp, tbase, &nfree);
        rk_ins *in = &w->ins[pr.nins++];
        *in = (rk_ins){w->need[lo] && w->need[hi] ? OP_CX
                       : w->need[lo]              ? OP_MIN
                                                  : OP_MAX,
                       w->need[lo] ? w->loc[lo] : w->loc[hi], w->need[hi] ? w->loc[hi] : -1, w->loc[a], w->loc[b]};
        if (w->last[a] == i && w->loc[a] >= tbase) w->freel[nfree++] = w->loc[a];
        if (w->last[b] == i && w->loc[b] >= tbase) w->freel[nfree++] = w->loc[b];
    }
    for (int32_t o = 0; o < nout; o++)
        if (w->loc[outs[o]] != nin + o)
            w->ins[pr.nins++] = (rk_ins){OP_COPY, nin + o, -1, w->loc[outs[o]], w->loc[outs[o]]};
    w->ins += pr.nins;
    pr.ntab = tbase + ntmp;
    if (ntmp > *ntmp_max) *ntmp_max = ntmp;
    return pr;
}

/* Ranks of the stage that feeds a program: which k (id % len) its needed inputs hold. */
static int32_t needed_ranks(const rk_ws *w, int32_t nin, int64_t len, int32_t *ranks, uint8_t *flag)
{
    int32_t nr = 0;
    memset(flag, 0, (size_t)len);
    for (int32_t v = 0; v < nin; v++)
        if (w->need[v]) flag[v % len] = 1;
    for (int64_t k = 0; k < len; k++)
        if (flag[k]) ranks[nr++] = (int32_t)k;
    return nr;
}

/* ---- plan: sizes, then the build ---------------------------------------------------- */
void zs__rank_net_sizes(const rk_geom *g, rk_sizes *s)
{
    const int64_t sx = g->s[0], sy = g->s[1], sz = g->s[2], m = g->m;
    s->network = g->n <= NET_MAX_N;
    if (!s->network) return;
    s->c0 = cnt_lists(sz, 1);
    s->ca = cnt_lists(sy, sz);
    s->cb = g->B == 1 ? cnt_lists(sx, m) : cnt_lists(sx - 1, m) + 2 * cnt_select2((sx - 1) * m, m, g->rank);
    s->cmax = s->c0 > s->ca ? s->c0 : s->ca;
    if (s->cb > s->cmax) s->cmax = s->cb;
    s->ninmax = (sx + g->B - 1) * m;
    s->vmax = s->ninmax + 2 * s->cmax;
    s->nins = s->c0 + s->ca + s->cb + sz + m + g->B;
    const size_t n32[9] = {(size_t)s->cmax,
                           (size_t)s->cmax,
                           (size_t)(16 * s->ninmax + 1024),
                           0,
                           (size_t)s->vmax,
                           (size_t)s->vmax,
                           (size_t)s->vmax,
                           0,
                           (size_t)(sz + 2 * m)};
    size_t at = 0;
    for (int i = 0; i < 9; i++) {
        s->off[i] = at;
        size_t bytes = i == 3 ? (size_t)s->vmax : i == 7 ? sizeof(rk_ins) * (size_t)s->nins : 4 * n32[i];
        at += zs__align64(bytes);
    }
    s->ws = at;
}

static zs_status build_pb(rk_ws *w, const rk_geom *g, int32_t *outs)
{
    rk_net *n = &w->net;
    const int64_t sx = g->s[0], m = g->m;
    n->nin = (int32_t)((sx + g->B - 1) * m);
    n->nops = 0;
    n->top = 0;
    if (g->B == 1) {
        const int32_t *l = net_lists(n, 0, sx, m);
        if (l) outs[0] = l[g->rank];
    } else {
        const int32_t *common = net_lists(n, 1, sx - 1, m);
        for (int e = 0; e < 2 && common; e++) {
            int32_t *col = net_push(n, m);
            for (int64_t k = 0; col && k < m; k++) col[k] = (int32_t)((e ? sx : 0) * m + k);
            if (!col) break;
            outs[e] = net_select2(n, common, (sx - 1) * m, col, m, g->rank);
            n->top -= m;
        }
    }
    ZS_RETURN_IF(n->failed, ZS_EINTERNAL, "rank: network sizing is wrong (stage B)");
    return ZS_OK;
}

zs_status zs__rank_net_build(rk_plan *pl, const rk_geom *g, const rk_sizes *s, unsigned char *ws)
{
    rk_ws w = {{0, 0, (int32_t)s->cmax, zs__at(ws, s->off[0]), zs__at(ws, s->off[1]), zs__at(ws, s->off[2]), 0,
                16 * s->ninmax + 1024, 0},
               ws + s->off[3],
               zs__at(ws, s->off[4]),
               zs__at(ws, s->off[5]),
               zs__at(ws, s->off[6]),
               zs__at(ws, s->off[7])};
    int32_t *zr = zs__at(ws, s->off[8]), *kr = zr + g->s[2], outs[2] = {0, 0}, nk, nzr;
    const int64_t sy = g->s[1], sz = g->s[2], m = g->m;
    uint8_t *flag = (uint8_t *)(kr + m); /* m bytes fit in the second m int32 */
    pl->g = *g;
    pl->ntmp = 0;
    ZS_FORWARD(build_pb(&w, g, outs));
    pl->pb = compile(&w, outs, (int32_t)g->B, &pl->ntmp);
    nk = needed_ranks(&w, w.net.nin, m, kr, flag);

    w.net.nin = (int32_t)(sy * sz);
    w.net.nops = 0;
    w.net.top = 0;
    const int32_t *la = net_lists(&w.net, 0, sy, sz);
    ZS_RETURN_IF(!la || w.net.failed, ZS_EINTERNAL, "rank: network sizing is wrong (stage A)");
    int32_t *oa = w.net.stk + w.net.top; /* the output ids, past the merged list */
    ZS_RETURN_IF(w.net.top + nk > w.net.stkcap, ZS_EINTERNAL, "rank: network stack too small");
    for (int32_t i = 0; i < nk; i++) oa[i] = la[kr[i]];
    pl->pa = compile(&w, oa, nk, &pl->ntmp);
    nzr = needed_ranks(&w, w.net.nin, sz, zr, flag);

    w.net.nin = (int32_t)sz;
    w.net.nops = 0;
    w.net.top = 0;
    const int32_t *l0 = net_lists(&w.net, 0, sz, 1);
    ZS_RETURN_IF(!l0 || w.net.failed || w.net.top + nzr > w.net.stkcap, ZS_EINTERNAL,
                 "rank: network sizing is wrong (stage 0)");
    int32_t *o0 = w.net.stk + w.net.top;
    for (int32_t i = 0; i < nzr; i++) o0[i] = l0[zr[i]];
    pl->p0 = compile(&w, o0, nzr, &pl->ntmp);
    pl->zr = zr;
    pl->kr = kr;
    return ZS_OK;
}

/* ---- running the networks ------------------------------------------------------------ */
/* minps / maxps semantics (the second operand on ties and NaN). Two different comparisons,
 * so that a compare-exchange compiles to one min and one max rather than a blend. */
#define LT_MIN(x, y) ((x) < (y) ? (x) : (y))
#define LT_MAX(x, y) ((x) > (y) ? (x) : (y))

/* The runner, written once per element type (SUF empty: float; _f64: double). */
#define DEFINE_NET_RUN(SUF, T)                                                                                         \
    static void k_cx##SUF(T *restrict lo, T *restrict hi, const T *restrict a, const T *restrict b, int64_t w)         \
    {                                                                                                                  \
        for (int64_t i = 0; i < w; i++) {                                                                              \
            T x = a[i], y = b[i];                                                                                      \
            lo[i] = LT_MIN(x, y);                                                                                      \
            hi[i] = LT_MAX(x, y);                                                                                      \
        }                                                                                                              \
    }                                                                                                                  \
                                                                                                                       \
    static void k_min##SUF(T *restrict d, const T *restrict a, const T *restrict b, int64_t w)                         \
    {                                                                                                                  \
        for (int64_t i = 0; i < w; i++) d[i] = LT_MIN(a[i], b[i]);                                                     \
    }                                                                                                                  \
                                                                                                                       \
    static void k_max##SUF(T *restrict d, const T *restrict a, const T *restrict b, int64_t w)                         \
    {                                                                                                                  \
        for (int64_t i = 0; i < w; i++) d[i] = LT_MAX(a[i], b[i]);                                                     \
    }                                                                                                                  \
                                                                                                                       \
    ZS_SIMD_CLONES void zs__rank_net_run##SUF(const rk_prog *p, T *const *tab, int64_t w)                              \
    {                                                                                                                  \
        for (int32_t i = 0; i < p->nins; i++) {                                                                        \
            const rk_ins *in = &p->ins[i];                                                                             \
            switch (in->op) {                                                                                          \
            case OP_CX:                                                                                                \
                k_cx##SUF(tab[in->d0], tab[in->d1], tab[in->a], tab[in->b], w);                                        \
                break;                                                                                                 \
            case OP_MIN:                                                                                               \
                k_min##SUF(tab[in->d0], tab[in->a], tab[in->b], w);                                                    \
                break;                                                                                                 \
            case OP_MAX:                                                                                               \
                k_max##SUF(tab[in->d0], tab[in->a], tab[in->b], w);                                                    \
                break;                                                                                                 \
            default:                                                                                                   \
                memcpy(tab[in->d0], tab[in->a], sizeof(T) * (size_t)w);                                                \
                break;                                                                                                 \
            }                                                                                                          \
        }                                                                                                              \
    }

DEFINE_NET_RUN(, float)
DEFINE_NET_RUN(_f64, double)
