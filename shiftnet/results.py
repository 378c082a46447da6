"""Typed result containers shared between stages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rdkit import Chem

#: Columns of :attr:`MoleculeResult.shifts`, in order.
SHIFT_COLUMNS = ["atom_index", "parent_index", "element", "nucleus", "shift_ppm", "sigma_ppm", "exchangeable"]


class BatchTable:
    """The shift-table columns of a batch of results; one DataFrame is built on first use and
    each result's :attr:`MoleculeResult.shifts` is a slice of it (pandas copy-on-write keeps
    the slices independent)."""

    def __init__(self, columns: dict[str, np.ndarray]) -> None:
        self.columns = columns
        self._frame: pd.DataFrame | None = None

    def rows(self, rows: slice) -> pd.DataFrame:
        """Rows ``rows`` as a DataFrame indexed from 0."""
        if self._frame is None:
            self._frame = pd.DataFrame({c: self.columns[c] for c in SHIFT_COLUMNS})
        frame = self._frame.iloc[rows]
        frame.index = pd.RangeIndex(len(frame))
        return frame


@dataclass
class MoleculeResult:
    """Predicted shifts of one input molecule.

    Attributes
    ----------
    index : position of the molecule in the input (0-based).
    name : name from the input file, or None.
    smiles : SMILES of the input (as given for SMILES input; RDKit's for others), or None.
    ok : True when shifts were predicted.
    error : why the molecule failed (None when ``ok``).
    solvent : solvent the prediction was made for ("unknown" when not given).
    mol : RDKit Mol with explicit H; its atom indices are those of :attr:`shifts`.
    set_aside : counter-ions of a salt that were set aside and not predicted (e.g.
        ``"counter-ion set aside: Na+ (atom 0)"``), else None.
    columns : the table's columns as arrays (see :attr:`shifts`).
    """

    index: int
    name: str | None
    smiles: str | None
    ok: bool
    error: str | None = None
    solvent: str = "unknown"
    set_aside: str | None = None
    mol: Chem.Mol | None = field(default=None, repr=False)
    columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _batch: tuple[BatchTable, slice] | None = field(default=None, repr=False, compare=False)
    _frame: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def shifts(self) -> pd.DataFrame:
        """One row per predicted atom: ``atom_index`` (input order), ``parent_index`` (the atom
        itself for 13C, the carrying heavy atom for 1H), ``element``, ``nucleus`` ("13C"/"1H"),
        ``shift_ppm``, ``sigma_ppm`` (standard deviation of the predictive Gaussian) and
        ``exchangeable`` (H on O, N or S). Empty for a failed molecule."""
        if self._frame is None:
            if self._batch is not None:
                self._frame = self._batch[0].rows(self._batch[1])
            else:
                self._frame = pd.DataFrame({c: self.columns.get(c, []) for c in SHIFT_COLUMNS})
        return self._frame

    def nucleus(self, nucleus: str) -> pd.DataFrame:
        """The rows of one nucleus ("13C" or "1H")."""
        return self.shifts[self.shifts["nucleus"] == nucleus].reset_index(drop=True)

    def by_heavy_atom(self) -> pd.DataFrame:
        """1H shifts grouped per heavy atom (NMRShiftDB2 convention): ``parent_index``,
        ``n_h``, ``shift_ppm``, ``sigma_ppm``, ``exchangeable``."""
        h = self.nucleus("1H")
        grouped = h.groupby("parent_index", sort=True)
        return pd.DataFrame({
            "n_h": grouped.size(), "shift_ppm": grouped["shift_ppm"].mean(),
            "sigma_ppm": grouped["sigma_ppm"].mean(), "exchangeable": grouped["exchangeable"].first(),
        }).reset_index()
