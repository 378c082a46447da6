"""Hidden overlaps: a merged pick of two Lorentzians one linewidth apart is split, single lines
and weak shoulders are not."""

from __future__ import annotations

import numpy as np
import pytest

from shiftnet import spectra
from shiftnet.spectra_models.overlaps import lorentzian, resolve_overlaps
from shiftnet.spectra_models.peak_model import Candidates
from shiftnet.spectra_models.picking import pick_peaks

N = 16384
HZ_PER_POINT = 240.0 * 125.7 / N
X = np.arange(4096, dtype=float)


def one_pick(centre: float, height: float, width: float) -> Candidates:
    return Candidates(index=np.array([centre]), height=np.array([height]), width_points=np.array([width]),
                      confidence=np.array([0.9]))


def noisy(*lines: tuple[float, float, float], seed: int = 0) -> np.ndarray:
    """Sum of Lorentzians ``(centre, height, width)`` plus white noise of std 1."""
    data = sum(lorentzian(X, *line) for line in lines)
    return data + np.random.default_rng(seed).normal(size=X.size)


def test_a_merged_pair_is_split_at_its_true_positions():
    data = noisy((2000.0, 30.0, 4.0), (2004.0, 30.0, 4.0))
    out = resolve_overlaps(data, 1.0, one_pick(2002.0, 50.0, 7.5), min_snr=3.0)
    assert np.sort(out.index) == pytest.approx([2000.0, 2004.0], abs=0.5)
    assert np.allclose(out.height, 30.0, rtol=0.25) and np.allclose(out.width_points, 4.0, rtol=0.25)


def test_a_single_line_and_a_weak_shoulder_stay_one():
    single = noisy((2000.0, 200.0, 4.0), seed=1)
    assert resolve_overlaps(single, 1.0, one_pick(2000.0, 200.0, 4.0), 3.0).index.size == 1
    # a line at 15 % of its neighbour, one linewidth off: fitted as two, but under MIN_RATIO
    shoulder = noisy((2000.0, 1000.0, 4.0), (2004.0, 150.0, 4.0), seed=2)
    assert resolve_overlaps(shoulder, 1.0, one_pick(2000.5, 1000.0, 4.6), 3.0).index.size == 1


def test_pick_peaks_resolves_narrow_lines_one_linewidth_apart():
    """2.1-point lines 2.1 points apart: the CNN alone reports one line, the split gives both."""
    ppm = 230.0 - np.array([5000.3, 5002.4, 11000.0]) * 240.0 / N
    sim = spectra.simulate(ppm.tolist(), nucleus="13C", n_points=N, linewidth_hz=2.1 * HZ_PER_POINT, snr=20, seed=0)
    merged = pick_peaks(sim.spectrum, split_overlaps=False).frame["index"].to_numpy()
    split = pick_peaks(sim.spectrum).frame["index"].to_numpy()
    assert merged.size == 2
    assert split.size == 3 and np.abs(split - sim.peaks["index"].to_numpy()).max() < 0.5
