/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The volume handle's body and the format interface: included only by the volume and format
 * files of core/ (volume*.c, formats.c, fmt_*.c and their helpers tiff_*, zarr_*, hdf5_*) and
 * by the unit tests and fuzzers of formats. Everything else holds a zs_volume through the
 * functions of zs_internal.h and zslab.h (tests/cli/test_layout_doors.sh checks it). Not
 * installed. */
#ifndef ZS_VOLUME_INTERNAL_H
#define ZS_VOLUME_INTERNAL_H

#include "zs_internal.h"

/* ---- formats: one file each, one line each in the registry (formats.c) ------------------
 * A format is a zs_format_ops descriptor declared const in its fmt_*.c and listed once in the
 * registry table of formats.c; volume.c never names a format. A format is either
 *  - a header in front of one byte range (parse + write_header): volume.c opens and creates
 *    the file, maps its slabs, syncs and drops its pages; or
 *  - its own reader and writer (open + create): it fills the volume's plane hooks
 *    (zs_volume_io) when planes are decoded or encoded, or leaves v->io NULL and sets
 *    info.offset when the file turns out to be one byte range (an uncompressed TIFF).
 * Names go to a format by claims_name (patterns, directories), then by suffix; a name that
 * says nothing goes to the format whose sniff recognises the first bytes, else to the
 * fallback entry (raw). */
/** Largest header a reader accepts (npy v2/v3 may announce up to 4 GiB). */
#define ZS_MAX_HEADER (1u << 20)

/* claims_name's answers */
#define ZS_CLAIM_FIRST 2 /* before any suffix is looked at */
#define ZS_CLAIM_LAST  1 /* when no suffix matched */

typedef struct zs_format_ops {
    zs_format_desc desc; /* name, suffixes, one line, ZS_FORMAT_* flags (zs_format_at) */
    /** How its names look in lists ("a plane series"); NULL: its suffixes. */
    const char *hint;
    /** Suffixes refused with a reason (".nii.gz"); NULL none. */
    const char *refused;
    /** The hint that ends the refusal: "decompress it first (...)". */
    const char *refused_hint;
    /** Suffixes of headers whose voxels go to a data file beside them (".mhd"); NULL none. */
    const char *detached;
    /** ZS_CLAIM_FIRST / ZS_CLAIM_LAST when the format reads or writes `path` whatever its
     *  suffix (a plane series' pattern or directory); 0 otherwise. NULL: suffixes only. */
    int (*claims_name)(const char *path, int exists, int is_dir);
    /** 1 when the first n bytes of a file are this format's (magic bytes); NULL: none. */
    int (*sniff)(const unsigned char *b, size_t n);
    /** Parses a header held in buf[0..n) (the first n bytes of the file; n may be shorter
     *  than the header if the file is short). file_size is the whole file's size. Fills
     *  info (path already set), checks the data fits in the file. Pure: no I/O, so it can
     *  be fuzzed. */
    zs_status (*parse)(const unsigned char *buf, size_t n, uint64_t file_size, zs_volume_info *info);
    /** Serialises a header for spec (shape, ndim, dtype, voxel, scaling) into buf (capacity
     *  cap); sets spec->offset, order, format, version. @return header bytes or an error. */
    int64_t (*write_header)(zs_volume_info *spec, unsigned char *buf, size_t cap);
    /** The entry that writes spec (NIfTI-1 hands shapes beyond 32767 to NIfTI-2); NULL: this one. */
    const struct zs_format_ops *(*writer_for)(const zs_volume_info *spec);
    /** Formats that are more than a header in front of one byte range (TIFF, plane series,
     *  raw data described by the caller) open and create volumes themselves; parse and
     *  write_header are then NULL.
     *  open: v->info.path set, v->fd open on it (-1 for ZS_FORMAT_FILES); fills v->info and,
     *  when planes must be decoded, v->io and v->fmt_state. create: v->info holds the spec and
     *  v->info.path the name to write (path.partial unless direct), v->fd is open on it
     *  (-1 for ZS_FORMAT_FILES); writes what must precede the data and sets v->io when planes
     *  are encoded. */
    zs_status (*open)(zs_volume *v, const zs_open_opts *o);
    zs_status (*create)(zs_volume *v, const zs_create_opts *o);
    /** 1 when a volume created with these options encodes whole planes (v->io set by create);
     *  NULL: never. */
    int (*encodes)(const zs_create_opts *o);
    /** The files of an open volume, in a stable order: file i, or NULL past the end. NULL:
     *  info.path, and info.data_path when it differs. */
    const char *(*file)(const zs_volume *v, int64_t i);
    /** Chunked outputs: the planes a volume created with these options writes at once (its
     *  chunks' z extent), which slabs must start on; NULL or a value <= 1: none. */
    int64_t (*z_align)(const zs_create_opts *o);
    /** The bytes each worker's writes hold, besides its slab, in a volume created with these
     *  options for spec (an OME-Zarr pyramid's layers in progress); NULL: none. */
    uint64_t (*worker_bytes)(const zs_create_opts *o, const zs_volume_info *spec);
    /** A word after the format's name in `zslab info` ("BigTIFF"); NULL: "version N". */
    void (*version_text)(const zs_volume_info *i, char *buf, size_t n);
} zs_format_ops;

extern const zs_format_ops zs__fmt_npy;
extern const zs_format_ops zs__fmt_nifti1; /* reads NIfTI-1 and NIfTI-2; writes NIfTI-1 */
extern const zs_format_ops zs__fmt_nifti2; /* writes NIfTI-2 */
extern const zs_format_ops zs__fmt_raw;    /* the fallback: data the caller describes */
extern const zs_format_ops zs__fmt_mhd;    /* MetaImage .mhd (detached) / .mha (attached) */
extern const zs_format_ops zs__fmt_nrrd;   /* NRRD .nrrd (attached) / .nhdr (detached) */
extern const zs_format_ops zs__fmt_tiff;   /* libtiff: open/create (fmt_tiff.c, tiff_write.c) */
extern const zs_format_ops zs__fmt_series; /* one 2-D file per plane (fmt_series.c) */
extern const zs_format_ops zs__fmt_zarr;   /* Zarr v2 / OME-Zarr (fmt_zarr.c, zarr_write.c) */
extern const zs_format_ops zs__fmt_hdf5;   /* libhdf5: open/create (fmt_hdf5.c, hdf5_write.c) */
extern const zs_format_ops zs__fmt_memory; /* a caller's buffer (volume_memory.c): no file, no name */

/** The registry's entry of f (the memory entry, which is never listed, included); NULL for
 *  ZS_FMT_AUTO or an unknown value (formats.c). */
const zs_format_ops *zs__format_ops(zs_format f);
/** ZS_OK if the format writes compression c (ZS_COMPRESS_NONE always); else ZS_EUNSUPPORTED
 *  naming path and the formats that write c (formats.c). */
zs_status zs__format_check_compression(const zs_format_ops *ops, const char *path, zs_compression c);
/** ZS_OK if chunk (x, y, z; 0 = the default) suits the format: all 0, or a chunked format (one
 *  with z_align); else ZS_EUNSUPPORTED (ZS_EINVAL for a negative extent) naming path (formats.c). */
zs_status zs__format_check_chunks(const zs_format_ops *ops, const char *path, const int64_t chunk[3]);
/** The entry at index i of the registry; NULL past the end. */
const zs_format_ops *zs__format_at(int i);

/* ---- plane I/O for volumes that are not one byte range ------------------------------------ */
/** Formats whose planes are decoded rather than mapped (compressed or scattered TIFF pages, a
 *  plane series) give the volume these hooks; zs_slab_map reads through read_planes into the
 *  mapping's buffer and zs_slab_unmap writes through write_planes. Planes travel in F order
 *  (x fastest), in the volume's dtype (info.dtype, with its byte order). Workers call both
 *  concurrently for disjoint planes: each format makes them thread-safe (no lock shared by
 *  readers of different planes, see fmt_tiff.c). */
typedef struct zs_volume_io {
    /** Reads planes [z0,z1) of volume t into dst. */
    zs_status (*read_planes)(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, void *dst);
    /** Writes planes [z0,z1) of volume t (created volumes: each plane once, in any order). */
    zs_status (*write_planes)(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, const void *src);
    /** Finishes a created volume before it is renamed into place (NULL: nothing to do). */
    zs_status (*finish)(zs_volume *v);
    /** Renames the files of a created volume into place (NULL: volume.c renames info.path). */
    zs_status (*commit)(zs_volume *v);
    /** Releases fmt_state; removes the files of a created volume that was not committed. */
    void (*close)(zs_volume *v);
    /** Makes planes [z0,z1) of volume t durable (a journal records them next); NULL: nothing to do. */
    zs_status (*sync)(const zs_volume *v, int64_t t, int64_t z0, int64_t z1);
    /** Drops planes [z0,z1) of volume t from the page cache (flushing them first when asked);
     *  NULL: nothing to drop. */
    void (*drop)(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, int flush);
    /** Fills `out` (zeroed by the caller) with what a worker holds while it reads `planes` planes at a
     *  time, beyond those planes, and what the process holds once for all workers; NULL: nothing. The
     *  planner counts both in its peak estimate and its budget (zs__volume_decode_cost). */
    void (*decode_cost)(const zs_volume *v, int64_t planes, zs_decode_cost *out);
} zs_volume_io;

struct zs_volume {
    zs_volume_info info; /* the plain descriptor (read-only after open) */
    int fd;              /* the data file (info.data_path); -1 for a plane series */
    zs_mode mode;
    uint64_t file_size;                /* of the data file */
    char final_path[ZS_PATH_MAX];      /* create: path after commit; info.path is the .partial */
    char final_data_path[ZS_PATH_MAX]; /* create, detached data: data file after commit */
    int committed;                     /* create: renamed into place */
    int claimed;                       /* create: holds the output's claim (claim_fd locked); only
                                          then does free remove the partial files */
    int claim_fd;                      /* create: the locked file of the claim (fd, or a series'
                                          first plane); -1 without one */
    int replace;                       /* create: commit may replace an existing output */
    zs_file_id id;                     /* create: the claimed file's identity (checked at commit) */
    zs_file_id data_id;                /* create, detached data: the data file's */
    int data_claimed;                  /* create, detached data: its partial data file is ours */
    volatile int *stop;                /* create: the run's stop flag, polled by work done at commit (pyramid
                                          levels); NULL: none (zs__volume_set_stop) */
    int64_t z_align;                   /* create: planes written at once (ops->z_align); 1: any */
    const zs_format_ops *ops;          /* the registry's entry that opened or created it */
    const zs_volume_io *io;            /* NULL: planes are mapped from fd; else decoded by the format */
    void *fmt_state;                   /* the format's own state (owner: the volume; io->close frees) */
    unsigned char *mem;                /* memory volumes in F order (volume_memory.c): voxel (0,0,0,0) of
                                          the caller's buffer, read and written in place through the
                                          volume functions (volume_io.c); NULL for files */
};

#endif /* ZS_VOLUME_INTERNAL_H */
