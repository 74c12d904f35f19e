/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Zarr v2 arrays and OME-Zarr (NGFF) groups, shared by the metadata parser (zarr_meta.c, pure:
 * text in, descriptor out), the chunk codecs (zarr_codec.c), the reader (fmt_zarr.c) and the
 * writer (zarr_write.c). Not installed. */
#ifndef ZS_ZARR_INTERNAL_H
#define ZS_ZARR_INTERNAL_H

#include "volume_internal.h"

#define ZARR_MAX_DIMS 5
/* Largest decoded chunk accepted (blosc's limit, with its header): bigger chunks are refused. */
#define ZARR_MAX_CHUNK_BYTES ((uint64_t)INT32_MAX - 64)
/* Most chunks an array read may have (a bit each is kept: 2 GiB). */
#define ZARR_MAX_CHUNK_COUNT ((int64_t)1 << 34)

/* A chunk codec (.zarray "compressor"). */
typedef enum zarr_codec_id {
    ZARR_RAW = 0, /* null: the chunk's bytes as they are */
    ZARR_BLOSC,
    ZARR_ZSTD,
    ZARR_GZIP,
    ZARR_ZLIB
} zarr_codec_id;

typedef struct zarr_codec {
    zarr_codec_id id;
    int level;      /* clevel / level when writing */
    char cname[16]; /* blosc: lz4, lz4hc, zstd, zlib, blosclz */
    int shuffle;    /* blosc: 0 none, 1 byte shuffle, 2 bitshuffle */
} zarr_codec;

/* What a .zarray says, in its own axis order (dimension 0 first, as zarr prints shapes). */
typedef struct zs_zarr_array {
    int ndim; /* 1..ZARR_MAX_DIMS */
    int64_t shape[ZARR_MAX_DIMS];
    int64_t chunks[ZARR_MAX_DIMS];
    zs_dtype dtype;
    int fortran;             /* order "F": dimension 0 fastest within a chunk */
    int perm[ZARR_MAX_DIMS]; /* a chunk is stored as the C-order array of dimensions perm[0], perm[1],
                                ... (C order: 0, 1, ...; F order: reversed; Zarr v3: transpose) */
    char sep;                /* dimension_separator: '.' or '/' */
    int key_prefix;          /* Zarr v3's default chunk keys: "c" and sep before the indices */
    int version;             /* 2 or 3 */
    /* Zarr v3 sharding: a chunk file is a shard of inner chunks and an index; decoded, a shard is
     * the C-order array of the chunk shape (perm is then the identity). */
    int sharded;
    int64_t inner[ZARR_MAX_DIMS]; /* inner chunk shape (divides chunks) */
    int inner_perm[ZARR_MAX_DIMS];
    zarr_codec inner_codec;
    int index_end; /* the index follows the inner chunks (else it precedes them) */
    int index_crc; /* the index ends with a 4-byte CRC32C (not checked) */
    int has_fill;
    unsigned char fill[8]; /* fill_value as one element in dtype's byte order (has_fill) */
    zarr_codec codec;
} zs_zarr_array;

/* How the array's dimensions become zslab's axes: dimension role[d] is x (0), y (1), z (2) or
 * part of the series index t (3); a t part's coordinate is (t / tstride[d]) % shape[d]. */
typedef struct zs_zarr_axes {
    int role[ZARR_MAX_DIMS];
    int64_t tstride[ZARR_MAX_DIMS];
    int named;                   /* from NGFF axes (else: dimension k is zslab axis k, as for .npy) */
    double scale[ZARR_MAX_DIMS]; /* voxel size per dimension (1 when none) */
    char unit[16];               /* of the spatial axes */
} zs_zarr_axes;

/** Parses a .zarray's text (n bytes; `file` names it in messages). */
zs_status zs__zarr_parse_array(const char *text, size_t n, const char *file, zs_zarr_array *a);
/** Parses a Zarr v3 array's zarr.json text (codecs bytes, transpose, blosc, zstd, gzip). */
zs_status zs__zarr_parse_array_v3(const char *text, size_t n, const char *file, zs_zarr_array *a);
/** A zarr.json's node_type: 1 array, 2 group, 0 neither (or not JSON). */
int zs__zarr_v3_node(const char *text, size_t n);
/** Axes without names: dimension k is zslab axis k (x, y, z, t); at most 4 dimensions. */
zs_status zs__zarr_default_axes(const zs_zarr_array *a, const char *file, zs_zarr_axes *ax);
/** The NGFF multiscales of a group's .zattrs text: the dataset path of level `level` (-1: the
 *  first) into path, and the axes and scale of that level for an array of a->ndim dimensions.
 *  @return ZS_OK, or ZS_EFORMAT naming `file` (no multiscales, no such level, bad axes). */
zs_status zs__zarr_parse_multiscales(const char *text, size_t n, const char *file, const char *level,
                                     const zs_zarr_array *a, char *path, size_t path_n, zs_zarr_axes *ax);
/** The path of dataset 0 of the first multiscale of a group's .zattrs (for opening a group). */
zs_status zs__zarr_first_dataset(const char *text, size_t n, const char *file, char *path, size_t path_n);
/** 1 when the first multiscale of a group's .zattrs text lists a dataset at `level`. */
int zs__zarr_lists_dataset(const char *text, size_t n, const char *level);
/** Fills info's shape, ndim, dtype, voxel size and unit from the array and its axes. */
zs_status zs__zarr_info(const zs_zarr_array *a, const zs_zarr_axes *ax, zs_volume_info *info);

/** Decodes a chunk file's bytes (src, n) into dst (exactly `want` bytes). Errors name `file`. */
zs_status zs__zarr_decode(const zarr_codec *c, const char *file, const void *src, size_t n, void *dst, size_t want);
/** Decodes a shard file's bytes into dst (the C-order shard, exactly `want` bytes): each inner
 *  chunk through the inner codecs, a missing one as fill_value. Errors name `file`. */
zs_status zs__zarr_decode_shard(const zs_zarr_array *a, const char *file, const void *src, size_t n, void *dst,
                                size_t want);
/** Encodes n bytes of elements of `typesize` bytes; *out is malloc'ed (free), *out_n its length. */
zs_status zs__zarr_encode(const zarr_codec *c, const char *file, const void *src, size_t n, size_t typesize, void **out,
                          size_t *out_n);
/** The codec written for a compression (the library's names) and its .zarray "compressor" JSON;
 *  ZS_EUNSUPPORTED naming `file` for one Zarr does not write. */
zs_status zs__zarr_codec_for(zs_compression comp, const char *file, zarr_codec *c);
/** The "compressor" object of c as JSON text into buf ("null" for raw). */
void zs__zarr_codec_json(const zarr_codec *c, char *buf, size_t n);

/** The chunk grid: nk[d] chunks along dimension d (the last one of each axis partial).
 *  @return their number, or -1 when above ZARR_MAX_CHUNK_COUNT. */
int64_t zs__zarr_chunk_grid(const zs_zarr_array *a, int64_t *nk);
/** Chunk k's place in the grid nk, the last dimension fastest. */
int64_t zs__zarr_chunk_index(const zs_zarr_array *a, const int64_t *nk, const int64_t *k);
/** Which chunk files of the array at dir exist now: *present (caller frees) holds a bit per chunk
 *  (bit i of byte i/8 for zs__zarr_chunk_index i), set when its file exists. Errors name dir. */
zs_status zs__zarr_scan_chunks(const zs_zarr_array *a, const char *dir, unsigned char **present);

/** Reads a whole small file (metadata or a chunk) into a malloc'ed buffer (+1 NUL byte).
 *  @return ZS_OK; ZS_EIO with *missing = 1 when it does not exist (no message then when
 *  missing is non-NULL). */
zs_status zs__zarr_read_file(const char *path, size_t max, char **buf, size_t *n, int *missing);
/** Removes a file or a directory tree (no message; 0 or an errno). */
int zs__zarr_remove_tree(const char *path);

/** The writer (zarr_write.c): creates OUT (a directory) for v->info. */
zs_status zs__zarr_create(zs_volume *v, const zs_create_opts *o);
/** Makes v (opened in mode r+: a journaled job's output, made by zs__zarr_create) write in place
 *  into the array at array_dir (of the group at group_dir, "" for none), with its chunks and codec.
 *  ZS_EUNSUPPORTED for an array zslab would not have written. */
zs_status zs__zarr_reopen(zs_volume *v, const zs_zarr_array *a, const zs_zarr_axes *ax, const char *array_dir,
                          const char *group_dir);
/** The planes an output created with these options writes at once: its chunks' z extent. */
int64_t zs__zarr_z_align(const zs_create_opts *o);

/* ---- pyramids (zarr_pyramid.c) ---- */
/** Level k of a pyramid: its extents and voxel size (x, y, z), the position of its first voxel's
 *  centre in level 0's units (0 at level 0), and the factors (1 or 2) by which it divides the
 *  level before. */
typedef struct zs_pyramid_level {
    int64_t shape[3];
    double voxel[3], origin[3];
    int f[3];
} zs_pyramid_level;
/** The rule: the factors (1 or 2 per axis x, y, z) by which the level after one of this shape and
 *  voxel size divides it; axes whose voxel is at most half the coarsest are halved, all of them
 *  when none is; axes of extent 1 are never. */
void zs__pyramid_step(const int64_t shape[3], const double voxel[3], int f[3]);
/** Level k (0: the volume itself) of a volume of this shape and voxel size. */
void zs__pyramid_level(const int64_t shape0[3], const double voxel0[3], int k, zs_pyramid_level *lv);
/** What a worker holds for the levels of a pyramid (zs_format_ops.worker_bytes): per level, a layer
 *  in progress and one being written, and a fold's scratch planes. 0 without a pyramid. */
uint64_t zs__zarr_worker_bytes(const zs_create_opts *o, const zs_volume_info *spec);
/** Folds the layers of one level into the next, as the layers are written. */
typedef struct zarr_fold zarr_fold;
/** Called with each layer of the next level that becomes complete (planes borrowed for the call). */
typedef zs_status (*zs__zarr_layer_done)(void *user, int64_t t, int64_t L, const unsigned char *planes);
/** A fold from a level of extents below[3] into one of shape[3] (factors f, layers of cz planes,
 *  nt volumes). *out (caller frees with zs__zarr_fold_free) is set even on failure. */
zs_status zs__zarr_fold_new(const int64_t below[3], const int64_t shape[3], const int f[3], int64_t cz, int64_t nt,
                            zs_dtype dtype, zarr_fold **out);
void zs__zarr_fold_free(zarr_fold *fo);
/** Adds planes [z0, z1) of volume t of the level below (whole planes, x fastest) to the next level;
 *  calls done for every layer of it they complete. Thread-safe. */
zs_status zs__zarr_fold_planes(zarr_fold *fo, int64_t t, int64_t z0, int64_t z1, const unsigned char *planes,
                               zs__zarr_layer_done done, void *user);

#endif /* ZS_ZARR_INTERNAL_H */
