/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The engine table (scheduler/engine.c): every engine has the operations the executor calls and
 * a name that parses back to it; a side opened on a volume takes the engine asked for, except
 * where the volume has its own path: a caller's buffer is viewed in place (mmap's operations, the
 * stats still naming the engine asked for), a volume that does not map goes through its format
 * (pread's), and an engine that cannot open it falls back to pread with a note unless the planner
 * guessed it; uring falls back to direct where the kernel refuses io_uring, and to pread alone (one
 * note) where the file system refuses O_DIRECT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "zs_test_util.h"

static const zs_engine all[] = {ZS_ENGINE_MMAP, ZS_ENGINE_PREAD, ZS_ENGINE_DIRECT, ZS_ENGINE_URING};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const zs_engine_ops *o = zs__engine_get(all[i]);
        assert_non_null(o);
        assert_int_equal(o->id, all[i]);
        assert_true(o->start && o->stop && o->read && o->write);
        assert_true(o->depth >= 1);
        zs_engine e = ZS_ENGINE_AUTO;
        assert_int_equal(zs_engine_parse(zs_engine_name(all[i]), &e), ZS_OK);
        assert_int_equal(e, all[i]);
    }
    assert_null(zs__engine_get(ZS_ENGINE_AUTO));
    zs_engine e;
    assert_int_equal(zs_engine_parse("pwrite", &e), ZS_OK);
    assert_int_equal(e, ZS_ENGINE_PREAD);
    assert_int_equal(zs_engine_parse("io_uring", &e), ZS_OK);
    assert_int_equal(e, ZS_ENGINE_URING);
    assert_int_equal(zs_engine_parse("fast", &e), ZS_EINVAL);
    assert_string_equal(zs_last_error(), "unknown engine 'fast' (use auto, mmap, pread, direct or uring)");
}

static zs_volume *wrap(unsigned char *buf, size_t n, zs_order order)
{
    zs_memory_desc d;
    zs_memory_desc_init(&d);
    d.data = buf;
    d.nbytes = n;
    d.ndim = 3;
    d.shape[0] = 4, d.shape[1] = 3, d.shape[2] = 2;
    d.order = order;
    d.dtype.type = ZS_U8;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_wrap(&d, &v), ZS_OK);
    return v;
}

static void test_sides(void **state)
{
    (void)state;
    static unsigned char buf[24];
    zs_volume *f = wrap(buf, sizeof buf, ZS_ORDER_F), *c = wrap(buf, sizeof buf, ZS_ORDER_C);
    char note[512] = "";
    zs_engine_side s;
    /* a caller's F-order buffer: viewed in place, whatever the engine */
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        note[0] = '\0';
        assert_int_equal(zs__engine_open(all[i], f, NULL, 1, &s, note, sizeof note), ZS_OK);
        assert_ptr_equal(s.ops, &zs__engine_mmap);
        assert_string_equal(note, ""); /* direct guessed by the planner: no note */
        zs__engine_close(&s);
    }
    assert_int_equal(zs__engine_open(ZS_ENGINE_PREAD, f, NULL, 0, &s, note, sizeof note), ZS_OK);
    assert_int_equal(s.reported, ZS_ENGINE_PREAD);
    zs__engine_close(&s);
    /* direct asked for on a buffer: the fallback says so */
    assert_int_equal(zs__engine_open(ZS_ENGINE_DIRECT, f, NULL, 0, &s, note, sizeof note), ZS_OK);
    assert_int_equal(s.reported, ZS_ENGINE_PREAD);
    assert_non_null(strstr(note, "reading with pread/pwrite instead"));
    zs__engine_close(&s);
    /* a C-order buffer does not map: its format's path, pread's */
    note[0] = '\0';
    assert_int_equal(zs__engine_open(ZS_ENGINE_MMAP, c, NULL, 0, &s, note, sizeof note), ZS_OK);
    assert_ptr_equal(s.ops, &zs__engine_pread);
    assert_int_equal(s.reported, ZS_ENGINE_MMAP);
    assert_string_equal(note, "");
    zs__engine_close(&s);
    zs_volume_free(f);
    zs_volume_free(c);
}

/* Opens a side of `path` for reading with uring under the test hook `hook` (NULL: none): the
 * engine that serves it, the note in `note`. */
static const zs_engine_ops *open_uring(const zs_volume *v, const char *hook, zs_engine *reported, char *note,
                                       size_t note_size)
{
    zs_engine_side s;
    note[0] = '\0';
    if (hook) setenv(hook, "1", 1);
    const zs_status st = zs__engine_open(ZS_ENGINE_URING, v, NULL, 0, &s, note, note_size);
    if (hook) unsetenv(hook);
    assert_int_equal(st, ZS_OK);
    *reported = s.reported;
    const zs_engine_ops *o = s.ops;
    zs__engine_close(&s);
    return o;
}

static void test_uring_falls_back(void **state)
{
    (void)state;
    zs_volume *v = zs_test_volume_new("uring.raw", 8, 4, 3, 1, ZS_U16, 1);
    char note[512];
    zs_engine r;
    zs_dio *d = NULL;
    if (zs__dio_open(v, 0, &d) == ZS_EUNSUPPORTED) {
        zs_volume_free(v);
        zs_test_skip("this file system refuses O_DIRECT");
        return;
    }
    zs__dio_close(d);
    /* the kernel refuses io_uring (a seccomp policy): direct, saying why */
    assert_ptr_equal(open_uring(v, "ZS_TEST_NO_URING", &r, note, sizeof note), &zs__engine_direct);
    assert_int_equal(r, ZS_ENGINE_DIRECT);
    assert_non_null(strstr(note, "uring.raw: io_uring is not permitted"));
    assert_non_null(strstr(note, "reading with direct instead"));
    /* the file system refuses O_DIRECT: pread, in one note that does not send it through direct */
    assert_ptr_equal(open_uring(v, "ZS_TEST_NO_DIRECT", &r, note, sizeof note), &zs__engine_pread);
    assert_int_equal(r, ZS_ENGINE_PREAD);
    assert_non_null(strstr(note, "refuses direct I/O (O_DIRECT): reading with pread/pwrite instead"));
    assert_null(strchr(note, ';'));
    /* neither refused: uring (or direct, saying why, where this kernel or build has no io_uring) */
    const zs_engine_ops *o = open_uring(v, NULL, &r, note, sizeof note);
    if (o == &zs__engine_uring) {
        assert_int_equal(r, ZS_ENGINE_URING);
        assert_string_equal(note, "");
    } else {
        assert_ptr_equal(o, &zs__engine_direct);
        assert_non_null(strstr(note, "reading with direct instead"));
    }
    zs_volume_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_sides),
        cmocka_unit_test(test_uring_falls_back),
    };
    return zs_test_exit(cmocka_run_group_tests_name("engine", tests, NULL, NULL));
}
