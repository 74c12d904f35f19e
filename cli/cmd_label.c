/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab label IN OUT`: connected components of the foreground (after optional --op stages),
 * numbered as scipy.ndimage.label numbers them, and an optional table of the components. The
 * label options are read here; the rest (--op, --threads, --slab, --mem-budget, --force, the raw
 * layout, -q/-v ...) go through filter's parser. Order: open, plan, count (pass 1, nothing
 * written), table, create OUT.partial, write the labels (pass 2), commit. */
#define _POSIX_C_SOURCE 200809L /* lstat */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "cli.h"
#include "progress.h"
#include "zslab_reduce.h"

typedef struct label_cli {
    cli_filter_opts f;
    zs_label_opts l;
    const char *table, *intensity; /* borrowed from argv */
    char **rest;                   /* what filter's parser reads (owner) */
    int nrest, has_op;
} label_cli;

static void help_label(FILE *f)
{
    fprintf(f,
            "usage: zslab label IN OUT [--op KERNEL:k=v ...] [--threshold T] [--connectivity 6|18|26]\n"
            "                   [--dtype uint32|uint64] [--table OBJ.csv|OBJ.npy] [--intensity IN2]\n"
            "                   [--min-size N] [--max-size N] [--threads N] [--slab-height H]\n"
            "                   [--mem-budget B] [--force]\n\n"
            "Labels the connected components of IN's foreground (value > T with --threshold, else\n"
            "nonzero; NaN is nonzero), after the --op stages if any, exactly as scipy.ndimage.label\n"
            "labels the array numpy opens (np.load, tifffile, zarr, h5py, nibabel): components are\n"
            "numbered by their first voxel in C order of that array; background is 0. Streams\n"
            "through z-slabs in two passes: memory is the budget plus %d bytes per fragment (a\n"
            "component's part in one slab; %d with --table).\n\n"
            "  --threshold T         foreground is value > T\n"
            "  --connectivity N      6 (default), 18 or 26: generate_binary_structure(3, 1|2|3)\n"
            "  --dtype D             uint32 (default, up to 2^32-1 components) or uint64\n"
            "  --table P             one row per label: label, voxels, centroid_x/y/z (_um with a voxel\n"
            "                        size), x_min..z_max (inclusive), sum, mean, min, max; .npy: a\n"
            "                        structured array, else CSV\n"
            "  --intensity IN2       the table's intensities (default: IN)\n"
            "  --min-size N, --max-size N\n"
            "                        keep components of N voxels or more / at most; renumbered 1, 2, ...\n"
            "  --slab-height H       planes per slab (also --slab); the labels do not depend on it\n"
            "  --op, --threads, --mem-budget, -f/--force, --precision, --engine, --read-engine,\n"
            "  --no-bind, --compress, --chunks, --dataset, --dry-run, --progress, -q/--quiet,\n"
            "  -v/--verbose, --in-shape, --in-dtype, --in-offset, --in-order: as zslab filter\n"
            "  -h/--help             this text\n\n"
            "exit codes: 0 ok, 1 error (nothing is left at OUT), 2 usage\n",
            ZS_LABEL_BYTES_PER_FRAGMENT, ZS_LABEL_BYTES_PER_FRAGMENT + ZS_LABEL_TABLE_BYTES_PER_FRAGMENT);
}

/* label's own options, and those filter's parser reads for it (one table: --list-options and
 * the check of what is given come from it). */
enum { L_FORWARD = 0, L_THRESHOLD, L_CONNECTIVITY, L_TABLE, L_INTENSITY, L_MIN, L_MAX, L_SLAB };
static const cli_optdef label_defs[] = {{"threshold", 0, 1, L_THRESHOLD}, {"connectivity", 0, 1, L_CONNECTIVITY},
                                        {"table", 0, 1, L_TABLE},         {"intensity", 0, 1, L_INTENSITY},
                                        {"min-size", 0, 1, L_MIN},        {"max-size", 0, 1, L_MAX},
                                        {"slab-height", 0, 1, L_SLAB},    {"help", 'h', 0, L_FORWARD},
                                        {"quiet", 'q', 0, L_FORWARD},     {"verbose", 'v', 0, L_FORWARD},
                                        {"op", 0, 1, L_FORWARD},          {"dtype", 0, 1, L_FORWARD},
                                        {"threads", 0, 1, L_FORWARD},     {"slab", 0, 1, L_FORWARD},
                                        {"mem-budget", 0, 1, L_FORWARD},  {"force", 'f', 0, L_FORWARD},
                                        {"precision", 0, 1, L_FORWARD},   {"engine", 0, 1, L_FORWARD},
                                        {"read-engine", 0, 1, L_FORWARD}, {"no-bind", 0, 0, L_FORWARD},
                                        {"compress", 0, 1, L_FORWARD},    {"chunks", 0, 1, L_FORWARD},
                                        {"dataset", 0, 1, L_FORWARD},     {"dry-run", 0, 0, L_FORWARD},
                                        {"progress", 0, 0, L_FORWARD},    {"in-shape", 0, 1, L_FORWARD},
                                        {"in-dtype", 0, 1, L_FORWARD},    {"in-offset", 0, 1, L_FORWARD},
                                        {"in-order", 0, 1, L_FORWARD},    {0, 0, 0, 0}};

static const cli_optdef *find_def(const char *arg, size_t *len)
{
    for (const cli_optdef *d = label_defs; d->name; d++) {
        *len = strlen(d->name);
        if (arg[0] == '-' && arg[1] == '-' && !strncmp(arg + 2, d->name, *len) &&
            (!arg[2 + *len] || arg[2 + *len] == '='))
            return d;
        if (d->letter && arg[0] == '-' && arg[1] == d->letter && !arg[2]) return d;
    }
    return NULL;
}

static int label_value(label_cli *c, int id, char *v)
{
    int64_t n = 0;
    switch (id) {
    case L_THRESHOLD: {
        char *end;
        c->l.threshold = strtod(v, &end);
        c->l.has_threshold = 1;
        if (end == v || *end) return cli_error("label: --threshold: cannot read '%s' (a number)", v), -1;
        return 0;
    }
    case L_CONNECTIVITY:
        if (cli_parse_int("--connectivity", v, 6, 26, 0, &n) < 0 || (n != 6 && n != 18 && n != 26))
            return cli_error("label: --connectivity %s: 6, 18 or 26", v), -1;
        c->l.connectivity = (int)n;
        return 0;
    case L_TABLE:
        c->table = v;
        return 0;
    case L_INTENSITY:
        c->intensity = v;
        return 0;
    case L_MIN:
        return cli_parse_int("--min-size", v, 0, INT64_MAX, 1, &c->l.min_size);
    case L_MAX:
        return cli_parse_int("--max-size", v, 0, INT64_MAX, 1, &c->l.max_size);
    default: /* L_SLAB */
        c->rest[c->nrest++] = "--slab";
        c->rest[c->nrest++] = v;
        return 0;
    }
}

/* One argument at argv[*i]: a label option (read), a forwarded one (copied with its value), a
 * positional (copied), or an unknown option (-1). */
static int take_arg(label_cli *c, int argc, char **argv, int *i)
{
    char *a = argv[*i];
    size_t len;
    const cli_optdef *d = a[0] == '-' && a[1] ? find_def(a, &len) : NULL;
    if (a[0] == '-' && a[1] && !d) {
        cli_error("label: unknown option '%s' (zslab label --help)", a);
        return -1;
    }
    char *attached = d && a[1] == '-' && a[2 + len] == '=' ? a + 3 + len : NULL;
    if (d && d->takes_value && !attached && *i + 1 >= argc) {
        cli_error("label: --%s needs a value", d->name);
        return -1;
    }
    if (d && d->id != L_FORWARD) return label_value(c, d->id, attached ? attached : argv[++*i]);
    if (d && !strcmp(d->name, "op")) c->has_op = 1;
    c->rest[c->nrest++] = argv[*i];
    if (d && d->takes_value && !attached) c->rest[c->nrest++] = argv[++*i];
    return 0;
}

/* Splits argv into the label options and the rest, parsed as filter's (convert's without --op). */
static int parse_label(int argc, char **argv, label_cli *c)
{
    memset(c, 0, sizeof *c);
    zs_label_opts_default(&c->l);
    c->rest = calloc((size_t)argc + 3, sizeof *c->rest);
    if (!c->rest) return cli_error("label: out of memory"), CLI_EXIT_ERROR;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return help_label(stdout), CLI_EXIT_OK;
        if (!strcmp(argv[i], "--list-options")) {
            for (const cli_optdef *d = label_defs; d->name; d++) {
                printf("--%s%s\n", d->name, d->takes_value ? "=" : "");
                if (d->letter) printf("-%c%s\n", d->letter, d->takes_value ? "=" : "");
            }
            return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
        }
        if (!strcmp(argv[i], "--")) {
            while (i < argc) c->rest[c->nrest++] = argv[i++];
            break;
        }
        if (take_arg(c, argc, argv, &i) < 0) return CLI_EXIT_USAGE;
    }
    int rc = cli_parse_filter(c->nrest, c->rest, !c->has_op, &c->f);
    if (rc != CLI_RUN) return rc;
    if (c->f.has_dtype && c->f.dtype.type != ZS_U32 && c->f.dtype.type != ZS_U64) {
        cli_error("label: --dtype %s: labels are uint32 or uint64", zs_dtype_name(c->f.dtype));
        return CLI_EXIT_USAGE;
    }
    return CLI_RUN;
}

/* Early refusals, before anything is read: OUT exists, a series, an output dtype too small. */
static int check_early(const label_cli *c, const zs_volume_info *in)
{
    struct stat sb;
    if (!c->f.force && !c->f.dry_run && lstat(c->f.out, &sb) == 0) {
        cli_error("%s: exists; use --force to overwrite it", c->f.out);
        return CLI_EXIT_ERROR;
    }
    if (in->shape[3] > 1) {
        cli_error("%s: a series of %lld volumes: label one volume (a dataset, or a file per volume)", in->path,
                  (long long)in->shape[3]);
        return CLI_EXIT_ERROR;
    }
    return CLI_RUN;
}

/* Plans IN's pipeline in whole planes (a reduction's), with slabs aligned to OUT's chunks. */
static int plan_label(const label_cli *c, const zs_volume *in, zs_plan **plan)
{
    const zs_volume_info *info = zs_volume_get_info(in);
    zs_pipeline *pipe = NULL;
    int rc = cli_build_pipeline(&c->f, info, &pipe);
    if (rc != CLI_RUN) {
        zs_pipeline_free(pipe);
        return rc;
    }
    zs_plan_opts po;
    cli_plan_opts(&c->f, &po);
    po.has_out_dtype = 0;
    po.input = in;
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.compress = c->f.compress;
    memcpy(co.chunk, c->f.chunk, sizeof co.chunk);
    po.z_align = zs_path_write_z_align(c->f.out, &co);
    zs_status st = zs_label_plan(info, pipe, &po, c->table != NULL, plan);
    zs_pipeline_free(pipe);
    return st < 0 ? cli_plan_failed(&c->f, st) : CLI_RUN;
}

/* Creates OUT.partial with the labels' dtype, writes pass 2 into it and commits it. */
static int write_labels(const label_cli *c, const zs_labeling *L, const zs_plan *plan, zs_dtype dt, zs_run_stats *rs)
{
    zs_volume_info spec;
    zs_plan_output_spec(plan, &spec);
    spec.dtype = dt;
    spec.slope = 1, spec.inter = 0;
    zs_create_opts co;
    zs_create_opts_default(&co);
    co.force = c->f.force;
    co.compress = c->f.compress;
    memcpy(co.chunk, c->f.chunk, sizeof co.chunk);
    zs_volume *out = NULL;
    zs_status st = zs_volume_create(c->f.out, &spec, &co, &out);
    if (st < 0) return cli_fail(st, 0);
    cli_interrupt_install(zs_volume_get_info(out)->path, 1);
    st = zs_label_write(L, out, rs);
    if (st == ZS_OK) st = zs_volume_commit(out);
    int rc = CLI_EXIT_OK;
    if (st == ZS_ECANCELED && cli_stop)
        cli_error("%s: interrupted; the partial output was removed", c->f.out), rc = CLI_EXIT_ERROR;
    else if (st < 0)
        rc = cli_fail(st, 0);
    zs_volume_free(out); /* uncommitted: removed */
    cli_interrupt_clear();
    return rc;
}

/* The label dtype: --dtype, else the smallest that holds the count; too small is an error. */
static int label_dtype(const label_cli *c, const zs_labeling *L, zs_dtype *dt)
{
    *dt = c->f.has_dtype ? c->f.dtype : zs_label_dtype(L);
    dt->big_endian = 0;
    if (zs_dtype_size(*dt) < zs_dtype_size(zs_label_dtype(L))) {
        cli_error("%s: %llu components do not fit in --dtype %s: use uint64", c->f.in,
                  (unsigned long long)zs_label_components(L), zs_dtype_name(*dt));
        return CLI_EXIT_ERROR;
    }
    return CLI_RUN;
}

static int run_label(label_cli *c, const zs_volume *in, const zs_plan *plan)
{
    zs_volume *inten = NULL;
    int rc = CLI_RUN;
    if (c->intensity) rc = cli_open_input(c->intensity, &c->f.raw, &inten);
    if (rc != CLI_RUN) return rc;
    c->l.intensity = inten;
    c->l.table = c->table != NULL;
    c->l.stop = &cli_stop;
    zs_labeling *L = NULL;
    zs_dtype dt;
    zs_run_stats rs;
    memset(&rs, 0, sizeof rs);
    zs_status st = zs_label_count(plan, in, &c->l, &L);
    if (st < 0) rc = st == ZS_EPARAM ? cli_fail(st, 1) : cli_fail(st, 0);
    if (rc == CLI_RUN) rc = label_dtype(c, L, &dt);
    if (rc == CLI_RUN) rc = write_labels(c, L, plan, dt, &rs);
    if (rc == CLI_EXIT_OK && c->table && (st = zs_label_table_write(L, c->table)) < 0) rc = cli_fail(st, 0);
    if (rc == CLI_EXIT_OK) {
        const double s = rs.seconds > 0 ? rs.seconds : 1e-9, mvox = (double)rs.voxels / 1e6;
        cli_note(2,
                 "labelled %s -> %s: %llu components (%s, connectivity %d), %.1f Mvox written in %.2f s, %d thread%s, "
                 "%lld slabs of %lld planes",
                 c->f.in, c->f.out, (unsigned long long)zs_label_components(L), zs_dtype_name(dt), c->l.connectivity,
                 mvox, s, rs.threads, rs.threads == 1 ? "" : "s", (long long)zs_plan_slab_count(plan),
                 (long long)zs_plan_slab_height(plan));
    }
    zs_label_free(L);
    zs_volume_free(inten);
    return rc;
}

/* What labels add to the plan's memory (--dry-run, and -v before running). */
static void print_memory(const label_cli *c, const zs_volume_info *in, const zs_plan *plan, FILE *f)
{
    const double es = zs_plan_precision(plan) == ZS_PRECISION_FLOAT64 ? 8.0 : 4.0;
    const double slab = (double)zs_plan_slab_height(plan) * (double)in->shape[0] * (double)in->shape[1];
    fprintf(f,
            "labels:     uint32 (uint64 above 2^32-1 components), connectivity %d; per worker a slab of %lld planes "
            "(%.1f MiB of values%s) and its runs (16 bytes each); %d bytes per fragment (a component's part in a "
            "slab), grown by doubling\n",
            c->l.connectivity, (long long)zs_plan_slab_height(plan), slab * es / 1048576.0,
            c->table ? " and as much again in intensities" : "",
            ZS_LABEL_BYTES_PER_FRAGMENT + (c->table ? ZS_LABEL_TABLE_BYTES_PER_FRAGMENT : 0));
}

int cli_run_label(int argc, char **argv)
{
    label_cli c;
    int rc = parse_label(argc, argv, &c);
    zs_volume *in = NULL;
    zs_plan *plan = NULL;
    if (rc == CLI_RUN) rc = cli_open_input(c.f.in, &c.f.raw, &in);
    if (rc == CLI_RUN) rc = check_early(&c, zs_volume_get_info(in));
    if (rc == CLI_RUN) rc = plan_label(&c, in, &plan);
    if (rc == CLI_RUN && c.f.dry_run) {
        cli_print_plan(plan, stdout);
        print_memory(&c, zs_volume_get_info(in), plan, stdout);
        rc = CLI_EXIT_OK;
    } else if (rc == CLI_RUN && cli_level >= 3) {
        print_memory(&c, zs_volume_get_info(in), plan, stderr);
    }
    if (rc == CLI_RUN) rc = run_label(&c, in, plan);
    zs_plan_free(plan);
    zs_volume_free(in);
    cli_filter_opts_free(&c.f);
    free(c.rest);
    return rc;
}
