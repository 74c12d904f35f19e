/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The kinds of value of the option table (options.h): each reads a flag's text with the
 * parsers of args.c, names the flag in its message and stores into the flag's field. */
#define _POSIX_C_SOURCE 200809L /* strtok_r */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "options.h"
#include "zslab_kernel.h"

#define FIELD(o, f, T) ((T *)(void *)((char *)(o) + (f)->at))
#define USAGE(failed)  ((failed) ? CLI_EXIT_USAGE : CLI_RUN)

/* "--name", as every message names the flag. */
static const char *dashed(const cli_flag *f)
{
    static char buf[48];
    snprintf(buf, sizeof buf, "--%s", f->name);
    return buf;
}

static int usage(const cli_flag *f, const char *what)
{
    cli_error("%s: %s", dashed(f), what);
    return CLI_EXIT_USAGE;
}

int cli_set_const(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)val;
    if (f->at) *FIELD(o, f, int) = (int)f->min;
    return CLI_RUN;
}

int cli_set_int(const cli_flag *f, const char *val, cli_opts *o)
{
    int64_t n;
    if (cli_parse_int(dashed(f), val, f->min, f->max, f->suffixes, &n)) return CLI_EXIT_USAGE;
    if (f->size == sizeof(int))
        *FIELD(o, f, int) = (int)n;
    else
        *FIELD(o, f, int64_t) = n;
    return CLI_RUN;
}

int cli_set_size(const cli_flag *f, const char *val, cli_opts *o)
{
    return USAGE(cli_parse_size(dashed(f), val, FIELD(o, f, uint64_t)));
}

int cli_set_u64(const cli_flag *f, const char *val, cli_opts *o)
{
    return USAGE(cli_parse_u64(dashed(f), val, FIELD(o, f, uint64_t)));
}

int cli_set_string(const cli_flag *f, const char *val, cli_opts *o)
{
    if (f->min && !*val) return usage(f, "empty");
    *FIELD(o, f, const char *) = val;
    return CLI_RUN;
}

int cli_set_append(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f;
    o->ops[o->nops++] = val;
    return CLI_RUN;
}

int cli_set_dtype(const cli_flag *f, const char *val, cli_opts *o)
{
    return USAGE(cli_parse_dtype(dashed(f), val, FIELD(o, f, zs_dtype)));
}

int cli_set_order(const cli_flag *f, const char *val, cli_opts *o)
{
    return USAGE(cli_parse_order(dashed(f), val, FIELD(o, f, zs_order)));
}

int cli_set_shape(const cli_flag *f, const char *val, cli_opts *o)
{
    int *ndim = (int *)(void *)((char *)o + f->seen); /* the extents given */
    return USAGE(cli_parse_shape(dashed(f), val, FIELD(o, f, int64_t), ndim));
}

int cli_set_chunks(const cli_flag *f, const char *val, cli_opts *o)
{
    return USAGE(cli_parse_chunks(dashed(f), val, FIELD(o, f, int64_t)));
}

/* The library's parsers (engines, precisions, compressions, colour maps) write the message. */
static int library_parse(const cli_flag *f, zs_status st)
{
    if (st == ZS_OK) return CLI_RUN;
    return usage(f, zs_last_error());
}

int cli_set_engine(const cli_flag *f, const char *val, cli_opts *o)
{
    return library_parse(f, zs_engine_parse(val, FIELD(o, f, zs_engine)));
}

int cli_set_precision(const cli_flag *f, const char *val, cli_opts *o)
{
    return library_parse(f, zs_precision_parse(val, FIELD(o, f, zs_precision)));
}

int cli_set_compress(const cli_flag *f, const char *val, cli_opts *o)
{
    return library_parse(f, zs_compression_parse(val, FIELD(o, f, zs_compression)));
}

int cli_set_cmap(const cli_flag *f, const char *val, cli_opts *o)
{
    return library_parse(f, zs_cmap_parse(val, &o->p.cmap));
}

int cli_set_engines(const cli_flag *f, const char *val, cli_opts *o)
{
    const int rc = library_parse(f, zs_engine_parse(val, &o->read_engine));
    o->write_engine = o->read_engine;
    return rc;
}

int cli_set_engine_list(const cli_flag *f, const char *val, cli_opts *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", val);
    o->nengines = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->nengines == CLI_MAX_SWEEP) {
            cli_error("%s: at most %d values", dashed(f), CLI_MAX_SWEEP);
            return CLI_EXIT_USAGE;
        }
        if (library_parse(f, zs_engine_parse(t, &o->engines[o->nengines++])) != CLI_RUN) return CLI_EXIT_USAGE;
    }
    if (o->nengines == 0) cli_error("%s: no value in '%s'", dashed(f), val);
    return o->nengines ? CLI_RUN : CLI_EXIT_USAGE;
}

/* "1,2,4": at most CLI_MAX_SWEEP integers in [min, max]. */
int cli_set_sweep(const cli_flag *f, const char *val, cli_opts *o)
{
    cli_sweep *s = FIELD(o, f, cli_sweep);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", val);
    s->n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (s->n == CLI_MAX_SWEEP) {
            cli_error("%s: at most %d values", dashed(f), CLI_MAX_SWEEP);
            return CLI_EXIT_USAGE;
        }
        if (cli_parse_int(dashed(f), t, f->min, f->max, 0, &s->v[s->n])) return CLI_EXIT_USAGE;
        s->n++;
    }
    if (s->n == 0) cli_error("%s: no value in '%s'", dashed(f), val);
    return s->n ? CLI_RUN : CLI_EXIT_USAGE;
}

/* ---- the flags every command takes ------------------------------------------------------ */
int cli_set_help(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f, (void)val, (void)o;
    return CLI_SHOW_HELP;
}

int cli_set_quiet(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f, (void)val, (void)o;
    cli_level = cli_level > 0 ? cli_level - 1 : 0;
    return CLI_RUN;
}

int cli_set_verbose(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f, (void)val, (void)o;
    cli_level = cli_level < 2 ? 3 : cli_level + 1;
    if (cli_level >= 4) setenv("ZS_TRACE", "1", 0);
    return CLI_RUN;
}

/* ---- filter: --part, --out-format ------------------------------------------------------- */
/* "I/N" with 0 <= I < N. */
static int parse_part_numbers(const char *val, cli_opts *o)
{
    char buf[64];
    const char *slash = strchr(val, '/');
    if (!slash || (size_t)(slash - val) >= sizeof buf) {
        cli_error("--part: cannot read '%s' (want I/N, e.g. 0/4, or slurm)", val);
        return -1;
    }
    memcpy(buf, val, (size_t)(slash - val));
    buf[slash - val] = '\0';
    if (cli_parse_int("--part", buf, 0, INT64_MAX - 1, 0, &o->part) ||
        cli_parse_int("--part", slash + 1, 1, INT64_MAX, 0, &o->nparts))
        return -1;
    if (o->part >= o->nparts) {
        cli_error("--part: %s: parts are numbered 0 to N-1 (here 0 to %lld)", val, (long long)o->nparts - 1);
        return -1;
    }
    return 0;
}

static int env_int(const char *name, int64_t min, int64_t def, int64_t *out)
{
    const char *e = getenv(name);
    if (!e || !*e) {
        if (def >= 0) {
            *out = def;
            return 0;
        }
        cli_error("--part slurm: %s is not set (not a task of a SLURM job array? give --part I/N)", name);
        return -1;
    }
    return cli_parse_int(name, e, min, INT64_MAX, 0, out);
}

/* A SLURM array task: part (ID - MIN) / STEP of COUNT. */
static int parse_part_slurm(cli_opts *o)
{
    int64_t id, count, min, step;
    if (env_int("SLURM_ARRAY_TASK_ID", 0, -1, &id) || env_int("SLURM_ARRAY_TASK_COUNT", 1, -1, &count) ||
        env_int("SLURM_ARRAY_TASK_MIN", 0, 0, &min) || env_int("SLURM_ARRAY_TASK_STEP", 1, 1, &step))
        return -1;
    if (id < min || (id - min) % step != 0 || (id - min) / step >= count) {
        cli_error(
            "--part slurm: task %lld is not one of %lld tasks %lld, %lld, ... of this array: a range (with a step, "
            "like --array=0-20:2) works, a list like --array=1,5,9 does not; use --array=0-%lld, or --part I/N",
            (long long)id, (long long)count, (long long)min, (long long)(min + step), (long long)count - 1);
        return -1;
    }
    o->part = (id - min) / step;
    o->nparts = count;
    return 0;
}

int cli_set_part(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f;
    return USAGE(strcmp(val, "slurm") == 0 ? parse_part_slurm(o) : parse_part_numbers(val, o));
}

/* --out-format: the extension of a batch's outputs. */
int cli_set_out_format(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f;
    if (cli_format_of_ext(val)) {
        o->out_format = *val == '.' ? val + 1 : val;
        return CLI_RUN;
    }
    char names[256];
    cli_suffix_list(names, sizeof names, 0);
    cli_error("--out-format: unknown format '%s' (use one of %s)", val, names);
    return CLI_EXIT_USAGE;
}

/* ---- create ----------------------------------------------------------------------------- */
int cli_set_pattern(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f;
    if (zs_pattern_parse(val, &o->pattern) == ZS_OK) return CLI_RUN;
    cli_error("--pattern: unknown pattern '%s' (use zeros, ramp, noise, phantom or cells)", val);
    return CLI_EXIT_USAGE;
}

int cli_set_voxel(const cli_flag *f, const char *val, cli_opts *o)
{
    char unit[16];
    if (cli_parse_voxel(dashed(f), val, o->voxel, unit)) return CLI_EXIT_USAGE;
    if (unit[0]) snprintf(o->unit, sizeof o->unit, "%s", unit);
    return CLI_RUN;
}

int cli_set_unit(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f;
    if (strlen(val) >= sizeof o->unit || !*val) {
        cli_error("--unit: '%s' is not a unit (um, mm, nm)", val);
        return CLI_EXIT_USAGE;
    }
    snprintf(o->unit, sizeof o->unit, "%s", val);
    return CLI_RUN;
}

/* ---- preview ---------------------------------------------------------------------------- */
/* --view V, and --three-view (no value) */
int cli_set_view(const cli_flag *f, const char *val, cli_opts *o)
{
    static const char *const names[] = {[ZS_VIEW_MIP] = "mip", [ZS_VIEW_PLANE] = "plane", [ZS_VIEW_THREE] = "three"};
    (void)f;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i] && strcmp(val ? val : "three", names[i]) == 0) {
            o->p.view = (zs_preview_view)i;
            return CLI_RUN;
        }
    cli_error("--view: unknown view '%s' (use mip, plane or three)", val);
    return CLI_EXIT_USAGE;
}

int cli_set_axis(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f;
    if (strlen(val) != 1 || !strchr("xyz", val[0])) {
        cli_error("--axis: '%s' (use x, y or z)", val);
        return CLI_EXIT_USAGE;
    }
    o->p.axis = val[0] - 'x';
    return CLI_RUN;
}

static int parse_double(const char *opt, const char *text, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    if (end == text || *end || errno || !(*out == *out)) {
        cli_error("%s: cannot read the number '%s'", opt, text);
        return -1;
    }
    return 0;
}

/* auto, auto:P1:P2 or LO:HI. */
int cli_set_range(const cli_flag *f, const char *val, cli_opts *o)
{
    zs_preview_opts *p = &o->p;
    char buf[128];
    const int is_auto = strncmp(val, "auto", 4) == 0;
    (void)f;
    snprintf(buf, sizeof buf, "%s", is_auto ? val + 4 : val);
    if (is_auto && !buf[0]) return p->auto_range = 1, CLI_RUN;
    char *a = buf + (is_auto && buf[0] == ':'), *colon = strchr(a, ':');
    if ((is_auto && buf[0] != ':') || !colon) {
        cli_error("--range: cannot read '%s' (want auto, auto:P1:P2 or LO:HI)", val);
        return CLI_EXIT_USAGE;
    }
    *colon = '\0';
    double x, y;
    if (parse_double("--range", a, &x) || parse_double("--range", colon + 1, &y)) return CLI_EXIT_USAGE;
    if (is_auto ? !(x >= 0 && x <= y && y <= 100) : !(x < y)) {
        cli_error("--range: %s: want %s", val, is_auto ? "0 <= P1 <= P2 <= 100" : "LO < HI");
        return CLI_EXIT_USAGE;
    }
    p->auto_range = is_auto;
    if (is_auto)
        p->plo = x, p->phi = y;
    else
        p->lo = x, p->hi = y;
    return CLI_RUN;
}

/* --plugin FILE: loads the plugin at once, so that the stages (and zslab list) find its kernels. */
int cli_set_plugin(const cli_flag *f, const char *val, cli_opts *o)
{
    (void)f, (void)o;
    const zs_status st = zs_plugin_load(val);
    if (st == ZS_OK) return CLI_RUN;
    cli_error("%s", *zs_last_error() ? zs_last_error() : zs_strerror(st)); /* the library names the file */
    return CLI_EXIT_ERROR;
}

int cli_set_threshold(const cli_flag *f, const char *val, cli_opts *o)
{
    char *end;
    errno = 0;
    const double t = strtod(val, &end);
    if (end == val || *end || errno == ERANGE)
        return cli_error("%s: --%s: cannot read '%s' (a number)", o->command->name, f->name, val), CLI_EXIT_USAGE;
    o->threshold = t;
    o->has_threshold = 1;
    return CLI_RUN;
}

int cli_set_connectivity(const cli_flag *f, const char *val, cli_opts *o)
{
    const int n = (int)strtol(val, NULL, 10);
    if (strcmp(val, "6") != 0 && strcmp(val, "18") != 0 && strcmp(val, "26") != 0)
        return cli_error("%s: --%s %s: 6, 18 or 26", o->command->name, f->name, val), CLI_EXIT_USAGE;
    o->connectivity = n;
    return CLI_RUN;
}
