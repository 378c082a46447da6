"""The one spectra training loop: steps, checkpoint, resume (and refusal), model file round trip."""

from __future__ import annotations

import json

import pytest
import torch

from shiftnet import modelfile
from shiftnet.spectra_models.peak_model import load_picker
from shiftnet.spectra_models.train import ResumeError, TrainConfig, get_task, train_spectra_model

TINY = dict(steps=3, batch_size=2, val_size=2, log_every=1, val_every=2, checkpoint_every=1,
            hparams={"channels": [4, 8], "deep_blocks": 1}, stream={"n_points": 256, "max_random_lines": 4})


def test_two_steps_then_resume_to_the_end(tmp_path):
    first = train_spectra_model("peaks", tmp_path, TrainConfig(**TINY, time_limit_s=0.0))
    assert first["steps"] == 1  # the time limit stops after the first step, with a checkpoint
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert state["step"] == 1
    done = train_spectra_model("peaks", tmp_path, TrainConfig(**TINY))
    assert done["steps"] == 3 and 0.0 <= done["val_f1"] <= 1.0
    steps = [json.loads(line)["step"] for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert steps[:2] == [1, 1] and steps[-1] == 3


def test_resume_with_other_options_is_refused(tmp_path):
    train_spectra_model("peaks", tmp_path, TrainConfig(**TINY, time_limit_s=0.0))
    with pytest.raises(ResumeError, match="lr"):
        train_spectra_model("peaks", tmp_path, TrainConfig(**{**TINY, "steps": 3}, lr=1e-4))


def test_model_file_round_trip_and_corruption(tmp_path):
    train_spectra_model("peaks", tmp_path, TrainConfig(**{**TINY, "steps": 1}))
    model, training = load_picker(tmp_path / "model.pt")
    assert training["task"] == "peaks" and training["data"]["seed"] == 0
    again, _ = modelfile.load_any(tmp_path / "model.pt")  # the format registers itself on import
    x = torch.randn(1, 2, 100)
    assert torch.equal(model(x), again(x)) and model(x).shape == (1, 4, 100)
    raw = bytearray((tmp_path / "model.pt").read_bytes())
    raw[-50] ^= 0xFF
    (tmp_path / "bad.pt").write_bytes(bytes(raw))
    with pytest.raises(modelfile.ModelFileError):
        load_picker(tmp_path / "bad.pt")


def test_bad_task_and_seeds():
    with pytest.raises(ValueError, match="unknown spectra task"):
        get_task("nope")
    with pytest.raises(ValueError, match="val_seed"):
        train_spectra_model("peaks", "unused", TrainConfig(seed=3, val_seed=3))


def test_warm_start_begins_from_the_given_weights(tmp_path):
    train_spectra_model("peaks", tmp_path / "first", TrainConfig(**{**TINY, "steps": 1}))
    start, _ = load_picker(tmp_path / "first" / "model.pt")
    # lr 0: the warm-started run keeps exactly the weights it started from
    train_spectra_model("peaks", tmp_path / "second",
                        TrainConfig(**{**TINY, "steps": 1}, lr=0.0, seed=5, init_from=str(tmp_path / "first" / "model.pt")))
    warm, training = load_picker(tmp_path / "second" / "model.pt")
    assert training["config"]["init_from"].endswith("model.pt")
    assert all(torch.equal(a, b) for a, b in zip(start.state_dict().values(), warm.state_dict().values()))
    with pytest.raises(ValueError, match="architecture"):
        train_spectra_model("peaks", tmp_path / "third", TrainConfig(
            **{**TINY, "hparams": {"channels": [4, 8, 8], "deep_blocks": 1}}, init_from=str(tmp_path / "first" / "model.pt")))


def test_unknown_stream_option_is_named():
    with pytest.raises(ValueError, match="pair_fractoin"):
        train_spectra_model("peaks", "unused", TrainConfig(**{**TINY, "stream": {"pair_fractoin": 0.5}}))
