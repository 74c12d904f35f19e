/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* `zslab filter` and `zslab convert`: their flags' rules, and a plain run: open → pipeline →
 * plan → (dry run | create → execute → commit) with the job of filter_job.c. Runs with a
 * journal (parts, resume, MPI) are in filter_journal.c, batches (--batch, --jobs-file) in
 * cmd_batch.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cli.h"
#include "progress.h"

/* `zslab: filtered IN -> OUT: 1024x1024x256 uint16 -> float32, 268.4 Mvox in 1.23 s
 * (218.2 Mvox/s, 1.75 GB/s in), 2 threads, 32 slabs of 8 planes` */
static void summary(const cli_opts *o, const zs_volume_info *in, const zs_plan *plan, const zs_run_stats *rs)
{
    char shape[96];
    zs_volume_info out;
    zs_plan_output_spec(plan, &out);
    cli_shape_string(in, shape, sizeof shape);
    if (zs_plan_slab_count(plan) == 0) { /* an axis of length 0 */
        cli_note(2, "%s %s -> %s: %s %s -> %s: empty (an axis of length 0), nothing to do",
                 o->convert ? "converted" : "filtered", o->in, o->out, shape, zs_dtype_name(in->dtype),
                 zs_dtype_name(out.dtype));
        return;
    }
    const double s = rs->seconds > 0 ? rs->seconds : 1e-9;
    const double mvox = (double)rs->voxels / 1e6;
    cli_note(2,
             "%s %s -> %s: %s %s -> %s, %.1f Mvox in %.2f s (%.1f Mvox/s, %.2f GB/s in), %d thread%s, "
             "%lld slab%s of %lld plane%s",
             o->convert ? "converted" : "filtered", o->in, o->out, shape, zs_dtype_name(in->dtype),
             zs_dtype_name(out.dtype), mvox, rs->seconds, mvox / s, (double)in->nbytes / 1e9 / s, rs->threads,
             rs->threads == 1 ? "" : "s", (long long)zs_plan_slab_count(plan), zs_plan_slab_count(plan) == 1 ? "" : "s",
             (long long)zs_plan_slab_height(plan), zs_plan_slab_height(plan) == 1 ? "" : "s");
}

/* Creates OUT, runs the plan into it and commits it. Frees the job. */
static int execute(const cli_opts *o, zs_job *job, cli_progress *prog)
{
    zs_run_stats rs;
    cli_progress_start(prog, cli_progress_choose(o->progress, cli_level), &cli_stop);
    const int rc = cli_job_run(o, job, prog, &rs);
    if (rc != CLI_EXIT_OK) return rc; /* the job is freed */
    summary(o, zs_volume_get_info(zs_job_input(job)), zs_job_get_plan(job), &rs);
    zs_job_free(job);
    if (o->preview) return cli_preview_beside(o->out, o->mem_budget, o->threads);
    return rc;
}

static int run_filter(const cli_opts *o)
{
    if (o->batch || o->jobs_file) return cli_cmd_batch(o);
    if (cli_filter_journaled_wanted(o)) return cli_filter_journaled(o);
    zs_volume *in = NULL;
    zs_job *job = NULL;
    cli_progress prog;
    zs_job_opts jo;
    zs_job_opts_init(&jo);
    jo.dry_run = o->dry_run;
    jo.user = &prog;
    int rc = cli_open_input(o->in, &o->raw, &in);
    if (rc == CLI_RUN && !o->dry_run) jo.drop_cache = cli_drop_cache_wanted(o);
    if (rc == CLI_RUN) rc = cli_job_open(o, in, &jo, &job);
    if (rc == CLI_RUN) {
        zs_status st = zs_job_plan(job);
        if (st < 0) rc = cli_plan_failed(st);
    }
    if (rc == CLI_RUN && cli_level >= 3) {
        char desc[2048];
        const zs_pipeline *pipe = zs_job_pipeline(job);
        zs_pipeline_describe(pipe, desc, sizeof desc);
        cli_note(3, "pipeline: %s", zs_pipeline_length(pipe) ? desc : "(none: copy with conversion)");
    }
    if (rc == CLI_RUN && o->dry_run) {
        cli_print_plan(zs_job_get_plan(job), stdout);
        rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    } else if (rc == CLI_RUN) {
        if (cli_level >= 4) cli_print_plan(zs_job_get_plan(job), stderr);
        rc = execute(o, job, &prog); /* frees the job */
        job = NULL;
    }
    zs_job_free(job);
    zs_volume_free(in);
    return rc;
}

static const char *journal_flag(const cli_opts *o)
{
    return o->has_part ? "--part" : o->resume ? "--resume" : "--journal";
}

/* --batch and --jobs-file: no positional IN or OUT, an --out-dir, and no parts or journal
 * (a batch is one process; a rerun skips the stacks that are complete). */
static int check_batch(const char *cmd, const cli_opts *o)
{
    if (o->preview && (o->has_part || o->resume || o->journal)) {
        cli_error("%s: --preview does not combine with %s (run zslab preview on the finished output)", cmd,
                  journal_flag(o));
        return CLI_EXIT_USAGE;
    }
    if (o->report && !o->batch && !o->jobs_file) {
        cli_error("%s: --report goes with --batch or --jobs-file (one stack: --preview)", cmd);
        return CLI_EXIT_USAGE;
    }
    if (!o->batch && !o->jobs_file) {
        if (!o->out_dir && !o->out_format) return CLI_RUN;
        cli_error("%s: %s goes with --batch or --jobs-file (see zslab %s --help)", cmd,
                  o->out_dir ? "--out-dir" : "--out-format", cmd);
        return CLI_EXIT_USAGE;
    }
    if (o->batch && o->jobs_file) return cli_usage_error(cmd, "give --batch or --jobs-file, not both");
    if (o->in) {
        cli_error("%s: unexpected argument '%s': a batch takes its inputs from --batch or --jobs-file and writes "
                  "them to --out-dir (quote a glob: --batch 'data/*.tif')",
                  cmd, o->in);
        return CLI_EXIT_USAGE;
    }
    if (!o->out_dir) return cli_usage_error(cmd, "--out-dir D is required with --batch and --jobs-file");
    if (o->has_part || o->resume || o->journal) {
        cli_error("%s: %s does not combine with a batch: a rerun of the batch skips the stacks that are complete; "
                  "to spread a batch over a job array, give each task its own --jobs-file",
                  cmd, journal_flag(o));
        return CLI_EXIT_USAGE;
    }
    if (o->compress != ZS_COMPRESS_NONE && o->out_format && !*cli_format_of_ext(o->out_format)->compressions) {
        cli_error("%s: --out-format %s writes uncompressed data only: drop --compress %s (zslab info --formats lists "
                  "what each format compresses)",
                  cmd, o->out_format, zs_compression_name(o->compress));
        return CLI_EXIT_USAGE;
    }
    return CLI_RUN;
}

/* --dataset PATH: IN is read as IN:PATH. */
static int name_dataset(const char *cmd, cli_opts *o)
{
    if (o->batch || o->jobs_file) {
        cli_error("%s: --dataset names the dataset of one HDF5 input; in a batch, name each input as FILE.h5:PATH",
                  cmd);
        return CLI_EXIT_USAGE;
    }
    const size_t n = strlen(o->in) + strlen(o->dataset) + 2;
    if (!(o->in_named = malloc(n))) return cli_usage_error(cmd, "out of memory");
    snprintf(o->in_named, n, "%s:%s", o->in, o->dataset);
    o->in = o->in_named;
    return CLI_RUN;
}

static int check_filter(cli_opts *o)
{
    const char *cmd = o->command->name;
    o->in = o->nargs > 0 ? o->args[0] : NULL;
    o->out = o->nargs > 1 ? o->args[1] : NULL;
    int rc = check_batch(cmd, o);
    if (rc != CLI_RUN) return rc;
    if (!o->in && !o->batch && !o->jobs_file) return cli_usage_error(cmd, "no IN file given");
    if (o->dataset && (rc = name_dataset(cmd, o)) != CLI_RUN) return rc;
    if (!o->out && !o->batch && !o->jobs_file) return cli_usage_error(cmd, "no OUT file given");
    if (!o->convert && o->nops == 0)
        return cli_usage_error(cmd, "no --op given (e.g. --op gaussian:sigma=2; zslab list shows the kernels)");
    return cli_refuse_force_with_parts(cmd, o, NULL);
}

static int check_convert(cli_opts *o)
{
    o->convert = 1;
    return check_filter(o);
}

/* The flags filter and convert share, in the order of their help. */
#define RUN_HELP                                                                                                       \
    "{dataset}{dtype}{threads}{slab}{band}{mem-budget}{dry-run}{progress}{force}{compress}{chunks}{pyramid}"           \
    "{preview}{no-bind}{engine}{precision}{drop-cache}"                                                                \
    "\nmany processes, one output (a journal OUT.zsjournal records each slab once it is on disk):\n"                   \
    "{part}"                                                                                                           \
    "  --part slurm          I and N of a SLURM job array (SLURM_ARRAY_TASK_ID/_COUNT/_MIN/_STEP)\n"                   \
    "{resume}{journal}"                                                                                                \
    "  under mpirun/srun (built with MPI), rank R of N runs part R/N; rank 0 prints the summary\n"                     \
    "  SIGTERM/SIGINT stop a journaled run after the slabs in flight: exit 75, --resume continues\n"                   \
    "  ZS_JOURNAL_WAIT=S     seconds a part waits for the one creating OUT (default 600)\n\n"                          \
    "many stacks in one command (outputs D/<stem>.<ext>; the table of results goes to stdout):\n"                      \
    "{batch}{jobs-file}{out-dir}{out-format}"                                                                          \
    "  Stacks run one after another, each with all worker threads. A stack that fails is reported\n"                   \
    "  and the batch goes on; its partial output is removed. A rerun skips every stack whose output\n"                 \
    "  is complete and was made from the same input and pipeline (recorded in D/.zslab-batch/);\n"                     \
    "  --force redoes them all. The table: stack, status (ok, skipped, FAILED), seconds, Mvox/s,\n"                    \
    "  output (or the error). Exit 1 if a stack failed (the last line on stderr names them).\n"                        \
    "  --dry-run checks every stack and prints the table (to do, skipped, FAILED); writes nothing.\n"                  \
    "  --part, --resume, --journal and MPI launches do not combine with a batch.\n"                                    \
    "{report}\n"                                                                                                       \
    "{@common}\n{@formats}{@raw}"

const cli_command cli_command_filter = {
    .name = "filter",
    .summary = {{"IN OUT", "run a pipeline of kernels: --op NAME[:key=value...] ..."},
                {"--batch X", "many stacks (a list file, a glob, a directory) into --out-dir D"}},
    .help = "usage: zslab filter IN OUT --op NAME[:key=value...] [--op ...] [options]\n"
            "       zslab filter --batch LIST|GLOB|DIR --out-dir D --op ... [options]\n\n"
            "Runs a pipeline of kernels over IN, slab by slab, into OUT (format from the name,\n"
            "see below). `--op a --op b` gives b(a(IN)), whatever the slab height.\n"
            "Parameters follow scipy.ndimage; sizes and sigmas take one value or XxYxZ, in\n"
            "voxels or with a unit when IN has a voxel size (sigma=2um).\n\n"
            "{op}{plugin}" RUN_HELP "\nkernels (zslab list NAME shows a kernel's parameters):\n{@kernels}",
    .max_args = 2,
    .check = check_filter,
    .run = run_filter,
};

const cli_command cli_command_convert = {
    .name = "convert",
    .summary = {{"IN OUT", "change format, dtype or memory order"}},
    .help = "usage: zslab convert IN OUT [--dtype T] [options]\n"
            "       zslab convert --batch LIST|GLOB|DIR --out-dir D --out-format F [options]\n\n"
            "Copies IN to OUT, converting format (from the names), dtype (round half to even,\n"
            "saturated) and memory order (OUT is always in Fortran order).\n\n" RUN_HELP,
    .max_args = 2,
    .check = check_convert,
    .run = run_filter,
};
