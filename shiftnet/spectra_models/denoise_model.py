"""The denoising CNN: a 1D U-Net that estimates the noise of a spectrum (residual learning).

The network sees a spectrum in units of its robust noise level, compressed by ``asinh`` so that
peaks of any height stay in range, and returns the noise at every point in the same units,
bounded by :data:`MAX_NOISE_SIGMAS`. The denoised spectrum is the input minus that estimate: a
point never moves by more than ``MAX_NOISE_SIGMAS`` noise std, so peaks keep their places, and
tall peaks (where the compressed input leaves the noise invisible) pass through unchanged. It
is scale invariant (everything is in noise units) and fully convolutional (any length).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .. import modelfile
from ..nn.conv import UNet1d
from ..spectra.noise import residual_noise_sigma

__all__ = ["DenoiserNet", "DENOISER_FORMAT", "features", "apply_denoiser", "load_denoiser", "INPUT_SCALE",
           "MAX_NOISE_SIGMAS"]

#: Input representation version: one channel ``INPUT_SCALE * asinh(x / (INPUT_SCALE * sigma))``.
FEATURIZER_VERSION = "denoise-asinh3sigma-v1"
INPUT_SCALE = 3.0
#: Largest noise the network may remove at one point, in noise std.
MAX_NOISE_SIGMAS = 6.0


class DenoiserNet(nn.Module):
    """1D U-Net estimating the noise of a spectrum in noise-std units.

    Parameters
    ----------
    channels : channels per resolution of the U-Net, finest first.
    deep_blocks : dilated residual blocks at the coarsest resolution.

    Shapes
    ------
    ``(batch, 1, n) -> (batch, 1, n)``, any ``n`` (padded internally to a multiple of the
    U-Net's downsampling factor); output values lie in ``(-MAX_NOISE_SIGMAS, MAX_NOISE_SIGMAS)``.
    """

    def __init__(self, channels: Sequence[int] = (16, 24, 32, 48, 64), deep_blocks: int = 4) -> None:
        super().__init__()
        self.hparams = {"channels": [int(c) for c in channels], "deep_blocks": int(deep_blocks)}
        self.unet = UNet1d(1, 1, channels, deep_blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return MAX_NOISE_SIGMAS * torch.tanh(self.unet(x) / MAX_NOISE_SIGMAS)


def features(spectra: np.ndarray, sigma: np.ndarray | None = None) -> tuple[torch.Tensor, np.ndarray]:
    """Network input of real spectra and the noise level used.

    Parameters
    ----------
    spectra : real array ``(batch, n)``, any intensity unit.
    sigma : noise std per spectrum ``(batch,)`` in the same unit; None estimates it
        (:func:`~shiftnet.spectra.noise.residual_noise_sigma`).

    Returns
    -------
    inputs : float32 tensor ``(batch, 1, n)``, dimensionless.
    sigma : float array ``(batch,)`` (floored at ``1e-12`` times the maximum, so a noise-free
        spectrum gets a negligible correction).
    """
    spectra = np.asarray(spectra, dtype=np.float64)
    top = np.abs(spectra).max(axis=1)
    if sigma is None:
        sigma = np.array([residual_noise_sigma(row) for row in spectra])
    sigma = np.maximum(np.asarray(sigma, dtype=float), np.maximum(1e-12 * top, 1e-300))
    scaled = INPUT_SCALE * np.arcsinh(spectra / (INPUT_SCALE * sigma[:, None]))
    return torch.from_numpy(scaled[:, None, :].astype(np.float32)), sigma


def apply_denoiser(model: DenoiserNet, spectra: np.ndarray, sigma: np.ndarray | None = None) -> np.ndarray:
    """Denoise real spectra ``(batch, n)`` with ``model``: input minus the estimated noise.

    Parameters
    ----------
    model : the network (evaluated in inference mode on its current device).
    spectra : real array ``(batch, n)``.
    sigma : noise std per spectrum ``(batch,)``; None estimates it.

    Returns
    -------
    float64 array ``(batch, n)`` in the unit of ``spectra``.
    """
    inputs, sigma = features(spectra, sigma)
    device = next(model.parameters()).device
    with torch.inference_mode():
        noise = model(inputs.to(device))[:, 0].double().cpu().numpy()
    return np.asarray(spectra, dtype=np.float64) - sigma[:, None] * noise


#: The denoiser's file format (see :mod:`shiftnet.modelfile`).
DENOISER_FORMAT = modelfile.register(modelfile.ModelFormat(
    name="shiftnet-denoiser", version=1, featurizer_version=FEATURIZER_VERSION, build=DenoiserNet))


def load_denoiser(path: Path) -> tuple[DenoiserNet, dict]:
    """Load and verify a denoiser file; :class:`shiftnet.modelfile.ModelFileError` if bad."""
    return modelfile.load(path, DENOISER_FORMAT)
