/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Command-line scanning and overflow-checked value parsers. */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_scan_init(cli_scan *s, int argc, char **argv, int first, const char *cmd, const cli_optdef *defs)
{
    memset(s, 0, sizeof *s);
    s->argc = argc;
    s->argv = argv;
    s->i = first;
    s->cmd = cmd;
    s->defs = defs;
}

static const cli_optdef *find_long(const cli_optdef *d, const char *name, size_t len)
{
    for (; d->name; d++)
        if (strlen(d->name) == len && strncmp(d->name, name, len) == 0) return d;
    return NULL;
}

static const cli_optdef *find_short(const cli_optdef *d, char c)
{
    for (; d->name; d++)
        if (d->letter && d->letter == c) return d;
    return NULL;
}

/* "zslab COMMAND --list-options" (not in --help): the command's options from its table, one a
 * line, "=" after those that take a value. The shell completion is generated from it. */
static void list_options(const cli_optdef *d)
{
    for (; d->name; d++) {
        printf("--%s%s\n", d->name, d->takes_value ? "=" : "");
        if (d->letter) printf("-%c%s\n", d->letter, d->takes_value ? "=" : "");
    }
    exit(fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR);
}

static int bad_option(const cli_scan *s, const char *what)
{
    cli_error("%s: unknown option '%s' (see zslab %s --help)", s->cmd, what, s->cmd);
    return CLI_SCAN_BAD;
}

/* The value of option d: the rest of the argument ("-t4", "--x=4") or the next argument. */
static int take_value(cli_scan *s, const cli_optdef *d, const char *attached, const char **value)
{
    if (attached) {
        *value = attached;
        return d->id;
    }
    if (s->i >= s->argc) {
        cli_error("%s: option %s needs a value (see zslab %s --help)", s->cmd, s->opt, s->cmd);
        return CLI_SCAN_BAD;
    }
    *value = s->argv[s->i++];
    return d->id;
}

static int scan_short(cli_scan *s, const char **value)
{
    const char c = *s->bundle++;
    const cli_optdef *d = find_short(s->defs, c);
    snprintf(s->opt, sizeof s->opt, "-%c", c);
    if (!d) return bad_option(s, s->opt);
    if (!d->takes_value) {
        if (!*s->bundle) s->bundle = NULL;
        return d->id;
    }
    const char *attached = *s->bundle ? s->bundle : NULL;
    s->bundle = NULL;
    return take_value(s, d, attached, value);
}

int cli_scan_next(cli_scan *s, const char **value)
{
    *value = NULL;
    if (s->bundle) return scan_short(s, value);
    if (s->i >= s->argc) return CLI_SCAN_END;
    const char *a = s->argv[s->i++];
    if (s->only_positional || a[0] != '-' || a[1] == '\0') {
        *value = a;
        return CLI_SCAN_POSITIONAL;
    }
    if (strcmp(a, "--") == 0) {
        s->only_positional = 1;
        return cli_scan_next(s, value);
    }
    if (a[1] != '-') {
        s->bundle = a + 1;
        return scan_short(s, value);
    }
    const char *name = a + 2, *eq = strchr(name, '=');
    const size_t len = eq ? (size_t)(eq - name) : strlen(name);
    snprintf(s->opt, sizeof s->opt, "--%.*s", (int)(len < 60 ? len : 60), name);
    const cli_optdef *d = find_long(s->defs, name, len);
    if (!d && strcmp(a, "--list-options") == 0) list_options(s->defs);
    if (!d) return bad_option(s, s->opt);
    if (!d->takes_value && eq) {
        cli_error("%s: option %s takes no value (got '%s')", s->cmd, s->opt, a);
        return CLI_SCAN_BAD;
    }
    return d->takes_value ? take_value(s, d, eq ? eq + 1 : NULL, value) : d->id;
}

/* ---- numbers ---------------------------------------------------------------------------- */
/* Binary multiple of a suffix ("", "k", "M", "GiB", "tb", ...); 0 when not a suffix. */
static uint64_t suffix_multiple(const char *s)
{
    static const char letters[] = "KMGTP";
    if (*s == '\0') return 1;
    const char *p = strchr(letters, toupper((unsigned char)*s));
    if (!p || *s == '\0') return 0;
    uint64_t m = 1;
    for (const char *q = letters; q <= p; q++) m <<= 10;
    s++;
    if (*s == 'i' || *s == 'I') s++;
    if (*s == 'b' || *s == 'B') s++;
    return *s == '\0' ? m : 0;
}

/* Digits with an optional fraction, times a suffix; the whole part in exact integer
 * arithmetic, the fraction ("1.5G") in double, rounded down. @return 0, -1 (not a
 * number) or -2 (overflow). */
static int parse_scaled(const char *text, int allow_fraction, int allow_suffix, uint64_t *out)
{
    const char *p = text;
    uint64_t mant = 0, div = 1;
    int digits = 0, in_fraction = 0;
    for (; *p; p++) {
        if (*p == '.' && allow_fraction && !in_fraction) {
            in_fraction = 1;
            continue;
        }
        if (*p < '0' || *p > '9') break;
        if (__builtin_mul_overflow(mant, 10u, &mant) || __builtin_add_overflow(mant, (uint64_t)(*p - '0'), &mant))
            return -2;
        if (in_fraction && __builtin_mul_overflow(div, 10u, &div)) return -2;
        digits++;
    }
    if (digits == 0) return -1;
    const uint64_t m = allow_suffix ? suffix_multiple(p) : (*p ? 0 : 1);
    if (m == 0) return -1;
    if (div > 1 && m == 1) return -1; /* a fraction needs a suffix: "1.5G" but not "1.5" */
    uint64_t r;
    if (__builtin_mul_overflow(mant / div, m, &r)) return -2;
    const uint64_t f = (uint64_t)floor((double)(mant % div) / (double)div * (double)m);
    if (__builtin_add_overflow(r, f, &r)) return -2;
    *out = r;
    return 0;
}

int cli_parse_int(const char *opt, const char *text, int64_t min, int64_t max, int suffixes, int64_t *out)
{
    const char *p = text;
    int neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    uint64_t u;
    int r = parse_scaled(p, 0, suffixes, &u);
    if (r == -1) {
        cli_error("%s: cannot read '%s' (an integer%s)", opt, text, suffixes ? ", optionally with K, M or G" : "");
        return -1;
    }
    const int64_t v = r == 0 && u <= (uint64_t)INT64_MAX ? (neg ? -(int64_t)u : (int64_t)u) : 0;
    if (r == -2 || u > (uint64_t)INT64_MAX || v < min || v > max) {
        cli_error("%s: %s is out of range [%lld, %lld]", opt, text, (long long)min, (long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_u64(const char *opt, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    if (text[0] == '-' || text[0] == '+' || isspace((unsigned char)text[0])) goto bad;
    const int hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    unsigned long long v = strtoull(text, &end, hex ? 16 : 10); /* "010" is ten, not octal */
    if (end == text || *end) goto bad;
    if (errno == ERANGE) {
        cli_error("%s: %s does not fit in 64 bits", opt, text);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
bad:
    cli_error("%s: cannot read '%s' (a non-negative integer)", opt, text);
    return -1;
}

int cli_parse_size(const char *opt, const char *text, uint64_t *out)
{
    int r = parse_scaled(text, 1, 1, out);
    if (r == -1) cli_error("%s: cannot read '%s' (bytes, or with a suffix: 512M, 1.5G, 64K)", opt, text);
    if (r == -2) cli_error("%s: %s does not fit in 64 bits", opt, text);
    return r == 0 ? 0 : -1;
}

/* ---- shapes, dtypes, orders, voxel sizes -------------------------------------------- */
int cli_parse_shape(const char *opt, const char *text, int64_t shape[4], int *ndim)
{
    char buf[128], *save = NULL;
    if (strlen(text) >= sizeof buf || !*text) goto bad;
    snprintf(buf, sizeof buf, "%s", text);
    int n = 0;
    for (int i = 0; i < 4; i++) shape[i] = 1;
    if (buf[strlen(buf) - 1] == 'x' || buf[0] == 'x' || strstr(buf, "xx")) goto bad;
    for (char *tok = strtok_r(buf, "x", &save); tok; tok = strtok_r(NULL, "x", &save)) {
        uint64_t v;
        if (n == 4) {
            cli_error("%s: '%s' has more than 4 extents (x, y, z and a series index t)", opt, text);
            return -1;
        }
        int r = parse_scaled(tok, 0, 1, &v);
        if (r == -1) goto bad;
        if (r == -2 || v > (uint64_t)INT64_MAX) { /* 0 is an empty axis, as in numpy */
            cli_error("%s: extent '%s' of '%s' must be in [0, %lld]", opt, tok, text, (long long)INT64_MAX);
            return -1;
        }
        shape[n++] = (int64_t)v;
    }
    if (n == 0) goto bad;
    *ndim = n;
    return 0;
bad:
    cli_error("%s: cannot read '%s' (a shape such as 512x512x64, extents >= 0)", opt, text);
    return -1;
}

int cli_parse_chunks(const char *opt, const char *text, int64_t chunk[3])
{
    int64_t e[4];
    int n = 0;
    if (cli_parse_shape(opt, text, e, &n)) return -1;
    if (n != 3 || e[0] < 1 || e[1] < 1 || e[2] < 1) {
        cli_error("%s: '%s' is not a chunk shape ZxYxX (three extents >= 1, z first: 16x256x256)", opt, text);
        return -1;
    }
    chunk[0] = e[2], chunk[1] = e[1], chunk[2] = e[0];
    return 0;
}

int cli_parse_dtype(const char *opt, const char *text, zs_dtype *out)
{
    if (zs_dtype_parse(text, out) == ZS_OK) return 0;
    cli_error("%s: unknown dtype '%s' (use uint8, int8, uint16, int16, uint32, int32, uint64, int64, "
              "float32, float64, bool, or numpy's '<u2', '>f4', '|b1', ...)",
              opt, text);
    return -1;
}

int cli_parse_order(const char *opt, const char *text, zs_order *out)
{
    if ((text[0] == 'F' || text[0] == 'f') && !text[1])
        *out = ZS_ORDER_F;
    else if ((text[0] == 'C' || text[0] == 'c') && !text[1])
        *out = ZS_ORDER_C;
    else {
        cli_error("%s: unknown order '%s' (use F for Fortran order, x fastest; C for C order)", opt, text);
        return -1;
    }
    return 0;
}

int cli_parse_voxel(const char *opt, const char *text, double voxel[3], char unit[16])
{
    const char *p = text;
    int n = 0;
    while (n < 3) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(v) || !(v > 0)) goto bad;
        voxel[n++] = v;
        p = end;
        if (*p != 'x') break;
        p++;
    }
    if (n == 2) goto bad;
    if (n == 1) voxel[1] = voxel[2] = voxel[0];
    while (*p == ' ') p++;
    if (strlen(p) >= 16) goto bad;
    for (const char *q = p; *q; q++)
        if (isspace((unsigned char)*q) || *q == 'x') goto bad;
    snprintf(unit, 16, "%s", p);
    return 0;
bad:
    cli_error("%s: cannot read '%s' (a positive size such as 0.5 or 1x1x4, optionally with a unit: 1x1x4um)", opt,
              text);
    return -1;
}
