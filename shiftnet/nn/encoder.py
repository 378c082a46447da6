"""Message-passing encoder of the shift models (GINE layers, optional virtual node) and the MLP block."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.nn import GINEConv


class CategoricalEmbedding(nn.Module):
    """Sum of one embedding per categorical column (equivalent to a linear layer on one-hots).

    Shapes: ``(N, n_columns)`` int64 -> ``(N, dim)``.
    """

    def __init__(self, vocab_sizes: list[int], dim: int) -> None:
        super().__init__()
        offsets = torch.tensor([0] + list(vocab_sizes[:-1])).cumsum(0)
        self.register_buffer("offsets", offsets, persistent=False)
        self.table = nn.Embedding(int(sum(vocab_sizes)), dim)

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        # embedding_bag sums the rows of each bag without materialising (N, n_columns, dim)
        return nn.functional.embedding_bag(codes + self.offsets, self.table.weight, mode="sum")


class GINELayer(GINEConv):
    """GINE convolution (``h_i' = MLP((1 + eps) h_i + sum_j ReLU(h_j + e_ij))``) whose sum
    aggregation uses ``index_add_`` (faster on CPU than the generic scatter).

    Shapes: ``x`` (N, dim), ``edge_index`` (2, E), ``edge_attr`` (E, dim) -> (N, dim).
    """

    def aggregate(self, inputs: torch.Tensor, index: torch.Tensor, ptr=None, dim_size: int | None = None) -> torch.Tensor:
        return inputs.new_zeros((dim_size, inputs.size(1))).index_add_(0, index, inputs)


def mlp(dim_in: int, dim_hidden: int, dim_out: int, dropout: float = 0.0) -> nn.Sequential:
    """Two-layer perceptron (Linear, SiLU, Dropout, Linear): ``(N, dim_in)`` -> ``(N, dim_out)``."""
    return nn.Sequential(nn.Linear(dim_in, dim_hidden), nn.SiLU(), nn.Dropout(dropout),
                         nn.Linear(dim_hidden, dim_out))


class GraphEncoder(nn.Module):
    """Residual stack of GINE message-passing layers with bond features and a solvent input.

    ``virtual_node``: after every layer but the last, an MLP of the molecule's summed node states
    (layer-normalised) is added to each of its nodes: global context beyond the layer count.

    Shapes: ``x`` (N, n_atom_cols) int, ``edge_index`` (2, E), ``edge_attr`` (E, n_bond_cols) int,
    ``batch`` (N,), ``solvent`` (B,) -> node states ``(N, dim)``.
    """

    def __init__(self, atom_vocab: list[int], bond_vocab: list[int], n_solvents: int,
                 dim: int = 192, layers: int = 6, dropout: float = 0.0,
                 virtual_node: bool = False) -> None:
        super().__init__()
        self.atom_embedding = CategoricalEmbedding(atom_vocab, dim)
        self.solvent_embedding = nn.Embedding(n_solvents, dim)
        self.bond_embeddings = nn.ModuleList(CategoricalEmbedding(bond_vocab, dim) for _ in range(layers))
        self.convs = nn.ModuleList(GINELayer(mlp(dim, 2 * dim, dim, dropout), train_eps=True)
                                   for _ in range(layers))
        self.norms = nn.ModuleList(nn.LayerNorm(dim) for _ in range(layers))
        self.virtual_updates = (nn.ModuleList(nn.Sequential(nn.LayerNorm(dim), mlp(dim, 2 * dim, dim, dropout))
                                              for _ in range(layers - 1)) if virtual_node else None)
        self.out_norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, edge_attr: torch.Tensor,
                batch: torch.Tensor, solvent: torch.Tensor) -> torch.Tensor:
        h = self.atom_embedding(x) + self.solvent_embedding(solvent)[batch]
        for k, (conv, norm, bond_embedding) in enumerate(zip(self.convs, self.norms, self.bond_embeddings)):
            h = h + conv(norm(h), edge_index, bond_embedding(edge_attr))
            if self.virtual_updates is not None and k < len(self.convs) - 1:
                pooled = h.new_zeros((solvent.shape[0], h.shape[1])).index_add_(0, batch, h)
                h = h + self.virtual_updates[k](pooled)[batch]
        return self.out_norm(h)
