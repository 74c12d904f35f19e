/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Previews' image arithmetic (scheduler/preview_image.c): exact percentiles against a sort,
 * box resampling's identity and means, the contrast rule, and the PNG encoder's signature. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "preview_internal.h"

static int cmp_float(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* numpy's linear percentile of sorted values, written here from its definition. */
static double ref_percentile(const float *sorted, size_t n, double q)
{
    const double pos = q / 100.0 * (double)(n - 1);
    const size_t i = (size_t)floor(pos);
    const double t = pos - (double)i;
    if (i + 1 >= n) return sorted[n - 1];
    return (double)sorted[i] + ((double)sorted[i + 1] - (double)sorted[i]) * t;
}

static void check_against_sort(float *px, size_t n, double plo, double phi)
{
    zs_fimage a = {(int64_t)n, 1, px};
    const zs_fimage *imgs[1] = {&a};
    double lo, hi;
    zs__fimage_percentiles(imgs, 1, plo, phi, &lo, &hi);
    float *s = malloc(n * sizeof *s);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (px[i] == px[i]) s[m++] = px[i];
    qsort(s, m, sizeof *s, cmp_float);
    const double want_lo = ref_percentile(s, m, plo), want_hi = ref_percentile(s, m, phi);
    assert_true(fabs(lo - want_lo) <= 1e-9 * (1 + fabs(want_lo)));
    assert_true(fabs(hi - want_hi) <= 1e-9 * (1 + fabs(want_hi)));
    free(s);
}

static void percentiles_exact(void **state)
{
    (void)state;
    enum { N = 20011 };
    float *px = malloc(N * sizeof *px);
    srand(14);
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < N; i++) {
            const double u = (double)rand() / RAND_MAX;
            /* negatives and positives, many duplicates, tiny and huge magnitudes, NaN */
            px[i] = round == 0   ? (float)(u * 2000 - 1000)
                    : round == 1 ? (float)(rand() % 7) - 3.0f
                    : round == 2 ? (float)(u < 0.5 ? -1e-30 * u : 1e30 * u)
                                 : (u < 0.3 ? NAN : (float)u);
        }
        check_against_sort(px, N, 0.1, 99.9);
        check_against_sort(px, N, 0, 100);
        check_against_sort(px, N, 50, 50);
        check_against_sort(px, N, 3.7, 12.25);
    }
    float one = -5.5f;
    check_against_sort(&one, 1, 0.1, 99.9);
    float zeros[4] = {-0.0f, 0.0f, -0.0f, 2.0f};
    check_against_sort(zeros, 4, 0, 60);
    free(px);
}

static void percentiles_pooled_and_empty(void **state)
{
    (void)state;
    float a[3] = {1, 2, 3}, b[2] = {10, NAN}, c[2] = {NAN, NAN};
    zs_fimage A = {3, 1, a}, B = {1, 2, b}, C = {2, 1, c};
    const zs_fimage *imgs[2] = {&A, &B};
    double lo, hi;
    zs__fimage_percentiles(imgs, 2, 0, 100, &lo, &hi); /* pooled: 1, 2, 3, 10 */
    assert_true(lo == 1 && hi == 10);
    zs__fimage_percentiles(imgs, 2, 50, 50, &lo, &hi);
    assert_true(lo == 2.5 && hi == 2.5);
    const zs_fimage *none[1] = {&C};
    zs__fimage_percentiles(none, 1, 0.1, 99.9, &lo, &hi); /* no number: 0 and 1 */
    assert_true(lo == 0 && hi == 1);
}

static void resample_identity_and_means(void **state)
{
    (void)state;
    float px[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, NAN};
    zs_fimage in = {4, 3, px}, out;
    assert_int_equal(zs__fimage_resample(&in, 4, 3, &out), ZS_OK);
    for (int i = 0; i < 11; i++) assert_true(out.px[i] == px[i]);
    assert_true(isnan(out.px[11]));
    zs__free(out.px);
    /* 4 x 3 -> 2 x 1: each output the mean of a 2 x 3 block, NaN left out */
    assert_int_equal(zs__fimage_resample(&in, 2, 1, &out), ZS_OK);
    assert_true(fabsf(out.px[0] - (1 + 2 + 5 + 6 + 9 + 10) / 6.0f) < 1e-5f);
    assert_true(fabsf(out.px[1] - (3 + 4 + 7 + 8 + 11) / 5.0f) < 1e-5f);
    zs__free(out.px);
    /* the same pixels as 3 wide x 4 tall -> 1 x 2 (rows resampled first): 2-D means, NaN left out */
    zs_fimage tall = {3, 4, px};
    assert_int_equal(zs__fimage_resample(&tall, 1, 2, &out), ZS_OK);
    assert_true(fabsf(out.px[0] - (1 + 2 + 3 + 4 + 5 + 6) / 6.0f) < 1e-5f);
    assert_true(fabsf(out.px[1] - (7 + 8 + 9 + 10 + 11) / 5.0f) < 1e-5f);
    zs__free(out.px);
    /* 4 x 1 -> 3 x 1: overlaps of 4/3 source pixels */
    float row[4] = {0, 3, 6, 9};
    zs_fimage r = {4, 1, row};
    assert_int_equal(zs__fimage_resample(&r, 3, 1, &out), ZS_OK);
    assert_true(fabsf(out.px[0] - (0 * 1 + 3 * (1 / 3.0f)) / (4 / 3.0f)) < 1e-5f);
    assert_true(fabsf(out.px[1] - (3 * (2 / 3.0f) + 6 * (2 / 3.0f)) / (4 / 3.0f)) < 1e-5f);
    zs__free(out.px);
}

static void contrast_rule(void **state)
{
    (void)state;
    float px[7] = {-1, 0, 49.9f, 50.1f, 100, 200, NAN};
    zs_fimage f = {7, 1, px};
    unsigned char pix[7];
    zs_image img = {7, 1, 1, pix, 0, 0};
    zs__fimage_paint(&f, 0, 100, ZS_CMAP_GREY, &img, 0, 0);
    const unsigned char want[7] = {0, 0, 127, 128, 255, 255, 0}; /* round(255 v / 100), clipped; NaN 0 */
    assert_memory_equal(pix, want, 7);
    zs__fimage_paint(&f, 50, 50, ZS_CMAP_GREY, &img, 0, 0); /* constant range: above it 255 */
    assert_int_equal(pix[2], 0);
    assert_int_equal(pix[3], 255);
}

static void png_signature(void **state)
{
    (void)state;
    unsigned char pix[6] = {0, 50, 100, 150, 200, 250};
    zs_image img = {3, 2, 1, pix, 0, 1};
    unsigned char *buf = NULL;
    size_t len = 0;
    assert_int_equal(zs_image_encode_png(&img, &buf, &len), ZS_OK);
    assert_true(len > 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0);
    free(buf);
    img.channels = 2;
    assert_int_equal(zs_image_encode_png(&img, &buf, &len), ZS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percentiles_exact),
        cmocka_unit_test(percentiles_pooled_and_empty),
        cmocka_unit_test(resample_identity_and_means),
        cmocka_unit_test(contrast_rule),
        cmocka_unit_test(png_signature),
    };
    return cmocka_run_group_tests_name("preview", tests, NULL, NULL);
}
