/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The option table: every flag of the command line once. A flag that means the same for
 * several commands has one row listing them all; a spelling that means something else in
 * one command (bench's --threads LIST is a sweep, not a count) has a row of its own. The
 * order of the rows is the order of COMMAND --list-options; the order of COMMAND --help is
 * the command's help text (its cmd_*.c), which may also word a flag its own way. */
#include <stddef.h>
#include <string.h>

#include "options.h"

#define AT(f)   .at = offsetof(cli_opts, f), .size = sizeof(((cli_opts *)0)->f)
#define SEEN(f) .seen = offsetof(cli_opts, f)
#define FLAG(f) .set = cli_set_const, AT(f), .min = 1 /* a flag without a value: sets the field to 1 */
#define OFF(f)  .set = cli_set_const, AT(f)           /* ... to 0 */

/* commands that read an input, and so take the raw options */
#define READERS "info filter convert bench preview label detect resample"
#define RUNNERS "filter convert" /* the commands of the slab engine */

const cli_flag cli_flags[] = {
    /* every command */
    {.name = "help", .letter = 'h', .set = cli_set_help, .cmds = "*", .help = "this help"},
    {.name = "quiet", .letter = 'q', .set = cli_set_quiet, .cmds = "*", .help = "errors only"},
    {.name = "verbose",
     .letter = 'v',
     .set = cli_set_verbose,
     .cmds = "*",
     .help = "more detail (-vv: trace library errors with file:line)"},
    /* a raw input */
    {.name = "in-shape",
     .value = "AxBxC[xT]",
     .set = cli_set_shape,
     AT(raw.shape),
     SEEN(raw.ndim),
     .cmds = READERS,
     .help = "extents x, y, z (x fastest in F order), optionally a series length"},
    {.name = "in-dtype",
     .value = "T",
     .set = cli_set_dtype,
     AT(raw.dtype),
     SEEN(raw.has_dtype),
     .cmds = READERS,
     .help = "numpy dtype name: uint8 ... float64, '<u2', '>f4' (byte order)"},
    {.name = "in-offset",
     .value = "N",
     .set = cli_set_int,
     AT(raw.offset),
     SEEN(raw.has_offset),
     .max = INT64_MAX,
     .suffixes = 1,
     .cmds = READERS,
     .help = "bytes before the first voxel (default 0; K, M, G accepted)"},
    {.name = "in-order",
     .value = "F|C",
     .set = cli_set_order,
     AT(raw.order),
     SEEN(raw.has_order),
     .cmds = READERS,
     .help = "memory order (default F; C order is read by gathering: slower)"},
    /* the pipeline and the run */
    {.name = "op",
     .value = "SPEC",
     .set = cli_set_append,
     .cmds = "filter bench label detect resample",
     .help = "a stage, e.g. gaussian:sigma=2, gaussian:sigma=1x1x3:mode=nearest,\n"
             "median:size=3, white_tophat:size=7, dog:sigma1=1:sigma2=3"},
    {.name = "plugin",
     .value = "FILE",
     .set = cli_set_plugin,
     .cmds = "list filter label detect resample",
     .help = "load a kernel plugin (a shared object: examples/plugin);\n"
             "ZS_PLUGINS=A.so:B.so loads plugins for every command"},
    {.name = "dtype",
     .value = "T",
     .set = cli_set_dtype,
     AT(dtype),
     SEEN(has_dtype),
     .cmds = "create filter convert bench label resample",
     .help = "output dtype (default: the input's)"},
    {.name = "threads",
     .value = "N",
     .set = cli_set_int,
     AT(threads),
     .max = 4096,
     .cmds = "create filter convert preview label detect resample",
     .help = "worker threads (default: usable cores, or ZS_THREADS)"},
    {.name = "threads",
     .value = "LIST",
     .set = cli_set_sweep,
     AT(sweep_threads),
     .min = 1,
     .max = 4096,
     .cmds = "bench",
     .help = "e.g. 1,2 (default: usable cores)"},
    {.name = "slab",
     .value = "Z",
     .set = cli_set_int,
     AT(slab),
     .max = INT64_MAX,
     .suffixes = 1,
     .cmds = RUNNERS " label detect resample",
     .help = "planes per slab: the unit of the journal, of parts and of progress\n"
             "(default: up to 32, balanced over the workers)"},
    {.name = "slab",
     .value = "LIST",
     .set = cli_set_sweep,
     AT(sweep_slabs),
     .min = 1,
     .max = INT64_MAX,
     .cmds = "bench",
     .help = "planes per slab, e.g. 8,32 (default: the planner's choice)"},
    {.name = "band",
     .value = "ROWS",
     .set = cli_set_int,
     AT(band),
     .max = INT64_MAX,
     .suffixes = 1,
     .cmds = RUNNERS " label detect",
     .help = "rows per tile: a worker streams bands of ROWS rows (all of x) through\n"
             "the stages; memory per worker grows with the band, not with the\n"
             "plane (default: from the cache sizes and the memory budget)",
     .param = "band"},
    {.name = "band",
     .value = "LIST",
     .set = cli_set_sweep,
     AT(sweep_bands),
     .min = 1,
     .max = INT64_MAX,
     .cmds = "bench",
     .help = "rows per tile band, e.g. 16,64 (default: the planner's choice)"},
    {.name = "mem-budget",
     .value = "B",
     .set = cli_set_size,
     AT(mem_budget),
     .cmds = "filter convert bench preview label detect resample",
     .help = "memory for all workers: 512M, 2G, 1.5G or bytes (default: a share\n"
             "of the available memory, under any cgroup limit)",
     .param = "mem_budget"},
    {.name = "dry-run",
     FLAG(dry_run),
     .cmds = RUNNERS " label detect resample",
     .help = "print the plan (slabs, halo, memory) and stop; writes nothing"},
    {.name = "progress",
     FLAG(progress),
     .cmds = RUNNERS " label resample",
     .help = "show progress even with -q (default: a bar on a terminal, a line\nevery ~5 s otherwise)"},
    {.name = "force",
     .letter = 'f',
     FLAG(force),
     .cmds = "create filter convert preview label detect resample",
     .help = "overwrite OUT if it exists",
     .param = "force"},
    {.name = "no-bind", OFF(bind), .cmds = RUNNERS " label detect resample", .help = "do not bind workers to cores"},
    {.name = "engine",
     .value = "E",
     .set = cli_set_engines,
     .cmds = RUNNERS " label detect resample",
     .help = "how workers move bytes: mmap (map the slab), pread (read into and\n"
             "write from a worker buffer), direct (O_DIRECT, writes queued to an I/O\n"
             "thread per worker: bypasses the page cache), uring (direct's requests\n"
             "through an io_uring ring per worker), or auto (default: pread;\n"
             "direct when input and output together exceed half the available memory,\n"
             "or reach 256 MiB with an input that is not in the page cache, and for\n"
             "writes to Lustre/GPFS/BeeGFS/CephFS; --dry-run says which, why);\n"
             "--read-engine/--write-engine set one side"},
    {.name = "engine",
     .value = "LIST",
     .set = cli_set_engine_list,
     .cmds = "bench",
     .help = "mmap, pread (pread in, pwrite out), direct (O_DIRECT), uring (O_DIRECT\n"
             "through io_uring), e.g. mmap,pread,direct,uring"},
    {.name = "read-engine", .value = "E", .set = cli_set_engine, AT(read_engine), .cmds = RUNNERS " label resample"},
    {.name = "write-engine", .value = "E", .set = cli_set_engine, AT(write_engine), .cmds = RUNNERS},
    {.name = "precision",
     .value = "P",
     .set = cli_set_precision,
     AT(precision),
     .cmds = "filter convert bench label detect resample",
     .help = "the type the stages compute in: float32 (fast; integers beyond 2^24 are\n"
             "rounded), float64 (exact selections on 32/64-bit integers, float64\n"
             "arithmetic as scipy), or auto (default: float64 for int32/uint32/int64/\n"
             "uint64 inputs when every stage has a float64 kernel; --dry-run says why)"},
    /* parts and journals */
    {.name = "part",
     .value = "I/N",
     .set = cli_set_part,
     SEEN(has_part),
     .cmds = RUNNERS " label detect resample",
     .help = "run part I (0..N-1) of N contiguous slab ranges; parts may run at once\n"
             "on many nodes; the last one to finish renames OUT.partial to OUT"},
    {.name = "resume",
     FLAG(resume),
     .cmds = RUNNERS " label detect resample",
     .help = "continue OUT from its journal, skipping finished slabs (or start it)",
     .param = "resume"},
    {.name = "journal",
     FLAG(journal),
     .cmds = RUNNERS " label detect resample",
     .help = "keep a journal, so that an interrupted run can be resumed"},
    {.name = "drop-cache",
     FLAG(drop_cache),
     .cmds = RUNNERS,
     .help = "drop each finished slab's pages from the page cache (input and\n"
             "output): on by default under a cgroup memory limit (a SLURM job),\n"
             "or as ZS_DROP_CACHE=0|1 says; --no-drop-cache: never"},
    {.name = "no-drop-cache", OFF(drop_cache), .cmds = RUNNERS},
    /* outputs */
    {.name = "compress",
     .value = "C",
     .set = cli_set_compress,
     AT(compress),
     .cmds = "create filter convert label resample",
     .help = "compressed output: none (default: contiguous, mapped like .npy); TIFF:\n"
             "deflate, lzw, zstd (compressed in the workers, pages written in order);\n"
             "zslab info --formats lists what each format writes"},
    {.name = "chunks",
     .value = "ZxYxX",
     .set = cli_set_chunks,
     AT(chunk),
     .cmds = "create filter convert label resample",
     .help = "chunked output: the chunk shape, z first (default: the format's); slabs\n"
             "start on the chunks, so no two workers or parts write one chunk"},
    {.name = "pyramid",
     .value = "N",
     .set = cli_set_int,
     AT(pyramid),
     .max = ZS_PYRAMID_MAX,
     .cmds = "create filter convert",
     .help = "OME-Zarr output: N more levels, each the mean of the one before over the\n"
             "axes whose voxel is at most half the coarsest (all three when isotropic),\n"
             "made as the volume is written (plain runs; napari and neuroglancer open them)"},
    /* batches */
    {.name = "batch",
     .value = "LIST|GLOB|DIR",
     .set = cli_set_string,
     AT(batch),
     .cmds = RUNNERS,
     .help = "the inputs: a list file, a quoted glob ('data/*.tif') or a directory\n"
             "(its volume files); globs and directories in natural order (a2 < a10)"},
    {.name = "jobs-file",
     .value = "F",
     .set = cli_set_string,
     AT(jobs_file),
     .cmds = RUNNERS,
     .help = "the inputs from the list file F: one path per line (relative to the\n"
             "current directory; blank lines and # comments are skipped)"},
    {.name = "out-dir",
     .value = "D",
     .set = cli_set_string,
     AT(out_dir),
     .min = 1,
     .cmds = RUNNERS,
     .help = "where the outputs go (created if missing); required in a batch"},
    {.name = "out-format",
     .value = "F",
     .set = cli_set_out_format,
     .cmds = RUNNERS,
     .help = "a name suffix of zslab info --formats (npy, tif, nii, mhd, nrrd, ...);\n"
             "default: each input's own extension; a plane-series input then gives\n"
             "D/<name>/ (TIFF planes)"},
    {.name = "preview",
     FLAG(preview),
     .cmds = RUNNERS,
     .help = "when OUT is written, also write its three-view beside it: OUT.preview.png\n"
             "(zslab preview OUT OUT.preview.png --three-view --size 512; reads OUT once)"},
    {.name = "report",
     .value = "R.html",
     .set = cli_set_string,
     AT(report),
     .min = 1,
     .cmds = RUNNERS,
     .help = "also write one self-contained page (images inline): per stack its input\n"
             "and output three-views side by side, status, seconds, Mvox/s, shape,\n"
             "voxel size and pipeline, or the error; reads each input and output once\n"
             "more (three-views as --preview)"},
    {.name = "dataset",
     .value = "PATH",
     .set = cli_set_string,
     AT(dataset),
     .min = 1,
     .cmds = RUNNERS " label detect resample",
     .help = "IN is an HDF5 file: read its dataset PATH (the same as IN:PATH)"},
    /* bench */
    {.name = "cold",
     FLAG(cold),
     .cmds = "bench",
     .help = "drop the input's pages before each run and sync the output in\n"
             "store and end-to-end: measures the storage, not the page cache; first\n"
             "measures the device (direct reads and writes, alone and together) and\n"
             "gives each setting's end-to-end against the job's bound"},
    {.name = "repeat",
     .value = "N",
     .set = cli_set_int,
     AT(repeat),
     .min = 1,
     .max = 64,
     .cmds = "bench",
     .help = "runs per phase (default 5)"},
    {.name = "json", FLAG(json), .cmds = "info status bench", .help = "one JSON object per file, on one line"},
    {.name = "smoke",
     FLAG(smoke),
     .cmds = "bench",
     .help = "a quick self-test on a small synthetic volume (IN not needed)"},
    {.name = "tmp",
     .value = "DIR",
     .set = cli_set_string,
     AT(tmpdir),
     .cmds = "bench",
     .help = "where outputs are written (default: beside IN)"},
    {.name = "plot",
     .value = "B.svg",
     .set = cli_set_string,
     AT(plot),
     .min = 1,
     .cmds = "bench",
     .help = "also draw the phases as bars per setting (median, min-max whiskers),\n"
             "the bound max(read+store, compute) as a dashed line, the overlap\n"
             "efficiency under each setting: an SVG file (with the table or --json)"},
    /* info, list */
    {.name = "formats",
     FLAG(formats),
     .cmds = "info",
     .help = "the formats zslab reads and writes: names, what each can do"},
    {.name = "names", FLAG(names_only), .cmds = "list", .help = "kernel names only, one per line"},
    /* create */
    {.name = "shape",
     .value = "AxBxC[xT]",
     .set = cli_set_shape,
     AT(shape),
     SEEN(ndim),
     .cmds = "create",
     .help = "extents x, y, z (and a series length t)"},
    {.name = "pattern",
     .value = "P",
     .set = cli_set_pattern,
     .cmds = "create",
     .help = "zeros (default), ramp (x+y+z), noise (uniform over the\n"
             "dtype; [0,1) for floats), phantom (light-sheet-like blobs), cells\n"
             "(separated blobs; their true table in OUT.cells.csv)"},
    {.name = "seed",
     .value = "N",
     .set = cli_set_u64,
     AT(seed),
     .cmds = "create",
     .help = "seed of noise, phantom and cells (default 0)"},
    {.name = "voxel-size",
     .value = "S",
     .set = cli_set_voxel,
     .cmds = "create",
     .help = "voxel size: 0.5 or 1x1x4, optionally with a unit (1x1x4um)"},
    {.name = "unit",
     .value = "U",
     .set = cli_set_unit,
     .cmds = "create",
     .help = "unit of the voxel size (um, mm, nm)"},
    /* preview */
    {.name = "view",
     .value = "V",
     .set = cli_set_view,
     SEEN(has_view),
     .cmds = "preview",
     .help = "mip (default), plane (needs --z) or three"},
    {.name = "three-view",
     .set = cli_set_view,
     SEEN(has_view),
     .cmds = "preview",
     .help = "the same as --view three: the xy MIP top left, the MIP along x\n"
             "(z to the right, y down) to its right, the MIP along y (x to the\n"
             "right, z down) below it; 2-pixel black gaps, black bottom-right"},
    {.name = "axis",
     .value = "x|y|z",
     .set = cli_set_axis,
     SEEN(has_axis),
     .cmds = "preview",
     .help = "the MIP's axis (default z: x right, y down; y: x right, z down;\n"
             "x: z right, y down)"},
    {.name = "z",
     .value = "N",
     .set = cli_set_int,
     AT(p.z),
     SEEN(has_z),
     .max = INT64_MAX,
     .cmds = "preview",
     .help = "the plane z=N (implies --view plane)"},
    {.name = "t",
     .value = "N",
     .set = cli_set_int,
     AT(p.t),
     .max = INT64_MAX,
     .cmds = "preview",
     .help = "the volume of a series (default 0)"},
    {.name = "range",
     .value = "R",
     .set = cli_set_range,
     .cmds = "preview",
     .help = "auto (default: the 0.1 and 99.9 percentiles of the pixels shown,\n"
             "full resolution, numpy's linear method), auto:P1:P2 (other\n"
             "percentiles) or LO:HI; v becomes round(255 (v-LO)/(HI-LO)), clipped\n"
             "to 0..255; a constant image is black"},
    {.name = "size",
     .value = "N",
     .set = cli_set_int,
     AT(p.size),
     .min = 1,
     .max = 32768,
     .cmds = "preview",
     .help = "the image's long side in pixels (default: one pixel per the finest\nvoxel size shown)"},
    {.name = "cmap",
     .value = "C",
     .set = cli_set_cmap,
     .cmds = "preview",
     .help = "grey (default, one channel), hot, green, magenta (RGB)"},
    {.name = "cells",
     .value = "CELLS.csv",
     .set = cli_set_string,
     AT(cells),
     .min = 1,
     .cmds = "preview",
     .help = "mark the cells of a table with x, y, z columns (zslab detect's .csv):\n"
             "a red ring around each (in a plane, the cells within 2 planes of it)"},
    /* label */
    {.name = "threshold",
     .value = "T",
     .set = cli_set_threshold,
     .cmds = "label",
     .help = "foreground is value > T (default: nonzero; NaN is nonzero)"},
    {.name = "connectivity",
     .value = "N",
     .set = cli_set_connectivity,
     .cmds = "label",
     .help = "6 (default), 18 or 26: generate_binary_structure(3, 1|2|3)"},
    {.name = "table",
     .value = "P",
     .set = cli_set_string,
     AT(table),
     .min = 1,
     .cmds = "label",
     .help = "one row per label: label, voxels, centroid_x/y/z (_um with a voxel\n"
             "size), x_min..z_max (inclusive), sum, mean, min, max; .npy: a\n"
             "structured array, else CSV"},
    {.name = "intensity",
     .value = "IN2",
     .set = cli_set_string,
     AT(intensity),
     .min = 1,
     .cmds = "label detect",
     .help = "the table's intensities (default: IN)"},
    {.name = "min-size",
     .value = "N",
     .set = cli_set_int,
     AT(min_size),
     .max = INT64_MAX,
     .cmds = "label detect",
     .help = "keep components of N voxels or more; renumbered 1, 2, ..."},
    {.name = "max-size",
     .value = "N",
     .set = cli_set_int,
     AT(max_size),
     .max = INT64_MAX,
     .cmds = "label detect",
     .help = "keep components of at most N voxels; renumbered 1, 2, ..."},
    {.name = "slab-height",
     .value = "H",
     .set = cli_set_int,
     AT(slab),
     .max = INT64_MAX,
     .suffixes = 1,
     .cmds = "label detect",
     .help = "planes per slab (as --slab); the labels do not depend on it"},
    /* detect */
    {.name = "maxima",
     .value = "size=S[:threshold=T]",
     .set = cli_set_string,
     AT(maxima),
     .min = 1,
     .cmds = "detect",
     .help = "a cell is a plateau of f == maximum_filter(f, S, mode='nearest')\n"
             "and f > T (S: one size or AxBxC, each >= 1; T: default none)"},
    {.name = "min-intensity",
     .value = "V",
     .set = cli_set_string,
     AT(min_intensity),
     .min = 1,
     .cmds = "detect",
     .help = "keep cells whose intensity (the largest on the plateau) is >= V"},
    /* resample */
    {.name = "voxel-size",
     .value = "S",
     .set = cli_set_resample_target,
     .cmds = "resample",
     .help = "the output's voxel size: 25um, or 10x10x25um (without a unit:\n"
             "in the input's unit, or in input voxels when it has none)"},
    {.name = "shape",
     .value = "XxYxZ",
     .set = cli_set_resample_target,
     .cmds = "resample",
     .help = "the output's extents x, y, z"},
    {.name = "factor",
     .value = "F",
     .set = cli_set_resample_target,
     .cmds = "resample",
     .help = "zoom factors: 0.5 (halves each axis) or 0.5x0.5x1; output extent =\n"
             "round(extent * factor), as scipy.ndimage.zoom"},
    {.name = "method",
     .value = "M",
     .set = cli_set_resample_method,
     .cmds = "resample",
     .help = "area (default when no axis grows: overlap-weighted mean), linear\n"
             "(default otherwise), nearest (labels: exact), antialias (Gaussian,\n"
             "then linear, as skimage resize(anti_aliasing=True))"},
    {.name = "like",
     .value = "IN2",
     .set = cli_set_string,
     AT(like),
     .min = 1,
     .cmds = "resample",
     .help = "IN is a cell table (CSV: x, y, z or centroid_x, centroid_y, centroid_z\n"
             "in voxels of IN2): OUT.csv holds its positions in IN2's resampled grid"},
    {.name = "density",
     .value = "D",
     .set = cli_set_string,
     AT(density),
     .min = 1,
     .cmds = "resample",
     .help = "with --like: the cells counted per voxel of the resampled grid, a\n"
             "volume (uint32, or --dtype), as numpy.histogramdd"},
    {0},
};

int cli_flag_taken(const cli_flag *f, const char *cmd)
{
    const size_t n = strlen(cmd);
    for (const char *s = f->cmds; *s;) {
        const size_t k = strcspn(s, " ");
        if ((k == 1 && *s == '*') || (k == n && strncmp(s, cmd, n) == 0)) return 1;
        s += k;
        while (*s == ' ') s++;
    }
    return 0;
}

const cli_flag *cli_flag_find(const char *cmd, const char *name, size_t len)
{
    for (const cli_flag *f = cli_flags; f->name; f++)
        if (strlen(f->name) == len && strncmp(f->name, name, len) == 0 && cli_flag_taken(f, cmd)) return f;
    return NULL;
}

const cli_flag *cli_flag_of_param(const char *param, size_t len)
{
    for (const cli_flag *f = cli_flags; f->name; f++)
        if (f->param && strlen(f->param) == len && strncmp(f->param, param, len) == 0) return f;
    return NULL;
}
