"""Baseline correction of phased real spectra.

Default (``"whittaker"``): the signal is found from the noise level, not from a fixed number
of "empty" points: a seed from the smoothed first derivative (blind to slow baseline rolls),
then rounds of ``|y - b| > threshold * sigma`` grown by a margin, and the baseline ``b`` is a
Whittaker smoother (second differences, penalty ``lam``) through the signal-free points only;
across signal regions it bridges almost linearly. On crowded 1H spectra this keeps the feet
of overlapping multiplets instead of pulling a polynomial through them (TopSpin ``absn`` and
Mnova's Whittaker baseline work the same way). ``"polynomial"`` (a Chebyshev polynomial
through the signal-free points) stays available.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import Chebyshev
from scipy.linalg import solveh_banded
from scipy.ndimage import binary_dilation, uniform_filter1d

from .noise import correlation_stride, noise_sigma

__all__ = ["METHODS", "POLYNOMIAL_ORDER", "baseline_points", "baseline_record", "signal_mask", "whittaker",
           "masked_smooth", "whittaker_baseline", "polynomial_baseline", "correct_baseline"]

#: Names accepted by :func:`correct_baseline` (and ``process(baseline=...)``).
METHODS = ("whittaker", "polynomial")
#: Order of the ``"polynomial"`` method.
POLYNOMIAL_ORDER = 4
#: Shortest baseline feature the Whittaker baseline follows, as a fraction of the spectral width.
PERIOD_FRACTION = 0.04
#: Largest number of blocks :func:`masked_smooth` fits.
COARSE_POINTS = 2048


def baseline_points(data: np.ndarray, baseline: np.ndarray | None = None, threshold: float = 3.0,
                    widen: int | None = None) -> np.ndarray:
    """Boolean mask of the points that hold no signal, relative to a baseline estimate.

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


def _derivative_seed(data: np.ndarray, stride: int, threshold: float, widen: int) -> np.ndarray:
    """Signal-free mask from the smoothed first derivative over ``stride`` points (slow rolls
    have a tiny slope)."""
    smooth = uniform_filter1d(data, 5)
    slope = np.zeros_like(smooth)
    slope[stride:-stride] = (smooth[2 * stride:] - smooth[: -2 * stride]) / 2.0
    slope_sigma = max(noise_sigma(slope[::stride]), 1e-300)
    return ~binary_dilation(np.abs(slope) > threshold * slope_sigma, iterations=widen)


def signal_mask(data: np.ndarray, threshold: float = 4.0, widen: int | None = None,
                period_fraction: float = PERIOD_FRACTION, rounds: int = 6, negative_lines: bool = False) -> np.ndarray:
    """Boolean mask of the signal-free points of a real spectrum with a possibly rolling baseline.

    The noise level is taken at the :func:`~.noise.correlation_stride` (zero-filled data).
    Seeded from the smoothed first derivative, then refined in rounds: a point is signal when
    it lies more than ``threshold`` noise sigmas above the current Whittaker baseline (or, with
    ``negative_lines``, away from it on either side), grown by ``widen`` points. Points below
    the baseline pull it down, so it settles on the lower envelope of the noise rather than on
    the Lorentzian feet of tall lines, which a crowded 1H spectrum has everywhere.

    Parameters
    ----------
    data : real spectrum, shape ``(n,)``.
    threshold : signal level in units of the noise standard deviation.
    widen : points added on each side of every signal region (default ``n // 1000 + 3``).
    period_fraction : stiffness of the intermediate baselines (see :func:`masked_smooth`).
    rounds : at most this many classify / fit rounds after the seed.
    negative_lines : the spectrum may hold negative lines (DEPT-135, edited spectra).

    Returns
    -------
    ndarray of bool, shape ``(n,)``: True where there is no signal.
    """
    stride = correlation_stride(data)
    sigma = noise_sigma(data[::stride])
    widen = data.size // 1000 + 3 if widen is None else widen
    free = _derivative_seed(data, stride, threshold, widen)
    for _ in range(rounds):
        deviation = data - masked_smooth(data, free, period_fraction)
        signal = np.abs(deviation) if negative_lines else deviation
        grown = ~binary_dilation(signal > threshold * sigma, iterations=widen)
        if grown.sum() < 0.02 * data.size or np.array_equal(grown, free):
            break
        free = grown
    return free


def whittaker(data: np.ndarray, weights: np.ndarray, lam: float) -> np.ndarray:
    """Weighted Whittaker smoother with a second-difference penalty (Eilers 2003).

    Solves ``(W + lam * D2' D2) z = W y`` with a banded Cholesky factorisation, ``O(n)``; keep
    ``lam`` below about 1e8 (float64 conditioning), see :func:`masked_smooth` for long data.

    Parameters
    ----------
    data : real values ``y``, shape ``(n,)``.
    weights : non-negative weights ``W`` (0 = ignore the point), shape ``(n,)``.
    lam : smoothness penalty (larger = stiffer); the smoother passes periods above about
        ``2 pi lam ** 0.25`` points.

    Returns
    -------
    ndarray : the smooth curve ``z``, shape ``(n,)``.
    """
    n = data.size
    w = np.asarray(weights, dtype=float)
    if np.count_nonzero(w) < 2 or n < 3:
        return np.full(n, np.average(data, weights=w) if w.sum() > 0 else np.median(data))
    diag = np.full(n, 6.0)
    diag[[0, -1]], diag[[1, -2]] = 1.0, 5.0
    off1 = np.full(n, -4.0)
    off1[[1, -1]] = -2.0
    bands = np.zeros((3, n))
    bands[0, 2:] = lam                                  # second super-diagonal
    bands[1], bands[2] = lam * off1, lam * diag + w     # first super-diagonal, diagonal
    return solveh_banded(bands, w * data, check_finite=False)


def masked_smooth(data: np.ndarray, free: np.ndarray, period_fraction: float = PERIOD_FRACTION) -> np.ndarray:
    """Whittaker curve through the ``free`` points of ``data``, passing periods above
    ``period_fraction * n`` points.

    The fit runs on at most :data:`COARSE_POINTS` blocks (mean of the free points of each block,
    weighted by their share), which keeps the penalty well conditioned, and is interpolated back.

    Parameters
    ----------
    data : real values, shape ``(n,)``.
    free : True where the point belongs to the baseline, shape ``(n,)``.
    period_fraction : shortest baseline feature passed, as a fraction of the width.

    Returns
    -------
    ndarray : the curve, shape ``(n,)``.
    """
    n = data.size
    block = max(1, n // COARSE_POINTS)
    edges = np.arange(0, n, block)
    sizes = np.diff(np.append(edges, n))
    counts = np.add.reduceat(free.astype(float), edges)
    means = np.add.reduceat(np.where(free, data, 0.0), edges) / np.maximum(counts, 1.0)
    lam = (period_fraction * edges.size / (2.0 * np.pi)) ** 4
    curve = whittaker(means, counts / sizes, lam)
    return np.interp(np.arange(n), edges + (sizes - 1) / 2.0, curve)


def whittaker_baseline(data: np.ndarray, threshold: float = 4.0, period_fraction: float = PERIOD_FRACTION,
                       negative_lines: bool = False) -> np.ndarray:
    """Baseline of a real 1D spectrum: Whittaker smoother through its :func:`signal_mask` points.

    Parameters
    ----------
    data : real spectrum, shape ``(n,)``.
    threshold : signal detection level in noise sigmas.
    period_fraction : shortest baseline feature followed, as a fraction of the width.
    negative_lines : the spectrum may hold negative lines (see :func:`signal_mask`).

    Returns
    -------
    ndarray : the baseline, shape ``(n,)``.
    """
    free = signal_mask(data, threshold, period_fraction=period_fraction, negative_lines=negative_lines)
    return masked_smooth(data, free, period_fraction)


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


def _method(method: str | int) -> tuple[str, int]:
    """``(name, polynomial order)`` of a baseline method given by name or polynomial order."""
    if isinstance(method, (int, np.integer)) and not isinstance(method, bool):
        return "polynomial", int(method)
    if method not in METHODS:
        raise ValueError(f"unknown baseline method {method!r}; use one of {', '.join(METHODS)}, "
                         "a polynomial order or None")
    return str(method), POLYNOMIAL_ORDER


def baseline_record(method: str | int) -> dict[str, object]:
    """What :func:`correct_baseline` does with ``method``, for ``meta["steps"]``."""
    name, order = _method(method)
    return {"method": name, "order": order} if name == "polynomial" else {"method": name}


def correct_baseline(data: np.ndarray, method: str | int = "whittaker", negative_lines: bool = False) -> np.ndarray:
    """Subtract a baseline from each 1D trace along the last axis.

    Parameters
    ----------
    data : real spectrum, shape ``(n,)`` or ``(m, n)``.
    method : ``"whittaker"``, ``"polynomial"`` (order :data:`POLYNOMIAL_ORDER`) or an int
        (a polynomial of that order).
    negative_lines : the spectrum may hold negative lines (Whittaker signal detection).
    """
    name, order = _method(method)
    if name == "whittaker":
        fit = lambda row: whittaker_baseline(row, negative_lines=negative_lines)  # noqa: E731
    else:
        fit = lambda row: polynomial_baseline(row, order)  # noqa: E731
    if data.ndim == 1:
        return data - fit(data)
    return np.stack([row - fit(row) for row in data])
