"""Grouped optimal matching of unassigned peak lists."""

import numpy as np

from shiftnet.assignment.matching import match_by_sigma, match_groups


def test_match_groups_by_multiplicity_and_fallback():
    carbon_h = np.array([3, 0, 2, 3])
    group, value = match_groups(carbon_h, [(20.0, "Q"), (170.0, "S"), (60.0, "T"), (21.0, "Q")])
    assert group.tolist() == [3, 0, 2, 3]
    assert sorted(value[group == 3].tolist()) == [20.0, 21.0]
    assert value[1] == 170.0
    # multiplicities that contradict the structure: one group of all carbons
    group, value = match_groups(carbon_h, [(20.0, "D"), (170.0, "S"), (60.0, "T"), (21.0, "Q")])
    assert set(group.tolist()) == {4}
    assert match_groups(carbon_h, [(20.0, "Q")]) is None


def test_match_by_sigma_lets_a_confident_prediction_choose_first():
    """A (20 +- 0.5) and B (21 +- 5) against 18 and 21.5: sorting gives A 18 (4 sigma off);
    the Gaussian cost prefers A 21.5 (3 sigma) and B 18 (0.6 sigma)."""
    matched = match_by_sigma(np.array([20.0, 21.0]), np.array([0.5, 5.0]), np.array([18.0, 21.5]))
    assert matched.tolist() == [21.5, 18.0]
    # equal sigmas: the same as sorting
    matched = match_by_sigma(np.array([20.0, 21.0]), np.array([1.0, 1.0]), np.array([21.5, 18.0]))
    assert matched.tolist() == [18.0, 21.5]
