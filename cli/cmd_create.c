/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab create`: write a synthetic volume (zs_volume_create + zs_volume_fill + commit). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

static const char *pattern_name(zs_pattern p)
{
    static const char *const names[] = {"zeros", "ramp", "noise", "phantom", "cells"};
    return (unsigned)p < 5 ? names[p] : "?";
}

static int run_create(const cli_opts *o)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    memcpy(spec.shape, o->shape, sizeof spec.shape);
    spec.ndim = o->ndim;
    spec.dtype = o->dtype;
    memcpy(spec.voxel, o->voxel, sizeof spec.voxel);
    snprintf(spec.unit, sizeof spec.unit, "%s", o->unit);
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.force = o->force;
    co.compress = o->compress;
    memcpy(co.chunk, o->chunk, sizeof co.chunk);
    co.pyramid = o->pyramid;

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
    char truth[4096] = "";
    if (st == ZS_OK && o->pattern == ZS_PATTERN_CELLS) { /* the true cells beside OUT */
        snprintf(truth, sizeof truth, "%s.cells.csv", o->out);
        st = zs_pattern_cells_write(zs_volume_get_info(v), o->seed, truth);
    }
    if (st == ZS_OK) st = zs_volume_commit(v);
    if (st < 0) {
        if (truth[0]) remove(truth);
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

static int check_create(cli_opts *o)
{
    o->out = o->nargs ? o->args[0] : NULL;
    if (!o->out) return cli_usage_error("create", "no OUT file given");
    if (!o->ndim) return cli_usage_error("create", "--shape is required (e.g. --shape 512x512x128)");
    if (!o->has_dtype) return cli_usage_error("create", "--dtype is required (e.g. --dtype uint16)");
    return CLI_RUN;
}

const cli_command cli_command_create = {
    .name = "create",
    .summary = {{"OUT", "write a synthetic volume: zeros, ramp, noise, phantom, cells"}},
    .help = "usage: zslab create OUT --shape AxBxC --dtype T [options]\n\n"
            "Writes a synthetic volume in the format its name says (zslab info --formats lists\n"
            "them; a plane series: plane_%04d.tif or DIR/; any other name: raw).\n"
            "The contents depend only on the pattern, seed, shape and dtype.\n\n"
            "{shape}"
            "{dtype:uint8, int8, uint16, int16, uint32, int32, uint64, int64,\n"
            "float32, float64, bool, or numpy's '<u2', '>f4', ...}"
            "{pattern}{seed}{voxel-size}{unit}"
            "{threads:worker threads (default: all usable cores, or ZS_THREADS)}"
            "{compress:compressed output: none (default); TIFF: deflate, lzw, zstd\n"
            "(zslab info --formats lists what each format writes)}"
            "{chunks:chunked output: the chunk shape, z first (default: the format's)}"
            "{pyramid:OME-Zarr output: N more levels, each the mean of the one before over its finest axes}"
            "{force}{@common}",
    .max_args = 1,
    .check = check_create,
    .run = run_create,
};
