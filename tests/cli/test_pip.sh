#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# `pip install` and `pip wheel` of the repository, offline, in fresh virtual environments that
# see the system's numpy and scipy: the package builds libzslab with CMake and carries it, so the
# installed package (and a wheel installed into a second venv, after the sources, the build and
# the first venv are deleted) filters as scipy does from any folder, without ZSLAB_LIBRARY. The
# build works on a copy of the sources (tracked and untracked files) that is a git work tree, and
# must leave nothing there that git would list. Exit 77 only when venv or pip are not installed.
. "$(dirname "$0")/common.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "skip [$TEST_NAME]: $PY has no venv/ensurepip (Debian: python3-venv, python3-pip)"; exit 77
fi
SRC=${ZS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)} # the sources to build (default: these)
unset ZSLAB_LIBRARY PYTHONPATH
export PYTHONNOUSERSITE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 CMAKE_BUILD_PARALLEL_LEVEL=2
# the version the wheel must carry: the library's, as the tool reports it ("zslab X (library Y, ...)")
version=$("$ZSLAB" --version | sed -n 's/.*(library \([0-9.]*\).*/\1/p')
[ -n "$version" ] || fail "no library version in: $("$ZSLAB" --version)"

# step WHAT CMD...: runs CMD, its output in $WORK/.out; a failure names WHAT and shows the output's end
step() {
    local what=$1; shift
    LAST_CMD="$*"
    CHECKS=$((CHECKS + 1))
    "$@" >"$WORK/.out" 2>&1 || { RC=$?; tail -n 40 "$WORK/.out" >&2; fail "$what"; }
}

# a copy of the sources (as git lists them, when they are a work tree), itself a git work tree with
# every file staged when git is there
mkdir -p "$WORK/src" "$WORK/elsewhere" "$WORK/wheels"
have_git=false
command -v git >/dev/null 2>&1 && have_git=true
if $have_git && git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$SRC" ls-files -z --cached --others --exclude-standard |
        tar -C "$SRC" --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$WORK/src" -xf -
else
    tar -C "$SRC" --exclude-vcs --exclude='./build*' -cf - . | tar -C "$WORK/src" -xf -
fi
if $have_git; then
    step "git init of the copy" git -C "$WORK/src" init -q
    step "git add of the copy" git -C "$WORK/src" add -A
fi

# check_import VENV: zslab imports from VENV's site-packages, with the library it carries, from
# another folder, and gaussian_filter (and one rank filter) equal scipy.ndimage's
check_import() {
    (cd "$WORK/elsewhere" && step "zslab in $1 differs from scipy or is not its own" "$1/bin/python" -c '
import os, sys, numpy as np, zslab
from scipy import ndimage as ndi
from zslab import _lib
here = os.path.dirname(zslab.__file__)
assert here.startswith(sys.prefix), f"zslab imported from {here}, not from the venv {sys.prefix}"
assert os.path.dirname(_lib.lib._name) == here, f"library loaded from {_lib.lib._name}, not beside the package"
assert zslab.__version__ == sys.argv[1], f"zslab.__version__ {zslab.__version__} != library {sys.argv[1]}"
a = np.random.default_rng(3).random((17, 20, 23)).astype(np.float32)
ref = ndi.gaussian_filter(a, 1.5)
got = zslab.gaussian_filter(a, 1.5)
assert np.allclose(got, ref, rtol=0, atol=2e-6), f"gaussian_filter: max |diff| {np.abs(got - ref).max()}"
assert np.array_equal(zslab.median_filter(a, 3), ndi.median_filter(a, 3)), "median_filter differs"
' "$version") || exit 1
}

step "venv 1" "$PY" -m venv --system-site-packages "$WORK/v1"
step "pip install of the sources" "$WORK/v1/bin/pip" install --no-build-isolation --no-index "$WORK/src"
check_import "$WORK/v1"
step "pip wheel of the sources" "$WORK/v1/bin/pip" wheel --no-build-isolation --no-index --no-deps \
    -w "$WORK/wheels" "$WORK/src"
if $have_git; then
    untracked=$(git -C "$WORK/src" status --porcelain --untracked-files=all | grep '^??' || true)
    CHECKS=$((CHECKS + 1))
    [ -z "$untracked" ] || fail "the pip build left files git lists: $untracked"
fi

wheels=("$WORK"/wheels/*.whl)
CHECKS=$((CHECKS + 1))
[ ${#wheels[@]} -eq 1 ] && [ -f "${wheels[0]}" ] || fail "expected one wheel, found: $(ls "$WORK/wheels")"
whl=$(basename "${wheels[0]}")
CHECKS=$((CHECKS + 1))
[[ $whl == zslab-"$version"-py3-none-linux_*.whl ]] || fail "wheel $whl: not zslab-$version-py3-none-linux_*"
step "wheel contents" "$PY" -c '
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for want in ("zslab/__init__.py", "zslab/py.typed"):
    assert want in names, f"{want} missing from the wheel: {names}"
libs = [n for n in names if n.startswith("zslab/libzslab.so")]
assert len(libs) == 1, f"expected one libzslab in the wheel, found {libs}"
assert not any(n.endswith("_libpath.py") for n in names), "the wheel points at a build folder"
' "${wheels[0]}"

rm -rf "$WORK/src" "$WORK/v1"
step "venv 2" "$PY" -m venv --system-site-packages "$WORK/v2"
step "pip install of the wheel" "$WORK/v2/bin/pip" install --no-index "${wheels[0]}"
check_import "$WORK/v2"
done_ok
