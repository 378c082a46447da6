"""shiftnet: deep learning for NMR spectroscopy of small molecules.

Public entry points: :func:`predict` / :func:`predict_iter` (13C and 1H shifts with
uncertainty), :func:`read_structures`, :func:`train_shift_model`, :func:`assign` (peaks -> atoms)
and :func:`verify` (rank candidate structures against spectra), and the :mod:`shiftnet.spectra`
subpackage (read, process, simulate and write spectra).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "predict": "shifts.predict",
    "predict_iter": "shifts.predict",
    "ShiftPredictor": "shifts.predict",
    "MoleculeResult": "results",
    "read_structures": "readers",
    "train_shift_model": "shifts.train",
    "MoleculeError": "molecules",
    "ModelFileError": "modelfile",
    "assign": "assignment",
    "verify": "assignment",
    "Assignment": "assignment",
    "Verification": "assignment",
    "spectra": None,
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _LAZY[name] is None:
        return importlib.import_module(f".{name}", __name__)
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
