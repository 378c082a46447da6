"""Heavy-atom graph featurisation: RDKit Mol -> integer feature arrays -> batched tensors.

Nodes are the heavy atoms in input order; H atoms enter as counts. Every feature is a small
categorical index, embedded by the model (a sum of embeddings equals a one-hot linear layer
and needs no float one-hot arrays here).

Bump :data:`FEATURIZER_VERSION` whenever a vocabulary or feature changes: saved models record
it and refuse to load with a different featuriser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from rdkit import Chem

FEATURIZER_VERSION = "heavy-v1"

ELEMENTS = ["B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "Se", "Br", "I"]
_ELEMENT_INDEX = {s: i + 1 for i, s in enumerate(ELEMENTS)}  # 0 = other
_HYBRID = {
    Chem.HybridizationType.SP: 1, Chem.HybridizationType.SP2: 2, Chem.HybridizationType.SP3: 3,
    Chem.HybridizationType.SP3D: 4, Chem.HybridizationType.SP3D2: 5, Chem.HybridizationType.S: 6,
}
_BOND_TYPE = {
    Chem.BondType.SINGLE: 0, Chem.BondType.DOUBLE: 1, Chem.BondType.TRIPLE: 2, Chem.BondType.AROMATIC: 3,
}
_BOND_STEREO = {
    Chem.BondStereo.STEREOE: 1, Chem.BondStereo.STEREOTRANS: 1,
    Chem.BondStereo.STEREOZ: 2, Chem.BondStereo.STEREOCIS: 2,
}

#: (name, vocabulary size) of each atom feature column.
ATOM_FEATURES: list[tuple[str, int]] = [
    ("element", len(ELEMENTS) + 1),
    ("heavy_degree", 7),        # 0..6
    ("num_h", 5),               # 0..4
    ("formal_charge", 5),       # -2..+2
    ("hybridization", 7),
    ("aromatic", 2),
    ("smallest_ring", 7),       # none, 3, 4, 5, 6, 7, 8+
    ("num_rings", 4),           # 0..3+
    ("ring_size_6_count", 3),   # 0..2+: how many six-membered rings hold the atom (fusion)
    ("in_ring_5", 2),
]
#: (name, vocabulary size) of each bond feature column.
BOND_FEATURES: list[tuple[str, int]] = [
    ("bond_type", 4),
    ("conjugated", 2),
    ("in_ring", 2),
    ("stereo", 3),              # none, E/trans, Z/cis
]


@dataclass
class MolGraph:
    """Integer features of one heavy-atom graph.

    Attributes
    ----------
    x : atom features, shape ``(n_heavy, len(ATOM_FEATURES))``, int64.
    edge_index : directed edges (both directions), shape ``(2, 2 * n_bonds)``, node indices.
    edge_attr : bond features per directed edge, shape ``(2 * n_bonds, len(BOND_FEATURES))``.
    """

    x: np.ndarray
    edge_index: np.ndarray
    edge_attr: np.ndarray

    @property
    def num_nodes(self) -> int:
        return self.x.shape[0]


def _atom_row(atom: Chem.Atom, ring_info: Chem.RingInfo, heavy_degree: int) -> tuple[int, ...]:
    sizes = ring_info.AtomRingSizes(atom.GetIdx())
    smallest = min(sizes) if sizes else 0
    smallest_idx = 0 if smallest == 0 else min(smallest, 8) - 2
    return (
        _ELEMENT_INDEX.get(atom.GetSymbol(), 0),
        min(heavy_degree, 6),
        min(atom.GetTotalNumHs(includeNeighbors=True), 4),
        min(max(atom.GetFormalCharge(), -2), 2) + 2,
        _HYBRID.get(atom.GetHybridization(), 0),
        int(atom.GetIsAromatic()),
        smallest_idx,
        min(len(sizes), 3),
        min(sum(1 for s in sizes if s == 6), 2),
        int(5 in sizes),
    )


def featurize(mol: Chem.Mol, heavy_index: np.ndarray) -> MolGraph:
    """Featurise the heavy atoms ``heavy_index`` (indices into ``mol``, which has explicit H).

    Node ``k`` of the graph is atom ``heavy_index[k]``.
    """
    ring_info = mol.GetRingInfo()  # set up by sanitisation (molecules.prepare)
    heavy = np.zeros(mol.GetNumAtoms(), dtype=bool)
    heavy[heavy_index] = True
    node_of = np.full(mol.GetNumAtoms(), -1, dtype=np.int64)
    node_of[heavy_index] = np.arange(heavy_index.size)
    bonds = [b for b in mol.GetBonds()]
    ends = np.array([(b.GetBeginAtomIdx(), b.GetEndAtomIdx()) for b in bonds], dtype=np.int64).reshape(-1, 2)
    keep = np.flatnonzero(heavy[ends[:, 0]] & heavy[ends[:, 1]]) if len(bonds) else np.zeros(0, dtype=np.int64)
    pairs = node_of[ends[keep]]
    heavy_degree = np.bincount(pairs.ravel(), minlength=heavy_index.size)
    x = np.array([_atom_row(mol.GetAtomWithIdx(int(i)), ring_info, int(d))
                  for i, d in zip(heavy_index, heavy_degree)], dtype=np.int64)
    rows = np.array([(_BOND_TYPE.get(bonds[k].GetBondType(), 0), int(bonds[k].GetIsConjugated()),
                      int(bonds[k].IsInRing()), _BOND_STEREO.get(bonds[k].GetStereo(), 0)) for k in keep],
                    dtype=np.int64).reshape(-1, len(BOND_FEATURES))
    edge_index = np.concatenate([pairs.T, pairs.T[::-1]], axis=1)
    edge_attr = np.concatenate([rows, rows])
    return MolGraph(x=x.reshape(-1, len(ATOM_FEATURES)), edge_index=edge_index, edge_attr=edge_attr)


@dataclass
class GraphBatch:
    """Many graphs as one disconnected graph.

    Attributes
    ----------
    x : ``(N, n_atom_features)`` int64, N = total nodes.
    edge_index : ``(2, E)`` int64 with node offsets applied.
    edge_attr : ``(E, n_bond_features)`` int64.
    batch : ``(N,)`` graph index of every node.
    solvent : ``(B,)`` solvent index per graph.
    num_graphs : B.
    """

    x: torch.Tensor
    edge_index: torch.Tensor
    edge_attr: torch.Tensor
    batch: torch.Tensor
    solvent: torch.Tensor
    num_graphs: int

    def to(self, device: torch.device | str) -> "GraphBatch":
        return GraphBatch(self.x.to(device), self.edge_index.to(device), self.edge_attr.to(device),
                          self.batch.to(device), self.solvent.to(device), self.num_graphs)


def collate(graphs: list[MolGraph], solvents: list[int] | np.ndarray) -> GraphBatch:
    """Concatenate graphs (node offsets added to edges) into a :class:`GraphBatch`."""
    sizes = np.fromiter((g.num_nodes for g in graphs), dtype=np.int64, count=len(graphs))
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    edge_index = np.concatenate([g.edge_index + o for g, o in zip(graphs, offsets)], axis=1)
    return GraphBatch(
        x=torch.from_numpy(np.concatenate([g.x for g in graphs])),
        edge_index=torch.from_numpy(edge_index),
        edge_attr=torch.from_numpy(np.concatenate([g.edge_attr for g in graphs])),
        batch=torch.from_numpy(np.repeat(np.arange(len(graphs)), sizes)),
        solvent=torch.as_tensor(np.asarray(solvents, dtype=np.int64)),
        num_graphs=len(graphs),
    )
