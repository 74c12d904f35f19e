/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The structured detail of an error (zs_error_detail), set by the function that detects the
 * problem right after its message. Any new message (ZS_ERR, ZS_ERR_SYS, zs__error_set) or
 * zs_clear_error() clears the detail, so a detail never outlives the message it belongs to. */
#ifndef ZS_ERROR_INTERNAL_H
#define ZS_ERROR_INTERNAL_H

#include "zs_internal.h"

/** Gives this thread's last error a reason, the caller's parameters at fault ("mem_budget,band";
 *  NULL: none) and the bytes needed (0: not known), and appends `advice` (NULL: none), the words
 *  naming those parameters, to its message. @return code, so that it wraps ZS_ERR. */
zs_status zs__error_detail(zs_status code, zs_error_reason reason, const char *params, uint64_t needed,
                           const char *advice);
/** Sets this thread's last error to `msg` with the detail `d` (a message and detail saved
 *  earlier, given back). @return code. */
zs_status zs__error_restore(zs_status code, const char *msg, const zs_error_detail *d);

/** A message with its detail: ZS_ERR_DETAIL(code, reason, params, needed, advice, fmt, ...). */
#define ZS_ERR_DETAIL(code, reason, params, needed, advice, ...)                                                       \
    zs__error_detail(ZS_ERR((code), __VA_ARGS__), (reason), (params), (needed), (advice))
/** The error of an output that exists and was not to be overwritten: "PATH: exists", reason
 *  ZS_REASON_OUTPUT_EXISTS, parameter "force". */
#define ZS_ERR_EXISTS(...) ZS_ERR_DETAIL(ZS_EEXIST, ZS_REASON_OUTPUT_EXISTS, "force", 0, NULL, __VA_ARGS__)

#endif /* ZS_ERROR_INTERNAL_H */
