/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Execution: OpenMP workers claim slabs in order, each maps its own input planes, runs the
 * pipeline in float32 and writes the slab's core into the output.
 *
 * Roles: slab claiming is an atomic counter (slabs are taken in file order, which keeps
 * reads sequential); everything a worker touches is its own (buffers, scratch, mappings);
 * the output bytes of different slabs are disjoint. The first error is stored once (CAS)
 * with its message and sets `cancel`; the others stop at their next slab. */
#include "scheduler_internal.h"

#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct job {
    const zs_plan *plan;               /* set by caller, read-only in workers */
    const zs_volume *in;               /* read-only */
    zs_volume *out;                    /* workers write disjoint slabs */
    const zs_exec_opts *opts;          /* read-only */
    unsigned phases;                   /* read-only: ZS_PHASE_* */
    _Atomic int64_t next;              /* atomic: next slab to claim */
    _Atomic int cancel;                /* atomic: stop taking slabs */
    _Atomic int err;                   /* atomic: first error code (0 = none) */
    char errmsg[1024];                 /* written once by the CAS winner */
    _Atomic int64_t done;              /* atomic: slabs finished */
    _Atomic uint64_t done_vox;         /* atomic */
    double load_s, compute_s, store_s; /* summed under omp atomic */
    uint64_t sink;                     /* summed under omp atomic: keeps the READ-only touch alive */
    uint64_t bytes_in, bytes_out;      /* summed under omp atomic */
    int64_t total;                     /* read-only: slabs this run does (range less recorded ones) */
    uint64_t total_vox;                /* read-only: their voxels */
    int delay_ms;                      /* read-only: test hook ZS_TEST_SLAB_DELAY_MS (0 = off) */
} job;

typedef struct worker {
    float *buf[2];     /* max_planes planes each (owner: worker) */
    unsigned char *io; /* pread/pwrite engine: file bytes of max_planes planes */
    float *pristine;   /* compute-only phase: planes loaded once, read by stage 0 */
    void *scratch;
    int64_t *set[ZS_MAX_STAGES + 1]; /* z-set per stage boundary, max_planes each */
    int64_t nset[ZS_MAX_STAGES + 1];
    uint64_t sink;
    uint64_t bytes_in, bytes_out; /* file bytes moved */
} worker;

static void job_fail(job *j, zs_status code)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&j->err, &expected, (int)code)) zs__error_copy(j->errmsg, sizeof j->errmsg);
    atomic_store(&j->cancel, 1);
}

static void worker_free(worker *w)
{
    ZS_FREE(w->buf[0]);
    ZS_FREE(w->buf[1]);
    ZS_FREE(w->scratch);
    ZS_FREE(w->io);
    ZS_FREE(w->pristine);
    for (int i = 0; i <= ZS_MAX_STAGES; i++) ZS_FREE(w->set[i]);
}

static zs_status worker_init(const zs_plan *p, unsigned phases, worker *w)
{
    memset(w, 0, sizeof *w);
    const size_t planes = (size_t)p->max_planes, plane = (size_t)(p->in.shape[0] * p->in.shape[1]);
    const size_t es = zs_dtype_size(p->in.dtype) > zs_dtype_size(p->out.dtype) ? zs_dtype_size(p->in.dtype)
                                                                               : zs_dtype_size(p->out.dtype);
    if (p->read_engine == ZS_ENGINE_PREAD || p->write_engine == ZS_ENGINE_PREAD || p->in.decoded) {
        w->io = zs__alloc(planes * plane * es);
        ZS_RETURN_IF(!w->io, ZS_ENOMEM, "out of memory for %.1f MiB of I/O buffer",
                     (double)(planes * plane * es) / 1048576.0);
    }
    if ((phases & ZS_PHASE_COMPUTE) && !(phases & ZS_PHASE_READ)) {
        w->pristine = zs__alloc(planes * plane * sizeof(float));
        ZS_RETURN_IF(!w->pristine, ZS_ENOMEM, "out of memory");
    }
    for (int b = 0; b < 2; b++) {
        /* Not zeroed: every plane a stage reads was written before (the z-sets say so);
         * only the STORE-only benchmark phase reads a buffer nothing wrote. */
        w->buf[b] = (phases & ZS_PHASE_COMPUTE) ? zs__alloc(planes * plane * sizeof(float))
                                                : zs__calloc(planes * plane * sizeof(float));
        ZS_RETURN_IF(!w->buf[b], ZS_ENOMEM, "out of memory for %.1f MiB of work buffers",
                     (double)(planes * plane * sizeof(float)) / 1048576.0);
    }
    if (p->scratch) {
        w->scratch = zs__alloc(p->scratch);
        ZS_RETURN_IF(!w->scratch, ZS_ENOMEM, "out of memory for %.1f MiB of kernel scratch",
                     (double)p->scratch / 1048576.0);
    }
    for (int i = 0; i <= p->nstages; i++) {
        w->set[i] = zs__alloc(planes * sizeof(int64_t));
        ZS_RETURN_IF(!w->set[i], ZS_ENOMEM, "out of memory");
    }
    return ZS_OK;
}

/* set[n] = [z0,z1); set[k] = planes stage k reads to produce set[k+1]. */
static zs_status compute_sets(const zs_plan *p, worker *w, int64_t z0, int64_t z1)
{
    const int n = p->nstages;
    w->nset[n] = z1 - z0;
    for (int64_t z = z0; z < z1; z++) w->set[n][z - z0] = z;
    for (int k = n - 1; k >= 0; k--) {
        const zs_halo *h = &zs__pipeline_stage(p->pipe, k)->halo;
        int64_t m = zs_zset_expand(w->set[k + 1], w->nset[k + 1], h->lo[2], h->hi[2], p->in.shape[2], h->zmode,
                                   w->set[k], p->max_planes);
        ZS_RETURN_IF(m < 0, ZS_EINTERNAL, "planner: stage %d needs more than %lld planes", k, (long long)p->max_planes);
        w->nset[k] = m;
    }
    return ZS_OK;
}

/* Sums 64-bit words so that every cache line of the bytes is read (READ-only phase). */
static uint64_t touch(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t acc = 0, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 64) {
        memcpy(&w, b + i, 8);
        acc += w;
    }
    return acc + (n ? b[n - 1] : 0);
}

static zs_status pread_all(const zs_volume *v, void *buf, size_t n, uint64_t off)
{
    unsigned char *b = buf;
    while (n > 0) {
        ssize_t r = pread(v->fd, b, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0)
            return ZS_ERR_SYS(ZS_EIO, errno, "%s: read failed at offset %llu", v->info.path, (unsigned long long)off);
        if (r == 0)
            return ZS_ERR(ZS_EFORMAT, "%s: file ended at offset %llu (truncated while in use?)", v->info.path,
                          (unsigned long long)off);
        b += r, off += (uint64_t)r, n -= (size_t)r;
    }
    return ZS_OK;
}

static zs_status pwrite_all(const zs_volume *v, const void *buf, size_t n, uint64_t off)
{
    const unsigned char *b = buf;
    while (n > 0) {
        ssize_t r = pwrite(v->fd, b, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0)
            return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: write failed at offset %llu", v->info.path,
                              (unsigned long long)off);
        b += r, off += (uint64_t)r, n -= (size_t)r;
    }
    return ZS_OK;
}

/* Reads planes [z0,z1) of volume t through the engine into buf (float32) or, without
 * CONVERT, only touches the bytes. */
static zs_status load_run(const zs_plan *p, worker *w, const zs_volume *in, int64_t t, int64_t z0, int64_t z1,
                          float *buf, unsigned phases, uint64_t *sink)
{
    const size_t n = (size_t)(p->in.shape[0] * p->in.shape[1]) * (size_t)(z1 - z0);
    const size_t bytes = n * zs_dtype_size(p->in.dtype);
    w->bytes_in += bytes;
    if (in->io || p->read_engine == ZS_ENGINE_PREAD) {
        /* decoded volumes (compressed TIFF pages, plane series) are read by their format into
         * the worker's buffer, like pread: no buffer allocated per slab */
        if (in->io)
            ZS_FORWARD(in->io->read_planes(in, t, z0, z1, w->io));
        else
            ZS_FORWARD(pread_all(in, w->io, bytes, zs__plane_offset(&p->in, t, z0)));
        if (phases & ZS_PHASE_CONVERT)
            zs__to_f32(w->io, p->in.dtype, n, p->in.slope, p->in.inter, buf);
        else
            *sink += touch(w->io, bytes);
        return ZS_OK;
    }
    zs_slab s = {t, z0, z1, z0, z1};
    zs_mapping m;
    ZS_FORWARD(zs_slab_map(in, &s, &m));
    if (phases & ZS_PHASE_CONVERT)
        zs__to_f32(m.data, p->in.dtype, n, p->in.slope, p->in.inter, buf);
    else
        *sink += touch(m.data, bytes);
    return zs_slab_unmap(&m);
}

/* Reads the planes of set[0] of volume t, one run of consecutive z at a time. */
static zs_status load_planes(const zs_plan *p, worker *w, const zs_volume *in, int64_t t, unsigned phases,
                             uint64_t *sink)
{
    const size_t plane = (size_t)(p->in.shape[0] * p->in.shape[1]);
    const int64_t *zs = w->set[0], n = w->nset[0];
    for (int64_t a = 0; a < n;) {
        int64_t b = a + 1;
        while (b < n && zs[b] == zs[b - 1] + 1) b++;
        ZS_FORWARD(load_run(p, w, in, t, zs[a], zs[b - 1] + 1, w->buf[0] + (size_t)a * plane, phases, sink));
        a = b;
    }
    return ZS_OK;
}

static zs_status run_stages(const zs_plan *p, worker *w, int *cur)
{
    const int64_t nx = p->in.shape[0], ny = p->in.shape[1];
    for (int k = 0; k < p->nstages; k++) {
        const zs_stage *s = zs__pipeline_stage(p->pipe, k);
        const float *in = k == 0 && w->pristine ? w->pristine : w->buf[*cur];
        zs_kernel_call c = {s->params,
                            nx,
                            ny,
                            p->in.shape[2],
                            in,
                            w->nset[k],
                            w->set[k],
                            w->buf[1 - *cur],
                            w->nset[k + 1],
                            w->set[k + 1],
                            w->scratch,
                            p->scratch};
        zs_status st = s->k->run(&c);
        if (st < 0) {
            if (!zs_last_error()[0]) ZS_ERR(st, "kernel %s failed: %s", s->k->name, zs_strerror(st));
            return st;
        }
        *cur = 1 - *cur;
    }
    return ZS_OK;
}

static zs_status store_planes(const zs_plan *p, worker *w, zs_volume *out, int64_t t, int64_t z0, int64_t z1,
                              const float *buf)
{
    const size_t n = (size_t)(p->in.shape[0] * p->in.shape[1]) * (size_t)(z1 - z0);
    w->bytes_out += n * zs_dtype_size(p->out.dtype);
    if (p->write_engine == ZS_ENGINE_PREAD && !out->io) { /* encoded outputs go through their format */
        zs__from_f32(buf, n, p->out.dtype, w->io);
        return pwrite_all(out, w->io, n * zs_dtype_size(p->out.dtype), zs__plane_offset(&out->info, t, z0));
    }
    zs_slab s;
    zs_mapping m;
    ZS_FORWARD(zs_slab_make(zs_volume_get_info(out), t, z0, z1, 0, &s));
    ZS_FORWARD(zs_slab_map(out, &s, &m));
    zs__from_f32(buf, n, p->out.dtype, m.data);
    return zs_slab_unmap(&m);
}

/* One slab through the phases asked for; timings added to the worker's sums. */
static zs_status run_slab(job *j, worker *w, int64_t i, double *tl, double *tc, double *ts)
{
    const zs_plan *p = j->plan;
    const unsigned ph = j->phases;
    int64_t t, z0, z1;
    zs__plan_slab(p, i, &t, &z0, &z1);
    double t0 = omp_get_wtime();
    ZS_FORWARD(compute_sets(p, w, z0, z1));
    if (ph & ZS_PHASE_READ) ZS_FORWARD(load_planes(p, w, j->in, t, ph, &w->sink));
    double t1 = omp_get_wtime();
    int cur = 0;
    if (ph & ZS_PHASE_COMPUTE) ZS_FORWARD(run_stages(p, w, &cur));
    double t2 = omp_get_wtime();
    if (ph & ZS_PHASE_STORE) ZS_FORWARD(store_planes(p, w, j->out, t, z0, z1, w->buf[cur]));
    double t3 = omp_get_wtime();
    *tl += t1 - t0;
    *tc += t2 - t1;
    *ts += t3 - t2;
    return ZS_OK;
}

static void report_progress(job *j, int64_t z0, int64_t z1)
{
    const zs_plan *p = j->plan;
    uint64_t vox = (uint64_t)(z1 - z0) * (uint64_t)(p->in.shape[0] * p->in.shape[1]);
    int64_t done = atomic_fetch_add(&j->done, 1) + 1;
    uint64_t dv = atomic_fetch_add(&j->done_vox, vox) + vox;
    if (j->opts->progress) {
        int stop;
#pragma omp critical(zs_progress)
        stop = j->opts->progress(j->opts->user, done, j->total, dv, j->total_vox);
        if (stop) job_fail(j, ZS_ERR(ZS_ECANCELED, "canceled by the progress callback"));
    }
}

/* Compute-only phase: the planes of the middle slab (the largest z-set), loaded once. */
static zs_status load_pristine(job *j, worker *w)
{
    const zs_plan *p = j->plan;
    int64_t t, z0, z1;
    zs__plan_slab(p, p->nslabs / 2, &t, &z0, &z1);
    ZS_FORWARD(compute_sets(p, w, z0, z1));
    ZS_FORWARD(load_planes(p, w, j->in, t, ZS_PHASE_READ | ZS_PHASE_CONVERT, &w->sink));
    w->bytes_in = 0; /* untimed preparation, not part of the phase */
    memcpy(w->pristine, w->buf[0], sizeof(float) * (size_t)(p->in.shape[0] * p->in.shape[1] * p->max_planes));
    return ZS_OK;
}

static void worker_main(job *j)
{
    const zs_plan *p = j->plan;
    /* Binding lasts as long as the thread: the caller's thread (and the pool's) get their
     * affinity back at the end, so later plans still see every allowed core. */
    cpu_set_t saved;
    const int restore = p->bind && sched_getaffinity(0, sizeof saved, &saved) == 0;
    if (p->bind) zs__topology_bind_thread(omp_get_thread_num());
    worker w;
    double tl = 0, tc = 0, ts = 0;
    zs_status st = worker_init(p, j->phases, &w);
    if (st == ZS_OK && w.pristine) st = load_pristine(j, &w);
    if (st < 0) job_fail(j, st);
    const int64_t last = j->opts->last_slab > 0 && j->opts->last_slab < p->nslabs ? j->opts->last_slab : p->nslabs;
    while (!atomic_load(&j->cancel)) {
        if (j->opts->stop && *j->opts->stop) {
            job_fail(j, ZS_ERR(ZS_ECANCELED, "stopped by a signal"));
            break;
        }
        int64_t i = atomic_fetch_add(&j->next, 1);
        if (i >= last) break;
        if (j->opts->journal && zs__journal_done(j->opts->journal, i)) continue; /* recorded: done */
        if (j->delay_ms) usleep((useconds_t)j->delay_ms * 1000u);                /* test hook: a slow slab */
        st = run_slab(j, &w, i, &tl, &tc, &ts);
        if (st == ZS_OK && (j->opts->journal || j->opts->drop_cache) && (j->phases & ZS_PHASE_STORE))
            st = zs__slab_release(j->opts->journal, p, j->in, j->out, i, j->opts->drop_cache);
        if (st < 0) {
            job_fail(j, st);
            break;
        }
        int64_t t, z0, z1;
        zs__plan_slab(p, i, &t, &z0, &z1);
        report_progress(j, z0, z1);
    }
    worker_free(&w);
    if (restore) (void)sched_setaffinity(0, sizeof saved, &saved);
#pragma omp atomic
    j->sink += w.sink;
#pragma omp atomic
    j->bytes_in += w.bytes_in;
#pragma omp atomic
    j->bytes_out += w.bytes_out;
#pragma omp atomic
    j->load_s += tl;
#pragma omp atomic
    j->compute_s += tc;
#pragma omp atomic
    j->store_s += ts;
}

void zs_exec_opts_default(zs_exec_opts *o) { memset(o, 0, sizeof *o); }

/* The slabs and voxels this run does (for progress), and the test hook. */
static void count_work(job *j)
{
    const zs_plan *p = j->plan;
    const int64_t last = j->opts->last_slab > 0 && j->opts->last_slab < p->nslabs ? j->opts->last_slab : p->nslabs;
    for (int64_t i = atomic_load(&j->next); i < last; i++) {
        if (j->opts->journal && zs__journal_done(j->opts->journal, i)) continue;
        int64_t t, z0, z1;
        zs__plan_slab(p, i, &t, &z0, &z1);
        j->total++;
        j->total_vox += (uint64_t)(z1 - z0) * (uint64_t)p->in.shape[0] * (uint64_t)p->in.shape[1];
    }
    /* Test hook (tests/python/test_hpc_resume.py): sleep this long before each slab, so
     * that a signal reliably arrives mid-run. Not for production use. */
    const char *d = getenv("ZS_TEST_SLAB_DELAY_MS");
    j->delay_ms = d ? atoi(d) : 0;
    if (j->delay_ms < 0 || j->delay_ms > 60000) j->delay_ms = 0;
}

static zs_status check_output(const zs_plan *p, const zs_volume *out)
{
    const zs_volume_info *o = zs_volume_get_info(out);
    ZS_RETURN_IF(!zs_volume_writable(out), ZS_EINVAL, "%s: output is not open for writing", o->path);
    for (int d = 0; d < 4; d++)
        ZS_RETURN_IF(o->shape[d] != p->in.shape[d], ZS_EINVAL,
                     "%s: output shape %lldx%lldx%lldx%lld differs from the input's %lldx%lldx%lldx%lld", o->path,
                     (long long)o->shape[0], (long long)o->shape[1], (long long)o->shape[2], (long long)o->shape[3],
                     (long long)p->in.shape[0], (long long)p->in.shape[1], (long long)p->in.shape[2],
                     (long long)p->in.shape[3]);
    ZS_RETURN_IF(o->dtype.type != p->out.dtype.type, ZS_EINVAL, "%s: output dtype %s, the plan makes %s", o->path,
                 zs_dtype_name(o->dtype), zs_dtype_name(p->out.dtype));
    return ZS_OK;
}

zs_status zs_plan_execute(const zs_plan *plan, const zs_volume *in, zs_volume *out, const zs_exec_opts *opts,
                          zs_run_stats *stats)
{
    zs_exec_opts def;
    if (!opts) {
        zs_exec_opts_default(&def);
        opts = &def;
    }
    const unsigned phases = opts->phases ? opts->phases : ZS_PHASE_ALL;
    if (phases & ZS_PHASE_STORE) ZS_FORWARD(check_output(plan, out));
    ZS_RETURN_IF(!in && (phases & (ZS_PHASE_READ | ZS_PHASE_COMPUTE)), ZS_EINVAL, "no input volume given");
    job j;
    memset(&j, 0, sizeof j);
    j.plan = plan;
    j.in = in;
    j.out = out;
    j.opts = opts;
    j.phases = phases;
    atomic_store(&j.next, opts->first_slab > 0 ? opts->first_slab : 0);
    count_work(&j);
    double t0 = omp_get_wtime();
#pragma omp parallel num_threads(plan->threads)
    worker_main(&j);
    double t1 = omp_get_wtime();
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->seconds = t1 - t0;
        stats->load_seconds = j.load_s;
        stats->compute_seconds = j.compute_s;
        stats->store_seconds = j.store_s;
        stats->voxels = atomic_load(&j.done_vox);
        stats->bytes_read = j.bytes_in;
        stats->bytes_written = j.bytes_out;
        stats->threads = plan->threads;
    }
    int err = atomic_load(&j.err);
    if (err) {
        zs__error_set(j.errmsg);
        return (zs_status)err;
    }
    return ZS_OK;
}
