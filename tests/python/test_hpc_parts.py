# SPDX-License-Identifier: BSD-3-Clause
"""--part I/N: N in {1,2,3,7} parts started all at once in a shuffled order (and one split run
part after part, in reverse) give the bytes of a single run; OUT appears only with the last slab and
`zslab status` says so (exit 3 before, 0 after). --part slurm reads the array's variables. A part
against an output made for another input, pipeline, shape, dtype or slab height is refused with a
message naming what differs; usage errors exit 2; a plain run never writes over a journaled job."""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys

from zshpc import OPS, check, filter_cmd, phantom, reference, same_bytes, status
from zstest import ZSLAB, run, workdir


def start(cmd, env=None):
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(procs, what):
    for p in procs:
        p.stdout_text, p.stderr_text = p.communicate(timeout=120)
        if p.returncode != 0:
            sys.exit(f"FAIL {what}: {' '.join(p.args)} exited {p.returncode}: {p.stderr_text.strip()}")


def all_at_once(src, d, ref, rng):
    for n in (1, 2, 3, 7):
        out = os.path.join(d, f"at-once-{n}.npy")
        order = list(range(n))
        rng.shuffle(order)
        # mixed thread counts: the slab height comes from the journal, not from each part
        procs = [start(filter_cmd(src, out, "--part", f"{i}/{n}", "--threads", 1 + i % 2)) for i in order]
        finish(procs, f"{n} parts at once")
        same_bytes(out, ref, f"{n} parts at once (order {order})")
        st = status(out, 0)
        if "complete" not in st.splitlines()[0] or "incomplete" in st:
            sys.exit(f"FAIL: status of a complete output:\n{st}")
        print(f"ok   {n} part(s) at once, order {order}")


def one_after_another(src, d, ref):
    out = os.path.join(d, "sequential.npy")
    n = 3
    for k, i in enumerate(reversed(range(n))):
        run("filter", src, out, *OPS, "--part", f"{i}/{n}", "--slab", 2, "--quiet")
        if k < n - 1:
            if os.path.exists(out) or not os.path.exists(out + ".partial"):
                sys.exit(f"FAIL: after {k + 1} of {n} parts, OUT must not exist yet (only OUT.partial)")
            st = status(out, 3)
            if f"part {i}/{n}" not in st or "missing" not in st:
                sys.exit(f"FAIL: status after part {i}/{n}:\n{st}")
    same_bytes(out, ref, "3 parts one after another")
    if os.path.exists(out + ".partial"):
        sys.exit("FAIL: OUT.partial left beside a complete OUT")
    js = json.loads(subprocess.run([ZSLAB, "status", out, "--json"], capture_output=True, text=True).stdout)
    if not js["complete"] or js["done"] != js["slabs"] or len(js["parts"]) != 3 or js["missing"]:
        sys.exit(f"FAIL: status --json of a complete output: {js}")
    # a part run again after completion (a requeued array task) has nothing to do
    p = subprocess.run(filter_cmd(src, out, "--part", "1/3", "--slab", 2), capture_output=True, text=True)
    check(p, 0, "a part run again on a complete output")
    same_bytes(out, ref, "after a part ran again")
    print("ok   3 parts one after another, status 3 then 0, --json, a part run again")


def slurm_array(src, d, ref):
    out = os.path.join(d, "slurm.npy")
    procs = []
    for task in range(10, 14):  # --array=10-13
        env = dict(os.environ, SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_MIN="10", SLURM_ARRAY_TASK_COUNT="4")
        procs.append(start(filter_cmd(src, out, "--part", "slurm"), env))
    finish(procs, "--part slurm, --array=10-13")
    same_bytes(out, ref, "--part slurm")
    out = os.path.join(d, "slurm-step.npy")
    procs = []
    for task in (0, 2, 4):  # --array=0-4:2
        env = dict(os.environ, SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_MIN="0", SLURM_ARRAY_TASK_COUNT="3",
                   SLURM_ARRAY_TASK_STEP="2")
        procs.append(start(filter_cmd(src, out, "--part", "slurm"), env))
    finish(procs, "--part slurm, --array=0-4:2")
    same_bytes(out, ref, "--part slurm with a step")
    env = dict(os.environ, SLURM_ARRAY_TASK_ID="9", SLURM_ARRAY_TASK_MIN="1", SLURM_ARRAY_TASK_COUNT="3")
    p = subprocess.run(filter_cmd(src, out + "x", "--part", "slurm"), capture_output=True, text=True, env=env)
    check(p, 2, "--part slurm, task 9 of a list", "is not one of 3 tasks")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    p = subprocess.run(filter_cmd(src, out + "x", "--part", "slurm"), capture_output=True, text=True, env=env)
    check(p, 2, "--part slurm outside an array", "SLURM_ARRAY_TASK_ID is not set")
    print("ok   --part slurm (min, step; errors)")


def refusals(src, d):
    out = os.path.join(d, "mine.npy")
    run("filter", src, out, *OPS, "--part", "0/2", "--quiet")
    journal = os.path.join(out + ".zsjournal", "part-0-of-2")
    size = os.path.getsize(journal)
    other = phantom(d, "other.npy", seed=2)
    taller = phantom(d, "taller.npy", shape="64x48x41")
    cases = [
        ("another input", [other, out, *OPS], "input is"),
        ("another pipeline", [src, out, "--op", "gaussian:sigma=2", "--op", "uniform:size=3"], "pipeline is"),
        ("another mode along z", [src, out, "--op", "gaussian:sigma=1:mode=reflect,reflect,wrap", "--op",
                                  "uniform:size=3"], "pipeline is"),
        ("another shape", [taller, out, *OPS], "input-shape is '64x48x40x1' there, '64x48x41x1' here"),
        ("another dtype", [src, out, *OPS, "--dtype", "float32"], "output-dtype is '<u2' there, '<f4' here"),
        ("another slab height", [src, out, *OPS, "--slab", 3], "slab-height is"),
    ]
    for what, args, msg in cases:
        p = subprocess.run([ZSLAB, "filter", *map(str, args), "--part", "1/2"], capture_output=True, text=True)
        check(p, 1, f"a part for {what}", msg)
        if "belongs to another job" not in p.stderr:
            sys.exit(f"FAIL {what}: message does not say the journal belongs to another job: {p.stderr}")
        if os.path.exists(out) or os.path.getsize(journal) != size:
            sys.exit(f"FAIL {what}: the refused part touched the output or the journal")
    status(out, 3)
    # an output made by a plain run has no journal: parts refuse it
    plain = os.path.join(d, "plain.npy")
    run("filter", src, plain, *OPS, "--quiet")
    p = subprocess.run(filter_cmd(src, plain, "--part", "0/2"), capture_output=True, text=True)
    check(p, 1, "a part against a plain output", "exists and has no journal")
    # a journal whose partial output was removed is not taken for a new job
    os.remove(out + ".partial")
    p = subprocess.run(filter_cmd(src, out, "--part", "1/2"), capture_output=True, text=True)
    check(p, 1, "a part against a journal without its output", "has lost its output")
    print("ok   refusals: input, pipeline, shape, dtype, slab height, plain output, orphan journal")


def mode_spellings(src, d, ref):
    """The job's modes spelled as per-axis lists are the same job: its journal takes the part."""
    out = os.path.join(d, "spelled.npy")
    run("filter", src, out, *OPS, "--part", "0/2", "--quiet")
    p = subprocess.run([ZSLAB, "filter", src, out, "--op", "gaussian:sigma=1:mode=reflect,grid-mirror,reflect", "--op",
                        "uniform:size=3:mode=reflect,reflect,reflect", "--part", "1/2", "--quiet"],
                       capture_output=True, text=True)
    check(p, 0, "a part whose modes are the job's, spelled as lists")
    same_bytes(out, ref, "a job finished by a part with its modes spelled as lists")
    print("ok   a mode list of one mode is that mode for the journal")


def usage_and_guards(src, d, ref):
    out = os.path.join(d, "usage.npy")
    for args, msg in [(["--part", "3/3"], "numbered 0 to N-1"), (["--part", "1/0"], "--part"),
                      (["--part", "half"], "cannot read 'half'"), (["--part", "0/2", "--force"], "--force cannot"),
                      (["--resume", "--force"], "--force cannot")]:
        p = subprocess.run(filter_cmd(src, out, *args), capture_output=True, text=True)
        check(p, 2, f"usage {args}", msg)
    p = subprocess.run(filter_cmd(src, out, "--part", "1/3", "--dry-run"), capture_output=True, text=True)
    check(p, 0, "--part --dry-run")
    if "part:       1/3" not in p.stdout or os.path.exists(out + ".zsjournal"):
        sys.exit(f"FAIL: --part --dry-run prints the part and writes nothing:\n{p.stdout}")
    # a plain run refuses an output that a journaled job owns; --force starts over
    run("filter", src, out, *OPS, "--part", "0/2", "--quiet")
    p = subprocess.run([ZSLAB, "filter", src, out, *OPS], capture_output=True, text=True)
    check(p, 1, "a plain run over a journaled job", "has a journal")
    run("filter", src, out, *OPS, "--force", "--quiet")
    same_bytes(out, ref, "a plain run with --force over a journaled job")
    if os.path.exists(out + ".zsjournal") or os.path.exists(out + ".partial"):
        sys.exit("FAIL: --force left the journal or the partial output")
    p = subprocess.run([ZSLAB, "status", os.path.join(d, "nothing.npy")], capture_output=True, text=True)
    check(p, 1, "status of nothing", "no such output")
    print("ok   usage errors, --dry-run, plain runs against journals, status of nothing")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(2), "little"))
    seed = ap.parse_args().seed
    print(f"seed {seed} (--seed {seed} repeats this order)")
    rng = random.Random(seed)
    d = workdir("hpc-parts")
    src = phantom(d)
    ref = reference(src, os.path.join(d, "ref.npy"))
    all_at_once(src, d, ref, rng)
    one_after_another(src, d, ref)
    slurm_array(src, d, ref)
    refusals(src, d)
    mode_spellings(src, d, ref)
    usage_and_guards(src, d, ref)
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
