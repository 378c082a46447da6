"""Peak picking of 1D and 2D spectra: the CNN picker and the classical threshold picker.

>>> from shiftnet import spectra
>>> peaks = spectra.pick_peaks(spectrum, method="cnn")   # doctest: +SKIP
>>> peaks.frame[["shift_ppm", "height", "width_hz", "confidence"]]   # doctest: +SKIP

Both methods estimate the noise level robustly from the data
(:func:`~shiftnet.spectra.noise.residual_noise_sigma`, right for the correlated noise of
apodised, zero-filled spectra), keep peaks of at least ``min_snr`` times it and
report negative peaks (DEPT, edited HSQC) with their sign. 2D spectra: classical 2D local maxima
of ``|data|``; with ``method="cnn"`` each one must be confirmed by the CNN on both its traces
(the F2 row and the F1 column through it), and takes the lower of the two confidences.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import torch
from scipy.signal import find_peaks

from ..solvents import solvent_signals
from ..spectra.core import PPMScale, Spectrum, real_data
from ..spectra.peaks import parabolic_offset
from ..spectra.noise import residual_noise_sigma
from .overlaps import resolve_overlaps
from .peak_model import Candidates, PeakPickerNet, decode, features, load_picker

__all__ = ["PickedPeaks", "pick_peaks", "pick_peaks_many", "DEFAULT_MODEL", "METHODS"]

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "weights" / "peak_picker.pt"
METHODS = ("cnn", "threshold")
#: Auto sign: also pick negative peaks when the deepest point reaches this fraction of the top
#: and this many noise std.
NEGATIVE_FRACTION, NEGATIVE_SNR = 0.3, 8.0
#: The CNN sees at most this SNR (the top of its training range): for spectra with a larger
#: dynamic range its noise floor is raised to max|x| / MAX_INPUT_SNR.
MAX_INPUT_SNR = 1000.0
#: The CNN runs on every k-th point, k the largest step that keeps the tallest peaks at least
#: this wide (FWHM, points); its training lines were 1.5-12 points wide.
MIN_WIDTH_POINTS = 4.5
#: Threshold picker: minimum rise of a maximum above its neighbouring dips, in noise std.
PROMINENCE_SNR = 2.0
#: A peak within this many ppm of a solvent line is marked "solvent".
SOLVENT_TOLERANCE_PPM = {"13C": 0.15, "1H": 0.02}
#: 13C satellites: a line under this fraction of a peak at this distance from it (Hz) is marked
#: "satellite" (1H: 1J(CH)/2 for J 110-250 Hz; 13C: 1J(CC)/2 for J 25-90 Hz, 13C-13C pairs).
SATELLITES = {"1H": (0.012, (55.0, 125.0)), "13C": (0.03, (12.0, 45.0))}
COLUMNS_1D = ["shift_ppm", "index", "height", "width_hz", "confidence", "snr", "source"]
COLUMNS_2D = ["shift_ppm_f1", "shift_ppm_f2", "index_f1", "index_f2", "height", "confidence", "snr", "source",
              "cross_peak"]


@dataclass
class PickedPeaks:
    """Peaks of one spectrum.

    Attributes
    ----------
    frame : one row per peak, by position. 1D: ``shift_ppm`` (NaN without a ppm axis),
        ``index`` (fractional point), ``height`` (signed, data units), ``width_hz`` (FWHM; NaN
        without an axis), ``confidence`` (0-1), ``snr`` (|height| / noise), ``source``
        ("sample"; "solvent" near a residual solvent line of ``spectrum.meta["solvent"]``;
        "satellite" for a 13C satellite, a weak line at half a one-bond coupling from a strong
        peak, see :data:`SATELLITES`).
        2D: ``shift_ppm_f1, shift_ppm_f2, index_f1, index_f2, height, confidence, snr``,
        ``source`` ("solvent" for the residual solvent's 13C-1H cross peak) and ``cross_peak``
        (the maxima of one cross peak, e.g. the lines of a 1H multiplet, share this id).
    noise : robust noise standard deviation of the data, data units.
    method : "cnn" or "threshold".
    width_points : 1D: FWHM of each row in points, shape ``(n_peaks,)``.
    """

    frame: pd.DataFrame
    noise: float
    method: str
    width_points: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def cross_peaks(self) -> pd.DataFrame:
        """2D: one row per cross peak, strongest first: ``shift_ppm_f1``, ``shift_ppm_f2``
        (|height|-weighted centre of its maxima), ``height`` (its strongest maximum, signed),
        ``snr``, ``confidence`` (highest of its maxima), ``n_maxima``, ``source``."""
        if "cross_peak" not in self.frame:
            raise ValueError("cross_peaks() groups the maxima of a 2D spectrum; these peaks are 1D")
        frame = self.frame.assign(weight=self.frame["height"].abs())
        rows = []
        for _, group in frame.groupby("cross_peak", sort=False):
            top = group.loc[group["weight"].idxmax()]
            w = group["weight"] / group["weight"].sum()
            rows.append({"shift_ppm_f1": float(group["shift_ppm_f1"] @ w), "shift_ppm_f2": float(group["shift_ppm_f2"] @ w),
                         "height": top["height"], "snr": top["snr"], "confidence": group["confidence"].max(),
                         "n_maxima": len(group), "source": top["source"]})
        columns = ["shift_ppm_f1", "shift_ppm_f2", "height", "snr", "confidence", "n_maxima", "source"]
        return pd.DataFrame(rows, columns=columns).sort_values("snr", ascending=False, kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- input

def _checked(x: Spectrum | np.ndarray) -> tuple[np.ndarray, list[PPMScale] | None, Spectrum | None]:
    """Real data, its ppm scales (None for a bare array) and the Spectrum; ValueError otherwise."""
    spectrum = x if isinstance(x, Spectrum) else None
    data = real_data(x, "peak picking", min_points=3, min_rows=3)
    scales = None if spectrum is None else [spectrum.scale(axis) for axis in range(-data.ndim, 0)]
    return data, scales, spectrum


def _check_options(method: str, min_snr: float, ppm_window, scales) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown peak-picking method {method!r}; use one of {', '.join(METHODS)}")
    if not (np.isfinite(min_snr) and min_snr > 0):
        raise ValueError(f"min_snr must be positive, got {min_snr}")
    if ppm_window is not None and scales is None:
        raise ValueError("ppm_window needs a Spectrum with a ppm axis (a bare array has points only)")


@lru_cache(maxsize=4)
def _load(path: str) -> PeakPickerNet:
    return load_picker(Path(path))[0]


def _model(model: PeakPickerNet | str | Path | None) -> PeakPickerNet:
    return model if isinstance(model, PeakPickerNet) else _load(str(model or DEFAULT_MODEL))


# ----------------------------------------------------------------------------- 1D pickers

def _threshold_candidates(data: np.ndarray, sigma: float, min_snr: float) -> Candidates:
    """Local maxima above ``min_snr * sigma`` that rise :data:`PROMINENCE_SNR` sigma above the
    dips to their neighbours, with parabolic apexes and the FWHM from linear interpolation of
    the half-height crossings."""
    peak, _ = find_peaks(data, height=min_snr * sigma, prominence=PROMINENCE_SNR * sigma)
    index = peak + parabolic_offset(data[peak - 1], data[peak], data[peak + 1])
    height = data[peak]
    width = np.array([_fwhm(data, int(i), float(h)) for i, h in zip(peak, height)])
    return Candidates(index=index, height=height, width_points=width,
                      confidence=np.clip(height / (2.0 * min_snr * sigma), 0.0, 1.0))


def _half_widths(data: np.ndarray, i: int, height: float) -> tuple[float, float]:
    """Distances in points from point ``i`` to the interpolated half-``height`` crossings on
    its left and right (to the array edge where there is none)."""
    half, out = 0.5 * height, []
    for step in (-1, 1):
        j = i
        while 0 <= j + step < data.size and data[j + step] > half:
            j += step
        k = j + step
        edge = float(j) if not 0 <= k < data.size else j + step * (data[j] - half) / (data[j] - data[k])
        out.append(abs(edge - i))
    return out[0], out[1]


def _fwhm(data: np.ndarray, i: int, height: float) -> float:
    """Full width at half ``height`` around point ``i`` in points."""
    return float(sum(_half_widths(data, i, height)))


def _cnn_candidates(rows: np.ndarray, sigma: np.ndarray, model: PeakPickerNet, threshold: float) -> list[Candidates]:
    """CNN peaks of real spectra ``rows`` ``(batch, n)`` with noise std ``sigma`` ``(batch,)``."""
    inputs, sigma = features(rows, np.maximum(sigma, np.abs(rows).max(axis=1) / MAX_INPUT_SNR))
    with torch.inference_mode():
        return decode(model(inputs), sigma, threshold)


def _decimation(rows: np.ndarray, sigma: np.ndarray) -> int:
    """Largest step k that keeps the median width of the (up to) 5 tallest peaks per row at
    :data:`MIN_WIDTH_POINTS` or more (1 for narrow lines); a peak's width here is twice its
    narrower half width, so that overlapping neighbours do not count."""
    widths = []
    for row, s in zip(rows, sigma):
        peak, _ = find_peaks(row, height=20.0 * s, prominence=10.0 * s)
        widths += [2.0 * min(_half_widths(row, int(i), float(row[i]))) for i in peak[np.argsort(row[peak])[-5:]]]
    return max(1, int(np.median(widths) // MIN_WIDTH_POINTS)) if widths else 1


def _refined(row: np.ndarray, found: Candidates, k: int) -> Candidates:
    """Candidates of ``row[::k]`` in points of ``row``: apexes re-interpolated on the full row
    where it has a local maximum within +-k points (else the coarse position is kept)."""
    index = found.index * k
    for j, position in enumerate(index):
        lo, hi = max(int(round(position)) - k, 1), min(int(round(position)) + k, row.size - 2)
        top = lo + int(np.argmax(row[lo:hi + 1]))
        if lo < top < hi:
            index[j] = top + parabolic_offset(row[top - 1], row[top], row[top + 1])
    return Candidates(index=index, height=found.height, width_points=found.width_points * k,
                      confidence=found.confidence)


def _signed(positive: Candidates, negative: Candidates | None) -> Candidates:
    if negative is None:
        return positive
    return Candidates(*(np.concatenate([getattr(positive, k), sign * getattr(negative, k)])
                        for k, sign in (("index", 1), ("height", -1), ("width_points", 1), ("confidence", 1))))


def _use_negative(data: np.ndarray, sigma: float, negative: bool | None) -> bool:
    if negative is not None:
        return bool(negative)
    return bool(-data.min() > max(NEGATIVE_FRACTION * data.max(), NEGATIVE_SNR * sigma))


def _frame_1d(found: Candidates, sigma: float, min_snr: float, scale: PPMScale | None,
              spectrum: Spectrum | None, ppm_window) -> tuple[pd.DataFrame, np.ndarray]:
    snr = np.abs(found.height) / sigma
    keep = snr >= min_snr
    order = np.argsort(found.index[keep], kind="stable")
    pick = lambda values: np.asarray(values)[keep][order]  # noqa: E731
    index, width = pick(found.index), pick(found.width_points)
    ppm = np.full(index.size, np.nan) if scale is None else scale.point_to_ppm(index)
    width_hz = np.full(index.size, np.nan) if scale is None else width * scale.hz_per_point
    frame = pd.DataFrame({"shift_ppm": ppm, "index": index, "height": pick(found.height), "width_hz": width_hz,
                          "confidence": pick(found.confidence), "snr": pick(snr),
                          "source": _sources(ppm, pick(found.height), spectrum)})
    if ppm_window is not None:
        inside = (ppm >= min(ppm_window)) & (ppm <= max(ppm_window))
        frame, width = frame[inside].reset_index(drop=True), width[inside]
    return frame, width


def _sources(ppm: np.ndarray, height: np.ndarray, spectrum: Spectrum | None) -> np.ndarray:
    """Per peak: "solvent" near a residual solvent line of the spectrum's solvent, "satellite"
    for a 13C satellite of a stronger peak, else "sample"."""
    out = np.full(ppm.size, "sample", dtype=object)
    nucleus = None if spectrum is None else spectrum.nucleus
    if nucleus in SATELLITES:
        out[_satellites(ppm, height, float(spectrum.obs_mhz), *SATELLITES[nucleus])] = "satellite"
    solvent = None if spectrum is None else spectrum.meta.get("solvent")
    if not solvent or nucleus not in SOLVENT_TOLERANCE_PPM:
        return out
    try:
        signals = solvent_signals(solvent, nucleus)
    except ValueError:
        return out
    for sig in signals:
        k = len(sig.pattern)
        lines = sig.shift_ppm + (np.arange(k) - (k - 1) / 2) * sig.j_hz / float(spectrum.obs_mhz)
        near = np.abs(ppm[:, None] - lines[None, :]).min(axis=1) <= SOLVENT_TOLERANCE_PPM[nucleus]
        out[near] = "solvent"
    return out


def _satellites(ppm: np.ndarray, height: np.ndarray, obs_mhz: float, ratio: float,
                distance_hz: tuple[float, float]) -> np.ndarray:
    """True for peaks under ``ratio`` of a peak ``distance_hz`` (low, high) away."""
    hz = np.abs(ppm[:, None] - ppm[None, :]) * obs_mhz
    size = np.abs(height)
    near = (hz >= distance_hz[0]) & (hz <= distance_hz[1]) & (size[:, None] < ratio * size[None, :])
    return near.any(axis=1)


def _pick_rows(rows: np.ndarray, method: str, min_snr: float, negative: bool | None, model, threshold: float,
               split: bool = False) -> tuple[list[Candidates], np.ndarray]:
    """Candidates and noise levels of real spectra ``rows`` ``(batch, n)`` of one length;
    ``split``: CNN picks also go through :func:`~.overlaps.resolve_overlaps`."""
    sigma = np.array([residual_noise_sigma(r) for r in rows])
    signs = [_use_negative(r, s, negative) for r, s in zip(rows, sigma)]
    if method == "threshold":
        found = [_signed(_threshold_candidates(r, s, min_snr), _threshold_candidates(-r, s, min_snr) if neg else None)
                 for r, s, neg in zip(rows, sigma, signs)]
        return found, sigma
    flipped = np.asarray([-r for r, neg in zip(rows, signs) if neg]).reshape(-1, rows.shape[1])
    both = np.concatenate([rows, flipped])
    k = _decimation(rows, sigma)
    both_sigma = np.concatenate([sigma, sigma[signs]])
    found = _cnn_candidates(both[:, ::k], both_sigma, _model(model), threshold)
    if k > 1:
        found = [_refined(row, f, k) for row, f in zip(both, found)]
    if split:
        found = [resolve_overlaps(row, float(s), f, min_snr) for row, s, f in zip(both, both_sigma, found)]
    negatives = iter(found[len(rows):])
    return [_signed(f, next(negatives) if neg else None) for f, neg in zip(found, signs)], sigma


# ----------------------------------------------------------------------------- public

def pick_peaks(x: Spectrum | np.ndarray, method: str = "cnn", *, min_snr: float = 5.0,
               ppm_window: tuple[float, float] | None = None, negative: bool | None = None,
               threshold: float = 0.5, model: PeakPickerNet | str | Path | None = None,
               split_overlaps: bool = True) -> PickedPeaks:
    """Pick the peaks of a 1D or 2D spectrum.

    Parameters
    ----------
    x : a :class:`~shiftnet.spectra.Spectrum` (1D or 2D, real, phased) or a real NumPy array
        ``(n,)`` / ``(n_f1, n_f2)`` (positions then in points only).
    method : "cnn" (the learned picker) or "threshold" (local maxima above ``min_snr`` that rise
        2 noise std above their neighbouring dips).
    min_snr : minimum |height| over the robust noise std. The default 5 keeps noise out of real
        spectra (at 3, the 65k-point ibuprofen 13C gives about 60 noise peaks besides its 10
        carbons; at 5 three extra small lines); on 16k-point synthetic spectra the CNN's best F1
        came at 3 (bench/bench_peaks.py).
    ppm_window : keep peaks with ``min <= shift_ppm <= max`` (1D: ``shift_ppm``; 2D: F2 and,
        when given as ``((f1_lo, f1_hi), (f2_lo, f2_hi))``, F1 too).
    negative : also pick negative peaks; None decides from the data (deepest point beyond 30 %
        of the tallest and 8 noise std, as in DEPT-135 or edited HSQC).
    threshold : CNN peak-centre probability needed (0-1). The CNN was trained on SNR <= 1000
        and lines 1.5-12 points wide: in spectra of larger dynamic range it misses lines below
        0.1 % of the tallest, and spectra whose tallest lines are 9 points wide or more are
        picked on every k-th point (apexes then re-interpolated on all points).
    model : the CNN (module or model-file path); default the shipped ``weights/peak_picker.pt``.
    split_overlaps : 1D CNN: test every isolated pick for two Lorentzian lines about a
        linewidth apart and report both where they fit clearly better than one
        (:mod:`~shiftnet.spectra_models.overlaps`).

    Returns
    -------
    :class:`PickedPeaks` (``.frame``, ``.noise``).

    Raises
    ------
    ValueError : complex, non-finite, empty or 3D+ data, unknown method, bad options.
    """
    data, scales, spectrum = _checked(x)
    _check_options(method, min_snr, ppm_window, scales)
    if data.ndim == 2:
        from .picking2d import pick_2d
        return pick_2d(data, scales, method, min_snr, ppm_window, negative, threshold, model, spectrum)
    (found,), (sigma,) = _pick_rows(data[None], method, min_snr, negative, model, threshold, split_overlaps)
    frame, width = _frame_1d(found, float(sigma), min_snr, scales and scales[0], spectrum, ppm_window)
    return PickedPeaks(frame=frame, noise=float(sigma), method=method, width_points=width)


def pick_peaks_many(spectra: Sequence[np.ndarray], method: str = "cnn", *, min_snr: float = 5.0,
                    negative: bool | None = None, threshold: float = 0.5,
                    model: PeakPickerNet | str | Path | None = None, batch_size: int = 32,
                    split_overlaps: bool = True) -> list[PickedPeaks]:
    """:func:`pick_peaks` for many real 1D arrays of one length, batched through the CNN.

    Parameters
    ----------
    spectra : real arrays, each ``(n,)`` (positions in points).
    batch_size : spectra per CNN call.
    """
    rows = np.stack([_checked(s)[0] for s in spectra]) if len(spectra) else np.zeros((0, 3))
    if rows.ndim != 2:
        raise ValueError("pick_peaks_many takes 1D spectra of one length")
    _check_options(method, min_snr, None, None)
    out = []
    for start in range(0, len(rows), batch_size):
        found, sigma = _pick_rows(rows[start:start + batch_size], method, min_snr, negative, model, threshold,
                                  split_overlaps)
        for f, s in zip(found, sigma):
            frame, width = _frame_1d(f, float(s), min_snr, None, None, None)
            out.append(PickedPeaks(frame=frame, noise=float(s), method=method, width_points=width))
    return out
