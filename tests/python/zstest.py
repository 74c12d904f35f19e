# SPDX-License-Identifier: BSD-3-Clause
"""Shared helpers for the Python tests: find the zslab tool, run it, fail loudly or collect failures."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

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


def zs(*args, env=None, timeout=120):
    """Runs zslab with args without checking; returns the CompletedProcess (text stdout/stderr)."""
    return subprocess.run([ZSLAB, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


def capture(args, timeout=60):
    """Runs a command line (the tool's path first); returns the CompletedProcess (text stdout/stderr)."""
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)


def same_files(a, b):
    """True when the files a and b hold the same bytes."""
    with open(a, "rb") as x, open(b, "rb") as y:
        return x.read() == y.read()


# Scripts that check many things report every failure, then exit 1 (fail, then finish).
FAILURES = []


def converted(src, out, name):
    """`zslab convert src out` (out: a .npy); the array, or None after fail() naming `name`."""
    import numpy as np
    r = zs("convert", src, out, "--force", "-q")
    if r.returncode != 0:
        fail(f"{name}: zslab convert: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return np.load(out)


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg, flush=True)


def finish(passed, w=None):
    """After any fail(): prints the count and exits 1, keeping the work directory w to look at.
    Else removes w and prints `passed`."""
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        sys.exit(1)
    if w:
        shutil.rmtree(w, ignore_errors=True)
    print(passed)


def find_tools():
    """(zslab, slabdump): ZSLAB, and ZS_SLABDUMP or tests/slabdump searched upward from ZSLAB's
    directory; exits 1 when either is missing."""
    zslab = os.environ.get("ZSLAB")
    if not zslab or not os.access(zslab, os.X_OK):
        print(f"FAIL: ZSLAB is not set to the zslab tool (got {zslab!r})")
        sys.exit(1)
    dump = os.environ.get("ZS_SLABDUMP")
    if not dump:
        d = os.path.dirname(os.path.abspath(zslab))
        while True:
            cand = os.path.join(d, "tests", "slabdump")
            if os.access(cand, os.X_OK):
                dump = cand
                break
            if os.path.dirname(d) == d:
                break
            d = os.path.dirname(d)
    if not dump or not os.access(dump, os.X_OK):
        print("FAIL: tests/slabdump not found (set ZS_SLABDUMP or build the tests/tools target)")
        sys.exit(1)
    return zslab, dump


def wait_stopped(pid):
    """True once pid is stopped (the test hook ZS_TEST_STOP_AT_SLAB makes zslab stop itself)."""
    for _ in range(3000):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "T":
                    return True
        except OSError:
            return False
        time.sleep(0.01)
    return False


def killed(args, stop_at):
    """Runs zslab args, stopped by the hook before slab stop_at, then kill -9. True when it stopped."""
    env = dict(os.environ, ZS_TEST_STOP_AT_SLAB=str(stop_at))
    p = subprocess.Popen([ZSLAB, *map(str, args)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = wait_stopped(p.pid)
    p.send_signal(signal.SIGKILL)
    p.wait()
    return ok
