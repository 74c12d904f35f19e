# SPDX-License-Identifier: BSD-3-Clause
"""Peak resident memory stays under --mem-budget while filtering a volume four times that size
(2 GiB of uint16 with --mem-budget 512M), and the output is complete and right at its edges."""
import os
import resource
import shutil
import subprocess
import sys

import numpy as np

from zstest import ZSLAB, run, workdir


def main():
    d = workdir("membudget")
    src, dst = os.path.join(d, "big.npy"), os.path.join(d, "out.npy")
    run("create", src, "--shape", "1024x1024x1024", "--dtype", "uint16", "--pattern", "noise", "--seed", "3")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([ZSLAB, "filter", src, dst, "--op", "gaussian:sigma=1", "--mem-budget", "512M",
                        "--threads", "2", "--quiet"], capture_output=True, text=True)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if p.returncode != 0:
        sys.exit(f"FAIL: filter exited {p.returncode}: {p.stderr}")
    print(f"peak RSS of zslab filter: {peak_kib / 1024:.1f} MiB (budget 512 MiB; create's peak {before / 1024:.1f} MiB)")
    if peak_kib >= 512 * 1024:
        sys.exit("FAIL: peak RSS over the 512 MiB budget")
    a, b = np.load(src, mmap_mode="r"), np.load(dst, mmap_mode="r")
    if b.shape != a.shape or b.dtype != a.dtype:
        sys.exit(f"FAIL: output {b.shape} {b.dtype}")
    # spot check: the last planes were written (not left zero) and values are smoothed noise
    last = np.asarray(b[:, :, -1], dtype=np.float64)
    if not (last.std() > 0 and last.std() < np.asarray(a[:, :, -1], dtype=np.float64).std()):
        sys.exit("FAIL: the last plane does not look filtered")
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
