/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab create`: write a synthetic volume (zs_volume_create + zs_volume_fill + commit). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

static const char *pattern_name(zs_pattern p)
{
    static const char *const names[] = {"zeros", "ramp", "noise", "phantom"};
    return (unsigned)p < 4 ? names[p] : "?";
}

int cli_cmd_create(const cli_create_opts *o)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    memcpy(spec.shape, o->shape, sizeof spec.shape);
    spec.ndim = o->ndim;
    spec.dtype = o->dtype;
    memcpy(spec.voxel, o->voxel, sizeof spec.voxel);
    snprintf(spec.unit, sizeof spec.unit, "%s", o->unit);
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = o->force;
    co.compress = o->compress;
    memcpy(co.chunk, o->chunk, sizeof co.chunk);

    const int has_voxel = o->unit[0] || o->voxel[0] != 1.0 || o->voxel[1] != 1.0 || o->voxel[2] != 1.0;
    const double t0 = cli_now();
    zs_volume *v = NULL;
    zs_status st = zs_volume_create(o->out, &spec, &co, &v);
    if (st < 0) return cli_fail(st, 0);
    const zs_format fmt = zs_volume_get_info(v)->format;
    if (has_voxel && !(zs_format_describe(fmt)->flags & ZS_FORMAT_VOXEL_SIZE))
        cli_note(2,
                 "warning: %s: %s files store no voxel size; --voxel-size/--unit are not kept (NIfTI, TIFF, "
                 "MetaImage and NRRD keep them)",
                 o->out, zs_format_name(fmt));
    /* The fill cannot be interrupted cleanly: a signal removes the partial file and ends. */
    cli_interrupt_install(zs_volume_get_info(v)->path, 0);
    st = zs_volume_fill(v, o->pattern, o->seed, o->threads);
    if (st == ZS_OK) st = zs_volume_commit(v);
    if (st < 0) {
        int rc = cli_fail(st, 0);
        zs_volume_free(v); /* removes the uncommitted file */
        cli_interrupt_clear();
        return rc;
    }
    cli_interrupt_clear();
    const zs_volume_info *info = zs_volume_get_info(v);
    char shape[96];
    cli_shape_string(info, shape, sizeof shape);
    const double dt = cli_now() - t0;
    cli_note(3, "created %s: %s %s, %s (seed %llu), %.1f MB in %.2f s", info->path, shape, zs_dtype_name(info->dtype),
             pattern_name(o->pattern), (unsigned long long)o->seed, (double)info->nbytes / 1e6, dt);
    zs_volume_free(v);
    return CLI_EXIT_OK;
}
