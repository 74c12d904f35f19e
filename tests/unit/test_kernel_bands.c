/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Every neighbourhood kernel through the executor with bands smaller than the plane, in every
 * mode, against the same kernel called once over whole planes (tests/ref/kcall_harness.c): a
 * kernel that takes a band's first or last row for the volume's edge (c->ny where it means
 * c->ny_vol, or y0 taken as 0) differs near the band edges and fails here, with no file and no
 * Python. Volumes are random: the seed is printed, and `--seed N` replays a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcall_harness.h"
#include "zs_test_util.h"
#include "zslab.h"

static uint64_t g_seed = 20261207u;

enum { NX = 7, NY = 29, NZ = 6 };

/* The kernels with a y neighbourhood; each runs in every mode below (median and percentile
 * take no list, so one mode at a time is what every kernel gets). */
static const char *const kernels[] = {
    "gaussian:sigma=1.5",    "gaussian:sigma=1:order=0,1,0",
    "uniform:size=4x5x3",    "uniform:size=3x30x2",
    "minimum:size=3x4x2",    "maximum:size=2x5x3",
    "median:size=3",         "percentile:percentile=30:size=2x4x3",
    "opening:size=3x4x2",    "closing:size=2x3x3",
    "white_tophat:size=3",   "black_tophat:size=2x4x2",
    "log:sigma=1",           "gradient_magnitude:sigma=1",
    "dog:sigma1=1:sigma2=2",
};
static const char *const modes[] = {"reflect", "mirror", "nearest", "wrap", "constant:cval=2.5"};

static float *random_volume(size_t n)
{
    float *v = malloc(sizeof *v * n);
    uint64_t s = g_seed * 2654435761u + 1u;
    for (size_t i = 0; i < n; i++) v[i] = (float)((double)(zs_test_rand(&s) >> 11) / 9007199254740992.0 * 10.0 - 3.0);
    return v;
}

static zs_volume *wrap(float *data, int writable)
{
    zs_memory_desc d;
    zs_memory_desc_init(&d);
    d.data = data;
    d.nbytes = sizeof(float) * NX * NY * NZ;
    d.ndim = 3;
    d.shape[0] = NX, d.shape[1] = NY, d.shape[2] = NZ, d.shape[3] = 1;
    d.dtype.type = ZS_F32;
    d.order = ZS_ORDER_F;
    d.writable = writable;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_wrap(&d, &v), ZS_OK);
    return v;
}

/* `spec` through the executor in bands of `band` rows with `threads` workers and slabs of `slab`. */
static void run_banded(const char *spec, zs_volume *in, float *out, int64_t band, int threads, int64_t slab)
{
    zs_pipeline *p;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    if (zs_pipeline_add(p, spec) != ZS_OK) fail_msg("%s: %s", spec, zs_last_error());
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.band = band;
    po.threads = threads;
    po.slab = slab;
    po.bind = 0;
    zs_plan *plan;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), p, &po, &plan), ZS_OK);
    assert_int_equal(zs_plan_band_height(plan), band);
    memset(out, 0, sizeof(float) * NX * NY * NZ);
    zs_volume *vo = wrap(out, 1);
    if (zs_plan_execute(plan, in, vo, NULL, NULL) != ZS_OK) fail_msg("%s: %s", spec, zs_last_error());
    zs_volume_free(vo);
    zs_plan_free(plan);
    zs_pipeline_free(p);
}

/* The first voxel where a differs from b (bitwise, NaN equal to NaN), or -1. */
static int64_t first_difference(const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof *a) != 0) return (int64_t)i;
    return -1;
}

static void test_bands_equal_whole_planes(void **state)
{
    (void)state;
    const size_t n = (size_t)NX * NY * NZ;
    float *in = random_volume(n), *ref = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n);
    zs_volume *vin = wrap(in, 0);
    const int64_t bands[] = {1, 3, 7, 16};
    const struct {
        int threads;
        int64_t slab;
    } runs[] = {{1, NZ}, {2, 2}, {3, 1}};
    for (size_t k = 0; k < sizeof kernels / sizeof *kernels; k++)
        for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
            char spec[160];
            snprintf(spec, sizeof spec, "%s:mode=%s", kernels[k], modes[m]);
            /* the whole-plane result: one call of the kernel over every plane */
            if (zs_test_run_kernel(spec, in, NX, NY, NZ, 0, ref) != ZS_OK) fail_msg("%s: %s", spec, zs_last_error());
            for (size_t b = 0; b < sizeof bands / sizeof *bands; b++)
                for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
                    run_banded(spec, vin, out, bands[b], runs[r].threads, runs[r].slab);
                    const int64_t i = first_difference(out, ref, n);
                    if (i >= 0)
                        fail_msg("%s, bands of %lld rows, %d thread(s), slabs of %lld: voxel x=%lld y=%lld z=%lld is "
                                 "%.9g, the whole-plane call gives %.9g (seed %llu)",
                                 spec, (long long)bands[b], runs[r].threads, (long long)runs[r].slab,
                                 (long long)(i % NX), (long long)(i / NX % NY), (long long)(i / (NX * NY)),
                                 (double)out[i], (double)ref[i], (unsigned long long)g_seed);
                }
        }
    zs_volume_free(vin);
    free(in);
    free(ref);
    free(out);
}

int main(int argc, char **argv)
{
    g_seed = zs_test_seed(argc, argv, "test_kernel_bands", g_seed);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bands_equal_whole_planes)};
    return cmocka_run_group_tests_name("kernel_bands", tests, NULL, NULL);
}
