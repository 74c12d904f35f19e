#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Zarr v3 arrays and OME-Zarr 0.5 images, read by zslab.

The zarr-python of Debian 12 (2.13) writes no Zarr v3, so the stores are written here from the
specification: zarr.json metadata and chunk files encoded by numcodecs (blosc, zstd, gzip), with
the default chunk keys (c/0/0/0) and the v2 ones (0.0.0), the bytes codec in either byte order,
the transpose codec, chunks that do not divide the shape, a missing chunk (fill_value), and
shards (sharding_indexed, index at the end or the start, a missing inner chunk). zslab must read
the same voxels as numpy holds; an OME-Zarr 0.5 group (attributes.ome.multiscales) gives the
axes and voxel size; a truncated shard and unknown codecs are refused naming the file.

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import itertools
import json
import os
import sys

import numpy as np

try:
    import numcodecs
except ImportError as e:
    print(f"SKIP: numcodecs is not installed ({e})")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zstest  # noqa: E402
from zstest import fail, finish, workdir, zs  # noqa: E402

W = workdir("zarr-v3")


def path(name):
    return os.path.join(W, name)


def write_v3(name, a, chunks, compressor=None, cname=None, endian="little", order=None, key="default", sep="/",
             fill=0, skip=()):
    """A Zarr v3 array at path(name): a (numpy, C order) chunked as given; `order` a transpose."""
    root = path(name)
    os.makedirs(root, exist_ok=True)
    codecs = []
    if order is not None:
        codecs.append({"name": "transpose", "configuration": {"order": list(order)}})
    codecs.append({"name": "bytes", "configuration": {"endian": endian}})
    if cname:
        codecs.append({"name": cname, "configuration": compressor[1]})
    meta = {"zarr_format": 3, "node_type": "array", "shape": list(a.shape), "data_type": str(a.dtype),
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunks)}},
            "chunk_key_encoding": {"name": key, "configuration": {"separator": sep}},
            "fill_value": fill, "codecs": codecs, "attributes": {}}
    with open(os.path.join(root, "zarr.json"), "w") as f:
        json.dump(meta, f)
    grid = [range((n + c - 1) // c) for n, c in zip(a.shape, chunks)]
    dt = a.dtype.newbyteorder(">" if endian == "big" else "<")
    for k in itertools.product(*grid):
        if k in skip:
            continue
        block = np.zeros(chunks, dtype=dt)
        sl = tuple(slice(i * c, min((i + 1) * c, n)) for i, c, n in zip(k, chunks, a.shape))
        block[tuple(slice(0, s.stop - s.start) for s in sl)] = a[sl]
        if order is not None:
            block = block.transpose(order)
        raw = np.ascontiguousarray(block).tobytes()
        data = compressor[0].encode(raw) if cname else raw
        rel = sep.join(map(str, k))
        f = os.path.join(root, ("c" + sep + rel) if key == "default" else rel)
        os.makedirs(os.path.dirname(f), exist_ok=True)
        with open(f, "wb") as out:
            out.write(bytes(data))
    return root


def write_sharded(name, a, shard, inner, compressor, cname, skip_inner=(), index_start=False):
    """A sharded Zarr v3 array: shards of `shard` voxels holding inner chunks of `inner`, each
    encoded by compressor, and an index of (offset, nbytes) little-endian uint64 pairs."""
    root = path(name)
    os.makedirs(root, exist_ok=True)
    loc = "start" if index_start else "end"
    meta = {"zarr_format": 3, "node_type": "array", "shape": list(a.shape), "data_type": str(a.dtype),
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(shard)}},
            "chunk_key_encoding": {"name": "default"}, "fill_value": 5,
            "codecs": [{"name": "sharding_indexed", "configuration": {
                "chunk_shape": list(inner), "index_location": loc,
                "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                           {"name": cname, "configuration": compressor[1]}],
                "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]}}]}
    with open(os.path.join(root, "zarr.json"), "w") as f:
        json.dump(meta, f)
    per = [s // i for s, i in zip(shard, inner)]
    count = int(np.prod(per))
    for k in itertools.product(*[range((n + c - 1) // c) for n, c in zip(a.shape, shard)]):
        full = np.zeros(shard, dtype=a.dtype)
        sl = tuple(slice(i * c, min((i + 1) * c, n)) for i, c, n in zip(k, shard, a.shape))
        full[tuple(slice(0, x.stop - x.start) for x in sl)] = a[sl]
        body, index = b"", []
        base = 16 * count if index_start else 0
        for j, g in enumerate(itertools.product(*[range(p) for p in per])):
            if (k, g) in skip_inner:
                index.append((2**64 - 1, 2**64 - 1))
                continue
            blk = full[tuple(slice(gi * ii, (gi + 1) * ii) for gi, ii in zip(g, inner))]
            enc = bytes(compressor[0].encode(np.ascontiguousarray(blk).astype("<" + a.dtype.str[1:]).tobytes()))
            index.append((base + len(body), len(enc)))
            body += enc
        idx = np.array(index, dtype="<u8").tobytes()
        f = os.path.join(root, "c", *map(str, k))
        os.makedirs(os.path.dirname(f), exist_ok=True)
        with open(f, "wb") as out:
            out.write(idx + body if index_start else body + idx)
    return root


def converted(src, name):
    return zstest.converted(src, path(name + ".npy"), name)


def main():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 60000, size=(11, 9, 13), endpoint=True).astype(np.uint16)
    blosc = (numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE), {"cname": "lz4", "clevel": 5, "shuffle": "shuffle",
                                                                    "typesize": 2, "blocksize": 0})
    zstd = (numcodecs.Zstd(level=3), {"level": 3, "checksum": False})
    gzip = (numcodecs.GZip(level=5), {"level": 5})
    cases = [
        ("blosc_default_keys", dict(compressor=blosc, cname="blosc")),
        ("zstd_big_endian", dict(compressor=zstd, cname="zstd", endian="big")),
        ("gzip_transposed", dict(compressor=gzip, cname="gzip", order=(2, 0, 1))),
        ("raw_v2_keys", dict(key="v2", sep=".")),
        ("raw_dot_separator", dict(sep=".")),
    ]
    for name, kw in cases:
        src = write_v3(name + ".zarr", a, (4, 5, 6), **kw)
        got = converted(src, name)
        if got is not None and (got.shape != a.shape or not np.array_equal(got, a)):
            fail(f"{name}: zslab reads {got.shape} with other voxels than the array written")
    # a missing chunk holds fill_value
    src = write_v3("missing.zarr", a, (4, 5, 6), compressor=zstd, cname="zstd", fill=9, skip={(1, 1, 1)})
    got = converted(src, "missing")
    want = a.copy()
    want[4:8, 5:9, 6:12] = 9
    if got is not None and not np.array_equal(got, want):
        fail("missing chunk: not read as fill_value 9")
    # an OME-Zarr 0.5 image: a group whose attributes.ome holds the multiscales
    img = path("image.ome.zarr")
    write_v3("image.ome.zarr/0", a, (4, 5, 6), compressor=blosc, cname="blosc")
    axes = [{"name": n, "type": "space", "unit": "micrometer"} for n in "zyx"]
    with open(os.path.join(img, "zarr.json"), "w") as f:
        json.dump({"zarr_format": 3, "node_type": "group", "attributes": {"ome": {"version": "0.5", "multiscales": [
            {"axes": axes, "datasets": [{"path": "0", "coordinateTransformations": [
                {"type": "scale", "scale": [2.0, 0.5, 0.25]}]}]}]}}}, f)
    got = converted(img, "image")
    if got is not None and not np.array_equal(got, a.transpose(2, 1, 0)):
        fail("OME-Zarr 0.5: voxels differ from the array transposed to (x, y, z)")
    r = zs("info", img, "--json")
    inf = json.loads(r.stdout) if r.returncode == 0 else None
    if not inf or inf["shape"] != [13, 9, 11] or not np.allclose(inf["voxel_size"], [0.25, 0.5, 2.0]) \
            or inf["unit"] != "um":
        fail(f"OME-Zarr 0.5: zslab info says {inf and (inf['shape'], inf['voxel_size'], inf['unit'])} ({r.stderr})")
    # sharded arrays: shards of 2x2x2 inner chunks, one inner chunk missing (fill_value 5)
    for start in (False, True):
        name = f"sharded_{'start' if start else 'end'}"
        src = write_sharded(name + ".zarr", a, (8, 10, 12), (4, 5, 6), zstd, "zstd",
                            skip_inner={((1, 0, 1), (0, 1, 0))}, index_start=start)
        got = converted(src, name)
        want = a.copy()
        want[8:11, 5:9, 12:13] = 5  # shard (1, 0, 1), inner (0, 1, 0), cut by the shape
        if got is not None and not np.array_equal(got, want):
            fail(f"{name}: {int(np.sum(got != want))} voxels differ from the array written")
    src = path("sharded_end.zarr")
    shard = os.path.join(src, "c", "0", "0", "0")
    with open(shard, "r+b") as f:
        f.truncate(40)
    r = zs("convert", src, path("trunc.npy"), "-q")
    if r.returncode != 1 or shard not in r.stderr:
        fail(f"truncated shard: exit {r.returncode}, message {r.stderr.strip()!r}: expected 1 naming {shard}")
    # refusals name the file
    for name, codec in [("bitround", "bitround"), ("unknown", "lzma")]:
        src = write_v3(name + ".zarr", a, (4, 5, 6))
        meta_file = os.path.join(src, "zarr.json")
        with open(meta_file) as f:
            meta = json.load(f)
        meta["codecs"] = [{"name": codec, "configuration": {}}]
        with open(meta_file, "w") as f:
            json.dump(meta, f)
        r = zs("convert", src, path(name + ".npy"), "-q")
        if r.returncode != 1 or meta_file not in r.stderr or codec not in r.stderr:
            fail(f"{name}: exit {r.returncode}, message {r.stderr.strip()!r}: expected 1 naming {meta_file} and {codec}")
    finish("test_zarr_v3: Zarr v3 arrays and OME-Zarr 0.5 images read as written", W)


if __name__ == "__main__":
    main()
