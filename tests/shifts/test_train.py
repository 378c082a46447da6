import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from tests.shifts.conftest import sd_record

from shiftnet.shifts.data import read_nmrshiftdb_sdf, split_bucket
from shiftnet.shifts.corpus import load_test_data, load_training_data
from shiftnet.shifts import train as train_module
from shiftnet.shifts.data import example_from_unassigned_row
from shiftnet.shifts.train import (FIXED_GROUP, ResumeError, TrainConfig, batch_loss, collate_examples, matched_targets,
                                   rematch_unassigned, train_model)
from shiftnet.shifts.model import ShiftModel, load_model


def test_matched_targets_is_sorted_assignment():
    # molecule 0: group 1 has nodes 0, 1, 2; molecule 1: group 3 has nodes 3, 4
    pred = torch.tensor([30.0, 10.0, 20.0, 5.0, 1.0, 99.0])
    group = torch.tensor([1, 1, 1, 3, 3, -1])
    value = torch.tensor([12.0, 31.0, 22.0, 0.5, 4.0, 0.0])
    batch = torch.tensor([0, 0, 0, 1, 1, 1])
    target, mask = matched_targets(pred, group, value, batch)
    assert mask.tolist() == [True] * 5 + [False]
    assert target[:5].tolist() == [31.0, 12.0, 22.0, 4.0, 0.5]


def test_matched_targets_with_sigma_solve_each_group_on_the_gaussian_cost():
    # molecule 0, group 1: node 0 (20 +- 0.5) and node 1 (21 +- 5) against 18 and 21.5 -> swapped
    # relative to sorting; molecule 1, group 1: equal sigmas -> sorted
    pred = torch.tensor([20.0, 21.0, 5.0, 1.0])
    sigma = torch.tensor([0.5, 5.0, 1.0, 1.0])
    group = torch.tensor([1, 1, 1, 1])
    value = torch.tensor([18.0, 21.5, 0.5, 4.0])
    batch = torch.tensor([0, 0, 1, 1])
    assert matched_targets(pred, group, value, batch)[0].tolist() == [18.0, 21.5, 4.0, 0.5]
    target, mask = matched_targets(pred, group, value, batch, sigma)
    assert mask.all() and target.tolist() == [21.5, 18.0, 4.0, 0.5]


def test_rematch_fixes_each_carbon_target_with_the_models_sigma(monkeypatch):
    """Isopropanol's two CH3 (nodes 0, 2) against 25.0 and 26.0: node 0 is predicted 25.0 +- 0.2,
    node 2 24.0 +- 5. Sorting would give node 0 26.0; the sigma matching gives it 25.0, and
    the targets are then fixed, one group per carbon."""
    row = pd.Series({"smiles": "CC(C)O", "inchikey": "KFZMGEQAYNKOFK-UHFFFAOYSA-N", "nmrshiftdb_id": 1,
                     "peaks_13c": json.dumps([[25.0, "Q"], [64.0, "D"], [26.0, "Q"]]), "solvent_13c": None})
    example = example_from_unassigned_row(row)
    mean = torch.tensor([25.0, 64.0, 24.0, 0.0])
    var = torch.tensor([0.2, 1.0, 5.0, 1.0]) ** 2
    monkeypatch.setattr(train_module, "ensemble_forward", lambda models, graph: {"13C": (mean, var)})
    assert rematch_unassigned([], [example]) == 2
    assert example.match_value[[0, 1, 2]].tolist() == [25.0, 64.0, 26.0]
    assert example.match_group.tolist() == [FIXED_GROUP, FIXED_GROUP + 1, FIXED_GROUP + 2, -1]
    # the loss's sorted matching leaves fixed targets where they are
    target, _ = matched_targets(torch.tensor([30.0, 0.0, 10.0, 0.0]), torch.from_numpy(example.match_group),
                                torch.from_numpy(example.match_value), torch.zeros(4, dtype=torch.long))
    assert target[[0, 1, 2]].tolist() == [25.0, 64.0, 26.0]


def test_sd_reader_maps_h_assignments_to_heavy_atoms(tiny_sd):
    table = read_nmrshiftdb_sdf(tiny_sd)
    assert len(table) == 6
    ethanol = table.iloc[0]
    assert json.loads(ethanol["shifts_13c"]) == {"0": 18.4, "1": 58.3}
    # H atom 3 sits on C0, H atom 6 on C1 (AddHs order)
    assert json.loads(ethanol["shifts_1h"]) == {"0": 1.22, "1": 3.69}
    assert ethanol["solvent_13c"] == "Chloroform-D1 (CDCl3)"


def test_each_nucleus_keeps_its_spectrum_solvent(tmp_path):
    """13C in CDCl3 (spectrum 0), 1H in DMSO-d6 (spectrum 1): the record's labels are split
    into two examples on the same molecule, each with its own solvent."""
    from shiftnet.solvents import solvent_index

    path = tmp_path / "two_solvents.sd"
    path.write_text(sd_record("CCO", "7", {0: 18.4, 1: 58.3}, {3: 1.05, 8: 4.35},
                               solvent="0:Chloroform-D1 (CDCl3) 1:Dimethylsulphoxide-D6"))
    table = read_nmrshiftdb_sdf(path)
    assert table.loc[0, "solvent_13c"] == "Chloroform-D1 (CDCl3)"
    assert table.loc[0, "solvent_1h"] == "Dimethylsulphoxide-D6"
    examples, _, _ = load_training_data([path], val_bucket=-1)
    assert len(examples) == 2
    carbon, proton = examples
    assert carbon.solvent == solvent_index("CDCl3") and proton.solvent == solvent_index("DMSO-d6")
    assert np.allclose(carbon.y_13c, [18.4, 58.3, np.nan], equal_nan=True) and np.isnan(carbon.y_1h).all()
    assert np.allclose(proton.y_1h, [1.05, np.nan, 4.35], equal_nan=True) and np.isnan(proton.y_13c).all()
    assert carbon.key == proton.key and carbon.graph is proton.graph


def test_labels_whose_spectra_disagree_leave_training_only(tmp_path):
    """Two 13C spectra of ethanol: C0 agrees (18.4 / 18.6), C1 does not (58.3 / 63.3, 5 ppm):
    the mean is the label, and C1's label is dropped from training but kept for validation."""
    record = sd_record("CCO", "8", {0: 18.4, 1: 58.3}, {3: 1.22})
    record = record.replace(">  <Spectrum 1H 1>", ">  <Spectrum 13C 2>\n18.6;0.0Q;0|63.3;0.0T;1|\n\n>  <Spectrum 1H 1>")
    path = tmp_path / "two_spectra.sd"
    path.write_text(record)
    assert json.loads(read_nmrshiftdb_sdf(path).loc[0, "shifts_13c_all"]) == {"0": [18.4, 18.6], "1": [58.3, 63.3]}
    train, _, info = load_training_data([path], val_bucket=-1)
    _, val, _ = load_training_data([path], val_bucket=split_bucket(train[0].key))
    assert info["n_dropped_disagreeing_13c"] == 1
    assert np.allclose(train[0].y_13c, [18.5, np.nan, np.nan], equal_nan=True)
    assert np.allclose(val[0].y_13c, [18.5, 60.8, np.nan], equal_nan=True)


def test_training_loop_lowers_the_loss_and_resumes(tiny_sd, tmp_path):
    train, val, info = load_training_data([tiny_sd], val_bucket=-1)
    assert len(train) == 6 and not val and info["n_skipped"] == 0
    config = TrainConfig(dim=32, layers=2, epochs=30, batch_size=6, lr=3e-3, threads=1)
    model = ShiftModel(dim=32, layers=2)
    batch = collate_examples(train)
    before = float(batch_loss(model, batch, config)[0].detach())
    run = tmp_path / "run"
    trained, _ = train_model(train, train, config, run)
    after = float(batch_loss(trained, batch, config)[0].detach())
    assert after < 0.5 * before
    lines = (run / "log.jsonl").read_text().splitlines()
    assert len(lines) == 30
    loaded, training = load_model(run / "model.pt")
    assert training["n_train"] == 6
    # resuming a finished run trains no further epochs
    train_model(train, train, config, run)
    assert len((run / "log.jsonl").read_text().splitlines()) == 30
    # a checkpoint from other options is refused with a reason, not a torch traceback
    with pytest.raises(ResumeError, match="optimiser steps"):
        train_model(train, train, replace(config, epochs=40), run)
    with pytest.raises(ResumeError, match="architecture"):
        train_model(train, train, replace(config, virtual_node=True), run)


def test_skeleton_split_keeps_stereoisomers_together():
    assert split_bucket("BSYNRYMUTXBXSQ") == split_bucket("BSYNRYMUTXBXSQ")
    buckets = [split_bucket(f"KEY{i:011d}") for i in range(2000)]
    counts = np.bincount(buckets, minlength=10)
    assert counts.min() > 150  # roughly uniform


def test_real_data_split_is_disjoint(nmrshiftdb_dir, tmp_path):
    table = pd.read_parquet(nmrshiftdb_dir / "dev.parquet").head(300)
    path = tmp_path / "dev.parquet"
    table.to_parquet(path)
    train, val, _ = load_training_data([path])
    test, _ = load_test_data([path])
    assert len({e.mol_id for e in train + val + test}) == 300  # a record may give two examples (two solvents)
    keys = [{e.key for e in part} for part in (train, val, test)]
    assert not keys[0] & keys[1] and not keys[0] & keys[2] and not keys[1] & keys[2] and keys[2]


def test_calibrate_ensemble_hits_90_percent_coverage(tiny_sd):
    from shiftnet.shifts.uncertainty import Z90, calibrate_ensemble, ensemble_predictions

    examples, _, _ = load_training_data([tiny_sd], val_bucket=-1)
    torch.manual_seed(0)
    models = [ShiftModel(dim=16, layers=2).eval(), ShiftModel(dim=16, layers=2).eval()]
    factors = calibrate_ensemble(models, examples)
    assert set(factors) == {"13C", "1H"}
    for nucleus, frame in ensemble_predictions(models, examples).items():
        coverage = (np.abs(frame["pred"] - frame["y"]) <= Z90 * frame["sigma"]).mean()
        assert coverage >= 0.9, (nucleus, coverage)
    # a slightly smaller factor loses coverage: the factor is the smallest that reaches 90 %
    for model in models:
        model.sigma_scale *= 0.9
    assert any((np.abs(f["pred"] - f["y"]) <= Z90 * f["sigma"]).mean() < 0.9
               for f in ensemble_predictions(models, examples).values())


def test_sigma_caps_bound_every_interval_by_the_largest_errors(tiny_sd):
    from shiftnet.shifts.uncertainty import Z90, ensemble_predictions, set_hparam, sigma_caps

    examples, _, _ = load_training_data([tiny_sd], val_bucket=-1)
    torch.manual_seed(0)
    models = [ShiftModel(dim=16, layers=2).eval()]
    caps = sigma_caps(models, examples, quantile=1.0)
    set_hparam(models, "sigma_cap", caps)
    for nucleus, frame in ensemble_predictions(models, examples).items():
        largest_error = np.abs(frame["pred"] - frame["y"]).max()
        assert caps[nucleus] == pytest.approx(largest_error / Z90)
        assert frame["sigma"].max() <= caps[nucleus] * (1 + 1e-6)
    assert models[0].hparams["sigma_cap"] == caps  # saved with the model


def test_thin_sigma_factor_is_one_without_thin_element_atoms(tiny_sd):
    from shiftnet.shifts.uncertainty import thin_sigma_factors

    examples, _, _ = load_training_data([tiny_sd], val_bucket=-1)
    models = [ShiftModel(dim=16, layers=2).eval()]
    assert thin_sigma_factors(models, examples) == {"13C": 1.0, "1H": 1.0}


def test_distillation_teaches_unlabelled_nodes(tiny_sd, tmp_path):
    """Teacher targets reach nodes without labels: with every 1H label removed, a student
    distilled from a teacher trained on the 1H labels learns the teacher's 1H values."""
    from shiftnet.shifts.train import attach_teacher

    examples, _, _ = load_training_data([tiny_sd], val_bucket=-1)
    config = TrainConfig(dim=32, layers=2, epochs=40, batch_size=6, lr=3e-3, threads=1)
    teacher, _ = train_model(examples, examples, config, tmp_path / "teacher")
    attach_teacher([teacher, teacher], examples)
    toluene = examples[3]
    assert toluene.teacher.shape == (toluene.graph.num_nodes, 4)
    # two identical members: the ensemble mean is the member's mean, the variance its variance
    out = teacher(collate_examples([toluene]).graph)
    assert np.allclose(toluene.teacher[:, 2], out["1H"][0].detach().numpy(), atol=1e-5)
    assert np.allclose(toluene.teacher[:, 3], out["1H"][1].detach().numpy(), rtol=1e-4)

    for e in examples:
        e.y_1h[:] = np.nan
    student, _ = train_model(examples, examples, config, tmp_path / "student")
    assert np.isfinite(student.hparams["target_mean"]["1H"])  # no 1H label: typical scale, not NaN
    graph = collate_examples(examples).graph
    has_h = graph.x[:, 2].numpy() > 0
    s_pred = student(graph)["1H"][0].detach().numpy()[has_h]
    t_pred = np.concatenate([e.teacher[:, 2] for e in examples])[has_h]
    baseline = np.abs(t_pred - t_pred.mean()).mean()  # predicting one constant for every H
    assert np.abs(s_pred - t_pred).mean() < 0.3 * baseline


def test_attach_dft_maps_heavy_atom_values(nmrshiftdb_dir, tmp_path):
    from shiftnet.shifts.data import attach_dft

    dft = pd.read_parquet(nmrshiftdb_dir / "dft8k_dev.parquet").head(20)
    dev = pd.read_parquet(nmrshiftdb_dir / "dev.parquet")
    table = dev[dev["nmrshiftdb_id"].isin(dft["nmrshiftdb_id"])]
    table.to_parquet(tmp_path / "dev.parquet")
    dft.to_parquet(tmp_path / "dft.parquet")
    examples, _, _ = load_training_data([tmp_path / "dev.parquet"], val_bucket=-1, test_bucket=None)
    other, twin = load_training_data([tmp_path / "dev.parquet"], val_bucket=-1, test_bucket=None)[0][:2]
    other.source = "extra"  # same id, another source: must not receive DFT values
    twin.mol_id = examples[0].mol_id  # second example of a record (13C/1H solvent split): values once
    assert attach_dft(examples + [other, twin], tmp_path / "dft.parquet") == 20
    assert len({e.mol_id for e in examples}) == 20
    assert other.y_dft is None and twin.y_dft is None
    with_dft = [e for e in examples if e.y_dft is not None]
    assert sorted(e.mol_id for e in with_dft) == sorted({e.mol_id for e in examples})  # once per record
    for example in with_dft:
        row = dft[dft["nmrshiftdb_id"].astype(str) == example.mol_id].iloc[0]
        for column, values in ((0, json.loads(row["dft_13c"])), (1, json.loads(row["dft_1h"]))):
            given = {int(k): v for k, v in values.items()}
            assert np.allclose([example.y_dft[k, column] for k in given], list(given.values()))
            assert np.isnan(np.delete(example.y_dft[:, column], list(given))).all()
        carbons = example.graph.x[:, 0] == 6
        assert np.isfinite(example.y_dft[carbons, 0]).all()  # DFT covers every carbon


def test_dft_head_and_weight_average(tiny_sd, tmp_path):
    """The auxiliary head learns its own target (here a value 40 ppm above the 13C label,
    unlike any experimental one), and with ``ema_decay`` the saved weights are the average."""
    examples, _, _ = load_training_data([tiny_sd], val_bucket=-1)
    for e in examples:
        e.y_dft = np.stack([e.y_13c + 40.0, e.y_1h], axis=1)
    config = TrainConfig(dim=32, layers=2, epochs=40, batch_size=6, lr=3e-3, threads=1,
                         dft_weight=1.0, ema_decay=0.5)
    model, _ = train_model(examples, examples, config, tmp_path / "run")
    assert model.dft_head is not None
    graph = collate_examples(examples).graph
    with torch.no_grad():
        pred = model.dft_head(model.encode(graph))[:, 0] * model.hparams["target_std"]["13C"] \
            + model.hparams["target_mean"]["13C"]
        main = model(graph)["13C"][0]
    target = np.concatenate([e.y_dft[:, 0] for e in examples])
    has = ~np.isnan(target)
    baseline = np.abs(target[has] - target[has].mean()).mean()  # one constant for every carbon
    assert np.abs(pred.numpy()[has] - target[has]).mean() < 0.3 * baseline
    assert np.abs(main.numpy()[has] - (target[has] - 40.0)).mean() < 0.3 * baseline  # main head keeps the labels
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    saved = load_model(tmp_path / "run" / "model.pt")[0].state_dict()
    key = "encoder.convs.0.nn.0.weight"
    assert torch.allclose(saved[key], state["ema"]["module." + key])
    assert not torch.allclose(saved[key], state["model"][key])
