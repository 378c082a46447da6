"""Data-parallel training: two gloo processes under torchrun make the updates of one process with the
doubled batch."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from shiftnet.cli import main
from shiftnet.shifts.parallel import Group, shard
from tests.shifts.conftest import sd_record

pytestmark = pytest.mark.slow


def test_shards_split_each_global_batch():
    order = np.arange(10)
    first = shard(order, 2, Group(0, 2))
    second = shard(order, 2, Group(1, 2))
    assert [p.tolist() for p in first] == [[0, 1], [4, 5], [8, 9]]
    assert [p.tolist() for p in second] == [[2, 3], [6, 7], []]
    assert [p.tolist() for p in shard(order, 4, Group())] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def _data(tmp_path):
    """Eight training molecules with the same number of labels (two carbons, one H site) and
    no validation or test molecule (skeleton buckets 2-8): then the mean over the processes' batch means is the mean over the
    global batch, and the two runs must make the same updates."""
    shifts = {"CCO": (18.4, 58.3, 1.22), "CCN": (18.9, 36.9, 1.10), "CCCl": (18.7, 39.9, 1.48),
              "CC#N": (1.8, 117.7, 2.00), "CCF": (15.8, 79.7, 1.35), "CCBr": (19.4, 27.9, 1.67),
              "CC=O": (31.2, 200.5, 2.20), "CCI": (-1.7, 20.6, 1.83)}
    records = [sd_record(smiles, str(i), {0: c0, 1: c1}, {3: h}) for i, (smiles, (c0, c1, h)) in enumerate(shifts.items())]
    path = tmp_path / "tiny.sd"
    path.write_text("".join(records))
    return path


def test_two_processes_make_the_updates_of_one_process_with_the_doubled_batch(tmp_path):
    import torch

    data = _data(tmp_path)
    common = ["--data", str(data), "--epochs", "3", "--dim", "16", "--layers", "2", "--seed", "3",
              "--device", "cpu", "--lr", "0.003"]
    single = tmp_path / "single"
    assert main(["train", *common, "--out", str(single), "--batch-size", "4"]) == 0
    double = tmp_path / "double"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port=29533",
                          "-m", "shiftnet.cli", "train", *common, "--out", str(double), "--batch-size", "2",
                          "--distributed"], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    one = torch.load(single / "model.pt", weights_only=True)["state_dict"]
    two = torch.load(double / "model.pt", weights_only=True)["state_dict"]
    for key in one:
        torch.testing.assert_close(two[key], one[key], rtol=1e-4, atol=1e-5)
    other = tmp_path / "other"  # the single process with the undoubled batch takes other steps
    assert main(["train", *common, "--out", str(other), "--batch-size", "2"]) == 0
    three = torch.load(other / "model.pt", weights_only=True)["state_dict"]
    assert max(float((three[k] - one[k]).abs().max()) for k in one) > 1e-3
