/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* I/O versus compute: the phases of the slab path measured one by one and end to end.
 *
 * Each phase is zs_plan_execute with a phase mask (see enum zs_phase), so the benchmark
 * measures the very code that filters: read and store go through the same engines and
 * mappings, compute through the same kernels and buffers. Uses only the public API. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "bench_internal.h"
#include "zs_internal.h"
#include "zslab.h"

const char *const zs__bench_phase_names[PH_COUNT] = {"read", "load", "compute", "store", "end-to-end"};
static const unsigned phase_mask[PH_COUNT] = {ZS_PHASE_READ, ZS_PHASE_READ | ZS_PHASE_CONVERT, ZS_PHASE_COMPUTE,
                                              ZS_PHASE_STORE, ZS_PHASE_ALL};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct bench_ctx {
    const zs_bench_opts *o;
    zs_volume *in;
    zs_pipeline *pipe;
    char out_path[PATH_MAX];
    int setting, nsettings;
    int noted;  /* a fallback of the direct engine was reported */
    int probed; /* dev holds the device probe (--cold, before the first setting) */
    zs_bench_device dev;
} bench_ctx;

/* One run of one phase; returns seconds or a negative status. */
static zs_status run_once(bench_ctx *c, const zs_plan *plan, int ph, double *secs, double *bytes)
{
    const zs_bench_opts *o = c->o;
    if (o->cold) (void)zs_file_drop_cache(o->input);
    zs_exec_opts eo;
    zs_exec_opts_init(&eo);
    eo.phases = phase_mask[ph];
    zs_run_stats rs;
    zs_volume *out = NULL;
    const int writes = ph == PH_STORE || ph == PH_E2E;
    double t0 = now();
    zs_status st = ZS_OK;
    if (writes) {
        zs_volume_info spec;
        zs_plan_output_spec(plan, &spec);
        zs_create_opts co;
        zs_create_opts_init(&co);
        co.force = 1;
        co.direct = 1;
        st = zs_volume_create(c->out_path, &spec, &co, &out);
    }
    if (st == ZS_OK) st = zs_plan_execute(plan, c->in, out, &eo, &rs);
    if (st == ZS_OK && rs.note[0] && !c->noted) { /* direct I/O fell back: the figures are pread's */
        fprintf(stderr, "zslab bench: note: %s\n", rs.note);
        c->noted = 1;
    }
    if (st == ZS_OK && writes && o->cold) {
        int fd = open(c->out_path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            (void)fdatasync(fd);
            close(fd);
        }
    }
    double t1 = now();
    zs_volume_free(out);
    if (writes) unlink(c->out_path);
    if (st < 0) return st;
    *secs = t1 - t0;
    *bytes = (double)rs.bytes_read + (double)rs.bytes_written;
    return ZS_OK;
}

static zs_status measure(bench_ctx *c, const zs_plan *plan, int ph, phase_result *r)
{
    const int n = c->o->repeat > 0 ? c->o->repeat : 5;
    double t[64];
    for (int i = 0; i < n && i < 64; i++) {
        if (c->o->progress)
            fprintf(stderr, "\rzslab bench: setting %d/%d, %-10s run %d/%d   ", c->setting + 1, c->nsettings,
                    zs__bench_phase_names[ph], i + 1, n);
        zs_status st = run_once(c, plan, ph, &t[i], &r->bytes);
        if (st < 0) return st;
    }
    const int m = n < 64 ? n : 64;
    qsort(t, (size_t)m, sizeof t[0], cmp_double);
    r->min = t[0];
    r->max = t[m - 1];
    r->med = m % 2 ? t[m / 2] : 0.5 * (t[m / 2 - 1] + t[m / 2]);
    return ZS_OK;
}

/* A warm run's input is in the page cache: read once here, so that --engine auto plans for the
 * cached input it measures (a cold read through a direct engine would leave it uncached). */
static void warm_input(const bench_ctx *c)
{
    const zs_volume_info *i = zs_volume_get_info(c->in);
    const size_t n = (size_t)1 << 22;
    char *buf = malloc(n);
    const int fd = buf ? open(i->data_path[0] ? i->data_path : i->path, O_RDONLY | O_CLOEXEC) : -1;
    for (off_t off = 0; fd >= 0 && pread(fd, buf, n, off) > 0; off += (off_t)n) {}
    if (fd >= 0) close(fd);
    free(buf);
}

static zs_status measure_setting(bench_ctx *c, setting_result *s)
{
    zs_plan_opts po;
    zs_plan_opts_init(&po);
    po.threads = s->threads;
    po.slab = s->slab;
    po.band = s->band;
    po.mem_budget = c->o->mem_budget;
    po.read_engine = po.write_engine = s->engine;
    po.out_dtype = c->o->out_dtype;
    po.has_out_dtype = c->o->has_out_dtype;
    po.precision = c->o->precision;
    zs_plan *plan = NULL;
    if (c->o->cold)
        (void)zs_file_drop_cache(c->o->input); /* --engine auto plans for a cold input */
    else if (s->engine == ZS_ENGINE_AUTO && zs_volume_get_info(c->in)->nbytes < zs_sys_available_memory() / 2)
        warm_input(c); /* ... and for a cached one */
    zs_status st = zs_plan_create(zs_volume_get_info(c->in), c->pipe, &po, &plan);
    if (st < 0) return st;
    s->threads = zs_plan_threads(plan);
    s->slab = zs_plan_slab_height(plan);
    s->band = zs_plan_band_height(plan);
    zs_engine wr;
    zs_plan_engines(plan, &s->engine, &wr);
    s->precision = zs_plan_precision(plan);
    if (c->o->cold && !c->probed) { /* the device under the output, for the job's bytes */
        zs_volume_info spec;
        zs_plan_output_spec(plan, &spec);
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", c->out_path);
        char *slash = strrchr(dir, '/');
        *slash = '\0'; /* open_all made it DIR/.zslab-bench-PID.npy */
        if (c->o->progress) fprintf(stderr, "\rzslab bench: measuring the device under %s   ", dir);
        zs__bench_device(dir, zs_volume_get_info(c->in)->nbytes, spec.nbytes, &c->dev);
        c->probed = 1;
    }
    for (int ph = 0; ph < PH_COUNT && st == ZS_OK; ph++) st = measure(c, plan, ph, &s->ph[ph]);
    zs_plan_free(plan);
    return st;
}

/* ---- reporting ------------------------------------------------------------------------- */
static double voxels_of(const zs_volume_info *i)
{
    return (double)i->shape[0] * (double)i->shape[1] * (double)i->shape[2] * (double)i->shape[3];
}

double zs__bench_io_s(const setting_result *s) { return s->ph[PH_READ].med + s->ph[PH_STORE].med; }
double zs__bench_bound_s(const zs_bench_device *d, const setting_result *s)
{
    const double comp = s->ph[PH_COMPUTE].med;
    return d && d->measured && d->job_s > comp ? d->job_s : comp;
}

double zs__bench_overlap(const setting_result *s)
{
    double io = zs__bench_io_s(s), comp = s->ph[PH_COMPUTE].med;
    return (io > comp ? io : comp) / s->ph[PH_E2E].med;
}

/* The device block of a cold run: what the storage did alone and together, and the job's bound. */
static void print_device(FILE *f, const zs_bench_device *d)
{
    if (!d->measured) {
        fprintf(f, "device: not measured (%s)\n", d->why);
        return;
    }
    fprintf(f,
            "device: %s, direct I/O in 4 MiB requests: write %.2f GB/s, read %.2f GB/s alone (%.0f MiB); "
            "read and write together %.2f GB/s (%.0f + %.0f MiB)\n",
            d->dir, d->write_bps / 1e9, d->read_bps / 1e9, (double)d->probe_bytes / 1048576.0, d->together_bps / 1e9,
            (double)d->together_read / 1048576.0, (double)d->together_written / 1048576.0);
    fprintf(f, "device bound: %.3f s for the job's %.1f MiB in and %.1f MiB out at that rate\n", d->job_s,
            (double)d->job_read / 1048576.0, (double)d->job_written / 1048576.0);
}

static void print_table(FILE *f, const bench_ctx *c, const setting_result *r, int n, int best)
{
    const zs_volume_info *in = zs_volume_get_info(c->in);
    const double vox = voxels_of(in);
    if (c->probed) print_device(f, &c->dev);
    for (int i = 0; i < n; i++) {
        const setting_result *s = &r[i];
        fprintf(f, "%s threads=%d slab=%lld band=%lld engine=%s precision=%s\n", i == best ? "*" : " ", s->threads,
                (long long)s->slab, (long long)s->band, zs_engine_name(s->engine), zs_precision_name(s->precision));
        fprintf(f, "    %-11s %9s %9s %9s %9s %9s\n", "phase", "median_s", "min_s", "max_s", "GB/s", "Mvox/s");
        for (int ph = 0; ph < PH_COUNT; ph++) {
            const phase_result *p = &s->ph[ph];
            char gbs[32] = "-";
            if (p->bytes > 0) snprintf(gbs, sizeof gbs, "%.2f", p->bytes / p->med / 1e9);
            fprintf(f, "    %-11s %9.3f %9.3f %9.3f %9s %9.1f\n", zs__bench_phase_names[ph], p->med, p->min, p->max,
                    gbs, vox / p->med / 1e6);
        }
        double io = zs__bench_io_s(s), comp = s->ph[PH_COMPUTE].med;
        fprintf(f, "    bound: %s (read+store %.3f s vs compute %.3f s), overlap efficiency %.2f\n",
                io > comp ? "I/O" : "compute", io, comp, zs__bench_overlap(s));
        if (c->probed && c->dev.measured)
            fprintf(f, "    end-to-end %.2fx the job's bound (%s %.3f s)\n",
                    s->ph[PH_E2E].med / zs__bench_bound_s(&c->dev, s), c->dev.job_s > comp ? "device" : "compute",
                    zs__bench_bound_s(&c->dev, s));
    }
    if (n > 1) fprintf(f, "* fastest end-to-end\n");
    if (c->probed && c->dev.measured && r[best].ph[PH_E2E].med < 0.9 * zs__bench_bound_s(&c->dev, &r[best]))
        fprintf(f,
                "note: the fastest setting beat the device bound by %.0f%%: the device was faster during the runs "
                "than when it was measured (a shared or virtual disk, or a cache under it); the bound is one "
                "measurement, taken before the first setting\n",
                100.0 * (1.0 - r[best].ph[PH_E2E].med / zs__bench_bound_s(&c->dev, &r[best])));
}

static const char *fs_type_name(const char *path)
{
    struct statfs sf;
    if (statfs(path, &sf) != 0) return "unknown";
    switch ((unsigned long)sf.f_type) {
    case 0xEF53:
        return "ext4";
    case 0x58465342:
        return "xfs";
    case 0x9123683E:
        return "btrfs";
    case 0x01021994:
        return "tmpfs";
    case 0x6969:
        return "nfs";
    case 0x794C7630:
        return "overlayfs";
    case 0x0BD00BD0:
        return "lustre";
    case 0x47504653:
        return "gpfs";
    case 0x65735546:
        return "fuse";
    case 0x2FC12FC1:
        return "zfs";
    case 0x73717368:
        return "squashfs";
    default:
        return "other";
    }
}

/* "device": null (not --cold), {"measured": false, "why": ...} or the probe's figures. */
static void json_device(FILE *f, const bench_ctx *c)
{
    const zs_bench_device *d = &c->dev;
    char q[6 * sizeof d->dir + 3];
    if (!c->probed) {
        fputs(" \"device\": null,\n", f);
        return;
    }
    if (!d->measured) {
        zs_json_quote(d->why, q, sizeof q);
        fprintf(f, " \"device\": {\"measured\": false, \"why\": %s},\n", q);
        return;
    }
    zs_json_quote(d->dir, q, sizeof q);
    fprintf(f,
            " \"device\": {\"measured\": true, \"dir\": %s, \"probe_bytes\": %llu, \"write_gb_per_s\": %.4f, "
            "\"read_gb_per_s\": %.4f, \"together_read_bytes\": %llu, \"together_written_bytes\": %llu, "
            "\"together_gb_per_s\": %.4f, \"job_read_bytes\": %llu, \"job_written_bytes\": %llu, \"job_s\": %.6f},\n",
            q, (unsigned long long)d->probe_bytes, d->write_bps / 1e9, d->read_bps / 1e9,
            (unsigned long long)d->together_read, (unsigned long long)d->together_written, d->together_bps / 1e9,
            (unsigned long long)d->job_read, (unsigned long long)d->job_written, d->job_s);
}

static void print_json(FILE *f, const bench_ctx *c, const setting_result *r, int n, int best)
{
    const zs_volume_info *in = zs_volume_get_info(c->in);
    zs_sys_info si;
    zs_sys_info_get(&si);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    char pipe[2048], hostq[6 * sizeof host + 3], pipeq[6 * sizeof pipe + 3]; /* quoted: 6 bytes a byte at most */
    zs_pipeline_describe(c->pipe, pipe, sizeof pipe);
    zs_json_quote(host, hostq, sizeof hostq);
    zs_json_quote(pipe, pipeq, sizeof pipeq);
    fprintf(f, "{\"schema\": \"zslab-bench/1\", \"zslab_version\": \"%s\",\n", zs_version_string());
    fprintf(f,
            " \"machine\": {\"hostname\": %s, \"cores\": %d, \"pus\": %d, \"numa_nodes\": %d, \"l2_bytes\": %llu, "
            "\"l3_bytes\": %llu, \"page_size\": %zu, \"mem_available_bytes\": %llu, \"fs_type\": \"%s\"},\n",
            hostq, si.cores, si.pus, si.numa_nodes, (unsigned long long)si.l2, (unsigned long long)si.l3, si.page_size,
            (unsigned long long)si.mem_available, fs_type_name(c->o->input));
    fputs(" \"volume\": ", f);
    char vol[2 * ZS_PATH_MAX + 1024];
    fputs(zs_volume_info_describe(in, ZS_DESCRIBE_JSON, vol, sizeof vol) < sizeof vol ? vol : "null\n", f);
    fprintf(f, " ,\"pipeline\": %s, \"cold\": %s, \"repeat\": %d, \"best\": %d,\n", pipeq,
            c->o->cold ? "true" : "false", c->o->repeat, best);
    json_device(f, c);
    fputs(" \"results\": [", f);
    for (int i = 0; i < n; i++) {
        const setting_result *s = &r[i];
        fprintf(f,
                "%s\n  {\"settings\": {\"threads\": %d, \"slab\": %lld, \"band\": %lld, \"engine\": \"%s\", "
                "\"precision\": \"%s\"}, \"phases\": {",
                i ? "," : "", s->threads, (long long)s->slab, (long long)s->band, zs_engine_name(s->engine),
                zs_precision_name(s->precision));
        for (int ph = 0; ph < PH_COUNT; ph++) {
            const phase_result *p = &s->ph[ph];
            fprintf(f,
                    "%s\"%s\": {\"median_s\": %.6f, \"min_s\": %.6f, \"max_s\": %.6f, \"gb_per_s\": %.4f, "
                    "\"mvox_per_s\": %.3f}",
                    ph ? ", " : "", zs__bench_phase_names[ph], p->med, p->min, p->max, p->bytes / p->med / 1e9,
                    voxels_of(in) / p->med / 1e6);
        }
        fprintf(f, "}, \"bound\": \"%s\", \"overlap_efficiency\": %.4f",
                zs__bench_io_s(s) > s->ph[PH_COMPUTE].med ? "io" : "compute", zs__bench_overlap(s));
        if (c->probed && c->dev.measured)
            fprintf(f, ", \"job_bound\": \"%s\", \"job_bound_s\": %.6f, \"of_job_bound\": %.4f}",
                    c->dev.job_s > s->ph[PH_COMPUTE].med ? "device" : "compute", zs__bench_bound_s(&c->dev, s),
                    s->ph[PH_E2E].med / zs__bench_bound_s(&c->dev, s));
        else
            fputs(", \"job_bound\": null, \"job_bound_s\": null, \"of_job_bound\": null}", f);
    }
    fputs("\n ]}\n", f);
}

/* ---- driver -------------------------------------------------------------------------- */
static zs_status open_all(bench_ctx *c)
{
    const zs_bench_opts *o = c->o;
    zs_status st = zs_volume_open(o->input, o->open, &c->in);
    if (st < 0) return st;
    if ((st = zs_pipeline_new(&c->pipe)) < 0) return st;
    const zs_volume_info *i = zs_volume_get_info(c->in);
    zs_pipeline_set_voxel(c->pipe, i->voxel, i->unit);
    for (int k = 0; k < o->nops && st == ZS_OK; k++) st = zs_pipeline_add(c->pipe, o->ops[k]);
    if (st < 0) return st;
    char dir[PATH_MAX - 64];
    if (o->tmpdir)
        snprintf(dir, sizeof dir, "%s", o->tmpdir);
    else {
        snprintf(dir, sizeof dir, "%s", o->input);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
    }
    snprintf(c->out_path, sizeof c->out_path, "%s/.zslab-bench-%ld.npy", dir, (long)getpid());
    return ZS_OK;
}

zs_status zs_bench_run(const zs_bench_opts *o, FILE *table, FILE *json)
{
    static const int def_threads[1] = {0};
    static const int64_t def_slab[1] = {0};
    static const zs_engine def_engine[1] = {ZS_ENGINE_AUTO};
    static const int64_t def_band[1] = {0};
    ZS_RETURN_IF(!o, ZS_EINVAL, "zs_bench_run: no options given");
    zs_bench_opts local;
    ZS_FORWARD(ZS_SIZED_IN(&local, o, zs_bench_opts));
    o = &local;
    const int64_t *bl = o->nbands ? o->bands : def_band;
    const int nb = o->nbands ? o->nbands : 1;
    const int *tl = o->nthreads ? o->threads : def_threads;
    const int64_t *sl = o->nslabs ? o->slabs : def_slab;
    const zs_engine *el = o->nengines ? o->engines : def_engine;
    const int nt = o->nthreads ? o->nthreads : 1, ns = o->nslabs ? o->nslabs : 1, ne = o->nengines ? o->nengines : 1;
    bench_ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.nsettings = nt * ns * ne * nb;
    setting_result *r = calloc((size_t)c.nsettings, sizeof *r);
    zs_status st = r ? open_all(&c) : ZS_ENOMEM;
    int best = 0;
    for (int a = 0; a < nt && st == ZS_OK; a++)
        for (int b = 0; b < ns && st == ZS_OK; b++)
            for (int e = 0; e < ne && st == ZS_OK; e++)
                for (int g = 0; g < nb && st == ZS_OK; g++) {
                    setting_result *s = &r[c.setting];
                    s->threads = tl[a];
                    s->slab = sl[b];
                    s->engine = el[e];
                    s->band = bl[g];
                    st = measure_setting(&c, s);
                    if (st == ZS_OK && s->ph[PH_E2E].med < r[best].ph[PH_E2E].med) best = c.setting;
                    c.setting++;
                }
    if (o->progress) fprintf(stderr, "\r%60s\r", "");
    if (st == ZS_OK && table) print_table(table, &c, r, c.nsettings, best);
    if (st == ZS_OK && json) print_json(json, &c, r, c.nsettings, best);
    if (st == ZS_OK && o->plot) {
        char pipe[2048];
        zs_pipeline_describe(c.pipe, pipe, sizeof pipe);
        zs__bench_plot_svg(o->plot, zs_volume_get_info(c.in), zs_pipeline_length(c.pipe) ? pipe : "(copy)", o->cold, r,
                           c.nsettings, best);
    }
    free(r);
    zs_pipeline_free(c.pipe);
    zs_volume_free(c.in);
    return st;
}
