"""Chemical-shift referencing: find a reference signal (solvent or TMS) and shift the ppm scale.

The reference is recognised by its pattern, not taken as the nearest peak: a deuterium
multiplet (CDCl3 13C 1:1:1 triplet, DMSO-d6 13C septet, DMSO-d5 1H quintet, ...) is matched
with a comb of its lines; a singlet (CHCl3, TMS, HDO) is the tallest line without a partner of similar height
(0.6-1.67 times) 1.5-10 Hz away, which tells it from the lines of the sample's own doublets and multiplets.
When the reference is not found (e.g. no solvent line in a DEPT), the vendor's calibration
(Bruker ``SR``) is the fallback.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.ndimage import maximum_filter1d

from .core import PPMScale
from .noise import noise_sigma
from .peaks import apex, local_maxima
from ..solvents import TMS, Signal, canonical_name, residual_signal

__all__ = ["TMS", "search_window_ppm", "find_signal", "reference_offset"]


def search_window_ppm(nucleus: str) -> float:
    """Half-width in ppm of the region searched for a reference signal (raw scales are off by
    up to ~0.05 ppm in 1H and ~0.5 ppm in 13C before referencing)."""
    return 0.08 if nucleus == "1H" else 1.0


def _window(scale: PPMScale, centre_ppm: float, half_width_ppm: float) -> tuple[int, int]:
    lo = int(np.floor(scale.ppm_to_point(centre_ppm + half_width_ppm)))
    hi = int(np.ceil(scale.ppm_to_point(centre_ppm - half_width_ppm)))
    return max(lo, 0), min(hi, scale.size - 1)


def _find_multiplet(data: np.ndarray, scale: PPMScale, signal: Signal, lo: int, hi: int) -> int | None:
    """Centre point of the best comb match ``min_k(data[c + k*J] / w_k)`` in ``[lo, hi]``."""
    n_lines = len(signal.pattern)
    j_pts = scale.hz_to_points(signal.j_hz)
    offsets = np.round((np.arange(n_lines) - (n_lines - 1) / 2) * j_pts).astype(int)
    smoothed = maximum_filter1d(data, size=max(3, int(round(scale.hz_to_points(1.0)))) | 1)
    centres = np.arange(max(lo, -offsets[0]), min(hi, data.size - 1 - offsets[-1]) + 1)
    if centres.size == 0:
        return None
    weights = np.asarray(signal.pattern) / max(signal.pattern)
    scores = np.min(smoothed[centres[:, None] + offsets[None, :]] / weights[None, :], axis=1)
    best = int(np.argmax(scores))
    return int(centres[best]) if scores[best] > 5 * noise_sigma(data) else None


def _find_singlet(data: np.ndarray, scale: PPMScale, lo: int, hi: int) -> int | None:
    """Tallest peak in ``[lo, hi]`` without a partner of similar height 1.5-10 Hz away.

    Peaks below a tenth of the tallest peak of the window (13C satellites, noise) are ignored.
    """
    (peaks,) = local_maxima(data, 5 * noise_sigma(data), size=3)
    heights = data[peaks]
    inside = np.flatnonzero((peaks >= lo) & (peaks <= hi))
    if inside.size == 0:
        return None
    near, far = scale.hz_to_points(1.5), scale.hz_to_points(10.0)
    best = None
    for i in inside[heights[inside] >= 0.1 * heights[inside].max()]:
        distance, ratio = np.abs(peaks - peaks[i]), heights / heights[i]
        partners = (distance >= near) & (distance <= far) & (ratio >= 0.6) & (ratio <= 1 / 0.6)
        if not partners.any() and (best is None or heights[i] > heights[best]):
            best = i
    return None if best is None else int(peaks[best])


def find_signal(data: np.ndarray, scale: PPMScale, signal: Signal,
                half_width_ppm: float) -> float | None:
    """Observed ppm of a reference signal in a phased real spectrum, or None when absent.

    Parameters
    ----------
    data : real, phased spectrum, shape ``(n,)``.
    scale : the spectrum's current (unreferenced) ppm scale.
    signal : the expected signal (its ``shift_ppm`` is the search centre).
    half_width_ppm : half-width of the search region in ppm.
    """
    lo, hi = _window(scale, signal.shift_ppm, half_width_ppm)
    if hi <= lo:
        return None
    if len(signal.pattern) > 1:
        centre = _find_multiplet(data, scale, signal, lo, hi)
    else:
        centre = _find_singlet(data, scale, lo, hi)
    return None if centre is None else float(scale.point_to_ppm(apex(data, centre)))


def reference_offset(data: np.ndarray, scale: PPMScale, nucleus: str, reference: str | float | None,
                     solvent: str | None, vendor_offset_ppm: float | None = None) -> tuple[float, dict[str, Any]]:
    """ppm to add to the scale so that the reference signal lands on its literature shift.

    Parameters
    ----------
    data : phased real spectrum, shape ``(n,)``.
    scale : its current ppm scale.
    nucleus : e.g. ``"13C"``.
    reference : ``"auto"`` (the solvent when known and found), ``"solvent"`` (required),
        ``"tms"``, ``"vendor"``, a number (ppm added directly), or None (no referencing).
    solvent : solvent name (any alias, see :func:`shiftnet.solvents.canonical_name`).
    vendor_offset_ppm : the spectrometer software's own calibration, used by ``"auto"`` when
        the reference signal is not found (``reference="vendor"`` uses it directly).

    Returns
    -------
    offset_ppm, record : the shift and a description for ``meta["steps"]``.
    """
    if reference is None:
        return 0.0, {"step": "reference", "method": None}
    if isinstance(reference, (int, float)):
        return float(reference), {"step": "reference", "method": "offset", "offset_ppm": float(reference)}
    if reference == "vendor" or (reference == "auto" and not solvent):
        if vendor_offset_ppm is None:
            return 0.0, {"step": "reference", "method": None, "reason": "no vendor calibration"}
        return vendor_offset_ppm, {"step": "reference", "method": "vendor", "offset_ppm": vendor_offset_ppm}
    if reference == "tms":
        signal, name = TMS, "TMS"
    else:
        name = canonical_name(solvent)
        try:
            signal = residual_signal(str(solvent), nucleus)
        except ValueError:
            if reference == "solvent":
                raise
            return reference_offset(data, scale, nucleus, "vendor", None, vendor_offset_ppm)
    found = find_signal(data, scale, signal, search_window_ppm(nucleus))
    if found is None:
        if reference in ("solvent", "tms"):
            raise ValueError(f"reference signal {name} ({signal.shift_ppm} ppm) not found in the spectrum")
        return reference_offset(data, scale, nucleus, "vendor", None, vendor_offset_ppm)
    offset = signal.shift_ppm - found
    return offset, {"step": "reference", "method": name, "target_ppm": signal.shift_ppm, "found_ppm": found,
                    "offset_ppm": offset}
