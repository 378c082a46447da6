"""Training examples from NMRShiftDB2 tables (dev / extra / unassigned layouts) and SD files.

Every molecule becomes a :class:`ShiftExample`: its heavy-atom graph plus per-node targets.
Assigned data give per-node 13C and 1H values; unassigned 13C peak lists give, per carbon, a
*matching group* (its multiplicity class) and one observed value of that group: the loss then
matches predictions to observations inside each group (see :func:`shiftnet.shifts.train.matched_targets`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem

from .featurize import CARBON_CODE, MolGraph, featurize
from ..molecules import MoleculeError, mol_from_smiles, prepare
from ..assignment.matching import match_groups
from ..solvents import parse_record_solvent



@dataclass
class ShiftExample:
    """One training molecule.

    Attributes
    ----------
    graph : heavy-atom graph (node k = k-th heavy atom in input order).
    solvent : solvent index (:mod:`shiftnet.solvents`).
    y_13c, y_1h : per-node targets in ppm, NaN where unknown, shape ``(n_nodes,)``;
        ``y_1h`` is the mean shift of the H atoms on that heavy atom.
    match_group : per-node matching group for unassigned 13C lists (-1: none), shape ``(n_nodes,)``.
    match_value : per-node observed value of its group (any order inside a group), ppm.
    key : skeleton key used for splitting (InChIKey first block).
    source : data source name ("dev", "extra", "unassigned", ...).
    mol_id : record id in its source.
    teacher : optional per-node teacher predictions for distillation, shape ``(n_nodes, 4)``:
        13C mean, 13C variance, 1H mean, 1H variance (ppm, ppm^2); see
        :func:`shiftnet.shifts.train.attach_teacher`.
    spread_13c : per-node range (max - min, ppm) of the raw 13C values of the record's spectra
        behind ``y_13c`` (0 with one spectrum or no label), shape ``(n_nodes,)``.
    y_dft : optional per-node DFT-computed shifts, shape ``(n_nodes, 2)``: 13C, mean 1H on that
        heavy atom (ppm, NaN where unknown); an auxiliary target, see :func:`attach_dft`.
    """

    graph: MolGraph
    solvent: int
    y_13c: np.ndarray
    y_1h: np.ndarray
    match_group: np.ndarray
    match_value: np.ndarray
    key: str
    source: str
    mol_id: str
    teacher: np.ndarray | None = None
    y_dft: np.ndarray | None = None
    spread_13c: np.ndarray | None = None


def skeleton_key(inchikey: str | None, mol: Chem.Mol | None = None) -> str:
    """InChIKey first block (connectivity skeleton); computed from ``mol`` when missing."""
    if isinstance(inchikey, str) and len(inchikey) >= 14:
        return inchikey[:14]
    if mol is None:
        raise ValueError("need an InChIKey or a molecule for the skeleton key")
    return Chem.MolToInchiKey(mol)[:14]


def split_bucket(key: str, n_buckets: int = 10) -> int:
    """Stable hash bucket of a skeleton key (same on every machine and Python run)."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % n_buckets


def _node_targets(shifts_json: str | None, node_of: np.ndarray, n_nodes: int,
                  value=float, fill: float = np.nan) -> np.ndarray:
    """Per node ``value(entry)`` of a ``{"atom_index": entry}`` JSON (atom -> node via
    ``node_of``, -1 = no node), ``fill`` elsewhere; shape ``(n_nodes,)`` float32."""
    y = np.full(n_nodes, fill, dtype=np.float32)
    if isinstance(shifts_json, str):
        for atom, entry in json.loads(shifts_json).items():
            atom = int(atom)
            if 0 <= atom < node_of.size and node_of[atom] >= 0:
                y[node_of[atom]] = value(entry)
    return y


def _spread(values: list[float]) -> float:
    """Range (max - min) of raw per-spectrum values, 0 for none."""
    return max(values) - min(values) if values else 0.0


def _empty_match(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.float32)


def examples_from_assigned_row(row: pd.Series, source: str) -> list[ShiftExample]:
    """A row in the ``dev.parquet`` layout -> its :class:`ShiftExample` (raises MoleculeError).

    When the 13C and 1H spectra were recorded in different solvents, the row gives two
    examples on the same graph: the 13C labels with the 13C solvent and the 1H labels with the
    1H solvent (the model takes one solvent per molecule).
    """
    mol = Chem.MolFromMolBlock(row["molblock"], removeHs=False)
    if mol is None:
        raise MoleculeError(f"record {row['nmrshiftdb_id']}: unreadable mol block")
    prep = prepare(mol, copy=False)
    n = prep.heavy_index.size
    node_of = np.full(prep.mol.GetNumAtoms(), -1, dtype=np.int64)
    node_of[prep.heavy_index] = np.arange(n)
    group, value = _empty_match(n)
    example = ShiftExample(
        graph=featurize(prep),
        solvent=parse_record_solvent(row.get("solvent_13c") or row.get("solvent_1h")),
        y_13c=_node_targets(row.get("shifts_13c"), node_of, n),
        y_1h=_node_targets(row.get("shifts_1h"), node_of, n),
        match_group=group, match_value=value,
        key=skeleton_key(row.get("inchikey"), prep.mol), source=source,
        mol_id=str(row["nmrshiftdb_id"]),
        spread_13c=_node_targets(row.get("shifts_13c_all"), node_of, n, value=_spread, fill=0.0),
    )
    solvent_1h = parse_record_solvent(row.get("solvent_1h") or row.get("solvent_13c"))
    if not np.isfinite(example.y_13c).any():
        example.solvent = solvent_1h
        return [example]
    if solvent_1h == example.solvent or not np.isfinite(example.y_1h).any():
        return [example]
    proton = replace(example, solvent=solvent_1h, y_13c=np.full(n, np.nan, dtype=np.float32))
    example.y_1h = np.full(n, np.nan, dtype=np.float32)
    return [example, proton]


def example_from_unassigned_row(row: pd.Series) -> ShiftExample | None:
    """A row of ``unassigned_13c.parquet`` -> example with matching groups, or None if unusable."""
    prep = prepare(mol_from_smiles(row["smiles"]), copy=False)
    graph = featurize(prep)
    n = graph.num_nodes
    is_carbon = graph.x[:, 0] == CARBON_CODE
    carbon_h = graph.x[is_carbon, 2]
    fitted = match_groups(carbon_h, [tuple(p) for p in json.loads(row["peaks_13c"])])
    if fitted is None:
        return None
    group, value = _empty_match(n)
    group[is_carbon], value[is_carbon] = fitted
    empty = np.full(n, np.nan, dtype=np.float32)
    return ShiftExample(graph=graph, solvent=parse_record_solvent(row.get("solvent_13c")),
                        y_13c=empty, y_1h=empty.copy(), match_group=group, match_value=value,
                        key=skeleton_key(row.get("inchikey"), prep.mol), source="unassigned",
                        mol_id=str(row["nmrshiftdb_id"]))


def read_assigned_table(path: Path) -> pd.DataFrame:
    """A ``dev.parquet``-layout table from ``.parquet``/``.csv``, or an NMRShiftDB2 SD file
    (parsed in memory by :func:`read_nmrshiftdb_sdf`; nothing is written beside it)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".sd", ".sdf"):
        return read_nmrshiftdb_sdf(path)
    return pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)


def load_assigned_table(path: Path, source: str) -> tuple[list[ShiftExample], list[str]]:
    """Read an assigned table or SD file (:func:`read_assigned_table`); returns (examples,
    skipped-record reasons)."""
    table = read_assigned_table(path)
    examples, skipped = [], []
    for _, row in table.iterrows():
        try:
            examples += examples_from_assigned_row(row, source)
        except MoleculeError as exc:
            skipped.append(f"{source} {row['nmrshiftdb_id']}: {exc}")
    return examples, skipped


def load_unassigned_table(path: Path, exclude_keys: set[str],
                          exclude_buckets: tuple[int, ...] = ()) -> tuple[list[ShiftExample], list[str]]:
    """Read ``unassigned_13c.parquet``; skeletons in ``exclude_keys`` (validation) or in the
    skeleton buckets ``exclude_buckets`` (the test split) are left out."""
    table = pd.read_parquet(path)
    examples, skipped = [], []
    for _, row in table.iterrows():
        key = skeleton_key(row["inchikey"])
        if key in exclude_keys or (exclude_buckets and split_bucket(key) in exclude_buckets):
            continue
        try:
            example = example_from_unassigned_row(row)
        except MoleculeError as exc:
            skipped.append(f"unassigned {row['nmrshiftdb_id']}: {exc}")
            continue
        if example is None:
            skipped.append(f"unassigned {row['nmrshiftdb_id']}: peak list does not fit the structure")
        else:
            examples.append(example)
    return examples, skipped


def attach_dft(examples: list[ShiftExample], path: Path, source: str = "dev") -> int:
    """Set ``y_dft`` on the examples of ``source`` that have a row in a ``dft8k_dev.parquet``
    layout table (``nmrshiftdb_id``, ``dft_13c``, ``dft_1h`` JSON keyed by heavy-atom index,
    heavy atoms in the order of the assigned table). A record split into a 13C and a 1H example
    (two solvents) gets the values once, on its first example, so its DFT loss counts once.
    Returns the number of examples given values.
    """
    table = pd.read_parquet(path, columns=["nmrshiftdb_id", "dft_13c", "dft_1h"])
    by_id = {str(i): (c, h) for i, c, h in zip(table["nmrshiftdb_id"], table["dft_13c"], table["dft_1h"])}
    attached = 0
    for example in examples:
        found = by_id.pop(example.mol_id, None) if example.source == source else None
        if found is None:
            continue
        n = example.graph.num_nodes
        identity = np.arange(n)
        example.y_dft = np.stack([_node_targets(found[0], identity, n), _node_targets(found[1], identity, n)], axis=1)
        attached += 1
    return attached


_SPECTRUM_TAG = re.compile(r"^Spectrum (13C|1H) (\d+)$")


def read_nmrshiftdb_sdf(path: Path) -> pd.DataFrame:
    """NMRShiftDB2 SD download (``nmrshiftdb2withsignals.sd`` layout) -> ``dev.parquet`` layout.

    ``Spectrum 13C k`` / ``Spectrum 1H k`` tags (``ppm;intensity[mult];atomIndex|...``, 0-based
    atom indices) are averaged per atom over the spectra of a record; 1H values sit on the
    heavy atom carrying the proton, as in NMRShiftDB2. The solvent of each nucleus is the one
    the ``Solvent`` tag (``k:name k:name ...``) gives for that nucleus's first spectrum.
    """
    rows = []
    for index, mol in enumerate(Chem.SDMolSupplier(str(path), removeHs=False, sanitize=True)):
        if mol is None:
            continue
        values: dict[str, dict[int, list[float]]] = {"13C": {}, "1H": {}}
        first_spectrum: dict[str, str] = {}
        for name in mol.GetPropNames():
            match = _SPECTRUM_TAG.match(name)
            if not match:
                continue
            first_spectrum.setdefault(match.group(1), match.group(2))
            for entry in mol.GetProp(name).split("|"):
                parts = entry.strip().split(";")
                if len(parts) >= 3 and parts[0]:
                    atom = _parent_atom(mol, int(parts[2]))
                    values[match.group(1)].setdefault(atom, []).append(float(parts[0]))
        rows.append({
            "nmrshiftdb_id": mol.GetProp("nmrshiftdb2 ID") if mol.HasProp("nmrshiftdb2 ID") else str(index),
            "molblock": Chem.MolToMolBlock(mol),
            "inchikey": Chem.MolToInchiKey(mol),
            "shifts_13c": _mean_json(values["13C"]), "shifts_1h": _mean_json(values["1H"]),
            "shifts_13c_all": _all_json(values["13C"]), "shifts_1h_all": _all_json(values["1H"]),
            "solvent_13c": _spectrum_solvent(mol, first_spectrum.get("13C")),
            "solvent_1h": _spectrum_solvent(mol, first_spectrum.get("1H")),
        })
    return pd.DataFrame(rows)


def _parent_atom(mol: Chem.Mol, atom: int) -> int:
    """An assignment to an explicit H moves to its heavy atom (NMRShiftDB2 convention)."""
    a = mol.GetAtomWithIdx(atom)
    if a.GetAtomicNum() == 1 and a.GetDegree() == 1:
        return a.GetNeighbors()[0].GetIdx()
    return atom


def _mean_json(values: dict[int, list[float]]) -> str | None:
    return json.dumps({str(k): float(np.mean(v)) for k, v in sorted(values.items())}) if values else None


def _all_json(values: dict[int, list[float]]) -> str | None:
    return json.dumps({str(k): v for k, v in sorted(values.items())}) if values else None


def _spectrum_solvent(mol: Chem.Mol, spectrum: str | None) -> str | None:
    """Solvent of spectrum number ``spectrum`` from the ``Solvent`` tag (``k:name k:name ...``);
    the first one listed when that number is absent, the whole tag when it has no numbers."""
    if not mol.HasProp("Solvent"):
        return None
    text = mol.GetProp("Solvent")
    by_spectrum = {k: v.strip() for k, v in re.findall(r"(\d+):(.*?)(?=\s+\d+:|$)", text)}
    if not by_spectrum:
        return text.strip()
    return by_spectrum.get(spectrum, next(iter(by_spectrum.values())))
