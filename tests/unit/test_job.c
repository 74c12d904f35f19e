/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Jobs through the public header alone: a whole filter (open, stages, plan, create, execute,
 * commit) equal to the same pipeline run step by step through plans; a journaled job stopped
 * by its progress callback after a few slabs and resumed by a second job to the same bytes;
 * two parts that make the same output; a job into a memory volume the caller opened; and the
 * misuses that must be errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zslab.h"

enum { NX = 31, NY = 19, NZ = 40 };

static void make_input(const char *path)
{
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = NX, spec.shape[1] = NY, spec.shape[2] = NZ;
    spec.dtype.type = ZS_U16;
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = 1;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_create(path, &spec, &co, &v), ZS_OK);
    assert_int_equal(zs_volume_fill(v, ZS_PATTERN_PHANTOM, 3, 1), ZS_OK);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = malloc(*n ? *n : 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *x = slurp(a, &na), *y = slurp(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    free(x);
    free(y);
}

static const char *const OPS[] = {"gaussian:sigma=1.5", "maximum:size=3"};

/* The reference: the same pipeline through pipeline, plan and execute. */
static void reference(const char *in_path, const char *out_path)
{
    zs_volume *in = NULL, *out = NULL;
    zs_pipeline *p = NULL;
    zs_plan *plan = NULL;
    assert_int_equal(zs_volume_open(in_path, NULL, &in), ZS_OK);
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    for (int i = 0; i < 2; i++) assert_int_equal(zs_pipeline_add(p, OPS[i]), ZS_OK);
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.slab = 7;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), p, &po, &plan), ZS_OK);
    zs_volume_info spec;
    zs_plan_output_spec(plan, &spec);
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = 1;
    assert_int_equal(zs_volume_create(out_path, &spec, &co, &out), ZS_OK);
    assert_int_equal(zs_plan_execute(plan, in, out, NULL, NULL), ZS_OK);
    assert_int_equal(zs_volume_commit(out), ZS_OK);
    zs_volume_free(out);
    zs_plan_free(plan);
    zs_pipeline_free(p);
    zs_volume_free(in);
}

static void job_opts(zs_job_opts *o, zs_plan_opts *po)
{
    zs_job_opts_default(o);
    zs_plan_opts_default(po);
    po->threads = 2;
    o->ops = OPS;
    o->nops = 2;
    o->plan = po;
    o->force = 1;
}

static int setup(void **state)
{
    (void)state;
    make_input("job_in.npy");
    reference("job_in.npy", "job_ref.npy");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink("job_in.npy");
    unlink("job_ref.npy");
    return 0;
}

typedef struct progress_seen {
    int calls, stop_after;
    double last;
} progress_seen;

static int on_progress(void *user, double fraction)
{
    progress_seen *s = user;
    assert_true(fraction > 0.0 && fraction <= 1.0);
    assert_true(fraction >= s->last);
    s->last = fraction;
    s->calls++;
    return s->stop_after > 0 && s->calls >= s->stop_after;
}

/* open -> plan -> create -> execute -> commit, each step on its own, and the fraction done. */
static void test_plain_job(void **state)
{
    (void)state;
    zs_job_opts o;
    zs_plan_opts po;
    job_opts(&o, &po);
    progress_seen seen = {0, 0, 0.0};
    o.progress = on_progress;
    o.user = &seen;
    zs_job *job = NULL;
    assert_int_equal(zs_job_open("job_in.npy", "job_out.npy", &o, &job), ZS_OK);
    assert_null(zs_job_get_plan(job));
    assert_int_equal(zs_job_plan(job), ZS_OK);
    assert_non_null(zs_job_get_plan(job));
    assert_int_equal(zs_pipeline_length(zs_job_pipeline(job)), 2);
    assert_int_equal(zs_job_journaled(job), 0);
    assert_int_equal(zs_job_commit(job), ZS_EINVAL); /* nothing ran */
    assert_int_equal(zs_job_create(job), ZS_OK);
    assert_non_null(zs_job_output(job));
    assert_int_equal(access("job_out.npy.partial", F_OK), 0);
    assert_int_equal(zs_job_execute(job), ZS_OK);
    assert_int_equal(zs_job_execute(job), ZS_EINVAL); /* once */
    assert_int_equal(zs_job_commit(job), ZS_OK);
    assert_int_equal(zs_job_complete(job), 1);
    assert_int_equal(zs_job_done(job), zs_plan_slab_count(zs_job_get_plan(job)));
    zs_run_stats rs;
    zs_job_stats(job, &rs);
    assert_int_equal(rs.voxels, (uint64_t)NX * NY * NZ);
    assert_true(seen.calls >= 1);
    assert_true(seen.last == 1.0);
    zs_job_free(job);
    assert_same_file("job_out.npy", "job_ref.npy");

    /* execute runs the steps before it; an existing OUT needs force */
    o.force = 0;
    o.progress = NULL;
    assert_int_equal(zs_job_open("job_in.npy", "job_out.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_execute(job), ZS_EEXIST);
    assert_non_null(strstr(zs_last_error(), "job_out.npy: exists"));
    assert_null(strstr(zs_last_error(), "--"));
    zs_job_free(job);
    unlink("job_out.npy");
}

/* A memory volume over `buf` (NX x NY x NZ uint16, F order) named `name`. */
static zs_volume *wrap_u16(uint16_t *buf, int writable, const char *name)
{
    zs_memory_desc d;
    zs_memory_desc_init(&d);
    d.data = buf;
    d.nbytes = (size_t)NX * NY * NZ * sizeof *buf;
    d.ndim = 3;
    d.shape[0] = NX, d.shape[1] = NY, d.shape[2] = NZ;
    d.dtype.type = ZS_U16;
    d.writable = writable;
    d.name = name;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_wrap(&d, &v), ZS_OK);
    return v;
}

/* A job into a volume the caller opened (a memory volume): the reference's voxels; the output
 * is checked, never committed or freed by the job; an output of another shape or dtype, a
 * read-only one and a journal are refused. */
static void test_job_into(void **state)
{
    (void)state;
    const size_t n = (size_t)NX * NY * NZ;
    uint16_t *got = calloc(n, sizeof *got);
    assert_non_null(got);
    zs_volume *in = NULL;
    assert_int_equal(zs_volume_open("job_in.npy", NULL, &in), ZS_OK);
    zs_volume *out = wrap_u16(got, 1, "output");
    zs_job_opts o;
    zs_plan_opts po;
    job_opts(&o, &po);
    zs_job *job = NULL;
    assert_int_equal(zs_job_open_into(in, out, &o, &job), ZS_OK);
    assert_int_equal(zs_job_execute(job), ZS_OK);
    assert_ptr_equal(zs_job_output(job), out);
    assert_int_equal(zs_job_commit(job), ZS_OK);
    assert_int_equal(zs_job_complete(job), 1);
    zs_job_free(job);
    size_t rn = 0;
    unsigned char *ref = slurp("job_ref.npy", &rn);
    assert_true(rn > n * sizeof *got);
    assert_memory_equal(ref + rn - n * sizeof *got, got, n * sizeof *got);
    free(ref);

    /* the output is still the caller's: another job writes into it (a float32 one is refused) */
    po.has_out_dtype = 1;
    po.out_dtype.type = ZS_F32;
    assert_int_equal(zs_job_open_into(in, out, &o, &job), ZS_OK);
    assert_int_equal(zs_job_create(job), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "output: holds"));
    zs_job_free(job);
    po.has_out_dtype = 0;
    zs_volume *ro = wrap_u16(got, 0, "read-only");
    assert_int_equal(zs_job_open_into(in, ro, &o, &job), ZS_OK);
    assert_int_equal(zs_job_create(job), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "not writable"));
    zs_job_free(job);
    o.journal = ZS_JOB_RESUME;
    assert_int_equal(zs_job_open_into(in, out, &o, &job), ZS_EINVAL);
    zs_job_free(job);
    assert_int_equal(zs_job_open_into(in, NULL, &o, &job), ZS_EINVAL);
    zs_volume_free(ro);
    zs_volume_free(out);
    zs_volume_free(in);
    free(got);
}

/* A journaled job stopped by its progress callback keeps its recorded slabs; a second job
 * resumes it and the bytes are those of an uninterrupted run. */
static void test_interrupted_and_resumed(void **state)
{
    (void)state;
    zs_job_opts o;
    zs_plan_opts po;
    job_opts(&o, &po);
    po.slab = 4; /* 10 slabs */
    po.threads = 1;
    o.force = 0;
    o.journal = ZS_JOB_RESUME;
    progress_seen seen = {0, 3, 0.0};
    o.progress = on_progress;
    o.user = &seen;
    zs_job *job = NULL;
    assert_int_equal(zs_job_open("job_in.npy", "job_j.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_journaled(job), 1);
    assert_int_equal(zs_job_execute(job), ZS_ECANCELED);
    assert_non_null(strstr(zs_last_error(), "progress callback"));
    assert_int_equal(zs_job_commit(job), ZS_OK); /* records synced; not complete */
    assert_int_equal(zs_job_complete(job), 0);
    const int64_t done = zs_job_done(job);
    assert_true(done >= 3 && done < 10);
    zs_job_free(job);
    assert_int_equal(access("job_j.npy", F_OK), -1);
    assert_int_equal(access("job_j.npy.partial", F_OK), 0);
    char text[4096];
    size_t len = 0;
    zs_journal_summary sum;
    assert_int_equal(zs_journal_report("job_j.npy", 0, text, sizeof text, &len, &sum), ZS_OK);
    assert_int_equal(sum.done, done);
    assert_int_equal(sum.slabs, 10);

    /* the resume: another slab height given would be another job */
    po.slab = 5;
    assert_int_equal(zs_job_open("job_in.npy", "job_j.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_create(job), ZS_EEXIST);
    assert_non_null(strstr(zs_last_error(), "slab-height"));
    zs_job_free(job);
    po.slab = 0; /* the journal's height */
    seen.stop_after = 0, seen.calls = 0, seen.last = 0.0;
    assert_int_equal(zs_job_open("job_in.npy", "job_j.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_create(job), ZS_OK);
    assert_int_equal(zs_plan_slab_height(zs_job_get_plan(job)), 4);
    assert_int_equal(zs_job_done_before(job), done);
    assert_int_equal(zs_job_execute(job), ZS_OK);
    assert_int_equal(seen.calls, 10 - done);
    assert_int_equal(zs_job_commit(job), ZS_OK);
    assert_int_equal(zs_job_complete(job), 1);
    assert_int_equal(zs_job_done(job), 10);
    zs_job_free(job);
    assert_same_file("job_j.npy", "job_ref.npy");
    /* complete: a third run has nothing to do */
    assert_int_equal(zs_job_open("job_in.npy", "job_j.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_create(job), ZS_OK);
    assert_int_equal(zs_job_complete(job), 1);
    assert_int_equal(zs_job_execute(job), ZS_OK);
    zs_run_stats rs;
    zs_job_stats(job, &rs);
    assert_int_equal(rs.voxels, 0);
    zs_job_free(job);
    assert_int_equal(zs_journal_remove("job_j.npy"), ZS_OK);
    unlink("job_j.npy");
}

/* Two parts, one after the other, make the reference's bytes; the part that creates the journal
 * chooses the slab height for both and several parts write with pwrite. */
static void test_parts(void **state)
{
    (void)state;
    zs_job_opts o;
    zs_plan_opts po;
    job_opts(&o, &po);
    o.force = 0;
    o.nparts = 2;
    int64_t ranges[2][2];
    for (int part = 0; part < 2; part++) {
        zs_job *job = NULL;
        o.part = part;
        assert_int_equal(zs_job_open("job_in.npy", "job_p.npy", &o, &job), ZS_OK);
        assert_int_equal(zs_job_create(job), ZS_OK);
        const zs_plan *plan = zs_job_get_plan(job);
        /* two slabs per worker of each part: 2 threads x 2 parts x 2 */
        assert_true(zs_plan_slab_count(plan) >= 8);
        zs_engine r, w;
        zs_plan_engines(plan, &r, &w);
        assert_int_equal(w, ZS_ENGINE_PREAD);
        zs_job_part_range(job, &ranges[part][0], &ranges[part][1]);
        assert_int_equal(zs_job_execute(job), ZS_OK);
        assert_int_equal(zs_job_commit(job), ZS_OK);
        assert_int_equal(zs_job_complete(job), part == 1);
        zs_job_free(job);
    }
    assert_int_equal(ranges[0][0], 0);
    assert_int_equal(ranges[0][1], ranges[1][0]);
    assert_same_file("job_p.npy", "job_ref.npy");
    assert_int_equal(zs_journal_remove("job_p.npy"), ZS_OK);
    unlink("job_p.npy");
}

/* Misuse gets an error naming the problem, never a crash, and no file is left. */
static void test_misuse(void **state)
{
    (void)state;
    zs_job *job = NULL;
    zs_job_opts o;
    memset(&o, 0, sizeof o);
    assert_int_equal(zs_job_open("job_in.npy", "job_m.npy", &o, &job), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "zs_job_opts"));
    zs_job_free(job);
    job = NULL;
    zs_plan_opts po;
    job_opts(&o, &po);
    po.struct_size = 0;
    assert_int_equal(zs_job_open("job_in.npy", "job_m.npy", &o, &job), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "zs_plan_opts"));
    zs_job_free(job);
    job = NULL;
    job_opts(&o, &po);
    static const char *const bad[] = {":x"};
    o.ops = bad;
    o.nops = 1;
    assert_int_equal(zs_job_open("job_in.npy", "job_m.npy", &o, &job), ZS_EPARAM);
    assert_non_null(strstr(zs_last_error(), "job_in.npy: ':x': stage ':x': no kernel name"));
    assert_null(strstr(zs_last_error(), "--"));
    zs_job_free(job);
    job = NULL;
    job_opts(&o, &po);
    o.part = 2;
    o.nparts = 2;
    assert_int_equal(zs_job_open("job_in.npy", "job_m.npy", &o, &job), ZS_EINVAL);
    zs_job_free(job);
    job = NULL;
    job_opts(&o, &po);
    assert_int_equal(zs_job_open("no_such.npy", "job_m.npy", &o, &job), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "no_such.npy"));
    assert_int_equal(zs_job_plan(job), ZS_EINVAL); /* the input did not open */
    zs_job_free(job);
    job = NULL;
    /* a dry run plans and creates nothing */
    job_opts(&o, &po);
    o.dry_run = 1;
    o.nparts = 3;
    o.part = 1;
    assert_int_equal(zs_job_open("job_in.npy", "job_m.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_plan(job), ZS_OK);
    int64_t first, last;
    zs_job_part_range(job, &first, &last);
    const int64_t S = zs_plan_slab_count(zs_job_get_plan(job));
    assert_int_equal(first, S / 3);
    assert_int_equal(last, 2 * S / 3);
    assert_int_equal(zs_job_create(job), ZS_EINVAL);
    assert_int_equal(zs_job_execute(job), ZS_EINVAL);
    zs_job_free(job);
    assert_int_equal(access("job_m.npy.zsjournal", F_OK), -1);
    assert_int_equal(access("job_m.npy.partial", F_OK), -1);
    /* a planned job's pipeline takes no new stage */
    job_opts(&o, &po);
    assert_int_equal(zs_job_open("job_in.npy", "job_m.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_plan(job), ZS_OK);
    assert_int_equal(zs_pipeline_add(zs_job_pipeline(job), "median:size=3"), ZS_EINVAL);
    /* a plain job refuses an OUT with a journal, naming no tool's flag */
    assert_int_equal(zs_job_create(job), ZS_OK);
    zs_job_free(job); /* uncommitted: OUT.partial is removed */
    assert_int_equal(access("job_m.npy.partial", F_OK), -1);
    assert_int_equal(access("job_m.npy", F_OK), -1);
    zs_job_free(NULL);
}

/* A record says what an output was made from: a job with the same fingerprint finds the output
 * up to date; another pipeline, a touched input or a changed output make it out of date. */
static void test_records(void **state)
{
    (void)state;
    zs_job_opts o;
    zs_plan_opts po;
    job_opts(&o, &po);
    o.record = "job_r.done";
    zs_job *job = NULL;
    int ok = -1;
    char why[512];
    assert_int_equal(zs_job_open("job_in.npy", "job_r.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_up_to_date(job, &ok, why, sizeof why), ZS_OK);
    assert_int_equal(ok, 0);
    assert_string_equal(why, ""); /* neither output nor record */
    assert_int_equal(zs_job_execute(job), ZS_OK);
    assert_int_equal(zs_job_commit(job), ZS_OK);
    zs_job_free(job);
    assert_same_file("job_r.npy", "job_ref.npy");
    assert_int_equal(access("job_r.done", F_OK), 0);

    assert_int_equal(zs_job_open("job_in.npy", "job_r.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_up_to_date(job, &ok, why, sizeof why), ZS_OK);
    assert_int_equal(ok, 1);
    zs_job_free(job);

    static const char *const other[] = {"gaussian:sigma=1.5"};
    o.ops = other;
    o.nops = 1;
    assert_int_equal(zs_job_open("job_in.npy", "job_r.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_up_to_date(job, &ok, why, sizeof why), ZS_OK);
    assert_int_equal(ok, 0);
    assert_string_equal(why, "it was made with another pipeline");
    /* running it removes the record first; a failure would leave none */
    assert_int_equal(zs_job_create(job), ZS_OK);
    assert_int_equal(access("job_r.done", F_OK), -1);
    zs_job_free(job);

    /* the record is gone: out of date, saying so */
    o.ops = OPS;
    o.nops = 2;
    assert_int_equal(zs_job_open("job_in.npy", "job_r.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_up_to_date(job, &ok, why, sizeof why), ZS_OK);
    assert_int_equal(ok, 0);
    assert_non_null(strstr(why, "there is no record"));
    zs_job_free(job);
    o.record = NULL;
    assert_int_equal(zs_job_open("job_in.npy", "job_r.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_up_to_date(job, &ok, why, sizeof why), ZS_EINVAL); /* no record to check */
    zs_job_free(job);
    unlink("job_r.npy");
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("x", f);
    fclose(f);
}

/* A stack whose process died: the message says how; what a dead run left (its unlocked
 * OUT.partial, its record) is removed, a live run's partial and anything behind a link are not. */
static void test_crashed(void **state)
{
    (void)state;
    char why[512];
    assert_int_equal(zs_job_crashed("in.ims", NULL, NULL, SIGSEGV, why, sizeof why), ZS_OK);
    assert_string_equal(why, "in.ims: crashed in its decoder (SIGSEGV)");
    assert_int_equal(zs_job_crashed("in.ims", NULL, NULL, SIGBUS, why, sizeof why), ZS_OK);
    assert_string_equal(why, "in.ims: crashed in its decoder (SIGBUS)");
    assert_int_equal(zs_job_crashed("in.ims", NULL, NULL, SIGINT, why, sizeof why), ZS_OK);
    assert_string_equal(why, "in.ims: stopped (SIGINT)");
    assert_int_equal(zs_job_crashed("in.ims", NULL, NULL, SIGKILL, why, sizeof why), ZS_OK);
    assert_string_equal(why, "in.ims: killed (SIGKILL)");

    touch("job_c.npy.partial"); /* a dead run's: nobody holds it */
    touch("job_c.done");
    assert_int_equal(zs_job_crashed("job_in.npy", "job_c.npy", "job_c.done", SIGSEGV, why, sizeof why), ZS_OK);
    assert_int_equal(access("job_c.npy.partial", F_OK), -1);
    assert_int_equal(access("job_c.done", F_OK), -1);

    zs_job_opts o; /* a live run's partial (claimed by this process) stays */
    zs_plan_opts po;
    job_opts(&o, &po);
    zs_job *job = NULL;
    assert_int_equal(zs_job_open("job_in.npy", "job_c.npy", &o, &job), ZS_OK);
    assert_int_equal(zs_job_create(job), ZS_OK);
    assert_int_equal(zs_job_crashed("job_in.npy", "job_c.npy", NULL, SIGSEGV, why, sizeof why), ZS_OK);
    assert_int_equal(access("job_c.npy.partial", F_OK), 0);
    zs_job_free(job);
    assert_int_equal(access("job_c.npy.partial", F_OK), -1);

    touch("job_c_victim"); /* a link is never followed nor removed */
    assert_int_equal(symlink("job_c_victim", "job_c.npy.partial"), 0);
    assert_int_equal(zs_job_crashed("job_in.npy", "job_c.npy", NULL, SIGSEGV, why, sizeof why), ZS_OK);
    assert_int_equal(access("job_c_victim", F_OK), 0);
    assert_int_equal(unlink("job_c.npy.partial"), 0);
    unlink("job_c_victim");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_job),
        cmocka_unit_test(test_job_into),
        cmocka_unit_test(test_interrupted_and_resumed),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_crashed),
    };
    return cmocka_run_group_tests_name("jobs", tests, setup, teardown);
}
