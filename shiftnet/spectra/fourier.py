"""The FID convention and the one Fourier-transform pair used by processing and simulation.

Convention (every :class:`~shiftnet.spectra.core.FID` in memory)
---------------------------------------------------------------
* **Rotation.** A line ``f`` Hz above the carrier (higher ppm) rotates as ``exp(+2 pi i f t)``
  in every dimension. Raw Bruker, NMRPipe and JCAMP-DX data already do; Varian/Agilent data
  rotate the other way and are conjugated on read (:func:`reverse_rotation`).
* **Indirect dimension** (2D, axis 0): ``"States"`` / ``"States-TPPI"`` rows ``2k, 2k+1`` are
  the cosine- and sine-modulated t1 increment ``k`` (``cos + i sin = exp(+2 pi i f1 t1)``);
  ``"Echo-Antiecho"`` rows are echo and anti-echo, combined as ``cos = E + A``,
  ``sin = i (A - E)``. ``"QF"`` (phase-modulated, magnitude mode) rows carry the echo-type
  modulation ``exp(-2 pi i f1 t1)`` that Bruker and Varian gradient experiments record; it
  cannot be reversed point by point, so the F1 transform of QF data takes the conjugate
  (:func:`shiftnet.spectra.process2d.process_2d`).
* **Transform.** :func:`fid_to_spectrum` scales the first point by ``first_point`` (default
  :data:`FIRST_POINT_SCALE`, which removes the baseline offset of a discrete transform) and
  orders the result so that point ``i`` lies ``sw/2 - i*sw/n`` Hz from the carrier (point 0
  at the high-ppm end, as :class:`~shiftnet.spectra.core.PPMScale` expects). This is NMRPipe's
  (positive-exponent) transform, nmrglue's ``proc_base.fft_positive``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FIRST_POINT_SCALE", "fid_to_spectrum", "spectrum_to_fid", "reverse_rotation"]

#: Default weight of the first FID point in the forward transform.
FIRST_POINT_SCALE = 0.5


def _order(n: int) -> np.ndarray:
    """Point ``i`` <- DFT bin ``(n/2 - i) mod n`` (an involution: its own inverse)."""
    return (n // 2 - np.arange(n)) % n


def fid_to_spectrum(fid: np.ndarray, axis: int = -1, first_point: float = FIRST_POINT_SCALE) -> np.ndarray:
    """Complex spectrum of a FID along one axis, point 0 at the high-ppm end.

    Parameters
    ----------
    fid : complex array, time along ``axis`` (``n`` points, dwell ``1/sw_hz``).
    axis : the time axis.
    first_point : factor of the first time point (1.0 after removing a digital-filter delay,
        whose first point already carries half the step).

    Returns
    -------
    complex array of the same shape; along ``axis`` point ``i`` lies ``sw/2 - i*sw/n`` Hz
    from the carrier.
    """
    data = np.moveaxis(np.array(fid, dtype=complex, copy=True), axis, -1)
    data[..., 0] *= first_point
    spec = np.fft.fft(data, axis=-1)[..., _order(data.shape[-1])]
    return np.moveaxis(spec, -1, axis)


def spectrum_to_fid(spectrum: np.ndarray, axis: int = -1, first_point: float = FIRST_POINT_SCALE) -> np.ndarray:
    """Exact inverse of :func:`fid_to_spectrum` (same ``axis`` and ``first_point``).

    Parameters
    ----------
    spectrum : complex array, frequency along ``axis`` (point 0 at the high-ppm end).

    Returns
    -------
    complex FID of the same shape.
    """
    data = np.moveaxis(np.asarray(spectrum, dtype=complex), axis, -1)
    fid = np.fft.ifft(data[..., _order(data.shape[-1])], axis=-1)
    fid[..., 0] /= first_point
    return np.moveaxis(fid, -1, axis)


def reverse_rotation(data: np.ndarray, direct: bool, indirect: bool, quadrature: str | None) -> np.ndarray:
    """Reverse the sense of rotation of a FID per dimension (its own inverse).

    Readers use it to bring vendor data to the convention, writers to give it back.

    Parameters
    ----------
    data : complex FID, shape ``(n,)`` or ``(rows, n2)`` with F1 rows as described above.
    direct : reverse the direct dimension (complex conjugate of every point).
    indirect : reverse F1: negate the sine rows (States, States-TPPI), swap echo and anti-echo
        rows (Echo-Antiecho); not possible for QF data (raises ValueError).
    quadrature : F1 quadrature mode (canonical spelling) of 2D data, None for 1D.

    Returns
    -------
    complex array of the same shape (a new array).
    """
    out = np.array(data, dtype=complex, copy=True)
    if direct:
        out = np.conj(out)
    if indirect:
        if quadrature in ("States", "States-TPPI"):
            out[1::2] *= -1
        elif quadrature == "Echo-Antiecho":
            out[0::2], out[1::2] = out[1::2].copy(), out[0::2].copy()
        else:
            raise ValueError(f"the F1 rotation of {quadrature!r} data cannot be reversed point by point")
    return out
