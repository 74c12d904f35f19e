/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The executor's hook for reductions (reduce.c): where a plane of a slab's core would be stored. */
#ifndef ZS_REDUCE_INTERNAL_H
#define ZS_REDUCE_INTERNAL_H

#include "scheduler_internal.h"

typedef struct zs__reducer zs__reducer;

/** Hands plane z of volume t (whole rows, the plan's work type) to the reduction of the run
 *  (zs_exec_opts.reducer); at a slab's last plane runs the slab's callback and merges the
 *  records that are ready, in slab order. Called by the worker computing the slab. */
zs_status zs__reduce_plane(zs__reducer *red, int64_t t, int64_t z, const void *plane);

#endif
