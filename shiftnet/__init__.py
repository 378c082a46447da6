"""shiftnet: deep learning for NMR spectroscopy of small molecules."""

__version__ = "0.1.0"
