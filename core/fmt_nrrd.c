/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* NRRD (teem's "nearly raw raster data", format NRRD0001-NRRD0005): a magic line, then
 * "field: value" lines ("#" comments, "key:=value" pairs ignored) up to an empty line, after
 * which an attached .nrrd holds its voxels; a detached .nhdr names them with "data file:".
 *
 * Fields read: type (numpy-like and C names: uchar, unsigned short, int16, float, double,
 * ...), dimension (1-4), sizes (fastest axis first: x), endian, encoding (raw; gzip, bzip2,
 * text and hex are refused: they cannot be mapped), spacings or space directions (the length
 * of each axis vector; "none" for non-spatial axes), units or space units, kinds (the first
 * three axes must be spatial), byte skip (-1: the data are the last bytes of the file), line
 * skip (attached files), data file (one file; lists and patterns are refused). */
#include "volume_internal.h"

#include <assert.h>
#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    zs_type t;
} nrrd_types[] = {
    {"signed char", ZS_I8},
    {"int8", ZS_I8},
    {"int8_t", ZS_I8},
    {"uchar", ZS_U8},
    {"unsigned char", ZS_U8},
    {"uint8", ZS_U8},
    {"uint8_t", ZS_U8},
    {"short", ZS_I16},
    {"short int", ZS_I16},
    {"signed short", ZS_I16},
    {"signed short int", ZS_I16},
    {"int16", ZS_I16},
    {"int16_t", ZS_I16},
    {"ushort", ZS_U16},
    {"unsigned short", ZS_U16},
    {"unsigned short int", ZS_U16},
    {"uint16", ZS_U16},
    {"uint16_t", ZS_U16},
    {"int", ZS_I32},
    {"signed int", ZS_I32},
    {"int32", ZS_I32},
    {"int32_t", ZS_I32},
    {"uint", ZS_U32},
    {"unsigned int", ZS_U32},
    {"uint32", ZS_U32},
    {"uint32_t", ZS_U32},
    {"longlong", ZS_I64},
    {"long long", ZS_I64},
    {"long long int", ZS_I64},
    {"signed long long", ZS_I64},
    {"signed long long int", ZS_I64},
    {"int64", ZS_I64},
    {"int64_t", ZS_I64},
    {"ulonglong", ZS_U64},
    {"unsigned long long", ZS_U64},
    {"unsigned long long int", ZS_U64},
    {"uint64", ZS_U64},
    {"uint64_t", ZS_U64},
    {"float", ZS_F32},
    {"double", ZS_F64},
};

typedef struct nrrd_fields {
    int dim, nsizes, has_type, endian; /* endian: 0 none given, 1 little, 2 big */
    double sizes[4];
    zs_type type;
    double spacing[4];
    int nspacing;
    char unit[16];
    double byte_skip, line_skip;
    zs_text_line data_file;
    int has_data_file;
} nrrd_fields;

static zs_status bad(const char *path, const char *what, const zs_text_line *v)
{
    const int n = (int)(v->e - v->b > 60 ? 60 : v->e - v->b);
    return ZS_ERR(ZS_EFORMAT, "%s: NRRD header: %s, got '%.*s'", path, what, n, v->b);
}

static int short_len(const zs_text_line *v) { return (int)(v->e - v->b > 40 ? 40 : v->e - v->b); }

/* "(1,0,0) (0,1,0) none": the length of each vector. */
static zs_status space_directions(const char *path, const zs_text_line *v, nrrd_fields *f)
{
    const char *p = v->b;
    f->nspacing = 0;
    while (p < v->e && f->nspacing < 4) {
        while (p < v->e && *p == ' ') p++;
        if (p >= v->e) break;
        if (v->e - p >= 4 && memcmp(p, "none", 4) == 0) {
            f->spacing[f->nspacing++] = NAN;
            p += 4;
            continue;
        }
        const char *q = p < v->e && *p == '(' ? memchr(p, ')', (size_t)(v->e - p)) : NULL;
        if (!q) return bad(path, "space directions must be vectors such as (1,0,0) or none", v);
        zs_text_line in = {p + 1, q, 0, 1};
        double c[3];
        const int m = zs__text_numbers(&in, c, 3, 0);
        if (m < 1) return bad(path, "space directions must be vectors such as (1,0,0) or none", v);
        double s = 0;
        for (int i = 0; i < m; i++) s += c[i] * c[i];
        f->spacing[f->nspacing++] = sqrt(s);
        p = q + 1;
    }
    return ZS_OK;
}

/* units: "um" "um" "um": the first non-empty one. */
static void units(const zs_text_line *v, nrrd_fields *f)
{
    const char *p = v->b;
    while (p < v->e && !f->unit[0]) {
        const char *q1 = memchr(p, '"', (size_t)(v->e - p));
        const char *q2 = q1 ? memchr(q1 + 1, '"', (size_t)(v->e - q1 - 1)) : NULL;
        if (!q2) break;
        if (q2 > q1 + 1) (void)zs__unit_normalize(q1 + 1, (size_t)(q2 - q1 - 1), f->unit);
        p = q2 + 1;
    }
}

static zs_status kinds(const char *path, const zs_text_line *v)
{
    static const char *const spatial[] = {"domain", "space", "time", "???", "none"};
    const char *p = v->b;
    for (int axis = 0; axis < 3 && p < v->e; axis++) {
        while (p < v->e && *p == ' ') p++;
        const char *q = p;
        while (q < v->e && *q != ' ') q++;
        zs_text_line k = {p, q, 0, 1};
        int ok = 0;
        for (size_t i = 0; i < sizeof spatial / sizeof spatial[0]; i++) ok |= zs__text_is(&k, spatial[i]);
        if (!ok && q > p)
            return ZS_ERR(ZS_EUNSUPPORTED,
                          "%s: NRRD axis %d is of kind '%.*s', not spatial: zslab reads volumes whose "
                          "first three axes are x, y, z (one value per voxel)",
                          path, axis, (int)(q - p > 30 ? 30 : q - p), p);
        p = q;
    }
    return ZS_OK;
}

static zs_status encoding(const char *path, const zs_text_line *v)
{
    if (zs__text_is(v, "raw")) return ZS_OK;
    if (zs__text_is(v, "gzip") || zs__text_is(v, "gz") || zs__text_is(v, "bzip2") || zs__text_is(v, "bz2"))
        return ZS_ERR(ZS_EUNSUPPORTED,
                      "%s: %.*s-compressed NRRD data cannot be memory-mapped; save it with raw "
                      "encoding first (unu save -e raw, or zslab's own NRRD output)",
                      path, short_len(v), v->b);
    return ZS_ERR(ZS_EUNSUPPORTED, "%s: NRRD encoding '%.*s' is not supported (raw only)", path, short_len(v), v->b);
}

static zs_status field(const char *path, const zs_text_line *k, const zs_text_line *v, nrrd_fields *f)
{
    double d[4];
    if (zs__text_is(k, "type")) {
        for (size_t i = 0; i < sizeof nrrd_types / sizeof nrrd_types[0] && !f->has_type; i++)
            if (zs__text_is(v, nrrd_types[i].name)) f->type = nrrd_types[i].t, f->has_type = 1;
        if (!f->has_type)
            return ZS_ERR(ZS_EUNSUPPORTED, "%s: NRRD type '%.*s' is not supported", path, short_len(v), v->b);
    } else if (zs__text_is(k, "dimension")) {
        if (zs__text_numbers(v, d, 1, 0) != 1 || d[0] != floor(d[0]) || d[0] < 1)
            return bad(path, "dimension must be a positive integer", v);
        if (d[0] > 4) return ZS_ERR(ZS_EUNSUPPORTED, "%s: NRRD dimension %g: zslab reads 1 to 4 axes", path, d[0]);
        f->dim = (int)d[0];
    } else if (zs__text_is(k, "sizes")) {
        if ((f->nsizes = zs__text_numbers(v, f->sizes, 4, 0)) < 1) return bad(path, "sizes must list 1 to 4 sizes", v);
    } else if (zs__text_is(k, "endian")) {
        if (zs__text_is(v, "little"))
            f->endian = 1;
        else if (zs__text_is(v, "big"))
            f->endian = 2;
        else
            return bad(path, "endian must be little or big", v);
    } else if (zs__text_is(k, "encoding")) {
        return encoding(path, v);
    } else if (zs__text_is(k, "spacings")) {
        if ((f->nspacing = zs__text_numbers(v, f->spacing, 4, 1)) < 1)
            return bad(path, "spacings must list numbers", v);
    } else if (zs__text_is(k, "space directions")) {
        return space_directions(path, v, f);
    } else if (zs__text_is(k, "units") || zs__text_is(k, "space units")) {
        units(v, f);
    } else if (zs__text_is(k, "kinds")) {
        return kinds(path, v);
    } else if (zs__text_is(k, "byte skip") || zs__text_is(k, "byteskip")) {
        if (zs__text_numbers(v, d, 1, 0) != 1 || d[0] != floor(d[0]) || d[0] < -1 || d[0] > 1e18)
            return bad(path, "byte skip must be -1 or a byte count", v);
        f->byte_skip = d[0];
    } else if (zs__text_is(k, "line skip") || zs__text_is(k, "lineskip")) {
        if (zs__text_numbers(v, d, 1, 0) != 1 || d[0] != floor(d[0]) || d[0] < 0 || d[0] > 1e9)
            return bad(path, "line skip must be a line count", v);
        f->line_skip = d[0];
    } else if (zs__text_is(k, "data file") || zs__text_is(k, "datafile")) {
        f->data_file = *v;
        f->has_data_file = 1;
    }
    return ZS_OK;
}

/* The fields up to the empty line (or the end of a detached header); *end: the data offset. */
static zs_status read_fields(const unsigned char *buf, size_t n, const char *path, nrrd_fields *f, size_t *end)
{
    zs_text_line l, k, v;
    ZS_RETURN_IF(n < 8 || memcmp(buf, "NRRD000", 7) != 0 || buf[7] < '1' || buf[7] > '5', ZS_EFORMAT,
                 "%s: not a NRRD file (it does not start with NRRD0001 ... NRRD0005)", path);
    if (!zs__text_line(buf, n, 0, &l) || !l.complete) return ZS_ERR(ZS_EFORMAT, "%s: NRRD header is truncated", path);
    for (size_t at = l.next; zs__text_line(buf, n, at, &l); at = l.next) {
        if (l.b == l.e) {
            *end = l.next;
            return ZS_OK;
        }
        if (l.b[0] == '#') continue;
        if (zs__text_split(&l, ":=", &k, &v)) continue; /* key/value pairs */
        if (!zs__text_split(&l, ":", &k, &v)) return bad(path, "expected 'field: value'", &l);
        ZS_FORWARD(field(path, &k, &v, f));
        *end = l.next;
    }
    ZS_RETURN_IF(!f->has_data_file, ZS_EFORMAT, "%s: NRRD header is truncated (no empty line before the data)", path);
    return ZS_OK;
}

/* Line skip of an attached file: whole lines after the header. */
static zs_status skip_lines(const unsigned char *buf, size_t n, const char *path, double lines, size_t *at)
{
    zs_text_line l;
    for (double i = 0; i < lines; i++) {
        if (!zs__text_line(buf, n, *at, &l) || !l.complete)
            return ZS_ERR(ZS_EUNSUPPORTED, "%s: NRRD line skip goes beyond the bytes zslab reads", path);
        *at = l.next;
    }
    return ZS_OK;
}

static zs_status fill_info(const char *path, const nrrd_fields *f, zs_volume_info *info)
{
    ZS_RETURN_IF(!f->has_type || !f->dim || !f->nsizes, ZS_EFORMAT, "%s: NRRD header lacks '%s'", path,
                 !f->has_type ? "type"
                 : !f->dim    ? "dimension"
                              : "sizes");
    ZS_RETURN_IF(f->nsizes != f->dim, ZS_EFORMAT, "%s: NRRD sizes lists %d sizes for dimension %d", path, f->nsizes,
                 f->dim);
    info->format = ZS_FMT_NRRD;
    info->ndim = f->dim;
    for (int i = 0; i < 4; i++) {
        const double d = i < f->dim ? f->sizes[i] : 1;
        ZS_RETURN_IF(d < 1 || d != floor(d) || d > 9.2e18, ZS_EFORMAT, "%s: NRRD size %g is not a size", path, d);
        info->shape[i] = (int64_t)d;
    }
    info->dtype.type = f->type;
    ZS_RETURN_IF(zs_dtype_size(info->dtype) > 1 && !f->endian, ZS_EFORMAT,
                 "%s: NRRD header lacks 'endian' (required for %s)", path, zs_dtype_name(info->dtype));
    info->dtype.big_endian = zs_dtype_size(info->dtype) > 1 && f->endian == 2;
    info->order = ZS_ORDER_F;
    int bad = 0;
    for (int i = 0; i < 3; i++) {
        info->voxel[i] = i < f->nspacing && isfinite(f->spacing[i]) && f->spacing[i] > 0 ? f->spacing[i] : 1.0;
        bad |= i < f->nspacing && !(isfinite(f->spacing[i]) && f->spacing[i] > 0);
    }
    /* a zero, negative or NaN spacing is no physical size: no unit, so sizes in um are refused */
    snprintf(info->unit, sizeof info->unit, "%s", bad ? "" : f->unit);
    return ZS_OK;
}

static zs_status nrrd_parse(const unsigned char *buf, size_t n, uint64_t file_size, zs_volume_info *info)
{
    const char *path = info->path;
    if (n > file_size) n = (size_t)file_size;
    nrrd_fields f;
    memset(&f, 0, sizeof f);
    size_t end = 0;
    ZS_FORWARD(read_fields(buf, n, path, &f, &end));
    ZS_FORWARD(fill_info(path, &f, info));
    info->version = buf[7] - '0';
    uint64_t total;
    ZS_FORWARD(zs_volume_info_sizes(info, NULL, NULL, &total));
    info->nbytes = total;
    const uint64_t skip = f.byte_skip > 0 ? (uint64_t)f.byte_skip : 0;
    if (!f.has_data_file) {
        info->data_path[0] = '\0';
        ZS_FORWARD(skip_lines(buf, n, path, f.line_skip, &end));
        info->offset = f.byte_skip < 0 ? (file_size >= total ? file_size - total : 0) : end + skip;
        return zs__check_fits(info, file_size, info->offset);
    }
    const zs_text_line *d = &f.data_file;
    const size_t dn = (size_t)(d->e - d->b);
    ZS_RETURN_IF(dn == 0, ZS_EFORMAT, "%s: NRRD data file is empty", path);
    ZS_RETURN_IF(zs__text_is(d, "LIST") || memchr(d->b, ' ', dn) || memchr(d->b, '%', dn), ZS_EUNSUPPORTED,
                 "%s: NRRD data in several files (data file: %.*s) is not supported; zslab reads one data file", path,
                 (int)(dn > 60 ? 60 : dn), d->b);
    ZS_RETURN_IF(f.line_skip > 0, ZS_EUNSUPPORTED, "%s: NRRD line skip in a detached data file is not supported", path);
    ZS_RETURN_IF(dn >= ZS_PATH_MAX || !zs__text_printable(d), ZS_EFORMAT,
                 "%s: NRRD data file is not a usable file name", path);
    zs__text_sibling(path, d->b, dn, info->data_path, sizeof info->data_path);
    info->offset = f.byte_skip < 0 ? ZS_OFFSET_FROM_END : skip;
    return ZS_OK; /* the data file is checked once it is open (volume.c) */
}

static const char *type_name(zs_type t)
{
    static const char *const names[ZS_TYPE_COUNT] = {
        [ZS_U8] = "uint8",   [ZS_I8] = "int8",    [ZS_U16] = "uint16", [ZS_I16] = "int16",
        [ZS_U32] = "uint32", [ZS_I32] = "int32",  [ZS_U64] = "uint64", [ZS_I64] = "int64",
        [ZS_F32] = "float",  [ZS_F64] = "double", [ZS_BOOL] = "uint8"}; /* NRRD has no bool: its 0/1 bytes as uint8 */
    return (unsigned)t < ZS_TYPE_COUNT ? names[t] : "?";
}

static int64_t nrrd_write_header(zs_volume_info *spec, unsigned char *buf, size_t cap)
{
    const char *path = spec->path;
    ZS_RETURN_IF(zs_dtype_size(spec->dtype) == 0, ZS_EINVAL, "%s: invalid dtype", path);
    int nd = spec->ndim < 3 ? 3 : spec->ndim > 4 ? 4 : spec->ndim;
    if (spec->shape[3] > 1) nd = 4;
    char unit[16];
    (void)zs__unit_normalize(spec->unit, strlen(spec->unit), unit);
    char *b = (char *)buf;
    assert(isfinite(spec->voxel[0]) && isfinite(spec->voxel[1]) && isfinite(spec->voxel[2]));
    int k = snprintf(b, cap, "NRRD0004\n# written by zslab\ntype: %s\ndimension: %d\nsizes: %lld %lld %lld",
                     type_name(spec->dtype.type), nd, (long long)spec->shape[0], (long long)spec->shape[1],
                     (long long)spec->shape[2]);
    if (nd == 4) k += snprintf(b + k, cap - (size_t)k, " %lld", (long long)spec->shape[3]);
    k += snprintf(b + k, cap - (size_t)k,
                  "\nendian: %s\nencoding: raw\nkinds: domain domain domain%s\n"
                  "spacings: %.17g %.17g %.17g%s\n",
                  spec->dtype.big_endian ? "big" : "little", nd == 4 ? " list" : "", spec->voxel[0], spec->voxel[1],
                  spec->voxel[2], nd == 4 ? " nan" : "");
    if (unit[0])
        k += snprintf(b + k, cap - (size_t)k, "units: \"%s\" \"%s\" \"%s\"%s\n", unit, unit, unit,
                      nd == 4 ? " \"\"" : "");
    if (spec->data_path[0])
        k += snprintf(b + k, cap - (size_t)k, "data file: %s\n", zs__text_basename(spec->data_path));
    k += snprintf(b + k, cap - (size_t)k, "\n");
    ZS_RETURN_IF(k < 0 || (size_t)k >= cap, ZS_EINTERNAL, "%s: NRRD header does not fit", path);
    spec->format = ZS_FMT_NRRD;
    spec->order = ZS_ORDER_F;
    spec->version = 4;
    spec->ndim = nd;
    spec->offset = spec->data_path[0] ? 0 : (uint64_t)k;
    return k;
}

const zs_format_ops zs__fmt_nrrd = {
    .desc = {ZS_FMT_NRRD, "nrrd", ".nrrd .nhdr",
             "NRRD (teem), raw encoding: .nrrd attached, or .nhdr header and a data file",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_MAPPED | ZS_FORMAT_VOXEL_SIZE, ""},
    .detached = ".nhdr",
    .parse = nrrd_parse,
    .write_header = nrrd_write_header,
};
