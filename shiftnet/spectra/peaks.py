"""Classical peak picking: local maxima above a threshold, and sub-point apex interpolation.

Used by phasing (apex phases), referencing (singlets, multiplet centres) and 2D phasing. The
learned peak picker is ``shiftnet.spectra.pick_peaks``; this module is its classical baseline.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import maximum_filter

__all__ = ["local_maxima", "parabolic_offset", "apex"]


def local_maxima(data: np.ndarray, threshold: float, size: int = 5,
                 max_peaks: int | None = None) -> tuple[np.ndarray, ...]:
    """Indices of the local maxima of a real array that exceed ``threshold``, tallest first.

    A point is a maximum when it equals the maximum of the ``size``-wide window centred on it
    (``size`` points per axis, so maxima are at least ``size // 2 + 1`` points apart; of a flat
    top of equal values every point counts).

    Parameters
    ----------
    data : real array, shape ``(n,)`` or ``(n1, n2)`` (e.g. a magnitude spectrum).
    threshold : minimum height, in the units of ``data``.
    size : window width in points per axis (odd).
    max_peaks : keep at most this many (the tallest); None keeps all.

    Returns
    -------
    tuple of int arrays, one per axis (as ``numpy.nonzero``), ordered by decreasing height.
    """
    data = np.asarray(data, dtype=float)
    found = np.nonzero((data == maximum_filter(data, size=size, mode="nearest")) & (data > threshold))
    order = np.argsort(data[found], kind="stable")[::-1][:max_peaks]
    return tuple(axis[order] for axis in found)


def parabolic_offset(left: np.ndarray, centre: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Offset in points (within +-0.5) of the vertex of the parabola through three samples.

    Parameters
    ----------
    left, centre, right : values at points ``i - 1, i, i + 1``, broadcastable arrays.

    Returns
    -------
    float array: the apex lies at ``i + offset``; 0 where the samples do not curve down.
    """
    left, centre, right = (np.asarray(v, dtype=float) for v in (left, centre, right))
    curvature = left - 2.0 * centre + right
    down = curvature < 0
    return np.where(down, 0.5 * (left - right) / np.where(down, curvature, -1.0), 0.0)


def apex(data: np.ndarray, index: int) -> float:
    """Fractional index of the maximum of a real 1D array reached by climbing from ``index``.

    Parameters
    ----------
    data : real array, shape ``(n,)``.
    index : starting point; the climb stops at the first local maximum (edges excluded).

    Returns
    -------
    float : the parabolic-interpolated apex position in points.
    """
    i = int(np.clip(index, 1, data.size - 2))
    while i + 1 < data.size - 1 and data[i + 1] > data[i]:
        i += 1
    while i - 1 > 0 and data[i - 1] > data[i]:
        i -= 1
    return float(i + parabolic_offset(data[i - 1], data[i], data[i + 1]))
