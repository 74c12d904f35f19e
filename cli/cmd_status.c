/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab status OUT`: complete or not, from the journal alone; exit 0 complete, 3 not. */
#include <stdio.h>

#include "cli.h"

int cli_cmd_status(const cli_status_opts *o)
{
    zs_journal_summary sum;
    zs_status st = zs_journal_report(o->out, stdout, o->json, &sum);
    if (fflush(stdout) != 0) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_ERROR;
    }
    if (st < 0) return cli_fail(st, 0);
    return sum.complete ? CLI_EXIT_OK : CLI_EXIT_INCOMPLETE;
}
