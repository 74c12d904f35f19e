/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for the NIfTI-1/NIfTI-2 header parser (core/fmt_nifti.c).
 *
 * Parses the bytes as the first bytes of a file of the same size, of a much larger size,
 * and of the largest size; a failure must name the file, a success must describe a volume
 * that fits in the file and survive a write_header → parse round trip. Any violation aborts. */
#include <math.h>

#include "fuzz_common.h"

static void check_success(const zs_format_ops *ops, const zs_volume_info *info, uint64_t file_size)
{
    fuzz_require_attached(info, file_size);
    REQUIRE(info->order == ZS_ORDER_F);
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
    REQUIRE(ops->parse(hdr, (size_t)hn, (uint64_t)hn + info->nbytes, &back) == ZS_OK);
    REQUIRE(memcmp(back.shape, info->shape, sizeof back.shape) == 0 && back.ndim == info->ndim);
    REQUIRE(back.dtype.type == info->dtype.type && back.dtype.big_endian == info->dtype.big_endian);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_header_parser(&zs__fmt_nifti1, "fuzz.nii", data, size, check_success);
}
