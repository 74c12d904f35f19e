/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The table of components: one row per kept label, columns as scipy.ndimage measures them
 * (sum_labels, mean, minimum, maximum, center_of_mass, find_objects), as CSV or as a .npy
 * structured array. */
#include "label_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns: name, numpy type ('u' uint64, 'i' int64, 'f' float64), what. */
typedef enum col_what {
    C_LABEL,
    C_VOXELS,
    C_CENTROID,
    C_CENTROID_UM,
    C_MIN,
    C_MAX,
    C_SUM,
    C_MEAN,
    C_IMIN,
    C_IMAX
} col_what;
typedef struct col {
    const char *name;
    char type;
    col_what what;
    int axis;
} col;

static const col cols[] = {
    {"label", 'u', C_LABEL, 0},
    {"voxels", 'u', C_VOXELS, 0},
    {"centroid_x", 'f', C_CENTROID, 0},
    {"centroid_y", 'f', C_CENTROID, 1},
    {"centroid_z", 'f', C_CENTROID, 2},
    {"centroid_x_um", 'f', C_CENTROID_UM, 0},
    {"centroid_y_um", 'f', C_CENTROID_UM, 1},
    {"centroid_z_um", 'f', C_CENTROID_UM, 2},
    {"x_min", 'i', C_MIN, 0},
    {"x_max", 'i', C_MAX, 0},
    {"y_min", 'i', C_MIN, 1},
    {"y_max", 'i', C_MAX, 1},
    {"z_min", 'i', C_MIN, 2},
    {"z_max", 'i', C_MAX, 2},
    {"sum", 'f', C_SUM, 0},
    {"mean", 'f', C_MEAN, 0},
    {"min", 'f', C_IMIN, 0},
    {"max", 'f', C_IMAX, 0},
};
#define NCOLS ((int)(sizeof cols / sizeof cols[0]))

double zs__um_per_unit(const zs_volume_info *in)
{
    if (!strcmp(in->unit, "um") || !strcmp(in->unit, "\xc2\xb5m") || !strcmp(in->unit, "micron")) return 1.0;
    if (!strcmp(in->unit, "mm")) return 1000.0;
    if (!strcmp(in->unit, "nm")) return 0.001;
    return 0.0;
}

/* The columns this table has: the _um ones only where the input has a voxel size. */
static int col_at(const zs_labeling *L, int i)
{
    const int um = zs__um_per_unit(&zs__label_plan(L)->in) > 0;
    for (int c = 0; c < NCOLS; c++)
        if ((um || cols[c].what != C_CENTROID_UM) && i-- == 0) return c;
    return -1;
}

static double col_value(const zs_labeling *L, const col *c, uint64_t k)
{
    zs_label_row r;
    zs__label_row(L, k, &r);
    const zs_volume_info *in = &zs__label_plan(L)->in;
    const double n = (double)r.count;
    switch (c->what) {
    case C_LABEL:
        return (double)(k + 1);
    case C_VOXELS:
        return n;
    case C_CENTROID:
        return r.s[c->axis] / n;
    case C_CENTROID_UM:
        return r.s[c->axis] / n * in->voxel[c->axis] * zs__um_per_unit(in);
    case C_MIN:
        return (double)r.lo[c->axis];
    case C_MAX:
        return (double)r.hi[c->axis];
    case C_SUM:
        return r.isum;
    case C_MEAN:
        return r.isum / n;
    case C_IMIN:
        return r.imin;
    case C_IMAX:
        return r.imax;
    }
    return 0;
}

int zs_label_table_columns(const zs_labeling *l)
{
    int n = 0;
    while (l && zs__label_has_table(l) && col_at(l, n) >= 0) n++;
    return n;
}

zs_status zs_label_table_column(const zs_labeling *l, int i, const char **name, double *dst)
{
    const int c = l && zs__label_has_table(l) && i >= 0 ? col_at(l, i) : -1;
    ZS_RETURN_IF(c < 0, ZS_EINVAL, "table column %d: there are %d", i, zs_label_table_columns(l));
    *name = cols[c].name;
    if (dst)
        for (uint64_t k = 0; k < zs_label_components(l); k++) dst[k] = col_value(l, &cols[c], k);
    return ZS_OK;
}

static int write_csv(const zs_labeling *L, FILE *f, int nc)
{
    for (int i = 0; i < nc; i++) fprintf(f, "%s%s", i ? "," : "", cols[col_at(L, i)].name);
    fputc('\n', f);
    for (uint64_t k = 0; k < zs_label_components(L); k++) {
        for (int i = 0; i < nc; i++) {
            const col *c = &cols[col_at(L, i)];
            const double v = col_value(L, c, k);
            if (c->type == 'f')
                fprintf(f, "%s%.17g", i ? "," : "", v);
            else
                fprintf(f, "%s%lld", i ? "," : "", (long long)v);
        }
        fputc('\n', f);
    }
    return ferror(f);
}

/* A .npy (version 1) of one-dimensional structured records, little-endian fields. */
static int write_npy(const zs_labeling *L, FILE *f, int nc)
{
    char fields[4096];
    int n = 0;
    for (int i = 0; i < nc && n < (int)sizeof fields; i++) {
        const col *c = &cols[col_at(L, i)];
        n += snprintf(fields + n, sizeof fields - (size_t)n, "%s('%s', '<%c8')", i ? ", " : "", c->name, c->type);
    }
    if (zs__npy_records_head(f, fields, zs_label_components(L)) != 0) return 1;
    for (uint64_t k = 0; k < zs_label_components(L); k++)
        for (int i = 0; i < nc; i++) {
            const col *c = &cols[col_at(L, i)];
            const double v = col_value(L, c, k);
            unsigned char b[8];
            if (c->type == 'f') {
                memcpy(b, &v, 8);
            } else {
                const uint64_t u = c->type == 'u' ? (uint64_t)v : (uint64_t)(int64_t)v;
                memcpy(b, &u, 8);
            }
            fwrite(b, 1, 8, f);
        }
    return ferror(f);
}

zs_status zs_label_table_write(const zs_labeling *l, const char *path)
{
    ZS_RETURN_IF(!l || !path, ZS_EINVAL, "zs_label_table_write: no labeling or path given");
    ZS_RETURN_IF(!zs__label_has_table(l), ZS_EINVAL, "%s: the labeling was counted without a table", path);
    zs_partial_file *p;
    ZS_FORWARD(zs_partial_file_new(path, &p));
    const size_t len = strlen(path);
    const int nc = zs_label_table_columns(l);
    FILE *f = zs_partial_file_stream(p);
    const int bad = len > 4 && !strcmp(path + len - 4, ".npy") ? write_npy(l, f, nc) : write_csv(l, f, nc);
    if (bad) {
        zs_partial_file_free(p);
        return ZS_ERR_SYS(ZS_EIO, errno, "%s: writing the table", path);
    }
    zs_status st = zs_partial_file_commit(p);
    zs_partial_file_free(p);
    return st;
}
