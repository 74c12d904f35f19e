/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* raw: headerless data; the caller gives shape, dtype, offset and order (see volume.c). */
#include "zs_internal.h"

static zs_status raw_parse(const unsigned char *buf, size_t n, uint64_t file_size, zs_volume_info *info)
{
    (void)buf;
    (void)n;
    (void)file_size;
    return ZS_ERR(ZS_EINVAL, "%s: a raw file has no header: give its shape and dtype (zs_open_opts)", info->path);
}

static int64_t raw_write_header(zs_volume_info *spec, unsigned char *buf, size_t cap)
{
    (void)buf;
    (void)cap;
    spec->format = ZS_FMT_RAW;
    spec->order = ZS_ORDER_F;
    spec->offset = 0;
    spec->version = 0;
    return 0;
}

const zs_format_ops zs__fmt_raw = {ZS_FMT_RAW, "raw", raw_parse, raw_write_header, NULL, NULL};
