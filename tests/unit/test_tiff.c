/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* TIFF stacks (core/fmt_tiff.c, tiff_write.c, tiff_meta.c) and plane series names: the golden
 * files of tests/data (each listed here), ImageJ and OME metadata, units, contiguous output
 * that is mapped, compressed output written out of order and read by many threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tiff_internal.h"
#include "zs_test_util.h"

static int is_tiff_name(const char *n)
{
    const char *dot = strrchr(n, '.');
    return dot && strcmp(dot, ".tif") == 0;
}

/* ---- metadata ----------------------------------------------------------------------------- */

static void test_meta_imagej(void **state)
{
    (void)state;
    static const char d[] = "ImageJ=1.53t\nimages=60\nchannels=2\nslices=10\nframes=3\nhyperstack=true\n"
                            "unit=\\u00B5m\nspacing=2.5\nloop=false\n";
    zs_tiff_meta m;
    zs__tiff_meta_parse(d, strlen(d), &m);
    assert_true(m.imagej && !m.ome);
    assert_int_equal(m.images, 60);
    assert_int_equal(m.channels, 2);
    assert_int_equal(m.slices, 10);
    assert_int_equal(m.frames, 3);
    assert_true(m.spacing == 2.5);
    assert_string_equal(m.unit, "um");
    static const char junk[] = "ImageJ=\nimages=-4\nslices=99999999999\nspacing=nan\nunit=pixel";
    zs__tiff_meta_parse(junk, strlen(junk), &m);
    assert_true(m.images == 0 && m.slices == 0 && m.spacing == 0 && m.unit[0] == '\0');
}

static void test_meta_ome(void **state)
{
    (void)state;
    static const char d[] = "<?xml version=\"1.0\"?><ome:OME xmlns:ome=\"x\"><ome:Image><ome:Pixels "
                            "DimensionOrder='XYZTC' SizeX=\"9\" SizeY=\"7\" SizeZ=\"5\" SizeC=\"1\" SizeT=\"2\" "
                            "PhysicalSizeX=\"250\" PhysicalSizeXUnit=\"nm\" PhysicalSizeZ = \"1.5\" "
                            "PhysicalSizeZUnit=\"\xc2\xb5m\"></ome:Pixels></ome:Image></ome:OME>";
    zs_tiff_meta m;
    zs__tiff_meta_parse(d, strlen(d), &m);
    assert_true(m.ome && !m.imagej);
    assert_string_equal(m.order, "XYZTC");
    assert_int_equal(m.size[2], 5);
    assert_int_equal(m.size[4], 2);
    assert_true(m.phys[0] == 250 && m.phys[1] == 0 && m.phys[2] == 1.5);
    assert_string_equal(m.phys_unit[0], "nm");
    assert_string_equal(m.phys_unit[1], "um"); /* OME's default */
    assert_string_equal(m.phys_unit[2], "um");
}

static void test_units(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        int known;
    } cases[] = {
        {"micron", "um", 1},  {"\xc2\xb5m", "um", 1}, {"\\u00B5m", "um", 1}, {"&#181;m", "um", 1}, {" um ", "um", 1},
        {"Microns", "um", 1}, {"nm", "nm", 1},        {"mm", "mm", 1},       {"pixel", "", 0},     {"inch", "inch", 0},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[16];
        assert_int_equal(zs__unit_normalize(cases[i].in, strlen(cases[i].in), out), cases[i].known);
        assert_string_equal(out, cases[i].out);
    }
    assert_true(zs__unit_um("mm") == 1000 && zs__unit_um("nm") == 1e-3 && zs__unit_um("x") == 0);
}

static void test_series_names(void **state)
{
    (void)state;
    assert_true(zs__series_name("stack/"));
    assert_true(zs__series_name("stack/*.tif"));
    assert_true(zs__series_name("img_%04d.tif"));
    assert_true(zs__series_name("img_%d.npy"));
    assert_false(zs__series_name("img_%s.tif"));
    assert_false(zs__series_name("img_%d_%d.tif"));
    assert_false(zs__series_name("100%%.tif"));
    assert_false(zs__series_name("stack.tif"));
}

/* ---- golden files ------------------------------------------------------------------------- */

typedef struct ok_case {
    const char *name;
    zs_type type;
    int decoded, version;
    double voxel[3];
    const char *unit;
} ok_case;

static const ok_case ok_cases[] = {
    {"tiff_imagej_u16.tif", ZS_U16, 0, 42, {0.5, 0.5, 2}, "um"},
    {"tiff_deflate_tiled_u16.tif", ZS_U16, 1, 42, {1, 1, 1}, ""},
    {"tiff_bigtiff_be_u16.tif", ZS_U16, 0, 43, {1, 1, 1}, ""},
    {"tiff_ome_u16.tif", ZS_U16, 0, 42, {0.25, 0.25, 1.5}, "um"},
    {"tiff_strips_f32.tif", ZS_F32, 0, 42, {1, 1, 1}, ""},
    {"tiff_lzw_u16.tif", ZS_U16, 1, 42, {0.5, 0.5, 2}, "um"},
};

static const struct {
    const char *name;
    zs_status code;
    const char *words;
} bad_cases[] = {
    {"tiff_rgb.tif", ZS_EUNSUPPORTED, "3 samples per pixel"},
    {"tiff_mixed_pages.tif", ZS_EFORMAT, "page 1"},
    {"tiff_truncated.tif", ZS_EFORMAT, "page"},
    {"tiff_bad_magic.tif", ZS_EFORMAT, "not a TIFF"},
    {"tiff_1bit.tif", ZS_EUNSUPPORTED, "1-bit"},
};

/* Voxel (x, y, z) of the golden stacks: its F-order index % 97. */
static void check_pattern(const zs_volume *v, int64_t lo, int64_t hi)
{
    const zs_volume_info *i = zs_volume_get_info(v);
    zs_slab s = {0, lo, hi, lo, hi};
    zs_mapping m;
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    const size_t plane = (size_t)(i->shape[0] * i->shape[1]), es = zs_dtype_size(i->dtype);
    for (size_t k = 0; k < plane * (size_t)(hi - lo); k++) {
        unsigned char b[8];
        memcpy(b, (unsigned char *)m.data + k * es, es);
        if (es > 1 && i->dtype.big_endian != zs__host_big_endian()) zs__bswap(b, es, 1);
        double d;
        if (i->dtype.type == ZS_U16) {
            uint16_t x;
            memcpy(&x, b, 2);
            d = x;
        } else {
            float x;
            memcpy(&x, b, 4);
            d = x;
        }
        const size_t lin = (size_t)lo * plane + k;
        if (d != (double)(lin % 97)) fail_msg("%s: voxel %zu is %g", i->path, lin, d);
    }
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
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
        if (access(path, F_OK) != 0 && strstr(c->name, "lzw")) continue; /* made with tiffcp, when present */
        zs_volume *v = NULL;
        if (zs_volume_open(path, NULL, &v) != ZS_OK) fail_msg("%s: %s", c->name, zs_last_error());
        const zs_volume_info *i = zs_volume_get_info(v);
        assert_int_equal(i->format, ZS_FMT_TIFF);
        assert_int_equal(i->shape[0], 9);
        assert_int_equal(i->shape[1], 7);
        assert_int_equal(i->shape[2], 5);
        assert_int_equal(i->dtype.type, c->type);
        assert_int_equal(i->decoded, c->decoded);
        assert_int_equal(i->version, c->version);
        for (int d = 0; d < 3; d++)
            if (i->voxel[d] != c->voxel[d])
                fail_msg("%s: voxel[%d] %g, expected %g", c->name, d, i->voxel[d], c->voxel[d]);
        assert_string_equal(i->unit, c->unit);
        check_pattern(v, 0, 5);
        check_pattern(v, 2, 4);
        zs_volume_free(v);
    }
    zs_test_check_listed("ok", is_tiff_name, names, COUNT(ok_cases), "test_tiff.c");
    const char *bad[COUNT(bad_cases)];
    for (size_t k = 0; k < COUNT(bad_cases); k++) {
        bad[k] = bad_cases[k].name;
        char path[600];
        snprintf(path, sizeof path, "%s/bad/%s", zs_test_data_dir(), bad_cases[k].name);
        zs_volume *v = NULL;
        const zs_status st = zs_volume_open(path, NULL, &v);
        if (st != bad_cases[k].code) fail_msg("%s: %d (%s)", bad_cases[k].name, st, zs_last_error());
        assert_non_null(strstr(zs_last_error(), bad_cases[k].name));
        if (!strstr(zs_last_error(), bad_cases[k].words)) fail_msg("%s: '%s'", bad_cases[k].name, zs_last_error());
    }
    zs_test_check_listed("bad", is_tiff_name, bad, COUNT(bad_cases), "test_tiff.c");
}

/* ---- writing ------------------------------------------------------------------------------- */

static void spec_of(zs_volume_info *spec, int64_t nx, int64_t ny, int64_t nz, zs_type t)
{
    zs_volume_info_init(spec);
    spec->shape[0] = nx, spec->shape[1] = ny, spec->shape[2] = nz;
    spec->dtype.type = t;
    spec->voxel[0] = spec->voxel[1] = 0.5;
    spec->voxel[2] = 2;
    snprintf(spec->unit, sizeof spec->unit, "um");
}

static uint16_t value_at(int64_t x, int64_t y, int64_t z) { return (uint16_t)(x * 7 + y * 131 + z * 1009); }

/* Writes planes [z0,z1) through slab mappings (what workers do). */
static void write_slab(zs_volume *v, int64_t z0, int64_t z1)
{
    const zs_volume_info *i = zs_volume_get_info(v);
    zs_slab s;
    zs_mapping m;
    assert_int_equal(zs_slab_make(i, 0, z0, z1, 0, &s), ZS_OK);
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    uint16_t *d = m.data;
    for (int64_t z = z0; z < z1; z++)
        for (int64_t y = 0; y < i->shape[1]; y++)
            for (int64_t x = 0; x < i->shape[0]; x++) {
                uint16_t val = value_at(x, y, z);
                if (i->dtype.big_endian != zs__host_big_endian()) zs__bswap(&val, 2, 1);
                d[((z - z0) * i->shape[1] + y) * i->shape[0] + x] = val;
            }
    if (zs_slab_unmap(&m) != ZS_OK) fail_msg("%s", zs_last_error());
}

static void check_slab(const zs_volume *v, int64_t z0, int64_t z1)
{
    const zs_volume_info *i = zs_volume_get_info(v);
    zs_slab s = {0, z0, z1, z0, z1};
    zs_mapping m;
    if (zs_slab_map(v, &s, &m) != ZS_OK) fail_msg("%s", zs_last_error());
    const uint16_t *d = m.data;
    for (int64_t z = z0; z < z1; z++)
        for (int64_t y = 0; y < i->shape[1]; y++)
            for (int64_t x = 0; x < i->shape[0]; x++) {
                uint16_t val = d[((z - z0) * i->shape[1] + y) * i->shape[0] + x];
                if (i->dtype.big_endian != zs__host_big_endian()) zs__bswap(&val, 2, 1);
                if (val != value_at(x, y, z))
                    fail_msg("(%lld,%lld,%lld): %u", (long long)x, (long long)y, (long long)z, val);
            }
    zs_slab_unmap(&m);
}

static void test_write_contiguous(void **state)
{
    (void)state;
    zs_volume_info spec;
    spec_of(&spec, 33, 20, 7, ZS_U16);
    spec.dtype.big_endian = 1; /* the file takes the dtype's byte order */
    zs_volume *v = NULL;
    unlink("tt_plain.tif");
    if (zs_volume_create("tt_plain.tif", &spec, NULL, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    const zs_volume_info *i = zs_volume_get_info(v);
    assert_int_equal(i->decoded, 0);
    assert_int_equal(i->offset % 4096, 0);
    assert_int_equal(i->version, 42);
    for (int64_t z = 0; z < 7; z += 3) write_slab(v, z, z + 3 < 7 ? z + 3 : 7);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    const uint64_t offset = i->offset;
    zs_volume_free(v);
    assert_int_equal(zs_volume_open("tt_plain.tif", NULL, &v), ZS_OK);
    i = zs_volume_get_info(v);
    assert_int_equal(i->decoded, 0);
    assert_int_equal(i->offset, offset); /* mapped where it was written */
    assert_int_equal(i->dtype.big_endian, 1);
    assert_true(i->voxel[0] == 0.5 && i->voxel[2] == 2);
    assert_string_equal(i->unit, "um");
    check_slab(v, 0, 7);
    zs_volume_free(v);
    unlink("tt_plain.tif");
}

static void test_write_compressed(void **state)
{
    (void)state;
    static const zs_compression comps[] = {ZS_COMPRESS_DEFLATE, ZS_COMPRESS_LZW};
    for (size_t c = 0; c < COUNT(comps); c++) {
        zs_volume_info spec;
        spec_of(&spec, 40, 31, 9, ZS_U16);
        zs_create_opts o;
        zs_create_opts_default(&o);
        o.compress = comps[c];
        o.force = 1;
        zs_volume *v = NULL;
        if (zs_volume_create("tt_comp.tif", &spec, &o, &v) != ZS_OK) fail_msg("%s", zs_last_error());
        assert_int_equal(zs_volume_get_info(v)->decoded, 1);
        /* slabs out of order: pages still end up in order */
        write_slab(v, 6, 9);
        write_slab(v, 0, 2);
        assert_int_equal(zs_volume_commit(v), ZS_EINVAL); /* planes 2..5 missing */
        assert_non_null(strstr(zs_last_error(), "only 2 of 9 pages"));
        write_slab(v, 2, 6);
        zs_slab s;
        zs_mapping m;
        assert_int_equal(zs_slab_make(zs_volume_get_info(v), 0, 3, 4, 0, &s), ZS_OK);
        assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
        assert_int_equal(zs_slab_unmap(&m), ZS_EINVAL); /* written twice */
        assert_non_null(strstr(zs_last_error(), "written twice"));
        assert_int_equal(zs_volume_commit(v), ZS_OK);
        zs_volume_free(v);
        assert_int_equal(zs_volume_open("tt_comp.tif", NULL, &v), ZS_OK);
        assert_int_equal(zs_volume_get_info(v)->decoded, 1);
        check_slab(v, 0, 9);
        check_slab(v, 4, 6);
        zs_volume_free(v);
    }
    unlink("tt_comp.tif");
}

/* Many threads decode pages of one compressed file at once, each through its own handle. */
static void test_concurrent_decode(void **state)
{
    (void)state;
    zs_volume_info spec;
    spec_of(&spec, 50, 40, 64, ZS_U16);
    zs_create_opts o;
    zs_create_opts_default(&o);
    o.compress = ZS_COMPRESS_DEFLATE;
    o.force = 1;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_create("tt_conc.tif", &spec, &o, &v), ZS_OK);
    for (int64_t z = 0; z < 64; z += 8) write_slab(v, z, z + 8);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
    assert_int_equal(zs_volume_open("tt_conc.tif", NULL, &v), ZS_OK);
    int bad = 0;
#pragma omp parallel for num_threads(4) schedule(dynamic, 1) reduction(+ : bad)
    for (int k = 0; k < 256; k++) {
        const int64_t z0 = (k * 37) % 62;
        zs_slab s = {0, z0, z0 + 2, z0, z0 + 2};
        zs_mapping m;
        if (zs_slab_map(v, &s, &m) != ZS_OK) {
            bad++;
            continue;
        }
        const uint16_t *d = m.data;
        for (int64_t z = z0; z < z0 + 2; z++)
            for (int64_t y = 0; y < 40; y++)
                for (int64_t x = 0; x < 50; x++) bad += d[((z - z0) * 40 + y) * 50 + x] != value_at(x, y, z);
        zs_slab_unmap(&m);
    }
    assert_int_equal(bad, 0);
    zs_volume_free(v);
    unlink("tt_conc.tif");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_imagej),
        cmocka_unit_test(test_meta_ome),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_series_names),
        cmocka_unit_test(test_ok_files),
        cmocka_unit_test(test_write_contiguous),
        cmocka_unit_test(test_write_compressed),
        cmocka_unit_test(test_concurrent_decode),
    };
    return zs_test_exit(cmocka_run_group_tests_name("tiff", tests, NULL, NULL));
}
