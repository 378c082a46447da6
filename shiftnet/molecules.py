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
    ["H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "Se", "Br", "I", "Ge", "As", "Sn", "Te", "Hg"]
)
#: Largest molecule (heavy atoms) accepted for prediction.
MAX_HEAVY_ATOMS = 250
#: Elements that, alone in their own fragment (with or without H), are counter-ions set aside
#: from a salt: metal cations and halide / hydrohalic-acid anions.
COUNTER_ION_ELEMENTS: frozenset[str] = frozenset(
    ["Li", "Na", "K", "Rb", "Cs", "Be", "Mg", "Ca", "Sr", "Ba", "Al", "Zn", "Cu", "Fe", "Co", "Ni", "Mn",
     "Cr", "Ag", "Au", "Pt", "Pd", "Cd", "Hg", "Sn", "Pb", "Bi", "Ga", "In", "Tl", "La", "Ce",
     "F", "Cl", "Br", "I"]
)

RDLogger.DisableLog("rdApp.*")


class MoleculeError(ValueError):
    """A structure that cannot be used: unparsable, out of the model's domain, or empty."""


@dataclass
class PreparedMolecule:
    """A molecule ready for featurisation: the RDKit Mol plus every per-atom and per-bond
    property the featuriser needs, read from RDKit once (:func:`shiftnet.featurize.featurize`
    then works on arrays only).

    Attributes
    ----------
    mol : RDKit Mol with explicit H; atom indices are the result's atom indices.
    heavy_index : indices (into ``mol``) of the heavy atoms, in input order, shape ``(n_heavy,)``.
    h_index : indices of the H atoms, shape ``(n_h,)``.
    h_parent : index (into ``mol``) of the heavy atom carrying each H, shape ``(n_h,)``.
    symmetry_class : symmetry class per atom (RDKit canonical ranks without tie breaking),
        shape ``(n_atoms,)``, values in ``[0, n_atoms)``; equal values mark equivalent atoms.
    atomic_num : atomic number per atom, shape ``(n_atoms,)``.
    heavy_atoms : per heavy atom (rows in ``heavy_index`` order) the columns of
        :data:`ATOM_COLUMNS`, shape ``(n_heavy, 5)``, int64.
    heavy_bonds : per bond between two heavy atoms (RDKit bond order) the columns of
        :data:`BOND_COLUMNS`, shape ``(n_heavy_bonds, 6)``, int64; atoms are ``mol`` indices.
    rings : RDKit ring perception (``RingInfo.AtomRings``): atom indices of each ring.
    set_aside : atoms (input indices) of counter-ions set aside from a salt (metal cations,
        halide anions, the halogen of a hydrohalide), not predicted; empty for most molecules.
    """

    mol: Chem.Mol
    heavy_index: np.ndarray
    h_index: np.ndarray
    h_parent: np.ndarray
    symmetry_class: np.ndarray
    atomic_num: np.ndarray
    heavy_atoms: np.ndarray
    heavy_bonds: np.ndarray
    rings: tuple[tuple[int, ...], ...]
    set_aside: tuple[int, ...] = ()

    def set_aside_text(self) -> str | None:
        """The counter-ions set aside, e.g. ``"Na+ (atom 0)"``; None when there are none."""
        if not self.set_aside:
            return None
        parts = []
        for index in self.set_aside:
            atom = self.mol.GetAtomWithIdx(index)
            charge = atom.GetFormalCharge()
            sign = "+" if charge > 0 else "-" if charge < 0 else ""
            count = str(abs(charge)) if abs(charge) > 1 else ""
            h = "H" if atom.GetTotalNumHs(includeNeighbors=True) > 0 else ""
            parts.append(f"{h}{atom.GetSymbol()}{count}{sign} (atom {index})")
        return "counter-ion set aside: " + ", ".join(parts)


#: Columns of :attr:`PreparedMolecule.heavy_atoms`. ``hybridization`` is ``int(HybridizationType)``.
ATOM_COLUMNS = ("atomic_num", "formal_charge", "hybridization", "aromatic", "total_h")
#: Columns of :attr:`PreparedMolecule.heavy_bonds`. ``bond_type`` is ``int(BondType)``;
#: ``stereo`` is ``int(BondStereo)``, read for double bonds only (0 otherwise).
BOND_COLUMNS = ("begin", "end", "bond_type", "conjugated", "in_ring", "stereo")
_DOUBLE = int(Chem.BondType.DOUBLE)


def mol_from_smiles(smiles: str) -> Chem.Mol:
    """Parse a SMILES without reordering atoms; raise :class:`MoleculeError` with the reason."""
    if not isinstance(smiles, str) or not smiles.strip():
        raise MoleculeError("empty SMILES")
    smiles = smiles.strip()
    mol = Chem.MolFromSmiles(smiles, sanitize=False)
    if mol is None:
        raise MoleculeError(f"cannot parse SMILES {_quoted(smiles)}")
    _sanitize(mol, f"SMILES {_quoted(smiles)}")
    # E/Z and R/S from the SMILES, as RDKit's default parser does (mol blocks get them on reading)
    Chem.AssignStereochemistry(mol, cleanIt=True, force=True)
    return mol


def _quoted(text: str, limit: int = 80) -> str:
    """``repr(text)`` for an error message, cut to ``limit`` characters (with the length)."""
    quoted = repr(text)
    return quoted if len(quoted) <= limit else f"{quoted[:limit]}... ({len(text)} characters)"


def _sanitize(mol: Chem.Mol, what: str) -> None:
    try:
        Chem.SanitizeMol(mol)
    except Exception as exc:  # RDKit raises several unrelated exception types
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]  # RDKit appends internals
        raise MoleculeError(f"cannot sanitise {what}: {reason}") from None


_SUPPORTED_Z = np.zeros(256, dtype=bool)  # lookup by atomic number
_SUPPORTED_Z[[Chem.GetPeriodicTable().GetAtomicNumber(s) for s in SUPPORTED_ELEMENTS]] = True


def _atom_table(mol: Chem.Mol) -> tuple[np.ndarray, np.ndarray]:
    """``(ATOM_COLUMNS table, radical electrons)`` of every atom, shapes ``(n, 5)`` and ``(n,)``."""
    rows = []
    for i in range(mol.GetNumAtoms()):
        atom = mol.GetAtomWithIdx(i)
        rows.append((atom.GetAtomicNum(), atom.GetFormalCharge(), int(atom.GetHybridization()),
                     atom.GetIsAromatic(), atom.GetTotalNumHs(includeNeighbors=True),
                     atom.GetNumRadicalElectrons()))
    table = np.array(rows, dtype=np.int64).reshape(-1, len(ATOM_COLUMNS) + 1)
    return table[:, :-1], table[:, -1]


def _bond_table(mol: Chem.Mol, heavy: np.ndarray) -> np.ndarray:
    """:data:`BOND_COLUMNS` of the bonds joining two heavy atoms (``heavy``: bool per atom)."""
    ring_bonds = {b for ring in mol.GetRingInfo().BondRings() for b in ring}
    rows = []
    for i in range(mol.GetNumBonds()):
        bond = mol.GetBondWithIdx(i)
        begin, end = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        if not (heavy[begin] and heavy[end]):
            continue
        bond_type = int(bond.GetBondType())
        stereo = int(bond.GetStereo()) if bond_type == _DOUBLE else 0
        rows.append((begin, end, bond_type, bond.GetIsConjugated(), i in ring_bonds, stereo))
    return np.array(rows, dtype=np.int64).reshape(-1, len(BOND_COLUMNS))


def check_domain(atomic_num: np.ndarray, radicals: np.ndarray) -> None:
    """Raise :class:`MoleculeError` when a molecule is outside the models' domain.

    ``atomic_num`` and ``radicals`` (unpaired electrons) per atom, shapes ``(n_atoms,)``.
    """
    if atomic_num.size == 0:
        raise MoleculeError("empty molecule")
    if not _SUPPORTED_Z[atomic_num].all():
        unsupported = np.unique(atomic_num[~_SUPPORTED_Z[atomic_num]])
        table = Chem.GetPeriodicTable()
        raise MoleculeError(f"unsupported element(s): {', '.join(sorted(table.GetElementSymbol(int(z)) for z in unsupported))}")
    if radicals.any():
        raise MoleculeError(f"radical (unpaired electrons on atom(s) {np.flatnonzero(radicals)[:5].tolist()}) not supported")
    n_heavy = int(np.count_nonzero(atomic_num > 1))
    if n_heavy == 0:
        raise MoleculeError("no heavy atoms")
    if n_heavy > MAX_HEAVY_ATOMS:
        raise MoleculeError(f"too large: {n_heavy} heavy atoms (limit {MAX_HEAVY_ATOMS})")


def prepare(mol: Chem.Mol, copy: bool = True) -> PreparedMolecule:
    """Add missing H (appended), check the domain, read atom and bond properties, compute the
    H bookkeeping and symmetry.

    The input Mol is not modified; ``copy=False`` skips the defensive copy for a Mol the caller
    owns (it may then be sanitised in place). Raises :class:`MoleculeError`.
    """
    if mol.NeedsUpdatePropertyCache():
        mol = Chem.Mol(mol) if copy else mol
        _sanitize(mol, "molecule")
    atoms, radicals = _atom_table(mol)
    input_num = atoms[:, 0]
    set_aside = counter_ions(mol, input_num)
    keep = np.ones(input_num.size, dtype=bool)
    keep[list(set_aside)] = False
    check_domain(input_num[keep], radicals[keep])
    mol_h = Chem.AddHs(mol)
    # AddHs only appends H atoms after the existing ones
    atomic_num = np.concatenate([input_num, np.ones(mol_h.GetNumAtoms() - input_num.size, dtype=np.int64)])
    heavy = atomic_num > 1
    heavy_all = np.flatnonzero(heavy)
    h_all = np.flatnonzero(~heavy)
    if heavy_all.size == input_num.size:  # no H atoms in the input: all H appended, atom by atom
        h_parent = np.repeat(heavy_all, atoms[:, 4])
        ranks = _ranks_with_appended_h(mol, h_parent)
    else:
        h_parent = _h_parents(mol_h, heavy_all, h_all)
        ranks = np.asarray(Chem.CanonicalRankAtoms(mol_h, breakTies=False), dtype=np.int64)
    heavy_index = heavy_all[keep[heavy_all]]  # heavy atoms are input atoms
    on_kept = keep[h_parent]
    return PreparedMolecule(mol=mol_h, heavy_index=heavy_index, h_index=h_all[on_kept],
                            h_parent=h_parent[on_kept], symmetry_class=ranks, atomic_num=atomic_num,
                            heavy_atoms=atoms[heavy_index], heavy_bonds=_bond_table(mol, heavy),
                            rings=mol.GetRingInfo().AtomRings(), set_aside=set_aside)


def counter_ions(mol: Chem.Mol, atomic_num: np.ndarray) -> tuple[int, ...]:
    """Atoms of a salt's counter-ions: fragments of one heavy atom (with or without H) of an
    element in :data:`COUNTER_ION_ELEMENTS`, when another fragment holds carbon. A metal bonded
    into the organic part is not a counter-ion (it stays out of the domain)."""
    fragments = Chem.GetMolFrags(mol)
    if len(fragments) < 2:
        return ()
    table = Chem.GetPeriodicTable()
    ions, organic = [], False
    for fragment in fragments:
        heavy = [a for a in fragment if atomic_num[a] > 1]
        if len(heavy) == 1 and table.GetElementSymbol(int(atomic_num[heavy[0]])) in COUNTER_ION_ELEMENTS:
            ions.append(heavy[0])
        organic = organic or any(atomic_num[a] == 6 for a in fragment)
    return tuple(sorted(ions)) if organic else ()


def _h_parents(mol_h: Chem.Mol, heavy_index: np.ndarray, h_index: np.ndarray) -> np.ndarray:
    """The heavy atom carrying each H atom (general case: H anywhere in the input)."""
    to_heavy = Chem.GetAdjacencyMatrix(mol_h)[np.ix_(h_index, heavy_index)]
    orphans = h_index[to_heavy.sum(axis=1) == 0]
    if orphans.size:
        raise MoleculeError(f"H atom {int(orphans[0])} is not bonded to a heavy atom")
    return heavy_index[to_heavy.argmax(axis=1)]


def _ranks_with_appended_h(mol: Chem.Mol, h_parent: np.ndarray) -> np.ndarray:
    """Symmetry classes of ``mol`` + its appended H without ranking the H-expanded graph.

    The H count is part of RDKit's atom invariants, so heavy atoms rank the same without the H
    atoms; an H is equivalent to another exactly when their parents are. Classes are numbered
    densely (values below the atom count, as RDKit's ranks).
    """
    heavy_ranks = np.asarray(Chem.CanonicalRankAtoms(mol, breakTies=False), dtype=np.int64)
    classes = np.concatenate([heavy_ranks, heavy_ranks.size + heavy_ranks[h_parent]])
    return np.unique(classes, return_inverse=True)[1].astype(np.int64)


def to_mol(item: object) -> Chem.Mol:
    """A SMILES string or an RDKit Mol -> RDKit Mol (order kept). Raises :class:`MoleculeError`."""
    if isinstance(item, Chem.Mol):
        return item
    if isinstance(item, str):
        return mol_from_smiles(item)
    if item is None:
        raise MoleculeError("missing structure (None)")
    raise MoleculeError(f"unsupported input type {type(item).__name__}; give a SMILES str or an RDKit Mol")

