/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The zslab tool: dispatch to the subcommands, --version, messages and exit codes. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_level = 2;

static void vmessage(const char *fmt, va_list ap)
{
    fflush(stdout);
    fputs("zslab: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

/* The last error's text, kept for reports that repeat it (the table of filter --batch). */
static char last_error[2048];

const char *cli_last_error_text(void) { return last_error; }
void cli_forget_error(void) { last_error[0] = '\0'; }

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    if (cli_level < 1) return;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

void cli_note(int level, const char *fmt, ...)
{
    if (cli_level < level) return;
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

/* The library names its parameters; the tool names the flags that set them. One row per
 * phrase of a library message that a flag completes. */
static const struct {
    const char *lib, *cli;
} flag_words[] = {
    {"(it was written by a run without one); remove it, or overwrite it (force)",
     "(it was written by a run without parts or --resume); remove it, or overwrite it with --force"},
    {"continue that job (resume), look at it (zs_journal_report), or start over (force)",
     "continue that job with --resume, look at it with zslab status, or start over with --force"},
};

int cli_fail(zs_status st, int usage)
{
    const char *msg = zs_last_error();
    if (!msg || !*msg) msg = zs_strerror(st);
    const size_t n = strlen(msg);
    const char *hit = NULL;
    size_t k = 0;
    for (k = 0; k < sizeof flag_words / sizeof flag_words[0]; k++)
        if ((hit = strstr(msg, flag_words[k].lib))) break;
    if (hit)
        cli_error("%.*s%s%s", (int)(hit - msg), msg, flag_words[k].cli, hit + strlen(flag_words[k].lib));
    else if (st == ZS_EEXIST && n >= 7 && strcmp(msg + n - 7, " exists") == 0)
        cli_error("%s (use --force to overwrite)", msg); /* an output that exists */
    else
        cli_error("%s", msg);
    return usage && (st == ZS_EPARAM || st == ZS_EINVAL) ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
}

/* The tool is linked against the library it was built with; a shared or an older static
 * library may still differ (ZSTD's checkLibVersion does the same). */
static void check_library_version(void)
{
    if (zs_version() != ZS_VERSION_NUMBER)
        cli_error("warning: built with zslab headers %s but running with library %s", ZS_VERSION_STRING,
                  zs_version_string());
}

static int print_version(void)
{
    printf("zslab %s (library %s%s)\n", ZS_VERSION_STRING, zs_version_string(), cli_mpi_built() ? ", MPI" : "");
    return CLI_EXIT_OK;
}

static int run_info(int argc, char **argv)
{
    cli_info_opts o;
    int rc = cli_parse_info(argc, argv, &o);
    if (rc == CLI_RUN) rc = cli_cmd_info(&o);
    free((void *)o.files);
    return rc;
}

static int run_create(int argc, char **argv)
{
    cli_create_opts o;
    int rc = cli_parse_create(argc, argv, &o);
    return rc == CLI_RUN ? cli_cmd_create(&o) : rc;
}

static int run_filter_like(int argc, char **argv, int convert)
{
    cli_filter_opts o;
    int rc = cli_parse_filter(argc, argv, convert, &o);
    if (rc == CLI_RUN) rc = cli_cmd_filter(&o);
    cli_filter_opts_free(&o);
    return rc;
}

static int run_filter(int argc, char **argv) { return run_filter_like(argc, argv, 0); }
static int run_convert(int argc, char **argv) { return run_filter_like(argc, argv, 1); }

static int run_list(int argc, char **argv)
{
    cli_list_opts o;
    int rc = cli_parse_list(argc, argv, &o);
    return rc == CLI_RUN ? cli_cmd_list(&o) : rc;
}

static int run_bench(int argc, char **argv)
{
    cli_bench_opts o;
    int rc = cli_parse_bench(argc, argv, &o);
    if (rc == CLI_RUN) rc = cli_cmd_bench(&o);
    cli_bench_opts_free(&o);
    return rc;
}

static int run_status(int argc, char **argv)
{
    cli_status_opts o;
    int rc = cli_parse_status(argc, argv, &o);
    return rc == CLI_RUN ? cli_cmd_status(&o) : rc;
}

static int run_preview(int argc, char **argv)
{
    cli_preview_opts o;
    int rc = cli_parse_preview(argc, argv, &o);
    return rc == CLI_RUN ? cli_cmd_preview(&o) : rc;
}

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"info", run_info}, {"create", run_create}, {"filter", run_filter}, {"convert", run_convert},
    {"list", run_list}, {"bench", run_bench},   {"status", run_status}, {"preview", run_preview},
    {"label", cli_run_label},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    check_library_version();
    /* A file-size limit (ulimit -f, common in batch queues) makes a write fail with EFBIG, which
     * the library reports naming the file and the limit, instead of killing the process and
     * leaving OUT.partial behind. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        cli_usage_main(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) return print_version();
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cli_usage_main(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        /* "zslab help filter" is "zslab filter --help" */
        const struct command *c = argc > 2 ? find_command(argv[2]) : NULL;
        if (c) {
            char *help_argv[] = {(char *)"--help", NULL};
            return c->run(1, help_argv);
        }
        cli_usage_main(stdout);
        return argc > 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const struct command *c = find_command(cmd);
    if (!c) {
        cli_error(
            "unknown command '%s' (commands: info, create, filter, convert, list, bench, status, preview, label; see "
            "zslab --help)",
            cmd);
        return CLI_EXIT_USAGE;
    }
    return c->run(argc - 2, argv + 2);
}
