/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab status OUT`: complete or not, from the journal alone; exit 0 complete, 3 not. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int run_status(const cli_opts *o)
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

static int check_status(cli_opts *o)
{
    o->out = o->nargs ? o->args[0] : NULL;
    return o->out ? CLI_RUN : cli_usage_error("status", "no OUT file given");
}

const cli_command cli_command_status = {
    .name = "status",
    .summary = {{"OUT", "is OUT complete? slabs done by each part (--part, --resume, MPI)"}},
    .help = "usage: zslab status OUT [--json]\n\n"
            "Says whether OUT is complete, from its journal (OUT.zsjournal, kept by --part, --resume,\n"
            "--journal and MPI runs): slabs done of the plan's, which part recorded which slabs, and\n"
            "which are missing. The input need not be there. An output written without a journal is\n"
            "complete once it has its name (OUT.partial alone: a run in progress or killed).\n\n"
            "{json:one JSON object (complete, slabs, done, parts, missing)}{@common}\n"
            "exit codes: 0 complete, 3 incomplete, 1 no such output or an unreadable journal\n",
    .max_args = 1,
    .check = check_status,
    .run = run_status,
};
