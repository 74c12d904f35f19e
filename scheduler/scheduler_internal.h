/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Scheduler internals: the pipeline body, the plan. */
#ifndef ZS_SCHEDULER_INTERNAL_H
#define ZS_SCHEDULER_INTERNAL_H

#include "zs_internal.h"

#include <stdatomic.h>
#include "zslab_kernel.h"

#define ZS_MAX_STAGES 32

typedef struct zs_stage {
    const zs_kernel_desc *k; /* static registry entry */
    void *params;            /* k->params_size bytes (owner: pipeline) */
    zs_halo halo;            /* from k->halo(params) */
} zs_stage;

struct zs_pipeline {
    atomic_int refs; /* 1 for the caller's handle + 1 per plan made from it; freed at 0 */
    int n;
    zs_stage st[ZS_MAX_STAGES];
    double voxel[3]; /* for physical units ("2um") */
    char unit[16];
    int has_voxel;
};

/** Plans hold a reference to their pipeline: zs_pipeline_free before zs_plan_free is safe, and
 *  a pipeline with plans refuses new stages. */
zs_pipeline *zs__pipeline_retain(const zs_pipeline *p);
void zs__pipeline_release(zs_pipeline *p);

/** A stage's float64 entry: run_f64 of an ABI-3 descriptor, NULL for ABI 2 (whose descriptors end
 *  before the field) or a kernel without one. */
static inline zs_status (*zs__kernel_run_f64(const zs_kernel_desc *k))(const zs_kernel_call *)
{
    return k->abi >= 3 ? k->run_f64 : NULL;
}

/** Stage i of a pipeline (for tests and the scheduler). */
const zs_stage *zs__pipeline_stage(const zs_pipeline *p, int i);
/** Registry self-check (kernels/registry.c). */
zs_status zs__kernel_registry_check(void);
/** Checks a kernel descriptor built outside the library: ABI, halo/run, parameter list (kernels/registry.c). */
zs_status zs__kernel_desc_check(const zs_kernel_desc *k);
/** The mode a scipy alias of a boundary mode stands for (grid-mirror, grid-constant, grid-wrap),
 *  or -1 (kernels/border.c). */
int zs__border_alias(const char *name);

/* ---- plan ---------------------------------------------------------------------------- */
/* Rows [a, b) of a plane (virtual rows: may lie outside [0, ny)). */
typedef struct zs_rows {
    int64_t a, b;
} zs_rows;

struct zs_plan {
    zs_volume_info in;  /* set by planner, read-only in workers */
    zs_volume_info out; /* output spec: shape of in, output dtype */
    zs_pipeline *pipe;  /* a reference (zs__pipeline_retain): the pipeline lives as long as the plan */
    int nstages;
    int threads;
    int bind;
    int64_t slab;               /* core planes per slab (the unit of distribution, journal, parts) */
    int64_t nslabs_per_vol;     /* slabs per 3-D volume of the series */
    int64_t nslabs;             /* total, all volumes of the series */
    int64_t run_slabs;          /* consecutive slabs a worker streams at once (halos recomputed per run) */
    int64_t halo_lo, halo_hi;   /* pipeline halo in z (sum of stages) */
    int64_t yhalo_lo, yhalo_hi; /* pipeline halo in y */
    /* Tiles: a band of output rows (all of x) streamed along z through per-stage rings. Ring k
     * holds stage k's input planes (ring 0: loaded from the file; ring n: the last stage's
     * output, stored at once); every ring plane holds tile_rows rows. */
    int64_t band;                      /* output rows per band */
    int64_t nbands;                    /* bands per plane */
    int whole_planes;                  /* the input is read plane by plane (decoded, C order) */
    int64_t tile_rows;                 /* most rows of a ring plane (|W| over the bands) */
    int64_t load_rows;                 /* most rows read from the file per plane */
    int64_t stage_rows[ZS_MAX_STAGES]; /* most rows of stage k's tile */
    int64_t batch[ZS_MAX_STAGES + 1];  /* output planes per call of stage k; [n]: the loader's */
    int64_t max_in[ZS_MAX_STAGES];     /* most input planes of one call of stage k */
    int64_t ring[ZS_MAX_STAGES + 1];   /* planes in ring k */
    size_t scratch;                    /* bytes of kernel scratch per worker */
    uint64_t ring_bytes;               /* rings (of work_size elements) per worker */
    uint64_t io_bytes;                 /* file-byte staging per worker */
    uint64_t worker_bytes;             /* everything a worker holds */
    uint64_t peak_bytes;               /* estimate for all workers */
    uint64_t mem_budget;
    int band_forced;                     /* --band */
    int whole_plane_output;              /* stores assemble a slab's planes (encoded outputs) */
    int64_t z_align;                     /* slabs start on multiples of it (a chunked output); >= 1 */
    uint64_t assembly_bytes;             /* that buffer, per worker */
    uint64_t writer_bytes;               /* the output format's own, per worker (zs_plan_opts) */
    zs_decode_cost decode;               /* what the input's format holds to decode planes */
    int threads_wanted;                  /* before the budget lowered them (decode costs) */
    zs_engine read_engine, write_engine; /* resolved: never AUTO */
    char engine_why[256];                /* why AUTO chose what it chose ("" without AUTO) */
    int engine_guessed[2];               /* AUTO chose the engine for reading [0], writing [1] */
    void *state[ZS_MAX_STAGES];          /* prepare()d kernel state (owner: plan) */
    zs_precision precision;              /* resolved: float32 or float64, never AUTO */
    int exact_ints;                      /* no stages, 32/64-bit integer input, no scaling: the work
                                            elements are the input integers (int64 or uint64) */
    size_t work_size;                    /* bytes of a work element: 4 (float) or 8 (double, int64) */
    zs_status (*run[ZS_MAX_STAGES])(const zs_kernel_call *); /* each stage's entry for the work type */
    char precision_why[256];                                 /* why (--dry-run) */
};

/* The rows of one band [y0, y1): V[k] are the rows of stage k's tile (its input, extended past
 * the volume by the stage's mode), load the real rows read from the file, W the hull of all,
 * which every ring plane of the band holds. */
typedef struct zs_band_geom {
    int64_t y0, y1;
    zs_rows V[ZS_MAX_STAGES];
    zs_rows load;
    zs_rows W;
} zs_band_geom;
void zs__band_geom(const zs_plan *p, int64_t y0, int64_t y1, zs_band_geom *g);
/* The planes produced into each ring for a run [z0, z1): prod[0] the planes loaded, prod[k] stage
 * k-1's output planes, prod[nstages] = [z0, z1), what the store writes. */
void zs__run_zranges(const zs_plan *p, int64_t z0, int64_t z1, zs_rows *prod);

void zs__plan_slab(const zs_plan *p, int64_t i, int64_t *t, int64_t *z0, int64_t *z1);
/* The most bytes one direct store request writes: rows of a band of one plane, or when the band is
 * the whole plane, zs__plan_store_planes() whole planes (one byte range either way). */
uint64_t zs__plan_store_bytes(const zs_plan *p);
/* Whole planes per direct store request: those of a batch of the last stage, at most
 * ZS_DIRECT_REQUEST bytes' worth (at least one). */
int64_t zs__plan_store_planes(const zs_plan *p);
/** The caller's parameters that a budget refusal under `opts` names (zs_error_detail.params):
 *  "mem_budget", and "band" when the caller set one. */
const char *zs__budget_params(const zs_plan_opts *opts);
/* ---- the direct engine's queues (direct_queue.c) ---------------------------------------
 * A worker's O_DIRECT requests, served by I/O threads of its own: ZS_DIRECT_DEPTH aligned buffers
 * and ZS_DIRECT_THREADS threads per queue (one queue for reads, one for writes). */
enum { ZS_DIRECT_DEPTH = 6, ZS_DIRECT_THREADS = 2 };
/* The least bytes a direct write request should carry: bands are made tall enough for it. */
#define ZS_DIRECT_REQUEST ((uint64_t)4 << 20)
typedef struct zs_io_request {
    int64_t t, z0, z1, y0, y1; /* rows [y0,y1) of planes [z0,z1) of volume t: one byte range */
} zs_io_request;
typedef struct zs_ioq zs_ioq;
/** Starts a queue of ZS_DIRECT_DEPTH buffers for requests of up to request_bytes, served by I/O
 *  threads, or with `ring` by an io_uring ring of the caller's (the uring engine). */
zs_status zs__ioq_start(const zs_dio *d, int write, size_t request_bytes, int ring, zs_ioq **out);
/** Ends the threads (queued writes are written first; read-ahead is dropped) and frees. NULL: no-op. */
void zs__ioq_stop(zs_ioq *q);
/** The first error an I/O thread met (ZS_OK when none), without waiting: a worker stops at once
 *  rather than after the reads queued ahead of the failed one. */
zs_status zs__ioq_check(zs_ioq *q);
/** Writes: a free aligned buffer (waits while none is); NULL with *st set when an earlier write
 *  failed. Fill it from zs__dio_place() on, then queue it. */
unsigned char *zs__ioq_buffer(zs_ioq *q, zs_status *st);
void zs__ioq_queue_write(zs_ioq *q, unsigned char *buf, zs_io_request r);
/** Writes: waits until every queued write is done; the first error of any. NULL: ZS_OK. */
zs_status zs__ioq_drain(zs_ioq *q);
/** Reads: queues a read ahead; 0 when every buffer is taken. */
int zs__ioq_queue_read(zs_ioq *q, zs_io_request r);
/** Reads: the oldest queued read, when it is `want`: waits for it and points *data at its bytes
 *  (*taken >= 0: release it after use). *taken = -1 when the oldest is another (or none): drop
 *  the read-ahead and queue `want` first. */
zs_status zs__ioq_take_read(zs_ioq *q, zs_io_request want, const unsigned char **data, int *taken);
void zs__ioq_release_read(zs_ioq *q, int taken);
/** Reads: forgets the read-ahead (waits for reads under way). */
void zs__ioq_drop_reads(zs_ioq *q);
/* ---- the uring engine's rings (engine_uring.c) -----------------------------------------
 * A queue's requests submitted to an io_uring ring and reaped by the worker that queued them
 * (one thread: no locking). Slots are the queue's indices [0, depth). */
typedef struct zs_ring zs_ring;
/** A ring for `depth` requests on d (writes or reads); ZS_EUNSUPPORTED (with a message) where the
 *  kernel refuses io_uring or zslab was built without it. */
zs_status zs__ring_new(const zs_dio *d, int write, int depth, zs_ring **out);
void zs__ring_free(zs_ring *r);
/** Submits slot's request on abuf (placed as zs__dio_place says); 0 when the ring does not take it
 *  (the caller does it with zs__dio_read / zs__dio_write). */
int zs__ring_submit(zs_ring *r, int slot, zs_io_request req, unsigned char *abuf);
/** The slot of a finished request, its status (its error set as this thread's message) and a
 *  read's bytes; -1 when none is finished (without `wait`) or none is under way. */
int zs__ring_reap(zs_ring *r, int wait, zs_status *st, const unsigned char **data);
/* Slabs one run takes when `todo` slabs are left to share among the workers. */
int64_t zs__plan_run_slabs(const zs_plan *p, int64_t todo);

/* ---- journal (journal.c, journal_files.c, journal_report.c) ------------------------- */
/** 1 if slab i is recorded by any part (read-only after zs_journal_attach: safe in workers). */
int zs__journal_done(const zs_journal *j, int64_t i);
/** fsync of a directory, so that a rename or a new entry in it survives a crash (journal.c). */
void zs__sync_dir(const char *dir);
/** A reduction's journal (docs/labels.md, "Parts and resume"): publishes or compares the header,
 *  with `reduction` (the reduction and its options) as one more compared key, and opens the
 *  part's file; no OUT.partial is created and zs_journal_finish renames nothing. The records
 *  (zs__record_put) live in zs__journal_dir(j). */
zs_status zs__journal_attach_records(zs_journal *j, const zs_plan *plan, const char *reduction);
/** The directory of a journal attached for records; NULL for a volume's journal. */
const char *zs__journal_dir(const zs_journal *j);
/** Slabs of the journal's job (its header's slab-count). */
int64_t zs__journal_slabs(const zs_journal *j);
/** 1 when OUT exists (finished). */
int zs__journal_output_exists(const zs_journal *j);
/** The finisher's lock (OUT.zsjournal/finishing, flock): *won 1 for one process at a time. */
zs_status zs__journal_claim_finish(zs_journal *j, int *won);
/** Called by a worker after slab i is stored. With a journal: makes the slab's output bytes
 *  durable (msync MS_SYNC of their range), then records the slab. With drop: flushes and
 *  drops the page-cache pages of the slab's output planes and of the input planes that no
 *  later slab reads. */
zs_status zs__slab_release(zs_journal *j, const zs_plan *p, const zs_volume *in, const zs_volume *out, int64_t i,
                           int drop);

/** What OUT.zsjournal/header says, in the form the readers need. */
typedef struct zs_jinfo {
    char dir[ZS_PATH_MAX + 16]; /* OUT.zsjournal */
    int64_t slab, nslabs, per_vol, nz, nt;
    char input[ZS_PATH_MAX];
    char pipeline[4096];
    char output_dtype[16], shape[96], version[32];
    int records; /* a reduction's journal: slab records, no OUT.partial (zs__journal_attach_records) */
} zs_jinfo;
/** Reads the header in `dir`. ZS_EIO with errno ENOENT-style message when there is none. */
zs_status zs__journal_read_info(const char *dir, zs_jinfo *info);
/** Records in dir/replaces the output a job replaces (ZS_JOURNAL_REPLACE): device, inode. */
zs_status zs__journal_replaced_write(const char *dir, const zs_file_id *id);
/** Reads dir/replaces into id; a zero id when the job replaces nothing. */
void zs__journal_replaced_read(const char *dir, zs_file_id *id);
/** 1 when OUT (not followed if a link) is the earlier file the job replaces. */
int zs__journal_is_replaced(const char *out, const zs_file_id *replaced);
/** 1 when OUT exists and is not the file the job replaces: the job's finished output. */
int zs__journal_out_finished(const char *out, const zs_file_id *replaced);
/** Calls fn for every valid record of every part file (torn or foreign lines are skipped). */
zs_status zs__journal_scan(const zs_jinfo *info, void (*fn)(void *user, int64_t part, int64_t nparts, int64_t slab),
                           void *user);
/** Slab i of a plan described by (slab height, planes per volume): volume t, core [z0,z1). */
void zs__journal_slab(const zs_jinfo *info, int64_t i, int64_t *t, int64_t *z0, int64_t *z1);

/** The fingerprint a journal's header compares, from the zslab version to the output's shape (not
 *  the slab height), as "key value" lines: what an output is made from (journal_files.c). A batch's
 *  record of a finished output is these lines (job.c). @param[out] text caller frees. */
zs_status zs__fingerprint_lines(const zs_plan *p, char **text);

#endif
