# SPDX-License-Identifier: BSD-3-Clause
"""The direct engine (O_DIRECT reads, O_DIRECT writes queued to I/O threads) and the uring engine
(the same requests through an io_uring ring per worker) write the same bytes as pread/pwrite, on files whose data do not start or end on a block: .npy (data at 128), NIfTI (at
352), raw with --in-offset 1000, big-endian input, odd shapes and 1-byte outputs; over bands of 1
and 3 rows and the planner's, 1 and 2 threads, each side alone. Also:
 - a file system that refuses O_DIRECT (the test hook ZS_TEST_NO_DIRECT=1; a real ramfs when this
   process may mount one) falls back to pread with one note on stderr, same bytes, under either
   engine; a kernel that refuses io_uring (the test hook ZS_TEST_NO_URING=1, answering as a seccomp
   policy does) sends uring to direct with a note per side, same bytes;
 - outputs that are not one byte range (compressed TIFF) and C-order inputs fall back or are read
   through their format, same bytes;
 - a journaled run killed with SIGKILL resumes with either engine to the same bytes, and three parts
   of one job written at once with its writes give the same bytes;
 - --engine auto picks direct for a job larger than half the available memory (the test hook
   ZS_TEST_MEM_AVAILABLE sets it) and for a job of 256 MiB or more whose input is not in the page
   cache, and --dry-run says why;
 - a direct or uring write leaves (almost) nothing in the page cache (fincore), where pwrite leaves
   the file."""
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np

from zstest import FAILURES, ZSLAB, fail, finish, workdir, zs

W = workdir("engine-direct")


def path(name):
    return os.path.join(W, name)


def read_bytes(p):
    with open(p, "rb") as f:
        return f.read()


def make_inputs():
    rng = np.random.default_rng(7)
    ins = {}
    a = np.asfortranarray(rng.integers(0, 4000, (37, 29, 13), dtype=np.uint16))
    np.save(path("odd.npy"), a)
    ins["npy uint16 37x29x13"] = (path("odd.npy"), [])
    b = np.asfortranarray(rng.integers(0, 255, (41, 7, 9), dtype=np.uint8))
    np.save(path("u8.npy"), b)
    ins["npy uint8 41x7x9"] = (path("u8.npy"), [])
    c = np.asfortranarray(rng.integers(0, 4000, (23, 19, 11)).astype(">u2"))
    np.save(path("be.npy"), c)
    ins["npy big-endian 23x19x11"] = (path("be.npy"), [])
    raw = path("off.raw")
    with open(raw, "wb") as f:
        f.write(b"\x5a" * 1000)
        f.write(np.asfortranarray(rng.integers(0, 4000, (33, 21, 10), dtype=np.uint16)).tobytes(order="F"))
        f.write(b"\xa5" * 77)  # bytes after the volume
    ins["raw --in-offset 1000"] = (raw, ["--in-shape", "33x21x10", "--in-dtype", "uint16", "--in-offset", "1000"])
    try:
        import nibabel as nib
        img = nib.Nifti1Image(rng.integers(-500, 500, (35, 27, 11)).astype(np.int16), np.eye(4))
        nib.save(img, path("in.nii"))
        ins["NIfTI int16 35x27x11"] = (path("in.nii"), [])
    except ImportError:
        fail("nibabel is missing: the NIfTI case (data at 352) cannot run")
    return ins


def filt(src, extra, out, *args, env=None):
    r = zs("filter", src, out, *extra, *args, "--force", "-q", env=env)
    if r.returncode != 0:
        fail(f"zslab filter {src} {out} {' '.join(map(str, args))}: exit {r.returncode}: {r.stderr.strip()}")
    return r


ENGINES = ("direct", "uring")
# (engine flags, band rows (0: the planner's), threads): both sides, then each side alone
SETTINGS = tuple(s for e in ENGINES for s in ((["--engine", e], "1", "2"), (["--engine", e], "3", "1"),
                                              (["--engine", e], "0", "2"), (["--read-engine", e], "3", "2"),
                                              (["--write-engine", e], "3", "2")))


def same_as_pread():
    ins = make_inputs()
    pipes = [["--op", "gaussian:sigma=1.5"], ["--op", "median:size=3", "--op", "uniform:size=4:mode=constant"]]
    outs = [(".npy", "float32"), (".nii", "uint8")]  # data at 128 and 352; 1-byte voxels end anywhere
    n = 0
    for name, (src, extra) in ins.items():
        for ops in pipes:
            for suffix, dt in outs:
                ref = path("ref" + suffix)
                filt(src, extra, ref, *ops, "--dtype", dt, "--engine", "pread")
                want = read_bytes(ref)
                for engine, band, threads in SETTINGS:
                    out = path("got" + suffix)
                    args = [*ops, "--dtype", dt, *engine, "--threads", threads]
                    if band != "0":
                        args += ["--band", band]
                    filt(src, extra, out, *args)
                    n += 1
                    if read_bytes(out) != want:
                        fail(f"{name}, {' '.join(ops)} -> {dt}{suffix}, {' '.join(args[len(ops):])}: "
                             "differs from --engine pread")
    print(f"ok   {n} direct and uring runs equal pread's bytes ({len(ins)} inputs, unaligned offsets and odd sizes)")


def fallbacks():
    zs("create", path("pc_src.npy"), "--shape", "600x500x20", "--dtype", "uint16", "--force")
    src = path("odd.npy")
    ref, out = path("fb_ref.npy"), path("fb.npy")
    filt(src, [], ref, "--op", "gaussian:sigma=1", "--engine", "pread")
    for engine in ENGINES:
        env = dict(os.environ, ZS_TEST_NO_DIRECT="1")
        r = zs("filter", src, out, "--op", "gaussian:sigma=1", "--engine", engine, "--force", env=env)
        notes = [line for line in r.stderr.splitlines() if "refuses direct I/O" in line]
        if r.returncode != 0 or len(notes) != 1 or "pread" not in notes[0] or "with direct" in notes[0] or \
                read_bytes(out) != read_bytes(ref):
            fail(f"a file system refusing O_DIRECT, --engine {engine}: exit {r.returncode}, want one note naming the "
                 f"file and pread, same bytes; stderr: {r.stderr.strip()}")
        elif src not in notes[0] and "odd.npy" not in notes[0]:
            fail(f"the fallback note does not name the file: {notes[0]}")
        else:
            print(f"ok   a file system refusing O_DIRECT, --engine {engine}: one note, pread/pwrite, same bytes")
    uring_refused(src, out, ref)
    # C order in: read through the format (gathered), direct writes
    a = np.load(src)
    np.save(path("c.npy"), np.ascontiguousarray(a))
    r = filt(path("c.npy"), [], out, "--op", "gaussian:sigma=1", "--engine", "direct")
    if r.returncode == 0 and read_bytes(out) != read_bytes(ref):
        fail("C-order input with --engine direct: differs from pread")
    # a compressed TIFF output is encoded by its format: direct falls back for writing, same voxels
    tif_ref, tif = path("ref.tif"), path("got.tif")
    filt(src, [], tif_ref, "--op", "gaussian:sigma=1", "--compress", "deflate", "--engine", "pread")
    r = zs("filter", src, tif, "--op", "gaussian:sigma=1", "--compress", "deflate", "--engine", "direct", "--force")
    if r.returncode != 0 or "pread" not in r.stderr:
        fail(f"compressed TIFF output with --engine direct: exit {r.returncode}, want a note; {r.stderr.strip()}")
    else:
        rv = zs("convert", tif_ref, path("a.npy"), "--force", "-q"), zs("convert", tif, path("b.npy"), "--force", "-q")
        if any(x.returncode for x in rv) or not np.array_equal(np.load(path("a.npy")), np.load(path("b.npy"))):
            fail("compressed TIFF output with --engine direct: voxels differ from pread's")
        else:
            print("ok   C-order input and a compressed TIFF output with --engine direct: same voxels, a note")
    # the plan of a write that will fall back is pread's (no bands made tall for direct requests)
    plans = []
    for e in ("pread", "direct"):
        r = zs("filter", path("pc_src.npy"), tif, "--op", "gaussian:sigma=1", "--compress", "deflate", "--write-engine",
               e, "--dry-run")
        plans.append([x for x in r.stdout.splitlines() if x.startswith(("tiles:", "per worker:"))])
    if plans[0] != plans[1] or not plans[0]:
        fail(f"a compressed TIFF output: --write-engine direct plans {plans[1]}, pread {plans[0]}")
    ramfs()


def uring_refused(src, out, ref):
    """A kernel that refuses io_uring: uring falls back to direct, a note per side saying why."""
    env = dict(os.environ, ZS_TEST_NO_URING="1")
    r = zs("filter", src, out, "--op", "gaussian:sigma=1", "--engine", "uring", "--force", env=env)
    notes = [line for line in r.stderr.splitlines() if "note:" in line]
    want = ("io_uring is not permitted", "reading with direct instead", "writing with direct instead")
    if r.returncode != 0 or len(notes) != 1 or not all(w in notes[0] for w in want) or \
            read_bytes(out) != read_bytes(ref):
        fail(f"a kernel refusing io_uring: exit {r.returncode}, want one note with {want}, same bytes; "
             f"stderr: {r.stderr.strip()}")
    else:
        print("ok   a kernel refusing io_uring: uring falls back to direct with a note, same bytes")


def ramfs():
    """A real file system without O_DIRECT, where this process may mount one."""
    mnt = path("ramfs")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "ramfs", "ramfs", mnt], capture_output=True).returncode != 0:
        print("note: ramfs cannot be mounted here (not root, or in a container): the hook covered the fallback")
        return
    try:
        src = os.path.join(mnt, "in.npy")
        shutil.copy(path("odd.npy"), src)
        out = os.path.join(mnt, "out.npy")
        ref = path("ram_ref.npy")
        filt(path("odd.npy"), [], ref, "--op", "uniform:size=3", "--engine", "pread")
        for engine in ENGINES:
            r = zs("filter", src, out, "--op", "uniform:size=3", "--engine", engine, "--force")
            if r.returncode != 0 or "refuses direct I/O" not in r.stderr or read_bytes(out) != read_bytes(ref):
                fail(f"ramfs, --engine {engine}: exit {r.returncode}, want the fallback note and pread's bytes; "
                     f"{r.stderr.strip()}")
            else:
                print(f"ok   ramfs (no O_DIRECT), --engine {engine}: falls back with a note, same bytes")
    finally:
        subprocess.run(["umount", mnt], capture_output=True)


def killed_and_resumed(engine):
    src = path("phantom.npy")
    zs("create", src, "--shape", "64x48x40", "--dtype", "uint16", "--pattern", "phantom", "--force")
    ops = ["--op", "gaussian:sigma=1", "--op", "uniform:size=3"]
    ref = path("res_ref.npy")
    filt(src, [], ref, *ops, "--dtype", "float32", "--engine", "pread")
    out = path(f"res_{engine}.npy")
    env = dict(os.environ, ZS_TEST_SLAB_DELAY_MS="40")
    cmd = [ZSLAB, "filter", src, out, *ops, "--dtype", "float32", "--engine", engine, "--threads", "2", "--slab",
           "1", "--resume", "-q"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    journal = out + ".zsjournal"

    def records():
        n = 0
        if os.path.isdir(journal):
            for name in os.listdir(journal):
                if name.startswith("part-"):
                    with open(os.path.join(journal, name)) as f:
                        n += sum(1 for line in f if line.startswith("slab ") and line.endswith("\n"))
        return n

    while time.monotonic() < deadline and p.poll() is None and records() < 5:
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=60)
    n = records()
    if p.returncode != -signal.SIGKILL or not 0 < n < 40 or os.path.exists(out):
        fail(f"killed {engine} run: exit {p.returncode}, {n} slabs recorded; want a kill mid-run")
        return
    r = subprocess.run(cmd[:-1] + ["-v"], capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(out) or read_bytes(out) != read_bytes(ref):
        fail(f"resumed {engine} run: exit {r.returncode}, output differs or missing; {r.stderr.strip()[-400:]}")
    else:
        print(f"ok   a {engine} run killed after {n} recorded slabs resumes to pread's bytes")


def parts(engine):
    """Three parts of one job writing one output at once with the engine's writes: pread's bytes."""
    src = path("phantom.npy")
    ops = ["--op", "gaussian:sigma=1", "--op", "uniform:size=3"]
    ref, out = path("parts_ref.npy"), path(f"parts_{engine}.npy")
    filt(src, [], ref, *ops, "--dtype", "float32", "--engine", "pread")
    procs = [subprocess.Popen([ZSLAB, "filter", src, out, *ops, "--dtype", "float32", "--engine", engine, "--part",
                               f"{i}/3", "--slab", "2", "--threads", "2", "-q"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in (2, 0, 1)]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    if any(p.returncode != 0 for p in procs) or not os.path.exists(out) or read_bytes(out) != read_bytes(ref):
        fail(f"three parts with --engine {engine}: exits {[p.returncode for p in procs]}, output differs or missing; "
             f"{' | '.join(e.strip() for e in errs)}")
    else:
        print(f"ok   three parts at once with {engine} writes: pread's bytes")


def auto_rule():
    before = len(FAILURES)
    src = path("phantom.npy")  # 64x48x40 uint16: 240 KiB in, 480 KiB out as float32: 720 KiB moved

    def engines(avail, source=src):
        env = dict(os.environ, ZS_TEST_MEM_AVAILABLE=str(avail << 10)) if avail else None
        r = zs("filter", source, path("auto.npy"), "--op", "gaussian:sigma=1", "--dtype", "float32", "--dry-run",
               env=env)
        return next((x for x in r.stdout.splitlines() if x.startswith("engines:")), f"exit {r.returncode}")

    line = engines(1400)  # half: 700 KiB < 720 KiB moved
    if "read direct, write direct" not in line or "moves" not in line:
        fail(f"auto with 1400 KiB available: want both direct with the reason; got {line!r}")
    got = engines(1500)  # half: 750 KiB
    if "read pread, write pread" not in got:
        fail(f"auto with 1500 KiB available: want pread; got {got!r}")
    got = engines(0)
    if "read pread, write pread" not in got:
        fail(f"auto with the machine's memory on a 240 KiB input: want pread; got {got!r}")
    a = np.load(src)
    np.save(path("phantom_c.npy"), np.ascontiguousarray(a))
    got = engines(1400, path("phantom_c.npy"))
    if "read mmap, write direct" not in got:
        fail(f"auto on a C-order input: want it read through its format, written direct; got {got!r}")
    if len(FAILURES) == before:
        print(f"ok   auto: {line.strip()}")


def drop_cache(p):
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def cold_rule():
    """auto on a job of 384 MiB (128 MiB uint16 in, 256 MiB float32 out): pread while the input is in
    the page cache, direct both ways once it is not, pread again for the same input in C order (read
    through its format) and for a job under 256 MiB; --dry-run says which and why."""
    before = len(FAILURES)
    src = path("cold.npy")
    zs("create", src, "--shape", "512x512x256", "--dtype", "uint16", "--pattern", "ramp", "--force")

    def engines(source=src, dtype="float32"):
        r = zs("filter", source, path("cold_out.npy"), "--op", "gaussian:sigma=1", "--dtype", dtype, "--dry-run")
        return next((x for x in r.stdout.splitlines() if x.startswith("engines:")), f"exit {r.returncode}")

    with open(src, "rb") as f:  # in the page cache
        while f.read(1 << 24):
            pass
    hot = engines()
    if "read pread, write pread" not in hot or "in the page cache" not in hot:
        fail(f"auto on a cached input: want pread, saying the input is cached; got {hot!r}")
    drop_cache(src)
    cold = engines()
    if "read pread" in cold and "in the page cache" in cold:
        fs = subprocess.run(["stat", "-f", "-c", "%T", W], capture_output=True, text=True).stdout.strip()
        print(f"note: the page cache of {W} ({fs}) kept the input after DONTNEED: the cold case did not run")
        return
    if "read direct, write direct" not in cold or "not in the page cache" not in cold:
        fail(f"auto on a cold input of a 384 MiB job: want both direct, saying why; got {cold!r}")
    small = engines(dtype="uint8")  # 128 + 64 MiB: under 256 MiB, cold
    if "read pread, write pread" not in small:
        fail(f"auto on a cold input of a 192 MiB job: want pread; got {small!r}")
    explicit = zs("filter", src, path("cold_out.npy"), "--op", "gaussian:sigma=1", "--dtype", "float32", "--dry-run",
                  "--engine", "pread").stdout
    if "read pread, write pread" not in explicit:
        fail(f"--engine pread on a cold input: want pread; got {explicit!r}")
    if len(FAILURES) == before:
        print(f"ok   cold: {cold.strip()}")


def page_cache():
    if not shutil.which("fincore"):
        print("note: fincore (util-linux) is missing: the page-cache check did not run")
        return
    src = path("pc.npy")
    zs("create", src, "--shape", "512x512x64", "--dtype", "uint16", "--pattern", "noise", "--force")
    res = {}
    for engine in ("pread", *ENGINES):
        out = path(f"pc_{engine}.npy")
        filt(src, [], out, "--op", "uniform:size=3", "--dtype", "float32", "--engine", engine, "--no-drop-cache")
        f = subprocess.run(["fincore", "-b", "-n", "-o", "RES,SIZE", out], capture_output=True, text=True)
        resident, size = (int(x) for x in f.stdout.split())
        res[engine] = resident / size
    # pwrite leaves the file's pages cached (unless the kernel wrote back and dropped them under
    # pressure); direct writes leave only the partial blocks at band edges
    for engine in ENGINES:
        if res[engine] > 0.05:
            fail(f"a {engine} write left {res[engine]:.1%} of the output in the page cache (pwrite: {res['pread']:.1%})")
        else:
            print(f"ok   page cache after writing 64 MiB: {engine} {res[engine]:.1%}, pwrite {res['pread']:.1%}")


same_as_pread()
fallbacks()
for e in ENGINES:
    killed_and_resumed(e)
    parts(e)
auto_rule()
cold_rule()
page_cache()
finish("direct and uring engines: same bytes as pread, fall back with a note, resume, direct chosen by size", W)
