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
    lorentz = lambda x, c, w: 1.0 / (1.0 + ((x - c) / (0.5 * w)) ** 2)  # noqa: E731
    data = 100 * lorentz(f1, 40.3, 3) * lorentz(f2, 60.6, 3) - 80 * lorentz(f1, 90.0, 3) * lorentz(f2, 200.2, 3)
    data = data + np.random.default_rng(1).normal(size=data.shape)
    frame = pick_peaks(data, method="cnn", min_snr=8).frame
    assert list(frame.columns) == COLUMNS_2D
    assert np.allclose(frame[["index_f1", "index_f2"]], [[40.3, 60.6], [90.0, 200.2]], atol=0.5)
    assert np.sign(frame["height"]).tolist() == [1, -1]
    # the threshold picker also keeps a maximum that noise puts on a tail ridge; the CNN rejects it
    assert len(pick_peaks(data, method="threshold", min_snr=8).frame) > 2


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
