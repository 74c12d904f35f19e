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

/* The length of the valid UTF-8 sequence at s (1 to 4 bytes; RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when s does not start one. */
static int utf8_length(const unsigned char *s)
{
    const unsigned c = s[0];
    const int n = c < 0x80                 ? 1
                  : c >= 0xc2 && c <= 0xdf ? 2
                  : c >= 0xe0 && c <= 0xef ? 3
                  : c >= 0xf0 && c <= 0xf4 ? 4
                                           : 0;
    if (n > 1) { /* the second byte's range depends on the first */
        const unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80, hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
        if (s[1] < lo || s[1] > hi) return 0;
    }
    for (int i = 2; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return n;
}

void zs__json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        const int n = utf8_length(p);
        if (n == 0) /* a byte that is not UTF-8 (a file name in Latin-1): the replacement character */
            fputs("\\ufffd", f);
        else if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fwrite(p, 1, (size_t)n, f);
        p += n ? n : 1;
    }
    fputc('"', f);
}

static void print_quoted(const void *obj, int flags, FILE *f)
{
    (void)flags;
    zs__json_string(f, obj);
}

size_t zs_json_quote(const char *s, char *buf, size_t n) { return zs__describe(print_quoted, s ? s : "", 0, buf, n); }

static void print_info(const void *obj, int flags, FILE *f)
{
    if (flags & ZS_DESCRIBE_JSON)
        zs__volume_info_print_json(obj, f);
    else
        zs__volume_info_print(obj, f);
}

size_t zs_volume_info_describe(const zs_volume_info *info, int flags, char *buf, size_t n)
{
    zs_volume_info local;
    if (!info || ZS_SIZED_IN(&local, info, zs_volume_info) < 0) {
        zs__copy_text("", 0, buf, n);
        return 0;
    }
    return zs__describe(print_info, &local, flags, buf, n);
}
