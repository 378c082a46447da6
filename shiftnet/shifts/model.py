"""ShiftModel: graph encoder + per-nucleus Gaussian heads, and its model-file format.

Files are written and read by :mod:`shiftnet.modelfile` (checksum, ``weights_only``, clear
errors); :func:`save_model` / :func:`load_model` are the shift model's shorthands.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .. import modelfile
from ..modelfile import ModelFileError
from ..nn import GaussianHead, GraphEncoder, TargetScaling, mlp
from ..solvents import MODEL_SOLVENTS
from .featurize import ATOM_FEATURES, BOND_FEATURES, ELEMENTS, FEATURIZER_VERSION, GraphBatch

NUCLEI = ("13C", "1H")
#: Elements with under 100 training molecules: sigma is widened near them (``thin_sigma``).
THIN_ELEMENTS = ("Ge", "As", "Sn", "Te", "Hg")
THIN_CODES = torch.tensor([ELEMENTS.index(s) + 1 for s in THIN_ELEMENTS])
#: Bonds from a thin-data element within which sigma is widened.
THIN_RADIUS = 2
__all__ = ["NUCLEI", "ShiftModel", "ModelFileError", "SHIFT_MODEL_FORMAT", "save_model", "load_model"]


class ShiftModel(nn.Module):
    """Predicts a Gaussian (mean, variance in ppm / ppm^2) per heavy atom for each nucleus.

    For "13C" the output of node k is the shift of carbon k; for "1H" it is the shift of the H
    atoms carried by heavy atom k. Outputs for nodes that are not carbons / carry no H are
    meaningless and are ignored by callers.

    Parameters are the constructor arguments (saved in the model file as ``hparams``).
    ``sigma_cap`` (ppm per nucleus, None: no cap) bounds the calibrated sigma of ``forward``:
    no interval is wider than the errors the validation data ever showed (set on release).
    ``thin_sigma`` (factor per nucleus, None: 1) widens sigma on nodes within
    :data:`THIN_RADIUS` bonds of an element of :data:`THIN_ELEMENTS`, where training data are
    thin (set on release from the validation atoms there).
    """

    def __init__(self, dim: int = 192, layers: int = 6, dropout: float = 0.0,
                 target_mean: dict[str, float] | None = None,
                 target_std: dict[str, float] | None = None, dft_head: bool = False,
                 virtual_node: bool = False, sigma_cap: dict[str, float] | None = None,
                 thin_sigma: dict[str, float] | None = None) -> None:
        super().__init__()
        self.hparams = {"dim": dim, "layers": layers, "dropout": dropout,
                        "target_mean": dict(target_mean or {"13C": 100.0, "1H": 4.0}),
                        "target_std": dict(target_std or {"13C": 50.0, "1H": 2.5}),
                        "dft_head": dft_head, "virtual_node": virtual_node,
                        "sigma_cap": dict(sigma_cap) if sigma_cap else None,
                        "thin_sigma": dict(thin_sigma) if thin_sigma else None}
        self.scaling = TargetScaling(self.hparams["target_mean"], self.hparams["target_std"])
        self.encoder = GraphEncoder([v for _, v in ATOM_FEATURES], [v for _, v in BOND_FEATURES],
                                    len(MODEL_SOLVENTS), dim=dim, layers=layers, dropout=dropout,
                                    virtual_node=virtual_node)
        self.heads = nn.ModuleDict({_key(n): GaussianHead(dim, dropout) for n in NUCLEI})
        # Training-only auxiliary head: DFT-computed 13C and 1H per node (standardised like the
        # experimental targets); shares the encoder, never used for predictions.
        self.dft_head = mlp(dim, dim, len(NUCLEI), dropout) if dft_head else None
        # Post-hoc factor on sigma per nucleus, fitted on validation data (see train.calibrate).
        self.register_buffer("sigma_scale", torch.ones(len(NUCLEI)))

    def forward(self, batch: GraphBatch, scaled: bool = False) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """Per nucleus: ``(mean, var)`` of shape ``(N,)``.

        ``scaled=False`` gives ppm and ppm^2 with the calibrated sigma; ``scaled=True`` gives the
        raw standardised outputs used by the training loss.
        """
        out = self.heads_forward(self.encode(batch), scaled)
        if scaled:
            return out
        near_thin = None
        for nucleus, (mean, var) in out.items():
            factor = (self.hparams["thin_sigma"] or {}).get(nucleus)
            if factor is not None:
                near_thin = near_elements(batch, THIN_CODES, THIN_RADIUS) if near_thin is None else near_thin
                var = torch.where(near_thin, var * factor ** 2, var)
            cap = (self.hparams["sigma_cap"] or {}).get(nucleus)
            out[nucleus] = (mean, var if cap is None else var.clamp(max=cap ** 2))
        return out

    def encode(self, batch: GraphBatch) -> torch.Tensor:
        """Node embeddings ``(N, dim)``."""
        return self.encoder(batch.x, batch.edge_index, batch.edge_attr, batch.batch, batch.solvent)

    def heads_forward(self, h: torch.Tensor, scaled: bool = False) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """The per-nucleus Gaussians from node embeddings ``h`` (before the thin-data factor and
        the cap of :meth:`forward`)."""
        out = {}
        for k, nucleus in enumerate(NUCLEI):
            mean, var = self.heads[_key(nucleus)](h)
            if not scaled:
                mean = self.scaling.to_ppm(nucleus, mean)
                var = self.scaling.variance_to_ppm2(nucleus, var) * self.sigma_scale[k] ** 2
            out[nucleus] = (mean, var)
        return out


def near_elements(batch: GraphBatch, codes: torch.Tensor, radius: int) -> torch.Tensor:
    """Per node ``(N,)`` bool: an atom with an element feature code in ``codes`` lies within
    ``radius`` bonds (the node itself included)."""
    reach = torch.isin(batch.x[:, 0], codes.to(batch.x.device)).to(torch.float32)
    source, target = batch.edge_index
    for _ in range(radius):
        reach = reach + torch.zeros_like(reach).index_add_(0, target, reach[source])
    return reach > 0


def _key(nucleus: str) -> str:
    return "n" + nucleus  # ModuleDict keys must not start with a digit


#: The shift model's file format (see :mod:`shiftnet.modelfile`).
SHIFT_MODEL_FORMAT = modelfile.register(modelfile.ModelFormat(
    name="shiftnet-shift-model", version=1, featurizer_version=FEATURIZER_VERSION, build=ShiftModel))


def save_model(model: ShiftModel, path: Path, training: dict) -> None:
    """Write ``model`` with its hyper-parameters, featuriser version, training info and checksum."""
    modelfile.save(model, path, SHIFT_MODEL_FORMAT, model.hparams, training)


def load_model(path: Path) -> tuple[ShiftModel, dict]:
    """Load and verify a shift-model file; returns ``(model in eval mode, training info)``.

    Raises :class:`ModelFileError` naming the file and the problem.
    """
    return modelfile.load(path, SHIFT_MODEL_FORMAT)
