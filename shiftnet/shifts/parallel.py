"""Data-parallel training on torch.distributed (``shiftnet train --distributed`` under
``torchrun --nproc_per_node=N``; gloo on CPU, NCCL on GPU).

Every process sees the same shuffled order of the training set (seeded per epoch) and takes
its own slice of each global batch of ``batch_size x world_size`` examples; gradients are
averaged over processes after each backward pass, so N processes with batch B follow the
single-process run with batch N x B (up to how the per-process losses weight their nodes).
Rank 0 alone writes logs, checkpoints and the model; the others wait at barriers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Group:
    """This process's place in the run: ``rank`` of ``world`` processes (1 when not distributed)."""

    rank: int = 0
    world: int = 1

    @property
    def main(self) -> bool:
        """True for the process that writes files (rank 0)."""
        return self.rank == 0

    def barrier(self) -> None:
        """Wait for every process (no-op when not distributed)."""
        if self.world > 1:
            dist.barrier()


def start(distributed: bool, device: torch.device) -> Group:
    """Join the process group that ``torchrun`` describes in the environment (RANK, WORLD_SIZE,
    MASTER_ADDR, MASTER_PORT); ``distributed=False`` gives the single-process group."""
    if not distributed:
        return Group()
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        raise ValueError("--distributed needs torchrun (RANK / WORLD_SIZE are not set): "
                         "torchrun --nproc_per_node=N -m shiftnet.cli train --distributed ...")
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Group(rank=dist.get_rank(), world=dist.get_world_size())


def stop(group: Group) -> None:
    """Leave the process group (after training)."""
    if group.world > 1 and dist.is_initialized():
        dist.destroy_process_group()


def same_start(model: torch.nn.Module, group: Group) -> None:
    """Give every process rank 0's parameters and buffers."""
    if group.world > 1:
        for tensor in list(model.parameters()) + list(model.buffers()):
            dist.broadcast(tensor.data, src=0)


def average_gradients(model: torch.nn.Module, group: Group) -> None:
    """Replace every gradient by its mean over the processes (a parameter without a gradient
    in this process contributes zeros)."""
    if group.world == 1:
        return
    for parameter in model.parameters():
        if parameter.grad is None:
            parameter.grad = torch.zeros_like(parameter)
        dist.all_reduce(parameter.grad, op=dist.ReduceOp.SUM)
        parameter.grad /= group.world


def shard(order: np.ndarray, batch_size: int, group: Group) -> list[np.ndarray]:
    """This process's part of each global batch of ``batch_size * world`` indices of ``order``;
    a last global batch too small for every process to get an example is dropped."""
    step = batch_size * group.world
    parts = []
    for start in range(0, len(order), step):
        part = order[start:start + step][group.rank * batch_size:(group.rank + 1) * batch_size]
        if len(order[start:start + step]) < group.world:
            break
        parts.append(part)
    return parts
