"""Matching observed peaks to atoms.

The first piece is the grouped optimal 1D matching used to train on unassigned 13C peak lists:
carbons are grouped by multiplicity (C/CH/CH2/CH3) when the list's multiplicities agree with the
structure, and inside each group the optimal assignment under any convex 1D cost pairs sorted
predictions with sorted observations (see :func:`shiftnet.shifts.train.matched_targets`).

With the model's sigma, :func:`match_by_sigma` solves each group as an assignment problem on the
Gaussian cost ``((obs - pred) / sigma)^2`` instead (sorting is optimal only when every carbon's
cost has the same shape).

The general matching behind assignment and verification: the optimal assignment of rows
(symmetry classes of atoms) to columns (peaks, their overlap copies, "missing" slots) and the
k best assignments (Murty's algorithm) over groups of interchangeable columns.
"""

from __future__ import annotations

import heapq
from typing import Callable

import numpy as np
from scipy.optimize import linear_sum_assignment

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


def match_sorted(pred: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """Observed value for each prediction: sorted observations paired with sorted predictions
    (the optimal assignment under any convex cost of ``obs - pred`` shared by every atom).

    Shapes: ``(n,)`` each; returns ``obs`` reordered so that entry ``i`` belongs to atom ``i``.
    """
    matched = np.empty_like(obs)
    matched[np.argsort(pred, kind="stable")] = np.sort(obs)
    return matched


def match_by_sigma(pred: np.ndarray, sigma: np.ndarray, obs: np.ndarray,
                   cost: Callable[[np.ndarray], np.ndarray] = np.square) -> np.ndarray:
    """Observed value for each prediction: the assignment minimising ``sum cost((obs - pred) / sigma)``.

    Parameters
    ----------
    pred, sigma : predicted shift and its standard deviation per atom (same units), shape ``(n,)``.
    obs : the observed values of these atoms in any order, shape ``(n,)``.
    cost : elementwise cost of the z-score; the default ``z^2`` is the Gaussian cost.

    Returns ``obs`` reordered so that entry ``i`` is the value matched to atom ``i``.
    """
    rows, cols = linear_sum_assignment(cost((obs[None, :] - pred[:, None]) / sigma[:, None]))
    matched = np.empty_like(obs)
    matched[rows] = obs[cols]
    return matched


def best_assignment(cost: np.ndarray) -> tuple[float, np.ndarray] | None:
    """Minimum-cost assignment of every row to a distinct column (rows <= columns).

    Parameters
    ----------
    cost : shape ``(n_rows, n_cols)``; ``inf`` forbids a pair.

    Returns ``(total cost, column of each row)``, or None when no finite assignment exists.
    """
    try:
        rows, cols = linear_sum_assignment(cost)
    except ValueError:  # infeasible: some row has only forbidden columns left
        return None
    total = float(cost[rows, cols].sum())
    return (total, cols) if np.isfinite(total) else None


def _constrained(cost: np.ndarray, group: np.ndarray, forced: list[tuple[int, int]],
                 excluded: list[tuple[int, int]]) -> np.ndarray:
    """``cost`` with row ``r`` limited to group ``g`` (forced) or kept out of it (excluded)."""
    cost = cost.copy()
    for row, g in forced:
        cost[row, group != g] = np.inf
    for row, g in excluded:
        cost[row, group == g] = np.inf
    return cost


def k_best_assignments(cost: np.ndarray, k: int, column_group: np.ndarray | None = None
                       ) -> list[tuple[float, np.ndarray]]:
    """The ``k`` cheapest distinct assignments, cheapest first (Murty's algorithm).

    Parameters
    ----------
    cost : shape ``(n_rows, n_cols)``, rows <= columns; ``inf`` forbids a pair.
    k : number of solutions wanted (fewer are returned when fewer exist).
    column_group : group of each column, shape ``(n_cols,)`` (default: every column its own).
        Solutions are distinct as maps row -> group: interchangeable columns (copies of one
        peak) never give the same solution twice.

    Returns a list of ``(total cost, column of each row)``.
    """
    group = np.arange(cost.shape[1]) if column_group is None else np.asarray(column_group)
    first = best_assignment(cost)
    if first is None:
        return []
    heap = [(first[0], 0, first[1], [], [])]
    counter, found = 1, []
    while heap and len(found) < k:
        total, _, cols, forced, excluded = heapq.heappop(heap)
        found.append((total, cols))
        fixed = {row for row, _ in forced}
        for row in range(cost.shape[0]):
            if row in fixed:
                continue
            child_excluded = excluded + [(row, int(group[cols[row]]))]
            child = best_assignment(_constrained(cost, group, forced, child_excluded))
            if child is not None:
                heapq.heappush(heap, (child[0], counter, child[1], list(forced), child_excluded))
                counter += 1
            forced = forced + [(row, int(group[cols[row]]))]
    return found
