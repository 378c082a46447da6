"""NUS schedules, Bruker nuslist files, and NUS data in ``process`` (never silently uniform)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from shiftnet.spectra import FID, NUSWarning, process, read
from shiftnet.spectra.nus import KINDS, nus_mask, nus_schedule, read_nuslist, write_nuslist


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size, fraction", [(256, 0.25), (128, 0.5), (1000, 0.1)])
def test_schedule_shape_and_determinism(kind, size, fraction):
    a = nus_schedule(size, fraction, kind, seed=11)
    np.testing.assert_array_equal(a, nus_schedule(size, fraction, kind, seed=11))
    assert not np.array_equal(a, nus_schedule(size, fraction, kind, seed=12))
    assert a.size == round(size * fraction)
    assert a[0] == 0 and np.all(np.diff(a) > 0) and a[-1] < size
    assert np.issubdtype(a.dtype, np.integer)


def test_full_sampling_is_every_point():
    np.testing.assert_array_equal(nus_schedule(64, 1.0, "poisson-gap"), np.arange(64))


@pytest.mark.parametrize("kind", ["poisson-gap", "exponential"])
def test_gaps_grow_toward_the_end(kind):
    early, late = [], []
    for seed in range(20):
        gaps = np.diff(nus_schedule(512, 0.25, kind, seed=seed))
        early.append(gaps[: gaps.size // 4].mean())
        late.append(gaps[-gaps.size // 4:].mean())
    assert np.mean(late) > 1.5 * np.mean(early)


def test_random_schedule_is_uniform():
    counts = np.zeros(4)
    for seed in range(50):
        counts += np.bincount(nus_schedule(400, 0.2, "random", seed=seed)[1:] // 100, minlength=4)
    assert counts.max() < 1.2 * counts.min()


def test_round_trip_1d_and_2d(tmp_path):
    schedule = nus_schedule(300, 0.3, seed=2)
    path = write_nuslist(tmp_path / "nuslist", schedule)
    assert path.read_text().splitlines()[:2] == ["0", str(schedule[1])]
    np.testing.assert_array_equal(read_nuslist(path), schedule)
    pairs = np.array([[0, 0], [0, 3], [5, 1]])
    write_nuslist(tmp_path, pairs)
    assert (tmp_path / "nuslist").read_text() == "0 0\n0 3\n5 1\n"
    np.testing.assert_array_equal(read_nuslist(tmp_path), pairs)


def test_mask():
    mask = nus_mask(np.array([0, 2, 5]), 8)
    np.testing.assert_array_equal(mask, [1, 0, 1, 0, 0, 1, 0, 0])


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match="fraction"):
        nus_schedule(100, 0.0)
    with pytest.raises(ValueError, match="size"):
        nus_schedule(-5, 0.5)
    with pytest.raises(ValueError, match="kind"):
        nus_schedule(100, 0.5, "spiral")
    (tmp_path / "bad").write_text("0\n1 2\n")
    with pytest.raises(ValueError, match="same number"):
        read_nuslist(tmp_path / "bad")
    (tmp_path / "neg").write_text("0\n-3\n")
    with pytest.raises(ValueError, match="non-negative"):
        read_nuslist(tmp_path / "neg")
    with pytest.raises(ValueError, match="non-negative integers"):
        write_nuslist(tmp_path / "x", np.array([0.5, 1.0]))


# ----------------------------------------------------------------------------- NUS in process()


@pytest.fixture(scope="module")
def nus_hsqc(raw):
    return read(raw / "penguins_testdata/9")


@pytest.mark.data
def test_nus_data_are_never_processed_silently(nus_hsqc):
    with pytest.warns(NUSWarning, match="NOT reconstructed"):
        spec = process(nus_hsqc)
    record = next(r for r in spec.meta["steps"] if r["step"] == "nus")
    assert (record["method"], record["measured"], record["size"]) == ("zero-fill", 64, 256)
    assert any(w.startswith("nus:") for w in spec.meta["warnings"])
    with pytest.raises(ValueError, match="nus must be"):
        process(nus_hsqc, nus="ist-please")


@pytest.mark.data
def test_nus_reconstruction_hook_gets_the_measured_increments(nus_hsqc):
    calls = []

    def placed(measured, schedule, size):
        calls.append((measured.shape, schedule.copy(), size))
        full = np.zeros((size,) + measured.shape[1:], dtype=complex)
        full[schedule] = measured
        return full

    with warnings.catch_warnings():
        warnings.simplefilter("error")       # a reconstruction is not warned about
        warnings.filterwarnings("ignore", message="Error reading the pulse program")
        spec = process(nus_hsqc, nus=placed)
    (shape, schedule, size), = calls
    assert shape[0] == 64 and size == 256
    np.testing.assert_array_equal(schedule, nus_hsqc.meta["nuslist"])
    assert next(r for r in spec.meta["steps"] if r["step"] == "nus")["method"] == "placed"
    with pytest.raises(ValueError, match="returned shape"):
        process(nus_hsqc, nus=lambda measured, schedule, size: measured)


@pytest.mark.data
def test_nus_flag_without_schedule_is_an_error(nus_hsqc):
    meta = {k: v for k, v in nus_hsqc.meta.items() if k != "nuslist"}
    fid = FID(data=nus_hsqc.data, nucleus=nus_hsqc.nucleus, obs_mhz=nus_hsqc.obs_mhz, sw_hz=nus_hsqc.sw_hz,
              carrier_ppm=nus_hsqc.carrier_ppm, quadrature_f1=nus_hsqc.quadrature_f1,
              group_delay=nus_hsqc.group_delay, meta=meta)
    with pytest.raises(ValueError, match="no nuslist"):
        process(fid)
