"""Uncertainty of the shift models: ensemble combination and sigma calibration, once.

An ensemble's predictive distribution per atom is the Gaussian with the members' mean of means
and total variance = mean of the members' variances + variance of their means. Calibration
scales every member's sigma by one factor per nucleus so that the ensemble's 90 % interval
covers 90 % of held-out errors. A single model is a one-member ensemble (spread 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from .data import ShiftExample
from .featurize import GraphBatch, collate
from .model import NUCLEI, THIN_CODES, THIN_RADIUS, ShiftModel, near_elements

#: Half-width of the two-sided 90 % interval of a standard normal, in sigmas.
Z90 = 1.6448536269514722


@torch.inference_mode()
def ensemble_components(models: list[ShiftModel], graph: GraphBatch) -> dict[str, tuple[torch.Tensor, ...]]:
    """Per nucleus ``(mean of means, mean of variances, variance of means)`` per node, shapes
    ``(N,)``, ppm and ppm^2 (calibrated member sigmas)."""
    graph = graph.to(next(models[0].parameters()).device)
    outputs = [model(graph) for model in models]
    combined = {}
    for nucleus in NUCLEI:
        means = torch.stack([o[nucleus][0] for o in outputs])
        variances = torch.stack([o[nucleus][1] for o in outputs])
        combined[nucleus] = (means.mean(0), variances.mean(0), means.var(0, unbiased=False))
    return combined


def ensemble_forward(models: list[ShiftModel], graph: GraphBatch) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Per nucleus the ensemble's Gaussian per node: ``(mean, total variance)``, shapes ``(N,)``."""
    return {nucleus: (mean, member_var + spread)
            for nucleus, (mean, member_var, spread) in ensemble_components(models, graph).items()}


def ensemble_predictions(models: list[ShiftModel], examples: list[ShiftExample],
                         batch_size: int = 256) -> dict[str, pd.DataFrame]:
    """The ensemble on every labelled node of ``examples``.

    Returns per nucleus a frame with ``example`` (index into ``examples``), ``node``, ``y``
    (label, ppm), ``pred`` (ppm), ``sigma`` (total, ppm), ``member_var`` and ``spread`` (ppm^2),
    ``aromatic``, ``element`` (feature code) and ``near_thin`` (within ``THIN_RADIUS`` bonds of
    a thin-data element).
    """
    for model in models:
        model.eval()
    rows: dict[str, list] = {n: [] for n in NUCLEI}
    for start in range(0, len(examples), batch_size):
        chunk = examples[start:start + batch_size]
        graph = collate([e.graph for e in chunk], [e.solvent for e in chunk])
        out = ensemble_components(models, graph)
        near_thin = near_elements(graph, THIN_CODES, THIN_RADIUS).numpy()
        ex_index = np.repeat(np.arange(start, start + len(chunk)), [e.graph.num_nodes for e in chunk])
        node = np.concatenate([np.arange(e.graph.num_nodes) for e in chunk])
        for nucleus, attr in (("13C", "y_13c"), ("1H", "y_1h")):
            y = np.concatenate([getattr(e, attr) for e in chunk])
            has = ~np.isnan(y)
            mean, member_var, spread = (t.cpu().numpy()[has] for t in out[nucleus])
            rows[nucleus].append(pd.DataFrame({
                "example": ex_index[has], "node": node[has], "y": y[has], "pred": mean,
                "sigma": np.sqrt(member_var + spread), "member_var": member_var, "spread": spread,
                "aromatic": graph.x[:, 5].numpy()[has].astype(bool), "element": graph.x[:, 0].numpy()[has],
                "near_thin": near_thin[has],
            }))
    columns = ["example", "node", "y", "pred", "sigma", "member_var", "spread", "aromatic", "element", "near_thin"]
    return {n: pd.concat(rows[n], ignore_index=True) if rows[n] else pd.DataFrame(columns=columns)
            for n in NUCLEI}


def calibration_factor(error: np.ndarray, member_var: np.ndarray, spread: np.ndarray,
                       coverage: float = 0.9) -> float:
    """Smallest factor ``f`` on the member sigmas with which ``|error| <= Z90 sqrt(f^2
    member_var + spread)`` holds for at least ``coverage`` of the atoms (bisection); 1.0 when
    there are no errors to calibrate against."""
    if error.size == 0:
        return 1.0
    low, high = 1e-3, 1e3
    for _ in range(60):
        mid = np.sqrt(low * high)
        covered = np.mean(np.abs(error) <= Z90 * np.sqrt(mid ** 2 * member_var + spread))
        low, high = (mid, high) if covered < coverage else (low, mid)
    return float(high) * 1.0001  # margin for float32 rounding of sigma_scale


def calibrate_ensemble(models: list[ShiftModel], examples: list[ShiftExample]) -> dict[str, float]:
    """Scale every member's ``sigma_scale`` by one factor per nucleus (:func:`calibration_factor`)
    so that the ensemble's 90 % interval covers 90 % of the errors on ``examples``; returns the
    factors."""
    predictions = ensemble_predictions(models, examples)
    factors = {}
    for k, nucleus in enumerate(NUCLEI):
        frame = predictions[nucleus]
        factors[nucleus] = calibration_factor((frame["pred"] - frame["y"]).to_numpy(),
                                              frame["member_var"].to_numpy(), frame["spread"].to_numpy())
        for model in models:
            model.sigma_scale[k] *= factors[nucleus]
    return factors


def sigma_caps(models: list[ShiftModel], examples: list[ShiftExample], quantile: float = 0.999) -> dict[str, float]:
    """Per nucleus the largest sigma the data support (ppm): the ``quantile`` of the absolute
    ensemble errors on ``examples`` divided by :data:`Z90`, so that no 90 % interval is wider
    than the errors seen there. Set as ``hparams["sigma_cap"]`` with :func:`set_hparam`."""
    return {nucleus: float(np.quantile(np.abs(frame["pred"] - frame["y"]), quantile) / Z90)
            for nucleus, frame in ensemble_predictions(models, examples).items() if len(frame)}


def set_hparam(models: list[ShiftModel], name: str, value: dict[str, float]) -> None:
    """Set the per-nucleus release value ``name`` ("sigma_cap" or "thin_sigma", see
    :class:`ShiftModel`) on every member; it is saved with the model."""
    for model in models:
        model.hparams[name] = dict(value)


def thin_sigma_factors(models: list[ShiftModel], examples: list[ShiftExample]) -> dict[str, float]:
    """Per nucleus the factor (at least 1) on sigma near thin-data elements that makes the 90 %
    interval cover 90 % of the errors of those atoms in ``examples`` (1.0 where there are
    none). Call after :func:`calibrate_ensemble`; set it with :func:`set_hparam`."""
    factors = {}
    for nucleus, frame in ensemble_predictions(models, examples).items():
        near = frame[frame["near_thin"]]
        factors[nucleus] = max(1.0, calibration_factor((near["pred"] - near["y"]).to_numpy(),
                                                       near["member_var"].to_numpy(), near["spread"].to_numpy()))
    return factors
