/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* 0.3's scheduler entry points whose structs had no struct_size, under their plain names, for
 * programs built against 0.3's header (see core/abi_0_3.c). */
#include "zs_internal.h"

zs_status zs__v03_plan_create(const void *in, const zs_pipeline *p, const zs_plan_opts *opts, zs_plan **out)
    ZS_V03(zs_plan_create);
zs_status zs__v03_plan_create(const void *in, const zs_pipeline *p, const zs_plan_opts *opts, zs_plan **out)
{
    zs_volume_info full;
    if (in) ZS_FROM_0_3(&full, in, zs_volume_info);
    return zs_plan_create(in ? &full : NULL, p, opts, out);
}

void zs__v03_plan_output_spec(const zs_plan *plan, void *spec) ZS_V03(zs_plan_output_spec);
void zs__v03_plan_output_spec(const zs_plan *plan, void *spec)
{
    zs_volume_info full;
    zs_volume_info_init(&full);
    zs_plan_output_spec(plan, &full);
    ZS_TO_0_3(spec, &full, zs_volume_info);
}

zs_status zs__v03_plan_execute(const zs_plan *plan, const zs_volume *in, zs_volume *out, const zs_exec_opts *opts,
                               void *stats) ZS_V03(zs_plan_execute);
zs_status zs__v03_plan_execute(const zs_plan *plan, const zs_volume *in, zs_volume *out, const zs_exec_opts *opts,
                               void *stats)
{
    zs_run_stats full;
    zs_run_stats_init(&full);
    const zs_status st = zs_plan_execute(plan, in, out, opts, stats ? &full : NULL);
    if (stats) ZS_TO_0_3(stats, &full, zs_run_stats);
    return st;
}

void zs__v03_job_stats(const zs_job *job, void *stats) ZS_V03(zs_job_stats);
void zs__v03_job_stats(const zs_job *job, void *stats)
{
    if (!stats) return;
    zs_run_stats full;
    zs_run_stats_init(&full);
    zs_job_stats(job, &full);
    ZS_TO_0_3(stats, &full, zs_run_stats);
}

void zs__v03_sys_info_get(void *info) ZS_V03(zs_sys_info_get);
void zs__v03_sys_info_get(void *info)
{
    zs_sys_info full;
    zs_sys_info_init(&full);
    zs_sys_info_get(&full);
    ZS_TO_0_3(info, &full, zs_sys_info);
}

zs_status zs__v03_journal_report(const char *out_path, int json, char *buf, size_t n, size_t *len, void *sum)
    ZS_V03(zs_journal_report);
zs_status zs__v03_journal_report(const char *out_path, int json, char *buf, size_t n, size_t *len, void *sum)
{
    zs_journal_summary full;
    zs_journal_summary_init(&full);
    const zs_status st = zs_journal_report(out_path, json, buf, n, len, sum ? &full : NULL);
    if (sum) ZS_TO_0_3(sum, &full, zs_journal_summary);
    return st;
}
