/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Previews' image arithmetic: box resampling, exact percentiles from histograms, contrast and
 * colour maps. Everything here works on images in memory (projections), never on the stack. */
#include "preview_internal.h"

#include <math.h>
#include <string.h>

/* ---- resampling ------------------------------------------------------------------------ */

/* One axis: n source samples (stride `in_step` apart) into m, box weights. A source sample counts
 * with its overlap times its own weight (iw: the valid share a first pass left it; NULL: 1, 0 for
 * NaN); ow receives each output's total weight, so that two passes give the 2-D area mean of the
 * numbers exactly (NaN left out). */
static void resample_line(const float *in, const float *iw, int64_t n, int64_t in_step, float *out, float *ow,
                          int64_t m, int64_t out_step)
{
    const double s = (double)n / (double)m;
    for (int64_t i = 0; i < m; i++) {
        const double a = (double)i * s, b = (double)(i + 1) * s;
        int64_t j0 = (int64_t)floor(a), j1 = (int64_t)ceil(b);
        if (j1 > n) j1 = n;
        if (j0 >= j1) j0 = j1 - 1;
        double sum = 0, wsum = 0;
        for (int64_t j = j0; j < j1; j++) {
            const double lo = (double)j > a ? (double)j : a, hi = (double)(j + 1) < b ? (double)(j + 1) : b;
            const float v = in[j * in_step];
            const double w = (hi - lo) * (iw ? (double)iw[j * in_step] : 1.0);
            if (w > 0 && v == v) sum += w * (double)v, wsum += w;
        }
        out[i * out_step] = wsum > 0 ? (float)(sum / wsum) : NAN;
        if (ow) ow[i * out_step] = (float)wsum;
    }
}

zs_status zs__fimage_resample(const zs_fimage *in, int64_t out_w, int64_t out_h, zs_fimage *out)
{
    ZS_RETURN_IF(out_w < 1 || out_h < 1, ZS_EINVAL, "preview: empty image requested (%lld x %lld)", (long long)out_w,
                 (long long)out_h);
    /* rows first (in->h x out_w in between), or columns first (out_h x in->w): the smaller */
    const int rows_first = (double)in->h * (double)out_w <= (double)out_h * (double)in->w;
    const int64_t mw = rows_first ? out_w : in->w, mh = rows_first ? in->h : out_h;
    float *mid = zs__alloc((size_t)(mw * mh) * 2 * sizeof(float)), *mwt = mid ? mid + mw * mh : NULL;
    out->w = out_w, out->h = out_h;
    out->px = zs__alloc((size_t)(out_w * out_h) * sizeof(float));
    if (!mid || !out->px) {
        zs__free(mid);
        ZS_FREE(out->px);
        return ZS_ERR(ZS_ENOMEM, "preview: out of memory resampling a %lld x %lld image", (long long)in->w,
                      (long long)in->h);
    }
    if (rows_first) {
        for (int64_t y = 0; y < in->h; y++)
            resample_line(in->px + y * in->w, NULL, in->w, 1, mid + y * mw, mwt + y * mw, out_w, 1);
        for (int64_t x = 0; x < out_w; x++) resample_line(mid + x, mwt + x, in->h, mw, out->px + x, NULL, out_h, out_w);
    } else {
        for (int64_t x = 0; x < in->w; x++) resample_line(in->px + x, NULL, in->h, in->w, mid + x, mwt + x, out_h, mw);
        for (int64_t y = 0; y < out_h; y++)
            resample_line(mid + y * mw, mwt + y * mw, in->w, 1, out->px + y * out_w, NULL, out_w, 1);
    }
    zs__free(mid);
    return ZS_OK;
}

/* ---- percentiles ------------------------------------------------------------------------- */

/* A float's bits mapped so that unsigned order is numeric order (negatives reversed). */
static uint32_t sort_key(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

static float from_key(uint32_t k)
{
    uint32_t u = (k & 0x80000000u) ? k & 0x7fffffffu : ~k;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The k-th smallest (0-based) non-NaN pixel of the pooled images. */
static float kth(const zs_fimage *const *imgs, int n, uint64_t k, uint64_t *hist)
{
    memset(hist, 0, 65536 * sizeof *hist);
    for (int i = 0; i < n; i++)
        for (int64_t p = 0; p < imgs[i]->w * imgs[i]->h; p++)
            if (imgs[i]->px[p] == imgs[i]->px[p]) hist[sort_key(imgs[i]->px[p]) >> 16]++;
    uint32_t top = 0;
    while (k >= hist[top]) k -= hist[top++];
    memset(hist, 0, 65536 * sizeof *hist);
    for (int i = 0; i < n; i++)
        for (int64_t p = 0; p < imgs[i]->w * imgs[i]->h; p++) {
            const float v = imgs[i]->px[p];
            if (v == v && sort_key(v) >> 16 == top) hist[sort_key(v) & 0xffffu]++;
        }
    uint32_t low = 0;
    while (k >= hist[low]) k -= hist[low++];
    return from_key(top << 16 | low);
}

/* numpy's linear method: a[floor(pos)] and a[floor(pos) + 1] interpolated as numpy's _lerp. */
static double percentile(const zs_fimage *const *imgs, int n, uint64_t count, double q, uint64_t *hist)
{
    const double pos = q / 100.0 * (double)(count - 1);
    uint64_t i = (uint64_t)floor(pos);
    if (i > count - 1) i = count - 1;
    const double t = pos - (double)i;
    const double a = kth(imgs, n, i, hist);
    if (t <= 0 || i + 1 >= count) return a;
    const double b = kth(imgs, n, i + 1, hist), d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

void zs__fimage_percentiles(const zs_fimage *const *imgs, int n, double plo, double phi, double *lo, double *hi)
{
    uint64_t count = 0;
    for (int i = 0; i < n; i++)
        for (int64_t p = 0; p < imgs[i]->w * imgs[i]->h; p++) count += imgs[i]->px[p] == imgs[i]->px[p];
    uint64_t *hist = zs__alloc(65536 * sizeof *hist);
    if (count == 0 || !hist) {
        *lo = 0, *hi = 1;
        zs__free(hist);
        return;
    }
    *lo = percentile(imgs, n, count, plo, hist);
    *hi = percentile(imgs, n, count, phi, hist);
    zs__free(hist);
}

/* ---- contrast and colour ------------------------------------------------------------------- */

static unsigned char grey_level(float v, double lo, double hi)
{
    if (v != v) return 0;
    if (!(hi > lo)) return (double)v > lo ? 255 : 0;
    const double t = 255.0 * ((double)v - lo) / (hi - lo);
    if (!(t > 0)) return 0;
    if (t >= 255) return 255;
    return (unsigned char)floor(t + 0.5);
}

static unsigned char ramp(int g, int from)
{
    const int v = 3 * g - 255 * from; /* "hot": red over the first third, green the second, blue the last */
    return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
}

void zs__fimage_paint(const zs_fimage *f, double lo, double hi, zs_cmap cmap, zs_image *dst, int64_t x0, int64_t y0)
{
    const int c = dst->channels;
    for (int64_t y = 0; y < f->h; y++)
        for (int64_t x = 0; x < f->w; x++) {
            const unsigned char g = grey_level(f->px[y * f->w + x], lo, hi);
            unsigned char *p = dst->pixels + ((y0 + y) * dst->width + x0 + x) * c;
            switch (cmap) {
            case ZS_CMAP_HOT:
                p[0] = ramp(g, 0), p[1] = ramp(g, 1), p[2] = ramp(g, 2);
                break;
            case ZS_CMAP_GREEN:
                p[0] = 0, p[1] = g, p[2] = 0;
                break;
            case ZS_CMAP_MAGENTA:
                p[0] = g, p[1] = 0, p[2] = g;
                break;
            default:
                p[0] = g;
                break;
            }
        }
}

zs_status zs_cmap_parse(const char *s, zs_cmap *out)
{
    static const struct {
        const char *name;
        zs_cmap c;
    } names[] = {{"grey", ZS_CMAP_GREY},
                 {"gray", ZS_CMAP_GREY},
                 {"hot", ZS_CMAP_HOT},
                 {"green", ZS_CMAP_GREEN},
                 {"magenta", ZS_CMAP_MAGENTA}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (s && strcmp(s, names[i].name) == 0) {
            *out = names[i].c;
            return ZS_OK;
        }
    return ZS_ERR(ZS_EINVAL, "unknown colour map '%s' (use grey, hot, green or magenta)", s ? s : "");
}

const char *zs_cmap_name(zs_cmap c)
{
    switch (c) {
    case ZS_CMAP_HOT:
        return "hot";
    case ZS_CMAP_GREEN:
        return "green";
    case ZS_CMAP_MAGENTA:
        return "magenta";
    default:
        return "grey";
    }
}
