/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Naive references (see ref_smooth.h). One routine does all the work: for each voxel, the
 * neighbourhood sum of w_x w_y w_z * value, nested the way scipy runs its passes (x first,
 * then y, then z, each extending its own input), which only matters for mode=constant: a tap
 * outside the volume along z reads cval once, not a filtered cval. */
#include "ref_smooth.h"

#include <math.h>
#include <stdlib.h>

#include "ref_border.h"

typedef struct ref_axis {
    int64_t lo, hi;
    double *w; /* w[d + lo] for d in [-lo, hi] */
} ref_axis;

static double at(const float *in, const int64_t n[3], int64_t x, int64_t y, int64_t z)
{
    return in[(size_t)x + (size_t)n[0] * ((size_t)y + (size_t)n[1] * (size_t)z)];
}

static void ref_sum(const float *in, const int64_t n[3], const ref_axis ax[3], const ref_nbhd *nb, double *val,
                    double *mag)
{
    const zs_border xmode = (zs_border)nb->mode[0], ymode = (zs_border)nb->mode[1], zmode = (zs_border)nb->mode[2];
    const double c = nb->cval;
    for (int64_t z = 0; z < n[2]; z++)
        for (int64_t y = 0; y < n[1]; y++)
            for (int64_t x = 0; x < n[0]; x++) {
                double v = 0.0, m = 0.0;
                for (int64_t dz = -ax[2].lo; dz <= ax[2].hi; dz++) {
                    const double wz = ax[2].w[dz + ax[2].lo];
                    const int64_t iz = ref_border_index(z + dz, n[2], zmode);
                    if (iz < 0) {
                        v += wz * c;
                        m += fabs(wz * c);
                        continue;
                    }
                    double vy = 0.0, my = 0.0;
                    for (int64_t dy = -ax[1].lo; dy <= ax[1].hi; dy++) {
                        const double wy = ax[1].w[dy + ax[1].lo];
                        const int64_t iy = ref_border_index(y + dy, n[1], ymode);
                        if (iy < 0) {
                            vy += wy * c;
                            my += fabs(wy * c);
                            continue;
                        }
                        double vx = 0.0, mx = 0.0;
                        for (int64_t dx = -ax[0].lo; dx <= ax[0].hi; dx++) {
                            const double wx = ax[0].w[dx + ax[0].lo];
                            const int64_t ix = ref_border_index(x + dx, n[0], xmode);
                            const double t = ix < 0 ? c : at(in, n, ix, iy, iz);
                            vx += wx * t;
                            mx += fabs(wx * t);
                        }
                        vy += wy * vx;
                        my += fabs(wy) * mx;
                    }
                    v += wz * vy;
                    m += fabs(wz) * my;
                }
                const size_t i = (size_t)x + (size_t)n[0] * ((size_t)y + (size_t)n[1] * (size_t)z);
                val[i] = v;
                mag[i] = m;
            }
}

static double one = 1.0;

static void identity_axis(ref_axis *a)
{
    a->lo = a->hi = 0;
    a->w = &one;
}

static void free_axes(ref_axis ax[3])
{
    for (int a = 0; a < 3; a++)
        if (ax[a].w != &one) free(ax[a].w);
}

void ref_gauss_weights(double sigma, int order, int64_t r, double *w)
{
    double sum = 0.0;
    for (int64_t d = -r; d <= r; d++) {
        w[d + r] = exp(-(double)(d * d) / (2.0 * sigma * sigma));
        sum += w[d + r];
    }
    for (int64_t d = -r; d <= r; d++) {
        /* correlating with the derivative kernel k means tap d weighs k(-d) */
        const double u = (double)-d / sigma;
        double h0 = 1.0, h1 = u;
        for (int k = 1; k < order; k++) {
            const double h2 = u * h1 - k * h0;
            h0 = h1;
            h1 = h2;
        }
        const double he = order == 0 ? 1.0 : h1;
        w[d + r] = pow(-1.0 / sigma, order) * he * w[d + r] / sum;
    }
}

void ref_gaussian(const float *in, const int64_t n[3], const double sigma[3], const int order[3], double truncate,
                  const ref_nbhd *nb, double *val, double *mag)
{
    ref_axis ax[3];
    for (int a = 0; a < 3; a++) {
        /* scipy leaves an axis with sigma <= 1e-15 alone, whatever its order */
        if (sigma[a] <= 1e-15 || (a == 2 && nb->xy)) {
            identity_axis(&ax[a]);
            continue;
        }
        const int64_t r = (int64_t)(truncate * sigma[a] + 0.5);
        ax[a].lo = ax[a].hi = r;
        ax[a].w = malloc(sizeof(double) * (size_t)(2 * r + 1));
        ref_gauss_weights(sigma[a], order[a], r, ax[a].w);
    }
    ref_sum(in, n, ax, nb, val, mag);
    free_axes(ax);
}

void ref_uniform(const float *in, const int64_t n[3], const int64_t size[3], const ref_nbhd *nb, double *val,
                 double *mag)
{
    ref_axis ax[3];
    for (int a = 0; a < 3; a++) {
        if (size[a] <= 1 || (a == 2 && nb->xy)) {
            identity_axis(&ax[a]);
            continue;
        }
        ax[a].lo = size[a] / 2;
        ax[a].hi = size[a] - 1 - size[a] / 2;
        ax[a].w = malloc(sizeof(double) * (size_t)size[a]);
        for (int64_t i = 0; i < size[a]; i++) ax[a].w[i] = 1.0 / (double)size[a];
    }
    ref_sum(in, n, ax, nb, val, mag);
    free_axes(ax);
}

static size_t voxels(const int64_t n[3]) { return (size_t)n[0] * (size_t)n[1] * (size_t)n[2]; }

void ref_dog(const float *in, const int64_t n[3], const double sigma1[3], const double sigma2[3], double truncate,
             const ref_nbhd *nb, double *val, double *mag)
{
    const int order[3] = {0, 0, 0};
    double *v2 = malloc(sizeof(double) * voxels(n)), *m2 = malloc(sizeof(double) * voxels(n));
    ref_gaussian(in, n, sigma1, order, truncate, nb, val, mag);
    ref_gaussian(in, n, sigma2, order, truncate, nb, v2, m2);
    for (size_t i = 0; i < voxels(n); i++) {
        val[i] -= v2[i];
        mag[i] += m2[i];
    }
    free(v2);
    free(m2);
}

/* Sum over the filtered axes of the gaussian with derivative `deriv` along that axis;
 * squared terms and a final square root when `magnitude`. */
static void ref_axis_sum(const float *in, const int64_t n[3], const double sigma[3], double truncate,
                         const ref_nbhd *nb, int deriv, int magnitude, double *val, double *mag)
{
    double *v = malloc(sizeof(double) * voxels(n)), *m = malloc(sizeof(double) * voxels(n));
    for (size_t i = 0; i < voxels(n); i++) val[i] = mag[i] = 0.0;
    for (int a = 0; a < (nb->xy ? 2 : 3); a++) {
        int order[3] = {0, 0, 0};
        order[a] = deriv;
        const ref_nbhd term = {{nb->mode[a], nb->mode[a], nb->mode[a]}, nb->cval, nb->xy}; /* scipy's modes[a] */
        ref_gaussian(in, n, sigma, order, truncate, &term, v, m);
        for (size_t i = 0; i < voxels(n); i++) {
            val[i] += magnitude ? v[i] * v[i] : v[i];
            mag[i] += m[i];
        }
    }
    if (magnitude)
        for (size_t i = 0; i < voxels(n); i++) val[i] = sqrt(val[i]);
    free(v);
    free(m);
}

void ref_log(const float *in, const int64_t n[3], const double sigma[3], double truncate, const ref_nbhd *nb,
             double *val, double *mag)
{
    ref_axis_sum(in, n, sigma, truncate, nb, 2, 0, val, mag);
}

void ref_gradmag(const float *in, const int64_t n[3], const double sigma[3], double truncate, const ref_nbhd *nb,
                 double *val, double *mag)
{
    ref_axis_sum(in, n, sigma, truncate, nb, 1, 1, val, mag);
}
