/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Parallel slabs: the one OpenMP region of the work that is not a plan's (pattern fill, previews).
 * Items are claimed one at a time (schedule(dynamic, 1)); each worker is bound to its core when the
 * caller asks for the executor's binding; the first error is kept with its message, and the items
 * not yet started are skipped (a worker never leaves an item mid-way, nor the region early). */
#include "zs_internal.h"

#include <omp.h>
#include <string.h>

int zs__slab_loop_workers(const zs_slab_loop *l)
{
    const int64_t n = l->threads > 0 ? l->threads : zs_sys_threads();
    return (int)(n < l->n ? n : l->n > 0 ? l->n : 1);
}

typedef struct loop_state {
    zs_status status; /* the first error (guarded by the critical section) */
    char msg[1024];   /* its message (a thread's last error holds as much) */
    int cancel;       /* atomic: set with the first error */
} loop_state;

static void record(loop_state *s, zs_status st)
{
#pragma omp critical(zs_slab_loop_error)
    {
        if (s->status == ZS_OK) {
            s->status = st;
            zs__error_copy(s->msg, sizeof s->msg);
        }
    }
#pragma omp atomic write
    s->cancel = 1;
}

static int cancelled(loop_state *s)
{
    int c;
#pragma omp atomic read
    c = s->cancel;
    return c;
}

zs_status zs__slab_loop_run(const zs_slab_loop *l)
{
    if (l->threads <= 0) ZS_FORWARD(zs__check_env_threads());
    loop_state s;
    memset(&s, 0, sizeof s);
    const int workers = zs__slab_loop_workers(l);
#pragma omp parallel num_threads(workers)
    {
        const int w = omp_get_thread_num();
        if (l->bind) zs__topology_bind_thread(w);
#pragma omp for schedule(dynamic, 1)
        for (int64_t i = 0; i < l->n; i++) {
            if (cancelled(&s)) continue;
            const zs_status st = l->run(l->arg, i, w);
            if (st < 0) record(&s, st);
        }
    }
    if (s.status < 0) zs__error_set(s.msg);
    return s.status;
}
