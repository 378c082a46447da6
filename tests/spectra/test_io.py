"""Reading real spectrometer data and the errors for unreadable paths."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from shiftnet import spectra
from shiftnet.spectra.io import SpectrumReadError, detect_format, read, read_processed

pytestmark = pytest.mark.data


# ----------------------------------------------------------------------------- errors


def test_missing_path_names_file(tmp_path):
    missing = tmp_path / "nothing_here"
    with pytest.raises(SpectrumReadError, match="nothing_here.*no such file"):
        read(missing)


def test_empty_directory(tmp_path):
    with pytest.raises(SpectrumReadError, match="empty directory"):
        read(tmp_path)


def test_random_text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("these are not NMR data\n" * 20)
    with pytest.raises(SpectrumReadError, match="notes.txt.*unrecognised format"):
        read(path)


def test_error_type_is_exported_and_a_value_error():
    assert spectra.SpectrumReadError is SpectrumReadError
    assert issubclass(SpectrumReadError, ValueError)


def test_truncated_bruker_fid(raw, tmp_path):
    copy = tmp_path / "2"
    shutil.copytree(raw / "lucyng_ibuprofen" / "2", copy)
    fid_file = copy / "fid"
    fid_file.chmod(0o644)
    fid_file.write_bytes(fid_file.read_bytes()[:100_000])
    with pytest.raises(SpectrumReadError, match=r"fid.*truncated"):
        read(copy)


def test_truncated_pipe_file(raw, tmp_path):
    path = tmp_path / "test.fid"
    path.write_bytes((raw / "fidnet_examples/example/methyl/test.fid").read_bytes()[:500_000])
    with pytest.raises(SpectrumReadError, match="test.fid.*truncated"):
        read(path)


def test_transformed_pipe_file_is_not_an_fid(raw):
    with pytest.raises(SpectrumReadError, match="already Fourier transformed"):
        read(raw / "fidnet_examples/example/nus/hdac_ex.ft1")


def test_read_of_pdata_points_to_read_processed(raw):
    with pytest.raises(SpectrumReadError, match="read_processed"):
        read(raw / "lucyng_ibuprofen/2/pdata/1")


# ----------------------------------------------------------------------------- Bruker


def test_bruker_1d_13c(raw):
    fid = read(raw / "lucyng_ibuprofen/2")
    assert detect_format(raw / "lucyng_ibuprofen/2/fid") == "bruker"
    assert fid.data.shape == (32768,) and np.iscomplexobj(fid.data)
    assert fid.nucleus == ("13C",)
    assert fid.obs_mhz[0] == pytest.approx(125.692361)
    assert fid.sw_hz[0] == pytest.approx(30581.04, abs=0.01)
    assert fid.carrier_ppm[0] == pytest.approx(13836.643 / 125.692361, abs=1e-3)
    assert fid.group_delay == pytest.approx(59.0833, abs=1e-3)  # DSPFVS 10, DECIM 6
    assert fid.meta["solvent"] == "CDCl3" and fid.meta["pulse_program"] == "zgpg30"
    assert fid.meta["vendor_offset_ppm"][0] == pytest.approx(-0.4396, abs=1e-3)  # TopSpin SR


def test_bruker_group_delay_from_grpdly(raw):
    fid = read(raw / "penguins_testdata/101")
    assert fid.group_delay == pytest.approx(67.9859, abs=1e-3)
    assert fid.meta["solvent"] == "DMSO-d6"


def test_bruker_2d_quadrature_modes(raw):
    hmqc = read(raw / "lucyng_ibuprofen/6")
    assert hmqc.data.shape == (256, 512)
    assert hmqc.nucleus == ("13C", "1H")
    assert hmqc.sw_hz == pytest.approx((25000.0, 3858.0247), abs=1e-3)
    assert hmqc.quadrature_f1 == "QF"
    hsqc = read(raw / "penguins_testdata/6")
    assert hsqc.quadrature_f1 == "Echo-Antiecho"
    nus = read(raw / "penguins_testdata/9")
    assert nus.meta["fntype"] == 2 and len(nus.meta["nuslist"]) == 64


# ----------------------------------------------------------------------------- Varian, NMRPipe


def test_varian_13c(raw):
    fid = read(raw / "varian_agilent/13C.fid")
    assert detect_format(raw / "varian_agilent/13C.fid") == "varian"
    assert fid.data.shape == (32768,)
    assert fid.nucleus == ("13C",) and fid.meta["solvent"] == "CDCl3"
    assert fid.sw_hz[0] == pytest.approx(37878.79, abs=0.01)
    assert fid.obs_mhz[0] == pytest.approx(150.817510743)
    # carrier from rfl/rfp: (rfp - rfl + sw/2) / reffrq
    assert fid.carrier_ppm[0] == pytest.approx((0 - 2349.43657585 + 37878.7878788 / 2) / 150.817510743)


def test_varian_2d_states(raw):
    fid = read(raw / "varian_agilent/gDQCOSY.fid")
    assert fid.data.shape == (400, 901)
    assert fid.quadrature_f1 == "States"
    assert fid.nucleus == ("1H", "1H")


def test_pipe_methyl_fid(raw):
    fid = read(raw / "fidnet_examples/example/methyl/test.fid")
    assert detect_format(raw / "fidnet_examples/example/methyl/test.fid") == "pipe"
    assert fid.data.shape == (512, 946)
    assert fid.nucleus == ("13C", "1H")
    assert fid.carrier_ppm == pytest.approx((18.742, 4.773), abs=1e-3)
    assert fid.sw_hz == pytest.approx((5000.0, 10000.0))
    assert fid.quadrature_f1 == "States"


# ----------------------------------------------------------------------------- processed data


def test_read_processed_bruker_axis(raw):
    spec = read_processed(raw / "lucyng_ibuprofen/2")
    assert spec.data.shape == (65536,) and spec.imag.shape == (65536,)
    assert spec.ppm[0] == pytest.approx(231.2941)          # OFFSET
    step = spec.ppm[0] - spec.ppm[1]
    assert step == pytest.approx(30581.0397553516 / 125.692416256917 / 65536)  # SW_p / SF / SI
    # the vendor referenced CDCl3 to 77.0: the central triplet line is within 0.02 ppm of it
    window = (spec.ppm > 76.5) & (spec.ppm < 77.5)
    lines = spec.ppm[window][np.argsort(spec.data[window])[::-1][:1]]
    assert abs(lines[0] - 77.0) < 0.3


def test_read_processed_pdata_directory_equals_expno(raw):
    a = read_processed(raw / "lucyng_ibuprofen/1")
    b = read_processed(raw / "lucyng_ibuprofen/1/pdata/1")
    np.testing.assert_array_equal(a.data, b.data)


def _write_jcamp(path, x_hz, y, obs_mhz):
    lines = ["##TITLE= synthetic", "##JCAMP-DX= 5.01", "##DATA TYPE= NMR SPECTRUM", "##DATA CLASS= XYDATA",
             "##.OBSERVE FREQUENCY= %.6f" % obs_mhz, "##.OBSERVE NUCLEUS= ^13C", "##XUNITS= HZ",
             "##YUNITS= ARBITRARY UNITS", "##FIRSTX= %.6f" % x_hz[0], "##LASTX= %.6f" % x_hz[-1],
             "##XFACTOR= 1.0", "##YFACTOR= 1.0", "##NPOINTS= %d" % len(y), "##FIRSTY= %.6f" % y[0],
             "##XYDATA= (X++(Y..Y))"]
    dx = (x_hz[-1] - x_hz[0]) / (len(y) - 1)
    for start in range(0, len(y), 8):
        chunk = " ".join("%d" % v for v in y[start:start + 8])
        lines.append("%.6f %s" % (x_hz[0] + start * dx, chunk))
    lines.append("##END=")
    path.write_text("\n".join(lines) + "\n")


def test_read_processed_jcampdx_spectrum(tmp_path):
    obs = 100.0
    x_hz = np.linspace(0.0, 20000.0, 401)            # increasing x, 0 .. 200 ppm
    y = np.zeros(401, dtype=int)
    y[int(np.argmin(np.abs(x_hz - 7716.0)))] = 1000  # a line at 77.16 ppm
    path = tmp_path / "spec.jdx"
    _write_jcamp(path, x_hz, y, obs)
    assert detect_format(path) == "jcampdx"
    spec = read_processed(path)
    assert spec.ppm[0] > spec.ppm[-1]                 # point 0 is the high-ppm end
    assert spec.ppm[0] == pytest.approx(200.0) and spec.ppm[-1] == pytest.approx(0.0)
    assert spec.ppm[np.argmax(spec.data)] == pytest.approx(77.0, abs=0.5)
    assert spec.nucleus == "13C"
    with pytest.raises(SpectrumReadError, match="spectrum, not a complex FID"):
        read(path)


def _write_jcamp_spectrum(path, obs_mhz: float, peak_hz: float) -> None:
    """A hand-made JCAMP-DX 1D NMR spectrum (AFFN X++(Y..Y)), 0..4000 Hz written high to low."""
    x = np.arange(4000.0, -10.0, -10.0)
    y = np.round(1000 * np.exp(-0.5 * ((x - peak_hz) / 15.0) ** 2)).astype(int)
    lines = [f"{x[i]:.1f} " + " ".join(str(v) for v in y[i:i + 10]) for i in range(0, x.size, 10)]
    header = ["##TITLE= synthetic", "##JCAMP-DX= 5.01", "##DATA TYPE= NMR SPECTRUM",
              f"##.OBSERVE FREQUENCY= {obs_mhz}", "##.OBSERVE NUCLEUS= ^1H", "##.SOLVENT NAME= CDCl3",
              "##XUNITS= HZ", "##YUNITS= ARBITRARY UNITS", f"##FIRSTX= {x[0]}", f"##LASTX= {x[-1]}",
              f"##NPOINTS= {x.size}", "##XFACTOR= 1.0", "##YFACTOR= 1.0", "##XYDATA= (X++(Y..Y))"]
    path.write_text("\n".join(header + lines + ["##END="]) + "\n")


def test_jcamp_dx_spectrum_axis_and_peak(tmp_path):
    path = tmp_path / "synthetic.jdx"
    _write_jcamp_spectrum(path, obs_mhz=400.0, peak_hz=2900.0)
    spec = read_processed(path)
    assert spec.data.size == 401 and spec.nucleus == "1H" and spec.obs_mhz == 400.0
    assert spec.ppm[0] == pytest.approx(10.0) and spec.ppm[-1] == pytest.approx(0.0)
    assert spec.ppm[int(np.argmax(spec.data))] == pytest.approx(7.25, abs=1e-6)
    assert spec.meta["solvent"] == "CDCl3"
    with pytest.raises(SpectrumReadError, match="spectrum, not a complex FID"):
        read(path)
