/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* MetaImage (ITK's MetaIO): a text header of "Key = Value" lines, the voxels either in a data
 * file named by ElementDataFile (.mhd + .raw) or right after the header (.mha,
 * ElementDataFile = LOCAL, which must be the last line).
 *
 * Fields read: ObjectType (Image), NDims (1-4), DimSize (x fastest), ElementType (MET_UCHAR,
 * MET_CHAR, MET_USHORT, MET_SHORT, MET_UINT, MET_INT, MET_ULONG and MET_LONG (4 bytes, as in
 * MetaIO), MET_ULONG_LONG, MET_LONG_LONG, MET_FLOAT, MET_DOUBLE), ElementNumberOfChannels (1),
 * BinaryData (True), BinaryDataByteOrderMSB or ElementByteOrderMSB, CompressedData (False:
 * compressed data cannot be mapped), HeaderSize (bytes to skip in the data file; -1: the data
 * are its last bytes), ElementSpacing (else ElementSize), DistanceUnits (um, mm, cm; "?"
 * unknown). Other fields (TransformMatrix, Offset, AnatomicalOrientation, ...) are ignored.
 * A data file given as a list or a printf pattern (one file per slice) is refused. */
#include "volume_internal.h"

#include <assert.h>
#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    zs_type t;
} met_types[] = {
    {"MET_UCHAR", ZS_U8},       {"MET_CHAR", ZS_I8},       {"MET_USHORT", ZS_U16}, {"MET_SHORT", ZS_I16},
    {"MET_UINT", ZS_U32},       {"MET_INT", ZS_I32},       {"MET_ULONG", ZS_U32},  {"MET_LONG", ZS_I32},
    {"MET_ULONG_LONG", ZS_U64}, {"MET_LONG_LONG", ZS_I64}, {"MET_FLOAT", ZS_F32},  {"MET_DOUBLE", ZS_F64},
};

typedef struct mhd_fields {
    int ndims;
    double dims[4];
    int ndim_sizes;
    zs_type type;
    int has_type, msb, has_spacing, channels;
    double spacing[4], hsize;
    char unit[16];
    zs_text_line data_file; /* value of ElementDataFile */
    size_t data_start;      /* offset just after the ElementDataFile line */
} mhd_fields;

static zs_status bad(const char *path, const char *what, const zs_text_line *v)
{
    const int n = (int)(v->e - v->b > 60 ? 60 : v->e - v->b);
    return ZS_ERR(ZS_EFORMAT, "%s: MetaImage header: %s, got '%.*s'", path, what, n, v->b);
}

static int truth(const zs_text_line *v) { return zs__text_is(v, "true") || zs__text_is(v, "1"); }

static zs_status field(const char *path, const zs_text_line *k, const zs_text_line *v, mhd_fields *f)
{
    double d[4];
    if (zs__text_is(k, "ObjectType")) {
        if (!zs__text_is(v, "Image"))
            return ZS_ERR(ZS_EUNSUPPORTED, "%s: MetaImage ObjectType '%.*s' is not an Image", path,
                          (int)(v->e - v->b > 40 ? 40 : v->e - v->b), v->b);
    } else if (zs__text_is(k, "NDims")) {
        if (zs__text_numbers(v, d, 1, 0) != 1 || d[0] != floor(d[0]) || d[0] < 1)
            return bad(path, "NDims must be a positive integer", v);
        if (d[0] > 4)
            return ZS_ERR(ZS_EUNSUPPORTED, "%s: MetaImage with NDims = %g: zslab reads 1 to 4 dimensions", path, d[0]);
        f->ndims = (int)d[0];
    } else if (zs__text_is(k, "DimSize")) {
        if ((f->ndim_sizes = zs__text_numbers(v, f->dims, 4, 0)) < 1)
            return bad(path, "DimSize must list 1 to 4 sizes", v);
    } else if (zs__text_is(k, "ElementType")) {
        for (size_t i = 0; i < sizeof met_types / sizeof met_types[0]; i++)
            if (zs__text_is(v, met_types[i].name)) f->type = met_types[i].t, f->has_type = 1;
        if (!f->has_type)
            return ZS_ERR(ZS_EUNSUPPORTED,
                          "%s: MetaImage ElementType '%.*s' is not supported (MET_UCHAR ... "
                          "MET_DOUBLE)",
                          path, (int)(v->e - v->b > 40 ? 40 : v->e - v->b), v->b);
    } else if (zs__text_is(k, "ElementNumberOfChannels")) {
        if (zs__text_numbers(v, d, 1, 0) != 1) return bad(path, "ElementNumberOfChannels must be a number", v);
        f->channels = (int)d[0];
    } else if (zs__text_is(k, "BinaryData")) {
        if (!truth(v))
            return ZS_ERR(ZS_EUNSUPPORTED,
                          "%s: MetaImage with BinaryData = False (text voxels) is not "
                          "supported",
                          path);
    } else if (zs__text_is(k, "CompressedData")) {
        if (truth(v))
            return ZS_ERR(ZS_EUNSUPPORTED,
                          "%s: compressed MetaImage data cannot be memory-mapped; save "
                          "it uncompressed first",
                          path);
    } else if (zs__text_is(k, "BinaryDataByteOrderMSB") || zs__text_is(k, "ElementByteOrderMSB")) {
        f->msb = truth(v);
    } else if (zs__text_is(k, "HeaderSize")) {
        if (zs__text_numbers(v, d, 1, 0) != 1 || d[0] != floor(d[0]) || d[0] < -1 || d[0] > 1e18)
            return bad(path, "HeaderSize must be -1 or a byte count", v);
        f->hsize = d[0];
    } else if (zs__text_is(k, "ElementSpacing") || (zs__text_is(k, "ElementSize") && !f->has_spacing)) {
        int m = zs__text_numbers(v, f->spacing, 4, 0);
        if (m < 1) return bad(path, "ElementSpacing must list numbers", v);
        f->has_spacing = zs__text_is(k, "ElementSpacing") ? m : -m;
    } else if (zs__text_is(k, "DistanceUnits")) {
        char u[16];
        (void)zs__unit_normalize(v->b, (size_t)(v->e - v->b), u); /* MetaIO: um, mm, cm; "?" unknown */
        snprintf(f->unit, sizeof f->unit, "%s", strcmp(u, "um") && strcmp(u, "mm") && strcmp(u, "cm") ? "" : u);
    }
    return ZS_OK;
}

/* Reads lines up to and including ElementDataFile. */
static zs_status read_fields(const unsigned char *buf, size_t n, const char *path, mhd_fields *f)
{
    zs_text_line l, k, v;
    for (size_t at = 0; zs__text_line(buf, n, at, &l); at = l.next) {
        if (l.b == l.e) continue;
        if (!zs__text_split(&l, "=", &k, &v)) {
            if (at == 0) break; /* not a MetaImage header at all */
            return bad(path, "expected 'Key = Value'", &l);
        }
        if (zs__text_is(&k, "ElementDataFile")) {
            ZS_RETURN_IF(!l.complete && v.b == v.e, ZS_EFORMAT, "%s: MetaImage header is truncated", path);
            f->data_file = v;
            f->data_start = l.next;
            return ZS_OK;
        }
        ZS_FORWARD(field(path, &k, &v, f));
    }
    return ZS_ERR(ZS_EFORMAT, "%s: not a MetaImage header (no 'ElementDataFile = ...' line)", path);
}

static zs_status fill_info(const char *path, const mhd_fields *f, zs_volume_info *info)
{
    ZS_RETURN_IF(!f->ndims, ZS_EFORMAT, "%s: MetaImage header has no NDims", path);
    ZS_RETURN_IF(f->ndim_sizes != f->ndims, ZS_EFORMAT, "%s: MetaImage DimSize lists %d sizes for NDims = %d", path,
                 f->ndim_sizes, f->ndims);
    ZS_RETURN_IF(!f->has_type, ZS_EFORMAT, "%s: MetaImage header has no ElementType", path);
    ZS_RETURN_IF(f->channels > 1, ZS_EUNSUPPORTED,
                 "%s: MetaImage with %d channels per voxel is not supported (one value per voxel)", path, f->channels);
    info->format = ZS_FMT_MHD;
    info->ndim = f->ndims;
    for (int i = 0; i < 4; i++) {
        const double d = i < f->ndims ? f->dims[i] : 1;
        ZS_RETURN_IF(d < 1 || d != floor(d) || d > 9.2e18, ZS_EFORMAT, "%s: MetaImage DimSize %g is not a size", path,
                     d);
        info->shape[i] = (int64_t)d;
    }
    info->dtype.type = f->type;
    info->dtype.big_endian = zs_dtype_size(info->dtype) > 1 && f->msb;
    info->order = ZS_ORDER_F;
    const int ns = f->has_spacing < 0 ? -f->has_spacing : f->has_spacing;
    int bad = 0;
    for (int i = 0; i < 3; i++) {
        info->voxel[i] = i < ns && isfinite(f->spacing[i]) && f->spacing[i] > 0 ? f->spacing[i] : 1.0;
        bad |= i < ns && !(isfinite(f->spacing[i]) && f->spacing[i] > 0);
    }
    /* a zero, negative or NaN spacing is no physical size: no unit, so sizes in um are refused */
    snprintf(info->unit, sizeof info->unit, "%s", bad ? "" : f->unit);
    return ZS_OK;
}

static zs_status mhd_parse(const unsigned char *buf, size_t n, uint64_t file_size, zs_volume_info *info)
{
    const char *path = info->path;
    if (n > file_size) n = (size_t)file_size;
    mhd_fields f;
    memset(&f, 0, sizeof f);
    ZS_FORWARD(read_fields(buf, n, path, &f));
    ZS_FORWARD(fill_info(path, &f, info));
    const zs_text_line *d = &f.data_file;
    const size_t dn = (size_t)(d->e - d->b);
    ZS_RETURN_IF(dn == 0, ZS_EFORMAT, "%s: MetaImage ElementDataFile is empty", path);
    ZS_RETURN_IF(zs__text_is(d, "LIST") || memchr(d->b, '%', dn) || memchr(d->b, ' ', dn), ZS_EUNSUPPORTED,
                 "%s: MetaImage data in one file per slice (ElementDataFile = %.*s) is not supported; zslab reads "
                 "one data file",
                 path, (int)(dn > 60 ? 60 : dn), d->b);
    uint64_t total;
    ZS_FORWARD(zs_volume_info_sizes(info, NULL, NULL, &total));
    info->nbytes = total;
    const uint64_t skip = f.hsize > 0 ? (uint64_t)f.hsize : 0;
    if (zs__text_is(d, "LOCAL")) {
        info->data_path[0] = '\0';
        info->offset = f.hsize < 0 ? (file_size >= total ? file_size - total : 0) : f.data_start + skip;
        return zs__check_fits(info, file_size, info->offset);
    }
    ZS_RETURN_IF(dn >= ZS_PATH_MAX || !zs__text_printable(d), ZS_EFORMAT,
                 "%s: MetaImage ElementDataFile is not a usable file name", path);
    zs__text_sibling(path, d->b, dn, info->data_path, sizeof info->data_path);
    info->offset = f.hsize < 0 ? ZS_OFFSET_FROM_END : skip;
    return ZS_OK; /* the data file is checked once it is open (volume.c) */
}

static const char *met_name(zs_type t)
{
    switch (t) {
    case ZS_U8:
    case ZS_BOOL: /* MetaIO has no bool: its 0/1 bytes as uchar */
        return "MET_UCHAR";
    case ZS_I8:
        return "MET_CHAR";
    case ZS_U16:
        return "MET_USHORT";
    case ZS_I16:
        return "MET_SHORT";
    case ZS_U32:
        return "MET_UINT";
    case ZS_I32:
        return "MET_INT";
    case ZS_U64:
        return "MET_ULONG_LONG";
    case ZS_I64:
        return "MET_LONG_LONG";
    case ZS_F32:
        return "MET_FLOAT";
    default:
        return "MET_DOUBLE";
    }
}

/* MetaIO knows um, mm and cm; other lengths are written in um. */
static void mhd_units(const zs_volume_info *spec, double v[3], const char **unit)
{
    char u[16];
    (void)zs__unit_normalize(spec->unit, strlen(spec->unit), u);
    const double um = zs__unit_um(u);
    *unit = NULL;
    for (int i = 0; i < 3; i++) v[i] = spec->voxel[i];
    if (strcmp(u, "um") == 0)
        *unit = "um";
    else if (strcmp(u, "mm") == 0)
        *unit = "mm";
    else if (strcmp(u, "cm") == 0)
        *unit = "cm";
    else if (um > 0) {
        for (int i = 0; i < 3; i++) v[i] *= um;
        *unit = "um";
    }
}

static int64_t mhd_write_header(zs_volume_info *spec, unsigned char *buf, size_t cap)
{
    const char *path = spec->path;
    ZS_RETURN_IF(zs_dtype_size(spec->dtype) == 0, ZS_EINVAL, "%s: invalid dtype", path);
    int nd = spec->ndim < 3 ? 3 : spec->ndim > 4 ? 4 : spec->ndim;
    if (spec->shape[3] > 1) nd = 4;
    double v[3];
    const char *unit;
    mhd_units(spec, v, &unit);
    char *b = (char *)buf;
    int k = snprintf(b, cap,
                     "ObjectType = Image\nNDims = %d\nBinaryData = True\nBinaryDataByteOrderMSB = %s\n"
                     "CompressedData = False\nDimSize = %lld %lld %lld",
                     nd, zs_dtype_size(spec->dtype) > 1 && spec->dtype.big_endian ? "True" : "False",
                     (long long)spec->shape[0], (long long)spec->shape[1], (long long)spec->shape[2]);
    if (nd == 4) k += snprintf(b + k, cap - (size_t)k, " %lld", (long long)spec->shape[3]);
    assert(isfinite(v[0]) && isfinite(v[1]) && isfinite(v[2]));
    k += snprintf(b + k, cap - (size_t)k, "\nElementSpacing = %.17g %.17g %.17g%s\n", v[0], v[1], v[2],
                  nd == 4 ? " 1" : "");
    if (unit) k += snprintf(b + k, cap - (size_t)k, "DistanceUnits = %s\n", unit);
    const int detached = spec->data_path[0] != '\0';
    k += snprintf(b + k, cap - (size_t)k, "ElementType = %s\nElementDataFile = %s\n", met_name(spec->dtype.type),
                  detached ? zs__text_basename(spec->data_path) : "LOCAL");
    ZS_RETURN_IF(k < 0 || (size_t)k >= cap, ZS_EINTERNAL, "%s: MetaImage header does not fit", path);
    spec->format = ZS_FMT_MHD;
    spec->order = ZS_ORDER_F;
    spec->version = 0;
    spec->ndim = nd;
    spec->offset = detached ? 0 : (uint64_t)k;
    return k;
}

const zs_format_ops zs__fmt_mhd = {
    .desc = {ZS_FMT_MHD, "mhd", ".mhd .mha",
             "MetaImage (ITK): .mhd header and a data file, or .mha with the data attached",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_MAPPED | ZS_FORMAT_VOXEL_SIZE, ""},
    .detached = ".mhd",
    .parse = mhd_parse,
    .write_header = mhd_write_header,
};
