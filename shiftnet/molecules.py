"""Structure input -> sanitised RDKit Mol with explicit H, keeping the input's atom order.

Contract (see DESIGN.md): atom indices are the input's own order. A SMILES is parsed without
reordering; a Mol keeps its order (explicit H may sit anywhere); missing H are appended after
all existing atoms in RDKit ``AddHs`` order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rdkit import Chem, RDLogger

#: Elements the shipped models were trained on (atomic numbers).
SUPPORTED_ELEMENTS: frozenset[str] = frozenset(
    ["H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "Se", "Br", "I"]
)
#: Largest molecule (heavy atoms) accepted for prediction.
MAX_HEAVY_ATOMS = 250

RDLogger.DisableLog("rdApp.*")


class MoleculeError(ValueError):
    """A structure that cannot be used: unparsable, out of the model's domain, or empty."""


@dataclass
class PreparedMolecule:
    """A molecule ready for featurisation.

    Attributes
    ----------
    mol : RDKit Mol with explicit H; atom indices are the result's atom indices.
    heavy_index : indices (into ``mol``) of the heavy atoms, in input order, shape ``(n_heavy,)``.
    h_index : indices of the H atoms, shape ``(n_h,)``.
    h_parent : index (into ``mol``) of the heavy atom carrying each H, shape ``(n_h,)``.
    symmetry_class : RDKit canonical rank without tie breaking per atom, shape ``(n_atoms,)``;
        equal values mark symmetry-equivalent atoms.
    atomic_num : atomic number per atom, shape ``(n_atoms,)``.
    """

    mol: Chem.Mol
    heavy_index: np.ndarray
    h_index: np.ndarray
    h_parent: np.ndarray
    symmetry_class: np.ndarray
    atomic_num: np.ndarray


def mol_from_smiles(smiles: str) -> Chem.Mol:
    """Parse a SMILES without reordering atoms; raise :class:`MoleculeError` with the reason."""
    if not isinstance(smiles, str) or not smiles.strip():
        raise MoleculeError("empty SMILES")
    smiles = smiles.strip()
    mol = Chem.MolFromSmiles(smiles, sanitize=False)
    if mol is None:
        raise MoleculeError(f"cannot parse SMILES {smiles!r}")
    _sanitize(mol, f"SMILES {smiles!r}")
    return mol


def _sanitize(mol: Chem.Mol, what: str) -> None:
    try:
        Chem.SanitizeMol(mol)
    except Exception as exc:  # RDKit raises several unrelated exception types
        raise MoleculeError(f"cannot sanitise {what}: {exc}") from None


_SUPPORTED_Z = frozenset(Chem.GetPeriodicTable().GetAtomicNumber(s) for s in SUPPORTED_ELEMENTS)


def check_domain(mol: Chem.Mol) -> np.ndarray:
    """Raise :class:`MoleculeError` when ``mol`` is outside the models' domain.

    Returns the atomic number of every atom, shape ``(n_atoms,)``.
    """
    if mol.GetNumAtoms() == 0:
        raise MoleculeError("empty molecule")
    atoms = list(mol.GetAtoms())
    atomic_num = np.array([a.GetAtomicNum() for a in atoms], dtype=np.int64)
    unsupported = sorted({atoms[i].GetSymbol() for i in np.flatnonzero(~np.isin(atomic_num, list(_SUPPORTED_Z)))})
    if unsupported:
        raise MoleculeError(f"unsupported element(s): {', '.join(unsupported)}")
    radicals = [a.GetIdx() for a in atoms if a.GetNumRadicalElectrons() > 0]
    if radicals:
        raise MoleculeError(f"radical (unpaired electrons on atom(s) {radicals[:5]}) not supported")
    n_heavy = int(np.count_nonzero(atomic_num > 1))
    if n_heavy == 0:
        raise MoleculeError("no heavy atoms")
    if n_heavy > MAX_HEAVY_ATOMS:
        raise MoleculeError(f"too large: {n_heavy} heavy atoms (limit {MAX_HEAVY_ATOMS})")
    return atomic_num


def prepare(mol: Chem.Mol) -> PreparedMolecule:
    """Add missing H (appended), check the domain and compute H bookkeeping and symmetry.

    The input Mol is not modified. Raises :class:`MoleculeError`.
    """
    mol = Chem.Mol(mol)
    if mol.NeedsUpdatePropertyCache():
        _sanitize(mol, "molecule")
    input_num = check_domain(mol)
    mol_h = Chem.AddHs(mol)
    # AddHs only appends H atoms after the existing ones
    atomic_num = np.concatenate([input_num, np.ones(mol_h.GetNumAtoms() - input_num.size, dtype=np.int64)])
    heavy_index = np.flatnonzero(atomic_num > 1)
    h_index = np.flatnonzero(atomic_num == 1)
    adjacency = Chem.GetAdjacencyMatrix(mol_h)
    to_heavy = adjacency[np.ix_(h_index, heavy_index)]
    orphans = h_index[to_heavy.sum(axis=1) == 0]
    if orphans.size:
        raise MoleculeError(f"H atom {int(orphans[0])} is not bonded to a heavy atom")
    h_parent = heavy_index[to_heavy.argmax(axis=1)]
    ranks = np.asarray(Chem.CanonicalRankAtoms(mol_h, breakTies=False), dtype=np.int64)
    return PreparedMolecule(mol=mol_h, heavy_index=heavy_index, h_index=h_index,
                            h_parent=h_parent, symmetry_class=ranks, atomic_num=atomic_num)


def to_mol(item: object) -> Chem.Mol:
    """A SMILES string or an RDKit Mol -> RDKit Mol (order kept). Raises :class:`MoleculeError`."""
    if isinstance(item, Chem.Mol):
        return item
    if isinstance(item, str):
        return mol_from_smiles(item)
    if item is None:
        raise MoleculeError("missing structure (None)")
    raise MoleculeError(f"unsupported input type {type(item).__name__}; give a SMILES str or an RDKit Mol")

