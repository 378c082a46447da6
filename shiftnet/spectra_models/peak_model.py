"""The peak-picking CNN: per-point peak-centre probability, sub-point offset, height and width.

The network sees a spectrum normalised by its robust noise level, so it is scale invariant,
and is fully convolutional, so it runs on spectra of any length.

Outputs per point (channels): ``0`` peak-centre logit, ``1`` offset of the apex from the point
in points (within +-0.5 for the point nearest the apex), ``2`` ``asinh(height / (3 sigma))``,
``3`` ``log(FWHM in points)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import modelfile
from ..nn.conv import UNet1d
from ..spectra.noise import residual_noise_sigma

__all__ = ["PeakPickerNet", "PEAK_PICKER_FORMAT", "features", "decode", "Candidates", "save_picker", "load_picker"]

#: Input representation version: channels ``asinh(x / 3 sigma)`` and ``x / max|x|``.
FEATURIZER_VERSION = "peaks-asinh3sigma-max-v2"
HEIGHT_SCALE = 3.0


class PeakPickerNet(nn.Module):
    """A small 1D U-Net labelling every point of a spectrum (see the module docstring).

    Parameters
    ----------
    channels : channels per resolution of the U-Net, finest first.
    deep_blocks : dilated residual blocks at the coarsest resolution.

    Shapes
    ------
    ``(batch, 2, n) -> (batch, 4, n)``, any ``n`` (padded internally to a multiple of the
    U-Net's downsampling factor).
    """

    def __init__(self, channels: Sequence[int] = (8, 16, 32, 48), deep_blocks: int = 4) -> None:
        super().__init__()
        self.hparams = {"channels": [int(c) for c in channels], "deep_blocks": int(deep_blocks)}
        self.unet = UNet1d(2, 4, channels, deep_blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.unet(x)


def features(spectra: np.ndarray, sigma: np.ndarray | None = None) -> tuple[torch.Tensor, np.ndarray]:
    """Network input of real spectra and the noise level used.

    Parameters
    ----------
    spectra : real array ``(batch, n)``.
    sigma : noise std per spectrum ``(batch,)``; None estimates it
        (:func:`~shiftnet.spectra.noise.residual_noise_sigma`).

    Returns
    -------
    inputs : float32 tensor ``(batch, 2, n)``.
    sigma : float array ``(batch,)`` (floored at ``1e-12`` times the maximum).
    """
    spectra = np.asarray(spectra, dtype=np.float64)
    top = np.abs(spectra).max(axis=1)
    if sigma is None:
        sigma = np.array([residual_noise_sigma(row) for row in spectra])
    sigma = np.maximum(np.asarray(sigma, dtype=float), 1e-12 * np.maximum(top, 1e-300))
    scaled = np.arcsinh(spectra / (HEIGHT_SCALE * sigma[:, None]))
    relative = spectra / np.maximum(top, 1e-300)[:, None]
    return torch.from_numpy(np.stack([scaled, relative], axis=1).astype(np.float32)), sigma


@dataclass
class Candidates:
    """Decoded peaks of one spectrum; arrays of shape ``(k,)``.

    Attributes
    ----------
    index : fractional point of the apex.
    height : height in the units of the input spectrum.
    width_points : FWHM in points.
    confidence : peak-centre probability (0-1).
    """

    index: np.ndarray
    height: np.ndarray
    width_points: np.ndarray
    confidence: np.ndarray


def decode(outputs: torch.Tensor, sigma: np.ndarray, threshold: float = 0.5) -> list[Candidates]:
    """Peaks from network outputs: local maxima (3 points) of the probability above ``threshold``.

    Parameters
    ----------
    outputs : ``(batch, 4, n)`` network output.
    sigma : noise std per spectrum ``(batch,)`` (to undo the height scaling).
    threshold : minimum peak-centre probability.
    """
    prob = torch.sigmoid(outputs[:, 0])
    keep = (prob >= threshold) & (prob == F.max_pool1d(prob[:, None], 3, 1, 1)[:, 0])
    out = []
    for b in range(outputs.shape[0]):
        idx = torch.nonzero(keep[b])[:, 0]
        o = outputs[b][:, idx].double().numpy()
        out.append(Candidates(index=idx.numpy() + np.clip(o[1], -1.0, 1.0),
                              height=HEIGHT_SCALE * sigma[b] * np.sinh(o[2]),
                              width_points=np.exp(np.clip(o[3], -3.0, 8.0)), confidence=prob[b, idx].double().numpy()))
    return out


#: The peak picker's file format (see :mod:`shiftnet.modelfile`).
PEAK_PICKER_FORMAT = modelfile.register(modelfile.ModelFormat(
    name="shiftnet-peak-picker", version=1, featurizer_version=FEATURIZER_VERSION, build=PeakPickerNet))


def save_picker(model: PeakPickerNet, path: Path, training: dict) -> None:
    """Write a peak-picker model file (hyper-parameters, training info, checksum)."""
    modelfile.save(model, path, PEAK_PICKER_FORMAT, model.hparams, training)


def load_picker(path: Path) -> tuple[PeakPickerNet, dict]:
    """Load and verify a peak-picker file; :class:`shiftnet.modelfile.ModelFileError` if bad."""
    return modelfile.load(path, PEAK_PICKER_FORMAT)
