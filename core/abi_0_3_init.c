/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* 0.3's zs_volume_info_init, for programs built against 0.3's header (see abi_0_3.c). The
 * header's inline function of that name is renamed in this file, so that nothing here but the
 * definition below carries the symbol name zs_volume_info_init. */
#define zs_volume_info_init zs__volume_info_init_inline
#include "zs_internal.h"
#undef zs_volume_info_init

void zs__v03_volume_info_init(void *info) ZS_V03(zs_volume_info_init);
void zs__v03_volume_info_init(void *info) { zs__volume_info_defaults_0_3(info); }
