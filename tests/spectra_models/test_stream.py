"""The simulated training stream: reproducible, exact labels, random peaks without a model."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from rdkit import Chem

import shiftnet.spectra_models.stream as dataset_module
from shiftnet.spectra_models.stream import SimulatedSpectraDataset
from shiftnet.spectra.fourier import fid_to_spectrum


def no_model(smiles):
    raise AssertionError("random-peak items must not call the predictor")


def rule_predictor(calls: list):
    """A stand-in for shiftnet.predict: shifts from simple rules, in the MoleculeResult layout."""
    def predict(smiles_list):
        calls.append(list(smiles_list))
        out = []
        for smiles in smiles_list:
            mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
            rows = []
            for atom in mol.GetAtoms():
                if atom.GetSymbol() == "C":
                    rows.append((atom.GetIdx(), atom.GetIdx(), "C", "13C", 15.0 + 25.0 * atom.GetDegree() + 40 * atom.GetIsAromatic(), False))
                elif atom.GetAtomicNum() == 1:
                    parent = atom.GetNeighbors()[0]
                    shift = 0.9 + 0.7 * parent.GetDegree() + 3.0 * parent.GetIsAromatic()
                    rows.append((atom.GetIdx(), parent.GetIdx(), "H", "1H", shift, parent.GetSymbol() != "C"))
            table = pd.DataFrame(rows, columns=["atom_index", "parent_index", "element", "nucleus", "shift_ppm", "exchangeable"])
            out.append(SimpleNamespace(ok=True, error=None, mol=mol, shifts=table))
        return out
    return predict


def assert_same_items(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], torch.Tensor):
            assert torch.equal(a[key], b[key]), key
        else:
            assert a[key] == b[key], key


def test_random_peak_items_need_no_model_and_are_reproducible():
    kwargs = dict(random_fraction=1.0, n_points=2048, seed=4, length=6, predictor=no_model, smiles=[])
    first, second = SimulatedSpectraDataset(**kwargs), SimulatedSpectraDataset(**kwargs)
    items = list(first)
    assert len(items) == 6 and all(item["random"] for item in items)
    for i, item in enumerate(items):
        assert_same_items(item, second[i])
        assert item["clean"].shape == (2048,) and item["fid"].shape == (2048, 2)
        assert item["clean"].abs().max() == pytest.approx(1.0)
    other = SimulatedSpectraDataset(**{**kwargs, "seed": 5})[0]
    assert not torch.equal(other["noisy"], items[0]["noisy"])


def test_voigt_items_are_wider_and_a_zero_fraction_keeps_the_stream():
    kwargs = dict(random_fraction=1.0, n_points=2048, seed=4, length=4, predictor=no_model, smiles=[])
    plain = list(SimulatedSpectraDataset(**kwargs))
    for item, again in zip(plain, SimulatedSpectraDataset(**kwargs, gaussian_fraction=0.0)):
        assert_same_items(item, again)
    stream = SimulatedSpectraDataset(**kwargs, gaussian_fraction=1.0, gaussian_ratio=(2.0, 2.0))
    for i, item in enumerate(stream):
        sim, _, _ = stream.simulation(i)
        lorentz_points = sim.params["linewidth_hz"] / sim.clean.scale().hz_per_point
        assert sim.params["gaussian_hz"] == pytest.approx(2.0 * sim.params["linewidth_hz"])
        # Voigt FWHM of a Gaussian twice the Lorentzian: 0.5346 + sqrt(0.2166 + 4) = 2.588 x the Lorentzian
        assert float(item["peak_width_points"][0]) == pytest.approx(2.588 * lorentz_points, rel=0.001)


def test_labels_are_exact_at_their_points():
    data = SimulatedSpectraDataset(random_fraction=1.0, n_points=2048, seed=1, predictor=no_model, smiles=[])
    factor = 64
    for index in range(4):
        item = data[index]
        fid = torch.view_as_complex(item["clean_fid"]).numpy().astype(complex)
        padded = np.zeros(fid.size * factor, dtype=complex)
        padded[: fid.size] = fid
        fine = fid_to_spectrum(padded).real
        n = item["n_peaks"]
        points = np.round(item["peak_index"][:n].numpy().astype(float) * factor).astype(int)
        np.testing.assert_allclose(fine[points], item["peak_height"][:n].numpy(), atol=0.01)
        np.testing.assert_allclose(fid_to_spectrum(fid).real, item["clean"].numpy(), atol=1e-5)
        assert item["peak_mask"].sum() == n and not item["peak_mask"][n:].any()


def test_structure_items_predict_in_batches_and_cache():
    calls: list = []
    smiles = ["CCO", "CCc1ccccc1", "CC(C)=O"]
    data = SimulatedSpectraDataset(smiles=smiles, n_points=4096, seed=0, length=12, predict_batch=6,
                                   predictor=rule_predictor(calls))
    items = list(data)
    assert len(items) == 12 and not any(item["random"] for item in items)
    assert {item["smiles"] for item in items} <= set(smiles)
    assert len(calls) <= 2 and sum(map(len, calls)) <= len(smiles)
    sim, smi, is_random = data.simulation(3)
    mol = Chem.AddHs(Chem.MolFromSmiles(smi))
    atoms = {i for ids in sim.peaks.loc[sim.peaks["source"] == "sample", "atom_indices"] for i in ids}
    symbol = "H" if sim.params["nucleus"] == "1H" else "C"
    assert atoms and all(mol.GetAtomWithIdx(i).GetSymbol() == symbol for i in atoms)
    assert_same_items(items[3], data[3])


def test_mixed_stream_fraction_and_nus_mask():
    data = SimulatedSpectraDataset(smiles=["CCO"], n_points=1024, seed=2, random_fraction=0.5, nus_fraction=0.25,
                                   predictor=rule_predictor([]))
    items = [data[i] for i in range(40)]
    assert 10 < sum(item["random"] for item in items) < 30
    assert all(item["nus_mask"].sum() == 256 and item["nus_mask"][0] for item in items)


def test_workers_split_the_stream(monkeypatch):
    data = SimulatedSpectraDataset(random_fraction=1.0, n_points=512, seed=0, length=10, predictor=no_model, smiles=[])
    monkeypatch.setattr(dataset_module, "get_worker_info", lambda: SimpleNamespace(id=1, num_workers=3))
    assert [item["index"] for item in data] == [1, 4, 7]
    monkeypatch.undo()
    loader = torch.utils.data.DataLoader(data, batch_size=None, num_workers=2)
    assert sorted(int(item["index"]) for item in loader) == list(range(10))


def test_bad_arguments():
    with pytest.raises(ValueError, match="nuclei"):
        SimulatedSpectraDataset(nuclei=("19F",))
    with pytest.raises(ValueError, match="random_fraction"):
        SimulatedSpectraDataset(random_fraction=1.5)
    with pytest.raises(IndexError):
        SimulatedSpectraDataset(length=3, random_fraction=1.0)[3]


@pytest.mark.data
def test_dev_set_with_shipped_model(nmrshiftdb_dir):
    from shiftnet import predict
    try:
        predict(["C"])
    except FileNotFoundError as err:
        pytest.skip(str(err))
    data = SimulatedSpectraDataset(n_points=4096, seed=0, length=4, predict_batch=4,
                                   data_path=nmrshiftdb_dir / "dev.parquet")
    items = list(data)
    assert all(item["smiles"] and not item["random"] for item in items)
