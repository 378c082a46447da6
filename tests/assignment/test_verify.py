"""Verification of candidate structures and the NMReDATA / CSV / JSON writers."""

import json

import numpy as np
from rdkit import Chem

from shiftnet.assignment import assign, verify
from shiftnet.assignment.nmredata import write_csv, write_json, write_nmredata

#: 13C of the cresols (CDCl3, literature, ppm).
P_CRESOL = [153.2, 130.1, 130.0, 115.2, 20.5]
O_CRESOL = [153.8, 131.1, 127.2, 123.8, 120.9, 115.0, 15.8]
CANDIDATES = ["Cc1ccc(O)cc1", "not a smiles", "Cc1ccccc1O"]


def test_correct_isomer_wins_and_bad_candidates_keep_their_reason():
    para = verify(CANDIDATES, peaks_13c=P_CRESOL)
    frame = para.frame
    assert frame["candidate"].tolist() == [0, 1, 2]
    assert frame.loc[0, "rank"] == 1 and frame.loc[0, "probability"] > 0.9
    assert frame.loc[2, "rank"] == 2
    assert "parse" in frame.loc[1, "error"] and np.isnan(frame.loc[1, "probability"])
    assert np.isclose(frame["probability"].sum(), 1.0)
    assert para.assignments[1] is None and para.best is para.assignments[0]
    assert not para.no_fit and frame.loc[0, "mae_13c"] < 3
    ortho = verify(CANDIDATES, peaks_13c=O_CRESOL)
    assert ortho.frame.loc[2, "rank"] == 1 and ortho.frame.loc[2, "probability"] > 0.9


def test_no_candidate_fits_is_flagged():
    result = verify(["CCCCCCCC", "CCCCC(C)CC"], peaks_13c=[170.2, 155.1, 140.3, 128.9, 60.1, 52.3, 35.0, 10.3])
    assert result.no_fit
    assert not result.frame["fits"].any()


def test_nmredata_reads_back_with_the_assignment(tmp_path):
    a = assign("CCOC(C)=O", peaks_13c=[171.1, 60.5, 21.0, 14.2, 77.16], peaks_1h=[4.12, 2.05, 1.26],
               hsqc=[(1.26, 14.2), (4.12, 60.5), (2.05, 21.0)], solvent="CDCl3")
    path = tmp_path / "ethyl_acetate.nmredata.sdf"
    write_nmredata(a, path)
    mol = next(iter(Chem.SDMolSupplier(str(path), removeHs=False)))
    assert mol.GetNumAtoms() == 14
    props = mol.GetPropsAsDict()
    assert props["NMREDATA_VERSION"].startswith("1.1")
    assignment = props["NMREDATA_ASSIGNMENT"].splitlines()
    assert "C4, 171.1000, 4\\" in assignment  # the carbonyl is atom 4 (1-based)
    h_line = next(line for line in assignment if line.startswith("H2,"))
    h_atoms = {int(x) for x in h_line.rstrip("\\").split(",")[2:]}
    assert {mol.GetAtomWithIdx(i - 1).GetNeighbors()[0].GetIdx() for i in h_atoms} == {1}
    assert len(h_atoms) == 2
    carbon = props["NMREDATA_1D_13C"].splitlines()
    assert carbon[0].startswith("Larmor=") and "171.1000, L=C4\\" in carbon and "77.1600\\" in carbon
    assert props["NMREDATA_1D_1H"].splitlines()[0].startswith("Larmor=")
    assert "C2/H2\\" in props["NMREDATA_2D_13C_1J_1H"].splitlines()
    assert "NMREDATA_SOLVENT" in props
    write_csv(a, tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text().splitlines()[0].startswith("atom_index,nucleus")
    write_json(a, tmp_path / "a.json")
    assert len(json.loads((tmp_path / "a.json").read_text())["atoms"]) == len(a.frame)
