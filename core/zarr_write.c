/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Writing OME-Zarr (NGFF 0.4) images as Zarr v2: OUT is a group directory with .zgroup, .zattrs
 * (one multiscale: axes z, y, x, with t first for a series, and the voxel size as the scale of
 * dataset "0") and the array 0/: C order (t, z, y, x), so that a plane is contiguous, chunk
 * files 0/z/y/x (dimension_separator "/"), fill_value 0.
 *
 * Chunks: zs_create_opts.chunk, by default 32 planes x 256 x 256 voxels (bounded by the shape): 2 Mi voxels, a few MiB
 * a chunk, which compresses well and keeps the number of files and metadata reads small, while
 * 32 planes keeps the layers that a worker must hold whole small next to a slab's height.
 * write_planes takes whole planes; a layer of chunks (chunk-z planes) that the call covers is
 * encoded and written at once by the calling worker, in parallel with the other workers (the
 * planner starts slabs on layers: zs__zarr_z_align). A call that covers only part of a layer
 * (a plan made without that alignment)
 * copies its planes into that layer's buffer under a lock; the call that completes the layer
 * encodes it. So any order of calls is correct, and aligned calls never wait for each other.
 *
 * The whole output is written as OUT.partial/ (claimed by a lock on OUT.partial/.zgroup, so a
 * second run for OUT is refused) and renamed to OUT at commit; an uncommitted output's tree is
 * removed. Replacing an existing OUT (force) renames it aside first, then removes it: there is
 * never a mix of two outputs under the name. */
#include "zarr_internal.h"
#include "error_internal.h"

#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CHUNK_Z  32
#define DEFAULT_CHUNK_XY 256

static int64_t bounded(int64_t want, int64_t n) { return want > 0 && want < n ? want : n > 0 ? n : 1; }

typedef struct layer {
    unsigned char *buf; /* the layer's planes gathered so far (owner: the writer) */
    int64_t have;       /* planes in buf */
} layer;

typedef struct zarr_writer {
    int writer; /* 1 (fmt_zarr.c's reader state starts with 0) */
    zarr_codec codec;
    int64_t nx, ny, nz, nt;
    int64_t cx, cy, cz;          /* chunk shape */
    size_t es;                   /* bytes per element */
    char dir[ZS_PATH_MAX];       /* the group directory being written: OUT.partial, or OUT when direct */
    zs_file_id dir_id;           /* its identity, as claimed */
    char array[ZS_PATH_MAX + 8]; /* dir/0 */
    int direct;
    pthread_mutex_t lock; /* the partial layers */
    layer *layers;        /* nt * nlayers */
    int64_t nlayers;
    _Atomic int64_t written;  /* planes written */
    int tdim;                 /* the array has a t dimension first (chunk keys t/z/y/x) */
    int levels;               /* pyramid levels after the first (zs_create_opts.pyramid) */
    int level;                /* this array's level (0: the volume) */
    const zs_volume *v;       /* the volume written (its stop flag) */
    struct zarr_writer *next; /* the next level (owner: this writer), or NULL */
    zarr_fold *fold;          /* this level's layers into the next's (owner: this writer) */
} zarr_writer;

/* ---- metadata ---------------------------------------------------------------------------------- */

static zs_status write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot create", path);
    const size_t n = strlen(text);
    const ssize_t w = write(fd, text, n);
    int err = errno;
    if (w == (ssize_t)n && fdatasync(fd) != 0)
        err = errno; /* a journal publishes the output next */
    else if (w == (ssize_t)n)
        err = 0;
    if (close(fd) != 0 || w != (ssize_t)n || err)
        return ZS_ERR_SYS(zs__status_from_errno(err ? err : errno), err ? err : errno, "%s: cannot write", path);
    return ZS_OK;
}

static const char *ngff_unit(const char *unit)
{
    static const struct {
        const char *unit, *ngff;
    } units[] = {{"um", "micrometer"}, {"nm", "nanometer"}, {"mm", "millimeter"}, {"cm", "centimeter"}, {"m", "meter"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].unit) == 0) return units[i].ngff;
    return NULL;
}

/* Level k's coordinateTransformations: its scale and (k > 0) the translation to the centre of
 * the voxels of level 0 its first voxel covers (as ngff-zarr places them). */
static int level_transform(char *buf, size_t n, const zarr_writer *w, const zs_volume_info *info, int k)
{
    zs_pyramid_level lv;
    zs__pyramid_level(info->shape, info->voxel, k, &lv);
    assert(isfinite(lv.voxel[0]) && isfinite(lv.voxel[1]) && isfinite(lv.voxel[2]));
    const char *t = w->nt > 1 ? "1.0, " : "";
    int len = snprintf(buf, n, "[{\"type\": \"scale\", \"scale\": [%s%.17g, %.17g, %.17g]}", t, lv.voxel[2],
                       lv.voxel[1], lv.voxel[0]);
    if (k > 0)
        len += snprintf(buf + len, n - (size_t)len,
                        ", {\"type\": \"translation\", \"translation\": [%s%.17g, %.17g, %.17g]}",
                        w->nt > 1 ? "0.0, " : "", lv.origin[2], lv.origin[1], lv.origin[0]);
    return len + snprintf(buf + len, n - (size_t)len, "]");
}

/* The group's .zattrs: one multiscale of levels 0..last, each with the scale the pyramid's rule
 * gives it (zs__pyramid_level). */
static zs_status write_zattrs(const zarr_writer *w, const zs_volume_info *info, int last)
{
    char text[16384], unit[64] = "";
    const char *u = ngff_unit(info->unit);
    if (u) snprintf(unit, sizeof unit, ", \"unit\": \"%s\"", u);
    int len = snprintf(text, sizeof text, "{\n    \"multiscales\": [\n        {\n            \"axes\": [\n%s",
                       w->nt > 1 ? "                {\"name\": \"t\", \"type\": \"time\"},\n" : "");
    static const char *const names[3] = {"z", "y", "x"};
    for (int k = 0; k < 3; k++)
        len +=
            snprintf(text + len, sizeof text - (size_t)len,
                     "                {\"name\": \"%s\", \"type\": \"space\"%s}%s\n", names[k], unit, k < 2 ? "," : "");
    len += snprintf(text + len, sizeof text - (size_t)len, "            ],\n            \"datasets\": [\n");
    for (int k = 0; k <= last; k++) {
        char tr[512];
        level_transform(tr, sizeof tr, w, info, k);
        len += snprintf(text + len, sizeof text - (size_t)len,
                        "                {\n                    \"path\": \"%d\",\n"
                        "                    \"coordinateTransformations\": %s\n                }%s\n",
                        k, tr, k < last ? "," : "");
    }
    len += snprintf(
        text + len, sizeof text - (size_t)len,
        "            ],\n            \"name\": \"\",\n            \"version\": \"0.4\"\n        }\n    ]\n}\n");
    ZS_RETURN_IF(len >= (int)sizeof text, ZS_EINTERNAL, "%s: .zattrs too long", w->dir);
    char path[ZS_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/.zattrs", w->dir);
    return write_text(path, text);
}

static zs_status write_zarray(const zarr_writer *w, const zs_volume_info *info)
{
    char text[2048], descr[8], comp[256], shape[128], chunks[128];
    zs_dtype_descr(info->dtype, descr, sizeof descr);
    zs__zarr_codec_json(&w->codec, comp, sizeof comp);
    if (w->nt > 1) {
        snprintf(shape, sizeof shape, "%lld, %lld, %lld, %lld", (long long)w->nt, (long long)w->nz, (long long)w->ny,
                 (long long)w->nx);
        snprintf(chunks, sizeof chunks, "1, %lld, %lld, %lld", (long long)w->cz, (long long)w->cy, (long long)w->cx);
    } else {
        snprintf(shape, sizeof shape, "%lld, %lld, %lld", (long long)w->nz, (long long)w->ny, (long long)w->nx);
        snprintf(chunks, sizeof chunks, "%lld, %lld, %lld", (long long)w->cz, (long long)w->cy, (long long)w->cx);
    }
    snprintf(text, sizeof text,
             "{\n    \"chunks\": [%s],\n    \"compressor\": %s,\n    \"dimension_separator\": \"/\",\n"
             "    \"dtype\": \"%s\",\n    \"fill_value\": 0,\n    \"filters\": null,\n    \"order\": \"C\",\n"
             "    \"shape\": [%s],\n    \"zarr_format\": 2\n}\n",
             chunks, comp, descr, shape);
    char path[ZS_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/.zarray", w->array);
    return write_text(path, text);
}

/* ---- chunks ------------------------------------------------------------------------------------ */

static zs_status make_dir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return ZS_OK;
    return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot create the directory", path);
}

static zs_status write_chunk(const zarr_writer *w, const char *file, const unsigned char *chunk, size_t n)
{
    void *enc = NULL;
    size_t en = 0;
    ZS_FORWARD(zs__zarr_encode(&w->codec, file, chunk, n, w->es, &enc, &en));
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    zs_status st = ZS_OK;
    if (fd < 0) st = ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot create", file);
    size_t done = 0;
    const int e = st == ZS_OK ? zs__write_full(fd, enc, en, -1, 1, &done) : 0;
    if (st == ZS_OK && (e || done < en))
        st = ZS_ERR_SYS(zs__status_from_errno(e ? e : EIO), e ? e : EIO, "%s: cannot write", file);
    if (fd >= 0 && close(fd) != 0 && st == ZS_OK)
        st = ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot close", file);
    free(enc);
    return st;
}

/* Gathers chunk (ky, kx) of a layer of h planes (F order, x fastest) into a C-order chunk. */
static void gather_chunk(const zarr_writer *w, const unsigned char *planes, int64_t h, int64_t ky, int64_t kx,
                         unsigned char *chunk)
{
    const int64_t x0 = kx * w->cx, y0 = ky * w->cy;
    const int64_t wx = w->nx - x0 < w->cx ? w->nx - x0 : w->cx, wy = w->ny - y0 < w->cy ? w->ny - y0 : w->cy;
    const size_t es = w->es, row = (size_t)w->cx * es;
    if (wx < w->cx || wy < w->cy || h < w->cz) memset(chunk, 0, (size_t)(w->cz * w->cy) * row); /* edge: fill 0 */
    for (int64_t z = 0; z < h; z++)
        for (int64_t y = 0; y < wy; y++)
            memcpy(chunk + (size_t)(z * w->cy + y) * row,
                   planes + ((size_t)(z * w->ny + y0 + y) * (size_t)w->nx + (size_t)x0) * es, (size_t)wx * es);
}

/* Encodes and writes every chunk of layer L of volume t from its planes. */
static zs_status write_layer(const zarr_writer *w, int64_t t, int64_t L, const unsigned char *planes)
{
    const int64_t h = (L + 1) * w->cz <= w->nz ? w->cz : w->nz - L * w->cz;
    const size_t n = (size_t)(w->cz * w->cy * w->cx) * w->es;
    char dir[ZS_PATH_MAX + 64], file[ZS_PATH_MAX + 128];
    if (w->tdim) {
        snprintf(dir, sizeof dir, "%s/%lld", w->array, (long long)t);
        ZS_FORWARD(make_dir(dir));
        snprintf(dir, sizeof dir, "%s/%lld/%lld", w->array, (long long)t, (long long)L);
    } else
        snprintf(dir, sizeof dir, "%s/%lld", w->array, (long long)L);
    ZS_FORWARD(make_dir(dir));
    unsigned char *chunk = malloc(n);
    ZS_RETURN_IF(!chunk, ZS_ENOMEM, "%s: out of memory for a chunk of %zu bytes", dir, n);
    zs_status st = ZS_OK;
    for (int64_t ky = 0; st == ZS_OK && ky * w->cy < w->ny; ky++) {
        snprintf(file, sizeof file, "%s/%lld", dir, (long long)ky);
        st = make_dir(file);
        for (int64_t kx = 0; st == ZS_OK && kx * w->cx < w->nx; kx++) {
            snprintf(file, sizeof file, "%s/%lld/%lld", dir, (long long)ky, (long long)kx);
            gather_chunk(w, planes, h, ky, kx, chunk);
            st = write_chunk(w, file, chunk, n);
        }
    }
    free(chunk);
    return st;
}

static zs_status put_layer(zarr_writer *w, int64_t t, int64_t L, const unsigned char *planes);

/* Planes [z0,z1) of layer L, part of the layer: kept until the layer is complete. */
static zs_status add_to_layer(zarr_writer *w, int64_t t, int64_t L, int64_t z0, int64_t z1, const unsigned char *src)
{
    const int64_t lz0 = L * w->cz, h = lz0 + w->cz <= w->nz ? w->cz : w->nz - lz0;
    const size_t plane = (size_t)(w->nx * w->ny) * w->es;
    layer *l = &w->layers[t * w->nlayers + L];
    unsigned char *full = NULL;
    pthread_mutex_lock(&w->lock);
    if (!l->buf) l->buf = malloc((size_t)h * plane);
    if (l->buf) {
        memcpy(l->buf + (size_t)(z0 - lz0) * plane, src, (size_t)(z1 - z0) * plane);
        l->have += z1 - z0;
        if (l->have == h) full = l->buf, l->buf = NULL;
    }
    const int oom = !l->buf && !full;
    pthread_mutex_unlock(&w->lock);
    ZS_RETURN_IF(oom, ZS_ENOMEM, "%s: out of memory for a layer of chunks", w->dir);
    if (!full) return ZS_OK;
    zs_status st = put_layer(w, t, L, full);
    free(full);
    return st;
}

static zs_status zarr_write_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, const void *src)
{
    zarr_writer *w = v->fmt_state;
    const size_t plane = (size_t)(w->nx * w->ny) * w->es;
    const unsigned char *s = src;
    for (int64_t L = z0 / w->cz; L * w->cz < z1; L++) {
        const int64_t lz0 = L * w->cz, lz1 = lz0 + w->cz < w->nz ? lz0 + w->cz : w->nz;
        const int64_t a = z0 > lz0 ? z0 : lz0, b = z1 < lz1 ? z1 : lz1;
        if (a == lz0 && b == lz1)
            ZS_FORWARD(put_layer(w, t, L, s + (size_t)(lz0 - z0) * plane));
        else
            ZS_FORWARD(add_to_layer(w, t, L, a, b, s + (size_t)(a - z0) * plane));
    }
    atomic_fetch_add(&w->written, z1 - z0);
    return ZS_OK;
}

/* ---- the pyramid: each level folded from the one before as its layers are written ----------------- */

/* The run's stop flag (a signal, a caller's progress: zs__volume_set_stop) is polled before each
 * layer of a level: the levels are part of the run, and stop like it. */
static zs_status check_stop(const zs_volume *v, int k)
{
    ZS_RETURN_IF(v->stop && *v->stop, ZS_ECANCELED, "%s: stopped while pyramid level %d was built", v->final_path, k);
    return ZS_OK;
}

/* Test hook ZS_TEST_SLAB_DELAY_MS (run.c's sleep before each slab): the same sleep before each layer
 * of a pyramid level, so that a signal reliably arrives while the levels are built. Not for
 * production use. */
static int test_delay_ms(void)
{
    const char *d = getenv("ZS_TEST_SLAB_DELAY_MS");
    const int ms = d ? atoi(d) : 0;
    return ms > 0 && ms <= 60000 ? ms : 0;
}

static zs_status level_layer_done(void *user, int64_t t, int64_t L, const unsigned char *planes)
{
    zarr_writer *w = user;
    const int ms = test_delay_ms();
    if (ms) usleep((useconds_t)ms * 1000u); /* test hook */
    ZS_FORWARD(check_stop(w->v, w->level));
    return put_layer(w, t, L, planes);
}

/* Writes the whole layer L of volume t of w's level, then folds it into the next level (whose
 * layers it completes are written the same way, and so on up the pyramid). */
static zs_status put_layer(zarr_writer *w, int64_t t, int64_t L, const unsigned char *planes)
{
    ZS_FORWARD(write_layer(w, t, L, planes));
    const int64_t z0 = L * w->cz, z1 = z0 + w->cz < w->nz ? z0 + w->cz : w->nz;
    if (w->level > 0) atomic_fetch_add(&w->written, z1 - z0);
    if (!w->next) return ZS_OK;
    return zs__zarr_fold_planes(w->fold, t, z0, z1, planes, level_layer_done, w->next);
}

/* Level k's array k/ (k >= 1; shape by the pyramid's rule, the chunks of level 0 bounded by it),
 * fed by the layers of level k-1 (below). */
static zs_status add_level(const zs_volume *v, zarr_writer *below, int k)
{
    zs_pyramid_level lv;
    zs__pyramid_level(v->info.shape, v->info.voxel, k, &lv);
    zarr_writer *to = calloc(1, sizeof *to);
    ZS_RETURN_IF(!to, ZS_ENOMEM, "%s: out of memory for pyramid level %d", below->dir, k);
    below->next = to; /* freed with level 0 */
    pthread_mutex_init(&to->lock, NULL);
    to->writer = 1, to->codec = below->codec, to->es = below->es, to->nt = below->nt, to->tdim = below->tdim;
    to->direct = below->direct, to->dir_id = below->dir_id, to->level = k, to->v = v;
    snprintf(to->dir, sizeof to->dir, "%s", below->dir);
    to->nx = lv.shape[0], to->ny = lv.shape[1], to->nz = lv.shape[2];
    to->cx = bounded(below->cx, to->nx), to->cy = bounded(below->cy, to->ny), to->cz = bounded(below->cz, to->nz);
    to->nlayers = (to->nz + to->cz - 1) / to->cz;
    ZS_RETURN_IF(snprintf(to->array, sizeof to->array, "%s/%d", below->dir, k) >= (int)sizeof to->array, ZS_EINVAL,
                 "%s: path too long", below->dir);
    ZS_FORWARD(make_dir(to->array));
    ZS_FORWARD(write_zarray(to, &v->info));
    const int64_t from[3] = {below->nx, below->ny, below->nz};
    return zs__zarr_fold_new(from, lv.shape, lv.f, to->cz, to->nt, v->info.dtype, &below->fold);
}

static void free_levels(zarr_writer *w)
{
    for (zarr_writer *l = w->next, *n; l; l = n) {
        n = l->next;
        zs__zarr_fold_free(l->fold);
        pthread_mutex_destroy(&l->lock);
        free(l);
    }
    zs__zarr_fold_free(w->fold);
    w->fold = NULL, w->next = NULL;
}

/* ---- finishing ------------------------------------------------------------------------------------ */

static zs_status zarr_finish(zs_volume *v)
{
    zarr_writer *w = v->fmt_state;
    const int64_t n = atomic_load(&w->written);
    ZS_RETURN_IF(n < w->nz * w->nt, ZS_EINVAL, "%s: only %lld of %lld planes were written", v->final_path, (long long)n,
                 (long long)(w->nz * w->nt));
    if (!w->levels) return ZS_OK;
    for (const zarr_writer *l = w->next; l; l = l->next) { /* all made with level 0 */
        const int64_t m = atomic_load(&l->written);
        ZS_RETURN_IF(m != l->nz * l->nt, ZS_EINTERNAL, "%s: level %d has %lld of its %lld planes", v->final_path,
                     l->level, (long long)m, (long long)(l->nz * l->nt));
    }
    return write_zattrs(w, &v->info, w->levels); /* the levels are listed once they are complete */
}

/* OUT.partial → OUT; an existing OUT (replace) is renamed aside, then removed. */
static zs_status zarr_commit(zs_volume *v)
{
    zarr_writer *w = v->fmt_state;
    if (w->direct) return ZS_OK;
    struct stat st;
    if (lstat(v->final_path, &st) != 0 || !v->replace)
        return zs__rename_into_place(w->dir, v->final_path, 0, &w->dir_id);
    char old[ZS_PATH_MAX + 32];
    snprintf(old, sizeof old, "%s.replaced-%ld", v->final_path, (long)getpid());
    if (rename(v->final_path, old) != 0)
        return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot move the existing output aside to %s", v->final_path, old);
    zs_status s = zs__rename_into_place(w->dir, v->final_path, 0, &w->dir_id);
    if (s < 0) {
        (void)rename(old, v->final_path); /* the old output stays */
        return s;
    }
    const int e = zs__zarr_remove_tree(old);
    ZS_RETURN_IF(e != 0, ZS_EIO, "%s: written, but the replaced output %s could not be removed: %s", v->final_path, old,
                 strerror(e));
    return ZS_OK;
}

static void zarr_write_close(zs_volume *v)
{
    zarr_writer *w = v->fmt_state;
    if (!w) return;
    if (!v->committed && v->claimed && zs__is_claimed(w->dir, &w->dir_id)) (void)zs__zarr_remove_tree(w->dir);
    for (int64_t i = 0; w->layers && i < w->nt * w->nlayers; i++) free(w->layers[i].buf);
    free(w->layers);
    free_levels(w);
    pthread_mutex_destroy(&w->lock);
    free(w);
    v->fmt_state = NULL;
}

/* fsync of a file or a directory by name; a file that does not exist is not an error (a chunk
 * not written yet). */
static zs_status sync_path(const char *path, int dir)
{
    const int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? ZS_OK : ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot open", path);
    const int e = (dir ? fsync(fd) : fdatasync(fd)) == 0 ? 0 : errno;
    close(fd);
    return e ? ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: cannot sync to disk", path) : ZS_OK;
}

/* Makes the chunks of planes [z0,z1) of volume t durable, with the directory entries that name
 * them, so that a journal may record those planes next. Every layer they touch must be written
 * whole (the planner aligns journaled slabs to the layers). */
static zs_status zarr_sync(const zs_volume *v, int64_t t, int64_t z0, int64_t z1)
{
    zarr_writer *w = v->fmt_state;
    char dir[ZS_PATH_MAX + 64], file[ZS_PATH_MAX + 128];
    for (int64_t L = z0 / w->cz; L * w->cz < z1 && L < w->nlayers; L++) {
        pthread_mutex_lock(&w->lock);
        const int pending = w->layers[t * w->nlayers + L].have > 0;
        pthread_mutex_unlock(&w->lock);
        ZS_RETURN_IF(pending, ZS_EINTERNAL,
                     "%s: planes %lld-%lld cannot be made durable: their layer of chunks is not "
                     "complete",
                     w->dir, (long long)z0, (long long)z1 - 1);
        if (w->tdim)
            snprintf(dir, sizeof dir, "%s/%lld/%lld", w->array, (long long)t, (long long)L);
        else
            snprintf(dir, sizeof dir, "%s/%lld", w->array, (long long)L);
        for (int64_t ky = 0; ky * w->cy < w->ny; ky++) {
            for (int64_t kx = 0; kx * w->cx < w->nx; kx++) {
                snprintf(file, sizeof file, "%s/%lld/%lld", dir, (long long)ky, (long long)kx);
                ZS_FORWARD(sync_path(file, 0));
            }
            snprintf(file, sizeof file, "%s/%lld", dir, (long long)ky);
            ZS_FORWARD(sync_path(file, 1));
        }
        ZS_FORWARD(sync_path(dir, 1));
    }
    if (w->tdim) {
        snprintf(dir, sizeof dir, "%s/%lld", w->array, (long long)t);
        ZS_FORWARD(sync_path(dir, 1));
    }
    ZS_FORWARD(sync_path(w->array, 1));
    return sync_path(w->dir, 1);
}

static const zs_volume_io zarr_write_io = {.write_planes = zarr_write_planes,
                                           .finish = zarr_finish,
                                           .commit = zarr_commit,
                                           .close = zarr_write_close,
                                           .sync = zarr_sync};

static zs_status zarr_write_only(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, void *dst)
{
    (void)t, (void)z0, (void)z1, (void)dst;
    return ZS_ERR(ZS_EUNSUPPORTED,
                  "%s: a Zarr output opened for writing in place (mode r+) is not read back; open it "
                  "in mode r to read it",
                  v->info.path);
}

/* An existing output written in place (zs__zarr_reopen): no finish or commit (the journal that
 * opens it renames the directory), nothing removed when it is closed. */
static const zs_volume_io zarr_update_io = {
    .read_planes = zarr_write_only, .write_planes = zarr_write_planes, .close = zarr_write_close, .sync = zarr_sync};

/* ---- creating ------------------------------------------------------------------------------------ */

/* Removes what a killed run left in a claimed directory, except the claim itself (.zgroup). */
static zs_status clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot list the directory", dir);
    zs_status st = ZS_OK;
    for (struct dirent *e; st == ZS_OK && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".zgroup")) continue;
        char p[ZS_PATH_MAX + 256];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        const int err = zs__zarr_remove_tree(p);
        if (err) st = ZS_ERR_SYS(ZS_EIO, err, "%s: cannot remove what an earlier run left there", p);
    }
    closedir(d);
    return st;
}

int64_t zs__zarr_z_align(const zs_create_opts *o) { return o && o->chunk[2] > 0 ? o->chunk[2] : DEFAULT_CHUNK_Z; }

/* Shape, chunks and codec of the array to write. */
static zs_status layout(zarr_writer *w, const zs_volume_info *info, const zs_create_opts *o, const char *path)
{
    ZS_FORWARD(zs__zarr_codec_for(o->compress, path, &w->codec));
    w->nx = info->shape[0], w->ny = info->shape[1], w->nz = info->shape[2], w->nt = info->shape[3];
    w->es = zs_dtype_size(info->dtype);
    w->cx = bounded(o->chunk[0] ? o->chunk[0] : DEFAULT_CHUNK_XY, w->nx);
    w->cy = bounded(o->chunk[1] ? o->chunk[1] : DEFAULT_CHUNK_XY, w->ny);
    w->cz = bounded(zs__zarr_z_align(o), w->nz);
    ZS_RETURN_IF((uint64_t)(w->cx * w->cy) * (uint64_t)w->cz * w->es > ZARR_MAX_CHUNK_BYTES, ZS_EUNSUPPORTED,
                 "%s: chunks of more than %llu bytes are not supported", path,
                 (unsigned long long)ZARR_MAX_CHUNK_BYTES);
    w->nlayers = (w->nz + w->cz - 1) / w->cz;
    w->tdim = w->nt > 1; /* as write_zarray writes the shape */
    w->layers = calloc((size_t)(w->nt * w->nlayers), sizeof *w->layers);
    ZS_RETURN_IF(!w->layers, ZS_ENOMEM, "%s: out of memory", path);
    return ZS_OK;
}

/* The claimed group directory: .zgroup (the claim), .zattrs and 0/.zarray. */
static zs_status start_group(zs_volume *v, zarr_writer *w)
{
    char p[ZS_PATH_MAX + 16];
    int made = 0;
    ZS_FORWARD(zs__claim_dir(w->dir, v->final_path, &made, &w->dir_id));
    snprintf(p, sizeof p, "%s/.zgroup", w->dir);
    const zs_status claim = zs__claim_file(p, v->final_path, &v->claim_fd);
    if (claim < 0 && made) rmdir(w->dir);
    ZS_FORWARD(claim);
    v->claimed = 1;
    ZS_FORWARD(clear_dir(w->dir));
    static const char zgroup[] = "{\n    \"zarr_format\": 2\n}\n";
    if (pwrite(v->claim_fd, zgroup, sizeof zgroup - 1, 0) != (ssize_t)(sizeof zgroup - 1))
        return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot write", p);
    snprintf(w->array, sizeof w->array, "%s/0", w->dir);
    ZS_FORWARD(make_dir(w->array));
    ZS_FORWARD(write_zattrs(w, &v->info, 0));
    return write_zarray(w, &v->info);
}

zs_status zs__zarr_create(zs_volume *v, const zs_create_opts *o)
{
    zs_volume_info *info = &v->info;
    for (size_t n = strlen(v->final_path); n > 1 && v->final_path[n - 1] == '/'; n--) v->final_path[n - 1] = '\0';
    const char *path = v->final_path;
    snprintf(info->path, sizeof info->path, "%s", path);
    zarr_writer *w = calloc(1, sizeof *w);
    ZS_RETURN_IF(!w, ZS_ENOMEM, "%s: out of memory", path);
    w->writer = 1;
    pthread_mutex_init(&w->lock, NULL);
    v->fmt_state = w; /* freed by zarr_write_close */
    v->io = &zarr_write_io;
    ZS_FORWARD(layout(w, info, o, path));
    struct stat st;
    if (!o->force && lstat(path, &st) == 0) return ZS_ERR_EXISTS("%s: exists", path);
    w->direct = o->direct;
    w->levels = o->pyramid;
    w->v = v;
    snprintf(w->dir, sizeof w->dir, "%s%s", path, o->direct ? "" : ".partial");
    ZS_FORWARD(start_group(v, w));
    for (zarr_writer *l = w; l->level < w->levels; l = l->next) ZS_FORWARD(add_level(v, l, l->level + 1));
    info->format = ZS_FMT_ZARR;
    info->ndim = w->nt > 1 ? 4 : 3;
    info->version = 2;
    info->order = ZS_ORDER_F;
    info->decoded = 1;
    info->offset = 0;
    return zs_volume_info_sizes(info, NULL, NULL, &info->nbytes);
}

/* ---- an existing output, written in place (the parts of a journaled job) ----------------------- */

zs_status zs__zarr_reopen(zs_volume *v, const zs_zarr_array *a, const zs_zarr_axes *ax, const char *array_dir,
                          const char *group_dir)
{
    const char *path = v->info.path;
    const int n = a->ndim;
    int ours = a->version == 2 && !a->fortran && a->sep == '/' && !a->sharded && ax->named && (n == 3 || n == 4) &&
               (n == 3 || (ax->role[0] == 3 && a->chunks[0] == 1));
    for (int d = 0; ours && d < 3; d++) ours = ax->role[n - 1 - d] == d; /* the last dimensions are z, y, x */
    ZS_RETURN_IF(!ours, ZS_EUNSUPPORTED,
                 "%s: only Zarr v2 images as zslab writes them (C order, '/' chunk keys, axes (t,) z, y, x) can be "
                 "written in place (mode r+); write a new output instead",
                 path);
    zarr_writer *w = calloc(1, sizeof *w);
    ZS_RETURN_IF(!w, ZS_ENOMEM, "%s: out of memory", path);
    w->writer = 1;
    pthread_mutex_init(&w->lock, NULL);
    v->fmt_state = w; /* freed by zarr_write_close */
    v->io = &zarr_update_io;
    w->codec = a->codec;
    w->nx = v->info.shape[0], w->ny = v->info.shape[1], w->nz = v->info.shape[2], w->nt = v->info.shape[3];
    w->es = zs_dtype_size(v->info.dtype);
    w->cx = a->chunks[n - 1], w->cy = a->chunks[n - 2], w->cz = a->chunks[n - 3];
    w->tdim = n == 4; /* the array's own layout, also with a t of length 1 */
    w->nlayers = (w->nz + w->cz - 1) / w->cz;
    w->layers = calloc((size_t)(w->nt * w->nlayers), sizeof *w->layers);
    ZS_RETURN_IF(!w->layers, ZS_ENOMEM, "%s: out of memory", path);
    w->direct = 1;
    snprintf(w->dir, sizeof w->dir, "%s", group_dir[0] ? group_dir : array_dir);
    snprintf(w->array, sizeof w->array, "%s", array_dir);
    v->z_align = w->cz;
    /* the group's .zgroup: the claim a run that creates it holds; the parts of a job share it */
    char claim[ZS_PATH_MAX + 16];
    snprintf(claim, sizeof claim, "%s/%s", w->dir, group_dir[0] ? ".zgroup" : ".zarray");
    v->claim_fd = open(claim, O_RDONLY | O_CLOEXEC);
    ZS_RETURN_IF(v->claim_fd < 0, ZS_EIO, "%s: cannot open %s", path, claim);
    return ZS_OK;
}
