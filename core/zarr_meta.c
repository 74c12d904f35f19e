/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Zarr v2 metadata: a .zarray's text into a descriptor, and the NGFF multiscales of a group's
 * .zattrs (versions 0.3 and 0.4: axes by name, a scale per level) into zslab's axes. Pure: text
 * in, structures out, no file is touched, so that it can be fuzzed and unit-tested.
 *
 * Axes: an array without names keeps zslab's rule that dimension 0 is x (a C-order array of
 * shape (a, b, c) is zslab's (a, b, c), as for .npy). NGFF axes are found by name: "x", "y",
 * "z" are zslab's x, y, z; every other axis (t, c) is folded into the series index t, the last
 * one fastest (t = c + C*frame, as TIFF hyperstacks are read). */
#include "zarr_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An integer-valued JSON number in [lo, 2^53]. */
static int json_int(const cJSON *j, int64_t lo, int64_t *out)
{
    if (!cJSON_IsNumber(j)) return 0;
    const double d = j->valuedouble;
    if (!(d >= (double)lo && d <= 9007199254740992.0) || d != floor(d)) return 0;
    *out = (int64_t)d;
    return 1;
}

static zs_status parse_dims(const cJSON *root, const char *key, const char *file, int64_t lo, int64_t *out, int *n)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key);
    ZS_RETURN_IF(!cJSON_IsArray(arr), ZS_EFORMAT, "%s: \"%s\" is missing or not a list", file, key);
    const int k = cJSON_GetArraySize(arr);
    ZS_RETURN_IF(k < 1 || k > ZARR_MAX_DIMS, ZS_EUNSUPPORTED, "%s: \"%s\" has %d dimensions (zslab reads 1 to %d)",
                 file, key, k, ZARR_MAX_DIMS);
    int i = 0;
    for (const cJSON *e = arr->child; e; e = e->next, i++)
        ZS_RETURN_IF(!json_int(e, lo, &out[i]), ZS_EFORMAT, "%s: \"%s\"[%d] is not an integer >= %lld", file, key, i,
                     (long long)lo);
    *n = k;
    return ZS_OK;
}

static zs_status parse_dtype(const cJSON *root, const char *file, zs_dtype *dt)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, "dtype");
    ZS_RETURN_IF(!cJSON_IsString(j), ZS_EUNSUPPORTED, "%s: \"dtype\" is missing or not a plain numeric dtype", file);
    const char *s = j->valuestring;
    ZS_RETURN_IF(s[0] != '<' && s[0] != '>' && s[0] != '|', ZS_EFORMAT,
                 "%s: dtype \"%s\" has no byte order ('<', '>' or '|')", file, s);
    if (zs_dtype_parse(s, dt) < 0)
        return ZS_ERR(ZS_EUNSUPPORTED, "%s: dtype \"%s\" is not one zslab reads (u1 i1 u2 i2 u4 i4 u8 i8 f4 f8 b1)",
                      file, s);
    if (zs_dtype_size(*dt) == 1) dt->big_endian = 0;
    return ZS_OK;
}

/* One element's bits in dt's byte order: built from the value's bits, so that the host's byte
 * order does not matter. */
static void put_bits(uint64_t bits, zs_dtype dt, unsigned char *out)
{
    const size_t es = zs_dtype_size(dt);
    for (size_t i = 0; i < es; i++) out[dt.big_endian ? es - 1 - i : i] = (unsigned char)(bits >> (8 * i));
}

/* One element of value d in dt: integers saturate (NaN is 0), as zslab stores results. */
static void fill_bytes(double d, zs_dtype dt, unsigned char *out)
{
    const size_t es = zs_dtype_size(dt);
    uint64_t bits = 0;
    if (dt.type == ZS_F32) {
        const float f = (float)d;
        uint32_t b32;
        memcpy(&b32, &f, 4);
        bits = b32;
    } else if (dt.type == ZS_F64)
        memcpy(&bits, &d, 8);
    else {
        const int is_signed = dt.type == ZS_I8 || dt.type == ZS_I16 || dt.type == ZS_I32 || dt.type == ZS_I64;
        const double span = es == 8 ? 18446744073709551616.0 : (double)((uint64_t)1 << (8 * es));
        const double lo = is_signed ? -span / 2 : 0, hi = (is_signed ? span / 2 : span) - 1;
        d = d != d ? 0 : d < lo ? lo : d > hi ? hi : d;
        if (is_signed)
            bits = d >= 9223372036854775808.0 ? (uint64_t)INT64_MAX : (uint64_t)(int64_t)d;
        else
            bits = d >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)d;
    }
    put_bits(bits, dt, out);
}

/* The text of the number that is the value of the top-level member `key` of a JSON object's text
 * (cJSON parsed it: it is valid JSON), into out; 0 when it is not a number or too long. */
static int member_number(const char *text, size_t n, const char *key, char *out, size_t out_n)
{
    const size_t klen = strlen(key);
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '{' || text[i] == '[') depth++;
        if (text[i] == '}' || text[i] == ']') depth--;
        if (text[i] != '"') continue;
        const size_t start = ++i;
        while (i < n && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
        if (depth != 1 || i >= n || i - start != klen || memcmp(text + start, key, klen) != 0) continue;
        size_t j = i + 1, k;
        while (j < n && strchr(" \t\r\n", text[j])) j++;
        if (j >= n || text[j] != ':') continue; /* a string value, not a key */
        for (j++; j < n && strchr(" \t\r\n", text[j]); j++) {}
        for (k = j; k < n && text[k] && strchr("+-0123456789.eE", text[k]); k++) {}
        if (k == j || k - j >= out_n) return 0;
        memcpy(out, text + j, k - j);
        out[k - j] = '\0';
        return 1;
    }
    return 0;
}

/* An int64 or uint64 fill_value from its digits (a double holds 53 bits: 2^53 + 1 would round),
 * saturated as fill_bytes does; 0 when the number is not written as an integer. */
static int fill_exact64(const char *text, size_t n, zs_dtype dt, unsigned char *out)
{
    char num[64], *end = NULL;
    if ((dt.type != ZS_I64 && dt.type != ZS_U64) || !member_number(text, n, "fill_value", num, sizeof num) ||
        strpbrk(num, ".eE"))
        return 0;
    errno = 0;
    uint64_t bits;
    if (dt.type == ZS_I64)
        bits = (uint64_t)strtoll(num, &end, 10); /* out of range: LLONG_MIN or LLONG_MAX */
    else
        bits = num[0] == '-' ? 0 : strtoull(num, &end, 10); /* out of range: ULLONG_MAX */
    if (end && *end) return 0;
    put_bits(bits, dt, out);
    return 1;
}

/* fill_value: a number, "NaN", "Infinity", "-Infinity", or null (a missing chunk is an error).
 * text is the metadata's JSON, whose digits give 64-bit integers exactly. */
static zs_status parse_fill(const cJSON *root, const char *text, size_t n, const char *file, zs_zarr_array *a)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, "fill_value");
    double d;
    a->has_fill = 0;
    if (!j || cJSON_IsNull(j)) return ZS_OK;
    if (cJSON_IsNumber(j))
        d = j->valuedouble;
    else if (cJSON_IsBool(j))
        d = cJSON_IsTrue(j);
    else if (cJSON_IsString(j) && strcmp(j->valuestring, "NaN") == 0)
        d = NAN;
    else if (cJSON_IsString(j) && strcmp(j->valuestring, "Infinity") == 0)
        d = INFINITY;
    else if (cJSON_IsString(j) && strcmp(j->valuestring, "-Infinity") == 0)
        d = -INFINITY;
    else
        return ZS_ERR(ZS_EFORMAT, "%s: fill_value is not a number", file);
    ZS_RETURN_IF(!zs_dtype_is_float(a->dtype) && !isfinite(d), ZS_EFORMAT, "%s: fill_value %g for an integer dtype",
                 file, d);
    if (!cJSON_IsNumber(j) || !fill_exact64(text, n, a->dtype, a->fill)) fill_bytes(d, a->dtype, a->fill);
    a->has_fill = 1;
    return ZS_OK;
}

static zs_status parse_blosc(const cJSON *c, const char *file, zarr_codec *codec)
{
    static const char *const names[] = {"lz4", "lz4hc", "zstd", "zlib", "blosclz", "snappy"};
    const cJSON *cname = cJSON_GetObjectItemCaseSensitive(c, "cname");
    const cJSON *shuffle = cJSON_GetObjectItemCaseSensitive(c, "shuffle");
    int known = 0;
    for (size_t i = 0; cJSON_IsString(cname) && i < sizeof names / sizeof names[0]; i++)
        known |= strcmp(cname->valuestring, names[i]) == 0;
    ZS_RETURN_IF(!known, ZS_EUNSUPPORTED, "%s: blosc compressor \"%s\" is not known", file,
                 cJSON_IsString(cname) ? cname->valuestring : "?");
    snprintf(codec->cname, sizeof codec->cname, "%s", cname->valuestring);
    int64_t sh = 1;
    ZS_RETURN_IF(shuffle && (!json_int(shuffle, -1, &sh) || sh > 2), ZS_EFORMAT,
                 "%s: blosc shuffle is not -1, 0, 1 or 2", file);
    codec->shuffle = (int)sh;
    return ZS_OK;
}

/* The compression level an output written in place keeps (clevel, level); the writer's default
 * when absent or out of range. */
static void parse_level(const cJSON *c, const char *key, int def, int lo, int hi, zarr_codec *codec)
{
    int64_t v = def;
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(c, key);
    codec->level = l && json_int(l, lo, &v) && v <= hi ? (int)v : def;
}

static zs_status parse_codec(const cJSON *root, const char *file, zarr_codec *codec)
{
    memset(codec, 0, sizeof *codec);
    const cJSON *filters = cJSON_GetObjectItemCaseSensitive(root, "filters");
    if (cJSON_IsArray(filters) && cJSON_GetArraySize(filters) > 0) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(filters->child, "id");
        return ZS_ERR(ZS_EUNSUPPORTED, "%s: filter \"%s\" is not supported (zslab reads arrays without filters)", file,
                      cJSON_IsString(id) ? id->valuestring : "?");
    }
    ZS_RETURN_IF(filters && !cJSON_IsNull(filters) && !cJSON_IsArray(filters), ZS_EFORMAT,
                 "%s: \"filters\" is neither null nor a list", file);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "compressor");
    if (!c || cJSON_IsNull(c)) return ZS_OK;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
    ZS_RETURN_IF(!cJSON_IsString(id), ZS_EFORMAT, "%s: the compressor has no \"id\"", file);
    const char *s = id->valuestring;
    if (strcmp(s, "blosc") == 0) {
        codec->id = ZARR_BLOSC;
        parse_level(c, "clevel", 5, 0, 9, codec);
        return parse_blosc(c, file, codec);
    }
    if (strcmp(s, "zstd") == 0)
        codec->id = ZARR_ZSTD, parse_level(c, "level", 1, -131072, 22, codec);
    else if (strcmp(s, "gzip") == 0)
        codec->id = ZARR_GZIP, parse_level(c, "level", 1, 0, 9, codec);
    else if (strcmp(s, "zlib") == 0)
        codec->id = ZARR_ZLIB, parse_level(c, "level", 1, 0, 9, codec);
    else
        return ZS_ERR(ZS_EUNSUPPORTED,
                      "%s: unknown codec \"%s\" (zslab reads blosc, zstd, gzip, zlib and uncompressed chunks)", file,
                      s);
    return ZS_OK;
}

static zs_status parse_layout(const cJSON *root, const char *file, zs_zarr_array *a)
{
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(root, "order");
    ZS_RETURN_IF(!cJSON_IsString(order) || (strcmp(order->valuestring, "C") && strcmp(order->valuestring, "F")),
                 ZS_EFORMAT, "%s: \"order\" is not \"C\" or \"F\"", file);
    a->fortran = order->valuestring[0] == 'F';
    for (int d = 0; d < ZARR_MAX_DIMS; d++) a->perm[d] = d; /* reversed below for F, once ndim is known */
    const cJSON *sep = cJSON_GetObjectItemCaseSensitive(root, "dimension_separator");
    a->sep = '.';
    if (sep && !cJSON_IsNull(sep)) {
        ZS_RETURN_IF(!cJSON_IsString(sep) || (strcmp(sep->valuestring, ".") && strcmp(sep->valuestring, "/")),
                     ZS_EFORMAT, "%s: dimension_separator is not \".\" or \"/\"", file);
        a->sep = sep->valuestring[0];
    }
    int nc = 0;
    ZS_FORWARD(parse_dims(root, "shape", file, 0, a->shape, &a->ndim));
    ZS_FORWARD(parse_dims(root, "chunks", file, 1, a->chunks, &nc));
    ZS_RETURN_IF(nc != a->ndim, ZS_EFORMAT, "%s: \"chunks\" has %d dimensions and \"shape\" %d", file, nc, a->ndim);
    uint64_t bytes = zs_dtype_size(a->dtype);
    for (int d = 0; d < a->ndim; d++)
        ZS_RETURN_IF(!zs__mul_u64(bytes, (uint64_t)a->chunks[d], &bytes) || bytes > ZARR_MAX_CHUNK_BYTES,
                     ZS_EUNSUPPORTED, "%s: chunks of more than %llu bytes are not supported", file,
                     (unsigned long long)ZARR_MAX_CHUNK_BYTES);
    return ZS_OK;
}

zs_status zs__zarr_parse_array(const char *text, size_t n, const char *file, zs_zarr_array *a)
{
    memset(a, 0, sizeof *a);
    cJSON *root = cJSON_ParseWithLength(text, n);
    if (!cJSON_IsObject(root)) {
        const int other = root != NULL;
        cJSON_Delete(root);
        return ZS_ERR(ZS_EFORMAT, "%s: not a JSON object (%s)", file, other ? "another JSON value" : "malformed JSON");
    }
    zs_status st = ZS_OK;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "zarr_format");
    int64_t version = 0;
    if (!json_int(fmt, 0, &version) || version != 2) st = ZS_ERR(ZS_EUNSUPPORTED, "%s: zarr_format is not 2", file);
    if (st == ZS_OK) st = parse_dtype(root, file, &a->dtype);
    if (st == ZS_OK) st = parse_layout(root, file, a);
    for (int d = 0; st == ZS_OK && a->fortran && d < a->ndim; d++) a->perm[d] = a->ndim - 1 - d;
    a->version = 2;
    if (st == ZS_OK) st = parse_fill(root, text, n, file, a);
    if (st == ZS_OK) st = parse_codec(root, file, &a->codec);
    cJSON_Delete(root);
    return st;
}

zs_status zs__zarr_default_axes(const zs_zarr_array *a, const char *file, zs_zarr_axes *ax)
{
    memset(ax, 0, sizeof *ax);
    ZS_RETURN_IF(a->ndim > 4, ZS_EUNSUPPORTED,
                 "%s: %d dimensions without NGFF axis names (zslab reads x, y, z and t: at most 4)", file, a->ndim);
    for (int d = 0; d < a->ndim; d++) {
        ax->role[d] = d;
        ax->tstride[d] = 1;
        ax->scale[d] = 1.0;
    }
    return ZS_OK;
}

/* NGFF unit names ("micrometer") as zslab writes units elsewhere ("um"). */
static void ngff_unit(const char *u, char out[16])
{
    static const struct {
        const char *ngff, *unit;
    } units[] = {{"micrometer", "um"}, {"nanometer", "nm"}, {"millimeter", "mm"},
                 {"centimeter", "cm"}, {"meter", "m"},      {"angstrom", "angstrom"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(u, units[i].ngff) == 0) {
            snprintf(out, 16, "%s", units[i].unit);
            return;
        }
    (void)zs__unit_normalize(u, strlen(u), out);
}

/* The object holding "multiscales": a v2 group's .zattrs, or a v3 group's zarr.json attributes
 * (NGFF 0.5 puts it in attributes.ome). */
static const cJSON *ms_holder(const cJSON *root)
{
    if (cJSON_GetObjectItemCaseSensitive(root, "multiscales")) return root;
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(root, "attributes");
    const cJSON *ome = cJSON_GetObjectItemCaseSensitive(attrs, "ome");
    return cJSON_GetObjectItemCaseSensitive(ome, "multiscales") ? ome : attrs;
}

/* The first multiscale of a group's .zattrs or zarr.json (owner: root). */
static const cJSON *first_multiscale(const cJSON *root, const char *file, zs_status *st)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(ms_holder(root), "multiscales");
    if (!cJSON_IsArray(ms) || !cJSON_IsObject(ms->child)) {
        *st = ZS_ERR(ZS_EFORMAT, "%s: no NGFF \"multiscales\" (a Zarr group zslab reads is an OME-Zarr image)", file);
        return NULL;
    }
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(ms->child, "datasets");
    if (!cJSON_IsArray(ds) || !cJSON_IsObject(ds->child)) {
        *st = ZS_ERR(ZS_EFORMAT, "%s: the multiscales list no \"datasets\"", file);
        return NULL;
    }
    *st = ZS_OK;
    return ms->child;
}

zs_status zs__zarr_first_dataset(const char *text, size_t n, const char *file, char *path, size_t path_n)
{
    cJSON *root = cJSON_ParseWithLength(text, n);
    zs_status st = ZS_OK;
    const cJSON *ms = first_multiscale(root, file, &st);
    if (ms) {
        const cJSON *p =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ms, "datasets")->child, "path");
        if (cJSON_IsString(p) && p->valuestring[0] && !strstr(p->valuestring, ".."))
            snprintf(path, path_n, "%s", p->valuestring);
        else
            st = ZS_ERR(ZS_EFORMAT, "%s: the first dataset of the multiscales has no usable \"path\"", file);
    }
    cJSON_Delete(root);
    return st;
}

/* Axis names and the unit: a list of objects (0.4) or of strings (0.3); none (0.1, 0.2): the
 * last dimensions of t, c, z, y, x. */
static zs_status axis_roles(const cJSON *ms, const char *file, const zs_zarr_array *a, zs_zarr_axes *ax)
{
    const cJSON *axes = cJSON_GetObjectItemCaseSensitive(ms, "axes");
    ZS_RETURN_IF(axes && (!cJSON_IsArray(axes) || cJSON_GetArraySize(axes) != a->ndim), ZS_EFORMAT,
                 "%s: the multiscales name %d axes but the array has %d dimensions", file,
                 cJSON_IsArray(axes) ? cJSON_GetArraySize(axes) : 0, a->ndim);
    ZS_RETURN_IF(!axes && a->ndim > 5, ZS_EFORMAT, "%s: no axes for %d dimensions", file, a->ndim);
    int seen[3] = {0, 0, 0};
    const cJSON *e = axes ? axes->child : NULL;
    for (int d = 0; d < a->ndim; d++, e = e ? e->next : NULL) {
        static const char implied[] = "tczyx"; /* NGFF 0.1 and 0.2: the last of t, c, z, y, x */
        char one[2] = {implied[5 - a->ndim + d], 0};
        const char *name = one, *unit = NULL;
        if (e && cJSON_IsString(e)) name = e->valuestring;
        if (e && cJSON_IsObject(e)) {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name"),
                        *un = cJSON_GetObjectItemCaseSensitive(e, "unit");
            ZS_RETURN_IF(!cJSON_IsString(nm), ZS_EFORMAT, "%s: axis %d has no name", file, d);
            name = nm->valuestring;
            unit = cJSON_IsString(un) ? un->valuestring : NULL;
        }
        int role = strcmp(name, "x") == 0 ? 0 : strcmp(name, "y") == 0 ? 1 : strcmp(name, "z") == 0 ? 2 : 3;
        ZS_RETURN_IF(role < 3 && seen[role]++, ZS_EFORMAT, "%s: two axes named \"%s\"", file, name);
        ax->role[d] = role;
        if (role < 3 && unit && !ax->unit[0]) ngff_unit(unit, ax->unit);
    }
    int64_t acc = 1; /* the last non-spatial axis fastest: t = c + C*frame */
    for (int d = a->ndim - 1; d >= 0; d--)
        if (ax->role[d] == 3) {
            uint64_t next = 0;
            ax->tstride[d] = acc;
            ZS_RETURN_IF(!zs__mul_u64((uint64_t)acc, (uint64_t)(a->shape[d] ? a->shape[d] : 1), &next) ||
                             next > (uint64_t)INT64_MAX,
                         ZS_EOVERFLOW, "%s: the axes other than x, y and z hold more than 2^63 volumes", file);
            acc = (int64_t)next;
        }
    return ZS_OK;
}

/* Multiplies ax->scale by the "scale" transformation of a coordinateTransformations list. */
static zs_status apply_scale(const cJSON *list, const char *file, int ndim, zs_zarr_axes *ax)
{
    if (!cJSON_IsArray(list)) return ZS_OK;
    for (const cJSON *t = list->child; t; t = t->next) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(t, "type");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "scale") != 0) continue;
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(t, "scale");
        ZS_RETURN_IF(!cJSON_IsArray(s) || cJSON_GetArraySize(s) != ndim, ZS_EFORMAT,
                     "%s: a scale transformation does not have one number per axis", file);
        int d = 0;
        for (const cJSON *v = s->child; v; v = v->next, d++) {
            ZS_RETURN_IF(!cJSON_IsNumber(v), ZS_EFORMAT, "%s: a scale is not a number", file);
            ax->scale[d] *= v->valuedouble;
        }
    }
    return ZS_OK;
}

static const cJSON *find_dataset(const cJSON *ms, const char *level)
{
    for (const cJSON *d = cJSON_GetObjectItemCaseSensitive(ms, "datasets")->child; d; d = d->next) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(d, "path");
        if (cJSON_IsString(p) && strcmp(p->valuestring, level) == 0) return d;
    }
    return NULL;
}

zs_status zs__zarr_parse_multiscales(const char *text, size_t n, const char *file, const char *level,
                                     const zs_zarr_array *a, char *path, size_t path_n, zs_zarr_axes *ax)
{
    memset(ax, 0, sizeof *ax);
    ax->named = 1;
    for (int d = 0; d < ZARR_MAX_DIMS; d++) ax->scale[d] = 1.0, ax->tstride[d] = 1;
    cJSON *root = cJSON_ParseWithLength(text, n);
    zs_status st = ZS_OK;
    const cJSON *ms = first_multiscale(root, file, &st), *ds = NULL;
    if (ms && !(ds = find_dataset(ms, level)))
        st = ZS_ERR(ZS_EFORMAT, "%s: the multiscales have no dataset \"%s\"", file, level);
    if (st == ZS_OK) st = axis_roles(ms, file, a, ax);
    if (st == ZS_OK)
        st = apply_scale(cJSON_GetObjectItemCaseSensitive(ds, "coordinateTransformations"), file, a->ndim, ax);
    if (st == ZS_OK)
        st = apply_scale(cJSON_GetObjectItemCaseSensitive(ms, "coordinateTransformations"), file, a->ndim, ax);
    if (st == ZS_OK) snprintf(path, path_n, "%s", level);
    cJSON_Delete(root);
    return st;
}

zs_status zs__zarr_info(const zs_zarr_array *a, const zs_zarr_axes *ax, zs_volume_info *info)
{
    for (int k = 0; k < 4; k++) info->shape[k] = 1;
    for (int k = 0; k < 3; k++) info->voxel[k] = 1.0;
    for (int d = 0; d < a->ndim; d++) {
        const int r = ax->role[d];
        info->shape[r] *= a->shape[d];
        if (r < 3 && ax->named) info->voxel[r] = ax->scale[d];
    }
    info->ndim = ax->named ? (info->shape[3] > 1 ? 4 : 3) : a->ndim;
    info->dtype = a->dtype;
    snprintf(info->unit, sizeof info->unit, "%s", ax->named ? ax->unit : "");
    for (int k = 0; k < 3; k++)
        if (!(info->voxel[k] > 0) || !isfinite(info->voxel[k])) {
            info->voxel[k] = 1.0;
            info->unit[0] = '\0';
        }
    return zs_volume_info_sizes(info, NULL, NULL, &info->nbytes);
}

int zs__zarr_lists_dataset(const char *text, size_t n, const char *level)
{
    cJSON *root = cJSON_ParseWithLength(text, n);
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(ms_holder(root), "multiscales");
    int found = 0;
    if (cJSON_IsArray(ms) && cJSON_IsObject(ms->child) &&
        cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(ms->child, "datasets")))
        found = find_dataset(ms->child, level) != NULL;
    cJSON_Delete(root);
    return found;
}

/* ---- Zarr v3 arrays (zarr.json) ------------------------------------------------------------ */

static zs_status v3_transpose(const cJSON *cfg, const char *file, zs_zarr_array *a)
{
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(cfg, "order");
    int seen[ZARR_MAX_DIMS] = {0}, d = 0;
    ZS_RETURN_IF(!cJSON_IsArray(order) || cJSON_GetArraySize(order) != a->ndim, ZS_EFORMAT,
                 "%s: the transpose codec's order is not one dimension each", file);
    for (const cJSON *e = order->child; e; e = e->next, d++) {
        int64_t v = -1;
        ZS_RETURN_IF(!json_int(e, 0, &v) || v >= a->ndim || seen[v]++, ZS_EFORMAT,
                     "%s: the transpose codec's order is not a permutation", file);
        a->perm[d] = (int)v;
    }
    return ZS_OK;
}

static zs_status v3_codec(const cJSON *c, const char *file, zs_zarr_array *a, int *bytes);

/* index_codecs: bytes (little-endian) and an optional crc32c. */
static zs_status v3_index_codecs(const cJSON *list, const char *file, zs_zarr_array *a)
{
    int k = 0;
    for (const cJSON *c = cJSON_IsArray(list) ? list->child : NULL; c; c = c->next, k++) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *endian =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "configuration"), "endian");
        const int is_bytes = cJSON_IsString(name) && strcmp(name->valuestring, "bytes") == 0 &&
                             (!cJSON_IsString(endian) || strcmp(endian->valuestring, "little") == 0);
        const int is_crc = cJSON_IsString(name) && strcmp(name->valuestring, "crc32c") == 0;
        ZS_RETURN_IF(!(k == 0 && is_bytes) && !(k == 1 && is_crc), ZS_EUNSUPPORTED,
                     "%s: the shard index codecs are not bytes (little-endian) and an optional crc32c", file);
        a->index_crc |= is_crc;
    }
    ZS_RETURN_IF(k == 0, ZS_EFORMAT, "%s: the shard index has no codecs", file);
    return ZS_OK;
}

/* sharding_indexed: the inner chunk shape and codecs (parsed as an array of that chunk shape). */
static zs_status v3_sharding(const cJSON *cfg, const char *file, zs_zarr_array *a, int *bytes)
{
    zs_zarr_array in = *a;
    int nc = 0, inner_bytes = 0;
    for (int d = 0; d < a->ndim; d++)
        ZS_RETURN_IF(a->perm[d] != d, ZS_EUNSUPPORTED, "%s: a transpose before sharding is not supported", file);
    ZS_FORWARD(parse_dims(cfg, "chunk_shape", file, 1, in.chunks, &nc));
    ZS_RETURN_IF(nc != a->ndim, ZS_EFORMAT, "%s: the inner chunk shape has %d dimensions, the array %d", file, nc,
                 a->ndim);
    for (int d = 0; d < a->ndim; d++)
        ZS_RETURN_IF(a->chunks[d] % in.chunks[d] != 0, ZS_EFORMAT,
                     "%s: the inner chunk shape does not divide the shard shape", file);
    const cJSON *codecs = cJSON_GetObjectItemCaseSensitive(cfg, "codecs");
    ZS_RETURN_IF(!cJSON_IsArray(codecs), ZS_EFORMAT, "%s: the shards' \"codecs\" is not a list", file);
    in.sharded = 1; /* no shards inside shards */
    for (const cJSON *c = codecs->child; c; c = c->next) ZS_FORWARD(v3_codec(c, file, &in, &inner_bytes));
    ZS_RETURN_IF(!inner_bytes, ZS_EFORMAT, "%s: the shards' codecs have no bytes codec", file);
    ZS_FORWARD(v3_index_codecs(cJSON_GetObjectItemCaseSensitive(cfg, "index_codecs"), file, a));
    const cJSON *loc = cJSON_GetObjectItemCaseSensitive(cfg, "index_location");
    a->index_end = !cJSON_IsString(loc) || strcmp(loc->valuestring, "start") != 0;
    a->sharded = 1;
    a->dtype = in.dtype;
    a->inner_codec = in.codec;
    for (int d = 0; d < a->ndim; d++) a->inner[d] = in.chunks[d], a->inner_perm[d] = in.perm[d];
    *bytes = 1; /* sharding maps the array to bytes */
    return ZS_OK;
}

/* One codec of the list; *bytes: the bytes codec was seen (array → bytes). */
static zs_status v3_codec(const cJSON *c, const char *file, zs_zarr_array *a, int *bytes)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(c, "configuration");
    ZS_RETURN_IF(!cJSON_IsString(name), ZS_EFORMAT, "%s: a codec has no \"name\"", file);
    const char *s = name->valuestring;
    if (strcmp(s, "transpose") == 0 && !*bytes) return v3_transpose(cfg, file, a);
    if (strcmp(s, "bytes") == 0 && !*bytes) {
        const cJSON *endian = cJSON_GetObjectItemCaseSensitive(cfg, "endian");
        a->dtype.big_endian =
            zs_dtype_size(a->dtype) > 1 && cJSON_IsString(endian) && strcmp(endian->valuestring, "big") == 0;
        *bytes = 1;
        return ZS_OK;
    }
    if (strcmp(s, "sharding_indexed") == 0 && !*bytes && !a->sharded) return v3_sharding(cfg, file, a, bytes);
    const zarr_codec_id id = strcmp(s, "blosc") == 0  ? ZARR_BLOSC
                             : strcmp(s, "zstd") == 0 ? ZARR_ZSTD
                             : strcmp(s, "gzip") == 0 ? ZARR_GZIP
                                                      : ZARR_RAW;
    ZS_RETURN_IF(id == ZARR_RAW, ZS_EUNSUPPORTED,
                 "%s: unknown codec \"%s\" (zslab reads bytes, transpose, blosc, zstd and gzip)", file, s);
    ZS_RETURN_IF(!*bytes || a->codec.id != ZARR_RAW, ZS_EUNSUPPORTED,
                 "%s: codec \"%s\" where zslab reads one compressor after the bytes codec", file, s);
    a->codec.id = id;
    return ZS_OK;
}

static zs_status v3_grid(const cJSON *root, const char *file, zs_zarr_array *a)
{
    const cJSON *grid = cJSON_GetObjectItemCaseSensitive(root, "chunk_grid");
    const cJSON *gname = cJSON_GetObjectItemCaseSensitive(grid, "name");
    ZS_RETURN_IF(!cJSON_IsString(gname) || strcmp(gname->valuestring, "regular") != 0, ZS_EUNSUPPORTED,
                 "%s: the chunk grid is not \"regular\"", file);
    int nc = 0;
    ZS_FORWARD(parse_dims(root, "shape", file, 0, a->shape, &a->ndim));
    ZS_FORWARD(
        parse_dims(cJSON_GetObjectItemCaseSensitive(grid, "configuration"), "chunk_shape", file, 1, a->chunks, &nc));
    ZS_RETURN_IF(nc != a->ndim, ZS_EFORMAT, "%s: chunk_shape has %d dimensions and shape %d", file, nc, a->ndim);
    uint64_t bytes = zs_dtype_size(a->dtype);
    for (int d = 0; d < a->ndim; d++)
        ZS_RETURN_IF(!zs__mul_u64(bytes, (uint64_t)a->chunks[d], &bytes) || bytes > ZARR_MAX_CHUNK_BYTES,
                     ZS_EUNSUPPORTED, "%s: chunks of more than %llu bytes are not supported", file,
                     (unsigned long long)ZARR_MAX_CHUNK_BYTES);
    const cJSON *enc = cJSON_GetObjectItemCaseSensitive(root, "chunk_key_encoding");
    const cJSON *ename = cJSON_GetObjectItemCaseSensitive(enc, "name");
    const cJSON *sep =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(enc, "configuration"), "separator");
    a->key_prefix = !cJSON_IsString(ename) || strcmp(ename->valuestring, "v2") != 0;
    a->sep = a->key_prefix ? '/' : '.';
    if (cJSON_IsString(sep)) a->sep = sep->valuestring[0] == '.' ? '.' : '/';
    return ZS_OK;
}

zs_status zs__zarr_parse_array_v3(const char *text, size_t n, const char *file, zs_zarr_array *a)
{
    memset(a, 0, sizeof *a);
    for (int d = 0; d < ZARR_MAX_DIMS; d++) a->perm[d] = d;
    a->version = 3;
    cJSON *root = cJSON_ParseWithLength(text, n);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return ZS_ERR(ZS_EFORMAT, "%s: not a JSON object", file);
    }
    zs_status st = ZS_OK;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "zarr_format"),
                *node = cJSON_GetObjectItemCaseSensitive(root, "node_type"),
                *dt = cJSON_GetObjectItemCaseSensitive(root, "data_type"),
                *codecs = cJSON_GetObjectItemCaseSensitive(root, "codecs");
    int64_t version = 0;
    if (!json_int(fmt, 0, &version) || version != 3 || !cJSON_IsString(node) || strcmp(node->valuestring, "array"))
        st = ZS_ERR(ZS_EFORMAT, "%s: not a Zarr v3 array (zarr_format 3, node_type \"array\")", file);
    if (st == ZS_OK && (!cJSON_IsString(dt) || zs_dtype_parse(dt->valuestring, &a->dtype) < 0))
        st = ZS_ERR(ZS_EUNSUPPORTED, "%s: data_type %s is not one zslab reads", file,
                    cJSON_IsString(dt) ? dt->valuestring : "(none)");
    if (st == ZS_OK) st = v3_grid(root, file, a);
    int bytes = 0;
    if (st == ZS_OK && !cJSON_IsArray(codecs)) st = ZS_ERR(ZS_EFORMAT, "%s: \"codecs\" is not a list", file);
    for (const cJSON *c = st == ZS_OK ? codecs->child : NULL; c && st == ZS_OK; c = c->next)
        st = v3_codec(c, file, a, &bytes);
    if (st == ZS_OK && !bytes) st = ZS_ERR(ZS_EFORMAT, "%s: no bytes codec", file);
    if (st == ZS_OK) st = parse_fill(root, text, n, file, a);
    cJSON_Delete(root);
    return st;
}

int zs__zarr_v3_node(const char *text, size_t n)
{
    cJSON *root = cJSON_ParseWithLength(text, n);
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(root, "node_type");
    const int kind = !cJSON_IsString(node)                     ? 0
                     : strcmp(node->valuestring, "array") == 0 ? 1
                     : strcmp(node->valuestring, "group") == 0 ? 2
                                                               : 0;
    cJSON_Delete(root);
    return kind;
}
