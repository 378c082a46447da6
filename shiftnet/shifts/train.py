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

import json
import logging
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from ..assignment.matching import match_by_sigma, match_sorted
from .corpus import load_training_data
from .data import ShiftExample, attach_dft
from .featurize import CARBON_CODE, FEATURIZER_VERSION, GraphBatch, collate
from .model import NUCLEI, ShiftModel, load_model, save_model
from ..nn import resolve_device
from . import parallel
from .uncertainty import Z90, calibrate_ensemble, ensemble_forward, ensemble_predictions

log = logging.getLogger("shiftnet.shifts.train")


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
    match: str = "sorted"  # unassigned lists: "sorted" inside each group, or "sigma" (Hungarian on the Gaussian cost)
    nll_weight: float = 0.1
    distill_weight: float = 1.0
    h_weight: float = 1.0  # multiplies every 1H term (labels and distillation)
    dft_weight: float = 0.0  # > 0: auxiliary head trained on DFT shifts (examples with y_dft)
    ema_decay: float = 0.0  # > 0: keep an exponential moving average of the weights and ship it
    val_bucket: int = 0
    seed: int = 0
    threads: int = 1
    max_minutes: float | None = None
    device: str = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
    distributed: bool = False  # data-parallel under torchrun (see shiftnet.shifts.parallel)


@dataclass
class Batch:
    """A collated training batch: the graph plus per-node targets (standardised later)."""

    graph: GraphBatch
    y: dict[str, torch.Tensor]          # per nucleus, (N,), NaN = no label
    match_group: torch.Tensor           # (N,), -1 = none
    match_value: torch.Tensor           # (N,)
    teacher: torch.Tensor | None = None  # (N, 4): 13C mean, var, 1H mean, var (ppm); see attach_teacher
    y_dft: torch.Tensor | None = None    # (N, 2): DFT 13C, 1H (ppm), NaN = none; see data.attach_dft

    def to(self, device: torch.device) -> "Batch":
        """The same batch on ``device``."""
        def move(t: torch.Tensor | None) -> torch.Tensor | None:
            return None if t is None else t.to(device)

        return Batch(graph=self.graph.to(device), y={k: v.to(device) for k, v in self.y.items()},
                     match_group=self.match_group.to(device), match_value=self.match_value.to(device),
                     teacher=move(self.teacher), y_dft=move(self.y_dft))


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
                    batch: torch.Tensor, sigma: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Optimal assignment of observed values to predictions inside each (molecule, group).

    Without ``sigma``: for a 1D convex cost the optimal matching pairs the sorted predictions
    with the sorted observations, so one sort of each per batch solves every group at once.
    With ``sigma`` (same units as ``pred``): each group is solved on the Gaussian cost
    ``((obs - pred) / sigma)^2`` (:func:`~shiftnet.assignment.matching.match_by_sigma`).

    Shapes: all ``(N,)``. Returns ``(target, mask)``: target per node where ``mask`` is True.
    """
    mask = group >= 0
    if not bool(mask.any()):
        return torch.zeros_like(pred), mask
    if sigma is not None:
        return _matched_by_sigma(pred, sigma, group, value, batch, mask), mask
    n_groups = int(group.max()) + 1
    gid = (batch[mask].double() * n_groups + group[mask].double()) * 1e4
    order_pred = torch.argsort(gid + pred[mask].detach().double())
    sorted_obs = torch.sort(gid + value[mask].double()).values - torch.sort(gid).values
    node = torch.nonzero(mask).squeeze(1)[order_pred]
    target = torch.zeros_like(pred)
    target[node] = sorted_obs.to(pred.dtype)
    return target, mask


def _matched_by_sigma(pred: torch.Tensor, sigma: torch.Tensor, group: torch.Tensor, value: torch.Tensor,
                      batch: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per-(molecule, group) assignment on the sigma-scaled Gaussian cost; target per node."""
    node = torch.nonzero(mask).squeeze(1).cpu().numpy()
    key = (batch[mask] * (int(group.max()) + 1) + group[mask]).cpu().numpy()
    p, s, v = (t[mask].detach().double().cpu().numpy() for t in (pred, sigma, value))
    target = np.zeros(pred.shape[0])
    order = np.argsort(key, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(key[order]) != 0])
    for rows in np.split(order, starts[1:]):
        target[node[rows]] = match_by_sigma(p[rows], s[rows], v[rows])
    return torch.from_numpy(target).to(pred)


def batch_loss(model: ShiftModel, batch: Batch, config: TrainConfig) -> tuple[torch.Tensor, dict]:
    """Total loss and its parts (floats, ppm) for one batch."""
    h = model.encode(batch.graph)
    out = model.heads_forward(h, scaled=True)
    scaling = model.scaling
    parts, total = {}, h.new_zeros(())
    for k, nucleus in enumerate(NUCLEI):
        mean, var = out[nucleus]
        sd = scaling.std[nucleus]
        weight = config.h_weight if nucleus == "1H" else 1.0
        y = scaling.standardise(nucleus, batch.y[nucleus])
        has = ~torch.isnan(y)
        if has.any():
            l1 = (mean[has] - y[has]).abs().mean()
            nll = 0.5 * (torch.log(var[has]) + (mean[has].detach() - y[has]) ** 2 / var[has]).mean()
            total = total + weight * (l1 + config.nll_weight * nll)
            parts[f"l1_{nucleus}"] = float(l1.detach()) * sd
        if nucleus == "13C":
            sigma = var.detach().sqrt() * sd if config.match == "sigma" else None
            target, mask = matched_targets(scaling.to_ppm(nucleus, mean), batch.match_group, batch.match_value,
                                           batch.graph.batch, sigma)
            if mask.any():
                l1u = (mean[mask] - scaling.standardise(nucleus, target[mask])).abs().mean()
                total = total + config.unassigned_weight * l1u
                parts["l1_unassigned"] = float(l1u.detach()) * sd
        if batch.teacher is not None:
            applies = nucleus_applies(batch.graph.x, nucleus)
            t_mean = scaling.standardise(nucleus, batch.teacher[applies, 2 * k])
            t_var = scaling.variance_to_scaled(nucleus, batch.teacher[applies, 2 * k + 1])
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
    total = h.new_zeros(())
    for k, nucleus in enumerate(NUCLEI):
        y = model.scaling.standardise(nucleus, y_dft[:, k])
        has = ~torch.isnan(y)
        if has.any():
            l1 = (pred[has, k] - y[has]).abs().mean()
            total = total + l1
            parts[f"dft_{nucleus}"] = float(l1.detach()) * model.scaling.std[nucleus]
    return total


def nucleus_applies(x: torch.Tensor, nucleus: str) -> torch.Tensor:
    """Nodes that carry a prediction of ``nucleus``: carbons (13C) or heavy atoms with H (1H).

    ``x`` is the ``(N, n_atom_features)`` feature array; returns a bool mask ``(N,)``.
    """
    if nucleus == "13C":
        return x[:, 0] == CARBON_CODE
    return x[:, 2] > 0


def iterate_batches(examples: list[ShiftExample], batch_size: int, rng: np.random.Generator | None,
                    group: parallel.Group = parallel.Group()):
    """Yield collated batches (this process's share of each global batch); shuffled when ``rng``
    is given."""
    order = rng.permutation(len(examples)) if rng is not None else np.arange(len(examples))
    for part in parallel.shard(order, batch_size, group):
        yield collate_examples([examples[i] for i in part])


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
        table = torch.stack(columns, dim=1).cpu().numpy().astype(np.float32)
        sizes = np.cumsum([e.graph.num_nodes for e in chunk])[:-1]
        for example, rows in zip(chunk, np.split(table, sizes)):
            example.teacher = rows


#: First group id of the fixed per-carbon targets written by :func:`rematch_unassigned`
#: (0-4 are the multiplicity groups of :func:`~shiftnet.assignment.matching.match_groups`).
FIXED_GROUP = 5


@torch.inference_mode()
def rematch_unassigned(models: list[ShiftModel], examples: list[ShiftExample], batch_size: int = 256) -> int:
    """Fix the matching of every unassigned 13C list once, with a (stronger) model's ensemble.

    Inside each multiplicity group the observed values are assigned to the carbons by
    :func:`~shiftnet.assignment.matching.match_by_sigma` on the ensemble's 13C mean and sigma;
    each carbon then gets its own group (``FIXED_GROUP + i``), so the matching loss uses that
    value as a fixed target. Returns the number of carbons whose value changed from the one
    sorting by the same predictions would give.
    """
    for model in models:
        model.eval()
    pending = [e for e in examples if (e.match_group >= 0).any()]
    changed = 0
    for start in range(0, len(pending), batch_size):
        chunk = pending[start:start + batch_size]
        mean, var = (t.cpu().numpy().astype(np.float64)
                     for t in ensemble_forward(models, collate_examples(chunk).graph)["13C"])
        sizes = np.cumsum([e.graph.num_nodes for e in chunk])[:-1]
        for example, pred, sigma in zip(chunk, np.split(mean, sizes), np.split(np.sqrt(var), sizes)):
            group, value = example.match_group, example.match_value.astype(np.float64)
            matched = value.copy()
            for g in np.unique(group[group >= 0]):
                rows = np.flatnonzero(group == g)
                matched[rows] = match_by_sigma(pred[rows], sigma[rows], value[rows])
                changed += int((np.abs(match_sorted(pred[rows], value[rows]) - matched[rows]) > 1e-6).sum())
            has = group >= 0
            example.match_value = matched.astype(np.float32)
            example.match_group = np.where(has, FIXED_GROUP + np.cumsum(has) - 1, -1)
    return changed


def evaluate(model: ShiftModel, examples: list[ShiftExample]) -> dict[str, float]:
    """MAE (ppm), RMSE and 90 % coverage per nucleus on labelled nodes."""
    predictions = ensemble_predictions([model], examples)
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
    device = resolve_device(config.device)
    group = parallel.start(config.distributed, device)
    model = ShiftModel(dim=config.dim, layers=config.layers, dropout=config.dropout,
                       target_mean=mean, target_std=std, dft_head=config.dft_weight > 0,
                       virtual_node=config.virtual_node).to(device)
    parallel.same_start(model, group)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    ema = None
    if config.ema_decay > 0:
        ema = torch.optim.swa_utils.AveragedModel(
            model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(config.ema_decay), use_buffers=True)
    steps_per_epoch = len(parallel.shard(np.arange(len(train)), config.batch_size, group))
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, pct_start=0.05,
                                                    total_steps=config.epochs * steps_per_epoch)
    start_epoch, elapsed = _resume(run_dir / "checkpoint.pt", model, optimizer, scheduler, ema)
    t0 = time.time() - elapsed
    for epoch in range(start_epoch, config.epochs):
        model.train()
        rng = np.random.default_rng(config.seed + epoch)
        sums: dict[str, list[float]] = {}
        for batch in iterate_batches(train, config.batch_size, rng, group):
            loss, parts = batch_loss(model, batch.to(device), config)
            optimizer.zero_grad()
            loss.backward()
            parallel.average_gradients(model, group)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            scheduler.step()
            if ema is not None:
                ema.update_parameters(model)
            for k, v in parts.items():
                sums.setdefault(k, []).append(v)
        if group.main:
            _end_of_epoch(run_dir, epoch, t0, sums, model, val, optimizer, scheduler, ema)
        group.barrier()
        if config.max_minutes is not None and (time.time() - t0) / 60 > config.max_minutes:
            log.info("time budget reached after epoch %d", epoch + 1)
            break
    parallel.stop(group)
    if ema is not None:
        model = ema.module
    if not group.main:
        return model, {}
    model.sigma_scale.fill_(1.0)
    scales = calibrate_ensemble([model], val)
    metrics = evaluate(model, val)
    training = {"config": asdict(config), "data": data_info or {}, "n_train": len(train),
                "n_val": len(val), "sigma_scale": scales, "val_metrics": metrics,
                "featurizer_version": FEATURIZER_VERSION}
    save_model(model, run_dir / "model.pt", training)
    return model, metrics


def _end_of_epoch(run_dir: Path, epoch: int, t0: float, sums: dict, model, val, optimizer, scheduler,
                  ema) -> None:
    """Validate, append to ``log.jsonl`` and write the checkpoint (rank 0 only)."""
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


def _load_models(paths: list[Path], config: TrainConfig) -> list[ShiftModel]:
    """Model files on the training device (with the run's thread count), for teachers or rematching."""
    torch.set_num_threads(config.threads)
    device = resolve_device(config.device)
    return [load_model(Path(p))[0].to(device) for p in paths]


def train_shift_model(paths: list[Path], run_dir: Path, config: TrainConfig,
                     unassigned: Path | None = None, outliers: Path | None = None,
                     teachers: list[Path] | None = None, dft: Path | None = None,
                     rematch: list[Path] | None = None) -> dict:
    """Read data, split by skeleton, train, calibrate and save ``run_dir/model.pt``.

    The public entry point behind ``shiftnet train``. ``teachers``: model files whose ensemble
    is distilled into the new model (see the module docstring); ``dft``: a ``dft8k_dev.parquet``
    layout table of DFT shifts for an auxiliary head (training molecules of the "dev" source;
    needs ``config.dft_weight > 0``); ``rematch``: model files whose ensemble fixes the matching
    of the unassigned 13C lists once before training (:func:`rematch_unassigned`). Re-running with the same
    ``run_dir`` resumes from the last epoch's checkpoint. With ``config.distributed`` (under
    torchrun) every process trains on its share of each batch; rank 0 writes the files and
    returns the metrics (the others return an empty dict). Returns the validation metrics.
    """
    run_dir = Path(run_dir)
    group = parallel.start(config.distributed, resolve_device(config.device))
    if not group.main:
        group.barrier()  # rank 0 reads the data first and writes the cache the others then read
    train, val, info = load_training_data([Path(p) for p in paths], unassigned, outliers,
                                          config.val_bucket, cache_dir=run_dir)
    if group.main:
        group.barrier()
    log.info("training on %d molecules, validating on %d (skeleton bucket %d)",
             len(train), len(val), config.val_bucket)
    if teachers:
        attach_teacher(_load_models(teachers, config), train)
        info["teachers"] = [str(p) for p in teachers]
        log.info("distilling from %d teacher model(s)", len(teachers))
    if rematch:
        changed = rematch_unassigned(_load_models(rematch, config), train)
        info["rematch"] = [str(p) for p in rematch]
        log.info("unassigned lists matched once by %d model(s): %d carbons differ from sorting", len(rematch), changed)
    if dft is not None:
        n_dft = attach_dft(train, Path(dft))
        info["dft"] = str(dft)
        log.info("DFT auxiliary targets on %d training molecules", n_dft)
    if not val:
        log.warning("no validation molecules in skeleton bucket %d: sigma stays uncalibrated", config.val_bucket)
    _, metrics = train_model(train, val, config, run_dir, info)
    return metrics
