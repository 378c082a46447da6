"""HOSE-code shift predictor: the classical benchmark floor for 13C / 1H shift prediction.

Code (Bremser-style, simplified): sphere 0 is the centre atom's own descriptor (element, formal
charge sign, attached H count, ``*`` when aromatic). Sphere ``s`` lists the heavy atoms reached
breadth-first from sphere ``s - 1``, each written as bond symbol ("" single, "=" double, "%"
triple, "*" aromatic, "~" other) + element (+ charge sign) + "&" when it closes a ring (reached
by two bonds of this sphere, or bonded to another atom of the previous sphere). Entries are
grouped by the atom they were reached from; each group and the list of groups are sorted, so
equivalent atoms always get the same code. Hydrogens never appear beyond sphere 0.

Tables: key = (nucleus, codes of spheres 0..k) -> experimental shifts, for k = 0..SPHERES; 13C on
carbons, 1H on the heavy atom carrying the protons (NMRShiftDB2 convention of ``shifts_1h``).
Training rows: dev.parquet + extra_assigned.parquet molecules of skeleton buckets 2..9 (bucket
0 = validation, 1 = test are left out).

Prediction backs off from k = SPHERES to 0 and takes the mean of the deepest key with at least
MIN_COUNT shifts (nucleus-wide mean when even sphere 0 is unknown). Sigma is one number per
(nucleus, depth): the robust spread (1.4826 x median |residual|) of leave-one-skeleton-out
predictions of the training atoms themselves, each residual counted at the depth its own back-off
ended at (a skeleton's own shifts never predict it, so deep spheres are not flattered by
duplicates and symmetric atoms). Fitting takes ~15 s on one core, so nothing is cached.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem

from shiftnet.shifts.data import skeleton_key, split_bucket

SPHERES = 4
MIN_COUNT = 1
NUCLEI = {"13C": "shifts_13c", "1H": "shifts_1h"}
BOND = {Chem.BondType.SINGLE: "", Chem.BondType.DOUBLE: "=", Chem.BondType.TRIPLE: "%",
        Chem.BondType.AROMATIC: "*"}

#: Per atom: symbol, then heavy neighbours as (index, bond symbol).
Graph = tuple[list[str], list[list[tuple[int, str]]]]
#: Per nucleus: symmetry classes (atom indices), predicted mean ppm and sigma ppm per class.
HoseSites = dict[str, tuple[list[np.ndarray], np.ndarray, np.ndarray]]


def _symbol(atom: Chem.Atom) -> str:
    charge = atom.GetFormalCharge()
    return atom.GetSymbol() + ("+" if charge > 0 else "-" if charge < 0 else "")


def _graph(mol: Chem.Mol) -> Graph:
    symbols = [_symbol(a) for a in mol.GetAtoms()]
    neighbours = [[] for _ in symbols]
    for bond in mol.GetBonds():
        a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        if bond.GetBeginAtom().GetAtomicNum() > 1 and bond.GetEndAtom().GetAtomicNum() > 1:
            symbol = BOND.get(bond.GetBondType(), "~")
            neighbours[a].append((b, symbol))
            neighbours[b].append((a, symbol))
    return symbols, neighbours


def _centre(atom: Chem.Atom) -> str:
    return f"{_symbol(atom)}H{atom.GetTotalNumHs(includeNeighbors=True)}{'*' if atom.GetIsAromatic() else ''}"


def _spheres(graph: Graph, centre: int, spheres: int) -> list[str]:
    """Codes of spheres 1..``spheres`` around ``centre``."""
    symbols, neighbours = graph
    depth, frontier, codes = {centre: 0}, [centre], []
    for s in range(1, spheres + 1):
        reached = defaultdict(list)  # neighbour -> [(parent, bond symbol)]
        for a in frontier:
            for n, bond in neighbours[a]:
                if depth.get(n, s) >= s - 1:  # skip the bonds back to sphere s - 2
                    reached[n].append((a, bond))
        groups = defaultdict(list)
        for n, via in reached.items():
            closure = "&" if len(via) > 1 or n in depth else ""
            for a, bond in via:
                groups[a].append(bond + symbols[n] + closure)
        frontier = [n for n in reached if n not in depth]
        depth.update((n, s) for n in frontier)
        codes.append(",".join(sorted("".join(sorted(g)) for g in groups.values())))
    return codes


def hose_code(mol: Chem.Mol, atom_index: int, spheres: int = SPHERES) -> list[str]:
    """HOSE code of ``atom_index``: the codes of spheres 1..``spheres`` (module docstring)."""
    return _spheres(_graph(mol), atom_index, spheres)


def _keys(mol: Chem.Mol, atoms: list[int], graph: Graph) -> dict[int, list[str]]:
    """Per atom the table keys of depth 0..SPHERES (sphere 0 = centre descriptor)."""
    keys = {}
    for a in atoms:
        codes = [_centre(mol.GetAtomWithIdx(a))] + _spheres(graph, a, SPHERES)
        keys[a] = ["/".join(codes[:k + 1]) for k in range(SPHERES + 1)]
    return keys


def _sites_of(mol: Chem.Mol, nucleus: str) -> list[int]:
    """Atoms that carry a shift of ``nucleus``: carbons, or heavy atoms with H."""
    if nucleus == "13C":
        return [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() == 6]
    return [a.GetIdx() for a in mol.GetAtoms()
            if a.GetAtomicNum() > 1 and a.GetTotalNumHs(includeNeighbors=True) > 0]


def training_rows(data: Path) -> pd.DataFrame:
    """dev + extra_assigned rows of skeleton buckets 2..9 (neither validation nor test)."""
    columns = ["inchikey", "molblock", *NUCLEI.values()]
    table = pd.concat([pd.read_parquet(data / f"{name}.parquet", columns=columns)
                       for name in ("dev", "extra_assigned")], ignore_index=True)
    keep = [split_bucket(skeleton_key(k)) not in (0, 1) for k in table["inchikey"]]
    return table[keep].reset_index(drop=True)


def _robust_sigma(residuals: list[float]) -> float:
    return float(1.4826 * np.median(np.abs(residuals))) if residuals else float("nan")


@dataclass
class HosePredictor:
    """Mean experimental shift per HOSE key, with per-depth sigma (module docstring).

    ``tables[nucleus][k]``: key of depth k -> (mean ppm, count); ``sigma[nucleus][k]`` for
    k = 0..SPHERES and k = -1 (nucleus-wide fallback, mean in ``overall``).
    """

    tables: dict[str, list[dict[str, tuple[float, int]]]] = field(default_factory=dict)
    sigma: dict[str, dict[int, float]] = field(default_factory=dict)
    overall: dict[str, float] = field(default_factory=dict)

    def fit(self, rows: pd.DataFrame) -> HosePredictor:
        """Build the tables from dev.parquet-layout ``rows`` (inchikey, molblock, shifts)."""
        entries = {n: [] for n in NUCLEI}  # (skeleton, keys, ppm)
        for row in rows.itertuples(index=False):
            mol = Chem.MolFromMolBlock(row.molblock, removeHs=False)
            if mol is None:
                continue
            graph = _graph(mol)
            for nucleus, column in NUCLEI.items():
                shifts = getattr(row, column)
                if isinstance(shifts, str):
                    values = {int(k): float(v) for k, v in json.loads(shifts).items()}
                    keys = _keys(mol, sorted(values), graph)
                    entries[nucleus] += [(row.inchikey[:14], keys[a], v) for a, v in values.items()]
        for nucleus, items in entries.items():
            self._fit_nucleus(nucleus, items)
        return self

    def _fit_nucleus(self, nucleus: str, items: list[tuple[str, list[str], float]]) -> None:
        total = [defaultdict(lambda: [0.0, 0]) for _ in range(SPHERES + 1)]
        own = [defaultdict(lambda: [0.0, 0]) for _ in range(SPHERES + 1)]
        for skeleton, keys, ppm in items:
            for k, key in enumerate(keys):
                for table, index in ((total[k], key), (own[k], (key, skeleton))):
                    table[index][0] += ppm
                    table[index][1] += 1
        self.tables[nucleus] = [{key: (s / n, n) for key, (s, n) in t.items()} for t in total]
        self.overall[nucleus] = float(np.mean([ppm for _, _, ppm in items]))
        residuals = defaultdict(list)
        for skeleton, keys, ppm in items:
            depth, mean = -1, self.overall[nucleus]
            for k in range(SPHERES, -1, -1):
                (s, n), (s_own, n_own) = total[k][keys[k]], own[k][(keys[k], skeleton)]
                if n - n_own >= MIN_COUNT:
                    depth, mean = k, (s - s_own) / (n - n_own)
                    break
            residuals[depth].append(ppm - mean)
        self.sigma[nucleus] = {k: _robust_sigma(residuals[k]) for k in range(SPHERES + 1)}
        self.sigma[nucleus][-1] = float(np.std([ppm for _, _, ppm in items]))

    def _lookup(self, nucleus: str, keys: list[str]) -> tuple[float, float]:
        for k in range(SPHERES, -1, -1):
            hit = self.tables[nucleus][k].get(keys[k])
            if hit is not None and hit[1] >= MIN_COUNT:
                return hit[0], self.sigma[nucleus][k]
        return self.overall[nucleus], self.sigma[nucleus][-1]

    def predict(self, mol: Chem.Mol) -> dict[str, dict[int, tuple[float, float]]]:
        """``{nucleus: {atom_index: (mean_ppm, sigma_ppm)}}``; 1H keyed by the heavy atom."""
        graph = _graph(mol)
        out = {}
        for nucleus in NUCLEI:
            keys = _keys(mol, _sites_of(mol, nucleus), graph)
            out[nucleus] = {a: self._lookup(nucleus, k) for a, k in keys.items()}
        return out

    def sites(self, mol: Chem.Mol) -> HoseSites:
        """Per nucleus the symmetry classes (CanonicalRankAtoms, no tie breaking) with their
        atoms, predicted mean and sigma (equivalent atoms share one HOSE code)."""
        rank = list(Chem.CanonicalRankAtoms(mol, breakTies=False))
        out = {}
        for nucleus, shifts in self.predict(mol).items():
            classes = defaultdict(list)
            for a in shifts:
                classes[rank[a]].append(a)
            atoms = [np.array(c) for c in classes.values()]
            mean_sigma = np.array([shifts[int(c[0])] for c in atoms]).reshape(-1, 2)
            out[nucleus] = (atoms, mean_sigma[:, 0], mean_sigma[:, 1])
        return out

    def summary(self) -> str:
        """Table sizes and sigma per depth, one line per nucleus."""
        lines = []
        for nucleus, tables in self.tables.items():
            sizes = " ".join(str(len(t)) for t in tables)
            sigmas = " ".join(f"{self.sigma[nucleus][k]:.2f}" for k in range(SPHERES + 1))
            lines.append(f"  {nucleus}: keys per depth 0..{SPHERES}: {sizes}; sigma ppm per depth: {sigmas} "
                         f"(nucleus-wide fallback {self.sigma[nucleus][-1]:.2f})")
        return "\n".join(lines)

