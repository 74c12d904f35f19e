/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A reduction's slab records on disk: the groundwork for journaled reductions (parts, resume;
 * docs/labels.md, "Parts and resume: design").
 *
 * DIR/slab-N holds slab N's record: a 40-byte head (magic, a byte-order mark, the slab, the
 * record's size, an FNV-1a 64 sum of its bytes) and the record. It is written to
 * DIR/slab-N.tmp.PID, synced, renamed and the directory synced, so a slab's record is either
 * absent or whole and on disk: a journal may record the slab once zs__record_put returned.
 * A record is read back only if its head, size and sum agree: anything else is an error naming
 * the file, never a record taken for another. Records are in the host's byte order (the mark
 * refuses another's). */
#include "reduce_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct record_head {
    char magic[8];       /* "ZSREC1\n" */
    uint64_t order_mark; /* RECORD_ORDER in the writer's byte order */
    int64_t slab;
    uint64_t size; /* bytes after the head */
    uint64_t sum;  /* FNV-1a 64 of those bytes */
} record_head;

static const char record_magic[8] = "ZSREC1\n";
#define RECORD_ORDER 0x0102030405060708ull

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void record_path(const char *dir, int64_t slab, char *buf, size_t n)
{
    snprintf(buf, n, "%s/slab-%lld", dir, (long long)slab);
}

/* Writes n bytes; @return 0 or an errno. */
static int write_full(int fd, const void *buf, size_t n)
{
    size_t done;
    const int e = zs__write_full(fd, buf, n, -1, 1, &done);
    return e ? e : done < n ? EIO : 0;
}

/* Reads n bytes; @return 0, an errno, or -1 at the end of the file before n bytes. */
static int read_full(int fd, void *buf, size_t n)
{
    size_t done;
    const int e = zs__read_full(fd, buf, n, -1, 1, &done);
    return e ? e : done < n ? -1 : 0;
}

zs_status zs__record_put(const char *dir, int64_t slab, const void *rec, size_t size)
{
    ZS_RETURN_IF(!dir || slab < 0 || (size && !rec), ZS_EINVAL, "zs__record_put: no directory, slab or record");
    char path[ZS_PATH_MAX + 32], tmp[ZS_PATH_MAX + 64];
    record_path(dir, slab, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    record_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, record_magic, sizeof h.magic);
    h.order_mark = RECORD_ORDER;
    h.slab = slab;
    h.size = size;
    h.sum = fnv1a(rec, size);
    const int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot write a slab's record", tmp);
    int e = write_full(fd, &h, sizeof h);
    if (!e) e = write_full(fd, rec, size);
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (!e && rename(tmp, path) != 0) e = errno;
    if (e) {
        unlink(tmp);
        return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: cannot write slab %lld's record", path, (long long)slab);
    }
    zs__sync_dir(dir);
    return ZS_OK;
}

/* Checks the head read from `path` against slab and the file's size. */
static zs_status check_head(const char *path, const record_head *h, int64_t slab, uint64_t file_size)
{
    ZS_RETURN_IF(memcmp(h->magic, record_magic, sizeof h->magic) != 0, ZS_EFORMAT, "%s: not a zslab slab record", path);
    ZS_RETURN_IF(h->order_mark != RECORD_ORDER, ZS_EUNSUPPORTED,
                 "%s: a slab record written on a host of another byte order", path);
    ZS_RETURN_IF(h->slab != slab, ZS_EFORMAT, "%s: holds slab %lld's record, not slab %lld's", path, (long long)h->slab,
                 (long long)slab);
    ZS_RETURN_IF(h->size != file_size - sizeof *h, ZS_EFORMAT,
                 "%s: a slab record of %llu bytes in a file of %llu (cut or grown)", path, (unsigned long long)h->size,
                 (unsigned long long)file_size);
    return ZS_OK;
}

zs_status zs__record_get(const char *dir, int64_t slab, int *found, void **rec, size_t *size)
{
    *found = 0, *rec = NULL, *size = 0;
    char path[ZS_PATH_MAX + 32];
    record_path(dir, slab, path, sizeof path);
    const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return ZS_OK;
    if (fd < 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot read a slab's record", path);
    struct stat sb;
    record_head h;
    int e = fstat(fd, &sb) != 0 ? errno : 0;
    zs_status st = e ? ZS_ERR_SYS(ZS_EIO, e, "%s: cannot read a slab's record", path) : ZS_OK;
    if (st == ZS_OK && (uint64_t)sb.st_size < sizeof h)
        st = ZS_ERR(ZS_EFORMAT, "%s: a slab record cut short (%lld bytes)", path, (long long)sb.st_size);
    if (st == ZS_OK && (e = read_full(fd, &h, sizeof h)) != 0)
        st = ZS_ERR_SYS(ZS_EIO, e < 0 ? EIO : e, "%s: cannot read a slab's record", path);
    if (st == ZS_OK) st = check_head(path, &h, slab, (uint64_t)sb.st_size);
    unsigned char *buf = st == ZS_OK ? malloc(h.size ? (size_t)h.size : 1) : NULL;
    if (st == ZS_OK && !buf)
        st = ZS_ERR(ZS_ENOMEM, "%s: out of memory for a slab record of %llu bytes", path, (unsigned long long)h.size);
    if (st == ZS_OK && (e = read_full(fd, buf, (size_t)h.size)) != 0)
        st = ZS_ERR_SYS(ZS_EIO, e < 0 ? EIO : e, "%s: cannot read a slab's record", path);
    if (st == ZS_OK && fnv1a(buf, (size_t)h.size) != h.sum)
        st = ZS_ERR(ZS_EFORMAT, "%s: a slab record whose bytes do not match its sum (damaged)", path);
    close(fd);
    if (st < 0) {
        free(buf);
        return st;
    }
    *found = 1, *rec = buf, *size = (size_t)h.size;
    return ZS_OK;
}
