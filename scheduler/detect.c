/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Cell detection (docs/cells.md): the `localmax` kernel appended to the pipeline marks the local
 * maxima (f where f == maximum_filter(f) and f > T, NaN elsewhere), and zs_label_count labels
 * them with connectivity 26 and a table: each component (a plateau) is a cell at its centroid.
 * Its value is the largest work value on the plateau (the plateau's value for boxes of 3 and
 * more, where neighbouring maxima are in each other's box and so equal), its intensity the
 * table's largest intensity. Components are numbered by their first voxel in z, y, x order
 * (ZS_NUMBER_ZYX), so cells come in that order whatever the input's format. */
#include "detect_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zs_detect_opts_default(zs_detect_opts *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->size[0] = o->size[1] = o->size[2] = 3;
}

zs_status zs_detect_check(const zs_volume_info *in, const zs_detect_opts *o, const char *cells_path)
{
    ZS_RETURN_IF(!in || !o, ZS_EINVAL, "zs_detect_check: no input or options given");
    ZS_CHECK_UNSTABLE(o, "zs_detect_opts");
    if (cells_path) {
        zs_cells_format f;
        ZS_FORWARD(zs_cells_format_of(cells_path, &f));
    }
    for (int a = 0; a < 3; a++)
        ZS_RETURN_IF(o->size[a] < 1, ZS_EPARAM, "maxima size %lld along %c: the box is at least 1 voxel",
                     (long long)o->size[a], "xyz"[a]);
    ZS_RETURN_IF(o->has_threshold && !isfinite(o->threshold), ZS_EPARAM, "maxima threshold %g: a finite number",
                 o->threshold);
    ZS_RETURN_IF(o->min_size < 0 || o->max_size < 0 || (o->max_size && o->min_size > o->max_size), ZS_EPARAM,
                 "min-size %lld, max-size %lld: both >= 0 and min-size <= max-size", (long long)o->min_size,
                 (long long)o->max_size);
    ZS_RETURN_IF(in->shape[3] > 1, ZS_EUNSUPPORTED, "%s: a series of %lld volumes: detect cells in one volume",
                 in->path, (long long)in->shape[3]);
    if (o->intensity) {
        const zs_volume_info *v = zs_volume_get_info(o->intensity);
        ZS_RETURN_IF(v->shape[0] != in->shape[0] || v->shape[1] != in->shape[1] || v->shape[2] != in->shape[2] ||
                         v->shape[3] > 1,
                     ZS_EPARAM, "intensity %s: shape %lldx%lldx%lld, the input %s is %lldx%lldx%lld", v->path,
                     (long long)v->shape[0], (long long)v->shape[1], (long long)v->shape[2], in->path,
                     (long long)in->shape[0], (long long)in->shape[1], (long long)in->shape[2]);
    }
    return ZS_OK;
}

zs_status zs_detect_plan(const zs_volume_info *in, zs_pipeline *pipe, const zs_detect_opts *o,
                         const zs_plan_opts *popts, zs_plan **out)
{
    ZS_RETURN_IF(!in || !pipe || !o || !popts || !out, ZS_EINVAL, "zs_detect_plan: an argument is NULL");
    ZS_FORWARD(zs_detect_check(in, o, NULL));
    char spec[160];
    int n = snprintf(spec, sizeof spec, "localmax:size=%lldx%lldx%lld", (long long)o->size[0], (long long)o->size[1],
                     (long long)o->size[2]);
    if (o->has_threshold) snprintf(spec + n, sizeof spec - (size_t)n, ":threshold=%.17g", o->threshold);
    ZS_FORWARD(zs_pipeline_add(pipe, spec));
    return zs_label_plan(in, pipe, popts, 1, out);
}

/* The kept components of L as cells (those of min_intensity and more). */
static zs_status collect(const zs_labeling *L, const zs_detect_opts *o, zs_cells *C)
{
    const uint64_t n = zs_label_components(L);
    C->c = malloc((size_t)(n ? n : 1) * sizeof *C->c);
    ZS_RETURN_IF(!C->c, ZS_ENOMEM, "out of memory for %llu cells", (unsigned long long)n);
    const zs_volume_info *in = &zs__label_plan(L)->in;
    const double um = zs__um_per_unit(in);
    for (int a = 0; a < 3; a++) C->um[a] = um > 0 ? in->voxel[a] * um : 0;
    for (uint64_t k = 0; k < n; k++) {
        zs_label_row r;
        zs__label_row(L, k, &r);
        if (o->has_min_intensity && !(r.imax >= o->min_intensity)) continue;
        zs_cell *c = &C->c[C->n++];
        for (int a = 0; a < 3; a++) c->pos[a] = r.s[a] / (double)r.count;
        c->size = r.count;
        c->value = r.vmax;
        c->intensity = r.imax;
    }
    return ZS_OK;
}

/* The labels' options of a detection: its maxima (finite values), 26-connected, numbered z, y, x. */
static void label_opts_of(const zs_detect_opts *o, zs_label_opts *lo)
{
    zs_label_opts_default(lo);
    lo->connectivity = 26;
    lo->has_threshold = 1; /* the maxima are the finite values: NaN marks the rest */
    lo->threshold = -INFINITY;
    lo->numbering = ZS_NUMBER_ZYX;
    lo->min_size = o->min_size;
    lo->max_size = o->max_size;
    lo->intensity = o->intensity;
    lo->table = 1;
    lo->stop = o->stop;
}

/* The cells of a counted labeling L (freed here). */
static zs_status cells_of(zs_labeling *L, const zs_detect_opts *o, zs_cells **out)
{
    zs_cells *C = calloc(1, sizeof *C);
    zs_status st = C ? collect(L, o, C) : ZS_ERR(ZS_ENOMEM, "out of memory");
    zs_label_free(L);
    if (st < 0) {
        zs_cells_free(C);
        return st;
    }
    *out = C;
    return ZS_OK;
}

zs_status zs_detect_run(const zs_plan *plan, const zs_volume *in, const zs_detect_opts *o, zs_cells **out)
{
    ZS_RETURN_IF(!plan || !in || !o || !out, ZS_EINVAL, "zs_detect_run: an argument is NULL");
    *out = NULL;
    ZS_FORWARD(zs_detect_check(zs_volume_get_info(in), o, NULL));
    zs_label_opts lo;
    label_opts_of(o, &lo);
    zs_labeling *L = NULL;
    ZS_FORWARD(zs_label_count(plan, in, &lo, &L));
    return cells_of(L, o, out);
}

/* ---- parts and resumed runs: the labels' journal of records (label_parts.c) ------------- */

zs_status zs_detect_journal_attach(zs_journal *j, const zs_plan *plan, const zs_volume *in, const zs_detect_opts *o)
{
    ZS_RETURN_IF(!j || !plan || !in || !o, ZS_EINVAL, "zs_detect_journal_attach: an argument is NULL");
    ZS_FORWARD(zs_detect_check(zs_volume_get_info(in), o, NULL));
    zs_label_opts lo;
    label_opts_of(o, &lo);
    char extra[64] = "detect";
    if (o->has_min_intensity) snprintf(extra, sizeof extra, "detect min-intensity=%.17g", o->min_intensity);
    return zs_label_journal_attach(j, plan, in, &lo, extra);
}

zs_status zs_detect_run_part(const zs_plan *plan, const zs_volume *in, const zs_detect_opts *o, zs_journal *j,
                             int *finisher)
{
    ZS_RETURN_IF(!plan || !in || !o || !finisher, ZS_EINVAL, "zs_detect_run_part: an argument is NULL");
    *finisher = 0;
    zs_label_opts lo;
    label_opts_of(o, &lo);
    ZS_FORWARD(zs_label_count_part(plan, in, &lo, j));
    return zs_label_journal_finisher(j, finisher);
}

zs_status zs_detect_run_records(const zs_plan *plan, const zs_volume *in, const zs_detect_opts *o, const zs_journal *j,
                                zs_cells **out)
{
    ZS_RETURN_IF(!plan || !in || !o || !out, ZS_EINVAL, "zs_detect_run_records: an argument is NULL");
    *out = NULL;
    zs_label_opts lo;
    label_opts_of(o, &lo);
    zs_labeling *L = NULL;
    ZS_FORWARD(zs_label_count_records(plan, in, &lo, j, &L));
    return cells_of(L, o, out);
}

uint64_t zs_cells_count(const zs_cells *c) { return c ? c->n : 0; }

void zs_cells_free(zs_cells *c)
{
    if (!c) return;
    free(c->c);
    free(c);
}
