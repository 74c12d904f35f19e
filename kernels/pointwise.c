/* SPDX-License-Identifier: BSD-3-Clause */
/* STUB: to be replaced by the real implementation. */
#include "kernels_internal.h"
static zs_status stub_run(const zs_kernel_call *c) { (void)c; return ZS_ERR(ZS_EUNSUPPORTED, "kernel not implemented yet"); }
static void stub_halo(const void *p, zs_halo *h) { (void)p; *h = (zs_halo){{0,0,0},{0,0,0},ZS_BORDER_REFLECT}; }
const zs_kernel_desc zs_kernel_scale = {ZS_KERNEL_ABI, "scale", "(not implemented)", 1, NULL, 0, 0, 0, NULL, stub_halo, NULL, stub_run};
const zs_kernel_desc zs_kernel_clip = {ZS_KERNEL_ABI, "clip", "(not implemented)", 1, NULL, 0, 0, 0, NULL, stub_halo, NULL, stub_run};
const zs_kernel_desc zs_kernel_threshold = {ZS_KERNEL_ABI, "threshold", "(not implemented)", 1, NULL, 0, 0, 0, NULL, stub_halo, NULL, stub_run};
