"""1H-1H scalar couplings from the bond topology (RDKit); multiplets from them are in :mod:`.multiplets`.

Couplings are estimated per H pair from the path between the carbons carrying them (typical
values from Pretsch, *Structure Determination of Organic Compounds*, and Friebolin, *Basic One-
and Two-Dimensional NMR Spectroscopy*). Only H on carbon couple; H listed as exchangeable (OH, NH,
SH) never do. Alkene cis/trans is read from 2D coordinates (which honour E/Z stereo; an
unspecified double bond gets the depiction's arrangement). Pairs with (nearly) the same shift are
left to the caller: their coupling does not show in a first-order spectrum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
from rdkit import Chem
from rdkit.Chem import AllChem


#: kind -> (nominal, low, high) J in Hz; ``low..high`` is the range drawn from with a generator.
J_RANGES_HZ: dict[str, tuple[float, float, float]] = {
    "geminal_sp3": (-12.5, -14.5, -10.5),
    "geminal_sp2": (1.5, 0.0, 3.0),
    "vicinal_sp3": (7.0, 6.0, 8.0),
    "vicinal_sp3_sp2": (6.5, 5.0, 8.0),
    "vicinal_aldehyde": (2.5, 1.0, 3.5),
    "vicinal_diene": (10.5, 9.5, 11.5),
    "aromatic_ortho": (7.7, 7.0, 8.5),
    "aromatic_ortho_5ring": (3.5, 1.8, 5.5),
    "alkene_cis": (10.5, 7.0, 12.0),
    "alkene_trans": (16.5, 14.5, 18.0),
    "aromatic_meta": (1.5, 1.0, 2.5),
    "aromatic_para": (0.5, 0.2, 0.8),
    "allylic": (-1.5, -2.5, -0.5),
}
#: Kinds added only with ``long_range=True``.
LONG_RANGE = frozenset({"aromatic_para", "allylic"})


@dataclass(frozen=True)
class Coupling:
    """One H-H coupling: atom indices ``h1 < h2`` of the molecule, ``j_hz`` and its ``kind``."""

    h1: int
    h2: int
    j_hz: float
    kind: str


def _parent(atom: Chem.Atom) -> Chem.Atom:
    return atom.GetNeighbors()[0]


def _is_aldehyde_carbon(atom: Chem.Atom) -> bool:
    return any(b.GetBondType() == Chem.BondType.DOUBLE and b.GetOtherAtom(atom).GetSymbol() == "O"
               for b in atom.GetBonds())


def _is_sp2_cc(atom: Chem.Atom) -> bool:
    """Carbon in an aromatic ring or a C=C double bond."""
    return atom.GetIsAromatic() or any(
        b.GetBondType() == Chem.BondType.DOUBLE and b.GetOtherAtom(atom).GetSymbol() == "C"
        for b in atom.GetBonds())


def _same_side(coords: np.ndarray, a: int, b: int, ha: int, hb: int) -> bool:
    """Whether ``ha`` (on ``a``) and ``hb`` (on ``b``) lie on the same side of the a-b line in 2D."""
    ax, ay = coords[b] - coords[a]
    side = [ax * (coords[h, 1] - coords[a, 1]) - ay * (coords[h, 0] - coords[a, 0]) for h in (ha, hb)]
    return bool(side[0] * side[1] > 0)


def _vicinal_kind(mol: Chem.Mol, ca: Chem.Atom, cb: Chem.Atom, ha: int, hb: int,
                  coords: np.ndarray | None) -> str:
    bond = mol.GetBondBetweenAtoms(ca.GetIdx(), cb.GetIdx())
    if bond.GetIsAromatic():
        ring5 = bond.IsInRingSize(5)
        return "aromatic_ortho_5ring" if ring5 else "aromatic_ortho"
    if bond.GetBondType() == Chem.BondType.DOUBLE:
        cis = _same_side(coords, ca.GetIdx(), cb.GetIdx(), ha, hb)
        return "alkene_cis" if cis else "alkene_trans"
    if _is_aldehyde_carbon(ca) or _is_aldehyde_carbon(cb):
        return "vicinal_aldehyde"
    sp2 = _is_sp2_cc(ca) + _is_sp2_cc(cb)
    return ("vicinal_sp3", "vicinal_sp3_sp2", "vicinal_diene")[sp2]


def _four_bond_kind(mol: Chem.Mol, path: tuple[int, ...]) -> str | None:
    """Kind of an H-C-X-C-H coupling along the carbon path ``(ca, x, cb)``, or None."""
    bonds = [mol.GetBondBetweenAtoms(path[i], path[i + 1]) for i in range(2)]
    if all(b.GetIsAromatic() for b in bonds):
        ring_info = mol.GetRingInfo()
        if any(set(path) <= set(ring) for ring in ring_info.AtomRings()):
            return "aromatic_meta"
        return None
    types = sorted(b.GetBondType() for b in bonds)
    if types == sorted([Chem.BondType.SINGLE, Chem.BondType.DOUBLE]) and mol.GetAtomWithIdx(path[1]).GetSymbol() == "C":
        return "allylic"
    return None


def _pair_kind(mol: Chem.Mol, ha: int, hb: int, coords: np.ndarray | None) -> str | None:
    ca, cb = _parent(mol.GetAtomWithIdx(ha)), _parent(mol.GetAtomWithIdx(hb))
    if ca.GetIdx() == cb.GetIdx():
        sp3 = ca.GetHybridization() == Chem.HybridizationType.SP3
        return "geminal_sp3" if sp3 else "geminal_sp2"
    path = Chem.GetShortestPath(mol, ca.GetIdx(), cb.GetIdx())
    if len(path) == 2:
        return _vicinal_kind(mol, ca, cb, ha, hb, coords)
    if len(path) == 3:
        return _four_bond_kind(mol, path)
    if len(path) == 4 and all(mol.GetAtomWithIdx(i).GetIsAromatic() for i in path):
        ring_info = mol.GetRingInfo()
        if any(set(path) <= set(ring) and len(ring) == 6 for ring in ring_info.AtomRings()):
            return "aromatic_para"
    return None


def _needs_coords(mol: Chem.Mol) -> bool:
    return any(b.GetBondType() == Chem.BondType.DOUBLE and not b.GetIsAromatic()
               and all(a.GetSymbol() == "C" and a.GetTotalNumHs(includeNeighbors=True) > 0 for a in (b.GetBeginAtom(), b.GetEndAtom()))
               for b in mol.GetBonds())


def _coords_2d(mol: Chem.Mol) -> np.ndarray:
    copy = Chem.Mol(mol)
    AllChem.Compute2DCoords(copy)
    return copy.GetConformer().GetPositions()[:, :2]


def estimate_couplings(mol: Chem.Mol, exchangeable: Iterable[int] = (), long_range: bool = False,
                       rng: np.random.Generator | None = None) -> list[Coupling]:
    """All H-H couplings of a molecule with explicit hydrogens, from its topology.

    Parameters
    ----------
    mol : RDKit Mol with explicit H atoms (their indices are used in the result).
    exchangeable : indices of H atoms that exchange (OH, NH, ...) and therefore never couple.
    long_range : also add para (5J) and allylic (4J) couplings.
    rng : when given, each coupling kind gets one value drawn uniformly from its range in
        :data:`J_RANGES_HZ` for this molecule (equivalent pairs keep equal J); otherwise the
        nominal values are used.

    Returns
    -------
    list of :class:`Coupling`, ordered by ``(h1, h2)``; pairs without a rule are absent.
    """
    if not any(a.GetAtomicNum() == 1 for a in mol.GetAtoms()):
        raise ValueError("estimate_couplings needs a molecule with explicit hydrogens (Chem.AddHs)")
    blocked = set(int(i) for i in exchangeable)
    hs = [a.GetIdx() for a in mol.GetAtoms()
          if a.GetAtomicNum() == 1 and a.GetDegree() == 1 and _parent(a).GetSymbol() == "C"
          and a.GetIdx() not in blocked]
    coords = _coords_2d(mol) if _needs_coords(mol) else None
    values = {kind: (lo + (hi - lo) * rng.random() if rng is not None else nominal)
              for kind, (nominal, lo, hi) in J_RANGES_HZ.items()}
    out = []
    for pos, ha in enumerate(hs):
        for hb in hs[pos + 1:]:
            kind = _pair_kind(mol, ha, hb, coords)
            if kind is None or (kind in LONG_RANGE and not long_range):
                continue
            out.append(Coupling(ha, hb, float(values[kind]), kind))
    return out
