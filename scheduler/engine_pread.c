/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The pread engine: loads pread into a worker's staging buffer, stores are converted into it and
 * pwritten (zs__volume_read / zs__volume_write, which also take the formats' own paths: gathered
 * C order, decoded and encoded planes). Every volume can take it: it is the fallback. */
#include "engine_internal.h"

typedef struct pread_stream {
    const zs_engine_side *s;
    unsigned char *buf; /* one load request, or one stored band-plane (owner: the stream) */
} pread_stream;

static zs_status pread_start(const zs_engine_side *s, const zs_plan *p, void **stream)
{
    pread_stream *ps = zs__calloc(sizeof *ps);
    const size_t bytes = s->write ? zs__engine_band_bytes(p) : zs__engine_load_bytes(p);
    if (ps) ps->buf = zs__alloc(bytes ? bytes : 1);
    if (!ps || !ps->buf) {
        if (ps) zs__free(ps);
        return ZS_ERR(ZS_ENOMEM, "%s: out of memory for %.1f MiB of I/O staging (a worker's share)", p->in.path,
                      (double)p->io_bytes / 1048576.0);
    }
    ps->s = s;
    *stream = ps;
    return ZS_OK;
}

static void pread_stop(void *stream)
{
    pread_stream *ps = stream;
    zs__free(ps->buf);
    zs__free(ps);
}

static zs_status pread_read(void *stream, zs_io_request r, zs_engine_use use, void *arg)
{
    pread_stream *ps = stream;
    ZS_FORWARD(zs__volume_read(ps->s->v, r.t, r.z0, r.z1, r.y0, r.y1, ps->buf));
    use(arg, ps->buf, r.z0, r.z1 - r.z0);
    return ZS_OK;
}

zs_status zs__engine_pwrite(zs_volume *out, zs_io_request r, unsigned char *buf, zs_engine_fill fill, void *arg)
{
    for (int64_t z = r.z0; z < r.z1; z++) {
        fill(arg, buf, z, 1);
        ZS_FORWARD(zs__volume_write(out, r.t, z, z + 1, r.y0, r.y1, buf));
    }
    return ZS_OK;
}

static zs_status pread_write(void *stream, zs_io_request r, zs_engine_fill fill, void *arg)
{
    pread_stream *ps = stream;
    return zs__engine_pwrite(ps->s->out, r, ps->buf, fill, arg);
}

const zs_engine_ops zs__engine_pread = {
    .id = ZS_ENGINE_PREAD,
    .name = "pread",
    .alias = "pwrite",
    .depth = 1,
    .start = pread_start,
    .stop = pread_stop,
    .read = pread_read,
    .write = pread_write,
};
