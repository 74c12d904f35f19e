/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The journal: many processes (job-array parts, MPI ranks, resumed runs) write one output.
 *
 * Design. OUT.zsjournal/ is both the lock and the record:
 *   - mkdir(OUT.zsjournal) is the creation lock (atomic on local and network file
 *     systems). Its winner writes `creating` (host pid), creates OUT.partial at full size,
 *     fsyncs it, and publishes `header` (temporary name, fsync, rename, fsync of the
 *     directory). Everybody else waits for `header`, compares it with its own fingerprint
 *     and opens OUT.partial in mode r+. A journal found with its header is never taken for
 *     a fresh one, so records of a removed output can never be mixed with new data: a
 *     journal whose output is gone is an error that says what to remove.
 *   - part-I-of-N holds one line `slab i t z0 z1` per finished slab, appended (O_APPEND,
 *     one write) only after the slab's bytes are on disk: the volume syncs the slab's planes
 *     (zs__volume_sync: a ranged data sync of a byte range, the format's own for others).
 *     The record itself is not synced: a lost record only means a slab is redone.
 *   - A torn last line (a process killed mid-write) lacks its newline and is ignored; the
 *     next writer of that file starts a new line first.
 * The part that finds every slab recorded renames OUT.partial to OUT.
 * A reduction's journal (zs__journal_attach_records: labels in parts) has no OUT.partial: its
 * slabs' records are slab-N files beside the part files, each durable before its slab's line,
 * and the part that finds every slab recorded merges them and writes OUT (label_parts.c). */
#include "journal_internal.h"
#include "error_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct zs_journal {
    char out[ZS_PATH_MAX], partial[ZS_PATH_MAX + 16], dir[ZS_PATH_MAX + 16];
    zs_journal_opts opts;
    zs_create_opts create; /* opts.create's copy (opts.create then points to it) */
    int creating;          /* won the mkdir: this process creates the output */
    int published;         /* the creator's header is on disk */
    jheader *hdr;          /* read (joiner) or written (creator) */
    zs_jinfo info;         /* parsed header: slab height and count */
    zs_volume *vol;        /* the output, r+ or created (owner) */
    zs_file_id id;         /* OUT.partial as created or opened: the rename moves only that */
    int complete;          /* OUT is in place */
    unsigned char *done;   /* info.nslabs flags: recorded by any part; read-only while running */
    int fd;                /* this part's record file (O_APPEND), or -1 */
    int records;           /* a reduction's journal: slab-N records, no output to create or rename */
    int finish_fd;         /* the finisher's lock (zs__journal_claim_finish), or -1 */
    int64_t first, last;   /* this part's slab range */
    zs_file_id replaced;   /* OUT as it was when a ZS_JOURNAL_REPLACE job began (ino 0: none) */
};

/* How long a joining process waits for the header: ZS_JOURNAL_WAIT seconds, else 600. */
static double default_wait(void)
{
    const char *w = getenv("ZS_JOURNAL_WAIT");
    char *end = NULL;
    const double v = w && *w ? strtod(w, &end) : -1.0;
    return end && *end == '\0' && v >= 0 ? v : 600.0;
}

static int path_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* fsync of a directory, so that a rename or a new entry in it survives a crash. */
void zs__sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static zs_status set_paths(zs_journal *j, const char *out)
{
    ZS_RETURN_IF(!out || !*out, ZS_EINVAL, "no output file given");
    ZS_RETURN_IF(strlen(out) + 16 >= ZS_PATH_MAX || strchr(out, '\n'), ZS_EINVAL, "%.64s: unusable output path", out);
    snprintf(j->out, sizeof j->out, "%s", out);
    snprintf(j->partial, sizeof j->partial, "%s.partial", out);
    snprintf(j->dir, sizeof j->dir, "%s.zsjournal", out);
    return ZS_OK;
}

static void mark_done(void *user, int64_t part, int64_t nparts, int64_t slab)
{
    (void)part, (void)nparts;
    ((unsigned char *)user)[slab] = 1;
}

static zs_status load_records(zs_journal *j)
{
    if (!j->done) {
        j->done = calloc((size_t)j->info.nslabs + 1, 1);
        ZS_RETURN_IF(!j->done, ZS_ENOMEM, "out of memory for %lld slab flags", (long long)j->info.nslabs);
    }
    return zs__journal_scan(&j->info, mark_done, j->done);
}

/* This part's record file: appended to, locked against a second process running the same
 * part (where the file system has locks), and starting on a fresh line. */
static zs_status open_part_file(zs_journal *j)
{
    char path[ZS_PATH_MAX + 96];
    snprintf(path, sizeof path, "%s/part-%lld-of-%lld", j->dir, (long long)j->opts.part, (long long)j->opts.nparts);
    j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (j->fd < 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot open the part's journal", path);
    if (flock(j->fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        return ZS_ERR(ZS_EEXIST, "%s: part %lld/%lld is being run by another process", j->out, (long long)j->opts.part,
                      (long long)j->opts.nparts);
    struct stat st;
    char last = '\n';
    if (fstat(j->fd, &st) == 0 && st.st_size > 0) {
        int rfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (rfd >= 0) {
            if (pread(rfd, &last, 1, st.st_size - 1) != 1) last = '\n';
            close(rfd);
        }
    }
    if (last != '\n' && write(j->fd, "\n", 1) != 1)
        return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot write the part's journal", path);
    return ZS_OK;
}

/* ---- begin / attach / finish ------------------------------------------------------------ */
/* Header missing: is the creator known to be dead (same host, no such process)? */
static int creator_gone(const zs_journal *j, char *who, size_t n)
{
    char path[ZS_PATH_MAX + 32], host[256] = "", mine[256] = "";
    long pid = 0;
    snprintf(who, n, "another process");
    snprintf(path, sizeof path, "%s/creating", j->dir);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int ok = fscanf(f, "%255s %ld", host, &pid) == 2;
    fclose(f);
    if (!ok) return 0;
    snprintf(who, n, "pid %ld on %s", pid, host);
    (void)gethostname(mine, sizeof mine - 1);
    return strcmp(host, mine) == 0 && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* OUT is in place, and is not the earlier output the job replaces: the job is finished. */
static int out_finished(const zs_journal *j) { return zs__journal_out_finished(j->out, &j->replaced); }

static zs_status take_creation(zs_journal *j)
{
    char path[ZS_PATH_MAX + 32], host[256] = "?";
    j->creating = 1;
    struct stat st;
    if (j->opts.role == ZS_JOURNAL_REPLACE && lstat(j->out, &st) == 0) { /* kept until the job's output replaces it */
        j->replaced = (zs_file_id){(uint64_t)st.st_dev, (uint64_t)st.st_ino};
        ZS_FORWARD(zs__journal_replaced_write(j->dir, &j->replaced));
    }
    (void)gethostname(host, sizeof host - 1);
    snprintf(path, sizeof path, "%s/creating", j->dir);
    FILE *f = zs__journal_text_create(path);
    if (!f) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot write in the journal", path);
    fprintf(f, "%s %ld\n", host, (long)getpid());
    fclose(f);
    return ZS_OK;
}

/* Waits until the header exists (or the wait ends) and reads it. @return 1 when the
 * journal vanished (its creator failed and cleaned up) and creating may be tried again. */
static zs_status join(zs_journal *j)
{
    char path[ZS_PATH_MAX + 32], who[320];
    snprintf(path, sizeof path, "%s/header", j->dir);
    const double t0 = now_seconds();
    double nap = 0.02;
    while (!path_exists(path)) {
        if (j->opts.stop && *j->opts.stop)
            return ZS_ERR(ZS_ECANCELED, "%s: stopped while waiting for the journal", j->out);
        const int dir = path_exists(j->dir);
        if (!dir && j->opts.role != ZS_JOURNAL_JOIN) return 1;
        if (dir) ZS_FORWARD(zs__partial_check(j->dir, j->out, 1, NULL)); /* a directory of ours, not a link */
        if (dir && creator_gone(j, who, sizeof who))
            return ZS_ERR(ZS_EIO,
                          "%s: the output was being created by %s, which is gone; remove %s and %s, then start again",
                          j->out, who, j->dir, j->partial);
        if (now_seconds() - t0 > j->opts.wait_seconds) {
            creator_gone(j, who, sizeof who);
            return ZS_ERR(ZS_EIO,
                          "%s: waited %.0f s for %s to create the output and publish %s; if it died, remove %s and "
                          "%s, then start again (ZS_JOURNAL_WAIT sets the wait)",
                          j->out, j->opts.wait_seconds, who, path, j->dir, j->partial);
        }
        sleep_seconds(nap);
        nap = nap < 0.5 ? nap * 1.5 : 0.5;
    }
    ZS_FORWARD(zs__partial_check(j->dir, j->out, 1, NULL));
    j->hdr = malloc(sizeof *j->hdr);
    ZS_RETURN_IF(!j->hdr, ZS_ENOMEM, "out of memory");
    ZS_FORWARD(zs__jheader_parse(path, j->hdr));
    zs__journal_replaced_read(j->dir, &j->replaced); /* written before the header was published */
    return zs__jheader_info(j->dir, j->hdr, &j->info);
}

/* Creates the journal directory (and so the output) or joins the one that exists. */
static zs_status create_or_join(zs_journal *j)
{
    struct stat sb;
    /* a directory (a Zarr store) cannot be renamed over in one step: refused now, not after the run */
    ZS_RETURN_IF(j->opts.role == ZS_JOURNAL_REPLACE && !path_exists(j->dir) && lstat(j->out, &sb) == 0 &&
                     S_ISDIR(sb.st_mode),
                 ZS_EEXIST,
                 "%s: is a directory, which a journaled run cannot replace when it finishes; remove it first, or "
                 "write another OUT",
                 j->out);
    for (;;) {
        if (!path_exists(j->dir) && path_exists(j->out) && j->opts.role != ZS_JOURNAL_REPLACE)
            return ZS_ERR_DETAIL(ZS_EEXIST, ZS_REASON_OUTPUT_UNJOURNALED, "force", 0,
                                 " (it was written by a run without one); remove it, or overwrite it (force)",
                                 "%s: exists and has no journal", j->out);
        if (j->opts.role != ZS_JOURNAL_JOIN) {
            if (mkdir(j->dir, 0777) == 0) return take_creation(j);
            if (errno != EEXIST) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot create the journal", j->dir);
            if (j->opts.role == ZS_JOURNAL_NEW || j->opts.role == ZS_JOURNAL_REPLACE)
                return ZS_ERR_DETAIL(ZS_EEXIST, ZS_REASON_JOURNAL_EXISTS, "resume,force", 0,
                                     ": continue that job (resume), look at it (zs_journal_report), or start over "
                                     "(force)",
                                     "%s: a journal exists (%s)", j->out, j->dir);
        }
        zs_status st = join(j);
        if (st != 1) return st;
    }
}

zs_status zs_journal_begin(const char *out_path, const zs_journal_opts *opts, zs_journal **out)
{
    zs_journal_opts o;
    zs_create_opts create;
    *out = NULL;
    ZS_FORWARD(ZS_SIZED_IN(&o, opts, zs_journal_opts));
    ZS_FORWARD(ZS_SIZED_IN(&create, o.create, zs_create_opts));
    opts = &o;
    ZS_RETURN_IF(opts->nparts < 1 || opts->part < 0 || opts->part >= opts->nparts, ZS_EINVAL,
                 "part %lld of %lld: want 0 <= part < parts", (long long)opts->part, (long long)opts->nparts);
    zs_journal *j = calloc(1, sizeof *j);
    ZS_RETURN_IF(!j, ZS_ENOMEM, "out of memory");
    j->fd = -1;
    j->finish_fd = -1;
    j->opts = *opts;
    j->opts.wait_seconds = opts->wait_seconds >= 0 ? opts->wait_seconds : default_wait();
    j->create = create;
    j->opts.create = &j->create;
    zs_status st = set_paths(j, out_path);
    if (st == ZS_OK) st = create_or_join(j);
    if (st < 0) {
        zs_journal_free(j);
        return st;
    }
    *out = j;
    return ZS_OK;
}

int zs_journal_creating(const zs_journal *j) { return j->creating; }
int64_t zs_journal_slab_height(const zs_journal *j) { return j->creating ? 0 : j->info.slab; }

/* Many processes write one output in place, and a resumed run continues it: formats that are
 * one header in front of one byte range, and chunked formats whose slabs start on their chunks
 * (ZS_FORMAT_SHARED), can be shared that way. */
static zs_status shared_format(const zs_journal *j, zs_format *fmt)
{
    ZS_FORWARD(zs__format_from_name(j->out, fmt));
    if (zs_format_describe(*fmt)->flags & ZS_FORMAT_SHARED) return ZS_OK;
    char names[256] = ""; /* the formats that can be shared, as the registry lists them */
    size_t len = 0;
    for (int i = 0; zs_format_at(i) && len < sizeof names; i++) {
        const zs_format_desc *d = zs_format_at(i);
        const char *name = d->suffixes[0] ? d->suffixes : d->name; /* ".npy", ".nii", "raw" */
        if ((d->flags & ZS_FORMAT_SHARED) && !strstr(names, name))
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", name);
    }
    return ZS_ERR(ZS_EUNSUPPORTED,
                  "%s: jobs with a journal (parts, resumed runs) write %s outputs (which many processes can "
                  "write at once); write one of those, then convert it",
                  j->out, names);
}

static zs_status create_output(zs_journal *j, const zs_plan *plan)
{
    zs_volume_info spec;
    zs_plan_output_spec(plan, &spec);
    zs_create_opts co = j->create; /* compression and chunks */
    co.force = 1;                  /* a stale OUT.partial without a journal is garbage: we hold the lock */
    co.direct = 1;                 /* create OUT.partial itself; the journal renames it */
    ZS_FORWARD(shared_format(j, &co.format));
    ZS_FORWARD(zs_volume_create(j->partial, &spec, &co, &j->vol));
    ZS_FORWARD(zs__path_id(j->partial, &j->id)); /* just claimed: what the rename must move */
    /* Other nodes open OUT.partial as soon as the header is published: the file's header
     * and size must be on the server before that (NFS close-to-open). */
    return zs__volume_flush(j->vol);
}

static zs_status open_output(zs_journal *j, const zs_plan *plan)
{
    zs_open_opts oo;
    zs_open_opts_init(&oo);
    oo.mode = "r+";
    ZS_FORWARD(shared_format(j, &oo.format));
    /* opened in place: only the file (or Zarr directory) a part of this job created, never a link */
    ZS_FORWARD(zs__partial_check(j->partial, j->out, oo.format == ZS_FMT_ZARR, &j->id));
    memcpy(oo.raw_shape, plan->out.shape, sizeof oo.raw_shape);
    oo.raw_ndim = plan->out.ndim;
    oo.raw_dtype = plan->out.dtype;
    ZS_FORWARD(zs_volume_open(j->partial, &oo, &j->vol));
    const zs_volume_info *v = zs_volume_get_info(j->vol);
    char a[96], b[96];
    zs__journal_shape_text(v->shape, a, sizeof a);
    zs__journal_shape_text(plan->out.shape, b, sizeof b);
    ZS_RETURN_IF(strcmp(a, b) != 0 || v->dtype.type != plan->out.dtype.type ||
                     v->dtype.big_endian != plan->out.dtype.big_endian || v->order != ZS_ORDER_F,
                 ZS_EEXIST, "%s: holds %s %s %s order, the journal's job makes %s %s F order", j->partial, a,
                 zs_dtype_name(v->dtype), v->order == ZS_ORDER_F ? "F" : "C", b, zs_dtype_name(plan->out.dtype));
    return ZS_OK;
}

/* The creator's header, on disk for the other parts to join. */
static zs_status publish(zs_journal *j)
{
    ZS_FORWARD(zs__jheader_write(j->dir, j->hdr));
    j->published = 1;
    char path[ZS_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/creating", j->dir);
    unlink(path);
    return zs__jheader_info(j->dir, j->hdr, &j->info);
}

static zs_status attach_output(zs_journal *j, const zs_plan *plan, jheader *mine)
{
    if (j->creating) {
        j->hdr = mine;
        ZS_FORWARD(create_output(j, plan));
        /* The parts share OUT.partial: each holds a shared lock on it, so that a plain run (which
         * needs it exclusively) is refused while any part is alive. Ours becomes shared before the
         * header tells the other parts to open the file. */
        (void)zs__volume_share(j->vol, 0);
        return publish(j);
    }
    zs_status st = zs__jheader_compare(j->hdr, mine, j->out, j->partial, j->dir);
    free(mine);
    ZS_FORWARD(st);
    if (path_exists(j->partial)) {
        st = open_output(j, plan);
        if (st == ZS_OK && zs__volume_share(j->vol, 1) == EWOULDBLOCK)
            return ZS_ERR(ZS_EEXIST, "%s: another run (not a part of this job) is writing %s", j->out, j->partial);
        if (st == ZS_OK || path_exists(j->partial)) return st;
        zs_volume_free(j->vol); /* renamed under us by the part that finished it */
        j->vol = NULL;
    }
    ZS_RETURN_IF(!out_finished(j), ZS_EIO,
                 "%s: the journal %s has lost its output (%s is gone, and %s %s); remove %s to start over", j->out,
                 j->dir, j->partial, j->out,
                 path_exists(j->out) ? "is the earlier output it replaces" : "does not exist", j->dir);
    j->complete = 1;
    return ZS_OK;
}

/* The part's range, the slabs recorded so far and (unless OUT is complete) the part's file. */
static zs_status attach_part(zs_journal *j)
{
    const int64_t S = j->info.nslabs, N = j->opts.nparts, I = j->opts.part;
    j->first = (int64_t)((__int128)I * S / N);
    j->last = (int64_t)((__int128)(I + 1) * S / N);
    ZS_FORWARD(load_records(j));
    return j->complete ? ZS_OK : open_part_file(j);
}

zs_status zs_journal_attach(zs_journal *j, const zs_plan *plan, zs_volume **out)
{
    *out = NULL;
    ZS_RETURN_IF(j->vol || j->complete, ZS_EINVAL, "%s: journal already attached", j->out);
    jheader *mine = malloc(sizeof *mine);
    ZS_RETURN_IF(!mine, ZS_ENOMEM, "out of memory");
    zs_status st = zs__jheader_fingerprint(j->out, plan, mine);
    if (st == ZS_OK)
        st = attach_output(j, plan, mine);
    else
        free(mine);
    if (st < 0) return st; /* mine is owned by j->hdr or freed */
    ZS_FORWARD(attach_part(j));
    *out = j->vol;
    return ZS_OK;
}

zs_status zs__journal_attach_records(zs_journal *j, const zs_plan *plan, const char *reduction)
{
    ZS_RETURN_IF(j->vol || j->complete || j->records, ZS_EINVAL, "%s: journal already attached", j->out);
    jheader *mine = malloc(sizeof *mine);
    ZS_RETURN_IF(!mine, ZS_ENOMEM, "out of memory");
    zs_status st = zs__jheader_fingerprint(j->out, plan, mine);
    if (st < 0) {
        free(mine);
        return st;
    }
    snprintf(mine->val[K_REDUCTION], VAL_MAX, "%s", reduction);
    j->records = 1;
    if (j->creating) {
        j->hdr = mine;
        ZS_FORWARD(publish(j));
    } else {
        st = zs__jheader_compare(j->hdr, mine, j->out, j->partial, j->dir);
        free(mine);
        ZS_FORWARD(st);
        j->complete = out_finished(j); /* finished by a part that has not removed the journal yet */
    }
    return attach_part(j);
}

const char *zs__journal_dir(const zs_journal *j) { return j->records ? j->dir : NULL; }
int64_t zs__journal_slabs(const zs_journal *j) { return j->info.nslabs; }
int zs__journal_output_exists(const zs_journal *j) { return out_finished(j); }
int zs_journal_output_replaced(const zs_journal *j) { return j && zs__journal_is_replaced(j->out, &j->replaced); }

zs_status zs__journal_claim_finish(zs_journal *j, int *won)
{
    *won = 0;
    char path[ZS_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/finishing", j->dir);
    if (j->finish_fd < 0) j->finish_fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (j->finish_fd < 0) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot open the finisher's lock", path);
    if (flock(j->finish_fd, LOCK_EX | LOCK_NB) == 0)
        *won = 1;
    else if (errno != EWOULDBLOCK)
        return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot lock", path);
    return ZS_OK;
}

void zs_journal_part_range(const zs_journal *j, int64_t *first, int64_t *last)
{
    *first = j->first;
    *last = j->last;
}

int64_t zs_journal_done_count(const zs_journal *j, int64_t first, int64_t last)
{
    int64_t n = 0;
    for (int64_t i = first < 0 ? 0 : first; j->done && i < last && i < j->info.nslabs; i++) n += j->done[i];
    return n;
}

zs_status zs_journal_finish(zs_journal *j, int64_t *done, int *complete)
{
    if (j->fd >= 0 && fdatasync(j->fd) != 0)
        return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot sync the part's journal", j->dir);
    if (j->info.nslabs > 0) ZS_FORWARD(load_records(j));
    const int64_t n = zs_journal_done_count(j, 0, j->info.nslabs);
    if (done) *done = n;
    if (!j->complete && !j->records && j->info.nslabs > 0 && n == j->info.nslabs) {
        /* Parts (and MPI ranks) that finish together all see every slab recorded and race to
         * rename: OUT holding the very inode this part claimed means another one won. Test hook
         * (tests/cli/test_journal_sync.sh): ZS_TEST_RENAME_RACE makes that other part's rename
         * happen between the check and this part's rename. */
        if (!zs__is_claimed(j->out, &j->id)) {
            if (getenv("ZS_TEST_RENAME_RACE")) (void)rename(j->partial, j->out); /* test hook: the other part won */
            zs_status st = zs__rename_into_place(j->partial, j->out, 1, &j->id);
            if (st < 0 && !zs__is_claimed(j->out, &j->id)) return st;
            if (st < 0) zs_clear_error();
        }
        j->complete = 1;
        /* the directory of OUT, for the rename */
        char parent[ZS_PATH_MAX];
        snprintf(parent, sizeof parent, "%s", j->out);
        char *slash = strrchr(parent, '/');
        if (slash) *(slash == parent ? slash + 1 : slash) = '\0';
        zs__sync_dir(slash ? parent : ".");
    }
    if (complete) *complete = j->complete;
    return ZS_OK;
}

void zs_journal_free(zs_journal *j)
{
    if (!j) return;
    if (j->fd >= 0) close(j->fd);
    if (j->finish_fd >= 0) close(j->finish_fd);
    if (j->creating && !j->published) {
        /* Failed before anyone could join: leave nothing behind, so the next try creates. Only
         * an OUT.partial we claimed is removed (before the claim goes with the volume): one that
         * another run holds is not ours, and a stale one is taken over by the next claim. */
        char path[ZS_PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/creating", j->dir);
        unlink(path);
        if (j->vol && zs__volume_claimed(j->vol)) zs__remove_claimed(j->partial, &j->id);
        rmdir(j->dir);
    }
    zs_volume_free(j->vol); /* created with direct=1 or opened r+: never unlinked by it */
    free(j->hdr);
    free(j->done);
    free(j);
}

int zs_journal_exists(const char *out_path)
{
    char dir[ZS_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s.zsjournal", out_path);
    return path_exists(dir);
}

zs_status zs_journal_remove(const char *out_path)
{
    char dir[ZS_PATH_MAX + 16], partial[ZS_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s.zsjournal", out_path);
    snprintf(partial, sizeof partial, "%s.partial", out_path);
    if (path_exists(partial)) { /* removed only under our claim: never while a run or a part writes it */
        int fd = -1;
        ZS_FORWARD(zs__claim_file(partial, out_path, &fd));
        const int e = unlink(partial) != 0 && errno != ENOENT ? errno : 0;
        close(fd);
        if (e) return ZS_ERR_SYS(ZS_EIO, e, "%s: cannot remove", partial);
    }
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? ZS_OK : ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot list", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char path[ZS_PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        (void)unlink(path);
    }
    closedir(d);
    if (rmdir(dir) != 0 && errno != ENOENT) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot remove", dir);
    return ZS_OK;
}

/* ---- the hooks run.c calls after each slab --------------------------------------------- */
int zs__journal_done(const zs_journal *j, int64_t i) { return j->done && i < j->info.nslabs && j->done[i]; }

/* Input planes [a,b) of slab (t, z0, z1) that no later slab reads: later slabs start reading
 * at their z0 - halo_lo >= z1 - halo_lo. The slabs of a volume drop disjoint ranges that
 * cover it. Only an optimisation: a plane dropped too early is read again. */
static void drop_input(const zs_plan *p, const zs_volume *in, int64_t t, int64_t z0, int64_t z1)
{
    const int64_t nz = p->in.shape[2];
    int64_t a = z0 == 0 ? 0 : z0 - p->halo_lo, b = z1 == nz ? nz : z1 - p->halo_lo;
    if (a < 0) a = 0;
    if (b > a) zs__volume_drop(in, t, a, b, 0);
}

/* A slab's data sync. Test hook (tests/cli/test_journal_sync.sh): ZS_TEST_FAIL_SYNC=N makes the
 * process's Nth slab sync fail, as a failing disk would, so that a test sees that a slab is
 * recorded only once its bytes are on disk. Not for production use. */
static zs_status sync_slab(const zs_volume *out, int64_t t, int64_t z0, int64_t z1)
{
    static atomic_llong syncs;
    const char *fail = getenv("ZS_TEST_FAIL_SYNC");
    if (fail && atomic_fetch_add(&syncs, 1) + 1 == atoll(fail))
        return ZS_ERR(ZS_EIO, "%s: cannot flush planes %lld to %lld to disk (ZS_TEST_FAIL_SYNC)",
                      zs_volume_get_info(out)->path, (long long)z0, (long long)z1 - 1);
    return zs__volume_sync(out, t, z0, z1);
}

zs_status zs__slab_release(zs_journal *j, const zs_plan *p, const zs_volume *in, const zs_volume *out, int64_t i,
                           int drop)
{
    int64_t t, z0, z1;
    zs__plan_slab(p, i, &t, &z0, &z1);
    if (j && out)
        ZS_FORWARD(sync_slab(out, t, z0, z1)); /* durable before it is recorded (a reduction's
                                                    record is: zs__record_put) */
    if (drop) {
        zs__volume_drop(out, t, z0, z1, !j); /* flushed first, unless synced above */
        if (in) drop_input(p, in, t, z0, z1);
    }
    return j ? zs__journal_append(j->fd, j->dir, i, t, z0, z1) : ZS_OK;
}
