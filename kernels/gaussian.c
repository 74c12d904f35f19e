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

/* ---- the engine, once per work type -------------------------------------------------------- */
#define T     float
#define TN(x) x
#define KW    w
#define TSQRT sqrtf
#include "gaussian_impl.h"
#undef T
#undef TN
#undef KW
#undef TSQRT
#define T     double
#define TN(x) x##_f64
#define KW    wd
#define TSQRT sqrt
#include "gaussian_impl.h"
#undef T
#undef TN
#undef KW
#undef TSQRT

size_t zs__gauss_scratch(const zs_gspec *s, int64_t nx, int64_t ny, int64_t max_in)
{
    grt g;
    zs_bump b = {NULL, 0, 0, 0};
    glayout(&g, &b, s, nx, ny, max_in);
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

static zs_status gaussian_run_f64(const zs_kernel_call *c)
{
    zs_gspec s;
    gaussian_spec(c->params, &s);
    return zs__gauss_run_f64(c, &s);
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
    gaussian_run_f64,
};
