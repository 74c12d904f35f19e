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

int cli_reduction_out_taken(const cli_opts *o)
{
    struct stat sb;
    if (o->force || o->dry_run || lstat(o->out, &sb) != 0) return 0;
    /* a part or a resumed run of a job whose journal is there: the journal tells a finished OUT
     * from the earlier one that a --force run keeps until it is replaced */
    return !((o->has_part || o->resume) && zs_journal_exists(o->out));
}

/* Early refusals, before anything is read: OUT exists, a series, an output dtype too small. */
static int check_early(const cli_opts *o, const zs_volume_info *in)
{
    if (cli_reduction_out_taken(o)) {
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
    return st < 0 ? cli_plan_failed(st) : CLI_RUN;
}

/* Creates OUT.partial with the labels' dtype, writes pass 2 into it and commits it. */
static int write_labels(const cli_opts *o, const zs_labeling *L, const zs_plan *plan, zs_dtype dt, zs_run_stats *rs)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    zs_plan_output_spec(plan, &spec);
    spec.dtype = dt;
    spec.slope = 1, spec.inter = 0;
    zs_volume *out = NULL;
    const int rc = cli_output_create(o, o->out, &spec, &out);
    return rc != CLI_RUN ? rc : cli_output_finish(o->out, out, zs_label_write(L, out, rs));
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

/* One process's labelling: its options (under MPI, with this rank's part), input, plan, journal. */
typedef struct label_run {
    cli_opts o;
    cli_mpi mpi;
    zs_volume *in, *inten;
    zs_plan *plan;
    zs_journal *j;
    zs_label_opts lo;
} label_run;

/* A part that failed or was stopped. @return its exit code (message printed). */
static int part_failed(const cli_opts *o, zs_status st)
{
    if (st == ZS_ECANCELED && cli_stop) {
        cli_error("%s: interrupted; its finished slabs are journaled: run it again with --resume", o->out);
        return CLI_EXIT_INTERRUPTED;
    }
    return st == ZS_EPARAM ? cli_fail(st, 1) : cli_fail(st, 0);
}

/* The finisher: merges every slab's record, writes OUT and removes the journal. */
static int finish_job(label_run *r)
{
    zs_labeling *L = NULL;
    zs_status st = zs_label_count_records(r->plan, r->in, &r->lo, r->j, &L);
    if (zs_journal_output_replaced(r->j)) r->o.force = 1; /* the earlier OUT that --force started over from */
    int rc = finish_labels(&r->o, st, L, r->plan, r->lo.connectivity);
    zs_label_free(L);
    if (rc == CLI_EXIT_OK && (st = zs_journal_remove(r->o.out)) < 0) rc = cli_fail(st, 0);
    return rc;
}

/* After the part's slabs are recorded: the part that claims the finish (the first to find every
 * slab recorded) finishes the job; the others say so. */
static int claim_finish(label_run *r)
{
    const cli_opts *o = &r->o;
    int finisher = 0;
    const zs_status st = zs_label_journal_finisher(r->j, &finisher);
    if (st < 0) return part_failed(o, st);
    if (finisher) return finish_job(r);
    const int64_t S = zs_plan_slab_count(r->plan);
    cli_note(2, "labelled %s -> %s part %lld/%lld: its slabs are recorded; %s", o->in, o->out, (long long)o->part,
             (long long)o->nparts,
             zs_journal_done_count(r->j, 0, S) == S ? "another part writes OUT"
                                                    : "the part that records the last slab writes OUT");
    return CLI_EXIT_OK;
}

/* The part's slabs into the journal, then the finish. Under MPI every rank records its slabs,
 * the ranks agree, and rank 0 finishes (the others wait for its exit code). */
static int run_part(label_run *r)
{
    const zs_status st = zs_label_count_part(r->plan, r->in, &r->lo, r->j);
    int rc = st < 0 ? part_failed(&r->o, st) : CLI_EXIT_OK;
    if (!r->mpi.active) return rc == CLI_EXIT_OK ? claim_finish(r) : rc;
    rc = cli_mpi_agree(&r->mpi, rc);
    if (rc == CLI_EXIT_OK && r->mpi.rank == 0) rc = claim_finish(r);
    return cli_mpi_agree(&r->mpi, rc);
}

/* Without a journal: both passes in this process. */
static int run_whole(label_run *r)
{
    zs_labeling *L = NULL;
    const zs_status st = zs_label_count(r->plan, r->in, &r->lo, &L);
    const int rc = finish_labels(&r->o, st, L, r->plan, r->lo.connectivity);
    zs_label_free(L);
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
    zs_journal_opts jo;
    zs_journal_opts_init(&jo);
    jo.part = o->has_part ? o->part : 0;
    jo.nparts = o->has_part ? o->nparts : 1;
    jo.role = o->journal && !o->resume && !o->has_part ? ZS_JOURNAL_NEW : ZS_JOURNAL_ANY;
    if (fresh && o->force) jo.role = ZS_JOURNAL_REPLACE; /* an earlier OUT stays until the finished one replaces it */
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

/* Which part this process runs: --part I/N, or rank R of N under an MPI launch (which, like
 * --part, shares OUT's journal). @return CLI_RUN or 2. */
static int choose_part(label_run *r)
{
    cli_opts *o = &r->o;
    if (!r->mpi.active) return CLI_RUN;
    if (o->has_part && r->mpi.size > 1) {
        cli_error("%s: --part and an MPI launch of %d ranks: use one or the other", o->out, r->mpi.size);
        return CLI_EXIT_USAGE;
    }
    if (cli_refuse_force_with_parts("label", o, "an MPI launch") != CLI_RUN) return CLI_EXIT_USAGE;
    o->has_part = 1;
    o->part = r->mpi.rank;
    o->nparts = r->mpi.size;
    if (r->mpi.rank > 0 && cli_level > 1) cli_level = 1; /* one voice: rank 0's */
    cli_mpi_share_node(&r->mpi, &o->threads, &o->bind);
    return CLI_RUN;
}

/* Input, early refusals, journal, plan, intensities; with a journal, the reduction attached to
 * it. @return CLI_RUN or an exit code (message printed). */
static int setup(label_run *r)
{
    const cli_opts *o = &r->o;
    int rc = cli_open_input(o->in, &o->raw, &r->in);
    if (rc == CLI_RUN) rc = check_early(o, zs_volume_get_info(r->in));
    if (rc == CLI_RUN) rc = cli_reduction_begin_journal(o, "labelling", &r->j);
    if (rc == CLI_RUN) rc = plan_label(o, r->in, r->j ? zs_journal_slab_height(r->j) : 0, &r->plan);
    if (rc != CLI_RUN || o->dry_run) return rc;
    if (o->intensity) rc = cli_open_input(o->intensity, &o->raw, &r->inten);
    if (rc != CLI_RUN) return rc;
    label_opts(o, r->inten, &r->lo);
    if (!r->j) return CLI_RUN;
    char extra[64] = "";
    if (o->has_dtype) snprintf(extra, sizeof extra, "dtype=%s", zs_dtype_name(o->dtype));
    const zs_status st = zs_label_journal_attach(r->j, r->plan, r->in, &r->lo, extra);
    return st < 0 ? part_failed(o, st) : cli_test_fail_part(o->out, o->has_part ? o->part : 0);
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
    return cli_refuse_force_with_parts("label", o, NULL);
}

static int cmd_label(const cli_opts *o)
{
    label_run r;
    memset(&r, 0, sizeof r);
    r.o = *o;
    if (cli_mpi_start(&r.mpi) < 0) return CLI_EXIT_ERROR;
    int rc = choose_part(&r);
    /* Rank 0 creates the journal and publishes its header; then the others join it. */
    if (rc == CLI_RUN && r.mpi.rank == 0) rc = setup(&r);
    const int64_t rank0 = cli_mpi_bcast(&r.mpi, rc == CLI_RUN ? 0 : 1);
    if (r.mpi.rank > 0 && rc == CLI_RUN) rc = rank0 ? CLI_EXIT_ERROR : setup(&r);
    if (r.mpi.active) {
        rc = cli_mpi_agree(&r.mpi, rc == CLI_RUN ? CLI_EXIT_OK : rc);
        if (rc == CLI_EXIT_OK) rc = CLI_RUN;
    }
    if (rc == CLI_RUN && o->dry_run) {
        if (r.mpi.rank == 0) {
            cli_print_plan(r.plan, stdout);
            print_memory(o, zs_volume_get_info(r.in), r.plan, stdout);
        }
        rc = CLI_EXIT_OK;
    } else if (rc == CLI_RUN) {
        if (cli_level >= 3) print_memory(o, zs_volume_get_info(r.in), r.plan, stderr);
        rc = r.j ? run_part(&r) : run_whole(&r);
    }
    zs_journal_free(r.j);
    zs_plan_free(r.plan);
    zs_volume_free(r.inten);
    zs_volume_free(r.in);
    cli_mpi_end(&r.mpi);
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
            "{min-size}{max-size}{slab-height}{op}{plugin}{threads}{slab}{band}{mem-budget}{force}{precision}{engine}"
            "{no-bind}{compress}{chunks}{dataset}{part}{resume}{journal}{dry-run}{progress}"
            "{@common}\n{@raw}"
            "exit codes: 0 ok, 1 error (nothing is left at OUT), 2 usage\n",
    .max_args = 2,
    .check = check_label,
    .run = cmd_label,
};
