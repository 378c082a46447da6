"""ONE training loop for the spectra models (peak picking, denoising, NUS reconstruction).

A :class:`SpectraTask` says what is task specific: the model format (which builds the network
from hyper-parameters), how a batch of simulated stream items becomes ``(inputs, targets)``,
the loss, and the validation score. :func:`train_spectra_model` does the rest: seeded data
(training items ``step * batch_size ...`` of the stream with ``seed``, a fixed validation set
from ``val_seed``), AdamW with a one-cycle schedule, gradient clipping, a weights-only
checkpoint every ``checkpoint_every`` steps, resuming (refused when the options differ),
``log.jsonl``, and the model file (:mod:`shiftnet.modelfile`) at the end.

Example
-------
>>> metrics = train_spectra_model("peaks", "runs/peaks", TrainConfig(steps=2000))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from .. import modelfile
from ..nn import resolve_device
from .stream import SimulatedSpectraDataset

__all__ = ["SpectraTask", "TrainConfig", "ResumeError", "TASKS", "get_task", "train_spectra_model"]
log = logging.getLogger(__name__)

#: task name -> ``"module:attribute"`` of its :class:`SpectraTask` (imported when used).
TASKS = {"peaks": "shiftnet.spectra_models.peak_task:PEAK_TASK",
         "nus-cnn": "shiftnet.spectra_models.nus_task:NUS_CNN_TASK",
         "nus-lstm": "shiftnet.spectra_models.nus_task:NUS_LSTM_TASK",
         "denoise": "shiftnet.spectra_models.denoise_task:DENOISE_TASK"}
#: Options that may change when a run is resumed; every other one must match the checkpoint.
RESUMABLE_OPTIONS = ("device", "num_workers", "checkpoint_every", "val_every", "log_every", "time_limit_s")


@dataclass(frozen=True)
class SpectraTask:
    """What one spectra model needs from the training loop.

    Attributes
    ----------
    name : task name (a key of :data:`TASKS`).
    model_format : file format; its ``build(**hparams)`` makes the network.
    prepare : ``(collated stream items, seed) -> (inputs tensor, targets dict)``; random
        augmentation must be drawn from ``seed`` and the items' ``index``.
    loss : ``(model(inputs), targets) -> (scalar loss, {part: float})``.
    evaluate : ``(model(inputs), targets) -> score`` of one validation batch; scores add with ``+``.
    summarise : ``summed score -> {metric: float}``.
    score : ``() -> zero score`` (the start of the sum).
    default_hparams : network hyper-parameters (overridden by ``TrainConfig.hparams``).
    default_stream : :class:`SimulatedSpectraDataset` arguments (overridden by ``TrainConfig.stream``).
    key_metric : the metric reported as the run's result (higher is better).
    """

    name: str
    model_format: modelfile.ModelFormat
    prepare: Callable[[dict, int], tuple[torch.Tensor, dict]]
    loss: Callable[[torch.Tensor, dict], tuple[torch.Tensor, dict]]
    evaluate: Callable[[torch.Tensor, dict], Any]
    summarise: Callable[[Any], dict[str, float]]
    score: Callable[[], Any]
    default_hparams: dict = field(default_factory=dict)
    default_stream: dict = field(default_factory=dict)
    key_metric: str = "loss"


@dataclass
class TrainConfig:
    """Options of a training run (all JSON-serialisable).

    Attributes
    ----------
    steps : optimiser steps of the whole run (the schedule spans them).
    batch_size : stream items per step.
    lr : peak learning rate of the one-cycle schedule; ``warmup`` its rising fraction.
    weight_decay : AdamW weight decay.
    clip_norm : gradient-norm clipping.
    seed : seed of the training stream and of the weight initialisation.
    val_seed : seed of the validation stream (must differ from ``seed``); ``val_size`` items.
    checkpoint_every, val_every, log_every : in steps.
    device : "auto" (CUDA when available), "cpu" or "cuda".
    num_workers : DataLoader processes simulating items.
    time_limit_s : stop (checkpoint + model file) after this many seconds of this session.
    hparams, stream : overrides of the task's defaults.
    init_from : warm start: a model file of the same task whose weights (not its optimiser or
        schedule) start this run; its architecture must match ``hparams``.
    """

    steps: int = 2000
    batch_size: int = 16
    lr: float = 3e-3
    warmup: float = 0.05
    weight_decay: float = 1e-4
    clip_norm: float = 1.0
    seed: int = 0
    val_seed: int = 1_000_003
    val_size: int = 64
    checkpoint_every: int = 100
    val_every: int = 500
    log_every: int = 20
    device: str = "auto"
    num_workers: int = 0
    time_limit_s: float | None = None
    hparams: dict = field(default_factory=dict)
    stream: dict = field(default_factory=dict)
    init_from: str | None = None


class ResumeError(ValueError):
    """A checkpoint that does not belong to the run being resumed (other options)."""


def get_task(name: str) -> SpectraTask:
    """The :class:`SpectraTask` called ``name``; ValueError naming the known tasks."""
    if name not in TASKS:
        raise ValueError(f"unknown spectra task {name!r}; known: {', '.join(TASKS)}")
    module, attribute = TASKS[name].split(":")
    return getattr(importlib.import_module(module), attribute)


class _Items(Dataset):
    """Items ``start .. start + count - 1`` of a stream as a map-style dataset."""

    def __init__(self, stream: SimulatedSpectraDataset, start: int, count: int) -> None:
        self.stream, self.start, self.count = stream, start, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> dict:
        return self.stream[self.start + i]


def _to(targets: dict, device: torch.device) -> dict:
    return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in targets.items()}


def _identity(config: TrainConfig, task: SpectraTask, hparams: dict, stream: dict) -> dict:
    """The options a checkpoint must share with the run that resumes it."""
    options = {k: v for k, v in dataclasses.asdict(config).items() if k not in RESUMABLE_OPTIONS}
    return json.loads(json.dumps({**options, "task": task.name, "hparams": hparams, "stream": stream}))


def _resume(path: Path, identity: dict, model: nn.Module, optimizer, scheduler) -> tuple[int, float]:
    """Load ``path`` into the run's objects; returns ``(steps done, seconds spent)``."""
    if not path.is_file():
        return 0, 0.0
    state = torch.load(path, map_location="cpu", weights_only=True)
    saved = json.loads(state["identity"])
    differ = sorted(k for k in saved.keys() | identity.keys() if saved.get(k) != identity.get(k))
    if differ:
        detail = ", ".join(f"{k}: {saved.get(k)!r} -> {identity.get(k)!r}" for k in differ)
        raise ResumeError(f"{path} was written by a run with other options ({detail}); resume with the "
                          f"original options or use a new run directory")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    return int(state["step"]), float(state["elapsed"])


def _warm_start(path: str, model: nn.Module, task: SpectraTask) -> None:
    """Load the weights of the model file ``path`` (same task and architecture) into ``model``."""
    loaded, _ = modelfile.load(Path(path), task.model_format)
    try:
        model.load_state_dict(loaded.state_dict())
    except RuntimeError as exc:
        raise ValueError(f"init_from {path}: its architecture differs from this run's hparams ({exc})") from None


def _validate(model: nn.Module, task: SpectraTask, val: list[tuple[torch.Tensor, dict]], device) -> dict:
    model.eval()
    score, total = task.score(), 0.0
    with torch.inference_mode():
        for inputs, targets in val:
            outputs = model(inputs.to(device))
            targets = _to(targets, device)
            total += float(task.loss(outputs, targets)[0])
            score = score + task.evaluate(outputs.cpu(), _to(targets, torch.device("cpu")))
    model.train()
    return {"val_loss": total / max(len(val), 1), **{f"val_{k}": v for k, v in task.summarise(score).items()}}


def _loader(stream: SimulatedSpectraDataset, start: int, count: int, batch: int, workers: int) -> DataLoader:
    return DataLoader(_Items(stream, start, count), batch_size=batch, shuffle=False, num_workers=workers)


def train_spectra_model(task: str, run_dir: str | Path, config: TrainConfig | None = None) -> dict[str, float]:
    """Train (or resume) the ``task`` model in ``run_dir``; write ``run_dir/model.pt``.

    Parameters
    ----------
    task : a key of :data:`TASKS`, e.g. ``"peaks"``.
    run_dir : run directory: ``checkpoint.pt`` (resumed from when present), ``log.jsonl``,
        ``model.pt``.
    config : :class:`TrainConfig` (default options when None).

    Returns
    -------
    dict : validation metrics of the final model, plus ``steps`` done and ``train_seconds``.

    Raises
    ------
    ResumeError : ``run_dir`` holds a checkpoint written with other options.
    ValueError : unknown task, device or stream option, ``val_seed == seed``, an ``init_from``
        model of another architecture.
    """
    config = config or TrainConfig()
    spec = get_task(task)
    if config.val_seed == config.seed:
        raise ValueError("val_seed must differ from seed (the validation set must not be training data)")
    hparams, stream_args = {**spec.default_hparams, **config.hparams}, {**spec.default_stream, **config.stream}
    unknown = set(stream_args) - set(inspect.signature(SimulatedSpectraDataset).parameters)
    if unknown:
        raise ValueError(f"unknown stream option(s) {sorted(unknown)}; see SimulatedSpectraDataset")
    device, run_dir = resolve_device(config.device), Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    identity = _identity(config, spec, hparams, stream_args)
    torch.manual_seed(config.seed)
    model = spec.model_format.build(**hparams).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=config.steps,
                                                    pct_start=config.warmup)
    if config.init_from is not None:
        _warm_start(config.init_from, model, spec)
    step, spent = _resume(run_dir / "checkpoint.pt", identity, model, optimizer, scheduler)
    train_stream = SimulatedSpectraDataset(seed=config.seed, **stream_args)
    val_stream = SimulatedSpectraDataset(seed=config.val_seed, **stream_args)
    val = [spec.prepare(items, config.val_seed)
           for items in _loader(val_stream, 0, config.val_size, config.batch_size, 0)]
    loader = _loader(train_stream, step * config.batch_size, (config.steps - step) * config.batch_size,
                     config.batch_size, config.num_workers)
    start = time.time()
    with open(run_dir / "log.jsonl", "a") as logfile:
        def record(entry: dict) -> None:
            logfile.write(json.dumps({"step": step, "seconds": round(spent + time.time() - start, 1), **entry}) + "\n")
            logfile.flush()

        def checkpoint() -> None:
            torch.save({"identity": json.dumps(identity), "step": step, "elapsed": spent + time.time() - start,
                        "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(), "torch_rng": torch.get_rng_state()},
                       run_dir / "checkpoint.pt")

        model.train()
        for items in loader:
            inputs, targets = spec.prepare(items, config.seed)
            loss, parts = spec.loss(model(inputs.to(device)), _to(targets, device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = float(nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm))
            optimizer.step()
            scheduler.step()
            step += 1
            if step % config.log_every == 0:
                record({"loss": float(loss.detach()), **parts, "grad_norm": grad_norm, "lr": scheduler.get_last_lr()[0]})
            if step % config.val_every == 0:
                record(_validate(model, spec, val, device))
            if step % config.checkpoint_every == 0 or step == config.steps:
                checkpoint()
            if config.time_limit_s is not None and time.time() - start > config.time_limit_s:
                checkpoint()
                break
        metrics = {**_validate(model, spec, val, device), "steps": step,
                   "train_seconds": round(spent + time.time() - start, 1)}
        record({"final": True, **metrics})
    log.info("%s: validation %s = %.4g after %d steps", spec.name, spec.key_metric, metrics[f"val_{spec.key_metric}"], step)
    training = {"task": spec.name, "config": identity, "completed": step == config.steps, "metrics": metrics,
                "key_metric": spec.key_metric,
                "data": {"stream": "shiftnet.spectra_models.stream.SimulatedSpectraDataset", "seed": config.seed,
                         "items": step * config.batch_size, "val_seed": config.val_seed, "val_size": config.val_size,
                         **stream_args}}
    modelfile.save(model.cpu(), run_dir / "model.pt", spec.model_format, hparams, training)
    return metrics
