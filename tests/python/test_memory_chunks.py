# SPDX-License-Identifier: BSD-3-Clause
"""Chunk decoding counts in --mem-budget and the dry-run estimate. Each case measures the peak RSS of
the tool's process (getrusage of a child that runs only it):
 - a Zarr of 64^3 voxels stored in one chunk of 1024^3 (1 GiB decoded, a few KB on disk) under
   --mem-budget 64M is refused before anything is read (exit 1, the message names the chunk shape);
 - an OME-Zarr with chunks of 32x1024x1024 uint8 under 300M runs within the budget (fewer workers)
   and writes what an unconstrained run writes;
 - an HDF5 dataset in one gzip chunk of 256 MiB under 128M is refused the same way;
 - --dry-run prints the chunks' bytes."""
import json
import os
import resource
import subprocess
import sys
import zlib

import numpy as np

from zstest import ZSLAB, fail, finish, workdir

MIB = 1 << 20


def peak_run(args):
    """Runs zslab in a child process of its own; returns (CompletedProcess, the tool's peak RSS in MiB)."""
    code = ("import resource, subprocess, sys\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
            "sys.exit(p.returncode)\n")
    p = subprocess.run([sys.executable, "-c", code, ZSLAB, *map(str, args)], capture_output=True, text=True,
                       timeout=300)
    lines = p.stderr.strip().splitlines()
    p.stderr = "\n".join(lines[:-1])
    return p, int(lines[-1]) / 1024


def zstd_frames(first, piece, count):
    """`count` concatenated zstd frames: `first`, then `piece` again and again (one decode)."""
    import numcodecs
    z = numcodecs.Zstd(level=1)
    return z.encode(first) + (z.encode(piece) * (count - 1) if count > 1 else b"")


def zarr_array(d, shape, chunks, dtype, chunk_files):
    os.makedirs(d)
    meta = {"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": np.dtype(dtype).str, "order": "C",
            "compressor": {"id": "zstd", "level": 1}, "fill_value": 0, "filters": None}
    with open(os.path.join(d, ".zarray"), "w") as f:
        json.dump(meta, f)
    for key, data in chunk_files.items():
        with open(os.path.join(d, key), "wb") as f:
            f.write(data)


def huge_chunk(d):
    """A 64^3 uint8 array in one 1024^3 chunk: its first 16 MiB piece holds the voxels, the rest zeros."""
    first = np.zeros((16, 1024, 1024), np.uint8)
    first[:64, :64, :64] = np.arange(64, dtype=np.uint8)[None, None, :]
    path = os.path.join(d, "huge.zarr")
    zarr_array(path, [64, 64, 64], [1024, 1024, 1024], "u1",
               {"0.0.0": zstd_frames(first, np.zeros(16 * MIB, np.uint8), 64)})
    return path


def case_huge_zarr(d):
    src = huge_chunk(d)
    out = os.path.join(d, "huge_out.npy")
    p, peak = peak_run(["filter", src, out, "--op", "median:size=3", "--mem-budget", "64M", "-q"])
    print(f"1 GiB-chunk Zarr under 64M: exit {p.returncode}, peak {peak:.1f} MiB")
    if p.returncode == 0:
        if peak >= 64:
            fail(f"1 GiB chunk: ran with a peak of {peak:.0f} MiB over the 64M budget")
        return
    if p.returncode != 1 or "1024x1024x1024" not in p.stderr or "huge.zarr" not in p.stderr:
        fail(f"1 GiB chunk: want exit 1 naming the file and the chunk shape, got {p.returncode}: {p.stderr}")
    if peak >= 64:
        fail(f"1 GiB chunk: refused, but only after reading (peak {peak:.0f} MiB)")
    if os.path.exists(out) or os.path.exists(out + ".partial"):
        fail("1 GiB chunk: a refused run left an output")
    r = subprocess.run([ZSLAB, "filter", src, out, "--op", "median:size=3", "--dry-run"], capture_output=True,
                       text=True)
    if r.returncode != 0 or "chunks of 1024x1024x1024 uint8 (1024.0 MiB each)" not in r.stdout:
        fail(f"1 GiB chunk: --dry-run does not print the chunk's bytes: {r.stdout}{r.stderr}")


def ome_zarr(d):
    """An OME-Zarr image (axes z, y, x) of 64x1024x1024 uint8 in chunks of 32x1024x1024."""
    src = os.path.join(d, "img.ome.zarr")
    x = np.arange(1024, dtype=np.uint8) // 8
    a = (x[None, None, :] + x[None, :, None] + np.arange(64, dtype=np.uint8)[:, None, None]) % 97 * 2
    zarr_array(os.path.join(src, "0"), [64, 1024, 1024], [32, 1024, 1024], "u1",
               {"0.0.0": zstd_frames(a[:32], None, 1), "1.0.0": zstd_frames(a[32:], None, 1)})
    axes = [{"name": n, "type": "space", "unit": "micrometer"} for n in "zyx"]
    ms = [{"version": "0.4", "axes": axes,
           "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [2.0, 0.5, 0.5]}]}]}]
    with open(os.path.join(src, ".zgroup"), "w") as f:
        json.dump({"zarr_format": 2}, f)
    with open(os.path.join(src, ".zattrs"), "w") as f:
        json.dump({"multiscales": ms}, f)
    return src


def case_ome_zarr(d):
    src = ome_zarr(d)
    ref, out = os.path.join(d, "ref.npy"), os.path.join(d, "out.npy")
    op = ["--op", "gaussian:sigma=1", "-q"]
    r = subprocess.run([ZSLAB, "filter", src, ref, "--threads", "2", "--mem-budget", "4G", *op], capture_output=True,
                       text=True)
    if r.returncode != 0:
        fail(f"OME-Zarr: the unconstrained run failed: {r.stderr}")
        return
    p, peak = peak_run(["filter", src, out, "--threads", "2", "--mem-budget", "300M", *op])
    print(f"OME-Zarr 32x1024x1024 chunks under 300M: exit {p.returncode}, peak {peak:.1f} MiB")
    if p.returncode != 0:
        fail(f"OME-Zarr under 300M: exit {p.returncode}: {p.stderr}")
    elif peak >= 300:
        fail(f"OME-Zarr under 300M: peak {peak:.0f} MiB over the budget")
    elif not np.array_equal(np.load(ref, mmap_mode="r"), np.load(out, mmap_mode="r")):
        fail("OME-Zarr under 300M: output differs from the unconstrained run's")
    r = subprocess.run([ZSLAB, "filter", src, out, "--mem-budget", "300M", "--threads", "2", "--dry-run", *op],
                       capture_output=True, text=True)
    if "threads:    1" not in r.stdout or "chunks of 32x1024x1024 uint8 (32.0 MiB each)" not in r.stdout:
        fail(f"OME-Zarr: --dry-run does not show one worker and the chunks: {r.stdout}{r.stderr}")


def case_hdf5(d):
    try:
        import h5py
    except ImportError:
        print("h5py missing: HDF5 case not run")
        return
    src = os.path.join(d, "one.h5")
    c = zlib.compressobj(1, zlib.DEFLATED, 15)
    parts, piece = [c.compress(np.full(4096, 9, np.uint8).tobytes())], bytes(16 * MIB)
    for _ in range(16):
        parts.append(c.compress(piece))
    parts.append(c.compress(bytes(16 * MIB - 4096)) + c.flush())
    with h5py.File(src, "w") as f:
        ds = f.create_dataset("v", shape=(256, 1024, 1024), dtype="u1", chunks=(256, 1024, 1024),
                              compression="gzip", compression_opts=1)
        ds.id.write_direct_chunk((0, 0, 0), b"".join(parts), 0)
    out = os.path.join(d, "h5_out.npy")
    p, peak = peak_run(["filter", src, out, "--op", "gaussian:sigma=1", "--mem-budget", "128M", "-q"])
    print(f"HDF5 with one 256 MiB gzip chunk under 128M: exit {p.returncode}, peak {peak:.1f} MiB "
          f"({os.path.getsize(src) / 1024:.0f} KiB on disk)")
    if p.returncode == 0:
        if peak >= 128:
            fail(f"HDF5: ran with a peak of {peak:.0f} MiB over the 128M budget")
    elif p.returncode != 1 or "256x1024x1024" not in p.stderr or "one.h5" not in p.stderr:
        fail(f"HDF5: want exit 1 naming the file and the chunk shape, got {p.returncode}: {p.stderr}")
    elif peak >= 128:
        fail(f"HDF5: refused only after reading (peak {peak:.0f} MiB)")


def main():
    d = workdir("memchunks")
    case_huge_zarr(d)
    case_ome_zarr(d)
    case_hdf5(d)
    finish("chunk decoding is within the memory budget, or refused before reading", d)


if __name__ == "__main__":
    main()
