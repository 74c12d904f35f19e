/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The library's failures as the tool words them. The library gives each error a detail
 * (zs_error_detail): a reason, the parameters at fault by their names in the API, and where its
 * advice, worded in those names, begins. The tool keeps the message up to the advice and gives
 * its own, naming the flags that set those parameters (the option table's .param). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"

/* The tool's advice for a reason: "{param}" is the flag that sets the library's parameter. */
static const struct {
    zs_error_reason reason;
    const char *advice;
} advice_of[] = {
    {ZS_REASON_OUTPUT_EXISTS, " (use {force} to overwrite)"},
    {ZS_REASON_OUTPUT_UNJOURNALED,
     " (it was written by a run without parts or {resume}); remove it, or overwrite it with {force}"},
    {ZS_REASON_JOURNAL_EXISTS,
     ": continue that job with {resume}, look at it with zslab status, or start over with {force}"},
};

/* "--flag" of the library's parameter `name` (len bytes), or the name itself when no flag sets it. */
static void put_flag(char *buf, size_t cap, size_t *len, const char *name, size_t n)
{
    const cli_flag *f = cli_flag_of_param(name, n);
    if (*len < cap)
        *len += (size_t)(f ? snprintf(buf + *len, cap - *len, "--%s", f->name)
                           : snprintf(buf + *len, cap - *len, "%.*s", (int)n, name));
}

/* `text` with each {param} replaced by its flag. */
static void with_flags(const char *text, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (const char *p = text; *p && len < cap;) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            len += (size_t)snprintf(buf + len, cap - len, "%s", p);
            break;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%.*s", (int)(open - p), p);
        put_flag(buf, cap, &len, open + 1, (size_t)(close - open - 1));
        p = close + 1;
    }
}

/* The flags of the comma-separated parameters, ", "-separated. */
static void flags_of(const char *params, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (const char *p = params; *p;) {
        const size_t n = strcspn(p, ",");
        if (len && len < cap) len += (size_t)snprintf(buf + len, cap - len, ", ");
        put_flag(buf, cap, &len, p, n);
        p += n + (p[n] == ',');
    }
}

static int exit_code(zs_status st, int usage)
{
    return usage && (st == ZS_EPARAM || st == ZS_EINVAL) ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
}

int cli_fail(zs_status st, int usage)
{
    const char *msg = zs_last_error();
    if (!msg || !*msg) msg = zs_strerror(st);
    zs_error_detail d;
    zs_error_detail_init(&d);
    zs_last_error_detail(&d);
    for (size_t k = 0; k < sizeof advice_of / sizeof advice_of[0]; k++) {
        if (advice_of[k].reason != d.reason) continue;
        char advice[512];
        with_flags(advice_of[k].advice, advice, sizeof advice);
        cli_error("%.*s%s", (int)(d.advice < strlen(msg) ? d.advice : strlen(msg)), msg, advice);
        return exit_code(st, usage);
    }
    cli_error("%s", msg);
    return exit_code(st, usage);
}

/* A failure of planning: a budget too small names the flags that set it. */
int cli_plan_failed(zs_status st)
{
    zs_error_detail d;
    zs_error_detail_init(&d);
    zs_last_error_detail(&d);
    if (d.reason != ZS_REASON_BUDGET) return cli_fail(st, 1);
    char flags[256];
    flags_of(d.params, flags, sizeof flags);
    cli_error("%s (%s)", zs_last_error(), flags);
    return st == ZS_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
}
