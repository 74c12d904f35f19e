/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Resampling (resample.c: options, geometry, plan; resample_run.c: the reduction). */
#ifndef ZS_RESAMPLE_INTERNAL_H
#define ZS_RESAMPLE_INTERNAL_H

#include "scheduler_internal.h"
#include "zslab_reduce.h"
#include "zslab_resample.h"

/* One axis's weights: output index k takes input indices idx[off[k] .. off[k+1]) with weights w,
 * indices non-decreasing within k and from k to k + 1 (so a window is [lo(k), hi(k)]). */
typedef struct zs_raxis {
    int64_t n_in, n_out;
    int64_t *off; /* n_out + 1 */
    int64_t *idx;
    double *w;
} zs_raxis;

/* The method resolved (AUTO: area when no axis grows, else linear) for an output of shape out. */
zs_resample_method zs__resample_method(zs_resample_method m, const int64_t in[3], const int64_t out[3]);
/* Builds the table of an axis for `m` (LINEAR and ANTIALIAS: linear weights). */
zs_status zs__raxis_build(zs_resample_method m, int64_t n_in, int64_t n_out, zs_raxis *a);
void zs__raxis_free(zs_raxis *a);

#endif
