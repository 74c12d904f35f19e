/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Messages on stderr and the exit code of a failure. The bottom of the tool: every other file
 * of cli/ may call these, and they call nothing of cli/. */
#include <stdarg.h>
#include <stdio.h>
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

int cli_usage_error(const char *cmd, const char *what)
{
    cli_error("%s: %s (see zslab %s --help)", cmd, what, cmd);
    return CLI_EXIT_USAGE;
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
