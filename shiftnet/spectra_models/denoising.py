"""Denoising of 1D and 2D spectra: the CNN and two classical baselines.

>>> from shiftnet import spectra
>>> clean = spectra.denoise(spectrum, method="cnn")   # or "wavelet", "savgol"   # doctest: +SKIP

Every method works in units of the spectrum's robust noise level
(:func:`~shiftnet.spectra.noise.residual_noise_sigma`), so the result does not depend on the
intensity scale: ``denoise(1000 * x) == 1000 * denoise(x)`` up to rounding.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.signal import savgol_filter

from ..spectra.core import Spectrum, real_data
from ..spectra.noise import residual_noise_sigma
from .denoise_model import DenoiserNet, apply_denoiser, load_denoiser

__all__ = ["denoise", "wavelet_denoise", "DEFAULT_MODEL", "METHODS"]

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "weights" / "denoiser.pt"
METHODS = ("cnn", "wavelet", "savgol")
#: Shortest spectrum (points per row) any method accepts.
MIN_POINTS = 16
#: Wavelet: soft threshold in noise std of each level; levels of the undecimated Haar transform.
WAVELET_THRESHOLD, WAVELET_LEVELS = 2.0, 5
#: Savitzky-Golay window (points, odd) and polynomial order.
SAVGOL_POINTS, SAVGOL_ORDER = 9, 4
#: Rows of a 2D spectrum sent through the CNN at once.
ROW_BATCH = 64


def _checked(x: Spectrum | np.ndarray) -> np.ndarray:
    """The real data of ``x`` as float64 ``(n,)`` or ``(rows, n)``; ValueError otherwise."""
    return real_data(x, "denoising", min_points=MIN_POINTS)


@lru_cache(maxsize=4)
def _load(path: str) -> DenoiserNet:
    return load_denoiser(Path(path))[0]


def _cnn(rows: np.ndarray, sigma: float, model: DenoiserNet | str | Path | None) -> np.ndarray:
    net = model if isinstance(model, DenoiserNet) else _load(str(model or DEFAULT_MODEL))
    chunks = [rows[i:i + ROW_BATCH] for i in range(0, len(rows), ROW_BATCH)]
    return np.concatenate([apply_denoiser(net, chunk, np.full(len(chunk), sigma)) for chunk in chunks])


def _haar_levels(x: np.ndarray, levels: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Undecimated (stationary) Haar transform along the last axis with circular shifts:
    ``(details per level, final approximation)``, every array shaped like ``x``."""
    details, approx = [], x
    for level in range(levels):
        shifted = np.roll(approx, 2 ** level, axis=-1)
        details.append((approx - shifted) / 2.0)
        approx = (approx + shifted) / 2.0
    return details, approx


def _haar_inverse(details: list[np.ndarray], approx: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_haar_levels` (the average of the two reconstructions at each level)."""
    for level in reversed(range(len(details))):
        d = details[level]
        approx = ((approx + d) + np.roll(approx - d, -(2 ** level), axis=-1)) / 2.0
    return approx


def wavelet_denoise(rows: np.ndarray, sigma: float, threshold: float = WAVELET_THRESHOLD,
                    levels: int = WAVELET_LEVELS) -> np.ndarray:
    """Soft-threshold the detail coefficients of an undecimated Haar transform.

    Parameters
    ----------
    rows : real array ``(..., n)``, transformed along the last axis.
    sigma : noise std of ``rows`` (data units).
    threshold : threshold in noise std of each level; a level's noise std is measured on its
        coefficients (1.4826 x MAD), or ``sigma / 2**((level + 1) / 2)`` (white noise) if smaller.
    levels : decomposition levels (scales 1, 2, ..., 2**(levels - 1) points).

    Returns
    -------
    array shaped like ``rows``.
    """
    details, approx = _haar_levels(rows, levels)
    kept = []
    for level, d in enumerate(details):
        measured = 1.4826 * np.median(np.abs(d - np.median(d)))
        t = threshold * max(measured, sigma / 2 ** ((level + 1) / 2))
        kept.append(np.sign(d) * np.maximum(np.abs(d) - t, 0.0))
    return _haar_inverse(kept, approx)


def _rows(data: np.ndarray, method: str, model) -> np.ndarray:
    """Denoise every row of ``data`` ``(rows, n)`` with one noise level for the whole array."""
    sigma = residual_noise_sigma(data.ravel())
    if method == "cnn":
        return _cnn(data, sigma, model)
    if method == "wavelet":
        return wavelet_denoise(data, sigma)
    return savgol_filter(data, SAVGOL_POINTS, SAVGOL_ORDER, axis=-1, mode="interp")


def denoise(x: Spectrum | np.ndarray, method: str = "cnn", *,
            model: DenoiserNet | str | Path | None = None) -> Spectrum | np.ndarray:
    """Remove the noise of a 1D or 2D real spectrum, keeping peak positions, heights and integrals.

    Parameters
    ----------
    x : a real :class:`~shiftnet.spectra.Spectrum` (phased) or a real NumPy array, shape
        ``(n,)`` or ``(n_f1, n_f2)``, any intensity unit, at least 16 points per row. 2D data
        are denoised row by row along F2 (the directly detected axis), with one noise level
        for the whole spectrum; there is no 2D model.
    method : "cnn" (the learned denoiser, ``weights/denoiser.pt``), "wavelet" (soft threshold,
        2 noise std per level, of an undecimated Haar transform over 5 levels; NumPy only) or
        "savgol" (Savitzky-Golay, 9 points, quartic; lowers lines of FWHM 5 points by 4 %,
        3 points by 14 %).
    model : CNN only: a :class:`DenoiserNet` or a model-file path (default the shipped weights).

    Returns
    -------
    The same type and shape as ``x``: a new :class:`Spectrum` (same axes and metadata,
    ``meta["denoise"]`` records the method, imaginary part dropped) or a float64 array.

    Raises
    ------
    ValueError : complex, non-numeric, empty, too short, NaN/inf or not 1D/2D data; unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"unknown denoising method {method!r}; use one of {', '.join(METHODS)}")
    data = _checked(x)
    out = _rows(np.atleast_2d(data), method, model).reshape(data.shape)
    if isinstance(x, Spectrum):
        return replace(x, data=out, imag=None, meta={**x.meta, "denoise": method})
    return out
