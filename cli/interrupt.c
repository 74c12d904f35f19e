/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* SIGINT / SIGTERM: stop a running plan at the next slab. Without a journal, never leave a
 * partial output; with one (filter_journal.c installs no partial path), the partial output
 * and the journal stay for --resume, even when a second signal ends the process at once. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* int rather than sig_atomic_t because zs_exec_opts.stop is a volatile int * (the same
 * type on every platform zslab builds on). */
volatile int cli_stop;

static char partial_path[ZS_PATH_MAX + 16]; /* set before the handler is installed */
static int cooperative_stop;

static void on_signal(int sig)
{
    if (cooperative_stop && !cli_stop) {
        cli_stop = 1; /* the plan stops after its current slabs; the caller removes the output */
        return;
    }
    if (partial_path[0]) (void)unlink(partial_path); /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_interrupt_install(const char *partial, int cooperative)
{
    snprintf(partial_path, sizeof partial_path, "%s", partial ? partial : "");
    cooperative_stop = cooperative; /* cli_stop is left as it is: a batch stops at its next stack */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_interrupt_clear(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    partial_path[0] = '\0';
}
