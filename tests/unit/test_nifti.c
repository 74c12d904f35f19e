/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* NIfTI-1/2 reader and writers (core/fmt_nifti.c): the golden files of tests/data, header
 * round trips in both byte orders, the NIfTI-2 switch for large dimensions, open modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "volume_internal.h"
#include "zs_test_util.h"

/* ---- fixture: a fresh temporary directory under the working directory per test ----------- */
static int setup(void **state) { return zs_test_tmpdir_setup(state, "tmp_nifti_"); }

/* Every .nii / .nii.gz file of data/<sub> has a row in the table. */
static int is_nifti_name(const char *n) { return strstr(n, ".nii") != NULL; }

/* ---- golden files -------------------------------------------------------------------------- */

typedef struct ok_case {
    const char *name;
    int version, ndim;
    int64_t shape[4];
    zs_type type;
    int big;
    uint64_t offset;
    double voxel[3];
    const char *unit;
    double slope, inter;
} ok_case;

static const ok_case ok_cases[] = {
    {"nifti1_4d_i16.nii", 1, 4, {3, 2, 2, 3}, ZS_I16, 0, 352, {1, 2, 3}, "mm", 1, 0},
    {"nifti1_be_f32.nii", 1, 3, {4, 3, 2, 1}, ZS_F32, 1, 352, {1.5, 1.5, 3}, "um", 1, 0},
    {"nifti1_ext_u8.nii", 1, 3, {3, 3, 2, 1}, ZS_U8, 0, 400, {1, 1, 1}, "mm", 1, 0},
    {"nifti1_le_i16.nii", 1, 3, {5, 4, 3, 1}, ZS_I16, 0, 352, {0.5, 0.5, 2}, "mm", 1, 0},
    {"nifti1_scaled_u8.nii", 1, 3, {4, 3, 2, 1}, ZS_U8, 0, 352, {1, 1, 1}, "mm", 2, -1},
    {"nifti1_u64.nii", 1, 3, {2, 2, 2, 1}, ZS_U64, 0, 352, {1, 1, 1}, "mm", 1, 0},
    {"nifti2_be_i32.nii", 2, 3, {3, 2, 2, 1}, ZS_I32, 1, 544, {1, 1, 1}, "um", 1, 0},
    {"nifti2_u16.nii", 2, 3, {4, 3, 2, 1}, ZS_U16, 0, 544, {0.25, 0.25, 1}, "um", 1, 0},
};

typedef struct bad_case {
    const char *name;
    zs_status open_code, parse_code;
} bad_case;

static const bad_case bad_cases[] = {
    {"empty.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti2_bad_eol.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti2_overflow.nii", ZS_EOVERFLOW, ZS_EOVERFLOW},
    {"nifti2_pair_ni2.nii", ZS_EUNSUPPORTED, ZS_EUNSUPPORTED},
    {"nifti2_vox_offset_negative.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_analyze.nii", ZS_EUNSUPPORTED, ZS_EUNSUPPORTED},
    {"nifti_bad_magic.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_bad_sizeof.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_bitpix.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_complex.nii", ZS_EUNSUPPORTED, ZS_EUNSUPPORTED},
    {"nifti_dim0_zero.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_dim5.nii", ZS_EUNSUPPORTED, ZS_EUNSUPPORTED},
    {"nifti_dim_negative.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_gz.nii.gz", ZS_EUNSUPPORTED, ZS_EFORMAT}, /* refused by name; the bytes are gzip */
    {"nifti_inter_nan.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_lying_dims.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_pair_ni1.nii", ZS_EUNSUPPORTED, ZS_EUNSUPPORTED},
    {"nifti_rgb.nii", ZS_EUNSUPPORTED, ZS_EUNSUPPORTED},
    {"nifti_truncated_data.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_truncated_header.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_unknown_datatype.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_vox_offset_beyond.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_vox_offset_fraction.nii", ZS_EFORMAT, ZS_EFORMAT},
    {"nifti_vox_offset_inside.nii", ZS_EFORMAT, ZS_EFORMAT},
};

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
        assert_int_equal(i->format, c->version == 1 ? ZS_FMT_NIFTI1 : ZS_FMT_NIFTI2);
        assert_int_equal(i->version, c->version);
        assert_int_equal(i->ndim, c->ndim);
        for (int d = 0; d < 4; d++) assert_int_equal(i->shape[d], c->shape[d]);
        assert_int_equal(i->dtype.type, c->type);
        assert_int_equal(i->dtype.big_endian, c->big);
        assert_int_equal(i->order, ZS_ORDER_F);
        assert_int_equal(i->offset, c->offset);
        for (int d = 0; d < 3; d++) assert_true(i->voxel[d] == c->voxel[d]);
        assert_string_equal(i->unit, c->unit);
        assert_true(i->slope == c->slope && i->inter == c->inter);
        zs_test_check_pattern97(v);
        zs_volume_free(v);
    }
    zs_test_check_listed("ok", is_nifti_name, names, COUNT(ok_cases), "test_nifti.c");
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
        if (st != c->open_code)
            fail_msg("%s: expected %s, got %s (%s)", c->name, zs_strerror(c->open_code), zs_strerror(st),
                     zs_last_error());
        assert_null(v);
        if (!strstr(zs_last_error(), c->name))
            fail_msg("%s: message does not name the file: %s", c->name, zs_last_error());
        size_t n = 0;
        unsigned char *b = zs_test_slurp(path, &n);
        assert_non_null(b);
        zs_volume_info info;
        zs_volume_info_init(&info);
        snprintf(info.path, sizeof info.path, "%s", c->name);
        st = zs__fmt_nifti1.parse(b, n, n, &info);
        if (st != c->parse_code) fail_msg("%s: parse gave %s (%s)", c->name, zs_strerror(st), zs_last_error());
        assert_non_null(strstr(zs_last_error(), c->name));
        free(b);
    }
    zs_test_check_listed("bad", is_nifti_name, names, COUNT(bad_cases), "test_nifti.c");
}

/* ---- header round trips --------------------------------------------------------------------- */

static void spec_init(zs_volume_info *s, int ndim, const int64_t shape[4], zs_dtype dt)
{
    zs_volume_info_init(s);
    snprintf(s->path, sizeof s->path, "rt.nii");
    s->ndim = ndim;
    memcpy(s->shape, shape, sizeof s->shape);
    s->dtype = dt;
}

static void roundtrip_one(const zs_format_ops *ops, int version, zs_dtype dt, int ndim, const int64_t shape[4],
                          const char *unit, double slope, double inter)
{
    static unsigned char buf[1024];
    zs_volume_info spec, back;
    spec_init(&spec, ndim, shape, dt);
    spec.voxel[0] = 0.5;
    spec.voxel[1] = 0.25;
    spec.voxel[2] = 2.0;
    snprintf(spec.unit, sizeof spec.unit, "%s", unit);
    spec.slope = slope;
    spec.inter = inter;
    const int64_t hn = ops->write_header(&spec, buf, sizeof buf);
    const int64_t want = version == 1 ? 352 : 544;
    if (hn != want) fail_msg("write_header: %lld (%s)", (long long)hn, zs_last_error());
    assert_int_equal(spec.offset, (uint64_t)want);
    assert_int_equal(spec.version, version);
    const int be = zs_dtype_size(dt) > 1 ? dt.big_endian : zs__host_big_endian();
    const unsigned char size_be[4] = {0, 0, version == 1 ? 0x01 : 0x02, version == 1 ? 0x5c : 0x1c};
    for (int i = 0; i < 4; i++) assert_int_equal(buf[i], size_be[be ? i : 3 - i]);
    uint64_t total;
    assert_int_equal(zs_volume_info_sizes(&spec, NULL, NULL, &total), ZS_OK);
    zs_volume_info_init(&back);
    snprintf(back.path, sizeof back.path, "rt.nii");
    if (zs__fmt_nifti1.parse(buf, (size_t)hn, (uint64_t)hn + total, &back) != ZS_OK) fail_msg("%s", zs_last_error());
    assert_int_equal(back.format, version == 1 ? ZS_FMT_NIFTI1 : ZS_FMT_NIFTI2);
    assert_int_equal(back.version, version);
    assert_int_equal(back.ndim, ndim);
    assert_memory_equal(back.shape, shape, sizeof back.shape);
    assert_int_equal(back.dtype.type, dt.type == ZS_BOOL ? ZS_U8 : dt.type); /* bool is written as uint8 */
    assert_int_equal(back.dtype.big_endian, dt.big_endian);
    assert_int_equal(back.offset, (uint64_t)want);
    const double vox[3] = {0.5, 0.25, 2.0};
    for (int d = 0; d < 3; d++) assert_true(back.voxel[d] == (d < ndim ? vox[d] : 1.0)); /* absent axes: 1 */
    assert_string_equal(back.unit, strcmp(unit, "nm") == 0 ? "" : unit);
    assert_true(back.slope == slope && back.inter == inter);
    assert_int_equal(zs__fmt_nifti1.parse(buf, (size_t)hn, (uint64_t)hn + total - 1, &back), ZS_EFORMAT);
}

static void test_roundtrip(void **state)
{
    (void)state;
    static const int64_t shapes[][4] = {{7, 1, 1, 1}, {5, 3, 1, 1}, {9, 7, 5, 1}, {3, 4, 5, 2}, {32767, 2, 1, 1}};
    static const int ndims[] = {1, 2, 3, 4, 3};
    static const char *const units[] = {"mm", "um", "m", "", "nm"};
    for (int version = 1; version <= 2; version++)
        for (int t = 0; t < ZS_TYPE_COUNT; t++)
            for (int big = 0; big < 2; big++)
                for (size_t k = 0; k < COUNT(shapes); k++) {
                    zs_dtype dt = {(zs_type)t, 0};
                    dt.big_endian = zs_dtype_size(dt) > 1 ? big : 0;
                    const int scaled = (t + (int)k) % 2;
                    roundtrip_one(version == 1 ? &zs__fmt_nifti1 : &zs__fmt_nifti2, version, dt, ndims[k], shapes[k],
                                  units[k], scaled ? 2.5 : 1.0, scaled ? -3.0 : 0.0);
                }
}

/* Fields other tools rely on: magic, vox_offset, "no scaling" written as scl_slope 0, sform. */
static void test_header_fields(void **state)
{
    (void)state;
    unsigned char buf[600];
    zs_volume_info spec;
    static const int64_t shape[4] = {9, 7, 5, 1};
    spec_init(&spec, 3, shape, (zs_dtype){ZS_I16, 0});
    spec.voxel[0] = -1.0; /* not a size: written as 1 */
    spec.voxel[2] = NAN;
    assert_int_equal(zs__fmt_nifti1.write_header(&spec, buf, sizeof buf), 352);
    assert_memory_equal(buf + 344, "n+1\0", 4);
    /* little-endian fields (an int16 volume is written in its own byte order) */
    assert_memory_equal(buf + 108, "\x00\x00\xb0\x43", 4); /* vox_offset 352.0f */
    assert_memory_equal(buf + 112, "\x00\x00\x00\x00", 4); /* scl_slope 0: no scaling */
    assert_memory_equal(buf + 280, "\x00\x00\x80\x3f", 4); /* srow_x[0] 1.0f */
    assert_memory_equal(buf + 252, "\x01\x00\x01\x00", 4); /* qform_code, sform_code */
    assert_true(spec.voxel[0] == 1.0 && spec.voxel[2] == 1.0);
    assert_memory_equal(buf + 348, "\0\0\0\0", 4);
    /* NIfTI-1 cannot hold a dimension > 32767; NIfTI-2 can. */
    spec.shape[0] = 40000;
    assert_int_equal(zs__fmt_nifti1.write_header(&spec, buf, sizeof buf), ZS_EUNSUPPORTED);
    assert_non_null(strstr(zs_last_error(), "rt.nii"));
    assert_int_equal(zs__fmt_nifti2.write_header(&spec, buf, sizeof buf), 544);
    assert_memory_equal(buf + 4, "n+2\0\r\n\032\n", 8);
    assert_true(zs__fmt_nifti2.write_header(&spec, buf, 100) < 0);
    /* NIfTI-1's float32 fields: a value that would become infinite or 0 is refused */
    spec.shape[0] = 9;
    spec.voxel[1] = 1e300;
    assert_int_equal(zs__fmt_nifti1.write_header(&spec, buf, sizeof buf), ZS_EUNSUPPORTED);
    assert_int_equal(zs__fmt_nifti2.write_header(&spec, buf, sizeof buf), 544);
    spec.voxel[1] = 1.0;
    spec.slope = 1e-60;
    assert_int_equal(zs__fmt_nifti1.write_header(&spec, buf, sizeof buf), ZS_EUNSUPPORTED);
    spec.slope = 1.0;
    spec.shape[1] = 0;
    assert_int_equal(zs__fmt_nifti2.write_header(&spec, buf, sizeof buf), ZS_EINVAL);
}

/* Every prefix of a valid file fails cleanly and names the file. */
static void test_truncations(void **state)
{
    (void)state;
    for (int version = 1; version <= 2; version++) {
        unsigned char buf[600];
        zs_volume_info spec;
        static const int64_t shape[4] = {4, 3, 2, 1};
        spec_init(&spec, 3, shape, (zs_dtype){ZS_U16, 1});
        int64_t hn = (version == 1 ? &zs__fmt_nifti1 : &zs__fmt_nifti2)->write_header(&spec, buf, sizeof buf);
        assert_true(hn > 0);
        memset(buf + hn, 7, 48);
        const size_t n = (size_t)hn + 48;
        for (size_t cut = 0; cut < n; cut++) {
            zs_volume_info info;
            zs_volume_info_init(&info);
            snprintf(info.path, sizeof info.path, "cut%zu.nii", cut);
            unsigned char *copy = malloc(cut ? cut : 1);
            memcpy(copy, buf, cut);
            zs_status st = zs__fmt_nifti1.parse(copy, cut, cut, &info);
            free(copy);
            if (st != ZS_EFORMAT)
                fail_msg("v%d prefix of %zu bytes: %s (%s)", version, cut, zs_strerror(st), zs_last_error());
            assert_non_null(strstr(zs_last_error(), info.path));
        }
        zs_volume_info info;
        zs_volume_info_init(&info);
        assert_int_equal(zs__fmt_nifti1.parse(buf, n, n, &info), ZS_OK);
    }
}

/* ---- volumes on disk --------------------------------------------------------------------------- */

static void test_nifti2_switch(void **state)
{
    const zs_test_tmpdir *f = *state;
    char path[600];
    snprintf(path, sizeof path, "%s/wide.nii", f->dir);
    zs_volume_info spec;
    static const int64_t shape[4] = {40000, 1, 1, 1};
    spec_init(&spec, 3, shape, (zs_dtype){ZS_U8, 0});
    zs_volume *v = NULL;
    if (zs_volume_create(path, &spec, NULL, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    assert_int_equal(zs_volume_get_info(v)->format, ZS_FMT_NIFTI2);
    assert_int_equal(zs_volume_get_info(v)->offset, 544);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 544 + 40000);
    assert_int_equal(zs_volume_open(path, NULL, &v), ZS_OK);
    const zs_volume_info *i = zs_volume_get_info(v);
    assert_int_equal(i->format, ZS_FMT_NIFTI2);
    assert_int_equal(i->version, 2);
    assert_int_equal(i->shape[0], 40000);
    assert_int_equal(i->nbytes, 40000);
    zs_volume_free(v);
    /* small: NIfTI-1 */
    snprintf(path, sizeof path, "%s/small.nii", f->dir);
    spec.shape[0] = 32767;
    assert_int_equal(zs_volume_create(path, &spec, NULL, &v), ZS_OK);
    assert_int_equal(zs_volume_get_info(v)->format, ZS_FMT_NIFTI1);
    zs_volume_free(v); /* never committed: removed */
    assert_int_not_equal(stat(path, &st), 0);
}

static void create_ramp(const char *path, zs_dtype dt)
{
    zs_volume_info spec;
    static const int64_t shape[4] = {9, 7, 5, 1};
    spec_init(&spec, 3, shape, dt);
    spec.voxel[2] = 4.0;
    snprintf(spec.unit, sizeof spec.unit, "um");
    spec.slope = 0.5;
    spec.inter = 10;
    zs_volume *v = NULL;
    if (zs_volume_create(path, &spec, NULL, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    const zs_volume_info *i = zs_volume_get_info(v);
    zs_slab s;
    zs_mapping m;
    assert_int_equal(zs_slab_make(i, 0, 0, 5, 0, &s), ZS_OK);
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    float fv[9 * 7 * 5];
    for (int k = 0; k < 9 * 7 * 5; k++) fv[k] = (float)k;
    zs__from_f32(fv, 9 * 7 * 5, i->dtype, m.data);
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
}

/* Stored value of voxel (0,0,2); writes `set` there when set >= 0. */
static float voxel0(const char *path, const char *mode, float set)
{
    zs_open_opts o;
    zs_open_opts_default(&o);
    o.mode = mode;
    zs_volume *v = NULL;
    if (zs_volume_open(path, &o, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    const zs_volume_info *i = zs_volume_get_info(v);
    assert_true(i->slope == 0.5 && i->inter == 10.0 && i->voxel[2] == 4.0);
    assert_string_equal(i->unit, "um");
    zs_slab s;
    zs_mapping m;
    assert_int_equal(zs_slab_make(i, 0, 2, 3, 2, &s), ZS_OK);
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    float got;
    const size_t at = (size_t)(9 * 7 * 2) * zs_dtype_size(i->dtype);
    zs__to_f32((unsigned char *)m.data + at, i->dtype, 1, 1.0, 0.0, &got);
    if (set >= 0) zs__from_f32(&set, 1, i->dtype, (unsigned char *)m.data + at);
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    zs_volume_free(v);
    return got;
}

static void test_open_modes(void **state)
{
    const zs_test_tmpdir *f = *state;
    static const zs_dtype dts[] = {{ZS_I16, 0}, {ZS_F32, 1}, {ZS_U8, 0}, {ZS_U64, 1}};
    for (size_t k = 0; k < COUNT(dts); k++) {
        char path[600];
        snprintf(path, sizeof path, "%s/m%zu.nii", f->dir, k);
        create_ramp(path, dts[k]);
        assert_true(voxel0(path, "r", -1) == 126.0f);
        assert_true(voxel0(path, "c", 50) == 126.0f);
        assert_true(voxel0(path, "r", -1) == 126.0f);
        assert_true(voxel0(path, "r+", 60) == 126.0f);
        assert_true(voxel0(path, "r", -1) == 60.0f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ok_files, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_header_fields, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_truncations, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_nifti2_switch, setup, zs_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_open_modes, setup, zs_test_tmpdir_teardown),
    };
    return zs_test_exit(cmocka_run_group_tests_name("nifti", tests, NULL, NULL));
}
