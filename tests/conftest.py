"""Shared fixtures: the data folder beside the repository (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def nmrshiftdb_dir() -> Path:
    path = SHARED_DATA / "nmrshiftdb2"
    if not (path / "dev.parquet").is_file():
        pytest.skip("../shared/data/nmrshiftdb2 not available")
    return path
