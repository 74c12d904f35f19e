/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Volumes: open an existing file (r, r+, c) or create one (w+), and describe it. */
#include "volume_internal.h"
#include "error_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void zs__voxel_normalize(zs_volume_info *info)
{
    int bad = 0;
    for (int i = 0; i < 3; i++)
        if (!(isfinite(info->voxel[i]) && info->voxel[i] > 0)) info->voxel[i] = 1.0, bad = 1;
    if (bad) info->unit[0] = '\0'; /* no physical size: sizes in um are refused */
}

zs_status zs_volume_info_sizes(const zs_volume_info *given, uint64_t *plane_bytes, uint64_t *volume_bytes,
                               uint64_t *total_bytes)
{
    ZS_RETURN_IF(!given, ZS_EINVAL, "zs_volume_info_sizes: no descriptor given");
    zs_volume_info local;
    ZS_FORWARD(ZS_SIZED_IN(&local, given, zs_volume_info));
    const zs_volume_info *info = &local;
    uint64_t es = zs_dtype_size(info->dtype), plane, vol, total;
    ZS_RETURN_IF(es == 0, ZS_EINVAL, "%s: invalid dtype", info->path);
    for (int i = 0; i < 4; i++)
        ZS_RETURN_IF(info->shape[i] < 0, ZS_EFORMAT, "%s: dimension %d is %lld (must be >= 0)", info->path, i,
                     (long long)info->shape[i]);
    if (!zs__mul_u64((uint64_t)info->shape[0], (uint64_t)info->shape[1], &plane) || !zs__mul_u64(plane, es, &plane) ||
        !zs__mul_u64(plane, (uint64_t)info->shape[2], &vol) || !zs__mul_u64(vol, (uint64_t)info->shape[3], &total) ||
        total > (uint64_t)INT64_MAX)
        return ZS_ERR(ZS_EOVERFLOW, "%s: shape %lldx%lldx%lldx%lld of %s overflows a 64-bit byte count", info->path,
                      (long long)info->shape[0], (long long)info->shape[1], (long long)info->shape[2],
                      (long long)info->shape[3], zs_dtype_name(info->dtype));
    if (plane_bytes) *plane_bytes = plane;
    if (volume_bytes) *volume_bytes = vol;
    if (total_bytes) *total_bytes = total;
    return ZS_OK;
}

zs_status zs__check_fits(zs_volume_info *info, uint64_t file_size, uint64_t header_bytes)
{
    uint64_t total, end;
    ZS_FORWARD(zs_volume_info_sizes(info, NULL, NULL, &total));
    info->nbytes = total;
    if (!zs__add_u64(info->offset, total, &end) || end > file_size) {
        uint64_t avail = file_size > info->offset ? file_size - info->offset : 0;
        char dt[8];
        zs_dtype_descr(info->dtype, dt, sizeof dt);
        return ZS_ERR(ZS_EFORMAT,
                      "%s: header says %llu voxels of %s (%llu bytes) but the file holds %llu bytes "
                      "after the %llu-byte header (truncated file or lying header)",
                      info->path, (unsigned long long)(total / zs_dtype_size(info->dtype)), zs_dtype_name(info->dtype),
                      (unsigned long long)total, (unsigned long long)avail, (unsigned long long)header_bytes);
    }
    return ZS_OK;
}

void zs__detached_data_name(const char *path, char *out, size_t n)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    const size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    snprintf(out, n, "%.*s.raw", (int)stem, path);
}

static zs_status parse_mode(const char *m, const char *path, zs_mode *out)
{
    if (!m || strcmp(m, "r") == 0)
        *out = ZS_MODE_R;
    else if (strcmp(m, "r+") == 0)
        *out = ZS_MODE_RW;
    else if (strcmp(m, "c") == 0)
        *out = ZS_MODE_COW;
    else
        return ZS_ERR(ZS_EINVAL, "%s: unknown open mode '%s' (use r, r+ or c; w+ is zs_volume_create)", path, m);
    return ZS_OK;
}

/* Reads the first bytes of the file for the header parser. */
static zs_status read_head(int fd, const char *path, uint64_t file_size, unsigned char **buf, size_t *n)
{
    size_t want = file_size < ZS_MAX_HEADER ? (size_t)file_size : ZS_MAX_HEADER, got = 0;
    *buf = malloc(want ? want : 1);
    ZS_RETURN_IF(!*buf, ZS_ENOMEM, "%s: out of memory reading the header", path);
    const int e = zs__read_full(fd, *buf, want, 0, 1, &got);
    if (e) {
        free(*buf);
        *buf = NULL;
        return ZS_ERR_SYS(ZS_EIO, e, "%s: cannot read the header", path);
    }
    *n = got;
    return ZS_OK;
}

/* Headers that keep the voxels in another file (.mhd, .nhdr): the volume's fd becomes the
 * data file's, and the data must fit in it. */
static zs_status open_data_file(zs_volume *v)
{
    zs_volume_info *info = &v->info;
    if (!info->data_path[0]) snprintf(info->data_path, sizeof info->data_path, "%s", info->path);
    if (strcmp(info->data_path, info->path) == 0) return ZS_OK;
    int fd = -1;
    struct stat st;
    ZS_FORWARD(zs__open_regular(info->data_path, v->mode == ZS_MODE_RW ? O_RDWR : O_RDONLY, &fd, &st));
    close(v->fd);
    v->fd = fd;
    v->file_size = (uint64_t)st.st_size;
    uint64_t total = 0;
    ZS_FORWARD(zs_volume_info_sizes(info, NULL, NULL, &total));
    if (info->offset == ZS_OFFSET_FROM_END) info->offset = v->file_size >= total ? v->file_size - total : 0;
    char path[ZS_PATH_MAX];
    snprintf(path, sizeof path, "%s", info->path); /* messages name the data file */
    snprintf(info->path, sizeof info->path, "%s", info->data_path);
    zs_status s = zs__check_fits(info, v->file_size, info->offset);
    snprintf(info->path, sizeof info->path, "%s", path);
    return s;
}

/* A file whose name says nothing: the format whose magic bytes it starts with, else NULL. */
static const zs_format_ops *sniff(int fd)
{
    unsigned char magic[64] = {0};
    const ssize_t n = pread(fd, magic, sizeof magic, 0);
    for (int i = 0; n > 0 && zs__format_at(i); i++)
        if (zs__format_at(i)->sniff && zs__format_at(i)->sniff(magic, (size_t)n)) return zs__format_at(i);
    return NULL;
}

/* The registry's fallback (raw): the last entry. */
static const zs_format_ops *fallback(void)
{
    int i = 0;
    while (zs__format_at(i + 1)) i++;
    return zs__format_at(i);
}

zs_status zs_volume_identify(const char *path, zs_format *out)
{
    ZS_RETURN_IF(!path || !*path || !out, ZS_EINVAL, "zs_volume_identify: no path given");
    ZS_FORWARD(zs__format_from_name(path, out));
    if (zs__format_ops(*out) != fallback()) return ZS_OK;
    int fd = -1;
    ZS_FORWARD(zs__open_regular(path, O_RDONLY, &fd, NULL));
    const zs_format_ops *f = sniff(fd);
    if (f) *out = f->desc.format;
    close(fd);
    return ZS_OK;
}

static zs_status open_describe(zs_volume *v, const char *path, const zs_open_opts *o)
{
    zs_volume_info *info = &v->info;
    if (v->ops == fallback() && o->raw_ndim == 0 && v->fd >= 0) { /* TIFF by any name */
        const zs_format_ops *f = sniff(v->fd);
        if (f) v->ops = f;
    }
    if (v->ops->open) return v->ops->open(v, o);
    unsigned char *head = NULL;
    size_t n = 0;
    ZS_FORWARD(read_head(v->fd, path, v->file_size, &head, &n));
    zs_status st = v->ops->parse(head, n, v->file_size, info);
    free(head);
    if (st == ZS_OK) st = open_data_file(v);
    return st;
}

zs_status zs_volume_open(const char *path, const zs_open_opts *opts, zs_volume **out)
{
    zs_open_opts o;
    *out = NULL;
    ZS_FORWARD(ZS_SIZED_IN(&o, opts, zs_open_opts));
    opts = &o;
    ZS_RETURN_IF(!path || !*path, ZS_EINVAL, "no input file given");
    ZS_RETURN_IF(strlen(path) >= ZS_PATH_MAX, ZS_EINVAL, "%.64s...: path too long", path);
    zs__test_crash_on(path, "open");
    zs_mode mode = ZS_MODE_R;
    ZS_FORWARD(parse_mode(opts->mode, path, &mode));
    zs_format fmt = opts->format;
    if (fmt == ZS_FMT_AUTO) ZS_FORWARD(zs__format_from_name(path, &fmt));
    const zs_format_ops *ops = zs__format_ops(fmt);
    ZS_RETURN_IF(!ops || !(ops->desc.flags & ZS_FORMAT_READ), ZS_EINVAL, "%s: unknown format %d", path, (int)fmt);
    int fd = -1;
    struct stat st;
    memset(&st, 0, sizeof st);
    if (!(ops->desc.flags & ZS_FORMAT_FILES)) { /* one file: the format opens its own files otherwise */
        if (stat(path, &st) != 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot open", path);
        ZS_RETURN_IF(S_ISDIR(st.st_mode), ZS_EINVAL, "%s: is a directory, not a volume file", path);
        ZS_RETURN_IF(st.st_size == 0 && S_ISREG(st.st_mode), ZS_EFORMAT, "%s: empty file", path);
        ZS_FORWARD(zs__open_regular(path, mode == ZS_MODE_RW ? O_RDWR : O_RDONLY, &fd, &st));
    }
    zs_volume *v = calloc(1, sizeof *v);
    if (!v) {
        if (fd >= 0) close(fd);
        return ZS_ERR(ZS_ENOMEM, "%s: out of memory", path);
    }
    v->claim_fd = -1;
    zs_volume_info_init(&v->info);
    snprintf(v->info.path, sizeof v->info.path, "%s", path);
    v->fd = fd;
    v->mode = mode;
    v->file_size = (uint64_t)st.st_size;
    v->committed = 1;
    v->ops = ops;
    zs_status s = open_describe(v, path, opts);
    zs__voxel_normalize(&v->info);
    if (s == ZS_OK && !v->info.data_path[0]) snprintf(v->info.data_path, sizeof v->info.data_path, "%s", path);
    if (s == ZS_OK && v->io && mode == ZS_MODE_RW && !v->io->write_planes)
        s = ZS_ERR(ZS_EUNSUPPORTED,
                   "%s: %s volumes whose planes are decoded (compressed or scattered pages, plane "
                   "series) cannot be opened for writing in place (mode r+); write a new output instead",
                   path, zs_format_name(v->info.format));
    if (s < 0) {
        zs_volume_free(v);
        return s;
    }
    *out = v;
    return ZS_OK;
}

static zs_status write_all(int fd, const char *path, const unsigned char *buf, size_t n)
{
    size_t done;
    const int e = zs__write_full(fd, buf, n, 0, 1, &done);
    if (e) return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: cannot write the header", path);
    ZS_RETURN_IF(done < n, ZS_EIO, "%s: cannot write the header (no progress at byte %zu)", path, done);
    return ZS_OK;
}

/* .mhd and .nhdr keep the voxels in a data file beside the header ("x.mhd" → "x.raw"): the
 * header goes to info.path, the data to info.data_path (both .partial until commit), and the
 * volume's fd becomes the data file's. */

static zs_status create_data_file(zs_volume *v, const zs_create_opts *o)
{
    zs_volume_info *info = &v->info;
    struct stat st;
    if (stat(v->final_data_path, &st) == 0 && !o->force)
        return ZS_ERR_EXISTS("%s: its data file %s exists", v->final_path, v->final_data_path);
    snprintf(info->data_path, sizeof info->data_path, o->direct ? "%s" : "%s.partial", v->final_data_path);
    int fd = -1;
    ZS_FORWARD(zs__claim_file(info->data_path, v->final_path, &fd));
    v->claim_fd = v->fd; /* the header's file: kept open (and locked) as the output's claim */
    v->fd = fd;
    v->data_claimed = 1;
    return zs__file_id(fd, info->data_path, &v->data_id);
}

static zs_status create_file(zs_volume *v, const zs_create_opts *o)
{
    zs_volume_info *info = &v->info;
    if (v->ops->create) {
        snprintf(info->data_path, sizeof info->data_path, "%s", info->path);
        return v->ops->create(v, o);
    }
    const int detached = v->ops->detached && zs__name_has_suffix(v->final_path, v->ops->detached);
    if (detached) zs__detached_data_name(v->final_path, v->final_data_path, sizeof v->final_data_path);
    snprintf(info->data_path, sizeof info->data_path, "%s", detached ? v->final_data_path : "");
    if (v->ops->writer_for) v->ops = v->ops->writer_for(info);
    unsigned char *hdr = calloc(1, 65536);
    ZS_RETURN_IF(!hdr, ZS_ENOMEM, "%s: out of memory", v->final_path);
    int64_t hn = v->ops->write_header(info, hdr, 65536);
    if (hn < 0) {
        free(hdr);
        return (zs_status)hn;
    }
    uint64_t total = 0, end = 0;
    zs_status st = zs_volume_info_sizes(info, NULL, NULL, &total);
    if (st == ZS_OK && !zs__add_u64(info->offset, total, &end))
        st = ZS_ERR(ZS_EOVERFLOW, "%s: file size overflows", v->final_path);
    if (st == ZS_OK) {
        info->nbytes = total;
        st = write_all(v->fd, info->path, hdr, (size_t)hn);
    }
    free(hdr);
    if (st == ZS_OK && detached) st = create_data_file(v, o);
    if (st == ZS_OK && !detached) snprintf(info->data_path, sizeof info->data_path, "%s", info->path);
    ZS_FORWARD(st);
    int e = posix_fallocate(v->fd, 0, (off_t)end);
    if (e == EINVAL || e == EOPNOTSUPP) e = ftruncate(v->fd, (off_t)end) == 0 ? 0 : errno;
    if (e != 0)
        return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: cannot allocate %llu bytes", v->final_path,
                          (unsigned long long)end);
    v->file_size = end;
    return ZS_OK;
}

/* What the format must be able to write: the path free (or forced), an empty volume, the compression, chunks and
 * pyramid asked for. */
static zs_status check_new_volume(const char *path, const zs_volume_info *spec, const zs_create_opts *opts,
                                  zs_format fmt, const zs_format_ops *ops)
{
    const int files = (ops->desc.flags & ZS_FORMAT_FILES) != 0;
    struct stat st;
    if (!files && stat(path, &st) == 0) { /* a series checks each plane's file */
        ZS_RETURN_IF(S_ISDIR(st.st_mode), ZS_EINVAL, "%s: is a directory", path);
        if (!opts->force) return ZS_ERR_EXISTS("%s: exists", path);
    }
    /* An empty volume (an axis of length 0) is a valid .npy or raw file; the other formats
     * cannot describe one (TIFF: no zero-page or zero-width files; NIfTI, NRRD, MetaImage:
     * sizes >= 1). */
    ZS_RETURN_IF(zs__volume_empty(spec) && !(ops->desc.flags & ZS_FORMAT_EMPTY), ZS_EUNSUPPORTED,
                 "%s: a %s file cannot hold a volume with an axis of length 0 (shape %lldx%lldx%lldx%lld); write "
                 ".npy or raw",
                 path, zs_format_name(fmt), (long long)spec->shape[0], (long long)spec->shape[1],
                 (long long)spec->shape[2], (long long)spec->shape[3]);
    ZS_FORWARD(zs__format_check_compression(ops, path, opts->compress));
    ZS_FORWARD(zs__format_check_chunks(ops, path, opts->chunk));
    ZS_RETURN_IF(opts->pyramid < 0 || opts->pyramid > ZS_PYRAMID_MAX, ZS_EINVAL, "%s: %d pyramid levels (want 0 to %d)",
                 path, opts->pyramid, ZS_PYRAMID_MAX);
    ZS_RETURN_IF(opts->pyramid && !(ops->desc.flags & ZS_FORMAT_PYRAMID), ZS_EUNSUPPORTED,
                 "%s: %s outputs hold one resolution; a pyramid of levels is written to OME-Zarr (.ome.zarr)", path,
                 ops->desc.name);
    return ZS_OK;
}

/* A format of many files names and claims each one (a series: the first plane's); v is freed on failure. */
static zs_status create_files(zs_volume *v, const char *path, zs_format fmt, const zs_create_opts *opts)
{
    v->fd = -1;
    v->info.format = fmt;
    snprintf(v->info.path, sizeof v->info.path, "%s", path);
    zs_status s = create_file(v, opts); /* claims its files (a series: the first plane's) */
    if (s < 0) zs_volume_free(v);
    return s;
}

/* One file: OUT.partial (OUT itself when direct) claimed, then written by the format; v is freed on failure. */
static zs_status create_claimed(zs_volume *v, const char *path, const zs_create_opts *opts)
{
    snprintf(v->info.path, sizeof v->info.path, opts->direct ? "%s" : "%s.partial", path);
    zs_status s = zs__claim_file(v->info.path, path, &v->fd);
    if (s < 0) {
        free(v);
        return s;
    }
    v->claimed = 1;
    s = zs__file_id(v->fd, v->info.path, &v->id);
    if (s == ZS_OK) s = create_file(v, opts);
    if (s < 0) {
        v->committed = 0; /* a creation that failed leaves nothing, `direct` too: the file is ours (claimed) */
        zs_volume_free(v);
    }
    return s;
}

zs_status zs_volume_create(const char *path, const zs_volume_info *spec, const zs_create_opts *opts, zs_volume **out)
{
    zs_create_opts o;
    *out = NULL;
    ZS_FORWARD(ZS_SIZED_IN(&o, opts, zs_create_opts));
    opts = &o;
    ZS_RETURN_IF(!spec, ZS_EINVAL, "zs_volume_create: no descriptor given");
    zs_volume_info sp;
    ZS_FORWARD(ZS_SIZED_IN(&sp, spec, zs_volume_info));
    spec = &sp;
    ZS_RETURN_IF(!path || !*path, ZS_EINVAL, "no output file given");
    ZS_RETURN_IF(strlen(path) + 9 >= ZS_PATH_MAX, ZS_EINVAL, "%.64s...: path too long", path);
    zs_format fmt = opts->format;
    if (fmt == ZS_FMT_AUTO) ZS_FORWARD(zs__format_from_name(path, &fmt));
    const zs_format_ops *ops = zs__format_ops(fmt);
    ZS_RETURN_IF(!ops || !(ops->desc.flags & ZS_FORMAT_WRITE), ZS_EINVAL, "%s: unknown format %d", path, (int)fmt);
    ZS_FORWARD(check_new_volume(path, spec, opts, fmt, ops));
    zs_volume *v = calloc(1, sizeof *v);
    ZS_RETURN_IF(!v, ZS_ENOMEM, "%s: out of memory", path);
    v->info = *spec;
    zs__voxel_normalize(&v->info);
    v->z_align = ops->z_align && ops->z_align(opts) > 1 ? ops->z_align(opts) : 1;
    v->info.order = ZS_ORDER_F;
    v->info.decoded = 0;
    v->info.data_path[0] = '\0';
    v->mode = ZS_MODE_CREATE;
    snprintf(v->final_path, sizeof v->final_path, "%s", path);
    v->committed = opts->direct;
    v->replace = opts->force;
    v->claim_fd = -1;
    v->ops = ops;
    const zs_status s =
        ops->desc.flags & ZS_FORMAT_FILES ? create_files(v, path, fmt, opts) : create_claimed(v, path, opts);
    if (s < 0) return s;
    *out = v;
    return ZS_OK;
}

zs_status zs_volume_commit(zs_volume *v)
{
    ZS_RETURN_IF(!v || v->mode != ZS_MODE_CREATE, ZS_EINVAL, "commit: not a created volume");
    if (v->io && v->io->finish) ZS_FORWARD(v->io->finish(v)); /* idempotent */
    if (v->committed) return ZS_OK;
    if (v->io && v->io->commit) {
        ZS_FORWARD(v->io->commit(v));
        v->committed = 1;
        return ZS_OK;
    }
    if (v->final_data_path[0]) {
        ZS_FORWARD(zs__rename_into_place(v->info.data_path, v->final_data_path, v->replace, &v->data_id));
        snprintf(v->info.data_path, sizeof v->info.data_path, "%s", v->final_data_path);
    }
    ZS_FORWARD(zs__rename_into_place(v->info.path, v->final_path, v->replace, &v->id));
    snprintf(v->info.path, sizeof v->info.path, "%s", v->final_path);
    if (!v->final_data_path[0]) snprintf(v->info.data_path, sizeof v->info.data_path, "%s", v->final_path);
    v->committed = 1;
    return ZS_OK;
}

void zs_volume_free(zs_volume *v)
{
    if (!v) return;
    if (v->io && v->io->close) v->io->close(v); /* removes an uncommitted series' planes */
    if (v->mode == ZS_MODE_CREATE && v->claimed && !v->committed &&
        !(v->ops && (v->ops->desc.flags & ZS_FORMAT_FILES))) {
        zs__remove_claimed(v->info.path, &v->id);
        if (v->data_claimed) zs__remove_claimed(v->info.data_path, &v->data_id);
    }
    /* closed last: the claim holds until the partial files are gone */
    if (v->fd >= 0) close(v->fd);
    if (v->claim_fd >= 0 && v->claim_fd != v->fd) close(v->claim_fd);
    free(v);
}

const zs_volume_info *zs_volume_get_info(const zs_volume *v) { return v ? &v->info : NULL; }
void zs__volume_set_stop(zs_volume *v, volatile int *stop)
{
    if (v) v->stop = stop;
}
int zs_volume_writes_whole_planes(const zs_volume *v) { return v && v->io && v->mode != ZS_MODE_R; }

/* The caller's create options, or the defaults when it gave none or options of a size this
 * library does not take (the predicates below have no error to return). */
static const zs_create_opts *create_opts_or_defaults(const zs_create_opts *given, zs_create_opts *local)
{
    if (ZS_SIZED_IN(local, given, zs_create_opts) < 0) {
        zs_clear_error();
        zs_create_opts_init(local);
    }
    return local;
}

int zs_path_writes_whole_planes(const char *path, const zs_create_opts *given)
{
    zs_create_opts local;
    const zs_create_opts *o = create_opts_or_defaults(given, &local);
    zs_format f = o && o->format ? o->format : ZS_FMT_AUTO;
    if (!f && zs__format_from_name(path, &f) < 0) {
        zs_clear_error();
        return 0;
    }
    const zs_format_ops *ops = zs__format_ops(f);
    return ops && ops->encodes && ops->encodes(o);
}

int64_t zs_volume_write_z_align(const zs_volume *v)
{
    return v && zs_volume_writable(v) && v->z_align > 1 ? v->z_align : 1;
}

int64_t zs_path_write_z_align(const char *path, const zs_create_opts *given)
{
    zs_create_opts local;
    const zs_create_opts *o = create_opts_or_defaults(given, &local);
    zs_format f = o->format;
    if (!path || (!f && zs__format_from_name(path, &f) < 0)) {
        zs_clear_error();
        return 1;
    }
    const zs_format_ops *ops = zs__format_ops(f);
    const int64_t a = ops && ops->z_align ? ops->z_align(o) : 1;
    return a > 1 ? a : 1;
}

uint64_t zs__path_write_worker_bytes(const char *path, const zs_create_opts *given, const zs_volume_info *spec)
{
    zs_create_opts local;
    const zs_create_opts *o = create_opts_or_defaults(given, &local);
    zs_format f = o->format;
    if (!path || !spec || (!f && zs__format_from_name(path, &f) < 0)) {
        zs_clear_error();
        return 0;
    }
    const zs_format_ops *ops = zs__format_ops(f);
    return ops && ops->worker_bytes ? ops->worker_bytes(o, spec) : 0;
}

int zs_volume_writable(const zs_volume *v) { return v->mode == ZS_MODE_RW || v->mode == ZS_MODE_CREATE; }

/* ---- description ------------------------------------------------------------------- */
static const char *slab_access(const zs_volume_info *i)
{
    return i->decoded ? "decode" : i->order == ZS_ORDER_F ? "contiguous" : "gather";
}

static void json_double(FILE *f, double d)
{
    if (isfinite(d))
        fprintf(f, "%.17g", d);
    else
        fputs("null", f);
}

void zs__volume_info_print_json(const zs_volume_info *i, FILE *f)
{
    char descr[8];
    zs_dtype_descr(i->dtype, descr, sizeof descr);
    fputs("{\"path\": ", f);
    zs__json_string(f, i->path);
    fprintf(f, ", \"format\": \"%s\", \"version\": %d, \"ndim\": %d, \"shape\": [", zs_format_name(i->format),
            i->version, i->ndim);
    for (int d = 0; d < i->ndim; d++) fprintf(f, "%s%lld", d ? ", " : "", (long long)i->shape[d]);
    fprintf(f, "], \"nx\": %lld, \"ny\": %lld, \"nz\": %lld, \"nt\": %lld", (long long)i->shape[0],
            (long long)i->shape[1], (long long)i->shape[2], (long long)i->shape[3]);
    fprintf(f, ", \"dtype\": \"%s\", \"descr\": \"%s\", \"byte_order\": \"%s\", \"order\": \"%s\"",
            zs_dtype_name(i->dtype), descr,
            zs_dtype_size(i->dtype) == 1 ? "none" : (i->dtype.big_endian ? "big" : "little"),
            i->order == ZS_ORDER_F ? "F" : "C");
    fprintf(f, ", \"offset\": %llu, \"nbytes\": %llu, \"slope\": ", (unsigned long long)i->offset,
            (unsigned long long)i->nbytes);
    json_double(f, i->slope);
    fputs(", \"inter\": ", f);
    json_double(f, i->inter);
    fputs(", \"voxel_size\": [", f);
    for (int d = 0; d < 3; d++) {
        if (d) fputs(", ", f);
        json_double(f, i->voxel[d]);
    }
    fputs("], \"unit\": ", f);
    zs__json_string(f, i->unit);
    fputs(", \"data_path\": ", f);
    zs__json_string(f, i->data_path[0] ? i->data_path : i->path);
    fprintf(f, ", \"slab_access\": \"%s\"}\n", slab_access(i));
}

void zs__volume_info_print(const zs_volume_info *i, FILE *f)
{
    char descr[8];
    zs_dtype_descr(i->dtype, descr, sizeof descr);
    fprintf(f, "file:       %s\n", i->path);
    fprintf(f, "format:     %s", zs_format_name(i->format));
    const zs_format_ops *ops = zs__format_ops(i->format);
    char version[64];
    if (ops && ops->version_text) {
        ops->version_text(i, version, sizeof version);
        fprintf(f, " (%s)", version);
    } else if (i->version)
        fprintf(f, " (version %d)", i->version);
    fprintf(f, "\nshape:      ");
    for (int d = 0; d < i->ndim; d++) fprintf(f, "%s%lld", d ? " x " : "", (long long)i->shape[d]);
    fprintf(f, "  (x, y, z%s)\n", i->ndim > 3 ? ", t: a series of 3-D volumes" : "");
    fprintf(f, "dtype:      %s (%s, %s)\n", zs_dtype_name(i->dtype), descr,
            zs_dtype_size(i->dtype) == 1 ? "no byte order" : (i->dtype.big_endian ? "big-endian" : "little-endian"));
    if (i->data_path[0] && strcmp(i->data_path, i->path) != 0) fprintf(f, "data file:  %s\n", i->data_path);
    if (i->decoded)
        fprintf(f, "access:     decoded plane by plane (compressed or scattered pages, or one file per plane)\n");
    else
        fprintf(f, "order:      %s\n",
                i->order == ZS_ORDER_F ? "F (x fastest: each z-slab is one contiguous byte range)"
                : i->shape[3] > 1      ? "C (t fastest, then z: z-slabs are gathered element by element; slower)"
                                       : "C (z fastest: z-slabs are gathered element by element; slower)");
    if (!i->decoded) fprintf(f, "offset:     %llu bytes\n", (unsigned long long)i->offset);
    fprintf(f, "data:       %llu bytes (%.3f GiB)\n", (unsigned long long)i->nbytes, (double)i->nbytes / (1u << 30));
    if (i->slope != 1.0 || i->inter != 0.0) fprintf(f, "scaling:    value = %g * stored + %g\n", i->slope, i->inter);
    fprintf(f, "voxel size: %g x %g x %g%s%s\n", i->voxel[0], i->voxel[1], i->voxel[2], i->unit[0] ? " " : "", i->unit);
}

/* ---- the files of a volume ------------------------------------------------------------ */
const char *zs_volume_file(const zs_volume *v, int64_t i)
{
    if (!v || i < 0) return NULL;
    if (v->ops && v->ops->file) return v->ops->file(v, i);
    const zs_volume_info *info = &v->info;
    if (!info->path[0]) return NULL; /* no file */
    if (i == 0) return info->path;
    return i == 1 && info->data_path[0] && strcmp(info->data_path, info->path) != 0 ? info->data_path : NULL;
}

int64_t zs_volume_file_count(const zs_volume *v)
{
    int64_t n = 0;
    while (zs_volume_file(v, n)) n++;
    return n;
}

/* FNV-1a, 64 bits: a stamp, not a defence against anyone. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

zs_status zs__volume_files_sum(const zs_volume *v, zs_files_sum *out)
{
    memset(out, 0, sizeof *out);
    out->hash = 14695981039346656037ull;
    for (const char *f; (f = zs_volume_file(v, out->count)); out->count++) {
        struct stat st;
        if (stat(f, &st) != 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot stat %s", v->info.path, f);
        const int64_t rec[3] = {(int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec};
        char real[PATH_MAX]; /* the same files from another directory are the same volume */
        const char *name = realpath(f, real) ? real : f;
        out->hash = fnv1a(out->hash, name, strlen(name) + 1);
        out->hash = fnv1a(out->hash, rec, sizeof rec);
        out->bytes += (uint64_t)st.st_size;
        if (st.st_mtim.tv_sec > out->newest_sec ||
            (st.st_mtim.tv_sec == out->newest_sec && st.st_mtim.tv_nsec > out->newest_nsec))
            out->newest_sec = st.st_mtim.tv_sec, out->newest_nsec = st.st_mtim.tv_nsec;
    }
    return ZS_OK;
}

zs_status zs__info_files_sum(const zs_volume_info *info, zs_files_sum *out)
{
    const zs_format_ops *ops = zs__format_ops(info->format);
    /* the format lists its files: open the volume again to ask it (a caller's buffer, which no
     * name opens, has none: its list is asked below) */
    if (ops && ops->file && (ops->desc.flags & ZS_FORMAT_READ)) {
        zs_open_opts oo;
        zs_open_opts_init(&oo);
        oo.format = info->format;
        zs_volume *v = NULL;
        ZS_FORWARD(zs_volume_open(info->path, &oo, &v));
        zs_status st = zs__volume_files_sum(v, out);
        zs_volume_free(v);
        return st;
    }
    zs_volume v; /* the files follow from the descriptor: path and data file, or the format's list */
    memset(&v, 0, sizeof v);
    v.info = *info;
    v.ops = ops;
    v.fd = v.claim_fd = -1;
    return zs__volume_files_sum(&v, out);
}

zs_status zs_volume_files_stamp(const zs_volume *v, char *buf, size_t n)
{
    ZS_RETURN_IF(!v || !buf || n == 0, ZS_EINVAL, "zs_volume_files_stamp: no volume or buffer given");
    zs_files_sum s;
    ZS_FORWARD(zs__volume_files_sum(v, &s));
    snprintf(buf, n, "files=%lld bytes=%llu newest=%lld.%09ld hash=%016llx", (long long)s.count,
             (unsigned long long)s.bytes, (long long)s.newest_sec, (long)s.newest_nsec, (unsigned long long)s.hash);
    return ZS_OK;
}
