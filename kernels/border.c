/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Boundary extension with scipy.ndimage's modes, and the plane look-ups kernels use in z.
 *
 * scipy extends a line by copying (ni_support.c); copying on past the line's end makes each
 * mode periodic, which is what zs_border_index computes directly:
 *   reflect  period 2n, i -> i mod 2n, then 2n-1-i for the upper half   (d c b a | a b c d)
 *   mirror   period 2n-2, i -> i mod (2n-2), then 2n-2-i for the upper half (n = 1: 0)
 *   wrap     period n
 *   nearest  clamp;  constant: -1 (the caller substitutes cval). */
#include "kernels_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const zs_border_names[] = {"reflect", "nearest", "mirror", "constant", "wrap", NULL};

/* scipy's grid-* names: for filters scipy.ndimage treats them as these modes (its
 * _ni_support._extend_mode_to_code maps grid-mirror to reflect, grid-constant to constant
 * and grid-wrap to wrap; they differ only for interpolation). */
static const struct {
    const char *name;
    zs_border mode;
} border_aliases[] = {
    {"grid-mirror", ZS_BORDER_REFLECT}, {"grid-constant", ZS_BORDER_CONSTANT}, {"grid-wrap", ZS_BORDER_WRAP}};

int zs__border_alias(const char *name)
{
    for (size_t i = 0; i < sizeof border_aliases / sizeof border_aliases[0]; i++)
        if (strcmp(border_aliases[i].name, name) == 0) return (int)border_aliases[i].mode;
    return -1;
}

static int64_t pmod(int64_t a, int64_t m)
{
    int64_t r = a % m;
    return r < 0 ? r + m : r;
}

int64_t zs_border_index(int64_t i, int64_t n, zs_border mode)
{
    if (i >= 0 && i < n) return i;
    switch (mode) {
    case ZS_BORDER_REFLECT: {
        int64_t r = pmod(i, 2 * n);
        return r < n ? r : 2 * n - 1 - r;
    }
    case ZS_BORDER_MIRROR: {
        if (n == 1) return 0;
        int64_t r = pmod(i, 2 * n - 2);
        return r < n ? r : 2 * n - 2 - r;
    }
    case ZS_BORDER_WRAP:
        return pmod(i, n);
    case ZS_BORDER_NEAREST:
        return i < 0 ? 0 : n - 1;
    case ZS_BORDER_CONSTANT:
    default:
        return -1;
    }
}

/* The helpers that touch elements are written once, as macro bodies over the element type T,
 * and instantiated for float (the float32 work type) and double (float64). */
#define DEFINE_EXTEND_ROW(NAME, T)                                                                                     \
    void NAME(const T *src, int64_t n, int64_t lo, int64_t hi, zs_border mode, T cval, T *dst)                         \
    {                                                                                                                  \
        for (int64_t i = 0; i < lo; i++) {                                                                             \
            int64_t j = zs_border_index(i - lo, n, mode);                                                              \
            dst[i] = j < 0 ? cval : src[j];                                                                            \
        }                                                                                                              \
        for (int64_t i = 0; i < n; i++) dst[lo + i] = src[i];                                                          \
        for (int64_t i = 0; i < hi; i++) {                                                                             \
            int64_t j = zs_border_index(n + i, n, mode);                                                               \
            dst[lo + n + i] = j < 0 ? cval : src[j];                                                                   \
        }                                                                                                              \
    }
DEFINE_EXTEND_ROW(zs_border_extend_row, float)
DEFINE_EXTEND_ROW(zs_border_extend_row_f64, double)

/* The input plane of volume plane z, as the executor's pointer (whatever the element type). */
static const void *kcall_plane(const zs_kernel_call *c, int64_t z)
{
    /* in_z is sorted; it is contiguous except where wrap joins the two ends of the volume. */
    int64_t a = 0, b = c->n_in;
    if (b > 0 && z - c->in_z[0] >= 0 && z - c->in_z[0] < b && c->in_z[z - c->in_z[0]] == z)
        return c->in[z - c->in_z[0]];
    while (a < b) {
        int64_t m = a + (b - a) / 2;
        if (c->in_z[m] < z)
            a = m + 1;
        else
            b = m;
    }
    if (a < c->n_in && c->in_z[a] == z) return c->in[a];
    return NULL;
}

static const void *kcall_tap(const zs_kernel_call *c, int64_t out_slot, int64_t dz, zs_border mode,
                             const void *const_plane)
{
    int64_t z = zs_border_index(c->out_z[out_slot] + dz, c->nz, mode);
    return z < 0 ? const_plane : kcall_plane(c, z);
}

const float *zs_kcall_plane(const zs_kernel_call *c, int64_t z) { return kcall_plane(c, z); }
const double *zs_kcall_plane_f64(const zs_kernel_call *c, int64_t z) { return kcall_plane(c, z); }

const float *zs_kcall_tap(const zs_kernel_call *c, int64_t out_slot, int64_t dz, zs_border mode,
                          const float *const_plane)
{
    return kcall_tap(c, out_slot, dz, mode, const_plane);
}

const double *zs_kcall_tap_f64(const zs_kernel_call *c, int64_t out_slot, int64_t dz, zs_border mode,
                               const double *const_plane)
{
    return kcall_tap(c, out_slot, dz, mode, const_plane);
}

/* Union of the intervals [z-lo, z+hi] of a sorted set, mapped into the volume.
 * In-range values come out sorted from the interval union (intervals are sorted by start);
 * values past either end are mapped by the mode and merged in, without duplicates.
 * The result has at most nz values and at most n + lo + hi when zs is contiguous. */
static int64_t sorted_find(const int64_t *a, int64_t n, int64_t v)
{
    int64_t l = 0, r = n;
    while (l < r) {
        int64_t m = l + (r - l) / 2;
        if (a[m] < v)
            l = m + 1;
        else
            r = m;
    }
    return l;
}

static int64_t insert_sorted(int64_t *out, int64_t k, int64_t cap, int64_t v)
{
    int64_t pos = sorted_find(out, k, v);
    if (pos < k && out[pos] == v) return k;
    if (k >= cap) return ZS_EOVERFLOW;
    memmove(out + pos + 1, out + pos, sizeof *out * (size_t)(k - pos));
    out[pos] = v;
    return k + 1;
}

int64_t zs_zset_expand(const int64_t *zs, int64_t n, int64_t lo, int64_t hi, int64_t nz, zs_border mode, int64_t *out,
                       int64_t cap)
{
    int64_t k = 0, last = -1;
    for (int64_t i = 0; i < n; i++) {
        int64_t a = zs[i] - lo > last + 1 ? zs[i] - lo : last + 1, b = zs[i] + hi;
        if (a < 0) a = 0;
        for (int64_t z = a; z <= b && z < nz; z++) {
            if (k >= cap) return ZS_EOVERFLOW;
            out[k++] = last = z;
        }
    }
    /* Planes past the ends: only when the window crosses them. */
    for (int64_t i = 0; i < n; i++) {
        if (zs[i] - lo >= 0 && zs[i] + hi < nz) continue;
        for (int64_t d = -lo; d <= hi; d++) {
            int64_t v = zs[i] + d;
            if (v >= 0 && v < nz) continue;
            int64_t z = zs_border_index(v, nz, mode);
            if (z < 0) continue;
            k = insert_sorted(out, k, cap, z);
            if (k < 0) return k;
        }
    }
    return k;
}

zs_status zs_kcall_error(zs_status code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zs__error_set(msg);
    return code < 0 ? code : ZS_EINTERNAL;
}

#define DEFINE_EXTEND_ROWS(NAME, T)                                                                                    \
    void NAME(const zs_kernel_call *c, T *plane, zs_border mode, T cval)                                               \
    {                                                                                                                  \
        for (int64_t r = 0; r < c->ny; r++) {                                                                          \
            const int64_t v = c->y0 + r;                                                                               \
            if (v >= 0 && v < c->ny_vol) {                                                                             \
                r = c->ny_vol - 1 - c->y0; /* skip the rows inside the volume */                                       \
                continue;                                                                                              \
            }                                                                                                          \
            const int64_t m = zs_border_index(v, c->ny_vol, mode) - c->y0;                                             \
            T *dst = plane + (size_t)r * (size_t)c->nx;                                                                \
            if (m + c->y0 < 0 || mode == ZS_BORDER_CONSTANT)                                                           \
                for (int64_t x = 0; x < c->nx; x++) dst[x] = cval;                                                     \
            else if (m >= 0 && m < c->ny)                                                                              \
                memcpy(dst, plane + (size_t)m * (size_t)c->nx, sizeof(T) * (size_t)c->nx);                             \
        }                                                                                                              \
    }
DEFINE_EXTEND_ROWS(zs_kcall_extend_rows, float)
DEFINE_EXTEND_ROWS(zs_kcall_extend_rows_f64, double)
