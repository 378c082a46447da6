"""Model files: code in a pickle is never executed, other formats and featuriser versions are
clear errors."""

from __future__ import annotations

import pickle

import pytest
import torch

from shiftnet import modelfile
from shiftnet.modelfile import ModelFileError, ModelFormat
from shiftnet.shifts.model import SHIFT_MODEL_FORMAT, ShiftModel, load_model, save_model


class _Payload:
    """Unpickling this object would create a file (the proof that code ran)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_with_code_is_refused_and_not_executed(tmp_path):
    marker = tmp_path / "code_ran"
    path = tmp_path / "evil.pt"
    torch.save({"format": SHIFT_MODEL_FORMAT.name, "state_dict": _Payload(str(marker))}, path,
               pickle_protocol=pickle.HIGHEST_PROTOCOL)
    with pytest.raises(ModelFileError, match="evil.pt"):
        load_model(path)
    assert not marker.exists()


def test_other_featuriser_version_and_other_format_are_named(tmp_path):
    path = tmp_path / "m.pt"
    model = ShiftModel(dim=16, layers=2)
    older = ModelFormat(SHIFT_MODEL_FORMAT.name, SHIFT_MODEL_FORMAT.version, "featurizer-0", ShiftModel)
    modelfile.save(model, path, older, model.hparams, {})
    with pytest.raises(ModelFileError, match="featurizer-0"):
        load_model(path)
    other = ModelFormat("shiftnet-other-model", 1, "x", ShiftModel)
    modelfile.save(model, tmp_path / "o.pt", other, model.hparams, {})
    with pytest.raises(ModelFileError, match="shiftnet-other-model"):
        load_model(tmp_path / "o.pt")
    with pytest.raises(ModelFileError, match="unknown model format"):
        modelfile.load_any(tmp_path / "o.pt")


def test_load_any_finds_the_format(tmp_path):
    save_model(ShiftModel(dim=16, layers=2), tmp_path / "m.pt", {"note": "x"})
    model, training = modelfile.load_any(tmp_path / "m.pt")
    assert isinstance(model, ShiftModel) and training == {"note": "x"}
