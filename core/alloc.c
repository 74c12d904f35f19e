/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Tracked, aligned allocation for big buffers (work planes, scratch).
 *
 * Each block is preceded by a 64-byte header holding its size and the address to free.
 * Blocks of 2 MiB and more (the work buffers: tens to hundreds of MiB per worker) are
 * aligned to 2 MiB and advised MADV_HUGEPAGE: transparent huge pages cut the page faults
 * of first touch by 512x and the TLB misses of the z and y passes, which stride whole
 * planes apart (measured on a 1024x1024x256 gaussian: 336k → 10k minor faults, system
 * time halved). Smaller blocks are 64-byte aligned. */
#include "zs_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ZS_ALIGN     64
#define ZS_HUGE_PAGE ((size_t)2 << 20)

typedef struct block_header {
    size_t size;
    void *base; /* what free() takes */
    unsigned char pad[ZS_ALIGN - sizeof(size_t) - sizeof(void *)];
} block_header;

static _Atomic uint64_t current_bytes;
static _Atomic uint64_t peak_bytes;

void *zs__alloc(size_t n)
{
    const int huge = n >= ZS_HUGE_PAGE;
    const size_t align = huge ? ZS_HUGE_PAGE : ZS_ALIGN;
    if (n > SIZE_MAX - 2 * align) return NULL;
    unsigned char *base = NULL;
    /* The header sits in the last 64 bytes of the leading alignment unit. */
    if (posix_memalign((void **)&base, align, n + align) != 0) return NULL;
    unsigned char *data = base + align;
    if (huge) (void)madvise(data, n, MADV_HUGEPAGE);
    block_header h = {n, base, {0}};
    memcpy(data - ZS_ALIGN, &h, sizeof h);
    uint64_t cur = atomic_fetch_add(&current_bytes, n) + n;
    uint64_t pk = atomic_load(&peak_bytes);
    while (cur > pk && !atomic_compare_exchange_weak(&peak_bytes, &pk, cur)) {}
    return data;
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
    block_header h;
    memcpy(&h, (unsigned char *)p - ZS_ALIGN, sizeof h);
    atomic_fetch_sub(&current_bytes, h.size);
    free(h.base);
}

uint64_t zs__alloc_current(void) { return atomic_load(&current_bytes); }
uint64_t zs__alloc_peak(void) { return atomic_load(&peak_bytes); }
