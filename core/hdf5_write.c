/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* HDF5 outputs: one chunked dataset (default /data; OUT.h5:/path chooses it) of dimensions
 * (z, y, x), or (t, z, y, x) for a series, C order, so that x is fastest and a plane is a
 * Fortran-order plane. The dimensions are labelled z, y, x (HDF5 dimension scales) so that zslab
 * and h5py's dims[i].label read the axes back, and the voxel size is stored as element_size_um
 * (z, y, x). Chunks: zs_create_opts.chunk when given, else 16 planes of 256 x 256 (less along
 * shorter axes); slabs start on the chunks (z_align), so each chunk is written whole by one
 * H5Dwrite. gzip (level 4) with the shuffle filter when compressed ("gzip", or "deflate").
 *
 * The file is OUT.h5.partial, claimed with zslab's lock (HDF5's own file locking is off),
 * renamed to OUT.h5 by commit and removed when the run ends without one. Workers hand whole
 * planes to write_planes, which writes their hyperslab with H5Dwrite under the one lock of the
 * serial libhdf5 (compression included). */
#include "hdf5_internal.h"
#include "error_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define H5_DEFAULT_DATASET "/data"
#define H5_CHUNK_XY        256
#define H5_CHUNK_Z         16
#define H5_GZIP_LEVEL      4

typedef struct h5_writer {
    char file[ZS_PATH_MAX];  /* the partial file being written */
    char final[ZS_PATH_MAX]; /* its name after commit */
    zs_file_id id;           /* the claimed file's identity */
    char dset[ZS_H5_NAME_MAX];
    hid_t f, ds, mtype;
    int rank;
    int64_t planes; /* written so far */
    int finished;
} h5_writer;

int64_t zs__h5_z_align(const zs_create_opts *o) { return o && o->chunk[2] > 0 ? o->chunk[2] : H5_CHUNK_Z; }

static hid_t memory_type(zs_dtype dt)
{
    static const hid_t *const native[ZS_TYPE_COUNT] = {
        &H5T_NATIVE_UINT8_g,  &H5T_NATIVE_INT8_g,   &H5T_NATIVE_UINT16_g, &H5T_NATIVE_INT16_g,
        &H5T_NATIVE_UINT32_g, &H5T_NATIVE_INT32_g,  &H5T_NATIVE_UINT64_g, &H5T_NATIVE_INT64_g,
        &H5T_NATIVE_FLOAT_g,  &H5T_NATIVE_DOUBLE_g, &H5T_NATIVE_UINT8_g /* bool: above */
    };
    if (dt.type == ZS_BOOL) { /* h5py's bool: an enum FALSE = 0, TRUE = 1 over int8 */
        hid_t e = H5Tenum_create(H5T_NATIVE_INT8);
        const signed char no = 0, yes = 1;
        if (e >= 0 && (H5Tenum_insert(e, "FALSE", &no) < 0 || H5Tenum_insert(e, "TRUE", &yes) < 0)) {
            H5Tclose(e);
            return -1;
        }
        return e;
    }
    hid_t t = H5Tcopy(*native[dt.type]);
    if (t >= 0 && zs_dtype_size(dt) > 1) H5Tset_order(t, dt.big_endian ? H5T_ORDER_BE : H5T_ORDER_LE);
    return t;
}

static void writer_close_ids(h5_writer *w)
{
    if (w->ds > 0) H5Dclose(w->ds);
    if (w->mtype > 0) H5Tclose(w->mtype);
    if (w->f > 0) H5Fclose(w->f);
    w->ds = w->mtype = w->f = 0;
    H5Eclear2(H5E_DEFAULT);
}

/* The dataset's creation properties: chunks and filters (lock held). */
static hid_t creation_plist(const zs_volume_info *info, const zs_create_opts *o, int rank)
{
    const int64_t want[3] = {o->chunk[0] > 0 ? o->chunk[0] : H5_CHUNK_XY, o->chunk[1] > 0 ? o->chunk[1] : H5_CHUNK_XY,
                             zs__h5_z_align(o)};
    hsize_t chunk[4] = {1, 1, 1, 1};
    for (int a = 0; a < 3; a++) chunk[rank - 1 - a] = (hsize_t)(info->shape[a] < want[a] ? info->shape[a] : want[a]);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    herr_t ok = dcpl >= 0 ? H5Pset_chunk(dcpl, rank, chunk) : -1;
    if (ok >= 0) ok = H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    if (ok >= 0 && o->compress != ZS_COMPRESS_NONE) ok = H5Pset_shuffle(dcpl);
    if (ok >= 0 && o->compress != ZS_COMPRESS_NONE) ok = H5Pset_deflate(dcpl, H5_GZIP_LEVEL);
    if (ok < 0 && dcpl >= 0) {
        H5Pclose(dcpl);
        return -1;
    }
    return dcpl;
}

/* The file and its dataset (lock held). */
static zs_status create_dataset(h5_writer *w, const zs_volume_info *info, const zs_create_opts *o)
{
    hid_t fapl = zs__h5_fapl();
    w->f = H5Fcreate(w->file, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (fapl >= 0) H5Pclose(fapl);
    if (w->f < 0) return zs__h5_fail(ZS_EIO, w->final, NULL, "cannot create the HDF5 file");
    hsize_t dims[4];
    for (int a = 0; a < w->rank; a++) dims[w->rank - 1 - a] = (hsize_t)info->shape[a];
    hid_t space = H5Screate_simple(w->rank, dims, NULL), lcpl = H5Pcreate(H5P_LINK_CREATE);
    hid_t dcpl = creation_plist(info, o, w->rank);
    w->mtype = memory_type(info->dtype);
    if (lcpl >= 0) H5Pset_create_intermediate_group(lcpl, 1);
    if (space >= 0 && lcpl >= 0 && dcpl >= 0 && w->mtype >= 0)
        w->ds = H5Dcreate2(w->f, w->dset, w->mtype, space, lcpl, dcpl, H5P_DEFAULT);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (lcpl >= 0) H5Pclose(lcpl);
    if (space >= 0) H5Sclose(space);
    if (w->ds < 0) return zs__h5_fail(ZS_EIO, w->final, w->dset, "cannot create the dataset");
    return zs__h5_write_axes(w->ds, w->rank, info, w->final, w->dset);
}

static zs_status h5_write_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, const void *src)
{
    h5_writer *w = v->fmt_state;
    const zs_volume_info *info = &v->info;
    hsize_t start[4] = {0}, count[4];
    const int r = w->rank;
    count[r - 1] = (hsize_t)info->shape[0];
    count[r - 2] = (hsize_t)info->shape[1];
    count[r - 3] = (hsize_t)(z1 - z0);
    start[r - 3] = (hsize_t)z0;
    if (r == 4) start[0] = (hsize_t)t, count[0] = 1;
    zs__h5_lock();
    hid_t fs = w->ds > 0 ? H5Dget_space(w->ds) : -1, ms = H5Screate_simple(r, count, NULL);
    herr_t ok = fs >= 0 && ms >= 0 ? H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) : -1;
    if (ok >= 0) ok = H5Dwrite(w->ds, w->mtype, ms, fs, H5P_DEFAULT, src);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    zs_status st = ZS_OK;
    if (ok < 0) {
        char what[96];
        snprintf(what, sizeof what, "cannot write planes %lld to %lld", (long long)z0, (long long)z1 - 1);
        st = zs__h5_fail(ZS_EIO, w->final, w->dset, what);
    } else
        w->planes += z1 - z0;
    zs__h5_unlock();
    return st;
}

/* Closes the file (its metadata and last chunks are written then): lock held. */
static zs_status finish_locked(zs_volume *v, h5_writer *w)
{
    if (w->finished) return ZS_OK;
    const int64_t want = v->info.shape[2] * v->info.shape[3];
    ZS_RETURN_IF(w->planes != want, ZS_EINVAL, "%s: only %lld of %lld planes were written", w->final,
                 (long long)w->planes, (long long)want);
    herr_t ok = H5Dclose(w->ds);
    w->ds = 0;
    if (H5Tclose(w->mtype) < 0) ok = -1;
    w->mtype = 0;
    if (H5Fclose(w->f) < 0) ok = -1;
    w->f = 0;
    if (ok < 0) return zs__h5_fail(ZS_EIO, w->final, w->dset, "cannot finish the HDF5 file");
    w->finished = 1;
    return ZS_OK;
}

static zs_status h5_finish(zs_volume *v)
{
    zs__h5_lock();
    zs_status st = finish_locked(v, v->fmt_state);
    zs__h5_unlock();
    return st;
}

static zs_status h5_commit(zs_volume *v)
{
    h5_writer *w = v->fmt_state;
    ZS_FORWARD(zs__rename_into_place(w->file, w->final, v->replace, &w->id));
    snprintf(v->info.data_path, sizeof v->info.data_path, "%s", w->final);
    return ZS_OK;
}

static void h5_writer_close(zs_volume *v)
{
    h5_writer *w = v->fmt_state;
    if (!w) return;
    zs__h5_lock();
    if (v->committed && !w->finished) (void)finish_locked(v, w); /* a direct output freed without commit */
    writer_close_ids(w);
    zs__h5_unlock();
    if (!v->committed && v->claimed) zs__remove_claimed(w->file, &w->id); /* the claim (claim_fd) is still held */
    free(w);
    v->fmt_state = NULL;
}

static const zs_volume_io h5_write_io = {
    .write_planes = h5_write_planes, .finish = h5_finish, .commit = h5_commit, .close = h5_writer_close};

/* The output's names: the final file, the partial one, the dataset; refuses an existing file. */
static zs_status output_names(h5_writer *w, const char *name, const zs_create_opts *o)
{
    zs__h5_split_name(name, w->final, sizeof w->final, w->dset, sizeof w->dset);
    const size_t n = strlen(w->dset);
    ZS_RETURN_IF(zs__h5_names_dataset(name) && (!n || w->dset[n - 1] == '/'), ZS_EINVAL,
                 "%s: names no dataset to write in %s (a dataset path is needed after the ':', as in %s:/data; "
                 "or name the file alone for the dataset %s)",
                 name, w->final, w->final, H5_DEFAULT_DATASET);
    if (!n) snprintf(w->dset, sizeof w->dset, "%s", H5_DEFAULT_DATASET);
    struct stat st;
    if (stat(w->final, &st) == 0) {
        ZS_RETURN_IF(S_ISDIR(st.st_mode), ZS_EINVAL, "%s: is a directory", w->final);
        if (!o->force) return ZS_ERR_EXISTS("%s: exists", w->final);
    }
    ZS_RETURN_IF(strlen(w->final) + 9 >= sizeof w->file, ZS_EINVAL, "%.64s...: path too long", w->final);
    snprintf(w->file, sizeof w->file, o->direct ? "%s" : "%s.partial", w->final);
    return ZS_OK;
}

zs_status zs__h5_create(zs_volume *v, const zs_create_opts *o)
{
    zs_volume_info *info = &v->info;
    h5_writer *w = calloc(1, sizeof *w);
    ZS_RETURN_IF(!w, ZS_ENOMEM, "%s: out of memory", info->path);
    v->fmt_state = w;
    v->io = &h5_write_io;
    ZS_FORWARD(output_names(w, info->path, o));
    ZS_FORWARD(zs__claim_file(w->file, w->final, &v->claim_fd));
    v->claimed = 1;
    ZS_FORWARD(zs__file_id(v->claim_fd, w->file, &w->id));
    w->rank = info->shape[3] > 1 || info->ndim == 4 ? 4 : 3;
    zs__h5_lock();
    zs_status st = create_dataset(w, info, o);
    zs__h5_unlock();
    ZS_FORWARD(st);
    info->format = ZS_FMT_HDF5;
    info->ndim = w->rank;
    info->version = 1; /* a dataset (fmt_hdf5.c) */
    info->decoded = 1;
    info->offset = 0;
    info->order = ZS_ORDER_F;
    snprintf(info->data_path, sizeof info->data_path, "%s", w->file);
    return zs_volume_info_sizes(info, NULL, NULL, &info->nbytes);
}
