"""1D convolutional blocks for the spectra models: residual dilated convolutions and a small
fully convolutional U-Net whose output has the input's length.

Shapes
------
Every block takes and returns ``(batch, channels, n_points)``; :class:`UNet1d` needs
``n_points`` divisible by ``2 ** (len(channels) - 1)`` (pad before, crop after).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["ResidualConv1d", "UNet1d"]


class ResidualConv1d(nn.Module):
    """``x + conv(relu(conv(x)))`` with a dilated kernel; length and channels preserved.

    Parameters
    ----------
    channels : input = output channels.
    kernel_size : odd kernel width in points.
    dilation : spacing of the kernel taps (the receptive field grows by
        ``2 * dilation * (kernel_size - 1)`` points).
    """

    def __init__(self, channels: int, kernel_size: int = 3, dilation: int = 1) -> None:
        super().__init__()
        pad = dilation * (kernel_size - 1) // 2
        self.conv1 = nn.Conv1d(channels, channels, kernel_size, padding=pad, dilation=dilation)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size, padding=pad, dilation=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(F.relu(x))))


class UNet1d(nn.Module):
    """Encoder-decoder over ``len(channels)`` resolutions (factor 2 each), additive skips.

    The coarsest level holds ``deep_blocks`` residual blocks with dilations 1, 2, 4, ...,
    which give the network its receptive field at little cost per input point.

    Parameters
    ----------
    in_channels, out_channels : channels of the input and of the per-point output.
    channels : channels per resolution, finest first, e.g. ``(8, 16, 24, 32)``.
    deep_blocks : residual blocks at the coarsest resolution.
    stem_kernel : kernel width of the first convolution (full resolution).

    Shapes
    ------
    ``(batch, in_channels, n) -> (batch, out_channels, n)``, any ``n`` (:meth:`forward` pads the
    input to a multiple of :attr:`factor` by edge replication and crops the output back).
    """

    def __init__(self, in_channels: int, out_channels: int, channels: Sequence[int] = (8, 16, 24, 32),
                 deep_blocks: int = 4, stem_kernel: int = 5) -> None:
        super().__init__()
        channels = [int(c) for c in channels]
        self.stem = nn.Conv1d(in_channels, channels[0], stem_kernel, padding=stem_kernel // 2)
        self.down = nn.ModuleList(nn.Conv1d(a, b, 4, stride=2, padding=1) for a, b in zip(channels, channels[1:]))
        self.deep = nn.Sequential(*(ResidualConv1d(channels[-1], 3, 2 ** i) for i in range(deep_blocks)))
        self.lift = nn.ModuleList(nn.Conv1d(b, a, 1) for a, b in zip(channels, channels[1:]))
        self.merge = nn.ModuleList(nn.Conv1d(c, c, 3, padding=1) for c in channels[:-1])
        self.head = nn.Conv1d(channels[0], out_channels, 1)
        self.factor = 2 ** (len(channels) - 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[-1]
        pad = (-n) % self.factor
        return self._levels(F.pad(x, (0, pad), mode="replicate") if pad else x)[..., :n]

    def _levels(self, x: torch.Tensor) -> torch.Tensor:
        """The network on an input whose length is a multiple of :attr:`factor`."""
        skips = [F.relu(self.stem(x))]
        for down in self.down:
            skips.append(F.relu(down(skips[-1])))
        h = self.deep(skips.pop())
        for lift, merge in zip(reversed(self.lift), reversed(self.merge)):
            h = F.interpolate(lift(F.relu(h)), scale_factor=2.0, mode="nearest") + skips.pop()
            h = h + merge(F.relu(h))
        return self.head(F.relu(h))
