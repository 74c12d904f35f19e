/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Previews: float images (projections, planes), their resampling, contrast and colour maps
 * (preview_image.c), shared with the streaming reducer (preview.c). */
#ifndef ZS_PREVIEW_INTERNAL_H
#define ZS_PREVIEW_INTERNAL_H

#include "zs_internal.h"

/** A float image, row-major: px[y * w + x]. NaN marks a pixel with no value. */
typedef struct zs_fimage {
    int64_t w, h;
    float *px; /* owner: whoever made it (zs__free) */
} zs_fimage;

/** Resamples in (w x h) to out_w x out_h by box (area) averaging, one axis after the other:
 *  output pixel i covers source pixels [i s, (i+1) s), s = n / out_n, each weighted by its
 *  overlap (in 2-D: the area of the overlap); NaN pixels are left out exactly (the weights of
 *  the first pass carry into the second; an output pixel with only NaN is NaN). The same size
 *  is an exact copy. @param[out] out px allocated (zs__free). */
zs_status zs__fimage_resample(const zs_fimage *in, int64_t out_w, int64_t out_h, zs_fimage *out);

/** Percentiles plo and phi (0..100) of the non-NaN pixels of n images pooled, as numpy's
 *  nanpercentile (linear interpolation between order statistics), exactly: two histogram
 *  passes over the pixels' sortable bit patterns (top 16 bits, then the low 16 bits of the
 *  bin holding the rank) per order statistic, no copy and no sort. No non-NaN pixel: 0, 1. */
void zs__fimage_percentiles(const zs_fimage *const *imgs, int n, double plo, double phi, double *lo, double *hi);

/** Paints f into dst at (x0, y0): v -> round(255 (v - lo) / (hi - lo)) clipped to 0..255
 *  (NaN -> 0; hi <= lo: 255 above lo, else 0), then the colour map. */
void zs__fimage_paint(const zs_fimage *f, double lo, double hi, zs_cmap cmap, zs_image *dst, int64_t x0, int64_t y0);

#endif /* ZS_PREVIEW_INTERNAL_H */
