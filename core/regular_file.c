/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The one way a reader opens a file it expects to be a regular file. open(2) on a FIFO blocks
 * until a writer comes (forever, when none does), so the file is opened with O_NONBLOCK, checked
 * with fstat, and refused unless it is a regular file; then O_NONBLOCK is cleared. Libraries that
 * open files themselves (libhdf5) are given only paths opened so first. */
#include "zs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

const char *zs__file_kind(unsigned mode)
{
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    return "not a file";
}

zs_status zs__open_regular(const char *path, int flags, int *fd_out, struct stat *st_out)
{
    *fd_out = -1;
    const int fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        const zs_status s = ZS_ERR_SYS(ZS_EIO, err, "%s: cannot open", path);
        errno = err; /* callers tell a missing file (ENOENT) from others */
        return s;
    }
    struct stat st;
    const int known = fstat(fd, &st) == 0, err = errno;
    if (!known || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = 0; /* not ENOENT: the file is there */
        if (!known) return ZS_ERR_SYS(ZS_EIO, err, "%s: cannot stat", path);
        return ZS_ERR(ZS_EINVAL, "%s: not a regular file (%s)", path, zs__file_kind((unsigned)st.st_mode));
    }
    const int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        const int e = errno;
        close(fd);
        return ZS_ERR_SYS(ZS_EIO, e, "%s: cannot open", path);
    }
    *fd_out = fd;
    if (st_out) *st_out = st;
    return ZS_OK;
}
