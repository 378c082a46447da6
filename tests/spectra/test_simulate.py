"""Simulated spectra: peaks where they were placed, exact labels, noise, phase, bad input."""

from __future__ import annotations

from types import SimpleNamespace

import nmrglue as ng
import numpy as np
import pandas as pd
import pytest
from rdkit import Chem
from scipy.signal import find_peaks

from shiftnet.spectra.core import PPMScale
from shiftnet.spectra.fourier import fid_to_spectrum, spectrum_to_fid
from shiftnet.spectra.lines import simulate_fids
from shiftnet.spectra.simulate import SimulatedSpectrum, simulate

C13 = dict(nucleus="13C", obs_mhz=125.7, n_points=16384, sw_ppm=240.0, linewidth_hz=2.0)


def zero_filled(sim: SimulatedSpectrum, factor: int) -> np.ndarray:
    """Real spectrum of the clean FID zero-filled ``factor`` times (the exact in-between values)."""
    fid = spectrum_to_fid(sim.clean.data + 1j * sim.clean.imag)
    padded = np.zeros(fid.size * factor, dtype=complex)
    padded[: fid.size] = fid
    return fid_to_spectrum(padded).real


def ethanol() -> SimpleNamespace:
    """Ethanol with explicit H and a hand-made shift table in the shiftnet.predict layout."""
    mol = Chem.AddHs(Chem.MolFromSmiles("CCO"))
    rows = [(0, 0, "C", "13C", 18.4, False), (1, 1, "C", "13C", 58.3, False)]
    for atom in mol.GetAtoms():
        if atom.GetAtomicNum() == 1:
            parent = atom.GetNeighbors()[0].GetIdx()
            shift = {0: 1.22, 1: 3.69, 2: 2.61}[parent]
            rows.append((atom.GetIdx(), parent, "H", "1H", shift, parent == 2))
    table = pd.DataFrame(rows, columns=["atom_index", "parent_index", "element", "nucleus", "shift_ppm", "exchangeable"])
    table["sigma_ppm"] = 0.1
    return SimpleNamespace(ok=True, error=None, mol=mol, shifts=table)


def h_of(mol: Chem.Mol, heavy: int) -> tuple[int, ...]:
    return tuple(sorted(n.GetIdx() for n in mol.GetAtomWithIdx(heavy).GetNeighbors() if n.GetAtomicNum() == 1))


def test_public_name_is_the_function():
    from shiftnet import spectra
    assert spectra.simulate([30.0], n_points=1024, linewidth_hz=5.0).peaks.shape[0] == 1


def test_three_carbons_give_three_peaks_where_placed_with_heights_per_nucleus():
    shifts = [30.0, 30.0, 75.0, 140.0, 140.0, 140.0]
    sim = simulate(shifts, **C13)
    data = sim.clean.data
    found, _ = find_peaks(data, height=0.1 * data.max())
    scale = sim.clean.scale()
    expected = np.round(scale.ppm_to_point([140.0, 75.0, 30.0])).astype(int)
    np.testing.assert_array_equal(found, expected)
    assert list(sim.peaks["shift_ppm"]) == [140.0, 75.0, 30.0]
    assert list(sim.peaks["atom_indices"]) == [(3, 4, 5), (2,), (0, 1)]
    heights = sim.peaks["height"].to_numpy()
    np.testing.assert_allclose(heights / heights[1], [3.0, 1.0, 2.0], rtol=0.01)


def test_label_height_is_the_spectrum_value_at_the_label_point():
    sim = simulate([12.345, 77.0001, 201.7], **C13)
    factor = 64
    fine = zero_filled(sim, factor)
    at_label = fine[np.round(sim.peaks["index"].to_numpy() * factor).astype(int)]
    np.testing.assert_allclose(at_label, sim.peaks["height"], rtol=0.01)
    # a line placed on a grid point: exact to rounding
    scale = sim.clean.scale()
    on_grid = simulate([float(scale.point_to_ppm(5000))], **C13)
    assert on_grid.peaks["index"].iloc[0] == pytest.approx(5000.0, abs=1e-9)
    assert on_grid.clean.data[5000] == pytest.approx(on_grid.peaks["height"].iloc[0], rel=1e-9)
    assert np.argmax(on_grid.clean.data) == 5000


def test_line_maximum_lies_at_ppm_to_point():
    sim = simulate([98.7654], **C13)
    factor = 64
    fine = zero_filled(sim, factor)
    expected = PPMScale(C13["n_points"], 240.0 * 125.7, 125.7, 110.0).ppm_to_point(98.7654)
    assert abs(np.argmax(fine) / factor - expected) <= 1.0 / factor


def test_simulated_fid_matches_nmrpipe_fft_orientation():
    """The FID convention is NMRPipe's: its (positive-exponent) FT gives the spectrum as is."""
    sim = simulate([150.0, 20.0], **C13)
    fid = sim.fid.data.copy()
    fid[0] *= 0.5
    np.testing.assert_allclose(ng.proc_base.fft_positive(fid).real, sim.spectrum.data, atol=1e-8 * sim.spectrum.data.max())


def test_ethanol_1h_multiplets_from_a_hand_made_table():
    mol_result = ethanol()
    j = 7.0
    sim = simulate(mol_result, nucleus="1H", obs_mhz=400.0, n_points=32768, sw_ppm=12.0, carrier_ppm=5.0,
                   linewidth_hz=0.5, roofing=False)
    signals = sim.signals.set_index("shift_ppm")
    assert signals.loc[1.22, "multiplicity"] == "t" and signals.loc[3.69, "multiplicity"] == "q"
    assert signals.loc[2.61, "multiplicity"] == "s"
    assert signals.loc[1.22, "atom_indices"] == h_of(mol_result.mol, 0)
    assert signals.loc[3.69, "atom_indices"] == h_of(mol_result.mol, 1)
    for shift, pattern in ((1.22, [1, 2, 1]), (3.69, [1, 3, 3, 1]), (2.61, [1])):
        lines = sim.peaks[np.isclose(sim.peaks["shift_ppm"], shift, atol=0.05)].sort_values("shift_ppm")
        np.testing.assert_allclose(lines["amplitude"] / lines["amplitude"].min(), pattern, rtol=1e-9)
        np.testing.assert_allclose(np.diff(lines["shift_ppm"]) * 400.0, j, rtol=1e-9)
        np.testing.assert_allclose(lines["height"] / lines["height"].min(), pattern, rtol=0.02)
        assert lines["amplitude"].sum() == pytest.approx(len(signals.loc[shift, "atom_indices"]))
    # the same multiplets seen in the spectrum itself
    data = sim.clean.data
    found, _ = find_peaks(data, height=0.05 * data.max())
    ppm = sim.clean.ppm[found]
    assert np.sum(np.abs(ppm - 1.22) < 0.05) == 3 and np.sum(np.abs(ppm - 3.69) < 0.05) == 4
    spacing = np.diff(np.sort(ppm[np.abs(ppm - 3.69) < 0.05])) * 400.0
    np.testing.assert_allclose(spacing, j, atol=sim.clean.scale().hz_per_point)


def test_roofing_leans_toward_the_partner():
    sim = simulate(ethanol(), nucleus="1H", n_points=16384, linewidth_hz=1.0)
    triplet = sim.peaks[np.isclose(sim.peaks["shift_ppm"], 1.22, atol=0.05)].sort_values("shift_ppm")
    quartet = sim.peaks[np.isclose(sim.peaks["shift_ppm"], 3.69, atol=0.05)].sort_values("shift_ppm")
    assert triplet["amplitude"].iloc[-1] > triplet["amplitude"].iloc[0]   # CH3 leans up toward CH2
    assert quartet["amplitude"].iloc[0] > quartet["amplitude"].iloc[-1]   # CH2 leans down toward CH3


def test_ethylbenzene_aromatic_multiplicities():
    mol = Chem.AddHs(Chem.MolFromSmiles("CCc1ccccc1"))
    heavy = {0: ("13C", 15.6), 1: ("13C", 28.9), 2: ("13C", 144.2), 3: ("13C", 127.9), 4: ("13C", 128.3),
             5: ("13C", 125.6), 6: ("13C", 128.3), 7: ("13C", 127.9)}
    h_shift = {0: 1.24, 1: 2.65, 3: 7.20, 4: 7.28, 5: 7.18, 6: 7.28, 7: 7.20}
    rows = [(i, i, "C", n, s, False) for i, (n, s) in heavy.items()]
    rows += [(h, p, "H", "1H", h_shift[p], False) for p in h_shift for h in h_of(mol, p)]
    table = pd.DataFrame(rows, columns=["atom_index", "parent_index", "element", "nucleus", "shift_ppm", "exchangeable"])
    sim = simulate(SimpleNamespace(ok=True, mol=mol, shifts=table), nucleus="1H", n_points=16384)
    signals = sim.signals.set_index("shift_ppm")
    assert signals.loc[7.18, "multiplicity"] == "tt"          # para H: 2 ortho (7.7) + 2 meta (1.5)
    assert signals.loc[7.18, "n_nuclei"] == 1
    assert signals.loc[7.28, "n_nuclei"] == 2
    assert signals.loc[1.24, "multiplicity"] == "t" and signals.loc[2.65, "multiplicity"] == "q"
    c13 = simulate(SimpleNamespace(ok=True, mol=mol, shifts=table), **C13)
    assert len(c13.peaks) == 6
    assert c13.peaks.set_index("shift_ppm").loc[128.3, "atom_indices"] == (4, 6)


def test_hsqc_cross_peaks_at_placed_pairs():
    scale_c = PPMScale(128, 165.0 * 500.0 * 0.25145020, 500.0 * 0.25145020, 75.0)
    scale_h = PPMScale(1024, 12.0 * 500.0, 500.0, 5.0)
    pairs = [(float(scale_h.point_to_ppm(700)), float(scale_c.point_to_ppm(100))),
             (float(scale_h.point_to_ppm(300)), float(scale_c.point_to_ppm(40)))]
    sim = simulate(pairs, nucleus="HSQC", n_points=(128, 1024), linewidth_hz=(120.0, 6.0))
    data = sim.clean.data
    assert sim.peaks[["index_f1", "index_f2"]].round(9).values.tolist() == [[40.0, 300.0], [100.0, 700.0]]
    for _, peak in sim.peaks.iterrows():
        i, k = int(round(peak["index_f1"])), int(round(peak["index_f2"]))
        window = data[i - 5: i + 6, k - 5: k + 6]
        assert np.unravel_index(np.argmax(window), window.shape) == (5, 5)
        assert data[i, k] == pytest.approx(peak["height"], rel=1e-6)
    assert sim.fid.data.shape == (256, 1024) and sim.fid.quadrature_f1 == "States"


def test_hsqc_from_a_structure_table_edited():
    sim = simulate(ethanol(), nucleus="HSQC", edited=True)
    peaks = {row.atom_indices: row for row in sim.peaks.itertuples()}
    assert set(peaks) == {(0,), (1,)}                              # no cross peak for OH
    assert peaks[(0,)].amplitude == 3.0 and peaks[(1,)].amplitude == -2.0
    assert (peaks[(1,)].shift_ppm_f1, peaks[(1,)].shift_ppm_f2) == (58.3, 3.69)
    assert peaks[(1,)].h_indices == h_of(ethanol().mol, 1)
    assert peaks[(1,)].height < 0 < peaks[(0,)].height


def test_measured_snr_matches_requested():
    sim = simulate([40.0, 120.0], **C13, snr=50.0, seed=3)
    noise = (sim.spectrum.data - sim.clean.data)
    assert noise.std() == pytest.approx(sim.params["noise_sigma"], rel=0.03)
    empty = sim.spectrum.data[:3000]                              # 230..186 ppm: no signal
    assert sim.peaks["height"].max() / empty.std() == pytest.approx(50.0, rel=0.05)


def test_hsqc_snr():
    sim = simulate([(1.0, 20.0)], nucleus="HSQC", n_points=(128, 512), snr=20.0, seed=1)
    noise = sim.spectrum.data - sim.clean.data
    assert sim.peaks["height"].max() / noise.std() == pytest.approx(20.0, rel=0.05)


def test_same_seed_same_arrays_other_seed_differs():
    kwargs = dict(**C13, snr=30.0, baseline=0.1, phase_deg=(5.0, 10.0))
    a, b, c = simulate([50.0], **kwargs, seed=7), simulate([50.0], **kwargs, seed=7), simulate([50.0], **kwargs, seed=8)
    np.testing.assert_array_equal(a.fid.data, b.fid.data)
    np.testing.assert_array_equal(a.spectrum.data, b.spectrum.data)
    assert not np.allclose(a.fid.data, c.fid.data)


def test_phase_error_is_visible_and_undone_by_nmrglue_ps():
    scale = PPMScale(C13["n_points"], 240.0 * 125.7, 125.7, 110.0)
    on_grid = [float(scale.point_to_ppm(p)) for p in (3000, 9000)]
    sim = simulate(on_grid, **C13, phase_deg=(90.0, 0.0))
    points = np.round(sim.peaks["index"].to_numpy()).astype(int)
    clean_at = sim.clean.data[points]
    assert np.all(np.abs(sim.spectrum.data[points]) < 0.01 * clean_at)
    np.testing.assert_allclose(np.abs(sim.spectrum.imag[points]), clean_at, rtol=1e-6)
    first = simulate(on_grid, **C13, phase_deg=(20.0, 120.0))
    assert not np.allclose(first.spectrum.data[points], clean_at, rtol=0.05)
    complex_spec = first.spectrum.data + 1j * first.spectrum.imag
    undone = ng.proc_base.ps(complex_spec, p0=-20.0, p1=-120.0).real
    np.testing.assert_allclose(undone[points], clean_at, rtol=0.01)


def test_baseline_error_is_smooth_and_scaled():
    sim = simulate([60.0], **C13, baseline=0.05, seed=2)
    offset = sim.spectrum.data - sim.clean.data
    assert np.abs(offset).max() == pytest.approx(0.05 * sim.peaks["height"].max(), rel=1e-6)
    # a cubic: Markov's inequality bounds its slope by 9 max|b| per unit of [-1, 1]
    assert np.abs(np.diff(offset)).max() <= 18.0 / (offset.size - 1) * np.abs(offset).max() * (1 + 1e-6)
    assert np.abs(offset).min() < 0.5 * np.abs(offset).max()


def test_solvent_and_impurity_peaks():
    c13 = simulate([20.0], **C13, solvent="CDCl3")
    triplet = c13.peaks[c13.peaks["source"] == "solvent"].sort_values("shift_ppm")
    np.testing.assert_allclose(triplet["shift_ppm"], [77.16 - 32.0 / 125.7, 77.16, 77.16 + 32.0 / 125.7])
    np.testing.assert_allclose(triplet["amplitude"], 1 / 3)
    assert triplet["atom_indices"].tolist() == [(), (), ()]
    h1 = simulate([3.0], nucleus="1H", n_points=16384, solvent="cdcl3", impurities=["TMS", (2.17, 0.5)])
    extra = h1.peaks[h1.peaks["source"] != "sample"]
    assert sorted(extra["shift_ppm"].round(2)) == [0.0, 1.56, 2.17, 7.26]
    with pytest.raises(ValueError, match="unknown solvent"):
        simulate([3.0], nucleus="1H", solvent="toluene-d8")


def test_batched_fids_equal_single_fids_and_padding_is_silent():
    scale = PPMScale(4096, 240.0 * 125.7, 125.7, 110.0)
    shifts = np.array([[20.0, 50.0, 100.0], [30.0, np.nan, np.nan]])
    amps = np.array([[1.0, 2.0, 3.0], [1.5, 0.0, 0.0]])
    batch = simulate_fids(shifts, amps, 3.0, scale)
    np.testing.assert_allclose(batch[0], simulate_fids(shifts[0], amps[0], 3.0, scale), atol=1e-12)
    np.testing.assert_allclose(batch[1], simulate_fids(shifts[1, :1], amps[1, :1], 3.0, scale), atol=1e-12)
    k = np.arange(4096)
    z = np.exp((2j * np.pi * (30.0 - 110.0) * 125.7 - np.pi * 3.0) / scale.sw_hz)
    np.testing.assert_allclose(batch[1], 1.5 * z**k, atol=1e-10)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_points=-8), "n_points"),
    (dict(n_points=1001), "n_points"),
    (dict(nucleus="19X"), "unknown nucleus"),
    (dict(linewidth_hz=0.0), "linewidth_hz"),
    (dict(snr=-1.0), "snr"),
    (dict(sw_ppm=float("nan")), "sw_ppm"),
])
def test_bad_parameters_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate([20.0], **{**dict(n_points=1024), **kwargs})


def test_bad_shifts_raise_value_error():
    with pytest.raises(ValueError, match="finite"):
        simulate([20.0, float("nan")], n_points=1024)
    with pytest.raises(ValueError, match="outside the spectral window"):
        simulate([300.0], n_points=1024)
    with pytest.raises(ValueError, match="empty"):
        simulate([], n_points=1024)
    with pytest.raises(ValueError, match="pairs"):
        simulate([1.0, 2.0], nucleus="HSQC")
    with pytest.raises(ValueError, match="1D spectra only"):
        simulate([(1.0, 20.0)], nucleus="HSQC", phase_deg=(10.0, 0.0))
    with pytest.raises(ValueError, match="no predicted shifts"):
        simulate(SimpleNamespace(ok=False, error="unsupported element", mol=None, shifts=None))


def test_structure_input_through_predict():
    from shiftnet import predict
    try:
        predict(["C"])
    except FileNotFoundError as err:                               # no shipped weights yet
        pytest.skip(str(err))
    sim = simulate("CCO", nucleus="13C", n_points=8192)
    assert sorted(sim.peaks["atom_indices"]) == [(0,), (1,)]
    h1 = simulate("CCO", nucleus="1H", n_points=8192)
    assert h1.peaks["amplitude"].sum() == pytest.approx(6.0)


def test_voigt_lines_have_the_voigt_width_and_labelled_heights():
    """A 4 Hz Lorentzian convolved with a 6 Hz Gaussian: FWHM 8.42 Hz (Olivero), apex height as labelled."""
    from shiftnet.spectra.simulate import voigt_fwhm

    sim = simulate([100.0], nucleus="13C", n_points=262144, linewidth_hz=4.0, gaussian_hz=6.0, snr=None)
    data, hz = sim.clean.data, sim.clean.scale().hz_per_point
    above = np.flatnonzero(data > 0.5 * data.max())
    assert (above[-1] - above[0] + 1) * hz == pytest.approx(voigt_fwhm(4.0, 6.0), abs=2 * hz)
    assert voigt_fwhm(4.0, 6.0) == pytest.approx(8.42, abs=0.01) and voigt_fwhm(4.0, 0.0) == pytest.approx(4.0, rel=1e-3)
    assert sim.peaks["width_hz"].iloc[0] == pytest.approx(voigt_fwhm(4.0, 6.0))
    assert sim.peaks["height"].iloc[0] == pytest.approx(data.max(), rel=1e-3)
    lorentz = simulate([100.0], nucleus="13C", n_points=262144, linewidth_hz=4.0, snr=None)
    assert sim.clean.data.sum() == pytest.approx(lorentz.clean.data.sum(), rel=1e-3)   # same area
    with pytest.raises(ValueError, match="gaussian_hz"):
        simulate([100.0], nucleus="13C", gaussian_hz=-1.0)
    with pytest.raises(ValueError, match="Gaussian"):
        simulate([(7.0, 120.0)], nucleus="HSQC", gaussian_hz=2.0)
