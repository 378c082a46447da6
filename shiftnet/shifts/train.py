"""Training of shift models: data assembly, skeleton split, loss, checkpoints, calibration.

Loss per batch (standardised units): L1 of the mean on assigned 13C and 1H values, L1 of the
mean against *matched* targets for unassigned 13C lists (predictions and observations sorted
inside each multiplicity group: the optimal 1D assignment), and the Gaussian negative
log-likelihood of the variance with the mean detached (so the variance head cannot trade
accuracy for likelihood). Sigma is then rescaled per nucleus on validation data so that the
90 % interval covers 90 % of the errors.

Distillation (optional): with teacher models (an ensemble), every training node where a nucleus
applies (carbons for 13C, heavy atoms carrying H for 1H) also gets the teacher's Gaussian as a
target: L1 of the mean to the teacher mean, and the expected negative log-likelihood of the
teacher's distribution under the student's variance (mean detached), which teaches one model
the ensemble's total variance (member variance + spread). Molecules without 1H labels (the
unassigned 13C lists) thus get 1H pseudo-labels.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import pickle
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .data import (ShiftExample, attach_dft, load_assigned_table, load_unassigned_table, read_nmrshiftdb_sdf,
                       split_bucket)
from .featurize import CARBON_CODE, FEATURIZER_VERSION, GraphBatch, collate
from .model import NUCLEI, ShiftModel, ensemble_forward, load_model, save_model

log = logging.getLogger("shiftnet.shifts.train")
Z90 = 1.6448536269514722  # two-sided 90 % interval of a standard normal


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (all saved with the model)."""

    dim: int = 192
    layers: int = 6
    dropout: float = 0.0
    virtual_node: bool = False
    epochs: int = 60
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    unassigned_weight: float = 0.5
    nll_weight: float = 0.1
    distill_weight: float = 1.0
    h_weight: float = 1.0  # multiplies every 1H term (labels and distillation)
    dft_weight: float = 0.0  # > 0: auxiliary head trained on DFT shifts (examples with y_dft)
    ema_decay: float = 0.0  # > 0: keep an exponential moving average of the weights and ship it
    val_bucket: int = 0
    seed: int = 0
    threads: int = 1
    max_minutes: float | None = None


@dataclass
class Batch:
    """A collated training batch: the graph plus per-node targets (standardised later)."""

    graph: GraphBatch
    y: dict[str, torch.Tensor]          # per nucleus, (N,), NaN = no label
    match_group: torch.Tensor           # (N,), -1 = none
    match_value: torch.Tensor           # (N,)
    teacher: torch.Tensor | None = None  # (N, 4): 13C mean, var, 1H mean, var (ppm); see attach_teacher
    y_dft: torch.Tensor | None = None    # (N, 2): DFT 13C, 1H (ppm), NaN = none; see datasets.attach_dft


def collate_examples(examples: list[ShiftExample]) -> Batch:
    """Stack examples into one :class:`Batch` (teacher targets only when every example has them)."""
    graph = collate([e.graph for e in examples], [e.solvent for e in examples])
    teacher = None
    if all(e.teacher is not None for e in examples):
        teacher = torch.from_numpy(np.concatenate([e.teacher for e in examples]))
    y_dft = None
    if any(e.y_dft is not None for e in examples):
        y_dft = torch.from_numpy(np.concatenate([
            e.y_dft if e.y_dft is not None else np.full((e.graph.num_nodes, 2), np.nan, dtype=np.float32)
            for e in examples]))
    return Batch(
        graph=graph,
        y={"13C": torch.from_numpy(np.concatenate([e.y_13c for e in examples])),
           "1H": torch.from_numpy(np.concatenate([e.y_1h for e in examples]))},
        match_group=torch.from_numpy(np.concatenate([e.match_group for e in examples])),
        match_value=torch.from_numpy(np.concatenate([e.match_value for e in examples])),
        teacher=teacher, y_dft=y_dft,
    )


def matched_targets(pred: torch.Tensor, group: torch.Tensor, value: torch.Tensor,
                    batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Optimal assignment of observed values to predictions inside each (molecule, group).

    For a 1D convex cost the optimal matching pairs the sorted predictions with the sorted
    observations, so one sort of each per batch solves every group at once.

    Shapes: all ``(N,)``. Returns ``(target, mask)``: target per node where ``mask`` is True.
    """
    mask = group >= 0
    if not bool(mask.any()):
        return torch.zeros_like(pred), mask
    gid = (batch[mask].double() * 8 + group[mask].double()) * 1e4
    order_pred = torch.argsort(gid + pred[mask].detach().double())
    sorted_obs = torch.sort(gid + value[mask].double()).values - torch.sort(gid).values
    node = torch.nonzero(mask).squeeze(1)[order_pred]
    target = torch.zeros_like(pred)
    target[node] = sorted_obs.to(pred.dtype)
    return target, mask


def batch_loss(model: ShiftModel, batch: Batch, config: TrainConfig) -> tuple[torch.Tensor, dict]:
    """Total loss and its parts (floats) for one batch."""
    h = model.encode(batch.graph)
    out = model.heads_forward(h, scaled=True)
    parts, total = {}, torch.zeros(())
    for k, nucleus in enumerate(NUCLEI):
        mean, var = out[nucleus]
        mu, sd = model.hparams["target_mean"][nucleus], model.hparams["target_std"][nucleus]
        weight = config.h_weight if nucleus == "1H" else 1.0
        y = (batch.y[nucleus] - mu) / sd
        has = ~torch.isnan(y)
        if has.any():
            l1 = (mean[has] - y[has]).abs().mean()
            nll = 0.5 * (torch.log(var[has]) + (mean[has].detach() - y[has]) ** 2 / var[has]).mean()
            total = total + weight * (l1 + config.nll_weight * nll)
            parts[f"l1_{nucleus}"] = float(l1.detach()) * sd
        if nucleus == "13C":
            target, mask = matched_targets(mean * sd + mu, batch.match_group, batch.match_value,
                                           batch.graph.batch)
            if mask.any():
                l1u = (mean[mask] - (target[mask] - mu) / sd).abs().mean()
                total = total + config.unassigned_weight * l1u
                parts["l1_unassigned"] = float(l1u.detach()) * sd
        if batch.teacher is not None:
            applies = nucleus_applies(batch.graph.x, nucleus)
            t_mean = (batch.teacher[applies, 2 * k] - mu) / sd
            t_var = batch.teacher[applies, 2 * k + 1] / sd ** 2
            s_mean, s_var = mean[applies], var[applies]
            kd = (s_mean - t_mean).abs().mean()
            kd_nll = 0.5 * (torch.log(s_var) + (t_var + (s_mean.detach() - t_mean) ** 2) / s_var).mean()
            total = total + weight * config.distill_weight * (kd + config.nll_weight * kd_nll)
            parts[f"kd_{nucleus}"] = float(kd.detach()) * sd
    if batch.y_dft is not None and model.dft_head is not None:
        total = total + config.dft_weight * dft_loss(model, h, batch.y_dft, parts)
    return total, parts


def dft_loss(model: ShiftModel, h: torch.Tensor, y_dft: torch.Tensor, parts: dict) -> torch.Tensor:
    """L1 of the auxiliary DFT head (standardised like the experimental targets) on nodes with
    DFT values; ``h`` ``(N, dim)`` node embeddings, ``y_dft`` ``(N, 2)`` ppm. Adds ``dft_*`` to parts."""
    pred = model.dft_head(h)
    total = torch.zeros(())
    for k, nucleus in enumerate(NUCLEI):
        mu, sd = model.hparams["target_mean"][nucleus], model.hparams["target_std"][nucleus]
        y = (y_dft[:, k] - mu) / sd
        has = ~torch.isnan(y)
        if has.any():
            l1 = (pred[has, k] - y[has]).abs().mean()
            total = total + l1
            parts[f"dft_{nucleus}"] = float(l1.detach()) * sd
    return total


def nucleus_applies(x: torch.Tensor, nucleus: str) -> torch.Tensor:
    """Nodes that carry a prediction of ``nucleus``: carbons (13C) or heavy atoms with H (1H).

    ``x`` is the ``(N, n_atom_features)`` feature array; returns a bool mask ``(N,)``.
    """
    if nucleus == "13C":
        return x[:, 0] == CARBON_CODE
    return x[:, 2] > 0


def iterate_batches(examples: list[ShiftExample], batch_size: int, rng: np.random.Generator | None):
    """Yield collated batches; shuffled when ``rng`` is given."""
    order = rng.permutation(len(examples)) if rng is not None else np.arange(len(examples))
    for start in range(0, len(order), batch_size):
        yield collate_examples([examples[i] for i in order[start:start + batch_size]])


@torch.inference_mode()
def predict_examples(model: ShiftModel, examples: list[ShiftExample], batch_size: int = 256) -> dict:
    """Predictions on labelled nodes: per nucleus arrays of y, mean, sigma and node metadata."""
    model.eval()
    rows: dict[str, list] = {n: [] for n in NUCLEI}
    for start in range(0, len(examples), batch_size):
        chunk = examples[start:start + batch_size]
        batch = collate_examples(chunk)
        out = model(batch.graph)
        ex_index = np.repeat(np.arange(start, start + len(chunk)), [e.graph.num_nodes for e in chunk])
        node = np.concatenate([np.arange(e.graph.num_nodes) for e in chunk])
        for nucleus in NUCLEI:
            y = batch.y[nucleus].numpy()
            has = ~np.isnan(y)
            mean, var = (t.numpy() for t in out[nucleus])
            rows[nucleus].append(pd.DataFrame({
                "example": ex_index[has], "node": node[has], "y": y[has],
                "pred": mean[has], "sigma": np.sqrt(var[has]),
                "aromatic": batch.graph.x[:, 5].numpy()[has].astype(bool),
                "element": batch.graph.x[:, 0].numpy()[has],
            }))
    columns = ["example", "node", "y", "pred", "sigma", "aromatic", "element"]
    return {n: pd.concat(rows[n], ignore_index=True) if rows[n] else pd.DataFrame(columns=columns)
            for n in NUCLEI}


def ensemble_predictions(models: list[ShiftModel], examples: list[ShiftExample]) -> dict[str, pd.DataFrame]:
    """Per nucleus: labelled nodes with the ensemble mean and total sigma, combined as in
    :class:`shiftnet.shifts.predict.ShiftPredictor` (mean of variances + variance of means)."""
    runs = [predict_examples(m, examples) for m in models]
    merged = {}
    for nucleus in NUCLEI:
        frame = runs[0][nucleus].copy()
        means = np.stack([r[nucleus]["pred"].to_numpy() for r in runs])
        variances = np.stack([r[nucleus]["sigma"].to_numpy() ** 2 for r in runs])
        frame["pred"] = means.mean(0)
        frame["sigma"] = np.sqrt(variances.mean(0) + means.var(0))
        merged[nucleus] = frame
    return merged


@torch.inference_mode()
def attach_teacher(models: list[ShiftModel], examples: list[ShiftExample], batch_size: int = 256) -> None:
    """Store the ensemble's per-node Gaussian (mean of means; mean of variances + variance of
    means, calibrated ppm^2) as ``example.teacher`` ``(n_nodes, 4)`` for distillation."""
    for model in models:
        model.eval()
    for start in range(0, len(examples), batch_size):
        chunk = examples[start:start + batch_size]
        graph = collate_examples(chunk).graph
        out = ensemble_forward(models, graph)
        columns = [column for nucleus in NUCLEI for column in out[nucleus]]
        table = torch.stack(columns, dim=1).numpy().astype(np.float32)
        sizes = np.cumsum([e.graph.num_nodes for e in chunk])[:-1]
        for example, rows in zip(chunk, np.split(table, sizes)):
            example.teacher = rows


def calibrate_ensemble(models: list[ShiftModel], examples: list[ShiftExample]) -> dict[str, float]:
    """Scale every member's ``sigma_scale`` by one factor per nucleus so that the *ensemble's*
    90 % interval covers 90 % of the errors on ``examples`` (bisection on the factor; the
    smallest factor found with coverage >= 90 %)."""
    factors = {}
    runs = [predict_examples(m, examples) for m in models]
    for k, nucleus in enumerate(NUCLEI):
        means = np.stack([r[nucleus]["pred"].to_numpy() for r in runs])
        member_var = np.stack([r[nucleus]["sigma"].to_numpy() ** 2 for r in runs]).mean(0)
        spread = means.var(0)
        err = np.abs(means.mean(0) - runs[0][nucleus]["y"].to_numpy())
        if err.size == 0:  # no labels of this nucleus: nothing to calibrate against
            factors[nucleus] = 1.0
            continue
        low, high = 1e-3, 1e3
        for _ in range(60):
            mid = np.sqrt(low * high)
            coverage = np.mean(err <= Z90 * np.sqrt(mid ** 2 * member_var + spread))
            low, high = (mid, high) if coverage < 0.9 else (low, mid)
        factors[nucleus] = float(high) * 1.0001  # margin for float32 rounding of sigma_scale
        for model in models:
            model.sigma_scale[k] *= factors[nucleus]
    return factors


def evaluate(model: ShiftModel, examples: list[ShiftExample]) -> dict[str, float]:
    """MAE (ppm), RMSE and 90 % coverage per nucleus on labelled nodes."""
    predictions = predict_examples(model, examples)
    metrics = {}
    for nucleus, frame in predictions.items():
        err = np.abs(frame["pred"] - frame["y"])
        metrics[f"mae_{nucleus}"] = float(err.mean()) if len(err) else math.nan
        metrics[f"rmse_{nucleus}"] = float(np.sqrt((err ** 2).mean())) if len(err) else math.nan
        metrics[f"coverage90_{nucleus}"] = float((err <= Z90 * frame["sigma"]).mean()) if len(err) else math.nan
        metrics[f"n_{nucleus}"] = int(len(err))
    return metrics


#: (mean, standard deviation) in ppm used to standardise a nucleus without any training value.
TYPICAL_SHIFT = {"13C": (100.0, 50.0), "1H": (4.0, 2.5)}


def target_stats(examples: list[ShiftExample]) -> tuple[dict[str, float], dict[str, float]]:
    """Mean and standard deviation of the assigned targets per nucleus (ppm); a nucleus with
    fewer than two values (e.g. 13C-only data) gets :data:`TYPICAL_SHIFT`."""
    means, stds = {}, {}
    for nucleus, attr in (("13C", "y_13c"), ("1H", "y_1h")):
        values = np.concatenate([getattr(e, attr) for e in examples])
        values = values[~np.isnan(values)]
        if values.size < 2:
            means[nucleus], stds[nucleus] = TYPICAL_SHIFT[nucleus]
        else:
            means[nucleus], stds[nucleus] = float(values.mean()), float(values.std())
    return means, stds


def split_examples(examples: list[ShiftExample], val_bucket: int) -> tuple[list, list]:
    """Skeleton split: examples whose skeleton key hashes to ``val_bucket`` are validation."""
    val = [e for e in examples if split_bucket(e.key) == val_bucket]
    train = [e for e in examples if split_bucket(e.key) != val_bucket]
    return train, val


def train_model(train: list[ShiftExample], val: list[ShiftExample], config: TrainConfig,
                run_dir: Path, data_info: dict | None = None) -> tuple[ShiftModel, dict]:
    """Train (resuming from ``run_dir/checkpoint.pt`` if present), calibrate, save ``model.pt``.

    Writes ``run_dir/log.jsonl`` (one line per epoch) and returns ``(model, final metrics)``.
    """
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    run_dir.mkdir(parents=True, exist_ok=True)
    assigned = [e for e in train if e.source != "unassigned"]
    mean, std = target_stats(assigned)
    model = ShiftModel(dim=config.dim, layers=config.layers, dropout=config.dropout,
                       target_mean=mean, target_std=std, dft_head=config.dft_weight > 0,
                       virtual_node=config.virtual_node)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    ema = None
    if config.ema_decay > 0:
        ema = torch.optim.swa_utils.AveragedModel(
            model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(config.ema_decay), use_buffers=True)
    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, pct_start=0.05,
                                                    total_steps=config.epochs * steps_per_epoch)
    start_epoch, elapsed = _resume(run_dir / "checkpoint.pt", model, optimizer, scheduler, ema)
    t0 = time.time() - elapsed
    for epoch in range(start_epoch, config.epochs):
        model.train()
        rng = np.random.default_rng(config.seed + epoch)
        sums: dict[str, list[float]] = {}
        for batch in iterate_batches(train, config.batch_size, rng):
            loss, parts = batch_loss(model, batch, config)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            scheduler.step()
            if ema is not None:
                ema.update_parameters(model)
            for k, v in parts.items():
                sums.setdefault(k, []).append(v)
        record = {"epoch": epoch + 1, "minutes": (time.time() - t0) / 60,
                  **{f"train_{k}": float(np.mean(v)) for k, v in sums.items()}, **evaluate(model, val)}
        if ema is not None:
            record.update({f"ema_{k}": v for k, v in evaluate(ema.module, val).items()})
        with open(run_dir / "log.jsonl", "a") as fh:
            fh.write(json.dumps(record) + "\n")
        log.info(json.dumps(record))
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "epoch": epoch + 1,
                    "ema": ema.state_dict() if ema is not None else None,
                    "elapsed": time.time() - t0}, run_dir / "checkpoint.pt")
        if config.max_minutes is not None and (time.time() - t0) / 60 > config.max_minutes:
            log.info("time budget reached after epoch %d", epoch + 1)
            break
    if ema is not None:
        model = ema.module
    model.sigma_scale.fill_(1.0)
    scales = calibrate_ensemble([model], val)
    metrics = evaluate(model, val)
    training = {"config": asdict(config), "data": data_info or {}, "n_train": len(train),
                "n_val": len(val), "sigma_scale": scales, "val_metrics": metrics,
                "featurizer_version": FEATURIZER_VERSION}
    save_model(model, run_dir / "model.pt", training)
    return model, metrics


class ResumeError(ValueError):
    """A checkpoint that does not belong to the run being resumed (other options or data)."""


def _resume(path: Path, model, optimizer, scheduler, ema=None) -> tuple[int, float]:
    """Load ``path`` into the run's objects; returns ``(epochs done, seconds spent)``.

    Raises :class:`ResumeError` when the checkpoint was written with other options: the
    one-cycle schedule spans the epochs and data size the run was started with."""
    if not path.is_file():
        return 0, 0.0
    state = torch.load(path, map_location="cpu", weights_only=True)
    started = state["scheduler"].get("total_steps")
    if started != scheduler.total_steps:
        raise ResumeError(f"{path} was written by a run of {started} optimiser steps, this one has "
                          f"{scheduler.total_steps} (other --epochs, --batch-size or data): resume with "
                          f"the original options or use a new --out")
    try:
        model.load_state_dict(state["model"])
        if ema is not None:
            ema.load_state_dict(state["ema"])
    except (RuntimeError, AttributeError) as exc:
        raise ResumeError(f"{path} holds a model with other architecture options ({str(exc)[:200]}): "
                          f"resume with the original options or use a new --out") from None
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    log.info("resumed from %s at epoch %d", path, state["epoch"])
    return int(state["epoch"]), float(state["elapsed"])


def load_training_data(paths: list[Path], unassigned: Path | None = None,
                       outliers: Path | None = None, val_bucket: int = 0,
                       cache: Path | None = None) -> tuple[list, list, dict]:
    """Read assigned tables/SD files (+ optional unassigned lists) and split by skeleton.

    ``paths`` are ``dev.parquet``-layout tables (.parquet/.csv) or NMRShiftDB2 SD files.
    Unassigned molecules whose skeleton is in validation are dropped. Training (never
    validation) labels are cleaned: the 13C values listed in ``outliers`` and those whose
    spectra disagree by more than :data:`MAX_SPECTRA_SPREAD_13C`. Returns
    ``(train, val, info)``; ``info`` holds counts, skipped records and a data fingerprint.
    """
    if cache is not None and cache.is_file():
        with open(cache, "rb") as fh:
            return pickle.load(fh)
    examples, skipped = [], []
    for path in paths:
        path = Path(path)
        if path.suffix.lower() in (".sd", ".sdf"):
            table_path = path.with_suffix(".parsed.parquet")
            read_nmrshiftdb_sdf(path).to_parquet(table_path)
            path = table_path
        found, bad = load_assigned_table(path, path.stem.split(".")[0])
        examples += found
        skipped += bad
    train, val = split_examples(examples, val_bucket)
    if outliers:
        drop_doubtful_labels(train, pd.read_csv(outliers))
    n_disagreeing = drop_disagreeing_labels(train)
    if unassigned is not None:
        val_keys = {e.key for e in val}
        found, bad = load_unassigned_table(Path(unassigned), val_keys)
        train += found
        skipped += bad
    info = {"sources": [str(p) for p in paths] + ([str(unassigned)] if unassigned else []),
            "outliers": str(outliers) if outliers else None, "n_skipped": len(skipped),
            "n_dropped_disagreeing_13c": n_disagreeing,
            "fingerprint": _fingerprint(train + val), "val_bucket": val_bucket}
    result = (train, val, info)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with open(cache, "wb") as fh:
            pickle.dump(result, fh)
    return result


#: 13C labels whose spectra disagree by more than this (ppm) are left out of training.
MAX_SPECTRA_SPREAD_13C = 2.0


def drop_disagreeing_labels(examples: list[ShiftExample], max_spread: float = MAX_SPECTRA_SPREAD_13C) -> int:
    """Remove 13C labels whose raw per-spectrum values (``spread_13c``) differ by more than
    ``max_spread`` ppm: one of the spectra is misassigned. Training data only; returns the count."""
    removed = 0
    for example in examples:
        if example.spread_13c is None:
            continue
        bad = (example.spread_13c > max_spread) & ~np.isnan(example.y_13c)
        example.y_13c[bad] = np.nan
        removed += int(bad.sum())
    return removed


def drop_doubtful_labels(examples: list[ShiftExample], table: pd.DataFrame) -> int:
    """Remove listed 13C labels (``mol_id``, ``atom_index``) from training examples.

    Only training data is cleaned; validation keeps every label. Atom indices are node indices
    because NMRShiftDB2 tables list heavy atoms first. Returns the number of labels removed.
    """
    by_id: dict[str, list[int]] = {}
    for mol_id, atom in zip(table["mol_id"].astype(str), table["atom_index"]):
        by_id.setdefault(mol_id, []).append(int(atom))
    removed = 0
    for example in examples:
        for atom in by_id.get(example.mol_id, []):
            if atom < example.y_13c.size and not np.isnan(example.y_13c[atom]):
                example.y_13c[atom] = np.nan
                removed += 1
    return removed


def _fingerprint(examples: list[ShiftExample]) -> str:
    """sha256 of the sorted (source, id) pairs: identifies the training data."""
    ids = sorted(f"{e.source}:{e.mol_id}" for e in examples)
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]


def train_shift_model(paths: list[Path], run_dir: Path, config: TrainConfig,
                     unassigned: Path | None = None, outliers: Path | None = None,
                     teachers: list[Path] | None = None, dft: Path | None = None) -> dict:
    """Read data, split by skeleton, train, calibrate and save ``run_dir/model.pt``.

    The public entry point behind ``shiftnet train``. ``teachers``: model files whose ensemble
    is distilled into the new model (see the module docstring); ``dft``: a ``dft8k_dev.parquet``
    layout table of DFT shifts for an auxiliary head (training molecules of the "dev" source;
    needs ``config.dft_weight > 0``). Re-running with the same
    ``run_dir`` resumes from the last epoch's checkpoint. Returns the validation metrics.
    """
    run_dir = Path(run_dir)
    train, val, info = load_training_data([Path(p) for p in paths], unassigned, outliers,
                                          config.val_bucket, cache=run_dir / "data_cache.pkl")
    log.info("training on %d molecules, validating on %d (skeleton bucket %d)",
             len(train), len(val), config.val_bucket)
    if teachers:
        torch.set_num_threads(config.threads)
        attach_teacher([load_model(Path(p))[0] for p in teachers], train)
        info["teachers"] = [str(p) for p in teachers]
        log.info("distilling from %d teacher model(s)", len(teachers))
    if dft is not None:
        n_dft = attach_dft(train, Path(dft))
        info["dft"] = str(dft)
        log.info("DFT auxiliary targets on %d training molecules", n_dft)
    if not val:
        log.warning("no validation molecules in skeleton bucket %d: sigma stays uncalibrated", config.val_bucket)
    _, metrics = train_model(train, val, config, run_dir, info)
    return metrics
