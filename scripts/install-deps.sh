#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Installs what zslab needs to build and test, on Debian or Ubuntu, and only what is
# missing: a fast no-op when everything is there. Extra Debian packages to ensure may be
# given as arguments (.ci/run passes g++). Without root or password-less sudo it prints the
# command to run and exits 1. apt-get's output is shown only when it fails.
# MPI (OpenMPI: mpirun for `mpirun -np N zslab filter` and its test) is optional:
# ZS_WITH_MPI=OFF leaves it out; an MPI already there (mpicc, mpirun) is used as it is.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
deb_installed() { have dpkg-query && [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
# A library is present if pkg-config finds it, or (without pkg-config) if its package is.
lib_present() { if have pkg-config; then pkg-config --exists "$1"; else deb_installed "$2"; fi; }
py_has() { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }

have cmake || missing+=(cmake)
have cc || have gcc || missing+=(gcc)
have make || missing+=(make)
have pkg-config || missing+=(pkg-config)
lib_present hwloc libhwloc-dev || missing+=(libhwloc-dev)
lib_present cmocka libcmocka-dev || missing+=(libcmocka-dev)
lib_present libtiff-4 libtiff-dev || missing+=(libtiff-dev)
lib_present libpng libpng-dev || missing+=(libpng-dev) # previews are PNG files
# chunked formats: Zarr (JSON metadata, blosc/zstd/gzip chunks) and HDF5 (serial libhdf5)
lib_present libcjson libcjson-dev || missing+=(libcjson-dev)
lib_present blosc libblosc-dev || missing+=(libblosc-dev)
lib_present libzstd libzstd-dev || missing+=(libzstd-dev)
lib_present zlib zlib1g-dev || missing+=(zlib1g-dev)
lib_present hdf5 libhdf5-dev || missing+=(libhdf5-dev)
lib_present liburing liburing-dev || missing+=(liburing-dev) # --engine uring (io_uring); optional to build
[ -x /usr/bin/time ] || missing+=(time) # peak RSS in the tests (/usr/bin/time -f %M)
have snakemake || missing+=(snakemake) # examples/snakemake, run by its test
have tiffcp || missing+=(libtiff-tools) # the TIFF tests recompress stacks with tiffcp (LZW, zstd)
have man || missing+=(man-db) # the manual page's test reads it with man -l (and groff)
lib_present bash-completion bash-completion || missing+=(bash-completion) # where its completion is installed
have abidiff || missing+=(abigail-tools) # abi_check: the library against the stored ABI (tests/abi)
if [ "${ZS_WITH_MPI:-ON}" != OFF ]; then
    have mpicc || lib_present ompi-c libopenmpi-dev || missing+=(libopenmpi-dev)
    have mpirun || have mpiexec || missing+=(openmpi-bin)
fi
# The Python tests use the system interpreter's packages (/usr/bin/python3), not a venv's.
if ! py_has "numpy, scipy, nibabel, tifffile"; then
    py_has numpy || missing+=(python3-numpy)
    py_has scipy || missing+=(python3-scipy)
    py_has nibabel || missing+=(python3-nibabel)
    py_has tifffile || missing+=(python3-tifffile)
fi
py_has pytest || missing+=(python3-pytest) # the zslab Python package's suite (python/tests)
py_has zarr || missing+=(python3-zarr)       # Zarr and OME-Zarr files as zarr-python writes and reads them
py_has h5py || missing+=(python3-h5py)       # HDF5 files as h5py writes and reads them
py_has dask.array || missing+=(python3-dask) # zslab.dask: the filters on dask arrays
py_has distributed || missing+=(python3-distributed) # zslab.dask on a dask.distributed cluster
py_has skimage || missing+=(python3-skimage) # resample --method antialias against skimage.transform.resize
# `pip install .` (pyproject.toml: setuptools and wheel, offline with --no-build-isolation) in a venv
py_has pip || missing+=(python3-pip)
py_has "venv, ensurepip" || missing+=(python3-venv)
py_has setuptools || missing+=(python3-setuptools)
py_has wheel || missing+=(python3-wheel)
for pkg in "$@"; do
    deb_installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all dependencies present"
    exit 0
fi

echo "install-deps: missing: ${missing[*]}"
if ! have apt-get; then
    echo "install-deps: no apt-get here; install the equivalents of: ${missing[*]}" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif have sudo && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "install-deps: run this, then try again:" >&2
    echo "sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { "${sudo[@]}" apt-get update -qq && \
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "install-deps: apt-get failed (above); to retry by hand: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
rm -f "$log"
echo "install-deps: installed ${missing[*]}"
