"""Model files for every model class: save, load, checksum, ``weights_only`` reading.

A model file is a ``torch.save`` dictionary readable with ``torch.load(weights_only=True)`` (data,
never code): ``format`` (which model class), ``format_version``, ``hparams`` (JSON: the
constructor arguments), ``featurizer_version`` (the input representation the weights expect),
``training`` (JSON: data fingerprint, split, metrics, ...), ``state_dict`` and ``sha256`` (over
everything else). Every problem on loading is a :class:`ModelFileError` naming the file.

Each model class describes itself with a :class:`ModelFormat`; :func:`load_any` finds the format
of a file from its ``format`` entry (the modules in :data:`FORMAT_MODULES` register theirs).
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from torch import nn

#: format name -> module that registers it on import (for :func:`load_any`).
FORMAT_MODULES = {"shiftnet-shift-model": "shiftnet.shifts.model",
                  "shiftnet-peak-picker": "shiftnet.spectra_models.peak_model",
                  "shiftnet-nus-cnn": "shiftnet.spectra_models.nus_model",
                  "shiftnet-nus-lstm": "shiftnet.spectra_models.nus_model",
                  "shiftnet-denoiser": "shiftnet.spectra_models.denoise_model"}
_REGISTRY: dict[str, "ModelFormat"] = {}


class ModelFileError(RuntimeError):
    """A model file that is missing, corrupted, foreign or incompatible with this version."""


@dataclass(frozen=True)
class ModelFormat:
    """How one model class is stored.

    Attributes
    ----------
    name : the ``format`` entry, e.g. ``"shiftnet-shift-model"``.
    version : layout version of the file; other versions are refused.
    featurizer_version : version of the input representation the weights expect.
    build : ``hparams -> nn.Module`` (usually the class itself).
    """

    name: str
    version: int
    featurizer_version: str
    build: Callable[..., nn.Module]


def register(model_format: ModelFormat) -> ModelFormat:
    """Make ``model_format`` known to :func:`load_any`; returns it."""
    _REGISTRY[model_format.name] = model_format
    return model_format


def _digest(payload: dict) -> str:
    """sha256 over the payload without its ``sha256`` entry (tensors serialised by torch)."""
    buffer = io.BytesIO()
    torch.save({k: v for k, v in payload.items() if k != "sha256"}, buffer)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def save(model: nn.Module, path: Path, model_format: ModelFormat, hparams: dict, training: dict) -> None:
    """Write ``model`` with its format, hyper-parameters, training information and checksum."""
    payload = {
        "format": model_format.name, "format_version": model_format.version,
        "hparams": json.dumps(hparams), "featurizer_version": model_format.featurizer_version,
        "training": json.dumps(training),
        "state_dict": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
    }
    payload["sha256"] = _digest(payload)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, path)


def _read_payload(path: Path) -> dict:
    if not path.is_file():
        raise ModelFileError(f"{path}: model file not found")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ModelFileError(f"{path}: not a readable model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("format"), str):
        raise ModelFileError(f"{path}: not a shiftnet model file")
    return payload


def load(path: Path, model_format: ModelFormat) -> tuple[nn.Module, dict]:
    """Load and verify a file of ``model_format``; returns ``(model in eval mode, training info)``.

    Raises :class:`ModelFileError` naming the file and the problem.
    """
    path = Path(path)
    payload = _read_payload(path)
    if payload["format"] != model_format.name:
        raise ModelFileError(f"{path}: a {payload['format']!r} file, not a {model_format.name!r} file "
                             f"(not a shiftnet {model_format.name.removeprefix('shiftnet-')} file)")
    return _build(path, payload, model_format)


def load_any(path: Path) -> tuple[nn.Module, dict]:
    """Load a model file of any registered format (looked up from the file's ``format``)."""
    path = Path(path)
    payload = _read_payload(path)
    name = payload["format"]
    if name not in _REGISTRY and name in FORMAT_MODULES:
        importlib.import_module(FORMAT_MODULES[name])
    if name not in _REGISTRY:
        raise ModelFileError(f"{path}: unknown model format {name!r}; known: {', '.join(FORMAT_MODULES)}")
    return _build(path, payload, _REGISTRY[name])


def _build(path: Path, payload: dict, model_format: ModelFormat) -> tuple[nn.Module, dict]:
    if payload.get("format_version") != model_format.version:
        raise ModelFileError(f"{path}: model format version {payload.get('format_version')}, "
                             f"this shiftnet reads {model_format.version}")
    if payload.get("featurizer_version") != model_format.featurizer_version:
        raise ModelFileError(f"{path}: trained with featuriser {payload.get('featurizer_version')!r}, "
                             f"this shiftnet has {model_format.featurizer_version!r}")
    if payload.get("sha256") != _digest(payload):
        raise ModelFileError(f"{path}: checksum mismatch, the file is corrupted or was modified")
    try:
        model = model_format.build(**json.loads(payload["hparams"]))
    except TypeError as exc:
        raise ModelFileError(f"{path}: architecture options this shiftnet does not know ({exc}); "
                             f"written by a newer version?") from None
    try:
        model.load_state_dict(payload["state_dict"])
    except RuntimeError as exc:
        raise ModelFileError(f"{path}: weights do not fit the architecture: {exc}") from None
    model.eval()
    return model, json.loads(payload["training"])
