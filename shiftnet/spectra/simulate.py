"""Simulated 1D 13C / 1H and 2D HSQC spectra with exact labels.

Every signal is a sum of Lorentzian lines simulated analytically in the time domain
(:mod:`shiftnet.spectra.lines`); the processed spectrum is its Fourier transform, and each label
(position in ppm and in fractional points, height, width, source atoms) is computed in closed
form, so that the clean spectrum's value at a label's point *is* the label's height.

Example
-------
>>> from shiftnet import spectra
>>> sim = spectra.simulate([20.0, 60.0, 128.5], nucleus="13C", n_points=8192, seed=0)
>>> sim.peaks[["shift_ppm", "index", "height"]]  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import sys
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .core import FID, PPMScale, Spectrum
from .fourier import fid_to_spectrum, spectrum_to_fid
from .lines import line_values, log_poles, simulate_fids
from .multiplets import multiplicity
from .spinsystem import spin_system_lines
from .noise import fid_noise_for_spectrum_sigma

if TYPE_CHECKING:  # RDKit is imported only when a structure is simulated
    from rdkit import Chem
from ..solvents import Signal, impurity_signals, solvent_signals

NUCLEI = ("13C", "1H", "HSQC")
#: 13C / 1H frequency ratio (IUPAC Xi values, TMS references).
C_H_RATIO = 0.25145020
#: Shifts closer than this (ppm) are one signal (symmetry-equivalent nuclei).
SAME_SHIFT_PPM = 1e-6
_DEFAULTS: dict[str, dict[str, Any]] = {
    "13C": dict(obs_mhz=125.7, n_points=32768, sw_ppm=240.0, carrier_ppm=110.0, linewidth_hz=1.0),
    "1H": dict(obs_mhz=500.0, n_points=32768, sw_ppm=16.0, carrier_ppm=5.5, linewidth_hz=0.8),
    "HSQC": dict(obs_mhz=500.0, n_points=(256, 2048), sw_ppm=(165.0, 12.0), carrier_ppm=(75.0, 5.0),
                 linewidth_hz=(80.0, 5.0)),
}
_SIGNAL_COLUMNS = ["shift_ppm", "n_nuclei", "multiplicity", "j_hz", "atom_indices", "source", "name"]


@dataclass
class SimulatedSpectrum:
    """A simulated spectrum, its FID and its exact labels.

    Attributes
    ----------
    fid : time-domain data with every requested error (noise, phase, baseline). 1D: complex
        ``(n,)``; HSQC: ``(2 n_f1, n_f2)`` with States-interleaved cosine/sine t1 rows
        (``fid.quadrature_f1 == "States"``), 13C on f1, 1H on f2; the FID convention of
        :mod:`shiftnet.spectra.fourier`, as every FID read from a file.
    spectrum : real part of its Fourier transform (imaginary part kept for 1D); what a
        pipeline without phase or baseline correction would show.
    clean : the noise-free, phased, baseline-free spectrum the labels describe.
    peaks : one row per line. 1D columns ``shift_ppm, index`` (fractional point), ``height``
        (value of ``clean`` there), ``width_hz`` (Lorentzian FWHM), ``amplitude`` (nuclei
        units), ``signal`` (row of ``signals``), ``source`` ("sample", "solvent", "impurity"),
        ``atom_indices`` (tuple of the input's atom indices; list positions for shift-list
        input). HSQC: ``shift_ppm_f1, shift_ppm_f2, index_f1, index_f2, height, width_hz_f1,
        width_hz_f2, amplitude, source, atom_indices`` (carbons), ``h_indices``.
    signals : 1D only: one row per chemical-shift group (multiplet): ``shift_ppm, index,
        n_nuclei, multiplicity, j_hz, atom_indices, source, name``.
    params : the acquisition parameters used (defaults resolved), including ``noise_sigma``
        (std of the noise in ``spectrum``, 0 without noise).
    """

    fid: FID
    spectrum: Spectrum
    clean: Spectrum
    peaks: pd.DataFrame
    signals: pd.DataFrame
    params: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- validation

def _check_nucleus(nucleus: str) -> str:
    if nucleus not in NUCLEI:
        raise ValueError(f"unknown nucleus {nucleus!r}; use one of {', '.join(NUCLEI)}")
    return nucleus


def _as_pair(value: Any, name: str, dims: int) -> tuple[float, ...]:
    values = tuple(np.atleast_1d(np.asarray(value, dtype=float)).tolist())
    if len(values) == 1:
        values = values * dims
    if len(values) != dims:
        raise ValueError(f"{name} needs {dims} value(s), got {value!r}")
    return values


def _check_positive(values: tuple[float, ...], name: str) -> None:
    if not all(np.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"{name} must be positive and finite, got {values}")


def _check_points(values: tuple[float, ...]) -> tuple[int, ...]:
    if not all(float(v).is_integer() and v >= 8 and int(v) % 2 == 0 for v in values):
        raise ValueError(f"n_points must be even integers >= 8, got {values}")
    return tuple(int(v) for v in values)


def _acquisition(nucleus: str, obs_mhz, n_points, sw_ppm, carrier_ppm, linewidth_hz) -> dict:
    """Resolve defaults and validate; return per-axis tuples (f1 first for HSQC)."""
    defaults = _DEFAULTS[nucleus]
    dims = 2 if nucleus == "HSQC" else 1
    pick = lambda value, key: defaults[key] if value is None else value  # noqa: E731
    acq = {key: _as_pair(pick(val, key), key, dims) for key, val in
           dict(n_points=n_points, sw_ppm=sw_ppm, carrier_ppm=carrier_ppm, linewidth_hz=linewidth_hz).items()}
    obs = float(pick(obs_mhz, "obs_mhz"))
    _check_positive((obs,), "obs_mhz")
    _check_positive(acq["sw_ppm"], "sw_ppm")
    _check_positive(acq["linewidth_hz"], "linewidth_hz")
    if not all(np.isfinite(acq["carrier_ppm"])):
        raise ValueError(f"carrier_ppm must be finite, got {acq['carrier_ppm']}")
    acq["n_points"] = _check_points(acq["n_points"])
    acq["obs_mhz"] = (obs * C_H_RATIO, obs) if dims == 2 else (obs,)
    return acq


def _scales(acq: dict) -> list[PPMScale]:
    return [PPMScale(size=n, sw_hz=sw * mhz, obs_mhz=mhz, carrier_ppm=car) for n, sw, mhz, car in
            zip(acq["n_points"], acq["sw_ppm"], acq["obs_mhz"], acq["carrier_ppm"])]


def _check_shifts(shifts: np.ndarray, scale: PPMScale, what: str) -> None:
    if not np.all(np.isfinite(shifts)):
        raise ValueError(f"{what} shifts must be finite numbers, got {shifts[~np.isfinite(shifts)]}")
    low, high = scale.point_to_ppm(scale.size), scale.first_ppm
    outside = shifts[(shifts <= low) | (shifts > high)]
    if outside.size:
        raise ValueError(f"{what} shift(s) {outside.round(3).tolist()} ppm lie outside the spectral "
                         f"window ({low:.2f}, {high:.2f}] ppm; widen sw_ppm or move carrier_ppm")


# ----------------------------------------------------------------------------- signals and lines

def _spin_tables(shifts_ppm: np.ndarray, atom_indices: Sequence[int], couplings: Sequence[tuple[int, int, float]],
                 obs_mhz: float, roofing: bool, second_order: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Signals and lines of a set of spins (one nucleus each).

    Spins with the same shift form one signal and do not couple among themselves. Strongly
    coupled clusters are solved exactly (:mod:`.spinsystem`), the rest first order.

    Parameters
    ----------
    shifts_ppm : shift per spin, shape ``(n,)``.
    atom_indices : atom index per spin, length ``n``.
    couplings : ``(spin_i, spin_j, J_hz)`` with spin positions ``0 .. n-1``.
    obs_mhz : observe frequency (converts J to ppm).
    roofing : lean first-order multiplet intensities toward coupling partners.
    second_order : exact lines for strongly coupled clusters.

    Returns
    -------
    signals : columns :data:`_SIGNAL_COLUMNS`, sorted by decreasing shift.
    lines : columns ``shift_ppm, amplitude, signal, atom_indices, source``.
    """
    keys, group = np.unique(-np.round(shifts_ppm / SAME_SHIFT_PPM), return_inverse=True)
    group = group.ravel()
    partners: list[list[float]] = [[] for _ in shifts_ppm]
    for i, j, j_hz in couplings:
        if group[i] != group[j]:
            partners[i].append(j_hz)
            partners[j].append(j_hz)
    signals = []
    for g in range(keys.size):
        members = np.flatnonzero(group == g)
        j_rep = partners[members[0]]
        signals.append([float(shifts_ppm[members[0]]), members.size, multiplicity(j_rep),
                        tuple(sorted(j_rep, key=abs, reverse=True)),
                        tuple(sorted(int(atom_indices[m]) for m in members)), "sample", ""])
    lines = spin_system_lines(np.asarray(shifts_ppm, float) * obs_mhz, list(couplings), group, roofing, second_order)
    parts = [(np.full(off.size, g), off, w, np.full(off.size, int(atom_indices[spin]))) for g, off, w, spin in lines]
    shifts = np.array([row[0] for row in signals])
    return pd.DataFrame(signals, columns=_SIGNAL_COLUMNS), _merge_lines(parts, shifts, obs_mhz)


def _merge_lines(parts: list[tuple[np.ndarray, ...]], signal_shifts: np.ndarray, obs_mhz: float) -> pd.DataFrame:
    """One line per (signal, offset): amplitudes summed, source atoms united.

    ``parts`` holds ``(signal, offset_hz, weight, atom)`` arrays per spin; ``signal_shifts[g]``
    is the shift of signal ``g`` (any member's).
    """
    signal, offset, weight, atom = (np.concatenate(column) for column in zip(*parts))
    keys = np.stack([signal, np.round(offset * 1e6).astype(np.int64)], axis=1)
    unique, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    atoms: list[set] = [set() for _ in range(len(unique))]
    for line, a in zip(inverse.tolist(), atom.tolist()):
        atoms[line].add(a)
    sig = unique[:, 0]
    return pd.DataFrame({"signal": sig, "shift_ppm": signal_shifts[sig] + offset[first] / obs_mhz,
                         "amplitude": np.bincount(inverse, weights=weight),
                         "atom_indices": [tuple(sorted(a)) for a in atoms], "source": "sample"})


def _reference_tables(refs: list[Signal], source: str, obs_mhz: float,
                      first_signal: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Signals and lines of solvent / impurity signals (multiplets from their line patterns)."""
    names = {1: "s", 3: "t", 5: "quint", 7: "sept"}
    signals, lines = [], []
    for pos, ref in enumerate(refs):
        pattern = np.asarray(ref.pattern, dtype=float) / np.sum(ref.pattern)
        offsets_ppm = (np.arange(pattern.size) - (pattern.size - 1) / 2) * ref.j_hz / obs_mhz
        j_hz = (ref.j_hz,) if pattern.size > 1 else ()
        signals.append([ref.shift_ppm, 0, names.get(pattern.size, "m"), j_hz, (), source, ref.name])
        lines += [(first_signal + pos, ref.shift_ppm + o, ref.intensity * w, (), source)
                  for o, w in zip(offsets_ppm, pattern)]
    return (pd.DataFrame(signals, columns=_SIGNAL_COLUMNS),
            pd.DataFrame(lines, columns=["signal", "shift_ppm", "amplitude", "atom_indices", "source"]))


def _add_references(signals: pd.DataFrame, lines: pd.DataFrame, nucleus: str, obs_mhz: float,
                    solvent: str | None, solvent_intensity: float,
                    impurities: Sequence) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Append solvent and impurity signals and lines, then sort both by shift."""
    for source, refs in (("solvent", solvent_signals(solvent, nucleus, solvent_intensity) if solvent else []),
                         ("impurity", impurity_signals(list(impurities), nucleus))):
        if refs:
            extra_s, extra_l = _reference_tables(refs, source, obs_mhz, len(signals))
            signals = pd.concat([signals, extra_s], ignore_index=True)
            lines = pd.concat([lines, extra_l], ignore_index=True)
    return _sort_signals(signals, lines)


def _sort_signals(signals: pd.DataFrame, lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Order signals by decreasing shift and lines by decreasing shift, remapping ``signal``."""
    order = np.argsort(-signals["shift_ppm"].to_numpy(), kind="stable")
    remap = np.empty(order.size, dtype=int)
    remap[order] = np.arange(order.size)
    signals = signals.iloc[order].reset_index(drop=True)
    lines = lines.assign(signal=remap[lines["signal"].to_numpy(dtype=int)])
    lines = lines.sort_values(["shift_ppm", "signal"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return signals, lines


# ----------------------------------------------------------------------------- sources

def _is_structure(source: Any) -> bool:
    """SMILES, RDKit Mol (only possible once RDKit is loaded) or a prediction result."""
    if isinstance(source, str) or (hasattr(source, "mol") and hasattr(source, "shifts")):
        return True
    chem = sys.modules.get("rdkit.Chem")
    return chem is not None and isinstance(source, chem.Mol)


def _predicted(source: Any, nuclei: tuple[str, ...], solvent: str | None) -> tuple[Chem.Mol, pd.DataFrame]:
    """``(mol, shift table)`` of a structure: a prediction result as is, else ``shiftnet.predict``."""
    if not (hasattr(source, "mol") and hasattr(source, "shifts")):
        from shiftnet import predict
        source = predict([source], nuclei=nuclei, solvent=solvent)[0]
    if not getattr(source, "ok", True) or source.mol is None or source.shifts is None:
        raise ValueError(f"no predicted shifts to simulate from: {getattr(source, 'error', 'prediction failed')}")
    return source.mol, source.shifts


def _structure_spins(mol: Chem.Mol, table: pd.DataFrame, nucleus: str, long_range: bool,
                     j_rng: np.random.Generator | None) -> tuple[np.ndarray, np.ndarray, list]:
    """Shifts, atom indices and couplings (spin positions) of one nucleus from a shift table."""
    rows = table[table["nucleus"] == nucleus]
    if rows.empty:
        raise ValueError(f"the shift table has no {nucleus} rows")
    atoms = rows["atom_index"].to_numpy(dtype=int)
    shifts = rows["shift_ppm"].to_numpy(dtype=float)
    if nucleus != "1H":
        return shifts, atoms, []
    from .couplings import estimate_couplings
    exchangeable = rows.loc[rows["exchangeable"].astype(bool), "atom_index"].to_numpy(dtype=int)
    position = {int(a): p for p, a in enumerate(atoms)}
    couplings = [(position[c.h1], position[c.h2], c.j_hz)
                 for c in estimate_couplings(mol, exchangeable, long_range=long_range, rng=j_rng)
                 if c.h1 in position and c.h2 in position]
    return shifts, atoms, couplings


def _list_spins(source: Sequence[float], couplings: Sequence | None) -> tuple[np.ndarray, np.ndarray, list]:
    shifts = np.asarray(source, dtype=float).ravel()
    if shifts.size == 0:
        raise ValueError("the shift list is empty")
    pairs = [(int(i), int(j), float(jhz)) for i, j, jhz in (couplings or ())]
    if any(not (0 <= i < shifts.size and 0 <= j < shifts.size) for i, j, _ in pairs):
        raise ValueError(f"couplings refer to spins outside 0..{shifts.size - 1}")
    return shifts, np.arange(shifts.size), pairs


def _hsqc_cross_peaks(source: Any, edited: bool, solvent: str | None) -> pd.DataFrame:
    """HSQC cross peaks ``shift_ppm_f1 (13C), shift_ppm_f2 (1H), amplitude, atom_indices, h_indices``."""
    if _is_structure(source):
        mol, table = _predicted(source, ("13C", "1H"), solvent)
        carbons = table[table["nucleus"] == "13C"].set_index("atom_index")["shift_ppm"]
        hs = table[(table["nucleus"] == "1H") & ~table["exchangeable"].astype(bool)]
        hs = hs[hs["parent_index"].isin(carbons.index)]
        pairs = pd.DataFrame({"f1": carbons.loc[hs["parent_index"]].to_numpy(), "f2": hs["shift_ppm"].to_numpy(),
                              "c": hs["parent_index"].to_numpy(dtype=int), "h": hs["atom_index"].to_numpy(dtype=int)})
        n_h = pairs.groupby("c")["h"].transform("size").to_numpy()
    else:
        arr = np.asarray(source, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
            raise ValueError("HSQC shift-list input must be a non-empty list of (1H ppm, 13C ppm) pairs")
        pairs = pd.DataFrame({"f1": arr[:, 1], "f2": arr[:, 0], "c": np.arange(len(arr)), "h": np.arange(len(arr))})
        n_h = np.ones(len(arr), dtype=int)
    pairs["sign"] = np.where(edited & (n_h == 2), -1.0, 1.0)
    pairs["k1"], pairs["k2"] = np.round(pairs["f1"] / SAME_SHIFT_PPM), np.round(pairs["f2"] / SAME_SHIFT_PPM)
    peaks = (pairs.groupby(["k1", "k2"], sort=False)
             .agg(shift_ppm_f1=("f1", "first"), shift_ppm_f2=("f2", "first"), amplitude=("sign", "sum"),
                  atom_indices=("c", lambda a: tuple(sorted(set(a)))), h_indices=("h", lambda a: tuple(sorted(a))))
             .reset_index(drop=True))
    peaks["source"] = "sample"
    return peaks.sort_values(["shift_ppm_f1", "shift_ppm_f2"], ascending=False, ignore_index=True)


# ----------------------------------------------------------------------------- rendering

def _baseline(rng: np.random.Generator, size: int, amplitude: float) -> np.ndarray:
    """Smooth random baseline: a cubic Chebyshev series scaled to max |b| = amplitude."""
    u = np.linspace(-1.0, 1.0, size)
    curve = np.polynomial.chebyshev.chebval(u, rng.normal(size=4))
    return amplitude * curve / np.abs(curve).max()


def voigt_fwhm(lorentz_hz: float, gauss_hz: float) -> float:
    """FWHM (Hz) of a Voigt line (Olivero & Longbothum 1977, within 0.02 %)."""
    return 0.5346 * lorentz_hz + float(np.sqrt(0.2166 * lorentz_hz ** 2 + gauss_hz ** 2))


def _gaussian_envelope(scale: PPMScale, gauss_hz: float) -> np.ndarray:
    """FID envelope ``(n,)`` that convolves every line with a Gaussian of FWHM ``gauss_hz``."""
    t = np.arange(scale.size) / scale.sw_hz
    return np.exp(-((np.pi * gauss_hz * t) ** 2) / (4.0 * np.log(2.0)))


def _render_1d(lines: pd.DataFrame, scale: PPMScale, width_hz: float, phase_deg: tuple[float, float],
               baseline: float, snr: float | None, rng: np.random.Generator,
               gauss_hz: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Clean FID, noisy FID, label heights and noise std of one 1D spectrum (Voigt lines when
    ``gauss_hz`` > 0)."""
    shifts = lines["shift_ppm"].to_numpy(dtype=float)
    amps = lines["amplitude"].to_numpy(dtype=float)
    clean = simulate_fids(shifts, amps, width_hz, scale)
    points = scale.ppm_to_point(shifts)
    ph0, ph1 = np.deg2rad(phase_deg)
    fid = simulate_fids(shifts, amps * np.exp(1j * (ph0 + ph1 * points / scale.size)), width_hz, scale) \
        if (ph0 or ph1) else clean.copy()
    if gauss_hz > 0:
        envelope = _gaussian_envelope(scale, gauss_hz)
        clean, fid = clean * envelope, fid * envelope
        heights = np.interp(points, np.arange(scale.size), fid_to_spectrum(clean).real)
    else:
        heights = (line_values(points, shifts, width_hz, scale) @ amps).real
    sample = lines["source"].to_numpy() == "sample"
    top = float(np.abs(heights[sample] if sample.any() else heights).max())
    if baseline:
        fid += spectrum_to_fid(_baseline(rng, scale.size, baseline * top))
    sigma = 0.0
    if snr is not None:
        sigma = top / snr
        fid += fid_noise_for_spectrum_sigma(sigma, scale.size) * (rng.normal(size=scale.size) + 1j * rng.normal(size=scale.size))
    return clean, fid, heights, sigma


def _hsqc_fid(peaks: pd.DataFrame, scales: list[PPMScale], widths: tuple[float, float]) -> np.ndarray:
    """States-interleaved hypercomplex FID ``(2 n1, n2)`` of HSQC cross peaks."""
    log1 = log_poles(scales[0], peaks["shift_ppm_f1"].to_numpy(float), widths[0])
    log2 = log_poles(scales[1], peaks["shift_ppm_f2"].to_numpy(float), widths[1])
    t1 = np.exp(np.outer(log1, np.arange(scales[0].size)))
    t2 = peaks["amplitude"].to_numpy(float)[:, None] * np.exp(np.outer(log2, np.arange(scales[1].size)))
    fid = np.empty((2 * scales[0].size, scales[1].size), dtype=complex)
    fid[0::2] = t1.real.T @ t2
    fid[1::2] = t1.imag.T @ t2
    return fid


def hsqc_spectrum(fid: np.ndarray) -> np.ndarray:
    """Pure-absorption real spectrum ``(n1, n2)`` of a States-interleaved FID ``(2 n1, n2)``."""
    direct = fid_to_spectrum(fid, axis=-1).real
    return fid_to_spectrum(direct[0::2] + 1j * direct[1::2], axis=0).real


def _hsqc_heights(peaks: pd.DataFrame, scales: list[PPMScale], widths: tuple[float, float]) -> np.ndarray:
    f1, f2 = peaks["shift_ppm_f1"].to_numpy(float), peaks["shift_ppm_f2"].to_numpy(float)
    v1 = line_values(scales[0].ppm_to_point(f1), f1, widths[0], scales[0]).real
    v2 = line_values(scales[1].ppm_to_point(f2), f2, widths[1], scales[1]).real
    return (v1 * v2) @ peaks["amplitude"].to_numpy(float)


# ----------------------------------------------------------------------------- public API

def simulate(source: Any, nucleus: str = "13C", obs_mhz: float | None = None,
             n_points: int | tuple[int, int] | None = None, sw_ppm: float | tuple[float, float] | None = None,
             linewidth_hz: float | tuple[float, float] | None = None, snr: float | None = None, seed: int | None = 0,
             *, carrier_ppm: float | tuple[float, float] | None = None, phase_deg: tuple[float, float] = (0.0, 0.0),
             baseline: float = 0.0, solvent: str | None = None, solvent_intensity: float = 1.0,
             impurities: Sequence[str | tuple[float, float]] = (), couplings: Sequence[tuple[int, int, float]] | None = None,
             long_range: bool = False, roofing: bool = True, edited: bool = False,
             j_rng: np.random.Generator | None = None, second_order: bool = True,
             gaussian_hz: float = 0.0) -> SimulatedSpectrum:
    """Simulate a 1D 13C (decoupled), 1D 1H (multiplets) or 2D HSQC spectrum.

    Parameters
    ----------
    source : a SMILES string or RDKit Mol (shifts from ``shiftnet.predict``), a prediction
        result with ``.mol`` and ``.shifts`` (used as is), or shifts in ppm: a list of floats
        for 1D (repeated values = equivalent nuclei), ``(1H ppm, 13C ppm)`` pairs for HSQC.
    nucleus : "13C", "1H" or "HSQC".
    obs_mhz : observe frequency in MHz of the nucleus (HSQC: of 1H; 13C is ``obs_mhz`` x
        :data:`C_H_RATIO`). Defaults: 125.7 (13C), 500 (1H, HSQC).
    n_points : complex points (even); HSQC ``(n_f1, n_f2)``. Default 32768; HSQC (256, 2048).
    sw_ppm : spectral width in ppm; HSQC ``(13C, 1H)``. Defaults 240, 16, (165, 12).
    linewidth_hz : Lorentzian FWHM in Hz; HSQC ``(f1, f2)``. Defaults 1.0, 0.8, (80, 5).
    snr : peak height of the tallest sample line over the std of the noise in the real
        spectrum; None for no noise.
    seed : seed of the generator for noise and baseline.
    carrier_ppm : centre of the window in ppm. Defaults 110, 5.5, (75, 5).
    phase_deg : (zero-order, first-order) phase error in degrees, nmrglue ``ps`` convention:
        ``ps(spectrum, p0=-ph0, p1=-ph1)`` undoes it (1D only).
    baseline : baseline distortion, max |b| relative to the tallest sample height (1D only).
    solvent : add residual solvent (and, in 1H, water) signals, e.g. "CDCl3", "DMSO-d6".
    solvent_intensity : intensity of each solvent signal in units of one sample nucleus.
    impurities : named impurities ("TMS", "grease", "acetone", ...) or (ppm, intensity) pairs.
    couplings : 1H shift-list input only: ``(i, j, J_hz)`` between list positions.
    long_range : structure input: add para and allylic 4J/5J couplings.
    roofing : lean first-order multiplet intensities toward coupling partners (AB weights).
    edited : HSQC: multiplicity-edited (CH2 cross peaks negative).
    j_rng : structure input: draw J values from their ranges with this generator.
    gaussian_hz : 1D: Gaussian FWHM in Hz convolved with every line (Voigt lines, as from an
        imperfect shim); the labels' ``width_hz`` is then the Voigt FWHM. 0 = Lorentzian.
    second_order : 1H: strongly coupled clusters (shift difference under 10 J, up to 10
        spins, :mod:`.spinsystem`) get their exact lines and intensities; False: all first order.

    Returns
    -------
    :class:`SimulatedSpectrum`.

    Raises
    ------
    ValueError : unknown nucleus, bad acquisition parameters, non-finite or out-of-window
        shifts, failed prediction, or HSQC with phase / baseline errors.
    """
    nucleus = _check_nucleus(nucleus)
    acq = _acquisition(nucleus, obs_mhz, n_points, sw_ppm, carrier_ppm, linewidth_hz)
    if snr is not None and not (np.isfinite(snr) and snr > 0):
        raise ValueError(f"snr must be positive (or None), got {snr}")
    rng = np.random.default_rng(seed)
    params = dict(nucleus=nucleus, snr=snr, seed=seed, phase_deg=tuple(phase_deg), baseline=baseline,
                  solvent=solvent, gaussian_hz=float(gaussian_hz),
                  **{k: (v if nucleus == "HSQC" else v[0]) for k, v in acq.items()})
    if not (np.isfinite(gaussian_hz) and gaussian_hz >= 0):
        raise ValueError(f"gaussian_hz must be >= 0, got {gaussian_hz}")
    if nucleus == "HSQC":
        if any(phase_deg) or baseline or gaussian_hz:
            raise ValueError("phase and baseline errors and Gaussian line shapes are simulated for 1D spectra only")
        params.pop("gaussian_hz")
        return _simulate_hsqc(source, acq, snr, rng, edited, solvent, params)
    return _simulate_1d(source, nucleus, acq, snr, rng, params, phase_deg, baseline, solvent, solvent_intensity,
                        impurities, couplings, long_range, roofing, j_rng, second_order)


def _simulate_1d(source, nucleus, acq, snr, rng, params, phase_deg, baseline, solvent, solvent_intensity,
                 impurities, couplings, long_range, roofing, j_rng, second_order) -> SimulatedSpectrum:
    scale = _scales(acq)[0]
    width = acq["linewidth_hz"][0]
    if _is_structure(source):
        spins = _structure_spins(*_predicted(source, (nucleus,), solvent), nucleus, long_range, j_rng)
    else:
        spins = _list_spins(source, couplings)
    _check_shifts(spins[0], scale, nucleus)
    signals, lines = _spin_tables(*spins, obs_mhz=scale.obs_mhz, roofing=roofing, second_order=second_order)
    signals, lines = _add_references(signals, lines, nucleus, scale.obs_mhz, solvent, solvent_intensity, impurities)
    _check_shifts(lines["shift_ppm"].to_numpy(float), scale, f"{nucleus} line")
    gauss = params["gaussian_hz"]
    clean, fid, heights, sigma = _render_1d(lines, scale, width, tuple(phase_deg), baseline, snr, rng, gauss)
    peaks = lines.assign(index=scale.ppm_to_point(lines["shift_ppm"].to_numpy(float)), height=heights,
                         width_hz=voigt_fwhm(width, gauss) if gauss else width)
    peaks = peaks[["shift_ppm", "index", "height", "width_hz", "amplitude", "signal", "source", "atom_indices"]]
    signals.insert(1, "index", scale.ppm_to_point(signals["shift_ppm"].to_numpy(float)))
    params["noise_sigma"] = sigma
    return SimulatedSpectrum(fid=_fid(fid, (nucleus,), [scale]), spectrum=_spectrum_1d(fid, nucleus, scale),
                             clean=_spectrum_1d(clean, nucleus, scale), peaks=peaks, signals=signals, params=params)


def _simulate_hsqc(source, acq, snr, rng, edited, solvent, params) -> SimulatedSpectrum:
    scales = _scales(acq)
    widths = acq["linewidth_hz"]
    peaks = _hsqc_cross_peaks(source, edited, solvent)
    _check_shifts(peaks["shift_ppm_f1"].to_numpy(float), scales[0], "13C (f1)")
    _check_shifts(peaks["shift_ppm_f2"].to_numpy(float), scales[1], "1H (f2)")
    clean = _hsqc_fid(peaks, scales, widths)
    heights = _hsqc_heights(peaks, scales, widths)
    fid, sigma = clean.copy(), 0.0
    if snr is not None:
        sigma = float(np.abs(heights).max()) / snr
        per_point = fid_noise_for_spectrum_sigma(sigma, [s.size for s in scales])
        fid += per_point * (rng.normal(size=fid.shape) + 1j * rng.normal(size=fid.shape))
    peaks = peaks.assign(index_f1=scales[0].ppm_to_point(peaks["shift_ppm_f1"].to_numpy(float)),
                         index_f2=scales[1].ppm_to_point(peaks["shift_ppm_f2"].to_numpy(float)),
                         height=heights, width_hz_f1=widths[0], width_hz_f2=widths[1])
    peaks = peaks[["shift_ppm_f1", "shift_ppm_f2", "index_f1", "index_f2", "height", "width_hz_f1", "width_hz_f2",
                   "amplitude", "source", "atom_indices", "h_indices"]]
    params["noise_sigma"] = sigma
    axes = tuple(s.ppm_axis() for s in scales)
    spec = lambda data: Spectrum(data=hsqc_spectrum(data), ppm=axes, nucleus=("13C", "1H"),  # noqa: E731
                                 obs_mhz=tuple(s.obs_mhz for s in scales), meta={"simulated": True})
    return SimulatedSpectrum(fid=_fid(fid, ("13C", "1H"), scales, quadrature_f1="States"), spectrum=spec(fid), clean=spec(clean), peaks=peaks,
                             signals=pd.DataFrame(columns=_SIGNAL_COLUMNS), params=params)


def _fid(data: np.ndarray, nuclei: tuple[str, ...], scales: list[PPMScale], quadrature_f1: str | None = None) -> FID:
    return FID(data=data, nucleus=nuclei, obs_mhz=tuple(s.obs_mhz for s in scales),
               sw_hz=tuple(s.sw_hz for s in scales), carrier_ppm=tuple(s.carrier_ppm for s in scales),
               meta={"simulated": True}, quadrature_f1=quadrature_f1)


def _spectrum_1d(fid: np.ndarray, nucleus: str, scale: PPMScale) -> Spectrum:
    spec = fid_to_spectrum(fid)
    return Spectrum(data=spec.real, ppm=scale.ppm_axis(), nucleus=nucleus, obs_mhz=scale.obs_mhz,
                    imag=spec.imag, meta={"simulated": True})
