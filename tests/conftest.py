"""Shared fixtures: the data folders beside the repository (tests skip when they are absent)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
RAW = SHARED_DATA / "raw"


@pytest.fixture(scope="session")
def nmrshiftdb_dir() -> Path:
    """``../shared/data/nmrshiftdb2``; the test is skipped when it is absent."""
    path = SHARED_DATA / "nmrshiftdb2"
    if not (path / "dev.parquet").is_file():
        pytest.skip("../shared/data/nmrshiftdb2 not available")
    return path


@pytest.fixture(scope="session")
def raw() -> Path:
    """``../shared/data/raw`` (real spectrometer data); the test is skipped when it is absent."""
    if not RAW.is_dir():
        pytest.skip(f"real spectrometer data not found at {RAW}")
    return RAW


@pytest.fixture(autouse=True)
def _quiet_nmrglue():
    """nmrglue warns about the pulse programs removed from the data sets."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Error reading the pulse program")
        yield
