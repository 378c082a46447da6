"""2D peak picking: classical 2D local maxima of ``|data|`` above ``min_snr`` times the robust
noise, parabolic sub-point apexes per axis; with ``method="cnn"`` a maximum is kept only when the
CNN finds a peak of the same sign within :data:`CONFIRM_POINTS` of it on both its F2 row and its
F1 column (which rejects maxima that noise puts on the ridges of a peak's tails).

The noise of a point is the larger of the spectrum's (median over the F2 rows) and its F1
column's: t1 noise, the streaks along F1 at the 1H shift of strong signals, raises a column's
noise and no longer yields rows of weak maxima. Maxima are grouped into cross peaks (the lines
of one 1H multiplet on one F1 row: ``cross_peak`` column, :meth:`PickedPeaks.cross_peaks`), and
in 13C-1H spectra the residual solvent's cross peak is marked ``source == "solvent"``. Weak
maxima that a strong cross peak explains are marked ``source == "artefact"``: in its F2 column
(t1 noise, F1 sidebands) or near it on its F1 row (the residual doublet of imperfect 13C
decoupling, decoupling sidebands). The marks are made for one-bond spectra (HSQC, HMQC); in an
HMBC, where one proton correlates with carbons of very different intensities, read "artefact" as
"weak beside a strong neighbour" (the assignment keeps those HMBC cross peaks)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..solvents import reference_signal
from ..spectra.core import PPMScale, Spectrum
from ..spectra.peaks import local_maxima, parabolic_offset
from ..spectra.noise import residual_noise_sigma
from .picking import COLUMNS_2D, PickedPeaks, _pick_rows, _use_negative

__all__ = ["pick_2d", "CONFIRM_POINTS", "CROSS_PEAK_F1_POINTS", "CROSS_PEAK_F2_HZ"]

CONFIRM_POINTS = 2.0
#: Maxima of one cross peak: same sign, within this many F1 points and this many Hz along F2 of
#: the strongest maximum of the group (the lines of one 1H multiplet; F1 is not split).
CROSS_PEAK_F1_POINTS, CROSS_PEAK_F2_HZ = 1.5, 45.0
#: A 13C-1H cross peak this close (ppm; 13C, 1H) to the residual solvent's signals is "solvent"
#: (13C wide enough for the deuterium isotope shift of the protonated residual).
SOLVENT_TOLERANCE_2D = (0.5, 0.03)
#: Magnitude-mode data (no negative values): the residual noise std measures the spread of a
#: Rayleigh variable, sqrt(2 - pi/2) of the std of the noise in each quadrature channel; SNR is
#: counted in the latter (as in phase-sensitive data).
RAYLEIGH_SPREAD = float(np.sqrt(2.0 - np.pi / 2.0))
#: "artefact": under this fraction of the strongest signal elsewhere in its F2 column (within
#: ARTEFACT_F2_HZ; t1 noise, F1 sidebands) ...
ARTEFACT_COLUMN_RATIO, ARTEFACT_F2_HZ = 0.15, 10.0
#: ... or under this fraction of a maximum on its F1 row outside its multiplet, up to 200 Hz away
#: (the residual doublet at 1J(CH)/2 of imperfect 13C decoupling, decoupling sidebands).
ARTEFACT_ROW_RATIO, ARTEFACT_ROW_HZ = 0.25, (CROSS_PEAK_F2_HZ, 200.0)


def _offsets(mag: np.ndarray, i1: np.ndarray, i2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fractional apex positions along F1 and F2 (parabola through the neighbours; edges as is)."""
    n1, n2 = mag.shape
    inner1, inner2 = (i1 > 0) & (i1 < n1 - 1), (i2 > 0) & (i2 < n2 - 1)
    a1, a2 = np.clip(i1, 1, n1 - 2), np.clip(i2, 1, n2 - 2)
    off1 = np.where(inner1, parabolic_offset(mag[a1 - 1, i2], mag[i1, i2], mag[a1 + 1, i2]), 0.0)
    off2 = np.where(inner2, parabolic_offset(mag[i1, a2 - 1], mag[i1, i2], mag[i1, a2 + 1]), 0.0)
    return i1 + off1, i2 + off2


def _confirm(data: np.ndarray, i1: np.ndarray, i2: np.ndarray, min_snr: float, model, threshold: float) -> np.ndarray:
    """CNN confidence of each 2D maximum on the traces through it along the last axis of
    ``data`` (rows ``i1``, position ``i2``); 0 where the trace shows no peak of that sign there."""
    rows = np.unique(i1)
    found, _ = _pick_rows(data[rows], "cnn", min_snr, True, model, threshold)
    by_row = dict(zip(rows.tolist(), found))
    confidence = np.zeros(i1.size)
    for k, (r, c) in enumerate(zip(i1.tolist(), i2.tolist())):
        cand = by_row[r]
        same = (np.abs(cand.index - c) <= CONFIRM_POINTS) & (np.sign(cand.height) == np.sign(data[r, c]))
        confidence[k] = cand.confidence[same].max() if same.any() else 0.0
    return confidence


def _column_noise(data: np.ndarray, sigma: float, spread: float) -> np.ndarray:
    """Noise std per F2 column ``(n_f2,)``: the column's own along F1 (its residual std over
    ``spread``), at least ``sigma``."""
    return np.maximum(sigma, np.array([residual_noise_sigma(column) for column in data.T]) / spread)


def _cross_peak_ids(frame: pd.DataFrame, hz_per_point_f2: float | None) -> np.ndarray:
    """Cross-peak id per maximum, the strongest maxima claiming their neighbours first; without
    a ppm axis (``hz_per_point_f2`` None) every maximum is its own cross peak."""
    if hz_per_point_f2 is None:
        return np.arange(len(frame))
    ids = np.full(len(frame), -1)
    f1, f2 = frame["index_f1"].to_numpy(), frame["index_f2"].to_numpy()
    sign = np.sign(frame["height"].to_numpy())
    f2_points = CROSS_PEAK_F2_HZ / hz_per_point_f2
    for i in np.argsort(-frame["snr"].to_numpy(), kind="stable"):
        if ids[i] < 0:
            ids[(ids < 0) & (sign == sign[i]) & (np.abs(f1 - f1[i]) <= CROSS_PEAK_F1_POINTS)
                & (np.abs(f2 - f2[i]) <= f2_points)] = ids.max() + 1
    return ids


def _solvent_marks(frame: pd.DataFrame, spectrum: Spectrum | None) -> np.ndarray:
    """"solvent" for the residual solvent's cross peak of a 13C-1H spectrum, else "sample"."""
    out = np.full(len(frame), "sample", dtype=object)
    if spectrum is None or tuple(spectrum.nucleus) != ("13C", "1H"):
        return out
    carbon, proton = (reference_signal(spectrum.meta.get("solvent"), n) for n in ("13C", "1H"))
    if carbon is None or proton is None:
        return out
    near = (np.abs(frame["shift_ppm_f1"] - carbon.shift_ppm) <= SOLVENT_TOLERANCE_2D[0]) \
        & (np.abs(frame["shift_ppm_f2"] - proton.shift_ppm) <= SOLVENT_TOLERANCE_2D[1])
    out[near.to_numpy()] = "solvent"
    return out


def _artefacts(frame: pd.DataFrame, data: np.ndarray, hz_per_point_f2: float | None) -> np.ndarray:
    """True for maxima that a much stronger signal explains (see the module docstring)."""
    i1, i2 = frame["index_f1"].round().astype(int).to_numpy(), frame["index_f2"].round().astype(int).to_numpy()
    size = frame["height"].abs().to_numpy()
    half = max(1, int(round(ARTEFACT_F2_HZ / hz_per_point_f2))) if hz_per_point_f2 else 1
    rows = np.arange(data.shape[0])
    out = np.zeros(len(frame), dtype=bool)
    for k, (r, c) in enumerate(zip(i1, i2)):
        block = np.abs(data[:, max(c - half, 0):c + half + 1]).max(axis=1)
        elsewhere = np.abs(rows - r) > CROSS_PEAK_F1_POINTS + 1
        out[k] = elsewhere.any() and size[k] < ARTEFACT_COLUMN_RATIO * block[elsewhere].max()
    if hz_per_point_f2 is not None:
        f1, f2 = frame["index_f1"].to_numpy(), frame["index_f2"].to_numpy()
        hz = np.abs(f2[:, None] - f2[None, :]) * hz_per_point_f2
        row = (np.abs(f1[:, None] - f1[None, :]) <= CROSS_PEAK_F1_POINTS) & (hz >= ARTEFACT_ROW_HZ[0]) \
            & (hz <= ARTEFACT_ROW_HZ[1]) & (size[:, None] < ARTEFACT_ROW_RATIO * size[None, :])
        out |= row.any(axis=1)
    return out


def _window(frame: pd.DataFrame, ppm_window) -> pd.DataFrame:
    windows = ppm_window if np.ndim(ppm_window) == 2 else (None, ppm_window)
    for column, window in zip(("shift_ppm_f1", "shift_ppm_f2"), windows):
        if window is not None:
            frame = frame[(frame[column] >= min(window)) & (frame[column] <= max(window))]
    return frame.reset_index(drop=True)


def pick_2d(data: np.ndarray, scales: list[PPMScale] | None, method: str, min_snr: float, ppm_window,
            negative: bool | None, threshold: float, model, spectrum: Spectrum | None = None) -> PickedPeaks:
    """Peaks of a real 2D spectrum ``(n_f1, n_f2)``; arguments as
    :func:`shiftnet.spectra_models.picking.pick_peaks`."""
    spread = RAYLEIGH_SPREAD if np.all(data >= 0) else 1.0      # magnitude mode or not
    sigma = float(np.median([residual_noise_sigma(row) for row in data])) / spread
    column_sigma = _column_noise(data, sigma, spread)
    i1, i2 = local_maxima(np.abs(data), min_snr * sigma, size=3)
    above = np.abs(data[i1, i2]) >= min_snr * column_sigma[i2]
    if not _use_negative(data, sigma, negative):
        above &= data[i1, i2] > 0
    i1, i2 = i1[above], i2[above]
    height = data[i1, i2]
    snr = np.abs(height) / column_sigma[i2]
    if method == "cnn" and i1.size:
        confidence = np.minimum(_confirm(data, i1, i2, min_snr, model, threshold),
                                _confirm(data.T, i2, i1, min_snr, model, threshold))
    else:
        confidence = np.clip(snr / (2.0 * min_snr), 0.0, 1.0)
    f1, f2 = _offsets(np.abs(data), i1, i2)
    keep = confidence > 0
    ppm = [np.full(f.size, np.nan) if scales is None else s.point_to_ppm(f) for f, s in zip((f1, f2), scales or (0, 0))]
    frame = pd.DataFrame({"shift_ppm_f1": ppm[0], "shift_ppm_f2": ppm[1], "index_f1": f1, "index_f2": f2,
                          "height": height, "confidence": confidence, "snr": snr})[keep]
    frame = frame.sort_values(["index_f1", "index_f2"]).reset_index(drop=True)
    hz_per_point_f2 = scales[1].hz_per_point if scales else None
    solvent = _solvent_marks(frame, spectrum)
    frame["source"] = np.where(_artefacts(frame, data, hz_per_point_f2) & (solvent != "solvent"), "artefact", solvent)
    frame["cross_peak"] = _cross_peak_ids(frame, hz_per_point_f2)
    frame = frame[COLUMNS_2D]
    return PickedPeaks(frame=frame if ppm_window is None else _window(frame, ppm_window),
                       noise=float(sigma), method=method)
