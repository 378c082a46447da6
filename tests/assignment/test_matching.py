"""Grouped optimal matching of unassigned peak lists."""

import numpy as np

from shiftnet.assignment.matching import match_groups


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
