/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* What the fuzz drivers share: REQUIRE, which aborts naming the broken property, and the
 * header-parser harness: the bytes are parsed as the first bytes of a file of the same size,
 * of a much larger size and of the largest size; a failure must be a zslab status whose
 * message starts with the file's name, a success goes to the driver's own check. */
#ifndef ZS_FUZZ_COMMON_H
#define ZS_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "volume_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with the condition, so a crash report says which property broke. */
#define REQUIRE(cond)                                                                                                  \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: %s does not hold (last error: %s)\n", __FILE__, __LINE__, #cond, zs_last_error()); \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* A driver's check of a header that parsed: `info` as `ops` gave it for a file of `file_size`. */
typedef void (*fuzz_check_fn)(const zs_format_ops *ops, const zs_volume_info *info, uint64_t file_size);

/* What every parsed header holds: 1 to 4 dimensions, none empty (but an .npy's, as in numpy),
 * a known dtype. */
static inline void fuzz_require_volume(const zs_volume_info *info)
{
    REQUIRE(info->ndim >= 1 && info->ndim <= 4 && zs_dtype_size(info->dtype) > 0);
    for (int d = 0; d < 4; d++) REQUIRE(info->shape[d] >= 1 || (info->format == ZS_FMT_NPY && info->shape[d] == 0));
}

/* ... and a single-file header: no dimension beyond ndim, the data fit after the header. */
static inline void fuzz_require_attached(const zs_volume_info *info, uint64_t file_size)
{
    fuzz_require_volume(info);
    for (int d = 0; d < 4; d++) REQUIRE(d < info->ndim || info->shape[d] == 1);
    REQUIRE(info->offset <= file_size && info->nbytes <= file_size - info->offset);
}

static inline void fuzz_parse_as(const zs_format_ops *ops, const char *name, const uint8_t *data, size_t size,
                                 uint64_t file_size, fuzz_check_fn check)
{
    zs_volume_info info;
    zs_volume_info_init(&info);
    snprintf(info.path, sizeof info.path, "%s", name);
    zs_clear_error();
    const zs_status st = ops->parse(data, size, file_size, &info);
    if (st == ZS_OK)
        check(ops, &info, file_size);
    else
        REQUIRE(st >= ZS_EINTERNAL && strncmp(zs_last_error(), name, strlen(name)) == 0 &&
                strncmp(zs_last_error() + strlen(name), ": ", 2) == 0);
}

/* The body of a header parser's LLVMFuzzerTestOneInput: `name` is the file's name as the
 * parser sees it (its extension may matter). */
static inline int fuzz_header_parser(const zs_format_ops *ops, const char *name, const uint8_t *data, size_t size,
                                     fuzz_check_fn check)
{
    fuzz_parse_as(ops, name, data, size, size, check);
    fuzz_parse_as(ops, name, data, size, (uint64_t)size + ((uint64_t)1 << 40), check);
    fuzz_parse_as(ops, name, data, size, UINT64_MAX, check);
    return 0;
}

/* MetaImage and NRRD: a success describes a volume whose attached data fit in the file (or
 * that names a data file) and survives a write_header → parse round trip, attached and
 * detached. */
static inline void fuzz_text_roundtrip(const zs_format_ops *ops, const zs_volume_info *info, int detached)
{
    static unsigned char hdr[65536];
    zs_volume_info spec = *info, back;
    snprintf(spec.data_path, sizeof spec.data_path, "%s", detached ? "dir/data.raw" : "");
    const int64_t hn = ops->write_header(&spec, hdr, sizeof hdr);
    REQUIRE(hn > 0);
    zs_volume_info_init(&back);
    snprintf(back.path, sizeof back.path, "dir/roundtrip");
    REQUIRE(ops->parse(hdr, (size_t)hn, (uint64_t)hn + info->nbytes, &back) == ZS_OK);
    REQUIRE(memcmp(back.shape, info->shape, sizeof back.shape) == 0);
    REQUIRE(back.dtype.type == info->dtype.type && back.dtype.big_endian == info->dtype.big_endian);
    REQUIRE(strcmp(back.unit, info->unit) == 0);
    for (int d = 0; d < 3; d++) REQUIRE(back.voxel[d] == info->voxel[d]);
    REQUIRE(detached ? strcmp(back.data_path, "dir/data.raw") == 0 : back.offset == (uint64_t)hn);
}

static inline void fuzz_check_text_header(const zs_format_ops *ops, const zs_volume_info *info, uint64_t file_size)
{
    fuzz_require_volume(info);
    for (int d = 0; d < 3; d++) REQUIRE(info->voxel[d] > 0);
    if (!info->data_path[0]) REQUIRE(info->offset <= file_size && info->nbytes <= file_size - info->offset);
    fuzz_text_roundtrip(ops, info, 0);
    fuzz_text_roundtrip(ops, info, 1);
}

#endif
