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
#include "zslab_kernel.h"
#include "zs_internal.h"

#include <stdlib.h>

const char *const zs_border_names[] = {"reflect", "nearest", "mirror", "constant", "wrap", NULL};

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
    case ZS_BORDER_WRAP: return pmod(i, n);
    case ZS_BORDER_NEAREST: return i < 0 ? 0 : n - 1;
    case ZS_BORDER_CONSTANT:
    default: return -1;
    }
}

void zs_border_extend_row(const float *src, int64_t n, int64_t lo, int64_t hi, zs_border mode, float cval,
                          float *dst)
{
    for (int64_t i = 0; i < lo; i++) {
        int64_t j = zs_border_index(i - lo, n, mode);
        dst[i] = j < 0 ? cval : src[j];
    }
    for (int64_t i = 0; i < n; i++) dst[lo + i] = src[i];
    for (int64_t i = 0; i < hi; i++) {
        int64_t j = zs_border_index(n + i, n, mode);
        dst[lo + n + i] = j < 0 ? cval : src[j];
    }
}

const float *zs_kcall_plane(const zs_kernel_call *c, int64_t z)
{
    /* in_z is sorted; it is contiguous except where wrap joins the two ends of the volume. */
    int64_t a = 0, b = c->n_in;
    if (b > 0 && z - c->in_z[0] >= 0 && z - c->in_z[0] < b && c->in_z[z - c->in_z[0]] == z)
        return c->in + (size_t)(z - c->in_z[0]) * (size_t)(c->nx * c->ny);
    while (a < b) {
        int64_t m = a + (b - a) / 2;
        if (c->in_z[m] < z) a = m + 1;
        else b = m;
    }
    if (a < c->n_in && c->in_z[a] == z) return c->in + (size_t)a * (size_t)(c->nx * c->ny);
    return NULL;
}

const float *zs_kcall_tap(const zs_kernel_call *c, int64_t out_slot, int64_t dz, zs_border mode,
                          const float *const_plane)
{
    int64_t z = zs_border_index(c->out_z[out_slot] + dz, c->nz, mode);
    return z < 0 ? const_plane : zs_kcall_plane(c, z);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t zs_zset_expand(const int64_t *zs, int64_t n, int64_t lo, int64_t hi, int64_t nz, zs_border mode,
                       int64_t *out, int64_t cap)
{
    int64_t k = 0;
    /* Inputs are sorted: runs of in-range planes stay sorted, so sort only when needed. */
    for (int64_t i = 0; i < n; i++)
        for (int64_t d = -lo; d <= hi; d++) {
            int64_t z = zs_border_index(zs[i] + d, nz, mode);
            if (z < 0) continue;
            if (k > 0 && out[k - 1] == z) continue;
            if (k >= cap) return ZS_EOVERFLOW;
            out[k++] = z;
        }
    int sorted = 1;
    for (int64_t i = 1; i < k && sorted; i++) sorted = out[i - 1] < out[i];
    if (sorted) return k;
    qsort(out, (size_t)k, sizeof *out, cmp_i64);
    int64_t m = 0;
    for (int64_t i = 0; i < k; i++)
        if (m == 0 || out[m - 1] != out[i]) out[m++] = out[i];
    return m;
}
