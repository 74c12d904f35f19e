/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The detail of an error (zs_last_error_detail): a budget the planners refuse names the
 * budget (and the band the caller set) with the bytes needed, an output that exists names
 * force, a journal in the way names resume and force with the advice's place in the message,
 * a journal of another job or of a changed input says which; a worker's detail reaches the
 * caller with its message; any other error, a cleared error, and a reduction that plans in
 * bands after its whole planes did not fit carry none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error_internal.h"
#include "zslab.h"

#include "zslab_reduce.h"

static zs_error_detail detail(void)
{
    zs_error_detail d;
    zs_error_detail_init(&d);
    assert_int_equal(zs_last_error_detail(&d), ZS_OK);
    assert_int_equal(d.struct_size, sizeof d);
    return d;
}

static void make_volume(const char *path, int64_t nx, int64_t ny, int64_t nz, int fill)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = nx, spec.shape[1] = ny, spec.shape[2] = nz;
    spec.dtype.type = ZS_U8;
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.force = 1;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_create(path, &spec, &co, &v), ZS_OK);
    assert_int_equal(zs_volume_fill(v, ZS_PATTERN_PHANTOM, (uint64_t)fill, 1), ZS_OK);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
}

static zs_pipeline *gaussian(void)
{
    zs_pipeline *p = NULL;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    assert_int_equal(zs_pipeline_add(p, "gaussian:sigma=2"), ZS_OK);
    return p;
}

static void budget_opts(zs_plan_opts *po, uint64_t budget, int64_t band)
{
    zs_plan_opts_init(po);
    po->threads = 1;
    po->bind = 0;
    po->mem_budget = budget;
    po->band = band;
}

static void test_budget(void **state)
{
    (void)state;
    make_volume("detail_wide.npy", 1024, 512, 8, 1);
    zs_volume *in = NULL;
    assert_int_equal(zs_volume_open("detail_wide.npy", NULL, &in), ZS_OK);
    const zs_volume_info *info = zs_volume_get_info(in);
    zs_pipeline *p = gaussian();
    zs_plan_opts po;
    zs_plan *plan = NULL;
    budget_opts(&po, 64 << 10, 0);
    assert_true(zs_plan_create(info, p, &po, &plan) < 0);
    zs_error_detail d = detail();
    assert_int_equal(d.reason, ZS_REASON_BUDGET);
    assert_string_equal(d.params, "mem_budget");
    assert_true(d.needed > po.mem_budget);
    assert_int_equal(d.advice, strlen(zs_last_error())); /* the message names no parameter to replace */
    budget_opts(&po, 64 << 10, 8);                       /* a band given is named too */
    assert_true(zs_plan_create(info, p, &po, &plan) < 0);
    assert_string_equal(detail().params, "mem_budget,band");

    /* a reduction: whole planes refused, bands planned: no detail remains */
    budget_opts(&po, 0, info->shape[1]);
    assert_true(zs_plan_create(info, p, &po, &plan) == ZS_OK);
    zs_plan_free(plan);
    plan = NULL;
    budget_opts(&po, 1 << 30, info->shape[1]);
    uint64_t whole = 0;
    for (uint64_t b = 8 << 20; b > (64 << 10) && !whole; b -= 256 << 10) { /* the least budget whole planes take */
        po.mem_budget = b;
        if (zs_plan_create(info, p, &po, &plan) < 0) whole = detail().needed;
        zs_plan_free(plan);
        plan = NULL;
    }
    assert_true(whole > 0);
    budget_opts(&po, whole - 1, 0);
    assert_int_equal(zs_reduce_plan(info, p, &po, &plan), ZS_OK);
    assert_int_equal(detail().reason, ZS_REASON_NONE);
    zs_plan_free(plan);
    plan = NULL;
    /* neither fits: the whole planes' refusal, naming the budget only (the caller gave no band) */
    budget_opts(&po, 64 << 10, 0);
    assert_true(zs_reduce_plan(info, p, &po, &plan) < 0);
    d = detail();
    assert_int_equal(d.reason, ZS_REASON_BUDGET);
    assert_string_equal(d.params, "mem_budget");
    assert_non_null(strstr(zs_last_error(), "memory budget"));

    /* another error after it carries no detail; neither does a cleared one */
    zs_volume *v = NULL;
    assert_true(zs_volume_open("detail_missing.npy", NULL, &v) < 0);
    assert_int_equal(detail().reason, ZS_REASON_NONE);
    assert_true(zs_plan_create(info, p, &po, &plan) < 0);
    zs_clear_error();
    d = detail();
    assert_int_equal(d.reason, ZS_REASON_NONE);
    assert_string_equal(d.params, "");
    assert_int_equal(d.advice, 0);
    zs_pipeline_free(p);
    zs_volume_free(in);
    unlink("detail_wide.npy");
}

static void test_output_exists(void **state)
{
    (void)state;
    make_volume("detail_out.npy", 8, 8, 4, 1);
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_create("detail_out.npy", &spec, NULL, &v), ZS_EEXIST);
    zs_error_detail d = detail();
    assert_int_equal(d.reason, ZS_REASON_OUTPUT_EXISTS);
    assert_string_equal(d.params, "force");
    assert_int_equal(d.needed, 0);
    assert_string_equal(zs_last_error(), "detail_out.npy: exists");
    assert_int_equal(d.advice, strlen(zs_last_error()));
    /* a caller built with the first layout's size gets those fields, and the size written */
    zs_error_detail old;
    memset(&old, 0xff, sizeof old);
    old.struct_size = 0; /* never initialised: the first released fields only */
    assert_int_equal(zs_last_error_detail(&old), ZS_OK);
    assert_int_equal(old.reason, ZS_REASON_OUTPUT_EXISTS);
    assert_int_equal(old.struct_size, offsetof(zs_error_detail, advice) + sizeof old.advice);
    assert_int_equal(zs_last_error_detail(NULL), ZS_EINVAL);
    unlink("detail_out.npy");
}

/* A reduction's slab callback (on a worker) refusing slab 2 as a budget too small would. */
static zs_status refuse_slab(void *user, const zs_reduce_slab *s, void **record, size_t *size)
{
    (void)user;
    *record = NULL;
    *size = 0;
    if (s->slab != 2) return ZS_OK;
    return ZS_ERR_DETAIL(ZS_ENOMEM, ZS_REASON_BUDGET, "mem_budget", 12345, NULL, "slab %lld: too much",
                         (long long)s->slab);
}

static void test_worker_detail(void **state)
{
    (void)state;
    make_volume("detail_slabs.npy", 16, 12, 8, 1);
    zs_volume *in = NULL;
    assert_int_equal(zs_volume_open("detail_slabs.npy", NULL, &in), ZS_OK);
    zs_pipeline *p = gaussian();
    zs_plan_opts po;
    budget_opts(&po, 0, 0);
    po.threads = 2;
    po.slab = 1;
    zs_plan *plan = NULL;
    assert_int_equal(zs_reduce_plan(zs_volume_get_info(in), p, &po, &plan), ZS_OK);
    zs_reduce r = zs_reduce_make();
    r.slab = refuse_slab;
    zs_clear_error();
    assert_int_equal(zs_plan_reduce(plan, in, &r, NULL, NULL), ZS_ENOMEM);
    assert_string_equal(zs_last_error(), "slab 2: too much");
    zs_error_detail d = detail();
    assert_int_equal(d.reason, ZS_REASON_BUDGET);
    assert_string_equal(d.params, "mem_budget");
    assert_int_equal(d.needed, 12345);
    zs_plan_free(plan);
    zs_pipeline_free(p);
    zs_volume_free(in);
    unlink("detail_slabs.npy");
}

static int stop_at_once(void *user, double fraction)
{
    (void)user, (void)fraction;
    return 1;
}

/* The job of detail_in.npy -> out with the stage `op`, stopped after its first slab when `stop`. */
static zs_status run_job(const char *out, const char *op, zs_job_journal journal, int stop)
{
    const char *ops[] = {op};
    zs_plan_opts po;
    budget_opts(&po, 0, 0);
    po.slab = 2;
    zs_job_opts o;
    zs_job_opts_init(&o);
    o.ops = ops;
    o.nops = 1;
    o.plan = &po;
    o.journal = journal;
    if (stop) o.progress = stop_at_once;
    zs_job *job = NULL;
    zs_status st = zs_job_open("detail_in.npy", out, &o, &job);
    if (st == ZS_OK) st = zs_job_create(job);
    if (st == ZS_OK) st = zs_job_execute(job);
    if (st == ZS_ECANCELED)
        st = zs_job_commit(job); /* the records kept for a resume */
    else if (st == ZS_OK)
        st = zs_job_commit(job);
    zs_job_free(job);
    return st;
}

/* The message before the detail's advice, and the advice. */
static void assert_split(const zs_error_detail *d, const char *head, const char *advice)
{
    const char *msg = zs_last_error();
    assert_int_equal(d->advice, strlen(head));
    assert_memory_equal(msg, head, strlen(head));
    assert_string_equal(msg + d->advice, advice);
}

static void test_journal(void **state)
{
    (void)state;
    make_volume("detail_in.npy", 16, 12, 8, 1);
    assert_int_equal(run_job("detail_j.npy", "gaussian:sigma=1", ZS_JOB_RESUME, 1), ZS_OK);
    assert_int_equal(access("detail_j.npy.zsjournal", F_OK), 0);
    /* a new journal wanted where one exists */
    assert_int_equal(run_job("detail_j.npy", "gaussian:sigma=1", ZS_JOB_JOURNAL_NEW, 0), ZS_EEXIST);
    zs_error_detail d = detail();
    assert_int_equal(d.reason, ZS_REASON_JOURNAL_EXISTS);
    assert_string_equal(d.params, "resume,force");
    assert_split(&d, "detail_j.npy: a journal exists (detail_j.npy.zsjournal)",
                 ": continue that job (resume), look at it (zs_journal_report), or start over (force)");
    /* a plain run over a journaled output */
    assert_int_equal(run_job("detail_j.npy", "gaussian:sigma=1", ZS_JOB_NO_JOURNAL, 0), ZS_EEXIST);
    d = detail();
    assert_int_equal(d.reason, ZS_REASON_JOURNAL_EXISTS);
    assert_split(&d, "detail_j.npy: has a journal (detail_j.npy.zsjournal) of a job run in parts or to be resumed",
                 ": continue that job, or start over (force)");
    /* another pipeline: another job */
    assert_int_equal(run_job("detail_j.npy", "gaussian:sigma=2", ZS_JOB_RESUME, 0), ZS_EEXIST);
    d = detail();
    assert_int_equal(d.reason, ZS_REASON_JOURNAL_OTHER);
    assert_string_equal(d.params, "");
    /* the same job over an input written again since */
    sleep(1); /* a new mtime on file systems with whole seconds */
    make_volume("detail_in.npy", 16, 12, 8, 2);
    assert_int_equal(run_job("detail_j.npy", "gaussian:sigma=1", ZS_JOB_RESUME, 0), ZS_EEXIST);
    assert_int_equal(detail().reason, ZS_REASON_INPUT_CHANGED);
    assert_non_null(strstr(zs_last_error(), "belongs to another job"));
    assert_int_equal(zs_journal_remove("detail_j.npy"), ZS_OK);
    unlink("detail_j.npy.partial");

    /* an output made by a plain run, resumed */
    assert_int_equal(run_job("detail_p.npy", "gaussian:sigma=1", ZS_JOB_NO_JOURNAL, 0), ZS_OK);
    assert_int_equal(run_job("detail_p.npy", "gaussian:sigma=1", ZS_JOB_RESUME, 0), ZS_EEXIST);
    d = detail();
    assert_int_equal(d.reason, ZS_REASON_OUTPUT_UNJOURNALED);
    assert_string_equal(d.params, "force");
    assert_split(&d, "detail_p.npy: exists and has no journal",
                 " (it was written by a run without one); remove it, or overwrite it (force)");
    unlink("detail_p.npy");
    unlink("detail_in.npy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_output_exists),
        cmocka_unit_test(test_worker_detail),
        cmocka_unit_test(test_journal),
    };
    return cmocka_run_group_tests_name("error_detail", tests, NULL, NULL);
}
