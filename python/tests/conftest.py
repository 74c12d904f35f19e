# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""The package under test: from ZSLAB_LIBRARY and PYTHONPATH (ctest sets both to the build tree),
else the installed one."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if os.environ.get("ZSLAB_LIBRARY"):
    sys.path.insert(0, os.path.dirname(HERE))


@pytest.fixture
def rng(request):
    """A generator seeded from the test's name: each test sees the same data on every run."""
    import zlib

    import numpy as np
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
