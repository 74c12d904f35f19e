/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The journal's files (the design is in journal.c): the header, from a run's fingerprint to its text and
 * back, and the slab records' lines, written by a part and read by every reader. */
#include "journal_internal.h"
#include "error_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const key_names[K_COUNT] = {
    "zslab-journal", "zslab",       "input",        "input-size",    "input-mtime", "input-format", "input-shape",
    "input-dtype",   "input-order", "input-offset", "input-scaling", "input-files", "pipeline",     "output-dtype",
    "output-shape",  "slab-height", "slab-count",   "reduction",     "output",      "created"};
/* 2: input-files (the files of the input, as its format lists them); 3: reduction (a journal of
 * records, docs/labels.md: slab-N files beside the part files, no OUT.partial) */
#define JOURNAL_FORMAT "3"

/* A file in the journal's directory, created or truncated for writing; never through a link. */
FILE *zs__journal_text_create(const char *path)
{
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && !f) close(fd);
    return f;
}

/* ---- header text ----------------------------------------------------------------------- */
zs_status zs__jheader_parse(const char *path, jheader *h)
{
    FILE *f = fopen(path, "r");
    if (!f) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot read the journal header", path);
    memset(h, 0, sizeof *h);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int first = 1, bad = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') line[--n] = '\0';
        char *sp = strchr(line, ' ');
        if (!sp) {
            bad |= first;
            first = 0;
            continue;
        }
        *sp = '\0';
        for (int k = 0; k < K_COUNT; k++)
            if (strcmp(line, key_names[k]) == 0) snprintf(h->val[k], VAL_MAX, "%s", sp + 1);
        if (first && strcmp(line, key_names[K_MAGIC]) != 0) bad = 1;
        first = 0;
    }
    free(line);
    fclose(f);
    ZS_RETURN_IF(bad || first, ZS_EFORMAT, "%s: not a zslab journal header", path);
    ZS_RETURN_IF(strcmp(h->val[K_MAGIC], JOURNAL_FORMAT) != 0, ZS_EUNSUPPORTED,
                 "%s: journal format %s, this zslab %s reads format %s", path, h->val[K_MAGIC], ZS_VERSION_STRING,
                 JOURNAL_FORMAT);
    return ZS_OK;
}

/* Copies at most n-1 bytes of src (header values may be longer than a field). */
static void copy_text(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

zs_status zs__jheader_info(const char *dir, const jheader *h, zs_jinfo *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->dir, sizeof info->dir, "%s", dir);
    long long sh[4], slab, count;
    ZS_RETURN_IF(sscanf(h->val[K_INPUT_SHAPE], "%lldx%lldx%lldx%lld", &sh[0], &sh[1], &sh[2], &sh[3]) != 4 ||
                     sscanf(h->val[K_SLAB_HEIGHT], "%lld", &slab) != 1 ||
                     sscanf(h->val[K_SLAB_COUNT], "%lld", &count) != 1 || slab < 1 || sh[2] < 1 || sh[3] < 1,
                 ZS_EFORMAT, "%s/header: shape, slab-height or slab-count unreadable", dir);
    info->slab = slab;
    info->nz = sh[2];
    info->nt = sh[3];
    info->per_vol = (info->nz + slab - 1) / slab;
    info->nslabs = count;
    ZS_RETURN_IF(info->per_vol * info->nt != count, ZS_EFORMAT,
                 "%s/header: %lld slabs of %lld planes do not cut %lld planes x %lld volumes", dir, count, slab,
                 (long long)info->nz, (long long)info->nt);
    copy_text(info->input, sizeof info->input, h->val[K_INPUT]);
    copy_text(info->pipeline, sizeof info->pipeline, h->val[K_PIPELINE]);
    copy_text(info->output_dtype, sizeof info->output_dtype, h->val[K_OUTPUT_DTYPE]);
    copy_text(info->shape, sizeof info->shape, h->val[K_OUTPUT_SHAPE]);
    copy_text(info->version, sizeof info->version, h->val[K_VERSION]);
    info->records = h->val[K_REDUCTION][0] && strcmp(h->val[K_REDUCTION], "(none)") != 0;
    return ZS_OK;
}

zs_status zs__journal_read_info(const char *dir, zs_jinfo *info)
{
    char path[ZS_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/header", dir);
    jheader *h = malloc(sizeof *h);
    ZS_RETURN_IF(!h, ZS_ENOMEM, "out of memory");
    zs_status st = zs__jheader_parse(path, h);
    if (st == ZS_OK) st = zs__jheader_info(dir, h, info);
    free(h);
    return st;
}

void zs__journal_shape_text(const int64_t s[4], char *buf, size_t n)
{
    snprintf(buf, n, "%lldx%lldx%lldx%lld", (long long)s[0], (long long)s[1], (long long)s[2], (long long)s[3]);
}

/* The fingerprint of this run: everything that decides the output's bytes and layout, the input's
 * files as its format lists them included (a plane series: every plane; a header: its data file). */
zs_status zs__jheader_fingerprint(const char *out, const zs_plan *p, jheader *h)
{
    const zs_volume_info *in = &p->in;
    ZS_RETURN_IF(in->format == ZS_FMT_MEMORY, ZS_EUNSUPPORTED,
                 "%s: a journal or a record fingerprints the input's files, and a memory volume has none: run it "
                 "without one",
                 in->path[0] ? in->path : "memory");
    zs_files_sum files; /* the input's files, as its format lists them */
    ZS_FORWARD(zs__info_files_sum(in, &files));
    char real[PATH_MAX];
    memset(h, 0, sizeof *h);
    snprintf(h->val[K_MAGIC], VAL_MAX, "%s", JOURNAL_FORMAT);
    snprintf(h->val[K_VERSION], VAL_MAX, "%s", ZS_VERSION_STRING);
    snprintf(h->val[K_INPUT], VAL_MAX, "%s", realpath(in->path, real) ? real : in->path);
    snprintf(h->val[K_INPUT_SIZE], VAL_MAX, "%llu", (unsigned long long)files.bytes);
    snprintf(h->val[K_INPUT_MTIME], VAL_MAX, "%lld.%09ld", (long long)files.newest_sec, files.newest_nsec);
    snprintf(h->val[K_INPUT_FORMAT], VAL_MAX, "%s", zs_format_name(in->format));
    zs__journal_shape_text(in->shape, h->val[K_INPUT_SHAPE], VAL_MAX);
    zs_dtype_descr(in->dtype, h->val[K_INPUT_DTYPE], VAL_MAX);
    snprintf(h->val[K_INPUT_ORDER], VAL_MAX, "%s", in->order == ZS_ORDER_F ? "F" : "C");
    snprintf(h->val[K_INPUT_OFFSET], VAL_MAX, "%llu", (unsigned long long)in->offset);
    snprintf(h->val[K_INPUT_SCALING], VAL_MAX, "%.17g %.17g", in->slope, in->inter);
    snprintf(h->val[K_INPUT_FILES], VAL_MAX, "%lld %016llx", (long long)files.count, (unsigned long long)files.hash);
    if (p->nstages)
        zs_pipeline_describe(p->pipe, h->val[K_PIPELINE], VAL_MAX);
    else
        snprintf(h->val[K_PIPELINE], VAL_MAX, "(none)");
    /* another work type gives other results: part of what is made (a conversion in the integers is
     * the same whatever the precision says) */
    const char *work = p->exact_ints                          ? " [integer work]"
                       : p->precision == ZS_PRECISION_FLOAT64 ? " [float64 work]"
                                                              : "";
    const size_t used = strlen(h->val[K_PIPELINE]);
    snprintf(h->val[K_PIPELINE] + used, VAL_MAX - used, "%s", work);
    zs_dtype_descr(p->out.dtype, h->val[K_OUTPUT_DTYPE], VAL_MAX);
    zs__journal_shape_text(p->out.shape, h->val[K_OUTPUT_SHAPE], VAL_MAX);
    snprintf(h->val[K_SLAB_HEIGHT], VAL_MAX, "%lld", (long long)p->slab);
    snprintf(h->val[K_SLAB_COUNT], VAL_MAX, "%lld", (long long)p->nslabs);
    snprintf(h->val[K_REDUCTION], VAL_MAX, "(none)");
    snprintf(h->val[K_OUTPUT], VAL_MAX, "%s", out ? out : "");
    char host[256] = "?";
    (void)gethostname(host, sizeof host - 1);
    snprintf(h->val[K_CREATED], VAL_MAX, "%s pid %ld at %lld", host, (long)getpid(), (long long)time(NULL));
    return ZS_OK;
}

/* Every compared field that differs, in one message (ZS_EEXIST). */
zs_status zs__jheader_compare(const jheader *theirs, const jheader *mine, const char *out, const char *partial,
                              const char *dir)
{
    char msg[900] = "";
    size_t len = 0;
    int ndiff = 0, input_only = 1; /* the same input file, which changed since: input_only */
    for (int k = 0; k < K_OUTPUT; k++) {
        if (strcmp(theirs->val[k], mine->val[k]) == 0) continue;
        input_only = input_only && k > K_INPUT && k <= K_INPUT_FILES;
        if (len < sizeof msg)
            len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s is '%.200s' there, '%.200s' here",
                                    ndiff ? "; " : "", key_names[k], theirs->val[k], mine->val[k]);
        ndiff++;
    }
    if (!ndiff) return ZS_OK;
    return ZS_ERR_DETAIL(ZS_EEXIST, input_only ? ZS_REASON_INPUT_CHANGED : ZS_REASON_JOURNAL_OTHER, NULL, 0, NULL,
                         "%s: the journal belongs to another job (%s). Give another OUT, or remove %s and %s to start "
                         "over",
                         out, msg, partial, dir);
}

zs_status zs__jheader_write(const char *dir, const jheader *h)
{
    char tmp[ZS_PATH_MAX + 64], path[ZS_PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s/header.tmp.%ld", dir, (long)getpid());
    snprintf(path, sizeof path, "%s/header", dir);
    FILE *f = zs__journal_text_create(tmp);
    if (!f) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot write the journal header", tmp);
    for (int k = 0; k < K_COUNT; k++) fprintf(f, "%s %s\n", key_names[k], h->val[k]);
    int e = fflush(f) != 0 || fsync(fileno(f)) != 0 ? errno : 0;
    if (fclose(f) != 0 && !e) e = errno;
    if (!e && rename(tmp, path) != 0) e = errno;
    if (e) {
        unlink(tmp);
        return ZS_ERR_SYS(zs__status_from_errno(e), e, "%s: cannot write the journal header", path);
    }
    zs__sync_dir(dir);
    return ZS_OK;
}

/* ---- records ------------------------------------------------------------------------- */
void zs__journal_slab(const zs_jinfo *info, int64_t i, int64_t *t, int64_t *z0, int64_t *z1)
{
    *t = i / info->per_vol;
    *z0 = (i % info->per_vol) * info->slab;
    *z1 = *z0 + info->slab < info->nz ? *z0 + info->slab : info->nz;
}

static void scan_file(const zs_jinfo *info, const char *path, int64_t part, int64_t nparts,
                      void (*fn)(void *, int64_t, int64_t, int64_t), void *user)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        long long i, t, z0, z1;
        int end = 0;
        if (line[n - 1] != '\n') break; /* torn: the writer died mid-line */
        if (sscanf(line, "slab %lld %lld %lld %lld%n", &i, &t, &z0, &z1, &end) != 4 || end != n - 1) continue;
        if (i < 0 || i >= info->nslabs) continue;
        int64_t et, ez0, ez1;
        zs__journal_slab(info, i, &et, &ez0, &ez1);
        if (et == t && ez0 == z0 && ez1 == z1) fn(user, part, nparts, i);
    }
    free(line);
    fclose(f);
}

zs_status zs__journal_scan(const zs_jinfo *info, void (*fn)(void *, int64_t, int64_t, int64_t), void *user)
{
    DIR *d = opendir(info->dir);
    if (!d) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot list the journal", info->dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        long long part, nparts;
        int end = 0;
        if (sscanf(e->d_name, "part-%lld-of-%lld%n", &part, &nparts, &end) != 2 || e->d_name[end] != '\0') continue;
        char path[ZS_PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", info->dir, e->d_name);
        scan_file(info, path, part, nparts, fn, user);
    }
    closedir(d);
    return ZS_OK;
}

zs_status zs__journal_append(int fd, const char *dir, int64_t i, int64_t t, int64_t z0, int64_t z1)
{
    char line[128];
    int n = snprintf(line, sizeof line, "slab %lld %lld %lld %lld\n", (long long)i, (long long)t, (long long)z0,
                     (long long)z1);
    ssize_t w;
    while ((w = write(fd, line, (size_t)n)) < 0 && errno == EINTR) {}
    if (w != n)
        return ZS_ERR_SYS(w < 0 ? zs__status_from_errno(errno) : ZS_EIO, w < 0 ? errno : EIO,
                          "%s: cannot record slab %lld in the journal", dir, (long long)i);
    return ZS_OK;
}

/* ---- the fingerprint outside a journal (a batch's records, job.c) ---------------------- */
zs_status zs__fingerprint_lines(const zs_plan *p, char **text)
{
    *text = NULL;
    jheader *h = malloc(sizeof *h);
    ZS_RETURN_IF(!h, ZS_ENOMEM, "out of memory");
    zs_status st = zs__jheader_fingerprint(NULL, p, h);
    size_t n = 1;
    for (int k = K_VERSION; st == ZS_OK && k <= K_OUTPUT_SHAPE; k++) n += strlen(key_names[k]) + strlen(h->val[k]) + 2;
    char *buf = st == ZS_OK ? malloc(n) : NULL;
    if (st == ZS_OK && !buf) st = ZS_ERR(ZS_ENOMEM, "out of memory");
    size_t len = 0;
    for (int k = K_VERSION; st == ZS_OK && k <= K_OUTPUT_SHAPE; k++)
        len += (size_t)snprintf(buf + len, n - len, "%s %s\n", key_names[k], h->val[k]);
    free(h);
    if (st == ZS_OK) *text = buf;
    return st;
}

/* ---- the output a job replaces (ZS_JOURNAL_REPLACE) --------------------------------- */
zs_status zs__journal_replaced_write(const char *dir, const zs_file_id *id)
{
    char path[ZS_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/replaces", dir);
    FILE *f = zs__journal_text_create(path);
    if (!f) return ZS_ERR_SYS(ZS_EIO, errno, "%s: cannot write in the journal", path);
    fprintf(f, "%llu %llu\n", (unsigned long long)id->dev, (unsigned long long)id->ino);
    const int e = fflush(f) != 0 || fsync(fileno(f)) != 0 ? errno : 0;
    if (fclose(f) != 0 || e) return ZS_ERR_SYS(ZS_EIO, e ? e : errno, "%s: cannot write", path);
    return ZS_OK;
}

void zs__journal_replaced_read(const char *dir, zs_file_id *id)
{
    char path[ZS_PATH_MAX + 32];
    unsigned long long dev = 0, ino = 0;
    snprintf(path, sizeof path, "%s/replaces", dir);
    FILE *f = fopen(path, "r");
    if (f && fscanf(f, "%llu %llu", &dev, &ino) != 2) dev = ino = 0;
    if (f) fclose(f);
    id->dev = dev;
    id->ino = ino;
}

int zs__journal_is_replaced(const char *out, const zs_file_id *replaced)
{
    struct stat st; /* lstat, as the identity was recorded: an OUT that is a link is the link */
    return replaced->ino && lstat(out, &st) == 0 && (uint64_t)st.st_dev == replaced->dev &&
           (uint64_t)st.st_ino == replaced->ino;
}

int zs__journal_out_finished(const char *out, const zs_file_id *replaced)
{
    struct stat st;
    return stat(out, &st) == 0 && !zs__journal_is_replaced(out, replaced);
}
