/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Parsing: argv of each subcommand into its options struct, and the help texts. Nothing
 * here touches a file; the subcommands (cmd_*.c) do the work. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "zslab_kernel.h"

/* Options every subcommand takes. */
enum { OPT_HELP = 1, OPT_QUIET, OPT_VERBOSE, OPT_IN_SHAPE, OPT_IN_DTYPE, OPT_IN_OFFSET, OPT_IN_ORDER, OPT_FIRST_OWN };
#define COMMON_OPTS                                                                                                    \
    {"help", 'h', 0, OPT_HELP}, {"quiet", 'q', 0, OPT_QUIET}, { "verbose", 'v', 0, OPT_VERBOSE }
#define RAW_OPTS                                                                                                       \
    {"in-shape", 0, 1, OPT_IN_SHAPE}, {"in-dtype", 0, 1, OPT_IN_DTYPE}, {"in-offset", 0, 1, OPT_IN_OFFSET},            \
    {                                                                                                                  \
        "in-order", 0, 1, OPT_IN_ORDER                                                                                 \
    }

/* The formats part of the raw options' help, from the registry. */
static const char *formats_help(void)
{
    static char buf[1024];
    char names[512], *b = NULL;
    size_t len = 0;
    zs_format_names(names, sizeof names);
    char text[1024];
    snprintf(text, sizeof text,
             "formats follow the names (zslab info --formats lists them): %s (a directory, a quoted glob "
             "('stack/*.tif') or a printf pattern (plane_%%04d.tif)); other input files are raw; describe them with",
             names);
    FILE *f = open_memstream(&b, &len);
    if (!f) return "";
    cli_wrap(f, text, 90);
    fclose(f);
    snprintf(buf, sizeof buf, "%s\n", b ? b : "");
    free(b);
    return buf;
}

static const char raw_options_help[] =
    "  --in-shape AxBxC[xT]  extents x, y, z (x fastest in F order), optionally a series length\n"
    "  --in-dtype T          numpy dtype name: uint8 ... float64, '<u2', '>f4' (byte order)\n"
    "  --in-offset N         bytes before the first voxel (default 0; K, M, G accepted)\n"
    "  --in-order F|C        memory order (default F; C order is read by gathering: slower)\n";

static const char common_help[] = "  -q, --quiet           errors only\n"
                                  "  -v, --verbose         more detail (-vv: trace library errors with file:line)\n"
                                  "  -h, --help            this help\n";

/* Handles the options every command shares. @return 1 if handled, with *rc set when the
 * command must end (help, or a bad value). */
static int common_option(int id, const char *val, cli_raw *raw, void (*help)(FILE *), int *rc)
{
    int64_t off;
    switch (id) {
    case OPT_HELP:
        help(stdout);
        *rc = CLI_EXIT_OK;
        return 1;
    case OPT_QUIET:
        cli_level = cli_level > 0 ? cli_level - 1 : 0;
        return 1;
    case OPT_VERBOSE:
        cli_level = cli_level < 2 ? 3 : cli_level + 1;
        if (cli_level >= 4) setenv("ZS_TRACE", "1", 0);
        return 1;
    default:
        break;
    }
    if (!raw) return 0;
    switch (id) {
    case OPT_IN_SHAPE:
        if (cli_parse_shape("--in-shape", val, raw->shape, &raw->ndim)) *rc = CLI_EXIT_USAGE;
        return 1;
    case OPT_IN_DTYPE:
        if (cli_parse_dtype("--in-dtype", val, &raw->dtype)) *rc = CLI_EXIT_USAGE;
        raw->has_dtype = 1;
        return 1;
    case OPT_IN_OFFSET:
        if (cli_parse_int("--in-offset", val, 0, INT64_MAX, 1, &off)) *rc = CLI_EXIT_USAGE;
        raw->offset = (uint64_t)off;
        raw->has_offset = 1;
        return 1;
    case OPT_IN_ORDER:
        if (cli_parse_order("--in-order", val, &raw->order)) *rc = CLI_EXIT_USAGE;
        raw->has_order = 1;
        return 1;
    default:
        return 0;
    }
}

static int too_many(const char *cmd, const char *arg)
{
    cli_error("%s: unexpected argument '%s' (see zslab %s --help)", cmd, arg, cmd);
    return CLI_EXIT_USAGE;
}

/* The one positional argument of a command: stored in *slot, a second one refused. */
static int one_positional(const char *cmd, const char **slot, const char *val)
{
    if (*slot) return too_many(cmd, val);
    *slot = val;
    return CLI_RUN;
}

static int missing(const char *cmd, const char *what)
{
    cli_error("%s: %s (see zslab %s --help)", cmd, what, cmd);
    return CLI_EXIT_USAGE;
}

/* ---- main ---------------------------------------------------------------------------- */
void cli_usage_main(FILE *f)
{
    fprintf(f, "usage: zslab COMMAND [options]\n\n"
               "Filters 3-D volumes far larger than memory, slab by slab (.npy, NIfTI, TIFF, ...:\n"
               "zslab info --formats lists the formats).\n\n"
               "commands:\n"
               "  info FILE...          describe a volume from its header (--json for scripts)\n"
               "  create OUT            write a synthetic volume: zeros, ramp, noise, phantom\n"
               "  filter IN OUT         run a pipeline of kernels: --op NAME[:key=value...] ...\n"
               "  filter --batch X      many stacks (a list file, a glob, a directory) into --out-dir D\n"
               "  convert IN OUT        change format, dtype or memory order\n"
               "  list [NAME]           kernels with their parameters, bounds and defaults\n"
               "  bench IN --op ...     I/O versus compute: time each phase of the slab path\n"
               "  status OUT            is OUT complete? slabs done by each part (--part, --resume, MPI)\n"
               "  preview IN OUT.png    look at a stack: a MIP, a plane or a three-view, read once\n"
               "  label IN OUT          connected components, as scipy.ndimage.label (--table: measurements)\n\n"
               "options: -h/--help, --version; per command: zslab COMMAND --help\n"
               "environment: ZS_THREADS (worker threads), ZS_TRACE=1 (trace errors)\n"
               "exit codes: 0 success, 1 runtime error, 2 usage error, 3 incomplete output (status),\n"
               "            75 interrupted with a journal: run the same command with --resume\n");
}

/* ---- info ---------------------------------------------------------------------------- */
enum { OPT_JSON = OPT_FIRST_OWN, OPT_FORMATS };

static void help_info(FILE *f)
{
    fprintf(f,
            "usage: zslab info FILE... [--json] [raw options]\n"
            "       zslab info --formats [--json]\n\n"
            "Describes volumes from their headers (no voxel is read): format, shape, dtype,\n"
            "memory order, data offset, scaling and voxel size.\n\n"
            "  --json                one JSON object per file, on one line\n"
            "  --formats             the formats zslab reads and writes: names, what each can do\n%s\n%s%s",
            common_help, formats_help(), raw_options_help);
}

int cli_parse_info(int argc, char **argv, cli_info_opts *o)
{
    static const cli_optdef defs[] = {
        COMMON_OPTS, RAW_OPTS, {"json", 0, 0, OPT_JSON}, {"formats", 0, 0, OPT_FORMATS}, {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->files = calloc((size_t)argc + 1, sizeof *o->files);
    if (!o->files) return missing("info", "out of memory");
    cli_scan s;
    cli_scan_init(&s, argc, argv, 0, "info", defs);
    const char *val;
    int id, rc = CLI_RUN;
    while (rc == CLI_RUN && (id = cli_scan_next(&s, &val)) != CLI_SCAN_END) {
        if (id == CLI_SCAN_BAD)
            rc = CLI_EXIT_USAGE;
        else if (id == CLI_SCAN_POSITIONAL)
            o->files[o->nfiles++] = val;
        else if (id == OPT_JSON)
            o->json = 1;
        else if (id == OPT_FORMATS)
            o->formats = 1;
        else
            common_option(id, val, &o->raw, help_info, &rc);
    }
    if (rc == CLI_RUN && o->formats && o->nfiles > 0) {
        cli_error("info: --formats lists the formats; give no FILE with it");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == CLI_RUN && o->nfiles == 0 && !o->formats) rc = missing("info", "no FILE given");
    return rc;
}

/* ---- create -------------------------------------------------------------------------- */
enum {
    OPT_SHAPE = OPT_FIRST_OWN,
    OPT_DTYPE,
    OPT_PATTERN,
    OPT_SEED,
    OPT_VOXEL,
    OPT_UNIT,
    OPT_THREADS,
    OPT_FORCE,
    OPT_CCOMPRESS,
    OPT_CCHUNKS,
    OPT_CPYRAMID
};

/* --compress NAME: the library checks it against the output's format. */
static int parse_compress(const char *val, zs_compression *out)
{
    if (zs_compression_parse(val, out) == ZS_OK) return 0;
    cli_error("--compress: %s", zs_last_error());
    return -1;
}

static void help_create(FILE *f)
{
    fprintf(f,
            "usage: zslab create OUT --shape AxBxC --dtype T [options]\n\n"
            "Writes a synthetic volume in the format its name says (zslab info --formats lists\n"
            "them; a plane series: plane_%%04d.tif or DIR/; any other name: raw).\n"
            "The contents depend only on the pattern, seed, shape and dtype.\n\n"
            "  --shape AxBxC[xT]     extents x, y, z (and a series length t)\n"
            "  --dtype T             uint8, int8, uint16, int16, uint32, int32, uint64, int64,\n"
            "                        float32, float64, bool, or numpy's '<u2', '>f4', ...\n"
            "  --pattern P           zeros (default), ramp (x+y+z), noise (uniform over the\n"
            "                        dtype; [0,1) for floats), phantom (light-sheet-like blobs)\n"
            "  --seed N              seed of noise and phantom (default 0)\n"
            "  --voxel-size S        voxel size: 0.5 or 1x1x4, optionally with a unit (1x1x4um)\n"
            "  --unit U              unit of the voxel size (um, mm, nm)\n"
            "  --threads N           worker threads (default: all usable cores, or ZS_THREADS)\n"
            "  --compress C          compressed output: none (default); TIFF: deflate, lzw, zstd\n"
            "                        (zslab info --formats lists what each format writes)\n"
            "  --chunks ZxYxX        chunked output: the chunk shape, z first (default: the format's)\n"
            "  --pyramid N           OME-Zarr output: N more levels, each the 2x2x2 mean of the one before\n"
            "  -f, --force           overwrite OUT if it exists\n%s",
            common_help);
}

static int create_option(int id, const char *val, cli_create_opts *o)
{
    int64_t n;
    switch (id) {
    case OPT_SHAPE:
        return cli_parse_shape("--shape", val, o->shape, &o->ndim);
    case OPT_DTYPE:
        o->has_dtype = 1;
        return cli_parse_dtype("--dtype", val, &o->dtype);
    case OPT_PATTERN:
        if (zs_pattern_parse(val, &o->pattern) == ZS_OK) return 0;
        cli_error("--pattern: unknown pattern '%s' (use zeros, ramp, noise or phantom)", val);
        return -1;
    case OPT_SEED:
        return cli_parse_u64("--seed", val, &o->seed);
    case OPT_VOXEL: {
        char unit[16];
        if (cli_parse_voxel("--voxel-size", val, o->voxel, unit)) return -1;
        if (unit[0]) snprintf(o->unit, sizeof o->unit, "%s", unit);
        return 0;
    }
    case OPT_UNIT:
        if (strlen(val) >= sizeof o->unit || !*val) {
            cli_error("--unit: '%s' is not a unit (um, mm, nm)", val);
            return -1;
        }
        snprintf(o->unit, sizeof o->unit, "%s", val);
        return 0;
    case OPT_THREADS:
        if (cli_parse_int("--threads", val, 0, 4096, 0, &n)) return -1;
        o->threads = (int)n;
        return 0;
    case OPT_FORCE:
        o->force = 1;
        return 0;
    case OPT_CCOMPRESS:
        return parse_compress(val, &o->compress);
    case OPT_CCHUNKS:
        return cli_parse_chunks("--chunks", val, o->chunk);
    case OPT_CPYRAMID:
        if (cli_parse_int("--pyramid", val, 0, ZS_PYRAMID_MAX, 0, &n)) return -1;
        o->pyramid = (int)n;
        return 0;
    default:
        return -1;
    }
}

int cli_parse_create(int argc, char **argv, cli_create_opts *o)
{
    static const cli_optdef defs[] = {COMMON_OPTS,
                                      {"shape", 0, 1, OPT_SHAPE},
                                      {"dtype", 0, 1, OPT_DTYPE},
                                      {"pattern", 0, 1, OPT_PATTERN},
                                      {"seed", 0, 1, OPT_SEED},
                                      {"voxel-size", 0, 1, OPT_VOXEL},
                                      {"unit", 0, 1, OPT_UNIT},
                                      {"threads", 0, 1, OPT_THREADS},
                                      {"force", 'f', 0, OPT_FORCE},
                                      {"compress", 0, 1, OPT_CCOMPRESS},
                                      {"chunks", 0, 1, OPT_CCHUNKS},
                                      {"pyramid", 0, 1, OPT_CPYRAMID},
                                      {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->pattern = ZS_PATTERN_ZEROS;
    for (int i = 0; i < 3; i++) o->voxel[i] = 1.0;
    cli_scan s;
    cli_scan_init(&s, argc, argv, 0, "create", defs);
    const char *val;
    int id, rc = CLI_RUN;
    while (rc == CLI_RUN && (id = cli_scan_next(&s, &val)) != CLI_SCAN_END) {
        if (id == CLI_SCAN_BAD)
            rc = CLI_EXIT_USAGE;
        else if (id == CLI_SCAN_POSITIONAL)
            rc = one_positional("create", &o->out, val);
        else if (!common_option(id, val, NULL, help_create, &rc) && create_option(id, val, o))
            rc = CLI_EXIT_USAGE;
    }
    if (rc != CLI_RUN) return rc;
    if (!o->out) return missing("create", "no OUT file given");
    if (!o->ndim) return missing("create", "--shape is required (e.g. --shape 512x512x128)");
    if (!o->has_dtype) return missing("create", "--dtype is required (e.g. --dtype uint16)");
    return CLI_RUN;
}

/* ---- filter and convert ---------------------------------------------------------------- */
enum {
    OPT_OP = OPT_FIRST_OWN,
    OPT_ODTYPE,
    OPT_FTHREADS,
    OPT_SLAB,
    OPT_BAND,
    OPT_BUDGET,
    OPT_DRY,
    OPT_PROGRESS,
    OPT_FFORCE,
    OPT_NOBIND,
    OPT_ENGINE,
    OPT_RENGINE,
    OPT_WENGINE,
    OPT_PRECISION,
    OPT_BPRECISION,
    OPT_PART,
    OPT_RESUME,
    OPT_JOURNAL,
    OPT_DROP,
    OPT_NODROP,
    OPT_COMPRESS,
    OPT_CHUNKS,
    OPT_PYRAMID,
    OPT_BATCH,
    OPT_JOBS,
    OPT_OUTDIR,
    OPT_OUTFMT,
    OPT_FPREVIEW,
    OPT_REPORT,
    OPT_DATASET
};

static void kernel_names(FILE *f)
{
    int col = 2;
    fputs("  ", f);
    for (int i = 0; i < zs_kernel_count(); i++) {
        const zs_kernel_desc *k = zs_kernel_get(i);
        if (col + (int)strlen(k->name) + 2 > 88) {
            fputs("\n  ", f);
            col = 2;
        }
        col += fprintf(f, "%s%s", k->name, i + 1 < zs_kernel_count() ? ", " : "\n");
    }
}

static const char run_help[] =
    "  --dataset PATH        IN is an HDF5 file: read its dataset PATH (the same as IN:PATH)\n"
    "  --dtype T             output dtype (default: the input's)\n"
    "  --threads N           worker threads (default: usable cores, or ZS_THREADS)\n"
    "  --slab Z              planes per slab: the unit of the journal, of parts and of progress\n"
    "                        (default: up to 32, balanced over the workers)\n"
    "  --band ROWS           rows per tile: a worker streams bands of ROWS rows (all of x) through\n"
    "                        the stages; memory per worker grows with the band, not with the\n"
    "                        plane (default: from the cache sizes and the memory budget)\n"
    "  --mem-budget B        memory for all workers: 512M, 2G, 1.5G or bytes (default: a share\n"
    "                        of the available memory, under any cgroup limit)\n"
    "  --dry-run             print the plan (slabs, halo, memory) and stop; writes nothing\n"
    "  --progress            show progress even with -q (default: a bar on a terminal, a line\n"
    "                        every ~5 s otherwise)\n"
    "  -f, --force           overwrite OUT if it exists\n"
    "  --compress C          compressed output: none (default: contiguous, mapped like .npy); TIFF:\n"
    "                        deflate, lzw, zstd (compressed in the workers, pages written in order);\n"
    "                        zslab info --formats lists what each format writes\n"
    "  --chunks ZxYxX        chunked output: the chunk shape, z first (default: the format's); slabs\n"
    "                        start on the chunks, so no two workers or parts write one chunk\n"
    "  --pyramid N           OME-Zarr output: N more levels, each the 2x2x2 mean of the one before,\n"
    "                        written once the volume is (plain runs; napari and neuroglancer open them)\n"
    "  --preview             when OUT is written, also write its three-view beside it: OUT.preview.png\n"
    "                        (zslab preview OUT OUT.preview.png --three-view --size 512; reads OUT once)\n"
    "  --no-bind             do not bind workers to cores\n"
    "  --engine E            how workers move bytes: mmap (map the slab), pread (read into and\n"
    "                        write from a worker buffer), direct (O_DIRECT, writes queued to an I/O\n"
    "                        thread per worker: bypasses the page cache), or auto (default: pread;\n"
    "                        direct when input and output together exceed half the available memory,\n"
    "                        and for writes to Lustre/GPFS/BeeGFS/CephFS; --dry-run says which, why);\n"
    "                        --read-engine/--write-engine set one side\n"
    "  --precision P         the type the stages compute in: float32 (fast; integers beyond 2^24 are\n"
    "                        rounded), float64 (exact selections on 32/64-bit integers, float64\n"
    "                        arithmetic as scipy), or auto (default: float64 for int32/uint32/int64/\n"
    "                        uint64 inputs when every stage has a float64 kernel; --dry-run says why)\n"
    "  --drop-cache          drop each finished slab's pages from the page cache (input and\n"
    "                        output): on by default under a cgroup memory limit (a SLURM job),\n"
    "                        or as ZS_DROP_CACHE=0|1 says; --no-drop-cache: never\n"
    "\nmany processes, one output (a journal OUT.zsjournal records each slab once it is on disk):\n"
    "  --part I/N            run part I (0..N-1) of N contiguous slab ranges; parts may run at once\n"
    "                        on many nodes; the last one to finish renames OUT.partial to OUT\n"
    "  --part slurm          I and N of a SLURM job array (SLURM_ARRAY_TASK_ID/_COUNT/_MIN/_STEP)\n"
    "  --resume              continue OUT from its journal, skipping finished slabs (or start it)\n"
    "  --journal             keep a journal, so that an interrupted run can be resumed\n"
    "  under mpirun/srun (built with MPI), rank R of N runs part R/N; rank 0 prints the summary\n"
    "  SIGTERM/SIGINT stop a journaled run after the slabs in flight: exit 75, --resume continues\n"
    "  ZS_JOURNAL_WAIT=S     seconds a part waits for the one creating OUT (default 600)\n\n";

static const char batch_help[] =
    "many stacks in one command (outputs D/<stem>.<ext>; the table of results goes to stdout):\n"
    "  --batch LIST|GLOB|DIR the inputs: a list file, a quoted glob ('data/*.tif') or a directory\n"
    "                        (its volume files); globs and directories in natural order (a2 < a10)\n"
    "  --jobs-file F         the inputs from the list file F: one path per line (relative to the\n"
    "                        current directory; blank lines and # comments are skipped)\n"
    "  --out-dir D           where the outputs go (created if missing); required in a batch\n"
    "  --out-format F        a name suffix of zslab info --formats (npy, tif, nii, mhd, nrrd, ...);\n"
    "                        default: each input's own extension; a plane-series input then gives\n"
    "                        D/<name>/ (TIFF planes)\n"
    "  Stacks run one after another, each with all worker threads. A stack that fails is reported\n"
    "  and the batch goes on; its partial output is removed. A rerun skips every stack whose output\n"
    "  is complete and was made from the same input and pipeline (recorded in D/.zslab-batch/);\n"
    "  --force redoes them all. The table: stack, status (ok, skipped, FAILED), seconds, Mvox/s,\n"
    "  output (or the error). Exit 1 if a stack failed (the last line on stderr names them).\n"
    "  --dry-run checks every stack and prints the table (to do, skipped, FAILED); writes nothing.\n"
    "  --part, --resume, --journal and MPI launches do not combine with a batch.\n"
    "  --report R.html       also write one self-contained page (images inline): per stack its input\n"
    "                        and output three-views side by side, status, seconds, Mvox/s, shape,\n"
    "                        voxel size and pipeline, or the error; reads each input and output once\n"
    "                        more (three-views as --preview)\n\n";

static void help_filter(FILE *f)
{
    fprintf(f,
            "usage: zslab filter IN OUT --op NAME[:key=value...] [--op ...] [options]\n"
            "       zslab filter --batch LIST|GLOB|DIR --out-dir D --op ... [options]\n\n"
            "Runs a pipeline of kernels over IN, slab by slab, into OUT (format from the name,\n"
            "see below). `--op a --op b` gives b(a(IN)), whatever the slab height.\n"
            "Parameters follow scipy.ndimage; sizes and sigmas take one value or XxYxZ, in\n"
            "voxels or with a unit when IN has a voxel size (sigma=2um).\n\n"
            "  --op SPEC             a stage, e.g. gaussian:sigma=2, gaussian:sigma=1x1x3:mode=nearest,\n"
            "                        median:size=3, white_tophat:size=7, dog:sigma1=1:sigma2=3\n%s%s%s\n%s%s\n"
            "kernels (zslab list NAME shows a kernel's parameters):\n",
            run_help, batch_help, common_help, formats_help(), raw_options_help);
    kernel_names(f);
}

static void help_convert(FILE *f)
{
    fprintf(f,
            "usage: zslab convert IN OUT [--dtype T] [options]\n"
            "       zslab convert --batch LIST|GLOB|DIR --out-dir D --out-format F [options]\n\n"
            "Copies IN to OUT, converting format (from the names), dtype (round half to even,\n"
            "saturated) and memory order (OUT is always in Fortran order).\n\n%s%s%s\n%s%s",
            run_help, batch_help, common_help, formats_help(), raw_options_help);
}

static int parse_engine(const char *opt, const char *val, zs_engine *e)
{
    if (zs_engine_parse(val, e) == ZS_OK) return 0;
    cli_error("%s: %s", opt, zs_last_error());
    return -1;
}

/* "I/N" with 0 <= I < N. */
static int parse_part_numbers(const char *val, cli_filter_opts *o)
{
    char buf[64];
    const char *slash = strchr(val, '/');
    if (!slash || (size_t)(slash - val) >= sizeof buf) {
        cli_error("--part: cannot read '%s' (want I/N, e.g. 0/4, or slurm)", val);
        return -1;
    }
    memcpy(buf, val, (size_t)(slash - val));
    buf[slash - val] = '\0';
    if (cli_parse_int("--part", buf, 0, INT64_MAX - 1, 0, &o->part) ||
        cli_parse_int("--part", slash + 1, 1, INT64_MAX, 0, &o->nparts))
        return -1;
    if (o->part >= o->nparts) {
        cli_error("--part: %s: parts are numbered 0 to N-1 (here 0 to %lld)", val, (long long)o->nparts - 1);
        return -1;
    }
    return 0;
}

static int env_int(const char *name, int64_t min, int64_t def, int64_t *out)
{
    const char *e = getenv(name);
    if (!e || !*e) {
        if (def >= 0) {
            *out = def;
            return 0;
        }
        cli_error("--part slurm: %s is not set (not a task of a SLURM job array? give --part I/N)", name);
        return -1;
    }
    return cli_parse_int(name, e, min, INT64_MAX, 0, out);
}

/* A SLURM array task: part (ID - MIN) / STEP of COUNT. */
static int parse_part_slurm(cli_filter_opts *o)
{
    int64_t id, count, min, step;
    if (env_int("SLURM_ARRAY_TASK_ID", 0, -1, &id) || env_int("SLURM_ARRAY_TASK_COUNT", 1, -1, &count) ||
        env_int("SLURM_ARRAY_TASK_MIN", 0, 0, &min) || env_int("SLURM_ARRAY_TASK_STEP", 1, 1, &step))
        return -1;
    if (id < min || (id - min) % step != 0 || (id - min) / step >= count) {
        cli_error(
            "--part slurm: task %lld is not one of %lld tasks %lld, %lld, ... of this array: a range (with a step, "
            "like --array=0-20:2) works, a list like --array=1,5,9 does not; use --array=0-%lld, or --part I/N",
            (long long)id, (long long)count, (long long)min, (long long)(min + step), (long long)count - 1);
        return -1;
    }
    o->part = (id - min) / step;
    o->nparts = count;
    return 0;
}

/* --out-format: the extension of a batch's outputs. */
static int parse_out_format(const char *val, cli_filter_opts *o)
{
    if (cli_format_of_ext(val)) {
        o->out_format = *val == '.' ? val + 1 : val;
        return 0;
    }
    char names[256];
    cli_suffix_list(names, sizeof names, 0);
    cli_error("--out-format: unknown format '%s' (use one of %s)", val, names);
    return -1;
}

/* --batch and --jobs-file: no positional IN or OUT, an --out-dir, and no parts or journal
 * (a batch is one process; a rerun skips the stacks that are complete). */
static int check_batch(const char *cmd, const cli_filter_opts *o)
{
    if (o->preview && (o->has_part || o->resume || o->journal)) {
        cli_error("%s: --preview does not combine with %s (run zslab preview on the finished output)", cmd,
                  o->has_part ? "--part"
                  : o->resume ? "--resume"
                              : "--journal");
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
    if (o->batch && o->jobs_file) return missing(cmd, "give --batch or --jobs-file, not both");
    if (o->in) {
        cli_error("%s: unexpected argument '%s': a batch takes its inputs from --batch or --jobs-file and writes "
                  "them to --out-dir (quote a glob: --batch 'data/*.tif')",
                  cmd, o->in);
        return CLI_EXIT_USAGE;
    }
    if (!o->out_dir) return missing(cmd, "--out-dir D is required with --batch and --jobs-file");
    if (o->has_part || o->resume || o->journal) {
        cli_error("%s: %s does not combine with a batch: a rerun of the batch skips the stacks that are complete; "
                  "to spread a batch over a job array, give each task its own --jobs-file",
                  cmd,
                  o->has_part ? "--part"
                  : o->resume ? "--resume"
                              : "--journal");
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

static int filter_option(int id, const char *val, cli_filter_opts *o)
{
    int64_t n;
    switch (id) {
    case OPT_OP:
        if (o->convert) return -1;
        o->ops[o->nops++] = val;
        return 0;
    case OPT_ODTYPE:
        o->has_dtype = 1;
        return cli_parse_dtype("--dtype", val, &o->dtype);
    case OPT_FTHREADS:
        if (cli_parse_int("--threads", val, 0, 4096, 0, &n)) return -1;
        o->threads = (int)n;
        return 0;
    case OPT_SLAB:
        return cli_parse_int("--slab", val, 0, INT64_MAX, 1, &o->slab);
    case OPT_BAND:
        return cli_parse_int("--band", val, 0, INT64_MAX, 1, &o->band);
    case OPT_BUDGET:
        return cli_parse_size("--mem-budget", val, &o->mem_budget);
    case OPT_DRY:
        o->dry_run = 1;
        return 0;
    case OPT_PROGRESS:
        o->progress = 1;
        return 0;
    case OPT_FFORCE:
        o->force = 1;
        return 0;
    case OPT_NOBIND:
        o->bind = 0;
        return 0;
    case OPT_ENGINE:
        if (parse_engine("--engine", val, &o->read_engine)) return -1;
        o->write_engine = o->read_engine;
        return 0;
    case OPT_RENGINE:
        return parse_engine("--read-engine", val, &o->read_engine);
    case OPT_WENGINE:
        return parse_engine("--write-engine", val, &o->write_engine);
    case OPT_PRECISION:
        if (zs_precision_parse(val, &o->precision) == ZS_OK) return 0;
        cli_error("--precision: %s", zs_last_error());
        return -1;
    case OPT_PART:
        o->has_part = 1;
        return strcmp(val, "slurm") == 0 ? parse_part_slurm(o) : parse_part_numbers(val, o);
    case OPT_RESUME:
        o->resume = 1;
        return 0;
    case OPT_JOURNAL:
        o->journal = 1;
        return 0;
    case OPT_DROP:
        o->drop_cache = 1;
        return 0;
    case OPT_NODROP:
        o->drop_cache = 0;
        return 0;
    case OPT_COMPRESS:
        return parse_compress(val, &o->compress);
    case OPT_CHUNKS:
        return cli_parse_chunks("--chunks", val, o->chunk);
    case OPT_PYRAMID:
        if (cli_parse_int("--pyramid", val, 0, ZS_PYRAMID_MAX, 0, &n)) return -1;
        o->pyramid = (int)n;
        return 0;
    case OPT_BATCH:
        o->batch = val;
        return 0;
    case OPT_JOBS:
        o->jobs_file = val;
        return 0;
    case OPT_OUTDIR:
        if (*val)
            o->out_dir = val;
        else
            cli_error("--out-dir: empty");
        return *val ? 0 : -1;
    case OPT_OUTFMT:
        return parse_out_format(val, o);
    case OPT_FPREVIEW:
        o->preview = 1;
        return 0;
    case OPT_REPORT:
        o->report = val;
        return *val ? 0 : (cli_error("--report: empty"), -1);
    case OPT_DATASET:
        o->dataset = val;
        return *val ? 0 : (cli_error("--dataset: empty"), -1);
    default:
        return -1;
    }
}

int cli_parse_filter(int argc, char **argv, int convert, cli_filter_opts *o)
{
    static const cli_optdef defs[] = {COMMON_OPTS,
                                      RAW_OPTS,
                                      {"op", 0, 1, OPT_OP},
                                      {"dtype", 0, 1, OPT_ODTYPE},
                                      {"threads", 0, 1, OPT_FTHREADS},
                                      {"slab", 0, 1, OPT_SLAB},
                                      {"band", 0, 1, OPT_BAND},
                                      {"mem-budget", 0, 1, OPT_BUDGET},
                                      {"dry-run", 0, 0, OPT_DRY},
                                      {"progress", 0, 0, OPT_PROGRESS},
                                      {"force", 'f', 0, OPT_FFORCE},
                                      {"no-bind", 0, 0, OPT_NOBIND},
                                      {"engine", 0, 1, OPT_ENGINE},
                                      {"read-engine", 0, 1, OPT_RENGINE},
                                      {"write-engine", 0, 1, OPT_WENGINE},
                                      {"precision", 0, 1, OPT_PRECISION},
                                      {"part", 0, 1, OPT_PART},
                                      {"resume", 0, 0, OPT_RESUME},
                                      {"journal", 0, 0, OPT_JOURNAL},
                                      {"drop-cache", 0, 0, OPT_DROP},
                                      {"no-drop-cache", 0, 0, OPT_NODROP},
                                      {"compress", 0, 1, OPT_COMPRESS},
                                      {"chunks", 0, 1, OPT_CHUNKS},
                                      {"pyramid", 0, 1, OPT_PYRAMID},
                                      {"batch", 0, 1, OPT_BATCH},
                                      {"jobs-file", 0, 1, OPT_JOBS},
                                      {"out-dir", 0, 1, OPT_OUTDIR},
                                      {"out-format", 0, 1, OPT_OUTFMT},
                                      {"preview", 0, 0, OPT_FPREVIEW},
                                      {"report", 0, 1, OPT_REPORT},
                                      {"dataset", 0, 1, OPT_DATASET},
                                      {0, 0, 0, 0}};
    /* convert takes the same options except --op */
    const cli_optdef *table = defs;
    cli_optdef conv[sizeof defs / sizeof defs[0]];
    if (convert) {
        size_t k = 0;
        for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
            if (defs[i].id != OPT_OP) conv[k++] = defs[i];
        table = conv;
    }
    const char *cmd = convert ? "convert" : "filter";
    memset(o, 0, sizeof *o);
    o->convert = convert;
    o->progress = -1;
    o->bind = 1;
    o->nparts = 1;
    o->drop_cache = -1;
    o->ops = calloc((size_t)argc + 1, sizeof *o->ops);
    if (!o->ops) return missing(cmd, "out of memory");
    cli_scan s;
    cli_scan_init(&s, argc, argv, 0, cmd, table);
    const char *val;
    int id, rc = CLI_RUN;
    while (rc == CLI_RUN && (id = cli_scan_next(&s, &val)) != CLI_SCAN_END) {
        if (id == CLI_SCAN_BAD)
            rc = CLI_EXIT_USAGE;
        else if (id == CLI_SCAN_POSITIONAL) {
            if (!o->in)
                o->in = val;
            else if (!o->out)
                o->out = val;
            else if (!o->batch && !o->jobs_file)
                rc = too_many(cmd, val); /* a batch names o->in (check_batch) */
        } else if (!common_option(id, val, &o->raw, convert ? help_convert : help_filter, &rc) &&
                   filter_option(id, val, o))
            rc = CLI_EXIT_USAGE;
    }
    if (rc == CLI_RUN) rc = check_batch(cmd, o);
    if (rc != CLI_RUN) return rc;
    if (!o->in && !o->batch && !o->jobs_file) return missing(cmd, "no IN file given");
    if (o->dataset && (o->batch || o->jobs_file)) {
        cli_error("%s: --dataset names the dataset of one HDF5 input; in a batch, name each input as FILE.h5:PATH",
                  cmd);
        return CLI_EXIT_USAGE;
    }
    if (o->dataset) { /* IN:PATH, the name the library reads */
        const size_t n = strlen(o->in) + strlen(o->dataset) + 2;
        if (!(o->in_named = malloc(n))) return missing(cmd, "out of memory");
        snprintf(o->in_named, n, "%s:%s", o->in, o->dataset);
        o->in = o->in_named;
    }
    if (!o->out && !o->batch && !o->jobs_file) return missing(cmd, "no OUT file given");
    if (!convert && o->nops == 0)
        return missing(cmd, "no --op given (e.g. --op gaussian:sigma=2; zslab list shows the kernels)");
    if (o->force && (o->has_part || o->resume)) {
        cli_error("%s: --force cannot be combined with %s: parts and resumed runs share one output; to start over, "
                  "remove %s, %s.partial and %s.zsjournal first",
                  cmd, o->has_part ? "--part" : "--resume", o->out, o->out, o->out);
        return CLI_EXIT_USAGE;
    }
    return CLI_RUN;
}

void cli_filter_opts_free(cli_filter_opts *o)
{
    free(o->ops);
    o->ops = NULL;
    free(o->in_named);
    o->in_named = NULL;
}

/* ---- status -------------------------------------------------------------------------- */

static void help_status(FILE *f)
{
    fprintf(f,
            "usage: zslab status OUT [--json]\n\n"
            "Says whether OUT is complete, from its journal (OUT.zsjournal, kept by --part, --resume,\n"
            "--journal and MPI runs): slabs done of the plan's, which part recorded which slabs, and\n"
            "which are missing. The input need not be there. An output written without a journal is\n"
            "complete once it has its name (OUT.partial alone: a run in progress or killed).\n\n"
            "  --json                one JSON object (complete, slabs, done, parts, missing)\n%s\n"
            "exit codes: 0 complete, 3 incomplete, 1 no such output or an unreadable journal\n",
            common_help);
}

/* The shape of `status` and `list`: the common options, at most one positional (*pos) and one
 * flag of the command's own (--flag sets *flag_set). */
static int parse_pos_flag(int argc, char **argv, const char *cmd, const char *flag, void (*help)(FILE *),
                          const char **pos, int *flag_set)
{
    const cli_optdef defs[] = {COMMON_OPTS, {flag, 0, 0, OPT_FIRST_OWN}, {0, 0, 0, 0}};
    cli_scan s;
    cli_scan_init(&s, argc, argv, 0, cmd, defs);
    const char *val;
    int id, rc = CLI_RUN;
    while (rc == CLI_RUN && (id = cli_scan_next(&s, &val)) != CLI_SCAN_END) {
        if (id == CLI_SCAN_BAD)
            rc = CLI_EXIT_USAGE;
        else if (id == CLI_SCAN_POSITIONAL)
            rc = one_positional(cmd, pos, val);
        else if (id == OPT_FIRST_OWN)
            *flag_set = 1;
        else
            common_option(id, val, NULL, help, &rc);
    }
    return rc;
}

int cli_parse_status(int argc, char **argv, cli_status_opts *o)
{
    memset(o, 0, sizeof *o);
    int rc = parse_pos_flag(argc, argv, "status", "json", help_status, &o->out, &o->json);
    if (rc == CLI_RUN && !o->out) rc = missing("status", "no OUT file given");
    return rc;
}

/* ---- list ---------------------------------------------------------------------------- */

static void help_list(FILE *f)
{
    fprintf(f,
            "usage: zslab list [NAME] [--names]\n\n"
            "Lists the kernels with each parameter's type, default, bounds or choices and help.\n"
            "With NAME, one kernel in detail.\n\n"
            "  --names               kernel names only, one per line\n%s",
            common_help);
}

int cli_parse_list(int argc, char **argv, cli_list_opts *o)
{
    memset(o, 0, sizeof *o);
    return parse_pos_flag(argc, argv, "list", "names", help_list, &o->name, &o->names_only);
}

/* ---- bench ----------------------------------------------------------------------------- */
enum {
    OPT_BOP = OPT_FIRST_OWN,
    OPT_BDTYPE,
    OPT_BTHREADS,
    OPT_BSLAB,
    OPT_BBAND,
    OPT_BENGINE,
    OPT_COLD,
    OPT_REPEAT,
    OPT_BJSON,
    OPT_SMOKE,
    OPT_BBUDGET,
    OPT_TMP,
    OPT_PLOT
};

static void help_bench(FILE *f)
{
    fprintf(f,
            "usage: zslab bench IN [--op SPEC ...] [options]\n\n"
            "Measures each phase of the slab path for IN and the pipeline: read (touch every input\n"
            "byte), load (read + convert to the work type), compute (the pipeline on slabs in memory),\n"
            "store (create the output, convert and write every byte) and end-to-end (the real\n"
            "filter). Each is the median of --repeat runs, with min and max, in s, GB/s and Mvox/s;\n"
            "then which side bounds the job and the overlap efficiency max(read+store, compute) /\n"
            "end-to-end. Lists sweep a grid; the fastest setting is marked. See docs/bench.md.\n\n"
            "  --op SPEC             a pipeline stage, as for filter (none: a copy with conversion)\n"
            "  --dtype T             output dtype (default: the input's)\n"
            "  --threads LIST        e.g. 1,2 (default: usable cores)\n"
            "  --slab LIST           planes per slab, e.g. 8,32 (default: the planner's choice)\n"
            "  --band LIST           rows per tile band, e.g. 16,64 (default: the planner's choice)\n"
            "  --precision P         the work type, as for filter: auto (default), float32, float64\n"
            "  --engine LIST         mmap, pread (pread in, pwrite out), direct (O_DIRECT), e.g.\n"
            "                        mmap,pread,direct\n"
            "  --cold                drop the input's pages before each run and sync the output in\n"
            "                        store and end-to-end: measures the storage, not the page cache\n"
            "  --repeat N            runs per phase (default 5)\n"
            "  --json                print one JSON record (docs/bench.md) instead of the table\n"
            "  --plot B.svg          also draw the phases as bars per setting (median, min-max whiskers),\n"
            "                        the bound max(read+store, compute) as a dashed line, the overlap\n"
            "                        efficiency under each setting: an SVG file (with the table or --json)\n"
            "  --mem-budget B        as for filter\n"
            "  --tmp DIR             where outputs are written (default: beside IN)\n"
            "  --smoke               a quick self-test on a small synthetic volume (IN not needed)\n%s\n%s%s",
            common_help, formats_help(), raw_options_help);
}

/* "1,2,4" into at most CLI_MAX_SWEEP integers. */
static int parse_int_list(const char *opt, const char *val, int64_t min, int64_t max, int64_t *out, int *n)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", val);
    *n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == CLI_MAX_SWEEP) {
            cli_error("%s: at most %d values", opt, CLI_MAX_SWEEP);
            return -1;
        }
        if (cli_parse_int(opt, t, min, max, 0, &out[*n])) return -1;
        (*n)++;
    }
    if (*n == 0) cli_error("%s: no value in '%s'", opt, val);
    return *n ? 0 : -1;
}

static int bench_option(int id, const char *val, cli_bench_opts *o)
{
    int64_t v[CLI_MAX_SWEEP];
    int n;
    char buf[256];
    switch (id) {
    case OPT_BOP:
        o->ops[o->nops++] = val;
        return 0;
    case OPT_BDTYPE:
        o->has_dtype = 1;
        return cli_parse_dtype("--dtype", val, &o->dtype);
    case OPT_BTHREADS:
        if (parse_int_list("--threads", val, 1, 4096, v, &n)) return -1;
        for (int i = 0; i < n; i++) o->threads[i] = (int)v[i];
        o->nthreads = n;
        return 0;
    case OPT_BSLAB:
        return parse_int_list("--slab", val, 1, INT64_MAX, o->slabs, &o->nslabs);
    case OPT_BBAND:
        return parse_int_list("--band", val, 1, INT64_MAX, o->bands, &o->nbands);
    case OPT_BENGINE:
        snprintf(buf, sizeof buf, "%s", val);
        o->nengines = 0;
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            if (o->nengines == CLI_MAX_SWEEP || parse_engine("--engine", t, &o->engines[o->nengines++])) return -1;
        return 0;
    case OPT_COLD:
        o->cold = 1;
        return 0;
    case OPT_REPEAT:
        if (cli_parse_int("--repeat", val, 1, 64, 0, &v[0])) return -1;
        o->repeat = (int)v[0];
        return 0;
    case OPT_BJSON:
        o->json = 1;
        return 0;
    case OPT_SMOKE:
        o->smoke = 1;
        return 0;
    case OPT_BBUDGET:
        return cli_parse_size("--mem-budget", val, &o->mem_budget);
    case OPT_TMP:
        o->tmpdir = val;
        return 0;
    case OPT_BPRECISION:
        if (zs_precision_parse(val, &o->precision) == ZS_OK) return 0;
        cli_error("--precision: %s", zs_last_error());
        return -1;
    case OPT_PLOT:
        o->plot = val;
        return *val ? 0 : (cli_error("--plot: empty"), -1);
    default:
        return -1;
    }
}

int cli_parse_bench(int argc, char **argv, cli_bench_opts *o)
{
    static const cli_optdef defs[] = {COMMON_OPTS,
                                      RAW_OPTS,
                                      {"op", 0, 1, OPT_BOP},
                                      {"dtype", 0, 1, OPT_BDTYPE},
                                      {"threads", 0, 1, OPT_BTHREADS},
                                      {"slab", 0, 1, OPT_BSLAB},
                                      {"band", 0, 1, OPT_BBAND},
                                      {"engine", 0, 1, OPT_BENGINE},
                                      {"precision", 0, 1, OPT_BPRECISION},
                                      {"cold", 0, 0, OPT_COLD},
                                      {"repeat", 0, 1, OPT_REPEAT},
                                      {"json", 0, 0, OPT_BJSON},
                                      {"smoke", 0, 0, OPT_SMOKE},
                                      {"mem-budget", 0, 1, OPT_BBUDGET},
                                      {"tmp", 0, 1, OPT_TMP},
                                      {"plot", 0, 1, OPT_PLOT},
                                      {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->repeat = 5;
    o->ops = calloc((size_t)argc + 1, sizeof *o->ops);
    if (!o->ops) return missing("bench", "out of memory");
    cli_scan s;
    cli_scan_init(&s, argc, argv, 0, "bench", defs);
    const char *val;
    int id, rc = CLI_RUN;
    while (rc == CLI_RUN && (id = cli_scan_next(&s, &val)) != CLI_SCAN_END) {
        if (id == CLI_SCAN_BAD)
            rc = CLI_EXIT_USAGE;
        else if (id == CLI_SCAN_POSITIONAL)
            rc = one_positional("bench", &o->in, val);
        else if (!common_option(id, val, &o->raw, help_bench, &rc) && bench_option(id, val, o))
            rc = CLI_EXIT_USAGE;
    }
    if (rc != CLI_RUN) return rc;
    if (!o->in && !o->smoke) return missing("bench", "no IN file given (or --smoke)");
    return CLI_RUN;
}

void cli_bench_opts_free(cli_bench_opts *o) { free((void *)o->ops); }

/* ---- preview --------------------------------------------------------------------------- */
enum {
    OPT_PVIEW = OPT_FIRST_OWN,
    OPT_PTHREE,
    OPT_PAXIS,
    OPT_PZ,
    OPT_PT,
    OPT_PRANGE,
    OPT_PSIZE,
    OPT_PCMAP,
    OPT_PBUDGET,
    OPT_PTHREADS,
    OPT_PFORCE
};

static void help_preview(FILE *f)
{
    fprintf(f,
            "usage: zslab preview IN OUT.png [options]\n\n"
            "Reads IN once, a few planes at a time, and writes an 8-bit PNG: a maximum-intensity\n"
            "projection (MIP), one z-plane, or a three-view. x runs to the right and y down, as Fiji\n"
            "shows a plane. Every view has square pixels in physical units (the voxel size), resampled\n"
            "by box (area) averaging; NaN voxels are left out of the maxima.\n\n"
            "  --view V              mip (default), plane (needs --z) or three\n"
            "  --three-view          the same as --view three: the xy MIP top left, the MIP along x\n"
            "                        (z to the right, y down) to its right, the MIP along y (x to the\n"
            "                        right, z down) below it; 2-pixel black gaps, black bottom-right\n"
            "  --axis x|y|z          the MIP's axis (default z: x right, y down; y: x right, z down;\n"
            "                        x: z right, y down)\n"
            "  --z N                 the plane z=N (implies --view plane)\n"
            "  --t N                 the volume of a series (default 0)\n"
            "  --range R             auto (default: the 0.1 and 99.9 percentiles of the pixels shown,\n"
            "                        full resolution, numpy's linear method), auto:P1:P2 (other\n"
            "                        percentiles) or LO:HI; v becomes round(255 (v-LO)/(HI-LO)), clipped\n"
            "                        to 0..255; a constant image is black\n"
            "  --size N              the image's long side in pixels (default: one pixel per the finest\n"
            "                        voxel size shown)\n"
            "  --cmap C              grey (default, one channel), hot, green, magenta (RGB)\n"
            "  --mem-budget B        memory for the preview: projections in float32, a chunk of planes\n"
            "                        (at most 32 MiB), resampling, 16 MiB for the process (default 256M,\n"
            "                        or what the projections need, up to half the available memory)\n"
            "  --threads N           worker threads (default: usable cores, or ZS_THREADS)\n"
            "  -f, --force           overwrite OUT.png if it exists\n%s\n%s%s",
            common_help, formats_help(), raw_options_help);
}

static int parse_double(const char *opt, const char *text, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    if (end == text || *end || errno || !(*out == *out)) {
        cli_error("%s: cannot read the number '%s'", opt, text);
        return -1;
    }
    return 0;
}

/* auto, auto:P1:P2 or LO:HI. */
static int parse_range(const char *val, zs_preview_opts *p)
{
    char buf[128];
    const int is_auto = strncmp(val, "auto", 4) == 0;
    snprintf(buf, sizeof buf, "%s", is_auto ? val + 4 : val);
    if (is_auto && !buf[0]) return p->auto_range = 1, 0;
    char *a = buf + (is_auto && buf[0] == ':'), *colon = strchr(a, ':');
    if ((is_auto && buf[0] != ':') || !colon) {
        cli_error("--range: cannot read '%s' (want auto, auto:P1:P2 or LO:HI)", val);
        return -1;
    }
    *colon = '\0';
    double x, y;
    if (parse_double("--range", a, &x) || parse_double("--range", colon + 1, &y)) return -1;
    if (is_auto ? !(x >= 0 && x <= y && y <= 100) : !(x < y)) {
        cli_error("--range: %s: want %s", val, is_auto ? "0 <= P1 <= P2 <= 100" : "LO < HI");
        return -1;
    }
    p->auto_range = is_auto;
    if (is_auto)
        p->plo = x, p->phi = y;
    else
        p->lo = x, p->hi = y;
    return 0;
}

static int preview_option(int id, const char *val, cli_preview_opts *o)
{
    zs_preview_opts *p = &o->p;
    int64_t n;
    switch (id) {
    case OPT_PVIEW:
        if (strcmp(val, "mip") == 0)
            p->view = ZS_VIEW_MIP;
        else if (strcmp(val, "plane") == 0)
            p->view = ZS_VIEW_PLANE;
        else if (strcmp(val, "three") == 0)
            p->view = ZS_VIEW_THREE;
        else {
            cli_error("--view: unknown view '%s' (use mip, plane or three)", val);
            return -1;
        }
        o->has_view = 1;
        return 0;
    case OPT_PTHREE:
        p->view = ZS_VIEW_THREE;
        o->has_view = 1;
        return 0;
    case OPT_PAXIS:
        if (strlen(val) != 1 || !strchr("xyz", val[0])) {
            cli_error("--axis: '%s' (use x, y or z)", val);
            return -1;
        }
        p->axis = val[0] - 'x';
        o->has_axis = 1;
        return 0;
    case OPT_PZ:
        o->has_z = 1;
        return cli_parse_int("--z", val, 0, INT64_MAX, 0, &p->z);
    case OPT_PT:
        return cli_parse_int("--t", val, 0, INT64_MAX, 0, &p->t);
    case OPT_PRANGE:
        return parse_range(val, p);
    case OPT_PSIZE:
        return cli_parse_int("--size", val, 1, 32768, 0, &p->size);
    case OPT_PCMAP:
        if (zs_cmap_parse(val, &p->cmap) == ZS_OK) return 0;
        cli_error("--cmap: %s", zs_last_error());
        return -1;
    case OPT_PBUDGET:
        return cli_parse_size("--mem-budget", val, &p->mem_budget);
    case OPT_PTHREADS:
        if (cli_parse_int("--threads", val, 0, 4096, 0, &n)) return -1;
        p->threads = (int)n;
        return 0;
    case OPT_PFORCE:
        o->force = 1;
        return 0;
    default:
        return -1;
    }
}

/* --z, --axis and --view must agree: --z alone means a plane, --axis a MIP. */
static int check_preview(cli_preview_opts *o)
{
    zs_preview_opts *p = &o->p;
    if (o->has_z && !o->has_view) p->view = ZS_VIEW_PLANE;
    if (p->view == ZS_VIEW_PLANE && !o->has_z) return missing("preview", "--view plane needs --z N");
    if (o->has_z && p->view != ZS_VIEW_PLANE) {
        cli_error("preview: --z shows one plane; it does not combine with --view %s",
                  p->view == ZS_VIEW_THREE ? "three" : "mip");
        return CLI_EXIT_USAGE;
    }
    if (o->has_axis && p->view != ZS_VIEW_MIP) {
        cli_error("preview: --axis chooses the MIP's axis; it does not combine with a %s",
                  p->view == ZS_VIEW_THREE ? "three-view" : "plane");
        return CLI_EXIT_USAGE;
    }
    if (p->view == ZS_VIEW_THREE && p->size && p->size < 2 * ZS_PREVIEW_GAP + 2) {
        cli_error("--size: a three-view needs at least %d pixels", 2 * ZS_PREVIEW_GAP + 2);
        return CLI_EXIT_USAGE;
    }
    return CLI_RUN;
}

int cli_parse_preview(int argc, char **argv, cli_preview_opts *o)
{
    static const cli_optdef defs[] = {COMMON_OPTS,
                                      RAW_OPTS,
                                      {"view", 0, 1, OPT_PVIEW},
                                      {"three-view", 0, 0, OPT_PTHREE},
                                      {"axis", 0, 1, OPT_PAXIS},
                                      {"z", 0, 1, OPT_PZ},
                                      {"t", 0, 1, OPT_PT},
                                      {"range", 0, 1, OPT_PRANGE},
                                      {"size", 0, 1, OPT_PSIZE},
                                      {"cmap", 0, 1, OPT_PCMAP},
                                      {"mem-budget", 0, 1, OPT_PBUDGET},
                                      {"threads", 0, 1, OPT_PTHREADS},
                                      {"force", 'f', 0, OPT_PFORCE},
                                      {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    zs_preview_opts_default(&o->p);
    cli_scan s;
    cli_scan_init(&s, argc, argv, 0, "preview", defs);
    const char *val;
    int id, rc = CLI_RUN;
    while (rc == CLI_RUN && (id = cli_scan_next(&s, &val)) != CLI_SCAN_END) {
        if (id == CLI_SCAN_BAD)
            rc = CLI_EXIT_USAGE;
        else if (id == CLI_SCAN_POSITIONAL)
            rc = !o->in ? (o->in = val, CLI_RUN) : one_positional("preview", &o->out, val);
        else if (!common_option(id, val, &o->raw, help_preview, &rc) && preview_option(id, val, o))
            rc = CLI_EXIT_USAGE;
    }
    if (rc != CLI_RUN) return rc;
    if (!o->in) return missing("preview", "no IN file given");
    if (!o->out) return missing("preview", "no OUT.png given");
    return check_preview(o);
}
