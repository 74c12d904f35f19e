# SPDX-License-Identifier: BSD-3-Clause
"""zslab label in parts and resumed runs (docs/labels.md, "Parts and resume"): `--part i/4` run in a
shuffled order, two parts at once, a run killed with kill -9 in pass 1 (the counting) and one killed
in pass 2 (the finisher writing OUT), each then --resume'd: labels byte-equal to scipy.ndimage.label
and to a single run, with a table equal to the single run's. A part with other options is refused
naming them, a damaged record is refused naming it, a plain run over the journal is refused (with
--force it starts over), and OUT.zsjournal is gone once OUT is written.
Prints its seed; --seed N repeats a run."""
import os
import subprocess
import sys

import numpy as np
import scipy.ndimage as ndi

sys.path.insert(0, os.path.dirname(__file__))
import zstest  # noqa: E402
from zstest import ZSLAB, fail, zs  # noqa: E402

SEED = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 22
STRUCT = {6: 1, 18: 2, 26: 3}


def check(name, out, ref, single_table=None, table=None):
    """OUT equals scipy's labels (and the table the single run's); no journal is left."""
    if not os.path.exists(out):
        fail(f"{name}: no {out}")
        return
    got = np.load(out)
    if got.dtype != np.uint32 or got.shape != ref.shape or not np.array_equal(got, ref):
        fail(f"{name}: labels differ from scipy's ({got.dtype}, {np.count_nonzero(got != ref)} voxels differ)")
    if os.path.exists(out + ".zsjournal") or os.path.exists(out + ".partial"):
        fail(f"{name}: left {out}.zsjournal or {out}.partial behind")
    if single_table and not zstest.same_files(single_table, table):
        fail(f"{name}: the table differs from a single run's")


def part(src, out, i, n, *args, env=None):
    r = zs("label", src, out, "--part", f"{i}/{n}", "-q", *args, env=env)
    if r.returncode:
        fail(f"part {i}/{n} {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")


def shuffled_parts(w, rng, src, ref, conn, table):
    """--part i/4 one after another in a shuffled order; and parts 0, 1 together then 2, 3."""
    args = ["--connectivity", str(conn), "--slab", "3", "--table", table + ".p.csv"]
    order = rng.permutation(4)
    out = os.path.join(w, f"parts{conn}.npy")
    for i in order:
        part(src, out, i, 4, *args)
    check(f"connectivity {conn}, parts in order {list(order)}", out, ref, table, table + ".p.csv")
    out2 = os.path.join(w, f"together{conn}.npy")
    for pair in ((0, 1), (3, 2)):
        procs = [subprocess.Popen([ZSLAB, "label", src, out2, "--part", f"{i}/4", "-q", "--connectivity", str(conn),
                                   "--threads", "1"], stderr=subprocess.PIPE, text=True) for i in pair]
        for i, p in zip(pair, procs):
            err = p.communicate(timeout=120)[1]
            if p.returncode:
                fail(f"connectivity {conn}: part {i}/4 run beside another: exit {p.returncode}: {err.strip()}")
    check(f"connectivity {conn}, two parts at a time", out2, ref)


def kill_and_resume(w, src, ref):
    """kill -9 in pass 1, --resume; kill -9 in the finisher's pass 2, --resume."""
    out = os.path.join(w, "killed1.npy")
    if not zstest.killed(["label", src, out, "--journal", "--slab", "3", "--threads", "1"], 4):
        fail("pass 1: the run did not stop at slab 4")
    recs = sorted(n for n in os.listdir(out + ".zsjournal") if n.startswith("slab-")) if os.path.isdir(
        out + ".zsjournal") else []
    if recs != ["slab-0", "slab-1", "slab-2", "slab-3"] or os.path.exists(out):
        fail(f"pass 1 killed before slab 4: records {recs}, OUT {'exists' if os.path.exists(out) else 'absent'}")
    r = zs("label", src, out, "--resume", "-q")
    if r.returncode:
        fail(f"--resume after a kill in pass 1: exit {r.returncode}: {r.stderr.strip()}")
    check("killed in pass 1, resumed", out, ref)
    out = os.path.join(w, "killed2.npy")
    part(src, out, 0, 2, "--slab", "3")
    # slab 1 is part 0's: part 1 counts its own slabs, then stops in pass 2 at slab 1
    if not zstest.killed(["label", src, out, "--part", "1/2", "--slab", "3", "--threads", "1"], 1):
        fail("pass 2: the finisher did not stop at slab 1")
    if os.path.exists(out) or not os.path.isdir(out + ".zsjournal"):
        fail("killed in pass 2: OUT exists or the journal is gone")
    r = zs("label", src, out, "--resume", "-q")
    if r.returncode:
        fail(f"--resume after a kill in pass 2: exit {r.returncode}: {r.stderr.strip()}")
    check("killed in pass 2, resumed", out, ref)


def refusals(w, src):
    """Another part's options; a damaged record: exit 1 naming them, OUT not written."""
    out = os.path.join(w, "refused.npy")
    part(src, out, 0, 2, "--slab", "3")
    r = zs("status", out)
    if r.returncode != 3 or "slab records in" not in r.stdout:
        fail(f"zslab status of a labelling in parts: exit {r.returncode}, stdout {r.stdout.strip()!r}")
    r = zs("label", src, out, "--part", "1/2", "--connectivity", "26")
    if r.returncode != 1 or "connectivity=26" not in r.stderr or "reduction" not in r.stderr or os.path.exists(out):
        fail(f"a part with other options: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    rec = os.path.join(out + ".zsjournal", "slab-1")
    if not os.path.exists(rec):
        fail(f"part 0/2 left no record {rec}")
        return
    with open(rec, "r+b") as f:
        f.seek(60)
        b = f.read(1)
        f.seek(60)
        f.write(bytes([b[0] ^ 0xff]))
    r = zs("label", src, out, "--part", "1/2")
    if r.returncode != 1 or "slab-1" not in r.stderr or os.path.exists(out):
        fail(f"a damaged record: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    r = zs("label", src, out)  # a run without the journal's flags does not write over it
    if r.returncode != 1 or "--resume" not in r.stderr or os.path.exists(out):
        fail(f"a plain run over a journal: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    r = zs("label", src, out, "--force", "-q")  # starts over: OUT, no journal
    if r.returncode or not os.path.exists(out) or os.path.exists(out + ".zsjournal"):
        fail(f"--force over a journal: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    # --force with --part: a usage error (a part that found this complete OUT would keep it, the old
    # labels, as another part's result)
    before = os.stat(out).st_mtime_ns
    for flags in (["--part", "0/1"], ["--resume"]):
        r = zs("label", src, out, "--force", *flags)
        if r.returncode != 2 or "--force cannot be combined with " + flags[0] not in r.stderr:
            fail(f"--force {' '.join(flags)}: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    if os.stat(out).st_mtime_ns != before or os.path.exists(out + ".zsjournal"):
        fail("--force with --part or --resume touched OUT or made a journal")


def main():
    print(f"seed {SEED}")
    rng = np.random.default_rng(SEED)
    w = zstest.workdir("label-parts")
    a = rng.random((36, 30, 40)) < 0.3116  # near the percolation threshold: components span the slabs
    src = os.path.join(w, "in.npy")
    np.save(src, np.asfortranarray(a.astype(np.uint8)))
    for conn in (6, 26):
        ref = ndi.label(a, ndi.generate_binary_structure(3, STRUCT[conn]))[0]
        single, table = os.path.join(w, f"single{conn}.npy"), os.path.join(w, f"single{conn}.csv")
        r = zs("label", src, single, "--connectivity", str(conn), "--table", table, "-q")
        if r.returncode:
            fail(f"single run: exit {r.returncode}: {r.stderr.strip()}")
        check(f"connectivity {conn}, one run", single, ref)
        shuffled_parts(w, rng, src, ref, conn, table)
    kill_and_resume(w, src, ndi.label(a)[0])
    refusals(w, src)
    zstest.finish("label parts: --part i/4 in shuffled order and two at once, kill -9 in pass 1 and in pass 2 "
                  "then --resume: labels equal scipy's and a single run's; other options and a damaged record "
                  "refused", w)


main()
