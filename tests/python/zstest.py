# SPDX-License-Identifier: BSD-3-Clause
"""Shared helpers for the Python tests: find the zslab tool, run it, fail loudly."""
import os
import subprocess
import sys
import tempfile

ZSLAB = os.environ.get("ZSLAB") or os.path.join(os.path.dirname(__file__), "..", "..", "build", "zslab")


def run(*args, expect=0, env=None):
    """Runs zslab with args; checks the exit code; returns (stdout, stderr)."""
    p = subprocess.run([ZSLAB, *map(str, args)], capture_output=True, text=True, env=env)
    if expect is not None and p.returncode != expect:
        sys.exit(f"FAIL: zslab {' '.join(map(str, args))}\n  exit {p.returncode}, expected {expect}\n"
                 f"  stdout: {p.stdout.strip()}\n  stderr: {p.stderr.strip()}")
    return p.stdout, p.stderr


def workdir(name):
    """A fresh temporary directory for one test script."""
    return tempfile.mkdtemp(prefix=f"zs-{name}-", dir=os.getcwd())
