/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* MetaImage and NRRD (core/fmt_mhd.c, core/fmt_nrrd.c): the golden files of tests/data (each
 * one listed here), headers parsed from memory, write → parse round trips, detached data
 * files, and volumes created in both kinds with their voxel size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "volume_internal.h"
#include "zs_test_util.h"

static int is_text_format(const char *n)
{
    const char *dot = strrchr(n, '.');
    return dot && (!strcmp(dot, ".mhd") || !strcmp(dot, ".mha") || !strcmp(dot, ".nrrd") || !strcmp(dot, ".nhdr"));
}

/* ---- golden files -------------------------------------------------------------------------- */

typedef struct ok_case {
    const char *name;
    zs_format format;
    int ndim;
    int64_t shape[4];
    zs_type type;
    int big_endian;
    double voxel[3];
    const char *unit;
    const char *data_file; /* NULL: attached */
} ok_case;

static const ok_case ok_cases[] = {
    {"mhd_u16.mha", ZS_FMT_MHD, 3, {6, 5, 4, 1}, ZS_U16, 0, {0.5, 0.5, 2}, "um", NULL},
    {"mhd_f32_4d.mha", ZS_FMT_MHD, 4, {3, 4, 2, 2}, ZS_F32, 0, {1, 1, 3}, "", NULL},
    {"mhd_detached_i8.mhd", ZS_FMT_MHD, 3, {7, 3, 2, 1}, ZS_I8, 0, {0.5, 0.5, 2}, "", "mhd_detached_i8.raw"},
    {"mhd_headersize_end.mha", ZS_FMT_MHD, 3, {4, 4, 3, 1}, ZS_U8, 0, {0.5, 0.5, 2}, "", NULL},
    {"nrrd_u16.nrrd", ZS_FMT_NRRD, 3, {6, 5, 4, 1}, ZS_U16, 0, {0.5, 0.5, 2}, "um", NULL},
    {"nrrd_be_i32_dirs.nrrd", ZS_FMT_NRRD, 3, {3, 3, 2, 1}, ZS_I32, 1, {0.25, 0.25, 1.5}, "mm", NULL},
    {"nrrd_detached_f64.nhdr", ZS_FMT_NRRD, 3, {2, 3, 4, 1}, ZS_F64, 0, {1, 1, 4}, "", "nrrd_detached_f64.raw"},
};

typedef struct bad_case {
    const char *name;
    zs_status code;
    const char *words; /* expected in the message */
} bad_case;

static const bad_case bad_cases[] = {
    {"mhd_ndims5.mha", ZS_EUNSUPPORTED, "NDims = 5"},
    {"mhd_compressed.mha", ZS_EUNSUPPORTED, "compressed"},
    {"mhd_no_datafile.mhd", ZS_EFORMAT, "ElementDataFile"},
    {"mhd_truncated.mha", ZS_EFORMAT, "truncated"},
    {"mhd_type.mha", ZS_EUNSUPPORTED, "MET_STRING"},
    {"mhd_dimsize_count.mha", ZS_EFORMAT, "DimSize"},
    {"mhd_slice_files.mhd", ZS_EUNSUPPORTED, "one file per slice"},
    {"nrrd_gzip.nrrd", ZS_EUNSUPPORTED, "gzip"},
    {"nrrd_no_endian.nrrd", ZS_EFORMAT, "endian"},
    {"nrrd_magic.nrrd", ZS_EFORMAT, "not a NRRD file"},
    {"nrrd_rgb.nrrd", ZS_EUNSUPPORTED, "RGB-color"},
    {"nrrd_truncated.nrrd", ZS_EFORMAT, "truncated"},
    {"nrrd_no_blank_line.nrrd", ZS_EFORMAT, "empty line"},
};

/* Every voxel of an ok/ file holds its F-order linear index % 97. */
static void check_voxels(const zs_volume *v)
{
    const zs_volume_info *i = zs_volume_get_info(v);
    zs_slab s = {0, 0, i->shape[2], 0, i->shape[2]};
    for (int64_t t = 0; t < i->shape[3]; t++) {
        s.t = t;
        zs_mapping m;
        assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
        const size_t n = (size_t)(i->shape[0] * i->shape[1] * i->shape[2]), es = zs_dtype_size(i->dtype);
        for (size_t k = 0; k < n; k++) {
            unsigned char b[8];
            memcpy(b, (unsigned char *)m.data + k * es, es);
            if (es > 1 && i->dtype.big_endian != zs__host_big_endian()) zs__bswap(b, es, 1);
            double d = -1.0;
            switch (i->dtype.type) {
            case ZS_U8:
                d = b[0];
                break;
            case ZS_I8:
                d = (int8_t)b[0];
                break;
            case ZS_U16: {
                uint16_t x;
                memcpy(&x, b, 2);
                d = x;
                break;
            }
            case ZS_I32: {
                int32_t x;
                memcpy(&x, b, 4);
                d = x;
                break;
            }
            case ZS_F32: {
                float x;
                memcpy(&x, b, 4);
                d = x;
                break;
            }
            case ZS_F64: {
                double x;
                memcpy(&x, b, 8);
                d = x;
                break;
            }
            default:
                fail_msg("unexpected dtype");
            }
            const uint64_t lin = (uint64_t)t * n + k;
            if (d != (double)(lin % 97))
                fail_msg("%s: voxel %zu of volume %lld is %g, expected %llu", i->path, k, (long long)t, d,
                         (unsigned long long)(lin % 97));
        }
        assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    }
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
        assert_int_equal(i->format, c->format);
        assert_int_equal(i->ndim, c->ndim);
        for (int d = 0; d < 4; d++) assert_int_equal(i->shape[d], c->shape[d]);
        assert_int_equal(i->dtype.type, c->type);
        assert_int_equal(i->dtype.big_endian, c->big_endian);
        for (int d = 0; d < 3; d++) assert_true(i->voxel[d] == c->voxel[d]);
        assert_string_equal(i->unit, c->unit);
        if (c->data_file)
            assert_non_null(strstr(i->data_path, c->data_file));
        else
            assert_string_equal(i->data_path, path);
        check_voxels(v);
        zs_volume_free(v);
    }
    zs_test_check_listed("ok", is_text_format, names, COUNT(ok_cases), "test_text_formats.c");
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
        const zs_status st = zs_volume_open(path, NULL, &v);
        if (st != c->code) fail_msg("%s: status %d (%s), expected %d", c->name, st, zs_last_error(), c->code);
        assert_null(v);
        assert_non_null(strstr(zs_last_error(), c->name));
        if (!strstr(zs_last_error(), c->words))
            fail_msg("%s: message '%s' lacks '%s'", c->name, zs_last_error(), c->words);
    }
    zs_test_check_listed("bad", is_text_format, names, COUNT(bad_cases), "test_text_formats.c");
}

/* ---- round trips -------------------------------------------------------------------------- */

static void roundtrip(const zs_format_ops *ops, int detached)
{
    zs_volume_info spec, back;
    zs_volume_info_init(&spec);
    snprintf(spec.path, sizeof spec.path, "dir/out.x");
    if (detached) snprintf(spec.data_path, sizeof spec.data_path, "dir/out.raw");
    const int64_t shape[4] = {300, 7, 1, 5};
    memcpy(spec.shape, shape, sizeof shape);
    spec.ndim = 4;
    spec.dtype = (zs_dtype){ZS_I16, 1};
    spec.voxel[0] = 0.1;
    spec.voxel[1] = 0.2;
    spec.voxel[2] = 1e-3;
    snprintf(spec.unit, sizeof spec.unit, "mm");
    unsigned char hdr[4096];
    const int64_t hn = ops->write_header(&spec, hdr, sizeof hdr);
    assert_true(hn > 0);
    zs_volume_info_init(&back);
    snprintf(back.path, sizeof back.path, "dir/out.x");
    const uint64_t size = (uint64_t)hn + 300 * 7 * 5 * 2;
    if (ops->parse(hdr, (size_t)hn, size, &back) != ZS_OK) fail_msg("%s", zs_last_error());
    assert_int_equal(back.ndim, 4);
    assert_memory_equal(back.shape, shape, sizeof shape);
    assert_int_equal(back.dtype.type, ZS_I16);
    assert_int_equal(back.dtype.big_endian, 1);
    for (int d = 0; d < 3; d++) assert_true(back.voxel[d] == spec.voxel[d]);
    assert_string_equal(back.unit, "mm");
    assert_int_equal(back.offset, detached ? 0 : (uint64_t)hn);
    if (detached) assert_string_equal(back.data_path, "dir/out.raw");
}

static void test_roundtrips(void **state)
{
    (void)state;
    roundtrip(&zs__fmt_mhd, 0);
    roundtrip(&zs__fmt_mhd, 1);
    roundtrip(&zs__fmt_nrrd, 0);
    roundtrip(&zs__fmt_nrrd, 1);
}

/* Headers in memory: what the descriptions allow. */
static void test_parse_memory(void **state)
{
    (void)state;
    static const char mhd[] = "ObjectType = Image\r\nNDims = 3\r\nDimSize = 2 2 2\r\nElementType = MET_LONG\r\n"
                              "ElementSize = 3 3 3\r\nElementSpacing = 1 2 4\r\nElementDataFile = /abs/v.raw\r\n";
    zs_volume_info i;
    zs_volume_info_init(&i);
    snprintf(i.path, sizeof i.path, "h/x.mhd");
    assert_int_equal(zs__fmt_mhd.parse((const unsigned char *)mhd, sizeof mhd - 1, sizeof mhd - 1, &i), ZS_OK);
    assert_int_equal(i.dtype.type, ZS_I32); /* MET_LONG is 4 bytes in MetaIO */
    assert_true(i.voxel[1] == 2 && i.voxel[2] == 4);
    assert_string_equal(i.data_path, "/abs/v.raw");
    static const char nrrd[] = "NRRD0001\n#c\ntype: unsigned char\ndimension: 3\nsizes: 2 2 2\nspacings: nan 2 3\n"
                               "line skip: 1\nencoding: raw\n\nskip me\n01234567";
    zs_volume_info_init(&i);
    snprintf(i.path, sizeof i.path, "x.nrrd");
    assert_int_equal(zs__fmt_nrrd.parse((const unsigned char *)nrrd, sizeof nrrd - 1, sizeof nrrd - 1, &i), ZS_OK);
    assert_int_equal(i.offset, sizeof nrrd - 1 - 8);
    assert_true(i.voxel[0] == 1 && i.voxel[1] == 2 && i.voxel[2] == 3);
    assert_int_equal(i.version, 1);
}

/* ---- created volumes ----------------------------------------------------------------------- */

static void test_create_detached(void **state)
{
    (void)state;
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = 5, spec.shape[1] = 4, spec.shape[2] = 3;
    spec.dtype.type = ZS_U16;
    spec.voxel[2] = 2.5;
    snprintf(spec.unit, sizeof spec.unit, "um");
    unlink("tf_out.raw");
    unlink("tf_out.mhd");
    zs_volume *v = NULL;
    if (zs_volume_create("tf_out.mhd", &spec, NULL, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    assert_string_equal(zs_volume_get_info(v)->data_path, "tf_out.raw.partial");
    assert_int_equal(access("tf_out.raw", F_OK), -1);
    assert_int_equal(zs_volume_fill(v, ZS_PATTERN_RAMP, 0, 1), ZS_OK);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    assert_string_equal(zs_volume_get_info(v)->data_path, "tf_out.raw");
    zs_volume_free(v);
    assert_int_equal(zs_volume_open("tf_out.mhd", NULL, &v), ZS_OK);
    assert_true(zs_volume_get_info(v)->voxel[2] == 2.5);
    zs_slab s = {0, 2, 3, 2, 3};
    zs_mapping m;
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    uint16_t x;
    memcpy(&x, (unsigned char *)m.data + 2 * (3 * 5 + 3), 2);
    assert_int_equal(x, 3 + 3 + 2); /* ramp: x + y + z at (3, 3, 2) */
    zs_slab_unmap(&m);
    zs_volume_free(v);
    /* an uncommitted creation removes both files */
    assert_int_equal(zs_volume_create("tf_gone.nhdr", &spec, NULL, &v), ZS_OK);
    zs_volume_free(v);
    assert_int_equal(access("tf_gone.nhdr.partial", F_OK), -1);
    assert_int_equal(access("tf_gone.raw.partial", F_OK), -1);
    /* an existing data file is not replaced without force */
    assert_int_equal(zs_volume_create("tf_out.nhdr", &spec, NULL, &v), ZS_EEXIST);
    assert_non_null(strstr(zs_last_error(), "tf_out.raw"));
    unlink("tf_out.mhd");
    unlink("tf_out.raw");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_files),     cmocka_unit_test(test_bad_files),       cmocka_unit_test(test_roundtrips),
        cmocka_unit_test(test_parse_memory), cmocka_unit_test(test_create_detached),
    };
    return zs_test_exit(cmocka_run_group_tests_name("text_formats", tests, NULL, NULL));
}
