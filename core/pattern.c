/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Synthetic volumes for tests, benchmarks and the demo: zeros, ramp, noise, phantom.
 *
 * Design. Every voxel value is a pure function of (pattern, seed, x, y, z, t): random
 * numbers come from a counter-based generator (the splitmix64 output function applied to
 * key + index * golden ratio, the key derived from the seed), never from a sequential
 * stream, so workers may fill any slab in any order and the bytes never depend on the
 * thread count. The volume is filled slab by slab (a few planes, ~1 MiB each) and each
 * plane in bands of rows, so the float buffer per worker stays small whatever the plane
 * size.
 *
 * The phantom imitates a light-sheet stack: a smooth background
 * 200 + 150 sin(3x/nx) cos(2y/ny), bright gaussian blobs (sigma 1.5..3 voxels, amplitude
 * 500..3000) and Poisson-like noise (a gaussian of variance = mean, Box-Muller from the
 * hash), clipped at 0 and to the dtype. Blobs live in a grid of 16^3-voxel cells, each
 * holding 0, 1 or 2 blobs chosen by hashing the cell's index (one blob per ~4000 voxels);
 * a band of rows visits only the cells whose blobs can reach it (3 sigma), and each blob
 * is added as the product of three 1-D gaussian profiles. One-byte dtypes get the same
 * picture at 1/16 of the intensity (so that it is not saturated).
 *
 * Cells (ground truth for cell detection) is the phantom with other blobs: each 16^3 cell of
 * the grid holds one blob with probability 1/2, centred in the cell's middle 8^3 (so two blobs
 * are at least 8 voxels apart along some axis), sigma 1.2..2.4, amplitude 400..3000, and only
 * blobs whose centre lies in the volume; zs_pattern_cells_write lists them. */
#include "zs_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

zs_status zs_pattern_parse(const char *s, zs_pattern *out)
{
    static const char *const names[] = {"zeros", "ramp", "noise", "phantom", "cells"};
    for (int i = 0; i < 5; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (zs_pattern)i;
            return ZS_OK;
        }
    return ZS_ERR(ZS_EINVAL, "unknown pattern '%s' (use zeros, ramp, noise, phantom or cells)", s ? s : "");
}

/* ---- counter-based random numbers ------------------------------------------------- */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/** The index-th output of a splitmix64 stream started at key. */
static inline uint64_t hash_at(uint64_t key, uint64_t index) { return mix64(key + index * 0x9e3779b97f4a7c15ULL); }

/** Uniform in [0,1) from the top 24 bits. */
static inline float unit24(uint64_t h) { return (float)(h >> 40) * (1.0f / 16777216.0f); }

#define CELL       16   /* blob grid cell edge, voxels */
#define MAX_EXTENT 9    /* ceil(3 * largest sigma) */
#define ANGLES     1024 /* Box-Muller angles, a power of two */

/* ---- the job ------------------------------------------------------------------------ */
typedef struct fill_job {
    zs_volume *v; /* set by zs_volume_fill, read-only in workers */
    const zs_volume_info *info;
    zs_pattern pattern;
    uint64_t key[3]; /* keys derived from the seed: noise, blob cells, Poisson */
    int64_t planes;  /* planes per slab */
    int64_t slabs_per_vol, nslabs;
    int64_t band;   /* rows per band */
    float gain;     /* phantom intensity scale (1, or 1/16 for one-byte dtypes) */
    float *sx, *cy; /* phantom background profiles, nx and ny floats */
    float *cossin;  /* ANGLES (cos, sin) pairs */
    float *bufs;    /* one band of floats per worker (owner: zs_volume_fill) */
} fill_job;

/* ---- ramp and noise ----------------------------------------------------------------- */
static void ramp_band(const zs_volume_info *i, int64_t z, int64_t y0, int64_t y1, float *buf)
{
    const int64_t nx = i->shape[0];
    for (int64_t y = y0; y < y1; y++)
        for (int64_t x = 0; x < nx; x++) buf[(y - y0) * nx + x] = (float)((double)x + (double)y + (double)z);
}

/* Integer noise: the low bits of the hash are uniform over the dtype's range (two's
 * complement for signed types); small types take several voxels from one hash. Floats:
 * 24 (float32) or 53 (float64) random bits scaled into [0,1). Stored in the dtype's byte
 * order. */
static void noise_band(const fill_job *j, int64_t t, int64_t z, int64_t y0, int64_t y1, unsigned char *dst)
{
    const zs_volume_info *i = j->info;
    const size_t es = zs_dtype_size(i->dtype);
    const uint64_t per = 8 / es, n = (uint64_t)((y1 - y0) * i->shape[0]);
    const uint64_t first =
        (((uint64_t)t * (uint64_t)i->shape[2] + (uint64_t)z) * (uint64_t)i->shape[1] + (uint64_t)y0) *
        (uint64_t)i->shape[0];
    for (uint64_t k = 0; k < n; k++) {
        const uint64_t idx = first + k;
        uint64_t h = hash_at(j->key[0], idx / per);
        if (i->dtype.type == ZS_F32) {
            float f = unit24(h);
            memcpy(dst + k * 4, &f, 4);
        } else if (i->dtype.type == ZS_F64) {
            double d = (double)(h >> 11) * (1.0 / 9007199254740992.0);
            memcpy(dst + k * 8, &d, 8);
        } else {
            h >>= 8 * es * (idx % per);
            if (es == 1)
                dst[k] = i->dtype.type == ZS_BOOL ? (unsigned char)(h & 1) : (unsigned char)h;
            else if (es == 2) {
                uint16_t u = (uint16_t)h;
                memcpy(dst + k * 2, &u, 2);
            } else if (es == 4) {
                uint32_t u = (uint32_t)h;
                memcpy(dst + k * 4, &u, 4);
            } else
                memcpy(dst + k * 8, &h, 8);
        }
    }
    if (es > 1 && i->dtype.big_endian != zs__host_big_endian()) zs__bswap(dst, es, n);
}

/* ---- phantom ------------------------------------------------------------------------ */
typedef struct blob {
    float x, y, z, sigma, amp;
} blob;

/* Blobs of cell (cx, cy, cz) of volume t: 0, 1 or 2, at hash-chosen places in the cell. */
static int cell_blobs(const fill_job *j, int64_t t, int64_t cx, int64_t cy, int64_t cz, blob b[2])
{
    const zs_volume_info *i = j->info;
    const int64_t gx = (i->shape[0] + CELL - 1) / CELL, gy = (i->shape[1] + CELL - 1) / CELL;
    const int64_t gz = (i->shape[2] + CELL - 1) / CELL;
    const uint64_t cell =
        (((uint64_t)t * (uint64_t)gz + (uint64_t)cz) * (uint64_t)gy + (uint64_t)cy) * (uint64_t)gx + (uint64_t)cx;
    const int n = (int)(hash_at(j->key[1], cell * 8) % 3);
    for (int k = 0; k < n; k++) {
        uint64_t h1 = hash_at(j->key[1], cell * 8 + 1 + 2 * (uint64_t)k);
        uint64_t h2 = hash_at(j->key[1], cell * 8 + 2 + 2 * (uint64_t)k);
        b[k].x = (float)(cx * CELL) + CELL * unit24(h1);
        b[k].y = (float)(cy * CELL) + CELL * unit24(h1 << 24);
        b[k].z = (float)(cz * CELL) + CELL * unit24(h2);
        b[k].sigma = 1.5f + 1.5f * unit24(h2 << 24);
        b[k].amp = 500.0f + 2500.0f * (float)(h1 & 0xffff) * (1.0f / 65536.0f);
    }
    return n;
}

/* The blob of a cell of the cells pattern: 0 or 1 (its centre in the cell's middle and in the
 * volume). */
static int cell_blob_sparse(const fill_job *j, int64_t t, int64_t cx, int64_t cy, int64_t cz, blob *b)
{
    const zs_volume_info *i = j->info;
    const int64_t gx = (i->shape[0] + CELL - 1) / CELL, gy = (i->shape[1] + CELL - 1) / CELL;
    const int64_t gz = (i->shape[2] + CELL - 1) / CELL;
    const uint64_t cell =
        (((uint64_t)t * (uint64_t)gz + (uint64_t)cz) * (uint64_t)gy + (uint64_t)cy) * (uint64_t)gx + (uint64_t)cx;
    if (hash_at(j->key[1], cell * 4) % 2) return 0;
    const uint64_t h1 = hash_at(j->key[1], cell * 4 + 1), h2 = hash_at(j->key[1], cell * 4 + 2);
    b->x = (float)(cx * CELL + CELL / 4) + (CELL / 2) * unit24(h1);
    b->y = (float)(cy * CELL + CELL / 4) + (CELL / 2) * unit24(h1 << 24);
    b->z = (float)(cz * CELL + CELL / 4) + (CELL / 2) * unit24(h2);
    b->sigma = 1.2f + 1.2f * unit24(h2 << 24);
    b->amp = 400.0f + 2600.0f * (float)(h1 & 0xffff) * (1.0f / 65536.0f);
    return b->x <= (float)(i->shape[0] - 1) && b->y <= (float)(i->shape[1] - 1) && b->z <= (float)(i->shape[2] - 1);
}

/* Adds one blob to rows [y0,y1) of plane z (buf holds those rows). The blob's profile
 * along each axis is computed once: at most 2*MAX_EXTENT+1 values. */
static void add_blob(const blob *b, int64_t nx, int64_t z, int64_t y0, int64_t y1, float *buf)
{
    const float e = 3.0f * b->sigma, k = -0.5f / (b->sigma * b->sigma);
    const float dz = (float)z - b->z;
    if (fabsf(dz) > e) return;
    const float az = b->amp * expf(k * dz * dz);
    int64_t xa = (int64_t)ceilf(b->x - e), xb = (int64_t)floorf(b->x + e);
    int64_t ya = (int64_t)ceilf(b->y - e), yb = (int64_t)floorf(b->y + e);
    xa = xa < 0 ? 0 : xa;
    xb = xb >= nx ? nx - 1 : xb;
    ya = ya < y0 ? y0 : ya;
    yb = yb >= y1 ? y1 - 1 : yb;
    if (xa > xb || ya > yb) return;
    float px[2 * MAX_EXTENT + 2];
    for (int64_t x = xa; x <= xb; x++) {
        const float d = (float)x - b->x;
        px[x - xa] = expf(k * d * d);
    }
    for (int64_t y = ya; y <= yb; y++) {
        const float d = (float)y - b->y;
        const float a = az * expf(k * d * d);
        float *row = buf + (y - y0) * nx;
        for (int64_t x = xa; x <= xb; x++) row[x] += a * px[x - xa];
    }
}

static void blobs_band(const fill_job *j, int64_t t, int64_t z, int64_t y0, int64_t y1, float *buf)
{
    const zs_volume_info *i = j->info;
    const int64_t nx = i->shape[0];
    const int64_t gx = (nx + CELL - 1) / CELL, gy = (i->shape[1] + CELL - 1) / CELL;
    const int64_t gz = (i->shape[2] + CELL - 1) / CELL;
    int64_t cz0 = (z - MAX_EXTENT) / CELL, cz1 = (z + MAX_EXTENT) / CELL;
    int64_t cy0 = (y0 - MAX_EXTENT) / CELL, cy1 = (y1 - 1 + MAX_EXTENT) / CELL;
    cz0 = cz0 < 0 ? 0 : cz0;
    cy0 = cy0 < 0 ? 0 : cy0;
    cz1 = cz1 >= gz ? gz - 1 : cz1;
    cy1 = cy1 >= gy ? gy - 1 : cy1;
    for (int64_t cz = cz0; cz <= cz1; cz++)
        for (int64_t cy = cy0; cy <= cy1; cy++)
            for (int64_t cx = 0; cx < gx; cx++) {
                blob b[2];
                const int n = j->pattern == ZS_PATTERN_CELLS ? cell_blob_sparse(j, t, cx, cy, cz, b)
                                                             : cell_blobs(j, t, cx, cy, cz, b);
                for (int k = 0; k < n; k++) add_blob(&b[k], nx, z, y0, y1, buf);
            }
}

/* ln(k / 2^24) for k in [1, 2^24]: k = 2^e * m with m in [1,2), ln m = 2 atanh((m-1)/(m+1))
 * by its series to t^7 (error < 2e-5, plenty for noise). Plain arithmetic: the same
 * result on every run, and several times faster than logf. */
static inline float ln_unit24(uint32_t k)
{
    const int e = 31 - __builtin_clz(k);
    const float m = (float)k / (float)(1u << e); /* exact: a power-of-two scale */
    const float t = (m - 1.0f) / (m + 1.0f), t2 = t * t;
    const float lnm = 2.0f * t * (1.0f + t2 * (1.0f / 3.0f + t2 * (1.0f / 5.0f + t2 * (1.0f / 7.0f))));
    return lnm + (float)(e - 24) * 0.69314718f;
}

/* Poisson-like noise on a mean m >= 0: m + sqrt(m) * N(0,1), clipped at 0. The normal
 * deviates come in pairs from one hash per two voxels of a row (Box-Muller: radius from 24
 * bits, angle from a 1024-entry table of 10 bits). */
static void poisson_band(const fill_job *j, int64_t t, int64_t z, int64_t y0, int64_t y1, float *buf)
{
    const zs_volume_info *i = j->info;
    const int64_t nx = i->shape[0], pairs = (nx + 1) / 2;
    for (int64_t y = y0; y < y1; y++) {
        float *row = buf + (y - y0) * nx;
        const uint64_t base =
            (((uint64_t)t * (uint64_t)i->shape[2] + (uint64_t)z) * (uint64_t)i->shape[1] + (uint64_t)y) *
            (uint64_t)pairs;
        for (int64_t p = 0; p < pairs; p++) {
            const uint64_t h = hash_at(j->key[2], base + (uint64_t)p);
            const float r = sqrtf(-2.0f * ln_unit24((uint32_t)(h >> 40) + 1u));
            const float *cs = j->cossin + 2 * ((h >> 16) & (ANGLES - 1));
            for (int64_t q = 0; q < 2 && 2 * p + q < nx; q++) {
                const float m = row[2 * p + q] > 0.0f ? row[2 * p + q] : 0.0f;
                const float v = m + sqrtf(m) * r * cs[q];
                row[2 * p + q] = v > 0.0f ? v : 0.0f;
            }
        }
    }
}

static void phantom_band(const fill_job *j, int64_t t, int64_t z, int64_t y0, int64_t y1, float *buf)
{
    const int64_t nx = j->info->shape[0];
    for (int64_t y = y0; y < y1; y++) {
        float *row = buf + (y - y0) * nx;
        const float c = j->cy[y];
        for (int64_t x = 0; x < nx; x++) row[x] = 200.0f + j->sx[x] * c;
    }
    blobs_band(j, t, z, y0, y1, buf);
    if (j->gain != 1.0f)
        for (int64_t k = 0; k < (y1 - y0) * nx; k++) buf[k] *= j->gain;
    poisson_band(j, t, z, y0, y1, buf);
}

/* ---- slab loop ---------------------------------------------------------------------- */
/* Fills rows [y0,y1) of plane z of volume t into dst (stored dtype). */
static void fill_band(const fill_job *j, int64_t t, int64_t z, int64_t y0, int64_t y1, float *buf, unsigned char *dst)
{
    const zs_volume_info *i = j->info;
    const size_t n = (size_t)((y1 - y0) * i->shape[0]);
    switch (j->pattern) {
    case ZS_PATTERN_ZEROS:
        memset(dst, 0, n * zs_dtype_size(i->dtype));
        return;
    case ZS_PATTERN_NOISE:
        noise_band(j, t, z, y0, y1, dst);
        return;
    case ZS_PATTERN_RAMP:
        ramp_band(i, z, y0, y1, buf);
        break;
    case ZS_PATTERN_PHANTOM:
    case ZS_PATTERN_CELLS:
        phantom_band(j, t, z, y0, y1, buf);
        break;
    }
    zs__from_f32(buf, n, i->dtype, dst);
}

static zs_status fill_slab(const fill_job *j, int64_t s, float *buf)
{
    const zs_volume_info *i = j->info;
    const int64_t t = s / j->slabs_per_vol, z0 = (s % j->slabs_per_vol) * j->planes;
    const int64_t z1 = z0 + j->planes < i->shape[2] ? z0 + j->planes : i->shape[2];
    const int64_t nx = i->shape[0], ny = i->shape[1];
    const size_t es = zs_dtype_size(i->dtype);
    zs_slab slab;
    zs_mapping m;
    ZS_FORWARD(zs_slab_make(i, t, z0, z1, 0, &slab));
    ZS_FORWARD(zs_slab_map(j->v, &slab, &m));
    for (int64_t z = z0; z < z1; z++)
        for (int64_t y0 = 0; y0 < ny; y0 += j->band) {
            const int64_t y1 = y0 + j->band < ny ? y0 + j->band : ny;
            unsigned char *dst =
                (unsigned char *)m.data + ((size_t)(z - m.lo) * (size_t)ny + (size_t)y0) * (size_t)nx * es;
            fill_band(j, t, z, y0, y1, buf, dst);
        }
    return zs_slab_unmap(&m);
}

static zs_status fill_one(void *arg, int64_t s, int worker)
{
    fill_job *j = arg;
    return fill_slab(j, s, j->bufs + (size_t)worker * (size_t)j->band * (size_t)j->info->shape[0]);
}

static zs_status fill_run(fill_job *j, int threads)
{
    const zs_slab_loop loop = {.n = j->nslabs, .threads = threads, .run = fill_one, .arg = j};
    const size_t band_bytes = (size_t)j->band * (size_t)j->info->shape[0] * sizeof(float);
    const int workers = zs__slab_loop_workers(&loop);
    j->bufs = zs__alloc((size_t)workers * band_bytes);
    ZS_RETURN_IF(!j->bufs, ZS_ENOMEM, "%s: out of memory for %d %zu-byte fill buffers", j->info->path, workers,
                 band_bytes);
    const zs_status st = zs__slab_loop_run(&loop);
    ZS_FREE(j->bufs);
    return st;
}

static zs_status phantom_setup(fill_job *j)
{
    const int64_t nx = j->info->shape[0], ny = j->info->shape[1];
    j->sx = zs__alloc((size_t)nx * sizeof(float));
    j->cy = zs__alloc((size_t)ny * sizeof(float));
    j->cossin = zs__alloc(2 * ANGLES * sizeof(float));
    ZS_RETURN_IF(!j->sx || !j->cy || !j->cossin, ZS_ENOMEM, "%s: out of memory for the phantom's background",
                 j->info->path);
    for (int64_t x = 0; x < nx; x++) j->sx[x] = 150.0f * (float)sin(3.0 * (double)x / (double)nx);
    for (int64_t y = 0; y < ny; y++) j->cy[y] = (float)cos(2.0 * (double)y / (double)ny);
    for (int a = 0; a < ANGLES; a++) {
        j->cossin[2 * a] = (float)cos(6.283185307179586 * (a + 0.5) / ANGLES);
        j->cossin[2 * a + 1] = (float)sin(6.283185307179586 * (a + 0.5) / ANGLES);
    }
    j->gain = zs_dtype_size(j->info->dtype) == 1 ? 1.0f / 16.0f : 1.0f;
    return ZS_OK;
}

zs_status zs_volume_fill(zs_volume *v, zs_pattern pattern, uint64_t seed, int threads)
{
    ZS_RETURN_IF(!v, ZS_EINVAL, "fill: no volume");
    const zs_volume_info *info = zs_volume_get_info(v);
    ZS_RETURN_IF(!zs_volume_writable(v), ZS_EINVAL, "%s: not writable (create it, or open it in mode r+)", info->path);
    ZS_RETURN_IF((unsigned)pattern > ZS_PATTERN_CELLS, ZS_EINVAL, "%s: unknown pattern %d", info->path, (int)pattern);
    uint64_t plane;
    ZS_FORWARD(zs_volume_info_sizes(info, &plane, NULL, NULL));
    if (zs__volume_empty(info)) return ZS_OK; /* an axis of length 0: no voxel to fill */
    fill_job j;
    memset(&j, 0, sizeof j);
    j.v = v;
    j.info = info;
    j.pattern = pattern;
    j.gain = 1.0f;
    for (int k = 0; k < 3; k++) j.key[k] = mix64(seed ^ mix64((uint64_t)k + 1));
    /* ~1 MiB per slab and ~256 Ki floats per band: fixed by the shape, not the threads. */
    j.planes = (int64_t)((1u << 20) / plane);
    j.planes = j.planes < 1 ? 1 : j.planes;
    const int64_t a = zs_volume_write_z_align(v); /* a chunked output: whole chunks per slab */
    if (j.planes % a != 0) j.planes = j.planes < a ? a : j.planes / a * a;
    j.planes = j.planes > info->shape[2] ? info->shape[2] : j.planes;
    j.slabs_per_vol = (info->shape[2] + j.planes - 1) / j.planes;
    j.nslabs = j.slabs_per_vol * info->shape[3];
    j.band = (int64_t)(262144 / info->shape[0]);
    j.band = j.band < 1 ? 1 : (j.band > info->shape[1] ? info->shape[1] : j.band);
    zs_status st = threads > 0 ? ZS_OK : zs__check_env_threads();
    if (st == ZS_OK && (pattern == ZS_PATTERN_PHANTOM || pattern == ZS_PATTERN_CELLS)) st = phantom_setup(&j);
    if (st == ZS_OK) st = fill_run(&j, threads);
    zs__free(j.sx);
    zs__free(j.cy);
    zs__free(j.cossin);
    return st;
}

zs_status zs_pattern_cells_write(const zs_volume_info *info, uint64_t seed, const char *path)
{
    ZS_RETURN_IF(!info || !path, ZS_EINVAL, "zs_pattern_cells_write: no volume or path given");
    fill_job j;
    memset(&j, 0, sizeof j);
    j.info = info;
    j.pattern = ZS_PATTERN_CELLS;
    for (int k = 0; k < 3; k++) j.key[k] = mix64(seed ^ mix64((uint64_t)k + 1));
    const float gain = zs_dtype_size(info->dtype) == 1 ? 1.0f / 16.0f : 1.0f;
    zs_partial_file *p;
    ZS_FORWARD(zs_partial_file_new(path, &p));
    FILE *f = zs_partial_file_stream(p);
    fputs("x,y,z,sigma,amplitude\n", f);
    const int64_t g[3] = {(info->shape[0] + CELL - 1) / CELL, (info->shape[1] + CELL - 1) / CELL,
                          (info->shape[2] + CELL - 1) / CELL};
    for (int64_t cz = 0; cz < g[2]; cz++)
        for (int64_t cy = 0; cy < g[1]; cy++)
            for (int64_t cx = 0; cx < g[0]; cx++) {
                blob b;
                if (cell_blob_sparse(&j, 0, cx, cy, cz, &b))
                    fprintf(f, "%.9g,%.9g,%.9g,%.9g,%.9g\n", (double)b.x, (double)b.y, (double)b.z, (double)b.sigma,
                            (double)(b.amp * gain));
            }
    zs_status st = ferror(f) ? ZS_ERR_SYS(ZS_EIO, errno, "%s: writing the cells", path) : ZS_OK;
    if (st == ZS_OK) st = zs_partial_file_commit(p);
    zs_partial_file_free(p);
    return st;
}
