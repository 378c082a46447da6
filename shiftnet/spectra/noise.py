"""Noise levels: robust estimates from a spectrum, and the simulator's time-domain noise.

:func:`noise_sigma` (first differences) is exact for white noise; on apodised, zero-filled
spectra, whose neighbouring points are correlated, use it at :func:`correlation_stride` or use
:func:`residual_noise_sigma` (spread around a running median), which stays right there.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from scipy.ndimage import median_filter

from .fourier import FIRST_POINT_SCALE

__all__ = ["noise_sigma", "residual_noise_sigma", "correlation_stride", "fid_noise_for_spectrum_sigma"]

#: Width in points of the running median under :func:`residual_noise_sigma`.
NOISE_MEDIAN_POINTS = 65


def noise_sigma(values: np.ndarray) -> float:
    """Robust noise standard deviation of a spectrum (MAD of first differences).

    Parameters
    ----------
    values : real or complex array of any shape (flattened; real and imaginary parts are
        estimated separately and averaged).

    Returns
    -------
    float : the standard deviation of white noise in ``values``, in the units of ``values``;
        lines and smooth baselines barely change it.
    """
    v = np.asarray(values).ravel()
    parts = [v.real, v.imag] if np.iscomplexobj(v) else [v]
    mads = [np.median(np.abs(np.diff(p) - np.median(np.diff(p)))) for p in parts]
    return float(1.4826 * np.mean(mads) / np.sqrt(2.0))


def residual_noise_sigma(spectrum: np.ndarray) -> float:
    """Robust noise std of a real 1D spectrum: 1.4826 x MAD of the spectrum minus its running
    median (:data:`NOISE_MEDIAN_POINTS` wide).

    Unlike :func:`noise_sigma`, it stays right for the correlated noise of apodised, zero-filled
    spectra (a point-to-point correlation of 0.8, typical in 13C, makes differences 2.5x too
    small); peaks and smooth baselines barely change it.
    """
    x = np.asarray(spectrum, dtype=float)
    residual = x - median_filter(x, size=min(NOISE_MEDIAN_POINTS, x.size), mode="nearest")
    return float(1.4826 * np.median(np.abs(residual - np.median(residual))))


def correlation_stride(data: np.ndarray, max_stride: int = 16) -> int:
    """Point spacing beyond which the noise of ``data`` is uncorrelated (1 for white noise).

    Zero-filling and apodisation correlate neighbouring points, which makes the difference-based
    :func:`~shiftnet.spectra.noise.noise_sigma` too small; at this stride it is right.
    """
    stride, sigma = 1, noise_sigma(data)
    while 2 * stride <= max_stride:
        wider = noise_sigma(data[:: 2 * stride])
        if wider < 1.25 * sigma:
            break
        stride, sigma = 2 * stride, wider
    return stride


def fid_noise_for_spectrum_sigma(spectrum_sigma: float, shape: int | Sequence[int]) -> float:
    """Per-component std of white complex FID noise giving ``spectrum_sigma`` in the real spectrum.

    Along each axis the real part of :func:`~shiftnet.spectra.fourier.fid_to_spectrum` sums
    ``n - 1`` unit-weight points and the scaled first point, so the variance grows by
    ``n - 1 + FIRST_POINT_SCALE**2`` per transformed axis.

    Parameters
    ----------
    spectrum_sigma : wanted noise std of the real spectrum.
    shape : complex points per transformed axis, e.g. ``n`` or ``(n_f1, n_f2)``.
    """
    sizes = np.atleast_1d(np.asarray(shape, dtype=float))
    return float(spectrum_sigma / np.sqrt(np.prod(sizes - 1 + FIRST_POINT_SCALE**2)))
