/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The planner: cuts a volume into z-slabs and sizes what each worker needs.
 *
 * Design. A slab is the core [z0,z1) of the output. Working backwards through the
 * pipeline, stage k needs its input on the planes set[k] = expand(set[k+1], halo of
 * stage k, its z mode), so the first stage reads at most S + H planes (S = slab height,
 * H = the pipeline's total z-halo, both sides), fewer where the slab meets the volume's
 * first or last plane. A worker holds:
 *   - the input window: set[0] mapped from the file (released before computing),
 *   - two float32 work buffers of max_planes = min(nz, S + H) planes (stages ping-pong),
 *   - kernel scratch: the largest scratch_bytes() of the stages for max_planes,
 *   - the output window: S planes mapped for the store.
 * The slab height is --slab, or the largest S whose workers fit in the memory budget,
 * kept small enough that there are at least two slabs per worker to balance the load.
 * The plan is pure: it touches no file and can be printed before anything runs. */
#include "scheduler_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zs_plan_opts_default(zs_plan_opts *o)
{
    memset(o, 0, sizeof *o);
    o->bind = 1;
}

/* Default budget: half of the memory available (MemAvailable, under any cgroup limit). */
static uint64_t default_budget(void)
{
    uint64_t avail = zs_sys_available_memory();
    return avail / 2 > (64u << 20) ? avail / 2 : (64u << 20);
}

typedef struct worker_cost {
    uint64_t in_map, buffers, scratch, out_map, total;
} worker_cost;

static void cost_for(const zs_plan *p, int64_t S, worker_cost *c)
{
    const uint64_t nx = (uint64_t)p->in.shape[0], ny = (uint64_t)p->in.shape[1], nz = (uint64_t)p->in.shape[2];
    const uint64_t plane = nx * ny;
    uint64_t planes = (uint64_t)S + (uint64_t)(p->halo_lo + p->halo_hi);
    if (planes > nz) planes = nz;
    size_t scratch = 0;
    for (int i = 0; i < p->nstages; i++) {
        const zs_stage *s = zs__pipeline_stage(p->pipe, i);
        size_t b = s->k->scratch_bytes ? s->k->scratch_bytes(s->params, (int64_t)nx, (int64_t)ny, (int64_t)planes) : 0;
        if (b > scratch) scratch = b;
    }
    c->in_map = planes * plane * zs_dtype_size(p->in.dtype) + 2 * zs_sys_page_size();
    c->buffers = (p->nstages ? 2 : 1) * planes * plane * sizeof(float);
    c->scratch = scratch;
    c->out_map = (uint64_t)S * plane * zs_dtype_size(p->out.dtype) + 2 * zs_sys_page_size();
    /* z-set arrays per stage boundary, small but counted */
    c->total = c->in_map + c->buffers + c->scratch + c->out_map + (uint64_t)(p->nstages + 1) * planes * 8;
}

static zs_status check_pipeline(const zs_volume_info *in, const zs_pipeline *pipe)
{
    uint64_t plane;
    ZS_FORWARD(zs_volume_info_sizes(in, &plane, NULL, NULL));
    ZS_RETURN_IF((uint64_t)in->shape[0] * (uint64_t)in->shape[1] > ((uint64_t)1 << 40), ZS_EOVERFLOW,
                 "%s: a %lldx%lld plane is too large to hold in memory", in->path, (long long)in->shape[0],
                 (long long)in->shape[1]);
    (void)pipe;
    return ZS_OK;
}

/* Work model: each worker runs about ceil(slabs / threads) slabs, and a slab of S planes
 * loads and filters S + H planes (H, the halo planes, are loaded and filtered again by the
 * neighbouring slab), plus a fixed cost of about one plane (mapping, system calls). Among the
 * heights whose workers fit the memory budget (at most 32 planes: on 1024x1024 planes, 64
 * measured no faster end to end, took about 10% more CPU time, twice the resident memory
 * and more system time zeroing buffers and page-cache pages; taller slabs also leave
 * workers in lockstep instead of overlapping one's I/O with another's compute), take the
 * cheapest; ties go to the taller slab. So a small volume is cut into one slab per worker rather than many slabs
 * each dragging a halo, and a large one into tall slabs. */
enum { ZS_SLAB_CAP = 32 }; /* planes */

static int64_t choose_slab(zs_plan *p, const zs_plan_opts *o)
{
    const int64_t nz = p->in.shape[2], nt = p->in.shape[3], T = p->threads;
    if (o->slab > 0) return o->slab < nz ? o->slab : nz;
    const int64_t cap = nz < ZS_SLAB_CAP ? nz : ZS_SLAB_CAP, H = p->halo_lo + p->halo_hi;
    int64_t best = 1, best_work = INT64_MAX;
    for (int64_t s = 1; s <= cap; s++) {
        worker_cost c;
        cost_for(p, s, &c);
        if (s > 1 && c.total * (uint64_t)T > p->mem_budget) break; /* grows with s */
        const int64_t slabs = (nz + s - 1) / s * nt, rounds = (slabs + T - 1) / T;
        const int64_t halo = H < nz - s ? H : nz - s; /* a slab that is the whole volume has none */
        const int64_t work = rounds * (s + halo + 1);
        if (work <= best_work) best = s, best_work = work;
    }
    return best;
}

zs_status zs_plan_create(const zs_volume_info *in, const zs_pipeline *pipe, const zs_plan_opts *opts, zs_plan **out)
{
    zs_plan_opts def;
    if (!opts) {
        zs_plan_opts_default(&def);
        opts = &def;
    }
    *out = NULL;
    ZS_FORWARD(check_pipeline(in, pipe));
    zs_plan *p = calloc(1, sizeof *p);
    ZS_RETURN_IF(!p, ZS_ENOMEM, "out of memory");
    p->in = *in;
    p->pipe = pipe;
    p->nstages = zs_pipeline_length(pipe);
    p->bind = opts->bind;
    p->threads = opts->threads > 0 ? opts->threads : zs_sys_threads();
    p->mem_budget = opts->mem_budget ? opts->mem_budget : default_budget();
    int64_t lo[3], hi[3];
    zs_pipeline_halo(pipe, lo, hi);
    p->halo_lo = lo[2];
    p->halo_hi = hi[2];
    /* The output: same shape and voxel size, real values (no scaling), chosen dtype. */
    p->out = *in;
    p->out.dtype = opts->has_out_dtype ? opts->out_dtype : in->dtype;
    p->out.slope = 1.0;
    p->out.inter = 0.0;
    p->out.order = ZS_ORDER_F;
    p->out.offset = 0;
    p->out.path[0] = '\0';
    zs_status st = zs_volume_info_sizes(&p->out, NULL, NULL, &p->out.nbytes);
    if (st < 0) {
        free(p);
        return st;
    }
    /* Engine defaults come from the benchmark (README, Performance). pread needs F order. */
    p->read_engine = opts->read_engine ? opts->read_engine : ZS_ENGINE_MMAP;
    p->write_engine = opts->write_engine ? opts->write_engine : ZS_ENGINE_MMAP;
    if (in->order == ZS_ORDER_C || in->decoded) p->read_engine = ZS_ENGINE_MMAP; /* gathered or decoded */
    p->slab = choose_slab(p, opts);
    const int64_t nz = in->shape[2];
    p->nslabs_per_vol = (nz + p->slab - 1) / p->slab;
    p->nslabs = p->nslabs_per_vol * in->shape[3];
    if (p->threads > p->nslabs) p->threads = (int)p->nslabs;
    worker_cost c;
    cost_for(p, p->slab, &c);
    p->max_planes = p->slab + p->halo_lo + p->halo_hi < nz ? p->slab + p->halo_lo + p->halo_hi : nz;
    p->scratch = c.scratch;
    p->buffer_bytes = c.buffers;
    p->map_bytes = c.in_map + c.out_map;
    p->peak_bytes = c.total * (uint64_t)p->threads;
    if (opts->mem_budget && p->peak_bytes > opts->mem_budget) {
        uint64_t need = p->peak_bytes;
        free(p);
        return ZS_ERR(ZS_EINVAL,
                      "%s: --mem-budget %.1f MiB is too small: %d worker(s) need %.1f MiB even for the "
                      "smallest slab; raise the budget or lower --threads",
                      in->path, opts->mem_budget / 1048576.0, opts->threads > 0 ? opts->threads : zs_sys_threads(),
                      need / 1048576.0);
    }
    *out = p;
    return ZS_OK;
}

void zs_plan_free(zs_plan *plan) { free(plan); }

zs_status zs_engine_parse(const char *s, zs_engine *out)
{
    if (strcmp(s, "auto") == 0)
        *out = ZS_ENGINE_AUTO;
    else if (strcmp(s, "mmap") == 0)
        *out = ZS_ENGINE_MMAP;
    else if (strcmp(s, "pread") == 0 || strcmp(s, "pwrite") == 0)
        *out = ZS_ENGINE_PREAD;
    else
        return ZS_ERR(ZS_EINVAL, "unknown engine '%s' (use auto, mmap or pread)", s);
    return ZS_OK;
}

const char *zs_engine_name(zs_engine e)
{
    return e == ZS_ENGINE_MMAP ? "mmap" : e == ZS_ENGINE_PREAD ? "pread" : "auto";
}

void zs__plan_slab(const zs_plan *p, int64_t i, int64_t *t, int64_t *z0, int64_t *z1)
{
    const int64_t nz = p->in.shape[2];
    *t = i / p->nslabs_per_vol;
    *z0 = (i % p->nslabs_per_vol) * p->slab;
    *z1 = *z0 + p->slab < nz ? *z0 + p->slab : nz;
}

void zs_plan_output_spec(const zs_plan *plan, zs_volume_info *spec) { *spec = plan->out; }
int64_t zs_plan_slab_count(const zs_plan *plan) { return plan->nslabs; }
int zs_plan_threads(const zs_plan *plan) { return plan->threads; }
int64_t zs_plan_slab_height(const zs_plan *plan) { return plan->slab; }
uint64_t zs_plan_peak_bytes(const zs_plan *plan) { return plan->peak_bytes; }
void zs_plan_engines(const zs_plan *plan, zs_engine *read, zs_engine *write)
{
    *read = plan->read_engine;
    *write = plan->write_engine;
}

static double mib(uint64_t b) { return (double)b / 1048576.0; }

void zs_plan_print(const zs_plan *p, FILE *f)
{
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
    int64_t last = i->shape[2] - (p->nslabs_per_vol - 1) * p->slab;
    fprintf(f, "slabs:      %lld of %lld planes (last %lld)%s\n", (long long)p->nslabs, (long long)p->slab,
            (long long)last, i->shape[3] > 1 ? ", per volume of the series" : "");
    fprintf(f, "threads:    %d%s\n", p->threads, p->bind ? " (bound to cores)" : "");
    fprintf(f, "engines:    read %s, write %s\n", zs_engine_name(p->read_engine), zs_engine_name(p->write_engine));
    worker_cost c;
    cost_for(p, p->slab, &c);
    fprintf(f,
            "per worker: input window %lld planes (%.1f MiB mapped), work buffers %.1f MiB, "
            "scratch %.1f MiB, output window %.1f MiB mapped\n",
            (long long)p->max_planes, mib(c.in_map), mib(c.buffers), mib(c.scratch), mib(c.out_map));
    fprintf(f, "peak:       %.1f MiB estimated for %d workers (budget %.1f MiB)\n", mib(p->peak_bytes), p->threads,
            mib(p->mem_budget));
}
