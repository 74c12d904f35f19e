/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The job of `zslab filter` and `zslab convert` from the flags, shared by plain runs
 * (cmd_filter.c), runs with a journal (filter_journal.c) and batches (cmd_batch.c): the
 * pipeline and plan options, opening the job, and create → execute → commit. Any failure
 * after the output was created frees it uncommitted, which removes the partial file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

void cli_print_plan(const zs_plan *plan, FILE *f)
{
    const size_t n = zs_plan_describe(plan, NULL, 0);
    char *text = malloc(n + 1);
    if (text && zs_plan_describe(plan, text, n + 1) == n) fputs(text, f);
    free(text);
}

/* Adds the --op stages to `pipe`. @return CLI_RUN, or 2 naming the bad --op. */
int cli_add_ops(const cli_opts *o, const zs_volume_info *in, zs_pipeline *pipe)
{
    for (int i = 0; i < o->nops; i++) {
        zs_status st = zs_pipeline_add(pipe, o->ops[i]);
        if (st < 0) {
            cli_error("%s: --op '%s': %s", in->path, o->ops[i], *zs_last_error() ? zs_last_error() : zs_strerror(st));
            return st == ZS_EPARAM || st == ZS_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
        }
    }
    return CLI_RUN;
}

/* @return CLI_RUN, or 2 naming the bad --op. */
int cli_build_pipeline(const cli_opts *o, const zs_volume_info *in, zs_pipeline **out)
{
    zs_status st = zs_pipeline_new(out);
    if (st < 0) return cli_fail(st, 0);
    zs_pipeline_set_voxel(*out, in->voxel, in->unit);
    return cli_add_ops(o, in, *out);
}

/* The plan options the flags give. */
void cli_plan_opts(const cli_opts *o, zs_plan_opts *po)
{
    zs_plan_opts_init(po);
    po->threads = o->threads;
    po->slab = o->slab;
    po->mem_budget = o->mem_budget;
    po->bind = o->bind;
    po->read_engine = o->read_engine;
    po->write_engine = o->write_engine;
    po->precision = o->precision;
    po->band = o->band;
    po->has_out_dtype = o->has_dtype;
    if (o->has_dtype) po->out_dtype = o->dtype;
}

/* Opens the job of `zslab filter IN OUT` over the opened input: the plan options and the
 * stages the flags give. `po` must outlive the call only. @return CLI_RUN or an exit code. */
int cli_job_open(const cli_opts *o, const zs_volume *in, zs_job_opts *jo, zs_job **job)
{
    zs_plan_opts po;
    cli_plan_opts(o, &po);
    jo->plan = &po;
    jo->compress = o->compress;
    memcpy(jo->chunk, o->chunk, sizeof jo->chunk);
    jo->pyramid = o->pyramid;
    jo->force = o->force;
    jo->stop = &cli_stop;
    jo->slab_progress = cli_progress_update;
    zs_status st = zs_job_open_volume(in, o->out, jo, job);
    jo->plan = NULL;
    if (st < 0) return cli_fail(st, 0);
    return cli_add_ops(o, zs_volume_get_info(in), zs_job_pipeline(*job));
}

/* --drop-cache / --no-drop-cache, else ZS_DROP_CACHE, else on under a cgroup memory limit.
 * The decision and its reason are printed at -v, so that each side can be tested. */
int cli_drop_cache_wanted(const cli_opts *o)
{
    const char *e = getenv("ZS_DROP_CACHE");
    int on;
    char why[96];
    if (o->drop_cache >= 0) {
        on = o->drop_cache;
        snprintf(why, sizeof why, "%s", on ? "--drop-cache" : "--no-drop-cache");
    } else if (e && *e) {
        on = strcmp(e, "0") != 0;
        snprintf(why, sizeof why, "ZS_DROP_CACHE=%.40s", e);
    } else {
        const uint64_t lim = zs_sys_memory_limit();
        on = lim > 0;
        if (on)
            snprintf(why, sizeof why, "cgroup memory limit %.1f MiB", (double)lim / (1 << 20));
        else
            snprintf(why, sizeof why, "no cgroup memory limit");
    }
    cli_note(3, "page cache: drop-cache %s (%s)", on ? "on" : "off", why);
    return on;
}

int cli_job_run(const cli_opts *o, zs_job *job, cli_progress *prog, zs_run_stats *stats)
{
    zs_status st = zs_job_create(job);
    memset(stats, 0, sizeof *stats);
    if (st == ZS_EEXIST && !o->force && zs_journal_exists(o->out)) {
        /* the library names the job's options; the tool names its flags */
        cli_error("%s: has a journal (%s.zsjournal) of a job run with --part, --resume or MPI: continue it with "
                  "--resume, see it with zslab status, or start over with --force",
                  o->out, o->out);
        zs_job_free(job);
        return CLI_EXIT_ERROR;
    }
    if (st < 0) {
        const int rc = cli_fail(st, 0);
        zs_job_free(job); /* after cli_fail, which prints the library's last error */
        return rc;
    }
    cli_interrupt_install(zs_volume_get_info(zs_job_output(job))->path, 1);
    st = zs_job_execute(job);
    cli_progress_finish(prog);
    zs_job_stats(job, stats);
    if (stats->note[0]) cli_note(2, "note: %s", stats->note); /* direct I/O fell back */
    if (st == ZS_OK) st = zs_job_commit(job);
    if (st < 0 && zs_job_complete(job)) { /* OUT is complete; its record (a batch's) is not */
        cli_error("warning: %s", zs_last_error());
        st = ZS_OK;
    }
    int rc = CLI_EXIT_OK;
    if (st == ZS_ECANCELED && cli_stop) {
        cli_error("%s: interrupted; the partial output was removed", o->out);
        rc = CLI_EXIT_ERROR;
    } else if (st < 0) {
        rc = cli_fail(st, 0);
    }
    if (rc != CLI_EXIT_OK) zs_job_free(job); /* uncommitted: the partial output is removed */
    cli_interrupt_clear();
    return rc;
}
