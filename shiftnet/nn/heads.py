"""Output heads and the one target-scaling convention of the shift models.

Heads predict on a standardised scale; :class:`TargetScaling` converts between ppm and that
scale (per nucleus ``z = (ppm - mean) / std``) for the model's outputs, the training loss and
the auxiliary DFT loss alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .encoder import mlp


@dataclass(frozen=True)
class TargetScaling:
    """Per-nucleus standardisation of shift targets.

    Attributes
    ----------
    mean : nucleus -> mean of the training targets in ppm.
    std : nucleus -> their standard deviation in ppm.
    """

    mean: dict[str, float]
    std: dict[str, float]

    def standardise(self, nucleus: str, ppm: torch.Tensor) -> torch.Tensor:
        """ppm -> standardised units (any shape)."""
        return (ppm - self.mean[nucleus]) / self.std[nucleus]

    def to_ppm(self, nucleus: str, z: torch.Tensor) -> torch.Tensor:
        """Standardised units -> ppm (any shape)."""
        return z * self.std[nucleus] + self.mean[nucleus]

    def variance_to_ppm2(self, nucleus: str, var: torch.Tensor) -> torch.Tensor:
        """A variance in standardised units -> ppm^2."""
        return var * self.std[nucleus] ** 2

    def variance_to_scaled(self, nucleus: str, var_ppm2: torch.Tensor) -> torch.Tensor:
        """A variance in ppm^2 -> standardised units."""
        return var_ppm2 / self.std[nucleus] ** 2


class GaussianHead(nn.Module):
    """Per-node Gaussian: mean and variance on a standardised scale.

    Shapes: ``(N, dim)`` -> mean ``(N,)``, variance ``(N,)`` (> 0, softplus).
    """

    def __init__(self, dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.mlp = mlp(dim, dim, 2, dropout)

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.mlp(h)
        return out[:, 0], nn.functional.softplus(out[:, 1]) + 1e-4
