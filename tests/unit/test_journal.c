/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The journal (scheduler/journal.c): parts give the bytes of one run, recorded slabs are
 * skipped, fingerprints are compared field by field, torn and foreign record lines are
 * ignored, a failed creator leaves nothing, the report says complete or not, and
 * drop_cache leaves neither the input's nor the output's pages in the page cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "zs_internal.h"
#include "zs_test_util.h"

typedef struct fixture {
    char dir[64];
    char in[128], ref[128], out[128];
    unsigned char *ref_bytes;
    size_t ref_size;
} fixture;

static void path_in(const fixture *fx, const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", fx->dir, name);
}

static zs_pipeline *pipeline(const char *spec)
{
    zs_pipeline *p = NULL;
    assert_int_equal(zs_pipeline_new(&p), ZS_OK);
    assert_int_equal(zs_pipeline_add(p, spec), ZS_OK);
    return p;
}

static zs_plan *plan_for(const zs_volume *in, const zs_pipeline *p, int64_t slab, int threads)
{
    zs_plan_opts po;
    zs_plan_opts_default(&po);
    po.slab = slab;
    po.threads = threads;
    po.bind = 0;
    zs_plan *plan = NULL;
    assert_int_equal(zs_plan_create(zs_volume_get_info(in), p, &po, &plan), ZS_OK);
    return plan;
}

static zs_volume *open_in(const fixture *fx)
{
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_open(fx->in, NULL, &v), ZS_OK);
    return v;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "journal.XXXXXX");
    if (!mkdtemp(fx->dir)) return -1;
    path_in(fx, "in.npy", fx->in, sizeof fx->in);
    path_in(fx, "ref.npy", fx->ref, sizeof fx->ref);
    path_in(fx, "out.npy", fx->out, sizeof fx->out);
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = 32, spec.shape[1] = 24, spec.shape[2] = 20;
    spec.dtype.type = ZS_U16;
    zs_volume *v = NULL;
    if (zs_volume_create(fx->in, &spec, NULL, &v) < 0 || zs_volume_fill(v, ZS_PATTERN_PHANTOM, 3, 1) < 0 ||
        zs_volume_commit(v) < 0)
        return -1;
    zs_volume_free(v);
    /* the reference: one plain run */
    zs_volume *in = open_in(fx);
    zs_pipeline *p = pipeline("gaussian:sigma=1");
    zs_plan *plan = plan_for(in, p, 3, 2);
    zs_volume_info os;
    zs_plan_output_spec(plan, &os);
    zs_volume *out = NULL;
    if (zs_volume_create(fx->ref, &os, NULL, &out) < 0 || zs_plan_execute(plan, in, out, NULL, NULL) < 0 ||
        zs_volume_commit(out) < 0)
        return -1;
    zs_volume_free(out);
    zs_plan_free(plan);
    zs_pipeline_free(p);
    zs_volume_free(in);
    fx->ref_bytes = zs_test_slurp(fx->ref, &fx->ref_size);
    *state = fx;
    return fx->ref_bytes ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    zs_test_remove_tree(fx->dir);
    free(fx->ref_bytes);
    free(fx);
    return 0;
}

static void assert_same_as_ref(const fixture *fx, const char *path)
{
    size_t n = 0;
    unsigned char *b = zs_test_slurp(path, &n);
    assert_non_null(b);
    assert_int_equal(n, fx->ref_size);
    assert_memory_equal(b, fx->ref_bytes, n);
    free(b);
}

/* One part: begin, plan (the journal's slab height, else `slab`), attach, run, finish. */
static zs_status run_part(const fixture *fx, const char *spec, int64_t part, int64_t nparts, int64_t slab,
                          int64_t stop_after, int *complete)
{
    zs_journal_opts jo;
    zs_journal_opts_default(&jo);
    jo.part = part, jo.nparts = nparts;
    zs_journal *j = NULL;
    zs_status st = zs_journal_begin(fx->out, &jo, &j);
    if (st < 0) return st;
    zs_volume *in = open_in(fx);
    zs_pipeline *p = pipeline(spec);
    zs_plan *plan = plan_for(in, p, zs_journal_slab_height(j) ? zs_journal_slab_height(j) : slab, 2);
    zs_volume *out = NULL;
    st = zs_journal_attach(j, plan, &out);
    if (st == ZS_OK && out) {
        zs_exec_opts eo;
        zs_exec_opts_default(&eo);
        zs_journal_part_range(j, &eo.first_slab, &eo.last_slab);
        if (stop_after) eo.last_slab = eo.first_slab + stop_after;
        eo.journal = j;
        if (eo.first_slab < eo.last_slab) st = zs_plan_execute(plan, in, out, &eo, NULL);
    }
    if (st == ZS_OK) st = zs_journal_finish(j, NULL, complete);
    zs_journal_free(j);
    zs_plan_free(plan);
    zs_pipeline_free(p);
    zs_volume_free(in);
    return st;
}

static void test_parts(void **state)
{
    fixture *fx = *state;
    int complete = -1;
    const int64_t order[] = {2, 0, 3, 1};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(run_part(fx, "gaussian:sigma=1", order[k], 4, 2, 0, &complete), ZS_OK);
        assert_int_equal(complete, k == 3);
        assert_int_equal(access(fx->out, F_OK) == 0, k == 3);
    }
    assert_same_as_ref(fx, fx->out);
    char partial[160];
    snprintf(partial, sizeof partial, "%s.partial", fx->out);
    assert_int_not_equal(access(partial, F_OK), 0);
    /* once complete, a part has nothing to do and says so */
    assert_int_equal(run_part(fx, "gaussian:sigma=1", 1, 4, 2, 0, &complete), ZS_OK);
    assert_int_equal(complete, 1);
}

static void test_resume_skips_recorded(void **state)
{
    fixture *fx = *state;
    int complete = -1;
    assert_int_equal(run_part(fx, "gaussian:sigma=1", 0, 1, 2, 4, &complete), ZS_OK); /* 4 of 10 slabs */
    assert_int_equal(complete, 0);
    zs_journal *j = NULL;
    assert_int_equal(zs_journal_begin(fx->out, NULL, &j), ZS_OK);
    assert_int_equal(zs_journal_creating(j), 0);
    assert_int_equal(zs_journal_slab_height(j), 2);
    zs_volume *in = open_in(fx);
    zs_pipeline *p = pipeline("gaussian:sigma=1");
    zs_plan *plan = plan_for(in, p, 2, 1);
    zs_volume *out = NULL;
    assert_int_equal(zs_journal_attach(j, plan, &out), ZS_OK);
    assert_non_null(out);
    assert_int_equal(zs_journal_done_count(j, 0, 10), 4);
    zs_exec_opts eo;
    zs_exec_opts_default(&eo);
    eo.journal = j;
    zs_run_stats rs;
    assert_int_equal(zs_plan_execute(plan, in, out, &eo, &rs), ZS_OK);
    assert_int_equal(rs.voxels, 6u * 2u * 32u * 24u); /* only the 6 missing slabs ran */
    int64_t done = 0;
    assert_int_equal(zs_journal_finish(j, &done, &complete), ZS_OK);
    assert_int_equal(done, 10);
    assert_int_equal(complete, 1);
    zs_journal_free(j);
    zs_plan_free(plan);
    zs_pipeline_free(p);
    zs_volume_free(in);
    assert_same_as_ref(fx, fx->out);
}

static void test_fingerprint(void **state)
{
    fixture *fx = *state;
    int complete = -1;
    assert_int_equal(run_part(fx, "gaussian:sigma=1", 0, 2, 2, 0, &complete), ZS_OK);
    assert_int_equal(run_part(fx, "gaussian:sigma=2", 1, 2, 2, 0, &complete), ZS_EEXIST);
    assert_non_null(strstr(zs_last_error(), "pipeline is 'gaussian:sigma=1"));
    assert_non_null(strstr(zs_last_error(), "belongs to another job"));
    /* the slab height is part of the job */
    zs_journal *j = NULL;
    assert_int_equal(zs_journal_begin(fx->out, NULL, &j), ZS_OK);
    zs_volume *in = open_in(fx);
    zs_pipeline *p = pipeline("gaussian:sigma=1");
    zs_plan *plan = plan_for(in, p, 5, 1);
    zs_volume *out = NULL;
    assert_int_equal(zs_journal_attach(j, plan, &out), ZS_EEXIST);
    assert_non_null(strstr(zs_last_error(), "slab-height is '2' there, '5' here"));
    zs_journal_free(j);
    zs_plan_free(plan);
    zs_pipeline_free(p);
    zs_volume_free(in);
    /* a new journal is refused where one exists */
    zs_journal_opts jo;
    zs_journal_opts_default(&jo);
    jo.role = ZS_JOURNAL_NEW;
    assert_int_equal(zs_journal_begin(fx->out, &jo, &j), ZS_EEXIST);
    assert_non_null(strstr(zs_last_error(), "a journal exists"));
    /* the right job still completes */
    assert_int_equal(run_part(fx, "gaussian:sigma=1", 1, 2, 2, 0, &complete), ZS_OK);
    assert_int_equal(complete, 1);
    assert_same_as_ref(fx, fx->out);
}

static void test_record_lines(void **state)
{
    fixture *fx = *state;
    int complete = -1;
    assert_int_equal(run_part(fx, "gaussian:sigma=1", 0, 1, 2, 1, &complete), ZS_OK); /* slab 0 */
    char path[256];
    snprintf(path, sizeof path, "%s.zsjournal/part-7-of-9", fx->out);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* slab 1 with the wrong planes, a stranger, slab 99 of 10, slab 3 right, slab 5 torn */
    fputs("slab 1 0 2 5\nhello world\nslab 99 0 0 2\nslab 3 0 6 8\nslab 5 0 10", f);
    fclose(f);
    zs_journal *j = NULL;
    assert_int_equal(zs_journal_begin(fx->out, NULL, &j), ZS_OK);
    zs_volume *in = open_in(fx);
    zs_pipeline *p = pipeline("gaussian:sigma=1");
    zs_plan *plan = plan_for(in, p, 2, 1);
    zs_volume *out = NULL;
    assert_int_equal(zs_journal_attach(j, plan, &out), ZS_OK);
    assert_int_equal(zs_journal_done_count(j, 0, 10), 2); /* slabs 0 and 3 */
    assert_int_equal(zs_journal_done_count(j, 3, 4), 1);
    assert_int_equal(zs_journal_done_count(j, 5, 6), 0);
    zs_journal_free(j);
    zs_plan_free(plan);
    zs_pipeline_free(p);
    zs_volume_free(in);
    /* part 7/9 starts its next record on a new line */
    assert_int_equal(run_part(fx, "gaussian:sigma=1", 7, 9, 2, 0, &complete), ZS_OK);
    size_t n = 0;
    unsigned char *text = zs_test_slurp(path, &n);
    assert_non_null(text);
    assert_null(strstr((char *)text, "0 10slab"));
    free(text);
}

static void test_report(void **state)
{
    fixture *fx = *state;
    zs_journal_summary sum;
    char buf[4096];
    size_t len = 0;
    assert_int_equal(zs_journal_report(fx->out, 0, buf, sizeof buf, &len, &sum), ZS_EIO); /* nothing there */
    int complete = -1;
    assert_int_equal(run_part(fx, "gaussian:sigma=1", 1, 2, 2, 0, &complete), ZS_OK);
    assert_int_equal(zs_journal_report(fx->out, 0, buf, sizeof buf, &len, &sum), ZS_OK);
    assert_int_equal(strlen(buf), len);
    assert_int_equal(sum.complete, 0);
    assert_int_equal(sum.slabs, 10);
    assert_int_equal(sum.done, 5);
    assert_non_null(strstr(buf, "incomplete, 5 of 10 slabs"));
    assert_non_null(strstr(buf, "part 1/2"));
    assert_non_null(strstr(buf, "missing:   slabs 0-4"));
    char small[8];
    size_t need = 0;
    assert_int_equal(zs_journal_report(fx->out, 0, small, sizeof small, &need, NULL), ZS_OK);
    assert_int_equal(need, len);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(run_part(fx, "gaussian:sigma=1", 0, 2, 2, 0, &complete), ZS_OK);
    assert_int_equal(zs_journal_report(fx->out, 1, buf, sizeof buf, &len, &sum), ZS_OK);
    assert_int_equal(strlen(buf), len);
    assert_int_equal(sum.complete, 1);
    assert_non_null(strstr(buf, "\"complete\": true"));
    assert_non_null(strstr(buf, "\"missing\": []"));
    /* removal leaves the complete output alone */
    assert_int_equal(zs_journal_remove(fx->out), ZS_OK);
    assert_int_equal(zs_journal_exists(fx->out), 0);
    assert_int_equal(zs_journal_report(fx->out, 0, buf, sizeof buf, &len, &sum), ZS_OK);
    assert_int_equal(strlen(buf), len);
    assert_int_equal(sum.complete, 1);
    assert_int_equal(sum.journal, 0);
}

static void test_creator_failure_and_plain_output(void **state)
{
    fixture *fx = *state;
    zs_journal *j = NULL;
    assert_int_equal(zs_journal_begin(fx->out, NULL, &j), ZS_OK);
    assert_int_equal(zs_journal_creating(j), 1);
    assert_int_equal(zs_journal_exists(fx->out), 1);
    zs_journal_free(j); /* failed before publishing: nothing stays */
    assert_int_equal(zs_journal_exists(fx->out), 0);
    /* an output written without a journal is not taken over */
    assert_int_equal(link(fx->ref, fx->out), 0);
    assert_int_equal(zs_journal_begin(fx->out, NULL, &j), ZS_EEXIST);
    assert_non_null(strstr(zs_last_error(), "has no journal"));
    zs_journal_opts jo;
    zs_journal_opts_default(&jo);
    jo.part = 2, jo.nparts = 2;
    assert_int_equal(zs_journal_begin(fx->out, &jo, &j), ZS_EINVAL);
    /* the creator's output options are checked like every option struct */
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.struct_size = 8;
    jo.part = 0, jo.nparts = 1;
    jo.create = &co;
    assert_int_equal(zs_journal_begin(fx->out, &jo, &j), ZS_EINVAL);
    assert_non_null(strstr(zs_last_error(), "zs_create_opts"));
    assert_null(j);
}

static void test_drop_cache(void **state)
{
    fixture *fx = *state;
    struct statfs sf;
    if (statfs(fx->dir, &sf) == 0 && (unsigned long)sf.f_type == 0x01021994UL) {
        zs_test_skip("tmpfs keeps its pages in memory by design: nothing to drop here");
    }
    /* a volume of several pages per plane, so that whole pages can be dropped */
    char in_path[160], out_path[160];
    path_in(fx, "big.npy", in_path, sizeof in_path);
    path_in(fx, "big-out.npy", out_path, sizeof out_path);
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = 256, spec.shape[1] = 256, spec.shape[2] = 32;
    spec.dtype.type = ZS_U16;
    zs_volume *v = NULL;
    assert_int_equal(zs_volume_create(in_path, &spec, NULL, &v), ZS_OK);
    assert_int_equal(zs_volume_fill(v, ZS_PATTERN_RAMP, 0, 1), ZS_OK);
    assert_int_equal(zs_volume_commit(v), ZS_OK);
    zs_volume_free(v);
    /* The same run without and with the drop, each from a cold input (a clean file: pages just
     * written are dirty and cannot be dropped). The drop cannot leave nothing: a worker faulting
     * in its first planes also reads around the fault, into planes a neighbouring slab may have
     * dropped already, and on a loaded machine slabs end out of order and more pages come back
     * (0.26 of the input was seen). The bound: with the drop, at most half of what the run
     * leaves resident without it, for the input and for the output; without the drop, both are
     * mostly resident, so that the comparison means something. */
    double rin[2], rout[2];
    for (int drop = 0; drop < 2; drop++) {
        assert_int_equal(zs_file_drop_cache(in_path), ZS_OK);
        zs_volume *in = NULL, *out = NULL;
        assert_int_equal(zs_volume_open(in_path, NULL, &in), ZS_OK);
        zs_pipeline *p = pipeline("gaussian:sigma=1");
        zs_plan *plan = plan_for(in, p, 4, 2);
        zs_volume_info os;
        zs_plan_output_spec(plan, &os);
        zs_create_opts co;
        zs_create_opts_default(&co);
        co.force = 1;
        assert_int_equal(zs_volume_create(out_path, &os, &co, &out), ZS_OK);
        zs_exec_opts eo;
        zs_exec_opts_default(&eo);
        eo.drop_cache = drop;
        assert_int_equal(zs_plan_execute(plan, in, out, &eo, NULL), ZS_OK);
        assert_int_equal(zs_volume_commit(out), ZS_OK);
        rin[drop] = rout[drop] = -1;
        assert_int_equal(zs_file_residency(in_path, &rin[drop]), ZS_OK);
        assert_int_equal(zs_file_residency(out_path, &rout[drop]), ZS_OK);
        print_message("drop_cache %d: input %.2f resident, output %.2f\n", drop, rin[drop], rout[drop]);
        zs_volume_free(out);
        zs_plan_free(plan);
        zs_pipeline_free(p);
        zs_volume_free(in);
    }
    if (rin[0] < 0.8 || rout[0] < 0.8)
        fail_msg("without the drop only %.2f of the input and %.2f of the output stay resident: the comparison "
                 "would prove nothing",
                 rin[0], rout[0]);
    if (rin[1] > 0.5 * rin[0] || rout[1] > 0.5 * rout[0])
        fail_msg("with the drop %.2f of the input and %.2f of the output stay resident, more than half of %.2f and "
                 "%.2f without it",
                 rin[1], rout[1], rin[0], rout[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_skips_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fingerprint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_creator_failure_and_plain_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop_cache, setup, teardown),
    };
    return zs_test_exit(cmocka_run_group_tests_name("journal", tests, NULL, NULL));
}
