/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Naive references for the smoothing and pointwise kernels, written as plainly as possible:
 * for every voxel, the full 3-D neighbourhood sum in double, with scipy.ndimage's semantics.
 * Volumes are float32, F order (x fastest), nx*ny*nz. Each reference writes the value (val)
 * and the sum of the absolute values of the terms (mag), the scale a float32 computation's
 * rounding error is proportional to: compare with |out - val| <= rtol * mag. */
#ifndef ZS_REF_SMOOTH_H
#define ZS_REF_SMOOTH_H

#include <stdint.h>

/** Where the filter applies and how it extends the volume (zs_border values, one per axis x y z,
 *  as scipy's mode=[...]). */
typedef struct ref_nbhd {
    int mode[3];
    double cval;
    int xy; /**< 1: each z-plane on its own (z not filtered) */
} ref_nbhd;

/** scipy.ndimage.gaussian_filter(in, sigma, order, mode, cval, truncate). */
void ref_gaussian(const float *in, const int64_t n[3], const double sigma[3], const int order[3], double truncate,
                  const ref_nbhd *nb, double *val, double *mag);

/** scipy.ndimage.uniform_filter(in, size, mode, cval). */
void ref_uniform(const float *in, const int64_t n[3], const int64_t size[3], const ref_nbhd *nb, double *val,
                 double *mag);

/** gaussian_filter(in, sigma1) - gaussian_filter(in, sigma2). */
void ref_dog(const float *in, const int64_t n[3], const double sigma1[3], const double sigma2[3], double truncate,
             const ref_nbhd *nb, double *val, double *mag);

/** scipy.ndimage.gaussian_laplace (over x, y only when nb->xy). As scipy's generic_laplace, the
 *  term that differentiates along axis a extends every axis by mode[a]. */
void ref_log(const float *in, const int64_t n[3], const double sigma[3], double truncate, const ref_nbhd *nb,
             double *val, double *mag);

/** scipy.ndimage.gaussian_gradient_magnitude (over x, y only when nb->xy); mode[a] as in ref_log. */
void ref_gradmag(const float *in, const int64_t n[3], const double sigma[3], double truncate, const ref_nbhd *nb,
                 double *val, double *mag);

/** The 1-D correlation weights of the gaussian of order `order` (0..3) at taps -r..r,
 *  from the Hermite polynomials: d^n/dx^n g = (-1/sigma)^n He_n(x/sigma) g. */
void ref_gauss_weights(double sigma, int order, int64_t r, double *w);

#endif
