/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Status codes and the per-thread detail message of the last failure. */
#include "error_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One buffer per thread: workers report their own failure without a lock, and the
 * scheduler copies the first one into the job (see scheduler/run.c). */
static _Thread_local char last_error[1024];
/* The detail of that message (reason ZS_REASON_NONE: none); its advice offset is SIZE_MAX when
 * the message has no advice. */
static _Thread_local zs_error_detail last_detail;

static void detail_clear(void)
{
    memset(&last_detail, 0, sizeof last_detail);
    last_detail.advice = SIZE_MAX;
}

const char *zs_strerror(int code)
{
    switch (code) {
    case ZS_OK:
        return "ok";
    case ZS_EINVAL:
        return "invalid argument";
    case ZS_ENOMEM:
        return "out of memory";
    case ZS_EIO:
        return "input/output error";
    case ZS_EFORMAT:
        return "malformed file";
    case ZS_EUNSUPPORTED:
        return "not supported";
    case ZS_EOVERFLOW:
        return "size overflows";
    case ZS_EEXIST:
        return "file exists";
    case ZS_ECANCELED:
        return "canceled";
    case ZS_ENOSPC:
        return "no space left on device";
    case ZS_EPARAM:
        return "bad parameter";
    case ZS_EINTERNAL:
        return "internal error";
    default:
        return "unknown error";
    }
}

const char *zs_last_error(void) { return last_error; }
void zs_clear_error(void)
{
    last_error[0] = '\0';
    detail_clear();
}

/* The first released layout of zs_error_detail ends at advice (0.4). */
#define MIN_DETAIL ZS__END(zs_error_detail, advice)

zs_status zs_last_error_detail(zs_error_detail *d)
{
    if (!d) return ZS_EINVAL; /* no message: the caller's thread keeps the error it asks about */
    zs_error_detail full = last_detail;
    full.struct_size = sizeof full;
    if (full.advice == SIZE_MAX) full.advice = strlen(last_error);
    zs__sized_out(d, &full, sizeof full, MIN_DETAIL);
    return ZS_OK;
}

zs_status zs__error_detail(zs_status code, zs_error_reason reason, const char *params, uint64_t needed,
                           const char *advice)
{
    last_detail.reason = reason;
    snprintf(last_detail.params, sizeof last_detail.params, "%s", params ? params : "");
    last_detail.needed = needed;
    if (advice && *advice) {
        const size_t n = strlen(last_error);
        last_detail.advice = n;
        snprintf(last_error + n, sizeof last_error - n, "%s", advice);
    }
    return code;
}

zs_status zs__error_restore(zs_status code, const char *msg, const zs_error_detail *d)
{
    snprintf(last_error, sizeof last_error, "%s", msg);
    last_detail = *d;
    if (last_detail.advice >= strlen(last_error)) last_detail.advice = SIZE_MAX;
    return code;
}

void zs__error_copy(char *buf, size_t n)
{
    if (n == 0) return;
    snprintf(buf, n, "%s", last_error);
}

void zs__error_set(const char *msg)
{
    snprintf(last_error, sizeof last_error, "%s", msg);
    detail_clear();
}

static void trace(const char *file, int line)
{
    const char *t = getenv("ZS_TRACE");
    if (t && *t && strcmp(t, "0") != 0) fprintf(stderr, "[error] %s (%s:%d)\n", last_error, file, line);
}

zs_status zs__error(zs_status code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    detail_clear();
    trace(file, line);
    return code;
}

zs_status zs__status_from_errno(int err)
{
    switch (err) {
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
        return ZS_ENOSPC;
    case ENOMEM:
        return ZS_ENOMEM;
    case EEXIST:
        return ZS_EEXIST;
    default:
        return ZS_EIO;
    }
}

zs_status zs__error_sys(zs_status code, int err, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    detail_clear();
    if (n >= 0 && (size_t)n < sizeof last_error)
        snprintf(last_error + n, sizeof last_error - (size_t)n, ": %s%s", strerror(err),
                 err == EFBIG ? " (the file size limit, ulimit -f, was reached)" : "");
    trace(file, line);
    return code;
}
