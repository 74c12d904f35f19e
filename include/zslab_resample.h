/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/** @file zslab_resample.h
 * @brief Resampling a volume to another voxel size, shape or zoom factor in one streaming pass.
 * NOT YET STABLE: names and structs may change before 1.0.
 *
 * Resampling is separable: output plane k is a weighted sum of input planes, each resampled in
 * x and y with per-axis tables of (input index, weight). It runs as a reduction
 * (zslab_reduce.h) after the plan's stages: each slab's planes are summed, weighted, into the
 * output planes they touch; a plane whose z-window lies inside the slab is written by the
 * worker, the partial sums of planes across a slab's seam are added in slab order by the merge.
 * Sums are in double, so `linear` equals scipy.ndimage.zoom(order=1, mode='nearest',
 * grid_mode=True) within the output type's rounding; `nearest` copies the plan's work elements
 * (int64 / uint64 for 32 and 64-bit integers without stages), so labels stay exact.
 *
 * Cell tables (positions of `in`) go to the output grid with zs_resample_point, and are counted
 * per output voxel with zs_resample_density.
 *
 * Call order: zs_resample_spec (shape and voxel size of the output, every refusal before
 * anything is read) → zs_resample_plan → zs_volume_create with that spec → zs_resample_run →
 * zs_volume_commit.
 */
#ifndef ZSLAB_RESAMPLE_H
#define ZSLAB_RESAMPLE_H

#include "zslab.h"

#ifdef __cplusplus
extern "C" {
#endif

/** \defgroup resample Resampling (not yet stable)
 * @{ */
typedef enum zs_resample_method {
    ZS_RESAMPLE_AUTO = 0, /**< area when no axis grows, else linear */
    ZS_RESAMPLE_AREA,     /**< mean over each output voxel's footprint, weighted by overlap (OpenCV INTER_AREA);
                               shrinking only */
    ZS_RESAMPLE_LINEAR,   /**< scipy.ndimage.zoom(order=1, mode='nearest', grid_mode=True) */
    ZS_RESAMPLE_NEAREST,  /**< scipy.ndimage.zoom(order=0, mode='nearest', grid_mode=True), exact for any dtype */
    ZS_RESAMPLE_ANTIALIAS /**< a Gaussian of sigma (1/zoom - 1)/2 on each shrunk axis (mode mirror), then
                               linear: skimage.transform.resize(order=1, anti_aliasing=True) */
} zs_resample_method;

typedef enum zs_resample_target {
    ZS_TARGET_VOXEL = 0, /**< voxel[3] (and unit): the output's voxel size */
    ZS_TARGET_SHAPE,     /**< shape[3]: the output's extents */
    ZS_TARGET_FACTOR     /**< factor[3]: zoom factors, output extent = round(input extent * factor) */
} zs_resample_target;

typedef struct zs_resample_opts {
    size_t struct_size;        /**< sizeof the struct: set by zs_resample_opts_default() */
    zs_resample_method method; /**< default AUTO */
    zs_resample_target target; /**< which of voxel, shape, factor is given */
    double voxel[3];           /**< ZS_TARGET_VOXEL: x, y, z */
    char unit[16];             /**< its unit (nm, um, mm, m); "": the input's unit (or voxels without one) */
    int64_t shape[3];          /**< ZS_TARGET_SHAPE: x, y, z */
    double factor[3];          /**< ZS_TARGET_FACTOR: x, y, z (0.5 halves an axis) */
    volatile int *stop;        /**< optional: set non-zero to stop zs_resample_run (ZS_ECANCELED) */
} zs_resample_opts;
ZS_API void zs_resample_opts_default(zs_resample_opts *o);

/** "area", "linear", "nearest", "antialias" (and "auto"). @return ZS_EINVAL naming the choices. */
ZS_API zs_status zs_resample_method_parse(const char *s, zs_resample_method *out);
ZS_API const char *zs_resample_method_name(zs_resample_method m);
/** The method that resampling `in` with `o` uses: o->method, AUTO resolved (area when no axis
 *  grows, else linear); AUTO when zs_resample_spec refuses the options. */
ZS_API zs_resample_method zs_resample_method_used(const zs_volume_info *in, const zs_resample_opts *o);

/** The output of resampling `in`: sets spec->shape[0..2] (extent = round half to even of
 *  extent * zoom, as scipy), spec->voxel (the input's extent over the output's count, per axis)
 *  and spec->unit; leaves the rest of spec (dtype, ...) as the caller filled it. Refuses, with
 *  ZS_EINVAL and a message naming the parameter: zero, negative or non-finite sizes, shapes or
 *  factors, an axis that would have no voxel, `area` with an axis that grows, a unit on a
 *  volume without a voxel size, an unknown unit, a series of volumes. */
ZS_API zs_status zs_resample_spec(const zs_volume_info *in, const zs_resample_opts *o, zs_volume_info *spec);

/** Plans `in` through `pipe` for resampling: whole-plane bands, and (opts->slab 0) the tallest
 *  slab whose planes and the resampling's per-worker buffers keep within the memory budget.
 *  With ZS_RESAMPLE_ANTIALIAS a Gaussian stage is appended to `pipe` (which is modified).
 *  @param[out] out caller frees with zs_plan_free. */
ZS_API zs_status zs_resample_plan(const zs_volume_info *in, zs_pipeline *pipe, const zs_plan_opts *opts,
                                  const zs_resample_opts *ro, zs_plan **out);

/** Resamples `in` through the plan's stages into `out` (created with zs_resample_spec's shape,
 *  writable; its dtype is the output's: integers round half to even and saturate, as filter).
 *  Memory beyond the plan's: per worker the input's rows resampled in x (doubles, the output's
 *  width) and a few output planes; partial planes of the slabs' seams (a few output planes). */
ZS_API zs_status zs_resample_run(const zs_plan *plan, const zs_volume *in, const zs_resample_opts *ro, zs_volume *out,
                                 zs_run_stats *stats);
/** Position p of `in` (voxel coordinates: voxel centres at 0, 1, ..., as the label table's
 *  centroid_x/y/z) in the grid of the output `out` (zs_resample_spec's): q = (p + 0.5) n_out / n_in
 *  - 0.5 per axis, the inverse of where linear and nearest sample. */
ZS_API void zs_resample_point(const zs_volume_info *in, const zs_volume_info *out, const double p[3], double q[3]);

/** ZS_OK when each of the n positions xyz[3 i .. 3 i + 2] lies inside `in`'s extent, [-0.5, n - 0.5]
 *  along each axis (a position outside, or not a number, is ZS_EINVAL naming it and the volume: a
 *  table measured in another volume). */
ZS_API zs_status zs_resample_check_points(const zs_volume_info *in, const double *xyz, size_t n);

/** Counts the n positions xyz[3 i .. 3 i + 2] (of `in`, as zs_resample_point's) per voxel of `out`
 *  (created with zs_resample_spec's shape; its dtype holds the counts, saturated): ClearMap's
 *  voxelisation, numpy.histogramdd of the positions with bin edges k n_in / n_out - 0.5 along
 *  each axis (the last bin closed). Positions are checked first (zs_resample_check_points), before
 *  anything is written. Memory: 4 bytes per output voxel. */
ZS_API zs_status zs_resample_density(const zs_volume_info *in, const double *xyz, size_t n, zs_volume *out);
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* ZSLAB_RESAMPLE_H */
