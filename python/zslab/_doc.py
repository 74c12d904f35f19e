# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""numpy-style docstrings of the scipy.ndimage-named functions, built from one set of shared
sections: what scipy's function does, its parameters, what is returned, and where zslab differs."""

_INPUT = """input : array_like
    A numpy array of 1 to 3 dimensions, in any memory order (read in place; strided views are
    gathered plane by plane)."""

_COMMON = """output : None, dtype, ndarray, str or os.PathLike, optional
    None: an array of the input's dtype (as scipy); a dtype; an array of the input's shape to fill;
    or a path, written out of core in the format its name says (.npy, .tif, .nii, ...).
mode : str or sequence of str, optional
    scipy's boundary modes ('reflect', 'constant', 'nearest', 'mirror', 'wrap' and scipy's
    aliases), one for every axis or one per axis.
cval : float, optional
    The value beyond the edges for mode='constant'.
threads : int, optional
    Keyword only (zslab): worker threads; default: the library's choice.
mem_budget : int or str, optional
    Keyword only (zslab): the memory the run may use, in bytes or as '512M'; a path output is then
    computed slab by slab.
progress : callable, optional
    Keyword only (zslab): called with the fraction done (0 to 1), on the caller's thread."""

_RETURNS = """Returns
-------
ndarray
    The filtered array in the caller's axis order: `output` itself when it is an array, an
    np.memmap of the file when it is a path."""

_DIFFERS = """zslab differs from scipy where it cannot compute what scipy does: arguments it cannot honour
raise ValueError naming the parameter (an origin other than 0, a footprint that is not all ones).
Integer outputs are rounded once at the end (half to even, saturating) where scipy truncates after
each 1-D pass, so a sum's result can differ by 1."""

_BOX = """size : int or sequence of int, optional
    The box's extent, for every axis or per axis.
footprint : array_like, optional
    Accepted when all ones (a box of its shape); any other footprint raises ValueError.
"""

_ORIGIN = """origin : int, optional
    Must be 0: zslab centres every window at size // 2.
"""


def scipy_doc(summary, params, differs=""):
    """Sets the decorated function's docstring: summary (what scipy's function does), its own
    parameters (numpy-style entries), the shared ones, and the differences from scipy."""
    def deco(f):
        notes = _DIFFERS + ("\n\n" + differs if differs else "")
        f.__doc__ = (f"{summary}\n\nParameters\n----------\n{_INPUT}\n{params}{_COMMON}\n\n{_RETURNS}\n\n"
                     f"Notes\n-----\n{notes}\n")
        return f
    return deco


SIGMA = """sigma : float or sequence of float
    The Gaussian's standard deviation in voxels, for every axis or per axis.
"""
TRUNCATE = """truncate : float, optional
    The kernel's radius in standard deviations: int(truncate * sigma + 0.5) voxels.
"""
BOX = _BOX
ORIGIN = _ORIGIN
STRUCTURE = """structure : array_like, optional
    Not supported: zslab's morphology is flat (a box); a structure raises ValueError.
"""
FLOAT32 = ("The sums are computed in float32 (scipy: float64), so results agree with scipy's to float32's "
           "precision.")
ONE_MODE = "One mode for all axes: a mode per axis raises ValueError."
_TYPE = ("the computing type (float32; float64 for float64 and 32- and 64-bit integer input) holds the values "
         "exactly.")
EXACT = "A selection (no arithmetic): the result equals scipy's wherever " + _TYPE
TOPHAT = "One difference of the input and a selection: the result equals scipy's wherever " + _TYPE
