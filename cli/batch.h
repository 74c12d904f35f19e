/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab filter --batch`: the stacks of a batch, where they come from (batch_inputs.c) and
 * where their outputs go. Private to the tool. */
#ifndef ZS_CLI_BATCH_H
#define ZS_CLI_BATCH_H

#include <stdint.h>

#include "cli.h"

/** Where a stack stands. TODO: checked, to run; NOT_RUN: the batch was stopped first. */
typedef enum batch_status { BATCH_TODO = 0, BATCH_OK, BATCH_SKIPPED, BATCH_FAILED, BATCH_NOT_RUN } batch_status;

/** One stack. Every string is owned by the stack (batch_list_free). */
typedef struct batch_stack {
    char *in;        /**< the input as listed, globbed or found in the directory */
    char *out;       /**< D/<stem>.<ext>; D/<stem>/ (a plane series) for a series input without --out-format */
    char *record;    /**< D/.zslab-batch/<output name>.done: what the output was made from */
    uint64_t voxels; /**< of the input (all volumes of a series), once it was opened */
    batch_status status;
    double seconds; /**< wall time of the run (open to commit) */
    char *message;  /**< why it failed; NULL otherwise */
    /* for the report (--report), once the input was opened */
    char *pipeline;  /**< zs_pipeline_describe of the stack's pipeline (units resolved) */
    double voxel[3]; /**< the input's voxel size and unit */
    char unit[16];
    char shape[96], dtype[24]; /**< the input's shape ("AxBxC") and dtype name */
} batch_stack;

typedef struct batch_list {
    batch_stack *s;
    int n, cap;
} batch_list;

/** Name of the directory below --out-dir that holds the records. */
#define BATCH_RECORD_DIR ".zslab-batch"

/** Fills the list from --jobs-file or --batch (a list file, a quoted glob or a directory),
 *  names every output and refuses two inputs with one output name. @return CLI_RUN or an
 *  exit code (message printed): 2 for usage (an empty list, a clash), 1 for a list file that
 *  cannot be read, a glob that matches nothing, a directory without volumes. */
int batch_list_make(const cli_opts *o, batch_list *l);
void batch_list_free(batch_list *l);
/** strcmp, except that runs of digits compare as numbers: img_2 < img_10. */
int batch_natural_cmp(const char *a, const char *b);

/** "ok", "skipped", "FAILED", "to do", "not run". */
const char *batch_status_name(batch_status st);

/** cmd_batch.c: the batch: check every stack, run those not complete, print the table. @return an exit code. */
int cli_cmd_batch(const cli_opts *o);

/** report.c: writes o->report, one HTML page with every stack of the batch (images inline as
 *  data: URIs). @return an exit code (message printed). */
int batch_report_write(const cli_opts *o, const batch_list *l, double seconds);

#endif /* ZS_CLI_BATCH_H */
