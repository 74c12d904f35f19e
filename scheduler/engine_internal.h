/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The I/O engines behind one interface: how a worker's loads reach ring 0 and its stores reach the
 * output. The executor (run.c) calls only these operations; each engine is one file
 * (engine_pread.c, engine_mmap.c, engine_direct.c, engine_uring.c) and one row of the table in
 * engine.c.
 *
 * Two levels:
 *  - a side (zs_engine_side): one volume in one direction for the whole run, opened once by
 *    zs__engine_open (the direct engine opens its O_DIRECT descriptor there); an engine that
 *    cannot serve the volume falls back with a note (to the engine its open() names, else pread);
 *  - a stream (void *): a worker's own state for one side (staging buffers, queues, mappings),
 *    from start() to stop(); only its worker touches it.
 * A request is rows [y0,y1) of planes [z0,z1) of volume t (zs_io_request). The engine splits it
 * as it likes and hands the bytes over plane by plane or several planes at once: reads to `use`
 * (the rows of consecutive planes one after the other), writes from `fill` (which converts into
 * the destination the engine gives). An engine that maps calls them under a fault guard. */
#ifndef ZS_ENGINE_INTERNAL_H
#define ZS_ENGINE_INTERNAL_H

#include "scheduler_internal.h"

/** Reads: planes [z, z+n) of the request's rows, packed, at src (borrowed for the call). */
typedef void (*zs_engine_use)(void *arg, const unsigned char *src, int64_t z, int64_t n);
/** Writes: converts planes [z, z+n) of the request's rows into dst, packed. */
typedef void (*zs_engine_fill)(void *arg, unsigned char *dst, int64_t z, int64_t n);

typedef struct zs_engine_ops zs_engine_ops;

/** One volume in one direction for a run (set up by zs__engine_open, read-only in workers). */
typedef struct zs_engine_side {
    const zs_engine_ops *ops;  /* the engine that serves it (after any fallback) */
    zs_engine reported;        /* the engine the run stats name */
    const zs_volume *v;        /* borrowed: the job's volume */
    zs_volume *out;            /* the same, writable: the output side only (else NULL) */
    int write;                 /* the output side */
    void *shared;              /* the engine's run-wide state (owner: the engine, ended by close) */
    const zs_engine_ops *next; /* set by an open() that refuses: the engine to try instead (NULL: pread) */
} zs_engine_side;

struct zs_engine_ops {
    zs_engine id;
    const char *name;                    /* as --engine spells it */
    const char *alias;                   /* another spelling it accepts, or NULL */
    int maps;                            /* hands out the file's pages in place: the volume must map */
    int depth;                           /* staging buffers per worker and direction the planner sizes for */
    uint64_t min_request;                /* bytes a request should carry at least (0: any): bands grow to it */
    int ring;                            /* direct's queues served by an io_uring ring, not I/O threads */
    int (*possible)(const zs_volume *v); /* NULL: every volume; else what it can take at all */
    /** Run-wide set-up of a side; ZS_EUNSUPPORTED (with a message) to fall back to s->next, or to
     *  pread. NULL: none. */
    zs_status (*open)(zs_engine_side *s);
    void (*close)(zs_engine_side *s);
    /** A worker's stream for the side, with staging for the plan's largest request. */
    zs_status (*start)(const zs_engine_side *s, const zs_plan *p, void **stream);
    void (*stop)(void *stream); /* queued writes are written first; NULL stream: no-op */
    /** Reads: the band's loads to come, rows [y0,y1) of planes [z0,z1) in requests of `batch`
     *  planes (whole planes) or one (part of the rows). NULL: no read-ahead. */
    void (*band)(void *stream, zs_io_request span, int64_t batch);
    zs_status (*read)(void *stream, zs_io_request r, zs_engine_use use, void *arg);
    zs_status (*write)(void *stream, zs_io_request r, zs_engine_fill fill, void *arg);
    /** The first error of I/O under way (an input that shrank, a failed write). NULL: none. */
    zs_status (*check)(void *stream);
    /** Writes: waits until every write handed over is done (before slabs are synced and recorded). */
    zs_status (*drain)(void *stream);
};

extern const zs_engine_ops zs__engine_pread, zs__engine_mmap, zs__engine_direct, zs__engine_uring;

/* The direct engine's operations on an open side (its zs_dio in s->shared), which the uring
 * engine shares: only their queues differ (ops->ring). */
void zs__direct_close(zs_engine_side *s);
zs_status zs__direct_start(const zs_engine_side *s, const zs_plan *p, void **stream);
void zs__direct_stop(void *stream);
void zs__direct_band(void *stream, zs_io_request span, int64_t batch);
zs_status zs__direct_read(void *stream, zs_io_request r, zs_engine_use use, void *arg);
zs_status zs__direct_write(void *stream, zs_io_request r, zs_engine_fill fill, void *arg);
zs_status zs__direct_check(void *stream);
zs_status zs__direct_drain(void *stream);

/** The table's entry for id (AUTO and unknown ids: NULL). */
const zs_engine_ops *zs__engine_get(zs_engine id);
/** Opens the side of the input `in` (reads) or of the output `out` (writes; the other NULL) with
 *  engine id. `guessed`: the planner's automatic
 *  choice (a volume the engine cannot take at all falls back without a note). A fallback's reason
 *  is appended to note. */
zs_status zs__engine_open(zs_engine id, const zs_volume *in, zs_volume *out, int guessed, zs_engine_side *s, char *note,
                          size_t note_size);
void zs__engine_close(zs_engine_side *s);
/** Starts a worker's stream on an open side (*stream = NULL when the side has no volume). */
zs_status zs__engine_start(const zs_engine_side *s, const zs_plan *p, void **stream);
void zs__engine_stop(const zs_engine_side *s, void **stream);

/* Staging sizes the engines share: the file bytes of one load request (a batch of the band's
 * loaded rows) and of one stored band-plane. */
size_t zs__engine_load_bytes(const zs_plan *p);
size_t zs__engine_band_bytes(const zs_plan *p);
/** Writes the request one band-plane at a time: fill(buf), then zs__volume_write (pwrite, or the
 *  format's path); buf holds zs__engine_band_bytes. */
zs_status zs__engine_pwrite(zs_volume *out, zs_io_request r, unsigned char *buf, zs_engine_fill fill, void *arg);
/** Calls fn(arg) under the fault guard: ZS_OK, or the error naming v when its mapping faulted
 *  (`what`: "read", "write"). */
zs_status zs__engine_guarded(const zs_volume *v, const char *what, void (*fn)(void *), void *arg);

#endif
