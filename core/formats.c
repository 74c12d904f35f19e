/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The format registry: the one list of formats. A new format is one fmt_*.c file declaring a
 * zs_format_ops and one line in the table below. Names are matched in table order: first the
 * formats that claim a name whatever its suffix (ZS_CLAIM_FIRST), then refused suffixes, then
 * suffixes, then ZS_CLAIM_LAST, then the fallback entry (the last one: raw). */
#include "volume_internal.h"

#include <strings.h>
#include <string.h>
#include <sys/stat.h>

static const zs_format_ops *const formats[] = {
    &zs__fmt_npy,    &zs__fmt_nifti1, &zs__fmt_nifti2, &zs__fmt_tiff,
    &zs__fmt_zarr, /* before the series: both claim directories, and a Zarr store is one */
    &zs__fmt_hdf5, /* before the series too: "F.h5:/" ends in '/' but names an HDF5 file, not a directory */
    &zs__fmt_series, &zs__fmt_mhd,    &zs__fmt_nrrd,   &zs__fmt_raw, /* the fallback: last */
};
#define NFORMATS ((int)(sizeof formats / sizeof formats[0]))

/* Volumes no name reaches (a caller's buffer: zs_volume_wrap): described and named like the
 * others, never listed (zs_format_at, zslab info --formats) nor matched against a path. */
static const zs_format_ops *const unnamed[] = {&zs__fmt_memory};
#define NUNNAMED ((int)(sizeof unnamed / sizeof unnamed[0]))

const zs_format_ops *zs__format_at(int i) { return i >= 0 && i < NFORMATS ? formats[i] : NULL; }

const zs_format_ops *zs__format_ops(zs_format f)
{
    for (int i = 0; i < NFORMATS; i++)
        if (formats[i]->desc.format == f && f != ZS_FMT_AUTO) return formats[i];
    for (int i = 0; i < NUNNAMED; i++)
        if (unnamed[i]->desc.format == f) return unnamed[i];
    return NULL;
}

const zs_format_desc *zs_format_at(int i) { return i >= 0 && i < NFORMATS ? &formats[i]->desc : NULL; }

const zs_format_desc *zs_format_describe(zs_format f)
{
    const zs_format_ops *o = zs__format_ops(f);
    return o ? &o->desc : NULL;
}

const char *zs_format_name(zs_format f)
{
    const zs_format_ops *o = zs__format_ops(f);
    return o ? o->desc.name : "auto";
}

int zs__name_has_suffix(const char *path, const char *suffixes)
{
    const size_t len = strlen(path);
    for (const char *s = suffixes; s && *s;) {
        while (*s == ' ') s++;
        const size_t n = strcspn(s, " ");
        if (n && len > n && strncasecmp(path + len - n, s, n) == 0) return 1;
        s += n;
    }
    return 0;
}

zs_status zs__format_from_name(const char *path, zs_format *out)
{
    struct stat st;
    const int exists = stat(path, &st) == 0, dir = exists && S_ISDIR(st.st_mode);
    for (int i = 0; i < NFORMATS; i++)
        if (formats[i]->claims_name && formats[i]->claims_name(path, exists, dir) == ZS_CLAIM_FIRST) {
            *out = formats[i]->desc.format;
            return ZS_OK;
        }
    for (int i = 0; i < NFORMATS; i++)
        if (formats[i]->refused && zs__name_has_suffix(path, formats[i]->refused))
            return ZS_ERR(ZS_EUNSUPPORTED, "%s: compressed files cannot be memory-mapped; decompress it first (%s)",
                          path, formats[i]->refused_hint);
    for (int i = 0; i < NFORMATS; i++)
        if ((formats[i]->desc.flags & ZS_FORMAT_READ) && zs__name_has_suffix(path, formats[i]->desc.suffixes)) {
            *out = formats[i]->desc.format;
            return ZS_OK;
        }
    for (int i = 0; i < NFORMATS; i++)
        if (formats[i]->claims_name && formats[i]->claims_name(path, exists, dir) == ZS_CLAIM_LAST) {
            *out = formats[i]->desc.format;
            return ZS_OK;
        }
    *out = formats[NFORMATS - 1]->desc.format;
    return ZS_OK;
}

/* 1 if an earlier entry than i lists the same suffixes (NIfTI-1 and NIfTI-2: ".nii"). */
static int listed_before(int i)
{
    for (int k = 0; k < i; k++)
        if (strcmp(formats[k]->desc.suffixes, formats[i]->desc.suffixes) == 0) return 1;
    return 0;
}

void zs_format_names(char *buf, size_t n)
{
    size_t len = 0;
    if (!buf || !n) return;
    buf[0] = '\0';
    /* suffixes first, then the formats named otherwise ("a plane series"); the fallback (raw) is no name */
    for (int k = 0; k < 2 * (NFORMATS - 1); k++) {
        const int i = k % (NFORMATS - 1), hints = k >= NFORMATS - 1;
        const zs_format_ops *f = formats[i];
        if (!(f->desc.flags & ZS_FORMAT_READ) || listed_before(i) || hints != (f->hint != NULL)) continue;
        if (f->hint) {
            if (len < n) len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", f->hint);
            continue;
        }
        for (const char *s = f->desc.suffixes; *s;) {
            while (*s == ' ') s++;
            const int w = (int)strcspn(s, " ");
            if (w && len < n) len += (size_t)snprintf(buf + len, n - len, "%s%.*s", len ? ", " : "", w, s);
            s += w;
        }
    }
}

/* ---- compressions: the one list of names --------------------------------------------------- */
static const struct {
    const char *name;
    zs_compression c;
} compressions[] = {{"none", ZS_COMPRESS_NONE},           {"deflate", ZS_COMPRESS_DEFLATE},
                    {"zlib", ZS_COMPRESS_DEFLATE},        {"lzw", ZS_COMPRESS_LZW},
                    {"zstd", ZS_COMPRESS_ZSTD},           {"gzip", ZS_COMPRESS_GZIP},
                    {"blosc-lz4", ZS_COMPRESS_BLOSC_LZ4}, {"blosc-zstd", ZS_COMPRESS_BLOSC_ZSTD}};
#define NCOMPRESSIONS ((int)(sizeof compressions / sizeof compressions[0]))

zs_status zs_compression_parse(const char *s, zs_compression *out)
{
    for (int i = 0; s && i < NCOMPRESSIONS; i++)
        if (strcmp(s, compressions[i].name) == 0) {
            *out = compressions[i].c;
            return ZS_OK;
        }
    return ZS_ERR(ZS_EINVAL, "unknown compression '%s' (use none, deflate, lzw, zstd, gzip, blosc-lz4 or blosc-zstd)",
                  s ? s : "");
}

const char *zs_compression_name(zs_compression c)
{
    for (int i = 0; i < NCOMPRESSIONS; i++)
        if (compressions[i].c == c) return compressions[i].name;
    return "?";
}

/* 1 if the space-separated list holds a name of c ("deflate" also takes its alias "zlib"). */
static int lists_compression(const char *list, zs_compression c)
{
    for (int i = 0; list && i < NCOMPRESSIONS; i++) {
        if (compressions[i].c != c) continue;
        const size_t n = strlen(compressions[i].name);
        for (const char *s = list; (s = strstr(s, compressions[i].name)) != NULL; s += n)
            if ((s == list || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0')) return 1;
    }
    return 0;
}

/* The names of the formats for which `has` is true, as the registry lists them ("zarr, hdf5"),
 * into buf; "no format of this build" when none. For the refusals below. */
static const char *names_where(int (*has)(const zs_format_ops *f, const void *arg), const void *arg, char *buf,
                               size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < NFORMATS && len < n; i++)
        if (has(formats[i], arg))
            len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", formats[i]->desc.name);
    return len ? buf : "no format of this build";
}

static int writes_compression(const zs_format_ops *f, const void *arg)
{
    return f->desc.compressions && lists_compression(f->desc.compressions, *(const zs_compression *)arg);
}

static int chunked(const zs_format_ops *f, const void *arg)
{
    (void)arg;
    return f->z_align != NULL;
}

zs_status zs__format_check_compression(const zs_format_ops *ops, const char *path, zs_compression c)
{
    if (c == ZS_COMPRESS_NONE || lists_compression(ops->desc.compressions, c)) return ZS_OK;
    const char *list = ops->desc.compressions;
    if (list && *list)
        return ZS_ERR(ZS_EUNSUPPORTED, "%s: %s outputs are not written with compression %s (they take none, %s)", path,
                      ops->desc.name, zs_compression_name(c), list);
    char names[256];
    return ZS_ERR(ZS_EUNSUPPORTED, "%s: %s data are stored uncompressed; compression %s is written by: %s", path,
                  ops->desc.name, zs_compression_name(c), names_where(writes_compression, &c, names, sizeof names));
}

zs_status zs__format_check_chunks(const zs_format_ops *ops, const char *path, const int64_t chunk[3])
{
    for (int k = 0; k < 3; k++)
        ZS_RETURN_IF(chunk[k] < 0, ZS_EINVAL, "%s: chunk extent %lld along %c is negative", path, (long long)chunk[k],
                     "xyz"[k]);
    if ((!chunk[0] && !chunk[1] && !chunk[2]) || ops->z_align) return ZS_OK;
    char names[256];
    return ZS_ERR(ZS_EUNSUPPORTED, "%s: %s outputs are not chunked; a chunk shape is for %s", path, ops->desc.name,
                  names_where(chunked, NULL, names, sizeof names));
}
