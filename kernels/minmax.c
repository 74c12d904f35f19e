/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Minimum and maximum over a box (scipy.ndimage minimum_filter / maximum_filter), and the
 * separable engine that rank.c and morphology.c reuse.
 *
 * A box minimum is three 1-D minima, one per axis, and since min is exact the order of the
 * passes does not change a bit; z goes first so that the x and y passes run on the n_out
 * output planes only. Each pass costs O(1) per voxel whatever the size (van Herk /
 * Gil-Werman): cut the extended line into blocks of s; a window [r, r+s-1] is the suffix
 * of its first block from r joined with the prefix of the next block up to r+s-1.
 *   z: whole planes, vectorised along the plane in tiles; the sequence is the planes
 *      zs_kcall_tap would return (cval tile for mode=constant outside the volume), and the
 *      block starts are aligned to absolute z so a voxel's arithmetic never depends on
 *      where its slab starts (bitwise equal even with NaN or signed zeros).
 *   y: the same on rows of one plane, vectorised along x.
 *   x: each row extended by the mode into scratch; up to SMALL_X a vectorised doubling
 *      (min over 1, 2, 4, ... then two overlapping powers of two), else van Herk.
 * Small z and y sizes take the direct s-1 operations, cheaper than van Herk's three. */
#include "minmax_internal.h"

#include <math.h>
#include <string.h>

enum {
    TILE = 1024,   /* floats per vector tile in the z and y passes */
    SMALL_SEQ = 4, /* direct combination in z and y up to this size */
    SMALL_X = 32   /* doubling along x up to this size */
};

#define OPMIN(a, b) ((a) < (b) ? (a) : (b))
#define OPMAX(a, b) ((a) > (b) ? (a) : (b))

/* d = op(a, b), element-wise; the three do not overlap in written memory. */
ZS_SIMD_CLONES static void v_op(float *restrict d, const float *restrict a, const float *restrict b, int64_t w,
                                int is_max)
{
    if (is_max)
        for (int64_t i = 0; i < w; i++) d[i] = OPMAX(a[i], b[i]);
    else
        for (int64_t i = 0; i < w; i++) d[i] = OPMIN(a[i], b[i]);
}

/* acc = op(acc, b) (acc_first) or acc = op(b, acc): the operand order is part of the result
 * for NaN and signed zeros, so every path keeps the same order. */
ZS_SIMD_CLONES static void v_acc(float *restrict acc, const float *restrict b, int64_t w, int is_max, int acc_first)
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
typedef struct seq_job {
    const float *const *e;
    const float *cv;
    int64_t off, n, s, phase, ds, w;
    float *dst, *suf, *pre; /* suf, pre: w floats each */
    int is_max;
    float *const *dp; /* non-NULL: output row r is dp[r] + doff (planes of a tile), not dst + r*ds */
    int64_t doff;
} seq_job;

static float *seq_dst(const seq_job *j, int64_t r) { return j->dp ? j->dp[r] + j->doff : j->dst + r * j->ds; }

static const float *seq_elem(const seq_job *j, int64_t t) { return j->e[t] ? j->e[t] + j->off : j->cv; }

static void seq_direct(const seq_job *j)
{
    for (int64_t r = 0; r < j->n; r++) {
        float *d = seq_dst(j, r);
        if (j->s == 1) {
            memcpy(d, seq_elem(j, r), sizeof(float) * (size_t)j->w);
            continue;
        }
        v_op(d, seq_elem(j, r), seq_elem(j, r + 1), j->w, j->is_max);
        for (int64_t k = 2; k < j->s; k++) v_acc(d, seq_elem(j, r + k), j->w, j->is_max, 1);
    }
}

/* Suffixes of the block [bs, bs+s): S[t] = op(e[t], S[t+1]) into dst rows t < n (the
 * block's top lies at most at n+s-2; rows t >= n run in j->suf). */
static void seq_suffix(const seq_job *j, int64_t bs)
{
    const int64_t top = bs + j->s - 1, n = j->n, w = j->w;
    for (int64_t t = top; t >= (bs > 0 ? bs : 0); t--) {
        float *d = t < n ? seq_dst(j, t) : j->suf;
        if (t == top)
            memcpy(d, seq_elem(j, t), sizeof(float) * (size_t)w);
        else if (t >= n)
            v_acc(j->suf, seq_elem(j, t), w, j->is_max, 0);
        else
            v_op(d, seq_elem(j, t), t + 1 < n ? seq_dst(j, t + 1) : j->suf, w, j->is_max);
    }
}

static void seq_vanherk(const seq_job *j)
{
    const int64_t s = j->s, n = j->n, w = j->w;
    int64_t bs = -(((j->phase % s) + s) % s);
    for (; bs < n; bs += s) {
        seq_suffix(j, bs);
        /* Prefixes of the next block: P = op(P, e[bs+s+k-1]); output r = bs+k joins S[r], P. */
        const float *pp = NULL;
        for (int64_t k = 1; k < s && bs + k < n; k++) {
            const float *e = seq_elem(j, bs + s + k - 1);
            if (k == 1)
                pp = e;
            else if (pp == j->pre)
                v_acc(j->pre, e, w, j->is_max, 1);
            else {
                v_op(j->pre, pp, e, w, j->is_max);
                pp = j->pre;
            }
            if (bs + k >= 0) v_acc(seq_dst(j, bs + k), pp, w, j->is_max, 1);
        }
    }
}

static void seq_filter(const seq_job *j)
{
    if (j->s <= SMALL_SEQ)
        seq_direct(j);
    else
        seq_vanherk(j);
}

/* One row along x: dst[0..nx) from src extended by the mode. ext, a, b: nx+s-1 floats. */
typedef struct row_job {
    int64_t nx, lo, hi;
    zs_border mode;
    float cval;
    int is_max;
    float *ext, *a, *b;
} row_job;

static void row_doubling(const row_job *j, float *dst, int64_t s, int64_t len)
{
    const float *m = j->ext;
    float *bufs[2] = {j->a, j->b};
    int64_t w = 1;
    for (int which = 0; 2 * w <= s; which ^= 1, w *= 2) {
        v_op(bufs[which], m, m + w, len - 2 * w + 1, j->is_max); /* op over [i, i+2w) */
        m = bufs[which];
    }
    if (w == s)
        memcpy(dst, m, sizeof(float) * (size_t)j->nx);
    else
        v_op(dst, m, m + (s - w), j->nx, j->is_max);
}

static void row_vanherk(const row_job *j, float *dst, int64_t s, int64_t len)
{
    const float *e = j->ext;
    float *g = j->a, *h = j->b;
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
    v_op(dst, h, g + s - 1, j->nx, j->is_max);
}

static void row_filter(const row_job *j, const float *src, float *dst)
{
    const int64_t s = j->lo + j->hi + 1, len = j->nx + s - 1;
    if (s == 1) {
        if (dst != src) memcpy(dst, src, sizeof(float) * (size_t)j->nx);
        return;
    }
    zs_border_extend_row(src, j->nx, j->lo, j->hi, j->mode, j->cval, j->ext);
    if (s <= SMALL_X)
        row_doubling(j, dst, s, len);
    else
        row_vanherk(j, dst, s, len);
}

/* ---- scratch layout ------------------------------------------------------------------ */
typedef struct mm_layout {
    size_t eptr, q, rows, tiles, mask, total; /* byte offsets of the parts, and the total */
    int64_t neptr;
} mm_layout;

static void mm_layout_of(const zs_box *b, int64_t nx, int64_t ny, int64_t nplanes, mm_layout *l)
{
    const int64_t sx = zs__box_extent(b, 0), sy = zs__box_extent(b, 1), sz = zs__box_extent(b, 2);
    int64_t ne = nplanes + sz - 1 > ny + sy - 1 ? nplanes + sz - 1 : ny + sy - 1;
    size_t row = zs__sat_mul(sizeof(float), (size_t)(nx + sx - 1));
    l->neptr = ne;
    l->eptr = 0;
    l->q = zs__align64(zs__sat_mul(sizeof(const float *), (size_t)ne));
    l->rows =
        zs__sat_add(l->q, zs__align64(sy > 1 ? zs__sat_mul(sizeof(float), zs__sat_mul((size_t)nx, (size_t)ny)) : 0));
    l->tiles = zs__sat_add(l->rows, zs__align64(zs__sat_mul(3, zs__align64(row))));
    l->mask = zs__sat_add(l->tiles, 3 * sizeof(float) * TILE);
    l->total = zs__sat_add(l->mask, zs__nan_mask_bytes(nx, ny));
}

size_t zs__minmax_scratch(const zs_box *b, int64_t nx, int64_t ny, int64_t max_planes)
{
    mm_layout l;
    mm_layout_of(b, nx, ny, max_planes > 0 ? max_planes : 1, &l);
    return l.total;
}

/* ---- passes -------------------------------------------------------------------------- */
typedef struct mm_ctx {
    const zs_kernel_call *c;
    const zs_box *b;
    int is_max;
    const zs_border *mode; /* x y z */
    const float **eptr;
    float *q, *cv, *suf, *pre;
    row_job row;
} mm_ctx;

static zs_status z_pass(const mm_ctx *m)
{
    const zs_kernel_call *c = m->c;
    const int64_t sz = zs__box_extent(m->b, 2), plane = c->nx * c->ny;
    for (int64_t r0 = 0, r1; r0 < c->n_out; r0 = r1) {
        for (r1 = r0 + 1; r1 < c->n_out && c->out_z[r1] == c->out_z[r1 - 1] + 1; r1++) continue;
        const int64_t z0 = c->out_z[r0] - m->b->lo[2];
        for (int64_t t = 0; t < r1 - r0 + sz - 1; t++) {
            int64_t z = zs_border_index(z0 + t, c->nz, m->mode[2]);
            m->eptr[t] = z < 0 ? NULL : zs_kcall_plane(c, z);
            ZS_RETURN_IF(z >= 0 && !m->eptr[t], ZS_EINTERNAL, "min/max: input plane %lld missing for output plane %lld",
                         (long long)z, (long long)c->out_z[r0]);
        }
        for (int64_t i0 = 0; i0 < plane; i0 += TILE) {
            seq_job j = {
                m->eptr, m->cv,  i0,     r1 - r0,   sz,          z0, plane, plane - i0 < TILE ? plane - i0 : TILE,
                NULL,    m->suf, m->pre, m->is_max, c->out + r0, i0};
            seq_filter(&j);
        }
    }
    return ZS_OK;
}

/* Output rows [r0, r1) of dst from src along y. */
static void y_pass(const mm_ctx *m, const float *src, float *dst, int64_t r0, int64_t r1)
{
    const zs_kernel_call *c = m->c;
    const int64_t sy = zs__box_extent(m->b, 1), lo = m->b->lo[1];
    for (int64_t t = 0; t < r1 - r0 + sy - 1; t++) {
        int64_t y = zs_border_index(r0 + t - lo, c->ny, m->mode[1]);
        m->eptr[t] = y < 0 ? NULL : src + y * c->nx;
    }
    for (int64_t x0 = 0; x0 < c->nx; x0 += TILE) {
        seq_job j = {m->eptr,
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
        seq_filter(&j);
    }
}

/* x then y on output plane `dst`, reading `src` (the z-pass result in dst, or an input plane). */
static void xy_pass(const mm_ctx *m, const float *src, float *dst)
{
    const zs_kernel_call *c = m->c;
    const int64_t sx = zs__box_extent(m->b, 0), sy = zs__box_extent(m->b, 1), nx = c->nx;
    const int64_t r0 = c->row_lo, r1 = c->row_hi; /* the rows that must be right */
    if (sy == 1) {
        for (int64_t y = r0; y < r1; y++) row_filter(&m->row, src + y * nx, dst + y * nx);
        return;
    }
    const float *ysrc = src;
    if (sx > 1 || src == dst) {
        /* the rows the y pass reads (all of them if its window crosses the tile's edge) */
        const int64_t a = r0 - m->b->lo[1], b = r1 + m->b->hi[1];
        const int64_t ya = a < 0 || b > c->ny ? 0 : a, yb = a < 0 || b > c->ny ? c->ny : b;
        for (int64_t y = ya; y < yb; y++) row_filter(&m->row, src + y * nx, m->q + y * nx);
        ysrc = m->q;
    }
    y_pass(m, ysrc, dst, r0, r1);
}

/* ---- the NaN rule (docs/design.md): a window that holds a NaN gives NaN ---------------------
 * The min/max selects above return their second operand when one is NaN (as minps), and the
 * selection networks and quickselect of rank.c do not order NaN either, so their result for such
 * a window depends on where the NaN sits. When a call's input holds a NaN (one vectorised scan),
 * the outputs whose window holds one are set to NaN afterwards: a separable OR of isnan over the
 * box (z taps, then y, then x, each extended by the mode as the filter extends its input; cval is
 * never NaN). +-Inf are ordered as any value and need nothing. */
size_t zs__nan_mask_bytes(int64_t nx, int64_t ny) { return zs__align64(zs__sat_mul(2, (size_t)(nx * ny))); }

ZS_SIMD_CLONES static int plane_has_nan(const float *restrict p, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) bad |= p[i] != p[i];
    return bad;
}

int zs__call_has_nan(const zs_kernel_call *c)
{
    for (int64_t s = 0; s < c->n_in; s++)
        if (plane_has_nan(c->in[s], (size_t)(c->nx * c->ny))) return 1;
    return 0;
}

ZS_SIMD_CLONES static void or_isnan(unsigned char *restrict m, const float *restrict p, size_t n)
{
    for (size_t i = 0; i < n; i++) m[i] |= p[i] != p[i];
}

/* NaN where the y-OR row `my` has a hit in x's box, in output row o. */
static void nan_row(const zs_kernel_call *c, const zs_box *b, zs_border xmode, const unsigned char *my, float *o)
{
    for (int64_t x = 0; x < c->nx; x++) {
        int hit = 0;
        for (int64_t d = -b->lo[0]; d <= b->hi[0] && !hit; d++) {
            const int64_t xi = zs_border_index(x + d, c->nx, xmode);
            hit = xi >= 0 && my[xi];
        }
        if (hit) o[x] = NAN;
    }
}

zs_status zs__nan_mask_apply(const zs_kernel_call *c, const zs_box *b, const zs_border mode[3], unsigned char *m)
{
    const size_t nx = (size_t)c->nx, plane = nx * (size_t)c->ny;
    unsigned char *my = m + plane;
    for (int64_t j = 0; j < c->n_out; j++) {
        memset(m, 0, plane);
        for (int64_t d = -b->lo[2]; d <= b->hi[2]; d++) {
            const int64_t z = zs_border_index(c->out_z[j] + d, c->nz, mode[2]);
            const float *p = z < 0 ? NULL : zs_kcall_plane(c, z);
            ZS_RETURN_IF(z >= 0 && !p, ZS_EINTERNAL, "NaN mask: input plane %lld missing", (long long)z);
            if (p) or_isnan(m, p, plane);
        }
        for (int64_t r = c->row_lo; r < c->row_hi; r++) {
            unsigned char *row = my + (size_t)r * nx;
            memset(row, 0, nx);
            for (int64_t d = -b->lo[1]; d <= b->hi[1]; d++) {
                const int64_t y = zs_border_index(r + d, c->ny, mode[1]);
                if (y < 0) continue;
                for (size_t x = 0; x < nx; x++) row[x] |= m[(size_t)y * nx + x];
            }
            nan_row(c, b, mode[0], row, c->out[j] + (size_t)r * nx);
        }
    }
    return ZS_OK;
}

/* A window longer than its axis: when every window reaches past both ends of the line (of n
 * voxels), it holds every value of the line (and cval in constant mode) whatever its length, so
 * [i - (n-1), i + (n-1)] (constant: n, to reach cval on both sides) selects the same values.
 * The same minimum or maximum at a cost that no longer grows with the size (a size of 10001 over a
 * few dozen voxels was 30 s). */
static zs_box box_clamped(const zs_kernel_call *c, const zs_box *b, const zs_border mode[3])
{
    const int64_t n[3] = {c->nx, c->ny_vol, c->nz};
    zs_box r = *b;
    for (int a = 0; a < 3; a++) {
        const int64_t k = mode[a] == ZS_BORDER_CONSTANT ? n[a] : n[a] - 1;
        if (k >= 0 && b->lo[a] >= k && b->hi[a] >= k) r.lo[a] = r.hi[a] = k;
    }
    return r;
}

zs_status zs__minmax_apply(const zs_kernel_call *c, const zs_box *box, int is_max, const zs_border mode[3], float cval,
                           void *scratch, size_t scratch_bytes, int has_nan)
{
    const zs_box clamped = box_clamped(c, box, mode), *b = &clamped;
    mm_layout l;
    mm_layout_of(b, c->nx, c->ny, c->n_out > 0 ? c->n_out : 1, &l);
    ZS_RETURN_IF(!scratch || scratch_bytes < l.total, ZS_EINTERNAL, "min/max: scratch of %zu bytes, %zu needed",
                 scratch_bytes, l.total);
    unsigned char *s = scratch;
    const int64_t sx = zs__box_extent(b, 0), rowlen = zs__align64(sizeof(float) * (size_t)(c->nx + sx - 1));
    float *tiles = zs__at(s, l.tiles);
    mm_ctx m = {c,
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
    zs__fill_plane(m.cv, TILE, cval);
    const int zdone = zs__box_extent(b, 2) > 1;
    if (zdone) ZS_FORWARD(z_pass(&m));
    for (int64_t j = 0; j < c->n_out; j++) {
        float *dst = c->out[j];
        const float *src = zdone ? dst : zs_kcall_plane(c, c->out_z[j]);
        ZS_RETURN_IF(!src, ZS_EINTERNAL, "min/max: input plane %lld missing", (long long)c->out_z[j]);
        xy_pass(&m, src, dst);
    }
    if (has_nan < 0) has_nan = zs__call_has_nan(c);
    return has_nan ? zs__nan_mask_apply(c, b, mode, zs__at(s, l.mask)) : ZS_OK;
}

/* ---- the two kernels ----------------------------------------------------------------- */
static const zs_param_desc box_params[] = {ZS_BOX_SIZE_PARAM(zs_kbox), ZS_NBHD_PARAMS(zs_kbox)};

static void box_halo(const void *params, zs_halo *h) { zs__box_halo(params, h); }

static size_t box_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    zs_box b;
    zs__box_window(params, 0, &b);
    return zs__minmax_scratch(&b, nx, ny, max_in);
}

static zs_status box_run(const zs_kernel_call *c, int is_max)
{
    const zs_kbox *p = c->params;
    zs_box b;
    zs__box_window(p, 0, &b);
    const zs_border mode[3] = {(zs_border)p->nb.mode[0], (zs_border)p->nb.mode[1], (zs_border)p->nb.mode[2]};
    return zs__minmax_apply(c, &b, is_max, mode, (float)p->nb.cval, c->scratch, c->scratch_bytes, -1);
}

static zs_status minimum_run(const zs_kernel_call *c) { return box_run(c, 0); }
static zs_status maximum_run(const zs_kernel_call *c) { return box_run(c, 1); }

const zs_kernel_desc zs_kernel_minimum = {
    ZS_KERNEL_ABI,
    "minimum",
    "minimum over a box (scipy.ndimage.minimum_filter)",
    1,
    box_params,
    (int)(sizeof box_params / sizeof box_params[0]),
    sizeof(zs_kbox),
    ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    NULL,
    box_halo,
    box_scratch,
    minimum_run,
    NULL,
    NULL,
};

const zs_kernel_desc zs_kernel_maximum = {
    ZS_KERNEL_ABI,
    "maximum",
    "maximum over a box (scipy.ndimage.maximum_filter)",
    1,
    box_params,
    (int)(sizeof box_params / sizeof box_params[0]),
    sizeof(zs_kbox),
    ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    NULL,
    box_halo,
    box_scratch,
    maximum_run,
    NULL,
    NULL,
};
