/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A reduction's slab records on disk (scheduler/reduce_records.c): written and read back byte
 * for byte (empty ones too), absent ones reported as absent, a second write replacing the first,
 * no temporary file left, and a cut, damaged, misplaced or foreign file refused naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reduce_internal.h"
#include "zs_test_util.h"

static int setup(void **state) { return zs_test_tmpdir_setup(state, "tmp_records_"); }

static void fill(unsigned char *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)((i * 2654435761u + seed) >> 7);
}

static void expect_record(const char *dir, int64_t slab, const unsigned char *want, size_t n)
{
    int found = 0;
    void *rec = NULL;
    size_t size = 99;
    assert_int_equal(zs__record_get(dir, slab, &found, &rec, &size), ZS_OK);
    assert_int_equal(found, 1);
    assert_int_equal(size, n);
    assert_non_null(rec);
    if (n) assert_memory_equal(rec, want, n);
    free(rec);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void test_round_trip(void **state)
{
    const zs_test_tmpdir *f = *state;
    static unsigned char a[4097], b[1], c[300];
    fill(a, sizeof a, 1), fill(b, sizeof b, 2), fill(c, sizeof c, 3);
    assert_int_equal(zs__record_put(f->dir, 0, a, sizeof a), ZS_OK);
    assert_int_equal(zs__record_put(f->dir, 1, NULL, 0), ZS_OK); /* a slab without fragments */
    assert_int_equal(zs__record_put(f->dir, 7, b, sizeof b), ZS_OK);
    expect_record(f->dir, 0, a, sizeof a);
    expect_record(f->dir, 1, NULL, 0);
    expect_record(f->dir, 7, b, sizeof b);
    int found = 1;
    void *rec = (void *)a;
    size_t size = 5;
    assert_int_equal(zs__record_get(f->dir, 2, &found, &rec, &size), ZS_OK); /* never written */
    assert_int_equal(found, 0);
    assert_null(rec);
    assert_int_equal(size, 0);
    assert_int_equal(zs__record_put(f->dir, 7, c, sizeof c), ZS_OK); /* a slab redone */
    expect_record(f->dir, 7, c, sizeof c);
    assert_int_equal(count_entries(f->dir), 3); /* slab-0, slab-1, slab-7: no temporary left */
}

/* Writes `n` bytes at `off` of DIR/NAME (truncating it to off + n when cut). */
static void poke(const char *dir, const char *name, long off, const void *bytes, size_t n, int cut)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, off, SEEK_SET), 0);
    assert_int_equal(fwrite(bytes, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
    if (cut) assert_int_equal(truncate(path, off + (long)n), 0);
}

static void expect_refused(const char *dir, int64_t slab, zs_status code, const char *why)
{
    int found = 1;
    void *rec = NULL;
    size_t size = 0;
    assert_int_equal(zs__record_get(dir, slab, &found, &rec, &size), code);
    assert_int_equal(found, 0);
    assert_null(rec);
    char name[64];
    snprintf(name, sizeof name, "/slab-%lld", (long long)slab);
    assert_non_null(strstr(zs_last_error(), name));
    assert_non_null(strstr(zs_last_error(), why));
}

static void test_bad_files_are_refused(void **state)
{
    const zs_test_tmpdir *f = *state;
    static unsigned char a[256];
    fill(a, sizeof a, 4);
    for (int64_t s = 0; s < 5; s++) assert_int_equal(zs__record_put(f->dir, s, a, sizeof a), ZS_OK);
    const unsigned char x = 0x5a, zero[2] = {0, 0};
    poke(f->dir, "slab-0", 40 + 100, &x, 1, 0); /* a byte of the record changed */
    expect_refused(f->dir, 0, ZS_EFORMAT, "do not match its sum");
    poke(f->dir, "slab-1", 40 + 200, &x, 1, 1); /* cut short */
    expect_refused(f->dir, 1, ZS_EFORMAT, "cut or grown");
    poke(f->dir, "slab-2", 0, "GARBAGE!", 8, 0);
    expect_refused(f->dir, 2, ZS_EFORMAT, "not a zslab slab record");
    poke(f->dir, "slab-3", 0, zero, 2, 1); /* shorter than a head */
    expect_refused(f->dir, 3, ZS_EFORMAT, "cut short");
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/slab-4", f->dir);
    snprintf(to, sizeof to, "%s/slab-9", f->dir);
    assert_int_equal(rename(from, to), 0); /* another slab's record in slab 9's place */
    expect_refused(f->dir, 9, ZS_EFORMAT, "holds slab 4's record");
    /* a temporary left by a writer killed before its rename: the slab has no record */
    snprintf(to, sizeof to, "%s/slab-4.tmp.12345", f->dir);
    FILE *fp = fopen(to, "wb");
    assert_non_null(fp);
    fclose(fp);
    int found = 1;
    void *rec = NULL;
    size_t size = 0;
    assert_int_equal(zs__record_get(f->dir, 4, &found, &rec, &size), ZS_OK);
    assert_int_equal(found, 0);
}

static void test_unwritable_directory(void **state)
{
    const zs_test_tmpdir *f = *state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/missing", f->dir);
    const unsigned char a[4] = {1, 2, 3, 4};
    assert_true(zs__record_put(dir, 3, a, sizeof a) < 0);
    assert_non_null(strstr(zs_last_error(), "missing/slab-3"));
    assert_int_equal(count_entries(f->dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_bad_files_are_refused, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_directory, setup, zs_test_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
