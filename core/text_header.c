/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Lines, keys and number lists of the text headers of MetaImage and NRRD. Pure functions over
 * a buffer that never read past its end (the header parsers are fuzzed). */
#include "zs_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static void trim(zs_text_line *t)
{
    while (t->b < t->e && blank(*t->b)) t->b++;
    while (t->e > t->b && blank(t->e[-1])) t->e--;
}

int zs__text_line(const unsigned char *buf, size_t n, size_t at, zs_text_line *l)
{
    if (at >= n) return 0;
    const unsigned char *nl = memchr(buf + at, '\n', n - at);
    l->b = (const char *)buf + at;
    l->e = nl ? (const char *)nl : (const char *)buf + n;
    l->next = nl ? (size_t)(nl - buf) + 1 : n;
    l->complete = nl != NULL;
    trim(l);
    return 1;
}

int zs__text_split(const zs_text_line *l, const char *sep, zs_text_line *key, zs_text_line *value)
{
    const size_t k = strlen(sep);
    for (const char *p = l->b; p + k <= l->e; p++)
        if (memcmp(p, sep, k) == 0) {
            *key = *l;
            key->e = p;
            *value = *l;
            value->b = p + k;
            trim(key);
            trim(value);
            return 1;
        }
    return 0;
}

int zs__text_is(const zs_text_line *t, const char *s)
{
    const size_t n = strlen(s);
    if ((size_t)(t->e - t->b) != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char a = t->b[i], b = s[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
        if (a != b) return 0;
    }
    return 1;
}

int zs__text_printable(const zs_text_line *t)
{
    for (const char *p = t->b; p < t->e; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return 0;
    return 1;
}

int zs__text_numbers(const zs_text_line *t, double *v, int max, int allow_nan)
{
    int k = 0;
    const char *p = t->b;
    while (p < t->e) {
        while (p < t->e && (blank(*p) || *p == ',')) p++;
        if (p >= t->e) break;
        const char *q = p;
        while (q < t->e && !blank(*q) && *q != ',') q++;
        char num[64];
        if ((size_t)(q - p) >= sizeof num || k == max) return -1;
        memcpy(num, p, (size_t)(q - p));
        num[q - p] = '\0';
        char *end;
        double d = strtod(num, &end);
        if (*end || end == num || isinf(d) || (isnan(d) && !allow_nan)) return -1;
        v[k++] = d;
        p = q;
    }
    return k;
}

void zs__text_sibling(const char *header_path, const char *name, size_t name_len, char *out, size_t n)
{
    const char *slash = strrchr(header_path, '/');
    if (name_len && name[0] == '/')
        snprintf(out, n, "%.*s", (int)name_len, name);
    else if (slash)
        snprintf(out, n, "%.*s/%.*s", (int)(slash - header_path), header_path, (int)name_len, name);
    else
        snprintf(out, n, "%.*s", (int)name_len, name);
}

const char *zs__text_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---- units ------------------------------------------------------------------------------ */

int zs__text_ieq(const char *a, size_t n, const char *b)
{
    size_t m = strlen(b);
    if (n != m) return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) return 0;
    return 1;
}

/* Printable bytes of u (no quotes or backslashes... except in the names matched first),
 * trimmed; a known length unit becomes its short name; anything else at most 15 bytes. */
static int normalize_once(const char *u, size_t n, char out[16])
{
    while (n && isspace((unsigned char)*u)) u++, n--;
    while (n && isspace((unsigned char)u[n - 1])) n--;
    static const struct {
        const char *name, *norm;
    } units[] = {
        {"um", "um"},         {"\xc2\xb5m", "um"},   {"\xce\xbcm", "um"},  {"\xb5m", "um"},     {"\\u00B5m", "um"},
        {"&#181;m", "um"},    {"&#xB5;m", "um"},     {"micron", "um"},     {"microns", "um"},   {"micrometer", "um"},
        {"micrometre", "um"}, {"micrometers", "um"}, {"nm", "nm"},         {"nanometer", "nm"}, {"mm", "mm"},
        {"millimeter", "mm"}, {"cm", "cm"},          {"centimeter", "cm"}, {"m", "m"},          {"meter", "m"},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (zs__text_ieq(u, n, units[i].name)) {
            snprintf(out, 16, "%s", units[i].norm);
            return 1;
        }
    if (zs__text_ieq(u, n, "pixel") || zs__text_ieq(u, n, "pixels") || zs__text_ieq(u, n, "px")) n = 0;
    size_t k = 0;
    for (size_t i = 0; i < n && k < 15; i++)
        if ((unsigned char)u[i] >= 0x20 && u[i] != 0x7f && u[i] != '"' && u[i] != '\\') out[k++] = u[i];
    while (k && out[k - 1] == ' ') k--;
    size_t b = 0;
    while (b < k && out[b] == ' ') b++;
    memmove(out, out + b, k - b);
    out[k - b] = '\0';
    return 0;
}

int zs__unit_normalize(const char *u, size_t n, char out[16])
{
    int known = normalize_once(u, n, out);
    for (int i = 0; i < 4; i++) { /* to a fixed point: normalising a normalised unit changes nothing */
        char prev[16];
        memcpy(prev, out, sizeof prev);
        known = normalize_once(prev, strlen(prev), out);
        if (strcmp(prev, out) == 0) break;
    }
    return known;
}

double zs__unit_um(const char *unit)
{
    static const struct {
        const char *name;
        double um;
    } units[] = {{"nm", 1e-3}, {"um", 1.0}, {"mm", 1e3}, {"cm", 1e4}, {"m", 1e6}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].name) == 0) return units[i].um;
    return 0.0;
}
