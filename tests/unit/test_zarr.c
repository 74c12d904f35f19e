/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Zarr (core/zarr_meta.c, fmt_zarr.c, zarr_write.c): .zarray texts into descriptors (dtypes,
 * fill values, codecs, refusals naming the file), NGFF multiscales into zslab's axes, and an
 * output written in planes that do not start on its chunks (partial layers kept until
 * complete), read back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zarr_internal.h"
#include "zs_test_util.h"

static zs_status parse(const char *text, zs_zarr_array *a)
{
    return zs__zarr_parse_array(text, strlen(text), "x/.zarray", a);
}

static void test_parse_array(void **state)
{
    (void)state;
    zs_zarr_array a;
    assert_int_equal(parse("{\"zarr_format\": 2, \"shape\": [5, 6, 7], \"chunks\": [2, 4, 7], \"dtype\": \">u2\", "
                           "\"order\": \"F\", \"fill_value\": 258, \"filters\": null, \"dimension_separator\": \"/\", "
                           "\"compressor\": {\"id\": \"blosc\", \"cname\": \"zstd\", \"clevel\": 5, \"shuffle\": 2}}",
                           &a),
                     ZS_OK);
    assert_int_equal(a.ndim, 3);
    assert_true(a.shape[0] == 5 && a.shape[2] == 7 && a.chunks[1] == 4);
    assert_true(a.dtype.type == ZS_U16 && a.dtype.big_endian && a.fortran && a.sep == '/');
    assert_true(a.has_fill && a.fill[0] == 1 && a.fill[1] == 2); /* 258 big-endian */
    assert_true(a.codec.id == ZARR_BLOSC && a.codec.shuffle == 2 && strcmp(a.codec.cname, "zstd") == 0);
    assert_int_equal(parse("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \"<f4\", \"order\": "
                           "\"C\", \"fill_value\": \"NaN\", \"compressor\": null}",
                           &a),
                     ZS_OK);
    float f;
    memcpy(&f, a.fill, 4);
    assert_true(isnan(f) && a.sep == '.' && a.codec.id == ZARR_RAW);
    assert_int_equal(parse("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \"<i4\", \"order\": "
                           "\"C\", \"fill_value\": null, \"compressor\": {\"id\": \"gzip\", \"level\": 1}}",
                           &a),
                     ZS_OK);
    assert_true(!a.has_fill && a.codec.id == ZARR_GZIP);
    /* fill values beyond the dtype saturate, as zslab stores results */
    assert_int_equal(parse("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \"<u2\", \"order\": "
                           "\"C\", \"fill_value\": 70000, \"compressor\": null}",
                           &a),
                     ZS_OK);
    assert_true(a.fill[0] == 0xff && a.fill[1] == 0xff);
    assert_int_equal(parse("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \">i8\", \"order\": "
                           "\"C\", \"fill_value\": -1e300, \"compressor\": null}",
                           &a),
                     ZS_OK);
    assert_true(a.fill[0] == 0x80 && a.fill[7] == 0x00);
    /* 64-bit integers from their digits: 2^53 + 1 is not a double */
    assert_int_equal(
        parse("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \"<i8\", \"order\": "
              "\"C\", \"attrs\": {\"fill_value\": 5}, \"fill_value\": -9007199254740993, \"compressor\": null}",
              &a),
        ZS_OK);
    int64_t i64;
    memcpy(&i64, a.fill, 8);
    assert_true(i64 == -9007199254740993LL);
    assert_int_equal(parse("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \"<u8\", \"order\": "
                           "\"C\", \"fill_value\" : 18446744073709551615, \"compressor\": null}",
                           &a),
                     ZS_OK);
    uint64_t u64;
    memcpy(&u64, a.fill, 8);
    assert_true(u64 == UINT64_MAX);
}

static void refused(const char *text, const char *needle)
{
    zs_zarr_array a;
    assert_true(parse(text, &a) < 0);
    if (!strstr(zs_last_error(), needle) || !strstr(zs_last_error(), "x/.zarray"))
        fail_msg("message '%s' lacks '%s' or the file", zs_last_error(), needle);
}

static void test_parse_refusals(void **state)
{
    (void)state;
    refused("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \"<u2\", \"order\": \"C\", "
            "\"compressor\": {\"id\": \"lzma\"}}",
            "lzma");
    refused("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \"<u2\", \"order\": \"C\", "
            "\"filters\": [{\"id\": \"delta\"}], \"compressor\": null}",
            "delta");
    refused("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [0], \"dtype\": \"<u2\", \"order\": \"C\"}", "chunks");
    refused("{\"zarr_format\": 2, \"shape\": [3, 4], \"chunks\": [3], \"dtype\": \"<u2\", \"order\": \"C\"}", "chunks");
    refused("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \"<f2\", \"order\": \"C\"}", "<f2");
    refused("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": [[\"a\", \"<u2\"]], \"order\": \"C\"}",
            "dtype");
    refused("{\"zarr_format\": 3}", "zarr_format");
    refused("{\"zarr_format\": 2, \"shape\": [", "JSON");
    refused("{\"zarr_format\": 2, \"shape\": [1, 1, 1, 1, 1, 1], \"chunks\": [1, 1, 1, 1, 1, 1], \"dtype\": \"<u2\", "
            "\"order\": \"C\"}",
            "dimensions");
}

static void test_multiscales(void **state)
{
    (void)state;
    static const char attrs[] =
        "{\"multiscales\": [{\"version\": \"0.4\", \"axes\": [{\"name\": \"t\", \"type\": \"time\"}, {\"name\": "
        "\"c\", \"type\": \"channel\"}, {\"name\": \"z\", \"type\": \"space\", \"unit\": \"micrometer\"}, "
        "{\"name\": \"y\", \"type\": \"space\", \"unit\": \"micrometer\"}, {\"name\": \"x\", \"type\": \"space\", "
        "\"unit\": \"micrometer\"}], \"datasets\": [{\"path\": \"0\", \"coordinateTransformations\": [{\"type\": "
        "\"scale\", \"scale\": [1, 1, 2.0, 0.5, 0.25]}]}, {\"path\": \"1\", \"coordinateTransformations\": "
        "[{\"type\": \"scale\", \"scale\": [1, 1, 4.0, 1.0, 0.5]}]}]}]}";
    zs_zarr_array a;
    memset(&a, 0, sizeof a);
    a.ndim = 5;
    const int64_t shape[5] = {2, 3, 10, 20, 30};
    for (int d = 0; d < 5; d++) a.shape[d] = shape[d], a.chunks[d] = 4;
    a.dtype.type = ZS_U16;
    char path[64], first[64];
    zs_zarr_axes ax;
    assert_int_equal(zs__zarr_first_dataset(attrs, strlen(attrs), "g/.zattrs", first, sizeof first), ZS_OK);
    assert_string_equal(first, "0");
    assert_true(zs__zarr_lists_dataset(attrs, strlen(attrs), "1") &&
                !zs__zarr_lists_dataset(attrs, strlen(attrs), "2"));
    assert_int_equal(zs__zarr_parse_multiscales(attrs, strlen(attrs), "g/.zattrs", "1", &a, path, sizeof path, &ax),
                     ZS_OK);
    assert_true(ax.role[0] == 3 && ax.role[1] == 3 && ax.role[2] == 2 && ax.role[3] == 1 && ax.role[4] == 0);
    assert_true(ax.tstride[1] == 1 && ax.tstride[0] == 3); /* t = c + C*frame */
    zs_volume_info info;
    zs_volume_info_init(&info);
    assert_int_equal(zs__zarr_info(&a, &ax, &info), ZS_OK);
    assert_true(info.shape[0] == 30 && info.shape[1] == 20 && info.shape[2] == 10 && info.shape[3] == 6);
    assert_true(info.voxel[0] == 0.5 && info.voxel[1] == 1.0 && info.voxel[2] == 4.0 && info.ndim == 4);
    assert_string_equal(info.unit, "um");
    assert_true(zs__zarr_parse_multiscales(attrs, strlen(attrs), "g/.zattrs", "7", &a, path, sizeof path, &ax) < 0);
    assert_non_null(strstr(zs_last_error(), "g/.zattrs"));
    a.ndim = 3; /* five axes named for three dimensions */
    assert_true(zs__zarr_parse_multiscales(attrs, strlen(attrs), "g/.zattrs", "0", &a, path, sizeof path, &ax) < 0);
    /* t and c of 2^32 and 2^32 + 1: more volumes than a 64-bit count, refused (not an overflow) */
    a.ndim = 5;
    a.shape[0] = (int64_t)1 << 32, a.shape[1] = ((int64_t)1 << 32) + 1;
    assert_int_equal(zs__zarr_parse_multiscales(attrs, strlen(attrs), "g/.zattrs", "0", &a, path, sizeof path, &ax),
                     ZS_EOVERFLOW);
    assert_non_null(strstr(zs_last_error(), "g/.zattrs"));
}

/* Planes written in slabs that do not start on the chunks (4 planes): read back the same. */
static void test_write_unaligned(void **state)
{
    (void)state;
    const int64_t nx = 21, ny = 13, nz = 10, plane = nx * ny;
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = nx, spec.shape[1] = ny, spec.shape[2] = nz;
    spec.dtype.type = ZS_U16;
    zs_create_opts o;
    zs_create_opts_default(&o);
    o.force = 1;
    o.chunk[0] = 8, o.chunk[1] = 5, o.chunk[2] = 4;
    o.compress = ZS_COMPRESS_BLOSC_LZ4;
    uint16_t *src = malloc((size_t)(plane * nz) * 2), *back = calloc((size_t)(plane * nz), 2);
    assert_non_null(src);
    assert_non_null(back);
    for (int64_t i = 0; i < plane * nz; i++) src[i] = (uint16_t)(i * 7 + 3);
    zs_volume *v = NULL;
    if (zs_volume_create("tz.zarr", &spec, &o, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    static const int64_t runs[][2] = {{6, 9}, {0, 3}, {9, 10}, {3, 6}};
    for (size_t r = 0; r < 3; r++)
        assert_int_equal(zs__volume_write(v, 0, runs[r][0], runs[r][1], 0, ny, src + runs[r][0] * plane), ZS_OK);
    assert_int_equal(zs_volume_commit(v), ZS_EINVAL); /* planes 3..5 missing */
    assert_non_null(strstr(zs_last_error(), "only 7 of 10 planes"));
    assert_int_equal(zs__volume_write(v, 0, 3, 6, 0, ny, src + 3 * plane), ZS_OK);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
    assert_int_equal(zs_volume_open("tz.zarr", NULL, &v), ZS_OK);
    const zs_volume_info *i = zs_volume_get_info(v);
    assert_true(i->shape[0] == nx && i->shape[1] == ny && i->shape[2] == nz && i->decoded);
    assert_int_equal(zs__volume_read(v, 0, 0, nz, 0, ny, back), ZS_OK);
    assert_memory_equal(back, src, (size_t)(plane * nz) * 2);
    assert_int_equal(zs__volume_read(v, 0, 5, 7, 0, ny, back), ZS_OK); /* two layers, from the middle */
    assert_memory_equal(back, src + 5 * plane, (size_t)(2 * plane) * 2);
    zs_volume_free(v);
    zs_test_remove_tree("tz.zarr");
    free(src);
    free(back);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* Mode r+ (how the parts of a journaled job write an output another part created): zslab's own
 * output, and a (t, z, y, x) image with t of length 1 as other tools write it, take planes in
 * place with the array's chunks (chunk keys t/z/y/x for the latter), are made durable, read back
 * in mode r, and refuse to be read in mode r+. */
static void test_write_in_place(void **state)
{
    (void)state;
    const int64_t nx = 10, ny = 12, nz = 16, plane = nx * ny;
    uint16_t *src = malloc((size_t)(plane * nz) * 2), *back = calloc((size_t)(plane * nz), 2);
    assert_non_null(src);
    assert_non_null(back);
    for (int64_t i = 0; i < plane * nz; i++) src[i] = (uint16_t)(i * 5 + 1);
    assert_int_equal(system("rm -rf t4.zarr && mkdir -p t4.zarr/0"), 0);
    put("t4.zarr/.zgroup", "{\"zarr_format\": 2}");
    put("t4.zarr/.zattrs", "{\"multiscales\": [{\"version\": \"0.4\", \"axes\": [{\"name\": \"t\", \"type\": "
                           "\"time\"}, {\"name\": \"z\"}, {\"name\": \"y\"}, {\"name\": \"x\"}], \"datasets\": "
                           "[{\"path\": \"0\"}]}]}");
    put("t4.zarr/0/.zarray", "{\"chunks\": [1, 8, 12, 10], \"compressor\": null, \"dimension_separator\": \"/\", "
                             "\"dtype\": \"<u2\", \"fill_value\": 0, \"filters\": null, \"order\": \"C\", "
                             "\"shape\": [1, 16, 12, 10], \"zarr_format\": 2}");
    zs_open_opts oo;
    zs_open_opts_default(&oo);
    oo.mode = "r+";
    zs_volume *v = NULL;
    if (zs_volume_open("t4.zarr", &oo, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    assert_int_equal(zs_volume_write_z_align(v), 8);
    assert_int_equal(zs__volume_read(v, 0, 0, 1, 0, ny, back), ZS_EUNSUPPORTED);
    assert_int_equal(zs__volume_write(v, 0, 8, 16, 0, ny, src + 8 * plane), ZS_OK);
    assert_int_equal(zs__volume_write(v, 0, 0, 8, 0, ny, src), ZS_OK);
    assert_int_equal(zs__volume_sync(v, 0, 0, nz), ZS_OK);
    zs_volume_free(v);
    FILE *f = fopen("t4.zarr/0/0/1/0/0", "rb"); /* t/z/y/x: raw chunk 1 of t 0 */
    assert_non_null(f);
    fclose(f);
    assert_int_equal(zs_volume_open("t4.zarr", NULL, &v), ZS_OK);
    assert_int_equal(zs__volume_read(v, 0, 0, nz, 0, ny, back), ZS_OK);
    assert_memory_equal(back, src, (size_t)(plane * nz) * 2);
    zs_volume_free(v);
    zs_test_remove_tree("t4.zarr");
    free(src);
    free(back);
}

/* A raw uint16 array of shape (4, 6, 5) (x, y, z) in chunks of (2, 4, 5) at dir, with metadata
 * `meta` (.zarray or zarr.json): chunk (i, j, 0) holds 100 + 2i + j, and chunk (1, 1, 0) is not
 * written (fill_value 7). `key` formats a chunk's file name from i and j. */
static void small_array(const char *dir, const char *meta, const char *text, const char *key)
{
    char p[256], cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(p, sizeof p, "%s/%s", dir, meta);
    put(p, text);
    for (int c = 0; c < 3; c++) {
        uint16_t chunk[2 * 4 * 5];
        for (int e = 0; e < 40; e++) chunk[e] = (uint16_t)(100 + c);
        const int n = snprintf(p, sizeof p, "%s/", dir);
        snprintf(p + n, sizeof p - (size_t)n, key, c / 2, c % 2);
        snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname %s)\"", p);
        assert_int_equal(system(cmd), 0);
        FILE *f = fopen(p, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(chunk, 2, 40, f), 40);
        assert_int_equal(fclose(f), 0);
    }
}

static void read_fails(zs_volume *v, uint16_t *back, const char *n1, const char *n2)
{
    assert_true(zs__volume_read(v, 0, 0, 5, 0, 6, back) < 0);
    if (!strstr(zs_last_error(), n1) || !strstr(zs_last_error(), n2))
        fail_msg("message '%s' lacks '%s' or '%s'", zs_last_error(), n1, n2);
}

/* The chunk files present at open are the input: one removed later is an error naming it, one
 * written later stays fill_value, the metadata replaced is an error; v2 and v3 keys. */
static void check_vanishing(const char *dir, const char *meta, const char *text, const char *key)
{
    uint16_t back[4 * 6 * 5];
    char p[256], q[256];
    small_array(dir, meta, text, key);
    zs_volume *v = NULL;
    if (zs_volume_open(dir, NULL, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    assert_int_equal(zs__volume_read(v, 0, 0, 5, 0, 6, back), ZS_OK);
    assert_true(back[0] == 100 && back[3 + 4 * 0] == 102 && back[0 + 4 * 5] == 101 && back[3 + 4 * 5] == 7);
    /* written after open: still fill_value */
    int n = snprintf(p, sizeof p, "%s/", dir);
    snprintf(p + n, sizeof p - (size_t)n, key, 1, 1);
    n = snprintf(q, sizeof q, "%s/", dir);
    snprintf(q + n, sizeof q - (size_t)n, key, 0, 1);
    char cmd[900];
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname %s)\" && cp %s %s", p, q, p);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(zs__volume_read(v, 0, 0, 5, 0, 6, back), ZS_OK);
    assert_int_equal(back[3 + 4 * 5], 7);
    /* gone after open: the input changed */
    assert_int_equal(remove(q), 0);
    read_fails(v, back, q, "changed during the run");
    zs_volume_free(v);
    /* opened without it: fill_value; then the metadata replaced (zarr-python's mode 'w') */
    if (zs_volume_open(dir, NULL, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    assert_int_equal(zs__volume_read(v, 0, 0, 5, 0, 6, back), ZS_OK);
    assert_int_equal(back[0 + 4 * 5], 7);
    snprintf(p, sizeof p, "%s/%s.new", dir, meta);
    put(p, text);
    snprintf(q, sizeof q, "%s/%s", dir, meta);
    assert_int_equal(rename(p, q), 0);
    read_fails(v, back, q, "gone or was replaced");
    zs_volume_free(v);
    /* the whole array removed */
    if (zs_volume_open(dir, NULL, &v) != ZS_OK) fail_msg("%s", zs_last_error());
    zs_test_remove_tree(dir);
    read_fails(v, back, dir, "changed during the run");
    zs_volume_free(v);
}

static void test_chunk_vanished(void **state)
{
    (void)state;
    check_vanishing("tv2.zarr", ".zarray",
                    "{\"zarr_format\": 2, \"shape\": [4, 6, 5], \"chunks\": [2, 4, 5], \"dtype\": \"<u2\", "
                    "\"order\": \"C\", \"fill_value\": 7, \"compressor\": null}",
                    "%d.%d.0");
    check_vanishing("tvs.zarr", ".zarray",
                    "{\"zarr_format\": 2, \"shape\": [4, 6, 5], \"chunks\": [2, 4, 5], \"dtype\": \"<u2\", "
                    "\"order\": \"C\", \"fill_value\": 7, \"compressor\": null, \"dimension_separator\": \"/\"}",
                    "%d/%d/0");
    check_vanishing("tv3.zarr", "zarr.json",
                    "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [4, 6, 5], \"data_type\": "
                    "\"uint16\", \"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": "
                    "[2, 4, 5]}}, \"chunk_key_encoding\": {\"name\": \"default\"}, \"fill_value\": 7, "
                    "\"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]}",
                    "c/%d/%d/0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_array),    cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_multiscales),    cmocka_unit_test(test_write_unaligned),
        cmocka_unit_test(test_write_in_place), cmocka_unit_test(test_chunk_vanished),
    };
    return zs_test_exit(cmocka_run_group_tests_name("zarr", tests, NULL, NULL));
}
