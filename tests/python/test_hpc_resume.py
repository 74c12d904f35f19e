# SPDX-License-Identifier: BSD-3-Clause
"""A journaled run sent SIGTERM or SIGINT mid-run exits 75, keeps OUT.partial and the journal, and
--resume finishes it to the bytes of an uninterrupted run; so does a run killed with SIGKILL (the
slabs in flight were never recorded and are redone), a second signal, and a torn journal line.
--journal refuses an existing journal (--force starts over); --drop-cache changes no byte.

Runs are slowed down by the test hook ZS_TEST_SLAB_DELAY_MS (a sleep before each slab) so that
the signal arrives mid-run whatever the machine's speed."""
import os
import shutil
import signal
import subprocess
import sys
import time

from zshpc import check, filter_cmd, phantom, reference, same_bytes, status
from zstest import workdir

SLOW = dict(os.environ, ZS_TEST_SLAB_DELAY_MS="40")
SLABS = 40  # --slab 1 on 40 planes


def records(out):
    d = out + ".zsjournal"
    n = 0
    for name in os.listdir(d):
        if name.startswith("part-"):
            with open(os.path.join(d, name)) as f:
                n += sum(1 for line in f if line.startswith("slab ") and line.endswith("\n"))
    return n


def recorded_soon(out, n, p):
    """Waits until the journal of `out` holds n records (or the run ended)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None:
        if os.path.isdir(out + ".zsjournal") and records(out) >= n:
            return
        time.sleep(0.01)


def interrupted(src, out, sig, *args, after=3, twice=False):
    """Starts a slow journaled run and signals it once `after` slabs are recorded; returns
    (returncode, stderr)."""
    p = subprocess.Popen(filter_cmd(src, out, "--threads", 2, "--slab", 1, *args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=SLOW)
    recorded_soon(out, after, p)
    p.send_signal(sig)
    if twice:
        time.sleep(0.01)
        p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    return p.returncode, err


def left_for_resume(out, what):
    if os.path.exists(out) or not os.path.exists(out + ".partial") or not os.path.isdir(out + ".zsjournal"):
        sys.exit(f"FAIL {what}: want OUT.partial and OUT.zsjournal, no OUT")
    n = records(out)
    if not 0 < n < SLABS:
        sys.exit(f"FAIL {what}: {n} slabs recorded; the signal came too early or too late")
    status(out, 3)
    return n


def resume(src, out, ref, what, *args):
    p = subprocess.run(filter_cmd(src, out, *args, "-v"), capture_output=True, text=True)
    check(p, 0, f"{what}: resume")
    same_bytes(out, ref, f"{what}, then resumed")
    status(out, 0)
    return p.stderr


def stopped_by_signal(src, d, ref):
    for sig, flag in ((signal.SIGTERM, "--journal"), (signal.SIGINT, "--resume")):
        out = os.path.join(d, f"stop-{sig.name}.npy")
        rc, err = interrupted(src, out, sig, flag)
        if rc == 0:
            sys.exit(f"FAIL: the run finished before {sig.name}; raise ZS_TEST_SLAB_DELAY_MS")
        if rc != 75 or "interrupted" not in err or "run the same command again" not in err:
            sys.exit(f"FAIL {sig.name}: exit {rc} (want 75), stderr: {err}")
        n = left_for_resume(out, sig.name)
        log = resume(src, out, ref, sig.name, "--resume", "--threads", 2, "--slab", 1)
        if f"({n} of them done before)" not in log:
            sys.exit(f"FAIL {sig.name}: the resumed run did not skip the {n} recorded slabs:\n{log}")
        print(f"ok   {sig.name} with {flag}: exit 75 after {n} slabs, --resume completes it")


def killed(src, d, ref):
    out = os.path.join(d, "killed.npy")
    rc, _ = interrupted(src, out, signal.SIGKILL, "--resume")
    if rc != -signal.SIGKILL:
        sys.exit(f"FAIL: SIGKILL: exit {rc}")
    n = left_for_resume(out, "SIGKILL")
    log = resume(src, out, ref, "SIGKILL", "--resume", "--threads", 2, "--slab", 1)
    # the journal holds exactly the slabs whose bytes were on disk: those, and only those, are skipped
    if f"({n} of them done before)" not in log:
        sys.exit(f"FAIL SIGKILL: the resumed run did not report skipping the {n} recorded slabs:\n{log}")
    print(f"ok   SIGKILL after {n} slabs, --resume skips those {n} and completes it")
    # a second signal ends at once (killed by it) and still leaves what is needed to resume
    out = os.path.join(d, "twice.npy")
    rc, _ = interrupted(src, out, signal.SIGTERM, "--journal", twice=True)
    if rc not in (-signal.SIGTERM, 75):
        sys.exit(f"FAIL: two SIGTERMs: exit {rc}")
    left_for_resume(out, "two SIGTERMs")
    resume(src, out, ref, "two SIGTERMs", "--resume")
    print("ok   two SIGTERMs end at once, --resume completes it")


def torn_line(src, d, ref):
    out = os.path.join(d, "torn.npy")
    interrupted(src, out, signal.SIGKILL, "--resume")
    journal = os.path.join(out + ".zsjournal", "part-0-of-1")
    with open(journal, "a") as f:
        f.write("slab 39 0 39")  # a writer killed in the middle of its line
    resume(src, out, ref, "a torn journal line", "--resume", "--threads", 1)
    with open(journal) as f:
        text = f.read()
    if "slab 39 0 39slab" in text:
        sys.exit("FAIL: the next record was glued to the torn line")
    print("ok   a torn journal line is ignored and the next record starts a new line")


def part_interrupted(src, d, ref):
    out = os.path.join(d, "part.npy")
    rc, err = interrupted(src, out, signal.SIGTERM, "--part", "1/2", after=2)
    if rc != 75:
        sys.exit(f"FAIL: part 1/2 interrupted: exit {rc}: {err}")
    p = subprocess.run(filter_cmd(src, out, "--part", "1/2"), capture_output=True, text=True)
    check(p, 0, "part 1/2 again")
    status(out, 3)
    p = subprocess.run(filter_cmd(src, out, "--part", "0/2"), capture_output=True, text=True)
    check(p, 0, "part 0/2")
    same_bytes(out, ref, "an interrupted part run again, then the other part")
    print("ok   an interrupted part finishes when run again")


def fresh_journal(src, d, ref):
    out = os.path.join(d, "fresh.npy")
    p = subprocess.run(filter_cmd(src, out, "--journal", "--drop-cache"), capture_output=True, text=True)
    check(p, 0, "--journal --drop-cache")
    same_bytes(out, ref, "--journal --drop-cache")
    p = subprocess.run(filter_cmd(src, out, "--journal"), capture_output=True, text=True)
    check(p, 1, "--journal with a journal there", "a journal exists")
    p = subprocess.run(filter_cmd(src, out, "--journal", "--force", "--no-drop-cache"), capture_output=True, text=True)
    check(p, 0, "--journal --force")
    same_bytes(out, ref, "--journal --force")
    print("ok   --journal refuses an existing journal, --force starts over, --drop-cache changes nothing")


def main():
    d = workdir("hpc-resume")
    src = phantom(d)
    ref = reference(src, os.path.join(d, "ref.npy"))
    stopped_by_signal(src, d, ref)
    killed(src, d, ref)
    torn_line(src, d, ref)
    part_interrupted(src, d, ref)
    fresh_journal(src, d, ref)
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
