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
    double voxel[3];          /* for physical units ("2um") */
    char unit[16];
    int has_voxel;
};

/** Stage i of a pipeline (for tests and the scheduler). */
const zs_stage *zs__pipeline_stage(const zs_pipeline *p, int i);
/** Registry self-check (kernels/registry.c). */
zs_status zs__kernel_registry_check(void);

/* ---- plan ---------------------------------------------------------------------------- */
struct zs_plan {
    zs_volume_info in;        /* set by planner, read-only in workers */
    zs_volume_info out;       /* output spec: shape of in, output dtype */
    const zs_pipeline *pipe;  /* borrowed: must outlive the plan */
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

/* ---- topology (topology.c) --------------------------------------------------------- */
typedef struct zs_topology_facts {
    int cores;           /* cores this process may use */
    int pus;             /* hardware threads this process may use */
    uint64_t l2, l3;     /* bytes per core / shared (0 unknown) */
    int numa_nodes;
} zs_topology_facts;
void zs__topology_facts(zs_topology_facts *f);
/** Binds the calling thread to the i-th allowed core (no-op without hwloc). */
void zs__topology_bind_thread(int i);

#endif
