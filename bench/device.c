/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* What the storage can do, for `zslab bench --cold`: direct (O_DIRECT) writes alone, reads alone,
 * and reads and writes together in the job's proportion, on the file system the benchmark writes
 * to. A cold job cannot beat the last of these for its bytes: that is its device bound.
 *
 * Reads and writes are measured together because on many machines they share one device (a
 * virtual disk, a single SSD): alone each may be fast while the two at once, which is what a
 * filter does, take the sum. Requests of 4 MiB, four in flight per direction (as the direct
 * engine keeps them), into preallocated files, so that the figures are the device's and not the
 * allocator's. The probe's files are
 * hidden, beside the benchmark's output, and removed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_DIRECT */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_internal.h"

#define REQ       ((size_t)4 << 20)
#define PROBE_MAX ((uint64_t)512 << 20)
#define PROBE_MIN ((uint64_t)16 << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One thread of one direction: requests first, first + step, ... of `bytes` read from or written
 * to fd, 4 MiB each; DEPTH threads per direction keep DEPTH requests in flight, as the direct
 * engine's I/O threads do (two workers, two threads each). */
#define DEPTH 4
typedef struct stream {
    int fd, write;
    uint64_t bytes, first, step;
    void *buf; /* REQ bytes, aligned */
    int err;   /* errno of the first failure, or -1 for a short transfer */
} stream;

static void *run_stream(void *arg)
{
    stream *s = arg;
    for (uint64_t off = s->first * REQ; off < s->bytes && !s->err;) {
        const size_t n = s->bytes - off < REQ ? (size_t)(s->bytes - off) : REQ;
        const ssize_t r = s->write ? pwrite(s->fd, s->buf, n, (off_t)off) : pread(s->fd, s->buf, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r != (ssize_t)n) s->err = r < 0 ? errno : -1;
        off += s->step * REQ;
    }
    return NULL;
}

static int open_probe(const char *path, uint64_t size, char *why, size_t wn)
{
    const int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_DIRECT | O_CLOEXEC, 0600);
    const int oe = errno;
    /* The name goes at once (the descriptor keeps the file): nothing is left behind by a probe that
     * is interrupted or killed. A file system that refuses O_DIRECT may have created it first;
     * EEXIST is somebody else's file, kept. */
    if (fd >= 0 || oe != EEXIST) (void)unlink(path);
    if (fd < 0) {
        snprintf(why, wn, "%s: %s", path,
                 oe == EINVAL ? "the file system refuses O_DIRECT (tmpfs?): no device to measure" : strerror(oe));
        return -1;
    }
    const int e = posix_fallocate(fd, 0, (off_t)size);
    if (e != 0 && e != EOPNOTSUPP && e != EINVAL) {
        snprintf(why, wn, "%s: cannot reserve %llu MiB for the probe: %s", path, (unsigned long long)(size >> 20),
                 strerror(e));
        close(fd);
        return -1;
    }
    return fd;
}

/* Runs the n streams at once, one thread each, then syncs what they wrote; seconds, or -1 with
 * `why` set. */
static double timed(stream *s, int n, char *why, size_t wn)
{
    pthread_t t[2 * DEPTH];
    int started = 0;
    const double t0 = now();
    for (; started < n; started++)
        if (pthread_create(&t[started], NULL, run_stream, &s[started]) != 0) break;
    for (int i = started; i < n; i++) run_stream(&s[i]); /* any not started, here */
    for (int i = 0; i < started; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < n; i++)
        if (!s[i].err && s[i].write && (i == 0 || s[i].fd != s[i - 1].fd) && fdatasync(s[i].fd) != 0) s[i].err = errno;
    const double secs = now() - t0;
    for (int i = 0; i < n; i++)
        if (s[i].err) {
            snprintf(why, wn, "a direct %s failed: %s", s[i].write ? "write" : "read",
                     s[i].err > 0 ? strerror(s[i].err) : "short transfer");
            return -1;
        }
    return secs;
}

/* DEPTH streams of one direction into s[at..at+DEPTH): bytes of fd, buffers from bufs. */
static void direction(stream *s, int at, int fd, int write, uint64_t bytes, void **bufs)
{
    for (int k = 0; k < DEPTH; k++) s[at + k] = (stream){fd, write, bytes, (uint64_t)k, DEPTH, bufs[at + k], 0};
}

/* Rounded up to whole pages, as O_DIRECT asks. */
static uint64_t pages(uint64_t b) { return (b + 4095) & ~(uint64_t)4095; }

static int probe(const char *a, const char *b, uint64_t in_bytes, uint64_t out_bytes, zs_bench_device *d)
{
    const uint64_t job = in_bytes + out_bytes;
    const uint64_t total = job < PROBE_MIN ? PROBE_MIN : job > PROBE_MAX ? PROBE_MAX : job;
    const uint64_t rc = pages((uint64_t)((double)total * (double)in_bytes / (double)(job ? job : 1)));
    const uint64_t wc = pages(total - (rc < total ? rc : total));
    const uint64_t alone = pages(total);
    void *buf[2 * DEPTH] = {NULL};
    int fa = -1, fb = -1, ok = 0;
    for (int k = 0; k < 2 * DEPTH; k++)
        if (posix_memalign(&buf[k], 4096, REQ) != 0) {
            buf[k] = NULL;
            snprintf(d->why, sizeof d->why, "out of memory for the probe's buffers");
            goto done;
        } else
            memset(buf[k], 0x5a, REQ); /* not zeros: some storage stores zeros for free */
    if ((fa = open_probe(a, alone > rc ? alone : rc, d->why, sizeof d->why)) < 0) goto done;
    if ((fb = open_probe(b, wc ? wc : 4096, d->why, sizeof d->why)) < 0) goto done;
    stream s[2 * DEPTH];
    direction(s, 0, fa, 1, alone, buf);
    const double tw = timed(s, DEPTH, d->why, sizeof d->why);
    direction(s, 0, fa, 0, alone, buf);
    const double tr = tw < 0 ? -1 : timed(s, DEPTH, d->why, sizeof d->why);
    direction(s, 0, fa, 0, rc, buf);
    direction(s, DEPTH, fb, 1, wc, buf);
    const double tc = tr < 0 ? -1 : timed(s, 2 * DEPTH, d->why, sizeof d->why);
    if (tc <= 0) goto done;
    d->probe_bytes = alone;
    d->write_bps = (double)alone / tw;
    d->read_bps = (double)alone / tr;
    d->together_read = rc;
    d->together_written = wc;
    d->together_bps = (double)(rc + wc) / tc;
    d->job_s = (double)job / d->together_bps;
    ok = 1;
done:
    if (fa >= 0) close(fa); /* their names went when they were opened */
    if (fb >= 0) close(fb);
    for (int k = 0; k < 2 * DEPTH; k++) free(buf[k]);
    return ok;
}

void zs__bench_device(const char *dir, uint64_t in_bytes, uint64_t out_bytes, zs_bench_device *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->dir, sizeof d->dir, "%s", dir);
    d->job_read = in_bytes;
    d->job_written = out_bytes;
    char a[sizeof d->dir + 64], b[sizeof d->dir + 64];
    snprintf(a, sizeof a, "%s/.zslab-device-%ld-a", dir, (long)getpid());
    snprintf(b, sizeof b, "%s/.zslab-device-%ld-b", dir, (long)getpid());
    d->measured = probe(a, b, in_bytes, out_bytes, d);
}
