/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for the NIfTI-1/NIfTI-2 header parser (core/fmt_nifti.c).
 *
 * Parses the bytes as the first bytes of a file of the same size, of a much larger size,
 * and of the largest size; a failure must name the file, a success must describe a volume
 * that fits in the file and survive a write_header → parse round trip. Any violation aborts. */
#include <math.h>
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
    REQUIRE(info->ndim >= 1 && info->ndim <= 4 && zs_dtype_size(info->dtype) > 0 && info->order == ZS_ORDER_F);
    for (int d = 0; d < 4; d++) REQUIRE(info->shape[d] >= 1 && (d < info->ndim || info->shape[d] == 1));
    REQUIRE(info->offset <= file_size && info->nbytes <= file_size - info->offset);
    REQUIRE(info->offset >= 348);
    for (int d = 0; d < 3; d++) REQUIRE(info->voxel[d] > 0 && isfinite(info->voxel[d]));
    REQUIRE(info->slope != 0.0 && isfinite(info->slope) && isfinite(info->inter));
    /* Round trip through NIfTI-1, or NIfTI-2 where NIfTI-1's 16-bit dims or float32 fields
     * cannot hold the values. */
    int wide = 0;
    for (int d = 0; d < 4; d++) wide |= info->shape[d] > 32767;
    static unsigned char hdr[1024];
    zs_volume_info spec = *info, back;
    int64_t hn = ZS_EUNSUPPORTED;
    if (!wide) hn = zs__fmt_nifti1.write_header(&spec, hdr, sizeof hdr);
    if (hn == ZS_EUNSUPPORTED) {
        wide = 1;
        spec = *info;
        hn = zs__fmt_nifti2.write_header(&spec, hdr, sizeof hdr);
    }
    REQUIRE(hn == (wide ? 544 : 352));
    zs_volume_info_init(&back);
    snprintf(back.path, sizeof back.path, "roundtrip.nii");
    REQUIRE(zs__fmt_nifti1.parse(hdr, (size_t)hn, (uint64_t)hn + info->nbytes, &back) == ZS_OK);
    REQUIRE(memcmp(back.shape, info->shape, sizeof back.shape) == 0 && back.ndim == info->ndim);
    REQUIRE(back.dtype.type == info->dtype.type && back.dtype.big_endian == info->dtype.big_endian);
}

static void run(const uint8_t *data, size_t size, uint64_t file_size)
{
    zs_volume_info info;
    zs_volume_info_init(&info);
    snprintf(info.path, sizeof info.path, "fuzz.nii");
    zs_clear_error();
    const zs_status st = zs__fmt_nifti1.parse(data, size, file_size, &info);
    if (st == ZS_OK) check_success(&info, file_size);
    else REQUIRE(st >= ZS_EINTERNAL && strncmp(zs_last_error(), "fuzz.nii: ", 10) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, size);
    run(data, size, (uint64_t)size + ((uint64_t)1 << 40));
    run(data, size, UINT64_MAX);
    return 0;
}
