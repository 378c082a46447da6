"""Residual solvent, water and common impurity signals for simulated spectra.

The residual solvent multiplets come from :mod:`shiftnet.spectra.solvents`; water and impurity
shifts from Fulmer et al., *Organometallics* 2010, 29, 2176 (impurities: the CDCl3 column).
"""

from __future__ import annotations

from dataclasses import dataclass

from .solvents import SOLVENTS, canonical_solvent


@dataclass(frozen=True)
class ReferenceSignal:
    """A solvent or impurity signal: multiplet centre ``shift_ppm``, line spacing ``j_hz``,
    relative line ``pattern`` (low to high ppm), total ``intensity`` (in units of one sample
    nucleus) and a ``name``."""

    shift_ppm: float
    j_hz: float = 0.0
    pattern: tuple[float, ...] = (1.0,)
    intensity: float = 1.0
    name: str = ""


#: 1H shift of water (HDO / H2O) in each solvent; in D2O the residual signal is HDO itself.
WATER_1H_PPM: dict[str, float] = {
    "CDCl3": 1.56, "DMSO-d6": 3.33, "CD3OD": 4.87, "acetone-d6": 2.84, "C6D6": 0.40, "CD3CN": 2.13,
}

#: name -> nucleus -> shifts (ppm) of common impurities, as singlets (CDCl3 values).
IMPURITY_SHIFTS: dict[str, dict[str, tuple[float, ...]]] = {
    "TMS": {"1H": (0.00,), "13C": (0.00,)},
    "water": {"1H": (1.56,), "13C": ()},
    "grease": {"1H": (0.86, 1.26), "13C": (29.76,)},
    "silicone grease": {"1H": (0.07,), "13C": (1.19,)},
    "acetone": {"1H": (2.17,), "13C": (30.92, 207.07)},
    "dichloromethane": {"1H": (5.30,), "13C": (53.52,)},
}


def solvent_signals(solvent: str, nucleus: str, intensity: float = 1.0) -> list[ReferenceSignal]:
    """The residual signal of ``solvent`` in a ``nucleus`` spectrum (and water, for 1H).

    Each signal gets total intensity ``intensity``; a solvent without such a signal (13C in
    D2O) gives none.
    """
    name = canonical_solvent(solvent)
    if name is None:
        raise ValueError(f"unknown solvent {solvent!r}; use one of {', '.join(SOLVENTS)}")
    out = []
    if nucleus in SOLVENTS[name]:
        residual = SOLVENTS[name][nucleus]
        out.append(ReferenceSignal(residual.ppm, residual.j_hz, residual.intensities, intensity, name))
    if nucleus == "1H" and name in WATER_1H_PPM:
        out.append(ReferenceSignal(WATER_1H_PPM[name], intensity=intensity, name="water"))
    return out


def impurity_signals(impurities: list[str | tuple[float, float]], nucleus: str) -> list[ReferenceSignal]:
    """Singlets for named impurities (:data:`IMPURITY_SHIFTS`) or ``(shift_ppm, intensity)`` pairs.

    A named impurity gets intensity 1 per shift.
    """
    out = []
    for item in impurities:
        if isinstance(item, str):
            table = {k.lower(): v for k, v in IMPURITY_SHIFTS.items()}
            if item.lower() not in table:
                raise ValueError(f"unknown impurity {item!r}; name one of {', '.join(IMPURITY_SHIFTS)} "
                                 "or give (shift_ppm, intensity)")
            out += [ReferenceSignal(ppm, name=item) for ppm in table[item.lower()].get(nucleus, ())]
        else:
            ppm, intensity = item
            out.append(ReferenceSignal(float(ppm), intensity=float(intensity), name="impurity"))
    return out
