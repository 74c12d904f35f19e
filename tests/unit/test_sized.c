/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Structs that can grow: any struct_size from the first released size to the library's is
 * taken (the fields past it get their defaults), others are refused naming the struct, and the
 * deprecated _default() functions write no more than the first release's fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include "zs_internal.h"

/* A program built against the first release passes struct_size = the end of its last field:
 * taken, and a field it does not have (here: the bytes after it) is the default's. */
static void test_smaller_size_takes_defaults(void **state)
{
    (void)state;
    unsigned char given[sizeof(zs_plan_opts) + 16];
    memset(given, 0xab, sizeof given); /* what lies past the caller's struct */
    zs_plan_opts *g = (zs_plan_opts *)(void *)given;
    zs_plan_opts_init(g);
    g->struct_size = ZS__MIN_zs_plan_opts;
    g->threads = 3;
    memset(given + ZS__MIN_zs_plan_opts, 0xab, sizeof given - ZS__MIN_zs_plan_opts);
    zs_plan_opts local;
    assert_int_equal(ZS_SIZED_IN(&local, g, zs_plan_opts), ZS_OK);
    assert_int_equal(local.struct_size, sizeof local);
    assert_int_equal(local.threads, 3);
    assert_int_equal(local.bind, 1);
    zs_plan_opts def;
    zs_plan_opts_init(&def);
    const unsigned char *l = (const unsigned char *)&local, *d = (const unsigned char *)&def;
    for (size_t i = ZS__MIN_zs_plan_opts; i < sizeof local; i++) assert_int_equal(l[i], d[i]);
}

/* Too small (never initialised, or cut) or too large (a newer header): refused, named. */
static void test_bad_sizes_are_refused(void **state)
{
    (void)state;
    zs_exec_opts e, local;
    zs_exec_opts_init(&e);
    const size_t bad[] = {0, ZS__MIN_zs_exec_opts - 1, sizeof e + 8, (size_t)-1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e.struct_size = bad[i];
        assert_int_equal(ZS_SIZED_IN(&local, &e, zs_exec_opts), ZS_EINVAL);
        assert_non_null(strstr(zs_last_error(), "zs_exec_opts: struct_size is"));
        assert_non_null(strstr(zs_last_error(), bad[i] > sizeof e ? "newer zslab.h" : "_init() function"));
    }
    assert_int_equal(ZS_SIZED_IN(&local, NULL, zs_exec_opts), ZS_OK);
    assert_int_equal(local.struct_size, sizeof local);
}

/* The deprecated _default() writes the first release's fields and nothing past them, so a
 * program whose struct is that small keeps its neighbouring bytes. */
static void test_default_writes_first_fields_only(void **state)
{
    (void)state;
    unsigned char buf[sizeof(zs_plan_opts) + 16];
    memset(buf, 0xab, sizeof buf);
    zs_plan_opts_default((zs_plan_opts *)(void *)buf);
    for (size_t i = ZS__MIN_zs_plan_opts; i < sizeof buf; i++) assert_int_equal(buf[i], 0xab);
    zs_plan_opts o;
    memcpy(&o, buf, ZS__MIN_zs_plan_opts);
    assert_int_equal(o.struct_size, ZS__MIN_zs_plan_opts);
    assert_int_equal(o.bind, 1);
    zs_journal_opts j;
    zs_journal_opts_default(&j);
    assert_int_equal(j.nparts, 1);
    assert_true(j.wait_seconds < 0); /* the journal's default wait, resolved when it begins */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smaller_size_takes_defaults),
        cmocka_unit_test(test_bad_sizes_are_refused),
        cmocka_unit_test(test_default_writes_first_fields_only),
    };
    return cmocka_run_group_tests_name("sized", tests, NULL, NULL);
}
