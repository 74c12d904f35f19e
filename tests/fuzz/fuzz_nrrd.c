/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for the NRRD header parser (core/fmt_nrrd.c).
 *
 * Parses the bytes as the first bytes of a file of the same size, of a much larger size and
 * of the largest size; a failure must name the file, a success must describe a volume whose
 * attached data fit in the file (or name a data file) and survive a write_header → parse
 * round trip, attached and detached. Any violation aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OPS zs__fmt_nrrd
#define NAME "fuzz.nrrd"

#define REQUIRE(cond)                                                                          \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: %s does not hold (last error: %s)\n", __FILE__, __LINE__, #cond, \
                    zs_last_error());                                                          \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

static void roundtrip(const zs_volume_info *info, int detached)
{
    static unsigned char hdr[65536];
    zs_volume_info spec = *info, back;
    snprintf(spec.data_path, sizeof spec.data_path, "%s", detached ? "dir/data.raw" : "");
    const int64_t hn = OPS.write_header(&spec, hdr, sizeof hdr);
    REQUIRE(hn > 0);
    zs_volume_info_init(&back);
    snprintf(back.path, sizeof back.path, "dir/roundtrip");
    REQUIRE(OPS.parse(hdr, (size_t)hn, (uint64_t)hn + info->nbytes, &back) == ZS_OK);
    REQUIRE(memcmp(back.shape, info->shape, sizeof back.shape) == 0);
    REQUIRE(back.dtype.type == info->dtype.type && back.dtype.big_endian == info->dtype.big_endian);
    REQUIRE(strcmp(back.unit, info->unit) == 0);
    for (int d = 0; d < 3; d++) REQUIRE(back.voxel[d] == info->voxel[d]);
    REQUIRE(detached ? strcmp(back.data_path, "dir/data.raw") == 0 : back.offset == (uint64_t)hn);
}

static void check_success(const zs_volume_info *info, uint64_t file_size)
{
    REQUIRE(info->ndim >= 1 && info->ndim <= 4 && zs_dtype_size(info->dtype) > 0);
    for (int d = 0; d < 4; d++) REQUIRE(info->shape[d] >= 1);
    for (int d = 0; d < 3; d++) REQUIRE(info->voxel[d] > 0);
    if (!info->data_path[0]) REQUIRE(info->offset <= file_size && info->nbytes <= file_size - info->offset);
    roundtrip(info, 0);
    roundtrip(info, 1);
}

static void run(const uint8_t *data, size_t size, uint64_t file_size)
{
    zs_volume_info info;
    zs_volume_info_init(&info);
    snprintf(info.path, sizeof info.path, NAME);
    zs_clear_error();
    const zs_status st = OPS.parse(data, size, file_size, &info);
    if (st == ZS_OK) check_success(&info, file_size);
    else REQUIRE(st >= ZS_EINTERNAL && strncmp(zs_last_error(), NAME ": ", strlen(NAME) + 2) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, size);
    run(data, size, (uint64_t)size + ((uint64_t)1 << 40));
    run(data, size, UINT64_MAX);
    return 0;
}
