/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The executor's hook for reductions (reduce.c): where a plane of a slab's core would be stored. */
#ifndef ZS_REDUCE_INTERNAL_H
#define ZS_REDUCE_INTERNAL_H

#include "scheduler_internal.h"

typedef struct zs__reducer zs__reducer;

/** Hands rows [y0, y1) of plane z of volume t (the plan's work type, x fastest) to the reduction
 *  of the run (zs_exec_opts.reducer); once every row of the slab has come, runs the slab's
 *  callback and merges the records that are ready, in slab order. Called by the one worker that
 *  computes the slab (a reduction's claims are one slab when the plan has bands, and are never
 *  split into band groups). */
zs_status zs__reduce_rows(zs__reducer *red, int64_t t, int64_t z, int64_t y0, int64_t y1, const void *rows);

/** Makes slab `slab`'s record (`size` bytes; none: rec may be NULL) durable as DIR/slab-N:
 *  written to a temporary name, synced, renamed, the directory synced (reduce_records.c). Once it
 *  returns ZS_OK a journal may record the slab. Errors name the file (ZS_ENOSPC, ZS_EIO). */
zs_status zs__record_put(const char *dir, int64_t slab, const void *rec, size_t size);
/** Reads slab `slab`'s record back: *found 0 (and ZS_OK) when DIR has none; else *rec is
 *  malloc()ed (the caller frees it) with *size bytes. A record that is cut, damaged, of another
 *  slab or of another byte order is an error naming the file (ZS_EFORMAT, ZS_EUNSUPPORTED). */
zs_status zs__record_get(const char *dir, int64_t slab, int *found, void **rec, size_t *size);

#endif
