/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Scheduler internals: the pipeline body, the plan, topology. */
#ifndef ZS_SCHEDULER_INTERNAL_H
#define ZS_SCHEDULER_INTERNAL_H

#include "zs_internal.h"
#include "zslab_kernel.h"

#define ZS_MAX_STAGES 32

typedef struct zs_stage {
    const zs_kernel_desc *k; /* static registry entry */
    void *params;            /* k->params_size bytes (owner: pipeline) */
    zs_halo halo;            /* from k->halo(params) */
} zs_stage;

struct zs_pipeline {
    int n;
    zs_stage st[ZS_MAX_STAGES];
    double voxel[3]; /* for physical units ("2um") */
    char unit[16];
    int has_voxel;
};

/** Stage i of a pipeline (for tests and the scheduler). */
const zs_stage *zs__pipeline_stage(const zs_pipeline *p, int i);
/** Registry self-check (kernels/registry.c). */
zs_status zs__kernel_registry_check(void);

/* ---- plan ---------------------------------------------------------------------------- */
struct zs_plan {
    zs_volume_info in;       /* set by planner, read-only in workers */
    zs_volume_info out;      /* output spec: shape of in, output dtype */
    const zs_pipeline *pipe; /* borrowed: must outlive the plan */
    int nstages;
    int threads;
    int bind;
    int64_t slab;             /* core planes per slab */
    int64_t nslabs_per_vol;   /* slabs per 3-D volume of the series */
    int64_t nslabs;           /* total, all volumes of the series */
    int64_t halo_lo, halo_hi; /* pipeline halo in z (sum of stages) */
    int64_t max_planes;       /* most planes any stage buffer holds for one slab */
    size_t scratch;           /* bytes of kernel scratch per worker */
    uint64_t buffer_bytes;    /* float32 work buffers per worker */
    uint64_t map_bytes;       /* bytes mapped per worker (input + output windows) */
    uint64_t peak_bytes;      /* estimate for all workers */
    uint64_t mem_budget;
    zs_engine read_engine, write_engine; /* resolved: never AUTO */
};

/** The z-range of slab i: volume t, core [z0,z1). */
void zs__plan_slab(const zs_plan *p, int64_t i, int64_t *t, int64_t *z0, int64_t *z1);

/* ---- journal (journal.c, journal_report.c) ------------------------------------------ */
/** 1 if slab i is recorded by any part (read-only after zs_journal_attach: safe in workers). */
int zs__journal_done(const zs_journal *j, int64_t i);
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
} zs_jinfo;
/** Reads the header in `dir`. ZS_EIO with errno ENOENT-style message when there is none. */
zs_status zs__journal_read_info(const char *dir, zs_jinfo *info);
/** Calls fn for every valid record of every part file (torn or foreign lines are skipped). */
zs_status zs__journal_scan(const zs_jinfo *info, void (*fn)(void *user, int64_t part, int64_t nparts, int64_t slab),
                           void *user);
/** Slab i of a plan described by (slab height, planes per volume): volume t, core [z0,z1). */
void zs__journal_slab(const zs_jinfo *info, int64_t i, int64_t *t, int64_t *z0, int64_t *z1);

/* ---- topology (topology.c) --------------------------------------------------------- */
typedef struct zs_topology_facts {
    int cores;       /* cores this process may use */
    int pus;         /* hardware threads this process may use */
    uint64_t l2, l3; /* bytes per core / shared (0 unknown) */
    int numa_nodes;
} zs_topology_facts;
void zs__topology_facts(zs_topology_facts *f);
/** Binds the calling thread to the i-th allowed core (no-op without hwloc). */
void zs__topology_bind_thread(int i);

#endif
