/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Previews: one pass over a volume, in bounded memory, to maximum-intensity projections (or a
 * plane), then an 8-bit image (include/zslab.h, group preview, says what the image shows).
 *
 * Memory. The projections are kept at full resolution in float32 (xy: nx*ny, xz: nx*nz,
 * zy: ny*nz values, those the view needs) and the volume is read in chunks of consecutive
 * planes through zs_slab_map, one chunk mapped at a time: at most 32 MiB, less when the budget
 * is tight. Each worker converts one row at a time to float32 (zs__to_f32: byte order, slope
 * and intercept) and folds it into the projections; the xz rows of a chunk are folded per
 * worker and merged after it. The budget must hold the projections, one chunk, the workers'
 * rows, the resampling buffers of the largest panel and ZS_PREVIEW_MARGIN for the process
 * itself (code, libraries, stacks): a budget too small for that is refused before anything is
 * read. What is never held: the stack, or any number of planes growing with its size.
 *
 * Contrast. The automatic range is taken from the projections themselves (what is shown),
 * not from the voxels: exact percentiles of the images in memory (preview_image.c), so the
 * stack is read once. For a MIP the low percentile is that of the maxima, which is the
 * background as the eye sees it in the projection. */
#include "preview_internal.h"
#include "zslab_detect.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ZS_PREVIEW_MARGIN  (16ull << 20)
#define ZS_PREVIEW_CHUNK   (32ull << 20)
#define ZS_PREVIEW_MAXSIDE 32768

/* A panel: which projection, and its size on the canvas and place. */
enum { P_XY, P_XZ, P_ZY, P_COUNT };
typedef struct panel {
    int used;
    int64_t w, h, x0, y0; /* on the canvas */
} panel;

typedef struct reducer {
    const zs_volume *v;
    const zs_volume_info *i;
    const zs_preview_opts *o;
    int64_t zlo, zhi; /* planes read */
    int threads;
    int64_t chunk;          /* planes per mapping */
    zs_fimage img[P_COUNT]; /* full-resolution projections: xy (nx x ny), xz (nx x nz), zy (nz x ny) */
    panel pan[P_COUNT];
    int64_t width, height; /* canvas */
    float *rows;           /* nx floats per worker */
    float *xzpart;         /* chunk * nx floats per worker */
} reducer;

/* The projections start at -inf and fold with v > d ? v : d (one vector max: a NaN v loses every
 * comparison, so NaN voxels are left out); rays that saw no number stay -inf and become NaN at the
 * end (unfold_empty). */
ZS_TARGET_CLONES static void fold_row(float *restrict d, const float *restrict v, int64_t n)
{
    for (int64_t x = 0; x < n; x++) d[x] = v[x] > d[x] ? v[x] : d[x];
}

/* The largest number of v[0..n), or -inf; overwrites v: folds its upper half onto its lower half
 * (vector maxima) until 16 values are left. */
static float row_max(float *v, int64_t n)
{
    while (n > 16) {
        const int64_t h = n / 2;
        fold_row(v, v + (n - h), h);
        n -= h;
    }
    float m = -INFINITY;
    for (int64_t x = 0; x < n; x++) m = v[x] > m ? v[x] : m;
    return m;
}

static double voxel_of(const zs_volume_info *i, int a)
{
    const double d = i->voxel[a];
    return d > 0 && isfinite(d) ? d : 1.0;
}

static int64_t at_least_1(double v) { return v < 1.5 ? 1 : (int64_t)llround(v); }

/* One panel of nu x nv voxels of sizes du, dv, alone on the canvas. */
static void layout_single(reducer *r, int p, int64_t nu, double du, int64_t nv, double dv)
{
    const double U = (double)nu * du, V = (double)nv * dv;
    const int64_t n = r->o->size;
    panel *q = &r->pan[p];
    q->used = 1;
    if (n <= 0) {
        const double px = du < dv ? du : dv;
        q->w = at_least_1(U / px), q->h = at_least_1(V / px);
    } else if (U >= V) {
        q->w = n, q->h = at_least_1((double)n * V / U);
    } else {
        q->h = n, q->w = at_least_1((double)n * U / V);
    }
    r->width = q->w, r->height = q->h;
}

/* The three-view: xy top left, zy to its right, xz below; the long side is o->size exactly. */
static void layout_three(reducer *r)
{
    const zs_volume_info *i = r->i;
    const double dx = voxel_of(i, 0), dy = voxel_of(i, 1), dz = voxel_of(i, 2);
    const double X = (double)i->shape[0] * dx, Y = (double)i->shape[1] * dy, Z = (double)i->shape[2] * dz;
    const int64_t n = r->o->size, g = ZS_PREVIEW_GAP;
    int64_t wx, hy, dzp;
    if (n <= 0) {
        const double px = fmin(dx, fmin(dy, dz));
        wx = at_least_1(X / px), hy = at_least_1(Y / px), dzp = at_least_1(Z / px);
    } else {
        const int64_t a = n - g;
        const double long_side = X >= Y ? X : Y;
        int64_t l = (int64_t)llround((double)a * long_side / (long_side + Z));
        l = l < 1 ? 1 : l > a - 1 ? a - 1 : l;
        dzp = a - l;
        const double px = (long_side + Z) / (double)a;
        wx = X >= Y ? l : at_least_1(X / px);
        hy = X >= Y ? at_least_1(Y / px) : l;
    }
    r->pan[P_XY] = (panel){1, wx, hy, 0, 0};
    r->pan[P_ZY] = (panel){1, dzp, hy, wx + g, 0};
    r->pan[P_XZ] = (panel){1, wx, dzp, 0, hy + g};
    r->width = wx + g + dzp, r->height = hy + g + dzp;
}

static zs_status layout(reducer *r)
{
    const zs_volume_info *i = r->i;
    const zs_preview_opts *o = r->o;
    const double dx = voxel_of(i, 0), dy = voxel_of(i, 1), dz = voxel_of(i, 2);
    if (o->view == ZS_VIEW_THREE) {
        ZS_RETURN_IF(o->size > 0 && o->size < 2 * ZS_PREVIEW_GAP + 2, ZS_EINVAL,
                     "preview: a three-view needs a size of at least %d pixels (got %lld)", 2 * ZS_PREVIEW_GAP + 2,
                     (long long)o->size);
        layout_three(r);
    } else if (o->view == ZS_VIEW_PLANE || o->axis == 2) {
        layout_single(r, P_XY, i->shape[0], dx, i->shape[1], dy);
    } else if (o->axis == 1) {
        layout_single(r, P_XZ, i->shape[0], dx, i->shape[2], dz);
    } else {
        layout_single(r, P_ZY, i->shape[2], dz, i->shape[1], dy);
    }
    ZS_RETURN_IF(r->width > ZS_PREVIEW_MAXSIDE || r->height > ZS_PREVIEW_MAXSIDE, ZS_EINVAL,
                 "%s: the preview would be %lld x %lld pixels (voxel size %gx%gx%g); give a smaller size (at most "
                 "%d pixels a side)",
                 i->path, (long long)r->width, (long long)r->height, dx, dy, dz, ZS_PREVIEW_MAXSIDE);
    const int64_t nx = i->shape[0], ny = i->shape[1], nz = r->zhi - r->zlo;
    r->img[P_XY] = (zs_fimage){nx, ny, NULL};
    r->img[P_XZ] = (zs_fimage){nx, nz, NULL};
    r->img[P_ZY] = (zs_fimage){nz, ny, NULL};
    return ZS_OK;
}

static double mib(uint64_t b) { return (double)b / 1048576.0; }

/* Chooses the chunk height from the budget (see the top of the file), or refuses the budget. */
static zs_status size_chunk(reducer *r)
{
    const zs_volume_info *i = r->i;
    const uint64_t nx = (uint64_t)i->shape[0], es = zs_dtype_size(i->dtype);
    const uint64_t plane = nx * (uint64_t)i->shape[1] * es, th = (uint64_t)r->threads;
    uint64_t proj = 0, resample = 0;
    for (int p = 0; p < P_COUNT; p++) {
        if (!r->pan[p].used) continue;
        const uint64_t w = (uint64_t)r->img[p].w, h = (uint64_t)r->img[p].h;
        const uint64_t pw = (uint64_t)r->pan[p].w, ph = (uint64_t)r->pan[p].h;
        proj += w * h * sizeof(float);
        const uint64_t mid = h * pw < ph * w ? h * pw : ph * w, need = (2 * mid + pw * ph) * sizeof(float);
        resample = need > resample ? need : resample;
    }
    const uint64_t canvas = (uint64_t)r->width * (uint64_t)r->height * 3;
    const uint64_t per_plane = plane + (r->pan[P_XZ].used ? th * nx * sizeof(float) : 0);
    const uint64_t fixed = ZS_PREVIEW_MARGIN + proj + th * nx * sizeof(float) + canvas + 65536 * 8;
    const uint64_t least = fixed + (per_plane > resample ? per_plane : resample);
    uint64_t budget = r->o->mem_budget;
    if (!budget) {
        /* no budget given: 256 MiB, or what the projections need when that is less than half the
         * available memory (a three-view of a very deep stack) */
        const uint64_t avail = zs_sys_available_memory() / 2;
        budget = least > (256ull << 20) && least <= avail ? least : 256ull << 20;
    }
    ZS_RETURN_IF(budget < least, ZS_EINVAL,
                 "%s: the memory budget of %.1f MiB is too small for this preview: it needs at least %.1f MiB "
                 "(projections %.1f MiB, one plane %.1f MiB, %.0f MiB for the process)",
                 i->path, mib(budget), mib(least), mib(proj), mib(plane), mib(ZS_PREVIEW_MARGIN));
    uint64_t room = budget - fixed;
    if (room > ZS_PREVIEW_CHUNK) room = ZS_PREVIEW_CHUNK;
    int64_t h = (int64_t)(room / per_plane);
    h = h < 1 ? 1 : h;
    r->chunk = h < r->zhi - r->zlo ? h : r->zhi - r->zlo;
    return ZS_OK;
}

static zs_status alloc_buffers(reducer *r)
{
    const size_t nx = (size_t)r->i->shape[0];
    for (int p = 0; p < P_COUNT; p++) {
        if (!r->pan[p].used) continue;
        const size_t n = (size_t)(r->img[p].w * r->img[p].h);
        r->img[p].px = zs__alloc(n * sizeof(float));
        ZS_RETURN_IF(!r->img[p].px, ZS_ENOMEM, "%s: out of memory for a %.1f MiB projection", r->i->path,
                     mib(n * sizeof(float)));
        for (size_t k = 0; k < n; k++) r->img[p].px[k] = -INFINITY;
    }
    r->rows = zs__alloc((size_t)r->threads * nx * sizeof(float));
    if (r->pan[P_XZ].used) r->xzpart = zs__alloc((size_t)r->threads * (size_t)r->chunk * nx * sizeof(float));
    ZS_RETURN_IF(!r->rows || (r->pan[P_XZ].used && !r->xzpart), ZS_ENOMEM, "%s: out of memory for preview rows",
                 r->i->path);
    return ZS_OK;
}

/* A chunk being folded: planes [z0, z0 + hz), data their voxels (F order). */
typedef struct fold_job {
    reducer *r;
    const unsigned char *data;
    int64_t z0, hz;
} fold_job;

/* Row y of every plane of the chunk, on one worker (its row buffer and its part of the XZ view). */
static zs_status fold_rows(void *arg, int64_t y, int worker)
{
    const fold_job *f = arg;
    reducer *r = f->r;
    const zs_volume_info *i = r->i;
    const int64_t nx = i->shape[0], ny = i->shape[1], nzp = r->img[P_ZY].w;
    const size_t es = zs_dtype_size(i->dtype);
    const int xy = r->pan[P_XY].used, xz = r->pan[P_XZ].used, zy = r->pan[P_ZY].used;
    float *row = r->rows + (size_t)worker * (size_t)nx;
    float *part = xz ? r->xzpart + (size_t)worker * (size_t)(r->chunk * nx) : NULL;
    for (int64_t k = 0; k < f->hz; k++) {
        zs__to_f32(f->data + (size_t)((k * ny + y) * nx) * es, i->dtype, (size_t)nx, i->slope, i->inter, row);
        if (xy) fold_row(r->img[P_XY].px + y * nx, row, nx);
        if (xz) fold_row(part + k * nx, row, nx);
        if (zy) r->img[P_ZY].px[y * nzp + (f->z0 - r->zlo) + k] = row_max(row, nx); /* last: overwrites row */
    }
    return ZS_OK;
}

/* Folds planes [z0, z0 + hz) (data: their voxels, F order) into the projections: rows on the
 * workers (maxima: the order they come in does not matter), then the workers' XZ parts. */
static zs_status fold_chunk(reducer *r, const unsigned char *data, int64_t z0, int64_t hz)
{
    const int64_t nx = r->i->shape[0];
    const int xz = r->pan[P_XZ].used;
    if (xz) /* each worker's part: hz rows of nx, at a stride of chunk rows */
        for (int t = 0; t < r->threads; t++)
            for (size_t k = 0; k < (size_t)(hz * nx); k++)
                r->xzpart[(size_t)t * (size_t)(r->chunk * nx) + k] = -INFINITY;
    fold_job f = {r, data, z0, hz};
    const zs_slab_loop loop = {.n = r->i->shape[1], .threads = r->threads, .run = fold_rows, .arg = &f};
    ZS_FORWARD(zs__slab_loop_run(&loop)); /* at most r->threads workers: the buffers' count */
    if (!xz) return ZS_OK;
    for (int t = 0; t < r->threads; t++)
        for (int64_t k = 0; k < hz; k++) {
            float *d = r->img[P_XZ].px + (z0 - r->zlo + k) * nx;
            fold_row(d, r->xzpart + (size_t)t * (size_t)(r->chunk * nx) + k * nx, nx);
        }
    return ZS_OK;
}

/* Rays without a number (only NaN voxels, or -inf ones) become NaN: shown as 0, left out of the
 * percentiles. */
static void unfold_empty(reducer *r)
{
    for (int p = 0; p < P_COUNT; p++)
        if (r->pan[p].used)
            for (int64_t k = 0; k < r->img[p].w * r->img[p].h; k++)
                if (r->img[p].px[k] == -INFINITY) r->img[p].px[k] = NAN;
}

/* Asks the kernel to start reading planes [z0, z1) while the workers fold the chunk before them
 * (a volume that is one byte range; others read through their format). */
static void prefetch(const reducer *r, int64_t z0, int64_t z1) { zs__volume_willneed(r->v, r->o->t, z0, z1); }

static zs_status read_all(reducer *r)
{
    for (int64_t z0 = r->zlo; z0 < r->zhi; z0 += r->chunk) {
        const int64_t z1 = z0 + r->chunk < r->zhi ? z0 + r->chunk : r->zhi;
        zs_slab s;
        zs_mapping m;
        ZS_FORWARD(zs_slab_make(r->i, r->o->t, z0, z1, 0, &s));
        ZS_FORWARD(zs_slab_map(r->v, &s, &m));
        prefetch(r, z1, z1 + r->chunk < r->zhi ? z1 + r->chunk : r->zhi);
        const zs_status st = fold_chunk(r, m.data, z0, z1 - z0);
        const zs_status un = zs_slab_unmap(&m);
        ZS_FORWARD(st);
        ZS_FORWARD(un);
    }
    unfold_empty(r);
    return ZS_OK;
}

/* Contrast from the projections, then each panel resampled and painted. */
static zs_status render(reducer *r, zs_image *img)
{
    const zs_preview_opts *o = r->o;
    const zs_fimage *used[P_COUNT];
    int n = 0;
    for (int p = 0; p < P_COUNT; p++)
        if (r->pan[p].used) used[n++] = &r->img[p];
    if (o->auto_range)
        zs__fimage_percentiles(used, n, o->plo, o->phi, &img->lo, &img->hi);
    else
        img->lo = o->lo, img->hi = o->hi;
    for (int p = 0; p < P_COUNT; p++) {
        if (!r->pan[p].used) continue;
        zs_fimage f;
        ZS_FORWARD(zs__fimage_resample(&r->img[p], r->pan[p].w, r->pan[p].h, &f));
        zs__fimage_paint(&f, img->lo, img->hi, o->cmap, img, r->pan[p].x0, r->pan[p].y0);
        zs__free(f.px);
    }
    return ZS_OK;
}

static zs_status check_opts(const zs_volume_info *i, const zs_preview_opts *o)
{
    ZS_RETURN_IF(o->view < ZS_VIEW_MIP || o->view > ZS_VIEW_THREE, ZS_EINVAL, "preview: unknown view %d", (int)o->view);
    ZS_RETURN_IF(o->view == ZS_VIEW_MIP && (o->axis < 0 || o->axis > 2), ZS_EINVAL,
                 "preview: axis %d (use 0 for x, 1 for y, 2 for z)", o->axis);
    ZS_RETURN_IF(o->view == ZS_VIEW_PLANE && (o->z < 0 || o->z >= i->shape[2]), ZS_EINVAL,
                 "%s: plane z=%lld is outside the volume's planes 0..%lld", i->path, (long long)o->z,
                 (long long)i->shape[2] - 1);
    ZS_RETURN_IF(o->t < 0 || o->t >= i->shape[3], ZS_EINVAL, "%s: volume t=%lld of a series of %lld", i->path,
                 (long long)o->t, (long long)i->shape[3]);
    ZS_RETURN_IF(o->auto_range && !(o->plo >= 0 && o->plo <= o->phi && o->phi <= 100), ZS_EINVAL,
                 "preview: percentiles %g and %g (want 0 <= low <= high <= 100)", o->plo, o->phi);
    ZS_RETURN_IF(!o->auto_range && !(isfinite(o->lo) && isfinite(o->hi) && o->hi > o->lo), ZS_EINVAL,
                 "preview: range %g:%g (want finite values, low < high)", o->lo, o->hi);
    ZS_RETURN_IF(o->size < 0, ZS_EINVAL, "preview: negative size %lld", (long long)o->size);
    return ZS_OK;
}

static void reducer_free(reducer *r)
{
    for (int p = 0; p < P_COUNT; p++) ZS_FREE(r->img[p].px);
    ZS_FREE(r->rows);
    ZS_FREE(r->xzpart);
}

zs_status zs_preview_make(const zs_volume *v, const zs_preview_opts *o, zs_image **out)
{
    *out = NULL;
    zs_preview_opts local;
    ZS_FORWARD(ZS_SIZED_IN(&local, o, zs_preview_opts));
    o = &local;
    zs__test_crash_on(zs_volume_get_info(v)->path, "preview");
    reducer r;
    memset(&r, 0, sizeof r);
    r.v = v, r.i = zs_volume_get_info(v), r.o = o;
    ZS_FORWARD(check_opts(r.i, o));
    r.zlo = o->view == ZS_VIEW_PLANE ? o->z : 0;
    r.zhi = o->view == ZS_VIEW_PLANE ? o->z + 1 : r.i->shape[2];
    r.threads = o->threads > 0 ? o->threads : zs_sys_threads();
    ZS_FORWARD(layout(&r));
    ZS_FORWARD(size_chunk(&r));
    zs_image *img = calloc(1, sizeof *img);
    zs_status st = img ? alloc_buffers(&r) : ZS_ERR(ZS_ENOMEM, "preview: out of memory");
    if (st == ZS_OK) {
        img->width = r.width, img->height = r.height;
        img->channels = o->cmap == ZS_CMAP_GREY ? 1 : 3;
        img->pixels = calloc((size_t)(r.width * r.height * img->channels), 1);
        if (!img->pixels) st = ZS_ERR(ZS_ENOMEM, "preview: out of memory for the image");
    }
    if (st == ZS_OK) st = read_all(&r);
    if (st == ZS_OK) {
        ZS_FREE(r.xzpart);
        ZS_FREE(r.rows);
        st = render(&r, img);
    }
    reducer_free(&r);
    if (st < 0) {
        zs_image_free(img);
        return st;
    }
    *out = img;
    return ZS_OK;
}

void zs_image_free(zs_image *img)
{
    if (!img) return;
    free(img->pixels);
    free(img);
}

/* ---- cells marked on a preview (zslab_detect.h) --------------------------------------- */

/* A red square ring of radius 2 pixels around pixel (u, v) of panel q, clipped to the panel: the
 * cell's own pixel stays visible. */
static void mark_at(zs_image *img, const panel *q, double u, double v)
{
    const int64_t cu = q->x0 + (int64_t)floor(u), cv = q->y0 + (int64_t)floor(v);
    for (int64_t dv = -2; dv <= 2; dv++)
        for (int64_t du = -2; du <= 2; du++) {
            const int64_t x = cu + du, y = cv + dv;
            if ((du > -2 && du < 2 && dv > -2 && dv < 2) || x < q->x0 || x >= q->x0 + q->w || y < q->y0 ||
                y >= q->y0 + q->h)
                continue;
            unsigned char *px = img->pixels + ((size_t)y * (size_t)img->width + (size_t)x) * 3;
            px[0] = 255, px[1] = 0, px[2] = 0;
        }
}

/* A grey image as RGB (the marks are red). */
static zs_status to_rgb(zs_image *img)
{
    if (img->channels == 3) return ZS_OK;
    const size_t n = (size_t)img->width * (size_t)img->height;
    unsigned char *rgb = malloc(n * 3);
    ZS_RETURN_IF(!rgb, ZS_ENOMEM, "preview: out of memory for the marks");
    for (size_t k = 0; k < n; k++) rgb[3 * k] = rgb[3 * k + 1] = rgb[3 * k + 2] = img->pixels[k];
    free(img->pixels);
    img->pixels = rgb;
    img->channels = 3;
    return ZS_OK;
}

zs_status zs_preview_mark_cells(const zs_volume_info *in, const zs_preview_opts *o, const double *xyz, int64_t n,
                                zs_image *img)
{
    ZS_RETURN_IF(!in || !o || !img || (n && !xyz), ZS_EINVAL, "zs_preview_mark_cells: an argument is NULL");
    zs_preview_opts local;
    ZS_FORWARD(ZS_SIZED_IN(&local, o, zs_preview_opts));
    reducer r;
    memset(&r, 0, sizeof r);
    r.i = in, r.o = &local;
    ZS_FORWARD(check_opts(in, &local));
    r.zlo = local.view == ZS_VIEW_PLANE ? local.z : 0;
    r.zhi = local.view == ZS_VIEW_PLANE ? local.z + 1 : in->shape[2];
    ZS_FORWARD(layout(&r));
    ZS_RETURN_IF(img->width != r.width || img->height != r.height, ZS_EINVAL,
                 "%s: the image is %lld x %lld pixels, this preview's %lld x %lld", in->path, (long long)img->width,
                 (long long)img->height, (long long)r.width, (long long)r.height);
    ZS_FORWARD(to_rgb(img));
    const double nx = (double)in->shape[0], ny = (double)in->shape[1], nz = (double)in->shape[2];
    for (int64_t k = 0; k < n; k++) {
        const double x = xyz[3 * k] + 0.5, y = xyz[3 * k + 1] + 0.5, z = xyz[3 * k + 2] + 0.5;
        const panel *q = r.pan;
        if (q[P_XY].used && (local.view != ZS_VIEW_PLANE || fabs(z - 0.5 - (double)local.z) <= 2.0))
            mark_at(img, &q[P_XY], x * (double)q[P_XY].w / nx, y * (double)q[P_XY].h / ny);
        if (q[P_XZ].used) mark_at(img, &q[P_XZ], x * (double)q[P_XZ].w / nx, z * (double)q[P_XZ].h / nz);
        if (q[P_ZY].used) mark_at(img, &q[P_ZY], z * (double)q[P_ZY].w / nz, y * (double)q[P_ZY].h / ny);
    }
    return ZS_OK;
}
