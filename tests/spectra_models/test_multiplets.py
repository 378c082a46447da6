"""1H multiplets: grouping, integrals and first-order J of a simulated ethyl group."""

from __future__ import annotations

import numpy as np
import pytest

from shiftnet import spectra
from shiftnet.spectra_models.multiplets import first_order, pick_multiplets


def test_ethyl_group_triplet_and_quartet():
    """CNN lines (the threshold picker also takes noise bumps on the tails between lines)."""
    couplings = [(i, j, 7.1) for i in range(3) for j in (3, 4)]
    sim = spectra.simulate([1.2] * 3 + [3.6] * 2, nucleus="1H", snr=300, couplings=couplings, seed=1)
    frame = pick_multiplets(sim.spectrum, total_h=5).frame
    assert frame["multiplicity"].tolist() == ["q", "t"]
    assert np.allclose(frame["shift_ppm"], [3.6, 1.2], atol=0.002)
    assert np.allclose(frame["integral"], [2.0, 3.0], rtol=0.05)
    for j in frame["j_hz"]:
        assert j[0] == pytest.approx(7.1, abs=0.3)


def test_first_order_patterns():
    assert first_order(np.array([0.0]), np.array([1.0])) == ("s", ())
    assert first_order(np.array([0.0, 7.0, 14.0]), np.array([1.0, 2.0, 1.0])) == ("t", (7.0,))
    assert first_order(np.array([0.0, 2.0, 12.0, 14.0]), np.ones(4)) == ("dd", (12.0, 2.0))
    assert first_order(np.array([0.0, 3.0, 11.0]), np.ones(3))[0] == "m"


def test_first_order_sets_minor_lines_aside():
    # a doublet (J 8 Hz) with two weak strong-coupling lines beside it
    assert first_order(np.array([-2.5, 0.0, 8.0, 10.4]), np.array([0.2, 1.0, 0.9, 0.15])) == ("d", (8.0,))
    # a quartet's outer lines (1/3 of the inner ones) are part of the pattern, not minor lines
    assert first_order(np.array([0.0, 7.0, 14.0, 21.0]), np.array([1.0, 3.0, 3.0, 1.0])) == ("q", (7.0,))
    # strong extra lines are not set aside: no pattern
    assert first_order(np.array([-3.7, 0.0, 8.0, 10.4]), np.array([0.6, 1.0, 0.9, 0.5]))[0] == "m"


def test_pick_multiplets_needs_a_1d_spectrum():
    with pytest.raises(ValueError, match="1D Spectrum"):
        pick_multiplets(np.ones(100))
