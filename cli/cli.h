/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The zslab tool: exit codes, display level, the options of each subcommand (filled by
 * parse.c) and the subcommands (cmd_*.c). The tool uses only the public headers. */
#ifndef ZS_CLI_H
#define ZS_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "zslab.h"

/* Exit codes (a contract: scripts rely on them). INCOMPLETE: `zslab status` of an output
 * that is not finished. INTERRUPTED: a journaled run (--part, --resume, --journal, MPI)
 * stopped by SIGTERM/SIGINT after journaling its finished slabs: run it again with
 * --resume (75 is sysexits' EX_TEMPFAIL: "try again later"). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_INCOMPLETE = 3, CLI_EXIT_INTERRUPTED = 75 };
/** Returned by the parsers when the command should run (any other value is an exit code). */
#define CLI_RUN (-1)

/* Display level: 0 silent, 1 errors only (-q), 2 normal, 3 verbose (-v), 4 debug (-vv). */
extern int cli_level;

/** "zslab: <message>" on stderr, at level >= 1. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** The text of the last cli_error (without "zslab: "; kept at every level); "" after
 *  cli_forget_error(). Borrowed until the next cli_error. */
const char *cli_last_error_text(void);
void cli_forget_error(void);
/** "zslab: <message>" on stderr when the display level is at least `level`. */
void cli_note(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Prints zs_last_error() (or zs_strerror(st) when it is empty) and returns the exit code
 *  for st: 2 for ZS_EPARAM when `usage` is set, else 1. */
int cli_fail(zs_status st, int usage);

/** Options shared by commands that read an input: the description of a raw file. */
typedef struct cli_raw {
    int64_t shape[4];
    int ndim; /* 0: --in-shape not given */
    zs_dtype dtype;
    int has_dtype;
    uint64_t offset;
    int has_offset;
    zs_order order;
    int has_order;
} cli_raw;

typedef struct cli_info_opts {
    const char **files; /* borrowed from argv (array owned by the opts) */
    int nfiles;
    int json;
    int formats; /* --formats: list the formats instead */
    cli_raw raw;
} cli_info_opts;

typedef struct cli_create_opts {
    const char *out;
    int64_t shape[4];
    int ndim;
    zs_dtype dtype;
    int has_dtype;
    zs_pattern pattern;
    uint64_t seed;
    double voxel[3];
    char unit[16];
    int threads; /* 0: the library decides */
    int force;
    zs_compression compress; /* outputs that compress: --compress */
    int64_t chunk[3];        /* chunked outputs: --chunks ZxYxX, here x, y, z (0: the format's default) */
    int pyramid;             /* multiscale outputs: --pyramid N more levels */
} cli_create_opts;

typedef struct cli_filter_opts {
    int convert; /* 1: `zslab convert` (no --op) */
    const char *in, *out;
    const char **ops; /* --op specs, in order (array owned by the opts: cli_filter_opts_free) */
    int nops;
    zs_dtype dtype;
    int has_dtype;
    int threads;         /* 0: the library decides */
    int64_t slab;        /* 0: the planner decides */
    int64_t band;        /* rows per tile band; 0: the planner decides */
    uint64_t mem_budget; /* 0: the planner decides */
    int dry_run;
    int progress; /* -1 automatic (TTY: bar, else a line every ~5 s), 0 none, 1 forced */
    int force;
    int bind;
    zs_engine read_engine, write_engine; /* ZS_ENGINE_AUTO: the library's default */
    zs_precision precision;              /* --precision (ZS_PRECISION_AUTO: the library's default) */
    cli_raw raw;
    int64_t part, nparts; /* --part I/N (0 of 1 when not given) */
    int has_part;
    int resume;              /* --resume: continue OUT's journal, or start one */
    int journal;             /* --journal: keep a journal (a new one) */
    int drop_cache;          /* -1 automatic (on under a cgroup memory limit), 0 off, 1 on */
    zs_compression compress; /* outputs that compress: --compress */
    int64_t chunk[3];        /* chunked outputs: --chunks ZxYxX, here x, y, z (0: the format's default) */
    int pyramid;             /* multiscale outputs: --pyramid N more levels */
    /* filter --batch (batch.h): inputs from a list file, a glob or a directory (--batch) or a
     * list file (--jobs-file); outputs OUT_DIR/<stem>.<out_format, else the input's extension> */
    const char *batch, *jobs_file, *out_dir, *out_format; /* borrowed from argv; NULL when not given */
    int preview;         /* --preview: OUT's three-view beside it, OUT.preview.png (cmd_preview.c) */
    const char *report;  /* --report R.html (batches): a page with every stack's three-views (report.c) */
    const char *dataset; /* --dataset PATH: IN is read as IN:PATH (an HDF5 dataset) */
    char *in_named;      /* that name (owned: cli_filter_opts_free); in points to it */
} cli_filter_opts;

#define CLI_MAX_SWEEP 16
typedef struct cli_bench_opts {
    const char *in;   /* NULL with --smoke: a small phantom made in a temporary directory */
    const char **ops; /* array owned by the opts: cli_bench_opts_free */
    int nops;
    zs_dtype dtype;
    int has_dtype;
    int threads[CLI_MAX_SWEEP], nthreads;
    int64_t slabs[CLI_MAX_SWEEP];
    int nslabs;
    int64_t bands[CLI_MAX_SWEEP];
    int nbands;
    zs_engine engines[CLI_MAX_SWEEP];
    int nengines;
    zs_precision precision; /* --precision */
    int cold, repeat, json, smoke;
    uint64_t mem_budget;
    const char *tmpdir;
    cli_raw raw;
    const char *plot; /* --plot B.svg: the chart (bench/bench_plot.c); NULL: none */
} cli_bench_opts;

typedef struct cli_status_opts {
    const char *out;
    int json;
} cli_status_opts;

typedef struct cli_preview_opts {
    const char *in, *out; /* borrowed from argv */
    zs_preview_opts p;
    int force;
    int has_view, has_axis, has_z;
    cli_raw raw;
} cli_preview_opts;

typedef struct cli_list_opts {
    const char *name; /* NULL: every kernel */
    int names_only;
} cli_list_opts;

/* parse.c: argv (after the subcommand name) into options; help texts. Each returns
 * CLI_RUN or an exit code (0 after --help, 2 for a usage error, message printed). */
int cli_parse_info(int argc, char **argv, cli_info_opts *o);
int cli_parse_create(int argc, char **argv, cli_create_opts *o);
int cli_parse_filter(int argc, char **argv, int convert, cli_filter_opts *o);
void cli_filter_opts_free(cli_filter_opts *o);
int cli_parse_list(int argc, char **argv, cli_list_opts *o);
int cli_parse_bench(int argc, char **argv, cli_bench_opts *o);
void cli_bench_opts_free(cli_bench_opts *o);
int cli_parse_status(int argc, char **argv, cli_status_opts *o);
int cli_parse_preview(int argc, char **argv, cli_preview_opts *o);
void cli_usage_main(FILE *f);

/* formats.c: the formats from the library's registry. */
/** 1 if `name` ends with one of the space-separated suffixes (ASCII case ignored). */
int cli_has_suffix(const char *name, const char *suffixes);
/** 1 if `name` is a volume file by its suffix (what a batch directory lists). */
int cli_volume_file_name(const char *name);
/** The writable format whose suffix is `ext` ("tif" or ".tif"); NULL if none. */
const zs_format_desc *cli_format_of_ext(const char *ext);
/** Every suffix of the registry, ", "-separated, with or without their dots, into buf. */
void cli_suffix_list(char *buf, size_t n, int dots);
/** Prints `text` in lines of at most `width` columns (no final newline). */
void cli_wrap(FILE *f, const char *text, int width);
/** `zslab info --formats`: the registry as a table, or one JSON object per format. */
int cli_print_formats(int json);

/* The subcommands: each returns an exit code. */
int cli_cmd_info(const cli_info_opts *o);
int cli_cmd_create(const cli_create_opts *o);
int cli_cmd_filter(const cli_filter_opts *o);
int cli_cmd_list(const cli_list_opts *o);
int cli_cmd_bench(const cli_bench_opts *o);
int cli_cmd_status(const cli_status_opts *o);
int cli_cmd_preview(const cli_preview_opts *o);
/* cmd_label.c: `zslab label`, parsed and run (argv after the subcommand name). */
int cli_run_label(int argc, char **argv);

/* cmd_preview.c, shared with filter --preview and the batch report. */
/** Long side of the three-views of filter --preview and of the report. */
#define CLI_PREVIEW_SIZE 512
/** The three-view of the volume at `path` (CLI_PREVIEW_SIZE, automatic range, grey) as PNG
 *  bytes (caller frees with free()); mem_budget 0: the library's default. @return CLI_RUN or
 *  an exit code (message printed). */
int cli_preview_png(const char *path, uint64_t mem_budget, int threads, unsigned char **png, size_t *len);
/** Writes OUT.preview.png beside a finished output (filter --preview). @return an exit code. */
int cli_preview_beside(const char *out, uint64_t mem_budget, int threads);

/* cmd_filter.c, shared with filter_journal.c. Each returns CLI_RUN or an exit code. */
struct cli_progress;
int cli_build_pipeline(const cli_filter_opts *o, const zs_volume_info *in, zs_pipeline **out);
/** Adds the --op stages to pipe. */
int cli_add_ops(const cli_filter_opts *o, const zs_volume_info *in, zs_pipeline *pipe);
/** The plan options the flags give. */
void cli_plan_opts(const cli_filter_opts *o, zs_plan_opts *po);
/** Prints a failure of planning (naming --mem-budget when the budget is the problem). @return an exit code. */
int cli_plan_failed(const cli_filter_opts *o, zs_status st);
/** Opens the job of IN -> OUT over the opened input `in` with the flags' plan options, force,
 *  compression, the stop flag and the progress display (jo->user: a cli_progress), and adds the
 *  --op stages. @param jo the caller's job options (dry run, parts, journal, drop cache). */
int cli_job_open(const cli_filter_opts *o, const zs_volume *in, zs_job_opts *jo, zs_job **job);
/** Creates the job's output, runs it while `prog` shows the progress and commits it. On
 *  failure the job is freed (a plain run's partial output removed). @return an exit code. */
int cli_job_run(const cli_filter_opts *o, zs_job *job, struct cli_progress *prog, zs_run_stats *stats);
/** Writes zs_plan_describe's text to f. */
void cli_print_plan(const zs_plan *plan, FILE *f);
/** 1 if finished slabs' pages are dropped: --drop-cache/--no-drop-cache, else ZS_DROP_CACHE,
 *  else on when this process runs under a cgroup memory limit. */
int cli_drop_cache_wanted(const cli_filter_opts *o);
struct cli_progress;

/* filter_journal.c: filter with a journal: --part, --resume, --journal, or under MPI. */
/** 1 if the run keeps a journal (those options, or an MPI launch with more than one rank). */
int cli_filter_journaled_wanted(const cli_filter_opts *o);
int cli_filter_journaled(const cli_filter_opts *o);

/* mpi.c: MPI, when the tool is built with it (ZS_WITH_MPI) and started by a launcher
 * (mpirun, srun): the launcher's environment says so before anything is initialised, so
 * a plain `zslab` never starts MPI. */
typedef struct cli_mpi {
    int active;     /* MPI initialised, more than one rank */
    int rank, size; /* 0 of 1 when not active */
    int local_size; /* ranks on this node */
} cli_mpi;
/** 1 if built with MPI. */
int cli_mpi_built(void);
/** 1 if the environment shows an MPI launch of more than one rank (or ZS_MPI=1). */
int cli_mpi_launched(void);
/** Initialises MPI if launched; m->active says whether it did. @return 0, or -1 (message printed). */
int cli_mpi_start(cli_mpi *m);
/** Collective: the exit code of the job from every rank's code (an error beats an
 *  interruption, which beats success). Without MPI: rc. */
int cli_mpi_agree(const cli_mpi *m, int rc);
/** Collective: rank 0's value. */
int64_t cli_mpi_bcast(const cli_mpi *m, int64_t v);
/** Collective: sums voxels, bytes and threads, takes the longest time (into every rank's *rs). */
void cli_mpi_reduce_stats(const cli_mpi *m, zs_run_stats *rs);
void cli_mpi_barrier(const cli_mpi *m);
/** Ranks sharing a node whose launcher did not bind them: no core binding, and (unless
 *  --threads, ZS_THREADS or OMP_NUM_THREADS say) the node's cores split between them. */
void cli_mpi_share_node(const cli_mpi *m, int *threads, int *bind);
/** Finalises MPI if it was started. */
void cli_mpi_end(cli_mpi *m);

/** Opens an input volume (mode r) with the raw options; a file that is neither .npy nor
 *  .nii needs --in-shape and --in-dtype (else exit 2). @return CLI_RUN or an exit code. */
int cli_open_input(const char *path, const cli_raw *raw, zs_volume **out);
/** "1024x1024x256" (3-D) or "...x4" (a series) into buf. */
void cli_shape_string(const zs_volume_info *info, char *buf, size_t n);

/* interrupt.c: SIGINT/SIGTERM. The first signal sets cli_stop (a running plan stops at the
 * next slab); a second one, or any signal when nothing polls cli_stop, removes `partial`
 * (the output being written; NULL with a journal: it stays for --resume) and ends the
 * process. */
extern volatile int cli_stop;
void cli_interrupt_install(const char *partial, int cooperative);
void cli_interrupt_clear(void);

/* isolate.c: work in a child process, so that a crash (a third-party decoder's) costs that work
 * only. The child runs fn(arg, fd), writes its result to fd and ends with fn's return value as
 * its exit code; a stop (cli_stop) in the parent is passed on to it once as SIGINT. */
typedef int (*cli_isolated_fn)(void *arg, int fd);
typedef struct cli_isolated_result {
    char *data; /**< what the child wrote, NUL-terminated (owner: the result; cli_isolated_free) */
    size_t len, cap;
    int signal;    /**< the signal that killed the child; 0 when it exited */
    int exit_code; /**< its exit code when it exited */
} cli_isolated_result;
/** @return CLI_RUN when the child ran (r says how it ended), or CLI_EXIT_ERROR (message printed)
 *  when no child could be started. */
int cli_isolated(cli_isolated_fn fn, void *arg, cli_isolated_result *r);
void cli_isolated_free(cli_isolated_result *r);
/** write() of all n bytes; -1 on an error. */
int cli_write_all(int fd, const void *buf, size_t n);

#endif /* ZS_CLI_H */
