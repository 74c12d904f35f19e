# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""The package and the library it loads: any later minor release of the same major runs it (its
structs only grow at their end, and the package's mirrors say their own size); other versions are
refused by name."""
import ctypes
import os
import re

import pytest

from zslab import _lib


def test_version_rule():
    major, minor = _lib.BUILT_FOR
    base = major * 10000 + minor * 100
    assert _lib.check_version(base) is None
    assert _lib.check_version(base + 3) is None  # a patch release
    assert _lib.check_version(base + 100) is None  # a later minor release
    for other in (base - 100, base + 10000):  # an older minor, another major
        why = _lib.check_version(other)
        assert why and f"built for {major}.{minor}" in why and f"x >= {minor}" in why, why


def test_built_for_the_header_in_this_tree():
    header = os.path.join(os.path.dirname(__file__), "..", "..", "include", "zslab.h")
    if not os.path.exists(header):
        pytest.skip("no source tree beside the package")
    with open(header, encoding="utf-8") as f:
        text = f.read()
    version = tuple(int(re.search(rf"#define ZS_VERSION_{p}\s+([0-9]+)", text).group(1)) for p in ("MAJOR", "MINOR"))
    assert _lib.BUILT_FOR == version, "the mirrors in _lib.py are not updated for this release"


@pytest.mark.parametrize("cls", [_lib.VolumeInfo, _lib.RunStats])
def test_mirrors_say_their_size(cls):
    assert cls().struct_size == ctypes.sizeof(cls)


@pytest.mark.parametrize("cls", [_lib.CreateOpts, _lib.PlanOpts, _lib.ExecOpts, _lib.JobOpts])
def test_options_say_their_size(cls):
    o = _lib.default_opts(cls)
    assert o.struct_size == ctypes.sizeof(cls)


@pytest.mark.parametrize("cls", [_lib.LabelOpts, _lib.DetectOpts, _lib.ResampleOpts])
def test_unstable_mirrors_are_the_library_size(cls):
    """Structs not yet stable are taken at the library's size only: the mirror is checked
    against the size the library's _default() writes, and a mirror of another size is refused
    before the library could read past it."""
    o = _lib.default_opts(cls)
    assert o.struct_size == ctypes.sizeof(cls)
    fill = _lib._UNSTABLE_DEFAULTS[cls]
    short = type("Short" + cls.__name__, (ctypes.Structure,), {"_fields_": cls._fields_[:-1]})
    longer = type("Long" + cls.__name__, (ctypes.Structure,), {"_fields_": cls._fields_ + [("extra", ctypes.c_int64)]})
    for other in (short, longer):
        with pytest.raises(ImportError, match=rf"{other.__name__} of {ctypes.sizeof(cls)} bytes, this package's "
                                              rf"mirror {ctypes.sizeof(other)}"):
            _lib._unstable_default(other, fill)


def test_stats_of_unset_size_get_the_first_fields():
    """A struct_size that is no size the struct ever had (never set): the library writes the
    fields of the struct's first release, and sets struct_size to their size."""
    first = _lib.RunStats.note.offset + _lib.RunStats.note.size
    for size in (0, 8, ctypes.sizeof(_lib.RunStats) + 64):
        stats = _lib.RunStats()
        ctypes.memset(ctypes.addressof(stats), 0x5a, ctypes.sizeof(stats))
        stats.struct_size = size
        _lib.lib.zs_job_stats(None, ctypes.byref(stats))
        assert stats.struct_size == first
        assert stats.seconds == 0 and stats.threads == 0 and stats.note == b""
