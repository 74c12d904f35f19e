/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The benchmark's results, shared by the driver (bench.c) and the chart (bench_plot.c). */
#ifndef ZS_BENCH_INTERNAL_H
#define ZS_BENCH_INTERNAL_H

#include "zslab.h"

enum { PH_READ, PH_LOAD, PH_COMPUTE, PH_STORE, PH_E2E, PH_COUNT };
/** "read", "load", "compute", "store", "end-to-end". */
extern const char *const zs__bench_phase_names[PH_COUNT];

typedef struct phase_result {
    double med, min, max; /* seconds */
    double bytes;         /* file bytes moved per run */
} phase_result;

typedef struct setting_result {
    int threads;
    int64_t slab, band;
    zs_engine engine;
    zs_precision precision; /* the plan's work type */
    phase_result ph[PH_COUNT];
} setting_result;

/** The storage under the benchmark's output, measured with direct I/O (bench/device.c). */
typedef struct zs_bench_device {
    int measured; /* 0: not measured; `why` says why */
    char why[256];
    char dir[1024];
    uint64_t probe_bytes;                     /* written, then read, alone */
    double write_bps, read_bps;               /* bytes per second, alone */
    uint64_t together_read, together_written; /* at once, in the job's proportion */
    double together_bps;                      /* their bytes per second */
    uint64_t job_read, job_written;           /* the job's bytes */
    double job_s;                             /* the job's bytes at the rate together */
} zs_bench_device;

/** Measures the storage of `dir` for a job reading in_bytes and writing out_bytes: at most 512
 *  MiB in all, in hidden files that are removed. Never fails: d->measured says. */
void zs__bench_device(const char *dir, uint64_t in_bytes, uint64_t out_bytes, zs_bench_device *d);

/** The bound of a cold setting: the device time of the job's bytes, or compute when slower. */
double zs__bench_bound_s(const zs_bench_device *d, const setting_result *s);

/** read + store (medians): the I/O side of the bound. */
double zs__bench_io_s(const setting_result *s);
/** max(read + store, compute) / end-to-end. */
double zs__bench_overlap(const setting_result *s);

/** The SVG chart of zs_bench_opts.plot: per setting, the phases' medians as bars with min-max
 *  whiskers, the bound max(read + store, compute) as a dashed line labelled I/O or compute,
 *  the overlap efficiency; the fastest setting starred. */
void zs__bench_plot_svg(FILE *f, const zs_volume_info *in, const char *pipeline, int cold, const setting_result *r,
                        int n, int best);

#endif /* ZS_BENCH_INTERNAL_H */
