/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Pointwise kernels: scale (a x + b), clip and threshold, with numpy's float32 semantics (the
 * parameters are rounded to float32 first, as numpy does with a Python scalar), or in a float64
 * plan numpy's float64 ones. They may run in place: out may be in. */
#include <stdio.h>

#include "kernels_internal.h"

typedef struct scale_params {
    double a, b;
} scale_params;
typedef struct clip_params {
    double lo, hi;
} clip_params;
typedef struct threshold_params {
    double value;
    int keep;
} threshold_params;

typedef enum pw_op { PW_SCALE, PW_CLIP, PW_THRESHOLD, PW_THRESHOLD_KEEP } pw_op;

/* Two copies of each loop: out == in (one pointer) and disjoint (restrict), so that both
 * vectorise without a runtime overlap check falling back to scalar code. Each loop, pw_apply
 * and pw_run are written once and instantiated per work type: float (SUF empty) and double
 * (SUF _f64, float64 plans: the parameters are then used as given, as numpy on float64). */
#define PW_LOOP(NAME, SUF, T, EXPR)                                                                                    \
    static void NAME##SUF##_inplace(T *p, size_t n, T u, T v)                                                          \
    {                                                                                                                  \
        for (size_t i = 0; i < n; i++) {                                                                               \
            const T x = p[i];                                                                                          \
            p[i] = (EXPR);                                                                                             \
        }                                                                                                              \
    }                                                                                                                  \
    static void NAME##SUF##_copy(T *restrict d, const T *restrict s, size_t n, T u, T v)                               \
    {                                                                                                                  \
        for (size_t i = 0; i < n; i++) {                                                                               \
            const T x = s[i];                                                                                          \
            d[i] = (EXPR);                                                                                             \
        }                                                                                                              \
    }

#define PW_CASE(OP, NAME, SUF)                                                                                         \
    case OP:                                                                                                           \
        if (d == s)                                                                                                    \
            NAME##SUF##_inplace(d, n, u, v);                                                                           \
        else                                                                                                           \
            NAME##SUF##_copy(d, s, n, u, v);                                                                           \
        break;

/* The four loops, pw_apply over them, and pw_run: each output plane from the input plane with the
 * same z (the same slot, for a pointwise kernel's call; looked up in case a scheduler hands more
 * input planes than output ones). */
#define PW_DEFINE(SUF, T, PLANE)                                                                                       \
    PW_LOOP(pw_scale, SUF, T, u *x + v)                                                                                \
    PW_LOOP(pw_clip, SUF, T, x < u ? u : (x > v ? v : x)) /* NaN stays NaN, as np.clip */                              \
    PW_LOOP(pw_thr, SUF, T, x <= u ? v : (x > u ? 1 : x)) /* v = 0; NaN stays NaN (the NaN rule) */                    \
    PW_LOOP(pw_thrkeep, SUF, T, x <= u ? v : x)           /* v = 0 */                                                  \
    static void pw_apply##SUF(pw_op op, T *d, const T *s, size_t n, T u, T v)                                          \
    {                                                                                                                  \
        switch (op) {                                                                                                  \
            PW_CASE(PW_SCALE, pw_scale, SUF)                                                                           \
            PW_CASE(PW_CLIP, pw_clip, SUF)                                                                             \
            PW_CASE(PW_THRESHOLD, pw_thr, SUF)                                                                         \
            PW_CASE(PW_THRESHOLD_KEEP, pw_thrkeep, SUF)                                                                \
        }                                                                                                              \
    }                                                                                                                  \
    static zs_status pw_run##SUF(const zs_kernel_call *c, pw_op op, T u, T v)                                          \
    {                                                                                                                  \
        const size_t plane = (size_t)c->nx * (size_t)c->ny;                                                            \
        for (int64_t j = 0; j < c->n_out; j++) {                                                                       \
            const T *src =                                                                                             \
                j < c->n_in && c->in_z[j] == c->out_z[j] ? (const T *)(const void *)c->in[j] : PLANE(c, c->out_z[j]);  \
            ZS_RETURN_IF(!src, ZS_EINTERNAL, "plane %lld is not among the call's input planes",                        \
                         (long long)c->out_z[j]);                                                                      \
            pw_apply##SUF(op, (T *)(void *)c->out[j], src, plane, u, v);                                               \
        }                                                                                                              \
        return ZS_OK;                                                                                                  \
    }

PW_DEFINE(, float, zs_kcall_plane)
PW_DEFINE(_f64, double, zs_kcall_plane_f64)

static zs_status scale_run(const zs_kernel_call *c)
{
    const scale_params *p = c->params;
    return pw_run(c, PW_SCALE, (float)p->a, (float)p->b);
}

static zs_status clip_run(const zs_kernel_call *c)
{
    const clip_params *p = c->params;
    return pw_run(c, PW_CLIP, (float)p->lo, (float)p->hi);
}

static zs_status threshold_run(const zs_kernel_call *c)
{
    const threshold_params *p = c->params;
    return pw_run(c, p->keep ? PW_THRESHOLD_KEEP : PW_THRESHOLD, (float)p->value, 0.0f);
}

static zs_status scale_run_f64(const zs_kernel_call *c)
{
    const scale_params *p = c->params;
    return pw_run_f64(c, PW_SCALE, p->a, p->b);
}

static zs_status clip_run_f64(const zs_kernel_call *c)
{
    const clip_params *p = c->params;
    return pw_run_f64(c, PW_CLIP, p->lo, p->hi);
}

static zs_status threshold_run_f64(const zs_kernel_call *c)
{
    const threshold_params *p = c->params;
    return pw_run_f64(c, p->keep ? PW_THRESHOLD_KEEP : PW_THRESHOLD, p->value, 0.0);
}

static zs_status clip_validate(const void *params, char *msg, size_t msglen)
{
    const clip_params *p = params;
    if (p->lo <= p->hi) return ZS_OK;
    snprintf(msg, msglen, "lo (%g) must not exceed hi (%g)", p->lo, p->hi);
    return ZS_EPARAM;
}

static void pw_halo(const void *params, zs_halo *h)
{
    (void)params;
    *h = (zs_halo){{0, 0, 0}, {0, 0, 0}, ZS_BORDER_REFLECT, 0.0, ZS_BORDER_REFLECT};
}

static size_t pw_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    (void)params, (void)nx, (void)ny, (void)max_in;
    return 0;
}

static const zs_param_desc scale_param_list[] = {
    {"a", ZS_PARAM_FLOAT, offsetof(scale_params, a), -3.4e38, 3.4e38, "1", "factor: out = a * x + b", NULL},
    {"b", ZS_PARAM_FLOAT, offsetof(scale_params, b), -3.4e38, 3.4e38, "0", "offset: out = a * x + b", NULL},
};

static const zs_param_desc clip_param_list[] = {
    {"lo", ZS_PARAM_FLOAT, offsetof(clip_params, lo), -3.4e38, 3.4e38, "-3.4e38", "values below become lo", NULL},
    {"hi", ZS_PARAM_FLOAT, offsetof(clip_params, hi), -3.4e38, 3.4e38, "3.4e38", "values above become hi", NULL},
};

static const zs_param_desc threshold_param_list[] = {
    {"value", ZS_PARAM_FLOAT, offsetof(threshold_params, value), -3.4e38, 3.4e38, "0",
     "voxels above value become 1 (or keep their value), the others 0", NULL},
    {"keep", ZS_PARAM_BOOL, offsetof(threshold_params, keep), 0, 1, "0",
     "1: voxels above value keep their value instead of becoming 1", NULL},
};

#define PW_FLAGS (ZS_KF_POINTWISE | ZS_KF_INPLACE_OK | ZS_KF_DETERMINISTIC)

const zs_kernel_desc zs_kernel_scale = {
    .abi = ZS_KERNEL_ABI,
    .name = "scale",
    .summary = "a * x + b",
    .version = 1,
    .params = scale_param_list,
    .nparams = (int)(sizeof scale_param_list / sizeof scale_param_list[0]),
    .params_size = sizeof(scale_params),
    .flags = PW_FLAGS,
    .halo = pw_halo,
    .scratch_bytes = pw_scratch,
    .run = scale_run,
    .run_f64 = scale_run_f64,
};

const zs_kernel_desc zs_kernel_clip = {
    .abi = ZS_KERNEL_ABI,
    .name = "clip",
    .summary = "limit values to [lo, hi] (numpy.clip)",
    .version = 1,
    .params = clip_param_list,
    .nparams = (int)(sizeof clip_param_list / sizeof clip_param_list[0]),
    .params_size = sizeof(clip_params),
    .flags = PW_FLAGS,
    .validate = clip_validate,
    .halo = pw_halo,
    .scratch_bytes = pw_scratch,
    .run = clip_run,
    .run_f64 = clip_run_f64,
};

const zs_kernel_desc zs_kernel_threshold = {
    .abi = ZS_KERNEL_ABI,
    .name = "threshold",
    .summary = "x > value ? 1 : 0 (or x with keep=1)",
    .version = 1,
    .params = threshold_param_list,
    .nparams = (int)(sizeof threshold_param_list / sizeof threshold_param_list[0]),
    .params_size = sizeof(threshold_params),
    .flags = PW_FLAGS,
    .halo = pw_halo,
    .scratch_bytes = pw_scratch,
    .run = threshold_run,
    .run_f64 = threshold_run_f64,
};
