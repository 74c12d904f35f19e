/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* TIFF and BigTIFF stacks through libtiff: each page is a z-plane.
 *
 * Opening walks the chain of pages once (one libtiff handle, on the caller's thread) and keeps
 * a page table: each page's directory offset and, when the page is stored uncompressed in
 * strips that follow each other, the offset of its plane. Then:
 *  - if every plane is raw and the planes lie end to end in (t, z) order (what tifffile,
 *    ImageJ and zslab write), the file *is* a Fortran-order volume at the first plane's
 *    offset: it is mapped like a .npy, with no libtiff call after open;
 *  - otherwise planes are decoded (info.decoded): a raw plane is one pread (byte-swapped to
 *    native order if needed); any other page is decoded by libtiff. libtiff handles are not
 *    thread-safe, so each worker takes its own: a fixed array of slots, claimed lock-free by
 *    compare-and-swap starting at the worker's OpenMP thread number, each holding a handle
 *    opened on first use on the volume's descriptor (pread at its own position) and kept
 *    until the volume closes. Opening a handle reads only the header and the first
 *    directory; a page is reached with TIFFSetSubDirectory(offset from the page table), so
 *    no handle ever walks the chain (a per-call TIFFOpen + TIFFSetDirectory(n) costs O(n)
 *    directory reads per plane on a large BigTIFF).
 * Axes: ImageJ hyperstacks (channels, slices, frames; pages ordered c, z, t) and OME-XML
 * (SizeZ/C/T in DimensionOrder) map channels and frames to the series axis t = c + C*frame;
 * plain files are one page per z. Voxel size: X/YResolution (pixels per unit, with ImageJ's
 * unit or ResolutionUnit), ImageJ spacing for z, OME PhysicalSizeX/Y/Z with their units. */
#include "tiff_internal.h"

#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define TIFF_SLOTS 64

typedef struct tiff_page {
    uint64_t diroff; /* directory offset (0: a plane past the directories of a large ImageJ file) */
    uint64_t raw;    /* offset of the plane when stored raw and contiguous; 0: decode with libtiff */
} tiff_page;

typedef struct tiff_slot {
    atomic_int busy; /* claimed by one thread at a time (CAS) */
    TIFF *tif;       /* opened on first use (owner: the slot) */
    uint64_t dir;    /* directory the handle is on */
    zs_tiff_client c;
} tiff_slot;

typedef struct tiff_reader {
    tiff_page *pages; /* npages entries (read-only after open) */
    int64_t npages;
    int64_t nc;              /* channels folded into t: t = c + nc*frame */
    int64_t sc, sz, sf;      /* page = c*sc + z*sz + frame*sf */
    zs_tiff_page_info first; /* the geometry every page has */
    int swap;                /* raw planes are in the other byte order than the host */
    tiff_slot slots[TIFF_SLOTS];
} tiff_reader;

int zs__tiff_magic(const unsigned char *b, size_t n)
{
    if (n < 4) return 0;
    return (b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0) ||
           (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43));
}

static void reader_free(tiff_reader *r)
{
    if (!r) return;
    for (int i = 0; i < TIFF_SLOTS; i++)
        if (r->slots[i].tif) TIFFClose(r->slots[i].tif);
    free(r->pages);
    free(r);
}

/* ---- open: the page table ---------------------------------------------------------------- */

static int same_geometry(const zs_tiff_page_info *a, const zs_tiff_page_info *b)
{
    return a->width == b->width && a->height == b->height && a->dtype.type == b->dtype.type;
}

static zs_status add_page(tiff_reader *r, int64_t *cap, uint64_t diroff, uint64_t raw)
{
    if (r->npages == *cap) {
        tiff_page *p = realloc(r->pages, (size_t)(*cap * 2) * sizeof *p);
        ZS_RETURN_IF(!p, ZS_ENOMEM, "out of memory for the page table");
        r->pages = p;
        *cap *= 2;
    }
    r->pages[r->npages++] = (tiff_page){diroff, raw};
    return ZS_OK;
}

/* Voxel size from page 0's resolution tags; meta supplies ImageJ's unit. */
static void read_resolution(TIFF *tif, const zs_tiff_meta *meta, zs_volume_info *info)
{
    float xres = 0, yres = 0;
    uint16_t unit = RESUNIT_INCH;
    const int has = TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres) && TIFFGetField(tif, TIFFTAG_YRESOLUTION, &yres);
    TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
    if (!has || !(xres > 0) || !(yres > 0) || !isfinite(xres) || !isfinite(yres)) return;
    /* rationals come back as float: keep 7 significant digits of the pixel size */
    double v[2] = {1.0 / xres, 1.0 / yres};
    for (int a = 0; a < 2; a++) {
        const double p = pow(10.0, 6 - floor(log10(v[a])));
        v[a] = round(v[a] * p) / p;
    }
    double scale = 1.0;
    if (meta->imagej && meta->unit[0])
        snprintf(info->unit, sizeof info->unit, "%s", meta->unit);
    else if (unit == RESUNIT_CENTIMETER || unit == RESUNIT_INCH) {
        scale = unit == RESUNIT_CENTIMETER ? 1e4 : 25400.0;
        snprintf(info->unit, sizeof info->unit, "um");
    }
    info->voxel[0] = v[0] * scale;
    info->voxel[1] = v[1] * scale;
}

/* OME PhysicalSize overrides; mixed units are converted to micrometres. */
static void ome_voxel(const zs_tiff_meta *m, zs_volume_info *info)
{
    int mixed = 0;
    for (int a = 1; a < 3; a++) mixed |= m->phys[a] > 0 && m->phys[0] > 0 && strcmp(m->phys_unit[a], m->phys_unit[0]);
    for (int a = 0; a < 3; a++) {
        if (!(m->phys[a] > 0)) continue;
        const double um = zs__unit_um(m->phys_unit[a]);
        info->voxel[a] = mixed && um > 0 ? m->phys[a] * um : m->phys[a];
        snprintf(info->unit, sizeof info->unit, "%s", mixed ? "um" : m->phys_unit[a]);
    }
}

void zs__tiff_first_meta(TIFF *tif, zs_tiff_meta *meta, zs_volume_info *info)
{
    char *desc = NULL;
    if (TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &desc) && desc)
        zs__tiff_meta_parse(desc, strlen(desc), meta);
    else
        memset(meta, 0, sizeof *meta);
    read_resolution(tif, meta, info);
    if (meta->imagej && meta->spacing > 0) info->voxel[2] = meta->spacing;
    if (meta->ome) ome_voxel(meta, info);
}

static zs_status scan_pages(TIFF *tif, zs_tiff_client *c, tiff_reader *r, zs_tiff_meta *meta, zs_volume_info *info)
{
    int64_t cap = 64;
    r->pages = malloc((size_t)cap * sizeof *r->pages);
    ZS_RETURN_IF(!r->pages, ZS_ENOMEM, "%s: out of memory", c->path);
    for (int64_t k = 0;; k++) {
        zs_tiff_page_info pi;
        ZS_FORWARD(zs__tiff_page_read(tif, c, k, &pi));
        if (k == 0) {
            r->first = pi;
            zs__tiff_first_meta(tif, meta, info);
        } else if (pi.reduced) {
            /* thumbnails and pyramid levels are not planes of the stack */
        } else if (!same_geometry(&pi, &r->first)) {
            return ZS_ERR(ZS_EFORMAT,
                          "%s: page %lld is %ux%u %s but page 0 is %ux%u %s: every page of a stack must "
                          "have the same size and dtype",
                          c->path, (long long)k, pi.width, pi.height, zs_dtype_name(pi.dtype), r->first.width,
                          r->first.height, zs_dtype_name(r->first.dtype));
        }
        if (k == 0 || !pi.reduced) ZS_FORWARD(add_page(r, &cap, TIFFCurrentDirOffset(tif), pi.raw));
        c->err[0] = '\0';
        if (!TIFFReadDirectory(tif)) {
            if (c->err[0]) {
                char what[64];
                snprintf(what, sizeof what, "cannot read page %lld", (long long)k + 1);
                return zs__tiff_fail(c, ZS_EFORMAT, what);
            }
            return ZS_OK;
        }
    }
}

/* ---- open: axes ----------------------------------------------------------------------------- */

/* An ImageJ file larger than 4 GiB has one directory: its planes follow the first one. */
static zs_status imagej_more_planes(tiff_reader *r, const zs_tiff_client *c, int64_t images, uint64_t plane)
{
    const uint64_t raw0 = r->pages[0].raw;
    int ok = raw0 != 0;
    for (int64_t k = 0; ok && k < r->npages; k++) ok = r->pages[k].raw == raw0 + (uint64_t)k * plane;
    if (!ok || raw0 + (uint64_t)images * plane > c->end)
        return ZS_ERR(ZS_EFORMAT, "%s: ImageJ metadata says images=%lld but the file holds %lld page%s", c->path,
                      (long long)images, (long long)r->npages, r->npages == 1 ? "" : "s");
    tiff_page *p = realloc(r->pages, (size_t)images * sizeof *p);
    ZS_RETURN_IF(!p, ZS_ENOMEM, "%s: out of memory", c->path);
    r->pages = p;
    for (int64_t k = r->npages; k < images; k++) r->pages[k] = (tiff_page){0, raw0 + (uint64_t)k * plane};
    r->npages = images;
    return ZS_OK;
}

static zs_status layout_imagej(tiff_reader *r, const zs_tiff_client *c, const zs_tiff_meta *m, uint64_t plane,
                               int64_t *Z, int64_t *C, int64_t *F)
{
    const int64_t images = m->images ? m->images : r->npages;
    *C = m->channels ? m->channels : 1;
    *F = m->frames ? m->frames : 1;
    *Z = m->slices ? m->slices : images / (*C * *F);
    if (*Z < 1 || *C * *Z * *F != images) { /* inconsistent counts: a plain stack */
        *C = *F = 1;
        *Z = r->npages;
        return ZS_OK;
    }
    if (images > r->npages) ZS_FORWARD(imagej_more_planes(r, c, images, plane));
    r->sc = 1, r->sz = *C, r->sf = *C * *Z;
    return ZS_OK;
}

static zs_status layout_ome(tiff_reader *r, const zs_tiff_client *c, const zs_tiff_meta *m, int64_t *Z, int64_t *C,
                            int64_t *F)
{
    *Z = m->size[2], *C = m->size[3], *F = m->size[4];
    ZS_RETURN_IF(*Z * *C * *F > r->npages, ZS_EFORMAT,
                 "%s: OME-XML describes %lld planes (SizeZ %lld x SizeC %lld x SizeT %lld) but the file holds %lld "
                 "pages",
                 c->path, (long long)(*Z * *C * *F), (long long)*Z, (long long)*C, (long long)*F, (long long)r->npages);
    ZS_RETURN_IF((m->size[0] && m->size[0] != r->first.width) || (m->size[1] && m->size[1] != r->first.height),
                 ZS_EFORMAT, "%s: OME-XML says SizeX=%lld SizeY=%lld but the pages are %ux%u", c->path,
                 (long long)m->size[0], (long long)m->size[1], r->first.width, r->first.height);
    int64_t stride = 1;
    for (int i = 2; i < 5; i++) {
        const char a = m->order[i];
        const int64_t n = a == 'Z' ? *Z : a == 'C' ? *C : *F;
        if (a == 'Z')
            r->sz = stride;
        else if (a == 'C')
            r->sc = stride;
        else
            r->sf = stride;
        stride *= n;
    }
    return ZS_OK;
}

static zs_status layout(tiff_reader *r, const zs_tiff_client *c, const zs_tiff_meta *m, zs_volume_info *info)
{
    const uint64_t plane = (uint64_t)r->first.width * r->first.height * zs_dtype_size(r->first.dtype);
    int64_t Z = r->npages, C = 1, F = 1;
    r->sc = 1, r->sz = 1, r->sf = r->npages;
    if (m->imagej)
        ZS_FORWARD(layout_imagej(r, c, m, plane, &Z, &C, &F));
    else if (m->ome && m->size[2] && m->size[3] && m->size[4] && m->order[0])
        ZS_FORWARD(layout_ome(r, c, m, &Z, &C, &F));
    r->nc = C;
    if (C == 1 && F == 1) r->sf = Z;
    info->ndim = C * F > 1 ? 4 : 3;
    info->shape[0] = r->first.width;
    info->shape[1] = r->first.height;
    info->shape[2] = Z;
    info->shape[3] = C * F;
    return ZS_OK;
}

static int64_t page_of(const tiff_reader *r, int64_t t, int64_t z)
{
    return (t % r->nc) * r->sc + z * r->sz + (t / r->nc) * r->sf;
}

/* Mapped when every plane is raw and plane (t, z) is at raw0 + (t*nz + z) * plane bytes. */
static int mappable(const tiff_reader *r, const zs_volume_info *info, uint64_t plane)
{
    const uint64_t raw0 = r->pages[0].raw;
    if (!raw0) return 0;
    for (int64_t t = 0; t < info->shape[3]; t++)
        for (int64_t z = 0; z < info->shape[2]; z++) {
            const uint64_t k = (uint64_t)(t * info->shape[2] + z);
            if (r->pages[page_of(r, t, z)].raw != raw0 + k * plane) return 0;
        }
    return 1;
}

/* ---- reading decoded planes ------------------------------------------------------------- */

static zs_status slot_open(tiff_slot *s, const zs_volume *v)
{
    memset(&s->c, 0, sizeof s->c);
    s->c.fd = v->fd;
    s->c.path = v->info.path;
    s->tif = zs__tiff_open(&s->c, "r");
    if (!s->tif) return zs__tiff_fail(&s->c, ZS_EFORMAT, "cannot open another libtiff handle");
    s->dir = TIFFCurrentDirOffset(s->tif);
    return ZS_OK;
}

/* A slot for this thread: first the one at its OpenMP thread number, then any free one. */
static tiff_slot *slot_claim(tiff_reader *r)
{
    const int hint = omp_get_thread_num();
    for (int k = 0; k < TIFF_SLOTS; k++) {
        tiff_slot *s = &r->slots[(hint + k) % TIFF_SLOTS];
        int expected = 0;
        if (atomic_compare_exchange_strong(&s->busy, &expected, 1)) return s;
    }
    return NULL;
}

static zs_status decode_plane(const zs_volume *v, tiff_slot *s, int64_t page, void *dst)
{
    const tiff_reader *r = v->fmt_state;
    if (!s->tif) ZS_FORWARD(slot_open(s, v));
    if (s->dir != r->pages[page].diroff) {
        s->c.err[0] = '\0';
        if (!TIFFSetSubDirectory(s->tif, r->pages[page].diroff)) {
            s->dir = 0;
            char what[64];
            snprintf(what, sizeof what, "cannot read page %lld", (long long)page);
            return zs__tiff_fail(&s->c, ZS_EFORMAT, what);
        }
        s->dir = r->pages[page].diroff;
    }
    return zs__tiff_page_decode(s->tif, &s->c, page, &r->first, dst);
}

static zs_status tiff_read_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, void *dst)
{
    tiff_reader *r = v->fmt_state;
    const size_t es = zs_dtype_size(r->first.dtype);
    const size_t n = (size_t)r->first.width * r->first.height, plane = n * es;
    tiff_slot *slot = NULL, spare;
    zs_status st = ZS_OK;
    for (int64_t z = z0; z < z1 && st == ZS_OK; z++) {
        const int64_t page = page_of(r, t, z);
        unsigned char *d = (unsigned char *)dst + (size_t)(z - z0) * plane;
        if (r->pages[page].raw) {
            st = zs__pread_full(v->fd, v->info.path, d, plane, r->pages[page].raw);
            if (st == ZS_OK && r->swap) zs__bswap(d, es, n);
            continue;
        }
        if (!slot && !(slot = slot_claim(r))) { /* more threads than slots: a handle for this call */
            memset(&spare, 0, sizeof spare);
            slot = &spare;
        }
        st = decode_plane(v, slot, page, d);
    }
    if (slot == &spare && spare.tif)
        TIFFClose(spare.tif);
    else if (slot)
        atomic_store(&slot->busy, 0);
    return st;
}

static void tiff_close(zs_volume *v)
{
    reader_free(v->fmt_state);
    v->fmt_state = NULL;
}

/* Per reading worker, for pages libtiff decodes: its buffer of a strip's or tile's encoded bytes
 * (at most about a plane), and a tile when the pages are tiled. */
static void tiff_decode_cost(const zs_volume *v, int64_t planes, zs_decode_cost *out)
{
    (void)planes;
    const tiff_reader *r = v->fmt_state;
    const uint64_t plane = (uint64_t)r->first.width * r->first.height * zs_dtype_size(r->first.dtype);
    int decoded = 0;
    for (int64_t i = 0; i < r->npages && !decoded; i++) decoded = !r->pages[i].raw;
    if (!decoded) return;
    out->worker = r->first.tiled ? 2 * plane : plane;
    snprintf(out->unit, sizeof out->unit, "%s pages of %ux%u %s",
             r->first.compression == 1 ? "scattered" : "compressed", r->first.width, r->first.height,
             zs_dtype_name(v->info.dtype));
}

static const zs_volume_io tiff_read_io = {
    .read_planes = tiff_read_planes, .close = tiff_close, .decode_cost = tiff_decode_cost};

/* ---- open ---------------------------------------------------------------------------------- */

static zs_status choose_access(zs_volume *v, tiff_reader *r)
{
    zs_volume_info *info = &v->info;
    const uint64_t plane = (uint64_t)r->first.width * r->first.height * zs_dtype_size(r->first.dtype);
    info->dtype = r->first.dtype;
    if (mappable(r, info, plane)) {
        info->offset = r->pages[0].raw;
        reader_free(r);
        return zs__check_fits(info, v->file_size, info->offset);
    }
    /* decoded: libtiff hands out native byte order; raw planes are swapped to it */
    r->swap = zs_dtype_size(info->dtype) > 1 && info->dtype.big_endian != zs__host_big_endian();
    if (zs_dtype_size(info->dtype) > 1) info->dtype.big_endian = zs__host_big_endian();
    info->decoded = 1;
    info->offset = 0;
    zs_status st = zs_volume_info_sizes(info, NULL, NULL, &info->nbytes);
    if (st < 0) {
        reader_free(r);
        return st;
    }
    v->io = &tiff_read_io;
    v->fmt_state = r;
    return ZS_OK;
}

static zs_status tiff_open(zs_volume *v, const zs_open_opts *o)
{
    (void)o;
    zs_volume_info *info = &v->info;
    info->format = ZS_FMT_TIFF;
    tiff_reader *r = calloc(1, sizeof *r);
    ZS_RETURN_IF(!r, ZS_ENOMEM, "%s: out of memory", info->path);
    zs_tiff_client c;
    memset(&c, 0, sizeof c);
    c.fd = v->fd;
    c.path = info->path;
    TIFF *tif = zs__tiff_open(&c, "r");
    if (!tif) {
        free(r);
        return zs__tiff_fail(&c, ZS_EFORMAT, "not a TIFF file libtiff can read");
    }
    zs_tiff_meta meta;
    zs_status st = scan_pages(tif, &c, r, &meta, info);
    info->version = TIFFIsBigTIFF(tif) ? 43 : 42;
    TIFFClose(tif);
    if (st == ZS_OK) st = layout(r, &c, &meta, info);
    if (st < 0) {
        reader_free(r);
        return st;
    }
    return choose_access(v, r);
}

static int tiff_encodes(const zs_create_opts *o) { return o && o->compress != ZS_COMPRESS_NONE; }

static void tiff_version_text(const zs_volume_info *i, char *buf, size_t n)
{
    snprintf(buf, n, "%s", i->version == 43 ? "BigTIFF" : "classic TIFF");
}

const zs_format_ops zs__fmt_tiff = {
    .desc = {ZS_FMT_TIFF, "tiff", ".tif .tiff .btf .tf8",
             "TIFF and BigTIFF stacks, one page a plane (ImageJ, OME): uncompressed mapped, others decoded",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_MAPPED | ZS_FORMAT_DECODED | ZS_FORMAT_VOXEL_SIZE |
                 ZS_FORMAT_COMPRESS,
             "deflate lzw zstd"},
    .sniff = zs__tiff_magic,
    .open = tiff_open,
    .create = zs__tiff_create,
    .encodes = tiff_encodes,
    .version_text = tiff_version_text,
};
