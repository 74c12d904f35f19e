/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab preview IN OUT.png`, and the three-views of filter --preview and of batch reports. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "zslab_detect.h"

static const char *view_name(const zs_preview_opts *p)
{
    static const char *const axes[] = {"x", "y", "z"};
    if (p->view == ZS_VIEW_THREE) return "three-view";
    if (p->view == ZS_VIEW_PLANE) return "plane";
    return axes[p->axis];
}

/* The index of column `name` in a CSV header line, or -1. */
static int csv_column(const char *header, const char *name)
{
    const size_t n = strlen(name);
    int i = 0;
    for (const char *p = header; *p; i++) {
        const size_t k = strcspn(p, ",\r\n");
        if (k == n && !strncmp(p, name, n)) return i;
        p += k;
        if (*p != ',') break;
        p++;
    }
    return -1;
}

/* x, y, z of each row of a CSV with those columns (zslab detect's): *xyz malloc()ed, 3 per cell. */
static int read_cells(const char *path, double **xyz, int64_t *n)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int col[3] = {-1, -1, -1};
    if (f && fgets(line, sizeof line, f))
        for (int a = 0; a < 3; a++) col[a] = csv_column(line, (const char *[]){"x", "y", "z"}[a]);
    if (!f || col[0] < 0 || col[1] < 0 || col[2] < 0) {
        cli_error("--cells %s: %s", path,
                  f ? "no header with x, y and z columns (a zslab detect table)" : "cannot open");
        if (f) fclose(f);
        return CLI_EXIT_ERROR;
    }
    int64_t cap = 0;
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        if (*n == cap) {
            double *grown = realloc(*xyz, (size_t)(cap = cap ? 2 * cap : 1024) * 3 * sizeof **xyz);
            if (!grown) break;
            *xyz = grown;
        }
        char *p = line;
        for (int i = 0; p; i++) {
            for (int a = 0; a < 3; a++)
                if (i == col[a]) (*xyz)[3 * *n + a] = strtod(p, NULL);
            p = strchr(p, ',');
            p = p ? p + 1 : NULL;
        }
        (*n)++;
    }
    const int bad = *n < cap && !feof(f);
    fclose(f);
    if (bad) cli_error("--cells %s: out of memory or a line too long", path);
    return bad ? CLI_EXIT_ERROR : CLI_RUN;
}

/* The cells of --cells marked on the image. */
static int mark_cells(const cli_opts *o, const zs_volume *v, const zs_preview_opts *p, zs_image *img)
{
    double *xyz = NULL;
    int64_t n = 0;
    int rc = read_cells(o->cells, &xyz, &n);
    zs_status s = rc == CLI_RUN ? zs_preview_mark_cells(zs_volume_get_info(v), p, xyz, n, img) : ZS_OK;
    free(xyz);
    if (s < 0) rc = cli_fail(s, 0);
    if (rc == CLI_RUN) cli_note(3, "marked %lld cells of %s", (long long)n, o->cells);
    return rc;
}

static int run_preview(const cli_opts *o)
{
    zs_preview_opts p = o->p;
    p.threads = o->threads;
    p.mem_budget = o->mem_budget;
    struct stat st;
    if (!o->force && stat(o->out, &st) == 0) {
        cli_error("%s: exists (use --force to overwrite it)", o->out);
        return CLI_EXIT_ERROR;
    }
    zs_volume *v = NULL;
    int rc = cli_open_input(o->in, &o->raw, &v);
    if (rc != CLI_RUN) return rc;
    zs_image *img = NULL;
    zs_status s = zs_preview_make(v, &p, &img);
    if (s == ZS_OK && o->cells && (rc = mark_cells(o, v, &p, img)) != CLI_RUN) {
        zs_image_free(img);
        zs_volume_free(v);
        return rc;
    }
    if (s == ZS_OK) s = zs_image_write_png(img, o->out);
    if (s < 0) {
        rc = cli_fail(s, 1);
    } else {
        rc = CLI_EXIT_OK;
        if (p.view == ZS_VIEW_MIP)
            cli_note(2, "%s -> %s: MIP along %s, %lld x %lld pixels, range %g:%g", o->in, o->out, view_name(&p),
                     (long long)img->width, (long long)img->height, img->lo, img->hi);
        else
            cli_note(2, "%s -> %s: %s, %lld x %lld pixels, range %g:%g", o->in, o->out,
                     p.view == ZS_VIEW_PLANE ? "plane" : "three-view", (long long)img->width, (long long)img->height,
                     img->lo, img->hi);
    }
    zs_image_free(img);
    zs_volume_free(v);
    return rc;
}

static void three_view_opts(zs_preview_opts *p, uint64_t mem_budget, int threads)
{
    zs_preview_opts_init(p);
    p->view = ZS_VIEW_THREE;
    p->size = CLI_PREVIEW_SIZE;
    p->mem_budget = mem_budget;
    p->threads = threads;
}

int cli_preview_png(const char *path, uint64_t mem_budget, int threads, unsigned char **png, size_t *len)
{
    *png = NULL;
    *len = 0;
    zs_preview_opts p;
    three_view_opts(&p, mem_budget, threads);
    zs_volume *v = NULL;
    zs_image *img = NULL;
    zs_status s = zs_volume_open(path, NULL, &v);
    if (s == ZS_OK) s = zs_preview_make(v, &p, &img);
    if (s == ZS_OK) s = zs_image_encode_png(img, png, len);
    zs_image_free(img);
    zs_volume_free(v);
    return s < 0 ? cli_fail(s, 0) : CLI_RUN;
}

int cli_preview_beside(const char *out, uint64_t mem_budget, int threads)
{
    zs_preview_opts p;
    three_view_opts(&p, mem_budget, threads);
    char png[ZS_PATH_MAX + 16];
    const size_t n = strlen(out);
    /* a plane series written as DIR/ gets DIR.preview.png */
    snprintf(png, sizeof png, "%.*s.preview.png", (int)(n > 1 && out[n - 1] == '/' ? n - 1 : n), out);
    zs_volume *v = NULL;
    zs_image *img = NULL;
    zs_status s = zs_volume_open(out, NULL, &v);
    if (s == ZS_OK) s = zs_preview_make(v, &p, &img);
    if (s == ZS_OK) s = zs_image_write_png(img, png);
    zs_image_free(img);
    zs_volume_free(v);
    if (s < 0) return cli_fail(s, 0);
    cli_note(3, "preview: %s", png);
    return CLI_EXIT_OK;
}

/* IN and OUT.png; --z, --axis and --view must agree: --z alone means a plane, --axis a MIP. */
static int check_preview(cli_opts *o)
{
    zs_preview_opts *p = &o->p;
    o->in = o->nargs > 0 ? o->args[0] : NULL;
    o->out = o->nargs > 1 ? o->args[1] : NULL;
    if (!o->in) return cli_usage_error("preview", "no IN file given");
    if (!o->out) return cli_usage_error("preview", "no OUT.png given");
    if (o->has_z && !o->has_view) p->view = ZS_VIEW_PLANE;
    if (p->view == ZS_VIEW_PLANE && !o->has_z) return cli_usage_error("preview", "--view plane needs --z N");
    if (o->has_z && p->view != ZS_VIEW_PLANE) {
        cli_error("preview: --z shows one plane; it does not combine with --view %s",
                  p->view == ZS_VIEW_THREE ? "three" : "mip");
        return CLI_EXIT_USAGE;
    }
    if (o->has_axis && p->view != ZS_VIEW_MIP) {
        cli_error("preview: --axis chooses the MIP's axis; it does not combine with a %s",
                  p->view == ZS_VIEW_THREE ? "three-view" : "plane");
        return CLI_EXIT_USAGE;
    }
    if (p->view == ZS_VIEW_THREE && p->size && p->size < 2 * ZS_PREVIEW_GAP + 2) {
        cli_error("--size: a three-view needs at least %d pixels", 2 * ZS_PREVIEW_GAP + 2);
        return CLI_EXIT_USAGE;
    }
    return CLI_RUN;
}

const cli_command cli_command_preview = {
    .name = "preview",
    .summary = {{"IN OUT.png", "look at a stack: a MIP, a plane or a three-view, read once"}},
    .help = "usage: zslab preview IN OUT.png [options]\n\n"
            "Reads IN once, a few planes at a time, and writes an 8-bit PNG: a maximum-intensity\n"
            "projection (MIP), one z-plane, or a three-view. x runs to the right and y down, as Fiji\n"
            "shows a plane. Every view has square pixels in physical units (the voxel size), resampled\n"
            "by box (area) averaging; NaN voxels are left out of the maxima.\n\n"
            "{view}{three-view}{axis}{z}{t}{range}{size}{cmap}{cells}"
            "{mem-budget:memory for the preview: projections in float32, a chunk of planes\n"
            "(at most 32 MiB), resampling, 16 MiB for the process (default 256M,\n"
            "or what the projections need, up to half the available memory)}"
            "{threads}{force:overwrite OUT.png if it exists}{@common}\n{@formats}{@raw}",
    .max_args = 2,
    .check = check_preview,
    .run = run_preview,
};
