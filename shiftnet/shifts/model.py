"""ShiftModel: graph encoder + per-nucleus Gaussian heads; model files with a checksum.

A model file is a ``torch.save`` dictionary readable with ``weights_only=True``:
``format``, ``format_version``, ``hparams``, ``featurizer_version``, ``training`` (data
fingerprint, split, metrics), ``state_dict`` and ``sha256`` (over everything else).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import torch
from torch import nn

from .featurize import ATOM_FEATURES, BOND_FEATURES, FEATURIZER_VERSION, GraphBatch
from ..nn import GaussianHead, GraphEncoder, mlp
from ..solvents import MODEL_SOLVENTS

NUCLEI = ("13C", "1H")
MODEL_FORMAT = "shiftnet-shift-model"
MODEL_FORMAT_VERSION = 1


class ModelFileError(RuntimeError):
    """A model file that is missing, corrupted, foreign or incompatible with this version."""


class ShiftModel(nn.Module):
    """Predicts a Gaussian (mean, variance in ppm / ppm^2) per heavy atom for each nucleus.

    For "13C" the output of node k is the shift of carbon k; for "1H" it is the shift of the H
    atoms carried by heavy atom k. Outputs for nodes that are not carbons / carry no H are
    meaningless and are ignored by callers.

    Parameters are the constructor arguments (saved in the model file as ``hparams``).
    """

    def __init__(self, dim: int = 192, layers: int = 6, dropout: float = 0.0,
                 target_mean: dict[str, float] | None = None,
                 target_std: dict[str, float] | None = None, dft_head: bool = False,
                 virtual_node: bool = False) -> None:
        super().__init__()
        self.hparams = {"dim": dim, "layers": layers, "dropout": dropout,
                        "target_mean": dict(target_mean or {"13C": 100.0, "1H": 4.0}),
                        "target_std": dict(target_std or {"13C": 50.0, "1H": 2.5}),
                        "dft_head": dft_head, "virtual_node": virtual_node}
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
        return self.heads_forward(self.encode(batch), scaled)

    def encode(self, batch: GraphBatch) -> torch.Tensor:
        """Node embeddings ``(N, dim)``."""
        return self.encoder(batch.x, batch.edge_index, batch.edge_attr, batch.batch, batch.solvent)

    def heads_forward(self, h: torch.Tensor, scaled: bool = False) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """The per-nucleus Gaussians of :meth:`forward` from node embeddings ``h``."""
        out = {}
        for k, nucleus in enumerate(NUCLEI):
            mean, var = self.heads[_key(nucleus)](h)
            if not scaled:
                std = self.hparams["target_std"][nucleus]
                mean = mean * std + self.hparams["target_mean"][nucleus]
                var = var * (std * self.sigma_scale[k]) ** 2
            out[nucleus] = (mean, var)
        return out


@torch.inference_mode()
def ensemble_forward(models: list[ShiftModel], batch: GraphBatch) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Per nucleus the ensemble's Gaussian per node: ``(mean of means, mean of variances +
    variance of means)``, shapes ``(N,)``, ppm and ppm^2. One model gives its own output."""
    outputs = [model(batch) for model in models]
    if len(outputs) == 1:
        return outputs[0]
    combined = {}
    for nucleus in NUCLEI:
        means = torch.stack([o[nucleus][0] for o in outputs])
        variances = torch.stack([o[nucleus][1] for o in outputs])
        combined[nucleus] = (means.mean(0), variances.mean(0) + means.var(0, unbiased=False))
    return combined


def _key(nucleus: str) -> str:
    return "n" + nucleus  # ModuleDict keys must not start with a digit


def _digest(payload: dict) -> str:
    """sha256 over the payload without its ``sha256`` entry (tensors serialised by torch)."""
    buffer = io.BytesIO()
    torch.save({k: v for k, v in payload.items() if k != "sha256"}, buffer)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def save_model(model: ShiftModel, path: Path, training: dict) -> None:
    """Write ``model`` with its hyper-parameters, featuriser version, training info and checksum."""
    payload = {
        "format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION,
        "hparams": json.dumps(model.hparams), "featurizer_version": FEATURIZER_VERSION,
        "training": json.dumps(training),
        "state_dict": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
    }
    payload["sha256"] = _digest(payload)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, path)


def load_model(path: Path) -> tuple[ShiftModel, dict]:
    """Load and verify a model file; returns ``(model in eval mode, training info)``.

    Raises :class:`ModelFileError` naming the file and the problem.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: model file not found")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ModelFileError(f"{path}: not a readable model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise ModelFileError(f"{path}: not a shiftnet shift-model file")
    if payload.get("format_version") != MODEL_FORMAT_VERSION:
        raise ModelFileError(f"{path}: model format version {payload.get('format_version')}, "
                             f"this shiftnet reads {MODEL_FORMAT_VERSION}")
    if payload.get("featurizer_version") != FEATURIZER_VERSION:
        raise ModelFileError(f"{path}: trained with featuriser {payload.get('featurizer_version')!r}, "
                             f"this shiftnet has {FEATURIZER_VERSION!r}")
    if payload.get("sha256") != _digest(payload):
        raise ModelFileError(f"{path}: checksum mismatch, the file is corrupted or was modified")
    try:
        model = ShiftModel(**json.loads(payload["hparams"]))
    except TypeError as exc:
        raise ModelFileError(f"{path}: architecture options this shiftnet does not know ({exc}); "
                             f"written by a newer version?") from None
    try:
        model.load_state_dict(payload["state_dict"])
    except RuntimeError as exc:
        raise ModelFileError(f"{path}: weights do not fit the architecture: {exc}") from None
    model.eval()
    return model, json.loads(payload["training"])
