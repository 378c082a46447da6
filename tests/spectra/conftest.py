"""Shared fixtures for the spectra tests: the real raw data folder beside the repository."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

RAW = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "raw"


@pytest.fixture(scope="session")
def raw() -> Path:
    """``../shared/data/raw``; the test is skipped when the folder is absent."""
    if not RAW.is_dir():
        pytest.skip(f"real spectrometer data not found at {RAW}")
    return RAW


@pytest.fixture(autouse=True)
def _quiet_nmrglue():
    """nmrglue warns about the pulse programs removed from the data sets."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Error reading the pulse program")
        yield
