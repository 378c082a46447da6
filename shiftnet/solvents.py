"""Solvent vocabulary of the shift models and the mapping of NMRShiftDB2's solvent strings."""

from __future__ import annotations

#: Index 0 is "unknown" (the NMRShiftDB2 majority, "Unreported").
SOLVENTS: list[str] = [
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
    "thf": "THF-d8", "thf-d8": "THF-d8", "tetrahydrofuran-d8": "THF-d8",
}
_UNKNOWN = {"", "unknown", "unreported", "none", "null"}


def canonical_name(name: str | None) -> str | None:
    """Canonical solvent name for a user or spectrometer spelling ('cdcl3', 'DMSO', 'MeOD',
    '<CDCl3>'); None when the name is empty, "unknown" or not recognised."""
    if not name:
        return None
    key = name.strip().strip("<>").strip().lower()
    if key in _UNKNOWN:
        return None
    return _ALIASES.get(key) or next((s for s in SOLVENTS if s.lower() == key), None)


def solvent_index(name: str | None) -> int:
    """Index of a user-given solvent name (case-insensitive, common aliases accepted).

    Raises ``ValueError`` naming the accepted solvents when ``name`` is not recognised.
    """
    if name is None or name.strip().lower() in _UNKNOWN:
        return 0
    canonical = canonical_name(name)
    if canonical is None:
        raise ValueError(f"unknown solvent {name!r}; use one of {', '.join(SOLVENTS)}")
    return SOLVENTS.index(canonical)


def parse_record_solvent(raw: str | None) -> int:
    """Map an NMRShiftDB2 solvent string to an index; mixtures and unknowns give 0.

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
                return SOLVENTS.index(canonical)
    return 0
