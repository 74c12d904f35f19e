/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The planner: cuts a volume into z-slabs and sizes what each worker needs.
 *
 * Design. A slab is the core [z0,z1) of the output: the unit of distribution, of parts, of the
 * journal and of --resume. A worker takes a *run* of up to run_slabs consecutive slabs and
 * streams it tile by tile: a tile is a band of `band` output rows (all of x, contiguous in F
 * order) by the run's planes. Each stage reads its input planes from a ring that holds only
 * its own z-neighbourhood and writes its output planes into the next stage's ring, so every
 * band-plane of a stage is computed once per run; halos are recomputed only where a run or a
 * band starts. A worker holds:
 *   - the rings: ring k (stage k's input) holds ring[k] planes of tile_rows x nx work elements
 *     (float, or double in a float64 plan: choose_precision), where
 *     ring[k] = (planes one call of stage k reads) + (planes one call of its producer writes);
 *   - kernel scratch for the largest tile of any stage;
 *   - staging for file bytes (one plane's rows, or a few whole planes for decoded inputs).
 * So memory depends on nx x band x (sum of the stages' z-windows), never on ny or the slab
 * height. The band is --band, or the tallest one whose largest stage window fits the cache a
 * worker has (hwloc), at least four times the pipeline's y-halo so that rows recomputed at band
 * edges stay a small share, and lowered until the workers fit the memory budget.
 * The plan is pure: it touches no file and can be printed before anything runs. */
#include "engine_internal.h"
#include "error_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Default budget: half of the memory available (MemAvailable, under any cgroup limit). */
static uint64_t default_budget(void)
{
    uint64_t avail = zs_sys_available_memory();
    return avail / 2 > (64u << 20) ? avail / 2 : (64u << 20);
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Hull of { map(v) : v in [a, b) } in [0, n) by `mode` (constant-mode values outside dropped). */
static zs_rows mapped_hull(int64_t a, int64_t b, int64_t n, zs_border mode)
{
    zs_rows r = {INT64_MAX, INT64_MIN};
    const int64_t ia = max64(a, 0), ib = min64(b, n);
    if (ia < ib) r.a = ia, r.b = ib;
    for (int64_t v = a; v < b && v < 0; v++) {
        int64_t m = zs_border_index(v, n, mode);
        if (m >= 0) r.a = min64(r.a, m), r.b = max64(r.b, m + 1);
    }
    for (int64_t v = max64(a, n); v < b; v++) {
        int64_t m = zs_border_index(v, n, mode);
        if (m >= 0) r.a = min64(r.a, m), r.b = max64(r.b, m + 1);
    }
    if (r.a > r.b) r.a = r.b = 0;
    return r;
}

static zs_rows hull(zs_rows x, zs_rows y) { return (zs_rows){min64(x.a, y.a), max64(x.b, y.b)}; }

void zs__band_geom(const zs_plan *p, int64_t y0, int64_t y1, zs_band_geom *g)
{
    const int64_t ny = p->in.shape[1];
    zs_rows R = {y0, y1};
    g->y0 = y0;
    g->y1 = y1;
    g->W = R;
    for (int k = p->nstages - 1; k >= 0; k--) {
        const zs_halo *h = &zs__pipeline_stage(p->pipe, k)->halo;
        g->V[k] = (zs_rows){R.a - h->lo[1], R.b + h->hi[1]};
        g->W = hull(g->W, g->V[k]);
        R = mapped_hull(g->V[k].a, g->V[k].b, ny, h->ymode);
    }
    g->load = R;
    g->W = hull(g->W, R);
}

void zs__run_zranges(const zs_plan *p, int64_t z0, int64_t z1, zs_rows *prod)
{
    prod[p->nstages] = (zs_rows){z0, z1};
    for (int k = p->nstages - 1; k >= 0; k--) {
        const zs_halo *h = &zs__pipeline_stage(p->pipe, k)->halo;
        prod[k] = mapped_hull(prod[k + 1].a - h->lo[2], prod[k + 1].b + h->hi[2], p->in.shape[2], h->zmode);
    }
}

static zs_status check_pipeline(const zs_volume_info *in, const zs_pipeline *pipe)
{
    uint64_t plane;
    ZS_FORWARD(zs_volume_info_sizes(in, &plane, NULL, NULL));
    ZS_RETURN_IF((uint64_t)in->shape[0] * (uint64_t)in->shape[1] > ((uint64_t)1 << 40), ZS_EOVERFLOW,
                 "%s: a %lldx%lld plane is too large to hold in memory", in->path, (long long)in->shape[0],
                 (long long)in->shape[1]);
    ZS_RETURN_IF(zs_pipeline_length(pipe) > ZS_MAX_STAGES, ZS_EINVAL, "a pipeline has at most %d stages",
                 ZS_MAX_STAGES);
    return ZS_OK;
}

/* Work model: each worker runs about ceil(slabs / threads) slabs, and a slab of S planes
 * loads and filters S + H planes where it starts a run, plus a fixed cost of about one plane.
 * Among heights up to 32 planes take the cheapest; ties go to the taller slab. So a small
 * volume is cut into one slab per worker, a large one into slabs of 32 planes (the unit of
 * the journal and of progress; a worker streams several in a row, see run_slabs). */
enum { ZS_SLAB_CAP = 32, ZS_RUN_CAP = 256 }; /* planes */

static int64_t choose_slab(const zs_plan *p, const zs_plan_opts *o)
{
    const int64_t nz = p->in.shape[2], nt = p->in.shape[3], T = p->threads, a = p->z_align;
    if (o->slab > 0) return o->slab < nz ? o->slab : nz;
    const int64_t H = p->halo_lo + p->halo_hi;
    int64_t cap = nz < ZS_SLAB_CAP ? nz : ZS_SLAB_CAP;
    if (cap < a) cap = a < nz ? a : nz; /* a chunk deeper than the usual cap: one chunk a slab */
    int64_t best = 1, best_work = INT64_MAX;
    for (int64_t s = 1; s <= cap; s++) {
        if (s % a != 0 && s != nz) continue; /* slabs start on the output's chunks */
        const int64_t slabs = (nz + s - 1) / s * nt, rounds = (slabs + T - 1) / T;
        const int64_t halo = H < nz - s ? H : nz - s; /* a slab that is the whole volume has none */
        const int64_t work = rounds * (s + halo + 1);
        if (work <= best_work) best = s, best_work = work;
    }
    return best;
}

/* Output planes per call of a stage: a few z-windows, so that a kernel that recomputes planes
 * inside a call (the first step of an opening) or that gains from a run of planes (van Herk)
 * has room, and the rings stay small. */
static int64_t stage_batch(const zs_halo *h, int64_t nz)
{
    int64_t b = h->lo[2] + h->hi[2] + 1;
    b = b < 4 ? 4 : b > 32 ? 32 : b;
    return b < nz ? b : nz;
}

/* Planes one call of a stage with this halo reads for `batch` consecutive output planes. */
static int64_t stage_span(const zs_halo *h, int64_t batch, int64_t nz)
{
    if (h->zmode == ZS_BORDER_WRAP && h->lo[2] + h->hi[2] > 0) return nz; /* the window joins the two ends */
    return min64(nz, batch + h->lo[2] + h->hi[2]);
}

/* Whether a queued engine (several buffers of large requests: direct) reads the input / writes
 * the output: volumes the format reads or writes itself (C order, decoded, encoded) take their own
 * path. */
static int queued_reads(const zs_plan *p) { return zs__engine_get(p->read_engine)->min_request && !p->whole_planes; }
static int queued_writes(const zs_plan *p)
{
    return zs__engine_get(p->write_engine)->min_request && !p->whole_plane_output;
}

/* The band, raised so that a band-plane of elements of dt carries the engine's least request. */
static int64_t request_band(const zs_plan *p, zs_engine e, zs_dtype dt)
{
    const uint64_t row = (uint64_t)p->in.shape[0] * zs_dtype_size(dt), req = zs__engine_get(e)->min_request;
    return min64(p->in.shape[1], max64(p->band, (int64_t)((req + row - 1) / row)));
}

/* The peak: every worker's bytes, and what the input's format holds once for all of them. */
static void set_peak(zs_plan *p) { p->peak_bytes = p->worker_bytes * (uint64_t)p->threads + p->decode.shared; }

/* Sizes everything for the plan's band: rows per stage (over every band), rings, scratch. */
static void size_for_band(zs_plan *p)
{
    const int64_t nx = p->in.shape[0], ny = p->in.shape[1], nz = p->in.shape[2], n = p->nstages;
    p->nbands = (ny + p->band - 1) / p->band;
    p->tile_rows = p->load_rows = 0;
    for (int k = 0; k < n; k++) p->stage_rows[k] = 0;
    /* Bands differ only within the pipeline's y-halo of the edges (and in the last, shorter
     * band): look at those and one interior band. */
    const int64_t reach = p->yhalo_lo + p->yhalo_hi + p->band, mid = p->nbands / 2;
    for (int64_t b = 0; b < p->nbands; b++) {
        const int64_t y0 = b * p->band, y1 = min64(ny, y0 + p->band);
        if (b != mid && y0 > reach && y1 < ny - reach) continue;
        zs_band_geom g;
        zs__band_geom(p, y0, y1, &g);
        p->tile_rows = max64(p->tile_rows, g.W.b - g.W.a);
        p->load_rows = max64(p->load_rows, g.load.b - g.load.a);
        for (int k = 0; k < n; k++) p->stage_rows[k] = max64(p->stage_rows[k], g.V[k].b - g.V[k].a);
    }
    /* Batches and rings. The loader reads a few whole planes at once when a band is the
     * whole plane, else one band-plane per read. */
    p->batch[n] = p->load_rows == ny ? min64(4, nz) : 1;
    size_t scratch = 0;
    for (int k = 0; k < n; k++) {
        const zs_stage *s = zs__pipeline_stage(p->pipe, k);
        p->batch[k] = stage_batch(&s->halo, nz);
        p->max_in[k] = stage_span(&s->halo, p->batch[k], nz);
        const int64_t prod = k == 0 ? p->batch[n] : p->batch[k - 1];
        p->ring[k] = p->max_in[k] + prod;
        size_t b = s->k->scratch_bytes ? s->k->scratch_bytes(s->params, nx, p->stage_rows[k], p->max_in[k]) : 0;
        b = b > SIZE_MAX / 2 ? SIZE_MAX : b * (p->work_size / sizeof(float)); /* float64: twice (zslab_kernel.h) */
        if (b > scratch) scratch = b;
    }
    p->ring[n] = n ? p->batch[n - 1] : p->batch[n]; /* stored as soon as written */
    p->scratch = scratch;
    uint64_t planes = 0;
    for (int k = 0; k <= n; k++) planes += (uint64_t)p->ring[k];
    const uint64_t tile = (uint64_t)p->tile_rows * (uint64_t)nx * p->work_size;
    p->ring_bytes = planes * tile;
    const uint64_t in_es = zs_dtype_size(p->in.dtype), out_es = zs_dtype_size(p->out.dtype);
    const uint64_t in_io = (uint64_t)p->batch[n] * (uint64_t)p->load_rows * (uint64_t)nx * in_es;
    const uint64_t out_io = (uint64_t)p->band * (uint64_t)nx * out_es; /* one band-plane stored at a time */
    /* queued (direct): the engine's depth of buffers per direction of one load or store request
     * each, with alignment slack (an upper bound of pread's staging, should it fall back at run time) */
    const uint64_t slack = 3 * (uint64_t)(zs_sys_page_size() > 4096 ? zs_sys_page_size() : 4096);
    const int dr = queued_reads(p), dw = queued_writes(p);
    const uint64_t rdepth = (uint64_t)zs__engine_get(p->read_engine)->depth;
    const uint64_t wdepth = (uint64_t)zs__engine_get(p->write_engine)->depth;
    p->io_bytes = (dr ? rdepth * (in_io + slack) : in_io) + (dw ? wdepth * (zs__plan_store_bytes(p) + slack) : out_io) +
                  4 * zs_sys_page_size();
    /* plane lists and pointers per stage, small but counted */
    p->assembly_bytes = p->whole_plane_output ? (uint64_t)p->slab * (uint64_t)nx * (uint64_t)ny * out_es : 0;
    p->worker_bytes = p->ring_bytes + p->io_bytes + p->scratch + p->assembly_bytes + p->writer_bytes +
                      p->decode.worker + planes * 32 + 4096;
    set_peak(p);
}

/* The work type. float64 needs every stage's float64 kernel; auto takes it for the integer
 * types a float loses digits of (selections on labels stay exact), when the stages allow. A plan
 * without stages converts such integers exactly, as integers (exact_ints). */
static const char *const precision_names[] = {"auto", "float32", "float64", NULL};

zs_status zs_precision_parse(const char *s, zs_precision *out)
{
    for (int i = 0; precision_names[i]; i++)
        if (strcmp(s, precision_names[i]) == 0) {
            *out = (zs_precision)i;
            return ZS_OK;
        }
    return ZS_ERR(ZS_EINVAL, "unknown precision '%s' (use auto, float32 or float64)", s);
}

const char *zs_precision_name(zs_precision p) { return (unsigned)p <= ZS_PRECISION_FLOAT64 ? precision_names[p] : "?"; }

static zs_status choose_precision(zs_plan *p, const zs_plan_opts *o)
{
    const zs_type t = p->in.dtype.type;
    const int wide_int = t == ZS_I32 || t == ZS_U32 || t == ZS_I64 || t == ZS_U64;
    int missing = -1; /* the first stage without a float64 kernel */
    for (int k = 0; k < p->nstages && missing < 0; k++)
        if (!zs__kernel_run_f64(zs__pipeline_stage(p->pipe, k)->k)) missing = k;
    const char *mname = missing >= 0 ? zs__pipeline_stage(p->pipe, missing)->k->name : "";
    ZS_RETURN_IF(o->precision == ZS_PRECISION_FLOAT64 && missing >= 0, ZS_EINVAL,
                 "precision float64: stage %d (%s) has no float64 kernel (use float32 or auto)", missing + 1, mname);
    ZS_RETURN_IF((unsigned)o->precision > ZS_PRECISION_FLOAT64, ZS_EINVAL, "precision %d is not one of zs_precision",
                 (int)o->precision);
    if (o->precision != ZS_PRECISION_AUTO) {
        p->precision = o->precision;
        snprintf(p->precision_why, sizeof p->precision_why, "given");
    } else if (t == ZS_F64 && p->nstages == 0) { /* a conversion: float32 work would round every value */
        p->precision = ZS_PRECISION_FLOAT64;
        snprintf(p->precision_why, sizeof p->precision_why,
                 "auto: no stages on float64 input: values are converted from float64, rounded once");
    } else if (!wide_int) {
        p->precision = ZS_PRECISION_FLOAT32;
        snprintf(p->precision_why, sizeof p->precision_why, "auto: %s input; float64 with --precision float64",
                 zs_dtype_name(p->in.dtype));
    } else if (missing >= 0) {
        p->precision = ZS_PRECISION_FLOAT32;
        snprintf(p->precision_why, sizeof p->precision_why,
                 "auto: stage %d (%s) has no float64 kernel: %s values beyond 2^24 are rounded", missing + 1, mname,
                 zs_dtype_name(p->in.dtype));
    } else {
        p->precision = ZS_PRECISION_FLOAT64;
        snprintf(p->precision_why, sizeof p->precision_why,
                 "auto: %s input and every stage has a float64 kernel: values up to 2^53 are exact%s",
                 zs_dtype_name(p->in.dtype), t == ZS_I64 || t == ZS_U64 ? " (values beyond +-2^53 fail the run)" : "");
    }
    /* No stages: a conversion. Integers a float may not hold go through the integers, exactly
     * (the precision, auto or given, has no stage to act on). */
    if (wide_int && p->nstages == 0 && p->in.slope == 1.0 && p->in.inter == 0.0) {
        p->exact_ints = 1;
        snprintf(p->precision_why, sizeof p->precision_why,
                 "no stages: %s values are converted as integers, saturated or rounded once to %s",
                 zs_dtype_name(p->in.dtype), zs_dtype_name(p->out.dtype));
    }
    p->work_size = p->precision == ZS_PRECISION_FLOAT64 || p->exact_ints ? sizeof(double) : sizeof(float);
    for (int k = 0; k < p->nstages; k++) {
        const zs_kernel_desc *kd = zs__pipeline_stage(p->pipe, k)->k;
        p->run[k] = p->precision == ZS_PRECISION_FLOAT64 ? zs__kernel_run_f64(kd) : kd->run;
    }
    return ZS_OK;
}

/* Cache a worker may count on: its L2 and its share of L3 (hwloc), or 2 MiB when unknown. The L3
 * share is capped at 4 MiB: virtual machines report the host's whole L3 (512 MiB here), and one
 * core's slice of a real L3 is a few MiB. */
static uint64_t worker_cache(int threads)
{
    zs_topology_facts f;
    zs__topology_facts(&f);
    uint64_t l3 = f.l3 && threads > 0 ? f.l3 / (uint64_t)threads : 0;
    if (l3 > (4u << 20)) l3 = 4u << 20;
    uint64_t c = f.l2 + l3;
    return c ? c : (2u << 20);
}

static void choose_band(zs_plan *p, const zs_plan_opts *o)
{
    const int64_t nx = p->in.shape[0], ny = p->in.shape[1];
    if (p->whole_planes) {
        p->band = ny;
    } else if (o->band > 0) {
        p->band = min64(o->band, ny);
        p->band_forced = 1;
    } else {
        /* tallest band whose largest stage window fits the cache, but at least 4x the y-halo */
        const int64_t Hy = p->yhalo_lo + p->yhalo_hi, floor = max64(16, 4 * Hy);
        int64_t win = 1;
        for (int k = 0; k < p->nstages; k++) {
            const zs_stage *s = zs__pipeline_stage(p->pipe, k);
            win = max64(win, stage_span(&s->halo, stage_batch(&s->halo, p->in.shape[2]), p->in.shape[2]));
        }
        const uint64_t cache = worker_cache(p->threads);
        int64_t fit = (int64_t)(cache / ((uint64_t)win * (uint64_t)nx * p->work_size)) - Hy;
        p->band = min64(ny, max64(floor, fit));
        /* Direct I/O: a band-plane is one request, and the device wants large ones (several
         * MiB: docs/design.md); rings then grow with the request, not with the plane. */
        if (queued_reads(p)) p->band = request_band(p, p->read_engine, p->in.dtype);
        if (queued_writes(p)) p->band = request_band(p, p->write_engine, p->out.dtype);
    }
    size_for_band(p);
    /* Lower the band until the workers fit the budget (a forced band is kept: refused below). */
    while (!p->band_forced && !p->whole_planes && p->peak_bytes > p->mem_budget && p->band > 1) {
        int64_t b = p->band * 3 / 4;
        p->band = b < p->band ? (b > 0 ? b : 1) : p->band - 1;
        size_for_band(p);
    }
}

/* Voxels the stages compute per voxel written, averaged over the stages, for runs of `run`
 * planes: the share of work spent on halos (rows at band edges, planes at run starts). */
static double redundancy(const zs_plan *p, int64_t run)
{
    const int64_t nz = p->in.shape[2], ny = p->in.shape[1], n = p->nstages;
    if (n == 0) return 1.0;
    /* rows a stage computes summed over the bands, times planes it computes summed over the runs */
    double rows[ZS_MAX_STAGES] = {0}, planes[ZS_MAX_STAGES] = {0}, computed = 0.0;
    for (int64_t b = 0; b < p->nbands; b++) {
        zs_band_geom g;
        zs__band_geom(p, b * p->band, min64(ny, (b + 1) * p->band), &g);
        for (int k = 0; k < n; k++) rows[k] += (double)(g.V[k].b - g.V[k].a);
    }
    zs_rows prod[ZS_MAX_STAGES + 1];
    for (int64_t z0 = 0; z0 < nz; z0 += run) {
        zs__run_zranges(p, z0, min64(nz, z0 + run), prod);
        for (int k = 0; k < n; k++) planes[k] += (double)(prod[k + 1].b - prod[k + 1].a);
    }
    for (int k = 0; k < n; k++) computed += rows[k] * planes[k];
    return computed / ((double)ny * (double)nz * (double)n);
}

static double mib(uint64_t b) { return (double)b / 1048576.0; }

/* "1.5 GiB", "512.0 MiB", "12.5 KiB", "300 bytes" */
static const char *human(uint64_t b, char *buf, size_t n)
{
    if (b >= ((uint64_t)1 << 30))
        snprintf(buf, n, "%.1f GiB", (double)b / 1073741824.0);
    else if (b >= (1u << 20))
        snprintf(buf, n, "%.1f MiB", mib(b));
    else if (b >= 1024)
        snprintf(buf, n, "%.1f KiB", (double)b / 1024.0);
    else
        snprintf(buf, n, "%llu bytes", (unsigned long long)b);
    return buf;
}

/* Engines: as given, else from measurement (docs/performance.md, "Which engine by default").
 * - Direct both ways when the input is cold: not in the page cache (sampled) and the job moves at
 *   least 256 MiB. Read through the cache, a cold input costs a copy per byte and evicts other
 *   files for pages read once; written through it, the output becomes a flood of dirty pages that
 *   the kernel writes back while the reads still run, on the same device. Measured cold on a
 *   1024x1024x256 uint16 -> float32 Gaussian: direct 3.25 s end to end, pread 4.09 s, mmap 4.01 s.
 * - Direct both ways when the job moves more than half the memory available, cold or not: the
 *   cache cannot keep it.
 * - Direct writes to a parallel file system, whose servers reward large direct writes.
 * - pread otherwise: a hot input is read from memory, and a small job is not worth the alignment.
 * pread and direct need F order: C-order and decoded inputs are read through their format (the
 * mmap path), encoded outputs are written by it. */
#define ZS_COLD_JOB_BYTES ((uint64_t)256 << 20)

typedef struct engine_facts {
    uint64_t avail, moved;
    double resident; /* sampled fraction of the input in the page cache; -1: not known */
    int big, cold, mapped_in;
} engine_facts;

static engine_facts engine_facts_of(const zs_plan *p)
{
    engine_facts f;
    f.avail = zs_sys_available_memory();
    f.moved = p->in.nbytes + p->out.nbytes;
    f.mapped_in = p->in.order == ZS_ORDER_F && !p->in.decoded;
    f.big = f.moved > f.avail / 2;
    f.resident = -1.0;
    if (f.mapped_in && f.moved >= ZS_COLD_JOB_BYTES)
        f.resident =
            zs__residency_sampled(p->in.data_path[0] ? p->in.data_path : p->in.path, p->in.offset, p->in.nbytes);
    f.cold = f.resident >= 0.0 && f.resident < 0.5;
    return f;
}

/* --dry-run's reason for the engines it chose (rd, wd: read, write direct by choice). */
static void engine_reason(zs_plan *p, const engine_facts *f, int rd, int wd, int auto_any)
{
    char h1[32], h2[32], h3[32], h4[32];
    const char *which = rd && wd ? "both" : rd ? "read" : "write";
    human(f->moved, h1, sizeof h1);
    human(f->avail, h4, sizeof h4);
    if (f->big && (rd || wd))
        snprintf(p->engine_why, sizeof p->engine_why,
                 "%s direct: the job moves %s (%s in, %s out), more than half of the %s available", which, h1,
                 human(p->in.nbytes, h2, sizeof h2), human(p->out.nbytes, h3, sizeof h3), h4);
    else if (f->cold && (rd || wd))
        snprintf(p->engine_why, sizeof p->engine_why,
                 "%s direct: the input is not in the page cache (%.0f%% of it sampled resident) and the job moves "
                 "%s; pread when the input is cached or the job moves less than %s",
                 which, 100.0 * f->resident, h1, human(ZS_COLD_JOB_BYTES, h2, sizeof h2));
    else if (wd)
        snprintf(p->engine_why, sizeof p->engine_why, "write direct: the output is on a parallel file system");
    else if (auto_any && f->resident >= 0.0) /* the page cache keeps the job: say so, so --dry-run always tells why */
        snprintf(p->engine_why, sizeof p->engine_why,
                 "auto: the input is in the page cache (%.0f%% of it sampled resident) and the job moves %s, within "
                 "half of the %s available; direct when the input is cold or the job moves more",
                 100.0 * f->resident, h1, h4);
    else if (auto_any)
        snprintf(p->engine_why, sizeof p->engine_why,
                 "auto: the job moves %s, within half of the %s available; direct above that%s", h1, h4,
                 f->mapped_in && f->moved < ZS_COLD_JOB_BYTES ? ", or from 256 MiB when the input is cold" : "");
}

static void resolve_engines(zs_plan *p, const zs_plan_opts *o)
{
    p->engine_why[0] = '\0';
    p->read_engine = o->read_engine;
    p->write_engine = o->write_engine;
    const int auto_r = p->read_engine == ZS_ENGINE_AUTO, auto_w = p->write_engine == ZS_ENGINE_AUTO;
    const engine_facts f = auto_r || auto_w ? engine_facts_of(p) : (engine_facts){0};
    const int stream = f.big || f.cold; /* the page cache cannot keep the job, or has nothing of it */
    if (auto_r) p->read_engine = stream && f.mapped_in ? ZS_ENGINE_DIRECT : ZS_ENGINE_PREAD;
    if (!(p->in.order == ZS_ORDER_F && !p->in.decoded)) p->read_engine = ZS_ENGINE_MMAP; /* gathered or decoded */
    if (auto_w)
        p->write_engine = (stream || o->parallel_fs) && !o->whole_plane_output ? ZS_ENGINE_DIRECT : ZS_ENGINE_PREAD;
    p->engine_guessed[0] = auto_r;
    p->engine_guessed[1] = auto_w;
    engine_reason(p, &f, auto_r && p->read_engine == ZS_ENGINE_DIRECT, auto_w && p->write_engine == ZS_ENGINE_DIRECT,
                  auto_r || auto_w);
}

/* A budget that cannot hold one worker with what the input's format needs to decode planes: the
 * error names the file, what the format decodes and the bytes. */
static zs_status refuse_decode(const zs_plan *p, const zs_plan_opts *o)
{
    char hb[32], hw[32], hs[32], hp[32];
    const uint64_t rest = p->worker_bytes - p->decode.worker;
    return ZS_ERR(ZS_ENOMEM,
                  "%s: a memory budget of %s%s is too small to read it: decoding its %s takes %s per worker%s%s%s, "
                  "besides %s for the planes; raise the budget or store the data in smaller chunks",
                  p->in.path, human(p->mem_budget, hb, sizeof hb),
                  o->mem_budget ? "" : " (half of the available memory)", p->decode.unit[0] ? p->decode.unit : "planes",
                  human(p->decode.worker, hw, sizeof hw), p->decode.shared ? " and " : "",
                  p->decode.shared ? human(p->decode.shared, hs, sizeof hs) : "",
                  p->decode.shared ? " once (the library's caches)" : "", human(rest, hp, sizeof hp));
}

/* The options zs_plan_create checks before it plans: the engines, the threads' variable, the z alignment. */
static zs_status check_plan_opts(const zs_volume_info *in, const zs_plan_opts *opts)
{
    ZS_RETURN_IF((opts->read_engine != ZS_ENGINE_AUTO && !zs__engine_get(opts->read_engine)) ||
                     (opts->write_engine != ZS_ENGINE_AUTO && !zs__engine_get(opts->write_engine)),
                 ZS_EINVAL, "%s: unknown engine (read %d, write %d)", in->path, (int)opts->read_engine,
                 (int)opts->write_engine);
    if (opts->threads <= 0) ZS_FORWARD(zs__check_env_threads());
    ZS_RETURN_IF(opts->z_align < 0, ZS_EINVAL, "%s: z alignment %lld is negative", in->path, (long long)opts->z_align);
    ZS_RETURN_IF(opts->z_align > 1 && opts->slab > 0 && opts->slab % opts->z_align != 0 && opts->slab < in->shape[2],
                 ZS_EINVAL,
                 "%s: a slab of %lld planes would split the output's chunks of %lld planes: give a multiple of %lld",
                 in->path, (long long)opts->slab, (long long)opts->z_align, (long long)opts->z_align);
    return ZS_OK;
}

/* A new plan with the options' settings, the pipeline's halos, the output's descriptor and the precision. */
static zs_status plan_new(const zs_volume_info *in, const zs_pipeline *pipe, const zs_plan_opts *opts, zs_plan **out)
{
    zs_plan *p = calloc(1, sizeof *p);
    ZS_RETURN_IF(!p, ZS_ENOMEM, "out of memory");
    p->in = *in;
    p->pipe = zs__pipeline_retain(pipe);
    p->nstages = zs_pipeline_length(pipe);
    p->bind = opts->bind;
    p->z_align = opts->z_align > 1 ? opts->z_align : 1;
    p->threads = opts->threads > 0 ? opts->threads : zs_sys_threads();
    p->mem_budget = opts->mem_budget ? opts->mem_budget : default_budget();
    int64_t lo[3], hi[3];
    zs_pipeline_halo(pipe, lo, hi);
    p->halo_lo = lo[2];
    p->halo_hi = hi[2];
    p->yhalo_lo = lo[1];
    p->yhalo_hi = hi[1];
    /* The output: same shape and voxel size, real values (no scaling), chosen dtype. */
    p->out = *in;
    p->out.dtype = opts->has_out_dtype ? opts->out_dtype : in->dtype;
    p->out.slope = 1.0;
    p->out.inter = 0.0;
    p->out.order = ZS_ORDER_F;
    p->out.offset = 0;
    p->out.path[0] = '\0';
    zs_status st = zs_volume_info_sizes(&p->out, NULL, NULL, &p->out.nbytes);
    if (st == ZS_OK) st = choose_precision(p, opts);
    if (st < 0) {
        zs_plan_free(p); /* drops its reference to the pipeline */
        return st;
    }
    *out = p;
    return ZS_OK;
}

/* The slab height and count; a whole-plane output's slabs fit a quarter of a worker's share. */
static void cut_slabs(zs_plan *p, const zs_volume_info *in, const zs_plan_opts *opts)
{
    /* Planes that are decoded or gathered come whole: a band is the whole plane. */
    p->whole_planes = in->order == ZS_ORDER_C || in->decoded;
    const int64_t nz = in->shape[2];
    if (opts->input && in->decoded) /* the loader reads up to 4 whole planes at once (size_for_band) */
        zs__volume_decode_cost(opts->input, min64(4, nz), &p->decode);
    p->slab = choose_slab(p, opts);
    p->nslabs_per_vol = (nz + p->slab - 1) / p->slab;
    p->nslabs = p->nslabs_per_vol * in->shape[3];
    p->run_slabs = ZS_RUN_CAP / p->slab > 1 ? ZS_RUN_CAP / p->slab : 1;
    p->whole_plane_output = opts->whole_plane_output;
    p->writer_bytes = opts->writer_bytes;
    if (p->whole_plane_output) {
        /* a worker assembles one slab of output planes: slabs that fit a quarter of its share */
        const uint64_t plane_out = (uint64_t)in->shape[0] * (uint64_t)in->shape[1] * zs_dtype_size(p->out.dtype);
        const uint64_t share = p->mem_budget / 4 / (uint64_t)p->threads;
        int64_t fit = plane_out ? (int64_t)(share / plane_out) : p->slab;
        if (opts->slab <= 0 && fit < p->slab) {
            p->slab = fit > 0 ? fit : 1;
            if (p->slab % p->z_align != 0) /* whole chunks still (a chunk is the least a worker writes) */
                p->slab = p->slab < p->z_align ? min64(p->z_align, nz) : p->slab / p->z_align * p->z_align;
        }
        p->nslabs_per_vol = (nz + p->slab - 1) / p->slab;
        p->nslabs = p->nslabs_per_vol * in->shape[3];
        p->run_slabs = 1;
    }
}

/* The workers and the bands: no more workers than slabs (or band groups), then fewer until the budget holds them. */
static void fit_workers(zs_plan *p, const zs_volume_info *in, const zs_plan_opts *opts)
{
    /* Workers share slabs, or the band groups of a slab (run.c): no more workers than those. */
    if (p->threads > p->nslabs) {
        p->threads = (int)p->nslabs;
        if (!p->whole_plane_output && !p->whole_planes)
            p->threads = (int)min64(opts->threads > 0 ? opts->threads : zs_sys_threads(),
                                    p->nslabs * ((in->shape[1] + 15) / 16));
    }
    choose_band(p, opts);
    if (p->threads > p->nslabs * p->nbands) { /* bands taller than guessed: fewer groups */
        p->threads = (int)(p->nslabs * p->nbands);
        set_peak(p);
    }
    /* Bands as low as they go (or whole planes): fewer workers, down to one, before refusing. */
    p->threads_wanted = p->threads;
    while (p->threads > 1 && p->peak_bytes > p->mem_budget) {
        p->threads--;
        set_peak(p);
    }
}

const char *zs__budget_params(const zs_plan_opts *opts) { return opts->band > 0 ? "mem_budget,band" : "mem_budget"; }

/* The bands and their bytes, for a budget that cannot hold one worker. */
static zs_status refuse_bands(const zs_plan *p, const zs_volume_info *in, const zs_plan_opts *opts)
{
    char hb[32], hn[32];
    return ZS_ERR(ZS_EINVAL,
                  "%s: a memory budget of %s%s is too small: %d worker(s) need %s with bands of "
                  "%lld row(s) (%lld rows per tile plane of %lld voxels)%s; raise the budget, lower the threads%s",
                  in->path, human(p->mem_budget, hb, sizeof hb),
                  opts->mem_budget ? "" : " (half of the available memory)", 1, human(p->peak_bytes, hn, sizeof hn),
                  (long long)p->band, (long long)p->tile_rows, (long long)in->shape[0],
                  p->whole_planes ? " (decoded or C-order planes are read whole)" : "",
                  opts->band > 0 ? " or the band" : " or the kernels' sizes");
}

/* The error of a budget that cannot hold one worker: what the format decodes, or the bands and their bytes. */
static zs_status refuse_budget(const zs_plan *p, const zs_volume_info *in, const zs_plan_opts *opts)
{
    const zs_status st = p->decode.worker + p->decode.shared > 0 ? refuse_decode(p, opts) : refuse_bands(p, in, opts);
    return zs__error_detail(st, ZS_REASON_BUDGET, zs__budget_params(opts), p->peak_bytes, NULL);
}

/* Per-stage state, built once for the plan. */
static zs_status prepare_stages(zs_plan *p, const zs_volume_info *in, const zs_pipeline *pipe)
{
    const int64_t nz = in->shape[2];
    for (int k = 0; k < p->nstages; k++) {
        const zs_stage *s = zs__pipeline_stage(pipe, k);
        if (!s->k->prepare) continue;
        const zs_kernel_geom g = {in->shape[0], p->stage_rows[k], p->max_in[k], p->batch[k], in->shape[1], nz};
        zs_status ps = s->k->prepare(s->params, &g, &p->state[k]);
        if (ps < 0) {
            if (!zs_last_error()[0]) ZS_ERR(ps, "kernel %s: prepare failed", s->k->name);
            return ps;
        }
    }
    return ZS_OK;
}

zs_status zs_plan_create(const zs_volume_info *in, const zs_pipeline *pipe, const zs_plan_opts *opts, zs_plan **out)
{
    zs_plan_opts o;
    ZS_RETURN_IF(!out, ZS_EINVAL, "zs_plan_create: no place for the plan given");
    *out = NULL;
    ZS_FORWARD(ZS_SIZED_IN(&o, opts, zs_plan_opts));
    opts = &o;
    ZS_RETURN_IF(!in, ZS_EINVAL, "zs_plan_create: no input descriptor given");
    ZS_RETURN_IF(!pipe, ZS_EINVAL, "%s: zs_plan_create: no pipeline given (an empty one copies)", in->path);
    zs_volume_info inl;
    ZS_FORWARD(ZS_SIZED_IN(&inl, in, zs_volume_info));
    in = &inl;
    ZS_FORWARD(check_pipeline(in, pipe));
    ZS_FORWARD(check_plan_opts(in, opts));
    zs_plan *p = NULL;
    ZS_FORWARD(plan_new(in, pipe, opts, &p));
    if (zs__volume_empty(in)) { /* an axis of length 0: no slab, nothing to do (scipy: an empty result) */
        p->slab = p->run_slabs = 1;
        p->threads = 1;
        p->read_engine = p->write_engine = ZS_ENGINE_PREAD;
        *out = p;
        return ZS_OK;
    }
    resolve_engines(p, opts);
    cut_slabs(p, in, opts);
    fit_workers(p, in, opts);
    const zs_status st = p->peak_bytes > p->mem_budget ? refuse_budget(p, in, opts) : prepare_stages(p, in, pipe);
    if (st < 0) {
        zs_plan_free(p);
        return st;
    }
    *out = p;
    return ZS_OK;
}

int64_t zs__plan_run_slabs(const zs_plan *p, int64_t todo)
{
    const int64_t per = 2 * (int64_t)p->threads, L = (todo + per - 1) / per;
    return L < 1 ? 1 : L > p->run_slabs ? p->run_slabs : L;
}

void zs_plan_free(zs_plan *plan)
{
    if (!plan) return;
    for (int k = 0; k < plan->nstages; k++) {
        const zs_stage *s = zs__pipeline_stage(plan->pipe, k);
        if (plan->state[k] && s->k->release) s->k->release(plan->state[k]);
    }
    zs__pipeline_release(plan->pipe);
    free(plan);
}

uint64_t zs__plan_store_bytes(const zs_plan *p)
{
    const uint64_t row = (uint64_t)p->in.shape[0] * zs_dtype_size(p->out.dtype);
    if (p->band < p->in.shape[1]) return (uint64_t)p->band * row;
    return (uint64_t)zs__plan_store_planes(p) * (uint64_t)p->in.shape[1] * row;
}

int64_t zs__plan_store_planes(const zs_plan *p)
{
    const int n = p->nstages;
    const int64_t batch = n ? p->batch[n - 1] : p->batch[n];
    const uint64_t plane = (uint64_t)p->in.shape[0] * (uint64_t)p->in.shape[1] * zs_dtype_size(p->out.dtype);
    const int64_t fit = plane ? (int64_t)(ZS_DIRECT_REQUEST / plane) : 1;
    return min64(batch, max64(1, fit));
}

void zs__plan_slab(const zs_plan *p, int64_t i, int64_t *t, int64_t *z0, int64_t *z1)
{
    const int64_t nz = p->in.shape[2];
    *t = i / p->nslabs_per_vol;
    *z0 = (i % p->nslabs_per_vol) * p->slab;
    *z1 = *z0 + p->slab < nz ? *z0 + p->slab : nz;
}

void zs_plan_output_spec(const zs_plan *plan, zs_volume_info *spec) { ZS_SIZED_OUT(spec, &plan->out, zs_volume_info); }
int64_t zs_plan_slab_count(const zs_plan *plan) { return plan->nslabs; }
int zs_plan_threads(const zs_plan *plan) { return plan->threads; }
int64_t zs_plan_slab_height(const zs_plan *plan) { return plan->slab; }
uint64_t zs_plan_peak_bytes(const zs_plan *plan) { return plan->peak_bytes; }
int64_t zs_plan_band_height(const zs_plan *plan) { return plan->band; }
zs_precision zs_plan_precision(const zs_plan *plan) { return plan->precision; }
void zs_plan_engines(const zs_plan *plan, zs_engine *read, zs_engine *write)
{
    *read = plan->read_engine;
    *write = plan->write_engine;
}

static void plan_print(const void *obj, int flags, FILE *f)
{
    (void)flags;
    const zs_plan *p = obj;
    const zs_volume_info *i = &p->in;
    char desc[2048];
    zs_pipeline_describe(p->pipe, desc, sizeof desc);
    fprintf(f, "input:      %s  %lldx%lldx%lld", i->path, (long long)i->shape[0], (long long)i->shape[1],
            (long long)i->shape[2]);
    if (i->shape[3] > 1) fprintf(f, "x%lld (series of %lld volumes)", (long long)i->shape[3], (long long)i->shape[3]);
    fprintf(f, " %s, %s order%s\n", zs_dtype_name(i->dtype), i->order == ZS_ORDER_F ? "F" : "C",
            i->decoded               ? " (planes decoded by the format)"
            : i->order == ZS_ORDER_C ? " (slabs gathered: slower)"
                                     : "");
    fprintf(f, "output:     %s\n", zs_dtype_name(p->out.dtype));
    fprintf(f, "pipeline:   %s\n", p->nstages ? desc : "(none: copy with conversion)");
    fprintf(f, "halo z:     %lld below, %lld above (sum of the stages' halos)\n", (long long)p->halo_lo,
            (long long)p->halo_hi);
    if (p->nslabs == 0) {
        fprintf(f, "slabs:      none: an axis has length 0, the output is an empty volume of the same shape\n");
        return;
    }
    int64_t last = i->shape[2] - (p->nslabs_per_vol - 1) * p->slab;
    fprintf(f, "slabs:      %lld of %lld planes (last %lld)%s\n", (long long)p->nslabs, (long long)p->slab,
            (long long)last, i->shape[3] > 1 ? ", per volume of the series" : "");
    if (p->z_align > 1)
        fprintf(f, "            starting on the output's chunks of %lld planes\n", (long long)p->z_align);
    fprintf(f, "threads:    %d%s", p->threads, p->bind ? " (bound to cores)" : "");
    if (p->threads < p->threads_wanted) fprintf(f, " (of %d: the memory budget holds no more)", p->threads_wanted);
    fputc('\n', f);
    fprintf(f, "engines:    read %s, write %s%s%s%s\n", zs_engine_name(p->read_engine), zs_engine_name(p->write_engine),
            p->engine_why[0] ? " (" : "", p->engine_why, p->engine_why[0] ? ")" : "");
    fprintf(f, "precision:  %s (%s)\n", p->exact_ints ? "exact" : zs_precision_name(p->precision), p->precision_why);
    fprintf(f, "tiles:      bands of %lld of %lld rows (%lld per plane), %lld rows per tile plane with the halos%s\n",
            (long long)p->band, (long long)i->shape[1], (long long)p->nbands, (long long)p->tile_rows,
            p->whole_planes  ? " (whole planes: decoded or C-order input)"
            : p->band_forced ? " (band given)"
                             : "");
    fprintf(f, "runs:       up to %lld slabs streamed by one worker at a time\n", (long long)p->run_slabs);
    const int64_t nz = i->shape[2], run = zs__plan_run_slabs(p, p->nslabs_per_vol) * p->slab;
    fprintf(f, "redundancy: %.3f voxels computed per voxel written (per stage; halos at band and run edges)\n",
            redundancy(p, run < nz ? run : nz));
    fprintf(f, "per worker: %.1f MiB: rings %.1f MiB (", mib(p->worker_bytes), mib(p->ring_bytes));
    for (int k = 0; k <= p->nstages; k++) fprintf(f, "%s%lld", k ? "+" : "", (long long)p->ring[k]);
    fprintf(f, " planes), kernel scratch %.1f MiB, file staging %.1f MiB", mib(p->scratch), mib(p->io_bytes));
    if (p->decode.worker) fprintf(f, ", decoding %.1f MiB", mib(p->decode.worker));
    if (p->writer_bytes) fprintf(f, ", output levels %.1f MiB", mib(p->writer_bytes));
    fputc('\n', f);
    if (p->decode.worker + p->decode.shared > 0)
        fprintf(f, "decoding:   %s: %.1f MiB per worker, %.1f MiB once for all\n",
                p->decode.unit[0] ? p->decode.unit : "planes", mib(p->decode.worker), mib(p->decode.shared));
    fprintf(f, "peak:       %.1f MiB estimated for %d workers (budget %.1f MiB)\n", mib(p->peak_bytes), p->threads,
            mib(p->mem_budget));
}

size_t zs_plan_describe(const zs_plan *plan, char *buf, size_t n)
{
    if (!plan) {
        zs__copy_text("", 0, buf, n);
        return 0;
    }
    return zs__describe(plan_print, plan, 0, buf, n);
}
