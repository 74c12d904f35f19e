/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The uring engine: the direct engine's O_DIRECT requests (the same aligned buffers, read-ahead
 * and write-behind, engine_direct.c and direct_queue.c) submitted to an io_uring ring per worker
 * and direction instead of being handed to I/O threads: no thread switch per request, and the
 * ring keeps the queue's depth in flight.
 *
 * A request goes to the ring as one read or write of its aligned part (zs__dio_span); the
 * completion finishes it: a write's unaligned head and tail go through the volume's ordinary
 * descriptor, and a request the ring did not do whole (an error, a short transfer: the input
 * shrank, the disk is full, the file size limit) is done again with the blocking calls, which
 * finish it or name the problem as the direct engine does.
 * Where the kernel or a seccomp policy refuses io_uring (ENOSYS, EPERM: kernel.io_uring_disabled)
 * or zslab was built without liburing, the run falls back to the direct engine with a note; a
 * file system that refuses O_DIRECT falls back to pread, as direct's does. */
#include "engine_internal.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef ZS_HAVE_URING
#include <liburing.h>

struct zs_ring {
    struct io_uring ring;
    const zs_dio *d;
    int write;
    int depth;
    int busy;                     /* requests under way */
    int broken;                   /* a submission failed: the blocking calls do the rest */
    int pending[ZS_DIRECT_DEPTH]; /* slot i's request is under way */
    struct {
        zs_io_request req;
        unsigned char *abuf;
        zs_dio_span sp;
    } op[ZS_DIRECT_DEPTH];
};

/* 0, or why io_uring cannot be had here (a negative errno). ZS_TEST_NO_URING=1 is a test hook:
 * a kernel that refuses it as a seccomp policy does (EPERM). */
static int ring_init(struct io_uring *ring, unsigned entries)
{
    const char *test = getenv("ZS_TEST_NO_URING");
    if (test && test[0] == '1') return -EPERM;
    return io_uring_queue_init(entries, ring, 0);
}

/* The message for a refusal: which of the usual reasons, in the user's terms. */
static zs_status refused(const char *path, int e)
{
    const char *why = e == -ENOSYS  ? "the kernel has no io_uring"
                      : e == -EPERM ? "io_uring is not permitted (kernel.io_uring_disabled, or a seccomp policy)"
                                    : NULL;
    if (why) return ZS_ERR(ZS_EUNSUPPORTED, "%s: %s", path, why);
    return ZS_ERR_SYS(ZS_EUNSUPPORTED, -e, "%s: cannot set up an io_uring ring", path);
}

/* Whether this kernel lets the process have a ring that reads and writes (Linux 5.6+). */
static zs_status ring_probe(const char *path)
{
    struct io_uring ring;
    const int e = ring_init(&ring, 1);
    if (e < 0) return refused(path, e);
    struct io_uring_probe *pr = io_uring_get_probe_ring(&ring);
    const int ok =
        pr && io_uring_opcode_supported(pr, IORING_OP_READ) && io_uring_opcode_supported(pr, IORING_OP_WRITE);
    if (pr) io_uring_free_probe(pr);
    io_uring_queue_exit(&ring);
    ZS_RETURN_IF(!ok, ZS_EUNSUPPORTED, "%s: the kernel's io_uring cannot read and write files (Linux 5.6 or later)",
                 path);
    return ZS_OK;
}

zs_status zs__ring_new(const zs_dio *d, int write, int depth, zs_ring **out)
{
    *out = NULL;
    zs_ring *r = calloc(1, sizeof *r);
    ZS_RETURN_IF(!r, ZS_ENOMEM, "out of memory");
    assert(depth <= ZS_DIRECT_DEPTH);
    const int e = ring_init(&r->ring, (unsigned)depth);
    if (e < 0) {
        free(r);
        return refused(zs__dio_path(d), e);
    }
    r->d = d;
    r->write = write;
    r->depth = depth;
    *out = r;
    return ZS_OK;
}

void zs__ring_free(zs_ring *r)
{
    if (!r) return;
    assert(r->busy == 0);
    io_uring_queue_exit(&r->ring);
    free(r);
}

int zs__ring_submit(zs_ring *r, int slot, zs_io_request req, unsigned char *abuf)
{
    zs_dio_span sp;
    if (r->broken) return 0;
    if (zs__dio_span(r->d, r->write, req.t, req.z0, req.z1, req.y0, req.y1, &sp) < 0 || sp.len == 0) {
        zs_clear_error(); /* the blocking path says it again, or writes what has no aligned part */
        return 0;
    }
    struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
    if (!sqe) return 0;
    if (r->write)
        io_uring_prep_write(sqe, sp.fd, abuf + sp.at, (unsigned)sp.len, sp.off);
    else
        io_uring_prep_read(sqe, sp.fd, abuf, (unsigned)sp.len, sp.off);
    io_uring_sqe_set_data64(sqe, (uint64_t)slot);
    int e;
    do {
        e = io_uring_submit(&r->ring);
    } while (e == -EINTR || e == -EAGAIN);
    if (e < 1) { /* the entry stays unsent: never submit again, or it would go with the next one */
        r->broken = 1;
        return 0;
    }
    r->op[slot].req = req;
    r->op[slot].abuf = abuf;
    r->op[slot].sp = sp;
    r->pending[slot] = 1;
    r->busy++;
    return 1;
}

/* A completion with result res of slot's request: done when the ring moved every byte (a write's
 * edges then go through the cache), else done again with the blocking calls, which say why. */
static zs_status ring_finish(const zs_ring *r, int slot, int res, const unsigned char **data)
{
    const zs_io_request q = r->op[slot].req;
    unsigned char *abuf = r->op[slot].abuf;
    *data = NULL;
    if (r->write) {
        if (res >= 0 && (size_t)res == r->op[slot].sp.len)
            return zs__dio_write_edges(r->d, q.t, q.z0, q.z1, q.y0, q.y1, abuf);
        return zs__dio_write(r->d, q.t, q.z0, q.z1, q.y0, q.y1, abuf);
    }
    if (res >= 0 && (size_t)res >= r->op[slot].sp.need) {
        *data = abuf + zs__dio_place(r->d, q.t, q.z0, q.y0);
        return ZS_OK;
    }
    return zs__dio_read(r->d, q.t, q.z0, q.z1, q.y0, q.y1, abuf, data);
}

int zs__ring_reap(zs_ring *r, int wait, zs_status *st, const unsigned char **data)
{
    struct io_uring_cqe *cqe = NULL;
    if (r->busy == 0) return -1;
    int e;
    do {
        e = wait ? io_uring_wait_cqe(&r->ring, &cqe) : io_uring_peek_cqe(&r->ring, &cqe);
    } while (e == -EINTR || (wait && (e == -EAGAIN || e == -EBUSY)));
    *data = NULL;
    if (e < 0 || !cqe) {
        if (!wait) return -1;
        /* a ring that cannot wait any more: each request under way fails, naming why */
        int slot = 0;
        while (!r->pending[slot]) slot++;
        r->pending[slot] = 0;
        r->busy--;
        *st = ZS_ERR_SYS(ZS_EIO, -e, "%s: waiting for an io_uring completion failed", zs__dio_path(r->d));
        return slot;
    }
    const int slot = (int)io_uring_cqe_get_data64(cqe), res = cqe->res;
    io_uring_cqe_seen(&r->ring, cqe);
    r->pending[slot] = 0;
    r->busy--;
    *st = ring_finish(r, slot, res, data);
    return slot;
}
#else
zs_status zs__ring_new(const zs_dio *d, int write, int depth, zs_ring **out)
{
    (void)write, (void)depth;
    *out = NULL;
    return ZS_ERR(ZS_EUNSUPPORTED, "%s: this zslab was built without io_uring (liburing)", zs__dio_path(d));
}
void zs__ring_free(zs_ring *r) { (void)r; }
int zs__ring_submit(zs_ring *r, int slot, zs_io_request req, unsigned char *abuf)
{
    (void)r, (void)slot, (void)req, (void)abuf;
    return 0;
}
int zs__ring_reap(zs_ring *r, int wait, zs_status *st, const unsigned char **data)
{
    (void)r, (void)wait, (void)st, (void)data;
    return -1;
}
static zs_status ring_probe(const char *path)
{
    return ZS_ERR(ZS_EUNSUPPORTED, "%s: this zslab was built without io_uring (liburing)", path);
}
#endif

/* The direct engine's descriptor, and a ring the kernel allows: else direct (the ring refused) or
 * pread (O_DIRECT refused), with the note saying why. */
static zs_status uring_open(zs_engine_side *s)
{
    zs_dio *d;
    ZS_FORWARD(zs__dio_open(s->v, s->write, &d));
    const zs_status st = ring_probe(zs__dio_path(d));
    if (st < 0) {
        zs__dio_close(d);
        s->next = &zs__engine_direct;
        return st;
    }
    s->shared = d;
    return ZS_OK;
}

const zs_engine_ops zs__engine_uring = {
    .id = ZS_ENGINE_URING,
    .name = "uring",
    .alias = "io_uring",
    .depth = ZS_DIRECT_DEPTH,
    .min_request = ZS_DIRECT_REQUEST,
    .ring = 1,
    .possible = zs__dio_possible,
    .open = uring_open,
    .close = zs__direct_close,
    .start = zs__direct_start,
    .stop = zs__direct_stop,
    .band = zs__direct_band,
    .read = zs__direct_read,
    .write = zs__direct_write,
    .check = zs__direct_check,
    .drain = zs__direct_drain,
};
