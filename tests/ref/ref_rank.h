/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Naive references for the box kernels (minimum, maximum, median, percentile, grey
 * morphology): the window of every voxel gathered with ref_border_index per axis, written
 * the plain way, for small volumes in tests. Volumes are float32, F order (x fastest). */
#ifndef ZS_REF_RANK_H
#define ZS_REF_RANK_H

#include <stdint.h>

#include "zslab_kernel.h"

/** The box of scipy's size s placed at s//2 (lo = s//2, hi = s-1-s//2), or mirrored as
 *  grey_dilation places it (lo and hi swapped). */
typedef struct zs_ref_box {
    int64_t lo[3], hi[3];
} zs_ref_box;
void zs_ref_box_of(const int64_t size[3], int mirrored, zs_ref_box *b);

/** out = the value of rank `rank` (0 = smallest) of each window, found by qsort. Each axis a is
 *  extended by mode[a] (x y z); voxels outside the volume are cval for mode=constant. */
void zs_ref_rank(const float *in, int64_t nx, int64_t ny, int64_t nz, const zs_ref_box *b, int64_t rank,
                 const zs_border mode[3], float cval, float *out);

/** out = minimum (is_max = 0) or maximum of each window. */
void zs_ref_minmax(const float *in, int64_t nx, int64_t ny, int64_t nz, const zs_ref_box *b, int is_max,
                   const zs_border mode[3], float cval, float *out);

typedef enum zs_ref_morph_op {
    ZS_REF_OPENING,
    ZS_REF_CLOSING,
    ZS_REF_WHITE_TOPHAT,
    ZS_REF_BLACK_TOPHAT
} zs_ref_morph_op;

/** scipy.ndimage grey morphology with a flat box of `size`: erosion = minimum over the box,
 *  dilation = maximum over the mirrored box, each extending its own input by the mode. */
void zs_ref_morph(const float *in, int64_t nx, int64_t ny, int64_t nz, const int64_t size[3], zs_ref_morph_op op,
                  const zs_border mode[3], float cval, float *out);

/** scipy's rank for percentile p of a window of n voxels (_rank_filter). */
int64_t zs_ref_percentile_rank(double p, int64_t n);

#endif
