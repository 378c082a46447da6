import pytest
import torch

from shiftnet.model import ModelFileError, ShiftModel, load_model, save_model
from shiftnet.predictor import default_model_paths


def test_shipped_models_load_and_fit_the_size_budget():
    paths = default_model_paths()
    assert paths
    total = sum(p.stat().st_size for p in paths)
    assert total <= 25 * 1024 * 1024
    for path in paths:
        model, training = load_model(path)
        assert training["val_metrics"]["mae_13C"] < 2.0
        assert not model.training


def test_round_trip(tmp_path):
    model = ShiftModel(dim=16, layers=2)
    model.sigma_scale.fill_(1.7)
    save_model(model, tmp_path / "m.pt", {"note": "test"})
    loaded, training = load_model(tmp_path / "m.pt")
    assert training == {"note": "test"}
    assert loaded.hparams["dim"] == 16
    assert torch.equal(loaded.sigma_scale, model.sigma_scale)


def test_corrupted_file_is_rejected(tmp_path):
    path = tmp_path / "m.pt"
    save_model(ShiftModel(dim=16, layers=2), path, {})
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="m.pt"):
        load_model(path)


def test_modified_weights_fail_the_checksum(tmp_path):
    path = tmp_path / "m.pt"
    save_model(ShiftModel(dim=16, layers=2), path, {})
    payload = torch.load(path, weights_only=True)
    key = next(k for k in payload["state_dict"] if k.endswith("weight"))
    payload["state_dict"][key] += 1.0
    torch.save(payload, path)
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(path)


def test_foreign_and_missing_files(tmp_path):
    foreign = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(ModelFileError, match="not a shiftnet"):
        load_model(foreign)
    text = tmp_path / "text.pt"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="not a readable"):
        load_model(text)
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "missing.pt")
