/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* .npy: numpy's array file format (NEP 1), versions 1.0, 2.0 and 3.0.
 *
 * Layout: "\x93NUMPY", major, minor, the header length (2 bytes little-endian in 1.0, 4 in
 * 2.0/3.0), then the header: a Python dict literal with the keys 'descr', 'fortran_order'
 * and 'shape', padded with spaces and ended by '\n'. The data starts right after it. The
 * header is ASCII (latin-1) in 1.0/2.0 and UTF-8 in 3.0; only ASCII matters for parsing.
 *
 * The reader accepts what Python's literal syntax accepts for these three values: keys in
 * any order, single or double quotes, any whitespace, a trailing comma, `(5,)` and `()`,
 * True/False, and the 'L' suffix of headers written by Python 2. Padding is whatever the
 * length field says. The writer produces byte for byte what np.lib.format writes for a
 * Fortran-order array: keys sorted, the growth padding numpy reserves after the dict, then
 * spaces and '\n' so that the data starts at a multiple of 64 bytes. */
#include "volume_internal.h"

#include <string.h>

#define NPY_MAGIC     "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN     64
/* numpy reserves room for this many digits of the growth axis (np.lib.format). */
#define NPY_GROWTH_DIGITS 21
/* Dimensions counted beyond 4 (only to report them). */
#define NPY_MAX_PARSED_DIMS 64

/* ---- header parsing --------------------------------------------------------------------- */

typedef struct npy_cursor {
    const unsigned char *p, *start, *end;
    const char *path;
} npy_cursor;

typedef struct npy_dict {
    char descr[24];
    int has_descr, has_fortran, has_shape;
    int fortran;
    int ndim; /* entries in the shape tuple (may exceed 4) */
    int64_t shape[4];
} npy_dict;

static int is_py_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void skip_space(npy_cursor *c)
{
    while (c->p < c->end && is_py_space(*c->p)) c->p++;
}

static size_t pos(const npy_cursor *c) { return (size_t)(c->p - c->start); }

static zs_status syntax(const npy_cursor *c, const char *what)
{
    if (c->p >= c->end)
        return ZS_ERR(ZS_EFORMAT, "%s: npy header: %s, but the header ends at byte %zu", c->path, what, pos(c));
    unsigned char ch = *c->p;
    if (ch >= 0x20 && ch < 0x7f)
        return ZS_ERR(ZS_EFORMAT, "%s: npy header: %s, found '%c' at byte %zu", c->path, what, ch, pos(c));
    return ZS_ERR(ZS_EFORMAT, "%s: npy header: %s, found byte 0x%02x at byte %zu", c->path, what, ch, pos(c));
}

static int accept(npy_cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == (unsigned char)ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A Python string literal without escapes: 'text' or "text" (an optional u prefix). */
static zs_status parse_string(npy_cursor *c, const unsigned char **s, size_t *len)
{
    skip_space(c);
    if (c->p < c->end && (*c->p == 'u' || *c->p == 'U') && c->p + 1 < c->end && (c->p[1] == '\'' || c->p[1] == '"'))
        c->p++;
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return syntax(c, "expected a quoted string");
    const unsigned char q = *c->p++;
    const unsigned char *b = c->p;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\') return syntax(c, "escape sequences are not supported in strings");
        if (*c->p == '\n') return syntax(c, "unterminated string");
        c->p++;
    }
    if (c->p >= c->end) return syntax(c, "unterminated string");
    *s = b;
    *len = (size_t)(c->p - b);
    c->p++;
    return ZS_OK;
}

static int word_is(const npy_cursor *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0) return 0;
    if (c->p + n < c->end) {
        unsigned char nx = c->p[n];
        if ((nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z') || (nx >= '0' && nx <= '9') || nx == '_') return 0;
    }
    return 1;
}

static zs_status parse_bool(npy_cursor *c, int *out)
{
    skip_space(c);
    if (word_is(c, "True")) {
        *out = 1;
        c->p += 4;
        return ZS_OK;
    }
    if (word_is(c, "False")) {
        *out = 0;
        c->p += 5;
        return ZS_OK;
    }
    return syntax(c, "'fortran_order' must be True or False");
}

/* A non-negative decimal integer (digits, optional '_' between digits, optional Python 2 'L'). */
static zs_status parse_dim(npy_cursor *c, int64_t *out)
{
    skip_space(c);
    if (c->p < c->end && *c->p == '-')
        return ZS_ERR(ZS_EFORMAT, "%s: npy header: negative dimension in 'shape' at byte %zu", c->path, pos(c));
    if (c->p >= c->end || *c->p < '0' || *c->p > '9') return syntax(c, "expected a dimension (an integer) in 'shape'");
    uint64_t v = 0;
    int overflow = 0;
    while (c->p < c->end) {
        unsigned char ch = *c->p;
        if (ch == '_' && c->p + 1 < c->end && c->p[1] >= '0' && c->p[1] <= '9') {
            c->p++;
            continue;
        }
        if (ch < '0' || ch > '9') break;
        if (v > ((uint64_t)INT64_MAX - (ch - '0')) / 10)
            overflow = 1;
        else
            v = v * 10 + (ch - '0');
        c->p++;
    }
    if (c->p < c->end && (*c->p == 'L' || *c->p == 'l')) c->p++;
    if (overflow) return ZS_ERR(ZS_EOVERFLOW, "%s: npy header: a dimension in 'shape' exceeds 2^63-1", c->path);
    *out = (int64_t)v;
    return ZS_OK;
}

/* '(' [dim (',' dim)* [',']] ')'; a single element needs its comma, as in Python. */
static zs_status parse_shape(npy_cursor *c, npy_dict *d)
{
    if (!accept(c, '(')) return syntax(c, "'shape' must be a tuple such as (5, 4, 3)");
    d->ndim = 0;
    int commas = 0;
    while (!accept(c, ')')) {
        int64_t v = 0;
        ZS_FORWARD(parse_dim(c, &v));
        if (d->ndim < 4) d->shape[d->ndim] = v;
        if (++d->ndim > NPY_MAX_PARSED_DIMS)
            return ZS_ERR(ZS_EUNSUPPORTED, "%s: npy header: more than %d dimensions", c->path, NPY_MAX_PARSED_DIMS);
        if (accept(c, ',')) {
            commas++;
            continue;
        }
        if (accept(c, ')')) break;
        return syntax(c, "expected ',' or ')' in 'shape'");
    }
    if (d->ndim == 1 && commas == 0)
        return ZS_ERR(ZS_EFORMAT, "%s: npy header: 'shape' (%lld) is not a tuple (a 1-D shape is written (%lld,))",
                      c->path, (long long)d->shape[0], (long long)d->shape[0]);
    return ZS_OK;
}

static zs_status parse_descr(npy_cursor *c, npy_dict *d)
{
    skip_space(c);
    if (c->p < c->end && (*c->p == '[' || *c->p == '('))
        return ZS_ERR(ZS_EUNSUPPORTED,
                      "%s: structured or sub-array dtypes (descr is a list) are not supported; zslab reads "
                      "arrays of uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64",
                      c->path);
    const unsigned char *s;
    size_t n;
    ZS_FORWARD(parse_string(c, &s, &n));
    if (n >= sizeof d->descr)
        return ZS_ERR(ZS_EUNSUPPORTED, "%s: dtype descr of %zu characters is not supported", c->path, n);
    memcpy(d->descr, s, n);
    d->descr[n] = '\0';
    return ZS_OK;
}

static zs_status parse_entry(npy_cursor *c, npy_dict *d)
{
    const unsigned char *k;
    size_t kn;
    ZS_FORWARD(parse_string(c, &k, &kn));
    if (!accept(c, ':')) return syntax(c, "expected ':' after a key");
    if (kn == 5 && memcmp(k, "descr", 5) == 0) {
        d->has_descr = 1;
        return parse_descr(c, d);
    }
    if (kn == 13 && memcmp(k, "fortran_order", 13) == 0) {
        d->has_fortran = 1;
        return parse_bool(c, &d->fortran);
    }
    if (kn == 5 && memcmp(k, "shape", 5) == 0) {
        d->has_shape = 1;
        return parse_shape(c, d);
    }
    return ZS_ERR(ZS_EFORMAT,
                  "%s: npy header: unexpected key '%.*s' (a .npy header holds only 'descr', "
                  "'fortran_order' and 'shape')",
                  c->path, (int)(kn > 40 ? 40 : kn), (const char *)k);
}

/* The dict literal, then only whitespace up to the end of the header. */
static zs_status parse_dict(npy_cursor *c, npy_dict *d)
{
    if (!accept(c, '{')) return syntax(c, "expected '{' (the header is a Python dict)");
    while (!accept(c, '}')) {
        ZS_FORWARD(parse_entry(c, d));
        if (accept(c, ',')) continue;
        if (accept(c, '}')) break;
        return syntax(c, "expected ',' or '}' after a value");
    }
    skip_space(c);
    if (c->p != c->end) return syntax(c, "expected only padding after the dict");
    if (!d->has_descr || !d->has_fortran || !d->has_shape)
        return ZS_ERR(ZS_EFORMAT, "%s: npy header: missing key '%s'", c->path,
                      !d->has_descr     ? "descr"
                      : !d->has_fortran ? "fortran_order"
                                        : "shape");
    return ZS_OK;
}

/* ---- dtype descr ------------------------------------------------------------------------ */

static const char *kind_name(char kind)
{
    switch (kind) {
    case 'c':
        return "complex";
    case 'b':
    case '?':
        return "bool";
    case 'O':
        return "Python object";
    case 'S':
    case 'a':
        return "byte string";
    case 'U':
        return "unicode string";
    case 'V':
        return "void (raw bytes)";
    case 'M':
        return "datetime64";
    case 'm':
        return "timedelta64";
    case 'f':
        return "float of this size";
    case 'u':
    case 'i':
        return "integer of this size";
    default:
        return "unknown";
    }
}

/* numpy's dtype.str: optional byte order [<>|=], kind, size in bytes. */
static zs_status descr_to_dtype(const char *path, const char *descr, zs_dtype *out)
{
    const char *p = descr;
    int big = zs__host_big_endian();
    if (*p == '<')
        big = 0;
    else if (*p == '>')
        big = 1;
    if (*p == '<' || *p == '>' || *p == '|' || *p == '=') p++;
    char kind = *p;
    int size = 0, digits = 0;
    for (const char *q = p + (*p ? 1 : 0); *q; q++, digits++) {
        if (*q < '0' || *q > '9' || digits > 3) {
            size = -1;
            break;
        }
        size = size * 10 + (*q - '0');
    }
    static const struct {
        char kind;
        int size;
        zs_type t;
    } ok[] = {
        {'u', 1, ZS_U8},  {'i', 1, ZS_I8},  {'u', 2, ZS_U16}, {'i', 2, ZS_I16}, {'u', 4, ZS_U32},  {'i', 4, ZS_I32},
        {'u', 8, ZS_U64}, {'i', 8, ZS_I64}, {'f', 4, ZS_F32}, {'f', 8, ZS_F64}, {'b', 1, ZS_BOOL},
    };
    for (size_t i = 0; digits > 0 && size > 0 && i < sizeof ok / sizeof ok[0]; i++)
        if (ok[i].kind == kind && ok[i].size == size) {
            out->type = ok[i].t;
            out->big_endian = size > 1 ? big : 0;
            return ZS_OK;
        }
    return ZS_ERR(ZS_EUNSUPPORTED,
                  "%s: dtype '%s' (%s) is not supported; zslab reads uint8, int8, uint16, int16, uint32, "
                  "int32, uint64, int64, float32, float64 and bool",
                  path, descr, kind_name(kind));
}

/* ---- the file --------------------------------------------------------------------------- */

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Magic, version and header length: sets *hstart and *hlen (the dict text) and *version. */
static zs_status read_prefix(const unsigned char *buf, size_t n, uint64_t file_size, const char *path, int *version,
                             size_t *hstart, uint64_t *hlen)
{
    ZS_RETURN_IF(file_size == 0 || n == 0, ZS_EFORMAT, "%s: empty file", path);
    size_t m = n < NPY_MAGIC_LEN ? n : NPY_MAGIC_LEN;
    ZS_RETURN_IF(memcmp(buf, NPY_MAGIC, m) != 0, ZS_EFORMAT,
                 "%s: not a .npy file (it does not start with the magic bytes \\x93NUMPY)", path);
    ZS_RETURN_IF(n < 10, ZS_EFORMAT, "%s: truncated npy header: the file holds only %zu bytes", path, n);
    const int major = buf[6], minor = buf[7];
    ZS_RETURN_IF((major < 1 || major > 3) || minor != 0, ZS_EUNSUPPORTED,
                 "%s: npy format version %d.%d is not supported (zslab reads 1.0, 2.0 and 3.0)", path, major, minor);
    *version = major;
    if (major == 1) {
        *hstart = 10;
        *hlen = (uint64_t)buf[8] | (uint64_t)buf[9] << 8;
    } else {
        ZS_RETURN_IF(n < 12, ZS_EFORMAT, "%s: truncated npy header: the file holds only %zu bytes", path, n);
        *hstart = 12;
        *hlen = le32(buf + 8);
    }
    const uint64_t end = *hstart + *hlen;
    ZS_RETURN_IF(end > file_size, ZS_EFORMAT,
                 "%s: npy header length %llu goes beyond the end of the file (%llu bytes): truncated header", path,
                 (unsigned long long)*hlen, (unsigned long long)file_size);
    ZS_RETURN_IF(end > n, ZS_EUNSUPPORTED, "%s: npy header of %llu bytes is larger than the %u bytes zslab reads", path,
                 (unsigned long long)*hlen, (unsigned)ZS_MAX_HEADER);
    return ZS_OK;
}

static zs_status npy_parse(const unsigned char *buf, size_t n, uint64_t file_size, zs_volume_info *info)
{
    const char *path = info->path;
    int version = 0;
    size_t hstart = 0;
    uint64_t hlen = 0;
    if (n > file_size) n = (size_t)file_size;
    ZS_FORWARD(read_prefix(buf, n, file_size, path, &version, &hstart, &hlen));
    npy_cursor c = {buf + hstart, buf + hstart, buf + hstart + hlen, path};
    npy_dict d;
    memset(&d, 0, sizeof d);
    ZS_FORWARD(parse_dict(&c, &d));
    zs_dtype dt;
    ZS_FORWARD(descr_to_dtype(path, d.descr, &dt));
    ZS_RETURN_IF(d.ndim == 0, ZS_EUNSUPPORTED, "%s: a 0-d array (shape ()) holds a single value, not a volume", path);
    ZS_RETURN_IF(d.ndim > 4, ZS_EUNSUPPORTED,
                 "%s: a %d-dimensional array is not supported (zslab reads 1 to 4 dimensions: x, y, z, t)", path,
                 d.ndim);
    info->format = ZS_FMT_NPY;
    info->version = version;
    info->ndim = d.ndim;
    for (int i = 0; i < 4; i++) info->shape[i] = i < d.ndim ? d.shape[i] : 1;
    info->dtype = dt;
    info->order = d.fortran ? ZS_ORDER_F : ZS_ORDER_C;
    info->offset = hstart + hlen;
    info->slope = 1.0;
    info->inter = 0.0;
    for (int i = 0; i < 3; i++) info->voxel[i] = 1.0;
    info->unit[0] = '\0';
    return zs__check_fits(info, file_size, info->offset);
}

/* ---- writing ---------------------------------------------------------------------------- */

/* Dimensions actually written: spec->ndim, widened to cover any dimension > 1. */
static int written_ndim(const zs_volume_info *spec)
{
    int nd = spec->ndim < 1 ? 1 : spec->ndim > 4 ? 4 : spec->ndim;
    for (int i = nd; i < 4; i++)
        if (spec->shape[i] != 1) nd = i + 1; /* > 1, or 0: an empty axis is kept */
    return nd;
}

static int64_t npy_write_header(zs_volume_info *spec, unsigned char *buf, size_t cap)
{
    const char *path = spec->path;
    ZS_RETURN_IF(zs_dtype_size(spec->dtype) == 0, ZS_EINVAL, "%s: invalid dtype", path);
    const int nd = written_ndim(spec);
    for (int i = 0; i < 4; i++)
        ZS_RETURN_IF(spec->shape[i] < 0, ZS_EINVAL, "%s: dimension %d is %lld (must be >= 0)", path, i,
                     (long long)spec->shape[i]);
    char descr[8], dict[256];
    zs_dtype_descr(spec->dtype, descr, sizeof descr);
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': True, 'shape': (", descr);
    for (int i = 0; i < nd; i++)
        len += snprintf(dict + len, sizeof dict - (size_t)len, "%s%lld", i ? ", " : "", (long long)spec->shape[i]);
    len += snprintf(dict + len, sizeof dict - (size_t)len, "%s), }", nd == 1 ? "," : "");
    /* numpy's growth padding: room for the last axis (the slowest in F order) to grow. */
    char last[24];
    int growth = NPY_GROWTH_DIGITS - snprintf(last, sizeof last, "%lld", (long long)spec->shape[nd - 1]);
    if (growth < 0) growth = 0;
    const size_t body = (size_t)len + (size_t)growth + 1; /* + '\n' */
    int version = 1;
    size_t prefix = 10;
    size_t pad = NPY_ALIGN - (prefix + body) % NPY_ALIGN;
    if (body + pad > 65535) {
        version = 2;
        prefix = 12;
        pad = NPY_ALIGN - (prefix + body) % NPY_ALIGN;
    }
    const size_t total = prefix + body + pad, hlen = body + pad;
    ZS_RETURN_IF(total > cap, ZS_EINTERNAL, "%s: npy header of %zu bytes does not fit a %zu-byte buffer", path, total,
                 cap);
    memcpy(buf, NPY_MAGIC, NPY_MAGIC_LEN);
    buf[6] = (unsigned char)version;
    buf[7] = 0;
    for (size_t i = 0; i < prefix - 8; i++) buf[8 + i] = (unsigned char)(hlen >> (8 * i));
    memcpy(buf + prefix, dict, (size_t)len);
    memset(buf + prefix + len, ' ', (size_t)growth + pad);
    buf[total - 1] = '\n';
    spec->format = ZS_FMT_NPY;
    spec->version = version;
    spec->ndim = nd;
    spec->order = ZS_ORDER_F;
    spec->offset = total;
    return (int64_t)total;
}

const zs_format_ops zs__fmt_npy = {
    .desc = {ZS_FMT_NPY, "npy", ".npy",
             "numpy arrays (NEP 1, versions 1.0-3.0): Fortran order mapped, C order gathered",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_MAPPED | ZS_FORMAT_SHARED | ZS_FORMAT_EMPTY, ""},
    .refused = ".npz",
    .refused_hint = "np.load + np.save for .npz",
    .parse = npy_parse,
    .write_header = npy_write_header,
};

int zs__npy_records_head(FILE *f, const char *fields, uint64_t n)
{
    char hdr[8192];
    int k = snprintf(hdr, sizeof hdr, "{'descr': [%s], 'fortran_order': False, 'shape': (%llu,), }", fields,
                     (unsigned long long)n);
    if (k < 0 || k + 64 >= (int)sizeof hdr) return -1;
    while ((10 + k + 1) % 64) hdr[k++] = ' ';
    hdr[k++] = '\n';
    const unsigned char magic[10] = {
        0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(k & 255), (unsigned char)(k >> 8)};
    if (fwrite(magic, 1, sizeof magic, f) != sizeof magic || fwrite(hdr, 1, (size_t)k, f) != (size_t)k) return -1;
    return 0;
}
