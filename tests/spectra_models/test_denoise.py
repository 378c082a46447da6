"""Denoising (CNN, wavelet, Savitzky-Golay) on spectra whose peaks we placed; the denoise task
in the one training loop."""

from __future__ import annotations

import numpy as np
import pytest

from shiftnet import modelfile, spectra
from shiftnet.spectra.core import as_spectrum
from shiftnet.spectra_models.denoise_model import DenoiserNet
from shiftnet.spectra_models.denoising import DEFAULT_MODEL, METHODS, denoise
from shiftnet.spectra_models.train import TrainConfig, train_spectra_model

N = 4096
#: Peaks placed at these points (FWHM 5 points, height 1) with noise std 1 / 5.
CENTRES = np.linspace(150.0, 3950.0, 16) + np.linspace(0.0, 0.9, 16)
WIDTH, SNR = 5.0, 5.0
#: The CNN must lower the noise RMS away from the peaks by at least this factor.
CNN_NOISE_FACTOR = 3.0


def lorentzians(n: int = N, width: float = WIDTH) -> np.ndarray:
    x = np.arange(n)[:, None]
    return (1.0 / (1.0 + ((x - CENTRES) / (width / 2.0)) ** 2)).sum(axis=1)


def noisy(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    clean = lorentzians()
    return clean + np.random.default_rng(seed).normal(0.0, 1.0 / SNR, N), clean


def test_cnn_keeps_weak_peaks_and_lowers_the_noise():
    """At SNR 5 the noise alone moves a 5-point line's apex by ~0.45 noise std (9 %) even for an
    ideal estimator, so heights are checked on average (within 10 %), per peak for not being
    lost (>= 75 %), and as a whole for being no worse than the noisy input's."""
    x, clean = noisy()
    out = denoise(x, "cnn")
    apex = np.rint(CENTRES).astype(int)
    for a in apex:  # every peak still there: the highest point within 2 points of the truth
        assert np.argmax(out[a - 3:a + 4]) in range(1, 6)
    assert 0.9 <= np.mean(out[apex] / clean[apex]) <= 1.1
    assert np.min(out[apex] / clean[apex]) >= 0.75
    assert np.std(out[apex] - clean[apex]) <= np.std(x[apex] - clean[apex])
    far = np.abs(np.arange(N)[:, None] - CENTRES).min(axis=1) > 10 * WIDTH
    assert np.std(x[far]) / np.std(out[far]) >= CNN_NOISE_FACTOR


@pytest.mark.parametrize("method", METHODS)
def test_noise_free_spectrum_is_nearly_unchanged(method):
    clean = lorentzians()
    # the polynomial smoother flattens 5-point peak tops by ~4 %; the wavelet's per-level noise
    # estimate sees the Lorentzian tails
    tolerance = {"cnn": 1e-6, "wavelet": 5e-3, "savgol": 0.05}[method]
    assert np.abs(denoise(clean, method) - clean).max() <= tolerance * clean.max()


@pytest.mark.parametrize("method", METHODS)
def test_scale_invariance(method):
    x, _ = noisy(1)
    np.testing.assert_allclose(denoise(1000.0 * x, method), 1000.0 * denoise(x, method), rtol=1e-4, atol=1e-6 * 1000)


@pytest.mark.parametrize("bad, match", [
    (np.array([1.0, np.nan] * 20), "NaN"), (np.array([]), "too small"), (np.zeros(40, complex), "complex"),
    (np.zeros((2, 2, 20)), "1D or 2D"), (np.array(["a"] * 20), "real numbers")])
def test_invalid_input_raises(bad, match):
    with pytest.raises(ValueError, match=match):
        denoise(bad)


def test_unknown_method():
    with pytest.raises(ValueError, match="unknown denoising method"):
        denoise(np.zeros(64), "median")


def test_spectrum_and_2d_keep_type_shape_and_axes():
    x, _ = noisy(2)
    spectrum = as_spectrum(x, nucleus="13C", obs_mhz=125.7)
    out = spectra.denoise(spectrum, method="wavelet")
    assert isinstance(out, spectra.Spectrum) and out.data.shape == x.shape and out.meta["denoise"] == "wavelet"
    np.testing.assert_array_equal(out.ppm, spectrum.ppm)
    rows = np.stack([x, np.roll(x, 7), np.roll(x, 500)])[:, :1024]
    flat = denoise(rows, "cnn")
    assert flat.shape == rows.shape
    assert np.all(np.std(np.diff(flat, axis=1), axis=1) < 0.5 * np.std(np.diff(rows, axis=1), axis=1))


def test_shipped_weights_load_as_a_denoiser():
    model, training = modelfile.load_any(DEFAULT_MODEL)
    assert isinstance(model, DenoiserNet) and training["task"] == "denoise"


def test_task_trains_two_steps(tmp_path):
    config = TrainConfig(steps=2, batch_size=2, val_size=2, log_every=1, val_every=2, checkpoint_every=1,
                         hparams={"channels": [4, 8], "deep_blocks": 1},
                         stream={"n_points": 256, "max_random_lines": 4, "random_fraction": 1.0})
    metrics = train_spectra_model("denoise", tmp_path, config)
    assert metrics["steps"] == 2 and metrics["val_noise_reduction"] > 0 and np.isfinite(metrics["val_height_ratio"])
    model, training = modelfile.load_any(tmp_path / "model.pt")
    assert isinstance(model, DenoiserNet) and training["task"] == "denoise"
