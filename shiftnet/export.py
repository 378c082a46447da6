"""Writers for prediction results (CSV, JSON, SDF + NMReDATA tags, Parquet) and spectra (CSV, NPZ).

Writers are streaming: ``open_writer(path)`` returns an object with ``write(results)`` and
``close()``; each ``write`` appends one chunk, so outputs of any size use bounded memory, and
a run that stops early leaves a readable file (CSV/SDF rows are complete lines; Parquet row
groups and the JSON array are closed by ``close()``, which the CLI calls on interrupt).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Iterable

import numpy as np
import pandas as pd
from rdkit import Chem

from .results import SHIFT_COLUMNS, MoleculeResult

#: Columns of the flat (one row per atom) output table.
TABLE_COLUMNS = ["mol_index", "name", "smiles", "ok", "error", "solvent", "set_aside", *SHIFT_COLUMNS]
FORMATS = ("csv", "tsv", "json", "sdf", "parquet")


def results_table(results: Iterable[MoleculeResult]) -> pd.DataFrame:
    """One row per predicted atom; a failed molecule gives one row with its error."""
    results = list(results)
    if not results:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    counts = np.array([len(r.columns["atom_index"]) if r.ok and r.columns else 0 for r in results])
    rows = np.maximum(counts, 1)
    table = {
        "mol_index": np.repeat([r.index for r in results], rows),
        "name": np.repeat(np.array([r.name for r in results], dtype=object), rows),
        "smiles": np.repeat(np.array([r.smiles for r in results], dtype=object), rows),
        "ok": np.repeat([r.ok for r in results], rows),
        "error": np.repeat(np.array([r.error for r in results], dtype=object), rows),
        "solvent": np.repeat(np.array([r.solvent for r in results], dtype=object), rows),
        "set_aside": np.repeat(np.array([r.set_aside for r in results], dtype=object), rows),
    }
    for column, empty in (("atom_index", -1), ("parent_index", -1), ("element", None), ("nucleus", None),
                          ("shift_ppm", np.nan), ("sigma_ppm", np.nan), ("exchangeable", None)):
        parts = [r.columns[column] if n else np.array([empty], dtype=object) for r, n in zip(results, counts)]
        table[column] = np.concatenate([np.asarray(p, dtype=object) for p in parts])
    frame = pd.DataFrame(table)
    for column in ("atom_index", "parent_index"):
        frame[column] = pd.array(np.where(frame[column] == -1, None, frame[column]), dtype="Int64")
    for column in ("shift_ppm", "sigma_ppm"):
        frame[column] = frame[column].astype(float).round(3)
    frame["exchangeable"] = frame["exchangeable"].astype("boolean")
    return frame


def result_to_json(result: MoleculeResult) -> dict:
    """A JSON-ready dictionary of one molecule's result."""
    atoms = [] if not result.ok else [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in zip(SHIFT_COLUMNS, row)}
        for row in zip(*(result.columns[c] for c in SHIFT_COLUMNS))
    ]
    for atom in atoms:
        atom["shift_ppm"], atom["sigma_ppm"] = round(atom["shift_ppm"], 3), round(atom["sigma_ppm"], 3)
    return {"index": result.index, "name": result.name, "smiles": result.smiles, "ok": result.ok,
            "error": result.error, "solvent": result.solvent, "set_aside": result.set_aside, "shifts": atoms}


def nmredata_assignment(result: MoleculeResult) -> str:
    """NMReDATA-style ``NMREDATA_ASSIGNMENT`` text: ``label, shift_ppm, atom numbers (1-based)``
    per group of atoms with the same predicted shift on the same parent class."""
    lines = []
    frame = result.shifts
    for (nucleus, shift), group in frame.groupby(["nucleus", "shift_ppm"], sort=False):
        atoms = ", ".join(str(int(a) + 1) for a in group["atom_index"])
        label = f"{'C' if nucleus == '13C' else 'H'}{int(group['parent_index'].iloc[0]) + 1}"
        lines.append(f"{label}, {shift:.2f}, {atoms}\\")
    return "\n".join(lines)


def result_to_mol(result: MoleculeResult) -> Chem.Mol:
    """The input structure (with H) carrying shifts as atom properties and NMReDATA tags."""
    if not result.ok or result.mol is None:
        mol = Chem.Mol()
        mol.SetProp("shiftnet_error", result.error or "failed")
    else:
        mol = Chem.Mol(result.mol)
        for atom_index, nucleus, shift, sigma in zip(result.columns["atom_index"], result.columns["nucleus"],
                                                     result.columns["shift_ppm"], result.columns["sigma_ppm"]):
            atom = mol.GetAtomWithIdx(int(atom_index))
            atom.SetDoubleProp(f"shift_{nucleus}_ppm", round(float(shift), 3))
            atom.SetDoubleProp(f"sigma_{nucleus}_ppm", round(float(sigma), 3))
        for nucleus in ("13C", "1H"):
            for prop in (f"shift_{nucleus}_ppm", f"sigma_{nucleus}_ppm"):
                if any(a.HasProp(prop) for a in mol.GetAtoms()):
                    Chem.CreateAtomDoublePropertyList(mol, prop, missingValueMarker="n/a")
        mol.SetProp("NMREDATA_VERSION", "1.1")
        mol.SetProp("NMREDATA_SOLVENT", result.solvent)
        mol.SetProp("NMREDATA_ASSIGNMENT", nmredata_assignment(result))
    if result.set_aside:
        mol.SetProp("shiftnet_set_aside", result.set_aside)
    mol.SetProp("_Name", result.name or f"mol_{result.index}")
    mol.SetProp("shiftnet_index", str(result.index))
    if result.smiles:
        mol.SetProp("SMILES", result.smiles)
    return mol


class _CsvWriter:
    def __init__(self, path: Path | None, handle: IO[str], sep: str) -> None:
        self.handle, self.sep, self.header = handle, sep, True
        self._own = path is not None

    def write(self, results: list[MoleculeResult]) -> None:
        results_table(results).to_csv(self.handle, sep=self.sep, index=False, header=self.header)
        self.header = False
        self.handle.flush()

    def close(self) -> None:
        if self._own:
            self.handle.close()


class _JsonWriter:
    def __init__(self, path: Path) -> None:
        self.handle = open(path, "w", encoding="utf-8")
        self.handle.write("[")
        self.first = True

    def write(self, results: list[MoleculeResult]) -> None:
        for r in results:
            self.handle.write(("\n" if self.first else ",\n") + json.dumps(result_to_json(r)))
            self.first = False
        self.handle.flush()

    def close(self) -> None:
        self.handle.write("\n]\n")
        self.handle.close()


class _SdfWriter:
    def __init__(self, path: Path) -> None:
        self.writer = Chem.SDWriter(str(path))

    def write(self, results: list[MoleculeResult]) -> None:
        for r in results:
            self.writer.write(result_to_mol(r))
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


class _ParquetWriter:
    def __init__(self, path: Path) -> None:
        self.path, self.writer = path, None

    def write(self, results: list[MoleculeResult]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = results_table(results)
        table["name"] = table["name"].astype("string")
        table["smiles"] = table["smiles"].astype("string")
        table["error"] = table["error"].astype("string")
        table["set_aside"] = table["set_aside"].astype("string")
        table["element"] = table["element"].astype("string")
        table["nucleus"] = table["nucleus"].astype("string")
        table["exchangeable"] = table["exchangeable"].astype("boolean")
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, arrow.schema)
        self.writer.write_table(arrow.cast(self.writer.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def output_format(path: Path | None, fmt: str | None) -> str:
    """The output format from ``fmt`` or the file suffix (default CSV)."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    if path is None:
        return "csv"
    suffix = path.suffix.lower().lstrip(".")
    suffix = {"sd": "sdf", "pq": "parquet", "txt": "csv"}.get(suffix, suffix)
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the output format from {path.name!r}; use --format")
    return suffix


def check_not_an_input(output: Path | None, inputs: Iterable[Path]) -> None:
    """Refuse an output path that is one of the input files (it would be overwritten before it
    is read). Raises ``ValueError`` naming the file."""
    if output is None:
        return
    target = Path(output).resolve()
    for path in inputs:
        path = Path(path)
        same = target.exists() and path.exists() and os.path.samefile(target, path)
        if same or path.resolve() == target:
            raise ValueError(f"the output {output} is the input file; write to another path")


def open_writer(path: Path | None, fmt: str | None = None, stream: IO[str] | None = None):
    """A streaming writer for ``path`` (or ``stream`` when path is None: CSV/TSV only)."""
    fmt = output_format(path, fmt)
    if path is None:
        if fmt not in ("csv", "tsv"):
            raise ValueError(f"format {fmt} needs an output file (-o)")
        return _CsvWriter(None, stream, "\t" if fmt == "tsv" else ",")
    if fmt in ("csv", "tsv"):
        return _CsvWriter(path, open(path, "w", encoding="utf-8", newline=""), "\t" if fmt == "tsv" else ",")
    return {"json": _JsonWriter, "sdf": _SdfWriter, "parquet": _ParquetWriter}[fmt](path)


SPECTRUM_FORMATS = (".csv", ".tsv", ".npz")


def write_spectrum(spectrum, path: Path) -> Path:
    """Write a processed or simulated spectrum; the format follows the suffix.

    ``.csv``/``.tsv`` (1D only): columns ``ppm`` and ``intensity``. ``.npz`` (1D or 2D):
    arrays ``data`` and ``ppm`` (1D) or ``ppm_f1`` and ``ppm_f2`` (2D, ``data`` of shape
    ``(n_f1, n_f2)``). Raises ``ValueError`` for another suffix or a 2D spectrum as text.
    Returns ``path``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SPECTRUM_FORMATS:
        raise ValueError(f"cannot write a spectrum as {path.name!r}: use {', '.join(SPECTRUM_FORMATS)}")
    if suffix == ".npz":
        axes = {"ppm": spectrum.ppm} if spectrum.ndim == 1 else {"ppm_f1": spectrum.ppm[0], "ppm_f2": spectrum.ppm[1]}
        with open(path, "wb") as handle:  # np.savez would append ".npz" to another name
            np.savez_compressed(handle, data=spectrum.data, **axes)
        return path
    if spectrum.ndim != 1:
        raise ValueError(f"a 2D spectrum cannot be written as {suffix}: use .npz")
    frame = pd.DataFrame({"ppm": spectrum.ppm, "intensity": spectrum.data})
    frame.to_csv(path, sep="\t" if suffix == ".tsv" else ",", index=False)
    return path
