/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Parsing: argv of a command into cli_opts through the option table (options.c), and the
 * command's help from its help text and the table. Nothing here touches a file; the
 * commands (cmd_*.c) check what they need (cli_command.check) and do the work. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "options.h"
#include "zslab_kernel.h"

/* ---- help ----------------------------------------------------------------------------- */
/* "  --threads N           text", continuation lines in column 25. */
static void flag_line(FILE *f, const cli_flag *d, const char *text, size_t len)
{
    char tag[64];
    const int n = d->letter ? snprintf(tag, sizeof tag, "-%c, --%s", d->letter, d->name)
                            : snprintf(tag, sizeof tag, "--%s", d->name);
    if (d->value) snprintf(tag + n, sizeof tag - (size_t)n, " %s", d->value);
    fprintf(f, "  %-21s ", tag);
    for (size_t i = 0; i < len; i++) {
        fputc(text[i], f);
        if (text[i] == '\n') fprintf(f, "%24s", "");
    }
    fputc('\n', f);
}

/* The formats part of the raw options' help, from the registry. */
static void formats_paragraph(FILE *f)
{
    char names[512], text[1024];
    zs_format_names(names, sizeof names);
    snprintf(text, sizeof text,
             "formats follow the names (zslab info --formats lists them): %s (a directory, a quoted glob "
             "('stack/*.tif') or a printf pattern (plane_%%04d.tif)); other input files are raw; describe them with",
             names);
    cli_wrap(f, text, 90, 0);
    fputc('\n', f);
}

static void kernel_names(FILE *f)
{
    int col = 2;
    fputs("  ", f);
    for (int i = 0; i < zs_kernel_count(); i++) {
        const zs_kernel_desc *k = zs_kernel_get(i);
        if (col + (int)strlen(k->name) + 2 > 88) {
            fputs("\n  ", f);
            col = 2;
        }
        col += fprintf(f, "%s%s", k->name, i + 1 < zs_kernel_count() ? ", " : "\n");
    }
}

static void help_item(const cli_command *c, const char *item, size_t len, FILE *f);

/* A help text with its {items} expanded. */
static void help_text(const cli_command *c, const char *text, FILE *f)
{
    for (const char *p = text; *p;) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            fputs(p, f);
            return;
        }
        fwrite(p, 1, (size_t)(open - p), f);
        help_item(c, open + 1, (size_t)(close - open - 1), f);
        p = close + 1;
    }
}

/* {NAME} or {NAME:its text in this command}: the flag's line; {@common}, {@raw}, {@formats},
 * {@kernels}: the blocks several commands show. A name the command does not take is a
 * mistake of the help text: the tool stops before printing a help that lies. */
static void help_item(const cli_command *c, const char *item, size_t len, FILE *f)
{
    static const struct {
        const char *name, *text;
    } blocks[] = {{"@common", "{quiet}{verbose}{help}"}, {"@raw", "{in-shape}{in-dtype}{in-offset}{in-order}"}};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strlen(blocks[i].name) == len && strncmp(item, blocks[i].name, len) == 0)
            return help_text(c, blocks[i].text, f);
    if (len == 8 && strncmp(item, "@formats", len) == 0) return formats_paragraph(f);
    if (len == 8 && strncmp(item, "@kernels", len) == 0) return kernel_names(f);
    const char *colon = memchr(item, ':', len);
    const size_t n = colon ? (size_t)(colon - item) : len;
    const cli_flag *d = cli_flag_find(c->name, item, n);
    if (!d) {
        fprintf(stderr, "zslab: the help of %s names {%.*s}, which it does not take\n", c->name, (int)len, item);
        abort();
    }
    if (colon)
        flag_line(f, d, colon + 1, len - n - 1);
    else
        flag_line(f, d, d->help ? d->help : "", d->help ? strlen(d->help) : 0);
}

void cli_help(const cli_command *c, FILE *f) { help_text(c, c->help, f); }

/* ---- parsing -------------------------------------------------------------------------- */
/* Defaults of every field whose default is not zero. */
static void opts_init(const cli_command *c, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->command = c;
    o->pattern = ZS_PATTERN_ZEROS;
    for (int i = 0; i < 3; i++) o->voxel[i] = 1.0;
    o->progress = -1;
    o->bind = 1;
    o->nparts = 1;
    o->drop_cache = -1;
    o->repeat = 5;
    zs_preview_opts_init(&o->p);
    zs_resample_opts_default(&o->rs);
}

/* The scanner's view of the command's flags: every row of the table the command takes, its
 * index the id (array owned by the caller: free). */
static cli_optdef *command_defs(const cli_command *c)
{
    size_t n = 0, k = 0;
    while (cli_flags[n].name) n++;
    cli_optdef *defs = calloc(n + 1, sizeof *defs);
    for (size_t i = 0; defs && i < n; i++)
        if (cli_flag_taken(&cli_flags[i], c->name))
            defs[k++] = (cli_optdef){.name = cli_flags[i].name,
                                     .letter = cli_flags[i].letter,
                                     .takes_value = cli_flags[i].value != NULL,
                                     .id = (int)i};
    return defs;
}

/* A positional argument: kept, unless the command takes no more (a batch names its inputs
 * with --batch, and its check reports the positional ones). */
static int positional(const cli_command *c, cli_opts *o, const char *val)
{
    if (c->max_args < 0 || o->nargs < c->max_args) {
        o->args[o->nargs++] = val;
        return CLI_RUN;
    }
    if (o->batch || o->jobs_file) return CLI_RUN;
    cli_error("%s: unexpected argument '%s' (see zslab %s --help)", c->name, val, c->name);
    return CLI_EXIT_USAGE;
}

/* One flag: its field, and what its row says besides. */
static int apply(const cli_command *c, const cli_flag *d, const char *val, cli_opts *o)
{
    if (d->seen) *(int *)(void *)((char *)o + d->seen) = 1;
    const int rc = d->set(d, val, o);
    if (rc != CLI_SHOW_HELP) return rc;
    cli_help(c, stdout);
    return CLI_EXIT_OK;
}

int cli_parse(const cli_command *c, int argc, char **argv, cli_opts *o)
{
    opts_init(c, o);
    o->args = calloc((size_t)argc + 1, sizeof *o->args);
    o->ops = calloc((size_t)argc + 1, sizeof *o->ops);
    cli_optdef *defs = command_defs(c);
    if (!o->args || !o->ops || !defs) {
        free(defs);
        return cli_usage_error(c->name, "out of memory");
    }
    cli_scan s;
    cli_scan_init(&s, argc, argv, 0, c->name, defs);
    const char *val;
    int id, rc = CLI_RUN;
    while (rc == CLI_RUN && (id = cli_scan_next(&s, &val)) != CLI_SCAN_END) {
        if (id == CLI_SCAN_BAD)
            rc = CLI_EXIT_USAGE;
        else if (id == CLI_SCAN_POSITIONAL)
            rc = positional(c, o, val);
        else
            rc = apply(c, &cli_flags[id], val, o);
    }
    free(defs);
    if (rc == CLI_RUN && c->check) rc = c->check(o);
    return rc;
}

void cli_opts_free(cli_opts *o)
{
    free((void *)o->args);
    free((void *)o->ops);
    free(o->in_named);
    o->args = o->ops = NULL;
    o->in_named = NULL;
}
