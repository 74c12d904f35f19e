/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The library as a C program sees it: only the public header. A whole filter (create, fill,
 * open, pipeline, plan, create the output, execute, commit) checked against a reference
 * computed here, and the misuses that once crashed or passed silently, each an error now. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zs_test_util.h"
#include "zslab.h"

enum { NX = 23, NY = 17, NZ = 9 };

static zs_volume *make_input(const char *path, int64_t nx, int64_t ny, int64_t nz)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = nx, spec.shape[1] = ny, spec.shape[2] = nz;
    spec.dtype.type = ZS_F32;
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = 1;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_create(path, &spec, &co, &v), ZS_OK);
    assert_int_equal(zs_volume_fill(v, ZS_PATTERN_NOISE, 11, 1), ZS_OK);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
    assert_int_equal(zs_volume_open(path, NULL, &v), ZS_OK);
    return v;
}

/* Creates the plan's output at `path` (replacing one left by an earlier run). */
static zs_volume *create_output(const zs_plan *plan, const char *path)
{
    zs_volume_info spec;
    zs_plan_output_spec(plan, &spec);
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = 1;
    zs_volume *out = NULL;
    assert_int_equal(zs_volume_create(path, &spec, &co, &out), ZS_OK);
    return out;
}

/* Every voxel of a volume through slab mappings, as float. */
static float *read_all(const zs_volume *v)
{
    const zs_volume_info *i = zs_volume_get_info(v);
    const size_t n = (size_t)(i->shape[0] * i->shape[1] * i->shape[2]);
    float *out = malloc(n * sizeof *out);
    assert_non_null(out);
    zs_slab s;
    zs_mapping m;
    assert_int_equal(zs_slab_make(i, 0, 0, i->shape[2], 0, &s), ZS_OK);
    assert_int_equal(zs_slab_map(v, &s, &m), ZS_OK);
    memcpy(out, m.data, n * sizeof *out);
    assert_int_equal(zs_slab_unmap(&m), ZS_OK);
    return out;
}

static float box_max(const float *a, int64_t x, int64_t y, int64_t z)
{
    return zs_test_box_max3(a, NX, NY, NZ, x, y, z);
}

/* The whole path; the caller's pipeline is freed right after planning (the plan keeps it). */
static void test_filter_through_the_public_header(void **state)
{
    (void)state;
    zs_volume *in = make_input("api_in.npy", NX, NY, NZ);
    zs_pipeline *pipe = NULL;
    assert_int_equal(zs_pipeline_new(&pipe), ZS_OK);
    assert_int_equal(zs_pipeline_add(pipe, "maximum:size=3:mode=nearest"), ZS_OK);
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.threads = 2;
    po.slab = 2;
    zs_plan *plan = NULL;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), pipe, &po, &plan), ZS_OK);
    /* a planned pipeline takes no new stage: the plan's rings were sized for the one it saw */
    assert_int_equal(zs_pipeline_add(pipe, "gaussian:sigma=1"), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "the pipeline has plans made from it"));
    zs_pipeline_free(pipe); /* the plan holds its own reference */

    zs_volume *out = create_output(plan, "api_out.npy");
    assert_int_equal(zs_plan_execute(plan, in, out, NULL, NULL), ZS_OK);
    assert_int_equal(zs_volume_commit(out), ZS_OK);
    zs_plan_free(plan);

    float *a = read_all(in), *b = read_all(out);
    for (int64_t z = 0; z < NZ; z++)
        for (int64_t y = 0; y < NY; y++)
            for (int64_t x = 0; x < NX; x++)
                if (b[(z * NY + y) * NX + x] != box_max(a, x, y, z))
                    fail_msg("voxel (%lld,%lld,%lld): %g, expected %g", (long long)x, (long long)y, (long long)z,
                             b[(z * NY + y) * NX + x], box_max(a, x, y, z));
    free(a);
    free(b);
    zs_volume_free(in);
    zs_volume_free(out);
    unlink("api_in.npy");
    unlink("api_out.npy");
}

/* A file zslab cannot identify is not a 1x1x1 volume; described as raw data, it opens. */
static void test_unidentified_files_are_refused(void **state)
{
    (void)state;
    FILE *f = fopen("junk.dat", "wb");
    assert_non_null(f);
    for (int i = 0; i < 100; i++) fputc(i * 7, f);
    fclose(f);
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_open("junk.dat", NULL, &v), ZS_EFORMAT);
    assert_null(v);
    assert_non_null(strstr(zs_last_error(), "junk.dat: not a format zslab recognises"));
    zs_format fmt = ZS_FMT_AUTO;
    assert_int_equal(zs_volume_identify("junk.dat", &fmt), ZS_OK);
    assert_int_equal(fmt, ZS_FMT_RAW);

    zs_open_opts o;
    zs_open_opts_default(&o);
    o.format = ZS_FMT_RAW;
    assert_int_equal(zs_volume_open("junk.dat", &o, &v), ZS_EFORMAT); /* raw, but no layout */
    assert_non_null(strstr(zs_last_error(), "raw data needs its shape and dtype"));
    o.raw_ndim = 2;
    o.raw_shape[0] = 10, o.raw_shape[1] = 10;
    assert_int_equal(zs_volume_open("junk.dat", &o, &v), ZS_OK);
    assert_int_equal(zs_volume_get_info(v)->shape[1], 10);
    zs_volume_free(v);
    unlink("junk.dat");
}

/* An input that is not the planned one is an error from zs_plan_execute, not a crash. */
static void test_execute_checks_the_input(void **state)
{
    (void)state;
    zs_volume *small = make_input("api_small.npy", NX, NY - 5, NZ);
    zs_volume *in = make_input("api_in2.npy", NX, NY, NZ);
    zs_pipeline *pipe = NULL;
    assert_int_equal(zs_pipeline_new(&pipe), ZS_OK);
    assert_int_equal(zs_pipeline_add(pipe, "median:size=3"), ZS_OK);
    zs_plan *plan = NULL;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), pipe, NULL, &plan), ZS_OK);
    zs_volume *out = create_output(plan, "api_out2.npy");
    assert_int_equal(zs_plan_execute(plan, small, out, NULL, NULL), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "api_small.npy: input shape"));
    assert_int_equal(zs_plan_execute(plan, in, in, NULL, NULL), ZS_EINVAL);   /* read-only "output" */
    assert_int_equal(zs_plan_execute(plan, in, NULL, NULL, NULL), ZS_EINVAL); /* no output: it crashed */
    assert_non_null(strstr(zs_last_error(), "no output volume given"));
    zs_plan *none = NULL;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), NULL, NULL, &none), ZS_EINVAL); /* it crashed too */
    assert_null(none);
    assert_int_equal(zs_plan_execute(plan, in, out, NULL, NULL), ZS_OK);
    zs_plan_free(plan);
    zs_pipeline_free(pipe); /* after the plan: the other order works too */
    zs_volume_free(out);    /* never committed: its partial file goes */
    assert_int_equal(access("api_out2.npy.partial", F_OK), -1);
    assert_int_equal(access("api_out2.npy", F_OK), -1);
    zs_volume_free(small);
    zs_volume_free(in);
    unlink("api_small.npy");
    unlink("api_in2.npy");
}

/* Describe functions write into the caller's buffer as snprintf does: a buffer too small gets a
 * truncated, terminated text and the length needed, never an overflow. */
static void test_describe_into_buffers(void **state)
{
    (void)state;
    zs_volume *in = make_input("api_desc.npy", NX, NY, NZ);
    const zs_volume_info *info = zs_volume_get_info(in);
    char big[16384], tiny[6];
    memset(tiny, '#', sizeof tiny);
    const size_t n = zs_volume_info_describe(info, 0, big, sizeof big);
    assert_true(n > 0 && n < sizeof big);
    assert_int_equal(strlen(big), n);
    assert_non_null(strstr(big, "shape:      23 x 17 x 9"));
    assert_int_equal(zs_volume_info_describe(info, 0, tiny, sizeof tiny), n);
    assert_string_equal(tiny, "file:");
    assert_int_equal(zs_volume_info_describe(info, 0, NULL, 0), n);
    const size_t nj = zs_volume_info_describe(info, ZS_DESCRIBE_JSON, big, sizeof big);
    assert_int_equal(strlen(big), nj);
    assert_true(big[0] == '{' && big[nj - 1] == '\n');

    zs_pipeline *pipe = NULL;
    assert_int_equal(zs_pipeline_new(&pipe), ZS_OK);
    assert_int_equal(zs_pipeline_describe(pipe, big, sizeof big), 0); /* no stage: "" */
    assert_string_equal(big, "");
    assert_int_equal(zs_pipeline_add(pipe, "gaussian:sigma=2"), ZS_OK);
    assert_int_equal(zs_pipeline_add(pipe, "median:size=3"), ZS_OK);
    const size_t np = zs_pipeline_describe(pipe, big, sizeof big);
    assert_int_equal(strlen(big), np);
    assert_non_null(strstr(big, " | median:size=3x3x3"));
    memset(tiny, '#', sizeof tiny);
    assert_int_equal(zs_pipeline_describe(pipe, tiny, sizeof tiny), np);
    assert_string_equal(tiny, "gauss");

    zs_plan *plan = NULL;
    assert_int_equal(zs_plan_create(info, pipe, NULL, &plan), ZS_OK);
    const size_t nplan = zs_plan_describe(plan, NULL, 0);
    char *text = malloc(nplan + 1);
    assert_non_null(text);
    assert_int_equal(zs_plan_describe(plan, text, nplan + 1), nplan);
    assert_int_equal(strlen(text), nplan);
    assert_non_null(strstr(text, "pipeline:   gaussian:sigma=2x2x2"));
    free(text);
    zs_plan_free(plan);
    zs_pipeline_free(pipe);
    zs_volume_free(in);
    unlink("api_desc.npy");
}

/* Options that were not made by their _init() function (zeroed) are refused by their size,
 * whatever the function; NULL options are the defaults. */
static void test_unsized_options_are_refused(void **state)
{
    (void)state;
    zs_volume *in = make_input("api_opts.npy", NX, NY, NZ);
    zs_volume *v = NULL;
    zs_open_opts oo;
    memset(&oo, 0, sizeof oo);
    assert_int_equal(zs_volume_open("api_opts.npy", &oo, &v), ZS_EINVAL);
    assert_null(v);
    assert_non_null(strstr(zs_last_error(), "zs_open_opts: struct_size is 0"));
    assert_non_null(strstr(zs_last_error(), "_init() function"));
    zs_open_opts_init(&oo);
    oo.struct_size = sizeof oo + 8; /* a caller built against a newer header */
    assert_int_equal(zs_volume_open("api_opts.npy", &oo, &v), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "newer zslab.h"));

    zs_pipeline *pipe = NULL;
    assert_int_equal(zs_pipeline_new(&pipe), ZS_OK);
    zs_plan_opts po;
    memset(&po, 0, sizeof po);
    po.threads = 1;
    zs_plan *plan = NULL;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), pipe, &po, &plan), ZS_EINVAL);
    assert_null(plan);
    assert_non_null(strstr(zs_last_error(), "zs_plan_opts"));
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), pipe, NULL, &plan), ZS_OK);

    zs_create_opts co;
    memset(&co, 0, sizeof co);
    zs_volume_info spec;
    zs_plan_output_spec(plan, &spec);
    zs_volume *out = NULL;
    assert_int_equal(zs_volume_create("api_opts_out.npy", &spec, &co, &out), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "zs_create_opts"));
    assert_int_equal(access("api_opts_out.npy.partial", F_OK), -1);
    out = create_output(plan, "api_opts_out.npy");
    zs_exec_opts eo;
    memset(&eo, 0, sizeof eo);
    assert_int_equal(zs_plan_execute(plan, in, out, &eo, NULL), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "zs_exec_opts"));
    assert_int_equal(zs_plan_execute(NULL, in, out, NULL, NULL), ZS_EINVAL);

    zs_journal_opts jo;
    memset(&jo, 0, sizeof jo);
    zs_journal *j = NULL;
    assert_int_equal(zs_journal_begin("api_opts_j.npy", &jo, &j), ZS_EINVAL);
    assert_null(j);
    assert_int_equal(access("api_opts_j.npy.zsjournal", F_OK), -1);
    zs_preview_opts pv;
    memset(&pv, 0, sizeof pv);
    zs_image *img = NULL;
    assert_int_equal(zs_preview_make(in, &pv, &img), ZS_EINVAL);
    assert_null(img);

    zs_volume_free(out); /* never committed: removed */
    zs_plan_free(plan);
    zs_pipeline_free(pipe);
    zs_volume_free(in);
    unlink("api_opts.npy");
}

/* zs_json_quote: valid UTF-8 kept, every byte that is not (overlong forms, surrogates, beyond
 * U+10FFFF, cut sequences) as \ufffd, quotes and control characters escaped, snprintf's length. */
static void test_json_quote(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"a\"b\\c\n", "\"a\\\"b\\\\c\\u000a\""},
        {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""}, /* é € U+1F600 */
        {"\xff", "\"\\ufffd\""},
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},                       /* overlong '/' */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},            /* a surrogate */
        {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* above U+10FFFF */
        {"x\xe2\x82", "\"x\\ufffd\\ufffd\""},                     /* cut at the end */
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const size_t n = zs_json_quote(cases[i].in, buf, sizeof buf);
        assert_string_equal(buf, cases[i].out);
        assert_int_equal(n, strlen(cases[i].out));
    }
    assert_int_equal(zs_json_quote("\xff", buf, 4), 8); /* truncated as snprintf */
    assert_string_equal(buf, "\"\\u");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_through_the_public_header), cmocka_unit_test(test_unidentified_files_are_refused),
        cmocka_unit_test(test_execute_checks_the_input),         cmocka_unit_test(test_describe_into_buffers),
        cmocka_unit_test(test_unsized_options_are_refused),      cmocka_unit_test(test_json_quote),
    };
    return cmocka_run_group_tests_name("public API", tests, NULL, NULL);
}
