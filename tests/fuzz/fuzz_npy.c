/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for the .npy header parser (core/fmt_npy.c).
 *
 * Parses the bytes as the first bytes of a file of the same size, of a much larger size,
 * and of the largest size; a failure must name the file, a success must describe a volume
 * that fits in the file and survive a write_header → parse round trip. Any violation aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with the condition, so a crash report says which property broke. */
#define REQUIRE(cond)                                                                          \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: %s does not hold (last error: %s)\n", __FILE__, __LINE__, #cond, \
                    zs_last_error());                                                          \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

static void check_success(const zs_volume_info *info, uint64_t file_size)
{
    REQUIRE(info->ndim >= 1 && info->ndim <= 4 && zs_dtype_size(info->dtype) > 0);
    for (int d = 0; d < 4; d++) REQUIRE(info->shape[d] >= 1 && (d < info->ndim || info->shape[d] == 1));
    REQUIRE(info->offset <= file_size && info->nbytes <= file_size - info->offset);
    REQUIRE(info->slope == 1.0 && info->inter == 0.0);
    /* Round trip through the writer. */
    static unsigned char hdr[65536];
    zs_volume_info spec = *info, back;
    const int64_t hn = zs__fmt_npy.write_header(&spec, hdr, sizeof hdr);
    REQUIRE(hn > 0 && hn % 64 == 0);
    zs_volume_info_init(&back);
    snprintf(back.path, sizeof back.path, "roundtrip.npy");
    REQUIRE(zs__fmt_npy.parse(hdr, (size_t)hn, (uint64_t)hn + info->nbytes, &back) == ZS_OK);
    REQUIRE(memcmp(back.shape, info->shape, sizeof back.shape) == 0 && back.ndim == info->ndim);
    REQUIRE(back.dtype.type == info->dtype.type && back.dtype.big_endian == info->dtype.big_endian);
}

static void run(const uint8_t *data, size_t size, uint64_t file_size)
{
    zs_volume_info info;
    zs_volume_info_init(&info);
    snprintf(info.path, sizeof info.path, "fuzz.npy");
    zs_clear_error();
    const zs_status st = zs__fmt_npy.parse(data, size, file_size, &info);
    if (st == ZS_OK) check_success(&info, file_size);
    else REQUIRE(st >= ZS_EINTERNAL && strncmp(zs_last_error(), "fuzz.npy: ", 10) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, size);
    run(data, size, (uint64_t)size + ((uint64_t)1 << 40));
    run(data, size, UINT64_MAX);
    return 0;
}
