/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* gaussian (scipy.ndimage.gaussian_filter) and the engine of the gaussian family: any sum of
 * separable gaussian filters with per-axis derivative orders (dog, log, gradient_magnitude).
 *
 * Weights are scipy's: phi(x) = exp(-x^2 / 2 sigma^2) normalised over [-r, r], r =
 * int(truncate * sigma + 0.5), times for order n a polynomial q_n with q_0 = 1 and
 * q_{k+1} = q_k' - x q_k / sigma^2 (so that q_n phi is the n-th derivative of phi); scipy
 * correlates with this kernel reversed, which flips the sign of odd orders. Axes with
 * sigma <= 1e-15 are not filtered at all, whatever their order, as in scipy.
 *
 * mode=constant: scipy filters x, then y, then z, each pass extending its own input with
 * cval. With derivative kernels that order matters (a derivative of the constant border is
 * 0 in one order and not in another), so passes here extend with 0 and the cval part is added
 * at the end in closed form. Along one axis, with b(i) = the weight of the taps falling
 * outside and s(i) = the weight of those inside, scipy's order gives
 *     out = (passes with zero extension) + cval * (b_x s_y s_z + b_y s_z + b_z).
 * With a mode per axis, only the constant axes extend with 0; along another axis a pass maps a
 * line that is constant along it to the line times the sum of its weights, so there b = 0 and
 * s = that sum, and the same formula holds. */
#include "separable.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GMAX_ORDER 3

/* ---- 1-D weights ----------------------------------------------------------------------------- */

void zs__gauss_weights(double sigma, int order, int64_t r, double *w)
{
    const double s2 = sigma * sigma;
    double sum = 0.0;
    for (int64_t d = -r; d <= r; d++) {
        w[d + r] = exp(-0.5 / s2 * (double)(d * d));
        sum += w[d + r];
    }
    for (int64_t d = -r; d <= r; d++) w[d + r] /= sum;
    if (order <= 0) return;
    double q[GMAX_ORDER + 1] = {1.0}, nq[GMAX_ORDER + 1];
    for (int k = 0; k < order; k++) {
        for (int e = 0; e <= order; e++)
            nq[e] = (e < order ? (e + 1) * q[e + 1] : 0.0) + (e > 0 ? q[e - 1] / -s2 : 0.0);
        memcpy(q, nq, sizeof q);
    }
    for (int64_t d = -r; d <= r; d++) {
        const double x = (double)-d; /* reversed kernel: tap d weighs kernel(-d) */
        double poly = 0.0;
        for (int e = order; e >= 0; e--) poly = poly * x + q[e];
        w[d + r] *= poly;
    }
}

/* ---- geometry ---------------------------------------------------------------------------------- */

static int axis_on(const zs_gspec *s, int t, int a)
{
    if (a == 2 && s->nb.axes == ZS_AXES_XY) return 0;
    return s->t[t].sigma[a] > 1e-15;
}

int64_t zs__gauss_radius(const zs_gspec *s, int t, int a)
{
    return axis_on(s, t, a) ? (int64_t)(s->truncate * s->t[t].sigma[a] + 0.5) : 0;
}

void zs__gauss_halo(const zs_gspec *s, zs_halo *h)
{
    memset(h, 0, sizeof *h);
    for (int t = 0; t < s->nterms; t++)
        for (int a = 0; a < 3; a++) {
            int64_t r = zs__gauss_radius(s, t, a);
            if (r > h->lo[a]) h->lo[a] = h->hi[a] = r;
        }
    zs__nbhd_halo(&s->nb, h);
}

zs_status zs__gauss_validate(const zs_gspec *s, char *msg, size_t msglen)
{
    if (!(s->truncate > 0.0)) {
        snprintf(msg, msglen, "truncate must be > 0, got %g", s->truncate);
        return ZS_EPARAM;
    }
    for (int t = 0; t < s->nterms; t++)
        for (int a = 0; a < 3; a++)
            if (s->t[t].order[a] < 0 || s->t[t].order[a] > GMAX_ORDER) {
                snprintf(msg, msglen, "order must be in [0, %d], got %d", GMAX_ORDER, s->t[t].order[a]);
                return ZS_EPARAM;
            }
    return ZS_OK;
}

/* ---- the engine's per-call state, carved from scratch ------------------------------------------- */

typedef struct grt {
    const zs_kernel_call *c;
    const zs_gspec *s;
    int64_t nx, ny;
    int cfix;         /* constant mode with cval != 0 */
    int64_t xlo, ylo; /* largest x / y radius: offsets into ext and ymap */
    int64_t maxtaps;
    const float **ztab; /* tap planes: the driver's table (single) or plane j's */
    int64_t tab_rows;
    zs_k1d k[ZS_GMAX_TERMS][3];
    double *wd[ZS_GMAX_TERMS][3]; /* double weights (NULL: axis off) */
    float *wf[ZS_GMAX_TERMS][3];  /* the same in float: k[t][a].w */
    double *bx[ZS_GMAX_TERMS], *by[ZS_GMAX_TERMS], *sy[ZS_GMAX_TERMS];
    int zu[ZS_GMAX_TERMS]; /* the first term with the same z kernel as term t */
    int64_t *xmap, *ymap;
    float *ext, *row, *zero;
    const float **ptrs;
    float *plane[ZS_GMAX_TERMS]; /* z results of the terms owning a z kernel; [0]: the
                                    driver's spare plane for a single filter */
    size_t chunk;
    size_t zfrom, zto; /* voxels of a plane the y pass reads: the z pass computes only those */
} grt;

static int same_z(const zs_gspec *s, int t, int u)
{
    if (!axis_on(s, t, 2) || !axis_on(s, u, 2)) return axis_on(s, t, 2) == axis_on(s, u, 2);
    return s->t[t].sigma[2] == s->t[u].sigma[2] && s->t[t].order[2] == s->t[u].order[2];
}

static void glayout(grt *g, zs_bump *b, const zs_gspec *s, int64_t nx, int64_t ny, int64_t max_out)
{
    const size_t plane = (size_t)nx * (size_t)ny;
    int64_t xhi = 0, yhi = 0, ztaps = 1;
    g->s = s;
    g->nx = nx;
    g->ny = ny;
    g->cfix = s->nb.cval != 0.0 && (s->nb.mode[0] == ZS_BORDER_CONSTANT || s->nb.mode[1] == ZS_BORDER_CONSTANT ||
                                    s->nb.mode[2] == ZS_BORDER_CONSTANT);
    g->xlo = g->ylo = 0;
    g->maxtaps = 1;
    for (int t = 0; t < s->nterms; t++)
        for (int a = 0; a < 3; a++) {
            const int64_t r = zs__gauss_radius(s, t, a);
            g->wd[t][a] = NULL;
            g->k[t][a] = zs__k1d_identity;
            if (axis_on(s, t, a)) {
                g->wf[t][a] = zs__bump_take(b, (size_t)(2 * r + 1), sizeof(float));
                g->wd[t][a] = zs__bump_take(b, (size_t)(2 * r + 1), sizeof(double));
                g->k[t][a] = (zs_k1d){r, r, s->t[t].order[a] % 2 ? -1 : 1, 0, g->wf[t][a]};
            }
            if (2 * r + 1 > g->maxtaps) g->maxtaps = 2 * r + 1;
            if (a == 0 && r > g->xlo) g->xlo = xhi = r;
            if (a == 1 && r > g->ylo) g->ylo = yhi = r;
            if (a == 2 && 2 * r + 1 > ztaps) ztaps = 2 * r + 1;
        }
    g->chunk = zs__sep_chunk(ztaps, plane);
    g->xmap = zs__bump_take(b, (size_t)(g->xlo + nx + xhi), sizeof(int64_t));
    g->ymap = zs__bump_take(b, (size_t)(g->ylo + ny + yhi), sizeof(int64_t));
    g->ext = zs__bump_take(b, (size_t)(g->xlo + nx + xhi), sizeof(float));
    g->row = zs__bump_take(b, (size_t)nx, sizeof(float));
    g->zero = zs__bump_take(b, g->chunk > (size_t)nx ? g->chunk : (size_t)nx, sizeof(float));
    g->ptrs = zs__bump_take(b, (size_t)g->maxtaps, sizeof(float *));
    /* the single filter's driver: a tap table and the lines of a chunk */
    g->tab_rows = s->nterms == 1 ? zs__sep_tab_rows(ztaps, max_out) : 0;
    g->ztab = zs__bump_take(b, (size_t)((g->tab_rows + 1) * ztaps), sizeof(float *));
    for (int t = 0; t < s->nterms; t++) {
        g->bx[t] = g->cfix ? zs__bump_take(b, (size_t)nx, sizeof(double)) : NULL;
        g->by[t] = g->cfix ? zs__bump_take(b, (size_t)ny, sizeof(double)) : NULL;
        g->sy[t] = g->cfix ? zs__bump_take(b, (size_t)ny, sizeof(double)) : NULL;
        g->zu[t] = t;
        for (int u = 0; u < t; u++)
            if (same_z(s, t, u)) {
                g->zu[t] = u;
                break;
            }
        g->plane[t] = NULL;
        if (axis_on(s, t, 2) && g->zu[t] == t) g->plane[t] = zs__bump_take(b, plane, sizeof(float));
    }
}

size_t zs__gauss_scratch(const zs_gspec *s, int64_t nx, int64_t ny, int64_t max_in)
{
    grt g;
    zs_bump b = {NULL, 0, 0, 0};
    glayout(&g, &b, s, nx, ny, max_in);
    return zs__bump_total(&b);
}

/* Weight of the taps of (w, r) falling outside [0, n) at position i (b) and inside (s). */
static void edge_weights(const double *w, int64_t r, int64_t n, int64_t i, double *b, double *s)
{
    double out = 0.0, in = 0.0;
    for (int64_t d = -r; d <= r; d++) {
        if (i + d < 0 || i + d >= n)
            out += w[d + r];
        else
            in += w[d + r];
    }
    *b = out;
    *s = in;
}

/* b[i], s[i] for the `count` positions at0 + i of a line of n (a tile's rows sit at y0 in the
 * volume's ny rows: the edges are the volume's). An axis that is not constant has b = 0 and s =
 * the sum of the weights. */
static void edge_line(const double *w, int64_t r, int64_t n, int constant, int64_t at0, int64_t count, double *b,
                      double *s)
{
    double total = 0.0;
    for (int64_t d = -r; d <= r; d++) total += w ? w[d + r] : 1.0;
    for (int64_t k = 0; k < count; k++) {
        const int64_t i = at0 + k;
        double bi = 0.0, si = total;
        if (w && constant && (i - r < 0 || i + r >= n)) edge_weights(w, r, n, i, &bi, &si);
        b[k] = bi;
        if (s) s[k] = si;
    }
}

static void gsetup(grt *g)
{
    const zs_gspec *s = g->s;
    for (int t = 0; t < s->nterms; t++)
        for (int a = 0; a < 3; a++) {
            if (!g->wd[t][a]) continue;
            const int64_t r = g->k[t][a].lo;
            zs__gauss_weights(s->t[t].sigma[a], s->t[t].order[a], r, g->wd[t][a]);
            for (int64_t i = 0; i < 2 * r + 1; i++) g->wf[t][a][i] = (float)g->wd[t][a][i];
        }
    zs__border_map(g->xmap, g->nx, g->xlo, g->xlo, (zs_border)s->nb.mode[0]);
    zs__tile_ymap(g->c, g->ymap, g->ylo, g->ylo, (zs_border)s->nb.mode[1]);
    zs__fill_plane(g->zero, g->chunk > (size_t)g->nx ? g->chunk : (size_t)g->nx, 0.0f);
    /* The rows the y pass reads (g_yx: ymap[y + d + ylo]): a tile much taller than the volume
     * (a radius of thousands over a few dozen rows) reads its few volume rows only. */
    int64_t r0 = g->ny, r1 = 0;
    for (int64_t i = g->c->row_lo; i < g->c->row_hi + 2 * g->ylo; i++)
        if (g->ymap[i] >= 0) r0 = g->ymap[i] < r0 ? g->ymap[i] : r0, r1 = g->ymap[i] + 1 > r1 ? g->ymap[i] + 1 : r1;
    g->zfrom = r0 < r1 ? (size_t)r0 * (size_t)g->nx : 0;
    g->zto = r0 < r1 ? (size_t)r1 * (size_t)g->nx : 0;
    if (!g->cfix) return;
    for (int t = 0; t < s->nterms; t++) {
        edge_line(g->wd[t][0], g->k[t][0].lo, g->nx, s->nb.mode[0] == ZS_BORDER_CONSTANT, 0, g->nx, g->bx[t], NULL);
        edge_line(g->wd[t][1], g->k[t][1].lo, g->c->ny_vol, s->nb.mode[1] == ZS_BORDER_CONSTANT, g->c->y0, g->ny,
                  g->by[t], g->sy[t]);
    }
}

/* ---- the y and x passes of one term into a plane --------------------------------------------- */

static void apply_op(float *restrict d, const float *restrict r, zs_gop op, size_t n)
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
static void add_cval(float *restrict row, const double *restrict bx, int64_t nx, double a, double c)
{
    for (int64_t x = 0; x < nx; x++) row[x] = row[x] + (float)(a * bx[x] + c);
}

static void g_yx(grt *g, int t, const float *src, float *dst, double sz, double bz)
{
    const zs_k1d *ky = &g->k[t][1], *kx = &g->k[t][0];
    const zs_gop op = g->s->t[t].op;
    const int64_t nx = g->nx;
    const double cval = g->s->nb.cval;
    float *mid = g->ext + g->xlo;
    for (int64_t y = g->c->row_lo; y < g->c->row_hi; y++) { /* only the rows that must be right */
        float *drow = dst + (size_t)y * (size_t)nx;
        for (int64_t d = -ky->lo; d <= ky->hi; d++) {
            const int64_t r = g->ymap[y + d + g->ylo];
            g->ptrs[d + ky->lo] = r < 0 ? g->zero : src + (size_t)r * (size_t)nx;
        }
        zs__sep_combine(mid, g->ptrs, ky, (size_t)nx);
        float *res = mid;
        if (!kx->identity) {
            zs__extend_inplace(g->ext, nx, g->xlo, kx->lo, kx->hi, g->xmap, 0.0f);
            for (int64_t d = -kx->lo; d <= kx->hi; d++) g->ptrs[d + kx->lo] = mid + d;
            res = op == ZS_GOP_SET && !g->cfix ? drow : g->row;
            zs__sep_combine(res, g->ptrs, kx, (size_t)nx);
        }
        if (g->cfix) add_cval(res, g->bx[t], nx, cval * g->sy[t][y] * sz, cval * (g->by[t][y] * sz + bz));
        if (res != drow) apply_op(drow, res, op, (size_t)nx);
    }
}

/* s_z and b_z of term t at output plane z. */
static void zedge(const grt *g, int t, int64_t z, double *sz, double *bz)
{
    *sz = 1.0;
    *bz = 0.0;
    if (g->cfix && g->wd[t][2])
        edge_line(g->wd[t][2], g->k[t][2].lo, g->c->nz, g->s->nb.mode[2] == ZS_BORDER_CONSTANT, z, 1, bz, sz);
}

/* ---- single filter: the slab driver --------------------------------------------------------- */

static void single_z(void *ctx, float *dst, const float *const *taps, size_t n)
{
    const grt *g = ctx;
    zs__sep_combine(dst, taps, &g->k[0][2], n);
}

static void single_yx(void *ctx, const float *src, float *dst, int64_t slot)
{
    grt *g = ctx;
    double sz, bz;
    zedge(g, 0, g->c->out_z[slot], &sz, &bz);
    g_yx(g, 0, src, dst, sz, bz);
}

static zs_status run_single(grt *g)
{
    const zs_k1d *kz = &g->k[0][2];
    zs_sep_driver d = {kz->lo,      kz->hi,   !kz->identity, (zs_border)g->s->nb.mode[2],
                       g->zero,     g->chunk, g->ztab,       g->tab_rows,
                       g->plane[0], single_z, single_yx,     g,
                       g->zfrom,    g->zto};
    return zs__sep_drive(g->c, &d);
}

/* ---- sums of filters: plane by plane ---------------------------------------------------------- */

/* The z passes of output plane j for every distinct z kernel, chunk by chunk so that the
 * input chunks read for the first kernel are still in cache for the others. zres[t] is the
 * z result term t reads (the input plane itself when z is not filtered). */
static zs_status multi_z(grt *g, int64_t j, const float *zres[ZS_GMAX_TERMS])
{
    const zs_kernel_call *c = g->c;
    int64_t r = 0;
    for (int t = 0; t < g->s->nterms; t++) {
        zres[t] = g->plane[t];
        if (g->plane[t] && g->k[t][2].lo > r) r = g->k[t][2].lo;
        if (!g->k[t][2].identity) continue;
        zres[t] = zs_kcall_plane(c, c->out_z[j]);
        ZS_RETURN_IF(!zres[t], ZS_EINTERNAL, "plane %lld is not among the call's input planes", (long long)c->out_z[j]);
    }
    for (int64_t d = -r; d <= r; d++) {
        g->ztab[d + r] = zs_kcall_tap(c, j, d, (zs_border)g->s->nb.mode[2], g->zero);
        ZS_RETURN_IF(!g->ztab[d + r], ZS_EINTERNAL, "plane %lld%+lld is not among the call's input planes",
                     (long long)c->out_z[j], (long long)d);
    }
    for (size_t i0 = g->zfrom; i0 < g->zto; i0 += g->chunk) {
        const size_t n = g->zto - i0 < g->chunk ? g->zto - i0 : g->chunk;
        for (int64_t t = 0; t < 2 * r + 1; t++) g->ptrs[t] = g->ztab[t] == g->zero ? g->zero : g->ztab[t] + i0;
        for (int t = 0; t < g->s->nterms; t++)
            if (g->plane[t]) zs__sep_combine(g->plane[t] + i0, g->ptrs + (r - g->k[t][2].lo), &g->k[t][2], n);
    }
    return ZS_OK;
}

static zs_status run_multi(grt *g)
{
    const zs_kernel_call *c = g->c;
    const size_t plane = (size_t)g->nx * (size_t)g->ny;
    for (int64_t j = 0; j < c->n_out; j++) {
        const float *zres[ZS_GMAX_TERMS];
        float *dst = c->out[j];
        ZS_FORWARD(multi_z(g, j, zres));
        for (int t = 0; t < g->s->nterms; t++) {
            double sz, bz;
            zedge(g, t, c->out_z[j], &sz, &bz);
            g_yx(g, t, zres[g->zu[t]], dst, sz, bz);
        }
        if (g->s->sqrt_final)
            for (size_t i = 0; i < plane; i++) dst[i] = sqrtf(dst[i]);
    }
    return ZS_OK;
}

zs_status zs__gauss_run(const zs_kernel_call *c, const zs_gspec *s)
{
    grt g;
    zs_bump b = {c->scratch, 0, c->scratch_bytes, 0};
    glayout(&g, &b, s, c->nx, c->ny, c->n_out);
    ZS_RETURN_IF(b.overflow || !c->scratch, ZS_EINTERNAL, "gaussian: scratch of %zu bytes is too small",
                 c->scratch_bytes);
    g.c = c;
    gsetup(&g);
    return s->nterms == 1 ? run_single(&g) : run_multi(&g);
}

/* ---- the gaussian kernel ----------------------------------------------------------------------- */

typedef struct gaussian_params {
    zs_knbhd nb;
    double sigma[3];
    double truncate;
    int64_t order[3];
} gaussian_params;

static void gaussian_spec(const void *params, zs_gspec *s)
{
    const gaussian_params *p = params;
    memset(s, 0, sizeof *s);
    s->nterms = 1;
    for (int a = 0; a < 3; a++) {
        s->t[0].sigma[a] = p->sigma[a];
        s->t[0].order[a] = (int)p->order[a];
    }
    s->t[0].op = ZS_GOP_SET;
    s->truncate = p->truncate;
    s->nb = p->nb;
}

static zs_status gaussian_validate(const void *params, char *msg, size_t msglen)
{
    zs_gspec s;
    gaussian_spec(params, &s);
    return zs__gauss_validate(&s, msg, msglen);
}

static void gaussian_halo(const void *params, zs_halo *h)
{
    zs_gspec s;
    gaussian_spec(params, &s);
    zs__gauss_halo(&s, h);
}

static size_t gaussian_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    zs_gspec s;
    gaussian_spec(params, &s);
    return zs__gauss_scratch(&s, nx, ny, max_in);
}

static zs_status gaussian_run(const zs_kernel_call *c)
{
    zs_gspec s;
    gaussian_spec(c->params, &s);
    return zs__gauss_run(c, &s);
}

static const zs_param_desc gaussian_param_list[] = {
    {"sigma", ZS_PARAM_FLOAT3, offsetof(gaussian_params, sigma), 0, 1000, "1",
     "standard deviation per axis in voxels (x y z: 2 or 1x1x3); 0 leaves an axis unfiltered", NULL},
    {"truncate", ZS_PARAM_FLOAT, offsetof(gaussian_params, truncate), 0, 100, "4",
     "radius = int(truncate * sigma + 0.5) voxels, as scipy (> 0)", NULL},
    {"order", ZS_PARAM_INT3, offsetof(gaussian_params, order), 0, GMAX_ORDER, "0",
     "derivative order per axis (0 smooths; 1, 2, 3 are derivatives of the gaussian)", NULL},
    ZS_NBHD_PARAMS(gaussian_params),
};

const zs_kernel_desc zs_kernel_gaussian = {
    ZS_KERNEL_ABI,
    "gaussian",
    "gaussian filter or its derivatives (scipy.ndimage.gaussian_filter)",
    1,
    gaussian_param_list,
    (int)(sizeof gaussian_param_list / sizeof gaussian_param_list[0]),
    sizeof(gaussian_params),
    ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    gaussian_validate,
    gaussian_halo,
    gaussian_scratch,
    gaussian_run,
    NULL,
    NULL,
    NULL,
};
