/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* NIfTI-1 and NIfTI-2 single-file images (.nii): read both, in either byte order; write
 * NIfTI-1, or NIfTI-2 when a dimension does not fit NIfTI-1's 16-bit dim[] fields.
 *
 * Both headers are fixed layouts (348 and 540 bytes, from the published nifti1.h and
 * nifti2.h); the byte order of a file is the one in which sizeof_hdr reads 348 or 540. The
 * fields zslab uses are read into one neutral struct, checked once, then turned into the
 * volume descriptor. Data are always in Fortran order (x fastest). Header/image pairs
 * ('ni1'/'ni2' magic), RGB and complex data are refused with a message. */
#include "volume_internal.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define NII1_SIZE 348
#define NII2_SIZE 540
/* The 4 extension-flag bytes follow the header; the data of a written file follow them. */
#define NII1_DATA 352
#define NII2_DATA 544

/* ---- byte-order-explicit field access ----------------------------------------------------- */

static uint64_t get_uint(const unsigned char *b, int size, int be)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++) v |= (uint64_t)b[be ? size - 1 - i : i] << (8 * i);
    return v;
}

static int16_t get_i16(const unsigned char *b, size_t off, int be) { return (int16_t)get_uint(b + off, 2, be); }
static int32_t get_i32(const unsigned char *b, size_t off, int be) { return (int32_t)get_uint(b + off, 4, be); }
static int64_t get_i64(const unsigned char *b, size_t off, int be) { return (int64_t)get_uint(b + off, 8, be); }

static double get_f32(const unsigned char *b, size_t off, int be)
{
    uint32_t u = (uint32_t)get_uint(b + off, 4, be);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static double get_f64(const unsigned char *b, size_t off, int be)
{
    uint64_t u = get_uint(b + off, 8, be);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static void put_uint(unsigned char *b, size_t off, uint64_t v, int size, int be)
{
    for (int i = 0; i < size; i++) b[off + (size_t)(be ? size - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

static void put_f32(unsigned char *b, size_t off, double v, int be)
{
    float f = (float)v;
    uint32_t u;
    memcpy(&u, &f, 4);
    put_uint(b, off, u, 4, be);
}

static void put_f64(unsigned char *b, size_t off, double v, int be)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_uint(b, off, u, 8, be);
}

/* ---- the fields zslab uses ------------------------------------------------------------------ */

typedef struct nii_fields {
    int version; /* 1 or 2 */
    int be;      /* stored big-endian */
    int64_t dim[8];
    int datatype, bitpix;
    double pixdim[8];
    double vox_offset;   /* NIfTI-1: the float as stored */
    int64_t vox_offset2; /* NIfTI-2 */
    double slope, inter;
    int xyzt_units;
    unsigned char magic[8];
} nii_fields;

static void read_nifti1(const unsigned char *b, int be, nii_fields *f)
{
    f->version = 1;
    for (int i = 0; i < 8; i++) f->dim[i] = get_i16(b, 40 + 2 * (size_t)i, be);
    f->datatype = get_i16(b, 70, be);
    f->bitpix = get_i16(b, 72, be);
    for (int i = 0; i < 8; i++) f->pixdim[i] = get_f32(b, 76 + 4 * (size_t)i, be);
    f->vox_offset = get_f32(b, 108, be);
    f->slope = get_f32(b, 112, be);
    f->inter = get_f32(b, 116, be);
    f->xyzt_units = b[123];
    memcpy(f->magic, b + 344, 4);
}

static void read_nifti2(const unsigned char *b, int be, nii_fields *f)
{
    f->version = 2;
    memcpy(f->magic, b + 4, 8);
    f->datatype = get_i16(b, 12, be);
    f->bitpix = get_i16(b, 14, be);
    for (int i = 0; i < 8; i++) f->dim[i] = get_i64(b, 16 + 8 * (size_t)i, be);
    for (int i = 0; i < 8; i++) f->pixdim[i] = get_f64(b, 104 + 8 * (size_t)i, be);
    f->vox_offset2 = get_i64(b, 168, be);
    f->slope = get_f64(b, 176, be);
    f->inter = get_f64(b, 184, be);
    f->xyzt_units = get_i32(b, 500, be);
}

/* ---- checks ----------------------------------------------------------------------------------- */

static const struct {
    int code;
    zs_type type;
    const char *name; /* for unsupported codes */
} nii_types[] = {
    {2, ZS_U8, NULL},
    {4, ZS_I16, NULL},
    {8, ZS_I32, NULL},
    {16, ZS_F32, NULL},
    {64, ZS_F64, NULL},
    {256, ZS_I8, NULL},
    {512, ZS_U16, NULL},
    {768, ZS_U32, NULL},
    {1024, ZS_I64, NULL},
    {1280, ZS_U64, NULL},
    {1, ZS_TYPE_COUNT, "binary (1 bit)"},
    {32, ZS_TYPE_COUNT, "complex64"},
    {128, ZS_TYPE_COUNT, "RGB24"},
    {1536, ZS_TYPE_COUNT, "float128"},
    {1792, ZS_TYPE_COUNT, "complex128"},
    {2048, ZS_TYPE_COUNT, "complex256"},
    {2304, ZS_TYPE_COUNT, "RGBA32"},
};

static zs_status check_magic(const char *path, const nii_fields *f)
{
    const unsigned char *m = f->magic;
    const char v = f->version == 1 ? '1' : '2';
    if (m[0] == 'n' && m[1] == '+' && m[2] == v && m[3] == 0) {
        if (f->version == 1) return ZS_OK;
        /* NIfTI-2 adds "\r\n\032\n" to catch newline conversion; nibabel accepts zeros too. */
        static const unsigned char eol[4] = {'\r', '\n', 0x1a, '\n'}, none[4] = {0, 0, 0, 0};
        if (memcmp(m + 4, eol, 4) == 0 || memcmp(m + 4, none, 4) == 0) return ZS_OK;
        return ZS_ERR(ZS_EFORMAT,
                      "%s: NIfTI-2 magic is followed by %02x %02x %02x %02x instead of 0d 0a 1a 0a: "
                      "the file was damaged by a newline conversion",
                      path, m[4], m[5], m[6], m[7]);
    }
    if (m[0] == 'n' && m[1] == 'i' && m[2] == v && m[3] == 0)
        return ZS_ERR(ZS_EUNSUPPORTED,
                      "%s: a NIfTI-%c header/image pair (magic 'ni%c', data in a separate .img "
                      "file) is not supported; save it as a single-file .nii",
                      path, v, v);
    if (m[0] == 0 && m[1] == 0 && m[2] == 0 && m[3] == 0)
        return ZS_ERR(ZS_EUNSUPPORTED,
                      "%s: no NIfTI magic (an Analyze 7.5 header?): only NIfTI .nii files are "
                      "supported",
                      path);
    return ZS_ERR(ZS_EFORMAT, "%s: bad NIfTI-%c magic (bytes %02x %02x %02x %02x, expected 'n+%c\\0')", path, v, m[0],
                  m[1], m[2], m[3], v);
}

static zs_status check_dims(const char *path, const nii_fields *f, zs_volume_info *info)
{
    const int64_t nd = f->dim[0];
    ZS_RETURN_IF(nd < 1 || nd > 7, ZS_EFORMAT, "%s: NIfTI dim[0] is %lld (the number of dimensions must be 1 to 7)",
                 path, (long long)nd);
    for (int i = 1; i <= nd; i++)
        ZS_RETURN_IF(f->dim[i] < 1, ZS_EFORMAT, "%s: NIfTI dim[%d] is %lld (dimensions must be >= 1)", path, i,
                     (long long)f->dim[i]);
    for (int i = 5; i <= nd; i++)
        ZS_RETURN_IF(f->dim[i] != 1, ZS_EUNSUPPORTED,
                     "%s: NIfTI dim[%d] is %lld: images with more than 4 "
                     "dimensions (x, y, z, t) are not supported",
                     path, i, (long long)f->dim[i]);
    info->ndim = nd > 4 ? 4 : (int)nd;
    for (int i = 0; i < 4; i++) info->shape[i] = i < nd ? f->dim[i + 1] : 1;
    return ZS_OK;
}

static zs_status check_dtype(const char *path, const nii_fields *f, zs_volume_info *info)
{
    for (size_t i = 0; i < sizeof nii_types / sizeof nii_types[0]; i++) {
        if (nii_types[i].code != f->datatype) continue;
        ZS_RETURN_IF(nii_types[i].name, ZS_EUNSUPPORTED, "%s: NIfTI datatype %d (%s) is not supported", path,
                     f->datatype, nii_types[i].name);
        zs_dtype dt = {nii_types[i].type, 0};
        dt.big_endian = zs_dtype_size(dt) > 1 ? f->be : 0;
        ZS_RETURN_IF((size_t)f->bitpix != 8 * zs_dtype_size(dt), ZS_EFORMAT,
                     "%s: NIfTI bitpix is %d but datatype %d (%s) has %zu bits", path, f->bitpix, f->datatype,
                     zs_dtype_name(dt), 8 * zs_dtype_size(dt));
        info->dtype = dt;
        return ZS_OK;
    }
    return ZS_ERR(ZS_EFORMAT, "%s: unknown NIfTI datatype code %d", path, f->datatype);
}

static zs_status check_offset(const char *path, const nii_fields *f, int hsize, zs_volume_info *info)
{
    if (f->version == 2) {
        ZS_RETURN_IF(f->vox_offset2 < hsize, ZS_EFORMAT, "%s: NIfTI vox_offset %lld lies inside the %d-byte header",
                     path, (long long)f->vox_offset2, hsize);
        info->offset = (uint64_t)f->vox_offset2;
        return ZS_OK;
    }
    const double v = f->vox_offset;
    ZS_RETURN_IF(!(v >= hsize), ZS_EFORMAT, "%s: NIfTI vox_offset %g lies inside the %d-byte header", path, v, hsize);
    ZS_RETURN_IF(v >= 9.2e18 || v != floor(v), ZS_EFORMAT, "%s: NIfTI vox_offset %g is not a byte offset", path, v);
    info->offset = (uint64_t)v;
    return ZS_OK;
}

static zs_status check_scaling(const char *path, const nii_fields *f, zs_volume_info *info)
{
    info->slope = 1.0;
    info->inter = 0.0;
    if (f->slope == 0.0 || !isfinite(f->slope)) return ZS_OK; /* no scaling */
    ZS_RETURN_IF(!isfinite(f->inter), ZS_EFORMAT, "%s: NIfTI scl_slope is %g but scl_inter is %g", path, f->slope,
                 f->inter);
    info->slope = f->slope;
    info->inter = f->inter;
    return ZS_OK;
}

static void read_geometry(const nii_fields *f, zs_volume_info *info)
{
    int bad = 0;
    for (int i = 0; i < 3; i++) {
        double p = f->pixdim[i + 1];
        info->voxel[i] = i < f->dim[0] && isfinite(p) && p > 0 ? p : 1.0; /* absent axis: 1 */
        bad |= i < f->dim[0] && !(isfinite(p) && p > 0);
    }
    static const char *const units[8] = {"", "m", "mm", "um", "", "", "", ""};
    /* a zero, negative or NaN voxel size is no physical size: no unit, so sizes in um are refused */
    snprintf(info->unit, sizeof info->unit, "%s", bad ? "" : units[f->xyzt_units & 7]);
}

static zs_status nifti_parse(const unsigned char *buf, size_t n, uint64_t file_size, zs_volume_info *info)
{
    const char *path = info->path;
    if (n > file_size) n = (size_t)file_size;
    ZS_RETURN_IF(n == 0, ZS_EFORMAT, "%s: empty file", path);
    ZS_RETURN_IF(n < 4, ZS_EFORMAT, "%s: truncated NIfTI header: the file holds only %zu bytes", path, n);
    int be, version;
    if (get_uint(buf, 4, 0) == NII1_SIZE) {
        be = 0;
        version = 1;
    } else if (get_uint(buf, 4, 1) == NII1_SIZE) {
        be = 1;
        version = 1;
    } else if (get_uint(buf, 4, 0) == NII2_SIZE) {
        be = 0;
        version = 2;
    } else if (get_uint(buf, 4, 1) == NII2_SIZE) {
        be = 1;
        version = 2;
    } else
        return ZS_ERR(ZS_EFORMAT,
                      "%s: not a NIfTI file: sizeof_hdr is %d (348 for NIfTI-1 or 540 for NIfTI-2 in "
                      "either byte order)",
                      path, (int)get_uint(buf, 4, 0));
    const int hsize = version == 1 ? NII1_SIZE : NII2_SIZE;
    ZS_RETURN_IF(n < (size_t)hsize, ZS_EFORMAT, "%s: truncated NIfTI-%d header: the file holds %zu of its %d bytes",
                 path, version, n, hsize);
    nii_fields f;
    memset(&f, 0, sizeof f);
    f.be = be;
    if (version == 1)
        read_nifti1(buf, be, &f);
    else
        read_nifti2(buf, be, &f);
    ZS_FORWARD(check_magic(path, &f));
    ZS_FORWARD(check_dims(path, &f, info));
    ZS_FORWARD(check_dtype(path, &f, info));
    ZS_FORWARD(check_offset(path, &f, hsize, info));
    ZS_FORWARD(check_scaling(path, &f, info));
    read_geometry(&f, info);
    info->format = version == 1 ? ZS_FMT_NIFTI1 : ZS_FMT_NIFTI2;
    info->version = version;
    info->order = ZS_ORDER_F;
    return zs__check_fits(info, file_size, info->offset);
}

/* ---- writing ---------------------------------------------------------------------------------- */

static int nifti_code(zs_type t)
{
    if (t == ZS_BOOL) t = ZS_U8; /* DT_BINARY is 1 bit a voxel: bool's 0/1 bytes are written as uint8 */
    for (size_t i = 0; i < sizeof nii_types / sizeof nii_types[0]; i++)
        if (!nii_types[i].name && nii_types[i].type == t) return nii_types[i].code;
    return 0;
}

static int unit_code(char unit[16])
{
    if (strcmp(unit, "m") == 0) return 1;
    if (strcmp(unit, "mm") == 0) return 2;
    if (strcmp(unit, "um") == 0 || strcmp(unit, "micron") == 0 || strcmp(unit, "\xc2\xb5m") == 0) {
        snprintf(unit, 16, "um");
        return 3;
    }
    unit[0] = '\0'; /* not expressible in xyzt_units: reading the file back gives "" */
    return 0;
}

/* Normalises spec for writing (ndim, voxel sizes, unit); checks it. */
static zs_status prepare_spec(zs_volume_info *spec, int version, int *ndim, int *xyzt)
{
    const char *path = spec->path;
    ZS_RETURN_IF(zs_dtype_size(spec->dtype) == 0, ZS_EINVAL, "%s: invalid dtype", path);
    int nd = spec->ndim < 1 ? 1 : spec->ndim > 4 ? 4 : spec->ndim;
    for (int i = 0; i < 4; i++) {
        ZS_RETURN_IF(spec->shape[i] < 1, ZS_EINVAL, "%s: dimension %d is %lld (must be >= 1)", path, i,
                     (long long)spec->shape[i]);
        ZS_RETURN_IF(version == 1 && spec->shape[i] > 32767, ZS_EUNSUPPORTED,
                     "%s: dimension %d is %lld, more than NIfTI-1 allows (32767): write NIfTI-2", path, i,
                     (long long)spec->shape[i]);
        if (spec->shape[i] > 1 && i >= nd) nd = i + 1;
    }
    for (int i = 0; i < 3; i++)
        if (!(isfinite(spec->voxel[i]) && spec->voxel[i] > 0)) spec->voxel[i] = 1.0;
    if (spec->slope == 0.0 || !isfinite(spec->slope) || !isfinite(spec->inter)) {
        spec->slope = 1.0;
        spec->inter = 0.0;
    }
    /* NIfTI-1 stores these as float32: refuse what would turn into 0 or infinity there. */
    const double f1[5] = {spec->voxel[0], spec->voxel[1], spec->voxel[2], spec->slope, spec->inter};
    static const char *const what[5] = {"voxel size x", "voxel size y", "voxel size z", "scl_slope", "scl_inter"};
    for (int i = 0; version == 1 && i < 5; i++)
        ZS_RETURN_IF(fabs(f1[i]) > FLT_MAX || (i < 4 && (float)f1[i] == 0.0f), ZS_EUNSUPPORTED,
                     "%s: %s %g does not fit NIfTI-1's float32 field", path, what[i], f1[i]);
    *ndim = nd;
    *xyzt = unit_code(spec->unit);
    return ZS_OK;
}

/* Field offsets of the two layouts, for the fields both writers set. */
typedef struct nii_layout {
    int version, hsize, data;
    size_t magic, datatype, bitpix, dim, pixdim, vox_offset, slope, inter, descrip, qform, sform, srow, xyzt;
    int dim_size, float_size, code_size, units_size;
} nii_layout;

static const nii_layout layout1 = {1,   NII1_SIZE, NII1_DATA, 344, 70,  72,  40, 76, 108, 112,
                                   116, 148,       252,       254, 280, 123, 2,  4,  2,   1};
static const nii_layout layout2 = {2,   NII2_SIZE, NII2_DATA, 4,   12,  14,  16, 104, 168, 176,
                                   184, 240,       344,       348, 400, 500, 8,  8,   4,   4};

static void put_real(unsigned char *b, const nii_layout *l, size_t off, double v, int be)
{
    if (l->float_size == 4)
        put_f32(b, off, v, be);
    else
        put_f64(b, off, v, be);
}

/* Header in the byte order of the data; qform and sform both scale by the voxel size with the
 * origin at voxel (0,0,0), so nibabel's affine and zooms agree and it loads without warnings. */
static void fill_header(const zs_volume_info *spec, const nii_layout *l, int nd, int xyzt, int be, unsigned char *b)
{
    put_uint(b, 0, (uint64_t)l->hsize, 4, be);
    static const char magic2[8] = {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'};
    memcpy(b + l->magic, l->version == 1 ? "n+1\0" : magic2, l->version == 1 ? 4 : 8);
    put_uint(b, l->datatype, (uint64_t)nifti_code(spec->dtype.type), 2, be);
    put_uint(b, l->bitpix, 8 * zs_dtype_size(spec->dtype), 2, be);
    for (int i = 0; i < 8; i++) {
        uint64_t d = i == 0 ? (uint64_t)nd : i <= 4 ? (uint64_t)spec->shape[i - 1] : 1;
        put_uint(b, l->dim + (size_t)(i * l->dim_size), d, l->dim_size, be);
        double p = i >= 1 && i <= 3 ? spec->voxel[i - 1] : 1.0; /* pixdim[0] = qfac = 1 */
        put_real(b, l, l->pixdim + (size_t)(i * l->float_size), p, be);
    }
    if (l->version == 1)
        put_f32(b, l->vox_offset, l->data, be);
    else
        put_uint(b, l->vox_offset, (uint64_t)l->data, 8, be);
    const int scaled = spec->slope != 1.0 || spec->inter != 0.0; /* else 0: "no scaling" */
    put_real(b, l, l->slope, scaled ? spec->slope : 0.0, be);
    put_real(b, l, l->inter, scaled ? spec->inter : 0.0, be);
    snprintf((char *)b + l->descrip, 80, "zslab %s", ZS_VERSION_STRING);
    put_uint(b, l->qform, 1, l->code_size, be); /* NIFTI_XFORM_SCANNER_ANAT; quaternion 0 = identity */
    put_uint(b, l->sform, 1, l->code_size, be);
    for (int r = 0; r < 3; r++) put_real(b, l, l->srow + (size_t)((4 * r + r) * l->float_size), spec->voxel[r], be);
    put_uint(b, l->xyzt, (uint64_t)xyzt, l->units_size, be);
}

static int64_t write_nifti(zs_volume_info *spec, unsigned char *buf, size_t cap, const nii_layout *l)
{
    int nd = 3, xyzt = 0;
    ZS_FORWARD(prepare_spec(spec, l->version, &nd, &xyzt));
    ZS_RETURN_IF(cap < (size_t)l->data, ZS_EINTERNAL, "%s: a %zu-byte buffer cannot hold a NIfTI header", spec->path,
                 cap);
    const int be = zs_dtype_size(spec->dtype) > 1 ? spec->dtype.big_endian : zs__host_big_endian();
    memset(buf, 0, (size_t)l->data);
    fill_header(spec, l, nd, xyzt, be, buf);
    spec->format = l->version == 1 ? ZS_FMT_NIFTI1 : ZS_FMT_NIFTI2;
    spec->version = l->version;
    spec->ndim = nd;
    spec->order = ZS_ORDER_F;
    spec->offset = (uint64_t)l->data;
    return l->data;
}

static int64_t nifti1_write_header(zs_volume_info *spec, unsigned char *buf, size_t cap)
{
    return write_nifti(spec, buf, cap, &layout1);
}

static int64_t nifti2_write_header(zs_volume_info *spec, unsigned char *buf, size_t cap)
{
    return write_nifti(spec, buf, cap, &layout2);
}

/* NIfTI-1 holds dimensions up to 32767: larger volumes are written as NIfTI-2. */
static const zs_format_ops *nifti1_writer_for(const zs_volume_info *spec)
{
    for (int i = 0; i < 4; i++)
        if (spec->shape[i] > 32767) return &zs__fmt_nifti2;
    return &zs__fmt_nifti1;
}

const zs_format_ops zs__fmt_nifti1 = {
    .desc = {ZS_FMT_NIFTI1, "nifti1", ".nii",
             "NIfTI-1 and NIfTI-2 single files (reads both; writes NIfTI-1, or NIfTI-2 past 32767 voxels an axis)",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_MAPPED | ZS_FORMAT_VOXEL_SIZE | ZS_FORMAT_SHARED, ""},
    .refused = ".nii.gz",
    .refused_hint = "gunzip -k for .nii.gz",
    .parse = nifti_parse,
    .write_header = nifti1_write_header,
    .writer_for = nifti1_writer_for,
};
const zs_format_ops zs__fmt_nifti2 = {
    .desc = {ZS_FMT_NIFTI2, "nifti2", ".nii", "NIfTI-2 single files (64-bit dimensions)",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_MAPPED | ZS_FORMAT_VOXEL_SIZE | ZS_FORMAT_SHARED, ""},
    .parse = nifti_parse,
    .write_header = nifti2_write_header,
};
