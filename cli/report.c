/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab filter --batch ... --report R.html`: one self-contained HTML page for looking at a
 * batch in a browser. Per stack a row: status, seconds, Mvox/s, shape and dtype, voxel size,
 * pipeline, and the input's and the output's three-views side by side (PNG inline as data:
 * URIs, so the page can be mailed or copied alone), or the error. The three-views are made after
 * the batch ran: each input and output is read once more, in a process of its own (isolate.c: a
 * decoder that crashes costs that image only). The page is written as R.html.partial
 * and renamed when complete. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"

/* Text with &, <, >, " escaped. */
static void html_text(FILE *f, const char *s)
{
    for (; s && *s; s++) switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
}

static void base64(FILE *f, const unsigned char *b, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        const unsigned v =
            (unsigned)b[i] << 16 | (i + 1 < n ? (unsigned)b[i + 1] << 8 : 0) | (i + 2 < n ? b[i + 2] : 0);
        fputc(a[v >> 18 & 63], f);
        fputc(a[v >> 12 & 63], f);
        fputc(i + 1 < n ? a[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? a[v & 63] : '=', f);
    }
}

typedef struct preview_call {
    const cli_opts *o;
    const char *path;
} preview_call;

/* In a process of its own (a decoder may crash on the file): 'P' and the PNG, or 'E' and why not. */
static int preview_child(void *arg, int fd)
{
    const preview_call *c = arg;
    unsigned char *png = NULL;
    size_t len = 0;
    cli_forget_error();
    const int ok = cli_preview_png(c->path, c->o->mem_budget, c->o->threads, &png, &len) == CLI_RUN;
    const char *text = ok ? (const char *)png : cli_last_error_text();
    const int bad = cli_write_all(fd, ok ? "P" : "E", 1) || cli_write_all(fd, text, ok ? len : strlen(text));
    free(png);
    return bad ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

/* One three-view cell: the image, or why there is none. */
static void image_cell(FILE *f, const cli_opts *o, const char *path, const char *what)
{
    preview_call c = {o, path};
    cli_isolated_result r;
    char why[ZS_PATH_MAX + 128] = "no result";
    fputs("<td class=\"view\">", f);
    const int ran = cli_isolated(preview_child, &c, &r) == CLI_RUN;
    if (ran && !r.signal && r.len && r.data[0] == 'P') {
        fprintf(f, "<img class=\"%s\" alt=\"%s three-view of ", what, what);
        html_text(f, path);
        fputs("\" src=\"data:image/png;base64,", f);
        base64(f, (const unsigned char *)r.data + 1, r.len - 1);
        fputs("\">", f);
    } else {
        if (ran && r.signal)
            zs_job_crashed(path, NULL, NULL, r.signal, why, sizeof why);
        else if (ran && r.len && r.data[0] == 'E')
            snprintf(why, sizeof why, "%s", r.data + 1);
        else if (!ran)
            snprintf(why, sizeof why, "%s", cli_last_error_text());
        fputs("<span class=\"error\">no preview: ", f);
        html_text(f, why);
        fputs("</span>", f);
    }
    cli_isolated_free(&r);
    fputs("</td>", f);
}

static void stack_row(FILE *f, const cli_opts *o, const batch_stack *s, int k)
{
    const char *st = batch_status_name(s->status);
    fprintf(f, "<tr class=\"stack\" id=\"stack-%d\"><td>%d</td><td class=\"name\">", k, k);
    html_text(f, s->in);
    fprintf(f, "</td><td class=\"status %s\">%s</td>", s->status == BATCH_FAILED ? "failed" : st, st);
    if (s->status == BATCH_OK)
        fprintf(f, "<td>%.2f</td><td>%.1f</td>", s->seconds,
                (double)s->voxels / 1e6 / (s->seconds > 1e-9 ? s->seconds : 1e-9));
    else
        fputs("<td>-</td><td>-</td>", f);
    fputs("<td>", f);
    if (s->shape[0]) {
        html_text(f, s->shape);
        fprintf(f, " %s<br>%gx%gx%g", s->dtype, s->voxel[0], s->voxel[1], s->voxel[2]);
        html_text(f, s->unit[0] ? s->unit : " (no unit)");
    } else {
        fputs("-", f);
    }
    fputs("</td><td class=\"pipeline\">", f);
    html_text(f, s->pipeline ? s->pipeline : "-");
    fputs("</td>", f);
    if (s->status == BATCH_OK || s->status == BATCH_SKIPPED) {
        image_cell(f, o, s->in, "input");
        image_cell(f, o, s->out, "output");
        fputs("<td class=\"out\">", f);
        html_text(f, s->out);
    } else {
        fputs("<td></td><td></td><td class=\"error\">", f);
        html_text(f, s->status == BATCH_FAILED ? s->message : "not run");
    }
    fputs("</td></tr>\n", f);
}

static const char style[] =
    "body{font-family:sans-serif;margin:1em;color:#222}table{border-collapse:collapse}"
    "th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}"
    "td.view img{display:block;width:320px;height:auto;image-rendering:pixelated;background:#000}"
    ".status.ok{color:#070}.status.failed,.error{color:#b00;font-weight:bold}"
    ".pipeline{font-family:monospace;font-size:90%;max-width:20em;word-break:break-all}";

static void page(FILE *f, const cli_opts *o, const batch_list *l, double seconds)
{
    int count[BATCH_NOT_RUN + 1] = {0};
    for (int i = 0; i < l->n; i++) count[l->s[i].status]++;
    char when[64] = "";
    const time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm)) strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>zslab %s batch: ",
            o->convert ? "convert" : "filter");
    html_text(f, o->out_dir);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>zslab %s batch into ", style,
            o->convert ? "convert" : "filter");
    html_text(f, o->out_dir);
    fprintf(f,
            "</h1>\n<p id=\"summary\">%d stack%s: %d ok, %d skipped (complete), %d failed, %d not run; %.2f s. "
            "Written %s by zslab %s.</p>\n<p>Pipeline as given:",
            l->n, l->n == 1 ? "" : "s", count[BATCH_OK], count[BATCH_SKIPPED], count[BATCH_FAILED],
            count[BATCH_NOT_RUN] + count[BATCH_TODO], seconds, when, zs_version_string());
    for (int i = 0; i < o->nops; i++) {
        fputs(" <code>--op ", f);
        html_text(f, o->ops[i]);
        fputs("</code>", f);
    }
    fprintf(f,
            "%s</p>\n<p>Three-views, %d pixels on the long side: the maximum-intensity projection along z "
            "(x right, y down) top left, along x (z right, y down) to its right, along y (x right, z down) "
            "below; square pixels in physical units; grey levels from the 0.1 and 99.9 percentiles of each "
            "image's projections.</p>\n",
            o->nops ? "" : " (copy)", CLI_PREVIEW_SIZE);
    fputs("<table>\n<thead><tr><th>#</th><th>stack</th><th>status</th><th>seconds</th><th>Mvox/s</th>"
          "<th>shape, dtype, voxel size</th><th>pipeline</th><th>input</th><th>output</th><th>output file or "
          "error</th></tr></thead>\n<tbody>\n",
          f);
    for (int i = 0; i < l->n; i++) {
        cli_note(3, "report: stack %d of %d", i + 1, l->n);
        stack_row(f, o, &l->s[i], i + 1);
    }
    fputs("</tbody>\n</table>\n</body>\n</html>\n", f);
}

int batch_report_write(const cli_opts *o, const batch_list *l, double seconds)
{
    zs_partial_file *p = NULL; /* R.html.partial, claimed as outputs are */
    zs_status st = zs_partial_file_new(o->report, &p);
    if (st == ZS_OK) {
        page(zs_partial_file_stream(p), o, l, seconds);
        st = zs_partial_file_commit(p);
    }
    zs_partial_file_free(p);
    if (st < 0) {
        cli_error("%s: cannot write the report: %s", o->report, zs_last_error());
        return CLI_EXIT_ERROR;
    }
    cli_note(2, "report: %s", o->report);
    return CLI_EXIT_OK;
}
