/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab detect IN CELLS`: cells as local maxima of the --op pipeline's output (zslab_detect.h,
 * docs/cells.md), written as a table by CELLS' ending. Its flags are rows of the option table
 * (options.c, .cmds "detect"): --maxima and --min-intensity are its own, --intensity, --min-size
 * and --max-size label's, --op, --threads, --slab and the rest filter's. Order: the parameters
 * and CELLS' name (before IN is opened), open IN (and IN2), plan, run, write CELLS. With --part,
 * --resume or --journal the run is the part's slabs into CELLS' journal, and the part that finds
 * every slab recorded merges the records and writes CELLS (docs/cells.md). */
#define _POSIX_C_SOURCE 200809L /* lstat, clock_gettime */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "zslab_detect.h"

/* A number of --NAME; @return CLI_RUN or CLI_EXIT_ERROR (message printed). */
static int read_number(const char *name, const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(*v)) {
        cli_error("detect: %s: cannot read '%s' (a finite number)", name, s);
        return CLI_EXIT_ERROR;
    }
    return CLI_RUN;
}

/* --maxima size=S|AxBxC[:threshold=T] into the options. */
static int parse_maxima(const char *spec, zs_detect_opts *d)
{
    char buf[256];
    if (strlen(spec) >= sizeof buf) {
        cli_error("detect: --maxima: longer than %zu characters", sizeof buf - 1);
        return CLI_EXIT_ERROR;
    }
    snprintf(buf, sizeof buf, "%s", spec);
    int has_size = 0;
    for (char *save = NULL, *kv = strtok_r(buf, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            cli_error("detect: --maxima %s: '%s' is not key=value (size=S[:threshold=T])", spec, kv);
            return CLI_EXIT_ERROR;
        }
        *eq = '\0';
        double v[3];
        if (!strcmp(kv, "size")) {
            char *end = eq + 1;
            int n = 0;
            while (n < 3 && *end) {
                char *p = end;
                v[n++] = strtod(p, &end);
                if (end == p || (*end && *end != 'x')) break;
                if (*end == 'x') end++;
            }
            const size_t len = strlen(eq + 1);
            if ((n != 1 && n != 3) || *end || (len && eq[len] == 'x')) {
                cli_error("detect: --maxima size=%s: one box size or three (AxBxC)", eq + 1);
                return CLI_EXIT_ERROR;
            }
            for (int a = 0; a < 3; a++) { /* within int64 before the cast: 1e400 or NaN are refused below */
                const double s = v[n == 1 ? 0 : a];
                d->size[a] = s >= 1 && s <= 1e9 ? (int64_t)s : 0;
            }
            for (int a = 0; a < 3; a++)
                if (v[n == 1 ? 0 : a] != (double)d->size[a]) d->size[a] = 0; /* not whole: refused below */
            has_size = 1;
        } else if (!strcmp(kv, "threshold")) {
            if (read_number("--maxima threshold", eq + 1, &d->threshold) != CLI_RUN) return CLI_EXIT_ERROR;
            d->has_threshold = 1;
        } else {
            cli_error("detect: --maxima: unknown parameter '%s' (size, threshold)", kv);
            return CLI_EXIT_ERROR;
        }
    }
    if (!has_size) {
        cli_error("detect: --maxima %s: no size=S", spec);
        return CLI_EXIT_ERROR;
    }
    return CLI_RUN;
}

/* The options the flags give (not the intensity volume, opened later). */
static int detect_opts(const cli_opts *o, zs_detect_opts *d)
{
    zs_detect_opts_default(d);
    d->min_size = o->min_size;
    d->max_size = o->max_size;
    d->stop = &cli_stop;
    if (!o->maxima) {
        cli_error("detect: no --maxima size=S[:threshold=T] given");
        return CLI_EXIT_ERROR;
    }
    int rc = parse_maxima(o->maxima, d);
    if (rc == CLI_RUN && o->min_intensity) {
        rc = read_number("--min-intensity", o->min_intensity, &d->min_intensity);
        d->has_min_intensity = 1;
    }
    return rc;
}

static int check_detect(cli_opts *o)
{
    o->in = o->nargs > 0 ? o->args[0] : NULL;
    o->out = o->nargs > 1 ? o->args[1] : NULL;
    if (!o->in) return cli_usage_error("detect", "no IN file given");
    if (!o->out) return cli_usage_error("detect", "no CELLS file given");
    return cli_refuse_force_with_parts("detect", o, NULL); /* parts share one CELLS, as label's */
}

/* Opens IN and IN2 and checks every parameter against them, before a voxel is read. */
static int open_checked(const cli_opts *o, zs_detect_opts *d, zs_volume **in, zs_volume **inten)
{
    zs_cells_format f;
    zs_status st = zs_cells_format_of(o->out, &f);
    if (st < 0) return cli_fail(st, 0);
    int rc = detect_opts(o, d);
    for (int a = 0; rc == CLI_RUN && a < 3; a++)
        if (d->size[a] < 1) {
            cli_error("detect: --maxima size: %s along %c: the box is at least 1 voxel (a whole number)", o->maxima,
                      "xyz"[a]);
            rc = CLI_EXIT_ERROR;
        }
    if (rc == CLI_RUN && cli_reduction_out_taken(o)) {
        cli_error("%s: exists; use --force to overwrite it", o->out);
        rc = CLI_EXIT_ERROR;
    }
    if (rc == CLI_RUN && cli_mpi_launched()) {
        cli_error("detect: MPI launches are not supported yet: run the parts as --part I/N (a job array)");
        rc = CLI_EXIT_ERROR;
    }
    if (rc == CLI_RUN) rc = cli_open_input(o->in, &o->raw, in);
    if (rc == CLI_RUN && o->intensity) rc = cli_open_input(o->intensity, &o->raw, inten);
    d->intensity = *inten;
    if (rc == CLI_RUN && (st = zs_detect_check(zs_volume_get_info(*in), d, o->out)) < 0) rc = cli_fail(st, 0);
    return rc;
}

/* Plans IN's pipeline and the maxima; `slab` (not 0): the height of the journal's slabs. */
static int plan_once(const cli_opts *o, const zs_volume *in, const zs_detect_opts *d, int64_t slab, zs_plan **plan)
{
    zs_pipeline *pipe = NULL;
    zs_plan_opts po;
    const int rc = cli_reduction_pipeline(o, in, &pipe, &po);
    if (rc != CLI_RUN) return rc;
    if (slab) po.slab = slab;
    const zs_status st = zs_detect_plan(zs_volume_get_info(in), pipe, d, &po, plan);
    zs_pipeline_free(pipe);
    return st == ZS_EPARAM ? cli_fail(st, 0) : st < 0 ? cli_plan_failed(st) : CLI_RUN;
}

/* The plan; the first of N parts plans slabs enough for each part to have some (2 per thread and
 * part), as label's parts do. */
static int plan_detect(const cli_opts *o, const zs_volume *in, const zs_detect_opts *d, int64_t slab, zs_plan **plan)
{
    int rc = plan_once(o, in, d, slab, plan);
    const int64_t want = 2 * (int64_t)(*plan ? zs_plan_threads(*plan) : 1) * o->nparts;
    if (rc == CLI_RUN && !slab && !o->slab && o->has_part && zs_plan_slab_count(*plan) < want) {
        const int64_t h = zs_volume_get_info(in)->shape[2] / want;
        zs_plan_free(*plan);
        *plan = NULL;
        rc = plan_once(o, in, d, h > 1 ? h : 1, plan);
    }
    return rc;
}

/* The part's slabs into CELLS' journal; the finisher (the part that finds every slab recorded)
 * merges the records, writes CELLS and removes the journal. */
static int run_part(const cli_opts *o, const zs_volume *in, const zs_plan *plan, const zs_detect_opts *d, zs_journal *j)
{
    int finisher = 0;
    zs_status st = zs_detect_journal_attach(j, plan, in, d);
    if (st == ZS_OK) st = zs_detect_run_part(plan, in, d, j, &finisher);
    if (st == ZS_ECANCELED && cli_stop) {
        cli_error("%s: interrupted; its finished slabs are journaled: run it again with --resume", o->out);
        return CLI_EXIT_INTERRUPTED;
    }
    if (st < 0) return cli_fail(st, 0);
    if (!finisher) {
        cli_note(2,
                 "detect %s -> %s part %lld/%lld: its slabs are recorded; the part that records the last slab "
                 "writes CELLS",
                 o->in, o->out, (long long)o->part, (long long)o->nparts);
        return CLI_EXIT_OK;
    }
    zs_cells *cells = NULL;
    st = zs_detect_run_records(plan, in, d, j, &cells);
    if (st == ZS_OK) st = zs_cells_write(cells, o->out);
    if (st == ZS_OK) st = zs_journal_remove(o->out);
    if (st == ZS_OK)
        cli_note(2, "detected %llu cells in %s -> %s (%lld slabs of %lld planes, journaled)",
                 (unsigned long long)zs_cells_count(cells), o->in, o->out, (long long)zs_plan_slab_count(plan),
                 (long long)zs_plan_slab_height(plan));
    zs_cells_free(cells);
    return st < 0 ? cli_fail(st, 0) : CLI_EXIT_OK;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int run_detect(const cli_opts *o, const zs_volume *in, const zs_plan *plan, const zs_detect_opts *d)
{
    zs_cells *cells = NULL;
    const double t0 = now();
    zs_status st = zs_detect_run(plan, in, d, &cells);
    if (st == ZS_OK) st = zs_cells_write(cells, o->out);
    int rc = CLI_EXIT_OK;
    if (st == ZS_ECANCELED && cli_stop)
        cli_error("%s: interrupted; no table was written", o->out), rc = CLI_EXIT_ERROR;
    else if (st < 0)
        rc = cli_fail(st, 0);
    if (rc == CLI_EXIT_OK)
        cli_note(2, "detected %llu cells in %s -> %s in %.2f s, %d thread%s, %lld slabs of %lld planes",
                 (unsigned long long)zs_cells_count(cells), o->in, o->out, now() - t0, zs_plan_threads(plan),
                 zs_plan_threads(plan) == 1 ? "" : "s", (long long)zs_plan_slab_count(plan),
                 (long long)zs_plan_slab_height(plan));
    zs_cells_free(cells);
    return rc;
}

static int cmd_detect(const cli_opts *o)
{
    zs_volume *in = NULL, *inten = NULL;
    zs_plan *plan = NULL;
    zs_journal *j = NULL;
    zs_detect_opts d;
    int rc = open_checked(o, &d, &in, &inten);
    if (rc == CLI_RUN) rc = cli_reduction_begin_journal(o, "detection", &j);
    if (rc == CLI_RUN) rc = plan_detect(o, in, &d, j ? zs_journal_slab_height(j) : 0, &plan);
    if (rc == CLI_RUN && o->dry_run) {
        cli_print_plan(plan, stdout);
        rc = CLI_EXIT_OK;
    }
    if (rc == CLI_RUN) rc = j ? run_part(o, in, plan, &d, j) : run_detect(o, in, plan, &d);
    zs_journal_free(j);
    zs_plan_free(plan);
    zs_volume_free(inten);
    zs_volume_free(in);
    return rc;
}

const cli_command cli_command_detect = {
    .name = "detect",
    .summary = {{"IN CELLS", "cells: local maxima of the --op pipeline, as a table (.csv .npy .xml .points.csv)"}},
    .help = "usage: zslab detect IN CELLS --maxima size=S[:threshold=T] [--op KERNEL:k=v ...]\n"
            "                    [--intensity IN2] [--min-size N] [--max-size N] [--min-intensity V] [options]\n\n"
            "Finds cells in IN: after the --op stages (typically white_tophat then dog), a cell is a\n"
            "26-connected plateau of voxels where f == maximum_filter(f, S, mode='nearest') and f > T,\n"
            "at the plateau's centroid: exactly scipy's label(...) and center_of_mass, in the order of\n"
            "their first voxel (z, y, x), whatever the slabs and threads. f is not written. CELLS by\n"
            "its ending: .csv (x, y, z in voxels on zslab's axes, x_um ... with a voxel size, size,\n"
            "value, intensity), .npy (ClearMap2's cell array), .xml (Cell Counter markers, as\n"
            "BrainGlobe reads them), .points.csv (napari points: axis-0..2 = z, y, x).\n\n"
            "{maxima}{op}{plugin}{intensity:the cells' intensities (default: IN)}"
            "{min-size:keep cells of a plateau of N voxels or more}"
            "{max-size:keep cells of a plateau of at most N voxels}{min-intensity}{slab-height}{threads}{slab}{band}"
            "{mem-budget}{force}{precision}{engine}{no-bind}{dataset}{dry-run}"
            "{part}{resume}{journal}"
            "{@common}\n{@raw}"
            "exit codes: 0 ok, 1 error (nothing is left at CELLS), 2 usage\n",
    .max_args = 2,
    .check = check_detect,
    .run = cmd_detect,
};
