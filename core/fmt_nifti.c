/* SPDX-License-Identifier: BSD-3-Clause */
/* STUB: to be replaced by the real implementation. */
#include "zs_internal.h"
static zs_status p(const unsigned char *b, size_t n, uint64_t fs, zs_volume_info *i) { (void)b; (void)n; (void)fs; return ZS_ERR(ZS_EUNSUPPORTED, "%s: nifti not implemented", i->path); }
static int64_t w(zs_volume_info *s, unsigned char *b, size_t c) { (void)s; (void)b; (void)c; return ZS_ERR(ZS_EUNSUPPORTED, "nifti not implemented"); }
const zs_format_ops zs__fmt_nifti1 = {ZS_FMT_NIFTI1, "nifti1", p, w};
const zs_format_ops zs__fmt_nifti2 = {ZS_FMT_NIFTI2, "nifti2", p, w};
