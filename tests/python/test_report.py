# SPDX-License-Identifier: BSD-3-Clause
"""filter --batch --report: a batch of 5 stacks, one of them corrupt, writes one self-contained
HTML page that Python's html.parser reads, listing all 5 stacks with status, seconds, Mvox/s,
voxel size and pipeline; 4 pairs of inline PNG three-views that decode and equal `zslab preview
--three-view --size 512` of each input and output; and the corrupt stack's error. --preview wrote
OUT.preview.png beside each output. A single `filter --preview` writes OUT.preview.png too."""
import base64
import html.parser
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from pngread import decode as png_decode  # noqa: E402
from pngread import read as png_read  # noqa: E402
from zstest import fail, finish, run, workdir, zs  # noqa: E402


class Report(html.parser.HTMLParser):
    """Rows of class "stack": their cells' text and their images (class, src)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.row, self.cell, self.doctype = [], None, None, False

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "stack" in (a.get("class") or "").split():
            self.row = {"cells": [], "images": []}
            self.rows.append(self.row)
        elif tag == "td" and self.row is not None:
            self.cell = []
            self.row["cells"].append(self.cell)
        elif tag == "img" and self.row is not None:
            self.row["images"].append((a.get("class"), a.get("src", "")))

    def handle_endtag(self, tag):
        if tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.cell is not None and self.row is not None:
            self.cell.append(data)


def make_stacks(d):
    import nibabel as nib

    ind = os.path.join(d, "in")
    os.makedirs(ind)
    for i, shape in enumerate(("64x48x20", "40x72x12", "50x50x30"), 1):
        run("create", os.path.join(ind, f"s{i}.npy"), "--shape", shape, "--dtype", "uint16", "--pattern", "phantom",
            "--seed", str(i))
    rng = np.random.default_rng(4)
    img = nib.Nifti1Image(rng.integers(0, 1000, (40, 30, 10)).astype(np.int16), np.diag([0.5, 0.5, 2.0, 1.0]))
    img.header.set_zooms((0.5, 0.5, 2.0))
    img.header.set_xyzt_units("mm")
    nib.save(img, os.path.join(ind, "s4.nii"))
    with open(os.path.join(ind, "s1.npy"), "rb") as f:  # s5: a truncated copy of s1
        head = f.read(5000)
    with open(os.path.join(ind, "s5.npy"), "wb") as f:
        f.write(head)
    return ind


def check_page(d, rows, outd):
    if len(rows) != 5:
        fail(f"the report lists {len(rows)} stacks, want 5")
        return
    pairs = 0
    for k, row in enumerate(rows, 1):
        text = ["".join(c).strip() for c in row["cells"]]
        name = os.path.join(d, "in", f"s{k}." + ("nii" if k == 4 else "npy"))
        if not text[1].endswith(os.path.basename(name)):
            fail(f"row {k} names {text[1]!r}, want {name}")
        if k == 5:
            if text[2] != "FAILED" or "s5.npy" not in text[-1] or "truncated" not in text[-1] or row["images"]:
                fail(f"the corrupt stack's row: {text}, {len(row['images'])} images")
            continue
        if text[2] != "ok" or not float(text[3]) >= 0 or not float(text[4]) > 0:
            fail(f"row {k}: status, seconds, Mvox/s: {text[2:5]}")
        if "gaussian:sigma=" not in text[6]:
            fail(f"row {k}: pipeline {text[6]!r}")
        if k == 4 and "0.5x0.5x2mm" not in text[5]:
            fail(f"row 4: voxel size {text[5]!r}, want 0.5x0.5x2mm")
        kinds = [c for c, _ in row["images"]]
        if kinds != ["input", "output"]:
            fail(f"row {k}: images {kinds}, want input and output")
            continue
        out = os.path.join(outd, os.path.basename(name))
        for (kind, src), path in zip(row["images"], (name, out)):
            prefix = "data:image/png;base64,"
            if not src.startswith(prefix):
                fail(f"row {k}: the {kind} image is not an inline PNG")
                continue
            got = png_decode(base64.b64decode(src[len(prefix):], validate=True))
            ref = os.path.join(d, "ref.png")
            run("preview", path, ref, "--three-view", "--size", "512", "--force", "-q")
            want = png_read(ref)
            if got.shape != want.shape or (got != want).any():
                fail(f"row {k}: the {kind} image differs from zslab preview {path} --three-view --size 512")
            if kind == "output":
                beside = png_read(out + ".preview.png")
                if beside.shape != got.shape or (beside != got).any():
                    fail(f"{out}.preview.png differs from the report's image")
            if max(got.shape) != 512 or got.std() == 0:
                fail(f"row {k}: the {kind} image is {got.shape}, std {got.std()}")
        pairs += 1
    if pairs != 4:
        fail(f"{pairs} pairs of images, want 4")


def main():
    d = workdir("report")
    ind = make_stacks(d)
    outd, page = os.path.join(d, "out"), os.path.join(d, "report.html")
    p = zs("filter", "--batch", ind, "--out-dir", outd, "--op", "gaussian:sigma=1", "--report", page, "--preview")
    last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    if p.returncode != 1 or "s5.npy" not in last:
        fail(f"batch with a corrupt stack: exit {p.returncode}, last line {last!r}")
    if os.path.exists(page + ".partial") or os.path.exists(os.path.join(outd, "s5.npy.preview.png")):
        fail("a .partial report or a preview of the failed stack was left")
    parser = Report()
    with open(page, encoding="utf-8") as f:
        parser.feed(f.read())
    parser.close()
    if not parser.doctype:
        fail("the report has no <!DOCTYPE html>")
    check_page(d, parser.rows, outd)
    # a rerun skips the 4 complete stacks; the page still shows their images
    p = zs("filter", "--batch", ind, "--out-dir", outd, "--op", "gaussian:sigma=1", "--report", page)
    parser = Report()
    with open(page, encoding="utf-8") as f:
        parser.feed(f.read())
    status = ["".join(r["cells"][2]).strip() for r in parser.rows]
    if status != ["skipped"] * 4 + ["FAILED"] or sum(len(r["images"]) for r in parser.rows) != 8:
        fail(f"rerun: statuses {status}")
    # one stack: --preview writes OUT.preview.png; --report needs a batch
    one = os.path.join(d, "one.npy")
    run("filter", os.path.join(ind, "s2.npy"), one, "--op", "median:size=3", "--preview", "-q")
    run("preview", one, os.path.join(d, "one_ref.png"), "--three-view", "--size", "512", "-q")
    if (png_read(one + ".preview.png") != png_read(os.path.join(d, "one_ref.png"))).any():
        fail("filter --preview differs from zslab preview --three-view --size 512")
    p = zs("filter", os.path.join(ind, "s2.npy"), os.path.join(d, "two.npy"), "--op", "median:size=3", "--report", page)
    if p.returncode != 2 or "--batch" not in p.stderr:
        fail(f"--report without a batch: exit {p.returncode}, {p.stderr.strip()!r}")
    p = zs("filter", os.path.join(ind, "s2.npy"), os.path.join(d, "three.npy"), "--op", "median:size=3", "--preview",
           "--part", "0/2")
    if p.returncode != 2 or "--preview does not combine with --part" not in p.stderr:
        fail(f"--preview with --part: exit {p.returncode}, {p.stderr.strip()!r}")
    finish("report: 5 stacks listed, 4 pairs of three-views as zslab preview, the error; --preview beside outputs", d)


if __name__ == "__main__":
    main()
