/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Positions (a cell table's) carried to a resampled grid, and counted per output voxel.
 *
 * Output voxel k of an axis covers the input's [k s - 0.5, (k + 1) s - 0.5), s = n_in / n_out, in
 * voxel coordinates (centres at 0, 1, ...): its centre, k s + s / 2 - 0.5, is where linear and
 * nearest sample output index k, so position p is at q = (p + 0.5) / s - 0.5 in the output grid.
 * The density counts each position in the voxel whose interval holds it (numpy.histogramdd with
 * those edges: the last interval closed). */
#include "resample_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void zs_resample_point(const zs_volume_info *in, const zs_volume_info *out, const double p[3], double q[3])
{
    for (int d = 0; d < 3; d++) q[d] = (p[d] + 0.5) * (double)out->shape[d] / (double)in->shape[d] - 0.5;
}

/* The output index of position p along an axis: the k with edge(k) <= p < edge(k + 1), edge(k) =
 * k s - 0.5, the last interval closed; -1 outside. */
static int64_t bin_of(double p, int64_t n_in, int64_t n_out)
{
    const double s = (double)n_in / (double)n_out;
    if (!(p >= -0.5) || !(p <= (double)n_in - 0.5)) return -1;
    int64_t k = (int64_t)floor((p + 0.5) / s);
    if (k > n_out - 1) k = n_out - 1;
    if (k < 0) k = 0;
    while (k > 0 && p < (double)k * s - 0.5) k--;
    while (k + 1 < n_out && p >= (double)(k + 1) * s - 0.5) k++;
    return k;
}

zs_status zs_resample_check_points(const zs_volume_info *in, const double *xyz, size_t n)
{
    ZS_RETURN_IF(!in || (!xyz && n), ZS_EINVAL, "zs_resample_check_points: an argument is missing");
    static const char axis[3] = {'x', 'y', 'z'};
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 3; d++)
            ZS_RETURN_IF(bin_of(xyz[3 * i + (size_t)d], in->shape[d], in->shape[d]) < 0, ZS_EINVAL,
                         "%s: position %zu (%g, %g, %g) lies outside its extent along %c (-0.5 .. %g): is it "
                         "the volume the positions were measured in?",
                         in->path, i + 1, xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2], axis[d],
                         (double)in->shape[d] - 0.5);
    return ZS_OK;
}

/* Writes the counts plane by plane in the output's dtype. */
static zs_status write_counts(zs_volume *out, const uint32_t *count)
{
    const zs_volume_info *o = zs_volume_get_info(out);
    const size_t plane = (size_t)o->shape[0] * (size_t)o->shape[1];
    uint64_t *wide = malloc(plane * sizeof *wide);
    unsigned char *buf = malloc(plane * zs_dtype_size(o->dtype));
    zs_status st = wide && buf ? ZS_OK : ZS_ERR(ZS_ENOMEM, "%s: out of memory for a plane", o->path);
    for (int64_t z = 0; st == ZS_OK && z < o->shape[2]; z++) {
        for (size_t j = 0; j < plane; j++) wide[j] = count[(size_t)z * plane + j];
        zs__from_u64(wide, plane, o->dtype, buf);
        st = zs__volume_write(out, 0, z, z + 1, 0, o->shape[1], buf);
    }
    free(wide);
    free(buf);
    return st;
}

zs_status zs_resample_density(const zs_volume_info *in, const double *xyz, size_t n, zs_volume *out)
{
    ZS_RETURN_IF(!in || (!xyz && n) || !out, ZS_EINVAL, "zs_resample_density: an argument is missing");
    const zs_volume_info *o = zs_volume_get_info(out);
    ZS_RETURN_IF(!zs_volume_writable(out) || o->shape[3] > 1, ZS_EINVAL, "%s: not a writable volume", o->path);
    ZS_FORWARD(zs_resample_check_points(in, xyz, n));
    const size_t voxels = (size_t)o->shape[0] * (size_t)o->shape[1] * (size_t)o->shape[2];
    uint32_t *count = calloc(voxels ? voxels : 1, sizeof *count);
    ZS_RETURN_IF(!count, ZS_ENOMEM, "%s: out of memory for %zu counts", o->path, voxels);
    for (size_t i = 0; i < n; i++) {
        size_t at = 0, stride = 1;
        for (int d = 0; d < 3; d++) {
            at += (size_t)bin_of(xyz[3 * i + (size_t)d], in->shape[d], o->shape[d]) * stride;
            stride *= (size_t)o->shape[d];
        }
        if (count[at] < UINT32_MAX) count[at]++;
    }
    const zs_status st = write_counts(out, count);
    free(count);
    return st;
}
