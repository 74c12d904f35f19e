/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Describe functions write into a caller's buffer and return the length of the whole text, as
 * snprintf does: the text is made by the library's printers into memory (open_memstream), then
 * copied, truncated and NUL-terminated, into the buffer. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_internal.h"

size_t zs__describe(void (*print)(const void *obj, int flags, FILE *f), const void *obj, int flags, char *buf, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (buf && n) buf[0] = '\0';
    if (!f) return 0;
    print(obj, flags, f);
    if (fclose(f) != 0) {
        free(text);
        return 0;
    }
    zs__copy_text(text, len, buf, n);
    free(text);
    return len;
}

void zs__copy_text(const char *text, size_t len, char *buf, size_t n)
{
    if (!buf || !n) return;
    const size_t k = len < n ? len : n - 1;
    if (k) memcpy(buf, text, k);
    buf[k] = '\0';
}

static void print_info(const void *obj, int flags, FILE *f)
{
    if (flags & ZS_DESCRIBE_JSON)
        zs__volume_info_print_json(obj, f);
    else
        zs__volume_info_print(obj, f);
}

size_t zs_volume_info_describe(const zs_volume_info *info, int flags, char *buf, size_t n)
{
    if (!info) {
        zs__copy_text("", 0, buf, n);
        return 0;
    }
    return zs__describe(print_info, info, flags, buf, n);
}
