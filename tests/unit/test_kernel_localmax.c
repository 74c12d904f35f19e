/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The localmax kernel (cell detection) against a naive reference, exactly: x where x equals
 * the maximum of its box (scipy's maximum_filter placement, mode nearest) and x > threshold
 * (compared in float32), NaN elsewhere; over slab heights, through the float64 entry, a few
 * values computed by scipy, and its parameters. Volumes are small integers (plateaus and ties
 * everywhere): the seed is printed, and `--seed N` replays a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcall_harness.h"
#include "zs_test_util.h"

static uint64_t g_seed = 20261207u;

static float *random_volume(const int64_t n[3], uint64_t salt, int span)
{
    const size_t nv = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    float *v = malloc(sizeof *v * nv);
    uint64_t s = g_seed * 2654435761u + salt + 1u;
    for (size_t i = 0; i < nv; i++) v[i] = (float)((int)(zs_test_rand(&s) % (uint64_t)(2 * span + 1)) - span);
    return v;
}

static int64_t clampi(int64_t i, int64_t n) { return i < 0 ? 0 : i >= n ? n - 1 : i; }

/* The naive reference: every voxel's box gathered with clamped (nearest) indices. */
static void reference(const float *in, const int64_t n[3], const int64_t size[3], double t, float *out)
{
    for (int64_t z = 0; z < n[2]; z++)
        for (int64_t y = 0; y < n[1]; y++)
            for (int64_t x = 0; x < n[0]; x++) {
                float m = -INFINITY;
                for (int64_t dz = -(size[2] / 2); dz <= size[2] - 1 - size[2] / 2; dz++)
                    for (int64_t dy = -(size[1] / 2); dy <= size[1] - 1 - size[1] / 2; dy++)
                        for (int64_t dx = -(size[0] / 2); dx <= size[0] - 1 - size[0] / 2; dx++) {
                            const float v =
                                in[clampi(x + dx, n[0]) + n[0] * (clampi(y + dy, n[1]) + n[1] * clampi(z + dz, n[2]))];
                            if (v > m) m = v;
                        }
                const size_t i = (size_t)(x + n[0] * (y + n[1] * z));
                out[i] = in[i] == m && in[i] > (float)t ? in[i] : NAN;
            }
}

static int same(float a, float b) { return (isnan(a) && isnan(b)) || a == b; }

static void check(const int64_t n[3], const int64_t size[3], double t, uint64_t salt)
{
    char spec[128];
    snprintf(spec, sizeof spec, "localmax:size=%lldx%lldx%lld:threshold=%.17g", (long long)size[0], (long long)size[1],
             (long long)size[2], t);
    const size_t nv = (size_t)(n[0] * n[1] * n[2]);
    float *in = random_volume(n, salt, 3), *ref = malloc(nv * sizeof *ref), *out = malloc(nv * sizeof *out);
    double *in64 = malloc(nv * sizeof *in64), *out64 = malloc(nv * sizeof *out64);
    reference(in, n, size, t, ref);
    size_t maxima = 0;
    for (size_t i = 0; i < nv; i++) maxima += !isnan(ref[i]), in64[i] = in[i];
    assert_true(maxima > 0 && maxima < nv); /* a case that can tell right from wrong */
    const int64_t slabs[] = {0, 1, 2, 3, 5};
    for (int s = 0; s < 5; s++) {
        for (size_t i = 0; i < nv; i++) out[i] = 12345.0f;
        assert_int_equal(zs_test_run_kernel(spec, in, n[0], n[1], n[2], slabs[s], out), ZS_OK);
        for (size_t i = 0; i < nv; i++)
            if (!same(out[i], ref[i]))
                fail_msg("%s, slab %lld: voxel %zu = %g, expected %g", spec, (long long)slabs[s], i, (double)out[i],
                         (double)ref[i]);
    }
    assert_int_equal(zs_test_run_kernel_f64(spec, in64, n[0], n[1], n[2], 2, out64), ZS_OK);
    for (size_t i = 0; i < nv; i++)
        if (!same((float)out64[i], ref[i]))
            fail_msg("%s, float64: voxel %zu = %g, expected %g", spec, i, out64[i], (double)ref[i]);
    free(in), free(ref), free(out), free(in64), free(out64);
}

static void test_reference(void **state)
{
    (void)state;
    static const int64_t n[3] = {9, 7, 11};
    static const int64_t sizes[][3] = {{1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {4, 3, 2}, {5, 5, 5}, {3, 1, 4}};
    static const double ts[] = {-1e308, -1.5, 0, 2};
    uint64_t salt = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (size_t j = 0; j < sizeof ts / sizeof ts[0]; j++)
            if (!(sizes[k][0] == 1 && sizes[k][1] == 1 && sizes[k][2] == 1 && ts[j] < -2)) /* every voxel */
                check(n, sizes[k], ts[j], salt++);
}

/* scipy: v = [3,1,4,4,2,5,9,2,6,5] (float32); (v == maximum_filter(v, S, mode='nearest')) & (v > T). */
static void test_scipy_values(void **state)
{
    (void)state;
    static const float v[10] = {3, 1, 4, 4, 2, 5, 9, 2, 6, 5};
    static const struct {
        const char *spec;
        float want[10];
    } cases[] = {
        {"localmax:size=3x1x1:threshold=2.5", {3, NAN, 4, 4, NAN, NAN, 9, NAN, 6, NAN}},
        {"localmax:size=2x1x1:threshold=0", {3, NAN, 4, 4, NAN, 5, 9, NAN, 6, NAN}},
        {"localmax:size=4x1x1:threshold=4.5", {NAN, NAN, NAN, NAN, NAN, NAN, 9, NAN, NAN, NAN}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        float out[10];
        assert_int_equal(zs_test_run_kernel(cases[c].spec, v, 10, 1, 1, 0, out), ZS_OK);
        for (int i = 0; i < 10; i++)
            if (!same(out[i], cases[c].want[i]))
                fail_msg("%s: voxel %d = %g, scipy gives %g", cases[c].spec, i, (double)out[i],
                         (double)cases[c].want[i]);
    }
}

static void test_bad_params(void **state)
{
    (void)state;
    float v[8] = {0}, out[8];
    assert_int_equal(zs_test_run_kernel("localmax:size=0", v, 2, 2, 2, 0, out), ZS_EPARAM);
    assert_non_null(strstr(zs_last_error(), "size"));
    assert_int_equal(zs_test_run_kernel("localmax:size=3x0x3", v, 2, 2, 2, 0, out), ZS_EPARAM);
    assert_int_equal(zs_test_run_kernel("localmax:threshold=x", v, 2, 2, 2, 0, out), ZS_EPARAM);
    assert_non_null(strstr(zs_last_error(), "threshold"));
    assert_int_equal(zs_test_run_kernel("localmax:sigma=2", v, 2, 2, 2, 0, out), ZS_EPARAM);
}

int main(int argc, char **argv)
{
    g_seed = zs_test_seed(argc, argv, "test_kernel_localmax", g_seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_scipy_values),
        cmocka_unit_test(test_bad_params),
    };
    return zs_test_exit(cmocka_run_group_tests_name("kernel_localmax", tests, NULL, NULL));
}
