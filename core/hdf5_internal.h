/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* HDF5 through libhdf5, shared by fmt_hdf5.c (open, read), hdf5_write.c (create, write) and
 * hdf5_layouts.c (names, Imaris and BigDataViewer discovery, axes, attributes).
 *
 * The serial libhdf5 is not thread-safe: every H5 call of these files runs with the one lock
 * zs__h5_lock() holds (the hooks take it; the helpers below expect it held). */
#ifndef ZS_HDF5_INTERNAL_H
#define ZS_HDF5_INTERNAL_H

#include "volume_internal.h"

#include <hdf5.h>

/** The lock around every H5 call; the first lock also turns libhdf5's error printing off. */
void zs__h5_lock(void);
void zs__h5_unlock(void);

/** An error naming the file, the dataset (NULL: none) and what failed, with the deepest cause
 *  on libhdf5's error stack (which it then clears). Lock held. */
zs_status zs__h5_fail(zs_status code, const char *file, const char *dset, const char *what);

/** Splits "FILE.h5:/path" into the file and the dataset path ("" when the name has none). */
void zs__h5_split_name(const char *name, char *file, size_t fn, char *dset, size_t dn);
/** 1 when name holds ".h5:", ".hdf5:", ".he5:" or ".ims:" (a file and a dataset path). */
int zs__h5_names_dataset(const char *name);

/** A file access property list: no HDF5 file locking (outputs hold zslab's own claim). */
hid_t zs__h5_fapl(void);

/** Longest dataset path zslab names (bytes, with the NUL). */
#define ZS_H5_NAME_MAX 1024

/* What a volume is made of: nsrc datasets of one shape; volume t of the series is plane
 * source t / per, index t % per along the dataset's own t axis (a 4-D dataset). */
typedef struct zs_h5_layout {
    const char *kind; /* "dataset", "Imaris", "BigDataViewer" */
    int64_t nsrc;
    char (*src)[ZS_H5_NAME_MAX]; /* the datasets' paths (owner: the layout; zs__h5_layout_free) */
    int64_t per;                 /* volumes per dataset */
    int rank;                    /* of each dataset (3 or 4) */
    hsize_t dims[4];             /* each dataset's dimensions (Imaris: padded beyond the volume) */
    int dim[4];                  /* the dataset dimension of x, y, z, t (-1: none) */
    int64_t shape[4];            /* the volume's nx, ny, nz, nt */
    int named;                   /* axes named by the file (labels, Imaris, BigDataViewer) */
    double voxel[3];
    char unit[16];
} zs_h5_layout;

/** Finds the volume `dset` names in the open file (a dataset, or "" for the file's only volume
 *  or its Imaris / BigDataViewer image) and fills the layout. Lock held. */
zs_status zs__h5_layout(hid_t file, const char *fname, const char *dset, zs_h5_layout *l);
void zs__h5_layout_free(zs_h5_layout *l);

/* The pure parts of layout discovery: text in, numbers out (fuzzed: tests/fuzz/fuzz_hdf5_meta.c). */
/** Axes from a dataset's dimension labels (NUL-terminated): dim[a] is the dimension named x, y, z,
 *  and for rank 4 the one named t or c, else the one left. 0 when x, y and z are not named on
 *  distinct dimensions. */
int zs__h5_axes_from_labels(char lab[4][8], int rank, int dim[4]);
/** One Imaris axis from DataSetInfo/Image's text attributes: its length *n from `size` (NULL:
 *  absent, the datasets' padded extent), and *voxel from ExtMin `lo` and ExtMax `hi` (NULL: absent)
 *  when they give a finite positive size (else unchanged). ZS_EFORMAT naming fname and the axis
 *  when the length is not 1 to `padded`. */
zs_status zs__h5_imaris_axis(const char *fname, const char *axis, const char *size, const char *lo, const char *hi,
                             int64_t padded, int64_t *n, double *voxel);
/** The voxel size (finite, positive values only) and unit of the first <voxelSize> of a
 *  BigDataViewer XML (NUL-terminated text); voxel and unit unchanged when it has none, and the
 *  unit cleared when one of its sizes is not finite and positive. */
void zs__h5_bdv_voxel_parse(const char *xml, double voxel[3], char unit[16]);

/** Writes dimension labels (the HDF5 dimension-scale attribute DIMENSION_LABELS) on a dataset
 *  and the voxel size (element_size_um, z y x; unit). Lock held. */
zs_status zs__h5_write_axes(hid_t ds, int rank, const zs_volume_info *info, const char *fname, const char *dset);

/** create: the HDF5 output (hdf5_write.c). */
zs_status zs__h5_create(zs_volume *v, const zs_create_opts *o);
/** The planes an output written with these options writes at once: its chunks' z extent. */
int64_t zs__h5_z_align(const zs_create_opts *o);

#endif /* ZS_HDF5_INTERNAL_H */
