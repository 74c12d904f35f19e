/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A Zarr array's grid of chunks and which of its chunk files exist. A reader takes the list once,
 * when the array is opened: a chunk file absent then holds fill_value for the whole run, and one
 * present then and gone later is the input changed during the run (an error, never a silent
 * fill). The directory is listed (readdir: one system call per many entries, not a stat per
 * chunk); names that are not chunk keys of the array (other files, indices out of range, "01")
 * are not chunks. */
#include "zarr_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int64_t zs__zarr_chunk_grid(const zs_zarr_array *a, int64_t *nk)
{
    int64_t n = 1;
    for (int d = 0; d < a->ndim; d++) {
        nk[d] = (a->shape[d] + a->chunks[d] - 1) / a->chunks[d]; /* the last chunk of an axis may be partial */
        if (nk[d] && n > ZARR_MAX_CHUNK_COUNT / nk[d]) return -1;
        n *= nk[d];
    }
    return n;
}

int64_t zs__zarr_chunk_index(const zs_zarr_array *a, const int64_t *nk, const int64_t *k)
{
    int64_t i = 0;
    for (int d = 0; d < a->ndim; d++) i = i * nk[d] + k[d];
    return i;
}

/* One index of a chunk key at s: canonical decimal ("0", "17"; no sign, no leading zero) below n.
 * @return the character after it, or NULL. */
static const char *key_index(const char *s, int64_t n, int64_t *out)
{
    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9')) return NULL;
    int64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        if ((v = v * 10 + (*s - '0')) >= n) return NULL; /* v < n <= 2^53 before each step: no overflow */
    *out = v;
    return s;
}

/* Marks the chunks whose files are under path[0..len) (a buffer of ZS_PATH_MAX + 128 bytes).
 * Its entries are keys from dimension d on: with separator '.' a whole key, with '/' one index
 * per directory level; `at` is the index of dimensions before d. */
static zs_status scan_dir(const zs_zarr_array *a, const int64_t *nk, char *path, size_t len, int d, int64_t at,
                          unsigned char *present)
{
    DIR *dir = opendir(path);
    if (!dir) /* no chunk written under it */
        return errno == ENOENT || errno == ENOTDIR ? ZS_OK : ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot list", path);
    const int flat = a->sep != '/';
    zs_status s = ZS_OK;
    for (const struct dirent *e; s == ZS_OK && (e = readdir(dir));) {
        const char *p = e->d_name;
        if (flat && a->key_prefix && strncmp(p, "c.", 2) != 0) continue;
        p += flat && a->key_prefix ? 2 : 0;
        int64_t i = at, k = 0;
        int dd = d;
        for (;;) { /* flat: "i.j.k" (dimensions d.. at once); else one index */
            if (!(p = key_index(p, nk[dd], &k))) break;
            i = i * nk[dd] + k;
            if (!flat || ++dd == a->ndim || *p != '.') break;
            p++;
        }
        dd += !flat;
        if (!p || *p || (flat && dd < a->ndim)) continue;
        if (dd == a->ndim)
            present[i >> 3] |= (unsigned char)(1u << (i & 7));
        else if (len + strlen(e->d_name) + 2 < ZS_PATH_MAX + 128) {
            const size_t n = len + (size_t)snprintf(path + len, ZS_PATH_MAX + 128 - len, "/%s", e->d_name);
            s = scan_dir(a, nk, path, n, dd, i, present);
            path[len] = '\0';
        }
    }
    closedir(dir);
    return s;
}

zs_status zs__zarr_scan_chunks(const zs_zarr_array *a, const char *dir, unsigned char **present)
{
    int64_t nk[ZARR_MAX_DIMS];
    const int64_t n = zs__zarr_chunk_grid(a, nk);
    *present = NULL;
    ZS_RETURN_IF(n < 0, ZS_EUNSUPPORTED, "%s: more than %lld chunks", dir, (long long)ZARR_MAX_CHUNK_COUNT);
    *present = calloc((size_t)(n / 8 + 1), 1);
    ZS_RETURN_IF(!*present, ZS_ENOMEM, "%s: out of memory listing %lld chunks", dir, (long long)n);
    if (n == 0) return ZS_OK;
    char *path = malloc(ZS_PATH_MAX + 128);
    ZS_RETURN_IF(!path, ZS_ENOMEM, "%s: out of memory", dir);
    snprintf(path, ZS_PATH_MAX + 128, "%s%s", dir, a->key_prefix && a->sep == '/' ? "/c" : "");
    const zs_status s = scan_dir(a, nk, path, strlen(path), 0, 0, *present);
    free(path);
    return s;
}
