"""Vectorised Lorentzian lines: analytic FIDs and exact label values.

A line ``l`` with amplitude ``A`` (complex: magnitude and phase), offset ``f`` Hz from the carrier
(positive = higher ppm) and full width at half maximum ``w`` Hz is the sampled damped exponential

    s_k = A z^k,   z = exp((2 pi i f - pi w) / sw_hz),   k = 0 .. n - 1,

which rotates as the FID convention of :mod:`shiftnet.spectra.fourier` says. Its spectrum is
:func:`~shiftnet.spectra.fourier.fid_to_spectrum` (first point scaled by ``FIRST_POINT_SCALE``),
whose value at any fractional point ``x`` is the closed geometric sum

    S(x) = A [(1 - q^n) / (1 - q) - (1 - FIRST_POINT_SCALE)],   q = z exp(2 pi i (x - n/2) / n),

which is what :func:`line_values` evaluates to label heights exactly (FID truncation included).
"""

from __future__ import annotations

import numpy as np

from .core import PPMScale
from .fourier import FIRST_POINT_SCALE

#: Spectra per chunk in :func:`simulate_fids` (bounds the temporary arrays to ~tens of MB).
_CHUNK = 128


def log_poles(scale: PPMScale, shifts_ppm: np.ndarray, widths_hz: np.ndarray) -> np.ndarray:
    """Complex log of the per-point decay/rotation factor ``z`` of each line.

    Parameters
    ----------
    scale : frequency axis of the spectrum.
    shifts_ppm : line positions in ppm, any shape.
    widths_hz : Lorentzian FWHM in Hz, broadcastable to ``shifts_ppm``.

    Returns
    -------
    complex array of the broadcast shape, ``log z`` per line.
    """
    offset_hz = scale.ppm_to_hz_offset(shifts_ppm)
    return (2j * np.pi * offset_hz - np.pi * np.asarray(widths_hz, dtype=float)) / scale.sw_hz


def _powers(log_z: np.ndarray, exponents: np.ndarray) -> np.ndarray:
    """``z ** e`` for every spectrum, exponent and line: ``(batch, lines)`` -> ``(batch, e, lines)``."""
    return np.exp(log_z[:, None, :] * exponents[None, :, None])


def simulate_fids(shifts_ppm: np.ndarray, amplitudes: np.ndarray, widths_hz: np.ndarray | float,
                  scale: PPMScale, n_points: int | None = None) -> np.ndarray:
    """Noise-free FIDs of many spectra at once, each a sum of damped complex exponentials.

    The ``n`` time points are factorised as ``k = a * nb + b``, so that
    ``fid[a, b] = sum_l (A_l z_l^(a nb)) z_l^b`` is one batched contraction (``numpy.einsum``
    over the line axis) of two small tables of powers per chunk of spectra: exact, no recursion,
    and no BLAS threads to compete with other processes.

    Parameters
    ----------
    shifts_ppm : line positions in ppm, shape ``(n_lines,)`` or ``(batch, n_lines)``; pad
        spectra with fewer lines with any finite shift and amplitude 0 (NaN shifts are
        accepted for padding when their amplitude is 0).
    amplitudes : line amplitudes (real, or complex to carry a phase), same shape.
    widths_hz : Lorentzian FWHM in Hz, scalar or same shape.
    scale : frequency axis (its ``size`` is the number of points unless ``n_points`` is given).
    n_points : number of complex time points (default ``scale.size``).

    Returns
    -------
    complex128 array, shape ``(n_points,)`` or ``(batch, n_points)``.
    """
    n = scale.size if n_points is None else int(n_points)
    shifts = np.asarray(shifts_ppm, dtype=float)
    amps = np.asarray(amplitudes)
    single = shifts.ndim == 1
    shifts, amps = np.atleast_2d(shifts), np.atleast_2d(amps)
    widths = np.broadcast_to(np.asarray(widths_hz, dtype=float), shifts.shape)
    shifts = np.where(amps == 0, scale.carrier_ppm, shifts)
    log_z = log_poles(scale, shifts, widths)
    nb = 1 << int(np.ceil(np.log2(max(np.sqrt(n), 1.0))))
    na = -(-n // nb)
    inner = np.arange(nb, dtype=float)
    outer = np.arange(na, dtype=float) * nb
    out = np.empty((shifts.shape[0], n), dtype=complex)
    for start in range(0, shifts.shape[0], _CHUNK):
        part = slice(start, start + _CHUNK)
        left = amps[part, None, :] * _powers(log_z[part], outer)      # (c, na, L)
        right = _powers(log_z[part], inner)                            # (c, nb, L)
        block = np.einsum("bal,bcl->bac", left, right)                 # (c, na, nb)
        out[part] = block.reshape(block.shape[0], na * nb)[:, :n]
    return out[0] if single else out


def line_values(points: np.ndarray, shifts_ppm: np.ndarray, widths_hz: np.ndarray | float,
                scale: PPMScale) -> np.ndarray:
    """Complex spectrum value of unit-amplitude lines at fractional points (closed form).

    Parameters
    ----------
    points : fractional point indices, shape ``(n_points,)``.
    shifts_ppm : line positions, shape ``(n_lines,)``.
    widths_hz : FWHM in Hz, scalar or shape ``(n_lines,)``.
    scale : the axis (its ``size`` is the FID length).

    Returns
    -------
    complex array ``(n_points, n_lines)``: multiply by the amplitudes and sum over lines to get
    the spectrum :func:`~shiftnet.spectra.fourier.fid_to_spectrum` would give at those points.
    """
    n = scale.size
    log_z = log_poles(scale, np.asarray(shifts_ppm, dtype=float), widths_hz)
    theta = 2.0 * np.pi * (np.asarray(points, dtype=float) - n / 2.0) / n
    log_q = log_z[None, :] + 1j * theta[:, None]
    q = np.exp(log_q)
    return (1.0 - np.exp(n * log_q)) / (1.0 - q) - (1.0 - FIRST_POINT_SCALE)

