/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab resample CELLS.csv OUT.csv --like IN (--voxel-size S | --shape | --factor) [--density D]`:
 * a cell table's positions (columns x, y, z, or centroid_x, centroid_y, centroid_z: voxels of IN,
 * as `zslab label --table` writes them) carried to the grid IN resampled so would have
 * (zs_resample_point), every other column kept; --density D counts them per voxel of that grid
 * (zs_resample_density). Everything is read and checked (the target, the columns, every
 * position inside IN's extent) before anything is written; OUT.csv is written as OUT.csv.partial
 * and renamed once D (if any) is committed. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct cell_table {
    char *text;     /* the file, lines cut at '\n' (owned) */
    char **line;    /* the header, then one line per row (into text); blank lines left out */
    size_t *lineno; /* each one's line number in the file, for messages */
    size_t nline;   /* lines, the header included */
    int col[3];     /* the position columns */
    double *xyz;    /* per row: x, y, z */
} cell_table;

static void table_free(cell_table *t)
{
    free(t->text);
    free(t->line);
    free(t->lineno);
    free(t->xyz);
}

/* Field `k` of a CSV line (no quoting: the tables zslab writes have none): its start and length. */
static const char *field(const char *line, int k, size_t *len)
{
    for (int i = 0; i < k && line; i++) line = strchr(line, ',') ? strchr(line, ',') + 1 : NULL;
    if (!line) return NULL;
    *len = strcspn(line, ",");
    return line;
}

static int find_columns(const char *path, cell_table *t)
{
    static const char *const names[2][3] = {{"x", "y", "z"}, {"centroid_x", "centroid_y", "centroid_z"}};
    for (int set = 0; set < 2; set++) {
        int found = 0;
        for (int d = 0; d < 3; d++) {
            t->col[d] = -1;
            size_t len = 0;
            const char *f;
            for (int k = 0; (f = field(t->line[0], k, &len)); k++)
                if (len == strlen(names[set][d]) && strncmp(f, names[set][d], len) == 0) t->col[d] = k;
            found += t->col[d] >= 0;
        }
        if (found == 3) return CLI_RUN;
    }
    cli_error("%s: no position columns: the header names neither x, y, z nor centroid_x, centroid_y, centroid_z", path);
    return CLI_EXIT_ERROR;
}

static int read_lines(const char *path, cell_table *t)
{
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (!f || size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        cli_error("%s: cannot read it: %s", path, strerror(errno));
        if (f) fclose(f);
        return CLI_EXIT_ERROR;
    }
    t->text = malloc((size_t)size + 1);
    t->line = malloc(((size_t)size / 2 + 2) * sizeof *t->line); /* a line has at least one byte and '\n' */
    t->lineno = malloc(((size_t)size / 2 + 2) * sizeof *t->lineno);
    const size_t got = t->text ? fread(t->text, 1, (size_t)size, f) : 0;
    fclose(f);
    if (!t->text || !t->line || !t->lineno || got != (size_t)size) {
        cli_error("%s: cannot read it (%ld bytes)", path, size);
        return CLI_EXIT_ERROR;
    }
    t->text[size] = '\0';
    size_t n = 0; /* the line's number in the file */
    for (char *s = t->text; *s;) {
        char *e = s + strcspn(s, "\n");
        n++;
        const int last = *e == '\0';
        *e = '\0';
        if (e > s && e[-1] == '\r') e[-1] = '\0';
        if (*s) {
            t->lineno[t->nline] = n;
            t->line[t->nline++] = s;
        }
        if (last) break;
        s = e + 1;
    }
    if (t->nline == 0) cli_error("%s: empty: a cell table has a header line", path);
    return t->nline ? CLI_RUN : CLI_EXIT_ERROR;
}

static int read_table(const char *path, cell_table *t)
{
    int rc = read_lines(path, t);
    if (rc == CLI_RUN) rc = find_columns(path, t);
    if (rc != CLI_RUN) return rc;
    t->xyz = malloc((t->nline * 3 + 1) * sizeof *t->xyz);
    if (!t->xyz) return cli_error("%s: out of memory", path), CLI_EXIT_ERROR;
    for (size_t i = 1; i < t->nline; i++)
        for (int d = 0; d < 3; d++) {
            size_t len = 0;
            const char *f = field(t->line[i], t->col[d], &len);
            char *end = NULL;
            const double v = f ? strtod(f, &end) : 0;
            if (!f || end != f + len || len == 0) {
                cli_error("%s: line %zu: column %c is not a number", path, t->lineno[i], "xyz"[d]);
                return CLI_EXIT_ERROR;
            }
            t->xyz[3 * (i - 1) + (size_t)d] = v;
        }
    return CLI_RUN;
}

/* The table, its position columns in the output grid, into OUT.csv.partial (claimed as outputs are:
 * never through a link); renamed to OUT.csv by the caller's commit. */
static void write_table(FILE *f, const cell_table *t, const zs_volume_info *in, const zs_volume_info *spec)
{
    fprintf(f, "%s\n", t->line[0]);
    for (size_t i = 1; i < t->nline; i++) {
        double q[3];
        zs_resample_point(in, spec, t->xyz + 3 * (i - 1), q);
        size_t len = 0;
        const char *fl;
        for (int k = 0; (fl = field(t->line[i], k, &len)); k++) {
            const int d = k == t->col[0] ? 0 : k == t->col[1] ? 1 : k == t->col[2] ? 2 : -1;
            if (d >= 0)
                fprintf(f, "%s%.17g", k ? "," : "", q[d]);
            else
                fprintf(f, "%s%.*s", k ? "," : "", (int)len, fl);
        }
        fputc('\n', f);
    }
}

static int write_density(const cli_opts *o, const zs_volume_info *in, zs_volume_info spec, const cell_table *t)
{
    zs_dtype_parse("uint32", &spec.dtype);
    if (o->has_dtype) spec.dtype = o->dtype;
    spec.slope = 1, spec.inter = 0;
    zs_volume *out = NULL;
    const int rc = cli_output_create(o, o->density, &spec, &out);
    if (rc != CLI_RUN) return rc;
    const int done = cli_output_finish(o->density, out, zs_resample_density(in, t->xyz, t->nline - 1, out));
    return done == CLI_EXIT_OK ? CLI_RUN : done;
}

int cli_resample_cells(const cli_opts *o)
{
    zs_volume *like = NULL;
    cell_table t;
    memset(&t, 0, sizeof t);
    zs_partial_file *pf = NULL;
    int rc = cli_open_input(o->like, &o->raw, &like);
    zs_volume_info spec;
    const zs_volume_info *in = like ? zs_volume_get_info(like) : NULL;
    if (rc == CLI_RUN) {
        spec = *in;
        const zs_status st = zs_resample_spec(in, &o->rs, &spec);
        if (st < 0) rc = cli_fail(st, 0);
    }
    if (rc == CLI_RUN) rc = read_table(o->in, &t);
    if (rc == CLI_RUN) {
        const zs_status st = zs_resample_check_points(in, t.xyz, t.nline - 1);
        if (st < 0) rc = cli_fail(st, 0);
    }
    if (rc == CLI_RUN && o->dry_run) { /* the checks above, and what would be written */
        printf("cells:      %zu positions of %s into the grid of %lldx%lldx%lld: %s%s%s\n", t.nline - 1, o->in,
               (long long)spec.shape[0], (long long)spec.shape[1], (long long)spec.shape[2], o->out,
               o->density ? ", counted into " : "", o->density ? o->density : "");
        rc = CLI_EXIT_OK;
    }
    zs_status st = ZS_OK;
    if (rc == CLI_RUN && (st = zs_partial_file_new(o->out, &pf)) < 0) rc = cli_fail(st, 0);
    if (rc == CLI_RUN) write_table(zs_partial_file_stream(pf), &t, in, &spec);
    if (rc == CLI_RUN && o->density) rc = write_density(o, in, spec, &t);
    if (rc == CLI_RUN && (st = zs_partial_file_commit(pf)) < 0) rc = cli_fail(st, 0);
    zs_partial_file_free(pf); /* without a commit, removes the partial this run created */
    if (rc == CLI_RUN) {
        cli_note(2, "resampled %s -> %s: %zu positions in the grid of %lldx%lldx%lld%s%s", o->in, o->out, t.nline - 1,
                 (long long)spec.shape[0], (long long)spec.shape[1], (long long)spec.shape[2],
                 o->density ? ", counted into " : "", o->density ? o->density : "");
        rc = CLI_EXIT_OK;
    }
    table_free(&t);
    zs_volume_free(like);
    return rc;
}
