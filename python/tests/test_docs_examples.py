# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""The Python examples of README.md and docs/python.md run as they are, in a folder holding the
stack.npy and stack.tif (0.5 x 0.5 x 2 um voxels) they read, and give what their comments say."""
import os
import re

import numpy as np
import pytest
from scipy import ndimage as ndi

import zslab

SRC = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def blocks(page, heading=None):
    """The ```python blocks of a page (under `heading`, up to the next heading of its level, if given)."""
    with open(os.path.join(SRC, page), encoding="utf-8") as f:
        md = f.read()
    if heading:
        body = md.split("\n" + heading + "\n", 1)
        assert len(body) == 2, f"{page} has no heading {heading!r}"
        md = re.split(r"\n#{1,%d} " % (len(heading) - len(heading.lstrip("#"))), body[1], maxsplit=1)[0]
    found = re.findall(r"```python\n(.*?)```", md, re.S)
    assert found, f"{page} has no python example" + (f" under {heading!r}" if heading else "")
    return found


@pytest.fixture
def folder(rng, tmp_path, monkeypatch):
    """tmp_path as the current directory, with stack.npy (F order, as zslab writes it) and stack.tif."""
    tifffile = pytest.importorskip("tifffile")
    a = rng.integers(0, 4000, (24, 80, 96), dtype=np.uint16)  # z, y, x
    np.save(tmp_path / "stack.npy", np.asfortranarray(a.transpose()))
    tifffile.imwrite(tmp_path / "stack.tif", a, imagej=True, resolution=(2.0, 2.0),
                     metadata={"spacing": 2.0, "unit": "um"})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(code, name):
    ns = {"__name__": "__docs__"}
    exec(compile(code, name, "exec"), ns)  # noqa: S102 (the documentation's own example)
    return ns


def test_readme_python_example(folder):
    (code,) = blocks("README.md", "## From Python")
    ns = run(code, "README.md, From Python")
    a = np.load("stack.npy")
    smooth = np.asarray(ns["smooth"])
    assert smooth.dtype == a.dtype
    # "= scipy.ndimage.gaussian_filter(a, (1, 2, 2))", within 1 of its exact value (docs/python.md: zslab
    # rounds once, scipy truncates after each 1-D pass)
    exact = np.rint(ndi.gaussian_filter(a.astype(np.float64), (1, 2, 2)))
    assert np.abs(smooth - exact).max() <= 1
    assert isinstance(ns["spots"], np.memmap) and (folder / "spots.npy").exists()
    np.testing.assert_array_equal(np.load("spots.npy"), ndi.white_tophat(a, size=7))
    out = zslab.open("out.tif")
    assert out.shape == zslab.open("stack.tif").shape


def test_python_page_examples(folder):
    for i, code in enumerate(blocks("docs/python.md")):
        if "zslab.dask" in code:
            pytest.importorskip("dask.array")
        run(code, f"docs/python.md, example {i + 1}")
    assert (folder / "spots.npy").exists() and (folder / "out.tif").exists()
