/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libtiff over a file descriptor, one page's geometry and decoding, and the tags of a
 * written plane: what the TIFF reader, the TIFF writer and the plane series share.
 *
 * Every handle is opened with TIFFClientOpenExt on client procedures that use pread/pwrite
 * at the handle's own position, so several handles on one descriptor (one per worker) never
 * disturb each other, and with per-handle error handlers, so libtiff's messages end up in
 * zslab's error text instead of on stderr (libtiff handles are not thread-safe: one handle is
 * only ever used by one thread at a time, see fmt_tiff.c). */
#include "tiff_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- client procedures ------------------------------------------------------------------ */

static tmsize_t client_read(thandle_t h, void *buf, tmsize_t n)
{
    zs_tiff_client *c = h;
    size_t done;
    (void)zs__read_full(c->fd, buf, (size_t)n, (int64_t)c->pos, 1, &done); /* libtiff sees the short count */
    c->pos += (uint64_t)done;
    return (tmsize_t)done;
}

static tmsize_t client_write(thandle_t h, void *buf, tmsize_t n)
{
    zs_tiff_client *c = h;
    if (c->reserve) { /* data of a contiguous stack: allocated later, never written here */
        c->pos += (uint64_t)n;
        if (c->pos > c->data_next) c->data_next = c->pos;
        return n;
    }
    size_t done;
    const int e = zs__write_full(c->fd, buf, (size_t)n, (int64_t)c->pos, 1, &done);
    if (done < (size_t)n) {
        if (!c->write_errno) c->write_errno = e ? e : EIO;
        snprintf(c->err, sizeof c->err, "write failed");
    }
    c->pos += (uint64_t)done;
    if (c->pos > c->end) c->end = c->pos;
    return (tmsize_t)done;
}

static toff_t client_seek(thandle_t h, toff_t off, int whence)
{
    zs_tiff_client *c = h;
    if (whence == SEEK_SET)
        c->pos = off;
    else if (whence == SEEK_CUR)
        c->pos += off;
    else
        c->pos = (c->reserve ? c->data_next : c->end) + off;
    return c->pos;
}

static toff_t client_size(thandle_t h)
{
    const zs_tiff_client *c = h;
    return c->end > c->data_next ? c->end : c->data_next;
}

static int client_close(thandle_t h)
{
    (void)h;
    return 0; /* the volume owns the descriptor */
}
static int client_map(thandle_t h, void **base, toff_t *size)
{
    (void)h, (void)base, (void)size;
    return 0;
}
static void client_unmap(thandle_t h, void *base, toff_t size) { (void)h, (void)base, (void)size; }

static int on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    zs_tiff_client *c = user;
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    snprintf(c->err, sizeof c->err, "%s%s%s", module ? module : "", module ? ": " : "", msg);
    return 1; /* handled: nothing on stderr */
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif, (void)user, (void)module, (void)fmt, (void)ap;
    return 1; /* unknown private tags and the like: silent */
}

TIFFOpenOptions *zs__tiff_options(zs_tiff_client *c)
{
    TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
    if (!o) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return NULL;
    }
    TIFFOpenOptionsSetErrorHandlerExtR(o, on_error, c);
    TIFFOpenOptionsSetWarningHandlerExtR(o, on_warning, c);
    return o;
}

TIFF *zs__tiff_open(zs_tiff_client *c, const char *mode)
{
    c->pos = 0;
    c->err[0] = '\0';
    if (mode[0] == 'r') {
        struct stat st;
        c->end = fstat(c->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    }
    TIFFOpenOptions *o = zs__tiff_options(c);
    if (!o) return NULL;
    char m[16];
    snprintf(m, sizeof m, "%sm", mode); /* 'm': no mapping, reads are pread */
    TIFF *t = TIFFClientOpenExt(c->path, m, c, client_read, client_write, client_seek, client_close, client_size,
                                client_map, client_unmap, o);
    TIFFOpenOptionsFree(o);
    return t;
}

zs_status zs__tiff_fail(const zs_tiff_client *c, zs_status code, const char *what)
{
    if (c->write_errno)
        return ZS_ERR_SYS(zs__status_from_errno(c->write_errno), c->write_errno, "%s: %s%s%s", c->path, what,
                          c->err[0] ? ": " : "", c->err);
    return ZS_ERR(code, "%s: %s%s%s", c->path, what, c->err[0] ? ": " : "", c->err);
}

/* ---- one page ------------------------------------------------------------------------------- */

static int dtype_of(uint16_t fmt, uint16_t bps, zs_type *t)
{
    static const zs_type uints[4] = {ZS_U8, ZS_U16, ZS_U32, ZS_U64}, ints[4] = {ZS_I8, ZS_I16, ZS_I32, ZS_I64};
    const int k = bps == 8 ? 0 : bps == 16 ? 1 : bps == 32 ? 2 : bps == 64 ? 3 : -1;
    if (k < 0) return 0;
    if (fmt == SAMPLEFORMAT_UINT || fmt == SAMPLEFORMAT_VOID)
        *t = uints[k];
    else if (fmt == SAMPLEFORMAT_INT)
        *t = ints[k];
    else if (fmt == SAMPLEFORMAT_IEEEFP && (bps == 32 || bps == 64))
        *t = bps == 32 ? ZS_F32 : ZS_F64;
    else
        return 0;
    return 1;
}

/* Uncompressed strips that follow each other hold the plane as one byte range: its offset. */
static uint64_t raw_offset(TIFF *tif, const zs_tiff_client *c, const zs_tiff_page_info *pi)
{
    if (pi->compression != COMPRESSION_NONE || pi->tiled) return 0;
    const uint64_t plane = (uint64_t)pi->width * pi->height * zs_dtype_size(pi->dtype);
    const uint32_t n = TIFFNumberOfStrips(tif);
    const uint64_t first = n ? TIFFGetStrileOffset(tif, 0) : 0;
    uint64_t next = first;
    for (uint32_t s = 0; s < n && next - first < plane; s++) {
        if (TIFFGetStrileOffset(tif, s) != next) return 0;
        next += TIFFGetStrileByteCount(tif, s);
    }
    return first > 0 && next - first >= plane && first + plane <= c->end ? first : 0;
}

/* A page whose plane is not one raw range (compressed, tiled, scattered strips) must have its
 * strips (or tiles) inside the file, and uncompressed ones must hold the plane its header
 * declares: a header that claims more than the file holds is refused at open, naming the page,
 * before any buffer is sized from it. */
static zs_status check_strips(TIFF *tif, const zs_tiff_client *c, int64_t page, const zs_tiff_page_info *pi)
{
    const uint64_t plane = (uint64_t)pi->width * pi->height * zs_dtype_size(pi->dtype);
    const uint32_t n = pi->tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    uint64_t sum = 0;
    for (uint32_t s = 0; s < n; s++) {
        const uint64_t off = TIFFGetStrileOffset(tif, s), cnt = TIFFGetStrileByteCount(tif, s);
        if (off > c->end || cnt > c->end - off)
            return ZS_ERR(ZS_EFORMAT,
                          "%s: page %lld: %s %u lies past the end of the file (bytes %llu to %llu of a %llu-byte "
                          "file): the file is truncated or its header is corrupt",
                          c->path, (long long)page, pi->tiled ? "tile" : "strip", s, (unsigned long long)off,
                          (unsigned long long)(off + cnt), (unsigned long long)c->end);
        sum += cnt;
    }
    if (pi->compression == COMPRESSION_NONE && sum < plane)
        return ZS_ERR(ZS_EFORMAT,
                      "%s: page %lld declares %ux%u %s samples (%llu bytes, uncompressed) but its %s hold %llu bytes: "
                      "the file is truncated or its header is corrupt",
                      c->path, (long long)page, pi->width, pi->height, zs_dtype_name(pi->dtype),
                      (unsigned long long)plane, pi->tiled ? "tiles" : "strips", (unsigned long long)sum);
    return ZS_OK;
}

zs_status zs__tiff_page_read(TIFF *tif, const zs_tiff_client *c, int64_t page, zs_tiff_page_info *pi)
{
    memset(pi, 0, sizeof *pi);
    uint32_t w = 0, h = 0, subtype = 0;
    uint16_t bps = 1, spp = 1, fmt = SAMPLEFORMAT_UINT, comp = COMPRESSION_NONE;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h) || !w || !h)
        return ZS_ERR(ZS_EFORMAT, "%s: page %lld has no image size", c->path, (long long)page);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &fmt);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &comp);
    if (TIFFGetField(tif, TIFFTAG_SUBFILETYPE, &subtype) && (subtype & FILETYPE_REDUCEDIMAGE)) pi->reduced = 1;
    ZS_RETURN_IF(spp != 1, ZS_EUNSUPPORTED,
                 "%s: page %lld has %u samples per pixel (RGB or interleaved channels); zslab reads one sample "
                 "per pixel: save the channels as separate pages or files",
                 c->path, (long long)page, spp);
    zs_type t;
    if (!dtype_of(fmt, bps, &t))
        return ZS_ERR(ZS_EUNSUPPORTED,
                      "%s: page %lld holds %u-bit %s samples; zslab reads 8, 16, 32 and 64-bit "
                      "integers and 32/64-bit floats",
                      c->path, (long long)page, bps,
                      fmt == SAMPLEFORMAT_IEEEFP                             ? "floating-point"
                      : fmt == SAMPLEFORMAT_INT                              ? "signed"
                      : fmt == SAMPLEFORMAT_UINT || fmt == SAMPLEFORMAT_VOID ? "unsigned"
                                                                             : "complex");
    if (comp != COMPRESSION_NONE && !TIFFIsCODECConfigured(comp))
        return ZS_ERR(ZS_EUNSUPPORTED, "%s: page %lld uses compression %u, which this libtiff cannot decode", c->path,
                      (long long)page, comp);
    pi->width = w;
    pi->height = h;
    pi->dtype.type = t;
    pi->dtype.big_endian = bps > 8 && TIFFIsBigEndian(tif);
    pi->compression = comp;
    pi->tiled = TIFFIsTiled(tif);
    pi->raw = raw_offset(tif, c, pi);
    return pi->raw ? ZS_OK : check_strips(tif, c, page, pi);
}

static zs_status decode_tiles(TIFF *tif, const zs_tiff_client *c, int64_t page, const zs_tiff_page_info *pi,
                              unsigned char *dst)
{
    const size_t es = zs_dtype_size(pi->dtype);
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    const tmsize_t tsize = TIFFTileSize(tif);
    ZS_RETURN_IF(!tw || !th || tsize < (tmsize_t)((uint64_t)tw * th * es), ZS_EFORMAT,
                 "%s: page %lld: invalid tile size %ux%u", c->path, (long long)page, tw, th);
    unsigned char *tile = malloc((size_t)tsize);
    ZS_RETURN_IF(!tile, ZS_ENOMEM, "%s: out of memory for a %lld-byte tile", c->path, (long long)tsize);
    zs_status st = ZS_OK;
    for (uint32_t y0 = 0; y0 < pi->height && st == ZS_OK; y0 += th)
        for (uint32_t x0 = 0; x0 < pi->width && st == ZS_OK; x0 += tw) {
            if (TIFFReadEncodedTile(tif, TIFFComputeTile(tif, x0, y0, 0, 0), tile, tsize) < 0) {
                char what[96];
                snprintf(what, sizeof what, "page %lld: cannot decode the tile at x=%u y=%u", (long long)page, x0, y0);
                st = zs__tiff_fail(c, ZS_EFORMAT, what);
                break;
            }
            const uint32_t rows = pi->height - y0 < th ? pi->height - y0 : th;
            const uint32_t cols = pi->width - x0 < tw ? pi->width - x0 : tw;
            for (uint32_t y = 0; y < rows; y++)
                memcpy(dst + ((size_t)(y0 + y) * pi->width + x0) * es, tile + (size_t)y * tw * es, (size_t)cols * es);
        }
    free(tile);
    return st;
}

zs_status zs__tiff_page_decode(TIFF *tif, const zs_tiff_client *c, int64_t page, const zs_tiff_page_info *pi, void *dst)
{
    uint32_t w = 0, h = 0;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    ZS_RETURN_IF(w != pi->width || h != pi->height, ZS_EFORMAT, "%s: page %lld changed while the file was open",
                 c->path, (long long)page);
    if (TIFFIsTiled(tif)) return decode_tiles(tif, c, page, pi, dst);
    const size_t row = (size_t)pi->width * zs_dtype_size(pi->dtype);
    uint32_t rps = 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rps);
    if (rps == 0 || rps > pi->height) rps = pi->height;
    unsigned char *d = dst;
    for (uint32_t y = 0, s = 0; y < pi->height; y += rps, s++) {
        const uint32_t rows = pi->height - y < rps ? pi->height - y : rps;
        const tmsize_t want = (tmsize_t)((size_t)rows * row);
        if (TIFFReadEncodedStrip(tif, s, d + (size_t)y * row, want) < want) {
            char what[96];
            snprintf(what, sizeof what, "page %lld: cannot decode strip %u (rows %u-%u)", (long long)page, s, y,
                     y + rows - 1);
            return zs__tiff_fail(c, ZS_EFORMAT, what);
        }
    }
    return ZS_OK;
}

/* ---- writing -------------------------------------------------------------------------------- */

uint32_t zs__tiff_rows_per_strip(uint64_t row_bytes, uint32_t height, uint64_t target)
{
    uint64_t r = row_bytes ? target / row_bytes : height;
    if (r < 1) r = 1;
    return r > height ? height : (uint32_t)r;
}

static uint16_t compression_code(zs_compression c)
{
    switch (c) {
    case ZS_COMPRESS_DEFLATE:
        return COMPRESSION_ADOBE_DEFLATE;
    case ZS_COMPRESS_LZW:
        return COMPRESSION_LZW;
    case ZS_COMPRESS_ZSTD:
        return COMPRESSION_ZSTD;
    default:
        return COMPRESSION_NONE;
    }
}

zs_status zs__tiff_set_tags(TIFF *tif, const zs_tiff_client *c, const zs_volume_info *spec, zs_compression comp,
                            uint32_t rows_per_strip)
{
    const zs_dtype d = spec->dtype;
    const uint16_t bps = (uint16_t)(8 * zs_dtype_size(d));
    const uint16_t fmt = zs_dtype_is_float(d) ? SAMPLEFORMAT_IEEEFP
                         : (d.type == ZS_I8 || d.type == ZS_I16 || d.type == ZS_I32 || d.type == ZS_I64)
                             ? SAMPLEFORMAT_INT
                             : SAMPLEFORMAT_UINT;
    const uint16_t code = compression_code(comp);
    ZS_RETURN_IF(code != COMPRESSION_NONE && !TIFFIsCODECConfigured(code), ZS_EUNSUPPORTED,
                 "%s: this libtiff cannot write compression %u", c->path, code);
    int ok = TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)spec->shape[0]) &&
             TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)spec->shape[1]) &&
             TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bps) && TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1) &&
             TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, fmt) &&
             TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK) &&
             TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
             TIFFSetField(tif, TIFFTAG_COMPRESSION, code) && TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows_per_strip) &&
             TIFFSetField(tif, TIFFTAG_XRESOLUTION, 1.0 / spec->voxel[0]) &&
             TIFFSetField(tif, TIFFTAG_YRESOLUTION, 1.0 / spec->voxel[1]) &&
             TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_NONE) && TIFFSetField(tif, TIFFTAG_SOFTWARE, "zslab");
    /* Horizontal differencing makes integer images compress much better; floats stay as they
     * are (the floating-point predictor is not read by every reader). */
    if (ok && code != COMPRESSION_NONE && !zs_dtype_is_float(d))
        ok = TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
    return ok ? ZS_OK : zs__tiff_fail(c, ZS_EINVAL, "cannot set the TIFF tags");
}

/* Native-order copy of a plane for libtiff's encoders (which may also alter their input). */
unsigned char *zs__tiff_native_copy(const void *plane, zs_dtype d, size_t n)
{
    const size_t es = zs_dtype_size(d);
    unsigned char *b = malloc(n * es > 0 ? n * es : 1);
    if (!b) return NULL;
    memcpy(b, plane, n * es);
    if (es > 1 && d.big_endian != zs__host_big_endian()) zs__bswap(b, es, n);
    return b;
}

zs_status zs__tiff_write_plane_file(int fd, const char *path, const zs_volume_info *spec, zs_compression comp,
                                    const void *plane)
{
    zs_tiff_client c;
    memset(&c, 0, sizeof c);
    c.fd = fd;
    c.path = path;
    const int be = zs_dtype_size(spec->dtype) > 1 ? spec->dtype.big_endian : zs__host_big_endian();
    TIFF *tif = zs__tiff_open(&c, be ? "wb" : "wl");
    if (!tif) return zs__tiff_fail(&c, ZS_EIO, "cannot create a TIFF file");
    const size_t es = zs_dtype_size(spec->dtype), row = (size_t)spec->shape[0] * es,
                 n = (size_t)(spec->shape[0] * spec->shape[1]);
    const uint32_t h = (uint32_t)spec->shape[1];
    const uint32_t rps = zs__tiff_rows_per_strip(row, h, comp ? (256u << 10) : (8u << 20));
    char desc[1024];
    zs_volume_info one = *spec;
    one.shape[2] = one.shape[3] = 1;
    zs__tiff_imagej_description(&one, desc, sizeof desc);
    zs_status st = zs__tiff_set_tags(tif, &c, spec, comp, rps);
    if (st == ZS_OK && !TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, desc))
        st = zs__tiff_fail(&c, ZS_EIO, "cannot set tags");
    unsigned char *tmp = NULL;
    if (st == ZS_OK && comp != ZS_COMPRESS_NONE && !(tmp = zs__tiff_native_copy(plane, spec->dtype, n)))
        st = ZS_ERR(ZS_ENOMEM, "%s: out of memory", path);
    for (uint32_t y = 0, s = 0; st == ZS_OK && y < h; y += rps, s++) {
        const uint32_t rows = h - y < rps ? h - y : rps;
        const tmsize_t bytes = (tmsize_t)((size_t)rows * row);
        const tmsize_t r = tmp ? TIFFWriteEncodedStrip(tif, s, tmp + (size_t)y * row, bytes)
                               : TIFFWriteRawStrip(tif, s, (unsigned char *)plane + (size_t)y * row, bytes);
        if (r != bytes) st = zs__tiff_fail(&c, ZS_EIO, "cannot write a strip");
    }
    free(tmp);
    if (st == ZS_OK && !TIFFWriteDirectory(tif)) st = zs__tiff_fail(&c, ZS_EIO, "cannot write the TIFF directory");
    TIFFClose(tif);
    return st;
}
