"""Deuterated NMR solvents: reference shifts and the shape of their residual signals.

Shifts follow Fulmer et al., Organometallics 2010, 29, 2176 (13C of the solvent, 1H of its
residual protio isotopomer). The multiplet of each signal (deuterium coupling) is kept so that
referencing can recognise the pattern instead of the nearest peak.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..solvents import canonical_name


@dataclass(frozen=True)
class SolventSignal:
    """One reference signal of a solvent.

    Attributes
    ----------
    ppm : chemical shift of the multiplet centre in ppm.
    j_hz : coupling to deuterium in Hz (0 for a singlet).
    intensities : relative line intensities of the multiplet, left to right.
    """

    ppm: float
    j_hz: float = 0.0
    intensities: tuple[float, ...] = (1.0,)


_TRIPLET = (1.0, 1.0, 1.0)                       # C-D: 1:1:1
_SEPTET = (1.0, 3.0, 6.0, 7.0, 6.0, 3.0, 1.0)    # CD3: 1:3:6:7:6:3:1
_QUINTET = (1.0, 2.0, 3.0, 2.0, 1.0)              # CHD2: 1:2:3:2:1

#: canonical solvent name -> {nucleus: SolventSignal}
SOLVENTS: dict[str, dict[str, SolventSignal]] = {
    "CDCl3": {"13C": SolventSignal(77.16, 32.0, _TRIPLET), "1H": SolventSignal(7.26)},
    "DMSO-d6": {"13C": SolventSignal(39.52, 21.0, _SEPTET), "1H": SolventSignal(2.50, 1.9, _QUINTET)},
    "CD3OD": {"13C": SolventSignal(49.00, 21.4, _SEPTET), "1H": SolventSignal(3.31, 1.7, _QUINTET)},
    "acetone-d6": {"13C": SolventSignal(29.84, 19.4, _SEPTET), "1H": SolventSignal(2.05, 2.2, _QUINTET)},
    "C6D6": {"13C": SolventSignal(128.06, 24.3, _TRIPLET), "1H": SolventSignal(7.16)},
    "D2O": {"1H": SolventSignal(4.79)},
    "CD3CN": {"13C": SolventSignal(1.32, 21.0, _SEPTET), "1H": SolventSignal(1.94, 2.5, _QUINTET)},
}

def canonical_solvent(name: str | None) -> str | None:
    """Map a solvent name as spectrometers write it ('CDCl3', 'cdcl3', 'DMSO', 'MeOD', ...) to a
    key of :data:`SOLVENTS`; None for an empty, unknown or reference-less solvent."""
    canonical = canonical_name(name)
    return canonical if canonical in SOLVENTS else None


def solvent_signal(solvent: str, nucleus: str) -> SolventSignal:
    """The reference signal of ``solvent`` for ``nucleus``.

    Raises
    ------
    ValueError : unknown solvent, or no signal of that nucleus (e.g. 13C in D2O).
    """
    name = canonical_solvent(solvent)
    if name is None:
        raise ValueError(f"unknown solvent {solvent!r}; known: {', '.join(SOLVENTS)}")
    if nucleus not in SOLVENTS[name]:
        raise ValueError(f"{name} has no {nucleus} reference signal")
    return SOLVENTS[name][nucleus]
