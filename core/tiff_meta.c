/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Metadata of microscopy TIFF stacks, read from the first page's ImageDescription.
 *
 * ImageJ writes lines of key=value ("ImageJ=1.53t", "images=60", "channels=2", "slices=10",
 * "frames=3", "hyperstack=true", "unit=micron", "spacing=2.0"); its pages are ordered
 * channel fastest, then slice, then frame (XYCZT). The x/y pixel size is in the X/YResolution
 * tags (pixels per unit), read by fmt_tiff.c. OME-XML describes the image in a Pixels element
 * (SizeX..SizeT, DimensionOrder, PhysicalSizeX/Y/Z with their units, micrometres by default).
 * Both are parsed here without allocating and without trusting any length: the parser is
 * fuzzed (tests/fuzz/fuzz_tiff_meta.c). */
#include "tiff_internal.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A count such as "60": a positive integer below 2^31, else 0. */
static int64_t parse_count(const char *s, size_t n)
{
    int64_t v = 0;
    if (n == 0 || n > 10) return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v > 0 && v < ((int64_t)1 << 31) ? v : 0;
}

/* A positive finite number (at most 63 characters), else 0. */
static double parse_positive(const char *s, size_t n)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf) return 0.0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    while (*end == ' ' || *end == '\r') end++;
    return *end == '\0' && isfinite(v) && v > 0 ? v : 0.0;
}

static void imagej_line(const char *k, size_t kn, const char *v, size_t vn, zs_tiff_meta *m)
{
    while (vn && (v[vn - 1] == '\r' || v[vn - 1] == ' ')) vn--;
    if (zs__text_ieq(k, kn, "images"))
        m->images = parse_count(v, vn);
    else if (zs__text_ieq(k, kn, "channels"))
        m->channels = parse_count(v, vn);
    else if (zs__text_ieq(k, kn, "slices"))
        m->slices = parse_count(v, vn);
    else if (zs__text_ieq(k, kn, "frames"))
        m->frames = parse_count(v, vn);
    else if (zs__text_ieq(k, kn, "spacing"))
        m->spacing = parse_positive(v, vn);
    else if (zs__text_ieq(k, kn, "unit"))
        (void)zs__unit_normalize(v, vn, m->unit);
}

static void parse_imagej(const char *d, size_t n, zs_tiff_meta *m)
{
    m->imagej = 1;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && d[e] != '\n') e++;
        const char *eq = memchr(d + i, '=', e - i);
        if (eq) imagej_line(d + i, (size_t)(eq - (d + i)), eq + 1, (size_t)(d + e - eq - 1), m);
        i = e + 1;
    }
}

/* ---- OME-XML ----------------------------------------------------------------------------- */

/* The attributes of the first <Pixels ...> (or <ns:Pixels ...>) element: [*b, *e). */
static int find_pixels(const char *d, size_t n, size_t *b, size_t *e)
{
    for (size_t i = 0; i + 7 < n; i++) {
        if (d[i] != '<') continue;
        size_t j = i + 1, k = j;
        while (k < n && k - j < 32 && (isalnum((unsigned char)d[k]) || d[k] == '_' || d[k] == '-')) k++;
        if (k < n && d[k] == ':') j = ++k; /* namespace prefix */
        if (n - j >= 7 && memcmp(d + j, "Pixels", 6) == 0 && isspace((unsigned char)d[j + 6])) {
            *b = j + 6;
            *e = *b;
            while (*e < n && d[*e] != '>') (*e)++;
            return 1;
        }
    }
    return 0;
}

static void ome_attribute(const char *k, size_t kn, const char *v, size_t vn, zs_tiff_meta *m)
{
    static const char *const sizes[5] = {"SizeX", "SizeY", "SizeZ", "SizeC", "SizeT"};
    static const char *const phys[3] = {"PhysicalSizeX", "PhysicalSizeY", "PhysicalSizeZ"};
    static const char *const units[3] = {"PhysicalSizeXUnit", "PhysicalSizeYUnit", "PhysicalSizeZUnit"};
    for (int a = 0; a < 5; a++)
        if (zs__text_ieq(k, kn, sizes[a])) m->size[a] = parse_count(v, vn);
    for (int a = 0; a < 3; a++) {
        if (zs__text_ieq(k, kn, phys[a])) m->phys[a] = parse_positive(v, vn);
        if (zs__text_ieq(k, kn, units[a])) (void)zs__unit_normalize(v, vn, m->phys_unit[a]);
    }
    if (zs__text_ieq(k, kn, "DimensionOrder") && vn == 5 && v[0] == 'X' && v[1] == 'Y') {
        int seen = 0;
        for (int i = 2; i < 5; i++) seen |= v[i] == 'Z' ? 1 : v[i] == 'C' ? 2 : v[i] == 'T' ? 4 : 8;
        if (seen == 7) {
            memcpy(m->order, v, 5);
            m->order[5] = '\0';
        }
    }
}

static void parse_ome(const char *d, size_t n, zs_tiff_meta *m)
{
    size_t i, e;
    if (!find_pixels(d, n, &i, &e)) return;
    m->ome = 1;
    for (int a = 0; a < 3; a++) snprintf(m->phys_unit[a], sizeof m->phys_unit[a], "um");
    while (i < e) {
        while (i < e && isspace((unsigned char)d[i])) i++;
        size_t k = i;
        while (i < e && d[i] != '=' && !isspace((unsigned char)d[i])) i++;
        const size_t kn = i - k;
        while (i < e && isspace((unsigned char)d[i])) i++;
        if (i >= e || d[i] != '=') {
            i++;
            continue;
        }
        i++;
        while (i < e && isspace((unsigned char)d[i])) i++;
        if (i >= e || (d[i] != '"' && d[i] != '\'')) continue;
        const char q = d[i++];
        size_t v = i;
        while (i < e && d[i] != q) i++;
        ome_attribute(d + k, kn, d + v, i - v, m);
        i++;
    }
}

void zs__tiff_meta_parse(const char *desc, size_t n, zs_tiff_meta *m)
{
    memset(m, 0, sizeof *m);
    if (!desc) return;
    if (n >= 7 && memcmp(desc, "ImageJ=", 7) == 0)
        parse_imagej(desc, n, m);
    else if (memchr(desc, '<', n))
        parse_ome(desc, n, m);
}

/* Appends to buf[0..n) at *k, never beyond. */
static void append(char *buf, size_t n, size_t *k, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t n, size_t *k, const char *fmt, ...)
{
    if (*k >= n) return;
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf + *k, n - *k, fmt, ap);
    va_end(ap);
    *k = r < 0 ? n : *k + (size_t)r;
}

void zs__tiff_imagej_description(const zs_volume_info *spec, char *buf, size_t n)
{
    const long long nz = (long long)spec->shape[2], nt = (long long)spec->shape[3];
    size_t k = 0;
    buf[0] = '\0';
    append(buf, n, &k, "ImageJ=1.11a\nimages=%lld\n", nz * nt);
    if (nt > 1)
        append(buf, n, &k, "slices=%lld\nframes=%lld\nhyperstack=true\n", nz, nt);
    else
        append(buf, n, &k, "slices=%lld\n", nz);
    if (spec->unit[0]) {
        char unit[16];
        (void)zs__unit_normalize(spec->unit, strlen(spec->unit), unit);
        /* ImageJ writes micrometres as "micron" (plain ASCII); its readers all know it */
        append(buf, n, &k, "unit=%s\n", strcmp(unit, "um") == 0 ? "micron" : unit);
    }
    assert(isfinite(spec->voxel[2]));
    if (spec->unit[0] || spec->voxel[2] != 1.0) append(buf, n, &k, "spacing=%.17g\n", spec->voxel[2]);
    append(buf, n, &k, "loop=false\n");
}
