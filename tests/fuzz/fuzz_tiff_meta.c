/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for the ImageDescription parser of TIFF stacks (core/tiff_meta.c):
 * ImageJ key=value lines and OME-XML. Whatever the bytes, the parser must stay inside them,
 * and what it reports must be sane: counts positive and below 2^31, sizes positive and
 * finite, units NUL-terminated, a DimensionOrder a permutation of ZCT after XY. */
#include <math.h>

#include "fuzz_common.h"
#include "tiff_internal.h"

static int count_ok(int64_t v) { return v >= 0 && v < ((int64_t)1 << 31); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zs_tiff_meta m;
    zs__tiff_meta_parse((const char *)data, size, &m);
    REQUIRE(count_ok(m.images) && count_ok(m.channels) && count_ok(m.slices) && count_ok(m.frames));
    REQUIRE(m.spacing == 0 || (isfinite(m.spacing) && m.spacing > 0));
    REQUIRE(memchr(m.unit, 0, sizeof m.unit) != NULL);
    for (int a = 0; a < 5; a++) REQUIRE(count_ok(m.size[a]));
    for (int a = 0; a < 3; a++) {
        REQUIRE(m.phys[a] == 0 || (isfinite(m.phys[a]) && m.phys[a] > 0));
        REQUIRE(memchr(m.phys_unit[a], 0, sizeof m.phys_unit[a]) != NULL);
    }
    if (m.order[0]) REQUIRE(strlen(m.order) == 5 && m.order[0] == 'X' && m.order[1] == 'Y');
    char unit[16];
    (void)zs__unit_normalize((const char *)data, size < 64 ? size : 64, unit);
    REQUIRE(memchr(unit, 0, sizeof unit) != NULL);
    return 0;
}
