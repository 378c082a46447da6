"""Hidden overlaps: split a picked line in two where two Lorentzians explain it clearly better.

The CNN picker often reports two lines about one linewidth apart as one broad line. After it
has picked, every positive line with no other pick within :data:`MIN_GAP` of its widths is fitted
in a window of :data:`WINDOW` widths on each side (the other picks' Lorentzians, as the CNN
estimated them, subtracted first) by one Lorentzian (centre, height, width, offset) and by two
Lorentzians of one shared width (two centres, two heights, width, offset). The pair replaces the
line when

- the residual sum of squares drops by more than :data:`SPLIT_GAIN` noise variances,
- the pair's residual is noise-like (under :data:`FIT_QUALITY` noise variances per point), so
  that a line that fits neither model (a non-Lorentzian real line, a badly subtracted neighbour)
  is left alone,
- both lines reach the picking threshold and :data:`MIN_RATIO` of each other, lie at least half
  their width apart and within one width of the pick, with a width 0.2-2 times the pick's.

Lines that one Lorentzian at the CNN's centre and width already fits to about the noise skip
the non-linear fits (most lines, so picking stays fast).

Chosen on the tuning seed of ``bench/bench_peaks.py`` (synthetic Lorentzian spectra) and
checked on the real ibuprofen spectra of the same bench.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from .peak_model import Candidates

__all__ = ["resolve_overlaps"]

#: Minimum drop of the residual sum of squares, in noise variances, for a split.
SPLIT_GAIN = 20.0
#: The two-line fit's residual must stay under this many noise variances per point.
FIT_QUALITY = 3.0
#: The weaker line of a split must reach this fraction of the stronger: a weak shoulder one
#: linewidth off a strong line looks like a lineshape error of real data (ibuprofen 13C).
MIN_RATIO = 0.25
#: Half window of the fit, in the line's widths.
WINDOW = 2.5
#: Lines with another pick closer than this many widths are not tested.
MIN_GAP = 1.5
#: Other picks closer than the window plus this many of their widths are subtracted (a
#: Lorentzian 20 widths off its centre is down to 0.06 % of its height).
TAIL_WIDTHS = 20.0
#: Fewest points a fit window must hold.
MIN_POINTS = 7
#: Function evaluations per fit (a degenerate pair, one line fitted twice, converges slowly).
MAX_EVALUATIONS = 30


def lorentzian(x: np.ndarray, centre: float, height: float, width: float) -> np.ndarray:
    """Lorentzian of FWHM ``width`` (points) and apex ``height`` at ``centre``, on points ``x``."""
    return height / (1.0 + ((x - centre) / (0.5 * width)) ** 2)


def _lorentzian_terms(x: np.ndarray, centre: float, height: float, width: float) -> tuple[np.ndarray, ...]:
    """Derivatives of :func:`lorentzian` by centre, height and width, each shaped like ``x``."""
    u = (x - centre) / (0.5 * width)
    g = 1.0 / (1.0 + u * u)
    return height * g * g * 4.0 * u / width, g, height * g * g * 2.0 * u * u / width


def _linear_one(x: np.ndarray, y: np.ndarray, centre: float, width: float) -> float:
    """Residual sum of squares of one Lorentzian at the CNN's centre and width (height and
    offset fitted linearly): an upper bound of :func:`_fit_one`'s, one small solve."""
    design = np.stack([lorentzian(x, centre, 1.0, width), np.ones_like(x)], axis=1)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.sum((design @ coef - y) ** 2))


def _fit_one(x: np.ndarray, y: np.ndarray, centre: float, height: float, width: float) -> float:
    """Residual sum of squares of the best single Lorentzian plus offset."""
    def residual(p: np.ndarray) -> np.ndarray:
        return lorentzian(x, p[0], p[1], p[2]) + p[3] - y

    def jacobian(p: np.ndarray) -> np.ndarray:
        return np.stack([*_lorentzian_terms(x, p[0], p[1], p[2]), np.ones_like(x)], axis=1)

    fit = least_squares(residual, [centre, height, width, 0.0], jac=jacobian, method="lm", x_scale="jac",
                        ftol=1e-6, xtol=1e-6, max_nfev=MAX_EVALUATIONS)
    return float(np.sum(fit.fun ** 2))


def _fit_two(x: np.ndarray, y: np.ndarray, centre: float, height: float, width: float) -> tuple[np.ndarray, float]:
    """Best pair of Lorentzians of one width plus offset: parameters ``(c1, c2, h1, h2, w,
    offset)`` and the residual sum of squares."""
    def residual(p: np.ndarray) -> np.ndarray:
        return lorentzian(x, p[0], p[2], p[4]) + lorentzian(x, p[1], p[3], p[4]) + p[5] - y

    def jacobian(p: np.ndarray) -> np.ndarray:
        dc1, dh1, dw1 = _lorentzian_terms(x, p[0], p[2], p[4])
        dc2, dh2, dw2 = _lorentzian_terms(x, p[1], p[3], p[4])
        return np.stack([dc1, dc2, dh1, dh2, dw1 + dw2, np.ones_like(x)], axis=1)

    start = [centre - 0.3 * width, centre + 0.3 * width, 0.6 * height, 0.6 * height, 0.6 * width, 0.0]
    fit = least_squares(residual, start, jac=jacobian, method="lm", x_scale="jac",
                        ftol=1e-6, xtol=1e-6, max_nfev=MAX_EVALUATIONS)
    return fit.x, float(np.sum(fit.fun ** 2))


def _window(row: np.ndarray, found: Candidates, j: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Points and data around pick ``j`` with the other picks' lines subtracted; None when a
    pick is too close or the window too small."""
    centre, width = found.index[j], found.width_points[j]
    others = np.delete(np.arange(found.index.size), j)
    distance = np.abs(found.index[others] - centre)
    if others.size and distance.min() < MIN_GAP * width:
        return None
    lo, hi = int(max(0.0, centre - WINDOW * width)), int(min(row.size, centre + WINDOW * width + 1))
    if hi - lo < MIN_POINTS:
        return None
    x = np.arange(lo, hi, dtype=float)
    y = row[lo:hi].astype(float)
    for o in others[distance < WINDOW * width + TAIL_WIDTHS * found.width_points[others]]:
        y = y - lorentzian(x, found.index[o], found.height[o], found.width_points[o])
    return x, y


def _split(row: np.ndarray, sigma: float, found: Candidates, j: int, min_snr: float) -> np.ndarray | None:
    """``(c1, c2, h1, h2, w, offset)`` when pick ``j`` is better explained as two lines, else None."""
    window = _window(row, found, j)
    if window is None:
        return None
    x, y = window
    centre, height, width = found.index[j], found.height[j], found.width_points[j]
    if _linear_one(x, y, centre, width) / sigma ** 2 - (x.size - 4) < 0.5 * SPLIT_GAIN:
        return None   # one line, as the CNN placed it, already fits about to the noise
    one = _fit_one(x, y, centre, height, width) / sigma ** 2
    if one - (x.size - 4) < 0.5 * SPLIT_GAIN:
        return None
    pair, two = _fit_two(x, y, centre, height, width)
    two /= sigma ** 2
    noise_like = two / max(x.size - 6, 1) < FIT_QUALITY
    c1, c2, h1, h2, w = pair[:5]
    inside = max(abs(c1 - centre), abs(c2 - centre)) <= width and 0.2 * width <= w <= 2.0 * width
    apart = abs(c2 - c1) > 0.5 * w
    strong = min(h1, h2) > max(min_snr * sigma, MIN_RATIO * max(h1, h2))
    return pair if one - two > SPLIT_GAIN and noise_like and inside and apart and strong else None


def resolve_overlaps(row: np.ndarray, sigma: float, found: Candidates, min_snr: float) -> Candidates:
    """``found`` with each hidden pair of positive lines split in two (see the module docstring).

    Parameters
    ----------
    row : real spectrum ``(n,)``; ``found`` holds its picks in points.
    sigma : robust noise standard deviation of ``row``.
    min_snr : both lines of a split must reach ``min_snr * sigma``.
    """
    dropped, added = [], []
    for j in np.flatnonzero(found.height > 0):
        pair = _split(row, sigma, found, int(j), min_snr)
        if pair is not None:
            dropped.append(j)
            added += [(pair[0], pair[2], pair[4], found.confidence[j]), (pair[1], pair[3], pair[4], found.confidence[j])]
    if not dropped:
        return found
    keep = np.setdiff1d(np.arange(found.index.size), dropped)
    new = np.array(added, dtype=float).reshape(-1, 4)
    return Candidates(*(np.concatenate([np.asarray(old, dtype=float)[keep], new[:, k]])
                        for k, old in enumerate((found.index, found.height, found.width_points, found.confidence))))
