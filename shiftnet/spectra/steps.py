"""Pure array steps of NMR processing: ``f(data, **params) -> ndarray`` along the last axis.

Time-domain data are complex with the last axis the (direct) acquisition time, in the FID
convention of :mod:`.fourier` (which also holds the Fourier transform itself); spectra have
point 0 at the high-ppm end, as :class:`~shiftnet.spectra.core.PPMScale` expects.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "remove_group_delay", "exponential", "gaussian", "sine_bell", "zero_fill",
    "phase_shift", "magnitude", "apodize", "window_record", "default_size",
    "negative_lines_expected",
]


def remove_group_delay(data: np.ndarray, grpdly: float) -> np.ndarray:
    """Remove the Bruker digital-filter group delay from an FID.

    The FID is advanced by ``grpdly`` points (a fractional circular shift done as a linear
    phase in the frequency domain); the ``ceil(grpdly)`` points that wrap round to the end hold
    the filter's response before t = 0 and are dropped. What stays starts at t = 0 with the
    filtered step's half-height first point, so no first-point scaling is needed afterwards.

    Parameters
    ----------
    data : complex FID, shape ``(..., n)``.
    grpdly : group delay in points (Bruker ``GRPDLY`` or the DECIM/DSPFVS table value).

    Returns
    -------
    ndarray : shape ``(..., n - ceil(grpdly))``.
    """
    if grpdly <= 0:
        return data
    n = data.shape[-1]
    freq = np.fft.fftfreq(n)
    shifted = np.fft.ifft(np.fft.fft(data, axis=-1) * np.exp(2j * np.pi * grpdly * freq), axis=-1)
    return shifted[..., : n - int(np.ceil(grpdly))]


def _time_axis(n: int, sw_hz: float) -> np.ndarray:
    return np.arange(n) / sw_hz


def exponential(data: np.ndarray, lb_hz: float, sw_hz: float) -> np.ndarray:
    """Exponential apodisation: multiply by ``exp(-pi * lb_hz * t)``.

    Parameters
    ----------
    data : complex FID, shape ``(..., n)``.
    lb_hz : line broadening in Hz (added to the Lorentzian full width at half height).
    sw_hz : spectral width in Hz (the dwell time is ``1/sw_hz``).
    """
    return data * np.exp(-np.pi * lb_hz * _time_axis(data.shape[-1], sw_hz))


def gaussian(data: np.ndarray, gb_hz: float, sw_hz: float, lb_hz: float = 0.0) -> np.ndarray:
    """Gaussian (Lorentz-to-Gauss) apodisation.

    Multiplies by ``exp(+pi*lb_hz*t) * exp(-(pi*gb_hz*t)^2 / (4 ln 2))``: a Lorentzian line of
    width ``lb_hz`` becomes a Gaussian of full width at half height ``gb_hz``.

    Parameters
    ----------
    data : complex FID, shape ``(..., n)``.
    gb_hz : full width at half height of the Gaussian line in Hz.
    sw_hz : spectral width in Hz.
    lb_hz : Lorentzian width in Hz to remove (0 for a pure Gaussian window).
    """
    t = _time_axis(data.shape[-1], sw_hz)
    return data * np.exp(np.pi * lb_hz * t - (np.pi * gb_hz * t) ** 2 / (4.0 * np.log(2.0)))


def sine_bell(data: np.ndarray, offset: float = 0.0, power: int = 1) -> np.ndarray:
    """(Squared) sine-bell apodisation ``sin(pi*offset + pi*(1-offset)*k/(n-1)) ** power``.

    Parameters
    ----------
    data : complex FID, shape ``(..., n)``.
    offset : start of the bell in units of pi: 0 = pure sine (zero at t = 0), 0.5 = cosine
        bell (Bruker SSB = 2), must lie in [0, 1).
    power : 1 for a sine bell, 2 for a squared sine bell.
    """
    if not 0.0 <= offset < 1.0:
        raise ValueError(f"sine-bell offset must lie in [0, 1) (units of pi), got {offset}")
    n = data.shape[-1]
    window = np.sin(np.pi * offset + np.pi * (1.0 - offset) * np.arange(n) / max(n - 1, 1))
    return data * np.abs(window) ** power


def zero_fill(data: np.ndarray, size: int) -> np.ndarray:
    """Append zeros (or truncate) to ``size`` points along the last axis."""
    n = data.shape[-1]
    if size <= n:
        return data[..., :size]
    pad = [(0, 0)] * (data.ndim - 1) + [(0, size - n)]
    return np.pad(data, pad)


def phase_shift(data: np.ndarray, p0_deg: float, p1_deg: float = 0.0, pivot: float = 0.0) -> np.ndarray:
    """Zero- and first-order phase correction of a complex spectrum.

    The phase applied at point ``i`` is ``p0 + p1 * (i - pivot) / n`` degrees (nmrglue's
    ``ps`` with a pivot); the result is ``data * exp(1j * phase)``.

    Parameters
    ----------
    data : complex spectrum, shape ``(..., n)``.
    p0_deg : zeroth-order phase in degrees.
    p1_deg : first-order phase in degrees across the whole width.
    pivot : point index where the first-order term is zero.
    """
    n = data.shape[-1]
    phase = np.deg2rad(p0_deg + p1_deg * (np.arange(n) - pivot) / n)
    return data * np.exp(1j * phase)


def magnitude(data: np.ndarray) -> np.ndarray:
    """Absolute value (magnitude mode), real output of the same shape."""
    return np.abs(data)


#: Pulse-program name fragments whose spectra have negative lines: multiplicity editing, and
#: the antiphase cross peaks of phase-sensitive COSY (irrelevant in magnitude mode).
_EDITED = ("dept135", "deptq", "apt", "hsqced", "multiplicity", "cosy")


def negative_lines_expected(pulse_program: str) -> bool:
    """True for DEPT-135, APT, edited HSQC and (phase-sensitive) COSY pulse programs."""
    name = pulse_program.lower().replace("-", "").replace("_", "")
    return any(key in name for key in _EDITED)


def default_size(n: int) -> int:
    """Zero-filling default: twice the next power of two of ``n`` points."""
    return 2 * 2 ** int(np.ceil(np.log2(max(n, 1))))


def apodize(data: np.ndarray, window: str | None, sw_hz: float, lb_hz: float = 1.0, gb_hz: float = 5.0,
            sine_offset: float = 0.0) -> np.ndarray:
    """Apply one named window along the last axis.

    Parameters
    ----------
    data : complex FID, shape ``(..., n)``.
    window : ``"em"`` (exponential, ``lb_hz``), ``"gm"`` (Gaussian of width ``gb_hz`` after
        removing ``lb_hz`` of Lorentzian width), ``"sine"`` / ``"sine2"`` (sine bell / squared
        sine bell starting at ``sine_offset`` * pi), or None for no apodisation.
    sw_hz : spectral width in Hz.
    """
    if window is None or window == "none":
        return data
    if window == "em":
        return exponential(data, lb_hz, sw_hz)
    if window == "gm":
        return gaussian(data, gb_hz, sw_hz, lb_hz=lb_hz)
    if window in ("sine", "sine2"):
        return sine_bell(data, sine_offset, power=1 if window == "sine" else 2)
    raise ValueError(f"unknown window {window!r}; use 'em', 'gm', 'sine', 'sine2' or None")


def window_record(window: str | None, lb_hz: float, gb_hz: float, sine_offset: float) -> dict[str, Any]:
    """The parameters of an :func:`apodize` call that matter, for ``meta["steps"]``."""
    if window == "em":
        return {"window": window, "lb_hz": lb_hz}
    if window == "gm":
        return {"window": window, "gb_hz": gb_hz, "lb_hz": lb_hz}
    if window in ("sine", "sine2"):
        return {"window": window, "sine_offset_pi": sine_offset}
    return {"window": None}
