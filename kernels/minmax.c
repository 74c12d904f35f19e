/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Minimum and maximum over a box (scipy.ndimage minimum_filter / maximum_filter), and the
 * separable engine that rank.c and morphology.c reuse.
 *
 * A box minimum is three 1-D minima, one per axis, and since min is exact the order of the
 * passes does not change a bit; z goes first so that the x and y passes run on the n_out
 * output planes only. Each pass costs O(1) per voxel whatever the size (van Herk /
 * Gil-Werman): cut the extended line into blocks of s; a window [r, r+s-1] is the suffix
 * of its first block from r joined with the prefix of the next block up to r+s-1.
 *   z: whole planes, vectorised along the plane in tiles; the sequence is the planes
 *      zs_kcall_tap would return (cval tile for mode=constant outside the volume), and the
 *      block starts are aligned to absolute z so a voxel's arithmetic never depends on
 *      where its slab starts (bitwise equal even with NaN or signed zeros).
 *   y: the same on rows of one plane, vectorised along x.
 *   x: each row extended by the mode into scratch; up to SMALL_X a vectorised doubling
 *      (min over 1, 2, 4, ... then two overlapping powers of two), else van Herk.
 * Small z and y sizes take the direct s-1 operations, cheaper than van Herk's three. */
#include "minmax_internal.h"

#include <math.h>
#include <string.h>

enum {
    TILE = 1024,   /* floats per vector tile in the z and y passes */
    SMALL_SEQ = 4, /* direct combination in z and y up to this size */
    SMALL_X = 32   /* doubling along x up to this size */
};

#define OPMIN(a, b) ((a) < (b) ? (a) : (b))
#define OPMAX(a, b) ((a) > (b) ? (a) : (b))

typedef struct mm_layout {
    size_t eptr, q, rows, tiles, mask, total; /* byte offsets of the parts, and the total */
    int64_t neptr;
} mm_layout;

/* ---- the NaN rule (docs/design.md): a window that holds a NaN gives NaN: see minmax_impl.h */
size_t zs__nan_mask_bytes(int64_t nx, int64_t ny) { return zs__align64(zs__sat_mul(2, (size_t)(nx * ny))); }

/* A window longer than its axis: when every window reaches past both ends of the line (of n
 * voxels), it holds every value of the line (and cval in constant mode) whatever its length, so
 * [i - (n-1), i + (n-1)] (constant: n, to reach cval on both sides) selects the same values.
 * The same minimum or maximum at a cost that no longer grows with the size (a size of 10001 over a
 * few dozen voxels was 30 s). */
static zs_box box_clamped(const zs_kernel_call *c, const zs_box *b, const zs_border mode[3])
{
    const int64_t n[3] = {c->nx, c->ny_vol, c->nz};
    zs_box r = *b;
    for (int a = 0; a < 3; a++) {
        const int64_t k = mode[a] == ZS_BORDER_CONSTANT ? n[a] : n[a] - 1;
        if (k >= 0 && b->lo[a] >= k && b->hi[a] >= k) r.lo[a] = r.hi[a] = k;
    }
    return r;
}

/* ---- the engine, once per work type ------------------------------------------------------ */
#define ZS_WORK_IMPL "minmax_impl.h"
#include "work_types.h"

/* ---- the two kernels ----------------------------------------------------------------- */
static const zs_param_desc box_params[] = {ZS_BOX_SIZE_PARAM(zs_kbox), ZS_NBHD_PARAMS(zs_kbox)};

static void box_halo(const void *params, zs_halo *h) { zs__box_halo(params, h); }

static size_t box_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    zs_box b;
    zs__box_window(params, 0, &b);
    return zs__minmax_scratch(&b, nx, ny, max_in);
}

static zs_status box_run(const zs_kernel_call *c, int is_max, int f64)
{
    const zs_kbox *p = c->params;
    zs_box b;
    zs__box_window(p, 0, &b);
    const zs_border mode[3] = {(zs_border)p->nb.mode[0], (zs_border)p->nb.mode[1], (zs_border)p->nb.mode[2]};
    if (f64) return zs__minmax_apply_f64(c, &b, is_max, mode, p->nb.cval, c->scratch, c->scratch_bytes, -1);
    return zs__minmax_apply(c, &b, is_max, mode, (float)p->nb.cval, c->scratch, c->scratch_bytes, -1);
}

static zs_status minimum_run(const zs_kernel_call *c) { return box_run(c, 0, 0); }
static zs_status maximum_run(const zs_kernel_call *c) { return box_run(c, 1, 0); }
static zs_status minimum_run_f64(const zs_kernel_call *c) { return box_run(c, 0, 1); }
static zs_status maximum_run_f64(const zs_kernel_call *c) { return box_run(c, 1, 1); }

const zs_kernel_desc zs_kernel_minimum = {
    .abi = ZS_KERNEL_ABI,
    .name = "minimum",
    .summary = "minimum over a box (scipy.ndimage.minimum_filter)",
    .version = 1,
    .params = box_params,
    .nparams = (int)(sizeof box_params / sizeof box_params[0]),
    .params_size = sizeof(zs_kbox),
    .flags = ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    .halo = box_halo,
    .scratch_bytes = box_scratch,
    .run = minimum_run,
    .run_f64 = minimum_run_f64,
};

const zs_kernel_desc zs_kernel_maximum = {
    .abi = ZS_KERNEL_ABI,
    .name = "maximum",
    .summary = "maximum over a box (scipy.ndimage.maximum_filter)",
    .version = 1,
    .params = box_params,
    .nparams = (int)(sizeof box_params / sizeof box_params[0]),
    .params_size = sizeof(zs_kbox),
    .flags = ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    .halo = box_halo,
    .scratch_bytes = box_scratch,
    .run = maximum_run,
    .run_f64 = maximum_run_f64,
};
