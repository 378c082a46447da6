"""The one solvent vocabulary: names and aliases, the shift models' solvent classes, and the
reference, residual, water and impurity signals that processing and simulation use.

Shifts follow Fulmer et al., *Organometallics* 2010, 29, 2176 (13C of the solvent, 1H of its
residual protio isotopomer; impurities: the CDCl3 column). The multiplet of each residual signal
(deuterium coupling) is kept so that referencing can recognise the pattern, not the nearest peak.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Solvent classes of the shift models; index 0 is "unknown" (the NMRShiftDB2 majority, "Unreported").
MODEL_SOLVENTS: list[str] = [
    "unknown", "CDCl3", "DMSO-d6", "CD3OD", "D2O", "C6D6", "acetone-d6", "CD3CN",
    "CCl4", "pyridine-d5", "CD2Cl2", "THF-d8",
]

_ALIASES: dict[str, str] = {
    "cdcl3": "CDCl3", "chloroform": "CDCl3", "chloroform-d": "CDCl3", "chloroform-d1": "CDCl3", "chcl3": "CDCl3",
    "dmso": "DMSO-d6", "dimethylsulphoxide-d6": "DMSO-d6", "dmso-d6": "DMSO-d6", "dimethylsulphoxide": "DMSO-d6", "(cd3)2so": "DMSO-d6",
    "cd3od": "CD3OD", "methanol": "CD3OD", "methanol-d4": "CD3OD", "meod": "CD3OD", "meoh": "CD3OD",
    "d2o": "D2O", "deuteriumoxide": "D2O", "water": "D2O", "h2o": "D2O",
    "c6d6": "C6D6", "benzene": "C6D6", "benzene-d6": "C6D6",
    "acetone": "acetone-d6", "acetone-d6": "acetone-d6", "(cd3)2co": "acetone-d6",
    "cd3cn": "CD3CN", "acetonitrile": "CD3CN", "acetonitrile-d3": "CD3CN",
    "ccl4": "CCl4", "tetrachloro-methane": "CCl4", "tetrachloromethane": "CCl4",
    "pyridine": "pyridine-d5", "pyridin-d5": "pyridine-d5", "pyridine-d5": "pyridine-d5", "c5d5n": "pyridine-d5",
    "dmsod6": "DMSO-d6", "acetoned6": "acetone-d6", "h2o+d2o": "D2O", "h2o/d2o": "D2O", "acn": "CD3CN",
    "cd2cl2": "CD2Cl2", "methylenchloride-d2": "CD2Cl2", "dichloromethane": "CD2Cl2",
    "thf": "THF-d8", "thf-d8": "THF-d8", "tetrahydrofuran-d8": "THF-d8", "dichloromethane-d2": "CD2Cl2",
    "dioxane": "dioxane-d8", "dioxane-d8": "dioxane-d8", "1,4-dioxane": "dioxane-d8", "1,4-dioxane-d8": "dioxane-d8",
}
_UNKNOWN = {"", "unknown", "unreported", "none", "null"}


@dataclass(frozen=True)
class Signal:
    """A reference, solvent or impurity signal.

    Attributes
    ----------
    shift_ppm : chemical shift of the multiplet centre in ppm.
    j_hz : line spacing in Hz (coupling to deuterium; 0 for a singlet).
    pattern : relative line intensities of the multiplet (symmetric).
    intensity : total intensity in units of one sample nucleus (simulation).
    name : what the signal is ("CDCl3", "water", "TMS", ...).
    """

    shift_ppm: float
    j_hz: float = 0.0
    pattern: tuple[float, ...] = (1.0,)
    intensity: float = 1.0
    name: str = ""


_TRIPLET = (1.0, 1.0, 1.0)                       # C-D: 1:1:1
_SEPTET = (1.0, 3.0, 6.0, 7.0, 6.0, 3.0, 1.0)    # CD3: 1:3:6:7:6:3:1
_QUINTET = (1.0, 2.0, 3.0, 2.0, 1.0)              # CHD2: 1:2:3:2:1

#: Tetramethylsilane, 0 ppm in 1H and 13C (the primary reference).
TMS = Signal(0.0, name="TMS")

#: canonical solvent name -> {nucleus: residual (1H) or solvent (13C) signal}.
RESIDUAL_SIGNALS: dict[str, dict[str, Signal]] = {
    "CDCl3": {"13C": Signal(77.16, 32.0, _TRIPLET, name="CDCl3"), "1H": Signal(7.26, name="CDCl3")},
    "DMSO-d6": {"13C": Signal(39.52, 21.0, _SEPTET, name="DMSO-d6"), "1H": Signal(2.50, 1.9, _QUINTET, name="DMSO-d6")},
    "CD3OD": {"13C": Signal(49.00, 21.4, _SEPTET, name="CD3OD"), "1H": Signal(3.31, 1.7, _QUINTET, name="CD3OD")},
    "acetone-d6": {"13C": Signal(29.84, 19.4, _SEPTET, name="acetone-d6"),
                   "1H": Signal(2.05, 2.2, _QUINTET, name="acetone-d6")},
    "C6D6": {"13C": Signal(128.06, 24.3, _TRIPLET, name="C6D6"), "1H": Signal(7.16, name="C6D6")},
    "D2O": {"1H": Signal(4.79, name="D2O")},
    "CD3CN": {"13C": Signal(1.32, 21.0, _SEPTET, name="CD3CN"), "1H": Signal(1.94, 2.5, _QUINTET, name="CD3CN")},
    "CD2Cl2": {"1H": Signal(5.32, 1.1, _TRIPLET, name="CD2Cl2"), "13C": Signal(53.84, 27.2, _QUINTET, name="CD2Cl2")},
    "THF-d8": {"1H": Signal(3.58, name="THF-d8"), "13C": Signal(67.21, 22.2, _QUINTET, name="THF-d8")},
    "dioxane-d8": {"1H": Signal(3.53, name="dioxane-d8"), "13C": Signal(66.66, 21.9, _QUINTET, name="dioxane-d8")},
    "pyridine-d5": {"1H": Signal(8.74, name="pyridine-d5"), "13C": Signal(150.35, 27.5, _TRIPLET, name="pyridine-d5")},
}

#: Other residual lines (ppm) of a solvent per nucleus, which confirm its reference line.
COMPANIONS: dict[str, dict[str, tuple[float, ...]]] = {
    "THF-d8": {"1H": (1.72,), "13C": (25.31,)},
    "pyridine-d5": {"1H": (7.58, 7.22), "13C": (135.91, 123.87)},
}

#: 1H shift of water (HDO / H2O) in each solvent; in D2O the residual signal is HDO itself.
WATER_1H_PPM: dict[str, float] = {
    "CDCl3": 1.56, "DMSO-d6": 3.33, "CD3OD": 4.87, "acetone-d6": 2.84, "C6D6": 0.40, "CD3CN": 2.13,
    "CD2Cl2": 1.52, "THF-d8": 2.36, "pyridine-d5": 4.96,
}

#: name -> nucleus -> shifts (ppm) of common impurities, as singlets (CDCl3 values).
IMPURITY_SHIFTS: dict[str, dict[str, tuple[float, ...]]] = {
    "TMS": {"1H": (TMS.shift_ppm,), "13C": (TMS.shift_ppm,)},
    "water": {"1H": (WATER_1H_PPM["CDCl3"],), "13C": ()},
    "grease": {"1H": (0.86, 1.26), "13C": (29.76,)},
    "silicone grease": {"1H": (0.07,), "13C": (1.19,)},
    "acetone": {"1H": (2.17,), "13C": (30.92, 207.07)},
    "dichloromethane": {"1H": (5.30,), "13C": (53.52,)},
}


def canonical_name(name: str | None) -> str | None:
    """Canonical solvent name for a user or spectrometer spelling ('cdcl3', 'DMSO', 'MeOD',
    '<CDCl3>'); None when the name is empty, "unknown" or not recognised."""
    if not name:
        return None
    key = name.strip().strip("<>").strip().lower()
    if key in _UNKNOWN:
        return None
    known = [*MODEL_SOLVENTS, *RESIDUAL_SIGNALS]
    return _ALIASES.get(key) or next((s for s in known if s.lower() == key), None)


def solvent_index(name: str | None) -> int:
    """Index in :data:`MODEL_SOLVENTS` of a user-given solvent name (case-insensitive, aliases).

    Raises ``ValueError`` naming the accepted solvents when ``name`` is not recognised.
    """
    if name is None or name.strip().lower() in _UNKNOWN:
        return 0
    canonical = canonical_name(name)
    if canonical not in MODEL_SOLVENTS:
        what = "unknown solvent" if canonical is None else f"the shift models do not know solvent {canonical}:"
        raise ValueError(f"{what} {name!r}; use one of {', '.join(MODEL_SOLVENTS)} (or none)")
    return MODEL_SOLVENTS.index(canonical)


def parse_record_solvent(raw: str | None) -> int:
    """Map an NMRShiftDB2 solvent string to a model index; mixtures and unknowns give 0.

    ``"Chloroform-D1 (CDCl3) | Unreported"`` (several spectra) uses the first reported solvent;
    ``"A + B"`` mixtures are "unknown".
    """
    if raw is None or not isinstance(raw, str):
        return 0
    for part in raw.split("|"):
        part = part.strip()
        if not part or part.lower() in _UNKNOWN or "+" in part or " or " in part.lower():
            continue
        tokens = [part.split("(")[0].strip()]
        tokens += [t.strip("() ") for t in part.replace(",", " ").split()]
        for token in tokens:
            canonical = _ALIASES.get(token.lower())
            if canonical is not None:
                return MODEL_SOLVENTS.index(canonical)
    return 0


def reference_signal(solvent: str | None, nucleus: str) -> Signal | None:
    """The reference line of ``solvent`` (any alias) in a ``nucleus`` spectrum; None when the
    solvent is unknown or has none for that nucleus (13C in D2O)."""
    return RESIDUAL_SIGNALS.get(canonical_name(solvent) or "", {}).get(nucleus)


def companion_shifts(solvent: str | None, nucleus: str) -> tuple[float, ...]:
    """ppm of the solvent's other residual lines in a ``nucleus`` spectrum (may be empty)."""
    return COMPANIONS.get(canonical_name(solvent) or "", {}).get(nucleus, ())


def solvent_signals(solvent: str, nucleus: str, intensity: float = 1.0) -> list[Signal]:
    """The residual signal of ``solvent`` in a ``nucleus`` spectrum (and water, for 1H), each
    with total intensity ``intensity``; a solvent without such a signal (13C in D2O) gives none."""
    name = canonical_name(solvent)
    if name not in RESIDUAL_SIGNALS:
        raise ValueError(f"unknown solvent {solvent!r}; use one of {', '.join(RESIDUAL_SIGNALS)}")
    out = []
    if nucleus in RESIDUAL_SIGNALS[name]:
        residual = RESIDUAL_SIGNALS[name][nucleus]
        out.append(Signal(residual.shift_ppm, residual.j_hz, residual.pattern, intensity, name))
    if nucleus == "1H" and name in WATER_1H_PPM:
        out.append(Signal(WATER_1H_PPM[name], intensity=intensity, name="water"))
    return out


def impurity_signals(impurities: list[str | tuple[float, float]], nucleus: str) -> list[Signal]:
    """Singlets for named impurities (:data:`IMPURITY_SHIFTS`, intensity 1 per shift) or
    ``(shift_ppm, intensity)`` pairs."""
    table = {k.lower(): v for k, v in IMPURITY_SHIFTS.items()}
    out = []
    for item in impurities:
        if isinstance(item, str):
            if item.lower() not in table:
                raise ValueError(f"unknown impurity {item!r}; name one of {', '.join(IMPURITY_SHIFTS)} "
                                 "or give (shift_ppm, intensity)")
            out += [Signal(ppm, name=item) for ppm in table[item.lower()].get(nucleus, ())]
        else:
            ppm, intensity = item
            out.append(Signal(float(ppm), intensity=float(intensity), name="impurity"))
    return out
