/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The zslab tool: exit codes, messages, the options of the command line (filled by parse.c
 * from the option table, options.c) and the commands (a table in commands.c, each command in
 * its cmd_*.c). The tool uses only the public headers. Files call down only: main.c →
 * commands.c → the cmd_*.c files and parse.c; cmd_*.c → the parts they share (filter_job.c,
 * cmd_info.c, ...); parse.c → options.c → option_values.c → args.c, formats.c; all →
 * message.c, which calls nothing of cli/. */
#ifndef ZS_CLI_H
#define ZS_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "zslab.h"
#include "zslab_resample.h"

/* Exit codes (a contract: scripts rely on them). INCOMPLETE: `zslab status` of an output
 * that is not finished. INTERRUPTED: a journaled run (--part, --resume, --journal, MPI)
 * stopped by SIGTERM/SIGINT after journaling its finished slabs: run it again with
 * --resume (75 is sysexits' EX_TEMPFAIL: "try again later"). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_INCOMPLETE = 3, CLI_EXIT_INTERRUPTED = 75 };
/** Returned by the parsers when the command should run (any other value is an exit code). */
#define CLI_RUN (-1)

/* message.c: messages on stderr and the exit code of a failure (the bottom of the tool: it
 * calls nothing else of cli/). Display level: 0 silent, 1 errors only (-q), 2 normal,
 * 3 verbose (-v), 4 debug (-vv). */
extern int cli_level;

/** "zslab: <message>" on stderr, at level >= 1. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** The text of the last cli_error (without "zslab: "; kept at every level); "" after
 *  cli_forget_error(). Borrowed until the next cli_error. */
const char *cli_last_error_text(void);
void cli_forget_error(void);
/** "zslab: <message>" on stderr when the display level is at least `level`. */
void cli_note(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Prints zs_last_error() (or zs_strerror(st) when it is empty), its advice in the tool's words
 *  (the flags that set the parameters its detail names: hints.c), and returns the exit code
 *  for st: 2 for ZS_EPARAM when `usage` is set, else 1. */
int cli_fail(zs_status st, int usage);
/** "zslab: CMD: WHAT (see zslab CMD --help)". @return CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *what);

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

#define CLI_MAX_SWEEP 16
/** A list of integers (bench's --threads, --slab, --band). */
typedef struct cli_sweep {
    int64_t v[CLI_MAX_SWEEP];
    int n; /* 0: not given */
} cli_sweep;

typedef struct cli_command cli_command;

/** The options of the command line, filled by cli_parse from the option table (options.c):
 *  one field per flag meaning, whichever command takes it; a command reads the fields of
 *  the flags it accepts. Strings are borrowed from argv; arrays are owned (cli_opts_free). */
typedef struct cli_opts {
    const cli_command *command; /* the command parsed (first: no flag sets offset 0) */
    const char **args;          /* the positional arguments, in order */
    int nargs;
    const char *in, *out; /* IN and OUT of the command (from args; filter --dataset: in_named) */
    const char *name;     /* list NAME; NULL: every kernel */
    /* shared by several commands */
    cli_raw raw;    /* --in-shape, --in-dtype, --in-offset, --in-order */
    zs_dtype dtype; /* create: the volume's; filter, convert, bench: the output's */
    int has_dtype;
    int threads;         /* 0: the library decides */
    uint64_t mem_budget; /* 0: the library decides */
    int force;
    int json;
    const char **ops; /* --op specs, in order */
    int nops;
    zs_precision precision;  /* --precision (ZS_PRECISION_AUTO: the library's default) */
    zs_compression compress; /* outputs that compress: --compress */
    int64_t chunk[3];        /* chunked outputs: --chunks ZxYxX, here x, y, z (0: the format's default) */
    int pyramid;             /* multiscale outputs: --pyramid N more levels */
    /* info, list */
    int formats;    /* info --formats: list the formats instead */
    int names_only; /* list --names */
    /* create */
    int64_t shape[4];
    int ndim;
    zs_pattern pattern;
    uint64_t seed;
    double voxel[3];
    char unit[16];
    /* filter and convert */
    int convert;  /* 1: `zslab convert` (no --op) */
    int64_t slab; /* 0: the planner decides */
    int64_t band; /* rows per tile band; 0: the planner decides */
    int dry_run;
    int progress; /* -1 automatic (TTY: bar, else a line every ~5 s), 0 none, 1 forced */
    int bind;
    zs_engine read_engine, write_engine; /* ZS_ENGINE_AUTO: the library's default */
    int64_t part, nparts;                /* --part I/N (0 of 1 when not given) */
    int has_part;
    int resume;     /* --resume: continue OUT's journal, or start one */
    int journal;    /* --journal: keep a journal (a new one) */
    int drop_cache; /* -1 automatic (on under a cgroup memory limit), 0 off, 1 on */
    /* filter --batch (batch.h): inputs from a list file, a glob or a directory (--batch) or a
     * list file (--jobs-file); outputs OUT_DIR/<stem>.<out_format, else the input's extension> */
    const char *batch, *jobs_file, *out_dir, *out_format; /* NULL when not given */
    int preview;         /* --preview: OUT's three-view beside it, OUT.preview.png (cmd_preview.c) */
    const char *report;  /* --report R.html (batches): a page with every stack's three-views (report.c) */
    const char *dataset; /* --dataset PATH: IN is read as IN:PATH (an HDF5 dataset) */
    char *in_named;      /* that name (owned); in points to it */
    /* bench */
    cli_sweep sweep_threads, sweep_slabs, sweep_bands;
    zs_engine engines[CLI_MAX_SWEEP];
    int nengines;
    int cold, repeat, smoke;
    const char *tmpdir;
    const char *plot; /* --plot B.svg: the chart (bench/bench_plot.c); NULL: none */
    /* label (its --op, --threads, --slab ... are the fields above) */
    double threshold; /* --threshold T: foreground is value > T */
    int has_threshold;
    int connectivity;              /* --connectivity 6|18|26 (0: the library's default, 6) */
    const char *table, *intensity; /* --table P, --intensity IN2 (NULL when not given) */
    int64_t min_size, max_size;    /* --min-size, --max-size (0: no bound) */
    /* detect (its --intensity, --min-size, --max-size are label's) */
    const char *maxima, *min_intensity; /* --maxima size=S[:threshold=T], --min-intensity V (NULL: not given) */
    /* resample (its --op, --threads, --slab ... are the fields above) */
    zs_resample_opts rs; /* method and target; rs_targets counts --voxel-size, --shape, --factor */
    int rs_targets;
    const char *like, *density; /* a cell table's volume (--like IN2) and --density D (NULL: none) */
    /* preview (its --threads and --mem-budget are the fields above) */
    zs_preview_opts p;
    int has_view, has_axis, has_z;
    const char *cells; /* --cells CELLS.csv: the cells marked on the preview (NULL: none) */
} cli_opts;

/** A command: one row of the command table (commands.c), defined in its cmd_*.c file. */
struct cli_command {
    const char *name;
    /** Its lines in zslab --help: {arguments, what it does}; a second line when it has two forms. */
    const char *summary[2][2];
    /** COMMAND --help: text in which {FLAG} stands for the flag's line(s) of the option table,
     *  {FLAG:text} for the flag with a help text of this command's own, and {@common}, {@raw},
     *  {@formats}, {@kernels} for the blocks parse.c writes. */
    const char *help;
    int max_args;                  /**< positional arguments it takes; -1: any number */
    int (*check)(cli_opts *o);     /**< after parsing (NULL: none): CLI_RUN or an exit code (message printed) */
    int (*run)(const cli_opts *o); /**< the command: an exit code */
};

/* commands.c: the command table (dispatch, zslab --help, the unknown-command message). */
/** The command called `name`; NULL if none. */
const cli_command *cli_command_find(const char *name);
/** "unknown command 'NAME' (commands: ...)". @return CLI_EXIT_USAGE. */
int cli_command_unknown(const char *name);
/** zslab --help: the commands, the environment, the exit codes. */
void cli_usage_main(FILE *f);
/** Parses argv (after the command's name) and runs the command. @return an exit code. */
int cli_command_main(const cli_command *c, int argc, char **argv);
extern const cli_command cli_command_info, cli_command_create, cli_command_filter, cli_command_convert,
    cli_command_list, cli_command_bench, cli_command_status, cli_command_preview, cli_command_label, cli_command_detect,
    cli_command_resample;

/* parse.c: argv (after the command's name) into options, and the help texts. */
/** @return CLI_RUN, or an exit code (0 after --help, 2 for a usage error, message printed).
 *  Free o with cli_opts_free either way. */
int cli_parse(const cli_command *c, int argc, char **argv, cli_opts *o);
void cli_opts_free(cli_opts *o);
/** COMMAND --help. */
void cli_help(const cli_command *c, FILE *f);

/* formats.c: the formats from the library's registry. */
/** 1 if `name` ends with one of the space-separated suffixes (ASCII case ignored). */
int cli_has_suffix(const char *name, const char *suffixes);
/** 1 if `name` is a volume file by its suffix (what a batch directory lists). */
int cli_volume_file_name(const char *name);
/** The writable format whose suffix is `ext` ("tif" or ".tif"); NULL if none. */
const zs_format_desc *cli_format_of_ext(const char *ext);
/** Every suffix of the registry, ", "-separated, with or without their dots, into buf. */
void cli_suffix_list(char *buf, size_t n, int dots);
/** Prints `text` in lines of at most `width` columns (no final newline), the first from column
 *  `indent` on (the caller wrote what precedes it), the others indented by `indent` spaces. */
void cli_wrap(FILE *f, const char *text, int width, int indent);
/** `zslab info --formats`: the registry as a table, or one JSON object per format. */
int cli_print_formats(int json);

/* cmd_preview.c, shared with filter --preview and the batch report. */
/** Long side of the three-views of filter --preview and of the report. */
#define CLI_PREVIEW_SIZE 512
/** The three-view of the volume at `path` (CLI_PREVIEW_SIZE, automatic range, grey) as PNG
 *  bytes (caller frees with free()); mem_budget 0: the library's default. @return CLI_RUN or
 *  an exit code (message printed). */
int cli_preview_png(const char *path, uint64_t mem_budget, int threads, unsigned char **png, size_t *len);
/** Writes OUT.preview.png beside a finished output (filter --preview). @return an exit code. */
int cli_preview_beside(const char *out, uint64_t mem_budget, int threads);

/* cmd_label.c, shared with cmd_detect.c: --part, --resume, --journal of a reduction's run take
 * part in OUT's journal (create it or join it; *j NULL without them). A run that starts afresh (no
 * journal flags, or --journal) over a journal of OUT is refused, or with --force starts over, as
 * filter's; `what` names the run ("labelling") in the refusal. @return CLI_RUN or an exit code. */
int cli_reduction_begin_journal(const cli_opts *o, const char *what, zs_journal **j);
/** 1 when OUT exists and the run may not write it: no --force, and not a part or resumed run of
 *  the job whose journal is there (cmd_label.c). */
int cli_reduction_out_taken(const cli_opts *o);
/** A reduction's pipeline (the --op stages; caller frees with zs_pipeline_free) and plan options
 *  (the flags', no output dtype, the input `in`). @return CLI_RUN or an exit code (*pipe NULL). */
int cli_reduction_pipeline(const cli_opts *o, const zs_volume *in, zs_pipeline **pipe, zs_plan_opts *po);

/* cmd_filter.c, shared with filter_journal.c. Each returns CLI_RUN or an exit code. */
struct cli_progress;
int cli_build_pipeline(const cli_opts *o, const zs_volume_info *in, zs_pipeline **out);
/** Adds the --op stages to pipe. */
int cli_add_ops(const cli_opts *o, const zs_volume_info *in, zs_pipeline *pipe);
/** The plan options the flags give. */
void cli_plan_opts(const cli_opts *o, zs_plan_opts *po);
/** Prints a failure of planning: a budget too small is followed by the flags that set it
 *  ("(--mem-budget, --band)", hints.c). @return an exit code. */
int cli_plan_failed(zs_status st);
/** Opens the job of IN -> OUT over the opened input `in` with the flags' plan options, force,
 *  compression, the stop flag and the progress display (jo->user: a cli_progress), and adds the
 *  --op stages. @param jo the caller's job options (dry run, parts, journal, drop cache). */
int cli_job_open(const cli_opts *o, const zs_volume *in, zs_job_opts *jo, zs_job **job);
/** Creates the job's output, runs it while `prog` shows the progress and commits it. On
 *  failure the job is freed (a plain run's partial output removed). @return an exit code. */
int cli_job_run(const cli_opts *o, zs_job *job, struct cli_progress *prog, zs_run_stats *stats);
/** Writes zs_plan_describe's text to f. */
void cli_print_plan(const zs_plan *plan, FILE *f);
/** 1 if finished slabs' pages are dropped: --drop-cache/--no-drop-cache, else ZS_DROP_CACHE,
 *  else on when this process runs under a cgroup memory limit. */
int cli_drop_cache_wanted(const cli_opts *o);
struct cli_progress;

/* filter_journal.c: filter with a journal: --part, --resume, --journal, or under MPI. */
/** 1 if the run keeps a journal (those options, or an MPI launch with more than one rank). */
/** --force with --part, --resume or `launch` (an MPI launch; NULL: none): a usage error naming
 *  them (parts and resumed runs share one output). @return CLI_RUN or 2. */
int cli_refuse_force_with_parts(const char *cmd, const cli_opts *o, const char *launch);
/** Test hook (tests/python/test_hpc_mpi.py): ZS_TEST_FAIL_PART=P makes part P fail after it
 *  joined the journal, as a rank would on a bad disk. @return CLI_RUN or 1 (message printed). */
int cli_test_fail_part(const char *out, int64_t part);
int cli_filter_journaled_wanted(const cli_opts *o);
int cli_filter_journaled(const cli_opts *o);

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
/** The open options (defaults, and the raw description) the raw options give. */
void cli_raw_open_opts(const cli_raw *raw, zs_open_opts *oo);
/** "1024x1024x256" (3-D) or "...x4" (a series) into buf. */
void cli_shape_string(const zs_volume_info *info, char *buf, size_t n);

/* interrupt.c: SIGINT/SIGTERM. The first signal sets cli_stop (a running plan stops at the
 * next slab); a second one, or any signal when nothing polls cli_stop, removes `partial`
 * (the output being written; NULL with a journal: it stays for --resume) and ends the
 * process. */
extern volatile int cli_stop;
void cli_interrupt_install(const char *partial, int cooperative);
void cli_interrupt_clear(void);

/* resample_cells.c: `zslab resample CELLS.csv OUT.csv --like IN [--density D]`. */
int cli_resample_cells(const cli_opts *o);

/* output_volume.c: one output volume written through the library (label, resample). */
/** Creates path (as path.partial) with spec, --force, --compress and --chunks, watched by the
 *  interrupt handler. @return CLI_RUN, or an exit code (message printed; *out NULL). */
int cli_output_create(const cli_opts *o, const char *path, const zs_volume_info *spec, zs_volume **out);
/** Commits `out` (made for path) when st is ZS_OK, frees it (uncommitted: removed) and clears the
 *  handler. @return the exit code, the message printed when st (or the commit) failed. */
int cli_output_finish(const char *path, zs_volume *out, zs_status st);

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
