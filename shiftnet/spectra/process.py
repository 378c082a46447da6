"""``process(fid)``: time-domain data -> phased, baseline-corrected, referenced spectrum.

Every step can be overridden or switched off by a keyword; the steps taken and their
parameters are recorded in ``spectrum.meta["steps"]`` (a list of dicts with a ``"step"`` key).
The pure array functions live in :mod:`.steps`, :mod:`.phase`, :mod:`.baseline` and
:mod:`.reference`; 2D quadrature handling in :mod:`.process2d`.

Defaults
--------
* digital filter: removed when the FID carries a group delay (``fid.group_delay``).
* apodisation: exponential, 0.3 Hz for 1H / 1.0 Hz otherwise (1D); 2D see :mod:`.process2d`.
* zero-filling: to twice the next power of two of the acquired points.
* phase: automatic 0th + 1st order from the peaks, refined on the whole spectrum (1D,
  :func:`.phase.autophase`); negative lines allowed for DEPT-135 / edited pulse programs.
* baseline: Whittaker smoother through the points without signal (1D, :mod:`.baseline`).
* reference: TMS (DSS in D2O) when present, else the solvent signal (from the parameters or
  ``solvent=``), else the vendor's calibration with a warning (:mod:`.reference`).
* warnings (``meta["warnings"]``, also raised): reference fallback, data that are not a
  spectrum, NUS data without reconstruction (:mod:`.report`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import steps
from .baseline import baseline_record, correct_baseline
from .core import FID, PPMScale, Spectrum
from .fourier import FIRST_POINT_SCALE, fid_to_spectrum
from .phase import autophase
from .process2d import process_2d
from .reference import reference_offset
from ..solvents import canonical_name
from .report import collect_warnings, emit_warnings, plausibility_warnings

__all__ = ["process"]

def _process_1d(fid: FID, *, digital_filter: bool, window: str | None, lb_hz: float | None, gb_hz: float,
                sine_offset: float, size: int | None, phase: Any, allow_negative: bool | None,
                baseline: str | int | None, reference: str | float | None, solvent: str | None) -> Spectrum:
    log: list[dict[str, Any]] = []
    data, sw, nucleus = fid.data, fid.sw_hz[0], fid.nucleus[0]
    grpdly = fid.group_delay
    if digital_filter and grpdly > 0:
        data = steps.remove_group_delay(data, grpdly)
        log.append({"step": "digital_filter", "grpdly_points": grpdly})
    lb_hz = (0.3 if nucleus == "1H" else 1.0) if lb_hz is None else lb_hz
    data = steps.apodize(data, window, sw, lb_hz, gb_hz, sine_offset)
    log.append({"step": "apodize", **steps.window_record(window, lb_hz, gb_hz, sine_offset)})
    size = steps.default_size(data.size) if size is None else size
    data = steps.zero_fill(data, size)
    log.append({"step": "zero_fill", "size": size})
    first_point = 1.0 if (digital_filter and grpdly > 0) else FIRST_POINT_SCALE
    spec = fid_to_spectrum(data, first_point=first_point)
    log.append({"step": "fourier_transform", "first_point": first_point})
    problems = plausibility_warnings(fid.data, spec)
    if problems:
        log.append({"step": "plausibility", "warnings": problems})
    negative = steps.negative_lines_expected(str(fid.meta.get("pulse_program", ""))) \
        if allow_negative is None else allow_negative
    spec, record = _phase_1d(spec, phase, negative)
    log.append(record)
    if baseline is not None:
        spec = correct_baseline(spec.real, baseline, negative_lines=negative) + 1j * spec.imag
        log.append({"step": "baseline", **baseline_record(baseline)})
    scale = fid.scale(size=size)
    offset, record = reference_offset(spec.real, scale, nucleus, reference, solvent, _vendor_offsets(fid)[0])
    log.append(record)
    scale = PPMScale(size=size, sw_hz=sw, obs_mhz=fid.obs_mhz[0], carrier_ppm=fid.carrier_ppm[0] + offset)
    return Spectrum(data=spec.real, ppm=scale.ppm_axis(), nucleus=nucleus, obs_mhz=fid.obs_mhz[0],
                    source=fid.source, imag=spec.imag, meta=_meta(fid, log, solvent))


def _phase_1d(spec: np.ndarray, phase: Any, negative: bool) -> tuple[np.ndarray, dict[str, Any]]:
    """Apply ``phase``: ``"auto"`` (peak fit + whole-spectrum refinement), ``"peaks"`` (peak fit
    only), a ``(p0_deg, p1_deg)`` pair, or None."""
    if phase is None:
        return spec, {"step": "phase", "method": None}
    if phase in ("auto", "peaks"):
        spec, fit = autophase(spec, allow_negative=negative, refine=phase == "auto")
        return spec, {"step": "phase", "method": phase, "p0_deg": fit.p0_deg, "p1_deg": fit.p1_deg,
                      "allow_negative": negative, "n_peaks": fit.n_peaks, "coherence": fit.coherence}
    p0, p1 = phase
    return steps.phase_shift(spec, p0, p1), {"step": "phase", "method": "manual", "p0_deg": p0, "p1_deg": p1}


def _vendor_offsets(fid: FID) -> tuple[float | None, ...]:
    """Per-axis vendor calibration in ppm from ``fid.meta["vendor_offset_ppm"]`` (None if absent)."""
    offsets = fid.meta.get("vendor_offset_ppm")
    return tuple(offsets) if offsets is not None else (None,) * fid.ndim


def _meta(fid: FID, log: list[dict[str, Any]], solvent: str | None) -> dict[str, Any]:
    return {"steps": log, "solvent": canonical_name(solvent), "format": fid.meta.get("format"),
            "pulse_program": fid.meta.get("pulse_program", ""), "warnings": collect_warnings(log)}


def process(fid: FID, *, digital_filter: bool = True, window: Any = "auto", lb_hz: Any = None,
            gb_hz: Any = 5.0, sine_offset: Any = None, size: Any = None, phase: Any = "auto",
            allow_negative: bool | None = None, baseline: int | None | str = "auto",
            reference: Any = "auto", solvent: str | None = None, quadrature: str | None = None,
            nus: Any = None) -> Spectrum:
    """Process a 1D or 2D FID into a real spectrum with ppm axes.

    Parameters
    ----------
    fid : time-domain data, e.g. from :func:`shiftnet.spectra.read`.
    digital_filter : remove the Bruker digital-filter group delay (when the FID has one).
    window : apodisation, ``"em"``, ``"gm"``, ``"sine"``, ``"sine2"`` or None; ``"auto"``:
        ``"em"`` in 1D, per axis defaults in 2D. 2D: one value or a pair ``(f1, f2)``.
    lb_hz : exponential line broadening in Hz (default 0.3 Hz for 1H, 1 Hz otherwise).
    gb_hz : Gaussian line width in Hz for ``"gm"``.
    sine_offset : sine-bell start in units of pi (0 = sine, 0.5 = cosine bell).
    size : points after zero-filling (default: twice the next power of two); 2D: a pair.
    phase : ``"auto"`` (peak fit, then whole-spectrum ACME refinement in 1D), ``"peaks"`` (peak
        fit only), ``(p0_deg, p1_deg)`` (2D: a pair of pairs) or None (no phasing).
    allow_negative : allow negative lines when phasing (default: from the pulse program).
    baseline : ``"whittaker"`` (signal mask from the noise level + Whittaker smoother),
        ``"polynomial"`` (4th order), an int (polynomial of that order) or None; ``"auto"``:
        ``"whittaker"`` in 1D, none in 2D.
    reference : ``"auto"`` (TMS/DSS when present, else the solvent line, else the vendor's
        calibration with a warning), ``"tms"``, ``"solvent"`` (ValueError when not found),
        ``"vendor"``, a ppm offset (2D: a pair) or None. 2D: ``"auto"`` = vendor.
    solvent : overrides the solvent in the parameters (e.g. ``"CDCl3"``, ``"DMSO"``).
    quadrature : 2D only, overrides ``fid.quadrature_f1`` (``"QF"``, ``"States"``,
        ``"States-TPPI"``, ``"Echo-Antiecho"``; any spelling of them).
    nus : 2D data with a NUS schedule (``fid.meta["nuslist"]``): None or ``"zero-fill"`` puts
        the measured increments at their schedule positions and zeros elsewhere, with a
        :class:`~shiftnet.spectra.report.NUSWarning` (expect streaks along F1); a callable
        ``f(measured, schedule, size) -> full`` reconstructs instead (``measured``: complex
        ``(m, n2)`` t1 signal after the F2 transform, ``schedule``: ``(m,)`` t1 indices,
        ``size``: full number of t1 points; returns complex ``(size, n2)``).

    Returns
    -------
    Spectrum : 1D data ``(n,)`` with ``ppm (n,)``; 2D data ``(n1, n2)`` with
        ``ppm = (ppm_f1, ppm_f2)``. ``meta["steps"]``: one record per step (``step``,
        ``method`` and its parameters: phase values, baseline method, reference line found
        and offset); ``meta["warnings"]``: list of strings (each also raised as a
        :class:`~shiftnet.spectra.report.ProcessingWarning`); see
        :func:`~shiftnet.spectra.report.process_summary` for a text summary.
    """
    solvent = solvent or fid.meta.get("solvent") or fid.meta.get("solvent_raw") or None
    if fid.ndim == 1:
        spectrum = _process_1d(fid, digital_filter=digital_filter, window="em" if window == "auto" else window,
                           lb_hz=lb_hz, gb_hz=gb_hz, sine_offset=sine_offset or 0.0, size=size, phase=phase,
                           allow_negative=allow_negative, baseline="whittaker" if baseline == "auto" else baseline,
                           reference=reference, solvent=solvent)
    elif fid.ndim == 2:
        spectrum = process_2d(fid, digital_filter=digital_filter, window=window, lb_hz=lb_hz, gb_hz=gb_hz,
                          sine_offset=sine_offset, size=size, phase=phase, allow_negative=allow_negative,
                          baseline=None if baseline == "auto" else baseline, reference=reference,
                          solvent=solvent, quadrature=quadrature, nus=nus)
    else:
        raise ValueError(f"process() handles 1D and 2D data, got {fid.ndim} dimensions")
    emit_warnings(spectrum.meta["steps"])
    return spectrum
