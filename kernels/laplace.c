/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* log: laplacian of gaussian (scipy.ndimage.gaussian_laplace), the sum over the filtered axes
 * of the gaussian with order 2 along that axis, added in scipy's order x, y, z in float32.
 * As in scipy, an axis with sigma 0 is not differentiated: its term is the plain gaussian. */
#include "separable.h"

#include <string.h>

/* scipy's gaussian_laplace takes a list of modes but applies mode[a] to the whole term that differentiates
 * along axis a (on every axis), not along axis a: one mode here until the executor can extend
 * one stage's input by several modes. */
#define ONE_MODE                                                                                                       \
    "one mode for all axes: scipy.ndimage's gaussian_laplace applies a list's mode for axis a to "                     \
    "the whole a-th derivative, on every axis"

typedef struct log_params {
    zs_knbhd nb;
    double sigma[3];
    double truncate;
} log_params;

static void log_spec(const void *params, zs_gspec *s)
{
    const log_params *p = params;
    memset(s, 0, sizeof *s);
    s->nterms = p->nb.axes == ZS_AXES_XY ? 2 : 3;
    for (int t = 0; t < s->nterms; t++) {
        memcpy(s->t[t].sigma, p->sigma, sizeof p->sigma);
        s->t[t].order[t] = 2;
        s->t[t].op = t ? ZS_GOP_ADD : ZS_GOP_SET;
    }
    s->truncate = p->truncate;
    s->nb = p->nb;
    zs__nbhd_one_mode(&s->nb);
}

ZS_GAUSS_HOOKS(log_spec)

static const zs_param_desc log_param_list[] = {
    {"sigma", ZS_PARAM_FLOAT3, offsetof(log_params, sigma), 0, 1000, "1",
     "standard deviation per axis in voxels (x y z: 2 or 1x1x3)", NULL},
    {"truncate", ZS_PARAM_FLOAT, offsetof(log_params, truncate), 0, 100, "4",
     "radius = int(truncate * sigma + 0.5) voxels, as scipy (> 0)", NULL},
    ZS_NBHD_PARAMS_1MODE(log_params, ONE_MODE),
};

const zs_kernel_desc zs_kernel_log = {
    .abi = ZS_KERNEL_ABI,
    .name = "log",
    .summary = "laplacian of gaussian (scipy.ndimage.gaussian_laplace)",
    .version = 1,
    .params = log_param_list,
    .nparams = (int)(sizeof log_param_list / sizeof log_param_list[0]),
    .params_size = sizeof(log_params),
    .flags = ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC,
    ZS_GAUSS_DESC_HOOKS(log_spec),
};
