/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Messages on stderr. The bottom of the tool: every other file of cli/ may call these, and they
 * call nothing of cli/ (the library's failures are worded in hints.c). */
#include <stdarg.h>
#include <stdio.h>

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
