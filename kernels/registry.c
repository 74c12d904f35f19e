/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The one list of kernels. Adding a kernel = one file with its descriptor + one line here. */
#include <string.h>

#include "kernels_internal.h"

const char *const zs__axes_names[] = {"xyz", "xy", NULL};

static const zs_kernel_desc *const kernels[] = {
    &zs_kernel_gaussian,
    &zs_kernel_uniform,
    &zs_kernel_minimum,
    &zs_kernel_maximum,
    &zs_kernel_median,
    &zs_kernel_percentile,
    &zs_kernel_white_tophat,
    &zs_kernel_black_tophat,
    &zs_kernel_opening,
    &zs_kernel_closing,
    &zs_kernel_dog,
    &zs_kernel_log,
    &zs_kernel_gradient_magnitude,
    &zs_kernel_scale,
    &zs_kernel_clip,
    &zs_kernel_threshold,
};
#define NKERNELS ((int)(sizeof kernels / sizeof kernels[0]))

int zs_kernel_count(void) { return NKERNELS; }

const zs_kernel_desc *zs_kernel_get(int i) { return i >= 0 && i < NKERNELS ? kernels[i] : NULL; }

const zs_kernel_desc *zs_kernel_find(const char *name)
{
    for (int i = 0; i < NKERNELS; i++)
        if (strcmp(kernels[i]->name, name) == 0) return kernels[i];
    return NULL;
}

zs_status zs_kernel_param_bounds(const zs_kernel_desc *k, const char *param, double *min, double *max)
{
    for (int i = 0; i < k->nparams; i++)
        if (strcmp(k->params[i].name, param) == 0) {
            *min = k->params[i].min;
            *max = k->params[i].max;
            return ZS_OK;
        }
    return ZS_ERR(ZS_EPARAM, "%s: no parameter '%s'", k->name, param);
}

/* Checks the list once: ABI and unique names. Called by the pipeline before first use. */
zs_status zs__kernel_registry_check(void)
{
    for (int i = 0; i < NKERNELS; i++) {
        ZS_RETURN_IF(kernels[i]->abi != ZS_KERNEL_ABI, ZS_EINTERNAL, "kernel %s: ABI %d, expected %d", kernels[i]->name,
                     kernels[i]->abi, ZS_KERNEL_ABI);
        for (int j = 0; j < i; j++)
            ZS_RETURN_IF(strcmp(kernels[i]->name, kernels[j]->name) == 0, ZS_EINTERNAL, "kernel %s registered twice",
                         kernels[i]->name);
    }
    return ZS_OK;
}
