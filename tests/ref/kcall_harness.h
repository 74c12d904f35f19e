/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Test harness: run one kernel, given as "name:key=value...", over a whole float32 volume
 * (F order, nx*ny*nz) either in one call or slab by slab the way the scheduler does it
 * (each slab's input planes = the kernel's z-neighbourhood of its output planes, found by
 * ref_zset). */
#ifndef ZS_KCALL_HARNESS_H
#define ZS_KCALL_HARNESS_H

#include <stdint.h>

#include "zslab_kernel.h"

/** Runs `spec` over the volume; slab <= 0 means one call for all planes.
 *  @return the kernel's status (ZS_EPARAM for a bad spec). */
zs_status zs_test_run_kernel(const char *spec, const float *in, int64_t nx, int64_t ny, int64_t nz, int64_t slab,
                             float *out);

/** The same through the kernel's float64 entry (run_f64), on a float64 volume.
 *  @return ZS_EUNSUPPORTED when the kernel has none. */
zs_status zs_test_run_kernel_f64(const char *spec, const double *in, int64_t nx, int64_t ny, int64_t nz, int64_t slab,
                                 double *out);

/** Calls kernel k once over whole planes held contiguously (slot-major: plane s at in + s*nx*ny),
 *  the way a unit test lays them out; builds the plane pointers of the call and, for a kernel with
 *  prepare(), its state for this call (released after it). */
zs_status zs_test_call(const zs_kernel_desc *k, const void *params, int64_t nx, int64_t ny, int64_t nz, const float *in,
                       int64_t nin, const int64_t *in_z, float *out, int64_t nout, const int64_t *out_z, void *scratch,
                       size_t scratch_bytes);

/** Most planes of a volume zs_test_call_state takes. */
#define ZS_TEST_MAX_PLANES 64

/** One call of k over output planes [z0, z1) of the float32 volume vol (n[0] x n[1] x n[2] <=
 *  ZS_TEST_MAX_PLANES planes, whole planes) with `state` as the call's prepared state (what
 *  k->prepare made, or NULL), its input planes the kernel's z-neighbourhood, and a scratch of
 *  exactly scratch_bytes(). Output plane z goes to out + z * n[0] * n[1]. @return run()'s status. */
zs_status zs_test_call_state(const zs_kernel_desc *k, const void *params, void *state, const float *vol,
                             const int64_t n[3], int64_t z0, int64_t z1, float *out);

/** The parsed parameters and descriptor of a spec (caller frees *params with free()). */
zs_status zs_test_parse_spec(const char *spec, const zs_kernel_desc **k, void **params);

#endif
