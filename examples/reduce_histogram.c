/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A reduction written outside the library: a histogram of a volume, through the public API.
 *
 *   reduce_histogram IN BINS LO HI [SLAB [OP]]
 *
 * counts IN's values (after the stage OP, e.g. gaussian:sigma=1, when given) in BINS equal bins
 * over [LO, HI), as numpy.histogram(x, BINS, (LO, HI)) does (HI itself falls in the last bin;
 * values outside, and NaN, are not counted), and prints one count per line. It shows the parts
 * of the reduction API (include/zslab_reduce.h):
 *   - slab(): on a worker, one slab's core (in the plan's work type) becomes a record, here the
 *     slab's own bins, malloc()ed; the executor frees it after the merge;
 *   - merge(): called in slab order, one at a time, so the totals need no lock and do not
 *     depend on threads or slab heights.
 * Build: cc -std=c11 reduce_histogram.c $(pkg-config --cflags --libs zslab). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zslab.h>
#include <zslab_reduce.h>

typedef struct histogram {
    int64_t bins;
    double lo, hi;
    uint64_t *total; /* bins counts, summed by merge */
} histogram;

static double value(const zs_reduce_slab *s, size_t i)
{
    switch (s->type) {
    case ZS_REDUCE_F32:
        return ((const float *)s->data)[i];
    case ZS_REDUCE_F64:
        return ((const double *)s->data)[i];
    case ZS_REDUCE_I64:
        return (double)((const int64_t *)s->data)[i];
    case ZS_REDUCE_U64:
        return (double)((const uint64_t *)s->data)[i];
    }
    return 0;
}

static zs_status hist_slab(void *user, const zs_reduce_slab *s, void **record, size_t *size)
{
    const histogram *h = user;
    uint64_t *bins = calloc((size_t)h->bins, sizeof *bins);
    if (!bins) return ZS_ENOMEM;
    const size_t n = (size_t)s->nx * (size_t)s->ny * (size_t)(s->z1 - s->z0);
    for (size_t i = 0; i < n; i++) {
        const double v = value(s, i);
        if (!(v >= h->lo && v <= h->hi)) continue; /* NaN too */
        int64_t b = (int64_t)((v - h->lo) / (h->hi - h->lo) * (double)h->bins);
        bins[b < h->bins ? b : h->bins - 1]++;
    }
    *record = bins;
    *size = (size_t)h->bins * sizeof *bins;
    return ZS_OK;
}

static zs_status hist_merge(void *user, int64_t slab, const void *record, size_t size)
{
    histogram *h = user;
    (void)slab, (void)size;
    const uint64_t *bins = record;
    for (int64_t b = 0; b < h->bins; b++) h->total[b] += bins[b];
    return ZS_OK;
}

static int fail(const char *what, zs_status st)
{
    fprintf(stderr, "reduce_histogram: %s: %s\n", what, *zs_last_error() ? zs_last_error() : zs_strerror(st));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 7) {
        fprintf(stderr, "usage: reduce_histogram IN BINS LO HI [SLAB [OP]]\n");
        return 2;
    }
    histogram h = {strtoll(argv[2], NULL, 10), strtod(argv[3], NULL), strtod(argv[4], NULL), NULL};
    if (h.bins < 1 || !(h.hi > h.lo)) return fail("arguments", ZS_EINVAL);
    h.total = calloc((size_t)h.bins, sizeof *h.total);
    zs_volume *in = NULL;
    zs_pipeline *pipe = NULL;
    zs_plan *plan = NULL;
    zs_status st = zs_volume_open(argv[1], NULL, &in);
    if (st) return fail("open", st);
    if ((st = zs_pipeline_new(&pipe)) || (argc > 6 && (st = zs_pipeline_add(pipe, argv[6]))))
        return fail("pipeline", st);
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.slab = argc > 5 ? strtoll(argv[5], NULL, 10) : 0;
    po.band = zs_volume_get_info(in)->shape[1]; /* a reduction sees whole planes */
    if ((st = zs_plan_create(zs_volume_get_info(in), pipe, &po, &plan))) return fail("plan", st);
    zs_reduce r = zs_reduce_make();
    r.user = &h;
    r.slab = hist_slab;
    r.merge = hist_merge;
    if ((st = zs_plan_reduce(plan, in, &r, NULL, NULL))) return fail("run", st);
    for (int64_t b = 0; b < h.bins; b++) printf("%llu\n", (unsigned long long)h.total[b]);
    free(h.total);
    zs_plan_free(plan);
    zs_pipeline_free(pipe);
    zs_volume_free(in);
    return 0;
}
