/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Shared by the kernel files: the parameters every neighbourhood kernel takes, and the
 * descriptors listed by registry.c. */
#ifndef ZS_KERNELS_INTERNAL_H
#define ZS_KERNELS_INTERNAL_H

#include <stddef.h>

#include "zs_internal.h"
#include "zslab_kernel.h"

/** First member of every neighbourhood kernel's parameter struct. */
typedef struct zs_knbhd {
    int mode[3]; /**< zs_border per axis x y z (kernels declared with ZS_NBHD_PARAMS_1MODE set mode[0]
                      only: zs__nbhd_one_mode copies it to the others) */
    double cval; /**< value outside the volume for mode=constant */
    int axes;    /**< ZS_AXES_XYZ or ZS_AXES_XY (each z-plane on its own) */
} zs_knbhd;

enum { ZS_AXES_XYZ = 0, ZS_AXES_XY = 1 };
extern const char *const zs__axes_names[]; /* "xyz", "xy", NULL */

#define ZS_NBHD_MODE_HELP                                                                                              \
    "boundary mode as scipy.ndimage: reflect, nearest, mirror, constant, wrap (grid-mirror, grid-constant, "           \
    "grid-wrap: the same as reflect, constant, wrap)"

/** The parameters cval and axes of zs_knbhd, for a struct whose member is `nb`. */
#define ZS_NBHD_CVAL_AXES(STRUCT)                                                                                      \
    {"cval",                                                                                                           \
     ZS_PARAM_FLOAT,                                                                                                   \
     offsetof(STRUCT, nb.cval),                                                                                        \
     -3.4e38,                                                                                                          \
     3.4e38,                                                                                                           \
     "0",                                                                                                              \
     "value outside the volume for mode=constant",                                                                     \
     NULL},                                                                                                            \
    {                                                                                                                  \
        "axes", ZS_PARAM_ENUM, offsetof(STRUCT, nb.axes), 0, 1, "xyz",                                                 \
            "xyz: 3-D filter; xy: filter each z-plane on its own (2-D)", zs__axes_names                                \
    }

/** The three parameter declarations of zs_knbhd (mode: one per axis, as scipy's separable filters
 *  take them), for a struct whose member is `nb`. */
#define ZS_NBHD_PARAMS(STRUCT)                                                                                         \
    {"mode",                                                                                                           \
     ZS_PARAM_MODE3,                                                                                                   \
     offsetof(STRUCT, nb.mode),                                                                                        \
     0,                                                                                                                \
     4,                                                                                                                \
     "reflect",                                                                                                        \
     ZS_NBHD_MODE_HELP "; one per axis x y z as reflect,nearest,wrap",                                                 \
     zs_border_names},                                                                                                 \
        ZS_NBHD_CVAL_AXES(STRUCT)

/** The same with one mode for all axes (kernels whose scipy filter refuses a list of modes, or
 *  reads one otherwise than per axis); `why` ends the mode's help and the refusal of a list. */
#define ZS_NBHD_PARAMS_1MODE(STRUCT, why)                                                                              \
    {"mode", ZS_PARAM_ENUM, offsetof(STRUCT, nb.mode), 0, 4, "reflect", ZS_NBHD_MODE_HELP "; " why, zs_border_names},  \
        ZS_NBHD_CVAL_AXES(STRUCT)

/** For kernels declared with ZS_NBHD_PARAMS_1MODE: their one mode, on every axis. */
static inline void zs__nbhd_one_mode(zs_knbhd *nb) { nb->mode[1] = nb->mode[2] = nb->mode[0]; }

/** The boundary part of a halo: cval, z mode and (ZS_KF_YMODE) y mode from nb. */
static inline void zs__nbhd_halo(const zs_knbhd *nb, zs_halo *h)
{
    h->zmode = (zs_border)nb->mode[2];
    h->ymode = (zs_border)nb->mode[1];
    h->cval = nb->cval;
}

/** The mode a scipy alias of a boundary mode stands for (grid-mirror -> reflect,
 *  grid-constant -> constant, grid-wrap -> wrap), or -1. Used by the parameter parser. */
int zs__border_alias(const char *name);

/** Fills a plane with `v` (for constant-mode taps outside the volume). */
static inline void zs__fill_plane(float *p, size_t n, float v)
{
    for (size_t i = 0; i < n; i++) p[i] = v;
}
static inline void zs__fill_plane_f64(double *p, size_t n, double v)
{
    for (size_t i = 0; i < n; i++) p[i] = v;
}

/* The registry's list (one descriptor per kernel, defined in its family's file). */
extern const zs_kernel_desc zs_kernel_gaussian, zs_kernel_dog, zs_kernel_log, zs_kernel_gradient_magnitude,
    zs_kernel_uniform, zs_kernel_minimum, zs_kernel_maximum, zs_kernel_median, zs_kernel_percentile,
    zs_kernel_white_tophat, zs_kernel_black_tophat, zs_kernel_opening, zs_kernel_closing, zs_kernel_scale,
    zs_kernel_clip, zs_kernel_threshold, zs_kernel_localmax;

/* ---- run-time registration (registry.c, plugin.c) ---- */
/** Registers count descriptors (all, or none on an error, whose message names the kernel and
 *  `origin`, e.g. "plugin PATH"). Thread-safe. */
zs_status zs__kernel_register_all(const zs_kernel_desc *const *ks, int count, const char *origin);
/** Checks a descriptor built outside the library (ABI, entries, parameter list). */
zs_status zs__kernel_desc_check(const zs_kernel_desc *k);
/** Loads the plugins ZS_PLUGINS names, once per process (a no-op after, and within the loading). */
void zs__plugins_env_load(void);
/** ZS_OK, or the first failure of that load again (its message recorded anew). */
zs_status zs__plugins_env_status(void);

#endif
