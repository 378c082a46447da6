"""The spectrum view: an uploaded data set -> :func:`shiftnet.spectra.process` with the page's
options -> trace (1D) or contours (2D), processing steps, solvent, reference and peaks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .payload import jsonable, records, trace_1d

#: 2D spectra are reduced to at most this many points per axis for the browser.
MAX_2D_POINTS = 512
#: The page's choices for the phase, baseline and reference of :func:`shiftnet.spectra.process`.
PHASES = ("auto", "peaks", "manual", "none")
BASELINES = ("auto", "whittaker", "polynomial", "none")
REFERENCES = ("auto", "tms", "solvent", "vendor", "offset", "none")
#: At most this many picked peaks are listed (the largest signal-to-noise first).
MAX_PEAKS = 300


@dataclass(frozen=True)
class ProcessOptions:
    """Processing choices of the page, each passed on to :func:`shiftnet.spectra.process`.

    phase : "auto", "peaks", "manual" (uses ``p0_deg`` / ``p1_deg``) or "none".
    baseline : "auto", "whittaker", "polynomial" or "none".
    reference : "auto", "tms", "solvent", "vendor", "none" or "offset" (uses ``offset_ppm``).
    solvent : solvent name overriding the parameters ("" keeps the file's).
    lb_hz : exponential line broadening in Hz (None: the library default).
    """

    phase: str = "auto"
    p0_deg: float = 0.0
    p1_deg: float = 0.0
    baseline: str = "auto"
    reference: str = "auto"
    offset_ppm: float = 0.0
    solvent: str = ""
    lb_hz: float | None = None

    def __post_init__(self) -> None:
        for name, allowed in (("phase", PHASES), ("baseline", BASELINES), ("reference", REFERENCES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"unknown {name} option {getattr(self, name)!r}; use one of {', '.join(allowed)}")

    def keywords(self) -> dict[str, Any]:
        """The keyword arguments of :func:`shiftnet.spectra.process`."""
        phase = (self.p0_deg, self.p1_deg) if self.phase == "manual" else None if self.phase == "none" else self.phase
        reference = self.offset_ppm if self.reference == "offset" else None if self.reference == "none" \
            else self.reference
        return {"phase": phase, "baseline": None if self.baseline == "none" else self.baseline,
                "reference": reference, "solvent": self.solvent or None, "lb_hz": self.lb_hz}


def _block_extreme(data: np.ndarray, max_points: int) -> tuple[np.ndarray, tuple[int, int]]:
    """``data`` cut into blocks of at most ``max_points`` per axis, each block shown by its value
    of largest magnitude (sign kept); returns the reduced array and the block sizes."""
    steps = tuple(max(1, -(-n // max_points)) for n in data.shape)
    n1, n2 = (n // s * s for n, s in zip(data.shape, steps))
    blocks = data[:n1, :n2].reshape(n1 // steps[0], steps[0], n2 // steps[1], steps[1])
    blocks = blocks.transpose(0, 2, 1, 3).reshape(n1 // steps[0], n2 // steps[1], -1)
    pick = np.abs(blocks).argmax(axis=2)
    return np.take_along_axis(blocks, pick[..., None], axis=2)[..., 0], steps


def contours_2d(spec) -> dict[str, Any]:
    """Positive and negative contour layers of a 2D spectrum on geometric levels
    (:func:`shiftnet.plot.contour_levels`): ``z`` holds level numbers, log-scaled, so that
    plotly's evenly spaced contours 1, 2, ... fall on those levels."""
    from ..plot import contour_levels

    data, steps = _block_extreme(np.asarray(spec.data, dtype=float), MAX_2D_POINTS)
    levels = contour_levels(spec.data)
    ratio = np.log(levels[-1] / levels[0]) / (len(levels) - 1)
    with np.errstate(divide="ignore"):
        z = np.log(np.abs(data) / levels[0]) / ratio + 1
    z = np.where(np.abs(data) >= levels[0], z, 0.0)
    f1, f2 = (np.asarray(axis)[::step][: n] for axis, step, n in zip(spec.ppm, steps, data.shape))
    return {"x": np.round(f2, 4).tolist(), "y": np.round(f1, 4).tolist(), "levels": len(levels),
            "positive": np.round(np.where(data > 0, z, 0), 3).tolist(),
            "negative": np.round(np.where(data < 0, z, 0), 3).tolist()}


def _peaks(spec) -> dict[str, Any]:
    """Picked peaks from ``shiftnet.spectra.pick_peaks`` (classical threshold picker) when the
    library exposes it; otherwise a marked placeholder."""
    from .. import spectra

    picker = getattr(spectra, "pick_peaks", None)
    if picker is None:
        return {"available": False, "note": "peak picking: placeholder — shiftnet.spectra does not expose "
                                            "pick_peaks yet", "rows": []}
    picked = picker(spec, method="threshold")
    frame = picked.frame.nlargest(MAX_PEAKS, "snr").sort_values(picked.frame.columns[0], ascending=False)
    return {"available": True, "note": f"{len(picked.frame)} peaks (threshold picker)", "rows": records(frame)}


def spectrum_payload(path: Path, options: ProcessOptions) -> dict[str, Any]:
    """Read ``path`` (:func:`shiftnet.spectra.read`), process it with ``options`` and describe
    the result for the page."""
    import warnings

    from .. import spectra
    from ..spectra.report import process_summary

    fid = spectra.read(path)
    with warnings.catch_warnings():  # process() raises its warnings; they are in meta["warnings"]
        warnings.simplefilter("ignore")
        spec = spectra.process(fid, **options.keywords())
    steps = spec.meta.get("steps", [])
    reference = next((s for s in steps if s.get("step") == "reference"), None)
    payload = {"ndim": spec.ndim, "nucleus": jsonable(spec.nucleus), "obs_mhz": jsonable(spec.obs_mhz),
               "format": spec.meta.get("format"), "pulse_program": spec.meta.get("pulse_program"),
               "solvent": spec.meta.get("solvent"), "reference": jsonable(reference),
               "summary": process_summary(spec), "steps": jsonable(steps),
               "warnings": list(spec.meta.get("warnings", [])), "peaks": _peaks(spec)}
    if spec.ndim == 1:
        payload["trace"] = trace_1d(spec.ppm, spec.data)
    else:
        payload["contours"] = contours_2d(spec)
    return payload
