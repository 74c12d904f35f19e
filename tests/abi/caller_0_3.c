/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A program built against 0.3's header (tests/abi/0.3/zslab.h, as released), run against this
 * library: its options made by the _default() functions, its zs_volume_info and zs_run_stats
 * without struct_size, must work, and no call may write past its structs (each is followed by
 * guard bytes). Usage: caller_0_3 DIR (where it writes two small volumes). */
#include "0.3/zslab.h"

#include <stdio.h>
#include <string.h>

#define GUARD 64
#define GUARDED(type)                                                                                                  \
    struct {                                                                                                           \
        type s;                                                                                                        \
        unsigned char guard[GUARD];                                                                                    \
    }

static int failures;
#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "caller_0_3:%d: %s failed (%s)\n", __LINE__, #cond, zs_last_error());                      \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)
#define GUARD_SET(g)  memset((g).guard, 0xcd, GUARD)
#define GUARD_KEPT(g) guard_kept((g).guard)

static int guard_kept(const unsigned char *g)
{
    for (int i = 0; i < GUARD; i++)
        if (g[i] != 0xcd) return 0;
    return 1;
}

/* A 16x12x8 float32 ramp at `path`, through 0.3's zs_volume_info and zs_create_opts. */
static void make_input(const char *path)
{
    GUARDED(zs_volume_info) spec;
    GUARD_SET(spec);
    zs_volume_info_init(&spec.s);
    CHECK(GUARD_KEPT(spec));
    spec.s.shape[0] = 16, spec.s.shape[1] = 12, spec.s.shape[2] = 8;
    CHECK(zs_dtype_parse("float32", &spec.s.dtype) == ZS_OK);
    GUARDED(zs_create_opts) co;
    GUARD_SET(co);
    zs_create_opts_default(&co.s);
    CHECK(GUARD_KEPT(co));
    co.s.force = 1;
    zs_volume *v = NULL;
    CHECK(zs_volume_create(path, &spec.s, &co.s, &v) == ZS_OK);
    CHECK(v && zs_volume_fill(v, ZS_PATTERN_RAMP, 1, 1) == ZS_OK);
    CHECK(v && zs_volume_commit(v) == ZS_OK);
    zs_volume_free(v);
}

/* Reads the input back through 0.3's view of the descriptor the library owns. */
static zs_volume *open_input(const char *path)
{
    GUARDED(zs_open_opts) oo;
    GUARD_SET(oo);
    zs_open_opts_default(&oo.s);
    CHECK(GUARD_KEPT(oo));
    zs_volume *in = NULL;
    CHECK(zs_volume_open(path, &oo.s, &in) == ZS_OK);
    const zs_volume_info *i = zs_volume_get_info(in);
    CHECK(i && strcmp(i->path, path) == 0 && strcmp(i->data_path, path) == 0);
    CHECK(i && i->shape[0] == 16 && i->shape[1] == 12 && i->shape[2] == 8 && i->shape[3] == 1);
    CHECK(i && i->dtype.type == ZS_F32 && i->format == ZS_FMT_NPY && i->slope == 1.0 && i->voxel[2] == 1.0);
    uint64_t plane = 0, volume = 0;
    CHECK(i && zs_volume_info_sizes(i, &plane, &volume, NULL) == ZS_OK && plane == 16 * 12 * 4 && volume == 8 * plane);
    zs_slab s;
    CHECK(i && zs_slab_make(i, 0, 2, 4, 1, &s) == ZS_OK && s.lo == 1 && s.hi == 5);
    char text[256];
    CHECK(i && zs_volume_info_describe(i, 0, text, sizeof text) > 0 && strstr(text, "16"));
    return in;
}

/* Plans, creates the output from 0.3's output spec and runs with 0.3's options and statistics. */
static void run(zs_volume *in, const char *out_path)
{
    zs_pipeline *p = NULL;
    CHECK(zs_pipeline_new(&p) == ZS_OK && zs_pipeline_add(p, "gaussian:sigma=1") == ZS_OK);
    GUARDED(zs_plan_opts) po;
    GUARD_SET(po);
    zs_plan_opts_default(&po.s);
    CHECK(GUARD_KEPT(po));
    po.s.threads = 2;
    zs_plan *plan = NULL;
    CHECK(zs_plan_create(zs_volume_get_info(in), p, &po.s, &plan) == ZS_OK);
    GUARDED(zs_volume_info) spec;
    GUARD_SET(spec);
    zs_plan_output_spec(plan, &spec.s);
    CHECK(GUARD_KEPT(spec) && spec.s.shape[2] == 8 && spec.s.dtype.type == ZS_F32);
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = 1; /* a run before left it */
    zs_volume *out = NULL;
    CHECK(zs_volume_create(out_path, &spec.s, &co, &out) == ZS_OK);
    if (!out) return;
    GUARDED(zs_exec_opts) eo;
    GUARD_SET(eo);
    zs_exec_opts_default(&eo.s);
    CHECK(GUARD_KEPT(eo));
    GUARDED(zs_run_stats) st;
    memset(&st.s, 0xee, sizeof st.s);
    GUARD_SET(st);
    CHECK(zs_plan_execute(plan, in, out, &eo.s, &st.s) == ZS_OK);
    CHECK(GUARD_KEPT(st));
    CHECK(st.s.voxels == 16 * 12 * 8 && st.s.threads == zs_plan_threads(plan) && st.s.seconds >= 0);
    CHECK(memchr(st.s.note, '\0', sizeof st.s.note) != NULL);
    CHECK(zs_volume_commit(out) == ZS_OK);
    zs_volume_free(out);
    zs_plan_free(plan);
    zs_pipeline_free(p);
}

/* The job layer and the system facts, with 0.3's structs. */
static void job_and_system(const char *in_path, const char *out_path)
{
    GUARDED(zs_job_opts) jo;
    GUARD_SET(jo);
    zs_job_opts_default(&jo.s);
    CHECK(GUARD_KEPT(jo));
    const char *ops[] = {"uniform:size=3"};
    jo.s.ops = ops, jo.s.nops = 1, jo.s.force = 1;
    zs_job *job = NULL;
    CHECK(zs_job_open(in_path, out_path, &jo.s, &job) == ZS_OK);
    CHECK(zs_job_execute(job) == ZS_OK && zs_job_commit(job) == ZS_OK);
    GUARDED(zs_run_stats) st;
    GUARD_SET(st);
    zs_job_stats(job, &st.s);
    CHECK(GUARD_KEPT(st) && st.s.voxels == 16 * 12 * 8);
    zs_job_free(job);
    GUARDED(zs_sys_info) si;
    GUARD_SET(si);
    zs_sys_info_get(&si.s);
    CHECK(GUARD_KEPT(si) && si.s.page_size == zs_sys_page_size() && si.s.cores >= 1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: caller_0_3 DIR\n");
        return 2;
    }
    char in[1024], out[1024], job_out[1024];
    snprintf(in, sizeof in, "%s/abi_in.npy", argv[1]);
    snprintf(out, sizeof out, "%s/abi_out.npy", argv[1]);
    snprintf(job_out, sizeof job_out, "%s/abi_job.npy", argv[1]);
    printf("built against zslab.h %s, running with libzslab %s\n", ZS_VERSION_STRING, zs_version_string());
    make_input(in);
    zs_volume *v = open_input(in);
    if (v) run(v, out);
    zs_volume_free(v);
    job_and_system(in, job_out);
    if (failures) fprintf(stderr, "caller_0_3: %d checks failed\n", failures);
    return failures ? 1 : 0;
}
