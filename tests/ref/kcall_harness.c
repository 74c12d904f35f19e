/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
#include "kcall_harness.h"

#include <stdlib.h>
#include <string.h>

#include "ref_border.h"
#include "scheduler_internal.h"

zs_status zs_test_parse_spec(const char *spec, const zs_kernel_desc **k, void **params)
{
    zs_pipeline *p = NULL;
    ZS_FORWARD(zs_pipeline_new(&p));
    zs_status st = zs_pipeline_add(p, spec);
    if (st == ZS_OK) {
        const zs_stage *s = zs__pipeline_stage(p, 0);
        *k = s->k;
        *params = malloc(s->k->params_size ? s->k->params_size : 1);
        if (s->k->params_size) memcpy(*params, s->params, s->k->params_size);
    }
    zs_pipeline_free(p);
    return st;
}

/* A call over planes of es-byte elements (4: run, 8: run_f64), held contiguously. */
static zs_status call_es(const zs_kernel_desc *k, const void *params, int64_t nx, int64_t ny, int64_t nz,
                         const void *in, int64_t nin, const int64_t *in_z, void *out, int64_t nout,
                         const int64_t *out_z, void *scratch, size_t scratch_bytes, size_t es)
{
    const size_t plane = (size_t)(nx * ny) * es;
    const float **ip = malloc(sizeof *ip * (size_t)(nin > 0 ? nin : 1));
    float **op = malloc(sizeof *op * (size_t)(nout > 0 ? nout : 1));
    if (!ip || !op) {
        free(ip);
        free(op);
        return ZS_ENOMEM;
    }
    for (int64_t i = 0; i < nin; i++) ip[i] = (const void *)((const unsigned char *)in + (size_t)i * plane);
    for (int64_t j = 0; j < nout; j++) op[j] = (void *)((unsigned char *)out + (size_t)j * plane);
    /* prepare()d state for this one call, as the planner makes it for a plan */
    const zs_kernel_geom g = {.nx = nx, .ny = ny, .max_in = nin, .max_out = nout, .ny_vol = ny, .nz = nz};
    void *state = NULL;
    zs_status st = k->prepare ? k->prepare(params, &g, &state) : ZS_OK;
    const zs_kernel_call c = {.params = params,
                              .state = state,
                              .nx = nx,
                              .ny = ny,
                              .y0 = 0,
                              .ny_vol = ny,
                              .nz = nz,
                              .row_lo = 0,
                              .row_hi = ny,
                              .in = ip,
                              .n_in = nin,
                              .in_z = in_z,
                              .out = op,
                              .n_out = nout,
                              .out_z = out_z,
                              .scratch = scratch,
                              .scratch_bytes = scratch_bytes};
    if (st == ZS_OK) st = es == sizeof(double) ? k->run_f64(&c) : k->run(&c);
    if (state && k->release) k->release(state);
    free(ip);
    free(op);
    return st;
}

zs_status zs_test_call(const zs_kernel_desc *k, const void *params, int64_t nx, int64_t ny, int64_t nz, const float *in,
                       int64_t nin, const int64_t *in_z, float *out, int64_t nout, const int64_t *out_z, void *scratch,
                       size_t scratch_bytes)
{
    return call_es(k, params, nx, ny, nz, in, nin, in_z, out, nout, out_z, scratch, scratch_bytes, sizeof(float));
}

static zs_status run_slab(const zs_kernel_desc *k, const void *params, const void *vol, int64_t nx, int64_t ny,
                          int64_t nz, int64_t z0, int64_t z1, void *out, size_t es)
{
    zs_halo h;
    k->halo(params, &h);
    const size_t plane = (size_t)(nx * ny) * es;
    /* The input planes: the kernel's declared z-halo mapped by the reference, not by the
     * library's zs_zset_expand, so that a z-set bug there cannot hide here. */
    int64_t nout = z1 - z0, nin;
    int64_t *oz = malloc(sizeof *oz * (size_t)nout), *iz = malloc(sizeof *iz * (size_t)nz);
    for (int64_t i = 0; i < nout; i++) oz[i] = z0 + i;
    nin = ref_zset(oz, nout, h.lo[2], h.hi[2], nz, h.zmode, iz);
    unsigned char *inb = malloc(plane * (size_t)(nin > 0 ? nin : 1));
    for (int64_t i = 0; i < nin; i++)
        memcpy(inb + (size_t)i * plane, (const unsigned char *)vol + (size_t)iz[i] * plane, plane);
    /* a float64 call gets twice the scratch, as the executor gives it (zslab_kernel.h) */
    size_t sb = k->scratch_bytes ? k->scratch_bytes(params, nx, ny, nin) * (es / sizeof(float)) : 0;
    void *scratch = NULL;
    if (sb && posix_memalign(&scratch, 64, sb) != 0) scratch = NULL;
    zs_status st = nin < 0 ? ZS_EOVERFLOW
                           : call_es(k, params, nx, ny, nz, inb, nin, iz, (unsigned char *)out + (size_t)z0 * plane,
                                     nout, oz, scratch, sb, es);
    free(scratch);
    free(inb);
    free(iz);
    free(oz);
    return st;
}

static zs_status run_kernel_es(const char *spec, const void *in, int64_t nx, int64_t ny, int64_t nz, int64_t slab,
                               void *out, size_t es)
{
    const zs_kernel_desc *k;
    void *params = NULL;
    ZS_FORWARD(zs_test_parse_spec(spec, &k, &params));
    if (slab <= 0) slab = nz;
    zs_status st = es == sizeof(double) && !k->run_f64 ? ZS_EUNSUPPORTED : ZS_OK;
    for (int64_t z0 = 0; z0 < nz && st == ZS_OK; z0 += slab)
        st = run_slab(k, params, in, nx, ny, nz, z0, z0 + slab < nz ? z0 + slab : nz, out, es);
    free(params);
    return st;
}

zs_status zs_test_run_kernel(const char *spec, const float *in, int64_t nx, int64_t ny, int64_t nz, int64_t slab,
                             float *out)
{
    return run_kernel_es(spec, in, nx, ny, nz, slab, out, sizeof(float));
}

zs_status zs_test_run_kernel_f64(const char *spec, const double *in, int64_t nx, int64_t ny, int64_t nz, int64_t slab,
                                 double *out)
{
    return run_kernel_es(spec, in, nx, ny, nz, slab, out, sizeof(double));
}

zs_status zs_test_call_state(const zs_kernel_desc *k, const void *params, void *st, const float *vol,
                             const int64_t n[3], int64_t z0, int64_t z1, float *out)
{
    const int64_t plane = n[0] * n[1];
    int64_t out_z[ZS_TEST_MAX_PLANES], in_z[ZS_TEST_MAX_PLANES];
    const float *ip[ZS_TEST_MAX_PLANES];
    float *op[ZS_TEST_MAX_PLANES];
    zs_halo h;
    k->halo(params, &h);
    if (z1 - z0 > ZS_TEST_MAX_PLANES || n[2] > ZS_TEST_MAX_PLANES) return ZS_EINVAL;
    for (int64_t z = z0; z < z1; z++) out_z[z - z0] = z, op[z - z0] = out + z * plane;
    const int64_t nin = ref_zset(out_z, z1 - z0, h.lo[2], h.hi[2], n[2], h.zmode, in_z);
    for (int64_t i = 0; i < nin; i++) ip[i] = vol + in_z[i] * plane;
    const size_t sb = k->scratch_bytes(params, n[0], n[1], nin);
    void *scratch = NULL;
    if (posix_memalign(&scratch, 64, sb ? sb : 64) != 0) return ZS_ENOMEM;
    const zs_kernel_call c = {.params = params,
                              .state = st,
                              .nx = n[0],
                              .ny = n[1],
                              .y0 = 0,
                              .ny_vol = n[1],
                              .nz = n[2],
                              .row_lo = 0,
                              .row_hi = n[1],
                              .in = ip,
                              .n_in = nin,
                              .in_z = in_z,
                              .out = op,
                              .n_out = z1 - z0,
                              .out_z = out_z,
                              .scratch = scratch,
                              .scratch_bytes = sb};
    const zs_status st_run = k->run(&c);
    free(scratch);
    return st_run;
}
