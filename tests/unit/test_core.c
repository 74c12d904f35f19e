/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* core/: dtypes and conversion, volume create/open/commit, slab descriptors and mappings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zs_internal.h"
#include "zs_test_util.h"

static void test_dtype_parse(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        zs_type t;
        int big;
    } ok[] = {
        {"uint16", ZS_U16, 0},  {"<u2", ZS_U16, 0}, {">u2", ZS_U16, 1}, {">f4", ZS_F32, 1}, {"|u1", ZS_U8, 0},
        {"float64", ZS_F64, 0}, {"<i8", ZS_I64, 0}, {"int8", ZS_I8, 0}, {">i1", ZS_I8, 0},  {"float", ZS_F64, 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        zs_dtype d;
        assert_int_equal(zs_dtype_parse(ok[i].s, &d), ZS_OK);
        assert_int_equal(d.type, ok[i].t);
        assert_int_equal(d.big_endian, ok[i].big);
    }
    zs_dtype d;
    assert_int_equal(zs_dtype_parse("<c8", &d), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "<c8"));
    assert_int_equal(zs_dtype_parse("uint12", &d), ZS_EINVAL);
    char buf[8];
    zs_dtype be = {ZS_I16, 1};
    zs_dtype_descr(be, buf, sizeof buf);
    assert_string_equal(buf, ">i2");
}

static void test_convert_round_saturate(void **state)
{
    (void)state;
    const float in[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 254.5f, 255.5f, 1e9f, -1e9f, NAN, 3.49f, -3.5f};
    uint8_t u8[12];
    zs__from_f32(in, 12, (zs_dtype){ZS_U8, 0}, u8);
    const uint8_t eu8[] = {0, 2, 2, 0, 0, 254, 255, 255, 0, 0, 3, 0};
    assert_memory_equal(u8, eu8, sizeof eu8);
    int16_t i16[12];
    zs__from_f32(in, 12, (zs_dtype){ZS_I16, 0}, i16);
    const int16_t ei16[] = {0, 2, 2, 0, -2, 254, 256, 32767, -32768, 0, 3, -4};
    assert_memory_equal(i16, ei16, sizeof ei16);
    int32_t i32[12];
    zs__from_f32(in, 12, (zs_dtype){ZS_I32, 0}, i32);
    assert_int_equal(i32[7], 1000000000);
    assert_int_equal(i32[2], 2);
    assert_int_equal(i32[9], 0);
    uint64_t u64[12];
    zs__from_f32(in, 12, (zs_dtype){ZS_U64, 0}, u64);
    assert_true(u64[8] == 0 && u64[7] == 1000000000ull && u64[1] == 2);
    /* big-endian round trip */
    uint16_t be[3];
    const float v[3] = {1.0f, 258.0f, 65535.0f};
    zs__from_f32(v, 3, (zs_dtype){ZS_U16, 1}, be);
    const unsigned char *b = (const unsigned char *)be;
    assert_int_equal(b[2], 1);
    assert_int_equal(b[3], 2);
    float back[3];
    zs__to_f32(be, (zs_dtype){ZS_U16, 1}, 3, 1.0, 0.0, back);
    assert_memory_equal(back, v, sizeof v);
    zs__to_f32(be, (zs_dtype){ZS_U16, 1}, 3, 2.0, -1.0, back);
    assert_true(back[1] == 515.0f);
}

static void test_sizes_overflow(void **state)
{
    (void)state;
    zs_volume_info i;
    zs_volume_info_init(&i);
    strcpy(i.path, "big.raw");
    i.shape[0] = i.shape[1] = (int64_t)1 << 40;
    i.shape[2] = 16;
    i.dtype.type = ZS_U16;
    assert_int_equal(zs_volume_info_sizes(&i, NULL, NULL, NULL), ZS_EOVERFLOW);
    assert_non_null(strstr(zs_last_error(), "big.raw"));
}

static void test_create_commit_partial(void **state)
{
    (void)state;
    unlink("c1.raw");
    zs_volume *v = zs_test_volume_new("c1.raw", 5, 4, 3, 1, ZS_U16, 0);
    struct stat st;
    assert_int_equal(stat("c1.raw.partial", &st), 0);
    assert_int_equal(st.st_size, 5 * 4 * 3 * 2);
    assert_int_not_equal(stat("c1.raw", &st), 0);
    zs_volume_free(v); /* never committed: removed */
    assert_int_not_equal(stat("c1.raw.partial", &st), 0);
    v = zs_test_volume_new("c1.raw", 5, 4, 3, 1, ZS_U16, 0);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
    assert_int_equal(stat("c1.raw", &st), 0);
    /* exists, no force */
    zs_volume_info spec = *zs_volume_get_info(v = zs_test_volume_new("c2.raw", 2, 2, 2, 1, ZS_U8, 0));
    zs_volume_commit(v);
    zs_volume_free(v);
    assert_int_equal(zs_volume_create("c2.raw", &spec, NULL, &v), ZS_EEXIST);
    assert_non_null(strstr(zs_last_error(), "c2.raw"));
    assert_int_equal(zs_volume_create("/proc/zslab-no/x.raw", &spec, NULL, &v), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "/proc/zslab-no/x.raw"));
    unlink("c1.raw");
    unlink("c2.raw");
}

static void test_open_errors(void **state)
{
    (void)state;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_open("does-not-exist.npy", NULL, &v), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "does-not-exist.npy"));
    /* a directory is read as a plane series: one without planes is an error naming it */
    assert_true(zs_volume_open(".", NULL, &v) < 0);
    assert_non_null(strstr(zs_last_error(), ".: no plane files"));
    FILE *f = fopen("empty.raw", "w");
    fclose(f);
    assert_int_equal(zs_volume_open("empty.raw", NULL, &v), ZS_EFORMAT);
    assert_non_null(strstr(zs_last_error(), "empty"));
    f = fopen("short.raw", "w");
    fputs("0123456789", f);
    fclose(f);
    zs_open_opts o;
    zs_open_opts_default(&o);
    o.raw_shape[0] = 4, o.raw_shape[1] = 4, o.raw_shape[2] = 4;
    o.raw_dtype.type = ZS_U8;
    assert_int_equal(zs_volume_open("short.raw", &o, &v), ZS_EFORMAT);
    assert_non_null(strstr(zs_last_error(), "short.raw"));
    o.mode = "w";
    assert_int_equal(zs_volume_open("short.raw", &o, &v), ZS_EINVAL);
    assert_true(zs_volume_open("x.nii.gz", NULL, &v) < 0); /* missing */
    assert_non_null(strstr(zs_last_error(), "x.nii.gz"));
    f = fopen("x.nii.gz", "w");
    fputs("x", f);
    fclose(f);
    assert_int_equal(zs_volume_open("x.nii.gz", NULL, &v), ZS_EUNSUPPORTED);
    assert_non_null(strstr(zs_last_error(), "decompress"));
    unlink("empty.raw");
    unlink("short.raw");
    unlink("x.nii.gz");
}

/* Writes value x + 10*y + 100*z at a non-page-aligned offset, then checks every slab
 * mapping: contents, and mapped length <= bytes + one page on each side. */
static void test_slab_mapping_offsets(void **state)
{
    (void)state;
    const int64_t nx = 37, ny = 29, nz = 23;
    const uint64_t off = 333;
    FILE *f = fopen("s.raw", "wb");
    for (uint64_t i = 0; i < off; i++) fputc(0xAB, f);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                uint16_t v = (uint16_t)(x + 10 * y + 100 * z);
                fwrite(&v, 2, 1, f);
            }
    fclose(f);
    zs_open_opts o;
    zs_open_opts_default(&o);
    o.raw_shape[0] = nx, o.raw_shape[1] = ny, o.raw_shape[2] = nz;
    o.raw_dtype.type = ZS_U16;
    o.raw_offset = off;
    zs_volume *v;
    assert_int_equal(zs_volume_open("s.raw", &o, &v), ZS_OK);
    const size_t page = zs_sys_page_size(), plane = (size_t)(nx * ny * 2);
    for (int64_t h = 0; h <= 3; h++)
        for (int64_t sz = 1; sz <= nz; sz += 5)
            for (int64_t z0 = 0; z0 < nz; z0 += sz) {
                zs_slab s;
                assert_int_equal(zs_slab_make(zs_volume_get_info(v), 0, z0, z0 + sz < nz ? z0 + sz : nz, h, &s), ZS_OK);
                zs_mapping m;
                assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
                assert_true(m.map_length <= (size_t)(s.hi - s.lo) * plane + 2 * page);
                const unsigned char *d = m.data; /* offset 333: not 2-byte aligned */
                for (int64_t z = s.lo; z < s.hi; z++)
                    for (int64_t y = 0; y < ny; y += 7)
                        for (int64_t x = 0; x < nx; x += 5) {
                            uint16_t val;
                            memcpy(&val, d + 2 * (((z - s.lo) * ny + y) * nx + x), 2);
                            assert_int_equal(val, x + 10 * y + 100 * z);
                        }
                assert_int_equal(zs_slab_unmap(&m), ZS_OK);
            }
    zs_slab s;
    assert_int_equal(zs_slab_make(zs_volume_get_info(v), 0, 5, 3, 0, &s), ZS_EINVAL);
    assert_int_equal(zs_slab_make(zs_volume_get_info(v), 1, 0, 3, 0, &s), ZS_EINVAL);
    zs_volume_free(v);
    unlink("s.raw");
}

/* C order: voxel (x,y,z) at (x*ny + y)*nz + z; a slab mapping gathers F-order planes, and in
 * mode r+ writes back on unmap. */
static void test_c_order_gather(void **state)
{
    (void)state;
    const int64_t nx = 6, ny = 5, nz = 7;
    FILE *f = fopen("c.raw", "wb");
    for (int64_t x = 0; x < nx; x++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t z = 0; z < nz; z++) {
                float v = (float)(x + 10 * y + 100 * z);
                fwrite(&v, 4, 1, f);
            }
    fclose(f);
    zs_open_opts o;
    zs_open_opts_default(&o);
    o.raw_shape[0] = nx, o.raw_shape[1] = ny, o.raw_shape[2] = nz;
    o.raw_dtype.type = ZS_F32;
    o.raw_order = ZS_ORDER_C;
    o.mode = "r+";
    zs_volume *v;
    assert_int_equal(zs_volume_open("c.raw", &o, &v), ZS_OK);
    zs_slab s;
    assert_int_equal(zs_slab_make(zs_volume_get_info(v), 0, 2, 4, 1, &s), ZS_OK);
    zs_mapping m;
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    float *d = m.data;
    for (int64_t z = s.lo; z < s.hi; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++)
                assert_true(d[((z - s.lo) * ny + y) * nx + x] == (float)(x + 10 * y + 100 * z));
    d[((3 - s.lo) * ny + 2) * nx + 4] = -1.0f; /* (4,2,3) */
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    zs_volume_free(v);
    f = fopen("c.raw", "rb");
    fseek(f, (long)(((4 * ny + 2) * nz + 3) * 4), SEEK_SET);
    float back;
    assert_int_equal(fread(&back, 4, 1, f), 1);
    fclose(f);
    assert_true(back == -1.0f);
    unlink("c.raw");
}

/* The volume functions take whole planes of a C-order volume (scattered into the file, as a slab
 * mapping's unmap does), and a copy-on-write volume's slab mapping is written in private. */
static void test_c_order_write_and_cow(void **state)
{
    (void)state;
    const int64_t nx = 4, ny = 3, nz = 5;
    float zeros[4 * 3 * 5] = {0}, planes[4 * 3 * 2];
    FILE *f = fopen("cw.raw", "wb");
    assert_int_equal(fwrite(zeros, sizeof zeros, 1, f), 1);
    fclose(f);
    zs_open_opts o;
    zs_open_opts_default(&o);
    o.raw_shape[0] = nx, o.raw_shape[1] = ny, o.raw_shape[2] = nz;
    o.raw_dtype.type = ZS_F32;
    o.raw_order = ZS_ORDER_C;
    o.mode = "r+";
    zs_volume *v;
    assert_int_equal(zs_volume_open("cw.raw", &o, &v), ZS_OK);
    for (int k = 0; k < 4 * 3 * 2; k++) planes[k] = (float)(k + 1); /* planes 1 and 2, F order */
    assert_int_equal(zs__volume_write(v, 0, 1, 3, 0, ny, planes), ZS_OK);
    zs_volume_free(v);
    f = fopen("cw.raw", "rb");
    float back[4 * 3 * 5];
    assert_int_equal(fread(back, sizeof back, 1, f), 1);
    fclose(f);
    for (int64_t x = 0; x < nx; x++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t z = 0; z < nz; z++) {
                const float want = z == 1 || z == 2 ? planes[((z - 1) * ny + y) * nx + x] : 0.0f;
                assert_true(back[(x * ny + y) * nz + z] == want);
            }
    o.mode = "c";
    o.raw_order = ZS_ORDER_F;
    assert_int_equal(zs_volume_open("cw.raw", &o, &v), ZS_OK);
    zs_slab s;
    zs_mapping m;
    assert_int_equal(zs_slab_make(zs_volume_get_info(v), 0, 0, nz, 0, &s), ZS_OK);
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    ((float *)m.data)[0] = -5.0f; /* private: the file keeps its 0 */
    assert_true(((float *)m.data)[0] == -5.0f);
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    zs_volume_free(v);
    f = fopen("cw.raw", "rb");
    assert_int_equal(fread(back, sizeof back, 1, f), 1);
    fclose(f);
    assert_true(back[0] == 0.0f);
    unlink("cw.raw");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dtype_parse),    cmocka_unit_test(test_convert_round_saturate),
        cmocka_unit_test(test_sizes_overflow), cmocka_unit_test(test_create_commit_partial),
        cmocka_unit_test(test_open_errors),    cmocka_unit_test(test_slab_mapping_offsets),
        cmocka_unit_test(test_c_order_gather), cmocka_unit_test(test_c_order_write_and_cow),
    };
    return zs_test_exit(cmocka_run_group_tests_name("core", tests, NULL, NULL));
}
