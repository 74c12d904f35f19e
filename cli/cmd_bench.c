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

int cli_cmd_bench(const cli_bench_opts *o)
{
    char dir[PATH_MAX - 32] = "", smoke[PATH_MAX] = "";
    int rc = CLI_RUN;
    if (o->smoke && !o->in) rc = make_smoke_input(dir, sizeof dir, smoke, sizeof smoke);
    if (rc != CLI_RUN) return rc;
    static const char *const smoke_ops[] = {"gaussian:sigma=1"};
    zs_open_opts oo;
    zs_open_opts_default(&oo);
    if (o->raw.ndim) {
        memcpy(oo.raw_shape, o->raw.shape, sizeof oo.raw_shape);
        oo.raw_ndim = o->raw.ndim;
    }
    if (o->raw.has_dtype) oo.raw_dtype = o->raw.dtype;
    oo.raw_offset = o->raw.offset;
    oo.raw_order = o->raw.order;

    zs_bench_opts b;
    zs_bench_opts_default(&b);
    b.input = o->in ? o->in : smoke;
    b.open = &oo;
    b.ops = o->nops || !o->smoke ? o->ops : smoke_ops;
    b.nops = o->nops || !o->smoke ? o->nops : 1;
    b.out_dtype = o->dtype;
    b.has_out_dtype = o->has_dtype;
    b.threads = o->nthreads ? o->threads : NULL;
    b.nthreads = o->nthreads;
    b.slabs = o->nslabs ? o->slabs : NULL;
    b.nslabs = o->nslabs;
    b.bands = o->nbands ? o->bands : NULL;
    b.nbands = o->nbands;
    b.engines = o->nengines ? o->engines : NULL;
    b.nengines = o->nengines;
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
