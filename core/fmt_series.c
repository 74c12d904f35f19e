/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A plane series: one 2-D file per z-plane (TIFF, or .npy), named by
 *  - a directory ("stack/" or "stack": every .tif/.tiff/.npy file in it),
 *  - a glob ("stack/img_*.tif" in quotes, so that the shell leaves it alone),
 *  - a printf pattern ("stack/plane_%04d.tif").
 * z follows the number in the names, not their lexical order (img_2 < img_10): for a
 * directory or a glob it is the last run of digits of the name, and every name must be the
 * same text around it. The numbers must run without a gap; a missing plane, a duplicate, or a
 * plane of another size or dtype is an error naming the file.
 *
 * Reading opens each plane's file when a worker needs it (nothing shared between workers):
 * planes stored raw (uncompressed TIFF strips end to end, Fortran-order .npy) are one pread;
 * other TIFF planes are decoded by libtiff; C-order .npy planes are transposed.
 * Writing (OUT with a printf pattern, or ending in '/': OUT/plane_0000.tif, ...) puts each
 * plane in its own file, numbered from 0, as TIFF (optionally compressed) or .npy after the
 * pattern's extension; each file is written as NAME.partial and renamed at commit. */
#include "tiff_internal.h"
#include "error_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct series_plane {
    char *path;    /* owner: the series */
    uint64_t raw;  /* offset of the plane in the file when it is one pread; 0: decode */
    int swap;      /* raw bytes in the other byte order than the host */
    int c_order;   /* .npy in C order: transposed after reading */
    zs_file_id id; /* writing: the identity of the file written (checked at commit) */
} series_plane;

typedef struct series {
    series_plane *planes;
    int64_t n;
    int npy; /* planes are .npy files (else TIFF) */
    /* writing */
    zs_compression comp;
    int direct;
    int made_dir;              /* the output directory was made by this run (removed again on failure) */
    _Atomic int64_t written;   /* planes written */
    zs_volume_info plane_spec; /* a 2-D volume: one plane */
} series;

/* ---- names -------------------------------------------------------------------------------- */

/* A printf integer conversion in the last component: "%d", "%04d", "%5i", "%u". Sets [*b,*e). */
static int printf_conversion(const char *s, const char **b, const char **e)
{
    int found = 0;
    for (const char *p = s; *p; p++) {
        if (*p != '%') continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        const char *q = p + 1;
        while (isdigit((unsigned char)*q)) q++;
        if (*q != 'd' && *q != 'i' && *q != 'u') return 0;
        if (found++) return 0;
        *b = p, *e = q + 1;
        p = q;
    }
    return found == 1;
}

int zs__series_name(const char *path)
{
    const char *b, *e;
    const size_t n = strlen(path);
    return (n && path[n - 1] == '/') || strpbrk(path, "*?[") || printf_conversion(path, &b, &e);
}

static int has_ext(const char *name, const char *ext)
{
    const size_t a = strlen(name), b = strlen(ext);
    return a > b && strcasecmp(name + a - b, ext) == 0;
}

static int plane_file(const char *name)
{
    return has_ext(name, ".tif") || has_ext(name, ".tiff") || has_ext(name, ".npy");
}

/* The number in a name: the last run of digits of the base name; [*db, *de) in name. */
static int number_of(const char *name, long long *num, const char **db, const char **de)
{
    const char *base = zs__text_basename(name), *end = NULL, *beg;
    for (const char *p = base; *p; p++)
        if (isdigit((unsigned char)*p)) end = p + 1;
    if (!end) return 0;
    for (beg = end; beg > base && isdigit((unsigned char)beg[-1]); beg--) {}
    if (end - beg > 15) return 0;
    *num = strtoll(beg, NULL, 10);
    *db = beg, *de = end;
    return 1;
}

typedef struct named {
    char *path;
    long long num;
} named;

static int cmp_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    return (x->num > y->num) - (x->num < y->num);
}

static void free_names(named *v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i].path);
    free(v);
}

static zs_status push_name(named **v, size_t *n, size_t *cap, const char *dir, const char *name)
{
    if (*n == *cap) {
        named *w = realloc(*v, (*cap ? *cap * 2 : 64) * sizeof *w);
        ZS_RETURN_IF(!w, ZS_ENOMEM, "out of memory listing %s", dir);
        *v = w, *cap = *cap ? *cap * 2 : 64;
    }
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    ZS_RETURN_IF(!p, ZS_ENOMEM, "out of memory listing %s", dir);
    snprintf(p, len, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
    (*v)[(*n)++] = (named){p, 0};
    return ZS_OK;
}

/* The plane files of a directory, a glob or (dir_of_pattern) a pattern's directory. */
static zs_status list_files(const char *path, int is_glob, named **v, size_t *n)
{
    size_t cap = 0;
    *v = NULL, *n = 0;
    if (is_glob) {
        glob_t g;
        int r = glob(path, GLOB_ERR, NULL, &g);
        ZS_RETURN_IF(r == GLOB_NOMATCH, ZS_EIO, "%s: no file matches", path);
        ZS_RETURN_IF(r != 0, ZS_EIO, "%s: cannot list the matching files", path);
        zs_status st = ZS_OK;
        for (size_t i = 0; i < g.gl_pathc && st == ZS_OK; i++) st = push_name(v, n, &cap, "", g.gl_pathv[i]);
        globfree(&g);
        return st;
    }
    DIR *d = opendir(path);
    if (!d) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot list the directory", path);
    zs_status st = ZS_OK;
    for (struct dirent *e; st == ZS_OK && (e = readdir(d));)
        if (e->d_name[0] != '.' && plane_file(e->d_name)) st = push_name(v, n, &cap, path, e->d_name);
    closedir(d);
    return st;
}

/* Directory or glob: numbers from the names, which must share the text around them. */
static zs_status number_names(const char *path, named *v, size_t n)
{
    const char *b0 = NULL, *e0 = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *b, *e;
        if (!number_of(v[i].path, &v[i].num, &b, &e)) {
            ZS_RETURN_IF(n > 1, ZS_EFORMAT, "%s: %s has no plane number in its name", path, v[i].path);
            v[i].num = 0;
            return ZS_OK;
        }
        if (i == 0) {
            b0 = b, e0 = e;
            continue;
        }
        const size_t pre = (size_t)(b - v[i].path), pre0 = (size_t)(b0 - v[0].path);
        if (pre != pre0 || memcmp(v[i].path, v[0].path, pre) != 0 || strcmp(e, e0) != 0)
            return ZS_ERR(ZS_EFORMAT,
                          "%s: the names do not follow one pattern (%s and %s): name a printf pattern "
                          "such as img_%%04d.tif or a narrower glob",
                          path, v[0].path, v[i].path);
    }
    return ZS_OK;
}

/* The file that plane number `num` would have: like its neighbour, with the same padding. */
static void missing_name(const named *like, long long num, char *out, size_t n)
{
    const char *b, *e;
    long long k;
    if (!number_of(like->path, &k, &b, &e)) {
        snprintf(out, n, "%s", like->path);
        return;
    }
    const int width = b[0] == '0' && e - b > 1 ? (int)(e - b) : 1;
    snprintf(out, n, "%.*s%0*lld%s", (int)(b - like->path), like->path, width, num, e);
}

/* A printf pattern: the files of its directory whose names it prints exactly. */
static zs_status pattern_files(const char *path, named **v, size_t *n)
{
    const char *b = path, *e = path;
    (void)printf_conversion(path, &b, &e);
    char dir[ZS_PATH_MAX];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    ZS_RETURN_IF(slash && slash > b, ZS_EINVAL, "%s: the number must be in the file name, not a directory", path);
    ZS_FORWARD(list_files(dir, 0, v, n));
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        const char *db, *de, *base = zs__text_basename((*v)[i].path);
        char want[ZS_PATH_MAX];
        long long num;
        int keep = number_of(base, &num, &db, &de);
        keep = keep && num <= 0x7fffffff;
        if (keep) snprintf(want, sizeof want, zs__text_basename(path), (int)num);
        if (keep && strcmp(want, base) == 0) {
            (*v)[i].num = num;
            (*v)[k++] = (*v)[i];
        } else
            free((*v)[i].path);
    }
    *n = k;
    return ZS_OK;
}

/* Sorted by number; every number from the first to the last present exactly once. */
static zs_status check_numbers(const char *path, int pattern, named *v, size_t n)
{
    ZS_RETURN_IF(n == 0, ZS_EIO, "%s: no plane files (.tif, .tiff or .npy) found", path);
    qsort(v, n, sizeof *v, cmp_named);
    for (size_t i = 1; i < n; i++) {
        ZS_RETURN_IF(v[i].num == v[i - 1].num, ZS_EFORMAT, "%s: two files for plane %lld: %s and %s", path, v[i].num,
                     v[i - 1].path, v[i].path);
        if (v[i].num != v[i - 1].num + 1) {
            char miss[ZS_PATH_MAX + 32];
            if (pattern) {
                char name[ZS_PATH_MAX];
                snprintf(name, sizeof name, path, (int)(v[i - 1].num + 1)); /* one integer conversion */
                snprintf(miss, sizeof miss, "%s", name);
            } else
                missing_name(&v[i - 1], v[i - 1].num + 1, miss, sizeof miss);
            return ZS_ERR(ZS_EFORMAT,
                          "%s: missing: the series is numbered %lld to %lld and has no file for %lld "
                          "(plane z=%lld)",
                          miss, v[0].num, v[n - 1].num, v[i - 1].num + 1, v[i - 1].num + 1 - v[0].num);
        }
    }
    return ZS_OK;
}

/* ---- describing each plane -------------------------------------------------------------- */

static zs_status describe_tiff(int fd, const char *file, series_plane *p, zs_volume_info *geom, int first)
{
    zs_tiff_client c;
    memset(&c, 0, sizeof c);
    c.fd = fd;
    c.path = file;
    TIFF *tif = zs__tiff_open(&c, "r");
    if (!tif) return zs__tiff_fail(&c, ZS_EFORMAT, "not a TIFF file libtiff can read");
    zs_tiff_page_info pi;
    zs_status st = zs__tiff_page_read(tif, &c, 0, &pi);
    if (st == ZS_OK && first) {
        zs_tiff_meta meta;
        zs__tiff_first_meta(tif, &meta, geom);
    }
    if (st == ZS_OK && TIFFReadDirectory(tif))
        st = ZS_ERR(ZS_EFORMAT, "%s: holds more than one page; a plane series needs one 2-D plane per file", file);
    TIFFClose(tif);
    ZS_FORWARD(st);
    geom->shape[0] = pi.width, geom->shape[1] = pi.height;
    geom->dtype = pi.dtype;
    p->raw = pi.raw;
    p->swap = zs_dtype_size(pi.dtype) > 1 && pi.dtype.big_endian != zs__host_big_endian();
    return ZS_OK;
}

static zs_status describe_npy(int fd, const char *file, series_plane *p, zs_volume_info *geom)
{
    struct stat st;
    ZS_RETURN_IF(fstat(fd, &st) != 0, ZS_EIO, "%s: cannot stat", file);
    unsigned char head[4096];
    const size_t want = st.st_size < (off_t)sizeof head ? (size_t)st.st_size : sizeof head;
    ZS_FORWARD(zs__pread_full(fd, file, head, want, 0));
    zs_volume_info i;
    zs_volume_info_init(&i);
    snprintf(i.path, sizeof i.path, "%s", file);
    ZS_FORWARD(zs__fmt_npy.parse(head, want, (uint64_t)st.st_size, &i));
    ZS_RETURN_IF(i.ndim > 3 || i.shape[2] > 1 || i.shape[3] > 1, ZS_EFORMAT,
                 "%s: holds a %lldx%lldx%lld array; a plane series needs one 2-D plane per file", file,
                 (long long)i.shape[0], (long long)i.shape[1], (long long)i.shape[2]);
    geom->shape[0] = i.shape[0], geom->shape[1] = i.shape[1];
    geom->dtype = i.dtype;
    p->raw = i.offset;
    p->swap = zs_dtype_size(i.dtype) > 1 && i.dtype.big_endian != zs__host_big_endian();
    p->c_order = i.order == ZS_ORDER_C && i.shape[0] > 1 && i.shape[1] > 1;
    return ZS_OK;
}

static zs_status describe_planes(series *s, zs_volume_info *info)
{
    for (int64_t z = 0; z < s->n; z++) {
        series_plane *p = &s->planes[z];
        int fd = -1;
        ZS_FORWARD(zs__open_regular(p->path, O_RDONLY, &fd, NULL));
        zs_volume_info g = *info;
        zs_status st = s->npy ? describe_npy(fd, p->path, p, &g) : describe_tiff(fd, p->path, p, &g, z == 0);
        close(fd);
        ZS_FORWARD(st);
        if (z == 0) {
            *info = g;
            continue;
        }
        if (g.shape[0] != info->shape[0] || g.shape[1] != info->shape[1] || g.dtype.type != info->dtype.type)
            return ZS_ERR(ZS_EFORMAT,
                          "%s: is %lldx%lld %s but %s is %lldx%lld %s: every plane of a series must have "
                          "the same size and dtype",
                          p->path, (long long)g.shape[0], (long long)g.shape[1], zs_dtype_name(g.dtype),
                          s->planes[0].path, (long long)info->shape[0], (long long)info->shape[1],
                          zs_dtype_name(info->dtype));
    }
    return ZS_OK;
}

/* ---- reading ------------------------------------------------------------------------------- */

static zs_status read_tiff_plane(int fd, const series_plane *p, size_t bytes, void *dst)
{
    zs_tiff_client c;
    memset(&c, 0, sizeof c);
    c.fd = fd;
    c.path = p->path;
    TIFF *tif = zs__tiff_open(&c, "r");
    if (!tif) return zs__tiff_fail(&c, ZS_EFORMAT, "not a TIFF file libtiff can read");
    zs_tiff_page_info pi;
    zs_status st = zs__tiff_page_read(tif, &c, 0, &pi);
    if (st == ZS_OK && (uint64_t)pi.width * pi.height * zs_dtype_size(pi.dtype) != bytes)
        st = ZS_ERR(ZS_EFORMAT, "%s: changed since the series was opened", p->path);
    if (st == ZS_OK) st = zs__tiff_page_decode(tif, &c, 0, &pi, dst);
    TIFFClose(tif);
    return st;
}

/* C order (x slowest): plane[x*ny + y] → F order dst[y*nx + x]. */
static void transpose(const unsigned char *src, unsigned char *dst, int64_t nx, int64_t ny, size_t es)
{
    for (int64_t x = 0; x < nx; x++)
        for (int64_t y = 0; y < ny; y++) memcpy(dst + (size_t)(y * nx + x) * es, src + (size_t)(x * ny + y) * es, es);
}

static zs_status read_plane(const zs_volume *v, const series_plane *p, void *dst)
{
    const size_t es = zs_dtype_size(v->info.dtype), n = (size_t)(v->info.shape[0] * v->info.shape[1]);
    int fd = -1;
    ZS_FORWARD(zs__open_regular(p->path, O_RDONLY, &fd, NULL));
    zs_status st;
    if (!p->raw)
        st = read_tiff_plane(fd, p, n * es, dst);
    else if (!p->c_order)
        st = zs__pread_full(fd, p->path, dst, n * es, p->raw);
    else {
        unsigned char *tmp = malloc(n * es);
        st = tmp ? zs__pread_full(fd, p->path, tmp, n * es, p->raw) : ZS_ERR(ZS_ENOMEM, "%s: out of memory", p->path);
        if (st == ZS_OK) transpose(tmp, dst, v->info.shape[0], v->info.shape[1], es);
        free(tmp);
    }
    close(fd);
    if (st == ZS_OK && p->raw && p->swap) zs__bswap(dst, es, n);
    return st;
}

static zs_status series_read_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, void *dst)
{
    (void)t;
    const series *s = v->fmt_state;
    const size_t plane = (size_t)(v->info.shape[0] * v->info.shape[1]) * zs_dtype_size(v->info.dtype);
    for (int64_t z = z0; z < z1; z++)
        ZS_FORWARD(read_plane(v, &s->planes[z], (unsigned char *)dst + (size_t)(z - z0) * plane));
    return ZS_OK;
}

static void series_free(series *s)
{
    if (!s) return;
    for (int64_t z = 0; z < s->n; z++) free(s->planes[z].path);
    free(s->planes);
    free(s);
}

static void series_close(zs_volume *v)
{
    series *s = v->fmt_state;
    if (s && v->mode == ZS_MODE_CREATE && !v->committed) {
        for (int64_t z = 0; v->claimed && !s->direct && z < s->n && s->planes[z].path; z++) {
            char partial[ZS_PATH_MAX + 16];
            snprintf(partial, sizeof partial, "%s.partial", s->planes[z].path);
            zs__remove_claimed(partial, &s->planes[z].id); /* never a name this run did not write */
        }
        if (s->made_dir) rmdir(v->info.path); /* the directory this run made, when nothing is left in it */
    }
    series_free(s);
    v->fmt_state = NULL;
}

/* Per reading worker: libtiff's buffer of a plane's encoded bytes (TIFF planes), or the plane
 * read before its transposition (C-order .npy planes). */
static void series_decode_cost(const zs_volume *v, int64_t planes, zs_decode_cost *out)
{
    (void)planes;
    const series *s = v->fmt_state;
    int decoded = 0;
    for (int64_t i = 0; i < s->n && !decoded; i++) decoded = !s->planes[i].raw || s->planes[i].c_order;
    if (!decoded) return;
    out->worker = (uint64_t)v->info.shape[0] * (uint64_t)v->info.shape[1] * zs_dtype_size(v->info.dtype);
    snprintf(out->unit, sizeof out->unit, "planes of %lldx%lld %s decoded one by one", (long long)v->info.shape[0],
             (long long)v->info.shape[1], zs_dtype_name(v->info.dtype));
}

static const zs_volume_io series_read_io = {
    .read_planes = series_read_planes, .close = series_close, .decode_cost = series_decode_cost};

static zs_status series_open(zs_volume *v, const zs_open_opts *o)
{
    (void)o;
    zs_volume_info *info = &v->info;
    const char *path = info->path, *b, *e;
    const int pattern = printf_conversion(path, &b, &e);
    struct stat st;
    const int is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    ZS_RETURN_IF(!pattern && !is_dir && !strpbrk(path, "*?["), ZS_EIO, "%s: no such directory", path);
    named *names = NULL;
    size_t n = 0;
    zs_status s = pattern ? pattern_files(path, &names, &n) : list_files(path, !is_dir, &names, &n);
    if (s == ZS_OK && !pattern) s = number_names(path, names, n);
    if (s == ZS_OK) s = check_numbers(path, pattern, names, n);
    series *ser = s == ZS_OK ? calloc(1, sizeof *ser) : NULL;
    if (s == ZS_OK && (!ser || !(ser->planes = calloc(n, sizeof *ser->planes))))
        s = ZS_ERR(ZS_ENOMEM, "%s: out of memory", path);
    if (s < 0) {
        free_names(names, n);
        free(ser);
        return s;
    }
    ser->n = (int64_t)n;
    ser->npy = has_ext(names[0].path, ".npy");
    for (size_t i = 0; i < n; i++) ser->planes[i].path = names[i].path, names[i].path = NULL;
    free_names(names, n);
    for (size_t i = 0; i < n && s == ZS_OK; i++)
        if ((has_ext(ser->planes[i].path, ".npy") != 0) != ser->npy)
            s = ZS_ERR(ZS_EFORMAT, "%s: mixes .npy and TIFF planes (%s, %s)", path, ser->planes[0].path,
                       ser->planes[i].path);
    info->format = ZS_FMT_SERIES;
    if (s == ZS_OK) s = describe_planes(ser, info);
    if (s < 0) {
        series_free(ser);
        return s;
    }
    info->ndim = 3;
    info->shape[2] = ser->n;
    info->shape[3] = 1;
    info->order = ZS_ORDER_F;
    if (zs_dtype_size(info->dtype) > 1) info->dtype.big_endian = zs__host_big_endian(); /* planes arrive native */
    info->decoded = 1;
    info->offset = 0;
    v->io = &series_read_io;
    v->fmt_state = ser;
    return zs_volume_info_sizes(info, NULL, NULL, &info->nbytes);
}

/* ---- writing ------------------------------------------------------------------------------- */

static zs_status write_npy_plane(int fd, const char *file, const zs_volume_info *spec, const void *plane)
{
    unsigned char hdr[4096];
    zs_volume_info h = *spec;
    const int64_t hn = zs__fmt_npy.write_header(&h, hdr, sizeof hdr);
    if (hn < 0) return (zs_status)hn;
    ZS_FORWARD(zs__pwrite_full(fd, file, hdr, (size_t)hn, 0));
    return zs__pwrite_full(fd, file, plane, (size_t)(spec->shape[0] * spec->shape[1]) * zs_dtype_size(spec->dtype),
                           (uint64_t)hn);
}

/* Plane z's file, claimed (plane 0's is the series' claim, held already). */
static zs_status claim_plane(const zs_volume *v, series *s, int64_t z, const char *file, int *fd)
{
    if (z == 0) {
        *fd = dup(v->claim_fd);
        if (*fd < 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot open", file);
    } else {
        ZS_FORWARD(zs__claim_file(file, v->info.path, fd));
    }
    const zs_status st = zs__file_id(*fd, file, &s->planes[z].id);
    if (st < 0) close(*fd);
    return st;
}

static zs_status series_write_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, const void *src)
{
    (void)t;
    series *s = v->fmt_state;
    const size_t plane = (size_t)(v->info.shape[0] * v->info.shape[1]) * zs_dtype_size(v->info.dtype);
    for (int64_t z = z0; z < z1; z++) {
        char file[ZS_PATH_MAX + 16];
        snprintf(file, sizeof file, s->direct ? "%s" : "%s.partial", s->planes[z].path);
        int fd = -1;
        ZS_FORWARD(claim_plane(v, s, z, file, &fd));
        const void *p = (const unsigned char *)src + (size_t)(z - z0) * plane;
        zs_status st = s->npy ? write_npy_plane(fd, file, &s->plane_spec, p)
                              : zs__tiff_write_plane_file(fd, file, &s->plane_spec, s->comp, p);
        if (close(fd) != 0 && st == ZS_OK) st = ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot close", file);
        ZS_FORWARD(st);
        atomic_fetch_add(&s->written, 1);
    }
    return ZS_OK;
}

static zs_status series_finish(zs_volume *v)
{
    series *s = v->fmt_state;
    const int64_t w = atomic_load(&s->written);
    ZS_RETURN_IF(w < s->n, ZS_EINVAL, "%s: only %lld of %lld planes were written", v->info.path, (long long)w,
                 (long long)s->n);
    return ZS_OK;
}

static zs_status series_commit(zs_volume *v)
{
    series *s = v->fmt_state;
    /* plane 0 last: its file is the series' claim, held until every other plane is in place */
    for (int64_t k = 1; k <= s->n && !s->direct; k++) {
        const int64_t z = k % s->n;
        char partial[ZS_PATH_MAX + 16];
        snprintf(partial, sizeof partial, "%s.partial", s->planes[z].path);
        ZS_FORWARD(zs__rename_into_place(partial, s->planes[z].path, v->replace, &s->planes[z].id));
    }
    return ZS_OK;
}

static const zs_volume_io series_write_io = {
    .write_planes = series_write_planes, .finish = series_finish, .commit = series_commit, .close = series_close};

/* Plane z's name: the pattern printed with z, or DIR/plane_%04d.tif. */
static zs_status plane_names(series *s, const char *path, int force)
{
    const char *b, *e;
    const int pattern = printf_conversion(path, &b, &e);
    for (int64_t z = 0; z < s->n; z++) {
        char name[ZS_PATH_MAX];
        if (pattern)
            snprintf(name, sizeof name, path, (int)z); /* one integer conversion, checked */
        else
            snprintf(name, sizeof name, "%splane_%04lld.tif", path, (long long)z);
        ZS_RETURN_IF(!(s->planes[z].path = strdup(name)), ZS_ENOMEM, "%s: out of memory", path);
        struct stat st;
        if (!force && stat(name, &st) == 0) return ZS_ERR_EXISTS("%s: exists", name);
    }
    return ZS_OK;
}

static zs_status series_create(zs_volume *v, const zs_create_opts *o)
{
    zs_volume_info *info = &v->info;
    const char *path = info->path, *b, *e;
    const int pattern = printf_conversion(path, &b, &e);
    const size_t len = strlen(path);
    ZS_RETURN_IF(!pattern && (!len || path[len - 1] != '/'), ZS_EINVAL,
                 "%s: a plane series is written to a printf pattern (plane_%%04d.tif) or a directory ending in '/'",
                 path);
    ZS_RETURN_IF(info->shape[3] > 1, ZS_EUNSUPPORTED, "%s: a plane series holds one 3-D volume, not a series of %lld",
                 path, (long long)info->shape[3]);
    ZS_RETURN_IF(info->shape[2] > 99999999, ZS_EUNSUPPORTED, "%s: too many planes for a series", path);
    const int npy = pattern && has_ext(path, ".npy");
    ZS_RETURN_IF(pattern && !npy && !has_ext(path, ".tif") && !has_ext(path, ".tiff"), ZS_EINVAL,
                 "%s: plane files are written as .tif, .tiff or .npy", path);
    ZS_RETURN_IF(npy && o->compress, ZS_EUNSUPPORTED, "%s: .npy planes are not compressed (use .tif planes)", path);
    series *s = calloc(1, sizeof *s);
    ZS_RETURN_IF(!s, ZS_ENOMEM, "%s: out of memory", path);
    if (!pattern) {
        s->made_dir = mkdir(path, 0755) == 0;
        if (!s->made_dir && errno != EEXIST) {
            int err = errno;
            free(s);
            return ZS_ERR_SYS(ZS_EIO, err, "%s: cannot create the directory", path);
        }
    }
    v->fmt_state = s; /* freed by series_close */
    v->io = &series_write_io;
    s->n = info->shape[2];
    s->npy = npy;
    s->comp = o->compress;
    s->direct = o->direct;
    s->planes = calloc((size_t)s->n, sizeof *s->planes);
    ZS_RETURN_IF(!s->planes, ZS_ENOMEM, "%s: out of memory", path);
    ZS_FORWARD(plane_names(s, path, o->force));
    /* the run's claim on the whole series: a lock on its first plane's file */
    char first[ZS_PATH_MAX + 16];
    ZS_RETURN_IF(s->n < 1, ZS_EUNSUPPORTED, "%s: a plane series of no planes cannot be written", path);
    snprintf(first, sizeof first, s->direct ? "%s" : "%s.partial", s->planes[0].path);
    ZS_FORWARD(zs__claim_file(first, path, &v->claim_fd));
    v->claimed = 1;
    ZS_FORWARD(zs__file_id(v->claim_fd, first, &s->planes[0].id));
    info->format = ZS_FMT_SERIES;
    info->ndim = 3;
    info->decoded = 1;
    info->offset = 0;
    s->plane_spec = *info;
    s->plane_spec.ndim = 2;
    s->plane_spec.shape[2] = s->plane_spec.shape[3] = 1;
    return zs_volume_info_sizes(info, NULL, NULL, &info->nbytes);
}

/* A printf pattern, a glob or a name ending in '/' (before suffixes: "plane_%04d.tif" is no
 * TIFF file), or a directory whose name is not a volume file's (a directory "x.npy" stays an
 * error of the .npy reader). */
static int series_claims(const char *path, int exists, int is_dir)
{
    const size_t len = strlen(path);
    if ((!exists && zs__series_name(path)) || (is_dir && len && path[len - 1] == '/')) return ZS_CLAIM_FIRST;
    return is_dir ? ZS_CLAIM_LAST : 0;
}

static int series_encodes(const zs_create_opts *o)
{
    (void)o;
    return 1;
}

static const char *series_file(const zs_volume *v, int64_t i)
{
    const series *s = v->fmt_state;
    return s && i >= 0 && i < s->n ? s->planes[i].path : NULL;
}

const zs_format_ops zs__fmt_series = {
    .desc = {ZS_FMT_SERIES, "series", "",
             "a plane series: one 2-D TIFF or .npy file a plane, named by a directory, a quoted glob or a printf "
             "pattern (plane_%04d.tif)",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_DECODED | ZS_FORMAT_VOXEL_SIZE | ZS_FORMAT_COMPRESS |
                 ZS_FORMAT_FILES,
             "deflate lzw zstd"},
    .hint = "a plane series",
    .claims_name = series_claims,
    .open = series_open,
    .create = series_create,
    .encodes = series_encodes,
    .file = series_file,
};
