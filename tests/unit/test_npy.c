/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* .npy reader and writer (core/fmt_npy.c): the golden files of tests/data, headers parsed
 * from memory, write → parse round trips, numpy's exact header bytes, open modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "volume_internal.h"
#include "zs_test_util.h"

/* ---- fixture: a fresh temporary directory under the working directory per test ----------- */
static int setup(void **state) { return zs_test_tmpdir_setup(state, "tmp_npy_"); }

/* ---- golden files -------------------------------------------------------------------------- */

typedef struct ok_case {
    const char *name;
    int version, ndim;
    int64_t shape[4];
    zs_type type;
    int big; /* -1: native */
    zs_order order;
    uint64_t offset;
} ok_case;

static const ok_case ok_cases[] = {
    {"npy_1d_i8.npy", 1, 1, {7, 1, 1, 1}, ZS_I8, 0, ZS_ORDER_C, 128},
    {"npy_2d_u32_f.npy", 1, 2, {5, 3, 1, 1}, ZS_U32, 0, ZS_ORDER_F, 128},
    {"npy_4d_u16_c.npy", 1, 4, {3, 4, 2, 3}, ZS_U16, 0, ZS_ORDER_C, 128},
    {"npy_4d_u8_f.npy", 1, 4, {3, 2, 2, 2}, ZS_U8, 0, ZS_ORDER_F, 128},
    {"npy_be_f64_f.npy", 1, 3, {3, 4, 2, 1}, ZS_F64, 1, ZS_ORDER_F, 128},
    {"npy_be_i32_c.npy", 1, 3, {3, 4, 2, 1}, ZS_I32, 1, ZS_ORDER_C, 128},
    {"npy_be_u64_f.npy", 1, 3, {2, 2, 2, 1}, ZS_U64, 1, ZS_ORDER_F, 128},
    {"npy_hand_keys_reordered.npy", 1, 3, {3, 2, 2, 1}, ZS_U16, 0, ZS_ORDER_F, 80},
    {"npy_hand_native_1d.npy", 1, 1, {5, 1, 1, 1}, ZS_U16, -1, ZS_ORDER_C, 128},
    {"npy_hand_py2_long.npy", 1, 2, {3, 2, 1, 1}, ZS_I16, 0, ZS_ORDER_C, 80},
    {"npy_hand_unaligned_f4.npy", 1, 3, {3, 2, 2, 1}, ZS_F32, 0, ZS_ORDER_F, 77},
    {"npy_i64_f.npy", 1, 3, {2, 3, 2, 1}, ZS_I64, 0, ZS_ORDER_F, 128},
    {"npy_bool_f.npy", 1, 3, {4, 3, 2, 1}, ZS_BOOL, 0, ZS_ORDER_F, 128},
    {"npy_v1_f32_c.npy", 1, 3, {5, 4, 3, 1}, ZS_F32, 0, ZS_ORDER_C, 128},
    {"npy_v1_u16_f.npy", 1, 3, {5, 4, 3, 1}, ZS_U16, 0, ZS_ORDER_F, 128},
    {"npy_v2_i16_f.npy", 2, 3, {4, 3, 2, 1}, ZS_I16, 0, ZS_ORDER_F, 128},
    {"npy_v3_u8_f.npy", 3, 3, {4, 3, 2, 1}, ZS_U8, 0, ZS_ORDER_F, 128},
};

typedef struct bad_case {
    const char *name;
    zs_status code;
    int open_only; /* the header parses; zs_volume_open refuses */
} bad_case;

static const bad_case bad_cases[] = {
    {"empty.npy", ZS_EFORMAT, 0},
    {"npy_0d.npy", ZS_EUNSUPPORTED, 0},
    {"npy_bad_magic.npy", ZS_EFORMAT, 0},
    {"npy_dim_beyond_int64.npy", ZS_EOVERFLOW, 0},
    {"npy_dtype_c8.npy", ZS_EUNSUPPORTED, 0},
    {"npy_dtype_f2.npy", ZS_EUNSUPPORTED, 0},
    {"npy_dtype_object.npy", ZS_EUNSUPPORTED, 0},
    {"npy_dtype_structured.npy", ZS_EUNSUPPORTED, 0},
    {"npy_dtype_unicode.npy", ZS_EUNSUPPORTED, 0},
    {"npy_extra_key.npy", ZS_EFORMAT, 0},
    {"npy_fortran_int.npy", ZS_EFORMAT, 0},
    {"npy_garbage_after_dict.npy", ZS_EFORMAT, 0},
    {"npy_hlen_beyond_file.npy", ZS_EFORMAT, 0},
    {"npy_lying_shape.npy", ZS_EFORMAT, 0},
    {"npy_magic_only.npy", ZS_EFORMAT, 0},
    {"npy_missing_key.npy", ZS_EFORMAT, 0},
    {"npy_ndim5.npy", ZS_EUNSUPPORTED, 0},
    {"npy_negative_dim.npy", ZS_EFORMAT, 0},
    {"npy_nul_in_header.npy", ZS_EFORMAT, 0},
    {"npy_overflow_shape.npy", ZS_EOVERFLOW, 0},
    {"npy_shape_not_tuple.npy", ZS_EFORMAT, 0},
    {"npy_truncated_data.npy", ZS_EFORMAT, 0},
    {"npy_truncated_header.npy", ZS_EFORMAT, 0},
    {"npy_unterminated_dict.npy", ZS_EFORMAT, 0},
    {"npy_v2_hlen_beyond_file.npy", ZS_EFORMAT, 0},
    {"npy_version_1_1.npy", ZS_EUNSUPPORTED, 0},
    {"npy_version_4.npy", ZS_EUNSUPPORTED, 0},
};

static int is_npy_name(const char *n)
{
    size_t l = strlen(n);
    return l > 4 && strcmp(n + l - 4, ".npy") == 0;
}

static void test_ok_files(void **state)
{
    (void)state;
    const char *names[COUNT(ok_cases)];
    for (size_t k = 0; k < COUNT(ok_cases); k++) {
        const ok_case *c = &ok_cases[k];
        names[k] = c->name;
        char path[600];
        snprintf(path, sizeof path, "%s/ok/%s", zs_test_data_dir(), c->name);
        zs_volume *v = NULL;
        if (zs_volume_open(path, NULL, &v) != ZS_OK) fail_msg("%s: %s", c->name, zs_last_error());
        const zs_volume_info *i = zs_volume_get_info(v);
        assert_int_equal(i->format, ZS_FMT_NPY);
        assert_int_equal(i->version, c->version);
        assert_int_equal(i->ndim, c->ndim);
        for (int d = 0; d < 4; d++) assert_int_equal(i->shape[d], c->shape[d]);
        assert_int_equal(i->dtype.type, c->type);
        assert_int_equal(i->dtype.big_endian, c->big < 0 ? zs__host_big_endian() * (c->type > ZS_I8) : c->big);
        assert_int_equal(i->order, c->order);
        assert_int_equal(i->offset, c->offset);
        assert_true(i->slope == 1.0 && i->inter == 0.0);
        zs_test_check_pattern97(v);
        zs_volume_free(v);
    }
    zs_test_check_listed("ok", is_npy_name, names, COUNT(ok_cases), "test_npy.c");
}

static void test_bad_files(void **state)
{
    (void)state;
    const char *names[COUNT(bad_cases)];
    for (size_t k = 0; k < COUNT(bad_cases); k++) {
        const bad_case *c = &bad_cases[k];
        names[k] = c->name;
        char path[600];
        snprintf(path, sizeof path, "%s/bad/%s", zs_test_data_dir(), c->name);
        zs_volume *v = NULL;
        zs_clear_error();
        zs_status st = zs_volume_open(path, NULL, &v);
        if (st != c->code)
            fail_msg("%s: expected %s, got %s (%s)", c->name, zs_strerror(c->code), zs_strerror(st), zs_last_error());
        assert_null(v);
        if (!strstr(zs_last_error(), c->name))
            fail_msg("%s: message does not name the file: %s", c->name, zs_last_error());
        /* The parser alone, on the bytes. */
        size_t n = 0;
        unsigned char *b = zs_test_slurp(path, &n);
        assert_non_null(b);
        zs_volume_info info;
        zs_volume_info_init(&info);
        snprintf(info.path, sizeof info.path, "%s", c->name);
        st = zs__fmt_npy.parse(b, n, n, &info);
        if (c->open_only)
            assert_int_equal(st, ZS_OK);
        else
            assert_int_equal(st, c->code);
        free(b);
    }
    zs_test_check_listed("bad", is_npy_name, names, COUNT(bad_cases), "test_npy.c");
}

/* ---- headers in memory ---------------------------------------------------------------------- */

/* A v1 file image: prefix, `dict` padded with spaces + '\n' to 64, then `data` zero bytes. */
static size_t make_npy(unsigned char *buf, size_t cap, const char *dict, size_t data)
{
    size_t len = strlen(dict), body = len + 1, pad = (64 - (10 + body) % 64) % 64, hl = body + pad;
    assert_true(10 + hl + data <= cap);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hl & 0xff);
    buf[9] = (unsigned char)(hl >> 8);
    memcpy(buf + 10, dict, len);
    memset(buf + 10 + len, ' ', pad);
    buf[10 + hl - 1] = '\n';
    memset(buf + 10 + hl, 0, data);
    return 10 + hl + data;
}

typedef struct mem_case {
    const char *dict;
    zs_status code;
    int ndim;
    int64_t shape[4];
    zs_type type;
    int big;
    zs_order order;
} mem_case;

static const mem_case mem_cases[] = {
    {"{'descr': '<u2', 'fortran_order': True, 'shape': (5, 4, 3), }", ZS_OK, 3, {5, 4, 3, 1}, ZS_U16, 0, ZS_ORDER_F},
    {"{'shape': (5, 4, 3), 'descr': '>f4', 'fortran_order': False}", ZS_OK, 3, {5, 4, 3, 1}, ZS_F32, 1, ZS_ORDER_C},
    {"{ 'fortran_order' : True , 'shape' : ( 5 , ) , 'descr' : '|u1' , }",
     ZS_OK,
     1,
     {5, 1, 1, 1},
     ZS_U8,
     0,
     ZS_ORDER_F},
    {"{\"descr\":\"|i1\",\"fortran_order\":True,\"shape\":(2,3)}", ZS_OK, 2, {2, 3, 1, 1}, ZS_I8, 0, ZS_ORDER_F},
    {"{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4, 5,), }",
     ZS_OK,
     4,
     {2, 3, 4, 5},
     ZS_F64,
     0,
     ZS_ORDER_F},
    {"{'descr':'<u8','fortran_order':True,'shape':(1_0,)}", ZS_OK, 1, {10, 1, 1, 1}, ZS_U64, 0, ZS_ORDER_F},
    {"{'descr': '>i8', 'fortran_order': True, 'shape': (3L,), }", ZS_OK, 1, {3, 1, 1, 1}, ZS_I64, 1, ZS_ORDER_F},
    {"{\t'descr':\n'<i4',\r\n'fortran_order': False,\n'shape': (1, 1, 1, 1)\n}",
     ZS_OK,
     4,
     {1, 1, 1, 1},
     ZS_I32,
     0,
     ZS_ORDER_C},
    {"{'descr': '<u4', 'descr': '<i2', 'fortran_order': True, 'shape': (2,), }",
     ZS_OK,
     1,
     {2, 1, 1, 1},
     ZS_I16,
     0,
     ZS_ORDER_F},
    {"{'descr': '<u2', 'fortran_order': True, 'shape': (), }", ZS_EUNSUPPORTED, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2', 'fortran_order': True, 'shape': (2, 0), }", ZS_OK, 2, {2, 0, 1, 1}, ZS_U16, 0, ZS_ORDER_F},
    {"{'descr': '|b1', 'fortran_order': False, 'shape': (0, 3, 4), }", ZS_OK, 3, {0, 3, 4, 1}, ZS_BOOL, 0, ZS_ORDER_C},
    {"{'descr': '<u2', 'fortran_order': True, 'shape': (1,1,1,1,1), }", ZS_EUNSUPPORTED, 0, {0}, 0, 0, 0},
    {"{'descr': '<c16', 'fortran_order': True, 'shape': (2,), }", ZS_EUNSUPPORTED, 0, {0}, 0, 0, 0},
    {"{'descr': '|S4', 'fortran_order': True, 'shape': (2,), }", ZS_EUNSUPPORTED, 0, {0}, 0, 0, 0},
    {"{'descr': '<M8[ns]', 'fortran_order': True, 'shape': (2,), }", ZS_EUNSUPPORTED, 0, {0}, 0, 0, 0},
    {"{'descr': '', 'fortran_order': True, 'shape': (2,), }", ZS_EUNSUPPORTED, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2', 'fortran_order': true, 'shape': (2,), }", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2', 'fortran_order': Truex, 'shape': (2,), }", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2', 'fortran_order': True, 'shape': [2], }", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2', 'fortran_order': True, 'shape': (2,,), }", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2', 'fortran_order': True, 'shape': (2 3), }", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2' 'fortran_order': True, 'shape': (2,), }", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2', 'fortran_order': True, 'shape': (2,), },", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"{'descr': '<u\\x32', 'fortran_order': True, 'shape': (2,), }", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"{'descr: '<u2', 'fortran_order': True, 'shape': (2,), }", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"('descr', '<u2')", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"", ZS_EFORMAT, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2', 'fortran_order': True, 'shape': (9223372036854775808,), }", ZS_EOVERFLOW, 0, {0}, 0, 0, 0},
    {"{'descr': '<u2', 'fortran_order': True, 'shape': (4611686018427387904,), }", ZS_EOVERFLOW, 0, {0}, 0, 0, 0},
};

static void test_parse_memory(void **state)
{
    (void)state;
    static unsigned char buf[4096];
    for (size_t k = 0; k < COUNT(mem_cases); k++) {
        const mem_case *c = &mem_cases[k];
        zs_volume_info info;
        zs_volume_info_init(&info);
        snprintf(info.path, sizeof info.path, "case%zu.npy", k);
        size_t n = make_npy(buf, sizeof buf, c->dict, 1024);
        zs_status st = zs__fmt_npy.parse(buf, n, n, &info);
        if (st != c->code)
            fail_msg("case %zu %s: expected %s, got %s (%s)", k, c->dict, zs_strerror(c->code), zs_strerror(st),
                     zs_last_error());
        if (st != ZS_OK) {
            if (!strstr(zs_last_error(), info.path))
                fail_msg("case %zu: message without the path: %s", k, zs_last_error());
            continue;
        }
        assert_int_equal(info.ndim, c->ndim);
        for (int d = 0; d < 4; d++) assert_int_equal(info.shape[d], c->shape[d]);
        assert_int_equal(info.dtype.type, c->type);
        assert_int_equal(info.dtype.big_endian, c->big);
        assert_int_equal(info.order, c->order);
        assert_int_equal(info.offset % 64, 0);
    }
}

/* Every prefix of a valid file fails cleanly, naming the file; so does a buffer shorter than
 * the header when the file is long (the reader's 1 MiB limit). */
static void test_truncations(void **state)
{
    (void)state;
    static unsigned char buf[512];
    size_t n = make_npy(buf, sizeof buf, "{'descr': '<u2', 'fortran_order': True, 'shape': (4, 3, 2), }", 48);
    for (size_t cut = 0; cut < n; cut++) {
        zs_volume_info info;
        zs_volume_info_init(&info);
        snprintf(info.path, sizeof info.path, "cut%zu.npy", cut);
        unsigned char *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        zs_status st = zs__fmt_npy.parse(copy, cut, cut, &info);
        free(copy);
        if (st != ZS_EFORMAT) fail_msg("prefix of %zu bytes: %s (%s)", cut, zs_strerror(st), zs_last_error());
        assert_non_null(strstr(zs_last_error(), info.path));
    }
    zs_volume_info info;
    zs_volume_info_init(&info);
    snprintf(info.path, sizeof info.path, "long.npy");
    assert_int_equal(zs__fmt_npy.parse(buf, 40, n, &info), ZS_EUNSUPPORTED);
    assert_int_equal(zs__fmt_npy.parse(buf, n, n, &info), ZS_OK);
    assert_int_equal(info.nbytes, 48);
}

/* ---- writing ------------------------------------------------------------------------------- */

static void test_header_bytes(void **state)
{
    (void)state;
    /* What np.lib.format.write_array_header_1_0 writes for these (checked against numpy by
     * tests/python/test_npy_numpy.py for many more shapes). */
    static const struct {
        int ndim;
        int64_t shape[4];
        zs_dtype dt;
        const char *dict;
    } cases[] = {
        {3, {9, 7, 5, 1}, {ZS_U16, 0}, "{'descr': '<u2', 'fortran_order': True, 'shape': (9, 7, 5), }"},
        {1, {7, 1, 1, 1}, {ZS_U8, 0}, "{'descr': '|u1', 'fortran_order': True, 'shape': (7,), }"},
        {4, {3, 4, 5, 6}, {ZS_F64, 1}, "{'descr': '>f8', 'fortran_order': True, 'shape': (3, 4, 5, 6), }"},
    };
    for (size_t k = 0; k < COUNT(cases); k++) {
        unsigned char buf[256], want[128];
        zs_volume_info spec;
        zs_volume_info_init(&spec);
        spec.ndim = cases[k].ndim;
        memcpy(spec.shape, cases[k].shape, sizeof spec.shape);
        spec.dtype = cases[k].dt;
        memset(want, ' ', sizeof want);
        memcpy(want, "\x93NUMPY\x01\x00\x76\x00", 10);
        memcpy(want + 10, cases[k].dict, strlen(cases[k].dict));
        want[127] = '\n';
        assert_int_equal(zs__fmt_npy.write_header(&spec, buf, sizeof buf), 128);
        assert_memory_equal(buf, want, 128);
        assert_int_equal(spec.offset, 128);
        assert_int_equal(spec.version, 1);
        assert_int_equal(spec.order, ZS_ORDER_F);
    }
}

/* write_header → parse for every dtype, both byte orders and 1 to 4 dimensions. */
static void test_roundtrip(void **state)
{
    (void)state;
    static const int64_t dims[][4] = {
        {7, 1, 1, 1}, {5, 3, 1, 1},         {9, 7, 5, 1},     {3, 4, 5, 2},
        {1, 1, 1, 1}, {123456789, 1, 1, 1}, {1, 1, 40000, 1}, {65536, 65536, 3, 1},
    };
    static const int ndims[] = {1, 2, 3, 4, 3, 1, 3, 3};
    unsigned char buf[1024];
    for (int t = 0; t < ZS_TYPE_COUNT; t++)
        for (int big = 0; big < 2; big++)
            for (size_t k = 0; k < COUNT(dims); k++) {
                zs_volume_info spec, back;
                zs_volume_info_init(&spec);
                snprintf(spec.path, sizeof spec.path, "rt.npy");
                spec.ndim = ndims[k];
                memcpy(spec.shape, dims[k], sizeof spec.shape);
                spec.dtype.type = (zs_type)t;
                spec.dtype.big_endian = zs_dtype_size(spec.dtype) > 1 ? big : 0;
                int64_t hn = zs__fmt_npy.write_header(&spec, buf, sizeof buf);
                assert_true(hn > 0);
                assert_int_equal(hn % 64, 0);
                assert_int_equal(buf[hn - 1], '\n');
                uint64_t total;
                assert_int_equal(zs_volume_info_sizes(&spec, NULL, NULL, &total), ZS_OK);
                zs_volume_info_init(&back);
                snprintf(back.path, sizeof back.path, "rt.npy");
                if (zs__fmt_npy.parse(buf, (size_t)hn, (uint64_t)hn + total, &back) != ZS_OK)
                    fail_msg("type %d big %d case %zu: %s", t, big, k, zs_last_error());
                assert_int_equal(back.ndim, ndims[k]);
                assert_memory_equal(back.shape, dims[k], sizeof back.shape);
                assert_int_equal(back.dtype.type, t);
                assert_int_equal(back.dtype.big_endian, spec.dtype.big_endian);
                assert_int_equal(back.order, ZS_ORDER_F);
                assert_int_equal(back.offset, (uint64_t)hn);
                assert_int_equal(back.version, 1);
                /* one byte short of the data: refused */
                assert_int_equal(zs__fmt_npy.parse(buf, (size_t)hn, (uint64_t)hn + total - 1, &back), ZS_EFORMAT);
            }
}

static void test_write_errors(void **state)
{
    (void)state;
    unsigned char buf[256];
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    snprintf(spec.path, sizeof spec.path, "w.npy");
    spec.shape[0] = 10;
    assert_true(zs__fmt_npy.write_header(&spec, buf, 64) < 0);
    spec.shape[1] = -1;
    assert_int_equal(zs__fmt_npy.write_header(&spec, buf, sizeof buf), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "w.npy"));
    spec.shape[1] = 0; /* an empty axis is a valid .npy */
    assert_int_equal(zs__fmt_npy.write_header(&spec, buf, sizeof buf), 128);
    spec.shape[1] = 1;
    spec.dtype.type = ZS_TYPE_COUNT;
    assert_int_equal(zs__fmt_npy.write_header(&spec, buf, sizeof buf), ZS_EINVAL);
    /* ndim widened to cover a dimension > 1 */
    spec.dtype.type = ZS_U8;
    spec.ndim = 1;
    spec.shape[2] = 3;
    assert_int_equal(zs__fmt_npy.write_header(&spec, buf, sizeof buf), 128);
    assert_int_equal(spec.ndim, 3);
}

/* ---- volumes on disk --------------------------------------------------------------------------- */

static void create_ramp(const char *path, zs_dtype dt)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = 9;
    spec.shape[1] = 7;
    spec.shape[2] = 5;
    spec.dtype = dt;
    zs_volume *v = NULL;
    if (zs_volume_create(path, &spec, NULL, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    const zs_volume_info *i = zs_volume_get_info(v);
    assert_int_equal(i->offset % 64, 0);
    zs_slab s;
    zs_mapping m;
    assert_int_equal(zs_slab_make(i, 0, 0, 5, 0, &s), ZS_OK);
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    float f[9 * 7 * 5];
    for (int k = 0; k < 9 * 7 * 5; k++) f[k] = (float)k;
    zs__from_f32(f, 9 * 7 * 5, i->dtype, m.data);
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
}

static float voxel0(const char *path, const char *mode, float set)
{
    zs_open_opts o;
    zs_open_opts_default(&o);
    o.mode = mode;
    zs_volume *v = NULL;
    if (zs_volume_open(path, &o, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    const zs_volume_info *i = zs_volume_get_info(v);
    zs_slab s;
    zs_mapping m;
    assert_int_equal(zs_slab_make(i, 0, 2, 3, 1, &s), ZS_OK);
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    float got;
    const size_t at = (size_t)(9 * 7) * zs_dtype_size(i->dtype); /* voxel (0,0,2) */
    zs__to_f32((unsigned char *)m.data + at, i->dtype, 1, 1.0, 0.0, &got);
    if (set >= 0) zs__from_f32(&set, 1, i->dtype, (unsigned char *)m.data + at);
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    zs_volume_free(v);
    return got;
}

static void test_open_modes(void **state)
{
    const zs_test_tmpdir *f = *state;
    static const zs_dtype dts[] = {{ZS_U16, 0}, {ZS_F32, 1}, {ZS_I8, 0}, {ZS_F64, 0}};
    for (size_t k = 0; k < COUNT(dts); k++) {
        char path[600];
        snprintf(path, sizeof path, "%s/m%zu.npy", f->dir, k);
        create_ramp(path, dts[k]);
        assert_true(voxel0(path, "r", -1) == 126.0f);
        assert_true(voxel0(path, "c", 50) == 126.0f); /* private: not written back */
        assert_true(voxel0(path, "r", -1) == 126.0f);
        assert_true(voxel0(path, "r+", 60) == 126.0f); /* shared: written back */
        assert_true(voxel0(path, "r", -1) == 60.0f);
        zs_volume_info spec;
        zs_volume_info_init(&spec);
        zs_volume *v = NULL;
        assert_int_equal(zs_volume_create(path, &spec, NULL, &v), ZS_EEXIST);
        assert_non_null(strstr(zs_last_error(), path));
        zs_open_opts o;
        zs_open_opts_default(&o);
        o.mode = "w";
        assert_int_equal(zs_volume_open(path, &o, &v), ZS_EINVAL);
    }
}

/* A 4-D C-order array (numpy's default layout) opened r+: the slab of one volume, written
 * through its F-order mapping, lands at the elements numpy's C order puts it at, and the
 * other volumes keep their bytes. */
static void test_c_order_4d_write_back(void **state)
{
    const zs_test_tmpdir *f = *state;
    char src[600], path[600];
    snprintf(src, sizeof src, "%s/ok/npy_4d_u16_c.npy", zs_test_data_dir());
    snprintf(path, sizeof path, "%s/c4.npy", f->dir);
    size_t n = 0;
    unsigned char *bytes = zs_test_slurp(src, &n);
    assert_non_null(bytes);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(bytes, 1, n, out), n);
    fclose(out);
    free(bytes);

    zs_open_opts o;
    zs_open_opts_default(&o);
    o.mode = "r+";
    zs_volume *v = NULL;
    if (zs_volume_open(path, &o, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    const zs_volume_info *i = zs_volume_get_info(v);
    const int64_t nx = 3, ny = 4, nz = 2, nt = 3, t1 = 1;
    assert_int_equal(i->order, ZS_ORDER_C);
    assert_true(i->shape[0] == nx && i->shape[1] == ny && i->shape[2] == nz && i->shape[3] == nt);
    const uint64_t offset = i->offset;
    zs_slab s;
    zs_mapping m;
    assert_int_equal(zs_slab_make(i, t1, 1, 2, 1, &s), ZS_OK); /* planes [0,2) with the halo */
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    assert_true(m.lo == 0 && m.hi == 2);
    uint16_t *d = m.data;
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) d[(z * ny + y) * nx + x] = (uint16_t)(500 + x + 10 * y + 100 * z);
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    zs_volume_free(v);

    bytes = zs_test_slurp(path, &n);
    assert_non_null(bytes);
    for (int64_t t = 0; t < nt; t++)
        for (int64_t z = 0; z < nz; z++)
            for (int64_t y = 0; y < ny; y++)
                for (int64_t x = 0; x < nx; x++) {
                    const size_t at = (size_t)offset + (size_t)(((x * ny + y) * nz + z) * nt + t) * 2;
                    const unsigned got = bytes[at] | (unsigned)bytes[at + 1] << 8;
                    const unsigned want = t == t1 ? (unsigned)(500 + x + 10 * y + 100 * z)
                                                  : (unsigned)((((t * nz + z) * ny + y) * nx + x) % 97);
                    if (got != want)
                        fail_msg("voxel (%lld,%lld,%lld,%lld): %u, expected %u", (long long)x, (long long)y,
                                 (long long)z, (long long)t, got, want);
                }
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ok_files, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_parse_memory, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_truncations, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_header_bytes, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_write_errors, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_open_modes, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_c_order_4d_write_back, setup, zs_test_tmpdir_teardown),
    };
    return zs_test_exit(cmocka_run_group_tests_name("npy", tests, NULL, NULL));
}
