"""Broken spectrometer data raise SpectrumReadError naming the file and the problem."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from shiftnet import spectra
from shiftnet.spectra import SpectrumReadError


@pytest.fixture
def expno(raw, tmp_path):
    """A writable copy of the ibuprofen 1H experiment."""
    target = tmp_path / "1"
    shutil.copytree(raw / "lucyng_ibuprofen" / "1", target)
    return target


def _set(expno, key: str, value: str) -> None:
    acqus = expno / "acqus"
    acqus.write_text(re.sub(rf"##\${key}= .*", f"##${key}= {value}", acqus.read_text()))


def test_the_copy_reads(expno):
    assert spectra.read(expno).data.shape == (32768,)


@pytest.mark.parametrize("key, value, message", [("TD", "0", "TD = 0"), ("SW_h", "-5000", "SW_h = -5000"),
                                                 ("SFO1", "0", "SFO1 = 0"), ("BF1", "abc", "BF1")])
def test_absurd_parameters(expno, key, value, message):
    _set(expno, key, value)
    with pytest.raises(SpectrumReadError, match=re.escape(message)) as error:
        spectra.read(expno)
    assert "acqus" in str(error.value)


def test_truncated_fid(expno):
    fid = expno / "fid"
    fid.write_bytes(fid.read_bytes()[:1000])
    with pytest.raises(SpectrumReadError, match=r"fid: truncated: 1000 bytes"):
        spectra.read(expno)


def test_wrong_byte_order(expno):
    order = int(re.search(r"##\$BYTORDA= (\d)", (expno / "acqus").read_text()).group(1))
    _set(expno, "BYTORDA", str(1 - order))
    with pytest.raises(SpectrumReadError, match="byte order"):
        spectra.read(expno)


def test_empty_folder_and_missing_parameters(expno, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SpectrumReadError, match="empty directory"):
        spectra.read(tmp_path / "empty")
    (expno / "acqus").unlink()
    with pytest.raises(SpectrumReadError, match="neither Bruker"):
        spectra.read(expno)


def test_nan_in_the_data(tmp_path):
    sim = spectra.simulate([30.0, 77.0], nucleus="13C", n_points=1024)
    sim.fid.data[10] = np.nan
    spectra.write(sim.fid, tmp_path / "nan.fid", format="pipe")
    with pytest.raises(SpectrumReadError, match="1 of 1024 data points are NaN"):
        spectra.read(tmp_path / "nan.fid")
