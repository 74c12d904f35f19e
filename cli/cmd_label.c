/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab label IN OUT`: connected components of the foreground (after optional --op stages),
 * numbered as scipy.ndimage.label numbers them, and an optional table of the components. Its
 * flags are rows of the option table (options.c, .cmds "label"); --op, --threads, --slab and the
 * rest are filter's rows. Order: open, plan, count (pass 1, nothing written), table, create
 * OUT.partial, write the labels (pass 2), commit. With --part, --resume or --journal, pass 1 is
 * the part's slabs into OUT's journal, and the part that finds every slab recorded merges the
 * records and does the rest (docs/labels.md, "Parts and resume"). */
#define _POSIX_C_SOURCE 200809L /* lstat */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "zslab_reduce.h"

#define STR_(x)     #x
#define STR(x)      STR_(x) /* a number defined in a header, in the help text */
#define FRAG_BYTES  STR(ZS_LABEL_BYTES_PER_FRAGMENT)
#define TABLE_BYTES STR(ZS_LABEL_TABLE_BYTES_PER_FRAGMENT)

/* Early refusals, before anything is read: OUT exists, a series, an output dtype too small. */
static int check_early(const cli_opts *o, const zs_volume_info *in)
{
    struct stat sb;
    if (!o->force && !o->dry_run && lstat(o->out, &sb) == 0) {
        cli_error("%s: exists; use --force to overwrite it", o->out);
        return CLI_EXIT_ERROR;
    }
    if (in->shape[3] > 1) {
        cli_error("%s: a series of %lld volumes: label one volume (a dataset, or a file per volume)", in->path,
                  (long long)in->shape[3]);
        return CLI_EXIT_ERROR;
    }
    return CLI_RUN;
}

/* Plans IN's pipeline in whole planes (a reduction's), with slabs aligned to OUT's chunks; `slab`
 * (not 0): the height of the journal's slabs. */
int cli_reduction_pipeline(const cli_opts *o, const zs_volume *in, zs_pipeline **pipe, zs_plan_opts *po)
{
    *pipe = NULL;
    const int rc = cli_build_pipeline(o, zs_volume_get_info(in), pipe);
    if (rc != CLI_RUN) {
        zs_pipeline_free(*pipe);
        *pipe = NULL;
        return rc;
    }
    cli_plan_opts(o, po);
    po->has_out_dtype = 0;
    po->input = in;
    return CLI_RUN;
}

static int plan_label(const cli_opts *o, const zs_volume *in, int64_t slab, zs_plan **plan)
{
    const zs_volume_info *info = zs_volume_get_info(in);
    zs_pipeline *pipe = NULL;
    zs_plan_opts po;
    const int rc = cli_reduction_pipeline(o, in, &pipe, &po);
    if (rc != CLI_RUN) return rc;
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.compress = o->compress;
    memcpy(co.chunk, o->chunk, sizeof co.chunk);
    po.z_align = zs_path_write_z_align(o->out, &co);
    if (slab) po.slab = slab;
    zs_status st = zs_label_plan(info, pipe, &po, o->table != NULL, plan);
    /* the first of N parts: slabs enough for each part to have some (2 per thread and part) */
    const int64_t want = 2 * (int64_t)(*plan ? zs_plan_threads(*plan) : 1) * o->nparts;
    if (st == ZS_OK && !slab && !o->slab && o->has_part && zs_plan_slab_count(*plan) < want) {
        const int64_t a = po.z_align > 1 ? po.z_align : 1, h = info->shape[2] / want / a * a;
        po.slab = h > a ? h : a;
        zs_plan_free(*plan);
        *plan = NULL;
        st = zs_label_plan(info, pipe, &po, o->table != NULL, plan);
    }
    zs_pipeline_free(pipe);
    return st < 0 ? cli_plan_failed(o, st) : CLI_RUN;
}

/* Creates OUT.partial with the labels' dtype, writes pass 2 into it and commits it. */
static int write_labels(const cli_opts *o, const zs_labeling *L, const zs_plan *plan, zs_dtype dt, zs_run_stats *rs)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    zs_plan_output_spec(plan, &spec);
    spec.dtype = dt;
    spec.slope = 1, spec.inter = 0;
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.force = o->force;
    co.compress = o->compress;
    memcpy(co.chunk, o->chunk, sizeof co.chunk);
    zs_volume *out = NULL;
    zs_status st = zs_volume_create(o->out, &spec, &co, &out);
    if (st < 0) return cli_fail(st, 0);
    cli_interrupt_install(zs_volume_get_info(out)->path, 1);
    st = zs_label_write(L, out, rs);
    if (st == ZS_OK) st = zs_volume_commit(out);
    int rc = CLI_EXIT_OK;
    if (st == ZS_ECANCELED && cli_stop)
        cli_error("%s: interrupted; the partial output was removed", o->out), rc = CLI_EXIT_ERROR;
    else if (st < 0)
        rc = cli_fail(st, 0);
    zs_volume_free(out); /* uncommitted: removed */
    cli_interrupt_clear();
    return rc;
}

/* The label dtype: --dtype, else the smallest that holds the count; too small is an error. */
static int label_dtype(const cli_opts *o, const zs_labeling *L, zs_dtype *dt)
{
    *dt = o->has_dtype ? o->dtype : zs_label_dtype(L);
    dt->big_endian = 0;
    if (zs_dtype_size(*dt) < zs_dtype_size(zs_label_dtype(L))) {
        cli_error("%s: %llu components do not fit in --dtype %s: use uint64", o->in,
                  (unsigned long long)zs_label_components(L), zs_dtype_name(*dt));
        return CLI_EXIT_ERROR;
    }
    return CLI_RUN;
}

static void summary(const cli_opts *o, const zs_labeling *L, const zs_plan *plan, zs_dtype dt, const zs_run_stats *rs,
                    int connectivity)
{
    const double s = rs->seconds > 0 ? rs->seconds : 1e-9, mvox = (double)rs->voxels / 1e6;
    cli_note(2,
             "labelled %s -> %s: %llu components (%s, connectivity %d), %.1f Mvox written in %.2f s, %d thread%s, "
             "%lld slabs of %lld planes",
             o->in, o->out, (unsigned long long)zs_label_components(L), zs_dtype_name(dt), connectivity, mvox, s,
             rs->threads, rs->threads == 1 ? "" : "s", (long long)zs_plan_slab_count(plan),
             (long long)zs_plan_slab_height(plan));
}

static void label_opts(const cli_opts *o, const zs_volume *inten, zs_label_opts *lo)
{
    zs_label_opts_default(lo);
    if (o->connectivity) lo->connectivity = o->connectivity;
    lo->has_threshold = o->has_threshold;
    lo->threshold = o->threshold;
    lo->min_size = o->min_size;
    lo->max_size = o->max_size;
    lo->intensity = inten;
    lo->table = o->table != NULL;
    lo->stop = &cli_stop;
}

/* Pass 1 is counted (st, L): the dtype, pass 2, the table and the summary. */
static int finish_labels(const cli_opts *o, zs_status st, const zs_labeling *L, const zs_plan *plan, int connectivity)
{
    int rc = CLI_RUN;
    zs_dtype dt;
    zs_run_stats rs;
    zs_run_stats_init(&rs);
    if (st < 0) rc = st == ZS_EPARAM ? cli_fail(st, 1) : cli_fail(st, 0);
    if (rc == CLI_RUN) rc = label_dtype(o, L, &dt);
    if (rc == CLI_RUN) rc = write_labels(o, L, plan, dt, &rs);
    if (rc == CLI_EXIT_OK && o->table && (st = zs_label_table_write(L, o->table)) < 0) rc = cli_fail(st, 0);
    if (rc == CLI_EXIT_OK) summary(o, L, plan, dt, &rs, connectivity);
    return rc;
}

/* The part's slabs into the journal; the finisher (the part that finds every slab recorded)
 * merges the records, writes OUT and removes the journal. */
static int run_part(const cli_opts *o, const zs_volume *in, const zs_plan *plan, zs_journal *j, const zs_label_opts *lo)
{
    char extra[64] = "";
    if (o->has_dtype) snprintf(extra, sizeof extra, "dtype=%s", zs_dtype_name(o->dtype));
    zs_status st = zs_label_journal_attach(j, plan, in, lo, extra);
    if (st == ZS_OK) st = zs_label_count_part(plan, in, lo, j);
    int finisher = 0;
    if (st == ZS_OK) st = zs_label_journal_finisher(j, &finisher);
    if (st == ZS_ECANCELED && cli_stop) {
        cli_error("%s: interrupted; its finished slabs are journaled: run it again with --resume", o->out);
        return CLI_EXIT_INTERRUPTED;
    }
    if (st < 0) return st == ZS_EPARAM ? cli_fail(st, 1) : cli_fail(st, 0);
    if (!finisher) {
        cli_note(2, "labelled %s -> %s part %lld/%lld: its slabs are recorded; %s", o->in, o->out, (long long)o->part,
                 (long long)o->nparts,
                 zs_journal_done_count(j, 0, zs_plan_slab_count(plan)) == zs_plan_slab_count(plan)
                     ? "another part writes OUT"
                     : "the part that records the last slab writes OUT");
        return CLI_EXIT_OK;
    }
    zs_labeling *L = NULL;
    st = zs_label_count_records(plan, in, lo, j, &L);
    int rc = finish_labels(o, st, L, plan, lo->connectivity);
    zs_label_free(L);
    if (rc == CLI_EXIT_OK && (st = zs_journal_remove(o->out)) < 0) rc = cli_fail(st, 0);
    return rc;
}

static int run_label(const cli_opts *o, const zs_volume *in, const zs_plan *plan, zs_journal *j)
{
    zs_volume *inten = NULL;
    int rc = CLI_RUN;
    if (o->intensity) rc = cli_open_input(o->intensity, &o->raw, &inten);
    if (rc != CLI_RUN) return rc;
    zs_label_opts lo;
    label_opts(o, inten, &lo);
    if (j) {
        rc = run_part(o, in, plan, j, &lo);
    } else {
        zs_labeling *L = NULL;
        const zs_status st = zs_label_count(plan, in, &lo, &L);
        rc = finish_labels(o, st, L, plan, lo.connectivity);
        zs_label_free(L);
    }
    zs_volume_free(inten);
    return rc;
}

int cli_reduction_begin_journal(const cli_opts *o, const char *what, zs_journal **j)
{
    const int journaled = o->has_part || o->resume || o->journal;
    const int fresh = !journaled || (o->journal && !o->resume && !o->has_part);
    if (o->dry_run) return CLI_RUN;
    if (fresh && zs_journal_exists(o->out)) {
        if (!o->force) {
            cli_error("%s: has a journal (%s.zsjournal) of a %s run with --part, --resume or --journal: "
                      "continue it with --resume, see it with zslab status, or start over with --force",
                      o->out, o->out, what);
            return CLI_EXIT_ERROR;
        }
        const zs_status st = zs_journal_remove(o->out);
        if (st < 0) return cli_fail(st, 0);
    }
    if (!journaled) return CLI_RUN;
    if (fresh && o->force && unlink(o->out) != 0 && access(o->out, F_OK) == 0) {
        cli_error("%s: cannot remove it to start over", o->out);
        return CLI_EXIT_ERROR;
    }
    zs_journal_opts jo;
    zs_journal_opts_init(&jo);
    jo.part = o->has_part ? o->part : 0;
    jo.nparts = o->has_part ? o->nparts : 1;
    jo.role = o->journal && !o->resume && !o->has_part ? ZS_JOURNAL_NEW : ZS_JOURNAL_ANY;
    jo.stop = &cli_stop;
    const zs_status st = zs_journal_begin(o->out, &jo, j);
    return st < 0 ? cli_fail(st, 0) : CLI_RUN;
}

/* What labels add to the plan's memory (--dry-run, and -v before running). */
static void print_memory(const cli_opts *o, const zs_volume_info *in, const zs_plan *plan, FILE *f)
{
    const double es = zs_plan_precision(plan) == ZS_PRECISION_FLOAT64 ? 8.0 : 4.0;
    const double slab = (double)zs_plan_slab_height(plan) * (double)in->shape[0] * (double)in->shape[1];
    fprintf(f,
            "labels:     uint32 (uint64 above 2^32-1 components), connectivity %d; per worker a slab of %lld planes "
            "(%.1f MiB of values%s) and its runs (16 bytes each); %d bytes per fragment (a component's part in a "
            "slab), grown by doubling\n",
            o->connectivity ? o->connectivity : 6, (long long)zs_plan_slab_height(plan), slab * es / 1048576.0,
            o->table ? " and as much again in intensities" : "",
            ZS_LABEL_BYTES_PER_FRAGMENT + (o->table ? ZS_LABEL_TABLE_BYTES_PER_FRAGMENT : 0));
}

static int check_label(cli_opts *o)
{
    o->in = o->nargs > 0 ? o->args[0] : NULL;
    o->out = o->nargs > 1 ? o->args[1] : NULL;
    if (!o->in) return cli_usage_error("label", "no IN file given");
    if (!o->out) return cli_usage_error("label", "no OUT file given");
    if (o->has_dtype && o->dtype.type != ZS_U32 && o->dtype.type != ZS_U64) {
        cli_error("label: --dtype %s: labels are uint32 or uint64", zs_dtype_name(o->dtype));
        return CLI_EXIT_USAGE;
    }
    return CLI_RUN;
}

static int cmd_label(const cli_opts *o)
{
    zs_volume *in = NULL;
    zs_plan *plan = NULL;
    zs_journal *j = NULL;
    int rc = cli_open_input(o->in, &o->raw, &in);
    if (rc == CLI_RUN && cli_mpi_launched()) {
        cli_error("label: MPI launches are not supported yet: run the parts as --part I/N (a job array)");
        rc = CLI_EXIT_ERROR;
    }
    if (rc == CLI_RUN) rc = check_early(o, zs_volume_get_info(in));
    if (rc == CLI_RUN) rc = cli_reduction_begin_journal(o, "labelling", &j);
    if (rc == CLI_RUN) rc = plan_label(o, in, j ? zs_journal_slab_height(j) : 0, &plan);
    if (rc == CLI_RUN && o->dry_run) {
        cli_print_plan(plan, stdout);
        print_memory(o, zs_volume_get_info(in), plan, stdout);
        rc = CLI_EXIT_OK;
    } else if (rc == CLI_RUN && cli_level >= 3) {
        print_memory(o, zs_volume_get_info(in), plan, stderr);
    }
    if (rc == CLI_RUN) rc = run_label(o, in, plan, j);
    zs_journal_free(j);
    zs_plan_free(plan);
    zs_volume_free(in);
    return rc;
}

const cli_command cli_command_label = {
    .name = "label",
    .summary = {{"IN OUT", "connected components, as scipy.ndimage.label (--table: measurements)"}},
    .help = "usage: zslab label IN OUT [--op KERNEL:k=v ...] [--threshold T] [--connectivity 6|18|26]\n"
            "                   [--dtype uint32|uint64] [--table OBJ.csv|OBJ.npy] [--intensity IN2]\n"
            "                   [--min-size N] [--max-size N] [options]\n\n"
            "Labels the connected components of IN's foreground (value > T with --threshold, else\n"
            "nonzero; NaN is nonzero), after the --op stages if any, exactly as scipy.ndimage.label\n"
            "labels the array numpy opens (np.load, tifffile, zarr, h5py, nibabel): components are\n"
            "numbered by their first voxel in C order of that array; background is 0. Streams\n"
            "through z-slabs in two passes: memory is the budget plus " FRAG_BYTES " bytes per\n"
            "fragment (a component's part in one slab; " TABLE_BYTES " more with --table).\n\n"
            "{threshold}{connectivity}{dtype:uint32 (default, up to 2^32-1 components) or uint64}{table}{intensity}"
            "{min-size}{max-size}{slab-height}{op}{plugin}{threads}{slab}{mem-budget}{force}{precision}{engine}"
            "{no-bind}{compress}{chunks}{dataset}{part}{resume}{journal}{dry-run}{progress}"
            "{@common}\n{@raw}"
            "exit codes: 0 ok, 1 error (nothing is left at OUT), 2 usage\n",
    .max_args = 2,
    .check = check_label,
    .run = cmd_label,
};
