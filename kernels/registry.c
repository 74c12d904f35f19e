/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The one list of kernels. Adding a kernel = one file with its descriptor + one line here; kernels
 * registered at run time (zs_kernel_register, plugins: plugin.c) are appended to it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"

const char *const zs__axes_names[] = {"xyz", "xy", NULL};

static const zs_kernel_desc *const kernels[] = {
    &zs_kernel_gaussian,
    &zs_kernel_uniform,
    &zs_kernel_minimum,
    &zs_kernel_maximum,
    &zs_kernel_median,
    &zs_kernel_percentile,
    &zs_kernel_white_tophat,
    &zs_kernel_black_tophat,
    &zs_kernel_opening,
    &zs_kernel_closing,
    &zs_kernel_dog,
    &zs_kernel_log,
    &zs_kernel_gradient_magnitude,
    &zs_kernel_scale,
    &zs_kernel_clip,
    &zs_kernel_threshold,
    &zs_kernel_localmax,
};
#define NKERNELS ((int)(sizeof kernels / sizeof kernels[0]))

/* Kernels registered at run time (zs_kernel_register, plugins) follow the built-in ones in the same
 * index space. Entries are appended under `extra_lock` and never removed, so a descriptor handed
 * out stays valid; the count is published (release) after its slot is written, so readers take
 * no lock. */
#define NEXTRA_MAX 256
static struct {
    const zs_kernel_desc *k;
    char *origin; /* "plugin PATH" or "zs_kernel_register()", for the duplicate-name message */
} extra[NEXTRA_MAX];
static atomic_int nextra;
static pthread_mutex_t extra_lock = PTHREAD_MUTEX_INITIALIZER;

int zs_kernel_count(void)
{
    zs__plugins_env_load();
    return NKERNELS + atomic_load_explicit(&nextra, memory_order_acquire);
}

const zs_kernel_desc *zs_kernel_get(int i)
{
    zs__plugins_env_load();
    if (i >= 0 && i < NKERNELS) return kernels[i];
    if (i >= NKERNELS && i - NKERNELS < atomic_load_explicit(&nextra, memory_order_acquire))
        return extra[i - NKERNELS].k;
    return NULL;
}

/* Index of the kernel called `name` among the first NKERNELS + n, or -1. */
static int kernel_index(const char *name, int n)
{
    for (int i = 0; i < NKERNELS + n; i++)
        if (strcmp(i < NKERNELS ? kernels[i]->name : extra[i - NKERNELS].k->name, name) == 0) return i;
    return -1;
}

const zs_kernel_desc *zs_kernel_find(const char *name)
{
    zs__plugins_env_load();
    const int i = name ? kernel_index(name, atomic_load_explicit(&nextra, memory_order_acquire)) : -1;
    return i < 0 ? NULL : i < NKERNELS ? kernels[i] : extra[i - NKERNELS].k;
}

/* Checks what the library reads of a descriptor it did not compile: the ABI it was built for,
 * the entries every kernel needs, and a parameter list that fits params_size. */
zs_status zs__kernel_desc_check(const zs_kernel_desc *k)
{
    ZS_RETURN_IF(!k, ZS_EINVAL, "no kernel descriptor given");
    ZS_RETURN_IF(!k->name || !k->name[0], ZS_EINVAL, "a kernel descriptor has no name");
    ZS_RETURN_IF(k->abi < ZS_KERNEL_ABI_MIN || k->abi > ZS_KERNEL_ABI, ZS_EUNSUPPORTED,
                 "kernel %s: built for kernel ABI %d, this library reads ABI %d to %d (rebuild it against "
                 "zslab_kernel.h)",
                 k->name, k->abi, ZS_KERNEL_ABI_MIN, ZS_KERNEL_ABI);
    ZS_RETURN_IF(!k->halo || !k->run, ZS_EINVAL, "kernel %s: the descriptor needs halo() and run()", k->name);
    ZS_RETURN_IF(k->nparams < 0 || (k->nparams > 0 && !k->params), ZS_EINVAL,
                 "kernel %s: nparams is %d but no parameter list is given", k->name, k->nparams);
    for (int i = 0; i < k->nparams; i++) {
        const zs_param_desc *d = &k->params[i];
        const size_t size = d->type == ZS_PARAM_ENUM || d->type == ZS_PARAM_BOOL     ? sizeof(int)
                            : d->type == ZS_PARAM_MODE3                              ? 3 * sizeof(int)
                            : d->type == ZS_PARAM_INT3 || d->type == ZS_PARAM_FLOAT3 ? 3 * sizeof(double)
                                                                                     : sizeof(double);
        ZS_RETURN_IF(!d->name || d->offset + size > k->params_size ||
                         ((d->type == ZS_PARAM_ENUM || d->type == ZS_PARAM_MODE3) && !d->choices),
                     ZS_EINVAL,
                     "kernel %s: parameter %d (%s) is malformed: no name, no choices, or it lies past "
                     "params_size",
                     k->name, i, d->name ? d->name : "?");
    }
    return ZS_OK;
}

/* Under extra_lock: refuses a name already taken (naming both sides) or a full table. */
static zs_status check_free(const zs_kernel_desc *k, const char *origin, int n)
{
    const int i = kernel_index(k->name, n);
    ZS_RETURN_IF(i >= 0, ZS_EINVAL, "kernel %s from %s: the name is taken by the kernel from %s", k->name, origin,
                 i < NKERNELS ? "the library (built in)" : extra[i - NKERNELS].origin);
    ZS_RETURN_IF(n >= NEXTRA_MAX, ZS_EOVERFLOW, "kernel %s from %s: the registry is full (%d kernels registered)",
                 k->name, origin, NEXTRA_MAX);
    return ZS_OK;
}

zs_status zs__kernel_register_all(const zs_kernel_desc *const *ks, int count, const char *origin)
{
    for (int j = 0; j < count; j++) ZS_FORWARD(zs__kernel_desc_check(ks[j]));
    pthread_mutex_lock(&extra_lock);
    const int n = atomic_load_explicit(&nextra, memory_order_relaxed);
    zs_status st = ZS_OK;
    for (int j = 0; j < count && st == ZS_OK; j++) {
        st = check_free(ks[j], origin, n + j);
        if (st == ZS_OK && !(extra[n + j].origin = strdup(origin))) st = ZS_ERR(ZS_ENOMEM, "out of memory");
        if (st == ZS_OK) extra[n + j].k = ks[j]; /* visible to check_free of the next, not yet to readers */
    }
    if (st == ZS_OK)
        atomic_store_explicit(&nextra, n + count, memory_order_release);
    else
        for (int j = 0; j < count && n + j < NEXTRA_MAX; j++) {
            free(extra[n + j].origin);
            extra[n + j].origin = NULL;
        }
    pthread_mutex_unlock(&extra_lock);
    return st;
}

zs_status zs_kernel_register(const zs_kernel_desc *k)
{
    zs__plugins_env_load();
    return zs__kernel_register_all(&k, 1, "zs_kernel_register()");
}

zs_status zs_kernel_param_bounds(const zs_kernel_desc *k, const char *param, double *min, double *max)
{
    for (int i = 0; i < k->nparams; i++)
        if (strcmp(k->params[i].name, param) == 0) {
            *min = k->params[i].min;
            *max = k->params[i].max;
            return ZS_OK;
        }
    return ZS_ERR(ZS_EPARAM, "%s: no parameter '%s'", k->name, param);
}

/* Checks the built-in list (ABI and unique names) and reports a plugin of ZS_PLUGINS that did not
 * load. Called by the pipeline before first use. */
zs_status zs__kernel_registry_check(void)
{
    for (int i = 0; i < NKERNELS; i++) {
        ZS_RETURN_IF(kernels[i]->abi != ZS_KERNEL_ABI, ZS_EINTERNAL, "kernel %s: ABI %d, expected %d", kernels[i]->name,
                     kernels[i]->abi, ZS_KERNEL_ABI);
        for (int j = 0; j < i; j++)
            ZS_RETURN_IF(strcmp(kernels[i]->name, kernels[j]->name) == 0, ZS_EINTERNAL, "kernel %s registered twice",
                         kernels[i]->name);
    }
    return zs__plugins_env_status();
}
