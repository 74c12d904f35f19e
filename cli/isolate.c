/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Work in a process of its own, so that a crash costs that work only: a batch checks, runs and
 * previews each stack in a child (a corrupt Imaris file makes Debian's libhdf5 crash with
 * SIGSEGV while it decodes attributes; the batch reports that stack and goes on with the others).
 *
 * The child sends its result through a pipe and ends with _exit (the parent's atexit handlers and
 * stdio buffers stay the parent's: both are flushed before the fork). It runs in a process group
 * of its own, so that a terminal's Ctrl-C reaches the parent alone, which passes it on once: the
 * child then stops as a single run does (its partial output removed), and reports back. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

int cli_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        const ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* The child's side: fn's result through fd, its exit code as the process's. */
static void child(cli_isolated_fn fn, void *arg, int fd)
{
    setpgid(0, 0);
    const int rc = fn(arg, fd);
    fflush(stdout);
    fflush(stderr);
    close(fd);
    _exit(rc & 0x7f);
}

/* Appends what the child wrote; 0 at its end (EOF), 1 to go on, -1 on an error. */
static int take(int fd, cli_isolated_result *r)
{
    if (r->len + 65536 > r->cap) {
        const size_t cap = r->cap ? 2 * r->cap : 65536 * 2;
        char *b = realloc(r->data, cap);
        if (!b) return -1;
        r->data = b, r->cap = cap;
    }
    const ssize_t got = read(fd, r->data + r->len, r->cap - r->len - 1);
    if (got < 0) return errno == EINTR || errno == EAGAIN ? 1 : -1;
    r->len += (size_t)got;
    r->data[r->len] = '\0';
    return got > 0;
}

/* Reads until the child closes the pipe and reaps it; a stop (cli_stop) is passed on once. */
static void collect(pid_t pid, int fd, cli_isolated_result *r)
{
    int passed = 0, more = 1, status = 0;
    while (more > 0) {
        if (cli_stop && !passed) passed = kill(pid, SIGINT) == 0;
        struct pollfd p = {fd, POLLIN, 0};
        const int ready = poll(&p, 1, 100); /* wakes to pass a signal on that arrived before poll */
        if (ready > 0) more = take(fd, r);
        if (ready < 0 && errno != EINTR) more = -1;
    }
    close(fd);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            r->exit_code = CLI_EXIT_ERROR;
            return;
        } else if (cli_stop && !passed) {
            passed = kill(pid, SIGINT) == 0;
        }
    if (WIFSIGNALED(status))
        r->signal = WTERMSIG(status);
    else
        r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : CLI_EXIT_ERROR;
}

int cli_isolated(cli_isolated_fn fn, void *arg, cli_isolated_result *r)
{
    memset(r, 0, sizeof *r);
    int p[2];
    if (pipe(p) != 0) {
        cli_error("cannot create a pipe for a stack's process: %s", strerror(errno));
        return CLI_EXIT_ERROR;
    }
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) {
        const int e = errno;
        close(p[0]);
        close(p[1]);
        cli_error("cannot start a process for a stack: %s", strerror(e));
        return CLI_EXIT_ERROR;
    }
    if (pid == 0) {
        close(p[0]);
        child(fn, arg, p[1]);
    }
    setpgid(pid, pid); /* also here: whichever runs first */
    close(p[1]);
    collect(pid, p[0], r);
    return CLI_RUN;
}

void cli_isolated_free(cli_isolated_result *r)
{
    free(r->data);
    memset(r, 0, sizeof *r);
}
