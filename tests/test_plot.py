"""Figures: files are written in the suffix's format, ppm axes run the chemists' way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from shiftnet import plot, spectra  # noqa: E402

IBUPROFEN = "CC(C)Cc1ccc(C(C)C(=O)O)cc1"
ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


@pytest.fixture(scope="module")
def sim_13c():
    return spectra.simulate([180.5, 138.4, 129.1, 129.1, 22.2], nucleus="13C", n_points=1024, snr=100)


@pytest.fixture(scope="module")
def sim_hsqc():
    return spectra.simulate([(7.1, 129.1), (2.4, 44.5), (0.9, 22.2)], nucleus="HSQC", n_points=(32, 128),
                            snr=50)


@pytest.fixture(scope="module")
def aspirin():
    import shiftnet
    return shiftnet.predict(ASPIRIN)[0]


def _decreasing(limits: tuple[float, float]) -> bool:
    return limits[0] > limits[1]


def _data_axes(fig):
    """The axes that hold the spectrum (not an image)."""
    return [ax for ax in fig.axes if ax.get_xlabel()]


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_spectrum_writes_the_suffix_format(tmp_path, sim_13c, suffix):
    out = plot.plot_spectrum(sim_13c.spectrum, tmp_path / f"s{suffix}", peaks=sim_13c.peaks)
    head = out.read_bytes()[:200]
    assert out == tmp_path / f"s{suffix}"
    assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in out.read_bytes()[:2000]


def test_1d_axis_decreases_and_has_no_intensity_ticks(sim_13c):
    fig = plot.plot_spectrum(sim_13c.spectrum, peaks=pd.DataFrame({"ppm": [129.1], "atoms": [(2, 3)]}))
    ax = fig.axes[0]
    assert _decreasing(ax.get_xlim())
    assert len(ax.get_yticks()) == 0
    assert "13" in ax.get_xlabel() and "ppm" in ax.get_xlabel()
    assert "2,3" in [t.get_text() for t in ax.texts]


def test_1d_peaks_need_a_shift_column(sim_13c):
    with pytest.raises(ValueError, match="shift_ppm"):
        plot.plot_spectrum(sim_13c.spectrum, peaks=pd.DataFrame({"where": [1.0]}))


def test_unknown_suffix_is_refused(tmp_path, sim_13c):
    with pytest.raises(ValueError, match="suffix"):
        plot.plot_spectrum(sim_13c.spectrum, tmp_path / "s.txt")
    assert not (tmp_path / "s.txt").exists()


def test_ppm_range_crops_the_1d_axis(sim_13c):
    fig = plot.plot_spectrum(sim_13c.spectrum, ppm_range=(100, 150))
    assert fig.axes[0].get_xlim() == (150.0, 100.0)


def test_2d_both_axes_decrease_and_labels_are_drawn(sim_hsqc):
    fig = plot.plot_simulation(sim_hsqc)
    ax = fig.axes[0]
    assert _decreasing(ax.get_xlim()) and _decreasing(ax.get_ylim())
    assert "1" in ax.get_xlabel() and "H" in ax.get_xlabel() and "13" in ax.get_ylabel()
    assert {"0", "1", "2"} <= {t.get_text() for t in ax.texts}


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_simulation_writes_1d_and_2d(tmp_path, sim_13c, sim_hsqc, suffix):
    for name, sim in (("c", sim_13c), ("hsqc", sim_hsqc)):
        out = plot.plot_simulation(sim, tmp_path / f"{name}{suffix}")
        assert out.is_file() and out.stat().st_size > 1000


def test_simulation_labels_one_per_signal(sim_13c):
    labels = plot.simulation_labels(sim_13c)
    assert list(labels["label"]) == ["0", "1", "2,3", "4"]
    fig = plot.plot_simulation(sim_13c)
    assert _decreasing(fig.axes[0].get_xlim())


def test_contour_levels_start_above_the_noise():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(64, 64))
    data[32, 32] = 1000.0
    levels = plot.contour_levels(data, n_levels=10)
    assert levels[0] >= 4.0 and levels[-1] == pytest.approx(1000.0)
    assert np.all(np.diff(np.log(levels)) > 0)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_prediction_writes_a_file(tmp_path, aspirin, suffix):
    out = plot.plot_prediction(aspirin, tmp_path / f"p{suffix}")
    assert out.is_file() and out.stat().st_size > 5000


def test_prediction_panels_run_the_right_way(aspirin):
    fig = plot.plot_prediction(aspirin)
    axes = _data_axes(fig)
    assert len(axes) == 2
    assert all(_decreasing(ax.get_xlim()) for ax in axes)
    carbon, hydrogen = axes
    assert "13" in carbon.get_xlabel() and "1" in hydrogen.get_xlabel()
    # every carbon is labelled; the 1H sticks carry the heavy atoms' numbers
    assert sorted(int(t) for t in ",".join(t.get_text() for t in carbon.texts).split(",")) == \
        sorted(aspirin.nucleus("13C")["atom_index"].tolist())
    assert "12" in [t.get_text() for t in hydrogen.texts]


def test_failed_prediction_raises(tmp_path):
    import shiftnet
    failed = shiftnet.predict("C[Xe]")[0]
    assert not failed.ok
    with pytest.raises(ValueError, match="Xe"):
        plot.plot_prediction(failed, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_real_2d_spectrum(raw, tmp_path):
    """The real HMQC of ibuprofen: contours, both ppm axes decreasing."""
    spec = spectra.process(spectra.read(raw / "lucyng_ibuprofen" / "6"))
    fig = plot.plot_spectrum(spec)
    ax = fig.axes[0]
    assert _decreasing(ax.get_xlim()) and _decreasing(ax.get_ylim())


def test_plot_assignment_labels_peaks_with_their_atoms(tmp_path):
    from shiftnet import assign
    from shiftnet.plot import plot_assignment

    result = assign("CCOC(C)=O", peaks_13c=[14.2, 21.0, 60.4, 171.1, 77.2], peaks_1h=[(1.26, 3), (2.05, 3), (4.12, 2)])
    fig = plot_assignment(result)
    spectra_axes = [ax for ax in fig.axes if ax.get_xlabel()]
    assert len(spectra_axes) == 2 and all(ax.get_xlim()[0] > ax.get_xlim()[1] for ax in spectra_axes)
    labels = {t.get_text() for t in spectra_axes[0].texts}
    assert {"0", "1", "3", "4", "?"} <= labels  # four carbons on their peaks, the CDCl3 line unexplained
    assert plot_assignment(result, tmp_path / "a.svg").read_text().startswith("<?xml")
