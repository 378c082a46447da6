"""The assign view: candidate structures + typed peak lists and/or uploaded raw spectra ->
:func:`shiftnet.assign` (one candidate) or :func:`shiftnet.verify` (several), the table and the
observed shifts drawn."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .drawing import molecule_svg
from .payload import records

#: Most candidates one request may rank.
MAX_CANDIDATES = 50


def observed_lists(peaks_13c: str, peaks_1h: str, hsqc: str, data: dict | None = None) -> dict[str, Any]:
    """The typed lists parsed by :func:`shiftnet.assignment.observed.parse_peak_text` (the CLI's
    parser) plus the raw ``data`` sets; ValueError naming the token not understood, or when
    there is neither a list nor a data set."""
    from ..assignment.observed import parse_peak_text

    texts = {"peaks_13c": (peaks_13c, "13C"), "peaks_1h": (peaks_1h, "1H"), "hsqc": (hsqc, "HSQC")}
    lists = {key: parse_peak_text(text, nucleus) if text.strip() else None for key, (text, nucleus) in texts.items()}
    if not any(lists.values()) and not data:
        raise ValueError("give at least one peak list (13C, 1H or HSQC) or an experiment upload")
    return {**lists, "data": data or None}


def _notes(frame: pd.DataFrame) -> dict[int, str]:
    """Observed shifts per atom for the drawing: ``"128.5 / 7.26"`` (13C / 1H), "?" if missing."""
    notes: dict[int, list[str]] = {}
    for row in frame.itertuples():
        digits = 1 if row.nucleus == "13C" else 2
        text = "?" if pd.isna(row.observed_ppm) else f"{row.observed_ppm:.{digits}f}"
        notes.setdefault(int(row.atom_index), []).append(text)
    return {atom: " / ".join(texts) for atom, texts in notes.items()}


def assignment_payload(candidates: list[str], lists: dict[str, Any], solvent: str | None) -> dict[str, Any]:
    """Assign the peaks to one candidate, or rank several and show the best one's assignment."""
    from .. import assign, verify

    candidates = [c.strip() for c in candidates if c.strip()]
    if not candidates:
        raise ValueError("give at least one candidate structure (SMILES, one per line)")
    if len(candidates) > MAX_CANDIDATES:
        raise ValueError(f"{len(candidates)} candidates: at most {MAX_CANDIDATES} per request")
    ranking, no_fit = None, None
    if len(candidates) == 1:
        assignment = assign(candidates[0], solvent=solvent or None, **lists)
    else:
        verification = verify(candidates, solvent=solvent or None, **lists)
        ranking, no_fit = records(verification.frame), bool(verification.no_fit)
        assignment = verification.best
        if assignment is None:
            raise ValueError("no candidate could be predicted: "
                             + "; ".join(str(e) for e in verification.frame["error"].dropna()))
    return {"smiles": assignment.smiles, "solvent": assignment.solvent, "table": records(assignment.frame),
            "offset_ppm": {k: round(float(v), 3) for k, v in assignment.offset_ppm.items()},
            "svg": molecule_svg(assignment.mol, _notes(assignment.frame)), "ranking": ranking, "no_fit": no_fit}
