"""2D peak picking: classical 2D local maxima of ``|data|`` above ``min_snr`` times the robust
noise (median over the F2 rows), parabolic sub-point apexes per axis; with ``method="cnn"`` a
maximum is kept only when the CNN finds a peak of the same sign within :data:`CONFIRM_POINTS` of
it on both its F2 row and its F1 column (which rejects maxima that noise puts on the ridges of a
peak's tails)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..spectra.core import PPMScale
from ..spectra.peaks import local_maxima, parabolic_offset
from ..spectra.noise import residual_noise_sigma
from .picking import COLUMNS_2D, PickedPeaks, _pick_rows, _use_negative

__all__ = ["pick_2d", "CONFIRM_POINTS"]

CONFIRM_POINTS = 2.0


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


def _window(frame: pd.DataFrame, ppm_window) -> pd.DataFrame:
    windows = ppm_window if np.ndim(ppm_window) == 2 else (None, ppm_window)
    for column, window in zip(("shift_ppm_f1", "shift_ppm_f2"), windows):
        if window is not None:
            frame = frame[(frame[column] >= min(window)) & (frame[column] <= max(window))]
    return frame.reset_index(drop=True)


def pick_2d(data: np.ndarray, scales: list[PPMScale] | None, method: str, min_snr: float, ppm_window,
            negative: bool | None, threshold: float, model) -> PickedPeaks:
    """Peaks of a real 2D spectrum ``(n_f1, n_f2)``; arguments as
    :func:`shiftnet.spectra_models.picking.pick_peaks`."""
    sigma = float(np.median([residual_noise_sigma(row) for row in data]))
    i1, i2 = local_maxima(np.abs(data), min_snr * sigma, size=3)
    if not _use_negative(data, sigma, negative):
        i1, i2 = i1[data[i1, i2] > 0], i2[data[i1, i2] > 0]
    height = data[i1, i2]
    if method == "cnn" and i1.size:
        confidence = np.minimum(_confirm(data, i1, i2, min_snr, model, threshold),
                                _confirm(data.T, i2, i1, min_snr, model, threshold))
    else:
        confidence = np.clip(np.abs(height) / (2.0 * min_snr * sigma), 0.0, 1.0)
    f1, f2 = _offsets(np.abs(data), i1, i2)
    keep = confidence > 0
    ppm = [np.full(f.size, np.nan) if scales is None else s.point_to_ppm(f) for f, s in zip((f1, f2), scales or (0, 0))]
    frame = pd.DataFrame({"shift_ppm_f1": ppm[0], "shift_ppm_f2": ppm[1], "index_f1": f1, "index_f2": f2,
                          "height": height, "confidence": confidence, "snr": np.abs(height) / sigma},
                         columns=COLUMNS_2D)[keep]
    frame = frame.sort_values(["index_f1", "index_f2"])
    return PickedPeaks(frame=frame.reset_index(drop=True) if ppm_window is None else _window(frame, ppm_window),
                       noise=float(sigma), method=method)
