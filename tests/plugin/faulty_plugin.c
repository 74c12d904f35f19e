/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Plugins that must be refused, one per build (tests/cli/test_plugin.sh):
 *   -DFAULT_NO_ENTRY     a shared object without zslab_plugin_init
 *   -DFAULT_NEWER_ABI    a descriptor built for a kernel ABI newer than the library's
 *   -DFAULT_NAME=gamma   a kernel whose name is taken (by a built-in kernel or another plugin)
 *   -DFAULT_REFUSE       an entry that refuses to load, with a message */
#include <stddef.h>

#include <zslab_kernel.h>

#ifndef FAULT_NAME
#define FAULT_NAME faulty
#endif
#define STR_(x) #x
#define STR(x)  STR_(x)

static void faulty_halo(const void *params, zs_halo *h)
{
    (void)params;
    *h = (zs_halo){.zmode = ZS_BORDER_REFLECT};
}

static zs_status faulty_run(const zs_kernel_call *c)
{
    (void)c;
    return ZS_OK;
}

static const zs_kernel_desc faulty_kernel = {
#ifdef FAULT_NEWER_ABI
    .abi = ZS_KERNEL_ABI + 1,
#else
    .abi = ZS_KERNEL_ABI,
#endif
    .name = STR(FAULT_NAME),
    .summary = "a plugin the tests expect to be refused",
    .version = 1,
    .flags = ZS_KF_POINTWISE,
    .halo = faulty_halo,
    .run = faulty_run,
};

#ifdef FAULT_NO_ENTRY
ZS_PLUGIN_EXPORT const zs_kernel_desc *faulty_descriptor(void);
ZS_PLUGIN_EXPORT const zs_kernel_desc *faulty_descriptor(void) { return &faulty_kernel; }
#else
ZS_PLUGIN_EXPORT zs_status zslab_plugin_init(const zs_plugin_api *api);
ZS_PLUGIN_EXPORT zs_status zslab_plugin_init(const zs_plugin_api *api)
{
#ifdef FAULT_REFUSE
    (void)api;
    (void)faulty_kernel;
    return zs_kcall_error(ZS_EUNSUPPORTED, "faulty: this plugin refuses every library");
#else
    return api->add_kernel(api, &faulty_kernel);
#endif
}
#endif
