"""Matching observed peaks to atoms.

The first piece is the grouped optimal 1D matching used to train on unassigned 13C peak lists:
carbons are grouped by multiplicity (C/CH/CH2/CH3) when the list's multiplicities agree with the
structure, and inside each group the optimal assignment under any convex 1D cost pairs sorted
predictions with sorted observations (see :func:`shiftnet.shifts.train.matched_targets`).
"""

from __future__ import annotations

import numpy as np

#: Multiplicity letter of a 13C peak (off-resonance / DEPT) -> number of attached H.
MULTIPLICITY_H = {"S": 0, "D": 1, "T": 2, "Q": 3}


def match_groups(carbon_h: np.ndarray, peaks: list[tuple[float, str]]) -> tuple[np.ndarray, np.ndarray] | None:
    """Assign each carbon a matching group and an observed value from an unassigned peak list.

    Parameters
    ----------
    carbon_h : number of H on each carbon, shape ``(n_c,)``.
    peaks : one ``(ppm, multiplicity)`` per carbon atom (equivalent carbons repeat).

    Returns ``(group, value)`` per carbon, or None when the list does not fit the structure.
    Groups are the multiplicities (C/CH/CH2/CH3 = 0..3) when their counts agree with the
    structure, otherwise one group holding every carbon (4).
    """
    if len(peaks) != carbon_h.size:
        return None
    ppm = np.array([p for p, _ in peaks], dtype=np.float32)
    mult = np.array([MULTIPLICITY_H.get(str(m).upper(), -1) for _, m in peaks])
    if np.all(mult >= 0) and np.array_equal(np.sort(mult), np.sort(carbon_h)):
        group = carbon_h.astype(np.int64)
        value = np.empty_like(ppm)
        for g in np.unique(group):
            value[group == g] = ppm[mult == g]
        return group, value
    return np.full(carbon_h.size, 4, dtype=np.int64), ppm
