"""Structure files -> a stream of records (name, SMILES / Mol, or the reason it is unusable).

Supported: ``.smi``/``.smiles``/``.txt`` (``SMILES [name]`` per line), ``.csv``/``.tsv`` (a
``smiles`` column, optional ``name``/``id``), ``.sdf``/``.sd`` and ``.mol`` (atom order kept,
explicit H kept), ``.parquet`` (a ``smiles`` or ``molblock`` column). Files are read in
chunks, so arbitrarily large inputs stream in bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd
from rdkit import Chem

_CHUNK_ROWS = 10_000
SMILES_COLUMNS = ("smiles", "SMILES", "Smiles", "canonical_smiles", "smi")
NAME_COLUMNS = ("name", "Name", "NAME", "id", "ID", "Id", "mol_id", "nmrshiftdb_id")


class StructureFileError(ValueError):
    """A structure file that cannot be read at all (missing, a directory, binary, corrupted,
    no structure column); the message names the file and the problem."""


@dataclass
class StructureRecord:
    """One structure read from a file: ``item`` is a SMILES str or an RDKit Mol, or None with
    ``error`` saying why the record could not be read."""

    name: str | None
    item: str | Chem.Mol | None
    error: str | None = None


def read_structures(path: str | Path) -> Iterator[StructureRecord]:
    """Stream the structures of a file, one record per molecule, in file order.

    The file itself is checked before the first record is read (it exists, is of a known type,
    is text where text is expected, has a structure column, is valid Parquet): problems raise
    :class:`StructureFileError` naming the file at call time. Unreadable *records* are yielded
    with an ``error`` instead of being skipped, so the output keeps one entry per input.
    """
    path = Path(path)
    if path.is_dir():
        raise StructureFileError(f"{path} is a directory, not a structure file")
    if not path.is_file():
        raise StructureFileError(f"structure file not found: {path}")
    if path.stat().st_size == 0:
        raise StructureFileError(f"{path}: empty file")
    suffix = path.suffix.lower()
    readers = {".smi": _read_smi, ".smiles": _read_smi, ".txt": _read_smi, ".csv": _read_table,
               ".tsv": _read_table, ".sdf": _read_sdf, ".sd": _read_sdf, ".mol": _read_mol,
               ".parquet": _read_parquet}
    if suffix not in readers:
        raise StructureFileError(f"{path}: unknown structure file type {suffix!r}; "
                                 f"use one of {', '.join(sorted(readers))}")
    if suffix == ".parquet":
        _check_parquet(path)
    else:
        _check_text(path)
    if suffix in (".csv", ".tsv"):
        _check_table_header(path)
    return readers[suffix](path)


def _check_text(path: Path, probe_bytes: int = 65536) -> None:
    """Refuse binary content in a text format: more than 10 % of the first characters NUL or
    undecodable as UTF-8 (a stray byte or a Latin-1 name is a record's problem, not the file's)."""
    with open(path, "rb") as fh:
        head = fh.read(probe_bytes)
    text = head.decode("utf-8", errors="replace")
    if text.count("\ufffd") + text.count("\0") > 0.1 * max(len(text), 1):
        raise StructureFileError(f"{path}: binary content, not a {path.suffix.lstrip('.')} text file")


def _check_table_header(path: Path) -> None:
    try:
        header = pd.read_csv(path, sep=_separator(path), nrows=0, encoding_errors="replace")
    except pd.errors.EmptyDataError:
        raise StructureFileError(f"{path}: empty file (no header line)") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise StructureFileError(f"{path}: not a readable table ({exc})") from None
    _structure_column(header.columns, path)


def _check_parquet(path: Path) -> None:
    import pyarrow
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except (pyarrow.ArrowException, OSError) as exc:
        raise StructureFileError(f"{path}: not a readable Parquet file ({exc})") from None
    _structure_column(names, path)


def _structure_column(columns, path: Path) -> tuple[str | None, str | None]:
    """``(smiles column, molblock column)``; raises when there is neither."""
    smiles_col = _pick(columns, SMILES_COLUMNS)
    mol_col = "molblock" if "molblock" in columns else None
    if smiles_col is None and mol_col is None:
        raise StructureFileError(f"{path}: no SMILES column (looked for {', '.join(SMILES_COLUMNS)}) "
                                 f"or molblock column; columns are {', '.join(map(str, columns))}")
    return smiles_col, mol_col


def _separator(path: Path) -> str:
    return "\t" if path.suffix.lower() == ".tsv" else ","


def _read_smi(path: Path) -> Iterator[StructureRecord]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            parts = text.split(maxsplit=1)
            if parts[0].lower() == "smiles":  # header line
                continue
            yield StructureRecord(name=parts[1] if len(parts) > 1 else None, item=parts[0])


def _pick(columns, candidates) -> str | None:
    return next((c for c in candidates if c in columns), None)


def _name(value) -> str | None:
    """A record name as text; None for an empty cell (None, NaN, "")."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    return str(value)


def _records_from_frame(frame: pd.DataFrame, path: Path) -> Iterator[StructureRecord]:
    smiles_col, mol_col = _structure_column(frame.columns, path)
    name_col = _pick(frame.columns, NAME_COLUMNS)
    names = [_name(v) for v in frame[name_col].tolist()] if name_col else [None] * len(frame)
    if mol_col is not None:
        for name, block in zip(names, frame[mol_col].tolist()):
            yield _record_from_block(block, name)
        return
    for name, smiles in zip(names, frame[smiles_col].tolist()):
        if not isinstance(smiles, str):
            yield StructureRecord(name=name, item=None, error="empty SMILES")
        else:
            yield StructureRecord(name=name, item=smiles)


def _read_table(path: Path) -> Iterator[StructureRecord]:
    chunks = pd.read_csv(path, sep=_separator(path), chunksize=_CHUNK_ROWS, dtype=str, keep_default_na=False,
                         encoding_errors="replace")
    for chunk in chunks:
        chunk = chunk.replace("", None)
        yield from _records_from_frame(chunk, path)


def _read_parquet(path: Path) -> Iterator[StructureRecord]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=_CHUNK_ROWS):
        yield from _records_from_frame(batch.to_pandas(), path)


def _record_from_block(block: str | None, name: str | None) -> StructureRecord:
    if not isinstance(block, str) or not block.strip():
        return StructureRecord(name=name, item=None, error="empty mol block")
    mol = Chem.MolFromMolBlock(block, removeHs=False)
    if mol is None:
        return StructureRecord(name=name, item=None, error="mol block could not be parsed")
    return StructureRecord(name=name or (mol.GetProp("_Name") or None), item=mol)


def _read_sdf(path: Path) -> Iterator[StructureRecord]:
    """One record per ``$$$$``-terminated block, each parsed on its own, so a broken record
    (wrong counts line, garbage) costs only itself, never the records after it."""
    for number, block in enumerate(_sd_blocks(path), start=1):
        supplier = Chem.SDMolSupplier()
        supplier.SetData(block, removeHs=False)
        mol = next(iter(supplier), None)
        if mol is None:
            yield StructureRecord(name=None, item=None, error=f"SD record {number} could not be parsed")
        else:
            yield StructureRecord(name=mol.GetProp("_Name") or None, item=mol)


def _sd_blocks(path: Path) -> Iterator[str]:
    """The text of each SD record (up to and including its ``$$$$`` line); a last record
    without the terminator counts when it holds anything."""
    lines: list[str] = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            lines.append(line)
            if line.startswith("$$$$"):
                yield "".join(lines)
                lines = []
    if any(line.strip() for line in lines):
        yield "".join(lines) + "\n$$$$\n"


def _read_mol(path: Path) -> Iterator[StructureRecord]:
    yield _record_from_block(path.read_text(encoding="utf-8", errors="replace"), None)
