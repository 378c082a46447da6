"""Residual solvent, water and common impurity signals for simulated spectra.

Shifts from Fulmer et al., *Organometallics* 2010, 29, 2176 (impurities: the CDCl3 column).
A residual signal split by ``n_d`` deuterons (spin 1) is a ``2 n_d + 1`` line multiplet with
trinomial intensities (CDCl3 13C: 1:1:1 triplet; DMSO-d6 13C: 1:3:6:7:6:3:1 septet).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ReferenceSignal:
    """A solvent or impurity signal: ``shift_ppm``, deuteron multiplicity ``n_d`` with
    ``j_hz``, relative ``intensity`` (in units of one sample nucleus) and a ``name``."""

    shift_ppm: float
    n_d: int = 0
    j_hz: float = 0.0
    intensity: float = 1.0
    name: str = ""


_S = ReferenceSignal
#: solvent -> nucleus -> signals (residual solvent and, for 1H, water).
SOLVENT_SIGNALS: dict[str, dict[str, tuple[ReferenceSignal, ...]]] = {
    "CDCl3": {"1H": (_S(7.26, name="CHCl3"), _S(1.56, name="water")),
              "13C": (_S(77.16, 1, 32.0, name="CDCl3"),)},
    "DMSO-d6": {"1H": (_S(2.50, 2, 1.9, name="DMSO-d5"), _S(3.33, name="water")),
                "13C": (_S(39.52, 3, 21.0, name="DMSO-d6"),)},
    "CD3OD": {"1H": (_S(3.31, 2, 1.7, name="CD2HOD"), _S(4.87, name="water")),
              "13C": (_S(49.00, 3, 21.4, name="CD3OD"),)},
    "D2O": {"1H": (_S(4.79, name="HDO"),), "13C": ()},
    "C6D6": {"1H": (_S(7.16, name="C6D5H"), _S(0.40, name="water")),
             "13C": (_S(128.06, 1, 24.3, name="C6D6"),)},
    "acetone-d6": {"1H": (_S(2.05, 2, 2.2, name="acetone-d5"), _S(2.84, name="water")),
                   "13C": (_S(29.84, 3, 19.4, name="acetone-d6 CD3"), _S(206.26, name="acetone-d6 CO"))},
    "CD3CN": {"1H": (_S(1.94, 2, 2.5, name="CD2HCN"), _S(2.13, name="water")),
              "13C": (_S(1.32, 3, 21.0, name="CD3CN CD3"), _S(118.26, name="CD3CN CN"))},
    "CD2Cl2": {"1H": (_S(5.32, 1, 1.0, name="CHDCl2"), _S(1.52, name="water")),
               "13C": (_S(53.84, 2, 27.2, name="CD2Cl2"),)},
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


def _solvent_key(solvent: str) -> str:
    lookup = {name.lower(): name for name in SOLVENT_SIGNALS}
    key = lookup.get(solvent.strip().lower())
    if key is None:
        raise ValueError(f"unknown solvent {solvent!r}; use one of {', '.join(SOLVENT_SIGNALS)}")
    return key


def solvent_signals(solvent: str, nucleus: str, intensity: float = 1.0) -> list[ReferenceSignal]:
    """The signals of ``solvent`` in a ``nucleus`` spectrum, intensities scaled by ``intensity``."""
    signals = SOLVENT_SIGNALS[_solvent_key(solvent)].get(nucleus, ())
    return [ReferenceSignal(s.shift_ppm, s.n_d, s.j_hz, s.intensity * intensity, s.name) for s in signals]


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


def deuterium_pattern(n_d: int) -> np.ndarray:
    """Relative intensities of the ``2 n_d + 1`` lines from ``n_d`` equivalent spin-1 nuclei (sum 1)."""
    pattern = np.ones(1)
    for _ in range(n_d):
        pattern = np.convolve(pattern, np.ones(3))
    return pattern / pattern.sum()
