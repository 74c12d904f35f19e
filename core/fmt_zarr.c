/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Zarr arrays and OME-Zarr images: a directory of metadata (v2: .zarray, .zattrs, .zgroup; v3:
 * zarr.json) and one file per chunk. Named by
 *  - a name ending in .zarr (or .zarr/): an array, or a group (an OME-Zarr image) whose first
 *    multiscale's first dataset is read;
 *  - any directory holding .zarray, .zgroup or zarr.json: "stack.ome.zarr/2" is level 2 of a
 *    pyramid, with the axes and scale its group's multiscales give that level.
 * Reading (read_planes) decodes every chunk that overlaps the planes asked for, in the calling
 * worker with buffers of its own (nothing shared between workers), and copies its part into
 * the F-order planes; a chunk file absent when the array was opened holds fill_value (none: an
 * error naming the file). One present then and gone later, or the array's metadata gone or
 * replaced, is the input changed during the run: an error naming the file.
 * Writing is zarr_write.c. Metadata parsing is zarr_meta.c, the codecs zarr_codec.c. */
#include "zarr_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZARR_SLOTS 64
/* Largest layer of chunks a worker keeps decoded (chunk-z planes): larger layers are decoded
 * again for each request. */
#define ZARR_LAYER_CACHE ((size_t)256 << 20)

/* A worker's buffers: a decoded chunk and a chunk file's bytes, kept from call to call (large
 * allocations are fresh pages each time: page faults cost more than the decoding). */
typedef struct zarr_bufs {
    unsigned char *chunk; /* one decoded chunk */
    unsigned char *file;  /* a chunk file's bytes (file_cap) */
    size_t file_cap;
} zarr_bufs;

/* A worker's last decoded layer of chunks: planes [L*cz, L*cz + h) of volume t, F order. */
typedef struct zarr_slot {
    atomic_int busy; /* claimed by one thread at a time (CAS) */
    int valid;
    int64_t t, L;
    unsigned char *planes; /* owner: the slot */
    zarr_bufs bufs;
} zarr_slot;

typedef struct zarr_reader {
    int writer; /* 0 (zarr_write.c's state starts with 1) */
    zs_zarr_array a;
    zs_zarr_axes ax;
    int dim[3];                  /* the array's dimension that is x, y, z; -1: none (length 1) */
    char dir[ZS_PATH_MAX];       /* the array's directory */
    char group[ZS_PATH_MAX];     /* its group's directory when its axes come from one; "" */
    char meta[ZS_PATH_MAX + 16]; /* its .zarray or zarr.json, */
    struct stat meta_st;         /* as it was at open */
    int64_t nk[ZARR_MAX_DIMS];   /* the chunk grid (zs__zarr_chunk_grid) */
    unsigned char *present;      /* a bit per chunk: its file existed at open (zs__zarr_scan_chunks) */
    pthread_mutex_t lock;        /* the file list, built on first use */
    char **files;
    int64_t nfiles;
    int listed;
    zarr_slot slots[ZARR_SLOTS];
} zarr_reader;

static int exists_in(const char *dir, const char *name)
{
    char p[ZS_PATH_MAX + 32];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

/* ---- chunks ------------------------------------------------------------------------------- */

static uint64_t chunk_elems(const zs_zarr_array *a)
{
    uint64_t n = 1;
    for (int d = 0; d < a->ndim; d++) n *= (uint64_t)a->chunks[d];
    return n;
}

static void chunk_path(const zarr_reader *r, const int64_t *k, char *out, size_t n)
{
    size_t len = (size_t)snprintf(out, n, "%s/%s", r->dir, r->a.key_prefix ? (r->a.sep == '/' ? "c/" : "c.") : "");
    for (int d = 0; d < r->a.ndim && len < n; d++) {
        if (d && len + 1 < n) out[len++] = r->a.sep;
        len += (size_t)snprintf(out + len, n - len, "%lld", (long long)k[d]);
    }
}

/* Element strides of a chunk along each dimension. */
static void chunk_strides(const zs_zarr_array *a, int64_t *s)
{
    int64_t acc = 1;
    for (int i = 0; i < a->ndim; i++) {
        const int d = a->perm[a->ndim - 1 - i];
        s[d] = acc;
        acc *= a->chunks[d];
    }
}

/* A box of zslab coordinates [lo, hi) along x, y, z, and the coordinates of the t dimensions. */
typedef struct box {
    int64_t lo[3], hi[3];
    int64_t at[ZARR_MAX_DIMS]; /* coordinate along each dimension of role t */
    int64_t z0;                /* the first plane of dst */
} box;

/* dst[i] = src[i * step], n elements of es bytes (x is not the chunk's fastest dimension). */
static void gather_row(unsigned char *dst, const unsigned char *src, int64_t n, int64_t step, size_t es)
{
#define GATHER(T)                                                                                                      \
    do {                                                                                                               \
        T *d = (T *)(void *)dst;                                                                                       \
        const T *sp = (const T *)(const void *)src;                                                                    \
        for (int64_t i = 0; i < n; i++) d[i] = sp[i * step];                                                           \
    } while (0)
    switch (es) {
    case 1:
        GATHER(uint8_t);
        break;
    case 2:
        GATHER(uint16_t);
        break;
    case 4:
        GATHER(uint32_t);
        break;
    default:
        GATHER(uint64_t);
        break;
    }
#undef GATHER
}

/* Copies the part of a decoded chunk (origin o[] along each dimension) that lies in the box into
 * dst (F order: x fastest, then y, then z - z0); a NULL chunk is fill_value. */
static void copy_part(const zarr_reader *r, const int64_t *o, const unsigned char *chunk, const box *b,
                      const zs_volume_info *info, unsigned char *dst)
{
    const zs_zarr_array *a = &r->a;
    const size_t es = zs_dtype_size(a->dtype);
    int64_t s[ZARR_MAX_DIMS], lo[3], hi[3], step[3] = {0, 0, 0}, base = 0;
    chunk_strides(a, s);
    for (int d = 0; d < a->ndim; d++)
        if (r->ax.role[d] == 3) base += (b->at[d] - o[d]) * s[d];
    for (int k = 0; k < 3; k++) {
        const int d = r->dim[k];
        lo[k] = b->lo[k], hi[k] = b->hi[k];
        if (d < 0) continue;
        if (o[d] > lo[k]) lo[k] = o[d];
        if (o[d] + a->chunks[d] < hi[k]) hi[k] = o[d] + a->chunks[d];
        step[k] = s[d];
        base -= o[d] * s[d];
    }
    const int64_t nx = info->shape[0], ny = info->shape[1], w = hi[0] - lo[0];
    for (int64_t z = lo[2]; z < hi[2]; z++)
        for (int64_t y = lo[1]; y < hi[1]; y++) {
            unsigned char *out = dst + (size_t)((z - b->z0) * ny * nx + y * nx + lo[0]) * es;
            const int64_t src = base + lo[0] * step[0] + y * step[1] + z * step[2];
            if (!chunk)
                for (int64_t x = 0; x < w; x++) memcpy(out + (size_t)x * es, a->fill, es);
            else if (step[0] == 1 || w == 1)
                memcpy(out, chunk + (size_t)src * es, (size_t)w * es);
            else
                gather_row(out, chunk + (size_t)src * es, w, step[0], es);
        }
}

static void bufs_free(zarr_bufs *b)
{
    free(b->chunk);
    free(b->file);
    memset(b, 0, sizeof *b);
}

/* Reads a chunk file into b->file. */
static zs_status read_chunk_file(const char *file, size_t max, zarr_bufs *b, size_t *n)
{
    int fd = -1;
    struct stat st;
    if (zs__open_regular(file, O_RDONLY, &fd, &st) < 0) {
        if (errno == ENOENT) {
            zs_clear_error();
            return ZS_ERR(ZS_EIO, "%s: the input changed during the run: this chunk file existed at open and is gone",
                          file);
        }
        return ZS_EIO;
    }
    zs_status s = ZS_OK;
    if ((uint64_t)st.st_size > max) s = ZS_ERR(ZS_EFORMAT, "%s: not a chunk file of at most %zu bytes", file, max);
    if (s == ZS_OK && (size_t)st.st_size > b->file_cap) {
        free(b->file);
        b->file_cap = (size_t)st.st_size;
        if (!(b->file = malloc(b->file_cap))) b->file_cap = 0, s = ZS_ERR(ZS_ENOMEM, "%s: out of memory", file);
    }
    size_t got = 0;
    const int e = s == ZS_OK ? zs__read_full(fd, b->file, (size_t)st.st_size, 0, 1, &got) : 0;
    if (e) s = ZS_ERR_SYS(ZS_EIO, e, "%s: cannot read", file);
    if (s == ZS_OK && got < (size_t)st.st_size) s = ZS_ERR(ZS_EIO, "%s: shrank while it was read", file);
    close(fd);
    *n = got;
    return s;
}

/* Decodes chunk k into b->chunk; *have 0 when its file was absent at open and the array has a
 * fill_value. */
static zs_status load_chunk(const zarr_reader *r, const int64_t *k, zarr_bufs *b, size_t want, int *have)
{
    char file[ZS_PATH_MAX + 128];
    chunk_path(r, k, file, sizeof file);
    size_t n = 0;
    const int64_t i = zs__zarr_chunk_index(&r->a, r->nk, k);
    *have = (r->present[i >> 3] >> (i & 7)) & 1;
    ZS_RETURN_IF(!*have && !r->a.has_fill, ZS_EFORMAT, "%s: missing, and the array has no fill_value (%s)", file,
                 r->meta);
    if (!*have) return ZS_OK;
    const size_t max = want > (SIZE_MAX - 65536) / 2 ? SIZE_MAX : want * 2 + 65536;
    ZS_FORWARD(read_chunk_file(file, max, b, &n));
    if (r->a.sharded) return zs__zarr_decode_shard(&r->a, file, b->file, n, b->chunk, want);
    return zs__zarr_decode(&r->a.codec, file, b->file, n, b->chunk, want);
}

/* An error when the array's metadata file is gone or is another file than at open (the array
 * removed, or replaced as zarr-python's mode 'w' and --force do). */
static zs_status check_meta(const zarr_reader *r, const char *path)
{
    struct stat st;
    const struct stat *o = &r->meta_st;
    if (stat(r->meta, &st) == 0 && st.st_dev == o->st_dev && st.st_ino == o->st_ino && st.st_size == o->st_size &&
        st.st_mtim.tv_sec == o->st_mtim.tv_sec && st.st_mtim.tv_nsec == o->st_mtim.tv_nsec)
        return ZS_OK;
    return ZS_ERR(ZS_EIO, "%s: the input changed during the run: %s is gone or was replaced", path, r->meta);
}

/* Decodes every chunk overlapping planes [z0,z1) of volume t and copies its part into dst. */
static zs_status decode_planes(const zs_volume *v, zarr_bufs *bufs, int64_t t, int64_t z0, int64_t z1, void *dst)
{
    const zarr_reader *r = v->fmt_state;
    const zs_zarr_array *a = &r->a;
    box b = {.lo = {0, 0, z0}, .hi = {v->info.shape[0], v->info.shape[1], z1}, .z0 = z0};
    int64_t klo[ZARR_MAX_DIMS], khi[ZARR_MAX_DIMS], k[ZARR_MAX_DIMS], o[ZARR_MAX_DIMS];
    for (int d = 0; d < a->ndim; d++) {
        const int role = r->ax.role[d];
        int64_t lo = role < 3 ? b.lo[role] : (t / r->ax.tstride[d]) % a->shape[d];
        int64_t hi = role < 3 ? b.hi[role] : lo + 1;
        b.at[d] = lo;
        klo[d] = k[d] = lo / a->chunks[d];
        khi[d] = (hi - 1) / a->chunks[d];
    }
    ZS_FORWARD(check_meta(r, v->info.path));
    const size_t want = (size_t)chunk_elems(a) * zs_dtype_size(a->dtype);
    if (!bufs->chunk && !(bufs->chunk = malloc(want)))
        return ZS_ERR(ZS_ENOMEM, "%s: out of memory for a chunk of %zu bytes", v->info.path, want);
    zs_status st = ZS_OK;
    for (int done = 0; !done && st == ZS_OK;) {
        int have = 0;
        st = load_chunk(r, k, bufs, want, &have);
        for (int d = 0; d < a->ndim; d++) o[d] = k[d] * a->chunks[d];
        if (st == ZS_OK) copy_part(r, o, have ? bufs->chunk : NULL, &b, &v->info, dst);
        int d = a->ndim - 1; /* the next chunk, last dimension fastest */
        while (d >= 0 && k[d] == khi[d]) k[d] = klo[d], d--;
        if (d < 0)
            done = 1;
        else
            k[d]++;
    }
    return st;
}

/* ---- the layer cache ------------------------------------------------------------------------
 * Workers read a few planes at a time, and a chunk holds chunk-z planes: decoding the chunks
 * of every request would decode each chunk chunk-z / (planes per request) times. Each worker
 * keeps the layer of chunks (chunk-z planes) it last decoded, in a slot of its own (claimed by
 * compare-and-swap from a number of the thread's own, as fmt_tiff.c's handles): a request inside
 * that layer is a copy. Layers above ZARR_LAYER_CACHE bytes are not kept. */

/* A number of the calling thread's own, stable for its life (workers may not be OpenMP threads). */
static int thread_hint(void)
{
    static atomic_int next;
    static _Thread_local int hint = -1;
    if (hint < 0) hint = atomic_fetch_add(&next, 1) % ZARR_SLOTS;
    return hint;
}

static zarr_slot *slot_claim(zarr_reader *r)
{
    const int hint = thread_hint();
    for (int k = 0; k < ZARR_SLOTS; k++) {
        zarr_slot *s = &r->slots[(hint + k) % ZARR_SLOTS];
        int expected = 0;
        if (atomic_compare_exchange_strong(&s->busy, &expected, 1)) return s;
    }
    return NULL;
}

/* Planes [z0,z1) of layer L of volume t from the slot, decoding the layer when it holds another. */
static zs_status layer_read(const zs_volume *v, zarr_slot *s, int64_t t, int64_t L, int64_t z0, int64_t z1,
                            unsigned char *dst)
{
    const zarr_reader *r = v->fmt_state;
    const int64_t cz = r->dim[2] >= 0 ? r->a.chunks[r->dim[2]] : 1, lz0 = L * cz;
    const int64_t lz1 = lz0 + cz < v->info.shape[2] ? lz0 + cz : v->info.shape[2];
    const size_t plane = (size_t)(v->info.shape[0] * v->info.shape[1]) * zs_dtype_size(v->info.dtype);
    if (!s->valid || s->t != t || s->L != L) {
        s->valid = 0;
        if (!s->planes && !(s->planes = malloc((size_t)cz * plane)))
            return ZS_ERR(ZS_ENOMEM, "%s: out of memory for a layer of chunks", v->info.path);
        ZS_FORWARD(decode_planes(v, &s->bufs, t, lz0, lz1, s->planes));
        s->valid = 1, s->t = t, s->L = L;
    }
    memcpy(dst, s->planes + (size_t)(z0 - lz0) * plane, (size_t)(z1 - z0) * plane);
    return ZS_OK;
}

static zs_status zarr_read_planes(const zs_volume *v, int64_t t, int64_t z0, int64_t z1, void *dst)
{
    zarr_reader *r = v->fmt_state;
    const int64_t cz = r->dim[2] >= 0 ? r->a.chunks[r->dim[2]] : 1;
    const size_t plane = (size_t)(v->info.shape[0] * v->info.shape[1]) * zs_dtype_size(v->info.dtype);
    zarr_slot *s = slot_claim(r);
    if (!s) { /* more threads than slots: buffers for this call */
        zarr_bufs b = {NULL, NULL, 0};
        zs_status st = decode_planes(v, &b, t, z0, z1, dst);
        bufs_free(&b);
        return st;
    }
    if (cz == 1 || plane > ZARR_LAYER_CACHE / (size_t)cz) { /* no layer kept */
        zs_status st = decode_planes(v, &s->bufs, t, z0, z1, dst);
        atomic_store(&s->busy, 0);
        return st;
    }
    zs_status st = ZS_OK;
    unsigned char *d = dst;
    for (int64_t L = z0 / cz; st == ZS_OK && L * cz < z1; L++) {
        const int64_t a = z0 > L * cz ? z0 : L * cz, b = z1 < (L + 1) * cz ? z1 : (L + 1) * cz;
        if (a == L * cz && b == (L + 1) * cz) /* a whole layer: straight into dst, the slot kept */
            st = decode_planes(v, &s->bufs, t, a, b, d + (size_t)(a - z0) * plane);
        else
            st = layer_read(v, s, t, L, a, b, d + (size_t)(a - z0) * plane);
    }
    atomic_store(&s->busy, 0);
    return st;
}

/* What a worker holds beyond the planes it is given (zarr_read_planes): one decoded chunk, a chunk
 * file's bytes (at most about a chunk: the codecs do not grow data by more than a few bytes), a
 * shard's inner chunk, and the layer of chunks its slot keeps. */
static void zarr_decode_cost(const zs_volume *v, int64_t planes, zs_decode_cost *out)
{
    (void)planes;
    const zarr_reader *r = v->fmt_state;
    const zs_zarr_array *a = &r->a;
    const uint64_t es = zs_dtype_size(a->dtype), chunk = chunk_elems(a) * es;
    const int64_t cz = r->dim[2] >= 0 ? a->chunks[r->dim[2]] : 1;
    const uint64_t plane = (uint64_t)v->info.shape[0] * (uint64_t)v->info.shape[1] * es;
    uint64_t inner = 0;
    if (a->sharded) {
        inner = es;
        for (int d = 0; d < a->ndim; d++) inner *= (uint64_t)a->inner[d];
    }
    out->worker = 2 * chunk + inner + (cz > 1 && plane <= ZARR_LAYER_CACHE / (uint64_t)cz ? (uint64_t)cz * plane : 0);
    int n = snprintf(out->unit, sizeof out->unit, "chunks of ");
    for (int d = 0; d < a->ndim && n > 0 && (size_t)n < sizeof out->unit; d++)
        n += snprintf(out->unit + n, sizeof out->unit - (size_t)n, "%s%lld", d ? "x" : "", (long long)a->chunks[d]);
    if (n > 0 && (size_t)n < sizeof out->unit)
        snprintf(out->unit + n, sizeof out->unit - (size_t)n, " %s (%.1f MiB each)", zs_dtype_name(a->dtype),
                 (double)chunk / 1048576.0);
}

/* ---- the files of an input -------------------------------------------------------------- */

static zs_status push_file(zarr_reader *r, const char *path, int64_t *cap)
{
    if (r->nfiles == *cap) {
        char **f = realloc(r->files, (size_t)(*cap ? *cap * 2 : 64) * sizeof *f);
        ZS_RETURN_IF(!f, ZS_ENOMEM, "%s: out of memory listing its files", r->dir);
        r->files = f, *cap = *cap ? *cap * 2 : 64;
    }
    ZS_RETURN_IF(!(r->files[r->nfiles] = strdup(path)), ZS_ENOMEM, "%s: out of memory listing its files", r->dir);
    r->nfiles++;
    return ZS_OK;
}

/* Metadata first (the group's, then the array's), then every chunk file that existed at open,
 * in chunk order. */
static zs_status list_files(zarr_reader *r)
{
    int64_t cap = 0, k[ZARR_MAX_DIMS] = {0}, nk[ZARR_MAX_DIMS];
    char p[ZS_PATH_MAX + 128];
    static const char *const meta[] = {".zgroup", ".zattrs", "zarr.json"};
    for (int i = 0; i < 3 && r->group[0]; i++)
        if (exists_in(r->group, meta[i])) {
            snprintf(p, sizeof p, "%s/%s", r->group, meta[i]);
            ZS_FORWARD(push_file(r, p, &cap));
        }
    snprintf(p, sizeof p, "%s/%s", r->dir, r->a.version == 3 ? "zarr.json" : ".zarray");
    ZS_FORWARD(push_file(r, p, &cap));
    for (int d = 0; d < r->a.ndim; d++)
        if ((nk[d] = r->nk[d]) == 0) return ZS_OK;
    for (int64_t i = 0;; i++) { /* the chunks present at open */
        chunk_path(r, k, p, sizeof p);
        if ((r->present[i >> 3] >> (i & 7)) & 1) ZS_FORWARD(push_file(r, p, &cap));
        int d = r->a.ndim - 1;
        while (d >= 0 && k[d] == nk[d] - 1) k[d] = 0, d--;
        if (d < 0) return ZS_OK;
        k[d]++;
    }
}

static const char *zarr_file(const zs_volume *v, int64_t i)
{
    zarr_reader *r = v->fmt_state;
    if (!r || i < 0) return NULL;
    if (r->writer) return i == 0 ? v->final_path : NULL; /* an output: its directory */
    pthread_mutex_lock(&r->lock);
    if (!r->listed) {
        r->listed = 1;
        if (list_files(r) < 0) r->nfiles = 0; /* the journal then sees no files: a changed input */
    }
    const char *f = i < r->nfiles ? r->files[i] : NULL;
    pthread_mutex_unlock(&r->lock);
    return f;
}

static void zarr_close(zs_volume *v)
{
    zarr_reader *r = v->fmt_state;
    if (!r) return;
    for (int64_t i = 0; i < r->nfiles; i++) free(r->files[i]);
    free(r->files);
    free(r->present);
    for (int k = 0; k < ZARR_SLOTS; k++) {
        free(r->slots[k].planes);
        bufs_free(&r->slots[k].bufs);
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
    v->fmt_state = NULL;
}

static const zs_volume_io zarr_read_io = {
    .read_planes = zarr_read_planes, .close = zarr_close, .decode_cost = zarr_decode_cost};

/* ---- opening ---------------------------------------------------------------------------------- */

static zs_status read_meta(const char *dir, const char *name, char **text, size_t *n)
{
    char p[ZS_PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return zs__zarr_read_file(p, ZS_MAX_HEADER, text, n, NULL);
}

/* What a directory holds: a v2 array (.zarray) or group (.zgroup), a v3 array or group
 * (zarr.json), or nothing Zarr reads. */
enum { NODE_NONE, NODE_ARRAY2, NODE_GROUP2, NODE_ARRAY3, NODE_GROUP3 };

static int node_of(const char *dir)
{
    if (exists_in(dir, ".zarray")) return NODE_ARRAY2;
    if (exists_in(dir, ".zgroup")) return NODE_GROUP2;
    char *text = NULL;
    size_t n = 0;
    if (!exists_in(dir, "zarr.json") || read_meta(dir, "zarr.json", &text, &n) < 0) {
        zs_clear_error();
        return NODE_NONE;
    }
    const int kind = zs__zarr_v3_node(text, n);
    free(text);
    return kind == 1 ? NODE_ARRAY3 : kind == 2 ? NODE_GROUP3 : NODE_NONE;
}

/* The group metadata holding multiscales: .zattrs (v2) or zarr.json (v3). */
static const char *group_meta(const char *group) { return exists_in(group, ".zattrs") ? ".zattrs" : "zarr.json"; }

/* The array at r->dir: its .zarray or zarr.json, and its axes from the group at `group` ("" none)
 * when that group's multiscales list it as `level`. */
static zs_status open_array(zarr_reader *r, const char *group, const char *level)
{
    char *text = NULL, file[ZS_PATH_MAX + 32];
    size_t n = 0;
    const char *meta = exists_in(r->dir, ".zarray") ? ".zarray" : "zarr.json";
    snprintf(file, sizeof file, "%s/%s", r->dir, meta);
    ZS_FORWARD(read_meta(r->dir, meta, &text, &n));
    zs_status st =
        meta[0] == '.' ? zs__zarr_parse_array(text, n, file, &r->a) : zs__zarr_parse_array_v3(text, n, file, &r->a);
    free(text);
    ZS_FORWARD(st);
    const int kind = group[0] ? node_of(group) : NODE_NONE;
    /* a group without attributes (zarr-python's plain groups: .zgroup alone) names no axes */
    if ((kind == NODE_GROUP2 || kind == NODE_GROUP3) && exists_in(group, group_meta(group))) {
        meta = group_meta(group);
        snprintf(file, sizeof file, "%s/%s", group, meta);
        ZS_FORWARD(read_meta(group, meta, &text, &n));
        char path[ZS_PATH_MAX];
        if (zs__zarr_lists_dataset(text, n, level)) {
            st = zs__zarr_parse_multiscales(text, n, file, level, &r->a, path, sizeof path, &r->ax);
            snprintf(r->group, sizeof r->group, "%s", group);
        }
        free(text);
        ZS_FORWARD(st);
    }
    if (!r->group[0]) ZS_FORWARD(zs__zarr_default_axes(&r->a, r->dir, &r->ax));
    for (int k = 0; k < 3; k++) r->dim[k] = -1;
    for (int d = 0; d < r->a.ndim; d++)
        if (r->ax.role[d] < 3) r->dim[r->ax.role[d]] = d;
    return ZS_OK;
}

/* A group: its first multiscale's first dataset. */
static zs_status open_group(zarr_reader *r, const char *path)
{
    const char *meta = group_meta(path);
    char *text = NULL, file[ZS_PATH_MAX + 32], level[ZS_PATH_MAX];
    size_t n = 0;
    snprintf(file, sizeof file, "%s/%s", path, meta);
    ZS_RETURN_IF(!exists_in(path, meta), ZS_EFORMAT,
                 "%s: a Zarr group without attributes: name one of its arrays (an OME-Zarr image has multiscales)",
                 path);
    ZS_FORWARD(read_meta(path, meta, &text, &n));
    zs_status st = zs__zarr_first_dataset(text, n, file, level, sizeof level);
    free(text);
    ZS_FORWARD(st);
    ZS_RETURN_IF(strlen(path) + strlen(level) + 2 > sizeof r->dir, ZS_EINVAL, "%s: path too long", path);
    memcpy(r->dir, path, strlen(path));
    r->dir[strlen(path)] = '/';
    memcpy(r->dir + strlen(path) + 1, level, strlen(level) + 1);
    const int kind = node_of(r->dir);
    ZS_RETURN_IF(kind != NODE_ARRAY2 && kind != NODE_ARRAY3, ZS_EFORMAT,
                 "%s: its multiscales name dataset \"%s\" but %s is not a Zarr array", file, level, r->dir);
    return open_array(r, path, level);
}

/* 1 when the directory is a group whose multiscales list the dataset `level`. */
static int group_lists(const char *dir, const char *level)
{
    const int kind = node_of(dir);
    char *text = NULL;
    size_t n = 0;
    if ((kind != NODE_GROUP2 && kind != NODE_GROUP3) || !exists_in(dir, group_meta(dir)) ||
        read_meta(dir, group_meta(dir), &text, &n) < 0) {
        zs_clear_error();
        return 0;
    }
    const int found = zs__zarr_lists_dataset(text, n, level);
    free(text);
    return found;
}

/* path (without trailing '/') names an array, or a group whose first dataset is read. */
static zs_status locate(zarr_reader *r, const char *path)
{
    const int kind = node_of(path);
    if (kind == NODE_ARRAY2 || kind == NODE_ARRAY3) {
        snprintf(r->dir, sizeof r->dir, "%s", path);
        char parent[ZS_PATH_MAX];
        const char *slash = strrchr(path, '/');
        /* the nearest group above that lists the rest of the path as a dataset: "0" of img.zarr/0, or
         * "s/0" of img.zarr/s/0 (a dataset path of several parts) */
        for (const char *s = slash; s && s > path; s--)
            if (*s == '/') {
                snprintf(parent, sizeof parent, "%.*s", (int)(s - path), path);
                if (group_lists(parent, s + 1)) return open_array(r, parent, s + 1);
            }
        snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
        return open_array(r, slash && slash > path ? parent : (slash ? "/" : "."), slash ? slash + 1 : path);
    }
    if (kind == NODE_GROUP2 || kind == NODE_GROUP3) return open_group(r, path);
    struct stat st;
    ZS_RETURN_IF(stat(path, &st) != 0, ZS_EIO, "%s: no such directory", path);
    return ZS_ERR(ZS_EFORMAT, "%s: not a Zarr array or group (no .zarray, .zgroup or zarr.json in it)", path);
}

/* What a reader checks its reads against: the metadata file and the chunk files there now. */
static zs_status snapshot(zarr_reader *r)
{
    snprintf(r->meta, sizeof r->meta, "%s/%s", r->dir, r->a.version == 3 ? "zarr.json" : ".zarray");
    if (stat(r->meta, &r->meta_st) != 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot open", r->meta);
    ZS_RETURN_IF(zs__zarr_chunk_grid(&r->a, r->nk) < 0, ZS_EUNSUPPORTED, "%s: more than %lld chunks", r->meta,
                 (long long)ZARR_MAX_CHUNK_COUNT);
    return zs__zarr_scan_chunks(&r->a, r->dir, &r->present);
}

static zs_status zarr_open(zs_volume *v, const zs_open_opts *o)
{
    (void)o;
    zs_volume_info *info = &v->info;
    char path[ZS_PATH_MAX];
    snprintf(path, sizeof path, "%s", info->path);
    for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--) path[n - 1] = '\0';
    zarr_reader *r = calloc(1, sizeof *r);
    ZS_RETURN_IF(!r, ZS_ENOMEM, "%s: out of memory", path);
    pthread_mutex_init(&r->lock, NULL);
    v->fmt_state = r; /* freed by zarr_close */
    v->io = &zarr_read_io;
    ZS_FORWARD(locate(r, path));
    info->format = ZS_FMT_ZARR;
    info->version = r->a.version;
    info->order = ZS_ORDER_F;
    info->decoded = 1;
    info->offset = 0;
    ZS_FORWARD(zs__zarr_info(&r->a, &r->ax, info));
    if (v->mode != ZS_MODE_RW) return snapshot(r);
    /* written in place: the writer takes over (zarr_write.c) */
    const zs_zarr_array a = r->a;
    const zs_zarr_axes ax = r->ax;
    char dir[ZS_PATH_MAX], group[ZS_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", r->dir);
    snprintf(group, sizeof group, "%s", r->group);
    zarr_close(v);
    return zs__zarr_reopen(v, &a, &ax, dir, group);
}

/* ---- names ------------------------------------------------------------------------------------ */

static int zarr_claims(const char *path, int exists, int is_dir)
{
    (void)exists;
    char p[ZS_PATH_MAX];
    snprintf(p, sizeof p, "%s", path);
    for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--) p[n - 1] = '\0';
    if (zs__name_has_suffix(p, ".zarr")) return ZS_CLAIM_FIRST;
    if (is_dir && (exists_in(p, ".zarray") || exists_in(p, ".zgroup") || exists_in(p, "zarr.json")))
        return ZS_CLAIM_FIRST;
    return 0;
}

static int zarr_encodes(const zs_create_opts *o)
{
    (void)o;
    return 1;
}

static void zarr_version_text(const zs_volume_info *i, char *buf, size_t n)
{
    snprintf(buf, n, "Zarr v%d", i->version ? i->version : 2);
}

int zs__zarr_axes_named(const zs_volume *v)
{
    const zarr_reader *r = v->ops == &zs__fmt_zarr && v->mode != ZS_MODE_CREATE ? v->fmt_state : NULL;
    return r && r->ax.named;
}

const zs_format_ops zs__fmt_zarr = {
    .desc = {ZS_FMT_ZARR, "zarr", ".zarr",
             "Zarr v2 and v3 arrays and OME-Zarr (NGFF 0.4, 0.5) images: a directory of compressed chunks (blosc, "
             "zstd, gzip, zlib); written as an OME-Zarr 0.4 image",
             ZS_FORMAT_READ | ZS_FORMAT_WRITE | ZS_FORMAT_DECODED | ZS_FORMAT_VOXEL_SIZE | ZS_FORMAT_COMPRESS |
                 ZS_FORMAT_FILES | ZS_FORMAT_SHARED | ZS_FORMAT_PYRAMID,
             "blosc-lz4 blosc-zstd zstd gzip deflate"},
    .claims_name = zarr_claims,
    .open = zarr_open,
    .create = zs__zarr_create,
    .encodes = zarr_encodes,
    .file = zarr_file,
    .z_align = zs__zarr_z_align,
    .worker_bytes = zs__zarr_worker_bytes,
    .version_text = zarr_version_text,
};
