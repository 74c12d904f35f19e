/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Direct I/O on byte ranges that start and end anywhere (core/volume_direct.c): every request of a
 * raw volume whose data start at byte 1000 and whose rows are 4099 bytes long is written with
 * zs__dio_write and read back with zs__dio_read; a shadow copy of the file, updated by plain
 * memcpy, must equal the file after each write (bytes outside the request untouched, the header
 * and the bytes after the volume too), and the read must return the shadow's bytes. Then the file
 * shrinks: a direct read past the new end is an error naming the file. The same requests go
 * through the uring engine's rings (scheduler/engine_uring.c: the aligned part submitted, the rest
 * finished on completion) where the kernel allows io_uring, and a write the file size limit refuses
 * is an error naming the file either way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "scheduler_internal.h"
#include "zs_test_util.h"

enum { NX = 4099, NY = 5, NZ = 4, OFFSET = 1000, TRAILER = 77 };
#define DATA_BYTES ((size_t)NX * NY * NZ)
#define FILE_SIZE  (OFFSET + DATA_BYTES + TRAILER)

static unsigned char shadow[FILE_SIZE];

static void make_file(const char *path)
{
    for (size_t i = 0; i < FILE_SIZE; i++) shadow[i] = (unsigned char)(i * 7u + 3u);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(shadow, 1, FILE_SIZE, f), FILE_SIZE);
    assert_int_equal(fclose(f), 0);
}

static zs_volume *open_raw(const char *path)
{
    zs_volume *v = NULL;
    zs_open_opts o;
    zs_open_opts_default(&o);
    o.format = ZS_FMT_RAW;
    o.mode = "r+";
    o.raw_ndim = 3;
    o.raw_shape[0] = NX, o.raw_shape[1] = NY, o.raw_shape[2] = NZ, o.raw_shape[3] = 1;
    o.raw_dtype.type = ZS_U8;
    o.raw_offset = OFFSET;
    assert_int_equal(zs_volume_open(path, &o, &v), ZS_OK);
    return v;
}

static void file_equals_shadow(const char *path)
{
    static unsigned char now[FILE_SIZE + 1];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(now, 1, sizeof now, f), FILE_SIZE);
    fclose(f);
    for (size_t i = 0; i < FILE_SIZE; i++)
        if (now[i] != shadow[i]) fail_msg("byte %zu: file %u, expected %u", i, now[i], shadow[i]);
}

/* A fresh file at `path` opened as the raw volume, its direct descriptor and an aligned buffer for
 * the whole volume; 0 after zs_test_skip when the file system refuses O_DIRECT. */
typedef struct fixture {
    zs_volume *v;
    zs_dio *d;
    unsigned char *mem, *abuf;
} fixture;

static int setup_direct(const char *path, int write, fixture *f)
{
    make_file(path);
    f->v = open_raw(path);
    f->d = NULL;
    zs_status st = zs__dio_open(f->v, write, &f->d);
    if (st == ZS_EUNSUPPORTED) {
        zs_volume_free(f->v);
        zs_test_skip("this file system refuses O_DIRECT");
        return 0;
    }
    assert_int_equal(st, ZS_OK);
    f->mem = malloc(zs__dio_buffer_bytes(f->d, DATA_BYTES));
    assert_non_null(f->mem);
    f->abuf = zs__dio_aligned(f->d, f->mem);
    return 1;
}

static void teardown_direct(fixture *f)
{
    zs__dio_close(f->d);
    free(f->mem);
    zs_volume_free(f->v);
}

/* A ring of one request on f's descriptor, or NULL after zs_test_skip where io_uring is refused. */
static zs_ring *ring_or_skip(const fixture *f, int write)
{
    zs_ring *r = NULL;
    const zs_status st = zs__ring_new(f->d, write, 1, &r);
    if (st == ZS_EUNSUPPORTED)
        zs_test_skip(zs_last_error());
    else
        assert_int_equal(st, ZS_OK);
    return r;
}

/* Request (z, z1, y0, y1) with the blocking calls (ring NULL), or through the ring as the uring
 * engine's queue does it: submitted, else done with the blocking calls. */
static zs_status request(const fixture *f, zs_ring *ring, int write, int64_t z, int64_t z1, int64_t y0, int64_t y1,
                         const unsigned char **got)
{
    zs_io_request r = {0, z, z1, y0, y1};
    if (!ring || !zs__ring_submit(ring, 0, r, f->abuf))
        return write ? zs__dio_write(f->d, 0, z, z1, y0, y1, f->abuf)
                     : zs__dio_read(f->d, 0, z, z1, y0, y1, f->abuf, got);
    zs_status st = ZS_OK;
    const unsigned char *data = NULL;
    assert_int_equal(zs__ring_reap(ring, 1, &st, &data), 0);
    assert_int_equal(zs__ring_reap(ring, 1, &st, &data), -1); /* nothing more under way */
    if (!write) *got = data;
    return st;
}

/* Every request written and read back, with the blocking calls or through rings. */
static void any_range(const char *path, int ring)
{
    fixture f;
    if (!setup_direct(path, 1, &f)) return;
    zs_ring *wr = ring ? ring_or_skip(&f, 1) : NULL, *rd = ring && wr ? ring_or_skip(&f, 0) : NULL;
    if (ring && !rd) {
        zs__ring_free(wr);
        teardown_direct(&f);
        return;
    }
    zs_dio *d = f.d;
    unsigned char *abuf = f.abuf;
    const size_t A = zs__dio_align(d);
    assert_true(A >= 512 && (A & (A - 1)) == 0);
    unsigned seed = 1;
    int n = 0;
    /* every row range of every plane, and runs of whole planes */
    for (int64_t z = 0; z < NZ; z++)
        for (int64_t y0 = 0; y0 < NY; y0++)
            for (int64_t y1 = y0 + 1; y1 <= NY; y1++)
                for (int64_t z1 = z + 1; z1 <= NZ; z1++) {
                    if (z1 > z + 1 && (y0 != 0 || y1 != NY)) continue; /* several planes: whole ones */
                    const size_t off = OFFSET + (size_t)z * NX * NY + (size_t)y0 * NX;
                    const size_t len = (size_t)(z1 - z) * (size_t)(y1 - y0) * NX;
                    unsigned char *dst = abuf + zs__dio_place(d, 0, z, y0);
                    assert_int_equal((uintptr_t)(dst - abuf), off % A);
                    for (size_t i = 0; i < len; i++) dst[i] = (unsigned char)(rand_r(&seed) >> 8);
                    memcpy(shadow + off, dst, len);
                    assert_int_equal(request(&f, wr, 1, z, z1, y0, y1, NULL), ZS_OK);
                    file_equals_shadow(path);
                    memset(abuf, 0xEE, zs__dio_buffer_bytes(d, DATA_BYTES) - A);
                    const unsigned char *got = NULL;
                    assert_int_equal(request(&f, rd, 0, z, z1, y0, y1, &got), ZS_OK);
                    assert_memory_equal(got, shadow + off, len);
                    n++;
                }
    assert_true(n > 60);
    /* a request that is not one byte range is refused, naming the file */
    assert_int_equal(request(&f, wr, 1, 0, 2, 1, 3, NULL), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), path));
    zs__ring_free(wr);
    zs__ring_free(rd);
    teardown_direct(&f);
}

static void test_any_range(void **state)
{
    (void)state;
    any_range("direct.raw", 0);
}

static void test_any_range_ring(void **state)
{
    (void)state;
    any_range("ring.raw", 1);
}

/* A read past the end of a file that shrank is an error naming it, through a ring or not. */
static void shrunk_file(const char *path, int ring)
{
    fixture f;
    if (!setup_direct(path, 0, &f)) return;
    zs_ring *rd = ring ? ring_or_skip(&f, 0) : NULL;
    if (ring && !rd) {
        teardown_direct(&f);
        return;
    }
    assert_int_equal(truncate(path, OFFSET + (off_t)NX * NY * 2), 0); /* two planes left */
    const unsigned char *got = NULL;
    assert_int_equal(request(&f, rd, 0, 1, 2, 0, NY, &got), ZS_OK); /* still there */
    assert_true(request(&f, rd, 0, 3, 4, 0, NY, &got) < 0);
    assert_non_null(strstr(zs_last_error(), path));
    assert_non_null(strstr(zs_last_error(), "changed size"));
    zs__ring_free(rd);
    teardown_direct(&f);
}

static void test_shrunk_file(void **state)
{
    (void)state;
    shrunk_file("shrunk.raw", 0);
}

static void test_shrunk_file_ring(void **state)
{
    (void)state;
    shrunk_file("shrunk_ring.raw", 1);
}

/* A write past the file size limit (ulimit -f, SIGXFSZ ignored as the tool does) is an error
 * naming the file and why, through a ring or not. */
static void size_limit(const char *path, int ring)
{
    fixture f;
    if (!setup_direct(path, 1, &f)) return;
    zs_ring *wr = ring ? ring_or_skip(&f, 1) : NULL;
    if (ring && !wr) {
        teardown_direct(&f);
        return;
    }
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = OFFSET + (rlim_t)NX * NY; /* the first plane's end */
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    const zs_status st = request(&f, wr, 1, NZ - 1, NZ, 0, NY, NULL);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, was);
    assert_true(st < 0);
    assert_non_null(strstr(zs_last_error(), path));
    assert_non_null(strstr(zs_last_error(), strerror(EFBIG)));
    zs__ring_free(wr);
    teardown_direct(&f);
}

static void test_size_limit(void **state)
{
    (void)state;
    size_limit("limit.raw", 0);
}

static void test_size_limit_ring(void **state)
{
    (void)state;
    size_limit("limit_ring.raw", 1);
}

static void test_refused(void **state)
{
    (void)state;
    make_file("refused.raw");
    zs_volume *v = open_raw("refused.raw");
    zs_dio *d = NULL;
    setenv("ZS_TEST_NO_DIRECT", "1", 1);
    assert_int_equal(zs__dio_open(v, 1, &d), ZS_EUNSUPPORTED);
    unsetenv("ZS_TEST_NO_DIRECT");
    assert_null(d);
    assert_non_null(strstr(zs_last_error(), "refused.raw"));
    assert_non_null(strstr(zs_last_error(), "O_DIRECT"));
    /* a kernel that refuses io_uring (the hook answers as a seccomp policy does): no ring, saying why */
    if (zs__dio_open(v, 1, &d) == ZS_OK) { /* else this file system refuses O_DIRECT: nothing to ring */
        zs_ring *r = NULL;
        setenv("ZS_TEST_NO_URING", "1", 1);
        assert_int_equal(zs__ring_new(d, 1, 1, &r), ZS_EUNSUPPORTED);
        unsetenv("ZS_TEST_NO_URING");
        assert_null(r);
        assert_non_null(strstr(zs_last_error(), "refused.raw: "));
        assert_non_null(strstr(zs_last_error(), "io_uring"));
        zs__dio_close(d);
    }
    zs_volume_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_range),   cmocka_unit_test(test_any_range_ring),
        cmocka_unit_test(test_shrunk_file), cmocka_unit_test(test_shrunk_file_ring),
        cmocka_unit_test(test_size_limit),  cmocka_unit_test(test_size_limit_ring),
        cmocka_unit_test(test_refused),
    };
    return zs_test_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
