/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Boundary extension and z-sets for the test references, written again from scipy.ndimage's
 * definitions and sharing no code with kernels/border.c, so that a bug there fails the tests
 * that compare kernels with the references instead of being copied into both. */
#ifndef ZS_REF_BORDER_H
#define ZS_REF_BORDER_H

#include <stdint.h>

#include "zslab_kernel.h"

/** The index in [0, n) that scipy reads for position i of a line of n values extended by
 *  `mode` (reflect: d c b a | a b c d | d c b a; mirror: d c b | a b c d | c b a; wrap:
 *  a b c d | a b c d; nearest: a a | a b c d | d d), folding again as long as i is outside,
 *  so windows longer than the line work; -1 for constant (the caller reads cval). */
int64_t ref_border_index(int64_t i, int64_t n, zs_border mode);

/** The z-set of the planes `zs[0..n)` (any order) with a window [z - lo, z + hi]: every
 *  plane of [0, nz) some window reads through `mode`, ascending, into out (room for nz).
 *  @return the number of planes. */
int64_t ref_zset(const int64_t *zs, int64_t n, int64_t lo, int64_t hi, int64_t nz, zs_border mode, int64_t *out);

#endif
