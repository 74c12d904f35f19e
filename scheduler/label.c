/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Connected components in two streaming passes (docs/labels.md).
 *
 * Pass 1 is a reduction (reduce.c): each slab's foreground becomes runs labelled within the slab
 * (label_runs.c); its record holds each fragment's smallest numbering key and voxel count (and
 * measurements for the table) and the runs of its first and last planes. Records are merged in
 * slab order: fragments get global indices (the slab's base plus its label), and the runs of a
 * slab's first plane are joined with those of the previous slab's last plane in a union-find
 * whose root is the lowest index and carries the smallest key and the sums. Components are then
 * numbered by their smallest key, the position of their first voxel in C index order of the
 * array numpy opens (scipy.ndimage.label numbers them so). Pass 2 runs the plan again: each slab
 * is labelled within itself as in pass 1 (the same runs, the same fragment labels) and written
 * with the final numbers. */
#include "label_internal.h"
#include "error_internal.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

typedef struct frag {
    uint64_t parent; /* union-find; after zs_label_count: the final label (0: dropped) */
    uint64_t key;    /* smallest numbering key of the set (at the root) */
    uint64_t count;  /* voxels of the set (at the root) */
} frag;

typedef struct meas {
    double sx, sy, sz;       /* sums of the coordinates */
    int64_t lo[3], hi[3];    /* bounding box, inclusive */
    double isum, imin, imax; /* intensities */
    double vmax;             /* the largest work value (what the stages computed) */
} meas;

_Static_assert(sizeof(frag) == ZS_LABEL_BYTES_PER_FRAGMENT, "the stated bytes per fragment");
_Static_assert(sizeof(meas) == ZS_LABEL_TABLE_BYTES_PER_FRAGMENT, "the stated bytes per fragment of a table");

/* A worker's buffers, kept from slab to slab (indexed by omp thread number): no fresh pages. */
typedef struct lscratch {
    zs_lslab l;
    unsigned char *buf; /* pass 2: a slab of labels; pass 1 with a table: a slab of intensities as stored */
    size_t cap;
    double *row; /* pass 1 with a table: a row's intensities as doubles (nx) */
    size_t row_cap;
} lscratch;

static void scratch_free(lscratch *s, int n)
{
    for (int i = 0; s && i < n; i++) {
        zs__lslab_free(&s[i].l);
        free(s[i].buf);
        free(s[i].row);
    }
    free(s);
}

typedef struct rec_head {
    uint64_t nfrag, nfirst, nlast;
} rec_head;

struct zs_labeling {
    const zs_plan *plan; /* borrowed */
    const zs_volume *in; /* borrowed */
    zs_label_opts o;
    zs_lrule rule;
    uint64_t kstride[3];          /* key of voxel (x, y, z) = x k0 + y k1 + z k2 */
    zs_label_numbering numbering; /* resolved: XYZ or ZYX */
    frag *f;
    meas *m; /* with a table */
    uint64_t nfrag, cap, limit;
    uint64_t *base; /* per slab: index of its first fragment */
    zs_lrun *face;  /* runs of the last merged slab's last plane (row = y) */
    uint64_t nface, face_cap, face_base;
    int64_t face_t, face_z; /* its volume and plane (-1: none) */
    uint64_t *comp;         /* roots of the kept components, in label order */
    lscratch *scratch;      /* pass 1: per worker */
    uint64_t ncomp;
};

void zs_label_opts_default(zs_label_opts *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->connectivity = 6;
}

/* The numbering of the array numpy's readers make of the input: (nx, ny, nz) for .npy, NIfTI
 * (nibabel), NRRD (pynrrd), raw data, arrays, and Zarr and HDF5 datasets whose axes the file does
 * not name (zarr, h5py: dimension k is axis k); (nz, ny, nx) for TIFF and plane series (tifffile),
 * MetaImage (SimpleITK) and Zarr / HDF5 with named axes (OME-Zarr, labelled datasets, Imaris). */
zs_label_numbering zs__label_auto_numbering(const zs_volume *in)
{
    switch (zs_volume_get_info(in)->format) {
    case ZS_FMT_TIFF:
    case ZS_FMT_SERIES:
    case ZS_FMT_MHD:
        return ZS_NUMBER_ZYX;
    case ZS_FMT_ZARR:
        return zs__zarr_axes_named(in) ? ZS_NUMBER_ZYX : ZS_NUMBER_XYZ;
    case ZS_FMT_HDF5:
        return zs__hdf5_axes_named(in) ? ZS_NUMBER_ZYX : ZS_NUMBER_XYZ;
    default:
        return ZS_NUMBER_XYZ;
    }
}

static void key_strides(zs_labeling *L)
{
    const zs_volume_info *i = &L->plan->in;
    const uint64_t nx = (uint64_t)i->shape[0], ny = (uint64_t)i->shape[1], nz = (uint64_t)i->shape[2];
    const zs_label_numbering n = L->o.numbering == ZS_NUMBER_AUTO ? zs__label_auto_numbering(L->in) : L->o.numbering;
    L->numbering = n;
    if (n == ZS_NUMBER_XYZ) {
        L->kstride[0] = ny * nz, L->kstride[1] = nz, L->kstride[2] = 1;
    } else {
        L->kstride[0] = 1, L->kstride[1] = nx, L->kstride[2] = nx * ny;
    }
}

/* ---- pass 1: records ------------------------------------------------------------------ */

/* The table's intensity volume (the input's own without one). */
static const zs_volume_info *intensity_info(const zs_labeling *L)
{
    return zs_volume_get_info(L->o.intensity ? L->o.intensity : L->in);
}

/* The intensities of the slab's planes as stored (the table's) into the worker's buffers, kept from
 * slab to slab; converted to doubles a run at a time (make_record): only the foreground's. */
static zs_status read_intensity(const zs_labeling *L, const zs_reduce_slab *s, lscratch *w)
{
    if (!L->o.table) return ZS_OK;
    const zs_volume_info *vi = intensity_info(L);
    const size_t n = (size_t)s->nx * (size_t)s->ny * (size_t)(s->z1 - s->z0), bytes = n * zs_dtype_size(vi->dtype);
    if (bytes > w->cap || (size_t)s->nx > w->row_cap) {
        free(w->buf), free(w->row);
        w->cap = w->row_cap = 0;
        w->buf = malloc(bytes);
        w->row = malloc((size_t)s->nx * sizeof *w->row);
        ZS_RETURN_IF(!w->buf || !w->row, ZS_ENOMEM, "%s: out of memory for a slab's intensities", vi->path);
        w->cap = bytes, w->row_cap = (size_t)s->nx;
    }
    return zs__volume_read(L->o.intensity ? L->o.intensity : L->in, s->t, s->z0, s->z1, 0, s->ny, w->buf);
}

/* Row r's intensities [xa, xb) as doubles into w->row (at the same x). */
static const double *run_intensity(const zs_labeling *L, const zs_reduce_slab *s, const lscratch *w, const zs_lrun *r)
{
    const zs_volume_info *vi = intensity_info(L);
    const size_t es = zs_dtype_size(vi->dtype), at = (size_t)r->row * (size_t)s->nx + (size_t)r->xa;
    zs__to_f64(w->buf + at * es, vi->dtype, (size_t)(r->xb - r->xa), vi->slope, vi->inter, w->row + r->xa);
    return w->row;
}

/* Work value i of the slab, as a double. */
static double work_at(const zs_reduce_slab *s, size_t i)
{
    switch (s->type) {
    case ZS_REDUCE_F32:
        return (double)((const float *)s->data)[i];
    case ZS_REDUCE_F64:
        return ((const double *)s->data)[i];
    case ZS_REDUCE_I64:
        return (double)((const int64_t *)s->data)[i];
    case ZS_REDUCE_U64:
        return (double)((const uint64_t *)s->data)[i];
    }
    return 0;
}

static void measure_run(meas *m, const zs_lrun *r, int64_t y, int64_t z, const double *row, int first,
                        const zs_reduce_slab *s)
{
    const int64_t n = r->xb - r->xa;
    const size_t at = (size_t)r->row * (size_t)s->nx;
    if (first) {
        *m = (meas){
            0, 0, 0, {r->xa, y, z}, {r->xb - 1, y, z}, 0, row[r->xa], row[r->xa], work_at(s, at + (size_t)r->xa)};
    } else {
        if (r->xa < m->lo[0]) m->lo[0] = r->xa;
        if (r->xb - 1 > m->hi[0]) m->hi[0] = r->xb - 1;
        if (y < m->lo[1]) m->lo[1] = y;
        if (y > m->hi[1]) m->hi[1] = y;
        m->hi[2] = z; /* runs come in z order */
    }
    m->sx += (double)n * (double)(r->xa + r->xb - 1) / 2.0;
    m->sy += (double)n * (double)y;
    m->sz += (double)n * (double)z;
    for (int64_t x = r->xa; x < r->xb; x++) {
        const double v = row[x];
        m->isum += v;
        if (v < m->imin) m->imin = v;
        if (v > m->imax) m->imax = v;
        const double w = work_at(s, at + (size_t)x);
        if (w > m->vmax) m->vmax = w;
    }
}

/* The record: head, per fragment its key and count (then its measurements), the first and last
 * planes' runs. */
static zs_status make_record(const zs_labeling *L, const zs_reduce_slab *s, const zs_lslab *l, const lscratch *w,
                             void **record, size_t *size)
{
    const int64_t ny = s->ny, h = s->z1 - s->z0;
    const uint64_t f0 = l->row_start[0], f1 = l->row_start[ny], l0 = l->row_start[(h - 1) * ny], l1 = l->nruns;
    const size_t per = 2 * sizeof(uint64_t) + (L->o.table ? sizeof(meas) : 0);
    rec_head hd = {l->nlab, f1 - f0, l1 - l0};
    *size = sizeof hd + (size_t)hd.nfrag * per + (size_t)(hd.nfirst + hd.nlast) * sizeof(zs_lrun);
    unsigned char *rec = calloc(1, *size); /* zeroed: a fragment's first run sets its key */
    ZS_RETURN_IF(!rec, ZS_ENOMEM, "out of memory for a slab's record (%zu bytes)", *size);
    memcpy(rec, &hd, sizeof hd);
    uint64_t *kc = (uint64_t *)(void *)(rec + sizeof hd); /* every part is a multiple of 8 bytes */
    meas *m = (meas *)(kc + 2 * hd.nfrag);
    for (uint64_t i = 0; i < l->nruns; i++) {
        const zs_lrun *r = &l->runs[i];
        const int64_t y = r->row % ny, z = s->z0 + r->row / ny;
        const uint64_t k = (uint64_t)r->xa * L->kstride[0] + (uint64_t)y * L->kstride[1] + (uint64_t)z * L->kstride[2];
        uint64_t *e = kc + 2 * (r->lab - 1);
        if (e[1] == 0 || k < e[0]) e[0] = k;
        if (L->o.table) measure_run(&m[r->lab - 1], r, y, z, run_intensity(L, s, w, r), e[1] == 0, s);
        e[1] += (uint64_t)(r->xb - r->xa);
    }
    zs_lrun *face = (zs_lrun *)(void *)((unsigned char *)kc + (size_t)hd.nfrag * per);
    if (hd.nfirst) memcpy(face, l->runs + f0, (size_t)hd.nfirst * sizeof *face);
    if (hd.nlast) memcpy(face + hd.nfirst, l->runs + l0, (size_t)hd.nlast * sizeof *face);
    for (uint64_t i = hd.nfirst; i < hd.nfirst + hd.nlast; i++) face[i].row %= (uint32_t)ny;
    *record = rec;
    return ZS_OK;
}

static zs_status count_slab(void *user, const zs_reduce_slab *s, void **record, size_t *size)
{
    zs_labeling *L = user;
    lscratch *w = &L->scratch[omp_get_thread_num()];
    zs_status st = zs__lslab_build(s, L->rule, L->o.connectivity, &w->l);
    if (st == ZS_OK) st = read_intensity(L, s, w);
    if (st == ZS_OK) st = make_record(L, s, &w->l, w, record, size);
    return st;
}

/* ---- pass 1: the merge, in slab order ------------------------------------------------- */

static uint64_t froot(frag *f, uint64_t i)
{
    while (f[i].parent != i) {
        f[i].parent = f[f[i].parent].parent;
        i = f[i].parent;
    }
    return i;
}

static void meas_add(meas *a, const meas *b)
{
    a->sx += b->sx, a->sy += b->sy, a->sz += b->sz;
    for (int d = 0; d < 3; d++) {
        if (b->lo[d] < a->lo[d]) a->lo[d] = b->lo[d];
        if (b->hi[d] > a->hi[d]) a->hi[d] = b->hi[d];
    }
    a->isum += b->isum;
    if (b->imin < a->imin) a->imin = b->imin;
    if (b->imax > a->imax) a->imax = b->imax;
    if (b->vmax > a->vmax) a->vmax = b->vmax;
}

/* Joins the sets of fragments a and b: the lower root stays, with the smaller key and the sums. */
static void funite(zs_labeling *L, uint64_t a, uint64_t b)
{
    a = froot(L->f, a);
    b = froot(L->f, b);
    if (a == b) return;
    const uint64_t r = a < b ? a : b, o = a < b ? b : a;
    L->f[o].parent = r;
    if (L->f[o].key < L->f[r].key) L->f[r].key = L->f[o].key;
    L->f[r].count += L->f[o].count;
    if (L->m) meas_add(&L->m[r], &L->m[o]);
}

typedef struct face_ctx {
    zs_labeling *L;
    const zs_lrun *cur; /* the slab's first plane's runs */
    uint64_t base;      /* the slab's first fragment */
} face_ctx;

static zs_status face_unite(void *user, uint64_t a, uint64_t b)
{
    face_ctx *c = user;
    funite(c->L, c->L->face_base + c->L->face[a].lab - 1, c->base + c->cur[b].lab - 1);
    return ZS_OK;
}

static zs_status grow(zs_labeling *L, uint64_t n)
{
    if (L->nfrag + n <= L->cap) return ZS_OK;
    uint64_t cap = L->cap ? L->cap : 4096;
    while (cap < L->nfrag + n) cap *= 2;
    const size_t per = sizeof(frag) + (L->o.table ? sizeof(meas) : 0);
    if (L->limit && cap > L->limit / per && L->nfrag + n > L->limit / per)
        return ZS_ERR_DETAIL(
            ZS_ENOMEM, ZS_REASON_BUDGET, "mem_budget", (L->nfrag + n) * per, NULL,
            "%s: the table of components needs more than the memory budget allows (%llu fragments of %zu bytes "
            "each, %.1f MiB): raise --mem-budget",
            L->plan->in.path, (unsigned long long)(L->nfrag + n), per, (double)L->limit / 1048576.0);
    if (L->limit && cap > L->limit / per) cap = L->limit / per;
    frag *f = realloc(L->f, (size_t)cap * sizeof *f);
    ZS_RETURN_IF(!f, ZS_ENOMEM, "%s: out of memory for %llu fragments", L->plan->in.path, (unsigned long long)cap);
    L->f = f;
    if (L->o.table) {
        meas *m = realloc(L->m, (size_t)cap * sizeof *m);
        ZS_RETURN_IF(!m, ZS_ENOMEM, "%s: out of memory for %llu fragments", L->plan->in.path, (unsigned long long)cap);
        L->m = m;
    }
    L->cap = cap;
    return ZS_OK;
}

/* Keeps the slab's last plane's runs for the next slab's first plane. */
static zs_status keep_face(zs_labeling *L, const zs_lrun *runs, uint64_t n, uint64_t base, int64_t t, int64_t z)
{
    if (n > L->face_cap) {
        zs_lrun *r = realloc(L->face, (size_t)n * sizeof *r);
        ZS_RETURN_IF(!r, ZS_ENOMEM, "%s: out of memory for a plane's runs", L->plan->in.path);
        L->face = r;
        L->face_cap = n;
    }
    if (n) memcpy(L->face, runs, (size_t)n * sizeof *runs);
    L->nface = n;
    L->face_base = base;
    L->face_t = t;
    L->face_z = z;
    return ZS_OK;
}

zs_status zs__label_merge(void *user, int64_t slab, const void *record, size_t size)
{
    zs_labeling *L = user;
    rec_head hd;
    const size_t per = 2 * sizeof(uint64_t) + (L->o.table ? sizeof(meas) : 0);
    ZS_RETURN_IF(size < sizeof hd, ZS_EFORMAT, "slab %lld's record is short", (long long)slab);
    memcpy(&hd, record, sizeof hd);
    ZS_RETURN_IF(hd.nfrag > size / per || hd.nfirst + hd.nlast > size / sizeof(zs_lrun) ||
                     size != sizeof hd + (size_t)hd.nfrag * per + (size_t)(hd.nfirst + hd.nlast) * sizeof(zs_lrun),
                 ZS_EFORMAT, "slab %lld's record has %zu bytes, not what its counts say", (long long)slab, size);
    ZS_FORWARD(grow(L, hd.nfrag));
    const uint64_t *kc = (const uint64_t *)(const void *)((const unsigned char *)record + sizeof hd);
    const meas *m = (const meas *)(kc + 2 * hd.nfrag);
    const zs_lrun *face = (const zs_lrun *)(const void *)((const unsigned char *)kc + (size_t)hd.nfrag * per);
    const uint64_t b = L->nfrag;
    L->base[slab] = b;
    for (uint64_t i = 0; i < hd.nfrag; i++) {
        L->f[b + i] = (frag){b + i, kc[2 * i], kc[2 * i + 1]};
        if (L->m) L->m[b + i] = m[i];
    }
    L->nfrag += hd.nfrag;
    int64_t t, z0, z1;
    zs__plan_slab(L->plan, slab, &t, &z0, &z1);
    if (L->face_t == t && L->face_z == z0 - 1 && L->nface && hd.nfirst) {
        face_ctx c = {L, face, b};
        ZS_FORWARD(zs__lface_join(L->face, L->nface, face, hd.nfirst, L->plan->in.shape[1], L->o.connectivity,
                                  face_unite, &c));
    }
    return keep_face(L, face + hd.nfirst, hd.nlast, b, t, z1 - 1);
}

/* ---- numbering -------------------------------------------------------------------------- */

/* Sorts the roots `r` (n of them) by their fragments' keys: an LSD radix sort of (key, root)
 * pairs, 11 bits a pass, over the bits the largest key has (keys are distinct: voxel positions).
 * @return 0, or -1 out of memory. */
typedef struct keyed {
    uint64_t key, root;
} keyed;

static int sort_roots(const frag *f, uint64_t *r, uint64_t n)
{
    keyed *a = malloc((size_t)(n ? n : 1) * sizeof *a), *b = malloc((size_t)(n ? n : 1) * sizeof *b);
    size_t *count = calloc(2048, sizeof *count);
    if (!a || !b || !count) {
        free(a), free(b), free(count);
        return -1;
    }
    uint64_t top = 0;
    for (uint64_t i = 0; i < n; i++) {
        a[i] = (keyed){f[r[i]].key, r[i]};
        top |= a[i].key;
    }
    for (int shift = 0; shift < 64 && (top >> shift); shift += 11) {
        memset(count, 0, 2048 * sizeof *count);
        for (uint64_t i = 0; i < n; i++) count[(a[i].key >> shift) & 2047]++;
        size_t sum = 0;
        for (int d = 0; d < 2048; d++) {
            const size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (uint64_t i = 0; i < n; i++) b[count[(a[i].key >> shift) & 2047]++] = a[i];
        keyed *t = a;
        a = b, b = t;
    }
    for (uint64_t i = 0; i < n; i++) r[i] = a[i].root;
    free(a), free(b), free(count);
    return 0;
}

/* Roots sorted by key get labels 1, 2, ... (those kept by min_size/max_size); every fragment's
 * parent becomes its component's label. */
static zs_status number(zs_labeling *L)
{
    uint64_t nroots = 0;
    for (uint64_t i = 0; i < L->nfrag; i++) {
        L->f[i].parent = froot(L->f, i);
        nroots += L->f[i].parent == i;
    }
    L->comp = malloc((size_t)(nroots ? nroots : 1) * sizeof *L->comp);
    ZS_RETURN_IF(!L->comp, ZS_ENOMEM, "%s: out of memory for %llu components", L->plan->in.path,
                 (unsigned long long)nroots);
    uint64_t n = 0;
    for (uint64_t i = 0; i < L->nfrag; i++)
        if (L->f[i].parent == i) L->comp[n++] = i;
    ZS_RETURN_IF(sort_roots(L->f, L->comp, n) < 0, ZS_ENOMEM, "%s: out of memory to sort %llu components",
                 L->plan->in.path, (unsigned long long)n);
    uint64_t kept = 0;
    for (uint64_t k = 0; k < n; k++) {
        frag *r = &L->f[L->comp[k]];
        const int keep = (!L->o.min_size || r->count >= (uint64_t)L->o.min_size) &&
                         (!L->o.max_size || r->count <= (uint64_t)L->o.max_size);
        r->key = keep ? ++kept : 0; /* the root's key slot now holds its label */
        if (keep) L->comp[kept - 1] = L->comp[k];
    }
    for (uint64_t i = 0; i < L->nfrag; i++) L->f[i].parent = L->f[L->f[i].parent].key;
    L->ncomp = kept;
    return ZS_OK;
}

static zs_status check_opts(const zs_plan *plan, const zs_label_opts *o)
{
    ZS_CHECK_UNSTABLE(o, "zs_label_opts");
    ZS_RETURN_IF(o->connectivity != 6 && o->connectivity != 18 && o->connectivity != 26, ZS_EPARAM,
                 "connectivity %d: 6, 18 or 26", o->connectivity);
    ZS_RETURN_IF(plan->in.shape[3] > 1, ZS_EUNSUPPORTED,
                 "%s: a series of %lld volumes: label one volume of it (e.g. a dataset or a plane series of one "
                 "volume)",
                 plan->in.path, (long long)plan->in.shape[3]);
    ZS_RETURN_IF(o->min_size < 0 || o->max_size < 0 || (o->max_size && o->min_size > o->max_size), ZS_EPARAM,
                 "sizes %lld..%lld: min_size <= max_size, both >= 0", (long long)o->min_size, (long long)o->max_size);
    if (o->intensity) {
        const zs_volume_info *v = zs_volume_get_info(o->intensity);
        for (int d = 0; d < 3; d++)
            ZS_RETURN_IF(v->shape[d] != plan->in.shape[d], ZS_EINVAL,
                         "%s: intensity volume of shape %lldx%lldx%lld, the input's is %lldx%lldx%lld", v->path,
                         (long long)v->shape[0], (long long)v->shape[1], (long long)v->shape[2],
                         (long long)plan->in.shape[0], (long long)plan->in.shape[1], (long long)plan->in.shape[2]);
    }
    return ZS_OK;
}

/* Memory left for the table of fragments: the budget less the plan's peak and the slabs the
 * workers hold (a slab of work elements, the runs, the intensities). 0: no limit known. */
static uint64_t table_limit(const zs_plan *p, int table)
{
    const uint64_t slab = (uint64_t)p->slab * (uint64_t)p->in.shape[0] * (uint64_t)p->in.shape[1];
    const uint64_t held = p->peak_bytes + (uint64_t)p->threads * slab * (p->work_size + 8 + (table ? 16 : 0));
    return p->mem_budget > held + (64u << 20) ? p->mem_budget - held : (64u << 20);
}

zs_status zs__label_new(const zs_plan *plan, const zs_volume *in, const zs_label_opts *opts, zs_labeling **out)
{
    *out = NULL;
    ZS_RETURN_IF(!plan || !in || !opts, ZS_EINVAL, "zs_label_count: no plan, input or options given");
    ZS_FORWARD(check_opts(plan, opts));
    zs_labeling *L = calloc(1, sizeof *L);
    ZS_RETURN_IF(!L, ZS_ENOMEM, "out of memory");
    L->plan = plan;
    L->in = in;
    L->o = *opts;
    L->rule = (zs_lrule){opts->has_threshold, opts->threshold};
    L->face_t = -1;
    L->limit = table_limit(plan, opts->table);
    key_strides(L);
    L->base = calloc((size_t)plan->nslabs + 1, sizeof *L->base);
    L->scratch = calloc((size_t)plan->threads, sizeof *L->scratch);
    if (!L->base || !L->scratch) {
        zs_label_free(L);
        return ZS_ERR(ZS_ENOMEM, "out of memory");
    }
    *out = L;
    return ZS_OK;
}

zs_status zs__label_pass1(zs_labeling *L, zs_journal *j)
{
    zs_reduce r = zs_reduce_make();
    r.user = L;
    r.slab = count_slab;
    r.merge = j ? NULL : zs__label_merge; /* with a journal: records on disk, merged by the finisher */
    zs_exec_opts eo;
    zs_exec_opts_init(&eo);
    eo.stop = L->o.stop;
    eo.journal = j;
    if (j) zs_journal_part_range(j, &eo.first_slab, &eo.last_slab);
    if (j && eo.first_slab >= eo.last_slab) return ZS_OK; /* a part without slabs */
    return zs_plan_reduce(L->plan, L->in, &r, &eo, NULL);
}

zs_status zs__label_finish(zs_labeling *L, zs_status st)
{
    free(L->face);
    L->face = NULL;
    scratch_free(L->scratch, L->plan->threads);
    L->scratch = NULL;
    if (st == ZS_OK) st = number(L);
    return st;
}

zs_status zs_label_count(const zs_plan *plan, const zs_volume *in, const zs_label_opts *opts, zs_labeling **out)
{
    zs_labeling *L = NULL;
    ZS_FORWARD(zs__label_new(plan, in, opts, &L));
    const zs_status st = zs__label_finish(L, zs__label_pass1(L, NULL));
    if (st < 0) {
        zs_label_free(L);
        return st;
    }
    *out = L;
    return ZS_OK;
}

uint64_t zs_label_components(const zs_labeling *l) { return l ? l->ncomp : 0; }
zs_label_numbering zs_label_numbering_used(const zs_labeling *l) { return l ? l->numbering : ZS_NUMBER_AUTO; }

zs_dtype zs_label_dtype(const zs_labeling *l)
{
    zs_dtype d;
    zs_dtype_parse(l && l->ncomp > UINT32_MAX ? "uint64" : "uint32", &d);
    return d;
}

void zs_label_free(zs_labeling *l)
{
    if (!l) return;
    scratch_free(l->scratch, l->plan->threads); /* NULL after zs__label_finish */
    free(l->f);
    free(l->m);
    free(l->base);
    free(l->face);
    free(l->comp);
    free(l);
}

zs_status zs_label_plan(const zs_volume_info *in, const zs_pipeline *pipe, const zs_plan_opts *opts, int table,
                        zs_plan **out)
{
    ZS_RETURN_IF(!in || !opts, ZS_EINVAL, "zs_label_plan: no input or options given");
    zs_plan_opts po;
    ZS_FORWARD(ZS_SIZED_IN(&po, opts, zs_plan_opts));
    ZS_FORWARD(zs_reduce_plan(in, pipe, &po, out));
    const zs_plan *p = *out;
    if (opts->slab > 0 || p->nslabs == 0) return ZS_OK;
    const uint64_t plane = (uint64_t)in->shape[0] * (uint64_t)in->shape[1];
    const uint64_t per = (uint64_t)p->threads * plane * ZS_LABEL_BYTES_PER_VOXEL * (table ? 2u : 1u);
    const uint64_t room = p->mem_budget > p->peak_bytes ? p->mem_budget - p->peak_bytes : 0;
    const int64_t align = opts->z_align > 1 ? opts->z_align : 1;
    int64_t h = per ? (int64_t)(room / per) : p->slab;
    h = h / align * align;
    if (h < align) h = align; /* one slab (a chunk's planes) is the least a worker holds */
    if (h >= p->slab) return ZS_OK;
    zs_plan_free(*out);
    *out = NULL;
    po.slab = h;
    return zs_reduce_plan(in, pipe, &po, out);
}

/* ---- pass 2: the labels ------------------------------------------------------------------ */

typedef struct write_ctx {
    const zs_labeling *L;
    zs_volume *out;
    size_t es;         /* 4 or 8 */
    lscratch *scratch; /* per worker */
} write_ctx;

static zs_status write_slab(void *user, const zs_reduce_slab *s, void **record, size_t *size)
{
    const write_ctx *c = user;
    const zs_labeling *L = c->L;
    (void)record, (void)size;
    lscratch *w = &c->scratch[omp_get_thread_num()];
    ZS_FORWARD(zs__lslab_build(s, L->rule, L->o.connectivity, &w->l));
    const size_t nrow = (size_t)s->nx, n = nrow * (size_t)s->ny * (size_t)(s->z1 - s->z0);
    if (n * c->es > w->cap) {
        free(w->buf);
        w->cap = 0;
        w->buf = malloc(n * c->es);
        ZS_RETURN_IF(!w->buf, ZS_ENOMEM, "%s: out of memory for a slab of labels", L->plan->in.path);
        w->cap = n * c->es;
    }
    void *buf = w->buf;
    uint32_t *b32 = buf; /* the output's dtype: one of them */
    uint64_t *b64 = buf;
    memset(buf, 0, n * c->es);
    const zs_lslab *l = &w->l;
    const uint64_t b = L->base[s->slab];
    for (uint64_t i = 0; i < l->nruns; i++) {
        const zs_lrun *r = &l->runs[i];
        const uint64_t lab = L->f[b + r->lab - 1].parent;
        const size_t at = (size_t)r->row * nrow + (size_t)r->xa;
        if (c->es == 4)
            for (int32_t x = 0; x < r->xb - r->xa; x++) b32[at + (size_t)x] = (uint32_t)lab;
        else
            for (int32_t x = 0; x < r->xb - r->xa; x++) b64[at + (size_t)x] = lab;
    }
    return zs__volume_write(c->out, s->t, s->z0, s->z1, 0, s->ny, buf);
}

zs_status zs_label_write(const zs_labeling *L, zs_volume *out, zs_run_stats *stats)
{
    ZS_RETURN_IF(!L || !out, ZS_EINVAL, "zs_label_write: no labeling or output given");
    const zs_volume_info *o = zs_volume_get_info(out);
    const zs_dtype need = zs_label_dtype(L);
    ZS_RETURN_IF(!zs_volume_writable(out), ZS_EINVAL, "%s: output is not open for writing", o->path);
    ZS_RETURN_IF((o->dtype.type != ZS_U32 && o->dtype.type != ZS_U64) ||
                     zs_dtype_size(o->dtype) < zs_dtype_size(need) || o->dtype.big_endian,
                 ZS_EINVAL, "%s: labels need %s (native byte order) or wider unsigned integers, the output is %s",
                 o->path, zs_dtype_name(need), zs_dtype_name(o->dtype));
    for (int d = 0; d < 3; d++)
        ZS_RETURN_IF(o->shape[d] != L->plan->in.shape[d], ZS_EINVAL, "%s: output shape differs from the input's",
                     o->path);
    write_ctx c = {L, out, zs_dtype_size(o->dtype), calloc((size_t)L->plan->threads, sizeof(lscratch))};
    ZS_RETURN_IF(!c.scratch, ZS_ENOMEM, "out of memory");
    zs_reduce r = zs_reduce_make();
    r.user = &c;
    r.slab = write_slab;
    zs_exec_opts eo;
    zs_exec_opts_init(&eo);
    eo.stop = L->o.stop;
    const zs_status st = zs_plan_reduce(L->plan, L->in, &r, &eo, stats);
    scratch_free(c.scratch, L->plan->threads);
    return st;
}

/* ---- for the table (label_table.c) ----------------------------------------------------- */

const zs_plan *zs__label_plan(const zs_labeling *l) { return l->plan; }
int zs__label_has_table(const zs_labeling *l) { return l->o.table; }

void zs__label_row(const zs_labeling *l, uint64_t k, zs_label_row *r)
{
    const uint64_t i = l->comp[k];
    const meas *m = &l->m[i];
    r->count = l->f[i].count;
    r->s[0] = m->sx, r->s[1] = m->sy, r->s[2] = m->sz;
    memcpy(r->lo, m->lo, sizeof r->lo);
    memcpy(r->hi, m->hi, sizeof r->hi);
    r->isum = m->isum, r->imin = m->imin, r->imax = m->imax;
    r->vmax = m->vmax;
}
