"""Assignment of observed peak lists to atoms, and verification of candidate structures.

``assign(structure, peaks_13c=..., peaks_1h=..., hsqc=...)`` -> :class:`Assignment`;
``verify(candidates, peaks_13c=..., ...)`` -> :class:`Verification`.
"""

from __future__ import annotations

from .assign import Assignment, assign
from .verify import Verification, verify

__all__ = ["Assignment", "Verification", "assign", "verify"]
