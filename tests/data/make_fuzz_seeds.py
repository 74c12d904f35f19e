#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Generates the seeds of the fuzz drivers for the newer metadata parsers (every driver runs over
all of tests/data): Zarr v3 shards of the arrays tests/fuzz/fuzz_zarr_shard.c names and a sharded
zarr.json (tests/data/zarr), and the texts of HDF5 layout discovery (tests/data/hdf5): a
BigDataViewer XML, a FILE.h5:/dataset name, dimension labels and Imaris attributes, the last two
as NUL-separated fields as tests/fuzz/fuzz_hdf5_meta.c splits them.

Run with the system interpreter: /usr/bin/python3 tests/data/make_fuzz_seeds.py
The outputs are kept in the repository; rerunning gives the same bytes."""
import gzip
import json
import os
import struct

import numpy as np
from numcodecs import Zstd

HERE = os.path.dirname(os.path.abspath(__file__))
ZARR = os.path.join(HERE, "zarr")
HDF5 = os.path.join(HERE, "hdf5")
MISSING = (2**64 - 1, 2**64 - 1)


def put(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def shard(chunks, index_at_end, crc, missing=()):
    """A shard of encoded inner chunks (C order of the inner grid); `missing`: their indices."""
    body, index = b"", []
    start = 0 if index_at_end else 16 * len(chunks) + (4 if crc else 0)
    for i, c in enumerate(chunks):
        if i in missing:
            index.append(MISSING)
            continue
        index.append((start + len(body), len(c)))
        body += c
    idx = b"".join(struct.pack("<QQ", o, n) for o, n in index) + (b"\0\0\0\0" if crc else b"")
    return body + idx if index_at_end else idx + body


def gzip_bytes(data):
    return gzip.compress(data, compresslevel=1, mtime=0)


def main():
    # fuzz_zarr_shard.c array 0: 4x4 uint16 shard of 2x2 raw inner chunks, index at the end + crc32c
    inner = [np.arange(4, dtype="<u2").tobytes() + b"" for _ in range(4)]
    put(ZARR, "shard_raw_end_crc.bin", shard(inner, True, True, missing=(2,)))
    # array 1: 2x4x4 uint8 shard of 1x2x2 gzip inner chunks (transposed: any bytes), index at the start
    inner = [gzip_bytes(bytes(range(k, k + 4))) for k in range(8)]
    put(ZARR, "shard_gzip_start.bin", shard(inner, False, False))
    # array 2: 4x4 big-endian int32 shard of 4x2 zstd inner chunks, index at the end
    inner = [Zstd(level=1).encode(np.arange(8, dtype=">i4").tobytes()) for _ in range(2)]
    put(ZARR, "shard_zstd_end.bin", shard(inner, True, False))
    meta = {"zarr_format": 3, "node_type": "array", "shape": [6, 20, 24], "data_type": "uint16",
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 8, 8]}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}}, "fill_value": 0,
            "codecs": [{"name": "sharding_indexed", "configuration": {
                "chunk_shape": [1, 4, 4], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                                     {"name": "blosc", "configuration": {"cname": "lz4"}}],
                "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                "index_location": "end"}}],
            "attributes": {"ome": {"version": "0.5", "multiscales": [{"axes": [
                {"name": "z", "type": "space", "unit": "micrometer"}, {"name": "y", "type": "space"},
                {"name": "x", "type": "space"}], "datasets": [{"path": "0", "coordinateTransformations": [
                    {"type": "scale", "scale": [2.0, 0.5, 0.5]}]}]}]}}}
    put(ZARR, "v3_sharded.json", json.dumps(meta))
    put(HDF5, "bdv_voxel_size.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n<SpimData version="0.2"><SequenceDescription><ViewSetups>'
        "<ViewSetup><id>0</id><name>0</name><size>24 20 6</size><voxelSize><unit>micrometer</unit>"
        "<size>0.5 0.5 2.0</size></voxelSize></ViewSetup></ViewSetups></SequenceDescription></SpimData>\n")
    # sizes beyond a double (sscanf and strtod read "inf", "1e999"): a voxel size of none, never inf
    put(HDF5, "bdv_voxel_size_inf.xml", "<voxelSize><unit>um</unit><size>inf 1e999 0.5</size></voxelSize>")
    put(HDF5, "imaris_axis_inf.txt", "10\0-1e308\0" "1e308")
    put(HDF5, "name_dataset.txt", "dir.v2/stack.h5:/t00000/s00/0/cells")
    put(HDF5, "labels_tzyx.txt", "t\0z\0y\0x")
    put(HDF5, "imaris_axis.txt", "1000\0-12.5\0" "487.5")
    print("wrote the fuzz seeds to", ZARR, "and", HDF5)


if __name__ == "__main__":
    main()
