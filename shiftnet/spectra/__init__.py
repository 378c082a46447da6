"""Spectra: read and process spectrometer data, simulate spectra with exact labels.

``from shiftnet import spectra`` then ``spectra.read``, ``spectra.process``,
``spectra.simulate``, ``spectra.write``, ``spectra.nus_schedule``, ... (this subpackage is only
loaded when used; importing it loads neither torch nor RDKit). Every FID, read or simulated,
follows one convention (:mod:`shiftnet.spectra.fourier`).

The learned spectra models are re-exported here lazily (loading torch only when used):
``pick_peaks``, ``pick_peaks_many``, ``pick_multiplets``, ``reconstruct`` / ``reconstructor`` (NUS)
and ``denoise``
from :mod:`shiftnet.spectra_models`.
"""

from __future__ import annotations

import importlib

from .core import FID, PPMScale, Spectrum, as_spectrum
from .io import SpectrumReadError, read, read_processed
from .nus import nus_schedule, read_nuslist, write_nuslist
from .process import process
from .report import NUSWarning, NotASpectrumWarning, ProcessingWarning, ReferenceWarning, process_summary
from .simulate import SimulatedSpectrum, simulate
from .writers import write

__all__ = [
    "FID", "PPMScale", "Spectrum", "as_spectrum", "read", "read_processed", "SpectrumReadError",
    "process", "simulate", "SimulatedSpectrum", "nus_schedule", "read_nuslist", "write_nuslist",
    "write", "process_summary", "ProcessingWarning", "NUSWarning", "ReferenceWarning", "NotASpectrumWarning",
    "pick_peaks", "pick_peaks_many", "pick_multiplets", "reconstruct", "reconstructor", "denoise",
]

#: name -> module of :mod:`shiftnet.spectra_models` that defines it (imported on first use).
_LEARNED = {"pick_peaks": "picking", "pick_peaks_many": "picking", "pick_multiplets": "multiplets",
            "reconstruct": "reconstruction", "reconstructor": "reconstruction", "denoise": "denoising"}


def __getattr__(name: str):
    if name not in _LEARNED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"shiftnet.spectra_models.{_LEARNED[name]}"), name)
