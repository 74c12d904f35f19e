# SPDX-License-Identifier: BSD-3-Clause
"""Memory that does not grow with the plane (tiles), in sizes CI can afford; bench/tiles.sh runs the
full sizes.

1. A stitched-plane stack (wide planes, few of them) with the demo's two-stage pipeline runs under a
   budget far smaller than one worker's (slab + halo) whole planes would need; peak RSS stays under
   the budget, and the output equals scipy.ndimage on blocks at the interior, the corners and the edges.
2. A planner check: --dry-run with one thread and a 64 MiB budget succeeds for planes of 4096x1024
   and 4096x16384 (no whole plane fits in the budget's rings), and prints the band and the bytes
   per worker; the estimate does not grow with the plane height, with pread and with direct.
"""
import os
import re
import resource
import shutil
import subprocess
import sys

import numpy as np
from zstest import ZSLAB, run, workdir

NX, NY, NZ = 2048, 1536, 20
BUDGET_MIB = 96
TOPHAT, S1, S2 = 7, 1.0, 3.0
MARGIN = 2 * (TOPHAT // 2) * 2 + int(4 * S2 + 0.5) + 4  # more than the pipeline's halo


def scipy_pipeline(a):
    from scipy import ndimage as ndi  # imported late: see stitched_plane

    a = a.astype(np.float32)
    t = ndi.white_tophat(a, size=TOPHAT, mode="reflect")
    g1 = ndi.gaussian_filter(t, S1, mode="reflect", truncate=4.0)
    g2 = ndi.gaussian_filter(t, S2, mode="reflect", truncate=4.0)
    return g1 - g2


def block_check(vol, out, x0, x1, y0, y1):
    """scipy on the block plus a margin (cut at the volume's edges, where scipy extends by the mode)."""
    a0, a1 = max(0, x0 - MARGIN), min(NX, x1 + MARGIN)
    b0, b1 = max(0, y0 - MARGIN), min(NY, y1 + MARGIN)
    ref = scipy_pipeline(vol[a0:a1, b0:b1, :])[x0 - a0:x1 - a0, y0 - b0:y1 - b0, :]
    got = out[x0:x1, y0:y1, :]
    err = np.max(np.abs(got.astype(np.float64) - ref)) / max(1.0, float(np.max(np.abs(ref))))
    return err


def stitched_plane(d):
    src, dst = os.path.join(d, "wide.npy"), os.path.join(d, "spots.npy")
    # made by zslab, so that this process stays small: a forked child's peak RSS counts the
    # parent's pages until it execs
    run("create", src, "--shape", f"{NX}x{NY}x{NZ}", "--dtype", "uint16", "--pattern", "phantom", "--seed", "11")
    # what one worker would hold with whole planes: (slab + halo) planes in two float buffers
    whole_planes_mib = 2 * (1 + 2 * 18) * NX * NY * 4 / 2**20
    assert whole_planes_mib > 4 * BUDGET_MIB
    args = [ZSLAB, "filter", src, dst, "--op", f"white_tophat:size={TOPHAT}",
            "--op", f"dog:sigma1={S1:g}:sigma2={S2:g}", "--dtype", "float32", "--mem-budget", f"{BUDGET_MIB}M",
            "--threads", "2", "--quiet"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run(args, capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} exited {p.returncode}: {p.stderr}")
    if peak <= before:
        print(f"note: an earlier child had a larger peak ({before / 1024:.1f} MiB); this run's is below it")
    print(f"peak RSS {peak / 1024:.1f} MiB for {NX}x{NY}x{NZ} with a {BUDGET_MIB} MiB budget "
          f"(whole-plane slabs would need {whole_planes_mib:.0f} MiB per worker)")
    # An AddressSanitizer build holds shadow memory and a quarantine of freed blocks beside what
    # zslab asks for: its bound is looser (CI runs the suite again under ASan).
    with open(ZSLAB, "rb") as f:
        sanitized = b"__asan_init" in f.read()
    limit = BUDGET_MIB * (2.5 if sanitized else 1.0)
    if peak > limit * 1024:
        sys.exit(f"FAIL: peak RSS {peak / 1024:.1f} MiB over {limit:.0f} MiB (budget {BUDGET_MIB} MiB"
                 f"{', x2.5 under ASan' if sanitized else ''})")
    vol = np.load(src)
    out = np.load(dst, mmap_mode="r")
    if out.shape != vol.shape or out.dtype != np.float32:
        sys.exit(f"FAIL: output {out.shape} {out.dtype}")
    B = 48
    blocks = {
        "corner (0,0)": (0, B, 0, B),
        "corner (max,max)": (NX - B, NX, NY - B, NY),
        "corner (0,max)": (0, B, NY - B, NY),
        "edge y=0": (NX // 2, NX // 2 + B, 0, B),
        "edge y=max": (NX // 3, NX // 3 + B, NY - B, NY),
        "edge x=max": (NX - B, NX, NY // 2, NY // 2 + B),
        "interior": (NX // 2 - 7, NX // 2 + B, NY // 2 - 13, NY // 2 + B),
    }
    failures = 0
    for name, (x0, x1, y0, y1) in blocks.items():
        err = block_check(vol, out, x0, x1, y0, y1)
        ok = err < 1e-5
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} block {name}: max error {err:.2e} of max |scipy|")
    return failures


def planner(d):
    """Per engine: the planner's choice depends on the input's residency (a sparse file is never
    cached, so auto would pick direct for the larger job only), and direct raises bands to its
    requests; either way the bytes per worker must not grow with the plane."""
    failures = 0
    for engine in ("pread", "direct"):
        last = None
        for ny in (1024, 16384):
            raw = os.path.join(d, f"planes_{ny}.raw")
            with open(raw, "wb") as f:  # sparse: the planner reads nothing
                f.truncate(4096 * ny * 8 * 2)
            out, _ = run("filter", raw, os.path.join(d, "o.npy"), "--in-shape", f"4096x{ny}x8", "--in-dtype",
                         "uint16", "--op", "gaussian:sigma=2", "--threads", "1", "--mem-budget", "64M", "--dry-run",
                         "--engine", engine)
            band = re.search(r"tiles:\s+bands of (\d+) of (\d+) rows", out)
            worker = re.search(r"per worker: ([\d.]+) MiB", out)
            peak = re.search(r"peak:\s+([\d.]+) MiB", out)
            if not (band and worker and peak):
                print(f"FAIL: --dry-run for 4096x{ny} does not print the band and bytes per worker:\n{out}")
                failures += 1
                continue
            print(f"{engine} 4096x{ny}: band {band.group(1)} rows, {worker.group(1)} MiB per worker, "
                  f"peak {peak.group(1)} MiB")
            if float(peak.group(1)) > 64:
                print("FAIL: the estimate is over the budget")
                failures += 1
            if last is not None and float(worker.group(1)) > 1.05 * last:
                print(f"FAIL: bytes per worker grow with the plane height ({engine})")
                failures += 1
            last = float(worker.group(1))
    return failures


def main():
    d = workdir("tiles")
    failures = stitched_plane(d) + planner(d)
    if failures:
        sys.exit(f"FAIL: {failures} check(s)")
    shutil.rmtree(d)
    print("tiles: all checks passed")


if __name__ == "__main__":
    main()
