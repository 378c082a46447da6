"""Reference signals as referencing recognises them: the solvent vocabulary of
:mod:`shiftnet.solvents` plus the solvents it does not list yet, and companion lines.

``shiftnet.solvents.RESIDUAL_SIGNALS`` is the one solvent vocabulary; the entries of
:data:`EXTRA_SIGNALS` (CD2Cl2, THF-d8, dioxane-d8, pyridine-d5; Fulmer et al.,
*Organometallics* 2010, 29, 2176) are used only where it has none, so they retire silently
once they are added there. :data:`COMPANIONS` lists the other residual lines of a solvent
(THF-d8, pyridine-d5): when the reference line is found, the companions confirm it.
"""

from __future__ import annotations

from ..solvents import RESIDUAL_SIGNALS, Signal, canonical_name

__all__ = ["EXTRA_SIGNALS", "COMPANIONS", "solvent_name", "reference_signal", "companion_shifts"]

_TRIPLET = (1.0, 1.0, 1.0)
_QUINTET = (1.0, 2.0, 3.0, 2.0, 1.0)

#: Solvents not (yet) in :data:`shiftnet.solvents.RESIDUAL_SIGNALS`: nucleus -> reference signal.
EXTRA_SIGNALS: dict[str, dict[str, Signal]] = {
    "CD2Cl2": {"1H": Signal(5.32, 1.1, _TRIPLET, name="CD2Cl2"),
               "13C": Signal(53.84, 27.2, _QUINTET, name="CD2Cl2")},
    "THF-d8": {"1H": Signal(3.58, name="THF-d8"), "13C": Signal(67.21, 22.2, _QUINTET, name="THF-d8")},
    "dioxane-d8": {"1H": Signal(3.53, name="dioxane-d8"), "13C": Signal(66.66, 21.9, _QUINTET, name="dioxane-d8")},
    "pyridine-d5": {"1H": Signal(8.74, name="pyridine-d5"), "13C": Signal(150.35, 27.5, _TRIPLET, name="pyridine-d5")},
}

#: Other residual lines (ppm) of a solvent, per nucleus, that confirm its reference line.
COMPANIONS: dict[str, dict[str, tuple[float, ...]]] = {
    "THF-d8": {"1H": (1.72,), "13C": (25.31,)},
    "pyridine-d5": {"1H": (7.58, 7.22), "13C": (135.91, 123.87)},
}

_EXTRA_ALIASES = {"dioxane": "dioxane-d8", "dioxane-d8": "dioxane-d8", "1,4-dioxane": "dioxane-d8",
                  "1,4-dioxane-d8": "dioxane-d8", "cd2cl2": "CD2Cl2", "dichloromethane-d2": "CD2Cl2"}


def solvent_name(name: str | None) -> str | None:
    """Canonical solvent name (:func:`shiftnet.solvents.canonical_name`, plus dioxane); None if unknown."""
    if not name:
        return None
    return canonical_name(name) or _EXTRA_ALIASES.get(name.strip().strip("<>").strip().lower())


def reference_signal(solvent: str | None, nucleus: str) -> Signal | None:
    """The reference line of ``solvent`` (any alias) in a ``nucleus`` spectrum, or None when the
    solvent is unknown or has none for that nucleus (13C in D2O)."""
    name = solvent_name(solvent)
    table = RESIDUAL_SIGNALS.get(name) or EXTRA_SIGNALS.get(name) or {}
    return table.get(nucleus)


def companion_shifts(solvent: str | None, nucleus: str) -> tuple[float, ...]:
    """ppm of the solvent's other residual lines in a ``nucleus`` spectrum (may be empty)."""
    return COMPANIONS.get(solvent_name(solvent) or "", {}).get(nucleus, ())
