/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Shared by the journal's logic (journal.c) and its files (journal_files.c): the header's keys and
 * the calls between the two. */
#ifndef ZS_JOURNAL_INTERNAL_H
#define ZS_JOURNAL_INTERNAL_H

#include "scheduler_internal.h"

#include <stdio.h>

/* ---- the header: keys in file order; all but `created` and `output` must match ------- */
enum {
    K_MAGIC,
    K_VERSION,
    K_INPUT,
    K_INPUT_SIZE,
    K_INPUT_MTIME,
    K_INPUT_FORMAT,
    K_INPUT_SHAPE,
    K_INPUT_DTYPE,
    K_INPUT_ORDER,
    K_INPUT_OFFSET,
    K_INPUT_SCALING,
    K_INPUT_FILES,
    K_PIPELINE,
    K_OUTPUT_DTYPE,
    K_OUTPUT_SHAPE,
    K_SLAB_HEIGHT,
    K_SLAB_COUNT,
    K_REDUCTION,
    K_OUTPUT,
    K_CREATED,
    K_COUNT
};
#define VAL_MAX 4608

typedef struct jheader {
    char val[K_COUNT][VAL_MAX];
} jheader;

/** A file in the journal's directory, created or truncated for writing; never through a link. */
FILE *zs__journal_text_create(const char *path);
/** "AxBxCxD", as the header writes a shape. */
void zs__journal_shape_text(const int64_t s[4], char *buf, size_t n);
/** Reads a header file (path: OUT.zsjournal/header) into h. */
zs_status zs__jheader_parse(const char *path, jheader *h);
/** The slab height and count of a header read from the journal dir. */
zs_status zs__jheader_info(const char *dir, const jheader *h, zs_jinfo *info);
/** The header of this run: everything that decides the output's bytes and layout (out may be NULL). */
zs_status zs__jheader_fingerprint(const char *out, const zs_plan *p, jheader *h);
/** ZS_OK when the compared fields agree, else ZS_EEXIST naming every one that differs. */
zs_status zs__jheader_compare(const jheader *theirs, const jheader *mine, const char *out, const char *partial,
                              const char *dir);
/** Publishes h as dir/header: temporary name, fsync, rename, fsync of dir. */
zs_status zs__jheader_write(const char *dir, const jheader *h);
/** Appends slab i's record line to a part's file (fd, O_APPEND) in one write. */
zs_status zs__journal_append(int fd, const char *dir, int64_t i, int64_t t, int64_t z0, int64_t z1);

#endif
