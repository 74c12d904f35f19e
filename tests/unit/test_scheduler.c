/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* scheduler/: z-sets, plans, execution (copy, 4-D series, errors, cancel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ref_border.h"
#include "scheduler_internal.h"
#include "zs_test_util.h"

/* zs_border_index and zs_border_extend_row against the plain reference, for every mode, lines
 * of 1..9 values and positions far outside them (windows longer than the line). */
static void test_border_index(void **state)
{
    (void)state;
    const zs_border modes[] = {ZS_BORDER_REFLECT, ZS_BORDER_NEAREST, ZS_BORDER_MIRROR, ZS_BORDER_CONSTANT,
                               ZS_BORDER_WRAP};
    float src[9], dst[9 + 2 * 40];
    for (size_t m = 0; m < COUNT(modes); m++)
        for (int64_t n = 1; n <= 9; n++) {
            for (int64_t i = -40; i < n + 40; i++)
                if (zs_border_index(i, n, modes[m]) != ref_border_index(i, n, modes[m]))
                    fail_msg("mode=%s n=%lld i=%lld: %lld, reference %lld", zs_border_names[modes[m]], (long long)n,
                             (long long)i, (long long)zs_border_index(i, n, modes[m]),
                             (long long)ref_border_index(i, n, modes[m]));
            for (int64_t i = 0; i < n; i++) src[i] = (float)(10 + i);
            for (int64_t lo = 0; lo <= 40; lo += 5)
                for (int64_t hi = 0; hi <= 40; hi += 8) {
                    zs_border_extend_row(src, n, lo, hi, modes[m], -1.0f, dst);
                    for (int64_t i = -lo; i < n + hi; i++) {
                        const int64_t j = ref_border_index(i, n, modes[m]);
                        if (dst[i + lo] != (j < 0 ? -1.0f : src[j]))
                            fail_msg("extend_row mode=%s n=%lld lo=%lld hi=%lld: position %lld",
                                     zs_border_names[modes[m]], (long long)n, (long long)lo, (long long)hi,
                                     (long long)i);
                    }
                }
        }
}

static void test_zset_expand(void **state)
{
    (void)state;
    unsigned seed = 12345;
    int64_t zs[64], a[256], b[256];
    for (int iter = 0; iter < 3000; iter++) {
        seed = seed * 1103515245u + 12345u;
        int64_t nz = 1 + (seed >> 8) % 40, lo = (seed >> 16) % 9, hi = (seed >> 20) % 9;
        zs_border mode = (zs_border)((seed >> 24) % 5);
        /* a contiguous range, or an earlier expansion (sorted, possibly split by wrap) */
        int64_t z0 = (seed >> 4) % nz, z1 = z0 + 1 + (seed >> 12) % (nz - z0), n = 0;
        for (int64_t z = z0; z < z1; z++) zs[n++] = z;
        if (iter % 3 == 0) n = ref_zset(zs, n, 2, 1, nz, ZS_BORDER_WRAP, zs);
        int64_t k = zs_zset_expand(zs, n, lo, hi, nz, mode, a, 256);
        int64_t kn = ref_zset(zs, n, lo, hi, nz, mode, b);
        assert_int_equal(k, kn);
        assert_memory_equal(a, b, sizeof(int64_t) * (size_t)k);
        assert_true(k <= nz);
    }
    int64_t one = 0;
    assert_int_equal(zs_zset_expand(&one, 1, 3, 3, 10, ZS_BORDER_REFLECT, a, 2), ZS_EOVERFLOW);
}

/* value = x + 3y + 7z + 11t, as uint16 */
static zs_volume *make_ramp(const char *path, int64_t nx, int64_t ny, int64_t nz, int64_t nt)
{
    zs_volume *v = zs_test_volume_new(path, nx, ny, nz, nt, ZS_U16, 1);
    for (int64_t t = 0; t < nt; t++) {
        zs_slab s;
        zs_mapping m;
        assert_int_equal(zs_slab_make(zs_volume_get_info(v), t, 0, nz, 0, &s), ZS_OK);
        assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
        uint16_t *d = m.data;
        for (int64_t z = 0; z < nz; z++)
            for (int64_t y = 0; y < ny; y++)
                for (int64_t x = 0; x < nx; x++) d[(z * ny + y) * nx + x] = (uint16_t)(x + 3 * y + 7 * z + 11 * t);
        zs_slab_unmap(&m);
    }
    return v;
}

static void test_copy_any_slab_threads(void **state)
{
    (void)state;
    const int64_t nx = 9, ny = 7, nz = 13, nt = 3;
    zs_volume *in = make_ramp("sched_in.raw", nx, ny, nz, nt);
    zs_pipeline *p;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    const int64_t slabs[] = {1, 2, 5, 13, 100};
    const int threads[] = {1, 2, 3, 8};
    /* (read, write) engines: every engine on each side (O_DIRECT on 9-voxel rows: unaligned everywhere) */
    static const zs_engine engines[][2] = {{ZS_ENGINE_MMAP, ZS_ENGINE_MMAP},   {ZS_ENGINE_PREAD, ZS_ENGINE_MMAP},
                                           {ZS_ENGINE_MMAP, ZS_ENGINE_PREAD},  {ZS_ENGINE_DIRECT, ZS_ENGINE_DIRECT},
                                           {ZS_ENGINE_URING, ZS_ENGINE_URING}, {ZS_ENGINE_URING, ZS_ENGINE_PREAD},
                                           {ZS_ENGINE_PREAD, ZS_ENGINE_URING}};
    for (size_t e = 0; e < sizeof engines / sizeof engines[0]; e++)
        for (size_t si = 0; si < 5; si++)
            for (size_t ti = 0; ti < 4; ti++) {
                zs_plan_opts po;
                zs_plan_opts_default(&po);
                po.read_engine = engines[e][0];
                po.write_engine = engines[e][1];
                po.slab = slabs[si];
                po.threads = threads[ti];
                po.has_out_dtype = 1;
                po.out_dtype.type = ZS_F32;
                zs_plan *plan;
                assert_int_equal(zs_plan_create(zs_volume_get_info(in), p, &po, &plan), ZS_OK);
                zs_volume_info spec;
                zs_plan_output_spec(plan, &spec);
                assert_int_equal(spec.dtype.type, ZS_F32);
                zs_volume *out = zs_test_volume_new("sched_out.raw", nx, ny, nz, nt, ZS_F32, 1);
                zs_run_stats rs;
                assert_int_equal(zs_plan_execute(plan, in, out, NULL, &rs), ZS_OK);
                assert_int_equal(rs.voxels, (uint64_t)(nx * ny * nz * nt));
                assert_int_equal(rs.bytes_read, (uint64_t)(nx * ny * nz * nt * 2));
                assert_int_equal(rs.bytes_written, (uint64_t)(nx * ny * nz * nt * 4));
                if (si == 1 && ti == 1) { /* phases alone: READ touches, nothing written */
                    zs_exec_opts eo;
                    zs_exec_opts_default(&eo);
                    eo.phases = ZS_PHASE_READ;
                    zs_run_stats r2;
                    assert_int_equal(zs_plan_execute(plan, in, NULL, &eo, &r2), ZS_OK);
                    assert_int_equal(r2.bytes_read, rs.bytes_read);
                    assert_int_equal(r2.bytes_written, 0);
                    eo.phases = ZS_PHASE_COMPUTE;
                    assert_int_equal(zs_plan_execute(plan, in, NULL, &eo, &r2), ZS_OK);
                    assert_int_equal(r2.bytes_read, 0);
                }
                zs_slab s;
                zs_mapping m;
                for (int64_t t = 0; t < nt; t++) {
                    assert_int_equal(zs_slab_make(zs_volume_get_info(out), t, 0, nz, 0, &s), ZS_OK);
                    assert_int_equal(zs_slab_map(out, &s, &m), ZS_OK);
                    const float *d = m.data;
                    for (int64_t z = 0; z < nz; z++)
                        for (int64_t y = 0; y < ny; y++)
                            for (int64_t x = 0; x < nx; x++)
                                assert_true(d[(z * ny + y) * nx + x] == (float)(x + 3 * y + 7 * z + 11 * t));
                    zs_slab_unmap(&m);
                }
                zs_volume_free(out);
                zs_plan_free(plan);
            }
    zs_pipeline_free(p);
    zs_volume_free(in);
    unlink("sched_in.raw");
    unlink("sched_out.raw");
}

/* A test kernel that fails on plane 13: the error must come back with its message, from
 * any worker, and no worker may hang. */
static zs_status failing_run(const zs_kernel_call *c)
{
    for (int64_t j = 0; j < c->n_out; j++)
        if (c->out_z[j] == 13) return ZS_ERR(ZS_EIO, "failing kernel: plane 13");
    for (int64_t j = 0; j < c->n_out; j++)
        memcpy(c->out[j], zs_kcall_plane(c, c->out_z[j]), sizeof(float) * (size_t)(c->nx * c->ny));
    return ZS_OK;
}
static void one_halo(const void *p, zs_halo *h)
{
    (void)p;
    *h = (zs_halo){{0, 0, 1}, {0, 0, 1}, ZS_BORDER_WRAP, 0.0, ZS_BORDER_WRAP};
}
static const zs_kernel_desc failing = {ZS_KERNEL_ABI, "failing", "test", 1,           NULL, 0,    0,   0,
                                       NULL,          one_halo,  NULL,   failing_run, NULL, NULL, NULL};

static int cancel_after_two(void *user, int64_t done, int64_t total, uint64_t dv, uint64_t tv)
{
    (void)user;
    (void)total;
    (void)dv;
    (void)tv;
    return done >= 2;
}

static void test_errors_and_cancel(void **state)
{
    (void)state;
    zs_volume *in = make_ramp("sched_in2.raw", 8, 8, 40, 1);
    zs_pipeline *p;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    p->st[0] = (zs_stage){&failing, NULL, {{0, 0, 1}, {0, 0, 1}, ZS_BORDER_WRAP, 0.0, ZS_BORDER_WRAP}};
    p->n = 1;
    for (int threads = 1; threads <= 4; threads++) {
        zs_plan_opts po;
        zs_plan_opts_default(&po);
        po.slab = 3;
        po.threads = threads;
        zs_plan *plan;
        assert_int_equal(zs_plan_create(zs_volume_get_info(in), p, &po, &plan), ZS_OK);
        zs_volume *out = zs_test_volume_new("sched_out2.raw", 8, 8, 40, 1, ZS_U16, 1);
        assert_int_equal(zs_plan_execute(plan, in, out, NULL, NULL), ZS_EIO);
        assert_string_equal(zs_last_error(), "failing kernel: plane 13");
        zs_exec_opts eo;
        zs_exec_opts_default(&eo);
        eo.progress = cancel_after_two;
        eo.last_slab = 4; /* slabs 0-3: planes 0..11, no failure */
        assert_int_equal(zs_plan_execute(plan, in, out, &eo, NULL), ZS_ECANCELED);
        volatile int stop = 1;
        eo.progress = NULL;
        eo.stop = &stop;
        assert_int_equal(zs_plan_execute(plan, in, out, &eo, NULL), ZS_ECANCELED);
        zs_volume_free(out);
        zs_plan_free(plan);
    }
    p->n = 0;
    zs_pipeline_free(p);
    zs_volume_free(in);
    unlink("sched_in2.raw");
    unlink("sched_out2.raw");
}

static void test_plan_budget(void **state)
{
    (void)state;
    zs_volume_info in;
    zs_volume_info_init(&in);
    strcpy(in.path, "virtual.npy");
    in.shape[0] = 1024, in.shape[1] = 1024, in.shape[2] = 2048;
    in.dtype.type = ZS_U16;
    zs_pipeline *p;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.threads = 2;
    po.mem_budget = 512u << 20;
    zs_plan *plan;
    assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_OK);
    assert_true(zs_plan_peak_bytes(plan) <= po.mem_budget);
    assert_true(zs_plan_slab_height(plan) >= 8);
    assert_int_equal(zs_plan_slab_count(plan), (2048 + zs_plan_slab_height(plan) - 1) / zs_plan_slab_height(plan));
    char text[4096] = "";
    const size_t n = zs_plan_describe(plan, text, sizeof text);
    assert_true(n > 0 && n < sizeof text);
    assert_int_equal(strlen(text), n);
    /* too small a buffer: truncated, terminated, and the length needed is the same */
    char small[16];
    memset(small, 'x', sizeof small);
    assert_int_equal(zs_plan_describe(plan, small, sizeof small), n);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(strncmp(small, text, sizeof small - 1), 0);
    assert_int_equal(zs_plan_describe(plan, NULL, 0), n);
    assert_non_null(strstr(text, "slabs:"));
    assert_non_null(strstr(text, "peak:"));
    zs_plan_free(plan);
    /* Tiles: a plane (2 MiB) need not fit, a band of rows does */
    po.mem_budget = 1u << 20;
    assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_OK);
    assert_true(zs_plan_peak_bytes(plan) <= po.mem_budget);
    assert_true(zs_plan_band_height(plan) < 1024);
    zs_plan_free(plan);
    po.mem_budget = 16u << 10; /* not even one row band of 1024 floats per ring plane */
    assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "memory budget"));
    assert_non_null(strstr(zs_last_error(), "virtual.npy"));
    /* nz = 1 and a slab taller than the volume */
    in.shape[2] = 1;
    po.mem_budget = 0;
    po.slab = 64;
    assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_OK);
    assert_int_equal(zs_plan_slab_count(plan), 1);
    assert_int_equal(zs_plan_threads(plan), 1); /* one slab of one band: one worker */
    zs_plan_free(plan);
    po.band = 64; /* one slab of 16 bands: the two workers share them */
    assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_OK);
    assert_int_equal(zs_plan_slab_count(plan), 1);
    assert_int_equal(zs_plan_threads(plan), 2);
    zs_plan_free(plan);
    zs_pipeline_free(p);
}

/* z_align: every slab starts on a multiple of it (a chunked output's chunks), whether the
 * planner chooses the height (for any chunk depth and thread count, also a chunk deeper than
 * the usual slab cap, or a budget that fits less than a chunk of assembled planes) or the caller
 * gives one; a given height that splits chunks is refused, naming the input. */
static void test_plan_z_align(void **state)
{
    (void)state;
    zs_volume_info in;
    zs_volume_info_init(&in);
    strcpy(in.path, "virtual.npy");
    in.shape[0] = 64, in.shape[1] = 48, in.shape[2] = 300;
    in.dtype.type = ZS_U16;
    zs_pipeline *p;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    assert_int_equal(zs_pipeline_add(p, "median:size=5"), ZS_OK);
    zs_plan_opts po;
    zs_plan *plan;
    static const int64_t aligns[] = {2, 7, 16, 64, 100, 299, 300, 1000};
    for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++)
        for (int threads = 1; threads <= 3; threads++)
            for (int whole = 0; whole <= 1; whole++) {
                zs_plan_opts_default(&po);
                po.threads = threads;
                po.z_align = aligns[i];
                po.whole_plane_output = whole;
                if (whole) po.mem_budget = 4u << 20; /* a few assembled planes a worker */
                assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_OK);
                const int64_t s = zs_plan_slab_height(plan);
                if (s % aligns[i] != 0 && s != in.shape[2])
                    fail_msg("z_align %lld, %d threads, whole %d: slab %lld", (long long)aligns[i], threads, whole,
                             (long long)s);
                char text[4096];
                zs_plan_describe(plan, text, sizeof text);
                if (aligns[i] < in.shape[2] && s < in.shape[2]) assert_non_null(strstr(text, "output's chunks"));
                zs_plan_free(plan);
            }
    zs_plan_opts_default(&po);
    po.z_align = 16;
    po.slab = 32; /* a multiple: taken */
    assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_OK);
    assert_int_equal(zs_plan_slab_height(plan), 32);
    zs_plan_free(plan);
    po.slab = 300; /* the whole volume: one slab, no chunk split */
    assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_OK);
    zs_plan_free(plan);
    po.slab = 24;
    assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "virtual.npy"));
    assert_non_null(strstr(zs_last_error(), "multiple of 16"));
    po.slab = 0;
    po.z_align = -2;
    assert_int_equal(zs_plan_create(&in, p, &po, &plan), ZS_EINVAL);
    /* formats that are not chunked write planes anywhere */
    assert_int_equal(zs_path_write_z_align("out.npy", NULL), 1);
    assert_int_equal(zs_path_write_z_align("out.tif", NULL), 1);
    zs_pipeline_free(p);
}

/* The one list of compression names: each parses to a value whose name parses back to it; the
 * registry says which format writes which, and creating a volume with another is refused,
 * naming the file and the formats that do write it. */
static void test_compression_names(void **state)
{
    (void)state;
    static const char *names[] = {"none", "deflate", "lzw", "zstd", "gzip", "blosc-lz4", "blosc-zstd"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        zs_compression c, back;
        assert_int_equal(zs_compression_parse(names[i], &c), ZS_OK);
        assert_string_equal(zs_compression_name(c), names[i]);
        assert_int_equal(zs_compression_parse(zs_compression_name(c), &back), ZS_OK);
        assert_int_equal(back, c);
    }
    zs_compression c;
    assert_int_equal(zs_compression_parse("zlib", &c), ZS_OK);
    assert_int_equal(c, ZS_COMPRESS_DEFLATE);
    assert_int_equal(zs_compression_parse("brotli", &c), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "brotli"));
    assert_int_equal(zs_compression_parse(NULL, &c), ZS_EINVAL);
    for (int i = 0; zs_format_at(i); i++) assert_non_null(zs_format_at(i)->compressions);
    assert_string_equal(zs_format_describe(ZS_FMT_TIFF)->compressions, "deflate lzw zstd");
    assert_string_equal(zs_format_describe(ZS_FMT_NPY)->compressions, "");

    char dir[] = "/tmp/zs_compress_XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = spec.shape[1] = spec.shape[2] = 4;
    spec.dtype.type = ZS_U8;
    zs_create_opts co;
    zs_create_opts_default(&co);
    zs_volume *v = NULL;
    co.compress = ZS_COMPRESS_LZW;
    snprintf(path, sizeof path, "%s/a.npy", dir);
    assert_int_equal(zs_volume_create(path, &spec, &co, &v), ZS_EUNSUPPORTED);
    assert_null(v);
    assert_non_null(strstr(zs_last_error(), path));
    assert_non_null(strstr(zs_last_error(), "tiff"));
    co.compress = ZS_COMPRESS_BLOSC_LZ4;
    snprintf(path, sizeof path, "%s/a.tif", dir);
    assert_int_equal(zs_volume_create(path, &spec, &co, &v), ZS_EUNSUPPORTED);
    assert_non_null(strstr(zs_last_error(), "blosc-lz4"));
    assert_int_equal(access(path, F_OK), -1); /* refused before any file is made */
    co.compress = ZS_COMPRESS_LZW;
    co.chunk[0] = -1;
    assert_int_equal(zs_volume_create(path, &spec, &co, &v), ZS_EINVAL);
    co.chunk[0] = 16; /* TIFF is not chunked: a chunk shape is refused, not ignored */
    assert_int_equal(zs_volume_create(path, &spec, &co, &v), ZS_EUNSUPPORTED);
    assert_non_null(strstr(zs_last_error(), "not chunked"));
    co.chunk[0] = 0;
    assert_int_equal(zs_volume_create(path, &spec, &co, &v), ZS_OK);
    assert_int_equal(zs_volume_write_z_align(v), 1);
    zs_volume_free(v);
    assert_int_equal(rmdir(dir), 0);
}

static void test_pipeline_errors(void **state)
{
    (void)state;
    zs_pipeline *p;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    assert_int_equal(zs_pipeline_add(p, "nosuchkernel:size=3"), ZS_EPARAM);
    assert_non_null(strstr(zs_last_error(), "nosuchkernel"));
    assert_int_equal(zs_pipeline_add(p, ""), ZS_EPARAM);
    assert_int_equal(zs_pipeline_length(p), 0);
    zs_pipeline_free(p);
}

/* A kernel built against ABI 2 ends before run_f64: the library must not read the field (here a
 * poison that fails the test), keeps the plan in float32 under auto and refuses float64 naming it. */
static zs_status poison_f64(const zs_kernel_call *c)
{
    (void)c;
    fail_msg("run_f64 of an ABI-2 descriptor was called");
    return ZS_EINTERNAL;
}
static zs_status copy_run(const zs_kernel_call *c)
{
    for (int64_t j = 0; j < c->n_out; j++)
        memcpy(c->out[j], zs_kcall_plane(c, c->out_z[j]), sizeof(float) * (size_t)(c->nx * c->ny));
    return ZS_OK;
}
static const zs_kernel_desc abi2_copy = {2,    "abi2copy", "test", 1,        NULL, 0,    0,         0,
                                         NULL, one_halo,   NULL,   copy_run, NULL, NULL, poison_f64};

static zs_precision plan_precision(const zs_volume *in, const zs_pipeline *p, zs_precision want, char *why, size_t n)
{
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.precision = want;
    zs_plan *plan;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), p, &po, &plan), ZS_OK);
    const zs_precision got = zs_plan_precision(plan);
    zs_plan_describe(plan, why, n);
    zs_plan_free(plan);
    return got;
}

static void test_precision(void **state)
{
    (void)state;
    char why[4096];
    zs_volume *in = zs_test_volume_new("sched_prec.raw", 8, 8, 6, 1, ZS_I32, 1);
    zs_volume *in16 = zs_test_volume_new("sched_prec16.raw", 8, 8, 6, 1, ZS_U16, 1);
    zs_pipeline *p, *q;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    assert_int_equal(zs_pipeline_add(p, "maximum:size=3"), ZS_OK);
    /* auto: float64 for an int32 input whose stages all have a float64 kernel, float32 for uint16 */
    assert_int_equal(plan_precision(in, p, ZS_PRECISION_AUTO, why, sizeof why), ZS_PRECISION_FLOAT64);
    assert_non_null(strstr(why, "precision:  float64 (auto: int32 input"));
    assert_int_equal(plan_precision(in16, p, ZS_PRECISION_AUTO, why, sizeof why), ZS_PRECISION_FLOAT32);
    assert_int_equal(plan_precision(in, p, ZS_PRECISION_FLOAT32, why, sizeof why), ZS_PRECISION_FLOAT32);
    assert_int_equal(plan_precision(in16, p, ZS_PRECISION_FLOAT64, why, sizeof why), ZS_PRECISION_FLOAT64);
    /* the estimate counts the work type: doubles double the rings and the scratch */
    uint64_t peak[2];
    for (int f64 = 0; f64 < 2; f64++) {
        zs_plan_opts po;
        zs_plan_opts_default(&po);
        po.precision = f64 ? ZS_PRECISION_FLOAT64 : ZS_PRECISION_FLOAT32;
        po.band = 4;
        po.threads = 1;
        zs_plan *plan;
        assert_int_equal(zs_plan_create(zs_volume_get_info(in), p, &po, &plan), ZS_OK);
        peak[f64] = zs_plan_peak_bytes(plan);
        assert_int_equal(plan->work_size, f64 ? sizeof(double) : sizeof(float));
        assert_int_equal(plan->ring_bytes % plan->work_size, 0);
        if (f64) assert_true(peak[1] > peak[0] && plan->scratch > 0);
        zs_plan_free(plan);
    }
    /* an ABI-2 stage: float32 under auto (said why), refused under float64, run in float32 */
    assert_int_equal(zs_pipeline_new(&q), ZS_OK);
    assert_int_equal(zs_pipeline_add_kernel(q, &abi2_copy, ""), ZS_OK);
    assert_int_equal(plan_precision(in, q, ZS_PRECISION_AUTO, why, sizeof why), ZS_PRECISION_FLOAT32);
    assert_non_null(strstr(why, "stage 1 (abi2copy) has no float64 kernel"));
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.precision = ZS_PRECISION_FLOAT64;
    zs_plan *plan = NULL;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), q, &po, &plan), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "stage 1 (abi2copy) has no float64 kernel"));
    po.precision = ZS_PRECISION_AUTO;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), q, &po, &plan), ZS_OK);
    zs_volume *out = zs_test_volume_new("sched_prec_out.raw", 8, 8, 6, 1, ZS_I32, 1);
    assert_int_equal(zs_plan_execute(plan, in, out, NULL, NULL), ZS_OK);
    zs_volume_free(out);
    zs_plan_free(plan);
    zs_pipeline_free(q);
    zs_pipeline_free(p);
    zs_volume_free(in16);
    zs_volume_free(in);
    unlink("sched_prec.raw");
    unlink("sched_prec16.raw");
    unlink("sched_prec_out.raw");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_border_index),
        cmocka_unit_test(test_zset_expand),
        cmocka_unit_test(test_copy_any_slab_threads),
        cmocka_unit_test(test_errors_and_cancel),
        cmocka_unit_test(test_plan_budget),
        cmocka_unit_test(test_plan_z_align),
        cmocka_unit_test(test_compression_names),
        cmocka_unit_test(test_pipeline_errors),
        cmocka_unit_test(test_precision),
    };
    return zs_test_exit(cmocka_run_group_tests_name("scheduler", tests, NULL, NULL));
}
