/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Zarr chunk codecs: blosc (libblosc's _ctx functions: no global state, safe in every worker),
 * zstd frames (libzstd, a context per call), gzip and zlib streams (zlib), and raw chunks.
 * Every decoder checks that the chunk decodes to exactly the chunk's size: a truncated or
 * corrupt chunk is an error naming its file and the cause, never a short or overrun buffer.
 * Encoding uses numcodecs' default levels (blosc clevel 5, zstd 1, gzip and zlib 1), which zarr-python
 * writes too: fast enough to keep up with the filters, and what users of zarr expect. */
#include "zarr_internal.h"

#include <blosc.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static zs_status decode_blosc(const char *file, const void *src, size_t n, void *dst, size_t want)
{
    size_t nbytes = 0, cbytes = 0, blocksize = 0;
    ZS_RETURN_IF(n < BLOSC_MIN_HEADER_LENGTH, ZS_EFORMAT, "%s: truncated blosc chunk (%zu bytes)", file, n);
    ZS_RETURN_IF(blosc_cbuffer_validate(src, n, &nbytes) != 0, ZS_EFORMAT,
                 "%s: corrupt or truncated blosc chunk (%zu bytes; its header does not fit)", file, n);
    blosc_cbuffer_sizes(src, &nbytes, &cbytes, &blocksize);
    ZS_RETURN_IF(nbytes != want, ZS_EFORMAT, "%s: the blosc chunk holds %zu bytes, the array's chunks %zu", file,
                 nbytes, want);
    ZS_RETURN_IF(cbytes > n, ZS_EFORMAT, "%s: truncated blosc chunk (%zu of %zu bytes)", file, n, cbytes);
    const int r = blosc_decompress_ctx(src, dst, want, 1);
    ZS_RETURN_IF(r < 0 || (size_t)r != want, ZS_EFORMAT, "%s: corrupt blosc chunk (blosc error %d)", file, r);
    return ZS_OK;
}

static zs_status decode_zstd(const char *file, const void *src, size_t n, void *dst, size_t want)
{
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    ZS_RETURN_IF(!dc, ZS_ENOMEM, "%s: out of memory for a zstd context", file);
    const size_t r = ZSTD_decompressDCtx(dc, dst, want, src, n);
    ZSTD_freeDCtx(dc);
    ZS_RETURN_IF(ZSTD_isError(r), ZS_EFORMAT, "%s: corrupt or truncated zstd chunk (%s)", file, ZSTD_getErrorName(r));
    ZS_RETURN_IF(r != want, ZS_EFORMAT, "%s: the zstd chunk holds %zu bytes, the array's chunks %zu", file, r, want);
    return ZS_OK;
}

/* gzip (window bits 15 + 16) or zlib (15) stream of exactly `want` bytes (chunks and their
 * files are below 4 GiB: one call). */
static zs_status decode_inflate(const char *file, int gzip, const void *src, size_t n, void *dst, size_t want)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    const char *what = gzip ? "gzip" : "zlib";
    ZS_RETURN_IF(n > UINT32_MAX || want > UINT32_MAX, ZS_EUNSUPPORTED, "%s: %s chunk too large", file, what);
    ZS_RETURN_IF(inflateInit2(&z, gzip ? 15 + 16 : 15) != Z_OK, ZS_ENOMEM, "%s: cannot start zlib", file);
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)want;
    const int r = inflate(&z, Z_FINISH);
    const uLong got = z.total_out;
    const int full = z.avail_out == 0;
    char msg[128];
    snprintf(msg, sizeof msg, "%s", z.msg ? z.msg : r == Z_BUF_ERROR ? "it ends early" : "zlib error");
    inflateEnd(&z);
    ZS_RETURN_IF(r == Z_BUF_ERROR && full, ZS_EFORMAT,
                 "%s: the %s chunk holds more than the array's chunks (%zu bytes)", file, what, want);
    ZS_RETURN_IF(r != Z_STREAM_END, ZS_EFORMAT, "%s: corrupt or truncated %s chunk (%s)", file, what, msg);
    ZS_RETURN_IF(got != want, ZS_EFORMAT, "%s: the %s chunk holds %lu bytes, the array's chunks %zu", file, what,
                 (unsigned long)got, want);
    return ZS_OK;
}

zs_status zs__zarr_decode(const zarr_codec *c, const char *file, const void *src, size_t n, void *dst, size_t want)
{
    switch (c->id) {
    case ZARR_RAW:
        ZS_RETURN_IF(n != want, ZS_EFORMAT, "%s: the uncompressed chunk holds %zu bytes, the array's chunks %zu", file,
                     n, want);
        memcpy(dst, src, want);
        return ZS_OK;
    case ZARR_BLOSC:
        return decode_blosc(file, src, n, dst, want);
    case ZARR_ZSTD:
        return decode_zstd(file, src, n, dst, want);
    case ZARR_GZIP:
        return decode_inflate(file, 1, src, n, dst, want);
    case ZARR_ZLIB:
        return decode_inflate(file, 0, src, n, dst, want);
    }
    return ZS_ERR(ZS_EINVAL, "%s: unknown codec", file);
}

static zs_status encode_deflate(const zarr_codec *c, const char *file, const void *src, size_t n, void **out,
                                size_t *out_n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ZS_RETURN_IF(n > (1u << 30), ZS_EUNSUPPORTED, "%s: chunk too large for gzip (%zu bytes)", file, n);
    ZS_RETURN_IF(deflateInit2(&z, c->level, Z_DEFLATED, c->id == ZARR_GZIP ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY) !=
                     Z_OK,
                 ZS_ENOMEM, "%s: cannot start zlib", file);
    const size_t cap = deflateBound(&z, (uLong)n) + 32;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        deflateEnd(&z);
        return ZS_ERR(ZS_ENOMEM, "%s: out of memory compressing a chunk", file);
    }
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    const int r = deflate(&z, Z_FINISH);
    *out_n = z.total_out;
    deflateEnd(&z);
    if (r != Z_STREAM_END) {
        free(buf);
        return ZS_ERR(ZS_EIO, "%s: zlib cannot compress the chunk (%d)", file, r);
    }
    *out = buf;
    return ZS_OK;
}

zs_status zs__zarr_encode(const zarr_codec *c, const char *file, const void *src, size_t n, size_t typesize, void **out,
                          size_t *out_n)
{
    if (c->id == ZARR_GZIP || c->id == ZARR_ZLIB) return encode_deflate(c, file, src, n, out, out_n);
    size_t cap = n;
    if (c->id == ZARR_BLOSC) cap = n + BLOSC_MAX_OVERHEAD;
    if (c->id == ZARR_ZSTD) cap = ZSTD_compressBound(n);
    unsigned char *buf = malloc(cap ? cap : 1);
    ZS_RETURN_IF(!buf, ZS_ENOMEM, "%s: out of memory compressing a chunk", file);
    zs_status st = ZS_OK;
    if (c->id == ZARR_RAW) {
        memcpy(buf, src, n);
        *out_n = n;
    } else if (c->id == ZARR_BLOSC) {
        const int r = blosc_compress_ctx(c->level, c->shuffle, typesize, n, src, buf, cap, c->cname, 0, 1);
        if (r <= 0) st = ZS_ERR(ZS_EIO, "%s: blosc cannot compress the chunk (%d)", file, r);
        *out_n = r > 0 ? (size_t)r : 0;
    } else {
        const size_t r = ZSTD_compress(buf, cap, src, n, c->level);
        if (ZSTD_isError(r)) st = ZS_ERR(ZS_EIO, "%s: zstd cannot compress the chunk (%s)", file, ZSTD_getErrorName(r));
        *out_n = ZSTD_isError(r) ? 0 : r;
    }
    if (st < 0) {
        free(buf);
        return st;
    }
    *out = buf;
    return ZS_OK;
}

zs_status zs__zarr_codec_for(zs_compression comp, const char *file, zarr_codec *c)
{
    memset(c, 0, sizeof *c);
    c->level = 1;
    switch (comp) {
    case ZS_COMPRESS_NONE:
        c->id = ZARR_RAW;
        return ZS_OK;
    case ZS_COMPRESS_ZSTD:
        c->id = ZARR_ZSTD;
        return ZS_OK;
    case ZS_COMPRESS_GZIP:
        c->id = ZARR_GZIP;
        return ZS_OK;
    case ZS_COMPRESS_DEFLATE:
        c->id = ZARR_ZLIB;
        return ZS_OK;
    case ZS_COMPRESS_BLOSC_LZ4:  /* numcodecs' Blosc() default */
    case ZS_COMPRESS_BLOSC_ZSTD: /* bit shuffle: the better one for zstd on integer images */
        c->id = ZARR_BLOSC, c->level = 5, c->shuffle = comp == ZS_COMPRESS_BLOSC_LZ4 ? 1 : 2;
        snprintf(c->cname, sizeof c->cname, "%s", comp == ZS_COMPRESS_BLOSC_LZ4 ? "lz4" : "zstd");
        return ZS_OK;
    default:
        break;
    }
    return ZS_ERR(ZS_EUNSUPPORTED, "%s: Zarr outputs are not written with compression %s", file,
                  zs_compression_name(comp));
}

void zs__zarr_codec_json(const zarr_codec *c, char *buf, size_t n)
{
    switch (c->id) {
    case ZARR_RAW:
        snprintf(buf, n, "null");
        break;
    case ZARR_BLOSC:
        snprintf(buf, n, "{\"blocksize\": 0, \"clevel\": %d, \"cname\": \"%s\", \"id\": \"blosc\", \"shuffle\": %d}",
                 c->level, c->cname, c->shuffle);
        break;
    case ZARR_ZSTD:
        snprintf(buf, n, "{\"id\": \"zstd\", \"level\": %d}", c->level);
        break;
    case ZARR_GZIP:
        snprintf(buf, n, "{\"id\": \"gzip\", \"level\": %d}", c->level);
        break;
    case ZARR_ZLIB:
        snprintf(buf, n, "{\"id\": \"zlib\", \"level\": %d}", c->level);
        break;
    }
}

/* ---- small files ---------------------------------------------------------------------------- */

zs_status zs__zarr_read_file(const char *path, size_t max, char **buf, size_t *n, int *missing)
{
    *buf = NULL, *n = 0;
    if (missing) *missing = 0;
    int fd = -1;
    struct stat st;
    if (zs__open_regular(path, O_RDONLY, &fd, &st) < 0) {
        if (errno != ENOENT || !missing) return ZS_EIO;
        zs_clear_error();
        *missing = 1;
        return ZS_EIO;
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return ZS_ERR(ZS_EFORMAT, "%s: not a regular file of at most %zu bytes", path, max);
    }
    char *b = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    const int e = b ? zs__read_full(fd, b, (size_t)st.st_size, -1, 1, &got) : 0, err = e ? e : EIO;
    close(fd);
    ZS_RETURN_IF(!b, ZS_ENOMEM, "%s: out of memory", path);
    if (got != (size_t)st.st_size) {
        free(b);
        return ZS_ERR_SYS(ZS_EIO, err, "%s: cannot read", path);
    }
    b[got] = '\0';
    *buf = b, *n = got;
    return ZS_OK;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : errno;
}

int zs__zarr_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : errno;
    if (!S_ISDIR(st.st_mode)) return unlink(path) == 0 ? 0 : errno;
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- shards (Zarr v3 sharding_indexed) ----------------------------------------------------- */

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* Copies an inner chunk (decoded: the C-order array of its dimensions in a->inner_perm order)
 * into the C-order shard at inner chunk coordinates g; NULL: fill_value. */
static void place_inner(const zs_zarr_array *a, const unsigned char *in, const int64_t *g, unsigned char *shard)
{
    const size_t es = zs_dtype_size(a->dtype);
    const int nd = a->ndim;
    int64_t sin[ZARR_MAX_DIMS], ssh[ZARR_MAX_DIMS], c[ZARR_MAX_DIMS] = {0}, acc = 1;
    for (int i = nd - 1; i >= 0; i--) sin[a->inner_perm[i]] = acc, acc *= a->inner[a->inner_perm[i]];
    acc = 1;
    for (int d = nd - 1; d >= 0; d--) ssh[d] = acc, acc *= a->chunks[d];
    for (;;) { /* every element, the last dimension fastest */
        int64_t so = 0, dofs = 0;
        for (int d = 0; d < nd; d++) so += c[d] * sin[d], dofs += (g[d] * a->inner[d] + c[d]) * ssh[d];
        memcpy(shard + (size_t)dofs * es, in ? in + (size_t)so * es : a->fill, es);
        int d = nd - 1;
        while (d >= 0 && c[d] == a->inner[d] - 1) c[d] = 0, d--;
        if (d < 0) return;
        c[d]++;
    }
}

zs_status zs__zarr_decode_shard(const zs_zarr_array *a, const char *file, const void *src, size_t n, void *dst,
                                size_t want)
{
    const size_t es = zs_dtype_size(a->dtype);
    int64_t ng[ZARR_MAX_DIMS], g[ZARR_MAX_DIMS] = {0}, count = 1, inner_elems = 1;
    for (int d = 0; d < a->ndim; d++) ng[d] = a->chunks[d] / a->inner[d], count *= ng[d], inner_elems *= a->inner[d];
    const size_t index = (size_t)count * 16 + (a->index_crc ? 4 : 0), inner = (size_t)inner_elems * es;
    ZS_RETURN_IF(n < index, ZS_EFORMAT, "%s: truncated shard (%zu bytes, its index alone takes %zu)", file, n, index);
    ZS_RETURN_IF(want != (size_t)count * inner, ZS_EINVAL, "%s: shard size mismatch", file);
    const unsigned char *s = src, *idx = a->index_end ? s + n - index : s;
    unsigned char *buf = malloc(inner ? inner : 1);
    ZS_RETURN_IF(!buf, ZS_ENOMEM, "%s: out of memory for an inner chunk", file);
    zs_status st = ZS_OK;
    for (int64_t i = 0; i < count && st == ZS_OK; i++) {
        const uint64_t off = le64(idx + 16 * i), len = le64(idx + 16 * i + 8);
        if (off == UINT64_MAX && len == UINT64_MAX) {
            if (!a->has_fill)
                st = ZS_ERR(ZS_EFORMAT, "%s: inner chunk %lld is missing and there is no fill_value", file,
                            (long long)i);
        } else if (off > n || len > n - off)
            st = ZS_ERR(ZS_EFORMAT, "%s: inner chunk %lld lies outside the shard (truncated?)", file, (long long)i);
        else
            st = zs__zarr_decode(&a->inner_codec, file, s + off, (size_t)len, buf, inner);
        if (st == ZS_OK) place_inner(a, off == UINT64_MAX && len == UINT64_MAX ? NULL : buf, g, dst);
        int d = a->ndim - 1;
        while (d >= 0 && g[d] == ng[d] - 1) g[d] = 0, d--;
        if (d >= 0) g[d]++;
    }
    free(buf);
    return st;
}
