/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* HDF5 names, errors and layouts: which datasets make a volume, and its axes.
 *
 * A name is FILE.h5 or FILE.h5:/path/to/dataset. Without a path the file's volume is its
 * Imaris image (DataSet/ResolutionLevel 0/TimePoint T/Channel C/Data; the real size in the
 * X, Y, Z attributes of DataSetInfo/Image, stored as arrays of one-character strings, the
 * datasets padded beyond it; the voxel size from ExtMin/ExtMax, in micrometres), its
 * BigDataViewer image (tSSSSS/sNN/0/cells; the voxel size from the XML beside it), or its only
 * 3-D or 4-D dataset. Imaris channels and BigDataViewer setups are folded into the series axis
 * as TIFF hyperstacks are: t = c + C*timepoint.
 *
 * Axes: a dataset is C order (its last dimension fastest). Without axis names zslab's rule that
 * axis 0 is x holds (as for a C-order .npy); with names (HDF5 dimension labels "z", "y", "x",
 * "t"/"c", Imaris, BigDataViewer) x is the dimension named x, which is the last one in
 * (z, y, x) files: the planes are then Fortran-order planes. */
#include "hdf5_internal.h" /* strcasestr: _GNU_SOURCE is the build's */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- the lock and the error stack ------------------------------------------------------ */

static pthread_mutex_t h5_mutex = PTHREAD_MUTEX_INITIALIZER;

/* The cause of the last failed libhdf5 call of this thread. libhdf5 clears its error stack at
 * the start of every call (a close after a failure would empty it), so the stack is read when
 * the call fails, by the handler libhdf5 calls then instead of printing it on stderr. */
typedef struct h5_cause {
    char text[256];
    int err; /* the errno a system call failed with, when the cause names one */
} h5_cause;
static _Thread_local h5_cause last_cause;
static _Thread_local int handler_set; /* a thread-safe build keeps the handler per thread */

/* Walked upward: entry 0 is where the error was detected (the most specific cause). A failed
 * system call reads "file write failed: time = ..., errno = 28, error message = '...', ...":
 * keep what failed and the system's message. */
static herr_t cause_of(unsigned n, const H5E_error2_t *e, void *data)
{
    h5_cause *c = data;
    if (n != 0 || !e->desc || !e->desc[0]) return 0;
    const char *msg = strstr(e->desc, "error message = '"), *no = strstr(e->desc, "errno = ");
    if (msg && no) {
        msg += strlen("error message = '");
        snprintf(c->text, sizeof c->text, "%.*s: %.*s", (int)strcspn(e->desc, ":"), e->desc, (int)strcspn(msg, "'"),
                 msg);
        c->err = atoi(no + strlen("errno = "));
    } else {
        snprintf(c->text, sizeof c->text, "%s", e->desc);
        c->err = 0;
    }
    for (char *p = c->text; *p; p++)
        if (*p == '\n') *p = ' ';
    return 0;
}

static herr_t on_failure(hid_t stack, void *data)
{
    (void)data;
    last_cause.text[0] = '\0';
    H5Ewalk2(stack, H5E_WALK_UPWARD, cause_of, &last_cause);
    return 0;
}

/* No termination of libhdf5 at exit: after a failed H5Fclose (an output on a full disk, which
 * is abandoned) the file stays in libhdf5's tables and its exit handler crashes closing it
 * again. zslab closes every id it opens; what libhdf5 keeps in its globals is freed with the
 * process. */
static int library_started;

void zs__h5_lock(void)
{
    pthread_mutex_lock(&h5_mutex);
    if (!library_started) {
        H5dont_atexit(); /* before any other call */
        library_started = 1;
    }
    if (!handler_set) {
        H5Eset_auto2(H5E_DEFAULT, on_failure, NULL);
        handler_set = 1;
    }
}

void zs__h5_unlock(void) { pthread_mutex_unlock(&h5_mutex); }

zs_status zs__h5_fail(zs_status code, const char *file, const char *dset, const char *what)
{
    const char *cause = last_cause.text[0] ? last_cause.text : "no detail from libhdf5";
    if (code == ZS_EIO && last_cause.err > 0) code = zs__status_from_errno(last_cause.err);
    zs_status st = dset && dset[0] ? ZS_ERR(code, "%s: dataset %s: %s (libhdf5: %s)", file, dset, what, cause)
                                   : ZS_ERR(code, "%s: %s (libhdf5: %s)", file, what, cause);
    last_cause.text[0] = '\0';
    last_cause.err = 0;
    return st;
}

hid_t zs__h5_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
#if H5_VERSION_GE(1, 10, 7)
    /* outputs are claimed by zslab's own lock; inputs are read as any other file */
    if (fapl >= 0) H5Pset_file_locking(fapl, 0, 1);
#endif
    return fapl;
}

/* ---- names ----------------------------------------------------------------------------------- */

static const char *const dataset_suffixes[] = {".h5:", ".hdf5:", ".he5:", ".ims:"};

/* The first ".h5:"-like separator in name; NULL when none. */
static const char *separator(const char *name, size_t *sl)
{
    const char *best = NULL;
    for (size_t i = 0; i < sizeof dataset_suffixes / sizeof *dataset_suffixes; i++) {
        const char *s = strcasestr(name, dataset_suffixes[i]);
        if (s && (!best || s < best)) {
            best = s;
            *sl = strlen(dataset_suffixes[i]);
        }
    }
    return best;
}

int zs__h5_names_dataset(const char *name)
{
    size_t sl = 0;
    return separator(name, &sl) != NULL;
}

void zs__h5_split_name(const char *name, char *file, size_t fn, char *dset, size_t dn)
{
    size_t sl = 0;
    const char *s = separator(name, &sl);
    if (!s) {
        snprintf(file, fn, "%s", name);
        dset[0] = '\0';
        return;
    }
    snprintf(file, fn, "%.*s", (int)(s - name + (ptrdiff_t)sl - 1), name);
    const char *p = s + sl;
    if (!p[0] || strcmp(p, "/") == 0) /* FILE.h5: or FILE.h5:/ is the file */
        dset[0] = '\0';
    else
        snprintf(dset, dn, "%s%s", *p == '/' ? "" : "/", p);
}

/* ---- the pure parts of layout discovery (text in, numbers out; fuzzed) ------------------------ */

zs_status zs__h5_imaris_axis(const char *fname, const char *axis, const char *size, const char *lo, const char *hi,
                             int64_t padded, int64_t *n, double *voxel)
{
    *n = size ? (int64_t)strtoll(size, NULL, 10) : padded;
    ZS_RETURN_IF(*n < 1 || *n > padded, ZS_EFORMAT, "%s: Imaris image size %s=%lld does not fit its datasets (%lld)",
                 fname, axis, (long long)*n, (long long)padded);
    const double v = lo && hi ? (strtod(hi, NULL) - strtod(lo, NULL)) / (double)*n : 0;
    if (isfinite(v) && v > 0) *voxel = v; /* an extent of no size, or beyond a double, is none */
    return ZS_OK;
}

void zs__h5_bdv_voxel_parse(const char *xml, double voxel[3], char unit[16])
{
    const char *vs = strstr(xml, "<voxelSize>"), *end = vs ? strstr(vs, "</voxelSize>") : NULL;
    const char *u = vs ? strstr(vs, "<unit>") : NULL, *s = vs ? strstr(vs, "<size>") : NULL;
    double v[3];
    if (!end || !s || s > end || sscanf(s + 6, "%lf %lf %lf", &v[0], &v[1], &v[2]) != 3) return;
    int bad = 0;
    for (int a = 0; a < 3; a++)
        if (isfinite(v[a]) && v[a] > 0)
            voxel[a] = v[a];
        else
            bad = 1;
    if (bad)
        unit[0] = '\0'; /* a size that is not finite and positive: no unit (zs__voxel_normalize) */
    else if (u && u < end)
        zs__unit_normalize(u + 6, strcspn(u + 6, "<"), unit);
}

/* ---- attributes ------------------------------------------------------------------------------ */

/* A text attribute of obj/name: a string (fixed or variable length) or an array of
 * one-character strings (Imaris), into out. 0 when absent or not text. */
static int text_attr(hid_t loc, const char *obj, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    if (H5Aexists_by_name(loc, obj, name, H5P_DEFAULT) <= 0) return 0;
    hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1;
    hid_t s = a >= 0 ? H5Aget_space(a) : -1, mt = -1;
    int ok = 0;
    const hssize_t np = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
    const int text = t >= 0 && H5Tget_class(t) == H5T_STRING && np > 0, vlen = text && H5Tis_variable_str(t) > 0;
    /* fixed-length: the stored bytes, unconverted (Imaris' one-character strings keep their
     * character whatever their padding) */
    if (text) mt = vlen ? H5Tcopy(H5T_C_S1) : H5Tcopy(t);
    if (mt >= 0) {
        if (vlen) {
            char **v = calloc((size_t)np, sizeof *v);
            H5Tset_size(mt, H5T_VARIABLE);
            if (v && H5Aread(a, mt, v) >= 0) {
                ok = 1;
                snprintf(out, n, "%s", v[0] ? v[0] : "");
                H5Dvlen_reclaim(mt, s, H5P_DEFAULT, v);
            }
            free(v);
        } else {
            const size_t sz = H5Tget_size(t), total = sz * (size_t)np;
            char *b = calloc(total + 1, 1);
            if (b && H5Aread(a, mt, b) >= 0) {
                size_t k = 0;
                for (size_t i = 0; i < total && k + 1 < n; i++)
                    if (b[i]) out[k++] = b[i];
                out[k] = '\0';
                ok = 1;
            }
            free(b);
        }
    }
    if (mt >= 0) H5Tclose(mt);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

/* Up to max numbers of a numeric attribute of obj/name as doubles; how many (0 when absent). */
static int number_attr(hid_t loc, const char *obj, const char *name, double *v, int max)
{
    if (H5Aexists_by_name(loc, obj, name, H5P_DEFAULT) <= 0) return 0;
    hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT), s = a >= 0 ? H5Aget_space(a) : -1;
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    const hssize_t np = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
    int got = 0;
    const H5T_class_t cl = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    if (np > 0 && np <= max && (cl == H5T_FLOAT || cl == H5T_INTEGER) && H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0)
        got = (int)np;
    if (t >= 0) H5Tclose(t);
    if (s >= 0) H5Sclose(s);
    if (a >= 0) H5Aclose(a);
    H5Eclear2(H5E_DEFAULT);
    return got;
}

/* The dimension labels of a dataset (HDF5 dimension scales: the attribute DIMENSION_LABELS,
 * one variable-length string a dimension); 0 when it has none. */
static int read_labels(hid_t ds, int rank, char lab[4][8])
{
    memset(lab, 0, 4 * 8);
    if (H5Aexists(ds, "DIMENSION_LABELS") <= 0) return 0;
    hid_t a = H5Aopen(ds, "DIMENSION_LABELS", H5P_DEFAULT), s = a >= 0 ? H5Aget_space(a) : -1;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    char *v[4] = {0};
    int ok = s >= 0 && H5Sget_simple_extent_npoints(s) == rank && H5Aread(a, mt, v) >= 0;
    for (int i = 0; ok && i < rank; i++) snprintf(lab[i], 8, "%s", v[i] ? v[i] : "");
    if (ok) H5Dvlen_reclaim(mt, s, H5P_DEFAULT, v);
    H5Tclose(mt);
    if (s >= 0) H5Sclose(s);
    if (a >= 0) H5Aclose(a);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

int zs__h5_axes_from_labels(char lab[4][8], int rank, int dim[4])
{
    static const char *const names[4][2] = {{"x", "x"}, {"y", "y"}, {"z", "z"}, {"t", "c"}};
    for (int a = 0; a < 4; a++) {
        dim[a] = -1;
        for (int d = 0; d < rank; d++)
            if (strcasecmp(lab[d], names[a][0]) == 0 || strcasecmp(lab[d], names[a][1]) == 0) dim[a] = d;
    }
    if (dim[0] < 0 || dim[1] < 0 || dim[2] < 0) return 0;
    if (rank == 4 && dim[3] < 0) dim[3] = 6 - dim[0] - dim[1] - dim[2]; /* the one left */
    return dim[0] != dim[1] && dim[1] != dim[2] && dim[0] != dim[2];
}

zs_status zs__h5_write_axes(hid_t ds, int rank, const zs_volume_info *info, const char *fname, const char *dset)
{
    static const char *const zyx[4] = {"t", "z", "y", "x"};
    const char *labels[4];
    for (int i = 0; i < rank; i++) labels[i] = zyx[4 - rank + i];
    const hsize_t n = (hsize_t)rank, three = 3;
    hid_t st = H5Tcopy(H5T_C_S1), sp = H5Screate_simple(1, &n, NULL), a = -1;
    herr_t ok = st >= 0 && sp >= 0 ? H5Tset_size(st, H5T_VARIABLE) : -1;
    if (ok >= 0) a = H5Acreate2(ds, "DIMENSION_LABELS", st, sp, H5P_DEFAULT, H5P_DEFAULT);
    ok = a >= 0 ? H5Awrite(a, st, labels) : -1;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    /* the voxel size, z y x, in micrometres when the unit is a length (ilastik, BigDataViewer
     * tools read element_size_um), else as stored, with the unit beside it */
    const double um = zs__unit_um(info->unit), f = um > 0 ? um : 1.0;
    const double zyx_size[3] = {info->voxel[2] * f, info->voxel[1] * f, info->voxel[0] * f};
    const char *unit = um > 0 ? "um" : info->unit;
    sp = H5Screate_simple(1, &three, NULL);
    a = ok >= 0
            ? H5Acreate2(ds, um > 0 ? "element_size_um" : "voxel_size", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT)
            : -1;
    ok = a >= 0 ? H5Awrite(a, H5T_NATIVE_DOUBLE, zyx_size) : -1;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    if (st >= 0) H5Tclose(st);
    hid_t scalar = H5Screate(H5S_SCALAR), fixed = H5Tcopy(H5T_C_S1); /* the unit: one fixed-length string */
    if (ok >= 0) ok = fixed >= 0 ? H5Tset_size(fixed, strlen(unit) + 1) : -1;
    a = ok >= 0 ? H5Acreate2(ds, "unit", fixed, scalar, H5P_DEFAULT, H5P_DEFAULT) : -1;
    ok = a >= 0 ? H5Awrite(a, fixed, unit) : -1;
    if (a >= 0) H5Aclose(a);
    if (scalar >= 0) H5Sclose(scalar);
    if (fixed >= 0) H5Tclose(fixed);
    return ok >= 0 ? ZS_OK : zs__h5_fail(ZS_EIO, fname, dset, "cannot write the axis labels and the voxel size");
}

/* ---- finding datasets ------------------------------------------------------------------------ */

/* 1 when every component of path exists and the last is a dataset. */
static int is_dataset(hid_t f, const char *path)
{
    char prefix[ZS_H5_NAME_MAX];
    const size_t n = strlen(path);
    if (n >= sizeof prefix) return 0;
    for (size_t i = 1; i <= n; i++)
        if (i == n || path[i] == '/') {
            snprintf(prefix, sizeof prefix, "%.*s", (int)i, path);
            if (H5Lexists(f, prefix, H5P_DEFAULT) <= 0) {
                H5Eclear2(H5E_DEFAULT);
                return 0;
            }
        }
    hid_t o = H5Oopen(f, path, H5P_DEFAULT);
    const int ds = o >= 0 && H5Iget_type(o) == H5I_DATASET;
    if (o >= 0) H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    return ds;
}

typedef struct ds_list {
    char text[512]; /* "/a (3-D), /b/c (2-D)" */
    size_t len;
    int count, volumes;        /* datasets, and those of 3 or 4 dimensions */
    char only[ZS_H5_NAME_MAX]; /* the last 3-D or 4-D dataset */
} ds_list;

static herr_t list_one(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    ds_list *l = data;
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o >= 0 && H5Iget_type(o) == H5I_DATASET) {
        hid_t s = H5Dget_space(o);
        const int r = s >= 0 ? H5Sget_simple_extent_ndims(s) : 0;
        if (s >= 0) H5Sclose(s);
        l->count++;
        if (r == 3 || r == 4) {
            l->volumes++;
            snprintf(l->only, sizeof l->only, "/%s", name);
        }
        if (l->len < sizeof l->text)
            l->len += (size_t)snprintf(l->text + l->len, sizeof l->text - l->len, "%s/%s (%d-D)",
                                       l->count > 1 ? ", " : "", name, r);
    }
    if (o >= 0) H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    return 0;
}

static void list_datasets(hid_t f, ds_list *l)
{
    memset(l, 0, sizeof *l);
    H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, list_one, l);
    H5Eclear2(H5E_DEFAULT);
    if (!l->count) snprintf(l->text, sizeof l->text, "none");
}

void zs__h5_layout_free(zs_h5_layout *l)
{
    free(l->src);
    l->src = NULL;
}

static zs_status alloc_sources(zs_h5_layout *l, int64_t n, const char *fname)
{
    l->nsrc = n;
    l->src = calloc((size_t)n, sizeof *l->src);
    ZS_RETURN_IF(!l->src, ZS_ENOMEM, "%s: out of memory", fname);
    return ZS_OK;
}

/* The rank and dimensions of a dataset. */
static zs_status dataset_dims(hid_t f, const char *fname, const char *path, int *rank, hsize_t dims[4])
{
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT), s = ds >= 0 ? H5Dget_space(ds) : -1;
    *rank = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
    if (*rank >= 1 && *rank <= 4) H5Sget_simple_extent_dims(s, dims, NULL);
    if (s >= 0) H5Sclose(s);
    if (ds >= 0) H5Dclose(ds);
    if (*rank < 0) return zs__h5_fail(ZS_EFORMAT, fname, path, "cannot open the dataset");
    return ZS_OK;
}

/* The voxel size of a plain dataset: element_size_um (one value a dimension, or z y x), else
 * voxel_size with its unit attribute. */
static void plain_voxel(hid_t f, const char *path, zs_h5_layout *l)
{
    double v[4];
    int n = number_attr(f, path, "element_size_um", v, 4);
    if (n) snprintf(l->unit, sizeof l->unit, "um");
    if (!n && (n = number_attr(f, path, "voxel_size", v, 4))) text_attr(f, path, "unit", l->unit, sizeof l->unit);
    int spatial[4], ns = 0; /* the spatial dimensions in the dataset's order */
    for (int d = 0; d < l->rank; d++)
        if (d != l->dim[3]) spatial[ns++] = d;
    for (int a = 0; a < 3 && (n == l->rank || n == 3); a++) {
        int k = l->dim[a];
        if (n == 3 && l->rank == 4)
            for (int i = 0; i < ns; i++)
                if (spatial[i] == l->dim[a]) k = i;
        l->voxel[a] = v[k]; /* not finite and positive: none (zs__voxel_normalize) */
    }
}

static zs_status plain_layout(hid_t f, const char *fname, const char *path, zs_h5_layout *l)
{
    ZS_FORWARD(dataset_dims(f, fname, path, &l->rank, l->dims));
    if (l->rank != 3 && l->rank != 4)
        return ZS_ERR(ZS_EUNSUPPORTED,
                      "%s: dataset %s has %d dimension%s: zslab reads 3-D datasets (a volume) and 4-D ones (a "
                      "series of volumes)",
                      fname, path, l->rank, l->rank == 1 ? "" : "s");
    l->kind = "dataset";
    ZS_RETURN_IF(strlen(path) >= ZS_H5_NAME_MAX, ZS_EINVAL, "%s: dataset path of %zu bytes is too long (at most %d)",
                 fname, strlen(path), ZS_H5_NAME_MAX - 1);
    char lab[4][8];
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    l->named = ds >= 0 && read_labels(ds, l->rank, lab) && zs__h5_axes_from_labels(lab, l->rank, l->dim);
    if (ds >= 0) H5Dclose(ds);
    if (!l->named)
        for (int a = 0; a < 4; a++) l->dim[a] = a < l->rank ? a : -1; /* axis 0 is x */
    for (int a = 0; a < 4; a++) l->shape[a] = l->dim[a] >= 0 ? (int64_t)l->dims[l->dim[a]] : 1;
    l->per = l->shape[3];
    plain_voxel(f, path, l);
    ZS_FORWARD(alloc_sources(l, 1, fname));
    snprintf(l->src[0], sizeof l->src[0], "%s", path);
    return ZS_OK;
}

/* Datasets (z, y, x) of one shape, sources [0, n): the common part of Imaris and BigDataViewer. */
static zs_status zyx_sources(hid_t f, const char *fname, zs_h5_layout *l)
{
    for (int64_t i = 0; i < l->nsrc; i++) {
        int rank = 0;
        hsize_t dims[4];
        ZS_FORWARD(dataset_dims(f, fname, l->src[i], &rank, dims));
        if (i == 0) {
            l->rank = rank;
            memcpy(l->dims, dims, sizeof dims);
        }
        ZS_RETURN_IF(rank != 3 || dims[0] != l->dims[0] || dims[1] != l->dims[1] || dims[2] != l->dims[2], ZS_EFORMAT,
                     "%s: %s image: dataset %s is not 3-D or not of the shape of %s", fname, l->kind, l->src[i],
                     l->src[0]);
    }
    l->named = 1;
    l->per = 1;
    l->dim[0] = 2, l->dim[1] = 1, l->dim[2] = 0, l->dim[3] = -1;
    return ZS_OK;
}

static int64_t count_links(hid_t f, const char *fmt, const char *a, int64_t b)
{
    char p[256];
    int64_t n = 0;
    for (;; n++) {
        if (a)
            snprintf(p, sizeof p, fmt, a, (long long)n);
        else
            snprintf(p, sizeof p, fmt, (long long)n, (long long)b);
        if (H5Lexists(f, p, H5P_DEFAULT) <= 0) break;
    }
    H5Eclear2(H5E_DEFAULT);
    return n;
}

#define IMARIS_LEVEL "/DataSet/ResolutionLevel 0"

static zs_status imaris_layout(hid_t f, const char *fname, zs_h5_layout *l)
{
    l->kind = "Imaris";
    const int64_t T = count_links(f, IMARIS_LEVEL "/TimePoint %lld", NULL, 0);
    const int64_t C = T ? count_links(f, "%s/Channel %lld", IMARIS_LEVEL "/TimePoint 0", 0) : 0;
    ZS_RETURN_IF(T == 0 || C == 0, ZS_EFORMAT, "%s: Imaris file without %s/TimePoint 0/Channel 0", fname, IMARIS_LEVEL);
    ZS_FORWARD(alloc_sources(l, T * C, fname));
    for (int64_t t = 0; t < T * C; t++)
        snprintf(l->src[t], sizeof l->src[t], IMARIS_LEVEL "/TimePoint %lld/Channel %lld/Data", (long long)(t / C),
                 (long long)(t % C));
    ZS_FORWARD(zyx_sources(f, fname, l));
    static const char *const sizes[3] = {"X", "Y", "Z"};
    int extents = 0, bad = 0;
    for (int a = 0; a < 3; a++) {
        char text[64], mn[16], mx[16], lo[64], hi[64];
        snprintf(mn, sizeof mn, "ExtMin%d", a);
        snprintf(mx, sizeof mx, "ExtMax%d", a);
        const int has_size = text_attr(f, "/DataSetInfo/Image", sizes[a], text, sizeof text);
        const int extent = text_attr(f, "/DataSetInfo/Image", mn, lo, sizeof lo) &&
                           text_attr(f, "/DataSetInfo/Image", mx, hi, sizeof hi);
        double v = 0; /* set only from an extent of a finite, positive size */
        ZS_FORWARD(zs__h5_imaris_axis(fname, sizes[a], has_size ? text : NULL, extent ? lo : NULL, extent ? hi : NULL,
                                      (int64_t)l->dims[2 - a], &l->shape[a], &v));
        if (v > 0) l->voxel[a] = v;
        extents += extent;
        bad |= extent && !(v > 0);
    }
    /* an extent that gives no size makes the voxel size partly unknown: no unit, as for any
     * reader's size that is not finite and positive (zs__voxel_normalize) */
    if (extents && !bad) snprintf(l->unit, sizeof l->unit, "um");
    l->shape[3] = T * C;
    return ZS_OK;
}

/* The voxel size of a BigDataViewer file: <voxelSize><unit>..</unit><size>x y z</size> of the
 * first view setup of the XML beside it (NAME.xml, the extension dropped from the base name),
 * when there is one. An XML that is there but is not a regular file (a FIFO) is an error. */
static zs_status bdv_voxel(const char *fname, zs_h5_layout *l)
{
    char xml[ZS_PATH_MAX], buf[65536];
    const char *slash = strrchr(fname, '/'), *dot = strrchr(slash ? slash + 1 : fname, '.');
    snprintf(xml, sizeof xml, "%.*s.xml", (int)(dot ? dot - fname : (ptrdiff_t)strlen(fname)), fname);
    int fd = -1;
    if (zs__open_regular(xml, O_RDONLY, &fd, NULL) < 0) {
        if (errno != ENOENT) return ZS_EIO;
        zs_clear_error(); /* no XML: no voxel size */
        return ZS_OK;
    }
    size_t n = 0;
    (void)zs__read_full(fd, buf, sizeof buf - 1, -1, 1, &n); /* the first 64 KiB hold the view setups */
    close(fd);
    buf[n] = '\0';
    zs__h5_bdv_voxel_parse(buf, l->voxel, l->unit);
    return ZS_OK;
}

static zs_status bdv_layout(hid_t f, const char *fname, zs_h5_layout *l)
{
    l->kind = "BigDataViewer";
    const int64_t T = count_links(f, "/t%05lld", NULL, 0), S = count_links(f, "%s/s%02lld", "/t00000", 0);
    ZS_FORWARD(alloc_sources(l, T * S, fname));
    for (int64_t t = 0; t < T * S; t++)
        snprintf(l->src[t], sizeof l->src[t], "/t%05lld/s%02lld/0/cells", (long long)(t / S), (long long)(t % S));
    ZS_FORWARD(zyx_sources(f, fname, l));
    for (int a = 0; a < 3; a++) l->shape[a] = (int64_t)l->dims[2 - a];
    l->shape[3] = T * S;
    return bdv_voxel(fname, l);
}

zs_status zs__h5_layout(hid_t f, const char *fname, const char *dset, zs_h5_layout *l)
{
    memset(l, 0, sizeof *l);
    for (int a = 0; a < 3; a++) l->voxel[a] = 1.0;
    ds_list found;
    if (dset[0]) {
        if (is_dataset(f, dset)) return plain_layout(f, fname, dset, l);
        list_datasets(f, &found);
        return ZS_ERR(ZS_EFORMAT, "%s: no dataset %s in the file (its datasets: %s)", fname, dset, found.text);
    }
    if (is_dataset(f, IMARIS_LEVEL "/TimePoint 0/Channel 0/Data")) return imaris_layout(f, fname, l);
    if (is_dataset(f, "/t00000/s00/0/cells")) return bdv_layout(f, fname, l);
    list_datasets(f, &found);
    if (found.volumes == 1) return plain_layout(f, fname, found.only, l);
    return ZS_ERR(ZS_EFORMAT, "%s: %s; name one as %s:/path (the file's datasets: %s)", fname,
                  found.volumes ? "more than one 3-D or 4-D dataset"
                                : "no 3-D or 4-D dataset, Imaris or "
                                  "BigDataViewer image",
                  fname, found.text);
}
