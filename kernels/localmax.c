/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Local maxima (cell detection, `zslab detect`): x where x == maximum_filter(x, size,
 * mode='nearest') and x > threshold, NaN elsewhere. The maximum is the box engine of minmax.c
 * (exact, so the equality is exact); the comparison with the threshold is made in the work
 * type, as numpy compares a float32 array with a Python float (NEP 50: float32(threshold)).
 * NaN marks "no maximum": a labelling with the rule `value > -inf` selects exactly the maxima
 * (NaN > anything is false), whatever the threshold; a window holding a NaN gives NaN too. */
#include "minmax_internal.h"

#include <math.h>

typedef struct zs_klocalmax {
    int64_t size[3];
    double threshold;
} zs_klocalmax;

static const zs_param_desc localmax_params[] = {
    {"size", ZS_PARAM_INT3, offsetof(zs_klocalmax, size), 1, ZS_BOX_MAX, "3",
     "box size in voxels, x y z (\"5\" or \"3x5x2\"), centred at size//2 as scipy's maximum_filter, mode nearest",
     NULL},
    {"threshold", ZS_PARAM_FLOAT, offsetof(zs_klocalmax, threshold), -1e308, 1e308, "-1e308",
     "a maximum is a voxel greater than this (in the work type); the default keeps every finite maximum", NULL},
};

/* The box as minmax.c places it, every axis extended as mode=nearest. */
static void localmax_box(const zs_klocalmax *p, zs_kbox *kb)
{
    *kb = (zs_kbox){{{ZS_BORDER_NEAREST, ZS_BORDER_NEAREST, ZS_BORDER_NEAREST}, 0.0, ZS_AXES_XYZ},
                    {p->size[0], p->size[1], p->size[2]}};
}

static void localmax_halo(const void *params, zs_halo *h)
{
    zs_kbox kb;
    localmax_box(params, &kb);
    zs__box_halo(&kb, h);
}

static size_t localmax_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    zs_kbox kb;
    zs_box b;
    localmax_box(params, &kb);
    zs__box_window(&kb, 0, &b);
    return zs__minmax_scratch(&b, nx, ny, max_in); /* as minmax.c's box_scratch, f64 plans included */
}

/* out = x where x equals the box maximum in out and x > t, else NaN: one body per work type. */
#define DEFINE_MARK(NAME, T, PLANE)                                                                                    \
    static zs_status NAME(const zs_kernel_call *c, T t)                                                                \
    {                                                                                                                  \
        const size_t plane = (size_t)(c->nx * c->ny);                                                                  \
        for (int64_t j = 0; j < c->n_out; j++) {                                                                       \
            const T *x = PLANE(c, c->out_z[j]);                                                                        \
            T *o = (T *)(void *)c->out[j];                                                                             \
            ZS_RETURN_IF(!x, ZS_EINTERNAL, "localmax: input plane %lld missing", (long long)c->out_z[j]);              \
            for (size_t i = 0; i < plane; i++) o[i] = x[i] == o[i] && x[i] > t ? x[i] : (T)NAN;                        \
        }                                                                                                              \
        return ZS_OK;                                                                                                  \
    }
DEFINE_MARK(localmax_mark, float, zs_kcall_plane)
DEFINE_MARK(localmax_mark_f64, double, zs_kcall_plane_f64)

static zs_status localmax_run_any(const zs_kernel_call *c, int f64)
{
    const zs_klocalmax *p = c->params;
    zs_kbox kb;
    zs_box b;
    localmax_box(p, &kb);
    zs__box_window(&kb, 0, &b);
    const zs_border mode[3] = {ZS_BORDER_NEAREST, ZS_BORDER_NEAREST, ZS_BORDER_NEAREST};
    if (f64) {
        ZS_FORWARD(zs__minmax_apply_f64(c, &b, 1, mode, 0.0, c->scratch, c->scratch_bytes, -1));
        return localmax_mark_f64(c, p->threshold);
    }
    ZS_FORWARD(zs__minmax_apply(c, &b, 1, mode, 0.0f, c->scratch, c->scratch_bytes, -1));
    return localmax_mark(c, (float)p->threshold);
}

static zs_status localmax_run(const zs_kernel_call *c) { return localmax_run_any(c, 0); }
static zs_status localmax_run_f64(const zs_kernel_call *c) { return localmax_run_any(c, 1); }

const zs_kernel_desc zs_kernel_localmax = {
    .abi = ZS_KERNEL_ABI,
    .name = "localmax",
    .summary = "local maxima: x where x == maximum_filter(x, size, mode='nearest') and x > threshold, else NaN",
    .version = 1,
    .params = localmax_params,
    .nparams = (int)(sizeof localmax_params / sizeof localmax_params[0]),
    .params_size = sizeof(zs_klocalmax),
    .flags = ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    .halo = localmax_halo,
    .scratch_bytes = localmax_scratch,
    .run = localmax_run,
    .run_f64 = localmax_run_f64,
};
