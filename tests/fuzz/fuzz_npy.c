/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for the .npy header parser (core/fmt_npy.c).
 *
 * Parses the bytes as the first bytes of a file of the same size, of a much larger size,
 * and of the largest size; a failure must name the file, a success must describe a volume
 * that fits in the file and survive a write_header → parse round trip. Any violation aborts. */
#include "fuzz_common.h"

static void check_success(const zs_format_ops *ops, const zs_volume_info *info, uint64_t file_size)
{
    fuzz_require_attached(info, file_size);
    REQUIRE(info->slope == 1.0 && info->inter == 0.0);
    /* Round trip through the writer. */
    static unsigned char hdr[65536];
    zs_volume_info spec = *info, back;
    const int64_t hn = ops->write_header(&spec, hdr, sizeof hdr);
    REQUIRE(hn > 0 && hn % 64 == 0);
    zs_volume_info_init(&back);
    snprintf(back.path, sizeof back.path, "roundtrip.npy");
    REQUIRE(ops->parse(hdr, (size_t)hn, (uint64_t)hn + info->nbytes, &back) == ZS_OK);
    REQUIRE(memcmp(back.shape, info->shape, sizeof back.shape) == 0 && back.ndim == info->ndim);
    REQUIRE(back.dtype.type == info->dtype.type && back.dtype.big_endian == info->dtype.big_endian);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_header_parser(&zs__fmt_npy, "fuzz.npy", data, size, check_success);
}
