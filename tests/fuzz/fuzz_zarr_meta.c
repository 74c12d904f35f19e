/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for the Zarr metadata parsers (core/zarr_meta.c): .zarray and v3
 * zarr.json arrays, and the NGFF multiscales of a group. Whatever the bytes, the parsers must
 * stay inside them, and an array they accept must be sane: 1 to 5 dimensions, shapes >= 0,
 * chunks >= 1 of a bounded size, a storage order that is a permutation, axes that map each
 * dimension to x, y, z or t once. */
#include "fuzz_common.h"
#include "zarr_internal.h"

static void check_array(const zs_zarr_array *a)
{
    REQUIRE(a->ndim >= 1 && a->ndim <= ZARR_MAX_DIMS);
    uint64_t bytes = zs_dtype_size(a->dtype);
    int seen[ZARR_MAX_DIMS] = {0};
    REQUIRE(bytes > 0);
    for (int d = 0; d < a->ndim; d++) {
        REQUIRE(a->shape[d] >= 0 && a->chunks[d] >= 1);
        bytes *= (uint64_t)a->chunks[d];
        REQUIRE(bytes <= ZARR_MAX_CHUNK_BYTES);
        REQUIRE(a->perm[d] >= 0 && a->perm[d] < a->ndim && !seen[a->perm[d]]++);
    }
    REQUIRE(a->sep == '.' || a->sep == '/');
}

static void check_axes(const zs_zarr_array *a, const zs_zarr_axes *ax)
{
    int seen[3] = {0, 0, 0};
    for (int d = 0; d < a->ndim; d++) {
        REQUIRE(ax->role[d] >= 0 && ax->role[d] <= 3);
        if (ax->role[d] < 3) REQUIRE(!seen[ax->role[d]]++);
        REQUIRE(ax->tstride[d] >= 1);
    }
    REQUIRE(memchr(ax->unit, 0, sizeof ax->unit) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    zs_zarr_array a;
    zs_zarr_axes ax;
    char path[256], out[256];
    if (zs__zarr_parse_array(text, size, "f/.zarray", &a) == ZS_OK) check_array(&a);
    if (zs__zarr_parse_array_v3(text, size, "f/zarr.json", &a) == ZS_OK) check_array(&a);
    for (int nd = 3; nd <= 5; nd += 2) { /* z, y, x; t, c, z, y, x */
        memset(&a, 0, sizeof a);
        a.ndim = nd, a.dtype.type = ZS_U16;
        for (int d = 0; d < nd; d++) a.shape[d] = 4, a.chunks[d] = 2, a.perm[d] = d;
        if (zs__zarr_first_dataset(text, size, "f/.zattrs", path, sizeof path) != ZS_OK) break;
        REQUIRE(memchr(path, 0, sizeof path) != NULL && path[0]);
        if (zs__zarr_lists_dataset(text, size, path) &&
            zs__zarr_parse_multiscales(text, size, "f/.zattrs", path, &a, out, sizeof out, &ax) == ZS_OK)
            check_axes(&a, &ax);
    }
    (void)zs__zarr_v3_node(text, size);
    return 0;
}
