/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The typed declarations of separable.h, included once per work type with T (float or double)
 * and TN(name) (name, or name_f64) defined. No include guard on purpose. */
/** dst[i] = sum_d k->w[d + lo] * p[d + lo][i] for i < n: tap d's line is p[d + lo]. Symmetric
 *  kernels add the two lines of a pair first. The order of the sum depends only on k.
 *  dst must not overlap any p[]. */
void TN(zs__sep_combine)(T *dst, const T *const *p, const zs_k1d *k, size_t n);

/** Extends row e[lo .. lo+n) in place into e[lo - klo .. lo + n + khi), using map
 *  (from zs__border_map with the same lo, n) and `fill` where the map says constant. */
void TN(zs__extend_inplace)(T *e, int64_t n, int64_t lo, int64_t klo, int64_t khi, const int64_t *map, T fill);

typedef struct TN(zs_sep_driver) {
    int64_t zlo, zhi; /**< z taps [-zlo, zhi] */
    int has_z;        /**< 0: no z pass, the y+x pass reads the input plane itself */
    zs_border zmode;
    const T *fill;    /**< >= chunk elements: what a constant-mode tap outside the volume reads */
    size_t chunk;     /**< voxels per z-pass chunk */
    const T **taps;   /**< (tab_rows + 1) * (zlo + zhi + 1) pointers: the output planes' tap
                               planes, then the lines of the current chunk */
    int64_t tab_rows; /**< >= 1; with fewer rows than output planes, taps are looked up per chunk */
    T *spare;         /**< one plane (slot n_out) */
    /** dst[0..n) = z pass of the tap lines (taps[t] is tap t - zlo's line). */
    void (*zpass)(void *ctx, T *dst, const T *const *taps, size_t n);
    /** Plane out_slot: dst = y and x passes of src (src != dst). */
    void (*yx)(void *ctx, const T *src, T *dst, int64_t out_slot);
    void *ctx;
    size_t zfrom, zto; /**< the voxels of a plane the z pass computes (those yx reads) */
} TN(zs_sep_driver);

/** Runs a single-pass separable kernel over one call. */
zs_status TN(zs__sep_drive)(const zs_kernel_call *c, const TN(zs_sep_driver) * d);

typedef struct TN(zs_band_driver) {
    int64_t zlo, zhi; /**< z taps [-zlo, zhi] */
    int has_z;        /**< 0: no z pass, the rows are the input plane's own */
    zs_border zmode;
    int64_t ylo, yhi;    /**< rows the y pass reads around an output row */
    const int64_t *ymap; /**< zs__border_map(map, ny, ylo, yhi, mode) */
    const T *fill;       /**< >= nx elements: a row (or z tap) outside the volume in constant mode */
    int64_t band;        /**< output rows per band (zs__band_rows) */
    T *rows;             /**< (band + ylo + yhi) * nx elements (has_z only) */
    const T **rowp;      /**< band + ylo + yhi pointers */
    const T **taps;      /**< 2 * (zlo + zhi + 1) pointers */
    /** dst[0..n) = z pass of the tap lines (taps[t] is tap t - zlo's line). */
    void (*zpass)(void *ctx, T *dst, const T *const *taps, size_t n);
    /** Output rows y0 .. y0+m-1 of plane `slot` (dst = its row y0): rowp[k] is row y0 - ylo + k
     *  after the z pass, border already applied (k < m + ylo + yhi). */
    void (*yx)(void *ctx, const T *const *rowp, T *dst, int64_t y0, int64_t m, int64_t slot);
    void *ctx;
} TN(zs_band_driver);

/** Runs a single-pass separable kernel over one call, band by band. */
zs_status TN(zs__band_drive)(const zs_kernel_call *c, const TN(zs_band_driver) * d);
