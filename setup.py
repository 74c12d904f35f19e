# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""The wheel's build (pyproject.toml names setuptools): libzslab is built by CMake, the shared
library target only, in Release, in the build's temporary folder, and its file named by its soname
(libzslab.so.0.N before 1.0, the file the package loads) is copied into the package, which finds it there first.

The version is the C library's, read from ZS_VERSION_MAJOR, _MINOR and _PATCH in include/zslab.h. setuptools'
own folders (build, temporary files, egg-info) go under build/pip, which .gitignore covers.
CMAKE_BUILD_PARALLEL_LEVEL sets the number of compile jobs (default: every core)."""
import glob
import os
import re
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # without wheel there is no bdist_wheel to adjust (pip needs wheel for a wheel)
    bdist_wheel = None

ROOT = os.path.dirname(os.path.abspath(__file__))
SETUPTOOLS_DIR = os.path.join("build", "pip")  # relative: setuptools runs in ROOT


def c_version():
    with open(os.path.join(ROOT, "include", "zslab.h"), encoding="utf-8") as f:
        text = f.read()
    parts = [re.search(rf"^#define ZS_VERSION_{p}\s+([0-9]+)", text, re.MULTILINE) for p in ("MAJOR", "MINOR", "PATCH")]
    if not all(parts):
        raise RuntimeError("setup.py: no ZS_VERSION_MAJOR, _MINOR and _PATCH in include/zslab.h")
    return ".".join(m.group(1) for m in parts)


def cmake_source(cmake_dir):
    """The source folder of the CMake build in cmake_dir, None when there is none."""
    try:
        with open(os.path.join(cmake_dir, "CMakeCache.txt"), encoding="utf-8") as f:
            m = re.search(r"^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$", f.read(), re.MULTILINE)
    except FileNotFoundError:
        return None
    return m.group(1) if m else None


class BuildWithLibrary(build_py):
    """build_py, then libzslab built by CMake and copied into the built package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install uses ZSLAB_LIBRARY or an installed library
        cmake_dir = os.path.join(os.path.abspath(self.get_finalized_command("build").build_temp), "cmake")
        src = cmake_source(cmake_dir)
        if src is not None and os.path.realpath(src) != os.path.realpath(ROOT):  # sources moved: configure afresh
            shutil.rmtree(cmake_dir)
        configure = ["cmake", "-S", ROOT, "-B", cmake_dir, "-DCMAKE_BUILD_TYPE=Release", "-DZS_BUILD_TESTS=OFF",
                     "-DZS_BUILD_CLI=OFF", "-DZS_WITH_MPI=OFF", "-DZS_INSTALL_PYTHON=OFF"]
        build = ["cmake", "--build", cmake_dir, "--target", "zslab"]
        if "CMAKE_BUILD_PARALLEL_LEVEL" not in os.environ:
            build.append(f"-j{os.cpu_count() or 1}")
        for cmd in (configure, build):
            self.announce(" ".join(cmd), level=2)
            subprocess.run(cmd, check=True)
        sonames = [p for p in glob.glob(os.path.join(cmake_dir, "libzslab.so.*"))
                   if re.fullmatch(r"libzslab\.so\.[0-9]+(\.[0-9]+)?", os.path.basename(p))]  # .so.0.MINOR before 1.0
        if len(sonames) != 1:
            raise RuntimeError(f"setup.py: expected one libzslab.so.N (or .so.0.N) in {cmake_dir}, found {sonames}")
        dest = os.path.join(self.build_lib, "zslab")
        for old in glob.glob(os.path.join(dest, "libzslab.so*")):
            os.remove(old)
        shutil.copyfile(sonames[0], os.path.join(dest, os.path.basename(sonames[0])))  # the file, not the link


class BinaryDistribution(Distribution):
    def has_ext_modules(self):  # the package carries a shared library: a platform wheel
        return True


commands = {"build_py": BuildWithLibrary}
if bdist_wheel is not None:
    class PlatformWheel(bdist_wheel):
        """py3-none-<platform>: ctypes loads the library, so any Python 3 on this platform will do."""

        def finalize_options(self):
            super().finalize_options()
            self.root_is_pure = False

        def get_tag(self):
            return ("py3", "none", super().get_tag()[2])

    commands["bdist_wheel"] = PlatformWheel

os.makedirs(os.path.join(ROOT, SETUPTOOLS_DIR), exist_ok=True)
setup(version=c_version(), cmdclass=commands, distclass=BinaryDistribution,
      options={"build": {"build_base": SETUPTOOLS_DIR}, "egg_info": {"egg_base": SETUPTOOLS_DIR}})
