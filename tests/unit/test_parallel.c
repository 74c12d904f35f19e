/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Parallel slabs (core/parallel.c): every item runs once on a worker numbered below the workers
 * counted, the first error comes back with its message and the items not yet started are
 * skipped, and a bad ZS_THREADS is refused when the thread count comes from the environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "zs_internal.h"

enum { ITEMS = 1000 };

typedef struct counts {
    int runs[ITEMS]; /* owner: the worker that runs item i */
    int workers;     /* the workers counted before the run */
    int bad_worker;  /* atomic: a worker number outside [0, workers) was seen */
    int64_t fail_at; /* the item that fails; -1: none */
} counts;

static zs_status count(void *arg, int64_t i, int worker)
{
    counts *c = arg;
    if (worker < 0 || worker >= c->workers) {
#pragma omp atomic write
        c->bad_worker = 1;
    }
    c->runs[i]++;
    if (i == c->fail_at) return ZS_ERR(ZS_EIO, "item %lld failed", (long long)i);
    return ZS_OK;
}

static void test_every_item_once(void **state)
{
    (void)state;
    static counts c;
    for (int threads = 1; threads <= 5; threads += 2)
        for (int bind = 0; bind <= 1; bind++) {
            memset(&c, 0, sizeof c);
            c.fail_at = -1;
            const zs_slab_loop loop = {.n = ITEMS, .threads = threads, .bind = bind, .run = count, .arg = &c};
            c.workers = zs__slab_loop_workers(&loop);
            assert_int_equal(c.workers, threads);
            assert_int_equal(zs__slab_loop_run(&loop), ZS_OK);
            for (int i = 0; i < ITEMS; i++) assert_int_equal(c.runs[i], 1);
            assert_int_equal(c.bad_worker, 0);
        }
    const zs_slab_loop few = {.n = 2, .threads = 8, .run = count, .arg = &c};
    assert_int_equal(zs__slab_loop_workers(&few), 2); /* no more workers than items */
}

/* One worker: the items after the failing one are never started. */
static void test_first_error_cancels(void **state)
{
    (void)state;
    static counts c;
    memset(&c, 0, sizeof c);
    c.fail_at = 10;
    const zs_slab_loop loop = {.n = ITEMS, .threads = 1, .run = count, .arg = &c};
    c.workers = 1;
    zs_clear_error();
    assert_int_equal(zs__slab_loop_run(&loop), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "item 10 failed"));
    for (int i = 0; i < ITEMS; i++) assert_int_equal(c.runs[i], i <= 10);
    memset(&c, 0, sizeof c); /* several workers: still the failing item's error, and fewer runs */
    c.fail_at = 0;
    const zs_slab_loop four = {.n = ITEMS, .threads = 4, .run = count, .arg = &c};
    c.workers = 4;
    assert_int_equal(zs__slab_loop_run(&four), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "item 0 failed"));
    assert_int_equal(c.runs[0], 1);
}

static void test_bad_env_threads(void **state)
{
    (void)state;
    static counts c;
    memset(&c, 0, sizeof c);
    c.fail_at = -1;
    c.workers = 1 << 20;
    assert_int_equal(setenv("ZS_THREADS", "two", 1), 0);
    const zs_slab_loop env = {.n = 4, .threads = 0, .run = count, .arg = &c};
    assert_int_equal(zs__slab_loop_run(&env), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "ZS_THREADS='two'"));
    assert_int_equal(c.runs[0], 0);
    const zs_slab_loop given = {.n = 4, .threads = 2, .run = count, .arg = &c};
    assert_int_equal(zs__slab_loop_run(&given), ZS_OK); /* a count given: the environment is not read */
    assert_int_equal(setenv("ZS_THREADS", "3", 1), 0);
    assert_int_equal(zs__slab_loop_workers(&env), 3);
    unsetenv("ZS_THREADS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_item_once),
        cmocka_unit_test(test_first_error_cancels),
        cmocka_unit_test(test_bad_env_threads),
    };
    return cmocka_run_group_tests_name("parallel", tests, NULL, NULL);
}
