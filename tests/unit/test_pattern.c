/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Synthetic volumes (core/pattern.c): names, exact ramps, the same bytes whatever the
 * thread count, seeds, byte orders, series, and errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zs_internal.h"
#include "zs_test_util.h"

/* ---- fixture: a fresh temporary directory under the working directory per test ----------- */
static int setup(void **state) { return zs_test_tmpdir_setup(state, "tmp_pattern_"); }

/* ---- helpers ------------------------------------------------------------------------ */
static void spec_init(zs_volume_info *s, int64_t nx, int64_t ny, int64_t nz, int64_t nt, const char *dtype)
{
    zs_volume_info_init(s);
    s->shape[0] = nx;
    s->shape[1] = ny;
    s->shape[2] = nz;
    s->shape[3] = nt;
    s->ndim = nt > 1 ? 4 : 3;
    assert_int_equal(zs_dtype_parse(dtype, &s->dtype), ZS_OK);
}

/* Creates dir/name, fills it and returns every data byte (caller frees). */
static unsigned char *make(const zs_test_tmpdir *f, const char *name, const zs_volume_info *spec, zs_pattern pat,
                           uint64_t seed, int threads, size_t *nbytes)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = 1;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_create(path, spec, &co, &v), ZS_OK);
    zs_status st = zs_volume_fill(v, pat, seed, threads);
    if (st) fail_msg("fill: %s", zs_last_error());
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    const zs_volume_info *i = zs_volume_get_info(v);
    uint64_t vol;
    assert_int_equal(zs_volume_info_sizes(i, NULL, &vol, NULL), ZS_OK);
    unsigned char *out = malloc((size_t)i->nbytes);
    assert_non_null(out);
    for (int64_t t = 0; t < i->shape[3]; t++) {
        zs_slab s;
        zs_mapping m;
        assert_int_equal(zs_slab_make(i, t, 0, i->shape[2], 0, &s), ZS_OK);
        assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
        memcpy(out + (size_t)t * vol, m.data, (size_t)vol);
        assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    }
    *nbytes = (size_t)i->nbytes;
    zs_volume_free(v);
    return out;
}

/* ---- tests -------------------------------------------------------------------------- */
static void test_parse(void **state)
{
    (void)state;
    zs_pattern p;
    assert_int_equal(zs_pattern_parse("zeros", &p), ZS_OK);
    assert_int_equal(p, ZS_PATTERN_ZEROS);
    assert_int_equal(zs_pattern_parse("ramp", &p), ZS_OK);
    assert_int_equal(p, ZS_PATTERN_RAMP);
    assert_int_equal(zs_pattern_parse("noise", &p), ZS_OK);
    assert_int_equal(p, ZS_PATTERN_NOISE);
    assert_int_equal(zs_pattern_parse("phantom", &p), ZS_OK);
    assert_int_equal(p, ZS_PATTERN_PHANTOM);
    assert_int_equal(zs_pattern_parse("Phantom", &p), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "Phantom"));
    assert_int_equal(zs_pattern_parse("", &p), ZS_EINVAL);
}

static void test_ramp_exact(void **state)
{
    const zs_test_tmpdir *f = *state;
    zs_volume_info s;
    size_t n;
    spec_init(&s, 41, 29, 17, 1, "uint16");
    uint16_t *u = (uint16_t *)(void *)make(f, "r16.npy", &s, ZS_PATTERN_RAMP, 0, 2, &n);
    for (int64_t z = 0; z < 17; z++)
        for (int64_t y = 0; y < 29; y++)
            for (int64_t x = 0; x < 41; x++) assert_int_equal(u[(z * 29 + y) * 41 + x], x + y + z);
    free(u);
    /* saturated: uint8 at 255, int8 at 127 */
    spec_init(&s, 200, 90, 5, 1, "uint8");
    uint8_t *b = make(f, "r8.npy", &s, ZS_PATTERN_RAMP, 0, 2, &n);
    for (int64_t z = 0; z < 5; z++)
        for (int64_t y = 0; y < 90; y++)
            for (int64_t x = 0; x < 200; x++)
                assert_int_equal(b[(z * 90 + y) * 200 + x], x + y + z > 255 ? 255 : x + y + z);
    free(b);
    spec_init(&s, 200, 3, 2, 1, "int8");
    int8_t *c = (int8_t *)make(f, "ri8.npy", &s, ZS_PATTERN_RAMP, 0, 1, &n);
    assert_int_equal(c[(1 * 3 + 2) * 200 + 199], 127);
    assert_int_equal(c[(1 * 3 + 2) * 200 + 3], 6);
    free(c);
    /* big-endian float64: same values, stored byte-swapped */
    spec_init(&s, 9, 8, 7, 1, ">f8");
    unsigned char *d = make(f, "rbe.npy", &s, ZS_PATTERN_RAMP, 0, 2, &n);
    for (size_t k = 0; k < n / 8; k++) {
        unsigned char le[8];
        double v;
        for (int q = 0; q < 8; q++) le[q] = d[k * 8 + 7 - q];
        memcpy(&v, le, 8);
        const int64_t x = (int64_t)(k % 9), y = (int64_t)(k / 9 % 8), z = (int64_t)(k / 72);
        assert_true(v == (double)(x + y + z));
    }
    free(d);
}

/* The bytes never depend on the thread count, for every pattern; shapes of several slabs
 * (~1 MiB each), an odd nx (Box-Muller pairs) and a series. */
static void test_threads_invariant(void **state)
{
    const zs_test_tmpdir *f = *state;
    static const struct {
        int64_t nx, ny, nz, nt;
        const char *dtype;
    } shapes[] = {
        {257, 131, 40, 1, "uint16"},
        {128, 96, 24, 3, "float32"},
        {300, 250, 40, 1, "uint8"},
        {64, 64, 70, 1, ">i4"},
    };
    static const int threads[] = {2, 3, 7};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++)
        for (int pat = ZS_PATTERN_ZEROS; pat <= ZS_PATTERN_PHANTOM; pat++) {
            zs_volume_info s;
            spec_init(&s, shapes[k].nx, shapes[k].ny, shapes[k].nz, shapes[k].nt, shapes[k].dtype);
            size_t n1, n2;
            unsigned char *one = make(f, "one.npy", &s, (zs_pattern)pat, 42, 1, &n1);
            for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
                unsigned char *many = make(f, "many.npy", &s, (zs_pattern)pat, 42, threads[t], &n2);
                assert_int_equal(n1, n2);
                if (memcmp(one, many, n1) != 0)
                    fail_msg("pattern %d, shape %zu: 1 and %d threads differ", pat, k, threads[t]);
                free(many);
            }
            free(one);
        }
}

static void test_seed(void **state)
{
    const zs_test_tmpdir *f = *state;
    zs_volume_info s;
    size_t n1, n2, n3;
    spec_init(&s, 120, 100, 30, 1, "uint16");
    unsigned char *a = make(f, "a.npy", &s, ZS_PATTERN_PHANTOM, 1, 2, &n1);
    unsigned char *b = make(f, "b.npy", &s, ZS_PATTERN_PHANTOM, 2, 2, &n2);
    unsigned char *c = make(f, "c.npy", &s, ZS_PATTERN_PHANTOM, 1, 0, &n3);
    assert_true(memcmp(a, b, n1) != 0);
    assert_memory_equal(a, c, n1);
    free(a);
    free(b);
    free(c);
}

/* The phantom looks like a light-sheet stack: background around 200, bright blobs, noise. */
static void test_phantom_values(void **state)
{
    const zs_test_tmpdir *f = *state;
    zs_volume_info s;
    size_t n, nf;
    spec_init(&s, 128, 128, 64, 1, "uint16");
    uint16_t *u = (uint16_t *)(void *)make(f, "p.npy", &s, ZS_PATTERN_PHANTOM, 7, 2, &n);
    size_t bright = 0, dark = 0;
    double sum = 0;
    for (size_t k = 0; k < n / 2; k++) {
        sum += u[k];
        bright += u[k] > 1000;
        dark += u[k] < 30;
    }
    const double mean = sum / (double)(n / 2);
    assert_true(mean > 150 && mean < 600);
    assert_true(bright > 100);    /* blobs exist ... */
    assert_true(bright < n / 20); /* ... but are sparse */
    assert_true(dark < n / 1000);
    /* float32: the same numbers before rounding */
    spec_init(&s, 128, 128, 64, 1, "float32");
    float *fl = (float *)(void *)make(f, "pf.npy", &s, ZS_PATTERN_PHANTOM, 7, 2, &nf);
    for (size_t k = 0; k < n / 2; k++) {
        const float r = fl[k] > 65535.0f ? 65535.0f : rintf(fl[k]);
        assert_true(r == (float)u[k]);
    }
    free(u);
    free(fl);
}

static void test_noise_range(void **state)
{
    const zs_test_tmpdir *f = *state;
    zs_volume_info s;
    size_t n;
    spec_init(&s, 64, 64, 16, 1, "float32");
    float *fl = (float *)(void *)make(f, "nf.npy", &s, ZS_PATTERN_NOISE, 3, 2, &n);
    double sum = 0;
    for (size_t k = 0; k < n / 4; k++) {
        assert_true(fl[k] >= 0.0f && fl[k] < 1.0f);
        sum += fl[k];
    }
    assert_true(fabs(sum / (double)(n / 4) - 0.5) < 0.01);
    free(fl);
    spec_init(&s, 64, 64, 16, 1, "uint8");
    uint8_t *b = make(f, "n8.npy", &s, ZS_PATTERN_NOISE, 3, 2, &n);
    size_t hist[256] = {0};
    for (size_t k = 0; k < n; k++) hist[b[k]]++;
    for (int v = 0; v < 256; v++) assert_true(hist[v] > 0); /* 65536 draws cover every value */
    free(b);
}

static void test_errors(void **state)
{
    const zs_test_tmpdir *f = *state;
    zs_volume_info s;
    size_t n;
    spec_init(&s, 8, 8, 4, 1, "uint16");
    free(make(f, "ro.npy", &s, ZS_PATTERN_RAMP, 0, 1, &n));
    char path[600];
    snprintf(path, sizeof path, "%s/ro.npy", f->dir);
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_open(path, NULL, &v), ZS_OK);
    assert_int_equal(zs_volume_fill(v, ZS_PATTERN_NOISE, 0, 1), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "ro.npy"));
    assert_int_equal(zs_volume_fill(NULL, ZS_PATTERN_NOISE, 0, 1), ZS_EINVAL);
    zs_volume_free(v);
    /* mode r+: refilling an existing volume works */
    zs_open_opts oo;
    zs_open_opts_default(&oo);
    oo.mode = "r+";
    assert_int_equal(zs_volume_open(path, &oo, &v), ZS_OK);
    assert_int_equal(zs_volume_fill(v, ZS_PATTERN_ZEROS, 0, 2), ZS_OK);
    assert_int_equal(zs_volume_fill(v, (zs_pattern)99, 0, 2), ZS_EINVAL);
    zs_volume_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test_setup_teardown(test_ramp_exact, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_threads_invariant, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_seed, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_phantom_values, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_noise_range, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, zs_test_tmpdir_teardown),
    };
    return zs_test_exit(cmocka_run_group_tests_name("pattern", tests, NULL, NULL));
}
