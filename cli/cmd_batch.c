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
 * batch's ETA. Then they run. After each output is committed, a record beside it,
 * D/.zslab-batch/<output name>.done, says what it was made from: the input (real path, size,
 * mtime, header), the pipeline (zs_pipeline_describe), the output's dtype, shape and
 * compression, the zslab version, and the output's own size and mtime. A rerun skips a stack
 * only when the output exists, its record matches line for line and its header has the
 * shape and dtype this run makes; otherwise it redoes the stack and says why. The record is
 * removed before a stack runs, so a failed run never leaves one. */
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

/* What one stack needs to run; all owned. */
typedef struct stack_job {
    zs_volume *in;
    zs_pipeline *pipe;
    zs_plan *plan;
    char *head; /* the record's lines that this run must match (all but the output's size and mtime) */
} stack_job;

static void job_free(stack_job *j)
{
    free(j->head);
    zs_plan_free(j->plan);
    zs_pipeline_free(j->pipe);
    zs_volume_free(j->in);
    memset(j, 0, sizeof *j);
}

/* "KEY PATH size=N mtime=S.NS" (or "KEY PATH" when it cannot be stat'ed: a series pattern). */
static void file_line(FILE *f, const char *key, const char *path)
{
    struct stat st;
    char real[PATH_MAX];
    if (stat(path, &st) == 0)
        fprintf(f, "%s %s size=%lld mtime=%lld.%09ld\n", key, realpath(path, real) ? real : path, (long long)st.st_size,
                (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    else
        fprintf(f, "%s %s\n", key, path);
}

/* The fingerprint of this stack's run. @return malloc'd text, NULL when out of memory. */
static char *fingerprint(const cli_filter_opts *o, const zs_volume *vol, const zs_pipeline *pipe, const zs_plan *plan)
{
    const zs_volume_info *in = zs_volume_get_info(vol);
    char *buf = NULL, descr[16], odescr[16], shape[96], oshape[96], pipeline[8192];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    zs_volume_info spec;
    zs_plan_output_spec(plan, &spec);
    zs_dtype_descr(in->dtype, descr, sizeof descr);
    zs_dtype_descr(spec.dtype, odescr, sizeof odescr);
    cli_shape_string(in, shape, sizeof shape);
    cli_shape_string(&spec, oshape, sizeof oshape);
    zs_pipeline_describe(pipe, pipeline, sizeof pipeline);
    fprintf(f, "zslab-batch-record 1\nzslab %s\n", zs_version_string());
    file_line(f, "input", in->path);
    if (strcmp(in->data_path, in->path) != 0 && in->data_path[0]) file_line(f, "data", in->data_path);
    /* a volume of more files than its name and data file (a plane series): all of them, as its
     * format lists them */
    int more = 0;
    for (int64_t i = 0; zs_volume_file(vol, i) && !more; i++)
        more = strcmp(zs_volume_file(vol, i), in->path) != 0 && strcmp(zs_volume_file(vol, i), in->data_path) != 0;
    char stamp[160];
    if (more && zs_volume_files_stamp(vol, stamp, sizeof stamp) == ZS_OK) fprintf(f, "files %s\n", stamp);
    fprintf(f, "header %s %s %s %s offset=%llu scaling=%.17g,%.17g voxel=%.17gx%.17gx%.17g%s\n",
            zs_format_name(in->format), shape, descr, in->order == ZS_ORDER_F ? "F" : "C",
            (unsigned long long)in->offset, in->slope, in->inter, in->voxel[0], in->voxel[1], in->voxel[2], in->unit);
    fprintf(f, "pipeline %s\n", zs_pipeline_length(pipe) ? pipeline : "(copy)");
    fprintf(f, "output_dtype %s shape=%s compress=%d\n", odescr, oshape, (int)o->compress);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
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

/* Opens the input, builds the pipeline and the plan: what `zslab filter IN OUT` does first. */
static int prepare(const cli_filter_opts *o, batch_stack *s, stack_job *j)
{
    memset(j, 0, sizeof *j);
    int rc = cli_open_input(s->in, &o->raw, &j->in);
    if (rc != CLI_RUN) return rc;
    const zs_volume_info *info = zs_volume_get_info(j->in);
    rc = cli_build_pipeline(o, info, &j->pipe);
    if (rc == CLI_RUN) rc = cli_make_plan(o, info, j->pipe, &j->plan);
    if (rc == CLI_RUN && !(j->head = fingerprint(o, j->in, j->pipe, j->plan))) {
        cli_error("out of memory");
        rc = CLI_EXIT_ERROR;
    }
    s->voxels = 1;
    for (int a = 0; a < 4; a++) s->voxels *= (uint64_t)info->shape[a];
    describe_stack(s, info, j->pipe);
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

/* The record's text, or NULL (none, or unreadable). */
static char *read_record(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = malloc(65536 + 1);
    size_t n = buf ? fread(buf, 1, 65536, f) : 0;
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

/* Why a record differs from this run's fingerprint: the first line that differs, by its key. */
static void first_difference(const char *want, const char *rec, char *why, size_t n)
{
    static const struct {
        const char *key, *why;
    } keys[] = {
        {"input", "the input changed after it was made"},
        {"data", "the input's data file changed after it was made"},
        {"header", "the input's header changed after it was made"},
        {"pipeline", "it was made with another pipeline"},
        {"output_dtype", "it was made with another output dtype, shape or compression"},
        {"zslab ", "it was made by another zslab version"},
    };
    for (;;) {
        const char *ea = strchr(want, '\n'), *eb = strchr(rec, '\n');
        if (!ea || !eb || ea - want != eb - rec || strncmp(want, rec, (size_t)(ea - want)) != 0) break;
        want = ea + 1, rec = eb + 1;
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strncmp(want, keys[i].key, strlen(keys[i].key)) == 0) {
            snprintf(why, n, "%s", keys[i].why);
            return;
        }
    snprintf(why, n, "its record is not one this zslab writes");
}

/* The output's header: the shape and dtype this run makes? */
static int header_matches(const char *out, const zs_plan *plan, char *why, size_t n)
{
    zs_volume *v = NULL;
    zs_volume_info spec;
    zs_plan_output_spec(plan, &spec);
    if (zs_volume_open(out, NULL, &v) < 0) {
        snprintf(why, n, "its header cannot be read (%s)", zs_last_error());
        zs_clear_error();
        return 0;
    }
    const zs_volume_info *got = zs_volume_get_info(v);
    int same = got->dtype.type == spec.dtype.type && got->dtype.big_endian == spec.dtype.big_endian;
    for (int a = 0; a < 4; a++) same = same && got->shape[a] == spec.shape[a];
    if (!same) {
        char gs[96], ws[96];
        cli_shape_string(got, gs, sizeof gs);
        cli_shape_string(&spec, ws, sizeof ws);
        snprintf(why, n, "its header says %s %s, this run makes %s %s", gs, zs_dtype_name(got->dtype), ws,
                 zs_dtype_name(spec.dtype));
    }
    zs_volume_free(v);
    return same;
}

/* 1 if s->out is complete and was made from this input and pipeline (see the top of the
 * file). Else 0 and why (left "" for a stack with neither an output nor a record). */
static int is_complete(const batch_stack *s, const stack_job *j, char *why, size_t n)
{
    struct stat st;
    why[0] = '\0';
    const int exists = stat(s->out, &st) == 0;
    char *rec = read_record(s->record);
    int ok = 0;
    const size_t hl = strlen(j->head);
    long long size = -1, sec = -1;
    long nsec = -1;
    if (!exists) {
        if (rec) snprintf(why, n, "its record is there but the output is gone");
    } else if (!rec) {
        snprintf(why, n, "there is no record that this batch made it (%s)", s->record);
    } else if (strncmp(rec, j->head, hl) != 0) {
        first_difference(j->head, rec, why, n);
    } else if (sscanf(rec + hl, "output size=%lld mtime=%lld.%ld", &size, &sec, &nsec) != 3 ||
               size != (long long)st.st_size || sec != (long long)st.st_mtim.tv_sec ||
               nsec != (long)st.st_mtim.tv_nsec) {
        snprintf(why, n, "the output was changed after it was made");
    } else {
        ok = header_matches(s->out, j->plan, why, n);
    }
    free(rec);
    return ok;
}

/* Written after the commit: the fingerprint and the output's size and mtime. */
static int write_record(const batch_stack *s, const stack_job *j)
{
    struct stat st;
    char tmp[ZS_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", s->record);
    FILE *f = stat(s->out, &st) == 0 ? fopen(tmp, "w") : NULL;
    int ok = f != NULL;
    if (f) {
        fprintf(f, "%soutput size=%lld mtime=%lld.%09ld\n", j->head, (long long)st.st_size,
                (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
        ok = fclose(f) == 0 && rename(tmp, s->record) == 0;
    }
    if (!ok) {
        cli_error("warning: %s: cannot write %s (%s): the next run will redo it", s->out, s->record, strerror(errno));
        unlink(tmp);
    }
    return ok ? 0 : -1;
}

/* The first pass: header, pipeline, plan and completeness of every stack. Nothing is written. */
static void check_stack(const cli_filter_opts *o, batch_stack *s)
{
    stack_job j;
    char why[ZS_PATH_MAX + 256];
    cli_forget_error();
    const int rc = prepare(o, s, &j);
    if (rc != CLI_RUN) {
        fail(s, rc);
    } else if (zs_journal_exists(s->out)) {
        cli_error("%s: has a journal (%s.zsjournal) of a job run with --part, --resume or MPI: finish it, or remove "
                  "%s.zsjournal and %s.partial",
                  s->out, s->out, s->out, s->out);
        fail(s, CLI_EXIT_ERROR);
    } else if (!o->force && is_complete(s, &j, why, sizeof why)) {
        s->status = BATCH_SKIPPED;
    } else {
        s->status = BATCH_TODO;
        if (!o->force && why[0]) cli_note(2, "%s: redoing it: %s", s->out, why);
    }
    job_free(&j);
}

/* Runs one stack with the batch's progress display; the record follows a successful commit. */
static void run_stack(const cli_filter_opts *o, batch_stack *s, cli_progress *prog)
{
    const double t0 = cli_now();
    stack_job j;
    cli_forget_error();
    int rc = prepare(o, s, &j);
    if (rc == CLI_RUN && unlink(s->record) != 0 && errno != ENOENT) {
        cli_error("%s: cannot remove %s: %s", s->out, s->record, strerror(errno));
        rc = CLI_EXIT_ERROR;
    }
    if (rc == CLI_RUN) {
        cli_filter_opts so = *o;
        zs_run_stats rs;
        so.in = s->in;
        so.out = s->out;
        so.force = 1; /* the batch owns its outputs; a complete one was skipped already */
        rc = cli_filter_execute(&so, j.plan, j.in, prog, &rs);
    }
    s->seconds = cli_now() - t0;
    if (rc == CLI_EXIT_OK) {
        s->status = BATCH_OK;
        write_record(s, &j);
        /* the output is complete and recorded: a preview that fails is only a warning here */
        if (o->preview && cli_preview_beside(s->out, o->mem_budget, o->threads) != CLI_EXIT_OK)
            cli_error("warning: %s: no preview written (above)", s->out);
    } else {
        fail(s, rc);
    }
    job_free(&j);
}

static void run_all(const cli_filter_opts *o, batch_list *l)
{
    uint64_t total = 0, done = 0;
    int n = 0, k = 0;
    for (int i = 0; i < l->n; i++)
        if (l->s[i].status == BATCH_TODO) total += l->s[i].voxels, n++;
    cli_progress prog;
    cli_progress_start(&prog, cli_progress_choose(o->progress, cli_level), &cli_stop);
    cli_interrupt_install(NULL, 1); /* between stacks, a signal stops the batch after the table */
    for (int i = 0; i < l->n; i++) {
        batch_stack *s = &l->s[i];
        if (s->status != BATCH_TODO) continue;
        if (cli_stop) {
            s->status = BATCH_NOT_RUN;
            continue;
        }
        cli_note(3, "stack %d of %d: %s -> %s", ++k, n, s->in, s->out);
        cli_progress_stack(&prog, k, n, s->in, done, total);
        run_stack(o, s, &prog);
        done += s->voxels;
        cli_interrupt_install(NULL, 1); /* cli_filter_execute cleared it */
    }
    cli_progress_finish(&prog);
    cli_interrupt_clear();
}

const char *batch_status_name(batch_status st)
{
    switch (st) {
    case BATCH_TODO:
        return "to do";
    case BATCH_OK:
        return "ok";
    case BATCH_SKIPPED:
        return "skipped";
    case BATCH_FAILED:
        return "FAILED";
    default:
        return "not run";
    }
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
static int check_ops(const cli_filter_opts *o)
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
    return CLI_RUN;
}

int cli_cmd_batch(const cli_filter_opts *o)
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
        for (int i = 0; i < l.n; i++) check_stack(o, &l.s[i]);
        if (!o->dry_run) run_all(o, &l);
        /* the page first: the table and the line naming the failed stacks stay the last output */
        const int page = o->report ? batch_report_write(o, &l, cli_now() - t0) : CLI_EXIT_OK;
        rc = report(&l, cli_now() - t0, o->dry_run);
        if (page != CLI_EXIT_OK) rc = CLI_EXIT_ERROR;
    }
    batch_list_free(&l);
    return rc;
}
