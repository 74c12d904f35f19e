/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab status`: the state of an output from its journal alone (complete or not, slabs
 * done, which part recorded which slabs, what is missing), as text or JSON. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "scheduler_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_WRITERS      4096
#define MAX_RANGES_SHOWN 16

typedef struct writer {
    int64_t part, nparts;
} writer;

typedef struct report {
    zs_jinfo info;
    int32_t *owner; /* per slab: index in writers[] of the part that recorded it, or -1 */
    writer writers[MAX_WRITERS];
    writer sorted[MAX_WRITERS];
    int map[MAX_WRITERS];
    int nwriters;
    int64_t done;
} report;

static void collect(void *user, int64_t part, int64_t nparts, int64_t slab)
{
    report *r = user;
    int w = 0;
    while (w < r->nwriters && (r->writers[w].part != part || r->writers[w].nparts != nparts)) w++;
    if (w == r->nwriters) {
        if (w == MAX_WRITERS) return;
        r->writers[r->nwriters++] = (writer){part, nparts};
    }
    if (r->owner[slab] < 0) r->done++;
    r->owner[slab] = w;
}

static int cmp_writer(const void *a, const void *b)
{
    const writer *x = a, *y = b;
    if (x->nparts != y->nparts) return x->nparts < y->nparts ? -1 : 1;
    return x->part < y->part ? -1 : x->part > y->part;
}

/* Slabs in [0,n) where (owner == w), or (w < 0) where nothing is recorded, as ranges
 * "0-13, 15" (text) or [[0,14],[15,16]] (JSON, half-open). */
static int64_t print_ranges(FILE *f, const report *r, int w, int json)
{
    int64_t count = 0, shown = 0, more = 0;
    const int64_t n = r->info.nslabs;
    if (json) fputc('[', f);
    for (int64_t a = 0; a < n;) {
        const int hit = w < 0 ? r->owner[a] < 0 : r->owner[a] == w;
        if (!hit) {
            a++;
            continue;
        }
        int64_t b = a + 1;
        while (b < n && (w < 0 ? r->owner[b] < 0 : r->owner[b] == w)) b++;
        count += b - a;
        if (json)
            fprintf(f, "%s[%lld, %lld]", shown++ ? ", " : "", (long long)a, (long long)b);
        else if (shown++ < MAX_RANGES_SHOWN) {
            if (b - a == 1)
                fprintf(f, "%s%lld", shown > 1 ? ", " : "", (long long)a);
            else
                fprintf(f, "%s%lld-%lld", shown > 1 ? ", " : "", (long long)a, (long long)(b - 1));
        } else
            more++;
        a = b;
    }
    if (json)
        fputc(']', f);
    else if (more)
        fprintf(f, " and %lld more range%s", (long long)more, more == 1 ? "" : "s");
    else if (!shown)
        fputs("none", f);
    return count;
}

static void print_text(FILE *f, const char *out, const report *r, int complete, const char *data)
{
    const zs_jinfo *i = &r->info;
    if (complete)
        fprintf(f, "%s: complete, %lld of %lld slabs\n", out, (long long)r->done, (long long)i->nslabs);
    else
        fprintf(f, "%s: incomplete, %lld of %lld slabs done (%.1f%%)\n  data:      %s\n", out, (long long)r->done,
                (long long)i->nslabs, i->nslabs ? 100.0 * (double)r->done / (double)i->nslabs : 0.0, data);
    fprintf(f, "  input:     %s\n  pipeline:  %s\n  output:    %s %s, %lld slabs of %lld planes (zslab %s)\n", i->input,
            i->pipeline, i->output_dtype, i->shape, (long long)i->nslabs, (long long)i->slab, i->version);
    for (int w = 0; w < r->nwriters; w++) {
        const writer *p = &r->writers[w];
        const int64_t lo = (int64_t)((__int128)p->part * i->nslabs / p->nparts);
        const int64_t hi = (int64_t)((__int128)(p->part + 1) * i->nslabs / p->nparts);
        char name[64];
        snprintf(name, sizeof name, "part %lld/%lld:", (long long)p->part, (long long)p->nparts);
        fprintf(f, "  %-10s slabs ", name);
        int64_t n = print_ranges(f, r, w, 0);
        if (hi > lo)
            fprintf(f, " (%lld recorded; its range %lld-%lld)\n", (long long)n, (long long)lo, (long long)(hi - 1));
        else
            fprintf(f, " (%lld recorded; its range is empty)\n", (long long)n);
    }
    if (!complete && r->done < i->nslabs) {
        fputs("  missing:   slabs ", f);
        print_ranges(f, r, -1, 0);
        fputc('\n', f);
    }
}

static void print_json(FILE *f, const char *out, const report *r, int complete)
{
    const zs_jinfo *i = &r->info;
    fputs("{\"output\": ", f);
    zs__json_string(f, out);
    fprintf(f, ", \"complete\": %s, \"journal\": true, \"slabs\": %lld, \"done\": %lld, \"slab_height\": %lld",
            complete ? "true" : "false", (long long)i->nslabs, (long long)r->done, (long long)i->slab);
    fputs(", \"input\": ", f);
    zs__json_string(f, i->input);
    fputs(", \"pipeline\": ", f);
    zs__json_string(f, i->pipeline);
    fputs(", \"parts\": [", f);
    for (int w = 0; w < r->nwriters; w++) {
        const writer *p = &r->writers[w];
        const int64_t lo = (int64_t)((__int128)p->part * i->nslabs / p->nparts);
        const int64_t hi = (int64_t)((__int128)(p->part + 1) * i->nslabs / p->nparts);
        fprintf(f, "%s{\"part\": %lld, \"of\": %lld, \"range\": [%lld, %lld], \"slabs\": ", w ? ", " : "",
                (long long)p->part, (long long)p->nparts, (long long)lo, (long long)hi);
        print_ranges(f, r, w, 1);
        fputc('}', f);
    }
    fputs("], \"missing\": ", f);
    print_ranges(f, r, -1, 1);
    fputs("}\n", f);
}

/* No journal: a plain run's output is complete once it has its name. */
static zs_status report_plain(const char *out, FILE *f, int json, int has_out, int has_partial, zs_journal_summary *sum)
{
    ZS_RETURN_IF(!has_out && !has_partial, ZS_EIO,
                 "%s: no such output (neither it, %s.partial nor %s.zsjournal exists)", out, out, out);
    sum->complete = has_out && !has_partial;
    if (json) {
        fputs("{\"output\": ", f);
        zs__json_string(f, out);
        fprintf(f, ", \"complete\": %s, \"journal\": false}\n", sum->complete ? "true" : "false");
    } else if (sum->complete) {
        fprintf(f, "%s: complete (written without a journal)\n", out);
    } else {
        fprintf(f,
                "%s: incomplete: %s.partial exists without a journal (a run in progress, or one that was killed: "
                "it cannot be resumed)\n",
                out, out);
    }
    return ZS_OK;
}

/* Parts in order; the owner indices follow the sort. */
static void sort_writers(report *r)
{
    memcpy(r->sorted, r->writers, sizeof(writer) * (size_t)r->nwriters);
    qsort(r->sorted, (size_t)r->nwriters, sizeof(writer), cmp_writer);
    for (int w = 0; w < r->nwriters; w++)
        for (int k = 0; k < r->nwriters; k++)
            if (!cmp_writer(&r->writers[w], &r->sorted[k])) r->map[w] = k;
    for (int64_t i = 0; i < r->info.nslabs; i++)
        if (r->owner[i] >= 0) r->owner[i] = r->map[r->owner[i]];
    memcpy(r->writers, r->sorted, sizeof(writer) * (size_t)r->nwriters);
}

/* Where the job's data are, for the text report. */
static void data_text(char *data, size_t n, const char *out, const char *dir, const char *partial, int records,
                      int has_out, int has_partial)
{
    if (records && !has_out)
        snprintf(data, n, "slab records in %s (the part that records the last slab writes %s)", dir, out);
    else if (has_partial)
        snprintf(data, n, "%s", partial);
    else if (has_out)
        snprintf(data, n, "%s, but the journal lacks slabs (inconsistent)", out);
    else
        snprintf(data, n, "none: %s is gone (remove %s to start over)", partial, dir);
}

static zs_status report_to(const char *out, FILE *f, int json, zs_journal_summary *sum)
{
    zs_journal_summary dummy;
    if (!sum) sum = &dummy;
    memset(sum, 0, sizeof *sum);
    char dir[ZS_PATH_MAX + 16], partial[ZS_PATH_MAX + 16];
    ZS_RETURN_IF(!out || strlen(out) + 16 >= ZS_PATH_MAX, ZS_EINVAL, "no usable output path given");
    snprintf(dir, sizeof dir, "%s.zsjournal", out);
    snprintf(partial, sizeof partial, "%s.partial", out);
    struct stat st;
    const int has_partial = stat(partial, &st) == 0, has_dir = stat(dir, &st) == 0;
    zs_file_id replaced = {0, 0}; /* an earlier output the job replaces is not its output */
    if (has_dir) zs__journal_replaced_read(dir, &replaced);
    const int has_out = zs__journal_out_finished(out, &replaced);
    if (!has_dir) return report_plain(out, f, json, has_out, has_partial, sum);
    sum->journal = 1;
    report *r = calloc(1, sizeof *r);
    ZS_RETURN_IF(!r, ZS_ENOMEM, "out of memory");
    char hdr[ZS_PATH_MAX + 32];
    snprintf(hdr, sizeof hdr, "%s/header", dir);
    zs_status s = ZS_OK;
    if (stat(hdr, &st) != 0) {
        if (json) {
            fputs("{\"output\": ", f);
            zs__json_string(f, out);
            fputs(", \"complete\": false, \"journal\": true}\n", f);
        } else
            fprintf(f, "%s: incomplete: being created (%s has no header yet)\n", out, dir);
        free(r);
        return ZS_OK;
    }
    s = zs__journal_read_info(dir, &r->info);
    if (s == ZS_OK) {
        r->owner = malloc(sizeof *r->owner * (size_t)(r->info.nslabs + 1));
        if (!r->owner)
            s = ZS_ERR(ZS_ENOMEM, "out of memory");
        else
            for (int64_t i = 0; i < r->info.nslabs; i++) r->owner[i] = -1;
    }
    if (s == ZS_OK) s = zs__journal_scan(&r->info, collect, r);
    if (s == ZS_OK) {
        sort_writers(r);
        sum->slabs = r->info.nslabs;
        sum->done = r->done;
        sum->complete = has_out && !has_partial && r->done == r->info.nslabs;
        if (json)
            print_json(f, out, r, sum->complete);
        else {
            char data[2 * ZS_PATH_MAX + 128];
            data_text(data, sizeof data, out, dir, partial, r->info.records, has_out, has_partial);
            print_text(f, out, r, sum->complete, data);
        }
    }
    free(r->owner);
    free(r);
    return s;
}

zs_status zs_journal_report(const char *out, int json, char *buf, size_t n, size_t *len, zs_journal_summary *sum)
{
    char *text = NULL;
    size_t tlen = 0;
    if (len) *len = 0;
    zs__copy_text("", 0, buf, n);
    FILE *f = open_memstream(&text, &tlen);
    ZS_RETURN_IF(!f, ZS_ENOMEM, "out of memory");
    zs_journal_summary local;
    zs_journal_summary_init(&local);
    zs_status s = report_to(out, f, json, &local);
    if (sum) ZS_SIZED_OUT(sum, &local, zs_journal_summary);
    if (fclose(f) != 0 && s == ZS_OK) s = ZS_ERR(ZS_ENOMEM, "out of memory");
    if (s == ZS_OK) {
        zs__copy_text(text, tlen, buf, n);
        if (len) *len = tlen;
    }
    free(text);
    return s;
}
