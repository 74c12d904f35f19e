/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Reductions: the executor's slab path ending in records instead of stored voxels.
 *
 * run.c hands the rows of each band of a computed plane of the last ring to zs__reduce_rows
 * where it would store them. One worker computes all of a slab: with whole-plane bands plane
 * after plane, with bands band after band over the slab's planes (a run of one slab: the plan
 * says so, zs_plan_reduce checks). The rows are gathered into the slab's buffer and, once all of
 * them have come, the reduction's slab callback turns them into a record. Records are filed by slab index;
 * under one mutex, whoever files the next record in slab order merges it and every following one
 * that is ready, so merges are serialised and in slab order whatever the workers' timing. Buffers
 * live from a slab's first plane to its callback: at most one or two per worker.
 * With a journal (parts, resume) a part holds only some slabs: each record is made durable in
 * the journal's directory (zs__record_put) before the executor records the slab, and nothing is
 * merged here: the part that sees every slab recorded merges the records (label.c). */
#include "reduce_internal.h"
#include "error_internal.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "zslab_reduce.h"

typedef struct reduce_slot {
    unsigned char *buf; /* the slab's planes (owner: the worker computing the slab) */
    int64_t rows;       /* rows received (of all its planes) */
    void *rec;          /* the record, filed for the merge (malloc()ed by the callback) */
    size_t size;
    int filed;
} reduce_slot;

struct zs__reducer {
    const zs_plan *plan;   /* read-only */
    const zs_reduce *r;    /* read-only */
    zs_reduce_type type;   /* read-only */
    size_t es;             /* read-only: bytes of an element */
    reduce_slot *slots;    /* one per slab of the plan */
    unsigned char **spare; /* per worker (omp thread number): a slab buffer kept for its next slab */
    pthread_mutex_t lock;
    int64_t next;        /* under lock: next slab to merge */
    const char *records; /* read-only: with a journal, where records go (no merge) */
};

static zs_reduce_type reduce_type(const zs_plan *p)
{
    if (p->exact_ints) return p->in.dtype.type == ZS_I32 || p->in.dtype.type == ZS_I64 ? ZS_REDUCE_I64 : ZS_REDUCE_U64;
    return p->work_size == sizeof(double) ? ZS_REDUCE_F64 : ZS_REDUCE_F32;
}

/* Files slab s's record, then merges records in slab order while the next one is filed. */
static zs_status file_record(zs__reducer *red, int64_t s, void *rec, size_t size)
{
    zs_status st = ZS_OK;
    pthread_mutex_lock(&red->lock);
    red->slots[s].rec = rec;
    red->slots[s].size = size;
    red->slots[s].filed = 1;
    while (st == ZS_OK && red->next < red->plan->nslabs && red->slots[red->next].filed) {
        reduce_slot *q = &red->slots[red->next];
        if (red->r->merge) st = red->r->merge(red->r->user, red->next, q->rec, q->size);
        free(q->rec);
        q->rec = NULL;
        red->next++;
    }
    pthread_mutex_unlock(&red->lock);
    return st;
}

zs_status zs__reduce_rows(zs__reducer *red, int64_t t, int64_t z, int64_t y0, int64_t y1, const void *rows)
{
    const zs_plan *p = red->plan;
    const int64_t nx = p->in.shape[0], ny = p->in.shape[1];
    const int64_t s = t * p->nslabs_per_vol + z / p->slab;
    int64_t tt, z0, z1;
    zs__plan_slab(p, s, &tt, &z0, &z1);
    reduce_slot *q = &red->slots[s];
    const size_t plane_bytes = (size_t)nx * (size_t)ny * red->es;
    const int tid = omp_get_thread_num();
    if (!q->buf && red->spare[tid]) { /* slabs are at most p->slab planes: the spare fits */
        q->buf = red->spare[tid];
        red->spare[tid] = NULL;
    }
    if (!q->buf) {
        q->buf = zs__alloc((size_t)p->slab * plane_bytes);
        ZS_RETURN_IF(!q->buf, ZS_ENOMEM, "%s: out of memory for a slab of %lld planes (a reduction's buffer)",
                     p->in.path, (long long)(z1 - z0));
    }
    const size_t row_bytes = (size_t)nx * red->es;
    memcpy(q->buf + (size_t)(z - z0) * plane_bytes + (size_t)y0 * row_bytes, rows, (size_t)(y1 - y0) * row_bytes);
    q->rows += y1 - y0;
    if (q->rows < (z1 - z0) * ny) return ZS_OK;
    const zs_reduce_slab sl = {s, t, z0, z1, nx, ny, p->in.shape[2], red->type, q->buf};
    void *rec = NULL;
    size_t size = 0;
    zs_status st = red->r->slab(red->r->user, &sl, &rec, &size);
    if (!red->spare[tid]) /* kept for this worker's next slab: no fresh pages to fault in */
        red->spare[tid] = q->buf, q->buf = NULL;
    ZS_FREE(q->buf);
    if (st >= 0 && red->records) {
        st = zs__record_put(red->records, s, rec, size); /* durable before the journal records the slab */
        free(rec);
        return st;
    }
    if (st < 0) {
        free(rec);
        return st;
    }
    return file_record(red, s, rec, size);
}

/* A plan in bands of `band` rows (0: the planner's) whose workers compute one slab at a time. */
static zs_status plan_in_bands(const zs_volume_info *in, const zs_pipeline *pipe, zs_plan_opts *po, int64_t band,
                               zs_plan **out)
{
    po->band = band;
    ZS_FORWARD(zs_plan_create(in, pipe, po, out));
    if ((*out)->nbands > 1) (*out)->run_slabs = 1; /* a slab's rows gathered band by band: one slab a run */
    return ZS_OK;
}

zs_status zs_reduce_plan(const zs_volume_info *in, const zs_pipeline *pipe, const zs_plan_opts *opts, zs_plan **out)
{
    ZS_RETURN_IF(!out, ZS_EINVAL, "zs_reduce_plan: no plan pointer given");
    *out = NULL;
    ZS_RETURN_IF(!in || !opts, ZS_EINVAL, "zs_reduce_plan: no input or options given");
    zs_plan_opts po;
    ZS_FORWARD(ZS_SIZED_IN(&po, opts, zs_plan_opts));
    const int64_t ny = in->shape[1];
    if (po.band > 0 && po.band < ny) return plan_in_bands(in, pipe, &po, po.band, out);
    po.band = ny;
    const zs_status whole = zs_plan_create(in, pipe, &po, out);
    if (whole != ZS_EINVAL || ny <= 1) return whole;
    /* Whole planes do not fit (or the options are wrong, which bands do not mend): bands, if
     * they plan; else the whole-plane plan's message. */
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", zs_last_error());
    zs_error_detail why;
    zs_error_detail_init(&why);
    zs_last_error_detail(&why);
    if (plan_in_bands(in, pipe, &po, 0, out) == ZS_OK) {
        zs_clear_error();
        return ZS_OK;
    }
    /* the whole planes' refusal names the caller's parameters, not the band tried here */
    if (why.reason == ZS_REASON_BUDGET) snprintf(why.params, sizeof why.params, "%s", zs__budget_params(opts));
    return zs__error_restore(whole, msg, &why);
}

zs_status zs_plan_reduce(const zs_plan *plan, const zs_volume *in, const zs_reduce *r, const zs_exec_opts *opts,
                         zs_run_stats *stats)
{
    ZS_RETURN_IF(!plan || !r || !r->slab, ZS_EINVAL, "zs_plan_reduce: no plan or no slab callback given");
    ZS_CHECK_UNSTABLE(r, "zs_reduce");
    zs_exec_opts eo;
    ZS_FORWARD(ZS_SIZED_IN(&eo, opts, zs_exec_opts));
    ZS_RETURN_IF(plan->nbands > 1 && plan->run_slabs > 1, ZS_EINVAL,
                 "%s: a reduction in bands of %lld rows needs runs of one slab (make the plan with zs_reduce_plan), "
                 "or whole planes (band %lld)",
                 plan->in.path, (long long)plan->band, (long long)plan->in.shape[1]);
    ZS_RETURN_IF(eo.journal && !zs__journal_dir(eo.journal), ZS_EINVAL,
                 "%s: a reduction's journal is attached for records (zs_label_journal_attach), not for an output",
                 plan->in.path);
    zs__reducer red;
    memset(&red, 0, sizeof red);
    red.plan = plan;
    red.r = r;
    red.type = reduce_type(plan);
    red.es = plan->work_size;
    red.next = eo.first_slab > 0 ? eo.first_slab : 0;
    red.records = eo.journal ? zs__journal_dir(eo.journal) : NULL;
    red.slots = calloc((size_t)(plan->nslabs > 0 ? plan->nslabs : 1), sizeof *red.slots);
    red.spare = calloc((size_t)plan->threads, sizeof *red.spare);
    if (!red.spare) {
        free(red.slots);
        red.slots = NULL;
    }
    ZS_RETURN_IF(!red.slots, ZS_ENOMEM, "%s: out of memory for %lld slabs' records", plan->in.path,
                 (long long)plan->nslabs);
    pthread_mutex_init(&red.lock, NULL);
    eo.reducer = &red;
    eo.drop_cache = 0; /* nothing is written */
    zs_status st = zs_plan_execute(plan, in, NULL, &eo, stats);
    const int64_t last = eo.last_slab > 0 && eo.last_slab < plan->nslabs ? eo.last_slab : plan->nslabs;
    if (st == ZS_OK && !red.records && red.next != last && plan->nslabs > 0)
        st = ZS_ERR(ZS_EINTERNAL, "%s: a reduction merged slabs up to %lld of %lld", plan->in.path, (long long)red.next,
                    (long long)last);
    for (int64_t s = 0; s < plan->nslabs; s++) {
        ZS_FREE(red.slots[s].buf);
        free(red.slots[s].rec);
    }
    for (int t = 0; t < plan->threads; t++) ZS_FREE(red.spare[t]);
    free(red.spare);
    free(red.slots);
    pthread_mutex_destroy(&red.lock);
    return st;
}
