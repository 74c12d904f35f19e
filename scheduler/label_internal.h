/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Connected components: a slab's foreground as runs along x, labelled within the slab
 * (label_runs.c), and the pieces the two passes share (label.c). */
#ifndef ZS_LABEL_INTERNAL_H
#define ZS_LABEL_INTERNAL_H

#include "scheduler_internal.h"
#include "zslab_reduce.h"

/* A run of foreground voxels [xa, xb) in row `row` (y + ny * (z - z0) of the slab). */
typedef struct zs_lrun {
    int32_t xa, xb;
    uint32_t row;
    uint32_t lab; /* the slab's label, 1.. in the order of each fragment's first run */
} zs_lrun;

/* A slab's runs, in row order and along x within a row (owner: the caller, zs__lslab_free; a
 * zeroed struct to begin with, then built again and again: the arrays are kept and grown). */
typedef struct zs_lslab {
    int64_t nx, ny, h;
    zs_lrun *runs;
    uint64_t nruns, cap;
    uint64_t *row_start; /* ny * h + 1 entries: runs of row r are [row_start[r], row_start[r+1]) */
    uint32_t *parent;    /* union-find over runs */
    uint64_t *mask;      /* a row's foreground bits */
    uint64_t row_cap, parent_cap, mask_cap;
    uint32_t nlab; /* fragments of the slab */
} zs_lslab;

/* The foreground rule: value > threshold, or value != 0 (NaN is foreground). */
typedef struct zs_lrule {
    int has_threshold;
    double threshold;
} zs_lrule;

/* Runs of the slab's foreground, labelled with `connectivity` (6, 18, 26) inside the slab. */
zs_status zs__lslab_build(const zs_reduce_slab *s, zs_lrule rule, int connectivity, zs_lslab *out);
void zs__lslab_free(zs_lslab *l);

/* Calls join(user, a, b) for each pair of runs of two neighbouring planes that touch: runs
 * `prev` (plane z - 1) and `cur` (plane z), each sorted by row (y) then x; a and b index them. */
typedef zs_status (*zs_ljoin_fn)(void *user, uint64_t a, uint64_t b);
zs_status zs__lface_join(const zs_lrun *prev, uint64_t np, const zs_lrun *cur, uint64_t nc, int64_t ny,
                         int connectivity, zs_ljoin_fn join, void *user);

/* What the table shows of component k (0-based, in label order): label.c to label_table.c. */
typedef struct zs_label_row {
    uint64_t count;
    double s[3];             /* sums of the coordinates */
    int64_t lo[3], hi[3];    /* bounding box, inclusive */
    double isum, imin, imax; /* intensities */
    double vmax;             /* the largest work value (the stages' output) */
} zs_label_row;
void zs__label_row(const zs_labeling *l, uint64_t k, zs_label_row *r);
const zs_plan *zs__label_plan(const zs_labeling *l);
/* Micrometres per unit of a voxel size (um, mm, nm); 0 when its unit does not convert. */
double zs__um_per_unit(const zs_volume_info *in);
int zs__label_has_table(const zs_labeling *l);

/* Pass 1 in steps (label.c), for parts (label_parts.c): a labeling with nothing counted; the
 * reduction over the plan's slabs (with a journal: the part's range, records on disk, no
 * merge); one slab's record merged (slabs in order 0, 1, ...); the numbering, after the last
 * merge (st: the steps' status; the numbering runs only when it is ZS_OK). */
zs_status zs__label_new(const zs_plan *plan, const zs_volume *in, const zs_label_opts *opts, zs_labeling **out);
zs_status zs__label_pass1(zs_labeling *L, zs_journal *j);
zs_status zs__label_merge(void *user, int64_t slab, const void *record, size_t size);
zs_status zs__label_finish(zs_labeling *L, zs_status st);
/* The numbering of the array numpy's readers make of the input (ZS_NUMBER_XYZ or _ZYX). */
zs_label_numbering zs__label_auto_numbering(const zs_volume *in);

#endif
