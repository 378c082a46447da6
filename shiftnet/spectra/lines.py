"""Vectorised Lorentzian lines: analytic FIDs, their spectra, and exact label values.

A line ``l`` with amplitude ``A`` (complex: magnitude and phase), offset ``f`` Hz from the carrier
(positive = higher ppm) and full width at half maximum ``w`` Hz is the sampled damped exponential

    s_k = A z^k,   z = exp((-2 pi i f - pi w) / sw_hz),   k = 0 .. n - 1.

The sign of the rotation follows Bruker / nmrglue data, so that ``fftshift(fft(fid))`` (nmrglue's
``proc_base.fft``) puts point 0 at the high-ppm end as :class:`~shiftnet.spectra.core.PPMScale`
expects. The spectrum is that transform after halving the first FID point (which removes the
baseline offset of a discrete transform); its value at any fractional point ``x`` is the closed
geometric sum

    S(x) = A [(1 - q^n) / (1 - q) - 1/2],   q = z exp(-2 pi i (x - n/2) / n),

which is what :func:`line_values` evaluates to label heights exactly (FID truncation included).
"""

from __future__ import annotations

import numpy as np

from .core import PPMScale

#: Weight of the first FID point in the Fourier transform.
FIRST_POINT_SCALE = 0.5
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
    return (-2j * np.pi * offset_hz - np.pi * np.asarray(widths_hz, dtype=float)) / scale.sw_hz


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


def fid_to_spectrum(fid: np.ndarray, axis: int = -1) -> np.ndarray:
    """Complex spectrum of a FID along one axis: first point halved, ``fftshift(fft(.))``.

    Parameters
    ----------
    fid : complex array, time along ``axis``.
    axis : the time axis.

    Returns
    -------
    complex array of the same shape; point 0 is the high-ppm end.
    """
    data = np.moveaxis(np.array(fid, dtype=complex, copy=True), axis, -1)
    data[..., 0] *= FIRST_POINT_SCALE
    spec = np.fft.fftshift(np.fft.fft(data, axis=-1), axes=-1)
    return np.moveaxis(spec, -1, axis)


def spectrum_to_fid(spectrum: np.ndarray, axis: int = -1) -> np.ndarray:
    """Exact inverse of :func:`fid_to_spectrum` (used to put a baseline into a FID)."""
    data = np.moveaxis(np.asarray(spectrum, dtype=complex), axis, -1)
    fid = np.fft.ifft(np.fft.ifftshift(data, axes=-1), axis=-1)
    fid[..., 0] /= FIRST_POINT_SCALE
    return np.moveaxis(fid, -1, axis)


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
    the spectrum :func:`fid_to_spectrum` would give at those points.
    """
    n = scale.size
    log_z = log_poles(scale, np.asarray(shifts_ppm, dtype=float), widths_hz)
    theta = 2.0 * np.pi * (np.asarray(points, dtype=float) - n / 2.0) / n
    log_q = log_z[None, :] - 1j * theta[:, None]
    q = np.exp(log_q)
    return (1.0 - np.exp(n * log_q)) / (1.0 - q) - (1.0 - FIRST_POINT_SCALE)


def noise_sigma(spectrum_sigma: float, n_points: int) -> float:
    """Per-component std of white complex FID noise giving ``spectrum_sigma`` in the real spectrum.

    The real part of the transform sums ``n - 1`` unit-weight points and the halved first point,
    so its variance is ``sigma_t^2 (n - 1 + FIRST_POINT_SCALE^2)``.
    """
    return spectrum_sigma / np.sqrt(n_points - 1 + FIRST_POINT_SCALE**2)
