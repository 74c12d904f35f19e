/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The values of `zslab resample`'s own flags (rows of the option table, options.c): the target
 * (--voxel-size, --shape, --factor) and --method, parsed into cli_opts.rs. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

/* strtod without hexadecimal: "0x3" is 0, then the separator x. */
static double decimal(const char *p, char **end)
{
    const char *q = p + (*p == '-' || *p == '+');
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        *end = (char *)(uintptr_t)(q + 1);
        return 0.0;
    }
    return strtod(p, end);
}

/* "A" or "AxBxC", then an optional unit: numbers of any sign (the library judges them). */
static int parse_triple(const char *text, double v[3], char unit[16])
{
    const char *p = text;
    int n = 0;
    while (n < 3) {
        char *end;
        errno = 0;
        v[n] = decimal(p, &end);
        if (end == p || errno == ERANGE) return -1;
        n++;
        p = end;
        if (*p != 'x') break;
        p++;
    }
    if (n == 2) return -1;
    if (n == 1) v[1] = v[2] = v[0];
    if (strlen(p) >= 16 || strchr(p, ' ') || strchr(p, 'x')) return -1;
    snprintf(unit, 16, "%s", p);
    return 0;
}

int cli_set_resample_target(const cli_flag *f, const char *val, cli_opts *o)
{
    double v[3];
    char unit[16];
    zs_resample_opts *r = &o->rs;
    const int shape = strcmp(f->name, "shape") == 0, factor = strcmp(f->name, "factor") == 0;
    int bad = parse_triple(val, v, unit) != 0 || ((shape || factor) && unit[0]);
    for (int d = 0; shape && !bad && d < 3; d++) bad = v[d] != floor(v[d]) || fabs(v[d]) > 9e15;
    if (bad) {
        cli_error("resample: --%s '%s': %s", f->name, val,
                  shape    ? "give extents XxYxZ (e.g. 400x300x200)"
                  : factor ? "give a factor (0.5) or one per axis (0.5x0.5x1)"
                           : "give a size (25um) or sizes AxBxC with an optional unit (10x10x25um)");
        return CLI_EXIT_USAGE;
    }
    o->rs_targets++;
    r->target = shape ? ZS_TARGET_SHAPE : factor ? ZS_TARGET_FACTOR : ZS_TARGET_VOXEL;
    for (int d = 0; d < 3; d++) {
        if (shape) r->shape[d] = (int64_t)v[d];
        if (factor) r->factor[d] = v[d];
        if (!shape && !factor) r->voxel[d] = v[d];
    }
    if (!shape && !factor) snprintf(r->unit, sizeof r->unit, "%s", unit);
    return CLI_RUN;
}

int cli_set_resample_method(const cli_flag *f, const char *val, cli_opts *o)
{
    if (zs_resample_method_parse(val, &o->rs.method) == ZS_OK) return CLI_RUN;
    cli_error("resample: --%s %s: use area, linear, nearest or antialias", f->name, val);
    return CLI_EXIT_USAGE;
}
