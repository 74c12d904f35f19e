/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Progress of a running plan: a bar on a terminal, a plain line every ~5 s in a log. */
#ifndef ZS_CLI_PROGRESS_H
#define ZS_CLI_PROGRESS_H

#include <stdint.h>

typedef enum cli_progress_mode { CLI_PROGRESS_NONE = 0, CLI_PROGRESS_BAR, CLI_PROGRESS_LINES } cli_progress_mode;

typedef struct cli_progress {
    cli_progress_mode mode;
    double t0;          /* start, seconds (monotonic) */
    double last;        /* last output */
    int drawn;          /* a bar is on screen */
    volatile int *stop; /* non-zero: ask the plan to stop (returned by the callback) */
    /* filter --batch (cli_progress_stack): stack k of n; nstacks 0 for a single volume */
    int stack, nstacks;
    const char *name;                 /* the stack's input (borrowed) */
    uint64_t batch_done, batch_total; /* voxels of the stacks run before this one; of all stacks to run */
} cli_progress;

/** Monotonic clock, seconds. */
double cli_now(void);
/** The mode for a request: -1 automatic (bar when stderr is a terminal, else lines),
 *  0 none, 1 forced on; automatic is none below display level 2. */
cli_progress_mode cli_progress_choose(int request, int level);
void cli_progress_start(cli_progress *p, cli_progress_mode mode, volatile int *stop);
/** Shows stack `stack` of `nstacks` next: the display gives that stack's percent and the
 *  batch's ETA from the voxels done since cli_progress_start (`done` of `total`, before this
 *  stack). `name` is borrowed until the next call. */
void cli_progress_stack(cli_progress *p, int stack, int nstacks, const char *name, uint64_t done, uint64_t total);
/** A zs_progress_fn: called by the library after each slab (serialised). Cheap: it only
 *  reads the clock unless it is time to draw. */
int cli_progress_update(void *user, int64_t done_slabs, int64_t total_slabs, uint64_t done_voxels,
                        uint64_t total_voxels);
/** Erases the bar, so that the next message starts on a clean line. */
void cli_progress_finish(cli_progress *p);

#endif /* ZS_CLI_PROGRESS_H */
