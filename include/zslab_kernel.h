/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/** @file zslab_kernel.h
 * @brief The kernel-author ABI: how a filter stage is declared and called.
 *
 * A kernel is declared once, as a `const zs_kernel_desc`, and listed in kernels/registry.c.
 * The CLI's parsing, help and `zslab list` come from the declaration.
 *
 * ## How a kernel sees its data
 * Work happens in float32. A call hands the kernel a set of whole input z-planes (each
 * nx*ny floats, x fastest) and asks for a set of whole output z-planes. Planes are named by
 * their z in the volume (`in_z[]`, `out_z[]`, strictly increasing). The scheduler
 * guarantees that every plane the kernel's neighbourhood needs — out_z[j]+d for d in
 * [-halo.lo[2], halo.hi[2]], mapped into [0,nz) by the z boundary mode — is among in_z,
 * except for mode=constant outside the volume. So a kernel extends its own input in z with
 * its own mode (zs_kcall_tap), and in x and y (whole planes are present) with
 * zs_border_index / zs_border_extend_row. `--op a --op b` therefore equals b(a(volume)).
 */
#ifndef ZSLAB_KERNEL_H
#define ZSLAB_KERNEL_H

#include "zslab.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZS_KERNEL_ABI 1

/** Boundary modes, with scipy.ndimage's names and meanings. */
typedef enum zs_border {
    ZS_BORDER_REFLECT = 0, /**< d c b a | a b c d | d c b a (scipy default) */
    ZS_BORDER_NEAREST,     /**< a a a a | a b c d | d d d d */
    ZS_BORDER_MIRROR,      /**< d c b | a b c d | c b a */
    ZS_BORDER_CONSTANT,    /**< k k k k | a b c d | k k k k */
    ZS_BORDER_WRAP         /**< a b c d | a b c d | a b c d */
} zs_border;

/** Names of the modes, indexed by zs_border; NULL-terminated. */
ZS_API extern const char *const zs_border_names[];

/** Maps index i (any integer) into [0,n) by `mode`, the way scipy extends a line,
 *  including kernels longer than the line. @return -1 for ZS_BORDER_CONSTANT outside. */
ZS_API int64_t zs_border_index(int64_t i, int64_t n, zs_border mode);

/** Copies row src[0..n) to dst[lo .. lo+n) and fills dst[0..lo) and dst[lo+n .. lo+n+hi)
 *  by `mode` (cval for constant). dst holds lo+n+hi floats and must not overlap src. */
ZS_API void zs_border_extend_row(const float *src, int64_t n, int64_t lo, int64_t hi, zs_border mode, float cval,
                                 float *dst);

typedef enum zs_param_type {
    ZS_PARAM_INT,    /**< int64_t */
    ZS_PARAM_FLOAT,  /**< double */
    ZS_PARAM_FLOAT3, /**< double[3], x y z; written "2" or "1x1x3"; physical units allowed */
    ZS_PARAM_INT3,   /**< int64_t[3], x y z; written "5" or "3x5x2"; physical units allowed */
    ZS_PARAM_ENUM,   /**< int, index into `choices` */
    ZS_PARAM_BOOL    /**< int 0/1; written 0/1/true/false */
} zs_param_type;

typedef struct zs_param_desc {
    const char *name;
    zs_param_type type;
    size_t offset;   /**< offsetof() in the kernel's parameter struct */
    double min, max; /**< inclusive bounds (per component for *3) */
    const char *def; /**< default, as it would be written on the command line */
    const char *help;
    const char *const *choices; /**< ZS_PARAM_ENUM: NULL-terminated names */
} zs_param_desc;

/** Neighbourhood of a kernel: output (x,y,z) reads input [x-lo[0], x+hi[0]] etc. */
typedef struct zs_halo {
    int64_t lo[3], hi[3];
    zs_border zmode; /**< how the kernel extends its input past the first/last plane */
} zs_halo;

/** One call of a kernel over a set of planes. Plain data; set by the scheduler. */
typedef struct zs_kernel_call {
    const void *params; /**< the kernel's parameter struct, validated */
    int64_t nx, ny;     /**< plane size */
    int64_t nz;         /**< planes in the whole volume */
    const float *in;    /**< n_in planes, slot-major: slot s at in + s*nx*ny */
    int64_t n_in;
    const int64_t *in_z; /**< volume z of each input slot, strictly increasing */
    float *out;          /**< n_out planes to write, slot-major */
    int64_t n_out;
    const int64_t *out_z; /**< volume z of each output slot, strictly increasing */
    void *scratch;        /**< scratch_bytes() bytes, 64-byte aligned (owner: worker) */
    size_t scratch_bytes;
} zs_kernel_call;

/** @return the input plane holding volume plane z, or NULL if it is not among in_z. */
ZS_API const float *zs_kcall_plane(const zs_kernel_call *c, int64_t z);

/** @return the input plane seen at out_z[out_slot] + dz once the input is extended by
 *  `mode`; for constant mode outside the volume, `const_plane` (a plane filled with cval).
 *  Never NULL when the scheduler's guarantee holds and const_plane is given. */
ZS_API const float *zs_kcall_tap(const zs_kernel_call *c, int64_t out_slot, int64_t dz, zs_border mode,
                                 const float *const_plane);

/** The set of planes {map(z+d) : z in zs[0..n), -lo <= d <= hi} (constant-mode planes
 *  outside the volume left out), sorted, unique, into out (capacity cap: nz always
 *  suffices, n + lo + hi when zs is contiguous). No allocation; usable inside run().
 *  @return the count, or ZS_EOVERFLOW if cap is too small. */
ZS_API int64_t zs_zset_expand(const int64_t *zs, int64_t n, int64_t lo, int64_t hi, int64_t nz, zs_border mode,
                              int64_t *out, int64_t cap);

enum zs_kernel_flags {
    ZS_KF_SEPARABLE = 1u << 0,     /**< runs as 1-D passes */
    ZS_KF_INPLACE_OK = 1u << 1,    /**< out may alias in (pointwise kernels) */
    ZS_KF_DETERMINISTIC = 1u << 2, /**< bitwise identical whatever the slab/threads */
    ZS_KF_POINTWISE = 1u << 3      /**< halo 0 in every axis */
};

typedef struct zs_kernel_desc {
    int abi;             /**< ZS_KERNEL_ABI */
    const char *name;    /**< scipy's name where scipy has one ("gaussian") */
    const char *summary; /**< one line for `zslab list` */
    int version;         /**< bumped on an incompatible change of results */
    const zs_param_desc *params;
    int nparams;
    size_t params_size; /**< sizeof the parameter struct */
    unsigned flags;
    /** Cross-parameter checks after each parameter was checked against its bounds.
     *  May be NULL. Writes a message (name the parameter) and returns ZS_EPARAM. */
    zs_status (*validate)(const void *params, char *msg, size_t msglen);
    /** Halo per axis as a function of the parameters. */
    void (*halo)(const void *params, zs_halo *out);
    /** Scratch one call needs, for planes of nx*ny and at most max_in input planes. */
    size_t (*scratch_bytes)(const void *params, int64_t nx, int64_t ny, int64_t max_in);
    /** Reentrant: many workers call it at once, each with its own scratch. */
    zs_status (*run)(const zs_kernel_call *call);
} zs_kernel_desc;

/** Registry (kernels/registry.c): @return the number of kernels. */
ZS_API int zs_kernel_count(void);
/** @return kernel i (static), or NULL when out of range. */
ZS_API const zs_kernel_desc *zs_kernel_get(int i);
/** @return the kernel with this name (static), or NULL. */
ZS_API const zs_kernel_desc *zs_kernel_find(const char *name);
/** Bounds of a parameter (ZSTD_cParam_getBounds style). */
ZS_API zs_status zs_kernel_param_bounds(const zs_kernel_desc *k, const char *param, double *min, double *max);

#ifdef __cplusplus
}
#endif
#endif /* ZSLAB_KERNEL_H */
