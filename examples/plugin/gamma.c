/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* A kernel plugin: `gamma`, out = sign(x) * |x|^g, numpy's np.sign(x) * np.abs(x) ** g.
 *
 * Built outside the library, without linking it (the process that loads the plugin, the zslab
 * tool or libzslab, provides the zs_* functions):
 *
 *   cc -std=c11 -shared -fPIC gamma.c -o gamma.so $(pkg-config --cflags zslab) -lm
 *
 * (or the CMakeLists.txt beside this file), then:
 *
 *   ZS_PLUGINS=$PWD/gamma.so zslab list                        # gamma is listed
 *   ZS_PLUGINS=$PWD/gamma.so zslab filter in.npy out.npy --op gamma:g=0.5
 *   python3 -c 'import zslab; zslab.load_plugin("./gamma.so"); zslab.filter("in.npy", "out.npy", ["gamma:g=0.5"])'
 *
 * The plugin is a descriptor, as the library's own kernels are (include/zslab_kernel.h), plus
 * the one entry zslab_plugin_init, which hands it to the library. */
#include <math.h>
#include <stddef.h>

#include <zslab.h>
#include <zslab_kernel.h>

typedef struct gamma_params {
    double g;
} gamma_params;

static const zs_param_desc gamma_param_list[] = {
    {.name = "g",
     .type = ZS_PARAM_FLOAT,
     .offset = offsetof(gamma_params, g),
     .min = 0.01,
     .max = 100,
     .def = "1",
     .help = "exponent: out = sign(x) * |x|^g"},
};

/* Pointwise: no neighbourhood in any axis. */
static void gamma_halo(const void *params, zs_halo *h)
{
    (void)params;
    *h = (zs_halo){.zmode = ZS_BORDER_REFLECT};
}

static zs_status gamma_run(const zs_kernel_call *c)
{
    const gamma_params *p = c->params;
    const float g = (float)p->g;
    for (int64_t j = 0; j < c->n_out; j++) {
        const float *in = zs_kcall_plane(c, c->out_z[j]);
        if (!in) return zs_kcall_error(ZS_EINTERNAL, "gamma: plane %lld was not given", (long long)c->out_z[j]);
        for (int64_t i = c->row_lo * c->nx; i < c->row_hi * c->nx; i++) {
            const float v = in[i];
            c->out[j][i] = v < 0 ? -powf(-v, g) : powf(v, g);
        }
    }
    return ZS_OK;
}

static zs_status gamma_run_f64(const zs_kernel_call *c)
{
    const gamma_params *p = c->params;
    for (int64_t j = 0; j < c->n_out; j++) {
        const double *in = zs_kcall_plane_f64(c, c->out_z[j]);
        double *out = zs_kcall_out_f64(c, j);
        if (!in) return zs_kcall_error(ZS_EINTERNAL, "gamma: plane %lld was not given", (long long)c->out_z[j]);
        for (int64_t i = c->row_lo * c->nx; i < c->row_hi * c->nx; i++)
            out[i] = in[i] < 0 ? -pow(-in[i], p->g) : pow(in[i], p->g);
    }
    return ZS_OK;
}

static const zs_kernel_desc gamma_kernel = {
    .abi = ZS_KERNEL_ABI,
    .name = "gamma",
    .summary = "sign(x) * |x|^g (a kernel plugin: examples/plugin)",
    .version = 1,
    .params = gamma_param_list,
    .nparams = (int)(sizeof gamma_param_list / sizeof gamma_param_list[0]),
    .params_size = sizeof(gamma_params),
    .flags = ZS_KF_POINTWISE | ZS_KF_DETERMINISTIC,
    .halo = gamma_halo,
    .run = gamma_run,
    .run_f64 = gamma_run_f64,
};

/* The entry: the library passes what it offers; api->abi is the newest descriptor ABI it reads,
 * and a descriptor built for an older ABI than that stays valid. */
ZS_PLUGIN_EXPORT zs_status zslab_plugin_init(const zs_plugin_api *api);
ZS_PLUGIN_EXPORT zs_status zslab_plugin_init(const zs_plugin_api *api)
{
    if (api->abi < ZS_KERNEL_ABI)
        return zs_kcall_error(ZS_EUNSUPPORTED, "gamma needs kernel ABI %d, this library reads up to %d", ZS_KERNEL_ABI,
                              api->abi);
    return api->add_kernel(api, &gamma_kernel);
}
