/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* raw: headerless data; the caller gives shape, dtype, offset and order (zs_open_opts). The
 * registry's fallback: a name no other format takes is raw. */
#include "volume_internal.h"

#include <string.h>

/* The caller described raw data: a dimension count, or a shape other than the default 1x1x1x1. */
static int raw_described(const zs_open_opts *o)
{
    int shaped = o->raw_ndim > 0;
    for (int i = 0; i < 4; i++) shaped |= o->raw_shape[i] != 1;
    return shaped;
}

static zs_status raw_open(zs_volume *v, const zs_open_opts *o)
{
    zs_volume_info *info = &v->info;
    /* Raw bytes are a volume only with the layout the caller gives: a file zslab cannot identify
     * is not taken for a 1x1x1 volume. */
    if (!raw_described(o)) {
        char names[512];
        zs_format_names(names, sizeof names);
        if (o->format == ZS_FMT_AUTO)
            return ZS_ERR(ZS_EFORMAT,
                          "%s: not a format zslab recognises (%s); to read it as raw data, give its shape and dtype "
                          "(raw_ndim, raw_shape, raw_dtype)",
                          info->path, names);
        return ZS_ERR(ZS_EFORMAT, "%s: raw data needs its shape and dtype (raw_ndim, raw_shape, raw_dtype)",
                      info->path);
    }
    info->format = ZS_FMT_RAW;
    info->ndim = o->raw_ndim > 0 ? o->raw_ndim : 3;
    memcpy(info->shape, o->raw_shape, sizeof info->shape);
    info->dtype = o->raw_dtype;
    info->offset = o->raw_offset;
    info->order = o->raw_order;
    return zs__check_fits(info, v->file_size, o->raw_offset);
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

const zs_format_ops zs__fmt_raw = {
    .desc = {ZS_FMT_RAW, "raw", "", "headerless data: any other name, described by its shape, dtype, offset and order",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_MAPPED | ZS_FORMAT_SHARED | ZS_FORMAT_EMPTY, ""},
    .open = raw_open,
    .write_header = raw_write_header,
};
