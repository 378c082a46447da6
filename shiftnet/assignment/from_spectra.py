"""Observed peak lists from raw spectra: processing, peak picking and the clean-up between them
and assignment.

``data`` maps an experiment to a raw data set (anything :func:`shiftnet.spectra.read` reads) or
an already processed :class:`~shiftnet.spectra.Spectrum`:

* ``"13C"``: 13C{1H}; its sample peaks (solvent lines dropped, lines below 1/30 of the median
  peak height dropped as noise or impurities) become the 13C list.
* ``"DEPT135"`` (and ``"DEPT90"``): multiplicities for the 13C peaks: negative in DEPT-135 ->
  CH2 ("t"); positive and as strong in DEPT-90 as in DEPT-135 -> CH ("d"); positive otherwise
  -> CH3 ("q") when DEPT-90 was given; absent from DEPT-135 -> C ("s"). DEPT spectra are often
  unreferenced (no solvent line): their offset to the 13C axis is estimated from the peaks.
* ``"1H"``: multiplet centres with integrals in protons (normalised to the C-H protons of the
  structure when known); solvent multiplets and those under 0.25 H (impurities) dropped.
* ``"HSQC"`` (or ``"HMQC"``), ``"HMBC"``: cross peaks clustered per multiplet; with a 13C list only cross
  peaks whose 13C shift is a 13C peak, with a 1H list only those at a kept multiplet, are
  kept (t1-noise ridges, impurities and multiplet wings are not).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .observed import aligned

#: Sample 13C peaks below this fraction of the median peak height are dropped.
MIN_RELATIVE_13C = 1.0 / 30.0
#: 1H multiplets under this many protons are impurities.
MIN_PROTONS = 0.25
#: DEPT-90 / DEPT-135 SNR ratio above which a carbon is CH (CH2/CH3 leak at ~0.3).
CH_RATIO = 0.6
#: Matching tolerances (ppm) between spectra after the offset is removed.
TOLERANCE_13C = 0.25
TOLERANCE_1H = 0.06
_KEYS = {"13c": "13C", "1h": "1H", "hsqc": "HSQC", "hmqc": "HSQC", "dept135": "DEPT135", "dept-135": "DEPT135",
         "dept90": "DEPT90", "dept-90": "DEPT90", "hmbc": "HMBC"}


def observed_from_spectra(data: dict, solvent: str | None = None, ch_protons: int | None = None,
                          method: str = "cnn") -> dict:
    """Peak lists for :func:`shiftnet.assign` / :func:`shiftnet.verify` from raw or processed spectra.

    Parameters
    ----------
    data : experiment name (13C, 1H, HSQC/HMQC, HMBC, DEPT135, DEPT90; any case) -> data set
        path or processed Spectrum.
    solvent : overrides the solvent in the parameters (referencing).
    ch_protons : number of H on carbon in the structure (1H integrals in protons); None keeps
        relative integrals (smallest multiplet = 1).
    method : peak picker, "cnn" or "threshold".

    Returns
    -------
    dict with ``peaks_13c`` (``(ppm, letter or None)``), ``peaks_1h`` (``(ppm, integral)``),
    ``hsqc`` and ``hmbc`` (``(1H ppm, 13C ppm)``), each None when not measured, and ``solvent``
    (the one found in the data when not given).
    """
    spectra_by_key = {_key(k): _processed(v, solvent) for k, v in data.items()}
    found_solvent = solvent or next((s.meta.get("solvent") for s in spectra_by_key.values() if s.meta.get("solvent")),
                                    None)
    out = {"peaks_13c": None, "peaks_1h": None, "hsqc": None, "hmbc": None, "solvent": found_solvent}
    carbon = _carbon_peaks(spectra_by_key["13C"], method) if "13C" in spectra_by_key else None
    if carbon is not None:
        letters = _multiplicities(carbon, spectra_by_key.get("DEPT135"), spectra_by_key.get("DEPT90"), method)
        out["peaks_13c"] = list(zip(carbon.tolist(), letters))
    if "1H" in spectra_by_key:
        out["peaks_1h"] = _proton_multiplets(spectra_by_key["1H"], ch_protons, method)
    protons = None if out["peaks_1h"] is None else np.array([p for p, _ in out["peaks_1h"]])
    for key, name in (("HSQC", "hsqc"), ("HMBC", "hmbc")):
        if key in spectra_by_key:
            out[name] = _cross_peaks(spectra_by_key[key], carbon, protons, method, key)
    return out


def data_solvent(data: dict) -> str | None:
    """The solvent the first data set names in its parameters (read, not processed); None if none."""
    from .. import spectra

    for item in data.values():
        meta = item.meta if isinstance(item, spectra.Spectrum) else spectra.read(Path(item)).meta
        if meta.get("solvent"):
            return meta["solvent"]
    return None


def _key(name: str) -> str:
    key = _KEYS.get(str(name).strip().lower())
    if key is None:
        raise ValueError(f"unknown experiment {name!r} in data; use 13C, 1H, HSQC, HMQC, DEPT135 or DEPT90")
    return key


def _processed(item, solvent: str | None):
    from .. import spectra

    if isinstance(item, spectra.Spectrum):
        return item
    with warnings.catch_warnings():  # a DEPT without solvent line warns; its offset is fitted below
        warnings.simplefilter("ignore", spectra.ProcessingWarning)
        return spectra.process(spectra.read(Path(item)), solvent=solvent)


def _sample_peaks(spectrum, method: str, negative: bool | None = False) -> pd.DataFrame:
    from .. import spectra

    frame = spectra.pick_peaks(spectrum, method=method, negative=negative).frame
    return frame[frame["source"] == "sample"] if "source" in frame else frame


def _carbon_peaks(spectrum, method: str) -> np.ndarray:
    """13C sample peak positions (ppm, decreasing), weak lines dropped."""
    frame = _sample_peaks(spectrum, method)
    heights = frame["height"].abs()
    keep = heights >= MIN_RELATIVE_13C * heights.median() if len(frame) else heights.astype(bool)
    return np.sort(frame.loc[keep, "shift_ppm"].to_numpy())[::-1]


def _match(reference: np.ndarray, ppm: np.ndarray) -> np.ndarray:
    """Index into ``ppm`` of the peak matching each reference peak, -1 where none is close."""
    if not len(ppm):
        return np.full(len(reference), -1)
    distance = np.abs(reference[:, None] - ppm[None, :])
    nearest = distance.argmin(axis=1)
    return np.where(distance[np.arange(len(reference)), nearest] <= TOLERANCE_13C, nearest, -1)


def _multiplicities(carbon: np.ndarray, dept135, dept90, method: str) -> list[str | None]:
    """DEPT letters (s/d/t/q, None when undecided) for the 13C peaks."""
    if dept135 is None:
        return [None] * len(carbon)
    d135 = _sample_peaks(dept135, method, negative=True)
    ppm135 = aligned(d135["shift_ppm"].to_numpy(), carbon)
    in135 = _match(carbon, ppm135)
    ratio = np.zeros(len(carbon))
    if dept90 is not None:
        d90 = _sample_peaks(dept90, method)
        ppm90 = aligned(d90["shift_ppm"].to_numpy(), carbon)
        in90 = _match(carbon, ppm90)
        snr135, snr90 = d135["snr"].to_numpy(), d90["snr"].to_numpy()
        ratio = np.where((in90 >= 0) & (in135 >= 0), snr90[in90] / np.maximum(snr135[in135], 1e-9), 0.0)
    letters: list[str | None] = []
    for i in range(len(carbon)):
        if in135[i] < 0:
            letters.append("s")
        elif d135["height"].iloc[in135[i]] < 0:
            letters.append("t")
        elif ratio[i] > CH_RATIO:
            letters.append("d")
        else:
            letters.append("q" if dept90 is not None else None)
    return letters


def _proton_multiplets(spectrum, ch_protons: int | None, method: str) -> list[tuple[float, float]]:
    """1H multiplet centres with integrals (protons when ``ch_protons`` is known)."""
    from .. import spectra

    frame = spectra.pick_multiplets(spectrum, method=method).frame
    frame = frame[frame["source"] == "sample"]
    integral = frame["integral"].to_numpy(dtype=float)
    if ch_protons and integral.sum() > 0:
        major = integral >= MIN_PROTONS * integral.sum() / ch_protons
        integral = integral * ch_protons / integral[major].sum()
    keep = integral >= (MIN_PROTONS if ch_protons else 0.0)
    return list(zip(frame["shift_ppm"].to_numpy()[keep].tolist(), integral[keep].round(2).tolist()))


def _cross_peaks(spectrum, carbon: np.ndarray | None, protons: np.ndarray | None,
                 method: str, experiment: str) -> list[tuple[float, float]]:
    """Sample cross peaks ``(1H, 13C)`` (maxima grouped per multiplet, strongest first) that a
    13C peak and a 1H multiplet explain. HMBC keeps the maxima marked "artefact" too: one proton
    correlates with carbons of very different intensities there (t1 noise is then left to the
    matching to the 13C peaks)."""
    from .. import spectra

    frame = spectra.pick_peaks(spectrum, method=method).cross_peaks()
    kept = ("sample", "artefact") if experiment == "HMBC" else ("sample",)
    frame = frame[frame["source"].isin(kept)]
    cross = frame[["shift_ppm_f2", "shift_ppm_f1"]].to_numpy(dtype=float).reshape(-1, 2)
    if carbon is not None and len(carbon) and len(cross):
        shifted = aligned(cross[:, 1], carbon)
        cross = cross[_match(shifted, carbon) >= 0]
    if protons is not None and len(protons) and len(cross):
        shifted = aligned(cross[:, 0], protons)
        cross = cross[np.abs(shifted[:, None] - protons[None, :]).min(axis=1) <= TOLERANCE_1H]
    return [tuple(map(float, row)) for row in cross]
