/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab info`: describe volumes from their headers; and opening an input for any command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_raw_open_opts(const cli_raw *raw, zs_open_opts *oo)
{
    zs_open_opts_init(oo);
    if (raw->ndim) {
        memcpy(oo->raw_shape, raw->shape, sizeof oo->raw_shape);
        oo->raw_ndim = raw->ndim;
    }
    if (raw->has_dtype) oo->raw_dtype = raw->dtype;
    oo->raw_offset = raw->offset;
    oo->raw_order = raw->order;
}

int cli_open_input(const char *path, const cli_raw *raw, zs_volume **out)
{
    zs_open_opts oo;
    cli_raw_open_opts(raw, &oo);
    oo.mode = "r";
    zs_format fmt = ZS_FMT_AUTO;
    zs_status st = zs_volume_identify(path, &fmt);
    if (st == ZS_OK && fmt == ZS_FMT_RAW && (!raw->ndim || !raw->has_dtype)) {
        char names[512];
        zs_format_names(names, sizeof names);
        cli_error("%s: not a known format (%s), so it is read as raw data: give %s (e.g. --in-shape 512x512x64 "
                  "--in-dtype uint16)",
                  path, names,
                  !raw->ndim && !raw->has_dtype ? "--in-shape and --in-dtype"
                                                : (!raw->ndim ? "--in-shape" : "--in-dtype"));
        return CLI_EXIT_USAGE;
    }
    zs_clear_error();
    st = zs_volume_open(path, &oo, out);
    if (st < 0) return cli_fail(st, 0);
    const zs_volume_info *info = zs_volume_get_info(*out);
    const int given = raw->ndim || raw->has_dtype || raw->has_offset || raw->has_order;
    if (info->format != ZS_FMT_RAW && given)
        cli_note(2, "warning: %s has a header; --in-shape/--in-dtype/--in-offset/--in-order are ignored", path);
    return CLI_RUN;
}

void cli_shape_string(const zs_volume_info *info, char *buf, size_t n)
{
    snprintf(buf, n, "%lldx%lldx%lld", (long long)info->shape[0], (long long)info->shape[1], (long long)info->shape[2]);
    if (info->shape[3] > 1) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "x%lld", (long long)info->shape[3]);
    }
}

static int run_info(const cli_opts *o)
{
    if (o->formats) return cli_print_formats(o->json);
    int rc = CLI_EXIT_OK;
    for (int i = 0; i < o->nargs; i++) {
        zs_volume *v = NULL;
        int r = cli_open_input(o->args[i], &o->raw, &v);
        if (r != CLI_RUN) {
            rc = rc == CLI_EXIT_OK || r == CLI_EXIT_USAGE ? r : rc;
            continue;
        }
        const int flags = o->json ? ZS_DESCRIBE_JSON : 0;
        const size_t n = zs_volume_info_describe(zs_volume_get_info(v), flags, NULL, 0);
        char *text = malloc(n + 1);
        if (text && zs_volume_info_describe(zs_volume_get_info(v), flags, text, n + 1) == n) {
            if (i && !o->json) fputc('\n', stdout);
            fputs(text, stdout);
        } else {
            cli_error("out of memory");
            rc = CLI_EXIT_ERROR;
        }
        free(text);
        zs_volume_free(v);
    }
    if (fflush(stdout) != 0) {
        cli_error("cannot write to standard output");
        rc = CLI_EXIT_ERROR;
    }
    return rc;
}

static int check_info(cli_opts *o)
{
    if (o->formats && o->nargs > 0) {
        cli_error("info: --formats lists the formats; give no FILE with it");
        return CLI_EXIT_USAGE;
    }
    if (o->nargs == 0 && !o->formats) return cli_usage_error("info", "no FILE given");
    return CLI_RUN;
}

const cli_command cli_command_info = {
    .name = "info",
    .summary = {{"FILE...", "describe a volume from its header (--json for scripts)"}},
    .help = "usage: zslab info FILE... [--json] [raw options]\n"
            "       zslab info --formats [--json]\n\n"
            "Describes volumes from their headers (no voxel is read): format, shape, dtype,\n"
            "memory order, data offset, scaling and voxel size.\n\n"
            "{json}{formats}{@common}\n{@formats}{@raw}",
    .max_args = -1,
    .check = check_info,
    .run = run_info,
};
