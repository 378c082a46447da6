"""Processing quality with known answers: crowded 1H baseline and phase, referencing (TMS,
residual solvent lines, unknown solvent), options and the step summary, implausible data."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pytest

from shiftnet.spectra import (FID, NotASpectrumWarning, ReferenceWarning, process, process_summary, read,
                              simulate)
from shiftnet.spectra.report import plausibility_warnings

RNG = np.random.default_rng(3)
#: 24 aliphatic spins in 12 coupled pairs, plus an aromatic ABCD-like chain: a crowded 1H spectrum.
CROWDED = list(np.sort(RNG.uniform(0.8, 4.5, 24))) + [7.00, 7.05, 7.40, 7.42]
CROWDED_J = [(i, i + 1, float(RNG.uniform(6, 8))) for i in range(0, 23, 2)] + [(24, 25, 8.0), (26, 27, 7.5),
                                                                                 (25, 26, 1.5)]


def _crowded(phase_deg=(0.0, 0.0), baseline=0.0, **kwargs):
    return simulate(CROWDED, nucleus="1H", obs_mhz=400.0, couplings=CROWDED_J, n_points=32768, sw_ppm=12.0,
                    carrier_ppm=4.7, linewidth_hz=1.0, snr=3000, phase_deg=phase_deg, baseline=baseline, seed=1,
                    **kwargs)


def _record(spec, step):
    return next(r for r in spec.meta["steps"] if r["step"] == step)


def _shifted(fid: FID, ppm: float) -> FID:
    """The same FID on a scale mis-calibrated by ``ppm`` (what an unreferenced spectrometer gives)."""
    return FID(data=fid.data, nucleus=fid.nucleus, obs_mhz=fid.obs_mhz, sw_hz=fid.sw_hz,
               carrier_ppm=(fid.carrier_ppm[0] + ppm,), meta=dict(fid.meta))


# ----------------------------------------------------------------------------- baseline and phase


@pytest.mark.parametrize("phase_deg, roll", [((40.0, -30.0), 0.05), ((-120.0, 60.0), 0.03)])
def test_crowded_1h_comes_back_flat_and_in_phase(phase_deg, roll):
    """A baseline roll of 3-5 % of the tallest line and a 0th + 1st order phase error: after
    processing the spectrum matches the clean one within 2 % of the maximum at every point,
    dips stay above -0.5 %, and where there is no signal it is flat within 0.05 % (median)."""
    sim = _crowded(phase_deg, roll)
    spec = process(sim.fid, reference=None, lb_hz=0.0, size=32768)
    y, clean = spec.data / spec.data.max(), sim.clean.data / sim.clean.data.max()
    assert np.abs(y - clean).max() < 0.02
    assert y.min() > -0.005
    assert np.median(np.abs(y[clean < 1e-3])) < 5e-4
    assert np.corrcoef(y, clean)[0, 1] > 0.999
    assert _record(spec, "baseline")["method"] == "whittaker" and _record(spec, "phase")["method"] == "auto"


def test_previous_defaults_remain_options():
    sim = _crowded((40.0, -30.0), 0.05)
    spec = process(sim.fid, reference=None, phase="peaks", baseline="polynomial")
    assert _record(spec, "phase")["method"] == "peaks"
    assert _record(spec, "baseline") == {"step": "baseline", "method": "polynomial", "order": 4}
    assert _record(process(sim.fid, reference=None, baseline=2), "baseline")["order"] == 2
    with pytest.raises(ValueError, match="unknown baseline method"):
        process(sim.fid, baseline="spline")


# ----------------------------------------------------------------------------- referencing


def test_tms_first_lands_at_zero():
    """TMS in a CDCl3 spectrum whose scale is off by 0.05 ppm: TMS is used, and ends at 0.000."""
    sim = _crowded(impurities=["TMS"], solvent="CDCl3")
    spec = process(_shifted(sim.fid, 0.05), solvent="CDCl3", lb_hz=0.0, size=32768)
    record = _record(spec, "reference")
    assert record["method"] == "TMS" and record["offset_ppm"] == pytest.approx(-0.05, abs=0.002)
    near = np.abs(spec.ppm) < 0.05
    assert spec.ppm[near][np.argmax(spec.data[near])] == pytest.approx(0.0, abs=0.002)
    assert not spec.meta["warnings"]


@pytest.mark.parametrize("solvent, line", [("C6D6", 7.16), ("CDCl3", 7.26)])
def test_residual_singlet_found_beside_sample_lines(solvent, line):
    """No TMS: the residual solvent singlet (as tall as three protons, between aromatic sample
    lines) is found on a scale 0.1 ppm off (wide window)."""
    sim = _crowded(solvent=solvent, solvent_intensity=3.0)
    spec = process(_shifted(sim.fid, 0.1), solvent=solvent, lb_hz=0.0, size=32768)
    record = _record(spec, "reference")
    assert record["method"] == solvent and record["offset_ppm"] == pytest.approx(-0.1, abs=0.002)


def test_unknown_solvent_is_a_warning():
    sim = _crowded()
    with pytest.warns(ReferenceWarning, match="not known"):
        spec = process(sim.fid, solvent="unobtainium-d9")
    assert any("not known" in w for w in spec.meta["warnings"])
    assert _record(spec, "reference")["method"] is None
    with pytest.raises(ValueError, match="not known"):
        process(sim.fid, solvent="unobtainium-d9", reference="solvent")


@pytest.mark.data
@pytest.mark.parametrize("path, method, found", [
    ("cheminfo_bruker_1h/cyclosporin_1h/cyclosporin_1h/1", "C6D6", 7.114),
    ("cheminfo_bruker_1h/strychnine-1h/strychnine/10", "TMS", -0.006),
    ("varian_agilent/1H.fid", "TMS", 0.0005),
    ("lucyng_ibuprofen/1", "CDCl3", 7.294),
])
def test_real_reference_lines(raw, path, method, found):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReferenceWarning)
        spec = process(read(raw / path))
    record = _record(spec, "reference")
    assert record["method"] == method and record["found_ppm"] == pytest.approx(found, abs=0.003)


@pytest.mark.data
def test_aspirin_line_is_not_taken_for_chcl3(raw):
    """No lone CHCl3 line near 7.26 (the sample's td sits at 7.280 on the raw scale): the vendor
    calibration is used, with a warning, instead of a sample line."""
    with pytest.warns(ReferenceWarning, match="CDCl3 1H reference signal not found"):
        spec = process(read(raw / "cheminfo_bruker_1h/aspirin-1h/1"))
    assert _record(spec, "reference")["method"] == "vendor"


@pytest.mark.data
@pytest.mark.parametrize("path", ["cheminfo_bruker_1h/cyclosporin_1h/cyclosporin_1h/1",
                                  "cheminfo_bruker_1h/strychnine-1h/strychnine/10", "varian_agilent/1H.fid"])
def test_crowded_real_1h_has_no_baseline_droop(raw, path):
    """The old polynomial baseline drooped to -2...-5 % of the tallest line here."""
    spec = process(read(raw / path))
    assert spec.data.min() > -0.01 * spec.data.max()


# ----------------------------------------------------------------------------- plausibility, summary


@pytest.mark.data
def test_random_bytes_in_a_fid_give_a_warning(raw, tmp_path):
    copy = tmp_path / "random"
    shutil.copytree(raw / "cheminfo_bruker_1h/aspirin-1h/1", copy, ignore=shutil.ignore_patterns("pdata"))
    size = (copy / "fid").stat().st_size
    (copy / "fid").write_bytes(np.random.default_rng(0).integers(0, 256, size, dtype=np.uint8).tobytes())
    with pytest.warns(NotASpectrumWarning, match="not a spectrum"):
        spec = process(read(copy))
    assert any(w.startswith("plausibility:") for w in spec.meta["warnings"])


def test_plausibility_of_flat_and_real_data():
    assert "constant" in plausibility_warnings(np.ones(64, complex), np.zeros(64))[0]
    sim = _crowded()
    assert plausibility_warnings(sim.fid.data, sim.spectrum.data) == []


def test_summary_lists_every_step_and_the_warnings():
    sim = _crowded(impurities=["TMS"])
    lines = process_summary(process(sim.fid, lb_hz=0.5))
    assert lines[0] == "apodize: window = em, lb_hz = 0.5"
    assert any(line.startswith("phase: auto, p0 = ") for line in lines)
    assert "baseline: whittaker" in lines
    assert any(line.startswith("reference: TMS line found at ") for line in lines)
    with pytest.warns(ReferenceWarning):
        lines = process_summary(process(sim.fid, solvent="nonsense", reference="auto", phase=(0.0, 0.0)))
    assert "phase: manual, p0 = 0.0 deg, p1 = 0.0 deg" in lines
    assert process_summary(sim.spectrum) == ["not processed here (no processing steps recorded)"]
