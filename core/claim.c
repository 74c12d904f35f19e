/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Claims of outputs: the files and directories a run writes under a temporary name (OUT.partial,
 * or OUT itself when created in place) and their renaming into place when complete.
 *
 * Anyone who can create a name in an output's directory can plant OUT.partial before a run. So a
 * partial is created new (O_EXCL | O_NOFOLLOW; a directory by a fresh mkdir), and one that exists
 * is taken over only when lstat shows what a killed run of this user leaves: a regular file with
 * one name, or a directory, of this user; never a symbolic link, whose target would be written.
 * What is opened is checked to be what lstat saw, and the identity (device, inode) of the claim
 * is kept, so that the rename at commit moves that file and not a name swapped in since. */
#include "zs_internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static void id_of(const struct stat *st, zs_file_id *id)
{
    id->dev = (uint64_t)st->st_dev;
    id->ino = (uint64_t)st->st_ino;
}

zs_status zs__partial_check(const char *path, const char *final, int dir, zs_file_id *id)
{
    struct stat st;
    if (lstat(path, &st) != 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot look at %s", final, path);
    ZS_RETURN_IF(S_ISLNK(st.st_mode), ZS_EEXIST,
                 "%s: %s is a symbolic link; zslab never writes through one (remove it if no run of yours made it)",
                 final, path);
    ZS_RETURN_IF(dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode), ZS_EEXIST,
                 "%s: %s exists and is not a %s of zslab's making; remove it", final, path,
                 dir ? "directory" : "regular file");
    ZS_RETURN_IF(st.st_uid != geteuid(), ZS_EEXIST,
                 "%s: %s belongs to another user (uid %lu); zslab takes over only its own partial output", final, path,
                 (unsigned long)st.st_uid);
    ZS_RETURN_IF(!dir && st.st_nlink != 1, ZS_EEXIST,
                 "%s: %s has %lu names (hard links), so it is not of zslab's making; remove it", final, path,
                 (unsigned long)st.st_nlink);
    if (id) id_of(&st, id);
    return ZS_OK;
}

zs_status zs__path_id(const char *path, zs_file_id *id)
{
    struct stat st;
    if (lstat(path, &st) != 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot stat", path);
    ZS_RETURN_IF(S_ISLNK(st.st_mode), ZS_EIO, "%s: is a symbolic link now (replaced since it was created)", path);
    id_of(&st, id);
    return ZS_OK;
}

zs_status zs__file_id(int fd, const char *path, zs_file_id *id)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot stat", path);
    id_of(&st, id);
    return ZS_OK;
}

/* Opens `file` read-write: a new one, or an existing one that passes zs__partial_check and is
 * still what it checked when opened. @return 1 when the name changed under us (try again). */
static zs_status open_partial(const char *file, const char *final, int *fd_out, int *created)
{
    int fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    *created = fd >= 0;
    if (fd < 0 && errno == EEXIST) {
        zs_file_id seen, now = {0, 0};
        struct stat st;
        if (lstat(file, &st) != 0 && errno == ENOENT) return 1; /* removed in between: create it again */
        ZS_FORWARD(zs__partial_check(file, final, 0, &seen));
        fd = open(file, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && (errno == ENOENT || errno == ELOOP)) return 1; /* replaced in between: look again */
        if (fd >= 0 && (zs__file_id(fd, file, &now) != ZS_OK || now.dev != seen.dev || now.ino != seen.ino)) {
            close(fd);
            return 1;
        }
    }
    if (fd < 0) return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot create %s", final, file);
    *fd_out = fd;
    return ZS_OK;
}

/* The claim of an output. A run owns the file it writes (OUT.partial, or OUT itself for direct
 * creation) by an exclusive lock held until the volume is freed: a second run for the same
 * output finds the lock taken and is refused at once, so no two runs ever write one file. The
 * lock dies with its process, so the OUT.partial of a killed run is taken over (and truncated)
 * by the next run. A file renamed or removed between our open and our lock is not the one the
 * path names: open it again. */
zs_status zs__claim_file(const char *file, const char *final, int *fd_out)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        int fd = -1, created = 0;
        const zs_status st = open_partial(file, final, &fd, &created);
        if (st == 1) continue;
        ZS_FORWARD(st);
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            if (e == ENOLCK || e == EINVAL || e == EOPNOTSUPP || e == ENOSYS) {
                /* a file system without locks: the file is ours only if we created it */
                if (created) {
                    *fd_out = fd;
                    return ZS_OK;
                }
                close(fd);
                return ZS_ERR(ZS_EEXIST,
                              "%s: %s exists and this file system cannot lock it: another run may be writing it; "
                              "remove it if no run is",
                              final, file);
            }
            close(fd); /* even one we created: a run that locked it first owns it now */
            if (e == EWOULDBLOCK)
                return ZS_ERR(ZS_EEXIST,
                              "%s: another run is writing it (%s is locked by that process); wait for it to end, or "
                              "write another output",
                              final, file);
            return ZS_ERR_SYS(ZS_EIO, e, "%s: cannot lock %s", final, file);
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && lstat(file, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            if (ftruncate(fd, 0) != 0) {
                int e = errno;
                close(fd);
                return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: cannot truncate %s", final, file);
            }
            *fd_out = fd;
            return ZS_OK;
        }
        close(fd); /* renamed into place or removed by the run that held it: not ours */
    }
    return ZS_ERR(ZS_EIO, "%s: %s keeps changing under us (other runs for the same output?)", final, file);
}

zs_status zs__claim_dir(const char *dir, const char *final, int *made, zs_file_id *id)
{
    *made = mkdir(dir, 0755) == 0;
    if (!*made && errno != EEXIST)
        return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot create the directory %s", final, dir);
    return *made ? zs__path_id(dir, id) : zs__partial_check(dir, final, 1, id); /* only one found is checked */
}

int zs__is_claimed(const char *path, const zs_file_id *id)
{
    struct stat st;
    return id->ino && lstat(path, &st) == 0 && !S_ISLNK(st.st_mode) && (uint64_t)st.st_dev == id->dev &&
           (uint64_t)st.st_ino == id->ino;
}

void zs__remove_claimed(const char *path, const zs_file_id *id)
{
    if (zs__is_claimed(path, id)) (void)unlink(path);
}

/* The name `from` still holds what was claimed: never rename a link or a file swapped in since. */
static zs_status check_claimed(const char *from, const char *to, const zs_file_id *id)
{
    struct stat st;
    if (lstat(from, &st) != 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot rename %s into place", to, from);
    ZS_RETURN_IF(S_ISLNK(st.st_mode) || (uint64_t)st.st_dev != id->dev || (uint64_t)st.st_ino != id->ino, ZS_EIO,
                 "%s: %s is no longer the %s this run wrote (replaced%s since); not renamed into place", to, from,
                 S_ISDIR(st.st_mode) ? "directory" : "file", S_ISLNK(st.st_mode) ? " by a symbolic link" : "");
    return ZS_OK;
}

/* Renames a finished file into place; without `replace`, never over a file that appeared since
 * the run began (another run that finished first keeps its output). */
zs_status zs__rename_into_place(const char *from, const char *to, int replace, const zs_file_id *id)
{
    ZS_FORWARD(check_claimed(from, to, id));
    int r;
#ifdef RENAME_NOREPLACE
    r = replace ? rename(from, to) : renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
    if (r != 0 && !replace && (errno == EINVAL || errno == ENOSYS)) { /* a file system without it */
#else
    r = -1;
    errno = EINVAL;
    if (!replace) {
#endif
        r = link(from, to);
        if (r == 0)
            r = unlink(from);
        else if (errno != EEXIST)
            r = rename(from, to); /* no hard links here either: the check at creation must do */
    }
#ifndef RENAME_NOREPLACE
    else
        r = rename(from, to);
#endif
    if (r == 0) return ZS_OK;
    if (errno == EEXIST)
        return ZS_ERR(ZS_EEXIST, "%s: appeared while this run wrote %s (another run finished first?); not replaced", to,
                      from);
    return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot rename %s into place", to, from);
}

/* ---- files written whole (previews, reports, charts) ------------------------------------- */

struct zs_partial_file {
    FILE *f;
    char path[ZS_PATH_MAX], tmp[ZS_PATH_MAX + 16];
    zs_file_id id;
};

zs_status zs_partial_file_new(const char *path, zs_partial_file **out)
{
    *out = NULL;
    ZS_RETURN_IF(!path || !*path, ZS_EINVAL, "no output file given");
    ZS_RETURN_IF(strlen(path) + 9 >= ZS_PATH_MAX, ZS_EINVAL, "%.64s...: path too long", path);
    zs_partial_file *p = calloc(1, sizeof *p);
    ZS_RETURN_IF(!p, ZS_ENOMEM, "%s: out of memory", path);
    snprintf(p->path, sizeof p->path, "%s", path);
    snprintf(p->tmp, sizeof p->tmp, "%s.partial", path);
    int fd = -1;
    zs_status st = zs__claim_file(p->tmp, path, &fd);
    if (st == ZS_OK) st = zs__file_id(fd, p->tmp, &p->id);
    if (st == ZS_OK && !(p->f = fdopen(fd, "w"))) st = ZS_ERR_SYS(ZS_ENOMEM, errno, "%s: cannot open", p->tmp);
    if (st < 0) {
        if (fd >= 0) {
            zs__remove_claimed(p->tmp, &p->id); /* ours: claimed */
            close(fd);
        }
        free(p);
        return st;
    }
    *out = p;
    return ZS_OK;
}

FILE *zs_partial_file_stream(zs_partial_file *p) { return p ? p->f : NULL; }

zs_status zs_partial_file_commit(zs_partial_file *p)
{
    ZS_RETURN_IF(!p || !p->f, ZS_EINVAL, "commit: no open partial file");
    errno = EIO; /* ferror keeps no errno of its own */
    if (fflush(p->f) != 0 || ferror(p->f))
        return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot write", p->tmp);
    /* Durable before it is named: a write-back error (a full quota on NFS, a failing device)
     * shows here, not after PATH looks complete, and a crash cannot leave PATH empty. */
    if (fsync(fileno(p->f)) != 0)
        return ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s: cannot write (fsync)", p->tmp);
    ZS_FORWARD(zs__rename_into_place(p->tmp, p->path, 1, &p->id));
    const int e = fclose(p->f) != 0 ? errno : 0; /* the lock goes with it, after the rename */
    p->f = NULL;
    return e ? ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: cannot close", p->path) : ZS_OK;
}

void zs_partial_file_free(zs_partial_file *p)
{
    if (!p) return;
    if (p->f) {
        zs__remove_claimed(p->tmp, &p->id); /* uncommitted: removed while the claim is held */
        fclose(p->f);
    }
    free(p);
}
