/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Command-line scanning and value parsers. Every parser names the option and the text it
 * could not read, prints that to stderr and returns -1 (the caller exits with 2). */
#ifndef ZS_CLI_ARGS_H
#define ZS_CLI_ARGS_H

#include <stdint.h>

#include "zslab.h"

/** One option a subcommand accepts: "--name" (and "-c" when letter is not 0). */
typedef struct cli_optdef {
    const char *name; /**< long name without the dashes */
    char letter;      /**< short form, or 0 */
    int takes_value;  /**< 1: "--name VALUE" or "--name=VALUE" */
    int id;           /**< returned by cli_scan_next */
} cli_optdef;

enum {
    CLI_SCAN_END = -1,        /**< no more arguments */
    CLI_SCAN_POSITIONAL = -2, /**< a positional argument, in *value */
    CLI_SCAN_BAD = -3         /**< unknown option or missing value (message printed) */
};

/** Walks argv[first..argc) of one subcommand. Options and positionals may be mixed;
 *  "--" ends the options. */
typedef struct cli_scan {
    int argc;
    char **argv;
    int i;                  /* next argv index */
    const cli_optdef *defs; /* terminated by a zeroed entry */
    const char *cmd;        /* subcommand, for messages */
    const char *bundle;     /* rest of a "-qv" bundle being read */
    int only_positional;    /* after "--" */
    char opt[64];           /* the option being read, as written ("--threads"), for messages */
} cli_scan;

void cli_scan_init(cli_scan *s, int argc, char **argv, int first, const char *cmd, const cli_optdef *defs);
/** @return the id of the next option (its value, if any, in *value), or a CLI_SCAN_* code. */
int cli_scan_next(cli_scan *s, const char **value);

/** An integer in [min, max]; K/M/G/T (binary) suffixes when `suffixes`. */
int cli_parse_int(const char *opt, const char *text, int64_t min, int64_t max, int suffixes, int64_t *out);
/** An unsigned 64-bit integer (a seed): decimal or 0x hex, no suffix. */
int cli_parse_u64(const char *opt, const char *text, uint64_t *out);
/** A byte count: "4096", "512M", "1.5G", "2GiB", "64k" (binary multiples); overflow checked. */
int cli_parse_size(const char *opt, const char *text, uint64_t *out);
/** A shape "AxBxC" (1 to 4 extents, each >= 1, K/M suffixes allowed). */
int cli_parse_shape(const char *opt, const char *text, int64_t shape[4], int *ndim);
/** --chunks ZxYxX (z first, as zarr and h5py print chunk shapes) into chunk[] along x, y, z;
 *  every extent >= 1. 0 or -1 with a message. */
int cli_parse_chunks(const char *opt, const char *text, int64_t chunk[3]);
/** A numpy dtype name ("uint16", "<f4", ">u2", "float32"). */
int cli_parse_dtype(const char *opt, const char *text, zs_dtype *out);
/** "F" or "C" (any case). */
int cli_parse_order(const char *opt, const char *text, zs_order *out);
/** A voxel size: "2" (isotropic) or "1x1x4", optionally followed by a unit ("1x1x4um").
 *  unit receives the unit ("" when none); capacity 16. */
int cli_parse_voxel(const char *opt, const char *text, double voxel[3], char unit[16]);

#endif /* ZS_CLI_ARGS_H */
