/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Fixtures shared by the unit tests: a temporary directory per test, the golden data of
 * tests/data, whole-file reads, small volumes on disk and the seeded random generator. */
#ifndef ZS_TEST_UTIL_H
#define ZS_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "zslab.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/** The per-test fixture of tests that write files: a fresh directory under the working
 *  directory (ctest runs each test in the build's tests/ folder). */
typedef struct zs_test_tmpdir {
    char dir[256];
} zs_test_tmpdir;

/** cmocka setup: makes `<prefix>XXXXXX` and stores a zs_test_tmpdir in *state.
 *  @return 0, or -1 when the directory cannot be made. */
int zs_test_tmpdir_setup(void **state, const char *prefix);

/** cmocka teardown: removes the directory and everything below it, and frees *state. */
int zs_test_tmpdir_teardown(void **state);

/** Removes `path` and, for a directory, everything below it (no link is followed). */
void zs_test_remove_tree(const char *path);

/** tests/data, from ZS_TEST_DATA (ctest sets it); fails the test when it is not set. */
const char *zs_test_data_dir(void);

/** Fails the test when data/<sub> holds a file that `is_listed` selects and `names[0..count)`
 *  lacks, so that a new golden file is tested; `table` names the test file for the message. */
void zs_test_check_listed(const char *sub, int (*is_listed)(const char *name), const char *const *names, size_t count,
                          const char *table);

/** The bytes of the whole file plus a terminating NUL, their count in *n.
 *  @return NULL when it cannot be read; the caller frees with free(). */
unsigned char *zs_test_slurp(const char *path, size_t *n);

/** Fails the test unless every voxel of `v` holds (its F-order linear index) % 97, read
 *  through slab mappings and the float32 conversion (the golden files of data/ok). */
void zs_test_check_pattern97(const zs_volume *v);

/** Creates `path` (assert on failure) with shape nx*ny*nz*nt (4-D when nt > 1) and type t,
 *  overwriting it; `direct`: create `path` itself instead of `path.partial`. */
zs_volume *zs_test_volume_new(const char *path, int64_t nx, int64_t ny, int64_t nz, int64_t nt, zs_type t, int direct);

/** Exit status of a test program whose cases all passed but some were skipped: ctest reports
 *  the program as skipped (SKIP_RETURN_CODE in tests/CMakeLists.txt), not as passed. */
#define ZS_TEST_SKIPPED 77

/** Ends the current cmocka test as skipped, printing why; zs_test_exit then returns
 *  ZS_TEST_SKIPPED. Use it instead of cmocka's skip(), which counts as passed. */
void zs_test_skip(const char *why);

/** main's status from cmocka_run_group_tests' count of failed tests: 1 when a test failed,
 *  else ZS_TEST_SKIPPED when zs_test_skip was called, else 0. */
int zs_test_exit(int failed);

/** xorshift64: the next value of the state *s (never 0 when *s is not 0). */
uint64_t zs_test_rand(uint64_t *s);

/** The value of `--seed N` in argv, else `dflt`; prints `# <name> --seed N` so a failure
 *  can be reproduced. */
uint64_t zs_test_seed(int argc, char **argv, const char *name, uint64_t dflt);

/** The maximum over the 3x3x3 box around (x,y,z) of an F-order float volume, nearest mode
 *  (the edge voxel repeats), written from its definition. */
float zs_test_box_max3(const float *a, int64_t nx, int64_t ny, int64_t nz, int64_t x, int64_t y, int64_t z);

#endif
