/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* HDF5 datasets through libhdf5 (serial): the format's entry, opening and reading.
 *
 * A name is FILE.h5 or FILE.h5:/path/to/dataset (also .hdf5, .he5, .ims); hdf5_layouts.c
 * finds the datasets and the axes. The format opens its own file (ZS_FORMAT_FILES: the name is
 * not the file's). Then:
 *  - one contiguous, unfiltered, allocated dataset holding exactly the volume is mapped at its
 *    offset like a .npy (v->io NULL, no libhdf5 call after open): Fortran order when its axes
 *    are named (z, y, x), C order (gathered) when unnamed (axis 0 is x);
 *  - anything else (chunked, compressed, Imaris padding, a series of datasets) is decoded
 *    (info.decoded): read_planes reads the planes' hyperslab with H5Dread into F-order planes,
 *    directly when the dataset's last dimensions are (z, y, x), else through a buffer that is
 *    then transposed. The serial libhdf5 is not thread-safe, so every call holds one lock:
 *    decoding does not scale with threads (each dataset keeps a chunk cache of a few rows of
 *    chunks, so that reading a slab plane by plane decodes each chunk once). */
#include "hdf5_internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define H5_MAGIC     "\x89HDF\r\n\x1a\n"
#define H5_MAGIC_LEN 8
/* Chunk cache of each open dataset: up to this many bytes (rows of chunks along z). */
#define H5_CACHE_MAX ((size_t)256 << 20)
/* info.version: what the volume is in the file */
enum { H5_DATASET = 1, H5_IMARIS = 2, H5_BDV = 3 };
/* Datasets of a series open at once. */
#define H5_OPEN_MAX 4

typedef struct h5_reader {
    char file[ZS_PATH_MAX];
    hid_t f;
    hid_t *ds;     /* opened on first use, one a source (lock held); 0: closed */
    int64_t *used; /* when each was last read (clock) */
    int64_t clock; /* reads so far */
    zs_h5_layout l;
    hid_t mtype; /* the memory type: native order */
    int direct;  /* planes come as F-order planes: the dataset's last dimensions are (z, y, x) */
} h5_reader;

static int h5_sniff(const unsigned char *b, size_t n)
{
    return n >= H5_MAGIC_LEN && !memcmp(b, H5_MAGIC, H5_MAGIC_LEN);
}

static int h5_claims(const char *path, int exists, int is_dir)
{
    (void)exists, (void)is_dir;
    return zs__h5_names_dataset(path) ? ZS_CLAIM_FIRST : 0;
}

/* ---- dtypes ----------------------------------------------------------------------------------- */

static zs_status dtype_of(hid_t t, const char *file, const char *dset, zs_dtype *out, hid_t *mtype)
{
    const H5T_class_t cl = H5Tget_class(t);
    const size_t size = H5Tget_size(t);
    static const struct {
        H5T_class_t cl;
        size_t size;
        int sign;
        zs_type type;
    } ok[] = {{H5T_INTEGER, 1, 0, ZS_U8},  {H5T_INTEGER, 1, 1, ZS_I8},  {H5T_INTEGER, 2, 0, ZS_U16},
              {H5T_INTEGER, 2, 1, ZS_I16}, {H5T_INTEGER, 4, 0, ZS_U32}, {H5T_INTEGER, 4, 1, ZS_I32},
              {H5T_INTEGER, 8, 0, ZS_U64}, {H5T_INTEGER, 8, 1, ZS_I64}, {H5T_FLOAT, 4, 0, ZS_F32},
              {H5T_FLOAT, 8, 0, ZS_F64}};
    if (cl == H5T_ENUM && size == 1) { /* h5py's bool: an enum FALSE = 0, TRUE = 1 over int8 */
        out->type = ZS_BOOL;
        out->big_endian = 0;
        *mtype = H5Tcopy(t);
        return ZS_OK;
    }
    const int sign = cl == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_2;
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (ok[i].cl == cl && ok[i].size == size && (cl == H5T_FLOAT || ok[i].sign == sign)) {
            out->type = ok[i].type;
            out->big_endian = size > 1 && H5Tget_order(t) == H5T_ORDER_BE;
            *mtype = H5Tget_native_type(t, H5T_DIR_ASCEND);
            return ZS_OK;
        }
    H5Eclear2(H5E_DEFAULT);
    static const char *const classes[] = {"integer",  "float",     "time", "string",          "bitfield", "opaque",
                                          "compound", "reference", "enum", "variable-length", "array"};
    const char *what = (int)cl >= 0 && (size_t)cl < sizeof classes / sizeof *classes ? classes[cl] : "unknown";
    return ZS_ERR(ZS_EUNSUPPORTED,
                  "%s: dataset %s: its type (HDF5 %s of %zu bytes) is not supported; zslab reads uint8, int8, "
                  "uint16, int16, uint32, int32, uint64, int64, float32, float64 and bool",
                  file, dset, what, size);
}

/* ---- reading ---------------------------------------------------------------------------------- */

static void reader_free(h5_reader *r)
{
    if (!r) return;
    for (int64_t i = 0; r->ds && i < r->l.nsrc; i++)
        if (r->ds[i] > 0) H5Dclose(r->ds[i]);
    if (r->mtype > 0) H5Tclose(r->mtype);
    if (r->f > 0) H5Fclose(r->f);
    H5Eclear2(H5E_DEFAULT);
    free(r->ds);
    free(r->used);
    zs__h5_layout_free(&r->l);
    free(r);
}

/* Dataset i, opened with a chunk cache of 64 planes' worth of chunks (lock held). A series of
 * datasets (Imaris time points and channels) keeps at most H5_OPEN_MAX of them open, closing
 * the least recently used, so that their caches do not add up over a long series: every read
 * holds the lock, so no other thread is using the one closed. */
static zs_status source(h5_reader *r, int64_t i, hid_t *out)
{
    r->clock++;
    if (r->ds[i] <= 0) {
        int64_t open = 0, lru = -1;
        for (int64_t k = 0; k < r->l.nsrc; k++)
            if (r->ds[k] > 0 && (open++, lru < 0 || r->used[k] < r->used[lru])) lru = k;
        if (open >= H5_OPEN_MAX) {
            H5Dclose(r->ds[lru]);
            r->ds[lru] = 0;
        }
        const size_t plane = H5Tget_size(r->mtype) * (size_t)r->l.dims[r->l.dim[0]] * (size_t)r->l.dims[r->l.dim[1]];
        const size_t cache = plane * 64 < H5_CACHE_MAX ? plane * 64 : H5_CACHE_MAX;
        hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
        if (dapl >= 0) H5Pset_chunk_cache(dapl, 100003, cache, 1.0);
        r->ds[i] = H5Dopen2(r->f, r->l.src[i], dapl >= 0 ? dapl : H5P_DEFAULT);
        if (dapl >= 0) H5Pclose(dapl);
        if (r->ds[i] < 0) {
            r->ds[i] = 0;
            return zs__h5_fail(ZS_EIO, r->file, r->l.src[i], "cannot open the dataset");
        }
    }
    r->used[i] = r->clock;
    *out = r->ds[i];
    return ZS_OK;
}

/* H5Dread of the hyperslab of planes [z0,z1) of volume t into buf, in the dataset's C order
 * (lock held). */
static zs_status read_slab(h5_reader *r, int64_t t, int64_t z0, int64_t z1, void *buf, hsize_t count[4])
{
    const zs_h5_layout *l = &r->l;
    hid_t ds = -1;
    ZS_FORWARD(source(r, t / l->per, &ds));
    hsize_t start[4] = {0};
    for (int d = 0; d < l->rank; d++) count[d] = 1;
    for (int a = 0; a < 4; a++) {
        if (l->dim[a] < 0) continue;
        const int64_t lo = a == 2 ? z0 : a == 3 ? t % l->per : 0, n = a == 2 ? z1 - z0 : a == 3 ? 1 : l->shape[a];
        start[l->dim[a]] = (hsize_t)lo;
        count[l->dim[a]] = (hsize_t)n;
    }
    hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(l->rank, count, NULL);
    herr_t ok = fs >= 0 && ms >= 0 ? H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) : -1;
    if (ok >= 0) ok = H5Dread(ds, r->mtype, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    if (ok < 0) {
        char what[96];
        snprintf(what, sizeof what, "cannot read planes %lld to %lld", (long long)z0, (long long)z1 - 1);
        return zs__h5_fail(ZS_EIO, r->file, l->src[t / l->per], what);
    }
    return ZS_OK;
}

static zs_status h5_read_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, void *dst)
{
    h5_reader *r = v->fmt_state;
    const size_t es = zs_dtype_size(v->info.dtype);
    const int64_t nx = v->info.shape[0], ny = v->info.shape[1];
    hsize_t count[4];
    unsigned char *tmp = NULL;
    if (!r->direct) {
        tmp = zs__alloc((size_t)nx * (size_t)ny * (size_t)(z1 - z0) * es);
        ZS_RETURN_IF(!tmp, ZS_ENOMEM, "%s: out of memory for %lld planes", v->info.path, (long long)(z1 - z0));
    }
    zs__h5_lock();
    zs_status st = read_slab(r, t, z0, z1, tmp ? (void *)tmp : dst, count);
    zs__h5_unlock();
    if (st == ZS_OK && tmp) { /* the dataset's C order → F-order planes */
        int64_t stride[3], step[4];
        step[r->l.rank - 1] = (int64_t)es;
        for (int d = r->l.rank - 2; d >= 0; d--) step[d] = step[d + 1] * (int64_t)count[d + 1];
        for (int a = 0; a < 3; a++) stride[a] = step[r->l.dim[a]];
        zs__strided_copy(tmp, stride, nx, ny, z1 - z0, es, dst, 1);
    }
    zs__free(tmp);
    return st;
}

static void h5_close(zs_volume *v)
{
    zs__h5_lock();
    reader_free(v->fmt_state);
    zs__h5_unlock();
    v->fmt_state = NULL;
}

/* Per reading worker: the planes it asks for, in the dataset's order, before the transposition
 * (h5_read_planes). Once for the process (every call holds the lock): a chunk cache per open
 * dataset, and the chunk libhdf5 is decoding, with its compressed bytes when it is filtered
 * (libhdf5 reads a chunk larger than the cache whole, past the cache). */
static void h5_decode_cost(const zs_volume *v, int64_t planes, zs_decode_cost *out)
{
    h5_reader *r = v->fmt_state;
    const uint64_t es = H5Tget_size(r->mtype), plane = (uint64_t)v->info.shape[0] * (uint64_t)v->info.shape[1];
    out->worker = r->direct ? 0 : (uint64_t)planes * plane * zs_dtype_size(v->info.dtype);
    const uint64_t lplane = es * (uint64_t)r->l.dims[r->l.dim[0]] * (uint64_t)r->l.dims[r->l.dim[1]];
    const uint64_t cache = lplane * 64 < H5_CACHE_MAX ? lplane * 64 : H5_CACHE_MAX;
    out->shared = cache * (uint64_t)(r->l.nsrc < H5_OPEN_MAX ? r->l.nsrc : H5_OPEN_MAX);
    hsize_t cd[4] = {0};
    int rank = -1, filters = 0;
    zs__h5_lock();
    hid_t ds = -1;
    const zs_status st = source(r, 0, &ds);
    if (st == ZS_OK) {
        hid_t dcpl = H5Dget_create_plist(ds);
        if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED) rank = H5Pget_chunk(dcpl, 4, cd);
        if (dcpl >= 0) filters = H5Pget_nfilters(dcpl), H5Pclose(dcpl);
    }
    H5Eclear2(H5E_DEFAULT);
    zs__h5_unlock();
    if (st != ZS_OK) zs_clear_error(); /* reading will say why */
    if (rank <= 0) return;
    uint64_t chunk = es;
    int n = snprintf(out->unit, sizeof out->unit, "%schunks of ", filters > 0 ? "compressed " : "");
    for (int d = 0; d < rank && d < 4; d++) {
        chunk *= (uint64_t)cd[d];
        if (n > 0 && (size_t)n < sizeof out->unit)
            n += snprintf(out->unit + n, sizeof out->unit - (size_t)n, "%s%llu", d ? "x" : "",
                          (unsigned long long)cd[d]);
    }
    if (n > 0 && (size_t)n < sizeof out->unit)
        snprintf(out->unit + n, sizeof out->unit - (size_t)n, " %s (%.1f MiB each)", zs_dtype_name(v->info.dtype),
                 (double)chunk / 1048576.0);
    out->shared += filters > 0 ? 2 * chunk : chunk;
}

static const zs_volume_io h5_read_io = {
    .read_planes = h5_read_planes, .close = h5_close, .decode_cost = h5_decode_cost};

/* ---- open ----------------------------------------------------------------------------------------- */

/* The byte offset of a dataset that is one range holding exactly the volume; 0 when it is not
 * (lock held). */
static uint64_t mapped_offset(h5_reader *r, const zs_volume_info *info)
{
    if (r->l.nsrc != 1) return 0;
    for (int a = 0; a < 4; a++)
        if (r->l.dim[a] >= 0 && (int64_t)r->l.dims[r->l.dim[a]] != info->shape[a]) return 0;
    hid_t ds = H5Dopen2(r->f, r->l.src[0], H5P_DEFAULT), dcpl = ds >= 0 ? H5Dget_create_plist(ds) : -1;
    uint64_t off = 0;
    if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CONTIGUOUS && H5Pget_nfilters(dcpl) == 0 &&
        H5Dget_storage_size(ds) == info->nbytes) {
        const haddr_t a = H5Dget_offset(ds);
        off = a == HADDR_UNDEF ? 0 : (uint64_t)a;
    }
    if (dcpl >= 0) H5Pclose(dcpl);
    if (ds >= 0) H5Dclose(ds);
    H5Eclear2(H5E_DEFAULT);
    return off;
}

/* Order of a mapped dataset: F when its dimensions are (t, z, y, x) or (z, y, x), C when they are
 * (x, y, z[, t]); 0 (not mappable) for other permutations. */
static int mapped_order(const zs_h5_layout *l, zs_order *o)
{
    const int r = l->rank;
    if (l->dim[0] == r - 1 && l->dim[1] == r - 2 && l->dim[2] == r - 3 && (r == 3 || l->dim[3] == 0)) {
        *o = ZS_ORDER_F;
        return 1;
    }
    if (l->dim[0] == 0 && l->dim[1] == 1 && l->dim[2] == 2 && (r == 3 || l->dim[3] == 3)) {
        *o = ZS_ORDER_C;
        return 1;
    }
    return 0;
}

static zs_status describe(zs_volume *v, h5_reader *r)
{
    zs_volume_info *info = &v->info;
    hid_t ds = H5Dopen2(r->f, r->l.src[0], H5P_DEFAULT), t = ds >= 0 ? H5Dget_type(ds) : -1;
    zs_status st = t >= 0 ? dtype_of(t, r->file, r->l.src[0], &info->dtype, &r->mtype)
                          : zs__h5_fail(ZS_EFORMAT, r->file, r->l.src[0], "cannot read the dataset's type");
    if (t >= 0) H5Tclose(t);
    if (ds >= 0) H5Dclose(ds);
    ZS_FORWARD(st);
    info->format = ZS_FMT_HDF5;
    info->version = r->l.kind[0] == 'I' ? H5_IMARIS : r->l.kind[0] == 'B' ? H5_BDV : H5_DATASET;
    memcpy(info->shape, r->l.shape, sizeof info->shape);
    info->ndim = info->shape[3] > 1 || r->l.rank == 4 ? 4 : 3;
    memcpy(info->voxel, r->l.voxel, sizeof info->voxel);
    snprintf(info->unit, sizeof info->unit, "%s", r->l.unit);
    snprintf(info->data_path, sizeof info->data_path, "%s", r->file);
    ZS_FORWARD(zs_volume_info_sizes(info, NULL, NULL, &info->nbytes));
    zs_order order;
    const uint64_t off = mapped_order(&r->l, &order) ? mapped_offset(r, info) : 0;
    if (off) {
        info->order = order;
        info->offset = off;
        return zs__check_fits(info, v->file_size, off);
    }
    info->decoded = 1;
    info->order = ZS_ORDER_F;
    info->offset = 0;
    if (zs_dtype_size(info->dtype) > 1) info->dtype.big_endian = zs__host_big_endian();
    const int rk = r->l.rank;
    r->direct = r->l.dim[0] == rk - 1 && r->l.dim[1] == rk - 2 && r->l.dim[2] == rk - 3;
    r->ds = calloc((size_t)r->l.nsrc, sizeof *r->ds);
    r->used = calloc((size_t)r->l.nsrc, sizeof *r->used);
    ZS_RETURN_IF(!r->ds || !r->used, ZS_ENOMEM, "%s: out of memory", r->file);
    return ZS_OK;
}

static zs_status open_file(zs_volume *v, h5_reader *r, const char *dset)
{
    if (v->fd < 0) /* libhdf5 opens the path again: only once it is known to be a regular file */
        ZS_FORWARD(zs__open_regular(r->file, v->mode == ZS_MODE_RW ? O_RDWR : O_RDONLY, &v->fd, NULL));
    struct stat st;
    if (fstat(v->fd, &st) != 0 || !S_ISREG(st.st_mode)) return ZS_ERR(ZS_EINVAL, "%s: not a regular file", r->file);
    v->file_size = (uint64_t)st.st_size;
    /* the signature starts the file, or follows a user block of 512, 1024, 2048, ... bytes */
    unsigned char magic[H5_MAGIC_LEN];
    int found = 0;
    for (uint64_t at = 0; !found && at + sizeof magic <= v->file_size; at = at ? at * 2 : 512)
        found = pread(v->fd, magic, sizeof magic, (off_t)at) == (ssize_t)sizeof magic && h5_sniff(magic, sizeof magic);
    ZS_RETURN_IF(!found, ZS_EFORMAT, "%s: not an HDF5 file (no HDF5 signature at its start or after a user block)",
                 r->file);
    hid_t fapl = zs__h5_fapl();
    r->f = H5Fopen(r->file, H5F_ACC_RDONLY, fapl); /* r+ writes through the mapping */
    if (fapl >= 0) H5Pclose(fapl);
    if (r->f < 0) return zs__h5_fail(ZS_EFORMAT, r->file, NULL, "cannot open the HDF5 file");
    ZS_FORWARD(zs__h5_layout(r->f, r->file, dset, &r->l));
    return describe(v, r);
}

static zs_status h5_open(zs_volume *v, const zs_open_opts *o)
{
    (void)o;
    h5_reader *r = calloc(1, sizeof *r);
    ZS_RETURN_IF(!r, ZS_ENOMEM, "%s: out of memory", v->info.path);
    char dset[ZS_H5_NAME_MAX];
    zs__h5_split_name(v->info.path, r->file, sizeof r->file, dset, sizeof dset);
    zs__h5_lock();
    zs_status st = open_file(v, r, dset);
    if (st == ZS_OK && v->info.decoded) {
        v->io = &h5_read_io;
        v->fmt_state = r;
    } else
        reader_free(r); /* mapped: no libhdf5 call after open */
    zs__h5_unlock();
    return st;
}

/* ---- the entry -------------------------------------------------------------------------------- */

static const char *h5_file(const zs_volume *v, int64_t i)
{
    return i == 0 && v->info.data_path[0] ? v->info.data_path : NULL;
}

static int h5_encodes(const zs_create_opts *o)
{
    (void)o;
    return 1;
}

static void h5_version_text(const zs_volume_info *i, char *buf, size_t n)
{
    unsigned maj = 0, min = 0, rel = 0;
    zs__h5_lock();
    H5get_libversion(&maj, &min, &rel);
    zs__h5_unlock();
    snprintf(buf, n, "%s, libhdf5 %u.%u.%u",
             i->version == H5_IMARIS ? "an Imaris image"
             : i->version == H5_BDV  ? "a BigDataViewer image"
                                     : "a dataset",
             maj, min, rel);
}

int zs__hdf5_axes_named(const zs_volume *v)
{
    const h5_reader *r = v->ops == &zs__fmt_hdf5 && v->mode != ZS_MODE_CREATE ? v->fmt_state : NULL;
    return r && r->l.named;
}

const zs_format_ops zs__fmt_hdf5 = {
    .desc = {ZS_FMT_HDF5, "hdf5", ".h5 .hdf5 .he5 .ims",
             "HDF5 datasets (FILE.h5:/path), Imaris .ims, BigDataViewer .h5: contiguous mapped, chunked decoded",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_MAPPED | ZS_FORMAT_DECODED | ZS_FORMAT_VOXEL_SIZE |
                 ZS_FORMAT_COMPRESS | ZS_FORMAT_FILES,
             "gzip deflate"},
    .hint = NULL,
    .claims_name = h5_claims,
    .sniff = h5_sniff,
    .open = h5_open,
    .create = zs__h5_create,
    .encodes = h5_encodes,
    .file = h5_file,
    .z_align = zs__h5_z_align,
    .version_text = h5_version_text,
};
