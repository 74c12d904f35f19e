/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Cells (detect.c) and their tables (detect_table.c). */
#ifndef ZS_DETECT_INTERNAL_H
#define ZS_DETECT_INTERNAL_H

#include "label_internal.h"
#include "zslab_detect.h"

typedef struct zs_cell {
    double pos[3];    /* the plateau's centroid, voxels x y z */
    uint64_t size;    /* plateau voxels */
    double value;     /* f at the maximum */
    double intensity; /* the intensity volume's largest value on the plateau */
} zs_cell;

struct zs_cells {
    zs_cell *c; /* n cells, in the order of their first voxel (z, y, x) */
    uint64_t n;
    double um[3]; /* micrometres per voxel along x y z; 0: the input has no such voxel size */
};

#endif
