"""Automatic zero- and first-order phase correction from the phases of the peaks.

At the apex of a Lorentzian (or Gaussian) line the complex spectrum's angle equals the line's
phase error. :func:`peak_phases` reads those angles at the strongest peaks of the magnitude
spectrum, :func:`fit_linear_phase` fits ``phi(x) = p0 + p1 * x`` to them by weighted circular
regression (optionally modulo 180 degrees, so that negative lines such as the CH2 of a
DEPT-135 are allowed), and :func:`autophase` applies the result. Unlike entropy
minimisation this needs no starting guess and is not pulled by baseline roll.

The apex angles of lines that overlap (crowded 1H multiplets) are biased by their neighbours'
dispersion tails, which leaves dispersive lobes of a few percent. :func:`refine_phase` removes
them: from the peak fit it minimises the ACME score (Chen et al., J. Magn. Reson. 2002, 158,
164: entropy of the first derivative of the real spectrum plus a penalty on negative points)
over the whole spectrum, within a few degrees of the start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from .baseline import masked_smooth, signal_mask
from .noise import noise_sigma
from .peaks import local_maxima, parabolic_offset
from .steps import phase_shift

__all__ = ["PhaseFit", "peak_phases", "apex_phases", "fit_linear_phase", "acme_score", "refine_phase",
           "autophase"]

#: Largest change (p0, p1 in degrees) :func:`refine_phase` may make to the peak-based fit.
MAX_REFINEMENT_DEG = (90.0, 180.0)


@dataclass(frozen=True)
class PhaseFit:
    """Phase correction in the convention of :func:`~shiftnet.spectra.steps.phase_shift`.

    Attributes
    ----------
    p0_deg : zeroth-order correction in degrees.
    p1_deg : first-order correction in degrees across the whole width (pivot at point 0).
    n_peaks : number of peaks the fit used.
    coherence : weighted mean resultant length of the residual phases, 1 = all peaks agree.
    """

    p0_deg: float
    p1_deg: float
    n_peaks: int
    coherence: float


def peak_phases(spectrum: np.ndarray, max_peaks: int = 60, snr: float = 10.0,
                min_distance: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions, apex phases and weights of the strongest peaks of a complex 1D spectrum.

    Parameters
    ----------
    spectrum : complex spectrum, shape ``(n,)``.
    max_peaks : keep at most this many peaks (the highest).
    snr : minimum peak magnitude in units of the noise standard deviation.
    min_distance : minimum distance between peaks in points.

    Returns
    -------
    positions : fractional positions ``apex / n`` (apex interpolated between points), shape ``(k,)``.
    phases : angles at the interpolated apex in radians, shape ``(k,)``.
    weights : apex magnitudes, shape ``(k,)``.
    """
    magnitude = np.abs(spectrum)
    height = max(snr * noise_sigma(spectrum), 1e-3 * magnitude.max())
    (peaks,) = local_maxima(magnitude, height, size=2 * min_distance - 1, max_peaks=max_peaks)
    peaks = np.sort(peaks)
    peaks = peaks[(peaks > 0) & (peaks < spectrum.size - 1)]
    frac, phases = apex_phases(spectrum[peaks - 1], spectrum[peaks], spectrum[peaks + 1])
    return (peaks + frac) / spectrum.size, phases, magnitude[peaks]


def apex_phases(before: np.ndarray, at: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sub-point apex offsets and the complex spectrum's angle there, from three samples per peak.

    The apex lies between samples: the angle is moved along its local slope to the
    parabolic-interpolated apex of the magnitude, which removes its digitisation error.

    Parameters
    ----------
    before, at, after : complex values at points ``i - 1, i, i + 1`` of each peak, shape ``(k,)``.

    Returns
    -------
    offsets : apex position minus ``i`` in points, shape ``(k,)``.
    phases : angles at the apex in radians, shape ``(k,)``.
    """
    frac = parabolic_offset(np.abs(before), np.abs(at), np.abs(after))
    slope = np.angle(after * np.conj(before)) / 2.0
    return frac, np.angle(at) + slope * frac


def _resultant(phases: np.ndarray, positions: np.ndarray, weights: np.ndarray, p1: float, k: int) -> complex:
    return np.sum(weights * np.exp(1j * k * (phases - p1 * positions))) / np.sum(weights)


def fit_linear_phase(positions: np.ndarray, phases: np.ndarray, weights: np.ndarray,
                     allow_negative: bool = False, max_p1_deg: float = 720.0,
                     iterations: int = 3) -> PhaseFit:
    """Fit ``phases ~ p0 + p1 * positions`` (radians, circular) and return the correction.

    Parameters
    ----------
    positions : fractional positions in [0, 1), shape ``(k,)``.
    phases : measured phases in radians, shape ``(k,)``.
    weights : non-negative weights (peak heights), shape ``(k,)``.
    allow_negative : fit modulo pi (lines may be up or down) and then choose the sign that
        makes the weighted majority of the lines positive.
    max_p1_deg : search range of the first-order phase, +- degrees.
    iterations : rounds of robust re-weighting (peaks with large residuals count less).

    Returns
    -------
    PhaseFit : the correction (negated estimate) in degrees.
    """
    positions, phases = np.asarray(positions, float), np.asarray(phases, float)
    w = np.asarray(weights, float)
    if positions.size == 0:
        return PhaseFit(0.0, 0.0, 0, 0.0)
    k = 2 if allow_negative else 1
    max_p1 = np.deg2rad(max_p1_deg)
    p1 = 0.0
    for _ in range(iterations):
        grid = np.arange(-max_p1, max_p1 + 1e-9, 0.05 / k)
        scores = np.abs(np.exp(1j * k * (phases[None, :] - grid[:, None] * positions[None, :])) @ w)
        best = grid[np.argmax(scores)]
        res = minimize_scalar(lambda q: -abs(_resultant(phases, positions, w, q, k)),
                              bounds=(best - 0.05 / k, best + 0.05 / k), method="bounded")
        p1 = float(res.x)
        p0 = np.angle(_resultant(phases, positions, w, p1, k)) / k
        residual = np.angle(np.exp(1j * k * (phases - p0 - p1 * positions))) / k
        w = np.asarray(weights, float) / (1.0 + (residual / np.deg2rad(15.0)) ** 2)
    if allow_negative and np.sum(weights * np.cos(phases - p0 - p1 * positions)) < 0:
        p0 += np.pi
    coherence = abs(_resultant(phases - p0, positions, np.asarray(weights, float), p1, k))
    return PhaseFit(p0_deg=float(-np.rad2deg(p0)), p1_deg=float(-np.rad2deg(p1)),
                    n_peaks=int(positions.size), coherence=float(coherence))


def acme_score(real: np.ndarray, negative_penalty: float = 1000.0) -> float:
    """ACME score of a real spectrum: entropy of ``|dy/dx|`` plus a penalty on negative points.

    Parameters
    ----------
    real : real spectrum scaled to a maximum of about 1, shape ``(n,)``.
    negative_penalty : weight of ``sum(min(y - median(y), 0) ** 2)``; 0 allows negative lines.
    """
    slope = np.abs(np.diff(real))
    h = slope / max(slope.sum(), 1e-300)
    entropy = -np.sum(h[h > 0] * np.log(h[h > 0]))
    negative = np.minimum(real - np.median(real), 0.0)
    return float(entropy + negative_penalty * np.sum(negative**2))


def refine_phase(spectrum: np.ndarray, start: PhaseFit, allow_negative: bool = False) -> PhaseFit:
    """Refine a phase correction by minimising :func:`acme_score` over the whole spectrum.

    The search runs in (p0, p1) about a pivot at the tallest line, from ``start``. A baseline
    roll would pull the negative-point penalty, so each trial spectrum has its baseline removed
    first: a Whittaker curve through the signal-free points found once in the ``start``-phased
    spectrum (:mod:`.baseline`). A result that moves further than :data:`MAX_REFINEMENT_DEG`
    from ``start`` is rejected (``start`` is returned).

    Parameters
    ----------
    spectrum : complex spectrum before any correction, shape ``(n,)``.
    start : the peak-based correction (:func:`fit_linear_phase`).
    allow_negative : no penalty on negative points (DEPT-135, APT).

    Returns
    -------
    PhaseFit : the refined correction (same convention, ``n_peaks`` and ``coherence`` of ``start``).
    """
    n = spectrum.size
    x = np.arange(n) / n
    scaled = spectrum / max(np.abs(spectrum).max(), 1e-300)
    pivot = x[int(np.argmax(np.abs(spectrum)))]
    base = np.deg2rad(start.p0_deg + start.p1_deg * x)
    penalty = 0.0 if allow_negative else 1000.0
    free = signal_mask(phase_shift(scaled, start.p0_deg, start.p1_deg).real, negative_lines=allow_negative)

    def score(delta: np.ndarray) -> float:
        phase = base + np.deg2rad(delta[0] + delta[1] * (x - pivot))
        real = scaled.real * np.cos(phase) - scaled.imag * np.sin(phase)
        return acme_score(real - masked_smooth(real, free), penalty)

    result = minimize(score, np.zeros(2), method="Nelder-Mead",
                      options={"initial_simplex": [[0.0, 0.0], [2.0, 0.0], [0.0, 5.0]], "xatol": 0.05,
                               "fatol": 1e-6, "maxiter": 300})
    d0, d1 = result.x
    if abs(d0) > MAX_REFINEMENT_DEG[0] or abs(d1) > MAX_REFINEMENT_DEG[1] or result.fun > score(np.zeros(2)):
        return start
    return PhaseFit(p0_deg=start.p0_deg + d0 - d1 * pivot, p1_deg=start.p1_deg + d1,
                    n_peaks=start.n_peaks, coherence=start.coherence)


def autophase(spectrum: np.ndarray, allow_negative: bool = False, max_p1_deg: float = 720.0,
              max_peaks: int = 60, refine: bool = False) -> tuple[np.ndarray, PhaseFit]:
    """Phase a complex 1D spectrum automatically (0th and 1st order).

    Parameters
    ----------
    spectrum : complex spectrum, shape ``(n,)``.
    allow_negative : allow negative lines (DEPT-135, edited HSQC); see :func:`fit_linear_phase`.
    max_p1_deg : search range of the first-order phase, +- degrees.
    max_peaks : number of the strongest peaks used.
    refine : follow the peak fit by :func:`refine_phase` on the whole spectrum.

    Returns
    -------
    phased : complex spectrum, shape ``(n,)``, absorptive in the real part.
    fit : the applied correction.
    """
    positions, phases, weights = peak_phases(spectrum, max_peaks=max_peaks)
    fit = fit_linear_phase(positions, phases, weights, allow_negative=allow_negative, max_p1_deg=max_p1_deg)
    if refine and fit.n_peaks:
        fit = refine_phase(spectrum, fit, allow_negative)
    return phase_shift(spectrum, fit.p0_deg, fit.p1_deg), fit
