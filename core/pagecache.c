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
