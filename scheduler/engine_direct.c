/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The direct engine: O_DIRECT reads and writes (volume_direct.c) through a worker's queues
 * (direct_queue.c). One O_DIRECT descriptor per side for the run, shared by the workers; a
 * file system that refuses O_DIRECT, or a volume that is not one byte range in a file, falls back
 * to pread. Reads are queued ahead: the band's loads are known from its geometry (band()), taken
 * in that order; a load the read-ahead did not foresee drops it and is read first. The uring
 * engine (engine_uring.c) shares these operations: its queues submit to a ring instead. */
#include "engine_internal.h"

typedef struct direct_stream {
    const zs_engine_side *s;
    const zs_dio *d;
    zs_ioq *q;    /* owner: the stream */
    int64_t most; /* writes: planes per request of whole planes */
    struct {      /* reads: the band's loads still to queue ahead */
        int on;
        int64_t t, next, end, ra, rb, batch;
    } ahead;
} direct_stream;

static zs_status direct_open(zs_engine_side *s)
{
    zs_dio *d;
    ZS_FORWARD(zs__dio_open(s->v, s->write, &d));
    s->shared = d;
    return ZS_OK;
}

void zs__direct_close(zs_engine_side *s) { zs__dio_close(s->shared); }

zs_status zs__direct_start(const zs_engine_side *s, const zs_plan *p, void **stream)
{
    direct_stream *ds = zs__calloc(sizeof *ds);
    ZS_RETURN_IF(!ds, ZS_ENOMEM, "%s: out of memory", p->in.path);
    ds->s = s;
    ds->d = s->shared;
    ds->most = zs__plan_store_planes(p);
    const size_t bytes = s->write ? (size_t)zs__plan_store_bytes(p) : zs__engine_load_bytes(p);
    const zs_status st = zs__ioq_start(ds->d, s->write, bytes, s->ops->ring, &ds->q);
    if (st < 0) {
        zs__free(ds);
        return st;
    }
    *stream = ds;
    return ZS_OK;
}

void zs__direct_stop(void *stream)
{
    direct_stream *ds = stream;
    zs__ioq_stop(ds->q);
    zs__free(ds);
}

/* Queues the band's next loads while buffers are free. A load is the rows [ra, rb) of one
 * plane, or a batch of whole planes, in the order the executor asks for them. */
static void read_ahead(direct_stream *ds)
{
    while (ds->ahead.on && ds->ahead.next < ds->ahead.end) {
        const int64_t z0 = ds->ahead.next;
        const int64_t z1 = z0 + ds->ahead.batch < ds->ahead.end ? z0 + ds->ahead.batch : ds->ahead.end;
        if (!zs__ioq_queue_read(ds->q, (zs_io_request){ds->ahead.t, z0, z1, ds->ahead.ra, ds->ahead.rb})) return;
        ds->ahead.next = z1;
    }
}

void zs__direct_band(void *stream, zs_io_request span, int64_t batch)
{
    direct_stream *ds = stream;
    zs__ioq_drop_reads(ds->q);
    ds->ahead.on = 1;
    ds->ahead.t = span.t;
    ds->ahead.next = span.z0;
    ds->ahead.end = span.z1;
    ds->ahead.ra = span.y0;
    ds->ahead.rb = span.y1;
    ds->ahead.batch = batch;
    read_ahead(ds);
}

/* The load `want`, from the read-ahead; one it did not foresee drops the read-ahead and is read
 * first (the read-ahead then goes on after it when it lies on its way). */
static zs_status take_read(direct_stream *ds, zs_io_request want, const unsigned char **data, int *taken)
{
    read_ahead(ds);
    ZS_FORWARD(zs__ioq_take_read(ds->q, want, data, taken));
    if (*taken >= 0) {
        read_ahead(ds);
        return ZS_OK;
    }
    zs__ioq_drop_reads(ds->q);
    const int on_way = ds->ahead.on && want.t == ds->ahead.t && want.y0 == ds->ahead.ra && want.y1 == ds->ahead.rb &&
                       want.z0 < ds->ahead.end;
    (void)zs__ioq_queue_read(ds->q, want); /* every buffer is free after the drop */
    if (on_way)
        ds->ahead.next = want.z1;
    else
        ds->ahead.on = 0;
    read_ahead(ds);
    ZS_FORWARD(zs__ioq_take_read(ds->q, want, data, taken));
    ZS_RETURN_IF(*taken < 0, ZS_EINTERNAL, "%s: a direct read was lost from its queue",
                 zs_volume_get_info(ds->s->v)->path);
    return ZS_OK;
}

/* Read by the I/O threads ahead of the worker, converted from where the rows landed: whole
 * planes in one request, part of the rows a plane at a time (one byte range either way). */
zs_status zs__direct_read(void *stream, zs_io_request r, zs_engine_use use, void *arg)
{
    direct_stream *ds = stream;
    const int64_t step = r.y0 == 0 && r.y1 == zs_volume_get_info(ds->s->v)->shape[1] ? r.z1 - r.z0 : 1;
    for (int64_t z = r.z0; z < r.z1; z += step) {
        const unsigned char *data;
        int taken;
        ZS_FORWARD(take_read(ds, (zs_io_request){r.t, z, z + step, r.y0, r.y1}, &data, &taken));
        use(arg, data, z, step);
        zs__ioq_release_read(ds->q, taken);
        read_ahead(ds); /* the freed buffer takes the next load at once */
    }
    return ZS_OK;
}

/* Converted into a free buffer, queued to the worker's I/O threads. */
zs_status zs__direct_write(void *stream, zs_io_request r, zs_engine_fill fill, void *arg)
{
    direct_stream *ds = stream;
    const int64_t most =
        r.y0 == 0 && r.y1 == zs_volume_get_info(ds->s->v)->shape[1] ? ds->most : 1; /* one byte range */
    for (int64_t z = r.z0, step; z < r.z1; z += step) {
        step = r.z1 - z < most ? r.z1 - z : most;
        zs_status st;
        unsigned char *b = zs__ioq_buffer(ds->q, &st);
        if (!b) return st;
        fill(arg, b + zs__dio_place(ds->d, r.t, z, r.y0), z, step);
        zs__ioq_queue_write(ds->q, b, (zs_io_request){r.t, z, z + step, r.y0, r.y1});
    }
    return ZS_OK;
}

zs_status zs__direct_check(void *stream) { return zs__ioq_check(((direct_stream *)stream)->q); }
zs_status zs__direct_drain(void *stream) { return zs__ioq_drain(((direct_stream *)stream)->q); }

const zs_engine_ops zs__engine_direct = {
    .id = ZS_ENGINE_DIRECT,
    .name = "direct",
    .depth = ZS_DIRECT_DEPTH,
    .min_request = ZS_DIRECT_REQUEST,
    .possible = zs__dio_possible,
    .open = direct_open,
    .close = zs__direct_close,
    .start = zs__direct_start,
    .stop = zs__direct_stop,
    .band = zs__direct_band,
    .read = zs__direct_read,
    .write = zs__direct_write,
    .check = zs__direct_check,
    .drain = zs__direct_drain,
};
