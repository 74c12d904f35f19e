/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Writing TIFF stacks: one page per z-plane (then per volume of a series), ImageJ's
 * ImageDescription on the first page (images, slices, frames, unit, spacing) and the pixel
 * size in X/YResolution, so Fiji opens the file as a stack with its voxel size.
 * Classic TIFF when the file stays below 4 GiB, BigTIFF beyond (Fiji reads both; classic is
 * what most other readers know best).
 *
 * Uncompressed (the default): the file is laid out as header, every page's directory, then
 * all planes end to end from a page-aligned offset D: a plain Fortran-order volume at D,
 * mapped by workers like a .npy. libtiff writes the directories itself; the planes' places
 * are chosen through the client procedures: while a page's strips are "written" the client
 * is in reserve mode, where SEEK_END answers the next free data offset and writes only move
 * the position, so libtiff records strip offsets in the data area without writing a byte of
 * it; the data area is then allocated with posix_fallocate like any other output.
 *
 * Compressed (--compress deflate|lzw|zstd): sizes are known only after compression, so pages
 * are written in order through one libtiff handle, while compression runs in the workers:
 * write_planes encodes each plane with libtiff into memory (a private in-memory handle per
 * call), then, under a mutex, files the encoded page and writes every page that is next in
 * order (TIFFWriteRawStrip + TIFFWriteDirectory). Workers claim slabs in file order, so the
 * pages waiting for an earlier one are at most the other workers' slabs; nobody waits. */
#include "tiff_internal.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What every page of the output shares. */
typedef struct page_geom {
    uint64_t plane, row;  /* bytes */
    uint32_t height, rps; /* rows, rows per strip */
    uint32_t nstrips;
    int64_t npages;
    char desc[1024]; /* ImageJ description of page 0 */
    char mode[8];    /* libtiff open mode: "w" + byte order (+ "8": BigTIFF) */
} page_geom;

static zs_status geometry(const zs_volume_info *spec, zs_compression comp, page_geom *g)
{
    ZS_RETURN_IF(spec->shape[0] > UINT32_MAX || spec->shape[1] > UINT32_MAX, ZS_EUNSUPPORTED,
                 "%s: planes of %lldx%lld exceed TIFF's 2^32-1 per dimension", spec->path, (long long)spec->shape[0],
                 (long long)spec->shape[1]);
    uint64_t total;
    ZS_FORWARD(zs_volume_info_sizes(spec, &g->plane, NULL, &total));
    g->row = (uint64_t)spec->shape[0] * zs_dtype_size(spec->dtype);
    g->height = (uint32_t)spec->shape[1];
    g->rps = zs__tiff_rows_per_strip(g->row, g->height, comp ? (256u << 10) : (8u << 20));
    g->nstrips = (g->height + g->rps - 1) / g->rps;
    g->npages = spec->shape[2] * spec->shape[3];
    zs__tiff_imagej_description(spec, g->desc, sizeof g->desc);
    const int be = zs_dtype_size(spec->dtype) > 1 ? spec->dtype.big_endian : zs__host_big_endian();
    snprintf(g->mode, sizeof g->mode, "w%c", be ? 'b' : 'l');
    return ZS_OK;
}

/* Room for the header and every directory: a generous bound per page (about 20 entries of
 * 20 bytes, two rationals, strip arrays of 8-byte offsets and counts), the description once. */
static uint64_t meta_bound(const page_geom *g)
{
    return 4096 + strlen(g->desc) + (uint64_t)g->npages * (640 + 16 * (uint64_t)g->nstrips);
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

static zs_status page_tags(TIFF *tif, const zs_tiff_client *c, const zs_volume_info *spec, const page_geom *g,
                           zs_compression comp, int64_t page)
{
    ZS_FORWARD(zs__tiff_set_tags(tif, c, spec, comp, g->rps));
    if (page == 0 && !TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, g->desc))
        return zs__tiff_fail(c, ZS_EIO, "cannot set the ImageJ description");
    if (g->npages > 1 && !TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE))
        return zs__tiff_fail(c, ZS_EIO, "cannot set the page type");
    return ZS_OK;
}

/* ---- uncompressed: directories first, then the planes end to end ------------------------ */

static zs_status write_directories(TIFF *tif, zs_tiff_client *c, const zs_volume_info *spec, const page_geom *g,
                                   uint64_t data, const unsigned char *zeros)
{
    for (int64_t k = 0; k < g->npages; k++) {
        ZS_FORWARD(page_tags(tif, c, spec, g, ZS_COMPRESS_NONE, k));
        c->reserve = 1; /* the strips: offsets recorded, nothing written */
        c->data_next = data + (uint64_t)k * g->plane;
        for (uint32_t s = 0; s < g->nstrips; s++) {
            const uint32_t rows = g->height - s * g->rps < g->rps ? g->height - s * g->rps : g->rps;
            const tmsize_t n = (tmsize_t)(rows * g->row);
            if (TIFFWriteRawStrip(tif, s, (void *)zeros, n) != n) {
                c->reserve = 0;
                return zs__tiff_fail(c, ZS_EIO, "cannot place a strip");
            }
        }
        c->reserve = 0;
        if (!TIFFWriteDirectory(tif)) return zs__tiff_fail(c, ZS_EIO, "cannot write a TIFF directory");
        ZS_RETURN_IF(c->end > data, ZS_EINTERNAL, "%s: TIFF directories outgrew the %llu bytes reserved for them",
                     c->path, (unsigned long long)data);
    }
    return ZS_OK;
}

static zs_status create_contiguous(zs_volume *v, page_geom *g)
{
    zs_volume_info *info = &v->info;
    uint64_t data = align_up(meta_bound(g), 4096), end = data + (uint64_t)g->npages * g->plane;
    const int big = end >= ((uint64_t)1 << 32) - 4096;
    if (big) strcat(g->mode, "8");
    unsigned char *zeros = calloc(1, (size_t)(g->rps * g->row));
    ZS_RETURN_IF(!zeros, ZS_ENOMEM, "%s: out of memory", info->path);
    zs_tiff_client c;
    memset(&c, 0, sizeof c);
    c.fd = v->fd;
    c.path = info->path;
    TIFF *tif = zs__tiff_open(&c, g->mode);
    zs_status st = tif ? write_directories(tif, &c, info, g, data, zeros) : zs__tiff_fail(&c, ZS_EIO, "cannot create");
    if (tif) TIFFClose(tif);
    free(zeros);
    ZS_FORWARD(st);
    if (c.err[0]) return zs__tiff_fail(&c, ZS_EIO, "cannot write the TIFF directories");
    int e = posix_fallocate(v->fd, 0, (off_t)end);
    if (e == EINVAL || e == EOPNOTSUPP) e = ftruncate(v->fd, (off_t)end) == 0 ? 0 : errno;
    if (e != 0)
        return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: cannot allocate %llu bytes", v->final_path,
                          (unsigned long long)end);
    info->offset = data;
    info->version = big ? 43 : 42;
    v->file_size = end;
    return zs_volume_info_sizes(info, NULL, NULL, &info->nbytes);
}

/* ---- compressed: encode in workers, write in order ------------------------------------------ */

typedef struct enc_page {
    unsigned char *data; /* the encoded strips, end to end */
    uint64_t *sizes;     /* nstrips entries */
} enc_page;

typedef struct tiff_writer {
    page_geom g;
    zs_compression comp;
    zs_volume_info spec;  /* dtype, voxel size (read-only) */
    pthread_mutex_t lock; /* guards everything below */
    TIFF *tif;
    zs_tiff_client c;
    int64_t next;     /* next page to write */
    enc_page **ready; /* encoded pages waiting for their turn (npages entries) */
    int finished;
} tiff_writer;

static void enc_free(enc_page *e)
{
    if (!e) return;
    free(e->data);
    free(e->sizes);
    free(e);
}

/* A growable file in memory for one libtiff handle: the encoder's output. */
typedef struct membuf {
    unsigned char *b;
    uint64_t size, cap, pos;
} membuf;

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t n)
{
    membuf *m = h;
    uint64_t k = m->pos < m->size ? m->size - m->pos : 0;
    if ((uint64_t)n < k) k = (uint64_t)n;
    memcpy(buf, m->b + m->pos, (size_t)k);
    m->pos += k;
    return (tmsize_t)k;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t n)
{
    membuf *m = h;
    if (m->pos + (uint64_t)n > m->cap) {
        uint64_t cap = m->cap ? m->cap : 65536;
        while (cap < m->pos + (uint64_t)n) cap *= 2;
        unsigned char *b = realloc(m->b, (size_t)cap);
        if (!b) return -1;
        memset(b + m->cap, 0, (size_t)(cap - m->cap));
        m->b = b, m->cap = cap;
    }
    memcpy(m->b + m->pos, buf, (size_t)n);
    m->pos += (uint64_t)n;
    if (m->pos > m->size) m->size = m->pos;
    return n;
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence)
{
    membuf *m = h;
    m->pos = whence == SEEK_SET ? off : whence == SEEK_CUR ? m->pos + off : m->size + off;
    return m->pos;
}

static toff_t mem_size(thandle_t h) { return ((membuf *)h)->size; }
static int mem_close(thandle_t h)
{
    (void)h;
    return 0;
}
static int mem_map(thandle_t h, void **b, toff_t *s)
{
    (void)h, (void)b, (void)s;
    return 0;
}
static void mem_unmap(thandle_t h, void *b, toff_t s) { (void)h, (void)b, (void)s; }

/* Encodes one plane with libtiff into memory and keeps only the encoded strips. */
static zs_status encode_plane(const tiff_writer *w, const unsigned char *plane, enc_page **out)
{
    const page_geom *g = &w->g;
    membuf m = {0};
    zs_tiff_client c; /* messages only */
    memset(&c, 0, sizeof c);
    c.path = w->spec.path;
    unsigned char *tmp = zs__tiff_native_copy(plane, w->spec.dtype, (size_t)(g->plane / zs_dtype_size(w->spec.dtype)));
    enc_page *e = calloc(1, sizeof *e);
    TIFFOpenOptions *opts = zs__tiff_options(&c);
    TIFF *tif = tmp && e && opts ? TIFFClientOpenExt("memory", g->mode, &m, mem_read, mem_write, mem_seek, mem_close,
                                                     mem_size, mem_map, mem_unmap, opts)
                                 : NULL;
    if (opts) TIFFOpenOptionsFree(opts);
    zs_status st = tif ? zs__tiff_set_tags(tif, &c, &w->spec, w->comp, g->rps)
                       : ZS_ERR(ZS_ENOMEM, "%s: out of memory to compress a plane", c.path);
    for (uint32_t s = 0, y = 0; st == ZS_OK && s < g->nstrips; s++, y += g->rps) {
        const uint32_t rows = g->height - y < g->rps ? g->height - y : g->rps;
        const tmsize_t n = (tmsize_t)(rows * g->row);
        if (TIFFWriteEncodedStrip(tif, s, tmp + (size_t)y * g->row, n) != n)
            st = zs__tiff_fail(&c, ZS_EIO, "cannot compress a strip of a plane");
    }
    uint64_t *offs = NULL, *counts = NULL, total = 0;
    if (st == ZS_OK &&
        (!TIFFGetField(tif, TIFFTAG_STRIPOFFSETS, &offs) || !TIFFGetField(tif, TIFFTAG_STRIPBYTECOUNTS, &counts)))
        st = ZS_ERR(ZS_EINTERNAL, "%s: the compressed strips cannot be found", c.path);
    for (uint32_t s = 0; st == ZS_OK && s < g->nstrips; s++) total += counts[s];
    if (st == ZS_OK && (!(e->data = malloc((size_t)total + 1)) || !(e->sizes = malloc(g->nstrips * sizeof *e->sizes))))
        st = ZS_ERR(ZS_ENOMEM, "%s: out of memory", c.path);
    uint64_t at = 0;
    for (uint32_t s = 0; st == ZS_OK && s < g->nstrips; at += counts[s], s++) {
        if (offs[s] + counts[s] > m.size)
            st = ZS_ERR(ZS_EINTERNAL, "%s: a compressed strip is out of range", c.path);
        else
            memcpy(e->data + at, m.b + offs[s], (size_t)counts[s]);
        e->sizes[s] = counts[s];
    }
    if (tif) TIFFClose(tif);
    free(m.b);
    free(tmp);
    if (st < 0) {
        enc_free(e);
        return st;
    }
    *out = e;
    return ZS_OK;
}

/* Writes page k (its turn has come): lock held. */
static zs_status write_page(tiff_writer *w, int64_t k, const enc_page *e)
{
    ZS_FORWARD(page_tags(w->tif, &w->c, &w->spec, &w->g, w->comp, k));
    uint64_t at = 0;
    for (uint32_t s = 0; s < w->g.nstrips; s++) {
        if (TIFFWriteRawStrip(w->tif, s, e->data + at, (tmsize_t)e->sizes[s]) != (tmsize_t)e->sizes[s])
            return zs__tiff_fail(&w->c, ZS_EIO, "cannot write a compressed strip");
        at += e->sizes[s];
    }
    if (!TIFFWriteDirectory(w->tif)) return zs__tiff_fail(&w->c, ZS_EIO, "cannot write a TIFF directory");
    return ZS_OK;
}

/* Files encoded page k and writes every page whose turn has come: lock held. */
static zs_status file_page(tiff_writer *w, int64_t k, enc_page *e)
{
    if (k < w->next || w->ready[k]) {
        enc_free(e);
        return ZS_ERR(ZS_EINVAL, "%s: page %lld written twice", w->spec.path, (long long)k);
    }
    ZS_RETURN_IF(!w->tif, ZS_EINVAL, "%s: the TIFF file is already finished", w->spec.path);
    w->ready[k] = e;
    while (w->next < w->g.npages && w->ready[w->next]) {
        zs_status st = write_page(w, w->next, w->ready[w->next]);
        enc_free(w->ready[w->next]);
        w->ready[w->next] = NULL;
        ZS_FORWARD(st);
        w->next++;
    }
    return ZS_OK;
}

static zs_status tiff_write_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, const void *src)
{
    tiff_writer *w = v->fmt_state;
    for (int64_t z = z0; z < z1; z++) {
        enc_page *e = NULL;
        ZS_FORWARD(encode_plane(w, (const unsigned char *)src + (size_t)(z - z0) * w->g.plane, &e));
        pthread_mutex_lock(&w->lock);
        zs_status st = file_page(w, t * v->info.shape[2] + z, e);
        pthread_mutex_unlock(&w->lock);
        ZS_FORWARD(st);
    }
    return ZS_OK;
}

static zs_status tiff_finish(zs_volume *v)
{
    tiff_writer *w = v->fmt_state;
    if (w->finished) return ZS_OK;
    ZS_RETURN_IF(w->next != w->g.npages, ZS_EINVAL, "%s: only %lld of %lld pages were written", v->info.path,
                 (long long)w->next, (long long)w->g.npages);
    w->c.err[0] = '\0';
    const int ok = TIFFFlush(w->tif);
    TIFFClose(w->tif);
    w->tif = NULL;
    if (!ok || w->c.err[0]) return zs__tiff_fail(&w->c, ZS_EIO, "cannot finish the TIFF file");
    w->finished = 1;
    return ZS_OK;
}

static void tiff_writer_close(zs_volume *v)
{
    tiff_writer *w = v->fmt_state;
    if (!w) return;
    if (v->committed && !w->finished) (void)tiff_finish(v); /* a direct output freed without commit */
    if (w->tif) TIFFClose(w->tif);
    for (int64_t k = 0; k < w->g.npages; k++) enc_free(w->ready[k]);
    free(w->ready);
    pthread_mutex_destroy(&w->lock);
    free(w);
    v->fmt_state = NULL;
}

static const zs_volume_io tiff_write_io = {
    .write_planes = tiff_write_planes, .finish = tiff_finish, .close = tiff_writer_close};

static zs_status create_encoded(zs_volume *v, const zs_create_opts *o, const page_geom *g)
{
    zs_volume_info *info = &v->info;
    tiff_writer *w = calloc(1, sizeof *w);
    ZS_RETURN_IF(!w, ZS_ENOMEM, "%s: out of memory", info->path);
    w->g = *g;
    w->comp = o->compress;
    w->spec = *info;
    w->ready = calloc((size_t)g->npages, sizeof *w->ready);
    pthread_mutex_init(&w->lock, NULL);
    v->fmt_state = w;
    v->io = &tiff_write_io;
    ZS_RETURN_IF(!w->ready, ZS_ENOMEM, "%s: out of memory", info->path);
    /* BigTIFF when the uncompressed data would pass 4 GiB: the compressed size is unknown */
    if ((uint64_t)g->npages * g->plane >= ((uint64_t)1 << 32) - ((uint64_t)1 << 26)) strcat(w->g.mode, "8");
    w->c.fd = v->fd;
    w->c.path = w->spec.path;
    w->tif = zs__tiff_open(&w->c, w->g.mode);
    if (!w->tif) return zs__tiff_fail(&w->c, ZS_EIO, "cannot create");
    info->version = strchr(w->g.mode, '8') ? 43 : 42;
    info->decoded = 1;
    info->offset = 0;
    return zs_volume_info_sizes(info, NULL, NULL, &info->nbytes);
}

zs_status zs__tiff_create(zs_volume *v, const zs_create_opts *o)
{
    zs_volume_info *info = &v->info;
    info->format = ZS_FMT_TIFF;
    page_geom g;
    ZS_FORWARD(geometry(info, o->compress, &g));
    if (o->compress == ZS_COMPRESS_NONE) return create_contiguous(v, &g);
    zs_compression c = o->compress;
    ZS_RETURN_IF(c == ZS_COMPRESS_ZSTD && !TIFFIsCODECConfigured(COMPRESSION_ZSTD), ZS_EUNSUPPORTED,
                 "%s: this libtiff has no zstd codec (use deflate or lzw)", v->final_path);
    return create_encoded(v, o, &g);
}
