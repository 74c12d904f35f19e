/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Memory volumes through the public header alone: a filter from a caller's buffer into another,
 * in zslab's layout (no copy), in C order, strided, with negative strides and into a strided
 * output, each checked against a reference computed here; and every misuse of zs_volume_wrap
 * an error with a message, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zs_test_util.h"
#include "zslab.h"

enum { NX = 13, NY = 11, NZ = 7 };
#define NV (NX * NY * NZ)

/* The input in F order (x fastest), distinct values. */
static void fill(float *a)
{
    for (int i = 0; i < NV; i++) a[i] = (float)((i * 7919) % 1009) * 0.25f;
}

static float at(const float *a, int64_t x, int64_t y, int64_t z) { return a[(z * NY + y) * NX + x]; }

static float box_max(const float *a, int64_t x, int64_t y, int64_t z)
{
    return zs_test_box_max3(a, NX, NY, NZ, x, y, z);
}

static zs_memory_desc desc(void *data, size_t nbytes, int writable, const char *name)
{
    zs_memory_desc d;
    zs_memory_desc_init(&d);
    d.data = data;
    d.nbytes = nbytes;
    d.ndim = 3;
    d.shape[0] = NX, d.shape[1] = NY, d.shape[2] = NZ;
    d.dtype.type = ZS_F32;
    d.writable = writable;
    d.name = name;
    return d;
}

/* Runs maximum:size=3:mode=nearest from `in` into `out`. */
static zs_status run(const zs_volume *in, zs_volume *out, volatile int *stop)
{
    zs_pipeline *pipe = NULL;
    assert_int_equal(zs_pipeline_new(&pipe), ZS_OK);
    assert_int_equal(zs_pipeline_add(pipe, "maximum:size=3:mode=nearest"), ZS_OK);
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.threads = 2;
    po.slab = 2;
    po.whole_plane_output = zs_volume_writes_whole_planes(out);
    zs_plan *plan = NULL;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), pipe, &po, &plan), ZS_OK);
    zs_pipeline_free(pipe);
    zs_exec_opts eo;
    zs_exec_opts_default(&eo);
    eo.stop = stop;
    zs_status st = zs_plan_execute(plan, in, out, &eo, NULL);
    zs_plan_free(plan);
    return st;
}

/* out(x,y,z) read through `get`, checked against the box maximum of a. */
static void check(const float *a, float (*get)(const void *, int64_t, int64_t, int64_t), const void *out)
{
    for (int64_t z = 0; z < NZ; z++)
        for (int64_t y = 0; y < NY; y++)
            for (int64_t x = 0; x < NX; x++)
                if (get(out, x, y, z) != box_max(a, x, y, z))
                    fail_msg("voxel (%lld,%lld,%lld): %g, expected %g", (long long)x, (long long)y, (long long)z,
                             get(out, x, y, z), box_max(a, x, y, z));
}

static float get_f(const void *p, int64_t x, int64_t y, int64_t z) { return at(p, x, y, z); }

/* In zslab's own layout: workers read and write the buffers themselves (a mapping is the buffer). */
static void test_f_order_in_place(void **state)
{
    (void)state;
    float *a = malloc(NV * sizeof *a), *b = calloc(NV, sizeof *b);
    fill(a);
    zs_memory_desc di = desc(a, NV * sizeof *a, 0, "input"), dout = desc(b, NV * sizeof *b, 1, "output");
    zs_volume *in = NULL, *out = NULL;
    assert_int_equal(zs_volume_wrap(&di, &in), ZS_OK);
    assert_int_equal(zs_volume_wrap(&dout, &out), ZS_OK);
    assert_string_equal(zs_format_name(zs_volume_get_info(in)->format), "memory");
    assert_string_equal(zs_volume_get_info(in)->path, "input");
    assert_int_equal(zs_volume_writes_whole_planes(out), 0);
    /* the registry describes it but never lists it (zslab info --formats): it has no file */
    assert_non_null(zs_format_describe(ZS_FMT_MEMORY));
    assert_string_equal(zs_format_describe(ZS_FMT_MEMORY)->name, "memory");
    for (int i = 0; zs_format_at(i); i++) assert_int_not_equal(zs_format_at(i)->format, ZS_FMT_MEMORY);
    assert_int_equal(zs_volume_file_count(in), 0);
    assert_null(zs_volume_file(out, 0));
    zs_slab s;
    zs_mapping m;
    assert_int_equal(zs_slab_make(zs_volume_get_info(in), 0, 2, 4, 1, &s), ZS_OK);
    assert_int_equal(zs_slab_map(in, &s, &m), ZS_OK);
    assert_ptr_equal(m.data, a + 1 * NX * NY); /* no copy: plane 1 of the buffer itself */
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    assert_int_equal(run(in, out, NULL), ZS_OK);
    check(a, get_f, b);
    assert_int_equal(zs_volume_commit(out), ZS_EINVAL); /* nothing to commit */
    zs_volume_free(in);
    zs_volume_free(out);
    free(a);
    free(b);
}

/* A C-order buffer of shape (nx, ny, nz): z fastest. Gathered by planes. */
static void test_c_order_input(void **state)
{
    (void)state;
    float *a = malloc(NV * sizeof *a), *c = malloc(NV * sizeof *c), *b = calloc(NV, sizeof *b);
    fill(a);
    for (int64_t x = 0; x < NX; x++)
        for (int64_t y = 0; y < NY; y++)
            for (int64_t z = 0; z < NZ; z++) c[(x * NY + y) * NZ + z] = at(a, x, y, z);
    zs_memory_desc di = desc(c, NV * sizeof *c, 0, "input"), dout = desc(b, NV * sizeof *b, 1, "output");
    di.order = ZS_ORDER_C;
    zs_volume *in = NULL, *out = NULL;
    assert_int_equal(zs_volume_wrap(&di, &in), ZS_OK);
    assert_int_equal(zs_volume_wrap(&dout, &out), ZS_OK);
    assert_int_equal(run(in, out, NULL), ZS_OK);
    check(a, get_f, b);
    zs_volume_free(in);
    zs_volume_free(out);
    free(a);
    free(b);
    free(c);
}

/* A view of every other voxel of a bigger buffer, walked backwards along y, filtered into a
 * strided output (every third float of its buffer): gathered and scattered by planes. */
typedef struct strided_out {
    const float *p;
} strided_out;
static float get_strided(const void *o, int64_t x, int64_t y, int64_t z)
{
    return ((const strided_out *)o)->p[3 * ((z * NY + y) * NX + x)];
}

static void test_strided_views(void **state)
{
    (void)state;
    float *a = malloc(NV * sizeof *a), *big = calloc(2 * NV, sizeof *big), *b = calloc(3 * NV, sizeof *b);
    fill(a);
    /* big[2*((z*NY + (NY-1-y))*NX + x)] = a(x,y,z) */
    for (int64_t z = 0; z < NZ; z++)
        for (int64_t y = 0; y < NY; y++)
            for (int64_t x = 0; x < NX; x++) big[2 * ((z * NY + (NY - 1 - y)) * NX + x)] = at(a, x, y, z);
    zs_memory_desc di = desc(big, 2 * NV * sizeof *big, 0, "input");
    di.strides[0] = 2 * 4, di.strides[1] = -2 * 4 * NX, di.strides[2] = 2 * 4 * NX * NY;
    di.offset = 2 * 4 * (NY - 1) * NX; /* voxel (0,0,0) is row NY-1 of plane 0 */
    zs_memory_desc dout = desc(b, 3 * NV * sizeof *b, 1, "output");
    dout.strides[0] = 3 * 4, dout.strides[1] = 3 * 4 * NX, dout.strides[2] = 3 * 4 * NX * NY;
    zs_volume *in = NULL, *out = NULL;
    assert_int_equal(zs_volume_wrap(&di, &in), ZS_OK);
    assert_int_equal(zs_volume_wrap(&dout, &out), ZS_OK);
    assert_int_equal(zs_volume_writes_whole_planes(out), 1); /* plan with whole_plane_output */
    assert_int_equal(run(in, out, NULL), ZS_OK);
    strided_out so = {b};
    check(a, get_strided, &so);
    for (int i = 0; i < NV; i++) /* the floats between the output's voxels are untouched */
        if (b[3 * i + 1] != 0 || b[3 * i + 2] != 0) fail_msg("float %d between output voxels was written", 3 * i + 1);
    zs_volume_free(in);
    zs_volume_free(out);
    free(a);
    free(big);
    free(b);
}

/* A 16-bit input through a plan with a float32 output; and an empty volume. */
static void test_dtypes_and_empty(void **state)
{
    (void)state;
    uint16_t *u = malloc(NV * sizeof *u);
    float *a = malloc(NV * sizeof *a), *b = calloc(NV, sizeof *b);
    for (int i = 0; i < NV; i++) u[i] = (uint16_t)((i * 7919) % 1009), a[i] = u[i];
    zs_memory_desc di = desc(u, NV * sizeof *u, 0, "input"), dout = desc(b, NV * sizeof *b, 1, "output");
    di.dtype.type = ZS_U16;
    zs_volume *in = NULL, *out = NULL;
    assert_int_equal(zs_volume_wrap(&di, &in), ZS_OK);
    assert_int_equal(zs_volume_wrap(&dout, &out), ZS_OK);
    zs_pipeline *pipe = NULL;
    assert_int_equal(zs_pipeline_new(&pipe), ZS_OK);
    assert_int_equal(zs_pipeline_add(pipe, "maximum:size=3:mode=nearest"), ZS_OK);
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.threads = 2;
    po.has_out_dtype = 1;
    po.out_dtype.type = ZS_F32;
    zs_plan *plan = NULL;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), pipe, &po, &plan), ZS_OK);
    assert_int_equal(zs_plan_execute(plan, in, out, NULL, NULL), ZS_OK);
    check(a, get_f, b);
    zs_plan_free(plan);
    zs_volume_free(in);
    zs_volume_free(out);

    zs_memory_desc de = desc(NULL, 0, 0, "empty");
    de.shape[1] = 0;
    assert_int_equal(zs_volume_wrap(&de, &in), ZS_OK);
    de.writable = 1;
    assert_int_equal(zs_volume_wrap(&de, &out), ZS_OK);
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), pipe, NULL, &plan), ZS_OK);
    assert_int_equal(zs_plan_execute(plan, in, out, NULL, NULL), ZS_OK);
    zs_plan_free(plan);
    zs_pipeline_free(pipe);
    zs_volume_free(in);
    zs_volume_free(out);
    free(u);
    free(a);
    free(b);
}

/* A stop flag set before the run: ZS_ECANCELED, with a message. */
static void test_stop(void **state)
{
    (void)state;
    float *a = calloc(NV, sizeof *a), *b = calloc(NV, sizeof *b);
    zs_memory_desc di = desc(a, NV * sizeof *a, 0, "input"), dout = desc(b, NV * sizeof *b, 1, "output");
    zs_volume *in = NULL, *out = NULL;
    assert_int_equal(zs_volume_wrap(&di, &in), ZS_OK);
    assert_int_equal(zs_volume_wrap(&dout, &out), ZS_OK);
    volatile int stop = 1;
    assert_int_equal(run(in, out, &stop), ZS_ECANCELED);
    assert_non_null(strstr(zs_last_error(), "stopped"));
    zs_volume_free(in);
    zs_volume_free(out);
    free(a);
    free(b);
}

/* Each misuse: an error whose message starts with the volume's name and says what is wrong. */
static void expect(const zs_memory_desc *d, zs_status code, const char *text)
{
    zs_volume *v = (zs_volume *)(uintptr_t)1; /* must be reset to NULL */
    zs_clear_error();
    zs_status st = zs_volume_wrap(d, &v);
    if (st != code) fail_msg("expected %d, got %d (%s)", (int)code, (int)st, zs_last_error());
    assert_null(v);
    if (!strstr(zs_last_error(), text)) fail_msg("message '%s' lacks '%s'", zs_last_error(), text);
}

static void test_misuse(void **state)
{
    (void)state;
    float *a = calloc(NV, sizeof *a);
    expect(NULL, ZS_EINVAL, "no memory descriptor");
    zs_memory_desc d = desc(a, NV * sizeof *a, 0, "input");
    assert_int_equal(zs_volume_wrap(&d, NULL), ZS_EINVAL);

    zs_memory_desc e = d;
    e.size = 0; /* not initialised */
    expect(&e, ZS_EINVAL, "zs_memory_desc_init");
    e = d, e.size = sizeof e + 64; /* a newer header's struct */
    expect(&e, ZS_EINVAL, "newer zslab");
    e = d, e.ndim = 0;
    expect(&e, ZS_EINVAL, "input: ndim 0");
    e = d, e.ndim = 5;
    expect(&e, ZS_EINVAL, "input: ndim 5");
    e = d, e.shape[1] = -3;
    expect(&e, ZS_EINVAL, "input: length -3 along y");
    e = d, e.shape[0] = e.shape[1] = e.shape[2] = INT64_C(1) << 40; /* 2^120 voxels */
    expect(&e, ZS_EOVERFLOW, "overflows");
    /* a length 0 with lengths whose product overflows: an empty volume (as numpy allows), and no
     * overflow while its contiguous strides are computed (UBSan in the sanitizer build) */
    e = d, e.shape[0] = 0, e.shape[1] = e.shape[2] = INT64_C(1) << 40;
    zs_volume *empty = NULL;
    assert_int_equal(zs_volume_wrap(&e, &empty), ZS_OK);
    assert_int_equal(zs_volume_get_info(empty)->nbytes, 0);
    zs_volume_free(empty);
    e = d, e.data = NULL;
    expect(&e, ZS_EINVAL, "input: no buffer given");
    e = d, e.dtype.type = (zs_type)99;
    expect(&e, ZS_EINVAL, "invalid dtype");

    e = d, e.strides[0] = 6, e.strides[1] = 6 * NX, e.strides[2] = 6 * NX * NY;
    expect(&e, ZS_EINVAL, "stride along x is 6 bytes, not a multiple of the 4-byte element size");
    e = d, e.offset = 2;
    expect(&e, ZS_EINVAL, "not aligned");
    e = d, e.strides[0] = 4, e.strides[1] = -4 * NX, e.strides[2] = 4 * NX * NY; /* no offset: before the buffer */
    expect(&e, ZS_EINVAL, "bytes before the start of the buffer");
    e = d, e.nbytes -= 4;
    expect(&e, ZS_EINVAL, "input: the buffer holds");
    e = d, e.strides[0] = 4, e.strides[1] = 4 * NX, e.strides[2] = INT64_C(1) << 62;
    expect(&e, ZS_EOVERFLOW, "reaches past 64-bit offsets");

    /* outputs */
    zs_memory_desc o = desc(a, NV * sizeof *a - 1, 1, "output"); /* one byte short */
    expect(&o, ZS_EINVAL, "output: the buffer holds");
    o = desc(a, NV * sizeof *a, 1, "output");
    o.strides[0] = 4, o.strides[1] = 4, o.strides[2] = 4 * NX; /* x and y overlap */
    expect(&o, ZS_EINVAL, "output: voxels overlap");

    /* a read-only buffer given as the output: the plan refuses it */
    float *b = calloc(NV, sizeof *b);
    zs_memory_desc di = desc(b, NV * sizeof *b, 0, "input"), dro = desc(a, NV * sizeof *a, 0, "output");
    zs_volume *in = NULL, *ro = NULL;
    assert_int_equal(zs_volume_wrap(&di, &in), ZS_OK);
    assert_int_equal(zs_volume_wrap(&dro, &ro), ZS_OK);
    assert_int_equal(run(in, ro, NULL), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "output: output is not open for writing"));
    /* an output of another shape: refused too */
    zs_memory_desc small = desc(a, NV * sizeof *a, 1, "output");
    small.shape[2] = NZ - 1;
    zs_volume *sm = NULL;
    assert_int_equal(zs_volume_wrap(&small, &sm), ZS_OK);
    assert_int_equal(run(in, sm, NULL), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "output: output shape"));
    zs_volume_free(sm);
    /* a journal fingerprints the input's files: a memory input has none, and is refused */
    zs_job_opts jo;
    zs_job_opts_default(&jo);
    jo.journal = ZS_JOB_JOURNAL_NEW;
    const char *ops[] = {"uniform:size=3"};
    jo.ops = ops;
    jo.nops = 1;
    zs_job *job = NULL;
    (void)zs_journal_remove("memvol_journal.npy"); /* what an earlier, failed run may have left */
    zs_status st = zs_job_open_volume(in, "memvol_journal.npy", &jo, &job);
    if (st == ZS_OK) st = zs_job_create(job);
    assert_int_equal(st, ZS_EUNSUPPORTED);
    assert_non_null(strstr(zs_last_error(), "input: a journal or a record fingerprints the input's files"));
    zs_job_free(job);
    assert_int_equal(access("memvol_journal.npy.partial", F_OK), -1);
    assert_int_equal(access("memvol_journal.npy.zsjournal", F_OK), -1);
    zs_volume_free(ro);
    zs_volume_free(in);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f_order_in_place),
        cmocka_unit_test(test_c_order_input),
        cmocka_unit_test(test_strided_views),
        cmocka_unit_test(test_dtypes_and_empty),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests_name("memory volumes", tests, NULL, NULL);
}
