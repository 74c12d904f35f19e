/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* What the TIFF reader (fmt_tiff.c), the TIFF writer (tiff_write.c) and the plane series
 * (fmt_series.c) share: libtiff handles over a file descriptor, one page's geometry and its
 * decoding, and the metadata of an ImageDescription (tiff_meta.c, pure so it can be fuzzed). */
#ifndef ZS_TIFF_INTERNAL_H
#define ZS_TIFF_INTERNAL_H

#include "volume_internal.h"

#include <tiffio.h>

/* ---- metadata from the ImageDescription of the first page (tiff_meta.c) ------------------ */
typedef struct zs_tiff_meta {
    int imagej;                               /* the description starts with "ImageJ=" */
    int64_t images, channels, slices, frames; /* ImageJ counts; 0 when absent */
    double spacing;                           /* ImageJ z spacing; 0 when absent */
    char unit[16];                            /* ImageJ unit, normalised ("um", "nm", "mm", ...); "" when absent */
    int ome;                                  /* OME-XML with a Pixels element */
    int64_t size[5];                          /* OME SizeX, SizeY, SizeZ, SizeC, SizeT; 0 when absent */
    char order[6];                            /* OME DimensionOrder ("XYZCT"); "" when absent or invalid */
    double phys[3];                           /* OME PhysicalSizeX/Y/Z; 0 when absent */
    char phys_unit[3][16];                    /* their units, normalised (OME's default is micrometres) */
} zs_tiff_meta;

/** Reads what zslab uses from an ImageDescription: ImageJ's key=value lines or the first
 *  Pixels element of OME-XML. Pure; anything it does not recognise is left at zero. */
void zs__tiff_meta_parse(const char *desc, size_t n, zs_tiff_meta *m);
/** Reads page 0's metadata (the current directory of tif): the description into meta, the
 *  voxel size and unit into info (X/YResolution, ImageJ unit and spacing, OME sizes). */
void zs__tiff_first_meta(TIFF *tif, zs_tiff_meta *meta, zs_volume_info *info);
/** ImageJ's description for a stack of spec's shape, voxel size and unit, into buf. */
void zs__tiff_imagej_description(const zs_volume_info *spec, char *buf, size_t n);

/* ---- libtiff handles over a file descriptor (tiff_common.c) ------------------------------- */
/** The client state of one libtiff handle: its own position, so handles on one fd never
 *  share a file offset (pread/pwrite); libtiff's errors land in err, not on stderr.
 *  Writing: with reserve set, data writes only advance data_next (the bytes are allocated
 *  with posix_fallocate later) and SEEK_END answers data_next, so strips go where the
 *  writer wants them; otherwise SEEK_END answers end (the metadata written so far). */
typedef struct zs_tiff_client {
    int fd;
    const char *path;   /* for messages (borrowed) */
    uint64_t pos, end;  /* current position; end of what was written / the file size */
    uint64_t data_next; /* reserve mode: where the next data byte goes */
    int reserve;
    char err[512];   /* last libtiff error (or warning, when no error) on this handle */
    int write_errno; /* errno of the first failed write on this handle (0: none), which libtiff's own
                        message ("Write error at scanline ...") does not carry */
} zs_tiff_client;

/** Opens a libtiff handle on c->fd (mode "r", "w", "w8", with 'l'/'b' for the byte order).
 *  c->fd and c->path must be set; c->end is set to the file size for reading.
 *  @return the handle or NULL with a message naming c->path. */
TIFF *zs__tiff_open(zs_tiff_client *c, const char *mode);
/** Open options whose error handler writes into c->err and whose warnings are silent.
 *  Caller frees with TIFFOpenOptionsFree; NULL when out of memory. */
TIFFOpenOptions *zs__tiff_options(zs_tiff_client *c);
/** A message for a failed libtiff call: "path: what: libtiff's last error", and the system's
 *  reason when a write failed (no space left, file size limit, ...), with its status. */
zs_status zs__tiff_fail(const zs_tiff_client *c, zs_status code, const char *what);

/* ---- one page ------------------------------------------------------------------------------ */
typedef struct zs_tiff_page_info {
    uint32_t width, height;
    zs_dtype dtype; /* in the file's byte order */
    uint16_t compression;
    int tiled;
    int reduced;  /* NewSubfileType says reduced resolution (a thumbnail or pyramid level) */
    uint64_t raw; /* offset of the plane's bytes when uncompressed strips lie end to end; else 0 */
} zs_tiff_page_info;

/** Describes the current directory of tif; refuses what zslab cannot read (several samples
 *  per pixel, bit depths other than 8/16/32/64, half floats), naming the page. */
zs_status zs__tiff_page_read(TIFF *tif, const zs_tiff_client *c, int64_t page, zs_tiff_page_info *pi);
/** Decodes the current directory (one plane, w*h samples) into dst, native byte order. */
zs_status zs__tiff_page_decode(TIFF *tif, const zs_tiff_client *c, int64_t page, const zs_tiff_page_info *pi,
                               void *dst);
/** Sets the tags of one plane for writing: geometry, dtype, compression and predictor,
 *  rows per strip, X/YResolution from spec's voxel size. */
zs_status zs__tiff_set_tags(TIFF *tif, const zs_tiff_client *c, const zs_volume_info *spec, zs_compression comp,
                            uint32_t rows_per_strip);
/** Rows per strip for a plane of `row_bytes` per row and `height` rows: strips of about
 *  `target` bytes. */
uint32_t zs__tiff_rows_per_strip(uint64_t row_bytes, uint32_t height, uint64_t target);
/** A copy of n elements in native byte order, for libtiff's encoders (which may alter their
 *  input). Caller frees with free(); NULL when out of memory. */
unsigned char *zs__tiff_native_copy(const void *plane, zs_dtype d, size_t n);
/** Writes one 2-D plane as a whole TIFF file on fd (a plane of a series). */
zs_status zs__tiff_write_plane_file(int fd, const char *path, const zs_volume_info *spec, zs_compression comp,
                                    const void *plane);
/** Creates a TIFF stack for v->info (tiff_write.c; the create hook of zs__fmt_tiff). */
zs_status zs__tiff_create(zs_volume *v, const zs_create_opts *o);

#endif /* ZS_TIFF_INTERNAL_H */
