/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Whole transfers: the one loop of the library that retries read(2) / pread(2) and write(2) /
 * pwrite(2) after EINTR and short transfers, and the status forms that name the file and the
 * offset where a transfer stopped. Callers with messages of their own (a volume's data file that
 * shrank under a run, a header, a chunk file) call zs__read_full / zs__write_full and word the
 * error themselves. */
#include "zs_internal.h"

#include <unistd.h>

static ssize_t one_call(int fd, unsigned char *p, size_t n, int64_t off, int out)
{
    if (out) return off < 0 ? write(fd, p, n) : pwrite(fd, p, n, (off_t)off);
    return off < 0 ? read(fd, p, n) : pread(fd, p, n, (off_t)off);
}

static int transfer(int fd, unsigned char *b, size_t n, int64_t off, size_t align, int out, size_t *done)
{
    *done = 0;
    while (*done < n) {
        const ssize_t r = one_call(fd, b + *done, n - *done, off < 0 ? -1 : off + (int64_t)*done, out);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        if (r == 0) return 0; /* the end of the file, or a write that made no progress */
        *done += (size_t)r;
        if (align > 1 && *done < n && (off + (int64_t)*done) % (int64_t)align != 0) return 0;
    }
    return 0;
}

int zs__read_full(int fd, void *buf, size_t n, int64_t off, size_t align, size_t *done)
{
    return transfer(fd, buf, n, off, align, 0, done);
}

int zs__write_full(int fd, const void *buf, size_t n, int64_t off, size_t align, size_t *done)
{
    return transfer(fd, (unsigned char *)(uintptr_t)buf, n, off, align, 1, done);
}

zs_status zs__pread_full(int fd, const char *path, void *buf, size_t n, uint64_t off)
{
    size_t done;
    const int e = zs__read_full(fd, buf, n, (int64_t)off, 1, &done);
    const unsigned long long at = (unsigned long long)(off + done);
    if (e) return ZS_ERR_SYS(ZS_EIO, e, "%s: read failed at offset %llu", path, at);
    ZS_RETURN_IF(done < n, ZS_EFORMAT, "%s: the file ends at offset %llu, before the data it describes (truncated?)",
                 path, at);
    return ZS_OK;
}

zs_status zs__pwrite_full(int fd, const char *path, const void *buf, size_t n, uint64_t off)
{
    size_t done;
    const int e = zs__write_full(fd, buf, n, (int64_t)off, 1, &done);
    const unsigned long long at = (unsigned long long)(off + done);
    if (e) return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: write failed at offset %llu", path, at);
    ZS_RETURN_IF(done < n, ZS_EIO, "%s: write made no progress at offset %llu", path, at);
    return ZS_OK;
}
