"""Spectra: read and process spectrometer data, simulate spectra with exact labels.

Names are imported lazily so that ``import shiftnet`` does not load nmrglue or scipy.
"""

from __future__ import annotations

import importlib

from .core import FID, PPMScale, Spectrum, as_spectrum

_LAZY = {
    "read": "io",
    "read_processed": "io",
    "SpectrumReadError": "io",
    "process": "process",
    "simulate": "simulate",
    "SimulatedSpectrum": "simulate",
    "nus_schedule": "nus",
    "read_nuslist": "nus",
    "write_nuslist": "nus",
    "SimulatedSpectraDataset": "dataset",
}

__all__ = ["FID", "PPMScale", "Spectrum", "as_spectrum", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
