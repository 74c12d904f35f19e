/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Tables of cells, by the name's ending (docs/cells.md):
 *   .csv         x, y, z (voxels, zslab's axes), x_um, y_um, z_um (with a voxel size), size,
 *                value, intensity; 17 significant digits;
 *   .npy         ClearMap2's cell array: a structured array of x, y, z (int64, the centroid
 *                rounded half to even, as numpy's round), size (int64), source (float64, the
 *                intensity) and value (float64);
 *   .xml         Fiji Cell Counter's CellCounter_Marker_File, one Marker a cell of Type 1 (as
 *                BrainGlobe writes unclassified candidates), MarkerX/Y/Z the centroid rounded so;
 *   .points.csv  napari's points layer CSV: index, axis-0, axis-1, axis-2 = z, y, x. */
#include "detect_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef enum cwhat { W_POS, W_UM, W_SIZE, W_VALUE, W_INTENSITY } cwhat;
typedef struct ccol {
    const char *name;
    cwhat what;
    int axis;
} ccol;

static const ccol ccols[] = {
    {"x", W_POS, 0},     {"y", W_POS, 1},       {"z", W_POS, 2},
    {"x_um", W_UM, 0},   {"y_um", W_UM, 1},     {"z_um", W_UM, 2},
    {"size", W_SIZE, 0}, {"value", W_VALUE, 0}, {"intensity", W_INTENSITY, 0},
};
#define NCCOLS ((int)(sizeof ccols / sizeof ccols[0]))

static int ccol_at(const zs_cells *C, int i)
{
    for (int c = 0; c < NCCOLS; c++)
        if ((C->um[0] > 0 || ccols[c].what != W_UM) && i-- == 0) return c;
    return -1;
}

/* Column i of the table (0 <= i < zs_cells_columns). */
static const ccol *ccol_of(const zs_cells *C, int i)
{
    const int c = ccol_at(C, i);
    return &ccols[c < 0 ? 0 : c];
}

static double ccol_value(const zs_cells *C, const ccol *c, uint64_t k)
{
    const zs_cell *e = &C->c[k];
    switch (c->what) {
    case W_POS:
        return e->pos[c->axis];
    case W_UM:
        return e->pos[c->axis] * C->um[c->axis];
    case W_SIZE:
        return (double)e->size;
    case W_VALUE:
        return e->value;
    case W_INTENSITY:
        return e->intensity;
    }
    return 0;
}

int zs_cells_columns(const zs_cells *c)
{
    int n = 0;
    while (c && ccol_at(c, n) >= 0) n++;
    return n;
}

zs_status zs_cells_column(const zs_cells *c, int i, const char **name, double *dst)
{
    const int k = c && i >= 0 ? ccol_at(c, i) : -1;
    ZS_RETURN_IF(k < 0, ZS_EINVAL, "cells column %d: there are %d", i, zs_cells_columns(c));
    *name = ccols[k].name;
    if (dst)
        for (uint64_t j = 0; j < c->n; j++) dst[j] = ccol_value(c, &ccols[k], j);
    return ZS_OK;
}

static int ends_with(const char *s, const char *end)
{
    const size_t n = strlen(s), m = strlen(end);
    return n > m && !strcmp(s + n - m, end);
}

zs_status zs_cells_format_of(const char *path, zs_cells_format *out)
{
    ZS_RETURN_IF(!path || !out, ZS_EINVAL, "zs_cells_format_of: no path given");
    if (ends_with(path, ".points.csv"))
        *out = ZS_CELLS_POINTS;
    else if (ends_with(path, ".csv"))
        *out = ZS_CELLS_CSV;
    else if (ends_with(path, ".npy"))
        *out = ZS_CELLS_NPY;
    else if (ends_with(path, ".xml"))
        *out = ZS_CELLS_XML;
    else
        return ZS_ERR(ZS_EPARAM,
                      "%s: unknown cell table suffix: .csv (a table), .npy (ClearMap2's cell array), .xml (Cell "
                      "Counter markers) or .points.csv (napari points)",
                      path);
    return ZS_OK;
}

static int write_csv(const zs_cells *C, FILE *f)
{
    const int nc = zs_cells_columns(C);
    for (int i = 0; i < nc; i++) fprintf(f, "%s%s", i ? "," : "", ccol_of(C, i)->name);
    fputc('\n', f);
    for (uint64_t k = 0; k < C->n; k++) {
        for (int i = 0; i < nc; i++) {
            const ccol *c = ccol_of(C, i);
            if (c->what == W_SIZE)
                fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)C->c[k].size);
            else
                fprintf(f, "%s%.17g", i ? "," : "", ccol_value(C, c, k));
        }
        fputc('\n', f);
    }
    return ferror(f);
}

static int write_points(const zs_cells *C, FILE *f)
{
    fputs("index,axis-0,axis-1,axis-2\n", f);
    for (uint64_t k = 0; k < C->n; k++)
        fprintf(f, "%llu,%.17g,%.17g,%.17g\n", (unsigned long long)k, C->c[k].pos[2], C->c[k].pos[1], C->c[k].pos[0]);
    return ferror(f);
}

static int write_xml(const zs_cells *C, FILE *f)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CellCounter_Marker_File>\n  <Image_Properties>\n"
          "    <Image_Filename>placeholder.tif</Image_Filename>\n  </Image_Properties>\n  <Marker_Data>\n"
          "    <Current_Type>1</Current_Type>\n    <Marker_Type>\n      <Type>1</Type>\n",
          f);
    for (uint64_t k = 0; k < C->n; k++)
        fprintf(f,
                "      <Marker>\n        <MarkerX>%lld</MarkerX>\n        <MarkerY>%lld</MarkerY>\n"
                "        <MarkerZ>%lld</MarkerZ>\n      </Marker>\n",
                (long long)nearbyint(C->c[k].pos[0]), (long long)nearbyint(C->c[k].pos[1]),
                (long long)nearbyint(C->c[k].pos[2]));
    fputs("    </Marker_Type>\n  </Marker_Data>\n</CellCounter_Marker_File>\n", f);
    return ferror(f);
}

static void put_u64(FILE *f, uint64_t u)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(u >> (8 * i));
    fwrite(b, 1, 8, f);
}

static void put_f64(FILE *f, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_u64(f, u);
}

/* A .npy (version 1) of ClearMap2's cell records, little-endian fields. */
static int write_npy(const zs_cells *C, FILE *f)
{
    const char *fields =
        "('x', '<i8'), ('y', '<i8'), ('z', '<i8'), ('size', '<i8'), ('source', '<f8'), ('value', '<f8')";
    if (zs__npy_records_head(f, fields, C->n) != 0) return 1;
    for (uint64_t k = 0; k < C->n; k++) {
        for (int a = 0; a < 3; a++) put_u64(f, (uint64_t)(int64_t)nearbyint(C->c[k].pos[a]));
        put_u64(f, C->c[k].size);
        put_f64(f, C->c[k].intensity);
        put_f64(f, C->c[k].value);
    }
    return ferror(f);
}

zs_status zs_cells_write(const zs_cells *c, const char *path)
{
    ZS_RETURN_IF(!c || !path, ZS_EINVAL, "zs_cells_write: no cells or path given");
    zs_cells_format fmt;
    ZS_FORWARD(zs_cells_format_of(path, &fmt));
    zs_partial_file *p;
    ZS_FORWARD(zs_partial_file_new(path, &p));
    FILE *f = zs_partial_file_stream(p);
    int bad = 0;
    switch (fmt) {
    case ZS_CELLS_CSV:
        bad = write_csv(c, f);
        break;
    case ZS_CELLS_NPY:
        bad = write_npy(c, f);
        break;
    case ZS_CELLS_XML:
        bad = write_xml(c, f);
        break;
    case ZS_CELLS_POINTS:
        bad = write_points(c, f);
        break;
    }
    if (bad) {
        zs_partial_file_free(p);
        return ZS_ERR_SYS(ZS_EIO, errno, "%s: writing the cells", path);
    }
    const zs_status st = zs_partial_file_commit(p);
    zs_partial_file_free(p);
    return st;
}
