"""Denoising as a :class:`~shiftnet.spectra_models.train.SpectraTask`: noise added to
noise-free simulated spectra, a loss that penalises lost peak height, validation noise
reduction and height ratio.

The stream is asked for practically noise-free items (SNR 10^6) that keep their phase and
baseline errors; :func:`prepare` adds the noise itself, seeded by ``(seed, item index)``: std
``1 / snr`` (the tallest clean line is 1) with ``snr`` log-uniform in :data:`SNR_RANGE`, white
or, for :data:`CORRELATED_FRACTION` of the items, smoothed by a Gaussian kernel (as apodised,
zero-filled spectra are). The network learns the noise (residual learning); the target is the
imperfect spectrum without noise, so phase and baseline errors are kept, not "denoised".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy.ndimage import gaussian_filter1d

from .denoise_model import DENOISER_FORMAT, features
from .train import SpectraTask

__all__ = ["DENOISE_TASK", "DenoiseScore", "MOLECULES"]

#: (low, high) of the tallest line over the added noise std, drawn log-uniformly.
SNR_RANGE = (2.0, 1000.0)
CORRELATED_FRACTION = 0.3
#: (low, high) std in points of the Gaussian kernel that correlates the noise.
CORRELATION_POINTS = (0.5, 1.5)
#: Points within this many noise std of a labelled apex get the height term of the loss.
APEX_MIN_SNR = 2.0
#: Weight of the height term (mean |error| at apexes) against the all-point L1 term.
HEIGHT_WEIGHT = 1.0
#: Validation: height ratios are measured on apexes at least this many noise std tall.
SCORE_MIN_SNR = 3.0
#: Small molecules (hand-picked: drugs, solvents-like building blocks, natural products) whose
#: predicted shifts give the structure items their multiplets and realistic shift patterns.
MOLECULES = [
    "CC(C)Cc1ccc(cc1)C(C)C(=O)O", "CC(=O)Oc1ccccc1C(=O)O", "CC(=O)Nc1ccc(O)cc1", "Cn1cnc2c1c(=O)n(C)c(=O)n2C",
    "COc1ccc2cc(ccc2c1)C(C)C(=O)O", "CCOC(=O)c1ccccc1", "CC(C)(C)c1ccc(O)cc1", "OC(=O)CCc1ccccc1",
    "CCCCCCCC(=O)OC", "C=CC(=O)OCC", "CC(=O)c1ccc(Cl)cc1", "c1ccc2[nH]ccc2c1", "NCCc1ccc(O)c(O)c1",
    "CC1=CC(=O)CCC1", "OCC1OC(O)C(O)C(O)C1O", "CC(C)=CCC/C(C)=C/CO", "CN1CCC[C@H]1c1cccnc1",
    "O=C(O)c1ccccc1O", "COc1cc(C=O)ccc1O", "CCN(CC)C(=O)c1cccc(C)c1", "CC(C)NCC(O)c1ccc(O)c(O)c1",
    "Fc1ccc(cc1)C(=O)CCCN1CCC(O)CC1", "CCOC(=O)C=Cc1ccccc1", "CC(O)CC(C)(C)O", "O=C1CCCCC1",
    "Cc1ccc(cc1)S(=O)(=O)N", "OC(=O)C1CCCN1", "CC(N)C(=O)O", "CCCCc1ccccc1", "COC(=O)C(C)(C)C",
]


@dataclass
class DenoiseScore:
    """Validation sums (noise-std units); add with ``+``.

    Attributes
    ----------
    residual_sq, noise_sq : summed squared error of the output and of the input against the
        noise-free target, over all points.
    signal_sq : summed squared target.
    ratio_sum, ratio_abs_error_sum, apexes : summed output/target height ratio and
        ``|ratio - 1|`` over apexes of at least :data:`SCORE_MIN_SNR` noise std, and their count.
    """

    residual_sq: float = 0.0
    noise_sq: float = 0.0
    signal_sq: float = 0.0
    ratio_sum: float = 0.0
    ratio_abs_error_sum: float = 0.0
    apexes: int = 0

    def __add__(self, other: "DenoiseScore") -> "DenoiseScore":
        return DenoiseScore(*(getattr(self, k) + getattr(other, k) for k in self.__dataclass_fields__))


def _noise(rng: np.random.Generator, n: int, sigma: float) -> np.ndarray:
    """Gaussian noise ``(n,)`` of std ``sigma``, white or (sometimes) correlated."""
    noise = rng.standard_normal(n)
    if rng.random() < CORRELATED_FRACTION:
        noise = gaussian_filter1d(noise, float(rng.uniform(*CORRELATION_POINTS)), mode="wrap")
        noise /= noise.std()
    return sigma * noise


def _apexes(item: dict[str, Any], b: int, n: int) -> np.ndarray:
    """Nearest points of the labelled lines of item ``b``, shape ``(k,)``."""
    index = item["peak_index"][b].numpy()[item["peak_mask"][b].numpy()]
    return np.clip(np.rint(index), 0, n - 1).astype(int)


def prepare(items: dict[str, Any], seed: int) -> tuple[torch.Tensor, dict[str, Any]]:
    """Network inputs ``(B, 1, n)`` and targets of a collated batch of stream items.

    Targets (``(B, n)`` float32 tensors, noise-std units of each input): ``noise`` (input minus
    the noise-free target), ``signal`` (the target), and ``apex`` (bool: labelled apexes at least
    :data:`APEX_MIN_SNR` tall). The noise of item ``i`` is drawn from ``default_rng([seed, i])``.
    """
    clean = items["noisy"].double().numpy()
    batch, n = clean.shape
    noisy = np.empty_like(clean)
    for b, index in enumerate(items["index"].tolist()):
        rng = np.random.default_rng([seed, index])
        snr = float(np.exp(rng.uniform(*np.log(SNR_RANGE))))
        noisy[b] = clean[b] + _noise(rng, n, 1.0 / snr)
    inputs, sigma = features(noisy)
    signal = clean / sigma[:, None]
    apex = np.zeros((batch, n), dtype=bool)
    for b in range(batch):
        points = _apexes(items, b, n)
        apex[b, points[np.abs(signal[b, points]) >= APEX_MIN_SNR]] = True
    as_tensor = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))  # noqa: E731
    return inputs, {"noise": as_tensor(noisy / sigma[:, None] - signal), "signal": as_tensor(signal),
                    "apex": torch.from_numpy(apex)}


def loss(outputs: torch.Tensor, targets: dict[str, Any]) -> tuple[torch.Tensor, dict[str, float]]:
    """L1 of the noise estimate over all points + :data:`HEIGHT_WEIGHT` x its L1 at the apexes
    (the lost or gained peak height, in noise std)."""
    error = outputs[:, 0] - targets["noise"]
    apex = targets["apex"]
    parts = {"l1": error.abs().mean(),
             "height": HEIGHT_WEIGHT * error[apex].abs().sum() / apex.sum().clamp(min=1)}
    return sum(parts.values()), {k: float(v.detach()) for k, v in parts.items()}


def evaluate(outputs: torch.Tensor, targets: dict[str, Any]) -> DenoiseScore:
    """Sums of squared errors and apex height ratios of one validation batch."""
    signal, noise = targets["signal"].double(), targets["noise"].double()
    output = signal + noise - outputs[:, 0].double()
    tall = targets["apex"] & (signal.abs() >= SCORE_MIN_SNR)
    ratio = output[tall] / signal[tall]
    return DenoiseScore(float(((output - signal) ** 2).sum()), float((noise ** 2).sum()), float((signal ** 2).sum()),
                        float(ratio.sum()), float((ratio - 1).abs().sum()), int(tall.sum()))


def metrics(score: DenoiseScore) -> dict[str, float]:
    """``noise_reduction`` (input / output RMS error), ``rel_rmse`` (output RMS error / target
    RMS), ``height_ratio`` (mean) and ``height_error`` (mean |ratio - 1|) at apexes."""
    apexes = max(score.apexes, 1)
    return {"noise_reduction": float(np.sqrt(score.noise_sq / max(score.residual_sq, 1e-30))),
            "rel_rmse": float(np.sqrt(score.residual_sq / max(score.signal_sq, 1e-30))),
            "height_ratio": score.ratio_sum / apexes, "height_error": score.ratio_abs_error_sum / apexes}


#: Denoising: half random-peak items, half :data:`MOLECULES` (13C and 1H multiplets), with
#: close pairs, solvents, phase and baseline errors; noise added by :func:`prepare`.
DENOISE_TASK = SpectraTask(
    name="denoise", model_format=DENOISER_FORMAT, prepare=prepare, loss=loss,
    evaluate=evaluate, summarise=metrics, score=DenoiseScore,
    default_hparams={"channels": [16, 24, 32, 48, 64], "deep_blocks": 4},
    default_stream={"random_fraction": 0.5, "smiles": MOLECULES, "n_points": 4096, "linewidth_points": [0.7, 12.0],
                    "snr": [1e6, 1e6], "phase_deg": [5.0, 10.0], "baseline": 0.03, "max_random_lines": 30,
                    "pair_fraction": 0.3, "pair_separation": [0.5, 3.0]},
    key_metric="noise_reduction")
