/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/** @file zslab_detect.h
 * @brief Cell detection: local maxima of a pipeline's output, merged into cells across slabs,
 * and the tables users' tools read. NOT YET STABLE: names and structs may change before 1.0.
 *
 * A cell is a plateau of local maxima: a 26-connected set of voxels where f equals the maximum
 * of f over the box (scipy's maximum_filter(f, size, mode='nearest')) and f > threshold, f being
 * what the pipeline's stages compute. Exactly the components of scipy's
 * `label((f == maximum_filter(f, S, mode='nearest')) & (f > T), ones((3, 3, 3)))`, at their
 * center_of_mass, in the order of their first voxel (z, then y, then x). The maxima are the
 * `localmax` kernel appended to the pipeline; the plateaus are zs_label_count's components
 * (zslab_reduce.h), so the result does not depend on slabs or threads (docs/cells.md).
 *
 * Call order: zs_detect_check (the parameters and the table's name, before anything is read) →
 * zs_detect_plan (appends the maxima stage to the pipeline and plans it) → zs_detect_run →
 * zs_cells_write → zs_cells_free.
 */
#ifndef ZSLAB_DETECT_H
#define ZSLAB_DETECT_H

#include "zslab_reduce.h"

#ifdef __cplusplus
extern "C" {
#endif

/** \defgroup detect Cell detection (not yet stable)
 * @{ */
typedef struct zs_detect_opts {
    size_t struct_size;         /**< sizeof the struct: set by zs_detect_opts_default() */
    int64_t size[3];            /**< the maxima's box, x y z, each >= 1 (default 3) */
    int has_threshold;          /**< 1: a maximum is also f > threshold (in the work type) */
    double threshold;           /**< see has_threshold */
    const zs_volume *intensity; /**< the cells' intensities (borrowed; same shape); NULL: the input */
    int64_t min_size, max_size; /**< keep cells of min_size..max_size plateau voxels (0: no bound) */
    int has_min_intensity;      /**< 1: keep cells whose intensity is >= min_intensity */
    double min_intensity;       /**< see has_min_intensity */
    volatile int *stop;         /**< optional: set non-zero to stop (ZS_ECANCELED) */
} zs_detect_opts;
ZS_API void zs_detect_opts_default(zs_detect_opts *o);

/** The kinds of table zs_cells_write writes, by the name's ending. */
typedef enum zs_cells_format {
    ZS_CELLS_CSV = 0, /**< .csv: a header, one row a cell */
    ZS_CELLS_NPY,     /**< .npy: ClearMap2's structured cell array */
    ZS_CELLS_XML,     /**< .xml: Fiji Cell Counter markers (CellCounter_Marker_File), as BrainGlobe reads them */
    ZS_CELLS_POINTS   /**< .points.csv: napari's points CSV (index, axis-0, axis-1, axis-2 = z, y, x) */
} zs_cells_format;
/** The table format of `path` by its ending; ZS_EPARAM naming it when no format has that ending. */
ZS_API zs_status zs_cells_format_of(const char *path, zs_cells_format *out);

/** Checks the options (box sizes, sizes, the intensity volume's shape against `in`) and, when
 *  `cells_path` is not NULL, the table's name: ZS_EPARAM naming the parameter. Reads no voxel. */
ZS_API zs_status zs_detect_check(const zs_volume_info *in, const zs_detect_opts *o, const char *cells_path);

/** Appends the maxima stage (`localmax:size=...:threshold=...`) to `pipe` and plans `in` through
 *  it for labels with a table (zs_label_plan). @param[out] out caller frees with zs_plan_free. */
ZS_API zs_status zs_detect_plan(const zs_volume_info *in, zs_pipeline *pipe, const zs_detect_opts *o,
                                const zs_plan_opts *popts, zs_plan **out);

typedef struct zs_cells zs_cells;
/** Runs the plan (made by zs_detect_plan with the same options) over `in` and collects the
 *  cells. Memory: as zs_label_count with a table. @param[out] out caller frees with zs_cells_free. */
ZS_API zs_status zs_detect_run(const zs_plan *plan, const zs_volume *in, const zs_detect_opts *o, zs_cells **out);
/** Parts and resumed runs, on the labels' journal of records (zslab_reduce.h, docs/labels.md
 *  "Parts and resume"): in each part zs_journal_begin(CELLS) → zs_detect_plan (slab =
 *  zs_journal_slab_height() when not 0) → zs_detect_journal_attach → zs_detect_run_part; the part
 *  that gets *finisher 1 then zs_detect_run_records → zs_cells_write(CELLS) →
 *  zs_journal_remove(CELLS). The header fingerprints the plan (the maxima stage included) and every
 *  option, so parts with other options are refused (ZS_EEXIST naming the difference). */
ZS_API zs_status zs_detect_journal_attach(zs_journal *j, const zs_plan *plan, const zs_volume *in,
                                          const zs_detect_opts *o);
/** The part's slabs not recorded yet, each slab's record durable in the journal before the slab
 *  is recorded; then *finisher 1 when every slab is recorded and this process holds the
 *  finisher's lock. */
ZS_API zs_status zs_detect_run_part(const zs_plan *plan, const zs_volume *in, const zs_detect_opts *o, zs_journal *j,
                                    int *finisher);
/** The finisher's cells: every slab's record read back and merged in slab order (as zs_detect_run).
 *  @param[out] out caller frees with zs_cells_free. */
ZS_API zs_status zs_detect_run_records(const zs_plan *plan, const zs_volume *in, const zs_detect_opts *o,
                                       const zs_journal *j, zs_cells **out);
/** Cells kept. */
ZS_API uint64_t zs_cells_count(const zs_cells *c);
/** The columns of the CSV table: x, y, z (voxels, zslab's axes; the plateau's centroid), x_um,
 *  y_um, z_um when the input's voxel size has a unit in um, mm or nm, size (plateau voxels),
 *  value (f at the maximum), intensity (the input's, or opts.intensity's, largest value on the
 *  plateau). Column i named *name, its zs_cells_count() values into dst (may be NULL).
 *  @return ZS_EINVAL past the end. */
ZS_API int zs_cells_columns(const zs_cells *c);
ZS_API zs_status zs_cells_column(const zs_cells *c, int i, const char **name, double *dst);
/** Writes the table in the format of the name's ending (zs_cells_format_of), to path.partial,
 *  renamed when complete. */
ZS_API zs_status zs_cells_write(const zs_cells *c, const char *path);
ZS_API void zs_cells_free(zs_cells *c);

/** Marks cells on a preview that zs_preview_make made of a volume of `in`'s shape with the same
 *  options: a red square ring (radius 2 pixels) around each cell's place in each panel (in a
 *  plane view, the cells within 2 planes of it); a grey image becomes RGB. xyz: n cells' x, y, z
 *  (voxels). @return ZS_EINVAL when the image is not of that size. */
ZS_API zs_status zs_preview_mark_cells(const zs_volume_info *in, const zs_preview_opts *o, const double *xyz, int64_t n,
                                       zs_image *img);
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* ZSLAB_DETECT_H */
