/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Includes the file named by ZS_WORK_IMPL once per work type: with T = float and TN(x) = x (the
 * float32 work type), then with T = double and TN(x) = x##_f64 (float64). A kernel writes its body
 * once over T and instantiates it with
 *     #define ZS_WORK_IMPL "minmax_impl.h"
 *     #include "work_types.h"
 * No include guard: it is meant to be included once per body. */
#ifndef ZS_WORK_IMPL
#error "define ZS_WORK_IMPL as the quoted name of the file to instantiate"
#endif
#define T     float
#define TN(x) x
#include ZS_WORK_IMPL
#undef T
#undef TN
#define T     double
#define TN(x) x##_f64
#include ZS_WORK_IMPL
#undef T
#undef TN
#undef ZS_WORK_IMPL
