/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
#include "zs_internal.h"
int zs_version(void) { return ZS_VERSION_NUMBER; }
const char *zs_version_string(void) { return ZS_VERSION_STRING; }
