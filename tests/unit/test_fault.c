/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Files that shrink under a mapping: a read through the mapping past the new end (SIGBUS) is
 * an error naming the file, not the end of the process; a SIGBUS outside zslab's guarded
 * reads still ends the process as it would without zslab. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zs_internal.h"
#include "zs_test_util.h"

enum { FILE_BYTES = 1 << 20 };

static void make_file(const char *path)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    static unsigned char buf[FILE_BYTES];
    memset(buf, 3, sizeof buf);
    assert_int_equal(fwrite(buf, 1, sizeof buf, f), sizeof buf);
    assert_int_equal(fclose(f), 0);
}

typedef struct sum_job {
    const volatile unsigned char *p;
    size_t n;
    unsigned long sum;
} sum_job;

static void sum_bytes(void *arg)
{
    sum_job *s = arg;
    for (size_t i = 0; i < s->n; i += 512) s->sum += s->p[i];
}

/* Opens `path` as raw uint8 of nx x ny x nz voxels in the given order. */
static zs_volume *open_raw(const char *path, int64_t nx, int64_t ny, int64_t nz, zs_order order)
{
    zs_volume *v = NULL;
    zs_open_opts o;
    zs_open_opts_default(&o);
    o.format = ZS_FMT_RAW;
    o.raw_ndim = 3;
    o.raw_shape[0] = nx, o.raw_shape[1] = ny, o.raw_shape[2] = nz, o.raw_shape[3] = 1;
    o.raw_dtype.type = ZS_U8;
    o.raw_order = order;
    assert_int_equal(zs_volume_open(path, &o, &v), ZS_OK);
    return v;
}

static void test_guarded_read_of_a_shrunk_file(void **state)
{
    (void)state;
    const char *path = "shrinks.bin";
    make_file(path);
    zs_volume *v = open_raw(path, 1024, 1024, 1, ZS_ORDER_F);
    assert_int_equal(zs__volume_check_size(v), ZS_OK);

    zs_view view;
    assert_int_equal(zs__volume_view(v, 0, 0, 1, 0, 1024, 0, &view), ZS_OK);
    const unsigned char *ptr = view.data;
    sum_job whole = {ptr, FILE_BYTES, 0};
    assert_int_equal(zs__call_guarded(sum_bytes, &whole), 0);
    assert_int_equal(whole.sum, 3ul * (FILE_BYTES / 512));

    assert_int_equal(truncate(path, 8192), 0);
    sum_job head = {ptr, 8192, 0};
    assert_int_equal(zs__call_guarded(sum_bytes, &head), 0); /* still inside the file */
    sum_job past = {ptr, FILE_BYTES, 0};
    assert_int_equal(zs__call_guarded(sum_bytes, &past), 1); /* faulted, and we are still here */
    assert_int_equal(zs__call_guarded(sum_bytes, &past), 1); /* the guard is armed again each call */
    zs__volume_unview(&view);

    assert_int_equal(zs__fault_error(v, "read"), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "shrinks.bin: changed size during the run (1048576 bytes at open, 8192"));
    assert_int_equal(zs__volume_check_size(v), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "shrinks.bin: changed size during the run"));
    zs_volume_free(v);
    unlink(path);
}

/* A C-order volume is gathered from its mapping by zs_slab_map: a file that shrank since it
 * was opened gives an error from zs_slab_map, not a SIGBUS. */
static void test_c_order_gather_of_a_shrunk_file(void **state)
{
    (void)state;
    const char *path = "corder.bin";
    make_file(path);
    zs_volume *v = open_raw(path, 64, 64, 256, ZS_ORDER_C);
    zs_slab s = {0, 0, 256, 0, 256};
    zs_mapping m;
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    assert_int_equal(truncate(path, 4096), 0);
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "corder.bin: changed size during the run"));
    zs_volume_free(v);
    unlink(path);
}

/* A handler a program installs after ours, chaining to the one it found (ours, which calls it
 * back): a crash reporter, say. */
static struct sigaction chained;
static void chaining_handler(int sig, siginfo_t *si, void *ctx)
{
    if (chained.sa_flags & SA_SIGINFO) chained.sa_sigaction(sig, si, ctx);
}

/* In a child: a guarded read (installs our handler), optionally a chaining handler installed
 * after ours and ours again in front of it, then an unguarded touch of a page past the file's
 * new end. The child must die of SIGBUS, as it would without zslab: our handler steps aside
 * for faults outside a guard, and a handler that calls it back does not make it loop. */
static void expect_unguarded_sigbus(const char *path, int chain)
{
    make_file(path);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGBUS, SIG_DFL); /* as in a program: not cmocka's handler of the parent's test */
        int fd = open(path, O_RDONLY);
        void *base, *ptr;
        size_t maplen;
        if (fd < 0 || zs__map_range(fd, path, 0, FILE_BYTES, ZS_MODE_R, &base, &maplen, &ptr) != ZS_OK) _exit(3);
        sum_job ok = {ptr, 4096, 0};
        if (zs__call_guarded(sum_bytes, &ok) != 0) _exit(4); /* installs the handler */
        if (chain) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_sigaction = chaining_handler;
            sa.sa_flags = SA_SIGINFO;
            sigemptyset(&sa.sa_mask);
            sigaction(SIGBUS, &sa, &chained);                    /* the reporter, chaining to ours */
            if (zs__call_guarded(sum_bytes, &ok) != 0) _exit(5); /* ours again, the reporter behind it */
        }
        if (truncate(path, 4096) != 0) _exit(6);
        sum_job bad = {ptr, FILE_BYTES, 0};
        sum_bytes(&bad); /* no guard: must not return */
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGBUS);
    unlink(path);
}

static void test_unguarded_fault_still_ends_the_process(void **state)
{
    (void)state;
    expect_unguarded_sigbus("unguarded.bin", 0);
}

static void test_chaining_handlers_do_not_loop(void **state)
{
    (void)state;
    expect_unguarded_sigbus("chain.bin", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guarded_read_of_a_shrunk_file),
        cmocka_unit_test(test_c_order_gather_of_a_shrunk_file),
        cmocka_unit_test(test_unguarded_fault_still_ends_the_process),
        cmocka_unit_test(test_chaining_handlers_do_not_loop),
    };
    return zs_test_exit(cmocka_run_group_tests_name("fault", tests, NULL, NULL));
}
