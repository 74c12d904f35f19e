/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab resample IN OUT`: IN at another voxel size, shape or zoom factor, in one streaming pass
 * (zslab_resample.h holds the rules). Its flags are rows of the option table (options.c, .cmds
 * "resample"); --op, --threads, --slab and the rest are filter's rows. Order: open, check the
 * target (zs_resample_spec: every refusal before anything is read or written), plan, create
 * OUT.partial, run, commit. Parts, --resume, --journal and MPI launches are refused. */
#define _POSIX_C_SOURCE 200809L /* lstat */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "options.h"

/* Plans IN's pipeline for resampling, slabs aligned to OUT's chunks. Refusals of the target
 * come first (exit 1, naming the parameter), before anything is read. */
static int plan_resample(const cli_opts *o, const zs_volume *in, zs_plan **plan)
{
    const zs_volume_info *info = zs_volume_get_info(in);
    zs_volume_info spec = *info;
    zs_status st = zs_resample_spec(info, &o->rs, &spec);
    if (st < 0) return cli_fail(st, 0);
    zs_pipeline *pipe = NULL;
    int rc = cli_build_pipeline(o, info, &pipe);
    if (rc == CLI_RUN) {
        zs_plan_opts po;
        cli_plan_opts(o, &po);
        po.input = in;
        st = zs_resample_plan(info, pipe, &po, &o->rs, plan);
        if (st < 0) rc = cli_plan_failed(st);
    }
    zs_pipeline_free(pipe);
    return rc;
}

/* Creates OUT.partial with the resampled geometry, runs the plan into it and commits it. */
static int write_resampled(const cli_opts *o, const zs_volume *in, const zs_plan *plan, zs_run_stats *rs)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    zs_plan_output_spec(plan, &spec);
    zs_status st = zs_resample_spec(zs_volume_get_info(in), &o->rs, &spec);
    if (st < 0) return cli_fail(st, 0);
    zs_volume *out = NULL;
    const int rc = cli_output_create(o, o->out, &spec, &out);
    if (rc != CLI_RUN) return rc;
    zs_resample_opts ro = o->rs;
    ro.stop = &cli_stop;
    return cli_output_finish(o->out, out, zs_resample_run(plan, in, &ro, out, rs));
}

/* "1024x1024x256 -> 20x20x20 (area, voxel 25.6x25.6x25.6um)" */
static void geometry(const cli_opts *o, const zs_volume_info *in, char *buf, size_t n)
{
    zs_volume_info spec = *in;
    zs_resample_spec(in, &o->rs, &spec);
    const int64_t *s = spec.shape;
    snprintf(buf, n, "%lldx%lldx%lld -> %lldx%lldx%lld (%s, voxel %gx%gx%g%s)", (long long)in->shape[0],
             (long long)in->shape[1], (long long)in->shape[2], (long long)s[0], (long long)s[1], (long long)s[2],
             zs_resample_method_name(zs_resample_method_used(in, &o->rs)), spec.voxel[0], spec.voxel[1], spec.voxel[2],
             spec.unit);
}

static void summary(const cli_opts *o, const zs_volume_info *in, const zs_plan *plan, const zs_run_stats *rs)
{
    char g[256];
    geometry(o, in, g, sizeof g);
    cli_note(2, "resampled %s -> %s: %s in %.2f s, %d thread%s, %lld slabs of %lld planes", o->in, o->out, g,
             rs->seconds, rs->threads, rs->threads == 1 ? "" : "s", (long long)zs_plan_slab_count(plan),
             (long long)zs_plan_slab_height(plan));
}

static int check_resample(cli_opts *o)
{
    o->in = o->nargs > 0 ? o->args[0] : NULL;
    o->out = o->nargs > 1 ? o->args[1] : NULL;
    if (!o->in) return cli_usage_error("resample", "no IN file given");
    if (!o->out) return cli_usage_error("resample", "no OUT file given");
    if (o->rs_targets != 1)
        return cli_usage_error("resample", o->rs_targets ? "give only one of --voxel-size, --shape and --factor"
                                                         : "give the target: --voxel-size, --shape or --factor");
    const int cells = cli_has_suffix(o->in, ".csv");
    if (cells && (!o->like || !cli_has_suffix(o->out, ".csv")))
        return cli_usage_error("resample", "a cell table (IN.csv) takes --like IN2 (the volume its positions are "
                                           "in) and writes OUT.csv");
    if (!cells && (o->like || o->density))
        return cli_usage_error("resample", "--like and --density are for a cell table (IN.csv)");
    if (o->has_part || o->resume || o->journal) {
        cli_error("resample: --part, --resume and --journal are not supported yet: run it whole");
        return CLI_EXIT_ERROR;
    }
    return CLI_RUN;
}

static int cmd_resample(const cli_opts *o)
{
    zs_volume *in = NULL;
    zs_plan *plan = NULL;
    struct stat sb;
    if (!o->force && !o->dry_run && lstat(o->out, &sb) == 0) {
        cli_error("%s: exists; use --force to overwrite it", o->out);
        return CLI_EXIT_ERROR;
    }
    if (o->like) return cli_resample_cells(o);
    int rc = cli_open_input(o->in, &o->raw, &in);
    if (rc == CLI_RUN && cli_mpi_launched()) {
        cli_error("resample: MPI launches are not supported yet: run it as one process");
        rc = CLI_EXIT_ERROR;
    }
    if (rc == CLI_RUN) rc = plan_resample(o, in, &plan);
    if (rc == CLI_RUN && o->dry_run) {
        char g[256];
        geometry(o, zs_volume_get_info(in), g, sizeof g);
        cli_print_plan(plan, stdout);
        printf("resample:   %s\n", g);
        rc = CLI_EXIT_OK;
    }
    zs_run_stats rs;
    zs_run_stats_init(&rs);
    if (rc == CLI_RUN) rc = write_resampled(o, in, plan, &rs);
    if (rc == CLI_EXIT_OK && !o->dry_run) summary(o, zs_volume_get_info(in), plan, &rs);
    zs_plan_free(plan);
    zs_volume_free(in);
    return rc;
}

const cli_command cli_command_resample = {
    .name = "resample",
    .summary = {{"IN OUT", "another voxel size, shape or zoom (area, linear, nearest, antialias)"}},
    .help = "usage: zslab resample IN OUT (--voxel-size S | --shape XxYxZ | --factor F)\n"
            "                      [--method area|linear|nearest|antialias] [--op KERNEL:k=v ...]\n"
            "                      [--dtype T] [options]\n"
            "       zslab resample CELLS.csv OUT.csv --like IN (--voxel-size S | ...) [--density D]\n\n"
            "Resamples IN in one streaming pass through z-slabs, after the --op stages if any:\n"
            "linear and nearest equal scipy.ndimage.zoom(order=1|0, mode='nearest',\n"
            "grid_mode=True) (nearest exactly, for any dtype); area averages each output voxel's\n"
            "footprint weighted by overlap (shrinking only); antialias (shrinking only) is skimage's\n"
            "resize(order=1, anti_aliasing=True). OUT carries the true voxel size (IN's extent\n"
            "over OUT's count) and IN's unit. Integer outputs round half to even and saturate.\n"
            "A cell table's positions (voxels of IN) go to the grid IN resampled so would have.\n\n"
            "{voxel-size}{shape}{factor}{method}{like}{density}{dtype}{op}{plugin}{threads}{slab}{mem-budget}{force}"
            "{precision}{engine}{no-bind}{compress}{chunks}{dataset}{dry-run}{progress}"
            "{part:refused: resample runs whole}"
            "{resume:refused (no journal yet)}{journal:refused (no journal yet)}"
            "{@common}\n{@raw}"
            "exit codes: 0 ok, 1 error (nothing is left at OUT), 2 usage\n",
    .max_args = 2,
    .check = check_resample,
    .run = cmd_resample,
};
