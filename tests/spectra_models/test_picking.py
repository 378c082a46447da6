"""Peak picking with the shipped CNN and the threshold picker on spectra whose peaks we placed."""

from __future__ import annotations

import numpy as np
import pytest

from shiftnet import spectra
from shiftnet.spectra.core import Spectrum
from shiftnet.spectra_models.metrics import match_peaks
from shiftnet.spectra_models.picking import COLUMNS_1D, COLUMNS_2D, pick_peaks, pick_peaks_many

N = 16384
HZ_PER_POINT = 240.0 * 125.7 / N


def placed(points, snr: float, width_points: float = 3.0, seed: int = 0, **kwargs):
    """A 13C spectrum (N points) with lines at the given fractional points."""
    ppm = 230.0 - np.asarray(points, float) * 240.0 / N
    return spectra.simulate(ppm.tolist(), nucleus="13C", n_points=N, linewidth_hz=width_points * HZ_PER_POINT,
                            snr=snr, seed=seed, **kwargs)


def test_cnn_finds_placed_peaks_within_half_a_point():
    truth = np.array([1000.3, 3000.7, 5200.1, 8000.5, 12000.9, 15000.0])
    sim = placed(truth, snr=50)
    peaks = pick_peaks(sim.spectrum, method="cnn")
    assert list(peaks.frame.columns) == COLUMNS_1D
    assert len(peaks.frame) == truth.size
    assert np.abs(peaks.frame["index"].to_numpy() - sim.peaks["index"].to_numpy()).max() <= 0.5
    assert np.allclose(peaks.frame["shift_ppm"], sim.peaks["shift_ppm"], atol=0.5 * 240.0 / N)
    assert peaks.noise == pytest.approx(sim.params["noise_sigma"], rel=0.15)
    assert np.allclose(peaks.frame["width_hz"], 3.0 * HZ_PER_POINT, rtol=0.3)
    assert (peaks.frame["confidence"] > 0.5).all()


def test_cnn_resolves_a_pair_one_linewidth_apart():
    truth = np.array([6000.0, 6004.0])  # width 4 points, 1 linewidth apart
    sim = placed(truth, snr=50, width_points=4.0)
    found = pick_peaks(sim.spectrum, method="cnn").frame["index"].to_numpy()
    rows, _ = match_peaks(truth, found, 2.0)
    assert found.size == 2 and rows.size == 2


def test_false_positives_on_pure_noise():
    """CNN on 8 x 16k points of white noise: 6 picks at the default min_snr=3 (a rate of
    5e-5 per point, all below 4 sigma), none at min_snr=4."""
    rng = np.random.default_rng(7)
    noise = [rng.normal(size=N) for _ in range(8)]
    assert sum(len(p) for p in pick_peaks_many(noise, method="cnn")) <= 8
    assert sum(len(p) for p in pick_peaks_many(noise, method="cnn", min_snr=4.0)) == 0


def test_negative_peaks_are_kept_with_their_sign():
    up, down = placed([4000.0, 9000.0], snr=None), placed([6500.0], snr=None)
    data = up.clean.data - down.clean.data + np.random.default_rng(3).normal(scale=up.clean.data.max() / 100, size=N)
    dept = Spectrum(data=data, ppm=up.clean.ppm, nucleus="13C", obs_mhz=125.7)
    for method in ("cnn", "threshold"):
        frame = pick_peaks(dept, method=method, min_snr=6).frame
        assert np.sign(frame["height"]).tolist() == [1, -1, 1], method
        assert np.allclose(frame["index"], [4000.0, 6500.0, 9000.0], atol=0.5)


def test_array_input_solvent_marks_and_window():
    sim = placed([3000.0, 9000.0], snr=100, solvent="CDCl3")
    spectrum = Spectrum(data=sim.spectrum.data, ppm=sim.spectrum.ppm, nucleus="13C", obs_mhz=125.7,
                        meta={"solvent": "CDCl3"})
    frame = pick_peaks(spectrum, method="threshold", min_snr=5).frame
    assert (frame["source"] == "solvent").sum() == 3 and (frame["source"] == "sample").sum() == 2
    assert len(pick_peaks(spectrum, method="threshold", min_snr=5, ppm_window=(70, 80)).frame) == 3
    bare = pick_peaks(sim.spectrum.data, method="threshold", min_snr=5).frame
    assert bare["shift_ppm"].isna().all() and bare["width_hz"].isna().all() and len(bare) == 5


def test_2d_peaks_with_sign():
    f1, f2 = np.arange(128)[:, None], np.arange(256)[None, :]
    data = 100 * lorentz(f1, 40.3, 3) * lorentz(f2, 60.6, 3) - 80 * lorentz(f1, 90.0, 3) * lorentz(f2, 200.2, 3)
    data = data + np.random.default_rng(1).normal(size=data.shape)
    frame = pick_peaks(data, method="cnn", min_snr=8).frame
    assert list(frame.columns) == COLUMNS_2D
    assert np.allclose(frame[["index_f1", "index_f2"]], [[40.3, 60.6], [90.0, 200.2]], atol=0.5)
    assert np.sign(frame["height"]).tolist() == [1, -1]
    assert frame["cross_peak"].tolist() == [0, 1] and (frame["source"] == "sample").all()


def lorentz(x, centre, width):
    return 1.0 / (1.0 + ((x - centre) / (0.5 * width)) ** 2)


@pytest.mark.parametrize("method", ["cnn", "threshold"])
def test_2d_t1_noise_streak_gives_no_peaks(method):
    """Noise 4x stronger in the columns of a strong cross peak (t1 noise) yields no extra maxima."""
    f1, f2 = np.arange(256)[:, None], np.arange(512)[None, :]
    rng = np.random.default_rng(3)
    data = 400 * lorentz(f1, 100.2, 3) * lorentz(f2, 300.4, 3) + rng.normal(size=(256, 512))
    data[:, 297:304] += 4.0 * rng.normal(size=(256, 7))
    frame = pick_peaks(data, method=method, min_snr=8).frame
    assert (frame["index_f1"] - 100.2).abs().max() < 0.5   # nothing along the streak
    if method == "cnn":   # the threshold picker also keeps maxima noise puts on the F2 tails
        assert np.allclose(frame[["index_f1", "index_f2"]], [[100.2, 300.4]], atol=0.5)


def hsqc_like(noise_seed: int = 0) -> Spectrum:
    """500 MHz 13C-1H spectrum in CDCl3: a doublet (J 7 Hz) at (22.4, 0.90), its residual 13C
    doublet at +-63 Hz (5 %), a weak artefact 20 ppm away in F1 in its column (3 %), CHCl3."""
    ppm_f1, ppm_f2 = np.linspace(165.0, 0.0, 512), np.linspace(10.0, 0.0, 2048)
    hz_f2 = (ppm_f2[0] - ppm_f2[1]) * 500.0
    row = lambda ppm: np.interp(-ppm, -ppm_f1, np.arange(512))  # noqa: E731
    col = lambda ppm: np.interp(-ppm, -ppm_f2, np.arange(2048))  # noqa: E731
    f1, f2 = np.arange(512)[:, None], np.arange(2048)[None, :]
    width = 4.0 / hz_f2
    lines = [(22.4, 0.90 - 3.5 / 500, 100.0), (22.4, 0.90 + 3.5 / 500, 100.0), (22.4, 0.90 - 63 / 500, 5.0),
             (22.4, 0.90 + 63 / 500, 5.0), (42.4, 0.90 - 3.5 / 500, 3.0), (77.2, 7.26, 30.0)]
    data = sum(h * lorentz(f1, row(c), 2.0) * lorentz(f2, col(hh), width) for c, hh, h in lines)
    data = data + 0.1 * np.random.default_rng(noise_seed).normal(size=data.shape)
    return Spectrum(data=data, ppm=(ppm_f1, ppm_f2), nucleus=("13C", "1H"), obs_mhz=(125.7, 500.0),
                    meta={"solvent": "CDCl3"})


def test_2d_cross_peaks_group_multiplet_lines_and_mark_solvent_and_artefacts():
    peaks = pick_peaks(hsqc_like(), method="cnn", min_snr=8)
    frame = peaks.frame
    doublet = frame[(frame["shift_ppm_f1"] - 22.4).abs() < 0.5]
    main = doublet[(doublet["shift_ppm_f2"] - 0.9).abs() < 0.05]
    assert len(main) == 2 and main["cross_peak"].nunique() == 1 and (main["source"] == "sample").all()
    assert (doublet.loc[(doublet["shift_ppm_f2"] - 0.9).abs() > 0.1, "source"] == "artefact").sum() == 2
    assert (frame.loc[(frame["shift_ppm_f1"] - 42.4).abs() < 0.5, "source"] == "artefact").all()
    cross = peaks.cross_peaks()
    sample = cross[cross["source"] == "sample"]
    assert len(sample) == 1 and sample["n_maxima"].iloc[0] == 2
    assert abs(sample["shift_ppm_f2"].iloc[0] - 0.90) < 0.003 and abs(sample["shift_ppm_f1"].iloc[0] - 22.4) < 0.3
    assert cross.loc[cross["source"] == "solvent", ["shift_ppm_f1", "shift_ppm_f2"]].round(1).values.tolist() == [[77.2, 7.3]]
    with pytest.raises(ValueError, match="2D"):
        pick_peaks(np.ones(64) + np.arange(64) % 7, method="threshold").cross_peaks()


@pytest.mark.parametrize("bad, message", [
    (np.array([1.0, np.nan, 2.0, 3.0]), "NaN"),
    (np.array([]), "too small"),
    (np.ones(64, complex), "complex"),
    (np.ones((4, 4, 4)), "1D or 2D"),
    (np.array(["a", "b", "c"]), "real numbers"),
])
def test_bad_input_raises_a_clear_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        pick_peaks(bad, method="threshold")


def test_bad_options():
    with pytest.raises(ValueError, match="unknown peak-picking method"):
        pick_peaks(np.ones(64), method="magic")
    with pytest.raises(ValueError, match="ppm_window needs a Spectrum"):
        pick_peaks(np.ones(64), method="threshold", ppm_window=(0, 1))
