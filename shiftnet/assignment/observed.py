"""Observed data as unassigned peak lists: 1D 13C / 1H peaks and HSQC cross peaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .matching import MULTIPLICITY_H


@dataclass(frozen=True)
class PeakList:
    """Unassigned 1D peaks of one nucleus.

    Attributes
    ----------
    nucleus : "13C" or "1H".
    ppm : peak positions (multiplet centres for 1H), shape ``(n_peaks,)``, or ``(n_peaks, 2)``
        for HSQC cross peaks (1H, 13C).
    n_h : attached H from DEPT / off-resonance multiplicity (s/d/t/q -> 0..3), -1 where not
        given, shape ``(n_peaks,)``.
    integral : relative integral (1H), NaN where not given, shape ``(n_peaks,)``.
    """

    nucleus: str
    ppm: np.ndarray
    n_h: np.ndarray
    integral: np.ndarray

    def __len__(self) -> int:
        return int(self.ppm.shape[0])


def _entry(item: object) -> tuple[float, object]:
    """One peak-list entry -> (ppm, annotation or None)."""
    if isinstance(item, dict):
        return float(item["ppm"]), item.get("multiplicity", item.get("integral"))
    if isinstance(item, (tuple, list)):
        return float(item[0]), (item[1] if len(item) > 1 else None)
    return float(item), None


def peak_list(peaks: Iterable[object] | None, nucleus: str) -> PeakList:
    """Normalise a user peak list.

    Parameters
    ----------
    peaks : ppm floats, or ``(ppm, annotation)`` pairs / ``{"ppm": ..}`` dicts. The annotation
        is a multiplicity letter (s/d/t/q, or S/D/T/Q) for 13C and an integral for 1H.
    nucleus : "13C" or "1H".
    """
    entries = [_entry(p) for p in (peaks or [])]
    ppm = np.array([p for p, _ in entries], dtype=float)
    if not np.all(np.isfinite(ppm)):
        raise ValueError(f"{nucleus} peak list holds a non-finite ppm value")
    n_h = np.full(ppm.size, -1, dtype=np.int64)
    integral = np.full(ppm.size, np.nan)
    for i, (_, note) in enumerate(entries):
        if note is None:
            continue
        if nucleus == "13C":
            n_h[i] = MULTIPLICITY_H.get(str(note).upper(), -1)
        else:
            integral[i] = float(note)
    return PeakList(nucleus, ppm, n_h, integral)


def hsqc_array(hsqc: Sequence[Sequence[float]] | None) -> np.ndarray:
    """HSQC cross peaks as ``(1H ppm, 13C ppm)`` rows, shape ``(n_cross, 2)``."""
    pairs = np.asarray(list(hsqc or []), dtype=float).reshape(-1, 2)
    if not np.all(np.isfinite(pairs)):
        raise ValueError("HSQC list holds a non-finite ppm value")
    return pairs


def parse_peak_text(text: str, nucleus: str) -> list:
    """Peaks typed on a command line, separated by commas or spaces.

    13C: ``"181.2,140.9d,45.0t"`` (optional multiplicity letter s/d/t/q); 1H: ``"7.21:2,3.70"``
    (optional ``:integral``); HSQC: ``"7.21:129.4,3.70:45.0"`` (``1H:13C`` pairs). Returns
    entries for :func:`peak_list` (HSQC: ``(1H, 13C)`` pairs). Raises ``ValueError`` naming the
    token that is not a number.
    """
    entries = []
    for token in text.replace(",", " ").split():
        try:
            if nucleus == "HSQC":
                h, c = token.split(":")
                entries.append((float(h), float(c)))
            elif nucleus == "13C":
                letter = token[-1] if token[-1].lower() in "sdtq" else None
                entries.append((float(token[:-1] if letter else token), letter))
            else:
                ppm, _, integral = token.partition(":")
                entries.append((float(ppm), float(integral)) if integral else float(ppm))
        except ValueError:
            raise ValueError(f"{nucleus} peak {token!r} is not understood (expected e.g. "
                             f"{_EXAMPLES[nucleus]})") from None
    return entries


_EXAMPLES = {"13C": "'128.5' or '128.5d'", "1H": "'7.26' or '7.26:2'", "HSQC": "'7.26:128.5'"}


def aligned(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``values`` (ppm) shifted by the median offset that puts them on their nearest
    ``reference`` values: the referencing difference between two spectra of one sample.
    Unchanged when either is empty."""
    values, reference = np.asarray(values, dtype=float), np.asarray(reference, dtype=float)
    if not len(values) or not len(reference):
        return values
    nearest = reference[np.abs(reference[None, :] - values[:, None]).argmin(axis=1)]
    return values + float(np.median(nearest - values))
