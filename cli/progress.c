/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Progress display. On a terminal, a bar redrawn at most ten times a second; elsewhere
 * (SLURM logs, pipes) one plain line every ~5 seconds, so logs stay short. In a batch, the
 * bar is the current stack's and the ETA the batch's. */
#define _POSIX_C_SOURCE 200809L

#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define BAR_INTERVAL  0.1
#define LINE_INTERVAL 5.0
#define BAR_WIDTH     30

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

cli_progress_mode cli_progress_choose(int request, int level)
{
    if (request == 0 || (request < 0 && level < 2)) return CLI_PROGRESS_NONE;
    return isatty(STDERR_FILENO) ? CLI_PROGRESS_BAR : CLI_PROGRESS_LINES;
}

void cli_progress_start(cli_progress *p, cli_progress_mode mode, volatile int *stop)
{
    p->mode = mode;
    p->t0 = p->last = cli_now();
    p->drawn = 0;
    p->stop = stop;
    p->stack = p->nstacks = 0;
    p->name = NULL;
    p->batch_done = p->batch_total = 0;
}

void cli_progress_stack(cli_progress *p, int stack, int nstacks, const char *name, uint64_t done, uint64_t total)
{
    p->stack = stack;
    p->nstacks = nstacks;
    p->name = name;
    p->batch_done = done;
    p->batch_total = total;
}

/* "1:05", "12 s" */
static void eta_string(double s, char *buf, size_t n)
{
    if (s < 0 || s > 1e7)
        snprintf(buf, n, "?");
    else if (s < 60)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 3600)
        snprintf(buf, n, "%d:%02d", (int)s / 60, (int)s % 60);
    else
        snprintf(buf, n, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
}

static void fill_bar(char *bar, int width, double frac)
{
    const int fill = (int)(frac * width + 0.5);
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '-';
    bar[width] = '\0';
}

/* Stack k of n: its percent; the rate and ETA of the batch (voxels of every stack run so far). */
static void draw_batch(cli_progress *p, double now, uint64_t dv, uint64_t tv)
{
    const double frac = tv ? (double)dv / (double)tv : 1.0;
    const uint64_t all = p->batch_done + dv, left = p->batch_total > all ? p->batch_total - all : 0;
    const double el = now - p->t0, rate = el > 0 ? (double)all / el : 0.0;
    char eta[32];
    eta_string(rate > 0 ? (double)left / rate : -1.0, eta, sizeof eta);
    if (p->mode == CLI_PROGRESS_BAR) {
        char bar[21];
        fill_bar(bar, 20, frac);
        fprintf(stderr, "\rstack %d of %d [%s] %5.1f%%  %7.1f Mvox/s  ETA %-8s", p->stack, p->nstacks, bar,
                100.0 * frac, rate / 1e6, eta);
        p->drawn = 1;
    } else {
        fprintf(stderr, "zslab: stack %d of %d (%s): %5.1f%%; batch %.1f Mvox/s, ETA %s\n", p->stack, p->nstacks,
                p->name ? p->name : "?", 100.0 * frac, rate / 1e6, eta);
    }
    fflush(stderr);
}

static void draw(cli_progress *p, double now, int64_t ds, int64_t ts, uint64_t dv, uint64_t tv)
{
    if (p->nstacks) {
        draw_batch(p, now, dv, tv);
        return;
    }
    const double frac = tv ? (double)dv / (double)tv : (ts ? (double)ds / (double)ts : 1.0);
    const double el = now - p->t0, rate = el > 0 ? (double)dv / el / 1e6 : 0.0;
    char eta[32];
    eta_string(frac > 0 ? el * (1.0 - frac) / frac : -1.0, eta, sizeof eta);
    if (p->mode == CLI_PROGRESS_BAR) {
        char bar[BAR_WIDTH + 1];
        fill_bar(bar, BAR_WIDTH, frac);
        fprintf(stderr, "\r[%s] %5.1f%%  %7.1f Mvox/s  ETA %-8s", bar, 100.0 * frac, rate, eta);
        p->drawn = 1;
    } else {
        fprintf(stderr, "zslab: %5.1f%% (%lld/%lld slabs), %.1f Mvox/s, ETA %s\n", 100.0 * frac, (long long)ds,
                (long long)ts, rate, eta);
    }
    fflush(stderr);
}

int cli_progress_update(void *user, int64_t done_slabs, int64_t total_slabs, uint64_t done_voxels,
                        uint64_t total_voxels)
{
    cli_progress *p = user;
    if (p->mode != CLI_PROGRESS_NONE) {
        const double now = cli_now();
        const int last = done_slabs >= total_slabs;
        const double every = p->mode == CLI_PROGRESS_BAR ? BAR_INTERVAL : LINE_INTERVAL;
        if (now - p->last >= every || (last && p->mode == CLI_PROGRESS_BAR)) {
            p->last = now;
            draw(p, now, done_slabs, total_slabs, done_voxels, total_voxels);
        }
    }
    return p->stop && *p->stop;
}

void cli_progress_finish(cli_progress *p)
{
    if (p->mode == CLI_PROGRESS_BAR && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = 0;
}
