# SPDX-License-Identifier: BSD-3-Clause
"""`mpirun --oversubscribe -np 3 zslab filter ...` gives the bytes of a single run, with one summary
line (rank 0's) and a complete output; a journal left by an MPI job is resumed by a second one; a
rank that fails makes the whole job fail with its message, without hanging. The same for
`zslab label` (labels and table as a plain run's). Skipped (exit 77) when
zslab was built without MPI or mpirun is missing."""
import os
import shutil
import subprocess
import sys

from zshpc import SKIP, OPS, check, phantom, reference, same_bytes, status
from zstest import ZSLAB, run, workdir

# Root in containers and CI: OpenMPI refuses to run as root unless told. Under the sanitizers,
# OpenMPI's own allocations that it never frees are not zslab's leaks.
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")


def mpirun(n, src, out, *extra, env=None, command=None):
    args = command or ["filter", src, out, *OPS]
    cmd = ["mpirun", "--oversubscribe", "-np", str(n), ZSLAB, *args, *map(str, extra)]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env or ENV, timeout=120)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAIL: {' '.join(cmd)} hung (no end after 120 s)")


def main():
    version = run("--version")[0]
    if "MPI" not in version:
        print(f"skip: this zslab was built without MPI ({version.strip()}); install libopenmpi-dev and rebuild")
        sys.exit(SKIP)
    if not shutil.which("mpirun"):
        print("skip: mpirun is not on PATH (install openmpi-bin)")
        sys.exit(SKIP)
    d = workdir("hpc-mpi")
    src = phantom(d)
    ref = reference(src, os.path.join(d, "ref.npy"))

    out = os.path.join(d, "mpi.npy")
    p = mpirun(3, src, out)
    check(p, 0, "mpirun -np 3")
    same_bytes(out, ref, "mpirun -np 3")
    st = status(out, 0)
    for r in range(3):
        if f"part {r}/3" not in st:
            sys.exit(f"FAIL: status does not show rank {r}'s slabs:\n{st}")
    lines = [line for line in p.stderr.splitlines() if line.startswith("zslab: filtered")]
    if len(lines) != 1 or "on 3 ranks" not in lines[0] or "Mvox/s" not in lines[0]:
        sys.exit(f"FAIL: want one summary line from rank 0 with the throughput of 3 ranks:\n{p.stderr}")
    print(f"ok   mpirun -np 3: same bytes; {lines[0]}")

    # a rank that fails: the job fails with its message and does not hang; its journal stays
    out = os.path.join(d, "fail.npy")
    p = mpirun(3, src, out, env=dict(ENV, ZS_TEST_FAIL_PART="1"))
    if p.returncode == 0 or "part 1 fails on purpose" not in p.stderr:
        sys.exit(f"FAIL: a failing rank: exit {p.returncode}\n{p.stderr}")
    status(out, 3)
    print(f"ok   a failing rank fails the job (exit {p.returncode}) with its message")

    # the next MPI job (2 ranks this time) resumes what the first one left
    p = mpirun(2, src, out)
    check(p, 0, "mpirun -np 2 after a failed job")
    same_bytes(out, ref, "an MPI job resumed by another")
    print("ok   a second MPI job (2 ranks) completes what the first left")
    labels(d)
    shutil.rmtree(d)


def labels(d):
    """zslab label under MPI: rank R labels part R/N of the slabs into OUT's journal, rank 0 merges."""
    import numpy as np
    from scipy import ndimage as ndi
    src = os.path.join(d, "blobs.npy")
    a = ndi.gaussian_filter(np.random.default_rng(3).random((96, 80, 120)), 2)
    np.save(src, np.asfortranarray(a > np.median(a)).astype(np.uint8))  # components cross every slab seam
    run("label", src, os.path.join(d, "lref.npy"), "--table", os.path.join(d, "lref.csv"))
    with open(os.path.join(d, "lref.npy"), "rb") as f:
        ref = f.read()
    with open(os.path.join(d, "lref.csv"), "rb") as f:
        ref_table = f.read()
    out, table = os.path.join(d, "lab.npy"), os.path.join(d, "lab.csv")
    cmd = ["label", src, out, "--table", table, "--slab", "8"]
    p = mpirun(3, src, out, env=dict(ENV, ZS_TEST_FAIL_PART="2"), command=cmd)
    if p.returncode == 0 or "part 2 fails on purpose" not in p.stderr or os.path.exists(out):
        sys.exit(f"FAIL: label, a failing rank: exit {p.returncode}, OUT {'exists' if os.path.exists(out) else 'absent'}"
                 f"\n{p.stderr}")
    p = mpirun(3, src, out, command=cmd)
    check(p, 0, "mpirun -np 3 zslab label after a failed job")
    same_bytes(out, ref, "mpirun -np 3 zslab label")
    same_bytes(table, ref_table, "mpirun -np 3 zslab label --table")
    if os.path.exists(out + ".zsjournal"):
        sys.exit("FAIL: label under MPI left its journal behind")
    said = [line for line in p.stderr.splitlines() if line.startswith("zslab: labelled")]
    if len(said) != 1:
        sys.exit(f"FAIL: label under MPI: want one summary line (rank 0's):\n{p.stderr}")
    p = mpirun(2, src, out, "--force", command=cmd)
    check(p, 2, "label --force under MPI", "--force cannot be combined with an MPI launch")
    print(f"ok   mpirun -np 3 zslab label: the labels and table of a plain run, after a failed job; {said[0]}")


if __name__ == "__main__":
    main()
