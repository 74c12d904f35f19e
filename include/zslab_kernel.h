/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/** @file zslab_kernel.h
 * @brief The kernel-author ABI (version 3): how a filter stage is declared and called.
 *
 * A kernel is declared once, as a `const zs_kernel_desc`. The library's own kernels are listed
 * in kernels/registry.c; a C program adds its own to a pipeline with zs_pipeline_add_kernel()
 * (include/zslab.h), or registers it for the whole process with zs_kernel_register() or from a
 * plugin (zs_plugin_load(), ZS_PLUGINS; see below). Parsing, help and `zslab list` come from the
 * declaration.
 *
 * ## The work type: float32, or float64
 * A plan works in float32 (the default) or float64 (zs_plan_opts.precision). run() is the float32
 * entry: its planes hold floats. A kernel that also declares run_f64 (ABI 3) can run in a float64
 * plan: the call is the same struct, but every plane (`in[s]`, `out[j]`, the helpers' results)
 * holds doubles; read them with zs_kcall_in_f64 / zs_kcall_out_f64 and the *_f64 helpers. In a
 * float64 plan the scratch a call gets is twice scratch_bytes() (so a layout written for floats
 * fits when its floats become doubles). A stage without run_f64 (or an ABI-2 descriptor) keeps a
 * plan in float32.
 *
 * ## How a kernel sees its data: tiles
 * A call hands the kernel a *tile*: planes of `nx` x `ny` work elements (x
 * fastest; every row is all of x), where the tile's row 0 is row `y0` of the volume. Input
 * planes are named by their z in the volume (`in_z[]`, strictly increasing), output planes
 * likewise (`out_z[]`); `in[s]` and `out[j]` point at each plane (planes are not contiguous:
 * they live in the executor's per-stage rings).
 *
 * - **z**: every plane the neighbourhood of an output plane needs — out_z[j]+d for d in
 *   [-halo.lo[2], halo.hi[2]], mapped into [0,nz) by the z boundary mode — is among in_z,
 *   except for mode=constant outside the volume. A kernel extends its input in z with its own
 *   mode (zs_kcall_tap).
 * - **y**: the input tile already holds every row an output row needs. Rows of the tile
 *   outside the volume (y0 + r < 0 or >= ny_vol) were filled by the executor with the stage's
 *   boundary mode in y (halo.ymode with ZS_KF_YMODE, else halo.zmode). Output rows [row_lo, row_hi) must be right; they
 * read input rows [r - halo.lo[1], r + halo.hi[1]], all inside the tile. Rows outside [row_lo, row_hi) may be left with
 * anything, so a kernel written for whole planes (extending at ny itself) is correct on a tile as it is.
 * - **x**: rows are whole; a kernel extends them in x with zs_border_extend_row.
 *
 * So `--op a --op b` equals b(a(volume)) whatever the tile, slab or thread count, provided a
 * kernel's arithmetic for one output voxel does not depend on where the tile starts
 * (ZS_KF_DETERMINISTIC).
 *
 * ## How these structs grow
 * They carry no struct_size: ZS_KERNEL_ABI is their version. A new ABI only appends fields (to
 * zs_kernel_desc, zs_kernel_call, zs_kernel_geom, zs_halo; zs_param_desc, kept in arrays, does
 * not change) and bumps ZS_KERNEL_ABI. The library reads a descriptor's fields only as far as its
 * `abi` says, fills the structs it hands a kernel completely, and refuses a descriptor whose abi
 * is newer than its own or older than ZS_KERNEL_ABI_MIN; a kernel reads only the fields of the
 * ABI it declares.
 */
#ifndef ZSLAB_KERNEL_H
#define ZSLAB_KERNEL_H

#include "zslab.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZS_KERNEL_ABI 3
/** The oldest ABI a pipeline accepts (descriptors without run_f64). */
#define ZS_KERNEL_ABI_MIN 2

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
/** zs_border_extend_row on doubles (float64 plans). */
ZS_API void zs_border_extend_row_f64(const double *src, int64_t n, int64_t lo, int64_t hi, zs_border mode, double cval,
                                     double *dst);

typedef enum zs_param_type {
    ZS_PARAM_INT,    /**< int64_t */
    ZS_PARAM_FLOAT,  /**< double */
    ZS_PARAM_FLOAT3, /**< double[3], x y z; written "2" or "1x1x3"; physical units allowed */
    ZS_PARAM_INT3,   /**< int64_t[3], x y z; written "5" or "3x5x2"; physical units allowed */
    ZS_PARAM_ENUM,   /**< int, index into `choices` */
    ZS_PARAM_BOOL,   /**< int 0/1; written 0/1/true/false */
    ZS_PARAM_MODE3   /**< int[3], a zs_border per axis x y z (`choices`: zs_border_names); written "reflect"
                          or, one mode per axis as scipy.ndimage's mode=[...], "reflect,nearest,wrap" */
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
    zs_border zmode; /**< how the kernel extends its input past the volume's edges, in z (by the kernel,
                          zs_kcall_tap; the executor's z-sets follow it) and, without ZS_KF_YMODE, in y */
    double cval;     /**< the value outside the volume for ZS_BORDER_CONSTANT */
    zs_border ymode; /**< with ZS_KF_YMODE: the mode the executor extends the tile's rows with in y (a
                          per-axis mode list); without the flag the executor uses zmode */
} zs_halo;

/** One call of a kernel over a tile. Plain data; set by the executor. */
typedef struct zs_kernel_call {
    const void *params;     /**< the kernel's parameter struct, validated */
    void *state;            /**< what the kernel's prepare() made for this stage (NULL without one) */
    int64_t nx, ny;         /**< tile: nx columns (all of x) by ny rows */
    int64_t y0;             /**< volume row of the tile's row 0 (negative above the volume) */
    int64_t ny_vol;         /**< rows of a volume plane */
    int64_t nz;             /**< planes in the volume */
    int64_t row_lo, row_hi; /**< output rows that must be right: [row_lo, row_hi) of the tile */
    const float *const *in; /**< n_in input planes of nx*ny floats */
    int64_t n_in;
    const int64_t *in_z; /**< volume z of each input plane, strictly increasing */
    float *const *out;   /**< n_out output planes of nx*ny floats, none aliasing an input */
    int64_t n_out;
    const int64_t *out_z; /**< volume z of each output plane, strictly increasing */
    void *scratch;        /**< scratch_bytes() bytes, 64-byte aligned (owner: worker) */
    size_t scratch_bytes;
} zs_kernel_call;

/** Geometry a stage is prepared for: the largest tile any call of this plan will hand it. */
typedef struct zs_kernel_geom {
    int64_t nx, ny;  /**< tile columns, most tile rows */
    int64_t max_in;  /**< most input planes of one call */
    int64_t max_out; /**< most output planes of one call */
    int64_t ny_vol, nz;
} zs_kernel_geom;

/** Sets the message of the error a kernel returns (read back with zs_last_error(); the executor
 *  prefixes the kernel's name). Thread-safe. @return code, so `return zs_kcall_error(...)`. */
ZS_API zs_status zs_kcall_error(zs_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** @return the input plane holding volume plane z, or NULL if it is not among in_z. */
ZS_API const float *zs_kcall_plane(const zs_kernel_call *c, int64_t z);
/** zs_kcall_plane in a float64 plan (run_f64). */
ZS_API const double *zs_kcall_plane_f64(const zs_kernel_call *c, int64_t z);

/** In run_f64: input plane s and output plane j, as the doubles they hold. */
static inline const double *zs_kcall_in_f64(const zs_kernel_call *c, int64_t s)
{
    return (const double *)(const void *)c->in[s];
}
static inline double *zs_kcall_out_f64(const zs_kernel_call *c, int64_t j) { return (double *)(void *)c->out[j]; }

/** @return the input plane seen at out_z[out_slot] + dz once the input is extended by
 *  `mode`; for constant mode outside the volume, `const_plane` (a plane filled with cval).
 *  Never NULL when the scheduler's guarantee holds and const_plane is given. */
ZS_API const float *zs_kcall_tap(const zs_kernel_call *c, int64_t out_slot, int64_t dz, zs_border mode,
                                 const float *const_plane);
/** zs_kcall_tap in a float64 plan (run_f64). */
ZS_API const double *zs_kcall_tap_f64(const zs_kernel_call *c, int64_t out_slot, int64_t dz, zs_border mode,
                                      const double *const_plane);

/** Fills the rows of a tile plane (nx * ny floats of this call's geometry) that lie outside the
 *  volume from the rows they stand for under `mode` (cval for constant), as the executor does for
 *  a stage's input. A kernel that applies two neighbourhood steps in a row (an opening) calls it
 *  on its intermediate planes, so that the second step sees them extended at the volume's real
 *  edges, as scipy does. Rows whose source is outside the tile are left as they are. */
ZS_API void zs_kcall_extend_rows(const zs_kernel_call *c, float *plane, zs_border mode, float cval);
/** zs_kcall_extend_rows in a float64 plan (run_f64). */
ZS_API void zs_kcall_extend_rows_f64(const zs_kernel_call *c, double *plane, zs_border mode, double cval);

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
    ZS_KF_POINTWISE = 1u << 3,     /**< halo 0 in every axis */
    ZS_KF_YMODE = 1u << 4          /**< halo() sets zs_halo.ymode (y may have a mode of its own) */
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
    /** Scratch one call needs, for tiles of nx*ny and at most max_in input planes. May be NULL. */
    size_t (*scratch_bytes)(const void *params, int64_t nx, int64_t ny, int64_t max_in);
    /** Reentrant: many workers call it at once, each with its own scratch. */
    zs_status (*run)(const zs_kernel_call *call);
    /** Optional: builds read-only state shared by every call of one stage of a plan (tables,
     *  networks), once per plan; handed to run() as call->state. NULL: no state. */
    zs_status (*prepare)(const void *params, const zs_kernel_geom *geom, void **state);
    /** Frees what prepare() made. */
    void (*release)(void *state);
    /** ABI 3, optional: run() for float64 plans (planes of doubles, see above). Read only from
     *  descriptors whose abi >= 3; NULL: the kernel works in float32 only. */
    zs_status (*run_f64)(const zs_kernel_call *call);
} zs_kernel_desc;

/** Registry (kernels/registry.c): @return the number of kernels. */
ZS_API int zs_kernel_count(void);
/** @return kernel i (static), or NULL when out of range. */
ZS_API const zs_kernel_desc *zs_kernel_get(int i);
/** @return the kernel with this name (static), or NULL. */
ZS_API const zs_kernel_desc *zs_kernel_find(const char *name);
/** Bounds of a parameter (ZSTD_cParam_getBounds style). */
ZS_API zs_status zs_kernel_param_bounds(const zs_kernel_desc *k, const char *param, double *min, double *max);

/** @name Registering kernels, and kernel plugins
 * A kernel registered with zs_kernel_register() or loaded from a plugin is found by the registry
 * exactly as a built-in one: zs_kernel_find(), `NAME:key=value` specs (zs_pipeline_add), `zslab
 * list`, Python's zslab.kernels() and zslab.filter(). Registered kernels follow the built-in ones
 * in zs_kernel_get()'s order and are never removed.
 *
 * A plugin is a shared object that exports one function, `zslab_plugin_init` (ZS_PLUGIN_ENTRY),
 * of type zs_plugin_init_fn. zs_plugin_load() calls it with what the library offers
 * (zs_plugin_api: the library's kernel ABI, and add_kernel()); the entry hands its descriptors to
 * api->add_kernel() and returns ZS_OK. The library registers them all once the entry returned, or
 * none (and unloads the file) when one is refused. A plugin built against an older header keeps
 * working: its descriptors carry the ABI they were built for, which the library reads as such.
 * Build one without linking the library (it takes the zs_* functions from the process that
 * loads it: the zslab tool, or libzslab):
 *
 *     cc -std=c11 -shared -fPIC myplugin.c -o myplugin.so $(pkg-config --cflags zslab)
 *
 * `ZS_PLUGINS=a.so:b.so` (colon-separated paths) loads plugins once, when the registry is first
 * used, for every caller (the CLI, Python, C); a failure there is reported by zs_pipeline_new().
 * examples/plugin/ is a complete plugin.
 * @{ */

/** Registers a kernel for the whole process.
 *  @param[in] k the descriptor; borrowed for the life of the process (static storage).
 *  @return ZS_OK; ZS_EUNSUPPORTED when k->abi is newer than ZS_KERNEL_ABI or older than
 *  ZS_KERNEL_ABI_MIN; ZS_EINVAL for a malformed descriptor or a name already registered (the
 *  message names the kernel and who holds the name); ZS_EOVERFLOW when the registry is full.
 *  @note Thread-safe; lookups may run meanwhile. */
ZS_API zs_status zs_kernel_register(const zs_kernel_desc *k);

/** What the library hands a plugin's entry. Read a field only if it lies below struct_size (a
 *  later library may append fields). */
typedef struct zs_plugin_api {
    size_t struct_size; /**< sizeof(zs_plugin_api) as the library was built */
    int abi;            /**< the library's ZS_KERNEL_ABI: the newest descriptor ABI it reads */
    int abi_min;        /**< the oldest descriptor ABI it reads (ZS_KERNEL_ABI_MIN) */
    const char *path;   /**< the file being loaded */
    /** Hands one kernel to the library (registered when the entry returns ZS_OK). The descriptor
     *  is borrowed for the life of the process. @return ZS_OK, or the refusal (ABI, malformed). */
    zs_status (*add_kernel)(const struct zs_plugin_api *api, const zs_kernel_desc *k);
} zs_plugin_api;

/** The one symbol a plugin exports. */
#define ZS_PLUGIN_ENTRY "zslab_plugin_init"
/** Its type: `ZS_PLUGIN_EXPORT zs_status zslab_plugin_init(const zs_plugin_api *api)`. Call
 *  nothing of the library but api->add_kernel() (and zs_kcall_error() for a message) in it. */
typedef zs_status (*zs_plugin_init_fn)(const zs_plugin_api *api);
#if defined(__GNUC__)
#define ZS_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define ZS_PLUGIN_EXPORT
#endif

/** Loads a kernel plugin (dlopen RTLD_NOW | RTLD_LOCAL) and registers its kernels.
 *  @param[in] path the shared object (a name without '/' is searched as dlopen() does).
 *  @return ZS_OK; ZS_EIO when the file cannot be loaded; ZS_EFORMAT when it exports no
 *  zslab_plugin_init; the entry's refusal or zs_kernel_register()'s (ABI, duplicate name). Every
 *  message names the file. On an error nothing of the plugin is registered.
 *  @note Thread-safe. A loaded plugin stays loaded; loading the same file twice refuses its
 *  kernels' names as duplicates. */
ZS_API zs_status zs_plugin_load(const char *path);
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* ZSLAB_KERNEL_H */
