/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* uniform (scipy.ndimage.uniform_filter): the mean over a box of `size` voxels per axis. As in
 * scipy, output i averages input [i - size/2, i - size/2 + size - 1] (integer division), so an
 * even size reaches one voxel further down than up, and an axis of size 1 is left alone.
 *
 * Sums are in double, as scipy's, whatever the work type: the passes (uniform_impl.h) are
 * written once and built for float planes and for double planes (run_f64, float64 plans).
 * Along x each row is whole, so a running sum (O(1) per voxel, for long boxes) sees the same
 * row whatever the tile. Along y and z an output voxel's sum is taken directly from its `size`
 * taps in a fixed order, so it cannot depend on which rows or planes happen to share the call:
 * bitwise the same for every tile, band and slab height.
 *
 * The passes do a few additions per voxel, so the kernel is bound by memory traffic; it runs
 * on the band driver (separable.h), which keeps the z result of a band of rows in cache
 * instead of writing whole planes out and reading them back. */
#include "separable.h"

#include <string.h>

typedef struct uniform_params {
    zs_knbhd nb;
    int64_t size[3];
} uniform_params;

enum { UBLOCK = 1024 }; /* voxels per double accumulator block of the z pass */

/* Boxes of up to XDIRECT voxels along x are summed directly, tap by tap along the whole row, so
 * the loops vectorise; longer boxes use running sums (O(1) per voxel but one dependency chain
 * per row). Either way a voxel's sum depends only on its row. */
enum { XDIRECT = 16 };

static void uniform_axes(const uniform_params *p, int64_t lo[3], int64_t hi[3], int on[3])
{
    for (int a = 0; a < 3; a++) {
        on[a] = p->size[a] > 1 && !(a == 2 && p->nb.axes == ZS_AXES_XY);
        lo[a] = on[a] ? p->size[a] / 2 : 0;
        hi[a] = on[a] ? p->size[a] - 1 - p->size[a] / 2 : 0;
    }
}

/* ---- the passes, once per work type ----------------------------------------------------------- */
#define ZS_WORK_IMPL "uniform_impl.h"
#include "work_types.h"

static zs_status uniform_run(const zs_kernel_call *c) { return uniform_go(c); }
static zs_status uniform_run_f64(const zs_kernel_call *c) { return uniform_go_f64(c); }

/* ---- descriptor hooks ------------------------------------------------------------------------------ */

static void uniform_halo(const void *params, zs_halo *h)
{
    const uniform_params *p = params;
    int on[3];
    uniform_axes(p, h->lo, h->hi, on);
    zs__nbhd_halo(&p->nb, h);
}

static size_t uniform_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    urt u;
    zs_bump b = {NULL, 0, 0, 0};
    (void)max_in;
    ulayout(&u, &b, params, nx, ny);
    return zs__bump_total(&b);
}

static const zs_param_desc uniform_param_list[] = {
    {"size", ZS_PARAM_INT3, offsetof(uniform_params, size), 0, 10001, "3",
     "box size per axis in voxels (x y z: 5 or 3x3x1); 0 or 1 leaves an axis unfiltered", NULL},
    ZS_NBHD_PARAMS(uniform_params),
};

const zs_kernel_desc zs_kernel_uniform = {
    .abi = ZS_KERNEL_ABI,
    .name = "uniform",
    .summary = "mean over a box (scipy.ndimage.uniform_filter)",
    .version = 2, /* 2: y sums taken directly (were running sums per band): last-bit changes possible */
    .params = uniform_param_list,
    .nparams = (int)(sizeof uniform_param_list / sizeof uniform_param_list[0]),
    .params_size = sizeof(uniform_params),
    .flags = ZS_KF_SEPARABLE | ZS_KF_DETERMINISTIC | ZS_KF_YMODE,
    .halo = uniform_halo,
    .scratch_bytes = uniform_scratch,
    .run = uniform_run,
    .run_f64 = uniform_run_f64,
};
