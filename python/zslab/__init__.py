# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab from Python: scipy.ndimage's filters on numpy arrays and on files larger than memory.

    import numpy as np, zslab
    a = np.load("stack.npy", mmap_mode="r")              # or any array
    smooth = zslab.gaussian_filter(a, sigma=2)           # = scipy.ndimage.gaussian_filter(a, 2)
    spots = zslab.white_tophat(a, size=7, output="spots.npy")   # written out of core: an np.memmap
    zslab.filter("stack.tif", "out.tif", ["median:size=3", "gaussian:sigma=1"], mem_budget="512M")
    labels, n = zslab.label("mask.npy", output="labels.npy")   # = scipy.ndimage.label, out of core

The work runs in libzslab's OpenMP workers with the GIL released; Ctrl-C stops a run within a
fraction of a second, removes a partial output file and raises KeyboardInterrupt. Errors raise
ValueError (bad arguments and parameters), FileNotFoundError, FileExistsError or ZslabError,
with the library's message naming the file or the parameter. zslab.dask has the same functions
for dask arrays (import zslab.dask; it needs dask), zslab.halo the voxels a pipeline reads."""
from ._core import ZslabError
from ._detect import detect
from ._files import File, filter, halo, kernels, load_plugin, open, version
from ._label import label, regionprops_table
from ._resample import resample, zoom
from ._ndimage import (black_tophat, difference_of_gaussians, gaussian_filter, gaussian_gradient_magnitude,
                       gaussian_laplace, grey_closing, grey_opening, maximum_filter, median_filter, minimum_filter,
                       percentile_filter, uniform_filter, white_tophat)

__version__ = version()
__all__ = ["File", "ZslabError", "black_tophat", "detect", "difference_of_gaussians", "filter", "gaussian_filter",
           "gaussian_gradient_magnitude", "gaussian_laplace", "grey_closing", "grey_opening", "halo", "kernels", "label",
           "load_plugin", "maximum_filter", "median_filter", "minimum_filter", "open", "percentile_filter",
           "regionprops_table", "resample", "uniform_filter", "version", "white_tophat", "zoom"]
