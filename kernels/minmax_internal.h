/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Box-window kernels (minmax.c, rank.c, morphology.c): the shared parameter struct, scipy's
 * centring of a box, and the separable minimum / maximum engine the three files share. */
#ifndef ZS_MINMAX_INTERNAL_H
#define ZS_MINMAX_INTERNAL_H

#include "kernels_internal.h"

#include <stdio.h>

/** Hot loops of the box kernels are also compiled for AVX-512 and AVX2 (ZS_TARGET_CLONES_512,
 *  core/zs_internal.h). min/max give the same bits in every variant (the second operand on
 *  ties and NaN, as minps), so results never depend on the machine. */
#define ZS_SIMD_CLONES ZS_TARGET_CLONES_512

/** Parameters of minimum, maximum, median and the morphology kernels. */
typedef struct zs_kbox {
    zs_knbhd nb;     /**< mode, cval, axes (first member: see ZS_NBHD_PARAMS) */
    int64_t size[3]; /**< box size x y z, each >= 0; 0 is 1 (scipy: the axis is left alone), except for
                          median and percentile, which refuse it as scipy does */
} zs_kbox;

/** Largest box side a kernel accepts. */
#define ZS_BOX_MAX 10001

/** The declaration of a `size` member of STRUCT. */
#define ZS_BOX_SIZE_PARAM(STRUCT)                                                                                      \
    {                                                                                                                  \
        "size", ZS_PARAM_INT3, offsetof(STRUCT, size), 0, ZS_BOX_MAX, "3",                                             \
            "box size in voxels, x y z (\"5\" or \"3x5x2\"); centred at size//2 as scipy; 0 or 1 leaves an axis "      \
            "alone",                                                                                                   \
            NULL                                                                                                       \
    }

/** A box window: output i reads input [i - lo, i + hi] along each axis. */
typedef struct zs_box {
    int64_t lo[3], hi[3];
} zs_box;

/** The window of a box filter the way scipy places it (origin 0): lo = s//2,
 *  hi = s-1-s//2; with axes=xy the z extent is 1, and so is a size of 0 (scipy's separable
 *  filters skip an axis whose size is below 2). `mirrored` swaps lo and hi, which is
 *  where scipy's grey_dilation puts a flat box (it reverses the footprint). */
static inline void zs__box_window(const zs_kbox *p, int mirrored, zs_box *b)
{
    for (int a = 0; a < 3; a++) {
        int64_t s = (a == 2 && p->nb.axes == ZS_AXES_XY) || p->size[a] < 1 ? 1 : p->size[a];
        int64_t lo = s / 2, hi = s - 1 - s / 2;
        b->lo[a] = mirrored ? hi : lo;
        b->hi[a] = mirrored ? lo : hi;
    }
}

/** The halo of a box filter placed as scipy's minimum_filter (unmirrored). */
static inline void zs__box_halo(const zs_kbox *p, zs_halo *h)
{
    zs_box b;
    zs__box_window(p, 0, &b);
    for (int a = 0; a < 3; a++) {
        h->lo[a] = b.lo[a];
        h->hi[a] = b.hi[a];
    }
    zs__nbhd_halo(&p->nb, h);
}

/** For median and percentile: refuses a size of 0 on an axis, as scipy's rank filters do
 *  ("filter footprint array has incorrect shape"). */
static inline zs_status zs__box_refuse_zero(const zs_kbox *p, char *msg, size_t msglen)
{
    for (int a = 0; a < 3; a++)
        if (p->size[a] == 0) {
            snprintf(msg, msglen,
                     "parameter 'size' is 0 along %c: a rank filter needs at least 1 voxel per axis (scipy refuses "
                     "a zero-size footprint; 1 leaves an axis alone)",
                     "xyz"[a]);
            return ZS_EPARAM;
        }
    return ZS_OK;
}

/** Box extent (size) along axis a of a window. */
static inline int64_t zs__box_extent(const zs_box *b, int a) { return b->lo[a] + b->hi[a] + 1; }

/** Scratch bytes zs__minmax_apply needs for planes of nx*ny and calls whose out (and in)
 *  sets hold at most max_planes planes. SIZE_MAX when the size overflows. */
size_t zs__minmax_scratch(const zs_box *b, int64_t nx, int64_t ny, int64_t max_planes);
size_t zs__minmax_scratch_f64(const zs_box *b, int64_t nx, int64_t ny, int64_t max_planes);

/** Minimum (is_max = 0) or maximum over the box window, separable, O(1) per voxel and
 *  axis whatever the size: writes c->out from c->in, extending the input by mode[a] along
 *  axis a (x y z; cval for constant). Uses `scratch` (zs__minmax_scratch bytes, 64-byte
 *  aligned), never c->scratch. Exact, and bitwise the same whatever the z-sets (the
 *  van Herk blocks are aligned to absolute coordinates). */
zs_status zs__minmax_apply(const zs_kernel_call *c, const zs_box *b, int is_max, const zs_border mode[3], float cval,
                           void *scratch, size_t scratch_bytes, int has_nan);
/** The same for a float64 call (planes of doubles; minmax_impl.h instantiated for double). */
zs_status zs__minmax_apply_f64(const zs_kernel_call *c, const zs_box *b, int is_max, const zs_border mode[3],
                               double cval, void *scratch, size_t scratch_bytes, int has_nan);

/* The NaN rule for the box kernels (docs/design.md): outputs whose window holds a NaN are NaN.
 * zs__minmax_apply applies it itself: has_nan < 0 scans c->in, 0 says the input holds no NaN,
 * 1 that it may. */

/** 1 when an input plane of the call holds a NaN (a vectorised scan). */
int zs__call_has_nan(const zs_kernel_call *c);
int zs__call_has_nan_f64(const zs_kernel_call *c);

/** Bytes of the mask zs__nan_mask_apply needs for planes of nx*ny. */
size_t zs__nan_mask_bytes(int64_t nx, int64_t ny);

/** Sets to NaN each output voxel of rows [row_lo, row_hi) whose box b (extended by mode, as the
 *  filter extends its input: mode[a] along axis a) holds a NaN in c->in. m: zs__nan_mask_bytes(nx, ny)
 *  bytes. */
zs_status zs__nan_mask_apply(const zs_kernel_call *c, const zs_box *b, const zs_border mode[3], unsigned char *m);
zs_status zs__nan_mask_apply_f64(const zs_kernel_call *c, const zs_box *b, const zs_border mode[3], unsigned char *m);

/** base + off bytes, as void * (carving typed parts out of a scratch area without casts
 *  that -Wcast-align would flag; the layouts keep every part 64-byte aligned). */
static inline void *zs__at(void *base, size_t off) { return (unsigned char *)base + off; }

/** Rounds n up to a multiple of 64 (scratch carving); SIZE_MAX stays SIZE_MAX. */
static inline size_t zs__align64(size_t n) { return n > SIZE_MAX - 63 ? SIZE_MAX : (n + 63) & ~(size_t)63; }

/** a + b, saturating at SIZE_MAX (scratch sizes: SIZE_MAX means "cannot be allocated"). */
static inline size_t zs__sat_add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }
static inline size_t zs__sat_mul(size_t a, size_t b)
{
    size_t r;
    return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}

#endif
