"""Data containers for spectra and the one place where ppm / Hz / point arithmetic lives.

Conventions
-----------
* The last array axis is the direct dimension; a 2D array is ``(n_f1, n_f2)``.
* Point ``0`` is the high-ppm (left) end of a frequency axis, as spectra are displayed:
  ``ppm(i) = carrier_ppm + sw_ppm / 2 - i * sw_ppm / n`` (the same as nmrglue's
  ``unit_conversion``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class PPMScale:
    """Conversions between points, ppm and Hz along one frequency axis.

    Parameters
    ----------
    size : number of (real) points of the frequency axis.
    sw_hz : spectral width in Hz.
    obs_mhz : spectrometer (observe) frequency of this nucleus in MHz.
    carrier_ppm : ppm at the centre of the axis.
    """

    size: int
    sw_hz: float
    obs_mhz: float
    carrier_ppm: float

    @property
    def sw_ppm(self) -> float:
        """Spectral width in ppm."""
        return self.sw_hz / self.obs_mhz

    @property
    def hz_per_point(self) -> float:
        """Digital resolution in Hz per point."""
        return self.sw_hz / self.size

    @property
    def ppm_per_point(self) -> float:
        """Digital resolution in ppm per point."""
        return self.sw_ppm / self.size

    @property
    def first_ppm(self) -> float:
        """ppm of point 0 (the left, high-ppm end)."""
        return self.carrier_ppm + self.sw_ppm / 2.0

    def ppm_axis(self) -> np.ndarray:
        """ppm of every point, shape ``(size,)``, decreasing."""
        return self.first_ppm - np.arange(self.size) * self.ppm_per_point

    def hz_axis(self) -> np.ndarray:
        """Offset from 0 ppm in Hz of every point, shape ``(size,)``."""
        return self.ppm_axis() * self.obs_mhz

    def ppm_to_point(self, ppm: float | np.ndarray) -> float | np.ndarray:
        """Fractional point index of a ppm value (not rounded, not clipped)."""
        return (self.first_ppm - np.asarray(ppm, dtype=float)) / self.ppm_per_point

    def point_to_ppm(self, point: float | np.ndarray) -> float | np.ndarray:
        """ppm of a (fractional) point index."""
        return self.first_ppm - np.asarray(point, dtype=float) * self.ppm_per_point

    def hz_to_points(self, hz: float | np.ndarray) -> float | np.ndarray:
        """A width or distance in Hz expressed in points."""
        return np.asarray(hz, dtype=float) / self.hz_per_point

    def ppm_to_hz_offset(self, ppm: float | np.ndarray) -> float | np.ndarray:
        """Frequency offset from the carrier in Hz (positive = higher ppm)."""
        return (np.asarray(ppm, dtype=float) - self.carrier_ppm) * self.obs_mhz

    def with_size(self, size: int) -> "PPMScale":
        """The same window sampled with another number of points (e.g. after zero-filling)."""
        return PPMScale(size=size, sw_hz=self.sw_hz, obs_mhz=self.obs_mhz, carrier_ppm=self.carrier_ppm)

    @classmethod
    def from_ppm_axis(cls, ppm: np.ndarray, obs_mhz: float) -> "PPMScale":
        """Rebuild the scale from an evenly spaced, decreasing ppm axis."""
        ppm = np.asarray(ppm, dtype=float)
        if ppm.ndim != 1 or ppm.size < 2:
            raise ValueError("a ppm axis needs at least two points in a 1D array")
        step = (ppm[0] - ppm[-1]) / (ppm.size - 1)
        sw_ppm = step * ppm.size
        carrier = ppm[0] - sw_ppm / 2.0
        return cls(size=ppm.size, sw_hz=sw_ppm * obs_mhz, obs_mhz=obs_mhz, carrier_ppm=carrier)


#: Quadrature modes of an indirect dimension, canonical spellings (see :mod:`.fourier`).
QUADRATURE_MODES = ("QF", "QSEQ", "TPPI", "States", "States-TPPI", "Echo-Antiecho")
_QUADRATURE_KEYS = {m.lower().replace("-", "").replace("_", ""): m for m in QUADRATURE_MODES}


def canonical_quadrature(mode: str) -> str:
    """The canonical spelling of an F1 quadrature mode (``"states"`` -> ``"States"``,
    ``"echo_antiecho"`` -> ``"Echo-Antiecho"``); ValueError for an unknown mode."""
    key = str(mode).lower().replace("-", "").replace("_", "").replace(" ", "")
    if key not in _QUADRATURE_KEYS:
        raise ValueError(f"unknown F1 quadrature mode {mode!r}; use one of {', '.join(QUADRATURE_MODES)}")
    return _QUADRATURE_KEYS[key]


@dataclass
class FID:
    """Complex time-domain data with its acquisition parameters, in the one FID convention.

    The convention (rotation, F1 row layout, first-point weight) is stated in
    :mod:`shiftnet.spectra.fourier`; readers convert vendor data to it, so nothing downstream
    needs to know where the data came from.

    Attributes
    ----------
    data : complex array, shape ``(n,)`` for 1D or ``(n_rows_f1, n_f2)`` for 2D (last axis
        direct; F1 rows as ``quadrature_f1`` says).
    nucleus : nucleus per axis, e.g. ``("13C",)`` or ``("13C", "1H")``.
    obs_mhz : spectrometer frequency per axis in MHz.
    sw_hz : spectral width per axis in Hz.
    carrier_ppm : carrier (centre of the window) per axis in ppm.
    source : file or directory the data came from (None for simulated data).
    meta : format-specific parameters (nmrglue's dictionary, pulse program, solvent, ...).
    quadrature_f1 : 2D only: F1 quadrature mode, one of :data:`QUADRATURE_MODES` (other
        spellings are normalised); None for 1D (a 2D FID without one is taken as ``"QF"``).
    group_delay : digital-filter group delay of the direct dimension in complex points (Bruker
        ``GRPDLY``); 0 when the data start at t = 0.
    """

    data: np.ndarray
    nucleus: tuple[str, ...]
    obs_mhz: tuple[float, ...]
    sw_hz: tuple[float, ...]
    carrier_ppm: tuple[float, ...]
    source: Path | None = None
    meta: dict = field(default_factory=dict)
    quadrature_f1: str | None = None
    group_delay: float = 0.0

    def __post_init__(self) -> None:
        if self.quadrature_f1 is None and np.ndim(self.data) == 2:
            self.quadrature_f1 = "QF"
        if self.quadrature_f1 is not None:
            self.quadrature_f1 = canonical_quadrature(self.quadrature_f1)
        self.group_delay = float(self.group_delay)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def scale(self, axis: int = -1, size: int | None = None) -> PPMScale:
        """The :class:`PPMScale` of one axis, for ``size`` points (default: this axis' length)."""
        n = self.data.shape[axis] if size is None else size
        return PPMScale(size=n, sw_hz=self.sw_hz[axis], obs_mhz=self.obs_mhz[axis],
                        carrier_ppm=self.carrier_ppm[axis])


@dataclass
class Spectrum:
    """Real frequency-domain data with its ppm axes.

    Build one directly from arrays: ``Spectrum(data=y, ppm=x, nucleus="13C", obs_mhz=125.7)``.

    Attributes
    ----------
    data : real array, shape ``(n,)`` or ``(n_f1, n_f2)``; point 0 is the high-ppm end.
    ppm : 1D: the ppm axis, shape ``(n,)``; 2D: a tuple ``(ppm_f1, ppm_f2)``.
    nucleus : nucleus, or one per axis for 2D (a single string is accepted for 1D).
    obs_mhz : spectrometer frequency in MHz, or one per axis.
    source : file or directory the data came from.
    imag : imaginary part (same shape as ``data``) when kept, else None.
    meta : processing history and format-specific parameters.
    """

    data: np.ndarray
    ppm: np.ndarray | tuple[np.ndarray, ...]
    nucleus: str | tuple[str, ...] = "1H"
    obs_mhz: float | tuple[float, ...] = 400.0
    source: Path | None = None
    imag: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data = np.asarray(self.data)
        if self.data.ndim == 1:
            self.ppm = np.asarray(self.ppm, dtype=float)
            if self.ppm.shape != self.data.shape:
                raise ValueError(f"ppm axis has shape {self.ppm.shape}, data has {self.data.shape}")
        elif self.data.ndim == 2:
            axes = tuple(np.asarray(a, dtype=float) for a in self.ppm)
            if len(axes) != 2 or tuple(a.size for a in axes) != self.data.shape:
                raise ValueError(f"2D data of shape {self.data.shape} needs two ppm axes of matching sizes")
            self.ppm = axes
        else:
            raise ValueError(f"Spectrum data must be 1D or 2D, got {self.data.ndim} dimensions")

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def _axis_param(self, value, axis: int):
        return value[axis] if isinstance(value, tuple) else value

    def scale(self, axis: int = -1) -> PPMScale:
        """The :class:`PPMScale` of one axis (built from its ppm array)."""
        ppm = self.ppm if self.ndim == 1 else self.ppm[axis]
        return PPMScale.from_ppm_axis(ppm, float(self._axis_param(self.obs_mhz, axis)))


def as_spectrum(spectrum: Spectrum | np.ndarray, ppm: np.ndarray | None = None, **kwargs) -> Spectrum:
    """Accept a :class:`Spectrum` or a plain array (with an optional ppm axis) and return a Spectrum.

    A plain 1D array without ``ppm`` gets a point-index axis (``ppm = n-1 .. 0``), which keeps
    the point arithmetic valid for code that only needs positions in points.
    """
    if isinstance(spectrum, Spectrum):
        return spectrum
    data = np.asarray(spectrum)
    if ppm is None:
        if data.ndim == 1:
            ppm = np.arange(data.size, dtype=float)[::-1].copy()
        else:
            ppm = tuple(np.arange(n, dtype=float)[::-1].copy() for n in data.shape)
    return Spectrum(data=data, ppm=ppm, **kwargs)


def real_data(x: Spectrum | np.ndarray, task: str, min_points: int = 3, min_rows: int = 1) -> np.ndarray:
    """The real data of a Spectrum or array for ``task`` (e.g. "peak picking"), as float64
    ``(n,)`` or ``(rows, n)``.

    Raises ``ValueError`` saying what is wrong: complex, not numbers, not 1D/2D, fewer than
    ``min_points`` points per row (or ``min_rows`` rows), NaN or infinite values.
    """
    data = np.asarray(x.data if isinstance(x, Spectrum) else x)
    if np.iscomplexobj(data):
        raise ValueError(f"complex data: {task} needs the real part of a phased spectrum (spectrum.real)")
    if not np.issubdtype(data.dtype, np.number) or data.dtype == bool:
        raise ValueError(f"spectrum data must be real numbers, got dtype {data.dtype}")
    if data.ndim not in (1, 2):
        raise ValueError(f"{task} needs a 1D or 2D spectrum, got {data.ndim} dimensions")
    if data.size == 0 or data.shape[-1] < min_points or (data.ndim == 2 and data.shape[0] < min_rows):
        raise ValueError(f"spectrum too small for {task}: shape {data.shape} "
                         f"(at least {min_points} points per row)")
    if not np.all(np.isfinite(data)):
        raise ValueError(f"spectrum holds {int((~np.isfinite(data)).sum())} NaN or infinite values")
    return data.astype(np.float64)
