# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""The public functions carry type hints (and the package py.typed, for editors and type checkers);
the scipy-named ones have numpy-style docstrings whose Parameters name every parameter, and what a
docstring says is refused is refused."""
import inspect
import os
import re

import numpy as np
import pytest

import zslab

FUNCTIONS = [n for n in zslab.__all__ if inspect.isfunction(getattr(zslab, n))]
SCIPY_NAMED = ["gaussian_filter", "gaussian_laplace", "gaussian_gradient_magnitude", "uniform_filter",
               "minimum_filter", "maximum_filter", "median_filter", "percentile_filter", "white_tophat",
               "black_tophat", "grey_opening", "grey_closing"]


def test_py_typed():
    assert os.path.isfile(os.path.join(os.path.dirname(zslab.__file__), "py.typed"))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_signature_annotated(name):
    sig = inspect.signature(getattr(zslab, name))
    assert sig.return_annotation is not inspect.Signature.empty, f"{name}: no return type"
    bare = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not bare, f"{name}: parameters without a type: {bare}"


@pytest.mark.parametrize("name", SCIPY_NAMED)
def test_numpy_docstring(name):
    f = getattr(zslab, name)
    doc = inspect.getdoc(f)
    assert doc.startswith(f"scipy.ndimage.{name}: "), doc.splitlines()[0]
    for section in ("Parameters\n----------", "Returns\n-------", "Notes\n-----"):
        assert section in doc, f"{name}: no {section.splitlines()[0]} section"
    params = doc.split("Parameters\n----------\n", 1)[1].split("\n\nReturns", 1)[0]
    documented = re.findall(r"^(\w+) : ", params, re.MULTILINE)
    assert sorted(documented) == sorted(inspect.signature(f).parameters), f"{name}: documents {documented}"


@pytest.mark.parametrize("name", [n for n in SCIPY_NAMED if "a mode per axis raises ValueError" in
                                  inspect.getdoc(getattr(zslab, n))])
def test_one_mode_as_documented(name):
    a = np.zeros((6, 7, 8), np.float32)
    f = getattr(zslab, name)
    args = (a, 1) if "sigma" in inspect.signature(f).parameters else (a, 50, 3) if name == "percentile_filter" \
        else (a, 3)
    with pytest.raises(ValueError, match="mode"):
        f(*args, mode=["reflect", "nearest", "wrap"])
