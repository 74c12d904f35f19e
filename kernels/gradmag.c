/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* gradient_magnitude (scipy.ndimage.gaussian_gradient_magnitude): sqrt of the sum over the
 * filtered axes of (gaussian with order 1 along that axis)^2, in scipy's order and float32.
 * As in scipy, an axis with sigma 0 is not differentiated: its term is the plain gaussian. */
#include "separable.h"

#include <string.h>

/* scipy's gaussian_gradient_magnitude takes a list of modes but applies mode[a] to the whole term that differentiates
 * along axis a (on every axis), not along axis a: one mode here until the executor can extend
 * one stage's input by several modes. */
#define ONE_MODE                                                                                                       \
    "one mode for all axes: scipy.ndimage's gaussian_gradient_magnitude applies a list's mode for axis a to "          \
    "the whole a-th derivative, on every axis"

typedef struct gradmag_params {
    zs_knbhd nb;
    double sigma[3];
    double truncate;
} gradmag_params;

static void gradmag_spec(const void *params, zs_gspec *s)
{
    const gradmag_params *p = params;
    memset(s, 0, sizeof *s);
    s->nterms = p->nb.axes == ZS_AXES_XY ? 2 : 3;
    for (int t = 0; t < s->nterms; t++) {
        memcpy(s->t[t].sigma, p->sigma, sizeof p->sigma);
        s->t[t].order[t] = 1;
        s->t[t].op = t ? ZS_GOP_SQADD : ZS_GOP_SQSET;
    }
    s->truncate = p->truncate;
    s->nb = p->nb;
    zs__nbhd_one_mode(&s->nb);
    s->sqrt_final = 1;
}

ZS_GAUSS_HOOKS(gradmag_spec)

static const zs_param_desc gradmag_param_list[] = {
    {"sigma", ZS_PARAM_FLOAT3, offsetof(gradmag_params, sigma), 0, 1000, "1",
     "standard deviation per axis in voxels (x y z: 2 or 1x1x3)", NULL},
    {"truncate", ZS_PARAM_FLOAT, offsetof(gradmag_params, truncate), 0, 100, "4",
     "radius = int(truncate * sigma + 0.5) voxels, as scipy (> 0)", NULL},
    ZS_NBHD_PARAMS_1MODE(gradmag_params, ONE_MODE),
};

const zs_kernel_desc zs_kernel_gradient_magnitude = {
    .abi = ZS_KERNEL_ABI,
    .name = "gradient_magnitude",
    .summary = "gaussian gradient magnitude (scipy.ndimage.gaussian_gradient_magnitude)",
    .version = 1,
    .params = gradmag_param_list,
    .nparams = (int)(sizeof gradmag_param_list / sizeof gradmag_param_list[0]),
    .params_size = sizeof(gradmag_params),
    .flags = ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC,
    ZS_GAUSS_DESC_HOOKS(gradmag_spec),
};
