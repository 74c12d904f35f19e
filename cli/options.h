/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The option table of the command line (options.c): every flag once, with its value, the
 * field it sets (or its handler), its bounds, its help and the commands that take it. The
 * parser, COMMAND --help and COMMAND --list-options (the manual page and the completion)
 * all come from it. Private to the tool. */
#ifndef ZS_CLI_OPTIONS_H
#define ZS_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

typedef struct cli_flag cli_flag;
/** Sets the flag's field from val (NULL for a flag without a value). @return CLI_RUN, or an
 *  exit code: CLI_EXIT_USAGE with the message printed, CLI_EXIT_OK after --help. */
typedef int (*cli_set_fn)(const cli_flag *f, const char *val, cli_opts *o);

struct cli_flag {
    const char *name;  /**< long name without the dashes */
    char letter;       /**< short form, or 0 */
    const char *value; /**< the value's name in the help ("N"); NULL: the flag takes no value */
    cli_set_fn set;    /**< one of the cli_set_* kinds below, or a handler of its own */
    size_t at;         /**< offsetof(cli_opts, field) the kind writes; 0: none */
    size_t size;       /**< sizeof that field */
    size_t seen;       /**< offsetof(cli_opts, int field) set to 1 when the flag is given, before
                            `set` runs (cli_set_shape writes the number of extents there); 0: none */
    int64_t min, max;  /**< bounds of an integer (cli_set_const: min is the value stored) */
    int suffixes;      /**< integers: K, M, G, T accepted */
    const char *cmds;  /**< the commands that take it, space-separated; "*": every command */
    const char *help;  /**< its help: lines separated by \n (continuations are indented) */
    const char *param; /**< the library's name of what it sets, as errors name it (zs_error_detail.params) */
};

/** The table, in the order of COMMAND --list-options; ends with a zeroed row. */
extern const cli_flag cli_flags[];
/** 1 if the command `cmd` takes the flag. */
int cli_flag_taken(const cli_flag *f, const char *cmd);
/** The flag `name` of command `cmd`; NULL if it takes none of that name. */
const cli_flag *cli_flag_find(const char *cmd, const char *name, size_t len);
/** The first flag that sets the library's parameter `param` (len bytes); NULL if none does. */
const cli_flag *cli_flag_of_param(const char *param, size_t len);
/** Returned by cli_set_help: the parser prints the command's help and ends with CLI_EXIT_OK. */
#define CLI_SHOW_HELP (-2)

/* The kinds of value (option_values.c). at: the field; size by the field (int or int64_t). */
int cli_set_const(const cli_flag *f, const char *val, cli_opts *o);  /* stores min into an int */
int cli_set_int(const cli_flag *f, const char *val, cli_opts *o);    /* int or int64_t in [min, max] */
int cli_set_size(const cli_flag *f, const char *val, cli_opts *o);   /* uint64_t bytes: 512M, 1.5G */
int cli_set_u64(const cli_flag *f, const char *val, cli_opts *o);    /* uint64_t, decimal or 0x */
int cli_set_string(const cli_flag *f, const char *val, cli_opts *o); /* const char *; min 1: not empty */
int cli_set_append(const cli_flag *f, const char *val, cli_opts *o); /* --op: appended to o->ops */
int cli_set_dtype(const cli_flag *f, const char *val, cli_opts *o);  /* zs_dtype */
int cli_set_order(const cli_flag *f, const char *val, cli_opts *o);  /* zs_order */
int cli_set_shape(const cli_flag *f, const char *val, cli_opts *o);  /* int64_t[4]; its ndim follows it */
int cli_set_chunks(const cli_flag *f, const char *val, cli_opts *o); /* int64_t[3], given z first */
int cli_set_engine(const cli_flag *f, const char *val, cli_opts *o); /* zs_engine */
int cli_set_precision(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_compress(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_sweep(const cli_flag *f, const char *val, cli_opts *o); /* cli_sweep "1,2,4" in [min, max] */
/* Handlers of one flag each. */
int cli_set_help(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_quiet(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_verbose(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_engines(const cli_flag *f, const char *val, cli_opts *o); /* --engine E: read and write */
int cli_set_engine_list(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_part(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_out_format(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_pattern(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_voxel(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_unit(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_view(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_axis(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_range(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_cmap(const cli_flag *f, const char *val, cli_opts *o);
int cli_set_threshold(const cli_flag *f, const char *val, cli_opts *o);    /* label --threshold T: a number */
int cli_set_connectivity(const cli_flag *f, const char *val, cli_opts *o); /* label --connectivity 6|18|26 */
int cli_set_resample_target(const cli_flag *f, const char *val,
                            cli_opts *o); /* resample --voxel-size, --shape, --factor */
int cli_set_resample_method(const cli_flag *f, const char *val, cli_opts *o); /* resample --method M */
int cli_set_plugin(const cli_flag *f, const char *val, cli_opts *o);          /* --plugin FILE: zs_plugin_load now */

#endif /* ZS_CLI_OPTIONS_H */
