/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A main() for the fuzz entry points when libFuzzer is not used: runs
 * LLVMFuzzerTestOneInput over every file under the directories (or files) given, then over
 * deterministic mutations of each (bit flips, interesting values, truncations, insertions,
 * deletions), each in a buffer of exactly its size so that ASan sees any overread.
 *
 *   fuzz_npy DIR... [--mutations N] [--seed S]      (env ZS_FUZZ_MUTATIONS also sets N)
 *
 * Mutations of a file depend only on its name and the seed, never on the traversal order. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)

typedef struct runner {
    unsigned long mutations;
    uint64_t seed;
    unsigned long files, inputs;
} runner;

static uint64_t next(uint64_t *s)
{
    /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t hash_name(const char *s, uint64_t seed)
{
    uint64_t h = 1469598103934665603ull ^ seed;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ? h : 1;
}

static void feed(runner *r, const unsigned char *data, size_t n)
{
    unsigned char *copy = malloc(n ? n : 1); /* exactly n bytes: overreads are caught */
    if (!copy) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    if (n) memcpy(copy, data, n);
    LLVMFuzzerTestOneInput(copy, n);
    free(copy);
    r->inputs++;
}

/* Writes an interesting value of 1, 2, 4 or 8 bytes at a random place in b[0..n). */
static void put_interesting(unsigned char *b, size_t n, uint64_t *s)
{
    static const uint64_t values[] = {0,
                                      1,
                                      0x7f,
                                      0x80,
                                      0xff,
                                      0x7fff,
                                      0x8000,
                                      0xffff,
                                      348,
                                      540,
                                      352,
                                      544,
                                      0x5c010000,
                                      0x1c020000,
                                      0x7fffffff,
                                      0x80000000,
                                      0xffffffff,
                                      0x7fffffffffffffffull,
                                      0x8000000000000000ull,
                                      0xffffffffffffffffull,
                                      0x7f800000 /* +inf */,
                                      0x7fc00000 /* NaN */,
                                      0x3f800000 /* 1.0f */};
    static const char chars[] = "(),:{}'\"0123456789 \nL_-TrueFals<>|=ufic";
    const size_t width = (size_t)1 << (next(s) % 4);
    if (n < width) return;
    size_t at = (size_t)(next(s) % (n - width + 1));
    if (next(s) % 3 == 0) {
        b[at] = (unsigned char)chars[next(s) % (sizeof chars - 1)];
        return;
    }
    uint64_t v = values[next(s) % (sizeof values / sizeof values[0])];
    for (size_t i = 0; i < width; i++) b[at + i] = (unsigned char)(v >> (8 * (next(s) & 1 ? width - 1 - i : i)));
}

/* One mutation of src into dst (capacity n + 16); returns the new length. */
static size_t mutate(const unsigned char *src, size_t n, unsigned char *dst, uint64_t *s)
{
    memcpy(dst, src, n);
    /* Headers are at the front: aim most changes at the first 1 KiB. */
    const size_t span = n < 1024 ? n : (next(s) % 4 ? 1024 : n);
    switch (next(s) % 6) {
    case 0: /* flip 1 to 4 bits */
        for (int k = (int)(next(s) % 4); k >= 0 && span; k--)
            dst[next(s) % span] ^= (unsigned char)(1u << (next(s) % 8));
        return n;
    case 1: /* interesting values */
        for (int k = (int)(next(s) % 3); k >= 0; k--) put_interesting(dst, span, s);
        return n;
    case 2: /* truncate */
        return n ? (size_t)(next(s) % n) : 0;
    case 3: { /* insert up to 16 bytes copied from elsewhere */
        size_t at = (size_t)(next(s) % (span + 1)), k = 1 + (size_t)(next(s) % 16);
        memmove(dst + at + k, dst + at, n - at);
        for (size_t i = 0; i < k; i++) dst[at + i] = n ? src[next(s) % n] : 0;
        return n + k;
    }
    case 4: { /* delete up to 16 bytes */
        if (!span) return n;
        size_t at = (size_t)(next(s) % span), k = 1 + (size_t)(next(s) % 16);
        if (k > n - at) k = n - at;
        memmove(dst + at, dst + at + k, n - at - k);
        return n - k;
    }
    default: /* random byte */
        if (span) dst[next(s) % span] = (unsigned char)next(s);
        return n;
    }
}

static void run_file(runner *r, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    unsigned char *data = malloc(FUZZ_MAX_INPUT), *mut = malloc(FUZZ_MAX_INPUT + 16);
    if (!data || !mut) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    size_t n = fread(data, 1, FUZZ_MAX_INPUT, f);
    fclose(f);
    feed(r, data, n);
    const char *base = strrchr(path, '/');
    uint64_t s = hash_name(base ? base + 1 : path, r->seed);
    for (unsigned long i = 0; i < r->mutations; i++) {
        size_t m = mutate(data, n, mut, &s);
        feed(r, mut, m);
    }
    free(data);
    free(mut);
    r->files++;
}

static void run_path(runner *r, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(1);
    }
    if (S_ISREG(st.st_mode)) {
        run_file(r, path);
        return;
    }
    if (!S_ISDIR(st.st_mode)) return;
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        exit(1);
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *child = malloc(len);
        if (!child) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        snprintf(child, len, "%s/%s", path, e->d_name);
        run_path(r, child);
        free(child);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    runner r = {2000, 1, 0, 0};
    const char *env = getenv("ZS_FUZZ_MUTATIONS");
    if (env && *env) r.mutations = strtoul(env, NULL, 10);
    int paths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mutations") == 0 && i + 1 < argc)
            r.mutations = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            r.seed = strtoull(argv[++i], NULL, 10);
        else
            paths++;
    }
    if (!paths) {
        fprintf(stderr, "usage: %s DIR_OR_FILE... [--mutations N] [--seed S]\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mutations") == 0 || strcmp(argv[i], "--seed") == 0) {
            i++;
            continue;
        }
        run_path(&r, argv[i]);
    }
    printf("%s: %lu inputs from %lu files (%lu mutations each, seed %llu): no failure\n", argv[0], r.inputs, r.files,
           r.mutations, (unsigned long long)r.seed);
    if (r.files == 0) {
        fprintf(stderr, "%s: no input files found\n", argv[0]);
        return 1;
    }
    return 0;
}
