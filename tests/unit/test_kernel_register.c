/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* zs_kernel_register: a registered kernel is found as a built-in one (zs_kernel_find/get, specs,
 * halo); descriptors of an unknown ABI, malformed ones and taken names are refused with a
 * message naming them; registration from many threads while others look kernels up loses
 * nothing and lets one name in once. The registry is process-wide and keeps what it was given,
 * so every test registers names of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "zslab.h"
#include "zslab_kernel.h"

typedef struct reach_params {
    int64_t reach;
} reach_params;

static const zs_param_desc reach_param_list[] = {
    {.name = "reach",
     .type = ZS_PARAM_INT,
     .offset = offsetof(reach_params, reach),
     .min = 0,
     .max = 9,
     .def = "1",
     .help = "planes read on each side in z"},
};

static void reach_halo(const void *params, zs_halo *h)
{
    const reach_params *p = params;
    *h = (zs_halo){.lo = {0, 0, p->reach}, .hi = {0, 0, p->reach}, .zmode = ZS_BORDER_NEAREST};
}

static zs_status reach_run(const zs_kernel_call *c)
{
    (void)c;
    return ZS_OK;
}

#define REACH_DESC(NAME, ABI)                                                                                          \
    {                                                                                                                  \
        .abi = (ABI), .name = (NAME), .summary = "a kernel registered by a test", .version = 1,                        \
        .params = reach_param_list, .nparams = 1, .params_size = sizeof(reach_params), .halo = reach_halo,             \
        .run = reach_run                                                                                               \
    }

static void test_registered_kernel_is_found_like_a_built_in(void **state)
{
    (void)state;
    static const zs_kernel_desc k = REACH_DESC("reach_found", ZS_KERNEL_ABI);
    const int before = zs_kernel_count();
    assert_null(zs_kernel_find("reach_found"));
    assert_int_equal(zs_kernel_register(&k), ZS_OK);
    assert_int_equal(zs_kernel_count(), before + 1);
    assert_ptr_equal(zs_kernel_get(before), &k);
    assert_ptr_equal(zs_kernel_find("reach_found"), &k);
    assert_non_null(zs_kernel_find("gaussian")); /* the built-in ones stay first and found */
    double lo, hi;
    assert_int_equal(zs_kernel_param_bounds(&k, "reach", &lo, &hi), ZS_OK);
    assert_true(lo == 0 && hi == 9);

    zs_pipeline *p = NULL;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    assert_int_equal(zs_pipeline_add(p, "gaussian:sigma=1"), ZS_OK);
    assert_int_equal(zs_pipeline_add(p, "reach_found:reach=3"), ZS_OK);
    int64_t hlo[3], hhi[3], glo[3], ghi[3];
    zs_pipeline_halo(p, hlo, hhi);
    zs_pipeline *g = NULL;
    assert_int_equal(zs_pipeline_new(&g), ZS_OK);
    assert_int_equal(zs_pipeline_add(g, "gaussian:sigma=1"), ZS_OK);
    zs_pipeline_halo(g, glo, ghi);
    assert_int_equal(hlo[2], glo[2] + 3);
    assert_int_equal(hhi[2], ghi[2] + 3);
    assert_int_equal(zs_pipeline_add(p, "reach_found:reach=10"), ZS_EPARAM); /* bounds from the descriptor */
    assert_non_null(strstr(zs_last_error(), "reach"));
    zs_pipeline_free(g);
    zs_pipeline_free(p);
}

static void expect_refused(const zs_kernel_desc *k, zs_status code, const char *m1, const char *m2)
{
    const int before = zs_kernel_count();
    assert_int_equal(zs_kernel_register(k), code);
    if (!strstr(zs_last_error(), m1) || (m2 && !strstr(zs_last_error(), m2)))
        fail_msg("message '%s' lacks '%s' or '%s'", zs_last_error(), m1, m2 ? m2 : "");
    assert_int_equal(zs_kernel_count(), before);
}

static void test_unknown_abi_and_malformed_descriptors_are_refused(void **state)
{
    (void)state;
    static const zs_kernel_desc newer = REACH_DESC("reach_newer", ZS_KERNEL_ABI + 1);
    static const zs_kernel_desc older = REACH_DESC("reach_older", ZS_KERNEL_ABI_MIN - 1);
    static const zs_kernel_desc abi2 = REACH_DESC("reach_abi2", 2); /* built against the older header */
    expect_refused(&newer, ZS_EUNSUPPORTED, "kernel reach_newer: built for kernel ABI 4", "reads ABI 2 to 3");
    expect_refused(&older, ZS_EUNSUPPORTED, "kernel reach_older: built for kernel ABI 1", NULL);
    assert_null(zs_kernel_find("reach_newer"));
    assert_int_equal(zs_kernel_register(&abi2), ZS_OK);
    assert_ptr_equal(zs_kernel_find("reach_abi2"), &abi2);

    static zs_kernel_desc no_run = REACH_DESC("reach_no_run", ZS_KERNEL_ABI);
    no_run.run = NULL;
    expect_refused(&no_run, ZS_EINVAL, "reach_no_run", "run()");
    static zs_kernel_desc past = REACH_DESC("reach_past", ZS_KERNEL_ABI);
    past.params_size = 4; /* the int64 parameter lies past it */
    expect_refused(&past, ZS_EINVAL, "reach_past", "params_size");
    static const zs_kernel_desc unnamed = REACH_DESC("", ZS_KERNEL_ABI);
    expect_refused(&unnamed, ZS_EINVAL, "no name", NULL);
    expect_refused(NULL, ZS_EINVAL, "no kernel descriptor", NULL);
}

static void test_taken_names_are_refused_naming_both(void **state)
{
    (void)state;
    static const zs_kernel_desc first = REACH_DESC("reach_taken", ZS_KERNEL_ABI);
    static const zs_kernel_desc second = REACH_DESC("reach_taken", ZS_KERNEL_ABI);
    static const zs_kernel_desc builtin = REACH_DESC("median", ZS_KERNEL_ABI);
    assert_int_equal(zs_kernel_register(&first), ZS_OK);
    expect_refused(&second, ZS_EINVAL, "kernel reach_taken from zs_kernel_register()",
                   "taken by the kernel from zs_kernel_register()");
    expect_refused(&first, ZS_EINVAL, "reach_taken", "taken");
    expect_refused(&builtin, ZS_EINVAL, "kernel median from zs_kernel_register()", "the library (built in)");
    assert_ptr_equal(zs_kernel_find("reach_taken"), &first);
    assert_ptr_not_equal(zs_kernel_find("median"), &builtin);
}

/* ---- many threads at once ---- */
enum { NTHREADS = 6, PER_THREAD = 12 };
static char names[NTHREADS][PER_THREAD][32];
static zs_kernel_desc descs[NTHREADS][PER_THREAD];
static zs_kernel_desc same[NTHREADS];
static atomic_int same_ok;

static void *registrar(void *arg)
{
    const int t = (int)(intptr_t)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        if (zs_kernel_register(&descs[t][i]) != ZS_OK) return (void *)1;
        /* a reader meanwhile: every kernel counted is whole */
        for (int j = zs_kernel_count() - 1; j >= 0; j--)
            if (!zs_kernel_get(j) || !zs_kernel_get(j)->name ||
                zs_kernel_find(zs_kernel_get(j)->name) != zs_kernel_get(j))
                return (void *)2;
    }
    if (zs_kernel_register(&same[t]) == ZS_OK) atomic_fetch_add(&same_ok, 1);
    return NULL;
}

static void test_concurrent_registration(void **state)
{
    (void)state;
    const int before = zs_kernel_count();
    for (int t = 0; t < NTHREADS; t++) {
        same[t] = (zs_kernel_desc)REACH_DESC("reach_race", ZS_KERNEL_ABI);
        for (int i = 0; i < PER_THREAD; i++) {
            snprintf(names[t][i], sizeof names[t][i], "reach_t%d_%d", t, i);
            descs[t][i] = (zs_kernel_desc)REACH_DESC(names[t][i], ZS_KERNEL_ABI);
        }
    }
    pthread_t th[NTHREADS];
    for (int t = 0; t < NTHREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, registrar, (void *)(intptr_t)t), 0);
    for (int t = 0; t < NTHREADS; t++) {
        void *ret = NULL;
        assert_int_equal(pthread_join(th[t], &ret), 0);
        assert_null(ret);
    }
    assert_int_equal(atomic_load(&same_ok), 1); /* one name, registered once */
    assert_int_equal(zs_kernel_count(), before + NTHREADS * PER_THREAD + 1);
    for (int t = 0; t < NTHREADS; t++)
        for (int i = 0; i < PER_THREAD; i++) assert_ptr_equal(zs_kernel_find(names[t][i]), &descs[t][i]);
}

static void test_plugin_load_names_the_file(void **state)
{
    (void)state;
    assert_int_equal(zs_plugin_load(""), ZS_EINVAL);
    assert_int_equal(zs_plugin_load("./no-such-plugin.so"), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "plugin ./no-such-plugin.so: cannot be loaded"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered_kernel_is_found_like_a_built_in),
        cmocka_unit_test(test_unknown_abi_and_malformed_descriptors_are_refused),
        cmocka_unit_test(test_taken_names_are_refused_naming_both),
        cmocka_unit_test(test_concurrent_registration),
        cmocka_unit_test(test_plugin_load_names_the_file),
    };
    return cmocka_run_group_tests_name("kernel registration", tests, NULL, NULL);
}
