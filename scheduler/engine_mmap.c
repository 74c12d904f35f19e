/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The mmap engine: loads are converted from a mapping of the file's rows in place, stores are
 * converted into one (zero-copy both ways), under a fault guard: a file that shrinks under the
 * run is reported by name instead of killing the process. A caller's F-order buffer is served by
 * this engine whatever the plan says (its views are the buffer itself). */
#include "engine_internal.h"

typedef struct mmap_stream {
    const zs_engine_side *s;
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

static zs_status mmap_start(const zs_engine_side *s, const zs_plan *p, void **stream)
{
    mmap_stream *ms = zs__calloc(sizeof *ms);
    ZS_RETURN_IF(!ms, ZS_ENOMEM, "%s: out of memory", p->in.path);
    ms->s = s;
    *stream = ms;
    return ZS_OK;
}

static void mmap_stop(void *stream) { zs__free(stream); }

/* One view when the rows are whole planes, else one per plane. */
static zs_status mmap_access(mmap_stream *ms, zs_io_request r, mapped_call *c)
{
    const zs_volume *v = ms->s->v;
    const int64_t step = r.y0 == 0 && r.y1 == v->info.shape[1] ? r.z1 - r.z0 : 1;
    for (int64_t z = r.z0; z < r.z1; z += step) {
        zs_view view;
        ZS_FORWARD(zs__volume_view(v, r.t, z, z + step, r.y0, r.y1, ms->s->write, &view));
        c->data = view.data;
        c->z = z;
        c->n = step;
        const zs_status st = zs__engine_guarded(v, ms->s->write ? "write" : "read", mapped_run, c);
        zs__volume_unview(&view);
        ZS_FORWARD(st);
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
    mapped_call c = {NULL, fill, arg, NULL, 0, 0};
    return mmap_access(stream, r, &c);
}

const zs_engine_ops zs__engine_mmap = {
    .id = ZS_ENGINE_MMAP,
    .name = "mmap",
    .maps = 1,
    .depth = 1,
    .start = mmap_start,
    .stop = mmap_stop,
    .read = mmap_read,
    .write = mmap_write,
};
