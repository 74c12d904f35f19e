/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* HDF5 (core/fmt_hdf5.c, hdf5_write.c, hdf5_layouts.c) through the library: names, the output's
 * life (claim, partial file, commit, removal), chunks and z_align, planes written and read back
 * through the volume functions, a second writer refused. h5py's side is tests/python/test_hdf5_h5py.py. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hdf5_internal.h"

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void test_names(void **state)
{
    (void)state;
    char f[256], d[256];
    zs__h5_split_name("a.h5:/x/y", f, sizeof f, d, sizeof d);
    assert_string_equal(f, "a.h5");
    assert_string_equal(d, "/x/y");
    zs__h5_split_name("dir/A.HDF5:x", f, sizeof f, d, sizeof d);
    assert_string_equal(f, "dir/A.HDF5");
    assert_string_equal(d, "/x");
    zs__h5_split_name("b.ims", f, sizeof f, d, sizeof d);
    assert_string_equal(f, "b.ims");
    assert_string_equal(d, "");
    zs__h5_split_name("c.h5:/", f, sizeof f, d, sizeof d);
    assert_string_equal(f, "c.h5");
    assert_string_equal(d, "");
    zs__h5_split_name("e.h5:/p/q.ims:/r", f, sizeof f, d, sizeof d); /* the first separator */
    assert_string_equal(f, "e.h5");
    assert_string_equal(d, "/p/q.ims:/r");
    assert_true(zs__h5_names_dataset("x.he5:/d"));
    assert_false(zs__h5_names_dataset("x.h5"));
    zs_format fmt = ZS_FMT_AUTO;
    assert_int_equal(zs_volume_identify("not_there.h5:/some/dataset", &fmt), ZS_OK);
    assert_int_equal(fmt, ZS_FMT_HDF5);
    assert_int_equal(zs_volume_identify("not_there.ims", &fmt), ZS_OK);
    assert_int_equal(fmt, ZS_FMT_HDF5);
}

static zs_volume_info spec_u16(void)
{
    zs_volume_info s;
    zs_volume_info_init(&s);
    s.shape[0] = 7, s.shape[1] = 5, s.shape[2] = 10;
    s.dtype.type = ZS_U16;
    return s;
}

static void test_write_read(void **state)
{
    (void)state;
    const char *name = "rw.h5:/g/v";
    unlink("rw.h5");
    zs_volume_info s = spec_u16();
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.compress = ZS_COMPRESS_GZIP;
    co.chunk[0] = 4, co.chunk[1] = 3, co.chunk[2] = 4;
    assert_int_equal(zs_path_write_z_align(name, &co), 4);
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_create(name, &s, &co, &v), ZS_OK);
    assert_true(zs_volume_writes_whole_planes(v));
    assert_int_equal(zs_volume_write_z_align(v), 4);
    assert_true(exists("rw.h5.partial"));
    assert_false(exists("rw.h5"));
    uint16_t planes[10][5][7];
    for (int z = 0; z < 10; z++)
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++) planes[z][y][x] = (uint16_t)(1000 * z + 10 * y + x);
    for (int z0 = 0; z0 < 10; z0 += 4) {
        const int z1 = z0 + 4 < 10 ? z0 + 4 : 10;
        assert_int_equal(zs__volume_write(v, 0, z0, z1, 0, 5, planes[z0]), ZS_OK);
    }
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
    assert_false(exists("rw.h5.partial"));
    assert_true(exists("rw.h5"));

    assert_int_equal(zs_volume_open(name, NULL, &v), ZS_OK);
    const zs_volume_info *i = zs_volume_get_info(v);
    assert_int_equal(i->format, ZS_FMT_HDF5);
    assert_int_equal(i->decoded, 1);
    assert_int_equal(i->shape[0], 7);
    assert_int_equal(i->shape[2], 10);
    assert_string_equal(zs_volume_file(v, 0), "rw.h5");
    assert_null(zs_volume_file(v, 1));
    uint16_t back[3][5][7];
    assert_int_equal(zs__volume_read(v, 0, 3, 6, 0, 5, back), ZS_OK);
    assert_memory_equal(back, planes[3], sizeof back);
    assert_int_equal(zs__volume_read(v, 0, 6, 8, 1, 3, back), ZS_OK); /* rows 1..2 of planes 6..7 */
    assert_memory_equal(back[0], planes[6][1], 2 * 7 * sizeof(uint16_t));
    assert_memory_equal(&back[0][2], planes[7][1], 2 * 7 * sizeof(uint16_t));
    zs_volume_free(v);
    unlink("rw.h5");
}

/* A second writer of the same output is refused while the first holds it; a volume freed
 * without commit leaves no file. */
static void test_claim(void **state)
{
    (void)state;
    unlink("claim.h5");
    zs_volume_info s = spec_u16();
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = 1;
    zs_volume *a = NULL, *b = NULL;
    assert_int_equal(zs_volume_create("claim.h5", &s, &co, &a), ZS_OK);
    assert_int_equal(zs_volume_create("claim.h5:/other", &s, &co, &b), ZS_EEXIST);
    assert_non_null(strstr(zs_last_error(), "another run is writing it"));
    assert_null(b);
    assert_int_equal(zs_volume_commit(a), ZS_EINVAL); /* no plane written */
    assert_non_null(strstr(zs_last_error(), "0 of 10 planes"));
    zs_volume_free(a);
    assert_false(exists("claim.h5.partial"));
    assert_false(exists("claim.h5"));
    zs_create_opts_default(&co);
    co.compress = ZS_COMPRESS_LZW;
    assert_int_equal(zs_volume_create("claim.h5", &s, &co, &a), ZS_EUNSUPPORTED);
    assert_false(exists("claim.h5.partial"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_claim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
