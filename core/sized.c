/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Structs that can grow: the one check and copy of a caller's sized struct, and the deprecated
 * _default() functions of 0.3, which write 0.3's fields only. */
#include "zs_internal.h"

#include <string.h>

zs_status zs__sized_in(void *local, size_t local_size, const void *given, size_t min, const char *name)
{
    if (!given) return ZS_OK;
    size_t size;
    memcpy(&size, given, sizeof size);
    ZS_RETURN_IF(size < min || size > local_size, ZS_EINVAL,
                 "%s: struct_size is %zu, this library (%s) takes %zu to %zu bytes: %s", name, size, ZS_VERSION_STRING,
                 min, local_size,
                 size > local_size ? "a program built against a newer zslab.h needs a newer library"
                                   : "initialise the struct with its _init() function");
    memcpy(local, given, size);
    memcpy(local, &local_size, sizeof local_size);
    return ZS_OK;
}

void zs__sized_out(void *given, const void *full, size_t full_size, size_t min)
{
    size_t size;
    memcpy(&size, given, sizeof size);
    if (size < min || size > full_size) size = min;
    memcpy(given, full, size);
    memcpy(given, &size, sizeof size);
}

/* 0.3's struct is today's from the second member on; that member follows struct_size at once. */
_Static_assert(offsetof(zs_volume_info, path) == sizeof(size_t), "0.3 layout of zs_volume_info");
_Static_assert(offsetof(zs_run_stats, seconds) == sizeof(size_t), "0.3 layout of zs_run_stats");
_Static_assert(offsetof(zs_sys_info, cores) == sizeof(size_t), "0.3 layout of zs_sys_info");
_Static_assert(offsetof(zs_journal_summary, slabs) == sizeof(size_t), "0.3 layout of zs_journal_summary");
/* zs_mapping's library fields stay inside 0.3's layout (its reserved_ words for callers). */
_Static_assert(ZS__END(zs_mapping, writable) <= offsetof(zs_mapping, map_base) + 5 * sizeof(uint64_t),
               "zs_mapping's library fields fit its reserved_ words");

void zs__from_0_3(void *full, const void *old, size_t min)
{
    memcpy((unsigned char *)full + sizeof(size_t), old, min - sizeof(size_t));
}

void zs__to_0_3(void *old, const void *full, size_t min)
{
    memcpy(old, (const unsigned char *)full + sizeof(size_t), min - sizeof(size_t));
}

/* A program built against 0.3's header has at least 0.3's fields: write those, and say so. */
static void write_first_fields(void *o, const void *defaults, size_t min)
{
    memcpy(o, defaults, min);
    memcpy(o, &min, sizeof min);
}

#define ZS__DEFAULT(type)                                                                                              \
    void type##_default(type *o)                                                                                       \
    {                                                                                                                  \
        type d;                                                                                                        \
        type##_init(&d);                                                                                               \
        write_first_fields(o, &d, ZS__MIN_##type);                                                                     \
    }
ZS__DEFAULT(zs_open_opts)
ZS__DEFAULT(zs_create_opts)
ZS__DEFAULT(zs_plan_opts)
ZS__DEFAULT(zs_exec_opts)
ZS__DEFAULT(zs_journal_opts)
ZS__DEFAULT(zs_job_opts)
ZS__DEFAULT(zs_bench_opts)
ZS__DEFAULT(zs_preview_opts)
