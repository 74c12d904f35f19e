/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab bench`: I/O versus compute for one input and one pipeline (library: bench/). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* --smoke: a small phantom in a fresh temporary directory. */
static int make_smoke_input(char *dir, size_t dn, char *path, size_t pn)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dn, "%s/zslab-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        cli_error("bench --smoke: cannot create a temporary directory under %s", tmp && *tmp ? tmp : "/tmp");
        return CLI_EXIT_ERROR;
    }
    snprintf(path, pn, "%s/smoke.npy", dir);
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = 96, spec.shape[1] = 80, spec.shape[2] = 40;
    spec.dtype.type = ZS_U16;
    zs_volume *v = NULL;
    zs_status st = zs_volume_create(path, &spec, NULL, &v);
    if (st == ZS_OK) st = zs_volume_fill(v, ZS_PATTERN_PHANTOM, 1, 0);
    if (st == ZS_OK) st = zs_volume_commit(v);
    zs_volume_free(v);
    return st < 0 ? cli_fail(st, 0) : CLI_RUN;
}

/* The sweeps: lists of the flags (threads into `threads`, which must outlive b). */
static void bench_sweeps(const cli_opts *o, zs_bench_opts *b, int threads[CLI_MAX_SWEEP])
{
    for (int i = 0; i < o->sweep_threads.n; i++) threads[i] = (int)o->sweep_threads.v[i];
    b->threads = o->sweep_threads.n ? threads : NULL;
    b->nthreads = o->sweep_threads.n;
    b->slabs = o->sweep_slabs.n ? o->sweep_slabs.v : NULL;
    b->nslabs = o->sweep_slabs.n;
    b->bands = o->sweep_bands.n ? o->sweep_bands.v : NULL;
    b->nbands = o->sweep_bands.n;
    b->engines = o->nengines ? o->engines : NULL;
    b->nengines = o->nengines;
}

static int run_bench(const cli_opts *o)
{
    char dir[PATH_MAX - 32] = "", smoke[PATH_MAX] = "";
    int rc = CLI_RUN;
    if (o->smoke && !o->in) rc = make_smoke_input(dir, sizeof dir, smoke, sizeof smoke);
    if (rc != CLI_RUN) return rc;
    static const char *const smoke_ops[] = {"gaussian:sigma=1"};
    zs_open_opts oo;
    cli_raw_open_opts(&o->raw, &oo);

    zs_bench_opts b;
    zs_bench_opts_init(&b);
    b.input = o->in ? o->in : smoke;
    b.open = &oo;
    b.ops = o->nops || !o->smoke ? o->ops : smoke_ops;
    b.nops = o->nops || !o->smoke ? o->nops : 1;
    b.out_dtype = o->dtype;
    b.has_out_dtype = o->has_dtype;
    int threads[CLI_MAX_SWEEP];
    bench_sweeps(o, &b, threads);
    b.precision = o->precision;
    b.cold = o->cold;
    b.repeat = o->smoke && o->repeat > 2 ? 2 : o->repeat;
    b.mem_budget = o->mem_budget;
    b.tmpdir = o->tmpdir;
    b.progress = cli_level >= 2 && isatty(STDERR_FILENO);
    zs_partial_file *plot = NULL; /* the chart: OUT.partial, renamed once complete */
    zs_status st = o->plot ? zs_partial_file_new(o->plot, &plot) : ZS_OK;
    b.plot = zs_partial_file_stream(plot);
    if (st == ZS_OK) st = zs_bench_run(&b, o->json ? NULL : stdout, o->json ? stdout : NULL);
    if (smoke[0]) {
        unlink(smoke);
        rmdir(dir);
    }
    rc = st < 0 ? cli_fail(st, 1) : CLI_EXIT_OK;
    if (plot && rc == CLI_EXIT_OK && zs_partial_file_commit(plot) < 0) {
        cli_error("%s: cannot write the chart: %s", o->plot, zs_last_error());
        rc = CLI_EXIT_ERROR;
    }
    zs_partial_file_free(plot); /* uncommitted: removed */
    if (rc != CLI_EXIT_OK) return rc;
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

static int check_bench(cli_opts *o)
{
    o->in = o->nargs ? o->args[0] : NULL;
    return o->in || o->smoke ? CLI_RUN : cli_usage_error("bench", "no IN file given (or --smoke)");
}

const cli_command cli_command_bench = {
    .name = "bench",
    .summary = {{"IN --op ...", "I/O versus compute: time each phase of the slab path"}},
    .help = "usage: zslab bench IN [--op SPEC ...] [options]\n\n"
            "Measures each phase of the slab path for IN and the pipeline: read (touch every input\n"
            "byte), load (read + convert to the work type), compute (the pipeline on slabs in memory),\n"
            "store (create the output, convert and write every byte) and end-to-end (the real\n"
            "filter). Each is the median of --repeat runs, with min and max, in s, GB/s and Mvox/s;\n"
            "then which side bounds the job and the overlap efficiency max(read+store, compute) /\n"
            "end-to-end. Lists sweep a grid; the fastest setting is marked. See docs/bench.md.\n\n"
            "{op:a pipeline stage, as for filter (none: a copy with conversion)}"
            "{dtype}{threads}{slab}{band}"
            "{precision:the work type, as for filter: auto (default), float32, float64}"
            "{engine}{cold}{repeat}"
            "{json:print one JSON record (docs/bench.md) instead of the table}"
            "{plot}{mem-budget:as for filter}{tmp}{smoke}{@common}\n{@formats}{@raw}",
    .max_args = 1,
    .check = check_bench,
    .run = run_bench,
};
