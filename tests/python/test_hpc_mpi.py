# SPDX-License-Identifier: BSD-3-Clause
"""`mpirun --oversubscribe -np 3 zslab filter ...` gives the bytes of a single run, with one summary
line (rank 0's) and a complete output; a journal left by an MPI job is resumed by a second one; a
rank that fails makes the whole job fail with its message, without hanging. Skipped (exit 77) when
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


def mpirun(n, src, out, *extra, env=None):
    cmd = ["mpirun", "--oversubscribe", "-np", str(n), ZSLAB, "filter", src, out, *OPS, *map(str, extra)]
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
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
