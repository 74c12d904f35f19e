/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* dog: difference of gaussians, gaussian_filter(x, sigma1) - gaussian_filter(x, sigma2), each
 * computed as scipy would and subtracted in float32 (the gaussian engine of gaussian.c). */
#include "separable.h"

#include <string.h>

typedef struct dog_params {
    zs_knbhd nb;
    double sigma1[3], sigma2[3];
    double truncate;
} dog_params;

static void dog_spec(const void *params, zs_gspec *s)
{
    const dog_params *p = params;
    memset(s, 0, sizeof *s);
    s->nterms = 2;
    memcpy(s->t[0].sigma, p->sigma1, sizeof p->sigma1);
    memcpy(s->t[1].sigma, p->sigma2, sizeof p->sigma2);
    s->t[0].op = ZS_GOP_SET;
    s->t[1].op = ZS_GOP_SUB;
    s->truncate = p->truncate;
    s->nb = p->nb;
}

ZS_GAUSS_HOOKS(dog_spec)

static const zs_param_desc dog_param_list[] = {
    {"sigma1", ZS_PARAM_FLOAT3, offsetof(dog_params, sigma1), 0, 1000, "1",
     "sigma of the gaussian subtracted from (x y z: 1 or 1x1x2)", NULL},
    {"sigma2", ZS_PARAM_FLOAT3, offsetof(dog_params, sigma2), 0, 1000, "2",
     "sigma of the gaussian subtracted (usually larger than sigma1)", NULL},
    {"truncate", ZS_PARAM_FLOAT, offsetof(dog_params, truncate), 0, 100, "4",
     "radius = int(truncate * sigma + 0.5) voxels, as scipy (> 0)", NULL},
    ZS_NBHD_PARAMS(dog_params),
};

const zs_kernel_desc zs_kernel_dog = {
    .abi = ZS_KERNEL_ABI,
    .name = "dog",
    .summary = "difference of gaussians: gaussian(sigma1) - gaussian(sigma2)",
    .version = 1,
    .params = dog_param_list,
    .nparams = (int)(sizeof dog_param_list / sizeof dog_param_list[0]),
    .params_size = sizeof(dog_params),
    .flags = ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    ZS_GAUSS_DESC_HOOKS(dog_spec),
};
