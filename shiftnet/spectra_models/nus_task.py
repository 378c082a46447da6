"""NUS reconstruction as :class:`~shiftnet.spectra_models.train.SpectraTask` s (CNN and LSTM).

Training problems are simulated here, one per stream item, from ``default_rng([seed, index])``:
a complex time signal of ``size`` points that is a sum of decaying complex exponentials (random
peak sets, or crowded clusters as in the methyl / aliphatic region of an HSQC; items of the
stream that come from a molecule contribute its predicted 13C shifts as the frequencies),
Lorentzian widths of 0.1-8 points (0.1: hardly decayed, truncated t1 signals), a dynamic range
of 10:1 to 1000:1, any common phase (the problem is phase invariant), per-line phase scatter, 30 %
of the lines negative (edited HSQC, F2 sinc lobes in a column), complex Gaussian noise, and a
schedule of a random kind (Poisson-gap, random, exponential) and fraction (10-50 %). The target is the clean complete signal with the measured (noisy) points in
place; the loss is the relative L2 error (RLNE, equal in time and spectrum by Parseval).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..spectra.nus import KINDS, nus_mask, nus_schedule
from .nus_model import NUS_CNN_FORMAT, NUS_LSTM_FORMAT, network_input
from .train import SpectraTask

__all__ = ["NUS_CNN_TASK", "NUS_LSTM_TASK", "simulate_problem", "NusScore"]

#: Ranges of the simulated problems.
FRACTION = (0.1, 0.5)
WIDTH_POINTS = (0.1, 8.0)
DYNAMIC_RANGE = (10.0, 1000.0)
NOISE = (10 ** -4.0, 10 ** -1.5)  # time-domain noise std relative to the tallest amplitude
MAX_PEAKS = 24
PHASE_SCATTER_DEG = 5.0
NEGATIVE = 0.3


def _frequencies(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` frequencies in cycles per point, uniform or in 1-4 crowded clusters."""
    if rng.random() < 0.5:
        return rng.uniform(-0.5, 0.5, count)
    centres = rng.uniform(-0.5, 0.5, int(rng.integers(1, 5)))
    spread = rng.uniform(0.005, 0.05)
    return (rng.choice(centres, count) + rng.normal(0.0, spread, count) + 0.5) % 1.0 - 0.5


def simulate_problem(rng: np.random.Generator, size: int, fraction: float | None = None,
                     kind: str | None = None, frequencies: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One simulated NUS problem.

    Parameters
    ----------
    rng : the generator every random choice comes from.
    size : complex points of the full signal.
    fraction, kind : schedule fraction and kind (random from :data:`FRACTION`, :data:`KINDS` when None).
    frequencies : line frequencies in cycles per point (random sets or clusters when None).

    Returns
    -------
    clean : complex ``(size,)`` noise-free full signal.
    noisy : complex ``(size,)`` the same with noise (what a full acquisition would measure).
    mask : bool ``(size,)``, True at the scheduled points.
    """
    if frequencies is None:
        frequencies = _frequencies(rng, int(rng.integers(1, MAX_PEAKS + 1)))
    count = frequencies.size
    widths = np.exp(rng.uniform(*np.log(WIDTH_POINTS), count))
    dynamic = np.exp(rng.uniform(*np.log(DYNAMIC_RANGE)))
    amplitudes = np.exp(rng.uniform(-np.log(dynamic), 0.0, count))
    amplitudes[rng.integers(count)] = 1.0
    amplitudes[rng.random(count) < NEGATIVE] *= -1.0
    phases = rng.uniform(-np.pi, np.pi) + np.deg2rad(rng.normal(0.0, PHASE_SCATTER_DEG, count))
    t = np.arange(size)[:, None]
    lines = np.exp((2j * np.pi * frequencies - np.pi * widths / size) * t + 1j * phases)
    clean = lines @ amplitudes
    sigma = np.exp(rng.uniform(*np.log(NOISE)))
    noisy = clean + sigma * (rng.normal(size=size) + 1j * rng.normal(size=size)) / np.sqrt(2)
    fraction = rng.uniform(*FRACTION) if fraction is None else fraction
    kind = str(rng.choice(KINDS)) if kind is None else kind
    mask = nus_mask(nus_schedule(size, fraction, kind, seed=int(rng.integers(2**31))), size)
    return clean, noisy, mask


def _item_frequencies(items: dict[str, Any], b: int) -> np.ndarray | None:
    """Predicted 13C shifts of a molecule item as frequencies (cycles per point), else None."""
    if bool(items["random"][b]):
        return None
    n = items["clean"].shape[-1]
    index = items["peak_index"][b].numpy()[items["peak_mask"][b].numpy()].astype(float)
    return (0.5 - index / n)[:MAX_PEAKS] if index.size else None


def prepare(items: dict[str, Any], seed: int, size: int = 256) -> tuple[torch.Tensor, dict[str, Any]]:
    """Network inputs ``(B, 3, size)`` and targets (``target (B, 2, size)``: clean signal with the
    measured points in place, in the input's units; ``zero_filled (B, 2, size)``) of a batch.

    Problem ``b`` is drawn from ``default_rng([seed, items["index"][b]])``."""
    rows, masks, targets = [], [], []
    for b, index in enumerate(items["index"].tolist()):
        rng = np.random.default_rng([seed, index])
        clean, noisy, mask = simulate_problem(rng, size, frequencies=_item_frequencies(items, b))
        rows.append(np.where(mask, noisy, 0.0))
        masks.append(mask)
        targets.append(np.where(mask, noisy, clean))
    inputs, scale = network_input(np.stack(rows), np.stack(masks))
    target = np.stack(targets) / scale[:, None]
    target = torch.from_numpy(np.stack([target.real, target.imag], axis=1).astype(np.float32))
    return inputs, {"target": target, "zero_filled": inputs[:, :2].clone()}


def _rlne(x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-item relative L2 error of ``(B, 2, n)`` signals, ``(B,)``."""
    return torch.linalg.vector_norm(x - target, dim=(1, 2)) / torch.linalg.vector_norm(target, dim=(1, 2)).clamp(min=1e-12)


def loss(outputs: torch.Tensor, targets: dict[str, Any]) -> tuple[torch.Tensor, dict[str, float]]:
    """Mean RLNE of the batch."""
    value = _rlne(outputs, targets["target"]).mean()
    return value, {"rlne": float(value.detach())}


@dataclass
class NusScore:
    """Summed RLNE of the network and of zero-filling over ``count`` validation problems."""

    rlne: float = 0.0
    zero_fill_rlne: float = 0.0
    count: int = 0

    def __add__(self, other: "NusScore") -> "NusScore":
        return NusScore(self.rlne + other.rlne, self.zero_fill_rlne + other.zero_fill_rlne, self.count + other.count)


def evaluate(outputs: torch.Tensor, targets: dict[str, Any]) -> NusScore:
    return NusScore(float(_rlne(outputs, targets["target"]).sum()),
                    float(_rlne(targets["zero_filled"], targets["target"]).sum()), outputs.shape[0])


def metrics(score: NusScore) -> dict[str, float]:
    n = max(score.count, 1)
    return {"rlne": score.rlne / n, "zero_fill_rlne": score.zero_fill_rlne / n, "fidelity": 1.0 - score.rlne / n}


#: Stream items only index the problems (random items) or lend predicted 13C shifts (molecule
#: items, when ``random_fraction < 1`` and molecules are given); small and cheap by default.
_STREAM = {"random_fraction": 1.0, "smiles": [], "nuclei": ["13C"], "n_points": 256, "max_random_lines": 2,
           "solvents": [None]}

#: DLNMR-type unrolled CNN.
NUS_CNN_TASK = SpectraTask(
    name="nus-cnn", model_format=NUS_CNN_FORMAT, prepare=prepare, loss=loss, evaluate=evaluate,
    summarise=metrics, score=NusScore,
    default_hparams={"iterations": 6, "channels": 24, "kernel_size": 5, "dilations": [1, 2, 4, 8]},
    default_stream=_STREAM, key_metric="fidelity")

#: Unrolled bidirectional-LSTM reconstructor.
NUS_LSTM_TASK = SpectraTask(
    name="nus-lstm", model_format=NUS_LSTM_FORMAT, prepare=prepare, loss=loss, evaluate=evaluate,
    summarise=metrics, score=NusScore,
    default_hparams={"iterations": 3, "hidden": 32, "layers": 1},
    default_stream=_STREAM, key_metric="fidelity")
