/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The mmap engine: loads are converted from a mapping of the file's rows in place (zero-copy),
 * under a fault guard: a file that shrinks under the run is reported by name instead of killing
 * the process. A caller's F-order buffer is served by this engine whatever the plan says, both
 * ways (its windows are the buffer itself).
 *
 * Windows. A worker keeps one mapping for a whole run (zs__volume_window: whole planes, not
 * populated), not one per band-plane: mapping and unmapping each band-plane cost a system call, a
 * TLB shootdown on the other cores and a fault per page every time (2.5x pread cold, 5.7x hot).
 * The window is the band's span of loaded planes (band()), the same for every band of a run; it
 * is asked to be read ahead (MADV_WILLNEED) when mapped, so a cold run's reads are in flight
 * while the first band computes, and its pages fault in a few at a time (fault-around). Unmapped
 * when the next run's span replaces it (nothing else to drop: the pages stay cached, as pread's).
 *
 * Stores into a file are pwritten from a band-plane of staging, as the pread engine's. Storing
 * through a mapping was measured slower here: a page of a new output that a store faults in is
 * zeroed first (the kernel's memset was 39% of such a store on ext4, 1 GiB), so the bytes are
 * written twice where pwrite copies them once; 1.9-3.3x pwrite's store hot and 1.7x cold, with or
 * without MADV_POPULATE_WRITE and ranged writeback behind (docs/design.md). */
#include "engine_internal.h"

/* A window may hold this many bytes at most (address space, not memory). */
#define WINDOW_MAX ((uint64_t)1 << 30)

typedef struct mmap_stream {
    const zs_engine_side *s;
    zs_view view; /* planes [z0, z1) of volume t (data NULL: none) */
    int64_t t, z0, z1;
    size_t row, plane;  /* bytes */
    unsigned char *buf; /* stores into a file: one band-plane (owner: the stream) */
} mmap_stream;

/* A call of `use` or `fill` on mapped bytes, run under the fault guard. */
typedef struct mapped_call {
    zs_engine_use use;
    zs_engine_fill fill;
    void *arg;
    unsigned char *data;
    int64_t z, n;
} mapped_call;

static void mapped_run(void *a)
{
    const mapped_call *c = a;
    if (c->use)
        c->use(c->arg, c->data, c->z, c->n);
    else
        c->fill(c->arg, c->data, c->z, c->n);
}

/* Makes the window hold planes [z0, z1) of volume t, mapping [z0, z1 + more) when it does not. */
static zs_status window_cover(mmap_stream *ms, int64_t t, int64_t z0, int64_t z1, int64_t more)
{
    if (ms->view.data && t == ms->t && z0 >= ms->z0 && z1 <= ms->z1) return ZS_OK;
    zs__volume_unview(&ms->view);
    const int64_t nz = zs_volume_get_info(ms->s->v)->shape[2],
                  cap = (int64_t)(WINDOW_MAX / (ms->plane ? ms->plane : 1));
    int64_t end = z1 + (more < cap - (z1 - z0) ? more : cap - (z1 - z0));
    if (end > nz) end = nz;
    if (end < z1) end = z1;
    ZS_FORWARD(zs__volume_window(ms->s->v, t, z0, end, ms->s->write, &ms->view));
    ms->t = t, ms->z0 = z0, ms->z1 = end;
    return ZS_OK;
}

static zs_status mmap_start(const zs_engine_side *s, const zs_plan *p, void **stream)
{
    mmap_stream *ms = zs__calloc(sizeof *ms);
    ZS_RETURN_IF(!ms, ZS_ENOMEM, "%s: out of memory", p->in.path);
    ms->s = s;
    const zs_volume_info *vi = zs_volume_get_info(s->v);
    ms->row = (size_t)vi->shape[0] * zs_dtype_size(vi->dtype);
    ms->plane = ms->row * (size_t)vi->shape[1];
    if (s->write && !zs__volume_is_buffer(s->v)) {
        ms->buf = zs__alloc(zs__engine_band_bytes(p));
        if (!ms->buf) {
            zs__free(ms);
            return ZS_ERR(ZS_ENOMEM, "%s: out of memory for %.1f MiB of I/O staging (a worker's share)", p->in.path,
                          (double)p->io_bytes / 1048576.0);
        }
    }
    *stream = ms;
    return ZS_OK;
}

static void mmap_stop(void *stream)
{
    mmap_stream *ms = stream;
    zs__volume_unview(&ms->view);
    zs__free(ms->buf);
    zs__free(ms);
}

static void mmap_band(void *stream, zs_io_request span, int64_t batch)
{
    (void)batch;
    if (window_cover(stream, span.t, span.z0, span.z1, 0) < 0) zs_clear_error(); /* read() maps and reports */
}

/* The request's rows in the window, plane by plane (whole planes: all at once). */
static zs_status mmap_access(mmap_stream *ms, zs_io_request r, mapped_call *c)
{
    const zs_volume *v = ms->s->v;
    const int64_t step = r.y0 == 0 && r.y1 == zs_volume_get_info(v)->shape[1] ? r.z1 - r.z0 : 1;
    ZS_FORWARD(window_cover(ms, r.t, r.z0, r.z1, 0));
    for (int64_t z = r.z0; z < r.z1; z += step) {
        c->data = (unsigned char *)ms->view.data + (size_t)(z - ms->z0) * ms->plane + (size_t)r.y0 * ms->row;
        c->z = z;
        c->n = step;
        ZS_FORWARD(zs__engine_guarded(v, ms->s->write ? "write" : "read", mapped_run, c));
    }
    return ZS_OK;
}

static zs_status mmap_read(void *stream, zs_io_request r, zs_engine_use use, void *arg)
{
    mapped_call c = {use, NULL, arg, NULL, 0, 0};
    return mmap_access(stream, r, &c);
}

static zs_status mmap_write(void *stream, zs_io_request r, zs_engine_fill fill, void *arg)
{
    mmap_stream *ms = stream;
    if (ms->buf) return zs__engine_pwrite(ms->s->out, r, ms->buf, fill, arg);
    mapped_call c = {NULL, fill, arg, NULL, 0, 0};
    return mmap_access(ms, r, &c);
}

const zs_engine_ops zs__engine_mmap = {
    .id = ZS_ENGINE_MMAP,
    .name = "mmap",
    .maps = 1,
    .depth = 1,
    .start = mmap_start,
    .stop = mmap_stop,
    .band = mmap_band,
    .read = mmap_read,
    .write = mmap_write,
};
