/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* 0.3's entry points whose structs had no struct_size, under their plain names, for programs
 * built against 0.3's header (today's header links its callers to the NAME_v2 functions). Each
 * converts 0.3's struct to today's (ZS_FROM_0_3, ZS_TO_0_3) and calls today's function. */
#include "zs_internal.h"

/* 0.3's zs_volume_info_init is defined in abi_0_3_init.c, where the header's inline function of
 * that name is renamed: beside it, gcc emits the inline one (when not inlined) as a local symbol
 * of the same name, which the assembler refuses, and clang takes the two for one function. */
void zs__volume_info_defaults_0_3(void *info)
{
    zs_volume_info full;
    zs_volume_info_init(&full);
    ZS_TO_0_3(info, &full, zs_volume_info);
}

zs_status zs__v03_volume_info_sizes(const void *info, uint64_t *plane, uint64_t *volume, uint64_t *total)
    ZS_V03(zs_volume_info_sizes);
zs_status zs__v03_volume_info_sizes(const void *info, uint64_t *plane, uint64_t *volume, uint64_t *total)
{
    ZS_RETURN_IF(!info, ZS_EINVAL, "zs_volume_info_sizes: no descriptor given");
    zs_volume_info full;
    ZS_FROM_0_3(&full, info, zs_volume_info);
    return zs_volume_info_sizes(&full, plane, volume, total);
}

size_t zs__v03_volume_info_describe(const void *info, int flags, char *buf, size_t n) ZS_V03(zs_volume_info_describe);
size_t zs__v03_volume_info_describe(const void *info, int flags, char *buf, size_t n)
{
    zs_volume_info full;
    if (info) ZS_FROM_0_3(&full, info, zs_volume_info);
    return zs_volume_info_describe(info ? &full : NULL, flags, buf, n);
}

zs_status zs__v03_volume_create(const char *path, const void *spec, const zs_create_opts *opts, zs_volume **out)
    ZS_V03(zs_volume_create);
zs_status zs__v03_volume_create(const char *path, const void *spec, const zs_create_opts *opts, zs_volume **out)
{
    zs_volume_info full;
    if (spec) ZS_FROM_0_3(&full, spec, zs_volume_info);
    return zs_volume_create(path, spec ? &full : NULL, opts, out);
}

/* The volume's own descriptor seen from its second member on is 0.3's struct. */
const void *zs__v03_volume_get_info(const zs_volume *v) ZS_V03(zs_volume_get_info);
const void *zs__v03_volume_get_info(const zs_volume *v)
{
    const zs_volume_info *i = zs_volume_get_info(v);
    return i ? (const void *)i->path : NULL;
}

zs_status zs__v03_slab_make(const void *info, int64_t t, int64_t z0, int64_t z1, int64_t halo, zs_slab *out)
    ZS_V03(zs_slab_make);
zs_status zs__v03_slab_make(const void *info, int64_t t, int64_t z0, int64_t z1, int64_t halo, zs_slab *out)
{
    ZS_RETURN_IF(!info, ZS_EINVAL, "zs_slab_make: no descriptor given");
    zs_volume_info full;
    ZS_FROM_0_3(&full, info, zs_volume_info);
    return zs_slab_make(&full, t, z0, z1, halo, out);
}
