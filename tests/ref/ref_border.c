/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Plain boundary extension: fold the position back into the line one edge at a time. */
#include "ref_border.h"

#include <stdio.h>
#include <stdlib.h>

int64_t ref_border_index(int64_t i, int64_t n, zs_border mode)
{
    switch (mode) {
    case ZS_BORDER_CONSTANT:
        return i < 0 || i >= n ? -1 : i;
    case ZS_BORDER_NEAREST:
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    case ZS_BORDER_REFLECT: /* the edge value is repeated: -1 -> 0, n -> n-1 */
        while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - 1 - i;
        return i;
    case ZS_BORDER_MIRROR: /* the edge value is the mirror: -1 -> 1, n -> n-2 */
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
        return i;
    case ZS_BORDER_WRAP:
        while (i < 0) i += n;
        while (i >= n) i -= n;
        return i;
    default:
        fprintf(stderr, "ref_border_index: mode %d has no reference\n", (int)mode);
        abort();
    }
}

int64_t ref_zset(const int64_t *zs, int64_t n, int64_t lo, int64_t hi, int64_t nz, zs_border mode, int64_t *out)
{
    char *read = calloc((size_t)nz, 1);
    if (!read) abort();
    for (int64_t i = 0; i < n; i++)
        for (int64_t z = zs[i] - lo; z <= zs[i] + hi; z++) {
            const int64_t j = ref_border_index(z, nz, mode);
            if (j >= 0) read[j] = 1;
        }
    int64_t k = 0;
    for (int64_t z = 0; z < nz; z++)
        if (read[z]) out[k++] = z;
    free(read);
    return k;
}
