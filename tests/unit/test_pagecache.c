/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* --cold: zs_file_drop_cache really drops a file's pages (checked with mincore). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "zs_internal.h"
#include "zs_test_util.h"

static void test_drop_cache(void **state)
{
    (void)state;
    struct statfs sf;
    if (statfs(".", &sf) == 0 && (unsigned long)sf.f_type == 0x01021994UL) {
        zs_test_skip("tmpfs keeps its pages in memory by design: nothing to drop here");
    }
    const char *path = "pagecache.bin";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    char buf[65536];
    memset(buf, 7, sizeof buf);
    for (int i = 0; i < 64; i++) assert_int_equal(fwrite(buf, 1, sizeof buf, f), sizeof buf);
    fclose(f);
    f = fopen(path, "rb");
    while (fread(buf, 1, sizeof buf, f) == sizeof buf) {}
    fclose(f);
    double before = 0, after = 1;
    assert_int_equal(zs_file_residency(path, &before), ZS_OK);
    assert_true(before > 0.9);
    assert_int_equal(zs_file_drop_cache(path), ZS_OK);
    assert_int_equal(zs_file_residency(path, &after), ZS_OK);
    print_message("resident before %.2f, after drop %.2f\n", before, after);
    assert_true(after < 0.1);
    unlink(path);
    assert_int_equal(zs_file_drop_cache("no-such-file.bin"), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "no-such-file.bin"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_drop_cache)};
    return zs_test_exit(cmocka_run_group_tests_name("pagecache", tests, NULL, NULL));
}
