/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Execution: OpenMP workers claim runs of slabs, and stream each run tile by tile through
 * per-stage rings (see plan.c for the shape, docs/design.md for the path of a tile).
 *
 * The path of a tile. A band [y0,y1) of output rows and a run [Z0,Z1) of planes: for each
 * stage k the band's geometry (zs__band_geom) gives the rows of its tile V[k], the run's the
 * planes it produces. The store asks the last stage for a batch of planes; a stage asks its
 * input ring for the planes its batch needs (zs_zset_expand), which asks the stage before, down
 * to the loader, which reads the band's rows of a plane from the file. A ring plane holds the
 * rows W of the band (every stage's tile and the loaded rows). After a stage writes its output
 * planes, the rows of the next stage's tile that lie outside the volume are filled from the
 * rows they mirror (the next stage's mode), so each stage sees its input extended exactly as on
 * a whole plane. Rows of a stage's output outside [lo, ny - hi) of its tile are scratch.
 *
 * Roles: run claiming is an atomic counter (runs are taken in file order, which keeps reads
 * sequential); everything a worker touches is its own (rings, scratch, staging); the output
 * bytes of different slabs are disjoint. The first error is stored once (CAS) with its message
 * and sets `cancel`; the others stop at their next band. */
#include "engine_internal.h"
#include "reduce_internal.h"
#include "error_internal.h"

#include <omp.h>
#include <sched.h>
#include <signal.h>
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
    zs_error_detail errdetail;         /* its detail, written with it */
    _Atomic int64_t done;              /* atomic: slabs finished */
    _Atomic uint64_t done_vox;         /* atomic */
    double load_s, compute_s, store_s; /* summed under omp atomic */
    uint64_t sink;                     /* summed under omp atomic: keeps the READ-only touch alive */
    uint64_t bytes_in, bytes_out;      /* summed under omp atomic */
    int64_t total;                     /* read-only: slabs this run does (range less recorded ones) */
    uint64_t total_vox;                /* read-only: their voxels */
    int64_t first, last;               /* read-only: the slab range */
    int64_t run_slabs;                 /* read-only: slabs of one claim */
    int64_t groups;                    /* read-only: band groups a claim is split into (items per claim) */
    int64_t nclaims;                   /* read-only */
    _Atomic int64_t *left;             /* atomic, per claim: band groups not finished yet */
    int delay_ms;                      /* read-only: test hook ZS_TEST_SLAB_DELAY_MS (0 = off) */
    int64_t stop_at;                   /* read-only: test hook ZS_TEST_STOP_AT_SLAB (-1 = off) */
    zs_engine_side rd, wr;             /* read-only: the engines of the input and the output (owner: the job) */
    char note[512];                    /* why an engine fell back, for zs_run_stats */
} job;

typedef struct ring {
    unsigned char *base; /* cap planes of the worker's plane_elems work elements each */
    int64_t cap;         /* planes */
    int64_t next;        /* next plane to produce in this run */
} ring;

typedef struct worker {
    const zs_plan *p;
    const zs_volume *in;
    zs_volume *out;
    unsigned phases;
    ring r[ZS_MAX_STAGES + 1];
    size_t plane_elems; /* tile_rows * nx */
    size_t es;          /* bytes of a work element (the plan's work_size) */
    /* the conversions for the plan's work type, chosen once (no per-voxel branch on it) */
    void (*to_work)(const void *src, zs_dtype dt, size_t n, double slope, double inter, void *dst);
    void (*from_work)(const void *src, size_t n, zs_dtype dt, void *dst);
    void (*extend)(const zs_kernel_call *c, void *plane, zs_border mode, double cval);
    int check_exact;               /* float64 work on int64/uint64: values beyond +-2^53 fail the run */
    int64_t inexact_z;             /* a plane holding such a value (-1: none seen) */
    const zs_engine_side *rd, *wr; /* the job's engines */
    void *rs, *ws;                 /* the worker's streams of them, or NULL (owner: worker) */
    unsigned char *assembly;       /* encoded outputs: the run's output planes (owner: worker) */
    int encoded;                   /* the output encodes whole planes: stores go to the assembly */
    int64_t run_z0;                /* first plane of the run */
    void *scratch;
    int64_t *zin[ZS_MAX_STAGES];      /* a call's input planes */
    const float **pin[ZS_MAX_STAGES]; /* and their rows (of the work type: float or double) */
    int64_t *zout[ZS_MAX_STAGES];     /* a call's output planes */
    float **pout[ZS_MAX_STAGES];
    zs_band_geom g;                  /* the band being streamed */
    zs_rows prod[ZS_MAX_STAGES + 1]; /* planes produced into each ring in this run */
    int64_t t;                       /* volume of the series */
    uint64_t sink;
    uint64_t bytes_in, bytes_out; /* file bytes moved */
    double tl, tc, ts;            /* seconds loading, computing, storing */
} worker;

static void job_fail(job *j, zs_status code)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&j->err, &expected, (int)code)) {
        zs__error_copy(j->errmsg, sizeof j->errmsg);
        zs_error_detail_init(&j->errdetail);
        zs_last_error_detail(&j->errdetail);
    }
    atomic_store(&j->cancel, 1);
}

/* The work type's conversions and row extension, behind one signature each. */
static void to_w32(const void *src, zs_dtype dt, size_t n, double slope, double inter, void *dst)
{
    zs__to_f32(src, dt, n, slope, inter, dst);
}
static void to_w64(const void *src, zs_dtype dt, size_t n, double slope, double inter, void *dst)
{
    zs__to_f64(src, dt, n, slope, inter, dst);
}
static void from_w32(const void *src, size_t n, zs_dtype dt, void *dst) { zs__from_f32(src, n, dt, dst); }
static void from_w64(const void *src, size_t n, zs_dtype dt, void *dst) { zs__from_f64(src, n, dt, dst); }
static void to_wi64(const void *src, zs_dtype dt, size_t n, double slope, double inter, void *dst)
{
    (void)slope, (void)inter; /* exact_ints: no scaling */
    zs__to_i64(src, dt, n, dst);
}
static void to_wu64(const void *src, zs_dtype dt, size_t n, double slope, double inter, void *dst)
{
    (void)slope, (void)inter;
    zs__to_u64(src, dt, n, dst);
}
static void from_wi64(const void *src, size_t n, zs_dtype dt, void *dst) { zs__from_i64(src, n, dt, dst); }
static void from_wu64(const void *src, size_t n, zs_dtype dt, void *dst) { zs__from_u64(src, n, dt, dst); }
static void extend_w32(const zs_kernel_call *c, void *plane, zs_border mode, double cval)
{
    zs_kcall_extend_rows(c, plane, mode, (float)cval);
}
static void extend_w64(const zs_kernel_call *c, void *plane, zs_border mode, double cval)
{
    zs_kcall_extend_rows_f64(c, plane, mode, cval);
}

static void worker_free(worker *w)
{
    if (w->rd) zs__engine_stop(w->rd, &w->rs);
    if (w->wr) zs__engine_stop(w->wr, &w->ws);
    for (int k = 0; k <= ZS_MAX_STAGES; k++) ZS_FREE(w->r[k].base);
    for (int k = 0; k < ZS_MAX_STAGES; k++) {
        ZS_FREE(w->zin[k]);
        ZS_FREE(w->pin[k]);
        ZS_FREE(w->zout[k]);
        ZS_FREE(w->pout[k]);
    }
    ZS_FREE(w->scratch);
    ZS_FREE(w->assembly);
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

static zs_status worker_init(const zs_plan *p, const job *j, worker *w)
{
    memset(w, 0, sizeof *w);
    w->p = p;
    w->in = j->in;
    w->out = j->out;
    w->phases = j->phases;
    w->encoded = j->out && zs_volume_writes_whole_planes(j->out);
    w->rd = &j->rd;
    w->wr = &j->wr;
    const int n = p->nstages;
    const size_t nx = (size_t)p->in.shape[0];
    w->plane_elems = (size_t)p->tile_rows * nx;
    w->es = p->work_size;
    const int f64 = p->work_size == sizeof(double);
    w->to_work = f64 ? to_w64 : to_w32;
    w->from_work = f64 ? from_w64 : from_w32;
    w->extend = f64 ? extend_w64 : extend_w32;
    w->check_exact = f64 && !p->exact_ints && (p->in.dtype.type == ZS_I64 || p->in.dtype.type == ZS_U64);
    if (p->exact_ints) { /* no stages: no row is extended */
        const int sgn = p->in.dtype.type == ZS_I32 || p->in.dtype.type == ZS_I64;
        w->to_work = sgn ? to_wi64 : to_wu64;
        w->from_work = sgn ? from_wi64 : from_wu64;
    }
    w->inexact_z = -1;
    for (int k = 0; k <= n; k++) {
        /* Not zeroed: every row a stage reads was written before (the geometry says so); only
         * the STORE-only benchmark phase stores planes nothing wrote. */
        const size_t bytes = (size_t)p->ring[k] * w->plane_elems * w->es;
        w->r[k].base = (w->phases & ZS_PHASE_COMPUTE) ? zs__alloc(bytes) : zs__calloc(bytes);
        w->r[k].cap = p->ring[k];
        ZS_RETURN_IF(!w->r[k].base, ZS_ENOMEM, "%s: out of memory for %.1f MiB of tile rings (a worker's share)",
                     p->in.path, (double)p->ring_bytes / 1048576.0);
    }
    ZS_FORWARD(zs__engine_start(w->rd, p, &w->rs));
    if (!w->encoded && (w->phases & ZS_PHASE_STORE)) ZS_FORWARD(zs__engine_start(w->wr, p, &w->ws));
    if (p->assembly_bytes && (w->phases & ZS_PHASE_STORE)) {
        w->assembly = zs__calloc((size_t)p->assembly_bytes);
        ZS_RETURN_IF(!w->assembly, ZS_ENOMEM, "%s: out of memory for %.1f MiB of output planes (a worker's share)",
                     p->in.path, (double)p->assembly_bytes / 1048576.0);
    }
    if (p->scratch) {
        w->scratch = zs__alloc(p->scratch);
        ZS_RETURN_IF(!w->scratch, ZS_ENOMEM, "%s: out of memory for %.1f MiB of kernel scratch (a worker's share)",
                     p->in.path, (double)p->scratch / 1048576.0);
    }
    for (int k = 0; k < n; k++) {
        w->zin[k] = zs__alloc((size_t)p->max_in[k] * sizeof(int64_t));
        w->pin[k] = zs__alloc((size_t)p->max_in[k] * sizeof(float *));
        w->zout[k] = zs__alloc((size_t)p->batch[k] * sizeof(int64_t));
        w->pout[k] = zs__alloc((size_t)p->batch[k] * sizeof(float *));
        ZS_RETURN_IF(!w->zin[k] || !w->pin[k] || !w->zout[k] || !w->pout[k], ZS_ENOMEM,
                     "%s: out of memory for the plane lists of stage %d", p->in.path, k + 1);
    }
    return ZS_OK;
}

/* Row v (volume row) of plane z of ring k, in the current band (work elements). */
static void *ring_row(const worker *w, int k, int64_t z, int64_t v)
{
    const ring *r = &w->r[k];
    return r->base +
           ((size_t)(z % r->cap) * w->plane_elems + (size_t)(v - w->g.W.a) * (size_t)w->p->in.shape[0]) * w->es;
}

/* Converts n voxels of file bytes (of plane z) into work elements, or (READ-only phase) only
 * touches them. */
static void convert_in(worker *w, const void *src, size_t n, void *dst, int64_t z)
{
    const zs_plan *p = w->p;
    if (!(w->phases & ZS_PHASE_CONVERT)) {
        w->sink += touch(src, n * zs_dtype_size(p->in.dtype));
        return;
    }
    if (w->check_exact && w->inexact_z < 0 && zs__f64_inexact(src, p->in.dtype, n) < n) w->inexact_z = z;
    w->to_work(src, p->in.dtype, n, p->in.slope, p->in.inter, dst);
}

/* Converts n planes of nrow voxels each, packed at src, into ring 0 rows of planes z, z+1, ...
 * from ring row `row_at` on (the engine's `use`: under a fault guard when src is mapped). */
typedef struct convert_job {
    worker *w;
    size_t nrow, stride;
    int64_t row_at;
} convert_job;

static void convert_planes(void *arg, const unsigned char *src, int64_t z, int64_t n)
{
    const convert_job *c = arg;
    for (int64_t q = 0; q < n; q++)
        convert_in(c->w, src + (size_t)q * c->stride, c->nrow, ring_row(c->w, 0, z + q, c->row_at), z + q);
}

/* Reads rows [ra, rb) of planes [za, zb) of volume t into ring 0, plane z's rows from ring row
 * `row_at` on, through the read engine. */
static zs_status load_rows_raw(worker *w, int64_t za, int64_t zb, int64_t ra, int64_t rb, int64_t row_at)
{
    const zs_plan *p = w->p;
    const size_t es = zs_dtype_size(p->in.dtype), nrow = (size_t)(rb - ra) * (size_t)p->in.shape[0];
    w->bytes_in += (uint64_t)(zb - za) * nrow * es;
    convert_job c = {w, nrow, nrow * es, row_at};
    return w->rd->ops->read(w->rs, (zs_io_request){w->t, za, zb, ra, rb}, convert_planes, &c);
}

/* load_rows_raw, then the float64 limit: an int64/uint64 value a double does not hold exactly
 * fails the run rather than be rounded (the selections promise exact values). */
static zs_status load_rows(worker *w, int64_t za, int64_t zb, int64_t ra, int64_t rb, int64_t row_at)
{
    ZS_FORWARD(load_rows_raw(w, za, zb, ra, rb, row_at));
    ZS_RETURN_IF(w->inexact_z >= 0, ZS_EUNSUPPORTED,
                 "%s: plane %lld has a value beyond +-2^53 (9007199254740992), which float64 work cannot hold "
                 "exactly (%s input); --precision float32 computes it rounded",
                 w->p->in.path, (long long)w->inexact_z, zs_dtype_name(w->p->in.dtype));
    return ZS_OK;
}

/* Rows of the band outside the volume, in plane z of ring k: copies of the rows they mirror by
 * stage k's mode, or its cval (zs_kcall_extend_rows over the ring plane's rows W, which hold every
 * row mirrored). */
static void extend_rows(const worker *w, int k, int64_t z)
{
    const zs_plan *p = w->p;
    const zs_halo *h = &zs__pipeline_stage(p->pipe, k)->halo;
    const zs_rows W = w->g.W;
    if (W.a >= 0 && W.b <= p->in.shape[1]) return; /* an interior band */
    zs_kernel_call c;
    memset(&c, 0, sizeof c);
    c.nx = p->in.shape[0];
    c.ny = W.b - W.a;
    c.y0 = W.a;
    c.ny_vol = p->in.shape[1];
    w->extend(&c, ring_row(w, k, z, W.a), h->ymode, h->cval);
}

static zs_status ensure(worker *w, int k, int64_t upto);

/* Loads planes [za, zb) of the band into ring 0. */
static zs_status produce_load(worker *w, int64_t za, int64_t zb)
{
    const zs_plan *p = w->p;
    if (w->phases & ZS_PHASE_READ) {
        double t0 = omp_get_wtime();
        ZS_FORWARD(load_rows(w, za, zb, w->g.load.a, w->g.load.b, w->g.load.a));
        w->tl += omp_get_wtime() - t0;
    }
    if (p->nstages && (w->phases & ZS_PHASE_COMPUTE)) {
        double t0 = omp_get_wtime();
        for (int64_t z = za; z < zb; z++) extend_rows(w, 0, z);
        w->tc += omp_get_wtime() - t0;
    }
    return ZS_OK;
}

/* Stage k writes planes [za, zb) into ring k+1. */
static zs_status produce_stage(worker *w, int k, int64_t za, int64_t zb)
{
    const zs_plan *p = w->p;
    const zs_stage *s = zs__pipeline_stage(p->pipe, k);
    const zs_halo *h = &s->halo;
    const int64_t nb = zb - za, nz = p->in.shape[2];
    const zs_rows V = w->g.V[k];
    for (int64_t j = 0; j < nb; j++) {
        w->zout[k][j] = za + j;
        w->pout[k][j] = ring_row(w, k + 1, za + j, V.a);
    }
    const int64_t nin = zs_zset_expand(w->zout[k], nb, h->lo[2], h->hi[2], nz, h->zmode, w->zin[k], p->max_in[k]);
    ZS_RETURN_IF(nin < 0, ZS_EINTERNAL, "planner: stage %d (%s) needs more than %lld input planes", k, s->k->name,
                 (long long)p->max_in[k]);
    if (nin > 0) ZS_FORWARD(ensure(w, k, w->zin[k][nin - 1] + 1));
    if (!(w->phases & ZS_PHASE_COMPUTE)) return ZS_OK;
    double t0 = omp_get_wtime();
    for (int64_t i = 0; i < nin; i++) w->pin[k][i] = ring_row(w, k, w->zin[k][i], V.a);
    const zs_kernel_call c = {s->params,  p->state[k], p->in.shape[0],       V.b - V.a,  V.a,       p->in.shape[1],
                              nz,         h->lo[1],    V.b - V.a - h->hi[1], w->pin[k],  nin,       w->zin[k],
                              w->pout[k], nb,          w->zout[k],           w->scratch, p->scratch};
    zs_clear_error();
    zs_status st = p->run[k](&c);
    if (st < 0) {
        const char *m = zs_last_error();
        if (!m[0])
            ZS_ERR(st, "kernel %s failed: %s", s->k->name, zs_strerror(st));
        else if (strncmp(m, s->k->name, strlen(s->k->name)) != 0) {
            char buf[1024];
            snprintf(buf, sizeof buf, "kernel %s: %s", s->k->name, m);
            zs__error_set(buf);
        }
        return st;
    }
    if (k + 1 < p->nstages)
        for (int64_t z = za; z < zb; z++) extend_rows(w, k + 1, z);
    w->tc += omp_get_wtime() - t0;
    return ZS_OK;
}

/* Makes ring k hold planes up to `upto` (exclusive), producing batches in order. */
static zs_status ensure(worker *w, int k, int64_t upto)
{
    const zs_plan *p = w->p;
    const int n = p->nstages;
    ring *r = &w->r[k];
    const int64_t batch = k == 0 ? p->batch[n] : p->batch[k - 1];
    if (r->next < w->prod[k].a) r->next = w->prod[k].a;
    while (r->next < upto) {
        const int64_t za = r->next, zb = za + batch < w->prod[k].b ? za + batch : w->prod[k].b;
        ZS_RETURN_IF(za >= zb, ZS_EINTERNAL, "planner: plane %lld is outside what ring %d produces", (long long)za, k);
        ZS_FORWARD(k == 0 ? produce_load(w, za, zb) : produce_stage(w, k - 1, za, zb));
        r->next = zb;
    }
    return ZS_OK;
}

/* Converts n planes of the band's rows of the last ring, from plane z on, into dst (packed): the
 * write engine's `fill`, under a fault guard when dst is mapped. */
static void store_planes(void *arg, unsigned char *dst, int64_t z, int64_t n)
{
    const worker *w = arg;
    const zs_plan *p = w->p;
    const size_t nvox = (size_t)(w->g.y1 - w->g.y0) * (size_t)p->in.shape[0], es = zs_dtype_size(p->out.dtype);
    for (int64_t q = 0; q < n; q++)
        w->from_work(ring_row(w, p->nstages, z + q, w->g.y0), nvox, p->out.dtype, dst + (size_t)q * nvox * es);
}

/* Writes rows [y0, y1) of planes [za, zb) of the last ring into the output: through the write
 * engine, or into the run's assembly of whole planes when the output encodes them. */
static zs_status store_rows(worker *w, int64_t za, int64_t zb)
{
    const zs_plan *p = w->p;
    const int64_t nx = p->in.shape[0], y0 = w->g.y0, y1 = w->g.y1;
    const size_t es = zs_dtype_size(p->out.dtype), nvox = (size_t)(y1 - y0) * (size_t)nx;
    double t0 = omp_get_wtime();
    w->bytes_out += (uint64_t)(zb - za) * nvox * es;
    if (w->encoded) { /* encoded outputs: assembled, written whole at the end of the run */
        const size_t plane = (size_t)nx * (size_t)p->in.shape[1];
        for (int64_t z = za; z < zb; z++)
            store_planes(w, w->assembly + ((size_t)(z - w->run_z0) * plane + (size_t)y0 * (size_t)nx) * es, z, 1);
    } else {
        ZS_FORWARD(w->wr->ops->write(w->ws, (zs_io_request){w->t, za, zb, y0, y1}, store_planes, w));
    }
    w->ts += omp_get_wtime() - t0;
    return ZS_OK;
}

/* One band of one run: the store pulls batches of the last ring through the stages. */
/* Whether the run must end now: another worker failed, or the caller asked to stop and nothing of
 * this run would be kept (with a journal, the slab under way is finished and recorded). Checked
 * per band and per batch of planes, so a stop takes effect within one batch even when a band is
 * the whole plane of a small volume. */
static zs_status stop_requested(job *j)
{
    if (atomic_load(&j->cancel)) return ZS_ECANCELED;
    if (j->opts->stop && *j->opts->stop && !j->opts->journal) {
        job_fail(j, ZS_ERR(ZS_ECANCELED, "stopped by a signal"));
        return ZS_ECANCELED;
    }
    return ZS_OK;
}

static zs_status run_band(job *j, worker *w, int64_t z0, int64_t z1)
{
    const zs_plan *p = w->p;
    const int n = p->nstages;
    for (int k = 0; k <= n; k++) w->r[k].next = w->prod[k].a;
    if (w->rs && w->rd->ops->band && (w->phases & ZS_PHASE_READ)) { /* the band's loads, in produce_load's order */
        const int whole = w->g.load.a == 0 && w->g.load.b == p->in.shape[1];
        w->rd->ops->band(w->rs, (zs_io_request){w->t, w->prod[0].a, w->prod[0].b, w->g.load.a, w->g.load.b},
                         whole ? p->batch[n] : 1);
    }
    const int64_t batch = n ? p->batch[n - 1] : p->batch[n];
    for (int64_t za = z0; za < z1; za += batch) {
        const int64_t zb = za + batch < z1 ? za + batch : z1;
        ZS_FORWARD(stop_requested(j));
        if (w->rs && w->rd->ops->check) ZS_FORWARD(w->rd->ops->check(w->rs)); /* an input that shrank: stop now */
        if (w->ws && w->wr->ops->check) ZS_FORWARD(w->wr->ops->check(w->ws)); /* a failed write */
        ZS_FORWARD(ensure(w, n, zb));
        if (j->opts->reducer) /* a reduction: the planes go to it (reduce.c), nothing is stored */
            for (int64_t z = za; z < zb; z++)
                ZS_FORWARD(zs__reduce_rows(j->opts->reducer, w->t, z, w->g.y0, w->g.y1, ring_row(w, n, z, w->g.y0)));
        else if (w->phases & ZS_PHASE_STORE)
            ZS_FORWARD(store_rows(w, za, zb));
    }
    return ZS_OK;
}

/* Compute-only phase: ring 0 holds real planes, loaded once (untimed), read by stage 0. */
static zs_status load_pristine(worker *w)
{
    const zs_plan *p = w->p;
    const int64_t ny = p->in.shape[1], nz = p->in.shape[2];
    const int64_t rows = p->tile_rows < ny ? p->tile_rows : ny;
    unsigned saved = w->phases;
    w->phases = ZS_PHASE_READ | ZS_PHASE_CONVERT;
    w->g.W.a = 0;
    /* the first rows of the plane (all of them when planes are read whole), at row 0 of the slot,
     * read at most load_rows at a time: the staging buffer holds no more (a tile's rows, halos
     * included, may outnumber the rows a band loads) */
    const int64_t rb = p->whole_planes ? ny : rows, chunk = p->load_rows > 0 ? p->load_rows : rb;
    zs_status st = ZS_OK;
    for (int64_t s = 0; s < w->r[0].cap && st == ZS_OK; s++) {
        /* slot s holds plane s (mod the ring) of the middle of the volume */
        const int64_t z = (nz / 2 + s) % nz;
        unsigned char *dst = w->r[0].base + (size_t)s * w->plane_elems * w->es;
        ring tmp = w->r[0];
        w->r[0].base = dst;
        w->r[0].cap = 1;
        for (int64_t r0 = 0; r0 < rb && st == ZS_OK; r0 += chunk)
            st = load_rows(w, z, z + 1, r0, r0 + chunk < rb ? r0 + chunk : rb, r0);
        w->r[0] = tmp;
    }
    w->bytes_in = 0; /* untimed preparation, not part of the phase */
    w->phases = saved;
    return st;
}

/* A run: bands [b0, b1) of slabs [sa, sb) of one volume, streamed band by band. */
static zs_status run_slabs(job *j, worker *w, int64_t sa, int64_t sb, int64_t b0, int64_t b1)
{
    const zs_plan *p = j->plan;
    int64_t t, z0, z1, ta, zz;
    zs__plan_slab(p, sa, &t, &z0, &zz);
    zs__plan_slab(p, sb - 1, &ta, &zz, &z1);
    w->t = t;
    w->run_z0 = z0;
    zs__run_zranges(p, z0, z1, w->prod);
    const int64_t ny = p->in.shape[1];
    for (int64_t y0 = b0 * p->band; y0 < ny && y0 < b1 * p->band; y0 += p->band) {
        ZS_FORWARD(stop_requested(j));
        zs__band_geom(p, y0, y0 + p->band < ny ? y0 + p->band : ny, &w->g);
        ZS_FORWARD(run_band(j, w, z0, z1));
    }
    if (w->encoded && (w->phases & ZS_PHASE_STORE)) {
        double t0 = omp_get_wtime();
        ZS_FORWARD(zs__volume_write(w->out, t, z0, z1, 0, ny, w->assembly));
        w->ts += omp_get_wtime() - t0;
    }
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

/* Slabs [first, end) of one claim, bands [b0, b1): runs of consecutive slabs of one volume not yet recorded. */
static zs_status run_claim(job *j, worker *w, int64_t first, int64_t end, int64_t b0, int64_t b1)
{
    const zs_plan *p = j->plan;
    zs_status st = ZS_OK;
    for (int64_t a = first; a < end && st == ZS_OK;) {
        if (j->opts->journal && zs__journal_done(j->opts->journal, a)) {
            a++;
            continue;
        }
        int64_t b = a + 1;
        while (b < end && b % p->nslabs_per_vol != 0 && !(j->opts->journal && zs__journal_done(j->opts->journal, b)))
            b++;
        if (j->delay_ms) usleep((useconds_t)j->delay_ms * 1000u * (useconds_t)(b - a)); /* test hook */
        if (j->stop_at >= 0 && a <= j->stop_at && j->stop_at < b) raise(SIGSTOP);       /* test hook */
        /* an input truncated under the run is reported before its planes are read */
        if (j->in && (j->phases & ZS_PHASE_READ)) st = zs__volume_check_size(j->in);
        if (st == ZS_OK) st = run_slabs(j, w, a, b, b0, b1);
        a = b;
    }
    return st;
}

/* Slabs [first, end) of a finished claim: synced, recorded (or dropped from the cache) and reported. */
static zs_status record_claim(job *j, int64_t first, int64_t end)
{
    const zs_plan *p = j->plan;
    zs_status st = ZS_OK;
    for (int64_t i = first; i < end && st == ZS_OK; i++) {
        if (j->opts->journal && zs__journal_done(j->opts->journal, i)) continue;
        if ((j->opts->journal || j->opts->drop_cache) && (j->phases & ZS_PHASE_STORE))
            st = zs__slab_release(j->opts->journal, p, j->in, j->out, i, j->opts->drop_cache);
        if (st == ZS_OK) {
            int64_t t, z0, z1;
            zs__plan_slab(p, i, &t, &z0, &z1);
            report_progress(j, z0, z1);
        }
    }
    return st;
}

/* One item: one band group of one claim of run_slabs slabs, run, drained, and recorded by its last group. */
static zs_status run_item(job *j, worker *w, int64_t item)
{
    const zs_plan *p = j->plan;
    const int64_t claim = item / j->groups, g = item % j->groups;
    const int64_t first = j->first + claim * j->run_slabs;
    const int64_t end = first + j->run_slabs < j->last ? first + j->run_slabs : j->last;
    const int64_t b0 = g * p->nbands / j->groups, b1 = (g + 1) * p->nbands / j->groups;
    zs_status st = run_claim(j, w, first, end, b0, b1);
    /* Writes the engine still holds are written before the claim's slabs are synced and
     * recorded, or handed to the worker that records them. */
    if (st == ZS_OK && w->ws && w->wr->ops->drain) {
        const double t0 = omp_get_wtime();
        st = w->wr->ops->drain(w->ws);
        w->ts += omp_get_wtime() - t0;
    }
    /* The worker that finishes a claim's last band group records its slabs. */
    if (st == ZS_OK && atomic_fetch_sub(&j->left[claim], 1) == 1) st = record_claim(j, first, end);
    return st;
}

/* A worker's counters and times, added to the job's. */
static void add_worker_totals(job *j, const worker *w)
{
#pragma omp atomic
    j->sink += w->sink;
#pragma omp atomic
    j->bytes_in += w->bytes_in;
#pragma omp atomic
    j->bytes_out += w->bytes_out;
#pragma omp atomic
    j->load_s += w->tl;
#pragma omp atomic
    j->compute_s += w->tc;
#pragma omp atomic
    j->store_s += w->ts;
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
    zs_status st = worker_init(p, j, &w);
    if (st == ZS_OK && (j->phases & ZS_PHASE_COMPUTE) && !(j->phases & ZS_PHASE_READ)) st = load_pristine(&w);
    if (st < 0) job_fail(j, st);
    while (!atomic_load(&j->cancel)) {
        if (j->opts->stop && *j->opts->stop) {
            job_fail(j, ZS_ERR(ZS_ECANCELED, "stopped by a signal"));
            break;
        }
        /* An item is one band group of one claim of run_slabs slabs. */
        const int64_t item = atomic_fetch_add(&j->next, 1);
        if (item >= j->nclaims * j->groups) break;
        if (st == ZS_OK) st = run_item(j, &w, item);
        if (st < 0) {
            if (st != ZS_ECANCELED || !atomic_load(&j->cancel)) job_fail(j, st);
            break;
        }
    }
    worker_free(&w);
    if (restore) (void)sched_setaffinity(0, sizeof saved, &saved);
    add_worker_totals(j, &w);
}

/* The slabs and voxels this run does (for progress), and the test hook. */
static void count_work(job *j)
{
    const zs_plan *p = j->plan;
    const int64_t last = j->opts->last_slab > 0 && j->opts->last_slab < p->nslabs ? j->opts->last_slab : p->nslabs;
    j->first = j->opts->first_slab > 0 ? j->opts->first_slab : 0;
    j->last = last;
    for (int64_t i = j->first; i < last; i++) {
        if (j->opts->journal && zs__journal_done(j->opts->journal, i)) continue;
        int64_t t, z0, z1;
        zs__plan_slab(p, i, &t, &z0, &z1);
        j->total++;
        j->total_vox += (uint64_t)(z1 - z0) * (uint64_t)p->in.shape[0] * (uint64_t)p->in.shape[1];
    }
    /* Test hook (tests/python/test_hpc_resume.py): sleep this long before each slab, so
     * that a signal reliably arrives mid-run. Not for production use. */
    j->run_slabs = zs__plan_run_slabs(p, j->total);
    const char *d = getenv("ZS_TEST_SLAB_DELAY_MS");
    j->delay_ms = d ? atoi(d) : 0;
    if (j->delay_ms < 0 || j->delay_ms > 60000) j->delay_ms = 0;
    /* Test hook: stop the process (SIGSTOP) just before slab N, so that a test can change the
     * files under the run at a known point and continue it (SIGCONT). Not for production use. */
    const char *s = getenv("ZS_TEST_STOP_AT_SLAB");
    j->stop_at = s ? atoll(s) : -1;
    if (j->delay_ms || j->stop_at >= 0) j->run_slabs = 1; /* one slab at a time, as the tests expect */
    j->nclaims = last > j->first ? (last - j->first + j->run_slabs - 1) / j->run_slabs : 0;
    /* Too few claims to keep every worker busy (a stack of a few planes, wide ones): split each
     * claim's bands into groups that different workers run; the slabs are recorded when the
     * last group ends. Encoded outputs assemble whole planes in one worker, and so does a
     * reduction (its slab buffer): no groups. */
    const int64_t want = 2 * (int64_t)p->threads;
    j->groups = 1;
    if (!p->whole_plane_output && !j->opts->reducer && !j->delay_ms && j->stop_at < 0 && j->nclaims > 0 &&
        j->nclaims < want) {
        j->groups = (want + j->nclaims - 1) / j->nclaims;
        if (j->groups > p->nbands) j->groups = p->nbands;
    }
}

static zs_status check_output(const zs_plan *p, const zs_volume *out)
{
    ZS_RETURN_IF(!out, ZS_EINVAL, "%s: no output volume given (the plan stores its result)", p->in.path);
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
    ZS_RETURN_IF(zs_volume_writes_whole_planes(out) && !p->whole_plane_output, ZS_EINVAL,
                 "%s: this output format encodes whole planes; make the plan with whole_plane_output set "
                 "(zs_volume_writes_whole_planes)",
                 o->path);
    const int64_t a = zs_volume_write_z_align(out);
    ZS_RETURN_IF(a > 1 && p->slab % a != 0 && p->slab < p->in.shape[2], ZS_EINVAL,
                 "%s: its chunks hold %lld planes, the plan's slabs %lld: make the plan with z_align %lld "
                 "(zs_volume_write_z_align)",
                 o->path, (long long)a, (long long)p->slab, (long long)a);
    return ZS_OK;
}

static zs_status check_input(const zs_plan *p, const zs_volume *in)
{
    const zs_volume_info *i = zs_volume_get_info(in);
    for (int d = 0; d < 4; d++)
        ZS_RETURN_IF(i->shape[d] != p->in.shape[d], ZS_EINVAL,
                     "%s: input shape %lldx%lldx%lldx%lld differs from the planned %lldx%lldx%lldx%lld", i->path,
                     (long long)i->shape[0], (long long)i->shape[1], (long long)i->shape[2], (long long)i->shape[3],
                     (long long)p->in.shape[0], (long long)p->in.shape[1], (long long)p->in.shape[2],
                     (long long)p->in.shape[3]);
    ZS_RETURN_IF(i->dtype.type != p->in.dtype.type || i->order != p->in.order || i->decoded != p->in.decoded, ZS_EINVAL,
                 "%s: input dtype or layout differs from the planned volume's", i->path);
    return ZS_OK;
}

/* The engines of the input and the output, opened once for the run and shared by the workers
 * (an engine that cannot serve a volume falls back to pread, and the note says why). */
static zs_status open_engines(job *j)
{
    const zs_plan *p = j->plan;
    if (j->in && (j->phases & (ZS_PHASE_READ | ZS_PHASE_COMPUTE)))
        ZS_FORWARD(zs__engine_open(p->read_engine, j->in, NULL, p->engine_guessed[0], &j->rd, j->note, sizeof j->note));
    else
        j->rd.reported = p->read_engine;
    if (j->out && (j->phases & ZS_PHASE_STORE))
        ZS_FORWARD(
            zs__engine_open(p->write_engine, NULL, j->out, p->engine_guessed[1], &j->wr, j->note, sizeof j->note));
    else
        j->wr.reported = p->write_engine;
    return ZS_OK;
}

static void close_engines(job *j)
{
    zs__engine_close(&j->rd);
    zs__engine_close(&j->wr);
}

/* The run's statistics, in the caller's struct (as large as the caller was compiled with). */
static void report_stats(job *j, double seconds, zs_run_stats *given)
{
    zs_run_stats rs, *stats = &rs;
    zs_run_stats_init(stats);
    stats->seconds = seconds;
    stats->load_seconds = j->load_s;
    stats->compute_seconds = j->compute_s;
    stats->store_seconds = j->store_s;
    stats->voxels = atomic_load(&j->done_vox);
    stats->bytes_read = j->bytes_in;
    stats->bytes_written = j->bytes_out;
    stats->threads = j->plan->threads;
    stats->read_engine = j->rd.reported;
    stats->write_engine = j->wr.reported;
    snprintf(stats->note, sizeof stats->note, "%s", j->note);
    ZS_SIZED_OUT(given, stats, zs_run_stats);
}

zs_status zs_plan_execute(const zs_plan *plan, const zs_volume *in, zs_volume *out, const zs_exec_opts *opts,
                          zs_run_stats *stats)
{
    zs_exec_opts o;
    ZS_RETURN_IF(!plan, ZS_EINVAL, "no plan given");
    ZS_FORWARD(ZS_SIZED_IN(&o, opts, zs_exec_opts));
    opts = &o;
    const unsigned phases = opts->phases ? opts->phases : ZS_PHASE_ALL;
    if ((phases & ZS_PHASE_STORE) && !opts->reducer) ZS_FORWARD(check_output(plan, out));
    ZS_RETURN_IF(!in && (phases & (ZS_PHASE_READ | ZS_PHASE_COMPUTE)), ZS_EINVAL, "no input volume given");
    if (in) ZS_FORWARD(check_input(plan, in));
    if (plan->nslabs == 0) { /* an empty volume: nothing to read, compute or write */
        zs_run_stats rs;
        zs_run_stats_init(&rs);
        rs.threads = plan->threads;
        if (stats) ZS_SIZED_OUT(stats, &rs, zs_run_stats);
        return ZS_OK;
    }
    job j;
    memset(&j, 0, sizeof j);
    j.plan = plan;
    j.in = in;
    j.out = out;
    j.opts = opts;
    j.phases = phases;
    atomic_store(&j.next, 0);
    count_work(&j);
    zs_status ds = open_engines(&j);
    if (ds < 0) {
        close_engines(&j);
        return ds;
    }
    j.left = calloc((size_t)(j.nclaims > 0 ? j.nclaims : 1), sizeof *j.left);
    if (!j.left) close_engines(&j);
    ZS_RETURN_IF(!j.left, ZS_ENOMEM, "out of memory");
    for (int64_t c = 0; c < j.nclaims; c++) atomic_store(&j.left[c], j.groups);
    double t0 = omp_get_wtime();
#pragma omp parallel num_threads(plan->threads)
    worker_main(&j);
    double t1 = omp_get_wtime();
    free((void *)j.left);
    close_engines(&j);
    if (stats) report_stats(&j, t1 - t0, stats);
    int err = atomic_load(&j.err);
    if (err) return zs__error_restore((zs_status)err, j.errmsg, &j.errdetail); /* the worker's detail too */
    return ZS_OK;
}
