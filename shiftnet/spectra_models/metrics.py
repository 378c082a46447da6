"""Scoring a peak list against known peaks: one-to-one matching within a tolerance, F1."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["PeakScore", "match_peaks", "score_peaks"]


def match_peaks(true_index: np.ndarray, found_index: np.ndarray, tolerance: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one matching of found to true peak positions that minimises the total distance.

    Parameters
    ----------
    true_index : true positions in points, shape ``(t,)``.
    found_index : picked positions in points, shape ``(f,)``.
    tolerance : largest distance of a match in points, scalar or one per true peak ``(t,)``.

    Returns
    -------
    true_rows, found_rows : int arrays of equal length, the matched pairs.
    """
    t, f = np.asarray(true_index, float), np.asarray(found_index, float)
    if t.size == 0 or f.size == 0:
        return np.zeros(0, int), np.zeros(0, int)
    distance = np.abs(t[:, None] - f[None, :])
    allowed = distance <= np.broadcast_to(np.asarray(tolerance, float), t.shape)[:, None]
    cost = np.where(allowed, distance, 1e6)
    rows, cols = linear_sum_assignment(cost)
    ok = allowed[rows, cols]
    return rows[ok], cols[ok]


@dataclass
class PeakScore:
    """Counts of one or many scored spectra; ``+`` adds them up.

    Attributes
    ----------
    tp, fp, fn : matched, spurious and missed peaks.
    abs_error : sum of |position error| of the matches, in points.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0
    abs_error: float = 0.0

    def __add__(self, other: "PeakScore") -> "PeakScore":
        return PeakScore(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.abs_error + other.abs_error)

    @property
    def precision(self) -> float:
        return self.tp / max(self.tp + self.fp, 1)

    @property
    def recall(self) -> float:
        return self.tp / max(self.tp + self.fn, 1)

    @property
    def f1(self) -> float:
        return 2 * self.tp / max(2 * self.tp + self.fp + self.fn, 1)

    @property
    def position_error(self) -> float:
        """Mean |position error| of the matches in points."""
        return self.abs_error / max(self.tp, 1)


def score_peaks(true_index: np.ndarray, found_index: np.ndarray, tolerance: float | np.ndarray,
                ignore_index: np.ndarray | None = None) -> PeakScore:
    """Score a picked list against the truth.

    Parameters
    ----------
    true_index, found_index, tolerance : as :func:`match_peaks`.
    ignore_index : positions of peaks too weak to count; unmatched picks within ``tolerance``
        (its median when per peak) of one of them are neither right nor wrong.
    """
    t, f = np.asarray(true_index, float), np.asarray(found_index, float)
    rows, cols = match_peaks(t, f, tolerance)
    spare = np.setdiff1d(np.arange(f.size), cols)
    if ignore_index is not None and len(ignore_index) and spare.size:
        near = np.abs(f[spare, None] - np.asarray(ignore_index, float)[None, :]).min(axis=1)
        spare = spare[near > float(np.median(tolerance))]
    return PeakScore(tp=int(rows.size), fp=int(spare.size), fn=int(t.size - rows.size),
                     abs_error=float(np.abs(t[rows] - f[cols]).sum()))
