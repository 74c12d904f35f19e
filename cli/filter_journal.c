/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab filter` with a journal: parts of a job array (--part), resumable runs (--resume,
 * --journal) and MPI ranks (rank R of N runs part R/N). Every process opens the input,
 * builds the pipeline, takes part in OUT's journal (creates it, or joins it and plans with
 * its slab height), runs its slab range and finishes: the one that sees every slab
 * recorded renames OUT.partial to OUT. Under MPI, rank 0 sets up first (it creates the
 * output) and the ranks meet at a few collective points that each of them always reaches,
 * so that one rank's failure ends the whole job with its message. The rules of a journaled
 * job (slab height of parts, pwrite, part ranges, refusals) are the library's (zs_job). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

int cli_refuse_force_with_parts(const char *cmd, const cli_opts *o, const char *launch)
{
    const char *with = o->has_part ? "--part" : o->resume ? "--resume" : launch;
    if (!o->force || !with) return CLI_RUN;
    cli_error("%s: --force cannot be combined with %s: parts and resumed runs share one output; to start over, "
              "remove %s, %s.partial and %s.zsjournal first",
              cmd, with, o->out, o->out, o->out);
    return CLI_EXIT_USAGE;
}

int cli_test_fail_part(const char *out, int64_t part)
{
    const char *fail = getenv("ZS_TEST_FAIL_PART");
    if (fail && *fail && strtoll(fail, NULL, 10) == part) {
        cli_error("%s: part %lld fails on purpose (test hook ZS_TEST_FAIL_PART)", out, (long long)part);
        return CLI_EXIT_ERROR;
    }
    return CLI_RUN;
}

int cli_filter_journaled_wanted(const cli_opts *o)
{
    return o->has_part || o->resume || o->journal || cli_mpi_launched();
}

typedef struct jrun {
    const cli_opts *o;
    cli_opts po; /* o with this run's threads and binding */
    cli_mpi mpi;
    int64_t part, nparts;
    zs_volume *in;
    zs_job *job;
    cli_progress prog;
    int already;         /* OUT was complete before this run */
    int64_t first, last; /* this part's slab range */
    int64_t before;      /* slabs of the range recorded before this run */
    zs_run_stats rs;
} jrun;

/* The job of this process: part, journal, dry run. @return CLI_RUN or an exit code. */
static int open_job(jrun *r)
{
    const cli_opts *o = r->o;
    zs_job_opts jo;
    zs_job_opts_init(&jo);
    jo.part = r->part;
    jo.nparts = r->nparts;
    jo.journal = o->journal && !o->resume && !o->has_part ? ZS_JOB_JOURNAL_NEW : ZS_JOB_RESUME;
    jo.join = r->mpi.active && r->mpi.rank > 0;
    jo.dry_run = o->dry_run;
    jo.user = &r->prog;
    if (!o->dry_run && (zs_volume_get_info(r->in)->nbytes > 0 || r->part == 0))
        jo.drop_cache = cli_drop_cache_wanted(o);
    return cli_job_open(&r->po, r->in, &jo, &r->job);
}

/* Journal, plan and output. @return CLI_RUN or an exit code (message printed). */
static int setup(jrun *r)
{
    const cli_opts *o = r->o;
    zs_status st = zs_job_plan(r->job);
    if (st == ZS_ECANCELED && cli_stop) return CLI_EXIT_INTERRUPTED;
    if (st < 0) return zs_job_get_state(r->job) == ZS_JOB_JOINED ? cli_plan_failed(st) : cli_fail(st, 0);
    const zs_plan *plan = zs_job_get_plan(r->job);
    if (cli_level >= 4) cli_print_plan(plan, stderr);
    st = zs_job_create(r->job);
    if (st < 0) return cli_fail(st, 0);
    r->already = zs_job_complete(r->job);
    zs_job_part_range(r->job, &r->first, &r->last);
    r->before = zs_job_done_before(r->job);
    cli_note(3, "%s part %lld/%lld: slabs %lld-%lld of %lld (%lld of them done before), %lld planes each", o->out,
             (long long)r->part, (long long)r->nparts, (long long)r->first, (long long)r->last - 1,
             (long long)zs_plan_slab_count(plan), (long long)r->before, (long long)zs_plan_slab_height(plan));
    return cli_test_fail_part(o->out, r->part);
}

/* Runs the part's slabs that are not recorded yet. @return an exit code. */
static int run_part(jrun *r)
{
    memset(&r->rs, 0, sizeof r->rs);
    r->rs.threads = zs_plan_threads(zs_job_get_plan(r->job));
    const int work = !r->already && r->first < r->last && r->before < r->last - r->first;
    if (work) cli_progress_start(&r->prog, cli_progress_choose(r->o->progress, cli_level), &cli_stop);
    zs_status st = zs_job_execute(r->job);
    if (work) cli_progress_finish(&r->prog);
    zs_job_stats(r->job, &r->rs);
    if (st == ZS_ECANCELED && cli_stop) return CLI_EXIT_INTERRUPTED;
    return st < 0 ? cli_fail(st, 0) : CLI_EXIT_OK;
}

/* The one summary line (rank 0 under MPI). */
static void summary(const jrun *r, int64_t done, int complete)
{
    const cli_opts *o = r->o;
    const zs_volume_info *in = zs_volume_get_info(r->in);
    const zs_plan *plan = zs_job_get_plan(r->job);
    const int64_t S = zs_plan_slab_count(plan), H = zs_plan_slab_height(plan);
    const double s = r->rs.seconds > 0 ? r->rs.seconds : 1e-9, mvox = (double)r->rs.voxels / 1e6;
    char shape[96], who[64], state[ZS_PATH_MAX + 64];
    zs_volume_info spec;
    zs_plan_output_spec(plan, &spec);
    cli_shape_string(in, shape, sizeof shape);
    if (r->mpi.active)
        snprintf(who, sizeof who, " on %d ranks", r->mpi.size);
    else if (r->nparts > 1)
        snprintf(who, sizeof who, " (part %lld/%lld)", (long long)r->part, (long long)r->nparts);
    else
        who[0] = '\0';
    const int n = r->before && !r->mpi.active
                      ? snprintf(state, sizeof state, "%lld slab%s of the range were done before; ",
                                 (long long)r->before, r->before == 1 ? "" : "s")
                      : 0;
    if (complete)
        snprintf(state + n, sizeof state - (size_t)n, "%s is complete", o->out);
    else
        snprintf(state + n, sizeof state - (size_t)n, "%lld of %lld slabs done (zslab status %s)", (long long)done,
                 (long long)S, o->out);
    cli_note(2,
             "%s %s -> %s%s: %s %s -> %s, %.1f Mvox in %.2f s (%.1f Mvox/s, %.2f GB/s in), %d thread%s, "
             "%lld slab%s of %lld plane%s; %s",
             o->convert ? "converted" : "filtered", o->in, o->out, who, shape, zs_dtype_name(in->dtype),
             zs_dtype_name(spec.dtype), mvox, r->rs.seconds, mvox / s, (double)r->rs.bytes_read / 1e9 / s,
             r->rs.threads, r->rs.threads == 1 ? "" : "s", (long long)S, S == 1 ? "" : "s", (long long)H,
             H == 1 ? "" : "s", state);
}

/* Syncs the records, renames OUT when every slab is there, agrees on the exit code and
 * says what happened. @return the job's exit code. */
static int conclude(jrun *r, int rc)
{
    zs_status st = zs_job_commit(r->job);
    if (st < 0 && rc == CLI_EXIT_OK) rc = cli_fail(st, 0);
    rc = cli_mpi_agree(&r->mpi, rc);
    cli_mpi_reduce_stats(&r->mpi, &r->rs);
    if (r->mpi.rank > 0) return rc;
    if (r->mpi.active) { /* every rank's records are on disk now */
        st = zs_job_commit(r->job);
        if (st < 0 && rc == CLI_EXIT_OK) rc = cli_fail(st, 0);
    }
    const int64_t S = zs_plan_slab_count(zs_job_get_plan(r->job)), done = zs_job_done(r->job);
    if (rc == CLI_EXIT_INTERRUPTED)
        cli_error("%s: interrupted: %lld of %lld slabs are done and journaled (%s.zsjournal); run the same command "
                  "again%s to finish",
                  r->o->out, (long long)done, (long long)S, r->o->out,
                  r->o->has_part || r->mpi.active || r->o->resume ? "" : " with --resume");
    else if (rc == CLI_EXIT_OK && r->already)
        cli_note(2, "%s is complete already (%lld slabs): nothing to do", r->o->out, (long long)S);
    else if (rc == CLI_EXIT_OK)
        summary(r, done, zs_job_complete(r->job));
    return rc;
}

static int dry_run(jrun *r)
{
    zs_status st = zs_job_plan(r->job);
    if (st < 0) return cli_plan_failed(st);
    if (r->mpi.rank > 0) return CLI_EXIT_OK;
    const zs_plan *plan = zs_job_get_plan(r->job);
    cli_print_plan(plan, stdout);
    int64_t first, last;
    zs_job_part_range(r->job, &first, &last);
    printf("part:       %lld/%lld: slabs %lld-%lld of %lld%s\n", (long long)r->part, (long long)r->nparts,
           (long long)first, (long long)last - 1, (long long)zs_plan_slab_count(plan),
           zs_journal_exists(r->o->out) ? " (OUT has a journal: its slab height is used)" : "");
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

/* Which part this process is, threads and binding. @return CLI_RUN or 2. */
static int choose_part(jrun *r)
{
    const cli_opts *o = r->o;
    r->part = o->has_part ? o->part : 0;
    r->nparts = o->has_part ? o->nparts : 1;
    if (r->mpi.active) {
        if (o->has_part && r->mpi.size > 1) {
            cli_error("%s: --part and an MPI launch of %d ranks: use one or the other", o->out, r->mpi.size);
            return CLI_EXIT_USAGE;
        }
        r->part = r->mpi.rank;
        r->nparts = r->mpi.size;
        if (r->mpi.rank > 0 && cli_level > 1) cli_level = 1; /* one voice: rank 0's */
        cli_mpi_share_node(&r->mpi, &r->po.threads, &r->po.bind);
    }
    return CLI_RUN;
}

/* An empty input (an axis of length 0): no slab to share or to journal. The job makes part 0
 * (rank 0) write the empty output as a plain run does; the other parts have nothing to do. */
static int empty_run(jrun *r)
{
    int rc = CLI_EXIT_OK;
    if (r->part == 0) {
        zs_status st = zs_job_plan(r->job);
        rc = st < 0 ? cli_plan_failed(st) : CLI_RUN;
        if (rc == CLI_RUN) {
            zs_run_stats rs;
            cli_progress_start(&r->prog, cli_progress_choose(r->o->progress, cli_level), &cli_stop);
            rc = cli_job_run(r->o, r->job, &r->prog, &rs);
            if (rc != CLI_EXIT_OK) r->job = NULL; /* freed */
        }
    }
    if (rc == CLI_EXIT_OK)
        cli_note(2, "%s: %s is empty (an axis of length 0): %s", r->o->out, r->o->in,
                 r->part == 0 ? "wrote an empty output of the same shape" : "nothing to do for this part");
    return cli_mpi_agree(&r->mpi, rc);
}

int cli_filter_journaled(const cli_opts *o)
{
    jrun r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.po = *o;
    if (cli_mpi_start(&r.mpi) < 0) return CLI_EXIT_ERROR;
    int rc = choose_part(&r);
    if (rc == CLI_RUN) rc = cli_open_input(o->in, &o->raw, &r.in);
    if (rc == CLI_RUN) rc = open_job(&r);
    const int empty = rc == CLI_RUN && !o->dry_run && zs_volume_get_info(r.in)->nbytes == 0;
    if (empty) rc = empty_run(&r);
    if (rc == CLI_RUN && o->dry_run)
        rc = dry_run(&r);
    else if (!o->dry_run && !empty) {
        cli_interrupt_install(NULL, 1); /* a second signal ends at once; OUT.partial stays */
        /* Rank 0 creates the output and publishes the journal; then the others join it. */
        if (rc == CLI_RUN && r.mpi.rank == 0) rc = setup(&r);
        const int64_t rank0 = cli_mpi_bcast(&r.mpi, rc == CLI_RUN ? 0 : 1);
        if (r.mpi.rank > 0 && rc == CLI_RUN) rc = rank0 ? CLI_EXIT_ERROR : setup(&r);
        rc = cli_mpi_agree(&r.mpi, rc == CLI_RUN ? CLI_EXIT_OK : rc);
        if (rc == CLI_EXIT_OK) rc = conclude(&r, run_part(&r));
        cli_interrupt_clear();
    }
    if (rc == CLI_RUN) rc = CLI_EXIT_OK;
    zs_job_free(r.job);
    zs_volume_free(r.in);
    cli_mpi_end(&r.mpi);
    return rc;
}
