/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab filter --batch`: many stacks in one invocation.
 *
 * Stacks run one after another, each with the whole worker pool (every thread on its slabs),
 * not several at once with a share of the threads each: one stack's slabs already keep every
 * core busy, its reads stay sequential on the disk, the memory budget and the slab height are
 * those of a single run, and the outputs are the bytes a single `zslab filter` writes. Only
 * stacks too small to give every worker a slab leave cores idle, and those take milliseconds.
 *
 * First every stack is checked (header, pipeline, plan): a stack that fails is reported and
 * left out, a stack whose output is complete is skipped; the voxels of the others give the
 * batch's ETA. Then they run. Each check and each run is a process of its own (isolate.c), which
 * sends the stack's result back: a crash in a third-party decoder (libhdf5 on a corrupt file)
 * fails that stack only ("IN: crashed in its decoder (SIGSEGV)", zs_job_crashed removes what the
 * run left) and the batch goes on; so a run opens and plans its input again (milliseconds) rather
 * than continuing the check's job. After each output is
 * committed, the job writes a record beside it, D/.zslab-batch/<output name>.done, saying what
 * it was made from: the fingerprint a journal compares (the input's real path, size, mtime,
 * data file and header, the pipeline, the output's dtype and shape, the zslab version), the
 * compression, and the output's own size and mtime. A rerun skips a stack only when
 * zs_job_up_to_date says so (the output exists, its record matches line for line and its
 * header has the shape and dtype this run makes); otherwise it redoes the stack and says why.
 * The record is removed before a stack runs, so a failed run never leaves one. */
#define _XOPEN_SOURCE 700 /* realpath */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "batch.h"
#include "progress.h"

/* What one stack needs to run: its input and its job (pipeline and plan); all owned. */
typedef struct stack_job {
    zs_volume *in;
    zs_job *job;
} stack_job;

static void job_free(stack_job *j)
{
    zs_job_free(j->job);
    zs_volume_free(j->in);
    memset(j, 0, sizeof *j);
}

/* What the report shows of a stack: shape, dtype, voxel size, pipeline. */
static void describe_stack(batch_stack *s, const zs_volume_info *info, const zs_pipeline *pipe)
{
    char buf[8192] = "(copy)";
    if (pipe && zs_pipeline_length(pipe)) zs_pipeline_describe(pipe, buf, sizeof buf);
    free(s->pipeline);
    s->pipeline = pipe ? strdup(buf) : NULL;
    memcpy(s->voxel, info->voxel, sizeof s->voxel);
    snprintf(s->unit, sizeof s->unit, "%s", info->unit);
    cli_shape_string(info, s->shape, sizeof s->shape);
    snprintf(s->dtype, sizeof s->dtype, "%s", zs_dtype_name(info->dtype));
}

/* Opens the input, makes the job and plans it: what `zslab filter IN OUT` does first. The batch
 * owns its outputs (force: a complete one was skipped already); the job keeps the stack's
 * record (zs_job_opts.record). */
static int prepare(const cli_opts *o, batch_stack *s, stack_job *j, cli_progress *prog)
{
    memset(j, 0, sizeof *j);
    int rc = cli_open_input(s->in, &o->raw, &j->in);
    if (rc != CLI_RUN) return rc;
    const zs_volume_info *info = zs_volume_get_info(j->in);
    cli_opts so = *o;
    so.in = s->in;
    so.out = s->out;
    so.force = 1;
    zs_job_opts jo;
    zs_job_opts_init(&jo);
    jo.record = s->record;
    jo.user = prog;
    jo.dry_run = o->dry_run;
    if (!o->dry_run) jo.drop_cache = cli_drop_cache_wanted(o);
    rc = cli_job_open(&so, j->in, &jo, &j->job);
    if (rc == CLI_RUN) {
        const zs_status st = zs_job_plan(j->job);
        if (st < 0) rc = cli_plan_failed(st);
    }
    s->voxels = 1;
    for (int a = 0; a < 4; a++) s->voxels *= (uint64_t)info->shape[a];
    describe_stack(s, info, zs_job_pipeline(j->job));
    return rc;
}

static void fail(batch_stack *s, int rc)
{
    char code[32];
    const char *text = cli_last_error_text();
    snprintf(code, sizeof code, "failed (exit %d)", rc);
    s->status = BATCH_FAILED;
    free(s->message);
    s->message = strdup(*text ? text : code);
}

/* The first pass: header, pipeline, plan and completeness of every stack (zs_job_up_to_date).
 * Nothing is written. */
static void check_stack(const cli_opts *o, batch_stack *s, cli_progress *prog)
{
    stack_job j;
    char why[ZS_PATH_MAX + 256];
    int done = 0;
    zs_status st = ZS_OK;
    cli_forget_error();
    const int rc = prepare(o, s, &j, prog);
    if (rc != CLI_RUN) {
        fail(s, rc);
    } else if (zs_journal_exists(s->out)) {
        cli_error("%s: has a journal (%s.zsjournal) of a job run with --part, --resume or MPI: finish it, or remove "
                  "%s.zsjournal and %s.partial",
                  s->out, s->out, s->out, s->out);
        fail(s, CLI_EXIT_ERROR);
    } else if (!o->force && (st = zs_job_up_to_date(j.job, &done, why, sizeof why)) < 0) {
        fail(s, cli_fail(st, 0));
    } else if (!o->force && done) {
        s->status = BATCH_SKIPPED;
    } else {
        s->status = BATCH_TODO;
        if (!o->force && why[0]) cli_note(2, "%s: redoing it: %s", s->out, why);
    }
    job_free(&j);
}

/* Runs one stack with the batch's progress display; the job writes the record after its commit. */
static void run_stack(const cli_opts *o, batch_stack *s, cli_progress *prog)
{
    const double t0 = cli_now();
    stack_job j;
    cli_forget_error();
    int rc = prepare(o, s, &j, prog);
    if (rc == CLI_RUN) {
        cli_opts so = *o;
        zs_run_stats rs;
        so.in = s->in;
        so.out = s->out;
        so.force = 1; /* the batch owns its outputs; a complete one was skipped already */
        rc = cli_job_run(&so, j.job, prog, &rs);
        if (rc != CLI_EXIT_OK) j.job = NULL; /* freed by cli_job_run */
    }
    s->seconds = cli_now() - t0;
    if (rc == CLI_EXIT_OK) {
        s->status = BATCH_OK;
        /* the output is complete and recorded: a preview that fails is only a warning here */
        if (o->preview && cli_preview_beside(s->out, o->mem_budget, o->threads) != CLI_EXIT_OK)
            cli_error("warning: %s: no preview written (above)", s->out);
    } else {
        fail(s, rc);
    }
    job_free(&j);
}

/* ---- each stack in a process of its own (isolate.c) ---------------------------------------- */
/* What a stack's process sends back: this, then the message and the pipeline (lengths with
 * their NUL; 0: none). */
typedef struct stack_wire {
    int status;
    double seconds;
    uint64_t voxels;
    double voxel[3];
    char unit[16], shape[96], dtype[24];
    uint32_t message_len, pipeline_len;
} stack_wire;

static int send_stack(int fd, const batch_stack *s)
{
    stack_wire w;
    memset(&w, 0, sizeof w);
    w.status = (int)s->status, w.seconds = s->seconds, w.voxels = s->voxels;
    memcpy(w.voxel, s->voxel, sizeof w.voxel);
    memcpy(w.unit, s->unit, sizeof w.unit);
    memcpy(w.shape, s->shape, sizeof w.shape);
    memcpy(w.dtype, s->dtype, sizeof w.dtype);
    w.message_len = s->message ? (uint32_t)strlen(s->message) + 1 : 0;
    w.pipeline_len = s->pipeline ? (uint32_t)strlen(s->pipeline) + 1 : 0;
    const int bad = cli_write_all(fd, &w, sizeof w) || cli_write_all(fd, s->message, w.message_len) ||
                    cli_write_all(fd, s->pipeline, w.pipeline_len);
    return bad ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

/* The stack as its process sent it; 0 when the bytes are not a whole result. */
static int receive_stack(const cli_isolated_result *r, batch_stack *s)
{
    stack_wire w;
    if (r->len < sizeof w) return 0;
    memcpy(&w, r->data, sizeof w);
    const char *msg = r->data + sizeof w, *pipe = msg + w.message_len;
    if (w.status < BATCH_TODO || w.status > BATCH_NOT_RUN || r->len != sizeof w + w.message_len + w.pipeline_len ||
        (w.message_len && msg[w.message_len - 1]) || (w.pipeline_len && pipe[w.pipeline_len - 1]))
        return 0;
    s->status = (batch_status)w.status, s->seconds = w.seconds, s->voxels = w.voxels;
    memcpy(s->voxel, w.voxel, sizeof w.voxel);
    memcpy(s->unit, w.unit, sizeof s->unit), s->unit[sizeof s->unit - 1] = '\0';
    memcpy(s->shape, w.shape, sizeof s->shape), s->shape[sizeof s->shape - 1] = '\0';
    memcpy(s->dtype, w.dtype, sizeof s->dtype), s->dtype[sizeof s->dtype - 1] = '\0';
    free(s->message);
    free(s->pipeline);
    s->message = w.message_len ? strdup(msg) : NULL;
    s->pipeline = w.pipeline_len ? strdup(pipe) : NULL;
    return 1;
}

typedef struct stack_call {
    const cli_opts *o;
    batch_stack *s;
    cli_progress *prog;
} stack_call;

static int check_child(void *arg, int fd)
{
    stack_call *c = arg;
    check_stack(c->o, c->s, c->prog);
    return send_stack(fd, c->s);
}

static void run_stack(const cli_opts *o, batch_stack *s, cli_progress *prog);
static int run_child(void *arg, int fd)
{
    stack_call *c = arg;
    run_stack(c->o, c->s, c->prog);
    return send_stack(fd, c->s);
}

/* Checks (`run` 0) or runs a stack in a process of its own. A process that dies (a crash in a
 * decoder, a kill) fails its stack only; the library says why and removes what a run left. */
static void isolated_stack(const cli_opts *o, batch_stack *s, cli_progress *prog, int run)
{
    stack_call c = {o, s, prog};
    cli_isolated_result r;
    char why[ZS_PATH_MAX + 128] = "";
    const double t0 = cli_now();
    if (cli_isolated(run ? run_child : check_child, &c, &r) != CLI_RUN) {
        snprintf(why, sizeof why, "%s: %s", s->in, cli_last_error_text());
    } else if (r.signal) {
        if (zs_job_crashed(s->in, run ? s->out : NULL, run ? s->record : NULL, r.signal, why, sizeof why) < 0)
            cli_error("warning: %s", zs_last_error());
        cli_error("%s", why);
        s->seconds = run ? cli_now() - t0 : 0;
    } else if (!receive_stack(&r, s)) {
        snprintf(why, sizeof why, "%s: its process ended without a result (exit %d)", s->in, r.exit_code);
        cli_error("%s", why);
    }
    cli_isolated_free(&r);
    if (why[0]) {
        s->status = BATCH_FAILED;
        free(s->message);
        s->message = strdup(why);
    }
}

static void run_all(const cli_opts *o, batch_list *l, cli_progress *prog)
{
    uint64_t total = 0, done = 0;
    int n = 0, k = 0;
    for (int i = 0; i < l->n; i++)
        if (l->s[i].status == BATCH_TODO) total += l->s[i].voxels, n++;
    cli_progress_start(prog, cli_progress_choose(o->progress, cli_level), &cli_stop);
    cli_interrupt_install(NULL, 1); /* between stacks, a signal stops the batch after the table */
    for (int i = 0; i < l->n; i++) {
        batch_stack *s = &l->s[i];
        if (s->status != BATCH_TODO) continue;
        if (cli_stop) {
            s->status = BATCH_NOT_RUN;
            continue;
        }
        cli_note(3, "stack %d of %d: %s -> %s", ++k, n, s->in, s->out);
        cli_progress_stack(prog, k, n, s->in, done, total);
        isolated_stack(o, s, prog, 1);
        done += s->voxels;
        cli_interrupt_install(NULL, 1); /* cli_job_run cleared it */
    }
    cli_progress_finish(prog);
    cli_interrupt_clear();
}

/* The table (stdout: it is the batch's report) and the last line (stderr). */
static int report(const batch_list *l, double seconds, int dry_run)
{
    int w = 5, count[BATCH_NOT_RUN + 1] = {0};
    for (int i = 0; i < l->n; i++) {
        const int len = (int)strlen(l->s[i].in);
        w = len > w ? len : w;
        count[l->s[i].status]++;
    }
    printf("%-*s  %-7s  %8s  %8s  %s\n", w, "stack", "status", "seconds", "Mvox/s", "output");
    for (int i = 0; i < l->n; i++) {
        const batch_stack *s = &l->s[i];
        char sec[32] = "-", rate[32] = "-";
        if (s->status == BATCH_OK || (s->status == BATCH_FAILED && s->seconds > 0))
            snprintf(sec, sizeof sec, "%.2f", s->seconds);
        if (s->status == BATCH_OK)
            snprintf(rate, sizeof rate, "%.1f", (double)s->voxels / 1e6 / (s->seconds > 1e-9 ? s->seconds : 1e-9));
        printf("%-*s  %-7s  %8s  %8s  %s\n", w, s->in, batch_status_name(s->status), sec, rate,
               s->status == BATCH_FAILED ? s->message : s->out);
    }
    if (fflush(stdout) != 0) cli_error("cannot write to standard output");
    const int bad = count[BATCH_FAILED] + count[BATCH_NOT_RUN];
    if (!bad) {
        cli_note(2, "%d stack%s: %d %s, %d skipped (complete)%s, in %.2f s", l->n, l->n == 1 ? "" : "s",
                 dry_run ? count[BATCH_TODO] : count[BATCH_OK], dry_run ? "to do" : "done", count[BATCH_SKIPPED],
                 dry_run ? " (dry run: nothing written)" : "", seconds);
        return CLI_EXIT_OK;
    }
    char names[1024] = "";
    size_t len = 0;
    int shown = 0;
    for (int i = 0; i < l->n && len < sizeof names; i++) {
        if (l->s[i].status != BATCH_FAILED) continue;
        if (++shown > 10 || strlen(l->s[i].in) + len + 32 > sizeof names) {
            len += (size_t)snprintf(names + len, sizeof names - len, ", and %d more", count[BATCH_FAILED] - shown + 1);
            break;
        }
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", shown > 1 ? ", " : "", l->s[i].in);
    }
    if (count[BATCH_NOT_RUN])
        cli_error("interrupted: %d of %d stacks not run, %d failed%s%s; run the same command again to finish",
                  count[BATCH_NOT_RUN], l->n, count[BATCH_FAILED], count[BATCH_FAILED] ? ": " : "", names);
    else
        cli_error("%d of %d stack%s failed: %s", count[BATCH_FAILED], l->n, l->n == 1 ? "" : "s", names);
    return CLI_EXIT_ERROR;
}

/* A bad --op is a usage error before anything runs. Physical units are converted with each
 * stack's voxel size later; here a 1 um voxel stands in, so they parse. */
static int check_ops(const cli_opts *o)
{
    zs_volume_info vi;
    zs_pipeline *p = NULL;
    zs_volume_info_init(&vi);
    snprintf(vi.unit, sizeof vi.unit, "um");
    const int rc = cli_build_pipeline(o, &vi, &p);
    zs_pipeline_free(p);
    return rc;
}

/* mkdir -p D, then D/.zslab-batch. */
static int make_dirs(const char *d)
{
    char buf[ZS_PATH_MAX + sizeof BATCH_RECORD_DIR + 2];
    snprintf(buf, sizeof buf, "%s", d);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0777);
            *p = '/';
        }
    const int e = mkdir(buf, 0777) == 0 ? 0 : errno;
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_error("%s: cannot create the output directory: %s", d, strerror(e ? e : ENOTDIR));
        return CLI_EXIT_ERROR;
    }
    snprintf(buf, sizeof buf, "%s/%s", d, BATCH_RECORD_DIR);
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        cli_error("%s: cannot create the directory of the batch's records: %s", buf, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    if (lstat(buf, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) { /* never through a link */
        cli_error("%s: is not a directory of yours (a symbolic link or another user's); remove it", buf);
        return CLI_EXIT_ERROR;
    }
    return CLI_RUN;
}

int cli_cmd_batch(const cli_opts *o)
{
    if (cli_mpi_launched()) {
        cli_error("--batch runs in one process: under mpirun or srun, give each rank its own --jobs-file (or use a "
                  "SLURM job array, one --jobs-file per task)");
        return CLI_EXIT_USAGE;
    }
    const double t0 = cli_now();
    batch_list l;
    int rc = batch_list_make(o, &l);
    if (rc == CLI_RUN) rc = check_ops(o);
    if (rc == CLI_RUN && !o->dry_run) rc = make_dirs(o->out_dir);
    if (rc == CLI_RUN) {
        cli_note(3, "batch: %d stack%s into %s", l.n, l.n == 1 ? "" : "s", o->out_dir);
        cli_progress prog;
        memset(&prog, 0, sizeof prog);
        zs_sys_info si; /* the machine's topology is read once, here, not by each stack's process */
        zs_sys_info_get(&si);
        for (int i = 0; i < l.n; i++) isolated_stack(o, &l.s[i], &prog, 0);
        if (!o->dry_run) run_all(o, &l, &prog);
        /* the page first: the table and the line naming the failed stacks stay the last output */
        const int page = o->report ? batch_report_write(o, &l, cli_now() - t0) : CLI_EXIT_OK;
        rc = report(&l, cli_now() - t0, o->dry_run);
        if (page != CLI_EXIT_OK) rc = CLI_EXIT_ERROR;
    }
    batch_list_free(&l);
    return rc;
}
