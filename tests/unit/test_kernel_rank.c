/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The box kernels (minimum, maximum, median, percentile, opening, closing, white_tophat,
 * black_tophat) against the naive references of tests/ref/ref_rank.c, exactly; their
 * bitwise invariance over slab heights; a few values computed by scipy.ndimage; parameters
 * and descriptors. Volumes are random small integers (many repeated values): the seed is
 * printed, and `--seed N` replays a run. */
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
#include "ref_border.h"
#include "ref_rank.h"
#include "zs_test_util.h"

static uint64_t g_seed = 20261123u;

/* ---- fixtures ------------------------------------------------------------------------------- */

/* Integers in [-span, span] as floats (never -0): ties everywhere, exact comparisons. */
static float *random_volume(const int64_t n[3], uint64_t salt, int span)
{
    const size_t nv = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    float *v = malloc(sizeof *v * nv);
    uint64_t s = g_seed * 2654435761u + salt + 1u;
    for (size_t i = 0; i < nv; i++) v[i] = (float)((int)(zs_test_rand(&s) % (uint64_t)(2 * span + 1)) - span);
    return v;
}

typedef enum rkind { R_MIN, R_MAX, R_MEDIAN, R_PCT, R_OPEN, R_CLOSE, R_WHITE, R_BLACK, R_NKIND } rkind;
static const char *const knames[] = {"minimum", "maximum", "median",       "percentile",
                                     "opening", "closing", "white_tophat", "black_tophat"};

typedef struct rcase {
    rkind k;
    int64_t n[3];
    int64_t size[3];
    double pct; /* percentile only */
    int mode;   /* zs_border */
    double cval;
    int xy;
    int per_axis; /* 1: modes (mode, ymode, zmode) along x y z, written as a list */
    int ymode, zmode;
} rcase;

static void modes_of(const rcase *c, zs_border m[3])
{
    m[0] = (zs_border)c->mode;
    m[1] = (zs_border)(c->per_axis ? c->ymode : c->mode);
    m[2] = (zs_border)(c->per_axis ? c->zmode : c->mode);
}

static void spec_of(const rcase *c, char *buf, size_t len)
{
    char mode[64];
    if (c->per_axis)
        snprintf(mode, sizeof mode, "%s,%s,%s", zs_border_names[c->mode], zs_border_names[c->ymode],
                 zs_border_names[c->zmode]);
    else
        snprintf(mode, sizeof mode, "%s", zs_border_names[c->mode]);
    int k = snprintf(buf, len, "%s:size=%lldx%lldx%lld:mode=%s:cval=%.17g:axes=%s", knames[c->k], (long long)c->size[0],
                     (long long)c->size[1], (long long)c->size[2], mode, c->cval, c->xy ? "xy" : "xyz");
    if (c->k == R_PCT) snprintf(buf + k, len - (size_t)k, ":percentile=%.17g", c->pct);
}

static void reference(const rcase *c, const float *in, float *out)
{
    const int64_t size[3] = {c->size[0], c->size[1], c->xy ? 1 : c->size[2]};
    const int64_t n = size[0] * size[1] * size[2];
    zs_border mode[3];
    modes_of(c, mode);
    const float cval = (float)c->cval;
    zs_ref_box b;
    zs_ref_box_of(size, 0, &b);
    switch (c->k) {
    case R_MIN:
    case R_MAX:
        zs_ref_minmax(in, c->n[0], c->n[1], c->n[2], &b, c->k == R_MAX, mode, cval, out);
        break;
    case R_MEDIAN:
        zs_ref_rank(in, c->n[0], c->n[1], c->n[2], &b, n / 2, mode, cval, out);
        break;
    case R_PCT:
        zs_ref_rank(in, c->n[0], c->n[1], c->n[2], &b, zs_ref_percentile_rank(c->pct, n), mode, cval, out);
        break;
    default:
        zs_ref_morph(in, c->n[0], c->n[1], c->n[2], size, (zs_ref_morph_op)(c->k - R_OPEN), mode, cval, out);
        break;
    }
}

/* Runs the case with each slab height (0 = one call) and requires the reference's bits. */
static void check_case(const rcase *c, uint64_t salt, const int64_t *slabs, int nslabs)
{
    char spec[256];
    spec_of(c, spec, sizeof spec);
    const size_t nv = (size_t)(c->n[0] * c->n[1] * c->n[2]);
    float *in = random_volume(c->n, salt, 8), *ref = malloc(sizeof(float) * nv), *out = malloc(sizeof(float) * nv);
    reference(c, in, ref);
    for (int s = 0; s < nslabs; s++) {
        for (size_t i = 0; i < nv; i++) out[i] = NAN;
        zs_status st = zs_test_run_kernel(spec, in, c->n[0], c->n[1], c->n[2], slabs[s], out);
        if (st != ZS_OK)
            fail_msg("%s on %lldx%lldx%lld, slab %lld: %s", spec, (long long)c->n[0], (long long)c->n[1],
                     (long long)c->n[2], (long long)slabs[s], zs_last_error());
        for (size_t i = 0; i < nv; i++)
            if (memcmp(&out[i], &ref[i], sizeof(float)) != 0)
                fail_msg("%s on %lldx%lldx%lld, slab %lld: voxel (%lld,%lld,%lld) = %g, expected %g", spec,
                         (long long)c->n[0], (long long)c->n[1], (long long)c->n[2], (long long)slabs[s],
                         (long long)(i % (size_t)c->n[0]), (long long)(i / (size_t)c->n[0] % (size_t)c->n[1]),
                         (long long)(i / (size_t)(c->n[0] * c->n[1])), (double)out[i], (double)ref[i]);
    }
    free(in);
    free(ref);
    free(out);
}

static const int64_t whole[] = {0};
static const int64_t slab_heights[] = {0, 1, 2, 7};

/* ---- every kernel x mode x shape x size, against the reference ------------------------------ */

static void test_modes_shapes(void **state)
{
    (void)state;
    static const int64_t shapes[][3] = {{13, 11, 9}, {1, 1, 5}, {6, 1, 1}, {4, 5, 1}};
    static const int64_t sizes[][3] = {{3, 3, 3}, {2, 2, 2}, {3, 5, 2}, {4, 1, 3}, {9, 9, 9}};
    uint64_t salt = 0;
    for (int k = 0; k < R_NKIND; k++)
        for (int mode = 0; mode < 5; mode++)
            for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++)
                for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
                    for (int xy = 0; xy < 2; xy++) {
                        /* 9^3 rank windows on the big shape: one mode is enough (the sort-based
                         * reference is slow there; the small shapes cover every mode) */
                        if (sh == 0 && si == 4 && (k == R_MEDIAN || k == R_PCT) && xy == 0 && mode != 0) continue;
                        rcase c = {(rkind)k,
                                   {shapes[sh][0], shapes[sh][1], shapes[sh][2]},
                                   {sizes[si][0], sizes[si][1], sizes[si][2]},
                                   30.0,
                                   mode,
                                   mode == ZS_BORDER_CONSTANT ? 2.5 : 0.0,
                                   xy,
                                   0,
                                   0,
                                   0};
                        check_case(&c, salt++, whole, 1);
                    }
}

/* ---- percentiles: scipy's rank rule at its edges ------------------------------------------- */

static void test_percentiles(void **state)
{
    (void)state;
    static const double pcts[] = {0, 1, 10, 33.3, 50, 66.7, 90, 99.9, 100, -25, -100, -0.5};
    static const int64_t sizes[][3] = {{3, 3, 3}, {2, 3, 1}, {5, 1, 1}, {3, 3, 2}, {1, 1, 4}};
    uint64_t salt = 1000;
    for (size_t p = 0; p < sizeof pcts / sizeof pcts[0]; p++)
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
            for (int mode = 0; mode < 5; mode += 3) {
                rcase c = {R_PCT, {9, 8, 7}, {sizes[si][0], sizes[si][1], sizes[si][2]}, pcts[p], mode, -1.0, 0, 0,
                           0,     0};
                check_case(&c, salt++, whole, 1);
            }
    assert_int_equal(zs_ref_percentile_rank(100, 27), 26);
    assert_int_equal(zs_ref_percentile_rank(-25, 27), 20);
    assert_int_equal(zs_ref_percentile_rank(50, 27), 13);
}

/* ---- the paths for large sizes: van Herk in z/y/x, big networks, the select fallback ------- */

static void test_large_sizes(void **state)
{
    (void)state;
    static const struct {
        rkind k;
        int64_t n[3], size[3];
    } cases[] = {
        {R_MIN, {45, 7, 12}, {40, 5, 6}},    {R_MAX, {45, 13, 12}, {33, 11, 9}}, {R_MAX, {13, 40, 30}, {2, 17, 23}},
        {R_MIN, {7, 6, 5}, {25, 23, 21}},    {R_MEDIAN, {13, 11, 9}, {5, 5, 5}}, {R_MEDIAN, {12, 9, 10}, {7, 7, 3}},
        {R_MEDIAN, {15, 4, 20}, {1, 1, 9}},  {R_MEDIAN, {30, 4, 3}, {9, 1, 1}},  {R_MEDIAN, {13, 11, 9}, {1, 7, 1}},
        {R_MEDIAN, {9, 7, 6}, {11, 11, 11}}, {R_PCT, {9, 8, 10}, {13, 10, 9}},   {R_MEDIAN, {17, 3, 2}, {33, 1, 1}},
        {R_MEDIAN, {2, 9, 7}, {1, 91, 91}},  {R_PCT, {9, 1, 7}, {97, 1, 97}},    {R_OPEN, {14, 13, 12}, {6, 5, 7}},
        {R_CLOSE, {14, 13, 12}, {6, 5, 7}},  {R_WHITE, {20, 6, 15}, {9, 2, 8}},  {R_BLACK, {20, 6, 15}, {40, 2, 4}},
    };
    uint64_t salt = 2000;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int mode = 0; mode < 5; mode++) {
            rcase c = {cases[i].k,
                       {cases[i].n[0], cases[i].n[1], cases[i].n[2]},
                       {cases[i].size[0], cases[i].size[1], cases[i].size[2]},
                       70.0,
                       mode,
                       3.0,
                       0,
                       0,
                       0,
                       0};
            check_case(&c, salt++, mode == 0 ? slab_heights : whole, mode == 0 ? 4 : 1);
        }
}

/* ---- slab heights 1, 2, 7 and whole give the same bits (and the reference's) ----------------- */

static void test_slab_invariance(void **state)
{
    (void)state;
    static const int64_t sizes[][3] = {{3, 3, 3}, {2, 2, 2}, {3, 5, 2}, {5, 3, 6}, {1, 1, 4}};
    uint64_t salt = 3000;
    for (int k = 0; k < R_NKIND; k++)
        for (int mode = 0; mode < 5; mode++)
            for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
                rcase c = {(rkind)k, {11, 9, 13}, {sizes[si][0], sizes[si][1], sizes[si][2]}, 80.0, mode, -2.0, 0, 0, 0,
                           0};
                check_case(&c, salt++, slab_heights, 4);
            }
}

/* A boundary mode per axis x y z (scipy's mode=[...]) for the kernels whose scipy filter takes
 * one: each axis extended by its own mode, against the reference, bitwise, at every slab height
 * (the z mode decides the z-sets). Lists of equal modes equal the single mode. */
static void test_mode_lists(void **state)
{
    (void)state;
    static const int lists[][3] = {{ZS_BORDER_REFLECT, ZS_BORDER_NEAREST, ZS_BORDER_WRAP},
                                   {ZS_BORDER_CONSTANT, ZS_BORDER_MIRROR, ZS_BORDER_REFLECT},
                                   {ZS_BORDER_WRAP, ZS_BORDER_CONSTANT, ZS_BORDER_NEAREST},
                                   {ZS_BORDER_MIRROR, ZS_BORDER_WRAP, ZS_BORDER_CONSTANT},
                                   {ZS_BORDER_NEAREST, ZS_BORDER_REFLECT, ZS_BORDER_MIRROR}};
    static const int64_t sizes[][3] = {{3, 3, 3}, {2, 4, 3}, {4, 1, 5}, {5, 6, 2}};
    static const rkind kinds[] = {R_MIN, R_MAX, R_OPEN, R_CLOSE, R_WHITE, R_BLACK};
    uint64_t salt = 7000;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
            for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
                rcase c = {
                    kinds[k],    {9, 8, 11}, {sizes[si][0], sizes[si][1], sizes[si][2]}, 50.0, lists[l][0], 2.5, 0, 1,
                    lists[l][1], lists[l][2]};
                check_case(&c, salt++, slab_heights, 4);
            }
    /* a list of one mode three times is that mode: same spec text, same bits */
    const int64_t n[3] = {7, 6, 9};
    float *in = random_volume(n, 7100, 8), *a = malloc(sizeof(float) * 7 * 6 * 9),
          *b = malloc(sizeof(float) * 7 * 6 * 9);
    assert_int_equal(zs_test_run_kernel("opening:size=3:mode=wrap,wrap,wrap", in, n[0], n[1], n[2], 2, a), ZS_OK);
    assert_int_equal(zs_test_run_kernel("opening:size=3:mode=wrap", in, n[0], n[1], n[2], 2, b), ZS_OK);
    assert_memory_equal(a, b, sizeof(float) * 7 * 6 * 9);
    free(in);
    free(a);
    free(b);
    /* median and percentile take one mode, as scipy's rank filters; a wrong length is named */
    static const struct {
        const char *spec, *words[3];
    } bad[] = {
        {"median:size=3:mode=reflect,nearest,wrap", {"median", "'mode'", "one boundary mode"}},
        {"percentile:mode=wrap,wrap,wrap", {"percentile", "'mode'", "rank filters"}},
        {"maximum:mode=reflect,wrap", {"maximum", "'mode'", "1 or 3"}},
        {"white_tophat:mode=reflect,wrap,wrap,nearest", {"white_tophat", "'mode'", "1 or 3"}},
    };
    float v = 1, o;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const zs_status st = zs_test_run_kernel(bad[i].spec, &v, 1, 1, 1, 0, &o);
        if (st != ZS_EPARAM) fail_msg("%s: status %d, expected ZS_EPARAM", bad[i].spec, (int)st);
        for (int w = 0; w < 3; w++)
            if (!strstr(zs_last_error(), bad[i].words[w]))
                fail_msg("%s: message '%s' does not say '%s'", bad[i].spec, zs_last_error(), bad[i].words[w]);
    }
}

/* Tall volumes: morphology works in chunks of output planes (32 and more), min/max in runs. */
static void test_tall_volumes(void **state)
{
    (void)state;
    static const int64_t slabs[] = {0, 7, 33, 50};
    static const struct {
        rkind k;
        int64_t size[3];
    } cases[] = {
        {R_OPEN, {3, 3, 3}},  {R_CLOSE, {2, 3, 4}}, {R_WHITE, {3, 1, 9}},
        {R_BLACK, {4, 4, 6}}, {R_MAX, {3, 2, 7}},   {R_MEDIAN, {3, 3, 3}},
    };
    uint64_t salt = 3500;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int mode = 0; mode < 5; mode++) {
            rcase c = {
                cases[i].k, {7, 6, 90}, {cases[i].size[0], cases[i].size[1], cases[i].size[2]}, 50.0, mode, 1.0, 0, 0,
                0,          0};
            check_case(&c, salt++, slabs, 4);
        }
}

/* Output planes that are not consecutive (what a later stage asks of an earlier one with
 * wrap): each plane must equal the whole-volume result. */
static void test_sparse_planes(void **state)
{
    (void)state;
    const int64_t n[3] = {7, 6, 80}, plane = n[0] * n[1];
    const size_t nv = (size_t)(plane * n[2]);
    static const char *const specs[] = {"opening:size=3:mode=wrap",
                                        "white_tophat:size=4x3x3:mode=mirror",
                                        "closing:size=3x3x5:mode=constant:cval=4",
                                        "median:size=3:mode=wrap",
                                        "maximum:size=5:mode=wrap",
                                        "percentile:size=3x2x6:percentile=75"};
    int64_t out_z[40], in_z[80];
    int64_t nout = 0;
    for (int64_t z = 0; z < 16; z++) out_z[nout++] = z;
    for (int64_t z = 40; z < 56; z++) out_z[nout++] = z;
    for (int64_t z = 70; z < 80; z += 3) out_z[nout++] = z;
    float *in = random_volume(n, 3600, 8), *full = malloc(sizeof(float) * nv);
    float *out = malloc(sizeof(float) * (size_t)(plane * nout)), *inb = malloc(sizeof(float) * nv);
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        const zs_kernel_desc *k;
        void *params = NULL;
        assert_int_equal(zs_test_parse_spec(specs[s], &k, &params), ZS_OK);
        assert_int_equal(zs_test_run_kernel(specs[s], in, n[0], n[1], n[2], 0, full), ZS_OK);
        zs_halo h;
        k->halo(params, &h);
        int64_t nin = ref_zset(out_z, nout, h.lo[2], h.hi[2], n[2], h.zmode, in_z);
        assert_true(nin > 0);
        for (int64_t i = 0; i < nin; i++) memcpy(inb + i * plane, in + in_z[i] * plane, sizeof(float) * (size_t)plane);
        size_t sb = k->scratch_bytes(params, n[0], n[1], nin);
        void *scratch = malloc(sb);
        if (zs_test_call(k, params, n[0], n[1], n[2], inb, nin, in_z, out, nout, out_z, scratch, sb) != ZS_OK)
            fail_msg("%s: %s", specs[s], zs_last_error());
        for (int64_t j = 0; j < nout; j++)
            if (memcmp(out + j * plane, full + out_z[j] * plane, sizeof(float) * (size_t)plane) != 0)
                fail_msg("%s: output plane %lld differs from the whole-volume result", specs[s], (long long)out_z[j]);
        free(scratch);
        free(params);
    }
    free(in);
    free(full);
    free(out);
    free(inb);
}

/* median and percentile build their networks (or choose their path) once, in prepare(): every
 * call of a plan runs from that one state, within the scratch scratch_bytes() declares, and gives
 * what one call over the whole volume gives; a call without the state is refused, not rebuilt. */
static void test_prepared_state(void **state)
{
    (void)state;
    const int64_t n[3] = {13, 9, 12}, nv = n[0] * n[1] * n[2];
    static const char *const specs[] = {"median:size=3", "median:size=5:mode=wrap",
                                        "percentile:size=4x3x2:percentile=20", "percentile:size=3:percentile=0",
                                        "median:size=23x21x21:mode=nearest"};
    float *in = random_volume(n, 7100, 6), *full = malloc(sizeof(float) * (size_t)nv);
    float *out = malloc(sizeof(float) * (size_t)nv);
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        const zs_kernel_desc *k;
        void *params = NULL, *st = NULL;
        assert_int_equal(zs_test_parse_spec(specs[s], &k, &params), ZS_OK);
        if (!k->prepare || !k->release) fail_msg("%s: no prepare()/release()", specs[s]);
        const zs_kernel_geom g = {.nx = n[0], .ny = n[1], .max_in = n[2], .max_out = n[2], .ny_vol = n[1], .nz = n[2]};
        assert_int_equal(k->prepare(params, &g, &st), ZS_OK);
        assert_non_null(st);
        assert_int_equal(zs_test_run_kernel(specs[s], in, n[0], n[1], n[2], 0, full), ZS_OK);
        for (int64_t z0 = 0; z0 < n[2]; z0 += 5)
            if (zs_test_call_state(k, params, st, in, n, z0, z0 + 5 < n[2] ? z0 + 5 : n[2], out) != ZS_OK)
                fail_msg("%s, planes from %lld: %s", specs[s], (long long)z0, zs_last_error());
        if (memcmp(out, full, sizeof(float) * (size_t)nv) != 0) fail_msg("%s: slabs from one state differ", specs[s]);
        assert_int_equal(zs_test_call_state(k, params, NULL, in, n, 0, 1, out), ZS_EINTERNAL);
        k->release(st);
        free(params);
    }
    free(in);
    free(full);
    free(out);
}

/* With NaN (whose results scipy leaves to the implementation) slabs still agree bitwise. */
static void test_nan_invariance(void **state)
{
    (void)state;
    const int64_t n[3] = {12, 10, 14};
    const size_t nv = (size_t)(n[0] * n[1] * n[2]);
    float *in = random_volume(n, 4000, 8), *a = malloc(sizeof(float) * nv), *b = malloc(sizeof(float) * nv);
    for (size_t i = 0; i < nv; i += 7) in[i] = (i / 7) % 2 ? NAN : -NAN;
    static const char *const specs[] = {"minimum:size=5",
                                        "maximum:size=3x6x7",
                                        "median:size=3",
                                        "percentile:size=5x5x3:percentile=20",
                                        "median:size=13x1x9",
                                        "opening:size=4",
                                        "black_tophat:size=3x2x5:mode=wrap",
                                        "median:size=3:mode=mirror"};
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        assert_int_equal(zs_test_run_kernel(specs[s], in, n[0], n[1], n[2], 0, a), ZS_OK);
        for (int64_t slab = 1; slab <= 7; slab += 3) {
            assert_int_equal(zs_test_run_kernel(specs[s], in, n[0], n[1], n[2], slab, b), ZS_OK);
            if (memcmp(a, b, sizeof(float) * nv) != 0) fail_msg("%s: slab %lld differs", specs[s], (long long)slab);
        }
    }
    free(in);
    free(a);
    free(b);
}

/* ---- scipy's grid-* names and size=0 (scipy 1.10: grid-mirror, grid-constant and grid-wrap
 * are reflect, constant and wrap for filters; a size of 0 leaves an axis alone in the separable
 * filters and is refused by the rank filters) ------------------------------------------------- */

static void test_grid_modes_size0(void **state)
{
    (void)state;
    static const char *const grid[] = {"grid-mirror", "grid-constant", "grid-wrap"};
    static const int base[] = {ZS_BORDER_REFLECT, ZS_BORDER_CONSTANT, ZS_BORDER_WRAP};
    const int64_t n[3] = {9, 7, 6};
    const size_t nv = (size_t)(n[0] * n[1] * n[2]);
    float *in = random_volume(n, 5000, 8), *ref = malloc(sizeof(float) * nv), *out = malloc(sizeof(float) * nv);
    uint64_t salt = 5001;
    for (int k = 0; k < R_NKIND; k++)
        for (int g = 0; g < 3; g++) {
            const int zero = k != R_MEDIAN && k != R_PCT; /* size 0 on y where scipy allows it */
            rcase c = {(rkind)k, {n[0], n[1], n[2]}, {3, zero ? 1 : 2, 4}, 30.0, base[g], 1.5, 0, 0, 0, 0};
            char spec[256];
            snprintf(spec, sizeof spec, "%s:size=3x%dx4:mode=%s:cval=1.5%s", knames[k], zero ? 0 : 2, grid[g],
                     k == R_PCT ? ":percentile=30" : "");
            float *v = random_volume(n, salt++, 8);
            reference(&c, v, ref);
            for (int64_t slab = 0; slab <= 3; slab += 3) {
                if (zs_test_run_kernel(spec, v, n[0], n[1], n[2], slab, out) != ZS_OK)
                    fail_msg("%s: %s", spec, zs_last_error());
                if (memcmp(out, ref, sizeof(float) * nv) != 0)
                    fail_msg("%s differs from the reference of mode %s, size 3x%dx4", spec, zs_border_names[base[g]],
                             zero ? 1 : 2);
            }
            free(v);
        }
    assert_int_equal(zs_test_run_kernel("median:size=3x0x3", in, n[0], n[1], n[2], 0, out), ZS_EPARAM);
    assert_non_null(strstr(zs_last_error(), "'size' is 0 along y"));
    assert_int_equal(zs_test_run_kernel("percentile:size=0:percentile=10", in, n[0], n[1], n[2], 0, out), ZS_EPARAM);
    assert_int_equal(zs_test_run_kernel("minimum:mode=grid-reflect", in, n[0], n[1], n[2], 0, out), ZS_EPARAM);
    free(in);
    free(ref);
    free(out);
}

/* ---- values from scipy.ndimage 1.10 (anchors the references' reading of scipy) ------------- */

static void test_scipy_values(void **state)
{
    (void)state;
    /* x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3] along x (10x1x1); scipy on the same 1-D array. */
    static const float x[10] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
    static const struct {
        const char *spec;
        float want[10];
    } cases[] = {
        {"median:size=4x1x1", {3, 3, 3, 4, 5, 5, 6, 6, 5, 5}},
        {"percentile:size=5x1x1:percentile=30", {1, 1, 1, 1, 2, 2, 5, 3, 3, 3}},
        {"opening:size=4x1x1:mode=mirror", {1, 1, 1, 1, 2, 2, 2, 3, 3, 3}},
        {"closing:size=4x1x1:mode=nearest", {4, 4, 4, 4, 5, 9, 6, 6, 5, 5}},
        {"white_tophat:size=2x1x1:mode=constant:cval=-1", {2, 0, 3, 0, 0, 4, 0, 1, 0, 0}},
        {"black_tophat:size=3x1x1:mode=wrap", {0, 2, 0, 3, 0, 0, 4, 0, 0, 0}},
        {"minimum:size=4x1x1:mode=reflect", {1, 1, 1, 1, 1, 1, 2, 2, 2, 3}},
        {"maximum:size=4x1x1:mode=constant:cval=7", {7, 7, 4, 5, 9, 9, 9, 9, 6, 7}},
    };
    float out[10];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(zs_test_run_kernel(cases[i].spec, x, 10, 1, 1, 0, out), ZS_OK);
        for (int j = 0; j < 10; j++)
            if (out[j] != cases[i].want[j])
                fail_msg("%s: [%d] = %g, scipy gives %g", cases[i].spec, j, (double)out[j], (double)cases[i].want[j]);
    }
}

/* ---- parameters, descriptors, halos, scratch ------------------------------------------------ */

static void test_bad_params(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "median:size=0",
        "maximum:size=10002",
        "median:size=3x3",
        "median:size=2.5",
        "percentile:percentile=101",
        "percentile:percentile=-100.5",
        "opening:mode=sideways",
        "closing:axes=z",
        "white_tophat:sigma=2",
        "black_tophat:size=-1",
        "percentile:size=3:percentile=nan",
    };
    float v = 1, o;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zs_status st = zs_test_run_kernel(bad[i], &v, 1, 1, 1, 0, &o);
        if (st != ZS_EPARAM) fail_msg("%s: status %d, expected ZS_EPARAM", bad[i], (int)st);
        assert_true(strlen(zs_last_error()) > 0);
    }
}

static void test_descriptors(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        int64_t lo[3], hi[3];
        unsigned flags;
    } cases[] = {
        {"minimum:size=4x3x2", {2, 1, 1}, {1, 1, 0}, ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE},
        {"maximum:size=5:axes=xy:mode=wrap", {2, 2, 0}, {2, 2, 0}, ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE},
        {"median:size=2x3x6", {1, 1, 3}, {0, 1, 2}, ZS_KF_DETERMINISTIC},
        {"percentile:size=3:percentile=-10", {1, 1, 1}, {1, 1, 1}, ZS_KF_DETERMINISTIC},
        {"opening:size=4x3x1", {4, 2, 0}, {4, 2, 0}, ZS_KF_DETERMINISTIC | ZS_KF_YMODE},
        {"white_tophat:size=5:axes=xy", {4, 4, 0}, {4, 4, 0}, ZS_KF_DETERMINISTIC | ZS_KF_YMODE},
        {"black_tophat:size=2:mode=constant", {2, 2, 2}, {2, 2, 2}, ZS_KF_DETERMINISTIC | ZS_KF_YMODE},
        {"closing:size=7x1x6", {6, 0, 6}, {6, 0, 6}, ZS_KF_DETERMINISTIC | ZS_KF_YMODE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const zs_kernel_desc *k;
        void *params = NULL;
        assert_int_equal(zs_test_parse_spec(cases[i].spec, &k, &params), ZS_OK);
        assert_int_equal(k->abi, ZS_KERNEL_ABI);
        assert_int_equal(k->version, 1);
        assert_int_equal(k->flags, cases[i].flags);
        zs_halo h;
        k->halo(params, &h);
        for (int a = 0; a < 3; a++) {
            assert_int_equal(h.lo[a], cases[i].lo[a]);
            assert_int_equal(h.hi[a], cases[i].hi[a]);
        }
        assert_int_equal(h.zmode, strstr(cases[i].spec, "wrap")       ? ZS_BORDER_WRAP
                                  : strstr(cases[i].spec, "constant") ? ZS_BORDER_CONSTANT
                                                                      : ZS_BORDER_REFLECT);
        if (k->flags & ZS_KF_YMODE) assert_int_equal(h.ymode, h.zmode);
        assert_true(k->scratch_bytes(params, 64, 48, 20) > 0);
        free(params);
    }
    for (int i = 0; i < R_NKIND; i++) {
        const zs_kernel_desc *k = zs_kernel_find(knames[i]);
        assert_non_null(k);
        double lo, hi;
        assert_int_equal(zs_kernel_param_bounds(k, "size", &lo, &hi), ZS_OK);
        assert_true(lo == 0 && hi >= 10001);
    }
    /* Absurd windows: a scratch size that cannot be allocated, never a crash or a wrap-around. */
    const zs_kernel_desc *k;
    void *params = NULL;
    assert_int_equal(zs_test_parse_spec("median:size=10001", &k, &params), ZS_OK);
    assert_true(k->scratch_bytes(params, 100000, 100000, 1000000) > ((size_t)1 << 40));
    free(params);
}

/* ---- the float64 entry: values a float cannot hold --------------------------------------------
 * Selection commutes with adding a constant: on BIG + x (BIG = 2^40, beyond float's 24 bits) the
 * float64 kernels must give BIG + reference(x) bitwise (cval shifted likewise), and the top-hats,
 * whose shift cancels, reference(x) itself; in every mode, whole and slab by slab. */
static void test_float64_entry(void **state)
{
    (void)state;
    const double big = 1099511627776.0;
    const int64_t n[3] = {11, 9, 8};
    const size_t nv = (size_t)(n[0] * n[1] * n[2]);
    for (int k = 0; k < R_NKIND; k++)
        for (int m = 0; m < 5; m++) {
            const rcase c = {(rkind)k, {n[0], n[1], n[2]}, {3, 4, 2}, 30, m, 5, 0, 0, 0, 0};
            char spec[256], shifted[300];
            spec_of(&c, spec, sizeof spec);
            /* the same spec with cval + BIG */
            const char *cv = strstr(spec, ":cval=");
            const char *rest = strchr(cv + 1, ':');
            snprintf(shifted, sizeof shifted, "%.*s:cval=%.17g%s", (int)(cv - spec), spec, big + c.cval, rest);
            float *in = random_volume(n, 900u + (uint64_t)(k * 5 + m), 8), *ref = malloc(sizeof(float) * nv);
            double *in64 = malloc(sizeof(double) * nv), *out64 = malloc(sizeof(double) * nv);
            reference(&c, in, ref);
            const int shift_cancels = k == R_WHITE || k == R_BLACK;
            for (size_t i = 0; i < nv; i++) in64[i] = big + (double)in[i];
            for (int s = 0; s < 3; s++) {
                for (size_t i = 0; i < nv; i++) out64[i] = NAN;
                assert_int_equal(zs_test_run_kernel_f64(shifted, in64, n[0], n[1], n[2], slab_heights[s], out64),
                                 ZS_OK);
                for (size_t i = 0; i < nv; i++) {
                    const double want = shift_cancels ? (double)ref[i] : big + (double)ref[i];
                    if (memcmp(&out64[i], &want, sizeof want) != 0)
                        fail_msg("%s (float64, values + 2^40), slab %lld: voxel %zu = %.17g, expected %.17g", shifted,
                                 (long long)slab_heights[s], i, out64[i], want);
                }
            }
            free(in);
            free(ref);
            free(in64);
            free(out64);
        }
}

int main(int argc, char **argv)
{
    g_seed = zs_test_seed(argc, argv, "test_kernel_rank", g_seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes_shapes),     cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_large_sizes),      cmocka_unit_test(test_slab_invariance),
        cmocka_unit_test(test_tall_volumes),     cmocka_unit_test(test_sparse_planes),
        cmocka_unit_test(test_nan_invariance),   cmocka_unit_test(test_scipy_values),
        cmocka_unit_test(test_bad_params),       cmocka_unit_test(test_descriptors),
        cmocka_unit_test(test_grid_modes_size0), cmocka_unit_test(test_mode_lists),
        cmocka_unit_test(test_float64_entry),    cmocka_unit_test(test_prepared_state),
    };
    return zs_test_exit(cmocka_run_group_tests_name("kernel_rank", tests, NULL, NULL));
}
