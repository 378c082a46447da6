import pytest
import torch
from rdkit import Chem

from shiftnet.shifts.featurize import featurize_batch
from shiftnet.shifts.model import ModelFileError, ShiftModel, load_model, save_model
from shiftnet.molecules import prepare
from shiftnet.shifts.predict import default_model_paths


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


@pytest.mark.parametrize("virtual_node", [False, True])
def test_virtual_node_reaches_beyond_the_layer_count(virtual_node):
    """With 2 layers an atom sees 2 bonds far; the virtual node lets it see the whole molecule:
    nonan-1-ol (O first) and nonane differ 8 bonds away from their last atom (node 8)."""
    torch.manual_seed(0)
    model = ShiftModel(dim=16, layers=2, virtual_node=virtual_node).eval()
    batch = featurize_batch([prepare(Chem.MolFromSmiles(s)) for s in ("OCCCCCCCC", "CCCCCCCCC")], [0, 0])
    with torch.no_grad():
        h = model.encode(batch)
    far_end_alcohol, far_end_alkane = h[8], h[9 + 8]
    assert torch.allclose(far_end_alcohol, far_end_alkane) != virtual_node


def test_virtual_node_round_trip(tmp_path):
    model = ShiftModel(dim=16, layers=3, virtual_node=True).eval()
    save_model(model, tmp_path / "m.pt", {})
    loaded, _ = load_model(tmp_path / "m.pt")
    batch = featurize_batch([prepare(Chem.MolFromSmiles("c1ccccc1CC(=O)O"))], [1])
    with torch.no_grad():
        assert torch.equal(model(batch)["1H"][0], loaded(batch)["1H"][0])
    assert loaded.encoder.virtual_updates is not None


def test_unknown_architecture_option_is_a_clear_error(tmp_path):
    """A file from a newer shiftnet (an hparam this version lacks) is refused by name."""
    model = ShiftModel(dim=16, layers=2)
    model.hparams["attention_heads"] = 4
    save_model(model, tmp_path / "m.pt", {})
    with pytest.raises(ModelFileError, match="attention_heads"):
        load_model(tmp_path / "m.pt")


def _graph(smiles):
    return featurize_batch([prepare(Chem.MolFromSmiles(smiles))], [0])


def test_thin_data_factor_widens_sigma_within_two_bonds_of_germanium(tmp_path):
    graph = _graph("C[Ge](C)(C)CCCCO")  # nodes: C Ge C C C C | C C O
    base = ShiftModel(dim=16, layers=2).eval()
    save_model(ShiftModel(dim=16, layers=2, thin_sigma={"13C": 2.0}), tmp_path / "m.pt", {})
    widened, _ = load_model(tmp_path / "m.pt")  # the factor travels in the model file
    widened.load_state_dict(base.state_dict())
    ratio = (widened(graph)["13C"][1] / base(graph)["13C"][1]).tolist()
    assert ratio == pytest.approx([4.0] * 6 + [1.0] * 3)
    assert torch.equal(widened(graph)["1H"][1], base(graph)["1H"][1])  # no factor given for 1H


def test_sigma_cap_bounds_every_sigma_but_leaves_the_training_outputs():
    graph = _graph("CC(=O)Oc1ccccc1C(=O)O")
    base = ShiftModel(dim=16, layers=2).eval()
    capped = ShiftModel(dim=16, layers=2, sigma_cap={"1H": 0.5}).eval()
    capped.load_state_dict(base.state_dict())
    var_base, var_capped = base(graph)["1H"][1], capped(graph)["1H"][1]
    assert var_base.max() > 0.25  # an untrained head: wide
    assert torch.equal(var_capped, var_base.clamp(max=0.25))
    assert torch.equal(capped(graph, scaled=True)["1H"][1], base(graph, scaled=True)["1H"][1])
