/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The output of a command that writes one volume through the library (label, resample): created
 * as OUT.partial with the flags' compression and chunks, watched by the interrupt handler, and
 * committed, or freed uncommitted (which removes it) with the message of what went wrong. */
#include <string.h>

#include "cli.h"

int cli_output_create(const cli_opts *o, const char *path, const zs_volume_info *spec, zs_volume **out)
{
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.force = o->force;
    co.compress = o->compress;
    memcpy(co.chunk, o->chunk, sizeof co.chunk);
    *out = NULL;
    const zs_status st = zs_volume_create(path, spec, &co, out);
    if (st < 0) return cli_fail(st, 0);
    cli_interrupt_install(zs_volume_get_info(*out)->path, 1);
    return CLI_RUN;
}

int cli_output_finish(const char *path, zs_volume *out, zs_status st)
{
    if (st == ZS_OK) st = zs_volume_commit(out);
    int rc = CLI_EXIT_OK;
    if (st == ZS_ECANCELED && cli_stop)
        cli_error("%s: interrupted; the partial output was removed", path), rc = CLI_EXIT_ERROR;
    else if (st < 0)
        rc = cli_fail(st, 0);
    zs_volume_free(out); /* uncommitted: removed */
    cli_interrupt_clear();
    return rc;
}
