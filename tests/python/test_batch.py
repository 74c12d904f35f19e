#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab filter --batch: many stacks in one command.

Five 40x30x20 uint16 stacks written by numpy, one of them truncated: the four good outputs are
complete and byte-identical to single `zslab filter` runs, the table names the corrupt one and
why, the exit code is 1 and the last line on stderr names it. The same command again does no
work for the four (the table says skipped; the outputs' mtimes do not change); --force redoes
them; another pipeline or a touched input redoes them with a note. A --jobs-file (comments,
blank lines, list order kept), a directory (its volume files in natural order; a garbage header
named), a glob with --out-format, an interrupted batch (no partial output left; a rerun
finishes it), and the usage errors (exit 2) and unreadable inputs (exit 1).

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import ZSLAB, fail, finish, same_files, workdir, zs  # noqa: E402

W = workdir("batch")
OPS = ["--op", "gaussian:sigma=1.5", "--op", "median:size=3"]


def path(*names):
    return os.path.join(W, *names)


def table(stdout):
    """{stack: (status, seconds, mvox, output-or-error)} from the summary table."""
    lines = stdout.splitlines()
    if not lines or not lines[0].startswith("stack"):
        return {}
    rows = {}
    for line in lines[1:]:
        f = re.split(r"\s{2,}", line.strip(), maxsplit=4)
        if len(f) == 5:
            rows[f[0]] = tuple(f[1:])
    return rows


def stacks(folder, names, seed):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name in names:
        vol = rng.integers(0, 60000, size=(40, 30, 20), dtype=np.uint16)
        np.save(os.path.join(folder, name), np.asfortranarray(vol))


def truncate(f, keep=5000):
    with open(f, "rb") as x:
        data = x.read()
    with open(f, "wb") as x:
        x.write(data[:keep])


def reference(src, out):
    """The output of a single `zslab filter` run."""
    r = zs("filter", src, out, *OPS, "-q", "--force")
    if r.returncode:
        fail(f"single filter {src}: {r.stderr.strip()}")


def mtimes(files):
    return {f: os.stat(f).st_mtime_ns for f in files}


def expect(r, code, what, *words):
    """Exit code `code`; the last line on stderr holds every word."""
    last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    if r.returncode != code or any(w not in last for w in words):
        fail(f"{what}: exit {r.returncode} (want {code}), last stderr line {last!r} (want {words})")
        return False
    return True


def test_acceptance():
    """Acceptance 6: five stacks, one corrupt; a rerun does no work; --force redoes."""
    data = path("data")
    good = ["a.npy", "b.npy", "c.npy", "d.npy"]
    stacks(data, good + ["e.npy"], 1)
    truncate(os.path.join(data, "e.npy"))
    out = path("out")
    for n in good:
        reference(os.path.join(data, n), path("ref-" + n))
    r = zs("filter", "--batch", data, "--out-dir", out, *OPS, "--threads", 2)
    rows = table(r.stdout)
    expect(r, 1, "batch with a corrupt stack", "1 of 5", "failed", "e.npy")
    bad = rows.get(os.path.join(data, "e.npy"))
    if not bad or bad[0] != "FAILED" or "truncated" not in bad[3]:
        fail(f"the table does not name e.npy as FAILED and why: {r.stdout!r}")
    outs = [os.path.join(out, n) for n in good]
    for n, o in zip(good, outs):
        row = rows.get(os.path.join(data, n))
        if not row or row[0] != "ok" or row[3] != o:
            fail(f"{n}: row {row}")
        elif not same_files(o, path("ref-" + n)):
            fail(f"{n}: batch output differs from a single zslab filter run")
    left = [f for f in os.listdir(out) if f not in good and f != ".zslab-batch"]
    if left:
        fail(f"the failed stack left {left} in the output directory")
    print(f"ok: 4 of 5 stacks done, byte-identical to single runs; {bad[3] if bad else ''}")

    before = mtimes(outs)
    time.sleep(0.05)
    r = zs("filter", "--batch", data, "--out-dir", out, *OPS, "--threads", 2)
    rows = table(r.stdout)
    expect(r, 1, "rerun", "e.npy")
    states = [rows.get(os.path.join(data, n), ("?",))[0] for n in good]
    if states != ["skipped"] * 4 or mtimes(outs) != before:
        fail(f"rerun: states {states}, mtimes changed: {mtimes(outs) != before}")
    else:
        print("ok: a rerun skips the 4 complete stacks (mtimes unchanged)")

    r = zs("filter", "--batch", data, "--out-dir", out, *OPS, "--threads", 2, "--force")
    rows = table(r.stdout)
    states = [rows.get(os.path.join(data, n), ("?",))[0] for n in good]
    changed = [o for o in outs if os.stat(o).st_mtime_ns != before[o]]
    if r.returncode != 1 or states != ["ok"] * 4 or len(changed) != 4:
        fail(f"--force: exit {r.returncode}, states {states}, rewritten {len(changed)}")
    elif not all(same_files(o, path("ref-" + n)) for n, o in zip(good, outs)):
        fail("--force: outputs differ from single runs")
    else:
        print("ok: --force redoes them")

    # another pipeline, a touched input: redone, with a note saying why
    os.utime(os.path.join(data, "a.npy"))
    r = zs("filter", "--batch", data, "--out-dir", out, "--op", "gaussian:sigma=2")
    states = [table(r.stdout).get(os.path.join(data, n), ("?",))[0] for n in good]
    if states != ["ok"] * 4 or "another pipeline" not in r.stderr or "input changed" not in r.stderr:
        fail(f"another pipeline / touched input: states {states}, stderr {r.stderr!r}")
    else:
        print("ok: another pipeline or a touched input redoes the stacks, saying why")


def test_jobs_file_dir_glob():
    data = path("many")
    stacks(data, ["s1.npy", "s2.npy", "s10.npy", "s3.npy"], 2)
    with open(os.path.join(data, "README.txt"), "w") as f:
        f.write("not a volume\n")
    with open(os.path.join(data, ".hidden.npy"), "wb") as f:
        f.write(b"hidden")
    with open(os.path.join(data, "junk.npy"), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00garbage header, not a dict" + bytes(200))
    for n in ("s1.npy", "s2.npy", "s3.npy", "s10.npy"):
        reference(os.path.join(data, n), path("ref-" + n))

    # --jobs-file: comments, blank lines, surrounding blanks; the list's order is kept
    rel = os.path.relpath(data)
    jobs = path("jobs.txt")
    with open(jobs, "w") as f:
        f.write(f"# stacks of today\n\n  {rel}/s10.npy  \n{os.path.join(data, 's2.npy')}\n# {rel}/s3.npy\n")
    r = zs("filter", "--jobs-file", jobs, "--out-dir", path("jobs-out"), *OPS, "-q")
    rows = table(r.stdout)
    if r.returncode or list(rows) != [f"{rel}/s10.npy", os.path.join(data, "s2.npy")]:
        fail(f"--jobs-file: exit {r.returncode}, rows {list(rows)}, stderr {r.stderr.strip()!r}")
    elif not (same_files(path("jobs-out", "s10.npy"), path("ref-s10.npy")) and
              same_files(path("jobs-out", "s2.npy"), path("ref-s2.npy"))):
        fail("--jobs-file: outputs differ from single runs")
    else:
        print("ok: --jobs-file (comments and blank lines skipped, order kept)")

    # a directory: its volume files in natural order; the garbage header is named
    r = zs("filter", "--batch", data, "--out-dir", path("dir-out"), *OPS, "-q")
    rows = table(r.stdout)
    want = [os.path.join(data, n) for n in ("junk.npy", "s1.npy", "s2.npy", "s3.npy", "s10.npy")]
    if list(rows) != want:
        fail(f"directory: rows {list(rows)}, want {want}")
    expect(r, 1, "directory with a garbage header", "junk.npy")
    if rows.get(want[0], ("?",))[0] != "FAILED" or "junk.npy" not in rows.get(want[0], ("",) * 4)[3]:
        fail(f"directory: junk.npy row {rows.get(want[0])}")
    if any(rows.get(w, ("?",))[0] != "ok" for w in want[1:]):
        fail(f"directory: rows {rows}")
    else:
        print(f"ok: a directory, natural order, garbage header named: {rows[want[0]][3]}")

    # a quoted glob with --out-format: the same bytes as single runs to that format
    r = zs("filter", "--batch", os.path.join(data, "s*.npy"), "--out-dir", path("glob-out"), "--out-format", "nii",
           *OPS, "-q")
    rows = table(r.stdout)
    if r.returncode or len(rows) != 4:
        fail(f"glob: exit {r.returncode}, rows {list(rows)}, stderr {r.stderr.strip()!r}")
    else:
        reference(os.path.join(data, "s3.npy"), path("ref-s3.nii"))
        if not same_files(path("glob-out", "s3.nii"), path("ref-s3.nii")):
            fail("glob: s3.nii differs from a single run")
        else:
            print("ok: a glob with --out-format nii")


def test_interrupted():
    data = path("slow")
    stacks(data, ["p1.npy", "p2.npy", "p3.npy"], 3)
    out = path("slow-out")
    cmd = [ZSLAB, "filter", "--batch", data, "--out-dir", out, *OPS, "--slab", 1, "--threads", 2]
    env = dict(os.environ, ZS_TEST_SLAB_DELAY_MS="30")  # 20 slabs of 30 ms per stack
    p = subprocess.Popen(list(map(str, cmd)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not os.path.exists(os.path.join(out, "p2.npy.partial")):
        time.sleep(0.005)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=60)
    rows = table(stdout)
    states = [rows.get(os.path.join(data, n), ("?",))[0] for n in ("p1.npy", "p2.npy", "p3.npy")]
    partial = [f for f in os.listdir(out) if f.endswith(".partial")]
    if p.returncode != 1 or states != ["ok", "FAILED", "not run"] or partial or "interrupted" not in stderr:
        fail(f"interrupted batch: exit {p.returncode}, states {states}, partial files {partial}, stderr {stderr!r}")
    r = zs("filter", "--batch", data, "--out-dir", out, *OPS, "--slab", 1, "--threads", 2)
    states = [table(r.stdout).get(os.path.join(data, n), ("?",))[0] for n in ("p1.npy", "p2.npy", "p3.npy")]
    if r.returncode or states != ["skipped", "ok", "ok"]:
        fail(f"rerun after the interruption: exit {r.returncode}, states {states}")
    else:
        print("ok: an interrupted batch leaves no partial output; the rerun finishes it")


def crash_batch(data, out, crash_on, *extra):
    """A batch whose stack s2.npy crashes its process (the test hook raises SIGSEGV, as Debian's
    libhdf5 does in the attributes of a corrupt Imaris file): rows, and the CompletedProcess."""
    env = dict(os.environ, ZS_TEST_CRASH_ON=crash_on)
    r = zs("filter", "--batch", data, "--out-dir", out, *OPS, "--threads", 2, *extra, env=env)
    return table(r.stdout), r


def test_crashing_decoder():
    """A stack whose decoder crashes while it is checked (at open) or run fails alone: the table
    and the report say it crashed, the others finish, exit 1, nothing of it is left."""
    data = path("crash")
    names = ["s1.npy", "s2.npy", "s3.npy"]
    stacks(data, names, 4)
    for when in ("", "@run"):
        out = path("crash-out" + when.replace("@", "-"))
        report = out + ".html"
        rows, r = crash_batch(data, out, "s2.npy" + when, "--report", report)
        states = [rows.get(os.path.join(data, n), ("?",))[0] for n in names]
        why = rows.get(os.path.join(data, "s2.npy"), ("?",) * 4)[3]
        page = open(report).read() if os.path.exists(report) else ""
        left = sorted(f for f in os.listdir(out) if f != ".zslab-batch") if os.path.isdir(out) else None
        records = sorted(os.listdir(os.path.join(out, ".zslab-batch"))) if os.path.isdir(out) else None
        if (r.returncode != 1 or states != ["ok", "FAILED", "ok"] or
                why != os.path.join(data, "s2.npy") + ": crashed in its decoder (SIGSEGV)"):
            fail(f"crash{when}: exit {r.returncode}, states {states}, why {why!r}, stderr {r.stderr!r}")
        elif "crashed in its decoder (SIGSEGV)" not in page or "s2.npy" not in r.stderr.splitlines()[-1]:
            fail(f"crash{when}: the report or the last line does not name the crashed stack: {r.stderr!r}")
        elif left != ["s1.npy", "s3.npy"] or records != ["s1.npy.done", "s3.npy.done"]:
            fail(f"crash{when}: the crashed stack left {left}, records {records}")
        else:
            print(f"ok: a stack that crashes {'in its run' if when else 'at open'} fails alone: {why}")
    # the batch's other answers hold for a crashed stack: a rerun redoes it (once it no longer crashes);
    # a three-view of the report that crashes costs that image only
    report = path("crash-rerun.html")
    rows, r = crash_batch(data, path("crash-out"), "s3.npy@preview", "--report", report)
    states = [rows.get(os.path.join(data, n), ("?",))[0] for n in names]
    page = open(report).read() if os.path.exists(report) else ""
    if r.returncode or states != ["skipped", "ok", "skipped"]:
        fail(f"rerun after a crash: exit {r.returncode}, states {states}, stderr {r.stderr!r}")
    elif page.count("<img") != 4 or page.count("no preview: " + os.path.join(data, "s3.npy") +
                                                ": crashed in its decoder (SIGSEGV)") != 1:
        fail(f"a crashing three-view: {page.count('<img')} images, {page.count('no preview')} without one")
    else:
        print("ok: the rerun after a crash does the crashed stack only; a crashing three-view costs that image")


def test_usage():
    data = path("data")
    out = path("u-out")
    empty = path("empty.txt")
    with open(empty, "w") as f:
        f.write("# nothing here\n\n")
    two = path("two.txt")
    os.makedirs(path("other"), exist_ok=True)
    shutil.copy(path("data", "a.npy"), path("other", "a.npy"))
    with open(two, "w") as f:
        f.write(f"{path('data', 'a.npy')}\n{path('other', 'a.npy')}\n")
    cases = [
        ("no --out-dir", 2, ["--batch", data, *OPS], ["--out-dir"]),
        ("a positional OUT", 2, ["--batch", data, "x.npy", "--out-dir", out, *OPS], ["x.npy"]),
        ("--part", 2, ["--batch", data, "--out-dir", out, "--part", "0/2", *OPS], ["--part"]),
        ("--resume", 2, ["--batch", data, "--out-dir", out, "--resume", *OPS], ["--resume"]),
        ("--out-dir alone", 2, [path("data", "a.npy"), "x.npy", "--out-dir", out, *OPS], ["--batch"]),
        ("--batch and --jobs-file", 2, ["--batch", data, "--jobs-file", two, "--out-dir", out, *OPS], ["--jobs-file"]),
        ("a bad --out-format", 2, ["--batch", data, "--out-dir", out, "--out-format", "png", *OPS], ["png"]),
        ("a bad --op", 2, ["--batch", data, "--out-dir", out, "--op", "gaussian:sigmx=1"], ["sigmx"]),
        ("an empty list", 2, ["--jobs-file", empty, "--out-dir", out, *OPS], ["empty.txt"]),
        ("an output name clash", 2, ["--jobs-file", two, "--out-dir", out, *OPS], ["a.npy", "both"]),
        ("a volume as the list", 2, ["--batch", path("data", "a.npy"), "--out-dir", out, *OPS], ["a.npy"]),
        ("--out-dir = the batch directory", 2, ["--batch", data, "--out-dir", data, *OPS], ["--out-dir"]),
        ("an unreadable list file", 1, ["--jobs-file", path("nope.txt"), "--out-dir", out, *OPS], ["nope.txt"]),
        ("a glob matching nothing", 1, ["--batch", path("nope", "*.npy"), "--out-dir", out, *OPS], ["nope/*.npy"]),
    ]
    for what, code, args, words in cases:
        r = zs("filter", *args)
        if expect(r, code, what, *words) and r.stdout:
            fail(f"{what}: a table was printed: {r.stdout!r}")
    if os.path.exists(out):
        fail("a usage error created the output directory")
    r = zs("filter", "--help")
    if r.returncode or "--batch LIST|GLOB|DIR" not in r.stdout or "stdout" not in r.stdout:
        fail("filter --help does not describe --batch")
    print("ok: usage errors exit 2, unreadable inputs exit 1, each naming what is wrong")


def main():
    t0 = time.monotonic()
    test_acceptance()
    test_jobs_file_dir_glob()
    test_interrupted()
    test_crashing_decoder()
    test_usage()
    print(f"{time.monotonic() - t0:.1f} s")
    finish("all batch checks passed", W)


if __name__ == "__main__":
    main()
