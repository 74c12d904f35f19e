/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The formats as the command line shows them, all from the library's registry (zs_format_at):
 * help texts, --out-format, the volume files of a batch directory, `zslab info --formats`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

int cli_has_suffix(const char *name, const char *suffixes)
{
    const size_t len = strlen(name);
    for (const char *s = suffixes; s && *s;) {
        while (*s == ' ') s++;
        const size_t n = strcspn(s, " ");
        if (n && len > n && strncasecmp(name + len - n, s, n) == 0) return 1;
        s += n;
    }
    return 0;
}

int cli_volume_file_name(const char *name)
{
    for (int i = 0; zs_format_at(i); i++)
        if ((zs_format_at(i)->flags & ZS_FORMAT_READ) && cli_has_suffix(name, zs_format_at(i)->suffixes)) return 1;
    return 0;
}

const zs_format_desc *cli_format_of_ext(const char *ext)
{
    char name[64];
    snprintf(name, sizeof name, "x.%s", *ext == '.' ? ext + 1 : ext);
    if (strchr(ext + 1, '.') || strchr(ext, ' ') || !ext[*ext == '.']) return NULL;
    for (int i = 0; zs_format_at(i); i++)
        if ((zs_format_at(i)->flags & ZS_FORMAT_WRITE) && cli_has_suffix(name, zs_format_at(i)->suffixes))
            return zs_format_at(i);
    return NULL;
}

void cli_suffix_list(char *buf, size_t n, int dots)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; zs_format_at(i); i++) {
        const zs_format_desc *d = zs_format_at(i);
        int seen = 0; /* NIfTI-1 and NIfTI-2 share .nii */
        for (int k = 0; k < i; k++) seen |= strcmp(zs_format_at(k)->suffixes, d->suffixes) == 0;
        for (const char *s = d->suffixes; !seen && *s;) {
            while (*s == ' ') s++;
            const int k = (int)strcspn(s, " ");
            if (k && len < n)
                len += (size_t)snprintf(buf + len, n - len, "%s%.*s", len ? ", " : "", k - !dots, s + !dots);
            s += k;
        }
    }
}

void cli_wrap(FILE *f, const char *text, int width, int indent)
{
    int col = indent;
    for (const char *p = text; *p;) {
        const int w = (int)strcspn(p, " ");
        if (col > indent && col + 1 + w > width) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", w, p);
        col += w;
        p += w;
        while (*p == ' ') p++;
    }
}

static void flag_words(unsigned flags, char *buf, size_t n)
{
    static const struct {
        unsigned flag;
        const char *word;
    } words[] = {
        {ZS_FORMAT_READ, "read"},         {ZS_FORMAT_WRITE, "write"},           {ZS_FORMAT_MAPPED, "mapped"},
        {ZS_FORMAT_DECODED, "decoded"},   {ZS_FORMAT_VOXEL_SIZE, "voxel-size"}, {ZS_FORMAT_SHARED, "parts"},
        {ZS_FORMAT_COMPRESS, "compress"}, {ZS_FORMAT_EMPTY, "empty"},           {ZS_FORMAT_FILES, "many-files"},
        {ZS_FORMAT_PYRAMID, "pyramid"}};
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if ((flags & words[i].flag) && len < n)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "," : "", words[i].word);
}

/* s as a JSON string (the library's writer: zs_json_quote). */
static void json_string(FILE *f, const char *s)
{
    char buf[1024];
    const size_t n = zs_json_quote(s, buf, sizeof buf);
    if (n < sizeof buf) {
        fputs(buf, f);
        return;
    }
    char *big = malloc(n + 1);
    fputs(big && zs_json_quote(s, big, n + 1) == n ? big : "null", f);
    free(big);
}

int cli_print_formats(int json)
{
    if (!json) printf("%-8s  %-22s  %-60s  %s\n", "format", "names", "can", "what");
    for (int i = 0; zs_format_at(i); i++) {
        const zs_format_desc *d = zs_format_at(i);
        char can[160];
        flag_words(d->flags, can, sizeof can);
        if (json) {
            printf("{\"format\": ");
            json_string(stdout, d->name);
            printf(", \"suffixes\": [");
            int k = 0;
            for (const char *s = d->suffixes; *s;) {
                while (*s == ' ') s++;
                const int w = (int)strcspn(s, " ");
                if (w) printf("%s\"%.*s\"", k++ ? ", " : "", w, s);
                s += w;
            }
            printf("], \"read\": %s, \"write\": %s, \"flags\": ", d->flags & ZS_FORMAT_READ ? "true" : "false",
                   d->flags & ZS_FORMAT_WRITE ? "true" : "false");
            json_string(stdout, can);
            printf(", \"compressions\": ");
            json_string(stdout, d->compressions);
            printf(", \"description\": ");
            json_string(stdout, d->description);
            printf("}\n");
        } else {
            printf("%-8s  %-22s  %-60s  %s\n", d->name, *d->suffixes ? d->suffixes : "-", can, d->description);
            if (*d->compressions) printf("%-8s  %-22s  %-60s  writes --compress %s\n", "", "", "", d->compressions);
        }
    }
    if (fflush(stdout) != 0) {
        cli_error("cannot write to standard output");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}
