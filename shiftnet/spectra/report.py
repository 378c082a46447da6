"""What processing did and what looked wrong: warning categories, a plausibility check of the
data, and a text summary of ``spectrum.meta["steps"]``.

Every problem is a string in ``spectrum.meta["warnings"]`` and is also raised as a Python
warning of a :class:`ProcessingWarning` subclass, so neither a script nor a caller that only
reads the result can miss it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .noise import noise_sigma

__all__ = ["ProcessingWarning", "NUSWarning", "ReferenceWarning", "NotASpectrumWarning", "MIN_PEAK_SNR",
           "plausibility_warnings", "collect_warnings", "emit_warnings", "process_summary"]

#: The tallest point of a spectrum must reach this many noise sigmas (white noise of 64k points: ~5).
MIN_PEAK_SNR = 10.0


class ProcessingWarning(UserWarning):
    """Base class of the warnings raised by :func:`shiftnet.spectra.process`."""


class NUSWarning(ProcessingWarning):
    """Non-uniformly sampled data processed without reconstruction (zero-filled: streaks)."""


class ReferenceWarning(ProcessingWarning):
    """No reference signal found, or the solvent unknown: the scale is the vendor's or raw."""


class NotASpectrumWarning(ProcessingWarning):
    """The data hold no signal above the noise (flat, white, random bytes)."""


_CATEGORY = {"nus": NUSWarning, "reference": ReferenceWarning, "plausibility": NotASpectrumWarning}


def plausibility_warnings(fid_data: np.ndarray, spectrum: np.ndarray) -> list[str]:
    """Reasons why data do not look like a spectrum (empty list when they do).

    Parameters
    ----------
    fid_data : the time-domain data as read, any shape.
    spectrum : the complex (or real) spectrum after the Fourier transform, any shape.
    """
    values = np.asarray(fid_data).ravel()
    if values.size == 0 or np.all(values == values[0]):
        return ["the FID is constant (all points equal): no spectrum"]
    sigma = noise_sigma(spectrum)
    peak = float(np.abs(spectrum).max())
    if sigma == 0.0:
        return []
    if peak < MIN_PEAK_SNR * sigma:
        return [f"no signal above the noise (tallest point {peak / sigma:.1f} noise sigmas, "
                f"a spectrum needs {MIN_PEAK_SNR:.0f}): this looks like noise or random data, not a spectrum"]
    return []


def collect_warnings(log: list[dict[str, Any]]) -> list[str]:
    """The ``warnings`` of every step record (``"warnings": [str, ...]``), prefixed by the step."""
    return [f"{record['step']}: {text}" for record in log for text in record.get("warnings", ())]


def emit_warnings(log: list[dict[str, Any]], stacklevel: int = 3) -> None:
    """``warnings.warn`` each warning of the step records, category per step (:data:`_CATEGORY`,
    else :class:`ProcessingWarning`); ``stacklevel`` 3 points at the caller of the caller."""
    for record in log:
        for text in record.get("warnings", ()):
            warnings.warn(f"{record['step']}: {text}", _CATEGORY.get(record["step"], ProcessingWarning),
                          stacklevel=stacklevel)


def _describe(record: dict[str, Any]) -> str:
    """One line for one step record."""
    step, method = record["step"], record.get("method", "")
    extras = {k: v for k, v in record.items() if k not in ("step", "method", "warnings")}
    if step.startswith("phase") and method is not None and "p0_deg" in record:
        return f"{step}: {method}, p0 = {record['p0_deg']:.1f} deg, p1 = {record['p1_deg']:.1f} deg"
    if step == "reference" and "found_ppm" in record:
        return (f"reference: {method} line found at {record['found_ppm']:.4f} ppm, set to "
                f"{record['target_ppm']:.3f} ppm (offset {record['offset_ppm']:+.4f} ppm)")
    if step == "reference" and method in ("vendor", "offset"):
        return f"reference: {method}, offset {_short(record['offset_ppm'])} ppm"
    parts = [f"{k} = {_short(v)}" for k, v in extras.items() if not isinstance(v, (list, dict))]
    if "method" in record:
        return ", ".join([f"{step}: {method}", *parts])
    return f"{step}: " + ", ".join(parts) if parts else step


def _short(value: Any) -> str:
    """Numbers to 4 significant digits, everything else as ``str``."""
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_short(v) for v in value) + ")"
    return str(value)


def process_summary(spectrum: Any) -> list[str]:
    """Text lines, one per processing step, then ``WARNING: ...`` lines, for a processed spectrum.

    Parameters
    ----------
    spectrum : a :class:`~shiftnet.spectra.core.Spectrum` from :func:`~shiftnet.spectra.process`
        (anything with ``meta["steps"]``; a spectrum without them gives one line saying so).
    """
    meta = getattr(spectrum, "meta", {}) or {}
    steps = meta.get("steps")
    if not steps:
        return ["not processed here (no processing steps recorded)"]
    lines = [_describe(record).replace(": None", ": none") for record in steps]
    return lines + [f"WARNING: {text}" for text in meta.get("warnings", [])]
