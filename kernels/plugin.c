/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Kernel plugins: a shared object whose zslab_plugin_init hands descriptors to the registry
 * (registry.c), loaded by zs_plugin_load() or, once per process, from ZS_PLUGINS. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"

#define PLUGIN_KERNELS_MAX 64

/* What one load collects while the entry runs; api comes first, so add_kernel finds the rest. */
typedef struct plugin_load {
    zs_plugin_api api;
    const zs_kernel_desc *ks[PLUGIN_KERNELS_MAX];
    int n;
    zs_status st; /* the first refusal: the load fails even if the entry ignored it */
    char msg[512];
} plugin_load;

static zs_status plugin_add_kernel(const zs_plugin_api *api, const zs_kernel_desc *k)
{
    plugin_load *pl = (plugin_load *)(uintptr_t)api; /* api is the first member of plugin_load */
    zs_status st = zs__kernel_desc_check(k);
    if (st == ZS_OK && pl->n == PLUGIN_KERNELS_MAX)
        st = ZS_ERR(ZS_EOVERFLOW, "more than %d kernels in one plugin", PLUGIN_KERNELS_MAX);
    if (st == ZS_OK) {
        pl->ks[pl->n++] = k;
    } else if (pl->st == ZS_OK) {
        pl->st = st;
        zs__error_copy(pl->msg, sizeof pl->msg);
    }
    return st;
}

/* Puts the object holding the library in the global scope, so that a plugin built without
 * linking the library finds the zs_* functions even when libzslab was itself dlopen()ed with
 * RTLD_LOCAL (Python's ctypes). The handle is kept: the library stays loaded as long as a plugin. */
static void library_to_global_scope(void)
{
    static const char self = 0;
    Dl_info info;
    if (dladdr(&self, &info) && info.dli_fname) (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
}

/* Runs the entry of an opened plugin and registers what it added. */
static zs_status plugin_run_entry(void *h, const char *path)
{
    void *sym = dlsym(h, ZS_PLUGIN_ENTRY);
    ZS_RETURN_IF(!sym, ZS_EFORMAT, "plugin %s: not a zslab plugin (it exports no %s)", path, ZS_PLUGIN_ENTRY);
    zs_plugin_init_fn init;
    memcpy(&init, &sym, sizeof init); /* POSIX: a dlsym() result converts to a function pointer */
    plugin_load *pl = calloc(1, sizeof *pl);
    ZS_RETURN_IF(!pl, ZS_ENOMEM, "plugin %s: out of memory", path);
    pl->api = (zs_plugin_api){.struct_size = sizeof(zs_plugin_api),
                              .abi = ZS_KERNEL_ABI,
                              .abi_min = ZS_KERNEL_ABI_MIN,
                              .path = path,
                              .add_kernel = plugin_add_kernel};
    zs_clear_error();
    zs_status st = init(&pl->api);
    if (pl->st != ZS_OK)
        st = ZS_ERR(pl->st, "plugin %s: %s", path, pl->msg);
    else if (st != ZS_OK) {
        char why[512];
        zs__error_copy(why, sizeof why);
        st = ZS_ERR(st < 0 ? st : ZS_EINVAL, "plugin %s: %s refused to load: %s", path, ZS_PLUGIN_ENTRY,
                    why[0] ? why : zs_strerror(st));
    } else if (pl->n == 0)
        st = ZS_ERR(ZS_EFORMAT, "plugin %s: %s added no kernel", path, ZS_PLUGIN_ENTRY);
    else {
        char origin[1024];
        snprintf(origin, sizeof origin, "plugin %s", path);
        st = zs__kernel_register_all(pl->ks, pl->n, origin); /* its message names origin */
    }
    free(pl);
    return st;
}

static zs_status plugin_load_file(const char *path)
{
    ZS_RETURN_IF(!path || !path[0], ZS_EINVAL, "zs_plugin_load: no path given");
    library_to_global_scope();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return ZS_ERR(ZS_EIO, "plugin %s: cannot be loaded: %s", path, why ? why : "dlopen failed");
    }
    const zs_status st = plugin_run_entry(h, path);
    if (st != ZS_OK) dlclose(h); /* nothing of it was registered */
    return st;
}

zs_status zs_plugin_load(const char *path)
{
    zs__plugins_env_load();
    return plugin_load_file(path);
}

/* ---- ZS_PLUGINS: loaded once, on the registry's first use ---- */
static atomic_int env_done;
static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int env_loading; /* this thread runs the load: lookups within it go on */
static zs_status env_st;
static char env_msg[1024];

/* Loads every path of the list; keeps the first failure (the others still load). */
static void env_load_list(const char *list)
{
    char *copy = strdup(list);
    if (!copy) {
        env_st = ZS_ERR(ZS_ENOMEM, "ZS_PLUGINS: out of memory");
        zs__error_copy(env_msg, sizeof env_msg);
        return;
    }
    char *save = NULL;
    for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
        const zs_status st = plugin_load_file(p);
        if (st != ZS_OK && env_st == ZS_OK) {
            char why[960];
            zs__error_copy(why, sizeof why);
            env_st = st;
            snprintf(env_msg, sizeof env_msg, "ZS_PLUGINS: %s", why);
        }
    }
    free(copy);
}

void zs__plugins_env_load(void)
{
    if (atomic_load_explicit(&env_done, memory_order_acquire) || env_loading) return;
    pthread_mutex_lock(&env_lock);
    if (!atomic_load_explicit(&env_done, memory_order_relaxed)) {
        env_loading = 1;
        const char *list = getenv("ZS_PLUGINS");
        if (list && list[0]) env_load_list(list);
        env_loading = 0;
        atomic_store_explicit(&env_done, 1, memory_order_release);
    }
    pthread_mutex_unlock(&env_lock);
}

zs_status zs__plugins_env_status(void)
{
    zs__plugins_env_load();
    return env_st == ZS_OK ? ZS_OK : ZS_ERR(env_st, "%s", env_msg);
}
