/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab list`: the kernels, from their descriptors (no per-kernel code here). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "zslab_kernel.h"

static const char *type_name(zs_param_type t)
{
    switch (t) {
    case ZS_PARAM_INT:
        return "int";
    case ZS_PARAM_FLOAT:
        return "float";
    case ZS_PARAM_FLOAT3:
        return "float3";
    case ZS_PARAM_INT3:
        return "int3";
    case ZS_PARAM_ENUM:
        return "choice";
    case ZS_PARAM_BOOL:
        return "bool";
    case ZS_PARAM_MODE3:
        return "choice3";
    }
    return "?";
}

static void bound_string(double v, char *buf, size_t n)
{
    if (v >= 1e30)
        snprintf(buf, n, "inf");
    else if (v <= -1e30)
        snprintf(buf, n, "-inf");
    else
        snprintf(buf, n, "%g", v);
}

/* "[0.5, 10]", "reflect|nearest|...", "0|1" */
static void range_string(const zs_param_desc *d, char *buf, size_t n)
{
    if ((d->type == ZS_PARAM_ENUM || d->type == ZS_PARAM_MODE3) && d->choices) {
        size_t len = 0;
        buf[0] = '\0';
        for (int i = 0; d->choices[i] && len < n; i++)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? "|" : "", d->choices[i]);
        if (d->type == ZS_PARAM_MODE3 && len < n) snprintf(buf + len, n - len, " per axis");
        return;
    }
    if (d->type == ZS_PARAM_BOOL) {
        snprintf(buf, n, "0|1");
        return;
    }
    char lo[32], hi[32];
    bound_string(d->min, lo, sizeof lo);
    bound_string(d->max, hi, sizeof hi);
    snprintf(buf, n, "[%s, %s]%s", lo, hi, d->type == ZS_PARAM_FLOAT3 || d->type == ZS_PARAM_INT3 ? " per axis" : "");
}

static void print_params(const zs_kernel_desc *k, FILE *f)
{
    for (int i = 0; i < k->nparams; i++) {
        const zs_param_desc *d = &k->params[i];
        char range[256];
        range_string(d, range, sizeof range);
        fprintf(f, "    %-10s %-7s default %-9s %s\n", d->name, type_name(d->type), d->def ? d->def : "-", range);
        if (d->help && *d->help) fprintf(f, "%15s%s\n", "", d->help);
    }
}

static void print_kernel(const zs_kernel_desc *k, FILE *f)
{
    fprintf(f, "%s  %s\n", k->name, k->summary ? k->summary : "");
    print_params(k, f);
}

static void print_kernel_detail(const zs_kernel_desc *k, FILE *f)
{
    fprintf(f, "%s (version %d)\n  %s\n", k->name, k->version, k->summary ? k->summary : "");
    fputs("  properties:", f);
    if (k->flags & ZS_KF_SEPARABLE) fputs(" separable", f);
    if (k->flags & ZS_KF_POINTWISE) fputs(" pointwise", f);
    if (k->flags & ZS_KF_DETERMINISTIC) fputs(" deterministic (same bytes whatever the threads and slabs)", f);
    if (!(k->flags & (ZS_KF_SEPARABLE | ZS_KF_POINTWISE | ZS_KF_DETERMINISTIC))) fputs(" -", f);
    fprintf(f, "\n  parameters (%d):\n", k->nparams);
    print_params(k, f);
    fprintf(f, "  usage: zslab filter IN OUT --op %s", k->name);
    for (int i = 0; i < k->nparams && i < 2; i++)
        if (k->params[i].def) fprintf(f, ":%s=%s", k->params[i].name, k->params[i].def);
    fputc('\n', f);
}

static int run_list(const cli_opts *o)
{
    const int n = zs_kernel_count();
    if (o->name) {
        const zs_kernel_desc *k = zs_kernel_find(o->name);
        if (!k) {
            cli_error("list: unknown kernel '%s' (zslab list --names shows the kernels)", o->name);
            return CLI_EXIT_USAGE;
        }
        print_kernel_detail(k, stdout);
    } else {
        for (int i = 0; i < n; i++) {
            const zs_kernel_desc *k = zs_kernel_get(i);
            if (o->names_only)
                printf("%s\n", k->name);
            else {
                if (i) putchar('\n');
                print_kernel(k, stdout);
            }
        }
    }
    if (fflush(stdout) != 0) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

static int check_list(cli_opts *o)
{
    o->name = o->nargs ? o->args[0] : NULL;
    return CLI_RUN;
}

const cli_command cli_command_list = {
    .name = "list",
    .summary = {{"[NAME]", "kernels with their parameters, bounds and defaults"}},
    .help = "usage: zslab list [NAME] [--names]\n\n"
            "Lists the kernels with each parameter's type, default, bounds or choices and help.\n"
            "With NAME, one kernel in detail.\n\n"
            "{names}{plugin}{@common}",
    .max_args = 1,
    .check = check_list,
    .run = run_list,
};
