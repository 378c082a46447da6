"""Baseline correction of phased real spectra: find the signal-free points, fit a smooth curve."""

from __future__ import annotations

import numpy as np
from numpy.polynomial import Chebyshev
from scipy.ndimage import binary_dilation

from .noise import noise_sigma

__all__ = ["baseline_points", "polynomial_baseline", "correct_baseline"]


def baseline_points(data: np.ndarray, baseline: np.ndarray | None = None, threshold: float = 3.0,
                    widen: int | None = None) -> np.ndarray:
    """Boolean mask of the points that hold no signal.

    A point is signal when it deviates from ``baseline`` (default: the median) by more than
    ``threshold`` noise standard deviations; signal regions are widened by ``widen`` points
    on each side (default ``n // 500 + 2``) to cover the feet of the lines.

    Parameters
    ----------
    data : real spectrum, shape ``(n,)``.
    baseline : current baseline estimate, shape ``(n,)``.
    threshold : in units of the noise standard deviation.
    widen : dilation of the signal regions in points.
    """
    ref = np.median(data) if baseline is None else baseline
    signal = np.abs(data - ref) > threshold * noise_sigma(data)
    widen = data.size // 500 + 2 if widen is None else widen
    return ~binary_dilation(signal, iterations=widen)


def polynomial_baseline(data: np.ndarray, order: int = 4, iterations: int = 3) -> np.ndarray:
    """Baseline of a real 1D spectrum: a Chebyshev polynomial fitted to its signal-free points.

    Parameters
    ----------
    data : real spectrum, shape ``(n,)``.
    order : polynomial order (0 = constant offset).
    iterations : rounds of (classify points, fit).

    Returns
    -------
    ndarray : the baseline, shape ``(n,)``.
    """
    x = np.linspace(-1.0, 1.0, data.size)
    fitted = None
    for _ in range(iterations):
        mask = baseline_points(data, fitted)
        if mask.sum() <= order + 1:
            mask = np.ones_like(mask)
        fitted = Chebyshev.fit(x[mask], data[mask], order)(x)
    return fitted


def correct_baseline(data: np.ndarray, order: int = 4) -> np.ndarray:
    """Subtract :func:`polynomial_baseline` from each 1D trace along the last axis.

    Parameters
    ----------
    data : real spectrum, shape ``(n,)`` or ``(m, n)``.
    order : polynomial order.
    """
    if data.ndim == 1:
        return data - polynomial_baseline(data, order)
    return np.stack([row - polynomial_baseline(row, order) for row in data])
