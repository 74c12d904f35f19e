/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The smoothing kernels (gaussian, uniform, dog, log, gradient_magnitude) against the naive
 * references of tests/ref/ref_smooth.c, their bitwise invariance over slab heights, and the
 * pointwise kernels (scale, clip, threshold). Volumes are random: the seed is printed, and
 * `--seed N` replays a run. */
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
#include "ref_smooth.h"
#include "separable.h"
#include "zs_test_util.h"

static uint64_t g_seed = 20261122u;

/* ---- fixtures ------------------------------------------------------------------------------- */

/* Values in [-3, 7): mixed signs, so derivative kernels see slopes both ways. */
static float *random_volume(const int64_t n[3], uint64_t salt)
{
    const size_t nv = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    float *v = malloc(sizeof *v * nv);
    uint64_t s = g_seed * 2654435761u + salt + 1u;
    for (size_t i = 0; i < nv; i++) v[i] = (float)((double)(zs_test_rand(&s) >> 11) / 9007199254740992.0 * 10.0 - 3.0);
    return v;
}

typedef enum kind { K_GAUSS, K_UNIFORM, K_DOG, K_LOG, K_GRADMAG } kind;

typedef struct scase {
    kind k;
    int64_t n[3];
    double s[3];     /* sigma, or sigma1 for dog */
    double s2[3];    /* sigma2 for dog */
    int order[3];    /* gaussian only */
    int64_t size[3]; /* uniform only */
    double truncate; /* 0: the default, 4 */
    int mode;        /* zs_border */
    double cval;
    int xy;
    int per_axis; /* 1: modes (mode, ymode, zmode) along x y z, written as a list */
    int ymode, zmode;
} scase;

static void spec_of(const scase *c, char *buf, size_t len)
{
    const char *axes = c->xy ? "xy" : "xyz";
    char m[64];
    if (c->per_axis)
        snprintf(m, sizeof m, "%s,%s,%s", zs_border_names[c->mode], zs_border_names[c->ymode],
                 zs_border_names[c->zmode]);
    else
        snprintf(m, sizeof m, "%s", zs_border_names[c->mode]);
    const double tr = c->truncate > 0 ? c->truncate : 4.0;
    int k = 0;
    switch (c->k) {
    case K_GAUSS:
        k = snprintf(buf, len, "gaussian:sigma=%.17gx%.17gx%.17g:order=%dx%dx%d:truncate=%.17g", c->s[0], c->s[1],
                     c->s[2], c->order[0], c->order[1], c->order[2], tr);
        break;
    case K_UNIFORM:
        k = snprintf(buf, len, "uniform:size=%lldx%lldx%lld", (long long)c->size[0], (long long)c->size[1],
                     (long long)c->size[2]);
        break;
    case K_DOG:
        k = snprintf(buf, len, "dog:sigma1=%.17gx%.17gx%.17g:sigma2=%.17gx%.17gx%.17g:truncate=%.17g", c->s[0], c->s[1],
                     c->s[2], c->s2[0], c->s2[1], c->s2[2], tr);
        break;
    case K_LOG:
    case K_GRADMAG:
        k = snprintf(buf, len, "%s:sigma=%.17gx%.17gx%.17g:truncate=%.17g",
                     c->k == K_LOG ? "log" : "gradient_magnitude", c->s[0], c->s[1], c->s[2], tr);
        break;
    }
    snprintf(buf + k, len - (size_t)k, ":mode=%s:cval=%.17g:axes=%s", m, c->cval, axes);
}

static void reference(const scase *c, const float *in, double *val, double *mag)
{
    const ref_nbhd nb = {{c->mode, c->per_axis ? c->ymode : c->mode, c->per_axis ? c->zmode : c->mode}, c->cval, c->xy};
    const double tr = c->truncate > 0 ? c->truncate : 4.0;
    switch (c->k) {
    case K_GAUSS:
        ref_gaussian(in, c->n, c->s, c->order, tr, &nb, val, mag);
        break;
    case K_UNIFORM:
        ref_uniform(in, c->n, c->size, &nb, val, mag);
        break;
    case K_DOG:
        ref_dog(in, c->n, c->s, c->s2, tr, &nb, val, mag);
        break;
    case K_LOG:
        ref_log(in, c->n, c->s, tr, &nb, val, mag);
        break;
    case K_GRADMAG:
        ref_gradmag(in, c->n, c->s, tr, &nb, val, mag);
        break;
    }
}

/* The worst |out[i] - val[i]| / (rtol * mag[i]) (NaN: infinite) and where; > 1 fails. */
static double worst_ratio(const double *out, const double *val, const double *mag, size_t nv, double rtol, size_t *wi)
{
    double worst = 0.0;
    for (size_t i = 0; i < nv; i++) {
        const double err = fabs(out[i] - val[i]), ratio = err / (rtol * mag[i] + 1e-300);
        if (ratio > worst || isnan(out[i])) {
            worst = isnan(out[i]) ? INFINITY : ratio;
            *wi = i;
        }
    }
    return worst;
}

/* Runs one case in one call (slab 0) or slab by slab and compares with the reference: |out - val|
 * <= rtol * mag. f64: through run_f64 on the same values as doubles, within 1e-12 (float32 work
 * is about 1e-7 off); the reference sums in double either way. */
static void check_case_in(const scase *c, uint64_t salt, int f64, int64_t slab)
{
    const double rtol = f64 ? 1e-12 : 1e-5;
    char spec[512];
    spec_of(c, spec, sizeof spec);
    const size_t nv = (size_t)c->n[0] * (size_t)c->n[1] * (size_t)c->n[2];
    float *in = random_volume(c->n, salt), *out = malloc(sizeof *out * nv);
    double *in64 = malloc(sizeof *in64 * nv), *out64 = malloc(sizeof *out64 * nv);
    double *val = malloc(sizeof *val * nv), *mag = malloc(sizeof *mag * nv);
    for (size_t i = 0; i < nv; i++) in64[i] = in[i];
    zs_status st = f64 ? zs_test_run_kernel_f64(spec, in64, c->n[0], c->n[1], c->n[2], slab, out64)
                       : zs_test_run_kernel(spec, in, c->n[0], c->n[1], c->n[2], slab, out);
    if (st != ZS_OK)
        fail_msg("%s on %lldx%lldx%lld%s: status %d: %s", spec, (long long)c->n[0], (long long)c->n[1],
                 (long long)c->n[2], f64 ? " (float64)" : "", st, zs_last_error());
    if (!f64)
        for (size_t i = 0; i < nv; i++) out64[i] = out[i];
    reference(c, in, val, mag);
    size_t wi = 0;
    const double worst = worst_ratio(out64, val, mag, nv, rtol, &wi);
    if (worst > 1.0)
        fail_msg("%s on %lldx%lldx%lld%s slab %lld: voxel %zu = %.17g, reference %.17g (scale %.3g): %.2f x tolerance",
                 spec, (long long)c->n[0], (long long)c->n[1], (long long)c->n[2], f64 ? " (float64)" : "",
                 (long long)slab, wi, out64[wi], val[wi], mag[wi], worst);
    free(in);
    free(out);
    free(in64);
    free(out64);
    free(val);
    free(mag);
}

static void check_case(const scase *c, uint64_t salt) { check_case_in(c, salt, 0, 0); }

static void check_cases(const scase *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) check_case(&cs[i], i);
}

#define NCASES(a)    (sizeof(a) / sizeof((a)[0]))
#define VOL(X, Y, Z) .n = {X, Y, Z}
#define S3(X, Y, Z)  .s = {X, Y, Z}

/* ---- gaussian ----------------------------------------------------------------------------------- */

static void test_gaussian_modes(void **state)
{
    (void)state;
    scase cs[5 * 4];
    size_t k = 0;
    const int64_t shapes[4][3] = {{13, 11, 9}, {1, 1, 5}, {6, 1, 1}, {4, 5, 1}};
    for (int m = 0; m < 5; m++)
        for (int s = 0; s < 4; s++)
            cs[k++] = (scase){K_GAUSS, .n = {shapes[s][0], shapes[s][1], shapes[s][2]}, S3(1.5, 1.0, 0.8), .mode = m,
                              .cval = m == ZS_BORDER_CONSTANT ? 2.5 : 0.0};
    check_cases(cs, k);
}

static void test_gaussian_shapes(void **state)
{
    (void)state;
    const scase cs[] = {
        {K_GAUSS, VOL(13, 11, 9), S3(1, 1, 3)},            /* anisotropic */
        {K_GAUSS, VOL(13, 11, 9), S3(2, 0, 1)},            /* sigma 0 on y */
        {K_GAUSS, VOL(13, 11, 9), S3(0, 1.2, 0)},          /* only y */
        {K_GAUSS, VOL(13, 11, 9), S3(0, 0, 0)},            /* copy */
        {K_GAUSS, VOL(13, 11, 9), S3(1.5, 2, 2), .xy = 1}, /* 2-D per plane */
        {K_GAUSS, VOL(13, 11, 9), S3(1, 1, 1), .mode = ZS_BORDER_CONSTANT, .cval = -4, .xy = 1},
        {K_GAUSS, VOL(4, 5, 3), S3(3, 3, 3)}, /* kernel > volume */
        {K_GAUSS, VOL(4, 5, 3), S3(3, 3, 3), .mode = ZS_BORDER_WRAP},
        {K_GAUSS, VOL(4, 5, 3), S3(3, 3, 3), .mode = ZS_BORDER_MIRROR},
        {K_GAUSS, VOL(4, 5, 3), S3(3, 2, 4), .mode = ZS_BORDER_CONSTANT, .cval = 1.5},
        {K_GAUSS, VOL(2, 2, 2), S3(2, 2, 2), .mode = ZS_BORDER_NEAREST},
        {K_GAUSS, VOL(1, 1, 1), S3(2, 2, 2), .mode = ZS_BORDER_MIRROR},
        {K_GAUSS, VOL(13, 11, 9), S3(1, 2, 1), .truncate = 2.2},
        {K_GAUSS, VOL(13, 11, 9), S3(0.1, 0.3, 0.05)}, /* radius 0 and 1 */
        {K_GAUSS, VOL(40, 3, 2), S3(6.5, 0.7, 0.5)},   /* long x kernel */
        /* 200001 z taps: too many to table the taps of all 9 output planes */
        {K_GAUSS, VOL(3, 2, 9), S3(0, 0, 1000), .truncate = 100, .mode = ZS_BORDER_WRAP},
    };
    check_cases(cs, NCASES(cs));
}

static void test_gaussian_orders(void **state)
{
    (void)state;
    scase cs[] = {
        {K_GAUSS, VOL(13, 11, 9), S3(1.5, 1, 1), .order = {1, 0, 0}},
        {K_GAUSS, VOL(13, 11, 9), S3(1, 1.5, 1), .order = {0, 1, 0}},
        {K_GAUSS, VOL(13, 11, 9), S3(1, 1, 1.5), .order = {0, 0, 1}},
        {K_GAUSS, VOL(13, 11, 9), S3(1.2, 1, 1), .order = {2, 0, 0}},
        {K_GAUSS, VOL(13, 11, 9), S3(1, 1, 1.2), .order = {0, 1, 2}},
        {K_GAUSS, VOL(13, 11, 9), S3(1.3, 1.1, 1), .order = {3, 2, 1}},
        {K_GAUSS, VOL(13, 11, 9), S3(0.2, 1, 1), .order = {2, 0, 0}}, /* radius 1 */
        {K_GAUSS, VOL(13, 11, 9), S3(0, 1, 1), .order = {2, 1, 0}},   /* order on a skipped axis */
        {K_GAUSS, VOL(4, 5, 3), S3(2, 2, 2), .order = {1, 1, 1}, .mode = ZS_BORDER_WRAP},
        {K_GAUSS, VOL(13, 11, 9), S3(1, 1, 1), .order = {1, 0, 0}, .mode = ZS_BORDER_MIRROR},
        {K_GAUSS, VOL(13, 11, 9), S3(1, 1, 1), .order = {0, 2, 0}, .mode = ZS_BORDER_NEAREST},
    };
    check_cases(cs, NCASES(cs));
}

/* mode=constant with cval != 0 and derivatives: the border depends on scipy's pass order. */
static void test_gaussian_constant(void **state)
{
    (void)state;
    const int C = ZS_BORDER_CONSTANT;
    const scase cs[] = {
        {K_GAUSS, VOL(13, 11, 9), S3(1.5, 1, 1.2), .mode = C, .cval = 3},
        {K_GAUSS, VOL(13, 11, 9), S3(1.5, 1, 1.2), .order = {1, 0, 0}, .mode = C, .cval = 3},
        {K_GAUSS, VOL(13, 11, 9), S3(1.5, 1, 1.2), .order = {0, 1, 0}, .mode = C, .cval = -2},
        {K_GAUSS, VOL(13, 11, 9), S3(1.5, 1, 1.2), .order = {0, 0, 2}, .mode = C, .cval = 5},
        {K_GAUSS, VOL(13, 11, 9), S3(1, 1, 1), .order = {2, 1, 1}, .mode = C, .cval = 1},
        {K_GAUSS, VOL(13, 11, 9), S3(1, 0, 1), .order = {2, 1, 1}, .mode = C, .cval = 1},
        {K_GAUSS, VOL(4, 5, 3), S3(2, 2, 2), .order = {1, 2, 0}, .mode = C, .cval = 7},
        {K_GAUSS, VOL(6, 1, 1), S3(1, 1, 1), .order = {1, 0, 0}, .mode = C, .cval = 7},
        {K_GAUSS, VOL(1, 1, 5), S3(1, 1, 1), .order = {0, 0, 1}, .mode = C, .cval = 7},
    };
    check_cases(cs, NCASES(cs));
}

/* ---- uniform ------------------------------------------------------------------------------------- */

static void test_uniform_ref(void **state)
{
    (void)state;
    scase cs[5 * 6 + 8];
    size_t k = 0;
    const int64_t sizes[6][3] = {{3, 3, 3}, {4, 2, 5}, {1, 6, 2}, {5, 1, 1}, {20, 13, 11}, {2, 2, 2}};
    for (int m = 0; m < 5; m++)
        for (int s = 0; s < 6; s++)
            cs[k++] = (scase){K_UNIFORM, VOL(13, 11, 9), .size = {sizes[s][0], sizes[s][1], sizes[s][2]}, .mode = m,
                              .cval = m == ZS_BORDER_CONSTANT ? -1.25 : 0.0};
    cs[k++] = (scase){K_UNIFORM, VOL(1, 1, 5), .size = {3, 3, 4}};
    cs[k++] = (scase){K_UNIFORM, VOL(6, 1, 1), .size = {4, 2, 2}, .mode = ZS_BORDER_WRAP};
    cs[k++] = (scase){K_UNIFORM, VOL(4, 5, 1), .size = {9, 12, 3}, .mode = ZS_BORDER_MIRROR};
    cs[k++] = (scase){K_UNIFORM, VOL(13, 11, 9), .size = {3, 4, 5}, .xy = 1};
    cs[k++] = (scase){K_UNIFORM, VOL(13, 11, 9), .size = {1, 1, 1}};
    cs[k++] = (scase){K_UNIFORM, VOL(300, 2, 2), .size = {101, 2, 1}, .mode = ZS_BORDER_NEAREST};
    /* planes taller than one band of the band driver (at most 256 rows): running sums restart */
    cs[k++] = (scase){K_UNIFORM, VOL(3, 700, 4), .size = {3, 5, 3}, .mode = ZS_BORDER_WRAP};
    cs[k++] = (scase){K_UNIFORM, VOL(2, 600, 3), .size = {1, 4, 1}, .mode = ZS_BORDER_CONSTANT, .cval = 2.5};
    check_cases(cs, k);
}

/* ---- float64 work (run_f64) ------------------------------------------------------------------------- */

/* gaussian (orders, anisotropic and zero sigmas, a kernel longer than the volume), uniform (even
 * and long boxes, a plane taller than a band) and the kernels built on gaussian, in every mode,
 * in one call and slab by slab. */
static void test_float64_ref(void **state)
{
    (void)state;
    scase cs[5 * 6 + 4];
    size_t k = 0;
    for (int m = 0; m < 5; m++) {
        const double cv = m == ZS_BORDER_CONSTANT ? 2.5 : 0.0;
        cs[k++] = (scase){K_GAUSS, VOL(13, 11, 9), S3(1.5, 1, 0.8), .mode = m, .cval = cv};
        cs[k++] = (scase){K_GAUSS, VOL(13, 11, 9), S3(1, 2, 1.2), .order = {1, 0, 2}, .mode = m, .cval = cv};
        cs[k++] = (scase){K_UNIFORM, VOL(13, 11, 9), .size = {4, 3, 5}, .mode = m, .cval = cv};
        cs[k++] = (scase){K_UNIFORM, VOL(30, 5, 4), .size = {20, 2, 3}, .mode = m, .cval = cv};
        cs[k++] = (scase){K_DOG, VOL(13, 11, 9), S3(1, 1, 1), .s2 = {2, 2, 1.5}, .mode = m, .cval = cv};
        cs[k++] = (scase){m % 2 ? K_LOG : K_GRADMAG, VOL(13, 11, 9), S3(1.2, 1, 1.5), .mode = m, .cval = cv};
    }
    cs[k++] = (scase){K_GAUSS, VOL(6, 5, 4), S3(3, 0, 2), .order = {0, 0, 3}, .mode = ZS_BORDER_WRAP};
    cs[k++] = (scase){K_GAUSS, VOL(13, 11, 9), S3(1.3, 1.3, 0), .xy = 1, .mode = ZS_BORDER_MIRROR};
    cs[k++] = (scase){K_UNIFORM, VOL(3, 700, 4), .size = {3, 5, 3}, .mode = ZS_BORDER_WRAP};
    scase lists = {K_GAUSS, VOL(13, 11, 9), S3(1, 1, 1), .mode = ZS_BORDER_CONSTANT, .cval = -1.5, .per_axis = 1};
    lists.ymode = ZS_BORDER_WRAP;
    lists.zmode = ZS_BORDER_NEAREST;
    cs[k++] = lists;
    for (size_t i = 0; i < k; i++) {
        check_case_in(&cs[i], i, 1, 0);
        check_case_in(&cs[i], i, 1, 2);
    }
}

/* ---- dog, log, gradient_magnitude ------------------------------------------------------------------- */

static void test_dog_ref(void **state)
{
    (void)state;
    const scase cs[] = {
        {K_DOG, VOL(13, 11, 9), S3(1, 1, 1), .s2 = {2, 2, 2}},
        {K_DOG, VOL(13, 11, 9), S3(1, 1, 0.5), .s2 = {1.6, 1.6, 3}, .mode = ZS_BORDER_NEAREST},
        {K_DOG, VOL(13, 11, 9), S3(1, 1, 1), .s2 = {2, 0, 2}, .mode = ZS_BORDER_CONSTANT, .cval = 2},
        {K_DOG, VOL(13, 11, 9), S3(1, 1, 1), .s2 = {2, 2, 2}, .xy = 1, .mode = ZS_BORDER_WRAP},
        {K_DOG, VOL(4, 5, 1), S3(1, 1, 1), .s2 = {3, 3, 3}, .mode = ZS_BORDER_MIRROR},
    };
    check_cases(cs, NCASES(cs));
}

static void test_log_ref(void **state)
{
    (void)state;
    scase cs[5 + 5];
    size_t k = 0;
    for (int m = 0; m < 5; m++)
        cs[k++] = (scase){K_LOG, VOL(13, 11, 9), S3(1.2, 1, 1.5), .mode = m, .cval = m == ZS_BORDER_CONSTANT ? 3 : 0};
    cs[k++] = (scase){K_LOG, VOL(13, 11, 9), S3(1, 1, 2), .xy = 1};
    cs[k++] = (scase){K_LOG, VOL(13, 11, 9), S3(1, 1, 0)}; /* sigma 0 on z: that term is the plain gaussian */
    cs[k++] = (scase){K_LOG, VOL(13, 11, 9), S3(1, 1, 1), .xy = 1, .mode = ZS_BORDER_CONSTANT, .cval = -3};
    cs[k++] = (scase){K_LOG, VOL(1, 1, 5), S3(1, 1, 1)};
    cs[k++] = (scase){K_LOG, VOL(4, 5, 1), S3(2, 2, 2), .mode = ZS_BORDER_WRAP};
    check_cases(cs, k);
}

static void test_gradmag_ref(void **state)
{
    (void)state;
    scase cs[5 + 5];
    size_t k = 0;
    for (int m = 0; m < 5; m++)
        cs[k++] =
            (scase){K_GRADMAG, VOL(13, 11, 9), S3(1.2, 1, 1.5), .mode = m, .cval = m == ZS_BORDER_CONSTANT ? 3 : 0};
    cs[k++] = (scase){K_GRADMAG, VOL(13, 11, 9), S3(1, 1, 2), .xy = 1};
    cs[k++] = (scase){K_GRADMAG, VOL(13, 11, 9), S3(1, 0, 1)};
    cs[k++] = (scase){K_GRADMAG, VOL(13, 11, 9), S3(1, 1, 1), .xy = 1, .mode = ZS_BORDER_CONSTANT, .cval = 4};
    cs[k++] = (scase){K_GRADMAG, VOL(6, 1, 1), S3(1, 1, 1)};
    cs[k++] = (scase){K_GRADMAG, VOL(4, 5, 3), S3(3, 3, 3), .mode = ZS_BORDER_MIRROR};
    check_cases(cs, k);
}

/* ---- a boundary mode per axis (scipy's mode=[...]) ------------------------------------------------ */

/* Each axis extended by its own mode, the constant correction of the gaussian on the constant
 * axes only (derivatives too), against the reference. */
static void test_mode_lists(void **state)
{
    (void)state;
    enum {
        R = ZS_BORDER_REFLECT,
        N = ZS_BORDER_NEAREST,
        M = ZS_BORDER_MIRROR,
        C = ZS_BORDER_CONSTANT,
        W = ZS_BORDER_WRAP
    };
    static const int lists[][3] = {{R, N, W}, {C, M, R}, {W, C, N}, {M, W, C}, {N, R, M}, {C, C, W}, {R, W, C}};
    scase cs[7 * 6];
    size_t k = 0;
    for (size_t l = 0; l < NCASES(lists); l++) {
        const double cval = lists[l][0] == C || lists[l][1] == C || lists[l][2] == C ? 4.5 : 0.0;
#define LIST .mode = lists[l][0], .cval = cval, .per_axis = 1, .ymode = lists[l][1], .zmode = lists[l][2]
        cs[k++] = (scase){K_GAUSS, VOL(13, 11, 9), S3(1.5, 1.0, 1.2), LIST};
        cs[k++] = (scase){K_GAUSS, VOL(13, 11, 9), S3(1.2, 1.0, 1.0), .order = {1, 0, 2}, LIST};
        cs[k++] = (scase){K_GAUSS, VOL(4, 5, 3), S3(2, 2, 2), .order = {0, 1, 1}, LIST};
        cs[k++] = (scase){K_UNIFORM, VOL(13, 11, 9), .size = {4, 3, 5}, LIST};
        cs[k++] = (scase){K_UNIFORM, VOL(3, 700, 4), .size = {3, 5, 3}, LIST};
        cs[k++] = (scase){K_DOG, VOL(13, 11, 9), S3(1, 1, 0.5), .s2 = {1.6, 1.6, 2}, LIST};
#undef LIST
    }
    check_cases(cs, k);
    /* (every slab height gives the same bits with lists too: test_slab_invariance) */
    const int64_t n[3] = {13, 11, 23};
    const size_t nv = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    float *in = random_volume(n, 98), *whole = malloc(sizeof(float) * nv), *part = malloc(sizeof(float) * nv);
    /* a list of one mode three times, and grid-* names, are the single mode */
    assert_int_equal(
        zs_test_run_kernel("gaussian:sigma=1:mode=grid-wrap,wrap,grid-wrap", in, n[0], n[1], n[2], 3, part), ZS_OK);
    assert_int_equal(zs_test_run_kernel("gaussian:sigma=1:mode=wrap", in, n[0], n[1], n[2], 0, whole), ZS_OK);
    assert_memory_equal(whole, part, sizeof(float) * nv);
    free(in);
    free(whole);
    free(part);
}

/* ---- invariance: bitwise equal whatever the slab height ------------------------------------------- */

static void test_slab_invariance(void **state)
{
    (void)state;
    static const char *const specs[] = {
        "gaussian:sigma=2",
        "gaussian:sigma=1x1x3:mode=constant:cval=2",
        "gaussian:sigma=1.5:order=0x1x2:mode=wrap",
        "gaussian:sigma=1:axes=xy:mode=mirror",
        "gaussian:sigma=4:mode=nearest",
        "uniform:size=5",
        "uniform:size=4x3x6:mode=constant:cval=-1",
        "uniform:size=3x3x9:mode=wrap",
        "uniform:size=2:axes=xy",
        "dog:sigma1=1:sigma2=2:mode=reflect",
        "log:sigma=1.5:mode=constant:cval=1",
        "gradient_magnitude:sigma=1x2x1:mode=mirror",
        "scale:a=2:b=-1",
        "clip:lo=0:hi=2.5",
        "threshold:value=1:keep=1",
        /* a mode per axis */
        "gaussian:sigma=1.5:mode=reflect,nearest,wrap",
        "gaussian:sigma=1.2:order=1x0x1:mode=constant,mirror,reflect:cval=3",
        "uniform:size=4x3x6:mode=wrap,constant,nearest:cval=-1",
        "dog:sigma1=1:sigma2=2:mode=mirror,wrap,constant:cval=2",
    };
    const int64_t n[3] = {13, 11, 23}, slabs[] = {1, 2, 7, 0};
    const size_t nv = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    float *in = random_volume(n, 99), *whole = malloc(sizeof(float) * nv), *part = malloc(sizeof(float) * nv);
    for (size_t s = 0; s < NCASES(specs); s++) {
        assert_int_equal(zs_test_run_kernel(specs[s], in, n[0], n[1], n[2], 0, whole), ZS_OK);
        for (size_t h = 0; h < NCASES(slabs); h++) {
            memset(part, 0xff, sizeof(float) * nv);
            assert_int_equal(zs_test_run_kernel(specs[s], in, n[0], n[1], n[2], slabs[h], part), ZS_OK);
            if (memcmp(whole, part, sizeof(float) * nv) != 0)
                fail_msg("%s: slab height %lld differs from one call", specs[s], (long long)slabs[h]);
        }
    }
    free(in);
    free(whole);
    free(part);
}

/* ---- 1-D weights and signs --------------------------------------------------------------------------- */

static void test_weights(void **state)
{
    (void)state;
    const double sigmas[] = {0.3, 1.0, 2.5, 7.0};
    double w[200], r_w[200];
    for (size_t s = 0; s < NCASES(sigmas); s++)
        for (int order = 0; order <= 3; order++) {
            const int64_t r = (int64_t)(4.0 * sigmas[s] + 0.5);
            zs__gauss_weights(sigmas[s], order, r, w);
            ref_gauss_weights(sigmas[s], order, r, r_w);
            double sum = 0.0, scale = 0.0;
            for (int64_t i = 0; i < 2 * r + 1; i++) scale = fmax(scale, fabs(r_w[i]));
            for (int64_t i = 0; i < 2 * r + 1; i++) {
                assert_true(fabs(w[i] - r_w[i]) <= 1e-12 * scale);
                sum += w[i];
            }
            if (order == 0) assert_true(fabs(sum - 1.0) < 1e-12);
            if (order == 1) assert_true(w[r + 1] > 0.0 && w[r - 1] < 0.0); /* tap +1 counts positively */
        }
}

/* Derivative signs and values against scipy.ndimage 1.10 (float32 input, sigma 2, x = 9..22
 * of a 32x3x3 volume): order 1 of the ramp x gives 0.9996533 (the truncated kernel's variance
 * is a little under 4), order 2 of the parabola x^2/2 the values below. */
static void test_derivative_sign(void **state)
{
    (void)state;
    static const double parabola_d2[14] = {0.99289364, 0.9920701,  0.99115986, 0.99016297, 0.9890794,
                                           0.98790914, 0.98665214, 0.9853085,  0.98387814, 0.98236114,
                                           0.9807574,  0.979067,   0.9772899,  0.97542614};
    const int64_t n[3] = {32, 3, 3};
    float in[32 * 9], out[32 * 9];
    for (int i = 0; i < 32 * 9; i++) in[i] = (float)(i % 32);
    assert_int_equal(zs_test_run_kernel("gaussian:sigma=2:order=1x0x0", in, n[0], n[1], n[2], 0, out), ZS_OK);
    for (int x = 9; x < 23; x++) assert_true(fabs(out[x + 32 * 4] - 0.9996533) < 1e-5);
    for (int i = 0; i < 32 * 9; i++) in[i] = (float)((i % 32) * (i % 32)) / 2.0f;
    assert_int_equal(zs_test_run_kernel("gaussian:sigma=2:order=2x0x0", in, n[0], n[1], n[2], 0, out), ZS_OK);
    for (int x = 9; x < 23; x++) assert_true(fabs(out[x + 32 * 4] - parabola_d2[x - 9]) < 2e-3);
}

/* ---- halos and parameters -------------------------------------------------------------------------- */

static void halo_of(const char *spec, zs_halo *h)
{
    const zs_kernel_desc *k;
    void *params = NULL;
    assert_int_equal(zs_test_parse_spec(spec, &k, &params), ZS_OK);
    k->halo(params, h);
    free(params);
}

static void test_halo(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        int64_t lo[3], hi[3];
        int zmode;
    } cs[] = {
        {"gaussian:sigma=2", {8, 8, 8}, {8, 8, 8}, ZS_BORDER_REFLECT},
        {"gaussian:sigma=1x1x3:mode=wrap", {4, 4, 12}, {4, 4, 12}, ZS_BORDER_WRAP},
        {"gaussian:sigma=2:truncate=3.2", {6, 6, 6}, {6, 6, 6}, ZS_BORDER_REFLECT},
        {"gaussian:sigma=0.125", {1, 1, 1}, {1, 1, 1}, ZS_BORDER_REFLECT}, /* int(0.5 + 0.5) */
        {"gaussian:sigma=0.1", {0, 0, 0}, {0, 0, 0}, ZS_BORDER_REFLECT},
        {"gaussian:sigma=2x0x2", {8, 0, 8}, {8, 0, 8}, ZS_BORDER_REFLECT},
        {"gaussian:sigma=2:axes=xy:mode=nearest", {8, 8, 0}, {8, 8, 0}, ZS_BORDER_NEAREST},
        {"uniform:size=4x5x1", {2, 2, 0}, {1, 2, 0}, ZS_BORDER_REFLECT},
        {"uniform:size=6:axes=xy:mode=constant", {3, 3, 0}, {2, 2, 0}, ZS_BORDER_CONSTANT},
        {"dog:sigma1=1x3x1:sigma2=2x1x1", {8, 12, 4}, {8, 12, 4}, ZS_BORDER_REFLECT},
        {"log:sigma=1.5:mode=mirror", {6, 6, 6}, {6, 6, 6}, ZS_BORDER_MIRROR},
        {"gradient_magnitude:sigma=1:axes=xy", {4, 4, 0}, {4, 4, 0}, ZS_BORDER_REFLECT},
        {"scale:a=3", {0, 0, 0}, {0, 0, 0}, ZS_BORDER_REFLECT},
    };
    for (size_t i = 0; i < NCASES(cs); i++) {
        zs_halo h;
        halo_of(cs[i].spec, &h);
        for (int a = 0; a < 3; a++) {
            if (h.lo[a] != cs[i].lo[a] || h.hi[a] != cs[i].hi[a])
                fail_msg("%s: axis %d halo %lld/%lld, expected %lld/%lld", cs[i].spec, a, (long long)h.lo[a],
                         (long long)h.hi[a], (long long)cs[i].lo[a], (long long)cs[i].hi[a]);
        }
        assert_int_equal(h.zmode, cs[i].zmode);
        const zs_kernel_desc *k;
        void *params = NULL;
        assert_int_equal(zs_test_parse_spec(cs[i].spec, &k, &params), ZS_OK);
        free(params);
        if (k->flags & ZS_KF_YMODE) assert_int_equal(h.ymode, cs[i].zmode);
    }
    /* a mode per axis x y z: z's decides the z-sets, y's the rows the executor extends */
    static const struct {
        const char *spec;
        int zmode, ymode;
    } lists[] = {
        {"gaussian:sigma=1:mode=reflect,nearest,wrap", ZS_BORDER_WRAP, ZS_BORDER_NEAREST},
        {"gaussian:sigma=1:mode=wrap,wrap,wrap", ZS_BORDER_WRAP, ZS_BORDER_WRAP},
        {"gaussian:sigma=1:mode=grid-wrap,grid-constant,grid-mirror", ZS_BORDER_REFLECT, ZS_BORDER_CONSTANT},
        {"uniform:size=3:mode=constant,mirror,nearest:cval=2", ZS_BORDER_NEAREST, ZS_BORDER_MIRROR},
        {"dog:sigma1=1:sigma2=1.5:mode=nearest,constant,mirror", ZS_BORDER_MIRROR, ZS_BORDER_CONSTANT},
    };
    for (size_t i = 0; i < NCASES(lists); i++) {
        const zs_kernel_desc *k;
        void *params = NULL;
        assert_int_equal(zs_test_parse_spec(lists[i].spec, &k, &params), ZS_OK);
        assert_true(k->flags & ZS_KF_YMODE);
        zs_halo h;
        k->halo(params, &h);
        free(params);
        assert_int_equal(h.zmode, lists[i].zmode);
        assert_int_equal(h.ymode, lists[i].ymode);
    }
}

static void test_bad_params(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *words[2];
    } cs[] = {
        {"clip:lo=2:hi=1", {"lo", "hi"}},
        {"gaussian:sigma=-1", {"sigma", NULL}},
        {"gaussian:sigma=1:truncate=0", {"truncate", NULL}},
        {"gaussian:sigma=1:order=4", {"order", NULL}},
        {"gaussian:sigma=1x2", {"sigma", NULL}},
        {"uniform:size=-1", {"size", NULL}},
        {"uniform:size=2.5", {"size", NULL}},
        {"dog:sigma1=1:sigma2=-2", {"sigma2", NULL}},
        {"uniform:mode=reflectxnearestxwrap", {"mode", "'reflectxnearestxwrap'"}}, /* modes: commas only */
        {"log:sigma=1:axes=xz", {"axes", NULL}},
        {"threshold:keep=2", {"keep", NULL}},
        {"scale:c=1", {"c", NULL}},
        /* mode lists: 1 or 3 modes, known names; one mode for kernels whose scipy filter is not per axis */
        {"gaussian:sigma=1:mode=reflect,nearest", {"mode", "1 or 3"}},
        {"uniform:mode=reflect,nearest,wrap,wrap", {"mode", "1 or 3"}},
        {"maximum:mode=reflect,nearst,wrap", {"mode", "nearst"}},
        {"gaussian:mode=reflect,,wrap", {"mode", "reflect,,wrap"}},
        {"log:sigma=1:mode=reflect,nearest,wrap", {"log", "gaussian_laplace"}},
        {"gradient_magnitude:mode=wrap,wrap,constant", {"gradient_magnitude", "one boundary mode"}},
    };
    for (size_t i = 0; i < NCASES(cs); i++) {
        const zs_kernel_desc *k;
        void *params = NULL;
        zs_status st = zs_test_parse_spec(cs[i].spec, &k, &params);
        if (st != ZS_EPARAM) fail_msg("%s: status %d, expected ZS_EPARAM", cs[i].spec, st);
        for (int w = 0; w < 2; w++)
            if (cs[i].words[w] && !strstr(zs_last_error(), cs[i].words[w]))
                fail_msg("%s: message '%s' does not name '%s'", cs[i].spec, zs_last_error(), cs[i].words[w]);
    }
}

static void test_descriptors(void **state)
{
    (void)state;
    static const char *const names[] = {"gaussian",           "uniform", "dog",  "log",
                                        "gradient_magnitude", "scale",   "clip", "threshold"};
    for (size_t i = 0; i < NCASES(names); i++) {
        const zs_kernel_desc *k = zs_kernel_find(names[i]);
        assert_non_null(k);
        assert_int_equal(k->abi, ZS_KERNEL_ABI);
        assert_int_equal(k->version, strcmp(names[i], "uniform") == 0 ? 2 : 1);
        assert_true(k->flags & ZS_KF_DETERMINISTIC);
        assert_non_null(k->summary);
        assert_non_null(k->scratch_bytes);
        for (int p = 0; p < k->nparams; p++) assert_non_null(k->params[p].help);
        if (i >= 5)
            assert_true((k->flags & ZS_KF_POINTWISE) && (k->flags & ZS_KF_INPLACE_OK));
        else
            assert_true(k->flags & ZS_KF_SEPARABLE);
    }
}

/* ---- pointwise ------------------------------------------------------------------------------------- */

static float pw_ref(int op, float x)
{
    switch (op) {
    case 0:
        return 2.5f * x + -1.0f;
    case 1:
        return x < 0.5f ? 0.5f : (x > 2.0f ? 2.0f : x);
    case 2: /* NaN stays NaN (the NaN rule) */
        return isnan(x) ? x : x > 1.25f ? 1.0f : 0.0f;
    default:
        return isnan(x) || x > 1.25f ? x : 0.0f;
    }
}

static void test_pointwise(void **state)
{
    (void)state;
    static const char *const specs[] = {"scale:a=2.5:b=-1", "clip:lo=0.5:hi=2", "threshold:value=1.25",
                                        "threshold:value=1.25:keep=true"};
    const int64_t n[3] = {7, 5, 4};
    const size_t nv = 7 * 5 * 4;
    float *in = random_volume(n, 7), *out = malloc(sizeof(float) * nv);
    in[3] = NAN;
    in[4] = 1.25f;
    for (int op = 0; op < 4; op++) {
        assert_int_equal(zs_test_run_kernel(specs[op], in, n[0], n[1], n[2], 3, out), ZS_OK);
        for (size_t i = 0; i < nv; i++) {
            const float r = pw_ref(op, in[i]);
            if (!(memcmp(&r, &out[i], sizeof r) == 0 || (isnan(r) && isnan(out[i]))))
                fail_msg("%s: voxel %zu: %g -> %g, expected %g", specs[op], i, (double)in[i], (double)out[i],
                         (double)r);
        }
        /* in place: out aliases in */
        const zs_kernel_desc *k;
        void *params = NULL;
        assert_int_equal(zs_test_parse_spec(specs[op], &k, &params), ZS_OK);
        float *buf = malloc(sizeof(float) * nv);
        memcpy(buf, in, sizeof(float) * nv);
        const int64_t zs[4] = {0, 1, 2, 3};
        assert_int_equal(zs_test_call(k, params, n[0], n[1], n[2], buf, 4, zs, buf, 4, zs, NULL, 0), ZS_OK);
        assert_memory_equal(buf, out, sizeof(float) * nv);
        free(buf);
        free(params);
    }
    free(in);
    free(out);
}

/* The gaussian family builds its weights (and x map, and constant mode's x edge weights) once, in
 * prepare(): every call of a plan runs from that one state within the scratch scratch_bytes()
 * declares and gives what one call over the whole volume gives; a call without the state, or with
 * a state made for other tiles, is refused rather than rebuilt. */
static void test_prepared_state(void **state)
{
    (void)state;
    const int64_t n[3] = {17, 11, 14}, nv = n[0] * n[1] * n[2], other[3] = {n[0] + 1, n[1], n[2]};
    static const char *const specs[] = {"gaussian:sigma=2x1x1.5:order=1x0x2",
                                        "gaussian:sigma=1.5:mode=constant:cval=2.5",
                                        "dog:sigma1=1:sigma2=2x2x3:mode=wrap", "log:sigma=1.2:mode=constant:cval=-1",
                                        "gradient_magnitude:sigma=1x2x1:axes=xy"};
    float *in = random_volume(n, 9100), *full = malloc(sizeof(float) * (size_t)nv);
    float *out = malloc(sizeof(float) * (size_t)nv);
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        const zs_kernel_desc *k;
        void *params = NULL, *st = NULL, *st_other = NULL;
        assert_int_equal(zs_test_parse_spec(specs[s], &k, &params), ZS_OK);
        if (!k->prepare || !k->release) fail_msg("%s: no prepare()/release()", specs[s]);
        const zs_kernel_geom g = {.nx = n[0], .ny = n[1], .max_in = n[2], .max_out = n[2], .ny_vol = n[1], .nz = n[2]};
        const zs_kernel_geom go = {
            .nx = other[0], .ny = n[1], .max_in = n[2], .max_out = n[2], .ny_vol = n[1], .nz = n[2]};
        assert_int_equal(k->prepare(params, &g, &st), ZS_OK);
        assert_int_equal(k->prepare(params, &go, &st_other), ZS_OK);
        assert_int_equal(zs_test_run_kernel(specs[s], in, n[0], n[1], n[2], 0, full), ZS_OK);
        for (int64_t z0 = 0; z0 < n[2]; z0 += 4)
            if (zs_test_call_state(k, params, st, in, n, z0, z0 + 4 < n[2] ? z0 + 4 : n[2], out) != ZS_OK)
                fail_msg("%s, planes from %lld: %s", specs[s], (long long)z0, zs_last_error());
        if (memcmp(out, full, sizeof(float) * (size_t)nv) != 0) fail_msg("%s: slabs from one state differ", specs[s]);
        assert_int_equal(zs_test_call_state(k, params, NULL, in, n, 0, 1, out), ZS_EINTERNAL);
        assert_int_equal(zs_test_call_state(k, params, st_other, in, n, 0, 1, out), ZS_EINTERNAL);
        k->release(st);
        k->release(st_other);
        free(params);
    }
    free(in);
    free(full);
    free(out);
}

int main(int argc, char **argv)
{
    g_seed = zs_test_seed(argc, argv, "test_kernel_smooth", g_seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaussian_modes),  cmocka_unit_test(test_gaussian_shapes),
        cmocka_unit_test(test_gaussian_orders), cmocka_unit_test(test_gaussian_constant),
        cmocka_unit_test(test_uniform_ref),     cmocka_unit_test(test_dog_ref),
        cmocka_unit_test(test_log_ref),         cmocka_unit_test(test_gradmag_ref),
        cmocka_unit_test(test_slab_invariance), cmocka_unit_test(test_weights),
        cmocka_unit_test(test_derivative_sign), cmocka_unit_test(test_halo),
        cmocka_unit_test(test_bad_params),      cmocka_unit_test(test_descriptors),
        cmocka_unit_test(test_pointwise),       cmocka_unit_test(test_mode_lists),
        cmocka_unit_test(test_float64_ref),     cmocka_unit_test(test_prepared_state),
    };
    return zs_test_exit(cmocka_run_group_tests_name("kernel_smooth", tests, NULL, NULL));
}
