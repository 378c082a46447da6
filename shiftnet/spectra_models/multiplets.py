"""1H multiplets from picked peaks: grouping, integrals, first-order multiplicity and J.

Lines closer than ``max_gap_hz`` chain into one multiplet (a solvent line never joins sample
lines); each multiplet is integrated over its lines +- ``margin_widths`` linewidths (cut half
way to a neighbour); first-order analysis recognises equally spaced binomial patterns (d, t, q,
quint, sext, sept) and the doublet of doublets; anything else is "m" without J.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd

from ..spectra.core import Spectrum
from .picking import PickedPeaks, pick_peaks

__all__ = ["Multiplets", "pick_multiplets", "first_order"]

NAMES = {1: "s", 2: "d", 3: "t", 4: "q", 5: "quint", 6: "sext", 7: "sept"}
#: Relative deviation of line intensities allowed by a first-order pattern.
INTENSITY_TOLERANCE = 0.35
#: Lines under this fraction of a multiplet's tallest may be set aside as minor lines.
MINOR_LINE_FRACTION = 0.3


@dataclass
class Multiplets:
    """Multiplets of a 1H spectrum.

    Attributes
    ----------
    frame : one row per multiplet, high ppm first: ``shift_ppm`` (intensity-weighted centre),
        ``range_ppm`` (``(low, high)`` integration limits), ``integral`` (protons when
        ``total_h`` was given, else relative to the smallest sample multiplet = 1),
        ``multiplicity`` ("s", "d", "t", "q", "dd", ..., "m"), ``j_hz`` (tuple, largest first;
        empty for s and m), ``n_lines``, ``source`` ("sample" or "solvent").
    peaks : the picked lines the multiplets were built from.
    """

    frame: pd.DataFrame
    peaks: PickedPeaks


def _spacing_ok(spacings: np.ndarray, tol_hz: float) -> bool:
    return bool(np.all(np.abs(spacings - spacings.mean()) <= tol_hz))


def _pattern_ok(heights: np.ndarray, pattern: np.ndarray) -> bool:
    scaled = heights / heights.sum() * pattern.sum()
    return bool(np.all(np.abs(scaled - pattern) <= INTENSITY_TOLERANCE * pattern))


def _pattern(pos: np.ndarray, h: np.ndarray, tol_hz: float) -> tuple[str, tuple[float, ...]]:
    """First-order multiplicity and J of lines sorted by position (see :func:`first_order`)."""
    k = pos.size
    if k == 1:
        return "s", ()
    spacings = np.diff(pos)
    tol = max(tol_hz, 0.05 * float(spacings.mean()))
    binomial = np.array([comb(k - 1, i) for i in range(k)], float)
    if k in NAMES and _spacing_ok(spacings, tol) and _pattern_ok(h, binomial):
        return NAMES[k], (round(float(spacings.mean()), 2),)
    if k == 4 and abs(spacings[0] - spacings[2]) <= tol and _pattern_ok(h, np.ones(4)):
        small = 0.5 * (spacings[0] + spacings[2])
        return "dd", (round(float(small + spacings[1]), 2), round(float(small), 2))
    return "m", ()


def first_order(positions_hz: np.ndarray, heights: np.ndarray, tol_hz: float = 0.3) -> tuple[str, tuple[float, ...]]:
    """Multiplicity and J (Hz, largest first) of one multiplet's lines, first-order rules.

    Real multiplets carry minor lines besides their first-order pattern (strong-coupling
    lines of AA'XX' systems, long-range fine structure, shoulders): when all lines fit no
    pattern, the weakest lines under :data:`MINOR_LINE_FRACTION` of the tallest are set aside
    one by one and the rest tried again.

    Parameters
    ----------
    positions_hz : line positions in Hz, shape ``(k,)`` (any order).
    heights : line heights, shape ``(k,)``.
    tol_hz : allowed deviation of spacings that should be equal, in Hz (or 5 % of J).
    """
    order = np.argsort(positions_hz)
    pos, h = np.asarray(positions_hz, float)[order], np.abs(np.asarray(heights, float)[order])
    keep = np.ones(pos.size, dtype=bool)
    while True:
        label, j = _pattern(pos[keep], h[keep], tol_hz)
        weakest = np.flatnonzero(keep)[np.argmin(h[keep])] if keep.sum() > 2 else None
        if label != "m" or weakest is None or h[weakest] >= MINOR_LINE_FRACTION * h.max():
            return label, j
        keep[weakest] = False


def _groups(frame: pd.DataFrame, obs_mhz: float, max_gap_hz: float) -> np.ndarray:
    """Group number of every line (lines sorted by index)."""
    gap_hz = -np.diff(frame["shift_ppm"].to_numpy()) * obs_mhz
    source = frame["source"].to_numpy()
    return np.concatenate([[0], np.cumsum((gap_hz > max_gap_hz) | (source[1:] != source[:-1]))]).astype(int)


def _limits(index: np.ndarray, width: np.ndarray, groups: np.ndarray, margin: float, n: int) -> np.ndarray:
    """Integration limits in points ``(g, 2)``: lines +- margin widths, cut half way to neighbours."""
    g = groups.max() + 1
    lo = np.array([index[groups == i].min() - margin * width[groups == i].max() for i in range(g)])
    hi = np.array([index[groups == i].max() + margin * width[groups == i].max() for i in range(g)])
    first = np.array([index[groups == i].min() for i in range(g)])
    last = np.array([index[groups == i].max() for i in range(g)])
    middle = 0.5 * (last[:-1] + first[1:])
    lo[1:], hi[:-1] = np.maximum(lo[1:], middle), np.minimum(hi[:-1], middle)
    return np.clip(np.stack([lo, hi], axis=1), 0, n - 1)


def pick_multiplets(spectrum: Spectrum, total_h: float | None = None, method: str = "cnn", *,
                    min_snr: float = 5.0, max_gap_hz: float = 16.0, margin_widths: float = 8.0,
                    ppm_window: tuple[float, float] | None = None,
                    model: str | Path | None = None, split_overlaps: bool = True) -> Multiplets:
    """Group the lines of a 1H spectrum into multiplets with integrals and first-order analysis.

    Parameters
    ----------
    spectrum : a real, phased 1D 1H :class:`~shiftnet.spectra.Spectrum`.
    total_h : protons of the molecule; integrals of the sample multiplets then sum to it.
    method, min_snr, ppm_window, model, split_overlaps : passed to :func:`pick_peaks` (positive
        peaks only).
    max_gap_hz : lines closer than this (Hz) belong to one multiplet.
    margin_widths : integration range beyond the outer lines, in linewidths (FWHM).

    Raises
    ------
    ValueError : not a 1D Spectrum with a ppm axis, or bad options (see :func:`pick_peaks`).
    """
    if not isinstance(spectrum, Spectrum) or spectrum.ndim != 1:
        raise ValueError("pick_multiplets needs a 1D Spectrum with a ppm axis")
    peaks = pick_peaks(spectrum, method, min_snr=min_snr, ppm_window=ppm_window, negative=False, model=model,
                       split_overlaps=split_overlaps)
    frame, scale = peaks.frame, spectrum.scale()
    columns = ["shift_ppm", "range_ppm", "integral", "multiplicity", "j_hz", "n_lines", "source"]
    if frame.empty:
        return Multiplets(pd.DataFrame(columns=columns), peaks)
    groups = _groups(frame, scale.obs_mhz, max_gap_hz)
    index, height = frame["index"].to_numpy(), frame["height"].to_numpy()
    limits = _limits(index, peaks.width_points, groups, margin_widths, spectrum.data.size)
    rows = []
    for g, (lo, hi) in enumerate(limits):
        lines = groups == g
        area = float(spectrum.data[int(np.ceil(lo)):int(np.floor(hi)) + 1].sum())
        label, j = first_order(frame["shift_ppm"].to_numpy()[lines] * scale.obs_mhz, height[lines])
        rows.append({"shift_ppm": float(np.average(frame["shift_ppm"][lines], weights=np.abs(height[lines]))),
                     "range_ppm": tuple(float(v) for v in scale.point_to_ppm(np.array([hi, lo]))),
                     "integral": area, "multiplicity": label, "j_hz": j, "n_lines": int(lines.sum()),
                     "source": frame["source"].to_numpy()[lines][0]})
    out = pd.DataFrame(rows, columns=columns)
    sample = out["source"] == "sample"
    norm = (out.loc[sample, "integral"].sum() / total_h if total_h else out.loc[sample, "integral"].min()) \
        if sample.any() else 1.0
    out["integral"] = out["integral"] / norm
    return Multiplets(out, peaks)
