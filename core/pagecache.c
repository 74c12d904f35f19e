/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Page-cache control for cold benchmarks and HPC jobs: drop a file's pages, measure residency. */
#include "zs_internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

zs_status zs_file_drop_cache(const char *path)
{
    int fd = -1;
    ZS_FORWARD(zs__open_regular(path, O_RDONLY, &fd, NULL));
    (void)fdatasync(fd); /* dirty pages cannot be dropped; clean ones can */
    int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    if (e != 0) return ZS_ERR_SYS(ZS_EIO, e, "%s: posix_fadvise(DONTNEED) failed", path);
    return ZS_OK;
}

zs_status zs_file_residency(const char *path, double *fraction)
{
    int fd = -1;
    struct stat st;
    ZS_FORWARD(zs__open_regular(path, O_RDONLY, &fd, &st));
    if (st.st_size == 0) {
        close(fd);
        return ZS_ERR(ZS_EIO, "%s: empty or unreadable", path);
    }
    const size_t len = (size_t)st.st_size, page = zs_sys_page_size(), n = (len + page - 1) / page;
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot map", path);
    unsigned char *vec = malloc(n);
    zs_status s = ZS_OK;
    if (!vec)
        s = ZS_ERR(ZS_ENOMEM, "out of memory");
    else if (mincore(m, len, vec) != 0)
        s = ZS_ERR_SYS(ZS_EIO, errno, "%s: mincore failed", path);
    else {
        size_t res = 0;
        for (size_t i = 0; i < n; i++) res += vec[i] & 1;
        *fraction = (double)res / (double)n;
    }
    free(vec);
    munmap(m, len);
    return s;
}

/* Sampled, so that planning a terabyte costs the same as planning a megabyte: 64 windows of 64
 * pages spread evenly over the range, each mapped and asked of mincore on its own (no mapping of
 * the whole range, which an address-space limit could refuse). Opened without zs__open_regular,
 * whose message would overwrite an error the caller has pending. */
double zs__residency_sampled(const char *path, uint64_t off, uint64_t len)
{
    enum { WINDOWS = 64, WINDOW_PAGES = 64 };
    struct stat st;
    const int fd = path && *path ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
    if (fd < 0) return -1.0;
    const uint64_t page = zs_sys_page_size();
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || len == 0 || len > (uint64_t)st.st_size ||
        off > (uint64_t)st.st_size - len) {
        close(fd);
        return -1.0;
    }
    const uint64_t start = off / page * page, npages = (off + len - start + page - 1) / page;
    const uint64_t win = npages < WINDOW_PAGES ? npages : WINDOW_PAGES;
    const uint64_t nwin = npages / win < WINDOWS ? npages / win : WINDOWS;
    unsigned char vec[WINDOW_PAGES];
    uint64_t res = 0, asked = 0;
    for (uint64_t w = 0; w < nwin; w++) {
        const uint64_t first = nwin > 1 ? w * (npages - win) / (nwin - 1) : 0; /* the last window ends the range */
        void *m = mmap(NULL, (size_t)(win * page), PROT_READ, MAP_SHARED, fd, (off_t)(start + first * page));
        if (m == MAP_FAILED) break;
        const int ok = mincore(m, (size_t)(win * page), vec) == 0;
        munmap(m, (size_t)(win * page));
        if (!ok) break;
        for (uint64_t i = 0; i < win; i++) res += vec[i] & 1;
        asked += win;
    }
    close(fd);
    return asked ? (double)res / (double)asked : -1.0;
}
