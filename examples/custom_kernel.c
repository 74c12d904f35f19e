/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A kernel written outside the library, run in a pipeline through the public API.
 *
 *   custom_kernel IN OUT [SIZE [MODE [BAND]]]
 *
 * filters IN with `range`, the morphological gradient over a SIZE^3 box (the largest minus the
 * smallest value, scipy.ndimage.morphological_gradient(x, size=SIZE, mode=MODE)), then with the
 * library's gaussian:sigma=1, and writes float32 OUT (BAND: rows per tile, 0 = the planner's).
 * It shows the parts of the kernel ABI
 * (include/zslab_kernel.h):
 *   - a descriptor with typed parameters (parsed and checked by the library, as for --op);
 *   - halo(): what a call must be given around its output;
 *   - prepare()/release(): state built once per plan (here the x border map of the tile width);
 *   - run(): a tile of rows at volume row y0, planes by z; rows outside the volume are already
 *     filled by the executor with the stage's mode, so only z (zs_kcall_tap) and x
 *     (the prepared map) need the boundary; rows [row_lo, row_hi) must be right;
 *   - zs_kcall_error() for a message when something is wrong.
 * It is plain and slow (every voxel visits its whole box): a sketch of the ABI, not a fast
 * kernel. Build: cc -std=c11 custom_kernel.c $(pkg-config --cflags --libs zslab). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zslab.h>
#include <zslab_kernel.h>

typedef struct range_params {
    int64_t size;
    int mode; /* zs_border */
} range_params;

static const char *const modes[] = {"reflect", "nearest", "mirror", "constant", "wrap", NULL};

static const zs_param_desc range_param_list[] = {
    {"size", ZS_PARAM_INT, offsetof(range_params, size), 1, 31, "3", "box edge in voxels (odd)", NULL},
    {"mode", ZS_PARAM_ENUM, offsetof(range_params, mode), 0, 4, "reflect", "boundary mode, as scipy's", modes},
};

/* Cross-parameter checks, after each parameter was checked against its bounds. (scipy mirrors an
 * even box for the dilation half of the gradient; this sketch keeps to odd, centred boxes.) */
static zs_status range_validate(const void *params, char *msg, size_t msglen)
{
    const range_params *p = params;
    if (p->size % 2 == 0) {
        snprintf(msg, msglen, "size must be odd, got %lld", (long long)p->size);
        return ZS_EPARAM;
    }
    return ZS_OK;
}

/* scipy centres a box of size s at s/2: output i reads [i - s/2, i - s/2 + s - 1] */
static void range_halo(const void *params, zs_halo *h)
{
    const range_params *p = params;
    for (int a = 0; a < 3; a++) {
        h->lo[a] = p->size / 2;
        h->hi[a] = p->size - 1 - p->size / 2;
    }
    h->zmode = (zs_border)p->mode;
    h->cval = 0.0;
}

/* Per-stage state: where each extended x position reads, for the plan's tile width. */
typedef struct range_state {
    int64_t nx, lo;
    int64_t *xmap; /* lo + nx + hi entries; -1: outside in constant mode (reads 0) */
} range_state;

static zs_status range_prepare(const void *params, const zs_kernel_geom *g, void **state)
{
    const range_params *p = params;
    range_state *s = calloc(1, sizeof *s);
    if (!s) return zs_kcall_error(ZS_ENOMEM, "range: out of memory");
    s->nx = g->nx;
    s->lo = p->size / 2;
    s->xmap = malloc(sizeof *s->xmap * (size_t)(g->nx + p->size));
    if (!s->xmap) {
        free(s);
        return zs_kcall_error(ZS_ENOMEM, "range: out of memory for a map of %lld columns", (long long)g->nx);
    }
    for (int64_t i = 0; i < g->nx + p->size - 1; i++)
        s->xmap[i] = zs_border_index(i - s->lo, g->nx, (zs_border)p->mode);
    *state = s;
    return ZS_OK;
}

static void range_release(void *state)
{
    range_state *s = state;
    free(s->xmap);
    free(s);
}

static zs_status range_run(const zs_kernel_call *c)
{
    const range_params *p = c->params;
    const range_state *s = c->state;
    const int64_t n = p->size, lo = n / 2, nx = c->nx;
    if (!s || s->nx != nx) return zs_kcall_error(ZS_EINTERNAL, "range: prepared for another tile width");
    for (int64_t j = 0; j < c->n_out; j++) {
        for (int64_t y = c->row_lo; y < c->row_hi; y++) {
            float *out = c->out[j] + y * nx;
            for (int64_t x = 0; x < nx; x++) {
                float mn = 0.0f, mx = 0.0f;
                int first = 1;
                for (int64_t dz = -lo; dz < n - lo; dz++) {
                    static const float zero = 0.0f;
                    /* a plane of the z-neighbourhood (NULL outside the volume in constant mode) */
                    const float *plane = zs_kcall_tap(c, j, dz, (zs_border)p->mode, NULL);
                    for (int64_t dy = -lo; dy < n - lo; dy++)
                        for (int64_t dx = -lo; dx < n - lo; dx++) {
                            const int64_t xi = s->xmap[x + dx + lo];
                            const float v = plane && xi >= 0 ? plane[(y + dy) * nx + xi] : zero;
                            if (first || v < mn) mn = v;
                            if (first || v > mx) mx = v;
                            first = 0;
                        }
                }
                out[x] = mx - mn;
            }
        }
    }
    return ZS_OK;
}

static const zs_kernel_desc range_kernel = {
    ZS_KERNEL_ABI,
    "range",
    "largest minus smallest value over a box (scipy.ndimage.morphological_gradient)",
    1,
    range_param_list,
    (int)(sizeof range_param_list / sizeof range_param_list[0]),
    sizeof(range_params),
    ZS_KF_DETERMINISTIC,
    range_validate,
    range_halo,
    NULL,
    range_run,
    range_prepare,
    range_release,
    NULL, /* run_f64: this kernel works in float32 only, so its plans do */
};

static int fail(const char *what, zs_status st)
{
    fprintf(stderr, "custom_kernel: %s: %s\n", what, *zs_last_error() ? zs_last_error() : zs_strerror(st));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 6) {
        fprintf(stderr, "usage: custom_kernel IN OUT [SIZE [MODE [BAND]]]\n");
        return 2;
    }
    char params[128];
    snprintf(params, sizeof params, "size=%s:mode=%s", argc > 3 ? argv[3] : "3", argc > 4 ? argv[4] : "reflect");
    zs_volume *in = NULL, *out = NULL;
    zs_pipeline *pipe = NULL;
    zs_plan *plan = NULL;
    zs_status st = zs_volume_open(argv[1], NULL, &in);
    if (st) return fail("open", st);
    if ((st = zs_pipeline_new(&pipe)) || (st = zs_pipeline_add_kernel(pipe, &range_kernel, params)) ||
        (st = zs_pipeline_add(pipe, "gaussian:sigma=1")))
        return fail("pipeline", st);
    zs_plan_opts po;
    zs_plan_opts_init(&po);
    po.out_dtype.type = ZS_F32;
    po.has_out_dtype = 1;
    po.band = argc > 5 ? strtoll(argv[5], NULL, 10) : 0;
    if ((st = zs_plan_create(zs_volume_get_info(in), pipe, &po, &plan))) return fail("plan", st);
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    zs_plan_output_spec(plan, &spec);
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.force = 1;
    if ((st = zs_volume_create(argv[2], &spec, &co, &out))) return fail("create", st);
    if ((st = zs_plan_execute(plan, in, out, NULL, NULL)) || (st = zs_volume_commit(out))) return fail("run", st);
    printf("custom_kernel: %s -> %s: range:%s | gaussian:sigma=1, bands of %lld rows\n", argv[1], argv[2], params,
           (long long)zs_plan_band_height(plan));
    zs_volume_free(out);
    zs_plan_free(plan);
    zs_pipeline_free(pipe);
    zs_volume_free(in);
    return 0;
}
