"""Exact and k-best assignment (Murty's algorithm) against brute force."""

import itertools

import numpy as np

from shiftnet.assignment.matching import best_assignment, k_best_assignments


def _brute_force(cost: np.ndarray, group: np.ndarray) -> list[float]:
    """Cheapest total per distinct row -> group map, sorted."""
    best: dict[tuple, float] = {}
    for cols in itertools.permutations(range(cost.shape[1]), cost.shape[0]):
        total = float(cost[np.arange(cost.shape[0]), list(cols)].sum())
        key = tuple(group[list(cols)])
        best[key] = min(best.get(key, np.inf), total)
    return sorted(best.values())


def test_best_and_second_match_brute_force():
    rng = np.random.default_rng(0)
    cost = rng.uniform(0, 10, size=(4, 4))
    expected = _brute_force(cost, np.arange(4))
    total, cols = best_assignment(cost)
    assert np.isclose(total, expected[0])
    assert sorted(cols.tolist()) == [0, 1, 2, 3]
    found = k_best_assignments(cost, 6)
    assert np.allclose([t for t, _ in found], expected[:6])
    second = found[1][1]
    assert np.isclose(cost[np.arange(4), second].sum(), expected[1])


def test_k_best_over_column_groups_has_no_duplicates():
    rng = np.random.default_rng(1)
    cost = rng.uniform(0, 10, size=(3, 6))
    cost[:, 1] = cost[:, 0] + 0.5  # column 1: a costlier copy of column 0 (same group)
    group = np.array([0, 0, 1, 2, 3, 4])
    expected = _brute_force(cost, group)
    found = k_best_assignments(cost, 10, group)
    assert np.allclose([t for t, _ in found], expected[:10])
    maps = [tuple(group[cols]) for _, cols in found]
    assert len(set(maps)) == len(maps)


def test_forbidden_pairs_and_infeasible():
    cost = np.array([[1.0, np.inf], [np.inf, 2.0]])
    assert best_assignment(cost)[1].tolist() == [0, 1]
    assert len(k_best_assignments(cost, 5)) == 1
    assert best_assignment(np.array([[np.inf, np.inf]])) is None
