"""NUS reconstruction: CNN, LSTM (shipped weights), IST and zero-filling; shapes, data consistency,
bad schedules, model files, and a simulate -> NUS -> process round trip."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from shiftnet import modelfile, spectra
from shiftnet.spectra.core import FID
from shiftnet.spectra.nus import nus_schedule
from shiftnet.spectra_models.nus_model import NUS_CNN_FORMAT, NUS_LSTM_FORMAT, NusCNN, NusLSTM, load_nus_model
from shiftnet.spectra_models.reconstruction import (MIN_COLUMNS, METHODS, reconstruct, reconstructor,
                                                         signal_columns)

SIZE = 256
#: RLNE each method must reach on :func:`few_lines` at 25 % Poisson-gap sampling (measured with
#: the shipped weights: cnn 0.043, lstm 0.095, ist 0.31, zero-fill 0.64; bench/bench_nus.py has more).
RLNE_LIMIT = {"cnn": 0.07, "lstm": 0.13, "ist": 0.4, "zero-fill": 0.75}


def few_lines(size: int = SIZE, seed: int = 5) -> np.ndarray:
    """Four decaying complex exponentials (FWHM 1 point, 30:1 dynamic range) plus weak noise."""
    t = np.arange(size)
    lines = [(1.0, 0.11), (0.5, -0.23), (0.2, 0.31), (0.033, -0.4)]
    clean = sum(a * np.exp((2j * np.pi * f - np.pi / size) * t) for a, f in lines)
    rng = np.random.default_rng(seed)
    return clean + 1e-3 * (rng.normal(size=size) + 1j * rng.normal(size=size))


def rlne(x: np.ndarray, reference: np.ndarray) -> float:
    return float(np.linalg.norm(x - reference) / np.linalg.norm(reference))


@pytest.fixture(scope="module")
def problem() -> tuple[np.ndarray, np.ndarray]:
    return few_lines(), nus_schedule(SIZE, 0.25, seed=3)


@pytest.mark.parametrize("method", METHODS)
def test_few_exponentials_at_25_percent(problem, method):
    full, schedule = problem
    out = reconstruct(full[schedule], schedule, SIZE, method=method)
    assert out.shape == (SIZE,) and np.iscomplexobj(out)
    assert rlne(out, full) < RLNE_LIMIT[method]
    np.testing.assert_array_equal(out[schedule], full[schedule])          # measured points kept exactly


@pytest.mark.parametrize("method", ["cnn", "lstm", "ist"])
def test_columns_are_independent_and_2d_shapes(problem, method):
    full, schedule = problem
    columns = np.stack([full, 3.0 * full[::-1].conj(), np.zeros(SIZE)], axis=1)  # (size, 3); one empty column
    out = reconstruct(columns[schedule], schedule, SIZE, method=method)
    assert out.shape == (SIZE, 3)
    single = reconstruct(columns[schedule, 1], schedule, SIZE, method=method)
    np.testing.assert_allclose(out[:, 1], single, rtol=1e-5, atol=1e-6 * np.abs(single).max())
    np.testing.assert_array_equal(out[:, 2], 0.0)
    np.testing.assert_array_equal(out[schedule], columns[schedule])


@pytest.mark.parametrize("method", ["cnn", "lstm"])
def test_networks_leave_noise_only_columns_zero_filled(problem, method):
    full, schedule = problem
    rng = np.random.default_rng(1)
    t = np.arange(SIZE)
    weak = 0.01 * np.exp((2j * np.pi * 0.2 - np.pi / SIZE) * t)       # one line, 10x the noise std
    noise = 1e-3 * (rng.normal(size=(SIZE, MIN_COLUMNS)) + 1j * rng.normal(size=(SIZE, MIN_COLUMNS)))
    columns = np.concatenate([full[:, None], weak[:, None] + noise[:, :1], noise[:, 1:]], axis=1)
    mask = np.zeros(SIZE, dtype=bool)
    mask[schedule] = True
    zero_filled = np.where(mask[:, None], columns, 0.0)
    assert signal_columns(zero_filled, mask).tolist() == [True, True] + [False] * (MIN_COLUMNS - 1)
    assert signal_columns(zero_filled[:, 2:MIN_COLUMNS], mask).all()      # too few columns: all run
    out = reconstruct(columns[schedule], schedule, SIZE, method=method)
    every = reconstruct(columns[schedule], schedule, SIZE, method=method, skip_noise=False)
    np.testing.assert_array_equal(out[:, 2:], zero_filled[:, 2:])
    assert not np.allclose(every[:, 2:], zero_filled[:, 2:])            # the network would change them
    np.testing.assert_allclose(out[:, :2], every[:, :2], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("schedule, match", [
    ([0, 5, 300], "0..255"), ([-1, 5, 9], "0..255"), ([0, 5, 5], "duplicate"), ([0, 9, 5], "sorted"),
    ([0, 5], "2 indices for 3"), ([0.0, 1.5, 2.0], "integers"), ([[0, 1, 2]], "1D")])
def test_bad_schedules_raise(schedule, match):
    with pytest.raises(ValueError, match=match):
        reconstruct(np.ones(3, complex), np.array(schedule), SIZE, method="ist")


def test_unknown_method_and_bad_size():
    with pytest.raises(ValueError, match="method"):
        reconstruct(np.ones(3, complex), np.arange(3), SIZE, method="magic")
    with pytest.raises(ValueError, match="size"):
        reconstruct(np.ones(3, complex), np.arange(3), 0, method="ist")


@pytest.mark.parametrize("net, fmt, hparams", [(NusCNN, NUS_CNN_FORMAT, {"iterations": 2, "channels": 4}),
                                               (NusLSTM, NUS_LSTM_FORMAT, {"iterations": 1, "hidden": 4})])
def test_model_file_round_trip(tmp_path, net, fmt, hparams):
    model = net(**hparams)
    modelfile.save(model, tmp_path / "m.pt", fmt, model.hparams, {"note": "test"})
    again, training = load_nus_model(tmp_path / "m.pt")
    x = torch.randn(2, 3, 40)
    x[:, 2] = (torch.rand(2, 40) < 0.3).float()
    torch.testing.assert_close(again(x), model.eval()(x))
    assert training == {"note": "test"}


def test_shipped_models_load_with_their_training_record():
    for method in ("cnn", "lstm"):
        model, training = load_nus_model(f"shiftnet/weights/nus_{method}.pt")
        assert training["task"] == f"nus-{method}" and training["metrics"]["val_rlne"] < 0.3


def test_reconstructor_takes_a_schedule_in_acquisition_order(problem):
    full, schedule = problem
    order = np.random.default_rng(0).permutation(schedule.size)
    out = reconstructor("ist")(full[schedule][order][:, None], schedule[order], SIZE)
    np.testing.assert_allclose(out[:, 0], reconstruct(full[schedule], schedule, SIZE, method="ist"))


def _nus_fid(fid: FID, schedule: np.ndarray) -> FID:
    """Keep the States row pairs of the scheduled t1 increments and record the schedule."""
    rows = np.stack([2 * schedule, 2 * schedule + 1], axis=1).ravel()
    return FID(data=fid.data[rows], nucleus=fid.nucleus, obs_mhz=fid.obs_mhz, sw_hz=fid.sw_hz,
               carrier_ppm=fid.carrier_ppm, quadrature_f1=fid.quadrature_f1,
               meta={**fid.meta, "nuslist": schedule.tolist(), "nus_td": fid.data.shape[0], "fntype": 2})


def test_process_round_trip_of_a_nus_hsqc():
    pairs = [(1.2, 20.0), (3.6, 62.0), (7.2, 128.0), (2.1, 40.0)]
    sim = spectra.simulate(pairs, nucleus="HSQC", n_points=(128, 256), linewidth_hz=(60.0, 8.0), snr=200, seed=2)
    schedule = nus_schedule(128, 0.25, seed=11)
    spec = spectra.process(_nus_fid(sim.fid, schedule), nus=reconstructor("cnn"))
    record = next(r for r in spec.meta["steps"] if r["step"] == "nus")
    assert (record["method"], record["measured"], record["size"]) == ("reconstruct-cnn", 32, 128)
    s1, s2 = spec.scale(0), spec.scale(1)
    for peak in sim.peaks.itertuples():
        row, col = int(round(s1.ppm_to_point(peak.shift_ppm_f1))), int(round(s2.ppm_to_point(peak.shift_ppm_f2)))
        window = spec.data[row - 2:row + 3, col - 2:col + 3]
        assert np.unravel_index(np.argmax(window), window.shape) == (2, 2)   # apex at the labelled point
        assert window.max() > 0.3 * spec.data.max()
