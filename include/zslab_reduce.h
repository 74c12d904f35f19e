/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/** @file zslab_reduce.h
 * @brief Reductions (a pipeline that ends in records instead of voxels) and connected
 * components built on them. NOT YET STABLE: names and structs may change before 1.0.
 *
 * ## Reductions
 * A reduction consumes each slab's core after the pipeline's stages (the values the stages
 * compute, in the plan's work type, before any conversion to an output dtype) and turns it into
 * a *record*: bytes of the reduction's own layout (histogram bins, fragments of objects, ...).
 * `slab` runs on the workers, concurrently for different slabs, in any order; `merge` is called
 * once per slab, serialised, in slab order (0, 1, 2, ...), as soon as the records before it are
 * merged, so a record waits only for the slabs before it. What `merge` builds therefore does not
 * depend on the thread count, the slab order of the workers or the band height; it depends on
 * the slab height only as far as the reduction's records do (a histogram's sum does not).
 * A slab's planes are whole (all rows), whatever the plan's bands: one worker computes each slab,
 * plane by plane with whole-plane bands, or band by band (zs_reduce_plan's plans in bands).
 *
 * Call order: zs_reduce_plan (or zs_plan_create with zs_plan_opts.band = ny), then zs_plan_reduce with a zs_reduce. No
 * output volume is written. With a journal (zs_exec_opts.journal, attached for records: the
 * zs_label_journal_* calls) each record is made durable in the journal before the slab is
 * recorded, and `merge` is not called: the part that sees every slab recorded reads them back.
 *
 * ## Connected components
 * zs_label_* label the foreground of a volume (after an optional pipeline) exactly as
 * scipy.ndimage.label labels the array numpy opens from the file, numbering included, in two
 * streaming passes through z-slabs (see docs/labels.md): a reduction whose records are the
 * slab's fragments (runs of voxels along x, labelled slab by slab) and its first and last planes'
 * runs; a union-find merges fragments across slab faces in slab order; a second pass labels each
 * slab again and writes the final numbers.
 */
#ifndef ZSLAB_REDUCE_H
#define ZSLAB_REDUCE_H

#include "zslab.h"

#ifdef __cplusplus
extern "C" {
#endif

/** \defgroup reduce Reductions (not yet stable)
 * @{ */
/** The element type of a slab handed to a reduction: the plan's work type. */
typedef enum zs_reduce_type {
    ZS_REDUCE_F32 = 0, /**< float (float32 plans) */
    ZS_REDUCE_F64,     /**< double (float64 plans) */
    ZS_REDUCE_I64,     /**< int64_t (conversions of signed 32/64-bit integers without stages) */
    ZS_REDUCE_U64      /**< uint64_t (the same of unsigned integers) */
} zs_reduce_type;

/** One slab's core, after the stages. Borrowed for the call. */
typedef struct zs_reduce_slab {
    int64_t slab;        /**< index of the slab in the plan */
    int64_t t, z0, z1;   /**< volume of the series, core planes [z0, z1) */
    int64_t nx, ny, nz;  /**< the volume's shape */
    zs_reduce_type type; /**< element type of data */
    const void *data;    /**< (z1 - z0) planes of nx * ny elements, x fastest, then y, then z */
} zs_reduce_slab;

typedef struct zs_reduce {
    size_t struct_size; /**< sizeof the struct: initialise with zs_reduce_make() */
    void *user;         /**< handed to the callbacks */
    /** On a worker, for each slab: sets *record to malloc()ed bytes (or NULL, with *size 0) that
     *  the executor hands to merge and then free()s. Concurrent for different slabs. */
    zs_status (*slab)(void *user, const zs_reduce_slab *s, void **record, size_t *size);
    /** Serialised, in slab order; may be NULL (a reduction whose slab callback does all). The
     *  record is borrowed for the call. */
    zs_status (*merge)(void *user, int64_t slab, const void *record, size_t size);
} zs_reduce;
/** A reduction with its size set and nothing else: fill in user, slab and merge. */
static inline zs_reduce zs_reduce_make(void)
{
    zs_reduce r;
    r.struct_size = sizeof r;
    r.user = NULL;
    r.slab = NULL;
    r.merge = NULL;
    return r;
}

/** Plans `in` through `pipe` for a reduction. With opts->band 0 (or the plane's height): whole-plane
 *  bands, each stage's rings holding whole planes and a worker streaming runs of slabs (no work
 *  done twice); when those do not fit the memory budget even for one worker (deep pipelines on
 *  large planes), bands as zs_plan_create chooses them. With opts->band below the plane's height:
 *  bands of that height. A plan in bands computes each slab alone, band after band (a run of one
 *  slab: the stages' z-halos are computed again at each slab's faces), in one worker; the slab's
 *  planes are gathered whole for the reduction as with whole-plane bands.
 *  @param[out] out caller frees with zs_plan_free. @return zs_plan_create's errors (a budget too
 *  small for whole planes and for bands: the whole-plane plan's message). */
ZS_API zs_status zs_reduce_plan(const zs_volume_info *in, const zs_pipeline *pipe, const zs_plan_opts *opts,
                                zs_plan **out);
/** Runs the plan's slabs [opts->first_slab, last_slab) through its stages into the reduction.
 *  `opts` as for zs_plan_execute (NULL: defaults); a journal must be attached for records. The
 *  plan comes from zs_reduce_plan, or zs_plan_create with whole-plane bands (zs_plan_opts.band =
 *  the plane's height, ny); a plan in bands with runs of several slabs is refused (ZS_EINVAL).
 *  @return ZS_OK, the first error of a callback or of the run (ZS_ECANCELED when stopped). */
ZS_API zs_status zs_plan_reduce(const zs_plan *plan, const zs_volume *in, const zs_reduce *r, const zs_exec_opts *opts,
                                zs_run_stats *stats);
/** @} */

/** \defgroup label Connected components (not yet stable)
 * @{ */
/** How components are numbered: by their first voxel in C index order of the array a reader
 *  makes of the file. Numpy's axis 0 is zslab's x for .npy, NIfTI, NRRD, raw files, arrays, and
 *  Zarr / HDF5 datasets whose axes the file does not name (a numpy array of shape (a, b, c) has
 *  nx = a); it is z for TIFF, plane series, MetaImage, and Zarr / HDF5 with named axes (OME-Zarr,
 *  labelled datasets, Imaris, BigDataViewer), which tifffile, SimpleITK, zarr and h5py give as
 *  (z, y, x). */
typedef enum zs_label_numbering {
    ZS_NUMBER_AUTO = 0, /**< from the input's format, as above */
    ZS_NUMBER_XYZ,      /**< x slowest, then y, then z (numpy shape (nx, ny, nz)) */
    ZS_NUMBER_ZYX       /**< z slowest, then y, then x (numpy shape (nz, ny, nx)) */
} zs_label_numbering;

typedef struct zs_label_opts {
    size_t struct_size;           /**< sizeof the struct: set by zs_label_opts_default() */
    int connectivity;             /**< 6 (default), 18 or 26: generate_binary_structure(3, 1 | 2 | 3) */
    int has_threshold;            /**< 1: foreground is value > threshold; 0: value != 0 (NaN is foreground) */
    double threshold;             /**< see has_threshold */
    zs_label_numbering numbering; /**< see zs_label_numbering */
    int64_t min_size, max_size;   /**< keep components of min_size..max_size voxels (0: no bound) and
                                       number the kept ones consecutively in the same order */
    const zs_volume *intensity;   /**< the table's intensities (borrowed; same shape); NULL: the input */
    int table;                    /**< 1: measure each component (zs_label_table_write) */
    volatile int *stop;           /**< optional: set non-zero to stop (ZS_ECANCELED); zs_label_write watches it
                                       too, so it must stay valid until zs_label_free */
} zs_label_opts;
ZS_API void zs_label_opts_default(zs_label_opts *o);

typedef struct zs_labeling zs_labeling;

/** Plans `in` through `pipe` for labels: whole-plane bands, and (opts->slab 0) the tallest slab
 *  that keeps what labels add per worker (ZS_LABEL_BYTES_PER_VOXEL, twice with a table) and the
 *  plan's own peak within the memory budget, a multiple of opts->z_align; at least one plane.
 *  @param[out] out caller frees with zs_plan_free. @return zs_plan_create's errors. */
ZS_API zs_status zs_label_plan(const zs_volume_info *in, const zs_pipeline *pipe, const zs_plan_opts *opts, int table,
                               zs_plan **out);
/** Bytes per voxel of a slab that labels hold per worker beyond the plan: the slab's values (a
 *  float64 or 64-bit work element at most), its runs (16 bytes per run: 8 a voxel at worst) and
 *  the labels written (8 a voxel at most). */
#define ZS_LABEL_BYTES_PER_VOXEL 24

/** Labels `in` through the plan's stages (the plan made over `in` with whole-plane bands, as zs_plan_reduce needs):
 *  the first pass, which counts and numbers the components and measures them when opts->table.
 *  Memory: the plan's, per worker a slab of work elements and its runs (16 bytes per run of
 *  foreground along x, 8 per row), plus ZS_LABEL_BYTES_PER_FRAGMENT per fragment (a component's
 *  part in one slab; ZS_LABEL_TABLE_BYTES_PER_FRAGMENT more with a table) in arrays grown by
 *  doubling, and while numbering 40 bytes per component. A table of fragments that would pass
 *  the plan's memory budget (less what the plan and the slabs hold) fails with ZS_ENOMEM naming
 *  the budget, before it is allocated.
 *  @param[out] out caller frees with zs_label_free. */
ZS_API zs_status zs_label_count(const zs_plan *plan, const zs_volume *in, const zs_label_opts *opts, zs_labeling **out);
#define ZS_LABEL_BYTES_PER_FRAGMENT       24
#define ZS_LABEL_TABLE_BYTES_PER_FRAGMENT 104
/** Components kept (after min_size / max_size). */
ZS_API uint64_t zs_label_components(const zs_labeling *l);
/** The numbering used: ZS_NUMBER_XYZ or ZS_NUMBER_ZYX (AUTO resolved from the input's format). */
ZS_API zs_label_numbering zs_label_numbering_used(const zs_labeling *l);
/** The smallest of uint32 and uint64 that holds every label (uint32 up to 2^32 - 1 components). */
ZS_API zs_dtype zs_label_dtype(const zs_labeling *l);
/** Second pass: writes the labels into `out` (created with the plan's shape and an unsigned integer
 *  dtype that holds them: ZS_EINVAL otherwise, before anything is written). */
ZS_API zs_status zs_label_write(const zs_labeling *l, zs_volume *out, zs_run_stats *stats);
/** One row per kept component (opts->table): label, voxels, centroid_x/y/z (and *_um when the
 *  input has a voxel size), x_min..z_max, sum, mean, min, max; `path` ending in .npy is a
 *  structured array, else CSV. Written to path.partial, renamed when complete. */
ZS_API zs_status zs_label_table_write(const zs_labeling *l, const char *path);
/** The table's columns as arrays: column i (0 <= i < zs_label_table_columns) named *name, its
 *  zs_label_components() values converted to double into dst. @return ZS_EINVAL past the end. */
ZS_API int zs_label_table_columns(const zs_labeling *l);
ZS_API zs_status zs_label_table_column(const zs_labeling *l, int i, const char **name, double *dst);
ZS_API void zs_label_free(zs_labeling *l);

/** Parts and resumed runs (docs/labels.md, "Parts and resume"). Order, in each part:
 *  zs_journal_begin(OUT) → zs_label_plan (slab = zs_journal_slab_height() when not 0) →
 *  zs_label_journal_attach → zs_label_count_part → zs_label_journal_finisher; the finisher then
 *  zs_label_count_records → zs_label_write (OUT created as for one run) → zs_journal_remove(OUT).
 *  Attaches `j` for a reduction's records: the header fingerprints the plan and every option that
 *  decides the labels (and `extra`, the caller's own, e.g. a forced dtype), so that parts with
 *  other options are refused (ZS_EEXIST naming the difference). */
ZS_API zs_status zs_label_journal_attach(zs_journal *j, const zs_plan *plan, const zs_volume *in,
                                         const zs_label_opts *opts, const char *extra);
/** Pass 1 over the part's slabs that are not recorded yet: each slab's record is made durable in
 *  the journal before the slab is recorded. */
ZS_API zs_status zs_label_count_part(const zs_plan *plan, const zs_volume *in, const zs_label_opts *opts,
                                     zs_journal *j);
/** Finishes the part's journal (zs_journal_finish); *finisher 1 when every slab is recorded and
 *  this process holds the finisher's lock (one process at a time: the others leave it). */
ZS_API zs_status zs_label_journal_finisher(zs_journal *j, int *finisher);
/** The finisher's count: every slab's record read back and merged in slab order, then numbered,
 *  as zs_label_count does (the same labeling). A missing or damaged record is an error naming it. */
ZS_API zs_status zs_label_count_records(const zs_plan *plan, const zs_volume *in, const zs_label_opts *opts,
                                        const zs_journal *j, zs_labeling **out);
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* ZSLAB_REDUCE_H */
