/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Uses an installed zslab: version, create + fill + commit a volume, open it, run a plan. */
#include <stdio.h>
#include <string.h>

#define ZSLAB_UNSTABLE_API /* zs_slab_map: built for this minor release only */
#include <zslab.h>
#include <zslab_kernel.h>

static int fail(const char *what, zs_status st)
{
    fprintf(stderr, "consumer: %s: %s (%s)\n", what, zs_last_error(), zs_strerror(st));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer DIR/NAME.npy\n");
        return 2;
    }
    printf("zslab %s, %d kernels\n", zs_version_string(), zs_kernel_count());
    if (zs_version() != ZS_VERSION_NUMBER) {
        fprintf(stderr, "consumer: header %d, library %d\n", ZS_VERSION_NUMBER, zs_version());
        return 1;
    }
    zs_volume_info spec;
    zs_volume_info_init(&spec);
    spec.shape[0] = 16, spec.shape[1] = 8, spec.shape[2] = 4;
    if (zs_dtype_parse("uint16", &spec.dtype)) return fail("dtype", ZS_EINVAL);
    zs_create_opts co;
    zs_create_opts_init(&co);
    co.force = 1;
    zs_volume *v = NULL;
    zs_status st = zs_volume_create(argv[1], &spec, &co, &v);
    if (!st) st = zs_volume_fill(v, ZS_PATTERN_RAMP, 0, 0);
    if (!st) st = zs_volume_commit(v);
    zs_volume_free(v);
    if (st) return fail("create", st);

    zs_volume *in = NULL;
    if ((st = zs_volume_open(argv[1], NULL, &in))) return fail("open", st);
    const zs_volume_info *info = zs_volume_get_info(in);
    zs_slab s;
    zs_mapping m;
    if ((st = zs_slab_make(info, 0, 2, 3, 0, &s)) || (st = zs_slab_map(in, &s, &m))) return fail("map", st);
    uint16_t value;
    memcpy(&value, (const unsigned char *)m.data + ((size_t)(2 - m.lo) * 8 * 16 + 3 * 16 + 5) * 2, 2);
    zs_slab_unmap(&m);
    if (value != 5 + 3 + 2) {
        fprintf(stderr, "consumer: voxel (5,3,2) is %u, expected 10\n", value);
        return 1;
    }
    zs_pipeline *p = NULL;
    zs_plan *plan = NULL;
    if ((st = zs_pipeline_new(&p)) || (st = zs_pipeline_add(p, "gaussian:sigma=1")) ||
        (st = zs_plan_create(info, p, NULL, &plan)))
        return fail("plan", st);
    printf("opened %s: %lldx%lldx%lld %s, voxel (5,3,2) = %u, plan of %lld slab(s)\n", info->path,
           (long long)info->shape[0], (long long)info->shape[1], (long long)info->shape[2], zs_dtype_name(info->dtype),
           value, (long long)zs_plan_slab_count(plan));
    zs_plan_free(plan);
    zs_pipeline_free(p);
    zs_volume_free(in);
    return 0;
}
