/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Shared by the separable kernels (gaussian family, uniform): 1-D correlation passes over
 * whole planes, border maps, the slab driver, a scratch bump allocator, and the gaussian
 * engine that gaussian.c, dog.c, laplace.c and gradmag.c describe with a zs_gspec.
 *
 * ## How one call is computed
 * Passes run z, then y, then x. The z pass combines whole input planes (taps found with
 * zs_kcall_tap) into one plane per output plane; y combines whole rows of that plane; x
 * combines each row after extending it in x. Every sum runs over the taps in a fixed order
 * that depends only on the kernel, never on which planes the call holds, so an output plane
 * is bitwise the same whatever the slab height (ZS_KF_DETERMINISTIC).
 *
 * Single-pass kernels (one filter, out = F(in)) use the slab driver: the z pass runs over
 * chunks of the plane for all output planes at once, so the 2r+1 input chunks a tap window
 * needs stay in cache while the window slides along z. Its result for output plane j goes to
 * slot j+1 (slot n_out being a scratch plane); the y+x pass then reads slot j+1 and writes
 * slot j = out[j], whose z result was consumed by the step before. */
#ifndef ZS_SEPARABLE_H
#define ZS_SEPARABLE_H

#include <stdint.h>

#include "kernels_internal.h"

/* ---- SIMD clones: ZS_TARGET_CLONES (core/zs_internal.h) ------------------------------------ */
#define ZS_CLONES ZS_TARGET_CLONES
/** For the loops a clone calls: inlined, so they are compiled for the clone's target. */
#define ZS_LINE static inline __attribute__((always_inline))

/* ---- scratch: a bump allocator over call->scratch ------------------------------------- */

/** Carves 64-byte aligned blocks out of a scratch area. With base == NULL it only counts,
 *  so scratch_bytes() and run() can share one layout function. */
typedef struct zs_bump {
    unsigned char *base; /* NULL: count only */
    size_t off, cap;
    int overflow; /* a size computation overflowed, or the area is too small */
} zs_bump;

static inline void *zs__bump_take(zs_bump *b, size_t count, size_t size)
{
    size_t n, end, at = (b->off + 63u) & ~(size_t)63u;
    if (at < b->off || __builtin_mul_overflow(count, size, &n) || __builtin_add_overflow(at, n, &end)) {
        b->overflow = 1;
        return NULL;
    }
    b->off = end;
    if (!b->base) return NULL;
    if (end > b->cap) {
        b->overflow = 1;
        return NULL;
    }
    return b->base + at;
}

/** Bytes a layout counted (64 extra so an aligned start always fits); SIZE_MAX on overflow. */
static inline size_t zs__bump_total(const zs_bump *b) { return b->overflow ? SIZE_MAX : b->off + 64u; }

/* ---- 1-D kernels ------------------------------------------------------------------------ */

/** A correlation along one axis: out[i] = sum over d in [-lo, hi] of w[d + lo] * in[i + d]. */
typedef struct zs_k1d {
    int64_t lo, hi;
    int sym;          /**< +1: lo == hi and w[lo-d] == w[lo+d]; -1: antisymmetric; 0: neither */
    int identity;     /**< the axis is not filtered (lo = hi = 0, w = {1}) */
    const float *w;   /**< lo + hi + 1 weights (float32 work) */
    const double *wd; /**< the same weights for float64 work (NULL where only floats were set) */
} zs_k1d;

/** The identity kernel (w = {1}). */
extern const zs_k1d zs__k1d_identity;

/* ---- border maps -------------------------------------------------------------------------- */

/** map[i] = zs_border_index(i - lo, n, mode) for i in [0, lo + n + hi) (-1: constant). */
void zs__border_map(int64_t *map, int64_t n, int64_t lo, int64_t hi, zs_border mode);

/** The border map of a call's tile rows: map[i] for tile row i - lo, i in [0, lo + ny + hi). Rows
 *  of the volume inside the tile map to themselves; in constant mode, rows outside the volume map
 *  to -1 (the fill) wherever they are, so a pass reads cval there exactly as on a whole plane; in
 *  the other modes a row outside the volume maps to the tile row the executor copied into it (the
 *  row it mirrors), when that row is in the tile, so that passes can compute it once; other rows
 *  past the tile are mapped within it (they only feed rows outside [row_lo, row_hi)). */
void zs__tile_ymap(const zs_kernel_call *c, int64_t *map, int64_t lo, int64_t hi, zs_border mode);

/* ---- the slab driver (single-pass kernels) ----------------------------------------------- */

/** Voxels per z-pass chunk so that ntaps+1 chunks fit L1 (at most plane). */
size_t zs__sep_chunk(int64_t ntaps, size_t plane);

/** Rows of a driver's tap table for calls of up to max_out output planes (bounded). */
int64_t zs__sep_tab_rows(int64_t ntaps, int64_t max_out);

/* ---- the band driver (single-pass kernels whose passes are cheap) ------------------------ *
 * For kernels that do little arithmetic per voxel (uniform), a whole plane's z result making a
 * round trip through memory costs more than the passes. The band driver runs the y and x passes
 * on bands of `band` output rows: for each band and each output plane it computes the z pass of
 * the band's rows and their y halo into a small buffer that stays in cache, then the y and x
 * passes of the band from there into the output. Taking the output planes inside the band loop
 * keeps the input rows a z window needs in L2 while the window slides along z.
 *
 * A kernel may restart a running sum at each band, so `band` must depend only on the kernel's
 * parameters and the plane size (zs__band_rows), never on the slab or the machine. */

/** Output rows per band: the band's rows and halo of ntaps_z input planes in about 1 MiB,
 *  between 4 and 256 rows, at most ny. Depends only on its arguments. */
int64_t zs__band_rows(int64_t nx, int64_t ny, int64_t ntaps_z, int64_t ylo, int64_t yhi);

/* The typed parts (zs__sep_combine, zs__extend_inplace, the drivers' structs zs_sep_driver and
 * zs_band_driver and their runners zs__sep_drive and zs__band_drive) once per work type: T float
 * under these names, T double under the same names with _f64 (separable_decl.h). */
#define ZS_WORK_IMPL "separable_decl.h"
#include "work_types.h"

/* ---- the gaussian engine ------------------------------------------------------------------- */

/** How a term's result joins the output plane. */
typedef enum zs_gop { ZS_GOP_SET, ZS_GOP_ADD, ZS_GOP_SUB, ZS_GOP_SQSET, ZS_GOP_SQADD } zs_gop;

#define ZS_GMAX_TERMS 3

/** A sum of separable gaussian filters: out = fin(op_0 T_0, op_1 T_1, ...), where T_t is the
 *  gaussian filter with sigma[t] and derivative order[t] per axis (scipy gaussian_filter). */
typedef struct zs_gspec {
    int nterms;
    struct {
        double sigma[3];
        int order[3];
        zs_gop op;
    } t[ZS_GMAX_TERMS];
    double truncate;
    zs_knbhd nb;
    int sqrt_final; /**< out = sqrt(out) at the end (gradient magnitude) */
} zs_gspec;

/** Taps per side of scipy's gaussian_filter1d: int(truncate * sigma + 0.5); 0 for an axis
 *  scipy skips (sigma <= 1e-15) or z with axes=xy. */
int64_t zs__gauss_radius(const zs_gspec *s, int term, int axis);
void zs__gauss_halo(const zs_gspec *s, zs_halo *h);
size_t zs__gauss_scratch(const zs_gspec *s, int64_t nx, int64_t ny, int64_t max_in);
/** Cross checks shared by the gaussian kernels (truncate > 0, radius bounded). */
zs_status zs__gauss_validate(const zs_gspec *s, char *msg, size_t msglen);
/** Builds the tables of a plan's stage (weights, x map, x edge weights; gaussian.c) into *state,
 *  freed by zs__gauss_release. */
zs_status zs__gauss_prepare(const zs_gspec *s, const zs_kernel_geom *geom, void **state);
void zs__gauss_release(void *state);
/** One call from the prepared state (c->state): the run and run_f64 of every gaussian kernel. */
zs_status zs__gauss_run(const zs_kernel_call *c);
/** The same in a float64 plan (planes of doubles, weights in double). */
zs_status zs__gauss_run_f64(const zs_kernel_call *c);

/** The descriptor hooks of a gaussian-family kernel, from the one function that describes it,
 *  `void SPEC(const void *params, zs_gspec *s)`: the descriptor's hooks see only the parameters,
 *  so each kernel has its own validate, halo, scratch_bytes and prepare, and this writes them
 *  (SPEC##_validate, ...) once for all; run, run_f64 and release are the engine's, from the state
 *  prepare() made. Use ZS_GAUSS_DESC_HOOKS(SPEC) in the descriptor. */
#define ZS_GAUSS_HOOKS(SPEC)                                                                                           \
    static zs_status SPEC##_validate(const void *params, char *msg, size_t msglen)                                     \
    {                                                                                                                  \
        zs_gspec s;                                                                                                    \
        SPEC(params, &s);                                                                                              \
        return zs__gauss_validate(&s, msg, msglen);                                                                    \
    }                                                                                                                  \
    static void SPEC##_halo(const void *params, zs_halo *h)                                                            \
    {                                                                                                                  \
        zs_gspec s;                                                                                                    \
        SPEC(params, &s);                                                                                              \
        zs__gauss_halo(&s, h);                                                                                         \
    }                                                                                                                  \
    static size_t SPEC##_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)                           \
    {                                                                                                                  \
        zs_gspec s;                                                                                                    \
        SPEC(params, &s);                                                                                              \
        return zs__gauss_scratch(&s, nx, ny, max_in);                                                                  \
    }                                                                                                                  \
    static zs_status SPEC##_prepare(const void *params, const zs_kernel_geom *geom, void **state)                      \
    {                                                                                                                  \
        zs_gspec s;                                                                                                    \
        SPEC(params, &s);                                                                                              \
        return zs__gauss_prepare(&s, geom, state);                                                                     \
    }

/** The hooks of a gaussian-family descriptor (designated initialisers), after ZS_GAUSS_HOOKS(SPEC). */
#define ZS_GAUSS_DESC_HOOKS(SPEC)                                                                                      \
    .validate = SPEC##_validate, .halo = SPEC##_halo, .scratch_bytes = SPEC##_scratch, .run = zs__gauss_run,           \
    .prepare = SPEC##_prepare, .release = zs__gauss_release, .run_f64 = zs__gauss_run_f64

/** scipy's _gaussian_kernel1d(sigma, order, r) reversed (as gaussian_filter1d correlates
 *  with it): w[d + r] for d in [-r, r], in double. */
void zs__gauss_weights(double sigma, int order, int64_t r, double *w);

#endif
