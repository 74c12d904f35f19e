/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Resampling: options, the output's geometry, the per-axis weights and the plan.
 *
 * Weights follow scipy.ndimage.zoom(grid_mode=True, mode='nearest') (ni_interpolation.c's
 * zoom_shift): with zoom = n_in / n_out, output index k samples the input at
 * cc = (k + 0.5) * zoom - 0.5, clamped to [0, n_in - 1]; order 0 takes floor(cc + 0.5), order 1
 * takes floor(cc) with weight 1 - (cc - floor(cc)) and the next index (clamped) with 1 minus
 * that. The output extent is round(n_in * zoom) with Python's round (half to even). `area`
 * averages the input over [k s, (k + 1) s), s = n_in / n_out, each voxel weighted by its
 * overlap (OpenCV's INTER_AREA). */
#include "resample_internal.h"
#include "error_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[] = {"auto", "area", "linear", "nearest", "antialias", NULL};
static const char axis_name[3] = {'x', 'y', 'z'};

void zs_resample_opts_default(zs_resample_opts *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    for (int d = 0; d < 3; d++) o->voxel[d] = o->factor[d] = 1.0;
}

zs_status zs_resample_method_parse(const char *s, zs_resample_method *out)
{
    for (int i = 0; s && method_names[i]; i++)
        if (strcmp(s, method_names[i]) == 0) {
            *out = (zs_resample_method)i;
            return ZS_OK;
        }
    return ZS_ERR(ZS_EINVAL, "method '%s': use area, linear, nearest or antialias", s ? s : "");
}

const char *zs_resample_method_name(zs_resample_method m)
{
    return (unsigned)m <= ZS_RESAMPLE_ANTIALIAS ? method_names[m] : "?";
}

zs_resample_method zs__resample_method(zs_resample_method m, const int64_t in[3], const int64_t out[3])
{
    if (m != ZS_RESAMPLE_AUTO) return m;
    for (int d = 0; d < 3; d++)
        if (out[d] > in[d]) return ZS_RESAMPLE_LINEAR;
    return ZS_RESAMPLE_AREA;
}

/* Micrometres per unit; 0: not a unit known here. */
static double unit_um(const char *u)
{
    static const struct {
        const char *name;
        double um;
    } units[] = {{"nm", 1e-3}, {"um", 1.0}, {"micron", 1.0}, {"\xc2\xb5m", 1.0}, {"mm", 1e3}, {"cm", 1e4}, {"m", 1e6}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(u, units[i].name) == 0) return units[i].um;
    return 0;
}

/* The zoom of each axis (output voxels per input voxel) from the target voxel size. */
static zs_status voxel_zoom(const zs_volume_info *in, const zs_resample_opts *o, double zoom[3])
{
    double scale = 1.0; /* the target's unit in the input's */
    if (o->unit[0]) {
        ZS_RETURN_IF(!in->unit[0], ZS_EINVAL,
                     "%s: voxel size: the input has no voxel size, so a target in %s means nothing (give it "
                     "without a unit, in input voxels, or use the shape or factor)",
                     in->path, o->unit);
        const double a = unit_um(o->unit), b = unit_um(in->unit);
        ZS_RETURN_IF(a == 0, ZS_EINVAL, "voxel size: unknown unit '%s' (nm, um, mm, cm, m)", o->unit);
        ZS_RETURN_IF(b == 0 && strcmp(o->unit, in->unit) != 0, ZS_EINVAL,
                     "%s: voxel size: the input's unit '%s' cannot be converted to %s", in->path, in->unit, o->unit);
        scale = b == 0 ? 1.0 : a / b;
    }
    for (int d = 0; d < 3; d++) {
        ZS_RETURN_IF(!(o->voxel[d] > 0) || !isfinite(o->voxel[d]), ZS_EINVAL,
                     "voxel size %g along %c: sizes must be positive", o->voxel[d], axis_name[d]);
        zoom[d] = in->voxel[d] / (o->voxel[d] * scale);
    }
    return ZS_OK;
}

static zs_status target_shape(const zs_volume_info *in, const zs_resample_opts *o, int64_t out[3])
{
    double zoom[3];
    if (o->target == ZS_TARGET_SHAPE) {
        for (int d = 0; d < 3; d++) {
            ZS_RETURN_IF(o->shape[d] <= 0, ZS_EINVAL, "shape %lld along %c: extents must be positive",
                         (long long)o->shape[d], axis_name[d]);
            out[d] = o->shape[d];
        }
        return ZS_OK;
    }
    if (o->target == ZS_TARGET_FACTOR) {
        for (int d = 0; d < 3; d++) {
            ZS_RETURN_IF(!(o->factor[d] > 0) || !isfinite(o->factor[d]), ZS_EINVAL,
                         "factor %g along %c: factors must be positive", o->factor[d], axis_name[d]);
            zoom[d] = o->factor[d];
        }
    } else {
        ZS_RETURN_IF(o->target != ZS_TARGET_VOXEL, ZS_EINVAL, "target %d is not one of zs_resample_target",
                     (int)o->target);
        ZS_FORWARD(voxel_zoom(in, o, zoom));
    }
    for (int d = 0; d < 3; d++) {
        const double n = nearbyint((double)in->shape[d] * zoom[d]); /* Python's round: half to even */
        ZS_RETURN_IF(!(n >= 1) || n > 9e15, ZS_EINVAL, "%s: %s along %c gives %g voxels (from %lld)", in->path,
                     o->target == ZS_TARGET_FACTOR ? "factor" : "voxel size", axis_name[d], n, (long long)in->shape[d]);
        out[d] = (int64_t)n;
    }
    return ZS_OK;
}

zs_status zs_resample_spec(const zs_volume_info *in, const zs_resample_opts *o, zs_volume_info *spec)
{
    ZS_RETURN_IF(!in || !o || !spec, ZS_EINVAL, "zs_resample_spec: no input, options or spec given");
    ZS_CHECK_UNSTABLE(o, "zs_resample_opts");
    ZS_RETURN_IF(in->shape[3] > 1, ZS_EUNSUPPORTED, "%s: a series of %lld volumes: resample one volume of it", in->path,
                 (long long)in->shape[3]);
    ZS_RETURN_IF((unsigned)o->method > ZS_RESAMPLE_ANTIALIAS, ZS_EINVAL, "method %d is not one of zs_resample_method",
                 (int)o->method);
    int64_t out[3];
    ZS_FORWARD(target_shape(in, o, out));
    const zs_resample_method m = zs__resample_method(o->method, in->shape, out);
    /* area and antialias shrink (antialias equals skimage's resize only there: skimage samples a
     * growing axis with mode mirror, linear here with nearest, as scipy's zoom) */
    for (int d = 0; d < 3; d++)
        ZS_RETURN_IF((m == ZS_RESAMPLE_AREA || m == ZS_RESAMPLE_ANTIALIAS) && out[d] > in->shape[d], ZS_EINVAL,
                     "%s: method %s: the target is finer than the input along %c (%lld -> %lld voxels): %s only "
                     "shrinks; use linear or nearest",
                     in->path, method_names[m], axis_name[d], (long long)in->shape[d], (long long)out[d],
                     method_names[m]);
    for (int d = 0; d < 3; d++) {
        spec->voxel[d] = in->voxel[d] * (double)in->shape[d] / (double)out[d];
        spec->shape[d] = out[d];
    }
    snprintf(spec->unit, sizeof spec->unit, "%s", in->unit);
    return ZS_OK;
}

zs_resample_method zs_resample_method_used(const zs_volume_info *in, const zs_resample_opts *o)
{
    zs_volume_info spec = *in;
    if (zs_resample_spec(in, o, &spec) < 0) return ZS_RESAMPLE_AUTO;
    return zs__resample_method(o->method, in->shape, spec.shape);
}

/* ---- per-axis weights ------------------------------------------------------------------ */

void zs__raxis_free(zs_raxis *a)
{
    free(a->off);
    free(a->idx);
    free(a->w);
    memset(a, 0, sizeof *a);
}

/* scipy's sampling position of output index k, clamped as mode 'nearest' clamps it. */
static double grid_coord(int64_t k, double zoom, int64_t n_in)
{
    double cc = ((double)k + 0.5) * zoom - 0.5;
    if (cc < 0) cc = 0;
    if (cc > (double)(n_in - 1)) cc = (double)(n_in - 1);
    return cc;
}

/* Entries of output k: nearest 1, linear 2, area those overlapping its footprint. */
static int64_t fill_entries(zs_resample_method m, const zs_raxis *a, int64_t k, int64_t *idx, double *w)
{
    const int64_t n = a->n_in;
    const double zoom = (double)n / (double)a->n_out;
    if (m == ZS_RESAMPLE_NEAREST) {
        idx[0] = (int64_t)floor(grid_coord(k, zoom, n) + 0.5);
        w[0] = 1.0;
        return 1;
    }
    if (m != ZS_RESAMPLE_AREA) {
        const double cc = grid_coord(k, zoom, n), f = floor(cc);
        idx[0] = (int64_t)f;
        idx[1] = idx[0] + 1 < n ? idx[0] + 1 : n - 1;
        w[0] = 1.0 - (cc - f);
        w[1] = 1.0 - w[0]; /* scipy: the weights sum to 1 */
        return 2;
    }
    const double lo = (double)k * zoom, hi = k + 1 == a->n_out ? (double)n : (double)(k + 1) * zoom;
    int64_t c = 0;
    for (int64_t i = (int64_t)floor(lo); i < n && (double)i < hi; i++) {
        const double ov = fmin(hi, (double)(i + 1)) - fmax(lo, (double)i);
        if (ov <= 0) continue;
        idx[c] = i;
        w[c++] = ov / zoom;
    }
    return c;
}

zs_status zs__raxis_build(zs_resample_method m, int64_t n_in, int64_t n_out, zs_raxis *a)
{
    memset(a, 0, sizeof *a);
    a->n_in = n_in, a->n_out = n_out;
    /* entries per output: area at most ceil(zoom) + 1 */
    const int64_t per = m == ZS_RESAMPLE_AREA ? (int64_t)ceil((double)n_in / (double)n_out) + 2 : 2;
    a->off = malloc((size_t)(n_out + 1) * sizeof *a->off);
    a->idx = malloc((size_t)(n_out * per) * sizeof *a->idx);
    a->w = malloc((size_t)(n_out * per) * sizeof *a->w);
    if (!a->off || !a->idx || !a->w) {
        zs__raxis_free(a);
        return ZS_ERR(ZS_ENOMEM, "out of memory for the weights of an axis of %lld voxels", (long long)n_out);
    }
    a->off[0] = 0;
    for (int64_t k = 0; k < n_out; k++)
        a->off[k + 1] = a->off[k] + fill_entries(m, a, k, a->idx + a->off[k], a->w + a->off[k]);
    return ZS_OK;
}

/* ---- the plan -------------------------------------------------------------------------- */

/* Appends skimage's anti-aliasing Gaussian: sigma max(0, (n_in / n_out - 1) / 2) per axis, mode
 * mirror (skimage's 'reflect'). */
static zs_status add_antialias(zs_pipeline *pipe, const zs_volume_info *in, const int64_t out[3])
{
    double s[3];
    for (int d = 0; d < 3; d++) s[d] = fmax(0.0, ((double)in->shape[d] / (double)out[d] - 1.0) / 2.0);
    char spec[160];
    snprintf(spec, sizeof spec, "gaussian:sigma=%.17gx%.17gx%.17g:mode=mirror", s[0], s[1], s[2]);
    return zs_pipeline_add(pipe, spec);
}

/* Bytes a worker holds beyond the plan and its slab: the input's rows resampled in x, and a few
 * output planes (the plane, its conversion, seam partials). */
static uint64_t worker_extra(const zs_volume_info *in, const int64_t out[3])
{
    const uint64_t pout = (uint64_t)out[0] * (uint64_t)out[1];
    return 8 * ((uint64_t)in->shape[1] * (uint64_t)out[0] + 6 * pout);
}

/* The tallest slab (a multiple of align) whose planes, per worker, and the workers' buffers fit in
 * the budget beside the plan's own peak; 0 when not even `align` planes fit. */
static int64_t slab_fit(const zs_plan *p, const zs_volume_info *in, const int64_t out[3], int64_t align)
{
    const uint64_t plane = (uint64_t)in->shape[0] * (uint64_t)in->shape[1] * p->work_size;
    const uint64_t held = p->peak_bytes + (uint64_t)p->threads * worker_extra(in, out);
    const uint64_t room = p->mem_budget > held ? p->mem_budget - held : 0;
    const uint64_t per = 2 * (uint64_t)p->threads * plane; /* a worker's slab buffer (reduce.c), and as much again */
    const int64_t h = per ? (int64_t)(room / per) / align * align : p->slab;
    return h < p->slab ? h : p->slab;
}

/* Records wait for the slabs before them (reduce.c merges in slab order), so a worker's whole run
 * of slabs may hold its records at once while another worker finishes an earlier run. A record is
 * the output planes that cross its slab's two seams, in double: runs are cut so that every
 * worker's run of records fits a quarter of the budget (one slab a run at least). */
static uint64_t record_bytes(const zs_volume_info *in, const int64_t out[3])
{
    const uint64_t plane = (uint64_t)out[0] * (uint64_t)out[1] * sizeof(double);
    const uint64_t per_seam = (uint64_t)((out[2] + in->shape[2] - 1) / in->shape[2]) + 1;
    return 2 * per_seam * plane;
}

/* Runs short enough for the records; a budget that cannot hold two records a worker even then
 * (its own and one waiting: upsampling in z to large planes) is refused, naming what they need. */
static zs_status bound_runs(zs_plan *p, const zs_volume_info *in, const int64_t out[3], const zs_plan_opts *opts)
{
    const uint64_t record = record_bytes(in, out) * (uint64_t)p->threads;
    const uint64_t fit = record ? p->mem_budget / 4 / record : (uint64_t)p->run_slabs;
    if (fit < (uint64_t)p->run_slabs) p->run_slabs = fit > 1 ? (int64_t)fit : 1;
    if (2 * record > p->mem_budget)
        return ZS_ERR_DETAIL(
            ZS_EINVAL, ZS_REASON_BUDGET, zs__budget_params(opts), 2 * record, NULL,
            "%s: a memory budget of %.1f MiB is too small to resample to %lldx%lldx%lld: the output planes at "
            "the slabs' seams (partial sums in double) need %.1f MiB for %d worker(s); raise the budget or "
            "lower the threads",
            in->path, (double)p->mem_budget / 1048576.0, (long long)out[0], (long long)out[1], (long long)out[2],
            (double)(2 * record) / 1048576.0, p->threads);
    return ZS_OK;
}

zs_status zs_resample_plan(const zs_volume_info *in, zs_pipeline *pipe, const zs_plan_opts *opts,
                           const zs_resample_opts *ro, zs_plan **out)
{
    ZS_RETURN_IF(!in || !pipe || !opts || !ro || !out, ZS_EINVAL, "zs_resample_plan: an argument is missing");
    zs_volume_info spec = *in;
    ZS_FORWARD(zs_resample_spec(in, ro, &spec));
    if (zs__resample_method(ro->method, in->shape, spec.shape) == ZS_RESAMPLE_ANTIALIAS)
        ZS_FORWARD(add_antialias(pipe, in, spec.shape));
    zs_plan_opts po;
    ZS_FORWARD(ZS_SIZED_IN(&po, opts, zs_plan_opts));
    const int64_t align = opts->z_align > 1 ? opts->z_align : 1;
    for (;;) {
        ZS_FORWARD(zs_reduce_plan(in, pipe, &po, out)); /* whole planes, or bands when those do not fit */
        const zs_plan *p = *out;
        if (opts->slab > 0 || p->nslabs == 0) break;
        const int64_t h = slab_fit(p, in, spec.shape, align);
        if (h >= p->slab) break;
        const int fewer = h == 0 && opts->threads <= 0 && p->threads > 1; /* workers the budget cannot hold */
        po.threads = fewer ? p->threads - 1 : po.threads;
        po.slab = fewer ? 0 : h > 0 ? h : align; /* the least: `align` planes per worker */
        if (!fewer && po.slab >= p->slab) break;
        zs_plan_free(*out);
        *out = NULL;
    }
    const zs_status st = bound_runs(*out, in, spec.shape, opts);
    if (st < 0) {
        zs_plan_free(*out);
        *out = NULL;
    }
    return st;
}
