/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The job layer: one output made from one input, open -> pipeline -> plan -> create ->
 * execute -> commit, plain or with a journal (parts, resume, MPI ranks). The policies of a
 * run live here (zslab.h, \ref job): the slab height of parts, pwrite for several writers,
 * the part's range, the refusals; a tool only parses its arguments, calls these steps and
 * prints. */
#include "scheduler_internal.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    J_OPEN = ZS_JOB_OPENED,
    J_JOINED = ZS_JOB_JOINED,
    J_PLANNED = ZS_JOB_PLANNED,
    J_CREATED = ZS_JOB_CREATED,
    J_EXECUTED = ZS_JOB_EXECUTED,
    J_COMMITTED = ZS_JOB_COMMITTED
};
typedef int jstate;

struct zs_job {
    zs_job_opts o;   /* ops, open and plan are not kept: copied below */
    zs_plan_opts po; /* the caller's plan options with the job's policies applied */
    char out[ZS_PATH_MAX];
    char record[ZS_PATH_MAX]; /* "" without one */
    zs_volume *in;            /* the input (owner when own_in) */
    int own_in;
    zs_pipeline *pipe; /* owner */
    zs_plan *plan;     /* owner */
    zs_journal *j;     /* with a journal (owner) */
    zs_volume *vol;    /* the output: owner in a plain run, the journal's otherwise; NULL when complete */
    int into;          /* the output is the caller's opened volume (zs_job_open_into): never created,
                          committed or freed by the job */
    int journaled;     /* keeps a journal */
    int idle;          /* an empty input and a part other than 0: nothing to do */
    jstate st;
    int executed; /* zs_job_execute succeeded */
    int complete;
    int64_t first, last, before, done;
    zs_run_stats rs;
};

static zs_status job_new(const char *out_path, const zs_job_opts *opts, zs_job **out)
{
    ZS_RETURN_IF(!out, ZS_EINVAL, "zs_job_open: no place for the job (job is NULL)");
    *out = NULL;
    zs_job_opts o;
    ZS_FORWARD(ZS_SIZED_IN(&o, opts, zs_job_opts));
    opts = &o;
    ZS_RETURN_IF(!out_path || !*out_path, ZS_EINVAL, "no output file given");
    ZS_RETURN_IF(strlen(out_path) + 16 >= ZS_PATH_MAX, ZS_EINVAL, "%.64s...: path too long", out_path);
    ZS_RETURN_IF(opts->nparts < 1 || opts->part < 0 || opts->part >= opts->nparts, ZS_EINVAL,
                 "%s: part %lld of %lld: want 0 <= part < parts", out_path, (long long)opts->part,
                 (long long)opts->nparts);
    ZS_RETURN_IF(opts->nops < 0 || (opts->nops > 0 && !opts->ops), ZS_EINVAL, "%s: %d stages but no list of them",
                 out_path, opts->nops);
    zs_plan_opts po;
    ZS_FORWARD(ZS_SIZED_IN(&po, opts->plan, zs_plan_opts));
    zs_job *job = calloc(1, sizeof *job);
    ZS_RETURN_IF(!job, ZS_ENOMEM, "out of memory");
    job->o = *opts;
    job->o.ops = NULL, job->o.nops = 0, job->o.open = NULL, job->o.plan = NULL, job->o.record = NULL;
    if (opts->record) snprintf(job->record, sizeof job->record, "%s", opts->record);
    job->po = po;
    snprintf(job->out, sizeof job->out, "%s", out_path);
    job->journaled = opts->journal != ZS_JOB_NO_JOURNAL || opts->nparts > 1 || opts->join;
    *out = job;
    return ZS_OK;
}

/* The pipeline with the input's voxel size, and the caller's stages. */
static zs_status job_pipeline(zs_job *job, const zs_job_opts *opts)
{
    const zs_volume_info *in = zs_volume_get_info(job->in);
    ZS_FORWARD(zs_pipeline_new(&job->pipe));
    zs_pipeline_set_voxel(job->pipe, in->voxel, in->unit);
    for (int i = 0; i < opts->nops; i++) {
        const zs_status st = zs_pipeline_add(job->pipe, opts->ops[i]);
        if (st < 0) {
            char msg[1024];
            zs__error_copy(msg, sizeof msg);
            return ZS_ERR(st, "%s: '%s': %s", in->path, opts->ops[i], msg);
        }
    }
    return ZS_OK;
}

zs_status zs_job_open(const char *in_path, const char *out_path, const zs_job_opts *opts, zs_job **out)
{
    ZS_FORWARD(job_new(out_path, opts, out));
    zs_job *job = *out;
    zs_status st = zs_volume_open(in_path, opts ? opts->open : NULL, &job->in);
    job->own_in = 1;
    if (st == ZS_OK && opts) st = job_pipeline(job, opts);
    if (st == ZS_OK && !opts) st = zs_pipeline_new(&job->pipe);
    return st; /* on failure the caller frees the job, as documented */
}

zs_status zs_job_open_volume(const zs_volume *in, const char *out_path, const zs_job_opts *opts, zs_job **out)
{
    ZS_RETURN_IF(!in, ZS_EINVAL, "%s: no input volume given", out_path ? out_path : "?");
    ZS_FORWARD(job_new(out_path, opts, out));
    zs_job *job = *out;
    job->in = (zs_volume *)in;
    return opts ? job_pipeline(job, opts) : zs_pipeline_new(&job->pipe);
}

zs_status zs_job_open_into(const zs_volume *in, zs_volume *out, const zs_job_opts *opts, zs_job **job)
{
    ZS_RETURN_IF(!out, ZS_EINVAL, "zs_job_open_into: no output volume given");
    const char *name = zs_volume_get_info(out)->path;
    ZS_FORWARD(zs_job_open_volume(in, name, opts, job));
    zs_job *j = *job;
    ZS_RETURN_IF(j->journaled || j->record[0] || j->o.pyramid, ZS_EINVAL,
                 "%s: a job into an opened volume is a plain run: no journal, parts, record or pyramid", name);
    j->into = 1;
    j->vol = out;
    return ZS_OK;
}

zs_pipeline *zs_job_pipeline(zs_job *job) { return job ? job->pipe : NULL; }
const zs_volume *zs_job_input(const zs_job *job) { return job ? job->in : NULL; }
const zs_plan *zs_job_get_plan(const zs_job *job) { return job ? job->plan : NULL; }

/* The part that creates a journal of N parts, without a slab height given: the planner's
 * height (which balances one process), lowered so that the N parts together have two slabs
 * per worker. Every other part reads it from the journal's header, so it is decided once. */
static int64_t parts_slab(const zs_job *job)
{
    const zs_volume_info *in = zs_volume_get_info(job->in);
    const int64_t planned = zs_plan_slab_height(job->plan);
    const int64_t want = 2 * (int64_t)zs_plan_threads(job->plan) * job->o.nparts;
    const int64_t per_vol = (want + in->shape[3] - 1) / in->shape[3];
    int64_t cap = in->shape[2] / (per_vol > 0 ? per_vol : 1);
    if (cap < 1) cap = 1;
    const int64_t a = job->po.z_align > 1 ? job->po.z_align : 1; /* whole chunks of the output */
    if (cap % a != 0) cap = cap < a ? a : cap / a * a;
    return planned < cap ? planned : cap;
}

static zs_status make_plan(zs_job *job, int parts_policy)
{
    const zs_volume_info *in = zs_volume_get_info(job->in);
    const int64_t given = job->po.slab;
    ZS_FORWARD(zs_plan_create(in, job->pipe, &job->po, &job->plan));
    if (!parts_policy || given || job->o.nparts < 2) return ZS_OK;
    const int64_t s = parts_slab(job);
    if (s == zs_plan_slab_height(job->plan)) return ZS_OK;
    zs_plan_free(job->plan);
    job->plan = NULL;
    job->po.slab = s;
    return zs_plan_create(in, job->pipe, &job->po, &job->plan);
}

/* Takes part in OUT's journal: creates it, or joins it. */
static zs_status begin_journal(zs_job *job)
{
    zs_journal_opts jo;
    zs_journal_opts_init(&jo);
    jo.part = job->o.part;
    jo.nparts = job->o.nparts;
    jo.stop = job->o.stop;
    if (job->o.wait_seconds >= 0) jo.wait_seconds = job->o.wait_seconds;
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.compress = job->o.compress;
    memcpy(co.chunk, job->o.chunk, sizeof co.chunk);
    jo.create = &co;
    jo.role = job->o.join ? ZS_JOURNAL_JOIN : job->o.journal == ZS_JOB_JOURNAL_NEW ? ZS_JOURNAL_NEW : ZS_JOURNAL_ANY;
    if (jo.role == ZS_JOURNAL_NEW && job->o.force) { /* start over; an earlier OUT stays until replaced */
        ZS_FORWARD(zs_journal_remove(job->out));
        jo.role = ZS_JOURNAL_REPLACE;
    }
    return zs_journal_begin(job->out, &jo, &job->j);
}

/* What the output asks of the plan: whole planes, its writers' memory, chunk-aligned slabs, the
 * file system. An opened volume (zs_job_open_into) says so itself. */
static void output_policies(zs_job *job, const zs_volume_info *in)
{
    if (job->into) {
        job->po.whole_plane_output = zs_volume_writes_whole_planes(job->vol);
        job->po.z_align = zs_volume_write_z_align(job->vol);
        return;
    }
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.compress = job->o.compress;
    memcpy(co.chunk, job->o.chunk, sizeof co.chunk);
    co.pyramid = job->o.pyramid;
    job->po.whole_plane_output = zs_path_writes_whole_planes(job->out, &co);
    zs_volume_info spec = *in; /* the output's shape; its dtype when the job sets one */
    if (job->po.has_out_dtype) spec.dtype = job->po.out_dtype;
    job->po.writer_bytes = zs__path_write_worker_bytes(job->out, &co, &spec);
    job->po.z_align = zs_path_write_z_align(job->out, &co);
    job->po.parallel_fs = zs_path_on_parallel_fs(job->out, NULL, 0);
}

zs_status zs_job_plan(zs_job *job)
{
    ZS_RETURN_IF(!job, ZS_EINVAL, "no job given");
    if (job->st >= J_PLANNED) return ZS_OK;
    ZS_RETURN_IF(!job->in || !job->pipe, ZS_EINVAL, "%s: the job's input did not open", job->out);
    ZS_RETURN_IF(job->journaled && job->o.pyramid, ZS_EUNSUPPORTED,
                 "%s: a pyramid is built when the whole volume is written, by one process: jobs with a journal "
                 "(parts, resumed runs) write level 0 only; build the pyramid with a plain run from their output",
                 job->out);
    const zs_volume_info *in = zs_volume_get_info(job->in);
    /* Several writers of one file never map it: a mapped page shared with a neighbour's slab is
     * written back whole, which on NFS from two nodes overwrites the neighbour's bytes with stale
     * ones. The automatic engine never maps (pwrite, or direct for jobs larger than memory,
     * which sends only the slab's bytes as pwrite does). */
    output_policies(job, in);
    job->po.input = job->in; /* the planner counts what its format holds to decode planes */
    /* An empty input has no slab to share or to journal: part 0 writes it as a plain run. */
    if (job->journaled && !job->o.dry_run && zs__volume_empty(in)) {
        job->journaled = 0;
        job->idle = job->o.part > 0;
        ZS_FORWARD(zs_plan_create(in, job->pipe, &job->po, &job->plan));
    } else if (job->journaled && !job->o.dry_run) {
        if (!job->j) ZS_FORWARD(begin_journal(job));
        job->st = J_JOINED;
        const int creating = zs_journal_creating(job->j);
        if (!job->po.slab) job->po.slab = zs_journal_slab_height(job->j);
        ZS_FORWARD(make_plan(job, creating));
    } else {
        ZS_FORWARD(make_plan(job, job->journaled));
    }
    job->first = 0;
    job->last = zs_plan_slab_count(job->plan);
    if (job->journaled && job->o.dry_run) {
        const int64_t S = job->last, N = job->o.nparts, I = job->o.part;
        job->first = (int64_t)((__int128)I * S / N);
        job->last = (int64_t)((__int128)(I + 1) * S / N);
    }
    job->st = J_PLANNED;
    return ZS_OK;
}

/* The output of a plain run: OUT.partial, created (over OUT with force). */
static zs_status create_plain(zs_job *job)
{
    /* A journaled job owns OUT: never write over its partial output behind its back. */
    if (zs_journal_exists(job->out)) {
        if (!job->o.force)
            return ZS_ERR_DETAIL(
                ZS_EEXIST, ZS_REASON_JOURNAL_EXISTS, "resume,force", 0, ": continue that job, or start over (force)",
                "%s: has a journal (%s.zsjournal) of a job run in parts or to be resumed", job->out, job->out);
        ZS_FORWARD(zs_journal_remove(job->out));
    }
    /* the record goes first: a run that fails never leaves one */
    if (job->record[0] && unlink(job->record) != 0 && errno != ENOENT)
        return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot remove %s", job->out, job->record);
    zs_volume_info spec;
    zs_plan_output_spec(job->plan, &spec);
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.force = job->o.force;
    co.compress = job->o.compress;
    memcpy(co.chunk, job->o.chunk, sizeof co.chunk);
    co.pyramid = job->o.pyramid;
    ZS_FORWARD(zs_volume_create(job->out, &spec, &co, &job->vol));
    return ZS_OK;
}

/* The caller's opened output must have the shape and dtype the job makes. */
static zs_status check_into(const zs_job *job)
{
    zs_volume_info spec;
    zs_plan_output_spec(job->plan, &spec);
    const zs_volume_info *v = zs_volume_get_info(job->vol);
    int same = v->dtype.type == spec.dtype.type && v->dtype.big_endian == spec.dtype.big_endian;
    for (int a = 0; a < 4; a++) same = same && v->shape[a] == spec.shape[a];
    ZS_RETURN_IF(!same, ZS_EINVAL, "%s: holds %lldx%lldx%lldx%lld %s, the job makes %lldx%lldx%lldx%lld %s", job->out,
                 (long long)v->shape[0], (long long)v->shape[1], (long long)v->shape[2], (long long)v->shape[3],
                 zs_dtype_name(v->dtype), (long long)spec.shape[0], (long long)spec.shape[1], (long long)spec.shape[2],
                 (long long)spec.shape[3], zs_dtype_name(spec.dtype));
    ZS_RETURN_IF(!zs_volume_writable(job->vol), ZS_EINVAL, "%s: the job's output is not writable", job->out);
    return ZS_OK;
}

zs_status zs_job_create(zs_job *job)
{
    ZS_RETURN_IF(!job, ZS_EINVAL, "no job given");
    if (job->st >= J_CREATED) return ZS_OK;
    ZS_RETURN_IF(job->o.dry_run, ZS_EINVAL, "%s: a dry run creates nothing", job->out);
    ZS_FORWARD(zs_job_plan(job));
    if (job->idle) {
        job->first = job->last = 0;
    } else if (job->journaled) {
        ZS_FORWARD(zs_journal_attach(job->j, job->plan, &job->vol));
        zs_journal_part_range(job->j, &job->first, &job->last);
        job->before = zs_journal_done_count(job->j, job->first, job->last);
        job->complete = job->vol == NULL;
    } else {
        ZS_FORWARD(job->into ? check_into(job) : create_plain(job));
    }
    job->st = J_CREATED;
    return ZS_OK;
}

const zs_volume *zs_job_output(const zs_job *job) { return job ? job->vol : NULL; }

static int on_slab(void *user, int64_t done_slabs, int64_t total_slabs, uint64_t done_vox, uint64_t total_vox)
{
    const zs_job *job = user;
    int stop = 0;
    if (job->o.slab_progress) stop = job->o.slab_progress(job->o.user, done_slabs, total_slabs, done_vox, total_vox);
    if (!stop && job->o.progress)
        stop = job->o.progress(job->o.user, total_vox ? (double)done_vox / (double)total_vox : 1.0);
    return stop;
}

zs_status zs_job_execute(zs_job *job)
{
    ZS_RETURN_IF(!job, ZS_EINVAL, "no job given");
    ZS_RETURN_IF(job->st >= J_EXECUTED, ZS_EINVAL, "%s: the job ran already", job->out);
    ZS_FORWARD(zs_job_create(job));
    job->st = J_EXECUTED;
    memset(&job->rs, 0, sizeof job->rs);
    job->rs.threads = zs_plan_threads(job->plan);
    zs__test_crash_on(zs_volume_get_info(job->in)->path, "run");
    if (job->idle || !job->vol ||
        (job->journaled && (job->first >= job->last || job->before == job->last - job->first))) {
        job->executed = 1;
        return ZS_OK;
    }
    zs_exec_opts eo;
    zs_exec_opts_init(&eo);
    eo.progress = job->o.slab_progress || job->o.progress ? on_slab : NULL;
    eo.user = job;
    eo.stop = job->o.stop;
    eo.drop_cache = job->o.drop_cache;
    if (job->journaled) {
        eo.first_slab = job->first;
        eo.last_slab = job->last;
        eo.journal = job->j;
    }
    ZS_FORWARD(zs_plan_execute(job->plan, job->in, job->vol, &eo, &job->rs));
    job->executed = 1;
    return ZS_OK;
}

/* ---- records: what a finished output was made from (a batch's up-to-date check) --------- */
#define RECORD_MAGIC "zslab-batch-record 2\n"

/* The record's lines this job must match: the fingerprint, the compression and the chunks (when
 * given: records of outputs written with the default chunks read as before). */
static zs_status record_head(const zs_job *job, char **head)
{
    char *fp = NULL;
    ZS_FORWARD(zs__fingerprint_lines(job->plan, &fp));
    const size_t n = strlen(RECORD_MAGIC) + strlen(fp) + 128;
    const int64_t *c = job->o.chunk;
    char chunk[96] = "";
    if (c[0] || c[1] || c[2])
        snprintf(chunk, sizeof chunk, " chunk %lld %lld %lld", (long long)c[0], (long long)c[1], (long long)c[2]);
    if (job->o.pyramid) /* appended: records without one read as before */
        snprintf(chunk + strlen(chunk), sizeof chunk - strlen(chunk), " pyramid %d", job->o.pyramid);
    *head = malloc(n);
    if (*head) snprintf(*head, n, "%s%scompress %d%s\n", RECORD_MAGIC, fp, (int)job->o.compress, chunk);
    free(fp);
    ZS_RETURN_IF(!*head, ZS_ENOMEM, "out of memory");
    return ZS_OK;
}

/* Written after the commit: the fingerprint and the output's size and mtime. A failure is
 * ZS_EIO naming the record; OUT is complete all the same (zs_job_complete). */
static zs_status write_record(const zs_job *job)
{
    struct stat st;
    char *head = NULL;
    ZS_FORWARD(record_head(job, &head));
    zs_partial_file *p = NULL; /* RECORD.partial, claimed as outputs are, renamed into place */
    zs_status s = stat(job->out, &st) == 0 ? zs_partial_file_new(job->record, &p)
                                           : ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot stat", job->out);
    if (s == ZS_OK) {
        fprintf(zs_partial_file_stream(p), "%soutput size=%lld mtime=%lld.%09ld\n", head, (long long)st.st_size,
                (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
        s = zs_partial_file_commit(p);
    }
    zs_partial_file_free(p);
    free(head);
    if (s == ZS_OK) return ZS_OK;
    char why[512];
    snprintf(why, sizeof why, "%s", zs_last_error());
    return ZS_ERR(ZS_EIO, "%s: cannot write %s (%s): the next run will redo it", job->out, job->record, why);
}

/* Why a record differs from this job's lines: the first line that differs, by its key. */
static void first_difference(const char *want, const char *rec, char *why, size_t n)
{
    static const struct {
        const char *key, *why;
    } keys[] = {
        {"input-files ", "one of the input's files changed after it was made"},
        {"input-size ", "the input changed after it was made"},
        {"input-mtime ", "the input changed after it was made"},
        {"input ", "the input changed after it was made"},
        {"input-", "the input's header changed after it was made"},
        {"pipeline ", "it was made with another pipeline"},
        {"output-", "it was made with another output dtype, shape or compression"},
        {"compress ", "it was made with another output dtype, shape or compression"},
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

/* OUT's header: the shape and dtype this job makes? */
static int header_matches(const zs_job *job, char *why, size_t n)
{
    zs_volume *v = NULL;
    zs_volume_info spec;
    zs_plan_output_spec(job->plan, &spec);
    if (zs_volume_open(job->out, NULL, &v) < 0) {
        char msg[1024];
        zs__error_copy(msg, sizeof msg);
        snprintf(why, n, "its header cannot be read (%s)", msg);
        zs_clear_error();
        return 0;
    }
    const zs_volume_info *got = zs_volume_get_info(v);
    int same = got->dtype.type == spec.dtype.type && got->dtype.big_endian == spec.dtype.big_endian;
    for (int a = 0; a < 4; a++) same = same && got->shape[a] == spec.shape[a];
    if (!same)
        snprintf(why, n, "its header says %lldx%lldx%lldx%lld %s, this run makes %lldx%lldx%lldx%lld %s",
                 (long long)got->shape[0], (long long)got->shape[1], (long long)got->shape[2], (long long)got->shape[3],
                 zs_dtype_name(got->dtype), (long long)spec.shape[0], (long long)spec.shape[1],
                 (long long)spec.shape[2], (long long)spec.shape[3], zs_dtype_name(spec.dtype));
    zs_volume_free(v);
    return same;
}

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

zs_status zs_job_up_to_date(zs_job *job, int *up_to_date, char *why, size_t n)
{
    char dummy[1];
    if (!why || !n) why = dummy, n = sizeof dummy;
    why[0] = '\0';
    ZS_RETURN_IF(!job || !up_to_date, ZS_EINVAL, "zs_job_up_to_date: no job or no place for the answer given");
    *up_to_date = 0;
    ZS_RETURN_IF(!job->record[0], ZS_EINVAL, "%s: the job has no record to check (zs_job_opts.record)", job->out);
    ZS_FORWARD(zs_job_plan(job));
    char *head = NULL;
    ZS_FORWARD(record_head(job, &head));
    struct stat st;
    const int exists = stat(job->out, &st) == 0;
    char *rec = read_record(job->record);
    const size_t hl = strlen(head);
    long long size = -1, sec = -1;
    long nsec = -1;
    if (!exists) {
        if (rec) snprintf(why, n, "its record is there but the output is gone");
    } else if (!rec) {
        snprintf(why, n, "there is no record that this batch made it (%s)", job->record);
    } else if (strncmp(rec, head, hl) != 0) {
        first_difference(head, rec, why, n);
    } else if (sscanf(rec + hl, "output size=%lld mtime=%lld.%ld", &size, &sec, &nsec) != 3 ||
               size != (long long)st.st_size || sec != (long long)st.st_mtim.tv_sec ||
               nsec != (long)st.st_mtim.tv_nsec) {
        snprintf(why, n, "the output was changed after it was made");
    } else {
        *up_to_date = header_matches(job, why, n);
    }
    free(rec);
    free(head);
    return ZS_OK;
}

/* ---- a stack whose process died (a batch runs each stack in a process of its own) --------- */
static const struct {
    int sig;
    const char *name;
    int crash; /* 1: a fault in the process's own code (a decoder); 0: a signal from outside */
} signals[] = {{SIGSEGV, "SIGSEGV", 1}, {SIGBUS, "SIGBUS", 1},   {SIGFPE, "SIGFPE", 1},   {SIGILL, "SIGILL", 1},
               {SIGABRT, "SIGABRT", 1}, {SIGINT, "SIGINT", 0},   {SIGTERM, "SIGTERM", 0}, {SIGHUP, "SIGHUP", 0},
               {SIGKILL, "SIGKILL", 0}, {SIGPIPE, "SIGPIPE", 0}, {SIGXFSZ, "SIGXFSZ", 0}};

/* OUT.partial of a dead process: removed when it is a regular file of ours that nobody holds (its
 * claim, a lock, died with its process; a live run's lock keeps it). */
static zs_status remove_dead_partial(const char *out_path)
{
    char partial[ZS_PATH_MAX + 16];
    struct stat st;
    snprintf(partial, sizeof partial, "%s.partial", out_path);
    if (lstat(partial, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) return ZS_OK;
    const int fd = open(partial, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return ZS_OK;
    int e = 0;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && unlink(partial) != 0 && errno != ENOENT) e = errno;
    close(fd);
    return e ? ZS_ERR_SYS(ZS_EIO, e, "%s: cannot remove %s", out_path, partial) : ZS_OK;
}

zs_status zs_job_crashed(const char *in_path, const char *out_path, const char *record, int sig, char *why, size_t n)
{
    char name[32];
    int crash = 0;
    snprintf(name, sizeof name, "signal %d", sig);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (signals[i].sig == sig) snprintf(name, sizeof name, "%s", signals[i].name), crash = signals[i].crash;
    const int stopped = sig == SIGINT || sig == SIGTERM || sig == SIGHUP;
    if (why && n)
        snprintf(why, n, "%s: %s (%s)", in_path ? in_path : "?",
                 crash     ? "crashed in its decoder"
                 : stopped ? "stopped"
                           : "killed",
                 name);
    zs_status st = out_path ? remove_dead_partial(out_path) : ZS_OK;
    if (record && unlink(record) != 0 && errno != ENOENT && st == ZS_OK)
        st = ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot remove %s", out_path ? out_path : in_path, record);
    return st;
}

zs_status zs_job_commit(zs_job *job)
{
    ZS_RETURN_IF(!job, ZS_EINVAL, "no job given");
    if (job->journaled) { /* also after a failure, and again after the other parts finished */
        ZS_RETURN_IF(job->st < J_CREATED, ZS_EINVAL, "%s: the job has no output to commit", job->out);
        ZS_FORWARD(zs_journal_finish(job->j, &job->done, &job->complete));
        job->st = J_COMMITTED;
        return ZS_OK;
    }
    if (job->st == J_COMMITTED) return ZS_OK;
    ZS_RETURN_IF(!job->executed, ZS_EINVAL, "%s: the job did not run to its end: nothing to commit", job->out);
    zs__volume_set_stop(job->vol, job->o.stop); /* the commit's own work (pyramid levels) stops too */
    if (job->vol && !job->into) ZS_FORWARD(zs_volume_commit(job->vol));
    job->complete = !job->idle;
    job->done = job->idle ? 0 : zs_plan_slab_count(job->plan);
    job->st = J_COMMITTED;
    return job->record[0] && !job->idle ? write_record(job) : ZS_OK;
}

void zs_job_free(zs_job *job)
{
    if (!job) return;
    zs_journal_free(job->j);                                     /* closes the journal's output; never removes it */
    if (!job->journaled && !job->into) zs_volume_free(job->vol); /* uncommitted: removed */
    zs_plan_free(job->plan);
    zs_pipeline_free(job->pipe);
    if (job->own_in) zs_volume_free(job->in);
    free(job);
}

/* The getters take NULL (a job whose open failed): an empty range, zeros, zeroed stats. */
void zs_job_part_range(const zs_job *job, int64_t *first, int64_t *last)
{
    if (first) *first = job ? job->first : 0;
    if (last) *last = job ? job->last : 0;
}
int64_t zs_job_done_before(const zs_job *job) { return job ? job->before : 0; }
int64_t zs_job_done(const zs_job *job) { return job ? job->done : 0; }
int zs_job_complete(const zs_job *job) { return job ? job->complete : 0; }
int zs_job_journaled(const zs_job *job) { return job ? job->journaled : 0; }
zs_job_state zs_job_get_state(const zs_job *job) { return job ? (zs_job_state)job->st : ZS_JOB_OPENED; }
void zs_job_stats(const zs_job *job, zs_run_stats *stats)
{
    if (!stats) return;
    zs_run_stats rs;
    if (job)
        rs = job->rs;
    else
        zs_run_stats_init(&rs);
    ZS_SIZED_OUT(stats, &rs, zs_run_stats);
}
