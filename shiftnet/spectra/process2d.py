"""2D processing: quadrature in F1 (States, States-TPPI, echo/anti-echo, QF magnitude mode).

Flow: F2 digital filter -> F1 quadrature rows to (cos, sin) pairs -> F2 window, zero-fill, FT
-> phase-sensitive: F2 phase (from the first t1 increment), F1 complex points from the real
parts of the pairs; QF: the complex F2 spectra themselves -> NUS data: the increments placed
on the full t1 grid (zeros or a reconstruction, :func:`.nus.fill_nus`) -> F1 window, zero-fill, FT ->
F1 phase (from the peaks of the 2D spectrum) or magnitude -> optional baseline -> ppm axes.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
from . import steps
from .baseline import baseline_record, correct_baseline
from .core import FID, PPMScale, Spectrum, canonical_quadrature
from .fourier import FIRST_POINT_SCALE, fid_to_spectrum
from .noise import noise_sigma
from .nus import fill_nus, nus_schedule_of
from .peaks import local_maxima
from .phase import PhaseFit, apex_phases, autophase, fit_linear_phase
from ..solvents import canonical_name
from .report import collect_warnings, plausibility_warnings

__all__ = ["process_2d", "quadrature_pairs", "phase_f1"]

_PHASE_SENSITIVE = ("States", "States-TPPI", "Echo-Antiecho")


def quadrature_pairs(data: np.ndarray, quadrature: str) -> tuple[np.ndarray, np.ndarray]:
    """Split interleaved F1 rows into the cosine- and sine-modulated halves.

    Parameters
    ----------
    data : complex 2D FID or F2-transformed data, shape ``(2*m, n2)``: rows ``2k`` and
        ``2k+1`` belong to t1 increment ``k``.
    quadrature : ``"States"``, ``"States-TPPI"`` (rows as for States; the F1 sign alternation
        is applied later) or ``"Echo-Antiecho"`` (rows are echo and anti-echo and are combined
        into cosine ``E + A`` and sine ``i (A - E)``).

    Returns
    -------
    cos, sin : complex arrays, shape ``(m, n2)`` each.
    """
    if data.shape[0] % 2:
        raise ValueError(f"{quadrature} data need an even number of F1 rows, got {data.shape[0]}")
    first, second = data[0::2], data[1::2]
    if quadrature == "Echo-Antiecho":
        return first + second, 1j * (second - first)
    return first, second


def phase_f1(spectrum: np.ndarray, allow_negative: bool = False) -> PhaseFit:
    """Phase correction of F1 (axis 0) from the apex angles of the strongest 2D peaks.

    Parameters
    ----------
    spectrum : complex in F1, real-phased in F2, shape ``(n1, n2)``.
    allow_negative : allow negative cross peaks (edited HSQC).
    """
    magnitude = np.abs(spectrum)
    rows, cols = local_maxima(magnitude, 10 * noise_sigma(magnitude), size=5, max_peaks=40)
    inside = (rows > 0) & (rows < spectrum.shape[0] - 1)
    rows, cols = rows[inside], cols[inside]
    frac, phases = apex_phases(spectrum[rows - 1, cols], spectrum[rows, cols], spectrum[rows + 1, cols])
    return fit_linear_phase((rows + frac) / spectrum.shape[0], phases, magnitude[rows, cols],
                            allow_negative=allow_negative)


def _pair(value: Any) -> tuple[Any, Any]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _f2_transform(rows: np.ndarray, fid: FID, window: str | None, lb_hz: float, gb_hz: float,
                  sine_offset: float, size: int, first_point: float) -> np.ndarray:
    rows = steps.apodize(rows, window, fid.sw_hz[1], lb_hz, gb_hz, sine_offset)
    return fid_to_spectrum(steps.zero_fill(rows, size), first_point=first_point)


def process_2d(fid: FID, *, digital_filter: bool = True, window: Any = "auto", lb_hz: Any = None,
               gb_hz: Any = 5.0, sine_offset: Any = None, size: Any = None, phase: Any = "auto",
               allow_negative: bool | None = None, baseline: int | None = None, reference: Any = "auto",
               solvent: str | None = None, quadrature: str | None = None, nus: Any = None) -> Spectrum:
    """Process a 2D FID; parameters as :func:`shiftnet.spectra.process`, pairs are ``(f1, f2)``.

    Defaults: QF data -> sine bell (offset 0) in both dimensions and magnitude mode;
    phase-sensitive data -> squared cosine bell (offset 0.5) and automatic phasing of both
    dimensions. ``reference="auto"`` applies the vendor calibration when there is one.
    """
    quad = canonical_quadrature(quadrature or fid.quadrature_f1 or "QF")
    if quad != "QF" and quad not in _PHASE_SENSITIVE:
        raise ValueError(f"F1 quadrature {quad!r} is not supported (QF, States, States-TPPI, Echo-Antiecho)")
    magnitude_mode = quad == "QF"
    windows = _pair(("sine" if magnitude_mode else "sine2") if window == "auto" else window)
    offsets = _pair((0.0 if magnitude_mode else 0.5) if sine_offset is None else sine_offset)
    lbs, gbs = _pair(1.0 if lb_hz is None else lb_hz), _pair(gb_hz)
    negative = allow_negative
    if negative is None:
        negative = steps.negative_lines_expected(str(fid.meta.get("pulse_program", "")))
    log: list[dict[str, Any]] = [{"step": "quadrature_f1", "mode": quad, "magnitude": magnitude_mode}]

    data = fid.data
    grpdly = fid.group_delay
    first_point = FIRST_POINT_SCALE
    if digital_filter and grpdly > 0:
        data = steps.remove_group_delay(data, grpdly)
        first_point = 1.0
        log.append({"step": "digital_filter", "grpdly_points": grpdly})
    schedule, n_inc = nus_schedule_of(fid, 1 if magnitude_mode else 2)
    sizes = _pair(size) if size is not None else (steps.default_size(n_inc), steps.default_size(data.shape[1]))
    transform = partial(_f2_transform, fid=fid, window=windows[1], lb_hz=lbs[1], gb_hz=gbs[1],
                        sine_offset=offsets[1], size=sizes[1], first_point=first_point)
    log.append({"step": "f2", "size": sizes[1], **steps.window_record(windows[1], lbs[1], gbs[1], offsets[1])})

    if magnitude_mode:  # echo-type t1 modulation (see .fourier): conjugate to reverse F1
        f1_points = np.conj(transform(data))
    else:
        cos, sin = (transform(part) for part in quadrature_pairs(data, quad))
        cos, sin, record = _phase_f2(cos, sin, _pair(phase)[1], negative)
        log.append(record)
        f1_points = cos.real + 1j * sin.real
    if schedule is not None:
        f1_points, record = fill_nus(f1_points, schedule, n_inc, nus)
        log.append(record)
    if quad == "States-TPPI":
        f1_points[1::2] *= -1

    columns = steps.apodize(f1_points.T, windows[0], fid.sw_hz[0], lbs[0], gbs[0], offsets[0])
    spec = fid_to_spectrum(steps.zero_fill(columns, sizes[0])).T
    log.append({"step": "f1", "size": sizes[0], **steps.window_record(windows[0], lbs[0], gbs[0], offsets[0])})
    problems = plausibility_warnings(fid.data, spec)
    if problems:
        log.append({"step": "plausibility", "warnings": problems})
    if magnitude_mode:
        real = steps.magnitude(spec)
    else:
        spec, record = _phase_f1(spec, _pair(phase)[0], negative)
        log.append(record)
        real = spec.real
    if baseline is not None:
        real = correct_baseline(correct_baseline(real, baseline).T, baseline).T
        log.append({"step": "baseline", **baseline_record(baseline)})
    shifts, record = _reference_2d(fid, reference)
    log.append(record)
    scales = [PPMScale(size=n, sw_hz=fid.sw_hz[a], obs_mhz=fid.obs_mhz[a], carrier_ppm=fid.carrier_ppm[a] + shifts[a])
              for a, n in enumerate(real.shape)]
    return Spectrum(data=real, ppm=tuple(s.ppm_axis() for s in scales), nucleus=tuple(fid.nucleus),
                    obs_mhz=tuple(fid.obs_mhz), source=fid.source,
                    meta={"steps": log, "format": fid.meta.get("format"), "solvent": canonical_name(solvent),
                          "pulse_program": fid.meta.get("pulse_program", ""), "warnings": collect_warnings(log)})


def _phase_f2(cos: np.ndarray, sin: np.ndarray, phase: Any, negative: bool) -> tuple[np.ndarray, np.ndarray, dict]:
    """F2 phase from the first increment's cosine spectrum (``"auto"``), a pair, or None."""
    if phase is None:
        return cos, sin, {"step": "phase_f2", "method": None}
    if phase == "auto":
        _, fit = autophase(cos[0], allow_negative=negative)
        p0, p1, method = fit.p0_deg, fit.p1_deg, "auto"
    else:
        (p0, p1), method = phase, "manual"
    record = {"step": "phase_f2", "method": method, "p0_deg": p0, "p1_deg": p1}
    return steps.phase_shift(cos, p0, p1), steps.phase_shift(sin, p0, p1), record


def _phase_f1(spec: np.ndarray, phase: Any, negative: bool) -> tuple[np.ndarray, dict]:
    """F1 phase from the 2D peaks (``"auto"``), a pair, or None; ``spec`` is ``(n1, n2)``."""
    if phase is None:
        return spec, {"step": "phase_f1", "method": None}
    if phase == "auto":
        fit = phase_f1(spec, allow_negative=negative)
        p0, p1, method = fit.p0_deg, fit.p1_deg, "auto"
    else:
        (p0, p1), method = phase, "manual"
    record = {"step": "phase_f1", "method": method, "p0_deg": p0, "p1_deg": p1}
    return steps.phase_shift(spec.T, p0, p1).T, record


def _reference_2d(fid: FID, reference: Any) -> tuple[tuple[float, float], dict]:
    """ppm shifts per axis: a pair of numbers, ``"auto"``/``"vendor"`` (vendor calibration), or None."""
    if reference is None:
        return (0.0, 0.0), {"step": "reference", "method": None}
    if isinstance(reference, (tuple, list)):
        shifts = (float(reference[0]), float(reference[1]))
        return shifts, {"step": "reference", "method": "offset", "offset_ppm": shifts}
    vendor = fid.meta.get("vendor_offset_ppm")
    if reference in ("auto", "vendor") and vendor is not None:
        return tuple(vendor), {"step": "reference", "method": "vendor", "offset_ppm": tuple(vendor)}
    if reference == "auto":
        return (0.0, 0.0), {"step": "reference", "method": None, "reason": "no vendor calibration"}
    raise ValueError(f"2D reference must be 'auto', 'vendor', a pair of ppm offsets or None, got {reference!r}")
