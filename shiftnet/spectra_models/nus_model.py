"""NUS reconstruction networks: an unrolled CNN (DLNMR-type) and an unrolled bidirectional LSTM.

Both solve one normalised 1D problem per row: the complex time signal of ``n`` points of which
the points in a mask were measured. Each network alternates a learned update of the spectrum
(the discrete Fourier transform of the current estimate, ``norm="ortho"``) with a
data-consistency step that puts the measured points back (Qu et al., Angew. Chem. 2020, 59,
10297). The CNN's update is a stack of circular, dilated 1D convolutions along the spectrum;
the LSTM's update is a bidirectional LSTM that scans the spectrum, so every point sees the whole
spectrum (the recurrent reconstructor of Hansen, J. Biomol. NMR 2019, 73, 577, here run along the
frequency axis). Both are length agnostic.

Input (see :func:`network_input`): ``(batch, 3, n)`` float channels ``Re x0, Im x0, mask`` where
``x0`` is the zero-filled signal divided by the RMS of its measured points.
Output: ``(batch, 2, n)`` real and imaginary parts of the complete signal in the same units,
equal to ``x0`` at the measured points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .. import modelfile

__all__ = ["NusCNN", "NusLSTM", "NUS_CNN_FORMAT", "NUS_LSTM_FORMAT", "network_input", "load_nus_model"]

#: Input representation: zero-filled signal / RMS of the measured points, plus the mask.
FEATURIZER_VERSION = "nus-rms-zerofill-mask-v1"


def network_input(measured: np.ndarray, mask: np.ndarray) -> tuple[torch.Tensor, np.ndarray]:
    """Network input of a batch of zero-filled NUS signals and the scale removed.

    Parameters
    ----------
    measured : complex ``(batch, n)``, zero where not measured.
    mask : bool ``(batch, n)`` or ``(n,)``, True at the measured points.

    Returns
    -------
    inputs : float32 tensor ``(batch, 3, n)``.
    scale : float ``(batch,)``, RMS of the measured points (0 for an all-zero row, whose
        input is all zero and whose reconstruction times ``scale`` is therefore zero).
    """
    mask = np.broadcast_to(mask, measured.shape)
    power = (np.abs(measured) ** 2 * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1)
    scale = np.sqrt(power)
    x = measured / np.where(scale > 0, scale, 1.0)[:, None]
    inputs = np.stack([x.real, x.imag, mask.astype(float)], axis=1).astype(np.float32)
    return torch.from_numpy(inputs), scale


def _consistent(x: torch.Tensor, x0: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``x`` with the measured points of ``x0`` put back; ``(batch, 2, n)``."""
    return torch.where(mask, x0, x)


def _spectrum(x: torch.Tensor) -> torch.Tensor:
    """``(batch, 2, n)`` time signal -> ``(batch, 2, n)`` spectrum (orthonormal DFT)."""
    s = torch.fft.fft(torch.complex(x[:, 0], x[:, 1]), norm="ortho")
    return torch.stack([s.real, s.imag], dim=1)


def _signal(s: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`_spectrum`."""
    x = torch.fft.ifft(torch.complex(s[:, 0], s[:, 1]), norm="ortho")
    return torch.stack([x.real, x.imag], dim=1)


class _ConvUpdate(nn.Module):
    """Residual spectrum update: circular dilated convolutions, ``(batch, 2, n) -> (batch, 2, n)``."""

    def __init__(self, channels: int, kernel_size: int, dilations: Sequence[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = 2
        for d in dilations:
            layers += [nn.Conv1d(width, channels, kernel_size, padding=d * (kernel_size // 2), dilation=d,
                                 padding_mode="circular"), nn.LeakyReLU(0.1)]
            width = channels
        layers.append(nn.Conv1d(width, 2, kernel_size, padding=kernel_size // 2, padding_mode="circular"))
        self.net = nn.Sequential(*layers)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return s + self.net(s)


class _LSTMUpdate(nn.Module):
    """Residual spectrum update by a bidirectional LSTM scanning the frequency axis."""

    def __init__(self, hidden: int, layers: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(2, hidden, num_layers=layers, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, 2)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        h, _ = self.lstm(s.transpose(1, 2))
        return s + self.out(h).transpose(1, 2)


class _Unrolled(nn.Module):
    """``iterations`` of (spectrum update, data consistency); subclasses make the updates."""

    blocks: nn.ModuleList

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        x0, mask = inputs[:, :2], inputs[:, 2:3] > 0.5
        x = x0
        for block in self.blocks:
            x = _consistent(_signal(block(_spectrum(x))), x0, mask)
        return x


class NusCNN(_Unrolled):
    """DLNMR-type unrolled CNN (see the module docstring).

    Parameters
    ----------
    iterations : unrolled (update, data-consistency) steps, each with its own weights.
    channels : feature channels of the convolutions.
    kernel_size : odd kernel size in spectral points.
    dilations : dilation of each hidden convolution of an update.

    Shapes
    ------
    ``(batch, 3, n) -> (batch, 2, n)``, any ``n``.
    """

    def __init__(self, iterations: int = 6, channels: int = 24, kernel_size: int = 5,
                 dilations: Sequence[int] = (1, 2, 4, 8)) -> None:
        super().__init__()
        self.hparams = {"iterations": int(iterations), "channels": int(channels), "kernel_size": int(kernel_size),
                        "dilations": [int(d) for d in dilations]}
        self.blocks = nn.ModuleList(_ConvUpdate(channels, kernel_size, dilations) for _ in range(iterations))


class NusLSTM(_Unrolled):
    """Unrolled bidirectional-LSTM reconstructor (see the module docstring).

    Parameters
    ----------
    iterations : unrolled (update, data-consistency) steps, each with its own weights.
    hidden : LSTM units per direction.
    layers : stacked LSTM layers per update.

    Shapes
    ------
    ``(batch, 3, n) -> (batch, 2, n)``, any ``n``.
    """

    def __init__(self, iterations: int = 3, hidden: int = 32, layers: int = 1) -> None:
        super().__init__()
        self.hparams = {"iterations": int(iterations), "hidden": int(hidden), "layers": int(layers)}
        self.blocks = nn.ModuleList(_LSTMUpdate(hidden, layers) for _ in range(iterations))


#: File formats of the two networks (see :mod:`shiftnet.modelfile`).
NUS_CNN_FORMAT = modelfile.register(modelfile.ModelFormat(
    name="shiftnet-nus-cnn", version=1, featurizer_version=FEATURIZER_VERSION, build=NusCNN))
NUS_LSTM_FORMAT = modelfile.register(modelfile.ModelFormat(
    name="shiftnet-nus-lstm", version=1, featurizer_version=FEATURIZER_VERSION, build=NusLSTM))


def load_nus_model(path: str | Path) -> tuple[nn.Module, dict]:
    """Load a NUS model file of either format; :class:`shiftnet.modelfile.ModelFileError` if bad
    or not a NUS model."""
    model, training = modelfile.load_any(Path(path))
    if not isinstance(model, (NusCNN, NusLSTM)):
        raise modelfile.ModelFileError(f"{path}: not a NUS reconstruction model ({type(model).__name__})")
    return model, training
