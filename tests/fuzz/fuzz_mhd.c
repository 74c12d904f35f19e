/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for the MetaImage header parser (core/fmt_mhd.c).
 *
 * Parses the bytes as the first bytes of a file of the same size, of a much larger size and
 * of the largest size; a failure must name the file, a success must describe a volume whose
 * attached data fit in the file (or name a data file) and survive a write_header → parse
 * round trip, attached and detached. Any violation aborts. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_header_parser(&zs__fmt_mhd, "fuzz.mha", data, size, fuzz_check_text_header);
}
