# SPDX-License-Identifier: BSD-3-Clause
"""Shared by the test_hpc_*.py tests: a small phantom, the reference output of one plain run, and
commands for parts, resumed runs and MPI."""
import os
import subprocess
import sys

from zstest import ZSLAB, run

SKIP = 77  # ctest: SKIP_RETURN_CODE
# Two kernels with z-halos, so that every part reads planes of its neighbours.
OPS = ["--op", "gaussian:sigma=1", "--op", "uniform:size=3"]
SHAPE = "64x48x40"


def phantom(d, name="in.npy", shape=SHAPE, seed=1):
    path = os.path.join(d, name)
    run("create", path, "--shape", shape, "--dtype", "uint16", "--pattern", "phantom", "--seed", seed, "--force")
    return path


def reference(src, dst, *extra):
    """The output of one plain run: the bytes every split must reproduce."""
    run("filter", src, dst, *OPS, "--quiet", "--force", *extra)
    with open(dst, "rb") as f:
        return f.read()


def filter_cmd(src, dst, *extra):
    return [ZSLAB, "filter", src, dst, *OPS, "--quiet", *map(str, extra)]


def same_bytes(path, ref, what):
    if not os.path.exists(path):
        sys.exit(f"FAIL {what}: {path} does not exist")
    with open(path, "rb") as f:
        got = f.read()
    if got != ref:
        n = min(len(got), len(ref))
        first = next((i for i in range(n) if got[i] != ref[i]), n)
        sys.exit(f"FAIL {what}: {path} differs from the single run ({len(got)} vs {len(ref)} bytes, first at {first})")


def status(out, expect):
    """`zslab status OUT`: checks the exit code (0 complete, 3 incomplete); returns stdout."""
    p = subprocess.run([ZSLAB, "status", out], capture_output=True, text=True)
    if p.returncode != expect:
        sys.exit(f"FAIL: zslab status {out}: exit {p.returncode}, expected {expect}\n{p.stdout}{p.stderr}")
    return p.stdout


def check(p, rc, what, err=None):
    """A finished subprocess.CompletedProcess/Popen result: exit code and a piece of stderr."""
    if p.returncode != rc or (err and err not in (p.stderr or "")):
        sys.exit(f"FAIL {what}: exit {p.returncode} (expected {rc}{', stderr with ' + repr(err) if err else ''})\n"
                 f"  stdout: {(p.stdout or '').strip()}\n  stderr: {(p.stderr or '').strip()}")
