"""First-order multiplets: line offsets and intensities of a spin from its couplings (no RDKit)."""

from __future__ import annotations

import numpy as np

__all__ = ["MERGE_HZ", "multiplet", "multiplicity"]

#: Positions closer than this (Hz) are one line of a multiplet.
MERGE_HZ = 1e-6


def multiplet(partners_j_hz: np.ndarray, partners_delta_hz: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """First-order multiplet of one spin as offsets from its shift and relative intensities.

    Parameters
    ----------
    partners_j_hz : coupling constant to each coupled spin, shape ``(k,)``.
    partners_delta_hz : shift of each partner minus this spin's shift in Hz, shape ``(k,)``;
        when given, intensities lean toward the partner ("roofing") with the AB-system weights
        ``(1 +- |J| / D) / 2``, ``D = sqrt(delta^2 + J^2)``; positions stay first-order.

    Returns
    -------
    offsets_hz : line offsets, shape ``(m,)``, sorted, coincident lines merged.
    weights : relative intensities summing to 1, shape ``(m,)``.
    """
    offsets, weights = np.zeros(1), np.ones(1)
    j = np.asarray(partners_j_hz, dtype=float)
    for idx, coupling in enumerate(j):
        up, down = 0.5, 0.5
        if partners_delta_hz is not None:
            delta = float(partners_delta_hz[idx])
            lean = abs(coupling) / np.hypot(delta, coupling)
            toward = np.sign(coupling * delta)
            up, down = 0.5 * (1 + toward * lean), 0.5 * (1 - toward * lean)
        offsets = np.concatenate([offsets + coupling / 2, offsets - coupling / 2])
        weights = np.concatenate([weights * up, weights * down])
        keys, inverse = np.unique(np.round(offsets / MERGE_HZ), return_inverse=True)
        weights = np.bincount(inverse, weights=weights)
        offsets = keys * MERGE_HZ
    return offsets, weights


def multiplicity(partners_j_hz: np.ndarray, resolution_hz: float = 0.1) -> str:
    """First-order multiplicity label ("s", "d", "t", "dd", "tq", "m", ...) from the partner J's.

    Partners whose |J| agree within ``resolution_hz`` count as one equivalent set; more than
    three distinct sets or a set larger than six gives "m".
    """
    j = np.abs(np.asarray(partners_j_hz, dtype=float))
    if j.size == 0:
        return "s"
    keys, counts = np.unique(np.round(j / resolution_hz), return_counts=True)
    names = {1: "d", 2: "t", 3: "q", 4: "quint", 5: "sext", 6: "sept"}
    if keys.size > 3 or counts.max() > 6:
        return "m"
    order = np.argsort(-keys)
    return "".join(names[int(counts[i])] for i in order)
