"""Peak picking as a :class:`~shiftnet.spectra_models.train.SpectraTask`: targets from the
simulated stream's labels, the loss, and validation F1.

Targets per point: a peak-centre heat map (Gaussian of 0.5 points around each detectable apex,
CenterNet style), and at the point nearest each apex its offset, scaled height and log width.
Lines below ``2 sigma`` are "ignored" (no loss near them); lines closer than
:data:`MERGE_LINEWIDTHS` FWHM are one peak. A fraction of the items is zero-filled twice
(interpolated, correlated noise, widths doubled in points) as real processed spectra are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from ..spectra.fourier import fid_to_spectrum
from .metrics import PeakScore, score_peaks
from .peak_model import HEIGHT_SCALE, PEAK_PICKER_FORMAT, decode, features
from .train import SpectraTask

__all__ = ["PEAK_TASK"]

MERGE_LINEWIDTHS = 0.35
HEAT_SIGMA_POINTS = 0.5
DETECTABLE_SNR = 2.0
TRUTH_SNR = 3.0
ZERO_FILL_FRACTION = 0.3


def _zero_filled(fid: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Spectrum of ``fid`` zero-filled to twice its length, a random window of the original
    length, and the labels ``(index, height, width)`` moved to it."""
    n = fid.shape[0]
    spectrum = fid_to_spectrum(np.concatenate([fid, np.zeros_like(fid)])).real
    start = int(rng.integers(0, n + 1))
    moved = labels * np.array([[2.0], [1.0], [2.0]]) - np.array([[start], [0.0], [0.0]])
    return spectrum[start:start + n], moved


def _merged(labels: np.ndarray) -> np.ndarray:
    """Labels ``(3, k)`` sorted by index with lines closer than MERGE_LINEWIDTHS fused
    (height-weighted position, larger height and width)."""
    if labels.shape[1] == 0:
        return labels
    labels = labels[:, np.argsort(labels[0])]
    groups = np.concatenate([[0], np.cumsum(np.diff(labels[0]) > MERGE_LINEWIDTHS * labels[2, 1:])])
    out = np.zeros((3, groups[-1] + 1))
    for g in range(out.shape[1]):
        part = labels[:, groups == g]
        weight = np.abs(part[1]) + 1e-12
        out[:, g] = (part[0] @ weight / weight.sum(), part[1, np.argmax(weight)], part[2].max())
    return out


def _item_labels(item: dict[str, Any], b: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    mask = item["peak_mask"][b].numpy()
    labels = np.stack([item[k][b].numpy()[mask].astype(float) for k in ("peak_index", "peak_height", "peak_width_points")])
    x = item["noisy"][b].numpy().astype(float)
    if rng.random() < ZERO_FILL_FRACTION:
        fid = item["fid"][b].numpy().astype(float)
        x, labels = _zero_filled(fid[:, 0] + 1j * fid[:, 1], labels, rng)
    inside = (labels[0] >= -0.5) & (labels[0] < x.size - 0.5)
    return x, _merged(labels[:, inside])


def _targets(labels: np.ndarray, sigma: float, n: int) -> dict[str, np.ndarray]:
    """Dense targets of one spectrum from merged labels ``(3, k)``."""
    points = np.arange(n)
    heat, weight = np.zeros(n), np.ones(n)
    positive = np.zeros(n, bool)
    offset, height, log_width = np.zeros(n), np.zeros(n), np.zeros(n)
    for index, h, w in sorted(labels.T, key=lambda row: abs(row[1])):
        centre = int(np.clip(np.rint(index), 0, n - 1))
        if h < DETECTABLE_SNR * sigma:
            weight[max(centre - 1, 0):centre + 2] = 0.0
            continue
        lo, hi = max(centre - 3, 0), min(centre + 4, n)
        heat[lo:hi] = np.maximum(heat[lo:hi], np.exp(-0.5 * ((points[lo:hi] - index) / HEAT_SIGMA_POINTS) ** 2))
        heat[centre], positive[centre] = 1.0, True
        offset[centre], height[centre], log_width[centre] = index - centre, np.arcsinh(h / (HEIGHT_SCALE * sigma)), np.log(w)
    return dict(heat=heat, weight=weight, positive=positive, offset=offset, height=height, log_width=log_width)


def prepare(items: dict[str, Any], seed: int) -> tuple[torch.Tensor, dict[str, Any]]:
    """Network inputs ``(B, 2, n)`` and targets (dense ``(B, n)`` tensors, plus per-item
    ``labels`` and ``sigma`` for validation) of a collated batch of stream items.

    The zero-filling augmentation of item ``i`` is drawn from ``default_rng([seed, i])``."""
    rows, labels = [], []
    for b, index in enumerate(items["index"].tolist()):
        x, merged = _item_labels(items, b, np.random.default_rng([seed, index]))
        rows.append(x)
        labels.append(merged)
    inputs, sigma = features(np.stack(rows))
    dense = [_targets(lab, s, inputs.shape[-1]) for lab, s in zip(labels, sigma)]
    targets = {k: torch.from_numpy(np.stack([d[k] for d in dense])) for k in dense[0]}
    targets = {k: v.float() if v.dtype == torch.float64 else v for k, v in targets.items()}
    return inputs, {**targets, "labels": labels, "sigma": sigma}


def loss(outputs: torch.Tensor, targets: dict[str, Any]) -> tuple[torch.Tensor, dict[str, float]]:
    """Focal loss on the heat map + smooth-L1 on offset, height and log width at the apexes."""
    logit, heat, weight, positive = outputs[:, 0], targets["heat"], targets["weight"], targets["positive"]
    log_p, log_q = F.logsigmoid(logit), F.logsigmoid(-logit)
    p = log_p.exp()
    focal = torch.where(positive, -(1 - p) ** 2 * log_p, -((1 - heat) ** 4) * p ** 2 * log_q)
    n_pos = positive.sum().clamp(min=1)
    heat_loss = (focal * weight).sum() / n_pos
    parts = {"heat": heat_loss}
    for channel, key, scale in ((1, "offset", 2.0), (2, "height", 1.0), (3, "log_width", 0.5)):
        parts[key] = scale * F.smooth_l1_loss(outputs[:, channel][positive], targets[key][positive], beta=0.1,
                                               reduction="sum") / n_pos
    total = sum(parts.values())
    return total, {k: float(v.detach()) for k, v in parts.items()}


def evaluate(outputs: torch.Tensor, targets: dict[str, Any]) -> PeakScore:
    """Score decoded peaks against labels above TRUTH_SNR (tolerance: one linewidth, >= 1 point);
    weaker labels are ignored."""
    score = PeakScore()
    for found, labels, sigma in zip(decode(outputs, targets["sigma"]), targets["labels"], targets["sigma"]):
        strong = labels[1] >= TRUTH_SNR * sigma
        score = score + score_peaks(labels[0, strong], found.index, np.maximum(labels[2, strong], 1.0),
                                    ignore_index=labels[0, ~strong])
    return score


def metrics(score: PeakScore) -> dict[str, float]:
    return {"precision": score.precision, "recall": score.recall, "f1": score.f1,
            "position_error_points": score.position_error}


#: Peak picking: the stream's random-peak items (with close pairs, solvents, phase and baseline errors).
PEAK_TASK = SpectraTask(
    name="peaks", model_format=PEAK_PICKER_FORMAT, prepare=prepare, loss=loss,
    evaluate=evaluate, summarise=metrics, score=PeakScore,
    default_hparams={"channels": [8, 16, 32, 48], "deep_blocks": 4},
    default_stream={"random_fraction": 1.0, "smiles": [], "n_points": 4096, "linewidth_points": [1.5, 12.0],
                    "snr": [3.0, 1000.0], "phase_deg": [5.0, 10.0], "baseline": 0.03, "max_random_lines": 30,
                    "pair_fraction": 0.3, "pair_separation": [0.5, 3.0]},
    key_metric="f1")
