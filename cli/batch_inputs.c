/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The stacks of a batch: a list file (one input per line), a quoted glob or a directory
 * (its volume files), in natural order for globs and directories; and their output names,
 * D/<stem>.<ext>, checked for clashes before anything runs. */
#define _XOPEN_SOURCE 700 /* realpath */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "batch.h"

/* What a directory holds that zslab reads as a volume: the names of the registry's formats
 * (cli_volume_file_name; the data files of .mhd and .nhdr, usually .raw, are not volumes of
 * their own). */
static int volume_name(const char *name) { return cli_volume_file_name(name); }

int batch_natural_cmp(const char *a, const char *b)
{
    const char *p = a, *q = b;
    while (*p && *q) {
        if (isdigit((unsigned char)*p) && isdigit((unsigned char)*q)) {
            while (*p == '0') p++;
            while (*q == '0') q++;
            const char *pe = p, *qe = q;
            while (isdigit((unsigned char)*pe)) pe++;
            while (isdigit((unsigned char)*qe)) qe++;
            if (pe - p != qe - q) return pe - p < qe - q ? -1 : 1;
            const int c = strncmp(p, q, (size_t)(pe - p));
            if (c) return c;
            p = pe, q = qe;
        } else if (*p != *q) {
            return (unsigned char)*p < (unsigned char)*q ? -1 : 1;
        } else {
            p++, q++;
        }
    }
    if (*p || *q) return *p ? 1 : -1;
    return strcmp(a, b); /* equal as numbers ("a01", "a1"): still a fixed order */
}

static int natural_cmp_stacks(const void *x, const void *y)
{
    return batch_natural_cmp(((const batch_stack *)x)->in, ((const batch_stack *)y)->in);
}

static int add_stack(batch_list *l, const char *in)
{
    if (l->n == l->cap) {
        const int cap = l->cap ? 2 * l->cap : 16;
        batch_stack *s = realloc(l->s, (size_t)cap * sizeof *s);
        if (!s) return -1;
        l->s = s;
        l->cap = cap;
    }
    memset(&l->s[l->n], 0, sizeof l->s[l->n]);
    l->s[l->n].in = strdup(in);
    return l->s[l->n++].in ? 0 : -1;
}

const char *batch_status_name(batch_status st)
{
    switch (st) {
    case BATCH_TODO:
        return "to do";
    case BATCH_OK:
        return "ok";
    case BATCH_SKIPPED:
        return "skipped";
    case BATCH_FAILED:
        return "FAILED";
    default:
        return "not run";
    }
}

void batch_list_free(batch_list *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->s[i].in);
        free(l->s[i].out);
        free(l->s[i].record);
        free(l->s[i].message);
        free(l->s[i].pipeline);
    }
    free(l->s);
    memset(l, 0, sizeof *l);
}

static int out_of_memory(void)
{
    cli_error("out of memory");
    return CLI_EXIT_ERROR;
}

/* One input per line; surrounding blanks, blank lines and lines starting with # are
 * skipped; relative paths are relative to the current directory (as for xargs or tar -T). */
static int read_list(const char *file, batch_list *l)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        cli_error("%s: cannot read the list of inputs: %s", file, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = CLI_RUN, lineno = 0;
    while (rc == CLI_RUN && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if ((size_t)n != strlen(line)) {
            cli_error("%s: line %d holds a NUL byte: not a list of inputs (a text file, one path per line)", file,
                      lineno);
            rc = CLI_EXIT_ERROR;
            break;
        }
        char *p = line, *e = line + n;
        while (p < e && isspace((unsigned char)*p)) p++;
        while (e > p && isspace((unsigned char)e[-1])) *--e = '\0';
        if (*p && *p != '#' && add_stack(l, p)) rc = out_of_memory();
    }
    if (rc == CLI_RUN && ferror(f)) {
        cli_error("%s: cannot read the list of inputs: %s", file, strerror(errno));
        rc = CLI_EXIT_ERROR;
    }
    free(line);
    fclose(f);
    if (rc == CLI_RUN && l->n == 0) {
        cli_error("%s: no inputs in the list (one path per line; blank lines and # comments are skipped)", file);
        rc = CLI_EXIT_USAGE;
    }
    return rc;
}

/* Matches in natural order; directories end in '/' (each one a plane series). */
static int read_glob(const char *pattern, batch_list *l)
{
    glob_t g;
    const int r = glob(pattern, GLOB_MARK, NULL, &g);
    if (r == GLOB_NOMATCH) {
        cli_error("--batch: no file matches '%s'", pattern);
        return CLI_EXIT_ERROR;
    }
    if (r != 0) {
        cli_error("--batch: cannot expand '%s'%s", pattern, r == GLOB_NOSPACE ? ": out of memory" : "");
        return CLI_EXIT_ERROR;
    }
    int rc = CLI_RUN;
    for (size_t i = 0; rc == CLI_RUN && i < g.gl_pathc; i++)
        if (add_stack(l, g.gl_pathv[i])) rc = out_of_memory();
    globfree(&g);
    if (rc == CLI_RUN) qsort(l->s, (size_t)l->n, sizeof *l->s, natural_cmp_stacks);
    return rc;
}

/* The directory's volume files (by extension), in natural order; hidden files and
 * subdirectories are left out. */
static int read_dir(const char *dir, batch_list *l)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_error("%s: cannot read the directory: %s", dir, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    const size_t dl = strlen(dir);
    const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
    int rc = CLI_RUN;
    for (struct dirent *e; rc == CLI_RUN && (e = readdir(d));) {
        char path[ZS_PATH_MAX];
        struct stat st;
        if (e->d_name[0] == '.' || !volume_name(e->d_name)) continue;
        if (snprintf(path, sizeof path, "%s%s%s", dir, sep, e->d_name) >= (int)sizeof path) continue;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && add_stack(l, path)) rc = out_of_memory();
    }
    closedir(d);
    if (rc == CLI_RUN && l->n == 0) {
        char names[256];
        cli_suffix_list(names, sizeof names, 1);
        cli_error("%s: no volume files in the directory (%s)", dir, names);
        rc = CLI_EXIT_ERROR;
    }
    if (rc == CLI_RUN) qsort(l->s, (size_t)l->n, sizeof *l->s, natural_cmp_stacks);
    return rc;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --batch ARG: a directory, else an existing file is a list, else a glob. */
static int read_inputs(const cli_opts *o, batch_list *l)
{
    if (o->jobs_file) return read_list(o->jobs_file, l);
    const char *arg = o->batch;
    struct stat st;
    if (stat(arg, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return read_dir(arg, l);
        if (volume_name(arg)) {
            cli_error("--batch %s: a volume, not a list of inputs; give a list file (one input per line), a quoted "
                      "glob ('data/*.tif') or a directory",
                      arg);
            return CLI_EXIT_USAGE;
        }
        return read_list(arg, l);
    }
    if (strpbrk(arg, "*?[")) return read_glob(arg, l);
    cli_error("%s: cannot read the list of inputs: %s", arg, strerror(errno));
    return CLI_EXIT_ERROR;
}

/* A plane series named by a printf pattern: '%' [flags, width] 'd'. */
static int printf_pattern(const char *s)
{
    for (const char *p = strchr(s, '%'); p; p = strchr(p + 1, '%')) {
        const char *q = p + 1;
        while (*q == '0' || isdigit((unsigned char)*q)) q++;
        if (*q == 'd' || *q == 'i' || *q == 'u') return 1;
    }
    return 0;
}

/* The last path component of `dir` as written, or of its real path for ".", ".." or "/". */
static void dir_name(const char *dir, char *out, size_t n)
{
    char buf[ZS_PATH_MAX], real[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", *dir ? dir : ".");
    size_t len = strlen(buf);
    while (len > 1 && buf[len - 1] == '/') buf[--len] = '\0';
    const char *base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
    if ((!strcmp(base, ".") || !strcmp(base, "..") || !*base) && realpath(buf, real)) {
        base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
        snprintf(out, n, "%s", *base ? base : "root");
        return;
    }
    snprintf(out, n, "%s", base);
}

/* stem and extension of an input: "data/a.tif" → "a", ".tif"; a directory or a series pattern
 * (a glob or a printf pattern in stack/) → the directory's name, and "/" (a series) as the
 * extension of its own format. */
static void split_name(const char *in, char *stem, size_t n, const char **ext)
{
    if (is_dir(in)) {
        dir_name(in, stem, n);
        *ext = "/";
        return;
    }
    const char *slash = strrchr(in, '/'), *base = slash ? slash + 1 : in;
    if (strpbrk(in, "*?[") || printf_pattern(base)) {
        char dir[ZS_PATH_MAX];
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - in) : 1, slash ? in : ".");
        dir_name(dir, stem, n);
        *ext = "/";
        return;
    }
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base) dot = base + strlen(base);
    snprintf(stem, n, "%.*s", (int)(dot - base), base);
    *ext = dot;
}

static int out_cmp(const void *x, const void *y)
{
    const batch_stack *a = *(batch_stack *const *)x, *b = *(batch_stack *const *)y;
    return strcmp(a->record, b->record);
}

/* Two inputs, one output: an error before anything runs. Records are named after the
 * outputs (less a series' trailing '/'), so equal records mean equal outputs. */
static int check_clashes(const batch_list *l)
{
    batch_stack **v = malloc((size_t)l->n * sizeof *v);
    if (!v) return out_of_memory();
    for (int i = 0; i < l->n; i++) v[i] = &l->s[i];
    qsort(v, (size_t)l->n, sizeof *v, out_cmp);
    int rc = CLI_RUN;
    for (int i = 1; i < l->n && rc == CLI_RUN; i++)
        if (strcmp(v[i - 1]->record, v[i]->record) == 0) {
            cli_error("--batch: %s and %s would both be written to %s: rename one, or run them in two batches",
                      v[i - 1]->in, v[i]->in, v[i]->out);
            rc = CLI_EXIT_USAGE;
        }
    free(v);
    return rc;
}

static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* D/<stem>.<ext> and its record for every stack. */
static int name_outputs(const cli_opts *o, batch_list *l)
{
    char d[ZS_PATH_MAX];
    snprintf(d, sizeof d, "%s", o->out_dir);
    size_t len = strlen(d);
    while (len > 1 && d[len - 1] == '/') d[--len] = '\0';
    const char *sep = strcmp(d, "/") ? "/" : "";
    for (int i = 0; i < l->n; i++) {
        batch_stack *s = &l->s[i];
        char stem[ZS_PATH_MAX], fmt[32];
        const char *ext;
        split_name(s->in, stem, sizeof stem, &ext);
        if (o->out_format) {
            snprintf(fmt, sizeof fmt, ".%s", o->out_format);
            ext = fmt;
        }
        const char *rext = strcmp(ext, "/") ? ext : "";
        const size_t n = strlen(d) + strlen(stem) + strlen(ext) + sizeof BATCH_RECORD_DIR + 16;
        s->out = malloc(n);
        s->record = malloc(n);
        if (!s->out || !s->record) return out_of_memory();
        snprintf(s->out, n, "%s%s%s%s", d, sep, stem, ext);
        snprintf(s->record, n, "%s%s%s/%s%s.done", d, sep, BATCH_RECORD_DIR, stem, rext);
        if (strlen(s->out) >= ZS_PATH_MAX - 16) {
            cli_error("%s: output path too long", s->out);
            return CLI_EXIT_USAGE;
        }
        if (same_file(s->in, s->out)) {
            cli_error("--batch: the output of %s would be %s, the input itself: choose another --out-dir", s->in,
                      s->out);
            return CLI_EXIT_USAGE;
        }
    }
    return check_clashes(l);
}

int batch_list_make(const cli_opts *o, batch_list *l)
{
    memset(l, 0, sizeof *l);
    int rc = read_inputs(o, l);
    if (rc == CLI_RUN && o->batch && is_dir(o->batch) && is_dir(o->out_dir) && same_file(o->batch, o->out_dir)) {
        cli_error("--batch %s: --out-dir is the batch directory itself: its outputs would be taken as inputs by "
                  "the next run; choose another directory",
                  o->batch);
        rc = CLI_EXIT_USAGE;
    }
    if (rc == CLI_RUN) rc = name_outputs(o, l);
    return rc;
}
