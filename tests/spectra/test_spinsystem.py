"""Second-order 1H lines: AB quartet in closed form, ABX against a brute-force Hamiltonian,
first-order limit, clusters, and the simulator's labels."""

from __future__ import annotations

import numpy as np
import pytest

from shiftnet.spectra import simulate
from shiftnet.spectra.multiplets import multiplet
from shiftnet.spectra.spinsystem import MAX_SPINS, cluster_lines, spin_system_lines, strong_clusters


def brute_force_lines(shifts_hz: np.ndarray, j_hz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lines from the full Hamiltonian built with Kronecker products (no blocks, no shortcuts),
    intensities scaled to sum to the number of spins."""
    n = shifts_hz.size
    ix, iy, iz = (np.array(m, dtype=complex) / 2 for m in ([[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]))

    def op(single: np.ndarray, k: int) -> np.ndarray:
        out = np.eye(1)
        for i in range(n):
            out = np.kron(out, single if i == k else np.eye(2))
        return out

    h = sum(shifts_hz[k] * op(iz, k) for k in range(n))
    for a in range(n):
        for b in range(a + 1, n):
            h = h + j_hz[a, b] * sum(op(m, a) @ op(m, b) for m in (ix, iy, iz))
    energy, vectors = np.linalg.eigh(h)
    lowering = sum(op(ix - 1j * iy, k) for k in range(n))
    amplitude = vectors.conj().T @ lowering @ vectors          # <f| F- |i>
    freqs = energy[None, :] - energy[:, None]
    intensity = np.abs(amplitude) ** 2
    keep = intensity > 1e-8
    return freqs[keep], intensity[keep] * n / intensity.sum()


def _spectrum(freqs: np.ndarray, amps: np.ndarray, grid: np.ndarray, width: float = 0.3) -> np.ndarray:
    return (amps[None, :] / (1 + ((grid[:, None] - freqs[None, :]) / width) ** 2)).sum(axis=1)


def test_ab_quartet_exact_positions_and_intensities():
    """J = 15 Hz, delta nu = 20 Hz, centre 1600 Hz (400 MHz): lines at 1580, 1595, 1605, 1620 Hz,
    outer/inner = (1 - sin 2t) / (1 + sin 2t) with tan 2t = J / delta nu = 0.25, i.e. 0.2/0.8/0.8/0.2."""
    freqs, amps, owners = cluster_lines(np.array([1610.0, 1590.0]), np.array([[0.0, 15.0], [15.0, 0.0]]),
                                        np.array([0, 1]))
    order = np.argsort(freqs)
    np.testing.assert_allclose(freqs[order], [1580.0, 1595.0, 1605.0, 1620.0], atol=1e-9)
    np.testing.assert_allclose(amps[order] / 2, [0.1, 0.4, 0.4, 0.1], atol=1e-12)
    np.testing.assert_array_equal(owners[order], [1, 1, 0, 0])


def test_ab_quartet_through_simulate_labels():
    sim = simulate([1610.0 / 400.0, 1590.0 / 400.0], nucleus="1H", obs_mhz=400.0, couplings=[(0, 1, 15.0)],
                   n_points=16384, sw_ppm=10.0, carrier_ppm=0.0, linewidth_hz=0.5)
    lines = sim.peaks.sort_values("shift_ppm")
    np.testing.assert_allclose(lines["shift_ppm"] * 400.0, [1580.0, 1595.0, 1605.0, 1620.0], atol=1e-6)
    np.testing.assert_allclose(lines["amplitude"] / lines["amplitude"].sum(), [0.1, 0.4, 0.4, 0.1], atol=1e-9)
    assert list(lines["atom_indices"]) == [(1,), (1,), (0,), (0,)]
    first = simulate([1610.0 / 400.0, 1590.0 / 400.0], nucleus="1H", obs_mhz=400.0, couplings=[(0, 1, 15.0)],
                     n_points=16384, sw_ppm=10.0, carrier_ppm=0.0, second_order=False)
    assert np.max(np.abs(np.sort(first.peaks["shift_ppm"]) * 400.0 - [1580, 1595, 1605, 1620])) == pytest.approx(2.5)


@pytest.mark.parametrize("shifts, couplings", [
    ([1000.0, 1012.0, 1400.0], {(0, 1): 16.0, (0, 2): 7.0, (1, 2): 3.0}),          # ABX
    ([500.0, 505.0, 530.0, 560.0], {(0, 1): 8.0, (1, 2): 7.5, (2, 3): 9.0, (0, 3): 1.5}),  # ABCD
])
def test_cluster_matches_brute_force(shifts, couplings):
    shifts = np.asarray(shifts)
    j = np.zeros((shifts.size, shifts.size))
    for (a, b), value in couplings.items():
        j[a, b] = j[b, a] = value
    freqs, amps, _ = cluster_lines(shifts, j, np.arange(shifts.size))
    ref_freqs, ref_amps = brute_force_lines(shifts, j)
    grid = np.linspace(shifts.min() - 60, shifts.max() + 60, 8000)
    ours, theirs = _spectrum(freqs, amps, grid), _spectrum(ref_freqs, ref_amps, grid)
    assert np.max(np.abs(ours - theirs)) < 1e-3 * theirs.max()   # dropped lines < 1e-4 each
    assert amps.sum() == pytest.approx(shifts.size)


def test_weak_coupling_stays_first_order():
    """AX (delta nu = 40 J): no cluster, the lines are the first-order doublets with roofing."""
    shifts = np.array([1000.0, 1280.0])
    assert strong_clusters(shifts, np.array([[0.0, 7.0], [7.0, 0.0]]), np.array([0, 1])) == []
    lines = spin_system_lines(shifts, [(0, 1, 7.0)], np.array([0, 1]))
    offsets, weights = multiplet(np.array([7.0]), np.array([280.0]))
    np.testing.assert_allclose(lines[0][1], offsets)
    np.testing.assert_allclose(lines[0][2], weights)


def test_large_network_keeps_strong_clusters_exact():
    """Twelve spins in a chain: too many for one cluster; the strong pairs are solved exactly."""
    shifts = np.concatenate([np.arange(6) * 200.0, np.arange(6) * 200.0 + 6.0])
    couplings = [(i, i + 6, 10.0) for i in range(6)] + [(i, i + 1, 2.0) for i in range(5)]
    j = np.zeros((12, 12))
    for a, b, value in couplings:
        j[a, b] = j[b, a] = value
    clusters = strong_clusters(shifts, j, np.arange(12))
    assert len(clusters) == 6 and all(c.size == 2 for c in clusters) and MAX_SPINS < 12
    lines = spin_system_lines(shifts, couplings, np.arange(12))
    assert sum(w.sum() for _, _, w, _ in lines) == pytest.approx(12.0)
