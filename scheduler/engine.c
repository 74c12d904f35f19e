/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The engine registry: one table of the I/O engines, their names, and how a run opens one on a
 * volume (with the fallback to pread where an engine cannot serve it). See engine_internal.h. */
#include "engine_internal.h"

#include <stdio.h>
#include <string.h>

/* Every engine, in the order --engine lists them. Adding one: its file, its row here, its
 * constant in zs_engine. */
static const zs_engine_ops *const engines[] = {&zs__engine_mmap, &zs__engine_pread, &zs__engine_direct,
                                               &zs__engine_uring};
enum { NENGINES = sizeof engines / sizeof engines[0] };

const zs_engine_ops *zs__engine_get(zs_engine id)
{
    for (int i = 0; i < NENGINES; i++)
        if (engines[i]->id == id) return engines[i];
    return NULL;
}

zs_status zs_engine_parse(const char *s, zs_engine *out)
{
    char names[128] = "auto";
    if (strcmp(s, "auto") == 0) {
        *out = ZS_ENGINE_AUTO;
        return ZS_OK;
    }
    for (int i = 0; i < NENGINES; i++) {
        if (strcmp(s, engines[i]->name) == 0 || (engines[i]->alias && strcmp(s, engines[i]->alias) == 0)) {
            *out = engines[i]->id;
            return ZS_OK;
        }
        const size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", i + 1 < NENGINES ? ", " : " or ", engines[i]->name);
    }
    return ZS_ERR(ZS_EINVAL, "unknown engine '%s' (use %s)", s, names);
}

const char *zs_engine_name(zs_engine e)
{
    const zs_engine_ops *o = zs__engine_get(e);
    return o ? o->name : "auto";
}

size_t zs__engine_load_bytes(const zs_plan *p)
{
    const int n = p->nstages;
    return (size_t)p->batch[n] * (size_t)p->load_rows * (size_t)p->in.shape[0] * zs_dtype_size(p->in.dtype);
}

size_t zs__engine_band_bytes(const zs_plan *p)
{
    return (size_t)p->band * (size_t)p->in.shape[0] * zs_dtype_size(p->out.dtype);
}

zs_status zs__engine_guarded(const zs_volume *v, const char *what, void (*fn)(void *), void *arg)
{
    return zs__call_guarded(fn, arg) ? zs__fault_error(v, what) : ZS_OK; /* the file shrank under us */
}

/* An engine that cannot serve the volume: the one its open() named instead (else pread), and the
 * note says why, unless the planner guessed the engine and the volume is of a kind it never takes. */
static void fall_back(zs_engine_side *s, int guessed, char *note, size_t note_size)
{
    const int quiet = guessed && s->ops->possible && !s->ops->possible(s->v);
    s->ops = s->next ? s->next : &zs__engine_pread;
    s->next = NULL;
    s->reported = s->ops->id;
    if (!quiet) {
        const size_t used = strlen(note);
        snprintf(note + used, note_size - used, "%s%s: %s with %s instead", used ? "; " : "", zs_last_error(),
                 s->write ? "writing" : "reading", s->ops == &zs__engine_pread ? "pread/pwrite" : s->ops->name);
    }
    zs_clear_error();
}

zs_status zs__engine_open(zs_engine id, const zs_volume *in, zs_volume *out, int guessed, zs_engine_side *s, char *note,
                          size_t note_size)
{
    const zs_volume *v = out ? out : in;
    memset(s, 0, sizeof *s);
    s->v = v;
    s->out = out;
    s->write = out != NULL;
    s->reported = id;
    s->ops = zs__engine_get(id);
    ZS_RETURN_IF(!s->ops, ZS_EINVAL, "%s: no engine %d", zs_volume_get_info(v)->path, (int)id);
    zs_status st;
    while (s->ops->open && (st = s->ops->open(s)) != ZS_OK) { /* pread, the last resort, has no open() */
        if (st != ZS_EUNSUPPORTED) return st;
        fall_back(s, guessed, note, note_size);
    }
    /* The volume's own paths, whatever the engine: a caller's buffer is viewed where it lies (no
     * copy, no system call); a volume that does not map (gathered, decoded) is read and written
     * through its format. */
    if (zs__volume_is_buffer(v))
        s->ops = &zs__engine_mmap;
    else if (s->ops->maps && !zs__volume_maps(v))
        s->ops = &zs__engine_pread;
    return ZS_OK;
}

void zs__engine_close(zs_engine_side *s)
{
    if (s->ops && s->ops->close) s->ops->close(s);
    s->shared = NULL;
}

zs_status zs__engine_start(const zs_engine_side *s, const zs_plan *p, void **stream)
{
    *stream = NULL;
    return s->ops ? s->ops->start(s, p, stream) : ZS_OK;
}

void zs__engine_stop(const zs_engine_side *s, void **stream)
{
    if (*stream) s->ops->stop(*stream);
    *stream = NULL;
}
