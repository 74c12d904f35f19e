/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Grey morphology with a flat box, as scipy.ndimage: opening, closing, white and black
 * top-hats.
 *
 * scipy composes two filters and extends the input of EACH with the mode:
 *   grey_erosion  = minimum over the box placed as minimum_filter (lo = s//2, hi = s-1-s//2);
 *   grey_dilation = maximum over the box MIRRORED (scipy reverses the footprint and shifts
 *                   the origin by one for even sizes): lo = s-1-s//2, hi = s//2;
 *   opening = dilation(erosion(x)), closing = erosion(dilation(x)),
 *   white_tophat = x - opening(x), black_tophat = closing(x) - x (in the work type: float32 as numpy
 *   computes a float32 array, float64 exact for integers up to 2^53).
 * One call runs both steps, on chunks of output planes: the first writes the planes
 * T = expand(chunk, second step's z-window) into scratch, the second reads them as its
 * input (planes of T outside the volume are cval for mode=constant, which is exactly scipy
 * extending the first step's result). The declared halo is 2*(s//2) on both sides, not s-1: near the volume's ends
 * the second step reads the first step's output at a reflected plane, whose own window
 * reaches further. E.g. opening, size 2, mode=mirror: output plane nz-1 reads the
 * erosion at plane nz, mirrored to nz-2, which reads input plane nz-3, although s-1 = 1.
 * Every composite offset is a sum or difference of two offsets of at most s//2, so
 * 2*(s//2) covers all modes. */
#include "minmax_internal.h"

typedef enum morph_op { M_OPENING, M_CLOSING, M_WHITE, M_BLACK } morph_op;

static const zs_param_desc morph_params[] = {ZS_BOX_SIZE_PARAM(zs_kbox), ZS_NBHD_PARAMS(zs_kbox)};

static void morph_halo(const void *params, zs_halo *h)
{
    const zs_kbox *p = params;
    for (int a = 0; a < 3; a++) {
        int64_t s = (a == 2 && p->nb.axes == ZS_AXES_XY) || p->size[a] < 1 ? 1 : p->size[a];
        h->lo[a] = h->hi[a] = 2 * (s / 2);
    }
    zs__nbhd_halo(&p->nb, h);
}

/* Output planes per chunk. The first step recomputes the s-1 planes where neighbouring
 * chunks' T overlap, so a chunk is several windows tall: about 1/8 extra work in the
 * first step, and T needs chunk+s-1 planes of scratch instead of a whole slab's. */
static int64_t chunk_planes(const zs_box *b)
{
    int64_t span = b->lo[2] + b->hi[2];
    return 8 * span > 32 ? 8 * span : 32;
}

/* Scratch: T's plane list, T's planes (at most `cap`, of es-byte elements), then the min/max
 * engine's own. */
static size_t morph_layout(const zs_kbox *p, int64_t nx, int64_t ny, int64_t nplanes, size_t es, int64_t *cap,
                           size_t *tp, size_t *mm)
{
    zs_box b;
    zs__box_window(p, 0, &b);
    *cap = chunk_planes(&b) + b.lo[2] + b.hi[2];
    if (*cap > nplanes) *cap = nplanes > 0 ? nplanes : 1;
    *tp = zs__align64(sizeof(int64_t) * (size_t)*cap) + zs__align64(sizeof(float *) * (size_t)*cap);
    *mm =
        zs__sat_add(*tp, zs__align64(zs__sat_mul(zs__sat_mul(es, (size_t)*cap), zs__sat_mul((size_t)nx, (size_t)ny))));
    return zs__sat_add(*mm, es == sizeof(double) ? zs__minmax_scratch_f64(&b, nx, ny, *cap)
                                                 : zs__minmax_scratch(&b, nx, ny, *cap));
}

static size_t morph_scratch(const void *params, int64_t nx, int64_t ny, int64_t max_in)
{
    int64_t cap;
    size_t tp, mm;
    return morph_layout(params, nx, ny, max_in, sizeof(float), &cap, &tp, &mm);
}

/* x - o (white) or o - x (black), in place in o: one body per work type. */
#define DEFINE_SUBTRACT(NAME, T, PLANE)                                                                                \
    static zs_status NAME(const zs_kernel_call *c, morph_op op)                                                        \
    {                                                                                                                  \
        const size_t plane = (size_t)(c->nx * c->ny);                                                                  \
        for (int64_t j = 0; j < c->n_out; j++) {                                                                       \
            const T *x = PLANE(c, c->out_z[j]);                                                                        \
            T *o = (T *)(void *)c->out[j];                                                                             \
            ZS_RETURN_IF(!x, ZS_EINTERNAL, "morphology: input plane %lld missing", (long long)c->out_z[j]);            \
            if (op == M_WHITE)                                                                                         \
                for (size_t i = 0; i < plane; i++) o[i] = x[i] - o[i];                                                 \
            else                                                                                                       \
                for (size_t i = 0; i < plane; i++) o[i] = o[i] - x[i];                                                 \
        }                                                                                                              \
        return ZS_OK;                                                                                                  \
    }
DEFINE_SUBTRACT(morph_subtract, float, zs_kcall_plane)
DEFINE_SUBTRACT(morph_subtract_f64, double, zs_kcall_plane_f64)

/* One step of the composition in the call's work type. */
static zs_status morph_step(const zs_kernel_call *c, const zs_box *b, int is_max, const zs_border mode[3], double cval,
                            void *scratch, size_t bytes, int has_nan, int f64)
{
    if (f64) return zs__minmax_apply_f64(c, b, is_max, mode, cval, scratch, bytes, has_nan);
    return zs__minmax_apply(c, b, is_max, mode, (float)cval, scratch, bytes, has_nan);
}

static zs_status morph_run(const zs_kernel_call *c, morph_op op, int f64)
{
    const zs_kbox *p = c->params;
    const zs_border mode[3] = {(zs_border)p->nb.mode[0], (zs_border)p->nb.mode[1], (zs_border)p->nb.mode[2]};
    const double cval = f64 ? p->nb.cval : (double)(float)p->nb.cval;
    const size_t es = f64 ? sizeof(double) : sizeof(float);
    int64_t cap;
    size_t tp_off, mm_off;
    const size_t need = morph_layout(p, c->nx, c->ny, c->n_in, es, &cap, &tp_off, &mm_off);
    ZS_RETURN_IF(!c->scratch || c->scratch_bytes < need, ZS_EINTERNAL, "morphology: scratch of %zu bytes, %zu needed",
                 c->scratch_bytes, need);
    unsigned char *s = c->scratch;
    int64_t *tz = c->scratch;
    unsigned char *tplanes = zs__at(s, tp_off);
    float **tptr = zs__at(s, zs__align64(sizeof(int64_t) * (size_t)cap)); /* T's planes, one pointer each */
    const size_t mm_bytes = c->scratch_bytes - mm_off, plane = (size_t)(c->nx * c->ny) * es;
    const int erode_first = op == M_OPENING || op == M_WHITE;
    zs_box first, second;
    zs__box_window(p, !erode_first, &first);
    zs__box_window(p, erode_first, &second);
    /* the NaN rule at each step: without NaN in the input, T has none either (one scan) */
    const int has_nan = f64 ? zs__call_has_nan_f64(c) : zs__call_has_nan(c);
    /* Chunks of output planes; one whose T does not fit (out_z not consecutive) is halved. */
    for (int64_t j0 = 0, nj = chunk_planes(&first); j0 < c->n_out; j0 += nj, nj = chunk_planes(&first)) {
        if (nj > c->n_out - j0) nj = c->n_out - j0;
        int64_t nt;
        while ((nt = zs_zset_expand(c->out_z + j0, nj, second.lo[2], second.hi[2], c->nz, mode[2], tz, cap)) < 0 &&
               nj > 1)
            nj /= 2;
        ZS_RETURN_IF(nt < 0, ZS_EINTERNAL, "morphology: the planes under one output plane exceed %lld", (long long)cap);
        zs_kernel_call step = *c;
        for (int64_t t = 0; t < nt; t++) tptr[t] = (float *)(void *)(tplanes + (size_t)t * plane);
        step.out = tptr;
        step.n_out = nt;
        step.out_z = tz;
        step.row_lo = 0; /* T on every row: the second step reads around the rows it must get right */
        step.row_hi = c->ny;
        ZS_FORWARD(morph_step(&step, &first, !erode_first, mode, cval, s + mm_off, mm_bytes, has_nan, f64));
        /* the second step extends T itself at the volume's edges in y, as scipy does */
        for (int64_t t = 0; t < nt && (c->y0 < 0 || c->y0 + c->ny > c->ny_vol); t++) {
            if (f64)
                zs_kcall_extend_rows_f64(c, (double *)(void *)tptr[t], mode[1], cval);
            else
                zs_kcall_extend_rows(c, tptr[t], mode[1], (float)cval);
        }
        step = *c;
        step.in = (const float *const *)tptr;
        step.n_in = nt;
        step.in_z = tz;
        step.out = c->out + j0;
        step.n_out = nj;
        step.out_z = c->out_z + j0;
        ZS_FORWARD(morph_step(&step, &second, erode_first, mode, cval, s + mm_off, mm_bytes, has_nan, f64));
    }
    if (op == M_OPENING || op == M_CLOSING) return ZS_OK;
    return f64 ? morph_subtract_f64(c, op) : morph_subtract(c, op);
}

static zs_status opening_run(const zs_kernel_call *c) { return morph_run(c, M_OPENING, 0); }
static zs_status closing_run(const zs_kernel_call *c) { return morph_run(c, M_CLOSING, 0); }
static zs_status white_run(const zs_kernel_call *c) { return morph_run(c, M_WHITE, 0); }
static zs_status black_run(const zs_kernel_call *c) { return morph_run(c, M_BLACK, 0); }
static zs_status opening_run_f64(const zs_kernel_call *c) { return morph_run(c, M_OPENING, 1); }
static zs_status closing_run_f64(const zs_kernel_call *c) { return morph_run(c, M_CLOSING, 1); }
static zs_status white_run_f64(const zs_kernel_call *c) { return morph_run(c, M_WHITE, 1); }
static zs_status black_run_f64(const zs_kernel_call *c) { return morph_run(c, M_BLACK, 1); }

#define MORPH_DESC(VAR, NAME, SUMMARY, RUN)                                                                            \
    const zs_kernel_desc VAR = {.abi = ZS_KERNEL_ABI,                                                                  \
                                .name = NAME,                                                                          \
                                .summary = SUMMARY,                                                                    \
                                .version = 1,                                                                          \
                                .params = morph_params,                                                                \
                                .nparams = (int)(sizeof morph_params / sizeof morph_params[0]),                        \
                                .params_size = sizeof(zs_kbox),                                                        \
                                .flags = ZS_KF_DETERMINISTIC | ZS_KF_YMODE,                                            \
                                .halo = morph_halo,                                                                    \
                                .scratch_bytes = morph_scratch,                                                        \
                                .run = RUN,                                                                            \
                                .run_f64 = RUN##_f64}

MORPH_DESC(zs_kernel_opening, "opening", "grey opening with a flat box (scipy.ndimage.grey_opening)", opening_run);
MORPH_DESC(zs_kernel_closing, "closing", "grey closing with a flat box (scipy.ndimage.grey_closing)", closing_run);
MORPH_DESC(zs_kernel_white_tophat, "white_tophat", "x - opening(x) with a flat box (scipy.ndimage.white_tophat)",
           white_run);
MORPH_DESC(zs_kernel_black_tophat, "black_tophat", "closing(x) - x with a flat box (scipy.ndimage.black_tophat)",
           black_run);
