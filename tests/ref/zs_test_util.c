/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Fixtures shared by the unit tests (see zs_test_util.h). */
#include "zs_test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zs_internal.h"

static int skipped;

void zs_test_skip(const char *why)
{
    print_message("skipped: %s\n", why);
    skipped++;
    skip();
}

int zs_test_exit(int failed)
{
    if (failed) return 1;
    return skipped ? ZS_TEST_SKIPPED : 0;
}

int zs_test_tmpdir_setup(void **state, const char *prefix)
{
    zs_test_tmpdir *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "%sXXXXXX", prefix);
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int zs_test_tmpdir_teardown(void **state)
{
    zs_test_tmpdir *f = *state;
    zs_test_remove_tree(f->dir);
    free(f);
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void zs_test_remove_tree(const char *path) { nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

const char *zs_test_data_dir(void)
{
    const char *d = getenv("ZS_TEST_DATA");
    if (!d || !*d) fail_msg("ZS_TEST_DATA is not set (ctest sets it to tests/data)");
    return d;
}

void zs_test_check_listed(const char *sub, int (*is_listed)(const char *name), const char *const *names, size_t count,
                          const char *table)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", zs_test_data_dir(), sub);
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_listed(e->d_name)) continue;
        size_t k = 0;
        while (k < count && strcmp(names[k], e->d_name) != 0) k++;
        if (k == count) {
            closedir(d);
            fail_msg("%s/%s has no row in the table of %s", sub, e->d_name, table);
        }
    }
    closedir(d);
}

unsigned char *zs_test_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n + 1);
    if (b && fread(b, 1, *n, f) != *n) {
        free(b);
        b = NULL;
    }
    if (b) b[*n] = '\0';
    fclose(f);
    return b;
}

void zs_test_check_pattern97(const zs_volume *v)
{
    const zs_volume_info *i = zs_volume_get_info(v);
    const size_t vol = (size_t)(i->shape[0] * i->shape[1] * i->shape[2]);
    float *buf = malloc(vol * sizeof *buf);
    assert_non_null(buf);
    for (int64_t t = 0; t < i->shape[3]; t++) {
        zs_slab s;
        zs_mapping m;
        assert_int_equal(zs_slab_make(i, t, 0, i->shape[2], 0, &s), ZS_OK);
        assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
        zs__to_f32(m.data, i->dtype, vol, 1.0, 0.0, buf);
        for (size_t k = 0; k < vol; k++) {
            size_t lin = (size_t)t * vol + k;
            /* bool files hold (i % 97) % 3 == 1 (make_data.py) */
            size_t want = i->dtype.type == ZS_BOOL ? (lin % 97) % 3 == 1 : lin % 97;
            if (buf[k] != (float)want) fail_msg("%s: voxel %zu is %g, expected %zu", i->path, lin, buf[k], want);
        }
        assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    }
    free(buf);
}

zs_volume *zs_test_volume_new(const char *path, int64_t nx, int64_t ny, int64_t nz, int64_t nt, zs_type t, int direct)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = nx, spec.shape[1] = ny, spec.shape[2] = nz, spec.shape[3] = nt;
    spec.ndim = nt > 1 ? 4 : 3;
    spec.dtype.type = t;
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = 1;
    co.direct = direct;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_create(path, &spec, &co, &v), ZS_OK);
    return v;
}

uint64_t zs_test_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

uint64_t zs_test_seed(int argc, char **argv, const char *name, uint64_t dflt)
{
    uint64_t seed = dflt;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--seed") == 0) seed = strtoull(argv[i + 1], NULL, 0);
    printf("# %s --seed %llu\n", name, (unsigned long long)seed);
    return seed;
}

static int64_t clamp_index(int64_t i, int64_t n) { return i < 0 ? 0 : i >= n ? n - 1 : i; }

float zs_test_box_max3(const float *a, int64_t nx, int64_t ny, int64_t nz, int64_t x, int64_t y, int64_t z)
{
    float m = -INFINITY;
    for (int dz = -1; dz <= 1; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                const float v =
                    a[(clamp_index(z + dz, nz) * ny + clamp_index(y + dy, ny)) * nx + clamp_index(x + dx, nx)];
                if (v > m) m = v;
            }
    return m;
}
