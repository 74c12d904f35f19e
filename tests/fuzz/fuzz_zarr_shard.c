/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* libFuzzer entry point for Zarr v3 shards (core/zarr_codec.c, zs__zarr_decode_shard): the bytes
 * are one shard file of each of a few sharded arrays (the index at the end or at the start, with
 * or without its crc32c, a fill_value or none, inner chunks raw, transposed, gzip or zstd). Whatever
 * the index says (offsets past the file, lengths that wrap, missing inner chunks) and whatever the
 * inner chunks hold, the decoder stays inside the shard and the decoded buffer (exactly its size),
 * and a failure is a status whose message names the shard. */
#include "fuzz_common.h"
#include "zarr_internal.h"

#define SHARDED(dtype, shape, chunks, inner, codecs, index, where, fill)                                               \
    "{\"zarr_format\":3,\"node_type\":\"array\",\"data_type\":\"" dtype "\",\"shape\":" shape                          \
    ",\"chunk_grid\":{\"name\":\"regular\",\"configuration\":{\"chunk_shape\":" chunks "}},"                           \
    "\"chunk_key_encoding\":{\"name\":\"default\"},\"fill_value\":" fill ",\"codecs\":[{\"name\":"                     \
    "\"sharding_indexed\",\"configuration\":{\"chunk_shape\":" inner ",\"codecs\":" codecs ",\"index_codecs\":" index  \
    ",\"index_location\":\"" where "\"}}]}"

#define BYTES_LE "{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}"
#define CRC      "{\"name\":\"crc32c\"}"

/* The arrays whose shards the bytes are (tests/data/zarr/shard_*.bin are shards of these). */
static const char *const arrays[] = {
    /* 0: 2-D uint16, 2x2 inner chunks of 2x2, raw, index at the end with its crc32c, fill 0 */
    SHARDED("uint16", "[8,8]", "[4,4]", "[2,2]", "[" BYTES_LE "]", "[" BYTES_LE "," CRC "]", "end", "0"),
    /* 1: 3-D uint8, index at the start, gzip inner chunks transposed, no fill_value */
    SHARDED("uint8", "[2,4,4]", "[2,4,4]", "[1,2,2]",
            "[{\"name\":\"transpose\",\"configuration\":{\"order\":[2,1,0]}}," BYTES_LE
            ",{\"name\":\"gzip\",\"configuration\":{\"level\":1}}]",
            "[" BYTES_LE "]", "start", "null"),
    /* 2: 2-D big-endian int32, one inner chunk row of 4x2, zstd, index at the end, fill 7 */
    SHARDED("int32", "[4,4]", "[4,4]", "[4,2]",
            "[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"big\"}},{\"name\":\"zstd\",\"configuration\":"
            "{\"level\":1}}]",
            "[" BYTES_LE "]", "end", "7"),
};

#define NARRAYS (sizeof arrays / sizeof arrays[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char file[] = "f/c/0/0";
    static zs_zarr_array parsed[NARRAYS]; /* parsed once: the shards are what is fuzzed */
    static int ready;
    for (size_t i = 0; i < NARRAYS && !ready; i++)
        REQUIRE(zs__zarr_parse_array_v3(arrays[i], strlen(arrays[i]), "f/zarr.json", &parsed[i]) == ZS_OK &&
                parsed[i].sharded);
    ready = 1;
    for (size_t i = 0; i < NARRAYS; i++) {
        const zs_zarr_array a = parsed[i];
        size_t want = zs_dtype_size(a.dtype);
        for (int d = 0; d < a.ndim; d++) want *= (size_t)a.chunks[d];
        unsigned char *dst = malloc(want); /* exactly the shard's size: an overrun is seen */
        REQUIRE(dst != NULL);
        zs_clear_error();
        const zs_status st = zs__zarr_decode_shard(&a, file, data, size, dst, want);
        if (st != ZS_OK)
            REQUIRE(st >= ZS_EINTERNAL && strncmp(zs_last_error(), file, strlen(file)) == 0 &&
                    strncmp(zs_last_error() + strlen(file), ": ", 2) == 0);
        free(dst);
    }
    return 0;
}
