/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for the pure parts of HDF5 layout discovery (core/hdf5_layouts.c): the
 * voxel size of a BigDataViewer XML, the FILE.h5:/dataset names, the axes from dimension labels
 * and an Imaris axis from its text attributes. The bytes are the XML and the name; split at NULs,
 * they are the labels and the Imaris attributes. Whatever they say: no read or write outside the
 * buffers, voxel sizes finite and positive, axes distinct dimensions of the dataset, an Imaris
 * length within its datasets or an error naming the file. */
#include <math.h>

#include "fuzz_common.h"
#include "hdf5_internal.h"

static void check_bdv(const char *text)
{
    double voxel[3] = {1, 1, 1};
    char unit[16] = "";
    zs__h5_bdv_voxel_parse(text, voxel, unit);
    for (int a = 0; a < 3; a++) REQUIRE(isfinite(voxel[a]) && voxel[a] > 0);
    REQUIRE(memchr(unit, 0, sizeof unit) != NULL);
}

static void check_name(const char *text)
{
    static char file[ZS_PATH_MAX], dset[ZS_H5_NAME_MAX];
    zs__h5_split_name(text, file, sizeof file, dset, sizeof dset);
    REQUIRE(memchr(file, 0, sizeof file) && memchr(dset, 0, sizeof dset));
    REQUIRE(strlen(file) <= strlen(text) && strncmp(file, text, strlen(file)) == 0);
    REQUIRE(!dset[0] || dset[0] == '/');
    if (zs__h5_names_dataset(text))
        REQUIRE(strlen(file) < strlen(text)); /* FILE.h5 of FILE.h5:... */
    else
        REQUIRE(strcmp(file, text) == 0 && !dset[0]);
}

/* The k-th NUL-separated field of the bytes (at most n - 1 of them), or NULL past the last. */
static const char *field(const uint8_t *data, size_t size, int k, char *out, size_t n)
{
    size_t at = 0;
    for (int i = 0; i < k; i++) {
        const uint8_t *z = memchr(data + at, 0, size - at);
        if (!z) return NULL;
        at = (size_t)(z - data) + 1;
    }
    size_t len = 0;
    while (at + len < size && data[at + len] && len + 1 < n) len++;
    memcpy(out, data + at, len);
    out[len] = '\0';
    return out;
}

static void check_labels(const uint8_t *data, size_t size)
{
    char lab[4][8];
    for (int rank = 3; rank <= 4; rank++) {
        int dim[4];
        for (int d = 0; d < 4; d++)
            if (!field(data, size, d, lab[d], sizeof lab[d])) lab[d][0] = '\0';
        if (!zs__h5_axes_from_labels(lab, rank, dim)) continue;
        const int axes = rank == 4 ? 4 : 3;
        for (int a = 0; a < axes; a++) {
            REQUIRE(dim[a] >= 0 && dim[a] < rank);
            for (int b = 0; b < a; b++) REQUIRE(dim[a] != dim[b]);
        }
    }
}

static void check_imaris(const uint8_t *data, size_t size)
{
    char size_text[64], lo[64], hi[64];
    const int64_t paddings[] = {1, 7, 1024, INT64_MAX};
    for (size_t i = 0; i < sizeof paddings / sizeof paddings[0]; i++) {
        int64_t n = -1;
        double voxel = 1;
        const char *s = field(data, size, 0, size_text, sizeof size_text);
        const char *l = field(data, size, 1, lo, sizeof lo), *h = field(data, size, 2, hi, sizeof hi);
        zs_clear_error();
        const zs_status st = zs__h5_imaris_axis("f.ims", "X", s, l, h, paddings[i], &n, &voxel);
        if (st == ZS_OK)
            REQUIRE(n >= 1 && n <= paddings[i] && isfinite(voxel) && voxel > 0);
        else
            REQUIRE(st == ZS_EFORMAT && strncmp(zs_last_error(), "f.ims: ", 7) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1); /* the XML and the name: NUL-terminated text */
    REQUIRE(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    check_bdv(text);
    if (size < ZS_PATH_MAX) check_name(text);
    free(text);
    check_labels(data, size);
    check_imaris(data, size);
    return 0;
}
