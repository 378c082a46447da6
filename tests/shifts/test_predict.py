"""Shift prediction with the shipped models: known answers and the API contracts."""


import numpy as np
import pandas as pd
import pytest
from rdkit import Chem

import shiftnet
from shiftnet.results import SHIFT_COLUMNS

# Literature shifts in CDCl3 (SDBS / Gottlieb et al. 1997), heavy-atom index -> ppm.
# Tolerances: 13C 3 ppm, 1H 0.3 ppm (exchangeable H are not checked).
KNOWN = {
    "CCO": ({0: 18.4, 1: 58.3}, {0: 1.22, 1: 3.69}),
    "c1ccccc1": ({i: 128.4 for i in range(6)}, {i: 7.36 for i in range(6)}),
    "CC(C)=O": ({0: 30.8, 1: 206.7, 2: 30.8}, {0: 2.17, 2: 2.17}),
    "Cc1ccccc1": ({0: 21.5, 1: 137.9, 2: 129.1, 3: 128.3, 4: 125.4, 5: 128.3, 6: 129.1},
                  {0: 2.36, 2: 7.17, 3: 7.25, 4: 7.17}),
}


@pytest.mark.parametrize("smiles", list(KNOWN))
def test_hand_checked_molecules(smiles):
    result = shiftnet.predict(smiles, solvent="CDCl3")[0]
    assert result.ok, result.error
    carbons = result.nucleus("13C").set_index("atom_index")["shift_ppm"]
    protons = result.by_heavy_atom().set_index("parent_index")["shift_ppm"]
    c_ref, h_ref = KNOWN[smiles]
    for atom, ref in c_ref.items():
        assert abs(carbons[atom] - ref) < 3.0, (smiles, atom, carbons[atom], ref)
    for atom, ref in h_ref.items():
        assert abs(protons[atom] - ref) < 0.3, (smiles, atom, protons[atom], ref)


@pytest.mark.parametrize("smiles", list(KNOWN))
def test_accurate_ensemble_on_hand_checked_molecules(smiles):
    """The opt-in two-network ensemble meets the same literature tolerances and is a real
    ensemble: two members, predictions not identical to the fast default's."""
    accurate = shiftnet.predict(smiles, solvent="CDCl3", accurate=True)[0]
    fast = shiftnet.predict(smiles, solvent="CDCl3")[0]
    assert len(shiftnet.shifts.predict.default_predictor("auto", True).models) == 2
    carbons = accurate.nucleus("13C").set_index("atom_index")["shift_ppm"]
    protons = accurate.by_heavy_atom().set_index("parent_index")["shift_ppm"]
    c_ref, h_ref = KNOWN[smiles]
    assert all(abs(carbons[atom] - ref) < 3.0 for atom, ref in c_ref.items())
    assert all(abs(protons[atom] - ref) < 0.3 for atom, ref in h_ref.items())
    assert not np.allclose(accurate.shifts["shift_ppm"], fast.shifts["shift_ppm"])


def test_result_table_contract():
    result = shiftnet.predict("CC(=O)NCc1ccccc1O")[0]
    table = result.shifts
    assert list(table.columns) == SHIFT_COLUMNS
    mol = result.mol
    n_c = sum(a.GetSymbol() == "C" for a in mol.GetAtoms())
    n_h = sum(a.GetSymbol() == "H" for a in mol.GetAtoms())
    assert (table["nucleus"] == "13C").sum() == n_c
    assert (table["nucleus"] == "1H").sum() == n_h
    c_rows = table[table["nucleus"] == "13C"]
    assert (c_rows["atom_index"] == c_rows["parent_index"]).all()
    h_rows = table[table["nucleus"] == "1H"]
    for atom, parent in zip(h_rows["atom_index"], h_rows["parent_index"]):
        assert mol.GetBondBetweenAtoms(int(atom), int(parent)) is not None
    exchangeable = {int(a) for a in h_rows.loc[h_rows["exchangeable"], "atom_index"]}
    expected = {a.GetIdx() for a in mol.GetAtoms()
                if a.GetSymbol() == "H" and a.GetNeighbors()[0].GetSymbol() in "NOS"}
    assert exchangeable == expected and len(expected) == 2
    assert (table["sigma_ppm"] > 0).all()
    # heavy atoms come first, in SMILES order; H appended
    assert h_rows["atom_index"].min() == mol.GetNumHeavyAtoms()


def _shuffled_molblock_with_interleaved_h(smiles: str, seed: int) -> tuple[Chem.Mol, list[int]]:
    """The molecule with explicit H in a random atom order; returns (mol, new index of old atom i)."""
    mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
    order = np.random.default_rng(seed).permutation(mol.GetNumAtoms()).tolist()
    shuffled = Chem.RenumberAtoms(mol, order)
    block = Chem.MolToMolBlock(shuffled)
    reread = Chem.MolFromMolBlock(block, removeHs=False)
    return reread, [order.index(i) for i in range(mol.GetNumAtoms())]


def test_atom_index_contract_shuffled_molblock():
    smiles = "CC(=O)Oc1ccccc1C(=O)O"
    canonical = shiftnet.predict(smiles)[0].shifts.set_index("atom_index")
    mol, new_index = _shuffled_molblock_with_interleaved_h(smiles, seed=3)
    symbols = [a.GetSymbol() for a in mol.GetAtoms()]
    first_h = symbols.index("H")
    assert any(s != "H" for s in symbols[first_h:]), "H atoms must sit between heavy atoms"
    shuffled = shiftnet.predict(mol)[0].shifts.set_index("atom_index")
    assert len(shuffled) == len(canonical)
    for old, row in canonical.iterrows():
        if row["nucleus"] == "13C" or not row["exchangeable"]:
            new = shuffled.loc[new_index[old]]
            assert new["element"] == row["element"]
            assert new["parent_index"] == new_index[row["parent_index"]]
            assert new["shift_ppm"] == pytest.approx(row["shift_ppm"], abs=1e-4)


def test_symmetry_para_xylene_and_tert_butyl():
    xylene = shiftnet.predict("Cc1ccc(C)cc1")[0].shifts
    c = xylene[xylene["nucleus"] == "13C"].set_index("atom_index")["shift_ppm"]
    assert c[0] == c[5]  # the two methyls
    assert c[1] == c[4]  # the two substituted ring carbons
    assert c[2] == c[3] == c[6] == c[7]
    h = xylene[xylene["nucleus"] == "1H"]
    assert h.groupby("parent_index")["shift_ppm"].nunique().max() == 1
    assert h[h["parent_index"].isin([0, 5])]["shift_ppm"].nunique() == 1
    tbu = shiftnet.predict("CC(C)(C)c1ccccc1")[0].shifts
    methyls = tbu[(tbu["nucleus"] == "13C") & tbu["atom_index"].isin([0, 2, 3])]
    assert methyls["shift_ppm"].nunique() == 1 and methyls["sigma_ppm"].nunique() == 1
    assert tbu[(tbu["nucleus"] == "1H") & tbu["parent_index"].isin([0, 2, 3])]["shift_ppm"].nunique() == 1


def test_solvent_changes_prediction():
    smiles = "OC(=O)c1ccccc1O"
    cdcl3, dmso = shiftnet.predict([smiles, smiles], solvent=["CDCl3", "DMSO-d6"])
    assert cdcl3.solvent == "CDCl3" and dmso.solvent == "DMSO-d6"
    diff = np.abs(cdcl3.shifts["shift_ppm"].to_numpy() - dmso.shifts["shift_ppm"].to_numpy())
    assert diff.max() > 0.01
    with pytest.raises(ValueError, match="unknown solvent"):
        shiftnet.predict(smiles, solvent="vinegar")


def test_mixed_batch_keeps_order_and_reasons():
    inputs = ["CCO", "", "C1CC", "C[Na]", "[CH3]", None, 42, "c1ccccc1", "C" * 300]
    results = shiftnet.predict(inputs)
    assert [r.index for r in results] == list(range(len(inputs)))
    assert [r.ok for r in results] == [True, False, False, False, False, False, False, True, False]
    reasons = [r.error for r in results]
    assert "empty" in reasons[1]
    assert "parse" in reasons[2]
    assert "Na" in reasons[3]
    assert "radical" in reasons[4]
    assert "None" in reasons[5]
    assert "int" in reasons[6]
    assert "too large" in reasons[8]
    assert results[1].shifts.empty


def test_predict_iter_streams_same_results(tmp_path):
    smiles = ["CCO", "CCN", "bad", "c1ccncc1"] * 5
    predictor = shiftnet.ShiftPredictor(chunk_size=3, batch_size=2)
    streamed = list(predictor.predict_iter(smiles))
    whole = shiftnet.predict(smiles)
    assert len(streamed) == len(whole) == 20
    for a, b in zip(streamed, whole):
        assert a.index == b.index and a.ok == b.ok
        if a.ok:
            np.testing.assert_allclose(a.shifts["shift_ppm"], b.shifts["shift_ppm"], atol=1e-4)


def test_worker_processes_give_the_same_results():
    smiles = ["CCO", "bad", "c1ccncc1", "CC(=O)O"] * 3
    predictor = shiftnet.ShiftPredictor(chunk_size=4, workers=1)
    pooled = predictor.predict(smiles)
    serial = shiftnet.predict(smiles)
    assert [r.index for r in pooled] == list(range(12))
    assert [r.ok for r in pooled] == [r.ok for r in serial]
    for a, b in zip(pooled, serial):
        if a.ok:
            np.testing.assert_allclose(a.shifts["shift_ppm"], b.shifts["shift_ppm"], atol=1e-4)


def test_structure_files(tmp_path):
    smi = tmp_path / "in.smi"
    smi.write_text("CCO ethanol\nnot_smiles broken\nc1ccccc1 benzene\n")
    csv = tmp_path / "in.csv"
    pd.DataFrame({"name": ["a", "b"], "SMILES": ["CC(=O)C", "CCCl"]}).to_csv(csv, index=False)
    sdf = tmp_path / "in.sdf"
    with Chem.SDWriter(str(sdf)) as writer:
        for smiles, name in [("CCO", "eth"), ("CC#N", "acn")]:
            mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
            mol.SetProp("_Name", name)
            writer.write(mol)
    parquet = tmp_path / "in.parquet"
    pd.DataFrame({"smiles": ["CCO", "CO"]}).to_parquet(parquet)
    results = shiftnet.predict([smi, csv, sdf, parquet])
    assert [r.name for r in results[:3]] == ["ethanol", "broken", "benzene"]
    assert [r.ok for r in results] == [True, False, True, True, True, True, True, True, True]
    assert [r.name for r in results[3:7]] == ["a", "b", "eth", "acn"]
    records = list(shiftnet.read_structures(smi))
    assert [r.item for r in records] == ["CCO", "not_smiles", "c1ccccc1"]


def test_nuclei_selection():
    only_c = shiftnet.predict("CCO", nuclei=("13C",))[0].shifts
    assert set(only_c["nucleus"]) == {"13C"}
    with pytest.raises(ValueError, match="nucleus"):
        shiftnet.predict("CCO", nuclei=("19F",))


def test_salt_counter_ions_are_set_aside_and_reported():
    import numpy as np

    from shiftnet import predict

    sodium, anion, nicotine_hcl = predict(["[Na+].O=C([O-])c1ccccc1", "O=C([O-])c1ccccc1", "CN1CCC[C@H]1c1cccnc1.Cl"])
    assert sodium.ok and sodium.set_aside == "counter-ion set aside: Na+ (atom 0)"
    assert anion.set_aside is None
    # the cation is not part of the graph: same shifts as the free anion, atom indices shifted by one
    c13 = sodium.shifts[sodium.shifts.nucleus == "13C"]
    free = anion.shifts[anion.shifts.nucleus == "13C"]
    assert (c13.atom_index.to_numpy() == free.atom_index.to_numpy() + 1).all()
    np.testing.assert_allclose(c13.shift_ppm.to_numpy(), free.shift_ppm.to_numpy(), atol=1e-4)
    assert nicotine_hcl.ok and "HCl (atom 12)" in nicotine_hcl.set_aside
    assert 12 not in set(nicotine_hcl.shifts.parent_index)  # no 1H shift for the H on Cl
    hbr = predict(["Br"])[0]  # hydrogen bromide alone is not a salt: its H is exchangeable
    assert hbr.ok and hbr.shifts.exchangeable.all()


def test_metal_bonded_into_the_molecule_stays_out_of_domain():
    from shiftnet import predict

    bonded, lone_salt = predict(["CC[Pd]Cl", "[Na+].[Cl-]"])
    assert not bonded.ok and "Pd" in bonded.error
    assert not lone_salt.ok and "Na" in lone_salt.error  # no organic fragment: nothing is set aside


def test_thin_data_elements_are_predicted_with_wider_sigma():
    from shiftnet import predict

    tin, carbon = predict(["CCCC[Sn](CCCC)(CCCC)CCCC", "CCCCC(CCCC)(CCCC)CCCC"])
    assert tin.ok and carbon.ok
    c13 = tin.shifts[tin.shifts.nucleus == "13C"].set_index("atom_index")
    # tetrabutyltin (literature, CDCl3): Sn-CH2 8.8, CH2 29.3, CH2 27.4, CH3 13.7 ppm
    np.testing.assert_allclose(c13.loc[[0, 1, 2, 3], "shift_ppm"], [13.7, 27.4, 29.3, 8.8], atol=4.0)
    sigma_sn = c13.loc[3, "sigma_ppm"]
    sigma_c = carbon.shifts[(carbon.shifts.nucleus == "13C") & (carbon.shifts.atom_index == 3)].sigma_ppm.iloc[0]
    assert sigma_sn > sigma_c  # near Sn: the thin-data factor


def test_device_choice():
    import pytest
    import torch

    from shiftnet import predict

    on_cpu = predict(["CCO"], device="cpu")[0]
    assert on_cpu.shifts.equals(predict(["CCO"])[0].shifts) or not torch.cuda.is_available()
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            predict(["CCO"], device="cuda")
    with pytest.raises(ValueError, match="device must be"):
        predict(["CCO"], device="tpu")
