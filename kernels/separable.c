/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The 1-D pass machinery of the separable kernels: line combination, border maps and the
 * slab driver (design in separable.h).
 *
 * Every pass is one primitive, zs__sep_combine: dst = sum over taps of w * line. A z tap's
 * line is a chunk of an input plane, a y tap's a row of the plane, an x tap's the extended row
 * shifted by d. The loops run along the line with the taps outside, so they vectorise without
 * reassociating anything (the build has no -ffast-math and C11 mode does not contract a*b+c
 * into an FMA): each voxel's sum is the same sequence of float operations on every machine
 * and for every SIMD width. Taps are applied in groups of up to four per sweep to keep the
 * loads and stores of dst low. The typed parts (separable_impl.h) are built for float and for
 * double, the same operations in the same order on the plan's work type. */
#include "separable.h"

#include <string.h>

const zs_k1d zs__k1d_identity = {0, 0, 1, 1, (const float[]){1.0f}, (const double[]){1.0}};

/* ---- the typed passes and drivers, once per work type ------------------------------------- */
#define T     float
#define TN(x) x
#define KW    w
#include "separable_impl.h"
#undef T
#undef TN
#undef KW
#define T     double
#define TN(x) x##_f64
#define KW    wd
#include "separable_impl.h"
#undef T
#undef TN
#undef KW

/* ---- borders ---------------------------------------------------------------------------------- */

void zs__border_map(int64_t *map, int64_t n, int64_t lo, int64_t hi, zs_border mode)
{
    for (int64_t i = 0; i < lo + n + hi; i++) map[i] = zs_border_index(i - lo, n, mode);
}

void zs__tile_ymap(const zs_kernel_call *c, int64_t *map, int64_t lo, int64_t hi, zs_border mode)
{
    zs__border_map(map, c->ny, lo, hi, mode);
    if (c->y0 - lo >= 0 && c->y0 + c->ny + hi <= c->ny_vol) return;
    for (int64_t i = 0; i < lo + c->ny + hi; i++) {
        const int64_t v = c->y0 + i - lo;
        if (v >= 0 && v < c->ny_vol) continue;
        const int64_t src = zs_border_index(v, c->ny_vol, mode) - c->y0;
        if (mode == ZS_BORDER_CONSTANT)
            map[i] = -1;
        else if (src >= 0 && src < c->ny) /* the executor filled row v from row src: read src itself */
            map[i] = src;
    }
}

/* ---- the slab driver ----------------------------------------------------------------------------- */

size_t zs__sep_chunk(int64_t ntaps, size_t plane)
{
    /* ntaps input chunks + the output chunk in about two thirds of a 48 KiB L1 */
    size_t c = (32u * 1024u) / ((size_t)(ntaps + 1) * sizeof(float));
    c = c < 256 ? 256 : c & ~(size_t)63u;
    return c < plane ? c : plane;
}

int64_t zs__sep_tab_rows(int64_t ntaps, int64_t max_out)
{
    const int64_t cap = ((int64_t)1 << 20) / ntaps; /* at most 8 MiB of pointers */
    if (max_out > cap) max_out = cap;
    return max_out < 1 ? 1 : max_out;
}

/* ---- the band driver ------------------------------------------------------------------------------ */

int64_t zs__band_rows(int64_t nx, int64_t ny, int64_t ntaps_z, int64_t ylo, int64_t yhi)
{
    const int64_t budget = ((int64_t)1 << 20) / (int64_t)sizeof(float); /* floats */
    const int64_t per_row = nx * (ntaps_z < 1 ? 1 : ntaps_z);
    int64_t b = budget / (per_row > 0 ? per_row : 1) - ylo - yhi;
    if (b < 4) b = 4;
    if (b > 256) b = 256;
    return b < ny ? b : (ny > 0 ? ny : 1);
}
