/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The direct engine's queues: a worker's O_DIRECT requests served by I/O threads of its own.
 *
 * A direct request blocks until the device is done, and the device does best with several
 * requests in flight (measured in docs/design.md: a queue depth of 1 gets half of what 4 get on
 * requests of 256 KiB). So each worker of the direct engine has a queue per direction with
 * ZS_DIRECT_DEPTH aligned buffers (slots) and ZS_DIRECT_THREADS I/O threads:
 *  - writes: the worker converts a request into a free slot (waiting only when every slot is
 *    queued or being written), queues it, and computes on while the threads write;
 *  - reads: the worker queues the reads it will need next (the rows of the band's next planes,
 *    known from the run's geometry) and takes them in the order it queued them; a read it did not
 *    foresee drops the read-ahead and is queued first.
 * Every slot is in one state: FREE, FILLING (a write the worker converts into it), QUEUED (waiting
 * for a thread), BUSY (a thread does it), READY (a read the worker has not taken), TAKEN (a read the
 * worker converts from). Requests are numbered as they are
 * queued and threads take the oldest, so reads come in order. The first error is kept with its message (the error text
 * is per thread) and handed to the worker at its next call; later requests are dropped. The worker drains the write
 * queue before a slab is synced and recorded (the journal's durability), before the claim's slabs are handed on, and at
 * the end.
 *
 * The uring engine's queues are the same slots served by an io_uring ring of the worker's own
 * (engine_uring.c) instead of threads: a slot is submitted as it is queued, and where the worker
 * would wait for a thread it reaps the ring's completions (nothing else touches the queue). */
#include "scheduler_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { SLOT_FREE, SLOT_FILLING, SLOT_QUEUED, SLOT_BUSY, SLOT_READY, SLOT_TAKEN };

typedef struct slot {
    int state;                 /* under lock */
    uint64_t seq;              /* order of queueing */
    zs_io_request req;         /* set before QUEUED */
    unsigned char *mem;        /* owner: the queue */
    unsigned char *buf;        /* aligned start */
    const unsigned char *data; /* reads: the requested bytes in buf */
} slot;

struct zs_ioq {
    const zs_dio *d;
    int write;
    slot s[ZS_DIRECT_DEPTH];
    pthread_mutex_t lock;
    pthread_cond_t cv; /* signalled on every change of a slot's state, of err or of quit */
    uint64_t next_seq; /* under lock */
    uint64_t take_seq; /* reads: the next request the worker takes (under lock) */
    int quit;          /* under lock */
    zs_status err;     /* under lock: the first error */
    char msg[1024];    /* its message */
    pthread_t thread[ZS_DIRECT_THREADS];
    int nthreads;
    zs_ring *ring; /* the uring engine's, instead of the threads (owner: the queue) */
};

/* The oldest QUEUED slot, or -1. Under lock. */
static int oldest_queued(const zs_ioq *q)
{
    int best = -1;
    for (int i = 0; i < ZS_DIRECT_DEPTH; i++)
        if (q->s[i].state == SLOT_QUEUED && (best < 0 || q->s[i].seq < q->s[best].seq)) best = i;
    return best;
}

static int count_state(const zs_ioq *q, int state)
{
    int n = 0;
    for (int i = 0; i < ZS_DIRECT_DEPTH; i++) n += q->s[i].state == state;
    return n;
}

/* Does slot s's request with the blocking calls: a thread's work, or the ring's where it cannot
 * take one. */
static zs_status do_request(const zs_ioq *q, const slot *s, const unsigned char **data)
{
    const zs_io_request r = s->req;
    *data = NULL;
    return q->write ? zs__dio_write(q->d, r.t, r.z0, r.z1, r.y0, r.y1, s->buf)
                    : zs__dio_read(q->d, r.t, r.z0, r.z1, r.y0, r.y1, s->buf, data);
}

/* Slot i's request is done with st (a read's bytes at data). Under lock. */
static void finish(zs_ioq *q, int i, zs_status st, const unsigned char *data)
{
    if (st < 0 && q->err == ZS_OK) {
        q->err = st;
        zs__error_copy(q->msg, sizeof q->msg);
    }
    q->s[i].data = data;
    q->s[i].state = q->write ? SLOT_FREE : SLOT_READY; /* a failed read: the reader finds err */
    pthread_cond_broadcast(&q->cv);
}

/* The ring's completions: every one there is, and with `wait` at least one while any is under
 * way. Under lock. */
static void reap(zs_ioq *q, int wait)
{
    int i;
    zs_status st;
    const unsigned char *data;
    while ((i = zs__ring_reap(q->ring, wait, &st, &data)) >= 0) {
        finish(q, i, st, data);
        wait = 0;
    }
}

/* Waits for a slot to change state: for a thread, or for the ring's next completion. Under lock. */
static void wait_change(zs_ioq *q)
{
    if (q->ring)
        reap(q, 1);
    else
        pthread_cond_wait(&q->cv, &q->lock);
}

/* Slot i was queued: with a ring, it is submitted now (done at once after an error, or with the
 * blocking calls when the ring does not take it); the threads take it otherwise. Under lock. */
static void submit(zs_ioq *q, int i)
{
    if (q->ring) {
        slot *s = &q->s[i];
        s->state = SLOT_BUSY;
        if (q->err != ZS_OK) {
            finish(q, i, ZS_OK, NULL); /* dropped, as the threads drop it */
        } else if (!zs__ring_submit(q->ring, i, s->req, s->buf)) {
            const unsigned char *data;
            const zs_status st = do_request(q, s, &data);
            finish(q, i, st, data);
        }
    }
    pthread_cond_broadcast(&q->cv);
}

static void *io_main(void *arg)
{
    zs_ioq *q = arg;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        int i;
        while ((i = oldest_queued(q)) < 0 && !q->quit) pthread_cond_wait(&q->cv, &q->lock);
        if (i < 0) break; /* quit, and nothing queued */
        slot *s = &q->s[i];
        s->state = SLOT_BUSY;
        const int failed = q->err != ZS_OK;
        pthread_mutex_unlock(&q->lock);
        zs_status st = ZS_OK;
        const unsigned char *data = NULL;
        if (!failed) st = do_request(q, s, &data);
        pthread_mutex_lock(&q->lock);
        finish(q, i, st, data);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

void zs__ioq_stop(zs_ioq *q)
{
    if (!q) return;
    if (q->nthreads) {
        pthread_mutex_lock(&q->lock);
        if (!q->write) /* read-ahead nobody will take */
            for (int i = 0; i < ZS_DIRECT_DEPTH; i++)
                if (q->s[i].state == SLOT_QUEUED) q->s[i].state = SLOT_FREE;
        q->quit = 1;
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->lock);
        for (int t = 0; t < q->nthreads; t++) pthread_join(q->thread[t], NULL);
    }
    if (q->ring) { /* every request under way ends before its buffer is freed */
        pthread_mutex_lock(&q->lock);
        while (count_state(q, SLOT_BUSY) > 0) reap(q, 1);
        pthread_mutex_unlock(&q->lock);
        zs__ring_free(q->ring);
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cv);
    for (int i = 0; i < ZS_DIRECT_DEPTH; i++) zs__free(q->s[i].mem);
    free(q);
}

zs_status zs__ioq_start(const zs_dio *d, int write, size_t request_bytes, int ring, zs_ioq **out)
{
    *out = NULL;
    zs_ioq *q = calloc(1, sizeof *q);
    ZS_RETURN_IF(!q, ZS_ENOMEM, "out of memory");
    q->d = d;
    q->write = write;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cv, NULL);
    for (int i = 0; i < ZS_DIRECT_DEPTH; i++) {
        q->s[i].mem = zs__alloc(zs__dio_buffer_bytes(d, request_bytes));
        if (!q->s[i].mem) {
            zs__ioq_stop(q);
            return ZS_ERR(ZS_ENOMEM, "out of memory for %d direct I/O buffers of %.1f MiB (a worker's share)",
                          ZS_DIRECT_DEPTH, (double)request_bytes / 1048576.0);
        }
        q->s[i].buf = zs__dio_aligned(d, q->s[i].mem);
    }
    if (ring) {
        const zs_status st = zs__ring_new(d, write, ZS_DIRECT_DEPTH, &q->ring);
        if (st < 0) {
            zs__ioq_stop(q);
            return st;
        }
        *out = q;
        return ZS_OK;
    }
    /* small stacks (an I/O thread only calls pread/pwrite): four per worker at the default 8 MiB
     * would count against a job's virtual-memory limit */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    (void)pthread_attr_setstacksize(&attr, 256u << 10);
    for (int t = 0; t < ZS_DIRECT_THREADS; t++) {
        int e = pthread_create(&q->thread[t], &attr, io_main, q);
        if (e) {
            pthread_attr_destroy(&attr);
            zs__ioq_stop(q);
            return ZS_ERR_SYS(ZS_ENOMEM, e, "cannot start an I/O thread");
        }
        q->nthreads++;
    }
    pthread_attr_destroy(&attr);
    *out = q;
    return ZS_OK;
}

/* The error an I/O thread met, set as this thread's message. Under lock. */
static zs_status take_error(zs_ioq *q)
{
    if (q->err == ZS_OK) return ZS_OK;
    zs__error_set(q->msg);
    return q->err;
}

zs_status zs__ioq_check(zs_ioq *q)
{
    pthread_mutex_lock(&q->lock);
    if (q->ring) reap(q, 0);
    zs_status st = take_error(q);
    pthread_mutex_unlock(&q->lock);
    return st;
}

unsigned char *zs__ioq_buffer(zs_ioq *q, zs_status *st)
{
    pthread_mutex_lock(&q->lock);
    int i = -1;
    while (q->err == ZS_OK) {
        for (i = 0; i < ZS_DIRECT_DEPTH && q->s[i].state != SLOT_FREE; i++) {}
        if (i < ZS_DIRECT_DEPTH) break;
        wait_change(q);
    }
    *st = take_error(q);
    unsigned char *b = NULL;
    if (*st == ZS_OK) {
        q->s[i].state = SLOT_FILLING;
        b = q->s[i].buf;
    }
    pthread_mutex_unlock(&q->lock);
    return b;
}

void zs__ioq_queue_write(zs_ioq *q, unsigned char *buf, zs_io_request r)
{
    pthread_mutex_lock(&q->lock);
    for (int i = 0; i < ZS_DIRECT_DEPTH; i++)
        if (q->s[i].buf == buf && q->s[i].state == SLOT_FILLING) {
            q->s[i].req = r;
            q->s[i].seq = q->next_seq++;
            q->s[i].state = SLOT_QUEUED;
            submit(q, i);
        }
    pthread_mutex_unlock(&q->lock);
}

zs_status zs__ioq_drain(zs_ioq *q)
{
    if (!q) return ZS_OK;
    pthread_mutex_lock(&q->lock);
    while (count_state(q, SLOT_QUEUED) + count_state(q, SLOT_BUSY) > 0) wait_change(q);
    zs_status st = take_error(q);
    pthread_mutex_unlock(&q->lock);
    return st;
}

int zs__ioq_queue_read(zs_ioq *q, zs_io_request r)
{
    pthread_mutex_lock(&q->lock);
    int i = 0;
    while (i < ZS_DIRECT_DEPTH && q->s[i].state != SLOT_FREE) i++;
    if (i < ZS_DIRECT_DEPTH) {
        q->s[i].req = r;
        q->s[i].seq = q->next_seq++;
        q->s[i].state = SLOT_QUEUED;
        submit(q, i);
    }
    pthread_mutex_unlock(&q->lock);
    return i < ZS_DIRECT_DEPTH;
}

/* The slot of the read numbered seq, or -1 when it is not queued (any more). Under lock. */
static int slot_of(const zs_ioq *q, uint64_t seq)
{
    for (int i = 0; i < ZS_DIRECT_DEPTH; i++)
        if (q->s[i].state != SLOT_FREE && q->s[i].seq == seq) return i;
    return -1;
}

zs_status zs__ioq_take_read(zs_ioq *q, zs_io_request want, const unsigned char **data, int *taken)
{
    pthread_mutex_lock(&q->lock);
    *taken = -1;
    int i = slot_of(q, q->take_seq);
    if (i < 0 || memcmp(&q->s[i].req, &want, sizeof want) != 0) {
        pthread_mutex_unlock(&q->lock);
        return ZS_OK; /* not foreseen: the caller drops the read-ahead */
    }
    while (q->s[i].state != SLOT_READY) wait_change(q);
    zs_status st = take_error(q);
    if (st == ZS_OK) {
        *data = q->s[i].data;
        *taken = i;
        q->s[i].state = SLOT_TAKEN;
    } else {
        q->s[i].state = SLOT_FREE;
    }
    q->take_seq++;
    pthread_mutex_unlock(&q->lock);
    return st;
}

void zs__ioq_release_read(zs_ioq *q, int taken)
{
    if (taken < 0) return;
    pthread_mutex_lock(&q->lock);
    q->s[taken].state = SLOT_FREE;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->lock);
}

void zs__ioq_drop_reads(zs_ioq *q)
{
    pthread_mutex_lock(&q->lock);
    for (;;) {
        for (int i = 0; i < ZS_DIRECT_DEPTH; i++)
            if (q->s[i].state == SLOT_QUEUED || q->s[i].state == SLOT_READY) q->s[i].state = SLOT_FREE;
        if (count_state(q, SLOT_BUSY) == 0) break;
        wait_change(q);
    }
    q->take_seq = q->next_seq;
    pthread_mutex_unlock(&q->lock);
}
