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
 * s = that sum, and the same formula holds.
 *
 * The passes are written once over the element type (gaussian_impl.h) and built for float and
 * for double (run_f64, float64 plans): weights are computed in double as scipy's, rounded to the
 * work type, and every sum runs in the work type in the same order. */
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

static int same_z(const zs_gspec *s, int t, int u)
{
    if (!axis_on(s, t, 2) || !axis_on(s, u, 2)) return axis_on(s, t, 2) == axis_on(s, u, 2);
    return s->t[t].sigma[2] == s->t[u].sigma[2] && s->t[t].order[2] == s->t[u].order[2];
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

/* ---- the plan's tables (prepare) -------------------------------------------------------------- */

/* What prepare() builds once per plan and every call reads: the spec, the 1-D weights of every
 * filtered axis of every term (in double, and rounded to float for float32 work), the x border
 * map, the constant mode's x edge weights and a run of zeros. All of it depends on the parameters
 * and the tile's columns (a plan's tiles hold all of x), none on the rows a call holds. */
typedef struct zs_gstate {
    zs_gspec s;
    int64_t nx;                   /* tile columns the tables are for */
    int cfix;                     /* constant mode with cval != 0 */
    int64_t xlo, ylo;             /* largest x / y radius: offsets into the extended row and the y map */
    int64_t maxtaps, ztaps;       /* most taps of any pass, of a z pass */
    int zu[ZS_GMAX_TERMS];        /* the first term with the same z kernel as term t */
    zs_k1d k[ZS_GMAX_TERMS][3];   /* w: float weights, wd: double (zs__k1d_identity: axis off) */
    double *wd[ZS_GMAX_TERMS][3]; /* the double weights (NULL: axis off) */
    float *wf[ZS_GMAX_TERMS][3];  /* the same rounded to float */
    int64_t *xmap;                /* zs__border_map over xlo + nx + xlo */
    double *bx[ZS_GMAX_TERMS];    /* cfix: weight of term t's x taps outside the volume */
    const void *zero;             /* zlen zero doubles (as many zero floats and more) */
    size_t zlen;
} zs_gstate;

/* The sizes of a spec's tables for tiles of nx columns (no allocation: the scratch hook counts with it). */
static void gstate_shape(zs_gstate *st, const zs_gspec *s, int64_t nx)
{
    memset(st, 0, sizeof *st);
    st->s = *s;
    st->nx = nx;
    st->cfix = s->nb.cval != 0.0 && (s->nb.mode[0] == ZS_BORDER_CONSTANT || s->nb.mode[1] == ZS_BORDER_CONSTANT ||
                                     s->nb.mode[2] == ZS_BORDER_CONSTANT);
    st->maxtaps = st->ztaps = 1;
    for (int t = 0; t < s->nterms; t++) {
        for (int a = 0; a < 3; a++) {
            const int64_t r = zs__gauss_radius(s, t, a);
            if (2 * r + 1 > st->maxtaps) st->maxtaps = 2 * r + 1;
            if (a == 0 && r > st->xlo) st->xlo = r;
            if (a == 1 && r > st->ylo) st->ylo = r;
            if (a == 2 && 2 * r + 1 > st->ztaps) st->ztaps = 2 * r + 1;
        }
        st->zu[t] = t;
        for (int u = 0; u < t; u++)
            if (same_z(s, t, u)) {
                st->zu[t] = u;
                break;
            }
    }
    const size_t chunk = zs__sep_chunk(st->ztaps, SIZE_MAX); /* the most a call's chunk can be */
    st->zlen = chunk > (size_t)nx ? chunk : (size_t)nx;
}

/* Carves the tables out of b (counting only, when b has no base). */
static void gstate_carve(zs_gstate *st, zs_bump *b)
{
    for (int t = 0; t < st->s.nterms; t++) {
        for (int a = 0; a < 3; a++) {
            const size_t n = (size_t)(2 * zs__gauss_radius(&st->s, t, a) + 1);
            st->wd[t][a] = axis_on(&st->s, t, a) ? zs__bump_take(b, n, sizeof(double)) : NULL;
            st->wf[t][a] = axis_on(&st->s, t, a) ? zs__bump_take(b, n, sizeof(float)) : NULL;
        }
        st->bx[t] = st->cfix ? zs__bump_take(b, (size_t)st->nx, sizeof(double)) : NULL;
    }
    st->xmap = zs__bump_take(b, (size_t)(st->xlo + st->nx + st->xlo), sizeof(int64_t));
    st->zero = zs__bump_take(b, st->zlen, sizeof(double));
}

/* Fills the carved tables: weights as scipy's, the x map, the x edge weights. */
static void gstate_fill(zs_gstate *st)
{
    const zs_gspec *s = &st->s;
    for (int t = 0; t < s->nterms; t++)
        for (int a = 0; a < 3; a++) {
            st->k[t][a] = zs__k1d_identity;
            if (!st->wd[t][a]) continue;
            const int64_t r = zs__gauss_radius(s, t, a);
            zs__gauss_weights(s->t[t].sigma[a], s->t[t].order[a], r, st->wd[t][a]);
            for (int64_t i = 0; i < 2 * r + 1; i++) st->wf[t][a][i] = (float)st->wd[t][a][i];
            st->k[t][a] = (zs_k1d){r, r, s->t[t].order[a] % 2 ? -1 : 1, 0, st->wf[t][a], st->wd[t][a]};
        }
    zs__border_map(st->xmap, st->nx, st->xlo, st->xlo, (zs_border)s->nb.mode[0]);
    for (int t = 0; st->cfix && t < s->nterms; t++)
        edge_line(st->wd[t][0], st->k[t][0].lo, st->nx, s->nb.mode[0] == ZS_BORDER_CONSTANT, 0, st->nx, st->bx[t],
                  NULL);
}

zs_status zs__gauss_prepare(const zs_gspec *s, const zs_kernel_geom *geom, void **state)
{
    zs_gstate shape;
    zs_bump count = {NULL, 0, 0, 0};
    gstate_shape(&shape, s, geom->nx);
    gstate_carve(&shape, &count);
    const size_t tables = zs__bump_total(&count);
    ZS_RETURN_IF(tables > SIZE_MAX - sizeof shape, ZS_EOVERFLOW, "gaussian: tables for %lld columns overflow",
                 (long long)geom->nx);
    zs_gstate *st = zs__alloc(sizeof *st + tables);
    ZS_RETURN_IF(!st, ZS_ENOMEM, "gaussian: out of memory for tables of %zu bytes", tables);
    memset(st, 0, sizeof *st + tables); /* the zeros */
    *st = shape;
    zs_bump b = {(unsigned char *)(st + 1), 0, tables, 0};
    gstate_carve(st, &b);
    gstate_fill(st);
    *state = st;
    return ZS_OK;
}

void zs__gauss_release(void *state) { zs__free(state); }

/* ---- the engine, once per work type -------------------------------------------------------- */
#define T     float
#define TN(x) x
#define TSQRT sqrtf
#include "gaussian_impl.h"
#undef T
#undef TN
#undef TSQRT
#define T     double
#define TN(x) x##_f64
#define TSQRT sqrt
#include "gaussian_impl.h"
#undef T
#undef TN
#undef TSQRT

size_t zs__gauss_scratch(const zs_gspec *s, int64_t nx, int64_t ny, int64_t max_in)
{
    zs_gstate st;
    grt g;
    zs_bump b = {NULL, 0, 0, 0};
    gstate_shape(&st, s, nx);
    glayout(&g, &b, &st, nx, ny, max_in);
    return zs__bump_total(&b);
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

ZS_GAUSS_HOOKS(gaussian_spec)

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
    .abi = ZS_KERNEL_ABI,
    .name = "gaussian",
    .summary = "gaussian filter or its derivatives (scipy.ndimage.gaussian_filter)",
    .version = 1,
    .params = gaussian_param_list,
    .nparams = (int)(sizeof gaussian_param_list / sizeof gaussian_param_list[0]),
    .params_size = sizeof(gaussian_params),
    .flags = ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    ZS_GAUSS_DESC_HOOKS(gaussian_spec),
};
