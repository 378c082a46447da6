"""Round trips across the spectra package: simulate -> process -> labelled peaks, write -> read."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from shiftnet import spectra
from shiftnet.spectra import steps
from shiftnet.spectra.fourier import fid_to_spectrum, spectrum_to_fid
from shiftnet.spectra.peaks import apex


def _apex_ppm(data: np.ndarray, scale, ppm: float) -> float:
    """ppm of the apex of the line nearest to ``ppm`` in a real 1D trace."""
    return float(scale.point_to_ppm(apex(data, int(round(scale.ppm_to_point(ppm))))))


# ----------------------------------------------------------------------------- 1D

@pytest.mark.parametrize("nucleus, shifts, kwargs", [
    ("13C", [30.0, 77.0, 150.0], dict(n_points=8192)),
    ("1H", [0.9, 3.7, 7.21], dict(n_points=8192, linewidth_hz=1.5)),
])
@pytest.mark.parametrize("phase_deg", [(0.0, 0.0), (50.0, -80.0)])
def test_simulated_1d_peaks_come_back_at_their_ppm(nucleus, shifts, kwargs, phase_deg):
    sim = spectra.simulate(shifts, nucleus=nucleus, phase_deg=phase_deg, snr=200, **kwargs)
    spec = spectra.process(sim.fid)
    scale = spec.scale()
    assert spec.data.max() > 0 and spec.data.min() > -0.05 * spec.data.max()   # phased, not mirrored
    for ppm in sim.peaks["shift_ppm"]:
        assert abs(_apex_ppm(spec.data, scale, ppm) - ppm) < 0.5 * scale.ppm_per_point, ppm


def test_second_order_abx_lines_come_back_where_labelled():
    """A strongly coupled ABX system (exact lines, not first order) with a phase error and a
    baseline roll: every labelled line of at least 5 % of the tallest is found within 0.1 Hz."""
    shifts = [2.50, 2.53, 4.10]                           # 400 MHz: A-B 12 Hz apart, J_AB 16 Hz
    couplings = [(0, 1, 16.0), (0, 2, 7.0), (1, 2, 4.5)]
    sim = spectra.simulate(shifts, nucleus="1H", obs_mhz=400.0, couplings=couplings, n_points=32768,
                           sw_ppm=10.0, carrier_ppm=4.0, linewidth_hz=0.4, snr=5000, phase_deg=(30.0, -20.0),
                           baseline=0.03, seed=2)
    spec = spectra.process(sim.fid, reference=None, lb_hz=0.0, size=65536)
    scale = spec.scale()
    strong = sim.peaks[sim.peaks["height"] > 0.05 * sim.peaks["height"].max()]
    assert len(strong) >= 10
    for ppm in strong["shift_ppm"]:
        assert abs(_apex_ppm(spec.data, scale, ppm) - ppm) * 400.0 < 0.1, ppm


def test_processing_without_apodisation_equals_the_simulators_spectrum():
    """One forward transform: process() with no window, zero-filling or phasing is sim.spectrum."""
    sim = spectra.simulate([30.0, 77.0, 150.0], nucleus="13C", n_points=4096)
    spec = spectra.process(sim.fid, window=None, size=4096, phase=None, baseline=None, reference=None)
    np.testing.assert_allclose(spec.data, sim.spectrum.data, atol=1e-9 * np.abs(sim.spectrum.data).max())
    np.testing.assert_allclose(spec.ppm, sim.spectrum.ppm)


# ----------------------------------------------------------------------------- HSQC

#: Ibuprofen's protonated carbons: (13C ppm, 1H ppm, number of H); one CH2.
IBUPROFEN_CH = [(22.4, 0.90, 3), (22.4, 0.90, 3), (30.2, 1.85, 1), (45.0, 2.45, 2), (44.9, 3.70, 1),
                (18.1, 1.50, 3), (129.4, 7.10, 1), (129.4, 7.10, 1), (127.3, 7.21, 1), (127.3, 7.21, 1)]


def _prediction() -> SimpleNamespace:
    """A prediction result made by hand (carbons first, then their H), as simulate() reads it."""
    rows = [("13C", c, shift, False, -1) for c, (shift, _, _) in enumerate(IBUPROFEN_CH)]
    h = len(IBUPROFEN_CH)
    for c, (_, shift, n_h) in enumerate(IBUPROFEN_CH):
        rows += [("1H", h + k, shift, False, c) for k in range(n_h)]
        h += n_h
    table = pd.DataFrame(rows, columns=["nucleus", "atom_index", "shift_ppm", "exchangeable", "parent_index"])
    return SimpleNamespace(mol=object(), shifts=table, ok=True)


def _phase_hsqc(fid: spectra.FID, f1_deg: float, f2_deg: tuple[float, float]) -> spectra.FID:
    """Apply a known F1 zero-order and F2 (zero, first)-order phase error to a States FID."""
    spec = steps.phase_shift(fid_to_spectrum(fid.data), *f2_deg)
    data = spectrum_to_fid(spec)
    cos, sin = data[0::2], data[1::2]
    turn = np.deg2rad(f1_deg)
    out = np.empty_like(data)
    out[0::2] = cos * np.cos(turn) - sin * np.sin(turn)   # (cos + i sin) * exp(i turn), per t1 increment
    out[1::2] = cos * np.sin(turn) + sin * np.cos(turn)
    return spectra.FID(data=out, nucleus=fid.nucleus, obs_mhz=fid.obs_mhz, sw_hz=fid.sw_hz,
                       carrier_ppm=fid.carrier_ppm, quadrature_f1=fid.quadrature_f1)


@pytest.mark.parametrize("edited", [False, True])
@pytest.mark.parametrize("phased", [False, True])
def test_simulated_hsqc_cross_peaks_come_back_at_their_ppm(edited, phased):
    sim = spectra.simulate(_prediction(), nucleus="HSQC", edited=edited, snr=500,
                           linewidth_hz=(40.0, 4.0))
    fid = _phase_hsqc(sim.fid, 35.0, (-60.0, 45.0)) if phased else sim.fid
    spec = spectra.process(fid, allow_negative=edited)
    s1, s2 = spec.scale(0), spec.scale(1)
    for peak in sim.peaks.itertuples():
        sign = np.sign(peak.amplitude)
        row, col = int(round(s1.ppm_to_point(peak.shift_ppm_f1))), int(round(s2.ppm_to_point(peak.shift_ppm_f2)))
        window = sign * spec.data[max(row - 3, 0):row + 4, max(col - 3, 0):col + 4]
        r, c = np.unravel_index(np.argmax(window), window.shape)
        row, col = max(row - 3, 0) + r, max(col - 3, 0) + c
        expected = abs(peak.height) / np.abs(sim.peaks["height"]).max() * np.abs(spec.data).max()
        assert sign * spec.data[row, col] > 0.5 * expected                         # right sign and height
        assert abs(_apex_ppm(sign * spec.data[:, col], s1, peak.shift_ppm_f1) - peak.shift_ppm_f1) \
            < 0.5 * s1.ppm_per_point
        assert abs(_apex_ppm(sign * spec.data[row], s2, peak.shift_ppm_f2) - peak.shift_ppm_f2) \
            < 0.5 * s2.ppm_per_point
    assert (np.sign(sim.peaks["amplitude"]) < 0).any() == edited


# ----------------------------------------------------------------------------- write -> read

@pytest.mark.parametrize("fmt", ["bruker", "pipe"])
@pytest.mark.parametrize("nucleus, source", [("13C", [30.0, 77.0, 150.0]), ("HSQC", [(1.2, 20.0), (3.5, 60.0)])])
def test_write_then_read_gives_the_same_fid(tmp_path, fmt, nucleus, source):
    sim = spectra.simulate(source, nucleus=nucleus, snr=50, n_points=(64, 300) if nucleus == "HSQC" else 1000)
    path = spectra.write(sim.fid, tmp_path / "out", format=fmt)
    back = spectra.read(path)
    exact = fmt == "bruker"                                  # Bruker: float64, NMRPipe: float32
    rtol = 0.0 if exact else 1e-6
    np.testing.assert_allclose(back.data, sim.fid.data, rtol=0, atol=rtol * np.abs(sim.fid.data).max())
    for name in ("sw_hz", "obs_mhz", "carrier_ppm"):
        np.testing.assert_allclose(getattr(back, name), getattr(sim.fid, name), rtol=1e-7)
    assert back.nucleus == sim.fid.nucleus and back.quadrature_f1 == sim.fid.quadrature_f1
    assert back.group_delay == 0.0


def test_bruker_write_keeps_group_delay_and_the_processed_spectrum(tmp_path):
    sim = spectra.simulate([30.0, 150.0], nucleus="13C", n_points=2048)
    delayed = spectra.FID(data=sim.fid.data, nucleus=sim.fid.nucleus, obs_mhz=sim.fid.obs_mhz,
                          sw_hz=sim.fid.sw_hz, carrier_ppm=sim.fid.carrier_ppm, group_delay=67.98)
    back = spectra.read(spectra.write(delayed, tmp_path / "1", format="bruker"))
    assert back.group_delay == pytest.approx(67.98)
    plain = spectra.read(spectra.write(sim.fid, tmp_path / "2", format="bruker"))
    np.testing.assert_allclose(spectra.process(plain).data, spectra.process(sim.fid).data, atol=1e-9)


def test_write_refuses_existing_output_and_the_input(tmp_path):
    sim = spectra.simulate([30.0], nucleus="13C", n_points=256)
    path = spectra.write(sim.fid, tmp_path / "out.fid", format="pipe")
    with pytest.raises(FileExistsError):
        spectra.write(sim.fid, path, format="pipe")
    back = spectra.read(path)
    with pytest.raises(ValueError, match="read from"):
        spectra.write(back, path, format="pipe", overwrite=True)
    with pytest.raises(ValueError, match="unknown format"):
        spectra.write(sim.fid, tmp_path / "x", format="jcampdx")


# ----------------------------------------------------------------------------- light import

def test_importing_spectra_loads_neither_torch_nor_rdkit():
    code = "import shiftnet.spectra, sys; assert 'torch' not in sys.modules and 'rdkit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_simulating_a_shift_list_loads_no_rdkit():
    code = ("import sys; from shiftnet import spectra; spectra.simulate([1.0, 2.0], nucleus='1H', "
            "couplings=[(0, 1, 7.0)], n_points=512); assert 'rdkit' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
