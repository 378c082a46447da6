"""Chemical-shift referencing: find a reference signal (TMS / DSS or the solvent) and shift the scale.

A reference is recognised by its pattern, never taken as the nearest peak:

* TMS (DSS in D2O) first: a tall singlet (at least :data:`TMS_MIN_SNR` noise sigmas and
  :data:`TMS_MIN_FRACTION` of the tallest line) within the search window around 0 ppm;
* then the solvent: a deuterium multiplet (CDCl3 13C 1:1:1 triplet, DMSO-d5 1H 1:2:3:2:1
  quintet, ...) matched by a comb whose line heights must follow the pattern, or a singlet
  (CHCl3, C6HD5, HDO) that has no partner line of comparable height (0.4-2.5 times) 0.3-10 Hz
  away, which tells it from any line of the sample's multiplets; solvents with several
  residual lines (THF-d8, pyridine-d5) need their companions present too.

Each search runs in a narrow window about the expected shift on the unreferenced scale, then
in a wider one (raw scales can be off by 0.1 ppm in 1H), where a solvent singlet must also be
the tallest line. When nothing is found, or the solvent
is unknown, the vendor's calibration (Bruker ``SR``) is used and the record carries a warning.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.ndimage import maximum_filter1d

from .core import PPMScale
from .noise import noise_sigma
from .peaks import apex, local_maxima
from ..solvents import TMS, Signal, canonical_name, companion_shifts, reference_signal

__all__ = ["TMS", "TMS_MIN_SNR", "TMS_MIN_FRACTION", "search_windows_ppm", "find_signal", "find_tms",
           "reference_offset"]

#: A TMS candidate must be this many noise sigmas tall ...
TMS_MIN_SNR = 50.0
#: ... and at least this fraction of the tallest line of the spectrum.
TMS_MIN_FRACTION = 0.005
#: Partner lines that make a line part of a multiplet: height ratio and distance (Hz).
_PARTNER_RATIO = (0.4, 2.5)
_PARTNER_HZ = (0.3, 10.0)


def search_windows_ppm(nucleus: str) -> tuple[float, float]:
    """Half-widths in ppm of the narrow and the wide search window for a reference signal."""
    return (0.08, 0.2) if nucleus == "1H" else (1.0, 2.0)


def _window(scale: PPMScale, centre_ppm: float, half_width_ppm: float) -> tuple[int, int]:
    lo = int(np.floor(scale.ppm_to_point(centre_ppm + half_width_ppm)))
    hi = int(np.ceil(scale.ppm_to_point(centre_ppm - half_width_ppm)))
    return max(lo, 0), min(hi, scale.size - 1)


def _comb_heights(data: np.ndarray, scale: PPMScale, signal: Signal, centres: np.ndarray) -> np.ndarray:
    """Local maxima (within about 1 Hz) of ``data`` at the comb positions of ``signal`` about each centre."""
    n_lines = len(signal.pattern)
    offsets = np.round((np.arange(n_lines) - (n_lines - 1) / 2) * scale.hz_to_points(signal.j_hz)).astype(int)
    smoothed = maximum_filter1d(data, size=max(3, int(round(scale.hz_to_points(1.0)))) | 1)
    return smoothed[np.clip(centres[:, None] + offsets[None, :], 0, data.size - 1)]


def _find_multiplet(data: np.ndarray, scale: PPMScale, signal: Signal, lo: int, hi: int,
                    sigma: float) -> int | None:
    """Centre point of the best comb match in ``[lo, hi]`` whose line heights follow the pattern.

    Candidates are the local maxima of the window; each comb line of relative weight >= 0.3 must
    lie within a factor 2 of the pattern's height scaled to the candidate, which must reach
    20 noise sigmas (the difference-based sigma underestimates apodised noise).
    """
    (peaks,) = local_maxima(data[lo:hi + 1], 20 * sigma, size=3)
    if peaks.size == 0:
        return None
    centres = peaks + lo
    heights = _comb_heights(data, scale, signal, centres)
    weights = np.asarray(signal.pattern) / max(signal.pattern)
    amplitude = heights @ weights / (weights @ weights)
    ratio = heights / np.maximum(amplitude[:, None] * weights[None, :], 1e-300)
    major = weights >= 0.3
    valid = np.all((ratio[:, major] > 0.5) & (ratio[:, major] < 2.0), axis=1) & (amplitude > 20 * sigma)
    if not valid.any():
        return None
    return int(centres[valid][np.argmax(amplitude[valid])])


def _singlets(data: np.ndarray, scale: PPMScale, lo: int, hi: int, min_height: float) -> np.ndarray:
    """Points of the local maxima in ``[lo, hi]`` above ``min_height`` that have no partner line,
    tallest first."""
    reach = int(np.ceil(scale.hz_to_points(_PARTNER_HZ[1]))) + 1
    start = max(lo - reach, 0)
    (peaks,) = local_maxima(data[start:hi + reach + 1], min_height * _PARTNER_RATIO[0], size=3)
    peaks = peaks + start
    heights = data[peaks]
    near, far = scale.hz_to_points(_PARTNER_HZ[0]), scale.hz_to_points(_PARTNER_HZ[1])
    lone = []
    for i in np.flatnonzero((peaks >= lo) & (peaks <= hi) & (heights >= min_height)):
        distance, ratio = np.abs(peaks - peaks[i]), heights / heights[i]
        partners = (distance >= near) & (distance <= far) & (ratio >= _PARTNER_RATIO[0]) & (ratio <= _PARTNER_RATIO[1])
        if not partners.any():
            lone.append(int(peaks[i]))
    return np.asarray(sorted(lone, key=lambda p: -data[p]), dtype=int)


def _has_companions(data: np.ndarray, scale: PPMScale, shifts_ppm: tuple[float, ...], offset_ppm: float,
                    sigma: float) -> bool:
    """Whether a line above 5 sigma lies within 0.03 ppm (1 ppm in 13C-like scales) of each companion."""
    tolerance = 0.03 if scale.sw_ppm < 50 else 0.5
    for ppm in shifts_ppm:
        lo, hi = _window(scale, ppm - offset_ppm, tolerance)
        if hi <= lo or data[lo:hi + 1].max() < 5 * sigma:
            return False
    return True


def find_signal(data: np.ndarray, scale: PPMScale, signal: Signal, half_width_ppm: float,
                companions: tuple[float, ...] = (), dominant: bool = False) -> float | None:
    """Observed ppm of a reference signal in a phased real spectrum, or None when absent.

    Parameters
    ----------
    data : real, phased spectrum, shape ``(n,)``.
    scale : the spectrum's current (unreferenced) ppm scale.
    signal : the expected signal (its ``shift_ppm`` is the search centre).
    half_width_ppm : half-width of the search region in ppm.
    companions : literature ppm of other lines of the same solvent that must be present.
    dominant : a singlet must also be the tallest line of the region (for wide regions, where
        a lone line of a sample multiplet is otherwise easily taken).
    """
    lo, hi = _window(scale, signal.shift_ppm, half_width_ppm)
    if hi <= lo:
        return None
    sigma = noise_sigma(data)
    if len(signal.pattern) > 1:
        centres = [c for c in [_find_multiplet(data, scale, signal, lo, hi, sigma)] if c is not None]
    else:
        centres = list(_singlets(data, scale, lo, hi, data[lo:hi + 1].max() if dominant else 10 * sigma))
    for centre in centres:
        found = float(scale.point_to_ppm(apex(data, centre)))
        if _has_companions(data, scale, companions, signal.shift_ppm - found, sigma):
            return found
    return None


def find_tms(data: np.ndarray, scale: PPMScale, half_width_ppm: float) -> float | None:
    """Observed ppm of a TMS (or DSS) line: the tallest lone singlet near 0 ppm that reaches
    :data:`TMS_MIN_SNR` sigmas and :data:`TMS_MIN_FRACTION` of the tallest line; else None."""
    lo, hi = _window(scale, TMS.shift_ppm, half_width_ppm)
    if hi <= lo:
        return None
    floor = max(TMS_MIN_SNR * noise_sigma(data), TMS_MIN_FRACTION * data.max())
    lone = _singlets(data, scale, lo, hi, floor)
    return float(scale.point_to_ppm(apex(data, int(lone[0])))) if lone.size else None


def _search(data: np.ndarray, scale: PPMScale, nucleus: str, solvent: str | None,
            tms_name: str) -> tuple[str, Signal, float] | None:
    """``(name, signal, found ppm)`` of the first reference found: TMS/DSS, then the solvent."""
    if tms_name:
        for width in search_windows_ppm(nucleus):
            found = find_tms(data, scale, width)
            if found is not None:
                return tms_name, TMS, found
    signal = reference_signal(solvent, nucleus) if solvent else None
    if signal is not None:
        for width, dominant in zip(search_windows_ppm(nucleus), (False, True)):
            found = find_signal(data, scale, signal, width, companion_shifts(solvent, nucleus), dominant)
            if found is not None:
                return canonical_name(solvent) or str(solvent), signal, found
    return None


def _solvent_problem(solvent: str | None, nucleus: str) -> str:
    """Why no solvent line could serve as the reference."""
    name = canonical_name(solvent)
    if not solvent:
        return "no solvent given"
    if name is None:
        return f"solvent {solvent!r} is not known"
    if reference_signal(name, nucleus) is None:
        return f"{name} has no {nucleus} reference signal"
    return f"{name} {nucleus} reference signal not found"


def _fallback(vendor_offset_ppm: float | None, warning: str) -> tuple[float, dict[str, Any]]:
    if vendor_offset_ppm is None:
        return 0.0, {"step": "reference", "method": None, "warnings": [warning + "; the scale is not referenced"]}
    return vendor_offset_ppm, {"step": "reference", "method": "vendor", "offset_ppm": vendor_offset_ppm,
                               "warnings": [warning + "; the vendor's calibration is used"]}


def reference_offset(data: np.ndarray, scale: PPMScale, nucleus: str, reference: str | float | None,
                     solvent: str | None, vendor_offset_ppm: float | None = None) -> tuple[float, dict[str, Any]]:
    """ppm to add to the scale so that the reference signal lands on its literature shift.

    Parameters
    ----------
    data : phased real spectrum, shape ``(n,)``.
    scale : its current ppm scale.
    nucleus : e.g. ``"13C"``.
    reference : ``"auto"`` (TMS/DSS when present, else the solvent, else the vendor's
        calibration with a warning), ``"tms"`` or ``"solvent"`` (required: ValueError when not
        found), ``"vendor"``, a number (ppm added directly), or None (no referencing).
    solvent : solvent name (any alias); an unknown name is a warning under ``"auto"``.
    vendor_offset_ppm : the spectrometer software's own calibration (Bruker ``SR``).

    Returns
    -------
    offset_ppm, record : the shift and its description for ``meta["steps"]`` (``method``,
        ``found_ppm``, ``target_ppm``, ``offset_ppm``; ``warnings``: list of strings, if any).
    """
    if reference is None:
        return 0.0, {"step": "reference", "method": None}
    if isinstance(reference, (int, float)) and not isinstance(reference, bool):
        return float(reference), {"step": "reference", "method": "offset", "offset_ppm": float(reference)}
    if reference == "vendor":
        if vendor_offset_ppm is None:
            return 0.0, {"step": "reference", "method": None, "warnings": ["no vendor calibration"]}
        return vendor_offset_ppm, {"step": "reference", "method": "vendor", "offset_ppm": vendor_offset_ppm}
    if reference not in ("auto", "tms", "solvent"):
        raise ValueError(f"reference must be 'auto', 'tms', 'solvent', 'vendor', a ppm offset or None, "
                         f"got {reference!r}")
    name = canonical_name(solvent)
    tms_name = "" if reference == "solvent" else ("DSS" if name == "D2O" else "TMS")
    hit = _search(data, scale, nucleus, None if reference == "tms" else solvent, tms_name)
    if hit is None:
        if reference == "tms":
            raise ValueError(f"no {tms_name} line found near 0 ppm")
        problem = _solvent_problem(solvent, nucleus)
        if reference == "solvent":
            raise ValueError(f"solvent referencing impossible: {problem}")
        return _fallback(vendor_offset_ppm, f"no TMS found and {problem}")
    line, signal, found = hit
    offset = signal.shift_ppm - found
    record = {"step": "reference", "method": line, "target_ppm": signal.shift_ppm, "found_ppm": found,
              "offset_ppm": offset}
    if solvent and name is None:
        record["warnings"] = [f"solvent {solvent!r} is not known (referenced to {line})"]
    return offset, record
