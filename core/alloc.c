/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Tracked, 64-byte aligned allocation for big buffers (work planes, scratch). */
#include "zs_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A 64-byte prefix before each block records its size, so zs__free can account for it. */
#define ZS_ALIGN 64

static _Atomic uint64_t current_bytes;
static _Atomic uint64_t peak_bytes;

void *zs__alloc(size_t n)
{
    if (n > SIZE_MAX - ZS_ALIGN) return NULL;
    unsigned char *p = NULL;
    if (posix_memalign((void **)&p, ZS_ALIGN, n + ZS_ALIGN) != 0) return NULL;
    memcpy(p, &n, sizeof n);
    uint64_t cur = atomic_fetch_add(&current_bytes, n) + n;
    uint64_t pk = atomic_load(&peak_bytes);
    while (cur > pk && !atomic_compare_exchange_weak(&peak_bytes, &pk, cur)) {}
    return p + ZS_ALIGN;
}

void *zs__calloc(size_t n)
{
    void *p = zs__alloc(n);
    if (p) memset(p, 0, n);
    return p;
}

void zs__free(void *p)
{
    if (!p) return;
    unsigned char *b = (unsigned char *)p - ZS_ALIGN;
    size_t n;
    memcpy(&n, b, sizeof n);
    atomic_fetch_sub(&current_bytes, n);
    free(b);
}

uint64_t zs__alloc_current(void) { return atomic_load(&current_bytes); }
uint64_t zs__alloc_peak(void) { return atomic_load(&peak_bytes); }
