"""Heavy-atom graph featurisation: RDKit Mol -> integer feature arrays -> batched tensors.

Nodes are the heavy atoms in input order; H atoms enter as counts. Every feature is a small
categorical index, embedded by the model (a sum of embeddings equals a one-hot linear layer
and needs no float one-hot arrays here).

Bump :data:`FEATURIZER_VERSION` whenever a vocabulary or feature changes: saved models record
it and refuse to load with a different featuriser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from rdkit import Chem

from ..molecules import PreparedMolecule

FEATURIZER_VERSION = "heavy-v2"

ELEMENTS = ["B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "Se", "Br", "I", "Ge", "As", "Sn", "Te", "Hg"]
_ELEMENT_INDEX = {s: i + 1 for i, s in enumerate(ELEMENTS)}  # 0 = other
CARBON_CODE = _ELEMENT_INDEX["C"]  #: element feature value of carbon
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


def _lookup(mapping: dict, size: int = 32) -> np.ndarray:
    """Table from ``int(enum)`` to feature code (0 for anything not in ``mapping``)."""
    table = np.zeros(size, dtype=np.int64)
    for key, code in mapping.items():
        table[int(key)] = code
    return table


_ELEMENT_CODE = _lookup({Chem.GetPeriodicTable().GetAtomicNumber(s): i for s, i in _ELEMENT_INDEX.items()}, 128)
_HYBRID_CODE = _lookup(_HYBRID)
_BOND_TYPE_CODE = _lookup(_BOND_TYPE)
_BOND_STEREO_CODE = _lookup(_BOND_STEREO)


def _ring_features(prepared: Sequence[PreparedMolecule], heavy_ids: np.ndarray, atom_offset: np.ndarray) -> np.ndarray:
    """Per node: smallest ring code, number of rings, six-ring count, in a five-ring; ``(N, 4)``.

    ``heavy_ids``: batch-global atom id of every node (sorted); ``atom_offset``: per molecule.
    """
    n_nodes = heavy_ids.size
    sizes = np.array([len(r) for p in prepared for r in p.rings], dtype=np.int64)
    if sizes.size == 0:
        return np.zeros((n_nodes, 4), dtype=np.int64)
    ring_atoms = np.array([a + off for p, off in zip(prepared, atom_offset) for r in p.rings for a in r],
                          dtype=np.int64)
    nodes = np.searchsorted(heavy_ids, ring_atoms)
    ring_size = np.repeat(sizes, sizes)
    smallest = np.full(n_nodes, 99, dtype=np.int64)
    np.minimum.at(smallest, nodes, ring_size)
    smallest_code = np.where(smallest == 99, 0, np.minimum(smallest, 8) - 2)
    count = np.bincount(nodes, minlength=n_nodes)
    six = np.bincount(nodes, weights=ring_size == 6, minlength=n_nodes).astype(np.int64)
    five = np.bincount(nodes, weights=ring_size == 5, minlength=n_nodes) > 0
    return np.stack([smallest_code, np.minimum(count, 3), np.minimum(six, 2), five], axis=1)


def featurize_arrays(prepared: Sequence[PreparedMolecule]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features of many prepared molecules at once (numpy on the concatenated tables, no RDKit).

    Returns ``(x, edge_index, edge_attr, n_nodes)``: the batch's node features ``(N, 10)``,
    directed edges ``(2, E)`` with node offsets applied (per molecule: every bond forward, then
    every bond backward), bond features ``(E, 4)`` and the node count per molecule ``(B,)``.
    Node ``k`` of molecule ``i`` is its atom ``prepared[i].heavy_index[k]``.
    """
    cat = np.concatenate
    n_atoms = np.array([p.atomic_num.size for p in prepared], dtype=np.int64)
    n_nodes = np.array([p.heavy_index.size for p in prepared], dtype=np.int64)
    n_bonds = np.array([len(p.heavy_bonds) for p in prepared], dtype=np.int64)
    atom_offset = cat([[0], np.cumsum(n_atoms)[:-1]]).astype(np.int64)
    heavy_ids = cat([p.heavy_index for p in prepared]) + np.repeat(atom_offset, n_nodes)
    atoms = cat([p.heavy_atoms for p in prepared])
    bonds = cat([p.heavy_bonds for p in prepared])
    pairs = np.searchsorted(heavy_ids, bonds[:, :2] + np.repeat(atom_offset, n_bonds)[:, None])
    x = np.empty((heavy_ids.size, len(ATOM_FEATURES)), dtype=np.int64)
    x[:, 0] = _ELEMENT_CODE[np.minimum(atoms[:, 0], 127)]
    x[:, 1] = np.minimum(np.bincount(pairs.ravel(), minlength=heavy_ids.size), 6)
    x[:, 2] = np.minimum(atoms[:, 4], 4)
    x[:, 3] = np.clip(atoms[:, 1], -2, 2) + 2
    x[:, 4] = _HYBRID_CODE[atoms[:, 2]]
    x[:, 5] = atoms[:, 3]
    x[:, 6:] = _ring_features(prepared, heavy_ids, atom_offset)
    rows = np.stack([_BOND_TYPE_CODE[bonds[:, 2]], bonds[:, 3], bonds[:, 4],
                     _BOND_STEREO_CODE[bonds[:, 5]]], axis=1)
    # per molecule: forward edges, then the same edges reversed
    molecule = np.repeat(np.arange(len(prepared)), n_bonds)
    order = np.argsort(cat([molecule * 2, molecule * 2 + 1]), kind="stable")
    edge_index = cat([pairs.T, pairs.T[::-1]], axis=1)[:, order]
    edge_attr = cat([rows, rows])[order]
    return x, edge_index, edge_attr, n_nodes


def featurize(prepared: PreparedMolecule) -> MolGraph:
    """Featurise the heavy atoms of one prepared molecule (node ``k`` = ``heavy_index[k]``)."""
    x, edge_index, edge_attr, _ = featurize_arrays([prepared])
    return MolGraph(x=x, edge_index=edge_index, edge_attr=edge_attr)


def featurize_batch(prepared: Sequence[PreparedMolecule], solvents: Sequence[int] | np.ndarray) -> "GraphBatch":
    """Featurise and collate many molecules in one go; equal to ``collate([featurize(p) ...])``."""
    x, edge_index, edge_attr, n_nodes = featurize_arrays(prepared)
    return GraphBatch(x=torch.from_numpy(x), edge_index=torch.from_numpy(edge_index),
                      edge_attr=torch.from_numpy(edge_attr),
                      batch=torch.from_numpy(np.repeat(np.arange(len(prepared)), n_nodes)),
                      solvent=torch.as_tensor(np.asarray(solvents, dtype=np.int64)),
                      num_graphs=len(prepared))


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
