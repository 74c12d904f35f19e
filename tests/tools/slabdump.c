/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* slabdump: reads every voxel of a volume through slab mappings and writes them as float64.
 *
 *   slabdump FILE OUT.f64 SLAB HALO [--mode r|r+|c] [--raw-shape AxBxC[xT] --raw-dtype T
 *            [--raw-offset N] [--raw-order F|C]] [--values f64|stored]
 *   slabdump --info FILE [raw options]      prints the descriptor as JSON (the library's view)
 *
 * For each volume t of the series and each slab [z0, z0+SLAB) (SLAB 0 or "whole": all
 * planes), it describes the slab with HALO planes each side, maps it, and checks that
 *  - the mapping holds planes [lo,hi) and, in F order, maps at most (hi-lo) planes plus
 *    two pages (the offset is aligned down to a page, nothing more);
 *  - every halo plane holds the same bytes as the same plane mapped on its own;
 * then writes the core planes, value = slope * stored + inter in double (exact for every
 * stored dtype up to 2^53), x fastest, then y, z, t; with --values stored, the stored elements
 * themselves in the host's byte order (exact for 64-bit integers). Python tests compare the output with
 * numpy and nibabel. Exit codes: 0 ok, 1 library error (message on stderr), 2 usage,
 * 3 a check failed. */
#include "zs_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr,
            "usage: slabdump FILE OUT.f64 SLAB HALO [--mode r|r+|c] [--raw-shape AxBxC --raw-dtype T "
            "--raw-offset N --raw-order F|C] [--values f64|stored]\n       slabdump --info FILE [raw options]\n");
    return 2;
}

static int g_stored; /* --values stored: the stored elements, not float64 */

static int fail(void)
{
    fprintf(stderr, "slabdump: %s\n", zs_last_error());
    return 1;
}

/* The stored value of element i of src, as a double. */
static double stored_value(const unsigned char *src, size_t i, zs_dtype dt)
{
    const size_t es = zs_dtype_size(dt);
    unsigned char b[8];
    memcpy(b, src + i * es, es);
    if (es > 1 && dt.big_endian != zs__host_big_endian()) zs__bswap(b, es, 1);
    switch (dt.type) {
    case ZS_U8:
        return b[0];
    case ZS_I8:
        return (int8_t)b[0];
    case ZS_U16: {
        uint16_t v;
        memcpy(&v, b, 2);
        return v;
    }
    case ZS_I16: {
        int16_t v;
        memcpy(&v, b, 2);
        return v;
    }
    case ZS_U32: {
        uint32_t v;
        memcpy(&v, b, 4);
        return v;
    }
    case ZS_I32: {
        int32_t v;
        memcpy(&v, b, 4);
        return v;
    }
    case ZS_U64: {
        uint64_t v;
        memcpy(&v, b, 8);
        return (double)v;
    }
    case ZS_I64: {
        int64_t v;
        memcpy(&v, b, 8);
        return (double)v;
    }
    case ZS_F32: {
        float v;
        memcpy(&v, b, 4);
        return v;
    }
    case ZS_F64: {
        double v;
        memcpy(&v, b, 8);
        return v;
    }
    default:
        return 0.0;
    }
}

static int parse_raw_shape(const char *s, zs_open_opts *o)
{
    int nd = 0;
    const char *p = s;
    while (*p && nd < 4) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 1) return -1;
        o->raw_shape[nd++] = v;
        p = end;
        if (*p == 'x')
            p++;
        else if (*p)
            return -1;
    }
    if (*p) return -1;
    o->raw_ndim = nd;
    return 0;
}

/* Options after the positional arguments. @return 0, or 2 on a usage error. */
static int parse_options(int argc, char **argv, int first, zs_open_opts *o)
{
    for (int i = first; i < argc; i += 2) { /* --name value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return usage();
        if (strcmp(a, "--mode") == 0)
            o->mode = v;
        else if (strcmp(a, "--raw-shape") == 0) {
            if (parse_raw_shape(v, o) != 0) return usage();
        } else if (strcmp(a, "--raw-dtype") == 0) {
            if (zs_dtype_parse(v, &o->raw_dtype) != ZS_OK) {
                fail();
                return 2;
            }
        } else if (strcmp(a, "--raw-offset") == 0)
            o->raw_offset = strtoull(v, NULL, 10);
        else if (strcmp(a, "--values") == 0)
            g_stored = strcmp(v, "stored") == 0;
        else if (strcmp(a, "--raw-order") == 0)
            o->raw_order = (v[0] == 'C' || v[0] == 'c') ? ZS_ORDER_C : ZS_ORDER_F;
        else
            return usage();
        if (strcmp(a, "--raw-shape") == 0 || strcmp(a, "--raw-dtype") == 0) o->format = ZS_FMT_RAW;
    }
    return 0;
}

/* Each halo plane of m must hold the bytes of that plane mapped alone. */
static int check_halo(const zs_volume *v, const zs_slab *s, const zs_mapping *m, uint64_t plane)
{
    for (int64_t z = s->lo; z < s->hi; z++) {
        if (z >= s->z0 && z < s->z1) continue;
        zs_slab one;
        zs_mapping m1;
        if (zs_slab_make(zs_volume_get_info(v), s->t, z, z + 1, 0, &one) != ZS_OK) return fail();
        if (zs_slab_map(v, &one, &m1) != ZS_OK) return fail();
        int same = memcmp((const unsigned char *)m->data + (size_t)((uint64_t)(z - m->lo) * plane), m1.data,
                          (size_t)plane) == 0;
        zs_slab_unmap(&m1);
        if (!same) {
            fprintf(stderr,
                    "slabdump: halo plane %lld of slab [%lld,%lld) (t=%lld) differs from the plane mapped alone\n",
                    (long long)z, (long long)s->z0, (long long)s->z1, (long long)s->t);
            return 3;
        }
    }
    return 0;
}

static int check_mapping(const zs_volume_info *info, const zs_slab *s, const zs_mapping *m, uint64_t plane)
{
    if (m->lo != s->lo || m->hi != s->hi) {
        fprintf(stderr, "slabdump: mapping holds planes [%lld,%lld), slab asked for [%lld,%lld)\n", (long long)m->lo,
                (long long)m->hi, (long long)s->lo, (long long)s->hi);
        return 3;
    }
    const uint64_t need = (uint64_t)(s->hi - s->lo) * plane, page = zs_sys_page_size();
    if (info->order == ZS_ORDER_F && (uint64_t)m->map_length > need + 2 * page) {
        fprintf(stderr,
                "slabdump: slab [%lld,%lld) maps %zu bytes for %llu bytes of planes (limit: + 2 pages of %llu)\n",
                (long long)s->lo, (long long)s->hi, m->map_length, (unsigned long long)need, (unsigned long long)page);
        return 3;
    }
    return 0;
}

static int write_core(const zs_volume_info *info, const zs_slab *s, const zs_mapping *m, uint64_t plane, double *row,
                      FILE *out)
{
    const size_t per_plane = (size_t)(info->shape[0] * info->shape[1]);
    const int scaled = info->slope != 1.0 || info->inter != 0.0;
    for (int64_t z = s->z0; z < s->z1; z++) {
        const unsigned char *p = (const unsigned char *)m->data + (size_t)((uint64_t)(z - m->lo) * plane);
        if (g_stored) { /* the plane's elements in the host's byte order */
            const size_t es = zs_dtype_size(info->dtype);
            memcpy(row, p, per_plane * es);
            if (es > 1 && info->dtype.big_endian != zs__host_big_endian()) zs__bswap(row, es, per_plane);
            if (fwrite(row, es, per_plane, out) != per_plane) {
                perror("slabdump: write");
                return 1;
            }
            continue;
        }
        for (size_t i = 0; i < per_plane; i++) {
            double v = stored_value(p, i, info->dtype);
            row[i] = scaled ? info->slope * v + info->inter : v;
        }
        if (fwrite(row, sizeof *row, per_plane, out) != per_plane) {
            perror("slabdump: write");
            return 1;
        }
    }
    return 0;
}

static int dump(const zs_volume *v, FILE *out, int64_t slab, int64_t halo)
{
    const zs_volume_info *info = zs_volume_get_info(v);
    uint64_t plane;
    if (zs_volume_info_sizes(info, &plane, NULL, NULL) != ZS_OK) return fail();
    const int64_t nz = info->shape[2];
    if (slab <= 0 || slab > nz) slab = nz;
    double *row = malloc((size_t)(info->shape[0] * info->shape[1]) * sizeof *row);
    if (!row) {
        fprintf(stderr, "slabdump: out of memory\n");
        return 1;
    }
    int rc = 0;
    for (int64_t t = 0; t < info->shape[3] && rc == 0; t++)
        for (int64_t z0 = 0; z0 < nz && rc == 0; z0 += slab) {
            zs_slab s;
            zs_mapping m;
            const int64_t z1 = z0 + slab < nz ? z0 + slab : nz;
            if (zs_slab_make(info, t, z0, z1, halo, &s) != ZS_OK || zs_slab_map(v, &s, &m) != ZS_OK) {
                rc = fail();
                break;
            }
            rc = check_mapping(info, &s, &m, plane);
            if (rc == 0) rc = check_halo(v, &s, &m, plane);
            if (rc == 0) rc = write_core(info, &s, &m, plane, row, out);
            if (zs_slab_unmap(&m) != ZS_OK && rc == 0) rc = fail();
        }
    free(row);
    return rc;
}

int main(int argc, char **argv)
{
    zs_open_opts o;
    zs_open_opts_default(&o);
    if (argc >= 3 && strcmp(argv[1], "--info") == 0) {
        int rc = parse_options(argc, argv, 3, &o);
        if (rc) return rc;
        zs_volume *v;
        if (zs_volume_open(argv[2], &o, &v) != ZS_OK) return fail();
        char text[3 * ZS_PATH_MAX];
        zs_volume_info_describe(zs_volume_get_info(v), ZS_DESCRIBE_JSON, text, sizeof text);
        fputs(text, stdout);
        zs_volume_free(v);
        return 0;
    }
    if (argc < 5) return usage();
    int rc = parse_options(argc, argv, 5, &o);
    if (rc) return rc;
    const int64_t slab = strcmp(argv[3], "whole") == 0 ? 0 : strtoll(argv[3], NULL, 10);
    const int64_t halo = strtoll(argv[4], NULL, 10);
    if (slab < 0 || halo < 0) return usage();
    zs_volume *v;
    if (zs_volume_open(argv[1], &o, &v) != ZS_OK) return fail();
    FILE *out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        zs_volume_free(v);
        return 1;
    }
    rc = dump(v, out, slab, halo);
    if (fclose(out) != 0 && rc == 0) {
        perror(argv[2]);
        rc = 1;
    }
    zs_volume_free(v);
    return rc;
}
