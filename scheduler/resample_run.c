/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Resampling as a reduction (reduce.c) over the plan's slabs.
 *
 * Output plane k is sum_i wz_k(i) Y(X(P_i)), X and Y the weighted sums along x and y. Y is
 * linear, so for each output plane the slab callback sums, in double, the x-resampled rows (those
 * the y table reads) of the slab's planes of k's z-window, weighted, then resamples that sum in y:
 * a worker holds rows of the output's width, never a plane of doubles of the input. A plane whose whole window lies in
 * the slab is converted and written by the worker; the others are partial sums: they go in the
 * slab's record, and the merge (serialised, in slab order) adds them up and writes each plane
 * once the slab holding the last plane of its window is merged. `nearest` takes one plane per
 * output plane and copies the plan's work elements (no arithmetic): exact for every dtype. */
#include "resample_internal.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "zslab_reduce.h"

typedef struct rscratch {
    double *rows;       /* ny rows resampled in x, summed over a z-window */
    double *plane;      /* an output plane */
    unsigned char *out; /* it in the output's dtype, or nearest's picked work elements */
} rscratch;

typedef struct pending {
    int64_t k;
    double *plane;
} pending;

typedef struct rctx {
    const zs_plan *plan; /* borrowed */
    zs_volume *out;      /* borrowed */
    zs_dtype odt;
    zs_resample_method m;
    zs_raxis ax[3];
    int64_t nx, ny, nxo, nyo;
    size_t pout;          /* voxels of an output plane */
    unsigned char *yneed; /* rows the y table reads */
    rscratch *scratch;    /* per worker (omp thread number) */
    pending *pend;        /* merge: partial planes waiting for the rest of their window */
    int npend;
    unsigned char *mout; /* merge: an output plane in the output's dtype */
} rctx;

static int64_t win_lo(const zs_raxis *a, int64_t k) { return a->idx[a->off[k]]; }
static int64_t win_hi(const zs_raxis *a, int64_t k) { return a->idx[a->off[k + 1] - 1]; }

/* The first output index whose window's first (hi 0) or last (hi 1) input index is >= z. */
static int64_t first_k(const zs_raxis *a, int hi, int64_t z)
{
    int64_t l = 0, r = a->n_out;
    while (l < r) {
        const int64_t m = l + (r - l) / 2;
        if ((hi ? win_hi(a, m) : win_lo(a, m)) >= z)
            r = m;
        else
            l = m + 1;
    }
    return l;
}

static zs_status get_scratch(rctx *c, rscratch **out)
{
    rscratch *s = &c->scratch[omp_get_thread_num()];
    *out = s;
    if (s->out) return ZS_OK;
    s->rows = malloc((size_t)c->ny * (size_t)c->nxo * sizeof(double));
    s->plane = malloc(c->pout * sizeof(double));
    s->out = malloc(c->pout * 8);
    if (s->rows && s->plane && s->out) return ZS_OK;
    free(s->rows); /* all or nothing: a later call allocates them again */
    free(s->plane);
    free(s->out);
    s->rows = s->plane = NULL;
    s->out = NULL;
    return ZS_ERR(ZS_ENOMEM, "%s: out of memory for a worker's planes (resampling)", c->plan->in.path);
}

/* rows[y] (= or +=) wz * (row y of src resampled in x), over the rows the y table reads; a loop
 * per work type, so the conversion is not decided per voxel. */
#define ADD_X(T)                                                                                                       \
    for (int64_t y = 0; y < c->ny; y++) {                                                                              \
        if (!c->yneed[y]) continue;                                                                                    \
        const T *row = (const T *)src + (size_t)y * (size_t)c->nx;                                                     \
        double *r = rows + (size_t)y * nxo;                                                                            \
        for (size_t k = 0; k < nxo; k++) {                                                                             \
            double v = 0;                                                                                              \
            for (int64_t e = ax->off[k]; e < ax->off[k + 1]; e++) v += ax->w[e] * (double)row[ax->idx[e]];             \
            r[k] = first ? wz * v : r[k] + wz * v;                                                                     \
        }                                                                                                              \
    }

static void add_plane_x(const rctx *c, double *rows, const void *src, zs_reduce_type t, double wz, int first)
{
    const zs_raxis *ax = &c->ax[0];
    const size_t nxo = (size_t)c->nxo;
    switch (t) {
    case ZS_REDUCE_F32:
        ADD_X(float) break;
    case ZS_REDUCE_F64:
        ADD_X(double) break;
    case ZS_REDUCE_I64:
        ADD_X(int64_t) break;
    default:
        ADD_X(uint64_t) break;
    }
}

/* dst (nxo x nyo) = rows (nxo x ny) resampled in y. */
static void resample_y(const rctx *c, const double *rows, double *dst)
{
    const zs_raxis *ay = &c->ax[1];
    const size_t nxo = (size_t)c->nxo;
    for (int64_t k = 0; k < c->nyo; k++) {
        double *d = dst + (size_t)k * nxo;
        for (size_t x = 0; x < nxo; x++) d[x] = 0;
        for (int64_t e = ay->off[k]; e < ay->off[k + 1]; e++) {
            const double w = ay->w[e], *r = rows + (size_t)ay->idx[e] * nxo;
            for (size_t x = 0; x < nxo; x++) d[x] += w * r[x];
        }
    }
}

static zs_status store_plane(const rctx *c, int64_t k, const double *plane, unsigned char *buf)
{
    zs__from_f64(plane, c->pout, c->odt, buf);
    return zs__volume_write(c->out, 0, k, k + 1, 0, c->nyo, buf);
}

/* nearest: output plane k picked from the work elements of input plane src, converted, written. */
static zs_status store_nearest(const rctx *c, int64_t k, const unsigned char *src, zs_reduce_type t, rscratch *s)
{
    const size_t es = t == ZS_REDUCE_F32 ? 4 : 8;
    unsigned char *pick = (unsigned char *)s->plane; /* pout elements of at most 8 bytes */
    const zs_raxis *ax = &c->ax[0], *ay = &c->ax[1];
    for (int64_t yo = 0; yo < c->nyo; yo++) {
        const unsigned char *row = src + (size_t)ay->idx[yo] * (size_t)c->nx * es;
        unsigned char *d = pick + (size_t)yo * (size_t)c->nxo * es;
        for (int64_t xo = 0; xo < c->nxo; xo++) memcpy(d + (size_t)xo * es, row + (size_t)ax->idx[xo] * es, es);
    }
    switch (t) {
    case ZS_REDUCE_F32:
        zs__from_f32((const float *)(void *)pick, c->pout, c->odt, s->out);
        break;
    case ZS_REDUCE_F64:
        zs__from_f64((const double *)(void *)pick, c->pout, c->odt, s->out);
        break;
    case ZS_REDUCE_I64:
        zs__from_i64((const int64_t *)(void *)pick, c->pout, c->odt, s->out);
        break;
    default:
        zs__from_u64((const uint64_t *)(void *)pick, c->pout, c->odt, s->out);
        break;
    }
    return zs__volume_write(c->out, 0, k, k + 1, 0, c->nyo, s->out);
}

/* Output plane k's sum over the slab's planes of its window, resampled in x and y, into s->plane. */
static void sum_window(const rctx *c, const zs_reduce_slab *sl, int64_t k, rscratch *s)
{
    const zs_raxis *az = &c->ax[2];
    const size_t es = sl->type == ZS_REDUCE_F32 ? 4 : 8, pin = (size_t)sl->nx * (size_t)sl->ny;
    int first = 1;
    for (int64_t e = az->off[k]; e < az->off[k + 1]; e++) {
        const int64_t i = az->idx[e];
        if (i < sl->z0 || i >= sl->z1) continue;
        add_plane_x(c, s->rows, (const unsigned char *)sl->data + (size_t)(i - sl->z0) * pin * es, sl->type, az->w[e],
                    first);
        first = 0;
    }
    resample_y(c, s->rows, s->plane);
}

static zs_status resample_slab(void *user, const zs_reduce_slab *sl, void **record, size_t *size)
{
    rctx *c = user;
    const zs_raxis *az = &c->ax[2];
    rscratch *s = NULL;
    ZS_FORWARD(get_scratch(c, &s));
    const int64_t ka = first_k(az, 1, sl->z0), kb = first_k(az, 0, sl->z1);
    const size_t es = sl->type == ZS_REDUCE_F32 ? 4 : 8, pin = (size_t)sl->nx * (size_t)sl->ny;
    if (c->m == ZS_RESAMPLE_NEAREST) { /* one plane per output plane: always inside one slab */
        for (int64_t k = ka; k < kb; k++)
            ZS_FORWARD(store_nearest(c, k, (const unsigned char *)sl->data + (size_t)(az->idx[k] - sl->z0) * pin * es,
                                     sl->type, s));
        return ZS_OK;
    }
    uint64_t npart = 0;
    for (int64_t k = ka; k < kb; k++) npart += win_lo(az, k) < sl->z0 || win_hi(az, k) >= sl->z1;
    const size_t each = sizeof(int64_t) + c->pout * sizeof(double);
    unsigned char *rec = NULL;
    if (npart) {
        *size = sizeof npart + (size_t)npart * each;
        rec = malloc(*size);
        ZS_RETURN_IF(!rec, ZS_ENOMEM, "%s: out of memory for %llu partial planes", c->plan->in.path,
                     (unsigned long long)npart);
        memcpy(rec, &npart, sizeof npart);
        *record = rec;
    }
    unsigned char *at = rec ? rec + sizeof npart : NULL;
    for (int64_t k = ka; k < kb; k++) {
        sum_window(c, sl, k, s);
        if (win_lo(az, k) >= sl->z0 && win_hi(az, k) < sl->z1) {
            ZS_FORWARD(store_plane(c, k, s->plane, s->out));
            continue;
        }
        memcpy(at, &k, sizeof k);
        memcpy(at + sizeof k, s->plane, c->pout * sizeof(double));
        at += each;
    }
    return ZS_OK;
}

/* Adds a partial plane to the one pending for k (or starts it). */
static zs_status add_pending(rctx *c, int64_t k, const unsigned char *src)
{
    for (int i = 0; i < c->npend; i++) {
        if (c->pend[i].k != k) continue;
        double *d = c->pend[i].plane;
        for (size_t j = 0; j < c->pout; j++) {
            double v;
            memcpy(&v, src + j * sizeof v, sizeof v);
            d[j] += v;
        }
        return ZS_OK;
    }
    pending *p = realloc(c->pend, (size_t)(c->npend + 1) * sizeof *p);
    ZS_RETURN_IF(!p, ZS_ENOMEM, "out of memory for a partial plane");
    c->pend = p;
    p[c->npend].k = k;
    p[c->npend].plane = malloc(c->pout * sizeof(double));
    ZS_RETURN_IF(!p[c->npend].plane, ZS_ENOMEM, "%s: out of memory for a partial plane", c->plan->in.path);
    memcpy(p[c->npend++].plane, src, c->pout * sizeof(double));
    return ZS_OK;
}

static zs_status resample_merge(void *user, int64_t slab, const void *record, size_t size)
{
    rctx *c = user;
    const unsigned char *r = record;
    uint64_t n = 0;
    const size_t each = sizeof(int64_t) + c->pout * sizeof(double);
    if (size) memcpy(&n, r, sizeof n);
    ZS_RETURN_IF(size && (n > size / each || size != sizeof n + (size_t)n * each), ZS_EFORMAT,
                 "slab %lld's record has %zu bytes, not what its count says", (long long)slab, size);
    for (uint64_t i = 0; i < n; i++) {
        int64_t k;
        memcpy(&k, r + sizeof n + (size_t)i * each, sizeof k);
        ZS_FORWARD(add_pending(c, k, r + sizeof n + (size_t)i * each + sizeof k));
    }
    int64_t t, z0, z1;
    zs__plan_slab(c->plan, slab, &t, &z0, &z1);
    int kept = 0;
    zs_status st = ZS_OK;
    for (int i = 0; i < c->npend; i++) {
        if (st == ZS_OK && win_hi(&c->ax[2], c->pend[i].k) < z1) { /* its window is complete */
            st = store_plane(c, c->pend[i].k, c->pend[i].plane, c->mout);
            free(c->pend[i].plane);
        } else {
            c->pend[kept++] = c->pend[i];
        }
    }
    c->npend = kept;
    return st;
}

static void ctx_free(rctx *c)
{
    for (int d = 0; d < 3; d++) zs__raxis_free(&c->ax[d]);
    for (int i = 0; c->scratch && i < c->plan->threads; i++) {
        free(c->scratch[i].rows);
        free(c->scratch[i].plane);
        free(c->scratch[i].out);
    }
    free(c->scratch);
    for (int i = 0; i < c->npend; i++) free(c->pend[i].plane);
    free(c->pend);
    free(c->yneed);
    free(c->mout);
}

static zs_status ctx_init(rctx *c, const zs_plan *plan, const zs_resample_opts *ro, zs_volume *out)
{
    const zs_volume_info *o = zs_volume_get_info(out);
    c->plan = plan, c->out = out, c->odt = o->dtype;
    c->nx = plan->in.shape[0], c->ny = plan->in.shape[1];
    c->nxo = o->shape[0], c->nyo = o->shape[1];
    c->pout = (size_t)c->nxo * (size_t)c->nyo;
    c->m = zs__resample_method(ro->method, plan->in.shape, o->shape);
    for (int d = 0; d < 3; d++) ZS_FORWARD(zs__raxis_build(c->m, plan->in.shape[d], o->shape[d], &c->ax[d]));
    c->scratch = calloc((size_t)plan->threads, sizeof *c->scratch);
    c->yneed = calloc((size_t)c->ny, 1);
    c->mout = malloc(c->pout * 8);
    ZS_RETURN_IF(!c->scratch || !c->yneed || !c->mout, ZS_ENOMEM, "out of memory");
    for (int64_t e = 0; e < c->ax[1].off[c->nyo]; e++) c->yneed[c->ax[1].idx[e]] = 1;
    return ZS_OK;
}

zs_status zs_resample_run(const zs_plan *plan, const zs_volume *in, const zs_resample_opts *ro, zs_volume *out,
                          zs_run_stats *stats)
{
    ZS_RETURN_IF(!plan || !in || !ro || !out, ZS_EINVAL, "zs_resample_run: an argument is missing");
    ZS_CHECK_UNSTABLE(ro, "zs_resample_opts");
    const zs_volume_info *o = zs_volume_get_info(out);
    ZS_RETURN_IF(!zs_volume_writable(out), ZS_EINVAL, "%s: output is not open for writing", o->path);
    zs_volume_info spec = *o;
    ZS_FORWARD(zs_resample_spec(&plan->in, ro, &spec));
    for (int d = 0; d < 3; d++)
        ZS_RETURN_IF(o->shape[d] != spec.shape[d] || o->shape[3] > 1, ZS_EINVAL,
                     "%s: output of shape %lldx%lldx%lld, the resampling's is %lldx%lldx%lld", o->path,
                     (long long)o->shape[0], (long long)o->shape[1], (long long)o->shape[2], (long long)spec.shape[0],
                     (long long)spec.shape[1], (long long)spec.shape[2]);
    rctx c;
    memset(&c, 0, sizeof c);
    zs_status st = ctx_init(&c, plan, ro, out);
    if (st == ZS_OK) {
        zs_reduce r = zs_reduce_make();
        r.user = &c;
        r.slab = resample_slab;
        r.merge = resample_merge;
        zs_exec_opts eo;
        zs_exec_opts_init(&eo);
        eo.stop = ro->stop;
        st = zs_plan_reduce(plan, in, &r, &eo, stats);
    }
    if (st == ZS_OK && c.npend) st = ZS_ERR(ZS_EINTERNAL, "%s: %d output planes were left partial", o->path, c.npend);
    ctx_free(&c);
    return st;
}
