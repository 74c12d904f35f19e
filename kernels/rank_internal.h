/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Rank filters (rank.c) and their selection networks (rank_net.c): the geometry of a call,
 * the compiled programs, and how they are sized, built and run. */
#ifndef ZS_RANK_INTERNAL_H
#define ZS_RANK_INTERNAL_H

#include "minmax_internal.h"

enum {
    LANES = 128,      /* voxels per vector operation */
    NET_MAX_N = 8192, /* windows up to this many voxels use networks (~20^3) */
    OP_CX = 0,
    OP_MIN,
    OP_MAX,
    OP_COPY
};

typedef struct rk_ins {
    int32_t op, d0, d1, a, b; /* indices into the call's pointer table */
} rk_ins;

/* A compiled network. Table: [0,nin) inputs, [nin,nin+nout) outputs, then temporaries. */
typedef struct rk_prog {
    const rk_ins *ins;
    int32_t nins, nin, nout, ntab;
} rk_prog;

typedef struct rk_geom {
    int64_t s[3], lo[3]; /* box extent and lo per axis */
    int64_t m, n, rank;  /* column length sy*sz, window size, wanted rank */
    int64_t B;           /* outputs per stage-B lane (2, or 1 when sx = 1) */
} rk_geom;

typedef struct rk_plan {
    rk_geom g;
    rk_prog p0, pa, pb;
    const int32_t *zr, *kr; /* z-rank of each p0 output; column rank of each pa output */
    int32_t ntmp;           /* temporaries of the largest program */
} rk_plan;

typedef struct rk_sizes {
    int64_t c0, ca, cb, cmax, vmax, ninmax, nins;
    size_t off[9], ws; /* a, b, stk, need, last, loc, freel, ins, ranks */
    int network;
} rk_sizes;

/** Comparator counts and scratch offsets of the three networks of `g`; s->network is 0 when
 *  the window is too large for networks (then nothing else is set). */
void zs__rank_net_sizes(const rk_geom *g, rk_sizes *s);

/** Builds and compiles the three programs into ws (s->ws bytes); pointers in *pl point into ws.
 *  @return ZS_OK, or ZS_EINTERNAL when the sizing was wrong. */
zs_status zs__rank_net_build(rk_plan *pl, const rk_geom *g, const rk_sizes *s, unsigned char *ws);

/** Runs program p on w <= LANES lanes of the vectors tab[] points to (ZS_SIMD_CLONES). */
void zs__rank_net_run(const rk_prog *p, float *const *tab, int64_t w);
/** The same on doubles (float64 plans). */
void zs__rank_net_run_f64(const rk_prog *p, double *const *tab, int64_t w);

#endif
