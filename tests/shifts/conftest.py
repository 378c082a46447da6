"""A tiny NMRShiftDB2-layout SD file for the training tests."""

import pytest
from rdkit import Chem


def sd_record(smiles: str, name: str, c_shifts: dict[int, float], h_shifts: dict[int, float],
               solvent: str = "0:Chloroform-D1 (CDCl3) 1:Chloroform-D1 (CDCl3)") -> str:
    mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
    mol.SetProp("_Name", name)
    mol.SetProp("nmrshiftdb2 ID", name)
    mol.SetProp("Spectrum 13C 0", "|".join(f"{v};0.0Q;{k}" for k, v in c_shifts.items()) + "|")
    mol.SetProp("Spectrum 1H 1", "|".join(f"{v};0.0;{k}" for k, v in h_shifts.items()) + "|")
    mol.SetProp("Solvent", solvent)
    return Chem.MolToMolBlock(mol) + "".join(
        f">  <{p}>\n{mol.GetProp(p)}\n\n" for p in mol.GetPropNames()) + "$$$$\n"


@pytest.fixture
def tiny_sd(tmp_path):
    records = [
        sd_record("CCO", "1", {0: 18.4, 1: 58.3}, {3: 1.22, 6: 3.69}),
        sd_record("CC(C)=O", "2", {0: 30.8, 1: 206.7, 2: 30.8}, {0: 2.17, 2: 2.17}),
        sd_record("c1ccccc1", "3", {i: 128.4 for i in range(6)}, {i: 7.36 for i in range(6)}),
        sd_record("Cc1ccccc1", "4", {0: 21.5, 1: 137.9, 2: 129.1, 3: 128.3, 4: 125.4, 5: 128.3, 6: 129.1},
                   {0: 2.36, 2: 7.17}),
        sd_record("CCCC", "5", {0: 13.2, 1: 25.0, 2: 25.0, 3: 13.2}, {0: 0.9, 1: 1.3}),
        sd_record("OCC(=O)O", "6", {1: 60.0, 2: 174.0}, {1: 4.2}),
    ]
    path = tmp_path / "nmrshiftdb2withsignals.sd"
    path.write_text("".join(records))
    return path
