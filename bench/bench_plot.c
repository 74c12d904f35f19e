/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab bench --plot B.svg`: the benchmark as a chart, readable without the table. One group of
 * five bars per setting of the sweep (read, load, compute, store, end-to-end: medians, with a
 * whisker from min to max), a dashed line across the group at max(read + store, compute), the
 * time a perfect overlap of I/O and compute would take, labelled with the side that bounds the
 * job; under the group its setting, the bound and the overlap efficiency (that line over the
 * end-to-end bar). Plain SVG 1.1, no script, fonts by generic family. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench_internal.h"

static const char *const colours[PH_COUNT] = {"#4e79a7", "#76b7b2", "#e15759", "#f28e2b", "#59a14f"};

enum { BAR = 26, BAR_GAP = 4, GROUP_GAP = 46, LEFT = 74, TOP = 92, PLOT_H = 300, BOTTOM = 92, RIGHT = 24 };

static void xml_text(FILE *f, const char *s)
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

/* A round step for about 5 ticks up to top. */
static double tick_step(double top)
{
    const double raw = top / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static double y_of(double s, double top) { return TOP + PLOT_H - PLOT_H * (s / top); }

static void axes(FILE *f, double top, double step, int width)
{
    for (int k = 0; k * step <= top * (1 + 1e-9); k++) {
        const double y = y_of(k * step, top);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", LEFT, y, width - RIGHT, y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">%g</text>\n", LEFT - 6, y + 4,
                k * step);
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", LEFT, TOP, LEFT, TOP + PLOT_H);
    fprintf(f,
            "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" text-anchor=\"middle\" font-size=\"13\">"
            "seconds (median of the runs; whiskers: min to max)</text>\n",
            TOP + PLOT_H / 2, TOP + PLOT_H / 2);
}

static void legend(FILE *f, int width)
{
    int x = LEFT;
    for (int ph = 0; ph < PH_COUNT; ph++) {
        fprintf(f, "<rect x=\"%d\" y=\"52\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, colours[ph]);
        fprintf(f, "<text x=\"%d\" y=\"62\" font-size=\"12\">%s</text>\n", x + 16, zs__bench_phase_names[ph]);
        x += 22 + 8 * (int)strlen(zs__bench_phase_names[ph]);
    }
    fprintf(
        f,
        "<line x1=\"%d\" y1=\"58\" x2=\"%d\" y2=\"58\" stroke=\"#000\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>"
        "<text x=\"%d\" y=\"62\" font-size=\"12\">bound: max(read+store, compute)</text>\n",
        x, x + 24, x + 30);
    (void)width;
}

static void group(FILE *f, const setting_result *s, int x0, double top, int is_best)
{
    for (int ph = 0; ph < PH_COUNT; ph++) {
        const phase_result *p = &s->ph[ph];
        const int x = x0 + ph * (BAR + BAR_GAP);
        const double y = y_of(p->med, top);
        fprintf(f,
                "<rect class=\"bar\" data-phase=\"%s\" data-seconds=\"%.6f\" x=\"%d\" y=\"%.2f\" width=\"%d\" "
                "height=\"%.2f\" fill=\"%s\"><title>%s: median %.4f s (min %.4f, max %.4f)</title></rect>\n",
                zs__bench_phase_names[ph], p->med, x, y, BAR, TOP + PLOT_H - y, colours[ph], zs__bench_phase_names[ph],
                p->med, p->min, p->max);
        const double cx = x + BAR / 2.0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\" stroke=\"#222\"/>\n", cx, y_of(p->min, top),
                cx, y_of(p->max, top));
    }
    const double io = zs__bench_io_s(s), comp = s->ph[PH_COMPUTE].med, bound = io > comp ? io : comp;
    const int x1 = x0 + PH_COUNT * (BAR + BAR_GAP) - BAR_GAP;
    const double yb = y_of(bound, top);
    fprintf(f,
            "<line class=\"bound\" data-seconds=\"%.6f\" x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#000\" "
            "stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\n",
            bound, x0 - 4, yb, x1 + 4, yb);
    fprintf(f, "<text x=\"%d\" y=\"%.2f\" font-size=\"11\">%s %.3g s</text>\n", x0, yb - 5,
            io > comp ? "I/O" : "compute", bound);
    const int yl = TOP + PLOT_H + 18;
    fprintf(f, "<text class=\"setting\" x=\"%d\" y=\"%d\" font-size=\"12\">%sthreads=%d slab=%lld</text>\n", x0, yl,
            is_best ? "\xe2\x98\x85 " : "", s->threads, (long long)s->slab);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\">band=%lld %s</text>\n", x0, yl + 15, (long long)s->band,
            zs_engine_name(s->engine));
    fprintf(f, "<text class=\"bound-label\" x=\"%d\" y=\"%d\" font-size=\"12\" font-weight=\"bold\">bound: %s</text>\n",
            x0, yl + 30, io > comp ? "I/O" : "compute");
    fprintf(f, "<text class=\"overlap\" x=\"%d\" y=\"%d\" font-size=\"12\">overlap efficiency %.2f</text>\n", x0,
            yl + 45, zs__bench_overlap(s));
}

void zs__bench_plot_svg(FILE *f, const zs_volume_info *in, const char *pipeline, int cold, const setting_result *r,
                        int n, int best)
{
    const int gw = PH_COUNT * (BAR + BAR_GAP) - BAR_GAP;
    int width = LEFT + 16 + n * gw + (n - 1) * GROUP_GAP + RIGHT + 20;
    if (width < 640) width = 640;
    const int height = TOP + PLOT_H + BOTTOM;
    double top = 0;
    for (int i = 0; i < n; i++)
        for (int ph = 0; ph < PH_COUNT; ph++) top = r[i].ph[ph].max > top ? r[i].ph[ph].max : top;
    top = top > 0 ? top * 1.08 : 1;
    const double step = tick_step(top);
    top = ceil(top / step) * step;
    const char *name = strrchr(in->path, '/') ? strrchr(in->path, '/') + 1 : in->path;
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
            "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
            width, height, width, height);
    fprintf(f,
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n<text x=\"%d\" y=\"22\" font-size=\"15\" "
            "font-weight=\"bold\">zslab bench: ",
            LEFT);
    xml_text(f, name);
    fprintf(f, " %lldx%lldx%lld %s%s</text>\n<text x=\"%d\" y=\"40\" font-size=\"12\">", (long long)in->shape[0],
            (long long)in->shape[1], (long long)in->shape[2], zs_dtype_name(in->dtype),
            cold ? " (cold: from storage)" : " (page cache)", LEFT);
    xml_text(f, pipeline);
    fputs("</text>\n", f);
    legend(f, width);
    axes(f, top, step, width);
    for (int i = 0; i < n; i++) group(f, &r[i], LEFT + 16 + i * (gw + GROUP_GAP), top, n > 1 && i == best);
    fputs("</svg>\n", f);
}
