"""The one device rule of every model: ``"auto"`` is CUDA when present, else the CPU."""

from __future__ import annotations

import torch

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(name: str | torch.device = "auto") -> torch.device:
    """``"auto"`` | ``"cpu"`` | ``"cuda"`` (or ``"cuda:N"``, or a ``torch.device``) -> a torch device.

    Raises ``ValueError`` for another name, or for CUDA on a machine without it.
    """
    if isinstance(name, torch.device):
        return name
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name != "cpu" and not str(name).startswith("cuda"):
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {name!r}")
    if str(name).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} requested but CUDA is not available on this machine")
    return torch.device(name)
