/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Faults on mapped files. A file that shrinks (or is truncated, or whose storage fails) while it
 * is mapped makes the next touch of a page past its new end raise SIGBUS, which kills the
 * process. zs__call_guarded() runs a piece of code that reads or writes through a mapping with
 * a SIGBUS handler armed for the calling thread: a fault abandons the code and returns 1, so
 * that the caller reports the file by name and fails the run cleanly (its partial output
 * removed, its journal valid).
 *
 * The handler is process-wide, installed by the first guard (and again by a later one if a
 * program replaced it; the program's handler is then the previous one). A SIGBUS that
 * arrives while no guard is armed on the faulting thread is not ours: the previous action is
 * restored and the fault happens again under it (the default: the process dies, as without
 * zslab), or the previous handler is called. SIGBUS is synchronous: it is delivered to the
 * thread that touched the page, so a thread-local guard is enough. The handler runs with
 * SA_NODEFER, so jumping out of it needs no signal mask restored (sigsetjmp(env, 0)); a guard
 * costs one sigaction() query, to see that the handler is still ours. A handler that chains back
 * to ours is caught by a per-thread re-entry flag. Guarded code must hold no lock and own no
 * allocation that a jump would leak. */
#include "zs_internal.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

typedef struct guard {
    sigjmp_buf env;
} guard;

static _Thread_local guard *volatile tl_guard;
static struct sigaction previous;
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local volatile int tl_in_handler; /* on_sigbus is running on this thread */

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    guard *g = tl_guard;
    /* a fault of a guarded access (si_code > 0: raised by the kernel, not sent by kill) */
    if (g && si && si->si_code > 0) {
        tl_guard = NULL;
        siglongjmp(g->env, 1);
    }
    /* Entered again while the previous handler runs: a handler that chains back to the one it
     * found (ours) would loop. Step aside: the default action ends the process on the retry. */
    if (tl_in_handler) {
        signal(SIGBUS, SIG_DFL);
        return;
    }
    tl_in_handler = 1;
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) previous.sa_sigaction(sig, si, ctx);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler) {
        previous.sa_handler(sig);
    } else {
        /* Not a mapped read of ours: put the default back; returning retries the access, which
         * faults again and ends the process as it would have without this handler. */
        signal(SIGBUS, SIG_DFL);
    }
    tl_in_handler = 0;
}

static int is_ours(const struct sigaction *a) { return (a->sa_flags & SA_SIGINFO) && a->sa_sigaction == on_sigbus; }

/* Installs the handler unless it is in place: checked at each guard, since a program (or a test
 * framework) may install a handler of its own after ours; that one becomes the previous one. */
static void ensure_installed(void)
{
    struct sigaction cur;
    if (sigaction(SIGBUS, NULL, &cur) == 0 && is_ours(&cur)) return;
    pthread_mutex_lock(&install_lock);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &old) == 0 && !is_ours(&old)) previous = old;
    pthread_mutex_unlock(&install_lock);
}

int zs__call_guarded(void (*fn)(void *), void *arg)
{
    ensure_installed();
    guard g;
    guard *volatile outer = tl_guard;
    if (sigsetjmp(g.env, 0) != 0) {
        tl_guard = outer;
        return 1;
    }
    tl_guard = &g;
    fn(arg);
    tl_guard = outer;
    return 0;
}

void zs__test_crash_on(const char *path, const char *when)
{
    const char *want = getenv("ZS_TEST_CRASH_ON");
    if (!want || !*want || !path) return;
    const char *base = strrchr(path, '/'), *at = strchr(want, '@');
    base = base ? base + 1 : path;
    const size_t n = at ? (size_t)(at - want) : strlen(want);
    if (strlen(base) != n || strncmp(base, want, n) != 0 || strcmp(at ? at + 1 : "open", when) != 0) return;
    signal(SIGSEGV, SIG_DFL); /* the death of a real crash, also under a sanitizer's handler */
    raise(SIGSEGV);
}
