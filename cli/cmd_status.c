/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab status OUT`: complete or not, from the journal alone; exit 0 complete, 3 not. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int cli_cmd_status(const cli_status_opts *o)
{
    zs_journal_summary sum;
    size_t n = 4096, len = 0;
    char *text = NULL;
    zs_status st;
    for (;;) { /* the journal may grow between two calls: until the text fits */
        char *t = realloc(text, n);
        if (!t) {
            free(text);
            cli_error("out of memory");
            return CLI_EXIT_ERROR;
        }
        text = t;
        st = zs_journal_report(o->out, o->json, text, n, &len, &sum);
        if (st < 0 || len < n) break;
        n = len + 1;
    }
    if (st == ZS_OK) fputs(text, stdout);
    free(text);
    if (fflush(stdout) != 0) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_ERROR;
    }
    if (st < 0) return cli_fail(st, 0);
    return sum.complete ? CLI_EXIT_OK : CLI_EXIT_INCOMPLETE;
}
